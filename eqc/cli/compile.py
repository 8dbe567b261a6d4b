"""``eqc compile FILE --target numba|llvm|jax -o DIR``: standalone kernels another project
imports without eqc.

* ``llvm``: ``lib<model>.so`` (LLVM object linked by the system ``cc``), ``<model>.h`` (C
  header: functions, grid, field order, parameters with defaults, halo) and ``<model>.py``
  (a ctypes loader needing only numpy);
* ``numba``: ``<model>_numba.py`` (numpy + numba);
* ``jax``: ``<model>_jax.py`` (jax only).

Each has ``rhs`` and ``step`` (classical RK4) and the model's metadata.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path

import click

from .common import fail, load_model, parse_sets, user_errors

TARGETS = ("llvm", "numba", "jax")


def _grid_option(grid_n: str | None):
    if not grid_n:
        return None
    try:
        sizes = tuple(int(v) for v in grid_n.lower().split("x"))
    except ValueError:
        fail(f"--grid {grid_n!r} is not N or NxM", "write e.g. --grid 128x128")
    return sizes[0] if len(sizes) == 1 else sizes


@click.command("compile")
@click.argument("path")
@click.option("--target", type=click.Choice(TARGETS), default="llvm", show_default=True,
              help="What to write: a C shared library (llvm), a numba module, or a JAX module.")
@click.option("-o", "--output", "out_dir", default=None, metavar="DIR",
              help="Output folder (default: <model>_<target>).")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Change a parameter's recorded default.")
@click.option("--order", type=click.Choice(["2", "4"]), default="2", show_default=True,
              help="Accuracy order of the finite differences.")
@click.option("--grid", "grid_n", default=None, metavar="N[xN...]", help="The default grid recorded in the output.")
@click.option("--cpu", default="host", show_default=True,
              help="llvm: the CPU to compile for ('host', or e.g. 'x86-64' for a portable library).")
@user_errors
def compile_cmd(path, target, out_dir, sets, order, grid_n, cpu) -> None:
    """Write standalone kernels of a model (FILE or stdlib:NAME)."""
    from .. import __version__
    from ..backends.llvm.aot import StandaloneInfo, defaults_of
    from ..compiler.diagnostics import SemanticModelError, did_you_mean
    from ..compiler.options import CompileOptions
    from ..compiler.pipeline import lower_model
    from ..simulation import _grid

    tic = time.perf_counter()
    model = load_model(path)
    values = parse_sets(sets)
    unknown = sorted(set(values) - set(model.param_names))
    if unknown:
        fail(f"--set {unknown[0]}: model {model.name} has no parameter `{unknown[0]}`",
             did_you_mean(unknown[0], model.param_names) or f"its parameters: {', '.join(model.param_names) or 'none'}")
    kernel = lower_model(model, CompileOptions(order=int(order)))
    if kernel.constraints:
        c = kernel.constraints[0]
        span = next((eq.span for eq in model.equations if eq.field == c.field), None)
        raise SemanticModelError(
            f"model {model.name} has the constraint field `{c.field}`, solved spectrally at every step; "
            "standalone kernels do not include that solver yet",
            span=span,
            hint="run it with `eqc run` (any backend), or drop the constraint",
        )
    grid = _grid(model, kernel.halo, _grid_option(grid_n))
    params = model.param_values(values)
    info = StandaloneInfo(grid, defaults_of(kernel.params, params), model.name, path, __version__)
    out = Path(out_dir) if out_dir else Path(f"{model.name}_{target}")
    if target == "llvm":
        from ..backends.llvm import LLVMOptions
        from ..backends.llvm.aot import write_standalone

        try:
            files = list(write_standalone(kernel, out, info, LLVMOptions(cpu=cpu)).values())
        except RuntimeError as exc:
            fail(str(exc), "install a C compiler (cc) to link the shared library")
    else:
        from ..standalone import TARGETS as RENDERERS

        module, attr = RENDERERS[target].split(":")
        render = getattr(importlib.import_module(module), attr)
        out.mkdir(parents=True, exist_ok=True)
        dest = out / f"{model.name}_{target}.py"
        dest.write_text(render(kernel, info))
        files = [dest]
    wall = time.perf_counter() - tic
    for f in files:
        click.echo(f"wrote {f}")
    click.echo(f"{model.name}: {target} kernels in {out} ({wall:.1f} s)")
