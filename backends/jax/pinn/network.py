"""The PINN network: input scaling, an exact periodic embedding, optional random Fourier
features, and an MLP (equinox).

* Periodic axes enter only through ``cos(2 pi k (x - lo)/L), sin(...)``, ``k = 1..K``, so
  every output is exactly ``L``-periodic in that axis (Dong & Ni 2021, J. Comput. Phys.
  435, 110242, §2.1).
* Other inputs are scaled to ``[-1, 1]`` over the training window.
* Fourier features ``[cos(B v), sin(B v)]`` with a fixed Gaussian ``B`` of scale sigma
  (Tancik et al. 2020, NeurIPS; Wang, Wang & Perdikaris 2021, CMAME 384, 113938) are
  optional; ``B`` is a constant, never trained.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from . import taylor as tj
from .settings import INITS

__all__ = ["PINNNet", "make_nets"]


class PINNNet(eqx.Module):
    """``z -> (n_out,)`` for one point ``z`` of the box ``[lo, hi]``."""

    mlp: eqx.nn.MLP
    lo: tuple[float, ...] = eqx.field(static=True)
    hi: tuple[float, ...] = eqx.field(static=True)
    periodic: tuple[bool, ...] = eqx.field(static=True)
    harmonics: int = eqx.field(static=True)
    B: jax.Array | None

    def __init__(
        self,
        lo: tuple[float, ...],
        hi: tuple[float, ...],
        periodic: tuple[bool, ...],
        mlp: eqx.nn.MLP,
        B: jax.Array | None,
        harmonics: int = 1,
    ):
        self.lo, self.hi, self.periodic = tuple(lo), tuple(hi), tuple(periodic)
        self.harmonics = harmonics
        self.mlp = mlp
        self.B = B

    @staticmethod
    def input_size(periodic: tuple[bool, ...], harmonics: int) -> int:
        return sum(1 for p in periodic if not p) + 2 * harmonics * sum(periodic)

    def features(self, z: jax.Array) -> jax.Array:
        parts = []
        for k, (a, b, p) in enumerate(zip(self.lo, self.hi, self.periodic, strict=True)):
            if p:
                w = 2 * np.pi / (b - a)
                for m in range(1, self.harmonics + 1):
                    parts += [jnp.cos(m * w * (z[k] - a)), jnp.sin(m * w * (z[k] - a))]
            else:
                parts.append(2.0 * (z[k] - a) / (b - a) - 1.0)
        v = jnp.stack(parts)
        if self.B is not None:
            Bv = jax.lax.stop_gradient(self.B) @ v
            v = jnp.concatenate([jnp.cos(Bv), jnp.sin(Bv)])
        return v

    def __call__(self, z: jax.Array) -> jax.Array:
        return self.mlp(self.features(z))

    def jets(self, Z: jax.Array, keys: tuple[tuple[int, ...], ...]) -> tj.Jet:
        """The outputs and their input derivatives ``keys`` (a :func:`.taylor.closure`)
        over a batch ``Z`` (n, dim), in one Taylor-mode sweep: ``{key: (n, n_out)}``.
        The same function as :meth:`__call__` (the MLP's hidden activation is tanh,
        as :func:`make_nets` builds it; a test checks the two agree)."""
        n, dtype = Z.shape[0], Z.dtype
        parts: list[tj.Jet] = []
        for k, (a, b, p) in enumerate(zip(self.lo, self.hi, self.periodic, strict=True)):
            zk = tj.variable(Z, k, keys)
            if p:
                w = 2 * np.pi / (b - a)
                for m in range(1, self.harmonics + 1):
                    arg = tj.affine(zk, m * w, -m * w * a)
                    parts += [tj.apply(tj.COS, arg, keys), tj.apply(tj.SIN, arg, keys)]
            else:
                parts.append(tj.affine(zk, 2.0 / (b - a), -2.0 * a / (b - a) - 1.0))
        v = tj.columns(parts, n, dtype)
        if self.B is not None:
            Bv = tj.linear(v, jax.lax.stop_gradient(self.B))
            f = self.B.shape[0]
            v = tj.concat([tj.apply(tj.COS, Bv, keys), tj.apply(tj.SIN, Bv, keys)], (f, f), n, dtype)
        layers = self.mlp.layers
        for layer in layers[:-1]:
            v = tj.apply(tj.TANH, tj.linear(v, layer.weight, layer.bias), keys)
        return tj.linear(v, layers[-1].weight, layers[-1].bias)


def make_nets(
    boxes: list[tuple[tuple[float, ...], tuple[float, ...]]],
    periodic: tuple[bool, ...],
    n_out: int,
    *,
    width: int,
    depth: int,
    seed: int,
    harmonics: int = 1,
    fourier: int = 0,
    sigma: float = 1.0,
    init: str = "glorot",
    dtype=jnp.float32,
) -> list[PINNNet]:
    """One network per box, weights drawn with numpy into an MLP skeleton (eager JAX
    initialisation would compile every random draw separately, seconds of start-up on a
    busy CPU).

    ``init="glorot"``: Glorot-normal weights, std ``sqrt(2/(fan_in + fan_out))``, zero
    biases (Glorot & Bengio 2010; the usual choice for tanh PINNs, Raissi et al. 2019).
    ``"uniform"``: equinox's default, weights and biases uniform in ``+-1/sqrt(fan_in)``;
    its hidden weights are ~1.7x smaller, and Helmholtz (stdlib:helmholtz_2d, seed 1) then
    sat at rel. L2 ~1.5 for 2000 Adam steps where Glorot was at 1.3e-2."""
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    n_in = PINNNet.input_size(periodic, harmonics)
    size = 2 * fourier if fourier > 0 else n_in
    # the structure without computing anything, then numpy draws: no XLA compiles here
    skeleton = eqx.filter_eval_shape(
        lambda: eqx.nn.MLP(size, n_out, width, depth, activation=jnp.tanh, key=jax.random.PRNGKey(0), dtype=dtype)
    )
    rng = np.random.default_rng(seed)
    out = []
    for lo, hi in boxes:
        layers = []
        for layer in skeleton.layers:
            fan_out, fan_in = layer.weight.shape
            if init == "glorot":
                W = rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), layer.weight.shape)
                b = np.zeros(layer.bias.shape)
            else:
                bound = 1.0 / np.sqrt(fan_in)  # equinox's default Linear initialisation
                W = rng.uniform(-bound, bound, layer.weight.shape)
                b = rng.uniform(-bound, bound, layer.bias.shape)
            layers.append((W, b))
        mlp = eqx.tree_at(
            lambda m: [x for lyr in m.layers for x in (lyr.weight, lyr.bias)],
            skeleton,
            [jnp.asarray(a, dtype=dtype) for wb in layers for a in wb],
        )
        B = jnp.asarray(sigma * rng.standard_normal((fourier, n_in)), dtype=dtype) if fourier > 0 else None
        out.append(PINNNet(lo, hi, periodic, mlp, B, harmonics))
    return out
