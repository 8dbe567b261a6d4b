"""The PINN residual: every equation, boundary and initial condition of a symbolic model as
a JAX function of the network ``u(z)`` (Raissi, Perdikaris & Karniadakis 2019, J. Comput.
Phys. 378, §2).

A point is one vector ``z = (t, x, y, ...)`` (``t`` left out for a steady model); ``u(z)``
returns all fields at once. Lets are inlined (``Model.inline_lets``) and derivatives of
the inlined expressions expanded by ``.doit()``; what remains are derivatives of fields,
evaluated by nested forward-mode ``jax.jvp`` along unit directions (one jvp per derivative
order, never a full Hessian), cached per direction tuple within one trace. The functions
act on one point; callers ``vmap`` them over a batch. ``Problem.pde_batch`` is the
trainer's path: the same residuals over a batch, every derivative from one Taylor-mode
(higher-order forward) sweep of the solution (:mod:`.taylor`), 1.6x faster.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import sympy as sp

from ....compiler.diagnostics import SemanticModelError
from ....compiler.ir.model import BoundaryCondition, Model
from ....compiler.ir.symbols import TIME, coord, field_of
from ..lower import lower
from . import taylor

__all__ = ["Problem", "make_problem", "derivative", "Field"]

Field = Callable[[Any], Any]  # z -> (n_fields,)


def derivative(u: Field, z, dirs: tuple[int, ...], cache: dict | None = None):
    """All fields' mixed derivative ``d^k u / dz_{dirs[0]} ... dz_{dirs[-1]}`` at ``z``.

    One chain of nested jvps along ``sorted(dirs)`` (:func:`.taylor.jvp_chain`) yields every
    prefix derivative too, and all of them go into ``cache`` (one per trace).
    """
    key = tuple(sorted(dirs))
    if cache is not None and key in cache:
        return cache[key]
    values = taylor.jvp_chain(u, z, key)
    if cache is not None:
        for i in range(len(key) + 1):
            cache.setdefault(key[:i], values[i])
    return values[-1]


def _derivative_keys(exprs, variables: tuple[str, ...]) -> list[tuple[int, ...]]:
    """The sorted direction tuples of every field derivative in ``exprs``, longest first."""
    vidx = {sp.Symbol(v, real=True): k for k, v in enumerate(variables)}
    keys = set()
    for e in exprs:
        for d in e.atoms(sp.Derivative):
            dirs: list[int] = []
            for var, count in d.variable_count:
                if var in vidx:
                    dirs += [vidx[var]] * int(count)
            keys.add(tuple(sorted(dirs)))
    return sorted(keys, key=lambda k: (-len(k), k))


@dataclass(frozen=True)
class Problem:
    """A model as PINN loss terms. ``variables``: the input coordinates in order (``t``
    first for an evolution model); ``lo``/``hi``: the box; ``residuals``: one sympy
    residual per equation, lets inlined; ``bcs`` and ``ics`` as in the model."""

    model: Model
    variables: tuple[str, ...]
    lo: tuple[float, ...]
    hi: tuple[float, ...]
    periodic: tuple[bool, ...]
    fields: tuple[str, ...]
    residuals: tuple[sp.Expr, ...]
    bcs: tuple[BoundaryCondition, ...]
    evolution: bool

    @property
    def dim(self) -> int:
        return len(self.variables)

    def index(self, name: str) -> int:
        return self.variables.index(name)

    # ------------------------------------------------------------ evaluation
    def _env(self, z, params: Mapping[str, Any], batch: bool = False) -> dict[sp.Basic, Any]:
        """Coordinates and parameters by symbol, at a point ``z`` or (``batch``) over ``z`` (n, dim)."""
        env: dict[sp.Basic, Any] = {
            sp.Symbol(v, real=True): z[:, k] if batch else z[k] for k, v in enumerate(self.variables)
        }
        if not self.evolution:
            env[TIME] = 0.0
        for name, value in params.items():
            env[sp.Symbol(name, real=True)] = value
        return env

    def _leaf(self, get: Callable[[tuple[int, ...]], Any], env):
        """Leaves of a lowered residual: ``get(dirs)`` gives every field's derivative
        along ``dirs`` (``(n_fields,)`` at a point or ``(n, n_fields)`` over a batch)."""
        fidx = {f: k for k, f in enumerate(self.fields)}
        vidx = {sp.Symbol(v, real=True): k for k, v in enumerate(self.variables)}

        def leaf(node):
            if node in env:
                return env[node]
            name = field_of(node)
            if name is not None:
                return get(())[..., fidx[name]]
            if isinstance(node, sp.Derivative):
                name = field_of(node.expr)
                if name is None:
                    raise SemanticModelError(f"cannot differentiate {node.expr} for the PINN residual")
                dirs: list[int] = []
                for var, count in node.variable_count:
                    if var not in vidx:
                        raise SemanticModelError(f"derivative along {var}, which is not an input of the network")
                    dirs += [vidx[var]] * int(count)
                return get(tuple(sorted(dirs)))[..., fidx[name]]
            return None

        return leaf

    def _point_leaf(self, u: Field, z, env, cache):
        return self._leaf(lambda dirs: derivative(u, z, dirs, cache), env)

    def pde(self, u: Field, z, params: Mapping[str, Any]):
        """The equations' residuals at one point, shape ``(n_equations,)``."""
        cache: dict = {}
        for key in _derivative_keys(self.residuals, self.variables):  # longest chains first
            derivative(u, z, key, cache)
        env = self._env(z, params)
        vals = lower(self.residuals, self._point_leaf(u, z, env, cache))
        return jnp.stack([jnp.asarray(v, dtype=z.dtype) * jnp.ones((), z.dtype) for v in vals])

    def pde_batch(self, u: Field, Z, params: Mapping[str, Any]):
        """The equations' residuals over a batch ``Z`` (n, dim), shape ``(n, n_equations)``:
        the same values as ``vmap(pde)``, with every derivative from one Taylor-mode sweep
        (:mod:`.taylor`) when ``u`` has ``jets`` (the trainer's solutions do), else from
        nested jvps over the batch."""
        keys = taylor.closure(_derivative_keys(self.residuals, self.variables))
        if hasattr(u, "jets"):
            jets = u.jets(Z, keys)
        else:
            jets = taylor.jvp_jets(jax.vmap(u), Z, keys)
        vals = lower(self.residuals, self._leaf(lambda dirs: jets[dirs], self._env(Z, params, batch=True)))
        n = Z.shape[0]
        return jnp.stack([jnp.broadcast_to(jnp.asarray(v, dtype=Z.dtype), (n,)) for v in vals], axis=1)

    def rhs(self, u: Field, z, params: Mapping[str, Any]):
        """``dt(u)`` of every evolution equation's field at ``z`` as the model gives it
        (the right-hand side evaluated on ``u``), shape ``(n_evolution,)``."""
        cache: dict = {}
        env = self._env(z, params)
        exprs = tuple(self.model.inline_lets(e.rhs).doit() for e in self.model.evolution_equations)
        vals = lower(exprs, self._point_leaf(u, z, env, cache))
        return jnp.stack([jnp.asarray(v, dtype=z.dtype) * jnp.ones((), z.dtype) for v in vals])

    def bc(self, bc: BoundaryCondition, u: Field, z, params: Mapping[str, Any]):
        """``alpha*u + beta*d(u, axis) - value`` at a boundary point ``z``."""
        f = self.model.function(bc.field)
        expr = bc.alpha * f + bc.beta * sp.Derivative(f, coord(bc.axis)) - bc.value
        cache: dict = {}
        env = self._env(z, params)
        return jnp.asarray(lower(expr, self._point_leaf(u, z, env, cache)), dtype=z.dtype)

    def expression(self, expr: sp.Expr, z, params: Mapping[str, Any]):
        """A field-free expression (an initial condition, a BC value) at ``z``."""
        env = self._env(z, params)
        return jnp.asarray(lower(expr, lambda node: env.get(node)), dtype=z.dtype) * jnp.ones((), z.dtype)


