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

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from ....compiler.ir.model import BoundaryCondition
from ....compiler.ir.symbols import TIME, coord
from . import taylor as tj
from .residual import Problem

__all__ = ["Plan", "WindowField", "plan_constraints", "window_solution"]


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


class WindowField:
    """``u(z)`` of one time window (or of the whole steady box): ``A + phi * net``.

    Call it on one point for all fields; :meth:`jets` gives the fields and their input
    derivatives over a batch in one Taylor-mode sweep (:mod:`.taylor`), the way the
    trainer evaluates residuals.
    """

    def __init__(self, problem: Problem, plan: Plan, window: tuple[float, float], net, start, params):
        self.problem, self.plan, self.window, self.net, self.start, self.params = problem, plan, window, net, start, params
        self.ics = [problem.model.ic_for(f) for f in problem.fields]
        # per field: {axis: True when both of its sides are hard}
        self.two_sided = [
            {j: sum(1 for i, _ in sides if i == j) == 2 for j, _ in sides} for sides in plan.hard_sides
        ]

    def _side_factor(self, k: int, j: int, side: str) -> tuple[float, float]:
        """The hard side's factor as ``scale * x + shift``."""
        lo, hi = self.problem.lo[j], self.problem.hi[j]
        # Both sides of one axis: (x - lo)(hi - x) / (L/2)^2 peaks at 1, like one side's
        # (x - lo)/L; the plain product peaks at 1/4 per axis, 1/16 on a square, and a
        # network that must output 16x the solution barely trains (Helmholtz stalled
        # at its initial loss).
        scale = 2.0 / (hi - lo) if self.two_sided[k][j] else 1.0 / (hi - lo)
        return (scale, -scale * lo) if side == "lo" else (-scale, scale * hi)

    def __call__(self, z):
        problem, plan = self.problem, self.plan
        tau0, tau1 = self.window
        N = self.net(z)
        outs = []
        start_val = None
        if self.start is not None and any(plan.hard_ic):
            start_val = self.start(z.at[0].set(tau0))
        for k in range(len(problem.fields)):
            phi = 1.0
            if plan.hard_ic[k]:
                phi = (z[0] - tau0) / (tau1 - tau0)
                if start_val is not None:
                    A = start_val[k]
                else:
                    A = problem.expression(self.ics[k].expr, z, self.params)
            else:
                A = plan.base[k] or 0.0
            for j, side in plan.hard_sides[k]:
                scale, shift = self._side_factor(k, j, side)
                phi = phi * (scale * z[j] + shift)
            outs.append(A + phi * N[k])
        return jnp.stack(outs)

    def jets(self, Z, keys: tuple[tuple[int, ...], ...]) -> tj.Jet:
        """``{key: (n, n_fields)}`` for every key of ``keys`` (a :func:`.taylor.closure`)
        over the batch ``Z`` (n, dim)."""
        problem, plan = self.problem, self.plan
        tau0, tau1 = self.window
        n, dtype = Z.shape[0], Z.dtype
        N = self.net.jets(Z, keys)
        S = None
        if self.start is not None and any(plan.hard_ic):  # the start state: constant in t
            S = self.start.jets(Z.at[:, 0].set(tau0), tuple(k for k in keys if 0 not in k))
        fields = []
        for k in range(len(problem.fields)):
            phi: tj.Jet = {(): 1.0}
            if plan.hard_ic[k]:
                phi = tj.affine(tj.variable(Z, 0, keys), 1.0 / (tau1 - tau0), -tau0 / (tau1 - tau0))
                if S is not None:
                    A = {key: v[:, k] for key, v in S.items()}
                else:
                    ic = self.ics[k].expr
                    A = tj.jvp_jets(
                        jax.vmap(lambda z, ic=ic: problem.expression(ic, z, self.params)), Z, keys
                    )
            else:
                A = {(): plan.base[k] or 0.0}
            for j, side in plan.hard_sides[k]:
                scale, shift = self._side_factor(k, j, side)
                phi = tj.mul(phi, tj.affine(tj.variable(Z, j, keys), scale, shift), keys)
            Nk = {key: v[:, k] for key, v in N.items()}
            fields.append(tj.add(A, tj.mul(phi, Nk, keys)))
        out = tj.columns(fields, n, dtype)
        zero = jnp.zeros((n, len(fields)), dtype)
        return {key: out.get(key, zero) for key in keys}


def window_solution(
    problem: Problem,
    plan: Plan,
    window: tuple[float, float],
    net: Callable[[Any], Any],
    start: WindowField | None,
    params: Mapping[str, Any],
) -> WindowField:
    """``u(z)`` of one time window (or of the whole steady box): ``A + phi * net``.

    ``start``: the previous window's solution (its value at ``tau0`` is this window's
    initial state); None in the first window, where the model's ``init`` is used.
    """
    return WindowField(problem, plan, window, net, start, params)
