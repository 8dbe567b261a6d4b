"""Output-by-output scheduling of a straight-line program."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sympy as sp
from eqc.compiler.rewrite import RewriteOptions, optimize
from eqc.compiler.rewrite.samples import reaction_network
from eqc.compiler.rewrite.schedule import live_profile, schedule


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


def _run(body, outs, env):
    vals = dict(env)
    for s, e in body:
        vals[s] = float(e.xreplace(vals))
    return [float(sp.sympify(o).xreplace(vals)) for o in outs]


def test_a_long_sum_is_a_running_sum_with_each_term_computed_before_it_is_added():
    xs = sp.symbols("x0:6")
    ts = sp.symbols("t0:6")
    body = [(t, x * (i + 2)) for i, (t, x) in enumerate(zip(ts, xs, strict=True))]
    outs = [ts[0] - ts[1] + ts[2] + ts[3] - ts[4] + ts[5], ts[0] * ts[1]]
    names = iter(sp.symbols("o0:20"))
    new_body, new_outs = schedule(body, outs, lambda: next(names))
    defined = []
    for s, e in new_body:
        assert len(sp.Add.make_args(e)) <= 2, f"{s} = {e}: one addition per assignment"
        assert e.free_symbols - set(xs) <= set(defined)
        defined.append(s)
    # no more than three of the six terms are ever live at once
    assert live_profile(new_body, new_outs)[0] <= 4
    env = {x: 0.1 * (i + 1) for i, x in enumerate(xs)}
    want = [float(sp.sympify(o).xreplace(dict(body)).xreplace(env)) for o in outs]
    assert _run(new_body, new_outs, env) == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize("seed", [0, 3])
def test_reaction_network_keeps_fewer_values_live(seed):
    """The scheduled program of a 50-species network keeps far fewer temporaries live than
    the same program in the order the extractor wrote it (fewer spills: see
    benchmarks/egraph.py --runtime), and computes the same values."""
    net, var = reaction_network(50, 200, seed=seed)
    plain = optimize(net, var, replace(RewriteOptions(), schedule=False))
    sched = optimize(net, var, RewriteOptions())
    (max0, mean0), (max1, mean1) = live_profile(plain.body, plain.outputs), live_profile(sched.body, sched.outputs)
    assert max1 < 0.6 * max0 and mean1 < 0.7 * mean0
    assert plain.report.cost_after == sched.report.cost_after
    env = {a: 0.5 + 0.01 * i for i, a in enumerate(sorted(set().union(*(o.free_symbols for o in net)), key=str))}
    env.update({a: 0.7 + 0.003 * i for i, a in enumerate(sorted(set().union(*(o.atoms(sp.Indexed) for o in net)),
                                                               key=str))})
    inv = dict(env)
    for s, e in sched.invariants:
        inv[s] = float(e.xreplace(inv))
    got = _run(sched.body, sched.outputs, inv)
    want = [float(o.xreplace(env)) for o in net]
    assert got == pytest.approx(want, rel=1e-12, abs=1e-12)
