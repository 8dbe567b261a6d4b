"""E-graph rewriting of kernel right-hand sides under a CPU-cycle cost model.

Public interface (stable; DESIGN.md "The e-graph rewriter", docs/internals.md)::

    optimize(outputs, varying, options=RewriteOptions()) -> Program
    rewrite_kernel(kernel: KernelIR, options=RewriteOptions()) -> KernelIR
    ops_report(model) -> str          # for `eqc show FILE --ops`

How ``optimize`` works, one module per step:

1. ``convert``   sympy → e-graph (n-ary sorted sums/products, so commutativity and
   associativity are free; each output also seeded with its polynomial expansion);
2. ``saturate``  the rule sets of ``rules/`` (algebra, powers, explog, stencil): cheap
   rules to a fixpoint, expansive ones once per iteration, under node/time/iteration
   limits checked while rules apply (``egraph`` is the engine: union-find,
   hash-consing, congruence closure, constant/varying/non-zero analysis);
3. ``extract``   DAG-aware choice over all outputs at once under ``cost`` (tree greedy,
   greedy DAG with shared classes paid once, local refinement);
4. ``emit``      ordered assignments: hoisted invariants, point-wise temporaries, outputs;
5. ``share``     pair sharing of sums and products across outputs (Paar's greedy method);
6. sympy.cse's program of the input is built too, and for a polynomial system with
   invariant coefficients the per-monomial programs of ``monomial`` (rates or merged
   columns per monomial, and rates only); the cheapest is kept. ``bound`` gives a lower
   bound on the additions of any cancellation-free summation, to see how far from the
   best a program is.

``ENGINES`` is the table of engines (``egraph``; ``cse`` and ``sympy-cse``, which only
share what is written); another engine plugs in as one function and one line.
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
