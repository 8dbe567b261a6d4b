"""The fused explicit Runge–Kutta loop as a Python callable, and a cached run's kernel.

:func:`fused_advance` wraps the generated ``eqc_<model>_<method>`` function (``nsteps`` steps
in compiled code, threads meeting at a barrier; see :mod:`.steps`) into
``advance(y, t, nsteps, dt=None) -> t``: one call per thread, the calling thread being
thread 0. :class:`~.kernel.CompiledKernel` uses it, and so does :func:`load_advance`, which
takes the same function from the object file a first run left in the disk cache.

This module imports neither sympy nor the compiler: a cached ``eqc run`` loads its kernel in
a few milliseconds instead of importing what lowering needs (~0.5 s).
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from eqc.runtime.grid import Grid

__all__ = ["ADVANCE", "AdvanceSpec", "fused_advance", "load_advance", "row_blocks", "thread_count"]

_P, _I, _D = ctypes.c_void_p, ctypes.c_int64, ctypes.c_double
# advance(y, work, n, h, lo, p, t0, dt, nsteps, row0, row1, tid, nthreads, barrier) -> t
ADVANCE = ctypes.CFUNCTYPE(_D, _P, _P, _P, _P, _P, _P, _D, _D, _I, _I, _I, _I, _I, _P)


def row_blocks(rows: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous blocks of ``rows`` rows, as even as possible."""
    parts = max(1, min(parts, rows))
    edges = [rows * k // parts for k in range(parts + 1)]
    return [(edges[k], edges[k + 1]) for k in range(parts)]


def thread_count(threads: int, grid: Grid, min_parallel_cells: int) -> int:
    """Threads a kernel call on ``grid`` uses: one below ``min_parallel_cells`` interior
    cells or with a single row (an ODE, a 1-row grid), else ``threads``."""
    rows = grid.n[0] if grid.axes else 1
    return threads if grid.cells >= min_parallel_cells and rows > 1 else 1


def _ptr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]  # cheaper than a.ctypes.data


def grid_arrays(grid: Grid, param_values: Sequence[float]) -> tuple[np.ndarray, ...]:
    """The C arrays ``n`` (int64), ``h``, ``lo`` and ``p`` (float64) the generated functions take."""
    return (np.array(grid.n or (1,), dtype=np.int64), np.array(grid.h or (1.0,), dtype=np.float64),
            np.array(grid.lo or (0.0,), dtype=np.float64),
            np.array([float(v) for v in param_values] or [0.0], dtype=np.float64))


def fused_advance(fn: Callable, arrays: tuple[np.ndarray, ...], shape: tuple[int, ...], work_buffers: int,
                  nthreads: int, pool: ThreadPoolExecutor | None, dt: float, keep: Any = None):
    """``advance(y, t, nsteps, dt=None) -> t`` over ``fn`` (an :data:`ADVANCE`): ``nthreads``
    row blocks of the outer axis (``pool`` runs all but the first). ``dt`` defaults to the
    one given here; another one lands the last, shorter step of a run on its end time in
    compiled code (``advance.takes_dt``). ``keep``: objects the closure keeps alive (the JIT
    engine that owns ``fn``'s code)."""
    dt0 = float(dt)
    n, h, lo, p = (_ptr(a) for a in arrays)
    work = np.empty(work_buffers * int(np.prod(shape)), dtype=np.float64)
    wp = _ptr(work)
    rows = int(arrays[0][0]) if len(shape) > 1 else 1
    blocks = row_blocks(rows, nthreads if pool is not None else 1)
    nthreads = len(blocks)

    def advance(y: np.ndarray, t: float, nsteps: int, dt: float | None = None) -> float:
        if y.shape != shape or y.dtype != np.float64 or not y.flags.c_contiguous:
            raise ValueError(f"y must be a C-contiguous float64 array of shape {shape}")
        if nsteps <= 0:
            return t
        yp, dt = _ptr(y), dt0 if dt is None else float(dt)
        if nthreads == 1:
            return fn(yp, wp, n, h, lo, p, t, dt, nsteps, 0, rows, 0, 1, None)
        barrier = np.zeros(2, dtype=np.int64)
        bp = _ptr(barrier)
        futures = [pool.submit(fn, yp, wp, n, h, lo, p, t, dt, nsteps, r0, r1, tid, nthreads, bp)
                   for tid, (r0, r1) in enumerate(blocks) if tid]
        t_new = fn(yp, wp, n, h, lo, p, t, dt, nsteps, *blocks[0], 0, nthreads, bp)
        for fut in futures:
            fut.result()
        return t_new

    advance.args = (arrays, work, keep)  # the arrays and the engine live as long as the closure
    advance.takes_dt = True
    advance.nthreads = nthreads
    return advance


@dataclass(frozen=True)
class AdvanceSpec:
    """What a later process needs to call a cached fused loop: the object file, the
    function's name, the kernel's parameter order, field count, ghost layers and work
    buffers, and the threading of :class:`~.options.LLVMOptions`. Plain data (JSON)."""

    object_path: str
    symbol: str
    params: tuple[str, ...]
    nfields: int
    pad: int
    work_buffers: int
    threads: int
    min_parallel_cells: int
    cpu: str = "host"
    opt: int = 3

    def to_json(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> AdvanceSpec:
        d = dict(d)
        d["params"] = tuple(d["params"])
        return cls(**d)


_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOL_LOCK = threading.Lock()


def _pool(nthreads: int) -> ThreadPoolExecutor:
    with _POOL_LOCK:
        if nthreads not in _POOLS:
            _POOLS[nthreads] = ThreadPoolExecutor(max_workers=nthreads - 1, thread_name_prefix="eqc-llvm")
        return _POOLS[nthreads]


def load_advance(spec: AdvanceSpec, grid: Grid, params: Mapping[str, float], dt: float):
    """``advance(y, t, nsteps, dt=None) -> t`` from the cached object file of ``spec``, on
    ``grid`` (its halo must be ``spec.pad``). Raises OSError when the file is gone."""
    from .machine import load_object

    if grid.halo != spec.pad and grid.axes:
        raise ValueError(f"grid halo {grid.halo} is not the kernel's {spec.pad}")
    jitted = load_object(Path(spec.object_path), spec.cpu, spec.opt)
    fn = ADVANCE(jitted.address(spec.symbol))
    arrays = grid_arrays(grid, [params[p] for p in spec.params])
    shape = (spec.nfields, *grid.padded_shape) if grid.axes else (spec.nfields,)
    nthreads = thread_count(spec.threads, grid, spec.min_parallel_cells)
    pool = _pool(nthreads) if nthreads > 1 else None
    return fused_advance(fn, arrays, shape, spec.work_buffers, nthreads, pool, dt, keep=jitted)
