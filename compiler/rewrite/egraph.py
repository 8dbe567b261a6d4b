"""An e-graph: union-find over equivalence classes of hash-consed e-nodes.

After Willsey et al., *egg: Fast and Extensible Equality Saturation* (POPL 2021):
``add`` hash-conses, ``union`` merges lazily and ``rebuild`` restores congruence
closure (deferred, worklist-driven) and re-runs the e-class analysis upwards.

An e-node is a tuple ``(op, arg, children)``. ``add``, ``mul``, ``min`` and ``max`` are
n-ary and associative-commutative: their children are kept *sorted*, so commutativity
and the order of a flat sum cost nothing. Other ops: ``num`` (arg: a float), ``sym``
(arg: index of a leaf atom), ``div`` (a, b), ``pow`` (arg: a numeric exponent; child the
base), ``powf`` (base, exponent), ``fn`` (arg: the function name).

The analysis of a class (:class:`Facts`) is its constant value (float64 folding),
whether it varies from grid point to grid point, and whether it is proved non-zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["ENode", "Facts", "EClass", "EGraph", "AC_OPS", "Term"]

ENode = tuple  # (op: str, arg: object, children: tuple[int, ...])
Term = object  # an int (class id) or (op, arg, (terms...)) -- see EGraph.add_term
AC_OPS = frozenset({"add", "mul", "min", "max"})

_FNS: dict[str, Callable[[float], float]] = {
    "exp": math.exp,
    "log": math.log,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "tanh": math.tanh,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "sqrt": math.sqrt,
    "abs": abs,
    "sign": lambda v: float((v > 0) - (v < 0)),
}
_POSITIVE_FNS = frozenset({"exp", "cosh"})


@dataclass(frozen=True, slots=True)
class Facts:
    """What the analysis knows of a class: constant value, varying, proved non-zero."""

    const: float | None
    varying: bool
    nonzero: bool

    def merge(self, other: Facts) -> Facts:
        return Facts(
            self.const if self.const is not None else other.const,
            self.varying and other.varying,
            self.nonzero or other.nonzero,
        )


class EClass:
    __slots__ = ("id", "nodes", "parents", "facts")

    def __init__(self, cid: int, node: ENode, facts: Facts):
        self.id = cid
        self.nodes: list[ENode] = [node]
        self.parents: list[tuple[ENode, int]] = []
        self.facts = facts


def _fold(op: str, arg: object, vals: list[float | None]) -> float | None:
    if any(v is None for v in vals):
        return None
    try:
        if op == "add":
            r = math.fsum(vals)  # type: ignore[arg-type]
        elif op == "mul":
            r = 1.0
            for v in vals:
                r *= v  # type: ignore[operator]
        elif op == "div":
            r = vals[0] / vals[1]  # type: ignore[operator]
        elif op == "pow":
            r = float(vals[0] ** arg)  # type: ignore[operator]
        elif op == "powf":
            r = float(vals[0] ** vals[1])  # type: ignore[operator]
        elif op == "fn":
            r = _FNS[arg](vals[0])  # type: ignore[index,arg-type]
        elif op == "min":
            r = min(vals)  # type: ignore[type-var]
        elif op == "max":
            r = max(vals)  # type: ignore[type-var]
        else:
            return None
    except (ArithmeticError, ValueError, TypeError, KeyError):
        return None
    if isinstance(r, complex) or not math.isfinite(r):
        return None
    return r


class EGraph:
    """The e-graph. ``leaves`` holds the leaf atoms (any hashable), with their facts."""

    def __init__(self) -> None:
        self._uf: list[int] = []
        self.classes: dict[int, EClass] = {}
        self.memo: dict[ENode, int] = {}
        self.leaves: list[object] = []
        self._leaf_index: dict[object, int] = {}
        self._leaf_facts: list[tuple[bool, bool]] = []
        self._pending: list[int] = []
        self._analysis: list[tuple[ENode, int]] = []
        self.version = 0
        self.stamp: dict[int, int] = {}  # class -> version of its last change
        self.view_cache: dict[object, object] = {}  # rules' views of classes, per search

    # -- basic queries -------------------------------------------------------------
    def find(self, i: int) -> int:
        uf = self._uf
        while uf[i] != i:
            uf[i] = uf[uf[i]]
            i = uf[i]
        return i

    def __len__(self) -> int:
        return len(self.memo)

    def facts(self, c: int) -> Facts:
        return self.classes[self.find(c)].facts

    def const(self, c: int) -> float | None:
        return self.classes[self.find(c)].facts.const

    def varying(self, c: int) -> bool:
        return self.classes[self.find(c)].facts.varying

    def nonzero(self, c: int) -> bool:
        return self.classes[self.find(c)].facts.nonzero

    def nodes(self, c: int) -> list[ENode]:
        return self.classes[self.find(c)].nodes

    def first(self, c: int, op: str) -> ENode | None:
        """The first node of class ``c`` whose op is ``op`` (None if there is none)."""
        for n in self.classes[self.find(c)].nodes:
            if n[0] == op:
                return n
        return None

    def lookup(self, node: ENode) -> int | None:
        """The class holding ``node`` if it is in the graph (nothing is added)."""
        hit = self.memo.get(self.canon(node))
        return None if hit is None else self.find(hit)

    def canon(self, node: ENode) -> ENode:
        op, arg, ch = node
        if not ch:
            return node
        f = self.find
        if op in AC_OPS:
            return (op, arg, tuple(sorted(f(c) for c in ch)))
        return (op, arg, tuple(f(c) for c in ch))

    # -- construction --------------------------------------------------------------
    def leaf(self, atom: object, varying: bool, nonzero: bool = False) -> int:
        """The class of a leaf atom (a symbol, an array access, an opaque expression)."""
        idx = self._leaf_index.get(atom)
        if idx is None:
            idx = len(self.leaves)
            self.leaves.append(atom)
            self._leaf_index[atom] = idx
            self._leaf_facts.append((varying, nonzero))
        return self.add(("sym", idx, ()))

    def num(self, value: float) -> int:
        v = float(value)
        if v == 0.0:
            v = 0.0  # one zero: -0.0 and 0.0 hash alike anyway
        return self.add(("num", v, ()))

    def _make(self, node: ENode) -> Facts:
        op, arg, ch = node
        if op == "num":
            return Facts(arg, False, arg != 0.0)  # type: ignore[arg-type]
        if op == "sym":
            varying, nonzero = self._leaf_facts[arg]  # type: ignore[index]
            return Facts(None, varying, nonzero)
        fs = [self.classes[self.find(c)].facts for c in ch]
        const = _fold(op, arg, [f.const for f in fs])
        varying = any(f.varying for f in fs)
        if const is not None:
            return Facts(const, False, const != 0.0)
        if op == "mul":
            nonzero = all(f.nonzero for f in fs)
        elif op == "div":
            nonzero = fs[0].nonzero and fs[1].nonzero
        elif op == "pow":
            nonzero = fs[0].nonzero
        elif op == "fn":
            nonzero = arg in _POSITIVE_FNS or (arg in ("sqrt", "abs", "sinh", "tanh") and fs[0].nonzero)
        else:
            nonzero = False
        return Facts(None, varying, nonzero)

    def add(self, node: ENode) -> int:
        """Add an e-node (children are class ids); return its class."""
        node = self.canon(node)
        hit = self.memo.get(node)
        if hit is not None:
            return self.find(hit)
        cid = len(self._uf)
        self._uf.append(cid)
        facts = self._make(node)
        self.classes[cid] = EClass(cid, node, facts)
        self.memo[node] = cid
        for c in node[2]:
            self.classes[self.find(c)].parents.append((node, cid))
        self.version += 1
        self.stamp[cid] = self.version
        if facts.const is not None and node[0] != "num":
            cid = self.union(cid, self.num(facts.const))
        return cid

    def add_term(self, term: Term) -> int:
        """Add a nested term: a class id, or ``(op, arg, (subterms...))``."""
        if isinstance(term, int):
            return self.find(term)
        op, arg, subs = term  # type: ignore[misc]
        if op == "num":
            return self.num(arg)
        return self.add((op, arg, tuple(self.add_term(s) for s in subs)))

    def union(self, a: int, b: int) -> int:
        a, b = self.find(a), self.find(b)
        if a == b:
            return a
        ca, cb = self.classes[a], self.classes[b]
        if len(ca.parents) < len(cb.parents):
            a, b, ca, cb = b, a, cb, ca
        self._uf[b] = a
        ca.nodes.extend(cb.nodes)
        ca.parents.extend(cb.parents)
        merged = ca.facts.merge(cb.facts)
        if merged != ca.facts or merged != cb.facts:
            self._analysis.extend(ca.parents)
        ca.facts = merged
        del self.classes[b]
        self._pending.append(a)
        self.version += 1
        self.stamp[a] = self.version
        if merged.const is not None and not any(n[0] == "num" for n in ca.nodes):
            return self.union(a, self.num(merged.const))
        return a

    # -- congruence closure ----------------------------------------------------------
    def _repair(self, c: int) -> None:
        cls = self.classes[c]
        parents = cls.parents
        for node, _ in parents:
            self.memo.pop(node, None)
        fresh: dict[ENode, int] = {}
        for node, pc in parents:
            cn = self.canon(node)
            prev = fresh.get(cn)
            if prev is None:
                prev = self.memo.get(cn)
            if prev is not None and self.find(prev) != self.find(pc):
                self.union(prev, pc)
            fresh[cn] = self.find(pc)
            self.memo[cn] = self.find(pc)
        if self.find(c) == c:
            self.classes[c].parents = list(fresh.items())

    def rebuild(self) -> None:
        """Restore the invariants: congruence closure, canonical memo, fresh analysis."""
        while self._pending or self._analysis:
            todo = {self.find(c) for c in self._pending}
            self._pending = []
            for c in todo:
                if self.find(c) == c:
                    self._repair(c)
            while self._analysis:
                node, pc = self._analysis.pop()
                pc = self.find(pc)
                cls = self.classes[pc]
                new = cls.facts.merge(self._make(self.canon(node)))
                if new != cls.facts:
                    cls.facts = new
                    self.version += 1
                    self.stamp[pc] = self.version
                    self._analysis.extend(cls.parents)
                    if new.const is not None and not any(n[0] == "num" for n in cls.nodes):
                        self.union(pc, self.num(new.const))
        for cls in self.classes.values():
            seen = dict.fromkeys(self.canon(n) for n in cls.nodes)
            cls.nodes = list(seen)

    # -- helpers for rules -----------------------------------------------------------
    def class_ids(self) -> Iterable[int]:
        return list(self.classes)

    def changed_since(self, cid: int, node: ENode, version: int) -> bool:
        """Whether class ``cid`` or a child class of ``node`` changed after ``version``."""
        st = self.stamp
        if st.get(self.find(cid), 0) > version:
            return True
        return any(st.get(self.find(c), 0) > version for c in node[2])
