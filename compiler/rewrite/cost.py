"""The per-grid-point cycle cost of sympy expressions and programs.

One counter, used for every column of ``benchmarks/egraph.py`` and for the rewrite
report, so the original, ``sympy.cse``'s output and ours are measured the same way:

* loop-invariant subexpressions are free (hoisted out of the point loop); in an n-ary sum
  or product all invariant operands together count as one operand (a compiler hoists
  their combination), so no method is credited for trivial hoisting;
* ``a + (-1)*b`` is one subtraction (negation is fused, cost ``neg``);
* ``a*b/(c*d)`` is one multiplication above, one below and one division;
* ``x**n`` for integer ``n`` costs the multiplications of repeated squaring
  (``floor(log2 n) + popcount(n) - 1``, Knuth TAOCP 4.6.3), a negative one adds a division;
  half-integer powers use ``sqrt``; any other power is a general ``pow``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

import sympy as sp

from .options import CostTable

__all__ = ["squarings", "pow_ops", "count_ops", "count_program", "cycles", "cse_cost", "cse_ops", "cse_program", "FUNCTION_KINDS"]

Varying = Callable[[sp.Basic], bool]

FUNCTION_KINDS: dict[type, str] = {
    sp.exp: "exp",
    sp.log: "log",
    sp.sin: "sin",
    sp.cos: "cos",
    sp.tan: "tan",
    sp.tanh: "tanh",
    sp.sinh: "sinh",
    sp.cosh: "cosh",
    sp.Abs: "abs",
    sp.sign: "sign",
}


def squarings(n: int) -> int:
    """Multiplications to raise to the integer power ``n >= 1`` by repeated squaring."""
    return n.bit_length() - 1 + bin(n).count("1") - 1


def pow_ops(exponent: float) -> Counter:
    """The operations of ``x**exponent`` for a numeric exponent."""
    ops: Counter = Counter()
    e = float(exponent)
    if e == int(e) and abs(e) < 2**31:
        n = int(e)
        if n == 0 or n == 1:
            return ops
        if n < 0:
            ops["div"] += 1
            n = -n
        if n > 1:
            ops["mul"] += squarings(n)
        return ops
    if 2 * e == int(2 * e) and abs(e) < 2**30:
        ops["sqrt"] += 1
        n = int(abs(e) - 0.5)
        if n:
            ops["mul"] += squarings(n) + 1
        if e < 0:
            ops["div"] += 1
        return ops
    ops["pow"] += 1
    return ops


class _Counter:
    def __init__(self, varying: Varying):
        self.varying_atom = varying
        self.memo: dict[sp.Basic, bool] = {}

    def varies(self, e: sp.Basic) -> bool:
        hit = self.memo.get(e)
        if hit is not None:
            return hit
        if isinstance(e, sp.Indexed) or not e.args or isinstance(e, sp.Symbol):
            v = bool(self.varying_atom(e))
        elif isinstance(e, sp.Derivative | sp.core.function.AppliedUndef):
            v = bool(self.varying_atom(e))
        else:
            v = any(self.varies(a) for a in e.args)
        self.memo[e] = v
        return v

    def count(self, e: sp.Basic, ops: Counter) -> None:
        if not self.varies(e) or isinstance(e, sp.Indexed | sp.Symbol):
            return
        if isinstance(e, sp.Add):
            terms = [a for a in e.args if self.varies(a)]
            n = len(terms) + (len(terms) < len(e.args))
            ops["add"] += n - 1
            for a in terms:
                self.count(a, ops)
        elif isinstance(e, sp.Mul):
            self._mul(e, ops)
        elif isinstance(e, sp.Pow):
            base, ex = e.args
            if self.varies(ex):
                ops["pow"] += 1
                self.count(ex, ops)
            elif ex.is_Number:
                ops.update(pow_ops(float(ex)))
            else:
                ops["pow"] += 1
            self.count(base, ops)
        elif isinstance(e, sp.Min | sp.Max):
            kind = "min" if isinstance(e, sp.Min) else "max"
            ops[kind] += len(e.args) - 1
            for a in e.args:
                self.count(a, ops)
        elif isinstance(e, sp.Function) and type(e) in FUNCTION_KINDS:
            ops[FUNCTION_KINDS[type(e)]] += 1
            for a in e.args:
                self.count(a, ops)
        elif isinstance(e, sp.Derivative | sp.core.function.AppliedUndef):
            return
        else:
            ops["other"] += 1
            for a in e.args:
                if isinstance(a, sp.Basic):
                    self.count(a, ops)

    def _mul(self, e: sp.Mul, ops: Counter) -> None:
        nums: list[sp.Basic] = []
        dens: list[tuple[sp.Basic, float]] = []
        invariant = False
        coeff = sp.Integer(1)
        for a in e.args:
            if a.is_Number:
                coeff *= a
            elif not self.varies(a):
                invariant = True
            elif isinstance(a, sp.Pow) and a.exp.is_Number and a.exp < 0:
                dens.append((a.base, -float(a.exp)))
            else:
                nums.append(a)
        if coeff == -1:
            ops["neg"] += 1
        elif coeff != 1:
            invariant = True
        n_num = len(nums) + invariant
        if dens:
            ops["div"] += 1
            ops["mul"] += max(n_num - 1, 0) + len(dens) - 1
            for base, k in dens:
                ops.update(pow_ops(k))
                self.count(base, ops)
        else:
            ops["mul"] += n_num - 1
        for a in nums:
            self.count(a, ops)


def count_ops(exprs: Iterable[sp.Basic], varying: Varying) -> Counter:
    """Operations per grid point of ``exprs`` evaluated as trees (no sharing)."""
    c = _Counter(varying)
    ops: Counter = Counter()
    for e in exprs:
        c.count(sp.sympify(e), ops)
    return +ops


def count_program(
    body: Sequence[tuple[sp.Symbol, sp.Basic]], outputs: Iterable[sp.Basic], varying: Varying
) -> Counter:
    """Operations per grid point of a straight-line program: each assignment once.

    Temporaries of ``body`` that vary are varying atoms; those that do not (hoisted
    invariants) are free.
    """
    counter = _Counter(varying)
    names = {}
    for sym, e in body:
        names[sym] = counter.varies(sp.sympify(e))
        counter.memo[sym] = names[sym]
    ops: Counter = Counter()
    for sym, e in body:
        if names[sym]:
            counter.count(sp.sympify(e), ops)
    for e in outputs:
        counter.count(sp.sympify(e), ops)
    return +ops


def cycles(ops: Counter, table: CostTable) -> float:
    """The cycles of an operation count under ``table``."""
    return float(sum(n * table.of(kind) for kind, n in ops.items()))


def cse_program(
    outputs: Sequence[sp.Expr], symbols: Iterator[sp.Symbol] | None = None
) -> tuple[list[tuple[sp.Symbol, sp.Expr]], list[sp.Expr]]:
    """``sympy.cse`` over all ``outputs`` as ``(assignments, outputs)``, accesses hidden as
    symbols during the search as ``compiler.passes.lower.cse_kernel`` does; ``symbols``
    names the temporaries (sympy's ``x0, x1, ...`` by default)."""
    accs = sorted(set().union(*(o.atoms(sp.Indexed) for o in outputs)), key=sp.default_sort_key)
    hide = {a: sp.Symbol(f"_acc{j}", real=True) for j, a in enumerate(accs)}
    show = {s: a for a, s in hide.items()}
    repl, red = sp.cse([o.xreplace(hide) for o in outputs], symbols=symbols)
    return [(s, e.xreplace(show)) for s, e in repl], [e.xreplace(show) for e in red]


def cse_ops(outputs: Sequence[sp.Expr], varies: Callable[[sp.Basic], bool]) -> Counter:
    """Operations per point of :func:`cse_program` (the baseline every rewrite is compared with)."""
    repl, red = cse_program(outputs)
    temps = {s for s, _ in repl}
    return count_program(repl, red, lambda a: a in temps or varies(a))


def cse_cost(outputs: Sequence[sp.Expr], varies: Callable[[sp.Basic], bool], table: CostTable) -> float:
    """Cycles per point of ``sympy.cse`` over all ``outputs`` (:func:`cse_ops`)."""
    return cycles(cse_ops(outputs, varies), table)
