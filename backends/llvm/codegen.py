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

A fused step runs ``nsteps`` explicit Runge–Kutta steps of a Butcher tableau (Hairer,
Nørsett & Wanner, *Solving ODEs I*, §II.1) with the stage update folded into the stencil
loop: stage ``i`` computes ``k_i = f(Y_i)`` at a point and writes, at the same point,
``Y_{i+1} = y + dt*sum_j a_{i+1,j} k_j`` and the running ``sum_j b_j k_j``; only the
``k_j`` that later stages need are stored. ``nthreads`` callers split the rows and meet
at a sense-reversing barrier (Mellor-Crummey & Scott 1991) twice per stage: once before
thread 0 fills the ghosts, once after.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from eqc.compiler.diagnostics import InternalCompilerError
from eqc.compiler.ir.kernel import KernelIR, decode_access
from llvmlite import ir

from .emit_expr import DOUBLE, I64, ExprEmitter
from .frame import Frame, counted_loop, i64

__all__ = ["Tableau", "build_module", "c_name", "work_buffers"]

PTR = ir.PointerType()
VOID = ir.VoidType()


def c_name(name: str) -> str:
    """A C identifier made from a kernel name."""
    s = re.sub(r"\W", "_", name)
    return s if s and not s[0].isdigit() else f"k_{s}"


@dataclass(frozen=True, slots=True)
class Tableau:
    """The coefficients of an explicit Runge–Kutta method (strictly lower ``a``)."""

    name: str
    a: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]
    c: tuple[float, ...]

    def __post_init__(self) -> None:
        s = len(self.b)
        if len(self.c) != s or len(self.a) != s or any(len(r) < i for i, r in enumerate(self.a)):
            raise ValueError(f"tableau {self.name}: inconsistent sizes")
        if any(x != 0 for i, r in enumerate(self.a) for x in r[i:]):
            raise ValueError(f"tableau {self.name}: only explicit methods have a fused loop")

    @classmethod
    def from_any(cls, tableau: object) -> Tableau:
        """From any object with ``a``, ``b``, ``c`` (e.g. the runtime's ButcherTableau)."""
        a = tuple(tuple(float(x) for x in row) for row in tableau.a)
        b = tuple(float(x) for x in tableau.b)
        c = tuple(float(x) for x in tableau.c)
        s = len(b)
        a = tuple((row + (0.0,) * s)[:s] for row in a)
        return cls(str(getattr(tableau, "name", "rk")), a, b, c)

    @property
    def stages(self) -> int:
        return len(self.b)

    def stored(self) -> tuple[int, ...]:
        """Stages whose ``k`` a stage after the next one reads (kept in a buffer)."""
        s = self.stages
        return tuple(j for j in range(s) if any(self.a[m][j] != 0 for m in range(j + 2, s)))

    @property
    def tag(self) -> str:
        return c_name(self.name.lower())


RK4 = Tableau(
    "rk4",
    ((0, 0, 0, 0), (0.5, 0, 0, 0), (0, 0.5, 0, 0), (0, 0, 1, 0)),
    (1 / 6, 1 / 3, 1 / 3, 1 / 6),
    (0, 0.5, 0.5, 1),
)


def work_buffers(tableau: Tableau) -> int:
    """State-sized work buffers a fused step needs: two stage buffers, the ``b``-sum and
    the stored ``k``."""
    return 3 + len(tableau.stored())


def _fn(module: ir.Module, name: str, ret: ir.Type, args: Sequence[tuple[str, ir.Type]], internal=False):
    fn = ir.Function(module, ir.FunctionType(ret, [t for _, t in args]), name=name)
    for arg, (an, _) in zip(fn.args, args, strict=True):
        arg.name = an
    fn.attributes.add("nounwind")
    if internal:
        fn.linkage = "internal"
    return fn


_GRID = [("n", PTR), ("h", PTR), ("lo", PTR)]


