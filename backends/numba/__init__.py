"""The numba backend: renders the kernel IR as a readable Python module that numba
compiles (``emit``), cached on disk by content (``compiled``).

``compile_kernel(kernel, options) -> NumbaKernel`` is the backend interface of
docs/internals.md §5. Importing this package does not import numba; compiling does.
"""

from __future__ import annotations

from eqc.compiler.ir.kernel import KernelIR, verify_kernel
from eqc.compiler.options import BackendOptions

from .compiled import NumbaKernel

__all__ = ["compile_kernel", "NumbaKernel"]


def compile_kernel(kernel: KernelIR, options: BackendOptions | None = None) -> NumbaKernel:
    """A :class:`NumbaKernel` for ``kernel``; code is generated and JIT-compiled lazily,
    on the first ``rhs``/``advance`` call for a grid."""
    return NumbaKernel(verify_kernel(kernel), options or BackendOptions())
