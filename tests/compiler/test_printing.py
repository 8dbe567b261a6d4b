"""to_pde prints any model so that parsing it back gives an equal model: checked for the
standard models (tests/frontend/test_stdlib.py) and here for hypothesis-built models."""

from __future__ import annotations

import cmath

import sympy as sp
from eqc.compiler.diagnostics import ModelError
from eqc.compiler.ir.printing import expr_to_pde
from eqc.frontend.dsl import d, dt, lap
from eqc.frontend.loader import parse
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st

import eqc

FUNCS = [sp.exp, sp.sin, sp.cos, sp.tanh, sp.sqrt, sp.Abs, sp.log, sp.sign, sp.sinh, sp.cosh, sp.tan]

numbers = st.one_of(
    st.integers(-50, 50).map(sp.Integer),
    st.tuples(st.integers(-9, 9), st.integers(2, 9)).map(lambda pq: sp.Rational(*pq)),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    .filter(lambda v: v != 0).map(sp.Float),
    st.floats(1e-12, 1e-3).map(sp.Float),
    st.just(sp.pi),
)


def expressions(atoms: list[sp.Expr], derivs: list[sp.Expr]):
    base = st.one_of(numbers, st.sampled_from(atoms), *( [st.sampled_from(derivs)] if derivs else []))

    def extend(children):
        return st.one_of(
            st.tuples(children, children).map(lambda ab: ab[0] + ab[1]),
            st.tuples(children, children).map(lambda ab: ab[0] - ab[1]),
            st.tuples(children, children).map(lambda ab: ab[0] * ab[1]),
            st.tuples(children, children).map(lambda ab: ab[0] / ab[1]),
            st.tuples(children, st.sampled_from([2, 3, -1, -2, sp.Rational(1, 2), sp.Rational(-1, 3)]))
            .map(lambda ab: ab[0] ** ab[1]),
            st.tuples(st.sampled_from(FUNCS), children).map(lambda fa: fa[0](fa[1])),
            children.map(lambda a: -a),
        )

    return st.recursive(base, extend, max_leaves=8)


@st.composite
def models(draw) -> eqc.Model:
    try:
        return _model(draw)
    except ModelError:  # e.g. a random boundary value that is not finite
        reject()


def _model(draw) -> eqc.Model:
    m = eqc.Model(draw(st.sampled_from(["m", "model_1", "Heat"])),
                  title=draw(st.one_of(st.none(), st.text("abc –é ()", min_size=1, max_size=10))))
    axes = []
    for name in draw(st.sampled_from([[], ["x"], ["x", "y"]])):
        lo = draw(st.sampled_from([0, -1, sp.Float(0.5)]))
        hi = draw(st.sampled_from([1, 2 * sp.pi, sp.Float(2.5)]))
        axes.append((m.axis(name, lo, hi, periodic=draw(st.booleans()),
                            points=draw(st.one_of(st.none(), st.integers(4, 300)))), lo, hi))
    params = []
    for name in draw(st.sampled_from([["D"], ["D", "k"], ["a", "b", "c"]])):
        known = draw(st.booleans())
        params.append(m.param(name, draw(numbers) if known or draw(st.booleans()) else None,
                              doc=draw(st.one_of(st.none(), st.text("ab c", max_size=8))),
                              unit=draw(st.one_of(st.none(), st.sampled_from(["m", "m^2/s", "1/s"]))),
                              known=known))
    fields = [m.field(n) for n in draw(st.sampled_from([["u"], ["u", "v"]]))]
    coords = [a for a, _, _ in axes]
    derivs = [d(f, a) for f in fields for a in coords] + [lap(f) for f in fields if coords]
    atoms = [*fields, *params, *coords, eqc.frontend.dsl.t]
    lets = []
    if draw(st.booleans()):
        lets.append(m.let("r", draw(expressions(atoms, derivs))))
    for f in fields:
        m.equation(dt(f) == draw(expressions(atoms + lets, derivs)))
        m.init(f, draw(expressions([*coords, *params], [])))
        for a, lo, hi in axes:
            if m._axes[coords.index(a)].periodic:
                continue
            for where in (lo, hi):
                alpha = draw(st.sampled_from([0, 1, 2, params[0], sp.Float(0.5)]))
                beta = draw(st.sampled_from([0, 1, -1, sp.Float(0.25)])) if alpha != 0 else 1
                m.bc(alpha * f + beta * d(f, a), draw(expressions([eqc.frontend.dsl.t, *params], [])), at=(a, where))
    if draw(st.booleans()):
        m.solve(0, draw(st.floats(0.1, 100)), dt=draw(st.one_of(st.none(), st.floats(1e-6, 0.01))),
                method=draw(st.sampled_from(["auto", "rk4", "dopri5"])),
                save_every=draw(st.one_of(st.none(), st.floats(0.01, 1))))
    if draw(st.booleans()):
        m.train("pinn", width=draw(st.integers(1, 256)), lr=draw(st.floats(1e-6, 1e-1)),
                causal=draw(st.booleans()), act=draw(st.sampled_from(["tanh", "sin"])))
    return m


def numeric(e: sp.Expr, point: dict) -> complex:
    """``e`` at a point, with every field (and let) ``f_i(t, x, ...)`` replaced by the smooth
    function ``2 + cos(0.5 + i + t + 0.7*(x + ...))`` and the derivatives evaluated."""
    funcs = sorted({f.func.__name__: f for f in e.atoms(sp.core.function.AppliedUndef)}.items())
    sub = {f: 2 + sp.cos(sp.Float(0.5) + i + sum(f.args[1:], sp.S.Zero) * sp.Float(0.7) + f.args[0])
           for i, (_, f) in enumerate(funcs)}
    return complex(e.xreplace(sub).doit().subs(point).evalf(30))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(models())
def test_round_trip_of_built_models(builder: eqc.Model) -> None:
    try:
        raw = builder.build_raw()
        model = builder.build()
    except ModelError:
        assume(False)  # e.g. a random expression that divides by zero
        return
    text = model.to_pde()
    again = parse(text, "printed.pde")
    assert again == model, text
    assert again.to_pde() == text
    # the canonical (printed and re-read) model means what the built one did
    assert [(e.field, e.kind) for e in model.equations] == [(e.field, e.kind) for e in raw.equations]
    symbols = {s for e in raw.equations for s in e.rhs.free_symbols}
    point = {s: sp.Float(0.37 + 0.11 * i) for i, s in enumerate(sorted(symbols, key=str))}
    for a, b in zip(raw.equations, model.equations, strict=True):
        va, vb = numeric(a.rhs, point), numeric(b.rhs, point)
        if cmath.isfinite(va):
            assert abs(va - vb) <= 1e-9 * max(1.0, abs(va)), (a.rhs, b.rhs)




CASES = [
    (sp.Symbol("x", real=True) ** 2, "x^2"),
    (-sp.Symbol("x", real=True) ** 2, "-x^2"),
    ((-sp.Symbol("x", real=True)) ** 3, "-x^3"),
    (sp.Symbol("a", real=True) ** sp.Rational(1, 3), "a^(1/3)"),
    (sp.Symbol("a", real=True) ** -2, "a^(-2)"),
    (sp.Float(1e-5), "1e-05"),
    (sp.Rational(8, 3), "8/3"),
    (sp.E, "exp(1)"),
    (sp.Abs(sp.Symbol("a", real=True)), "abs(a)"),
    (sp.Max(sp.Symbol("a", real=True), 1), "max(1, a)"),
]


def test_expression_printing() -> None:
    for expr, text in CASES:
        assert expr_to_pde(expr) == text, (expr, expr_to_pde(expr))
