"""``.pde`` text to the syntax tree (:mod:`eqc.frontend.syntax`), and Lark's errors to ours.

The grammar (``grammar.lark``) is LALR(1) with Lark's contextual lexer; the tree is built
by an inline transformer while parsing (no recursion, so long sums and deep nesting are
safe). Every Lark exception is translated in one place, :func:`translate_error`, into a
:class:`~eqc.compiler.diagnostics.SyntaxModelError` with a span and a hint — nothing past
this module sees a Lark object (the approach of miniwdl's ``WDL/_parser.py``).
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from lark import Lark, Token, Transformer
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from ..compiler.diagnostics import ModelError, Span, SyntaxModelError
from . import syntax as ast

__all__ = ["parse_statements", "translate_error", "MAX_NESTING"]

MAX_NESTING = 100  # brackets deeper than this are refused before parsing

_NUMBER = re.compile(r"(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")
_NUMBERISH = re.compile(r"(?:\d|\.\d)[0-9A-Za-z_.]*(?:(?<=[eE])[+-][0-9A-Za-z_.]*)?")
_READABLE = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": 'a "quoted text"',
    "UNIT": "a [unit]",
    "_NL": "the end of the line",
    "$END": "the end of the file",
}


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files("eqc.frontend").joinpath("grammar.lark").read_text("utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=True,
        transformer=_ToSyntax(),
        cache=False,
    )


def _pos(tok: Token) -> ast.Pos:
    return ast.Pos(tok.line, tok.column, tok.end_line, tok.end_column)


def _node_pos(x) -> ast.Pos:
    return _pos(x) if isinstance(x, Token) else x.pos


class _ToSyntax(Transformer):
    """Lark's rule callbacks, building :mod:`eqc.frontend.syntax` objects bottom-up."""

    # -- expressions
    def number(self, c):
        return ast.Num(str(c[0]), _pos(c[0]))

    def name(self, c):
        return ast.Name(str(c[0]), _pos(c[0]))

    def call(self, c):
        name, _lpar, args, rpar = c
        return ast.Call(str(name), tuple(args or ()), _pos(name).to(_pos(rpar)), _pos(name))

    def args(self, c):
        return list(c)

    def neg(self, c):
        return ast.Neg(c[0], c[0].pos)

    def pos(self, c):
        return c[0]

    def pow(self, c):
        return ast.Pow(c[0], c[1], c[0].pos.to(c[1].pos))

    def _chain(self, c):
        rest = tuple((str(c[i]), c[i + 1]) for i in range(1, len(c), 2))
        return ast.Chain(c[0], rest, c[0].pos.to(c[-1].pos))

    sum = _chain
    product = _chain

    # -- statements
    def model_stmt(self, c):
        name, title = c
        end = title if title is not None else name
        return ast.ModelStmt(str(name), _unquote(title), _pos(name).to(_pos(end)))

    def domain_stmt(self, c):
        name, lo, hi, periodic = c
        end = _pos(periodic) if periodic is not None else hi.pos
        return ast.DomainStmt(str(name), lo, hi, periodic is not None, _pos(name).to(end))

    def grid_stmt(self, c):
        sizes = tuple(ast.Num(str(t), _pos(t)) for t in c)
        return ast.GridStmt(sizes, sizes[0].pos.to(sizes[-1].pos))

    def param_stmt(self, c):
        name, value, *extras = c
        doc = unit = None
        unknown = False
        for kind, text, _ in extras:
            if kind == "doc":
                doc = _unquote(text)
            elif kind == "unit":
                unit = text[1:-1].strip()
            else:
                unknown = True
        end = extras[-1][2] if extras else (value.pos if value is not None else _pos(name))
        return ast.ParamStmt(
            str(name), value, doc, unit, unknown, _pos(name).to(end),
            tuple((kind, p) for kind, _, p in extras),
        )

    def param_doc(self, c):
        return ("doc", str(c[0]), _pos(c[0]))

    def param_unit(self, c):
        return ("unit", str(c[0]), _pos(c[0]))

    def param_unknown(self, c):
        return ("unknown", str(c[0]), _pos(c[0]))

    def field_stmt(self, c):
        names = tuple((str(t), _pos(t)) for t in c)
        return ast.FieldStmt(names, names[0][1].to(names[-1][1]))

    def let_stmt(self, c):
        return ast.LetStmt(str(c[0]), c[1], _pos(c[0]).to(c[1].pos))

    def eq_stmt(self, c):
        return ast.EqStmt(c[0], c[1], c[0].pos.to(c[1].pos))

    def bc_stmt(self, c):
        lhs, rhs, axis, where = c
        return ast.BcStmt(lhs, rhs, str(axis), _pos(axis), where, lhs.pos.to(where.pos))

    def init_stmt(self, c):
        return ast.InitStmt(str(c[0]), c[1], _pos(c[0]).to(c[1].pos))

    def solve_stmt(self, c):
        var, t0, t1, *opts = c
        end = opts[-1][2] if opts else t1.pos
        return ast.SolveStmt(str(var), t0, t1, tuple(opts), _pos(var).to(end))

    def solve_step(self, c):
        return ("step", c[0], c[0].pos)

    def solve_method(self, c):
        return ("method", str(c[0]), _pos(c[0]))

    def solve_save(self, c):
        return ("save", c[0], c[0].pos)

    def train_stmt(self, c):
        method, *opts = c
        end = opts[-1][3] if opts else _pos(method)
        return ast.TrainStmt(str(method), tuple(opts), _pos(method).to(end))

    def train_opt(self, c):
        key, (kind, text, p) = c
        return (str(key), kind, text, _pos(key).to(p))

    def train_number(self, c):
        return ("number", str(c[0]), _pos(c[0]))

    def train_negative(self, c):
        return ("number", "-" + str(c[0]), _pos(c[0]))

    def train_word(self, c):
        return ("word", str(c[0]), _pos(c[0]))

    def start(self, c):
        return list(c)


