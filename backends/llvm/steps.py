"""Fused explicit Runge–Kutta steps in LLVM IR: ``nsteps`` steps of a Butcher tableau in
one call, the stage update folded into the stencil loop, threads meeting at a barrier.

Stage ``i`` computes ``k_i = f(Y_i)`` at a point and writes, at the same point,
``Y_{i+1} = y + dt*sum_j a_{i+1,j} k_j`` and the running ``sum_j b_j k_j`` (Hairer, Nørsett
& Wanner, *Solving ODEs I*, §II.1); only the ``k_j`` that later stages read are stored.
``nthreads`` callers split the rows and meet at a sense-reversing barrier (Mellor-Crummey
& Scott, ACM TOCS 9(1), 1991) twice per stage: before thread 0 fills the ghosts, and after.

A kernel of 1-2 axes whose ghosts can be written chunk by chunk (periodic, or walls
across axis 0 with rules reading no deeper than the ghost layers, see
``StepBuilder._walls_pipelinable``) runs *pipelined* instead (:mod:`.pipeline`): chunks of
rows through all stages of several steps in cache-sized slabs, one barrier per sweep (two
with walls); the staged loop stays as its fallback for grids too small for the slabs. A
kernel whose points read no neighbour runs *pointwise* (``StepBuilder._pointwise_loop``):
each chunk of rows through every step of the call, all stages of a step at a point in
registers, in place, with no barrier but the last.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp
from eqc.compiler.diagnostics import InternalCompilerError
from eqc.compiler.ir.kernel import decode_access
from llvmlite import ir

from .emit_expr import DOUBLE, I64, ExprEmitter
from .frame import GRID_ARGS, PTR, VOID, Frame, c_name, counted_loop, function, i64
from .pipeline import PipelinedLoop, Pipelining, reader_time, swap

if TYPE_CHECKING:
    from .codegen import ModuleBuilder

__all__ = ["Tableau", "RK4", "work_buffers", "StepBuilder", "Pipelining"]

# x86's `pause` in the barrier's spin loop: 2000 plain spins last ~1 us on the CI machine and
# 2000 pauses ~50 us, so without it a waiting thread calls sched_yield every microsecond or
# so. A C copy of this barrier driving a heat 2048^2 stencil on 2 threads was 4-5% slower
# than OpenMP without the pause and level with it (a one-off harness, not in benchmarks/).
_X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")


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
    """State-sized work buffers a fused step needs: two stage buffers, the ``b``-sum,
    the next state (double buffering) and the stored ``k``; the pipelined loop keeps its
    scratch slabs in all but the next state's."""
    return 4 + len(tableau.stored())



def _reads_own_point(k) -> bool:
    """Whether every field access of ``k``'s body and outputs is at the point itself."""
    exprs = [e for _, e in k.body] + list(k.outputs)
    return all(not any(decode_access(a, k.axis_names)[1]) for e in exprs for a in sp.sympify(e).atoms(sp.Indexed))


