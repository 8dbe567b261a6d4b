"""ETDRK4 (Cox & Matthews 2002, Kassam & Trefethen 2005): coefficients and fourth-order
convergence on a stiff periodic problem with a manufactured exact solution."""

from __future__ import annotations

import numpy as np
import pytest
from eqc.runtime.grid import Grid
from eqc.runtime.spectral import symbol, wavenumbers
from eqc.runtime.steppers import ETDRK4, etdrk4_coefficients, make_stepper


def test_contour_coefficients_match_the_closed_forms_and_limits() -> None:
    h = 0.1
    z = np.array([-3.0, -0.7, 0.4, -25.0])
    E, E2, Q, f1, f2, f3 = etdrk4_coefficients(z, h)
    ez = np.exp(z)
    np.testing.assert_allclose(Q, h * (np.exp(z / 2) - 1) / z, rtol=1e-12)
    np.testing.assert_allclose(f1, h * (-4 - z + ez * (4 - 3 * z + z * z)) / z**3, rtol=1e-10)
    np.testing.assert_allclose(f2, h * (2 + z + ez * (z - 2)) / z**3, rtol=1e-10)
    np.testing.assert_allclose(f3, h * (-4 - 3 * z - z * z + ez * (4 - z)) / z**3, rtol=1e-10)
    # at hL -> 0 the closed forms cancel catastrophically; the limits are h/2, h/6, h/6, h/6
    _, _, Q0, a, b, c = etdrk4_coefficients(np.array([0.0, 1e-9]), h)
    np.testing.assert_allclose(Q0, h / 2, rtol=1e-8)
    for f in (a, b, c):
        np.testing.assert_allclose(f, h / 6, rtol=1e-8)


NU = 0.5


