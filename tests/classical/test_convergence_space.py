"""Spatial convergence orders against exact solutions (heat, advection, Poisson, Robin)."""

from __future__ import annotations

import numpy as np
import pytest

from .helpers import order_of, sim_of

HEAT_PERIODIC = """
model heat_p
domain x in [0, 2*pi] periodic
param D = 0.5
field u
dt(u) = D*lap(u)
init u = sin(2*x)
solve t in [0, 0.2] step 1e-3 method rk4
"""

HEAT_DIRICHLET = """
model heat_d
domain x in [0, 1]
param D = 0.1
field u
dt(u) = D*lap(u)
bc u = 0 at x = 0
bc u = 0 at x = 1
init u = sin(pi*x)
solve t in [0, 0.2] step 2e-4 method rk4
"""

HEAT_NEUMANN = """
model heat_n
domain x in [0, 1]
param D = 0.1
field u
dt(u) = D*lap(u)
bc d(u, x) = 0 at x = 0
bc d(u, x) = 0 at x = 1
init u = cos(pi*x)
solve t in [0, 0.2] step 2e-4 method rk4
"""

ADVECTION = """
model adv
domain x in [0, 1] periodic
param c = 1
field u
dt(u) = -c*d(u, x)
init u = sin(2*pi*x)
solve t in [0, 0.25] step 5e-4 method rk4
"""

ROBIN_STEADY = """
model robin
domain x in [0, 1]
field u
lap(u) = exp(x)
bc u + d(u, x) = 2 at x = 0
bc d(u, x) = exp(1) at x = 1
"""


def _errors(text, exact, ns, order, t=None):
    errs = []
    for n in ns:
        sim = sim_of(text, n=n, order=order)
        ds = sim.run(progress=False)
        x = sim.grid.coords("x")
        tt = float(ds.time[-1])
        errs.append(float(np.abs(ds.u.values[-1] - exact(x, tt)).max()))
    return errs


@pytest.mark.parametrize("order", [2, 4])
@pytest.mark.parametrize(
    "text,exact",
    [
        (HEAT_PERIODIC, lambda x, t: np.sin(2 * x) * np.exp(-0.5 * 4 * t)),
        (HEAT_DIRICHLET, lambda x, t: np.sin(np.pi * x) * np.exp(-0.1 * np.pi**2 * t)),
        (HEAT_NEUMANN, lambda x, t: np.cos(np.pi * x) * np.exp(-0.1 * np.pi**2 * t)),
        (ADVECTION, lambda x, t: np.sin(2 * np.pi * (x - t))),
    ],
    ids=["heat-periodic", "heat-dirichlet", "heat-neumann", "advection"],
)
def test_space_order(text, exact, order):
    ns = [16, 32]
    errs = _errors(text, exact, ns, order)
    observed = order_of(errs, ns)[0]
    assert observed > order - 0.35, (errs, observed)


@pytest.mark.parametrize("order", [2, 4])
def test_robin_neumann_steady(order):
    ns = [16, 32]
    errs = []
    for n in ns:
        sim = sim_of(ROBIN_STEADY, n=n, order=order)
        ds = sim.run(progress=False)
        x = sim.grid.coords("x")
        errs.append(float(np.abs(ds.u.values[-1] - np.exp(x)).max()))
    assert order_of(errs, ns)[0] > order - 0.35, errs


def test_poisson_manufactured():
    import eqc

    m = eqc.load("stdlib:poisson_2d")
    errs, ns = [], [16, 32]
    for n in ns:
        sim = eqc.compile(m, n=n)
        ds = sim.run(progress=False)
        X, Y = sim.grid.mesh()
        errs.append(float(np.abs(ds.u.values[-1] - np.sin(np.pi * X) * np.sin(np.pi * Y)).max()))
    assert order_of(errs, ns)[0] > 1.8, errs
    assert errs[-1] < 2e-3


@pytest.mark.parametrize("n", [5, 7])
def test_steady_residual_vanishes_on_tiny_grids(n):
    """Grids narrower than the Jacobian colouring period still give the exact Jacobian."""
    import eqc

    sim = eqc.compile(eqc.load("stdlib:poisson_2d"), n=n)
    sim.run(progress=False)
    y = sim.last_state
    out = np.zeros_like(y)
    sim.compiled.rhs(sim.grid, sim.params())(0.0, y, out)
    assert np.abs(out[(0, *sim.grid.interior)]).max() < 1e-8


MIXED_DIRICHLET = """
model mixed
domain x in [0, 1]
domain y in [0, 1]
field u
lap(u) + d(u, x, y) = -2*pi^2*sin(pi*x)*sin(pi*y) + pi^2*cos(pi*x)*cos(pi*y)
bc u = 0 at x = 0
bc u = 0 at x = 1
bc u = 0 at y = 0
bc u = 0 at y = 1
"""


def test_mixed_derivative_uses_consistent_corner_ghosts():
    """A mixed derivative reads corner ghosts at the corner points: second order overall."""
    errs, ns = [], [12, 24]
    for n in ns:
        sim = sim_of(MIXED_DIRICHLET, n=n)
        ds = sim.run(progress=False)
        X, Y = sim.grid.mesh()
        errs.append(float(np.abs(ds.u.values[-1] - np.sin(np.pi * X) * np.sin(np.pi * Y)).max()))
    assert order_of(errs, ns)[0] > 1.7, errs
