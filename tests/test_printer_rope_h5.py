"""Ropes are assembled into text without recursion, in order, whatever their depth
(the printer's joiner was rewritten for speed, issue 11). The expected texts are
built here by plain string operations, not by derivcli's printer."""

from __future__ import annotations

from fractions import Fraction

from derivcli.language.printer import flatten, to_text
from derivcli.language.tree import BinaryOp, Negate, Node, Number, Variable


def test_deep_sum_prints_in_order() -> None:
    # x + 1 + 2 + ... + 5000, built left-deep: 5,000 levels of ropes
    tree = BinaryOp("+", Variable("x"), Number(Fraction(1), "1"))
    for k in range(2, 5001):
        tree = BinaryOp("+", tree, Number(Fraction(k), str(k)))
    assert to_text(tree) == "x + " + " + ".join(str(k) for k in range(1, 5001))


def test_deep_negation_prints_every_sign() -> None:
    # -(-(...(-x))): 20,000 minus signs; a negation binds as tightly as its
    # operand's, so no parentheses (---x)
    tree: Node = Variable("x")
    for _ in range(20_000):
        tree = Negate(tree)
    assert to_text(tree) == "-" * 20_000 + "x"


def test_nested_tuples_and_empty_parts() -> None:
    rope = ("a", (), ("b", ("c", ""), "d"), (("e",),))
    assert flatten(rope) == "abcde"
    assert flatten(rope, limit=2) == "ab..."
