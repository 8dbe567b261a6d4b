"""Reading a model's text: a file or ``stdlib:NAME``, refusing what is not model text (a
missing file, a directory, a file over :data:`MAX_BYTES`, one that is not UTF-8) with an
:class:`~eqc.compiler.diagnostics.InputModelError`.

Without sympy or the parser, so that a cached ``eqc run`` (``eqc/quickrun.py``) reads the
same text the loader would, in the same way, before deciding whether it must load at all.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from ..compiler.diagnostics import InputModelError, Span, did_you_mean

__all__ = ["read_source", "stdlib_names", "stdlib_path", "MAX_BYTES", "STDLIB_PREFIX"]

MAX_BYTES = 256_000  # real models are a few kB; bigger input is refused, not parsed slowly
STDLIB_PREFIX = "stdlib:"


def read_source(path: str | os.PathLike[str]) -> tuple[str, str]:
    """``(text, display name)`` of a model file or ``stdlib:NAME``, refusing bad input early."""
    spec = os.fspath(path)
    if spec.startswith(STDLIB_PREFIX):
        file = stdlib_path(spec[len(STDLIB_PREFIX):])
        return file.read_text("utf-8"), spec
    p = Path(spec)
    if not p.exists():
        hint = None
        if not p.suffix and Path(spec + ".pde").exists():
            hint = f"did you mean `{spec}.pde`?"
        elif spec in stdlib_names():
            hint = f"for the standard model write `stdlib:{spec}`"
        raise InputModelError(f"no such file: {spec}", None, hint or "check the path; `eqc list` shows stdlib models")
    if p.is_dir():
        raise InputModelError(f"{spec} is a directory, not a model file", None, "give a .pde file")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise InputModelError(
            f"{spec} is {size / 1e3:.0f} kB; eqc reads model files up to {MAX_BYTES // 1000} kB",
            Span(spec, 1, 1, 1, 2, None),
            "is this really a .pde model file?",
        )
    data = p.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        shown = data.decode("utf-8", errors="replace")
        raise InputModelError(f"{spec} is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                              Span(spec, line, col, line, col + 1, shown),
                              "save the file as UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, spec


def stdlib_names() -> list[str]:
    """The names of the standard models, sorted."""
    root = resources.files("eqc.stdlib")
    return sorted(f.name[:-4] for f in root.iterdir() if f.name.endswith(".pde"))


def stdlib_path(name: str):
    """The file of standard model ``name`` (an importlib.resources Traversable)."""
    names = stdlib_names()
    if name not in names:
        raise InputModelError(f"no standard model named `{name}`", None,
                              did_you_mean(name, names) or "`eqc list` shows the standard models")
    return resources.files("eqc.stdlib").joinpath(f"{name}.pde")
