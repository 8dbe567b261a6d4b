"""Every kind of program the rewriter keeps for a reaction network compiles and runs on
the classical backends, and gives the network's right-hand side (evaluated by NumPy from
the original expressions)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from eqc.compiler.ir.kernel import KernelAxis, KernelIR
from eqc.compiler.options import BackendOptions
from eqc.compiler.rewrite import rewrite_kernel
from eqc.compiler.rewrite.samples import reaction_network
from eqc.runtime.grid import Grid

SPECIES, REACTIONS = 10, 24


def _kernel(seed: int = 0, **kw) -> tuple[KernelIR, list[sp.Expr]]:
    outs, _ = reaction_network(SPECIES, REACTIONS, seed=seed, **kw)
    params = sorted({str(s) for o in outs for s in o.free_symbols if str(s).startswith("k")})
    k = KernelIR("net", tuple(f"c{i}" for i in range(SPECIES)), (KernelAxis("x", True, 1),), tuple(params),
                 tuple(outs))
    return k, outs


def _compile(backend: str, kernel: KernelIR):
    if backend == "llvm":
        from eqc.backends.llvm import LLVMOptions, compile_kernel

        return compile_kernel(kernel, LLVMOptions(threads=1, cache=False))
    from eqc.backends.numba import compile_kernel

    return compile_kernel(kernel, BackendOptions(parallel=False, cache=False))


@pytest.mark.parametrize("backend", ["llvm", "numba"])
@pytest.mark.parametrize(("variant", "kept"), [({}, "monomial"), ({"reversible": True}, "rates"),
                                               ({"constants": 3}, "rates-cse"),
                                               ({"constants": 5, "seed": 1}, "sympy-cse")])
def test_each_kept_program_runs_on_the_backend(backend, variant, kept):
    k, outs = _kernel(**variant)
    rk = rewrite_kernel(k)
    assert f"kept the {kept} program" in dict(rk.meta)["rewrite"]
    grid = Grid(("x",), (0.0,), (1.0,), (29,), (True,), 1)
    rng = np.random.default_rng(3)
    params = {p: float(rng.uniform(0.1, 1.0)) for p in k.params}
    y = rng.uniform(0.5, 1.5, size=(SPECIES, *grid.padded_shape))
    out = np.zeros_like(y)
    _compile(backend, rk).rhs(grid, params)(0.0, y, out)
    inner = grid.interior
    for i, o in enumerate(outs):
        accs = sorted(o.atoms(sp.Indexed), key=str)
        dummies = [sp.Symbol(f"_a{j}") for j in range(len(accs))]
        o = o.xreplace(dict(zip(accs, dummies, strict=True))).xreplace({s: params[s.name] for s in o.free_symbols if s.name in params})
        f = sp.lambdify(dummies, o, "numpy")
        want = f(*(y[(int(str(a.base.label)[1:]), *inner)] for a in accs))
        np.testing.assert_allclose(out[(i, *inner)], want, rtol=1e-12, atol=1e-12)
