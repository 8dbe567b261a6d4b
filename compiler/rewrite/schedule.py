"""Order a straight-line program output by output, to keep few values live at once.

The x86 instruction scheduler before register allocation keeps close to source order,
so a body that computes every temporary first and every output last keeps all shared
temporaries live across the whole point loop (spills). Here each output's missing
temporaries are emitted depth-first just before it, and the output itself becomes a
temporary right there (Sethi–Ullman-style evaluation order, *The Generation of Optimal
Code for Arithmetic Expressions*, JACM 1970, applied per output).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

__all__ = ["schedule"]

Assignment = tuple[sp.Symbol, sp.Expr]


def schedule(
    body: Sequence[Assignment], outputs: Sequence[sp.Expr], new_symbol: Callable[[], sp.Symbol]
) -> tuple[tuple[Assignment, ...], tuple[sp.Expr, ...]]:
    """``(body, outputs)`` reordered output by output; outputs that are not atoms become
    temporaries placed right after their last dependency."""
    defs = dict(body)
    deps = {s: [a for a in e.free_symbols if a in defs] for s, e in body}
    position = {s: i for i, (s, _) in enumerate(body)}
    done: set[sp.Symbol] = set()
    order: list[Assignment] = []

    def visit(sym: sp.Symbol) -> None:
        stack = [(sym, False)]
        while stack:
            s, post = stack.pop()
            if post:
                if s not in done:
                    done.add(s)
                    order.append((s, defs[s]))
                continue
            if s in done:
                continue
            stack.append((s, True))
            # children in reverse source order so the first-defined is emitted first
            for d in sorted(deps[s], key=position.__getitem__, reverse=True):
                if d not in done:
                    stack.append((d, False))

    new_outputs = []
    for o in outputs:
        o = sp.sympify(o)
        for d in sorted((a for a in o.free_symbols if a in defs), key=position.__getitem__):
            visit(d)
        if o.is_Atom or o in defs:
            new_outputs.append(o)
        else:
            sym = new_symbol()
            order.append((sym, o))
            new_outputs.append(sym)
    for s, _ in body:  # temporaries no output uses (none expected) keep their place
        if s not in done:
            visit(s)
    return tuple(order), tuple(new_outputs)
