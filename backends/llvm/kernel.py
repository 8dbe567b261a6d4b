"""The LLVM backend's compiled kernel: JIT-compiled functions called through ctypes (which
releases the GIL), with a thread pool that splits the rows of the outer axis.

``rhs`` fills the ghosts on the calling thread, then runs one task per row block.
``advance`` runs the whole fixed-step loop in compiled code: one call per thread, the
threads meeting at a barrier inside the generated code, so a step costs no Python.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import sympy as sp
from eqc.compiler.diagnostics import InputModelError
from eqc.compiler.ir.kernel import KernelIR
from eqc.compiler.ir.symbols import coord
from eqc.compiler.rewrite.cost import count_program, cycles
from eqc.compiler.rewrite.options import CostTable
from eqc.runtime.grid import Grid

from . import machine
from .codegen import ModuleBuilder, Tableau, c_name, work_buffers
from .options import LLVMOptions
from .pipeline import pipelining_of
from .prepared import ADVANCE, AdvanceSpec, fused_advance, grid_arrays, row_blocks, thread_count

__all__ = ["CompiledKernel", "compile_kernel"]

_P = ctypes.c_void_p
_I = ctypes.c_int64
_D = ctypes.c_double
_GHOSTS = ctypes.CFUNCTYPE(None, _P, _P, _P, _P, _D, _P)
_RHS = ctypes.CFUNCTYPE(None, _P, _P, _P, _P, _P, _D, _P, _I, _I)


def _ptr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


class _GridArgs:
    """The grid and parameters as the C arrays the generated functions take."""

    def __init__(self, kernel: KernelIR, grid: Grid, params: Mapping[str, float]):
        if grid.axes != kernel.axis_names:
            raise ValueError(f"grid axes {grid.axes} do not match the kernel's {kernel.axis_names}")
        if grid.axes and grid.halo < kernel.halo:
            raise ValueError(f"grid halo {grid.halo} is less than the kernel's {kernel.halo}")
        self.pad = grid.halo if grid.axes else kernel.halo
        if any(m < self.pad for m in grid.n):
            raise ValueError(f"every axis needs at least {self.pad} points")
        missing = [p for p in kernel.params if p not in params]
        if missing:
            raise InputModelError(f"no value for parameter(s) {', '.join(missing)}",
                                  hint="give them with --set NAME=VALUE or params={...}")
        self.arrays = grid_arrays(grid, [params[p] for p in kernel.params])
        self.ptrs = tuple(_ptr(a) for a in self.arrays)
        self.shape = (len(kernel.fields), *grid.padded_shape) if grid.axes else (len(kernel.fields),)
        self.rows = grid.n[0] if grid.axes else 1


# ``min_parallel_cells`` is meant for kernels of about this many cycles per point (eqc's
# cost model: a 5-point Laplacian with a reaction term); a kernel doing more per point gets
# threads on proportionally smaller grids. A 50-species network at 2 048 points, RK4:
# 1.5x faster on 2 threads than on 1 (one run); Gray-Scott 128^2 (19 cycles): an rhs call
# on 2 threads was 5x slower than on 1 (dispatch costs ~0.1 ms), so it stays on one.
_NOMINAL_POINT_CYCLES = 16.0
# A bare right-hand side call pays the pool's dispatch (~0.1 ms here) every call, the fused
# loop once per call of many steps, so rhs calls wait for 8x the cells. Same machine, 1 vs
# 2 threads per rhs call: heat 256^2 0.034 / 0.111 ms, 512^2 0.100 / 0.151; Gray-Scott
# 256^2 0.074 / 0.097, 512^2 0.335 / 0.283; the network 2 048 points 0.151 / 0.167, 8 192
# 0.462 / 0.305 (one run each).
_RHS_CELLS_FACTOR = 8


def min_cells(kernel: KernelIR, min_parallel_cells: int) -> int:
    """The interior cells from which calls of ``kernel`` use threads: ``min_parallel_cells``
    divided by the kernel's cycles per point over :data:`_NOMINAL_POINT_CYCLES` (at least 1)."""
    temps = {s for s, _ in kernel.body}
    coords = {coord(a) for a in kernel.axis_names}

    def varying(a: sp.Basic) -> bool:
        return isinstance(a, sp.Indexed) or a in temps or a in coords

    per_point = cycles(count_program(kernel.body, kernel.outputs, varying), CostTable())
    return max(1, int(min_parallel_cells / max(1.0, per_point / _NOMINAL_POINT_CYCLES)))


