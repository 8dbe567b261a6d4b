"""Dormand–Prince 5(4) (Dormand & Prince, J. Comput. Appl. Math. 6, 1980; HNW I, §II.5,
Table 5.2) with adaptive step-size control.

The controller follows Hairer's DOPRI5 code (HNW I, §II.4 and §IV.2 of vol. II): the error
``err = ||h sum e_i k_i / (atol + rtol max(|y|, |y_new|))||_rms`` over the evolved interior
only (ghost cells are garbage), a PI controller (Gustafsson 1991; HNW II, eq. (IV.2.43))
``h_new = h * safe * err^(-(0.2 - 0.75 beta)) * err_old^beta`` with beta = 0.04, the
first-same-as-last stage reused, Hairer's starting-step heuristic (HNW I, §II.4, p. 169),
and either the last step of each ``advance`` shortened to land on ``t_target`` exactly, or
(``dense``) Hairer's continuous extension of order 4 evaluated there.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import StepSizeTooSmall
from .base import RHS, evolved_index
from .tableau import ButcherTableau

__all__ = ["DOPRI5", "Dopri5"]

# dense-output weights of Hairer's dopri5 (CONTD5's d1..d7; stage index: weight)
_DENSE = {
    0: -12715105075 / 11282082432,
    2: 87487479700 / 32700410799,
    3: -10690763975 / 1880347072,
    4: 701980252875 / 199316789632,
    5: -1453857185 / 822651844,
    6: 69997945 / 29380423,
}

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

    ``dense``: step an internal copy of the state with unshortened steps and fill ``y`` at
    each target from Hairer's 4th-order continuous extension (saving often then costs no
    extra steps); never past ``t_bound`` when set (the driver sets it to the end time). A
    caller that changes ``y`` between calls restarts the integration from it. Without
    ``dense`` (and always with constraint fields), the last step before each target is
    shortened to land on it.
    """

    method = "dopri5"
    adaptive = True

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
        dense: bool = False,
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
        # dense output: step an internal state past each target and interpolate back
        n_ev = self.sel[0].stop
        self.dense = bool(dense) and n_ev == self.y_shape[0]  # constraint fields: clip instead
        self.t_bound: float | None = None
        self._state = np.zeros(self.y_shape) if self.dense else None
        self._rcont = [np.zeros(self.y_shape)[self.sel] for _ in range(5)] if self.dense else []
        self._t_int = 0.0
        self._t_old: float | None = None
        self._t_out: float | None = None
        self._y_out: np.ndarray | None = None

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
    def _attempt(self, t: float, h: float) -> float:
        """Stages 2..7 from ``(t, state)`` with step ``h``; the new state is left in
        ``_ytmp``. Returns the scaled error norm (inf when not finite)."""
        A, c, e = self._A, DOPRI5.c, DOPRI5.b_err
        Y, T, K = self._Y, self._T, self._K
        for i in range(1, 7):
            T[...] = Y
            for j in range(i):
                if A[i, j] != 0:
                    self._axpy(T, h * A[i, j], K[j])
            self._f(t + c[i] * h, self._ytmp, self._k[i])
        # T holds y_new (FSAL: row 7 of A equals b); the error estimate is h sum e_i k_i
        ERR = self._err
        ERR.fill(0.0)
        for i in range(7):
            if e[i] != 0:
                self._axpy(ERR, h * e[i], K[i])
        scale = self.atol + self.rtol * np.maximum(np.abs(Y), np.abs(T))
        err = self._norm(ERR, scale)
        return err if math.isfinite(err) else math.inf

    def _controller(self, err: float, h: float, rejected_before: bool) -> float:
        """Next step size after an attempt of size ``h`` with error ``err`` (HNW II, IV.2)."""
        expo = 0.2 - 0.75 * self.beta
        if err <= 1.0:
            fac = (max(err, 1e-16) ** expo) / (self._err_old ** self.beta) / self.safety
            fac = min(1 / self.fac_min, max(1 / self.fac_max, fac))
            h_new = h / fac
            if rejected_before:
                h_new = min(h_new, h)
            self._err_old = max(err, 1e-4)
            return min(h_new, self.dt_max)
        fac = 1 / self.fac_min if err == math.inf else min(1 / self.fac_min, err**expo / self.safety)
        return h / fac

    def _dense_coefficients(self, h: float) -> None:
        """Hairer's continuous extension of order 4 (HNW I, §II.6, and the dopri5 code's
        CONTD5): y(t + theta h) = r1 + theta (r2 + (1-theta)(r3 + theta (r4 + (1-theta) r5)))."""
        Y, T, K, r = self._Y, self._T, self._K, self._rcont
        r[0][...] = Y
        np.subtract(T, Y, out=r[1])
        np.multiply(K[0], h, out=r[2])
        r[2] -= r[1]
        np.multiply(K[6], -h, out=r[3])
        r[3] += r[1]
        r[3] -= r[2]
        r[4].fill(0.0)
        for i, d in _DENSE.items():
            self._axpy(r[4], h * d, K[i])

    def _interpolate(self, theta: float, out: np.ndarray) -> None:
        r = self._rcont
        t1 = 1.0 - theta
        out[...] = r[0] + theta * (r[1] + t1 * (r[2] + theta * (r[3] + t1 * r[4])))

    def advance(self, y: np.ndarray, t: float, t_target: float) -> float:
        if t_target <= t:
            return t
        if y.shape != self.y_shape:
            raise ValueError(f"state has shape {y.shape}, the stepper was built for {self.y_shape}")
        if not self.dense:
            return self._advance_clipped(y, t, t_target)
        sel = self.sel
        if not (self._t_out == t and self._y_out is not None and np.array_equal(y[sel], self._y_out)):
            # a fresh start (or the caller changed y): the integration state is y itself
            self._state[...] = y
            self._t_int = t
            self._t_old = None
            self._bind(self._state)
            self._ytmp[...] = y
            self._f(t, self._state, self._k[0])
            if self.dt is None:
                self.dt = self._initial_step(self._state, t, 1.0)
        bound = max(self.t_bound, t_target) if self.t_bound is not None else math.inf
        self._run(t_target, bound, clip=False)
        y[...] = self._state
        if self._t_int != t_target:
            self._interpolate((t_target - self._t_old) / (self._t_int - self._t_old), y[sel])
        self._y_out = np.array(y[sel])
        self._t_out = t_target
        return t_target

    def _bind(self, state: np.ndarray) -> None:
        sel = self.sel
        self._Y, self._T = state[sel], self._ytmp[sel]
        self._K = [ki[sel] for ki in self._k]

    def _run(self, t_target: float, bound: float, clip: bool) -> None:
        """Step ``_state`` from ``_t_int`` until it reaches ``t_target`` (exactly when
        ``clip``, else possibly beyond, but never past ``bound``)."""
        t = self._t_int
        h = min(self.dt, self.dt_max)
        reject = False
        steps = 0
        stop = t_target if clip else bound
        while t < t_target:
            last = stop - t <= h * (1 + 1e-10)
            h_try = stop - t if last else h
            if h_try < 1e-12 * max(1.0, abs(t)):
                raise StepSizeTooSmall(
                    t, h_try, "the problem may be too stiff for an explicit method, or blowing up; "
                    "try method etdrk4 for a stiff linear part, or check the model"
                )
            err = self._attempt(t, h_try)
            h_new = self._controller(err, h_try, reject)
            if err <= 1.0:
                t_new = stop if last else t + h_try
                if not clip and t_new >= t_target:
                    self._dense_coefficients(h_try)
                    self._t_old = t
                self._state[...] = self._ytmp
                k = self._k
                k[0], k[6] = k[6], k[0]
                self._K[0], self._K[6] = self._K[6], self._K[0]
                t = t_new
                self.nsteps += 1
                steps += 1
                reject = False
                # a shortened last step does not shrink the step proposed for later
                h = max(h, h_new) if last else h_new
            else:
                self.nrejected += 1
                h = h_new
                reject = True
            if steps > self.max_steps:
                raise StepSizeTooSmall(t, h, f"more than {self.max_steps} steps in one save interval")
        self.dt = h
        self._t_int = t

    def _advance_clipped(self, y: np.ndarray, t: float, t_target: float) -> float:
        """Steps on ``y`` itself, the last one shortened to land on ``t_target``."""
        if self._fsal_key != (id(y), t):
            self._ytmp[...] = y
            self._f(t, y, self._k[0])
        if self.dt is None:
            self.dt = self._initial_step(y, t, 1.0)
        self._state = y
        self._bind(y)
        self._t_int = t
        self._run(t_target, t_target, clip=True)
        self._fsal_key = (id(y), t_target)
        return t_target
