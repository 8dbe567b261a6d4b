"""`eqc train FILE --method pinn`: a tiny run end to end, and user errors exit 2 with a
message instead of a traceback."""

from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner

from eqc import load_pinn
from eqc.cli import main

HEAT = """model heat_inv
domain x in [0, 1]
grid 32
param D {param}
field u
dt(u) = D*lap(u)
bc u = 0 at x = 0
bc u = 0 at x = 1
init u = sin(pi*x)
solve t in [0, 0.5] step 5e-4 method rk4 save every 0.05
{train}
"""


def _write(tmp_path, param="= 0.1", train=""):
    p = tmp_path / "heat.pde"
    p.write_text(HEAT.format(param=param, train=train))
    return str(p)


def test_tiny_cli_run_writes_network_report_and_plots(tmp_path) -> None:
    out = tmp_path / "run"
    args = ["train", _write(tmp_path, train="train pinn width 16 depth 2 points 128"), "--method", "pinn",
            "--steps", "150", "--lbfgs-steps", "20", "--no-progress", "-o", str(out)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    assert report["reference"] == "classical"
    assert report["rel_l2"] < 0.05
    for name in ("pinn.eqx", "pinn.json", "pinn.png", "loss.png", "checkpoint.npz"):
        assert (out / name).exists(), name
    meta = json.loads((out / "pinn.json").read_text())
    assert meta["settings"]["width"] == 16  # from the model's train block
    assert meta["settings"]["steps"] == 150  # flags override it
    u = load_pinn(out)  # rebuilt from the stored model text
    x = np.linspace(0, 1, 9)
    exact = np.exp(-0.1 * np.pi**2 * 0.3) * np.sin(np.pi * x)
    assert np.max(np.abs(u(0.3, x) - exact)) < 0.05


def test_resume_needs_an_output_folder(tmp_path) -> None:
    res = CliRunner().invoke(main, ["train", _write(tmp_path), "--method", "pinn", "--resume"])
    assert res.exit_code == 2
    assert "--resume" in res.output


def test_unknown_parameter_without_data_is_a_user_error(tmp_path) -> None:
    res = CliRunner().invoke(main, ["train", _write(tmp_path, param="unknown"), "--method", "pinn", "--no-progress"])
    assert res.exit_code == 2
    assert "heat.pde:4:" in res.output and "unknown" in res.output
    assert "Traceback" not in res.output


def test_bad_training_option_points_at_the_train_line(tmp_path) -> None:
    res = CliRunner().invoke(main, ["train", _write(tmp_path, train="train pinn widht 16"), "--method", "pinn"])
    assert res.exit_code == 2
    assert "heat.pde:11:" in res.output and "widht" in res.output


def test_observations_from_netcdf_and_csv(tmp_path) -> None:
    import xarray as xr
    from eqc.frontend.loader import load

    from eqc.pinn import read_observations

    model = load(_write(tmp_path))
    t, x = np.linspace(0, 0.5, 3), np.linspace(0, 1, 4)
    u = np.exp(-t)[:, None] * np.sin(np.pi * x)[None, :]
    xr.Dataset({"u": (("time", "x"), u)}, coords={"time": t, "x": x}).to_netcdf(tmp_path / "obs.nc")
    obs = read_observations(tmp_path / "obs.nc", model)
    assert obs.points.shape == (12, 2) and obs.fields == ("u",)
    k = 7
    assert obs.values[k, 0] == u[k // 4, k % 4] and tuple(obs.points[k]) == (t[k // 4], x[k % 4])
    (tmp_path / "bad.csv").write_text("t,y,u\n0,0,0\n")
    import pytest
    from eqc.compiler.diagnostics import InputModelError

    with pytest.raises(InputModelError):
        read_observations(tmp_path / "bad.csv", model)
