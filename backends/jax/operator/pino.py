"""The physics loss of a physics-informed neural operator, made from a model's own equations.

Li, Zheng, Kovachki, Jin, Chen, Liu, Azizzadenesheli, Anandkumar (2021), "Physics-informed
neural operator for learning partial differential equations", §3: add to the data loss the
PDE residual of the operator's output. Our operators map ``u(t0)`` to a predicted time series
``U_k ~ u(t_k)``, ``k = 1..K`` on a uniform time grid (the one-step map is its last slice),
and we use the *time-integrated* form of ``dt(u) = f(u)`` over each interval, with the
trapezoidal rule (second order, Crank–Nicolson):

    r_k = U_{k+1} - U_k - (dt/2) (f(U_k, t_k) + f(U_{k+1}, t_{k+1})),   U_0 = u(t0),

    loss = sum_{k>=s} |r_k|^2 / sum_{k>=s} |U_{k+1} - U_k|^2   (relative, dimensionless),

with the denominator held constant when differentiating.

The first ``s`` intervals (``skip``, default 1) are left out: rough initial data (a Gaussian
random field has energy up to the grid scale) make the equation stiff there, and the
trapezoidal rule's error on the exact solution would be of order ``|lambda| dt`` for the
fastest decaying modes; one interval later those modes are gone.

``f`` is the right-hand side of the model's evolution equations (auxiliaries inlined,
derivatives expanded), turned into ``jax.numpy`` by ``sympy.lambdify``. Spatial derivatives
are spectral on periodic axes (multiplication by ``(2 pi i k / L)^m`` in Fourier space) and
second-order central differences (one-sided at the ends) on the others. The exact solution
has a residual of the trapezoidal rule's local error, ``O(dt^3)`` per step: on a fixed
window away from ``t0`` the loss of the exact solution falls like ``dt^4`` as ``K`` grows;
the loss of a perturbed one does not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import sympy as sp

from ....compiler.diagnostics import SemanticModelError
from ....compiler.ir.model import Model
from ....compiler.ir.symbols import TIME, coord, field_of

__all__ = ["Residual", "make_rhs", "pino_loss"]


@dataclass(frozen=True)
class Residual:
    """A model's evolution right-hand side as a function on grids of any resolution."""

    fields: tuple[str, ...]
    axes: tuple[str, ...]
    lo: tuple[float, ...]
    hi: tuple[float, ...]
    periodic: tuple[bool, ...]
    derivatives: tuple[tuple[str, tuple[int, ...]], ...]  # (field, order per axis)
    function: Callable  # (t, *coords, *fields, *derivatives) -> tuple of rhs arrays

    def __call__(self, u: jnp.ndarray, t) -> jnp.ndarray:
        """``f(u, t)`` for ``u`` of shape ``(F, *grid)``; returns the same shape."""
        shape = u.shape[1:]
        coords = _coords(self.lo, self.hi, shape)
        by_name = {name: u[i] for i, name in enumerate(self.fields)}
        ders = [self._derivative(by_name[f], orders) for f, orders in self.derivatives]
        out = self.function(t, *coords, *(by_name[f] for f in self.fields), *ders)
        return jnp.stack([jnp.broadcast_to(o, shape).astype(u.dtype) for o in out])

    def _derivative(self, v: jnp.ndarray, orders: tuple[int, ...]) -> jnp.ndarray:
        for axis, m in enumerate(orders):
            if m:
                L = self.hi[axis] - self.lo[axis]
                v = _spectral(v, axis, m, L) if self.periodic[axis] else _central(v, axis, m, L)
        return v


def _coords(lo, hi, shape):
    out = []
    for k, n in enumerate(shape):
        x = lo[k] + (jnp.arange(n) + 0.5) * (hi[k] - lo[k]) / n
        out.append(x.reshape([n if j == k else 1 for j in range(len(shape))]))
    return out