class ModuleBuilder:
    """Builds the functions of one kernel into one module."""

    def __init__(self, kernel: KernelIR, flags: tuple[str, ...], triple: str = "", data_layout: str = "",
                 with_rhs: bool = True):
        self.k = kernel
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
        self._barrier_fn: ir.Function | None = None

    # -- ghosts ------------------------------------------------------------------------------
    def _ghosts(self) -> ir.Function:
        fn = _fn(self.module, f"{self.prefix}_ghosts", VOID, [("y", PTR), *_GRID, ("t", DOUBLE), ("p", PTR)])
        fn.attributes.add("optsize")  # O(surface) work: small code beats vectorised copies
        y, n, h, lo, t, p = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        fr = Frame(self.k, b, n, h, lo, p, t, self.flags)
        fields = [fr.field_ptr(y, f) for f in range(self.nf)]
        for d, axis in enumerate(self.k.axes):
            if axis.periodic:
                self._periodic(fr, fields, d)
            else:
                rules = sorted((r for r in self.k.ghosts if r.axis == axis.name), key=lambda r: r.depth)
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

        self._plane(fr, d, True, body, f"bc{d}_")

    # -- right-hand side ---------------------------------------------------------------------
    def _rhs(self) -> ir.Function:
        args = [("y", PTR), ("out", PTR), *_GRID, ("t", DOUBLE), ("p", PTR), ("row0", I64), ("row1", I64)]
        fn = _fn(self.module, f"{self.prefix}_rhs", VOID, args)
        fn.attributes.add("noinline")  # one copy of the point loop (rhs_all calls it)
        for a in fn.args[:2]:
            a.add_attribute("noalias")
        y, out, n, h, lo, t, p, r0, r1 = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        fr = Frame(self.k, b, n, h, lo, p, t, self.flags)
        src = [fr.field_ptr(y, f) for f in range(self.nf)]
        dst = [fr.field_ptr(out, f) for f in range(len(self.k.outputs))]

        def point(em: ExprEmitter, flat: ir.Value) -> None:
            for value, ptr in zip(fr.body_values(em), dst, strict=True):
                fr.store(value, ptr, flat)

        fr.point_loop(src, r0, r1, point)
        b.ret_void()
        return fn

    def _constraint_rhs(self) -> None:
        """``eqc_K_crhs``: the right-hand side of each constraint field into its slot of
        ``out`` (the runtime solves ``L psi = rhs`` spectrally from there)."""
        args = [("y", PTR), ("out", PTR), *_GRID, ("t", DOUBLE), ("p", PTR), ("row0", I64), ("row1", I64)]
        fn = _fn(self.module, f"{self.prefix}_crhs", VOID, args)
        for a in fn.args[:2]:
            a.add_attribute("noalias")
        y, out, n, h, lo, t, p, r0, r1 = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        fr = Frame(self.k, b, n, h, lo, p, t, self.flags)
        src = [fr.field_ptr(y, f) for f in range(self.nf)]
        dst = [fr.field_ptr(out, fr.field_index[c.field]) for c in self.k.constraints]

        def point(em: ExprEmitter, flat: ir.Value) -> None:
            for c, ptr in zip(self.k.constraints, dst, strict=True):
                fr.store(em.emit(c.rhs), ptr, flat)

        fr.point_loop(src, r0, r1, point, name="c")
        b.ret_void()

    def _rhs_all(self) -> None:
        args = [("y", PTR), ("out", PTR), *_GRID, ("t", DOUBLE), ("p", PTR)]
        fn = _fn(self.module, f"{self.prefix}_rhs_all", VOID, args)
        y, out, n, h, lo, t, p = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        b.call(self.ghosts, [y, n, h, lo, t, p])
        rows = b.load(n, typ=I64) if self.k.axes else i64(1)
        b.call(self.rhs, [y, out, n, h, lo, t, p, i64(0), rows])
        b.ret_void()

    # -- fused Runge–Kutta steps ---------------------------------------------------------------
    def add_method(self, tab: Tableau) -> None:
        """Add ``eqc_K_<tag>`` (``nsteps`` fused steps) and ``eqc_K_<tag>_work_len``."""
        if self.k.steady or self.k.constraints:
            raise InternalCompilerError(f"kernel {self.k.name}: no fused steps for steady or constrained kernels")
        stages = [self._stage(tab, i) for i in range(tab.stages)]
        self._work_len(tab)
        self._advance(tab, stages)

    def _work_len(self, tab: Tableau) -> None:
        fn = _fn(self.module, f"{self.prefix}_{tab.tag}_work_len", I64, [("n", PTR)])
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        size = i64(self.nf)
        for d in range(len(self.k.axes)):
            nd = b.load(b.gep(fn.args[0], [i64(d)], source_etype=I64), typ=I64)
            size = b.mul(size, b.add(nd, i64(2 * self.k.halo)))
        b.ret(b.mul(size, i64(work_buffers(tab))))

    def _stage(self, tab: Tableau, i: int) -> ir.Function:
        s = tab.stages
        last = i == s - 1
        in_place = last and s > 1  # the last stage writes y (it reads y only pointwise)
        args = [("src", PTR), ("y", PTR), ("dst", PTR), ("acc", PTR), ("kbuf", PTR), *_GRID, ("t", DOUBLE),
                ("p", PTR), ("dt", DOUBLE), ("row0", I64), ("row1", I64)]
        fn = _fn(self.module, f"{self.prefix}_{tab.tag}_stage{i}", VOID, args, internal=True)
        fn.attributes.add("noinline")  # called once per step; inlining only grows the code
        for a in fn.args[:5]:
            a.add_attribute("noalias")
        src, y, dst, acc, kbuf, n, h, lo, t, p, dt, r0, r1 = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        fr = Frame(self.k, b, n, h, lo, p, t, self.flags)
        nout = len(self.k.outputs)
        stored = tab.stored()
        slot = {j: m for m, j in enumerate(stored)}
        kptr = {j: [fr.field_ptr(b.gep(kbuf, [b.mul(fr.state_size, i64(slot[j]))], source_etype=DOUBLE), f)
                    for f in range(nout)] for j in stored if j <= i}
        srcf = [fr.field_ptr(src, f) for f in range(self.nf)]
        yf = [fr.field_ptr(y, f) for f in range(nout)]
        accf = [fr.field_ptr(acc, f) for f in range(nout)]
        dstf = yf if in_place else [fr.field_ptr(dst, f) for f in range(nout)]
        b_before = any(tab.b[j] != 0 for j in range(i))
        c = ir.Constant

        def point(em: ExprEmitter, flat: ir.Value) -> None:
            for f, k in enumerate(fr.body_values(em)):
                if i in kptr:
                    fr.store(k, kptr[i][f], flat)
                if not last:
                    row = tab.a[i + 1]
                    incr = em.mul(c(DOUBLE, row[i]), k) if row[i] != 1 else k
                    for j in range(i):
                        if row[j] != 0:
                            incr = em.add(incr, em.mul(c(DOUBLE, row[j]), fr.load(kptr[j][f], flat)))
                    fr.store(em.add(fr.load(yf[f], flat), em.mul(dt, incr)), dstf[f], flat)
                    if tab.b[i] != 0:
                        term = em.mul(c(DOUBLE, tab.b[i]), k)
                        if b_before:
                            term = em.add(fr.load(accf[f], flat), term)
                        fr.store(term, accf[f], flat)
                else:
                    total = em.mul(c(DOUBLE, tab.b[i]), k)
                    if b_before:
                        total = em.add(fr.load(accf[f], flat), total)
                    fr.store(em.add(fr.load(yf[f], flat), em.mul(dt, total)), dstf[f], flat)

        fr.point_loop(srcf, r0, r1, point, name=f"s{i}_")
        b.ret_void()
        return fn

    def _barrier(self) -> ir.Function:
        """``barrier(int64_t shared[2], int64_t nthreads, int64_t *local_sense)``."""
        if self._barrier_fn is not None:
            return self._barrier_fn
        fn = _fn(self.module, f"{self.prefix}_barrier", VOID, [("bar", PTR), ("nthreads", I64), ("sense", PTR)],
                 internal=True)
        bar, nthreads, sense = fn.args
        blocks = {k: fn.append_basic_block(k) for k in ("entry", "arrive", "last", "wait", "check", "yield", "done")}
        b = ir.IRBuilder(blocks["entry"])
        b.cbranch(b.icmp_signed(">", nthreads, i64(1)), blocks["arrive"], blocks["done"])
        b.position_at_end(blocks["arrive"])
        mine = b.sub(i64(1), b.load(sense, typ=I64))
        b.store(mine, sense)
        flag = b.gep(bar, [i64(1)], source_etype=I64)
        old = b.atomic_rmw("add", bar, i64(1), "seq_cst")
        b.cbranch(b.icmp_signed("==", old, b.sub(nthreads, i64(1))), blocks["last"], blocks["wait"])
        b.position_at_end(blocks["last"])
        # atomic stores as exchanges (llvmlite's store_atomic wants typed pointers)
        b.atomic_rmw("xchg", bar, i64(0), "seq_cst")
        b.atomic_rmw("xchg", flag, mine, "seq_cst")
        b.branch(blocks["done"])
        b.position_at_end(blocks["wait"])
        spins = b.phi(I64)
        spins.add_incoming(i64(0), blocks["arrive"])
        seen = b.load_atomic(flag, "acquire", 8, typ=I64)
        nxt = b.add(spins, i64(1))
        b.cbranch(b.icmp_signed("==", seen, mine), blocks["done"], blocks["check"])
        b.position_at_end(blocks["check"])
        spins.add_incoming(nxt, blocks["check"])
        b.cbranch(b.icmp_signed(">", spins, i64(2000)), blocks["yield"], blocks["wait"])
        b.position_at_end(blocks["yield"])
        sched_yield = self.module.globals.get("sched_yield") or ir.Function(
            self.module, ir.FunctionType(ir.IntType(32), []), name="sched_yield")
        b.call(sched_yield, [])
        spins.add_incoming(i64(0), blocks["yield"])
        b.branch(blocks["wait"])
        b.position_at_end(blocks["done"])
        b.ret_void()
        self._barrier_fn = fn
        return fn

    def _advance(self, tab: Tableau, stages: list[ir.Function]) -> None:
        args = [("y", PTR), ("work", PTR), *_GRID, ("p", PTR), ("t0", DOUBLE), ("dt", DOUBLE), ("nsteps", I64),
                ("row0", I64), ("row1", I64), ("tid", I64), ("nthreads", I64), ("bar", PTR)]
        fn = _fn(self.module, f"{self.prefix}_{tab.tag}", DOUBLE, args)
        y, work, n, h, lo, p, t0, dt, nsteps, r0, r1, tid, nthreads, bar = fn.args
        barrier = self._barrier()
        entry = fn.append_basic_block("entry")
        b = ir.IRBuilder(entry)
        sense = b.alloca(I64, name="sense")
        cur = b.alloca(PTR, name="cur")
        other = b.alloca(PTR, name="other")
        b.store(i64(0), sense)
        size = i64(self.nf)
        for d in range(len(self.k.axes)):
            nd = b.load(b.gep(n, [i64(d)], source_etype=I64), typ=I64)
            size = b.mul(size, b.add(nd, i64(2 * self.k.halo)))
        buf = [b.gep(work, [b.mul(size, i64(m))], source_etype=DOUBLE) for m in range(3)]
        kbuf = b.gep(work, [b.mul(size, i64(3))], source_etype=DOUBLE)
        b.store(y, cur)
        b.store(buf[0], other)
        is0 = b.icmp_signed("==", tid, i64(0))
        s = tab.stages

        def step(k: ir.Value) -> None:
            tk = b.fadd(t0, b.fmul(b.sitofp(k, DOUBLE), dt))
            ycur = b.load(cur, typ=PTR)
            for i, stage in enumerate(stages):
                ti = b.fadd(tk, b.fmul(ir.Constant(DOUBLE, tab.c[i]), dt)) if tab.c[i] else tk
                src = ycur if i == 0 else buf[(i - 1) % 2]
                if s == 1:
                    dst = b.load(other, typ=PTR)
                else:
                    dst = ycur if i == s - 1 else buf[i % 2]
                with b.if_then(is0):
                    b.call(self.ghosts, [src, n, h, lo, ti, p])
                b.call(barrier, [bar, nthreads, sense])
                b.call(stage, [src, ycur, dst, buf[2], kbuf, n, h, lo, ti, p, dt, r0, r1])
                b.call(barrier, [bar, nthreads, sense])
            if s == 1:  # Euler-like: swap the two buffers
                new = b.load(other, typ=PTR)
                b.store(ycur, other)
                b.store(new, cur)

        counted_loop(b, i64(0), nsteps, step, "step")
        if s == 1:
            final = b.load(cur, typ=PTR)
            moved = b.and_(is0, b.icmp_unsigned("!=", final, y))
            with b.if_then(moved):
                b.call(self._memcpy(), [y, final, b.mul(size, i64(8)), ir.Constant(ir.IntType(1), 0)])
            b.call(barrier, [bar, nthreads, sense])
        b.ret(b.fadd(t0, b.fmul(b.sitofp(nsteps, DOUBLE), dt)))

    def _memcpy(self) -> ir.Function:
        name = "llvm.memcpy.p0.p0.i64"
        fn = self.module.globals.get(name)
        if fn is None:
            fn = ir.Function(self.module, ir.FunctionType(VOID, [PTR, PTR, I64, ir.IntType(1)]), name=name)
        return fn


def build_module(kernel: KernelIR, flags: tuple[str, ...], methods: Sequence[Tableau] = (),
                 triple: str = "", data_layout: str = "") -> ir.Module:
    """The LLVM module of ``kernel`` with a fused step function for each of ``methods``."""
    mb = ModuleBuilder(kernel, flags, triple, data_layout)
    for tab in methods:
        mb.add_method(tab)
    return mb.module
