"""The sympy atoms every IR expression is built from, made in one place.

All symbols are ``real=True`` so that two stages that build "the same" symbol get equal
objects. Fields and auxiliaries (``let``) are applied undefined functions of time and the
model's axes, ``u(t, x, y)``, so sympy's calculus (derivatives, Jacobians, PINN residuals)
applies to them directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

__all__ = [
    "TIME",
    "coord",
    "param",
    "field_function",
    "field_of",
    "is_field_of",
    "spacing",
    "FUNCTIONS",
    "CONSTANTS",
]

TIME = sp.Symbol("t", real=True)


def coord(name: str) -> sp.Symbol:
    """The coordinate symbol of axis ``name``."""
    return sp.Symbol(name, real=True)


def param(name: str) -> sp.Symbol:
    """The symbol of parameter ``name``."""
    return sp.Symbol(name, real=True)


def spacing(axis: str) -> sp.Symbol:
    """The grid spacing of ``axis`` (a run-time value, never baked into kernels)."""
    return sp.Symbol(f"h_{axis}", positive=True)


def field_function(name: str, axes: Sequence[str]) -> sp.Expr:
    """The field (or auxiliary) ``name`` as an applied function ``name(t, *axes)``."""
    return sp.Function(name, real=True)(TIME, *(coord(a) for a in axes))


def field_of(expr: sp.Basic) -> str | None:
    """The name of the field ``expr`` is, if it is an applied field function."""
    if isinstance(expr, sp.core.function.AppliedUndef):
        return expr.func.__name__
    return None


def is_field_of(expr: sp.Basic, names: Sequence[str]) -> bool:
    return field_of(expr) in names


# Scalar functions of the language and their sympy counterparts.
FUNCTIONS: dict[str, object] = {
    "exp": sp.exp,
    "log": sp.log,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "tanh": sp.tanh,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "sqrt": sp.sqrt,
    "abs": sp.Abs,
    "sign": sp.sign,
    "min": sp.Min,
    "max": sp.Max,
}

# Named constants of the language.
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi}
