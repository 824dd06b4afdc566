"""Trees back to text: derivcli's own syntax, with only the parentheses needed.

A printer is a :class:`~derivcli.language.tree.Fold` whose result for each
node is its precedence and its text as a *rope* (a string, or a tuple of
ropes). Parents wrap or join their children's ropes without copying them,
and the final string is assembled once, so printing is linear in the size of
the output even for a 5,000-term chain (joining strings level by level would
copy the growing text at every level: quadratic).

Precedence, lowest to highest: ``+ -`` (1), ``* /`` (2), unary minus (3),
``**`` (4, right-associative), atoms (5). Other printers (torch code in
``autograd/graph.py``, LaTeX) subclass :class:`TextPrinter` and change the
rules for calls and constants.
"""

from __future__ import annotations

from typing import Union

from derivcli.language.tree import (
    BinaryOp,
    Call,
    Constant,
    Fold,
    Negate,
    Node,
    Number,
    Variable,
    fold,
)

Rope = Union[str, tuple["Rope", ...]]
# (precedence of the node's text, the text)
Printed = tuple[int, Rope]

SUM, PRODUCT, NEGATION, POWER, ATOM = 1, 2, 3, 4, 5
PRECEDENCE = {"+": SUM, "-": SUM, "*": PRODUCT, "/": PRODUCT, "**": POWER}


def wrap(printed: Printed, required: int) -> Rope:
    """The child's text, in parentheses if it binds less tightly than ``required``."""
    precedence, rope = printed
    return rope if precedence >= required else ("(", rope, ")")


def join(ropes: list[Rope], separator: str) -> Rope:
    parts: list[Rope] = []
    for i, rope in enumerate(ropes):
        if i:
            parts.append(separator)
        parts.append(rope)
    return tuple(parts)


def flatten(rope: Rope, limit: int | None = None) -> str:
    """The string a rope stands for (iteratively: ropes nest as deep as trees).

    With a ``limit``, only that many characters are assembled, and a cut text
    ends in "...".
    """
    if limit is None:
        return _joined(rope)
    pieces: list[str] = []
    size = 0
    stack: list[Rope] = [rope]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            pieces.append(item)
            size += len(item)
            if limit is not None and size > limit:
                return "".join(pieces)[:limit] + "..."
        else:
            stack.extend(reversed(item))
    return "".join(pieces)


def _joined(rope: Rope) -> str:
    """The whole string of a rope: a stack of iterators, one per open tuple, so
    a tuple's parts are read in place, not copied reversed onto the stack
    (every printed expression and closed form is assembled here: about a
    third faster on a batch line's)."""
    pieces: list[str] = []
    append = pieces.append
    stack = [iter((rope,))]
    while stack:
        for item in stack[-1]:
            if type(item) is str:
                append(item)
            else:
                stack.append(iter(item))
                break
        else:
            stack.pop()
    return "".join(pieces)


class TextPrinter(Fold[Printed]):
    """derivcli's own syntax: ``x**2 + 2*x + 1``, ``-sin(x)``, ``x*cos(x) + sin(x)``."""

    def number(self, node: Number) -> Printed:
        return (ATOM, node.text)

    def constant(self, node: Constant) -> Printed:
        return (ATOM, node.name)

    def variable(self, node: Variable) -> Printed:
        return (ATOM, node.name)

    def negate(self, node: Negate, operand: Printed) -> Printed:
        # -(a*b) is written -a*b: (-a)*b is the same number, so a product
        # needs no parentheses, but the result then binds like a product.
        if operand[0] == PRODUCT:
            return (PRODUCT, ("-", operand[1]))
        return (NEGATION, ("-", wrap(operand, NEGATION)))

    def binary(self, node: BinaryOp, left: Printed, right: Printed) -> Printed:
        precedence = PRECEDENCE[node.op]
        if node.op == "**":
            # right-associative: a power on the left needs parentheses, one on
            # the right does not; x**-2 needs none either
            exponent = NEGATION if right[0] == NEGATION else POWER
            return (POWER, (wrap(left, POWER + 1), "**", wrap(right, exponent)))
        operator = f" {node.op} " if precedence == SUM else node.op
        return (precedence, (wrap(left, precedence), operator, wrap(right, precedence + 1)))

    def call(self, node: Call, args: list[Printed]) -> Printed:
        return (ATOM, (node.name, "(", join([rope for _, rope in args], ", "), ")"))


def to_text(tree: Node, printer: Fold[Printed] | None = None) -> str:
    """The tree as text (derivcli's syntax unless another printer is given)."""
    _, rope = fold(tree, printer if printer is not None else TextPrinter())
    return flatten(rope)
