"""Functions that are expressions of others, written out.

silu(a) is a*sigmoid(a), leaky_relu(a, s) is relu(a) - s*relu(-a): the table
gives each such function a ``definition``. The symbolic engine and the exact
and float64 evaluators work on the tree with every definition written out
(so they need rules only for the primitives), while the torch side and the
printed expression keep the user's own function, the one a PyTorch user
calls. Missing optional parameters take their defaults here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

from derivcli.language.functions import ARGUMENT_NAMES, FunctionSpec, function, lookup_constant
from derivcli.language.parser import _template, substitute
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


def definition_of(spec: FunctionSpec, count: int) -> str | None:
    """The definition of ``spec`` called with ``count`` arguments, if it has one."""
    if spec.definition is None:
        return None
    return spec.definition.get(count, spec.definition.get(-1))


def with_defaults(spec: FunctionSpec, args: list[Node]) -> list[Node]:
    """The arguments with every missing optional parameter at its default."""
    filled = list(args)
    for param in spec.params[len(filled) - spec.arity :]:
        if param.default is not None:
            size = abs(param.default)
            number = Number(_fraction(size), f"{size:g}")
            filled.append(Negate(number) if param.default < 0 else number)
    return filled


def _fraction(value: float) -> Fraction:
    return Fraction(str(value))


class _Expand(Fold[Node]):
    def number(self, node: Number) -> Node:
        return node

    def constant(self, node: Constant) -> Node:
        return node

    def variable(self, node: Variable) -> Node:
        return node

    def negate(self, node: Negate, operand: Node) -> Node:
        return node if operand is node.operand else Negate(operand, node.column)

    def binary(self, node: BinaryOp, left: Node, right: Node) -> Node:
        if left is node.left and right is node.right:
            return node
        return BinaryOp(node.op, left, right, node.column)

    def call(self, node: Call, args: list[Node]) -> Node:
        spec = function(node.name)
        text = definition_of(spec, len(args))
        if text is None:
            if all(a is b for a, b in zip(args, node.args, strict=True)):
                return node
            return Call(node.name, tuple(args), node.column)
        # the definition may use functions that have definitions of their own
        written = expand(substitute(_template(text), with_defaults(spec, args), node.column))
        if isinstance(written, (Negate, BinaryOp, Call)):
            # an error found in the written-out form names the user's own call
            return replace(written, origin=node.origin or node)
        return written


def expand(tree: Node) -> Node:
    """The tree with every function that has a definition written out.

    Remembered per tree (trees are immutable): f is expanded for its closed
    form, its program and its analysis, once each line of a batch."""
    found = _EXPANDED.get(id(tree))
    if found is not None and found[0] is tree:
        return found[1]
    expanded = fold(tree, _Expand())
    if len(_EXPANDED) >= 256:
        _EXPANDED.clear()
    _EXPANDED[id(tree)] = (tree, expanded)  # the tree kept: its id stays its own
    return expanded


_EXPANDED: dict[int, tuple[Node, Node]] = {}


# ---------------------------------------------------------------- kinks


def kink_trees(call: Call) -> list[Node]:
    """The expressions whose zeros are the kinks (or jumps) of ``call``, in its own
    arguments (the function's defaults filled in): leaky_relu(x - 1) gives x - 1,
    max(x, y) gives x - y, floor(2*x) gives 2*x - round(2*x)."""
    spec = function(call.name)
    args = with_defaults(spec, list(call.args))
    return [substitute(_template(text), args, call.column) for text in spec.kinks]


class _TemplateValue(Fold[Any]):
    """A template in a, b, c, d evaluated on values that support Python's operators
    (numpy arrays, torch tensors); calls go to ``apply``."""

    def __init__(self, args: Sequence[Any], apply: Callable[[FunctionSpec, list[Any]], Any]):
        self.bound = dict(zip(ARGUMENT_NAMES, args, strict=False))
        self.apply = apply

    def number(self, node: Number) -> Any:
        return float(node.value)

    def constant(self, node: Constant) -> Any:
        constant = lookup_constant(node.name)
        assert constant is not None
        return constant.value

    def variable(self, node: Variable) -> Any:
        return self.bound[node.name]

    def negate(self, node: Negate, operand: Any) -> Any:
        return -operand

    def binary(self, node: BinaryOp, left: Any, right: Any) -> Any:
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if node.op == "/":
            return left / right
        return left**right

    def call(self, node: Call, args: list[Any]) -> Any:
        return self.apply(function(node.name), args)


def kink_values(
    spec: FunctionSpec,
    args: Sequence[Any],
    apply: Callable[[FunctionSpec, list[Any]], Any],
) -> list[Any]:
    """Each kink expression of ``spec`` evaluated on already computed argument
    values (tensors, arrays; constant parameters as numbers), calls through
    ``apply``: where one is 0, the call sits on a kink."""
    filled = list(args) + [
        p.default for p in spec.params[len(args) - spec.arity :] if p.default is not None
    ]
    rules = _TemplateValue(filled, apply)
    return [fold(_template(text), rules) for text in spec.kinks]
