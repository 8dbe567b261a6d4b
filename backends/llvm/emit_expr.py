"""Sympy expressions to LLVM IR: one emitter per sympy node type, found through a table.

An :class:`ExprEmitter` turns a kernel-IR expression into straight-line LLVM instructions
in the builder's current block (``Piecewise`` becomes ``select``, so a point body stays one
basic block and the loop vectoriser can take it). Leaves come from an environment
(symbols -> values) and an access callback (field accesses -> loaded values); every
emitted node is memoised so a subexpression shared by several outputs is computed once.

Integer powers use repeated squaring (Knuth, TAOCP vol. 2, 4.6.3), ``x**(p/2)`` a square
root, other powers ``llvm.pow``. ``exp/log/sin/cos/sqrt/fabs`` are LLVM intrinsics; the
other transcendental functions are libm declarations. ``Min``/``Max`` use
``llvm.minimum``/``llvm.maximum``, which propagate NaN (``minnum`` would hide it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy as sp
from eqc.compiler.diagnostics import InternalCompilerError
from llvmlite import ir

__all__ = ["ExprEmitter", "DOUBLE", "I64", "I1"]

DOUBLE = ir.DoubleType()
I64 = ir.IntType(64)
I1 = ir.IntType(1)

# sympy function class -> (symbol name, is an LLVM intrinsic)
_UNARY: dict[type, tuple[str, bool]] = {
    sp.exp: ("llvm.exp.f64", True),
    sp.log: ("llvm.log.f64", True),
    sp.sin: ("llvm.sin.f64", True),
    sp.cos: ("llvm.cos.f64", True),
    sp.Abs: ("llvm.fabs.f64", True),
    sp.tan: ("tan", False),
    sp.tanh: ("tanh", False),
    sp.sinh: ("sinh", False),
    sp.cosh: ("cosh", False),
    sp.asin: ("asin", False),
    sp.acos: ("acos", False),
    sp.atan: ("atan", False),
    sp.asinh: ("asinh", False),
    sp.acosh: ("acosh", False),
    sp.atanh: ("atanh", False),
    sp.erf: ("erf", False),
    sp.erfc: ("erfc", False),
}

_FCMP: dict[type, str] = {
    sp.StrictLessThan: "<",
    sp.LessThan: "<=",
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: ">=",
    sp.Equality: "==",
    sp.Unequality: "!=",
}


def declare(module: ir.Module, name: str, nargs: int = 1) -> ir.Function:
    """The function ``double name(double, ...)`` of ``module``, declared on first use."""
    fn = module.globals.get(name)
    if fn is None:
        fn = ir.Function(module, ir.FunctionType(DOUBLE, [DOUBLE] * nargs), name=name)
    return fn


class ExprEmitter:
    """Emits sympy expressions at a builder's position.

    ``env`` maps sympy symbols to LLVM values (doubles); ``access`` loads a field access
    (``sympy.Indexed``); ``flags`` are the fast-math flags of every float instruction.
    ``parent`` is an enclosing emitter whose memoised values dominate this one's block
    (loop invariants), consulted before emitting anew.
    """

    def __init__(
        self,
        builder: ir.IRBuilder,
        env: Mapping[sp.Basic, ir.Value],
        access: Callable[[sp.Indexed], ir.Value] | None = None,
        flags: tuple[str, ...] = (),
        parent: ExprEmitter | None = None,
    ) -> None:
        self.b = builder
        self.module = builder.module
        self.env = dict(env)
        self.access = access
        self.flags = tuple(flags)
        self.parent = parent
        self.cache: dict[sp.Basic, ir.Value] = {}
        self.home: ir.Block | None = None  # where a root emitter emits hoisted values

    @property
    def root(self) -> ExprEmitter:
        e = self
        while e.parent is not None:
            e = e.parent
        return e

    def _invariant(self, expr: sp.Basic) -> bool:
        """True when ``expr`` uses only the root's leaves (no access, no coordinate)."""
        root = self.root
        if expr.is_Atom or root.home is None or expr.atoms(sp.Indexed):
            return False
        return all(s in root.env or s in root.cache for s in expr.free_symbols)

    def is_invariant(self, expr: sp.Basic) -> bool:
        if expr.is_Number or expr.is_NumberSymbol:
            return True
        if isinstance(expr, sp.Symbol):
            return expr in self.root.env
        return self._invariant(expr)

    # -- entry point ---------------------------------------------------------------------
    def emit(self, expr: sp.Basic) -> ir.Value:
        found = self._lookup(expr)
        if found is not None:
            return found
        if self.parent is not None and self._invariant(expr):
            # loop-invariant subexpression (e.g. D/h**2): computed once, before the loops
            root = self.root
            with self.b.goto_block(root.home):
                return root.emit(expr)
        for cls in type(expr).__mro__:
            handler = _EMITTERS.get(cls)
            if handler is not None:
                break
        else:
            handler = _FUNCTION_EMITTER if isinstance(expr, sp.Function) else None
        if handler is None:
            raise InternalCompilerError(f"llvm backend: no emitter for {type(expr).__name__}", str(expr))
        value = handler(self, expr)
        self.cache[expr] = value
        return value

    def _lookup(self, expr: sp.Basic) -> ir.Value | None:
        e: ExprEmitter | None = self
        while e is not None:
            v = e.env.get(expr)
            if v is None:
                v = e.cache.get(expr)
            if v is not None:
                return v
            e = e.parent
        return None

    # -- arithmetic helpers --------------------------------------------------------------
    def const(self, x: float) -> ir.Constant:
        return ir.Constant(DOUBLE, float(x))

    def add(self, a: ir.Value, b: ir.Value) -> ir.Value:
        return self.b.fadd(a, b, flags=self.flags)

    def sub(self, a: ir.Value, b: ir.Value) -> ir.Value:
        return self.b.fsub(a, b, flags=self.flags)

    def mul(self, a: ir.Value, b: ir.Value) -> ir.Value:
        return self.b.fmul(a, b, flags=self.flags)

    def div(self, a: ir.Value, b: ir.Value) -> ir.Value:
        return self.b.fdiv(a, b, flags=self.flags)

    def call(self, name: str, args: list[ir.Value]) -> ir.Value:
        fn = declare(self.module, name, len(args))
        return self.b.call(fn, args, fastmath=self.flags)

    def product(self, values: list[ir.Value]) -> ir.Value | None:
        out = None
        for v in values:
            out = v if out is None else self.mul(out, v)
        return out

    def powi(self, base: ir.Value, n: int) -> ir.Value:
        """``base**n`` for an integer ``n >= 1`` by repeated squaring."""
        result, square = None, base
        while n:
            if n & 1:
                result = square if result is None else self.mul(result, square)
            n >>= 1
            if n:
                square = self.mul(square, square)
        return result

    def cond(self, expr: sp.Basic) -> ir.Value:
        """An ``i1`` for a sympy boolean."""
        if expr is sp.true:
            return ir.Constant(I1, 1)
        if expr is sp.false:
            return ir.Constant(I1, 0)
        op = _FCMP.get(type(expr))
        if op is not None:
            lhs, rhs = self.emit(expr.lhs), self.emit(expr.rhs)
            if op == "!=":
                return self.b.fcmp_unordered(op, lhs, rhs)
            return self.b.fcmp_ordered(op, lhs, rhs)
        if isinstance(expr, sp.And):
            out = self.cond(expr.args[0])
            for a in expr.args[1:]:
                out = self.b.and_(out, self.cond(a))
            return out
        if isinstance(expr, sp.Or):
            out = self.cond(expr.args[0])
            for a in expr.args[1:]:
                out = self.b.or_(out, self.cond(a))
            return out
        if isinstance(expr, sp.Not):
            return self.b.not_(self.cond(expr.args[0]))
        raise InternalCompilerError(f"llvm backend: unsupported condition {type(expr).__name__}", str(expr))


