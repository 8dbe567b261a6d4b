"""`eqc dataset` and `eqc train --method fno` end to end, and their user errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from eqc.runtime.dataset import GaussianRandomField, open_dataset

import eqc
from eqc.cli import main

MODEL = """model burgers_tiny "Burgers on 32 points"
domain x in [0, 1] periodic
grid 32
param nu = 0.1
field u
dt(u) = -u*d(u, x) + nu*d(u, x, 2)
init u = sin(2*pi*x)
solve t in [0, 1] step 1e-4 method rk4
train fno modes 4 width 8 layers 1
"""


@pytest.fixture
def model_file(tmp_path):
    p = tmp_path / "burgers_tiny.pde"
    p.write_text(MODEL)
    return p


def _run(args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def test_dataset_then_train_then_load(tmp_path, model_file):
    data, fine, op_path = tmp_path / "d.zarr", tmp_path / "fine.zarr", tmp_path / "op.fno"
    code, out = _run(["dataset", model_file, "--samples", 12, "-o", data, "--t-end", 0.05, "--block", 4,
                      "--workers", 2, "--no-progress"])
    assert code == 0, out
    assert "3 blocks computed, 0 reused" in out
    code, out = _run(["dataset", model_file, "--samples", 4, "-o", fine, "--t-end", 0.05, "--resolution", 64,
                      "--seed", 1, "--workers", 1, "--no-progress"])
    assert code == 0, out
    layout, group, _ = open_dataset(fine)
    assert layout.shape == (64,)
    # sample i's initial condition is the GRF draw (seed, i) on the requested grid
    np.testing.assert_array_equal(group["u"][2, 0], GaussianRandomField().sample((64,), (1.0,), 1, 2))

    code, out = _run(["train", model_file, "--method", "fno", "--data", data, "-o", op_path, "--test", fine,
                      "--steps", 30, "--batch", 5, "--no-progress",
                      "--json"])
    assert code == 0, out
    report = json.loads(out)
    assert report["train_samples"] == 10 and report["holdout_samples"] == 2
    assert np.isfinite(report["holdout_rel_l2"]) and report["speedup"] > 0
    assert report["tests"][0]["resolution"] == [64]

    op = eqc.load_operator(op_path)
    assert (op.config.modes, op.config.width, op.config.layers) == (4, 8, 1)  # from the model's train line
    u0 = np.asarray(group["u"][:, 0])
    assert op(u0).shape == (4, 64) and op(u0[0]).shape == (64,)
    assert op.report["tests"][0]["rel_l2"] == report["tests"][0]["rel_l2"]


def test_user_errors_exit_2_without_traceback(tmp_path, model_file):
    code, out = _run(["dataset", model_file, "--samples", 2, "--ic", "gauss", "-o", tmp_path / "x.zarr"])
    assert code == 2 and "Traceback" not in out
    code, out = _run(["dataset", model_file, "--samples", 2, "--resolution", "abc", "-o", tmp_path / "x.zarr"])
    assert code == 2
    code, out = _run(["dataset", model_file, "--samples", 2, "--set", "mu=1", "-o", tmp_path / "x.zarr"])
    assert code == 2 and "mu" in out
    code, out = _run(["train", model_file, "--method", "fno", "--data", tmp_path / "missing.zarr"])
    assert code == 2 and "no such dataset" in out
    bad = tmp_path / "bad.pde"
    bad.write_text(MODEL.replace("nu*d(u", "nuu*d(u"))
    code, out = _run(["dataset", bad, "--samples", 2, "-o", tmp_path / "y.zarr"])
    assert code == 2 and "bad.pde:6:" in out
    with pytest.raises(eqc.ModelError):
        eqc.load_operator(tmp_path / "nothing.fno")


class HeatFlow:
    """Exact solver for dt(u) = nu*u_xx on [0, 1] periodic (picklable stand-in for eqc's)."""

    def __init__(self, times, n, nu=0.1):
        self.times, self.n, self.nu = times, n, nu

    def __call__(self, indices):
        u0 = np.stack([GaussianRandomField().sample((self.n,), (1.0,), 0, i) for i in indices])
        k = 2 * np.pi * np.fft.rfftfreq(self.n, d=1.0 / self.n)
        out = [np.fft.irfft(np.fft.rfft(u0) * np.exp(-self.nu * k**2 * t), n=self.n) for t in self.times]
        return np.stack(out, axis=1)[:, :, None]


def test_rollout_dataset_and_pino_training(tmp_path):
    """A dataset saving 2 times; the operator predicts 4 slices (data on slices 2 and 4) with
    the physics loss of the model's own equation."""
    from eqc.backends.jax.operator.train import TrainOptions

    from eqc.operator import make_dataset, train_operator

    model = eqc.parse(MODEL.replace("-u*d(u, x) + ", ""), "heat.pde")
    make_dataset(model, tmp_path / "h.zarr", samples=10, t_end=0.2, save=2, block=5,
                 solver=HeatFlow((0.0, 0.1, 0.2), 32), progress=False)
    layout, _, _ = open_dataset(tmp_path / "h.zarr")
    assert layout.times == (0.0, 0.1, 0.2)
    op = train_operator(model, tmp_path / "h.zarr", time_slices=4, modes=4, width=8, layers=1, holdout=0.2,
                        options=TrainOptions(steps=5, batch=4, pino_weight=0.5), progress=False)
    assert op.times == pytest.approx((0.05, 0.1, 0.15, 0.2))
    assert op.rollout(np.zeros((3, 32))).shape == (3, 4, 32)
    assert np.isfinite(op.report["holdout_rel_l2"])
    with pytest.raises(eqc.ModelError, match="multiple"):
        train_operator(model, tmp_path / "h.zarr", time_slices=3, progress=False)
