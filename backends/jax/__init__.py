"""The jax backend: the kernel IR as jitted JAX (a differentiable classical solver that
runs on a GPU when one is present), and the PINN residual of a model (``eqc.backends.jax.pinn``).

``compile_kernel(kernel, options) -> CompiledKernel`` follows docs/internals.md §5.
"""

from .kernel import CompiledKernel, compile_kernel

__all__ = ["CompiledKernel", "compile_kernel"]
