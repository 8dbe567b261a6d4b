"""Semantic checks of a Model: everything a built model must satisfy before compiling.

:func:`check_model` returns every problem found (it never stops at the first), each a
:class:`~eqc.compiler.diagnostics.ModelError` with the span of the object at fault (when
the model came from text). Both frontends run it; :func:`check` raises what it finds.

Checked: unknown symbols and functions, one equation per field and a field for each
equation, ``dt`` only as an evolution left side, boundary conditions on existing,
non-periodic axes of existing fields, both sides of every non-periodic axis covered for
every field with an equation, no duplicate boundary conditions or initial conditions,
an initial condition for every evolved field (unless the model is steady), names
unique across kinds, cycles among the auxiliaries, solve methods.
"""

from __future__ import annotations

import re

import sympy as sp

from ..diagnostics import ModelError, ModelErrors, NameModelError, SemanticModelError, did_you_mean
from ..ir.model import Model
from ..ir.symbols import CONSTANTS, FUNCTIONS, TIME, coord, field_of, param
from .dependencies import let_cycle_errors
from .resolve import time_derivatives_in

__all__ = ["check_model", "check", "SOLVE_METHODS"]

SOLVE_METHODS = ("auto", "euler", "ssprk3", "rk4", "dopri5", "etdrk4")
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_RESERVED = {*FUNCTIONS, *CONSTANTS, "t", "d", "dt", "lap", "grad", "div"}


def check(model: Model) -> Model:
    """``model`` if it passes :func:`check_model`; else raise the errors together."""
    ModelErrors.raise_if_any(check_model(model))
    return model


def check_model(model: Model) -> list[ModelError]:
    """Every semantic problem of ``model``, in source order where spans are known."""
    errors: list[ModelError] = []
    errors += _names(model)
    if errors:
        return errors
    errors += _symbols(model)
    errors += _equations(model)
    errors += _boundaries(model)
    errors += _initial(model)
    errors += let_cycle_errors(model)
    if model.solve is not None and model.solve.method not in SOLVE_METHODS:
        errors.append(SemanticModelError(f"unknown method `{model.solve.method}`", model.solve.span,
                                         did_you_mean(model.solve.method, SOLVE_METHODS)
                                         or "methods: " + ", ".join(SOLVE_METHODS)))
    return sorted(errors, key=lambda e: (e.span.line, e.span.column) if e.span else (1 << 30, 0))


def _names(model: Model) -> list[ModelError]:
    errors: list[ModelError] = []
    seen: dict[str, str] = {}
    groups = (("axis", model.axes), ("param", model.params), ("field", model.fields), ("let", model.lets))
    for kind, items in groups:
        for item in items:
            name = item.name
            if not _NAME.fullmatch(name):
                errors.append(NameModelError(f"`{name}` is not a valid name", item.span,
                                             "use letters, digits and _, starting with a letter"))
            elif name in _RESERVED:
                errors.append(NameModelError(f"`{name}` is a reserved word and cannot name a {kind}",
                                             item.span, "choose another name"))
            elif name in seen:
                other = seen[name]
                msg = f"{kind} `{name}` is declared twice" if other == kind else \
                    f"`{name}` is declared both as {other} and as {kind}"
                errors.append(NameModelError(msg, item.span, "one name, one meaning"))
            seen[name] = kind
    for p in model.params:
        v = p.value
        if v is not None and not (isinstance(v, sp.Expr) and not v.free_symbols and v.is_real
                                  and v.is_finite):
            errors.append(SemanticModelError(f"the value of param `{p.name}` must be a finite real number",
                                             p.span, f"got {v}"))
    if not model.fields:
        errors.append(SemanticModelError("the model has no fields", model.span,
                                         "declare the unknowns with `field u`"))
    return errors


def _symbols(model: Model) -> list[ModelError]:
    """Free symbols must be params, coordinates or t; applied functions fields or lets."""
    allowed = {param(p) for p in model.param_names} | {coord(a) for a in model.axis_names} | {TIME}
    functions = set(model.field_names) | set(model.let_names)
    errors: list[ModelError] = []

    def scan(e: sp.Basic, span, where: str) -> None:
        for s in sorted(e.free_symbols - allowed, key=str):
            errors.append(NameModelError(f"unknown name `{s}` in {where}", span,
                                         did_you_mean(str(s), [*model.param_names, *model.axis_names, "t"])))
        for f in e.atoms(sp.core.function.AppliedUndef):
            name = field_of(f)
            if name not in functions:
                errors.append(NameModelError(f"unknown field `{name}` in {where}", span,
                                             did_you_mean(name, sorted(functions))))
            elif f.args != (TIME, *(coord(a) for a in model.axis_names)):
                errors.append(SemanticModelError(
                    f"`{name}` must be applied to (t, {', '.join(model.axis_names)})", span,
                    "use model.function(name) for fields"))

    for lt in model.lets:
        scan(lt.expr, lt.span, f"let {lt.name}")
    for eq in model.equations:
        scan(eq.lhs, eq.span, "an equation")
        scan(eq.rhs, eq.span, "an equation")
    for bc in model.bcs:
        for e in (bc.alpha, bc.beta, bc.value):
            scan(e, bc.span, "a boundary condition")
    for ic in model.ics:
        scan(ic.expr, ic.span, "an initial condition")
    return errors


