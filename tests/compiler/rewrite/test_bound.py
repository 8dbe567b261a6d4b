"""The additions floor: never above the exact optimum, and tight where sharing is simple."""

from __future__ import annotations

import random
from functools import cache
from itertools import product

import pytest
import sympy as sp
from eqc.compiler.rewrite.bound import addition_floor, signed_terms
from eqc.compiler.rewrite.samples import reaction_network
from eqc.compiler.rewrite.share import share_pairs

a, b, c, d, e = sp.symbols("a b c d e", real=True)


def _norm(signed: frozenset) -> frozenset:
    """A signed subset up to a global sign (negation is free)."""
    first = min(signed, key=lambda p: str(p[0]))
    return signed if first[1] > 0 else frozenset((t, -s) for t, s in signed)


@cache
def _trees(signed: frozenset) -> tuple[frozenset, ...]:
    """The internal-node sets of every binary tree that adds up ``signed``."""
    if len(signed) == 1:
        return (frozenset(),)
    items = sorted(signed, key=lambda p: str(p[0]))
    first, rest = items[0], items[1:]
    out = []
    for mask in range(2 ** len(rest) - 1):  # the part holding ``first``; the other part is not empty
        left = frozenset([first] + [x for i, x in enumerate(rest) if mask >> i & 1])
        right = signed - left
        for tl, tr in product(_trees(left), _trees(right)):
            out.append(tl | tr | {_norm(signed)})
    return tuple(out)


def _optimum(rows) -> int:
    """The fewest additions of a cancellation-free program: every choice of one tree per row."""
    choices = [_trees(frozenset(r.items())) for r in rows]
    return min(len(frozenset().union(*pick)) for pick in product(*choices))


@pytest.mark.parametrize(
    ("sums", "best"),
    [
        ([a + b + c, a + b + d], 3),  # t = a + b, once
        ([a + b + c, -a - b + d], 3),  # the same pair, negated
        ([a + b + c, a - b + d], 4),  # signs disagree: nothing to share
        ([a + b + c + d, a + b + c + e], 4),  # t = a + b + c
        ([a + b, a + b, c + d], 2),  # equal rows
        ([a + b + c, a + b + d, a + b + e], 4),
    ],
)
def test_the_floor_equals_the_optimum_of_simple_cases(sums, best):
    rows = [signed_terms(s) for s in sums]
    assert _optimum(rows) == best
    assert addition_floor(rows) == pytest.approx(best)


def test_the_floor_is_never_above_the_exact_optimum_of_random_small_systems():
    rng = random.Random(7)
    terms = sp.symbols("t0:6", real=True)
    gaps = []
    for _ in range(250):
        rows = []
        for _ in range(rng.choice((2, 3, 4))):
            picked = rng.sample(terms, rng.choice((2, 3, 4)))
            rows.append({t: rng.choice((1, -1)) for t in picked})
        best, floor = _optimum(rows), addition_floor(rows)
        assert floor <= best + 1e-9, rows
        gaps.append(best - floor)
    assert min(gaps) == pytest.approx(0)  # tight on some, so not a trivial bound


def test_the_floor_of_a_reaction_network_is_below_what_pair_sharing_reaches():
    outs, _ = reaction_network(12, 30, seed=3)
    rows = [signed_terms(o) for o in outs]
    names = iter(sp.symbols("s0:400", real=True))
    body, new = share_pairs([], [sp.expand(o) for o in outs], lambda x: True, lambda: next(names))
    adds = sum(len(sp.Add.make_args(x)) - 1 for _, x in body if isinstance(x, sp.Add))
    adds += sum(len(sp.Add.make_args(x)) - 1 for x in new if isinstance(x, sp.Add))
    unshared = sum(len(r) - 1 for r in rows if r)
    assert addition_floor(rows) <= adds < unshared
