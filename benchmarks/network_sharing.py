"""How close eqc's sharing of a reaction network's sums comes to the proven floor.

For the sums of two product plans — the rates ``k_j * m_j`` (what sympy.cse computes) and
eqc's per-monomial products (``rewrite.monomial``) — the table gives the additions of

* pairs: Paar's greedy pair sharing, what eqc runs (``rewrite.share``);
* blocks + pairs: a one-level block-sharing integer program first (every subset of up to
  ``--max-block`` terms that two sums hold with proportional coefficients is a candidate
  block; binary variables choose the blocks computed, each ``|B| - 1`` additions once, and
  where each is used, saving ``|B| - 1`` there, the blocks of one sum disjoint; HiGHS via
  scipy), then pair sharing on the result. This is the shortest-linear-program problem
  (Boyar, Matthews and Peralta, J. Cryptology 26, 2013) restricted to one level of sharing
  and solved exactly — an experiment, not part of the compiler: importing
  ``scipy.optimize`` alone takes ~0.5 s, half the rewriter's time budget;
* floor: ``rewrite.bound.addition_floor``, below which no cancellation-free program goes;
* from a sum: a check on programs with cancellation — the most additions any one sum saves
  by starting from another finished sum (or its negative) and adding the difference,
  ``(T_b - 1) - |b - s a|`` (0: no sum gains by it).

    python benchmarks/network_sharing.py [--seeds 0 1 2] [--max-block 4]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import combinations

import numpy as np
import sympy as sp
from _table import print_table  # benchmarks/ is on the path of a script run from it
from eqc.compiler.rewrite.bound import addition_floor, signed_terms
from eqc.compiler.rewrite.emit import Names
from eqc.compiler.rewrite.monomial import monomial_program
from eqc.compiler.rewrite.samples import reaction_network
from eqc.compiler.rewrite.share import share_pairs
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

Assignment = tuple[sp.Symbol, sp.Expr]
VARIANTS = {"50x200": {}, "50x200 reversible": {"reversible": True}, "50x200 10 constants": {"constants": 10}}


def _coefficients(e: sp.Expr) -> dict[sp.Expr, sp.Expr]:
    out: dict[sp.Expr, sp.Expr] = {}
    for t in sp.Add.make_args(e):
        c, rest = t.as_coeff_Mul()
        out[rest] = out.get(rest, 0) + c
    return {t: c for t, c in out.items() if c != 0}


def _key(block: Sequence[sp.Expr], row: dict) -> tuple:
    """The block with the row's coefficients over the first term's: one key for every
    sum that holds the block up to a common factor."""
    items = sorted(block, key=sp.default_sort_key)
    first = row[items[0]]
    return tuple((t, row[t] / first) for t in items)


def _candidates(rows: list[dict], max_block: int, max_blocks: int) -> dict[tuple, list[int]] | None:
    """Every block two rows share (up to ``max_block`` terms) and the rows that hold it;
    ``None`` when there are more than ``max_blocks``."""
    users: dict[sp.Expr, list[int]] = defaultdict(list)
    for s, r in enumerate(rows):
        for t in r:
            users[t].append(s)
    pairs = {(i, j) for us in users.values() for i, j in combinations(us, 2)}
    found: dict[tuple, list[int]] = {}
    for i, j in sorted(pairs):
        r, q = rows[i], rows[j]
        by_ratio: dict[sp.Expr, list[sp.Expr]] = defaultdict(list)
        for t in r:
            if t in q:
                by_ratio[q[t] / r[t]].append(t)
        for common in by_ratio.values():
            for k in range(2, min(len(common), max_block) + 1):
                for b in combinations(common, k):
                    found.setdefault(_key(b, r), [])
                    if len(found) > max_blocks:
                        return None
    for key in found:
        first = key[0][0]
        for s in users[first]:
            r = rows[s]
            if all(t in r and r[t] == r[first] * c for t, c in key):
                found[key].append(s)
    return found


def share_blocks(
    sums: Sequence[sp.Expr],
    new_symbol: Callable[[], sp.Symbol],
    max_block: int = 4,
    max_blocks: int = 20_000,
    seconds: float = 0.25,
) -> tuple[list[Assignment], list[sp.Expr]] | None:
    """``(blocks, new_sums)``: the shared blocks chosen, each named once, and ``sums``
    rewritten to use them; ``None`` when nothing is saved, the candidates exceed
    ``max_blocks`` or the solver finds no solution within ``seconds``."""
    rows = [_coefficients(s) for s in sums]
    found = _candidates(rows, max_block, max_blocks)
    if not found:
        return None
    blocks = list(found)
    uses = [(b, s) for b, key in enumerate(blocks) for s in found[key]]
    nvar = len(blocks) + len(uses)
    cost = np.zeros(nvar)
    index = {(s, t): n for n, (s, t) in enumerate((s, t) for s, r in enumerate(rows) for t in r)}
    cover = lil_matrix((len(index), nvar))
    link = lil_matrix((len(uses), nvar))
    for b, key in enumerate(blocks):
        cost[b] = len(key) - 1  # the block's own additions, once
    for u, (b, s) in enumerate(uses):
        col = len(blocks) + u
        cost[col] = -(len(blocks[b]) - 1)  # the additions it saves in sum s
        link[u, col], link[u, b] = 1, -1  # used only where computed
        for t, _ in blocks[b]:
            cover[index[(s, t)], col] = 1  # the blocks of one sum are disjoint
    res = milp(cost, constraints=[LinearConstraint(link.tocsr(), -np.inf, 0), LinearConstraint(cover.tocsr(), 0, 1)],
               integrality=np.ones(nvar), bounds=Bounds(0, 1), options={"time_limit": seconds})
    if res.x is None or res.fun > -0.5:
        return None
    chosen = np.round(res.x).astype(int)
    named: dict[tuple, sp.Symbol] = {}
    body: list[Assignment] = []
    for u, (b, s) in enumerate(uses):
        if not chosen[len(blocks) + u]:
            continue
        key = blocks[b]
        if key not in named:
            named[key] = new_symbol()
            body.append((named[key], sp.Add(*(c * t for t, c in key))))
        factor = rows[s][key[0][0]]
        for t, _ in key:
            del rows[s][t]
        rows[s][named[key]] = factor
    return body, [sp.Add(*(c * t for t, c in r.items())) for r in rows]


def _adds(body, sums) -> int:
    return sum(len(e.args) - 1 for e in [e for _, e in body] + list(sums) if isinstance(e, sp.Add))


def from_another_sum(sums: list[sp.Expr]) -> int:
    """The most additions one sum saves when computed as another sum (or its negative)
    plus the difference, over all ordered pairs; 0 when no sum gains."""
    rows = [_coefficients(sp.expand(s)) for s in sums]
    best = 0
    for a, b in combinations(range(len(rows)), 2):
        for x, y in ((a, b), (b, a)):
            for sign in (1, -1):
                diff = sum(1 for t in rows[x].keys() | rows[y].keys()
                           if rows[y].get(t, 0) - sign * rows[x].get(t, 0) != 0)
                best = max(best, len(rows[y]) - 1 - diff)
    return best


def sharing(sums: list[sp.Expr], max_block: int) -> tuple[int, int, float, float]:
    """Additions by pairs, by blocks + pairs, the floor, and the seconds of the program."""
    names = iter(sp.symbols("p0:4000"))
    pairs = _adds(*share_pairs([], list(sums), lambda e: True, lambda: next(names)))
    t0 = time.perf_counter()
    blocks = iter(sp.symbols("b0:4000"))
    res = share_blocks(sums, lambda: next(blocks), max_block=max_block, seconds=10.0)
    body, new = res if res is not None else ([], list(sums))
    seconds = time.perf_counter() - t0
    names = iter(sp.symbols("q0:4000"))
    both = _adds(*share_pairs(body, new, lambda e: True, lambda: next(names)))
    return pairs, both, addition_floor([signed_terms(s) for s in sums]), seconds


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--max-block", type=int, default=4)
    args = ap.parse_args(argv)
    head = ("network", "seed", "plan", "pairs", "blocks + pairs", "floor", "from a sum", "t blocks")
    rows = []
    for label, kw in VARIANTS.items():
        for seed in args.seeds:
            outs, var = reaction_network(50, 200, seed=seed, **kw)
            _, _, mono = monomial_program(outs, var, Names({str(s) for o in outs for s in o.free_symbols}))
            for plan, sums in (("rates", list(outs)), ("eqc products", list(mono))):
                pairs, both, floor, seconds = sharing(sums, args.max_block)
                rows.append((label, str(seed), plan, str(pairs), str(both), f"{floor:.1f}",
                             str(from_another_sum(sums)), f"{seconds:.2f} s"))
    print_table(head, rows)
    print("additions of the sums only (the products are the plan's); floor: rewrite.bound.addition_floor;")
    print("from a sum: the most additions one sum saves by starting from another whole sum (with")
    print("cancellation); t blocks: building and solving the integer program.")
    print(f"command: python benchmarks/network_sharing.py --seeds {' '.join(map(str, args.seeds))}"
          f" --max-block {args.max_block}")


if __name__ == "__main__":
    main()
