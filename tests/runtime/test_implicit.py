"""Implicit BDF / Radau steppers on stiff problems with exact solutions."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import scipy.sparse
from eqc.runtime.driver import integrate
from eqc.runtime.grid import Grid
from eqc.runtime.steppers import ImplicitScipy, StepperOptions, make_stepper

# eigenvalues -1 and -1e4: an explicit method needs dt < ~3e-4 for stability
A = np.array([[-1.0, 0.0], [9999.0, -10000.0]])


def stiff(t, y, out):
    out[...] = A @ y


@pytest.mark.parametrize("method", ["bdf", "radau"])
def test_stiff_linear_system_to_tolerance_in_few_steps(method: str) -> None:
    y0 = np.array([1.0, 0.0])
    y = y0.copy()
    st = make_stepper(method, stiff, y.shape, None, options=StepperOptions(rtol=1e-8, atol=1e-10))
    assert isinstance(st, ImplicitScipy) and st.adaptive
    got = []
    times = np.linspace(0, 10, 101)
    integrate(st, y, 0.0, 10.0, times, lambda t, y: got.append(y.copy()), progress=False)
    want = np.array([scipy.linalg.expm(A * t) @ y0 for t in times])
    np.testing.assert_allclose(np.array(got), want, atol=1e-6)
    assert st.nsteps < 1500  # an explicit method would need > 3e4 steps


def test_heat_equation_with_dirichlet_ghosts_and_a_sparse_jacobian() -> None:
    # u_t = u_xx on (0, 1), u = 0 at both ends (ghosts by odd reflection), u = sin(pi x) e^{-pi^2 t}
    n = 50
    grid = Grid(("x",), (0.0,), (1.0,), (n,), (False,), halo=1)
    h = grid.h[0]

    def rhs(t, y, out):
        u = y[0]
        u[0], u[-1] = -u[1], -u[-2]
        out[0, 1:-1] = (u[2:] - 2 * u[1:-1] + u[:-2]) / h**2

    x = grid.coords("x")
    y = np.zeros((1, n + 2))
    y[0, 1:-1] = np.sin(np.pi * x)
    pattern = scipy.sparse.diags([1.0, 1.0, 1.0], [-1, 0, 1], shape=(n, n))
    st = make_stepper("bdf", rhs, y.shape, None, grid=grid,
                      options=StepperOptions(rtol=1e-8, atol=1e-10, jac_sparsity=pattern))
    st.advance(y, 0.0, 0.1)
    # semi-discrete exact solution: the FD eigenvalue of sin(pi x) is -(4/h^2) sin^2(pi h / 2)
    lam = -(4 / h**2) * np.sin(np.pi * h / 2) ** 2
    np.testing.assert_allclose(y[0, 1:-1], np.sin(np.pi * x) * np.exp(lam * 0.1), atol=1e-7)
