"""The PINO physics loss (eqc.backends.jax.operator.pino) against exact solutions."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from burgers_reference import burgers_etdrk4
from eqc.backends.jax.operator.pino import make_rhs, pino_loss
from eqc.compiler.diagnostics import SemanticModelError
from eqc.runtime.dataset import GaussianRandomField

import eqc

BURGERS = """model b "Burgers"
domain x in [0, 1] periodic
grid 128
param nu = 0.1
field u
let flux = u^2/2
dt(u) = -d(flux, x) + nu*d(u, x, 2)
init u = sin(2*pi*x)
solve t in [0, 1]
"""


@pytest.fixture(scope="module")
def rhs():
    return make_rhs(eqc.parse(BURGERS, "b.pde"))


@pytest.fixture(scope="module")
def u0():
    g = GaussianRandomField()
    return np.stack([g.sample((128,), (1.0,), 5, i) for i in range(3)])


def _loss(rhs, series, times, skip=1):
    """Mean PINO loss over samples; ``series`` is (B, K+1, n) including u0."""
    t = jnp.asarray(times, jnp.float32)
    vals = [pino_loss(rhs, jnp.asarray(s[0][None], jnp.float32), jnp.asarray(s[1:, None], jnp.float32), t, skip)
            for s in series]
    return float(np.mean(vals))


def test_rhs_is_the_equation_with_spectral_derivatives(rhs):
    """f(u) = -u u_x + nu u_xx, with the let inlined, exact on a Fourier mode."""
    x = (np.arange(128) + 0.5) / 128
    u = np.sin(2 * np.pi * x)
    exact = -u * 2 * np.pi * np.cos(2 * np.pi * x) - 0.1 * (2 * np.pi) ** 2 * u
    got = np.asarray(rhs(jnp.asarray(u[None], jnp.float32), 0.0))[0]
    np.testing.assert_allclose(got, exact, atol=2e-4 * np.abs(exact).max())


def test_exact_solution_has_a_small_loss_and_a_perturbed_one_does_not(rhs, u0):
    times = np.linspace(0, 1, 21)  # the default time series of `eqc train --method fno --pino`
    exact = burgers_etdrk4(u0, 0.1, 1.0, times, dt=1e-3)
    loss = _loss(rhs, exact, times)
    rng = np.random.default_rng(0)
    noisy = exact.copy()
    noisy[:, 1:] *= 1 + 0.01 * rng.standard_normal(noisy[:, 1:].shape)
    wrong = burgers_etdrk4(u0, 0.15, 1.0, times, dt=1e-3)  # smooth, but another viscosity
    assert loss < 5e-2  # the trapezoidal rule's error at dt = 0.1 (see the next test)
    assert _loss(rhs, noisy, times) > 100 * loss
    assert _loss(rhs, wrong, times) > 10 * loss


def test_exact_solution_loss_converges_at_the_trapezoidal_rule_order(rhs, u0):
    """On the fixed window [0.2, 1] the residual is O(dt^3) per step against |dU| = O(dt):
    the relative loss falls like dt^4, 16x per halving of dt (we ask for at least 10x)."""
    losses = []
    for k in (10, 20, 40):
        times = np.linspace(0, 1, k + 1)
        exact = burgers_etdrk4(u0, 0.1, 1.0, times, dt=1e-3)
        losses.append(_loss(rhs, exact, times, skip=k // 5))
    assert losses[0] / losses[1] > 10 and losses[1] / losses[2] > 10, losses


def test_two_dimensional_model():
    m = eqc.load("stdlib:heat_2d")
    f = make_rhs(m)
    (ax, ay) = m.axes
    n = 32
    x = float(ax.lo) + (np.arange(n) + 0.5) * ax.length / n
    y = float(ay.lo) + (np.arange(n) + 0.5) * ay.length / n
    X, Y = np.meshgrid(x, y, indexing="ij")
    kx, ky = 2 * np.pi / ax.length, 2 * np.pi / ay.length
    u = np.sin(kx * X) * np.cos(2 * ky * Y)
    D = m.param_values()[m.param_names[0]]
    got = np.asarray(f(jnp.asarray(u[None], jnp.float32), 0.0))[0]
    if all(a.periodic for a in m.axes):
        np.testing.assert_allclose(got, -D * (kx**2 + 4 * ky**2) * u, atol=1e-4 * np.abs(got).max())
    else:  # finite differences away from the edges
        ref = -D * (kx**2 + 4 * ky**2) * u
        assert np.abs(got - ref)[4:-4, 4:-4].max() < 0.05 * np.abs(ref).max()


def test_steady_model_is_refused():
    with pytest.raises(SemanticModelError):
        make_rhs(eqc.load("stdlib:poisson_2d"))


def test_two_fields_with_a_shared_auxiliary():
    """Gray-Scott (two fields, `let r = u*v^2`): f matches the equations on Fourier modes."""
    m = eqc.load("stdlib:gray_scott")
    f = make_rhs(m, {"Du": 0.01, "Dv": 0.02})
    n, L = 32, 2.5
    x = (np.arange(n) + 0.5) * L / n
    X, Y = np.meshgrid(x, x, indexing="ij")
    k = 2 * np.pi / L
    u = 0.5 + 0.2 * np.sin(k * X) * np.cos(k * Y)
    v = 0.25 + 0.1 * np.cos(2 * k * X)
    got = np.asarray(f(jnp.asarray(np.stack([u, v]), jnp.float32), 0.0))
    lap_u = -2 * k**2 * (u - 0.5)
    lap_v = -4 * k**2 * (v - 0.25)
    r = u * v**2
    F, kk = 0.04, 0.06
    np.testing.assert_allclose(got[0], 0.01 * lap_u - r + F * (1 - u), atol=1e-5)
    np.testing.assert_allclose(got[1], 0.02 * lap_v + r - (F + kk) * v, atol=1e-5)
