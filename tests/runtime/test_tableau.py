"""ButcherTableau consistency checks and the stability regions of the tableaus."""

from __future__ import annotations

import math

import numpy as np
import pytest
from eqc.runtime.stability import stability_extents
from eqc.runtime.steppers import TABLEAUS, ButcherTableau
from eqc.runtime.steppers.tableau import order_conditions_residual


@pytest.mark.parametrize("name", sorted(TABLEAUS))
def test_every_tableau_meets_its_order_conditions(name: str) -> None:
    tab = TABLEAUS[name]
    res = order_conditions_residual(tab.matrix, tab.b, tab.c, min(tab.order, 5))
    assert max(abs(r) for r in res.values()) < 1e-12
    # and fails the next order (the claimed order is the true one), where we can check it
    if tab.order < 5:
        res = order_conditions_residual(tab.matrix, tab.b, tab.c, tab.order + 1)
        assert max(abs(r) for r in res.values()) > 1e-6


def test_stability_polynomial_is_the_truncated_exponential_for_rk4() -> None:
    z = np.array([-1.0, 0.5j, -2 + 1j])
    want = 1 + z + z**2 / 2 + z**3 / 6 + z**4 / 24
    np.testing.assert_allclose(TABLEAUS["rk4"].stability(z), want, rtol=1e-14)


@pytest.mark.parametrize(
    "name, real, imag",
    [("euler", 2.0, 0.0), ("ssprk3", 2.5127, math.sqrt(3)), ("rk4", 2.7853, 2 * math.sqrt(2))],
)
def test_stability_extents_match_the_literature(name: str, real: float, imag: float) -> None:
    r, i = stability_extents(name)
    assert r == pytest.approx(real, abs=1e-3)
    assert i == pytest.approx(imag, abs=1e-3)


def _rk4(**changes) -> ButcherTableau:
    base = dict(
        name="bad", a=((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)), b=(1 / 6, 1 / 3, 1 / 3, 1 / 6),
        c=(0.0, 0.5, 0.5, 1.0), order=4,
    )
    base.update(changes)
    return ButcherTableau(**base)


def test_the_reference_rk4_is_accepted() -> None:
    assert _rk4().stages == 4


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"c": (0.0, 0.4, 0.5, 1.0)}, "sums to"),  # row sum != c
        ({"b": (0.25, 0.25, 0.25, 0.25)}, "order condition"),  # not order 4
        ({"b": (0.2, 0.3, 0.3, 0.1)}, "order condition"),  # weights do not sum to 1
        ({"a": ((), (0.5,), (0.0, 0.5), (0.0, 1.0))}, "strictly lower"),  # wrong row length
        ({"b": (1 / 6, 1 / 3, 1 / 3)}, "stages"),
        ({"order": 5}, "order condition"),  # claims too much
        ({"b_err": (0.1, 0.0, 0.0, -0.1), "embedded_order": 3}, "embedded"),
        ({"b_err": (0.0, 0.0, 0.0, 0.0)}, "embedded_order"),
        ({"fsal": True}, "FSAL"),
    ],
)
def test_inconsistent_tableaus_are_rejected(changes: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        _rk4(**changes)
