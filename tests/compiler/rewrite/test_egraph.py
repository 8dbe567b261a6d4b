"""The e-graph engine: hash-consing, congruence closure, analyses."""

from __future__ import annotations

import sympy as sp
from eqc.compiler.rewrite.egraph import EGraph


def test_hashcons_and_ac_canonical_order():
    eg = EGraph()
    a, b = eg.leaf("a", True), eg.leaf("b", True)
    assert eg.add(("add", None, (a, b))) == eg.add(("add", None, (b, a)))
    assert len(eg) == 3


def test_congruence_closure_after_union():
    eg = EGraph()
    a, b = eg.leaf("a", True), eg.leaf("b", True)
    fa = eg.add(("fn", "exp", (a,)))
    fb = eg.add(("fn", "exp", (b,)))
    ga = eg.add(("add", None, (fa, a)))
    gb = eg.add(("add", None, (fb, b)))
    assert eg.find(fa) != eg.find(fb)
    eg.union(a, b)
    eg.rebuild()
    assert eg.find(fa) == eg.find(fb)
    assert eg.find(ga) == eg.find(gb)


def test_constant_folding_and_facts():
    eg = EGraph()
    two, three = eg.num(2.0), eg.num(3.0)
    s = eg.add(("add", None, (two, three)))
    assert eg.const(s) == 5.0 and eg.first(s, "num") is not None
    x = eg.leaf("x", True)
    k = eg.leaf("k", False, nonzero=True)
    assert eg.varying(eg.add(("mul", None, (x, k))))
    assert not eg.varying(eg.add(("mul", None, (k, two))))
    assert eg.nonzero(eg.add(("fn", "exp", (x,))))
    assert not eg.nonzero(eg.add(("add", None, (x, k))))
    # a varying class merged with an invariant one is invariant (x - x = 0)
    d = eg.add(("add", None, (x, eg.add(("mul", None, (eg.num(-1.0), x))))))
    eg.union(d, eg.num(0.0))
    eg.rebuild()
    assert not eg.varying(d) and eg.const(d) == 0.0


def test_folding_never_makes_nan_or_inf():
    eg = EGraph()
    zero = eg.num(0.0)
    q = eg.add(("div", None, (eg.num(1.0), zero)))
    big = eg.add(("fn", "exp", (eg.num(1000.0),)))
    assert eg.const(q) is None and eg.const(big) is None


def test_leaf_atoms_are_sympy_objects():
    eg = EGraph()
    x = sp.Symbol("x")
    assert eg.leaf(x, True) == eg.leaf(sp.Symbol("x"), True)
