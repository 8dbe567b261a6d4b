"""Butcher tableaus of explicit Runge–Kutta methods.

A tableau ``(A, b, c)`` defines the s-stage method (Hairer, Nørsett & Wanner, *Solving
Ordinary Differential Equations I*, 2nd ed., Springer 1993, §II.1, eq. (1.8))::

    k_i = f(t + c_i h, y + h sum_j a_ij k_j),   y_new = y + h sum_i b_i k_i.

:class:`ButcherTableau` checks its own consistency when built: ``A`` strictly lower
triangular (explicit), row sums equal to ``c`` (HNW I, eq. (1.9)), weights summing to 1, and
the order conditions of its claimed order up to 5 (HNW I, Table 2.2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ButcherTableau", "order_conditions_residual", "stability_function"]

_TOL = 1e-12


def _order_conditions(A: np.ndarray, b: np.ndarray, c: np.ndarray, order: int) -> list[tuple[str, float]]:
    """Residuals of the rooted-tree order conditions up to ``order`` (HNW I, Table 2.2)."""
    Ac = A @ c
    Ac2 = A @ c**2
    AAc = A @ Ac
    conds: list[tuple[str, float]] = []
    if order >= 1:
        conds.append(("sum b = 1", b.sum() - 1.0))
    if order >= 2:
        conds.append(("b.c = 1/2", b @ c - 1 / 2))
    if order >= 3:
        conds += [("b.c^2 = 1/3", b @ c**2 - 1 / 3), ("b.Ac = 1/6", b @ Ac - 1 / 6)]
    if order >= 4:
        conds += [
            ("b.c^3 = 1/4", b @ c**3 - 1 / 4),
            ("b.(c*Ac) = 1/8", b @ (c * Ac) - 1 / 8),
            ("b.Ac^2 = 1/12", b @ Ac2 - 1 / 12),
            ("b.AAc = 1/24", b @ AAc - 1 / 24),
        ]
    if order >= 5:
        conds += [
            ("b.c^4 = 1/5", b @ c**4 - 1 / 5),
            ("b.(c^2*Ac) = 1/10", b @ (c**2 * Ac) - 1 / 10),
            ("b.(Ac)^2 = 1/20", b @ Ac**2 - 1 / 20),
            ("b.(c*Ac^2) = 1/15", b @ (c * Ac2) - 1 / 15),
            ("b.Ac^3 = 1/20", b @ (A @ c**3) - 1 / 20),
            ("b.(c*AAc) = 1/30", b @ (c * AAc) - 1 / 30),
            ("b.A(c*Ac) = 1/40", b @ (A @ (c * Ac)) - 1 / 40),
            ("b.AAc^2 = 1/60", b @ (A @ Ac2) - 1 / 60),
            ("b.AAAc = 1/120", b @ (A @ AAc) - 1 / 120),
        ]
    return conds


def order_conditions_residual(A, b, c, order: int) -> dict[str, float]:
    """The residual of every order condition up to ``order`` (max 5), by name."""
    A, b, c = (np.asarray(v, dtype=float) for v in (A, b, c))
    return {name: float(r) for name, r in _order_conditions(A, b, c, order)}


@dataclass(frozen=True, slots=True)
class ButcherTableau:
    """An explicit Runge–Kutta method.

    ``a`` holds the strictly lower rows of A (row i has i entries), ``b`` the weights,
    ``c`` the nodes, ``order`` the order of ``b``. An embedded pair also gives
    ``b_err`` (= b - b_hat, the weights of the local error estimate) and
    ``embedded_order``; ``fsal`` marks a last stage evaluated at the new solution.
    """

    name: str
    a: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]
    c: tuple[float, ...]
    order: int
    b_err: tuple[float, ...] | None = None
    embedded_order: int | None = None
    fsal: bool = False

    def __post_init__(self) -> None:
        s = len(self.b)
        if len(self.c) != s or len(self.a) != s:
            raise ValueError(f"tableau {self.name}: a, b and c need {s} stages each")
        for i, row in enumerate(self.a):
            if len(row) != i:
                raise ValueError(
                    f"tableau {self.name}: row {i} of A has {len(row)} entries; an explicit "
                    f"method needs exactly {i} (strictly lower triangular)"
                )
            if abs(sum(row) - self.c[i]) > _TOL:
                raise ValueError(
                    f"tableau {self.name}: row {i} of A sums to {sum(row)!r}, not c[{i}] = {self.c[i]!r}"
                )
        A, b, c = self.matrix, np.asarray(self.b), np.asarray(self.c)
        for cond, r in _order_conditions(A, b, c, min(self.order, 5)):
            if abs(r) > 1e-10:
                raise ValueError(
                    f"tableau {self.name}: order condition {cond} fails by {r:.3g}; "
                    f"the method is not of order {self.order}"
                )
        if self.b_err is not None:
            if len(self.b_err) != s:
                raise ValueError(f"tableau {self.name}: b_err needs {s} entries")
            if self.embedded_order is None:
                raise ValueError(f"tableau {self.name}: an embedded pair needs embedded_order")
            b_hat = b - np.asarray(self.b_err)
            for cond, r in _order_conditions(A, b_hat, c, min(self.embedded_order, 5)):
                if abs(r) > 1e-10:
                    raise ValueError(
                        f"tableau {self.name}: embedded weights fail {cond} by {r:.3g}"
                    )
        if self.fsal and (any(abs(x - y) > _TOL for x, y in zip(self.a[-1], self.b, strict=False))
                          or abs(self.b[-1]) > _TOL):
            raise ValueError(f"tableau {self.name}: FSAL needs the last row of A equal to b")

    @property
    def stages(self) -> int:
        return len(self.b)

    @property
    def matrix(self) -> np.ndarray:
        """A as a dense (s, s) array."""
        s = len(self.b)
        A = np.zeros((s, s))
        for i, row in enumerate(self.a):
            A[i, :i] = row
        return A

    def stability(self, z: complex | np.ndarray) -> complex | np.ndarray:
        """The stability function R(z) (HNW II, §IV.2, eq. (2.3))."""
        return stability_function(self.matrix, np.asarray(self.b), z)


def stability_function(A: np.ndarray, b: np.ndarray, z):
    """R(z) = 1 + z b^T (I - z A)^{-1} 1 of an explicit method, evaluated by the stage
    recursion (A nilpotent, so this is a polynomial)."""
    z = np.asarray(z, dtype=complex)
    s = len(b)
    g = []
    for i in range(s):
        g.append(1 + z * sum(A[i, j] * g[j] for j in range(i)))
    return 1 + z * sum(b[i] * g[i] for i in range(s))
