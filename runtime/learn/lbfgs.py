"""An L-BFGS driver for training after Adam (Liu & Nocedal 1989), using optax's
``lbfgs`` with its zoom line search (More & Thuente 1994) on a pytree of arrays."""

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
    """Minimise ``loss(params)`` for ``steps`` iterations (``on_step(i, loss, params)``
    after each); returns the parameters and the
    loss after each iteration. Stops early on a non-finite loss (keeping the last good
    parameters) or when the line search can no longer decrease it."""
    import jax
    import numpy as np
    import optax

    opt = optax.lbfgs(memory_size=memory)
    state = opt.init(params)
    value_and_grad = optax.value_and_grad_from_state(loss)

    @jax.jit
    def step(params, state):
        value, grad = value_and_grad(params, state=state)
        updates, state = opt.update(grad, state, params, value=value, grad=grad, value_fn=loss)
        return optax.apply_updates(params, updates), state, value

    history: list[float] = []
    stalled = 0
    for i in range(steps):
        new_params, new_state, value = step(params, state)
        value = float(value)
        if not np.isfinite(value):
            break
        params, state = new_params, new_state
        if history and abs(history[-1] - value) <= 1e-14 * max(1.0, abs(value)):
            stalled += 1
            if stalled >= 10:
                history.append(value)
                break
        else:
            stalled = 0
        history.append(value)
        if on_step is not None:
            on_step(i, value, params)
    return params, history
