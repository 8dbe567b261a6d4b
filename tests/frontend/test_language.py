"""The .pde language: each construct of docs/language.md gives the IR it should."""

from __future__ import annotations

import pytest
import sympy as sp
from eqc.compiler.ir.symbols import TIME, coord, param
from eqc.frontend.loader import parse

x, y = coord("x"), coord("y")
t = TIME


def rhs(body: str, head: str = "domain x in [0, 1] periodic\n") -> sp.Expr:
    """The right side of `dt(u) = body` in a small periodic model."""
    text = f"{head}param a = 2\nparam b = 3\nfield u\ninit u = 0\ndt(u) = {body}\n"
    return parse(text).equations[0].rhs


def U(*axes):
    return sp.Function("u", real=True)(t, *(axes or (x,)))


@pytest.mark.parametrize("body,expected", [
    ("-a^2", -param("a") ** 2),
    ("2^3^2", sp.Integer(2) ** 9),
    ("2^-1", sp.Rational(1, 2)),
    ("-2^2", sp.Integer(-4)),
    ("a - b - u", param("a") - param("b") - U()),
    ("a/b/u", param("a") / param("b") / U()),
    ("a*(b + u)", param("a") * (param("b") + U())),
    ("1e-5 + 2.5E+3 + .5 + 7.", sp.Float(1e-5) + sp.Float(2500.0) + sp.Float(0.5) + sp.Float(7.0)),
    ("8/3", sp.Rational(8, 3)),
    ("pi*t + x", sp.pi * t + x),
    ("exp(u) + log(a) + tanh(u) + abs(u) + sign(u)", sp.exp(U()) + sp.log(param("a")) + sp.tanh(U()) + sp.Abs(U()) + sp.sign(U())),
    ("min(u, a) + max(u, a, b)", sp.Min(U(), param("a")) + sp.Max(U(), param("a"), param("b"))),
    ("sqrt(u) + sinh(u) + cosh(u) + tan(u) + cos(u)", sp.sqrt(U()) + sp.sinh(U()) + sp.cosh(U()) + sp.tan(U()) + sp.cos(U())),
    ("d(u, x)", sp.Derivative(U(), x)),
    ("d(u, x, 3)", sp.Derivative(U(), (x, 3))),
    ("d(u^2/2, x)", sp.Derivative(U() ** 2 / 2, x)),
    ("lap(u)", sp.Derivative(U(), (x, 2))),
])
def test_expressions(body: str, expected: sp.Expr) -> None:
    assert rhs(body) == expected


def test_integer_literals_are_integers_and_decimals_floats() -> None:
    e = rhs("3 + 0.5*u")
    assert sp.Integer(3) in e.args and any(isinstance(a, sp.Float) for a in e.atoms(sp.Number))


def test_two_dimensional_operators() -> None:
    head = "domain x in [0, 1] periodic\ndomain y in [0, 2] periodic\n"
    u = U(x, y)
    assert rhs("lap(u)", head) == sp.Derivative(u, (x, 2)) + sp.Derivative(u, (y, 2))
    assert rhs("d(u, x, y)", head) == sp.Derivative(u, x, y)
    assert rhs("d(u, x, 2, y)", head) == sp.Derivative(u, (x, 2), y)
    a = param("a")
    expected = sp.Derivative(a * u * sp.Derivative(u, x), x) + sp.Derivative(a * u * sp.Derivative(u, y), y)
    assert rhs("div(a*u*grad(u))", head) == expected
    assert rhs("div(grad(u) - grad(u)/2)", head) == sp.Derivative(sp.Derivative(u, x) / 2, x) + sp.Derivative(sp.Derivative(u, y) / 2, y)


def test_comments_continuation_and_keywords_as_names() -> None:
    text = """# doc line one
#   indented two

model demo "A demo"   # trailing comment
domain x in [0, 2*pi] periodic
grid 32
param step = 0.5 "a parameter named like a keyword"
param at = 1
field u
dt(u) = step*u \\
        + at
init u = sin(x)
solve t in [0, 1] step 0.1 method rk4 save every 0.5
"""
    m = parse(text)
    assert m.doc == "doc line one\n  indented two"
    assert m.title == "A demo"
    assert m.equations[0].rhs == param("step") * U() + param("at")
    assert m.axes[0].hi == 2 * sp.pi and m.axes[0].points == 32
    assert (m.solve.dt, m.solve.method, m.solve.save_every) == (0.1, "rk4", 0.5)


