"""PINN benchmark: train from the stdlib model files with their default settings and report
accuracy and speed against published numbers. Run by hand, never part of the tests.

    python benchmarks/pinn.py                                  # all four, defaults
    python benchmarks/pinn.py --models burgers_1d --steps 2000 --lbfgs-steps 500
    python benchmarks/pinn.py --models helmholtz_2d --float64           # one model, float64

For each model: relative L2 error against eqc's classical solution (and against the
exact solution where one exists: Burgers by Cole–Hopf with Gauss–Hermite quadrature as in
Raissi et al. 2019 / Basdevant et al. 1986, Helmholtz and advection in closed form),
Adam steps/s, wall time, and the wall time at which the error first fell below 1e-2 and
1e-3 (checked every ``--monitor-every`` steps in the last time window). ``--deepxde``
also times DeepXDE's JAX backend on the same network and point count when it is
installed (``pip install deepxde``), side by side.

Published anchors (relative L2):
  Burgers      vanilla 1.45e-2, Raissi et al. 2019: 6.7e-4
  Allen–Cahn   vanilla 0.50, best (Wight & Zhao 2020 / later) 2.2e-5
  Helmholtz 2D vanilla 0.40, learning-rate annealing (Wang, Teng & Perdikaris) 3.7e-3
  advection β=30 vanilla 0.90, curriculum (Krishnapriyan et al. 2021) 2.0e-2
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import time

import numpy as np

ANCHORS = {
    "burgers_1d": ("1.45e-2", "6.7e-4 (Raissi)", 5e-4),
    "allen_cahn": ("0.50", "2.2e-5", 1e-2),
    "helmholtz_2d": ("0.40", "3.7e-3 (LR annealing)", 1e-3),
    "advection_1d": ("0.90", "2.0e-2 (curriculum)", 1e-2),
}


def burgers_exact(nu: float, n_quad: int = 200):
    """Cole–Hopf solution of u_t + u u_x = nu u_xx, u(0, x) = -sin(pi x) on [-1, 1]:
    u = -∫ sin(pi(x-η)) f(x-η) G dη / ∫ f(x-η) G dη, f(y) = exp(-cos(pi y)/(2 pi nu)),
    G the heat kernel; Gauss–Hermite quadrature in η = sqrt(4 nu t) s."""
    s, w = np.polynomial.hermite.hermgauss(n_quad)

    def u(t, x):
        t, x = np.broadcast_arrays(np.asarray(t, float), np.asarray(x, float))
        out = np.zeros(t.shape)
        pos = t > 0
        out[~pos] = -np.sin(np.pi * x[~pos])
        tt, xx = t[pos][:, None], x[pos][:, None]
        y = xx - np.sqrt(4 * nu * tt) * s[None, :]
        logf = -np.cos(np.pi * y) / (2 * np.pi * nu)
        logf -= logf.max(axis=1, keepdims=True)
        f = w[None, :] * np.exp(logf)
        out[pos] = -np.sum(np.sin(np.pi * y) * f, axis=1) / np.sum(f, axis=1)
        return out

    return u


def helmholtz_exact(t_or_x, *rest):
    x, y = (t_or_x, rest[0]) if rest else t_or_x
    return np.sin(np.pi * np.asarray(x)) * np.sin(4 * np.pi * np.asarray(y))


def advection_exact(beta: float):
    return lambda t, x: np.sin(np.asarray(x) - beta * np.asarray(t))


def exact_for(name: str, model):
    p = model.param_values()
    if name == "burgers_1d":
        return burgers_exact(p["nu"])
    if name == "helmholtz_2d" and abs(p.get("k", 1.0) - 1.0) < 1e-12:
        return helmholtz_exact
    if name == "advection_1d":
        return advection_exact(p["beta"])
    return None


def eval_points(problem, n: int = 128):
    axes = [np.linspace(a, b, n) for a, b in zip(problem.lo, problem.hi, strict=True)]
    return np.meshgrid(*axes, indexing="ij")


def run_model(name: str, args) -> dict:
    from eqc.backends.jax.pinn.settings import PINNSettings, from_model
    from eqc.backends.jax.pinn.trainer import PINNResult, train
    from eqc.frontend.loader import load

    from eqc.pinn import PINNFunction, reference_error

    model = load(f"stdlib:{name}")
    settings = from_model(model, PINNSettings())
    changes = {k: getattr(args, k) for k in ("steps", "lbfgs_steps", "points", "width", "depth", "windows", "seed")}
    if args.float64:
        changes["float64"] = True
    if args.lbfgs_float64:
        changes["lbfgs_float64"] = True
    if args.init:
        changes["init"] = args.init
    settings = settings.replace(**changes)
    exact = exact_for(name, model)
    grids = None

    def monitor(partial: PINNResult) -> float:
        nonlocal grids
        if grids is None:
            grids = eval_points(partial.problem)
        pred = PINNFunction(partial)(*grids)
        ref = exact(*grids) if exact is not None else None
        if ref is None:
            return float("nan")
        return float(np.linalg.norm(pred - ref) / np.linalg.norm(ref))

    t0 = time.perf_counter()
    res = train(model, settings, progress=not args.quiet, monitor=monitor if exact is not None else None,
                monitor_every=args.monitor_every)
    wall = time.perf_counter() - t0
    out = {"model": name, "windows": len(res.windows), "steps_per_s": res.steps_per_second, "wall_s": wall,
           "settings": f"w{settings.width}x{settings.depth} n{settings.points} adam{settings.steps} lbfgs{settings.lbfgs_steps}"
                       f"{'(f64)' if settings.lbfgs_float64 and not settings.float64 else ''} {settings.init}"}
    try:
        out["rel_l2_classical"] = reference_error(res, model)[0]
    except Exception as exc:  # a model the classical path cannot solve
        out["rel_l2_classical"] = float("nan")
        print(f"[{name}] no classical reference: {exc}", file=sys.stderr)
    out["rel_l2_exact"] = reference_error(res, model, exact)[0] if exact is not None else float("nan")
    for level in (1e-2, 1e-3):
        hit = next((t for t, e in res.trace if e <= level), None)
        out[f"t_{level:.0e}"] = hit
    if args.deepxde:
        rate = deepxde_rate(model, settings)
        out["deepxde_steps_per_s"] = rate
        out["eqc/deepxde"] = res.steps_per_second / rate if rate else None
    return out


def deepxde_rate(model, settings) -> float | None:
    """Adam steps/s of DeepXDE (JAX backend) on the Burgers-type residual of a 1D
    evolution model with the same network and point count; None when unavailable."""
    import os

    os.environ.setdefault("DDE_BACKEND", "jax")
    try:
        import deepxde as dde  # type: ignore[import-not-found]
    except ImportError:
        return None
    if model.name != "burgers_1d":
        return None
    nu = model.param_values()["nu"]
    geom = dde.geometry.GeometryXTime(dde.geometry.Interval(-1, 1), dde.geometry.TimeDomain(0, 1))

    def pde(x, y):
        y_val, y_fn = y
        dy_x = dde.grad.jacobian(y, x, i=0, j=0)[0]
        dy_t = dde.grad.jacobian(y, x, i=0, j=1)[0]
        dy_xx = dde.grad.hessian(y, x, i=0, j=0)[0]
        return dy_t + y_val * dy_x - nu * dy_xx

    data = dde.data.TimePDE(geom, pde, [], num_domain=settings.points)
    net = dde.nn.FNN([2] + [settings.width] * settings.depth + [1], "tanh", "Glorot normal")
    m = dde.Model(data, net)
    m.compile("adam", lr=1e-3)
    m.train(iterations=50, display_every=10**9)
    t0 = time.perf_counter()
    m.train(iterations=500, display_every=10**9)
    return 500 / (time.perf_counter() - t0)


def fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return "-" if math.isnan(v) else f"{v:.3g}"
    return str(v)


def main(argv=None) -> None:
    from eqc.backends.jax.pinn.settings import INITS

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="burgers_1d,helmholtz_2d,advection_1d,allen_cahn")
    ap.add_argument("--steps", type=int, default=None, help="Adam steps per window (default: the model's)")
    ap.add_argument("--lbfgs-steps", type=int, default=None)
    ap.add_argument("--points", type=int, default=None)
    ap.add_argument("--width", type=int, default=None)
    ap.add_argument("--depth", type=int, default=None)
    ap.add_argument("--windows", type=int, default=None)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--float64", action="store_true")
    ap.add_argument("--lbfgs-float64", action="store_true", help="L-BFGS in float64 after float32 Adam")
    ap.add_argument("--init", choices=INITS, default=None)
    ap.add_argument("--monitor-every", type=int, default=500)
    ap.add_argument("--deepxde", action="store_true", help="also time DeepXDE (JAX backend) if installed")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    rows = []
    for name in args.models.split(","):
        rows.append(run_model(name.strip(), args))
        r = rows[-1]
        print(f"[{name}] rel L2 classical {fmt(r['rel_l2_classical'])} exact {fmt(r['rel_l2_exact'])} "
              f"{fmt(r['steps_per_s'])} steps/s wall {r['wall_s']:.0f}s", flush=True)
    cols = ["model", "settings", "windows", "rel_l2_classical", "rel_l2_exact", "target", "vanilla", "best published",
            "steps_per_s", "wall_s", "t_1e-02", "t_1e-03"] + (["deepxde_steps_per_s", "eqc/deepxde"] if args.deepxde else [])
    print()
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        vanilla, best, target = ANCHORS.get(r["model"], ("-", "-", None))
        r = r | {"vanilla": vanilla, "best published": best, "target": target}
        print("| " + " | ".join(fmt(r.get(c)) for c in cols) + " |")
    print(f"\n(single runs, so medians of one; command: python {' '.join(shlex.quote(a) for a in sys.argv)})")


if __name__ == "__main__":
    main()
