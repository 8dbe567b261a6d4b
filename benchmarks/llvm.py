"""LLVM backend vs the numba backend vs hand-written C (gcc -O3 -march=native -fopenmp),
side by side in one run: Burgers 1D RK4, Gray–Scott 2D and heat 2D (forward Euler, as the
C kernels), on 1 and 2 threads, each kernel through eqc's rewriter as ``eqc.compile``
does (``--raw``: as written); plus the compile time (IR build + O3 + JIT) per model.
"llvm" is the backend as it runs (these kernels pipelined: chunks of rows
through several steps in cache, backends/llvm/pipeline.py); "llvm staged" is the same
kernel run stage by stage over whole arrays, one step per sweep, as the C kernels are.
``heat_walls`` (heat with Dirichlet walls across x) has no C kernel: llvm, staged and numba;
nor has ``network`` (a 50-species reaction network at 20,000 points, RK4: pointwise, each
chunk of points through all steps with every stage in registers).

    nice python benchmarks/llvm.py [--quick] [--threads 1,2] [--repeat 5] [--procs 3]

Prints a table of medians (Mcell-updates/s; ratio = llvm rate / other rate, >1 means
llvm is faster) and the command that made it. Rounds are interleaved across contenders;
the machine may be shared: compare ratios from one run, not absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sympy as sp
from eqc.backends.llvm import LLVMOptions, compile_kernel
from eqc.compiler.ir.kernel import KernelAxis, KernelIR, access
from eqc.compiler.ir.symbols import param, spacing
from eqc.runtime.grid import Grid
from eqc.runtime.steppers import TABLEAUS

HERE = Path(__file__).resolve().parent


# -- the kernels, as discretisation writes them (second-order centred, periodic) -------------

def burgers(n: int):
    ax = ("x",)
    u = lambda d: access("u", (d,), ax)  # noqa: E731
    h, nu = spacing("x"), param("nu")
    rhs = -u(0) * (u(1) - u(-1)) / (2 * h) + nu * (u(1) - 2 * u(0) + u(-1)) / h**2
    k = KernelIR("burgers", ("u",), (KernelAxis("x", True, 1),), ("nu",), (rhs,))
    return k, Grid(ax, (0.0,), (2 * np.pi,), (n,), (True,), 1), {"nu": 0.05}


def _lap(f, ax=("x", "y")):
    a = lambda dx, dy: access(f, (dx, dy), ax)  # noqa: E731
    hx, hy = spacing("x"), spacing("y")
    return (a(1, 0) + a(-1, 0) - 2 * a(0, 0)) / hx**2 + (a(0, 1) + a(0, -1) - 2 * a(0, 0)) / hy**2


def gray_scott(n: int):
    ax = ("x", "y")
    Du, Dv, F, kk = (param(s) for s in ("Du", "Dv", "F", "k"))
    r, Fk = sp.Symbol("r"), sp.Symbol("Fk")
    u0, v0 = access("u", (0, 0), ax), access("v", (0, 0), ax)
    k = KernelIR("gray_scott", ("u", "v"), (KernelAxis("x", True, 1), KernelAxis("y", True, 1)),
                 ("Du", "Dv", "F", "k"), (Du * _lap("u") - r + F * (1 - u0), Dv * _lap("v") + r - Fk * v0),
                 body=((r, u0 * v0**2),), invariants=((Fk, F + kk),))
    return k, Grid(ax, (0.0, 0.0), (2.5, 2.5), (n, n), (True, True), 1), {"Du": 2e-5, "Dv": 1e-5, "F": 0.04, "k": 0.06}


def heat(n: int):
    ax = ("x", "y")
    k = KernelIR("heat", ("u",), (KernelAxis("x", True, 1), KernelAxis("y", True, 1)), ("D",),
                 (param("D") * _lap("u"),))
    return k, Grid(ax, (0.0, 0.0), (1.0, 1.0), (n, n), (True, True), 1), {"D": 1.0}


def heat_walls(n: int):
    """Heat 2D with walls across x (u = 0 at x = 0 and x = 1, periodic along y): the
    pipelined loop's wall path. No C kernel (the C kernels are periodic)."""
    from eqc.compiler.ir.kernel import GhostRule

    ax = ("x", "y")
    ghosts = tuple(GhostRule("u", "x", side, 1, -access("u", (0, 0), ax), "dirichlet") for side in ("lo", "hi"))
    k = KernelIR("heat_walls", ("u",), (KernelAxis("x", False, 1), KernelAxis("y", True, 1)), ("D",),
                 (param("D") * _lap("u"),), ghosts=ghosts)
    return k, Grid(ax, (0.0, 0.0), (1.0, 1.0), (n, n), (False, True), 1), {"D": 1.0}


