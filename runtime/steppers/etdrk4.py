"""ETDRK4: the fourth-order exponential time-differencing Runge–Kutta method of Cox &
Matthews (J. Comput. Phys. 176, 2002, eqs. (26)–(29)) for ``u_t = L u + N(u, t)`` with ``L``
diagonal in Fourier space on a periodic box, with the coefficients ``Q, f1, f2, f3``
evaluated by the contour-integral mean of Kassam & Trefethen (SIAM J. Sci. Comput. 26,
2005, §3 and their kursiv.m), which avoids the cancellation of the explicit formulas near
``hL = 0``.

The nonlinear part ``N`` has the right-hand-side contract of docs/internals.md §5:
``nonlinear(t, y, out)`` on padded physical-space state arrays (fills ghosts and constraint
fields of ``y``, writes ``N`` of the evolved fields into ``out[k][interior]``), so a backend
can compile it like any other right-hand side. With ``halo = 0`` these are plain arrays.
"""

from __future__ import annotations

import numpy as np

from ..grid import Grid
from ..spectral import dealias_mask
from ..spectral import scipy_fft as _fft
from .base import RHS, evolved_index, steps_for

__all__ = ["ETDRK4", "etdrk4_coefficients"]


def etdrk4_coefficients(hL: np.ndarray, h: float, m: int = 32):
    """``(E, E2, Q, f1, f2, f3)`` of Cox–Matthews for the diagonal ``h L`` (Kassam &
    Trefethen 2005, eq. (2.5) and kursiv.m), each mean taken over ``m`` points of a unit
    circle around every ``hL`` (a full circle, so complex ``L`` is fine too)."""
    hL = np.asarray(hL)
    real = not np.iscomplexobj(hL)
    E = np.exp(hL)
    E2 = np.exp(hL / 2)
    Q = np.zeros(hL.shape, complex)
    f1 = np.zeros(hL.shape, complex)
    f2 = np.zeros(hL.shape, complex)
    f3 = np.zeros(hL.shape, complex)
    for j in range(m):
        z = hL + np.exp(2j * np.pi * (j + 0.5) / m)
        ez = np.exp(z)
        z3 = z**3
        Q += (np.exp(z / 2) - 1) / z
        f1 += (-4 - z + ez * (4 - 3 * z + z * z)) / z3
        f2 += (2 + z + ez * (z - 2)) / z3
        f3 += (-4 - 3 * z - z * z + ez * (4 - z)) / z3
    out = [h * x / m for x in (Q, f1, f2, f3)]
    if real:
        out = [x.real for x in out]
    return (E, E2, *out)


class ETDRK4:
    """Exponential RK4 on a periodic box.

    ``linear``: the Fourier symbol of L, broadcastable to ``(n_evolved, *rfft_shape)``
    (build it with :func:`eqc.runtime.spectral.symbol`); ``nonlinear``: the rest, as a
    right-hand side. ``dealias`` multiplies every transformed N by the 2/3-rule mask.
    """

    method = "etdrk4"
    adaptive = False

    def __init__(
        self,
        linear: np.ndarray,
        nonlinear: RHS,
        grid: Grid,
        y_shape: tuple[int, ...],
        dt: float,
        *,
        n_evolved: int | None = None,
        dealias: bool = False,
        contour_points: int = 32,
    ):
        if not dt > 0:
            raise ValueError(f"time step must be positive, got {dt}")
        if grid.dim == 0 or not all(grid.periodic):
            raise ValueError("etdrk4 needs a grid whose axes are all periodic")
        self.grid = grid
        self.nonlinear = nonlinear
        self.dt = float(dt)
        self.nsteps = 0
        self.y_shape = tuple(y_shape)
        self.sel = evolved_index(self.y_shape, grid.interior, n_evolved)
        nev = self.sel[0].stop
        self._has_constraints = nev < self.y_shape[0]
        self._axes = tuple(range(1, grid.dim + 1))
        self._fft = _fft()  # resolved once, not in the per-stage calls
        rshape = (nev, *grid.shape[:-1], grid.shape[-1] // 2 + 1)
        L = np.asarray(linear)
        if np.iscomplexobj(L) and not np.any(L.imag):
            L = L.real  # real symbols (even derivatives) give real coefficients
        try:
            self.linear = np.broadcast_to(L, rshape)
        except ValueError:
            raise ValueError(f"linear symbol of shape {L.shape} does not fit {rshape}") from None
        self._mask = dealias_mask(grid) if dealias else None
        self._m = contour_points
        self._coef: dict[float, tuple] = {}
        self._work = np.zeros(self.y_shape)
        self._nout = np.zeros(self.y_shape)

    def _coefficients(self, h: float):
        c = self._coef.get(h)
        if c is None:
            if len(self._coef) > 4:
                self._coef.clear()
            c = self._coef[h] = etdrk4_coefficients(h * self.linear, h, self._m)
        return c

    def _N(self, t: float, vh: np.ndarray) -> np.ndarray:
        sel = self.sel
        self._work[sel] = self._fft.irfftn(vh, s=self.grid.shape, axes=self._axes)
        self.nonlinear(t, self._work, self._nout)
        nh = self._fft.rfftn(self._nout[sel], axes=self._axes)
        if self._mask is not None:
            nh *= self._mask
        return nh

    def advance(self, y: np.ndarray, t: float, t_target: float) -> float:
        n = steps_for(t_target - t, self.dt)
        if n == 0:
            return t
        if y.shape != self.y_shape:
            raise ValueError(f"state has shape {y.shape}, the stepper was built for {self.y_shape}")
        h = (t_target - t) / n
        if abs(h - self.dt) <= 1e-9 * self.dt:
            h = self.dt  # chunks of whole steps: reuse the coefficients despite round-off
        # equal short steps before save points differ only by round-off: one cache entry
        h = float(f"{h:.12g}")
        E, E2, Q, f1, f2, f3 = self._coefficients(h)
        self._work[...] = y
        v = self._fft.rfftn(y[self.sel], axes=self._axes)
        t0 = t
        for m in range(n):
            tm = t0 + m * h
            Nv = self._N(tm, v)
            a = E2 * v + Q * Nv
            Na = self._N(tm + h / 2, a)
            b = E2 * v + Q * Na
            Nb = self._N(tm + h / 2, b)
            c = E2 * a + Q * (2 * Nb - Nv)
            Nc = self._N(tm + h, c)
            v = E * v + Nv * f1 + 2 * (Na + Nb) * f2 + Nc * f3
            self.nsteps += 1
        self._work[self.sel] = self._fft.irfftn(v, s=self.grid.shape, axes=self._axes)
        if self._has_constraints:
            self.nonlinear(t_target, self._work, self._nout)
        y[...] = self._work
        return t_target
