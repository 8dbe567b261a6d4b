"""Hand-built kernel IRs (what the discretisation makes of a few models) and a NumPy
evaluation of any kernel IR, used as the reference the LLVM backend is checked against.

The reference evaluates each expression with ``sympy.lambdify`` over shifted views of the
padded arrays, so it shares no code with the backend under test.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp
from eqc.compiler.ir.kernel import GhostRule, KernelAxis, KernelIR, access, decode_access
from eqc.compiler.ir.symbols import TIME, coord, param, spacing
from eqc.runtime.grid import Grid


def heat2d() -> tuple[KernelIR, Grid, dict[str, float]]:
    ax = ("x", "y")
    u = lambda dx, dy: access("u", (dx, dy), ax)  # noqa: E731
    hx, hy, D = spacing("x"), spacing("y"), param("D")
    lap = (u(1, 0) - 2 * u(0, 0) + u(-1, 0)) / hx**2 + (u(0, 1) - 2 * u(0, 0) + u(0, -1)) / hy**2
    k = KernelIR("heat", ("u",), (KernelAxis("x", True, 1), KernelAxis("y", True, 1)), ("D",), (D * lap,),
                 equations=("dt(u) = D*lap(u)",))
    grid = Grid(ax, (0.0, 0.0), (1.0, 2.0), (24, 20), (True, True), 1)
    return k, grid, {"D": 0.1}


def gray_scott() -> tuple[KernelIR, Grid, dict[str, float]]:
    ax = ("x", "y")
    hx, hy = spacing("x"), spacing("y")
    Du, Dv, F, kk = (param(n) for n in ("Du", "Dv", "F", "k"))

    def lap(f):
        a = lambda dx, dy: access(f, (dx, dy), ax)  # noqa: E731
        return (a(1, 0) + a(-1, 0) - 2 * a(0, 0)) / hx**2 + (a(0, 1) + a(0, -1) - 2 * a(0, 0)) / hy**2

    r, Fk = sp.Symbol("r"), sp.Symbol("Fk")
    u0, v0 = access("u", (0, 0), ax), access("v", (0, 0), ax)
    k = KernelIR(
        "gray_scott", ("u", "v"), (KernelAxis("x", True, 1), KernelAxis("y", True, 1)), ("Du", "Dv", "F", "k"),
        (Du * lap("u") - r + F * (1 - u0), Dv * lap("v") + r - Fk * v0),
        body=((r, u0 * v0**2),), invariants=((Fk, F + kk),),
    )
    grid = Grid(ax, (0.0, 0.0), (2.5, 2.5), (16, 18), (True, True), 1)
    return k, grid, {"Du": 2e-5 * 1e3, "Dv": 1e-5 * 1e3, "F": 0.04, "k": 0.06}


def burgers1d() -> tuple[KernelIR, Grid, dict[str, float]]:
    ax = ("x",)
    u = lambda d: access("u", (d,), ax)  # noqa: E731
    h, nu = spacing("x"), param("nu")
    rhs = -u(0) * (u(1) - u(-1)) / (2 * h) + nu * (u(1) - 2 * u(0) + u(-1)) / h**2
    k = KernelIR("burgers", ("u",), (KernelAxis("x", True, 1),), ("nu",), (rhs,))
    grid = Grid(ax, (0.0,), (2 * np.pi,), (64,), (True,), 1)
    return k, grid, {"nu": 0.05}


def heat1d_dirichlet() -> tuple[KernelIR, Grid, dict[str, float]]:
    """u_t = D u_xx + sin(x) exp(-t) on [0, 1]; u = sin(t) at x=0, du/dx = a at x=1."""
    ax = ("x",)
    u = lambda d: access("u", (d,), ax)  # noqa: E731
    h, D, a, x, t = spacing("x"), param("D"), param("a"), coord("x"), TIME
    ghosts = (
        GhostRule("u", "x", "lo", 1, 2 * sp.sin(t) - u(0), "dirichlet", "bc u = sin(t) at x = 0"),
        GhostRule("u", "x", "hi", 1, u(0) + a * h, "neumann", "bc d(u, x) = a at x = 1"),
    )
    rhs = D * (u(1) - 2 * u(0) + u(-1)) / h**2 + sp.sin(x) * sp.exp(-t)
    k = KernelIR("heat1d", ("u",), (KernelAxis("x", False, 1),), ("D", "a"), (rhs,), ghosts=ghosts)
    grid = Grid(ax, (0.0,), (1.0,), (32,), (False,), 1)
    return k, grid, {"D": 0.2, "a": 0.5}


def mixed3d() -> tuple[KernelIR, Grid, dict[str, float]]:
    """3D, one Dirichlet axis (x, coordinate-dependent wall value), a mixed derivative
    d2u/dxdz (reads edge ghosts), periodic y and z."""
    ax = ("x", "y", "z")
    u = lambda a, b, c: access("u", (a, b, c), ax)  # noqa: E731
    hx, hy, hz, D = spacing("x"), spacing("y"), spacing("z"), param("D")
    lap = sum((u(*e) - 2 * u(0, 0, 0) + u(*(-v for v in e))) / h**2
              for e, h in (((1, 0, 0), hx), ((0, 1, 0), hy), ((0, 0, 1), hz)))
    mixed = (u(1, 0, 1) - u(1, 0, -1) - u(-1, 0, 1) + u(-1, 0, -1)) / (4 * hx * hz)
    y, z = coord("y"), coord("z")
    ghosts = (
        GhostRule("u", "x", "lo", 1, 2 * sp.cos(y) * sp.sin(z) - u(0, 0, 0), "dirichlet"),
        GhostRule("u", "x", "hi", 1, -u(0, 0, 0), "dirichlet"),
    )
    k = KernelIR("mixed3d", ("u",), (KernelAxis("x", False, 1), KernelAxis("y", True, 1), KernelAxis("z", True, 1)),
                 ("D",), (D * lap + mixed,), ghosts=ghosts)
    return k, Grid(ax, (0.0, 0.0, 0.0), (1.0, 2.0, 3.0), (6, 7, 8), (False, True, True), 1), {"D": 0.3}


def lorenz() -> tuple[KernelIR, Grid, dict[str, float]]:
    x, y, z = (access(f, (), ()) for f in ("X", "Y", "Z"))
    s, r, b = param("sigma"), param("rho"), param("beta")
    k = KernelIR("lorenz", ("X", "Y", "Z"), (), ("sigma", "rho", "beta"),
                 (s * (y - x), x * (r - z) - y, x * y - b * z))
    return k, Grid(), {"sigma": 10.0, "rho": 28.0, "beta": 8 / 3}


def functions1d() -> tuple[KernelIR, Grid, dict[str, float]]:
    """Every scalar function the emitter knows, on a 1D periodic grid."""
    ax = ("x",)
    u = lambda d: access("u", (d,), ax)  # noqa: E731
    x, c = coord("x"), param("c")
    w = u(0)
    outs = (
        sp.exp(-w**2) + sp.log(2 + w) + sp.sin(x) * sp.cos(w) + sp.tan(w / 3) + sp.tanh(w) + sp.sinh(w / 2)
        + sp.cosh(w / 2) + sp.sqrt(2 + w) + sp.Abs(w) + sp.sign(w) + sp.Min(w, c) + sp.Max(w, -c)
        + w**7 + (2 + w)**sp.Rational(-3, 2) + (2 + w)**c + 1 / (3 + w)**3
        + sp.Piecewise((w, w > 0.1), (w**2, w < -0.2), (c, True)) + sp.atan(w) + sp.erf(w),
    )
    k = KernelIR("functions", ("u",), (KernelAxis("x", True, 1),), ("c",), outs)
    return k, Grid(ax, (0.0,), (3.0,), (40,), (True,), 1), {"c": 0.3}


def network() -> tuple[KernelIR, Grid, dict[str, float]]:
    """A mass-action network of 16 species and 40 reactions over a 1D grid whose length is
    no multiple of a vector width: many fields, each written at every point (the point
    loop is vectorised only when marked free of loop-carried dependences)."""
    from eqc.compiler.rewrite.samples import reaction_network

    outs, _ = reaction_network(16, 40, seed=2)
    k = KernelIR("network", tuple(f"c{i}" for i in range(16)), (KernelAxis("x", True, 1),),
                 tuple(f"k{j}" for j in range(40)), tuple(outs))
    params = {f"k{j}": 0.05 + 0.01 * j for j in range(40)}
    return k, Grid(("x",), (0.0,), (1.0,), (37,), (True,), 1), params


def hyper2d() -> tuple[KernelIR, Grid, dict[str, float]]:
    """A fourth derivative along x (halo 2), diffusion and a coordinate-dependent source
    along y, periodic: the pipelined loop's widening is twice the rows per stage."""
    ax = ("x", "y")
    u = lambda dx, dy: access("u", (dx, dy), ax)  # noqa: E731
    hx, hy, a, D = spacing("x"), spacing("y"), param("a"), param("D")
    d4 = (u(2, 0) - 4 * u(1, 0) + 6 * u(0, 0) - 4 * u(-1, 0) + u(-2, 0)) / hx**4
    rhs = -a * d4 + D * (u(0, 1) - 2 * u(0, 0) + u(0, -1)) / hy**2 + sp.sin(2 * sp.pi * coord("y"))
    k = KernelIR("hyper2d", ("u",), (KernelAxis("x", True, 2), KernelAxis("y", True, 1)), ("a", "D"), (rhs,))
    return k, Grid(ax, (0.0, 0.0), (1.0, 1.0), (26, 12), (True, True), 2), {"a": 1e-6, "D": 0.01}


