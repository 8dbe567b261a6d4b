"""The JAX classical right-hand side against independent numpy evaluations of hand-built
kernel IR, its fused Runge–Kutta loop against exact solutions, and (once the discretiser
and the numba backend exist) against numba on every stdlib evolution model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp
from eqc.backends.jax import compile_kernel
from eqc.compiler.ir.kernel import GhostRule, KernelAxis, KernelIR, access
from eqc.compiler.ir.symbols import TIME, coord, param, spacing
from eqc.runtime.grid import Grid


@dataclass(frozen=True)
class Tableau:
    a: tuple
    b: tuple
    c: tuple


RK4 = Tableau(((0, 0, 0, 0), (0.5, 0, 0, 0), (0, 0.5, 0, 0), (0, 0, 1, 0)), (1 / 6, 1 / 3, 1 / 3, 1 / 6), (0, 0.5, 0.5, 1))


def heat_dirichlet_kernel() -> KernelIR:
    """u_t = D u_xx on [0, 1], u(0) = 0, u(1) = sin(t) (cell-centred mirror ghosts)."""
    ax = ("x",)
    h = spacing("x")
    D = param("D")
    u = lambda o: access("u", (o,), ax)  # noqa: E731
    tmp = sp.Symbol("tmp0", real=True)
    inv = sp.Symbol("inv0", real=True)
    return KernelIR(
        name="heat",
        fields=("u",),
        axes=(KernelAxis("x", False, 1),),
        params=("D",),
        invariants=((inv, D / h**2),),
        body=((tmp, u(-1) - 2 * u(0) + u(1)),),
        outputs=(inv * tmp,),
        ghosts=(
            GhostRule("u", "x", "lo", 1, -u(0), "dirichlet"),
            GhostRule("u", "x", "hi", 1, 2 * sp.sin(TIME) - u(0), "dirichlet"),
        ),
    )


def numpy_heat(t, u_int, D, h):
    p = np.empty(len(u_int) + 2)
    p[1:-1] = u_int
    p[0] = -u_int[0]
    p[-1] = 2 * np.sin(t) - u_int[-1]
    return D * (p[:-2] - 2 * p[1:-1] + p[2:]) / h**2


def advdiff_2d_kernel() -> KernelIR:
    """u_t = -c u_x + nu lap u + sin(x) cos(y) t on a periodic box, 4th-order-wide stencil."""
    ax = ("x", "y")
    hx, hy = spacing("x"), spacing("y")
    c, nu = param("c"), param("nu")

    def u(i, j):
        return access("u", (i, j), ax)

    lap = (u(-1, 0) - 2 * u(0, 0) + u(1, 0)) / hx**2 + (u(0, -1) - 2 * u(0, 0) + u(0, 1)) / hy**2
    dx = (-u(2, 0) + 8 * u(1, 0) - 8 * u(-1, 0) + u(-2, 0)) / (12 * hx)
    src = sp.sin(coord("x")) * sp.cos(coord("y")) * TIME
    return KernelIR(
        name="advdiff",
        fields=("u",),
        axes=(KernelAxis("x", True, 2), KernelAxis("y", True, 2)),
        params=("c", "nu"),
        outputs=(-c * dx + nu * lap + src,),
    )


def numpy_advdiff(t, u, c, nu, grid):
    hx, hy = grid.h
    r = lambda a, s, k: np.roll(a, -s, axis=k)  # noqa: E731  value at i+s
    lap = (r(u, -1, 0) - 2 * u + r(u, 1, 0)) / hx**2 + (r(u, -1, 1) - 2 * u + r(u, 1, 1)) / hy**2
    dx = (-r(u, 2, 0) + 8 * r(u, 1, 0) - 8 * r(u, -1, 0) + r(u, -2, 0)) / (12 * hx)
    X, Y = grid.mesh()
    return -c * dx + nu * lap + np.sin(X) * np.cos(Y) * t


def test_heat_rhs_matches_numpy_and_fills_ghosts() -> None:
    k = compile_kernel(heat_dirichlet_kernel())
    grid = Grid(("x",), (0.0,), (1.0,), (17,), (False,), halo=1)
    rng = np.random.default_rng(0)
    y = np.zeros((1, 19))
    y[0, 1:-1] = rng.standard_normal(17)
    out = np.full_like(y, np.nan)
    k.rhs(grid, {"D": 0.3})(0.7, y, out)
    ref = numpy_heat(0.7, y[0, 1:-1], 0.3, grid.h[0])
    np.testing.assert_allclose(out[0, 1:-1], ref, rtol=1e-12, atol=1e-10)
    assert y[0, 0] == pytest.approx(-y[0, 1])
    assert y[0, -1] == pytest.approx(2 * np.sin(0.7) - y[0, -2])


def test_periodic_2d_rhs_matches_numpy() -> None:
    k = compile_kernel(advdiff_2d_kernel())
    grid = Grid(("x", "y"), (0.0, 0.0), (2 * np.pi, 2 * np.pi), (12, 10), (True, True), halo=2)
    rng = np.random.default_rng(1)
    y = np.zeros((1, *grid.padded_shape))
    u = rng.standard_normal(grid.shape)
    y[(0, *grid.interior)] = u
    out = np.zeros_like(y)
    k.rhs(grid, {"c": 1.5, "nu": 0.1})(0.3, y, out)
    ref = numpy_advdiff(0.3, u, 1.5, 0.1, grid)
    np.testing.assert_allclose(out[(0, *grid.interior)], ref, rtol=1e-12, atol=1e-10)
    # ghosts are periodic copies
    np.testing.assert_array_equal(y[0, :2, 2:-2], u[-2:, :])


def test_rk4_advance_converges_at_fourth_order_on_an_ode() -> None:
    """y' = -k y + t, an ODE kernel (no axes): exact y = (y0 + 1/k^2) e^{-kt} + t/k - 1/k^2."""
    kk = param("k")
    ode = KernelIR(name="ode", fields=("y",), axes=(), params=("k",), outputs=(-kk * access("y", (), ()) + TIME,))
    ck = compile_kernel(ode)
    grid = Grid()
    exact = (1.0 + 1 / 4) * np.exp(-2.0) + 1 / 2 - 1 / 4
    errs = []
    for n in (10, 20):
        adv = ck.advance(grid, {"k": 2.0}, RK4, 1.0 / n)
        y = np.array([1.0])
        t = adv(y, 0.0, n)
        assert t == pytest.approx(1.0)
        errs.append(abs(y[0] - exact))
    assert 14 < errs[0] / errs[1] < 18


