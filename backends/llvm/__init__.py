"""The llvm backend: LLVM IR built with llvmlite from the kernel IR, JIT-compiled in
process or compiled ahead of time into a shared library with a C header.

Modules: :mod:`.emit_expr` (sympy -> LLVM instructions, one emitter per node type),
:mod:`.frame` (grid arguments, invariants, loop nests), :mod:`.codegen` (the module:
ghosts, right-hand side), :mod:`.steps` (fused Runge–Kutta steps, barrier),
:mod:`.machine` (target machine, O3 pipeline, JIT, disk cache, object files),
:mod:`.kernel` (the compiled kernel and its thread pool), :mod:`.aot` and :mod:`.loader`
(shared library, C header and ctypes loader for ``eqc compile``).
"""

from __future__ import annotations

from .kernel import CompiledKernel, compile_kernel
from .options import LLVMOptions

__all__ = ["compile_kernel", "CompiledKernel", "LLVMOptions", "write_standalone"]


def write_standalone(kernel, out_dir, **kwargs):
    """Write ``lib<name>.so``, ``<name>.h`` and ``<name>.py`` into ``out_dir`` (see :mod:`.aot`)."""
    from .aot import write_standalone as _write

    return _write(kernel, out_dir, **kwargs)
