"""The Model IR back to ``.pde`` text: ``to_pde(model)``, and ``expr_to_pde(expr)``.

The printed text parses back to an equal model (``parse(to_pde(m)) == m``): floats print
as ``repr(float(v))`` (shortest exact form), rationals as ``p/q``, fields and auxiliaries
by name, derivatives as ``d(u, x)``, ``d(u, x, 2)``, ``d(u, x, y)``, powers with ``^``.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from .model import Model

__all__ = ["to_pde", "expr_to_pde", "PdePrinter"]


class PdePrinter(StrPrinter):
    """sympy's string printer, speaking the ``.pde`` expression language."""

    printmethod = "_pde"

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Exp1(self, expr):
        return "exp(1)"

    def _print_AppliedUndef(self, expr):
        return expr.func.__name__

    def _print_Function(self, expr):
        if isinstance(expr, sp.core.function.AppliedUndef):
            return expr.func.__name__
        return super()._print_Function(expr)

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Min(self, expr):
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Max(self, expr):
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Derivative(self, expr):
        parts = [self._print(expr.expr)]
        for v, n in expr.variable_count:
            parts.append(self._print(v))
            if n != 1:
                parts.append(str(n))
        return "d(" + ", ".join(parts) + ")"

    def _print_Pow(self, expr, rational=False):
        s = super()._print_Pow(expr, rational)
        if "**" not in s:
            return s
        prec = PRECEDENCE["Pow"]
        base = self.parenthesize(expr.base, prec, strict=True)
        exp = expr.exp
        e = self._print(exp)
        if precedence(exp) <= prec or exp.is_Rational and not exp.is_Integer or _is_negative(exp):
            e = f"({e})"
        return f"{base}^{e}"

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}" if expr.q != 1 else str(expr.p)


def _is_negative(e: sp.Expr) -> bool:
    return bool(e.is_Number and e.is_negative) or e.could_extract_minus_sign()


_PRINTER = PdePrinter({"order": None})


def expr_to_pde(expr: sp.Basic) -> str:
    """``expr`` in the ``.pde`` expression syntax."""
    return _PRINTER.doprint(expr)


def _num(v: float) -> str:
    return repr(float(v))


def _quote(s: str) -> str:
    return '"' + s.replace('"', "'").replace("\n", " ") + '"'


def to_pde(model: Model) -> str:
    """``model`` as ``.pde`` text that parses back to an equal model."""
    p = expr_to_pde
    out: list[str] = []
    if model.doc:
        out += [("# " + line).rstrip() for line in model.doc.splitlines()]
    out.append(f"model {model.name}" + (f" {_quote(model.title)}" if model.title else ""))
    if model.axes:
        out.append("")
        for a in model.axes:
            out.append(f"domain {a.name} in [{p(a.lo)}, {p(a.hi)}]" + (" periodic" if a.periodic else ""))
        if any(a.points is not None for a in model.axes):
            out.append("grid " + " x ".join("auto" if a.points is None else str(a.points) for a in model.axes))
    if model.params:
        out.append("")
        for prm in model.params:
            line = f"param {prm.name}"
            if prm.value is not None:
                line += f" = {p(prm.value)}"
            if prm.doc is not None:
                line += f" {_quote(prm.doc)}"
            if prm.unit is not None:
                line += f" [{prm.unit.replace(']', ')')}]"
            if not prm.known:
                line += " unknown"
            out.append(line)
    out.append("")
    out.append("field " + ", ".join(model.field_names))
    for lt in model.lets:
        out.append(f"let {lt.name} = {p(lt.expr)}")
    out.append("")
    for eq in model.equations:
        if eq.kind == "evolution":
            out.append(f"dt({eq.field}) = {p(eq.rhs)}")
        else:
            out.append(f"{p(eq.lhs)} = {p(eq.rhs)}")
    if model.bcs:
        out.append("")
        for bc in model.bcs:
            u = model.function(bc.field)
            axis = model.axis(bc.axis)
            lhs = bc.alpha * u + bc.beta * sp.Derivative(u, axis.symbol)
            where = axis.lo if bc.side == "lo" else axis.hi
            out.append(f"bc {p(lhs)} = {p(bc.value)} at {bc.axis} = {p(where)}")
    if model.ics:
        out.append("")
        for ic in model.ics:
            out.append(f"init {ic.field} = {p(ic.expr)}")
    if model.solve is not None or model.train is not None:
        out.append("")
    if model.solve is not None:
        s = model.solve
        line = f"solve t in [{_num(s.t0)}, {_num(s.t1)}]"
        if s.dt is not None:
            line += f" step {_num(s.dt)}"
        if s.method != "auto":
            line += f" method {s.method}"
        if s.save_every is not None:
            line += f" save every {_num(s.save_every)}"
        out.append(line)
    if model.train is not None:
        words = [f"train {model.train.method}"]
        for k, v in model.train.options:
            if isinstance(v, bool):
                words.append(f"{k} {'on' if v else 'off'}")
            elif isinstance(v, int):
                words.append(f"{k} {v}")
            elif isinstance(v, float):
                words.append(f"{k} {_num(v)}")
            else:
                words.append(f"{k} {v}")
        out.append(" ".join(words))
    return "\n".join(out) + "\n"
