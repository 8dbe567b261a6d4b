"""``eqc check FILE``: parse and check a model, print a short summary (exit 2 on errors)."""

from __future__ import annotations

import click

from .common import load_model, user_errors


@click.command()
@click.argument("path")
@user_errors
def check(path: str) -> None:
    """Parse and check the model PATH (a .pde file or stdlib:NAME); print a summary."""
    model = load_model(path)
    for line in summary(model):
        click.echo(line)
    click.echo("ok: no errors")


def _fmt(v) -> str:
    from ..compiler.ir.printing import expr_to_pde

    return expr_to_pde(v)


def summary(model) -> list[str]:
    """The lines of ``eqc check``'s summary of a checked model."""
    from ..compiler.passes.classify import constraint_fields, evolved_fields, steady_fields

    kind = {"ode": "ODE system", "evolution": f"evolution PDE, {model.dim}D",
            "steady": f"steady PDE, {model.dim}D"}[model.kind]
    lines = [f"model {model.name}" + (f" — {model.title}" if model.title else ""), f"  kind:       {kind}"]
    for a in model.axes:
        grid = f", {a.points} points" if a.points is not None else ""
        lines.append(f"  axis:       {a.name} in [{_fmt(a.lo)}, {_fmt(a.hi)}]"
                     f"{' periodic' if a.periodic else ''}{grid}")
    parts = []
    if evolved_fields(model):
        parts.append(", ".join(evolved_fields(model)) + " (evolved)")
    cons = constraint_fields(model)
    if cons:
        parts.append(", ".join(cons) + " (constraint)")
    elif model.kind == "steady":
        parts.append(", ".join(steady_fields(model)) + " (steady)")
    lines.append(f"  fields:     {'; '.join(parts)}")
    if model.params:
        ps = [f"{p.name} = {_fmt(p.value)}" if p.known else
              f"{p.name} unknown" + (f" (guess {_fmt(p.value)})" if p.value is not None else "")
              for p in model.params]
        lines.append(f"  params:     {', '.join(ps)}")
    if model.lets:
        lines.append(f"  lets:       {', '.join(model.let_names)}")
    ne, ns = len(model.evolution_equations), len(model.steady_equations)
    lines.append(f"  equations:  {ne + ns} ({ne} evolution, {ns} steady)")
    if model.bcs:
        kinds: dict[str, int] = {}
        for b in model.bcs:
            kinds[b.kind] = kinds.get(b.kind, 0) + 1
        lines.append(f"  bcs:        {len(model.bcs)} (" + ", ".join(f"{n} {k}" for k, n in kinds.items()) + ")")
    elif model.axes:
        lines.append("  bcs:        none (all axes periodic)")
    if model.ics:
        lines.append(f"  init:       {', '.join(ic.field for ic in model.ics)}")
    if model.solve is not None:
        s = model.solve
        extra = "".join([f", step {s.dt:g}" if s.dt is not None else "", f", method {s.method}",
                         f", save every {s.save_every:g}" if s.save_every is not None else ""])
        lines.append(f"  solve:      t in [{s.t0:g}, {s.t1:g}]{extra}")
    if model.train is not None:
        opts = " ".join(f"{k} {v}" for k, v in model.train.options)
        lines.append(f"  train:      {model.train.method} {opts}".rstrip())
    return lines
