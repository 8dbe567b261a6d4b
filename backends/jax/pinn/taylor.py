"""Batched Taylor-mode derivatives: every input derivative the residual needs, in one
forward sweep over the whole batch of points.

A *jet* maps a derivative key (the sorted input directions, ``()`` for the value,
``(1, 1)`` for d²/dx²) to its value over the batch; a missing key is identically zero,
and a Python float is a value constant over the batch. Jets go through the operations a
PINN solution is made of: affine maps, products (the Leibniz rule over subsets of the
key's positions), smooth scalar functions (Faà di Bruno's formula over set partitions of
the positions, with the function's own derivatives in closed form) and dense layers (one
matrix product per key). This is forward-mode differentiation carried to higher order at
once (Griewank & Walther, *Evaluating Derivatives*, 2nd ed., SIAM 2008, ch. 13; JAX's
``jax.experimental.jet`` is the general form), never a Hessian.

Why not nested ``jax.jvp`` under ``vmap`` (the per-point path, still ``Problem.pde``): for
the Burgers residual (u, u_t, u_x, u_xx) of a 64x4 tanh MLP the loss and gradient took
1.58x as long that way, at 2048 and at 8192 points, on the 2-core CPU here
(``python benchmarks/pinn_derivatives.py --rounds 5``): nested jvps evaluate the primal and
the first tangent more than once, vmap over per-point matrix-vector products gives XLA
smaller kernels than one matrix product per key, and zero components (a scaled input has
no second derivative) are skipped here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from itertools import combinations
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "Key", "Jet", "closure", "variable", "affine", "add", "mul", "apply", "linear", "columns",
    "concat", "TANH", "SIN", "COS", "jvp_chain", "jvp_jets",
]

Key = tuple[int, ...]
Jet = dict[Key, Any]
# The value and the first ``n`` derivatives of a scalar function at ``x``.
Derivs = Callable[[Any, int], list[Any]]


def closure(keys: Iterable[Sequence[int]]) -> tuple[Key, ...]:
    """Every key a jet needs to carry ``keys``: their sub-multisets, value first."""
    out: set[Key] = {()}
    for k in keys:
        k = tuple(sorted(k))
        for r in range(1, len(k) + 1):
            out.update(tuple(k[i] for i in c) for c in combinations(range(len(k)), r))
    return tuple(sorted(out, key=lambda k: (len(k), k)))


def variable(Z, k: int, keys: Sequence[Key]) -> Jet:
    """Input coordinate ``k`` of the batch ``Z`` (n, dim)."""
    out: Jet = {(): Z[:, k]}
    if (k,) in keys:
        out[(k,)] = 1.0
    return out


def affine(x: Jet, scale: float, shift: float = 0.0) -> Jet:
    out = {k: scale * v for k, v in x.items()}
    out[()] = out[()] + shift
    return out


def add(x: Jet, y: Jet) -> Jet:
    out = dict(x)
    for k, v in y.items():
        out[k] = v if k not in out else out[k] + v
    return out


def _acc(acc, t):
    return t if acc is None else acc + t


@cache
def _splits(key: Key) -> tuple[tuple[Key, Key, int], ...]:
    """Leibniz: ``(key_S, key_rest, multiplicity)`` over the subsets S of positions."""
    n = len(key)
    count: Counter = Counter()
    for mask in range(1 << n):
        a = tuple(key[i] for i in range(n) if mask >> i & 1)
        b = tuple(key[i] for i in range(n) if not mask >> i & 1)
        count[(a, b)] += 1
    return tuple((a, b, m) for (a, b), m in count.items())


def mul(x: Jet, y: Jet, keys: Sequence[Key]) -> Jet:
    out: Jet = {}
    for k in keys:
        acc = None
        for a, b, m in _splits(k):
            if a in x and b in y:
                t = x[a] * y[b]
                acc = _acc(acc, t if m == 1 else m * t)
        if acc is not None:
            out[k] = acc
    return out


def _set_partitions(items: list[int]):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for p in _set_partitions(rest):
        for i in range(len(p)):
            yield p[:i] + [[first, *p[i]]] + p[i + 1 :]
        yield [[first], *p]


@cache
def _partitions(key: Key) -> tuple[tuple[tuple[Key, ...], int], ...]:
    """Faà di Bruno: ``(block keys, multiplicity)`` over the set partitions of positions."""
    count: Counter = Counter()
    for p in _set_partitions(list(range(len(key)))):
        count[tuple(sorted(tuple(sorted(key[i] for i in b)) for b in p))] += 1
    return tuple(count.items())


def apply(f: Derivs, x: Jet, keys: Sequence[Key]) -> Jet:
    """``f(x)`` for a smooth scalar function given by its derivatives."""
    order = max(len(k) for k in keys)
    d = f(x[()], order)
    out: Jet = {(): d[0]}
    for k in keys:
        if not k:
            continue
        acc = None
        for blocks, m in _partitions(k):
            if all(b in x for b in blocks):
                t = d[len(blocks)]
                for b in blocks:
                    t = t * x[b]
                acc = _acc(acc, t if m == 1 else m * t)
        if acc is not None:
            out[k] = acc
    return out


def linear(x: Jet, weight, bias=None) -> Jet:
    """A dense layer ``v @ weight.T + bias`` applied to a jet of (n, in) arrays."""
    wt = weight.T
    out = {k: v @ wt for k, v in x.items()}
    if bias is not None:
        out[()] = out[()] + bias
    return out


def columns(parts: Sequence[Jet], n: int, dtype) -> Jet:
    """Scalar jets side by side: a jet of (n, len(parts)) arrays."""
    keys = dict.fromkeys(k for p in parts for k in p)
    out: Jet = {}
    for k in keys:
        cols = [jnp.broadcast_to(jnp.asarray(p[k], dtype), (n,)) if k in p else jnp.zeros((n,), dtype) for p in parts]
        out[k] = jnp.stack(cols, axis=1)
    return out


def concat(parts: Sequence[Jet], widths: Sequence[int], n: int, dtype) -> Jet:
    """Jets of (n, w_i) arrays side by side."""
    keys = dict.fromkeys(k for p in parts for k in p)
    return {
        k: jnp.concatenate([p[k] if k in p else jnp.zeros((n, w), dtype) for p, w in zip(parts, widths, strict=True)], axis=1)
        for k in keys
    }


@cache
def _tanh_polys(order: int) -> tuple[np.ndarray, ...]:
    """d^n tanh / dx^n as polynomials in s = tanh(x): P_0 = s, P_{n+1} = (1 - s^2) P_n'."""
    polys = [np.polynomial.Polynomial([0.0, 1.0])]
    one_minus_s2 = np.polynomial.Polynomial([1.0, 0.0, -1.0])
    for _ in range(order):
        polys.append(one_minus_s2 * polys[-1].deriv())
    return tuple(p.coef for p in polys)


