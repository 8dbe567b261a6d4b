"""Classical-path benchmark: eqc's generated numba kernels (and its llvm backend's,
contender ``eqc-llvm``) against a hand-written expert numba kernel, plain NumPy and py-pde,
side by side in one process.

py-pde's Runge–Kutta is Dormand–Prince 5(4) at a fixed step (it has no classic RK4), so on
Burgers it does more work per step than the others.

Cases (float64, periodic, second-order central differences, the same steps for everyone):
heat 2D (explicit Euler, D dt/h^2 = 0.2) at 512^2 and 2048^2, Gray–Scott 2D (Euler,
Du dt/h^2 = 0.2) at 256^2 and 1024^2, viscous Burgers 1D (classic RK4) at N = 4096.
Reported: medians of Mcell-updates/s, ratios, JIT/compile time, the fraction of the
memory bandwidth of a STREAM-like triad measured in the same run (heat: 16 bytes per cell
per step), and eqc's time to the first step from a cold and a warm kernel cache, per backend.

    python benchmarks/classical.py            # full (a few minutes)
    python benchmarks/classical.py --quick    # short
    python benchmarks/classical.py --cases heat512,gs256 --contenders eqc,expert

The machine may be shared: numbers are noisy, ratios from one run are what count.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from eqc.runtime.steppers import TABLEAUS
from numba import njit, prange

import eqc

FLAGS = dict(fastmath=True, cache=False, boundscheck=False, error_model="numpy")

# ------------------------------------------------------------------ problems
CASES = {
    # name: (problem, n, steps, quick steps)
    "heat512": ("heat", 512, 2000, 200),
    "heat2048": ("heat", 2048, 100, 20),
    "gs256": ("gs", 256, 3000, 300),
    "gs1024": ("gs", 1024, 200, 30),
    "burgers4096": ("burgers", 4096, 20000, 2000),
}
P = {
    "heat": dict(D=1.0, h=1.0, dt=0.2),
    "gs": dict(Du=0.2, Dv=0.1, F=0.04, k=0.06, h=1.0, dt=1.0),
    "burgers": dict(nu=0.01, L=2 * math.pi, dt=1e-4),
}
BYTES_PER_CELL = {"heat": 16, "gs": 32}


def initial(problem: str, n: int, seed: int = 1234) -> tuple[np.ndarray, ...]:
    """Initial data that keeps every value normal (no subnormal slow-down)."""
    rng = np.random.default_rng(seed)
    if problem == "heat":
        return (rng.random((n, n)),)
    if problem == "gs":
        u, v = np.ones((n, n)), np.zeros((n, n))
        for i, j in rng.integers(0, n, size=(max(1, n * n // 400), 2)):
            rows, cols = np.arange(i, i + 8) % n, np.arange(j, j + 8) % n
            u[np.ix_(rows, cols)] = 0.5
            v[np.ix_(rows, cols)] = 0.25
        return (u + 0.02 * rng.random((n, n)), v + 0.02 * rng.random((n, n)))
    x = np.arange(n) * (P["burgers"]["L"] / n)
    return (0.5 + np.sin(x) + 0.05 * np.sin(7 * x),)


def model_text(problem: str, n: int) -> str:
    if problem == "heat":
        return f"""model bench_heat
domain x in [0, {n}] periodic
domain y in [0, {n}] periodic
grid {n} x {n}
param D = 1.0
field u
dt(u) = D*lap(u)
init u = 0
"""
    if problem == "gs":
        return f"""model bench_gs
domain x in [0, {n}] periodic
domain y in [0, {n}] periodic
grid {n} x {n}
param Du = 0.2
param Dv = 0.1
param F = 0.04
param k = 0.06
field u, v
dt(u) = Du*lap(u) - u*v^2 + F*(1 - u)
dt(v) = Dv*lap(v) + u*v^2 - (F + k)*v
init u = 1
init v = 0
"""
    return f"""model bench_burgers
