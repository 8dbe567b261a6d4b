"""FNO on 1-D Burgers (nu = 0.1, T = 1, GRF initial data): accuracy, super-resolution, speed.

The setting of Li et al. (2021), "Fourier neural operator for parametric PDEs", §5.1: train
at resolution 256 on pairs u(0) -> u(1), test on held-out samples at 256 and, zero-shot,
at 1024. Side by side in one run:

* data generation: ``eqc dataset`` (eqc's classical solver, one sample per run, in worker
  processes) against a plain NumPy pseudo-spectral ETDRK4 solver batched over samples;
* solving the test samples: eqc's classical solver, the NumPy solver, FNO inference;
* accuracy: mean relative L2 of the FNO at 256 and 1024, against the predict-the-input
  baseline and against the disagreement between the two classical solvers.

The classical data use the model's own solve line (RK4, dt = 5e-5 at 256 points, fused numba
loop; at 1024 points dt is scaled by (256/1024)^2 to keep the diffusion number). Run
``python benchmarks/fno.py`` for the paper's sizes (1000 train / 200 test at 256, 200 at 1024,
25,000 Adam steps: about 25 min of training plus 8 min of classical solves on 2 cores)
or ``--quick`` (200 / 50 at 256, 20 at 1024, 1,500 steps: a few minutes).
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def burgers_numpy(u0: np.ndarray, nu: float, t_end: float, dt: float = 1e-3) -> np.ndarray:
    """Plain NumPy: Fourier pseudo-spectral Burgers with 2/3 dealiasing, ETDRK4 in time
    (Kassam & Trefethen 2005, SIAM J. Sci. Comput. 26(4)), batched over samples."""
    n = u0.shape[-1]
    k = 2 * np.pi * np.fft.rfftfreq(n, d=1.0 / n)
    L = -nu * k**2
    g = -0.5j * k * (np.fft.rfftfreq(n, d=1.0 / n) < n / 3)
    steps = int(round(t_end / dt))
    h = t_end / steps
    E, E2 = np.exp(h * L), np.exp(h * L / 2)
    r = np.exp(1j * np.pi * (np.arange(1, 33) - 0.5) / 32)
    LR = h * L[:, None] + r[None, :]
    Q = h * np.real(np.mean((np.exp(LR / 2) - 1) / LR, axis=1))
    f1 = h * np.real(np.mean((-4 - LR + np.exp(LR) * (4 - 3 * LR + LR**2)) / LR**3, axis=1))
    f2 = h * np.real(np.mean((2 + LR + np.exp(LR) * (-2 + LR)) / LR**3, axis=1))
    f3 = h * np.real(np.mean((-4 - 3 * LR - LR**2 + np.exp(LR) * (4 - LR)) / LR**3, axis=1))

    def N(v):
        return g * np.fft.rfft(np.fft.irfft(v, n=n) ** 2)

    v = np.fft.rfft(u0)
    for _ in range(steps):
        Nv = N(v)
        a = E2 * v + Q * Nv
        Na = N(a)
        b = E2 * v + Q * Na
        Nb = N(b)
        c = E2 * a + Q * (2 * Nb - Nv)
        v = E * v + Nv * f1 + 2 * (Na + Nb) * f2 + N(c) * f3
    return np.fft.irfft(v, n=n)


def median_time(fn, repeats: int) -> tuple[float, object]:
    out, times = None, []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="200/50 samples, 1500 steps")
    p.add_argument("--train", type=int, default=None)
    p.add_argument("--test", type=int, default=None)
    p.add_argument("--fine", type=int, default=None, help="test samples at 1024 (default: --test; 20 with --quick)")
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--pino", type=float, default=0.0, help="PINO loss weight (0: off)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--method", default=None, help="eqc's time stepper for the data (default: the model's, rk4)")
    p.add_argument("--dt", type=float, default=None,
                   help="time step at 256 points (default: the model's 5e-5; explicit steps scale as (256/n)^2)")
    p.add_argument("--dir", default=None, help="keep datasets and the operator here")
    p.add_argument("--reuse", action="store_true", help="reuse complete datasets in --dir (no data timing)")
    args = p.parse_args(argv)
    n_train = args.train or (200 if args.quick else 1000)
    n_test = args.test or (50 if args.quick else 200)
    n_fine = args.fine or (20 if args.quick else n_test)
    steps = args.steps or (1500 if args.quick else 25000)

    from eqc.backends.jax.operator.train import TrainOptions, relative_l2
    from eqc.runtime.dataset import GaussianRandomField

    import eqc
    from eqc.operator import ClassicalBlockSolver, _load_arrays, make_dataset, train_operator

    model = "stdlib:burgers_periodic"
    m = eqc.load(model)
    nu = m.param_values()["nu"]
    method = args.method or m.solve.method
    dt256 = args.dt or m.solve.dt

    def dt_at(res: int) -> float:
        """The step at ``res`` points: explicit methods keep nu dt / h^2 (the diffusion limit) fixed."""
        return dt256 if method in ("etdrk4", "dopri5") else dt256 * (256 / res) ** 2

    work = Path(args.dir or tempfile.mkdtemp(prefix="eqc-fno-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    common = dict(t_end=1.0, block=10, workers=args.workers, method=method, progress=False)
    rows: list[tuple[str, float | None, float | None, float | None]] = []
    acc: list[tuple[int, float, float, float]] = []

    # -- data generation: eqc dataset vs plain NumPy for the same initial conditions
    sets = {"train": (n_train + n_test, 256, 0), "fine": (n_fine, 1024, 1)}
    data = {}
    for name, (n, res, seed) in sets.items():
        path = work / f"{name}.zarr"
        t = time.perf_counter()
        made = make_dataset(model, path, samples=n, seed=seed, resolution=res, overwrite=not args.reuse,
                            dt=dt_at(res), **common)
        t_eqc = time.perf_counter() - t if made.computed else None  # None: reused from --dir
        layout, u, _, _ = _load_arrays(path)
        t_np, ref = median_time(lambda u=u: burgers_numpy(u[:, 0, 0], nu, 1.0), 1)
        data[name] = (path, u[:, 0, 0], u[:, -1, 0], ref)
        rows.append((f"make {n} samples @{res} ({args.workers} proc. vs 1)", t_eqc, t_np, None))
        print(f"[data] {name}: eqc {t_eqc} s, numpy {t_np:.1f} s", file=sys.stderr)

    # -- training (held-out = the last n_test samples of the 256 set)
    opts = TrainOptions(steps=steps, batch=20, lr=1e-3, schedule="cosine", pino_weight=args.pino)
    t = time.perf_counter()
    op = train_operator(model, data["train"][0], out=work / "burgers.fno", tests=[data["fine"][0]],
                        holdout=n_test / (n_train + n_test), options=opts, progress=sys.stderr.isatty())
    t_train = time.perf_counter() - t
    rep = op.report

    # -- solving the test samples three ways
    for name, res, seed, first in (("train", 256, 0, n_train), ("fine", 1024, 1, 0)):
        _, u0, uT, ref = data[name]
        u0, uT, ref = u0[first:], uT[first:], ref[first:]
        solver = ClassicalBlockSolver(model, (0.0, 1.0), GaussianRandomField(), seed, (res,),
                                      method=method, dt=dt_at(res))
        solver([first])  # compile outside the timing
        idx = range(first, first + len(u0))
        t_cls, _ = median_time(lambda s=solver, i=idx: s(i), 1)
        t_np, _ = median_time(lambda u=u0: burgers_numpy(u, nu, 1.0), 3)
        op(u0)
        t_fno, pred = median_time(lambda u=u0: op(u), 5)
        rows.append((f"solve {len(u0)} test samples @{res}", t_cls, t_np, t_fno))
        acc.append((res, float(relative_l2(pred, uT).mean()), float(relative_l2(ref, uT).mean()),
                    float(relative_l2(u0, uT).mean())))

    print(f"\nFNO Burgers benchmark: {n_train} train / {n_test} test, {steps} steps, PINO weight {args.pino:g}, "
          f"modes 16 width 64 layers 4; data by eqc ({method}, dt={dt256:g} at 256, {dt_at(1024):g} at 1024, "
          "FD order 2, numba)")
    print(f"training took {t_train:.0f} s; final loss {rep['final_loss']:.3e}")
    head = f"{'':48s} {'eqc classical':>14s} {'plain NumPy':>12s} {'FNO':>10s} {'eqc/FNO':>9s} {'NumPy/FNO':>10s}"
    print("\nwall-clock times")
    print(head)
    print("-" * len(head))
    for label, a, b, c in rows:
        cells = [f"{v:.3g} s" if v is not None else "-" for v in (a, b, c)]
        r1 = f"{a / c:.0f}x" if c else (f"({a / b:.2f}x)" if a else "(reused)")
        r2 = f"{b / c:.0f}x" if c else "-"
        print(f"{label:48s} {cells[0]:>14s} {cells[1]:>12s} {cells[2]:>10s} {r1:>9s} {r2:>10s}")
    print("(medians: 1 run for eqc and data generation, 3 for NumPy solves, 5 for FNO inference;"
          " (ratio) = eqc/NumPy where there is no FNO column)")
    print("\nmean relative L2 error against eqc's classical data at T = 1")
    print(f"{'resolution':>10s} {'FNO':>10s} {'NumPy solver':>13s} {'predict u0':>11s}")
    for res, fno, npy, ident in acc:
        print(f"{res:>10d} {fno:>10.3e} {npy:>13.3e} {ident:>11.3e}")
    print("command: python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])]))


if __name__ == "__main__":
    main()
