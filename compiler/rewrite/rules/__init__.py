"""Rule sets for the e-graph, one module per set, listed in one table.

Adding a set is one module with a ``RULES`` tuple and one line in :data:`RULE_SETS`.
"""

from __future__ import annotations

from . import algebra, explog, powers, stencil
from .base import Rule

__all__ = ["RULE_SETS", "Rule", "rules_for"]

RULE_SETS: dict[str, tuple[Rule, ...]] = {
    "algebra": algebra.RULES,
    "powers": powers.RULES,
    "explog": explog.RULES,
    "stencil": stencil.RULES,
}


def rules_for(names: tuple[str, ...], unsafe: bool = False) -> tuple[Rule, ...]:
    """The rules of the named sets (without the unsafe ones unless ``unsafe``)."""
    out: list[Rule] = []
    for name in names:
        out.extend(r for r in RULE_SETS[name] if unsafe or not r.unsafe)
    return tuple(out)