domain x in [0, 2*pi] periodic
grid {n}
param nu = 0.01
field u
dt(u) = -u*d(u, x) + nu*lap(u)
init u = 0
"""


METHOD = {"heat": "euler", "gs": "euler", "burgers": "rk4"}


# ------------------------------------------------------------------ expert numba kernels
# The ideas of an expert hand-written kernel: the whole time loop compiled, prange over rows,
# 1-D row views so the unit-stride inner loop vectorises, periodic columns peeled, double
# buffering, no allocation in the loop; a serial loop for the cache-resident 1-D case.
@njit(parallel=True, **FLAGS)
def heat_expert(u, w, c, steps):
    n, m = u.shape
    for _ in range(steps):
        for i in prange(n):
            um = u[i - 1] if i > 0 else u[n - 1]
            up = u[i + 1] if i < n - 1 else u[0]
            uc, o = u[i], w[i]
            o[0] = uc[0] + c * (um[0] + up[0] + uc[m - 1] + uc[1] - 4.0 * uc[0])
            for j in range(1, m - 1):
                o[j] = uc[j] + c * (um[j] + up[j] + uc[j - 1] + uc[j + 1] - 4.0 * uc[j])
            o[m - 1] = uc[m - 1] + c * (um[m - 1] + up[m - 1] + uc[m - 2] + uc[0] - 4.0 * uc[m - 1])
        u, w = w, u
    return u


@njit(parallel=True, **FLAGS)
def gs_expert(u, v, u2, v2, cu, cv, dt, F, Fk, steps):
    n, m = u.shape
    for _ in range(steps):
        for i in prange(n):
            im = i - 1 if i > 0 else n - 1
            ip = i + 1 if i < n - 1 else 0
            um, uc, up, vm, vc, vp = u[im], u[i], u[ip], v[im], v[i], v[ip]
            ou, ov = u2[i], v2[i]
            a, b = uc[0], vc[0]
            uvv = a * b * b
            ou[0] = a + cu * (um[0] + up[0] + uc[m - 1] + uc[1] - 4.0 * a) + dt * (F * (1.0 - a) - uvv)
            ov[0] = b + cv * (vm[0] + vp[0] + vc[m - 1] + vc[1] - 4.0 * b) + dt * (uvv - Fk * b)
            for j in range(1, m - 1):
                a, b = uc[j], vc[j]
                uvv = a * b * b
                ou[j] = a + cu * (um[j] + up[j] + uc[j - 1] + uc[j + 1] - 4.0 * a) + dt * (F * (1.0 - a) - uvv)
                ov[j] = b + cv * (vm[j] + vp[j] + vc[j - 1] + vc[j + 1] - 4.0 * b) + dt * (uvv - Fk * b)
            j = m - 1
            a, b = uc[j], vc[j]
            uvv = a * b * b
            ou[j] = a + cu * (um[j] + up[j] + uc[j - 1] + uc[0] - 4.0 * a) + dt * (F * (1.0 - a) - uvv)
            ov[j] = b + cv * (vm[j] + vp[j] + vc[j - 1] + vc[0] - 4.0 * b) + dt * (uvv - Fk * b)
        u, u2 = u2, u
        v, v2 = v2, v
    return u, v


@njit(parallel=False, **FLAGS)
def burgers_expert(u, y, z, acc, a, b, dt, steps):
    """RK4 in 4 fused sweeps: each evaluates f once, writes the next stage input and the
    running weighted sum."""
    n = u.shape[0]
    h2 = 0.5 * dt
    for _ in range(steps):
        for i in range(n):  # k1 = f(u); y = u + dt/2 k1
            im = i - 1 if i > 0 else n - 1
            ip = i + 1 if i < n - 1 else 0
            k = -u[i] * (u[ip] - u[im]) * a + b * (u[ip] - 2.0 * u[i] + u[im])
            acc[i] = k
            y[i] = u[i] + h2 * k
        for i in range(n):  # k2 = f(y); z = u + dt/2 k2
            im = i - 1 if i > 0 else n - 1
            ip = i + 1 if i < n - 1 else 0
            k = -y[i] * (y[ip] - y[im]) * a + b * (y[ip] - 2.0 * y[i] + y[im])
            acc[i] += 2.0 * k
            z[i] = u[i] + h2 * k
        for i in range(n):  # k3 = f(z); y = u + dt k3
            im = i - 1 if i > 0 else n - 1
            ip = i + 1 if i < n - 1 else 0
            k = -z[i] * (z[ip] - z[im]) * a + b * (z[ip] - 2.0 * z[i] + z[im])
            acc[i] += 2.0 * k
            y[i] = u[i] + dt * k
        for i in range(n):  # k4 = f(y); u_new = u + dt/6 (acc + k4), into z, then swap
            im = i - 1 if i > 0 else n - 1
            ip = i + 1 if i < n - 1 else 0
            k = -y[i] * (y[ip] - y[im]) * a + b * (y[ip] - 2.0 * y[i] + y[im])
            z[i] = u[i] + (dt / 6.0) * (acc[i] + k)
        u, z = z, u
    return u


# ------------------------------------------------------------------ contenders
class Eqc:
    """eqc's generated kernel with its fused time loop (``backend``: numba or llvm)."""

    name = "eqc"
    backend = "numba"

    def __init__(self, problem, n):
        self.problem, self.n = problem, n

    def prepare(self):
        t0 = time.perf_counter()
        self.sim = eqc.compile(eqc.parse(model_text(self.problem, self.n)), backend=self.backend)
        self.adv = self.sim.compiled.advance(self.sim.grid, self.sim.params(), TABLEAUS[METHOD[self.problem]],
                                             P[self.problem]["dt"])
        self.reset(initial(self.problem, self.n))
        self.adv(self.y, 0.0, 1)
        return time.perf_counter() - t0

    def reset(self, init):
        self.y = self.sim.initial_state(initial=dict(zip(self.sim.fields, init, strict=True)))

    def run(self, steps):
        self.adv(self.y, 0.0, steps)

    def result(self):
        g = self.sim.grid
        return tuple(self.y[(k, *g.interior)] for k in range(len(self.sim.fields)))


