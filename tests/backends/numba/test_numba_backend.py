"""The numba backend: generated source, fused loops vs the Python steppers, ghost cells,
disk cache, no recompilation for new parameters or grids."""

from __future__ import annotations

import platform
import re

import numpy as np
import pytest
from eqc.backends.numba.compiled import _load
from eqc.runtime.cache import cache_dir
from eqc.runtime.steppers import TABLEAUS, make_stepper

import eqc

GS = """
model gs_small
domain x in [0, 2] periodic
domain y in [0, 3] periodic
param Du = 0.02
param Dv = 0.01
param F = 0.04
param k = 0.06
field u, v
dt(u) = Du*lap(u) - u*v^2 + F*(1 - u)
dt(v) = Dv*lap(v) + u*v^2 - (F + k)*v
init u = 1 - 0.5*exp(-((x - 1)^2 + (y - 1.5)^2)/0.1)
init v = 0.25*exp(-((x - 1)^2 + (y - 1.5)^2)/0.1) + 0.01*sin(2*pi*y/3)
"""

HEAT3 = """
model heat3
domain x in [0, 1] periodic
domain y in [0, 1] periodic
domain z in [0, 1] periodic
param D = 0.01
field u
dt(u) = D*lap(u) + 0.1*d(u, x)
init u = sin(2*pi*x)*cos(2*pi*y) + 0.3*sin(2*pi*z)
"""

BURGERS = """
model burg
domain x in [0, 2*pi] periodic
param nu = 0.05
field u
dt(u) = -u*d(u, x) + nu*d(u, x, 2)
init u = 0.5 + sin(x)
"""


def test_source_is_readable_and_self_contained():
    sim = eqc.compile(eqc.parse(GS), backend="numba", n=(12, 10))
    src = sim.compiled.source(TABLEAUS["rk4"])
    imports = {m.group(1) for m in re.finditer(r"^(?:from|import) (\w+)", src, re.M)}
    assert imports <= {"math", "numpy", "numba"}
    assert "gs_small" in src.splitlines()[0] and eqc.__version__ in src.splitlines()[0]
    assert "# dt(u) = Du*lap(u) - u*v^2 + F*(1 - u)" in src
    assert "prange" in src and "def advance(" in src and "def advance_kernel(" in src
    compile(src, "<generated>", "exec")


@pytest.mark.parametrize(
    "text,n,method",
    [
        (GS, (12, 10), "rk4"),
        (GS, (12, 10), "euler"),
        (HEAT3, (6, 5, 4), "ssprk3"),
        (BURGERS, 40, "rk4"),
    ],
    ids=["2d-rk4", "2d-euler", "3d-ssprk3", "1d-rk4"],
)
def test_fused_advance_matches_python_stepper(text, n, method):
    sim = eqc.compile(eqc.parse(text), backend="numba", n=n)
    vals = sim.params()
    dt = 1e-2
    y1 = sim.initial_state()
    y2 = y1.copy()
    adv = sim.compiled.advance(sim.grid, vals, TABLEAUS[method], dt)
    t = adv(y1, 0.0, 7)
    assert t == pytest.approx(7 * dt)
    st = make_stepper(method, sim.compiled.rhs(sim.grid, vals), y2.shape, dt, grid=sim.grid)
    st.advance(y2, 0.0, 7 * dt)
    inner = (slice(None), *sim.grid.interior)
    np.testing.assert_allclose(y1[inner], y2[inner], rtol=1e-12, atol=1e-13)
    # the fused loop leaves consistent periodic ghosts behind
    y1c = y1.copy()
    sim.compiled.rhs(sim.grid, vals)(0.0, y1c, np.zeros_like(y1))
    np.testing.assert_array_equal(y1c, y1)


def test_ghost_cells_of_boundary_conditions():
    text = """
model g
domain x in [0, 1]
param a = 2
field u
dt(u) = lap(u)
bc u = a*t at x = 0
bc d(u, x) = 3 at x = 1
init u = x
"""
    sim = eqc.compile(eqc.parse(text), backend="numba", n=10)
    y = sim.initial_state()
    out = np.zeros_like(y)
    sim.compiled.rhs(sim.grid, sim.params())(0.5, y, out)
    h, g = sim.grid.h[0], sim.grid.halo
    u = y[0]
    assert u[g - 1] == pytest.approx(2 * (2 * 0.5) - u[g])  # cell-centred Dirichlet: 2g - u0
    assert u[g + 10] == pytest.approx(u[g + 9] + 3 * h)  # Neumann on the hi side


def test_cache_on_disk_and_reuse():
    sim = eqc.compile(eqc.parse(BURGERS), backend="numba", n=32)
    src = sim.compiled.source()
    mod = sim.compiled.module()
    files = list(cache_dir("numba").glob("eqc_burg_*.py"))
    assert files and any(f.read_text() == src for f in files)
    assert _load(src, "burg") is mod  # same content, same module: nothing regenerated


def test_params_and_grid_do_not_recompile():
    sim = eqc.compile(eqc.parse(BURGERS), backend="numba", n=64)
    rk4 = TABLEAUS["rk4"]
    mod = sim.compiled.module(rk4)
    for n, nu in [(64, 0.05), (64, 0.1), (96, 0.02), (128, 0.07)]:
        s = sim.with_grid(n)
        s.run(t_end=0.01, dt=1e-3, method="rk4", params={"nu": nu}, progress=False)
    assert len(mod.advance_kernel_serial.signatures) == 1
    assert len(mod.rhs_serial.signatures) <= 1


def _x86_avx2() -> bool:
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    import llvmlite.binding as llvm

    return bool(llvm.get_host_cpu_features().get("avx2"))


@pytest.mark.skipif(not _x86_avx2(), reason="reads x86 assembly; LLVM's cost model for narrower vectors differs")
def test_a_sweep_over_many_fields_is_vectorised():
    """Twelve fields: 24 arrays that LLVM must prove apart at run time, more comparisons
    than its default limit allows (the loop then stays scalar); eqc raises the limit."""
    from eqc.backends.numba import compile_kernel
    from eqc.compiler.ir.kernel import KernelAxis, KernelIR
    from eqc.compiler.options import BackendOptions
    from eqc.compiler.rewrite import rewrite_kernel
    from eqc.compiler.rewrite.samples import reaction_network
    from eqc.runtime.grid import Grid

    f = 12
    outs, _ = reaction_network(f, 4 * f, seed=1)
    k = rewrite_kernel(KernelIR(name="net12", fields=tuple(f"c{i}" for i in range(f)), axes=(KernelAxis("x", True, 1),),
                                params=tuple(f"k{j}" for j in range(4 * f)), outputs=tuple(outs)))
    compiled = compile_kernel(k, BackendOptions(parallel=False, cache=False))
    grid = Grid(("x",), (0.0,), (1.0,), (64,), (True,), 1)
    rhs = compiled.rhs(grid, {f"k{j}": 1.0 for j in range(4 * f)})
    y = np.ones((f, *grid.padded_shape))
    rhs(0.0, y, np.zeros_like(y))
    sweep = compiled.module(grid=grid).sweep_serial
    asm = sweep.inspect_asm(sweep.signatures[0])
    packed = len(re.findall(r"\bv?(?:add|sub|mul)pd\b", asm))
    scalar = len(re.findall(r"\bv?(?:add|sub|mul)sd\b", asm))
    # vectorised: a packed body beside the scalar remainder loop; scalar only: no packed ops
    assert packed >= scalar / 2 > 0
