"""Algebra: identities, constant folding, collecting like terms, cancellation,
distribution and factoring, and the splits that let products be shared.

Constant folding itself is the e-class analysis (:class:`eqc.compiler.rewrite.egraph.Facts`);
the rules here fold the numeric children of n-ary nodes. ``x/x -> 1`` fires only when the
non-zero analysis proves ``x != 0``. ``0*x -> 0`` assumes ``x`` finite (as every
optimising compiler under ``-ffinite-math`` does).
"""

from __future__ import annotations

from collections import defaultdict

from ..egraph import EGraph, ENode
from .base import Rule, key, plain, product, scaled, split_term, total


def _numeric(eg: EGraph, ch: tuple[int, ...]) -> tuple[list[float], list[int]]:
    nums, rest = [], []
    for c in ch:
        v = eg.const(c)
        if v is None:
            rest.append(c)
        else:
            nums.append(v)
    return nums, rest


def add_fold(eg: EGraph, cid: int, node: ENode):
    """x + 0 -> x; 2 + 3 + x -> 5 + x."""
    nums, rest = _numeric(eg, node[2])
    if len(nums) >= 2 or (nums and sum(nums) == 0.0):
        s = sum(nums)
        yield total(rest + ([("num", s, ())] if s != 0.0 else []))


def mul_fold(eg: EGraph, cid: int, node: ENode):
    """x * 1 -> x; 2 * 3 * x -> 6 * x; 0 * x -> 0."""
    nums, rest = _numeric(eg, node[2])
    if len(nums) >= 2 or (nums and nums[0] in (0.0, 1.0)):
        p = 1.0
        for v in nums:
            p *= v
        yield product(eg, rest, p)


def collect_like_terms(eg: EGraph, cid: int, node: ENode):
    """2*x + 3*x -> 5*x; x - x -> 0 (numeric coefficients only)."""
    groups: dict[tuple, list] = defaultdict(list)
    parts: dict[tuple, tuple] = {}
    for c in node[2]:
        coef, inv, var = split_term(eg, c)
        k = (key(eg, inv), key(eg, var))
        groups[k].append(coef)
        parts.setdefault(k, (inv, var))
    if len(groups) == len(node[2]):
        return
    terms = []
    for k, coefs in groups.items():
        inv, var = parts[k]
        s = sum(coefs)
        if s != 0.0 and (inv or var):
            terms.append(scaled(eg, s, inv, var))
        elif s != 0.0:
            terms.append(("num", s, ()))
    yield total(terms)


def split_coefficient(eg: EGraph, cid: int, node: ENode):
    """-2*k*a*b -> -2*(k*a*b): the product without its number can be shared."""
    nums, rest = _numeric(eg, node[2])
    if nums and len(rest) >= 2:
        p = 1.0
        for v in nums:
            p *= v
        yield product(eg, [("mul", None, tuple(rest))], p)


def split_invariant(eg: EGraph, cid: int, node: ENode):
    """k*a*b -> k*(a*b) with k loop-invariant: the varying product can be shared."""
    nums, rest = _numeric(eg, node[2])
    inv = [c for c in rest if not eg.varying(c)]
    var = [c for c in rest if eg.varying(c)]
    if (inv or nums) and len(var) >= 2:
        p = 1.0
        for v in nums:
            p *= v
        yield product(eg, inv + [("mul", None, tuple(var))], p)
    if len(inv) + bool(nums) >= 2 and var:
        p = 1.0
        for v in nums:
            p *= v
        yield product(eg, [product(eg, inv, p)] + var)


def add_flatten(eg: EGraph, cid: int, node: ENode):
    """a + (b + c) -> a + b + c (numbers folded on the way, so cycles such as
    ``x = -(-x)`` cannot unroll into ever longer nodes)."""
    out, changed = [], False
    for c in node[2]:
        inner = plain(eg, c, "add") if eg.find(c) != eg.find(cid) else None
        if inner is not None and eg.find(cid) not in map(eg.find, inner[2]):
            out.extend(inner[2])
            changed = True
        else:
            out.append(c)
    if changed and len(out) <= 64:
        nums, rest = _numeric(eg, tuple(out))
        s = sum(nums)
        yield total(rest + ([("num", s, ())] if s != 0.0 else []))


def mul_flatten(eg: EGraph, cid: int, node: ENode):
    """a * (b * c) -> a * b * c."""
    out, changed = [], False
    for c in node[2]:
        inner = plain(eg, c, "mul") if eg.find(c) != eg.find(cid) else None
        if inner is not None and eg.find(cid) not in map(eg.find, inner[2]):
            out.extend(inner[2])
            changed = True
        else:
            out.append(c)
    if changed and len(out) <= 32:
        nums, rest = _numeric(eg, tuple(out))
        p = 1.0
        for v in nums:
            p *= v
        yield product(eg, rest, p)


def distribute(eg: EGraph, cid: int, node: ENode):
    """a * (b + c) -> a*b + a*c (over the first varying sum among the factors)."""
    if not eg.varying(cid):
        return
    ch = list(node[2])
    for i, c in enumerate(ch):
        inner = plain(eg, c, "add")
        if inner is not None and eg.varying(c) and len(inner[2]) <= 32:
            others = ch[:i] + ch[i + 1 :]
            yield total(product(eg, others + [t]) for t in inner[2])
            return


