"""``eqc run FILE``: solve a model classically and write the result (netCDF or zarr)."""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import click

from .common import fail, load_model, parse_sets, user_errors


@click.command("run")
@click.argument("path")
@click.option("-o", "--output", default=None, help="Result file: .nc (netCDF, default <model>.nc) or .zarr.")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a parameter (repeatable).")
@click.option("--t-end", type=float, default=None, help="End time (default: the model's solve line).")
@click.option("--dt", type=float, default=None, help="Time step (default: the model's solve line).")
@click.option("--method", type=click.Choice(["auto", "euler", "ssprk3", "rk4", "dopri5", "etdrk4"]), default=None,
              help="Time stepper (default: the model's, else auto).")
@click.option("--save-every", type=float, default=None, help="Time between saved frames.")
@click.option("--backend", type=click.Choice(["llvm", "numba", "jax"]), default="llvm", show_default=True,
              help="llvm: JIT in ~0.3 s, fastest kernels; numba: readable generated module; jax: differentiable, GPU.")
@click.option("--order", type=click.Choice(["2", "4"]), default="2", show_default=True,
              help="Accuracy order of the finite differences.")
@click.option("--grid", "grid_n", default=None, metavar="N[xN...]", help="Grid size override, e.g. 128 or 128x64.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
@click.option("--plot/--no-plot", default=True, help="Write <output>.png of the last frame.")
@click.option("--resume", is_flag=True, help="Continue a stopped run from <output>.ck.npz.")
@user_errors
def run(path, output, sets, t_end, dt, method, save_every, backend, order, grid_n, progress, plot, resume) -> None:
    """Solve a model (FILE or stdlib:NAME) and write the result."""
    params = parse_sets(sets)
    options = {"sets": sorted(params.items()), "t_end": t_end, "dt": dt, "method": method, "save_every": save_every,
               "backend": backend, "order": order, "grid": grid_n}
    tic = time.perf_counter()
    plan = key = None
    if backend == "llvm" and not resume:  # a cached run replays its plan without lowering
        from ..quickrun import find_plan, plan_key

        key = plan_key(path, options)
        plan = find_plan(key)
    if plan is not None:
        from ..quickrun import run_plan

        out = Path(output) if output else Path(f"{plan['model']}.nc")
        if plan["hint"]:
            click.echo(f"warning: {plan['hint']}", err=True)
        ds, result = _guarded(path, out, lambda: run_plan(plan, str(out), progress), [])
        shape = "x".join(map(str, plan["grid"]["n"])) or "ode"
        how = "cached plan"
    else:
        out, ds, result, shape, saved = _full_run(path, output, params, t_end, dt, method, save_every, backend,
                                                  order, grid_n, progress, resume, key)
        how = "compiled; plan saved for the next run" if saved else "compiled"
    wall = time.perf_counter() - tic
    first = _first_step(result)
    click.echo(f"wrote {out} ({len(ds.time)} frames, grid {shape}, {ds.attrs.get('method', '?')}, {wall:.1f} s;"
               f" {how}{first})")
    if plot:
        try:
            import matplotlib

            matplotlib.use("Agg")
            from ..runtime.plotting import save_plot

            png = save_plot(ds, out.with_suffix(".png"), None, None)
            click.echo(f"wrote {png}")
        except Exception as exc:  # a plot is a bonus; the result file is written
            click.echo(f"warning: no plot ({type(exc).__name__}: {exc})", err=True)


def _guarded(path, out, job, caught):
    """``job()``, with a diverged or failed run and Ctrl-C turned into messages (exit 2 / 130)."""
    from ..runtime.errors import ResultFileError, SimulationError

    try:
        return job()
    except (SimulationError, ResultFileError) as exc:
        for w in caught:
            click.echo(f"warning: {w.message}", err=True)
        fail(getattr(exc, "message", str(exc)), getattr(exc, "hint", None))
    except KeyboardInterrupt as exc:
        where = f" at t = {exc.t:.6g}" if hasattr(exc, "t") else ""
        saved = f"{exc.saved} frame(s) in {out}; " if hasattr(exc, "saved") else ""
        click.echo(f"interrupted{where}: {saved}continue with `eqc run {path} -o {out} --resume`", err=True)
        sys.exit(130)


def _full_run(path, output, params, t_end, dt, method, save_every, backend, order, grid_n, progress, resume, key):
    """Load, lower, compile and run; save a run plan for the next time when ``key``."""
    from ..simulation import StabilityWarning
    from ..simulation import compile as eqc_compile

    model = load_model(path)
    unknown = set(params) - set(model.param_names)
    if unknown:
        name = sorted(unknown)[0]
        from ..compiler.diagnostics import did_you_mean

        fail(f"--set {name}: model {model.name} has no parameter `{name}`",
             did_you_mean(name, model.param_names) or f"its parameters: {', '.join(model.param_names) or 'none'}")
    n = None
    if grid_n:
        try:
            sizes = tuple(int(v) for v in grid_n.lower().split("x"))
        except ValueError:
            fail(f"--grid {grid_n!r} is not N or NxM", "write e.g. --grid 128x128")
        n = sizes[0] if len(sizes) == 1 else sizes
    out = Path(output) if output else Path(f"{model.name}.nc")
    sim = eqc_compile(model, backend=backend, order=int(order), n=n)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", StabilityWarning)
        ds = _guarded(path, out, lambda: sim.run(t_end=t_end, dt=dt, method=method, save_every=save_every,
                                                 params=params, output=str(out), progress=progress,
                                                 resume=resume), caught)
    for w in caught:
        click.echo(f"warning: {w.message}", err=True)
    saved = None
    if key is not None and getattr(sim, "last_setup", None) is not None:
        from ..quickrun import save_plan

        try:
            saved = save_plan(key, sim, sim.last_setup)
        except (OSError, ValueError, TypeError):  # a read-only cache only costs the next run its head start
            saved = None
    return out, ds, getattr(sim, "last_result", None), "x".join(map(str, sim.grid.n)) or "ode", saved is not None


def _first_step(result) -> str:
    """``, first steps after X s`` since the process started (Linux), or nothing."""
    if result is None or result.first_advance_at is None:
        return ""
    from ..quickrun import process_age

    age = process_age()
    if age is None:
        return ""
    return f", first steps {age - (time.perf_counter() - result.first_advance_at):.2f} s after start"
