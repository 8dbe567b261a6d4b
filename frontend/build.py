"""Statements (:mod:`eqc.frontend.syntax`) to the Model IR, collecting every error found.

Declarations are read first (so a statement may use a name declared further down), then
every expression is resolved in a :class:`~eqc.frontend.expressions.Scope`. Mistakes are
collected, not raised one by one; the semantic checks of
:mod:`eqc.compiler.passes.check` run on the built model, and everything found is raised
together as one :class:`~eqc.compiler.diagnostics.ModelErrors`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sympy as sp

from ..compiler.diagnostics import (
    ModelError,
    ModelErrors,
    NameModelError,
    SemanticModelError,
    Span,
    SyntaxModelError,
    did_you_mean,
)
from ..compiler.ir.model import (
    Axis,
    BoundaryCondition,
    Equation,
    Field,
    InitialCondition,
    Let,
    Model,
    Param,
    Solve,
    Train,
)
from ..compiler.ir.symbols import TIME, coord, field_function
from ..compiler.passes import resolve as R
from ..compiler.passes.check import SOLVE_METHODS, check_model
from ..compiler.passes.classify import assign_steady_fields
from . import syntax as ast
from .expressions import RESERVED, Scope, number

__all__ = ["build_model", "leading_comment"]


def leading_comment(text: str) -> str | None:
    """The model's doc: the ``#`` comment block at the top of the file."""
    lines = []
    for line in text.splitlines():
        s = line.strip()
        if not s.startswith("#"):
            if s or lines:
                break
            continue
        lines.append(s[1:][1:] if s[1:2] == " " else s[1:])
    doc = "\n".join(lines).strip()
    return doc or None


def build_model(stmts: Sequence[ast.Statement], text: str, filename: str) -> Model:
    """The checked Model of ``stmts``; raises :class:`ModelError`/:class:`ModelErrors`."""
    return _Builder(text, filename).build(stmts)


