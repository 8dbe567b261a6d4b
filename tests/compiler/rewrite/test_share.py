"""Pair sharing of sums and products across outputs, signs included."""

from __future__ import annotations

import random

import sympy as sp
from eqc.compiler.rewrite.program import evaluate
from eqc.compiler.rewrite.share import share_pairs

a, b, c, d, e = sp.symbols("a b c d e", real=True)


def _run(outputs):
    names = iter(sp.symbols("s0:50", real=True))
    temps: set = set()

    def fresh():
        s = next(names)
        temps.add(s)
        return s

    def varies(x):
        return True

    body, outs = share_pairs([], list(outputs), varies, fresh)
    rng = random.Random(0)
    for _ in range(5):
        env = {s: rng.uniform(-2, 2) for s in (a, b, c, d, e)}
        for s, ex in body:
            env[s] = evaluate(ex, env)
        for o, new in zip(outputs, outs, strict=True):
            assert abs(evaluate(o, env) - evaluate(new, env)) < 1e-12
    return body, outs


def test_sum_pair_shared_up_to_sign():
    body, outs = _run([a - b + c, b - a + d, a - b - e])
    assert len(body) == 1 and body[0][1] in (a - b, b - a)


def test_product_pair_shared():
    body, outs = _run([a * b * c, a * b * d, 2 * a * b])
    assert any(ex == a * b for _, ex in body)


def test_nothing_to_share_changes_nothing():
    body, outs = _run([a + b, c + d, a * c])
    assert body == [] and list(outs) == [a + b, c + d, a * c]
