"""The LLVM backend against a NumPy evaluation of the same kernel IR (tests/backends/llvm/kernels.py):
right-hand sides to 1e-12, fused RK trajectories over 100 steps, threads, FP mode."""

from __future__ import annotations

import numpy as np
import pytest
from eqc.backends.llvm import LLVMOptions, compile_kernel
from eqc.compiler.diagnostics import InputModelError
from eqc.runtime.grid import Grid
from eqc.runtime.steppers import TABLEAUS, make_stepper

from . import kernels as K

NAMES = sorted(K.ALL)


def _interior(grid, a):
    return a[(slice(None), *grid.interior)] if grid.axes else a


def _rel(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.fixture(scope="module")
def compiled():
    cache = {}

    def get(name, threads=1):
        key = (name, threads)
        if key not in cache:
            k, grid, params = K.ALL[name]()
            cache[key] = (compile_kernel(k, LLVMOptions(threads=threads, min_parallel_cells=1)), k, grid, params)
        return cache[key]

    return get


@pytest.mark.parametrize("name", NAMES)
def test_rhs_matches_numpy(compiled, name):
    ck, k, grid, params = compiled(name)
    y = K.random_state(k, grid)
    ref = K.numpy_rhs(k, grid, params, 0.7, y.copy())
    out = np.full_like(y, np.nan)
    ck.rhs(grid, params)(0.7, y, out)
    assert _rel(_interior(grid, out)[: len(k.outputs)], ref) < 1e-12
    walled = [d for d, a in enumerate(k.axes) if not a.periodic]
    if len(walled) > 1:  # the corners of two walls are not ghosts any 5-point stencil reads
        g = grid.halo
        for c in np.ndindex(*(2,) * len(walled)):
            corner = [slice(None)] * (1 + len(k.axes))
            for d, side in zip(walled, c, strict=True):
                corner[1 + d] = slice(0, g) if side == 0 else slice(-g, None)
            y[tuple(corner)] = 0.0
    assert not np.isnan(y).any(), "every ghost cell is filled"


@pytest.mark.parametrize("name", ["heat2d", "gray_scott", "burgers1d", "heat1d_dirichlet"])
def test_rhs_rows_split_over_threads(compiled, name):
    ck1, k, grid, params = compiled(name, 1)
    ck2, *_ = compiled(name, 3)
    y = K.random_state(k, grid, seed=3)
    a, b = np.zeros_like(y), np.zeros_like(y)
    ck1.rhs(grid, params)(0.1, y, a)
    ck2.rhs(grid, params)(0.1, y, b)
    assert _rel(_interior(grid, a), _interior(grid, b)) < 1e-14  # vector body vs scalar tail may round apart


def _numpy_rhs(k, grid, params):
    def f(t, y, out):
        out[: len(k.outputs)][(slice(None), *grid.interior)] = K.numpy_rhs(k, grid, params, t, y)

    def f_ode(t, y, out):
        out[: len(k.outputs)] = K.numpy_rhs(k, grid, params, t, y)

    return f if grid.axes else f_ode


STEPS = {"heat2d": 1e-4, "gray_scott": 0.05, "burgers1d": 2e-3, "heat1d_dirichlet": 1e-3, "lorenz": 1e-3,
         "functions1d": 1e-3, "network": 1e-2, "hyper2d": 1e-3, "walls2d": 1e-3, "box2d": 1e-3,
         "pointwise2d": 1e-2}


_REFERENCES: dict = {}


def _reference(name, method, y0):
    """100 steps of the runtime's Python stepper over the NumPy right-hand side."""
    if (name, method) not in _REFERENCES:
        k, grid, params = K.ALL[name]()
        y = y0.copy()
        st = make_stepper(method, _numpy_rhs(k, grid, params), y.shape, STEPS[name], grid=grid)
        st.advance(y, 0.0, 100 * STEPS[name])
        _REFERENCES[name, method] = y
    return _REFERENCES[name, method]


TRAJECTORIES = [
    *[(name, "rk4", th) for name in ("heat2d", "gray_scott", "burgers1d", "heat1d_dirichlet") for th in (1, 2)],
    ("lorenz", "rk4", 1),
    ("gray_scott", "ssprk3", 1),
    ("heat1d_dirichlet", "ssprk3", 1),
    ("heat1d_dirichlet", "euler", 1),
    ("heat2d", "euler", 2),
    ("network", "rk4", 2),
    ("walls2d", "rk4", 2),
    ("box2d", "euler", 2),
]


@pytest.mark.parametrize(("name", "method", "threads"), TRAJECTORIES)
def test_fused_steps_match_numpy_trajectory(compiled, name, method, threads):
    ck, k, grid, params = compiled(name, threads)
    dt, nsteps = STEPS[name], 100
    y0 = K.random_state(k, grid, seed=1)
    y_ref = _reference(name, method, y0)
    y = y0.copy()
    adv = ck.advance(grid, params, TABLEAUS[method], dt)
    t = adv(y, 0.0, 37)
    t = adv(y, t, nsteps - 37)  # odd counts: the Euler buffers end swapped, then swap back
    assert t == pytest.approx(nsteps * dt)
    assert _rel(_interior(grid, y), _interior(grid, y_ref)) < 1e-11


# (kernel, method, threads, chunk rows, steps per sweep): chunks smaller than a thread's
# rows, chunks whose widened rows wrap around the periodic box, a step count not a multiple
# of the steps per sweep, and a stored k (ssprk3)
PIPELINES = [
    ("heat2d", "euler", 2, 3, 3),
    ("heat2d", "rk4", 3, 2, 0),
    ("heat2d", "rk4", 2, 3, 2),
    ("gray_scott", "ssprk3", 2, 1, 0),
    ("gray_scott", "euler", 1, 5, 4),
    ("burgers1d", "rk4", 2, 7, 0),
    ("burgers1d", "euler", 3, 4, 8),
    ("hyper2d", "rk4", 2, 2, 0),
    ("hyper2d", "euler", 2, 1, 3),
    # walls across axis 0 (time- and coordinate-dependent rules): slab boundary rows
    ("heat1d_dirichlet", "rk4", 2, 3, 0),
    ("heat1d_dirichlet", "euler", 3, 2, 4),
    ("walls2d", "ssprk3", 2, 2, 0),
    ("walls2d", "euler", 1, 3, 3),
    ("box2d", "rk4", 3, 1, 0),
    ("box2d", "euler", 2, 4, 2),
]


@pytest.mark.parametrize(("name", "method", "threads", "rows", "fuse"), PIPELINES)
def test_pipelined_steps_match_numpy_and_the_staged_loop(name, method, threads, rows, fuse):
    k, grid, params = K.ALL[name]()
    common = dict(threads=threads, min_parallel_cells=1, cache=False, fastmath=())
    piped = compile_kernel(k, LLVMOptions(chunk_rows=rows, fuse_steps=fuse, **common))
    staged = compile_kernel(k, LLVMOptions(pipeline=False, **common))
    y0 = K.random_state(k, grid, seed=1)
    a, b = y0.copy(), y0.copy()
    adv = piped.advance(grid, params, TABLEAUS[method], STEPS[name])
    work = adv.args[1]
    work[:] = np.nan
    t = adv(a, 0.0, 37)
    adv(a, t, 63)
    sadv = staged.advance(grid, params, TABLEAUS[method], STEPS[name])
    sadv(b, sadv(b, 0.0, 37), 63)  # the same split: a call's step times start from its t
    inner = (slice(None), *grid.interior)  # (a box's corner ghosts are never filled)
    assert np.array_equal(a[inner], b[inner])  # the same stage functions: without fast-math, the same bits
    assert _rel(_interior(grid, a), _interior(grid, _reference(name, method, y0))) < 1e-11
    if method == "euler":  # the staged loop writes the last work buffer only, the slabs start at the first
        assert np.isfinite(work[: y0.size]).any(), "the pipelined loop did not run"
    piped.close()
    staged.close()


# (kernel, method, threads, chunk rows; 0: from the cache budget): chunks of one row, chunks
# that do not divide a thread's rows, a stored k (ssprk3), walls and coordinates (2-D)
POINTWISE = [
    ("network", "euler", 1, 0),
    ("network", "rk4", 2, 5),
    ("network", "ssprk3", 3, 1),
    ("network", "rk4", 2, 0),
    ("pointwise2d", "euler", 2, 3),
    ("pointwise2d", "rk4", 3, 1),
    ("pointwise2d", "ssprk3", 1, 0),
]


@pytest.mark.parametrize(("name", "method", "threads", "rows"), POINTWISE)
def test_pointwise_steps_match_numpy_and_the_staged_loop(name, method, threads, rows):
    k, grid, params = K.ALL[name]()
    common = dict(threads=threads, min_parallel_cells=1, cache=False, fastmath=())
    chunked = compile_kernel(k, LLVMOptions(chunk_rows=rows, **common))
    staged = compile_kernel(k, LLVMOptions(pipeline=False, **common))
    y0 = K.random_state(k, grid, seed=1)  # the state _reference caches its trajectory from
    a, b = y0.copy(), y0.copy()
    adv = chunked.advance(grid, params, TABLEAUS[method], STEPS[name])
    work = adv.args[1]
    work[:] = np.nan
    t = adv(a, adv(a, 0.0, 37), 63)
    sadv = staged.advance(grid, params, TABLEAUS[method], STEPS[name])
    sadv(b, sadv(b, 0.0, 37), 63)
    inner = (slice(None), *grid.interior)
    assert np.array_equal(a[inner], b[inner])  # the same stage functions: without fast-math, the same bits
    assert _rel(_interior(grid, a), _interior(grid, _reference(name, method, y0))) < 1e-11
    # in place: the buffer a staged or pipelined loop puts the next state in is never written
    assert np.isnan(work[-y0.size:]).all(), "the pointwise loop did not run"
    ghosts = np.full_like(a, np.nan)  # the ghosts are those of the final state at the final time
    ghosts[inner] = a[inner]
    K._numpy_ghosts(k, grid, params, t, ghosts)
    assert np.allclose(a, ghosts, rtol=1e-13, atol=1e-13)
    chunked.close()
    staged.close()


def test_a_kernel_heavy_per_point_gets_threads_on_a_smaller_grid():
    """min_parallel_cells is scaled by a kernel's cycles per point: a 16-species network
    on 4 000 points steps on 2 threads, heat on 60x60 (3 600 cells) on one; a bare rhs
    call (which pays the thread dispatch each call) waits for 8x the cells."""
    net, _, net_params = K.network()
    heat, _, heat_params = K.heat2d()
    used = {}
    for name, k, n, params in (("net", net, (4000,), net_params), ("net", net, (40000,), net_params),
                               ("heat", heat, (60, 60), heat_params)):
        axes = ("x", "y")[: len(n)]
        grid = Grid(axes, (0.0,) * len(n), (1.0,) * len(n), n, (True,) * len(n), 1)
        ck = compile_kernel(k, LLVMOptions(threads=2, cache=False))
        used[name, n] = (ck.advance(grid, params, TABLEAUS["rk4"], 1e-4).nthreads, ck.rhs(grid, params).nthreads)
        ck.close()
    assert used == {("net", (4000,)): (2, 1), ("net", (40000,)): (2, 2), ("heat", (60, 60)): (1, 1)}


def test_adaptive_method_has_no_fused_loop(compiled):
    ck, k, grid, params = compiled("heat2d")
    assert ck.advance(grid, params, TABLEAUS["dopri5"], 1e-3) is None


def test_missing_parameter_is_a_user_error(compiled):
    ck, k, grid, params = compiled("gray_scott")
    with pytest.raises(InputModelError):
        ck.rhs(grid, {"Du": 1.0})


def test_wrong_state_shape_is_refused(compiled):
    ck, k, grid, params = compiled("heat2d")
    f = ck.rhs(grid, params)
    y = np.zeros((1, 5, 5))
    with pytest.raises(ValueError):
        f(0.0, y, y.copy())


def test_nan_hiding_fast_math_is_refused():
    with pytest.raises(ValueError):
        LLVMOptions(fastmath=("nnan",))


def test_nan_propagates(compiled):
    ck, k, grid, params = compiled("functions1d")
    y = K.random_state(k, grid)
    y[(0, *grid.interior)][3] = np.nan
    out = np.zeros_like(y)
    ck.rhs(grid, params)(0.0, y, out)
    assert np.isnan(_interior(grid, out)[0][3])


def test_loading_and_running_keeps_denormals(compiled):
    ck, k, grid, params = compiled("gray_scott")
    y = K.random_state(k, grid)
    ck.advance(grid, params, TABLEAUS["rk4"], 0.01)(y, 0.0, 3)
    ck.rhs(grid, params)(0.0, y, np.zeros_like(y))
    tiny = float(np.float64(1e-310))
    assert tiny * 1.0 != 0.0
    assert np.float64(1e-310) * np.float64(1.0) != 0.0


def test_machine_code_is_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("EQC_CACHE_DIR", str(tmp_path))
    k, grid, params = K.ALL["gray_scott"]()
    y = K.random_state(k, grid, seed=4)
    outs = []
    for _ in range(2):
        ck = compile_kernel(k, LLVMOptions(threads=1, cache=True))
        out = np.zeros_like(y)
        ck.rhs(grid, params)(0.0, y.copy(), out)
        outs.append(out)
    objects = list((tmp_path / "llvm").glob("*.o"))
    assert len(objects) == 1, "the second compile reuses the first one's object file"
    np.testing.assert_array_equal(_interior(grid, outs[0]), _interior(grid, outs[1]))


@pytest.mark.parametrize("name", ["heat2d", "heat1d_dirichlet"])
def test_grid_with_more_ghost_layers_than_the_halo(compiled, name):
    """A split kernel runs on its full model's grid, whose halo may be wider."""
    ck, k, grid, params = compiled(name)
    wide = Grid(grid.axes, grid.lo, grid.hi, grid.n, grid.periodic, k.halo + 1)
    y = K.random_state(k, grid, seed=6)
    yw = np.zeros((len(k.fields), *wide.padded_shape))
    yw[(slice(None), *wide.interior)] = y[(slice(None), *grid.interior)]
    a, b = np.zeros_like(y), np.zeros_like(yw)
    ck.rhs(grid, params)(0.2, y.copy(), a)
    ck.rhs(wide, params)(0.2, yw.copy(), b)
    assert _rel(_interior(wide, b), _interior(grid, a)) < 1e-14
    ck.advance(grid, params, TABLEAUS["rk4"], 1e-4)(y, 0.0, 5)
    ck.advance(wide, params, TABLEAUS["rk4"], 1e-4)(yw, 0.0, 5)
    assert _rel(_interior(wide, yw), _interior(grid, y)) < 1e-14



def test_closures_keep_their_machine_code_alive():
    """``advance`` holds its JIT engines: dropping the kernel object used to free the
    machine code under the closure (a use-after-free that crashed a later call)."""
    import gc
    import weakref

    k, grid, params = K.heat2d()
    ck = compile_kernel(k, LLVMOptions(threads=1, cache=False))
    adv = ck.advance(grid, params, TABLEAUS["rk4"], 1e-4)
    engines = [weakref.ref(j) for j in ck._jitted]
    del ck
    gc.collect()
    assert all(e() is not None for e in engines)
    y = np.zeros((1, *grid.padded_shape))
    y[(0, *grid.interior)] = 1.0
    adv(y, 0.0, 3)
    np.testing.assert_allclose(y[(0, *grid.interior)], 1.0)
    del adv
    gc.collect()
    assert all(e() is None for e in engines)


def test_point_loop_of_a_many_field_kernel_is_vectorised():
    """The innermost point loop carries llvm.loop.parallel_accesses, so the vectoriser needs
    no run-time overlap check per pair of output fields (it gave up on 16 fields before)."""
    import llvmlite.binding as llvm
    from eqc.backends.llvm import machine
    from eqc.backends.llvm.codegen import RK4, build_module
    from eqc.backends.llvm.options import SAFE_FASTMATH

    k, _, _ = K.network()
    text = str(build_module(k, SAFE_FASTMATH, [RK4]))
    assert "llvm.loop.parallel_accesses" in text
    tm = machine.target_machine()
    ref = llvm.parse_assembly(text)
    machine.optimise(ref, tm, 3)
    for name in ("eqc_network_rhs", "eqc_network_rk4_point_step"):  # (pointwise: all stages in one loop)
        fn = ref.get_function(name)
        body = "\n".join(str(b) for b in fn.blocks)
        assert " x double>" in body, f"{name}: the point loop stayed scalar"
