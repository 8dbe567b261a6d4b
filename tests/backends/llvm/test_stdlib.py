"""The LLVM backend against the numba backend on every stdlib evolution model: the same
right-hand side to 1e-12 (relative to the largest value) and the same trajectory over
100 RK4 steps (the LLVM fused loop against the runtime's RK4 over numba's right-hand
side; numba compiles each model once, which dominates the run time)."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from eqc.backends import llvm as llvm_backend
from eqc.backends import numba as numba_backend
from eqc.compiler.options import BackendOptions
from eqc.compiler.pipeline import lower_model
from eqc.runtime.steppers import TABLEAUS, make_stepper

import eqc
from eqc.simulation import _grid

STDLIB = Path(eqc.__file__).resolve().parent.parent / "stdlib"
MODELS = sorted(p.stem for p in STDLIB.glob("*.pde"))


@functools.cache
def _setup(name: str):
    model = eqc.load(f"stdlib:{name}")
    kernel = lower_model(model)
    if kernel.steady:
        return None
    grid = _grid(model, kernel.halo, 24 if len(model.axes) < 2 else 16)
    params = model.param_values(None)
    return model, kernel, grid, params


@functools.cache
def _compiled(name: str):
    model, kernel, grid, params = _setup(name)
    opts = BackendOptions(parallel=False)
    return llvm_backend.compile_kernel(kernel, opts), numba_backend.compile_kernel(kernel, opts)


def _state(kernel, grid, seed=0):
    rng = np.random.default_rng(seed)
    shape = (len(kernel.fields), *grid.padded_shape) if grid.dim else (len(kernel.fields),)
    y = np.zeros(shape)
    if grid.dim:
        mesh = grid.mesh()
        smooth = sum(np.sin((k + 1) * 2 * np.pi * (m - lo) / (hi - lo))
                     for k, (m, lo, hi) in enumerate(zip(mesh, grid.lo, grid.hi, strict=True)))
        y[(slice(None), *grid.interior)] = 0.3 * smooth + 0.05 * rng.random((len(kernel.fields), *grid.shape))
    else:
        y[:] = 1.0 + rng.random(len(kernel.fields))
    return y


def _interior(grid, a, nf):
    return a[(slice(0, nf), *grid.interior)] if grid.dim else a[:nf]


@pytest.mark.parametrize("name", MODELS)
def test_rhs_matches_numba(name):
    setup = _setup(name)
    if setup is None:
        pytest.skip("steady model")
    model, kernel, grid, params = setup
    y = _state(kernel, grid)
    outs = []
    for ck in _compiled(name):
        yy, out = y.copy(), np.zeros_like(y)
        ck.rhs(grid, params)(0.25, yy, out)
        outs.append(_interior(grid, out, len(kernel.evolved)))
    a, b = outs
    scale = max(np.max(np.abs(b)), 1e-300)
    assert np.max(np.abs(a - b)) / scale < 1e-12


@pytest.mark.parametrize("name", MODELS)
def test_rk4_trajectory_matches_numba(name):
    setup = _setup(name)
    if setup is None:
        pytest.skip("steady model")
    model, kernel, grid, params = setup
    if kernel.constraints:
        pytest.skip("constrained kernels have no fused loop (the runtime steps them)")
    llvm_ck, numba_ck = _compiled(name)
    dt = 1e-4 if grid.dim else 1e-3
    y = _state(kernel, grid, seed=2)
    llvm_ck.advance(grid, params, TABLEAUS["rk4"], dt)(y, 0.0, 100)
    ref = _state(kernel, grid, seed=2)
    make_stepper("rk4", numba_ck.rhs(grid, params), ref.shape, dt, grid=grid).advance(ref, 0.0, 100 * dt)
    a, b = _interior(grid, y, len(kernel.evolved)), _interior(grid, ref, len(kernel.evolved))
    assert np.isfinite(b).all()
    assert np.max(np.abs(a - b)) / np.max(np.abs(b)) < 1e-11


@pytest.mark.parametrize("name", MODELS)
def test_fourth_order_rhs_matches_numpy(name):
    """Order-4 stencils (halo 2-3, deeper ghost rules) against the NumPy reference."""
    from eqc.compiler.options import CompileOptions

    from .kernels import numpy_rhs

    model = eqc.load(f"stdlib:{name}")
    kernel = lower_model(model, CompileOptions(order=4))
    if kernel.steady or kernel.constraints:
        pytest.skip("steady or constrained")
    grid = _grid(model, kernel.halo, 20 if len(model.axes) < 2 else 12)
    params = model.param_values(None)
    y = _state(kernel, grid, seed=3)
    out = np.zeros_like(y)
    llvm_backend.compile_kernel(kernel, BackendOptions(parallel=False)).rhs(grid, params)(0.4, y.copy(), out)
    ref = numpy_rhs(kernel, grid, params, 0.4, y.copy())
    got = _interior(grid, out, len(kernel.outputs))
    assert np.max(np.abs(got - ref)) <= 1e-12 * max(np.max(np.abs(ref)), 1e-300)
