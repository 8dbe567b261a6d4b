"""The numba backend: renders the kernel IR (see its modules)."""
