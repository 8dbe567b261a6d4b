"""Per-point cycle cost and compile time: original vs sympy.cse vs simplify+cse vs eqc.

For every standard model's discretised kernel, a seeded mass-action reaction network
(50 species, 200 reactions) and a 9-point + 5-point stencil with a cubic reaction, the
table gives the cost of the right-hand side under eqc's cycle model
(``eqc.compiler.rewrite.cost``, the same counter for every column: loop-invariant work
is free, each temporary counted once), and the median compile time of each method.

    python benchmarks/egraph.py [--repeats 3] [--simplify-timeout 10] [--only NAME ...]
                                [--seeds 0 1 2 3 4] [--runtime]

``--seeds`` splits the reaction network's cost into additions and multiplications for
networks of these seeds (sympy.cse, sympy.cse + eqc's pair sharing, eqc), for the
benchmark's network and for variants with reversible pairs and shared rate constants, next
to the floor no cancellation-free summation of the same products goes below
(``eqc.compiler.rewrite.bound``). ``--runtime``
also times the right-hand side of the reaction network (2,048 points, whose 100 arrays stay
in cache, and 20,000 points) and of the stencil case (512x512) through the numba and llvm
backends, and the network's fused Euler and RK4 steps (llvm), with sympy.cse (the
pipeline's ``cse_kernel``) and with the rewriter, alternating the two in rounds, each row
in 3 fresh processes.
"""

from __future__ import annotations

import argparse
import pathlib
import signal
import statistics
import sys
import time

import sympy as sp
from _table import print_table  # benchmarks/ is on the path of a script run from it
from eqc.compiler.ir.symbols import coord
from eqc.compiler.rewrite import RewriteOptions, optimize
from eqc.compiler.rewrite.bound import addition_floor, signed_terms
from eqc.compiler.rewrite.cost import (
    count_ops,
    count_program,
    cse_cost,
    cse_ops,
    cse_program,
    cycles,
)
from eqc.compiler.rewrite.emit import Names
from eqc.compiler.rewrite.monomial import monomial_program
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


def runtime_cases(points: int = 20000):
    """KernelIRs (without a body) for the run-time comparison: the network on ``points``
    points, the stencil case on 512^2."""
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
    g_net = Grid(("x",), (0.0,), (1.0,), (points,), (True,), 1)
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
    return [(f"reaction network 50x200, {points} points", k_net, g_net, p_net),
            ("9pt+5pt stencil + cubic, 512^2", k_st, g_st, p_st)]


def _serial_rhs(backend: str, kernel, grid, params):
    if backend == "numba":
        from eqc.backends.numba import compile_kernel
        from eqc.compiler.options import BackendOptions

        return compile_kernel(kernel, BackendOptions(parallel=False)).rhs(grid, params)
    from eqc.backends.llvm import LLVMOptions, compile_kernel

    return compile_kernel(kernel, LLVMOptions(threads=1, cache=False)).rhs(grid, params)


def _time_steps(name, kernels, grid, params, method: str, rounds: int, steps: int) -> dict:
    """Fused explicit steps (the llvm backend's ``advance``, one thread) of each kernel,
    alternating per round; ``diff``: the largest difference of the final states."""
    import numpy as np
    from eqc.backends.llvm import LLVMOptions, compile_kernel
    from eqc.runtime.steppers import TABLEAUS

    advance = {label: compile_kernel(kk, LLVMOptions(threads=1, cache=False)).advance(grid, params, TABLEAUS[method], 1e-4)
               for label, kk in kernels.items()}
    nfields = len(next(iter(kernels.values())).fields)
    y0 = np.random.default_rng(0).uniform(0.5, 1.5, size=(nfields, *grid.padded_shape))
    ys = {label: y0.copy() for label in advance}
    times: dict[str, list[float]] = {label: [] for label in advance}
    for label, adv in advance.items():
        adv(ys[label], 0.0, 1)  # warm-up
    for _ in range(rounds):
        for label, adv in advance.items():
            t0 = time.perf_counter()
            adv(ys[label], 0.0, steps)
            times[label].append((time.perf_counter() - t0) / steps)
    inner = (slice(None), *grid.interior)
    return {
        "name": f"{name}, {method} step",
        "cse": statistics.median(times["cse"]),
        "eqc": statistics.median(times["eqc"]),
        "paired": statistics.median([c / e for c, e in zip(times["cse"], times["eqc"], strict=True)]),
        "diff": float(np.max(np.abs(ys["cse"][inner] - ys["eqc"][inner]))),
    }


