"""Options of the e-graph rewriter and the CPU-cycle cost table it minimises.

The default cycle counts are rough latencies of scalar double-precision operations on a
current x86-64 core (Agner Fog, *Instruction tables*, 2022; libm call costs measured for
glibc): add/sub/mul 1, div and sqrt ~15, exp/log/sin/cos ~40, a general ``pow`` ~80.
Integer powers cost the multiplications of repeated squaring (Knuth, TAOCP vol. 2,
§4.6.3). A backend may supply its own :class:`CostTable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import InputModelError, did_you_mean

__all__ = ["CostTable", "RewriteOptions", "DEFAULT_RULE_SETS", "ENGINES", "DEFAULT_OPTIONS"]

DEFAULT_RULE_SETS: tuple[str, ...] = ("algebra", "powers", "stencil")

# The rewriting engines, one line each (name: "module:function" of an ``optimize``).
ENGINES: dict[str, str] = {
    "egraph": "eqc.compiler.rewrite.optimize:egraph_engine",
    "cse": "eqc.compiler.rewrite.optimize:cse_engine",
    "sympy-cse": "eqc.compiler.rewrite.optimize:sympy_cse_engine",
}


@dataclass(frozen=True, slots=True)
class CostTable:
    """Cycles per scalar operation. ``other`` is charged for any operation not listed."""

    add: float = 1.0
    mul: float = 1.0
    neg: float = 0.0
    div: float = 15.0
    sqrt: float = 15.0
    exp: float = 40.0
    log: float = 40.0
    sin: float = 40.0
    cos: float = 40.0
    tan: float = 45.0
    tanh: float = 45.0
    sinh: float = 45.0
    cosh: float = 45.0
    pow: float = 80.0
    min: float = 1.0
    max: float = 1.0
    abs: float = 1.0
    sign: float = 2.0
    other: float = 10.0

    def __post_init__(self) -> None:
        for name in self.__slots__:  # type: ignore[attr-defined]
            if getattr(self, name) < 0:
                raise ValueError(f"cost of {name} must be >= 0")

    def of(self, kind: str) -> float:
        """The cycles of one operation of ``kind`` (``other`` when unknown)."""
        return float(getattr(self, kind, self.other))


@dataclass(frozen=True, slots=True)
class RewriteOptions:
    """How hard to rewrite and what to minimise.

    ``rule_sets`` name entries of :data:`eqc.compiler.rewrite.rules.RULE_SETS`;
    ``unsafe`` enables rewrites that may change results for some inputs (division by a
    possibly-zero expression, ``log(exp(x)) -> x`` under overflow, ...). Saturation stops
    at the first of ``node_limit`` e-nodes (at least 4 per e-node of the input, so a big
    system gets room; checked while rules are applied, not only between iterations), ``time_limit`` seconds or ``iter_limit`` iterations; extraction
    then returns the best program found. ``expand`` seeds each output with its polynomial
    expansion when that stays small (at most ``expand_growth`` times the original's ops).
    """

    rule_sets: tuple[str, ...] = DEFAULT_RULE_SETS
    unsafe: bool = False
    node_limit: int = 2_000
    time_limit: float = 1.0
    iter_limit: int = 10
    cheap_rounds: int = 6
    expand: bool = True
    expand_growth: float = 4.0
    refine: bool = True
    expansive_max_nodes: int = 600
    schedule: bool = True
    cost: CostTable = field(default_factory=CostTable)
    engine: str = "egraph"

    def __post_init__(self) -> None:
        from .rules import RULE_SETS

        for name in self.rule_sets:
            if name not in RULE_SETS:
                raise InputModelError(
                    f"unknown rewrite rule set `{name}`",
                    hint=did_you_mean(name, RULE_SETS) or f"available: {', '.join(RULE_SETS)}",
                )
        if self.node_limit < 1 or self.iter_limit < 0 or self.time_limit <= 0:
            raise ValueError("node_limit and time_limit must be positive, iter_limit >= 0")
        if self.engine not in ENGINES:
            raise InputModelError(f"unknown rewrite engine `{self.engine}`", hint=f"available: {', '.join(ENGINES)}")


DEFAULT_OPTIONS = RewriteOptions()
