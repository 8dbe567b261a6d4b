"""Checkpoints written atomically: a temporary file in the target's folder, flushed and
fsynced, then ``os.replace``d over the target (atomic on POSIX and Windows), so a crash
mid-write leaves the previous checkpoint intact. Shared by the classical runs and the
PINN/FNO training loops.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

__all__ = ["atomic_write", "atomic_write_bytes", "save_checkpoint", "load_checkpoint"]

_META = "__eqc_meta__"


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; on a clean exit it replaces ``path``, on an
    exception it is removed and ``path`` is untouched."""
    if mode not in ("w", "wb"):
        raise ValueError("atomic_write opens for writing only: mode 'w' or 'wb'")
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({"encoding": "utf-8"} if mode == "w" else {})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path, "wb") as f:
        f.write(data)


def save_checkpoint(path: str | os.PathLike, arrays: Mapping[str, Any], meta: Mapping[str, Any] | None = None) -> None:
    """Save named arrays (numpy ``.npz``) and JSON metadata to ``path`` atomically."""
    if _META in arrays:
        raise ValueError(f"{_META} is reserved")
    buf = io.BytesIO()
    payload = {k: np.asarray(v) for k, v in arrays.items()}
    payload[_META] = np.frombuffer(json.dumps(dict(meta or {}), sort_keys=True).encode(), dtype=np.uint8)
    np.savez(buf, **payload)
    atomic_write_bytes(path, buf.getvalue())


def load_checkpoint(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and metadata a :func:`save_checkpoint` wrote."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k != _META}
        meta = json.loads(z[_META].tobytes().decode()) if _META in z.files else {}
    return arrays, meta
