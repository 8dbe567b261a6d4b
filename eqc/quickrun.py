"""A cached ``eqc run``: the second run of the same model with the same options starts
stepping in a fraction of a second.

A first run lowers the model (sympy, the e-graph rewriter), compiles its kernel and
decides the run (method, step, save times, initial state, stability hint). When it ends
well, :func:`save_plan` writes those decisions as plain data, a *run plan* (JSON in
``$EQC_CACHE_DIR/runs``), keyed by the sha256 of the model's text, the options, eqc's
version and source files, and the CPU. The plan points at the fused loop's object file, which the LLVM
backend's disk cache already holds. :func:`find_plan` and :func:`run_plan` replay it
with numpy, netCDF4, llvmlite and eqc's runtime only: no sympy, lark, networkx or
compiler, i.e. ~0.5 s less start-up.

Only what can be replayed exactly gets a plan: the llvm backend, a fixed-step explicit
method with a fused loop (euler, ssprk3, rk4), no constraints, initial conditions that
numpy evaluates to the same bits as the first run. Anything else, a missing object file
or a damaged plan falls back to the full path: a plan is an optimisation, never a
source of truth (the tests compare both paths bit for bit).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__

__all__ = ["PLAN_VERSION", "plan_key", "find_plan", "save_plan", "run_plan", "process_age"]

PLAN_VERSION = 1
_FUSED = ("euler", "ssprk3", "rk4")


def _source_text(path: str) -> str | None:
    """The model's text, read as the loader reads it, or None (then the full path reports why)."""
    from .compiler.diagnostics import ModelError
    from .frontend.source import read_source

    try:
        return read_source(path)[0]
    except ModelError:
        return None


def _host() -> str:
    import llvmlite.binding as llvm

    return f"{llvm.get_host_cpu_name()}|{llvm.get_host_cpu_features().flatten()}"


_PACKAGES = ("eqc", "eqc.frontend", "eqc.compiler", "eqc.backends", "eqc.runtime")


