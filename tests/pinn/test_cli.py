"""`eqc train FILE --method pinn`: a tiny run end to end, and user errors exit 2 with a
message instead of a traceback."""

from __future__ import annotations

import json

from click.testing import CliRunner

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
