"""Forward Euler: order 1, one stage (Euler 1768; HNW I, §I.7)."""

from __future__ import annotations

from .tableau import ButcherTableau

__all__ = ["EULER"]

EULER = ButcherTableau(name="euler", a=((),), b=(1.0,), c=(0.0,), order=1)
