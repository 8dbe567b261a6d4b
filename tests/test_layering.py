"""The import layering of DESIGN.md, checked by import-linter's contracts in pyproject.toml.

import-linter walks a package's folder on disk, and eqc's sub-packages live in sibling
folders (setup.py maps them), so the test lays the sources out as one tree first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"frontend": "frontend", "compiler": "compiler", "backends": "backends", "runtime": "runtime", "stdlib": "stdlib"}


def test_import_contracts_hold(tmp_path: Path) -> None:
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.fail("import-linter is not installed; run pip install -e '.[test]'")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "eqc", tmp_path / "eqc", ignore=ignore)
    for sub, folder in FOLDERS.items():
        shutil.copytree(ROOT / folder, tmp_path / "eqc" / sub, ignore=ignore)
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    proc = subprocess.run(
        [exe, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=tmp_path, capture_output=True, text=True, env=env,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_import_eqc_is_light() -> None:
    code = (
        "import sys, eqc; heavy = [m for m in ('jax', 'numba', 'llvmlite') if m in sys.modules]; "
        "print(','.join(heavy)); sys.exit(1 if heavy else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, f"import eqc pulled in: {proc.stdout}{proc.stderr}"
