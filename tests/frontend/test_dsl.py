"""The embedded Python DSL builds the same checked Model as the .pde text."""

from __future__ import annotations

import pytest
import sympy as sp
from eqc.compiler.diagnostics import ModelError, ModelErrors, NameModelError

import eqc
from eqc import d, div, dt, grad, lap


def heat() -> eqc.Model:
    m = eqc.Model("heat_1d", title="Heat equation, Dirichlet, decaying sine mode")
    x = m.axis("x", 0, 1, points=64)
    D = m.param("D", 0.1, doc="diffusivity", unit="m^2/s")
    u = m.field("u")
    m.equation(dt(u) == D * lap(u))
    m.bc(u, 0, at=(x, 0))
    m.bc(u, 0, at=(x, 1))
    m.init(u, sp.sin(sp.pi * x))
    m.solve(0, 0.5, dt=5e-4, method="rk4", save_every=0.05)
    return m


def test_dsl_equals_the_stdlib_text() -> None:
    assert heat().build() == eqc.load("stdlib:heat_1d")


def test_to_pde_round_trips() -> None:
    m = heat()
    assert eqc.parse(m.to_pde()) == m.build()


def test_gray_scott_in_python() -> None:
    m = eqc.Model("gray_scott", title="Gray–Scott reaction–diffusion")
    x = m.axis("x", 0, 2.5, periodic=True, points=256)
    y = m.axis("y", 0, 2.5, periodic=True, points=256)
    Du = m.param("Du", 2e-5, doc="diffusivity of u")
    Dv = m.param("Dv", 1e-5, doc="diffusivity of v")
    F = m.param("F", 0.04, doc="feed rate")
    k = m.param("k", 0.06, doc="kill rate")
    u, v = m.fields("u", "v")
    r = m.let("r", u * v**2)
    m.equation(dt(u) == Du * lap(u) - r + F * (1 - u))
    m.equation(dt(v) == Dv * lap(v) + r - (F + k) * v)
    bump = sp.exp(-((x - 1.25) ** 2 + (y - 1.25) ** 2) / 0.01)
    m.init(u, 1 - 0.5 * bump)
    m.init(v, 0.25 * bump)
    m.solve(0, 5000, dt=1.0, method="rk4", save_every=100)
    assert m.build() == eqc.load("stdlib:gray_scott")


def test_steady_and_constraint_equations() -> None:
    m = eqc.Model("ns")
    x = m.axis("x", 0, 2 * sp.pi, periodic=True, points=32)
    y = m.axis("y", 0, 2 * sp.pi, periodic=True, points=32)
    w, psi = m.fields("w", "psi")
    nu = m.param("nu", 0.01)
    m.equation(dt(w) == -(d(psi, y) * d(w, x) - d(psi, x) * d(w, y)) + nu * lap(w))
    m.equation(lap(psi), -w)
    m.init(w, sp.cos(x) * sp.cos(y))
    model = m.build()
    assert [(e.field, e.kind) for e in model.equations] == [("w", "evolution"), ("psi", "steady")]
    m2 = eqc.Model("p")
    x = m2.axis("x", 0, 1)
    u = m2.field("u")
    m2.equation(sp.Eq(lap(u), -1))
    m2.bc(u, 0, at=(x, "lo"))
    m2.bc(d(u, x) + 2 * u, sp.Integer(1), at=(x, "hi"))
    model = m2.build()
    assert model.kind == "steady"
    assert [(b.alpha, b.beta, b.value) for b in model.bcs] == [(1, 0, 0), (2, 1, 1)]


def test_div_grad_expands_like_the_text() -> None:
    m = eqc.Model("dg")
    x = m.axis("x", 0, 1, periodic=True)
    y = m.axis("y", 0, 1, periodic=True)
    u = m.field("u")
    D = m.param("D", 1)
    m.equation(dt(u) == div(D * u * grad(u)))
    m.init(u, 1)
    text = "domain x in [0, 1] periodic\ndomain y in [0, 1] periodic\nparam D = 1\nfield u\n" \
           "dt(u) = div(D*u*grad(u))\ninit u = 1\n"
    built, parsed = m.build(), eqc.parse(text)
    assert built.equations == parsed.equations
    assert isinstance(grad(u), object) and x.name == "x" and y.name == "y"


def test_checks_run_on_build() -> None:
    m = eqc.Model("bad")
    x = m.axis("x", 0, 1)
    u, w = m.fields("u", "w")
    m.equation(dt(u) == lap(u))
    with pytest.raises(ModelErrors) as info:
        m.build()
    messages = " | ".join(e.message for e in info.value.errors)
    assert "`w` has no equation" in messages
    assert "no boundary condition" in messages
    assert "no initial condition" in messages
    assert x.name == "x" and w is not None


@pytest.mark.parametrize("make", [
    lambda m, u, x: m.equation(lap(u) == -1),                     # == on two sympy expressions
    lambda m, u, x: m.equation(dt(u) == grad(u)),                 # a vector as a scalar
    lambda m, u, x: m.bc(u, 0, at=(x, 0.5)),                      # not a boundary
    lambda m, u, x: m.bc(u**2, 0, at=(x, 0)),                     # nonlinear
    lambda m, u, x: d(u),                                          # no axis
    lambda m, u, x: d(u, eqc.frontend.dsl.t),                     # time derivative on a rhs
    lambda m, u, x: div(u),                                        # div of a scalar
    lambda m, u, x: m.axis("y", 0, 1),                             # axis after a field
    lambda m, u, x: m.param("p"),                                  # no value
    lambda m, u, x: m.solve(1, 0),                                 # backwards
    lambda m, u, x: m.train("pinn", act="not a word"),
])
def test_user_mistakes_are_model_errors(make) -> None:
    m = eqc.Model("m")
    x = m.axis("x", 0, 1)
    u = m.field("u")
    with pytest.raises(ModelError):
        make(m, u, x)


def test_reserved_and_duplicate_names() -> None:
    m = eqc.Model("m")
    m.param("sin", 1)
    m.param("a", 1)
    m.param("a", 2)
    u = m.field("u")
    m.equation(dt(u) == -u)
    m.init(u, 1)
    with pytest.raises(ModelErrors) as info:
        m.build()
    assert len(info.value.errors) == 2
    assert all(isinstance(e, NameModelError) for e in info.value.errors)


def test_ode_model() -> None:
    m = eqc.Model("decay")
    k = m.param("k", 2)
    u = m.field("u")
    m.equation(dt(u) == -k * u)
    m.init(u, 1)
    model = m.build()
    assert model.kind == "ode" and model.function("u") == sp.Function("u", real=True)(eqc.frontend.dsl.t)
