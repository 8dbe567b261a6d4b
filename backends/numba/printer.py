"""Kernel-IR expressions as Python source that numba compiles (``math`` functions, small
integer powers as products)."""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

__all__ = ["NumbaPrinter"]


class NumbaPrinter(PythonCodePrinter):
    """Prints expressions with accesses and symbols renamed by two tables.

    ``accesses`` maps each field access (:class:`sympy.Indexed`) to its source text (a row
    view indexed by the inner loop variable); ``names`` maps symbols to identifiers.
    """

    def __init__(self, accesses: Mapping[sp.Indexed, str], names: Mapping[sp.Symbol, str]):
        super().__init__({"fully_qualified_modules": True, "standard": "python3"})
        self._accesses = accesses
        self._names = names

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        return self._accesses[expr]

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        name = self._names.get(expr)
        return name if name is not None else super()._print_Symbol(expr)

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exp = expr.as_base_exp()
        if exp.is_Integer and 1 <= abs(int(exp)) <= 4:
            b = self.parenthesize(base, sp.printing.precedence.PRECEDENCE["Mul"] + 1)
            prod = "*".join([b] * abs(int(exp)))
            if abs(int(exp)) == 1:
                return b if exp > 0 else f"(1.0/{b})"
            return f"({prod})" if exp > 0 else f"(1.0/({prod}))"
        if exp == sp.Rational(1, 2):
            return f"math.sqrt({self._print(base)})"
        if exp == -sp.Rational(1, 2):
            return f"(1.0/math.sqrt({self._print(base)}))"
        return f"({self._print(base)})**({self._print(exp)})"

    def _print_Rational(self, expr: sp.Rational) -> str:
        return repr(float(expr)) if expr.q != 1 else f"{expr.p}.0"

    def _print_Integer(self, expr: sp.Integer) -> str:
        return f"{int(expr)}.0"

    def _print_Float(self, expr: sp.Float) -> str:
        return repr(float(expr))

    def _print_sign(self, expr: sp.Expr) -> str:
        a = self._print(expr.args[0])
        return f"(1.0 if ({a}) > 0 else (-1.0 if ({a}) < 0 else 0.0))"

    def _print_Abs(self, expr: sp.Expr) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Min(self, expr: sp.Expr) -> str:
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Max(self, expr: sp.Expr) -> str:
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"
