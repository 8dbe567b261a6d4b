"""sympy ↔ e-graph: the single boundary between sympy expressions and e-nodes.

``to_egraph`` adds sympy expressions (n-ary ``Add``/``Mul`` stay n-ary; a product with
varying denominators becomes ``div(numerator, denominator)``; invariant reciprocals stay
factors, being free per point). Anything the e-graph has no op for (``Piecewise``, an
unknown function, a derivative) becomes an opaque leaf. ``to_sympy`` builds the sympy
expression of one chosen e-node from its children's expressions.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from .egraph import EGraph, ENode

__all__ = ["Converter", "node_to_sympy", "number", "FN_OF_SYMPY", "SYMPY_OF_FN"]

FN_OF_SYMPY: dict[type, str] = {
    sp.exp: "exp",
    sp.log: "log",
    sp.sin: "sin",
    sp.cos: "cos",
    sp.tan: "tan",
    sp.tanh: "tanh",
    sp.sinh: "sinh",
    sp.cosh: "cosh",
    sp.Abs: "abs",
    sp.sign: "sign",
}
SYMPY_OF_FN: dict[str, Callable[[sp.Expr], sp.Expr]] = {v: k for k, v in FN_OF_SYMPY.items()}
SYMPY_OF_FN["sqrt"] = sp.sqrt


def number(v: float) -> sp.Expr:
    """A float as the simplest sympy number that is exactly it: an Integer, a Rational
    with a small denominator whose float is ``v`` (so ``1/3`` prints as ``1/3``), else a
    Float with the digits of ``repr(v)`` (which round-trips any float64)."""
    v = float(v)
    if v.is_integer() and abs(v) < 2**53:
        return sp.Integer(int(v))
    if 1e-6 < abs(v) < 1e6:
        r = sp.Rational(v).limit_denominator(4096)
        if float(r) == v:
            return r
    text = repr(v)
    digits = len(text.split("e")[0].replace("-", "").replace(".", "").lstrip("0"))
    return sp.Float(text, max(15, digits))


def _exponent(v: float) -> sp.Expr:
    if float(v).is_integer():
        return sp.Integer(int(v))
    if float(2 * v).is_integer():
        return sp.Rational(int(2 * v), 2)
    return number(v)


class Converter:
    """Adds sympy expressions to an e-graph, deciding per leaf whether it varies."""

    def __init__(self, egraph: EGraph, varying: Callable[[sp.Basic], bool]):
        self.eg = egraph
        self.varying_atom = varying
        self.memo: dict[sp.Basic, int] = {}
        self._vmemo: dict[sp.Basic, bool] = {}

    def varies(self, e: sp.Basic) -> bool:
        hit = self._vmemo.get(e)
        if hit is None:
            if isinstance(e, sp.Indexed | sp.Symbol | sp.Derivative | sp.core.function.AppliedUndef) or not e.args:
                hit = bool(self.varying_atom(e))
            else:
                hit = any(self.varies(a) for a in e.args if isinstance(a, sp.Basic))
            self._vmemo[e] = hit
        return hit

    def leaf(self, e: sp.Basic) -> int:
        nonzero = bool(getattr(e, "is_nonzero", False))
        return self.eg.leaf(e, self.varies(e), nonzero)

    def add(self, e: sp.Basic) -> int:
        hit = self.memo.get(e)
        if hit is not None:
            return self.eg.find(hit)
        cid = self._add(e)
        self.memo[e] = cid
        return cid

    def _add(self, e: sp.Basic) -> int:
        eg = self.eg
        if e.is_Number or isinstance(e, sp.NumberSymbol):
            v = complex(e)
            if v.imag == 0 and v.real == v.real and abs(v.real) != float("inf"):
                return eg.num(v.real)
            return self.leaf(e)
        if isinstance(e, sp.Add):
            return eg.add(("add", None, tuple(self.add(a) for a in e.args)))
        if isinstance(e, sp.Mul):
            return self._mul(e)
        if isinstance(e, sp.Pow):
            return self._pow(e.base, e.exp)
        if isinstance(e, sp.Min | sp.Max):
            op = "min" if isinstance(e, sp.Min) else "max"
            return eg.add((op, None, tuple(self.add(a) for a in e.args)))
        if type(e) in FN_OF_SYMPY and len(e.args) == 1:
            return eg.add(("fn", FN_OF_SYMPY[type(e)], (self.add(e.args[0]),)))
        return self.leaf(e)

    def _pow(self, base: sp.Basic, ex: sp.Basic) -> int:
        eg = self.eg
        b = self.add(base)
        if ex.is_Number and ex.is_real:
            v = float(ex)
            if v < 0 and self.varies(base):
                inner = b if v == -1 else eg.add(("pow", -v, (b,)))
                return eg.add(("div", None, (eg.num(1.0), inner)))
            if v == 0.5:
                return eg.add(("fn", "sqrt", (b,)))
            return eg.add(("pow", v, (b,)))
        return eg.add(("powf", None, (b, self.add(ex))))

    def _mul(self, e: sp.Mul) -> int:
        eg = self.eg
        num, den = [], []
        for a in e.args:
            if isinstance(a, sp.Pow) and a.exp.is_Number and a.exp < 0 and self.varies(a.base):
                den.append(a.base if a.exp == -1 else sp.Pow(a.base, -a.exp, evaluate=False))
            else:
                num.append(a)
        top = [self.add(a) for a in num]
        if not den:
            return eg.add(("mul", None, tuple(top)))
        bottom = [self.add(a) for a in den]
        n = top[0] if len(top) == 1 else eg.add(("mul", None, tuple(top))) if top else eg.num(1.0)
        d = bottom[0] if len(bottom) == 1 else eg.add(("mul", None, tuple(bottom)))
        return eg.add(("div", None, (n, d)))


def node_to_sympy(node: ENode, args: list[sp.Expr], leaves: list[object]) -> sp.Expr:
    """The sympy expression of e-node ``node`` whose children evaluate to ``args``."""
    op, arg, _ = node
    if op == "num":
        return number(arg)  # type: ignore[arg-type]
    if op == "sym":
        return leaves[arg]  # type: ignore[index,return-value]
    if op == "add":
        return sp.Add(*args)
    if op == "mul":
        return sp.Mul(*args)
    if op == "div":
        return args[0] * sp.Pow(args[1], -1)
    if op == "pow":
        return sp.Pow(args[0], _exponent(arg))  # type: ignore[arg-type]
    if op == "powf":
        return sp.Pow(args[0], args[1])
    if op == "fn":
        return SYMPY_OF_FN[arg](args[0])  # type: ignore[index]
    if op == "min":
        return sp.Min(*args)
    if op == "max":
        return sp.Max(*args)
    raise ValueError(f"unknown e-node op {op!r}")
