"""What a rule is, and the term views rules share.

A :class:`Rule` is data: a kebab-case name, the op of the e-nodes it looks at, and a
function from one e-node (in its class) to the terms that equal it. Rules on n-ary
associative-commutative nodes are easier to state as functions than as syntactic
patterns (tinygrad's ``PatternMatcher`` makes the same choice). ``expansive`` rules (they
may grow the graph a lot: distribution, factoring) are scheduled apart from cheap
simplifying ones; ``unsafe`` rules may change results for some inputs and run only when
:attr:`RewriteOptions.unsafe` is set. ``check`` is a sympy (lhs, rhs) pair for the test
that checks every rule numerically at random points.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..egraph import EGraph, ENode, Term

__all__ = ["Rule", "Match", "plain", "split_term", "key", "product", "total", "scaled", "mul_factors"]

Match = Callable[[EGraph, int, ENode], Iterable[Term]]


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    op: str
    apply: Match
    expansive: bool = False
    unsafe: bool = False
    check: tuple[str, str] | None = None
    doc: str = ""


def plain(eg: EGraph, c: int, op: str) -> ENode | None:
    """The first ``op`` node of class ``c`` that is not an identity form of ``c`` itself.

    Skips nodes that contain ``c`` (``x = x*1`` after ``mul-fold``) and nodes with a
    neutral child (``0`` in a sum, ``1`` in a product), so flattening and term views
    never unroll a cycle.
    """
    c = eg.find(c)
    neutral = 0.0 if op == "add" else 1.0
    for n in eg.nodes(c):
        if n[0] != op:
            continue
        if any(eg.find(k) == c or eg.const(k) == neutral for k in n[2]):
            continue
        return n
    return None


def mul_factors(eg: EGraph, c: int) -> tuple[int, ...] | None:
    """The children of the first plain ``mul`` node of class ``c`` (None if none)."""
    n = plain(eg, c, "mul")
    return None if n is None else n[2]


def split_term(eg: EGraph, c: int) -> tuple[float, tuple[int, ...], tuple[int, ...]]:
    """A summand as ``(numeric coefficient, invariant factors, varying factors)``.

    Uses the first ``mul`` node of the class; invariant factors that are themselves
    products of invariants are flattened one level so ``(D*h^-2)*u`` and ``D*h^-2*u``
    give the same invariant part.
    """
    key_ = ("split", eg.find(c))
    hit = eg.view_cache.get(key_)
    if hit is not None:
        return hit  # type: ignore[return-value]
    out = _split_term(eg, c)
    eg.view_cache[key_] = out
    return out


def _split_term(eg: EGraph, c: int) -> tuple[float, tuple[int, ...], tuple[int, ...]]:
    k = eg.const(c)
    if k is not None:
        return k, (), ()
    fs = mul_factors(eg, c)
    if fs is None:
        return (1.0, (), (c,)) if eg.varying(c) else (1.0, (c,), ())
    coef, inv, var = 1.0, [], []
    todo = list(fs)
    for f in fs:  # one level of nested products: -(4*c*e) is -4, c and e
        if eg.varying(f):
            sub = mul_factors(eg, f)
            if sub is not None and any(not eg.varying(s) for s in sub) and eg.find(f) != eg.find(c):
                todo.remove(f)
                todo.extend(sub)
    for f in todo:
        v = eg.const(f)
        if v is not None:
            coef *= v
        elif eg.varying(f):
            var.append(f)
        else:
            sub = mul_factors(eg, f)
            if sub is not None and all(not eg.varying(s) for s in sub):
                for s in sub:
                    sv = eg.const(s)
                    if sv is not None:
                        coef *= sv
                    else:
                        inv.append(eg.find(s))
            else:
                inv.append(eg.find(f))
    return coef, tuple(sorted(inv)), tuple(sorted(eg.find(v) for v in var))


def key(eg: EGraph, factors: tuple[int, ...]) -> object:
    """A grouping key for a product of factors: the class of the product when the
    graph has it (so ``x*x`` and the class it equals group together), else the factors."""
    if len(factors) == 1:
        return eg.find(factors[0])
    if not factors:
        return ()
    hit = eg.lookup(("mul", None, factors))
    return factors if hit is None else hit


def product(eg: EGraph, factors: Iterable[Term], coef: float = 1.0) -> Term:
    """The term ``coef * prod(factors)`` in its simplest shape."""
    fs = list(factors)
    if coef == 0.0:
        return ("num", 0.0, ())
    if coef != 1.0:
        fs.append(("num", coef, ()))
    if not fs:
        return ("num", 1.0, ())
    if len(fs) == 1:
        return fs[0]
    return ("mul", None, tuple(fs))


def total(terms: Iterable[Term]) -> Term:
    """The term ``sum(terms)`` in its simplest shape."""
    ts = list(terms)
    if not ts:
        return ("num", 0.0, ())
    if len(ts) == 1:
        return ts[0]
    return ("add", None, tuple(ts))


def scaled(eg: EGraph, coef: float, inv: Iterable[int], var: Iterable[int]) -> Term:
    """A summand rebuilt from :func:`split_term` parts, invariant part kept together."""
    inv = tuple(inv)
    var = tuple(var)
    if inv and var:
        return product(eg, (product(eg, inv, coef), product(eg, var)))
    return product(eg, inv + var, coef)
