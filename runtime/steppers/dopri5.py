"""Dormand–Prince 5(4) (Dormand & Prince, J. Comput. Appl. Math. 6, 1980; HNW I, §II.5,
Table 5.2) with adaptive step-size control.

The controller follows Hairer's DOPRI5 code (HNW I, §II.4 and §IV.2 of vol. II): the error
``err = ||h sum e_i k_i / (atol + rtol max(|y|, |y_new|))||_rms`` over the evolved interior
only (ghost cells are garbage), a PI controller (Gustafsson 1991; HNW II, eq. (IV.2.43))
``h_new = h * safe * err^(-(0.2 - 0.75 beta)) * err_old^beta`` with beta = 0.04, the
first-same-as-last stage reused, Hairer's starting-step heuristic (HNW I, §II.4, p. 169),
and the last step of each ``advance`` shortened to land on ``t_target`` exactly.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import StepSizeTooSmall
from .base import RHS, evolved_index
from .tableau import ButcherTableau

__all__ = ["DOPRI5", "Dopri5"]

_B = (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0)
_B_HAT = (5179 / 57600, 0.0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40)

DOPRI5 = ButcherTableau(
    name="dopri5",
    a=(
        (),
        (1 / 5,),
        (3 / 40, 9 / 40),
        (44 / 45, -56 / 15, 32 / 9),
        (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
        (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
        _B[:6],
    ),
    b=_B,
    c=(0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0),
    order=5,
    b_err=tuple(x - y for x, y in zip(_B, _B_HAT, strict=True)),
    embedded_order=4,
    fsal=True,
)


class Dopri5:
    """Adaptive Dormand–Prince 5(4) over ``rhs(t, y, out)``.

    ``dt0`` is the first step (Hairer's heuristic when None); ``dt_max`` bounds every step.
    ``dt`` holds the step the controller proposes next. A step size that falls below
    ``1e-12 * max(1, |t|)`` raises :class:`StepSizeTooSmall`.
    """

    method = "dopri5"

    def __init__(
        self,
        rhs: RHS,
        y_shape: tuple[int, ...],
        *,
        rtol: float = 1e-6,
        atol: float = 1e-9,
        dt0: float | None = None,
        dt_max: float = math.inf,
        max_steps: int = 10_000_000,
        interior: tuple[slice, ...] | None = None,
        n_evolved: int | None = None,
        safety: float = 0.9,
        beta: float = 0.04,
        fac_min: float = 0.2,
        fac_max: float = 10.0,
    ):
        if not (rtol > 0 and atol >= 0):
            raise ValueError("dopri5 needs rtol > 0 and atol >= 0")
        self.rhs = rhs
        self.rtol, self.atol = float(rtol), float(atol)
        self.dt: float | None = dt0
        self.dt_max = float(dt_max)
        self.max_steps = max_steps
        self.safety, self.beta = safety, beta
        self.fac_min, self.fac_max = fac_min, fac_max
        self.nsteps = 0
        self.nrejected = 0
        self.nfev = 0
        self.y_shape = tuple(y_shape)
        self.sel = evolved_index(self.y_shape, interior, n_evolved)
        self._k = [np.zeros(self.y_shape) for _ in range(7)]
        self._ytmp = np.zeros(self.y_shape)
        self._scratch = np.zeros(self.y_shape)[self.sel]
        self._err = np.zeros(self.y_shape)[self.sel]
        self._err_old = 1e-4
        self._fsal_key: tuple[int, float] | None = None
        self._A = DOPRI5.matrix

    # -- helpers --------------------------------------------------------------------------
    def _f(self, t: float, y: np.ndarray, out: np.ndarray) -> None:
        self.nfev += 1
        self.rhs(t, y, out)

    def _axpy(self, target: np.ndarray, alpha: float, x: np.ndarray) -> None:
        np.multiply(x, alpha, out=self._scratch)
        np.add(target, self._scratch, out=target)

    def _norm(self, v: np.ndarray, scale: np.ndarray) -> float:
        return float(np.sqrt(np.mean(np.square(v / scale)))) if v.size else 0.0

    def _initial_step(self, y: np.ndarray, t: float, direction: float) -> float:
        """Hairer's starting step (HNW I, §II.4, 'Starting Step Size', algorithm (a)-(f))."""
        sel = self.sel
        Y, F0 = y[sel], self._k[0][sel]
        sk = self.atol + self.rtol * np.abs(Y)
        d0, d1 = self._norm(Y, sk), self._norm(F0, sk)
        h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
        h0 = min(h0, self.dt_max)
        T = self._ytmp[sel]
        T[...] = Y
        self._axpy(T, direction * h0, F0)
        k1 = self._k[1]
        self._f(t + direction * h0, self._ytmp, k1)
        d2 = self._norm(k1[sel] - F0, sk) / h0
        der = max(d1, d2)
        h1 = max(1e-6, h0 * 1e-3) if der <= 1e-15 else (0.01 / der) ** (1 / 5)
        return min(100 * h0, h1, self.dt_max)

    # -- stepping -------------------------------------------------------------------------
    def advance(self, y: np.ndarray, t: float, t_target: float) -> float:
        if t_target <= t:
            return t
        if y.shape != self.y_shape:
            raise ValueError(f"state has shape {y.shape}, the stepper was built for {self.y_shape}")
        sel, A, c, e = self.sel, self._A, DOPRI5.c, DOPRI5.b_err
        k = self._k
        if self._fsal_key != (id(y), t):
            self._ytmp[...] = y
            self._f(t, y, k[0])
        if self.dt is None:
            self.dt = self._initial_step(y, t, 1.0)
        Y, T, ERR = y[sel], self._ytmp[sel], self._err
        K = [ki[sel] for ki in k]
        h = min(self.dt, self.dt_max)
        reject = False
        steps = 0
        while t < t_target:
            last = t_target - t <= h * (1 + 1e-10)
            h_try = t_target - t if last else h
            if h_try < 1e-12 * max(1.0, abs(t)):
                raise StepSizeTooSmall(
                    t, h_try, "the problem may be too stiff for an explicit method, or blowing up; "
                    "try method etdrk4 for a stiff linear part, or check the model"
                )
            for i in range(1, 7):
                T[...] = Y
                for j in range(i):
                    if A[i, j] != 0:
                        self._axpy(T, h_try * A[i, j], K[j])
                self._f(t + c[i] * h_try, self._ytmp, k[i])
            # T now holds y_new (FSAL: row 7 of A equals b); error estimate h sum e_i k_i
            ERR.fill(0.0)
            for i in range(7):
                if e[i] != 0:
                    self._axpy(ERR, h_try * e[i], K[i])
            scale = self.atol + self.rtol * np.maximum(np.abs(Y), np.abs(T))
            err = self._norm(ERR, scale)
            if not math.isfinite(err):
                err = math.inf
            expo = 0.2 - 0.75 * self.beta
            if err <= 1.0:
                fac = (max(err, 1e-16) ** expo) / (self._err_old ** self.beta) / self.safety
                fac = min(1 / self.fac_min, max(1 / self.fac_max, fac))
                h_new = h_try / fac
                if reject:
                    h_new = min(h_new, h_try)
                self._err_old = max(err, 1e-4)
                y[...] = self._ytmp
                k[0], k[6] = k[6], k[0]
                K[0], K[6] = K[6], K[0]
                t = t_target if last else t + h_try
                self.nsteps += 1
                steps += 1
                reject = False
                # a shortened last step does not shrink the step proposed for later
                h = max(h, h_new) if last else h_new
                h = min(h, self.dt_max)
            else:
                self.nrejected += 1
                fac = 1 / self.fac_min if err == math.inf else min(1 / self.fac_min, err**expo / self.safety)
                h = h_try / fac
                reject = True
            if steps > self.max_steps:
                raise StepSizeTooSmall(t, h, f"more than {self.max_steps} steps in one save interval")
        self.dt = h
        self._fsal_key = (id(y), t)
        return t