def _divisors(eg: EGraph, var: tuple[int, ...]) -> dict[int, list]:
    """The varying factors ``f`` of a product of ``var``, each with the remaining
    factors: ``f`` itself, a factor of a factor's product, the base of a power."""
    out: dict[int, list] = {}
    for i, v in enumerate(var):
        others = list(var[:i] + var[i + 1 :])
        out.setdefault(eg.find(v), others)
        inner = plain(eg, v, "mul")
        if inner is not None:
            for j, f in enumerate(inner[2]):
                if eg.varying(f):
                    out.setdefault(eg.find(f), others + list(inner[2][:j] + inner[2][j + 1 :]))
        for n in eg.nodes(v):
            if n[0] == "pow" and float(n[1]).is_integer() and n[1] >= 2:
                rest = n[2][0] if n[1] == 2 else ("pow", n[1] - 1, n[2])
                out.setdefault(eg.find(n[2][0]), others + [rest])
    return out


def factor_common(eg: EGraph, cid: int, node: ENode):
    """a*b + a*c + d -> a*(b + c) + d and u*k - u^3 -> u*(k - u^2), for the varying
    factor shared by most summands."""
    if not eg.varying(cid) or len(node[2]) < 2:
        return
    parts = [split_term(eg, c) for c in node[2]]
    divs = [_divisors(eg, var) for _, _, var in parts]
    counts: dict[int, int] = defaultdict(int)
    for d in divs:
        for f in d:
            counts[f] += 1
    best = max(counts.items(), key=lambda kv: (kv[1], -kv[0]), default=None)
    if best is None or best[1] < 2:
        return
    f = best[0]
    inside, outside = [], []
    for c, (coef, inv, _), d in zip(node[2], parts, divs, strict=True):
        if f in d:
            rest = d[f]
            inside.append(scaled(eg, coef, inv, rest) if (inv or rest) else ("num", coef, ()))
        else:
            outside.append(c)
    yield total(outside + [product(eg, [f, total(inside)])])


def div_invariant(eg: EGraph, cid: int, node: ENode):
    """a / k -> a * (1/k) for a loop-invariant k: the reciprocal is hoisted."""
    a, b = node[2]
    if not eg.varying(b):
        yield ("mul", None, (a, ("pow", -1.0, (b,))))


def div_cancel(eg: EGraph, cid: int, node: ENode):
    """x / x -> 1 and (x*y) / x -> y when x is proved non-zero."""
    a, b = node[2]
    if eg.find(a) == eg.find(b) and eg.nonzero(b):
        yield ("num", 1.0, ())
        return
    fs = eg.first(a, "mul")
    if fs is not None and eg.nonzero(b):
        rest = list(fs[2])
        fb = eg.find(b)
        for i, f in enumerate(rest):
            if eg.find(f) == fb:
                del rest[i]
                yield product(eg, rest)
                return


def div_nested(eg: EGraph, cid: int, node: ENode):
    """(a/b)/c -> a/(b*c) and a/(b/c) -> (a*c)/b: one division instead of two."""
    a, b = node[2]
    inner = eg.first(a, "div")
    if inner is not None:
        yield ("div", None, (inner[2][0], ("mul", None, (inner[2][1], b))))
    inner = eg.first(b, "div")
    if inner is not None:
        yield ("div", None, (("mul", None, (a, inner[2][1])), inner[2][0]))


def mul_of_div(eg: EGraph, cid: int, node: ENode):
    """a * (b/c) -> (a*b)/c."""
    ch = list(node[2])
    for i, c in enumerate(ch):
        inner = eg.first(c, "div")
        if inner is not None and eg.varying(inner[2][1]):
            others = ch[:i] + ch[i + 1 :]
            yield ("div", None, (product(eg, others + [inner[2][0]]), inner[2][1]))
            return


def common_denominator(eg: EGraph, cid: int, node: ENode):
    """a/d + b/d -> (a + b)/d."""
    groups: dict[int, list[int]] = defaultdict(list)
    rest = []
    for c in node[2]:
        d = eg.first(c, "div")
        if d is not None and eg.varying(d[2][1]):
            groups[eg.find(d[2][1])].append(d[2][0])
        else:
            rest.append(c)
    if not any(len(v) >= 2 for v in groups.values()):
        return
    terms: list = list(rest)
    for d, nums in groups.items():
        terms.append(("div", None, (total(nums), d)))
    yield total(terms)


RULES: tuple[Rule, ...] = (
    Rule("add-fold", "add", add_fold, check=("x + 0 + 2 + 3", "x + 5")),
    Rule("mul-fold", "mul", mul_fold, check=("x*1*2*3", "6*x")),
    Rule("collect-like-terms", "add", collect_like_terms, check=("2*x*y + 3*x*y - y", "5*x*y - y")),
    Rule("split-coefficient", "mul", split_coefficient, check=("-2*k*a*b", "-2*(k*a*b)")),
    Rule("split-invariant", "mul", split_invariant, check=("k*a*b", "k*(a*b)")),
    Rule("add-flatten", "add", add_flatten, check=("a + (b + c)", "a + b + c")),
    Rule("mul-flatten", "mul", mul_flatten, check=("a*(b*c)", "a*b*c")),
    Rule("div-invariant", "div", div_invariant, check=("a/k", "a*(1/k)")),
    Rule("div-cancel", "div", div_cancel, check=("(x*y)/x", "y")),
    Rule("div-nested", "div", div_nested, check=("(a/b)/d", "a/(b*d)")),
    Rule("mul-of-div", "mul", mul_of_div, check=("a*(b/d)", "(a*b)/d")),
    Rule("distribute", "mul", distribute, expansive=True, check=("a*(b + c)", "a*b + a*c")),
    Rule("factor-common", "add", factor_common, expansive=True, check=("a*b + a*c + d", "a*(b + c) + d")),
    Rule("common-denominator", "add", common_denominator, expansive=True, check=("a/d + b/d", "(a + b)/d")),
)
