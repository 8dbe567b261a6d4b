"""The driver: save points, NaN detection naming field and time, interrupted runs that keep
their snapshots (netCDF and zarr), progress bar."""

from __future__ import annotations

import numpy as np
import pytest
from eqc.runtime.driver import SimulationInterrupted, integrate, save_times_every
from eqc.runtime.errors import SimulationDiverged
from eqc.runtime.grid import Grid
from eqc.runtime.output import open_result, open_writer
from eqc.runtime.steppers import StepperOptions, make_stepper

GRID = Grid(("x",), (0.0,), (1.0,), (16,), (True,), halo=1)
FIELDS = ("u", "v")


def decay(t: float, y: np.ndarray, out: np.ndarray) -> None:
    """u' = -u, v' = -2 v; ghosts set to NaN (garbage) on purpose."""
    y[:, 0] = y[:, -1] = np.nan
    out[0, 1:-1] = -y[0, 1:-1]
    out[1, 1:-1] = -2 * y[1, 1:-1]


def initial() -> np.ndarray:
    y = np.full((2, 18), np.nan)
    y[:, 1:-1] = 1.0
    return y


@pytest.mark.parametrize("method, dt", [("rk4", 0.01), ("dopri5", None)])
def test_snapshots_at_the_save_times(method: str, dt: float | None) -> None:
    y = initial()
    st = make_stepper(method, decay, y.shape, dt, grid=GRID, options=StepperOptions(rtol=1e-10, atol=1e-12))
    frames: list[tuple[float, np.ndarray]] = []
    times = save_times_every(0.0, 1.0, 0.25)
    res = integrate(st, y, 0.0, 1.0, times, lambda t, y: frames.append((t, y[:, 1:-1].copy())),
                    grid=GRID, field_names=FIELDS, progress=False)
    assert res.t == 1.0 and res.saved == 5
    assert [t for t, _ in frames] == [0.0, 0.25, 0.5, 0.75, 1.0]
    for t, f in frames:
        np.testing.assert_allclose(f[0], np.exp(-t), rtol=1e-8)
        np.testing.assert_allclose(f[1], np.exp(-2 * t), rtol=1e-8)


