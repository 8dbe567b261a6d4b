"""Equality saturation under limits.

Each iteration first runs the cheap (simplifying) rules to a fixpoint (at most
``cheap_rounds`` rounds), then the expansive rules once, then rebuilds. The node budget is
checked *while* matches are applied — one iteration of distribution can grow the graph
20× — and the time budget every few hundred matches, so saturation always ends; the
reason is reported. Scheduling cheap and expansive rules apart follows egg's
``BackoffScheduler`` and tinygrad's rewrite passes.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .egraph import EGraph
from .rules.base import Rule

__all__ = ["Limits", "SaturationResult", "saturate"]


@dataclass(frozen=True, slots=True)
class Limits:
    nodes: int
    seconds: float
    iterations: int
    cheap_rounds: int = 6


@dataclass(slots=True)
class SaturationResult:
    iterations: int = 0
    stop: str = "saturated"
    seconds: float = 0.0
    applied: dict[str, int] = field(default_factory=dict)


class _Stop(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def _round(
    eg: EGraph, rules: Sequence[Rule], limits: Limits, deadline: float, stats: dict, since: int
) -> bool:
    """Search the rules over the nodes whose class or children changed after version
    ``since`` (rules are functions of a node and its children's classes, so the others
    would only rediscover what is there), then apply; True if anything changed."""
    by_op: dict[str, list[Rule]] = defaultdict(list)
    for r in rules:
        by_op[r.op].append(r)
    if time.perf_counter() > deadline:
        raise _Stop("time-limit")
    eg.view_cache.clear()  # the graph does not change while rules search it
    matches: list[tuple[int, object, str]] = []
    checked = 0
    for cid in eg.class_ids():
        cls = eg.classes.get(cid)
        if cls is None or not cls.facts.varying:
            continue  # invariant classes cost nothing per point: not worth rewriting
        for node in list(cls.nodes):
            if since >= 0 and not eg.changed_since(cid, node, since):
                continue
            for rule in by_op.get(node[0], ()):
                for term in rule.apply(eg, cid, node):
                    matches.append((cid, term, rule.name))
            checked += 1
            if checked % 64 == 0 and time.perf_counter() > deadline:
                raise _Stop("time-limit")
    before = eg.version
    for i, (cid, term, name) in enumerate(matches):
        v = eg.version
        new = eg.add_term(term)
        eg.union(cid, new)
        if eg.version != v:
            stats[name] = stats.get(name, 0) + 1
        if len(eg) > limits.nodes:
            eg.rebuild()
            raise _Stop("node-limit")
        if i % 64 == 63 and time.perf_counter() > deadline:
            eg.rebuild()
            raise _Stop("time-limit")
    eg.rebuild()
    eg.view_cache.clear()
    return eg.version != before


def saturate(eg: EGraph, rules: Sequence[Rule], limits: Limits) -> SaturationResult:
    """Run ``rules`` on ``eg`` until saturation or a limit; the graph stays consistent."""
    t0 = time.perf_counter()
    deadline = t0 + limits.seconds
    res = SaturationResult()
    cheap = [r for r in rules if not r.expansive]
    expansive = [r for r in rules if r.expansive]
    seen_cheap = seen_exp = -1  # graph version each rule group last searched
    try:
        for it in range(limits.iterations):
            res.iterations = it + 1
            changed = False
            for _ in range(limits.cheap_rounds):
                v = eg.version
                if not _round(eg, cheap, limits, deadline, res.applied, seen_cheap):
                    break
                seen_cheap = v
                changed = True
            if expansive:
                v = eg.version
                if _round(eg, expansive, limits, deadline, res.applied, seen_exp):
                    changed = True
                seen_exp = v
            if not changed:
                res.stop = "saturated"
                break
        else:
            res.stop = "iteration-limit"
    except _Stop as stop:
        res.stop = stop.reason
    res.seconds = time.perf_counter() - t0
    return res
