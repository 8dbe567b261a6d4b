"""Adaptive Dormand–Prince 5(4): tolerance met against exact solutions of nonlinear ODEs,
save times hit exactly, FSAL reuse, step-size underflow on a blow-up."""

from __future__ import annotations

import numpy as np
import pytest
from eqc.runtime.errors import StepSizeTooSmall
from eqc.runtime.grid import Grid
from eqc.runtime.steppers import Dopri5, StepperOptions, make_stepper


def riccati(t: float, y: np.ndarray, out: np.ndarray) -> None:
    """y0' = -2 t y0^2 (y0 = 1/(1+t^2)); y1' = y1 (1 - y1) (logistic); y2' = y3, y3' = -y2."""
    out[0] = -2 * t * y[0] ** 2
    out[1] = y[1] * (1 - y[1])
    out[2] = y[3]
    out[3] = -y[2]


def exact(t: float) -> np.ndarray:
    y10 = 0.1
    return np.array([1 / (1 + t * t), y10 * np.exp(t) / (1 - y10 + y10 * np.exp(t)), np.sin(t), np.cos(t)])


@pytest.mark.parametrize("tol", [1e-4, 1e-6, 1e-8, 1e-10])
def test_adaptive_dopri5_meets_the_tolerance(tol: float) -> None:
    y = exact(0.0)
    st = make_stepper("dopri5", riccati, y.shape, None, options=StepperOptions(rtol=tol, atol=tol))
    assert isinstance(st, Dopri5)
    t = 0.0
    for target in np.linspace(0, 10, 11)[1:]:
        t = st.advance(y, t, float(target))
        assert t == target  # save times hit exactly
        err = np.abs(y - exact(t)).max()
        # global error stays within a modest multiple of the local tolerance
        assert err < 50 * tol * (1 + np.abs(y).max())
    assert st.nfev <= 6 * (st.nsteps + st.nrejected) + 3  # FSAL: 6 evaluations per step


def test_tighter_tolerance_takes_more_steps_and_errs_less() -> None:
    errs, steps = [], []
    for tol in (1e-5, 1e-9):
        y = exact(0.0)
        st = make_stepper("dopri5", riccati, y.shape, None, options=StepperOptions(rtol=tol, atol=tol))
        st.advance(y, 0.0, 5.0)
        errs.append(np.abs(y - exact(5.0)).max())
        steps.append(st.nsteps)
    assert steps[1] > 3 * steps[0]
    assert errs[1] < 1e-3 * errs[0]


def test_error_norm_ignores_garbage_ghosts() -> None:
    grid = Grid(("x",), (0.0,), (1.0,), (8,), (True,), halo=1)

    def rhs(t: float, y: np.ndarray, out: np.ndarray) -> None:
        y[:, 0] = y[:, -1] = np.inf
        out[...] = np.nan
        out[:, 1:-1] = -y[:, 1:-1] ** 2

    y = np.zeros((1, 10))
    y[0, 1:-1] = np.linspace(1, 2, 8)
    st = make_stepper("dopri5", rhs, y.shape, None, grid=grid, options=StepperOptions(rtol=1e-8, atol=1e-10))
    st.advance(y, 0.0, 3.0)
    u0 = np.linspace(1, 2, 8)
    np.testing.assert_allclose(y[0, 1:-1], u0 / (1 + 3 * u0), rtol=1e-6)


def test_blow_up_underflows_the_step_size() -> None:
    def rhs(t: float, y: np.ndarray, out: np.ndarray) -> None:
        out[0] = y[0] ** 2  # y = 1/(1-t): singular at t = 1

    y = np.array([1.0])
    st = make_stepper("dopri5", rhs, y.shape, None)
    with pytest.raises(StepSizeTooSmall) as info:
        st.advance(y, 0.0, 2.0)
    assert 0.99 < info.value.time < 1.001


@pytest.mark.parametrize("dense", [True, False])
def test_frequent_saves_cost_no_extra_steps_with_dense_output(dense: bool) -> None:
    from eqc.runtime.driver import integrate

    tol = 1e-8
    y = exact(0.0)
    t1 = 8.0

    def bounded(t, y, out):
        assert t <= t1 * (1 + 1e-14), "stepped past the end time"
        riccati(t, y, out)

    st = make_stepper("dopri5", bounded, y.shape, None, options=StepperOptions(rtol=tol, atol=tol, dense=dense))
    assert st.dense is dense
    times = np.linspace(0.0, t1, 801)
    errs = []
    integrate(st, y, 0.0, t1, times, lambda t, y: errs.append(np.abs(y - exact(t)).max()), progress=False)
    assert len(errs) == 801
    assert max(errs) < 50 * tol * 2  # the interpolant keeps the tolerance between steps
    if dense:
        assert st.nsteps < 200  # far fewer steps than the 800 save intervals
    else:
        assert st.nsteps >= 800


def test_dense_output_restarts_when_the_caller_changes_y() -> None:
    y = exact(0.0)
    st = make_stepper("dopri5", riccati, y.shape, None, options=StepperOptions(rtol=1e-10, atol=1e-10, dense=True))
    st.advance(y, 0.0, 1.0)
    y[:] = exact(0.0)  # caller resets the state: the stepper must follow
    st.advance(y, 1.0, 2.0)  # must integrate from the new y, not its own internal state
    y1 = exact(0.0)
    ref = make_stepper("dopri5", riccati, y1.shape, None,
                       options=StepperOptions(rtol=1e-10, atol=1e-10, dense=False))
    ref.advance(y1, 1.0, 2.0)
    np.testing.assert_allclose(y, y1, atol=1e-8)
