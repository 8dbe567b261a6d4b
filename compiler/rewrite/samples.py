"""Synthetic right-hand sides for the rewriter's tests and ``benchmarks/egraph.py``.

Each builder returns ``(outputs, varying)`` in kernel-IR form: field values are accesses
made by :func:`eqc.compiler.ir.kernel.access`, parameters and spacings are invariant.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import sympy as sp

from ..ir.kernel import access
from ..ir.symbols import param, spacing

__all__ = ["varying_accesses", "reaction_network", "stencil_reaction", "laplacian_5", "gray_scott"]


def varying_accesses(a: sp.Basic) -> bool:
    """Kernel semantics without coordinates: accesses vary, everything else is invariant."""
    return isinstance(a, sp.Indexed)


def laplacian_5(f: str, coef: sp.Expr) -> sp.Expr:
    """``coef * (E + W + N + S - 4 C) / h^2`` on one spacing ``h_x`` (as a discretiser writes it)."""
    ax = ("x", "y")
    h = spacing("x")
    a = [access(f, o, ax) for o in ((1, 0), (-1, 0), (0, 1), (0, -1))]
    return coef * (sum(a) - 4 * access(f, (0, 0), ax)) / h**2


def laplacian_9(f: str, coef: sp.Expr) -> sp.Expr:
    """The isotropic 9-point Laplacian ``(4*(E+W+N+S) + corners - 20 C) / (6 h^2)``."""
    ax = ("x", "y")
    h = spacing("x")
    edges = sum(access(f, o, ax) for o in ((1, 0), (-1, 0), (0, 1), (0, -1)))
    corners = sum(access(f, o, ax) for o in ((1, 1), (-1, 1), (1, -1), (-1, -1)))
    return coef * (4 * edges + corners - 20 * access(f, (0, 0), ax)) / (6 * h**2)


def gray_scott() -> tuple[list[sp.Expr], Callable[[sp.Basic], bool]]:
    """Gray–Scott with 5-point Laplacians: the shared ``u*v^2`` across two equations."""
    Du, Dv, F, k = (param(n) for n in ("Du", "Dv", "F", "k"))
    u, v = access("u", (0, 0), ("x", "y")), access("v", (0, 0), ("x", "y"))
    r = u * v**2
    return [laplacian_5("u", Du) - r + F * (1 - u), laplacian_5("v", Dv) + r - (F + k) * v], varying_accesses


def stencil_reaction() -> tuple[list[sp.Expr], Callable[[sp.Basic], bool]]:
    """A 9-point Laplacian for ``u`` and a 5-point one for ``v`` with a cubic
    (FitzHugh–Nagumo) reaction ``u - u^3 - v`` and ``eps*(u - a*v - b)``."""
    Du, Dv, eps, a, b = (param(n) for n in ("Du", "Dv", "eps", "a", "b"))
    u, v = access("u", (0, 0), ("x", "y")), access("v", (0, 0), ("x", "y"))
    du = laplacian_9("u", Du) + u - u**3 - v
    dv = laplacian_5("v", Dv) + eps * (u - a * v - b)
    return [du, dv], varying_accesses


def reaction_network(
    species: int = 50, reactions: int = 200, seed: int = 0, reversible: bool = False, constants: int = 0
) -> tuple[list[sp.Expr], Callable[[sp.Basic], bool]]:
    """A random mass-action network: each reaction has 1–2 reactants and 1–2 products
    (a species may appear twice), rate ``k_j * prod(reactants)``; the output of species
    ``i`` is ``sum_j (nu_prod - nu_react)_ij * rate_j`` (Feinberg, *Foundations of
    Chemical Reaction Network Theory*, 2019, ch. 2). ``reversible``: reactions come in
    forward/backward pairs; ``constants > 0``: rate constants drawn from a pool of that
    many (as the reactions a rule-based model generates from one rule share its constant).
    With both off, each reaction has its own constant (the benchmark's network)."""
    rng = random.Random(seed)
    c = [access(f"c{i}", (0,), ("x",)) for i in range(species)]
    rhs = [sp.Integer(0)] * species
    j = 0
    while j < reactions:
        reac = [rng.randrange(species) for _ in range(rng.choice((1, 2, 2)))]
        prod = [rng.randrange(species) for _ in range(rng.choice((1, 2)))]
        for a, b in [(reac, prod), (prod, reac)] if reversible else [(reac, prod)]:
            k = param(f"k{rng.randrange(constants) if constants else j}")
            rate = k * sp.Mul(*(c[i] for i in a))
            for i in a:
                rhs[i] -= rate
            for i in b:
                rhs[i] += rate
            j += 1
    return rhs, varying_accesses
