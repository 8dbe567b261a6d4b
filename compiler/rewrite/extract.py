"""DAG-aware extraction of all outputs at once under the cycle cost model.

Three steps: (1) greedy *tree* costs, a Bellman–Ford style fixpoint (egg's
``Extractor``); (2) greedy *DAG* costs, where a class's cost is the set of classes it
needs, so a shared class is paid once (the "faster greedy DAG" extractor of
extraction-gym, Goharshady et al. 2024); (3) local refinement over the whole selection
for all outputs together: switch one class's node when the total DAG cost of every
output drops (a shared e-class is paid once across outputs), within a time budget.

Loop-invariant classes cost nothing per point; their nodes are chosen separately by the
tree cost of their own operations (they run once per call).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from .cost import pow_ops
from .egraph import EGraph, ENode
from .options import CostTable

__all__ = ["node_cost", "Selection", "extract"]

INF = float("inf")


def node_cost(eg: EGraph, node: ENode, table: CostTable, per_point: bool = True) -> float:
    """Cycles of one e-node's own operation (children not included).

    With ``per_point``, loop-invariant operands of an n-ary node count as one operand
    together (hoisted), and a factor -1 is a fused negation.
    """
    op, arg, ch = node
    if op in ("num", "sym"):
        return 0.0
    if op in ("add", "mul", "min", "max"):
        if per_point:
            var = sum(1 for c in ch if eg.varying(c))
            inv = [c for c in ch if not eg.varying(c)]
            if op == "mul" and len(inv) == 1 and eg.const(inv[0]) == -1.0:
                return table.neg + (var - 1) * table.mul
            n = var + (1 if inv else 0)
        else:
            n = len(ch)
        return max(n - 1, 0) * table.of(op)
    if op == "div":
        return table.div
    if op == "pow":
        return sum(k * table.of(kind) for kind, k in pow_ops(arg).items())  # type: ignore[arg-type]
    if op == "powf":
        return table.pow
    if op == "fn":
        return table.of(arg)  # type: ignore[arg-type]
    return table.other


class Selection:
    """The chosen e-node of every class reachable from the roots."""

    def __init__(self, eg: EGraph, choice: dict[int, ENode], roots: Sequence[int]):
        self.eg = eg
        self.choice = choice
        self.roots = [eg.find(r) for r in roots]


def _tree(eg: EGraph, table: CostTable, per_point: bool) -> tuple[dict[int, float], dict[int, ENode]]:
    cost: dict[int, float] = {}
    best: dict[int, ENode] = {}
    costs = {}
    for cls in eg.classes.values():
        for n in cls.nodes:
            costs[n] = node_cost(eg, n, table, per_point)
    for _ in range(100):
        changed = False
        for cid, cls in eg.classes.items():
            if per_point and not cls.facts.varying:
                if cid not in cost:
                    cost[cid] = 0.0
                    changed = True
                continue
            cur = cost.get(cid, INF)
            for n in cls.nodes:
                c = costs[n]
                for ch in n[2]:
                    c += cost.get(eg.find(ch), INF)
                    if c >= cur:
                        break
                if c < cur:
                    cur = c
                    best[cid] = n
                    changed = True
            if cur < INF:
                cost[cid] = cur
        if not changed:
            break
    return cost, best


def invariant_choice(eg: EGraph, table: CostTable) -> dict[int, ENode]:
    """Cheapest node of every class by the tree cost of its own operations."""
    _, best = _tree(eg, table, per_point=False)
    for cid, cls in eg.classes.items():
        if cid not in best:
            for n in cls.nodes:
                if n[0] in ("num", "sym"):
                    best[cid] = n
    return best


def _dag(eg: EGraph, table: CostTable, tree_best: dict[int, ENode], deadline: float) -> dict[int, ENode]:
    sets: dict[int, dict[int, float]] = {}
    best: dict[int, ENode] = {}
    order = sorted(eg.classes)
    for _ in range(4):
        changed = False
        for cid in order:
            cls = eg.classes[cid]
            if not cls.facts.varying:
                continue
            cur = sets.get(cid)
            cur_total = sum(cur.values()) if cur is not None else INF
            cur_own = cur[cid] if cur is not None else INF
            for n in cls.nodes:
                kids = [eg.find(c) for c in n[2]]
                merged: dict[int, float] = {}
                ok = True
                for k in kids:
                    if not eg.classes[k].facts.varying:
                        continue
                    s = sets.get(k)
                    if s is None or cid in s:
                        ok = False
                        break
                    merged.update(s)
                if not ok:
                    continue
                own = merged[cid] = node_cost(eg, n, table)
                t = sum(merged.values())
                # on a tie prefer the node doing less work itself: its children are
                # classes that other parents may share
                if t < cur_total - 1e-9 or (t < cur_total + 1e-9 and own < cur_own - 1e-9):
                    cur_total, cur_own = t, own
                    sets[cid] = merged
                    best[cid] = n
                    changed = True
            if time.perf_counter() > deadline:
                break
        if not changed or time.perf_counter() > deadline:
            break
    for cid, n in tree_best.items():
        best.setdefault(cid, n)
    return best


def dag_cost(eg: EGraph, choice: dict[int, ENode], roots: Sequence[int], table: CostTable) -> float:
    """Per-point cycles of the selection, each reachable class once; inf on a cycle."""
    total = 0.0
    state: dict[int, int] = {}  # 1 visiting, 2 done
    for r in roots:
        stack = [(eg.find(r), False)]
        while stack:
            c, post = stack.pop()
            if post:
                state[c] = 2
                continue
            s = state.get(c)
            if s == 2:
                continue
            if s == 1:
                return INF
            if not eg.classes[c].facts.varying:
                state[c] = 2
                continue
            n = choice.get(c)
            if n is None:
                return INF
            state[c] = 1
            total += node_cost(eg, n, table)
            stack.append((c, True))
            for k in n[2]:
                k = eg.find(k)
                if state.get(k) == 1:
                    return INF
                if state.get(k) != 2:
                    stack.append((k, False))
    return total


def _reachable(eg: EGraph, choice: dict[int, ENode], roots: Sequence[int]) -> list[int]:
    seen: set[int] = set()
    out = []
    stack = [eg.find(r) for r in roots]
    while stack:
        c = stack.pop()
        if c in seen:
            continue
        seen.add(c)
        out.append(c)
        if eg.classes[c].facts.varying and c in choice:
            stack.extend(eg.find(k) for k in choice[c][2])
    return out


def _refine(eg: EGraph, choice: dict[int, ENode], roots: Sequence[int], table: CostTable, deadline: float) -> None:
    best = dag_cost(eg, choice, roots, table)
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for c in _reachable(eg, choice, roots):
            cls = eg.classes[c]
            if not cls.facts.varying or len(cls.nodes) < 2:
                continue
            cur = choice[c]
            for n in cls.nodes:
                if n is cur:
                    continue
                choice[c] = n
                t = dag_cost(eg, choice, roots, table)
                if t < best - 1e-9:
                    best, cur, improved = t, n, True
                else:
                    choice[c] = cur
            if time.perf_counter() > deadline:
                return


def extract(eg: EGraph, roots: Sequence[int], table: CostTable, seconds: float = 0.5, refine: bool = True) -> Selection:
    """Choose one e-node per class so that all ``roots`` together cost the least."""
    deadline = time.perf_counter() + seconds
    _, tree_best = _tree(eg, table, per_point=True)
    choice = _dag(eg, table, tree_best, deadline)
    roots = [eg.find(r) for r in roots]
    if dag_cost(eg, choice, roots, table) == INF:
        choice = dict(tree_best)
    if refine and len(_reachable(eg, choice, roots)) <= 400:
        # each trial re-costs the whole selection: worth it for kernel-sized graphs only
        _refine(eg, choice, roots, table, deadline)
    return Selection(eg, choice, roots)
