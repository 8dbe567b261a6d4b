"""Neural operators for eqc models: classical datasets, FNO training, loading a trained one.

::

    report = make_dataset("stdlib:burgers_periodic", "data.zarr", samples=1000)
    op = train_operator("stdlib:burgers_periodic", "data.zarr", out="burgers.fno")
    op = eqc.load_operator("burgers.fno"); uT = op(u0_batch)   # any resolution

Datasets are solved by eqc's classical path (``eqc.compile(model).run``) from Gaussian
random field initial data (:mod:`eqc.runtime.dataset`); the operator is the FNO of Li et al.
(2021) with an optional PINO physics loss (:mod:`eqc.backends.jax.operator`).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .compiler.diagnostics import InputModelError, SemanticModelError
from .compiler.ir.model import Model
from .runtime.dataset import DatasetLayout, GaussianRandomField, generate, parse_ic

__all__ = ["make_dataset", "DatasetReport", "ClassicalBlockSolver", "train_operator", "load_operator"]


def _model(model: Model | str) -> Model:
    if isinstance(model, Model):
        return model
    from .frontend.loader import load

    return load(model)


def with_resolution(model: Model, resolution: Sequence[int] | int | None) -> Model:
    """``model`` with every axis' grid size replaced (one number: the same on every axis)."""
    if resolution is None:
        return model
    sizes = (resolution,) * model.dim if isinstance(resolution, int) else tuple(resolution)
    if len(sizes) != model.dim:
        raise SemanticModelError(
            f"--resolution gives {len(sizes)} sizes for a {model.dim}-D model", model.span,
            "write one size per axis, e.g. 128x128, or one for all",
        )
    axes = tuple(dataclasses.replace(a, points=int(n)) for a, n in zip(model.axes, sizes, strict=True))
    return dataclasses.replace(model, axes=axes)


def evolved_fields(model: Model) -> tuple[str, ...]:
    """The fields an operator maps (constraint fields such as a stream function are not data)."""
    return tuple(e.field for e in model.evolution_equations)


def _check_for_dataset(model: Model) -> None:
    if model.kind != "evolution":
        raise SemanticModelError(
            f"model `{model.name}` is {model.kind}; operator datasets need an evolution model with axes",
            model.span, "write the equations as dt(u) = ...",
        )
    for a in model.axes:
        if not a.periodic:
            raise SemanticModelError(
                f"axis `{a.name}` is not periodic; Gaussian random field initial data need a periodic box",
                a.span, f"declare `domain {a.name} in [..] periodic`",
            )
        if a.points is None:
            raise SemanticModelError(f"axis `{a.name}` has no grid size", a.span, "pass --resolution N")


@dataclass
class ClassicalBlockSolver:
    """Solves a block of dataset samples with eqc's classical path (picklable for workers).

    Sample ``i``'s initial data are ``ic.sample(shape, lengths, seed, i, k)`` for field
    ``k``; the result holds every field at ``times`` (``times[0]`` the initial time).
    """

    model: Model | str
    times: tuple[float, ...]
    ic: GaussianRandomField
    seed: int
    resolution: tuple[int, ...] | None = None
    params: Mapping[str, float] | None = None
    backend: str = "numba"
    order: int = 2
    method: str | None = None
    dt: float | None = None
    _sim: object = dataclasses.field(default=None, repr=False, compare=False)

    def __getstate__(self):
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)} | {"_sim": None}

    def __setstate__(self, state):
        for k, v in state.items():
            object.__setattr__(self, k, v)

    def simulation(self):
        """``(model at the dataset's resolution, compiled Simulation)``, made once per process."""
        if self._sim is None:
            from .simulation import compile as compile_model

            model = with_resolution(_model(self.model), self.resolution)
            self._sim = (model, compile_model(model, backend=self.backend, order=self.order))
        return self._sim

    def initial(self, model: Model, index: int) -> dict[str, np.ndarray]:
        shape = tuple(a.points for a in model.axes)
        lengths = tuple(a.length for a in model.axes)
        return {f: self.ic.sample(shape, lengths, self.seed, index, k) for k, f in enumerate(evolved_fields(model))}

    def __call__(self, indices: Sequence[int]) -> np.ndarray:
        model, sim = self.simulation()
        t0, t1 = self.times[0], self.times[-1]
        every = (t1 - t0) / (len(self.times) - 1)
        out = []
        for i in indices:
            ds = sim.run(t_end=t1, dt=self.dt, method=self.method, save_every=every, params=self.params,
                         initial=self.initial(model, i), progress=False)
            tt = np.asarray(ds["time"].values, dtype=float)
            pick = [int(np.argmin(np.abs(tt - t))) for t in self.times]
            if np.max(np.abs(tt[pick] - np.asarray(self.times))) > 1e-6 * max(1.0, abs(t1)):
                raise RuntimeError(f"classical run saved times {tt}, not {self.times}")
            out.append(np.stack([np.asarray(ds[f].values)[pick] for f in evolved_fields(model)], axis=1))
        return np.stack(out)


