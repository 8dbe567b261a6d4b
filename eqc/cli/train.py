"""``eqc train FILE --method pinn|fno [...]``: dispatch to the method's own command.

Each method's options live with its command (``train_pinn``, ``train_fno``); this one only
picks the method (from ``--method``, else the model's ``train`` block, else ``pinn``).
"""

from __future__ import annotations

import importlib

import click

METHODS: dict[str, str] = {
    "pinn": "eqc.cli.train_pinn:train_pinn",
    "fno": "eqc.cli.train_fno:train_fno",
}


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def train(ctx: click.Context, args: tuple[str, ...]) -> None:
    """Train a learned solver. `eqc train FILE --method pinn --help` lists a method's options."""
    args = list(args)
    method = None
    for i, a in enumerate(args):
        if a == "--method" and i + 1 < len(args):
            method = args[i + 1]
            del args[i : i + 2]
            break
        if a.startswith("--method="):
            method = a.split("=", 1)[1]
            del args[i]
            break
    if method is None:
        if args and args[0] in ("-h", "--help"):
            click.echo(ctx.get_help())
            click.echo("\nMethods: " + ", ".join(METHODS))
            return
        method = _method_from_model(args)
    if method not in METHODS:
        raise click.BadParameter(f"unknown method {method!r}; choose one of {', '.join(METHODS)}", param_hint="--method")
    module, attr = METHODS[method].split(":")
    command: click.Command = getattr(importlib.import_module(module), attr)
    command.main(args=args, prog_name=f"eqc train --method {method}", standalone_mode=True)


def _method_from_model(args: list[str]) -> str:
    path = next((a for a in args if not a.startswith("-")), None)
    if path is None:
        return "pinn"
    try:
        from .common import load_model

        model = load_model(path)
    except Exception:  # the method's command reports load errors properly
        return "pinn"
    return model.train.method if model.train is not None else "pinn"