def _burgers_problem(n: int = 64):
    """u_t = NU u_xx - u u_x + f on [0, 2pi), exact u = sin(x - t) + 0.5 cos(2x) e^{-t}."""
    grid = Grid(("x",), (0.0,), (2 * np.pi,), (n,), (True,), halo=0)
    x = grid.coords("x")
    (k,) = wavenumbers(grid)

    def exact(t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        u = np.sin(x - t) + 0.5 * np.cos(2 * x) * np.exp(-t)
        ut = -np.cos(x - t) - 0.5 * np.cos(2 * x) * np.exp(-t)
        ux = np.cos(x - t) - np.sin(2 * x) * np.exp(-t)
        uxx = -np.sin(x - t) - 2 * np.cos(2 * x) * np.exp(-t)
        return u, ut - NU * uxx + u * ux, ux

    def nonlinear(t: float, y: np.ndarray, out: np.ndarray) -> None:
        u = y[0]
        ux = np.fft.irfft(1j * k * np.fft.rfft(u), n=n)
        out[0] = -u * ux + exact(t)[1]

    L = NU * symbol(grid, {(2,): 1.0})
    return grid, L, nonlinear, exact


def test_etdrk4_is_fourth_order_on_a_stiff_forced_burgers_problem() -> None:
    grid, L, N, exact = _burgers_problem()
    T = 1.0
    errors = []
    for nsteps in (5, 10, 20, 40):
        y = exact(0.0)[0][None].copy()
        st = make_stepper("etdrk4", N, y.shape, T / nsteps, grid=grid, linear=L)
        assert isinstance(st, ETDRK4)
        st.advance(y, 0.0, T)
        errors.append(float(np.abs(y[0] - exact(T)[0]).max()))
    e = np.asarray(errors)
    orders = np.log2(e[:-1] / e[1:])
    assert np.median(orders) == pytest.approx(4.0, abs=0.35)
    # stiffness: |h L| reaches NU * 32^2 * 0.2 ~ 100 at the largest step, yet the error is small
    assert e[0] < 1e-3


def test_etdrk4_with_pure_linear_part_is_exact_in_time() -> None:
    grid = Grid(("x", "y"), (0.0, 0.0), (2 * np.pi, 2 * np.pi), (16, 12), (True, True), halo=1)
    L = symbol(grid, {(2, 0): 1.0, (0, 2): 1.0})
    X, Y = grid.mesh()
    u0 = np.sin(X) * np.cos(2 * Y) + 0.3 * np.cos(3 * X)
    inner = (slice(None), *grid.interior)

    def zero(t, y, out):
        out[...] = 0.0

    y = np.zeros((1, *grid.padded_shape))
    y[inner] = u0
    st = make_stepper("etdrk4", zero, y.shape, 0.5, grid=grid, linear=L)
    st.advance(y, 0.0, 1.0)
    want = np.sin(X) * np.cos(2 * Y) * np.exp(-5.0) + 0.3 * np.cos(3 * X) * np.exp(-9.0)
    np.testing.assert_allclose(y[0][grid.interior], want, atol=1e-13)


def test_etdrk4_refuses_non_periodic_grids() -> None:
    grid = Grid(("x",), (0.0,), (1.0,), (8,), (False,))
    with pytest.raises(ValueError, match="periodic"):
        ETDRK4(np.zeros(5), lambda t, y, o: None, grid, (1, 8), 0.1)


def test_etdrk4_with_a_constraint_field() -> None:
    # u_t = u_xx + N, N = -c/2 with the constraint c = 2u solved by the rhs: u = sin(x) e^{-2t}
    grid = Grid(("x",), (0.0,), (2 * np.pi,), (16,), (True,), halo=1)
    inner = grid.interior[0]

    def N(t, y, out):
        y[1] = 2 * y[0]
        out[0] = -0.5 * y[1]
        out[1] = np.nan  # not evolved

    x = grid.coords("x")
    y = np.zeros((2, 18))
    y[0, inner] = np.sin(x)
    st = make_stepper("etdrk4", N, y.shape, 0.1, grid=grid, n_evolved=1, linear=symbol(grid, {(2,): 1.0}))
    st.advance(y, 0.0, 1.0)
    np.testing.assert_allclose(y[0, inner], np.sin(x) * np.exp(-2.0), atol=1e-6)  # O(dt^4)
    np.testing.assert_allclose(y[1, inner], 2 * y[0, inner], atol=1e-15)


def test_etdrk4_per_field_symbols_and_dealiasing() -> None:
    from eqc.runtime.steppers import StepperOptions

    grid = Grid(("x",), (0.0,), (2 * np.pi,), (32,), (True,))
    lap = symbol(grid, {(2,): 1.0})
    L = np.stack([0.1 * lap, 2.0 * lap])  # two diffusivities
    x = grid.coords("x")
    seen = []

    def N(t, y, out):
        out[...] = 0.0
        out[0] = np.cos(15 * x)  # a mode the 2/3 rule removes (|m| = 15 >= 32/3)
        seen.append(t)

    y = np.stack([np.sin(x), np.sin(3 * x)])
    st = make_stepper("etdrk4", N, y.shape, 0.25, grid=grid, linear=L, options=StepperOptions(dealias=True))
    st.advance(y, 0.0, 1.0)
    np.testing.assert_allclose(y[0], np.sin(x) * np.exp(-0.1), atol=1e-13)
    np.testing.assert_allclose(y[1], np.sin(3 * x) * np.exp(-18.0), atol=1e-13)
    assert len(seen) == 16  # four nonlinear evaluations per step


def test_coefficients_are_computed_once_for_a_chunked_run() -> None:
    from eqc.runtime.driver import integrate

    grid, L, N, exact = _burgers_problem(32)
    y = exact(0.0)[0][None].copy()
    st = make_stepper("etdrk4", N, y.shape, 0.01, grid=grid, linear=L)
    integrate(st, y, 0.0, 0.97, np.linspace(0.0, 0.97, 7), None, grid=grid, progress=False)
    assert len(st._coef) <= 3  # dt, plus at most the short last steps before save points
    np.testing.assert_allclose(y[0], exact(0.97)[0], atol=1e-8)


def test_complex_symbols_dispersive_linear_part() -> None:
    h = 0.2
    z = np.array([2.0j, -1.0 + 3.0j, -0.5j])
    _, _, Q, f1, f2, f3 = etdrk4_coefficients(z, h)
    ez = np.exp(z)
    np.testing.assert_allclose(Q, h * (np.exp(z / 2) - 1) / z, rtol=1e-12)
    np.testing.assert_allclose(f1, h * (-4 - z + ez * (4 - 3 * z + z * z)) / z**3, rtol=1e-10)
    # u_t = -u_xxx (symbol i k^3), u = sin(x) + 0.5 cos(2x) travels: sin(x + t) + 0.5 cos(2x + 8t)
    grid = Grid(("x",), (0.0,), (2 * np.pi,), (32,), (True,))
    x = grid.coords("x")
    L = symbol(grid, {(3,): -1.0})
    assert np.iscomplexobj(L)
    y = (np.sin(x) + 0.5 * np.cos(2 * x))[None].copy()
    st = make_stepper("etdrk4", lambda t, y, o: o.fill(0.0), y.shape, 0.1, grid=grid, linear=L)
    st.advance(y, 0.0, 1.0)
    np.testing.assert_allclose(y[0], np.sin(x + 1.0) + 0.5 * np.cos(2 * x + 8.0), atol=1e-12)
