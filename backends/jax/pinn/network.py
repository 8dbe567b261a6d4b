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
    dtype=jnp.float32,
) -> list[PINNNet]:
    """One network per box, initialised under one ``jit`` (eager initialisation would
    compile every random draw separately)."""
    n_in = PINNNet.input_size(periodic, harmonics)

    def init(key):
        kb, km = jax.random.split(key)
        B = sigma * jax.random.normal(kb, (fourier, n_in), dtype=dtype) if fourier > 0 else None
        size = 2 * fourier if fourier > 0 else n_in
        return eqx.nn.MLP(size, n_out, width, depth, activation=jnp.tanh, key=km, dtype=dtype), B

    keys = jax.random.split(jax.random.PRNGKey(seed), len(boxes))
    parts = eqx.filter_jit(eqx.filter_vmap(init))(keys)
    out = []
    for k, (lo, hi) in enumerate(boxes):
        mlp, B = jax.tree_util.tree_map(lambda a, k=k: a[k] if eqx.is_array(a) else a, parts)
        out.append(PINNNet(lo, hi, periodic, mlp, B, harmonics))
    return out
