"""E-graph rewriting of kernel right-hand sides under a CPU-cycle cost model.

Public interface (stable; DESIGN.md "The e-graph rewriter", docs/internals.md)::

    optimize(outputs, varying, options=RewriteOptions()) -> Program
    rewrite_kernel(kernel: KernelIR, options=RewriteOptions()) -> KernelIR
    ops_report(model) -> str          # for `eqc show FILE --ops`

``ENGINES`` is the table of rewriting engines (one line each); ``"egraph"`` is ours.
``"none"`` only eliminates common subexpressions of the input as written.
"""

from __future__ import annotations

from .optimize import optimize, rewrite_kernel
from .options import ENGINES, CostTable, RewriteOptions
from .program import Program, RewriteReport
from .report import ops_report

__all__ = [
    "optimize",
    "rewrite_kernel",
    "ops_report",
    "RewriteOptions",
    "CostTable",
    "Program",
    "RewriteReport",
    "ENGINES",
]
