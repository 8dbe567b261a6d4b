"""Symbolic building blocks both frontends share (the ``.pde`` builder and the Python DSL).

* the vector calculus operators expanded over a model's axes — ``lap(u) = Σ ∂²u/∂xᵢ²``,
  ``grad(u) = (∂u/∂xᵢ)``, ``div(F) = Σ ∂Fᵢ/∂xᵢ`` — with :class:`Vector` for ``grad``'s result;
* guarded arithmetic (``power`` refuses numbers too large to represent);
* :func:`bc_coefficients`, which reads ``alpha*u + beta*d(u, x) = g`` off a boundary
  condition's two sides with sympy;
* :func:`check_finite`, which refuses ``1/0`` and other non-finite constants.

Errors are :class:`~eqc.compiler.diagnostics.ModelError` without a span; the caller, which
knows where the expression came from, attaches one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from ..diagnostics import SemanticModelError
from ..ir.symbols import TIME, field_of

__all__ = [
    "Vector",
    "lap",
    "grad",
    "div",
    "power",
    "check_finite",
    "bc_coefficients",
    "scalar",
    "fields_in",
    "time_derivatives_in",
    "MAX_EXPONENT_BITS",
]

MAX_EXPONENT_BITS = 4096  # numeric powers larger than 2**4096 are refused


@dataclass(frozen=True, slots=True)
class Vector:
    """A vector expression, one component per axis: what ``grad`` gives and ``div`` takes."""

    components: tuple[sp.Expr, ...]

    def _lift(self, other, op):
        if isinstance(other, Vector):
            return Vector(tuple(op(a, b) for a, b in zip(self.components, other.components, strict=True)))
        raise SemanticModelError("cannot add a vector (grad) and a scalar",
                                 hint="use div(...) to turn grad(...) into a scalar")

    def __add__(self, other):
        return self._lift(other, lambda a, b: a + b)

    def __sub__(self, other):
        return self._lift(other, lambda a, b: a - b)

    def __radd__(self, other):
        return self._lift(other, lambda a, b: b + a)

    def __rsub__(self, other):
        return self._lift(other, lambda a, b: b - a)

    def __rtruediv__(self, other):
        raise SemanticModelError("cannot divide by a vector (grad)")

    def __neg__(self):
        return Vector(tuple(-c for c in self.components))

    def __mul__(self, other):
        if isinstance(other, Vector):
            raise SemanticModelError("cannot multiply two vectors",
                                     hint="the language has grad and div; write div(grad(u)) or lap(u)")
        return Vector(tuple(c * other for c in self.components))

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, Vector):
            raise SemanticModelError("cannot divide by a vector")
        return Vector(tuple(c / other for c in self.components))


def _axes_or_error(axes: Sequence[sp.Symbol], op: str) -> None:
    if not axes:
        raise SemanticModelError(f"`{op}` needs a spatial domain, and this model has none",
                                 hint="declare axes with `domain x in [0, 1]`")


def scalar(e, what: str = "here") -> sp.Expr:
    """``e`` if it is a scalar; an error naming grad if it is a :class:`Vector`."""
    if isinstance(e, Vector):
        raise SemanticModelError(f"grad(...) gives a vector, but a scalar is needed {what}",
                                 hint="use div(...) of it, e.g. div(D*grad(u)), or lap(u)")
    return e


def lap(e, axes: Sequence[sp.Symbol]) -> sp.Expr:
    """The Laplacian ``Σ ∂²e/∂xᵢ²`` over ``axes`` (unevaluated derivatives)."""
    _axes_or_error(axes, "lap")
    e = scalar(e, "inside lap(...)")
    return sp.Add(*(sp.Derivative(e, (a, 2)) for a in axes))


def grad(e, axes: Sequence[sp.Symbol]) -> Vector:
    """The gradient ``(∂e/∂xᵢ)ᵢ`` over ``axes``."""
    _axes_or_error(axes, "grad")
    e = scalar(e, "inside grad(...)")
    return Vector(tuple(sp.Derivative(e, a) for a in axes))


def div(v, axes: Sequence[sp.Symbol]) -> sp.Expr:
    """The divergence ``Σ ∂vᵢ/∂xᵢ`` of a :class:`Vector`, e.g. ``div(D*grad(u))``."""
    _axes_or_error(axes, "div")
    if not isinstance(v, Vector):
        raise SemanticModelError("div(...) needs a vector such as D*grad(u)",
                                 hint="for a scalar flux along one axis write d(f, x)")
    return sp.Add(*(sp.Derivative(c, a) for c, a in zip(v.components, axes, strict=True)))


def power(base, exponent) -> sp.Expr:
    """``base^exponent``, refusing numeric results too large to represent."""
    base = scalar(base, "in a power")
    exponent = scalar(exponent, "in a power")
    if base.is_Number and exponent.is_Number:
        b = abs(float(base)) if base.is_finite else math.inf
        e = float(exponent)
        if b not in (0.0, 1.0) and math.isfinite(b):
            bits = abs(e) * abs(math.log2(b))
            if bits > MAX_EXPONENT_BITS:
                raise SemanticModelError("this power is too large a number to compute",
                                         hint="write the number you mean directly")
    return sp.Pow(base, exponent)


def check_finite(e: sp.Expr) -> sp.Expr:
    """``e``, or an error if it holds a division by zero, infinity or NaN."""
    if e.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise SemanticModelError("this expression divides by zero or is not finite",
                                 hint="check the denominators and exponents")
    if e.has(sp.I):
        raise SemanticModelError("this expression is complex (e.g. the square root of a negative number)",
                                 hint="eqc models are real-valued")
    for f in e.atoms(sp.Float):
        if not math.isfinite(float(f)):
            raise SemanticModelError("a number here is too large", hint="numbers must fit in a double")
    return e


def fields_in(e: sp.Basic, names: Sequence[str] | Mapping[str, int]) -> list[str]:
    """Names (from ``names``, in that order) of the fields applied in ``e``. ``names`` may be
    a mapping from name to position (faster when scanning many expressions)."""
    present = {field_of(a) for a in e.atoms(sp.core.function.AppliedUndef)}
    if not present:
        return []
    if isinstance(names, Mapping):  # name -> position, for callers scanning many expressions
        return sorted((n for n in present if n in names), key=names.__getitem__)
    return [n for n in names if n in present]


def time_derivatives_in(e: sp.Basic) -> list[sp.Derivative]:
    """The derivatives with respect to ``t`` inside ``e``."""
    return [d for d in e.atoms(sp.Derivative) if any(v == TIME for v, _ in d.variable_count)]


def bc_coefficients(lhs: sp.Expr, rhs: sp.Expr, u: sp.Expr, axis: sp.Symbol) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """``(alpha, beta, value)`` with ``alpha*u + beta*d(u, axis) = value`` equal to
    ``lhs = rhs``. The condition must be linear in ``u`` and ``d(u, axis)``, and those are
    the only field terms allowed."""
    check_finite(lhs)
    check_finite(rhs)
    du = sp.Derivative(u, axis)
    a, b = sp.Dummy("a"), sp.Dummy("b")
    e = (lhs - rhs).xreplace({du: b}).xreplace({u: a})
    if e.atoms(sp.core.function.AppliedUndef) or e.atoms(sp.Derivative):
        raise SemanticModelError(
            f"a boundary condition may contain only {field_of(u)} and d({field_of(u)}, {axis})",
            hint="write alpha*u + beta*d(u, x) = g (Dirichlet, Neumann or Robin)",
        )
    alpha = sp.diff(e, a)
    beta = sp.diff(e, b)
    if alpha.has(a, b) or beta.has(a, b):
        raise SemanticModelError(
            "a boundary condition must be linear in the field and its normal derivative",
            hint="write alpha*u + beta*d(u, x) = g",
        )
    value = -e.xreplace({a: sp.S.Zero, b: sp.S.Zero})
    if alpha == 0 and beta == 0:
        raise SemanticModelError("this boundary condition does not involve the field",
                                 hint="write e.g. u = 0 or d(u, x) = 0")
    return alpha, beta, value