@dataclass(frozen=True, slots=True)
class DatasetReport:
    """What :func:`make_dataset` did: the store's layout and the blocks this call computed."""

    path: str
    layout: DatasetLayout
    computed: tuple[int, ...]
    seconds: float


def make_dataset(
    model: Model | str,
    path: str | os.PathLike,
    *,
    samples: int,
    seed: int = 0,
    ic: str | GaussianRandomField = "grf",
    t_end: float | None = None,
    save: int = 1,
    resolution: Sequence[int] | int | None = None,
    block: int = 8,
    workers: int = 1,
    backend: str = "numba",
    order: int = 2,
    method: str | None = None,
    dt: float | None = None,
    params: Mapping[str, float] | None = None,
    overwrite: bool = False,
    progress: bool = True,
    on_block: Callable[[int], None] | None = None,
    solver: Callable[[Sequence[int]], np.ndarray] | None = None,
) -> DatasetReport:
    """Solve ``samples`` random initial conditions classically into a zarr store at ``path``.

    ``save`` snapshots are kept, equally spaced up to ``t_end`` (1: the final time only).
    ``backend``, ``order``, ``method`` and ``dt`` go to the classical solver (None: the
    model's ``solve`` line).
    Re-running with the same settings resumes an interrupted run; different settings are an
    error unless ``overwrite``. ``solver`` replaces the classical solver (tests, benchmarks).
    """
    m = with_resolution(_model(model), resolution)
    _check_for_dataset(m)
    grf = parse_ic(ic) if isinstance(ic, str) else ic
    t0 = m.solve.t0 if m.solve is not None else 0.0
    t1 = float(t_end) if t_end is not None else (m.solve.t1 if m.solve is not None else None)
    if t1 is None or not t1 > t0:
        raise SemanticModelError(f"model `{m.name}`: no end time after t0 = {t0}", m.span, "pass --t-end T")
    if save < 1:
        raise SemanticModelError("--save must be at least 1", None)
    times = tuple(float(t) for t in np.linspace(t0, t1, save + 1))
    layout = DatasetLayout(
        fields=evolved_fields(m),
        axes=m.axis_names,
        lo=tuple(float(a.lo) for a in m.axes),
        hi=tuple(float(a.hi) for a in m.axes),
        shape=tuple(int(a.points) for a in m.axes),
        times=times,
        samples=int(samples),
        block=int(block),
        seed=int(seed),
        ic=tuple(sorted(dataclasses.asdict(grf).items())),
        solver=(("model", m.name), ("params", repr(sorted(m.param_values(params).items()))),
                ("backend", backend), ("order", str(order)), ("method", str(method)), ("dt", str(dt))),
    )
    if solver is None:
        src = model if isinstance(model, str) else m
        solver = ClassicalBlockSolver(src, times, grf, int(seed), layout.shape, params, backend, order, method, dt)
    values = m.param_values(params)
    attrs = {"model": m.name, "params": values, "backend": backend, "order": order, "ic": dataclasses.asdict(grf)}
    from .runtime.dataset import DatasetMismatch
    from .runtime.learn.progress import TrainingProgress

    start = time.perf_counter()
    with TrainingProgress(layout.samples, f"{m.name}: samples", enabled=progress) as bar:
        def tick(done_blocks: int, total: int) -> None:
            bar.update(min(done_blocks * layout.block, layout.samples), {})

        try:
            computed = generate(
                path, layout, solver, attrs=attrs, workers=workers, overwrite=overwrite,
                progress=tick, on_block=on_block,
            )
        except DatasetMismatch as exc:
            raise InputModelError(str(exc), None, "use another path, the same settings, or --overwrite") from None
    return DatasetReport(os.fspath(path), layout, tuple(computed), time.perf_counter() - start)


