"""The kernel IR: the one object every classical backend renders and the rewriter transforms.

Layout of the data a kernel sees (DESIGN.md, "The kernel IR"; grid convention in
``docs/grid.md``):

* every state field is an array padded with ``halo`` ghost cells on *both* sides of
  *every* axis (periodic axes too: their ghosts are copies). Interior point ``i`` of axis
  ``x`` lives at array index ``i + halo``. Point coordinates are cell-centred:
  ``x_i = lo + (i + 1/2) * h_x`` for ``i = 0 .. n_x - 1``.
* the kernel computes ``outputs`` (one per field: its time derivative, or for a steady
  model its residual) at interior points only, after the ghosts were filled by the
  ``ghosts`` rules; there is no branch in the point loop.

Expressions use only these atoms:

* field accesses ``access(u, (dx, dy))`` = ``u[i_x + dx, i_y + dy]`` (a sympy ``Indexed``
  on the loop indices of :func:`loop_index`; interior-relative, ghosts excluded);
* coordinates ``x`` (the point's coordinate), time ``t``, parameters, spacings ``h_x``
  (:func:`eqc.compiler.ir.symbols.spacing`), grid sizes ``n_x`` (:func:`size`);
* temporaries named in ``body`` or ``invariants``, numbers and scalar functions.

No ``Derivative`` is left (:func:`verify_kernel` checks). Atoms that vary with the point
are accesses and coordinates; everything else is loop-invariant (hoisted, computed once
per call). An ODE model has ``axes == ()`` and accesses ``u[0]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import sympy as sp

from ..diagnostics import InternalCompilerError
from .symbols import coord

__all__ = [
    "KernelAxis",
    "GhostRule",
    "Constraint",
    "LinearPart",
    "KernelIR",
    "Assignment",
    "access",
    "decode_access",
    "accesses_of",
    "loop_index",
    "size",
    "is_varying",
    "verify_kernel",
]

Assignment = tuple[sp.Symbol, sp.Expr]


def loop_index(axis: str) -> sp.Symbol:
    """The integer loop index over interior points of ``axis``."""
    return sp.Symbol(f"i_{axis}", integer=True)


def size(axis: str) -> sp.Symbol:
    """The number of interior grid points of ``axis`` (a run-time value)."""
    return sp.Symbol(f"n_{axis}", integer=True, positive=True)


_ODE_INDEX = sp.Integer(0)


def access(field_name: str, offsets: Sequence[int], axes: Sequence[str]) -> sp.Indexed:
    """``field[i_x + dx, ...]``: the value of a field at an integer offset from the point."""
    if len(offsets) != len(axes):
        raise InternalCompilerError(f"access to {field_name}: {len(offsets)} offsets for axes {tuple(axes)}")
    base = sp.IndexedBase(field_name, real=True)
    if not axes:
        return base[_ODE_INDEX]
    return base[tuple(loop_index(a) + int(d) for a, d in zip(axes, offsets, strict=True))]


def decode_access(expr: sp.Indexed, axes: Sequence[str]) -> tuple[str, tuple[int, ...]]:
    """The field name and integer offsets of an access made by :func:`access`."""
    name = str(expr.base.label)
    if not axes:
        return name, ()
    offsets = []
    for a, idx in zip(axes, expr.indices, strict=True):
        off = sp.expand(idx - loop_index(a))
        if not off.is_Integer:
            raise InternalCompilerError(f"access {expr} is not at an integer offset along {a}")
        offsets.append(int(off))
    return name, tuple(offsets)


def accesses_of(expr: sp.Basic) -> set[sp.Indexed]:
    return set(expr.atoms(sp.Indexed))


def is_varying(expr: sp.Basic, axes: Sequence[str]) -> bool:
    """True when ``expr`` changes from grid point to grid point (not loop-invariant)."""
    if expr.atoms(sp.Indexed):
        return True
    coords = {coord(a) for a in axes}
    return bool(expr.free_symbols & coords)


@dataclass(frozen=True, slots=True)
class KernelAxis:
    """An axis as a kernel sees it: periodic or not, and the ghost width per side."""

    name: str
    periodic: bool
    halo: int

    def __post_init__(self) -> None:
        if self.halo < 0:
            raise ValueError("halo must be >= 0")


@dataclass(frozen=True, slots=True)
class GhostRule:
    """How one ghost layer of one field on one side of a non-periodic axis is filled.

    ``depth`` is 1 for the layer next to the boundary, 2 for the next, ...; ``expr`` gives
    its value from interior accesses whose offsets along ``axis`` are relative to the
    *first interior point on that side* (offset 0 = the point next to the boundary; on
    the ``lo`` side offsets go up into the interior, on ``hi`` they go down), and may use
    ``t``, the coordinates of the other axes, parameters and the spacing. Periodic axes
    have no rules: their ghosts are copies of the opposite interior.
    ``source`` is the boundary condition's text (for comments in generated code).
    """

    field: str
    axis: str
    side: Literal["lo", "hi"]
    depth: int
    expr: sp.Expr
    kind: Literal["dirichlet", "neumann", "robin"]
    source: str = ""


@dataclass(frozen=True, slots=True)
class Constraint:
    """A field fixed by a linear equation at every time: ``sum_k c_k D^k f = rhs``.

    ``operator`` maps derivative orders per axis (e.g. ``(2, 0)`` for d2/dx2) to
    constant coefficients; ``rhs`` is a kernel expression. On a periodic box the runtime
    solves it spectrally before every right-hand-side call (e.g. the stream function of
    2D Navier–Stokes: ``lap(psi) = -w``). The field is then read by ``outputs`` through
    accesses like any other, but is not advanced in time.
    """

    field: str
    operator: tuple[tuple[tuple[int, ...], sp.Expr], ...]
    rhs: sp.Expr
    source: str = ""


@dataclass(frozen=True, slots=True)
class LinearPart:
    """A constant-coefficient linear part ``L u`` split off one field's right-hand side
    (for exponential or IMEX steppers on periodic boxes). ``operator`` maps derivative
    orders per axis to constant coefficients (parameters allowed), like
    :class:`Constraint`; ``(0, 0)`` is the plain multiple of the field."""

    field: str
    operator: tuple[tuple[tuple[int, ...], sp.Expr], ...]


@dataclass(frozen=True, slots=True)
class KernelIR:
    """A discretised right-hand side, ready for the rewriter and the backends.

    ``fields``: the state fields in the fixed order of the kernel's arguments (constraint
    fields come after the evolved ones). ``params``: parameter names in argument order.
    ``invariants``: hoisted parameter-only assignments computed once per call.
    ``body``: ordered point-wise temporaries. ``outputs``: one expression per *evolved*
    (or, for steady models, per unknown) field, in ``fields`` order. ``linear``: parts
    split off for exponential steppers (absent from ``outputs`` when present).
    ``equations``: the source equations, one line each, for comments in generated code.
    """

    name: str
    fields: tuple[str, ...]
    axes: tuple[KernelAxis, ...]
    params: tuple[str, ...]
    outputs: tuple[sp.Expr, ...]
    body: tuple[Assignment, ...] = ()
    invariants: tuple[Assignment, ...] = ()
    ghosts: tuple[GhostRule, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    linear: tuple[LinearPart, ...] = ()
    order: int = 2
    steady: bool = False
    equations: tuple[str, ...] = ()
    meta: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        n_out = len(self.fields) - len(self.constraints)
        if len(self.outputs) != n_out:
            raise InternalCompilerError(
                f"kernel {self.name}: {len(self.outputs)} outputs for {n_out} evolved fields"
            )

    @property
    def axis_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axes)

    @property
    def evolved(self) -> tuple[str, ...]:
        """The fields that ``outputs`` are for (all but constraint fields)."""
        constrained = {c.field for c in self.constraints}
        return tuple(f for f in self.fields if f not in constrained)

    @property
    def halo(self) -> int:
        return max((a.halo for a in self.axes), default=0)

    def temporaries(self) -> dict[sp.Symbol, sp.Expr]:
        return dict(self.invariants) | dict(self.body)


def _walk(exprs: Iterable[sp.Basic]):
    for e in exprs:
        yield from sp.preorder_traversal(e)


def verify_kernel(k: KernelIR, known_params: Mapping[str, object] | None = None) -> KernelIR:
    """Check the invariants a backend relies on; raise :class:`InternalCompilerError`.

    No derivative left, every access decodes to a declared field at an integer offset
    within the halo, every temporary defined before use, invariants free of varying atoms.
    """
    axes = k.axis_names
    exprs = [e for _, e in k.invariants] + [e for _, e in k.body] + list(k.outputs)
    exprs += [g.expr for g in k.ghosts] + [c.rhs for c in k.constraints]
    for node in _walk(exprs):
        if isinstance(node, sp.Derivative):
            raise InternalCompilerError(f"kernel {k.name}: derivative left after lowering", str(node))
        if isinstance(node, sp.core.function.AppliedUndef):
            raise InternalCompilerError(f"kernel {k.name}: field function left after lowering", str(node))
        if isinstance(node, sp.Indexed):
            name, offs = decode_access(node, axes)
            if name not in k.fields:
                raise InternalCompilerError(f"kernel {k.name}: access to unknown field {name}", str(node))
            for ax, off in zip(k.axes, offs, strict=True):
                if abs(off) > ax.halo and not any(g.axis == ax.name for g in k.ghosts):
                    raise InternalCompilerError(
                        f"kernel {k.name}: offset {off} along {ax.name} exceeds halo {ax.halo}", str(node)
                    )
    defined: set[sp.Symbol] = set()
    for sym, e in k.invariants:
        if is_varying(e, axes):
            raise InternalCompilerError(f"kernel {k.name}: invariant {sym} varies with the point", str(e))
        defined.add(sym)
    temps = set(k.temporaries())
    for sym, e in k.body:
        missing = (e.free_symbols & temps) - defined
        if missing:
            raise InternalCompilerError(f"kernel {k.name}: {sym} uses {sorted(map(str, missing))} before definition")
        defined.add(sym)
    for e in k.outputs:
        missing = (e.free_symbols & temps) - defined
        if missing:
            raise InternalCompilerError(f"kernel {k.name}: output uses undefined {sorted(map(str, missing))}")
    return k
