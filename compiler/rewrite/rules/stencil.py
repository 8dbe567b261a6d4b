"""Stencil factoring: common loop-invariant coefficients of neighbour sums.

A discretised diffusion term arrives expanded as ``D/h^2*u[i+1] + D/h^2*u[i-1] + ...
- 4*D/h^2*u[i]``; grouping the summands by their invariant coefficient (up to a number)
gives ``(D/h^2)*(u[i+1] + u[i-1] + ... - 4*u[i])``: one multiplication by a hoisted
invariant per group instead of one per neighbour (the "coefficient hoisting" of
Devito's and pystencils' stencil optimisations; Louboutin et al., GMD 2019, §4).
Collecting the invariant coefficients of one varying factor
(``a*u + b*u -> (a + b)*u``, ``a + b`` hoisted) is the companion rule.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from ..egraph import EGraph, ENode
from .base import Rule, key, product, scaled, split_term, total


def factor_invariant(eg: EGraph, cid: int, node: ENode):
    """c*a + c*b - 4*c*e + r -> c*(a + b - 4*e) + r for a loop-invariant c."""
    if not eg.varying(cid) or len(node[2]) < 2:
        return
    groups: dict[object, list] = defaultdict(list)
    invs: dict[object, tuple[int, ...]] = {}
    rest = []
    for c in node[2]:
        coef, inv, var = split_term(eg, c)
        if var and (inv or abs(coef) != 1.0):
            k = key(eg, inv)
            groups[k].append((coef, var))
            invs.setdefault(k, inv)
        else:
            rest.append(c)
    if not any(len(g) >= 2 for g in groups.values()):
        return
    terms = list(rest)
    for k, members in groups.items():
        inv = invs[k]
        if len(members) < 2:
            coef, var = members[0]
            terms.append(scaled(eg, coef, inv, var))
            continue
        # factor out the most common coefficient so the inner sum is mostly +-1
        g = Counter(abs(k) for k, _ in members).most_common(1)[0][0]
        inner = total(product(eg, var, k / g) for k, var in members)
        terms.append(product(eg, [product(eg, inv, g), inner]))
    yield total(terms)


def collect_invariant(eg: EGraph, cid: int, node: ENode):
    """a*u + b*u -> (a + b)*u for loop-invariant a, b (their sum is hoisted)."""
    if not eg.varying(cid):
        return
    groups: dict[object, list] = defaultdict(list)
    vars_: dict[object, tuple[int, ...]] = {}
    for c in node[2]:
        coef, inv, var = split_term(eg, c)
        k = key(eg, var)
        groups[k].append((coef, inv))
        vars_.setdefault(k, var)
    if len(groups) == len(node[2]):
        return
    terms = []
    for k, members in groups.items():
        var = vars_[k]
        if len(members) == 1:
            coef, inv = members[0]
            terms.append(scaled(eg, coef, inv, var))
        elif not var:
            terms.append(total(product(eg, inv, k) for k, inv in members))
        else:
            coeff = total(product(eg, inv, k) for k, inv in members)
            terms.append(product(eg, [coeff, product(eg, var)]))
    yield total(terms)


RULES: tuple[Rule, ...] = (
    Rule(
        "factor-invariant",
        "add",
        factor_invariant,
        check=("c*a + c*b - 4*c*e + r", "c*(a + b - 4*e) + r"),
    ),
    Rule("collect-invariant", "add", collect_invariant, check=("k*u + m*u + w", "(k + m)*u + w")),
)
