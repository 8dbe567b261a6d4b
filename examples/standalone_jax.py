"""A standalone jax kernel from `eqc compile`, used without eqc: Gray–Scott, 200 RK4 steps.

    eqc compile stdlib:gray_scott --target jax -o build/jax
    python examples/standalone_jax.py

(The script runs the first command itself when build/jax is missing.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

BUILD = Path("build") / "jax"
if not BUILD.exists():
    subprocess.run(["eqc", "compile", "stdlib:gray_scott", "--target", "jax", "-o", str(BUILD)], check=True)
sys.path.insert(0, str(BUILD))
import gray_scott_jax as gs  # noqa: E402  (jax only)
import jax  # noqa: E402

n = (128, 128)
y = gs.zeros(n)
x, yy = np.meshgrid(gs.coords("x", n), gs.coords("y", n), indexing="ij")
bump = np.exp(-((x - 1.25) ** 2 + (yy - 1.25) ** 2) / 0.01)
y[(0, *gs.interior(n))] = 1 - 0.5 * bump
y[(1, *gs.interior(n))] = 0.25 * bump
print(f"{gs.MODEL} (eqc {gs.EQC_VERSION}): fields {gs.FIELDS}, params {gs.PARAM_DEFAULTS}")
y, t = gs.step(y, 0.0, 1.0, 200, n=n)  # pure: returns the new state
# rhs is a pure function of the parameters too: differentiate the mean of dv/dt w.r.t. F
dF = jax.grad(lambda F: gs.rhs(t, y, params={"F": F}, n=n)[1].mean())(0.04)
print(f"t = {t}, mean v = {float(y[(1, *gs.interior(n))].mean()):.6f}, d mean(dv/dt)/dF = {float(dF):.3e}")