def _walls2d(y_periodic: bool) -> tuple[KernelIR, Grid, dict[str, float]]:
    """Advection-diffusion of u and v on [0, 1] x [0, 2] with walls across x: u = sin(t) y
    and dv/dx = 0 at x = 0 (ghost from the second row: the rule reaches 1 row in), du/dx =
    a and v = 0 at x = 1; along y periodic, or walls u = 0, v = x t at y = 0 and du/dy = 0,
    dv/dy = a at y = 2."""
    ax = ("x", "y")
    hx, hy, D, a, c = spacing("x"), spacing("y"), param("D"), param("a"), param("c")
    x, y, t = coord("x"), coord("y"), TIME
    f = {n: (lambda dx, dy, n=n: access(n, (dx, dy), ax)) for n in ("u", "v")}  # noqa: E731
    u, v = f["u"], f["v"]
    ghosts = [
        GhostRule("u", "x", "lo", 1, 2 * sp.sin(t) * y - u(0, 0), "dirichlet"),
        GhostRule("v", "x", "lo", 1, v(1, 0), "neumann"),
        GhostRule("u", "x", "hi", 1, u(0, 0) + a * hx, "neumann"),
        GhostRule("v", "x", "hi", 1, -v(0, 0), "dirichlet"),
    ]
    if not y_periodic:
        ghosts += [
            GhostRule("u", "y", "lo", 1, -u(0, 0), "dirichlet"),
            GhostRule("v", "y", "lo", 1, 2 * x * t - v(0, 0), "dirichlet"),
            GhostRule("u", "y", "hi", 1, u(0, 0), "neumann"),
            GhostRule("v", "y", "hi", 1, v(0, 0) + a * hy, "neumann"),
        ]

    def lap(g):
        return (g(1, 0) - 2 * g(0, 0) + g(-1, 0)) / hx**2 + (g(0, 1) - 2 * g(0, 0) + g(0, -1)) / hy**2

    rhs = (D * lap(u) - c * (u(1, 0) - u(-1, 0)) / (2 * hx) + u(0, 0) * v(0, 0),
           D * lap(v) - c * (v(0, 1) - v(0, -1)) / (2 * hy) + sp.cos(y) * sp.exp(-t))
    k = KernelIR("walls2d", ("u", "v"), (KernelAxis("x", False, 1), KernelAxis("y", y_periodic, 1)),
                 ("D", "a", "c"), rhs, ghosts=tuple(ghosts))
    grid = Grid(ax, (0.0, 0.0), (1.0, 2.0), (19, 14), (False, y_periodic), 1)
    return k, grid, {"D": 0.02, "a": 0.3, "c": 0.5}