def _equations(model: Model) -> list[ModelError]:
    errors: list[ModelError] = []
    fields = set(model.field_names)
    seen: dict[str, object] = {}
    for eq in model.equations:
        if eq.field not in fields:
            errors.append(NameModelError(f"equation for undeclared field `{eq.field}`", eq.span,
                                         did_you_mean(eq.field, model.field_names)
                                         or f"declare it with `field {eq.field}`"))
            continue
        if eq.field in seen:
            errors.append(SemanticModelError(
                f"two equations for field `{eq.field}`", eq.span,
                f"the first is on line {seen[eq.field].line}" if getattr(seen[eq.field], "line", None)
                else "each field has exactly one equation"))
        seen[eq.field] = eq.span
        if eq.kind == "evolution":
            expected = sp.Derivative(model.function(eq.field), TIME)
            if eq.lhs != expected:
                errors.append(SemanticModelError(f"an evolution equation's left side must be dt({eq.field})",
                                                 eq.span, None))
            if time_derivatives_in(eq.rhs):
                errors.append(SemanticModelError("dt(...) on a right-hand side", eq.span,
                                                 "dt(u) may only be the whole left side of an equation"))
        elif time_derivatives_in(eq.lhs) or time_derivatives_in(eq.rhs):
            errors.append(SemanticModelError("dt(...) inside a steady equation", eq.span,
                                             "write an evolution equation as `dt(u) = ...`"))
    for lt in model.lets:
        if time_derivatives_in(lt.expr):
            errors.append(SemanticModelError("dt(...) inside a `let`", lt.span,
                                             "dt(u) may only be the whole left side of an equation"))
    for f in model.fields:
        if f.name not in seen:
            errors.append(SemanticModelError(f"field `{f.name}` has no equation", f.span,
                                             f"add `dt({f.name}) = ...` or a steady equation for it"))
    return errors


def _boundaries(model: Model) -> list[ModelError]:
    errors: list[ModelError] = []
    axes = {a.name: a for a in model.axes}
    seen: dict[tuple[str, str, str], object] = {}
    for bc in model.bcs:
        axis = axes.get(bc.axis)
        if bc.field not in model.field_names:
            errors.append(NameModelError(f"boundary condition for undeclared field `{bc.field}`", bc.span,
                                         did_you_mean(bc.field, model.field_names)))
            continue
        if axis is None:
            errors.append(NameModelError(f"`{bc.axis}` is not an axis", bc.span,
                                         did_you_mean(bc.axis, model.axis_names)))
            continue
        if axis.periodic:
            errors.append(SemanticModelError(f"a boundary condition on periodic axis `{bc.axis}`", bc.span,
                                             f"remove it, or drop `periodic` from `domain {bc.axis}`"))
            continue
        key = (bc.field, bc.axis, bc.side)
        if key in seen:
            errors.append(SemanticModelError(
                f"two boundary conditions for `{bc.field}` at the {bc.side} end of `{bc.axis}`", bc.span,
                "keep one"))
        seen[key] = bc
        for e in (bc.alpha, bc.beta, bc.value):
            if time_derivatives_in(e) or e.atoms(sp.core.function.AppliedUndef):
                errors.append(SemanticModelError("a boundary condition's coefficients and value cannot "
                                                 "contain fields or derivatives", bc.span, None))
                break
    equations = {e.field for e in model.equations}
    for axis in model.axes:
        if axis.periodic:
            continue
        for f in model.fields:
            if f.name not in equations:
                continue
            for side in ("lo", "hi"):
                if (f.name, axis.name, side) not in seen:
                    where = axis.lo if side == "lo" else axis.hi
                    errors.append(SemanticModelError(
                        f"field `{f.name}` has no boundary condition at {axis.name} = {where}",
                        axis.span or f.span,
                        f"add e.g. `bc {f.name} = 0 at {axis.name} = {where}`, or make `{axis.name}` periodic"))
    return errors


def _initial(model: Model) -> list[ModelError]:
    errors: list[ModelError] = []
    seen: set[str] = set()
    for ic in model.ics:
        if ic.field not in model.field_names:
            errors.append(NameModelError(f"initial condition for undeclared field `{ic.field}`", ic.span,
                                         did_you_mean(ic.field, model.field_names)
                                         or f"declare it with `field {ic.field}`"))
            continue
        if ic.field in seen:
            errors.append(SemanticModelError(f"two initial conditions for `{ic.field}`", ic.span, "keep one"))
        seen.add(ic.field)
        if ic.expr.atoms(sp.core.function.AppliedUndef) or ic.expr.atoms(sp.Derivative):
            errors.append(SemanticModelError("an initial condition is a function of the coordinates only",
                                             ic.span, "it may not use fields, lets or derivatives"))
    if model.kind != "steady":
        for eq in model.evolution_equations:
            if eq.field in model.field_names and eq.field not in seen:
                f = next(f for f in model.fields if f.name == eq.field)
                errors.append(SemanticModelError(f"evolved field `{eq.field}` has no initial condition",
                                                 f.span, f"add `init {eq.field} = ...`"))
    return errors
