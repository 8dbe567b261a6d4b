"""Simulation.run and `eqc run`: every stdlib model runs, overrides, warnings, errors."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from eqc.frontend.loader import stdlib_names
from eqc.runtime.errors import SimulationDiverged

import eqc
from eqc.cli import main
from eqc.simulation import StabilityWarning


def _coarse(m):
    if not m.axes:
        return None
    return 24 if len(m.axes) > 1 else 48


@pytest.mark.parametrize("backend", ["llvm", "numba"])
@pytest.mark.parametrize("name", stdlib_names())
def test_every_stdlib_model_runs(name, backend):
    m = eqc.load(f"stdlib:{name}")
    sim = eqc.compile(m, backend=backend, n=_coarse(m) if name != "kuramoto_sivashinsky" else 128)
    t_end = None
    if m.solve is not None and m.kind != "steady":
        dt = m.solve.dt or (m.solve.t1 - m.solve.t0) / 100
        t_end = m.solve.t0 + min(m.solve.t1 - m.solve.t0, 20 * dt)
    ds = sim.run(t_end=t_end, progress=False)
    for f in sim.fields:
        assert np.isfinite(ds[f].values).all(), f
    assert ds.attrs["model"] == m.name


def test_params_and_initial_override():
    m = eqc.load("stdlib:heat_1d")
    sim = eqc.compile(m, n=32)
    x = sim.grid.coords("x")
    ds = sim.run(t_end=0.05, params={"D": 0.2}, initial={"u": np.sin(2 * np.pi * x)}, progress=False)
    exact = np.sin(2 * np.pi * x) * np.exp(-0.2 * 4 * np.pi**2 * 0.05)
    assert np.abs(ds.u.values[-1] - exact).max() < 2e-3
    assert ds.attrs["D"] == 0.2 or ds.attrs.get("param_D") == 0.2 or "D" in str(ds.attrs)


def test_unstable_step_warns_then_diverges_with_field_name():
    sim = eqc.compile(eqc.load("stdlib:heat_1d"), n=64)
    with pytest.warns(StabilityWarning):
        with pytest.raises(SimulationDiverged) as exc:
            sim.run(t_end=5.0, dt=0.01, method="rk4", progress=False)
    assert exc.value.field == "u"


def test_cli_run_writes_netcdf_and_zarr(tmp_path):
    runner = CliRunner()
    out = tmp_path / "h.nc"
    r = runner.invoke(main, ["run", "stdlib:heat_1d", "-o", str(out), "--t-end", "0.01", "--no-progress",
                             "--no-plot", "--set", "D=0.05", "--grid", "32"])
    assert r.exit_code == 0, r.output
    import xarray as xr

    with xr.open_dataset(out) as ds:
        assert ds.u.shape[-1] == 32 and np.isfinite(ds.u.values).all()
    z = tmp_path / "h.zarr"
    r = runner.invoke(main, ["run", "stdlib:heat_1d", "-o", str(z), "--t-end", "0.01", "--no-progress", "--no-plot"])
    assert r.exit_code == 0, r.output
    assert z.exists()


def test_cli_run_user_errors_exit_2(tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["run", "stdlib:heat_1d", "--set", "Dx=1", "-o", str(tmp_path / "a.nc")])
    assert r.exit_code == 2 and "Dx" in r.output
    bad = tmp_path / "bad.pde"
    bad.write_text("model bad\nfield u\ndt(u) = q*u\ninit u = 1\n")
    r = runner.invoke(main, ["run", str(bad), "-o", str(tmp_path / "b.nc")])
    assert r.exit_code == 2 and "bad.pde:3" in r.output


def test_etdrk4_on_a_bounded_domain_is_a_model_error():
    from eqc.compiler.diagnostics import ModelError

    sim = eqc.compile(eqc.load("stdlib:heat_1d"), n=16)
    with pytest.raises(ModelError):
        sim.run(t_end=0.01, dt=1e-3, method="etdrk4", progress=False)


def test_resume_continues_a_stopped_run(tmp_path, monkeypatch):
    """A run stopped after some snapshots continues from its checkpoint to the same result."""
    from eqc.runtime import driver

    sim = eqc.compile(eqc.load("stdlib:heat_1d"), n=16)
    full = sim.run(t_end=0.02, dt=1e-3, save_every=0.005, progress=False)
    out = tmp_path / "r.nc"
    real = driver.save_checkpoint
    calls = {"n": 0}

    def stop_after_two(*args, **kw):
        real(*args, **kw)
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(driver, "save_checkpoint", stop_after_two)
    with pytest.raises(KeyboardInterrupt):
        sim.run(t_end=0.02, dt=1e-3, save_every=0.005, output=str(out), progress=False)
    monkeypatch.setattr(driver, "save_checkpoint", real)
    assert (tmp_path / "r.nc.ck.npz").exists()
    ds = sim.run(t_end=0.02, dt=1e-3, save_every=0.005, output=str(out), progress=False, resume=True)
    np.testing.assert_allclose(ds.u.values, full.u.values, rtol=1e-12, atol=1e-14)
    assert not (tmp_path / "r.nc.ck.npz").exists()
