"""Fourier helpers: wavenumbers, operator symbols and the periodic Poisson solve, checked
against derivatives of trigonometric functions."""

from __future__ import annotations

import numpy as np
import pytest
from eqc.runtime.grid import Grid
from eqc.runtime.spectral import PeriodicSolver, dealias_mask, solve_periodic, symbol, wavenumbers

GRID = Grid(("x", "y"), (0.0, -1.0), (2 * np.pi, 1.0), (32, 16), (True, True))


def apply(grid: Grid, sym: np.ndarray, u: np.ndarray) -> np.ndarray:
    return np.fft.irfftn(sym * np.fft.rfftn(u), s=grid.shape, axes=(0, 1))


def test_wavenumbers_in_rfftn_layout() -> None:
    kx, ky = wavenumbers(GRID)
    assert kx.shape == (32, 1) and ky.shape == (1, 9)
    assert kx[1, 0] == pytest.approx(1.0) and kx[-1, 0] == pytest.approx(-1.0)
    assert ky[0, 1] == pytest.approx(np.pi) and ky[0, -1] == pytest.approx(8 * np.pi)


def test_laplacian_symbol_is_minus_k_squared() -> None:
    kx, ky = wavenumbers(GRID)
    sym = symbol(GRID, {(2, 0): 1.0, (0, 2): 1.0})
    assert sym.dtype == float
    np.testing.assert_allclose(sym, -(kx**2 + ky**2))


def test_symbols_differentiate_exactly() -> None:
    X, Y = GRID.mesh()
    u = np.sin(3 * X) * np.cos(2 * np.pi * Y)
    ux = apply(GRID, symbol(GRID, {(1, 0): 1.0}), u)
    np.testing.assert_allclose(ux, 3 * np.cos(3 * X) * np.cos(2 * np.pi * Y), atol=1e-12)
    op = symbol(GRID, {(2, 0): 0.5, (0, 1): 2.0, (0, 0): -1.0})  # 0.5 u_xx + 2 u_y - u
    want = -4.5 * u - 4 * np.pi * np.sin(3 * X) * np.sin(2 * np.pi * Y) - u
    np.testing.assert_allclose(apply(GRID, op, u), want, atol=1e-11)


def test_periodic_poisson_gives_the_zero_mean_solution() -> None:
    X, Y = GRID.mesh()
    psi = np.cos(X) * np.sin(np.pi * Y) + 0.2 * np.sin(4 * X)
    f = -(1 + np.pi**2) * np.cos(X) * np.sin(np.pi * Y) - 3.2 * np.sin(4 * X)
    got = solve_periodic(GRID, f + 7.0)  # a mean in f is dropped (compatibility)
    np.testing.assert_allclose(got, psi, atol=1e-12)
    assert abs(got.mean()) < 1e-14
    # batched over a leading field axis, and in place
    solver = PeriodicSolver(GRID, {(2, 0): 1.0, (0, 2): 1.0})
    out = np.empty((2, *GRID.shape))
    solver(np.stack([f, 2 * f]), out=out)
    np.testing.assert_allclose(out[1], 2 * psi, atol=1e-12)


def test_dealias_mask_keeps_two_thirds() -> None:
    g = Grid(("x",), (0.0,), (1.0,), (12,), (True,))
    np.testing.assert_array_equal(dealias_mask(g), [True, True, True, True, False, False, False])


def test_non_periodic_axes_are_refused() -> None:
    g = Grid(("x",), (0.0,), (1.0,), (8,), (False,))
    with pytest.raises(ValueError, match="not periodic"):
        wavenumbers(g)
