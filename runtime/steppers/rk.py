"""A fixed-step explicit Runge–Kutta stepper over any :class:`ButcherTableau`.

Stage buffers are allocated once; each step does no allocation (scaled adds go through one
scratch buffer). Only the evolved interior is updated (see :mod:`.base`). Stages that no
later stage and no weight use (e.g. the FSAL stage of Dormand–Prince run at a fixed step)
are skipped.
"""

from __future__ import annotations

import numpy as np

from .base import RHS, evolved_index, steps_for
from .tableau import ButcherTableau

__all__ = ["ExplicitRK"]


class ExplicitRK:
    """Fixed-step explicit RK: ``advance`` takes ``ceil(span/dt)`` equal steps, so the
    target time is hit exactly with steps no longer than ``dt``."""

    adaptive = False

    def __init__(
        self,
        tableau: ButcherTableau,
        rhs: RHS,
        y_shape: tuple[int, ...],
        dt: float,
        *,
        interior: tuple[slice, ...] | None = None,
        n_evolved: int | None = None,
    ):
        if not dt > 0:
            raise ValueError(f"time step must be positive, got {dt}")
        self.tableau = tableau
        self.method = tableau.name
        self.rhs = rhs
        self.dt = float(dt)
        self.nsteps = 0
        self.y_shape = tuple(y_shape)
        self.sel = evolved_index(self.y_shape, interior, n_evolved)
        self._has_constraints = self.sel[0].stop < self.y_shape[0]
        A = tableau.matrix
        s = tableau.stages
        needed = [abs(tableau.b[i]) > 0 for i in range(s)]
        for i in reversed(range(s)):
            if needed[i]:
                for j in range(i):
                    needed[j] = needed[j] or A[i, j] != 0
        self._stages = [i for i in range(s) if needed[i]]
        self._a = A
        self._k = {i: np.zeros(self.y_shape) for i in self._stages}
        self._ytmp = np.zeros(self.y_shape)
        self._scratch = np.zeros(self.y_shape)[self.sel]

    def _axpy(self, target: np.ndarray, alpha: float, x: np.ndarray) -> None:
        np.multiply(x, alpha, out=self._scratch)
        np.add(target, self._scratch, out=target)

    def step(self, y: np.ndarray, t: float, h: float) -> None:
        """One step of size ``h`` from ``(t, y)``, in place."""
        sel, A, tab = self.sel, self._a, self.tableau
        Y = y[sel]
        T = self._ytmp[sel]
        K = {i: self._k[i][sel] for i in self._stages}
        for i in self._stages:
            if i == 0:
                self.rhs(t, y, self._k[0])
                continue
            T[...] = Y
            for j in range(i):
                if A[i, j] != 0:
                    self._axpy(T, h * A[i, j], K[j])
            self.rhs(t + tab.c[i] * h, self._ytmp, self._k[i])
        for i in self._stages:
            if tab.b[i] != 0:
                self._axpy(Y, h * tab.b[i], K[i])

    def advance(self, y: np.ndarray, t: float, t_target: float) -> float:
        n = steps_for(t_target - t, self.dt)
        if n == 0:
            return t
        if y.shape != self.y_shape:
            raise ValueError(f"state has shape {y.shape}, the stepper was built for {self.y_shape}")
        self._ytmp[...] = y  # carries constraint fields and ghosts into the stage state
        h = (t_target - t) / n
        t0 = t
        for m in range(n):
            self.step(y, t0 + m * h, h)
            self.nsteps += 1
        if self._has_constraints:
            # refresh ghosts and constraint fields (e.g. a stream function) for the output
            self.rhs(t_target, y, self._k[self._stages[0]])
        return t_target
