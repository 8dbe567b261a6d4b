"""Explicit-step stability estimates: CFL and diffusion numbers against the method's
stability region.

The stability region of an explicit RK method is ``{z : |R(z)| <= 1}`` with ``R`` its
stability polynomial (HNW II, §IV.2). For a method of lines the eigenvalues of a centred
first derivative of order p lie on the imaginary axis up to ``alpha_p |c|/h``, those of a
centred second derivative on the negative real axis down to ``-beta_p D/h^2`` per axis
(von Neumann analysis, e.g. LeVeque, *Finite Difference Methods for ODEs and PDEs*, SIAM
2007, §10.7 and §E.3). So a step is stable (roughly) when

    dt * alpha_p * sum_a |c_a|/h_a <= imaginary extent of the region,
    dt * beta_p  * D * sum_a 1/h_a^2 <= real extent of the region.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from .steppers import TABLEAUS

__all__ = ["stability_extents", "check_stability", "StabilityReport"]

# (alpha_p, beta_p): max |symbol| * h of centred first / * h^2 of second derivatives
_STENCIL_FACTORS = {2: (1.0, 4.0), 4: (1.3722, 16 / 3), 6: (1.5861, 6.0444)}


def _extent(R, direction: complex, limit: float = 20.0) -> float:
    """Largest s with |R(s * direction)| <= 1 on all of [0, s] (scan, then bisection)."""
    step = 1e-3
    s = step
    while s < limit and abs(R(s * direction)) <= 1 + 1e-12:
        s += step
    lo, hi = s - step, s
    if s >= limit:
        return limit
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        if abs(R(mid * direction)) <= 1 + 1e-12:
            lo = mid
        else:
            hi = mid
    return lo


@cache
def stability_extents(method: str) -> tuple[float, float]:
    """(real, imaginary) extents of ``method``'s stability region along the negative real
    axis and the imaginary axis (e.g. rk4: 2.785, 2.828)."""
    tab = TABLEAUS[method]
    R = tab.stability
    real = _extent(R, -1.0)
    imag = _extent(R, 1j)
    return real, (0.0 if imag < 1e-2 else imag)


@dataclass(frozen=True, slots=True)
class StabilityReport:
    """CFL and diffusion numbers of a run and their limits; ``message`` warns, or is None."""

    cfl: float
    cfl_limit: float
    diffusion: float
    diffusion_limit: float
    message: str | None


def check_stability(
    method: str,
    dt: float,
    spacings: Sequence[float],
    *,
    wave_speed: float | Sequence[float] = 0.0,
    diffusivity: float = 0.0,
    order: int = 2,
) -> StabilityReport:
    """Estimate whether an explicit ``method`` with step ``dt`` is stable for advection at
    ``wave_speed`` (scalar or per axis) and diffusion ``diffusivity`` on ``spacings``,
    discretised by centred differences of ``order``. Adaptive and exponential methods
    (dopri5, etdrk4) control or avoid this themselves: no message."""
    h = np.asarray(spacings, dtype=float)
    c = np.broadcast_to(np.abs(np.asarray(wave_speed, dtype=float)), h.shape)
    alpha, beta = _STENCIL_FACTORS.get(order, _STENCIL_FACTORS[2])
    cfl = float(dt * np.sum(c / h)) if h.size else 0.0
    dif = float(dt * diffusivity * np.sum(1 / h**2)) if h.size else 0.0
    if method not in TABLEAUS or method == "dopri5":
        return StabilityReport(cfl, math.inf, dif, math.inf, None)
    real, imag = stability_extents(method)
    cfl_limit = imag / alpha
    dif_limit = real / beta
    msgs = []
    if cfl > 0 and cfl > cfl_limit:
        if cfl_limit == 0:
            msgs.append(f"{method} is unstable for centred advection at any dt; use ssprk3 or rk4")
        else:
            dt_max = dt * cfl_limit / cfl
            msgs.append(f"CFL number {cfl:.3g} exceeds {method}'s limit {cfl_limit:.3g}; use dt <= {dt_max:.3g}")
    if dif > dif_limit:
        dt_max = dt * dif_limit / dif
        msgs.append(
            f"diffusion number D*dt*sum(1/h^2) = {dif:.3g} exceeds {method}'s limit {dif_limit:.3g}; "
            f"use dt <= {dt_max:.3g} (or method etdrk4 on a periodic box)"
        )
    return StabilityReport(cfl, cfl_limit, dif, dif_limit, "; ".join(msgs) or None)
