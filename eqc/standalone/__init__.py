"""Standalone kernels for ``eqc compile``: modules that run a model's right-hand side and
time step without eqc installed (numba + numpy, or jax only). The LLVM target's shared
library, header and ctypes loader live in :mod:`eqc.backends.llvm.aot`."""

from __future__ import annotations

__all__ = ["TARGETS"]

# target name -> "module:function(kernel, info) -> source text"
TARGETS: dict[str, str] = {
    "numba": "eqc.standalone.numba_module:render",
    "jax": "eqc.standalone.jax_module:render",
}
