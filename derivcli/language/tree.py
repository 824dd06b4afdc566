"""The expression tree, and the one walk over it.

Every expression derivcli handles is a tree of these frozen nodes: what the
user typed (built by ``parser.py``) and every closed form (converted back from
symengine by ``symbolic/calculus.py``). Everything that turns a tree into
something else (text, LaTeX, a symengine expression, a torch graph, a value
in MPFR or in numpy) is a :class:`Fold`: one method per kind of node, each
receiving what the fold already made of the node's children. :func:`fold`
does the walking, once, for all of them:

* without recursion, so a 5,000-term sum (a left-deep chain of ``+``) or a
  tree nested 200 levels deep is walked like any other;
* once per node object: closed forms share subtrees (a DAG), and a shared
  subtree is folded once, which keeps work linear in the size of the DAG.

Nodes carry the 1-based column where they were read (0 for nodes that were
not read from text, such as closed forms), so errors can point at them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar, Union

T = TypeVar("T")


@dataclass(frozen=True)
class Number:
    value: Fraction
    text: str  # as written (or printed): "2", "0.5", "1e-3"
    column: int = 0


@dataclass(frozen=True)
class Constant:
    name: str  # a name of the constant table: pi, E
    column: int = 0


@dataclass(frozen=True)
class Variable:
    name: str
    column: int = 0


@dataclass(frozen=True)
class Negate:
    operand: Node
    column: int = 0


@dataclass(frozen=True)
class BinaryOp:
    op: str  # one of + - * / **
    left: Node
    right: Node
    column: int = 0


@dataclass(frozen=True)
class Call:
    name: str  # canonical name from the function table
    args: tuple[Node, ...]
    column: int = 0


Node = Union[Number, Constant, Variable, Negate, BinaryOp, Call]


class Fold(Generic[T]):
    """What to make of each kind of node, given what was made of its children.

    Subclasses override the methods for the nodes they meet; the defaults
    raise, so a fold that forgets a kind of node fails loudly.
    """

    def number(self, node: Number) -> T:
        raise NotImplementedError(f"{type(self).__name__} has no rule for numbers")

    def constant(self, node: Constant) -> T:
        raise NotImplementedError(f"{type(self).__name__} has no rule for constants")

    def variable(self, node: Variable) -> T:
        raise NotImplementedError(f"{type(self).__name__} has no rule for variables")

    def negate(self, node: Negate, operand: T) -> T:
        raise NotImplementedError(f"{type(self).__name__} has no rule for '-'")

    def binary(self, node: BinaryOp, left: T, right: T) -> T:
        raise NotImplementedError(f"{type(self).__name__} has no rule for '{node.op}'")

    def call(self, node: Call, args: list[T]) -> T:
        raise NotImplementedError(f"{type(self).__name__} has no rule for {node.name}()")


def children(node: Node) -> tuple[Node, ...]:
    """A node's children, left to right."""
    if isinstance(node, BinaryOp):
        return (node.left, node.right)
    if isinstance(node, Negate):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    return ()


def fold(tree: Node, rules: Fold[T]) -> T:
    """Fold ``tree`` bottom-up with ``rules``: children first, left to right.

    Iterative (an explicit stack), and each node object is folded once: a
    subtree shared by several parents gives all of them the same result.
    """
    done: dict[int, T] = {}
    stack: list[tuple[Node, bool]] = [(tree, False)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if key in done:
            continue
        kids = children(node)
        if kids and not expanded:
            stack.append((node, True))
            stack.extend((kid, False) for kid in reversed(kids) if id(kid) not in done)
            continue
        done[key] = _apply(node, rules, [done[id(kid)] for kid in kids])
    return done[id(tree)]


def _apply(node: Node, rules: Fold[T], results: list[T]) -> T:
    if isinstance(node, Number):
        return rules.number(node)
    if isinstance(node, Variable):
        return rules.variable(node)
    if isinstance(node, Constant):
        return rules.constant(node)
    if isinstance(node, Negate):
        return rules.negate(node, results[0])
    if isinstance(node, BinaryOp):
        return rules.binary(node, results[0], results[1])
    return rules.call(node, results)


def walk(tree: Node) -> Iterator[Node]:
    """Every node of a tree, parents before children, left to right (no
    recursion; a shared subtree is visited once per parent)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def unique_nodes(tree: Node) -> Iterator[Node]:
    """Every distinct node object of a tree or DAG, each once."""
    seen: set[int] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(reversed(children(node)))


def count_nodes(tree: Node) -> int:
    """Operations and leaves in the tree as written (shared subtrees counted once)."""
    return sum(1 for _ in unique_nodes(tree))


def any_node(tree: Node, test: Callable[[Node], bool]) -> bool:
    """Whether some node of the tree passes ``test``."""
    return any(test(node) for node in unique_nodes(tree))