def load_operator(path: str | os.PathLike):
    """A trained operator file as a callable ``op(u0) -> u(T)`` on NumPy arrays (any grid).

    See :class:`eqc.backends.jax.operator.artifact.NeuralOperator`.
    """
    if not os.path.exists(path):
        raise InputModelError(f"no such operator file: {os.fspath(path)}", None, "train one with `eqc train --method fno`")
    from .backends.jax.operator.artifact import load_operator as _load

    try:
        return _load(path)
    except ValueError as exc:
        raise InputModelError(str(exc), None, "pass a file written by `eqc train --method fno`") from None


def _load_arrays(path: str | os.PathLike) -> tuple[DatasetLayout, np.ndarray, dict, dict[int, float]]:
    """A complete dataset as ``(layout, U (N, S+1, F, *grid), attrs, block seconds)``."""
    from .runtime.dataset import DatasetMismatch, done_blocks, open_dataset

    if not os.path.exists(path):
        raise InputModelError(f"no such dataset: {os.fspath(path)}", None, "make one with `eqc dataset`")
    try:
        layout, group, attrs = open_dataset(path)
    except DatasetMismatch as exc:
        raise InputModelError(str(exc), None, "finish it by re-running the same `eqc dataset` command") from None
    u = np.stack([np.asarray(group[f][...]) for f in layout.fields], axis=2)
    return layout, u, attrs, done_blocks(path)


def _classical_seconds(layout: DatasetLayout, blocks: dict[int, float], indices: range) -> float:
    """Solve time of ``indices`` as measured when the dataset was made (per block, pro rata)."""
    total = 0.0
    for b, seconds in blocks.items():
        r = layout.block_range(b)
        total += seconds * len(set(r) & set(indices)) / len(r)
    return total


