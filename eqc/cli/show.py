"""``eqc show FILE``: the resolved model — equations, parameters, lets, BCs, dependency order.

``--ops`` adds the operation-count report of :mod:`eqc.compiler.rewrite.report` when that
module is present.
"""

from __future__ import annotations

import click

from .common import load_model, user_errors


@click.command()
@click.argument("path")
@click.option("--ops", is_flag=True, help="Also print the operation counts of the right-hand sides.")
@user_errors
def show(path: str, ops: bool) -> None:
    """Print the resolved equations, parameters, lets and dependency order of PATH."""
    from rich.console import Console
    from rich.table import Table

    from ..compiler.ir.printing import expr_to_pde as p
    from ..compiler.passes.dependencies import evaluation_order

    model = load_model(path)
    con = Console(width=120, highlight=False)
    con.print(f"[bold]model {model.name}[/bold]" + (f" — {model.title}" if model.title else ""))
    if model.axes:
        con.print("domain: " + ", ".join(
            f"{a.name} in [{p(a.lo)}, {p(a.hi)}]{' periodic' if a.periodic else ''}"
            + (f" ({a.points} points)" if a.points else "") for a in model.axes))

    con.print("\n[bold]equations[/bold] (lap/grad/div expanded, lets by name)")
    for eq in model.equations:
        tag = "evolution" if eq.kind == "evolution" else "steady, for " + eq.field
        lhs = f"dt({eq.field})" if eq.kind == "evolution" else p(eq.lhs)
        con.print(f"  {lhs} = {p(eq.rhs)}    [dim]# {tag}[/dim]", soft_wrap=True)
    if model.lets:
        con.print("\n[bold]lets[/bold]")
        for lt in model.lets:
            con.print(f"  {lt.name} = {p(lt.expr)}", soft_wrap=True)

    if model.params:
        table = Table(title="parameters", title_justify="left")
        for col in ("name", "value", "unit", "doc", "known"):
            table.add_column(col)
        for prm in model.params:
            table.add_row(prm.name, "" if prm.value is None else p(prm.value), prm.unit or "",
                          prm.doc or "", "yes" if prm.known else "unknown")
        con.print()
        con.print(table)

    if model.bcs:
        table = Table(title="boundary conditions", title_justify="left")
        for col in ("field", "where", "kind", "condition"):
            table.add_column(col)
        for bc in model.bcs:
            axis = model.axis(bc.axis)
            at = f"{bc.axis} = {p(axis.lo if bc.side == 'lo' else axis.hi)}"
            u = bc.field
            terms = []
            if bc.alpha != 0:
                terms.append(u if bc.alpha == 1 else f"({p(bc.alpha)})*{u}")
            if bc.beta != 0:
                du = f"d({u}, {bc.axis})"
                terms.append(du if bc.beta == 1 else f"({p(bc.beta)})*{du}")
            table.add_row(u, at, bc.kind, " + ".join(terms) + f" = {p(bc.value)}")
        con.print()
        con.print(table)
    if model.ics:
        con.print("\n[bold]initial conditions[/bold]")
        for ic in model.ics:
            con.print(f"  {ic.field}(t0) = {p(ic.expr)}", soft_wrap=True)

    _split_report(con, model)

    con.print("\n[bold]dependency order[/bold]")
    con.print("  " + " -> ".join(evaluation_order(model)), soft_wrap=True)

    if ops:
        _ops_report(con, model)


def _split_report(con, model) -> None:
    """The linear (constant-coefficient) and remaining parts of each evolution equation."""
    try:
        from ..compiler.passes.split import split_linear
    except ImportError:
        return
    import sympy as sp

    from ..compiler.ir.printing import expr_to_pde as p

    if not model.evolution_equations:
        return
    con.print("\n[bold]linear part | rest[/bold] (lets inlined; what ETDRK4 treats exactly)")
    for eq in model.evolution_equations:
        linear, rest = split_linear(model.inline_lets(eq.rhs), eq.field, model.axis_names)
        u = model.function(eq.field)
        terms = []
        for orders, coeff in linear.items():
            vc = [(sp.Symbol(a, real=True), n) for a, n in zip(model.axis_names, orders, strict=True) if n]
            terms.append(coeff * (sp.Derivative(u, *vc) if vc else u))
        lin = p(sp.Add(*terms)) if terms else "0"
        con.print(f"  dt({eq.field}): {lin}  |  {p(rest)}", soft_wrap=True)


def _ops_report(con, model) -> None:
    try:
        from ..compiler.rewrite.report import ops_report
    except ImportError:
        con.print("\n[yellow]--ops: the operation-count report is not available in this version[/yellow]")
        return
    con.print()
    report = ops_report(model)
    con.print(report if report is not None else "")
