"""What every command shares: loading a model argument and turning user errors into
``file:line:col`` messages with exit status 2 (never a traceback)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..compiler.diagnostics import ModelError, render

F = TypeVar("F", bound=Callable[..., Any])

EXIT_USER_ERROR = 2


def fail(message: str, hint: str | None = None) -> None:
    """Print a user error (no traceback) and exit with status 2."""
    click.echo(f"error: {message}", err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)
    sys.exit(EXIT_USER_ERROR)


def user_errors(func: F) -> F:
    """Decorate a command so a :class:`ModelError` prints as a diagnostic and exits 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ModelError as exc:
            click.echo(render(exc), err=True)
            sys.exit(EXIT_USER_ERROR)

    return wrapper  # type: ignore[return-value]


def load_model(path: str):
    """Load ``path`` (a file or ``stdlib:NAME``) as a checked :class:`Model`."""
    from ..frontend.loader import load

    return load(path)


def parse_sets(items: tuple[str, ...]) -> dict[str, float]:
    """``--set NAME=VALUE`` options as a dict; a malformed one is a user error."""
    values: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            fail(f"--set {item!r} is not NAME=VALUE", "write e.g. --set F=0.05")
        try:
            values[name.strip()] = float(value)
        except ValueError:
            fail(f"--set {item!r}: {value!r} is not a number", "write e.g. --set F=0.05")
    return values
