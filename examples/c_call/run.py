"""The C example (main.c) from Python, through the ctypes loader `eqc compile` writes.

    eqc compile stdlib:gray_scott --target llvm -o build
    python run.py 64 100 1.0        # grid size, steps, time step (prints what main.c prints)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "build"))
import gray_scott as gs  # noqa: E402  (the generated loader: numpy + ctypes only)


def main(argv: list[str]) -> None:
    m = int(argv[0]) if argv else gs.N[0]
    nsteps = int(argv[1]) if len(argv) > 1 else 100
    dt = float(argv[2]) if len(argv) > 2 else 1.0
    n = (m, m)
    y = gs.zeros(n)
    x, yy = np.meshgrid(gs.coords("x", n), gs.coords("y", n), indexing="ij")
    bump = np.exp(-((x - 1.25) ** 2 + (yy - 1.25) ** 2) / 0.01)
    inner = gs.interior(n)
    y[(gs.FIELDS.index("u"), *inner)] = 1.0 - 0.5 * bump
    y[(gs.FIELDS.index("v"), *inner)] = 0.25 * bump
    t = gs.step(y, 0.0, dt, nsteps, n=n)
    u, v = y[(0, *inner)], y[(1, *inner)]
    print(f"t {t!r}\nsum_u {float(u.sum())!r}\nsum_v {float(v.sum())!r}\nu_centre {float(u[m // 2, m // 2])!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