def _spectral(v: jnp.ndarray, axis: int, order: int, length: float) -> jnp.ndarray:
    """The ``order``-th derivative along a periodic ``axis`` by FFT (Nyquist mode zeroed for odd orders)."""
    n = v.shape[axis]
    k = jnp.fft.rfftfreq(n, d=1.0 / n)
    factor = (2j * jnp.pi * k / length) ** order
    if order % 2 and n % 2 == 0:
        factor = factor.at[-1].set(0.0)
    shape = [1] * v.ndim
    shape[axis] = factor.shape[0]
    vh = jnp.fft.rfft(v, axis=axis) * factor.reshape(shape)
    return jnp.fft.irfft(vh, n=n, axis=axis)


def _central(v: jnp.ndarray, axis: int, order: int, length: float) -> jnp.ndarray:
    """Second-order finite differences on a non-periodic axis (repeated ``jnp.gradient``)."""
    h = length / v.shape[axis]
    for _ in range(order):
        v = jnp.gradient(v, h, axis=axis)
    return v


def make_rhs(model: Model, params: Mapping[str, float] | None = None) -> Residual:
    """The right-hand side ``f`` of ``dt(u) = f(u)`` for every field of ``model``.

    Raises :class:`SemanticModelError` for models a PINO loss cannot use: no spatial axes,
    or constraint (steady) equations beside the evolution ones.
    """
    if model.kind != "evolution" or model.steady_equations:
        raise SemanticModelError(
            f"model `{model.name}`: the physics (PINO) loss needs a pure evolution model",
            model.span,
            "train without --pino, or write every equation as dt(u) = ...",
        )
    values = model.param_values(params)
    subs = {sp.Symbol(k, real=True): sp.Float(v) for k, v in values.items()}
    axes = model.axis_names
    fsyms = {name: sp.Symbol(f"_f_{name}") for name in model.field_names}
    dsyms: dict[sp.Derivative, sp.Symbol] = {}
    rhs = []
    for name in model.field_names:
        expr = model.inline_lets(model.equation_for(name).rhs).doit().xreplace(subs)
        for d in sorted(expr.atoms(sp.Derivative), key=sp.default_sort_key):
            if field_of(d.expr) is None or any(v == TIME for v, _ in d.variable_count):
                raise SemanticModelError(f"field `{name}`: cannot evaluate `{d}` in a PINO loss", model.span)
            dsyms.setdefault(d, sp.Symbol(f"_d{len(dsyms)}"))
        expr = expr.xreplace(dsyms)
        expr = expr.xreplace({model.function(f): s for f, s in fsyms.items()})
        rhs.append(expr)
    derivs = []
    for d in dsyms:
        orders = dict.fromkeys(axes, 0)
        for v, m in d.variable_count:
            orders[str(v)] += int(m)
        derivs.append((field_of(d.expr), tuple(orders[a] for a in axes)))
    args = [TIME, *(coord(a) for a in axes), *fsyms.values(), *dsyms.values()]
    func = sp.lambdify(args, rhs, modules="jax")
    return Residual(
        fields=model.field_names,
        axes=axes,
        lo=tuple(float(a.lo) for a in model.axes),
        hi=tuple(float(a.hi) for a in model.axes),
        periodic=tuple(a.periodic for a in model.axes),
        derivatives=tuple(derivs),
        function=func,
    )


def pino_loss(
    f: Residual, u0: jnp.ndarray, series: jnp.ndarray, times: jnp.ndarray, skip: int = 1
) -> jnp.ndarray:
    """The relative trapezoidal residual of one sample (see the module docstring).

    ``u0``: ``(F, *grid)`` at ``times[0]``; ``series``: ``(K, F, *grid)`` at ``times[1:]``
    (uniform steps).
    """
    U = jnp.concatenate([u0[None], series], axis=0)
    F = jnp.stack([f(U[k], times[k]) if k >= skip else jnp.zeros_like(U[k]) for k in range(U.shape[0])])
    dU = U[1:] - U[:-1]
    dt = (times[1:] - times[:-1]).reshape((-1,) + (1,) * (U.ndim - 1))
    r = (dU - 0.5 * dt * (F[1:] + F[:-1]))[skip:]
    # the scale is a constant for the gradient: a ratio whose numerator and denominator both
    # move with the prediction is flat (loss ~1) wherever the series is inconsistent noise
    scale = jax.lax.stop_gradient(jnp.sum(dU[skip:] ** 2))
    return jnp.sum(r**2) / (scale + 1e-30)
