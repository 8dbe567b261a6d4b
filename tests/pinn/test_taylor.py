"""Batched Taylor-mode derivatives (backends/jax/pinn/taylor.py) against sympy's exact
derivatives, and the trainer's batched residual against the per-point nested-jvp one."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp
from eqc.backends.jax.pinn import taylor as tj
from eqc.backends.jax.pinn.ansatz import plan_constraints, window_solution
from eqc.backends.jax.pinn.network import make_nets
from eqc.backends.jax.pinn.residual import make_problem

import eqc

X, Y = sp.symbols("x y", real=True)
SYMS = (X, Y)


def _exact(expr, key, pts):
    d = sp.diff(expr, *[SYMS[i] for i in key]) if key else expr
    f = sp.lambdify(SYMS, d, "numpy")
    return np.broadcast_to(np.asarray(f(pts[:, 0], pts[:, 1]), dtype=float), (len(pts),))


@pytest.fixture(scope="module")
def pts():
    return np.random.default_rng(0).uniform(-1.0, 1.0, (7, 2))


def test_closure_holds_every_sub_multiset():
    assert tj.closure([(1, 1), (0,)]) == ((), (0,), (1,), (1, 1))
    assert tj.closure([(1, 0, 1)]) == ((), (0,), (1,), (0, 1), (1, 1), (0, 1, 1))


@pytest.mark.parametrize(
    "keys",
    [[(0, 0, 0, 0)], [(0, 1, 1)], [(0, 0, 1, 1)], [(1, 1), (0,)]],
    ids=["d4x", "dxdy2", "dx2dy2", "burgers"],
)
def test_products_and_functions_match_sympy(pts, keys):
    """tanh(x*y + sin(x)) * cos(2y - x) + x^2: the Leibniz rule, Faà di Bruno with mixed
    partitions, and constant and zero components, up to fourth order."""
    expr = sp.tanh(X * Y + sp.sin(X)) * sp.cos(2 * Y - X) + X**2
    keys = tj.closure(keys)
    with jax.enable_x64(True):
        Z = jnp.asarray(pts)
        x, y = tj.variable(Z, 0, keys), tj.variable(Z, 1, keys)
        inner = tj.add(tj.mul(x, y, keys), tj.apply(tj.SIN, x, keys))
        arg = tj.add(tj.affine(y, 2.0), tj.affine(x, -1.0))
        jet = tj.add(tj.mul(tj.apply(tj.TANH, inner, keys), tj.apply(tj.COS, arg, keys), keys), tj.mul(x, x, keys))
        for key in keys:
            got = np.broadcast_to(np.asarray(jet.get(key, 0.0)), (len(pts),))
            np.testing.assert_allclose(got, _exact(expr, key, pts), rtol=1e-12, atol=1e-12, err_msg=str(key))


def test_a_missing_component_is_exactly_zero(pts):
    """A scaled input has no second derivative: the jet leaves it out, not a zero array."""
    keys = tj.closure([(0, 0)])
    with jax.enable_x64(True):
        jet = tj.affine(tj.variable(jnp.asarray(pts), 0, keys), 3.0, 1.0)
    assert (0, 0) not in jet and jet[(0,)] == 3.0


MODELS = [
    "heat_1d", "burgers_1d", "allen_cahn", "advection_1d", "helmholtz_2d", "kdv",
    "kuramoto_sivashinsky", "poisson_2d", "wave_1d", "swift_hohenberg", "gray_scott",
    "burgers_periodic", "brusselator",
]


@pytest.mark.parametrize("name", MODELS)
def test_batched_residual_equals_the_per_point_one(name):
    """``Problem.pde_batch`` (Taylor mode, what the trainer uses) gives the values of
    ``vmap(Problem.pde)`` (nested jvps per point) to round-off, for hard and soft
    constraints, Fourier features and harmonics, and a second time window whose initial
    state is the first window's solution."""
    model = eqc.load(f"stdlib:{name}")
    pr = make_problem(model)
    params = model.param_values()
    with jax.enable_x64(True):
        Z = jnp.asarray(np.random.default_rng(0).uniform(pr.lo, pr.hi, (16, pr.dim)))
        for hard, fourier, harmonics in ((True, 0, 1), (False, 6, 2)):
            plan = plan_constraints(pr, hard, params)
            nets = [
                make_nets([(pr.lo, pr.hi)], pr.periodic, len(pr.fields), width=8, depth=3, seed=s,
                          fourier=fourier, harmonics=harmonics, dtype=jnp.float64)[0]
                for s in (1, 2)
            ]
            if pr.evolution:
                mid = 0.5 * (pr.lo[0] + pr.hi[0])
                u = window_solution(pr, plan, (pr.lo[0], mid), nets[0], None, params)
                u = window_solution(pr, plan, (mid, pr.hi[0]), nets[1], u, params)
            else:
                u = window_solution(pr, plan, (0.0, 1.0), nets[0], None, params)
            a = np.asarray(jax.vmap(lambda z, u=u: pr.pde(u, z, params))(Z))
            b = np.asarray(pr.pde_batch(u, Z, params))
            assert b.shape == a.shape
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-10 * np.abs(a).max())


def test_batched_residual_of_a_plain_callable():
    """A callable without jets (an exact solution) goes through nested jvps over the batch:
    the heat equation's sine mode has a round-off residual there too."""
    model = eqc.load("stdlib:heat_1d")
    pr = make_problem(model)
    params = model.param_values()
    D, L = params["D"], pr.hi[1] - pr.lo[1]
    k = np.pi / L

    def exact(z):
        return jnp.stack([jnp.exp(-D * k * k * z[0]) * jnp.sin(k * (z[1] - pr.lo[1]))])

    with jax.enable_x64(True):
        Z = jnp.asarray(np.random.default_rng(1).uniform(pr.lo, pr.hi, (32, 2)))
        r = np.asarray(pr.pde_batch(exact, Z, params))
        wrong = np.asarray(pr.pde_batch(lambda z: exact(z) * (1 + z[0]), Z, params))
    assert np.abs(r).max() < 1e-12
    assert np.abs(wrong).max() > 1e-3
