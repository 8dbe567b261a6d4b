"""Property tests: rewriting never changes values beyond rounding.

Random expressions (hypothesis), every standard model's symbolic right-hand sides and
every standard model's discretised kernel are evaluated before and after rewriting at
random points. The tolerance is relative to the *magnitude* of the computation (the
value with every sum replaced by the sum of absolute values), so points where the
result cancels do not make rounding look like an error.
"""

from __future__ import annotations

import math
import pathlib
import random

import pytest
import sympy as sp
from eqc.compiler.rewrite import RewriteOptions, optimize, rewrite_kernel
from eqc.compiler.rewrite.program import evaluate
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

VAR = sp.symbols("x y z w", real=True)
INV = sp.symbols("k m", positive=True)
FAST = RewriteOptions(time_limit=0.3)


def magnitude(e: sp.Basic, env) -> float:
    """|e| with sums of absolute values: the scale rounding errors are relative to."""
    if e in env or e.is_Number or isinstance(e, sp.NumberSymbol):
        return abs(evaluate(e, env))
    if isinstance(e, sp.Add):
        return sum(magnitude(a, env) for a in e.args)
    if isinstance(e, sp.Mul):
        return math.prod(magnitude(a, env) for a in e.args)
    if isinstance(e, sp.Pow) and e.exp.is_Number and e.exp > 0:
        return magnitude(e.base, env) ** float(e.exp)
    return abs(evaluate(e, env)) + max((magnitude(a, env) for a in e.args), default=0.0)


def assert_close(original, values, env, rel=1e-9):
    for o, got in zip(original, values, strict=True):
        want = evaluate(o, env)
        scale = magnitude(o, env)
        assert abs(want - got) <= rel * (scale + 1e-300), (o, want, got, scale)


def _leaf():
    return st.one_of(
        st.sampled_from(VAR + INV),
        st.integers(-3, 3).filter(bool).map(sp.Integer),
        st.sampled_from([sp.Rational(1, 2), sp.Float(0.25), sp.Float(1.5)]),
    )


def _extend(children):
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda p: p[0] + p[1]),
        pair.map(lambda p: p[0] - p[1]),
        pair.map(lambda p: p[0] * p[1]),
        pair.map(lambda p: p[0] / (1 + p[1] ** 2)),
        st.tuples(children, st.integers(2, 5)).map(lambda p: p[0] ** p[1]),
        children.map(lambda c: sp.exp(sp.sin(c))),
        children.map(sp.sin),
        children.map(lambda c: sp.sqrt(1 + c**2)),
    )


expressions = st.recursive(_leaf(), _extend, max_leaves=10)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(expressions, min_size=1, max_size=3), st.integers(0, 2**32))
def test_random_expressions_keep_their_values(outs, seed):
    prog = optimize(outs, set(VAR), FAST)
    assert prog.report.cost_after <= prog.report.cost_before + 1e-9
    rng = random.Random(seed)
    for _ in range(3):
        env = {s: rng.uniform(0.5, 2.0) for s in VAR + INV}
        try:
            finite = all(math.isfinite(evaluate(o, env)) for o in outs)
        except (OverflowError, ZeroDivisionError, ValueError):
            finite = False
        assume(finite)
        assert_close(outs, prog.evaluate(env), env)


def _stdlib_names():
    root = pathlib.Path(__file__).resolve().parents[3] / "stdlib"
    return sorted(p.stem for p in root.glob("*.pde"))


def _load(name):
    loader = pytest.importorskip("eqc.frontend.loader")
    return loader.load(f"stdlib:{name}")


@pytest.mark.parametrize("name", _stdlib_names())
def test_stdlib_symbolic_rhs_keep_their_values(name):
    from eqc.compiler.rewrite.report import symbolic_outputs

    model = _load(name)
    _, outs = symbolic_outputs(model)

    def varying(a):
        return isinstance(a, sp.Derivative | sp.core.function.AppliedUndef)

    prog = optimize(outs, varying, FAST)
    assert prog.report.cost_after <= prog.report.cost_before
    atoms = set()
    for o in outs:
        atoms |= o.free_symbols
        atoms |= o.atoms(sp.Derivative)
        atoms |= {f for f in o.atoms(sp.core.function.AppliedUndef)}
    rng = random.Random(name)
    for _ in range(3):
        env = {a: rng.uniform(0.5, 2.0) for a in atoms}
        assert_close(outs, prog.evaluate(env), env)


@pytest.mark.parametrize("name", _stdlib_names())
def test_stdlib_kernels_keep_their_values(name):
    disc = pytest.importorskip("eqc.compiler.passes.discretise")
    from eqc.compiler.ir.kernel import verify_kernel
    from eqc.compiler.options import CompileOptions

    model = _load(name)
    kernel = disc.discretise(model, CompileOptions())
    new = verify_kernel(rewrite_kernel(kernel, FAST))
    assert len(new.outputs) == len(kernel.outputs)
    exprs = [e for _, e in kernel.body] + list(kernel.outputs)
    atoms = set()
    for e in exprs + [e for _, e in kernel.invariants]:
        atoms |= {a for a in e.free_symbols if not str(a).startswith("i_")}
        atoms |= e.atoms(sp.Indexed)
    atoms -= {s for s, _ in kernel.invariants + kernel.body}
    rng = random.Random(name)
    for _ in range(3):
        env = {a: rng.uniform(0.5, 2.0) for a in atoms}
        ref = dict(env)
        for sym, e in kernel.invariants + kernel.body:
            ref[sym] = evaluate(e, ref)
        want = [evaluate(o, ref) for o in kernel.outputs]
        got = dict(env)
        for sym, e in new.invariants + new.body:
            got[sym] = evaluate(e, got)
        values = [evaluate(o, got) for o in new.outputs]
        inlined = [o.xreplace(dict(kernel.body[::-1])) for o in kernel.outputs]
        for w, v, o in zip(want, values, inlined, strict=True):
            scale = magnitude(o, ref)
            assert abs(w - v) <= 1e-9 * (scale + 1e-300), (name, w, v)