def train_operator(
    model: Model | str,
    data: str | os.PathLike,
    *,
    out: str | os.PathLike | None = None,
    tests: Sequence[str | os.PathLike] = (),
    modes: int = 16,
    width: int = 64,
    layers: int = 4,
    time_slices: int | None = None,
    holdout: float = 0.2,
    options=None,
    checkpoint: str | os.PathLike | None = None,
    resume: bool = False,
    progress: bool = True,
):
    """Train an FNO on the dataset ``data`` of ``model``; report errors and speed-up.

    The operator maps ``u(t0)`` to ``K = time_slices`` equally spaced times up to ``T``
    (default: the dataset's saved times; with the PINO loss at least 20, so the physics
    residual sees a time series). The last ``holdout`` fraction of samples is held out;
    each path in ``tests`` (typically a finer-grid dataset) is scored too. ``options`` is a
    :class:`~eqc.backends.jax.operator.train.TrainOptions`. Returns the
    :class:`~eqc.backends.jax.operator.artifact.NeuralOperator` (saved to ``out`` if given)
    whose ``report`` holds the numbers.
    """
    from .backends.jax.operator.artifact import NeuralOperator, OperatorSpec, save_operator
    from .backends.jax.operator.fno import FNOConfig
    from .backends.jax.operator.pino import make_rhs
    from .backends.jax.operator.train import TrainOptions, predict, relative_l2, train_fno
    from .runtime.learn.progress import TrainingProgress

    o = options if options is not None else TrainOptions()
    m = _model(model)
    layout, u, attrs, blocks = _load_arrays(data)
    fields = evolved_fields(m)
    if layout.fields != fields or layout.axes != m.axis_names:
        raise InputModelError(
            f"dataset {os.fspath(data)} holds fields {layout.fields} on axes {layout.axes}; "
            f"model `{m.name}` has {fields} on {m.axis_names}", None, "pass the model the dataset was made from",
        )
    s = len(layout.times) - 1
    k = time_slices or (s * -(-20 // s) if o.pino_weight > 0 else s)
    if k % s:
        raise SemanticModelError(f"--time-slices {k} is not a multiple of the dataset's {s} saved times", None)
    times = np.linspace(layout.times[0], layout.times[-1], k + 1)
    data_slices = [(j + 1) * (k // s) - 1 for j in range(s)]
    n = layout.samples
    n_test = max(1, int(round(holdout * n))) if holdout > 0 else 0
    n_train = n - n_test
    if n_train < 1:
        raise SemanticModelError(f"the dataset has {n} samples: none left to train on after the hold-out", None)
    values = {k_: v for k_, v in dict(attrs.get("params", {})).items() if k_ in m.param_names}
    residual = make_rhs(m, values) if o.pino_weight > 0 else None
    config = FNOConfig(m.dim, len(fields), len(fields) * k, modes, width, layers)
    if checkpoint is None and out is not None:
        checkpoint = os.fspath(out) + ".ckpt"
    with TrainingProgress(o.steps, f"FNO {m.name}", enabled=progress) as bar:
        t_start = [time.perf_counter(), 0]  # (time, step) the rate is measured from

        def callback(step: int, loss: float) -> None:
            if step == t_start[1] + 1 and step % 10:  # the first step compiles: time from here on
                t_start[0], t_start[1] = time.perf_counter(), step
            if step % 10 == 0 or step == o.steps:
                rate = (step - t_start[1]) / max(time.perf_counter() - t_start[0], 1e-9)
                bar.update(step, {"loss": loss}, rate)

        net, history = train_fno(
            config, u[:n_train, 0], u[:n_train, 1:], data_slices, times, o,
            residual=residual, checkpoint=checkpoint, resume=resume, callback=callback,
        )
    spec = OperatorSpec(m.name, fields, m.axis_names, layout.lo, layout.hi, float(times[0]),
                        tuple(float(t) for t in times[1:]), tuple(sorted(values.items())))
    op = NeuralOperator(net, config, spec)
    report: dict = {"steps": o.steps, "final_loss": history[-1] if history else None, "pino_weight": o.pino_weight,
                    "resolution": list(layout.shape), "train_samples": n_train, "holdout_samples": n_test}
    if n_test:
        x_test, y_test = u[n_train:, 0], u[n_train:, -1]
        pred = predict(net, x_test, k)[:, -1]
        report["holdout_rel_l2"] = float(np.mean(relative_l2(pred, y_test)))
        report["identity_rel_l2"] = float(np.mean(relative_l2(x_test, y_test)))
        x_user = x_test[:, 0] if len(fields) == 1 else x_test  # the layout users pass
        op(x_user)  # compile once before timing
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            op(x_user)
            runs.append(time.perf_counter() - t)
        report["inference_seconds"] = float(np.median(runs))
        report["classical_seconds"] = _classical_seconds(layout, blocks, range(n_train, n))
        report["speedup"] = report["classical_seconds"] / report["inference_seconds"]
    report["tests"] = []
    for path in tests:
        tl, tu, _, _ = _load_arrays(path)
        if tl.fields != layout.fields or tl.times[-1] != layout.times[-1] or tl.times[0] != layout.times[0]:
            raise InputModelError(f"test set {os.fspath(path)} has other fields or times than {os.fspath(data)}", None)
        pred = predict(net, tu[:, 0], k)[:, -1]
        report["tests"].append({"path": os.fspath(path), "resolution": list(tl.shape), "samples": tl.samples,
                                "rel_l2": float(np.mean(relative_l2(pred, tu[:, -1])))})
    op.report = report
    if out is not None:
        save_operator(out, op)
    return op