# -- the emitters, one per node type ----------------------------------------------------


def _number(e: ExprEmitter, expr: sp.Expr) -> ir.Value:
    if not expr.is_real:
        raise InternalCompilerError("llvm backend: complex constant in a kernel", str(expr))
    return e.const(float(expr))


def _symbol(e: ExprEmitter, expr: sp.Symbol) -> ir.Value:
    raise InternalCompilerError(f"llvm backend: unbound symbol {expr} in a kernel expression", str(expr))


def _indexed(e: ExprEmitter, expr: sp.Indexed) -> ir.Value:
    if e.access is None:
        raise InternalCompilerError("llvm backend: field access outside the point loop", str(expr))
    return e.access(expr)


def _split_coeff(term: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """``term = c * rest`` with ``c`` a number."""
    c, rest = term.as_coeff_Mul()
    return c, rest


def _add(e: ExprEmitter, expr: sp.Add) -> ir.Value:
    pos: list[ir.Value] = []
    neg: list[ir.Value] = []
    for term in expr.args:
        c, rest = _split_coeff(term)
        if c.is_negative:
            neg.append(e.emit(-term))
        else:
            pos.append(e.emit(term))
    acc = pos[0] if pos else None
    for v in pos[1:]:
        acc = e.add(acc, v)
    for v in neg:
        acc = e.b.fneg(v, flags=e.flags) if acc is None else e.sub(acc, v)
    return acc


def _mul(e: ExprEmitter, expr: sp.Mul) -> ir.Value:
    if e.parent is not None:
        # c*D/h**2*(...): one hoisted factor times the varying part, no division per point
        inv = [f for f in expr.args if e.is_invariant(f)]
        var = [f for f in expr.args if not e.is_invariant(f)]
        if var and inv and not (len(inv) == 1 and inv[0].is_Number):
            return e.mul(e.emit(sp.Mul(*inv)), e.emit(sp.Mul(*var)))
    coeff, rest = expr.as_coeff_Mul()
    num: list[ir.Value] = []
    den: list[ir.Value] = []
    for f in sp.Mul.make_args(rest):
        if isinstance(f, sp.Pow) and f.exp.is_Number and f.exp.is_negative:
            den.append(e.emit(sp.Pow(f.base, -f.exp)))
        else:
            num.append(e.emit(f))
    negate = coeff == -1
    if coeff != 1 and not negate:
        num.insert(0, e.const(float(coeff)))
    top = e.product(num)
    bottom = e.product(den)
    if top is None:
        top = e.const(1.0)
    out = top if bottom is None else e.div(top, bottom)
    return e.b.fneg(out, flags=e.flags) if negate else out


def _pow(e: ExprEmitter, expr: sp.Pow) -> ir.Value:
    base, p = expr.base, expr.exp
    if p.is_Integer:
        n = int(p)
        if n == 0:
            return e.const(1.0)
        value = e.powi(e.emit(base), abs(n))
        return e.div(e.const(1.0), value) if n < 0 else value
    if p.is_Rational and p.q == 2:
        root = e.call("llvm.sqrt.f64", [e.emit(base)])
        n = int(p.p)
        value = e.powi(root, abs(n))
        return e.div(e.const(1.0), value) if n < 0 else value
    if base is sp.E:
        return e.call("llvm.exp.f64", [e.emit(p)])
    return e.call("llvm.pow.f64", [e.emit(base), e.emit(p)])


def _unary(e: ExprEmitter, expr: sp.Function) -> ir.Value:
    name, _ = _UNARY[type(expr)]
    return e.call(name, [e.emit(expr.args[0])])


def _minmax(name: str) -> Callable[[ExprEmitter, sp.Expr], ir.Value]:
    def emit(e: ExprEmitter, expr: sp.Expr) -> ir.Value:
        out = e.emit(expr.args[0])
        for a in expr.args[1:]:
            out = e.call(name, [out, e.emit(a)])
        return out

    return emit


def _sign(e: ExprEmitter, expr: sp.sign) -> ir.Value:
    x = e.emit(expr.args[0])
    zero = e.const(0.0)
    neg = e.b.select(e.b.fcmp_ordered("<", x, zero), e.const(-1.0), x)  # keeps 0 and NaN
    return e.b.select(e.b.fcmp_ordered(">", x, zero), e.const(1.0), neg)


def _heaviside(e: ExprEmitter, expr: sp.Heaviside) -> ir.Value:
    x = e.emit(expr.args[0])
    at0 = e.emit(expr.args[1]) if len(expr.args) > 1 and expr.args[1] is not sp.nan else e.const(0.5)
    zero = e.const(0.0)
    low = e.b.select(e.b.fcmp_ordered("<", x, zero), zero, at0)
    return e.b.select(e.b.fcmp_ordered(">", x, zero), e.const(1.0), low)


def _piecewise(e: ExprEmitter, expr: sp.Piecewise) -> ir.Value:
    pieces = list(expr.args)
    last_value, last_cond = pieces[-1]
    out = e.emit(last_value) if last_cond is sp.true else e.const(float("nan"))
    start = len(pieces) - 1 if last_cond is sp.true else len(pieces)
    for value, cond in reversed(pieces[:start]):
        out = e.b.select(e.cond(cond), e.emit(value), out)
    return out


def _unknown_function(e: ExprEmitter, expr: sp.Function) -> ir.Value:
    name = type(expr).__name__
    if type(expr) in _UNARY:
        return _unary(e, expr)
    raise InternalCompilerError(f"llvm backend: no emitter for function {name}", str(expr))


_FUNCTION_EMITTER = _unknown_function

_EMITTERS: dict[type, Callable[[ExprEmitter, sp.Basic], ir.Value]] = {
    sp.Number: _number,
    sp.NumberSymbol: _number,
    sp.Indexed: _indexed,
    sp.Symbol: _symbol,
    sp.Add: _add,
    sp.Mul: _mul,
    sp.Pow: _pow,
    sp.Min: _minmax("llvm.minimum.f64"),
    sp.Max: _minmax("llvm.maximum.f64"),
    sp.sign: _sign,
    sp.Heaviside: _heaviside,
    sp.Piecewise: _piecewise,
    **{cls: _unary for cls in _UNARY},
}