def _time_case(case: int, backend: str, points: int, rounds: int, calls: int) -> dict:
    """One process's timing of one case: cse's and eqc's kernels alternating per round.
    ``backend`` "llvm-euler" or "llvm-rk4": fused steps of that method, ``calls`` steps a round."""
    from dataclasses import replace

    import numpy as np
    from eqc.compiler.ir.kernel import access
    from eqc.compiler.passes.lower import cse_kernel
    from eqc.compiler.rewrite import rewrite_kernel

    name, k, grid, params = runtime_cases(points)[case]
    if backend.startswith("llvm-"):
        kernels = {"cse": cse_kernel(k), "eqc": rewrite_kernel(k)}
        return _time_steps(name, kernels, grid, params, backend.removeprefix("llvm-"), rounds, calls)
    rng = np.random.default_rng(0)
    y = rng.uniform(0.5, 1.5, size=(len(k.fields), *grid.padded_shape))
    fns = {}
    # "copy": each output its own field, so the same arrays are read and written with no
    # arithmetic (the memory traffic's share of a call)
    axes = tuple(a.name for a in k.axes)
    copy = replace(k, name=k.name + "_copy", outputs=tuple(access(f, (0,) * len(axes), axes) for f in k.fields))
    for label, kk in (("cse", cse_kernel(k)), ("eqc", rewrite_kernel(k)), ("copy", cse_kernel(copy))):
        fns[label] = _serial_rhs(backend, kk, grid, params)
        fns[label](0.0, y.copy(), np.zeros_like(y))  # JIT + warm-up
    # The rounds cycle through 8 placements of the input against the outputs (offsets of
    # 0-3.5 KiB mod 4 KiB): a load from one array and a store to another with the same
    # address mod 4 KiB stall each other (4K aliasing), and which program that hits first
    # depends on where the allocator put the arrays: one fixed placement made the stencil
    # case's eqc program 10 % slower than cse's, another 20 % faster.
    def placed(shape, lines: int) -> np.ndarray:
        size = int(np.prod(shape))
        buf = np.zeros(size + 8 * 64 + 8)
        buf[:] = 0.0  # touched now, so no round pays the page faults
        start = (-buf.ctypes.data % 64) // 8 + 8 * lines
        return buf[start:start + size].reshape(shape)

    placements = []
    for m in range(8):
        yy = placed(y.shape, 0)
        yy[...] = y
        placements.append((yy, {label: placed(y.shape, 8 * m) for label in fns}))
    times: dict[str, list[float]] = {label: [] for label in fns}
    for r in range(rounds):  # alternating, so a change in the machine's load hits both alike
        yy, outs_r = placements[r % len(placements)]
        for label, f in fns.items():
            out = outs_r[label]
            t0 = time.perf_counter()
            for _ in range(calls):
                f(0.0, yy, out)
            times[label].append((time.perf_counter() - t0) / calls)
    outs = outs_r  # the last round's outputs
    inner = (slice(None), *grid.interior)
    return {
        "name": name,
        "cse": statistics.median(times["cse"]),
        "eqc": statistics.median(times["eqc"]),
        "copy": statistics.median(times["copy"]),
        "paired": statistics.median([c / e for c, e in zip(times["cse"], times["eqc"], strict=True)]),
        "diff": float(np.max(np.abs(outs["cse"][inner] - outs["eqc"][inner]))),
    }


