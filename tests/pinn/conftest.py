"""Small models built with the IR classes directly (no frontend needed)."""

from __future__ import annotations

import pytest
import sympy as sp
from eqc.compiler.ir.model import (
    Axis,
    BoundaryCondition,
    Equation,
    Field,
    InitialCondition,
    Model,
    Param,
    Solve,
)
from eqc.compiler.ir.symbols import TIME, coord, field_function, param


def heat_model(D: float = 0.1, known: bool = True, t1: float = 1.0) -> Model:
    """u_t = D u_xx on [0, 1], u = 0 at both ends, u(0, x) = sin(pi x)."""
    x = coord("x")
    u = field_function("u", ("x",))
    Dp = param("D")
    return Model(
        name="heat_1d",
        axes=(Axis("x", sp.Integer(0), sp.Integer(1), points=64),),
        params=(Param("D", sp.Float(D) if known else sp.Float(0.05), known=known),),
        fields=(Field("u"),),
        equations=(Equation("u", sp.Derivative(u, TIME), Dp * sp.Derivative(u, (x, 2)), "evolution"),),
        bcs=(
            BoundaryCondition("u", "x", "lo", sp.Integer(1), sp.Integer(0), sp.Integer(0)),
            BoundaryCondition("u", "x", "hi", sp.Integer(1), sp.Integer(0), sp.Integer(0)),
        ),
        ics=(InitialCondition("u", sp.sin(sp.pi * x)),),
        solve=Solve(0.0, t1, None),
    )


def burgers_model(nu: float = 0.01 / 3.141592653589793) -> Model:
    """u_t + u u_x = nu u_xx on [-1, 1], u(+-1) = 0, u(0, x) = -sin(pi x)."""
    x = coord("x")
    u = field_function("u", ("x",))
    n = param("nu")
    return Model(
        name="burgers_1d",
        axes=(Axis("x", sp.Integer(-1), sp.Integer(1), points=256),),
        params=(Param("nu", sp.Float(nu)),),
        fields=(Field("u"),),
        equations=(
            Equation("u", sp.Derivative(u, TIME), -u * sp.Derivative(u, x) + n * sp.Derivative(u, (x, 2)), "evolution"),
        ),
        bcs=(
            BoundaryCondition("u", "x", "lo", sp.Integer(1), sp.Integer(0), sp.Integer(0)),
            BoundaryCondition("u", "x", "hi", sp.Integer(1), sp.Integer(0), sp.Integer(0)),
        ),
        ics=(InitialCondition("u", -sp.sin(sp.pi * x)),),
        solve=Solve(0.0, 1.0, None),
    )


@pytest.fixture
def heat():
    return heat_model


@pytest.fixture
def burgers():
    return burgers_model
