"""The classical right-hand side of a kernel IR as jitted JAX (docs/internals.md §3–§5).

The kernel is rendered once into a pure function ``dydt(t, y, p)`` of the padded state
``y`` (shape ``(n_fields, *padded)``) and the parameter vector ``p``; it fills the ghost
cells functionally (``y.at[...].set``), solves constraint fields spectrally, and returns
the time derivative (or steady residual) of every evolved field on the interior. The
time loop of :meth:`CompiledKernel.advance` is a ``lax.fori_loop`` over explicit
Runge–Kutta steps, so a whole classical solve is one differentiable XLA program that runs
on a GPU when JAX sees one.

Ghost-rule conventions (``eqc.compiler.ir.kernel.GhostRule``): offsets along the rule's
axis are relative to the first interior point on its side, in array direction (on the
``hi`` side the interior lies at negative offsets); the rule's own coordinate takes the
boundary's position. Computations run in float64 (``jax.enable_x64`` around tracing and
calls, never a global switch).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from ...compiler.diagnostics import InternalCompilerError
from ...compiler.ir.kernel import KernelIR, decode_access, size, verify_kernel
from ...compiler.ir.symbols import TIME, coord, spacing
from ...runtime.grid import Grid
from .lower import lower

__all__ = ["CompiledKernel", "compile_kernel", "render"]


@dataclass(frozen=True, slots=True)
class _Layout:
    """The static shape information a rendered kernel closes over."""

    n: tuple[int, ...]
    lo: tuple[float, ...]
    hi: tuple[float, ...]
    halo: int

    @property
    def h(self) -> tuple[float, ...]:
        return tuple((b - a) / m for a, b, m in zip(self.lo, self.hi, self.n, strict=True))


def render(kernel: KernelIR, layout: _Layout) -> tuple[Callable, Callable]:
    """The kernel as two pure JAX functions of ``(t, y, p)``: ``fill`` gives ``y`` with its
    ghosts and constraint fields filled; ``dydt`` the interior time derivative (or steady
    residual) of every evolved field, shape ``(n_evolved, *interior)``."""
    axes = kernel.axis_names
    g = layout.halo
    fidx = {f: k for k, f in enumerate(kernel.fields)}
    pidx = {p: k for k, p in enumerate(kernel.params)}
    temps = {s for s, _ in kernel.invariants} | {s for s, _ in kernel.body}
    dim = len(axes)

    def coords_mesh() -> dict[sp.Symbol, Any]:
        out = {}
        for k, (a, lo, h, n) in enumerate(zip(axes, layout.lo, layout.h, layout.n, strict=True)):
            c = lo + (np.arange(n) + 0.5) * h
            shape = [1] * dim
            shape[k] = n
            out[coord(a)] = jnp.asarray(c.reshape(shape))
        return out

    def scalars(t, p) -> dict[sp.Symbol, Any]:
        env: dict[sp.Symbol, Any] = {TIME: t}
        for name, k in pidx.items():
            env[sp.Symbol(name, real=True)] = p[k]
        for a, h, n in zip(axes, layout.h, layout.n, strict=True):
            env[spacing(a)] = h
            env[size(a)] = float(n)
        return env

    def interior_leaf(y, env):
        def leaf(node):
            if node in env:
                return env[node]
            if isinstance(node, sp.Indexed):
                name, offs = decode_access(node, axes)
                if not axes:
                    return y[fidx[name]]
                sl = tuple(slice(g + d, g + d + n) for d, n in zip(offs, layout.n, strict=True))
                return y[(fidx[name], *sl)]
            if isinstance(node, sp.Symbol) and node in temps:
                raise InternalCompilerError(f"temporary {node} used before definition")
            return None

        return leaf

    def fill_ghosts(y, t, env, only: set[str] | None = None):
        for k, ax in enumerate(kernel.axes):
            n = layout.n[k]
            if ax.periodic:
                if g == 0:
                    continue
                sel = [fidx[f] for f in kernel.fields if only is None or f in only]
                lo_src = _take(y, k, slice(g + n - g, g + n))
                hi_src = _take(y, k, slice(g, 2 * g))
                y = _put(y, k, slice(0, g), lo_src, sel)
                y = _put(y, k, slice(g + n, 2 * g + n), hi_src, sel)
                continue
            rules = sorted((r for r in kernel.ghosts if r.axis == ax.name), key=lambda r: r.depth)
            for r in rules:
                if only is not None and r.field not in only:
                    continue
                y = y.at[_ghost_index(fidx[r.field], k, r.side, r.depth, g, layout, dim)].set(
                    _eval_rule(r, y, k, env, layout, axes, fidx, g)
                )
        return y

    def solve_constraints(y, env, mesh):
        for c in kernel.constraints:
            val = lower(c.rhs, interior_leaf(y, env | mesh))
            val = jnp.broadcast_to(val, layout.n)
            sol = _spectral_solve(c, val, layout, env)
            y = y.at[(fidx[c.field], *(slice(g, g + n) for n in layout.n))].set(sol)
            y = fill_ghosts(y, env[TIME], env, only={c.field})
        return y

    def prepare(t, y, p):
        env = scalars(t, p)
        mesh = coords_mesh() if dim else {}
        # invariants first: parameter-only values, computed once per call
        inv_leaf = interior_leaf(y, env)
        for sym, e in kernel.invariants:
            env[sym] = lower(e, inv_leaf)
        y = fill_ghosts(y, t, env)
        if kernel.constraints:
            y = solve_constraints(y, env, mesh)
        return y, env, mesh

    def fill(t, y, p):
        return prepare(t, y, p)[0]

    def dydt(t, y, p):
        y, env, mesh = prepare(t, y, p)
        local = env | mesh
        leaf = interior_leaf(y, local)
        for sym, e in kernel.body:
            local[sym] = lower(e, leaf)
            leaf = interior_leaf(y, local)
        outs = lower(tuple(kernel.outputs), leaf)
        shape = tuple(layout.n)
        return jnp.stack([jnp.broadcast_to(jnp.asarray(o, dtype=y.dtype), shape) for o in outs])

    return fill, dydt


def _take(y, k, sl):
    idx = [slice(None)] * y.ndim
    idx[k + 1] = sl
    return y[tuple(idx)]


def _put(y, k, sl, value, sel):
    idx: list[Any] = [slice(None)] * y.ndim
    idx[0] = np.asarray(sel)
    idx[k + 1] = sl
    return y.at[tuple(idx)].set(value[np.asarray(sel)])


def _ghost_index(f, k, side, depth, g, layout, dim):
    n = layout.n[k]
    pos = g - depth if side == "lo" else g + n - 1 + depth
    idx: list[Any] = [f]
    for j in range(dim):
        idx.append(pos if j == k else slice(g, g + layout.n[j]))
    return tuple(idx)


def _eval_rule(rule, y, k, env, layout, axes, fidx, g):
    """A ghost rule's value on its boundary slab (interior extent of the other axes)."""
    n = layout.n[k]
    first = g if rule.side == "lo" else g + n - 1
    dim = len(axes)
    local = dict(env)
    for j, a in enumerate(axes):
        if j == k:
            local[coord(a)] = layout.lo[j] if rule.side == "lo" else layout.hi[j]
        else:
            c = layout.lo[j] + (np.arange(layout.n[j]) + 0.5) * layout.h[j]
            shape = [layout.n[m] for m in range(dim) if m != k]
            shp = [1] * len(shape)
            shp[j if j < k else j - 1] = layout.n[j]
            local[coord(a)] = jnp.asarray(c.reshape(shp))

    def leaf(node):
        if node in local:
            return local[node]
        if isinstance(node, sp.Indexed):
            name, offs = decode_access(node, axes)
            idx: list[Any] = [fidx[name]]
            for j, d in enumerate(offs):
                if j == k:
                    idx.append(first + d)
                else:
                    idx.append(slice(g + d, g + d + layout.n[j]))
            return y[tuple(idx)]
        return None

    shape = tuple(layout.n[m] for m in range(dim) if m != k)
    return jnp.broadcast_to(jnp.asarray(lower(rule.expr, leaf), dtype=y.dtype), shape)


