"""Sympy expressions to JAX: one table from sympy node type to a ``jax.numpy`` function.

Both halves of the JAX backend use it: the classical kernel (leaves are field accesses,
coordinates, parameters and temporaries) and the PINN residual (leaves are the network's
values and derivatives). A caller supplies ``leaf(expr) -> array | None`` for the atoms it
owns; everything else is looked up in :data:`OPERATORS` by node type (JAX's own lowering
keeps one rule table per interpretation in the same way, ``jax/_src/interpreters``).

Lowering is memoised per call on the sympy node, so a subexpression shared by several
outputs is traced once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Any

import jax.numpy as jnp
import jax.scipy.special as jsp
import sympy as sp

from ...compiler.diagnostics import InternalCompilerError

__all__ = ["OPERATORS", "lower", "Leaf"]

Leaf = Callable[[sp.Basic], Any]


def _add(*args):
    return reduce(lambda a, b: a + b, args)


def _mul(*args):
    return reduce(lambda a, b: a * b, args)


def _pow(base, exponent, *, node: sp.Pow):
    e = node.exp
    if e.is_Integer:
        n = int(e)
        if n == 2:
            return base * base
        if n == 3:
            return base * base * base
        if n == -1:
            return 1.0 / base
        return jnp.power(base, n) if n > 0 else 1.0 / jnp.power(base, -n)
    if e == sp.Rational(1, 2):
        return jnp.sqrt(base)
    if e == sp.Rational(-1, 2):
        return 1.0 / jnp.sqrt(base)
    return jnp.power(base, exponent)


def _piecewise(*args, node: sp.Piecewise):
    # args alternate (value, condition) in the order sympy stores them
    pairs = list(zip(args[0::2], args[1::2], strict=True))
    out = pairs[-1][0]
    for value, cond in reversed(pairs[:-1]):
        out = jnp.where(cond, value, out)
    return out


# node type -> function of the lowered arguments (a few also receive the node)
OPERATORS: dict[type, Callable[..., Any]] = {
    sp.Add: _add,
    sp.Mul: _mul,
    sp.exp: jnp.exp,
    sp.log: jnp.log,
    sp.sin: jnp.sin,
    sp.cos: jnp.cos,
    sp.tan: jnp.tan,
    sp.tanh: jnp.tanh,
    sp.sinh: jnp.sinh,
    sp.cosh: jnp.cosh,
    sp.asin: jnp.arcsin,
    sp.acos: jnp.arccos,
    sp.atan: jnp.arctan,
    sp.atan2: jnp.arctan2,
    sp.Abs: jnp.abs,
    sp.sign: jnp.sign,
    sp.Min: lambda *a: reduce(jnp.minimum, a),
    sp.Max: lambda *a: reduce(jnp.maximum, a),
    sp.Heaviside: lambda a, *_: jnp.heaviside(a, 0.5),
    sp.erf: jsp.erf,
    sp.StrictLessThan: jnp.less,
    sp.LessThan: jnp.less_equal,
    sp.StrictGreaterThan: jnp.greater,
    sp.GreaterThan: jnp.greater_equal,
    sp.And: jnp.logical_and,
    sp.Or: jnp.logical_or,
}

_NEEDS_NODE: dict[type, Callable[..., Any]] = {sp.Pow: _pow, sp.Piecewise: _piecewise}


def _number(expr: sp.Basic) -> float | bool | None:
    if expr is sp.true:
        return True
    if expr is sp.false:
        return False
    if expr.is_Number or expr in (sp.pi, sp.E) or (expr.is_number and not expr.free_symbols and not expr.args):
        return float(expr)
    return None


def lower(exprs: sp.Basic | tuple[sp.Basic, ...], leaf: Leaf) -> Any:
    """Lower one expression (or a tuple of them) to JAX values.

    ``leaf(node)`` returns the value of an atom the caller owns (or ``None`` to let the
    table handle it). Numbers become Python floats (JAX broadcasts them).
    """
    memo: dict[sp.Basic, Any] = {}

    def go(node: sp.Basic) -> Any:
        if node in memo:
            return memo[node]
        value = leaf(node)
        if value is None:
            num = _number(node)
            if num is not None:
                value = num
            elif type(node) in _NEEDS_NODE:
                value = _NEEDS_NODE[type(node)](*(go(a) for a in _piecewise_args(node)), node=node)
            else:
                op = _operator(node)
                if op is None:
                    raise InternalCompilerError(
                        f"the jax backend cannot lower a {type(node).__name__}", str(node)
                    )
                value = op(*(go(a) for a in node.args))
        memo[node] = value
        return value

    if isinstance(exprs, tuple | list):
        return tuple(go(e) for e in exprs)
    return go(exprs)


def _piecewise_args(node: sp.Basic) -> tuple[sp.Basic, ...]:
    if isinstance(node, sp.Piecewise):
        return tuple(x for pair in node.args for x in pair)
    return node.args


def _operator(node: sp.Basic) -> Callable[..., Any] | None:
    for cls in type(node).__mro__:
        if cls in OPERATORS:
            return OPERATORS[cls]
    return None
