"""Measured orders of accuracy of the fixed-step Runge–Kutta steppers, on exact solutions.

Problems: a non-autonomous linear system ``y' = A y + g(t)`` with a known solution (so the
nodes ``c`` matter), and ``y' = -y`` on padded arrays whose ghost cells the right-hand side
fills with NaN (steppers must update the interior only and never read ghosts).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from eqc.runtime.grid import Grid
from eqc.runtime.steppers import STEPPERS, TABLEAUS, StepperOptions, make_stepper

ORDERS = {"euler": 1, "ssprk3": 3, "rk4": 4, "dopri5": 5}
FIXED = StepperOptions(adaptive=False)

A = np.array([[-0.5, 2.0], [-2.0, -0.5]])  # damped rotation
LAM = -1.5


def linear_rhs(t: float, y: np.ndarray, out: np.ndarray) -> None:
    out[:2] = A @ y[:2]
    # third component: y' = LAM (y - sin t) + cos t, exact sin t + (y0) e^{LAM t}
    out[2] = LAM * (y[2] - np.sin(t)) + np.cos(t)


def linear_exact(t: float, y0: np.ndarray) -> np.ndarray:
    return np.concatenate([scipy.linalg.expm(A * t) @ y0[:2], [np.sin(t) + y0[2] * np.exp(LAM * t)]])


def measured_order(errors: list[float]) -> float:
    e = np.asarray(errors)
    return float(np.median(np.log2(e[:-1] / e[1:])))


@pytest.mark.parametrize("method", sorted(ORDERS))
def test_order_on_a_linear_nonautonomous_system(method: str) -> None:
    y0 = np.array([1.0, 0.5, 0.3])
    T = 2.0
    ns = [8, 16, 32, 64] if ORDERS[method] >= 4 else [32, 64, 128, 256]
    errors = []
    for n in ns:
        y = y0.copy()
        st = make_stepper(method, linear_rhs, y.shape, T / n, options=FIXED)
        assert st.advance(y, 0.0, T) == T
        assert st.nsteps == n
        errors.append(float(np.abs(y - linear_exact(T, y0)).max()))
    assert measured_order(errors) == pytest.approx(ORDERS[method], abs=0.25)


@pytest.mark.parametrize("method", sorted(ORDERS))
def test_order_on_padded_arrays_with_garbage_ghosts(method: str) -> None:
    grid = Grid(("x", "y"), (0.0, 0.0), (1.0, 1.0), (6, 5), (True, False), halo=2)
    inner = (slice(None), *grid.interior)
    rate = np.array([1.0, 0.5]).reshape(2, 1, 1)

    def rhs(t: float, y: np.ndarray, out: np.ndarray) -> None:
        ghost = np.ones(y.shape, bool)
        ghost[inner] = False
        y[ghost] = np.nan
        out[...] = np.nan
        out[inner] = -rate * y[inner]

    X, Y = grid.mesh()
    u0 = np.stack([1 + X * Y, np.cos(X) + Y])
    T = 1.0
    errors = []
    for n in (8, 16, 32) if ORDERS[method] >= 3 else (64, 128, 256):
        y = np.full((2, *grid.padded_shape), np.nan)
        y[inner] = u0
        st = make_stepper(method, rhs, y.shape, T / n, grid=grid, options=FIXED)
        st.advance(y, 0.0, 0.5)
        st.advance(y, 0.5, T)  # two calls: the stage buffers are reused
        assert np.isfinite(y[inner]).all()
        errors.append(float(np.abs(y[inner] - u0 * np.exp(-rate * T)).max()))
    assert measured_order(errors) == pytest.approx(ORDERS[method], abs=0.3)


def test_fixed_step_hits_the_target_with_steps_no_longer_than_dt() -> None:
    y = np.array([1.0])
    seen: list[float] = []

    def rhs(t: float, y: np.ndarray, out: np.ndarray) -> None:
        seen.append(t)
        out[0] = 0.0

    st = make_stepper("euler", rhs, y.shape, 0.3)
    assert st.advance(y, 0.0, 1.0) == 1.0
    assert st.nsteps == 4  # ceil(1/0.3) equal steps of 0.25
    np.testing.assert_allclose(seen, [0.0, 0.25, 0.5, 0.75])


def test_constraint_fields_are_not_stepped_but_refreshed() -> None:
    # field 0 evolves (u' = -u); field 1 is a constraint c = 2u solved by the rhs
    def rhs(t: float, y: np.ndarray, out: np.ndarray) -> None:
        y[1] = 2 * y[0]
        out[0] = -y[0]
        out[1] = np.nan  # not an evolved field: must not be used

    y = np.array([1.0, 0.0])
    st = make_stepper("rk4", rhs, y.shape, 0.01, n_evolved=1)
    st.advance(y, 0.0, 1.0)
    assert y[0] == pytest.approx(np.exp(-1.0), rel=1e-9)
    assert y[1] == pytest.approx(2 * y[0], rel=1e-14)


def test_fused_advance_is_used_for_whole_steps_and_python_for_the_rest() -> None:
    calls: list[tuple[float, int]] = []
    dt = 0.1

    def rhs(t: float, y: np.ndarray, out: np.ndarray) -> None:
        out[0] = -y[0]

    def fused(y: np.ndarray, t: float, nsteps: int) -> float:
        calls.append((t, nsteps))
        st = make_stepper("rk4", rhs, y.shape, dt)
        return st.advance(y, t, t + nsteps * dt)

    y = np.array([1.0])
    st = make_stepper("rk4", rhs, y.shape, dt, fused=fused)
    assert st.advance(y, 0.0, 0.75) == 0.75
    assert calls == [(0.0, 7)]
    assert st.nsteps == 8
    assert y[0] == pytest.approx(np.exp(-0.75), rel=1e-6)


def test_make_stepper_rejects_what_it_cannot_do() -> None:
    def rhs(t, y, out):
        out[...] = 0

    with pytest.raises(ValueError, match="unknown time stepper"):
        make_stepper("rk45", rhs, (1,), 0.1)
    with pytest.raises(ValueError, match="needs a time step"):
        make_stepper("rk4", rhs, (1,), None)
    with pytest.raises(ValueError, match="no error estimate"):
        make_stepper("rk4", rhs, (1,), 0.1, options=StepperOptions(adaptive=True))
    with pytest.raises(ValueError, match="etdrk4 needs"):
        make_stepper("etdrk4", rhs, (1,), 0.1)
    assert set(ORDERS) == set(TABLEAUS)


@pytest.mark.parametrize("method", sorted(STEPPERS))
def test_every_stepper_in_the_table_keeps_the_interface(method: str) -> None:
    # u_t = -u on a periodic 1-D box with a halo (etdrk4: as the linear symbol -1)
    grid = Grid(("x",), (0.0,), (1.0,), (8,), (True,), halo=1)
    inner = (slice(None), *grid.interior)

    def rhs(t, y, out):
        y[:, 0], y[:, -1] = y[:, -2], y[:, 1]
        out[inner] = 0.0 if method == "etdrk4" else -y[inner]

    y = np.zeros((1, 10))
    y[inner] = 1.0
    linear = -np.ones(5) if method == "etdrk4" else None
    st = make_stepper(method, rhs, y.shape, 0.01, grid=grid, linear=linear,
                      options=StepperOptions(rtol=1e-9, atol=1e-12))
    assert st.method == method and isinstance(st.adaptive, bool)
    assert st.advance(y, 0.0, 0.37) == 0.37
    assert st.advance(y, 0.37, 0.5) == 0.5 and st.nsteps > 0 and st.dt > 0
    tol = {"euler": 1e-2, "ssprk3": 1e-6}.get(method, 1e-8)
    np.testing.assert_allclose(y[inner], np.exp(-0.5), rtol=tol)