def network(n: int):
    """The seeded mass-action network of 50 species and 200 reactions
    (``eqc.compiler.rewrite.samples.reaction_network``) at each of ``n`` points: no point
    reads a neighbour, so the llvm backend runs it pointwise (all steps per chunk, every
    stage at a point in registers). No C kernel."""
    from eqc.compiler.rewrite.samples import reaction_network

    outs, _ = reaction_network(50, 200, seed=0)
    k = KernelIR("network", tuple(f"c{i}" for i in range(50)), (KernelAxis("x", True, 1),),
                 tuple(f"k{j}" for j in range(200)), tuple(outs))
    return k, Grid(("x",), (0.0,), (1.0,), (n,), (True,), 1), {f"k{j}": 0.1 + 0.01 * j for j in range(200)}


# -- C ------------------------------------------------------------------------------------------

def build_c(tmp: Path) -> tuple[ctypes.CDLL, float]:
    so = tmp / "libbench.so"
    cmd = ["cc", "-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-o", str(so),
           str(HERE / "llvm_ckernels.c")]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    return ctypes.CDLL(str(so)), time.perf_counter() - t0


def c_runner(lib, case: str, grid: Grid, params: dict, dt: float, y0: np.ndarray):
    """A closure running ``steps`` C steps on a copy of the interior of ``y0``."""
    P, D, L, I = ctypes.c_void_p, ctypes.c_double, ctypes.c_long, ctypes.c_int
    interior = np.ascontiguousarray(y0[(slice(None), *grid.interior)])
    h = grid.h
    if case == "burgers":
        fn = lib.burgers_rk4
        fn.argtypes = [P, P, P, P, I, D, D, D, L, I]
        n = grid.n[0]
        bufs = [interior[0].copy(), np.empty(n), np.empty(n), np.empty(n)]
        a, b = 1 / (2 * h[0]), params["nu"] / h[0] ** 2
        return lambda steps, th: fn(*[x.ctypes.data for x in bufs], n, a, b, dt, steps, th)
    if case == "gray_scott":
        fn = lib.gs_steps
        fn.argtypes = [P, P, P, P, I, I, D, D, D, D, D, L, I]
        n, m = grid.n
        bufs = [interior[0].copy(), interior[1].copy(), np.empty((n, m)), np.empty((n, m))]
        cu, cv = dt * params["Du"] / h[0] ** 2, dt * params["Dv"] / h[0] ** 2
        return lambda steps, th: fn(*[x.ctypes.data for x in bufs], n, m, cu, cv, dt, params["F"],
                                    params["F"] + params["k"], steps, th)
    if case != "heat":
        return None
    fn = lib.heat_steps
    fn.argtypes = [P, P, I, I, D, L, I]
    n, m = grid.n
    bufs = [interior[0].copy(), np.empty((n, m))]
    c = dt * params["D"] / h[0] ** 2
    return lambda steps, th: fn(bufs[0].ctypes.data, bufs[1].ctypes.data, n, m, c, steps, th)


# -- the cases ------------------------------------------------------------------------------------

CASES = {
    # name: (kernel maker, size, method, dt, steps, quick steps)
    "burgers": (burgers, 4096, "rk4", 1e-5, 20000, 2000),
    "gray_scott": (gray_scott, 1024, "euler", 1.0, 300, 30),
    "heat": (heat, 2048, "euler", 1e-9, 100, 10),
    "heat_walls": (heat_walls, 2048, "euler", 1e-9, 100, 10),
    "network": (network, 20000, "rk4", 1e-3, 20, 2),
}


# Pause before each timed run. An OpenMP runtime's workers spin for a few milliseconds
# after a parallel region ends (libgomp's GOMP_SPINCOUNT); whatever ran right after the C
# kernel shared the two cores with a spinning thread and lost 3-5 % (measured: the same
# llvm function timed right after C and right after itself, heat 2048^2 on 2 threads).
SETTLE_S = 0.05


