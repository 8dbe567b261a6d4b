"""``optimize``: outputs → e-graph → saturation → DAG extraction → assignments;
``rewrite_kernel``: the same on a :class:`KernelIR` with kernel semantics.

Large systems are handled structurally: the n-ary, sorted sums and products of the
e-graph make commutativity and associativity free; products with a number or an invariant
factor are split (``split-coefficient``, ``split-invariant``) so each reaction rate
``k*a*b`` is one shared class used by every equation through its stoichiometric
coefficient; expansive rules run under the node budget. The result is never worse (under
the cost model) than ``sympy.cse`` of the input, whose program is computed alongside as a
candidate. A polynomial system with invariant coefficients (a mass-action network) also
gets the per-monomial programs of :mod:`.monomial` (merged columns, rates only) and, when
rate constants repeat, sympy.cse of its products with flat sums (``rates-cse``) as
candidates; the cheapest candidate after pair sharing is kept and named in
``report.kept``.

An *engine* (table ``ENGINES`` in :mod:`.options`) is a function
``(outputs, varying, options, names) -> EngineResult``; ``optimize`` runs the chosen one,
then the candidates, pair sharing (:mod:`.share`) and counting — another engine (egglog,
say) plugs in as one function and one table line.
"""

from __future__ import annotations

import gc
import importlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

import sympy as sp

from ..ir.kernel import KernelIR
from ..ir.symbols import coord
from .convert import Converter
from .cost import count_ops, count_program, cse_program, cycles
from .egraph import EGraph
from .emit import Hoisted, Names, emit
from .extract import extract, invariant_choice
from .monomial import Term, decompose, monomial_program, product_sums, varies_of
from .options import DEFAULT_OPTIONS, ENGINES, RewriteOptions
from .program import PLAIN, Program, RewriteReport
from .rules import rules_for
from .saturate import Limits, saturate
from .schedule import schedule
from .share import share_pairs

__all__ = ["optimize", "rewrite_kernel", "as_predicate", "egraph_engine", "cse_engine", "sympy_cse_engine",
           "rates_cse_program", "EngineResult"]

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


@dataclass(frozen=True, slots=True)
class EngineResult:
    """What an engine hands back: the program parts and how its search ended."""

    invariants: tuple
    body: tuple
    outputs: tuple
    iterations: int = 0
    nodes: int = 0
    classes: int = 0
    stop: str = "saturated"
    rules_applied: tuple = ()


def cse_engine(outputs: Sequence[sp.Expr], pred, options: RewriteOptions, names: Names) -> EngineResult:
    """Hash-consing CSE of the input as written (no rewriting): the fallback, and the
    simplest engine behind the interface."""
    eg = EGraph()
    conv = Converter(eg, pred)
    roots = [conv.add(o) for o in outputs]
    eg.rebuild()
    sel = extract(eg, roots, options.cost, seconds=0.05, refine=False)
    inv, body, outs = emit(sel, invariant_choice(eg, options.cost), names)
    return EngineResult(inv, body, outs, 0, len(eg), len(eg.classes))


