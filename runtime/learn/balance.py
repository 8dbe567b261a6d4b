"""Loss balancing by gradient statistics: learning-rate annealing of Wang, Teng &
Perdikaris (2021), "Understanding and mitigating gradient flow pathologies in
physics-informed neural networks", SIAM J. Sci. Comput. 43(5), A3055, Algorithm 1.

For the residual loss ``L_r`` and each other term ``L_i``::

    lambda_hat_i = max |grad L_r| / mean |grad L_i|
    lambda_i    <- (1 - alpha) * lambda_i + alpha * lambda_hat_i

evaluated every few hundred steps (alpha = 0.9 in the paper).
"""

from __future__ import annotations

from typing import Any

__all__ = ["annealed_weights"]


def annealed_weights(grads: dict[str, Any], weights: dict[str, Any], alpha: float, main: str = "pde") -> dict[str, Any]:
    """New weights from the per-term gradients (pytrees) and the current weights.

    ``main``'s weight stays 1; a term whose gradient vanishes keeps its weight.
    """
    import jax
    import jax.numpy as jnp

    def flat(g):
        leaves = [jnp.ravel(x) for x in jax.tree_util.tree_leaves(g)]
        return jnp.abs(jnp.concatenate(leaves)) if leaves else jnp.zeros((1,))

    gmax = jnp.max(flat(grads[main]))
    out = {}
    for name, w in weights.items():
        if name == main:
            out[name] = w
            continue
        mean = jnp.mean(flat(grads[name]))
        hat = jnp.where(mean > 0, gmax / jnp.where(mean > 0, mean, 1.0), w)
        out[name] = (1 - alpha) * w + alpha * hat
    return out
