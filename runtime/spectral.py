"""Fourier helpers on periodic boxes: wavenumbers, symbols of linear operators, and the
periodic Poisson / constraint solve.

Conventions: real FFTs over the spatial axes (``scipy.fft.rfftn``; see
benchmarks/fft_backends.py for why not ``numpy.fft``), so arrays in Fourier
space have shape ``(n_0, ..., n_{d-1}//2 + 1)``; the wavenumber of axis ``a`` is
``2 pi m / L_a`` (``L_a = hi - lo``). With cell-centred points (docs/grid.md) the grid offset
only changes the phases, not the symbol. A derivative of odd order has the Nyquist mode set
to zero (Trefethen, *Spectral Methods in MATLAB*, SIAM 2000, ch. 3), so it maps real fields
to real fields.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .grid import Grid


def scipy_fft():
    """scipy.fft, imported on first use (it costs ~0.15 s at start-up)."""
    import scipy.fft

    return scipy.fft


__all__ = ["wavenumbers", "symbol", "PeriodicSolver", "solve_periodic", "dealias_mask"]


def _check_periodic(grid: Grid) -> None:
    if grid.dim == 0:
        raise ValueError("spectral helpers need a grid with at least one axis")
    bad = [a for a, p in zip(grid.axes, grid.periodic, strict=True) if not p]
    if bad:
        raise ValueError(f"spectral helpers need periodic axes; {', '.join(bad)} is not periodic")


def wavenumbers(grid: Grid) -> tuple[np.ndarray, ...]:
    """One broadcastable array of angular wavenumbers per axis, in ``rfftn`` layout."""
    _check_periodic(grid)
    d = grid.dim
    out = []
    for a, (n, h) in enumerate(zip(grid.n, grid.h, strict=True)):
        k = 2 * np.pi * (np.fft.rfftfreq(n, d=h) if a == d - 1 else np.fft.fftfreq(n, d=h))
        shape = [1] * d
        shape[a] = k.size
        out.append(k.reshape(shape))
    return tuple(out)


def _nyquist(grid: Grid, a: int) -> np.ndarray:
    """Mask that is False at the Nyquist wavenumber of axis ``a`` (even n only)."""
    d, n = grid.dim, grid.n[a]
    m = n // 2 + 1 if a == d - 1 else n
    keep = np.ones(m, dtype=bool)
    if n % 2 == 0:
        keep[n // 2] = False
    shape = [1] * d
    shape[a] = m
    return keep.reshape(shape)


def symbol(grid: Grid, terms: Mapping[tuple[int, ...], complex]) -> np.ndarray:
    """Fourier symbol of ``sum coef * d^{o_0}/dx_0^{o_0} ... d^{o_{d-1}}/dx_{d-1}^{o_{d-1}}``.

    ``terms`` maps derivative orders per axis to a coefficient, e.g. ``{(2, 0): 1, (0, 2): 1}``
    is the Laplacian, giving ``-(kx^2 + ky^2)``. The result is real when every term is, else
    complex; it has the full ``rfftn`` shape.
    """
    ks = wavenumbers(grid)
    shape = np.broadcast_shapes(*(k.shape for k in ks))
    total = np.zeros(shape, dtype=complex)
    for orders, coef in terms.items():
        if len(orders) != grid.dim or any(o < 0 for o in orders):
            raise ValueError(f"derivative orders {orders} do not fit a {grid.dim}-D grid")
        term = np.full(shape, complex(coef))
        for a, o in enumerate(orders):
            if o:
                term = term * (1j * ks[a]) ** o
                if o % 2:
                    term = term * _nyquist(grid, a)
        total += term
    if np.all(total.imag == 0):
        return total.real.copy()
    return total


def dealias_mask(grid: Grid, fraction: float = 2 / 3) -> np.ndarray:
    """Orszag's 2/3 rule (J. Atmos. Sci. 28, 1971): keep modes with |m| < fraction * n/2 on
    every axis; multiply a nonlinear term's transform by it."""
    _check_periodic(grid)
    d = grid.dim
    mask = np.ones((), dtype=bool)
    for a, n in enumerate(grid.n):
        m = np.abs(np.fft.rfftfreq(n, 1 / n) if a == d - 1 else np.fft.fftfreq(n, 1 / n))
        shape = [1] * d
        shape[a] = m.size
        mask = mask & (m < fraction * n / 2).reshape(shape)
    return mask


class PeriodicSolver:
    """Solve ``P(D) u = f`` on a periodic box for the operator with symbol ``sym``.

    Modes where the symbol vanishes (the mean, for the Laplacian) are set to zero, so the
    solution of a Poisson problem is the zero-mean one; ``f``'s own component there is
    dropped (it is the compatibility condition). Works on interior arrays of shape
    ``grid.shape`` (or with leading batch axes).
    """

    def __init__(self, grid: Grid, terms: Mapping[tuple[int, ...], complex]):
        self.grid = grid
        sym = symbol(grid, terms)
        small = np.abs(sym) <= 1e-12 * max(1.0, float(np.abs(sym).max()))
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(small, 0.0, 1.0 / np.where(small, 1.0, sym))
        self.inverse = inv
        self._axes = tuple(range(-grid.dim, 0))
        self._fft = scipy_fft()

    def __call__(self, f: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        fh = self._fft.rfftn(f, axes=self._axes)
        u = self._fft.irfftn(fh * self.inverse, s=self.grid.shape, axes=self._axes)
        if out is None:
            return u
        out[...] = u
        return out


def solve_periodic(grid: Grid, f: np.ndarray, terms: Mapping[tuple[int, ...], complex] | None = None) -> np.ndarray:
    """Zero-mean solution of ``lap(u) = f`` (or of the operator ``terms``) on a periodic box."""
    if terms is None:
        terms = {tuple(2 if b == a else 0 for b in range(grid.dim)): 1.0 for a in range(grid.dim)}
    return PeriodicSolver(grid, terms)(f)
