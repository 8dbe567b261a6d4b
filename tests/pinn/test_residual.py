"""The PINN residual of exact solutions is at round-off; of wrong ones it is not."""

from __future__ import annotations

from dataclasses import replace

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp
from eqc.backends.jax.pinn.residual import make_problem
from eqc.compiler.ir.model import Let
from eqc.compiler.ir.symbols import TIME, coord, field_function, param


def _heat_exact(D, rate=1.0):
    def u(z):
        return jnp.stack([jnp.exp(-rate * D * jnp.pi**2 * z[0]) * jnp.sin(jnp.pi * z[1])])

    return u


def _points(problem, n=64, seed=0):
    rng = np.random.default_rng(seed)
    lo, hi = np.array(problem.lo), np.array(problem.hi)
    return jnp.asarray(lo + rng.random((n, len(lo))) * (hi - lo))


def test_heat_sine_mode_has_zero_residual(heat) -> None:
    with jax.enable_x64(True):
        p = make_problem(heat(0.1))
        z = _points(p)
        r = jax.vmap(lambda q: p.pde(_heat_exact(0.1), q, {"D": 0.1}))(z)
        assert float(jnp.max(jnp.abs(r))) < 1e-12
        wrong = jax.vmap(lambda q: p.pde(_heat_exact(0.1, rate=2.0), q, {"D": 0.1}))(z)
        assert float(jnp.max(jnp.abs(wrong))) > 1e-2
        # boundary conditions hold at both sides, initial condition at t = 0
        for bc in p.bcs:
            zb = z.at[:, 1].set(0.0 if bc.side == "lo" else 1.0)
            rb = jax.vmap(lambda q, bc=bc: p.bc(bc, _heat_exact(0.1), q, {"D": 0.1}))(zb)
            assert float(jnp.max(jnp.abs(rb))) < 1e-12


def _cole_hopf(nu, k=np.pi, a=2.0):
    """u = -2 nu phi_x / phi with phi = a + exp(-nu k^2 t) cos(k x), an exact Burgers solution."""

    def u(z):
        e = jnp.exp(-nu * k**2 * z[0])
        return jnp.stack([2 * nu * k * e * jnp.sin(k * z[1]) / (a + e * jnp.cos(k * z[1]))])

    return u


@pytest.mark.parametrize("nu", [0.01 / np.pi, 0.1])
def test_burgers_cole_hopf_has_zero_residual(nu: float, burgers) -> None:
    with jax.enable_x64(True):
        p = make_problem(burgers(nu))
        z = _points(p, seed=1)
        r = jax.vmap(lambda q: p.pde(_cole_hopf(nu), q, {"nu": nu}))(z)
        assert float(jnp.max(jnp.abs(r))) < 1e-12
        wrong = jax.vmap(lambda q: p.pde(_cole_hopf(nu), q, {"nu": 2 * nu}))(z)
        assert float(jnp.max(jnp.abs(wrong))) > 1e-4
        # the trainer's batched path (nested jvps over the batch for a plain callable)
        rb = p.pde_batch(_cole_hopf(nu), z, {"nu": nu})
        assert rb.shape == (z.shape[0], 1) and float(jnp.max(jnp.abs(rb))) < 1e-12
        assert float(jnp.max(jnp.abs(p.pde_batch(_cole_hopf(nu), z, {"nu": 2 * nu})))) > 1e-4


def test_lets_are_inlined_and_differentiated(burgers) -> None:
    """Burgers in conservation form, u_t = -d(q, x) + nu u_xx with let q = u^2/2."""
    m = burgers(0.1)
    x = coord("x")
    u = field_function("u", ("x",))
    q = field_function("q", ("x",))
    eq = replace(m.equations[0], rhs=-sp.Derivative(q, x) + param("nu") * sp.Derivative(u, (x, 2)))
    m = replace(m, lets=(Let("q", u**2 / 2),), equations=(eq,))
    with jax.enable_x64(True):
        p = make_problem(m)
        z = _points(p, seed=2)
        r = jax.vmap(lambda z_: p.pde(_cole_hopf(0.1), z_, {"nu": 0.1}))(z)
        assert float(jnp.max(jnp.abs(r))) < 1e-12
    assert TIME in p.residuals[0].free_symbols or p.residuals[0].has(sp.Derivative)