def _spectral_solve(c, rhs, layout, env):
    """Solve ``sum_k coef_k D^k f = rhs`` on a periodic box by FFT (zero mean where the
    operator annihilates constants)."""
    dim = len(layout.n)
    ks = []
    for j in range(dim):
        L = layout.hi[j] - layout.lo[j]
        kk = 2 * np.pi * np.fft.fftfreq(layout.n[j], d=L / layout.n[j])
        shape = [1] * dim
        shape[j] = layout.n[j]
        ks.append(kk.reshape(shape))
    symbol = 0.0
    for orders, coef in c.operator:
        term = lower(coef, lambda node: env.get(node))
        for j, o in enumerate(orders):
            term = term * (1j * ks[j]) ** o
        symbol = symbol + term
    symbol = jnp.asarray(symbol) * jnp.ones(layout.n)
    safe = jnp.where(jnp.abs(symbol) < 1e-14, 1.0, symbol)
    fh = jnp.where(jnp.abs(symbol) < 1e-14, 0.0, jnp.fft.fftn(rhs) / safe)
    return jnp.real(jnp.fft.ifftn(fh))


@dataclass(slots=True)
class CompiledKernel:
    """A kernel rendered for JAX. ``rhs``/``advance`` follow docs/internals.md §5;
    :meth:`function` gives the pure, differentiable ``dydt(t, y, p)`` itself."""

    kernel: KernelIR
    _cache: dict = field(default_factory=dict, repr=False)

    def _layout(self, grid: Grid) -> _Layout:
        if tuple(grid.axes) != self.kernel.axis_names:
            raise ValueError(f"grid axes {grid.axes} do not match kernel axes {self.kernel.axis_names}")
        if grid.axes and grid.halo < self.kernel.halo:
            raise ValueError(f"grid halo {grid.halo} is smaller than the kernel's {self.kernel.halo}")
        return _Layout(tuple(grid.n), tuple(grid.lo), tuple(grid.hi), grid.halo)

    def _params(self, params: Mapping[str, float]) -> np.ndarray:
        missing = [p for p in self.kernel.params if p not in params]
        if missing:
            raise KeyError(f"missing parameter value(s): {', '.join(missing)}")
        return np.array([float(params[p]) for p in self.kernel.params], dtype=np.float64)

    def functions(self, grid: Grid) -> tuple[Callable, Callable]:
        """The pure JAX ``(fill, dydt)`` of :func:`render` for ``grid``."""
        layout = self._layout(grid)
        if layout not in self._cache:
            self._cache[layout] = render(self.kernel, layout)
        return self._cache[layout]

    def function(self, grid: Grid) -> Callable[[Any, Any, Any], Any]:
        """The pure JAX ``dydt(t, y, p)`` for ``grid`` (jit it, differentiate it, vmap it)."""
        return self.functions(grid)[1]

    def rhs(self, grid: Grid, params: Mapping[str, float]):
        """``RHS(t, y, out)``: fills ``y``'s ghosts (and constraint fields) in place and
        writes ``dy/dt`` of every evolved field into ``out[k][interior]``."""
        fill, f = self.functions(grid)
        p = self._params(params)
        evolved = [self.kernel.fields.index(e) for e in self.kernel.evolved]
        interior = grid.interior
        with jax.enable_x64(True):
            step = jax.jit(lambda t, y, p: (f(t, y, p), fill(t, y, p)))

        def call(t: float, y: np.ndarray, out: np.ndarray) -> None:
            with jax.enable_x64(True):
                d, filled = step(float(t), y, p)
            y[...] = np.asarray(filled)
            for k, e in enumerate(evolved):
                out[(e, *interior)] = np.asarray(d[k])

        return call

    def advance(self, grid: Grid, params: Mapping[str, float], tableau, dt: float):
        """``Advance(y, t, nsteps) -> t``: fixed-step explicit Runge–Kutta as one
        ``lax.fori_loop`` (Butcher 2016, §23). None for an implicit tableau."""
        b = np.array(tableau.b, dtype=float)
        a = np.zeros((len(b), len(b)))
        for i, row in enumerate(tableau.a):  # full rows, or the ragged strictly-lower rows
            a[i, : len(row)] = row
        c = np.array(tableau.c, dtype=float)
        if np.any(np.triu(a) != 0) or self.kernel.steady:
            return None
        fill, f = self.functions(grid)
        p = self._params(params)
        evolved = np.array([self.kernel.fields.index(e) for e in self.kernel.evolved])
        idx = (evolved, *grid.interior)
        s = len(b)

        def one_step(y, t):
            ks = []
            for i in range(s):
                yi = y
                incr = sum((dt * a[i, j]) * ks[j] for j in range(i) if a[i, j] != 0)
                if not isinstance(incr, int):
                    yi = y.at[idx].add(incr)
                ks.append(f(t + c[i] * dt, yi, p))
            return y.at[idx].add(sum((dt * b[i]) * ks[i] for i in range(s) if b[i] != 0))

        def run(y, t, nsteps):
            y = jax.lax.fori_loop(0, nsteps, lambda i, y: one_step(y, t + i * dt), y)
            return fill(t + nsteps * dt, y, p)

        with jax.enable_x64(True):
            jrun = jax.jit(run)

        def call(y: np.ndarray, t: float, nsteps: int) -> float:
            with jax.enable_x64(True):
                out = jrun(y, float(t), int(nsteps))
            y[...] = np.asarray(out)
            return float(t) + int(nsteps) * dt

        return call


def compile_kernel(kernel: KernelIR, options=None) -> CompiledKernel:
    """Render ``kernel`` for JAX (``options``: :class:`eqc.compiler.options.BackendOptions`,
    accepted for the common interface; XLA decides fusion and threading itself)."""
    verify_kernel(kernel)
    return CompiledKernel(kernel)
