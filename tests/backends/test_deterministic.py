"""Generated code is a function of the model alone: the same text in every process.

The disk caches of both backends are keyed by a hash of the generated text (LLVM IR, numba
source). Text that depended on Python's per-process string hashing (set order) missed the
cache on every run: each `eqc run` recompiled, and the cache directory grew without bound.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import hashlib
import eqc
from eqc.backends.llvm.codegen import ModuleBuilder
from eqc.backends.llvm.options import SAFE_FASTMATH
from eqc.backends.llvm.steps import RK4
from eqc.backends.numba.emit import emit_module
from eqc.compiler.options import BackendOptions, CompileOptions
from eqc.compiler.pipeline import lower_model

for name in ("gray_scott", "brusselator", "navier_stokes_2d", "kuramoto_sivashinsky"):
    k = lower_model(eqc.load("stdlib:" + name), CompileOptions(rewrite=False))
    mb = ModuleBuilder(k, SAFE_FASTMATH, with_rhs=False, pad=k.halo)
    if not (k.steady or k.constraints):
        mb.add_method(RK4)
    src = emit_module(k, BackendOptions(), None)[0]
    print(name, hashlib.sha256(str(mb.module).encode()).hexdigest(), hashlib.sha256(src.encode()).hexdigest())
"""


def _digests(seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.slow
def test_generated_code_does_not_depend_on_the_hash_seed():
    first = _digests("1")
    assert first.count("\n") == 4
    assert _digests("2") == first
