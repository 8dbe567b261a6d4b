"""The llvm backend: LLVM IR built with llvmlite from the kernel IR, JIT-compiled in
process or compiled ahead of time into a shared library with a C header.

Modules: :mod:`.emit_expr` (sympy -> LLVM instructions, one emitter per node type),
:mod:`.frame` (grid arguments, invariants, loop nests), :mod:`.codegen` (the module:
ghosts, right-hand side), :mod:`.steps` (fused Runge–Kutta steps, barrier),
:mod:`.machine` (target machine, O3 pipeline, JIT, disk cache, object files),
:mod:`.kernel` (the compiled kernel), :mod:`.prepared` (the threaded fused-step runner, and
a cached run's kernel loaded from its object file without sympy or the compiler),
:mod:`.aot` and :mod:`.loader` (shared library, C header and ctypes loader for ``eqc compile``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .kernel import CompiledKernel, compile_kernel
    from .options import LLVMOptions

__all__ = ["compile_kernel", "CompiledKernel", "LLVMOptions", "write_standalone"]

_LAZY = {"compile_kernel": ".kernel", "CompiledKernel": ".kernel", "LLVMOptions": ".options"}


def __getattr__(name: str):
    # lazy, so that :mod:`.prepared` (a cached run) loads without sympy and the compiler
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def write_standalone(kernel, out_dir, **kwargs):
    """Write ``lib<name>.so``, ``<name>.h`` and ``<name>.py`` into ``out_dir`` (see :mod:`.aot`)."""
    from .aot import write_standalone as _write

    return _write(kernel, out_dir, **kwargs)
