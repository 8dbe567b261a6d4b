"""``optimize``: outputs → e-graph → saturation → DAG extraction → assignments;
``rewrite_kernel``: the same on a :class:`KernelIR` with kernel semantics.

Large systems are handled structurally: the n-ary, sorted sums and products of the
e-graph make commutativity and associativity free; products with a number or an invariant
factor are split (``split-coefficient``, ``split-invariant``) so each reaction rate
``k*a*b`` is one shared class used by every equation through its stoichiometric
coefficient; expansive rules run under the node budget. The result is never worse (under
the cost model) than plain common-subexpression elimination of the input, which is
computed alongside as a fallback.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import sympy as sp

from ..ir.kernel import KernelIR
from ..ir.symbols import coord
from .convert import Converter
from .cost import count_ops, count_program, cycles
from .egraph import EGraph
from .emit import Names, emit
from .extract import extract, invariant_choice
from .options import DEFAULT_OPTIONS, RewriteOptions
from .program import Program, RewriteReport
from .rules import rules_for
from .saturate import Limits, saturate
from .share import share_pairs

__all__ = ["optimize", "rewrite_kernel", "as_predicate"]

VaryingSpec = Callable[[sp.Basic], bool] | Iterable[sp.Basic]


def as_predicate(varying: VaryingSpec) -> Callable[[sp.Basic], bool]:
    """A predicate on atoms from a predicate or a set of varying atoms."""
    if callable(varying):
        return varying
    atoms = frozenset(varying)
    return lambda a: a in atoms


def _ops(c: Counter) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((k, int(v)) for k, v in c.items() if v))


def _seed_expansion(conv: Converter, eg: EGraph, root: int, expr: sp.Expr, options: RewriteOptions, pred) -> None:
    """Put the polynomial expansion of ``expr`` in its class when it stays small."""
    if not isinstance(expr, sp.Add | sp.Mul | sp.Pow):
        return
    if not any(isinstance(a, sp.Add) for arg in expr.args for a in sp.preorder_traversal(arg)):
        return  # already a sum of products
    for p in expr.atoms(sp.Pow):
        if p.exp.is_Integer and abs(int(p.exp)) > 6 and isinstance(p.base, sp.Add):
            return
    ex = sp.expand(expr, deep=True, power_base=False, power_exp=False, log=False)
    if ex == expr:
        return
    before = cycles(count_ops([expr], pred), options.cost)
    after = cycles(count_ops([ex], pred), options.cost)
    if after <= options.expand_growth * before + 20:
        eg.union(root, conv.add(ex))


def _plain(outputs: Sequence[sp.Expr], pred, options: RewriteOptions, reserved) -> tuple:
    """Hash-consing CSE of the input as written: the fallback program."""
    eg = EGraph()
    conv = Converter(eg, pred)
    roots = [conv.add(o) for o in outputs]
    eg.rebuild()
    sel = extract(eg, roots, options.cost, seconds=0.05, refine=False)
    names = Names(reserved)
    return emit(sel, invariant_choice(eg, options.cost), names)


def _share(body, outs, pred, names: Names):
    """Pair sharing across sums and products (:mod:`.share`)."""
    temps = {s for s, _ in body}

    memo: dict[sp.Basic, bool] = {}

    def varies(e: sp.Basic) -> bool:
        hit = memo.get(e)
        if hit is None:
            if e in temps or isinstance(e, sp.Indexed | sp.Symbol) or not e.args:
                hit = e in temps or bool(pred(e))
            else:
                hit = any(varies(a) for a in e.args)
            memo[e] = hit
        return hit

    def fresh() -> sp.Symbol:
        s = names.temporary()
        temps.add(s)
        return s

    new_body, new_outs = share_pairs(list(body), list(outs), varies, fresh)
    return tuple(new_body), tuple(new_outs)


def optimize(
    outputs: Sequence[sp.Expr],
    varying: VaryingSpec,
    options: RewriteOptions = DEFAULT_OPTIONS,
    *,
    reserved: Iterable[str] = (),
) -> Program:
    """Rewrite ``outputs`` together into a cheaper straight-line program.

    ``varying`` says which atoms change from point to point (a predicate or a set);
    everything else is loop-invariant and hoisted. Temporaries are named to avoid
    ``reserved`` names and every name in the outputs.
    """
    t0 = time.perf_counter()
    pred = as_predicate(varying)
    outs = [sp.sympify(o) for o in outputs]
    names_used = set(reserved)
    for o in outs:
        names_used |= {str(s) for s in o.free_symbols}
        names_used |= {str(a.base.label) for a in o.atoms(sp.Indexed)}
    ops_before = count_ops(outs, pred)
    eg = EGraph()
    conv = Converter(eg, pred)
    roots = [conv.add(o) for o in outs]
    if options.expand:
        for r, o in zip(roots, outs, strict=True):
            _seed_expansion(conv, eg, r, o, options, pred)
    eg.rebuild()
    sat_seconds = 0.5 * options.time_limit
    limits = Limits(options.node_limit, sat_seconds, options.iter_limit, options.cheap_rounds)
    rules = rules_for(options.rule_sets, options.unsafe)
    if len(eg) > options.expansive_max_nodes:
        # a large system (a reaction network): cheap rules over the whole, so each rate
        # is one shared class; pair sharing after extraction combines the sums
        rules = tuple(r for r in rules if not r.expansive)
    sat = saturate(eg, rules, limits)
    remaining = max(0.05, min(0.25 * options.time_limit, 0.8 * options.time_limit - (time.perf_counter() - t0)))
    sel = extract(eg, roots, options.cost, seconds=remaining, refine=options.refine)
    names = Names(names_used)
    invariants, body, new_outs = emit(sel, invariant_choice(eg, options.cost), names)
    body, new_outs = _share(body, new_outs, pred, names)

    body_syms = {s for s, _ in body}

    def pred_after(a: sp.Basic) -> bool:
        return a in body_syms or pred(a)

    ops_after = count_program(invariants + body, new_outs, pred_after)
    fallback = False
    p_inv, p_body, p_outs = _plain(outs, pred, options, names_used)
    p_syms = {s for s, _ in p_body}
    ops_plain = count_program(p_inv + p_body, p_outs, lambda a: a in p_syms or pred(a))
    if cycles(ops_plain, options.cost) < cycles(ops_after, options.cost):
        invariants, body, new_outs, ops_after, fallback = p_inv, p_body, p_outs, ops_plain, True
    report = RewriteReport(
        ops_before=_ops(ops_before),
        ops_after=_ops(ops_after),
        cost_before=cycles(ops_before, options.cost),
        cost_after=cycles(ops_after, options.cost),
        iterations=sat.iterations,
        nodes=len(eg),
        classes=len(eg.classes),
        seconds=time.perf_counter() - t0,
        stop=sat.stop,
        rules_applied=tuple(sorted(sat.applied.items())),
        fallback=fallback,
    )
    return Program(invariants, body, new_outs, report)


def rewrite_kernel(kernel: KernelIR, options: RewriteOptions = DEFAULT_OPTIONS) -> KernelIR:
    """The kernel with its body and outputs rewritten (DESIGN.md, "The e-graph rewriter").

    Accesses and coordinates vary per point; parameters, spacings, ``t``, existing
    invariants and numbers are loop-invariant. The existing body is inlined first so the
    whole right-hand side of all fields is optimised together. Ghost rules and
    constraint right-hand sides are left as they are.
    """
    coords = {coord(a) for a in kernel.axis_names}

    def varying(a: sp.Basic) -> bool:
        return isinstance(a, sp.Indexed) or a in coords

    env: dict[sp.Basic, sp.Expr] = {}
    for sym, e in kernel.body:
        env[sym] = sp.sympify(e).xreplace(env)
    outputs = [sp.sympify(o).xreplace(env) for o in kernel.outputs]
    reserved = set(kernel.fields) | set(kernel.params) | {str(s) for s, _ in kernel.invariants}
    reserved |= {str(s) for s, _ in kernel.body} | set(kernel.axis_names)
    prog = optimize(outputs, varying, options, reserved=reserved)
    meta = tuple(kernel.meta) + (("rewrite", prog.report.summary()),)
    return replace(
        kernel,
        invariants=tuple(kernel.invariants) + prog.invariants,
        body=prog.body,
        outputs=prog.outputs,
        meta=meta,
    )
