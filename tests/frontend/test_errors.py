"""Every kind of bad input gives one ModelError subclass with the right span — never a
traceback, never a Lark object (docs/language.md, "Errors")."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from eqc.compiler.diagnostics import (
    InputModelError,
    ModelError,
    ModelErrors,
    NameModelError,
    SemanticModelError,
    SyntaxModelError,
    render,
)
from eqc.frontend.loader import load, parse

BASE = """model m
domain x in [0, 1]
param D = 0.1
field u
dt(u) = D*lap(u)
bc u = 0 at x = 0
bc u = 0 at x = 1
init u = sin(pi*x)
"""


def first(err: ModelError) -> ModelError:
    return err.errors[0] if isinstance(err, ModelErrors) else err


# (name, text, error class, line, column)
CASES = [
    ("unknown name", BASE.replace("D*lap", "Dx*lap"), NameModelError, 5, 9),
    ("undeclared field in dt", BASE + "dt(w) = 1\n", NameModelError, 9, 4),
    ("undeclared field in bc", BASE + "bc w = 0 at x = 0\n", NameModelError, 9, 4),
    ("undeclared field in init", BASE + "init w = 1\n", NameModelError, 9, 6),
    ("field with no equation", BASE.replace("field u", "field u, w"), SemanticModelError, 4, 10),
    ("two equations for one field", BASE + "dt(u) = 1\n", SemanticModelError, 9, 1),
    ("dt on a right side", BASE.replace("D*lap(u)", "D*dt(u)"), SemanticModelError, 5, 11),
    ("d(u, t) on a right side", BASE.replace("D*lap(u)", "d(u, t)"), SemanticModelError, 5, 14),
    ("bc on a periodic axis", BASE.replace("[0, 1]", "[0, 1] periodic"), SemanticModelError, 6, 13),
    ("missing bc side", BASE.replace("bc u = 0 at x = 1\n", ""), SemanticModelError, 2, 8),
    ("cyclic lets", BASE + "let a = b + u\nlet b = 2*a\n", SemanticModelError, 9, 5),
    ("self-referencing let", BASE + "let a = a + u\n", SemanticModelError, 9, 5),
    ("d without an axis", BASE.replace("D*lap(u)", "d(u)"), SyntaxModelError, 5, 9),
    ("lap with two arguments", BASE.replace("D*lap(u)", "lap(u, x)"), SyntaxModelError, 5, 9),
    ("sin with two arguments", BASE.replace("sin(pi*x)", "sin(pi, x)"), SyntaxModelError, 8, 10),
    ("malformed number 1e", BASE.replace("0.1", "1e"), SyntaxModelError, 3, 11),
    ("malformed number 1.2.3", BASE.replace("0.1", "1.2.3"), SyntaxModelError, 3, 11),
    ("malformed number 2.5e+", BASE.replace("0.1", "2.5e+"), SyntaxModelError, 3, 11),
    ("unterminated paren", BASE.replace("sin(pi*x)", "sin(pi*x"), SyntaxModelError, 8, 13),
    ("unterminated bracket", BASE.replace("[0, 1]", "[0, 1"), SyntaxModelError, 2, 13),
    ("unmatched paren", BASE.replace("D*lap(u)", "D*lap(u))"), SyntaxModelError, 5, 17),
    ("missing expression", BASE.replace("param D = 0.1", "param D ="), SyntaxModelError, 3, 10),
    ("missing operand", BASE.replace("D*lap(u)", "D*"), SyntaxModelError, 5, 11),
    ("unexpected character", BASE.replace("D*lap(u)", "D $ u"), SyntaxModelError, 5, 11),
    ("double equals", BASE.replace("dt(u) =", "dt(u) =="), SyntaxModelError, 5, 7),
    ("missing operator", BASE.replace("D*lap(u)", "2x"), SyntaxModelError, 5, 10),
    ("unterminated text", BASE.replace("param D = 0.1", 'param D = 0.1 "doc'), SyntaxModelError, 3, 15),
    ("unterminated unit", BASE.replace("param D = 0.1", "param D = 0.1 [m"), SyntaxModelError, 3, 15),
    ("missing name", BASE + "field\n", SyntaxModelError, 9, 6),
    ("trailing comma in a call", BASE.replace("sin(pi*x)", "sin(x,)"), SyntaxModelError, 8, 16),
    ("duplicate param", BASE + "param D = 2\n", NameModelError, 9, 7),
    ("name clash param/field", BASE + "field D\n", NameModelError, 9, 7),
    ("reserved name", BASE + "param sin = 1\n", NameModelError, 9, 7),
    ("grid count", BASE + "grid 64 x 64\n", SemanticModelError, 9, 6),
    ("grid not whole", BASE + "grid 6.5\n", SemanticModelError, 9, 6),
    ("missing init", BASE.replace("init u = sin(pi*x)\n", ""), SemanticModelError, 4, 7),
    ("grad as a scalar", BASE.replace("D*lap(u)", "grad(u)"), SemanticModelError, 5, 9),
    ("div of a scalar", BASE.replace("D*lap(u)", "div(u)"), SemanticModelError, 5, 9),
    ("complex number", BASE.replace("D*lap(u)", "sqrt(-1)*u"), SemanticModelError, 5, 9),
    ("division by zero", BASE.replace("D*lap(u)", "1/0"), SemanticModelError, 5, 9),
    ("huge power", BASE.replace("D*lap(u)", "2^2^2^2^2^2^99"), SemanticModelError, 5, 17),
    ("huge literal", BASE.replace("0.1", "1e999"), SyntaxModelError, 3, 11),
    ("deep brackets", "field u\ndt(u) = " + "(" * 500 + "u" + ")" * 500 + "\n", SyntaxModelError, 2, 109),
    ("deep unary minus", "field u\ninit u = 1\ndt(u) = " + "-" * 5000 + "u\n", SyntaxModelError, 3, 5009),
    ("unknown method", BASE + "solve t in [0, 1] method rk5\n", SemanticModelError, 9, 26),
    ("empty interval", BASE.replace("[0, 1]", "[1, 0]"), SemanticModelError, 2, 14),
    ("bc not at a boundary", BASE.replace("at x = 1", "at x = 0.5"), SemanticModelError, 7, 17),
    ("bc on a non-axis", BASE.replace("at x = 1", "at z = 1"), NameModelError, 7, 13),
    ("nonlinear bc", BASE.replace("bc u = 0 at x = 1", "bc u^2 = 0 at x = 1"), SemanticModelError, 7, 4),
    ("solve backwards", BASE + "solve t in [1, 0]\n", SemanticModelError, 9, 13),
    ("param without value", BASE + "param nu\n", SemanticModelError, 9, 7),
    ("calling a field", BASE.replace("D*lap(u)", "u(x)"), SyntaxModelError, 5, 9),
    ("function without call", BASE.replace("D*lap(u)", "sin"), SyntaxModelError, 5, 9),
    ("unknown function", BASE.replace("D*lap(u)", "sine(u)"), NameModelError, 5, 9),
    ("two model lines", BASE + "model n\n", SyntaxModelError, 9, 7),
    ("empty file", "", SyntaxModelError, 1, 1),
    ("no fields", "\n# c\nparam a = 1\n", SemanticModelError, 3, 7),
    ("only comments", "# a model\n# to come\n", SyntaxModelError, 1, 1),
    ("steady equation without a field", BASE + "field w\nlap(u) = 1\n", SemanticModelError, 10, 1),
    ("dt of an expression", BASE.replace("dt(u) =", "dt(2*u) ="), SemanticModelError, 5, 4),
]


@pytest.mark.parametrize("name,text,cls,line,column", CASES, ids=[c[0] for c in CASES])
def test_error_class_and_span(name: str, text: str, cls: type, line: int, column: int) -> None:
    with pytest.raises(ModelError) as info:
        parse(text, "model.pde")
    err = first(info.value)
    assert isinstance(err, cls), f"{type(err).__name__}: {err}"
    assert err.span is not None
    assert (err.span.line, err.span.column) == (line, column), str(err)
    assert err.span.file == "model.pde"
    assert err.hint
    shown = render(info.value)
    assert f"model.pde:{line}:{column}: error:" in shown
    assert "^" in shown
    assert "Traceback" not in shown


def test_brackets_in_comments_and_text_do_not_count() -> None:
    parse(BASE + "# " + "(" * 300 + "\n" + 'param q = 1 "' + "[" * 300 + '"\n')


@pytest.mark.parametrize("text,words", [
    (BASE.replace("D*lap(u)", "u u"), "missing an operator"),
    (BASE.replace("D*lap(u)", "D*lap(u))"), "unmatched `)`"),
    (BASE.replace("sin(pi*x)", "sin(pi*x"), "unterminated `(`"),
    (BASE + "grid\n", "expected `auto` or a number after `grid`"),
    (BASE.replace("param D = 0.1", "param D ="), "expected an expression after `=`"),
    (BASE.replace("0.1", "1e"), "malformed number `1e`"),
])
def test_messages_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(ModelError) as info:
        parse(text)
    assert words in first(info.value).message


def test_errors_are_collected() -> None:
    text = BASE.replace("D*lap(u)", "Dx*lap(u)") + "init w = 1\nparam D = 3\n"
    with pytest.raises(ModelErrors) as info:
        parse(text, "m.pde")
    lines = [e.span.line for e in info.value.errors]
    assert lines == sorted(lines) and len(lines) == 3


def test_did_you_mean() -> None:
    with pytest.raises(NameModelError) as info:
        parse(BASE.replace("param D", "param Du").replace("D*lap", "Du2*lap"))
    assert info.value.hint == "did you mean `Du`?"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputModelError, match="no such file"):
        load(tmp_path / "absent.pde")


def test_unknown_stdlib_name() -> None:
    with pytest.raises(InputModelError) as info:
        load("stdlib:gray_scot")
    assert info.value.hint == "did you mean `gray_scott`?"


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.pde"
    path.write_bytes("field u\n# caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputModelError) as info:
        load(path)
    assert (info.value.span.line, info.value.span.column) == (2, 6)
    assert "^" in render(info.value)


def test_ten_megabyte_file_is_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "huge.pde"
    path.write_text("field u\n" + "# filler\n" * 1_100_000)
    start = time.perf_counter()
    with pytest.raises(InputModelError, match="kB"):
        load(path)
    assert time.perf_counter() - start < 1.0
    with pytest.raises(InputModelError):
        parse("x" * 10_000_000)


def test_too_many_statements_is_refused() -> None:
    text = "field u\ndt(u) = u\ninit u = 1\n" + "".join(f"param p{i} = {i}\n" for i in range(3000))
    with pytest.raises(InputModelError) as info:
        parse(text)
    assert info.value.span.line > 2000


def test_long_sum_parses_in_linear_time() -> None:
    text = "field u\ninit u = 1\ndt(u) = " + " + ".join(f"{i}.5*u^2" for i in range(3000)) + "\n"
    start = time.perf_counter()
    model = parse(text)
    assert time.perf_counter() - start < 10.0
    assert len(model.equations[0].rhs.args) == 1 or model.equations[0].rhs.is_Mul


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputModelError, match="directory"):
        load(tmp_path)