def _unquote(tok) -> str | None:
    return None if tok is None else str(tok)[1:-1]


def parse_statements(text: str, filename: str = "<string>") -> list[ast.Statement]:
    """The statements of ``text`` in order; raises :class:`SyntaxModelError`."""
    _check_nesting(text, filename)
    try:
        return _parser().parse(text if text.endswith("\n") else text + "\n")
    except LarkError as exc:
        raise translate_error(exc, text, filename) from None
    except RecursionError:
        raise SyntaxModelError(
            "the model is nested too deeply to read",
            Span(filename, 1, 1, 1, 2, text),
            "split long expressions with `let`",
        ) from None


def _check_nesting(text: str, filename: str) -> None:
    depth = 0
    line, col = 1, 0
    skip = None  # inside a comment ("#") or a quoted text ('"')
    for ch in text:
        col += 1
        if ch == "\n":
            line, col, skip = line + 1, 0, None
        elif skip is not None:
            if ch == skip == '"':
                skip = None
        elif ch in '#"':
            skip = ch
        elif ch in "([":
            depth += 1
            if depth > MAX_NESTING:
                raise SyntaxModelError(
                    f"brackets nested more than {MAX_NESTING} deep",
                    Span(filename, line, col, line, col + 1, text),
                    "split the expression with `let` definitions",
                )
        elif ch in ")]":
            depth = max(0, depth - 1)


# --------------------------------------------------------------------------- errors
def translate_error(exc: Exception, text: str, filename: str) -> ModelError:
    """Lark's exception ``exc`` as one :class:`ModelError` with a span and a hint."""
    if isinstance(exc, VisitError):
        orig = exc.orig_exc
        if isinstance(orig, ModelError):
            return orig
        return translate_error(orig, text, filename)
    if isinstance(exc, ModelError):
        return exc
    lines = text.splitlines() or [""]

    def span(line: int, col: int, width: int = 1) -> Span:
        if line < 1 or col < 1:  # UnexpectedEOF and $END report -1: point at the end
            line = len(lines)
            col = len(lines[-1]) + 1
        return Span(filename, line, col, line, col + max(1, width), text)

    if isinstance(exc, UnexpectedInput):
        line, col = getattr(exc, "line", -1), getattr(exc, "column", -1)
        bad = _malformed_number(lines, line, col)
        if bad is not None:
            c0, word = bad
            return SyntaxModelError(
                f"malformed number `{word}`",
                span(line, c0, len(word)),
                "write numbers like 3, 0.5, 1e-5 or 2.5E+3",
            )
    if isinstance(exc, UnexpectedCharacters):
        ch = exc.char
        if ch == '"':
            return SyntaxModelError("unterminated text: add the closing `\"`", span(exc.line, exc.column),
                                    'text in double quotes stays on one line: "like this"')
        return SyntaxModelError(
            f"unexpected character `{ch}`" if ch.isprintable() else f"unexpected character {ch!r}",
            span(exc.line, exc.column),
            "names are letters, digits and `_`; operators are + - * / ^; `#` starts a comment",
        )
    if isinstance(exc, UnexpectedToken):
        return _unexpected_token(exc, lines, span)
    if isinstance(exc, UnexpectedEOF):
        return SyntaxModelError("the model ends in the middle of a statement", span(-1, -1),
                                "finish the last statement")
    return SyntaxModelError(f"cannot parse the model: {exc}", span(1, 1))


