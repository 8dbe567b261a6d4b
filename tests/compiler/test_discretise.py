"""Discretisation: stencil weights, ghost formulas, lowering of derivatives of expressions,
mixed derivatives, lets, constraints, linear split, ODEs."""

from __future__ import annotations

import pytest
import sympy as sp
from eqc.compiler.diagnostics import ModelError
from eqc.compiler.ir.kernel import access, decode_access
from eqc.compiler.ir.symbols import spacing
from eqc.compiler.options import CompileOptions
from eqc.compiler.passes.discretise import discretise
from eqc.compiler.passes.split import split_linear
from eqc.compiler.passes.stencils import ALPHA, BETA, G, H, central_weights, ghost_formula

import eqc

X = sp.Symbol("X")


@pytest.mark.parametrize("deriv", [1, 2, 3, 4])
@pytest.mark.parametrize("order", [2, 4])
def test_central_weights_exact_on_polynomials(deriv, order):
    for m in range(deriv + order):
        approx = sum(w * sp.Integer(o) ** m for o, w in central_weights(deriv, order))
        exact = sp.diff(X**m, X, deriv).subs(X, 0)
        assert approx == exact, (deriv, order, m)
    # and not exact one degree higher (the order is what it claims, not more)
    m = deriv + order
    approx = sum(w * sp.Integer(o) ** m for o, w in central_weights(deriv, order))
    assert approx != sp.diff(X**m, X, deriv).subs(X, 0)


@pytest.mark.parametrize("degree", [1, 4])
@pytest.mark.parametrize("side", ["lo", "hi"])
@pytest.mark.parametrize("depth", [1, 2])
@pytest.mark.parametrize("ab", [(1, 0), (0, 1), (2, 3)], ids=["dirichlet", "neumann", "robin"])
def test_ghost_formula_exact_for_polynomials(degree, side, depth, ab):
    """Ghost value from the BC equals the polynomial's value at the ghost point."""
    h = sp.Rational(1, 7)
    coeffs = [sp.Rational(3, 2), -2, sp.Rational(5, 3), 1, -sp.Rational(1, 4)][: degree + 1]
    sgn = 1 if side == "lo" else -1
    # s: index units inward from the first point; x = sgn * s * h (boundary at s = -1/2)
    s = sp.Symbol("s")
    p = sum(c * (sgn * s * h) ** j for j, c in enumerate(coeffs))
    dpdx = sp.diff(p, s) / (sgn * h)
    a, b = ab
    g = a * p.subs(s, sp.Rational(-1, 2)) + b * dpdx.subs(s, sp.Rational(-1, 2))
    expr, U = ghost_formula(degree, depth, side)
    val = expr.subs({ALPHA: a, BETA: b, G: g, H: h, **{U[k]: p.subs(s, k) for k in range(degree)}})
    assert sp.simplify(val - p.subs(s, -depth)) == 0


def _model(text):
    return eqc.parse(text)


def test_derivative_of_expression_and_let():
    m = _model(
        """
model b
domain x in [0, 1] periodic
field u
let f = u^2/2
dt(u) = -d(f, x)
init u = sin(2*pi*x)
"""
    )
    k = discretise(m, CompileOptions(order=2))
    h = spacing("x")
    up, um = access("u", (1,), ("x",)), access("u", (-1,), ("x",))
    assert sp.simplify(k.outputs[0] - (-(up**2 / 2 - um**2 / 2) / (2 * h))) == 0
    assert k.axes[0].halo == 1


def test_mixed_derivative_and_coordinates():
    m = _model(
        """
model mix
domain x in [0, 1] periodic
domain y in [0, 2] periodic
field u
dt(u) = d(u, x, y) + x*d(u, y)
init u = 0
"""
    )
    k = discretise(m, CompileOptions(order=2))
    hx, hy = spacing("x"), spacing("y")
    a = {o: access("u", o, ("x", "y")) for o in [(1, 1), (1, -1), (-1, 1), (-1, -1), (0, 1), (0, -1)]}
    x = sp.Symbol("x", real=True)
    mixed = (a[(1, 1)] - a[(1, -1)] - a[(-1, 1)] + a[(-1, -1)]) / (4 * hx * hy)
    expected = mixed + x * (a[(0, 1)] - a[(0, -1)]) / (2 * hy)
    assert sp.simplify(k.outputs[0] - expected) == 0


def test_fourth_order_halo_and_ghost_rules():
    m = eqc.load("stdlib:heat_1d")
    k = discretise(m, CompileOptions(order=4))
    assert k.halo == 2
    rules = {(g.side, g.depth) for g in k.ghosts}
    assert rules == {("lo", 1), ("lo", 2), ("hi", 1), ("hi", 2)}
    for g in k.ghosts:
        for acc in g.expr.atoms(sp.Indexed):
            (off,) = decode_access(acc, ("x",))[1]
            assert (off >= 0) if g.side == "lo" else (off <= 0)


def test_dirichlet_second_order_ghost():
    m = eqc.load("stdlib:heat_1d")
    k = discretise(m, CompileOptions(order=2))
    lo = next(g for g in k.ghosts if g.side == "lo")
    assert sp.simplify(lo.expr - (0 - access("u", (0,), ("x",)))) == 0


def test_constraint_and_linear_split():
    ns = eqc.load("stdlib:navier_stokes_2d")
    k = discretise(ns, CompileOptions())
    assert k.fields == ("w", "psi") and len(k.outputs) == 1
    (c,) = k.constraints
    assert dict(c.operator) == {(2, 0): 1, (0, 2): 1}
    assert c.rhs == -access("w", (0, 0), ("x", "y"))

    ks = eqc.load("stdlib:kuramoto_sivashinsky")
    u = ks.function("u")
    op, rest = split_linear(ks.equation_for("u").rhs, "u", ("x",))
    assert op == {(2,): -1, (4,): -1}
    assert sp.simplify(rest + u * sp.Derivative(u, sp.Symbol("x", real=True))) == 0
    k = discretise(ks, CompileOptions(split_linear=True))
    assert len(k.linear) == 1 and dict(k.linear[0].operator) == {(2,): -1, (4,): -1}


def test_ode_kernel():
    k = discretise(eqc.load("stdlib:lorenz"), CompileOptions())
    assert k.axes == () and k.halo == 0
    assert {decode_access(a, ())[0] for e in k.outputs for a in e.atoms(sp.Indexed)} == {"x", "y", "z"}


def test_missing_boundary_condition_is_a_model_error():
    from dataclasses import replace

    m = eqc.load("stdlib:heat_1d")
    m = replace(m, bcs=m.bcs[:1])
    with pytest.raises(ModelError) as exc:
        discretise(m, CompileOptions())
    assert exc.value.hint
