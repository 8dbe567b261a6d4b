"""The ``eqc`` command. Sub-commands live one per module and are imported on use.

Adding a command is one module in this package and one line in :data:`COMMANDS`.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module:attribute, one-line help shown by `eqc --help`)
    "check": ("eqc.cli.check:check", "Parse and check a model; print a summary."),
    "show": ("eqc.cli.show:show", "Print resolved equations, parameters, dependency order."),
    "list": ("eqc.cli.list_models:list_models", "List the standard models (stdlib:NAME)."),
    "run": ("eqc.cli.run:run", "Solve a model classically; write netCDF/zarr."),
    "plot": ("eqc.cli.plot:plot", "Plot a result file: PNG of the last frame, or a movie."),
    "compile": ("eqc.cli.compile:compile_cmd", "Write standalone kernels (numba, llvm, jax)."),
    "train": ("eqc.cli.train:train", "Train a learned solver (PINN or FNO)."),
    "dataset": ("eqc.cli.dataset:dataset", "Generate classical training data for operators."),
}


class LazyGroup(click.Group):
    """A click group whose commands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        target, _ = COMMANDS[cmd_name]
        module, attr = target.split(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            return _unavailable(cmd_name)
        return getattr(mod, attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_) for name, (_, help_) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _unavailable(name: str) -> click.Command:
    @click.command(name=name, context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    def cmd() -> None:
        raise click.ClickException(f"`eqc {name}` is not available in this version yet")

    return cmd


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eqc")
def main() -> None:
    """eqc: an equation compiler for scientists.

    A PATH may be a .pde file or stdlib:NAME for a standard model (see `eqc list`).
    """
