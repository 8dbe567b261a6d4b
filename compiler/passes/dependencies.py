"""The dependency graph of a model: fields, auxiliaries (``let``) and equations.

Nodes are strings ``"field:u"``, ``"let:r"`` and ``"eq:u"`` (the equation determining
``u``), with attributes ``kind`` and ``name``. An edge ``a -> b`` means ``b`` reads ``a``.
Fields are the state, so they have no incoming edges; equations feed no node. A cycle
can therefore only run through auxiliaries, and is a user error.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from typing import TYPE_CHECKING

import sympy as sp

from ..diagnostics import ModelError, SemanticModelError
from ..ir.model import Model
from .resolve import fields_in

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["dependency_graph", "evaluation_order", "let_cycle_errors", "let_order"]


def dependency_graph(model: Model) -> nx.DiGraph:
    """The DiGraph of which field, let and equation reads which."""
    import networkx as nx  # on first use: `eqc check` of a model without a cycle never needs it

    field_names = {n: i for i, n in enumerate(model.field_names)}
    let_names = {n: i for i, n in enumerate(model.let_names)}

    def _reads(model: Model, e: sp.Basic) -> tuple[list[str], list[str]]:
        return fields_in(e, field_names), fields_in(e, let_names)

    g = nx.DiGraph()
    for f in model.field_names:
        g.add_node(f"field:{f}", kind="field", name=f)
    for lt in model.lets:
        g.add_node(f"let:{lt.name}", kind="let", name=lt.name)
    for lt in model.lets:
        fs, ls = _reads(model, lt.expr)
        g.add_edges_from((f"field:{f}", f"let:{lt.name}") for f in fs)
        g.add_edges_from((f"let:{x}", f"let:{lt.name}") for x in ls)
    for eq in model.equations:
        node = f"eq:{eq.field}"
        if node in g:  # two equations for one field: a check error; keep the first
            continue
        g.add_node(node, kind="equation", name=eq.field, equation=eq.kind)
        fs, ls = _reads(model, eq.lhs - eq.rhs if eq.kind == "steady" else eq.rhs)
        g.add_edges_from((f"field:{f}", node) for f in fs)
        g.add_edges_from((f"let:{x}", node) for x in ls)
    return g


def let_cycle_errors(model: Model) -> list[ModelError]:
    """One error per cycle among the auxiliaries, at the first ``let`` of the cycle."""
    if not _has_let_cycle(model):  # the common case, without networkx's import (0.15 s)
        return []
    import networkx as nx

    g = dependency_graph(model).subgraph(f"let:{n}" for n in model.let_names)
    errors: list[ModelError] = []
    seen: set[frozenset[str]] = set()
    for cycle in nx.simple_cycles(g):
        names = [n.split(":", 1)[1] for n in cycle]
        key = frozenset(names)
        if key in seen:
            continue
        seen.add(key)
        order = sorted(names, key=model.let_names.index)
        first = model.let(order[0])
        loop = " -> ".join([*names, names[0]])
        errors.append(SemanticModelError(
            f"the definitions of {', '.join(f'`{n}`' for n in order)} refer to each other in a cycle ({loop})",
            first.span,
            "a `let` may use other lets only if they do not come back to it",
        ))
        if len(errors) >= 10:
            break
    return errors


def evaluation_order(model: Model) -> list[str]:
    """The graph's nodes in a topological order: fields, then lets as needed, then
    equations (ties broken by declaration order). Raises on a cycle among the lets."""
    import networkx as nx

    g = dependency_graph(model)
    rank = {f"field:{n}": (0, i) for i, n in enumerate(model.field_names)}
    rank |= {f"let:{n}": (1, i) for i, n in enumerate(model.let_names)}
    rank |= {f"eq:{e.field}": (2, i) for i, e in enumerate(model.equations)}
    try:
        return list(nx.lexicographical_topological_sort(g, key=lambda n: rank.get(n, (3, 0))))
    except nx.NetworkXUnfeasible:
        errors = let_cycle_errors(model)
        if len(errors) == 1:
            raise errors[0] from None
        from ..diagnostics import ModelErrors

        raise ModelErrors(errors) from None


def _has_let_cycle(model: Model) -> bool:
    let_names = {n: i for i, n in enumerate(model.let_names)}
    try:
        TopologicalSorter({lt.name: fields_in(lt.expr, let_names) for lt in model.lets}).prepare()
    except CycleError:
        return True
    return False


def let_order(model: Model) -> list[str]:
    """The names of the lets in an order where each comes after those it reads."""
    return [n.split(":", 1)[1] for n in evaluation_order(model) if n.startswith("let:")]
