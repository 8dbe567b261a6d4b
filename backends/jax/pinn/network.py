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

__all__ = ["PINNNet"]


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
        n_out: int,
        *,
        width: int,
        depth: int,
        key: jax.Array,
        harmonics: int = 1,
        fourier: int = 0,
        sigma: float = 1.0,
        dtype=jnp.float32,
    ):
        self.lo, self.hi, self.periodic = tuple(lo), tuple(hi), tuple(periodic)
        self.harmonics = harmonics
        n_plain = sum(1 for p in periodic if not p)
        n_in = n_plain + 2 * harmonics * sum(periodic)
        kb, km = jax.random.split(key)
        if fourier > 0:
            self.B = sigma * jax.random.normal(kb, (fourier, n_in), dtype=dtype)
            n_in = 2 * fourier
        else:
            self.B = None
        self.mlp = eqx.nn.MLP(n_in, n_out, width, depth, activation=jnp.tanh, key=km, dtype=dtype)

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
