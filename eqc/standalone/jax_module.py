"""``eqc compile --target jax``: a standalone module (jax only, plus numpy for the grid
helpers) with a pure ``rhs``, a jitted RK4 ``step`` (``lax.fori_loop``) and the model's
metadata, rendered from the kernel IR.

Accesses ``u[i+a, j+b]`` become shifted slices of the padded state, so the right-hand side
is whole-array ``jax.numpy`` code; ghosts are filled functionally (``.at[].set``), axis by
axis, like every other backend (docs/internals.md §3). The module turns on 64-bit floats
(``jax_enable_x64``) when imported, as classical solvers need them.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.numpy import JaxPrinter

from eqc.compiler.ir.kernel import KernelIR, decode_access

from .meta import GRID_HELPERS, StandaloneInfo, header_comment, metadata_block

__all__ = ["render"]


class _Printer(JaxPrinter):
    """``jax.numpy`` source with symbols and accesses renamed by tables."""

    def __init__(self, names: dict, accesses: dict):
        super().__init__({"fully_qualified_modules": True})
        self._names, self._accesses = names, accesses

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        name = self._names.get(expr.name)
        return name if name is not None else super()._print_Symbol(expr)

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        return self._accesses[expr]

    def _print_Rational(self, expr: sp.Rational) -> str:
        return repr(float(expr))

    def _print_Integer(self, expr: sp.Integer) -> str:
        return f"{int(expr)}.0"


def _slices(kernel: KernelIR, offs: tuple[int, ...], fixed: dict[int, str]) -> str:
    """Index text for one field: fixed positions (ghost rules) or interior windows."""
    parts = []
    for d, o in enumerate(offs):
        if d in fixed:
            parts.append(f"{fixed[d]} + {o}" if o else fixed[d])
        else:
            parts.append(f"HALO + {o}:HALO + {o} + n[{d}]" if o else f"HALO:HALO + n[{d}]")
    return ", ".join(parts)


class _Renderer:
    def __init__(self, kernel: KernelIR):
        self.k = kernel
        self.axes = kernel.axis_names
        names = {p: f"p[{i}]" for i, p in enumerate(kernel.params)}
        names.update({f"h_{a}": f"h[{d}]" for d, a in enumerate(self.axes)})
        names.update({f"n_{a}": f"float(n[{d}])" for d, a in enumerate(self.axes)})
        names.update({a: f"X[{d}]" for d, a in enumerate(self.axes)})
        names["t"] = "t"
        temps = list(kernel.invariants) + list(kernel.body)
        names.update({s.name: f"T{i}" for i, (s, _) in enumerate(temps)})
        self.names = names

    def expr(self, e: sp.Expr, fixed: dict[int, str] | None = None, coords: dict | None = None) -> str:
        fixed = fixed or {}
        acc = {}
        for a in e.atoms(sp.Indexed):
            name, offs = decode_access(a, self.axes)
            f = self.k.fields.index(name)
            acc[a] = f"y[{f}, {_slices(self.k, offs, fixed)}]" if self.axes else f"y[{f}]"
        names = dict(self.names)
        names.update(coords or {})
        return _Printer(names, acc).doprint(e)

    def ghosts(self) -> list[str]:
        out = ["def fill_ghosts(y, t, p, lo, h):", '    """Ghost cells of y filled (a new array)."""',
               "    n = tuple(s - 2 * HALO for s in y.shape[1:])"]
        for d, ax in enumerate(self.k.axes):
            if ax.periodic:
                for j in range(1, self.k.halo + 1):
                    pre = ":, " + ":, " * d
                    out.append(f"    y = y.at[{pre}HALO - {j}].set(y[{pre}HALO + n[{d}] - {j}])")
                    out.append(f"    y = y.at[{pre}HALO + n[{d}] - 1 + {j}].set(y[{pre}HALO + {j} - 1])")
                continue
            rules = sorted((r for r in self.k.ghosts if r.axis == ax.name), key=lambda r: r.depth)
            others = [e for e in range(len(self.axes)) if e != d]
            for r in rules:
                first = "HALO" if r.side == "lo" else f"HALO + n[{d}] - 1"
                coords = {}
                for m, e in enumerate(others):
                    shape = ", ".join("-1" if q == m else "1" for q in range(len(others)))
                    coords[self.axes[e]] = (f"(lo[{e}] + (jnp.arange(n[{e}]) + 0.5) * h[{e}]).reshape({shape})")
                coords[ax.name] = f"lo[{d}]" if r.side == "lo" else f"(lo[{d}] + n[{d}] * h[{d}])"
                value = self.expr(r.expr, {d: first}, coords)
                ghost = f"{first} - {r.depth}" if r.side == "lo" else f"{first} + {r.depth}"
                f = self.k.fields.index(r.field)
                idx = ", ".join(ghost if e == d else f"HALO:HALO + n[{e}]" for e in range(len(self.axes)))
                shape = "(" + "".join(f"n[{e}], " for e in others) + ")"
                out.append(f"    # {r.source or r.kind}")
                out.append(f"    y = y.at[{f}, {idx}].set(jnp.broadcast_to({value}, {shape}))")
        out.append("    return y")
        return out

    def interior(self) -> list[str]:
        k = self.k
        out = ["def interior_rhs(y, t, p, lo, h):",
               '    """dy/dt of the evolved fields at interior points (y\'s ghosts filled)."""',
               "    n = tuple(s - 2 * HALO for s in y.shape[1:])" if self.axes else "    n = ()"]
        if self.axes:
            out.append("    X = jnp.meshgrid(*[lo[d] + (jnp.arange(n[d]) + 0.5) * h[d] for d in range(len(n))],"
                       " indexing='ij')")
        out += [f"    # {eq}" for eq in k.equations]
        temps = list(k.invariants) + list(k.body)
        for i, (_, e) in enumerate(temps):
            out.append(f"    T{i} = {self.expr(e)}")
        shape = "n" if self.axes else "()"
        outs = ", ".join(f"jnp.broadcast_to({self.expr(o)}, {shape})" for o in k.outputs)
        out.append(f"    return jnp.stack([{outs}])")
        return out


