"""A trained PINN on disk: ``pinn.eqx`` (equinox serialisation of every window's network
and the learned parameters) beside ``pinn.json`` (settings, time windows, field and input
names, parameter values, the model's text) and ``model.pkl`` (the model object, for models
built in Python that have no text). Files are written atomically.

:func:`save` writes; :func:`restore` rebuilds a :class:`PINNResult` given the model
(``eqc.pinn.load_pinn`` parses the stored text and calls it).
"""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from ....compiler.ir.model import Model
from ....runtime.learn.checkpoint import write_atomic
from .ansatz import plan_constraints
from .residual import make_problem
from .settings import PINNSettings
from .trainer import PINNResult, build_nets

__all__ = ["save", "restore", "read_meta", "WEIGHTS", "META"]

WEIGHTS = "pinn.eqx"
META = "pinn.json"
MODEL = "model.pkl"


def save(result: PINNResult, out_dir: str | Path, extra: dict[str, Any] | None = None) -> Path:
    """Write ``result`` into ``out_dir``; returns the folder."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    eqx.tree_serialise_leaves(buf, {"nets": result.nets, "theta": {k: jnp.asarray(v) for k, v in result.learned.items()}})
    write_atomic(out / WEIGHTS, buf.getvalue())
    model = result.problem.model
    meta = {
        "format": "eqc-pinn/1",
        "model_name": model.name,
        "model_text": model.source,
        "settings": result.settings.to_dict(),
        "windows": [list(w) for w in result.windows],
        "t_span": [result.problem.lo[0], result.problem.hi[0]] if result.problem.evolution else None,
        "variables": list(result.problem.variables),
        "fields": list(result.problem.fields),
        "params": result.params,
        "learned": result.learned,
        "wall_s": result.wall,
        "steps_per_second": result.steps_per_second,
    } | (extra or {})
    write_atomic(out / META, json.dumps(meta, indent=2).encode())
    write_atomic(out / MODEL, pickle.dumps(model))
    return out


def read_meta(path: str | Path) -> tuple[Path, dict[str, Any]]:
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    return folder, json.loads((folder / META).read_text())


def restore(folder: str | Path, model: Model | None = None) -> PINNResult:
    """The :class:`PINNResult` stored in ``folder`` (``model``: the parsed model text; the
    pickled model is used when None)."""
    folder, meta = read_meta(folder)
    if model is None:
        model = pickle.loads((folder / MODEL).read_bytes())
    settings = PINNSettings.from_dict(meta["settings"])
    windows = tuple(tuple(w) for w in meta["windows"])
    with jax.enable_x64(settings.float64):
        dtype = jnp.float64 if settings.float64 else jnp.float32
        problem = make_problem(model, tuple(meta["t_span"]) if meta["t_span"] else None)
        params = {k: float(v) for k, v in meta["params"].items()}
        plan = plan_constraints(problem, settings.hard, params)
        nets = build_nets(problem, settings, windows)
        like = {"nets": nets, "theta": {k: jnp.asarray(0.0, dtype) for k in meta["learned"]}}
        with open(folder / WEIGHTS, "rb") as fh:
            tree = eqx.tree_deserialise_leaves(fh, like)
    return PINNResult(
        problem, plan, settings, windows, list(tree["nets"]), params,
        {k: float(v) for k, v in meta["learned"].items()}, [], float(meta.get("wall_s", 0.0)),
        float(meta.get("steps_per_second", 0.0)),
    )
