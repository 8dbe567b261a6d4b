"""The run driver: advance a stepper from save point to save point.

After every chunk of steps the state's interior is checked for NaN/Inf (a diverged run
stops with :class:`~eqc.runtime.errors.SimulationDiverged` naming the first bad field, the
time and a hint); every save point calls ``on_save(t, y)`` — typically a snapshot writer's
``write``, which leaves a valid file after each frame, so Ctrl-C (raised here as
:class:`SimulationInterrupted`, a ``KeyboardInterrupt``) keeps every snapshot written so far.
A rich progress bar shows the time reached, steps/s and the ETA.

Usage (see docs/internals.md §6)::

    with open_writer("out.nc", grid, fields, params=params) as w:
        integrate(stepper, y, 0.0, 10.0, np.linspace(0, 10, 11), w.write, grid=grid,
                  field_names=fields)
"""

from __future__ import annotations

import os
import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .checkpoint import load_checkpoint, save_checkpoint
from .errors import SimulationDiverged
from .grid import Grid
from .progress import RunProgress
from .steppers.base import Stepper

__all__ = [
    "integrate", "IntegrateResult", "SimulationInterrupted", "save_times_every", "resume", "Resume",
]

OnSave = Callable[[float, np.ndarray], None]


class SimulationInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`integrate`: ``t`` reached and ``saved`` snapshots written."""

    def __init__(self, t: float, saved: int):
        super().__init__(f"interrupted at t = {t:.6g} after {saved} snapshot(s)")
        self.t = t
        self.saved = saved


@dataclass(frozen=True, slots=True)
class IntegrateResult:
    """What a finished :func:`integrate` reports."""

    t: float
    nsteps: int
    saved: int
    wall_s: float
    first_advance_at: float | None = None  # time.perf_counter() when the first steps were done


def save_times_every(t0: float, t1: float, every: float | None) -> np.ndarray:
    """``t0, t0 + every, ...`` up to ``t1`` (``t1`` always included); only ``[t0, t1]``
    when ``every`` is None."""
    if every is None or every <= 0:
        return np.array([t0, t1]) if t1 > t0 else np.array([t0])
    n = int(np.floor((t1 - t0) / every + 1e-9))
    times = t0 + every * np.arange(n + 1)
    if t1 - times[-1] > 1e-9 * every:
        times = np.append(times, t1)
    else:
        times[-1] = t1 if n else times[-1]
    return times


@dataclass(frozen=True, slots=True)
class Resume:
    """Where a checkpointed run stopped: its state, time and snapshot count."""

    y: np.ndarray
    t: float
    saved: int
    method: str


def resume(checkpoint: str | os.PathLike) -> Resume:
    """Read the checkpoint :func:`integrate` wrote; continue with
    ``integrate(st, r.y, r.t, t1, times, writer.write, saved_before=r.saved, ...)`` and a
    writer opened with ``open_writer(..., resume_frames=r.saved)``."""
    arrays, meta = load_checkpoint(checkpoint)
    return Resume(arrays["y"].copy(), float(meta["t"]), int(meta["saved"]), str(meta.get("method", "")))


def _first_bad_field(
    y: np.ndarray, index: tuple[slice, ...], names: Sequence[str] | None, grid: Grid | None
) -> tuple[str, str | None]:
    """The first field with a non-finite interior value, and where (points and the box of
    coordinates they span) when there is a grid."""
    for k in range(y.shape[0]):
        bad = ~np.isfinite(y[(k, *index)])
        if bad.any():
            name = names[k] if names and k < len(names) else f"#{k}"
            if grid is None or not grid.dim:
                return name, None
            pts = np.argwhere(bad)
            box = []
            for a, axis in enumerate(grid.axes):
                c = grid.coords(axis)
                lo, hi = c[pts[:, a].min()], c[pts[:, a].max()]
                box.append(f"{axis} = {lo:.4g}" if lo == hi else f"{axis} in [{lo:.4g}, {hi:.4g}]")
            return name, f"{len(pts)} of {bad.size} points, {', '.join(box)}"
    return "?", None


def _hint(stepper: Stepper, stability_hint: str | None) -> str:
    parts = []
    dt = getattr(stepper, "dt", None)
    if stability_hint:
        parts.append(stability_hint)
    method = getattr(stepper, "method", "")
    if getattr(stepper, "adaptive", False):
        parts.append("tighten rtol/atol, or the model itself blows up")
    elif method == "etdrk4" and dt is not None:
        parts.append(
            f"reduce the time step (dt = {dt:.3g} with etdrk4): the stiff linear part is exact, "
            "but the nonlinear part is explicit and needs dt below ~h/|u| (its CFL limit)"
        )
    elif dt is not None:
        parts.append(
            f"reduce the time step (dt = {dt:.3g} with {stepper.method}); explicit methods need "
            "dt below the CFL limit ~h/|c| and the diffusion limit ~h^2/(2 D dim)"
        )
    return "; ".join(parts) or "reduce the time step"


def integrate(
    stepper: Stepper,
    y: np.ndarray,
    t0: float,
    t1: float,
    save_times: Sequence[float] | np.ndarray | None = None,
    on_save: OnSave | None = None,
    *,
    grid: Grid | None = None,
    field_names: Sequence[str] | None = None,
    progress: bool = True,
    check_finite: bool = True,
    stability_hint: str | None = None,
    description: str = "integrating",
    chunk_seconds: float = 0.25,
    checkpoint: str | os.PathLike | None = None,
    saved_before: int = 0,
) -> IntegrateResult:
    """Integrate ``y`` in place from ``t0`` to ``t1``, calling ``on_save(t, y)`` at each of
    ``save_times`` (those in ``[t0, t1]``; one equal to ``t0`` is saved before stepping).

    Fixed-step steppers advance in chunks of whole steps sized to take about
    ``chunk_seconds`` each (at most 1% of the run), adaptive ones in pieces of 1% of the
    run, so the progress bar moves and a blow-up is caught early.
    ``grid`` restricts the finiteness check to the interior (ghost cells are garbage);
    ``field_names`` name the fields in the error. ``stability_hint`` (from
    :func:`eqc.runtime.stability.check_stability`) is added to a divergence error's hint.

    ``checkpoint``: after every snapshot the state and time are written there atomically,
    so a stopped run continues with :func:`resume` (``saved_before`` then counts the
    snapshots already in the output; ``t0`` is the checkpoint's time, not saved again).
    """
    if t1 < t0:
        raise ValueError(f"end time {t1} is before start time {t0}")
    times = np.unique(np.asarray([] if save_times is None else save_times, dtype=float))
    times = times[(times >= t0 - 1e-12 * max(1, abs(t0))) & (times <= t1 + 1e-12 * max(1, abs(t1)))]
    index = grid.interior if grid is not None and grid.dim else tuple(slice(None) for _ in y.shape[1:])
    start = _time.perf_counter()
    steps0 = stepper.nsteps
    saved = 0
    t = float(t0)
    fixed_dt = None if getattr(stepper, "adaptive", False) else getattr(stepper, "dt", None)
    chunk_steps = 4
    # at most 1/100 of the run per chunk: the bar moves and a blow-up is caught early
    max_chunk = max(1, int((t1 - t0) / (100 * fixed_dt))) if fixed_dt else 1
    t_ok = t

    def check(t_now: float) -> None:
        if check_finite and not np.isfinite(y[(slice(None), *index)]).all():
            name, where = _first_bad_field(y, index, field_names, grid)
            raise SimulationDiverged(
                name, t_now, _hint(stepper, stability_hint), last_finite=t_ok, where=where
            )

    targets = [float(s) for s in times if s > t0]
    if not targets or targets[-1] < t1:
        targets.append(float(t1))
    save_set = {float(s) for s in times}

    def save(t_now: float) -> None:
        nonlocal saved
        on_save(t_now, y)
        saved += 1
        if checkpoint is not None:
            meta = {"t": t_now, "saved": saved_before + saved, "method": getattr(stepper, "method", "")}
            save_checkpoint(checkpoint, {"y": y}, meta)

    if hasattr(stepper, "t_bound"):
        stepper.t_bound = float(t1)  # dense-output steppers never step past the end
    bar = RunProgress(t0, t1, description, enabled=progress)
    first_at = None
    try:
        with bar:
            at_t0 = times.size and abs(times[0] - t0) <= 1e-12 * max(1, abs(t0))
            if on_save is not None and at_t0 and not saved_before:
                check(t)
                save(t)
            for target in targets:
                while t < target:
                    if fixed_dt:
                        sub = min(target, t + chunk_steps * fixed_dt)
                        if target - sub < 1e-9 * fixed_dt:
                            sub = target
                    else:  # adaptive: pieces of 1% of the run (free with dense output)
                        piece = (t1 - t0) / 100
                        sub = target if target - t <= 1.01 * piece else t + piece
                    tic = _time.perf_counter()
                    # overflow is reported by the finiteness check below, with a hint
                    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                        t = stepper.advance(y, t, sub)
                    took = _time.perf_counter() - tic
                    if first_at is None:
                        first_at = tic + took
                    if fixed_dt:
                        scale = chunk_seconds / max(took, 1e-6)
                        chunk_steps = int(min(max(chunk_steps * min(scale, 4.0), 1), max_chunk))
                    check(t)
                    t_ok = t
                    bar.update(t, stepper.nsteps - steps0)
                if on_save is not None and target in save_set:
                    save(t)
    except KeyboardInterrupt as exc:
        if isinstance(exc, SimulationInterrupted):
            raise
        raise SimulationInterrupted(t, saved) from None
    return IntegrateResult(t, stepper.nsteps - steps0, saved, _time.perf_counter() - start, first_at)


def checkpoint_path(output: str | os.PathLike | None) -> Path | None:
    """Where a run writing ``output`` keeps its checkpoint (None: no output file)."""
    return Path(f"{output}.ck.npz") if output is not None else None


def integrate_to_output(
    stepper: Stepper,
    y: np.ndarray,
    t_start: float,
    t1: float,
    save_times: Sequence[float] | np.ndarray,
    output: str | os.PathLike | None,
    grid: Grid,
    field_names: Sequence[str],
    *,
    params: dict | None = None,
    attrs: dict | None = None,
    progress: bool = True,
    stability_hint: str | None = None,
    description: str = "integrating",
    saved_before: int = 0,
    resume: bool = False,
):
    """:func:`integrate` into a result file (netCDF, zarr for ``.zarr``, memory for None),
    checkpointed to ``<output>.ck.npz`` after every snapshot and the checkpoint removed when
    the run completes. ``resume``: continue a file holding ``saved_before`` frames.
    Returns ``(dataset, IntegrateResult)``."""
    from .output import open_writer

    ck = checkpoint_path(output)
    with open_writer(output, grid, field_names, params=params, attrs=attrs,
                     resume_frames=saved_before if resume else None) as w:
        result = integrate(stepper, y, t_start, t1, save_times, w.write, grid=grid, field_names=field_names,
                           progress=progress, stability_hint=stability_hint, description=description,
                           checkpoint=ck, saved_before=saved_before)
        ds = w.dataset()
    if ck is not None and ck.exists():
        ck.unlink()
    return ds, result
