"""A backend-compiled fixed-step loop wrapped as a :class:`~.base.Stepper`.

A backend may compile the whole time loop (``Advance(y, t, nsteps) -> t``,
docs/internals.md §5) with fused stages and no allocation per step. It takes steps of
exactly ``dt``; when a save interval is not a multiple of ``dt``, the remainder is one
shorter step of the same method: by the compiled loop itself when it takes a time step
(``advance.takes_dt``: ``advance(y, t, 1, dt=rest)``), else by the Python
:class:`~.rk.ExplicitRK` over ``rhs``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .rk import ExplicitRK

__all__ = ["FusedStepper", "Advance"]

Advance = Callable[[np.ndarray, float, int], float]


class FusedStepper:
    """``advance`` calls the compiled loop for ``floor(span/dt)`` steps, then at most one
    short Python step to land on ``t_target`` exactly."""

    adaptive = False

    def __init__(self, fused: Advance, dt: float, fallback: ExplicitRK | None, method: str | None = None):
        if not dt > 0:
            raise ValueError(f"time step must be positive, got {dt}")
        self.takes_dt = bool(getattr(fused, "takes_dt", False))
        if fallback is None and not self.takes_dt:
            raise ValueError("a compiled loop with a fixed dt needs a fallback stepper for short steps")
        self.fused = fused
        self.dt = float(dt)
        self.method = fallback.method if fallback is not None else method
        self.fallback = fallback
        self.nsteps = 0

    def advance(self, y: np.ndarray, t: float, t_target: float) -> float:
        span = t_target - t
        if span <= 0:
            return t
        n = int(np.floor(span / self.dt + 1e-9))
        if n > 0:
            t = float(self.fused(y, t, n))
            self.nsteps += n
        rest = t_target - t
        if rest > 1e-9 * self.dt:
            if self.takes_dt:
                self.fused(y, t, 1, rest)
            else:
                self.fallback.dt = rest
                self.fallback.advance(y, t, t_target)
            self.nsteps += 1
        return t_target
