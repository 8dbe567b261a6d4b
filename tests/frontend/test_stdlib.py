"""Every standard model parses, checks, round-trips through to_pde, and documents itself."""

from __future__ import annotations

import math

import pytest
import sympy as sp
from eqc.compiler.ir.symbols import coord
from eqc.compiler.passes.check import check_model
from eqc.frontend.loader import load, parse, read_source, stdlib_names

NAMES = stdlib_names()
REQUIRED = {
    "heat_1d", "heat_2d", "wave_1d", "advection_1d", "burgers_1d", "burgers_periodic", "allen_cahn",
    "kuramoto_sivashinsky", "kdv", "fisher_kpp", "gray_scott", "brusselator", "swift_hohenberg",
    "poisson_2d", "helmholtz_2d", "lorenz", "navier_stokes_2d",
}


def test_the_required_models_are_there() -> None:
    assert REQUIRED <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_parses_checks_and_round_trips(name: str) -> None:
    model = load(f"stdlib:{name}")
    assert check_model(model) == []
    assert model.name == name
    assert model.title
    text = model.to_pde()
    again = parse(text, f"{name}-printed.pde")
    assert again == model
    assert again.to_pde() == text


@pytest.mark.parametrize("name", NAMES)
def test_header_cites_a_source(name: str) -> None:
    text, _ = read_source(f"stdlib:{name}")
    assert text.startswith("#")
    model = load(f"stdlib:{name}")
    assert model.doc and "Source:" in model.doc


@pytest.mark.parametrize("name", NAMES)
def test_runnable_without_flags(name: str) -> None:
    """Every axis has a grid size; evolution/ODE models have a solve line with a step."""
    model = load(f"stdlib:{name}")
    assert all(a.points for a in model.axes)
    if model.kind != "steady":
        assert model.solve is not None and model.solve.dt is not None
        assert model.solve.method in ("rk4", "etdrk4")


def _diffusion_limit_ok(model) -> bool:
    """The explicit RK4 step respects the centred-difference diffusion limit:
    max |lambda| dt = 4 * dim * D * dt / h^2 < 2.78 for every coefficient of a lap term."""
    dt = model.solve.dt
    values = {p.symbol: p.value for p in model.params}
    for eq in model.evolution_equations:
        for a in model.axes:
            h = a.length / a.points
            second = sp.Derivative(model.function(eq.field), (coord(a.name), 2))
            coeff = eq.rhs.expand().coeff(second).subs(values)
            if coeff.free_symbols:
                continue
            if 4 * model.dim * abs(float(coeff)) * dt / h**2 >= 2.78:
                return False
    return True


@pytest.mark.parametrize("name", [n for n in NAMES if n != "kuramoto_sivashinsky"])
def test_explicit_step_is_stable_for_diffusion(name: str) -> None:
    model = load(f"stdlib:{name}")
    if model.kind == "evolution":
        assert _diffusion_limit_ok(model)


def test_gray_scott_matches_the_design_sketch() -> None:
    m = load("stdlib:gray_scott")
    assert [a.points for a in m.axes] == [256, 256] and all(a.periodic for a in m.axes)
    assert {p.name: p.number for p in m.params} == {"Du": 2e-5, "Dv": 1e-5, "F": 0.04, "k": 0.06}
    assert (m.solve.t0, m.solve.t1, m.solve.dt, m.solve.method, m.solve.save_every) == (0, 5000, 1.0, "rk4", 100)
    assert m.let_names == ("r",)


def test_heat_1d_initial_mode_is_exact() -> None:
    """u = exp(-D pi^2 t) sin(pi x) satisfies the equation, the BCs and the IC."""
    m = load("stdlib:heat_1d")
    x, t = coord("x"), sp.Symbol("t", real=True)
    D = m.param("D").value
    exact = sp.exp(-D * sp.pi**2 * t) * sp.sin(sp.pi * x)
    u = m.function("u")
    eq = m.equations[0]
    residual = (eq.lhs - eq.rhs).subs(u, exact).doit().subs(m.param("D").symbol, D)
    assert sp.simplify(residual) == 0
    assert sp.simplify(m.ics[0].expr - exact.subs(t, 0)) == 0


def test_poisson_and_helmholtz_manufactured_solutions() -> None:
    x, y = coord("x"), coord("y")
    for name, exact in [("poisson_2d", sp.sin(sp.pi * x) * sp.sin(sp.pi * y)),
                        ("helmholtz_2d", sp.sin(sp.pi * x) * sp.sin(4 * sp.pi * y))]:
        m = load(f"stdlib:{name}")
        eq = m.equations[0]
        values = {p.symbol: p.value for p in m.params}
        residual = (eq.lhs - eq.rhs).subs(m.function("u"), exact).doit().subs(values)
        assert sp.simplify(residual) == 0, name
        for bc in m.bcs:
            a = m.axis(bc.axis)
            at = a.lo if bc.side == "lo" else a.hi
            assert sp.simplify(exact.subs(coord(bc.axis), at)) == 0


def test_advection_and_kdv_exact_solutions() -> None:
    x, t = coord("x"), sp.Symbol("t", real=True)
    m = load("stdlib:advection_1d")
    exact = sp.sin(x - 30 * t)
    eq = m.equations[0]
    res = (eq.lhs - eq.rhs).subs(m.function("u"), exact).doit().subs(m.param("beta").symbol, 30)
    assert sp.simplify(res) == 0
    m = load("stdlib:kdv")
    exact = sp.Rational(1, 2) / sp.cosh((x - 10 - t) / 2) ** 2
    eq = m.equations[0]
    res = (eq.lhs - eq.rhs).subs(m.function("u"), exact).doit()
    f = sp.lambdify((x, t), res)
    assert max(abs(f(xv, 0.3)) for xv in (5.0, 9.0, 10.5, 14.0)) < 1e-12
    assert math.isclose(float(m.ics[0].expr.subs(x, 10)), 0.5)


def test_navier_stokes_has_a_constraint_field() -> None:
    m = load("stdlib:navier_stokes_2d")
    assert [(e.field, e.kind) for e in m.equations] == [("w", "evolution"), ("psi", "steady")]
    assert m.ic_for("psi") is None


@pytest.mark.parametrize("name", NAMES)
def test_initial_data_meet_dirichlet_conditions(name: str) -> None:
    """At t0 the initial condition agrees with every Dirichlet boundary value (to 1e-9),
    so no model starts with a jump at its boundary."""
    model = load(f"stdlib:{name}")
    t0 = model.solve.t0 if model.solve else 0.0
    values = {p.symbol: p.value for p in model.params if p.value is not None}
    for bc in model.bcs:
        ic = model.ic_for(bc.field)
        if bc.kind != "dirichlet" or ic is None:
            continue
        axis = model.axis(bc.axis)
        at = axis.lo if bc.side == "lo" else axis.hi
        others = [coord(a.name) for a in model.axes if a.name != bc.axis]
        for s in (0.13, 0.5, 0.91):
            point = {coord(bc.axis): at, sp.Symbol("t", real=True): t0}
            point |= {c: model.axis(c.name).lo + s * (model.axis(c.name).hi - model.axis(c.name).lo) for c in others}
            u = float((bc.alpha * ic.expr).subs(point).subs(values))
            g = float(bc.value.subs(point).subs(values))
            assert abs(u - g) < 1e-9, (name, bc)
