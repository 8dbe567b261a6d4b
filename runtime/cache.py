"""Content-addressed caches on disk (compiled kernels, datasets, reference solutions).

Keys are the sha256 of a canonical dump of the inputs (:func:`content_hash`): dicts with
sorted keys, floats written exactly (``float.hex``), arrays by dtype, shape and the hash of
their bytes, dataclasses by type name and fields, sympy expressions by ``srepr``. Anything
else is refused, so a key never depends on a memory address. Entries are written atomically
(:mod:`.checkpoint`). The cache folder comes from ``$EQC_CACHE_DIR`` (default
``~/.cache/eqc``), read only in :func:`cache_dir`, the runtime's edge.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .checkpoint import atomic_write_bytes

__all__ = ["cache_dir", "canonical", "content_hash", "DiskCache"]


def cache_dir(sub: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The cache folder (``$EQC_CACHE_DIR`` or ``~/.cache/eqc``), or its ``sub`` folder;
    created if missing. The only place eqc reads the environment for caching."""
    env = os.environ if environ is None else environ
    base = Path(env.get("EQC_CACHE_DIR") or Path.home() / ".cache" / "eqc").expanduser()
    path = base / sub if sub else base
    path.mkdir(parents=True, exist_ok=True)
    return path


def canonical(obj: Any) -> Any:
    """A JSON-able, canonical form of ``obj`` (see the module docstring)."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, enum.Enum):
        return {"__enum__": f"{type(obj).__qualname__}.{obj.name}"}
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return {"__float__": float(obj).hex()}
    if isinstance(obj, complex):
        return {"__complex__": [obj.real.hex(), obj.imag.hex()]}
    if isinstance(obj, bytes):
        return {"__bytes__": hashlib.sha256(obj).hexdigest()}
    if isinstance(obj, np.ndarray):
        data = np.ascontiguousarray(obj)
        return {"__array__": [str(data.dtype), list(data.shape), hashlib.sha256(data.tobytes()).hexdigest()]}
    if isinstance(obj, Mapping):
        items = [(json.dumps(canonical(k), sort_keys=True), canonical(v)) for k, v in obj.items()]
        return {"__map__": sorted(items, key=lambda kv: kv[0])}
    if isinstance(obj, (list, tuple)):
        return [canonical(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return {"__set__": sorted(json.dumps(canonical(v), sort_keys=True) for v in obj)}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: canonical(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.compare}
        return {"__dataclass__": f"{type(obj).__module__}.{type(obj).__qualname__}", "fields": fields}
    if any((c.__module__ or "").split(".")[0] == "sympy" for c in type(obj).__mro__):  # u(t, x): class made at run time
        import sympy

        return {"__sympy__": sympy.srepr(obj)}
    raise TypeError(f"cannot hash a {type(obj).__qualname__} canonically; convert it to plain data first")


def content_hash(obj: Any) -> str:
    """sha256 hex digest of the canonical dump of ``obj``."""
    text = json.dumps(canonical(obj), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class DiskCache:
    """A folder of entries named by content hash: ``path(key, suffix)``, ``get(key)``,
    ``put(key, data)`` (atomic), ``get_or_make(key, make)``."""

    def __init__(self, name: str, root: Path | None = None):
        self.root = (root if root is not None else cache_dir()) / name
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str, suffix: str = "") -> Path:
        return self.root / f"{key}{suffix}"

    def get(self, key: str, suffix: str = "") -> bytes | None:
        p = self.path(key, suffix)
        try:
            return p.read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes, suffix: str = "") -> Path:
        p = self.path(key, suffix)
        atomic_write_bytes(p, data)
        return p

    def get_or_make(self, key: str, make: Callable[[], bytes], suffix: str = "") -> bytes:
        data = self.get(key, suffix)
        if data is None:
            data = make()
            self.put(key, data, suffix)
        return data
