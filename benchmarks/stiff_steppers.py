"""Stiff benchmark: Kuramoto–Sivashinsky u_t = -u u_x - u_xx - u_xxxx on [0, 32 pi)
(Kassam & Trefethen 2005, §6), solved with eqc's ETDRK4, adaptive dopri5 and fixed-step rk4
at its stability limit, beside SciPy's solve_ivp (RK45, BDF) on the same spectral
right-hand side. Error: max |u(T) - u_ref(T)| with u_ref from ETDRK4 at dt = 1/400.

    nice python benchmarks/stiff_steppers.py [--n 256] [--T 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from eqc.runtime.grid import Grid
from eqc.runtime.spectral import symbol, wavenumbers
from eqc.runtime.stability import stability_extents
from eqc.runtime.steppers import StepperOptions, make_stepper
from scipy.integrate import solve_ivp


def problem(n: int):
    grid = Grid(("x",), (0.0,), (32 * np.pi,), (n,), (True,))
    (k,) = wavenumbers(grid)
    L = symbol(grid, {(2,): -1.0, (4,): -1.0})  # -u_xx - u_xxxx  ->  k^2 - k^4
    x = grid.coords("x")
    u0 = np.cos(x / 16) * (1 + np.sin(x / 16))

    def nonlinear(t, y, out):
        u = y[0]
        out[0] = -0.5 * np.fft.irfft(1j * k * np.fft.rfft(u * u), n=n)

    def full(t, y, out):
        nonlinear(t, y, out)
        out[0] += np.fft.irfft(L * np.fft.rfft(y[0]), n=n)

    def scipy_rhs(t, u):
        out = np.empty((1, n))
        full(t, u[None], out)
        return out[0]

    return grid, L, u0, nonlinear, full, scipy_rhs


def run_eqc(method, grid, L, u0, nonlinear, full, T, dt, rtol=1e-6):
    y = u0[None].copy()
    if method == "etdrk4":
        st = make_stepper("etdrk4", nonlinear, y.shape, dt, grid=grid, linear=L)
    else:
        st = make_stepper(method, full, y.shape, dt, grid=grid, options=StepperOptions(rtol=rtol, atol=rtol * 1e-2))
    with np.errstate(over="ignore", invalid="ignore"):
        st.advance(y, 0.0, T)
    nfev = getattr(st, "nfev", 4 * st.nsteps)  # etdrk4 and rk4: 4 evaluations per step
    return y[0], nfev


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--T", type=float, default=20.0)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    grid, L, u0, nonlinear, full, scipy_rhs = problem(a.n)
    ref, _ = run_eqc("etdrk4", grid, L, u0, nonlinear, full, a.T, 1 / 400)
    rk4_dt = 0.95 * stability_extents("rk4")[0] / float(np.abs(L).max())
    cases = {
        "eqc etdrk4 dt=0.25": lambda: run_eqc("etdrk4", grid, L, u0, nonlinear, full, a.T, 0.25),
        "eqc etdrk4 dt=0.05": lambda: run_eqc("etdrk4", grid, L, u0, nonlinear, full, a.T, 0.05),
        f"eqc rk4 dt={rk4_dt:.2g} (stab. limit)": lambda: run_eqc("rk4", grid, L, u0, nonlinear, full, a.T, rk4_dt),
        "eqc dopri5 rtol=1e-6": lambda: run_eqc("dopri5", grid, L, u0, nonlinear, full, a.T, None),
        "scipy RK45 rtol=1e-6": lambda: _scipy("RK45", scipy_rhs, u0, a.T),
        "scipy BDF rtol=1e-6": lambda: _scipy("BDF", scipy_rhs, u0, a.T),
    }
    rows = []
    for name, fn in cases.items():
        times = []
        for _ in range(a.repeat):
            tic = time.perf_counter()
            u, steps = fn()
            times.append(time.perf_counter() - tic)
        rows.append((name, steps, float(np.median(times)), float(np.abs(u - ref).max())))
    base = rows[0][2]
    print(f"Kuramoto–Sivashinsky, N={a.n}, T={a.T}, median of {a.repeat} runs, max|L|={np.abs(L).max():.3g}")
    print(f"{'method':34s} {'rhs evals':>9s} {'median s':>10s} {'ratio':>8s} {'max error':>10s}")
    for name, steps, med, err in rows:
        print(f"{name:34s} {steps:9d} {med:10.3f} {med / base:8.1f} {err:10.2e}")
    print("command: nice python " + " ".join(sys.argv))


def _scipy(method, rhs, u0, T):
    sol = solve_ivp(rhs, (0.0, T), u0, method=method, rtol=1e-6, atol=1e-8, t_eval=[T])
    return sol.y[:, -1], int(sol.nfev)


if __name__ == "__main__":
    main()
