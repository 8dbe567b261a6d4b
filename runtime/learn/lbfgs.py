"""An L-BFGS driver for training after Adam (Liu & Nocedal 1989, Math. Prog. 45, 503):
scipy's L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995) on the host, fed by one jitted
``value_and_grad`` of the loss over the flattened parameter pytree — as Raissi et al.
(2019) did. Only the loss and its gradient are compiled (the same cost as an Adam
step), not a line search inside XLA, so start-up stays short on a small CPU."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["lbfgs_minimise"]


def lbfgs_minimise(
    loss: Callable[[Any], Any],
    params: Any,
    steps: int,
    on_step: Callable[[int, float, Any], None] | None = None,
    memory: int = 50,
) -> tuple[Any, list[float]]:
    """Minimise ``loss(params)`` for at most ``steps`` iterations (``on_step(i, loss,
    params)`` after each); returns the parameters and the loss after each iteration.
    A non-finite loss ends the run with the last good parameters."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    from jax.flatten_util import ravel_pytree
    from scipy.optimize import minimize

    flat0, unravel = ravel_pytree(params)
    dtype = flat0.dtype
    value_and_grad = jax.jit(jax.value_and_grad(lambda f: loss(unravel(f))))
    history: list[float] = []
    best = {"x": np.asarray(flat0, np.float64), "f": np.inf}

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        v, g = value_and_grad(jnp.asarray(x, dtype))
        v = float(v)
        if not np.isfinite(v):
            return np.inf, np.zeros_like(x)
        if v < best["f"]:
            best["x"], best["f"] = x.copy(), v
        return v, np.asarray(g, np.float64)

    def callback(intermediate_result) -> None:
        history.append(float(intermediate_result.fun))
        if on_step is not None:
            on_step(len(history) - 1, history[-1], unravel(jnp.asarray(intermediate_result.x, dtype)))

    if steps > 0:
        minimize(
            fun, np.asarray(flat0, np.float64), jac=True, method="L-BFGS-B", callback=callback,
            options={"maxiter": steps, "maxfun": 3 * steps, "maxcor": memory, "ftol": 0.0, "gtol": 0.0},
        )
    return unravel(jnp.asarray(best["x"], dtype)), history