def _interleaved_times(runs: dict, repeat: int, settle: float = SETTLE_S) -> dict[str, list[float]]:
    """Wall times of each run, rounds interleaved (A B C A B C ...) so that a change in the
    load of a shared machine hits every contender alike, each run after a ``settle``
    pause; one warm-up round first."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for r in range(repeat + 1):
        for name, run in runs.items():
            time.sleep(settle)
            t0 = time.perf_counter()
            run()
            if r:
                times[name].append(time.perf_counter() - t0)
    return times


def _paired(theirs: list[float], llvm: list[float]) -> tuple[float, float, float]:
    """Quartiles of the per-round ratios llvm rate / this rate (= this time / llvm time)."""
    ratios = [a / b for a, b in zip(theirs, llvm, strict=True)]
    if len(ratios) < 2:
        return (ratios[0],) * 3
    q1, q2, q3 = statistics.quantiles(ratios, n=4)
    return q1, statistics.median(ratios), q3


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="few steps (a smoke run)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--raw", action="store_true",
                    help="the kernels as written, not through eqc's rewriter (as eqc.compile does)")
    ap.add_argument("--no-compile-times", dest="compile_times", action="store_false",
                    help="skip the compile-time table of the stdlib models")
    ap.add_argument("--procs", type=int, default=1,
                    help="repeat the whole measurement in this many fresh processes and report the median"
                         " over them (array placement, and so cache-set and 4K-aliasing luck, differs per process)")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.procs > 1:
        _over_processes(args)
        return
    threads = [int(x) for x in args.threads.split(",")]
    try:
        from eqc.backends import numba as numba_backend

        numba_compile = getattr(numba_backend, "compile_kernel", None)
    except ImportError:
        numba_compile = None
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        lib, c_compile = build_c(Path(tmp))
        for case in args.cases.split(","):
            maker, size, method, dt, steps, quick = CASES[case]
            steps = quick if args.quick else steps
            k, grid, params = maker(size)
            if not args.raw:
                from eqc.compiler.rewrite import rewrite_kernel

                k = rewrite_kernel(k)
            rng = np.random.default_rng(0)
            y0 = np.zeros((len(k.fields), *grid.padded_shape))
            y0[(slice(None), *grid.interior)] = 0.5 + 0.1 * rng.random((len(k.fields), *grid.shape))
            cells = grid.cells * steps
            for th in threads:
                contenders = {}
                t0 = time.perf_counter()
                ck = compile_kernel(k, LLVMOptions(threads=th, cache=False))
                adv = ck.advance(grid, params, TABLEAUS[method], dt)
                llvm_compile = time.perf_counter() - t0
                y = y0.copy()
                contenders["llvm"] = (lambda adv=adv, y=y, steps=steps: adv(y, 0.0, steps), llvm_compile)
                # the same kernel stage by stage over whole arrays (no pipelining across stages/steps)
                t0 = time.perf_counter()
                cks = compile_kernel(k, LLVMOptions(threads=th, cache=False, pipeline=False))
                sadv = cks.advance(grid, params, TABLEAUS[method], dt)
                ys = y0.copy()
                contenders["llvm staged"] = (lambda sadv=sadv, ys=ys, steps=steps: sadv(ys, 0.0, steps),
                                             time.perf_counter() - t0)
                if numba_compile is not None:
                    try:
                        t0 = time.perf_counter()
                        nk = numba_compile(k, _numba_options(th))
                        nadv = nk.advance(grid, params, TABLEAUS[method], dt)
                        yn = y0.copy()
                        nadv(yn, 0.0, 1)
                        ncomp = time.perf_counter() - t0
                        if nadv is not None:
                            contenders["numba"] = (lambda nadv=nadv, yn=yn, steps=steps: nadv(yn, 0.0, steps), ncomp)
                    except Exception as exc:  # a benchmark reports, it does not stop
                        print(f"numba backend failed on {case}: {exc!r}", file=sys.stderr)
                crun = c_runner(lib, case, grid, params, dt, y0)
                if crun is not None:
                    contenders["C gcc -O3"] = (lambda crun=crun, th=th, steps=steps: crun(steps, th), c_compile)
                times = _interleaved_times({name: run for name, (run, _) in contenders.items()}, args.repeat)
                measured = {}
                for name, (_, comp) in contenders.items():
                    med = statistics.median(times[name])
                    measured[name] = (med, cells / med / 1e6, comp)
                for name, (med, rate, comp) in measured.items():
                    rows.append((case, "x".join(map(str, grid.n)), method, steps, th, name, med, rate, comp,
                                 measured["llvm"][1] / rate, _paired(times[name], times["llvm"])))
                ck.close()
                cks.close()
    if args.json:
        import json

        print(json.dumps(rows))
        return
    print("\n| case | grid | method | steps | threads | contender | median s | Mcell-upd/s | compile s |"
          " llvm rate / this | paired, median [q1, q3] |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        q1, q2, q3 = r[10]
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]:.4f} | {r[7]:.0f} | {r[8]:.2f} |"
              f" {r[9]:.2f} | {q2:.2f} [{q1:.2f}, {q3:.2f}] |")
    print("\npaired: the ratio llvm rate / this within each round (the rounds run back to back, so a"
          " change in the machine's load hits both alike), then its median and quartiles.")
    if args.compile_times:
        compile_table()
    print(f"\ncommand: {shlex.join([sys.executable, *sys.argv])}  (cpus: {os.cpu_count()})")


def _over_processes(args) -> None:
    """Run the measurement in ``args.procs`` fresh processes; per row, the median rate and
    the median of the per-process paired medians, with each process's paired median."""
    import json

    one = [sys.executable, __file__, "--threads", args.threads, "--repeat", str(args.repeat), "--cases", args.cases,
           *(["--quick"] if args.quick else []), *(["--raw"] if args.raw else []), "--no-compile-times", "--json"]
    runs = []
    for i in range(args.procs):
        out = subprocess.run(one, check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
        print(f"  process {i + 1}/{args.procs} done", file=sys.stderr)
    print(f"\n| case | grid | method | steps | threads | contender | Mcell-upd/s | llvm rate / this,"
          f" median of {args.procs} processes | per process |")
    print("|---|---|---|---|---|---|---|---|---|")
    for k, r in enumerate(runs[0]):
        rates = [run[k][7] for run in runs]
        paired = sorted(run[k][10][1] for run in runs)
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {statistics.median(rates):.0f} |"
              f" {statistics.median(paired):.2f} | {' '.join(f'{x:.2f}' for x in paired)} |")
    print("\nper process: the median over its rounds of the ratio llvm rate / this within a round.")
    if args.compile_times:
        compile_table()
    print(f"\ncommand: {shlex.join([sys.executable, *sys.argv])}  (cpus: {os.cpu_count()})")


