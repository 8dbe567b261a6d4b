"""PINN training speed, eqc vs DeepXDE's JAX backend, side by side in one run: Adam steps/s
on the viscous Burgers residual (stdlib:burgers_1d, u_t + u u_x = nu u_xx on [-1, 1] x
[0, 1]) with the same network (tanh MLP, width x depth) and the same number of collocation
points, float32, on this machine's CPU (or GPU when JAX has one).

    bash benchmarks/setup_deepxde.sh             # once: DeepXDE + flax in .venv-deepxde
    python benchmarks/pinn_speed.py              # 8192 and 2048 points, 64 x 4
    python benchmarks/pinn_speed.py --points 8192 --width 64 --depth 4 --rounds 3

eqc trains with its defaults for the model (hard initial/boundary ansatz, forward-mode
derivatives); DeepXDE gets the PDE residual only (no boundary or initial terms, so it does
strictly less work per step than a real DeepXDE setup). Both use one draw of uniformly random points
for the whole run (eqc: ``resample_every=0``). Each contender runs in its own fresh process, alternating, and the
rate excludes compilation (eqc: the first chunk; DeepXDE: a 50-step warm-up call).
Reported: medians over the rounds and the ratio eqc / DeepXDE.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEEPXDE = r"""
import json, os, sys, time
os.environ["DDE_BACKEND"] = "jax"
import deepxde as dde
nu, points, width, depth, steps = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
geom = dde.geometry.GeometryXTime(dde.geometry.Interval(-1, 1), dde.geometry.TimeDomain(0, 1))
def pde(x, y):
    u = y[0]
    u_x = dde.grad.jacobian(y, x, i=0, j=0)[0]
    u_t = dde.grad.jacobian(y, x, i=0, j=1)[0]
    u_xx = dde.grad.hessian(y, x, i=0, j=0)[0]
    return u_t + u * u_x - nu * u_xx
data = dde.data.TimePDE(geom, pde, [], num_domain=points, train_distribution="pseudo")  # random uniform: exactly `points`
net = dde.nn.FNN([2] + [width] * depth + [1], "tanh", "Glorot normal")
model = dde.Model(data, net)
model.compile("adam", lr=1e-3)
model.train(iterations=50, display_every=10**9, verbose=0)
t0 = time.perf_counter()
model.train(iterations=steps, display_every=10**9, verbose=0)
print("RESULT", json.dumps({"steps_per_s": steps / (time.perf_counter() - t0), "version": dde.__version__}))
"""

EQC = r"""
import json, sys
import eqc
from eqc.backends.jax.pinn.settings import from_model
from eqc.backends.jax.pinn.trainer import train
points, width, depth, steps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
model = eqc.load("stdlib:burgers_1d")
s = from_model(model).replace(points=points, width=width, depth=depth, steps=steps + 50, lbfgs_steps=0,
                              sampler="uniform", resample_every=0, windows=1, float64=False)
res = train(model, s, progress=False)
print("RESULT", json.dumps({"steps_per_s": res.steps_per_second, "version": eqc.__version__}))
"""


def _result(cmd: list[str]) -> dict | None:
    r = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PYTHONWARNINGS="ignore"))
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    print(f"failed: {shlex.join(cmd[:2])} ...\n{r.stderr[-2000:]}", file=sys.stderr)
    return None


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", default="8192,2048", help="collocation points (comma-separated cases)")
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--steps", type=int, default=500, help="timed Adam steps per run")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--deepxde-python", default=os.environ.get("EQC_DEEPXDE_PYTHON",
                                                               str(ROOT / ".venv-deepxde" / "bin" / "python")))
    args = ap.parse_args(argv)
    if not Path(args.deepxde_python).exists():
        sys.exit(f"no DeepXDE environment at {args.deepxde_python}: run `bash benchmarks/setup_deepxde.sh` "
                 "or pass --deepxde-python")
    import eqc

    nu = eqc.load("stdlib:burgers_1d").param_values()["nu"]
    rows = []
    for points in (int(p) for p in args.points.split(",")):
        rates: dict[str, list[float]] = {"eqc": [], "DeepXDE": []}
        versions = {}
        for _ in range(args.rounds):
            for name, cmd in (
                ("eqc", [sys.executable, "-c", EQC, str(points), str(args.width), str(args.depth), str(args.steps)]),
                ("DeepXDE", [args.deepxde_python, "-c", DEEPXDE, str(nu), str(points), str(args.width),
                             str(args.depth), str(args.steps)]),
            ):
                out = _result(cmd)
                if out is not None:
                    rates[name].append(out["steps_per_s"])
                    versions[name] = out["version"]
            print(f"  {points} points: {rates}", file=sys.stderr, flush=True)
        med = {k: statistics.median(v) if v else float("nan") for k, v in rates.items()}
        rows.append((points, med["eqc"], med["DeepXDE"], med["eqc"] / med["DeepXDE"], versions))
    print(f"\nAdam steps/s, Burgers 1D, tanh MLP {args.width} x {args.depth}, float32, "
          f"median of {args.rounds} fresh processes each:")
    print("| points | eqc | DeepXDE (JAX) | eqc / DeepXDE |")
    print("|---|---|---|---|")
    for points, e, d, ratio, _ in rows:
        print(f"| {points} | {e:.1f} | {d:.1f} | {ratio:.2f} |")
    print(f"\nversions: {rows[-1][4]}; command: python {shlex.join(sys.argv)}")


if __name__ == "__main__":
    main()
