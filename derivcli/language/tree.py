"""The expression tree, and the one walk over it.

Every expression derivcli handles is a tree of these frozen nodes: what the
user typed (built by ``parser.py``) and every closed form (converted back from
symengine by ``symbolic/calculus.py``). Everything that turns a tree into
something else (text, LaTeX, a symengine expression, a torch graph, a value
in MPFR or in numpy) is a :class:`Fold`: one method per kind of node, each
receiving what the fold already made of the node's children. :func:`fold`
does the walking, once, for all of them:

* recursing only for the first levels (fast on the small trees of a batch
  line) and with an explicit stack below them, so a 5,000-term sum (a
  left-deep chain of ``+``) or a tree nested 200 levels deep is walked like
  any other;
* once per node object: closed forms share subtrees (a DAG), and a shared
  subtree is folded once, which keeps work linear in the size of the DAG.

Nodes carry the 1-based column where they were read (0 for nodes that were
not read from text, such as closed forms), so errors can point at them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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
    # the user's call this node writes out (factorial(-1) is gamma(-1 + 1)):
    # errors name what the user wrote; not part of the node's value
    origin: Node | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class BinaryOp:
    op: str  # one of + - * / **
    left: Node
    right: Node
    column: int = 0
    # the user's call this node writes out (factorial(-1) is gamma(-1 + 1)):
    # errors name what the user wrote; not part of the node's value
    origin: Node | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Call:
    name: str  # canonical name from the function table
    args: tuple[Node, ...]
    column: int = 0
    # the user's call this node writes out (factorial(-1) is gamma(-1 + 1)):
    # errors name what the user wrote; not part of the node's value
    origin: Node | None = field(default=None, compare=False, repr=False)


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


# Nesting up to which fold recurses (fast: about 2x the explicit stack's
# speed on the small trees of a batch line); a subtree below this depth is
# folded with the explicit stack, so no tree, however deep, reaches Python's
# recursion limit, even from a rule that folds a tree of its own.
RECURSION_DEPTH = 64


def fold(tree: Node, rules: Fold[T]) -> T:
    """Fold ``tree`` bottom-up with ``rules``: children first, left to right.

    Each node object is folded once: a subtree shared by several parents
    gives all of them the same result. The first RECURSION_DEPTH levels
    recurse, deeper subtrees go through an explicit stack
    (:func:`_fold_stack`), which gives the same results in the same order.
    Dispatch is on the exact class (no subclasses exist).
    """
    done: dict[int, T] = {}
    number, constant, variable = rules.number, rules.constant, rules.variable
    negate, binary, call = rules.negate, rules.binary, rules.call

    def go(node: Node, depth: int) -> T:
        key = id(node)
        if key in done:
            return done[key]
        kind = type(node)
        if depth >= RECURSION_DEPTH:
            result = _fold_stack(node, rules, done)
        elif kind is BinaryOp:
            assert isinstance(node, BinaryOp)
            left = go(node.left, depth + 1)
            result = binary(node, left, go(node.right, depth + 1))
        elif kind is Call:
            assert isinstance(node, Call)
            result = call(node, [go(arg, depth + 1) for arg in node.args])
        elif kind is Negate:
            assert isinstance(node, Negate)
            result = negate(node, go(node.operand, depth + 1))
        elif kind is Number:
            assert isinstance(node, Number)
            result = number(node)
        elif kind is Variable:
            assert isinstance(node, Variable)
            result = variable(node)
        else:
            assert isinstance(node, Constant)
            result = constant(node)
        done[key] = result
        return result

    return go(tree, 0)


def _fold_stack(tree: Node, rules: Fold[T], done: dict[int, T]) -> T:
    """fold without recursion: a node stays on the stack until its children
    are done (they are pushed above it, the leftmost on top)."""
    stack: list[Node] = [tree]
    push, pop = stack.append, stack.pop
    while stack:
        node = stack[-1]
        key = id(node)
        if key in done:
            pop()
            continue
        kind = type(node)
        if kind is BinaryOp:
            assert isinstance(node, BinaryOp)
            left, right = id(node.left), id(node.right)
            if left in done and right in done:
                pop()
                done[key] = rules.binary(node, done[left], done[right])
                continue
            if right not in done:
                push(node.right)
            if left not in done:
                push(node.left)
        elif kind is Call:
            assert isinstance(node, Call)
            missing = [arg for arg in reversed(node.args) if id(arg) not in done]
            if missing:
                stack.extend(missing)
                continue
            pop()
            done[key] = rules.call(node, [done[id(arg)] for arg in node.args])
        elif kind is Negate:
            assert isinstance(node, Negate)
            operand = id(node.operand)
            if operand not in done:
                push(node.operand)
                continue
            pop()
            done[key] = rules.negate(node, done[operand])
        else:
            pop()
            if kind is Number:
                assert isinstance(node, Number)
                done[key] = rules.number(node)
            elif kind is Variable:
                assert isinstance(node, Variable)
                done[key] = rules.variable(node)
            else:
                assert isinstance(node, Constant)
                done[key] = rules.constant(node)
    return done[id(tree)]


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
    """Operations and leaves in the tree as written (shared subtrees counted once).

    unique_nodes' walk without its generator and its order (a count needs
    neither): every line of a batch counts its expression's nodes."""
    seen: set[int] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        key = id(node)
        if key in seen:
            continue
        seen.add(key)
        kind = type(node)
        if kind is BinaryOp:
            assert isinstance(node, BinaryOp)
            stack.append(node.left)
            stack.append(node.right)
        elif kind is Call:
            assert isinstance(node, Call)
            stack.extend(node.args)
        elif kind is Negate:
            assert isinstance(node, Negate)
            stack.append(node.operand)
    return len(seen)


