"""Load generated numba modules from a content-addressed disk cache and call them.

The module text (:func:`eqc.backends.numba.emit.emit_module`) is written atomically to
``<cache>/numba/eqc_<model>_<sha256[:20]>.py`` where the hash covers the kernel IR's
rendering, the backend options and the time-stepping tableau; numba's own ``cache=True``
then keeps the machine code beside it, so a second process neither regenerates nor JITs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
from collections.abc import Mapping
from types import ModuleType

import numpy as np
from eqc.compiler.diagnostics import SemanticModelError
from eqc.compiler.ir.kernel import KernelIR
from eqc.compiler.options import BackendOptions
from eqc.runtime.cache import cache_dir
from eqc.runtime.checkpoint import atomic_write_bytes
from eqc.runtime.grid import Grid

from .emit import Tableau, emit_module

__all__ = ["NumbaKernel", "SERIAL_BELOW"]

# grids with fewer cells than this run the serial variant (thread fork/join costs more)
SERIAL_BELOW = 20_000

_LOCK = threading.Lock()

# LLVM's loop vectoriser leaves a loop scalar when proving its arrays apart at run time takes
# more than ``-vectorize-memory-check-threshold`` pointer comparisons (128). @njit cannot mark
# arrays ``noalias``, so a sweep over F fields (F arrays read, F written, ~2F^2 comparisons)
# stayed scalar beyond 8 fields. At 1024 LLVM vectorises most such loops up to ~22 fields
# (networks of 9-22 species: 1.2-3.7x faster right-hand sides, first compile up to 5 s
# longer; a 16-species one stays scalar: LLVM finds "unsafe dependent memory operations");
# beyond that its compile time explodes (a 50-field network's rhs: 9 s -> 116 s), so those
# loops stay scalar. ``benchmarks/numba_fields.py`` measures it.
# The option is process-wide; it only lets LLVM emit more run-time checks.
ALIAS_CHECKS_ENV = "EQC_NUMBA_ALIAS_CHECKS"
_options_set = False


def _allow_alias_checks() -> None:
    global _options_set
    if not _options_set:
        import llvmlite.binding as llvm

        value = os.environ.get(ALIAS_CHECKS_ENV, "1024")
        checks = int(value) if value.isdigit() else 1024
        llvm.set_option("eqc", f"--vectorize-memory-check-threshold={checks}")
        _options_set = True


def _load(source: str, name: str) -> ModuleType:
    _allow_alias_checks()
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    modname = f"eqc_{name}_{digest}"
    with _LOCK:
        if modname in sys.modules:
            return sys.modules[modname]
        path = cache_dir("numba") / f"{modname}.py"
        if not path.exists() or path.read_text() != source:
            atomic_write_bytes(path, source.encode())
        spec = importlib.util.spec_from_file_location(modname, path)
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules[modname] = mod
        spec.loader.exec_module(mod)
        return mod


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)[:40]


def _tableau(tab) -> Tableau:
    return Tableau(tab.name, tuple(tuple(float(v) for v in row) for row in tab.a), tuple(map(float, tab.b)), tuple(map(float, tab.c)))


class NumbaKernel:
    """A kernel IR compiled by numba: ``rhs(grid, params)`` and ``advance(...)``
    (docs/internals.md §5). Parameters and grids are run-time arguments."""

    def __init__(self, kernel: KernelIR, options: BackendOptions):
        self.kernel = kernel
        self.options = options
        self._modules: dict[tuple[Tableau | None, int | None], ModuleType] = {}
        self._buffers: dict[Tableau, int] = {}

    # ------------------------------------------------------------------ modules
    def _pad(self, grid: Grid | None) -> int | None:
        """The state's ghost width when wider than the kernel's halo (a split ETDRK4
        kernel runs on its model's grid), else None (the kernel's own layout)."""
        if grid is None or not grid.dim or grid.halo <= self.kernel.halo:
            return None
        return grid.halo

    def source(self, tableau=None, grid: Grid | None = None) -> str:
        tab = _tableau(tableau) if tableau is not None else None
        return emit_module(self.kernel, self.options, tab, self._pad(grid))[0]

    def module(self, tableau=None, grid: Grid | None = None) -> ModuleType:
        tab = _tableau(tableau) if tableau is not None else None
        pad = self._pad(grid)
        mod = self._modules.get((tab, pad))
        if mod is None:
            src, nbuf = emit_module(self.kernel, self.options, tab, pad)
            mod = self._modules[(tab, pad)] = _load(src, _safe(self.kernel.name))
            if tab is not None:
                self._buffers[tab] = nbuf
        return mod

    # ------------------------------------------------------------------ arguments
    def arguments(self, grid: Grid, params: Mapping[str, float]) -> tuple:
        missing = [p for p in self.kernel.params if p not in params]
        if missing:
            raise SemanticModelError(
                f"parameter `{missing[0]}` has no value",
                hint=f"give it one with --set {missing[0]}=VALUE or params={{'{missing[0]}': ...}}",
            )
        if grid.dim and grid.halo < self.kernel.halo:
            raise ValueError(f"grid halo {grid.halo} < kernel halo {self.kernel.halo}")
        p = np.array([float(params[q]) for q in self.kernel.params], dtype=np.float64)
        lo = np.array(grid.lo, dtype=np.float64)
        h = np.array(grid.h, dtype=np.float64)
        n = np.array(grid.n, dtype=np.int64)
        return p, lo, h, n

    def _suffix(self, grid: Grid) -> str:
        return "_serial" if (grid.cells < SERIAL_BELOW or not self.options.parallel) else ""

    def rhs(self, grid: Grid, params: Mapping[str, float]):
        """``RHS(t, y, out)``: fills ghosts (and constraint fields) of ``y``, writes the
        right-hand sides of the evolved fields into ``out``'s interior."""
        mod = self.module(grid=grid)
        sfx = self._suffix(grid)
        p, lo, h, n = self.arguments(grid, params)
        k = self.kernel
        if not k.constraints:
            fn = getattr(mod, f"rhs{sfx}")

            def rhs(t: float, y: np.ndarray, out: np.ndarray) -> None:
                fn(y, out, float(t), p, lo, h, n)

            return rhs
        from eqc.runtime.spectral import PeriodicSolver

        fill = getattr(mod, f"fill_ghosts{sfx}")
        crhs = getattr(mod, f"constraint_rhs{sfx}")
        sweep = getattr(mod, f"sweep{sfx}")
        fi = {f: i for i, f in enumerate(k.fields)}
        solvers = []
        for c in k.constraints:
            terms = {orders: complex(float(coef.subs({s: params[s.name] for s in coef.free_symbols})))
                     for orders, coef in c.operator}
            solvers.append((fi[c.field], PeriodicSolver(grid, terms)))
        inner = grid.interior

        def rhs_c(t: float, y: np.ndarray, out: np.ndarray) -> None:
            t = float(t)
            fill(y, t, p, lo, h, n)
            crhs(y, out, t, p, lo, h, n)
            for j, solve in solvers:
                y[(j, *inner)] = solve(out[(j, *inner)])
            fill(y, t, p, lo, h, n)
            sweep(y, out, t, p, lo, h, n)

        return rhs_c

    def advance(self, grid: Grid, params: Mapping[str, float], tableau, dt: float):
        """The compiled fixed-step loop ``Advance(y, t, nsteps) -> t`` for ``tableau``,
        or None when this kernel has none (constraint fields need the Python path)."""
        if self.kernel.constraints or self.kernel.steady:
            return None
        mod = self.module(tableau, grid)
        nbuf = self._buffers[_tableau(tableau)]
        fn = getattr(mod, f"advance{self._suffix(grid)}")
        p, lo, h, n = self.arguments(grid, params)
        shape = (len(self.kernel.fields), *grid.padded_shape) if grid.dim else (len(self.kernel.fields),)
        B = np.zeros((max(nbuf, 1), *shape))
        acc = np.zeros(shape)
        ynew = np.zeros(shape)
        dt = float(dt)

        def advance(y: np.ndarray, t: float, nsteps: int) -> float:
            return float(fn(y, float(t), dt, int(nsteps), p, lo, h, n, B, acc, ynew))

        return advance
