"""``eqc dataset FILE --samples N -o data.zarr``: classical solutions from random initial data.

Initial conditions are Gaussian random fields (``--ic grf:alpha=2,tau=5,sigma=625``, the
FNO paper's Burgers measure by default); each is solved by eqc's classical backend; blocks
of samples are written as zarr chunks. Re-running the same command after an interruption
resumes where it stopped.
"""

from __future__ import annotations

import os
import sys

import click

from .common import fail, load_model, parse_sets, user_errors


def _resolution(text: str | None) -> tuple[int, ...] | int | None:
    if text is None:
        return None
    try:
        sizes = tuple(int(p) for p in text.lower().split("x"))
    except ValueError:
        fail(f"--resolution {text!r} is not N or NxM", "write e.g. --resolution 256 or 128x128")
    if any(n < 4 for n in sizes):
        fail(f"--resolution {text!r}: need at least 4 points per axis")
    return sizes[0] if len(sizes) == 1 else sizes


@click.command()
@click.argument("model_path", metavar="FILE")
@click.option("--samples", "-n", type=click.IntRange(min=1), required=True, help="Number of samples.")
@click.option("-o", "--output", default="data.zarr", show_default=True, help="Zarr store to write.")
@click.option("--ic", default="grf", show_default=True, help="Initial data, e.g. grf:alpha=2,tau=5,sigma=625.")
@click.option("--seed", type=int, default=0, show_default=True, help="Sample i depends only on (seed, i).")
@click.option("--t-end", type=float, default=None, help="Final time T (default: the model's solve block).")
@click.option("--save", type=click.IntRange(min=1), default=1, show_default=True,
              help="Snapshots kept, equally spaced up to T (1: T only).")
@click.option("--resolution", default=None, help="Grid size: N (every axis) or NxM.")
@click.option("--block", type=click.IntRange(min=1), default=8, show_default=True, help="Samples per zarr chunk.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes (default: CPU count).")
@click.option("--backend", default="numba", show_default=True, help="Classical backend.")
@click.option("--method", default=None, help="Time stepper (default: the model's solve line), e.g. etdrk4.")
@click.option("--dt", type=float, default=None, help="Time step (default: the model's solve line).")
@click.option("--order", type=click.Choice(["2", "4"]), default="2", show_default=True, help="Difference order.")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a parameter.")
@click.option("--overwrite", is_flag=True, help="Start afresh even if OUTPUT exists with other settings.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@user_errors
def dataset(model_path, samples, output, ic, seed, t_end, save, resolution, block, workers, backend, method, dt,
            order, sets,
            overwrite, no_progress) -> None:
    """Solve SAMPLES random initial conditions of FILE classically into a zarr store."""
    from ..operator import make_dataset
    from ..runtime.dataset import parse_ic

    model = load_model(model_path)
    try:
        grf = parse_ic(ic)
    except ValueError as exc:
        fail(str(exc), "e.g. --ic grf:alpha=2,tau=5,sigma=625")
    params = parse_sets(sets)
    unknown = set(params) - set(model.param_names)
    if unknown:
        fail(f"--set: the model has no parameter {sorted(unknown)[0]!r}", f"parameters: {', '.join(model.param_names)}")
    n_blocks = -(-samples // block)
    if workers is None:
        workers = min(os.cpu_count() or 1, n_blocks)
    try:
        report = make_dataset(
            model_path, output, samples=samples, seed=seed, ic=grf, t_end=t_end, save=save,
            resolution=_resolution(resolution), block=block, workers=workers, backend=backend,
            order=int(order), method=method, dt=dt,
            params=params or None, overwrite=overwrite, progress=not no_progress,
        )
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted; finished blocks are kept in {output}: run the same command to resume", err=True)
        sys.exit(130)
    lay = report.layout
    reused = lay.blocks - len(report.computed)
    click.echo(
        f"{output}: {lay.samples} samples of {', '.join(lay.fields)} on {'x'.join(map(str, lay.shape))}, "
        f"times {lay.times[0]:g}..{lay.times[-1]:g} ({len(lay.times) - 1} saved); "
        f"{len(report.computed)} blocks computed, {reused} reused, {report.seconds:.1f} s"
    )
