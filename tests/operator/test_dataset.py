"""eqc.runtime.dataset and eqc.operator.make_dataset: the GRF measure, determinism, the
zarr store, resuming an interrupted run, and agreement with eqc's classical solver."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from eqc.compiler.diagnostics import InputModelError, SemanticModelError
from eqc.runtime.dataset import GaussianRandomField, done_blocks, open_dataset, parse_ic

import eqc
from eqc.operator import ClassicalBlockSolver, make_dataset, with_resolution

BURGERS = """model burgers_small "Burgers, small grid"
domain x in [0, 1] periodic
grid 64
param nu = 0.1
field u
dt(u) = -u*d(u, x) + nu*d(u, x, 2)
init u = sin(2*pi*x)
solve t in [0, 1] step 2e-4 method rk4
"""


@pytest.fixture(scope="module")
def burgers():
    return eqc.parse(BURGERS, "burgers_small.pde")


# ----------------------------------------------------------------------------- GRF
@pytest.mark.parametrize("shape,lengths", [((128,), (1.0,)), ((32, 16), (2.0, 1.0))])
def test_grf_mean_power_per_mode_matches_the_covariance(shape, lengths):
    """E|fft(u)_k / N|^2 = sigma (4 pi^2 |k/L|^2 + tau^2)^-alpha / V for every mode k != 0."""
    g = GaussianRandomField(alpha=2, tau=5, sigma=625)
    m = 400
    npts = int(np.prod(shape))
    power = np.zeros(shape)
    for i in range(m):
        power += np.abs(np.fft.fftn(g.sample(shape, lengths, seed=7, index=i)) / npts) ** 2
    power /= m
    ks = np.meshgrid(*(2 * np.pi * np.fft.fftfreq(n, d=1.0 / n) / L for n, L in zip(shape, lengths, strict=True)), indexing="ij")
    expected = 625.0 * (sum(k * k for k in ks) + 25.0) ** -2 / np.prod(lengths)
    expected[(0,) * len(shape)] = 0.0
    nz = expected > 0
    ratio = power[nz] / expected[nz]
    # each mode's power is a mean of m exponential(ish) variables: relative sd 1/sqrt(m) (x sqrt 2 at
    # self-conjugate modes), so the mean ratio over all modes is 1 to well within 2%
    assert abs(ratio.mean() - 1) < 0.02
    assert np.all(np.abs(ratio - 1) < 6 * np.sqrt(2.0 / m))
    assert power[(0,) * len(shape)] < 1e-20  # mean zero


def test_grf_paper_setting_first_modes():
    """The FNO paper's N(0, 625(-Lap + 25)^-2) on [0, 1]: mode 1 has variance 625/(4pi^2+25)^2."""
    lam = GaussianRandomField().eigenvalues((64,), (1.0,))
    assert lam[1] == pytest.approx(625 / (4 * np.pi**2 + 25) ** 2)
    assert lam[3] == pytest.approx(625 / (36 * np.pi**2 + 25) ** 2)


def test_grf_sample_depends_only_on_seed_and_index():
    g = GaussianRandomField()
    a = g.sample((64,), (1.0,), 3, 5)
    assert np.array_equal(a, g.sample((64,), (1.0,), 3, 5))
    assert not np.allclose(a, g.sample((64,), (1.0,), 3, 6))
    assert not np.allclose(a, g.sample((64,), (1.0,), 4, 5))


def test_parse_ic():
    assert parse_ic("grf") == GaussianRandomField()
    assert parse_ic("grf:alpha=2.5,tau=7,sigma=100") == GaussianRandomField(2.5, 7.0, 100.0)
    for bad in ("gauss", "grf:beta=1", "grf:alpha=x", "grf:sigma=-1"):
        with pytest.raises(ValueError):
            parse_ic(bad)


# ----------------------------------------------------------------------------- store
class Recording:
    """A stand-in solver that records the samples it was asked for: u(t) = u0 * exp(-t)."""

    def __init__(self, times, seed=0):
        self.times, self.seed, self.calls = times, seed, []

    def __call__(self, indices):
        self.calls.extend(indices)
        u0 = np.stack([GaussianRandomField().sample((16,), (1.0,), self.seed, i) for i in indices])
        return np.stack([u0 * np.exp(-t) for t in self.times], axis=1)[:, :, None]


def test_interrupted_run_resumes_without_redoing_finished_blocks(tmp_path, burgers):
    path = tmp_path / "d.zarr"
    small = with_resolution(burgers, 16)
    times = (0.0, 0.5)
    rec = Recording(times)

    def stop_after_two(b):
        if b == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        make_dataset(small, path, samples=10, block=3, t_end=0.5, solver=rec, on_block=stop_after_two, progress=False)
    assert sorted(done_blocks(path)) == [0, 1]
    assert rec.calls == list(range(6))
    with pytest.raises(InputModelError):  # incomplete: not usable for training yet
        eqc.operator._load_arrays(path)
    rec2 = Recording(times)
    report = make_dataset(small, path, samples=10, block=3, t_end=0.5, solver=rec2, progress=False)
    assert report.computed == (2, 3)
    assert rec2.calls == [6, 7, 8, 9]  # only the unfinished samples
    layout, group, attrs = open_dataset(path)
    full = Recording(times)(range(10))
    np.testing.assert_array_equal(np.asarray(group["u"][...]), full[:, :, 0])
    assert attrs["model"] == "burgers_small"
    # a third run has nothing to do
    assert make_dataset(small, path, samples=10, block=3, t_end=0.5, solver=Recording(times), progress=False).computed == ()


