"""The pipelined fused loop of a 1-2 axis kernel: overlapped tiling of the row axis.

The staged loop (:mod:`.steps`) runs a stage over all of a thread's rows, meets the other
threads at a barrier, and runs the next: every stage reads and writes whole state-sized
arrays, so a memory-bound stencil streams several arrays through main memory per stage.
Here a thread instead takes its rows a chunk of ``C`` at a time and carries the chunk
through all ``L = T*s`` stage applications of ``T`` steps of an ``s``-stage method before
the next chunk. Application ``l`` computes the chunk widened by ``halo*(L-1-l)`` rows on
each side, the rows the later applications' stencils reach (Krishnamoorthy et al.,
"Effective automatic parallelization of stencil computations", PLDI 2007, call this
overlapped tiling); its results go to per-thread *slabs* of ``C + 2*halo*L`` rows (the
widening and ghost rows) that stay in cache. Only the first application reads the state and only the last writes the
next state (double-buffered: other chunks still read this one's rows), so main memory sees
one read and one write per ``T`` steps, and the threads meet once per sweep.

If axis 0 is periodic, rows outside ``[0, n0)`` are periodic images: a widened range is
cut into at most three pieces, each run on the real rows with the slab pointers shifted so
that the image rows land where the next application reads them. If it has walls (ghost
rules), a widened range stops at the walls; after an application that wrote the rows next
to a wall, ``eqc_K_edges`` fills the slab's ghost rows there from them, at the time of the
application that reads them (the rules may read as deep as the ghost layers, and the
widening covers that), and after each sweep's barrier thread 0 fills the new state's
(a rule may read rows another thread wrote). Ghosts along axis 1 are filled per row
by the stage functions. Each point is computed by the same stage
function as in the staged loop, so the two agree to the bit without fast-math (with it, a
vector loop body and its scalar remainder may reassociate apart by an ulp).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llvmlite import ir

from .emit_expr import DOUBLE, I64
from .frame import PTR, counted_loop, i64
from .options import LLVMOptions, chunk_budgets_kib

if TYPE_CHECKING:
    from .steps import Tableau

__all__ = ["Pipelining", "PipelinedLoop", "AUTO_STEPS", "pipelining_of", "swap", "reader_time"]

# Steps of a one-stage method per sweep. Heat 2048^2, forward Euler, 2 threads, 4 MiB
# chunks: 1.0x / 1.33x / 1.64x / 1.89x / 1.95x the staged loop's rate for 1 / 2 / 3 / 4 / 8
# steps per sweep (one run of a tuning script on the 2-core EPYC, each a median of 5);
# beyond 4 little is left to gain for twice the widened chunks' extra work.
AUTO_STEPS = 4


@dataclass(frozen=True, slots=True)
class Pipelining:
    """How the pipelined loop cuts its work.

    ``steps``: steps per sweep (0: :data:`AUTO_STEPS` for a one-stage method such as
    forward Euler, 1 for a many-stage one: heat 2048^2 RK4 on 2 threads ran 2.38x / 2.43x
    / 2.16x the staged loop with 1 / 2 / 3 steps per sweep). ``chunk_rows``: rows per
    chunk (0: as many as keep a chunk's slabs, source and result rows within a budget).
    The budget is ``chunk_bytes`` (slabs in the last-level cache) when the current and
    next state together exceed ``cache_bytes`` (they stream from memory: larger chunks,
    less widening work), else ``cached_chunk_bytes`` (slabs in L2: the states are in cache
    anyway). ``enabled``: False runs the staged loop instead."""

    steps: int = 0
    chunk_rows: int = 0
    chunk_bytes: int = 4 << 20
    cached_chunk_bytes: int = 1 << 20
    cache_bytes: int = 8 << 20
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.steps < 0 or self.chunk_rows < 0 or min(self.chunk_bytes, self.cached_chunk_bytes) <= 0:
            raise ValueError("pipelining: steps and chunk_rows must be >= 0, chunk budgets > 0")


def pipelining_of(options: LLVMOptions) -> Pipelining:
    """The pipelining an :class:`~.options.LLVMOptions` asks for, its automatic chunk
    budgets from this machine's caches (:func:`~.options.chunk_budgets_kib`)."""
    streamed, cached, fits = chunk_budgets_kib(options.nthreads)
    if options.chunk_kib:
        streamed = cached = options.chunk_kib
    return Pipelining(options.fuse_steps, options.chunk_rows, streamed * 1024, cached * 1024, fits * 1024,
                      options.pipeline)


def swap(b: ir.IRBuilder, cur: ir.Value, other: ir.Value) -> None:
    """Exchange the two state pointers held in the allocas ``cur`` and ``other``."""
    new = b.load(other, typ=PTR)
    b.store(b.load(cur, typ=PTR), other)
    b.store(new, cur)


def reader_time(b: ir.IRBuilder, tab: Tableau, i: int, tk: ir.Value, dt: ir.Value,
                next_step: Callable[[], ir.Value]) -> ir.Value:
    """The time of the stage that reads stage ``i``'s result (its wall ghosts are filled
    at it): stage ``i+1`` of the step starting at ``tk``, or ``next_step()`` after the last
    stage; the same expressions as the stage times, so the same bits."""
    if i + 1 < tab.stages:
        return b.fadd(tk, b.fmul(ir.Constant(DOUBLE, tab.c[i + 1]), dt)) if tab.c[i + 1] else tk
    return next_step()


def _min(b: ir.IRBuilder, x: ir.Value, y: ir.Value) -> ir.Value:
    return b.select(b.icmp_signed("<", x, y), x, y)


def _max(b: ir.IRBuilder, x: ir.Value, y: ir.Value) -> ir.Value:
    return b.select(b.icmp_signed(">", x, y), x, y)


# Where a stage argument points: the current/next state itself (real rows), or a slab
# (shifted per piece so that image rows land at their slab row), or the next state on a
# sweep's last step and a slab otherwise.
_STATE, _SLAB, _SLAB_OR_NEXT = "state", "slab", "slab or next"


class PipelinedLoop:
    """Emits the pipelined loop into the fused-step function being built by ``b``.

    ``stages``: the tableau's stage functions (``stage_i(src, y, dst, acc, kbuf, n, h, lo,
    t, p, dt, row0, row1, kstride, wrap, tg)``, last stage not in place); ``grid_args``:
    ``(n, h, lo, p)``; ``edges``: for walls across axis 0, ``edges(y, n, h, lo, t, p,
    lo_side, hi_side)`` filling the boundary rows (axis 0 periodic when None). Call
    :meth:`plan` (returns whether the slabs fit), then :meth:`emit` on the branch where
    they do."""

    def __init__(self, b: ir.IRBuilder, tab: Tableau, stages: Sequence[ir.Function], pipelining: Pipelining,
                 pad: int, nfields: int, grid_args: tuple, t0: ir.Value, dt: ir.Value,
                 edges: ir.Function | None = None):
        self.b, self.tab, self.stages = b, tab, list(stages)
        self.edges = edges  # walls across axis 0: fills boundary rows (else axis 0 is periodic)
        self.cfg, self.g, self.nf = pipelining, pad, nfields
        self.grid_args, self.t0, self.dt = grid_args, t0, dt
        s = tab.stages
        self.T = pipelining.steps or (1 if s > 1 else AUTO_STEPS)
        self.H0 = pad * (self.T * s - 1)  # the first application's widening
        # the slabs: two step results (one when two steps are fused), two stage results,
        # the b-sum and the stored k (consecutive: the stage function steps between them)
        names = ["S0", "S1"][: min(2, self.T - 1)] + ["B0", "B1"][: min(2, s - 1)]
        self.names = names + (["acc"] if s > 1 else []) + [f"k{j}" for j in tab.stored()]

    # -- geometry ------------------------------------------------------------------------------
    def plan(self, dims: Sequence[ir.Value], work: ir.Value, size: ir.Value, buffers: int, tid: ir.Value,
             nthreads: ir.Value) -> ir.Value:
        """Chunk rows, slab size and this thread's slab addresses; returns whether it all
        fits: a thread's slabs lie one after another in one of the first ``buffers``
        state-sized buffers of ``work`` (as many threads per buffer as fit), at a state's
        field stride, so a stage function addresses a slab as it does a state."""
        b, g, H0 = self.b, self.g, self.H0
        nsl = max(1, len(self.names))
        self.n0 = n0 = dims[0]
        stride0 = i64(1)
        for nd in dims[1:]:
            stride0 = b.mul(stride0, b.add(nd, i64(2 * g)))
        self.stride0 = stride0
        P0 = b.add(n0, i64(2 * g))
        W = H0 + g  # a slab's rows beyond the chunk on each side (the widening and ghost rows)
        if self.cfg.chunk_rows:
            want = i64(self.cfg.chunk_rows)
        else:
            row_bytes = b.mul(stride0, i64(8 * self.nf * (nsl + 2)))  # slabs + the chunk's source and result
            streamed = b.icmp_signed(">", b.mul(size, i64(16)), i64(self.cfg.cache_bytes))  # both states
            budget = b.select(streamed, i64(self.cfg.chunk_bytes), i64(self.cfg.cached_chunk_bytes))
            want = _max(b, b.sub(b.sdiv(budget, row_bytes), i64(2 * W)), i64(max(4, 2 * H0)))
        self.C = C = _min(b, want, b.sub(b.sdiv(P0, i64(nsl)), i64(2 * W)))
        rows = _max(b, b.add(C, i64(2 * W)), i64(1))
        per = _max(b, b.sdiv(P0, b.mul(rows, i64(nsl))), i64(1))  # threads whose slabs share a buffer
        needed = b.sdiv(b.add(nthreads, b.sub(per, i64(1))), per)
        fits = b.and_(b.icmp_signed(">=", C, i64(1)), b.icmp_signed(">=", n0, i64(H0)))
        fits = b.and_(fits, b.icmp_signed("<=", b.mul(rows, i64(nsl)), P0))
        fits = b.and_(fits, b.icmp_signed("<=", needed, i64(buffers)))
        if self.edges is not None:  # the walls' rules read up to a halo inward: keep both sides inside
            fits = b.and_(fits, b.icmp_signed(">", n0, i64(2 * g)))
        self.slab_len = slab_len = b.mul(rows, stride0)
        first = b.add(b.mul(b.sdiv(tid, per), size), b.mul(b.mul(b.srem(tid, per), i64(nsl)), slab_len))
        self.slab = {name: b.gep(work, [b.add(first, b.mul(slab_len, i64(m)))], source_etype=DOUBLE)
                     for m, name in enumerate(self.names)}
        return fits if self.cfg.enabled else ir.Constant(ir.IntType(1), 0)

    # -- the loop ------------------------------------------------------------------------------
    def emit(self, cur: ir.Value, other: ir.Value, nsteps: ir.Value, r0: ir.Value, r1: ir.Value,
             barrier: Callable[[], None], is0: ir.Value) -> None:
        """``nsteps`` steps on rows ``[r0, r1)``, ``T`` per sweep, a barrier after each
        sweep (with walls, thread ``is0`` then fills the new state's boundary rows, and
        another barrier); the new state ends in ``*cur`` (pointers swapped per sweep)."""
        b, T, C = self.b, self.T, self.C
        n, h, lo, p = self.grid_args

        def sweep(q: ir.Value) -> None:
            k0 = b.mul(q, i64(T))
            nsub = _min(b, b.sub(nsteps, k0), i64(T))  # steps in this sweep (the last may have fewer)
            ycur, ynext = b.load(cur, typ=PTR), b.load(other, typ=PTR)

            def chunk(ci: ir.Value) -> None:
                c0 = b.add(r0, b.mul(ci, C))
                c1 = _min(b, b.add(c0, C), r1)
                for j in range(T):
                    if j == 0:
                        self._step(j, nsub, k0, c0, c1, ycur, ynext)
                    else:
                        with b.if_then(b.icmp_signed("<", i64(j), nsub)):
                            self._step(j, nsub, k0, c0, c1, ycur, ynext)

            counted_loop(b, i64(0), b.sdiv(b.add(b.sub(r1, r0), b.sub(C, i64(1))), C), chunk, "chunk")
            barrier()
            if self.edges is not None:  # the rules read rows other threads wrote
                with b.if_then(is0):
                    t_next = b.fadd(self.t0, b.fmul(b.sitofp(b.add(k0, nsub), DOUBLE), self.dt))
                    b.call(self.edges, [ynext, n, h, lo, t_next, p, i64(1), i64(1)])
                barrier()
            swap(b, cur, other)

        counted_loop(b, i64(0), b.sdiv(b.add(nsteps, i64(T - 1)), i64(T)), sweep, "sweep")

    def _step(self, j: int, nsub, k0, c0, c1, ycur, ynext) -> None:
        """Step ``j`` of a sweep on the chunk ``[c0, c1)``: each stage on the rows it and
        the rest of the sweep need."""
        b, tab, s, g = self.b, self.tab, self.tab.stages, self.g
        n, h, lo, p = self.grid_args
        dt, n0 = self.dt, self.n0
        slab = self.slab
        unused = next(iter(slab.values()), ycur)  # acc/kbuf of a method that has none
        S = [slab[k] for k in ("S0", "S1") if k in slab]
        B = [slab[k] for k in ("B0", "B1") if k in slab]
        acc = slab.get("acc", unused)
        kbuf = slab[f"k{tab.stored()[0]}"] if tab.stored() else unused
        tk = b.fadd(self.t0, b.fmul(b.sitofp(b.add(k0, i64(j)), DOUBLE), dt))
        start = (_STATE, ycur) if j == 0 else (_SLAB, S[(j - 1) % 2])
        false, true = ir.Constant(ir.IntType(1), 0), ir.Constant(ir.IntType(1), 1)
        zero = i64(0)
        for i, stage in enumerate(self.stages):
            ti = b.fadd(tk, b.fmul(ir.Constant(DOUBLE, tab.c[i]), dt)) if tab.c[i] else tk
            tg = reader_time(b, tab, i, tk, dt,
                             lambda: b.fadd(self.t0, b.fmul(b.sitofp(b.add(k0, i64(j + 1)), DOUBLE), dt)))
            src = start if i == 0 else (_SLAB, B[(i - 1) % 2])
            if i < s - 1:
                dst, final = (_SLAB, B[i % 2]), false
            elif j == self.T - 1:
                dst, final = (_STATE, ynext), true
            else:
                dst, final = (_SLAB_OR_NEXT, S[j % 2]), b.icmp_signed("==", nsub, i64(j + 1))
            # this application's rows: the chunk widened by what the later ones read
            later = b.sub(b.mul(nsub, i64(s)), i64(j * s + i + 1))
            H = b.mul(later, i64(g))
            lo_v, hi_v = b.sub(c0, H), b.add(c1, H)
            # (first real row, end, offset to the virtual rows): the images below 0, the
            # real rows, the images from n0 up; with walls, the real rows only
            real = (_max(b, lo_v, zero), _min(b, hi_v, n0), zero)
            pieces: tuple = (real,)
            if self.edges is None:
                pieces = (
                    (b.add(lo_v, n0), b.add(_min(b, hi_v, zero), n0), b.sub(zero, n0)),
                    real,
                    (b.sub(_max(b, lo_v, n0), n0), b.sub(hi_v, n0), n0),
                )
            for first, end, off in pieces:
                # a slab holds virtual row v (= real row + off) at its row v - c0 + H0 + halo
                shift = b.mul(b.sub(b.add(off, i64(self.H0)), c0), self.stride0)

                def at(spec: tuple[str, ir.Value], shift: ir.Value = shift, final: ir.Value = final) -> ir.Value:
                    kind, ptr = spec
                    if kind == _STATE:
                        return ptr
                    shifted = b.gep(ptr, [shift], source_etype=DOUBLE)
                    return b.select(final, ynext, shifted) if kind == _SLAB_OR_NEXT else shifted

                b.call(stage, [at(src), at(start), at(dst), at((_SLAB, acc)), at((_SLAB, kbuf)), n, h, lo, ti, p, dt,
                               first, end, self.slab_len, b.zext(final, I64), tg])
                if self.edges is not None and dst[0] != _STATE:
                    # a slab's boundary rows, from the rows this application just wrote (the
                    # widening reaches the rules' depth); the new state's wait for the barrier
                    inner = b.not_(final)
                    lo_side = b.zext(b.and_(inner, b.icmp_signed("<=", lo_v, zero)), I64)
                    hi_side = b.zext(b.and_(inner, b.icmp_signed(">=", hi_v, n0)), I64)
                    b.call(self.edges, [at(dst), n, h, lo, tg, p, lo_side, hi_side])