def sympy_cse_engine(outputs: Sequence[sp.Expr], pred, options: RewriteOptions, names: Names) -> EngineResult | None:
    """``sympy.cse`` of the input, its loop-invariant parts hoisted: the baseline the
    rewriter is measured against, kept as a candidate so that the result is never worse
    than it (sympy.cse shares ``k*a`` between ``k*a*b`` and ``k*a*c``, which the e-graph's
    rate form ``k*(a*b)`` does not when rate constants repeat)."""
    def fresh():
        while True:
            yield names.temporary()

    repl, red = cse_program(outputs, fresh())
    if any(not isinstance(e, sp.Expr) for _, e in repl):
        return None  # a named condition (a boolean temporary): no backend takes one
    temps: set[sp.Symbol] = set()
    invariant = Hoisted(names)

    memo: dict[sp.Basic, bool] = {}

    def varies(e: sp.Basic) -> bool:
        if e in temps:
            return True
        hit = memo.get(e)
        if hit is None:
            leaf = isinstance(e, sp.Indexed | sp.Symbol) or not e.args
            hit = memo[e] = bool(pred(e)) if leaf else any(varies(a) for a in e.args)
        return hit

    def hoist(e: sp.Expr) -> sp.Expr:
        """``e`` with its invariant parts named: the invariant operands of a sum or
        product combined into one, any other invariant subtree as a whole."""
        if not isinstance(e, sp.Expr) or isinstance(e, sp.Piecewise):
            return e  # conditions and branches stay as written (the backends evaluate them in place)
        if not varies(e):
            return invariant(e)
        if e.is_Atom or isinstance(e, sp.Indexed):
            return e
        if isinstance(e, sp.Add | sp.Mul):
            fixed = [a for a in e.args if not varies(a)]
            moving = [hoist(a) for a in e.args if varies(a)]
            if fixed:
                moving.append(invariant(e.func(*fixed)) if len(fixed) > 1 else hoist(fixed[0]))
            return e.func(*moving)
        return e.func(*(hoist(a) for a in e.args))

    body: list[tuple[sp.Symbol, sp.Expr]] = []
    for sym, e in repl:
        if varies(e):
            body.append((sym, hoist(e)))
            temps.add(sym)
        else:
            invariant.items.append((sym, e))
    outs = [hoist(e) for e in red]
    return EngineResult(tuple(invariant.items), tuple(body), tuple(outs))


def rates_cse_program(outputs: Sequence[sp.Expr], pred, options: RewriteOptions, names: Names,
                      terms: list[Term] | None = None) -> EngineResult | None:
    """A polynomial system's distinct products (the rates ``k*a*b``) through ``sympy.cse``,
    which shares ``k*a`` between ``k*a*b`` and ``k*a*c`` when rate constants repeat, with
    the sums kept flat over the products for pair sharing to combine (``sympy.cse`` of the
    whole system nests its sums, which pair sharing cannot undo); ``None`` when the system
    is not polynomial, no invariant factor repeats (nothing for sympy.cse to share that the
    ``rates`` program does not) or sympy.cse declines. ``terms``: ``decompose``'s, when known."""
    split = product_sums(outputs, pred, terms)
    if split is None or not split[2]:
        return None
    products, rows, _ = split
    res = sympy_cse_engine(products, pred, options, names)
    if res is None:
        return None
    body = list(res.body)
    value = []
    for e in res.outputs:
        if e.is_Atom or isinstance(e, sp.Indexed):
            value.append(e)
        else:
            s = names.temporary()
            body.append((s, e))
            value.append(s)
    invariant = Hoisted(names)
    invariant.items.extend(res.invariants)
    sums = []
    for row in rows:
        parts = [c * value[k] for k, c in row.items() if k >= 0]
        if -1 in row:  # the invariant part of the sum
            parts.append(invariant(row[-1]))
        sums.append(sp.Add(*parts))
    return EngineResult(tuple(invariant.items), tuple(body), tuple(sums))


def egraph_engine(outputs: Sequence[sp.Expr], pred, options: RewriteOptions, names: Names) -> EngineResult:
    """Equality saturation and DAG-aware extraction (the default engine)."""
    t0 = time.perf_counter()
    eg = EGraph()
    conv = Converter(eg, pred)
    roots = [conv.add(o) for o in outputs]
    if options.expand:
        for r, o in zip(roots, outputs, strict=True):
            _seed_expansion(conv, eg, r, o, options, pred)
    eg.rebuild()
    nodes = max(options.node_limit, 4 * len(eg))
    limits = Limits(nodes, 0.5 * options.time_limit, options.iter_limit, options.cheap_rounds)
    rules = rules_for(options.rule_sets, options.unsafe)
    if len(eg) > options.expansive_max_nodes:
        # a large system (a reaction network): cheap rules over the whole, so each rate
        # is one shared class; pair sharing after extraction combines the sums
        rules = tuple(r for r in rules if not r.expansive)
    sat = saturate(eg, rules, limits)
    left = 0.8 * options.time_limit - (time.perf_counter() - t0)
    sel = extract(eg, roots, options.cost, seconds=max(0.05, min(0.25 * options.time_limit, left)), refine=options.refine)
    inv, body, outs = emit(sel, invariant_choice(eg, options.cost), names)
    applied = tuple(sorted(sat.applied.items()))
    return EngineResult(inv, body, outs, sat.iterations, len(eg), len(eg.classes), sat.stop, applied)


