"""Discretise a model into the kernel IR: central finite differences on a uniform
cell-centred grid (docs/grid.md), boundary conditions as ghost-cell rules.

Every spatial derivative ``d^n f / dx^n`` becomes the central difference of accuracy
``order`` (2 or 4) applied to ``f`` *evaluated at the neighbour points*: a field becomes an
access at an offset, a coordinate ``x`` becomes ``x + k*h_x``, and any expression
(``d(u^2/2, x)``, a ``let``) is discretised by evaluating it at the neighbours. Mixed
derivatives nest one axis at a time. Non-periodic axes get :class:`GhostRule` s from the
boundary conditions (:func:`eqc.compiler.passes.stencils.ghost_formula`). Steady equations
beside evolution ones are :class:`Constraint` s; constant-coefficient linear terms go to
:class:`LinearPart` s when ``options.split_linear`` is set and every axis is periodic.

Reference for the stencils: B. Fornberg, Math. Comp. 51 (1988) 699–706; for ghost cells:
R. J. LeVeque, *Finite Difference Methods for ODEs and PDEs*, SIAM 2007, §2.12.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from ..diagnostics import SemanticModelError
from ..ir.kernel import (
    Constraint,
    GhostRule,
    KernelAxis,
    KernelIR,
    LinearPart,
    access,
    accesses_of,
    decode_access,
)
from ..ir.model import BoundaryCondition, Equation, Model
from ..ir.symbols import TIME, coord, field_of, spacing
from ..options import CompileOptions
from .split import split_linear
from .stencils import ALPHA, BETA, G, H, central_weights, ghost_formula

__all__ = ["discretise", "Discretiser"]


class Discretiser:
    """Turns model expressions into kernel expressions for one model and accuracy order."""

    def __init__(self, model: Model, order: int):
        self.model = model
        self.order = order
        self.axes = model.axis_names
        self.fields = set(model.field_names)
        self._memo: dict[tuple[sp.Expr, tuple[int, ...]], sp.Expr] = {}

    def __call__(self, expr: sp.Expr, shift: Sequence[int] | None = None) -> sp.Expr:
        """``expr`` discretised at the point shifted by ``shift`` (default: the point)."""
        shift = tuple(shift) if shift is not None else (0,) * len(self.axes)
        return self._disc(self.model.inline_lets(expr), shift)

    def _disc(self, e: sp.Expr, shift: tuple[int, ...]) -> sp.Expr:
        key = (e, shift)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self._disc_uncached(e, shift)
        return hit

    def _disc_uncached(self, e: sp.Expr, shift: tuple[int, ...]) -> sp.Expr:
        name = field_of(e)
        if name is not None:
            if name not in self.fields:
                raise SemanticModelError(f"`{name}` is not a field of model {self.model.name}")
            return access(name, shift, self.axes)
        if isinstance(e, sp.Derivative):
            return self._derivative(e, shift)
        if isinstance(e, sp.Symbol):
            if e.name in self.axes and e == coord(e.name):
                k = self.axes.index(e.name)
                return e + shift[k] * spacing(e.name) if shift[k] else e
            return e
        if not e.args:
            return e
        return e.func(*(self._disc(a, shift) for a in e.args))

    def _derivative(self, e: sp.Derivative, shift: tuple[int, ...]) -> sp.Expr:
        (var, n), *rest = e.variable_count
        if var == TIME or not isinstance(var, sp.Symbol) or var.name not in self.axes:
            raise SemanticModelError(
                f"cannot discretise the derivative {e} with respect to `{var}`",
                hint="only spatial derivatives may appear on right-hand sides",
            )
        k = self.axes.index(var.name)
        inner = sp.Derivative(e.expr, *rest) if rest else e.expr
        total = sp.Integer(0)
        for off, w in central_weights(int(n), self.order):
            s = list(shift)
            s[k] += off
            total += w * self._disc(inner, tuple(s))
        return total / spacing(var.name) ** int(n)


def _source_text(eq: Equation) -> str:
    line = eq.span.source_line if eq.span is not None else None
    if line:
        return line.split("#", 1)[0].strip()
    if eq.kind == "evolution":
        return f"dt({eq.field}) = {eq.rhs}"
    return f"{eq.lhs} = {eq.rhs}"


def _bc_for(model: Model, name: str, axis: str, side: str) -> BoundaryCondition:
    for bc in model.bcs_for(name):
        if bc.axis == axis and bc.side == side:
            return bc
    where = model.axis(axis)
    raise SemanticModelError(
        f"field `{name}` has no boundary condition at the {side} end of non-periodic axis `{axis}`",
        span=where.span,
        hint=f"add e.g. `bc {name} = 0 at {axis} = {where.lo if side == 'lo' else where.hi}`, or make the axis periodic",
    )


def _ghost_rules(model: Model, name: str, halo: int, order: int) -> list[GhostRule]:
    rules = []
    axes = model.axis_names
    degree = 1 if order == 2 else order  # ghost exact for polynomials of this degree
    for k, ax in enumerate(model.axes):
        if ax.periodic:
            continue
        for side in ("lo", "hi"):
            bc = _bc_for(model, name, ax.name, side)
            boundary = ax.lo if side == "lo" else ax.hi
            value = sp.sympify(bc.value).subs(coord(ax.name), boundary)
            inward = 1 if side == "lo" else -1
            for depth in range(1, halo + 1):
                formula, U = ghost_formula(degree, depth, side)
                formula = formula.subs({ALPHA: bc.alpha, BETA: bc.beta})
                if not (formula.free_symbols & {ALPHA, BETA}) and bc.alpha.is_number and bc.beta.is_number:
                    formula = sp.cancel(formula)
                subs = {G: value, H: spacing(ax.name)}
                for j, Uj in enumerate(U):
                    off = [0] * len(axes)
                    off[k] = inward * j
                    subs[Uj] = access(name, off, axes)
                text = bc.span.source_line.strip() if bc.span is not None and bc.span.source_line else ""
                rules.append(
                    GhostRule(name, ax.name, side, depth, sp.expand(formula.subs(subs)), bc.kind, text)
                )
    return rules


def _halo(exprs: Sequence[sp.Expr], axes: Sequence[str]) -> int:
    widest = 0
    for e in exprs:
        for acc in accesses_of(e):
            _, offs = decode_access(acc, axes)
            widest = max([widest, *map(abs, offs)])
    return widest


def _operator(op: dict, axes: Sequence[str]) -> tuple[tuple[tuple[int, ...], sp.Expr], ...]:
    return tuple(sorted(op.items()))


def discretise(model: Model, options: CompileOptions) -> KernelIR:
    """The kernel IR of ``model``: un-rewritten outputs (no temporaries yet)."""
    disc = Discretiser(model, options.order)
    axes = model.axis_names
    periodic_box = all(a.periodic for a in model.axes)
    kind = model.kind
    evolved: list[str] = []
    outputs: list[sp.Expr] = []
    linear: list[LinearPart] = []
    constraints: list[Constraint] = []
    texts: list[str] = []

    if kind == "steady":
        for f in model.field_names:
            eq = model.equation_for(f)
            evolved.append(f)
            outputs.append(disc(eq.lhs - eq.rhs))
            texts.append(_source_text(eq))
    else:
        for f in model.field_names:
            eq = model.equation_for(f)
            texts.append(_source_text(eq))
            if eq.kind == "evolution":
                rhs = model.inline_lets(eq.rhs)
                if options.split_linear and axes and periodic_box:
                    op, rest = split_linear(rhs, f, axes)
                    if any(any(k) for k in op):
                        linear.append(LinearPart(f, _operator(op, axes)))
                        rhs = rest
                evolved.append(f)
                outputs.append(disc(rhs))
            else:
                if not periodic_box:
                    raise SemanticModelError(
                        f"the constraint for `{f}` needs every axis periodic",
                        span=eq.span,
                        hint="constraint fields (steady equations beside evolution ones) are solved spectrally",
                    )
                op, rest = split_linear(model.inline_lets(eq.lhs - eq.rhs), f, axes)
                if not op or f in {field_of(a) for a in rest.atoms(sp.core.function.AppliedUndef)}:
                    raise SemanticModelError(
                        f"the constraint for `{f}` is not linear with constant coefficients in `{f}`",
                        span=eq.span,
                    )
                constraints.append(Constraint(f, _operator(op, axes), disc(-rest), _source_text(eq)))

    fields = tuple(evolved) + tuple(c.field for c in constraints)
    halo = _halo(outputs + [c.rhs for c in constraints], axes)
    if axes:
        halo = max(halo, 1)
    ghosts: list[GhostRule] = []
    for f in fields:
        ghosts.extend(_ghost_rules(model, f, halo, options.order))
    return KernelIR(
        name=model.name,
        fields=fields,
        axes=tuple(KernelAxis(a.name, a.periodic, halo) for a in model.axes),
        params=model.param_names,
        outputs=tuple(outputs),
        ghosts=tuple(ghosts),
        constraints=tuple(constraints),
        linear=tuple(linear),
        order=options.order,
        steady=kind == "steady",
        equations=tuple(texts),
        meta=(("model", model.name), ("order", str(options.order))),
    )
