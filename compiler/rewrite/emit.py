"""From a selection of e-nodes to ordered assignments (the CSE output of the rewriter).

A varying class becomes a temporary when it is used more than once, or when sympy
would otherwise restructure it on construction (``2*(a + b)`` distributes, ``(a*b)**2``
splits): a temporary pins the chosen form. Loop-invariant operands of one sum or product
are combined into one hoisted invariant, as the cost model assumes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sympy as sp

from .convert import node_to_sympy, number
from .egraph import EGraph, ENode
from .extract import Selection

__all__ = ["emit", "Names", "Hoisted"]


class Names:
    """Fresh temporary names that collide with none of ``reserved``."""

    def __init__(self, reserved: Iterable[str]):
        taken = set(reserved)
        self.inv_prefix, self.tmp_prefix = "c_", "t_"
        while any(n.startswith((self.inv_prefix, self.tmp_prefix)) for n in taken):
            self.inv_prefix = "_" + self.inv_prefix
            self.tmp_prefix = "_" + self.tmp_prefix
        self.n_inv = 0
        self.n_tmp = 0

    def invariant(self) -> sp.Symbol:
        s = sp.Symbol(f"{self.inv_prefix}{self.n_inv}", real=True)
        self.n_inv += 1
        return s

    def temporary(self) -> sp.Symbol:
        s = sp.Symbol(f"{self.tmp_prefix}{self.n_tmp}", real=True)
        self.n_tmp += 1
        return s


class Hoisted:
    """Loop-invariant expressions, each named once (``names.invariant()``) and listed in
    the order first met: ``hoisted(e)`` is ``e``'s name (an atom is its own)."""

    def __init__(self, names: Names):
        self.names = names
        self.items: list[tuple[sp.Symbol, sp.Expr]] = []
        self._sym: dict[sp.Expr, sp.Symbol] = {}

    def __call__(self, e: sp.Expr) -> sp.Expr:
        if e.is_Atom:
            return e
        sym = self._sym.get(e)
        if sym is None:
            sym = self._sym[e] = self.names.invariant()
            self.items.append((sym, e))
        return sym


class _Emitter:
    def __init__(self, sel: Selection, inv_choice: dict[int, ENode], names: Names):
        self.eg: EGraph = sel.eg
        self.sel = sel
        self.inv_choice = inv_choice
        self.names = names
        self.named = Hoisted(names)
        self._inv_tree: dict[int, sp.Expr] = {}
        self.body: list[tuple[sp.Symbol, sp.Expr]] = []
        self.expr: dict[int, sp.Expr] = {}

    # -- invariants ------------------------------------------------------------------
    def inv_tree(self, c: int, visiting: frozenset = frozenset()) -> sp.Expr:
        eg = self.eg
        c = eg.find(c)
        hit = self._inv_tree.get(c)
        if hit is not None:
            return hit
        k = eg.const(c)
        if k is not None:
            e = number(k)
        else:
            node = self.inv_choice.get(c)
            if node is None or c in visiting:
                node = next(n for n in eg.nodes(c) if all(eg.find(ch) not in visiting | {c} for ch in n[2]))
            args = [self.inv_tree(ch, visiting | {c}) for ch in node[2]]
            e = node_to_sympy(node, args, eg.leaves)
        self._inv_tree[c] = e
        return e

    def hoist(self, e: sp.Expr) -> sp.Expr:
        """An invariant expression as an operand: numbers and atoms inline, else a temp."""
        if e.is_Number or e.is_Atom or isinstance(e, sp.Indexed):
            return e
        if isinstance(e, sp.Mul) and e.args[0] == -1 and len(e.args) == 2 and e.args[1].is_Atom:
            return e
        return self.named(e)

    # -- varying part ----------------------------------------------------------------
    def run(self) -> list[sp.Expr]:
        eg, choice = self.eg, self.sel.choice
        refs: dict[int, int] = defaultdict(int)
        pin: set[int] = set()
        order: list[int] = []
        seen: set[int] = set()
        for r in self.sel.roots:
            refs[r] += 1
            stack = [(r, False)]
            while stack:
                c, post = stack.pop()
                if post:
                    order.append(c)
                    continue
                if c in seen or not eg.varying(c):
                    continue
                seen.add(c)
                stack.append((c, True))
                node = choice[c]
                for k in node[2]:
                    k = eg.find(k)
                    refs[k] += 1
                    if eg.varying(k) and node[0] in ("mul", "pow", "div", "fn", "powf"):
                        op = choice[k][0]
                        if op == "add" or (op == "mul" and node[0] in ("pow", "div")):
                            pin.add(k)
                    if k not in seen:
                        stack.append((k, False))
        for c in order:
            node = choice[c]
            e = self._build(node)
            if node[0] not in ("num", "sym") and (refs[c] >= 2 or c in pin) and not self._is_neg(node):
                sym = self.names.temporary()
                self.body.append((sym, e))
                e = sym
            self.expr[c] = e
        return [self.operand(r) for r in self.sel.roots]

    def _is_neg(self, node: ENode) -> bool:
        """``-x``: never a temporary (negation is free, and ``-t`` keeps ``t`` shared)."""
        ch = node[2]
        return node[0] == "mul" and len(ch) == 2 and any(self.eg.const(k) == -1.0 for k in ch)

    def operand(self, c: int) -> sp.Expr:
        c = self.eg.find(c)
        if not self.eg.varying(c):
            return self.hoist(self.inv_tree(c))
        return self.expr[c]

    def _build(self, node: ENode) -> sp.Expr:
        eg = self.eg
        op, _, ch = node
        if op in ("add", "mul"):
            inv = [k for k in ch if not eg.varying(k)]
            var = [self.operand(k) for k in ch if eg.varying(k)]
            if len(inv) >= 2 or (inv and not (eg.const(inv[0]) is not None)):
                trees = [self.inv_tree(k) for k in inv]
                combined = sp.Add(*trees) if op == "add" else sp.Mul(*trees)
                args = var + [self.hoist(combined)]
            else:
                args = var + [self.hoist(self.inv_tree(k)) for k in inv]
            return sp.Add(*args) if op == "add" else sp.Mul(*args)
        return node_to_sympy(node, [self.operand(k) for k in ch], eg.leaves)


def emit(
    sel: Selection, inv_choice: dict[int, ENode], names: Names
) -> tuple[tuple[tuple[sp.Symbol, sp.Expr], ...], tuple[tuple[sp.Symbol, sp.Expr], ...], tuple[sp.Expr, ...]]:
    """``(invariants, body, outputs)`` of the selection."""
    em = _Emitter(sel, inv_choice, names)
    outs = em.run()
    return tuple(em.named.items), tuple(em.body), tuple(outs)
