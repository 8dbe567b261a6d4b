"""``eqc plot RESULT [-o out.png|movie.gif|movie.mp4] [--field u] [--time T]``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .common import fail, user_errors


@click.command("plot")
@click.argument("result", type=click.Path(dir_okay=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output: .png/.pdf/.svg for a frame, .gif/.mp4 for a movie. Default: RESULT with .png.")
@click.option("--field", "fields", multiple=True, help="Field(s) to plot (repeatable). Default: all.")
@click.option("--time", "time", type=float, default=None, help="Time of the frame (nearest saved). Default: last.")
@click.option("--fps", type=int, default=10, show_default=True, help="Frames per second of a movie.")
@user_errors
def plot(result: Path, output: Path | None, fields: tuple[str, ...], time: float | None, fps: int) -> None:
    """Plot a result file: the last frame as a PNG, or a movie of all frames."""
    # read a result that a running `eqc run` is still writing: HDF5 would refuse the file
    # while the writer holds its lock. Read at HDF5's start-up, so set before netCDF4 loads.
    os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")
    import matplotlib

    matplotlib.use("Agg")
    from ..runtime.errors import PlotError, ResultFileError
    from ..runtime.output import open_result
    from ..runtime.plotting import save_plot

    out = output if output is not None else result.with_suffix(".png")
    try:
        with open_result(result) as ds:
            written = save_plot(ds, out, list(fields) or None, time, fps=fps)
    except (ResultFileError, PlotError) as exc:
        fail(exc.message, exc.hint)
    click.echo(f"wrote {written}")
