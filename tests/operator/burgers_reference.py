"""A plain NumPy pseudo-spectral Burgers solver, the independent reference for the tests.

``u_t + (u^2/2)_x = nu u_xx`` on a periodic interval, Fourier collocation with 2/3-rule
dealiasing, ETDRK4 in time (Kassam & Trefethen 2005, "Fourth-order time-stepping for stiff
PDEs", SIAM J. Sci. Comput. 26(4), eqs. 2.5 and the contour-integral coefficients of §3).
Batched over samples: ``u0`` has shape ``(B, n)``.
"""

from __future__ import annotations

import numpy as np


def burgers_etdrk4(u0, nu, length, times, dt=1e-3):
    """Solve from ``times[0]`` and return ``u`` at each of ``times``: shape ``(B, len(times), n)``."""
    u0 = np.atleast_2d(np.asarray(u0, dtype=float))
    n = u0.shape[-1]
    k = 2 * np.pi * np.fft.rfftfreq(n, d=length / n)
    L = -nu * k**2
    dealias = np.abs(np.fft.rfftfreq(n, d=1.0 / n)) < n / 3
    g = -0.5j * k * dealias

    def N(v):
        return g * np.fft.rfft(np.fft.irfft(v, n=n) ** 2)

    out = np.empty((u0.shape[0], len(times), n))
    out[:, 0] = u0
    v = np.fft.rfft(u0)
    t = times[0]
    for j, target in enumerate(times[1:], start=1):
        steps = max(1, int(np.ceil((target - t) / dt - 1e-9)))
        h = (target - t) / steps
        E, E2 = np.exp(h * L), np.exp(h * L / 2)
        r = np.exp(1j * np.pi * (np.arange(1, 33) - 0.5) / 32)
        LR = h * L[:, None] + r[None, :]
        Q = h * np.real(np.mean((np.exp(LR / 2) - 1) / LR, axis=1))
        f1 = h * np.real(np.mean((-4 - LR + np.exp(LR) * (4 - 3 * LR + LR**2)) / LR**3, axis=1))
        f2 = h * np.real(np.mean((2 + LR + np.exp(LR) * (-2 + LR)) / LR**3, axis=1))
        f3 = h * np.real(np.mean((-4 - 3 * LR - LR**2 + np.exp(LR) * (4 - LR)) / LR**3, axis=1))
        for _ in range(steps):
            Nv = N(v)
            a = E2 * v + Q * Nv
            Na = N(a)
            b = E2 * v + Q * Na
            Nb = N(b)
            c = E2 * a + Q * (2 * Nb - Nv)
            Nc = N(c)
            v = E * v + Nv * f1 + 2 * (Na + Nb) * f2 + Nc * f3
        t = target
        out[:, j] = np.fft.irfft(v, n=n)
    return out
