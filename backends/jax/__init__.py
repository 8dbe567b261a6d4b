"""The jax backend: renders the kernel IR (see its modules)."""
