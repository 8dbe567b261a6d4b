"""Loading models: ``load(path or "stdlib:NAME")`` and ``parse(text)`` give a checked Model.

Reading refuses what is not model text before the parser sees it: a missing file, a file
that is not UTF-8, one over :data:`MAX_BYTES`, an empty one — each an
:class:`~eqc.compiler.diagnostics.InputModelError`. ``stdlib:NAME`` names a standard
model shipped in ``eqc/stdlib`` (``eqc list`` shows them).
"""

from __future__ import annotations

import os

from ..compiler.diagnostics import InputModelError, Span
from ..compiler.ir.model import Model
from .build import build_model
from .parser import parse_statements
from .source import MAX_BYTES, STDLIB_PREFIX, read_source, stdlib_names, stdlib_path

__all__ = [
    "load", "parse", "read_source", "stdlib_names", "stdlib_path", "MAX_BYTES", "MAX_STATEMENTS", "STDLIB_PREFIX",
]

MAX_STATEMENTS = 2_000


def parse(text: str, filename: str = "<string>") -> Model:
    """The checked :class:`Model` written in ``text``; raises a ModelError on any mistake."""
    if not isinstance(text, str):
        raise TypeError(f"parse() takes the model text as a str, got {type(text).__name__}")
    if len(text) > MAX_BYTES:
        raise InputModelError(
            f"the model text is {len(text) / 1e3:.0f} kB; eqc reads models up to {MAX_BYTES // 1000} kB",
            Span(filename, 1, 1, 1, 2, text[:1000]),
            "a model is a short description; generate large data separately",
        )
    stmts = parse_statements(text, filename)
    if len(stmts) > MAX_STATEMENTS:
        s = stmts[MAX_STATEMENTS].pos
        raise InputModelError(
            f"the model has {len(stmts)} statements; eqc reads models of up to {MAX_STATEMENTS}",
            Span(filename, s.line, s.column, s.end_line, s.end_column, text),
            "a model is a short description; split it or generate it in Python with eqc.Model",
        )
    return build_model(stmts, text, filename)


def load(path: str | os.PathLike[str]) -> Model:
    """The checked :class:`Model` in the file ``path`` or the standard model ``stdlib:NAME``."""
    text, filename = read_source(path)
    return parse(text, filename)
