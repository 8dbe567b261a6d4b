"""Implicit steppers for stiff problems without a Fourier-diagonal linear part: SciPy's
variable-order BDF (Shampine & Reichelt, SIAM J. Sci. Comput. 18, 1997, the NDF/BDF of
MATLAB's ode15s) and Radau IIA of order 5 (Hairer & Wanner, *Solving ODEs II*, §IV.8),
wrapped in the :class:`~.base.Stepper` interface over ``rhs(t, y, out)``.

Only the evolved interior is integrated (flattened); every call of SciPy's ``fun`` writes it
into a padded work state, so the right-hand side fills ghosts and constraint fields as
usual. The Jacobian is built by finite differences: dense by default (fine for ODEs and
small grids), sparse when ``jac_sparsity`` (the pattern of the stencil, over the flattened
evolved interior) is given. Save times are met with the methods' dense output, never by
shortening steps, and no step goes past ``t_bound`` (set by the driver to the end time).
"""

from __future__ import annotations

import numpy as np

from ..errors import StepSizeTooSmall
from .base import RHS, evolved_index

__all__ = ["ImplicitScipy", "IMPLICIT"]

# method -> the name of its scipy.integrate class (imported when used: scipy.integrate
# costs ~0.15 s at start-up, which a run with an explicit method should not pay)
IMPLICIT = {"bdf": "BDF", "radau": "Radau"}


class ImplicitScipy:
    """``method`` "bdf" or "radau" with tolerances ``rtol``/``atol`` (``dt``: first step)."""

    adaptive = True

    def __init__(
        self,
        method: str,
        rhs: RHS,
        y_shape: tuple[int, ...],
        *,
        rtol: float = 1e-6,
        atol: float = 1e-9,
        dt0: float | None = None,
        dt_max: float = np.inf,
        interior: tuple[slice, ...] | None = None,
        n_evolved: int | None = None,
        jac_sparsity=None,
    ):
        if method not in IMPLICIT:
            raise ValueError(f"unknown implicit method {method!r}; known: {', '.join(IMPLICIT)}")
        self.method = method
        self.rhs = rhs
        self.rtol, self.atol = rtol, atol
        self.dt: float | None = dt0
        self.dt_max = dt_max
        self.jac_sparsity = jac_sparsity
        self.y_shape = tuple(y_shape)
        self.sel = evolved_index(self.y_shape, interior, n_evolved)
        self.t_bound: float | None = None
        self.nsteps = 0
        self.nfev = 0
        self._work = np.zeros(self.y_shape)
        self._out = np.zeros(self.y_shape)
        self._inner_shape = self._work[self.sel].shape
        self._solver = None
        self._t_out: float | None = None
        self._y_out: np.ndarray | None = None

    def _fun(self, t: float, v: np.ndarray) -> np.ndarray:
        self.nfev += 1
        self._work[self.sel] = v.reshape(self._inner_shape)
        self.rhs(t, self._work, self._out)
        return np.array(self._out[self.sel], dtype=float).ravel()

    def _start(self, y: np.ndarray, t: float) -> None:
        self._work[...] = y
        bound = self.t_bound if self.t_bound is not None else np.inf
        kwargs = {"rtol": self.rtol, "atol": self.atol, "max_step": self.dt_max}
        if self.dt is not None:
            kwargs["first_step"] = self.dt
        if self.jac_sparsity is not None:
            kwargs["jac_sparsity"] = self.jac_sparsity
        import scipy.integrate

        solver = getattr(scipy.integrate, IMPLICIT[self.method])
        self._solver = solver(self._fun, t, np.array(y[self.sel]).ravel(), bound, **kwargs)

    def advance(self, y: np.ndarray, t: float, t_target: float) -> float:
        if t_target <= t:
            return t
        if y.shape != self.y_shape:
            raise ValueError(f"state has shape {y.shape}, the stepper was built for {self.y_shape}")
        sel = self.sel
        fresh = not (self._solver is not None and self._t_out == t and np.array_equal(y[sel], self._y_out))
        if fresh or (self.t_bound is not None and self._solver.t_bound < self.t_bound):
            self._start(y, t)
        s = self._solver
        if t_target > s.t_bound:
            raise ValueError(f"target time {t_target} is past the stepper's bound {s.t_bound}")
        while s.t < t_target:
            msg = s.step()
            if s.status == "failed":
                raise StepSizeTooSmall(
                    s.t, s.step_size or 0.0, f"{self.method}: {msg}; check the model, or loosen rtol/atol"
                )
            self.nsteps += 1
            self.dt = s.step_size
        v = s.y if s.t == t_target else s.dense_output()(t_target)
        self._work[sel] = v.reshape(self._inner_shape)
        y[sel] = self._work[sel]
        if sel[0].stop < self.y_shape[0]:
            self.rhs(t_target, y, self._out)  # refresh ghosts and constraint fields
        self._y_out = np.array(y[sel])
        self._t_out = t_target
        return t_target
