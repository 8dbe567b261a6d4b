"""The LLVM module of a kernel: ghost filling, the right-hand side over a row range, and
fused Runge–Kutta steps, built with ``llvmlite.ir`` straight from the kernel IR.

Exported functions (C ABI; ``K`` is the kernel's name, all sizes int64)::

    void   eqc_K_ghosts(double *y, const int64_t *n, const double *h, const double *lo,
                        double t, const double *p);
    void   eqc_K_rhs(const double *y, double *out, const int64_t *n, const double *h,
                     const double *lo, double t, const double *p, int64_t row0, int64_t row1);
    void   eqc_K_rhs_all(double *y, double *out, n, h, lo, t, p);   /* ghosts + every row */
    int64_t eqc_K_<method>_work_len(const int64_t *n);               /* doubles of work */
    double eqc_K_<method>(double *y, double *work, n, h, lo, p, double t, double dt,
                          int64_t nsteps, int64_t row0, int64_t row1, int64_t tid,
                          int64_t nthreads, int64_t *barrier);       /* returns the new time */

The fused steps live in :mod:`.steps`; this module builds the rest and owns the module.
"""

from __future__ import annotations

from collections.abc import Sequence

from eqc.compiler.ir.kernel import KernelIR, decode_access
from llvmlite import ir

from .emit_expr import DOUBLE, I64, ExprEmitter
from .frame import GRID_ARGS, PTR, VOID, Frame, c_name, counted_loop, function, i64
from .steps import RK4, Pipelining, StepBuilder, Tableau, work_buffers

__all__ = ["ModuleBuilder", "Pipelining", "Tableau", "RK4", "build_module", "c_name", "work_buffers"]


