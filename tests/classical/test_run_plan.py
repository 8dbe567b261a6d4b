"""A cached `eqc run` (eqc/quickrun.py) replays the first run's plan: the same file, bit for
bit, without importing sympy; other options, a changed model or a damaged plan compile."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from eqc.cli import main

HEAT = """model plan_heat "heat, 2D periodic"
domain x in [0, 1] periodic
domain y in [0, 2] periodic
grid 24 x 16
param D = 0.01
field u
field w
dt(u) = D*lap(u) - u*w
dt(w) = D*lap(w) + 0.1*u
init u = exp(-10*(x - 0.5)^2)*cos(pi*y) + 1
init w = 0.5
solve t in [0, 0.3] step 7e-3 method rk4 save every 0.05
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("EQC_CACHE_DIR", str(d))
    return d


def _run(args):
    r = CliRunner().invoke(main, ["run", *args, "--no-progress", "--no-plot"])
    assert r.exit_code == 0, r.output
    return r.output


def _frames(path):
    with xr.open_dataset(path) as ds:
        return ds.load()


def test_second_run_replays_the_plan_bit_for_bit(tmp_path, cache):
    model = tmp_path / "heat.pde"
    model.write_text(HEAT)
    first = _run([str(model), "-o", str(tmp_path / "a.nc")])
    assert "plan saved" in first
    second = _run([str(model), "-o", str(tmp_path / "b.nc")])
    assert "cached plan" in second
    a, b = _frames(tmp_path / "a.nc"), _frames(tmp_path / "b.nc")
    assert a.attrs == b.attrs
    np.testing.assert_array_equal(a.time.values, b.time.values)
    for f in ("u", "w"):
        np.testing.assert_array_equal(a[f].values, b[f].values)
    # 0.05 is not a multiple of dt = 7e-3: the short steps were taken too, and the run is
    # the one the numba backend (Python remainder steps) computes
    c = _run([str(model), "-o", str(tmp_path / "c.nc"), "--backend", "numba"])
    assert "plan" not in c
    n = _frames(tmp_path / "c.nc")
    np.testing.assert_allclose(b.u.values, n.u.values, rtol=1e-12, atol=1e-12)


def test_other_options_or_a_changed_model_compile_again(tmp_path, cache):
    model = tmp_path / "heat.pde"
    model.write_text(HEAT)
    _run([str(model), "-o", str(tmp_path / "a.nc")])
    assert "compiled" in _run([str(model), "-o", str(tmp_path / "a.nc"), "--set", "D=0.02"])
    assert "compiled" in _run([str(model), "-o", str(tmp_path / "a.nc"), "--t-end", "0.1"])
    model.write_text(HEAT.replace("init w = 0.5", "init w = 0.25"))
    assert "compiled" in _run([str(model), "-o", str(tmp_path / "b.nc")])
    with xr.open_dataset(tmp_path / "b.nc") as ds:
        assert float(ds.w[0].mean()) == 0.25


def test_a_damaged_plan_or_a_lost_object_file_falls_back(tmp_path, cache):
    model = tmp_path / "heat.pde"
    model.write_text(HEAT)
    _run([str(model), "-o", str(tmp_path / "a.nc")])
    (plan,) = (cache / "runs").glob("*.json")
    good = plan.read_text()
    plan.write_text(good[: len(good) // 2])
    assert "compiled" in _run([str(model), "-o", str(tmp_path / "b.nc")])
    obj = json.loads(plan.read_text())["advance"]["object_path"]
    os.unlink(obj)
    assert "compiled" in _run([str(model), "-o", str(tmp_path / "c.nc")])
    assert "cached plan" in _run([str(model), "-o", str(tmp_path / "d.nc")])
    np.testing.assert_array_equal(_frames(tmp_path / "a.nc").u.values, _frames(tmp_path / "d.nc").u.values)


def test_models_a_plan_cannot_replay_get_none(tmp_path, cache):
    # dopri5 has no fused loop; the numba backend is not replayed
    for extra in (["--method", "dopri5"], ["--backend", "numba"]):
        out = _run(["stdlib:heat_1d", "-o", str(tmp_path / "a.nc"), "--t-end", "0.01", *extra])
        assert "plan saved" not in out
    out = _run(["stdlib:kuramoto_sivashinsky", "-o", str(tmp_path / "k.nc"), "--t-end", "0.5", "--grid", "32"])
    assert "etdrk4" in out and "plan saved" not in out
    assert not list((cache / "runs").glob("*.json"))


SCRIPT = """
import sys
from eqc.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
print("MODULES", " ".join(m for m in ("sympy", "lark", "networkx", "xarray") if m in sys.modules))
"""


@pytest.mark.slow
def test_a_cached_run_imports_no_compiler(tmp_path, cache):
    env = dict(os.environ, EQC_CACHE_DIR=str(cache))
    args = ["run", "stdlib:heat_2d", "--t-end", "0.05", "--no-progress", "--no-plot", "-o", str(tmp_path / "a.nc")]
    runs = [subprocess.run([sys.executable, "-c", SCRIPT, *args], env=env, capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert "sympy" in runs[0] and "plan saved" in runs[0]
    assert "cached plan" in runs[1]
    loaded = runs[1].split("MODULES", 1)[1].split()
    assert "sympy" not in loaded and "lark" not in loaded and "networkx" not in loaded


def test_edited_eqc_sources_get_a_new_plan(monkeypatch):
    from eqc import quickrun

    first = quickrun.plan_key("stdlib:heat_2d", {})
    assert first == quickrun.plan_key("stdlib:heat_2d", {})
    monkeypatch.setattr(quickrun, "_code_stamp", lambda: "an edited checkout")
    assert quickrun.plan_key("stdlib:heat_2d", {}) != first