class StepBuilder:
    """Adds the fused-step functions of tableaus to a :class:`ModuleBuilder`'s module."""

    def __init__(self, mb: ModuleBuilder):
        self.k = mb.k
        self.flags = mb.flags
        self.prefix = mb.prefix
        self.module = mb.module
        self.nf = mb.nf
        self.ghosts = mb.ghosts
        self.pad = mb.pad
        self._barrier_fn: ir.Function | None = None
        # An all-periodic kernel of 1 or 2 axes gets its ghosts written inside each stage,
        # while the rows are in cache (as an expert hand-written kernel does): the row's
        # own wrap after its inner loop, the wrap rows of axis 0 by the thread owning their
        # source rows; the stage then needs no ghost pass and one barrier instead of two.
        axes = self.k.axes
        self.pipelining: Pipelining = mb.pipelining
        self.mb = mb
        # A kernel that reads every field at the point itself only (a system of ODEs at each
        # point, such as a reaction network) carries each chunk of rows through all the
        # steps, every stage at a point in registers, in place (:meth:`_pointwise_loop`).
        self.pointwise = (bool(axes) and self.pipelining.enabled and len(self.k.outputs) == self.nf
                          and _reads_own_point(self.k))
        self.inline_ghosts = (bool(axes) and len(axes) <= 2 and all(a.periodic for a in axes) and self.pad > 0
                              and not self.pointwise)
        # A kernel with walls across axis 0 (ghost rules) runs pipelined too: its stages
        # fill their rows' ghosts along axis 1, the loop fills the boundary rows.
        self.walls = not self.pointwise and self._walls_pipelinable()
        self.pipelinable = self.inline_ghosts or self.walls

    def _walls_pipelinable(self) -> bool:
        """Axis 0 with walls, and ghosts the pipelined loop can fill chunk by chunk: axis 1
        periodic or with rules that read their own row only, axis 0's rules reading no
        deeper than the ghost layers (a chunk's first stage then holds what they read)."""
        k, g = self.k, self.pad
        if not k.axes or len(k.axes) > 2 or k.axes[0].periodic or g == 0 or len(k.outputs) != self.nf:
            return False

        def offsets(rule, d):
            return [decode_access(a, k.axis_names)[1][d] for a in rule.expr.atoms(sp.Indexed)]

        if len(k.axes) == 2 and not k.axes[1].periodic:
            if any(o != 0 for r in self.mb.rules_of(1) for o in offsets(r, 0)):
                return False
        for r in self.mb.rules_of(0):
            inward = [o if r.side == "lo" else -o for o in offsets(r, 0)]
            if max(inward, default=0) > g:
                return False
        return True

    def add(self, tab: Tableau) -> None:
        """Add ``eqc_K_<tag>`` (``nsteps`` fused steps) and ``eqc_K_<tag>_work_len``."""
        if self.k.steady or self.k.constraints:
            raise InternalCompilerError(f"kernel {self.k.name}: no fused steps for steady or constrained kernels")
        stages = [] if self.pointwise else [self._stage(tab, i) for i in range(tab.stages)]
        self._work_len(tab)
        self._advance(tab, stages)

    def _work_len(self, tab: Tableau) -> None:
        fn = function(self.module, f"{self.prefix}_{tab.tag}_work_len", I64, [("n", PTR)])
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        size = i64(self.nf)
        for d in range(len(self.k.axes)):
            nd = b.load(b.gep(fn.args[0], [i64(d)], source_etype=I64), typ=I64)
            size = b.mul(size, b.add(nd, i64(2 * self.pad)))
        b.ret(b.mul(size, i64(work_buffers(tab))))

    def _stage(self, tab: Tableau, i: int) -> ir.Function:
        """``stage_i(src, y, dst, acc, kbuf, n, h, lo, t, p, dt, row0, row1, kstride, wrap, tg)``:
        stage ``i`` on rows ``[row0, row1)``; ``kstride`` is the distance between stored
        ``k`` slots, ``wrap`` (0/1) whether to copy dst's periodic ghost slabs of axis 0,
        ``tg`` the time of the stage that reads dst (its wall ghosts along axis 1)."""
        s = tab.stages
        last = i == s - 1
        # the last stage writes y (it reads y only pointwise), except where the next state
        # is double-buffered (the pipelined loop's chunks read rows beyond their own)
        in_place = last and s > 1 and not self.pipelinable
        args = [("src", PTR), ("y", PTR), ("dst", PTR), ("acc", PTR), ("kbuf", PTR), *GRID_ARGS, ("t", DOUBLE),
                ("p", PTR), ("dt", DOUBLE), ("row0", I64), ("row1", I64), ("kstride", I64), ("wrap", I64),
                ("tg", DOUBLE)]
        fn = function(self.module, f"{self.prefix}_{tab.tag}_stage{i}", VOID, args, internal=True)
        fn.attributes.add("noinline")  # called once per step; inlining only grows the code
        for a in fn.args[:5]:
            a.add_attribute("noalias")
        src, y, dst, acc, kbuf, n, h, lo, t, p, dt, r0, r1, kstride, wrap, tg = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        fr = Frame(self.k, b, n, h, lo, p, t, self.flags, self.pad)
        nout = len(self.k.outputs)
        stored = tab.stored()
        slot = {j: m for m, j in enumerate(stored)}
        kptr = {j: [fr.field_ptr(b.gep(kbuf, [b.mul(kstride, i64(slot[j]))], source_etype=DOUBLE), f)
                    for f in range(nout)] for j in stored if j <= i}
        srcf = [fr.field_ptr(src, f) for f in range(self.nf)]
        # stage 0 reads y itself: take y's value from src so it is one load with the stencil's centre
        yf = srcf[:nout] if i == 0 else [fr.field_ptr(y, f) for f in range(nout)]
        accf = [fr.field_ptr(acc, f) for f in range(nout)]
        dstf = yf if in_place else [fr.field_ptr(dst, f) for f in range(nout)]
        b_before = any(tab.b[j] != 0 for j in range(i))
        c = ir.Constant

        def point(em: ExprEmitter, flat: ir.Value) -> None:
            fr.body_values(em, lambda f, k: update(em, flat, f, k))

        def update(em: ExprEmitter, flat: ir.Value, f: int, k: ir.Value) -> None:
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

        # each written row's ghosts along axis 1 (periodic, or walls at the reader's time)
        after_row = None
        if self.pipelinable and fr.nd == 2:
            if self.k.axes[1].periodic:
                after_row = lambda base, j: self.mb.wrap_row(fr, dstf, base)  # noqa: E731
            elif rules := self.mb.rules_of(1):
                body = self.mb.rule_body(Frame(self.k, b, n, h, lo, p, tg, self.flags, self.pad), dstf, 1, rules)
                after_row = lambda base, j: body(base, {0: j})  # noqa: E731
        fr.point_loop(srcf, r0, r1, point, name=f"s{i}_", after_row=after_row)
        if self.inline_ghosts:
            with b.if_then(b.icmp_signed("!=", wrap, i64(0))):
                self._wrap_slabs(fr, dstf, r0, r1)
        b.ret_void()
        return fn

    def _wrap_slabs(self, fr: Frame, fields: list[ir.Value], r0: ir.Value, r1: ir.Value) -> None:
        """Periodic ghost slabs of axis 0, copied by the thread that wrote their source rows."""
        b, g = fr.b, fr.g
        nbytes = b.mul(fr.stride[0], i64(8))
        false = ir.Constant(ir.IntType(1), 0)
        for k in range(1, g + 1):
            for dst, src in ((b.add(fr.n[0], i64(g - 1 + k)), i64(g + k - 1)), (i64(g - k), b.add(fr.n[0], i64(g - k)))):
                row = b.sub(src, i64(g))
                mine = b.and_(b.icmp_signed("<=", r0, row), b.icmp_signed("<", row, r1))
                with b.if_then(mine):
                    for fp in fields:
                        b.call(self._memcpy(), [fr.at(fp, b.mul(dst, fr.stride[0])), fr.at(fp, b.mul(src, fr.stride[0])),
                                                nbytes, false])

    def _barrier(self) -> ir.Function:
        """``barrier(int64_t shared[2], int64_t nthreads, int64_t *local_sense)``."""
        if self._barrier_fn is not None:
            return self._barrier_fn
        fn = function(self.module, f"{self.prefix}_barrier", VOID, [("bar", PTR), ("nthreads", I64), ("sense", PTR)],
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
        if _X86:  # the spin-wait hint (see _X86)
            pause = self.module.globals.get("llvm.x86.sse2.pause") or ir.Function(
                self.module, ir.FunctionType(VOID, []), name="llvm.x86.sse2.pause")
            b.call(pause, [])
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
        args = [("y", PTR), ("work", PTR), *GRID_ARGS, ("p", PTR), ("t0", DOUBLE), ("dt", DOUBLE), ("nsteps", I64),
                ("row0", I64), ("row1", I64), ("tid", I64), ("nthreads", I64), ("bar", PTR)]
        fn = function(self.module, f"{self.prefix}_{tab.tag}", DOUBLE, args)
        y, work, n, h, lo, p, t0, dt, nsteps, r0, r1, tid, nthreads, bar = fn.args
        barrier = self._barrier()
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        sense = b.alloca(I64, name="sense")
        cur = b.alloca(PTR, name="cur")
        other = b.alloca(PTR, name="other")
        b.store(i64(0), sense)
        dims = [b.load(b.gep(n, [i64(d)], source_etype=I64), typ=I64) for d in range(len(self.k.axes))]
        size = i64(self.nf)
        for nd in dims:
            size = b.mul(size, b.add(nd, i64(2 * self.pad)))
        buf = [b.gep(work, [b.mul(size, i64(m))], source_etype=DOUBLE) for m in range(3)]
        kbuf = b.gep(work, [b.mul(size, i64(3))], source_etype=DOUBLE)
        b.store(y, cur)
        b.store(b.gep(work, [b.mul(size, i64(work_buffers(tab) - 1))], source_etype=DOUBLE), other)
        is0 = b.icmp_signed("==", tid, i64(0))
        s = tab.stages
        if self.pointwise:
            self._pointwise_loop(tab, b, fn.args, dims, is0, barrier, sense)
            return
        swaps = s == 1 or self.pipelinable  # the new state goes to the other buffer
        if self.pipelinable:  # the stages or the pipelined loop keep the ghosts: fill them once, up front
            with b.if_then(is0):
                b.call(self.ghosts, [y, n, h, lo, t0, p])
            b.call(barrier, [bar, nthreads, sense])

        def step(k: ir.Value) -> None:
            tk = b.fadd(t0, b.fmul(b.sitofp(k, DOUBLE), dt))
            ycur = b.load(cur, typ=PTR)
            for i, stage in enumerate(stages):
                ti = b.fadd(tk, b.fmul(ir.Constant(DOUBLE, tab.c[i]), dt)) if tab.c[i] else tk
                tg = reader_time(b, tab, i, tk, dt, lambda: b.fadd(t0, b.fmul(b.sitofp(b.add(k, i64(1)), DOUBLE), dt)))
                src = ycur if i == 0 else buf[(i - 1) % 2]
                if i < s - 1:
                    dst = buf[i % 2]
                else:
                    dst = b.load(other, typ=PTR) if swaps else ycur
                if not self.inline_ghosts:
                    with b.if_then(is0):
                        b.call(self.ghosts, [src, n, h, lo, ti, p])
                    b.call(barrier, [bar, nthreads, sense])
                b.call(stage, [src, ycur, dst, buf[2], kbuf, n, h, lo, ti, p, dt, r0, r1, size, i64(1), tg])
                b.call(barrier, [bar, nthreads, sense])
            if swaps:
                swap(b, cur, other)

        if self.pipelinable:
            edges = self.mb.edges() if self.walls else None
            loop = PipelinedLoop(b, tab, stages, self.pipelining, self.pad, self.nf, (n, h, lo, p), t0, dt, edges)
            fits = loop.plan(dims, work, size, work_buffers(tab) - 1, tid, nthreads)
            with b.if_else(fits) as (pipelined, staged):
                with pipelined:
                    loop.emit(cur, other, nsteps, r0, r1, lambda: b.call(barrier, [bar, nthreads, sense]), is0)
                with staged:
                    counted_loop(b, i64(0), nsteps, step, "step")
        else:
            counted_loop(b, i64(0), nsteps, step, "step")
        if swaps:
            final = b.load(cur, typ=PTR)
            moved = b.and_(is0, b.icmp_unsigned("!=", final, y))
            with b.if_then(moved):
                b.call(self._memcpy(), [y, final, b.mul(size, i64(8)), ir.Constant(ir.IntType(1), 0)])
            b.call(barrier, [bar, nthreads, sense])
        b.ret(b.fadd(t0, b.fmul(b.sitofp(nsteps, DOUBLE), dt)))

    def _point_step(self, tab: Tableau) -> ir.Function:
        """``point_step(y, n, h, lo, t, p, dt, row0, row1)``: one step of ``tab`` at every
        point of rows ``[row0, row1)`` of a pointwise kernel, in place, every stage at the
        point in registers: the body is emitted once per stage, reading the stage's values
        instead of memory. The stage sums are formed in the staged loop's order (see
        :meth:`_stage`), so the two agree to the bit without fast-math."""
        args = [("y", PTR), *GRID_ARGS, ("t", DOUBLE), ("p", PTR), ("dt", DOUBLE), ("row0", I64), ("row1", I64)]
        fn = function(self.module, f"{self.prefix}_{tab.tag}_point_step", VOID, args, internal=True)
        fn.attributes.add("noinline")
        fn.args[0].add_attribute("noalias")
        y, n, h, lo, t, p, dt, r0, r1 = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        s, a, bw = tab.stages, tab.a, tab.b
        frames = [Frame(self.k, b, n, h, lo, p, b.fadd(t, b.fmul(ir.Constant(DOUBLE, ci), dt)) if ci else t,
                        self.flags, self.pad) for ci in tab.c]
        fr = frames[0]
        yf = [fr.field_ptr(y, f) for f in range(self.nf)]
        index = fr.field_index
        c = ir.Constant

        def point(em: ExprEmitter, flat: ir.Value) -> None:
            coords = dict(em.env)  # the point's coordinates
            y0 = [fr.load(ptr, flat) for ptr in yf]
            ks: list[list[ir.Value]] = []
            stage_in, acc = y0, None
            for i in range(s):
                vals = stage_in
                emi = ExprEmitter(b, coords, lambda e, vals=vals: vals[index[decode_access(e, fr.axes)[0]]],
                                  self.flags, parent=frames[i].inv)
                k: list[ir.Value] = [None] * self.nf
                nxt: list[ir.Value] = [None] * self.nf
                summed: list[ir.Value] = [None] * self.nf
                b_before = any(bw[j] != 0 for j in range(i))

                def combine(f: int, kf: ir.Value, i=i, emi=emi, k=k, nxt=nxt, summed=summed, acc=acc,
                            b_before=b_before) -> None:
                    # as soon as a field's k exists (it need not stay live through the body)
                    k[f] = kf
                    if i < s - 1:
                        row = a[i + 1]
                        incr = emi.mul(c(DOUBLE, row[i]), kf) if row[i] != 1 else kf
                        for j in range(i):
                            if row[j] != 0:
                                incr = emi.add(incr, emi.mul(c(DOUBLE, row[j]), ks[j][f]))
                        nxt[f] = emi.add(y0[f], emi.mul(dt, incr))
                        if bw[i] != 0:
                            term = emi.mul(c(DOUBLE, bw[i]), kf)
                            summed[f] = emi.add(acc[f], term) if b_before else term
                    else:
                        total = emi.mul(c(DOUBLE, bw[i]), kf)
                        if b_before:
                            total = emi.add(acc[f], total)
                        fr.store(emi.add(y0[f], emi.mul(dt, total)), yf[f], flat)

                fr.body_values(emi, combine)
                ks.append(k)
                stage_in = nxt
                if i < s - 1 and bw[i] != 0:
                    acc = summed

        fr.point_loop(yf, r0, r1, point, name="pw")
        b.ret_void()
        return fn

    def _pointwise_loop(self, tab: Tableau, b: ir.IRBuilder, args, dims, is0, barrier, sense) -> None:
        """The fused steps of a pointwise kernel: no point reads another, so a thread takes
        its rows a chunk at a time and runs all ``nsteps`` steps on the chunk before the
        next (:meth:`_point_step`: all stages at a point in registers, in place). The
        chunk's rows stay in cache, main memory sees one read and one write of the state
        per call, and the threads meet once, at the end, before thread 0 fills the ghosts
        (no stage reads them; they are left as a ghost pass at the final time leaves them)."""
        y, work, n, h, lo, p, t0, dt, nsteps, r0, r1, tid, nthreads, bar = args
        point_step = self._point_step(tab)
        row = i64(1)
        for nd in dims[1:]:
            row = b.mul(row, b.add(nd, i64(2 * self.pad)))
        if self.pipelining.chunk_rows:
            C = i64(self.pipelining.chunk_rows)
        else:  # the chunk's rows of the state fit the budget
            C = b.sdiv(i64(self.pipelining.cached_chunk_bytes), b.mul(row, i64(8 * self.nf)))
            C = b.select(b.icmp_signed("<", C, i64(1)), i64(1), C)

        def chunk(ci: ir.Value) -> None:
            c0 = b.add(r0, b.mul(ci, C))
            c1 = b.add(c0, C)
            c1 = b.select(b.icmp_signed("<", c1, r1), c1, r1)

            def step(k: ir.Value) -> None:
                tk = b.fadd(t0, b.fmul(b.sitofp(k, DOUBLE), dt))
                b.call(point_step, [y, n, h, lo, tk, p, dt, c0, c1])

            counted_loop(b, i64(0), nsteps, step, "step")

        nchunks = b.sdiv(b.add(b.sub(r1, r0), b.sub(C, i64(1))), C)
        counted_loop(b, i64(0), nchunks, chunk, "chunk")
        b.call(barrier, [bar, nthreads, sense])
        t_end = b.fadd(t0, b.fmul(b.sitofp(nsteps, DOUBLE), dt))
        with b.if_then(is0):
            b.call(self.ghosts, [y, n, h, lo, t_end, p])
        b.ret(t_end)

    def _memcpy(self) -> ir.Function:
        name = "llvm.memcpy.p0.p0.i64"
        fn = self.module.globals.get(name)
        if fn is None:
            fn = ir.Function(self.module, ir.FunctionType(VOID, [PTR, PTR, I64, ir.IntType(1)]), name=name)
        return fn