def walls2d() -> tuple[KernelIR, Grid, dict[str, float]]:
    """Walls across x, periodic along y (see :func:`_walls2d`)."""
    return _walls2d(True)


def box2d() -> tuple[KernelIR, Grid, dict[str, float]]:
    """Walls across both axes (see :func:`_walls2d`)."""
    return _walls2d(False)


def pointwise2d() -> tuple[KernelIR, Grid, dict[str, float]]:
    """Reactions at each point of [0, 1] x [0, 2] with x-, y- and t-dependent terms and no
    neighbour read (the pointwise fused loop), walls across x (u = t y, dv/dx = 0 at x = 0;
    u = 0, dv/dx = a at x = 1) and periodic along y: no stage reads the ghosts, which are
    filled for whoever reads the state after a call."""
    ax = ("x", "y")
    hx, a, b = spacing("x"), param("a"), param("b")
    x, y, t = coord("x"), coord("y"), TIME
    u, v = access("u", (0, 0), ax), access("v", (0, 0), ax)
    ghosts = (
        GhostRule("u", "x", "lo", 1, 2 * t * y - u, "dirichlet"),
        GhostRule("v", "x", "lo", 1, v, "neumann"),
        GhostRule("u", "x", "hi", 1, -u, "dirichlet"),
        GhostRule("v", "x", "hi", 1, v + a * hx, "neumann"),
    )
    rhs = (-a * u * v + sp.sin(3 * x) * sp.cos(t), u - b * v * y + x * t)
    k = KernelIR("pointwise2d", ("u", "v"), (KernelAxis("x", False, 1), KernelAxis("y", True, 1)), ("a", "b"), rhs,
                 ghosts=ghosts)
    return k, Grid(ax, (0.0, 0.0), (1.0, 2.0), (23, 9), (False, True), 1), {"a": 0.7, "b": 0.4}


