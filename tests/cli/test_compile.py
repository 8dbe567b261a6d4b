"""``eqc compile``: the shared library called from C (examples/c_call) and from Python, and
the standalone numba / jax / llvm modules imported where eqc cannot be imported."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from eqc.backends import llvm as llvm_backend
from eqc.compiler.pipeline import lower_model
from eqc.runtime.steppers import TABLEAUS

import eqc
from eqc.cli import main
from eqc.simulation import _grid

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "c_call"
MODELS = ("gray_scott", "heat_1d", "lorenz")
NO_EQC = "import sys; sys.modules['eqc'] = None; sys.path.insert(0, sys.argv[1]); "


def _compile(tmp: Path, model: str, target: str, *extra: str) -> Path:
    out = tmp / f"{model}_{target}"
    res = CliRunner().invoke(main, ["compile", f"stdlib:{model}", "--target", target, "-o", str(out), *extra])
    assert res.exit_code == 0, res.output
    return out


def _parse(text: str) -> dict[str, float]:
    return {k: float(v) for k, v in (line.split() for line in text.strip().splitlines())}


@pytest.fixture(scope="module")
def gs_build(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("c_call")
    build = _compile(tmp, "gray_scott", "llvm")
    return build


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_c_example_matches_python_and_numba(gs_build: Path, tmp_path: Path) -> None:
    exe = tmp_path / "gray_scott"
    cmd = ["cc", "-O2", "-I", str(gs_build), str(EXAMPLE / "main.c"), "-L", str(gs_build), "-lgray_scott", "-lm",
           f"-Wl,-rpath,{gs_build}", "-o", str(exe)]
    subprocess.run(cmd, check=True)
    args = ["24", "30", "1.0"]
    c_out = _parse(subprocess.run([str(exe), *args], check=True, capture_output=True, text=True).stdout)
    # the Python example, through the ctypes loader, without eqc
    (tmp_path / "build").symlink_to(gs_build)
    shutil.copy(EXAMPLE / "run.py", tmp_path / "run.py")
    code = NO_EQC + "import runpy; sys.argv = ['run.py', *sys.argv[2:]]; runpy.run_path('run.py', run_name='__main__')"
    py = subprocess.run([sys.executable, "-I", "-c", code, str(gs_build), *args], cwd=tmp_path, check=True,
                        capture_output=True, text=True)
    py_out = _parse(py.stdout)
    # eqc's numba backend from the same initial state: an independent implementation
    from eqc.backends import numba as numba_backend
    from eqc.compiler.options import BackendOptions

    model = eqc.load("stdlib:gray_scott")
    kernel = lower_model(model)
    grid = _grid(model, kernel.halo, 24)
    y = np.zeros((2, *grid.padded_shape))
    x, yy = grid.mesh()
    bump = np.exp(-((x - 1.25) ** 2 + (yy - 1.25) ** 2) / 0.01)
    y[(0, *grid.interior)] = 1 - 0.5 * bump
    y[(1, *grid.interior)] = 0.25 * bump
    ck = numba_backend.compile_kernel(kernel, BackendOptions(parallel=False))
    ck.advance(grid, model.param_values(None), TABLEAUS["rk4"], 1.0)(y, 0.0, 30)
    ref = {"t": 30.0, "sum_u": y[(0, *grid.interior)].sum(), "sum_v": y[(1, *grid.interior)].sum(),
           "u_centre": y[(0, *grid.interior)][12, 12]}
    for key, value in ref.items():
        assert c_out[key] == pytest.approx(value, rel=1e-12)
        assert py_out[key] == pytest.approx(value, rel=1e-12)


def test_header_lists_grid_fields_and_parameters(gs_build: Path) -> None:
    h = (gs_build / "gray_scott.h").read_text()
    assert "eqc_gray_scott_param_defaults[] = {2e-05, 1e-05, 0.04, 0.06}" in h
    assert 'eqc_gray_scott_fields[] = {"u", "v"}' in h
    assert "#define EQC_GRAY_SCOTT_HALO 1" in h
    assert "double eqc_gray_scott_rk4(" in h
    assert "cell-centred" in h


def test_loading_the_library_keeps_denormals(gs_build: Path) -> None:
    spec = importlib.util.spec_from_file_location("gs_loader_ftz", gs_build / "gray_scott.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    y = mod.zeros(16)
    y[(0, *mod.interior(16))] = 1.0
    y[(1, *mod.interior(16))] = np.random.default_rng(0).random((16, 16))
    y2 = y.copy()
    mod.step(y, 0.0, 1.0, 5, n=16)
    mod.step(y2, 0.0, 1.0, 5, n=16, threads=2)  # rows split, barrier inside the library
    assert np.max(np.abs(y - y2)[(slice(None), *mod.interior(16))]) < 1e-14
    mod.rhs(0.0, y, n=16)
    assert 1e-310 * 1.0 != 0.0
    assert np.float64(1e-310) * np.float64(1.0) != 0.0


_CHILD = NO_EQC + """
import importlib, json
import numpy as np
spec = json.loads(sys.argv[2])
out = {}
for model, module, n in spec:
    mod = importlib.import_module(module)
    y = np.load(f"{sys.argv[1]}/{model}_state.npy")
    f = np.asarray(mod.rhs(0.3, y.copy(), n=n))
    np.save(f"{sys.argv[1]}/{model}_{module}_rhs.npy", f)
    y2 = y.copy()
    r = mod.step(y2, 0.0, 1e-4, 3, n=n)  # numba/llvm: in place, returns t; jax: returns (y, t)
    np.save(f"{sys.argv[1]}/{model}_{module}_step.npy", np.asarray(r[0]) if isinstance(r, tuple) else y2)
    out[module] = [mod.MODEL, list(mod.FIELDS), list(mod.PARAMS), mod.HALO]