def _horner(coef: np.ndarray, s):
    acc = float(coef[-1])
    for c in coef[-2::-1]:
        acc = acc * s + float(c) if c else acc * s
    return acc


def TANH(x, n: int) -> list[Any]:
    s = jnp.tanh(x)
    out = [s]
    if n >= 1:
        d = 1.0 - s * s
        out.append(d)
    if n >= 2:
        out.append(-2.0 * s * d)
    out += [_horner(c, s) for c in _tanh_polys(n)[3 : n + 1]]
    return out


def _trig(x, n: int, first) -> list[Any]:
    s, c = jnp.sin(x), jnp.cos(x)
    cycle = [s, c, -s, -c] if first == "sin" else [c, -s, -c, s]
    return [cycle[i % 4] for i in range(n + 1)]


def SIN(x, n: int) -> list[Any]:
    return _trig(x, n, "sin")


def COS(x, n: int) -> list[Any]:
    return _trig(x, n, "cos")


def jvp_chain(F: Callable[[Any], Any], z, key: Key) -> tuple[Any, ...]:
    """``F`` and its derivatives along every prefix of ``key`` at ``z`` (one point
    ``(dim,)`` or a batch ``(n, dim)`` of independent points), by one chain of nested
    ``jax.jvp``: each level returns its primal and its tangent, so ``u, u_x, u_xx`` cost one
    nested evaluation, not three."""

    def level0(z):
        return (F(z),)

    fn = level0
    for d in key:
        fn = _extend(fn, d)
    return fn(z)


def _extend(fn, d: int):
    def g(z):
        e = jnp.zeros_like(z).at[..., d].set(1.0)
        primal, tangent = jax.jvp(fn, (z,), (e,))
        return (*primal, tangent[-1])

    return g


def jvp_jets(F: Callable[[Any], Any], Z, keys: Sequence[Key]) -> Jet:
    """The jet of a point-wise batch function ``F`` (``(n, dim) -> (n, ...)``) by nested
    ``jax.jvp`` along each key's directions, every prefix of a chain kept (the general
    path, for the cheap parts of a solution and for callables that are not networks)."""
    cache: Jet = {}
    for key in sorted(keys, key=len, reverse=True):
        if key not in cache:
            for i, v in enumerate(jvp_chain(F, Z, key)):
                cache.setdefault(key[:i], v)
    return {k: cache[k] for k in keys}
