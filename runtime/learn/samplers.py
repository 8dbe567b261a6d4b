"""Collocation samplers on a box: uniform random, scrambled Sobol (scipy.stats.qmc;
Sobol 1967, Owen scrambling), and the residual-based adaptive refinement with
distribution RAR-D of Wu, Zhu, Tan, Kartha & Lu (2023), "A comprehensive study of
non-adaptive and residual-based adaptive sampling for PINNs", CMAME 403, 115671, eq. (2):
new points are drawn from candidates with probability ``eps^k / mean(eps^k) + c``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["uniform", "sobol", "rar_d_select", "SAMPLERS"]


def uniform(n: int, lo: Sequence[float], hi: Sequence[float], seed: int) -> np.ndarray:
    """``n`` independent uniform points in the box, shape ``(n, dim)``."""
    rng = np.random.default_rng(seed)
    lo_, hi_ = np.asarray(lo, float), np.asarray(hi, float)
    return lo_ + rng.random((n, len(lo_))) * (hi_ - lo_)


def sobol(n: int, lo: Sequence[float], hi: Sequence[float], seed: int) -> np.ndarray:
    """The first ``n`` points of a scrambled Sobol sequence in the box."""
    from scipy.stats import qmc

    d = len(lo)
    m = max(0, int(np.ceil(np.log2(max(n, 1)))))
    pts = qmc.Sobol(d, scramble=True, seed=seed).random_base2(m)[:n]
    return qmc.scale(pts, np.asarray(lo, float), np.asarray(hi, float)) if d else pts


SAMPLERS = {"uniform": uniform, "sobol": sobol, "rar-d": sobol}


def rar_d_select(candidates: np.ndarray, residual: np.ndarray, m: int, seed: int, k: float = 2.0, c: float = 0.0) -> np.ndarray:
    """``m`` of the ``candidates`` drawn without replacement with probability
    proportional to ``|residual|^k / mean(|residual|^k) + c`` (RAR-D, k = 2, c = 0 by default)."""
    e = np.abs(np.asarray(residual, float)) ** k
    mean = e.mean()
    p = (e / mean if mean > 0 else np.ones_like(e)) + c
    p = p / p.sum()
    rng = np.random.default_rng(seed)
    m = min(m, int(np.count_nonzero(p)))
    idx = rng.choice(len(candidates), size=m, replace=False, p=p)
    return candidates[idx]
