"""Per-point cycle cost and compile time: original vs sympy.cse vs simplify+cse vs eqc.

For every standard model's discretised kernel, a seeded mass-action reaction network
(50 species, 200 reactions) and a 9-point + 5-point stencil with a cubic reaction, the
table gives the cost of the right-hand side under eqc's cycle model
(``eqc.compiler.rewrite.cost``, the same counter for every column: loop-invariant work
is free, each temporary counted once), and the median compile time of each method.

    python benchmarks/egraph.py [--repeats 3] [--simplify-timeout 10] [--only NAME ...] [--runtime]

``--runtime`` also times the right-hand side of the reaction network (20,000 points) and
of the stencil case (512x512) through the numba and llvm backends, with sympy.cse (the pipeline's
``cse_kernel``) and with the rewriter, alternating the two in rounds on one machine.
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
from eqc.compiler.rewrite.cost import count_ops, cse_cost, cycles
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
    """sympy.cse over all outputs, accesses hidden as symbols (as ``cse_kernel`` does)."""
    return cse_cost(outs, var, TABLE)


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


def runtime_cases():
    """KernelIRs (without a body) for the numba run-time comparison."""
    from eqc.compiler.ir.kernel import KernelAxis, KernelIR
    from eqc.runtime.grid import Grid

    net, _ = reaction_network(50, 200, seed=0)
    k_net = KernelIR(
        name="reaction_network",
        fields=tuple(f"c{i}" for i in range(50)),
        axes=(KernelAxis("x", True, 1),),
        params=tuple(f"k{j}" for j in range(200)),
        outputs=tuple(net),
    )
    g_net = Grid(("x",), (0.0,), (1.0,), (20000,), (True,), 1)
    p_net = {f"k{j}": 0.1 + 0.01 * j for j in range(200)}
    st, _ = stencil_reaction()
    k_st = KernelIR(
        name="stencil_reaction",
        fields=("u", "v"),
        axes=(KernelAxis("x", True, 1), KernelAxis("y", True, 1)),
        params=("Du", "Dv", "eps", "a", "b"),
        outputs=tuple(st),
    )
    g_st = Grid(("x", "y"), (0.0, 0.0), (1.0, 1.0), (512, 512), (True, True), 1)
    p_st = {"Du": 1e-3, "Dv": 5e-4, "eps": 0.1, "a": 0.7, "b": 0.8}
    return [("reaction network 50x200", k_net, g_net, p_net), ("9pt+5pt stencil + cubic", k_st, g_st, p_st)]


def _serial_rhs(backend: str, kernel, grid, params):
    if backend == "numba":
        from eqc.backends.numba import compile_kernel
        from eqc.compiler.options import BackendOptions

        return compile_kernel(kernel, BackendOptions(parallel=False)).rhs(grid, params)
    from eqc.backends.llvm import LLVMOptions, compile_kernel

    return compile_kernel(kernel, LLVMOptions(threads=1, cache=False)).rhs(grid, params)


def runtime(rounds: int = 40, calls: int = 5) -> None:
    import numpy as np
    from eqc.compiler.passes.lower import cse_kernel
    from eqc.compiler.rewrite import rewrite_kernel

    print()
    head = ("kernel (serial)", "backend", "cse rhs", "eqc rhs", "cse/eqc speed-up", "paired [q1, q3]", "max |diff|")
    rows = []
    for (name, k, grid, params), backend in ((c, b) for c in runtime_cases() for b in ("numba", "llvm")):
        rng = np.random.default_rng(0)
        y = rng.uniform(0.5, 1.5, size=(len(k.fields), *grid.padded_shape))
        fns, outs = {}, {}
        for label, kk in (("cse", cse_kernel(k)), ("eqc", rewrite_kernel(k))):
            fns[label] = _serial_rhs(backend, kk, grid, params)
            outs[label] = np.zeros_like(y)
            fns[label](0.0, y.copy(), outs[label])  # JIT + warm-up
        times: dict[str, list[float]] = {"cse": [], "eqc": []}
        yy = y.copy()
        for _ in range(rounds):  # alternating, so a change in the machine's load hits both alike
            for label, f in fns.items():
                out = outs[label]
                t0 = time.perf_counter()
                for _ in range(calls):
                    f(0.0, yy, out)
                times[label].append((time.perf_counter() - t0) / calls)
        inner = (slice(None), *grid.interior)
        diff = float(np.max(np.abs(outs["cse"][inner] - outs["eqc"][inner])))
        tc, te = statistics.median(times["cse"]), statistics.median(times["eqc"])
        q1, q2, q3 = statistics.quantiles([c / e for c, e in zip(times["cse"], times["eqc"], strict=True)], n=4)
        rows.append((name, backend, f"{tc * 1e3:.2f} ms", f"{te * 1e3:.2f} ms", f"{tc / te:.2f}",
                     f"{statistics.median([c / e for c, e in zip(times['cse'], times['eqc'], strict=True)]):.2f}"
                     f" [{q1:.2f}, {q3:.2f}]", f"{diff:.1e}"))
        print(f"  {name} ({backend}): timed", file=sys.stderr)
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    print(f"rhs: median over {rounds} rounds of {calls} calls each, cse and eqc alternating; paired: the"
          " ratio cse time / eqc time within each round, median and quartiles")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--simplify-timeout", type=float, default=10.0)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--runtime", action="store_true", help="also time the numba kernels")
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
    if args.runtime:
        runtime()
    print("command: python benchmarks/egraph.py " + " ".join(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
