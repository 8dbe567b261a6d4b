"""Lower un-rewritten kernel outputs to temporaries: hoist loop invariants, then common
subexpressions (the fallback when the e-graph rewriter is off or absent).

Loop-invariant hoisting: every maximal parameter-only subterm (``Du/h_x**2``) becomes an
``invariants`` assignment computed once per call. Common subexpressions across all outputs
come from :func:`sympy.cse` (a tree-based CSE; Aho, Sethi & Ullman, *Compilers*, §8.3).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ..ir.kernel import KernelIR, is_varying

__all__ = ["hoist_invariants", "cse_kernel"]


class _Hoister:
    def __init__(self, axes: Sequence[str], prefix: str = "c"):
        self.axes = axes
        self.prefix = prefix
        self.table: dict[sp.Expr, sp.Symbol] = {}

    def name_for(self, e: sp.Expr) -> sp.Expr:
        if e.is_Atom or (e.is_Number) or (isinstance(e, sp.Mul) and len(e.args) == 2 and e.args[0] == -1 and e.args[1].is_Atom):
            return e
        sym = self.table.get(e)
        if sym is None:
            sym = self.table[e] = sp.Symbol(f"{self.prefix}{len(self.table)}", real=True)
        return sym

    def __call__(self, e: sp.Expr) -> sp.Expr:
        if isinstance(e, sp.Indexed):
            return e
        if not is_varying(e, self.axes):
            return self.name_for(e)
        if isinstance(e, (sp.Add, sp.Mul)):
            inv = [a for a in e.args if not is_varying(a, self.axes)]
            var = [self(a) for a in e.args if is_varying(a, self.axes)]
            if len(inv) > 1 or (inv and not inv[0].is_Atom):
                return e.func(self.name_for(e.func(*inv)), *var)
            return e.func(*inv, *var)
        if not e.args:
            return e
        return e.func(*(self(a) for a in e.args))


def hoist_invariants(k: KernelIR) -> KernelIR:
    """``k`` with parameter-only subterms of the outputs moved into ``invariants``."""
    hoist = _Hoister(k.axis_names)
    outputs = tuple(hoist(e) for e in k.outputs)
    invariants = tuple(k.invariants) + tuple((s, e) for e, s in hoist.table.items())
    from dataclasses import replace

    return replace(k, outputs=outputs, invariants=invariants)


def cse_kernel(k: KernelIR) -> KernelIR:
    """Hoisted invariants plus :func:`sympy.cse` over all outputs into ``body``."""
    from dataclasses import replace

    k = hoist_invariants(k)
    if not k.outputs:
        return k
    syms = sp.numbered_symbols("tmp", real=True)
    # accesses become opaque symbols so CSE never splits their index arithmetic
    accs = sorted(set().union(*(e.atoms(sp.Indexed) for e in k.outputs)), key=sp.default_sort_key)
    hide = {a: sp.Symbol(f"_acc{j}", real=True) for j, a in enumerate(accs)}
    show = {s: a for a, s in hide.items()}
    outputs = [e.xreplace(hide) for e in k.outputs]
    repl, reduced = sp.cse(outputs, symbols=syms, optimizations=None, order="canonical")
    repl = [(s, e.xreplace(show)) for s, e in repl]
    reduced = [e.xreplace(show) for e in reduced]
    body = []
    invariants = list(k.invariants)
    varying: set[sp.Symbol] = set()
    for sym, e in repl:
        if is_varying(e, k.axis_names) or (e.free_symbols & varying):
            varying.add(sym)
            body.append((sym, e))
        else:
            invariants.append((sym, e))
    return replace(k, body=tuple(body), invariants=tuple(invariants), outputs=tuple(reduced))