class _Builder:
    def __init__(self, text: str, filename: str):
        self.text = text
        self.filename = filename
        self.errors: list[ModelError] = []
        self.kinds: dict[str, str] = {}
        self.decl_span: dict[str, Span] = {}

    def span(self, pos: ast.Pos) -> Span:
        return Span(self.filename, pos.line, pos.column, pos.end_line, pos.end_column, self.text)

    def name_span(self, pos: ast.Pos, name: str) -> Span:
        return Span(self.filename, pos.line, pos.column, pos.line, pos.column + len(name), self.text)

    def error(self, cls, message: str, pos: ast.Pos | Span, hint: str | None = None) -> None:
        span = pos if isinstance(pos, Span) else self.span(pos)
        self.errors.append(cls(message, span, hint))

    def attempt(self, thunk):
        """Run ``thunk``; record a ModelError it raises and return None instead."""
        try:
            return thunk()
        except ModelErrors as errs:
            self.errors.extend(errs.errors)
        except ModelError as err:
            self.errors.append(err)
        return None

    # -------------------------------------------------------------------- declare
    def declare(self, name: str, kind: str, pos: ast.Pos) -> bool:
        span = self.name_span(pos, name)
        if name in RESERVED:
            self.error(NameModelError, f"`{name}` is a reserved word and cannot name a {kind}", span,
                       "choose another name")
            return False
        if name in self.kinds:
            other = self.kinds[name]
            prev = self.decl_span[name]
            if other == kind:
                self.error(NameModelError, f"{kind} `{name}` is declared twice", span,
                           f"the first declaration is on line {prev.line}; remove one")
            else:
                self.error(NameModelError, f"`{name}` is already declared as a{'n' if other[0] in 'aeiou' else ''} {other}",
                           span, f"line {prev.line} declares it; one name, one meaning")
            return False
        self.kinds[name] = kind
        self.decl_span[name] = span
        return True

    # ---------------------------------------------------------------------- build
    def build(self, stmts: Sequence[ast.Statement]) -> Model:
        by = {cls: [s for s in stmts if isinstance(s, cls)] for cls in (
            ast.ModelStmt, ast.DomainStmt, ast.GridStmt, ast.ParamStmt, ast.FieldStmt, ast.LetStmt,
            ast.EqStmt, ast.BcStmt, ast.InitStmt, ast.SolveStmt, ast.TrainStmt)}
        if not stmts:
            raise SyntaxModelError("the model is empty", Span(self.filename, 1, 1, 1, 2, self.text),
                                   "a model needs at least `field u` and an equation such as `dt(u) = -u`")
        name, title, model_span = self._header(by[ast.ModelStmt])
        if model_span is None:  # no `model` line: model-wide errors point at the first statement
            model_span = self.span(stmts[0].pos)
        domains = [s for s in by[ast.DomainStmt] if self.declare(s.name, "axis", s.pos)]
        for s in by[ast.ParamStmt]:
            self.declare(s.name, "param", s.pos)
        fields: list[Field] = []
        for s in by[ast.FieldStmt]:
            for fname, pos in s.names:
                if self.declare(fname, "field", pos):
                    fields.append(Field(fname, self.name_span(pos, fname)))
        for s in by[ast.LetStmt]:
            self.declare(s.name, "let", s.pos)
        axis_names = tuple(s.name for s in domains)
        self.scope = Scope(self.kinds, axis_names, self.span)

        axes = self._axes(domains, by[ast.GridStmt], axis_names)
        params = [p for s in by[ast.ParamStmt] if (p := self._param(s)) is not None]
        lets = [lt for s in by[ast.LetStmt] if (lt := self._let(s)) is not None]
        equations = self._equations(by[ast.EqStmt], [f.name for f in fields])
        bcs = [b for s in by[ast.BcStmt] if (b := self._bc(s, axes)) is not None]
        ics = [ic for s in by[ast.InitStmt] if (ic := self._init(s)) is not None]
        solve = self._solve(by[ast.SolveStmt])
        train = self._train(by[ast.TrainStmt])
        if self.errors:
            raise_errors(self.errors)
        model = Model(
            name=name, title=title, axes=tuple(axes), params=tuple(params), fields=tuple(fields),
            lets=tuple(lets), equations=tuple(equations), bcs=tuple(bcs), ics=tuple(ics),
            solve=solve, train=train, doc=leading_comment(self.text), source=self.text, span=model_span,
        )
        raise_errors(check_model(model))
        return model

    # ----------------------------------------------------------------- statements
    def _header(self, stmts: list[ast.ModelStmt]):
        for extra in stmts[1:]:
            self.error(SyntaxModelError, "a second `model` line", extra.pos, "a file holds one model")
        if stmts:
            s = stmts[0]
            return s.name, s.title, self.span(s.pos)
        if self.filename.startswith("<"):
            return "model", None, None
        stem = re.sub(r"\W", "_", self.filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]) or "model"
        return (stem if stem[0].isalpha() else f"model_{stem}"), None, None

    def _axes(self, domains: list[ast.DomainStmt], grids: list[ast.GridStmt], names: tuple[str, ...]):
        sizes: list[int | None] = [None] * len(names)
        for extra in grids[1:]:
            self.error(SyntaxModelError, "a second `grid` line", extra.pos, "give all sizes on one line: grid 64 x 64")
        if grids:
            g = grids[0]
            if not domains:
                self.error(SemanticModelError, "`grid` without a domain", g.pos,
                           "declare the axes first: domain x in [0, 1]")
            elif len(g.sizes) != len(names):
                self.error(SemanticModelError,
                           f"`grid` gives {len(g.sizes)} size{'s' if len(g.sizes) != 1 else ''} "
                           f"for {len(names)} ax{'es' if len(names) != 1 else 'is'} ({', '.join(names)})",
                           g.pos, "one size per axis, in the order of the `domain` lines: grid "
                           + " x ".join("64" for _ in names))
            else:
                for i, n in enumerate(g.sizes):
                    if n.text == "auto":  # the solver chooses
                        continue
                    v = self.attempt(lambda n=n: number(n, self.span(n.pos)))
                    if v is None:
                        continue
                    if not (v.is_Integer and v > 0):
                        self.error(SemanticModelError, f"grid size `{n.text}` is not a positive whole number",
                                   n.pos, "write e.g. grid 128")
                    elif v > 1 << 24:
                        self.error(SemanticModelError, f"grid size {v} is too large", n.pos,
                                   "use at most 16777216 points per axis")
                    else:
                        sizes[i] = int(v)
        axes = []
        for i, s in enumerate(domains):
            lo = self.attempt(lambda s=s: self.scope.constant(s.lo, "a domain bound"))
            hi = self.attempt(lambda s=s: self.scope.constant(s.hi, "a domain bound"))
            if lo is None or hi is None:
                continue
            if not float(hi) > float(lo):
                self.error(SemanticModelError, f"axis `{s.name}`: the interval [{lo}, {hi}] is empty",
                           s.lo.pos.to(s.hi.pos), "write [lo, hi] with lo < hi")
                continue
            axes.append(Axis(s.name, lo, hi, s.periodic, sizes[i], self.span(s.pos)))
        return axes

    def _param(self, s: ast.ParamStmt) -> Param | None:
        kinds = [k for k, _ in s.extras_pos]
        for k, p in s.extras_pos:
            if kinds.count(k) > 1:
                self.error(SyntaxModelError, f"param `{s.name}`: more than one {k}", p, "give it once")
                return None
        value = None
        if s.value is not None:
            value = self.attempt(lambda: self.scope.constant(s.value, f"the value of `{s.name}`"))
            if value is None:
                return None
        elif not s.unknown:
            self.error(SemanticModelError, f"param `{s.name}` has no value", s.pos,
                       f"write `param {s.name} = 1.0`, or `param {s.name} unknown` for an inverse problem")
            return None
        return Param(s.name, value, s.doc, s.unit, not s.unknown, self.span(s.pos))

    def _let(self, s: ast.LetStmt) -> Let | None:
        e = self.attempt(lambda: self.scope.scalar(s.expr, f"in `let {s.name}`"))
        return None if e is None else Let(s.name, e, self.span(s.pos))

    def _equations(self, stmts: list[ast.EqStmt], field_names: list[str]) -> list[Equation]:
        axes = self.scope.axes
        built: list[tuple[ast.EqStmt, str | None, sp.Expr, sp.Expr, str]] = []
        for s in stmts:
            lhs = s.lhs
            if isinstance(lhs, ast.Call) and lhs.name == "dt":
                fname = self._dt_target(lhs)
                rhs = self.attempt(lambda s=s: self.scope.scalar(s.rhs, "on the right side"))
                if fname is not None and rhs is not None:
                    built.append((s, fname, sp.Derivative(field_function(fname, axes), TIME), rhs, "evolution"))
                continue
            le = self.attempt(lambda s=s: self.scope.scalar(s.lhs, "on the left side"))
            re_ = self.attempt(lambda s=s: self.scope.scalar(s.rhs, "on the right side"))
            if le is not None and re_ is not None:
                built.append((s, None, le, re_, "steady"))
        taken = [b[1] for b in built if b[4] == "evolution"]
        steady = [b for b in built if b[4] == "steady"]
        choices = iter(assign_steady_fields([b[2] for b in steady], field_names, taken))
        out = []
        for s, fname, lhs, rhs, kind in built:
            if kind == "steady":
                fname = next(choices)
                if fname is None:
                    on_left = R.fields_in(lhs, field_names)
                    self.error(SemanticModelError,
                               "cannot tell which field this steady equation determines", s.lhs.pos,
                               "its left side has no field" if not on_left else
                               f"every field on its left side ({', '.join(on_left)}) already has an equation")
                    continue
            out.append(Equation(fname, lhs, rhs, kind, self.span(s.pos)))
        return out

    def _dt_target(self, call: ast.Call) -> str | None:
        if len(call.args) != 1:
            self.error(SyntaxModelError, f"`dt` takes one field, got {len(call.args)} arguments", call.pos,
                       "write dt(u)")
            return None
        arg = call.args[0]
        if not isinstance(arg, ast.Name):
            self.error(SemanticModelError, "dt(...) takes a field name, not an expression", arg.pos,
                       "write dt(u) = ... for a declared field u")
            return None
        if self._field_target(arg, "dt(...)") is None:
            return None
        return arg.name

    def _field_target(self, node: ast.Node, what: str) -> str | None:
        """The declared field named by ``node`` in ``dt``/``init``/``bc``, or None (error recorded)."""
        name = node.name if isinstance(node, ast.Name) else None
        if name is not None and self.kinds.get(name) != "field":
            kind = self.kinds.get(name)
            if kind is None:
                hint = did_you_mean(name, [n for n, k in self.kinds.items() if k == "field"])
                self.error(NameModelError, f"undeclared field `{name}` in {what}", node.pos,
                           hint or f"declare it with `field {name}`")
            else:
                self.error(SemanticModelError, f"`{name}` is a {kind}, not a field; {what} needs a field",
                           node.pos, "name a field declared with `field`")
            return None
        return name

    def _bc(self, s: ast.BcStmt, axes: list[Axis]) -> BoundaryCondition | None:
        if isinstance(s.lhs, ast.Name) and self._field_target(s.lhs, "bc") is None:
            return None
        axis = next((a for a in axes if a.name == s.axis), None)
        if axis is None:
            if self.kinds.get(s.axis) == "axis":
                return None  # the domain line already has an error
            self.error(NameModelError, f"`{s.axis}` is not an axis", s.axis_pos,
                       did_you_mean(s.axis, self.scope.axes) or
                       ("axes: " + ", ".join(self.scope.axes) if self.scope.axes else "this model has no domain"))
            return None
        if axis.periodic:
            self.error(SemanticModelError, f"a boundary condition on periodic axis `{axis.name}`", s.axis_pos,
                       f"remove it, or drop `periodic` from `domain {axis.name}`")
            return None
        side = self._side(s, axis)
        lhs = self.attempt(lambda: self.scope.scalar(s.lhs, "in a boundary condition"))
        rhs = self.attempt(lambda: self.scope.scalar(s.rhs, "in a boundary condition"))
        if side is None or lhs is None or rhs is None:
            return None
        field_names = [n for n, k in self.kinds.items() if k == "field"]
        on_left = R.fields_in(lhs, field_names)
        both = sorted(set(on_left) | set(R.fields_in(rhs, field_names)))
        if len(on_left) != 1 or len(both) != 1:
            self.error(SemanticModelError,
                       "a boundary condition needs exactly one field"
                       + (f", found {', '.join(both)}" if both else " on its left side"), s.lhs.pos,
                       "write e.g. bc u = 0 at x = 0")
            return None
        fname = on_left[0]
        u = field_function(fname, self.scope.axes)
        coeffs = self.attempt(lambda: _with_span(lambda: R.bc_coefficients(lhs, rhs, u, coord(axis.name)),
                                                 self.span(s.pos)))
        if coeffs is None:
            return None
        alpha, beta, value = coeffs
        return BoundaryCondition(fname, axis.name, side, alpha, beta, value, self.span(s.pos))

    def _side(self, s: ast.BcStmt, axis: Axis) -> str | None:
        if isinstance(s.where, ast.Name) and s.where.name in ("lo", "hi") and s.where.name not in self.kinds:
            return s.where.name
        v = self.attempt(lambda: self.scope.constant(s.where, "a boundary position"))
        if v is None:
            return None
        lo, hi = float(axis.lo), float(axis.hi)
        tol = 1e-9 * max(1.0, abs(lo), abs(hi))
        if abs(float(v) - lo) <= tol:
            return "lo"
        if abs(float(v) - hi) <= tol:
            return "hi"
        self.error(SemanticModelError, f"{axis.name} = {v} is not a boundary of {axis.name} in [{axis.lo}, {axis.hi}]",
                   s.where.pos, f"write `at {axis.name} = {axis.lo}` or `at {axis.name} = {axis.hi}` (or lo / hi)")
        return None

    def _init(self, s: ast.InitStmt) -> InitialCondition | None:
        name = self._field_target(ast.Name(s.name, s.pos), "init")
        if name is None:
            return None
        e = self.attempt(lambda: self.scope.scalar(s.expr, "in an initial condition"))
        if e is None:
            return None
        field_like = [n for n, k in self.kinds.items() if k in ("field", "let")]
        if R.fields_in(e, field_like) or e.atoms(sp.Derivative):
            self.error(SemanticModelError, "an initial condition is a function of the coordinates only",
                       s.expr.pos, "it may not use fields, lets or derivatives")
            return None
        return InitialCondition(name, e, self.span(s.pos))

    def _solve(self, stmts: list[ast.SolveStmt]) -> Solve | None:
        for extra in stmts[1:]:
            self.error(SyntaxModelError, "a second `solve` line", extra.pos, "a model has one solve line")
        if not stmts:
            return None
        s = stmts[0]
        if s.var != "t":
            self.error(SemanticModelError, f"solve runs over time `t`, not `{s.var}`", s.pos,
                       "write solve t in [0, 1]")
            return None
        t0 = self.attempt(lambda: self.scope.constant(s.t0, "the start time"))
        t1 = self.attempt(lambda: self.scope.constant(s.t1, "the end time"))
        opts: dict[str, object] = {}
        ok = t0 is not None and t1 is not None
        for key, value, pos in s.options:
            if key in opts:
                self.error(SyntaxModelError, f"`{key}` given twice in `solve`", pos, "give it once")
                ok = False
                continue
            if key == "method":
                if value not in SOLVE_METHODS:
                    self.error(SemanticModelError, f"unknown method `{value}`", pos,
                               did_you_mean(value, SOLVE_METHODS) or "methods: " + ", ".join(SOLVE_METHODS))
                    ok = False
                opts[key] = value
                continue
            v = self.attempt(lambda value=value, key=key: self.scope.constant(value, f"the {key} interval"))
            if v is None:
                ok = False
            elif not float(v) > 0:
                self.error(SemanticModelError, f"the {key} interval must be positive", pos, None)
                ok = False
            else:
                opts[key] = float(v)
        if ok and not float(t1) > float(t0):
            self.error(SemanticModelError, "solve: the end time must be after the start time",
                       s.t0.pos.to(s.t1.pos), "write [t0, t1] with t0 < t1")
            ok = False
        if not ok:
            return None
        return Solve(float(t0), float(t1), opts.get("step"), opts.get("method", "auto"), opts.get("save"),
                     self.span(s.pos))

    def _train(self, stmts: list[ast.TrainStmt]) -> Train | None:
        for extra in stmts[1:]:
            self.error(SyntaxModelError, "a second `train` line", extra.pos, "a model has one train line")
        if not stmts:
            return None
        s = stmts[0]
        options: list[tuple[str, object]] = []
        for key, kind, text, pos in s.options:
            if any(k == key for k, _ in options):
                self.error(SyntaxModelError, f"`{key}` given twice in `train`", pos, "give it once")
                continue
            if kind == "word":
                value: object = {"on": True, "off": False}.get(text, text)
            elif re.fullmatch(r"-?\d+", text):
                value = int(text)
            else:
                value = float(text)
                if value != value or value in (float("inf"), float("-inf")):
                    self.error(SyntaxModelError, f"`{text}` is too large", pos, None)
                    continue
            options.append((key, value))
        return Train(s.method, tuple(options), self.span(s.pos))


def _with_span(thunk, span: Span):
    try:
        return thunk()
    except ModelError as err:
        if err.span is None:
            err.span = span
        raise


def raise_errors(errors: Sequence[ModelError]) -> None:
    """Raise the errors (sorted by position), if any."""
    if not errors:
        return
    ordered = sorted(errors, key=lambda e: (e.span.line, e.span.column) if e.span else (1 << 30, 0))
    ModelErrors.raise_if_any(ordered)
