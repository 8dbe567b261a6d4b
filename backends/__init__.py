"""Backends: one sub-package per target, each a renderer of the kernel IR.

The table is lazy so that ``import eqc`` imports neither numba, llvmlite nor jax. A
backend module exposes ``build(kernel: KernelIR, options) -> CompiledKernel``-like entry
points documented in its own package; adding a backend is one sub-package and one line
here.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["BACKENDS", "get_backend"]

BACKENDS: dict[str, str] = {
    "numba": "eqc.backends.numba",
    "llvm": "eqc.backends.llvm",
    "jax": "eqc.backends.jax",
}


def get_backend(name: str) -> ModuleType:
    """Import and return the backend package ``name`` (``numba``, ``llvm`` or ``jax``)."""
    try:
        path = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}") from None
    return importlib.import_module(path)
