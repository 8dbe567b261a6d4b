"""Sharing of operand pairs across sums and products of a straight-line program.

After extraction, the n-ary sums of different outputs often share pairs of terms (in a
reaction network, two species consumed by the same two reactions) and n-ary products
share pairs of varying factors. The greedy pair method of Paar (*Optimized arithmetic
for Reed–Solomon encoders*, ISIT 1997) — repeatedly name the pair of operands that occurs
in most sums, ``t = a ± b``, and use ``t`` instead — removes ``count - 1`` additions per
step. Signs are normalised so ``a - b`` and ``b - a`` are one pair (negation is free).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable
from itertools import combinations

import sympy as sp

__all__ = ["share_pairs"]

Assignment = tuple[sp.Symbol, sp.Expr]


def _terms(e: sp.Add, varies: Callable[[sp.Basic], bool]) -> list[tuple[int, sp.Expr]]:
    out = []
    for a in e.args:
        if isinstance(a, sp.Mul) and a.args[0] == -1:
            out.append((-1, sp.Mul(*a.args[1:])))
        else:
            out.append((1, a))
    return out


def _factors(e: sp.Mul, varies: Callable[[sp.Basic], bool]) -> tuple[list[sp.Expr], list[sp.Expr]]:
    var, rest = [], []
    for a in e.args:
        if varies(a) and not (isinstance(a, sp.Pow) and a.exp.is_Number and a.exp < 0):
            var.append(a)
        else:
            rest.append(a)
    return var, rest


class _Pairs:
    """Pair counts per site with a lazy max-heap of the most frequent pair."""

    def __init__(self, min_count: int = 2) -> None:
        self.min_count = min_count
        self.count: dict[object, int] = defaultdict(int)
        self.where: dict[object, set[int]] = defaultdict(set)
        self.heap: list[tuple[int, int, object]] = []
        self.ids: dict[object, int] = {}  # ties go to the pair seen first

    def add(self, key: object, site: int, delta: int) -> None:
        self.count[key] += delta
        if delta > 0:
            self.where[key].add(site)
        else:
            self.where[key].discard(site)
        if self.count[key] >= 2:
            heapq.heappush(self.heap, (-self.count[key], self.ids.setdefault(key, len(self.ids)), key))

    def best(self) -> object | None:
        while self.heap:
            negc, _, key = self.heap[0]
            if self.count.get(key, 0) == -negc and -negc >= self.min_count:
                return key
            heapq.heappop(self.heap)
        return None


class _Ids:
    """Operands as integers in order of first sight: the deterministic order of pairs, and
    keys that hash fast (sympy's hashing, sort key and printing are far too slow for
    thousands of pairs)."""

    def __init__(self) -> None:
        self.id: dict[sp.Basic, int] = {}
        self.expr: list[sp.Basic] = []

    def __call__(self, e: sp.Basic) -> int:
        r = self.id.get(e)
        if r is None:
            r = self.id[e] = len(self.expr)
            self.expr.append(e)
        return r


def share_pairs(
    body: list[Assignment],
    outputs: list[sp.Expr],
    varies: Callable[[sp.Basic], bool],
    new_symbol: Callable[[], sp.Symbol],
    max_steps: int = 2000,
    min_count: dict[str, int] | None = None,
) -> tuple[list[Assignment], list[sp.Expr]]:
    """Name shared pairs of sum terms and of varying product factors; return the new
    ``(body, outputs)`` (body still in dependency order)."""
    exprs: list[sp.Expr] = [e for _, e in body] + list(outputs)
    nbody = len(body)
    mins = {"add": 2, "mul": 2} | (min_count or {})
    for op in ("add", "mul"):
        exprs, inserted = _share(exprs, op, varies, new_symbol, max_steps, mins[op])
        if inserted:
            # new temporaries go right after the definitions of their operands
            body, exprs, nbody = _reorder(body, exprs, nbody, inserted)
    new_body = [(s, e) for (s, _), e in zip(body, exprs[:nbody], strict=True)]
    return new_body, exprs[nbody:]


def _reorder(body, exprs, nbody, inserted):
    syms = [s for s, _ in body]
    items = list(zip(syms, exprs[:nbody], strict=True))
    index = {s: i for i, (s, _) in enumerate(items)}
    for sym, e in inserted:
        deps = [index[a] for a in e.free_symbols if a in index]
        pos = max(deps) + 1 if deps else 0
        items.insert(pos, (sym, e))
        index = {s: i for i, (s, _) in enumerate(items)}
    new_body = [(s, None) for s, _ in items]
    return new_body, [e for _, e in items] + exprs[nbody:], len(items)


def _share(exprs, op, varies, new_symbol, max_steps, min_count):
    cls = sp.Add if op == "add" else sp.Mul
    pairs = _Pairs(min_count)
    ids = _Ids()
    # a site is an n-ary node at the top of an expression or one level below it; its
    # operands are ids, ``(sign, id)`` for the terms of a sum
    site_ops: list[list] = []
    site_rest: list[list] = []
    site_loc: list[tuple[int, sp.Expr]] = []
    for i, e in enumerate(exprs):
        for node in [e, *e.args] if isinstance(e, sp.Basic) else []:
            if not isinstance(node, cls) or not varies(node):
                continue
            if op == "add":
                terms, rest = _terms(node, varies), []
            else:
                terms, rest = _factors(node, varies)
            if len(terms) < 2 or len(terms) > 256:  # pairs grow quadratically
                continue
            ops = [(sg, ids(t)) for sg, t in terms] if op == "add" else [ids(f) for f in terms]
            s = len(site_ops)
            site_ops.append(ops)
            site_rest.append(rest)
            site_loc.append((i, node))
            for x, y in combinations(ops, 2):
                pairs.add(_key(op, x, y), s, +1)
    inserted: list[tuple[sp.Symbol, sp.Expr]] = []
    for _ in range(max_steps):
        key = pairs.best()
        if key is None:
            break
        sym = new_symbol()
        if op == "add":
            a, b, sg = key
            inserted.append((sym, ids.expr[a] + sg * ids.expr[b]))
        else:
            a, b = key
            inserted.append((sym, ids.expr[a] * ids.expr[b]))
        new_id = ids(sym)
        for site in list(pairs.where[key]):
            ops = site_ops[site]
            idx = _find_pair(op, ops, key)
            if idx is None:
                continue
            i, j = idx
            x, y = ops[i], ops[j]
            for k, z in enumerate(ops):
                if k not in (i, j):
                    pairs.add(_key(op, x, z), site, -1)
                    pairs.add(_key(op, y, z), site, -1)
            pairs.add(_key(op, x, y), site, -1)
            new = (_sum_sign(x, key), new_id) if op == "add" else new_id
            remaining = [z for k, z in enumerate(ops) if k not in (i, j)]
            for z in remaining:
                pairs.add(_key(op, new, z), site, +1)
            site_ops[site] = remaining + [new]
    if not inserted:
        return exprs, []
    # rebuild the expressions whose sites changed
    out = list(exprs)
    by_expr: dict[int, dict[sp.Expr, sp.Expr]] = defaultdict(dict)
    for s, (i, node) in enumerate(site_loc):
        ops = site_ops[s]
        if op == "add":
            new_node = sp.Add(*(ids.expr[o] if sg == 1 else -ids.expr[o] for sg, o in ops))
        else:
            new_node = sp.Mul(*(site_rest[s] + [ids.expr[o] for o in ops]))
        if new_node != node:
            by_expr[i][node] = new_node
    for i, repl in by_expr.items():
        e = out[i]
        if e in repl:
            out[i] = repl[e]
        else:
            out[i] = e.func(*(repl.get(a, a) for a in e.args))
    return out, inserted


def _key(op: str, x, y) -> tuple:
    """The pair of operands ``x``, ``y`` (ids; ``(sign, id)`` for terms), lower id first;
    a sum's key holds the product of the signs (``a - b`` and ``b - a`` are one pair)."""
    if op == "add":
        (sx, ex), (sy, ey) = (x, y) if x[1] <= y[1] else (y, x)
        return (ex, ey, sx * sy)
    return (x, y) if x <= y else (y, x)


def _sum_sign(x, key):
    """The sign of an occurrence ``x + y`` relative to the pair ``a + s*b``: ``x + y``
    is ``sx*(a + s*b)`` when ``x`` is the ``a`` term, else ``sy*(...)`` = ``sx*s*(...)``."""
    a, _, s = key
    return x[0] if x[1] == a else x[0] * s


def _find_pair(op, ops, key):
    if op == "add":
        a, b, s = key
        ia = [i for i, x in enumerate(ops) if x[1] == a]
        for i in ia:
            for j, y in enumerate(ops):
                if j != i and y[1] == b and ops[i][0] * y[0] == s:
                    return (i, j) if i < j else (j, i)
        return None
    a, b = key
    for i, x in enumerate(ops):
        if x == a:
            for j, y in enumerate(ops):
                if j != i and y == b:
                    return (i, j) if i < j else (j, i)
    return None
