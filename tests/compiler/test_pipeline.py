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


def test_a_cost_table_reaches_the_rewriter():
    # additions three times dearer: the same Gray-Scott kernel costs more cycles, and the
    # counts in the rewrite summary are priced with the table given
    from eqc.compiler.rewrite import CostTable

    model = eqc.load("stdlib:gray_scott")
    plain = dict(lower_model(model, CompileOptions()).meta)["rewrite"]
    dear = dict(lower_model(model, CompileOptions(cost=CostTable(add=3.0))).meta)["rewrite"]
    before_plain, before_dear = (float(s.split(" -> ")[0]) for s in (plain, dear))
    adds = int(plain.split("(add ")[1].split(",")[0])
    assert before_dear == before_plain + 2 * adds


def test_eqc_compile_takes_the_backend_cost_table(monkeypatch):
    import eqc.backends.numba as target
    from eqc.compiler.rewrite import CostTable

    monkeypatch.setattr(target, "COST_TABLE", CostTable(add=3.0), raising=False)
    sim = eqc.compile(eqc.load("stdlib:heat_1d"), backend="numba")
    assert sim.options.cost == CostTable(add=3.0)
    monkeypatch.delattr(target, "COST_TABLE")
    assert eqc.compile(eqc.load("stdlib:heat_1d"), backend="numba").options.cost is None
