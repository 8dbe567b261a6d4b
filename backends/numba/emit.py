"""Render a kernel IR as the source of a Python module that numba compiles.

The module imports only ``math``, ``numpy`` and ``numba``. It holds, each in a parallel and
a serial variant (suffix ``_serial``; small grids do not pay the thread fork/join):

* ``fill_ghosts(Y, t, p, lo, h, n)`` — periodic copies and boundary-condition ghost
  rules, axis by axis (each axis over the already-filled padded range of the earlier
  axes, so corners are consistent), in loops apart from the interior loop;
* ``sweep(Y, out, t, p, lo, h, n)`` — every evolved field's right-hand side at every
  interior point, one fused loop nest: ``prange`` over the outer axis, one-dimensional
  row views so the unit-stride inner loop vectorises (the layout of an expert kernel);
* ``constraint_rhs(...)`` — the right-hand sides of constraint fields, written into
  their slot of ``out`` (the runtime solves them spectrally);
* ``advance(y, t, dt, nsteps, p, lo, h, n, B, acc, ynew)`` — when a Butcher tableau is
  given, the whole fixed-step explicit Runge–Kutta loop (``advance_kernel``, behind a small
  plain-Python front that fills periodic ghosts once and leaves the result in ``y``):
  stage ``i``'s sweep evaluates ``k_i`` point by point and at once accumulates it into the
  later stage inputs and the weighted sum ``acc`` (Hairer, Nørsett & Wanner, *Solving
  ODEs I*, §II.1 for the tableau), so every stage is one pass over memory and nothing is
  allocated per step. Methods whose stage ``i+1`` reads only ``k_i`` (classic RK4) share
  one generic stage sweep (compiled once); others get every stage written out. On an
  all-periodic box the sweep that completes an array copies its ghost cells itself (the
  thread that wrote a row wraps it), so a step has no separate ghost pass.

Parameters, sizes, spacings and origins are arguments: changing them never recompiles.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp
from eqc.compiler.ir.kernel import KernelIR, decode_access, loop_index, size
from eqc.compiler.ir.symbols import TIME, coord, spacing
from eqc.compiler.options import BackendOptions

from eqc import __version__

from .printer import NumbaPrinter

__all__ = ["Tableau", "emit_module"]

IND = "    "


@dataclass(frozen=True, slots=True)
class Tableau:
    """The coefficients of an explicit Runge–Kutta method as plain floats."""

    name: str
    a: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]
    c: tuple[float, ...]

    @property
    def stages(self) -> int:
        return len(self.b)


_RESERVED = {
    "t", "p", "lo", "h", "n", "y", "Y", "out", "B", "acc", "ynew", "dt", "nsteps", "t0", "tn",
    "step", "math", "np", "njit", "prange", "abs", "min", "max", "range", "HALO", "FIELDS", "PARAMS",
}


def _ident(name: str, prefix: str) -> str:
    """``name`` as an identifier of generated code, prefixed when it could clash."""
    clash = name in _RESERVED or name.startswith("_") or (len(name) > 1 and name[0] in "ijkScr" and name[1] in "_0123456789")
    return prefix + name if clash or not name.isidentifier() or keyword.iskeyword(name) else name


def _off(o: int) -> str:
    return f"m{-o}" if o < 0 else f"p{o}"


class _Emitter:
    def __init__(self, k: KernelIR, options: BackendOptions, pad: int | None = None):
        self.k = k
        self.opts = options
        self.axes = k.axis_names
        self.d = len(self.axes)
        # ghost layers of the state arrays: the kernel's halo, or more when the state was
        # laid out for another kernel of the same model (ETDRK4's split kernel, say)
        self.g = max(k.halo, pad or 0)
        self.fi = {f: i for i, f in enumerate(k.fields)}
        names: dict[sp.Symbol, str] = {TIME: "t"}
        for p in k.params:
            names[sp.Symbol(p, real=True)] = _ident(p, "p_")
        for a in self.axes:
            names[coord(a)] = _ident(a, "x_")
            names[spacing(a)] = f"h_{a}"
            names[size(a)] = f"n_{a}"
            names[loop_index(a)] = f"i{self.axes.index(a)}"
        for sym, _ in (*k.invariants, *k.body):
            names[sym] = f"_{sym.name}"
        self.names = names

    # ------------------------------------------------------------------ pieces
    def deco(self, parallel: bool) -> str:
        o = self.opts
        return (
            f"@njit(parallel={parallel and o.parallel}, fastmath={o.fastmath}, cache={o.cache}, "
            'boundscheck=False, error_model="numpy", nogil=True)'
        )

    def preamble(self) -> list[str]:
        lines = [f"{_ident(p, 'p_')} = p[{i}]" for i, p in enumerate(self.k.params)]
        for j, a in enumerate(self.axes):
            lines.append(f"h_{a} = h[{j}]; n_{a} = n[{j}]; lo_{a} = lo[{j}]")
        return lines

    def invariants(self, acc: dict) -> list[str]:
        pr = NumbaPrinter(acc, self.names)
        return [f"{self.names[s]} = {pr.doprint(e)}" for s, e in self.k.invariants]

    def loop_nest(
        self,
        ranges: Sequence[str],
        parallel: bool,
        level_lines: Callable[[int], list[str]],
        inner: list[str],
        level_after: Callable[[int], list[str]] | None = None,
    ) -> list[str]:
        """Nested loops ``i0..i{d-1}`` over ``ranges``; ``level_lines(L)`` is emitted at the
        top of loop ``L`` (after its index is set), ``inner`` in the innermost loop and
        ``level_after(L)`` in loop ``L`` after loop ``L+1`` has finished."""
        out: list[str] = []

        def rec(L: int, depth: int) -> None:
            if L == len(ranges):
                out.extend(IND * depth + s for s in inner)
                return
            rng = "prange" if (L == 0 and parallel) else "range"
            out.append(IND * depth + f"for i{L} in {rng}({ranges[L]}):")
            out.extend(IND * (depth + 1) + s for s in level_lines(L))
            rec(L + 1, depth + 1)
            if level_after is not None and L < len(ranges) - 1:
                out.extend(IND * (depth + 1) + s for s in level_after(L))

        rec(0, 0)
        return out

    def periodic_copy(self, arr: str, fi: int, axis: int, src_dst: Sequence[tuple[str, str]]) -> list[str]:
        """Copy slabs of ``arr[fi]`` along ``axis`` (``(src, dst)`` index pairs), at the
        current interior point of the earlier axes, over the padded range of the later."""
        d, g = self.d, self.g
        later = list(range(axis + 1, d))
        lines: list[str] = []
        depth = 0
        for b in later:
            lines.append(IND * depth + f"for q{b} in range(n_{self.axes[b]} + {2 * g}):")
            depth += 1

        def index(pos: str) -> str:
            parts = [f"i{b} + {g}" for b in range(axis)] + [pos] + [f"q{b}" for b in later]
            return ", ".join(parts)

        for src, dst in src_dst:
            lines.append(IND * depth + f"{arr}[{fi}, {index(dst)}] = {arr}[{fi}, {index(src)}]")
        return lines

    def wrap_pairs(self, axis: int) -> list[tuple[str, str]]:
        """(src, dst) of the periodic ghosts of ``axis``: both sides, every depth."""
        g, a = self.g, self.axes[axis]
        pairs = []
        for q in range(g):
            pairs.append((f"n_{a} + {q}", f"{q}"))
            pairs.append((f"{g + q}", f"n_{a} + {g + q}"))
        return pairs

    def fused_ghosts(self, targets: Sequence[tuple[str, int]]) -> tuple[Callable[[int], list[str]], list[str]]:
        """Periodic ghost copies of ``targets`` ((array, field) pairs written by a sweep),
        done by the thread that wrote the row: ``level_after`` lines, and lines for after
        the loop nest (1-D)."""
        d, g = self.d, self.g

        def after(L: int) -> list[str]:
            lines: list[str] = []
            for arr, fi in targets:
                lines += self.periodic_copy(arr, fi, L + 1, self.wrap_pairs(L + 1))
            if L == 0:
                a = self.axes[0]
                for arr, fi in targets:
                    lines.append(f"if i0 < {g}:")
                    lines += [IND + x for x in self.periodic_copy(arr, fi, 0, [(f"i0 + {g}", f"n_{a} + {g} + i0")])]
                    lines.append(f"if i0 >= n_{a} - {g}:")
                    lines += [IND + x for x in self.periodic_copy(arr, fi, 0, [(f"i0 + {g}", f"i0 + {g} - n_{a}")])]
            return lines

        post: list[str] = []
        if d == 1:
            for arr, fi in targets:
                post += self.periodic_copy(arr, fi, 0, self.wrap_pairs(0))
        return after, post

    # ------------------------------------------------------------------ sweeps
    def sweep(
        self,
        inp: str,
        exprs: Sequence[tuple[str, sp.Expr]],
        tail: Callable,
        parallel: bool,
        ghost_targets: Sequence[tuple[str, int]] = (),
    ) -> list[str]:
        """A loop over the interior computing the body temporaries and ``name = expr`` per
        point, each followed by the lines ``tail(pt, i)`` of output ``i`` as soon as its
        value exists (``pt(arr, field)`` is the source text of ``arr[field]`` at the point).
        ``ghost_targets`` ((array, field) pairs, all axes periodic) get their ghost cells
        copied inside the same loop nest."""
        d, g = self.d, self.g
        views: dict[int, dict[str, str]] = {L: {} for L in range(max(d, 1))}

        def view(arr: str, fi: int, offs: Sequence[int]) -> str:
            if d == 0:
                return f"{arr}[{fi}]"
            prefix = offs[:-1]
            name = f"{arr}_{fi}" + "".join(f"_{_off(o)}" for o in prefix)
            if prefix:
                idx = ", ".join(f"i{a} + {g + o}" for a, o in enumerate(prefix))
                views[d - 1][name] = f"{arr}[{fi}, {idx}]"
            else:
                views[0][name] = f"{arr}[{fi}]"
            return f"{name}[i{d - 1} + {g + offs[-1]}]"

        accesses: dict[sp.Indexed, str] = {}
        all_exprs = [e for _, e in self.k.body] + [e for _, e in exprs]
        for e in all_exprs:
            for a in sorted(e.atoms(sp.Indexed), key=sp.default_sort_key):
                if a not in accesses:
                    name, offs = decode_access(a, self.axes)
                    accesses[a] = view(inp, self.fi[name], offs)
        pr = NumbaPrinter(accesses, self.names)
        pt = lambda arr, fi: view(arr, fi, (0,) * d)  # noqa: E731
        # an output that is a body temporary is consumed (stored) right after its
        # definition, so it does not stay live, or spilled, to the end of a long body
        ready: dict[sp.Basic, list[int]] = {}
        for i, (_, e) in enumerate(exprs):
            ready.setdefault(e, []).append(i)
        point = []
        for s, e in self.k.body:
            point.append(f"{self.names[s]} = {pr.doprint(e)}")
            for i in ready.pop(s, ()):
                point += [f"{exprs[i][0]} = {pr.doprint(exprs[i][1])}", *tail(pt, i)]
        for i in sorted(i for idx in ready.values() for i in idx):
            point += [f"{exprs[i][0]} = {pr.doprint(exprs[i][1])}", *tail(pt, i)]
        used = set().union(*(e.free_symbols for e in all_exprs)) if all_exprs else set()
        coords = {a for a in self.axes if coord(a) in used}
        if d == 0:
            return point
        # row views of level 0 are whole-field views, made before the loops
        before = [f"{n} = {src}" for n, src in views[0].items()] if d > 1 else []
        if d == 1:
            before = [f"{n} = {src}" for n, src in views[0].items()]

        def level(L: int) -> list[str]:
            lines = []
            a = self.axes[L]
            if a in coords:
                lines.append(f"{_ident(a, 'x_')} = lo_{a} + (i{L} + 0.5) * h_{a}")
            if L == d - 2:
                lines += [f"{n} = {src}" for n, src in views[d - 1].items()]
            return lines

        ranges = [f"n_{a}" for a in self.axes]
        after, post = self.fused_ghosts(ghost_targets) if ghost_targets else (None, [])
        return before + self.loop_nest(ranges, parallel, level, point, after) + post

    def fill_ghosts(self, sfx: str, parallel: bool) -> list[str]:
        k, d, g = self.k, self.d, self.g
        lines = [self.deco(parallel), f"def fill_ghosts{sfx}(Y, t, p, lo, h, n):"]
        body = self.preamble()
        n_filled = 0
        for kx, ax in enumerate(k.axes):
            other = [j for j in range(d) if j != kx]
            stmts: list[str] = []
            a = ax.name

            def idx(along: str, kx: int = kx) -> str:
                parts = []
                for j in range(d):
                    parts.append(along if j == kx else f"i{j}")
                return ", ".join(parts)

            for f in k.fields:
                fi = self.fi[f]
                if ax.periodic:
                    for dep in range(1, g + 1):
                        stmts.append(f"Y[{fi}, {idx(f'{g - dep}')}] = Y[{fi}, {idx(f'n_{a} + {g - dep}')}]")
                        stmts.append(f"Y[{fi}, {idx(f'n_{a} + {g - 1 + dep}')}] = Y[{fi}, {idx(f'{g + dep - 1}')}]")
                    continue
                for rule in k.ghosts:
                    if rule.field != f or rule.axis != a:
                        continue
                    acc = {}
                    for ac in sorted(rule.expr.atoms(sp.Indexed), key=sp.default_sort_key):
                        name, offs = decode_access(ac, self.axes)
                        o = offs[kx]
                        pos = f"{g + o}" if rule.side == "lo" else f"n_{a} + {g - 1 + o}"
                        acc[ac] = f"Y[{self.fi[name]}, {idx(pos)}]"
                    pr = NumbaPrinter(acc, self.names)
                    gpos = f"{g - rule.depth}" if rule.side == "lo" else f"n_{a} + {g - 1 + rule.depth}"
                    if rule.source:
                        stmts.append(f"# {rule.source}")
                    stmts.append(f"Y[{fi}, {idx(gpos)}] = {pr.doprint(rule.expr)}")
            if not stmts:
                continue
            n_filled += 1
            used = set()
            for r in k.ghosts:
                if r.axis == a:
                    used |= r.expr.free_symbols
            if d == 1:
                body += stmts
                continue

            # loop over the other axes: padded range for earlier axes, interior for later
            def level(L: int, other=other, used=used) -> list[str]:
                j = other[L]
                b = self.axes[j]
                lines_ = [f"i{j} = j{L}"]
                if coord(b) in used:
                    lines_.append(f"{_ident(b, 'x_')} = lo_{b} + (i{j} - {g} + 0.5) * h_{b}")
                return lines_

            ranges = []
            for j in other:
                b = self.axes[j]
                ranges.append(f"n_{b} + {2 * g}" if j < kx else f"{g}, n_{b} + {g}")
            nest = self.loop_nest(ranges, parallel, level, stmts)
            # loop variables of the nest are i0.. in order; rename to j-indices
            nest = [_rename_loop_vars(s, len(other)) for s in nest]
            body += nest
        if not n_filled:
            body.append("pass")
        lines += [IND + s for s in body]
        return lines

    def rhs_functions(self, sfx: str, parallel: bool) -> list[str]:
        k = self.k
        ev = k.evolved
        exprs = [(f"k_{i}", e) for i, e in enumerate(k.outputs)]

        def tail(pt, i):
            return [f"{pt('out', i)} = k_{i}"] if i < len(ev) else []

        sw = self.sweep("Y", exprs, tail, parallel)
        inv = self.invariants({})
        lines = [self.deco(parallel), f"def sweep{sfx}(Y, out, t, p, lo, h, n):"]
        lines += [IND + s for s in self.preamble() + inv + sw]
        lines += ["", "", self.deco(parallel), f"def rhs{sfx}(Y, out, t, p, lo, h, n):"]
        lines += [IND + f"fill_ghosts{sfx}(Y, t, p, lo, h, n)", IND + f"sweep{sfx}(Y, out, t, p, lo, h, n)"]
        if k.constraints:
            cex = [(f"c_{i}", c.rhs) for i, c in enumerate(k.constraints)]

            def ctail(pt, i):
                return [f"{pt('out', self.fi[k.constraints[i].field])} = c_{i}"]

            csw = self.sweep("Y", cex, ctail, parallel)
            lines += ["", "", self.deco(parallel), f"def constraint_rhs{sfx}(Y, out, t, p, lo, h, n):"]
            lines += [IND + s for s in self.preamble() + inv + csw]
        return lines

    def advance(self, tab: Tableau, sfx: str, parallel: bool) -> list[str]:
        """The fused fixed-step loop for ``tab`` (see the module docstring)."""
        if _chained(tab):
            return self.advance_chained(tab, sfx, parallel)
        return self.advance_unrolled(tab, sfx, parallel)

    def advance_chained(self, tab: Tableau, sfx: str, parallel: bool) -> list[str]:
        """A multi-stage method whose stage ``i+1`` reads only ``k_i`` (classic RK4,
        midpoint, Heun): one generic stage sweep, compiled once, called ``s`` times per
        step with the stage's coefficients (``y`` updated in place by the last one)::

            k = f(inp);  nxt = y + cy*acc + cd*k;  acc = ca*acc + cb*k
        """
        k = self.k
        s = tab.stages
        nev = len(k.evolved)
        fused = self.d > 0 and all(a.periodic for a in k.axes)
        exprs = [(f"k_{i}", e) for i, e in enumerate(k.outputs)]

        def tail(pt, fi):
            if fi >= nev:
                return []
            a = pt("acc", fi)
            return [f"a_{fi} = {a}", f"{pt('nxt', fi)} = {pt('y', fi)} + cy * a_{fi} + cd * k_{fi}",
                    f"{a} = ca * a_{fi} + cb * k_{fi}"]

        targets = [("nxt", fi) for fi in range(nev)] if fused else []
        sweep = self.sweep("inp", exprs, tail, parallel, targets)
        lines = [self.deco(parallel), f"def stage{sfx}(inp, y, nxt, acc, t, ca, cy, cd, cb, p, lo, h, n):"]
        lines += [IND + x for x in self.preamble() + self.invariants({}) + sweep]
        body = ["tn = t0", "for step in range(nsteps):"]
        for i in range(s):
            inp = "y" if i == 0 else f"B[{(i - 1) % 2}]"
            last = i == s - 1
            nxt = "y" if last else f"B[{i % 2}]"
            a_next = 0.0 if last else tab.a[i + 1][i]
            ca = 0.0 if i == 0 else 1.0
            cy = "dt" if last else "0.0"
            cd = f"({tab.b[i]!r} * dt)" if last else f"({a_next!r} * dt)"
            st = [f"# stage {i + 1} of {tab.name}", f"t = tn + {tab.c[i]!r} * dt"]
            if not fused:
                st.append(f"fill_ghosts{sfx}({inp}, t, p, lo, h, n)")
            st.append(f"stage{sfx}({inp}, y, {nxt}, acc, t, {ca!r}, {cy}, {cd}, {tab.b[i]!r}, p, lo, h, n)")
            body += [IND + x for x in st]
        body += [IND + "tn = t0 + (step + 1) * dt", "return tn"]
        lines += ["", "", self.deco(False), f"def advance_kernel{sfx}(y, t0, dt, nsteps, p, lo, h, n, B, acc, ynew):"]
        lines += [IND + x for x in body]
        self.n_buffers = min(2, s - 1)
        self.swaps = False
        return lines

    def advance_unrolled(self, tab: Tableau, sfx: str, parallel: bool) -> list[str]:
        """Any explicit tableau: every stage's sweep written out, writing each later stage
        input it contributes to."""
        k = self.k
        s = tab.stages
        nev = len(k.evolved)
        exprs = [(f"k_{i}", e) for i, e in enumerate(k.outputs)]
        # which stage inputs get contributions, and when the first one is written
        first: dict[int, int] = {}
        for m in range(1, s):
            for j in range(m):
                if tab.a[m][j] != 0.0 and m not in first:
                    first[m] = j
        # stage-input buffers by liveness: stage m is live from sweep first[m] to m
        buf: dict[int, int] = {}
        free: list[int] = []
        n_buf = 0
        for i in range(s):
            for m, f0 in first.items():
                if f0 == i:
                    if free:
                        buf[m] = free.pop()
                    else:
                        buf[m] = n_buf
                        n_buf += 1
            if i in buf:  # this sweep reads stage i's input; free it afterwards
                free.append(buf[i])
        b_first = next((j for j in range(s) if tab.b[j] != 0.0), s - 1)
        in_place = s > 1 and (s - 1) in buf
        last = {m: max(j for j in range(m) if tab.a[m][j] != 0.0) for m in first}
        # on an all-periodic box the sweep that completes an array copies its ghosts itself
        fused = self.d > 0 and all(a.periodic for a in k.axes)

        def src(i: int) -> str:
            return f"S{i}" if i in buf else "y"

        body = self.preamble()
        body.append("tn = t")
        # (on an all-periodic box the caller fills y's ghosts once before the call)
        body.append("for step in range(nsteps):")
        step: list[str] = []
        for i in range(s):
            step.append(f"# stage {i + 1} of {tab.name}")
            step.append(f"t = tn + {tab.c[i]!r} * dt")
            if i in buf:
                step.append(f"S{i} = B[{buf[i]}]")
            if not fused:
                step.append(f"fill_ghosts{sfx}({src(i)}, t, p, lo, h, n)")
            for m in first:
                if first[m] == i and m != i:
                    step.append(f"S{m} = B[{buf[m]}]")
            step += self.invariants({})

            def tail(pt, fi, i=i):
                out = []
                if fi < nev:
                    kf = f"k_{fi}"
                    yv = pt("y", fi)
                    for m in range(i + 1, s):
                        a = tab.a[m][i]
                        if a == 0.0:
                            continue
                        tgt = pt(f"S{m}", fi)
                        if first[m] == i:
                            out.append(f"{tgt} = {yv} + ({a!r} * dt) * {kf}")
                        else:
                            out.append(f"{tgt} += ({a!r} * dt) * {kf}")
                    bi = tab.b[i]
                    if i < s - 1:
                        if bi != 0.0:
                            av = pt("acc", fi)
                            out.append(f"{av} = {bi!r} * {kf}" if i == b_first else f"{av} += {bi!r} * {kf}")
                    else:
                        tgt = yv if in_place else pt("ynew", fi)
                        if b_first < s - 1:
                            out.append(f"{tgt} = {yv} + dt * ({pt('acc', fi)} + {bi!r} * {kf})")
                        else:
                            scale = "dt" if bi == 1.0 else f"({bi!r} * dt)"
                            out.append(f"{tgt} = {yv} + {scale} * {kf}")
                return out

            targets: list[tuple[str, int]] = []
            if fused:
                done = [f"S{m}" for m in first if last[m] == i]
                if i == s - 1:
                    done.append("y" if in_place else "ynew")
                targets = [(arr, fi) for arr in done for fi in range(nev)]
            step += self.sweep(src(i), exprs, tail, parallel, targets)
        if not in_place:
            step.append("y, ynew = ynew, y")
        step.append("tn = t0 + (step + 1) * dt")
        body += [IND + x for x in step]
        # after an odd number of swaps the result is in the caller's ynew: it copies back
        body.append("return tn")
        lines = [self.deco(parallel), f"def advance_kernel{sfx}(y, t0, dt, nsteps, p, lo, h, n, B, acc, ynew):"]
        lines += [IND + "t = t0"] + [IND + x for x in body]
        self.n_buffers = n_buf
        self.swaps = not in_place
        return lines


def _chained(tab: Tableau) -> bool:
    """More than one stage and ``a[i][j] == 0`` unless ``j == i - 1`` (with ``a[i][i-1]``
    nonzero): each stage input is ``y + a dt k_{i-1}``."""
    s = tab.stages
    if s < 2:
        return False
    for i in range(1, s):
        if tab.a[i][i - 1] == 0.0 or any(tab.a[i][j] != 0.0 for j in range(i - 1)):
            return False
    return True


def _rename_loop_vars(line: str, count: int) -> str:
    # loop_nest names its variables i0, i1, ...; in a ghost nest they are j0, j1, ...
    for L in range(count):
        line = line.replace(f"for i{L} in", f"for j{L} in")
    return line


def _advance_wrapper(em: _Emitter, sfx: str) -> list[str]:
    """``advance``: a plain-Python front of the compiled loop that fills the periodic ghosts
    of ``y`` once (the sweeps keep them up to date after that) and leaves the result in
    ``y`` whatever the number of buffer swaps."""
    periodic = em.d > 0 and all(a.periodic for a in em.k.axes)
    lines = [f"def advance{sfx}(y, t0, dt, nsteps, p, lo, h, n, B, acc, ynew):",
             IND + '"""``nsteps`` fixed steps of ``dt`` on ``y`` in place; returns the new time."""']
    if periodic:
        lines.append(IND + "_wrap_ghosts(y)")
    lines.append(IND + f"tn = advance_kernel{sfx}(y, t0, dt, nsteps, p, lo, h, n, B, acc, ynew)")
    if getattr(em, "swaps", False):
        lines += [IND + "if nsteps % 2 == 1:", IND * 2 + "y[...] = ynew"]
    lines.append(IND + "return tn")
    return lines


_WRAP = '''
def _wrap_ghosts(y):
    """Periodic ghost cells of every axis of the state ``y`` (NumPy slices)."""
    g = HALO
    for a in range(1, y.ndim):
        m = y.shape[a] - 2 * g
        dst = [slice(None)] * y.ndim
        src = [slice(None)] * y.ndim
        dst[a], src[a] = slice(0, g), slice(m, m + g)
        y[tuple(dst)] = y[tuple(src)]
        dst[a], src[a] = slice(m + g, m + 2 * g), slice(g, 2 * g)
        y[tuple(dst)] = y[tuple(src)]
'''


def emit_module(
    k: KernelIR, options: BackendOptions, tableau: Tableau | None = None, pad: int | None = None
) -> tuple[str, int]:
    """The module source for ``k`` (and the fused loop ``advance`` for ``tableau``) and
    the number of stage buffers ``B`` that ``advance`` needs. ``pad`` is the ghost width
    of the state arrays when it is wider than the kernel's halo."""
    em = _Emitter(k, options, pad)
    head = [
        f'"""numba kernel for model `{k.name}`, generated by eqc {__version__}.',
        "",
        f"options: order={k.order} {options}" + (f" method={tableau.name}" if tableau else ""),
        f"fields: {', '.join(k.fields)}; params: {', '.join(k.params)}; axes: {', '.join(em.axes) or '(ode)'}; halo: {em.g}",
        '"""',
        "",
        "import math",
        "",
        "import numpy as np",
        "from numba import njit, prange",
        "",
        f"HALO = {em.g}",
        f"FIELDS = {tuple(k.fields)!r}",
        f"PARAMS = {tuple(k.params)!r}",
        "",
    ]
    parts: list[str] = [_WRAP] if tableau is not None else []
    for sfx, par in (("", True), ("_serial", False)):
        # ghost filling touches only the boundary layers: serial (no fork/join, quick to JIT)
        parts += ["", *em.fill_ghosts(sfx, False), "", ""]
        if sfx == "":
            parts += [f"# {eq}" for eq in k.equations]
        parts += em.rhs_functions(sfx, par)
        if tableau is not None:
            parts += ["", "", *em.advance(tableau, sfx, par)]
            parts += ["", "", *_advance_wrapper(em, sfx)]
        parts.append("")
    src = "\n".join(head + parts) + "\n"
    if "np." not in src:
        src = src.replace("import numpy as np\n", "import numpy as np  # noqa: F401\n")
    return src, getattr(em, "n_buffers", 0)
