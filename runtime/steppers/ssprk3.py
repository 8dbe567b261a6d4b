"""Strong-stability-preserving RK3 of Shu & Osher (J. Comput. Phys. 77, 1988, eq. (2.18)).

Order 3, three stages, SSP coefficient 1: a convex combination of forward Euler steps, so
any TVD property of forward Euler with step h carries over (Gottlieb & Shu, Math. Comp. 67,
1998).
"""

from __future__ import annotations

from .tableau import ButcherTableau

__all__ = ["SSPRK3"]

SSPRK3 = ButcherTableau(
    name="ssprk3",
    a=((), (1.0,), (0.25, 0.25)),
    b=(1 / 6, 1 / 6, 2 / 3),
    c=(0.0, 1.0, 0.5),
    order=3,
)
