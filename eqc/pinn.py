"""The PINN path as a Python API.

    res = eqc.pinn.train_pinn(model, settings, out_dir="run")   # train, save, compare, plot
    u = eqc.load_pinn("run")                                    # callable u(t, x, ...)
    u(0.5, np.linspace(-1, 1, 5))

``train_pinn`` glues the JAX trainer (:mod:`eqc.backends.jax.pinn.trainer`) to the
classical path: the relative L2 error is measured against ``eqc.compile(model).run()``
(the PINN is evaluated at the reference's own cell centres, docs/internals.md §2) or
against an exact solution when one is given. Inverse problems read observations from CSV
(columns ``t, x, ..., field names``) or netCDF (an ``eqc run`` output).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .compiler.diagnostics import InputModelError, SemanticModelError
from .compiler.ir.model import Model

__all__ = ["train_pinn", "load_pinn", "read_observations", "PINNFunction", "PINNReport", "reference_error"]


@dataclass
class PINNReport:
    """What a training run produced: the result, its errors and where files went."""

    result: Any
    rel_l2: float | None = None
    reference: str | None = None
    rel_l2_exact: float | None = None
    estimates: dict[str, dict[str, float]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        r = self.result
        last = r.history[-1] if r.history else {}
        return {
            "model": r.problem.model.name, "windows": len(r.windows), "wall_s": round(r.wall, 2),
            "steps_per_second": round(r.steps_per_second, 1), "final_loss": last.get("loss"),
            "rel_l2": self.rel_l2, "reference": self.reference, "rel_l2_exact": self.rel_l2_exact,
            "estimates": self.estimates,
        }


class PINNFunction:
    """A trained PINN as a function ``u(t, x, ...)`` (no ``t`` for a steady model).

    Arguments broadcast against each other; a one-field model returns an array of the
    broadcast shape, a several-field model a dict of them.
    """

    def __init__(self, result: Any):
        self.result = result
        self.variables = result.problem.variables
        self.fields = result.problem.fields
        self.params = dict(result.params)

    def __call__(self, *coords: Any) -> np.ndarray | dict[str, np.ndarray]:
        if len(coords) != len(self.variables):
            raise TypeError(f"expected {len(self.variables)} coordinates ({', '.join(self.variables)}), got {len(coords)}")
        arrays = np.broadcast_arrays(*(np.asarray(c, dtype=float) for c in coords))
        shape = arrays[0].shape
        pts = np.stack([a.ravel() for a in arrays], axis=1)
        vals = self.result.predict(pts)
        if len(self.fields) == 1:
            return vals[:, 0].reshape(shape)
        return {f: vals[:, k].reshape(shape) for k, f in enumerate(self.fields)}

    def residual(self, *coords: Any) -> np.ndarray:
        """The equations' residuals at the points (last axis: equations)."""
        arrays = np.broadcast_arrays(*(np.asarray(c, dtype=float) for c in coords))
        pts = np.stack([a.ravel() for a in arrays], axis=1)
        return self.result.residual(pts).reshape(*arrays[0].shape, -1)


def load_pinn(path: str | Path) -> PINNFunction:
    """The network saved by ``eqc train --method pinn -o DIR`` as a callable."""
    from .backends.jax.pinn.store import read_meta, restore

    folder, meta = read_meta(path)
    model = None
    if meta.get("model_text"):
        from .frontend.loader import parse

        model = parse(meta["model_text"], f"{folder}/model.pde")
    return PINNFunction(restore(folder, model))