def _code_stamp() -> str:
    """The names, sizes and modification times of eqc's own source files: an edited
    checkout (``pip install -e``) must not replay a plan made by other code of the same
    version. A few milliseconds (stat calls only)."""
    import importlib.util

    h = hashlib.sha256()
    for name in _PACKAGES:
        spec = importlib.util.find_spec(name)
        for root in (spec.submodule_search_locations or []) if spec else []:
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
                for f in sorted(filenames):
                    if f.endswith(".py"):
                        st = os.stat(os.path.join(dirpath, f))
                        h.update(f"{dirpath}/{f}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def plan_key(path: str, options: Mapping[str, Any]) -> str | None:
    """The plan's name for model ``path`` run with ``options`` (every CLI option that
    changes the result, JSON-able), or None when the model's text cannot be read."""
    source = _source_text(path)
    if source is None:
        return None
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - non-Linux
        cores = os.cpu_count()
    blob = json.dumps({"plan": PLAN_VERSION, "eqc": __version__, "code": _code_stamp(), "host": _host(), "cores": cores,
                       "source": hashlib.sha256(source.encode()).hexdigest(), "options": options},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _plan_path(key: str) -> Path:
    from .runtime.cache import cache_dir

    return cache_dir("runs") / f"{key}.json"


def find_plan(key: str | None) -> dict | None:
    """The stored plan ``key``, or None (none, unreadable, or its object file is gone)."""
    if key is None:
        return None
    try:
        plan = json.loads(_plan_path(key).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(plan, dict) or plan.get("version") != PLAN_VERSION:
        return None
    try:
        if not Path(plan["advance"]["object_path"]).is_file():
            return None
    except (KeyError, TypeError):
        return None
    return plan


# -- initial conditions: lambdify's source, replayed with numpy ------------------------------

def _ic_entry(fn) -> dict | None:
    """The source of a lambdified initial condition and the numpy names it uses, or None
    when it needs anything numpy does not provide under the same name."""
    import builtins
    import inspect

    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return None
    consts, names = {}, []
    for name in fn.__code__.co_names:
        value = fn.__globals__.get(name)
        if value is None:
            if hasattr(builtins, name):
                continue
            return None
        if getattr(np, name, None) is value:
            names.append(name)
            continue
        if isinstance(value, float) and math.isfinite(value):
            consts[name] = value
            continue
        return None
    return {"source": source, "name": fn.__name__, "numpy": names, "consts": consts}


def _ic_function(entry: Mapping[str, Any]):
    # only the names it uses: getattr on all of numpy would import its lazy submodules
    namespace: dict[str, Any] = {k: getattr(np, k) for k in entry["numpy"]}
    namespace.update(entry["consts"])
    exec(compile(entry["source"], "<eqc run plan>", "exec"), namespace)  # our own generated text
    return namespace[entry["name"]]


def _initial_state(plan: Mapping[str, Any], grid) -> np.ndarray:
    mesh = grid.mesh() if grid.dim else ()
    pvals = [plan["values"][p] for p in plan["ic_params"]]
    return grid.state([None if entry is None else _ic_function(entry)(*mesh, *pvals, plan["t0"])
                       for entry in plan["initial"]])


def _grid(plan: Mapping[str, Any]):
    from .runtime.grid import Grid

    g = plan["grid"]
    return Grid(tuple(g["axes"]), tuple(g["lo"]), tuple(g["hi"]), tuple(g["n"]), tuple(g["periodic"]), g["halo"])


# -- writing and replaying -------------------------------------------------------------------

def save_plan(key: str | None, sim, setup) -> Path | None:
    """Write the plan of the run ``sim.run`` just made (``setup``: its
    :class:`~eqc.simulation.RunSetup`), when it can be replayed exactly; else None."""
    if key is None or sim.backend != "llvm" or setup.method not in _FUSED or setup.dt is None:
        return None
    if sim.kernel.steady or sim.kernel.constraints or not hasattr(sim.compiled, "advance_spec"):
        return None
    from .runtime.steppers import TABLEAUS
    from .simulation import _lambdify

    spec = sim.compiled.advance_spec(sim.grid, TABLEAUS[setup.method])
    if spec is None:
        return None
    initial = []
    for f in sim.fields:
        ic = sim.model.ic_for(f)
        if ic is None:
            initial.append(None)
            continue
        entry = _ic_entry(_lambdify(sim.model, ic.expr))
        if entry is None:
            return None
        initial.append(entry)
    g = sim.grid
    plan = {
        "version": PLAN_VERSION, "model": sim.model.name, "fields": list(sim.fields), "n_evolved": sim.n_evolved,
        "grid": {"axes": list(g.axes), "lo": list(g.lo), "hi": list(g.hi), "n": list(g.n),
                 "periodic": list(g.periodic), "halo": g.halo},
        "values": {k: float(v) for k, v in setup.values.items()}, "ic_params": list(sim.model.param_names),
        "method": setup.method, "dt": float(setup.dt), "t0": float(setup.t0), "t1": float(setup.t1),
        "times": [float(t) for t in setup.times], "attrs": setup.attrs, "hint": setup.hint,
        "description": f"{sim.model.name} ({setup.method}, {sim.backend})",
        "initial": initial, "advance": spec.to_json(),
    }
    # the replay must start from the same bits as this run did
    try:
        same = np.array_equal(_initial_state(plan, _grid(plan)), sim.initial_state(None, setup.values))
    except Exception:  # noqa: BLE001 - any failure means: this model gets no plan
        same = False
    if not same:
        return None
    path = _plan_path(key)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(plan, default=_plain), "utf-8")
    os.replace(tmp, path)
    return path


def _plain(x: Any) -> Any:
    """numpy scalars as Python numbers (json's ``default``)."""
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"not JSON: {type(x).__name__}")


def run_plan(plan: Mapping[str, Any], output: str | None, progress: bool = True):
    """Replay ``plan``: the same run, written to ``output``. Returns ``(dataset,
    IntegrateResult)``; raises what :meth:`eqc.simulation.Simulation.run` raises."""
    from .backends.llvm.prepared import AdvanceSpec, load_advance
    from .runtime.driver import integrate_to_output
    from .runtime.steppers import FusedStepper

    grid = _grid(plan)
    values = plan["values"]
    y = _initial_state(plan, grid)
    advance = load_advance(AdvanceSpec.from_json(plan["advance"]), grid, values, plan["dt"])
    stepper = FusedStepper(advance, plan["dt"], None, method=plan["method"])
    return integrate_to_output(stepper, y, plan["t0"], plan["t1"], np.asarray(plan["times"]), output, grid,
                               tuple(plan["fields"]), params=values, attrs=plan["attrs"], progress=progress,
                               stability_hint=plan["hint"], description=plan["description"])


def process_age() -> float | None:
    """Seconds since this process started (Linux: /proc; 10 ms resolution), or None."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None
