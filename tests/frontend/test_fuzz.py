"""Property: whatever text the parser is given — random characters, or a standard model
with characters and tokens deleted, inserted or swapped — it returns a Model or raises a
ModelError with a span. Never another exception."""

from __future__ import annotations

import re

from eqc.compiler.diagnostics import ModelError, ModelErrors
from eqc.frontend.loader import parse, read_source, stdlib_names
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SOURCES = [read_source(f"stdlib:{n}")[0] for n in stdlib_names()]
TOKENS = ["(", ")", "[", "]", "=", "==", "+", "-", "*", "/", "^", ",", "\n", "#", "1e", "1.2.3", "0", "2.5",
          "x", "t", "u", "dt(", "d(", "lap(", "grad(", "div(", "model", "domain", "grid", "param", "field",
          "let", "bc", "init", "solve", "train", "at", "in", "periodic", "unknown", "step", "method",
          "\"", "\\", "\t", "é", "\x00", "pi", "exp", "lo", "hi", " x ", "9" * 30]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_parses_or_reports(text: str) -> None:
    try:
        parse(text, "fuzz.pde")
    except ModelError as exc:
        errors = exc.errors if isinstance(exc, ModelErrors) else (exc,)
        for e in errors:
            assert e.span is not None, f"{type(e).__name__} without a span: {e}"
            assert e.span.file == "fuzz.pde"


@SETTINGS
@given(st.text(alphabet=st.sampled_from("abdtux()[]=+-*/^,.0123456789e #\n\"periodic"), max_size=120))
def test_random_text(text: str) -> None:
    assert_parses_or_reports(text)


@SETTINGS
@given(st.text(max_size=80))
def test_random_unicode(text: str) -> None:
    assert_parses_or_reports(text)


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "swap", "delete_token", "insert_token", "swap_tokens"]))
        if op in ("delete", "insert", "swap"):
            i = draw(st.integers(0, max(0, len(text) - 1)))
            if op == "delete":
                text = text[:i] + text[i + 1:]
            elif op == "insert":
                text = text[:i] + draw(st.characters(codec="utf-8")) + text[i:]
            elif i + 1 < len(text):
                text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
            continue
        pieces = re.findall(r"\w+|\s+|.", text)
        j = draw(st.integers(0, max(0, len(pieces) - 1)))
        if op == "delete_token" and pieces:
            del pieces[j]
        elif op == "insert_token":
            pieces.insert(j, draw(st.sampled_from(TOKENS)))
        elif pieces:
            k = draw(st.integers(0, len(pieces) - 1))
            pieces[j], pieces[k] = pieces[k], pieces[j]
        text = "".join(pieces)
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_stdlib_models(text: str) -> None:
    assert_parses_or_reports(text)


LINES = sorted({line for text in SOURCES for line in text.splitlines() if line.strip()})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES), max_size=12))
def test_statement_soup(lines: list[str]) -> None:
    """Lines of different standard models thrown together: semantic errors, all with spans."""
    assert_parses_or_reports("\n".join(lines) + "\n")
