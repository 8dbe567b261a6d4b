"""The classical fourth-order Runge–Kutta method (Kutta 1901; HNW I, §II.1, Table 1.2)."""

from __future__ import annotations

from .tableau import ButcherTableau

__all__ = ["RK4"]

RK4 = ButcherTableau(
    name="rk4",
    a=((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)),
    b=(1 / 6, 1 / 3, 1 / 3, 1 / 6),
    c=(0.0, 0.5, 0.5, 1.0),
    order=4,
)
