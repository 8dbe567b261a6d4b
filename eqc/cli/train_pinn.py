"""``eqc train FILE --method pinn``: train a physics-informed neural network.

Settings come from the model's ``train`` block, then these flags. Writes the network
(``pinn.eqx`` + ``pinn.json``, loadable with ``eqc.load_pinn(DIR)``), checkpoints,
``report.json`` and PNG plots into ``-o DIR``.
"""

from __future__ import annotations

import click

from .common import fail, load_model, parse_sets, user_errors


@click.command(name="train_pinn", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("path")
@click.option("--width", type=int, help="Neurons per hidden layer.")
@click.option("--depth", type=int, help="Hidden layers.")
@click.option("--steps", type=int, help="Adam steps per time window.")
@click.option("--points", type=int, help="Collocation points.")
@click.option("--sampler", type=click.Choice(["uniform", "sobol", "rar-d"]), help="Collocation sampler.")
@click.option("--windows", type=int, help="Time-marching windows (0: chosen from the model).")
@click.option(
    "--causal", type=click.Choice(["on", "off"]),
    help="Time marching on/off (on = windows chosen from the model, off = one window). "
    "This is window-by-window marching, not a causally weighted loss.",
)
@click.option("--lbfgs-steps", type=int, help="L-BFGS iterations after Adam, per window.")
@click.option("--lr", type=float, help="Adam learning rate.")
@click.option("--fourier", type=int, help="Random Fourier features (0: none).")
@click.option("--float64/--float32", "float64", default=None, help="Floating-point precision.")
@click.option("--lbfgs-float64/--lbfgs-float32", "lbfgs_float64", default=None,
              help="Run L-BFGS in float64 after float32 Adam.")
@click.option("--seed", type=int, help="Random seed.")
@click.option("--soft-constraints", is_flag=True, default=False, help="Impose IC/Dirichlet BCs by loss terms, not exactly.")
@click.option("--checkpoint-every", type=int, help="Steps between checkpoints.")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=None, help="Output folder.")
@click.option("--resume", is_flag=True, help="Continue from the checkpoint in -o DIR.")
@click.option("--reference/--no-reference", default=True, help="Compare with eqc's classical solution.")
@click.option("--data", "data", type=click.Path(), default=None, help="Observations (CSV or netCDF) for unknown params.")
@click.option("--truth", multiple=True, metavar="NAME=VALUE", help="True value of an unknown param, for the report.")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a parameter value.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
@user_errors
def train_pinn(path, width, depth, steps, points, sampler, windows, causal, lbfgs_steps, lr, fourier, float64,
               lbfgs_float64, seed, soft_constraints, checkpoint_every, out_dir, resume, reference, data, truth, sets, progress) -> None:
    """Train a PINN for the model in PATH (a .pde file or stdlib:NAME)."""
    from ..backends.jax.pinn.settings import PINNSettings, from_model
    from ..pinn import train_pinn as run

    model = load_model(path)
    values = parse_sets(sets)
    if values:
        try:
            model = model.with_params(**values)
        except KeyError as exc:
            fail(str(exc.args[0]), "see `eqc show` for the parameter names")
    if resume and out_dir is None:
        fail("--resume needs -o DIR (the folder holding the checkpoint)")
    settings = from_model(model, PINNSettings())
    if causal is not None and windows is None:
        windows = 0 if causal == "on" else 1
    try:
        settings = settings.replace(
            width=width, depth=depth, steps=steps, points=points, sampler=sampler, windows=windows,
            lbfgs_steps=lbfgs_steps, lr=lr, fourier=fourier, float64=float64, lbfgs_float64=lbfgs_float64, seed=seed,
            checkpoint_every=checkpoint_every, hard=False if soft_constraints else None,
        )
    except ValueError as exc:
        fail(str(exc))
    report = run(
        model, settings, observations=data, out_dir=out_dir, resume=resume, progress=progress,
        reference=reference, truth=parse_sets(truth),
    )
    _print(report)


def _print(report) -> None:
    from rich.console import Console
    from rich.table import Table

    s = report.summary()
    table = Table(title=f"PINN: {s['model']}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("time windows", str(s["windows"]))
    table.add_row("wall time (s)", f"{s['wall_s']:.1f}")
    table.add_row("Adam steps/s", f"{s['steps_per_second']:.0f}")
    if s["final_loss"] is not None:
        table.add_row("final loss", f"{s['final_loss']:.3e}")
    if s["rel_l2"] is not None:
        table.add_row(f"rel. L2 error vs {s['reference']}", f"{s['rel_l2']:.3e}")
    elif s["reference"]:
        table.add_row("reference", s["reference"])
    for name, est in s["estimates"].items():
        line = f"{est['estimate']:.6g}"
        if "truth" in est:
            line += f" (truth {est['truth']:.6g}, error {100 * est['rel_error']:.2f}%)"
        table.add_row(f"estimate of {name}", line)
    for f in report.files:
        table.add_row("wrote", f)
    Console().print(table)