def _split(ops) -> str:
    return f"{ops.get('add', 0)} + {ops.get('mul', 0)}"


NETWORK_VARIANTS = {
    "50x200": {},
    "50x200 reversible": {"reversible": True},
    "50x200 10 constants": {"constants": 10},
    "50x200 reversible, 10 constants": {"reversible": True, "constants": 10},
}


def _unit(e: sp.Expr) -> sp.Expr:
    """``e`` with every numeric factor but its sign dropped (a summation may avoid them)."""
    return e.replace(lambda x: x.is_Mul and x.args[0].is_Number and abs(x.args[0]) != 1,
                     lambda x: sp.sign(x.args[0]) * x.func(*x.args[1:]))


def _product_muls(assignments, sums, var) -> int:
    """The multiplications of a program's products, numeric factors not counted."""
    temps = {s for s, _ in assignments}
    body = [(s, _unit(e)) for s, e in assignments]
    return count_program(body, [_unit(o) for o in sums], lambda a: a in temps or var(a)).get("mul", 0)


def _floors(outs, var) -> tuple[float, float]:
    """The cheapest cost any cancellation-free summation reaches (``rewrite.bound``) with
    sympy.cse's products (the rates) and with the products of eqc's per-monomial plan:
    each plan's multiplications (without those by numbers, e.g. a stoichiometric 2) plus
    the additions floor of its sums."""
    repl, red = cse_program(outs)
    rates = _product_muls(repl, red, var) + addition_floor([signed_terms(o) for o in outs])
    names = Names({str(s) for o in outs for s in o.free_symbols})
    inv, body, sums = monomial_program(outs, var, names)
    return rates, _product_muls(inv + body, sums, var) + addition_floor([signed_terms(o) for o in sums])


def networks(seeds) -> None:
    """Where the reaction network's cycles go, seed by seed: additions + multiplications of
    sympy.cse, of sympy.cse followed by eqc's pair sharing (the ``sympy-cse`` engine), and of
    eqc, next to the cycles a
    0.90x target allows; for the benchmark's network (every reaction its own constant) and
    for variants with reversible pairs and/or rate constants shared by several reactions."""
    print()
    head = ("network", "seed", "cse add+mul", "cse + pair sharing", "eqc add+mul", "eqc/cse", "0.90 x cse",
            "floor rates / eqc products", "floor/cse", "t eqc")
    rows = []
    for label, kw in NETWORK_VARIANTS.items():
        for seed in seeds:
            outs, var = reaction_network(50, 200, seed=seed, **kw)
            c = cse_ops(outs, var)
            t0 = time.perf_counter()
            eqc = optimize(outs, var, RewriteOptions()).report
            t_eqc = time.perf_counter() - t0
            cc = cycles(c, TABLE)
            plain = optimize(outs, var, RewriteOptions(engine="sympy-cse")).report
            f_rates, f_eqc = _floors(outs, var)
            rows.append((label, str(seed), _split(c), _split(dict(plain.ops_after)), _split(dict(eqc.ops_after)),
                         f"{eqc.cost_after / cc:.3f}", f"{0.9 * cc:.0f}", f"{f_rates:.0f} / {f_eqc:.0f}",
                         f"{min(f_rates, f_eqc) / cc:.3f}", f"{t_eqc * 1e3:.0f} ms"))
    print_table(head, rows)
    print("add+mul: additions (subtractions included) + multiplications per point; negations are free.")
    print("floor: the least add+mul of any program that sums the rates (sympy.cse's products) or eqc's")
    print("per-monomial products without adding a term and subtracting it again: the plan's multiplications")
    print("(those by numbers not counted) plus the additions floor of compiler/rewrite/bound.py (a proven")
    print("lower bound, not a program).")


