"""Finite-difference weights and ghost-cell formulas on the cell-centred grid (docs/grid.md).

Central weights come from Fornberg's algorithm (B. Fornberg, "Generation of finite
difference formulas on arbitrarily spaced grids", Math. Comp. 51 (1988) 699–706), through
:func:`sympy.finite_diff_weights`. Ghost values come from the polynomial that takes the
interior values next to the boundary and satisfies the boundary condition half a cell
outside the first point (LeVeque, *Finite Difference Methods for ODEs and PDEs*, SIAM 2007,
§2.12 for the ghost-cell idea).
"""

from __future__ import annotations

import functools

import sympy as sp

__all__ = ["central_weights", "central_halo", "ghost_formula"]


def central_halo(deriv: int, order: int) -> int:
    """Half-width of the central stencil of ``deriv``-th derivative at accuracy ``order``."""
    return (deriv + 1) // 2 - 1 + order // 2


@functools.cache
def central_weights(deriv: int, order: int) -> tuple[tuple[int, sp.Rational], ...]:
    """``((offset, weight), ...)`` of the central difference ``d^deriv/dx^deriv`` (times
    ``h^deriv``) accurate to ``O(h^order)``; zero weights dropped."""
    half = central_halo(deriv, order)
    pts = list(range(-half, half + 1))
    weights = sp.finite_diff_weights(deriv, pts, 0)[deriv][-1]
    return tuple((p, sp.Rational(w)) for p, w in zip(pts, weights, strict=True) if w != 0)


_S = sp.Symbol("s")
ALPHA, BETA, G, H = sp.symbols("alpha beta g h")


@functools.cache
def ghost_formula(degree: int, depth: int, side: str) -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    """The ghost value at ``depth`` layers outside the boundary for the condition
    ``alpha*u + beta*du/dx = g`` at the boundary (half a cell outside the first point).

    Returns ``(expr, U)``: ``expr`` in the symbols ``alpha, beta, g, h`` and ``U[k]`` =
    the interior value ``k`` points in from the boundary (``k = 0 .. degree-1``). Exact
    for polynomials of ``degree``; ``side`` fixes the sign of the derivative (on ``hi`` the
    inward direction is ``-x``).
    """
    c = sp.symbols(f"c0:{degree + 1}")
    p = sum(ci * _S**j for j, ci in enumerate(c))
    U = sp.symbols(f"U0:{degree}")
    sign = 1 if side == "lo" else -1
    eqs = [sp.Eq(p.subs(_S, k), U[k]) for k in range(degree)]
    dpdx = sign * sp.diff(p, _S) / H
    eqs.append(sp.Eq(ALPHA * p.subs(_S, sp.Rational(-1, 2)) + BETA * dpdx.subs(_S, sp.Rational(-1, 2)), G))
    sol = sp.solve(eqs, c, dict=True)[0]
    expr = sp.simplify(p.subs(sol).subs(_S, -depth))
    return expr, U
