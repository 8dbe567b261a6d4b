"""Result Datasets and snapshot writers (memory, netCDF, zarr) and open_result's errors."""

from __future__ import annotations

import numpy as np
import pytest
from eqc.runtime.errors import ResultFileError
from eqc.runtime.grid import Grid
from eqc.runtime.output import build_dataset, open_result, open_writer

GRID = Grid(("x", "y"), (0.0, 0.0), (1.0, 2.0), (4, 3), (True, False), halo=2)


def state(t: float) -> np.ndarray:
    y = np.full((2, *GRID.padded_shape), np.nan)
    X, Y = GRID.mesh()
    y[(slice(None), *GRID.interior)] = np.stack([X + t, Y * t])
    return y


@pytest.mark.parametrize("name", [None, "r.nc", "r.zarr"])
def test_writers_round_trip_the_layout(tmp_path, name: str | None) -> None:
    path = None if name is None else tmp_path / name
    with open_writer(path, GRID, ["u", "v"], params={"D": 0.5, "k": 2.0}, attrs={"model": "m"}) as w:
        for t in (0.0, 0.5, 1.0):
            w.write(t, state(t))
        ds = w.dataset()
    assert ds["u"].dims == ("time", "x", "y")
    np.testing.assert_allclose(ds["time"], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(ds["x"], GRID.coords("x"))
    np.testing.assert_allclose(ds["y"], [1 / 3, 1.0, 5 / 3])
    X, Y = GRID.mesh()
    np.testing.assert_allclose(ds["v"].sel(time=0.5), Y * 0.5)
    assert ds.attrs["D"] == 0.5 and ds.attrs["k"] == 2.0 and ds.attrs["model"] == "m"
    assert ds.attrs["eqc_params"] == "D,k" and "eqc_version" in ds.attrs
    if path is not None:
        with open_result(path) as again:
            np.testing.assert_allclose(again["u"].values, ds["u"].values)


def test_ode_results_have_only_time() -> None:
    g = Grid()
    ds = build_dataset(g, ["a", "b"], [0.0, 1.0], np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert ds["a"].dims == ("time",)
    np.testing.assert_allclose(ds["b"], [2.0, 4.0])


def test_field_names_must_not_clash_with_coordinates() -> None:
    with pytest.raises(ValueError, match="clashes"):
        open_writer(None, GRID, ["x", "v"])


def test_open_result_errors(tmp_path) -> None:
    with pytest.raises(ResultFileError, match="no such file"):
        open_result(tmp_path / "missing.nc")
    bad = tmp_path / "bad.nc"
    bad.write_text("not a netCDF file")
    with pytest.raises(ResultFileError, match="not a readable"):
        open_result(bad)


def test_ctrl_c_during_a_write_is_held_until_the_frame_is_complete() -> None:
    import os
    import signal

    from eqc.runtime.output import deferred_interrupt

    done = []
    with pytest.raises(KeyboardInterrupt):
        with deferred_interrupt():
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C arrives in the middle of a frame
            done.append("rest of the frame")
    assert done == ["rest of the frame"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
