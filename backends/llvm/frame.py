"""What every generated function shares: the grid read from its arguments, the leaves of
kernel expressions bound to LLVM values, invariants computed once, and the loop nests.

Memory layout (docs/internals.md §3-4): a state is ``nfields`` consecutive padded arrays
of shape ``n_d + 2*halo`` per axis, C order; field ``f`` at padded index ``(j_0, ...)``
lives at ``f*fstride + sum_d j_d*stride_d``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import sympy as sp
from eqc.compiler.diagnostics import InternalCompilerError
from eqc.compiler.ir.kernel import KernelIR, decode_access
from llvmlite import ir

from .emit_expr import DOUBLE, I64, ExprEmitter

__all__ = ["Frame", "counted_loop", "kernel_symbols", "c_name", "function", "PTR", "VOID", "GRID_ARGS", "i64"]


PTR = ir.PointerType()
VOID = ir.VoidType()


def c_name(name: str) -> str:
    """A C identifier made from a kernel name."""
    s = re.sub(r"\W", "_", name)
    return s if s and not s[0].isdigit() else f"k_{s}"



def function(module: ir.Module, name: str, ret: ir.Type, args: Sequence[tuple[str, ir.Type]], internal=False):
    """A new function of ``module`` with named arguments (``nounwind``; ``internal`` linkage
    for helpers a library does not export)."""
    fn = ir.Function(module, ir.FunctionType(ret, [t for _, t in args]), name=name)
    for arg, (an, _) in zip(fn.args, args, strict=True):
        arg.name = an
    fn.attributes.add("nounwind")
    if internal:
        fn.linkage = "internal"
    return fn


GRID_ARGS = [("n", PTR), ("h", PTR), ("lo", PTR)]



class _Distinct(ir.values.MDValue):
    """A ``distinct`` metadata node, optionally listing itself first (a loop ID); llvmlite's
    ``add_metadata`` makes only uniqued nodes."""

    def __init__(self, module: ir.Module, operands: Sequence[ir.Value], self_ref: bool):
        super().__init__(module, operands, name=str(len(module.metadata)))
        self.self_ref = self_ref

    def descr(self, buf: list[str]) -> None:
        ops = [self.get_reference()] if self.self_ref else []
        ops += [op.get_reference() for op in self.operands]
        buf += ("distinct !{ " + ", ".join(ops) + " }", "\n")

    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__


def _mark_parallel(builder: ir.IRBuilder, blocks: Sequence[ir.Block], latch: ir.Instruction) -> None:
    """Declare the loop whose body is ``blocks`` free of loop-carried memory dependences
    (``llvm.loop.parallel_accesses`` over an access group holding every load and store of
    the body, what clang emits for ``#pragma omp simd``). Without it the vectoriser must
    prove that the stores to the output fields (one base pointer, run-time field stride)
    do not overlap, needs a run-time check per pair of fields and gives up beyond a handful
    of fields: a 50-species network's right-hand side stayed scalar."""
    module = builder.module
    group = _Distinct(module, [], self_ref=False)
    for block in blocks:
        for instr in block.instructions:
            if isinstance(instr, ir.LoadInstr | ir.StoreInstr):
                instr.set_metadata("llvm.access.group", group)
    par = module.add_metadata([ir.MetaDataString(module, "llvm.loop.parallel_accesses"), group])
    latch.set_metadata("llvm.loop", _Distinct(module, [par], self_ref=True))


def counted_loop(
    builder: ir.IRBuilder, begin: ir.Value, end: ir.Value, body: Callable[[ir.Value], None], name: str,
    parallel: bool = False,
) -> None:
    """``for (i = begin; i < end; ++i) body(i)``; its blocks are created before the body
    is filled (numba's lowering does the same), and the builder ends in the exit block.
    ``parallel``: the body's iterations touch disjoint memory, apart from what every
    iteration only reads (see :func:`_mark_parallel`)."""
    fn = builder.function
    head = fn.append_basic_block(f"{name}.head")
    loop = fn.append_basic_block(f"{name}.body")
    done = fn.append_basic_block(f"{name}.exit")
    first_new = len(fn.blocks)
    pre = builder.block
    builder.branch(head)
    builder.position_at_end(head)
    i = builder.phi(I64, name=name)
    i.add_incoming(begin, pre)
    builder.cbranch(builder.icmp_signed("<", i, end), loop, done)
    builder.position_at_end(loop)
    body(i)
    nxt = builder.add(i, ir.Constant(I64, 1), flags=("nsw",))
    i.add_incoming(nxt, builder.block)
    latch = builder.branch(head)
    if parallel:
        _mark_parallel(builder, [loop, *fn.blocks[first_new:]], latch)
    builder.position_at_end(done)


def kernel_symbols(kernel: KernelIR) -> list[sp.Symbol]:
    """The free symbols of a kernel (parameters, spacings, coordinates, time), sorted by name:
    the generated IR text, the disk cache's key, must not depend on set order."""
    exprs = [e for _, e in kernel.invariants] + [e for _, e in kernel.body] + list(kernel.outputs)
    exprs += [g.expr for g in kernel.ghosts] + [c.rhs for c in kernel.constraints]
    skip = set(kernel.fields) | {f"i_{a}" for a in kernel.axis_names}
    out: set[sp.Symbol] = set()
    for e in exprs:
        out |= {s for s in e.free_symbols if isinstance(s, sp.Symbol) and s.name not in skip}
    return sorted(out, key=lambda s: s.name)


def i64(v: int) -> ir.Constant:
    return ir.Constant(I64, v)


class Frame:
    """The grid and the loop-invariant values of one generated function.

    Built at the start of the function from the pointer arguments ``n`` (int64 sizes),
    ``h`` (spacings), ``lo`` (lower bounds) and ``p`` (parameters in kernel order), and the
    time ``t``. ``inv`` is the emitter of the entry block: parameters, spacings, sizes,
    ``t`` and the kernel's invariants, which every point emitter inherits.
    """

    def __init__(self, kernel: KernelIR, builder: ir.IRBuilder, n, h, lo, p, t, flags: tuple[str, ...],
                 pad: int | None = None):
        self.kernel = kernel
        self.b = builder
        self.flags = flags
        self.axes = kernel.axis_names
        self.nd = len(self.axes)
        self.g = kernel.halo if pad is None else pad  # ghost layers of the arrays (>= the kernel's halo)
        self.field_index = {f: k for k, f in enumerate(kernel.fields)}
        b = builder
        self.n = [b.load(b.gep(n, [i64(d)], inbounds=True, source_etype=I64), typ=I64, name=f"n_{a}")
                  for d, a in enumerate(self.axes)]
        self.h = [b.load(b.gep(h, [i64(d)], inbounds=True, source_etype=DOUBLE), typ=DOUBLE, name=f"h_{a}")
                  for d, a in enumerate(self.axes)]
        self.lo = [b.load(b.gep(lo, [i64(d)], inbounds=True, source_etype=DOUBLE), typ=DOUBLE, name=f"lo_{a}")
                   for d, a in enumerate(self.axes)]
        self.P = [b.add(nd, i64(2 * self.g), flags=("nsw",)) for nd in self.n]
        stride = [i64(1)] * self.nd
        for d in range(self.nd - 2, -1, -1):
            stride[d] = b.mul(stride[d + 1], self.P[d + 1], flags=("nsw",))
        self.stride = stride
        self.fstride = b.mul(stride[0], self.P[0], flags=("nsw",)) if self.nd else i64(1)
        self.state_size = b.mul(self.fstride, i64(len(kernel.fields)), flags=("nsw",))
        # leaves, bound by name (the kernel IR's symbols carry assumptions we need not match)
        params = {name: k for k, name in enumerate(kernel.params)}
        temps = {s for s, _ in kernel.invariants} | {s for s, _ in kernel.body}
        env: dict[sp.Basic, ir.Value] = {}
        self.coord_symbols: dict[str, sp.Symbol] = {}
        for s in (s for s in kernel_symbols(kernel) if s not in temps):
            name = s.name
            if name in params:
                ptr = b.gep(p, [i64(params[name])], inbounds=True, source_etype=DOUBLE)
                env[s] = b.load(ptr, typ=DOUBLE, name=name)
            elif name == "t":
                env[s] = t
            elif name in self.axes:
                self.coord_symbols[name] = s
            elif name.startswith("h_") and name[2:] in self.axes:
                env[s] = self.h[self.axes.index(name[2:])]
            elif name.startswith("n_") and name[2:] in self.axes:
                env[s] = b.sitofp(self.n[self.axes.index(name[2:])], DOUBLE)
            else:
                raise InternalCompilerError(f"llvm backend: kernel {kernel.name} uses unknown symbol {name}")
        self.inv = ExprEmitter(b, env, flags=flags)
        for sym, e in kernel.invariants:
            self.inv.env[sym] = self.inv.emit(e)
        self.inv.home = b.block

    # -- addressing ------------------------------------------------------------------------
    def field_ptr(self, base: ir.Value, field: int) -> ir.Value:
        off = self.b.mul(self.fstride, i64(field), flags=("nsw",))
        return self.b.gep(base, [off], inbounds=True, source_etype=DOUBLE)

    def at(self, ptr: ir.Value, flat: ir.Value) -> ir.Value:
        return self.b.gep(ptr, [flat], inbounds=True, source_etype=DOUBLE)

    def load(self, ptr: ir.Value, flat: ir.Value) -> ir.Value:
        return self.b.load(self.at(ptr, flat), typ=DOUBLE)

    def store(self, value: ir.Value, ptr: ir.Value, flat: ir.Value) -> None:
        self.b.store(value, self.at(ptr, flat))

    def offset(self, offsets: Sequence[int]) -> ir.Value:
        """The flat distance of an integer offset vector."""
        out = i64(0)
        for d, o in enumerate(offsets):
            if o:
                out = self.b.add(out, self.b.mul(self.stride[d], i64(o), flags=("nsw",)), flags=("nsw",))
        return out

    def coord(self, d: int, padded_index: ir.Value) -> ir.Value:
        """``lo + (j - halo + 1/2) h``: the cell centre at padded index ``j``."""
        b = self.b
        i = b.sitofp(b.sub(padded_index, i64(self.g)), DOUBLE)
        return b.fadd(self.lo[d], b.fmul(b.fadd(i, ir.Constant(DOUBLE, 0.5)), self.h[d]))

    # -- the point loop ----------------------------------------------------------------------
    def point_loop(
        self,
        src_fields: list[ir.Value],
        r0: ir.Value | None,
        r1: ir.Value | None,
        emit_point: Callable[[ExprEmitter, ir.Value], None],
        name: str = "i",
        after_row: Callable[[ir.Value, ir.Value], None] | None = None,
    ) -> None:
        """Loop over interior points (rows ``[r0, r1)`` of axis 0, all of the others) and
        call ``emit_point(emitter, flat)``; the emitter reads accesses from ``src_fields``.
        ``after_row(base, j)`` runs after each innermost loop, ``base`` being the flat index
        of that row's padded index 0 along the last axis and ``j`` the padded index along
        the axis before it (2D and up)."""
        if self.nd == 0:
            em = ExprEmitter(self.b, {}, self._accessor(src_fields, i64(0)), self.flags, parent=self.inv)
            emit_point(em, i64(0))
            return

        def level(d: int, base: ir.Value, coords: dict) -> None:
            begin = r0 if d == 0 else i64(0)
            end = r1 if d == 0 else self.n[d]

            def body(i: ir.Value) -> None:
                j = self.b.add(i, i64(self.g), flags=("nsw",))
                flat = self.b.add(base, self.b.mul(j, self.stride[d], flags=("nsw",)), flags=("nsw",))
                here = dict(coords)
                s = self.coord_symbols.get(self.axes[d])
                if s is not None:
                    here[s] = self.coord(d, j)
                if d + 1 < self.nd:
                    level(d + 1, flat, here)
                    if after_row is not None and d + 2 == self.nd:
                        after_row(flat, j)
                else:
                    em = ExprEmitter(self.b, here, self._accessor(src_fields, flat), self.flags, parent=self.inv)
                    emit_point(em, flat)

            # the innermost loop writes each point's own cells only, and reads what no
            # iteration writes or what the same iteration writes (an in-place last stage)
            counted_loop(self.b, begin, end, body, f"{name}{d}", parallel=d + 1 == self.nd)

        level(0, i64(0), {})

    def _accessor(self, src_fields: list[ir.Value], flat: ir.Value) -> Callable[[sp.Indexed], ir.Value]:
        def access(expr: sp.Indexed) -> ir.Value:
            name, offs = decode_access(expr, self.axes)
            ptr = src_fields[self.field_index[name]]
            return self.load(ptr, self.b.add(flat, self.offset(offs), flags=("nsw",)) if any(offs) else flat)

        return access

    def body_values(self, em: ExprEmitter, sink: Callable[[int, ir.Value], None]) -> None:
        """Emit the kernel body and call ``sink(f, value)`` for each output ``f`` as soon as
        its value exists: an output that is a body temporary is consumed (stored) right
        after its definition, so it does not stay live, or spilled, until the end of a long
        body (x86 keeps close to source order before register allocation)."""
        pending: dict[sp.Basic, list[int]] = {}
        for f, o in enumerate(self.kernel.outputs):
            pending.setdefault(o, []).append(f)
        for sym, e in self.kernel.body:
            em.env[sym] = em.emit(e)
            for f in pending.pop(sym, ()):
                sink(f, em.env[sym])
        for o, fs in pending.items():
            value = em.emit(o)
            for f in fs:
                sink(f, value)
