"""The dependency graph (networkx) and its topological order."""

from __future__ import annotations

import networkx as nx
import pytest
from eqc.compiler.diagnostics import ModelError
from eqc.compiler.passes.dependencies import dependency_graph, evaluation_order, let_order
from eqc.frontend.loader import load, parse


def test_gray_scott_graph() -> None:
    m = load("stdlib:gray_scott")
    g = dependency_graph(m)
    assert isinstance(g, nx.DiGraph)
    assert set(g.edges) == {("field:u", "let:r"), ("field:v", "let:r"), ("field:u", "eq:u"),
                            ("field:v", "eq:v"), ("let:r", "eq:u"), ("let:r", "eq:v")}
    assert evaluation_order(m) == ["field:u", "field:v", "let:r", "eq:u", "eq:v"]


def test_lets_are_ordered_by_use_not_by_text() -> None:
    m = parse("field u\nlet c = b + a\nlet b = 2*a\nlet a = u^2\ndt(u) = -c\ninit u = 1\n")
    assert let_order(m) == ["a", "b", "c"]
    order = evaluation_order(m)
    for before, after in [("let:a", "let:b"), ("let:b", "let:c"), ("let:c", "eq:u")]:
        assert order.index(before) < order.index(after)


def test_constraint_field_graph() -> None:
    m = load("stdlib:navier_stokes_2d")
    g = dependency_graph(m)
    assert g.nodes["eq:psi"]["equation"] == "steady"
    assert ("field:w", "eq:psi") in g.edges and ("field:psi", "eq:w") in g.edges


def test_cycle_raises() -> None:
    from dataclasses import replace

    from eqc.compiler.ir.model import Let

    m = load("stdlib:gray_scott")
    r = m.function("r")
    cyclic = replace(m, lets=(Let("r", r * m.function("u")),))
    with pytest.raises(ModelError, match="cycle"):
        evaluation_order(cyclic)
