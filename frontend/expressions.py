"""Syntax-tree expressions to sympy, with every name resolved against the model's declarations.

A :class:`Scope` knows what each declared name is (axis, parameter, field, auxiliary) and
turns :mod:`eqc.frontend.syntax` expressions into the IR's sympy form: fields and lets as
applied functions of ``t`` and all axes, ``lap/grad/div`` expanded
(:mod:`eqc.compiler.passes.resolve`), integer literals as ``Integer`` and decimals as
``Float`` (exact round trip through ``repr(float)``). Errors carry the span of the
offending node.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp

from ..compiler.diagnostics import (
    ModelError,
    NameModelError,
    SemanticModelError,
    Span,
    SyntaxModelError,
    did_you_mean,
)
from ..compiler.ir.symbols import CONSTANTS, FUNCTIONS, TIME, coord, field_function, param
from ..compiler.passes import resolve as R
from . import syntax as ast

__all__ = ["Scope", "OPERATORS", "RESERVED", "number"]

OPERATORS = ("d", "dt", "lap", "grad", "div")
STATEMENT_WORDS = ("model", "domain", "grid", "param", "field", "let", "bc", "init", "solve", "train")
RESERVED = frozenset((*FUNCTIONS, *CONSTANTS, *OPERATORS, *STATEMENT_WORDS, "t"))
_VARIADIC = {"min", "max"}


def number(node: ast.Num, span: Span) -> sp.Expr:
    """A numeric literal: ``Integer`` for whole-number text, ``Float`` otherwise."""
    text = node.text
    try:
        if text.isdigit():
            return sp.Integer(int(text))
        value = float(text)
    except ValueError:  # more digits than Python converts
        raise SyntaxModelError(f"number `{text[:20]}...` has too many digits", span,
                               "write it with an exponent, e.g. 1e30") from None
    if not math.isfinite(value):
        raise SyntaxModelError(f"number `{text}` is too large for a double", span,
                               "numbers must be below about 1.8e308")
    return sp.Float(value)


@dataclass
class Scope:
    """The names of a model and how to turn expressions over them into sympy.

    ``kinds`` maps each declared name to ``"axis"``, ``"param"``, ``"field"`` or ``"let"``;
    ``axes`` is the axis order (fields are functions of all of them).
    """

    kinds: Mapping[str, str]
    axes: tuple[str, ...]
    span_of: Callable[[ast.Pos], Span]
    _functions: dict[str, sp.Expr] = field(default_factory=dict)

    # ------------------------------------------------------------------ entry point
    def scalar(self, node: ast.Node, what: str = "here", allow_fields: bool = True) -> sp.Expr:
        """``node`` as a finite scalar sympy expression; fields only if ``allow_fields``."""
        try:
            e = R.scalar(self._expr(node, allow_fields), what)
            return R.check_finite(e)
        except RecursionError:
            raise SyntaxModelError("this expression is nested too deeply", self.span_of(node.pos),
                                   "split it with `let` definitions") from None
        except ModelError as err:
            if err.span is None:
                err.span = self.span_of(node.pos)
            raise

    def constant(self, node: ast.Node, what: str) -> sp.Expr:
        """A number-valued expression (numbers, ``pi``, functions of them)."""
        e = self.scalar(node, what, allow_fields=False)
        if e.free_symbols or not e.is_real:
            raise SemanticModelError(f"{what} must be a number", self.span_of(node.pos),
                                     "use numbers, pi and functions of them only")
        return e

    # ---------------------------------------------------------------- the recursion
    def _expr(self, node: ast.Node, fields: bool):
        if isinstance(node, ast.Num):
            return number(node, self.span_of(node.pos))
        if isinstance(node, ast.Name):
            return self._name(node, fields)
        if isinstance(node, ast.Neg):
            return -self._expr(node.operand, fields)
        if isinstance(node, ast.Pow):
            return self._wrap(node, lambda: R.power(self._expr(node.base, fields), self._expr(node.exponent, fields)))
        if isinstance(node, ast.Chain):
            first = self._expr(node.first, fields)
            rest = [(op, self._expr(operand, fields), operand) for op, operand in node.rest]
            if not isinstance(first, R.Vector) and not any(isinstance(v, R.Vector) for _, v, _ in rest):
                return _flat_chain(first, rest)  # one Add/Mul: linear in the number of terms
            acc = first
            for op, rhs, operand in rest:
                acc = self._wrap(operand, lambda a=acc, o=op, b=rhs: _binary(o, a, b))
            return acc
        if isinstance(node, ast.Call):
            return self._call(node, fields)
        raise TypeError(f"not an expression node: {node!r}")

    def _wrap(self, node, thunk):
        try:
            return thunk()
        except ModelError as err:
            if err.span is None:
                err.span = self.span_of(node.pos)
            raise

    def _name(self, node: ast.Name, fields: bool):
        name, span = node.name, self.span_of(node.pos)
        kind = self.kinds.get(name)
        if kind in ("field", "let"):
            if not fields:
                raise SemanticModelError(f"`{name}` is a {kind}; it cannot appear here", span,
                                         "only numbers, parameters and coordinates are allowed here")
            if name not in self._functions:
                self._functions[name] = field_function(name, self.axes)
            return self._functions[name]
        if kind == "param":
            return param(name)
        if kind == "axis":
            return coord(name)
        if name == "t":
            return TIME
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS or name in OPERATORS:
            raise SyntaxModelError(f"`{name}` is a function: write {name}(...)", span,
                                   f"e.g. {name}(u)" if name != "d" else "e.g. d(u, x)")
        raise NameModelError(f"unknown name `{name}`", span,
                             did_you_mean(name, [*self.kinds, "t", *CONSTANTS]) or
                             "declare it with `param`, `field`, `let` or `domain`")

    def _call(self, node: ast.Call, fields: bool):
        name, args, span = node.name, node.args, self.span_of(node.name_pos)
        if name in FUNCTIONS:
            if name in _VARIADIC:
                if len(args) < 2:
                    raise SyntaxModelError(f"`{name}` takes two or more arguments, got {len(args)}",
                                           self.span_of(node.pos), f"write {name}(a, b)")
            elif len(args) != 1:
                raise SyntaxModelError(f"`{name}` takes one argument, got {len(args)}",
                                       self.span_of(node.pos), f"write {name}(expr)")
            vals = [R.scalar(self._expr(a, fields), f"in {name}(...)") for a in args]
            return FUNCTIONS[name](*vals)
        if name == "d":
            return self._derivative(node, fields)
        if name == "dt":
            raise SemanticModelError("dt(...) may only be the whole left side of an evolution equation",
                                     self.span_of(node.pos),
                                     "write `dt(u) = ...`; on a right side use the field itself")
        if name in ("lap", "grad", "div"):
            if len(args) != 1:
                raise SyntaxModelError(f"`{name}` takes one argument, got {len(args)}",
                                       self.span_of(node.pos), f"write {name}(u)")
            if not fields:
                raise SemanticModelError(f"`{name}` cannot appear here", self.span_of(node.pos),
                                         "only numbers, parameters and coordinates are allowed here")
            inner = self._expr(args[0], fields)
            axes = tuple(coord(a) for a in self.axes)
            op = {"lap": R.lap, "grad": R.grad, "div": R.div}[name]
            return self._wrap(node, lambda: op(inner, axes))
        kind = self.kinds.get(name)
        if kind is not None:
            raise SyntaxModelError(f"`{name}` is a {kind}, not a function", span,
                                   f"write `{name}` without arguments")
        raise NameModelError(f"unknown function `{name}`", span,
                             did_you_mean(name, [*FUNCTIONS, *OPERATORS]) or
                             "functions are " + ", ".join(FUNCTIONS) + ", d, lap, grad, div")

    def _derivative(self, node: ast.Call, fields: bool):
        args = node.args
        if len(args) < 2:
            raise SyntaxModelError(f"`d` takes an expression and at least one axis, got {len(args)} argument"
                                   + ("s" if len(args) != 1 else ""),
                                   self.span_of(node.pos), "write d(u, x), d(u, x, 2) or d(u, x, y)")
        if not fields:
            raise SemanticModelError("`d` cannot appear here", self.span_of(node.pos),
                                     "only numbers, parameters and coordinates are allowed here")
        expr = R.scalar(self._expr(args[0], fields), "inside d(...)")
        variables: list[list] = []
        for a in args[1:]:
            if isinstance(a, ast.Num) and a.text.isdigit() and variables:
                n = int(a.text)
                if not 1 <= n <= 8:
                    raise SemanticModelError(f"derivative order {n} is out of range",
                                             self.span_of(a.pos), "use an order from 1 to 8")
                if variables[-1][1] is not None:
                    raise SyntaxModelError("two orders in a row", self.span_of(a.pos),
                                           "write d(u, x, 2, y) for d³u/dx²dy")
                variables[-1][1] = n
                continue
            if isinstance(a, ast.Name) and a.name == "t":
                raise SemanticModelError("a time derivative may only be the left side `dt(u) = ...`",
                                         self.span_of(a.pos), "on a right side, d(u, t) is not allowed")
            if not (isinstance(a, ast.Name) and self.kinds.get(a.name) == "axis"):
                what = a.name if isinstance(a, ast.Name) else None
                raise SemanticModelError(
                    f"`{what}` is not an axis" if what else "d(...) differentiates along an axis name",
                    self.span_of(a.pos),
                    (did_you_mean(what, self.axes) if what else None)
                    or ("axes: " + ", ".join(self.axes) if self.axes else "this model has no domain"),
                )
            variables.append([coord(a.name), None])
        return sp.Derivative(expr, *((v, n or 1) for v, n in variables))


def _flat_chain(first: sp.Expr, rest) -> sp.Expr:
    if rest[0][0] in "+-":
        return sp.Add(first, *(b if op == "+" else -b for op, b, _ in rest))
    if all(op == "*" for op, _, _ in rest):
        return sp.Mul(first, *(b for _, b, _ in rest))
    num = [first, *(b for op, b, _ in rest if op == "*")]
    den = [b for op, b, _ in rest if op == "/"]
    return sp.Mul(*num) / sp.Mul(*den)


def _binary(op: str, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if isinstance(a, R.Vector) and isinstance(b, R.Vector):
        raise SemanticModelError("cannot divide by a vector")
    if isinstance(b, R.Vector):
        raise SemanticModelError("cannot divide by a vector (grad)")
    return a / b
