"""Per-point cycle cost and compile time: original vs sympy.cse vs simplify+cse vs eqc.

For every standard model's discretised kernel, a seeded mass-action reaction network
(50 species, 200 reactions) and a 9-point + 5-point stencil with a cubic reaction, the
table gives the cost of the right-hand side under eqc's cycle model
(``eqc.compiler.rewrite.cost``, the same counter for every column: loop-invariant work
is free, each temporary counted once), and the median compile time of each method.

    python benchmarks/egraph.py [--repeats 3] [--simplify-timeout 10] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import pathlib
import signal
import statistics
import sys
import time

import sympy as sp
from eqc.compiler.ir.symbols import coord
from eqc.compiler.rewrite import RewriteOptions, optimize
from eqc.compiler.rewrite.cost import count_ops, count_program, cycles
from eqc.compiler.rewrite.options import CostTable
from eqc.compiler.rewrite.samples import (
    gray_scott,
    reaction_network,
    stencil_reaction,
)

TABLE = CostTable()
ROOT = pathlib.Path(__file__).resolve().parents[1]


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def stdlib_cases():
    """(name, outputs, varying) for every standard model the discretiser can lower."""
    try:
        from eqc.compiler.options import CompileOptions
        from eqc.compiler.passes.discretise import discretise
        from eqc.frontend.loader import load
    except ImportError:
        outs, var = gray_scott()
        return [("gray_scott (own sympy)", outs, var)]
    cases = []
    for path in sorted((ROOT / "stdlib").glob("*.pde")):
        try:
            k = discretise(load(f"stdlib:{path.stem}"), CompileOptions())
        except Exception as exc:  # a model the discretiser cannot lower yet
            print(f"skip {path.stem}: {exc}", file=sys.stderr)
            continue
        coords = {coord(a) for a in k.axis_names}
        env = {}
        for s, e in k.body:
            env[s] = e.xreplace(env)
        outs = [o.xreplace(env) for o in k.outputs]

        def var(a, coords=coords):
            return isinstance(a, sp.Indexed) or a in coords

        cases.append((path.stem, outs, var))
    return cases


def cost_cse(outs, var):
    repl, red = sp.cse(outs)
    temps = {s for s, _ in repl}
    return cycles(count_program(repl, red, lambda a: a in temps or var(a)), TABLE)


def cost_simplify_cse(outs, var, timeout):
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        simp = [sp.simplify(o) for o in outs]
    except _Timeout:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return cost_cse(simp, var)


def timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--simplify-timeout", type=float, default=10.0)
    ap.add_argument("--only", nargs="*", default=None)
    args = ap.parse_args(argv)

    cases = stdlib_cases()
    net, net_var = reaction_network(50, 200, seed=0)
    st, st_var = stencil_reaction()
    cases += [("reaction network 50x200", net, net_var), ("9pt+5pt stencil + cubic", st, st_var)]
    if args.only:
        cases = [c for c in cases if any(o in c[0] for o in args.only)]

    rows = []
    head = ("model", "orig", "cse", "simp+cse", "eqc", "eqc/cse", "t cse", "t simp", "t eqc", "stop")
    for name, outs, var in cases:
        orig = cycles(count_ops(outs, var), TABLE)
        c_cse, t_cse = timed(lambda outs=outs, var=var: cost_cse(outs, var), args.repeats)
        t0 = time.perf_counter()
        c_simp = cost_simplify_cse(outs, var, args.simplify_timeout)
        t_simp = time.perf_counter() - t0
        prog, t_eqc = timed(lambda outs=outs, var=var: optimize(outs, var, RewriteOptions()), args.repeats)
        c_eqc = prog.report.cost_after
        rows.append(
            (
                name,
                f"{orig:g}",
                f"{c_cse:g}",
                "timeout" if c_simp is None else f"{c_simp:g}",
                f"{c_eqc:g}",
                f"{c_eqc / c_cse:.2f}" if c_cse else "-",
                f"{t_cse * 1e3:.0f} ms",
                f"{t_simp:.1f} s",
                f"{t_eqc * 1e3:.0f} ms",
                prog.report.stop + (" (fallback)" if prog.report.fallback else ""),
            )
        )
        print(f"  {name}: done", file=sys.stderr)
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    print()
    print("cost: cycles per grid point under eqc's cost model (add/mul 1, div/sqrt 15, exp/log/sin/cos 40,")
    print("pow 80; invariants hoisted and free; same counter for every column); times: median of")
    print(f"{args.repeats} runs (simplify: one run, limit {args.simplify_timeout:g} s per model).")
    print("command: python benchmarks/egraph.py " + " ".join(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
