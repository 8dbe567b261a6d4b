"""A lower bound on the additions any cancellation-free program needs for a set of sums.

Given outputs ``y_s = sum_t sigma_st * t`` over shared terms ``t`` (signs ``sigma = ±1``,
negation free), a *cancellation-free* program adds each term at most once into each value
it computes, so every value is a signed subset sum and the values that row ``s`` reads form
a binary tree with ``T_s - 1`` additions, each a subset of row ``s``'s terms with row ``s``'s
relative signs. Writing the program's additions as ``sum_v 1 = sum_s sum_{v in tree(s)}
1/uses(v)`` and bounding ``uses(v)`` by ``u(S_v)``, the number of rows that hold the subset
``S_v`` with matching relative signs, gives per row

    additions charged to row s  >=  (T_s - 1) - sum_B ((|B| - 1) - c(B))

where the blocks ``B`` are the disjoint maximal subsets of the tree with ``u >= 2`` (each lies
in the sign-consistent intersection of row ``s`` with some other row) and ``c(B)``, the least
``sum 1/u(S_v)`` over the internal nodes of a binary tree on ``B``, is found by dynamic
programming over the subsets of ``B`` (for large blocks, ``(|B| - 1) / U(B)`` with ``U(B)``
the largest ``u`` of a pair inside ``B``: no subset is held by more rows than its most
common pair). The best packing of blocks is a small integer program per row (scipy's
HiGHS). This is the "shared paid once" counting argument of DAG extraction turned into a
bound; Paar's greedy pairs (:mod:`.share`) and sympy.cse both build cancellation-free
sums, so their additions can be compared with it (programs that add a term and subtract
it again are not covered).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from itertools import combinations

import numpy as np
import sympy as sp

__all__ = ["signed_terms", "addition_floor"]

Row = Mapping[Hashable, int]


def signed_terms(e: sp.Expr) -> dict[sp.Expr, int]:
    """The terms of sum ``e`` without their numeric factors, with the factors' signs."""
    out: dict[sp.Expr, int] = {}
    for t in sp.Add.make_args(sp.sympify(e)):
        c, rest = t.as_coeff_Mul()
        if c != 0:
            out[rest] = 1 if c > 0 else -1
    return out


def _pair(a: Hashable, b: Hashable, rel: int) -> tuple:
    return (a, b, rel) if str(a) <= str(b) else (b, a, rel)


def _best_packing(row: Row, blocks: list[tuple], weights: list[float]) -> float:
    """The largest total weight of disjoint ``blocks`` (an integer program)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    index = {t: i for i, t in enumerate(row)}
    cover = np.zeros((len(index), len(blocks)))
    for j, b in enumerate(blocks):
        for t in b:
            cover[index[t], j] = 1.0
    res = milp(-np.asarray(weights), constraints=LinearConstraint(cover, 0, 1),
               integrality=np.ones(len(blocks)), bounds=Bounds(0, 1))
    if not res.success:  # cannot happen for a packing (zero is feasible); stay a valid bound
        return float(sum(len(b) - 1 for b in blocks))
    return float(-res.fun)


def _holders(rows: list[dict], subset: tuple, signs: Row) -> int:
    """``u``: the rows that hold ``subset`` with the relative signs of ``signs``."""
    first = subset[0]
    n = 0
    for q in rows:
        if first in q:
            flip = q[first] * signs[first]
            n += all(q.get(t, 0) == flip * signs[t] for t in subset)
    return n


def _least_tree(rows: list[dict], block: tuple, row: Row) -> float:
    """``c(B)``: the least ``sum 1/u`` over the internal nodes of a binary tree on ``block``."""
    best: dict[tuple, float] = {}
    for k in range(2, len(block) + 1):
        for sub in combinations(block, k):
            first, rest = sub[0], sub[1:]
            split = min(
                best.get(left, 0.0) + best.get(right, 0.0)
                for mask in range(2 ** len(rest) - 1)
                for left in [(first, *(x for i, x in enumerate(rest) if mask >> i & 1))]
                for right in [tuple(x for x in sub if x not in left)]
            )
            best[sub] = split + 1.0 / _holders(rows, sub, row)
    return best[block]


def addition_floor(rows: Sequence[Row], max_block: int = 14, exact_block: int = 6) -> float:
    """A lower bound on the additions of any cancellation-free program that computes
    every row ``{term: sign}`` of ``rows`` from its terms (module docstring).

    A row that meets another in a sign-consistent intersection of more than ``max_block``
    terms (too many sub-blocks to enumerate) is charged ``|union of its intersections| - 1``
    fewer additions, the most any packing saves: still a bound, a weaker one. Blocks of
    more than ``exact_block`` terms take the cheaper estimate of ``c(B)``."""
    rows = [dict(r) for r in rows if r]
    shared = defaultdict(int)  # u(pair, relative sign)
    for r in rows:
        for a, b in combinations(r, 2):
            shared[_pair(a, b, r[a] * r[b])] += 1
    floor = 0.0
    for i, r in enumerate(rows):
        floor += len(r) - 1
        cands: set[tuple] = set()
        for j, q in enumerate(rows):
            if i == j:
                continue
            for rel in (1, -1):
                common = tuple(sorted((t for t in r if q.get(t, 0) * r[t] == rel), key=str))
                if len(common) >= 2:
                    cands.add(common)
        if not cands:
            continue
        if max(map(len, cands)) > max_block:
            floor -= len(set().union(*cands)) - 1
            continue
        blocks = sorted({b for c in cands for k in range(2, len(c) + 1) for b in combinations(c, k)},
                        key=lambda b: (len(b), str(b)))
        weights = []
        for b in blocks:
            if len(b) <= exact_block:
                least = _least_tree(rows, b, r)
            else:
                least = (len(b) - 1) / max(shared[_pair(x, y, r[x] * r[y])] for x, y in combinations(b, 2))
            weights.append(len(b) - 1 - least)
        floor -= _best_packing(r, blocks, weights)
    return floor