def _unexpected_token(exc: UnexpectedToken, lines: list[str], span) -> SyntaxModelError:
    tok = exc.token
    expected = set(exc.expected or ())
    line, col = exc.line, exc.column
    in_expression = bool(expected & {"LPAR", "MINUS"}) and "NAME" in expected
    if tok.type in ("_NL", "$END"):
        if tok.type == "$END" or line < 1:
            line = len(lines)
            col = len(lines[-1]) + 1
        opener = _unclosed_bracket(lines, line, col)
        if opener is not None:
            oc, ch = opener
            close = ")" if ch == "(" else "]"
            return SyntaxModelError(f"unterminated `{ch}`: add `{close}`", span(line, oc),
                                    f"every `{ch}` needs a matching `{close}` on the same line")
        prev = _previous_text(lines, line, col)
        return SyntaxModelError(f"the statement ends too early: expected {_describe(expected, prev)}",
                                span(line, col), "complete the statement (see docs/language.md)")
    value = str(tok)
    where = span(line, col, len(value))
    prev = _previous_text(lines, line, col)
    if tok.type == "RPAR" and "RPAR" not in expected and _unclosed_bracket(lines, line, col) is None:
        return SyntaxModelError("unmatched `)`", where, "remove it or add the `(` it closes")
    if tok.type == "EQUAL" and prev == "=":
        return SyntaxModelError("`==` is not part of the language", span(line, col - 1, 2),
                                "an equation is written with one `=`: dt(u) = ...")
    if value == "[" and "UNIT" in expected:
        return SyntaxModelError("unterminated unit: add `]`", where, "write the unit as [m^2/s]")
    operand_before = bool(re.search(r"[\w.)\]]$", prev)) and prev not in _KEYWORDS
    operand_now = tok.type == "LPAR" or bool(re.fullmatch(r"[\w.]+", value))
    if operand_before and operand_now and expected & {"PLUS", "STAR"}:
        return SyntaxModelError(f"missing an operator between `{prev}` and `{value}`", where,
                                f"write e.g. {prev}*{value}" + (" (or separate list items with `,`)"
                                                                if "COMMA" in expected else ""))
    if in_expression:
        return SyntaxModelError(f"expected an expression after `{prev}`, found `{value}`", where,
                                "complete the expression")
    if expected <= {"_NL"}:
        return SyntaxModelError(f"unexpected `{value}` at the end of the statement", where,
                                "one statement per line")
    return SyntaxModelError(f"unexpected `{value}`: expected {_describe(expected, prev)}", where,
                            "see docs/language.md for the statement's form")


_KEYWORDS = {"model", "domain", "grid", "param", "field", "let", "bc", "init", "solve", "train", "in", "at",
             "step", "method", "save", "every", "periodic", "unknown", "x"}


def _describe(expected: set[str], prev: str = "") -> str:
    if expected & {"LPAR", "MINUS"} and "NAME" in expected:
        return f"an expression after `{prev}`" if prev else "an expression"
    parser = _parser()
    words = []
    for name in sorted(expected):
        if name in _READABLE:
            words.append(_READABLE[name])
            continue
        try:
            pattern = parser.get_terminal(name).pattern
        except (KeyError, AttributeError):
            words.append(name.lower())
            continue
        words.append(f"`{pattern.value}`" if pattern.type == "str" else name.lower())
    if len(words) > 6:
        words = words[:6] + ["..."]
    text = " or ".join(words) if len(words) <= 2 else ", ".join(words)
    return f"{text} after `{prev}`" if prev and len(words) <= 2 else text


def _malformed_number(lines: list[str], line: int, col: int) -> tuple[int, str] | None:
    """``(column, text)`` of a number-like word touching position ``line:col`` that is not a
    valid number (``1e``, ``1.2.3``, ``3x``), or None."""
    if not 1 <= line <= len(lines):
        return None
    src = lines[line - 1]
    for m in _NUMBERISH.finditer(src):
        if m.start() <= col - 1 <= m.end() and not _NUMBER.fullmatch(m.group()):
            # `2x` is a missing operator, not a bad number: only flag digit/dot/e words
            word = m.group()
            if re.fullmatch(r"[\d.]*\d[\d.]*[eE]?[+-]?\d*|[\d.]+[eE][+-]?\w*|\d+\.\d*\.[\d.]*", word):
                return m.start() + 1, word
    return None


def _unclosed_bracket(lines: list[str], line: int, col: int) -> tuple[int, str] | None:
    if not 1 <= line <= len(lines):
        return None
    src = lines[line - 1][: max(0, col - 1)]
    src = src.split("#", 1)[0]
    stack: list[tuple[int, str]] = []
    for i, ch in enumerate(src):
        if ch in "([":
            stack.append((i + 1, ch))
        elif ch in ")]" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _previous_text(lines: list[str], line: int, col: int) -> str:
    if not 1 <= line <= len(lines):
        return ""
    before = lines[line - 1][: max(0, col - 1)].split("#", 1)[0].rstrip()
    if not before:
        return ""
    m = re.search(r"(\w+|\S)$", before)
    return m.group(1) if m else before[-1]