ALL = {f.__name__: f for f in (heat2d, gray_scott, burgers1d, heat1d_dirichlet, mixed3d, lorenz, functions1d,
                               network, hyper2d, walls2d, box2d, pointwise2d)}


# -- the NumPy reference -----------------------------------------------------------------------

def _numpy_ghosts(k: KernelIR, grid: Grid, params: dict[str, float], t: float, y: np.ndarray) -> None:
    g = grid.halo
    axes = k.axis_names
    names = {s.name: s for e in [r.expr for r in k.ghosts] for s in e.free_symbols}
    for d, ax in enumerate(k.axes):
        n = grid.n[d]
        if ax.periodic:
            for f in range(y.shape[0]):
                a = np.moveaxis(y[f], d, 0)
                for j in range(1, g + 1):
                    a[g - j] = a[g + n - j]
                    a[g + n - 1 + j] = a[g + j - 1]
            continue
        for rule in sorted((r for r in k.ghosts if r.axis == ax.name), key=lambda r: r.depth):
            first = g if rule.side == "lo" else g + n - 1
            accs = sorted(rule.expr.atoms(sp.Indexed), key=str)
            syms = [param(p) for p in k.params] + [TIME, spacing(ax.name)]
            others = [e for e in range(len(axes)) if e != d]
            syms += [coord(axes[e]) for e in others]
            syms = [names.get(s.name, s) for s in syms]
            fn = sp.lambdify(syms + accs, rule.expr, "numpy")
            sl_other = [slice(g, g + grid.n[e]) for e in others]
            mesh = np.meshgrid(*(grid.coords(axes[e]) for e in others), indexing="ij")
            vals = []
            for acc in accs:
                name, offs = decode_access(acc, axes)
                idx = []
                for e in range(len(axes)):
                    if e == d:
                        idx.append(first + offs[e])
                    else:
                        idx.append(slice(g + offs[e], g + offs[e] + grid.n[e]))
                vals.append(y[k.fields.index(name)][tuple(idx)])
            h = grid.h[d]
            res = fn(*[params[p] for p in k.params], t, h, *mesh, *vals)
            ghost = [None] * len(axes)
            for e, s in zip(others, sl_other, strict=True):
                ghost[e] = s
            ghost[d] = first - rule.depth if rule.side == "lo" else first + rule.depth
            y[k.fields.index(rule.field)][tuple(ghost)] = res


@functools.lru_cache(maxsize=512)
def _lambdified(expr):
    accs = sorted(expr.atoms(sp.Indexed), key=str)
    syms = sorted(expr.free_symbols - set(accs) - {i for a in accs for i in a.free_symbols}, key=str)
    return syms, accs, sp.lambdify(list(syms) + accs, expr, ["scipy", "numpy"])


def numpy_rhs(k: KernelIR, grid: Grid, params: dict[str, float], t: float, y: np.ndarray) -> np.ndarray:
    """dy/dt of the interior by lambdify over shifted arrays (fills y's ghosts)."""
    _numpy_ghosts(k, grid, params, t, y)
    axes = k.axis_names
    g = grid.halo
    env: dict = {}
    for sym in {s for e in [e for _, e in k.invariants] + [e for _, e in k.body] + list(k.outputs)
                for s in e.free_symbols}:
        if sym.name in params:
            env[sym] = params[sym.name]
        elif sym.name == "t":
            env[sym] = t
        elif sym.name in axes:
            env[sym] = grid.mesh()[axes.index(sym.name)]
        elif sym.name.startswith("h_"):
            env[sym] = grid.h[axes.index(sym.name[2:])]
        elif sym.name.startswith("n_"):
            env[sym] = grid.n[axes.index(sym.name[2:])]

    def ev(expr):
        syms, accs, fn = _lambdified(expr)
        vals = []
        for acc in accs:
            name, offs = decode_access(acc, axes)
            if not axes:
                vals.append(y[k.fields.index(name)])
                continue
            sl = tuple(slice(g + o, g + o + m) for o, m in zip(offs, grid.n, strict=True))
            vals.append(y[k.fields.index(name)][sl])
        return fn(*[env[s] for s in syms], *vals)

    for sym, e in list(k.invariants) + list(k.body):
        env[sym] = ev(e)
    out = [np.broadcast_to(np.asarray(ev(o), dtype=float), grid.shape) for o in k.outputs]
    return np.array(out)


def random_state(k: KernelIR, grid: Grid, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (len(k.fields), *grid.padded_shape)
    y = np.full(shape, np.nan)
    y[(slice(None), *grid.interior)] = 0.5 + 0.4 * rng.standard_normal((len(k.fields), *grid.shape))
    if not grid.axes:
        y[:] = rng.standard_normal(len(k.fields)) + 1
    return y
