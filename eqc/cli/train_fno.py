"""``eqc train FILE --method fno --data data.zarr [-o op.fno]``: train a Fourier neural operator.

Learns ``u(t0) -> u(T)`` from a dataset made by ``eqc dataset``, optionally with the PINO
physics loss (``--pino WEIGHT``); settings not given on the command line come from the
model's ``train fno modes 16 width 64 ...`` line, else the defaults shown in ``--help``.
Reports the relative L2 error on a held-out split, on
each ``--test`` dataset (e.g. a finer grid: zero-shot super-resolution) and the speed-up of
inference over the classical solves that made the held-out samples.
"""

from __future__ import annotations

import json
import sys

import click

from .common import fail, load_model, user_errors

DEFAULTS = {"modes": 16, "width": 64, "layers": 4, "steps": 5000, "batch": 20, "lr": 1e-3, "pino": 0.0,
            "time_slices": None}


def _setting(model, key: str, value):
    """The command line's value, else the model's ``train fno ...`` setting, else the default."""
    if value is not None:
        return value
    if model.train is not None and model.train.method == "fno":
        v = model.train.get(key)
        if v is not None:
            if isinstance(v, bool) or not isinstance(v, int | float):
                fail(f"`train fno {key} {v}` in the model is not a number", f"write e.g. `train fno {key} 16`")
            return v
    return DEFAULTS[key]


@click.command()
@click.argument("model_path", metavar="FILE")
@click.option("--data", required=True, help="Training dataset (eqc dataset ... -o data.zarr).")
@click.option("-o", "--output", default="operator.fno", show_default=True, help="Operator file to write.")
@click.option("--test", "tests", multiple=True, help="Extra test dataset(s), e.g. at a finer resolution.")
@click.option("--modes", type=click.IntRange(min=1), default=None, help="Fourier modes kept [16].")
@click.option("--width", type=click.IntRange(min=1), default=None, help="Channels [64].")
@click.option("--layers", type=click.IntRange(min=1), default=None, help="Fourier layers [4].")
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Adam steps [5000].")
@click.option("--batch", type=click.IntRange(min=1), default=None, help="Samples per step [20].")
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=None, help="Learning rate [1e-3].")
@click.option("--schedule", type=click.Choice(["cosine", "step"]), default="cosine", show_default=True)
@click.option("--pino", "pino_weight", type=click.FloatRange(min=0), default=None,
              help="Weight of the physics (PINO) loss; 0 turns it off [0].")
@click.option("--time-slices", type=click.IntRange(min=1), default=None,
              help="Output times up to T (default: the dataset's; 20 with --pino).")
@click.option("--holdout", type=click.FloatRange(0, 0.9), default=0.2, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--resume", is_flag=True, help="Continue from OUTPUT.ckpt.")
@click.option("--no-progress", is_flag=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@user_errors
def train_fno(model_path, data, output, tests, modes, width, layers, steps, batch, lr, schedule, pino_weight,
              time_slices, holdout, seed, resume, no_progress, as_json) -> None:
    """Train an FNO for FILE on DATA; write OUTPUT (load it with eqc.load_operator)."""
    from ..backends.jax.operator.train import TrainOptions
    from ..operator import train_operator

    model = load_model(model_path)
    given = {"modes": modes, "width": width, "layers": layers, "steps": steps, "batch": batch, "lr": lr,
             "pino": pino_weight, "time_slices": time_slices}
    v = {k: _setting(model, k, val) for k, val in given.items()}
    options = TrainOptions(steps=int(v["steps"]), batch=int(v["batch"]), lr=float(v["lr"]), schedule=schedule,
                           pino_weight=float(v["pino"]), seed=seed)
    try:
        op = train_operator(
            model, data, out=output, tests=tests, modes=int(v["modes"]), width=int(v["width"]),
            layers=int(v["layers"]), time_slices=v["time_slices"] and int(v["time_slices"]), holdout=holdout,
            options=options, resume=resume, progress=not no_progress,
        )
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted; the last checkpoint is {output}.ckpt: add --resume to continue", err=True)
        sys.exit(130)
    r = op.report
    if as_json:
        click.echo(json.dumps(r, indent=2))
        return
    click.echo(f"wrote {output}  (final loss {r['final_loss']:.3e}, PINO weight {r['pino_weight']:g})")
    res = "x".join(map(str, r["resolution"]))
    if "holdout_rel_l2" in r:
        click.echo(f"  held-out ({r['holdout_samples']} samples, {res}): relative L2 {r['holdout_rel_l2']:.3e}"
                   f"   [predict-the-input baseline {r['identity_rel_l2']:.3e}]")
        click.echo(f"  inference {r['inference_seconds'] * 1e3:.1f} ms vs classical {r['classical_seconds']:.2f} s"
                   f" for the same samples: speed-up {r['speedup']:.0f}x")
    for t in r["tests"]:
        click.echo(f"  test {t['path']} ({t['samples']} samples, {'x'.join(map(str, t['resolution']))}):"
                   f" relative L2 {t['rel_l2']:.3e}")
