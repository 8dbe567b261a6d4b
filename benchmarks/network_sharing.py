"""How close eqc's sharing of a reaction network's sums comes to the proven floor.

For the sums of two product plans — the rates ``k_j * m_j`` (what sympy.cse computes) and
eqc's per-monomial products (``rewrite.monomial``) — the table gives the additions of

* pairs: Paar's greedy pair sharing, what eqc runs (``rewrite.share``);
* blocks + pairs: a one-level block-sharing integer program first (every sign-consistent
  subset of up to ``--max-block`` terms that two sums share is a candidate block; choose the
  blocks and where each is used so as to save the most additions, HiGHS via scipy), then
  pair sharing on the result — an experiment, not part of the compiler;
* floor: ``rewrite.bound.addition_floor``, below which no cancellation-free program goes.

    python benchmarks/network_sharing.py [--seeds 0 1 2] [--max-block 4]
"""

from __future__ import annotations

import argparse
import time
from itertools import combinations

import numpy as np
import sympy as sp
from eqc.compiler.rewrite.bound import addition_floor, signed_terms
from eqc.compiler.rewrite.emit import Names
from eqc.compiler.rewrite.monomial import monomial_program
from eqc.compiler.rewrite.samples import reaction_network
from eqc.compiler.rewrite.share import share_pairs
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

VARIANTS = {"50x200": {}, "50x200 reversible": {"reversible": True}, "50x200 10 constants": {"constants": 10}}


def _coefficients(e: sp.Expr) -> dict[sp.Expr, sp.Expr]:
    out = {}
    for t in sp.Add.make_args(e):
        c, rest = t.as_coeff_Mul()
        out[rest] = c
    return out


def _key(block, row) -> tuple:
    """A block of ``row``'s terms with their signs, up to a global sign."""
    items = sorted(block, key=str)
    first = row[items[0]]
    return tuple((t, row[t] * first) for t in items)


def block_program(sums: list[sp.Expr], max_block: int, fresh):
    """``(blocks, new_sums)``: the shared blocks the integer program picks, each named once,
    and the sums rewritten to use them."""
    coeffs = [_coefficients(s) for s in sums]
    rows = [{t: 1 if c > 0 else -1 for t, c in r.items()} for r in coeffs]
    holders_of: dict[tuple, list[tuple[int, int]]] = {}
    for i, j in combinations(range(len(rows)), 2):
        r, q = rows[i], rows[j]
        for rel in (1, -1):
            common = [t for t in r if q.get(t, 0) * r[t] == rel]
            for k in range(2, min(len(common), max_block) + 1):
                for b in combinations(common, k):
                    holders_of.setdefault(_key(b, r), [])
    for key in holders_of:
        first = key[0][0]
        for s, r in enumerate(rows):
            if first in r and all(r.get(t, 0) == r[first] * sg for t, sg in key):
                holders_of[key].append((s, r[first]))
    blocks = list(holders_of)
    uses = [(b, s, flip) for b, key in enumerate(blocks) for s, flip in holders_of[key]]
    nvar = len(blocks) + len(uses)
    cost = np.zeros(nvar)
    index = {(s, t): n for n, (s, t) in enumerate((s, t) for s, r in enumerate(rows) for t in r)}
    cover = lil_matrix((len(index), nvar))
    link = lil_matrix((len(uses), nvar))
    for b, key in enumerate(blocks):
        cost[b] = len(key) - 1  # the block's own additions, once
    for u, (b, s, _) in enumerate(uses):
        col = len(blocks) + u
        cost[col] = -(len(blocks[b]) - 1)  # the additions it saves in sum s
        link[u, col], link[u, b] = 1, -1  # used only if computed
        for t, _ in blocks[b]:
            cover[index[(s, t)], col] = 1  # blocks used in one sum are disjoint
    res = milp(cost, constraints=[LinearConstraint(link.tocsr(), -np.inf, 0), LinearConstraint(cover.tocsr(), 0, 1)],
               integrality=np.ones(nvar), bounds=Bounds(0, 1))
    x = np.round(res.x).astype(int)
    named: dict[tuple, sp.Symbol] = {}
    body = []
    for u, (b, s, _) in enumerate(uses):
        if not x[len(blocks) + u]:
            continue
        key = blocks[b]
        if key not in named:
            named[key] = fresh()
            body.append((named[key], sp.Add(*(sg * t for t, sg in key))))
        c0 = coeffs[s][key[0][0]]
        for t, _ in key:
            del coeffs[s][t]
        coeffs[s][named[key]] = c0
    return body, [sp.Add(*(c * t for t, c in r.items())) for r in coeffs]


def _adds(body, sums) -> int:
    return sum(len(e.args) - 1 for e in [e for _, e in body] + list(sums) if isinstance(e, sp.Add))


def sharing(sums: list[sp.Expr], max_block: int) -> tuple[int, int, float, float]:
    """Additions by pairs, by blocks + pairs, the floor, and the seconds of the program."""
    names = iter(sp.symbols("p0:4000"))
    pairs = _adds(*share_pairs([], list(sums), lambda e: True, lambda: next(names)))
    t0 = time.perf_counter()
    blocks = iter(sp.symbols("b0:4000"))
    body, new = block_program(sums, max_block, lambda: next(blocks))
    seconds = time.perf_counter() - t0
    names = iter(sp.symbols("q0:4000"))
    both = _adds(*share_pairs(body, new, lambda e: True, lambda: next(names)))
    return pairs, both, addition_floor([signed_terms(s) for s in sums]), seconds


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--max-block", type=int, default=4)
    args = ap.parse_args(argv)
    head = ("network", "seed", "plan", "pairs", "blocks + pairs", "floor", "t blocks")
    rows = []
    for label, kw in VARIANTS.items():
        for seed in args.seeds:
            outs, var = reaction_network(50, 200, seed=seed, **kw)
            _, _, mono = monomial_program(outs, var, Names({str(s) for o in outs for s in o.free_symbols}))
            for plan, sums in (("rates", list(outs)), ("eqc products", list(mono))):
                pairs, both, floor, seconds = sharing(sums, args.max_block)
                rows.append((label, str(seed), plan, str(pairs), str(both), f"{floor:.1f}", f"{seconds:.2f} s"))
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("-" * (sum(widths) + 2 * len(widths)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print("additions of the sums only (the products are the plan's); floor: rewrite.bound.addition_floor;")
    print("t blocks: building and solving the integer program.")
    print(f"command: python benchmarks/network_sharing.py --seeds {' '.join(map(str, args.seeds))}"
          f" --max-block {args.max_block}")


if __name__ == "__main__":
    main()
