"""Test-wide settings: a non-interactive plot backend and a private kernel cache."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep compiled-kernel caches of the test run out of the user's home."""
    os.environ.setdefault("EQC_CACHE_DIR", str(tmp_path_factory.mktemp("eqc-cache")))