def test_advance_heat_decays_a_sine_mode() -> None:
    """u(0)=u(1)=0 (replace the sin(t) side by 0), a sine mode decays as exp(-D pi^2 t)."""
    kern = heat_dirichlet_kernel()
    ghosts = (kern.ghosts[0], GhostRule("u", "x", "hi", 1, -access("u", (0,), ("x",)), "dirichlet"))
    from dataclasses import replace

    ck = compile_kernel(replace(kern, ghosts=ghosts))
    grid = Grid(("x",), (0.0,), (1.0,), (64,), (False,), halo=1)
    x = grid.coords("x")
    y = np.zeros((1, 66))
    y[0, 1:-1] = np.sin(np.pi * x)
    adv = ck.advance(grid, {"D": 0.1}, RK4, 1e-4)
    adv(y, 0.0, 1000)
    exact = np.exp(-0.1 * np.pi**2 * 0.1) * np.sin(np.pi * x)
    assert np.max(np.abs(y[0, 1:-1] - exact)) < 5e-4


def test_rhs_is_differentiable_in_the_parameters() -> None:
    import jax
    import jax.numpy as jnp

    ck = compile_kernel(heat_dirichlet_kernel())
    grid = Grid(("x",), (0.0,), (1.0,), (8,), (False,), halo=1)
    f = ck.function(grid)
    y = np.zeros((1, 10))
    y[0, 1:-1] = np.linspace(0, 1, 8)
    with jax.enable_x64(True):
        g = jax.grad(lambda D: jnp.sum(f(0.0, jnp.asarray(y), jnp.array([D]))))(0.5)
        val = jnp.sum(f(0.0, jnp.asarray(y), jnp.array([1.0])))
    assert float(g) == pytest.approx(float(val), rel=1e-12)


def _stdlib_evolution_models():
    try:
        from eqc.frontend.loader import load, stdlib_names
    except Exception:
        return []
    out = []
    for name in stdlib_names():
        try:
            m = load(f"stdlib:{name}")
        except Exception:
            continue
        if m.kind == "evolution":
            out.append(name)
    return out


@pytest.mark.parametrize("name", _stdlib_evolution_models() or ["<none>"])
def test_jax_rhs_equals_numba_on_stdlib(name: str) -> None:
    try:
        from eqc.backends.numba import compile_kernel as numba_compile
        from eqc.compiler.pipeline import lower_model
        from eqc.frontend.loader import load
    except ImportError:
        pytest.skip("the discretiser or the numba backend is not there yet")
    if name == "<none>":
        pytest.skip("no stdlib evolution models yet")
    model = load(f"stdlib:{name}")
    kernel = lower_model(model)
    n = tuple(min(a.points or 32, 32) for a in model.axes)
    grid = Grid(
        tuple(a.name for a in model.axes), tuple(float(a.lo) for a in model.axes),
        tuple(float(a.hi) for a in model.axes), n, tuple(a.periodic for a in model.axes), halo=kernel.halo,
    )
    rng = np.random.default_rng(2)
    y = rng.standard_normal((len(kernel.fields), *grid.padded_shape)) * 0.1 + 0.5
    params = model.param_values()
    out_j = np.zeros_like(y)
    out_n = np.zeros_like(y)
    y_j, y_n = y.copy(), y.copy()
    compile_kernel(kernel).rhs(grid, params)(0.25, y_j, out_j)
    numba_compile(kernel, None).rhs(grid, params)(0.25, y_n, out_n)
    for k, f in enumerate(kernel.fields):
        if f in kernel.evolved:
            np.testing.assert_allclose(out_j[(k, *grid.interior)], out_n[(k, *grid.interior)], rtol=1e-10, atol=1e-10)
