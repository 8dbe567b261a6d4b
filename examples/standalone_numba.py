"""A standalone numba kernel from `eqc compile`, used without eqc: Gray–Scott, 200 RK4 steps.

    eqc compile stdlib:gray_scott --target numba -o build/numba
    python examples/standalone_numba.py

(The script runs the first command itself when build/numba is missing.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

BUILD = Path("build") / "numba"
if not BUILD.exists():
    subprocess.run(["eqc", "compile", "stdlib:gray_scott", "--target", "numba", "-o", str(BUILD)], check=True)
sys.path.insert(0, str(BUILD))
import gray_scott_numba as gs  # noqa: E402  (numpy + numba only)

n = (128, 128)
y = gs.zeros(n)
x, yy = np.meshgrid(gs.coords("x", n), gs.coords("y", n), indexing="ij")
bump = np.exp(-((x - 1.25) ** 2 + (yy - 1.25) ** 2) / 0.01)
y[(0, *gs.interior(n))] = 1 - 0.5 * bump
y[(1, *gs.interior(n))] = 0.25 * bump
print(f"{gs.MODEL} (eqc {gs.EQC_VERSION}): fields {gs.FIELDS}, params {gs.PARAM_DEFAULTS}")
t = gs.step(y, 0.0, 1.0, 200, n=n)  # in place, the whole loop compiled
dudt = gs.rhs(t, y, n=n)
print(f"t = {t}, mean v = {y[(1, *gs.interior(n))].mean():.6f}, max |du/dt| = {np.abs(dudt[0]).max():.3e}")
