"""``ops_report(model)``: per-point operation counts and cycle cost before and after
rewriting, with plain ``sympy.cse`` of the same right-hand side between them for
comparison, for ``eqc show FILE --ops``.

Uses the discretised kernel (``eqc.compiler.passes.discretise``) when the discretiser can
lower the model; otherwise reports on the model's symbolic right-hand sides (derivatives
and fields count as varying atoms).
"""

from __future__ import annotations

import sympy as sp

from .cost import cse_ops, cycles
from .options import DEFAULT_OPTIONS, RewriteOptions

__all__ = ["ops_report", "symbolic_outputs"]


def symbolic_outputs(model) -> tuple[list[str], list[sp.Expr]]:
    """Field names and the expressions computed per point for each equation: the
    right-hand side of an evolution equation, the residual ``lhs - rhs`` of a steady one
    (auxiliaries inlined)."""
    names, exprs = [], []
    for eq in model.equations:
        expr = eq.rhs if eq.kind == "evolution" else eq.residual
        names.append(eq.field)
        exprs.append(sp.sympify(model.inline_lets(expr)))
    return names, exprs


def _symbolic_varying(a: sp.Basic) -> bool:
    return isinstance(a, sp.Derivative | sp.core.function.AppliedUndef | sp.Indexed)


def _kernel_of(model):
    """The discretised kernel of ``model``, or None when it cannot be lowered (yet)."""
    try:
        from ..options import CompileOptions
        from ..passes.discretise import discretise
    except ImportError:
        return None
    try:
        return discretise(model, CompileOptions())
    except Exception:  # e.g. a model kind the discretiser does not handle
        return None


def _ops_text(ops) -> str:
    return ", ".join(f"{k} {n}" for k, n in ops) or "-"


def ops_report(model, options: RewriteOptions = DEFAULT_OPTIONS) -> str:
    """A short table: operations and cycles per grid point, before and after rewriting."""
    from ..ir.symbols import coord
    from .optimize import optimize

    kernel = _kernel_of(model)
    if kernel is not None:
        coords = {coord(a) for a in kernel.axis_names}

        def varying(a: sp.Basic) -> bool:
            return isinstance(a, sp.Indexed) or a in coords

        env: dict = {}
        for sym, e in kernel.body:
            env[sym] = sp.sympify(e).xreplace(env)
        exprs = [sp.sympify(o).xreplace(env) for o in kernel.outputs]
        names = list(kernel.evolved)
        head = f"operations per grid point of the discretised kernel ({', '.join(names)}):"
    else:
        names, exprs = symbolic_outputs(model)
        varying = _symbolic_varying
        head = "operations per point of the symbolic right-hand sides (" + ", ".join(names) + "):"
    r = optimize(exprs, varying, options).report
    cse = cse_ops(exprs, varying)
    rows = [
        ("", "operations", "cycles"),
        ("before", _ops_text(r.ops_before), f"{r.cost_before:g}"),
        ("sympy.cse", _ops_text(sorted((k, int(n)) for k, n in cse.items() if n)), f"{cycles(cse, options.cost):g}"),
        ("after", _ops_text(r.ops_after), f"{r.cost_after:g}"),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    table = "\n".join(
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )
    ratio = f"{100 * (1 - r.ratio):.0f}% fewer cycles" if r.cost_before else "nothing to compute per point"
    cse_cycles = cycles(cse, options.cost)
    if cse_cycles:
        ratio += f" ({100 * (1 - r.cost_after / cse_cycles):.0f}% fewer than sympy.cse)"
    tail = (
        f"  {ratio}; kept the {r.kept} program\n"
        f"  e-graph: {r.iterations} iterations, {r.nodes} e-nodes, stop: {r.stop}; rewrite {r.seconds * 1e3:.0f} ms"
    )
    return "\n".join([head, table, tail])
