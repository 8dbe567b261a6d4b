"""What the rewriter returns: a straight-line program and a report of what it did."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

__all__ = ["RewriteReport", "Program"]

OpCounts = tuple[tuple[str, int], ...]


def _ops_text(ops: OpCounts) -> str:
    return ", ".join(f"{k} {n}" for k, n in ops) or "none"


@dataclass(frozen=True, slots=True)
class RewriteReport:
    """Per-point operation counts and cycle cost before/after, and how saturation ended.

    ``stop`` is ``saturated``, ``node-limit``, ``time-limit`` or ``iteration-limit``.
    """

    ops_before: OpCounts
    ops_after: OpCounts
    cost_before: float
    cost_after: float
    iterations: int
    nodes: int
    classes: int
    seconds: float
    stop: str
    rules_applied: OpCounts = ()
    fallback: bool = False

    @property
    def ratio(self) -> float:
        return self.cost_after / self.cost_before if self.cost_before else 1.0

    def summary(self) -> str:
        fb = "; kept the plain CSE program (cheaper)" if self.fallback else ""
        return (
            f"{self.cost_before:g} -> {self.cost_after:g} cycles/point "
            f"({_ops_text(self.ops_before)} -> {_ops_text(self.ops_after)}); "
            f"{self.iterations} iterations, {self.nodes} e-nodes, {self.classes} e-classes, "
            f"{self.seconds * 1e3:.0f} ms, stop: {self.stop}{fb}"
        )


@dataclass(frozen=True, slots=True)
class Program:
    """A straight-line program computing ``outputs``.

    ``invariants`` are computed once per call (they use no varying atom), ``body`` once per
    grid point in dependency order, then ``outputs`` (which may use both).
    """

    invariants: tuple[tuple[sp.Symbol, sp.Expr], ...]
    body: tuple[tuple[sp.Symbol, sp.Expr], ...]
    outputs: tuple[sp.Expr, ...]
    report: RewriteReport

    def inline(self) -> tuple[sp.Expr, ...]:
        """The outputs with every temporary substituted (for checking, not for code)."""
        env: dict[sp.Basic, sp.Expr] = {}
        for sym, e in self.invariants + self.body:
            env[sym] = e.xreplace(env)
        return tuple(sp.sympify(o).xreplace(env) for o in self.outputs)

    def evaluate(self, values: Mapping[sp.Basic, float]) -> tuple[float, ...]:
        """The outputs at one point, computed step by step in float64 as generated code would."""
        import math

        env: dict[sp.Basic, float] = dict(values)
        modules = [{"Abs": abs, "sign": lambda v: math.copysign(1.0, v) if v else 0.0}, "math"]

        def ev(e: sp.Expr) -> float:
            atoms = sorted(e.free_symbols | e.atoms(sp.Indexed), key=str)
            f = sp.lambdify(atoms, e, modules=modules)
            return float(f(*(env[a] for a in atoms)))

        for sym, e in self.invariants + self.body:
            env[sym] = ev(e)
        return tuple(ev(sp.sympify(o)) for o in self.outputs)
