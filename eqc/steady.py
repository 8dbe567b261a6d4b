"""Steady models (``lap(u) = -f``): Newton's method on the discrete residual with a
sparse Jacobian assembled from the compiled residual kernel by graph colouring.

The residual ``R(u)`` (the kernel's outputs, ghosts filled from the boundary conditions)
couples each point only to points within a known distance ``w`` (stencil half-width plus
the reach of the ghost rules), so ``(2w+1)^d`` probes ``R(u + e_c) - R(u)`` — one per colour
class of points ``w+1`` apart — give every column of the Jacobian (Curtis, Powell & Reid,
"On the estimation of sparse Jacobian matrices", IMA J. Appl. Math. 13 (1974) 117–119).
For a linear model (Poisson, Helmholtz) the differences are exact and one Newton step with
``scipy.sparse.linalg.spsolve`` is the solution.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .simulation import Simulation

__all__ = ["solve_steady", "residual_jacobian"]


def residual_jacobian(sim: Simulation, y: np.ndarray, values: Mapping[str, float]):
    """``(R(y), J)``: the residual of every unknown (flattened interior, fields first) and
    its sparse Jacobian."""
    import scipy.sparse as sps

    grid = sim.grid
    rhs = sim.compiled.rhs(grid, values)
    nf = len(sim.fields)
    inner = (slice(None), *grid.interior)
    out = np.zeros_like(y)

    def R(state: np.ndarray) -> np.ndarray:
        rhs(0.0, state, out)
        return out[inner].reshape(-1).copy()

    r0 = R(y)
    shape = (nf, *grid.shape)
    w = grid.halo + sim.kernel.order + 1
    # periodic axes couple across the wrap: one colour per point along them (exact)
    period = [n if per else min(2 * w + 1, n) for n, per in zip(grid.n, grid.periodic, strict=True)]
    rows, cols, vals = [], [], []
    idx = np.arange(int(np.prod(shape))).reshape(shape)
    coords = np.meshgrid(*(np.arange(n) for n in grid.n), indexing="ij")
    eps = 1e-7 * max(1.0, float(np.abs(y[inner]).max()))
    for f in range(nf):
        for colour in itertools.product(*(range(p) for p in period)):
            mask = np.ones(grid.shape, dtype=bool)
            for a, c in enumerate(colour):
                mask &= coords[a] % period[a] == c
            probe = y.copy()
            probe[(f, *grid.interior)] += eps * mask
            dr = ((R(probe) - r0) / eps).reshape(shape)
            # the point of colour `colour` nearest to each row, per axis
            src = []
            for a, c in enumerate(colour):
                ca = coords[a]
                if grid.periodic[a] or period[a] == grid.n[a]:  # one point per colour
                    src.append(np.full(ca.shape, c))
                    continue
                near = c + period[a] * np.round((ca - c) / period[a]).astype(int)
                src.append(np.clip(near, 0, grid.n[a] - 1))
            col = idx[(f, *src)]
            nz = np.nonzero(np.abs(dr) > 1e-12 * (1 + np.abs(dr).max()))
            for g in range(nf):
                sel = nz[0] == g
                pts = tuple(z[sel] for z in nz[1:])
                rows.append(idx[(g, *pts)])
                cols.append(col[pts])
                vals.append(dr[(g, *pts)])
    n = idx.size
    J = sps.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    return r0, J


def solve_steady(
    sim: Simulation,
    params: Mapping[str, float] | None = None,
    initial: Mapping[str, Any] | None = None,
    output: str | None = None,
    tol: float = 1e-10,
    max_iter: int = 20,
):
    """Newton iterations ``J du = -R`` until ``|R|`` stops shrinking below ``tol``; the
    solution as a one-frame Dataset (written to ``output`` when given)."""
    import scipy.sparse.linalg as spla

    from .compiler.diagnostics import SemanticModelError
    from .runtime.output import open_writer

    grid = sim.grid
    if not grid.dim:
        raise SemanticModelError("a steady model needs at least one axis")
    values = sim.params(params)
    y = sim.initial_state(initial, params)
    inner = (slice(None), *grid.interior)
    shape = (len(sim.fields), *grid.shape)
    for _ in range(max_iter):
        r, J = residual_jacobian(sim, y, values)
        du = spla.spsolve(J.tocsc(), -r)
        y[inner] += du.reshape(shape)
        if np.abs(du).max() <= tol * (1 + np.abs(y[inner]).max()):
            break
    else:
        raise SemanticModelError(
            f"Newton's method did not converge for steady model {sim.model.name}",
            hint="give a closer initial guess with `init`",
        )
    sim.compiled.rhs(grid, values)(0.0, y, np.zeros_like(y))  # ghosts match the solution
    attrs = {"model": sim.model.name, "method": "newton", "backend": sim.backend, "order": sim.kernel.order}
    with open_writer(output, grid, sim.fields, params=values, attrs=attrs) as w:
        w.write(0.0, y)
        ds = w.dataset()
    sim.last_state = y
    return ds
