"""The model IR: a checked, resolved model as frozen dataclasses holding sympy expressions.

This is what the frontend (``.pde`` text or the Python DSL) produces and what every later
stage consumes. Conventions:

* fields and auxiliaries (``let``) appear in expressions as applied functions
  ``u(t, x, y)`` of time and *all* of the model's axes (:mod:`eqc.compiler.ir.symbols`);
* spatial derivatives are :class:`sympy.Derivative` (``lap``/``grad``/``div`` already
  expanded over the axes); an evolution equation's left side is ``Derivative(u, t)``;
* an auxiliary is referred to by its applied function and defined once in ``Model.lets``;
  :meth:`Model.inline_lets` substitutes the definitions;
* every object that came from text carries a :class:`Span` that is not compared, so two
  models are equal when they mean the same thing, wherever they were written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import sympy as sp

from ..diagnostics import Span
from .symbols import TIME, coord, field_function, param

__all__ = [
    "Axis",
    "Param",
    "Field",
    "Let",
    "Equation",
    "BoundaryCondition",
    "InitialCondition",
    "Solve",
    "Train",
    "Model",
    "Side",
    "ModelKind",
]

Side = Literal["lo", "hi"]
ModelKind = Literal["ode", "evolution", "steady"]
TrainValue = str | int | float | bool


def _is_number(e: sp.Expr) -> bool:
    return isinstance(e, sp.Expr) and not e.free_symbols and e.is_real is not False


@dataclass(frozen=True, slots=True)
class Axis:
    """A spatial axis: the interval ``[lo, hi]``, periodic or not, and its grid size."""

    name: str
    lo: sp.Expr
    hi: sp.Expr
    periodic: bool = False
    points: int | None = None
    span: Span | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for end in (self.lo, self.hi):
            if not _is_number(sp.sympify(end)):
                raise ValueError(f"axis {self.name}: bounds must be numbers, got {end!r}")
        if self.points is not None and self.points < 1:
            raise ValueError(f"axis {self.name}: grid size must be positive")

    @property
    def symbol(self) -> sp.Symbol:
        return coord(self.name)

    @property
    def length(self) -> float:
        return float(self.hi) - float(self.lo)


@dataclass(frozen=True, slots=True)
class Param:
    """A scalar parameter. ``known=False`` marks an unknown of an inverse problem; its
    ``value``, if any, is then the initial guess."""

    name: str
    value: sp.Expr | None
    doc: str | None = None
    unit: str | None = None
    known: bool = True
    span: Span | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.known and self.value is None:
            raise ValueError(f"param {self.name}: a known parameter needs a value")

    @property
    def symbol(self) -> sp.Symbol:
        return param(self.name)

    @property
    def number(self) -> float | None:
        return None if self.value is None else float(self.value)


@dataclass(frozen=True, slots=True)
class Field:
    """An unknown of the model, a function of time and every axis."""

    name: str
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Let:
    """An auxiliary ``let name = expr``, shared by the equations that use it."""

    name: str
    expr: sp.Expr
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Equation:
    """One equation and the field it determines.

    ``kind == "evolution"``: ``lhs`` is ``Derivative(u, t)`` and ``rhs`` its value.
    ``kind == "steady"``: ``lhs = rhs`` holds at every time (a steady problem, or a
    constraint such as ``lap(psi) = -w`` beside evolution equations).
    """

    field: str
    lhs: sp.Expr
    rhs: sp.Expr
    kind: Literal["evolution", "steady"]
    span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def residual(self) -> sp.Expr:
        """``lhs - rhs``: zero where the equation holds."""
        return self.lhs - self.rhs


@dataclass(frozen=True, slots=True)
class BoundaryCondition:
    """``alpha*u + beta*d(u, axis) = value`` on one side of a non-periodic axis.

    ``value`` may depend on ``t``, the other coordinates and the parameters. Dirichlet is
    ``beta == 0``, Neumann ``alpha == 0``, Robin otherwise. ``d(u, axis)`` is the
    derivative along the axis (not the outward normal).
    """

    field: str
    axis: str
    side: Side
    alpha: sp.Expr
    beta: sp.Expr
    value: sp.Expr
    span: Span | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.side not in ("lo", "hi"):
            raise ValueError(f"side must be 'lo' or 'hi', got {self.side!r}")

    @property
    def kind(self) -> Literal["dirichlet", "neumann", "robin"]:
        if self.beta == 0:
            return "dirichlet"
        if self.alpha == 0:
            return "neumann"
        return "robin"

    @property
    def time_dependent(self) -> bool:
        return TIME in self.value.free_symbols


@dataclass(frozen=True, slots=True)
class InitialCondition:
    """``init u = expr``: the field at the start time, an expression of the coordinates."""

    field: str
    expr: sp.Expr
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Solve:
    """Defaults for a classical solve: ``solve t in [t0, t1] step dt method m save every s``.

    ``dt is None`` lets the solver choose (adaptive or from a stability estimate);
    ``save_every`` is a time interval (None: save start and end only).
    """

    t0: float = 0.0
    t1: float = 1.0
    dt: float | None = None
    method: str = "auto"
    save_every: float | None = None
    span: Span | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.t1 > self.t0:
            raise ValueError("solve: the end time must be after the start time")


@dataclass(frozen=True, slots=True)
class Train:
    """Defaults for a learned solver: ``train pinn width 64 depth 4 steps 5000 ...``."""

    method: str = "pinn"
    options: tuple[tuple[str, TrainValue], ...] = ()
    span: Span | None = field(default=None, compare=False, repr=False)

    def get(self, key: str, default: TrainValue | None = None) -> TrainValue | None:
        for k, v in self.options:
            if k == key:
                return v
        return default


@dataclass(frozen=True, slots=True)
class Model:
    """A whole model. Build it with the frontend (``eqc.load``) or the Python DSL."""

    name: str
    title: str | None = None
    axes: tuple[Axis, ...] = ()
    params: tuple[Param, ...] = ()
    fields: tuple[Field, ...] = ()
    lets: tuple[Let, ...] = ()
    equations: tuple[Equation, ...] = ()
    bcs: tuple[BoundaryCondition, ...] = ()
    ics: tuple[InitialCondition, ...] = ()
    solve: Solve | None = None
    train: Train | None = None
    doc: str | None = field(default=None, compare=False)
    source: str | None = field(default=None, compare=False, repr=False)
    span: Span | None = field(default=None, compare=False, repr=False)

    # ----------------------------------------------------------------- names
    @property
    def axis_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axes)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def let_names(self) -> tuple[str, ...]:
        return tuple(lt.name for lt in self.lets)

    @property
    def dim(self) -> int:
        return len(self.axes)

    @property
    def kind(self) -> ModelKind:
        """``ode`` (no axes), ``evolution`` (some ``dt`` equation) or ``steady``."""
        if not self.axes:
            return "ode"
        if any(e.kind == "evolution" for e in self.equations):
            return "evolution"
        return "steady"

    def axis(self, name: str) -> Axis:
        return _lookup(self.axes, name, "axis")

    def param(self, name: str) -> Param:
        return _lookup(self.params, name, "param")

    def let(self, name: str) -> Let:
        return _lookup(self.lets, name, "let")

    def equation_for(self, field_name: str) -> Equation:
        for e in self.equations:
            if e.field == field_name:
                return e
        raise KeyError(f"no equation for field {field_name!r}")

    def ic_for(self, field_name: str) -> InitialCondition | None:
        return next((ic for ic in self.ics if ic.field == field_name), None)

    def bcs_for(self, field_name: str) -> tuple[BoundaryCondition, ...]:
        return tuple(b for b in self.bcs if b.field == field_name)

    # ------------------------------------------------------------ expressions
    def function(self, name: str) -> sp.Expr:
        """The applied function ``name(t, *axes)`` of a field or auxiliary."""
        return field_function(name, self.axis_names)

    @property
    def evolution_equations(self) -> tuple[Equation, ...]:
        return tuple(e for e in self.equations if e.kind == "evolution")

    @property
    def steady_equations(self) -> tuple[Equation, ...]:
        return tuple(e for e in self.equations if e.kind == "steady")

    def inline_lets(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` with every auxiliary replaced by its definition (recursively).

        Derivatives of auxiliaries stay unevaluated ``Derivative`` objects of the inlined
        expression; call ``.doit()`` to expand them by the chain rule.
        """
        if not self.lets:
            return expr
        funcs = {self.function(lt.name): lt.expr for lt in self.lets}
        for _ in range(len(self.lets) + 1):
            new = expr.xreplace(funcs)
            if new == expr:
                return new
            expr = new
        return expr

    def param_values(self, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
        """Numeric value of every parameter that has one, with ``overrides`` applied."""
        values = {p.name: p.number for p in self.params if p.value is not None}
        if overrides:
            unknown = set(overrides) - set(self.param_names)
            if unknown:
                raise KeyError(f"no parameter named {sorted(unknown)[0]!r}")
            values.update({k: float(v) for k, v in overrides.items()})
        return values

    def with_params(self, **values: float) -> Model:
        """A copy with parameter values replaced (``eqc run --set F=0.05``)."""
        unknown = set(values) - set(self.param_names)
        if unknown:
            raise KeyError(f"no parameter named {sorted(unknown)[0]!r}")
        params = tuple(
            replace(p, value=sp.Float(values[p.name]), known=True) if p.name in values else p
            for p in self.params
        )
        return replace(self, params=params)

    def to_pde(self) -> str:
        """This model as ``.pde`` text; parsing it gives back an equal model."""
        from .printing import to_pde

        return to_pde(self)


def _lookup(items: Iterable, name: str, what: str):
    for item in items:
        if item.name == name:
            return item
    raise KeyError(f"no {what} named {name!r}")
