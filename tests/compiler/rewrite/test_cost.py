"""The cycle counter: the one measure every method is compared with."""

from __future__ import annotations

import pytest
import sympy as sp
from eqc.compiler.rewrite.cost import count_ops, count_program, cycles, squarings
from eqc.compiler.rewrite.options import CostTable

x, y, z = sp.symbols("x y z", real=True)
k, h = sp.symbols("k h", positive=True)
V = {x, y, z}


def var(a):
    return a in V


@pytest.mark.parametrize("n,muls", [(2, 1), (3, 2), (4, 2), (5, 3), (8, 3), (15, 6), (16, 4)])
def test_repeated_squaring(n, muls):
    assert squarings(n) == muls


@pytest.mark.parametrize(
    "expr,ops",
    [
        (x + y, {"add": 1}),
        (x - y, {"add": 1, "neg": 1}),
        (k * x, {"mul": 1}),
        (k / h**2 * x, {"mul": 1}),  # invariant factors together are one operand
        (k * x + h * x + 2 + k, {"add": 2, "mul": 2}),
        (x**5, {"mul": 3}),
        (x**-2, {"div": 1, "mul": 1}),
        (x / (y * z), {"div": 1, "mul": 1}),
        (sp.sqrt(x), {"sqrt": 1}),
        (x**sp.Rational(3, 2), {"sqrt": 1, "mul": 1}),
        (x**y, {"pow": 1}),
        (sp.exp(k) * x, {"mul": 1}),
        (sp.exp(x) + sp.sin(y), {"exp": 1, "sin": 1, "add": 1}),
    ],
)
def test_counts(expr, ops):
    assert dict(count_ops([expr], var)) == ops


def test_invariants_cost_nothing_and_programs_count_each_temp_once():
    assert cycles(count_ops([k**2 / h + sp.exp(k)], var), CostTable()) == 0
    t = sp.Symbol("t")
    body = [(t, x * y)]
    ops = count_program(body, [t + 1, t * z], lambda a: a == t or var(a))
    assert dict(ops) == {"mul": 2, "add": 1}


def test_cost_table():
    table = CostTable()
    assert table.of("div") == 15 and table.of("nonsense") == table.other
    with pytest.raises(ValueError):
        CostTable(div=-1)
