"""What every stepper shares: the interface and the view of the evolved interior.

The state is one float64 array ``y`` of shape ``(n_fields, *grid.padded_shape)`` (an ODE:
``(n_fields,)``), docs/internals.md §4. A right-hand side ``rhs(t, y, out)`` fills the ghost
cells (and constraint fields) of ``y`` in place and writes ``dy/dt`` of the evolved fields
into ``out[k][interior]`` (§5); ``out`` has the state's shape and its ghosts are garbage.
Steppers therefore update only the *evolved interior*: fields ``0..n_evolved-1`` (constraint
fields come last) restricted to the interior slices.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

__all__ = ["RHS", "Stepper", "evolved_index", "interior_of"]

RHS = Callable[[float, np.ndarray, np.ndarray], None]


class Stepper(Protocol):
    """A time stepper bound to one right-hand side and one state shape.

    ``advance(y, t, t_target)`` integrates ``y`` in place from ``t`` to ``t_target`` (hit
    exactly) and returns the new time. ``dt`` is the fixed step (or the last adaptive one),
    ``nsteps`` counts accepted steps so far, ``method`` names the method, ``adaptive``
    says whether ``dt`` is chosen by error control.
    """

    method: str
    adaptive: bool
    dt: float | None
    nsteps: int

    def advance(self, y: np.ndarray, t: float, t_target: float) -> float: ...


def interior_of(y_shape: tuple[int, ...], interior: tuple[slice, ...] | None) -> tuple[slice, ...]:
    """The interior slices for a state of ``y_shape`` (all of it when ``interior`` is None)."""
    if interior is None:
        return tuple(slice(None) for _ in y_shape[1:])
    if len(interior) != len(y_shape) - 1:
        raise ValueError(f"interior {interior} does not match state shape {y_shape}")
    return tuple(interior)


def evolved_index(
    y_shape: tuple[int, ...], interior: tuple[slice, ...] | None, n_evolved: int | None
) -> tuple[slice, ...]:
    """Index of the evolved interior: ``(slice(0, n_evolved), *interior)``."""
    if len(y_shape) < 1:
        raise ValueError("the state needs a leading field axis")
    n = y_shape[0] if n_evolved is None else n_evolved
    if not 0 < n <= y_shape[0]:
        raise ValueError(f"n_evolved={n_evolved} for a state with {y_shape[0]} fields")
    return (slice(0, n), *interior_of(y_shape, interior))


def steps_for(span: float, dt: float) -> int:
    """Number of equal steps of size <= dt that cover ``span`` (tolerant to round-off)."""
    if span <= 0:
        return 0
    return max(1, int(np.ceil(span / dt - 1e-9)))
