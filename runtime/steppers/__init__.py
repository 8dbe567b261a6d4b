"""Time steppers: explicit Runge–Kutta (one tableau per module), adaptive Dormand–Prince
5(4), exponential ETDRK4, and a wrapper for backend-compiled fused loops.

One table, no self-registration: :data:`TABLEAUS` names the Butcher tableaus and
:data:`STEPPERS` the methods :func:`make_stepper` accepts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..grid import Grid
from .base import RHS, Stepper
from .dopri5 import DOPRI5, Dopri5
from .etdrk4 import ETDRK4, etdrk4_coefficients
from .euler import EULER
from .fused import Advance, FusedStepper
from .implicit import ImplicitScipy
from .rk import ExplicitRK
from .rk4 import RK4
from .ssprk3 import SSPRK3
from .tableau import ButcherTableau

__all__ = [
    "ButcherTableau",
    "TABLEAUS",
    "STEPPERS",
    "StepperOptions",
    "Stepper",
    "RHS",
    "Advance",
    "ExplicitRK",
    "Dopri5",
    "ETDRK4",
    "FusedStepper",
    "ImplicitScipy",
    "etdrk4_coefficients",
    "make_stepper",
]

TABLEAUS: dict[str, ButcherTableau] = {
    "euler": EULER,
    "ssprk3": SSPRK3,
    "rk4": RK4,
    "dopri5": DOPRI5,
}

# method name -> one-line description (what `make_stepper` accepts)
STEPPERS: dict[str, str] = {
    "euler": "forward Euler, order 1, fixed step",
    "ssprk3": "Shu–Osher SSP-RK3, order 3, fixed step",
    "rk4": "classical Runge–Kutta, order 4, fixed step",
    "dopri5": "Dormand–Prince 5(4), adaptive (fixed step with adaptive=False)",
    "etdrk4": "Cox–Matthews exponential RK4, stiff diagonal linear part (periodic boxes)",
    "bdf": "SciPy variable-order BDF, implicit, adaptive: stiff problems",
    "radau": "SciPy Radau IIA order 5, implicit, adaptive: stiff problems",
}


@dataclass(frozen=True, slots=True)
class StepperOptions:
    """Settings of :func:`make_stepper` beyond the method and step.

    ``adaptive``: None means adaptive for dopri5 (``dt`` is then the first step) and fixed
    for the others. ``dealias``: 2/3 rule in ETDRK4's nonlinear term.
    """

    rtol: float = 1e-6
    atol: float = 1e-9
    adaptive: bool | None = None
    dt_max: float = math.inf
    max_steps: int = 10_000_000
    dealias: bool = False
    dense: bool | None = None
    jac_sparsity: object | None = None


def make_stepper(
    method: str,
    rhs: RHS,
    y_shape: tuple[int, ...],
    dt: float | None,
    *,
    grid: Grid | None = None,
    n_evolved: int | None = None,
    options: StepperOptions = StepperOptions(),  # noqa: B008 (frozen, immutable)
    fused: Advance | None = None,
    linear: np.ndarray | None = None,
) -> Stepper:
    """A :class:`Stepper` for ``method`` over ``rhs`` on states of shape ``y_shape``.

    ``grid`` gives the interior (ghost cells are never stepped nor measured); ``n_evolved``
    the number of evolved fields (constraint fields come after them). ``fused``: a
    backend's compiled fixed-step loop for this method and ``dt`` (used for whole steps).
    For ``etdrk4``, ``rhs`` is the nonlinear part and ``linear`` the Fourier symbol of the
    linear part (see :mod:`eqc.runtime.spectral`).
    """
    if method not in STEPPERS:
        raise ValueError(f"unknown time stepper {method!r}; known: {', '.join(STEPPERS)}")
    interior = grid.interior if grid is not None and grid.dim else None
    if method == "etdrk4":
        if linear is None or grid is None or dt is None:
            raise ValueError("etdrk4 needs a grid, a time step and the linear symbol")
        return ETDRK4(linear, rhs, grid, y_shape, dt, n_evolved=n_evolved, dealias=options.dealias)
    if method in ("bdf", "radau"):
        return ImplicitScipy(
            method, rhs, y_shape, rtol=options.rtol, atol=options.atol, dt0=dt, dt_max=options.dt_max,
            interior=interior, n_evolved=n_evolved, jac_sparsity=options.jac_sparsity,
        )
    adaptive = options.adaptive if options.adaptive is not None else method == "dopri5"
    if adaptive:
        if method != "dopri5":
            raise ValueError(f"{method} has no error estimate; use dopri5 for adaptive stepping")
        dense = options.dense if options.dense is not None else math.prod(y_shape) <= 65536
        return Dopri5(
            rhs, y_shape, rtol=options.rtol, atol=options.atol, dt0=dt, dt_max=options.dt_max,
            max_steps=options.max_steps, interior=interior, n_evolved=n_evolved, dense=dense,
        )
    if dt is None:
        raise ValueError(f"{method} is a fixed-step method and needs a time step dt")
    stepper = ExplicitRK(TABLEAUS[method], rhs, y_shape, dt, interior=interior, n_evolved=n_evolved)
    if fused is not None:
        return FusedStepper(fused, dt, stepper)
    return stepper
