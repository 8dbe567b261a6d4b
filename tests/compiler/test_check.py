"""compiler.passes.check on IR built directly (no text): the checks hold for any frontend."""

from __future__ import annotations

from dataclasses import replace

import sympy as sp
from eqc.compiler.diagnostics import NameModelError, SemanticModelError
from eqc.compiler.ir.model import (
    Axis,
    BoundaryCondition,
    Equation,
    Field,
    InitialCondition,
    Let,
    Model,
    Param,
)
from eqc.compiler.ir.symbols import TIME, coord, field_function, param
from eqc.compiler.passes.check import check_model
from eqc.frontend.loader import load

x = coord("x")
u = field_function("u", ("x",))


def base() -> Model:
    return Model(
        name="m",
        axes=(Axis("x", sp.Integer(0), sp.Integer(1), False, 16),),
        params=(Param("D", sp.Float(0.1)),),
        fields=(Field("u"),),
        equations=(Equation("u", sp.Derivative(u, TIME), param("D") * sp.Derivative(u, (x, 2)), "evolution"),),
        bcs=(BoundaryCondition("u", "x", "lo", sp.S.One, sp.S.Zero, sp.S.Zero),
             BoundaryCondition("u", "x", "hi", sp.S.One, sp.S.Zero, sp.S.Zero)),
        ics=(InitialCondition("u", sp.sin(sp.pi * x)),),
    )


def messages(model: Model) -> list[str]:
    return [e.message for e in check_model(model)]


def test_base_is_clean() -> None:
    assert check_model(base()) == []


def test_unknown_symbol_and_function() -> None:
    m = base()
    eq = replace(m.equations[0], rhs=sp.Symbol("Q", real=True) + field_function("w", ("x",)))
    errs = check_model(replace(m, equations=(eq,)))
    assert {type(e) for e in errs} == {NameModelError}
    assert any("`Q`" in e.message for e in errs) and any("`w`" in e.message for e in errs)


def test_equations_per_field() -> None:
    m = base()
    assert "field `v` has no equation" in messages(replace(m, fields=(*m.fields, Field("v"))))
    two = replace(m, equations=m.equations * 2)
    assert "two equations for field `u`" in messages(two)


def test_dt_on_a_right_side() -> None:
    m = base()
    eq = replace(m.equations[0], rhs=sp.Derivative(u, TIME))
    assert any("dt(...)" in s for s in messages(replace(m, equations=(eq,))))


def test_boundary_checks() -> None:
    m = base()
    periodic = replace(m, axes=(replace(m.axes[0], periodic=True),))
    assert messages(periodic) == ["a boundary condition on periodic axis `x`"] * 2
    missing = replace(m, bcs=m.bcs[:1])
    assert messages(missing) == ["field `u` has no boundary condition at x = 1"]
    dup = replace(m, bcs=(*m.bcs, m.bcs[0]))
    assert any("two boundary conditions" in s for s in messages(dup))


def test_initial_condition_checks() -> None:
    m = base()
    assert messages(replace(m, ics=())) == ["evolved field `u` has no initial condition"]
    bad = replace(m, ics=(*m.ics, InitialCondition("w", sp.S.One)))
    assert any("undeclared field `w`" in s for s in messages(bad))
    steady = replace(m, equations=(Equation("u", sp.Derivative(u, (x, 2)), sp.S.One, "steady"),), ics=())
    assert check_model(steady) == []


def test_let_cycles_and_name_clashes() -> None:
    m = base()
    a, b = field_function("a", ("x",)), field_function("b", ("x",))
    cyc = replace(m, lets=(Let("a", b + u), Let("b", 2 * a)))
    errs = check_model(cyc)
    assert len(errs) == 1 and isinstance(errs[0], SemanticModelError) and "cycle" in errs[0].message
    clash = replace(m, params=(*m.params, Param("u", sp.S.One)))
    assert any("both as" in s for s in messages(clash))


def test_all_stdlib_models_are_clean() -> None:
    from eqc.frontend.loader import stdlib_names

    for name in stdlib_names():
        assert check_model(load(f"stdlib:{name}")) == [], name


def test_names_and_param_values() -> None:
    m = base()
    assert any("not a valid name" in s for s in messages(replace(m, fields=(Field("ψ"),))))
    bad = replace(m, params=(Param("D", param("E") * 2),))
    assert any("finite real number" in s for s in messages(bad))
