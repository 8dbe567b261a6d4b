"""``ops_report(model)``: per-point operation counts and cycle cost before and after
rewriting, for ``eqc show FILE --ops``.

Uses the discretised kernel (``eqc.compiler.passes.discretise``) when the discretiser can
lower the model; otherwise reports on the model's symbolic right-hand sides (derivatives
and fields count as varying atoms).
"""

from __future__ import annotations

import sympy as sp

from .options import DEFAULT_OPTIONS, RewriteOptions

__all__ = ["ops_report", "symbolic_outputs"]


def symbolic_outputs(model) -> tuple[list[str], list[sp.Expr]]:
    """Names and right-hand sides (lets inlined) of a model's equations."""
    names, exprs = [], []
    for i, eq in enumerate(model.equations):
        rhs = getattr(eq, "rhs", None)
        if rhs is None:
            continue
        try:
            rhs = model.inline_lets(rhs)
        except Exception:  # an older Model without inline_lets(expr)
            pass
        names.append(str(getattr(eq, "field", None) or getattr(eq, "name", None) or f"eq{i}"))
        exprs.append(sp.sympify(rhs))
    return names, exprs


def _symbolic_varying(a: sp.Basic) -> bool:
    return isinstance(a, sp.Derivative | sp.core.function.AppliedUndef | sp.Indexed)


def _kernel_of(model):
    try:
        from ..passes.discretise import discretise
    except ImportError:
        return None
    try:
        from ..options import CompileOptions  # type: ignore[attr-defined]

        return discretise(model, CompileOptions())
    except Exception:
        try:
            return discretise(model, None)
        except Exception:
            return None


def _table(rows: list[tuple[str, str, str, str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def ops_report(model, options: RewriteOptions = DEFAULT_OPTIONS) -> str:
    """A short table: operations and cycles per grid point, before and after rewriting."""
    from .optimize import optimize, rewrite_kernel

    kernel = _kernel_of(model)
    if kernel is not None:
        new = rewrite_kernel(kernel, options)
        summary = dict(new.meta).get("rewrite", "")
        source = f"discretised kernel `{kernel.name}`"
        from .optimize import optimize as _  # noqa: F401

        prog_report = None
        text = [f"operations per grid point ({source}):", f"  {summary}"]
        del prog_report
        return "\n".join(text)
    names, exprs = symbolic_outputs(model)
    prog = optimize(exprs, _symbolic_varying, options)
    r = prog.report
    rows = [("", "ops", "cycles", "")]
    rows.append(("before", ", ".join(f"{k} {n}" for k, n in r.ops_before) or "-", f"{r.cost_before:g}", ""))
    rows.append(("after", ", ".join(f"{k} {n}" for k, n in r.ops_after) or "-", f"{r.cost_after:g}", ""))
    head = "operations per point of the symbolic right-hand sides (" + ", ".join(names) + "):"
    tail = (
        f"e-graph: {r.iterations} iterations, {r.nodes} e-nodes, {r.seconds * 1e3:.0f} ms, "
        f"stop: {r.stop}"
    )
    return "\n".join([head, _table(rows), tail])