def any_node(tree: Node, test: Callable[[Node], bool]) -> bool:
    """Whether some node of the tree passes ``test``."""
    return any(test(node) for node in unique_nodes(tree))


# A whole number of more digits than this is tried in e-notation (10**12 is
# written 1e12); a fraction is tried as a decimal (1/100000000 is 1e-8,
# 99999999/100000000 is 0.99999999). Either is used where it is at least 5
# characters shorter than the digits p or p/q.
_PLAIN_DIGITS = 7
# Numbers larger than this (in bits) keep their digits: str() of a whole
# number refuses more than 4,300 digits (about 14,280 bits)
_DECIMAL_BITS = 13_000
# The parser's limit on a written exponent (parser.MAX_DECIMAL_EXPONENT): a
# closed form must parse back, so 5e-301 is written 1/(2*10**300)'s digits
_EXPONENT_LIMIT = 300
# Fractions from 10**-5 up to 10**16 are written as plain decimals (0.00001,
# 2.99999997), smaller or larger ones in e-notation (5e-7), as Python's repr
_FIXED_FROM, _FIXED_BELOW = -5, 16
# Whole numbers below this are written with their plain digits (short_decimal's
# first test)
_SHORT_WHOLE = 10**_PLAIN_DIGITS


def short_decimal(value: Fraction) -> str | None:
    """A number of 0 or more as a decimal where that is much shorter than its
    digits (p or p/q): 1000000000000 is 1e12, 1/100000000 is 1e-8, 1/2000000
    is 5e-7, 7/2000000000000000000000000000000 is 3.5e-30, 99999999/100000000
    is 0.99999999. None where it has no finite decimal (1/3), where the digits
    are short enough (1/10000, 1000000) or no shorter as a decimal
    (2432902008176640000, 20!), or where the exponent would be past the
    parser's +-300. The parser reads the text back as exactly the same
    rational."""
    p, q = value.numerator, value.denominator
    if p <= 0 or (q == 1 and p < 10**_PLAIN_DIGITS):
        return None
    if max(p.bit_length(), q.bit_length()) > _DECIMAL_BITS:
        return None
    twos = (q & -q).bit_length() - 1
    rest, fives = q >> twos, 0
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    if rest != 1:
        return None  # q has a prime factor other than 2 and 5: no finite decimal
    places = max(twos, fives)
    scaled = p * 10**places // q  # value = scaled * 10**-places, exactly
    if scaled.bit_length() > _DECIMAL_BITS:
        return None  # 1/2**6500 is 5**6500 * 10**-6500: 4,543 digits, never short
    digits = str(scaled)
    kept = digits.rstrip("0")
    exponent = len(digits) - places - 1  # of the first digit: value = d.ddd * 10**exponent
    if q != 1 and _FIXED_FROM <= exponent < _FIXED_BELOW:
        if exponent >= 0:
            whole, tail = digits[: exponent + 1], digits[exponent + 1 :].rstrip("0")
        else:
            whole, tail = "0", "0" * (-exponent - 1) + kept
        text = whole + ("." + tail if tail else "")
    elif abs(exponent) <= _EXPONENT_LIMIT:
        text = kept[0] + ("." + kept[1:] if len(kept) > 1 else "") + f"e{exponent}"
    else:
        return None
    plain = len(str(p)) + (len(str(q)) + 1 if q != 1 else 0)
    return text if len(text) + 4 < plain else None


def digits(number: int) -> str:
    """The decimal digits of a whole number of any size: Python's str() refuses
    more than 4,300 (a guard against its quadratic conversion), and the
    coefficients of exp(10**100*x) reach 5,001 at order 50; GMP's is fast."""
    if number.bit_length() <= 13_000:  # under 3,914 digits
        return str(number)
    import gmpy2

    return str(gmpy2.mpz(number).digits(10))


def number_node(value: Fraction) -> Node:
    """A rational number as a tree: 3, 3/2, -3/2 (numbers in trees are not
    negative); 1e-8 for 1/100000000 (see short_decimal). Closed forms and the
    steps of --steps write their numbers with it."""
    if value.denominator == 1 and -_SHORT_WHOLE < value.numerator < _SHORT_WHOLE:
        # most numbers of a closed form: short_decimal has nothing shorter for a
        # whole number under 10**7, so skip it and abs()'s new Fraction (the
        # same node as below, made about a dozen times per batch line)
        whole = abs(value.numerator)
        short: Node = Number(Fraction(whole), str(whole))
        return Negate(short) if value.numerator < 0 else short
    size = abs(value)
    decimal = short_decimal(size)
    node: Node
    if decimal is not None:
        node = Number(size, decimal)
    else:
        node = Number(Fraction(size.numerator), digits(size.numerator))
        if size.denominator != 1:
            node = BinaryOp("/", node, Number(Fraction(size.denominator), digits(size.denominator)))
    return Negate(node) if value < 0 else node
