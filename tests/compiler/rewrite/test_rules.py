"""Every rule: its documented instance holds numerically at random points, and the rule
alone proves it in the e-graph (start and goal end in one class)."""

from __future__ import annotations

import math
import random

import pytest
import sympy as sp
from eqc.compiler.rewrite.convert import Converter
from eqc.compiler.rewrite.egraph import EGraph
from eqc.compiler.rewrite.program import evaluate
from eqc.compiler.rewrite.rules import RULE_SETS, rules_for
from eqc.compiler.rewrite.saturate import Limits, saturate

ALL = [(set_name, r) for set_name, rules in RULE_SETS.items() for r in rules]
NAMES = "a b c d e k m r u w x y"
SYMS = {s.name: s for s in sp.symbols(NAMES, positive=True)}
INVARIANT = {SYMS["c"], SYMS["k"], SYMS["m"]}  # coefficients; the rest vary per point


def varying(s: sp.Basic) -> bool:
    return s not in INVARIANT


def _parse(text: str) -> sp.Expr:
    return sp.parse_expr(text, local_dict=dict(SYMS), evaluate=False)


def test_rule_names_are_unique_kebab_case():
    names = [r.name for _, r in ALL]
    assert len(names) == len(set(names))
    for n in names:
        assert n == n.lower() and " " not in n and "_" not in n


@pytest.mark.parametrize("set_name,rule", ALL, ids=[r.name for _, r in ALL])
def test_rule_is_an_identity_at_random_points(set_name, rule):
    assert rule.check is not None, f"rule {rule.name} has no check instance"
    lhs, rhs = (_parse(t) for t in rule.check)
    rng = random.Random(rule.name)
    for _ in range(20):
        env = {s: rng.uniform(0.5, 2.0) for s in SYMS.values()}
        a, b = evaluate(lhs, env), evaluate(rhs, env)
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (rule.name, env, a, b)


@pytest.mark.parametrize("set_name,rule", ALL, ids=[r.name for _, r in ALL])
def test_rule_proves_its_instance(set_name, rule):
    lhs, rhs = (_parse(t) for t in rule.check)
    eg = EGraph()
    conv = Converter(eg, varying)
    a, b = conv.add(lhs), conv.add(rhs)
    eg.rebuild()
    # the rule itself plus the cheap rules of algebra (normalisation of its output)
    rules = [rule] + [r for r in rules_for(("algebra",)) if not r.expansive and r is not rule]
    res = saturate(eg, rules, Limits(nodes=2000, seconds=5.0, iterations=4))
    assert eg.find(a) == eg.find(b), (rule.name, res)


def test_unsafe_rules_are_off_by_default():
    unsafe = {r.name for _, r in ALL if r.unsafe}
    assert unsafe == {"log-exp", "log-sum"}
    safe = {r.name for r in rules_for(tuple(RULE_SETS))}
    assert not (unsafe & safe)


def test_x_over_x_needs_a_nonzero_proof():
    x = sp.Symbol("x", real=True)  # may be zero
    p = sp.Symbol("p", positive=True)
    for sym, expect in ((x, False), (p, True)):
        eg = EGraph()
        conv = Converter(eg, lambda s: True)
        num = conv.add(sp.Mul(sym, SYMS["y"], evaluate=False))
        d = eg.add(("div", None, (num, conv.add(sym))))
        y = conv.add(SYMS["y"])
        eg.rebuild()
        saturate(eg, rules_for(("algebra",)), Limits(nodes=500, seconds=2.0, iterations=3))
        assert (eg.find(d) == eg.find(y)) is expect
