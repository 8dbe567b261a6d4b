"""Polynomial systems with invariant coefficients: one product per distinct coefficient.

A mass-action reaction network (and any right-hand side that is a sum of monomials of
varying atoms with loop-invariant coefficients) reads ``y_i = sum_m C_im * m`` with
``C_im = sum_j nu_ij k_j`` (Feinberg, *Foundations of Chemical Reaction Network Theory*,
2019, ch. 2). Per monomial ``m`` the products ``beta * m`` to compute are chosen
exactly (small cases enumerated) among the *rates* ``k_j * m`` (shared by every species
a reaction touches) and the *columns* ``C_im * m`` (one per distinct coefficient up to a
numeric factor, shared by species with equal columns), minimising multiplications plus
terms in the species sums; the sums are then shared by :mod:`.share`. This is the
polynomial factoring view of Hosangadi, Fallah and Kastner (*Optimizing polynomial
expressions by algebraic factorization and common subexpression elimination*, IEEE TCAD
25(10), 2006) restricted to one level: co-kernels are the monomials, kernels invariant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

import sympy as sp

from .emit import Hoisted

__all__ = ["Term", "decompose", "varies_of", "plan_monomial", "monomial_program", "product_sums"]

Monomial = tuple[tuple[sp.Basic, int], ...]
Vector = tuple[tuple[sp.Expr, sp.Rational], ...]


@dataclass(frozen=True, slots=True)
class Term:
    """One term ``num * inv * mono`` of output ``out`` (``inv`` an invariant product)."""

    out: int
    num: sp.Rational
    inv: sp.Expr
    mono: Monomial


def _term(out: int, t: sp.Expr, varies: Callable[[sp.Basic], bool]) -> Term | None:
    num, inv, mono = sp.Integer(1), [], defaultdict(int)
    for f in sp.Mul.make_args(t):
        if f.is_Rational:
            num *= f
        elif not varies(f):
            inv.append(f)
        elif isinstance(f, sp.Indexed | sp.Symbol):
            mono[f] += 1
        elif isinstance(f, sp.Pow) and f.exp.is_Integer and f.exp > 0 and isinstance(f.base, sp.Indexed | sp.Symbol):
            mono[f.base] += int(f.exp)
        else:
            return None
    return Term(out, num, sp.Mul(*inv), tuple(sorted(mono.items(), key=lambda p: str(p[0]))))


def decompose(outputs: Sequence[sp.Expr], varies: Callable[[sp.Basic], bool]) -> list[Term] | None:
    """The terms of ``outputs`` when every output is such a sum, else ``None``."""
    terms = []
    for i, o in enumerate(outputs):
        for t in sp.Add.make_args(o):
            if t == 0:
                continue
            term = _term(i, t, varies)
            if term is None:
                return None
            terms.append(term)
    return terms


def _normal(vec: dict[sp.Expr, sp.Rational]) -> tuple[sp.Rational, Vector]:
    """``vec = scale * normal`` with the first entry of ``normal`` equal to 1."""
    items = sorted(vec.items(), key=lambda p: str(p[0]))
    scale = items[0][1]
    return scale, tuple((k, v / scale) for k, v in items)


def _term_cost(num: sp.Rational) -> int:
    return 1 if abs(num) == 1 else 2  # an add, and a multiplication by the number


_ONE = sp.Integer(1)
_UNIT: Vector = ((_ONE, _ONE),)  # the monomial itself: no multiplication


def _rate(k: sp.Expr) -> Vector:
    return ((k, _ONE),)


def _assign(columns, col_norm, chosen: frozenset[Vector]):
    """Each output's cheapest use of the ``chosen`` products: ``(cost, uses)``, or
    ``(None, None)`` when some output cannot be formed from them."""
    total = sum(1 for c in chosen if c != _UNIT)
    uses: dict[int, list[tuple[sp.Rational, Vector]]] = {}
    for out, vec in columns.items():
        scale, normal = col_norm[out]
        via_col = _term_cost(scale) if normal in chosen else None
        via_rates = sum(_term_cost(v) for v in vec.values()) if all(_rate(k) in chosen for k in vec) else None
        if via_col is None and via_rates is None:
            return None, None
        if via_col is not None and (via_rates is None or via_col <= via_rates):
            total += via_col
            uses[out] = [(scale, normal)]
        else:
            total += via_rates
            uses[out] = [(v, _rate(k)) for k, v in vec.items()]
    return total, uses


def plan_monomial(columns: dict[int, dict[sp.Expr, sp.Rational]], max_candidates: int = 10, rates_only: bool = False):
    """For one monomial with coefficient ``columns[out] = {inv: num}``: the products
    ``beta * m`` to compute and how each output uses them, ``(products, uses)`` with
    ``uses[out] = [(num, product), ...]`` and each product a normalised vector.

    Multiplications plus terms are minimised over every subset of the candidate
    products (the rates and the distinct normalised columns) when there are at most
    ``max_candidates``, else over "all rates" and "all columns"; ``rates_only``: the rates."""
    col_norm = {out: _normal(vec) for out, vec in columns.items()}
    rates = list(dict.fromkeys(_rate(k) for vec in columns.values() for k in vec))
    cols = list(dict.fromkeys(n for _, n in col_norm.values()))
    cands = list(dict.fromkeys(rates + cols))
    if rates_only:
        subsets = iter((frozenset(rates),))
    elif len(cands) <= max_candidates:
        subsets = (frozenset(c) for r in range(1, len(cands) + 1) for c in combinations(cands, r))
    else:
        subsets = iter((frozenset(rates), frozenset(cols)))
    best = (None, None, None)
    for chosen in subsets:
        cost, uses = _assign(columns, col_norm, chosen)
        if cost is not None and (best[0] is None or cost < best[0]):
            best = (cost, chosen, uses)
    _, chosen, uses = best
    used = list(dict.fromkeys(p for us in uses.values() for _, p in us))
    return used, uses


def _mono_expr(mono: Monomial) -> sp.Expr:
    return sp.Mul(*(a**e for a, e in mono))


def varies_of(varying: Callable[[sp.Basic], bool]) -> Callable[[sp.Basic], bool]:
    """``varying`` (a predicate on atoms) extended to expressions, memoised."""
    memo: dict[sp.Basic, bool] = {}

    def varies(e: sp.Basic) -> bool:
        hit = memo.get(e)
        if hit is None:
            leaf = isinstance(e, sp.Indexed | sp.Symbol) or not e.args
            hit = memo[e] = bool(varying(e)) if leaf else any(varies(a) for a in e.args)
        return hit

    return varies


def product_sums(outputs: Sequence[sp.Expr], varying: Callable[[sp.Basic], bool], terms: list[Term] | None = None):
    """``(products, rows, shared)`` of a polynomial system, or ``None`` when it is not
    one: the distinct products ``inv * m`` of its terms (a reaction's rate ``k*a*b``;
    reactions with the same constant and reactants are one product); per output, the sum
    ``{product index (or -1 for the invariant part): factor}`` over them; and whether an
    invariant factor other than 1 appears in more than one product (rate constants that
    repeat, so products may share ``k*a``). ``terms``: ``decompose``'s, when known."""
    if terms is None:
        terms = decompose(outputs, varies_of(varying))
    if terms is None:
        return None
    index: dict[sp.Expr, int] = {}
    invs: dict[sp.Expr, sp.Expr] = {}
    rows: list[dict[int, sp.Expr]] = [{} for _ in outputs]
    for t in terms:
        if not t.mono:
            rows[t.out][-1] = rows[t.out].get(-1, 0) + t.num * t.inv
            continue
        product = t.inv * _mono_expr(t.mono)
        k = index.setdefault(product, len(index))
        invs[product] = t.inv
        rows[t.out][k] = rows[t.out].get(k, 0) + t.num
    factors = [f for inv in invs.values() for f in set(sp.Mul.make_args(inv)) if f != 1]
    shared = len(set(factors)) < len(factors)
    return list(index), [{k: v for k, v in r.items() if v != 0} for r in rows], shared