class EqcLLVM(Eqc):
    name = "eqc-llvm"
    backend = "llvm"


class Expert:
    name = "expert"

    def __init__(self, problem, n):
        self.problem, self.n = problem, n

    def prepare(self):
        self.reset(initial(self.problem, self.n))
        t0 = time.perf_counter()
        self.run(1)
        return time.perf_counter() - t0

    def reset(self, init):
        self.state = tuple(a.copy() for a in init)
        self.bufs = tuple(np.empty_like(a) for a in init)

    def run(self, steps):
        p = P[self.problem]
        if self.problem == "heat":
            self.state = (heat_expert(self.state[0], self.bufs[0], p["D"] * p["dt"] / p["h"] ** 2, steps),)
        elif self.problem == "gs":
            h2 = p["h"] ** 2
            self.state = gs_expert(self.state[0], self.state[1], self.bufs[0], self.bufs[1], p["Du"] * p["dt"] / h2,
                                   p["Dv"] * p["dt"] / h2, p["dt"], p["F"], p["F"] + p["k"], steps)
        else:
            u = self.state[0]
            h = p["L"] / self.n
            y, z, acc = np.empty_like(u), np.empty_like(u), np.empty_like(u)
            self.state = (burgers_expert(u, y, z, acc, 1 / (2 * h), p["nu"] / h**2, p["dt"], steps),)
        # keep the buffers distinct from the state after swaps
        self.bufs = tuple(np.empty_like(a) for a in self.state)

    def result(self):
        return self.state


def _lap(u):
    return np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1) - 4 * u


class Numpy:
    name = "numpy"

    def __init__(self, problem, n):
        self.problem, self.n = problem, n

    def prepare(self):
        return 0.0

    def reset(self, init):
        self.state = tuple(a.copy() for a in init)

    def run(self, steps):
        p = P[self.problem]
        if self.problem == "heat":
            (u,) = self.state
            c = p["D"] * p["dt"] / p["h"] ** 2
            for _ in range(steps):
                u = u + c * _lap(u)
            self.state = (u,)
        elif self.problem == "gs":
            u, v = self.state
            dt = p["dt"]
            for _ in range(steps):
                uvv = u * v * v
                u, v = (u + dt * (p["Du"] * _lap(u) - uvv + p["F"] * (1 - u)),
                        v + dt * (p["Dv"] * _lap(v) + uvv - (p["F"] + p["k"]) * v))
            self.state = (u, v)
        else:
            (u,) = self.state
            h, nu, dt = p["L"] / self.n, p["nu"], p["dt"]

            def f(w):
                wp, wm = np.roll(w, -1), np.roll(w, 1)
                return -w * (wp - wm) / (2 * h) + nu * (wp - 2 * w + wm) / (h * h)

            for _ in range(steps):
                k1 = f(u)
                k2 = f(u + 0.5 * dt * k1)
                k3 = f(u + 0.5 * dt * k2)
                k4 = f(u + dt * k3)
                u = u + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            self.state = (u,)

    def result(self):
        return self.state


