"""The framework-level parts that training loops share (PINN and neural operators):
atomic checkpoints, loss balancing, collocation samplers, an L-BFGS driver, progress.

Runtime imports no other eqc package. ``jax``/``optax`` are imported inside the functions
that need them, so importing this package stays light.
"""
