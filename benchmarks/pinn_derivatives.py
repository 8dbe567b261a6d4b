"""How to take a PINN's input derivatives: eqc's nested forward mode against the reverse-mode
alternatives, side by side in one process. Times one jitted loss-and-gradient evaluation
(what an Adam step costs, less the update) of the viscous Burgers residual
u_t + u u_x - nu u_xx on the same tanh MLP and the same points, float32:

* ``eqc (Taylor mode)``: ``Problem.pde_batch`` as the trainer calls it, every derivative
  (u_t, u_x, u_xx) from one batched Taylor-mode sweep of the network (forward mode,
  :mod:`eqc.backends.jax.pinn.taylor`);
* ``nested jvp``: ``Problem.pde`` per point under ``vmap`` (one jvp chain along t, a nested
  one along x, x), the trainer's path before the Taylor mode;
* ``forward-over-reverse``: ``grad u`` for u_t and u_x, a jvp of ``grad u`` along x for u_xx;
* ``reverse-over-reverse``: ``grad u``, then ``grad`` of its x component (DeepXDE's way);
* ``linearize``: one ``jax.linearize`` for u_t and u_x, a nested jvp for u_xx.

    python benchmarks/pinn_derivatives.py                  # 2048 and 8192 points, 64 x 4
    python benchmarks/pinn_derivatives.py --points 2048 --rounds 9

Reported: median ms per evaluation over the rounds (the contenders alternate within each
round) and the paired ratio contender / eqc time (above 1: eqc is faster).
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", default="2048,8192")
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calls", type=int, default=10, help="evaluations per timing")
    args = ap.parse_args(argv)

    import equinox as eqx
    import jax
    import jax.numpy as jnp
    import numpy as np
    from eqc.backends.jax.pinn.network import make_nets
    from eqc.backends.jax.pinn.residual import make_problem

    import eqc

    model = eqc.load("stdlib:burgers_1d")
    problem = make_problem(model)
    params = model.param_values()
    nu = params["nu"]
    net = make_nets([(problem.lo, problem.hi)], problem.periodic, 1, width=args.width, depth=args.depth, seed=0)[0]
    arrays, static = eqx.partition(net, eqx.is_inexact_array)
    e_t, e_x = jnp.array([1.0, 0.0], jnp.float32), jnp.array([0.0, 1.0], jnp.float32)

    def fwd_rev(f, z):
        u, g = jax.value_and_grad(f)(z)
        _, h = jax.jvp(jax.grad(f), (z,), (e_x,))
        return g[0] + u * g[1] - nu * h[1]

    def rev_rev(f, z):
        u, g = jax.value_and_grad(f)(z)
        h = jax.grad(lambda z: jax.grad(f)(z)[1])(z)
        return g[0] + u * g[1] - nu * h[1]

    def linearize(f, z):
        u, lin = jax.linearize(f, z)
        uxx = jax.jvp(lambda z: jax.jvp(f, (z,), (e_x,))[1], (z,), (e_x,))[1]
        return lin(e_t) + u * lin(e_x) - nu * uxx

    contenders = {
        "eqc (Taylor mode)": "taylor",
        "nested jvp": None,
        "forward-over-reverse": fwd_rev,
        "reverse-over-reverse": rev_rev,
        "linearize": linearize,
    }
    rows = []
    for n in (int(p) for p in args.points.split(",")):
        pts = jnp.asarray(np.random.default_rng(0).uniform(problem.lo, problem.hi, (n, 2)), jnp.float32)
        fns, values = {}, {}
        for name, res in contenders.items():
            def loss(a, res=res, pts=pts):
                m = eqx.combine(a, static)
                if res == "taylor":
                    r = problem.pde_batch(m, pts, params)[:, 0]
                elif res is None:
                    r = jax.vmap(lambda z: problem.pde(m, z, params)[0])(pts)
                else:
                    r = jax.vmap(lambda z: res(lambda y: m(y)[0], z))(pts)
                return jnp.mean(r**2)

            fns[name] = jax.jit(jax.value_and_grad(loss))
            value, grad = fns[name](arrays)
            jax.block_until_ready(grad)
            values[name] = float(value)
        ref = values["eqc (Taylor mode)"]
        for name, v in values.items():  # every contender computes the same loss
            if abs(v - ref) > 1e-4 * abs(ref):
                sys.exit(f"{name}: loss {v} differs from eqc's {ref}")
        times: dict[str, list[float]] = {k: [] for k in contenders}
        for _ in range(args.rounds):
            for name, fn in fns.items():
                t0 = time.perf_counter()
                for _ in range(args.calls):
                    _, grad = fn(arrays)
                jax.block_until_ready(grad)
                times[name].append((time.perf_counter() - t0) / args.calls)
        base = times["eqc (Taylor mode)"]
        for name, ts in times.items():
            paired = statistics.median(t / b for b, t in zip(base, ts, strict=True))
            rows.append((n, name, 1e3 * statistics.median(ts), paired))
        print(f"  {n} points: done", file=sys.stderr, flush=True)
    print(f"\nBurgers residual loss + gradient, tanh MLP {args.width} x {args.depth}, float32, "
          f"{args.rounds} rounds of {args.calls} calls ({jax.default_backend()}):")
    print("| points | derivatives | ms per evaluation | this / eqc time (paired) |")
    print("|---|---|---|---|")
    for n, name, ms, ratio in rows:
        print(f"| {n} | {name} | {ms:.2f} | {ratio:.2f} |")
    print(f"\ncommand: python {shlex.join(sys.argv)}")


if __name__ == "__main__":
    main()