# -------------------------------------------------------------- observations
def read_observations(path: str | Path, model: Model, t_span: tuple[float, float] | None = None):
    """Observations for an inverse problem from CSV (header ``t, x, ..., u``) or netCDF
    (variables named like the fields, coordinates ``time`` and the axes)."""
    from .backends.jax.pinn.trainer import Observations

    p = Path(path)
    if not p.exists():
        raise InputModelError(f"no such observations file: {p}", None, "give a CSV or netCDF file with --data")
    evolution = model.kind == "evolution"
    variables = (["t"] if evolution else []) + list(model.axis_names)
    if p.suffix.lower() in (".nc", ".nc4", ".netcdf", ".zarr"):
        import xarray as xr

        ds = xr.open_zarr(p) if p.suffix == ".zarr" else xr.open_dataset(p)
        names = [f for f in model.field_names if f in ds]
        if not names:
            raise InputModelError(f"{p}: none of the fields {', '.join(model.field_names)} is in the file")
        da = ds[names[0]]
        dims = list(da.dims)
        coords = {("t" if d == "time" else d): np.asarray(ds[d].values, float) for d in dims}
        missing = [v for v in variables if v not in coords]
        if missing:
            raise InputModelError(f"{p}: no coordinate `{missing[0]}` in the file")
        mesh = np.meshgrid(*(coords["t" if d == "time" else d] for d in dims), indexing="ij")
        by = {("t" if d == "time" else d): m.ravel() for d, m in zip(dims, mesh, strict=True)}
        pts = np.stack([by[v] for v in variables], axis=1)
        vals = np.stack([np.asarray(ds[f].transpose(*dims).values, float).ravel() for f in names], axis=1)
        ds.close()
        return Observations(pts, vals, tuple(names))
    import csv

    with open(p, newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise InputModelError(f"{p}: the observations file is empty")
    header = [h.strip() for h in rows[0]]
    missing = [v for v in variables if v not in header]
    if missing:
        raise InputModelError(
            f"{p}: no column `{missing[0]}`", None, f"the header needs {', '.join(variables)} and field names"
        )
    names = [h for h in header if h in model.field_names]
    if not names:
        raise InputModelError(f"{p}: no column names a field ({', '.join(model.field_names)})")
    try:
        data = np.array([[float(v) if v.strip() else np.nan for v in r] for r in rows[1:] if r], dtype=float)
    except ValueError as exc:
        raise InputModelError(f"{p}: {exc}") from None
    pts = data[:, [header.index(v) for v in variables]]
    vals = data[:, [header.index(f) for f in names]]
    return Observations(pts, vals, tuple(names))


# -------------------------------------------------------------- references
def reference_error(
    result: Any, model: Model, exact: Callable[..., Any] | None = None, n: int | None = None
) -> tuple[float | None, str | None, dict[str, np.ndarray] | None]:
    """Relative L2 error of the PINN against the exact solution (when given) or eqc's
    classical solution; returns ``(error, what, arrays for plots)``."""
    fn = PINNFunction(result)
    if exact is not None:
        grids = _eval_grid(result, n or 101)
        pred = fn(*grids)
        ref = np.asarray(exact(*grids), float)
        pred = pred if isinstance(pred, np.ndarray) else pred[result.problem.fields[0]]
        err = float(np.linalg.norm(pred - ref) / max(np.linalg.norm(ref), 1e-300))
        return err, "exact", {"coords": grids, "pred": pred, "ref": ref}
    from .simulation import compile as eqc_compile

    sim = eqc_compile(model)
    ds = sim.run(progress=False, t_end=result.problem.hi[0] if result.problem.evolution else None)
    f0 = result.problem.fields[0]
    da = ds[f0]
    axes = list(model.axis_names)
    if result.problem.evolution:
        dims = ["time", *axes]
        coords = [np.asarray(ds["time"].values, float)] + [np.asarray(ds[a].values, float) for a in axes]
    else:
        if "time" in da.dims:
            da = da.isel(time=-1)
        dims = axes
        coords = [np.asarray(ds[a].values, float) for a in axes]
    ref = np.asarray(da.transpose(*dims).values, float)
    grids = np.meshgrid(*coords, indexing="ij")
    pred = fn(*grids)
    pred = pred if isinstance(pred, np.ndarray) else pred[f0]
    err = float(np.linalg.norm(pred - ref) / max(np.linalg.norm(ref), 1e-300))
    return err, "classical", {"coords": grids, "pred": pred, "ref": ref}


def _eval_grid(result: Any, n: int) -> list[np.ndarray]:
    p = result.problem
    axes = [np.linspace(a, b, n) for a, b in zip(p.lo, p.hi, strict=True)]
    return list(np.meshgrid(*axes, indexing="ij"))


# -------------------------------------------------------------- the glue
def train_pinn(
    model: Model,
    settings: Any = None,
    *,
    observations: Any = None,
    out_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    reference: bool = True,
    exact: Callable[..., Any] | None = None,
    truth: Mapping[str, float] | None = None,
    plots: bool = True,
) -> PINNReport:
    """Train, save (when ``out_dir``), measure the error, estimate unknowns, plot."""
    from .backends.jax.pinn import store
    from .backends.jax.pinn.settings import PINNSettings, from_model
    from .backends.jax.pinn.trainer import train

    settings = settings if settings is not None else from_model(model, PINNSettings())
    if isinstance(observations, str | Path):
        observations = read_observations(observations, model)
    result = train(model, settings, observations=observations, out_dir=out_dir, resume=resume, progress=progress)
    report = PINNReport(result)
    for name, value in result.learned.items():
        est: dict[str, float] = {"estimate": value}
        if truth and name in truth:
            est["truth"] = float(truth[name])
            est["rel_error"] = abs(value - truth[name]) / max(abs(truth[name]), 1e-300)
        report.estimates[name] = est
    arrays = None
    if exact is not None or reference:
        try:
            values = {k: (truth or {}).get(k, v) for k, v in result.learned.items()}
            ref_model = model.with_params(**values) if values else model
            report.rel_l2, report.reference, arrays = reference_error(result, ref_model, exact)
        except SemanticModelError as exc:
            report.reference = f"none ({exc.message})"
    if exact is not None and report.reference != "exact":
        report.rel_l2_exact = reference_error(result, model, exact)[0]
    if out_dir is not None:
        from . import __version__

        out = Path(out_dir)
        store.save(result, out, {"eqc_version": __version__, "report": _jsonable(report.summary())})
        (out / "history.json").write_text(json.dumps(result.history))
        (out / "report.json").write_text(json.dumps(_jsonable(report.summary()), indent=2))
        report.files += [str(out / store.WEIGHTS), str(out / store.META), str(out / "report.json")]
        if plots and arrays is not None:
            report.files += _plots(result, arrays, out)
    return report


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, np.floating):
        return float(obj)
    return obj


