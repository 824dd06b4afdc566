"""The one tree walk, ``fold``: its order, its sharing, and trees of any depth.

fold recurses for the first RECURSION_DEPTH levels and walks deeper subtrees
with an explicit stack; both must call the rules in the same order (children
first, left to right: the compiler's instruction order depends on it) and
fold a shared node once.
"""

from __future__ import annotations

import sys
from fractions import Fraction

import pytest

from derivcli.language import tree as tree_module
from derivcli.language.parser import parse
from derivcli.language.printer import to_text
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


class Trace(Fold[str]):
    """Records each rule call; the result is the node written out in prefix form."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def number(self, node: Number) -> str:
        self.calls.append(node.text)
        return node.text

    def constant(self, node: Constant) -> str:
        self.calls.append(node.name)
        return node.name

    def variable(self, node: Variable) -> str:
        self.calls.append(node.name)
        return node.name

    def negate(self, node: Negate, operand: str) -> str:
        self.calls.append("neg")
        return f"(neg {operand})"

    def binary(self, node: BinaryOp, left: str, right: str) -> str:
        self.calls.append(node.op)
        return f"({node.op} {left} {right})"

    def call(self, node: Call, args: list[str]) -> str:
        self.calls.append(node.name)
        return f"({node.name} {' '.join(args)})"


def _shared_tree() -> Node:
    x, two = Variable("x"), Number(Fraction(2), "2")
    square = BinaryOp("**", x, two)  # shared by three parents
    return BinaryOp(
        "+",
        Call("sin", (square,)),
        Negate(BinaryOp("*", square, Call("max", (square, Constant("pi"))))),
    )


EXPECTED_CALLS = ["x", "2", "**", "sin", "pi", "max", "*", "neg", "+"]
EXPECTED_TEXT = "(+ (sin (** x 2)) (neg (* (** x 2) (max (** x 2) pi))))"


@pytest.mark.parametrize("depth", [0, 1, 2, 3, 64])
def test_order_and_sharing_are_the_same_on_both_walks(
    monkeypatch: pytest.MonkeyPatch, depth: int
) -> None:
    # depth 0: the explicit stack from the root; 64: recursion all the way
    monkeypatch.setattr(tree_module, "RECURSION_DEPTH", depth)
    trace = Trace()
    assert fold(_shared_tree(), trace) == EXPECTED_TEXT
    # x**2 is folded once although three parents hold it; children before
    # parents, left to right
    assert trace.calls == EXPECTED_CALLS


def _nested(levels: int) -> str:
    return "sin(" * levels + "x" + ")" * levels


@pytest.mark.parametrize("levels", [63, 64, 65, 200])
def test_trees_deeper_than_the_recursion_depth(levels: int) -> None:
    # the parser accepts 200 levels of nesting; around the switch from
    # recursion to the stack the text must come back whole
    assert to_text(parse(_nested(levels)).tree) == _nested(levels)


def test_a_long_chain_far_past_the_recursion_limit() -> None:
    # a left-deep chain of + with more links than Python's recursion limit
    # (longer than the parser takes: closed forms are built, not parsed)
    terms = sys.getrecursionlimit() * 3
    x = Variable("x")
    tree: Node = x
    for _ in range(terms - 1):
        tree = BinaryOp("+", tree, Variable("x"))
    trace = Trace()
    fold(tree, trace)
    assert trace.calls.count("+") == terms - 1
    assert trace.calls[:4] == ["x", "x", "+", "x"]
    assert trace.calls[-1] == "+"
    assert to_text(tree) == " + ".join(["x"] * terms)
