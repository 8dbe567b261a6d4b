"""Output-by-output scheduling of a straight-line program."""

from __future__ import annotations

import sympy as sp
from eqc.compiler.rewrite.schedule import schedule


def test_each_output_follows_its_own_temporaries():
    a, b, c = sp.symbols("a b c")
    t0, t1, t2 = sp.symbols("t0 t1 t2")
    body = [(t0, a * b), (t1, b * c), (t2, t0 + a)]  # t1 only for output 2
    outs = [t2 * a + 1, t1 + t0]
    names = iter(sp.symbols("o0:5"))
    new_body, new_outs = schedule(body, outs, lambda: next(names))
    order = [s for s, _ in new_body]
    o0 = new_outs[0]
    assert order.index(o0) < order.index(t1)  # output 1 is computed before t1 exists
    defined = set()
    for s, e in new_body:
        assert e.free_symbols & {t0, t1, t2, *sp.symbols("o0:5")} <= defined
        defined.add(s)
    env = dict(zip((a, b, c), (1.5, 2.0, 3.0), strict=True))
    vals = {}
    for s, e in new_body:
        vals[s] = float(e.subs(vals).subs(env))
    want = [float(o.subs({t2: t0 + a}).subs({t0: a * b, t1: b * c}).subs(env)) for o in outs]
    got = [float(o.subs(vals).subs(env)) for o in new_outs]
    assert want == got
