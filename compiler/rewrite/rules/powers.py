"""Powers: x*x <-> x^2, integer powers by repeated squaring (Knuth, TAOCP vol. 2,
§4.6.3), negative powers as one division, half-integer powers through ``sqrt``.

``x^a * x^b -> x^(a+b)`` is exact for integer exponents of one sign; when the signs
differ (a cancellation such as ``x * x^-1``) it needs the non-zero analysis.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from ..egraph import EGraph, ENode
from .base import Rule, product


def _is_int(v: float) -> bool:
    return float(v).is_integer() and abs(v) < 2**31


def _base_exp(eg: EGraph, c: int) -> tuple[int, float]:
    p = eg.first(c, "pow")
    if p is not None and _is_int(p[1]):
        return eg.find(p[2][0]), float(p[1])
    return eg.find(c), 1.0


def mul_powers(eg: EGraph, cid: int, node: ENode):
    """x*x -> x^2; x^2*x^3 -> x^5; x*x^-1 -> 1 only when x is proved non-zero."""
    groups: dict[int, list[float]] = defaultdict(list)
    for c in node[2]:
        if eg.const(c) is not None:
            groups[eg.find(c)].append(1.0)
            continue
        b, e = _base_exp(eg, c)
        groups[b].append(e)
    if len(groups) == len(node[2]):
        return
    factors = []
    for b, exps in groups.items():
        if len(exps) == 1:
            factors.append(("pow", exps[0], (b,)) if exps[0] != 1.0 else b)
            continue
        if eg.const(b) is not None:
            factors.extend([b] * len(exps))
            continue
        mixed = any(e < 0 for e in exps) and any(e > 0 for e in exps)
        if mixed and not eg.nonzero(b):
            return
        s = sum(exps)
        if s == 0.0:
            continue
        factors.append(b if s == 1.0 else ("pow", s, (b,)))
    yield product(eg, factors)


def square_to_mul(eg: EGraph, cid: int, node: ENode):
    """x^2 -> x*x (so that distribution sees the product)."""
    if node[1] == 2.0:
        b = node[2][0]
        yield ("mul", None, (b, b))


def repeated_squaring(eg: EGraph, cid: int, node: ENode):
    """x^(2k) -> (x^k)^2 and x^(2k+1) -> x * x^(2k): shares the partial powers."""
    n = node[1]
    b = node[2][0]
    if not _is_int(n) or n < 3:
        return
    n = int(n)
    if n % 2 == 0:
        yield ("pow", 2.0, (("pow", float(n // 2), (b,)),))
    else:
        yield ("mul", None, (b, ("pow", float(n - 1), (b,))))


def pow_trivial(eg: EGraph, cid: int, node: ENode):
    """x^1 -> x and x^0 -> 1."""
    if node[1] == 1.0:
        yield node[2][0]
    elif node[1] == 0.0:
        yield ("num", 1.0, ())


def pow_negative(eg: EGraph, cid: int, node: ENode):
    """x^-n -> 1/x^n: one division."""
    n = node[1]
    if n < 0 and eg.varying(cid):
        b = node[2][0]
        yield ("div", None, (("num", 1.0, ()), b if n == -1.0 else ("pow", -n, (b,))))


def pow_half(eg: EGraph, cid: int, node: ENode):
    """x^(1/2) -> sqrt(x), x^(3/2) -> x*sqrt(x), x^(-1/2) -> 1/sqrt(x)."""
    n = node[1]
    b = node[2][0]
    if _is_int(n) or not _is_int(2 * n):
        return
    root = ("fn", "sqrt", (b,))
    k = int(abs(n) - 0.5)
    mag = root if k == 0 else ("mul", None, (root, b if k == 1 else ("pow", float(k), (b,))))
    yield mag if n > 0 else ("div", None, (("num", 1.0, ()), mag))


def pow_split(eg: EGraph, cid: int, node: ENode):
    """x^(4/3) -> x * x^(1/3): the fractional power can be shared (x^a for x < 0 and
    non-integer a is NaN either way)."""
    n = node[1]
    if _is_int(n) or _is_int(2 * n) or abs(n) <= 1 or abs(n) > 64:
        return
    whole = float(int(n))  # towards zero
    q = Fraction(n).limit_denominator(4096)
    frac = float(q - int(q)) if float(q) == n else n - whole  # 4/3 - 1 is exactly 1/3
    b = node[2][0]
    rest = ("pow", frac, (b,))
    yield ("mul", None, (b if whole == 1.0 else ("pow", whole, (b,)), rest))


def pow_of_pow(eg: EGraph, cid: int, node: ENode):
    """(x^a)^b -> x^(a*b) for integers a, b."""
    inner = eg.first(node[2][0], "pow")
    if inner is not None and _is_int(inner[1]) and _is_int(node[1]):
        yield ("pow", inner[1] * node[1], inner[2])


def pow_of_mul(eg: EGraph, cid: int, node: ENode):
    """(a*b)^n -> a^n * b^n for an integer n."""
    n = node[1]
    inner = eg.first(node[2][0], "mul")
    if inner is not None and _is_int(n) and len(inner[2]) <= 8:
        yield ("mul", None, tuple(("pow", n, (c,)) for c in inner[2]))


RULES: tuple[Rule, ...] = (
    Rule("mul-powers", "mul", mul_powers, check=("x*x*y*x**3", "x**5*y")),
    Rule("square-to-mul", "pow", square_to_mul, check=("x**2", "x*x")),
    Rule("repeated-squaring", "pow", repeated_squaring, check=("x**6", "(x**3)**2")),
    Rule("pow-trivial", "pow", pow_trivial, check=("x**1", "x")),
    Rule("pow-negative", "pow", pow_negative, check=("x**-3", "1/x**3")),
    Rule("pow-half", "pow", pow_half, check=("x**1.5", "x*sqrt(x)")),
    Rule("pow-split", "pow", pow_split, check=("x**2.25", "x**2*x**0.25")),
    Rule("pow-of-pow", "pow", pow_of_pow, check=("(x**2)**3", "x**6")),
    Rule("pow-of-mul", "pow", pow_of_mul, expansive=True, check=("(a*b)**3", "a**3*b**3")),
)
