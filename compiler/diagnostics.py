"""Source spans and the errors a user's model can raise.

Every error that a user's mistake can cause is a :class:`ModelError` carrying a
:class:`Span` and a hint; several are collected into one :class:`ModelErrors` before
raising so a user sees all of them at once. Internal bugs raise
:class:`InternalCompilerError` instead. :func:`render` formats an error the way the CLI
prints it::

    model.pde:12:14: error: unknown name `Du2`
       12 | dt(u) = Du2*lap(u)
          |         ^~~
    hint: did you mean `Du`?
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Span",
    "ModelError",
    "ModelErrors",
    "SyntaxModelError",
    "NameModelError",
    "SemanticModelError",
    "InputModelError",
    "InternalCompilerError",
    "render",
    "did_you_mean",
]


@dataclass(frozen=True, slots=True)
class Span:
    """A region of source text: 1-based line and column, end exclusive.

    ``text`` is the whole source the span points into (not compared), so an error can
    show the offending line without reopening the file.
    """

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.line < 1 or self.column < 1:
            raise ValueError(f"span positions are 1-based, got {self.line}:{self.column}")

    @property
    def source_line(self) -> str | None:
        if self.text is None:
            return None
        lines = self.text.splitlines()
        if 1 <= self.line <= len(lines):
            return lines[self.line - 1]
        return "" if self.line == len(lines) + 1 else None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class ModelError(Exception):
    """A mistake in a user's model: what is wrong, where, and what to do about it."""

    kind = "error"

    def __init__(self, message: str, span: Span | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span is not None else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"


class SyntaxModelError(ModelError):
    """Text that does not parse."""


class NameModelError(ModelError):
    """A name that is unknown, undeclared or declared twice."""


class SemanticModelError(ModelError):
    """A model that parses but does not make sense (missing equation, bad BC, cycle, ...)."""


class InputModelError(ModelError):
    """A file that cannot be read as model text (missing, not UTF-8, too large, empty)."""


class ModelErrors(ModelError):
    """Several model errors found together; raised once, after collecting."""

    def __init__(self, errors: Sequence[ModelError]):
        if not errors:
            raise ValueError("ModelErrors needs at least one error")
        self.errors = tuple(errors)
        first = self.errors[0]
        super().__init__(first.message, first.span, first.hint)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    @staticmethod
    def raise_if_any(errors: Sequence[ModelError]) -> None:
        """Raise the one error, or all of them together, if there are any."""
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise ModelErrors(errors)


class InternalCompilerError(Exception):
    """A bug in eqc, not in the user's model. Carries an excerpt of the IR involved."""

    def __init__(self, message: str, excerpt: str | None = None):
        super().__init__(message if excerpt is None else f"{message}\n--- IR excerpt ---\n{excerpt}")
        self.excerpt = excerpt


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate to ``name``, or None."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def _errors_of(error: ModelError) -> tuple[ModelError, ...]:
    return error.errors if isinstance(error, ModelErrors) else (error,)


def render(error: ModelError) -> str:
    """Format an error (or all errors of a :class:`ModelErrors`) for a terminal."""
    blocks = []
    for e in _errors_of(error):
        lines = []
        if e.span is None:
            lines.append(f"error: {e.message}")
        else:
            s = e.span
            lines.append(f"{s.file}:{s.line}:{s.column}: error: {e.message}")
            src = s.source_line
            if src is not None:
                src = src.expandtabs(1)
                gutter = f"{s.line:>5} | "
                lines.append(f"{gutter}{src}")
                width = s.end_column - s.column if s.end_line == s.line else len(src) - s.column + 1
                width = max(1, min(width, max(1, len(src) - s.column + 1)))
                lines.append(" " * (len(gutter) - 2) + "| " + " " * (s.column - 1) + "^" + "~" * (width - 1))
        if e.hint:
            lines.append(f"hint: {e.hint}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
