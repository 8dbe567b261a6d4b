"""numba right-hand sides of many fields: LLVM's run-time alias-check limit, before and after.

A random mass-action network of F species (``rewrite.samples.reaction_network``, 4F
reactions) on 20 000 points, its rewritten right-hand side compiled by the numba backend
(serial, no disk cache) in a fresh process per row, with LLVM's
``-vectorize-memory-check-threshold`` at its default (128: loops over more than 8 fields
stay scalar) and at eqc's setting (1024, ``backends/numba/compiled.py``), next to the llvm
backend (arrays marked ``noalias``: no checks needed) as the reference.

    python benchmarks/numba_fields.py [--fields 4 8 12 16 20 24 50] [--calls 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from _table import print_table  # benchmarks/ is on the path of a script run from it


def worker(fields: int, backend: str, calls: int) -> dict:
    import numpy as np
    from eqc.compiler.ir.kernel import KernelAxis, KernelIR
    from eqc.compiler.rewrite import rewrite_kernel
    from eqc.compiler.rewrite.samples import reaction_network
    from eqc.runtime.grid import Grid

    outs, _ = reaction_network(fields, 4 * fields, seed=0)
    k = rewrite_kernel(KernelIR(name=f"network{fields}", fields=tuple(f"c{i}" for i in range(fields)),
                                axes=(KernelAxis("x", True, 1),), params=tuple(f"k{j}" for j in range(4 * fields)),
                                outputs=tuple(outs)))
    grid = Grid(("x",), (0.0,), (1.0,), (20_000,), (True,), 1)
    params = {f"k{j}": 0.1 + 0.01 * j for j in range(4 * fields)}
    t0 = time.perf_counter()
    if backend == "llvm":
        from eqc.backends.llvm import LLVMOptions, compile_kernel

        rhs = compile_kernel(k, LLVMOptions(threads=1, cache=False)).rhs(grid, params)
    else:
        from eqc.backends.numba import compile_kernel
        from eqc.compiler.options import BackendOptions

        rhs = compile_kernel(k, BackendOptions(parallel=False, cache=False)).rhs(grid, params)
    y = np.random.default_rng(0).uniform(0.5, 1.5, size=(fields, *grid.padded_shape))
    out = np.zeros_like(y)
    rhs(0.0, y, out)  # JIT
    compile_s = time.perf_counter() - t0
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        rhs(0.0, y, out)
        times.append(time.perf_counter() - t)
    return {"compile": compile_s, "call": statistics.median(times)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fields", type=int, nargs="*", default=[4, 8, 12, 16, 20, 24, 50])
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument("--worker", nargs=2, metavar=("FIELDS", "BACKEND"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(int(args.worker[0]), args.worker[1], args.calls)))
        return
    runs = (("numba, 128 checks (LLVM default)", "numba", "128"), ("numba, 1024 checks (eqc)", "numba", "1024"),
            ("llvm", "llvm", "1024"))
    head = ["fields"] + [f"{label}: compile / call" for label, _, _ in runs] + ["numba 128 / 1024"]
    rows = []
    for f in args.fields:
        res = []
        for _, backend, checks in runs:
            env = dict(os.environ, EQC_NUMBA_ALIAS_CHECKS=checks)
            out = subprocess.run([sys.executable, __file__, "--worker", str(f), backend, "--calls", str(args.calls)],
                                 capture_output=True, text=True, check=True, env=env).stdout
            res.append(json.loads(out.strip().splitlines()[-1]))
        rows.append([str(f)] + [f"{r['compile']:.1f} s / {r['call'] * 1e3:.3f} ms" for r in res]
                    + [f"{res[0]['call'] / res[1]['call']:.2f}"])
        print(f"  {f} fields timed", file=sys.stderr)
    print_table(head, rows)
    print(f"compile: kernel build + first call (JIT), no disk cache; call: median of {args.calls} serial rhs calls on")
    print("20 000 points, one fresh process per cell; network of F species and 4F reactions (seed 0), rewritten.")
    print(f"command: python benchmarks/numba_fields.py --fields {' '.join(map(str, args.fields))} --calls {args.calls}")


if __name__ == "__main__":
    main()