def _engine(name: str) -> Callable[..., EngineResult]:
    module, attr = ENGINES[name].split(":")
    return getattr(importlib.import_module(module), attr)


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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration, then back as it was.

    A rewrite allocates hundreds of thousands of sympy objects and tuples, and each
    full collection walks every object the process holds, so in a process that holds
    many (a benchmark, a notebook) the network's rewrite took 0.56-1.11 s with the
    collector on against 0.47-0.69 s off (20 runs each, one process). Reference counting
    still frees almost everything; the cycles left are collected after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


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
    with _collector_paused():
        return _optimize(outputs, varying, options, reserved)


def _optimize(outputs, varying: VaryingSpec, options: RewriteOptions, reserved: Iterable[str]) -> Program:
    t0 = time.perf_counter()
    pred = as_predicate(varying)
    outs = [sp.sympify(o) for o in outputs]
    names_used = set(reserved)
    for o in outs:
        names_used |= {str(s) for s in o.free_symbols}
        names_used |= {str(a.base.label) for a in o.atoms(sp.Indexed)}
    ops_before = count_ops(outs, pred)
    names = Names(names_used)
    res, label = _engine(options.engine)(outs, pred, options, names), options.engine
    if res is None:  # an engine that declines (sympy-cse naming a condition)
        res, label = cse_engine(outs, pred, options, names), "cse"
    candidates = [(res, names, label)]
    if options.engine not in PLAIN:  # the plain-CSE engines stand alone
        terms = decompose(outs, varies_of(pred))  # None: not a polynomial system
        for rates_only in ((False, True) if terms is not None else ()):
            poly_names = Names(names_used)
            poly = monomial_program(outs, pred, poly_names, rates_only=rates_only, terms=terms)
            candidates.append((EngineResult(*poly), poly_names, "rates" if rates_only else "monomial"))
        flat_names = Names(names_used)
        flat = rates_cse_program(outs, pred, options, flat_names, terms) if terms is not None else None
        if flat is not None:
            candidates.append((flat, flat_names, "rates-cse"))
        cse_names = Names(names_used)
        plain, plain_label = sympy_cse_engine(outs, pred, options, cse_names), "sympy-cse"
        if plain is None:  # sympy.cse named a condition: our own hash-consing CSE instead
            plain, plain_label = cse_engine(outs, pred, options, cse_names), "cse"
        candidates.append((plain, cse_names, plain_label))
    best = None
    for cand, cand_names, cand_label in candidates:
        body, new_outs = _share(cand.body, cand.outputs, pred, cand_names)
        syms = {s for s, _ in body}
        ops = count_program(cand.invariants + body, new_outs, lambda a, syms=syms: a in syms or pred(a))
        if best is None or cycles(ops, options.cost) < cycles(best[3], options.cost):
            best = (cand.invariants, body, new_outs, ops, cand_label, cand_names)
    invariants, body, new_outs, ops_after, kept, names = best
    if options.schedule:
        body, new_outs = schedule(body, new_outs, names.temporary)
    report = RewriteReport(
        ops_before=_ops(ops_before),
        ops_after=_ops(ops_after),
        cost_before=cycles(ops_before, options.cost),
        cost_after=cycles(ops_after, options.cost),
        iterations=res.iterations,
        nodes=res.nodes,
        classes=res.classes,
        seconds=time.perf_counter() - t0,
        stop=res.stop,
        rules_applied=res.rules_applied,
        kept=kept,
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