class PyPDE:
    name = "py-pde"

    def __init__(self, problem, n):
        import pde

        self.pde, self.problem, self.n = pde, problem, n
        p = P[problem]
        if problem in ("heat", "gs"):
            self.grid = pde.CartesianGrid([[0, n * p["h"]], [0, n * p["h"]]], [n, n], periodic=True)
        else:
            self.grid = pde.CartesianGrid([[0, p["L"]]], [n], periodic=True)
        if problem == "heat":
            self.eq = pde.PDE({"u": "D * laplace(u)"}, consts={"D": p["D"]})
        elif problem == "gs":
            self.eq = pde.PDE({"u": "Du * laplace(u) - u * v**2 + F * (1 - u)",
                               "v": "Dv * laplace(v) + u * v**2 - (F + k) * v"},
                              consts={k: p[k] for k in ("Du", "Dv", "F", "k")})
        else:
            self.eq = pde.PDE({"u": "-u * d_dx(u) + nu * laplace(u)"}, consts={"nu": p["nu"]})
        self.scheme = "rk" if problem == "burgers" else "euler"

    def _state(self, init):
        pde = self.pde
        if self.problem == "gs":
            return pde.FieldCollection([pde.ScalarField(self.grid, init[0].copy(), label="u"),
                                        pde.ScalarField(self.grid, init[1].copy(), label="v")])
        return pde.ScalarField(self.grid, init[0].copy())

    def prepare(self):
        from pde.solvers import EulerSolver, RungeKuttaSolver

        init = initial(self.problem, self.n)
        t0 = time.perf_counter()
        # py-pde has no classic RK4 any more: its Runge–Kutta is Dormand–Prince 5(4) (more
        # stages per step); used at a fixed step, so its rate is per step like everyone's
        cls = RungeKuttaSolver if self.scheme == "rk" else EulerSolver
        solver = cls(self.eq, backend="numba", adaptive=False)
        self.stepper = solver.make_stepper(self._state(init), dt=P[self.problem]["dt"])
        self.stepper(self._state(init), 0.0, P[self.problem]["dt"])
        return time.perf_counter() - t0

    def reset(self, init):
        self.state = self._state(init)

    def run(self, steps):
        self.stepper(self.state, 0.0, steps * P[self.problem]["dt"])

    def result(self):
        if self.problem == "gs":
            return (self.state[0].data, self.state[1].data)
        return (self.state.data,)


CONTENDERS = {"eqc": Eqc, "eqc-llvm": EqcLLVM, "expert": Expert, "numpy": Numpy, "py-pde": PyPDE}


# ------------------------------------------------------------------ measurements
@njit(parallel=True, fastmath=True)
def _triad(a, b, c, s, reps):
    for _ in range(reps):
        for i in prange(a.shape[0]):
            a[i] = b[i] + s * c[i]


def triad_gbps(n: int, rounds: int) -> float:
    """STREAM triad a = b + s c, 24 bytes per element, median GB/s."""
    a, b, c = np.zeros(n), np.random.rand(n), np.random.rand(n)
    _triad(a, b, c, 3.0, 1)
    res = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        _triad(a, b, c, 3.0, 5)
        res.append(24 * n * 5 / (time.perf_counter() - t0) / 1e9)
    return statistics.median(res)


FIRST_STEP = """
import sys, time; t0 = time.perf_counter()
import eqc
from eqc.runtime.steppers import TABLEAUS
sim = eqc.compile(eqc.load("stdlib:gray_scott"), backend=sys.argv[1])
adv = sim.compiled.advance(sim.grid, sim.params(), TABLEAUS["rk4"], 1.0)
y = sim.initial_state()
adv(y, 0.0, 1)
print(time.perf_counter() - t0)
"""


