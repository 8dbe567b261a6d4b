"""Options of the classical compile path, as explicit frozen dataclasses (STYLE.md rule 5).

:class:`CompileOptions` steers the passes (``compiler/pipeline.py``); :class:`BackendOptions`
steers a backend's code generation (``eqc.backends.<name>.compile_kernel``). Both are part
of a kernel's cache key, so they hold only plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .rewrite.options import CostTable

__all__ = ["CompileOptions", "BackendOptions"]


@dataclass(frozen=True, slots=True)
class CompileOptions:
    """How a model is discretised and lowered to the kernel IR.

    ``order``: accuracy order of the central differences (2 or 4).
    ``rewrite``: run the e-graph rewriter (else a plain common-subexpression pass).
    ``split_linear``: split constant-coefficient linear terms off into ``LinearPart``s
    (for exponential steppers on periodic boxes).
    ``rewrite_time_budget``: seconds the rewriter may spend.
    ``cost``: the cycle table the rewriter minimises (``eqc.compiler.rewrite.CostTable``);
    ``None`` for its default. A backend that declares ``COST_TABLE`` gets its own
    (``eqc.compile``).
    """

    order: int = 2
    rewrite: bool = True
    split_linear: bool = False
    rewrite_time_budget: float = 0.5
    cost: CostTable | None = None

    def __post_init__(self) -> None:
        if self.order not in (2, 4):
            raise ValueError(f"order must be 2 or 4, got {self.order}")


@dataclass(frozen=True, slots=True)
class BackendOptions:
    """How a backend renders a kernel: ``fastmath`` (reassociation allowed), ``parallel``
    (threads over the outer axis), ``cache`` (reuse compiled code across processes)."""

    fastmath: bool = True
    parallel: bool = True
    cache: bool = True
