"""The stability check's limits agree with what explicit steppers actually do."""

from __future__ import annotations

import numpy as np
import pytest
from eqc.runtime.stability import check_stability
from eqc.runtime.steppers import make_stepper


def heat_growth(method: str, dt: float, n: int = 32, D: float = 1.0, steps: int = 400) -> float:
    """max |u| after ``steps`` steps of u_t = D u_xx (2nd-order FD, periodic), from noise."""
    h = 1.0 / n

    def rhs(t, y, out):
        u = y[0]
        out[0] = D * (np.roll(u, 1) - 2 * u + np.roll(u, -1)) / h**2

    rng = np.random.default_rng(0)
    y = rng.standard_normal((1, n))
    st = make_stepper(method, rhs, y.shape, dt)
    with np.errstate(over="ignore", invalid="ignore"):
        st.advance(y, 0.0, steps * dt)
    return float(np.abs(y).max())


@pytest.mark.parametrize("method", ["euler", "ssprk3", "rk4"])
def test_diffusion_limit_separates_stable_from_unstable(method: str) -> None:
    h = 1.0 / 32
    limit = check_stability(method, 1.0, [h], diffusivity=1.0).diffusion_limit / (1 / h**2)
    assert check_stability(method, 0.95 * limit, [h], diffusivity=1.0).message is None
    msg = check_stability(method, 1.05 * limit, [h], diffusivity=1.0).message
    assert msg is not None and "diffusion number" in msg
    assert heat_growth(method, 0.95 * limit) < 10
    assert not heat_growth(method, 1.05 * limit) < 1e3


def test_cfl_warning_and_euler_advection() -> None:
    ok = check_stability("rk4", 0.01, [0.1, 0.1], wave_speed=(1.0, 2.0))
    assert ok.cfl == pytest.approx(0.3) and ok.message is None
    bad = check_stability("rk4", 0.1, [0.1, 0.1], wave_speed=(1.0, 2.0))
    assert "CFL" in bad.message
    assert "unstable for centred advection" in check_stability("euler", 1e-4, [0.1], wave_speed=1.0).message
    assert check_stability("dopri5", 10.0, [0.1], diffusivity=1.0).message is None
