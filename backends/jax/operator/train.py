"""Training an FNO on pairs ``u(t0) -> u(t_k)``, optionally with the PINO physics loss.

The data loss is the mean over samples of the relative L2 error over the saved times (the
``LpLoss`` of Li et al. 2021); the physics loss is :func:`.pino.pino_loss` on the operator's
whole predicted time series, weighted by ``pino_weight``. Adam with decoupled weight decay
(``optax.adamw``; Loshchilov & Hutter 2019) and a cosine or step learning-rate schedule, as
in the reference FNO training (Adam, lr 1e-3, weight decay 1e-4, halved every 100 epochs).
Minibatches come from a permutation per epoch seeded by ``(seed, epoch)``, so a run resumed
from a checkpoint sees exactly the batches it would have seen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from .artifact import read_framed, write_framed
from .fno import FNO, FNOConfig, unit_coords
from .pino import Residual, pino_loss

__all__ = ["TrainOptions", "train_fno", "relative_l2"]


@dataclass(frozen=True, slots=True)
class TrainOptions:
    """Optimisation settings (defaults follow the FNO paper's Burgers runs)."""

    steps: int = 5000
    batch: int = 20
    lr: float = 1e-3
    weight_decay: float = 1e-4
    schedule: str = "cosine"  # "cosine" or "step" (halve every step_every steps)
    step_every: int = 1000
    pino_weight: float = 0.0
    pino_skip: int = 1
    seed: int = 0
    checkpoint_every: int = 250

    def __post_init__(self) -> None:
        if self.schedule not in ("cosine", "step"):
            raise ValueError(f"schedule must be 'cosine' or 'step', got {self.schedule!r}")
        if self.steps < 1 or self.batch < 1 or self.lr <= 0:
            raise ValueError("steps, batch and lr must be positive")


def _schedule(o: TrainOptions) -> optax.Schedule:
    if o.schedule == "cosine":
        return optax.cosine_decay_schedule(o.lr, o.steps)
    return optax.exponential_decay(o.lr, o.step_every, 0.5, staircase=True)


def relative_l2(pred: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Per-sample ``|pred - true|_2 / |true|_2`` (first axis is the sample)."""
    p = np.asarray(pred, dtype=np.float64).reshape(len(pred), -1)
    t = np.asarray(true, dtype=np.float64).reshape(len(true), -1)
    return np.linalg.norm(p - t, axis=1) / np.linalg.norm(t, axis=1)


def train_fno(
    config: FNOConfig,
    x: np.ndarray,
    y: np.ndarray,
    data_slices: Sequence[int],
    times: np.ndarray,
    options: TrainOptions,
    *,
    residual: Residual | None = None,
    checkpoint: str | os.PathLike | None = None,
    resume: bool = False,
    callback: Callable[[int, float], None] | None = None,
) -> tuple[FNO, list[float]]:
    """Train an FNO mapping ``x`` ``(N, F, *grid)`` to ``K`` output slices of ``F`` fields.

    ``y`` ``(N, S, F, *grid)`` holds the data at output slices ``data_slices`` (indices into
    ``times[1:]``, the ``K`` output times; ``times[0]`` is the input time). Returns the net
    and the loss per step. With ``checkpoint``, the state is written there atomically every
    ``checkpoint_every`` steps and at the end; ``resume`` continues from it.
    """
    o = options
    n, nf = x.shape[:2]
    k = config.out_channels // nf
    idx = jnp.asarray(list(data_slices))
    times_j = jnp.asarray(times, dtype=jnp.float32)
    coords = unit_coords(x.shape[2:])
    optim = optax.adamw(_schedule(o), weight_decay=o.weight_decay)
    net = FNO(config, key=jax.random.PRNGKey(o.seed))
    opt_state = optim.init(eqx.filter(net, eqx.is_inexact_array))
    step0, history = 0, []
    if resume and checkpoint is not None and os.path.exists(checkpoint):
        header, stream = read_framed(checkpoint)
        if header.get("config") != config.to_json() or header.get("options") != asdict(o):
            raise ValueError(f"checkpoint {checkpoint} was written with other settings; remove it or drop --resume")
        net, opt_state = eqx.tree_deserialise_leaves(stream, (net, opt_state))
        step0, history = int(header["step"]), list(header["history"])

    def loss_fn(net, xb, yb):
        out = jax.vmap(lambda a: net(a, coords))(xb)
        out = out.reshape(xb.shape[0], k, nf, *xb.shape[2:])
        pred = out[:, idx]
        err = jnp.sqrt(jnp.sum((pred - yb) ** 2, axis=tuple(range(1, pred.ndim))))
        loss = jnp.mean(err / jnp.sqrt(jnp.sum(yb**2, axis=tuple(range(1, yb.ndim)))))
        if residual is not None and o.pino_weight > 0:
            phys = jax.vmap(lambda a, s: pino_loss(residual, a, s, times_j, o.pino_skip))(xb, out)
            loss = loss + o.pino_weight * jnp.mean(phys)
        return loss

    @eqx.filter_jit
    def step(net, opt_state, xb, yb):
        loss, grads = eqx.filter_value_and_grad(loss_fn)(net, xb, yb)
        updates, opt_state = optim.update(grads, opt_state, eqx.filter(net, eqx.is_inexact_array))
        return eqx.apply_updates(net, updates), opt_state, loss

    def save(s: int) -> None:
        if checkpoint is not None:
            header = {"config": config.to_json(), "options": asdict(o), "step": s, "history": history}
            write_framed(checkpoint, header, (net, opt_state))

    b = min(o.batch, n)
    per_epoch = n // b
    xj, yj = jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32)
    perm, perm_epoch = None, -1
    for s in range(step0, o.steps):
        epoch, pos = divmod(s, per_epoch)
        if epoch != perm_epoch:
            perm = jnp.asarray(np.random.default_rng([o.seed, epoch]).permutation(n))
            perm_epoch = epoch
        sel = perm[pos * b : (pos + 1) * b]
        net, opt_state, loss = step(net, opt_state, xj[sel], yj[sel])
        history.append(float(loss))
        if callback:
            callback(s + 1, history[-1])
        if (s + 1) % o.checkpoint_every == 0:
            save(s + 1)
    save(o.steps)
    return net, history


def predict(net: FNO, x: np.ndarray, k: int, batch: int = 50) -> np.ndarray:
    """``(N, F, *grid)`` -> ``(N, K, F, *grid)`` in batches (jitted per grid shape)."""
    coords = unit_coords(x.shape[2:])

    @eqx.filter_jit
    def apply(net, xb):
        out = jax.vmap(lambda a: net(a, coords))(xb)
        return out.reshape(xb.shape[0], k, xb.shape[1], *xb.shape[2:])

    parts = [np.asarray(apply(net, jnp.asarray(x[i : i + batch], jnp.float32))) for i in range(0, len(x), batch)]
    return np.concatenate(parts, axis=0)
