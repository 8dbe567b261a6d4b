"""Linear–nonlinear splitting of a right-hand side.

``u_t = L u + N(u)``: :func:`split_linear` finds the terms of an (inlined) right-hand side
that are a constant coefficient (numbers and parameters only) times the field itself or one
of its pure spatial derivatives. On a periodic box ``L`` is diagonal in Fourier space, which
is what exponential integrators such as ETDRK4 need (Cox & Matthews, J. Comput. Phys. 176
(2002) 430–455; Kassam & Trefethen, SIAM J. Sci. Comput. 26 (2005) 1214–1233). The same
routine reads the operator of a linear constraint such as ``lap(psi) = -w``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ..ir.symbols import TIME, coord, field_of

__all__ = ["split_linear", "LinearOperator"]

LinearOperator = dict[tuple[int, ...], sp.Expr]


def _orders(term: sp.Expr, name: str, axes: Sequence[str]) -> tuple[int, ...] | None:
    """Derivative orders per axis when ``term`` is ``name`` or a pure derivative of it."""
    if field_of(term) == name:
        return (0,) * len(axes)
    if isinstance(term, sp.Derivative) and field_of(term.expr) == name:
        orders = dict.fromkeys(axes, 0)
        for var, n in term.variable_count:
            if var == TIME or var.name not in orders:
                return None
            orders[var.name] += int(n)
        return tuple(orders[a] for a in axes)
    return None


def _constant(expr: sp.Expr, axes: Sequence[str]) -> bool:
    """Numbers and parameters only: no field, no coordinate, no time."""
    if expr.atoms(sp.core.function.AppliedUndef) or expr.atoms(sp.Derivative):
        return False
    return not (expr.free_symbols & ({coord(a) for a in axes} | {TIME}))


def split_linear(expr: sp.Expr, name: str, axes: Sequence[str]) -> tuple[LinearOperator, sp.Expr]:
    """Split ``expr`` into ``(L, rest)`` with ``expr == sum_k L[k] D^k name + rest``.

    ``L`` maps derivative orders per axis to constant coefficients; ``rest`` holds every
    other term (nonlinear, variable-coefficient, other fields, forcing).
    """
    operator: LinearOperator = {}
    rest = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, factors = sp.Integer(1), []
        for f in sp.Mul.make_args(term):
            if _constant(f, axes):
                coeff *= f
            else:
                factors.append(f)
        orders = _orders(factors[0], name, axes) if len(factors) == 1 else None
        if orders is None:
            rest += term
        else:
            operator[orders] = operator.get(orders, sp.Integer(0)) + coeff
    operator = {k: v for k, v in operator.items() if v != 0}
    return operator, rest