def test_params_doc_unit_unknown() -> None:
    m = parse('param D = 0.1 "diffusivity" [m^2/s]\nparam nu unknown\nparam k = 2 unknown\n'
              "field u\ndt(u) = -D*u - nu*u - k*u\ninit u = 1\n")
    D, nu, k = m.params
    assert (D.value, D.doc, D.unit, D.known) == (sp.Float(0.1), "diffusivity", "m^2/s", True)
    assert (nu.value, nu.known) == (None, False)
    assert (k.value, k.known) == (2, False)
    assert m.kind == "ode"


BC_HEAD = "domain x in [-1, 2]\nparam a = 2\nfield u\ninit u = 0\ndt(u) = lap(u)\n"


@pytest.mark.parametrize("lo,hi,expected", [
    ("u = 0", "u = sin(t)", [(1, 0, 0), (1, 0, sp.sin(t))]),
    ("d(u, x) = 0", "d(u, x) = 1", [(0, 1, 0), (0, 1, 1)]),
    ("a*u + 3*d(u, x) = 4", "u - d(u, x) = t^2", [(param("a"), 3, 4), (1, -1, t**2)]),
    ("2*(u + d(u, x)) = 0", "u = 1 - u", [(2, 2, 0), (2, 0, 1)]),
])
def test_boundary_conditions(lo: str, hi: str, expected) -> None:
    m = parse(BC_HEAD + f"bc {lo} at x = -1\nbc {hi} at x = 2\n")
    got = [(b.alpha, b.beta, b.value) for b in m.bcs]
    assert got == [tuple(sp.sympify(v) for v in e) for e in expected]
    assert [b.side for b in m.bcs] == ["lo", "hi"]
    assert [b.kind for b in m.bcs][0] in ("dirichlet", "neumann", "robin")


def test_bc_sides_by_name() -> None:
    m = parse(BC_HEAD + "bc u = 0 at x = hi\nbc u = 1 at x = lo\n")
    assert [(b.side, b.value) for b in m.bcs] == [("hi", 0), ("lo", 1)]
    assert m.bcs[0].time_dependent is False


def test_steady_equation_field_assignment() -> None:
    m = parse("domain x in [0, 1] periodic\ndomain y in [0, 1] periodic\nfield w, psi\n"
              "init w = sin(2*pi*x)\ndt(w) = d(psi, x)\nlap(psi) + 0*w = -w\n")
    assert [(e.field, e.kind) for e in m.equations] == [("w", "evolution"), ("psi", "steady")]
    m = parse("domain x in [0, 1]\nfield u, v\nlap(u) + v = 1\nlap(v) = u\n"
              "bc u = 0 at x = 0\nbc u = 0 at x = 1\nbc v = 0 at x = 0\nbc v = 0 at x = 1\n")
    assert [e.field for e in m.equations] == ["u", "v"] and m.kind == "steady"


def test_lets_may_be_used_before_declared_and_train_options() -> None:
    m = parse("field u\ndt(u) = -r\nlet r = s*u\nlet s = 2\ninit u = 1\n"
              "train pinn width 64 depth 4 lr 1e-3 shift -2 causal on resample off act tanh\n")
    assert m.let_names == ("r", "s")
    assert m.train.method == "pinn"
    assert dict(m.train.options) == {"width": 64, "depth": 4, "lr": 1e-3, "shift": -2, "causal": True,
                                     "resample": False, "act": "tanh"}
    assert isinstance(m.train.get("width"), int)


def test_model_name_defaults_to_the_file_name() -> None:
    assert parse("field u\ndt(u) = -u\ninit u = 1\n", "path/to/decay.pde").name == "decay"


def test_crlf_and_tabs_read_the_same() -> None:
    from eqc.frontend.loader import read_source

    text, _ = read_source("stdlib:gray_scott")
    assert parse(text.replace("\n", "\r\n").replace("  ", "\t")) == parse(text)
