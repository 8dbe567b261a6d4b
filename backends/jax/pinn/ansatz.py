"""Hard constraints by a distance-function ansatz, and the per-window solution.

Each field is ``u = A(z) + phi(z) * N(z)`` with ``N`` the network (Lagaris, Likas &
Fotiadis 1998, IEEE TNN 9, 987; Sukumar & Srivastava 2022, CMAME 389, 114333):

* evolution, hard initial condition: ``A`` is the window's initial state (the model's
  ``init`` in the first window, the previous window's solution at its end time after
  that) and ``phi`` carries the factor ``(t - tau0)/(tau1 - tau0)``;
* a Dirichlet side is hard when its value is a constant in time that the initial state
  matches (checked numerically), or, for a steady model or a soft initial condition,
  when every hard side of that field has the same constant value ``c`` (then ``A = c``);
  its normalised distance ``(x - lo)/L`` or ``(hi - x)/L`` multiplies ``phi`` (both sides of
  one axis: ``(x - lo)(hi - x)/(L/2)^2``, so that ``phi`` peaks at 1);
* everything else (Neumann, Robin, time-dependent or incompatible Dirichlet sides, soft
  initial conditions) stays a loss term, listed in :class:`Plan`.

Periodic axes need nothing here: the network's embedding is exactly periodic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp
import numpy as np
import sympy as sp

from ....compiler.ir.model import BoundaryCondition
from ....compiler.ir.symbols import TIME, coord
from .residual import Field, Problem

__all__ = ["Plan", "plan_constraints", "window_solution"]


@dataclass(frozen=True)
class Plan:
    """Which constraints are exact and which are loss terms."""

    hard_ic: tuple[bool, ...]  # per field
    hard_sides: tuple[tuple[tuple[int, str], ...], ...]  # per field: (variable index, side)
    base: tuple[float | None, ...]  # per field: constant A where no hard IC gives one
    soft_bcs: tuple[BoundaryCondition, ...]
    soft_ic: tuple[str, ...]


def _numeric(expr: sp.Expr, params: Mapping[str, float]) -> float | None:
    e = expr.subs({sp.Symbol(k, real=True): v for k, v in params.items()})
    return float(e) if not e.free_symbols else None


def _ic_matches(problem: Problem, ic: sp.Expr, bc: BoundaryCondition, params: Mapping[str, float]) -> bool:
    """Does the initial state satisfy the Dirichlet side ``bc`` (time-independent)?"""
    if bc.kind != "dirichlet" or TIME in bc.value.free_symbols:
        return False
    subs = {sp.Symbol(k, real=True): v for k, v in params.items()}
    g = (ic - bc.value / bc.alpha).subs(subs)
    axis = problem.model.axis(bc.axis)
    g = g.subs(coord(bc.axis), axis.lo if bc.side == "lo" else axis.hi)
    others = [a for a in problem.model.axes if a.name != bc.axis]
    rng = np.random.default_rng(0)
    for _ in range(5):
        val = g.subs({coord(a.name): float(a.lo) + rng.random() * a.length for a in others})
        try:
            if abs(complex(val.evalf())) > 1e-8:
                return False
        except (TypeError, ValueError):
            return False
    return True


def plan_constraints(problem: Problem, hard: bool, params: Mapping[str, float]) -> Plan:
    model = problem.model
    hard_ic, sides, base, soft_ic = [], [], [], []
    soft: list[BoundaryCondition] = []
    for f in problem.fields:
        ic = model.ic_for(f)
        h_ic = bool(hard and problem.evolution and ic is not None)
        hard_ic.append(h_ic)
        if problem.evolution and ic is not None and not h_ic:
            soft_ic.append(f)
        fs: list[tuple[int, str]] = []
        consts: list[float] = []
        for bc in model.bcs_for(f):
            ok = False
            if hard and bc.kind == "dirichlet":
                if h_ic:
                    ok = _ic_matches(problem, ic.expr, bc, params)
                else:
                    c = _numeric(bc.value / bc.alpha, params) if TIME not in bc.value.free_symbols else None
                    if c is not None and (not consts or abs(consts[0] - c) < 1e-12):
                        consts.append(c)
                        ok = True
            if ok:
                fs.append((problem.index(bc.axis), bc.side))
            else:
                soft.append(bc)
        sides.append(tuple(fs))
        base.append(consts[0] if consts else (None if h_ic else 0.0))
    return Plan(tuple(hard_ic), tuple(sides), tuple(base), tuple(soft), tuple(soft_ic))


def window_solution(
    problem: Problem,
    plan: Plan,
    window: tuple[float, float],
    net: Callable[[Any], Any],
    start: Field | None,
    params: Mapping[str, Any],
) -> Field:
    """``u(z)`` of one time window (or of the whole steady box): ``A + phi * net``.

    ``start``: the previous window's solution (its value at ``tau0`` is this window's
    initial state); None in the first window, where the model's ``init`` is used.
    """
    tau0, tau1 = window
    ics = [problem.model.ic_for(f) for f in problem.fields]
    lo, hi = problem.lo, problem.hi

    two_sided = [
        {j: sum(1 for i, _ in sides if i == j) == 2 for j, _ in sides} for sides in plan.hard_sides
    ]

    def u(z):
        N = net(z)
        outs = []
        start_val = None
        if start is not None and any(plan.hard_ic):
            start_val = start(z.at[0].set(tau0))
        for k in range(len(problem.fields)):
            phi = 1.0
            if plan.hard_ic[k]:
                phi = (z[0] - tau0) / (tau1 - tau0)
                if start_val is not None:
                    A = start_val[k]
                else:
                    A = problem.expression(ics[k].expr, z, params)
            else:
                A = plan.base[k] or 0.0
            for j, side in plan.hard_sides[k]:
                L = hi[j] - lo[j]
                # Both sides of one axis: (x - lo)(hi - x) / (L/2)^2 peaks at 1, like one side's
                # (x - lo)/L; the plain product peaks at 1/4 per axis, 1/16 on a square, and a
                # network that must output 16x the solution barely trains (Helmholtz stalled
                # at its initial loss).
                scale = 2.0 / L if two_sided[k][j] else 1.0 / L
                phi = phi * scale * ((z[j] - lo[j]) if side == "lo" else (hi[j] - z[j]))
            outs.append(A + phi * N[k])
        return jnp.stack(outs)

    return u
