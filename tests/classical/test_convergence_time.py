"""Time-stepping orders through compiled kernels (fused loops and the Python steppers),
Lorenz against scipy, ETDRK4 on Kuramoto–Sivashinsky."""

from __future__ import annotations

import math

import numpy as np
import pytest
from eqc.runtime.steppers import StepperOptions, make_stepper

import eqc

from .helpers import order_of, sim_of

ODE = """
model growth
param a = 1.5
field u
dt(u) = a*u*cos(t)
init u = 1
solve t in [0, 2] step 0.1
"""


def _exact(t):
    return math.exp(1.5 * math.sin(t))


@pytest.mark.parametrize("method,order", [("euler", 1), ("ssprk3", 3), ("rk4", 4)])
def test_fused_time_order(method, order):
    sim = sim_of(ODE)
    dts = [0.1, 0.05]
    errs = []
    for dt in dts:
        ds = sim.run(dt=dt, method=method, progress=False)
        errs.append(abs(float(ds.u.values[-1]) - _exact(2.0)))
    observed = order_of(errs, [1 / d for d in dts])[0]
    assert abs(observed - order) < 0.3, (errs, observed)


def test_dopri5_fixed_step_order():
    sim = sim_of(ODE)
    rhs = sim.compiled.rhs(sim.grid, sim.params())
    errs, dts = [], [0.4, 0.2]
    for dt in dts:
        y = sim.initial_state()
        st = make_stepper("dopri5", rhs, y.shape, dt, options=StepperOptions(adaptive=False))
        st.advance(y, 0.0, 2.0)
        errs.append(abs(float(y[0]) - _exact(2.0)))
    observed = order_of(errs, [1 / d for d in dts])[0]
    assert observed > 4.6, (errs, observed)


def test_pde_time_order_fused_vs_python():
    """The fused loop and the Python stepper over the same rhs agree to rounding."""
    sim = sim_of(
        """
model h
domain x in [0, 1]
param D = 0.1
field u
dt(u) = D*lap(u) + sin(t)*x
bc u = t at x = 0
bc d(u, x) = 0 at x = 1
init u = sin(pi*x)
""",
        n=32,
    )
    from eqc.runtime.steppers import TABLEAUS

    vals = sim.params()
    for method in ("euler", "ssprk3", "rk4"):
        y1 = sim.initial_state()
        y2 = y1.copy()
        adv = sim.compiled.advance(sim.grid, vals, TABLEAUS[method], 1e-3)
        adv(y1, 0.0, 50)
        st = make_stepper(method, sim.compiled.rhs(sim.grid, vals), y2.shape, 1e-3, grid=sim.grid)
        st.advance(y2, 0.0, 0.05)
        inner = (0, *sim.grid.interior)
        assert np.allclose(y1[inner], y2[inner], rtol=1e-12, atol=1e-12), method


def test_lorenz_vs_solve_ivp():
    from scipy.integrate import solve_ivp

    m = eqc.load("stdlib:lorenz")
    sim = eqc.compile(m)
    ds = sim.run(t_end=2.0, dt=1e-3, method="dopri5", rtol=1e-11, atol=1e-12, progress=False, save_every=1.0)
    s, r, b = 10.0, 28.0, 8.0 / 3.0

    def f(t, v):
        x, y, z = v
        return [s * (y - x), x * (r - z) - y, x * y - b * z]

    ref = solve_ivp(f, (0, 2), [1, 1, 1], method="DOP853", rtol=1e-12, atol=1e-12).y[:, -1]
    got = [float(ds[v].values[-1]) for v in ("x", "y", "z")]
    assert np.allclose(got, ref, rtol=1e-6, atol=1e-6), (got, ref)


def test_etdrk4_kuramoto_sivashinsky_order():
    m = eqc.load("stdlib:kuramoto_sivashinsky")
    sim = eqc.compile(m, n=64)
    T = 4.0
    ref = sim.run(t_end=T, dt=1 / 64, method="etdrk4", progress=False).u.values[-1]
    errs, dts = [], [0.5, 0.25]
    for dt in dts:
        u = sim.run(t_end=T, dt=dt, method="etdrk4", progress=False).u.values[-1]
        errs.append(float(np.abs(u - ref).max()))
    observed = order_of(errs, [1 / d for d in dts])[0]
    assert observed > 3.5, (errs, observed)


def test_auto_picks_etdrk4_for_stiff_periodic():
    m = eqc.load("stdlib:kuramoto_sivashinsky")
    sim = eqc.compile(m, n=64)
    assert sim.choose_method("auto", 0.25, sim.params()) == "etdrk4"
    gs = eqc.compile(eqc.load("stdlib:gray_scott"), n=32)
    assert gs.choose_method("auto", 1.0, gs.params()) == "rk4"
    assert gs.choose_method("auto", None, gs.params()) == "dopri5"