class ModuleBuilder:
    """Builds the functions of one kernel into one module."""

    def __init__(self, kernel: KernelIR, flags: tuple[str, ...], triple: str = "", data_layout: str = "",
                 with_rhs: bool = True, pad: int | None = None, pipelining: Pipelining | None = None):
        self.k = kernel
        self.pipelining = pipelining or Pipelining()
        self.pad = kernel.halo if pad is None else pad  # ghost layers of the state arrays
        if self.pad < kernel.halo:
            raise ValueError(f"arrays padded by {self.pad} cannot hold the kernel's halo {kernel.halo}")
        self.flags = flags
        self.prefix = f"eqc_{c_name(kernel.name)}"
        self.module = ir.Module(name=self.prefix)
        if triple:
            self.module.triple = triple
        if data_layout:
            self.module.data_layout = data_layout
        self.nf = len(kernel.fields)
        self.ghosts = self._ghosts()
        if with_rhs:  # a module of fused steps only needs the ghosts besides its stages
            self.rhs = self._rhs()
            self._rhs_all()
            if kernel.constraints:
                self._constraint_rhs()
        self._steps: StepBuilder | None = None

    # -- ghosts ------------------------------------------------------------------------------
    def _ghosts(self) -> ir.Function:
        fn = function(self.module, f"{self.prefix}_ghosts", VOID, [("y", PTR), *GRID_ARGS, ("t", DOUBLE), ("p", PTR)])
        fn.attributes.add("optsize")  # O(surface) work: small code beats vectorised copies
        y, n, h, lo, t, p = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        fr = Frame(self.k, b, n, h, lo, p, t, self.flags, self.pad)
        fields = [fr.field_ptr(y, f) for f in range(self.nf)]
        for d, axis in enumerate(self.k.axes):
            if axis.periodic:
                self._periodic(fr, fields, d)
            else:
                rules = self.rules_of(d)
                if rules:
                    self._rules(fr, fields, d, rules)
        b.ret_void()
        return fn

    def _plane(self, fr: Frame, d: int, interior: bool, body, name: str) -> None:
        """Loop over every axis but ``d`` (padded or interior range); ``body(flat, idx)``."""
        b = fr.b
        others = [e for e in range(fr.nd) if e != d]

        def level(k: int, flat: ir.Value, idx: dict[int, ir.Value]) -> None:
            if k == len(others):
                body(flat, idx)
                return
            e = others[k]
            begin, end = (i64(fr.g), b.add(fr.n[e], i64(fr.g))) if interior else (i64(0), fr.P[e])

            def inner(j: ir.Value) -> None:
                level(k + 1, b.add(flat, b.mul(j, fr.stride[e], flags=("nsw",)), flags=("nsw",)), {**idx, e: j})

            counted_loop(b, begin, end, inner, f"{name}{e}")

        level(0, i64(0), {})

    def _periodic(self, fr: Frame, fields: list[ir.Value], d: int) -> None:
        b, g = fr.b, fr.g
        if g == 0:
            return

        def body(flat: ir.Value, idx: dict) -> None:
            for k in range(1, g + 1):
                pairs = (
                    (g - k, ("n", g - k)),  # lo ghost <- interior end
                    (("n", g - 1 + k), g + k - 1),  # hi ghost <- interior start
                )
                for dst, src in pairs:
                    dflat = b.add(flat, b.mul(self._pos(fr, d, dst), fr.stride[d]))
                    sflat = b.add(flat, b.mul(self._pos(fr, d, src), fr.stride[d]))
                    for fp in fields:
                        fr.store(fr.load(fp, sflat), fp, dflat)

        self._plane(fr, d, False, body, f"per{d}_")

    @staticmethod
    def _pos(fr: Frame, d: int, pos) -> ir.Value:
        if isinstance(pos, tuple):  # ("n", c) means n_d + c
            return fr.b.add(fr.n[d], i64(pos[1]))
        return i64(pos)

    def _rules(self, fr: Frame, fields: list[ir.Value], d: int, rules) -> None:
        self._plane(fr, d, True, self.rule_body(fr, fields, d, rules), f"bc{d}_")

    def rules_of(self, d: int) -> list:
        """The ghost rules of axis ``d``, in depth order (a deeper layer may read a shallower one)."""
        name = self.k.axes[d].name
        return sorted((r for r in self.k.ghosts if r.axis == name), key=lambda r: r.depth)

    def rule_body(self, fr: Frame, fields: list[ir.Value], d: int, rules):
        """``body(flat, idx)``: axis ``d``'s ghost rules at one point of the other axes
        (``flat``: its flat index with axis ``d`` at 0, ``idx``: the other axes' padded
        indices), at ``fr``'s time."""
        b, g = fr.b, fr.g
        axes = fr.axes

        def body(flat: ir.Value, idx: dict) -> None:
            env = {}
            for e, j in idx.items():
                s = fr.coord_symbols.get(axes[e])
                if s is not None:
                    env[s] = fr.coord(e, j)
            for rule in rules:
                first = i64(g) if rule.side == "lo" else b.add(fr.n[d], i64(g - 1))
                here = dict(env)
                s = fr.coord_symbols.get(axes[d])
                if s is not None:  # the boundary itself
                    edge = fr.lo[d]
                    if rule.side == "hi":
                        edge = b.fadd(edge, b.fmul(b.sitofp(fr.n[d], DOUBLE), fr.h[d]))
                    here[s] = edge
                base = b.add(flat, b.mul(first, fr.stride[d]))

                def access(expr, base=base):
                    name, offs = decode_access(expr, axes)
                    return fr.load(fields[fr.field_index[name]], b.add(base, fr.offset(offs)))

                em = ExprEmitter(b, here, access, self.flags, parent=fr.inv)
                value = em.emit(rule.expr)
                sign = -1 if rule.side == "lo" else 1
                ghost = b.add(base, b.mul(i64(sign * rule.depth), fr.stride[d]))
                fr.store(value, fields[fr.field_index[rule.field]], ghost)

        return body

    def edges(self) -> ir.Function:
        """``eqc_K_edges(y, n, h, lo, t, p, lo_side, hi_side)``: the ghost rows of axis 0 on
        the sides asked for (nonzero), as :meth:`_ghosts` fills them: axis 0's rules over
        the interior of axis 1, then, if axis 1 is periodic, those rows' wrapped columns.
        The pipelined loop fills a slab's and a new state's boundary rows with it."""
        name = f"{self.prefix}_edges"
        fn = self.module.globals.get(name)
        if fn is not None:
            return fn
        fn = function(self.module, name, VOID, [("y", PTR), *GRID_ARGS, ("t", DOUBLE), ("p", PTR),
                                                ("lo_side", I64), ("hi_side", I64)], internal=True)
        fn.attributes.add("noinline")
        y, n, h, lo, t, p, lo_side, hi_side = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        fr = Frame(self.k, b, n, h, lo, p, t, self.flags, self.pad)
        fields = [fr.field_ptr(y, f) for f in range(self.nf)]
        g = fr.g
        for side, flag in (("lo", lo_side), ("hi", hi_side)):
            with b.if_then(b.icmp_signed("!=", flag, i64(0))):
                rules = [r for r in self.rules_of(0) if r.side == side]
                if rules:
                    self._plane(fr, 0, True, self.rule_body(fr, fields, 0, rules), f"edge_{side}_")
                if fr.nd == 2 and self.k.axes[1].periodic and g:
                    first = i64(0) if side == "lo" else b.add(fr.n[0], i64(g))
                    counted_loop(b, i64(0), i64(g),
                                 lambda k, first=first: self.wrap_row(fr, fields, b.mul(b.add(first, k), fr.stride[0])),
                                 f"edge_{side}_wrap")
        b.ret_void()
        return fn

    @staticmethod
    def wrap_row(fr: Frame, fields: list[ir.Value], base: ir.Value) -> None:
        """Periodic ghosts along the last axis of the row whose padded index 0 is at ``base``."""
        b, g, d = fr.b, fr.g, fr.nd - 1
        for k in range(1, g + 1):
            pairs = ((i64(g - k), b.add(fr.n[d], i64(g - k))), (b.add(fr.n[d], i64(g - 1 + k)), i64(g + k - 1)))
            for dst, src in pairs:
                for fp in fields:
                    fr.store(fr.load(fp, b.add(base, src)), fp, b.add(base, dst))

    # -- right-hand side ---------------------------------------------------------------------
    def _rhs(self) -> ir.Function:
        args = [("y", PTR), ("out", PTR), *GRID_ARGS, ("t", DOUBLE), ("p", PTR), ("row0", I64), ("row1", I64)]
        fn = function(self.module, f"{self.prefix}_rhs", VOID, args)
        fn.attributes.add("noinline")  # one copy of the point loop (rhs_all calls it)
        for a in fn.args[:2]:
            a.add_attribute("noalias")
        y, out, n, h, lo, t, p, r0, r1 = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        fr = Frame(self.k, b, n, h, lo, p, t, self.flags, self.pad)
        src = [fr.field_ptr(y, f) for f in range(self.nf)]
        dst = [fr.field_ptr(out, f) for f in range(len(self.k.outputs))]

        def point(em: ExprEmitter, flat: ir.Value) -> None:
            fr.body_values(em, lambda f, value: fr.store(value, dst[f], flat))

        fr.point_loop(src, r0, r1, point)
        b.ret_void()
        return fn

    def _constraint_rhs(self) -> None:
        """``eqc_K_crhs``: the right-hand side of each constraint field into its slot of
        ``out`` (the runtime solves ``L psi = rhs`` spectrally from there)."""
        args = [("y", PTR), ("out", PTR), *GRID_ARGS, ("t", DOUBLE), ("p", PTR), ("row0", I64), ("row1", I64)]
        fn = function(self.module, f"{self.prefix}_crhs", VOID, args)
        for a in fn.args[:2]:
            a.add_attribute("noalias")
        y, out, n, h, lo, t, p, r0, r1 = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        fr = Frame(self.k, b, n, h, lo, p, t, self.flags, self.pad)
        src = [fr.field_ptr(y, f) for f in range(self.nf)]
        dst = [fr.field_ptr(out, fr.field_index[c.field]) for c in self.k.constraints]

        def point(em: ExprEmitter, flat: ir.Value) -> None:
            for c, ptr in zip(self.k.constraints, dst, strict=True):
                fr.store(em.emit(c.rhs), ptr, flat)

        fr.point_loop(src, r0, r1, point, name="c")
        b.ret_void()

    def _rhs_all(self) -> None:
        args = [("y", PTR), ("out", PTR), *GRID_ARGS, ("t", DOUBLE), ("p", PTR)]
        fn = function(self.module, f"{self.prefix}_rhs_all", VOID, args)
        y, out, n, h, lo, t, p = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        b.call(self.ghosts, [y, n, h, lo, t, p])
        rows = b.load(n, typ=I64) if self.k.axes else i64(1)
        b.call(self.rhs, [y, out, n, h, lo, t, p, i64(0), rows])
        b.ret_void()

    # -- fused Runge–Kutta steps ---------------------------------------------------------------
    def add_method(self, tab: Tableau) -> None:
        """Add ``eqc_K_<tag>`` (``nsteps`` fused steps) and ``eqc_K_<tag>_work_len``."""
        if self._steps is None:
            self._steps = StepBuilder(self)
        self._steps.add(tab)


def build_module(kernel: KernelIR, flags: tuple[str, ...], methods: Sequence[Tableau] = (),
                 triple: str = "", data_layout: str = "") -> ir.Module:
    """The LLVM module of ``kernel`` with a fused step function for each of ``methods``."""
    mb = ModuleBuilder(kernel, flags, triple, data_layout)
    for tab in methods:
        mb.add_method(tab)
    return mb.module
