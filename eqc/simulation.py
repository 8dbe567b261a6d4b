"""The classical path as a Python API: ``eqc.compile(model) -> Simulation``, ``sim.run()``.

``compile`` runs the compiler pipeline (``eqc.compiler.pipeline``) and hands the kernel IR
to a backend from the lazy table (``eqc.backends.get_backend(name).compile_kernel``), so
any backend that implements docs/internals.md §5 plugs in. ``Simulation.run`` builds the
initial state, picks a time stepper, warns before an explicit run that the CFL/diffusion
estimate says will blow up, and drives it with :func:`eqc.runtime.driver.integrate`,
writing snapshots to netCDF/zarr (or memory). Steady models are solved instead
(:mod:`eqc.steady`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import sympy as sp

from .backends import get_backend
from .compiler.diagnostics import SemanticModelError
from .compiler.ir.kernel import KernelIR
from .compiler.ir.model import Model, Solve
from .compiler.ir.symbols import TIME, coord, field_function
from .compiler.options import BackendOptions, CompileOptions
from .compiler.passes.split import split_linear
from .compiler.pipeline import lower_model
from .runtime.grid import Grid

__all__ = ["compile", "Simulation", "StabilityWarning", "DEFAULT_POINTS"]

DEFAULT_POINTS = 64
_METHODS = ("auto", "euler", "ssprk3", "rk4", "dopri5", "etdrk4")


class StabilityWarning(UserWarning):
    """An explicit run whose time step exceeds the stability estimate."""


def compile(  # noqa: A001 - the public name of the API
    model: Model,
    backend: str = "llvm",
    order: int = 2,
    rewrite: bool = True,
    *,
    n: int | tuple[int, ...] | None = None,
    fastmath: bool = True,
    parallel: bool = True,
) -> Simulation:
    """Compile ``model`` for ``backend`` (llvm, numba or jax) with central differences of
    ``order``; ``n`` overrides the model's grid size (an int for every axis, or a tuple).
    The rewriter minimises the backend's ``COST_TABLE`` when it declares one."""
    target = get_backend(backend)
    options = CompileOptions(order=order, rewrite=rewrite, cost=getattr(target, "COST_TABLE", None))
    kernel = lower_cached(model, options)
    be = BackendOptions(fastmath=fastmath, parallel=parallel)
    ck = target.compile_kernel(kernel, be)
    return Simulation(model, kernel, ck, backend, options, be, _grid(model, kernel.halo, n))


def lower_cached(model: Model, options: CompileOptions) -> KernelIR:
    """:func:`lower_model`, memoised on disk by the content hash of the model and options
    (a second run skips discretisation and rewriting, and renders the same kernel, so the
    backend's own cache hits even when the rewriter's time budget would end elsewhere)."""
    import pickle

    from . import __version__
    from .runtime.cache import cache_dir, content_hash
    from .runtime.checkpoint import atomic_write_bytes

    try:
        key = content_hash(("kernel-ir", __version__, model, options))
    except (TypeError, ValueError):
        return lower_model(model, options)
    path = cache_dir("ir") / f"{model.name}-{key[:24]}.pickle"
    if path.exists():
        try:
            return pickle.loads(path.read_bytes())
        except Exception:  # a stale or damaged entry is rebuilt
            pass
    kernel = lower_model(model, options)
    try:
        atomic_write_bytes(path, pickle.dumps(kernel))
    except (OSError, pickle.PicklingError):
        pass
    return kernel


def _grid(model: Model, halo: int, n: int | tuple[int, ...] | None) -> Grid:
    if not model.axes:
        return Grid()
    if n is None:
        sizes = tuple(a.points or DEFAULT_POINTS for a in model.axes)
    elif isinstance(n, int):
        sizes = (n,) * len(model.axes)
    else:
        sizes = tuple(int(v) for v in n)
    return Grid(
        model.axis_names,
        tuple(float(a.lo) for a in model.axes),
        tuple(float(a.hi) for a in model.axes),
        sizes,
        tuple(a.periodic for a in model.axes),
        halo,
    )


def _lambdify(model: Model, expr: sp.Expr, extra: tuple[sp.Symbol, ...] = ()):
    syms = [coord(a) for a in model.axis_names] + [p.symbol for p in model.params] + [TIME, *extra]
    return sp.lambdify(syms, expr, modules="numpy")


