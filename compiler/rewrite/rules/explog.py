"""exp/log/trig identities that are safe in floating point, and a few that are not.

Safe (equal up to rounding for every finite input whose results are finite):
``exp(a)*exp(b) -> exp(a+b)``, ``exp(a)/exp(b) -> exp(a-b)``, ``exp(a)^n -> exp(n*a)``,
``exp(-a) -> 1/exp(a)``, ``sin(x)^2 + cos(x)^2 -> 1``, ``tan(x) -> sin(x)/cos(x)`` and
``sqrt(x^2) -> |x|``. Unsafe (off unless ``RewriteOptions.unsafe``): ``log(exp(x)) -> x``
(overflow), ``exp(log(x)) -> x`` (x <= 0), ``log(a) + log(b) -> log(a*b)`` (overflow).
"""

from __future__ import annotations

from ..egraph import EGraph, ENode
from .base import Rule, product, split_term, total


def _fn_arg(eg: EGraph, c: int, name: str) -> int | None:
    for n in eg.nodes(c):
        if n[0] == "fn" and n[1] == name:
            return n[2][0]
    return None


def exp_product(eg: EGraph, cid: int, node: ENode):
    """exp(a)*exp(b)*c -> exp(a+b)*c: one exp instead of two."""
    args, rest = [], []
    for c in node[2]:
        a = _fn_arg(eg, c, "exp")
        (args if a is not None else rest).append(a if a is not None else c)
    if len(args) >= 2:
        yield product(eg, rest + [("fn", "exp", (total(args),))])


def exp_quotient(eg: EGraph, cid: int, node: ENode):
    """exp(a)/exp(b) -> exp(a-b)."""
    a = _fn_arg(eg, node[2][0], "exp")
    b = _fn_arg(eg, node[2][1], "exp")
    if a is not None and b is not None:
        yield ("fn", "exp", (("add", None, (a, ("mul", None, (("num", -1.0, ()), b)))),))


def exp_power(eg: EGraph, cid: int, node: ENode):
    """exp(a)^n -> exp(n*a)."""
    a = _fn_arg(eg, node[2][0], "exp")
    if a is not None:
        yield ("fn", "exp", (("mul", None, (("num", node[1], ()), a)),))


def exp_negative(eg: EGraph, cid: int, node: ENode):
    """exp(-a) -> 1/exp(a), worth it when exp(a) is computed anyway."""
    if node[1] != "exp":
        return
    coef, inv, var = split_term(eg, node[2][0])
    if coef < 0 and var:
        from .base import scaled

        yield ("div", None, (("num", 1.0, ()), ("fn", "exp", (scaled(eg, -coef, inv, var),))))


def pythagoras(eg: EGraph, cid: int, node: ENode):
    """sin(x)^2 + cos(x)^2 + r -> 1 + r."""
    squares: dict[tuple[str, int], int] = {}
    for i, c in enumerate(node[2]):
        p = eg.first(c, "pow")
        if p is not None and p[1] == 2.0:
            for name in ("sin", "cos"):
                a = _fn_arg(eg, p[2][0], name)
                if a is not None:
                    squares[(name, eg.find(a))] = i
    for (name, a), i in squares.items():
        j = squares.get(("cos", a)) if name == "sin" else None
        if j is not None:
            rest = [c for k, c in enumerate(node[2]) if k not in (i, j)]
            yield total(rest + [("num", 1.0, ())])
            return


def tan_ratio(eg: EGraph, cid: int, node: ENode):
    """tan(x) -> sin(x)/cos(x) (cheaper when sin and cos are computed anyway)."""
    if node[1] == "tan":
        x = node[2][0]
        yield ("div", None, (("fn", "sin", (x,)), ("fn", "cos", (x,))))


def sqrt_square(eg: EGraph, cid: int, node: ENode):
    """sqrt(x^2) -> |x|."""
    if node[1] == "sqrt":
        p = eg.first(node[2][0], "pow")
        if p is not None and p[1] == 2.0:
            yield ("fn", "abs", p[2])


def log_exp(eg: EGraph, cid: int, node: ENode):
    """log(exp(x)) -> x and exp(log(x)) -> x (unsafe: overflow, x <= 0)."""
    inner = {"log": "exp", "exp": "log"}.get(node[1])
    if inner is not None:
        a = _fn_arg(eg, node[2][0], inner)
        if a is not None:
            yield a


def log_sum(eg: EGraph, cid: int, node: ENode):
    """log(a) + log(b) -> log(a*b) (unsafe: a*b may overflow)."""
    args, rest = [], []
    for c in node[2]:
        a = _fn_arg(eg, c, "log")
        (args if a is not None else rest).append(a if a is not None else c)
    if len(args) >= 2:
        yield total(rest + [("fn", "log", (product(eg, args),))])


RULES: tuple[Rule, ...] = (
    Rule("exp-product", "mul", exp_product, check=("exp(a)*exp(b)*c", "exp(a + b)*c")),
    Rule("exp-quotient", "div", exp_quotient, check=("exp(a)/exp(b)", "exp(a - b)")),
    Rule("exp-power", "pow", exp_power, check=("exp(a)**3", "exp(3*a)")),
    Rule("exp-negative", "fn", exp_negative, check=("exp(-2*a)", "1/exp(2*a)")),
    Rule("sin-cos-pythagoras", "add", pythagoras, check=("sin(a)**2 + cos(a)**2 + b", "1 + b")),
    Rule("tan-ratio", "fn", tan_ratio, check=("tan(a)", "sin(a)/cos(a)")),
    Rule("sqrt-square", "fn", sqrt_square, check=("sqrt(a**2)", "Abs(a)")),
    Rule("log-exp", "fn", log_exp, unsafe=True, check=("log(exp(a))", "a")),
    Rule("log-sum", "add", log_sum, unsafe=True, check=("log(a) + log(b)", "log(a*b)")),
)