def compile_table() -> None:
    """Compile time of every stdlib model: JIT (IR build + O3 + MCJIT, rhs module plus the
    fused RK4 module) and AOT (IR build + O3 + object + cc -shared link)."""
    from eqc.backends.llvm.aot import build_shared_library
    from eqc.compiler.pipeline import lower_model

    import eqc

    stdlib = Path(eqc.__file__).resolve().parent.parent / "stdlib"
    print("\n| model | JIT rhs + rk4 s | AOT .so s |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for pde in sorted(stdlib.glob("*.pde")):
            kernel = lower_model(eqc.load(f"stdlib:{pde.stem}"))
            t0 = time.perf_counter()
            ck = compile_kernel(kernel, LLVMOptions(threads=1, cache=False))
            if not kernel.steady and not kernel.constraints:
                ck._method(_rk4())
            jit = time.perf_counter() - t0
            t0 = time.perf_counter()
            build_shared_library(kernel, Path(tmp) / f"lib{pde.stem}.so")
            aot = time.perf_counter() - t0
            print(f"| {pde.stem} | {jit:.2f} | {aot:.2f} |")


def _rk4():
    from eqc.backends.llvm.codegen import Tableau

    return Tableau.from_any(TABLEAUS["rk4"])


def _numba_options(threads: int):
    """The numba backend on ``threads`` threads (its serial variant for one)."""
    from eqc.compiler.options import BackendOptions

    if threads > 1:  # numba's own disk cache stays on (its compile time is then a load)
        import numba

        numba.set_num_threads(threads)
    return BackendOptions(parallel=threads > 1)


if __name__ == "__main__":
    main()
