"""The classical pipeline: discretise → rewrite (or CSE) → verify; results agree."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from eqc.compiler.ir.kernel import verify_kernel
from eqc.compiler.options import CompileOptions
from eqc.compiler.pipeline import lower_model

import eqc


def _evaluate(k, values):
    env = dict(values)
    for sym, e in (*k.invariants, *k.body):
        env[sym] = e.xreplace(env)
    return [float(e.xreplace(env)) for e in k.outputs]


@pytest.mark.parametrize("name", ["gray_scott", "burgers_1d", "navier_stokes_2d", "lorenz"])
def test_rewrite_and_cse_agree(name):
    m = eqc.load(f"stdlib:{name}")
    plain = lower_model(m, CompileOptions(rewrite=False))
    fancy = lower_model(m, CompileOptions(rewrite=True))
    verify_kernel(plain)
    verify_kernel(fancy)
    rng = np.random.default_rng(0)
    atoms = set()
    for k in (plain, fancy):
        for e in (*k.outputs, *(e for _, e in (*k.invariants, *k.body))):
            atoms |= {a for a in e.atoms(sp.Indexed)} | {s for s in e.free_symbols if not isinstance(s, sp.Indexed)}
    temps = set(plain.temporaries()) | set(fancy.temporaries())
    values = {a: sp.Float(rng.uniform(0.5, 1.5)) for a in atoms if a not in temps and not str(a).startswith("i_")}
    np.testing.assert_allclose(_evaluate(plain, values), _evaluate(fancy, values), rtol=1e-9)