def _check(y: np.ndarray, shape: tuple[int, ...], what: str) -> None:
    if y.shape != shape or y.dtype != np.float64 or not y.flags.c_contiguous:
        raise ValueError(f"{what} must be a C-contiguous float64 array of shape {shape}, got {y.dtype}{y.shape}")


class CompiledKernel:
    """A kernel JIT-compiled by LLVM (docs/internals.md §5)."""

    def __init__(self, kernel: KernelIR, options: LLVMOptions):
        self.kernel = kernel
        self.options = options
        self.prefix = f"eqc_{c_name(kernel.name)}"
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._methods: dict[tuple[Tableau, int], object] = {}
        self._objects: dict[tuple[Tableau, int], object] = {}
        self._bases: dict[int, tuple] = {}
        self._jitted: list[machine.Jitted] = []
        self.min_cells = min_cells(kernel, options.min_parallel_cells)
        self._base(kernel.halo)  # compile now: errors surface at compile time

    def _build(self, methods: tuple[Tableau, ...], pad: int) -> machine.Jitted:
        mb = ModuleBuilder(self.kernel, self.options.fastmath, with_rhs=not methods, pad=pad,
                           pipelining=pipelining_of(self.options))
        for tab in methods:
            mb.add_method(tab)
        cache = None
        if self.options.cache:
            from eqc.runtime.cache import cache_dir

            cache = cache_dir("llvm")
        jitted = machine.jit(mb.module, self.options.cpu, self.options.opt, cache)
        self._jitted.append(jitted)
        return jitted

    def _base(self, pad: int) -> tuple:
        """(ghosts, rhs, constraint rhs) for states padded by ``pad`` ghost layers (a grid
        may carry more than the kernel's halo, e.g. a split kernel on the full one's grid)."""
        with self._lock:
            found = self._bases.get(pad)
            if found is None:
                jitted = self._build((), pad)
                crhs = _RHS(jitted.address(f"{self.prefix}_crhs")) if self.kernel.constraints else None
                found = (_GHOSTS(jitted.address(f"{self.prefix}_ghosts")),
                         _RHS(jitted.address(f"{self.prefix}_rhs")), crhs)
                self._bases[pad] = found
            return found

    def _threads(self) -> int:
        return self.options.nthreads

    def _executor(self) -> ThreadPoolExecutor | None:
        n = self._threads()
        if n <= 1:
            return None
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=n - 1, thread_name_prefix="eqc-llvm")
            return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    # -- the contract ------------------------------------------------------------------------
    def rhs(self, grid: Grid, params: Mapping[str, float]) -> Callable[[float, np.ndarray, np.ndarray], None]:
        """``f(t, y, out)``: fill y's ghosts, write dy/dt of every evolved field into out."""
        ga = _GridArgs(self.kernel, grid, params)
        n, h, lo, p = ga.ptrs
        ghosts, rhs, crhs = self._base(ga.pad)
        out_shape = (len(self.kernel.outputs), *ga.shape[1:])
        parallel = thread_count(self._threads(), grid, self.min_cells * _RHS_CELLS_FACTOR) > 1
        blocks = row_blocks(ga.rows, self._threads())
        pool = self._executor() if parallel else None

        solvers = self._constraint_solvers(grid, params)

        def f(t: float, y: np.ndarray, out: np.ndarray) -> None:
            _check(y, ga.shape, "y")
            if out.shape[0] < out_shape[0] or out.shape[1:] != out_shape[1:] or out.dtype != np.float64 \
                    or not out.flags.c_contiguous:
                raise ValueError(f"out must be a C-contiguous float64 array of shape {out_shape}")
            yp, op = _ptr(y), _ptr(out)
            ghosts(yp, n, h, lo, t, p)
            if solvers:
                if out.shape[0] < len(self.kernel.fields):
                    raise ValueError("out needs a slot for every field when the kernel has constraints")
                crhs(yp, op, n, h, lo, t, p, 0, ga.rows)
                for j, solve in solvers:
                    y[(j, *grid.interior)] = solve(out[(j, *grid.interior)])
                ghosts(yp, n, h, lo, t, p)
            if pool is None:
                rhs(yp, op, n, h, lo, t, p, 0, ga.rows)
                return
            futures = [pool.submit(rhs, yp, op, n, h, lo, t, p, r0, r1) for r0, r1 in blocks[1:]]
            rhs(yp, op, n, h, lo, t, p, *blocks[0])
            for fut in futures:
                fut.result()

        f.args = (ga, self)  # keep the argument arrays and the JIT engines alive with the closure
        f.nthreads = len(blocks) if pool is not None else 1
        return f

    def _constraint_solvers(self, grid: Grid, params: Mapping[str, float]) -> list:
        """One spectral solver per constraint field (periodic boxes; eqc.runtime.spectral)."""
        if not self.kernel.constraints:
            return []
        from eqc.runtime.spectral import PeriodicSolver

        fi = {f: i for i, f in enumerate(self.kernel.fields)}
        solvers = []
        for c in self.kernel.constraints:
            terms = {orders: complex(float(coef.subs({s: params[s.name] for s in coef.free_symbols})))
                     for orders, coef in c.operator}
            solvers.append((fi[c.field], PeriodicSolver(grid, terms)))
        return solvers

    def advance(self, grid: Grid, params: Mapping[str, float], tableau: object, dt: float):
        """``advance(y, t, nsteps) -> t``: ``nsteps`` fused explicit RK steps of ``tableau``
        in compiled code, or None for an implicit/adaptive method or a steady kernel."""
        if self.kernel.steady or self.kernel.constraints:
            return None
        try:
            tab = Tableau.from_any(tableau)
        except (AttributeError, TypeError, ValueError):
            return None
        if getattr(tableau, "adaptive", False) or getattr(tableau, "b_err", None) is not None:
            return None
        ga = _GridArgs(self.kernel, grid, params)
        fn = self._method(tab, ga.pad)
        nthreads = thread_count(self._threads(), grid, self.min_cells)
        pool = self._executor() if nthreads > 1 else None
        return fused_advance(fn, ga.arrays, ga.shape, work_buffers(tab), nthreads, pool, dt, keep=self)

    def advance_spec(self, grid: Grid, tableau: object) -> AdvanceSpec | None:
        """How another process loads the fused loop :meth:`advance` uses on ``grid``, from
        the disk cache without compiling (None when it is not cached on disk)."""
        tab = Tableau.from_any(tableau)
        pad = grid.halo if grid.axes else self.kernel.halo
        self._method(tab, pad)
        path = self._objects.get((tab, pad))
        if path is None:
            return None
        o = self.options
        return AdvanceSpec(str(path), f"{self.prefix}_{tab.tag}", tuple(self.kernel.params), len(self.kernel.fields),
                           pad, work_buffers(tab), self._threads(), self.min_cells, o.cpu, o.opt)

    def _method(self, tab: Tableau, pad: int | None = None):
        pad = self.kernel.halo if pad is None else pad
        with self._lock:
            fn = self._methods.get((tab, pad))
            if fn is None:
                jitted = self._build((tab,), pad)
                fn = ADVANCE(jitted.address(f"{self.prefix}_{tab.tag}"))
                self._methods[tab, pad] = fn
                self._objects[tab, pad] = jitted.object_path
            return fn


def compile_kernel(kernel: KernelIR, options: object | None = None) -> CompiledKernel:
    """JIT-compile ``kernel`` with LLVM (docs/internals.md §5)."""
    return CompiledKernel(kernel, LLVMOptions.from_any(options))