def _plots(result: Any, arrays: dict[str, Any], out: Path) -> list[str]:
    """PNG images of prediction, reference, error and residual (first field)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grids, pred, ref = arrays["coords"], arrays["pred"], arrays["ref"]
    if len(grids) > 2:  # time + 2 axes: the last frame
        grids = [g[-1] for g in grids[1:]]
        pred, ref = pred[-1], ref[-1]
    names = [v for v in result.problem.variables][-len(grids):] if len(grids) == 2 else list(result.problem.variables)
    pts = np.stack([g.ravel() for g in arrays["coords"]], axis=1)
    res = np.abs(result.residual(pts)[:, 0]).reshape(arrays["coords"][0].shape)
    if res.ndim > 2:
        res = res[-1]
    panels = [("prediction", pred), ("reference", ref), ("|error|", np.abs(pred - ref)), ("|residual|", res)]
    fig, axs = plt.subplots(1, 4, figsize=(16, 3.6))
    for ax, (title, data) in zip(axs, panels, strict=True):
        if len(grids) == 1:
            ax.plot(grids[0], data)
            ax.set_xlabel(names[0])
        else:
            im = ax.pcolormesh(grids[0], grids[1], data, shading="auto")
            fig.colorbar(im, ax=ax)
            ax.set_xlabel(names[0])
            ax.set_ylabel(names[1])
        ax.set_title(title)
    fig.suptitle(f"{result.problem.model.name}: PINN vs reference")
    fig.tight_layout()
    path = out / "pinn.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    hist = [h["loss"] for h in result.history]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.semilogy(hist)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    fig.tight_layout()
    lpath = out / "loss.png"
    fig.savefig(lpath, dpi=100)
    plt.close(fig)
    return [str(path), str(lpath)]
