"""Shared helpers of the classical-path tests: compile a .pde text, run it, measure errors."""

from __future__ import annotations

import math

import numpy as np

import eqc


def sim_of(text: str, n=None, order: int = 2, **kw):
    return eqc.compile(eqc.parse(text), order=order, n=n, **kw)


def interior(sim, ds, field: str = "u", frame: int = -1) -> np.ndarray:
    return np.asarray(ds[field].isel(time=frame).values)


def order_of(errors, ns) -> list[float]:
    """Observed orders between successive refinements."""
    return [math.log(errors[i] / errors[i + 1]) / math.log(ns[i + 1] / ns[i]) for i in range(len(ns) - 1)]
