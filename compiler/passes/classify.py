"""Classification of a model's equations: which field each determines, and which fields
are evolved, steady or constraints.

A steady equation ``lhs = rhs`` is solved for the first field (in declaration order) that
appears on its left side and has no other equation — ``lap(psi) = -w`` determines ``psi``,
``lap(u) + k^2*u = q`` determines ``u``. Declaration order, not printing order, decides, so
the choice survives a round trip through ``to_pde``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sympy as sp

from ..ir.model import Model
from .resolve import fields_in

__all__ = ["assign_steady_fields", "evolved_fields", "constraint_fields", "steady_fields"]


def assign_steady_fields(
    lhs_list: Sequence[sp.Expr], field_names: Sequence[str], taken: Iterable[str]
) -> list[str | None]:
    """The field each steady equation (given by its left side) determines, or None where
    every field on that left side already has an equation. ``taken``: fields of the
    evolution equations."""
    used = set(taken)
    out: list[str | None] = []
    for lhs in lhs_list:
        choice = next((f for f in fields_in(lhs, field_names) if f not in used), None)
        if choice is not None:
            used.add(choice)
        out.append(choice)
    return out


def evolved_fields(model: Model) -> tuple[str, ...]:
    """Fields with a ``dt(u) = ...`` equation, in declaration order."""
    evolved = {e.field for e in model.evolution_equations}
    return tuple(f for f in model.field_names if f in evolved)


def steady_fields(model: Model) -> tuple[str, ...]:
    """Fields determined by a steady equation, in declaration order."""
    steady = {e.field for e in model.steady_equations}
    return tuple(f for f in model.field_names if f in steady)


def constraint_fields(model: Model) -> tuple[str, ...]:
    """Steady fields of an evolution model (e.g. the stream function): solved for at every
    stage from the evolved fields, never advanced in time."""
    return steady_fields(model) if model.kind != "steady" else ()