def make_problem(model: Model, t_span: tuple[float, float] | None = None) -> Problem:
    """The PINN view of ``model``: inputs, box, inlined residuals. Evolution models need a
    time interval (``t_span``, else the model's ``solve`` block)."""
    if model.kind == "ode":
        raise SemanticModelError(
            "a PINN needs a spatial domain; this model has none", model.span,
            "solve ODE models classically with `eqc run`",
        )
    if any(e.kind == "steady" for e in model.equations) and model.kind == "evolution":
        raise SemanticModelError(
            "PINN training of models with constraint equations (steady equations beside `dt` ones) is not supported",
            model.span,
        )
    evolution = model.kind == "evolution"
    names = [a.name for a in model.axes]
    lo = [float(a.lo) for a in model.axes]
    hi = [float(a.hi) for a in model.axes]
    per = [a.periodic for a in model.axes]
    if evolution:
        if t_span is None:
            solve = model.solve
            t_span = (solve.t0, solve.t1) if solve is not None else (0.0, 1.0)
        names = ["t", *names]
        lo = [float(t_span[0]), *lo]
        hi = [float(t_span[1]), *hi]
        per = [False, *per]
    residuals = tuple(model.inline_lets(e.residual).doit() for e in model.equations)
    return Problem(
        model=model, variables=tuple(names), lo=tuple(lo), hi=tuple(hi), periodic=tuple(per),
        fields=model.field_names, residuals=residuals, bcs=model.bcs, evolution=evolution,
    )
