"""The run-time grid: sizes, spacings and cell-centred coordinates (docs/grid.md).

An axis ``[lo, hi]`` with ``n`` points has ``h = (hi - lo) / n`` and points
``lo + (i + 1/2) h``. State arrays carry ``halo`` ghost cells on both sides of every axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Grid"]


@dataclass(frozen=True, slots=True)
class Grid:
    """A uniform Cartesian grid (or none, for an ODE model: ``axes == ()``)."""

    axes: tuple[str, ...] = ()
    lo: tuple[float, ...] = ()
    hi: tuple[float, ...] = ()
    n: tuple[int, ...] = ()
    periodic: tuple[bool, ...] = ()
    halo: int = 0

    def __post_init__(self) -> None:
        k = len(self.axes)
        if not (len(self.lo) == len(self.hi) == len(self.n) == len(self.periodic) == k):
            raise ValueError("Grid: axes, lo, hi, n and periodic must have the same length")
        for name, a, b, m in zip(self.axes, self.lo, self.hi, self.n, strict=True):
            if not b > a:
                raise ValueError(f"Grid: axis {name} has hi <= lo")
            if m < 1:
                raise ValueError(f"Grid: axis {name} needs at least one point")
        if self.halo < 0:
            raise ValueError("Grid: halo must be >= 0")

    @property
    def dim(self) -> int:
        return len(self.axes)

    @property
    def h(self) -> tuple[float, ...]:
        return tuple((b - a) / m for a, b, m in zip(self.lo, self.hi, self.n, strict=True))

    @property
    def shape(self) -> tuple[int, ...]:
        """Interior shape."""
        return tuple(self.n)

    @property
    def padded_shape(self) -> tuple[int, ...]:
        return tuple(m + 2 * self.halo for m in self.n)

    @property
    def interior(self) -> tuple[slice, ...]:
        """Slices selecting the interior of a padded array (per axis)."""
        g = self.halo
        return tuple(slice(g, g + m) for m in self.n)

    @property
    def cells(self) -> int:
        return int(np.prod(self.n)) if self.n else 1

    def index(self, axis: str) -> int:
        return self.axes.index(axis)

    def coords(self, axis: str) -> np.ndarray:
        """Interior cell centres of ``axis``."""
        k = self.index(axis)
        return self.lo[k] + (np.arange(self.n[k]) + 0.5) * self.h[k]

    def mesh(self) -> tuple[np.ndarray, ...]:
        """Coordinates of every interior point, one array per axis (``indexing="ij"``)."""
        return tuple(np.meshgrid(*(self.coords(a) for a in self.axes), indexing="ij"))

    def state(self, values: Sequence[Any]) -> np.ndarray:
        """A padded state (``(len(values), *padded_shape)``; ``(len(values),)`` without axes)
        with each field's value (scalar or interior array) broadcast into the interior;
        ``None`` leaves a field at zero."""
        y = np.zeros((len(values), *self.padded_shape) if self.dim else (len(values),))
        for k, val in enumerate(values):
            if val is None:
                continue
            if self.dim:
                y[(k, *self.interior)] = np.broadcast_to(np.asarray(val, dtype=float), self.shape)
            else:
                y[k] = float(val)
        return y

    def with_n(self, n: tuple[int, ...]) -> Grid:
        return Grid(self.axes, self.lo, self.hi, tuple(n), self.periodic, self.halo)
