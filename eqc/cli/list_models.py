"""``eqc list``: the standard models (use them as ``stdlib:NAME``) with their titles."""

from __future__ import annotations

import click

from .common import user_errors


@click.command()
@user_errors
def list_models() -> None:
    """List the standard models; use one anywhere a PATH is accepted as stdlib:NAME."""
    from rich.console import Console
    from rich.table import Table

    from ..compiler.diagnostics import ModelError
    from ..frontend.loader import load, stdlib_names

    table = Table(title="standard models (stdlib:NAME)", show_lines=False)
    table.add_column("name", style="bold")
    table.add_column("kind")
    table.add_column("title")
    for name in stdlib_names():
        try:
            m = load(f"stdlib:{name}")
        except ModelError as exc:  # a broken stdlib file must not hide the others
            table.add_row(name, "error", str(exc))
            continue
        kind = m.kind if m.kind == "ode" else f"{m.kind} {m.dim}D"
        table.add_row(name, kind, m.title or "")
    Console(width=120).print(table)