def runtime(procs: int = 3, rounds: int = 32, calls: int = 5) -> None:
    """Each case timed in ``procs`` fresh processes (this machine's timings of a kernel
    that streams 100 arrays swing 2-3x between processes with the same arrays), reported
    as the median over processes of each process's paired ratio."""
    import json
    import subprocess

    print()
    head = ("kernel (serial)", "backend", "cse", "eqc", "copy", "speed-up cse/eqc", "per process")
    rows = []
    combos = [(0, b, pts) for pts in (2048, 20000) for b in ("numba", "llvm", "llvm-euler", "llvm-rk4")]
    combos += [(1, b, 20000) for b in ("numba", "llvm")]
    for case, backend, pts in combos:
        res = []
        for _ in range(procs):
            cmd = [sys.executable, __file__, "--runtime-worker", str(case), backend, str(pts), str(rounds), str(calls)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            res.append(json.loads(out.strip().splitlines()[-1]))
        ratios = sorted(r["paired"] for r in res)
        rows.append((res[0]["name"], backend, f"{statistics.median(r['cse'] for r in res) * 1e3:.2f} ms",
                     f"{statistics.median(r['eqc'] for r in res) * 1e3:.2f} ms",
                     f"{statistics.median(r['copy'] for r in res) * 1e3:.2f} ms" if "copy" in res[0] else "-",
                     f"{statistics.median(ratios):.2f}",
                     " ".join(f"{x:.2f}" for x in ratios)))
        print(f"  {res[0]['name']} ({backend}): timed, max |diff| {max(r['diff'] for r in res):.1e}", file=sys.stderr)
    print_table(head, rows)
    print(f"cse, eqc: time of one right-hand side call, or of one fused step (llvm-euler, llvm-rk4: the"
          f" backend's advance loop, 1 thread); {procs} fresh processes per row, each {rounds} rounds of"
          f" {calls} calls (steps) with cse and eqc alternating, the rhs rounds cycling through 8 placements"
          " of the input against the outputs; speed-up: median over processes of each one's median"
          " per-round ratio; copy: the same call with each output its own field (the arrays read and"
          " written, no arithmetic)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--simplify-timeout", type=float, default=10.0)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--seeds", type=int, nargs="*", default=None,
                    help="also split the network's cost into additions and multiplications for these seeds")
    ap.add_argument("--runtime", action="store_true", help="also time the kernels (numba and llvm backends)")
    ap.add_argument("--runtime-worker", nargs=5, metavar=("CASE", "BACKEND", "POINTS", "ROUNDS", "CALLS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.runtime_worker:
        import json

        c, b, pts, rounds, calls = args.runtime_worker
        print(json.dumps(_time_case(int(c), b, int(pts), int(rounds), int(calls))))
        return

    cases = stdlib_cases()
    net, net_var = reaction_network(50, 200, seed=0)
    st, st_var = stencil_reaction()
    cases += [("reaction network 50x200", net, net_var), ("9pt+5pt stencil + cubic", st, st_var)]
    if args.only:
        cases = [c for c in cases if any(o in c[0] for o in args.only)]

    rows = []
    head = ("model", "orig", "cse", "simp+cse", "eqc", "eqc/cse", "t cse", "t simp", "t eqc", "stop", "kept")
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
                prog.report.stop,
                prog.report.kept,
            )
        )
        print(f"  {name}: done", file=sys.stderr)
    print_table(head, rows)
    print()
    print("cost: cycles per grid point under eqc's cost model (add/mul 1, div/sqrt 15, exp/log/sin/cos 40,")
    print("pow 80; invariants hoisted and free; same counter for every column); times: median of")
    print(f"{args.repeats} runs (simplify: one run, limit {args.simplify_timeout:g} s per model); stop: how")
    print("saturation ended; kept: the candidate whose program eqc kept (egraph: the e-graph's; monomial,")
    print("rates: the per-monomial programs of a polynomial system; rates-cse: sympy.cse of its products,")
    print("flat sums; sympy-cse: sympy.cse's + pair sharing).")
    if args.seeds:
        networks(args.seeds)
    if args.runtime:
        runtime()
    print("command: python benchmarks/egraph.py " + " ".join(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
