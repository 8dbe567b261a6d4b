"""The classical compile pipeline, one pass per line (STYLE.md rule 1).

``lower_model(model, options)`` takes a checked :class:`Model` to a verified
:class:`KernelIR` ready for any classical backend::

    discretise → rewrite (e-graph, or CSE fallback) → verify
"""

from __future__ import annotations

from dataclasses import replace

from .ir.kernel import KernelIR, verify_kernel
from .ir.model import Model
from .options import CompileOptions
from .passes.check import check
from .passes.discretise import discretise
from .passes.lower import cse_kernel

__all__ = ["lower_model", "rewrite"]


def rewrite(kernel: KernelIR, options: CompileOptions) -> KernelIR:
    """The e-graph rewriter when available and asked for, else hoisting + CSE."""
    if options.rewrite:
        try:
            from .rewrite import RewriteOptions, rewrite_kernel
        except ImportError:
            return cse_kernel(kernel)
        ro = RewriteOptions(time_limit=options.rewrite_time_budget)
        return rewrite_kernel(kernel, ro if options.cost is None else replace(ro, cost=options.cost))
    return cse_kernel(kernel)


def lower_model(model: Model, options: CompileOptions | None = None) -> KernelIR:
    """Model → kernel IR, the ordered passes of the classical path."""
    options = options or CompileOptions()
    model = check(model)
    kernel = discretise(model, options)
    kernel = rewrite(kernel, options)
    return verify_kernel(kernel)
