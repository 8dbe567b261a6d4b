"""The PINN trainer: Adam then L-BFGS on the model's residual, window by window.

Time marching follows the sequence-to-sequence scheme of Krishnapriyan, Gholami, Zhe,
Kirby & Mahoney (2021), "Characterizing possible failure modes in physics-informed neural
networks", NeurIPS, §4.2: ``[t0, t1]`` is cut into windows, each with its own network,
trained in order, each window's end state the next one's initial condition (here imposed
exactly by the ansatz of :mod:`.ansatz`). The window count is chosen from the model when
not given: the rate ``|F(u0)| / |u0|`` of the right-hand side on the initial state times
the time span, divided by 2 pi (one window for diffusive or slow problems, five for
advection at beta = 30 over one time unit).

Loss terms: ``pde`` (mean squared residual at collocation points), ``bc`` and ``ic``
(soft constraints), ``data`` (observations of an inverse problem). Non-``pde`` terms are
weighted by learning-rate annealing (:mod:`eqc.runtime.learn.balance`). Unknown
parameters (``Param.known == False``) are trained with the network. Steps run in chunks
under ``lax.scan``; checkpoints every ``checkpoint_every`` steps hold everything needed to
continue the same loss curve.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import sympy as sp

from ....compiler.diagnostics import SemanticModelError
from ....compiler.ir.model import Model
from ....runtime.learn.balance import annealed_weights
from ....runtime.learn.checkpoint import load_checkpoint, save_checkpoint
from ....runtime.learn.lbfgs import lbfgs_minimise
from ....runtime.learn.progress import TrainingProgress
from ....runtime.learn.samplers import SAMPLERS, rar_d_select, sobol, uniform
from .ansatz import Plan, plan_constraints, window_solution
from .network import PINNNet, make_nets
from .residual import Field, Problem, make_problem
from .settings import PINNSettings

__all__ = ["Observations", "PINNResult", "TrainingStopped", "train", "choose_windows", "build_nets"]

CHECKPOINT = "checkpoint.npz"


class TrainingStopped(Exception):
    """Training stopped early (``stop_after`` steps, or Ctrl-C) after writing a checkpoint
    that ``resume=True`` continues from."""


@dataclass(frozen=True)
class Observations:
    """Observed values for an inverse problem: ``points`` ``(n, dim)`` in the problem's
    variable order, ``values`` ``(n, n_obs)`` for the fields named in ``fields`` (NaN =
    not observed)."""

    points: np.ndarray
    values: np.ndarray
    fields: tuple[str, ...]


@dataclass
class PINNResult:
    """A trained PINN: one network per time window, learned parameters, loss history."""

    problem: Problem
    plan: Plan
    settings: PINNSettings
    windows: tuple[tuple[float, float], ...]
    nets: list[PINNNet]
    params: dict[str, float]
    learned: dict[str, float]
    history: list[dict[str, float]] = field(default_factory=list)
    wall: float = 0.0
    steps_per_second: float = 0.0
    trace: list[tuple[float, float]] = field(default_factory=list)

    def window_fields(self) -> list[Field]:
        out: list[Field] = []
        for w, net in enumerate(self.nets):
            out.append(window_solution(self.problem, self.plan, self.windows[w], net, out[-1] if out else None, self.params))
        return out

    def predict(self, points: np.ndarray, batch: int = 16384) -> np.ndarray:
        """All fields at ``points`` ``(n, dim)`` (variables in the problem's order)."""
        pts = np.asarray(points, dtype=float).reshape(-1, self.problem.dim)
        out = np.empty((len(pts), len(self.problem.fields)))
        with jax.enable_x64(self.settings.float64):
            dtype = jnp.float64 if self.settings.float64 else jnp.float32
            fns = [jax.jit(jax.vmap(u)) for u in self.window_fields()]
            if self.problem.evolution and len(self.windows) > 1:
                edges = np.array([w[0] for w in self.windows[1:]])
                which = np.searchsorted(edges, pts[:, 0], side="right")
            else:
                which = np.zeros(len(pts), dtype=int)
            for w, fn in enumerate(fns):
                idx = np.nonzero(which == w)[0]
                for s in range(0, len(idx), batch):
                    sel = idx[s : s + batch]
                    out[sel] = np.asarray(fn(jnp.asarray(pts[sel], dtype=dtype)))
        return out

    def residual(self, points: np.ndarray) -> np.ndarray:
        """The equations' residuals at ``points`` (window by window)."""
        pts = np.asarray(points, dtype=float).reshape(-1, self.problem.dim)
        out = np.empty((len(pts), len(self.problem.residuals)))
        with jax.enable_x64(self.settings.float64):
            dtype = jnp.float64 if self.settings.float64 else jnp.float32
            ufs = self.window_fields()
            edges = np.array([w[0] for w in self.windows[1:]])
            which = np.searchsorted(edges, pts[:, 0], side="right") if self.problem.evolution else np.zeros(len(pts), int)
            for w, u in enumerate(ufs):
                idx = np.nonzero(which == w)[0]
                if len(idx):
                    fn = jax.jit(lambda Z, u=u: self.problem.pde_batch(u, Z, self.params))
                    out[idx] = np.asarray(fn(jnp.asarray(pts[idx], dtype=dtype)))
        return out


# ----------------------------------------------------------------- planning
def choose_windows(problem: Problem, params: Mapping[str, float], n: int = 256) -> int:
    """Time-marching windows from the model: ``ceil(T |F(u0)| / (2 pi |u0|))`` in [1, 16]."""
    model = problem.model
    if not problem.evolution or any(model.ic_for(f) is None for f in problem.fields):
        return 1
    # evaluated symbolically then with numpy: the initial state in place of each field
    subs = {model.function(f): model.ic_for(f).expr for f in problem.fields}
    syms = [sp.Symbol(v, real=True) for v in problem.variables] + [sp.Symbol(k, real=True) for k in params]
    F_exprs = [model.inline_lets(e.rhs).subs(subs).doit() for e in model.evolution_equations]
    U_exprs = [model.ic_for(e.field).expr for e in model.evolution_equations]
    z = sobol(n, problem.lo, problem.hi, seed=0)
    z[:, 0] = problem.lo[0]
    args = [z[:, k] for k in range(problem.dim)] + [np.full(n, float(v)) for v in params.values()]
    try:
        F = np.array([np.broadcast_to(sp.lambdify(syms, e, "numpy")(*args), (n,)) for e in F_exprs], float)
        U = np.array([np.broadcast_to(sp.lambdify(syms, e, "numpy")(*args), (n,)) for e in U_exprs], float)
    except (TypeError, ValueError, NameError):
        return 1
    rate = np.sqrt(np.mean(F**2)) / max(np.sqrt(np.mean(U**2)), 1e-12)
    T = problem.hi[0] - problem.lo[0]
    if not np.isfinite(rate):
        return 1
    return int(min(16, max(1, math.ceil(T * rate / (2 * math.pi) - 1e-9))))


def build_nets(problem: Problem, settings: PINNSettings, windows) -> list[PINNNet]:
    """One freshly initialised network per window (fixed seeds)."""
    boxes = []
    for w in range(len(windows)):
        lo, hi = list(problem.lo), list(problem.hi)
        if problem.evolution:
            lo[0], hi[0] = windows[w]
        boxes.append((tuple(lo), tuple(hi)))
    return make_nets(
        boxes, problem.periodic, len(problem.fields), width=settings.width, depth=settings.depth,
        seed=settings.seed, harmonics=settings.harmonics, fourier=settings.fourier, sigma=settings.fourier_sigma,
        init=settings.init,
        dtype=jnp.float64 if settings.float64 else jnp.float32,
    )


def _cast(tree, dtype):
    """``tree`` with its floating-point arrays in ``dtype``."""
    return jax.tree_util.tree_map(lambda a: a.astype(dtype) if eqx.is_inexact_array(a) else a, tree)


def _windows(problem: Problem, count: int) -> tuple[tuple[float, float], ...]:
    if not problem.evolution:
        return ((0.0, 1.0),)
    edges = np.linspace(problem.lo[0], problem.hi[0], count + 1)
    return tuple((float(a), float(b)) for a, b in zip(edges[:-1], edges[1:], strict=True))


def _unknowns(model: Model) -> dict[str, float]:
    return {p.name: (p.number if p.value is not None else 0.1) for p in model.params if not p.known}


# ------------------------------------------------------------------ training
def train(
    model: Model,
    settings: PINNSettings,
    *,
    observations: Observations | None = None,
    out_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    t_span: tuple[float, float] | None = None,
    stop_after: int | None = None,
    monitor: Callable[[PINNResult], float] | None = None,
    monitor_every: int = 500,
) -> PINNResult:
    """Train a PINN for ``model``; see the module docstring.

    ``stop_after``: stop after this many Adam steps in this call, write a checkpoint and
    raise :class:`TrainingStopped`; ``resume=True`` continues. ``monitor(partial result)``
    is called every ``monitor_every`` Adam steps (and L-BFGS iterations) of the last
    window; its values and the wall time go to ``result.trace`` (benchmarks: time to an
    error level).
    """
    with jax.enable_x64(settings.float64):
        trainer = _Trainer(model, settings, observations, out_dir, resume, progress, t_span)
        trainer.stop_after = stop_after
        trainer.monitor, trainer.monitor_every = monitor, monitor_every
        return trainer.run()


class _Trainer:
    def __init__(self, model, settings, observations, out_dir, resume, progress, t_span):
        self.model = model
        self.s = settings
        self.obs = observations
        self.out = Path(out_dir) if out_dir is not None else None
        self.resume = resume
        self.progress = progress
        self.problem = make_problem(model, t_span)
        self.unknown0 = _unknowns(model)
        if self.unknown0 and observations is None:
            raise SemanticModelError(
                f"parameter `{next(iter(self.unknown0))}` is unknown but no observations were given",
                model.param(next(iter(self.unknown0))).span, "pass an observations file with --data FILE",
            )
        self.known = {k: v for k, v in model.param_values().items() if k not in self.unknown0}
        self.plan = plan_constraints(self.problem, settings.hard, self.known | self.unknown0)
        n_win = settings.windows or choose_windows(self.problem, self.known | self.unknown0)
        self.windows = _windows(self.problem, n_win)
        self.dtype = jnp.float64 if settings.float64 else jnp.float32
        self.stop_after: int | None = None
        self.done = 0
        self.monitor: Callable[[PINNResult], float] | None = None
        self.monitor_every = 500
        self.trace: list[tuple[float, float]] = []
        self._residual_fns: dict = {}
        self.t_start = time.perf_counter()

    # ---------------------------------------------------------- points
    def _box(self, w: int) -> tuple[list[float], list[float]]:
        lo, hi = list(self.problem.lo), list(self.problem.hi)
        if self.problem.evolution:
            lo[0], hi[0] = self.windows[w]
        return lo, hi

    def _collocation(self, w: int, round_: int) -> np.ndarray:
        lo, hi = self._box(w)
        seed = self.s.seed * 1000003 + w * 7919 + round_
        if self.s.sampler == "uniform":
            return uniform(self.s.points, lo, hi, seed)
        return SAMPLERS[self.s.sampler](self.s.points, lo, hi, self.s.seed * 1000003 + w)

    def _boundary_sets(self, w: int):
        lo, hi = self._box(w)
        sets = []
        for k, bc in enumerate(self.plan.soft_bcs):
            j = self.problem.index(bc.axis)
            pts = sobol(self.s.boundary_points, lo, hi, seed=self.s.seed + 17 * k + 101 * w)
            pts[:, j] = lo[j] if bc.side == "lo" else hi[j]
            sets.append(jnp.asarray(pts, self.dtype))
        ic = None
        if self.plan.soft_ic:
            pts = sobol(self.s.boundary_points, lo, hi, seed=self.s.seed + 31 + 101 * w)
            pts[:, 0] = lo[0]
            ic = jnp.asarray(pts, self.dtype)
        return sets, ic

    # ---------------------------------------------------------- losses
    def _terms_fn(self, w: int, static, start: Field | None):
        problem, plan = self.problem, self.plan
        bc_sets, ic_pts = self._boundary_sets(w)
        tau0, _ = self.windows[w]
        fidx = {f: k for k, f in enumerate(problem.fields)}
        soft_ic = [fidx[f] for f in plan.soft_ic]
        ics = [problem.model.ic_for(f) for f in problem.fields]
        obs = None
        if self.obs is not None:
            pts, vals = self.obs.points, self.obs.values
            if problem.evolution:
                a, b = self.windows[w]
                last = w == len(self.windows) - 1
                keep = (pts[:, 0] >= a) & ((pts[:, 0] <= b) if last else (pts[:, 0] < b))
                pts, vals = pts[keep], vals[keep]
            if len(pts):
                mask = np.isfinite(vals)
                obs = (
                    jnp.asarray(pts, self.dtype), jnp.asarray(np.where(mask, vals, 0.0), self.dtype),
                    jnp.asarray(mask, self.dtype), [fidx[f] for f in self.obs.fields],
                )

        def terms(trainable, points, active):
            net = eqx.combine(trainable["net"], static)
            params = dict(self.known) | dict(trainable["theta"])
            u = window_solution(problem, plan, self.windows[w], net, start, params)
            r = problem.pde_batch(u, points, params)
            mask = (jnp.arange(points.shape[0]) < active).astype(points.dtype)
            out = {"pde": jnp.sum(mask[:, None] * r**2) / (active * r.shape[1])}
            if plan.soft_bcs:
                out["bc"] = sum(
                    jnp.mean(jax.vmap(lambda z, bc=bc: problem.bc(bc, u, z, params))(pts) ** 2)
                    for bc, pts in zip(plan.soft_bcs, bc_sets, strict=True)
                ) / len(plan.soft_bcs)
            if soft_ic:
                def ic_res(z):
                    val = u(z)
                    if start is not None:
                        target = start(z)
                        return jnp.stack([val[k] - target[k] for k in soft_ic])
                    return jnp.stack([val[k] - problem.expression(ics[k].expr, z, params) for k in soft_ic])

                out["ic"] = jnp.mean(jax.vmap(ic_res)(ic_pts) ** 2)
            if obs is not None:
                opts, ovals, omask, ocols = obs
                pred = jax.vmap(u)(opts)[:, jnp.asarray(ocols)]
                out["data"] = jnp.sum(omask * (pred - ovals) ** 2) / jnp.maximum(jnp.sum(omask), 1.0)
            return out

        del tau0
        return terms

    # ---------------------------------------------------------- run
    def run(self) -> PINNResult:
        s = self.s
        nets = build_nets(self.problem, s, self.windows)
        theta = {k: jnp.asarray(v, self.dtype) for k, v in self.unknown0.items()}
        history: list[dict[str, float]] = []
        start_w, start_step, phase = 0, 0, "adam"
        state = None
        t_start = self.t_start = time.perf_counter()
        ckpt = self.out / CHECKPOINT if self.out is not None else None
        if self.resume:
            if ckpt is None or not ckpt.exists():
                raise SemanticModelError(f"--resume: no checkpoint in {self.out}", None, "train once without --resume first")
            state = self._load(ckpt, nets, theta)
            nets, theta = state["nets"], state["theta"]
            start_w, start_step, phase = state["window"], state["step"], state["phase"]
            history = state["history"]
        total_adam = 0
        adam_time = 0.0
        for w in range(start_w, len(self.windows)):
            resumed = state if (state is not None and w == start_w) else None
            nets[w], theta, hist, n_adam, t_adam = self._train_window(
                w, nets, theta, resumed, start_step if resumed else 0, phase if resumed else "adam", history, ckpt
            )
            total_adam += n_adam
            adam_time += t_adam
        result = PINNResult(
            self.problem, self.plan, s, self.windows, nets, dict(self.known) | {k: float(v) for k, v in theta.items()},
            {k: float(v) for k, v in theta.items()}, history, time.perf_counter() - t_start,
            total_adam / adam_time if adam_time > 0 else 0.0,
        )
        result.trace = self.trace
        return result

    def _train_window(self, w, nets, theta, resumed, step0, phase, history, ckpt):
        s = self.s
        start = None
        if w > 0:
            prev = PINNResult(self.problem, self.plan, s, self.windows[:w], nets[:w], dict(self.known) | dict(theta), {})
            start = prev.window_fields()[-1]
        arrays, static = eqx.partition(nets[w], eqx.is_inexact_array)
        trainable = {"net": arrays, "theta": theta}
        terms = self._terms_fn(w, static, start)
        sched = optax.exponential_decay(s.lr, s.lr_decay_steps, s.lr_decay)
        opt = optax.adam(sched)
        opt_state = opt.init(trainable)
        names = list(jax.eval_shape(lambda tr: terms(tr, jnp.zeros((2, self.problem.dim), self.dtype), 2), trainable))
        weights = {k: jnp.asarray(1.0 if k != "data" else s.data_weight, self.dtype) for k in names}
        round_ = 0
        points = self._collocation(w, 0)
        active = len(points)
        if s.sampler == "rar-d":  # room for the added points: shapes stay fixed, no recompiles
            capacity = len(points) + self._rar_rounds() * s.rar_add
            points = np.concatenate([points, points[np.arange(capacity - len(points)) % len(points)]])
        if resumed is not None and "trainable" in resumed:
            trainable, opt_state, weights = resumed["trainable"], resumed["opt"], resumed["weights"]
            points, round_, active = resumed["points"], resumed["round"], resumed["active"]
        points = jnp.asarray(points, self.dtype)

        def loss_and_terms(tr, pts, act, wts):
            t = terms(tr, pts, act)
            return sum(wts[k] * t[k] for k in t), t

        def one(carry, _):
            tr, st, wts, pts, act = carry
            (loss, t), g = jax.value_and_grad(loss_and_terms, has_aux=True)(tr, pts, act, wts)
            upd, st = opt.update(g, st, tr)
            return (optax.apply_updates(tr, upd), st, wts, pts, act), (loss, t)

        @jax.jit
        def chunk(tr, st, wts, pts, act, dummy):
            (tr, st, *_), (loss, t) = jax.lax.scan(one, (tr, st, wts, pts, act), None, length=dummy.shape[0])
            return tr, st, loss, t

        @jax.jit
        def term_grads(tr, pts, act):
            return {k: jax.grad(lambda x, k=k: terms(x, pts, act)[k])(tr) for k in names}

        every = [s.resample_every, s.balance_every, s.checkpoint_every, 50]
        size = math.gcd(*[e for e in every if e > 0]) or 50
        size = max(1, min(size, 50))
        label = f"window {w + 1}/{len(self.windows)}" if len(self.windows) > 1 else "training"
        n_adam, t_adam = 0, 0.0
        step = step0
        if phase == "adam":
            with TrainingProgress(s.steps, label, self.progress) as bar:
                while step < s.steps:
                    n = min(size, s.steps - step)
                    t0 = time.perf_counter()
                    trainable, opt_state, loss, t = chunk(trainable, opt_state, weights, points, active, jnp.zeros((n,)))
                    loss = np.asarray(loss)
                    tn = {k: np.asarray(v) for k, v in t.items()}
                    dt = time.perf_counter() - t0
                    if step > step0:  # the first chunk includes compilation
                        n_adam += n
                        t_adam += dt
                    for i in range(n):
                        history.append({"step": float(len(history)), "window": float(w), "loss": float(loss[i])}
                                       | {k: float(v[i]) for k, v in tn.items()})
                    step += n
                    if not np.isfinite(loss[-1]):
                        raise SemanticModelError(
                            f"PINN training diverged (loss {loss[-1]}) at step {step} of window {w + 1}", None,
                            "lower --lr, use --float64, or check the model's scales",
                        )
                    bar.update(step, {k: float(v[-1]) for k, v in tn.items()}, n / dt if dt > 0 else None)
                    if s.balance_every and len(names) > 1 and step % s.balance_every == 0:
                        weights = annealed_weights(term_grads(trainable, points, active), weights, s.balance_alpha)
                    if s.resample_every and step % s.resample_every == 0 and step < s.steps:
                        round_ += 1
                        points, active = self._resample(w, round_, points, active, trainable, static, start)
                    self.done += n
                    self._observe(w, nets, trainable, static, step)
                    stop = self.stop_after is not None and self.done >= self.stop_after
                    if ckpt is not None and ((s.checkpoint_every and step % s.checkpoint_every == 0) or stop):
                        self._save(ckpt, nets, w, trainable, static, opt_state, weights, (points, active), round_, step, "adam", history)
                    if stop:
                        raise TrainingStopped(f"stopped after {self.done} steps (window {w + 1}, step {step})")
            phase = "lbfgs"
            if ckpt is not None:
                self._save(ckpt, nets, w, trainable, static, opt_state, weights, (points, active), round_, step, "lbfgs", history)
        if phase == "lbfgs" and s.lbfgs_steps > 0:
            wide = s.lbfgs_float64 and not s.float64
            with jax.enable_x64(True) if wide else contextlib.nullcontext():
                lb_dtype = jnp.float64 if wide else self.dtype
                wts, pts, act = _cast(weights, lb_dtype), jnp.asarray(points, lb_dtype), active

                def lb_loss(tr):
                    return loss_and_terms(tr, pts, act, wts)[0]

                def record(i, value, tr):
                    history.append({"step": float(len(history)), "window": float(w), "loss": value, "lbfgs": 1.0})
                    self._observe(w, nets, _cast(tr, self.dtype), static, i + 1)

                trainable, _ = lbfgs_minimise(lb_loss, _cast(trainable, lb_dtype), s.lbfgs_steps, on_step=record)
                trainable = _cast(trainable, self.dtype)
        net = eqx.combine(trainable["net"], static)
        nets = list(nets)
        nets[w] = net
        if ckpt is not None:
            self._save(ckpt, nets, w + 1, None, None, None, None, None, 0, 0, "adam", history, theta=trainable["theta"])
        return net, trainable["theta"], history, n_adam, t_adam

    def _observe(self, w, nets, trainable, static, step) -> None:
        if self.monitor is None or w != len(self.windows) - 1 or step % self.monitor_every:
            return
        current = list(nets[:w]) + [eqx.combine(trainable["net"], static)]
        params = dict(self.known) | {k: float(v) for k, v in trainable["theta"].items()}
        partial = PINNResult(self.problem, self.plan, self.s, self.windows, current, params, {})
        self.trace.append((time.perf_counter() - self.t_start, float(self.monitor(partial))))

    def _rar_rounds(self) -> int:
        s = self.s
        if not s.resample_every:
            return 0
        return int(min(8, math.ceil(s.points / max(s.rar_add, 1)), max(0, (s.steps - 1) // s.resample_every)))

    def _resample(self, w, round_, points, active, trainable, static, start):
        s = self.s
        if s.sampler == "uniform":
            return jnp.asarray(self._collocation(w, round_), self.dtype), active
        if s.sampler == "sobol" or active + s.rar_add > points.shape[0]:
            return points, active
        lo, hi = self._box(w)
        cand = uniform(s.rar_candidates, lo, hi, seed=s.seed * 31 + w * 977 + round_)
        key = (w, id(static))
        if key not in self._residual_fns:
            def residuals(tr, Z):
                net = eqx.combine(tr["net"], static)
                params = dict(self.known) | dict(tr["theta"])
                u = window_solution(self.problem, self.plan, self.windows[w], net, start, params)
                return self.problem.pde_batch(u, Z, params)

            self._residual_fns = {key: jax.jit(residuals)}  # one window at a time
        r = np.asarray(self._residual_fns[key](trainable, jnp.asarray(cand, self.dtype)))
        eps = np.sqrt(np.sum(r**2, axis=1))
        new = rar_d_select(cand, eps, s.rar_add, seed=s.seed + round_)
        points = points.at[active : active + len(new)].set(jnp.asarray(new, self.dtype))
        return points, active + len(new)

    # ---------------------------------------------------------- checkpoints
    def _save(self, path, nets, w, trainable, static, opt_state, weights, points, round_, step, phase, history, theta=None):
        nets = list(nets)
        if trainable is not None:
            nets[w] = eqx.combine(trainable["net"], static)
            theta = trainable["theta"]
        tree = {"nets": [eqx.filter(n, eqx.is_inexact_array) for n in nets], "theta": theta}
        if trainable is not None:
            tree |= {"opt": opt_state, "weights": weights}
        meta = {
            "window": w, "step": step, "phase": phase, "round": round_, "history": history,
            "has_opt": trainable is not None, "windows": [list(x) for x in self.windows],
            "points": np.asarray(points[0]).tolist() if points is not None else None,
            "active": int(points[1]) if points is not None else 0,
        }
        save_checkpoint(path, tree, meta)

    def _load(self, path, nets, theta):
        with np.load(path) as data:
            import json

            meta = json.loads(bytes(data["__meta__"]).decode())
        if [tuple(x) for x in meta["windows"]] != list(self.windows):
            raise SemanticModelError(f"--resume: the checkpoint in {path.parent} was made with other time windows", None)
        like = {"nets": [eqx.filter(n, eqx.is_inexact_array) for n in nets], "theta": theta}
        w = meta["window"]
        if meta["has_opt"]:
            arrays, static = eqx.partition(nets[w], eqx.is_inexact_array)
            tr = {"net": arrays, "theta": theta}
            opt = optax.adam(optax.exponential_decay(self.s.lr, self.s.lr_decay_steps, self.s.lr_decay))
            names = ["pde"] + (["bc"] if self.plan.soft_bcs else []) + (["ic"] if self.plan.soft_ic else [])
            names += ["data"] if self.obs is not None else []
            like |= {"opt": opt.init(tr), "weights": {k: jnp.asarray(1.0, self.dtype) for k in names}}
        tree, meta = load_checkpoint(path, like)
        out_nets = [eqx.combine(a, eqx.partition(n, eqx.is_inexact_array)[1]) for a, n in zip(tree["nets"], nets, strict=True)]
        state = {"nets": out_nets, "theta": tree["theta"], "window": w, "step": meta["step"], "phase": meta["phase"],
                 "history": meta["history"], "round": meta["round"]}
        if meta["has_opt"]:
            state |= {
                "trainable": {"net": eqx.filter(out_nets[w], eqx.is_inexact_array), "theta": tree["theta"]},
                "opt": tree["opt"], "weights": tree["weights"], "points": np.asarray(meta["points"]),
                "active": int(meta["active"]),
            }
        else:
            state["phase"] = "adam"
            state["step"] = 0
        return state