def time_to_first_step(backend: str = "numba") -> tuple[float, float]:
    """Seconds from `import eqc` to one step of stdlib:gray_scott done, in a fresh process:
    cold (empty kernel cache: parse + rewrite + codegen + JIT) and warm (cached; the median
    of three runs)."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, EQC_CACHE_DIR=cache)
        out = []
        for _ in range(4):
            r = subprocess.run([sys.executable, "-c", FIRST_STEP, backend], env=env, capture_output=True,
                               text=True, check=True)
            out.append(float(r.stdout.strip().splitlines()[-1]))
    return out[0], statistics.median(out[1:])


def cli_first_step(runs: int = 4) -> list[tuple[float, str]]:
    """`eqc run stdlib:gray_scott` (llvm, rk4, 20 time units) in fresh processes sharing a
    fresh cache: the CLI's own report of seconds from process start to the first steps
    done, and how it got there (the first run compiles; later ones replay its run plan)."""
    import re

    out = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, EQC_CACHE_DIR=cache)
        for _ in range(runs):
            r = subprocess.run(["eqc", "run", "stdlib:gray_scott", "--t-end", "20", "--no-plot", "--no-progress",
                                "-o", os.path.join(cache, "gs.nc")], env=env, capture_output=True, text=True,
                               check=True)
            m = re.search(r"; (.*), first steps ([0-9.]+) s after start", r.stdout)
            out.append((float(m.group(2)), m.group(1)) if m else (float("nan"), r.stdout.strip()))
    return out


def bench_case(case: str, contenders, quick: bool, rounds: int):
    """Medians per contender; rounds are interleaved (eqc, expert, ... eqc, expert, ...)
    so that a load change on a shared machine hits every contender alike."""
    problem, n, steps, qsteps = CASES[case]
    steps = qsteps if quick else steps
    cells = n * n if problem != "burgers" else n
    made = {name: CONTENDERS[name](problem, n) for name in contenders}
    jit = {name: c.prepare() for name, c in made.items()}
    slow = {name: name in ("numpy", "py-pde") for name in made}
    nsteps = {name: max(1, steps // 10) if slow[name] else steps for name in made}
    times: dict[str, list[float]] = {name: [] for name in made}
    results = {}
    for r in range(rounds):
        for name, c in made.items():
            if slow[name] and r >= max(1, rounds // 2):
                continue
            c.reset(initial(problem, n))
            t0 = time.perf_counter()
            c.run(nsteps[name])
            times[name].append(time.perf_counter() - t0)
            if not slow[name]:
                results[name] = c.result()
    rows = []
    for name in made:
        med = statistics.median(times[name])
        rows.append((name, nsteps[name], med, cells * nsteps[name] / med / 1e6, jit[name]))
    return problem, n, rows, results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps and rounds")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--contenders", default=",".join(CONTENDERS))
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--warm-cache", action="store_true", help="keep eqc's kernel cache (JIT column then ~0)")
    ap.add_argument("--no-first-step", action="store_true", help="skip the time-to-first-step subprocesses")
    args = ap.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)
    if not args.warm_cache:  # honest JIT times: eqc starts from an empty kernel cache
        os.environ["EQC_CACHE_DIR"] = tempfile.mkdtemp(prefix="eqc-bench-")
    contenders = [c for c in args.contenders.split(",") if c]
    print(f"command: python benchmarks/classical.py {' '.join(sys.argv[1:])}")
    print(f"cpus: {os.cpu_count()}, numba threads: {__import__('numba').get_num_threads()}, load avg: "
          f"{os.getloadavg()[0]:.2f} (a shared machine: numbers are noisy; compare ratios within this run)")
    bw = triad_gbps(5_000_000 if args.quick else 20_000_000, rounds)
    print(f"STREAM-like triad: {bw:.1f} GB/s (24 B/element, median of {rounds})\n")
    header = f"| {'case':<12} | {'contender':<8} | {'steps':>6} | {'median s':>9} | {'Mcell/s':>8} | {'vs expert':>9} | {'eqc/this':>8} | {'% triad BW':>10} | {'JIT s':>6} |"
    print(header)
    print("|" + "|".join("-" * (len(x)) for x in header.split("|")[1:-1]) + "|")
    for case in args.cases.split(","):
        problem, n, rows, results = bench_case(case, contenders, args.quick, rounds)
        rate = {name: r[3] for name, *r in [(row[0], *row) for row in rows]}
        for name, st, med, mcell, jit in rows:
            vs = f"{mcell / rate['expert']:.2f}" if "expert" in rate else "-"
            eq = f"{rate['eqc'] / mcell:.2f}" if "eqc" in rate else "-"
            bwf = f"{100 * mcell * 1e6 * BYTES_PER_CELL[problem] / (bw * 1e9):.0f}%" if problem == "heat" else "-"
            print(f"| {case:<12} | {name:<8} | {st:>6} | {med:>9.4f} | {mcell:>8.1f} | {vs:>9} | {eq:>8} | {bwf:>10} | {jit:>6.2f} |")
        if results.get("eqc") is not None and results.get("expert") is not None:
            diff = max(float(np.abs(a - b).max()) for a, b in zip(results["eqc"], results["expert"], strict=True))
            print(f"|   (eqc vs expert after the same steps: max |diff| = {diff:.2e})")
    if not args.no_first_step:
        print("\ntime to first step, stdlib:gray_scott rk4, fresh process (import + parse + rewrite + codegen + JIT):")
        for backend in ("numba", "llvm"):
            cold, warm = time_to_first_step(backend)
            print(f"  {backend:5s}: cold cache {cold:.2f} s, warm cache {warm:.2f} s")
        print("\n`eqc run stdlib:gray_scott` (llvm), fresh processes, one fresh cache: seconds from process start"
              " to the first steps done, as the CLI reports them:")
        runs = cli_first_step()
        for k, (sec, how) in enumerate(runs):
            print(f"  run {k + 1}: {sec:.2f} s ({how})")
        print(f"  cached runs, median: {statistics.median(s for s, _ in runs[1:]):.2f} s")


if __name__ == "__main__":
    main()