print(json.dumps(out))
"""


@pytest.mark.parametrize("target", ["llvm", "numba", "jax"])
def test_standalone_module_without_eqc_matches_eqc(target: str, tmp_path: Path) -> None:
    models = MODELS if target != "numba" else MODELS[:2]  # numba JIT time: two models suffice
    spec, expected = [], {}
    for name in models:
        build = _compile(tmp_path, name, target)
        for f in build.iterdir():
            shutil.copy(f, tmp_path / f.name)
        model = eqc.load(f"stdlib:{name}")
        kernel = lower_model(model)
        n = 12 if model.axes else None
        grid = _grid(model, kernel.halo, n)
        rng = np.random.default_rng(5)
        shape = (len(kernel.fields), *grid.padded_shape) if grid.dim else (len(kernel.fields),)
        y = np.zeros(shape)
        y[(slice(None), *grid.interior)] = 0.5 + 0.1 * rng.random((len(kernel.fields), *grid.shape))
        np.save(tmp_path / f"{name}_state.npy", y)
        out = np.zeros_like(y)
        ck = llvm_backend.compile_kernel(kernel)
        ck.rhs(grid, model.param_values(None))(0.3, y.copy(), out)
        stepped = y.copy()
        ck.advance(grid, model.param_values(None), TABLEAUS["rk4"], 1e-4)(stepped, 0.0, 3)
        expected[name] = (out, grid, len(kernel.outputs), stepped)
        module = name if target == "llvm" else f"{name}_{target}"
        spec.append((name, module, n))
    proc = subprocess.run([sys.executable, "-I", "-c", _CHILD, str(tmp_path), json.dumps(spec)], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    meta = json.loads(proc.stdout.strip().splitlines()[-1])
    for name, module, _ in spec:
        out, grid, nev, stepped = expected[name]
        got = np.load(tmp_path / f"{name}_{module}_rhs.npy")
        sl = (slice(0, nev), *grid.interior)
        assert np.max(np.abs(got[sl] - out[sl])) <= 1e-12 * np.max(np.abs(out[sl]))
        got = np.load(tmp_path / f"{name}_{module}_step.npy")
        assert np.max(np.abs(got[sl] - stepped[sl])) <= 1e-12 * np.max(np.abs(stepped[sl]))
        assert meta[module][0] == name


def test_constraint_model_is_a_located_user_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["compile", "stdlib:navier_stokes_2d", "-o", str(tmp_path / "ns")])
    assert res.exit_code == 2
    assert "navier_stokes_2d" in res.output and "^" in res.output
    assert "Traceback" not in res.output


def test_portable_cpu_and_options_recorded(tmp_path: Path) -> None:
    build = _compile(tmp_path, "heat_1d", "llvm", "--cpu", "x86-64", "--set", "D=0.5", "--grid", "40")
    spec = importlib.util.spec_from_file_location("heat_1d_portable", build / "heat_1d.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.N == (40,) and mod.PARAM_DEFAULTS["D"] == 0.5
    x = mod.coords("x")
    y = mod.zeros()
    y[(0, *mod.interior())] = np.sin(np.pi * x)  # u = sin(pi x): u'' = -pi^2 u, zero at both ends
    out = mod.rhs(0.0, y)
    exact = -0.5 * np.pi**2 * np.sin(np.pi * x)
    assert np.max(np.abs(out[(0, *mod.interior())] - exact)) < 0.05 * np.max(np.abs(exact))


@pytest.mark.parametrize("args", [["--set", "nope=1"], ["--grid", "12xa"]])
def test_bad_options_exit_2(tmp_path: Path, args: list[str]) -> None:
    res = CliRunner().invoke(main, ["compile", "stdlib:heat_1d", "-o", str(tmp_path / "x"), *args])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