@dataclass(frozen=True)
class RunSetup:
    """What :meth:`Simulation.prepare_run` decided: the run's start and end, step, method,
    parameter values, initial (padded) state, stability hint, stepper, result attributes
    and save times."""

    t0: float
    t1: float
    dt: float | None
    method: str
    values: dict[str, float]
    y: np.ndarray
    hint: str | None
    stepper: Any
    attrs: dict[str, Any]
    times: Any


@dataclass
class Simulation:
    """A compiled model: ``run`` it (evolution/ODE) or ``solve`` it (steady).

    ``kernel`` is the lowered :class:`KernelIR`, ``compiled`` the backend's kernel,
    ``grid`` the run-time grid (``with_grid`` changes it without recompiling).
    """

    model: Model
    kernel: KernelIR
    compiled: Any
    backend: str
    options: CompileOptions
    backend_options: BackendOptions
    grid: Grid

    # ---------------------------------------------------------------- set-up
    @property
    def fields(self) -> tuple[str, ...]:
        return self.kernel.fields

    @property
    def n_evolved(self) -> int:
        return len(self.kernel.evolved)

    def with_grid(self, n: int | tuple[int, ...]) -> Simulation:
        """The same compiled kernel on another grid size (no recompilation)."""
        return replace(self, grid=_grid(self.model, self.kernel.halo, n))

    def params(self, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
        try:
            values = self.model.param_values(overrides)
        except KeyError as exc:
            raise SemanticModelError(
                f"{exc.args[0]}", hint=f"the parameters of {self.model.name} are {', '.join(self.model.param_names)}"
            ) from None
        missing = [p for p in self.model.param_names if p not in values]
        if missing:
            raise SemanticModelError(
                f"parameter `{missing[0]}` has no value", hint=f"set it, e.g. --set {missing[0]}=1.0"
            )
        return values

    def initial_state(self, initial: Mapping[str, Any] | None = None, params: Mapping[str, float] | None = None) -> np.ndarray:
        """The padded state at the start time from the model's ``init`` lines (fields
        without one start at zero), with ``initial`` (interior arrays) overriding them."""
        grid = self.grid
        values = self.params(params)
        pvals = [values[p] for p in self.model.param_names]
        solve = self.model.solve or Solve()
        mesh = grid.mesh() if grid.dim else ()
        initial = dict(initial or {})
        unknown = set(initial) - set(self.fields)
        if unknown:
            raise SemanticModelError(f"`initial` names no field of {self.model.name}: {sorted(unknown)[0]}")
        values_of = []
        for f in self.fields:
            ic = self.model.ic_for(f)
            if f in initial:
                values_of.append(initial[f])
            elif ic is None:
                values_of.append(None)
            else:
                values_of.append(_lambdify(self.model, ic.expr)(*mesh, *pvals, solve.t0))
        return grid.state(values_of)

    # ---------------------------------------------------------------- choices
    def _linear_terms(self) -> dict[str, dict[tuple[int, ...], sp.Expr]]:
        out = {}
        axes = self.model.axis_names
        for eq in self.model.evolution_equations:
            op, _ = split_linear(self.model.inline_lets(eq.rhs), eq.field, axes)
            if any(any(k) for k in op):
                out[eq.field] = op
        return out

    def _stiff(self, values: Mapping[str, float], dt: float | None) -> bool:
        """True when a constant-coefficient linear part on a periodic box is stiff for rk4:
        a derivative of order >= 4, or its spectrum times ``dt`` beyond rk4's region."""
        grid = self.grid
        if not grid.dim or not all(grid.periodic) or self.kernel.constraints:
            return False
        ops = self._linear_terms()
        if not ops:
            return False
        if any(sum(k) >= 4 for op in ops.values() for k in op):
            return True
        if dt is None:
            return False
        from .runtime.spectral import symbol

        worst = 0.0
        for op in ops.values():
            terms = {k: complex(float(c.subs({s: values[s.name] for s in c.free_symbols}))) for k, c in op.items()}
            worst = max(worst, float(np.abs(symbol(grid, terms)).max()))
        return worst * dt > 2.5

    def _speeds(self, y: np.ndarray, values: Mapping[str, float]) -> tuple[list[float], float]:
        """Wave speed per axis and diffusivity: the coefficients of first and second
        derivatives in the right-hand sides, evaluated on the state ``y`` (max |.|)."""
        axes = self.model.axis_names
        speeds = [0.0] * len(axes)
        diff = 0.0
        grid = self.grid
        fsyms = {field_function(f, axes): sp.Symbol(f"_f_{f}", real=True) for f in self.fields}
        fvals = [y[(k, *grid.interior)] for k in range(len(self.fields))]
        pvals = [values[p] for p in self.model.param_names]
        mesh = grid.mesh()
        for eq in self.model.evolution_equations:
            rhs = sp.expand(self.model.inline_lets(eq.rhs).doit())
            for term in sp.Add.make_args(rhs):
                for fac in sp.Mul.make_args(term):
                    # only the equation's own field: u_t = c^2 v_xx beside v_t = u is a wave
                    if not isinstance(fac, sp.Derivative) or fac.expr != field_function(eq.field, axes):
                        continue
                    vc = fac.variable_count
                    if len(vc) != 1 or vc[0][0] == TIME:
                        continue
                    var, order = vc[0]
                    coef = (term / fac).xreplace(fsyms)
                    if coef.atoms(sp.Derivative) or coef.atoms(sp.core.function.AppliedUndef):
                        continue
                    try:
                        val = _lambdify(self.model, coef, tuple(fsyms.values()))(*mesh, *pvals, 0.0, *fvals)
                        mag = float(np.max(np.abs(val)))
                    except Exception:  # an estimate only; never fail a run over it
                        continue
                    if not math.isfinite(mag):
                        continue
                    if order == 1:
                        a = axes.index(var.name)
                        speeds[a] = max(speeds[a], mag)
                    elif order == 2:
                        diff = max(diff, mag)
        return speeds, diff

    def stability(self, method: str, dt: float, y: np.ndarray, values: Mapping[str, float]):
        """The runtime's CFL/diffusion report for this run (None for ODEs)."""
        if not self.grid.dim:
            return None
        from .runtime.stability import check_stability

        speeds, diff = self._speeds(y, values)
        return check_stability(method, dt, self.grid.h, wave_speed=speeds, diffusivity=diff, order=self.kernel.order)

    # ---------------------------------------------------------------- running
    def stepper(self, method: str, dt: float | None, values: Mapping[str, float], y_shape, rtol=1e-6, atol=1e-9):
        """A runtime stepper for ``method``, using the backend's fused loop when it has one."""
        from .runtime.steppers import TABLEAUS, StepperOptions, make_stepper

        opts = StepperOptions(rtol=rtol, atol=atol)
        if method == "etdrk4":
            from .runtime.spectral import symbol

            if not self.grid.dim or not all(self.grid.periodic):
                raise SemanticModelError(
                    f"etdrk4 needs every axis periodic; {self.model.name} has "
                    + ("no axes" if not self.grid.dim else "a non-periodic axis"),
                    span=self.model.solve.span if self.model.solve else None,
                    hint="use rk4 (or dopri5) here",
                )

            split = lower_cached(self.model, replace(self.options, split_linear=True))
            ck = get_backend(self.backend).compile_kernel(split, self.backend_options)
            lin = np.zeros((self.n_evolved, *symbol(self.grid, {(0,) * self.grid.dim: 0.0}).shape), dtype=complex)
            for part in split.linear:
                k = split.evolved.index(part.field)
                terms = {o: complex(float(c.subs({s: values[s.name] for s in c.free_symbols}))) for o, c in part.operator}
                lin[k] = symbol(self.grid, terms)
            if np.all(lin.imag == 0):
                lin = lin.real.copy()
            rhs = ck.rhs(self.grid, values)
            return make_stepper("etdrk4", rhs, y_shape, dt, grid=self.grid, n_evolved=self.n_evolved,
                                options=opts, linear=lin)
        rhs = self.compiled.rhs(self.grid, values)
        fused = None
        if method in TABLEAUS and method != "dopri5" and dt is not None:
            adv = getattr(self.compiled, "advance", None)
            fused = adv(self.grid, values, TABLEAUS[method], dt) if adv is not None else None
        return make_stepper(method, rhs, y_shape, dt, grid=self.grid, n_evolved=self.n_evolved,
                            options=opts, fused=fused)

    def choose_method(self, method: str | None, dt: float | None, values: Mapping[str, float]) -> str:
        method = method or (self.model.solve.method if self.model.solve else "auto") or "auto"
        if method not in _METHODS:
            raise SemanticModelError(f"unknown time-stepping method `{method}`", hint=f"choose one of {', '.join(_METHODS)}")
        if method != "auto":
            return method
        if self._stiff(values, dt):
            return "etdrk4"
        return "rk4" if dt is not None else "dopri5"

    def prepare_run(self, t_end=None, dt=None, method=None, save_every=None, params=None, initial=None,
                    rtol: float = 1e-6, atol: float = 1e-9) -> RunSetup:
        """Everything :meth:`run` decides before its first step (see there for the
        arguments): times, step, method, parameter values, initial state, stability hint
        (also warned as a :class:`StabilityWarning`) and the stepper."""
        from .runtime.driver import save_times_every

        solve = self.model.solve or Solve()
        t0 = float(solve.t0)
        t1 = float(t_end if t_end is not None else solve.t1)
        dt = dt if dt is not None else solve.dt
        every = save_every if save_every is not None else solve.save_every
        if not t1 > t0:
            raise SemanticModelError(f"the end time {t1:g} is not after the start time {t0:g}", hint="give a later --t-end")
        if dt is not None and not dt > 0:
            raise SemanticModelError(f"the time step must be positive, got {dt:g}", hint="give e.g. --dt 1e-3")
        values = self.params(params)
        method = self.choose_method(method, dt, values)
        if method == "etdrk4" and dt is None:
            dt = (t1 - t0) / 1000
        if method not in ("dopri5",) and dt is None:
            raise SemanticModelError(f"method {method} needs a time step", hint="give --dt or `step` in the solve line")
        y = self.initial_state(initial, params)
        hint = None
        if method in ("euler", "ssprk3", "rk4") and dt is not None:
            report = self.stability(method, dt, y, values)
            if report is not None and report.message:
                hint = report.message
                warnings.warn(hint, StabilityWarning, stacklevel=3)
        stepper = self.stepper(method, dt, values, y.shape, rtol, atol)
        attrs = {"model": self.model.name, "method": method, "backend": self.backend, "order": self.kernel.order}
        if dt is not None:
            attrs["dt"] = float(dt)
        return RunSetup(t0, t1, dt, method, values, y, hint, stepper, attrs, save_times_every(t0, t1, every))

    def run(
        self,
        t_end: float | None = None,
        dt: float | None = None,
        method: str | None = None,
        save_every: float | None = None,
        params: Mapping[str, float] | None = None,
        initial: Mapping[str, Any] | None = None,
        output: str | None = None,
        progress: bool = True,
        rtol: float = 1e-6,
        atol: float = 1e-9,
        resume: bool = False,
    ):
        """Integrate from the model's start time to ``t_end`` and return an
        :class:`xarray.Dataset` (also written to ``output``: netCDF, or zarr for ``.zarr``).

        Defaults come from the model's ``solve`` line. ``method`` "auto": etdrk4 for a
        stiff linear part on a periodic box, else rk4 (dopri5 when there is no ``dt``).
        With an ``output`` file, the state is checkpointed to ``<output>.ck.npz`` after every
        snapshot (removed when the run completes); ``resume=True`` continues a stopped run
        from that checkpoint.
        """
        if self.kernel.steady:
            from .steady import solve_steady

            return solve_steady(self, params=params, initial=initial, output=output)
        from .runtime.driver import checkpoint_path, integrate_to_output
        from .runtime.driver import resume as read_checkpoint

        st = self.prepare_run(t_end, dt, method, save_every, params, initial, rtol, atol)
        y, t1, values, stepper, hint, times, attrs, method = (st.y, st.t1, st.values, st.stepper, st.hint,
                                                              st.times, st.attrs, st.method)
        ck = checkpoint_path(output)
        saved, start = 0, st.t0
        if resume:
            if ck is None or not ck.exists():
                raise SemanticModelError(
                    "nothing to resume: no checkpoint " + (f"{ck}" if ck else "(no output file)"),
                    hint="run without --resume first (a run writes <output>.ck.npz as it goes)",
                )
            r = read_checkpoint(ck)
            if r.y.shape != y.shape:
                raise SemanticModelError(f"checkpoint {ck} is for another grid or model", hint="run without --resume")
            y[...] = r.y
            saved, start = r.saved, r.t
        if self.kernel.constraints:  # the constraint fields consistent with the start state
            self.compiled.rhs(self.grid, values)(start, y, np.zeros_like(y))
        ds, self.last_result = integrate_to_output(
            stepper, y, start, t1, times, output, self.grid, self.fields, params=values, attrs=attrs,
            progress=progress, stability_hint=hint, description=f"{self.model.name} ({method}, {self.backend})",
            saved_before=saved, resume=resume)
        self.last_state = y
        self.last_setup = st
        return ds
