"""The embedded Python DSL: build the same Model IR as a ``.pde`` file, from Python.

::

    import sympy as sp
    import eqc
    from eqc import dt, lap

    m = eqc.Model("heat", title="Heat equation")
    x = m.axis("x", 0, 1, points=64)
    D = m.param("D", 0.1, doc="diffusivity", unit="m^2/s")
    u = m.field("u")
    m.equation(dt(u) == D*lap(u))
    m.bc(u, 0, at=(x, 0)); m.bc(u, 0, at=(x, 1))
    m.init(u, sp.sin(sp.pi*x))
    m.solve(0, 0.5, dt=5e-4, method="rk4")
    model = m.build()          # the checked eqc.compiler.ir.Model
    print(m.to_pde())

Axes come before fields (a field is a function of time and every axis). ``==`` between a
``dt(u)`` and an expression makes an evolution equation; a steady equation is
``m.equation(lhs, rhs)`` or ``m.equation(sympy.Eq(lhs, rhs))`` (Python's ``==`` on two
sympy expressions compares them instead). :meth:`Model.build` runs the same checks as
the ``.pde`` frontend (:func:`eqc.compiler.passes.check.check_model`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..compiler.diagnostics import ModelErrors, SemanticModelError
from ..compiler.ir import model as ir
from ..compiler.ir.symbols import TIME, coord, field_function, field_of, param
from ..compiler.passes import resolve as R
from ..compiler.passes.check import check_model
from ..compiler.passes.classify import assign_steady_fields

__all__ = ["Model", "dt", "d", "lap", "grad", "div", "t"]

t = TIME


# ------------------------------------------------------------------------ operators
@dataclass(frozen=True)
class TimeDerivative:
    """``dt(u)``: only meaningful as the left side of ``dt(u) == rhs``."""

    function: sp.Expr

    def __eq__(self, rhs: Any) -> EvolutionEquation:  # type: ignore[override]
        return EvolutionEquation(self.function, sp.sympify(R.scalar(rhs, "on the right side")))

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class EvolutionEquation:
    function: sp.Expr
    rhs: sp.Expr


def dt(u: sp.Expr) -> TimeDerivative:
    """The time derivative of field ``u``, for ``m.equation(dt(u) == rhs)``."""
    if field_of(u) is None:
        raise SemanticModelError("dt(...) takes a field made by m.field(...)", hint="write dt(u) == ...")
    return TimeDerivative(u)


def d(expr: sp.Expr, *variables: Any) -> sp.Expr:
    """``d(u, x)``, ``d(u, x, 2)``, ``d(u, x, y)``: a (mixed) partial derivative."""
    if not variables:
        raise SemanticModelError("d(...) needs at least one axis", hint="write d(u, x)")
    pairs: list[list] = []
    for v in variables:
        if isinstance(v, int) and not isinstance(v, bool):
            if not pairs or pairs[-1][1] is not None or v < 1:
                raise SemanticModelError(f"misplaced derivative order {v}", hint="write d(u, x, 2)")
            pairs[-1][1] = v
        elif isinstance(v, sp.Symbol):
            if v == TIME:
                raise SemanticModelError("a time derivative may only be the left side dt(u) == ...")
            pairs.append([v, None])
        else:
            raise SemanticModelError(f"d(...) differentiates along an axis, got {v!r}")
    return sp.Derivative(sp.sympify(expr), *((v, n or 1) for v, n in pairs))


def _axes_of(e) -> tuple[sp.Symbol, ...]:
    exprs = e.components if isinstance(e, R.Vector) else (e,)
    for x in exprs:
        for f in sp.sympify(x).atoms(sp.core.function.AppliedUndef):
            return tuple(f.args[1:])
    raise SemanticModelError("cannot tell the axes: this expression contains no field",
                             hint="apply lap/grad/div to expressions of fields")


def lap(e: sp.Expr) -> sp.Expr:
    """The Laplacian over the axes of the fields in ``e``."""
    return R.lap(sp.sympify(e), _axes_of(e))


def grad(e: sp.Expr) -> R.Vector:
    """The gradient (a vector, for ``div``) over the axes of the fields in ``e``."""
    return R.grad(sp.sympify(e), _axes_of(e))


def div(v: R.Vector) -> sp.Expr:
    """The divergence of a vector such as ``D*grad(u)``."""
    if not isinstance(v, R.Vector):
        raise SemanticModelError("div(...) needs a vector such as D*grad(u)")
    return R.div(v, _axes_of(v))


# --------------------------------------------------------------------------- builder
class Model:
    """A model under construction; :meth:`build` gives the checked IR Model."""

    def __init__(self, name: str, title: str | None = None, doc: str | None = None):
        if not isinstance(name, str) or not name.isidentifier():
            raise SemanticModelError(f"model name {name!r} must be a plain name", hint="e.g. eqc.Model('heat')")
        self.name = name
        self.title = title
        self.doc = doc
        self._axes: list[ir.Axis] = []
        self._params: list[ir.Param] = []
        self._fields: list[ir.Field] = []
        self._lets: list[ir.Let] = []
        self._equations: list[tuple[str, str | None, sp.Expr, sp.Expr]] = []
        self._bcs: list[ir.BoundaryCondition] = []
        self._ics: list[ir.InitialCondition] = []
        self._solve: ir.Solve | None = None
        self._train: ir.Train | None = None

    # -- declarations
    def axis(self, name: str, lo: float, hi: float, periodic: bool = False, points: int | None = None) -> sp.Symbol:
        """Declare a spatial axis ``name in [lo, hi]``; returns its coordinate symbol."""
        if self._fields or self._lets:
            raise SemanticModelError(f"axis `{name}` declared after a field",
                                     hint="declare every axis before the fields (fields depend on all axes)")
        lo_, hi_ = sp.sympify(lo), sp.sympify(hi)
        if not (lo_.is_number and hi_.is_number and float(hi_) > float(lo_)):
            raise SemanticModelError(f"axis `{name}`: [{lo}, {hi}] is not an interval of numbers")
        self._axes.append(ir.Axis(name, lo_, hi_, bool(periodic), points))
        return coord(name)

    def param(self, name: str, value: float | None = None, doc: str | None = None,
              unit: str | None = None, known: bool = True) -> sp.Symbol:
        """Declare a parameter; ``known=False`` marks an unknown of an inverse problem."""
        if value is None and known:
            raise SemanticModelError(f"param `{name}` has no value", hint="give a value, or known=False")
        v = None if value is None else sp.sympify(value)
        self._params.append(ir.Param(name, v, doc, unit, known))
        return param(name)

    def field(self, name: str) -> sp.Expr:
        """Declare a field; returns it as the applied function ``name(t, *axes)``."""
        self._fields.append(ir.Field(name))
        return field_function(name, self._axis_names())

    def fields(self, *names: str) -> tuple[sp.Expr, ...]:
        return tuple(self.field(n) for n in names)

    def let(self, name: str, expr: sp.Expr) -> sp.Expr:
        """Declare an auxiliary ``let name = expr``; returns it as an applied function."""
        self._lets.append(ir.Let(name, R.scalar(sp.sympify(expr), f"in let {name}")))
        return field_function(name, self._axis_names())

    # -- equations and conditions
    def equation(self, eq: Any, rhs: Any = None) -> None:
        """``m.equation(dt(u) == rhs)``, ``m.equation(lhs, rhs)`` or ``m.equation(sp.Eq(lhs, rhs))``."""
        if isinstance(eq, TimeDerivative) and rhs is not None:
            eq = eq == rhs
        if isinstance(eq, EvolutionEquation):
            name = field_of(eq.function)
            rhs_ = R.scalar(eq.rhs, "on the right side")
            self._equations.append(("evolution", name, sp.Derivative(eq.function, TIME), rhs_))
            return
        if rhs is not None:
            lhs_, rhs_ = sp.sympify(eq), sp.sympify(rhs)
        elif isinstance(eq, sp.Equality):
            lhs_, rhs_ = eq.lhs, eq.rhs
        elif isinstance(eq, bool | sp.logic.boolalg.BooleanAtom):
            raise SemanticModelError(
                "equation() got True/False: Python's == compared two sympy expressions",
                hint="write m.equation(lhs, rhs) or m.equation(sympy.Eq(lhs, rhs)) for a steady equation")
        else:
            raise SemanticModelError(f"not an equation: {eq!r}", hint="write m.equation(dt(u) == rhs)")
        self._equations.append(("steady", None, R.scalar(lhs_), R.scalar(rhs_)))

    def bc(self, lhs: sp.Expr, value: Any, at: tuple[sp.Symbol, Any]) -> None:
        """``alpha*u + beta*d(u, x) = value`` at ``at=(x, position)`` (or ``(x, "lo"/"hi")``)."""
        axis_sym, where = at
        axis = next((a for a in self._axes if a.symbol == axis_sym), None)
        if axis is None:
            raise SemanticModelError(f"{axis_sym} is not an axis of this model")
        if where in ("lo", "hi"):
            side = where
        else:
            w = float(where)
            tol = 1e-9 * max(1.0, abs(float(axis.lo)), abs(float(axis.hi)))
            side = "lo" if abs(w - float(axis.lo)) <= tol else "hi" if abs(w - float(axis.hi)) <= tol else None
            if side is None:
                raise SemanticModelError(f"{axis.name} = {where} is not a boundary of [{axis.lo}, {axis.hi}]")
        lhs = R.check_finite(sp.sympify(lhs))
        value = R.check_finite(sp.sympify(value))
        names = R.fields_in(lhs, [f.name for f in self._fields])
        if len(names) != 1:
            raise SemanticModelError("a boundary condition needs exactly one field on its left side")
        u = field_function(names[0], self._axis_names())
        alpha, beta, val = R.bc_coefficients(lhs, sp.sympify(value), u, axis.symbol)
        self._bcs.append(ir.BoundaryCondition(names[0], axis.name, side, alpha, beta, val))

    def init(self, u: sp.Expr, expr: Any) -> None:
        """The initial value of field ``u``, an expression of the coordinates."""
        name = field_of(u)
        if name is None:
            raise SemanticModelError("init(...) takes a field made by m.field(...)")
        self._ics.append(ir.InitialCondition(name, R.check_finite(sp.sympify(expr))))

    def solve(self, t0: float, t1: float, dt: float | None = None, method: str = "auto",
              save_every: float | None = None) -> None:
        """Defaults for a classical solve (``solve t in [t0, t1] step dt method m save every s``)."""
        if not float(t1) > float(t0):
            raise SemanticModelError("solve: the end time must be after the start time")
        self._solve = ir.Solve(float(t0), float(t1), None if dt is None else float(dt), method,
                               None if save_every is None else float(save_every))

    def train(self, method: str = "pinn", **options: str | int | float | bool) -> None:
        """Defaults for a learned solver (``train pinn width 64 depth 4 ...``)."""
        for k, v in [("method", method), *options.items()]:
            if not k.isidentifier() or isinstance(v, str) and not v.isidentifier():
                raise SemanticModelError(f"train option {k}={v!r}: keys and word values must be plain names")
        self._train = ir.Train(method, tuple(options.items()))

    # -- result
    def build(self) -> ir.Model:
        """The checked IR Model; raises the problems found (all of them) as ModelErrors."""
        model = self.build_raw()
        # Canonical form: the model as the .pde frontend reads its printed text, so a DSL
        # model and the same model written as text are equal (and hash alike in caches),
        # and later errors can point at a line of the printed model.
        from .loader import parse

        return parse(model.to_pde(), f"<eqc.Model {self.name}>")

    def build_raw(self) -> ir.Model:
        """The checked IR Model exactly as built by the sympy operations (not canonical)."""
        field_names = [f.name for f in self._fields]
        taken = [e[1] for e in self._equations if e[0] == "evolution"]
        steady = [e for e in self._equations if e[0] == "steady"]
        choices = iter(assign_steady_fields([e[2] for e in steady], field_names, taken))
        equations = []
        errors = []
        for kind, name, lhs, rhs in self._equations:
            if kind == "steady":
                name = next(choices)
                if name is None:
                    errors.append(SemanticModelError(f"cannot tell which field `{lhs} = {rhs}` determines"))
                    continue
            equations.append(ir.Equation(name, lhs, rhs, kind))
        model = ir.Model(
            name=self.name, title=self.title, axes=tuple(self._axes), params=tuple(self._params),
            fields=tuple(self._fields), lets=tuple(self._lets), equations=tuple(equations),
            bcs=tuple(self._bcs), ics=tuple(self._ics), solve=self._solve, train=self._train, doc=self.doc,
        )
        ModelErrors.raise_if_any(errors + check_model(model))
        return model

    def to_pde(self) -> str:
        """The model as ``.pde`` text."""
        return self.build().to_pde()

    def _axis_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self._axes)
