"""Content hashes (canonical, sensitive to every input) and the cache folder."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
import sympy
from eqc.runtime.cache import DiskCache, cache_dir, content_hash


@dataclass(frozen=True)
class Opts:
    order: int
    eps: float
    note: str = field(default="", compare=False)


def test_hash_is_canonical() -> None:
    assert content_hash({"a": 1, "b": [1.0, "x"]}) == content_hash({"b": [1.0, "x"], "a": 1})
    assert content_hash(Opts(2, 0.1, "one")) == content_hash(Opts(2, 0.1, "two"))  # not compared
    x, y = sympy.symbols("x y")
    assert content_hash(x + y) == content_hash(y + x)


def test_hash_sees_every_change() -> None:
    base = {"opts": Opts(2, 0.1), "a": np.arange(4.0), "e": sympy.sin(sympy.Symbol("x"))}
    h = content_hash(base)
    assert h != content_hash({**base, "opts": Opts(2, 0.1 + 1e-16)})
    assert h != content_hash({**base, "a": np.arange(4.0).astype(np.float32)})
    assert h != content_hash({**base, "a": np.arange(4.0).reshape(2, 2)})
    assert h != content_hash({**base, "e": sympy.cos(sympy.Symbol("x"))})
    assert content_hash(1) != content_hash(1.0) != content_hash("1")


def test_unhashable_objects_are_refused() -> None:
    with pytest.raises(TypeError, match="canonically"):
        content_hash({"f": object()})


def test_cache_dir_reads_the_environment_given(tmp_path) -> None:
    d = cache_dir("kernels", environ={"EQC_CACHE_DIR": str(tmp_path / "c")})
    assert d == tmp_path / "c" / "kernels" and d.is_dir()


def test_disk_cache_makes_once(tmp_path) -> None:
    cache = DiskCache("k", root=tmp_path)
    calls = []

    def make() -> bytes:
        calls.append(1)
        return b"compiled"

    key = content_hash({"ir": "u'=-u"})
    assert cache.get_or_make(key, make, ".bin") == b"compiled"
    assert cache.get_or_make(key, make, ".bin") == b"compiled"
    assert calls == [1] and cache.path(key, ".bin").read_bytes() == b"compiled"
