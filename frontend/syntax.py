"""The syntax tree of a ``.pde`` file: what the text says, before names are resolved.

The parser (:mod:`eqc.frontend.parser`) turns Lark's parse into these small frozen
objects; :mod:`eqc.frontend.build` resolves names and turns them into the Model IR.
Nothing past the frontend sees them. Positions are :class:`Pos` (1-based, end exclusive),
made into :class:`~eqc.compiler.diagnostics.Span` once the file name is known.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Pos",
    "Node",
    "Num",
    "Name",
    "Call",
    "Neg",
    "Chain",
    "Pow",
    "Statement",
    "ModelStmt",
    "DomainStmt",
    "GridStmt",
    "ParamStmt",
    "FieldStmt",
    "LetStmt",
    "EqStmt",
    "BcStmt",
    "InitStmt",
    "SolveStmt",
    "TrainStmt",
]


@dataclass(frozen=True, slots=True)
class Pos:
    """A source range: 1-based line and column, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    def to(self, other: Pos) -> Pos:
        """The range from the start of ``self`` to the end of ``other``."""
        return Pos(self.line, self.column, other.end_line, other.end_column)


# ---------------------------------------------------------------------- expressions
@dataclass(frozen=True, slots=True)
class Num:
    text: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]
    pos: Pos
    name_pos: Pos


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node
    pos: Pos


@dataclass(frozen=True, slots=True)
class Chain:
    """A flat ``a + b - c`` or ``a * b / c``: ``first`` then ``(op, operand)`` pairs."""

    first: Node
    rest: tuple[tuple[str, Node], ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Pow:
    base: Node
    exponent: Node
    pos: Pos


Node = Num | Name | Call | Neg | Chain | Pow


# ----------------------------------------------------------------------- statements
@dataclass(frozen=True, slots=True)
class ModelStmt:
    name: str
    title: str | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class DomainStmt:
    name: str
    lo: Node
    hi: Node
    periodic: bool
    pos: Pos


@dataclass(frozen=True, slots=True)
class GridStmt:
    sizes: tuple[Num, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class ParamStmt:
    name: str
    value: Node | None
    doc: str | None
    unit: str | None
    unknown: bool
    pos: Pos
    extras_pos: tuple[tuple[str, Pos], ...] = ()


@dataclass(frozen=True, slots=True)
class FieldStmt:
    names: tuple[tuple[str, Pos], ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class LetStmt:
    name: str
    expr: Node
    pos: Pos


@dataclass(frozen=True, slots=True)
class EqStmt:
    lhs: Node
    rhs: Node
    pos: Pos


@dataclass(frozen=True, slots=True)
class BcStmt:
    lhs: Node
    rhs: Node
    axis: str
    axis_pos: Pos
    where: Node
    pos: Pos


@dataclass(frozen=True, slots=True)
class InitStmt:
    name: str
    expr: Node
    pos: Pos


@dataclass(frozen=True, slots=True)
class SolveStmt:
    var: str
    t0: Node
    t1: Node
    options: tuple[tuple[str, Node | str, Pos], ...]  # ("step"|"method"|"save", value, pos)
    pos: Pos


@dataclass(frozen=True, slots=True)
class TrainStmt:
    method: str
    options: tuple[tuple[str, str, str, Pos], ...]  # (key, kind, text, pos)
    pos: Pos


Statement = (
    ModelStmt
    | DomainStmt
    | GridStmt
    | ParamStmt
    | FieldStmt
    | LetStmt
    | EqStmt
    | BcStmt
    | InitStmt
    | SolveStmt
    | TrainStmt
)