def test_half_written_block_is_redone(tmp_path, burgers):
    """A chunk written without its marker (killed between the two) is not trusted."""
    path = tmp_path / "d.zarr"
    small = with_resolution(burgers, 16)
    make_dataset(small, path, samples=4, block=2, t_end=0.5, solver=Recording((0.0, 0.5)), progress=False)
    marker = path / ".eqc_done" / "000001"
    marker.unlink()
    rec = Recording((0.0, 0.5))
    assert make_dataset(small, path, samples=4, block=2, t_end=0.5, solver=rec, progress=False).computed == (1,)
    assert rec.calls == [2, 3]


def test_resume_with_other_settings_is_a_user_error(tmp_path, burgers):
    path = tmp_path / "d.zarr"
    small = with_resolution(burgers, 16)
    make_dataset(small, path, samples=4, block=2, t_end=0.5, solver=Recording((0.0, 0.5)), progress=False)
    with pytest.raises(InputModelError, match="seed"):
        make_dataset(small, path, samples=4, block=2, t_end=0.5, seed=1, solver=Recording((0.0, 0.5)), progress=False)
    rep = make_dataset(small, path, samples=4, block=2, t_end=0.5, seed=1, overwrite=True,
                       solver=Recording((0.0, 0.5), seed=1), progress=False)
    assert rep.computed == (0, 1)


def test_non_periodic_model_is_refused(burgers):
    ax = dataclasses.replace(burgers.axes[0], periodic=False)
    with pytest.raises(SemanticModelError):
        make_dataset(dataclasses.replace(burgers, axes=(ax,)), "unused.zarr", samples=2, progress=False)


# ----------------------------------------------------------------------------- classical
def test_dataset_equals_classical_solver_sample_by_sample(tmp_path, burgers):
    """8 Burgers samples on 64 points: the store holds exactly what eqc's solver gives for
    each sample's GRF initial condition; a run stopped after 2 of 4 blocks resumes."""
    path = tmp_path / "b.zarr"

    def stop(b):
        if b == 1:
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        make_dataset(burgers, path, samples=8, block=2, t_end=0.1, save=2, seed=11, on_block=stop, progress=False)
    report = make_dataset(burgers, path, samples=8, block=2, t_end=0.1, save=2, seed=11, progress=False)
    assert report.computed == (2, 3)
    layout, group, _ = open_dataset(path)
    assert layout.times == (0.0, 0.05, 0.1)
    data = np.asarray(group["u"][...])
    sim = eqc.compile(burgers)
    x = sim.grid.coords("x")
    g = GaussianRandomField()
    np.testing.assert_allclose(np.asarray(group["x"][...]), x)
    for i in range(8):
        u0 = g.sample((64,), (1.0,), 11, i)
        ds = sim.run(t_end=0.1, save_every=0.05, initial={"u": u0}, progress=False)
        np.testing.assert_array_equal(data[i, 0], u0)
        np.testing.assert_allclose(data[i], ds["u"].values, rtol=0, atol=1e-13)
    # and the classical data are Burgers: they agree with an independent spectral solver
    from burgers_reference import burgers_etdrk4

    ref = burgers_etdrk4(data[:, 0], 0.1, 1.0, [0.0, 0.05, 0.1], dt=1e-4)
    err = np.linalg.norm(data[:, -1] - ref[:, -1]) / np.linalg.norm(ref[:, -1])
    assert err < 2e-2  # second-order differences on 64 points


def test_block_solver_pickles_without_its_compiled_simulation(burgers):
    import pickle

    s = ClassicalBlockSolver("stdlib:burgers_periodic", (0.0, 0.1), GaussianRandomField(), 0, (32,))
    s._sim = object()
    t = pickle.loads(pickle.dumps(s))
    assert t._sim is None and t.times == (0.0, 0.1) and t.resolution == (32,)


KILLED_RUN = """
import os, signal, sys
import numpy as np
import eqc
from eqc.operator import make_dataset, with_resolution

class Decay:
    def __call__(self, indices):
        from eqc.runtime.dataset import GaussianRandomField
        u0 = np.stack([GaussianRandomField().sample((16,), (1.0,), 0, i) for i in indices])
        return np.stack([u0, u0 * np.exp(-0.5)], axis=1)[:, :, None]

def kill(b):
    if b == 1:
        os.kill(os.getpid(), signal.SIGKILL)

model = with_resolution(eqc.parse(sys.argv[2], "m.pde"), 16)
make_dataset(model, sys.argv[1], samples=8, block=2, t_end=0.5, solver=Decay(), on_block=kill, progress=False)
"""


def test_a_killed_process_leaves_a_store_that_resumes(tmp_path):
    """SIGKILL (no cleanup at all) after two blocks; the next run computes only the rest."""
    import subprocess
    import sys

    path = tmp_path / "k.zarr"
    proc = subprocess.run([sys.executable, "-c", KILLED_RUN, str(path), BURGERS], capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    assert sorted(done_blocks(path)) == [0, 1]
    small = with_resolution(eqc.parse(BURGERS, "m.pde"), 16)
    rec = Recording((0.0, 0.5))
    rep = make_dataset(small, path, samples=8, block=2, t_end=0.5, solver=rec, progress=False)
    assert rep.computed == (2, 3) and rec.calls == [4, 5, 6, 7]
    _, group, _ = open_dataset(path)
    np.testing.assert_allclose(np.asarray(group["u"][...]), Recording((0.0, 0.5))(range(8))[:, :, 0])