_API = '''

def _put(y, values):
    if AXES:
        return y.at[(slice(0, len(EVOLVED)), *[slice(HALO, -HALO or None)] * len(AXES))].set(values)
    return y.at[: len(EVOLVED)].set(values)


def _parts(params, n):
    """Parameters as a jax vector (values may be traced: rhs is differentiable in them)."""
    values = dict(PARAM_DEFAULTS)
    for key, value in (params or {}).items():
        if key not in values:
            raise KeyError(f"{MODEL} has no parameter {key!r}; it has {', '.join(PARAMS) or 'none'}")
        values[key] = value
    p = jnp.stack([jnp.asarray(values[q], dtype=jnp.float64) for q in PARAMS]) if PARAMS else jnp.zeros(1)
    lo, h, _ = _grid_arrays(n)
    return p, jnp.asarray(lo), jnp.asarray(h)


def rhs(t, y, params=None, n=None):
    """dy/dt of the state y (same shape; ghosts and constraint slots of the result are 0)."""
    y = jnp.asarray(y)
    p, lo, h = _parts(params, n)
    y = fill_ghosts(y, t, p, lo, h)
    return _put(jnp.zeros_like(y), interior_rhs(y, t, p, lo, h))


@jax.jit
def _rk4(y, t, dt, nsteps, p, lo, h):
    def f(t, y):
        y = fill_ghosts(y, t, p, lo, h)
        return _put(jnp.zeros_like(y), interior_rhs(y, t, p, lo, h))

    def one(i, carry):
        y, t = carry
        k1 = f(t, y)
        k2 = f(t + dt / 2, y + dt / 2 * k1)
        k3 = f(t + dt / 2, y + dt / 2 * k2)
        k4 = f(t + dt, y + dt * k3)
        return y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4), t + dt

    return jax.lax.fori_loop(0, nsteps, one, (y, t))


def step(y, t, dt, nsteps=1, params=None, n=None):
    """nsteps classical RK4 steps of size dt; returns (new state, new time) (pure)."""
    p, lo, h = _parts(params, n)
    y, t = _rk4(jnp.asarray(y), jnp.float64(t), jnp.float64(dt), int(nsteps), p, lo, h)
    return y, float(t)
'''


def render(kernel: KernelIR, info: StandaloneInfo) -> str:
    """The source of the standalone JAX module of ``kernel``."""
    r = _Renderer(kernel)
    head = header_comment(kernel, info, "jax", "jax and numpy")
    body = [
        '"""Pure-JAX right-hand side and RK4 step of model `' + (info.model or kernel.name) + '` (see header)."""',
        "",
        "import functools  # noqa: F401 (min/max reductions)",
        "",
        "import jax",
        "import jax.numpy as jnp",
        "import numpy as np",
        "",
        'jax.config.update("jax_enable_x64", True)',
        "",
        metadata_block(kernel, info),
        GRID_HELPERS,
        "",
        *r.ghosts(),
        "",
        "",
        *r.interior(),
        _API,
    ]
    src = "\n".join(body)
    return head + src.replace("jax.numpy.", "jnp.")