def test_save_times_every_includes_the_end() -> None:
    np.testing.assert_allclose(save_times_every(0, 1, 0.3), [0, 0.3, 0.6, 0.9, 1.0])
    np.testing.assert_allclose(save_times_every(0, 1, 0.25), [0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(save_times_every(0, 2, None), [0, 2])


def test_nan_stops_the_run_naming_field_and_time() -> None:
    def rhs(t: float, y: np.ndarray, out: np.ndarray) -> None:
        out[0, 1:-1] = 0.0
        out[1, 1:-1] = 1.0 / (0.5 - t) ** 2 if t < 0.5 else np.inf  # v blows up at t = 1/2

    y = initial()
    st = make_stepper("euler", rhs, y.shape, 0.01, grid=GRID)
    with pytest.raises(SimulationDiverged) as info:
        integrate(st, y, 0.0, 1.0, [0.0, 1.0], None, grid=GRID, field_names=FIELDS, progress=False)
    err = info.value
    assert err.field == "v"
    assert 0.49 <= err.last_finite <= 0.5 + 1e-9 < err.time <= 0.52
    assert "dt" in err.hint and "`v`" in str(err)


def test_nan_check_also_runs_for_a_stability_blow_up_with_the_hint() -> None:
    # forward Euler on u' = -400 u with dt = 0.01: |1 - 4| > 1, grows like 3^n
    def rhs(t, y, out):
        out[0, 1:-1] = -400 * y[0, 1:-1]
        out[1, 1:-1] = 0.0

    y = initial()
    st = make_stepper("euler", rhs, y.shape, 0.01, grid=GRID)
    with pytest.raises(SimulationDiverged) as info:
        integrate(st, y, 0.0, 100.0, None, None, grid=GRID, field_names=FIELDS, progress=False,
                  stability_hint="diffusion number too large")
    assert info.value.field == "u"
    assert "diffusion number too large" in info.value.hint
    assert info.value.where == "16 of 16 points, x in [0.03125, 0.9688]"


def test_divergence_reports_where_it_started() -> None:
    def rhs(t, y, out):  # v blows up only at the third cell
        out[:, 1:-1] = 0.0
        out[1, 3] = 1.0 / (0.25 - t) ** 2 if t < 0.25 else np.inf

    y = initial()
    st = make_stepper("euler", rhs, y.shape, 0.01, grid=GRID)
    with pytest.raises(SimulationDiverged) as info:
        integrate(st, y, 0.0, 1.0, None, None, grid=GRID, field_names=FIELDS, progress=False)
    assert info.value.where == "1 of 16 points, x = 0.1562"  # padded index 3 = cell 2
    assert "x = 0.1562" in str(info.value)


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_interrupted_run_keeps_every_snapshot(tmp_path, suffix: str) -> None:
    path = tmp_path / f"out{suffix}"
    y = initial()
    st = make_stepper("rk4", decay, y.shape, 0.01, grid=GRID)
    k = 3
    with open_writer(path, GRID, FIELDS, params={"rate": 1.0}, attrs={"model": "decay"}) as w:

        def on_save(t: float, y: np.ndarray) -> None:
            if w.frames == k:
                raise KeyboardInterrupt
            w.write(t, y)

        with pytest.raises(SimulationInterrupted) as info:
            integrate(st, y, 0.0, 1.0, save_times_every(0, 1, 0.1), on_save, grid=GRID,
                      field_names=FIELDS, progress=False)
    assert info.value.saved == k
    assert isinstance(info.value, KeyboardInterrupt)
    with open_result(path) as ds:
        assert ds.sizes["time"] == k
        np.testing.assert_allclose(ds["time"].values, [0.0, 0.1, 0.2])
        np.testing.assert_allclose(ds["u"].values[:, 0], np.exp(-ds["time"].values), rtol=1e-8)
        assert ds.attrs["model"] == "decay" and ds.attrs["rate"] == 1.0


def test_progress_bar_runs(capsys) -> None:
    y = initial()
    st = make_stepper("ssprk3", decay, y.shape, 0.001, grid=GRID)
    res = integrate(st, y, 0.0, 0.5, None, None, grid=GRID, field_names=FIELDS, progress=True)
    assert res.nsteps == 500
    assert "steps/s" in capsys.readouterr().err


@pytest.mark.parametrize("suffix, method, dt", [(".nc", "rk4", 0.01), (".zarr", "dopri5", None)])
def test_a_stopped_run_resumes_from_its_checkpoint(tmp_path, suffix, method, dt) -> None:
    from eqc.runtime.driver import resume

    times = save_times_every(0.0, 1.0, 0.1)
    opts = StepperOptions(rtol=1e-10, atol=1e-12)

    def run(path, y, t0, saved_before=0, stop_after=None):
        st = make_stepper(method, decay, y.shape, dt, grid=GRID, options=opts)
        resume_frames = saved_before if saved_before else None
        with open_writer(path, GRID, FIELDS, resume_frames=resume_frames) as w:

            def on_save(t, y):
                if stop_after is not None and w.frames == stop_after:
                    raise KeyboardInterrupt
                w.write(t, y)

            integrate(st, y, t0, 1.0, times, on_save, grid=GRID, field_names=FIELDS, progress=False,
                      checkpoint=tmp_path / "ck.npz", saved_before=saved_before)

    with pytest.raises(SimulationInterrupted):
        run(tmp_path / f"a{suffix}", initial(), 0.0, stop_after=4)
    r = resume(tmp_path / "ck.npz")
    assert (r.t, r.saved) == (pytest.approx(0.3), 4)
    run(tmp_path / f"a{suffix}", r.y, r.t, saved_before=r.saved)
    with open_result(tmp_path / f"a{suffix}") as ds:
        np.testing.assert_allclose(ds["time"].values, times, atol=1e-14)
        np.testing.assert_allclose(ds["u"].values[:, 3], np.exp(-times), rtol=1e-8)
        np.testing.assert_allclose(ds["v"].values[:, 3], np.exp(-2 * times), rtol=1e-8)
