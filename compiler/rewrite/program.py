"""What the rewriter returns: a straight-line program and a report of what it did."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

__all__ = ["RewriteReport", "Program", "evaluate"]

OpCounts = tuple[tuple[str, int], ...]

PLAIN = ("cse", "sympy-cse")  # the candidates and engines that only share what the input writes


def _ops_text(ops: OpCounts) -> str:
    return ", ".join(f"{k} {n}" for k, n in ops) or "none"


@dataclass(frozen=True, slots=True)
class RewriteReport:
    """Per-point operation counts and cycle cost before/after, and how saturation ended.

    ``stop`` is ``saturated``, ``node-limit``, ``time-limit`` or ``iteration-limit``;
    ``kept`` names the candidate whose program was kept (the engine's, ``monomial``,
    ``rates``, ``rates-cse``, ``sympy-cse`` or ``cse``) and ``fallback`` says it was a
    plain-CSE one.
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
    kept: str = "egraph"

    @property
    def fallback(self) -> bool:
        """Whether the program kept only shares what the input wrote (a plain-CSE one)."""
        return self.kept in PLAIN

    @property
    def ratio(self) -> float:
        return self.cost_after / self.cost_before if self.cost_before else 1.0

    def summary(self) -> str:
        return (
            f"{self.cost_before:g} -> {self.cost_after:g} cycles/point "
            f"({_ops_text(self.ops_before)} -> {_ops_text(self.ops_after)}); "
            f"{self.iterations} iterations, {self.nodes} e-nodes, {self.classes} e-classes, "
            f"{self.seconds * 1e3:.0f} ms, stop: {self.stop}; kept the {self.kept} program"
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
        """The outputs at one point, computed step by step in float64 as generated code
        would (``values`` maps the atoms: symbols and accesses)."""
        env: dict[sp.Basic, float] = dict(values)
        for sym, e in self.invariants + self.body:
            env[sym] = evaluate(e, env)
        return tuple(evaluate(sp.sympify(o), env) for o in self.outputs)


_FLOAT_FNS = {
    sp.exp: math.exp,
    sp.log: math.log,
    sp.sin: math.sin,
    sp.cos: math.cos,
    sp.tan: math.tan,
    sp.tanh: math.tanh,
    sp.sinh: math.sinh,
    sp.cosh: math.cosh,
    sp.Abs: abs,
    sp.sign: lambda v: float((v > 0) - (v < 0)),
}


def evaluate(e: sp.Basic, env: Mapping[sp.Basic, float]) -> float:
    """``e`` in float64 with atoms from ``env``: a reference evaluator for tests."""
    if e in env:
        return float(env[e])
    if e.is_Number or isinstance(e, sp.NumberSymbol):
        return float(e)
    args = [evaluate(a, env) for a in e.args]
    if isinstance(e, sp.Add):
        return math.fsum(args) if len(args) > 2 else args[0] + args[1]
    if isinstance(e, sp.Mul):
        r = 1.0
        for a in args:
            r *= a
        return r
    if isinstance(e, sp.Pow):
        b, x = args
        if x == 0.5:
            return math.sqrt(b)
        if x == -1.0:
            return 1.0 / b
        return b**x
    if isinstance(e, sp.Min):
        return min(args)
    if isinstance(e, sp.Max):
        return max(args)
    fn = _FLOAT_FNS.get(type(e))
    if fn is not None:
        return float(fn(args[0]))
    raise KeyError(f"no value for {e!r}")