def monomial_program(outputs: Sequence[sp.Expr], varying: Callable[[sp.Basic], bool], names, rates_only: bool = False,
                     terms: list[Term] | None = None):
    """``(invariants, body, outputs)`` for a polynomial system, or ``None`` when an output
    is not a sum of invariant-coefficient monomials. ``varying`` is the predicate on
    atoms; ``names`` gives fresh invariant and temporary symbols. ``rates_only``: every
    product a rate ``k_j * m`` (no merged columns), which keeps the sums that pair sharing
    combines best when reactions come in forward/backward pairs: the net flux
    ``k_f*m_f - k_b*m_b`` is then one shared pair in every species the pair touches.
    ``terms``: ``decompose``'s, when known."""
    if terms is None:
        terms = decompose(outputs, varies_of(varying))
    if terms is None:
        return None
    by_mono: dict[Monomial, dict[int, dict[sp.Expr, sp.Rational]]] = defaultdict(lambda: defaultdict(dict))
    rest: list[list[sp.Expr]] = [[] for _ in outputs]
    for t in terms:
        if not t.mono:  # an invariant term
            rest[t.out].append(t.num * t.inv)
            continue
        col = by_mono[t.mono][t.out]
        col[t.inv] = col.get(t.inv, 0) + t.num
        if col[t.inv] == 0:
            del col[t.inv]
    invariant = Hoisted(names)
    body: list[tuple[sp.Symbol, sp.Expr]] = []

    for mono, cols in by_mono.items():
        cols = {o: v for o, v in cols.items() if v}
        if not cols:
            continue
        products, uses = plan_monomial(cols, rates_only=rates_only)
        m = _mono_expr(mono)
        if len(products) > 1 and not isinstance(m, sp.Indexed | sp.Symbol):
            msym = names.temporary()
            body.append((msym, m))
            m = msym
        psyms = {}
        for vec in products:
            beta = invariant(sp.Add(*(v * k for k, v in vec)))
            if beta == 1:
                psyms[vec] = m
                continue
            p = names.temporary()
            body.append((p, beta * m))
            psyms[vec] = p
        for out, us in uses.items():
            for num, vec in us:
                rest[out].append(num * psyms[vec])
    return tuple(invariant.items), tuple(body), tuple(sp.Add(*r) for r in rest)
