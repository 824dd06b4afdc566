"""The value of a tree at a point: exactly, in real numbers, or in float64 over a grid.

This is the reference derivcli compares autograd with, so it is written to be
right by construction rather than fast:

* **Real numbers only.** ``log(-1)``, ``sqrt(-1)``, ``(-8)**(1/3)`` and
  ``acos(2)`` are undefined, never complex; ``1/0``, ``log(0)`` and
  ``tan`` at a pole are poles. A tree is undefined at a point as soon as one
  of its nodes is: ``sigmoid(log(t))`` at ``t=0`` is undefined although
  ``sigmoid(-inf)`` would be 0 (the function as written does not exist
  there). :class:`Undefined` says which node failed and how.
* **Exact inputs, high precision.** A point is the very float64 (or float32)
  number torch used, converted to MPFR exactly; numbers in the expression are
  exact rationals until rounded to the working precision (256 bits); ``pi``
  and ``E`` are computed at that precision. Every operation is correctly
  rounded (MPFR, through gmpy2), and the exponent range is about 2**(2**30),
  so ``exp(1000)`` or ``x**2`` at ``1e300`` do not overflow on the way.
* **Cancellation is detected, not ignored.** The evaluation keeps, for each
  node, the largest magnitude met computing it; when a sum is so much smaller
  than its terms that more than ``precision - 80`` bits may have cancelled
  (``1 - tanh(x)**2`` at 20, derivatives of ``x/erf(x)`` near 0), the
  tree is evaluated again with twice the precision, until two evaluations agree to
  64 bits (up to 16,384 bits).
* **A huge power's loss is added up front.** a**b multiplies a rounded base's
  relative error by |b|, which no value shows: ``(1 + x/1e200)**1e200`` at 1
  is 1 at 256 and at 512 bits (the base rounds to 1 at both, and they agree),
  e from 665 bits on. Past 2**80 the exponent's bits are added to the
  precision at once (:func:`_amplified_bits`).
* **Rationals exactly where it matters.** Where rounding may decide the
  outcome (a cancelling sum, a step function's argument on its step, a pole
  or a domain edge within rounding), the steps computed from rationals alone
  (numbers, coordinates, + - * /, whole powers) are taken exactly
  (:func:`_exact_rationals`): ``(0.1*z - 0.3)**1.5`` at ``z = 3`` is 0, where
  MPFR's roundings of 0.1 and 0.3 leave 0 or +-2**-130 by the precision's luck.

The tree is first compiled (one :func:`~derivcli.language.tree.fold`) into a
:class:`Program`, a list of instructions in evaluation order, so that
evaluating many points does not walk the tree again. Over long grids the same
program runs vectorised in numpy float64 (:func:`float64_values`), which also
estimates, per point, how many bits float64 may have lost; points where it
may have lost too many, or where a value is not finite, are the ones to
evaluate exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from derivcli.language.definitions import expand
from derivcli.language.functions import function, lookup_constant
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

PRECISION = 256  # bits of the exact evaluation (float64 has 53)
# A periodic function's argument keeps this many bits below its units digit.
PERIODIC_GUARD = 192
MAX_PRECISION = 16384
# What a value left to rounding past MAX_PRECISION says of its sum ("cancelled")
CANCELS_PAST = "cancels past the"
# ... and to tell a domain edge or pole from rounding onto it: 1 - tanh(y)**2 at
# y = -6020 is 1e-5229, 17,370 bits below 1 (beyond, a point stays undecided)
EDGE_PRECISION = 32768
# More than PRECISION - CANCELLATION_MARGIN bits lost: evaluate again, more precisely.
CANCELLATION_MARGIN = 80
# A value counts as exactly 0 (a kink's argument, a domain edge) when it is
# below 2**-(precision - ZERO_MARGIN) times the largest magnitude met
# computing it: what is left is rounding of the working precision.
ZERO_MARGIN = 48

FLOAT64_MAX = 1.7976931348623157e308
FLOAT32_MAX = 3.4028234663852886e38


def gmpy2() -> Any:
    """gmpy2 (MPFR), imported on first use (about 10 ms)."""
    import gmpy2 as module

    return module


# ---------------------------------------------------------------- the program

# Instruction kinds
NUM, CONST, VAR, NEG, ADD, SUB, MUL, DIV, POW, CALL = range(10)
_BINARY = {"+": ADD, "-": SUB, "*": MUL, "/": DIV, "**": POW}


@dataclass(frozen=True)
class Instruction:
    kind: int
    args: tuple[int, ...] = ()  # indices of earlier instructions
    number: Fraction | None = None  # NUM
    name: str = ""  # CONST, VAR (the name), CALL (the function)


@dataclass(frozen=True)
class Program:
    """A tree as instructions in evaluation order; the last one is the root."""

    instructions: tuple[Instruction, ...]
    nodes: tuple[Node, ...]  # the node each instruction computes
    variables: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.instructions)

    def depends_on_variables(self) -> tuple[bool, ...]:
        """Per instruction, whether its value moves with some variable."""
        cached: tuple[bool, ...] | None = self.__dict__.get("_moving")
        if cached is None:
            cached = self.depends_on(self.variables)
            object.__setattr__(self, "_moving", cached)
        return cached

    def depends_on(self, names: Collection[str]) -> tuple[bool, ...]:
        """Per instruction, whether its value moves with one of these variables."""
        moving: list[bool] = []
        for ins in self.instructions:
            moving.append(
                (ins.kind == VAR and ins.name in names) or any(moving[i] for i in ins.args)
            )
        return tuple(moving)


class _Compiler(Fold[int]):
    def __init__(self) -> None:
        self.instructions: list[Instruction] = []
        self.nodes: list[Node] = []
        self.variables: set[str] = set()
        self.complemented = False  # some 1 +- erf(z) was computed as erfc

    def emit(self, node: Node, instruction: Instruction) -> int:
        self.instructions.append(instruction)
        self.nodes.append(node)
        return len(self.instructions) - 1

    def number(self, node: Number) -> int:
        return self.emit(node, Instruction(NUM, number=node.value))

    def constant(self, node: Constant) -> int:
        return self.emit(node, Instruction(CONST, name=node.name))

    def variable(self, node: Variable) -> int:
        self.variables.add(node.name)
        return self.emit(node, Instruction(VAR, name=node.name))

    def negate(self, node: Negate, operand: int) -> int:
        return self.emit(node, Instruction(NEG, (operand,)))

    def binary(self, node: BinaryOp, left: int, right: int) -> int:
        parts = _erf_complement(node)
        if parts is None:
            multiple = _erf_multiple(node)
            if multiple is not None:
                return self.erf_multiple(node, left, right, multiple)
            return self.emit(node, Instruction(_BINARY[node.op], (left, right)))
        erf, negated, unit, erf_sign = parts
        at = right if _erf_term(node.right) is not None else left
        if negated:
            (at,) = self.instructions[at].args  # -erf(z): the erf call under it
        (z,) = self.instructions[at].args  # the erf call's own, unread if only here
        self.complemented = True
        # unit + erf_sign*erf(z) = unit*(1 + unit*erf_sign*erf(z)): 1 + erf(w) is
        # erfc(-w), 1 - erf(w) is erfc(w)
        (z_node,) = erf.args
        if unit * erf_sign > 0:
            z_node = Negate(z_node)
            z = self.emit(z_node, Instruction(NEG, (z,)))
        if unit > 0:
            return self.emit(node, Instruction(CALL, (z,), name="erfc"))
        complement = self.emit(Call("erfc", (z_node,)), Instruction(CALL, (z,), name="erfc"))
        return self.emit(node, Instruction(NEG, (complement,)))

    def erf_multiple(
        self, node: BinaryOp, left: int, right: int, parts: tuple[bool, int, int]
    ) -> int:
        """c*erf(z) +- c (and the like) as c*erfc(-+z), up to sign: x*erf(x) + x at
        x = -137.3 is -137.3*erfc(137.3) = -1e-8189, which 16,384 bits of the
        sum round to 0 (erf(-137.3) rounds to -1), so heaviside of it read 1/2
        where it is 0."""
        on_left, unit, erf_sign = parts
        at = left if on_left else right
        if self.instructions[at].kind == NEG:
            (at,) = self.instructions[at].args  # -(c*erf(z)): the product under it
        product = self.instructions[at].args
        term = _erf_product(node.left if on_left else node.right)
        assert term is not None
        c_node, erf, _, erf_at = term
        c, (z,) = product[1 - erf_at], self.instructions[product[erf_at]].args
        self.complemented = True
        (z_node,) = erf.args
        if unit * erf_sign > 0:
            z_node = Negate(z_node)
            z = self.emit(z_node, Instruction(NEG, (z,)))
        erfc_node = Call("erfc", (z_node,))
        erfc = self.emit(erfc_node, Instruction(CALL, (z,), name="erfc"))
        if unit > 0:
            return self.emit(node, Instruction(_BINARY["*"], (c, erfc)))
        scaled = self.emit(BinaryOp("*", c_node, erfc_node), Instruction(_BINARY["*"], (c, erfc)))
        return self.emit(node, Instruction(NEG, (scaled,)))

    def call(self, node: Call, args: list[int]) -> int:
        return self.emit(node, Instruction(CALL, tuple(args), name=node.name))

    def program(self) -> Program:
        instructions, nodes = self.instructions, self.nodes
        if self.complemented:
            # an erf call read only as 1 +- erf(z) (and the -erf(z) over it) is
            # never read at all: left out, so it costs nothing (MPFR's erf at -137
            # with 16,384 bits took 0.2 s); one read elsewhere too (a shared
            # node) stays. Nothing else in a compiled tree goes unread
            live = {len(instructions) - 1}
            for i in range(len(instructions) - 1, -1, -1):
                if i in live:
                    live.update(instructions[i].args)
            keep = sorted(live)
            index = {old: new for new, old in enumerate(keep)}
            instructions = [
                replace(instructions[i], args=tuple(index[a] for a in instructions[i].args))
                for i in keep
            ]
            nodes = [nodes[i] for i in keep]
        return Program(tuple(instructions), tuple(nodes), tuple(sorted(self.variables)))


def _erf_complement(node: BinaryOp) -> tuple[Call, bool, int, int] | None:
    """A sum 1 + erf(z), 1 - erf(z), erf(z) - 1, -erf(z) - 1, -erf(z) + 1 (and the
    like): its erf call, whether the operand is -erf(z), the unit's sign and
    erf's. Such a sum is computed as erfc, the same number without the
    cancellation: gelu's 1 + erf(x/sqrt(2)) at x = -137 is erfc(97) = 1e-4094,
    which the sum reaches only at 16,384 bits (MPFR's erf there takes 0.2 s a
    point), and past x = -200 not at all (erf rounds to -1 and the sum to 0).
    symengine writes -(1 + erf(x)) as -erf(x) - 1."""
    if node.op not in ("+", "-"):
        return None
    right, left = _erf_term(node.right), _erf_term(node.left)
    if right is not None:
        unit = _unit(node.left)
        if unit is None:
            return None
        erf, negated = right
        sign = (1 if node.op == "+" else -1) * (-1 if negated else 1)
        return erf, negated, unit, sign
    if left is not None:
        unit = _unit(node.right)
        if unit is None:
            return None
        erf, negated = left
        return erf, negated, unit if node.op == "+" else -unit, -1 if negated else 1
    return None


def _erf_multiple(node: BinaryOp) -> tuple[bool, int, int] | None:
    """A sum c*erf(z) + c, c - c*erf(z), -c*erf(z) - c, erf(z)*c + c (and the
    like, c any expression, written the same both times): whether the erf
    product is the left operand, and the unit and erf signs of c*(unit +
    erf_sign*erf(z)). symengine writes x*(1 + erf(x)) as x*erf(x) + x."""
    if node.op not in ("+", "-"):
        return None
    op_sign = 1 if node.op == "+" else -1
    for on_left, term, other, term_sign, other_sign in (
        (True, node.left, node.right, 1, op_sign),
        (False, node.right, node.left, op_sign, 1),
    ):
        found = _erf_product(term)
        if found is None:
            continue
        c, _, negated, _ = found
        same = _same_up_to_sign(other, c)
        if same:
            return on_left, other_sign * same, term_sign * negated
    return None


def _erf_product(node: Node) -> tuple[Node, Call, int, int] | None:
    """c*erf(z), erf(z)*c or -(c*erf(z)): c, the erf call, -1 under a minus (else
    1), and the erf call's operand (1: the right one)."""
    sign = 1
    if isinstance(node, Negate):
        node, sign = node.operand, -1
    if not (isinstance(node, BinaryOp) and node.op == "*"):
        return None
    for erf, c, erf_at in ((node.right, node.left, 1), (node.left, node.right, 0)):
        if isinstance(erf, Call) and erf.name == "erf":
            return c, erf, sign, erf_at
    return None


def _same_up_to_sign(a: Node, b: Node) -> int:
    """1 where a and b are the same expression, -1 where a is -b, else 0 (as
    written: x + 1 and 1 + x differ)."""
    sign = 1
    for node in (a, b):
        if isinstance(node, Negate):
            sign = -sign
    a = a.operand if isinstance(a, Negate) else a
    b = b.operand if isinstance(b, Negate) else b
    if isinstance(a, Number) and isinstance(b, Number):
        if a.value == b.value != 0:
            return sign
        return -sign if a.value == -b.value != 0 else 0
    return sign if type(a) is type(b) and to_text(a) == to_text(b) else 0


def _erf_term(node: Node) -> tuple[Call, bool] | None:
    """erf(z) or -erf(z): the call, and whether it is negated."""
    negated = isinstance(node, Negate)
    inner = node.operand if isinstance(node, Negate) else node
    if isinstance(inner, Call) and inner.name == "erf":
        return inner, negated
    return None


def _unit(node: Node) -> int | None:
    """1 or -1 where the node is that number (1, -1 or -(1)), else None."""
    sign = 1
    if isinstance(node, Negate):
        node, sign = node.operand, -1
    if isinstance(node, Number) and abs(node.value) == 1:
        return sign * int(node.value)
    return None


def compile_tree(tree: Node) -> Program:
    """Compile a tree (or DAG: shared subtrees are computed once) into a Program.

    Functions with a definition (silu is a*sigmoid(a)) are written out first,
    so a program calls primitives only; its nodes are those of the written-out
    tree. 1 + erf(z) and the like are computed as erfc (_erf_complement).
    """
    compiler = _Compiler()
    fold(expand(tree), compiler)
    return compiler.program()


# ---------------------------------------------------------------- exact values


# No step given a value (_run_exact's default)
_NOTHING_FIXED: Mapping[int, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Undefined:
    """Why a tree has no real value at a point."""

    # "pole" (1/0, log(0): an infinite value), "domain" (log(-1), sqrt(-1)),
    # "overflow": finite, but past even MPFR's range (about 2**(2**30)), or
    # "underflow": nonzero, but below it (exp(-1e20)), so what follows is unsure,
    # "cancelled": a sum cancels past MAX_PRECISION bits and the value left is
    # its rounding's (see _lost_to_cancellation)
    kind: str
    node: Node  # the first node, in evaluation order, without a real value

    @property
    def lost(self) -> bool:
        """A value left to rounding past MAX_PRECISION bits ("cancelled"), not
        undefined."""
        return self.kind == "cancelled"

    def describe(self) -> str:
        """A phrase for a note: "log(x) has a pole", "sqrt(x - 1) is undefined"."""
        text = _short_text(self.node)
        if self.kind == "pole":
            return f"{text} has a pole (an infinite value)"
        if self.kind == "overflow":
            return f"{text} is finite but too large for any number format"
        if self.kind == "underflow":
            return f"{text} is nonzero but too small for any number format"
        if self.kind == "cancelled":
            return f"{text} {CANCELS_PAST} {MAX_PRECISION:,} bits derivcli evaluates with"
        return f"{text} is outside the real domain"


_SHORT_TEXTS: dict[int, tuple[Node, str]] = {}


def _short_text(node: Node) -> str:
    """The node's text cut to 60 characters, printed once per node: a long grid
    half outside the domain describes the same node at 10,000 points."""
    found = _SHORT_TEXTS.get(id(node))
    if found is None or found[0] is not node:
        text = to_text(node)
        if len(text) > 60:
            text = text[:57] + "..."
        if len(_SHORT_TEXTS) >= 1024:
            _SHORT_TEXTS.clear()
        found = _SHORT_TEXTS[id(node)] = (node, text)  # the node kept: its id stays its own
    return found[1]


@dataclass(frozen=True)
class Exact:
    """The outcome of one exact evaluation."""

    value: Any  # an mpfr when defined, else None
    undefined: Undefined | None
    values: tuple[Any, ...]  # every instruction's value (up to the failure)
    # per instruction, the scale of its rounding (see _magnitude): 0 where no
    # step on its way rounded, else at least its own |value|
    magnitudes: tuple[Any, ...]
    precision: int
    cancelled: Any  # the largest ratio |terms| / |sum| met (bits lost to cancellation)
    needs: int = 0  # the precision a periodic function's argument asked for
    rounded: bool = True  # some operation rounded (False: the value is exact)
    # some argument was rounded onto the end of its function's domain
    on_rounded_edge: bool = False
    # the failure (a pole or a domain error) may be the rounding's: an argument
    # of the failing step is within rounding of a whole number (every pole and
    # domain end of the language is at one: 0, +-1, the poles of digamma)
    doubtful: bool = False
    # the step functions (by index) whose argument is within its rounding of
    # their step (read as on the step; see _blind_step)
    on_step: tuple[int, ...] = ()
    # the steps given an exact value instead of being computed (_run_exact's fixed)
    fixed: Mapping[int, Any] = field(default_factory=dict)
    # the bits powers lost by amplifying their rounded bases' relative errors
    # |exponent| times (see _amplified_bits), summed, and the index of the
    # power that lost most
    amplified: int = 0
    amplifier: int = -1

    @property
    def defined(self) -> bool:
        return self.undefined is None

    @property
    def lost(self) -> bool:
        """Left to rounding past MAX_PRECISION bits (see _lost_to_cancellation):
        not undefined, but without a value."""
        return self.undefined is not None and self.undefined.lost

    def to_float(self) -> float:
        """The value rounded once to float64 (nan when undefined; may be +-inf:
        overflow). A real 0 has no sign: -0.0 (a product with an exact 0, such
        as cos(3*pi)*sin(3*pi)) is 0.0."""
        return math.nan if self.value is None else float(self.value) + 0.0

    def is_zero(self, index: int) -> bool:
        """Whether instruction ``index``'s value is 0 up to this evaluation's rounding."""
        value = self.values[index]
        scale = self.magnitudes[index] * _power_of_two(ZERO_MARGIN - self.precision)
        return bool(abs(value) <= scale)


def _power_of_two(exponent: int) -> Any:
    m = gmpy2()
    return m.mul_2exp(m.mpfr(1), exponent)


class _Failed(Exception):
    def __init__(self, index: int, kind: str) -> None:
        super().__init__(kind)
        self.index = index
        self.kind = kind


def exact_value(
    program: Program,
    point: Mapping[str, Any],
    precision: int = PRECISION,
    *,
    exact_sums: bool = False,
    refine: bool = True,
    refine_up_to: int = MAX_PRECISION,
) -> Exact:
    """The program's value at ``point`` (floats or mpfr values), in real numbers.

    Where the result is much smaller than what was added up to get it, it is
    evaluated again with twice the precision, until two evaluations agree
    (see the module docstring). With ``exact_sums``, a sum that would round
    its smaller term away is evaluated again with enough bits to keep it:
    beside a point, at ``p + 2**-64``, the sign of ``y**3 - 1 + 1`` decides a
    domain edge. ``refine=False``: at ``precision``, however much a sum
    cancelled (to compare two precisions), though with the bits a periodic
    function's argument needs (sinc(1e300 + 0.5) needs 1,189), and with no
    look for a pole reached through rounding (see _pole_of_noise).
    ``refine_up_to``: a sum that cancels is refined to this many bits at most
    (check's spot checks of digamma: see check_answer.REFINE_SLOW_UP_TO); a
    value still within its rounding there is left as it is, not "cancelled".
    """
    outcome = _refined(program, point, precision, exact_sums, refine, refine_up_to)
    if not refine:
        return outcome
    return _lost_to_cancellation(program, _pole_of_noise(program, point, outcome, exact_sums))


def _refined(
    program: Program,
    point: Mapping[str, Any],
    precision: int,
    exact_sums: bool,
    refine: bool,
    up_to: int = MAX_PRECISION,
) -> Exact:
    outcome = _run_exact(program, point, precision, exact_sums)
    if not outcome.rounded:
        return outcome  # no operation rounded: the value is exact, nothing to refine
    if _unsure(outcome):
        rationals = _exact_rationals(program, point, outcome)
        if rationals:
            outcome = _run_exact(program, point, precision, exact_sums, rationals)
            if not outcome.rounded:
                return outcome
    fixed = outcome.fixed
    if outcome.amplified > CANCELLATION_MARGIN:
        # a power to a huge exponent: (1 + x/1e200)**1e200 at 1 rounds its base
        # to 1 at 256 bits and at 512 alike (the two agree on 1, where it is e),
        # so the bits it loses are added at once, not found by doubling
        precision += outcome.amplified
        if precision > MAX_PRECISION:
            lost = Undefined("cancelled", program.nodes[outcome.amplifier])
            return replace(outcome, value=None, undefined=lost)
        outcome = _run_exact(program, point, precision, exact_sums, fixed)
    if not refine:
        if outcome.needs > precision < MAX_PRECISION:
            precision = min(MAX_PRECISION, outcome.needs)
            outcome = _run_exact(program, point, precision, exact_sums, fixed)
        return outcome
    zeros, needed = _noise_zeros(program, point, outcome, exact_sums)
    if zeros or needed > precision:
        precision = max(precision, needed)
        fixed = {**fixed, **dict.fromkeys(zeros, 0)}
        outcome = _run_exact(program, point, precision, exact_sums, fixed)
    while (outcome.doubtful or outcome.on_rounded_edge) and precision < EDGE_PRECISION:
        # a pole or a domain edge reached through rounding may be the rounding's:
        # tanh(400) is 1 - 2e-348, which 256 bits round to 1, the pole of atanh
        # (log(sinh(y)) at y = -2 is plainly outside: no second try)
        precision *= 2
        outcome = _run_exact(program, point, precision, exact_sums, fixed)
        if not outcome.rounded:
            return outcome
    if outcome.doubtful and precision >= EDGE_PRECISION:
        return _undecided_failure(program, outcome)
    if outcome.needs > precision < MAX_PRECISION:
        # sin(y + 2.5) at y = 1e308: y + 2.5 needs 1,024 bits to keep its 2.5.
        # A precision asked for above the cap is never lowered to it: f's gaps
        # beside a point at steps of 2**-8192 are compared at 34,300 bits, where
        # cos(y) - 1 (-2**-16385) still has its sign
        precision = min(MAX_PRECISION, outcome.needs)
        outcome = _run_exact(program, point, precision, exact_sums, fixed)
    while outcome.value is not None and precision < up_to and _may_cancel(outcome):
        precision *= 2
        finer = _run_exact(program, point, precision, exact_sums, fixed)
        # Two equal results confirm each other, unless a sum came out exactly
        # 0 in both (x - sin(x) at 1e-300 needs thousands of bits to be seen).
        if finer.value is None:
            # undefined once the rounding is gone (sqrt(cos(z) - 1) near 0); but
            # a failure still within rounding after a value was had is the
            # rounding's sign either way (sqrt(sin(x)**2 + cos(x)**2 - 1))
            return _undecided_failure(program, finer) if finer.doubtful else finer
        if agree_to_64_bits(outcome.value, finer.value) and not math.isinf(finer.cancelled):
            return finer
        outcome = finer
    return outcome


def _undecided_failure(program: Program, outcome: Exact) -> Exact:
    """A failure that may still be the rounding's at EDGE_PRECISION bits, or
    after fewer bits gave a value: its argument is within rounding of the pole
    or domain end, and no precision tried moved it off. Not undefined, but left
    to rounding ("cancelled", the argument named): sin(x)**2 + cos(x)**2 - 1 is
    0 for every x, but beside 0 it comes out as noise of either sign at every
    precision, and sqrt of it was undefined at some steps and defined at others
    (f "defined at this point but nowhere beside it"; an assertion failed where
    two precisions disagreed)."""
    failing = program.instructions[len(outcome.values)]
    argument = failing.args[1] if failing.kind == DIV else failing.args[0]
    undefined = Undefined("cancelled", program.nodes[argument])
    return replace(outcome, undefined=undefined)


def _unsure(outcome: Exact) -> bool:
    """Whether rounding may decide the outcome: a failure or a domain edge
    within rounding of its cause, a step function within rounding of its step,
    or a sum that cancelled."""
    return bool(
        outcome.doubtful or outcome.on_rounded_edge or outcome.on_step or _may_cancel(outcome)
    )


# Exact rationals (_exact_rationals) give up past this many bits in a numerator
# or denominator: x**100000 at a 1,000-bit coordinate is left to MPFR.
RATIONAL_BITS = 65536


def _rational_steps(program: Program) -> tuple[bool, ...]:
    """Per instruction, whether its value is a rational computed from rationals
    only (numbers, the point's coordinates, + - * /, and powers, whole ones at
    run time), found once per program."""
    cached: tuple[bool, ...] | None = program.__dict__.get("_rational")
    if cached is None:
        rational: list[bool] = []
        for ins in program.instructions:
            rational.append(
                ins.kind in (NUM, VAR)
                or (
                    ins.kind in (NEG, ADD, SUB, MUL, DIV, POW)
                    and all(rational[i] for i in ins.args)
                )
            )
        cached = tuple(rational)
        object.__setattr__(program, "_rational", cached)
    return cached


def _exact_rationals(program: Program, point: Mapping[str, Any], outcome: Exact) -> dict[int, Any]:
    """The rational steps that rounded (or were not reached) whose exact value is
    a binary fraction, with that value (an mpq), where rounding may decide the
    outcome (_unsure). Numbers in an expression are exact rationals and the point's
    coordinates binary fractions, so 0.1*z - 0.3 at z = 3 is exactly 0; MPFR
    rounds 0.1 and 0.3, and the difference, 2**-130 or 0 or -2**-129 by the
    precision's luck, made (0.1*z - 0.3)**1.5 undefined beside z = 3 along
    another variable (f defined "nowhere beside it"). Empty when none."""
    rational = _rational_steps(program)
    magnitudes = outcome.magnitudes
    instructions = program.instructions
    targets = [
        i
        for i, ins in enumerate(instructions)
        if rational[i] and ins.kind not in (NUM, VAR) and (i >= len(magnitudes) or magnitudes[i])
    ]
    if not targets:
        return {}
    m = gmpy2()
    exact: list[Any] = []
    for ins in instructions[: max(targets) + 1]:
        exact.append(_rational_value(m, ins, exact, point) if rational[len(exact)] else None)
    fixed: dict[int, Any] = {}
    for i in targets:
        q = exact[i]
        if q is not None and q.denominator & (q.denominator - 1) == 0:
            fixed[i] = q  # a binary fraction: exact at the precisions it fits in
    return fixed


def _rational_value(
    m: Any, ins: Instruction, exact: Sequence[Any], point: Mapping[str, Any]
) -> Any:
    """One rational step's exact value (an mpq), or None: an argument without
    one, a division by 0, a power that is not a rational, or a result past
    RATIONAL_BITS."""
    kind = ins.kind
    if kind == NUM:
        assert ins.number is not None
        return m.mpq(ins.number.numerator, ins.number.denominator)
    if kind == VAR:
        value = point[ins.name]
        return m.mpq(value) if m.is_finite(m.mpfr(value)) else None
    args = [exact[i] for i in ins.args]
    if any(a is None for a in args):
        return None
    if kind == NEG:
        result = -args[0]
    elif kind == POW:
        base, exponent = args
        if exponent.denominator != 1 or (base == 0 and exponent < 0):
            return None
        size = max(base.numerator.bit_length(), base.denominator.bit_length())
        if size * abs(exponent.numerator) > RATIONAL_BITS:
            return None
        result = base ** int(exponent)
    elif kind == DIV:
        if args[1] == 0:
            return None
        result = args[0] / args[1]
    else:
        a, b = args
        result = a + b if kind == ADD else a - b if kind == SUB else a * b
    if max(result.numerator.bit_length(), result.denominator.bit_length()) > RATIONAL_BITS:
        return None
    return result


# Noise of a 0 is told from a small value at this many bits (_noise_zeros).
NOISE_PRECISION = 2048


def _noise_zeros(
    program: Program, point: Mapping[str, Any], outcome: Exact, exact_sums: bool
) -> tuple[frozenset[int], int]:
    """The periodic calls whose value is 0 up to pi's rounding, to be taken as
    exactly 0. sin(pi*x) at a whole x is 0, but pi rounded to 256 bits makes
    it 1e-77, of either sign, and no refinement ends that: 1/cos(pi*x) at 0.5
    was a finite 1e77, sin(pi*x)/sin(2*pi*x) at 1 a finite 0.5 (0/0),
    heaviside(-sin(pi*x)**2) at 1 was 0 where it is 1/2 (a removable jump),
    and sqrt(sin(pi*x) + 1e-300) at 2**30 undefined. A periodic call's value
    below its own rounding (is_zero) that is still below it at NOISE_PRECISION
    bits (or twice the bits), having shrunk there by at least half the bits
    added, is such noise; what follows then sees an exact 0 (1/0 is a pole,
    0/0 undefined, heaviside(0) 1/2). A true value below about 2**-2000 of its
    argument's size is taken for 0 too. Sums that cancel are not touched, nor
    a periodic call of one: their refinement finds what is left of them.

    Also the precision the evaluation needs instead (0 if none): a call whose
    value rises above its rounding at NOISE_PRECISION bits was noise at the
    first precision around a small true value (sin(pi*y*y + 2**-700) at y =
    2**500 is 2**-700, but 1e-59 at the bits its argument first asked for)."""
    if outcome.precision >= MAX_PRECISION:
        return frozenset(), 0
    values = outcome.values
    candidates = [
        i
        for i, arg in _periodic_calls(program)
        if i < len(values) and values[i] and outcome.is_zero(i) and _uncancelled(outcome, arg)
    ]
    if not candidates:
        return frozenset(), 0
    bits = min(MAX_PRECISION, max(NOISE_PRECISION, 2 * outcome.precision))
    finer = _run_exact(program, point, bits, exact_sums, outcome.fixed)
    zeros = _shrunk(outcome, finer, candidates)
    later = [i for i in candidates if i not in zeros and i < len(finer.values) and finer.is_zero(i)]
    if later and bits < MAX_PRECISION:
        # noise as large as the value's whole range at first (sin(pi*y*y) at
        # y = 2**580: the argument's rounding at 256 bits is 2**906), so that it
        # cannot shrink from there by half the bits added: the next doubling
        # tells, from the finer value on
        finest = _run_exact(program, point, min(MAX_PRECISION, 2 * bits), exact_sums, outcome.fixed)
        zeros |= _shrunk(finer, finest, later)
        finer = finest
    emerged = any(
        i not in zeros and i < len(finer.values) and not finer.is_zero(i) for i in candidates
    )
    return frozenset(zeros), finer.precision if emerged else 0


def _shrunk(coarse: Exact, finer: Exact, candidates: Sequence[int]) -> set[int]:
    """The candidates still within rounding of 0 in ``finer`` that shrank from
    ``coarse`` by at least half the bits added."""
    shrink = _power_of_two((coarse.precision - finer.precision) // 2)
    return {
        i
        for i in candidates
        if i < len(finer.values)
        and finer.is_zero(i)
        and abs(finer.values[i]) <= abs(coarse.values[i]) * shrink
    }


def _periodic_calls(program: Program) -> tuple[tuple[int, int], ...]:
    """The program's periodic calls (sin, cos, tan, sinc: one argument each) and
    their arguments, as instruction indices, found once per program (the
    common path pays a lookup)."""
    cached: tuple[tuple[int, int], ...] | None = program.__dict__.get("_periodic")
    if cached is None:
        cached = tuple(
            (i, args[0]) for i, (_, args, _, periodic, _) in enumerate(_steps(program)) if periodic
        )
        object.__setattr__(program, "_periodic", cached)
    return cached


def _uncancelled(outcome: Exact, index: int) -> bool:
    """Whether step ``index``'s rounding is of its own size (within 2**16): no
    sum on its way cancelled. sin(pi + (abs(y + 2**1900) - 2**1900)) at y =
    2**-900 is 1e-271, but its argument carries 2**1900's rounding: below it
    at 2,048 bits too, it was taken for pi's noise and made 0, where the
    refinement of the cancelling sum finds it."""
    magnitude = outcome.magnitudes[index]
    return bool(magnitude <= abs(outcome.values[index]) * 65536)


def _pole_of_noise(
    program: Program, point: Mapping[str, Any], outcome: Exact, exact_sums: bool
) -> Exact:
    """A pole reached through rounding that no exact 0 makes (_noise_zeros):
    tan(pi*x) at 0.5 takes tan of pi/2 rounded, 1e77 at 256 bits, and a sum
    that cancels to noise may be divided by. Such a step is large (|value| >= 1)
    and below its own rounding (is_zero: its value is the rounding's). With
    4x the bits a pole's noise grows (1e77, then 1e308; log's 177, then 710)
    while a true value settles: a step that grows there, still below its
    rounding, is that pole; so is one that noise crossing a domain edge
    there (sqrt of a negative noise) leaves undefined."""
    # an undefined outcome too: exp(tan(pi*x)) at 0.5 overflows at exp after
    # tan's noise pole (1e77), which is the first node without a value
    suspects = _suspects(outcome) if outcome.rounded else []
    if not suspects:
        return outcome
    if outcome.precision < MAX_PRECISION:
        finer = min(MAX_PRECISION, 4 * outcome.precision)
        coarse, finest = outcome, _run_exact(program, point, finer, exact_sums, outcome.fixed)
    else:  # refined this far already (tan's value far below its rounding looks cancelled)
        coarse = _run_exact(program, point, PRECISION, exact_sums, outcome.fixed)
        finest = outcome
        suspects = _suspects(coarse)
    for i in suspects:
        # undefined before this step once the rounding is 4x finer (the noise
        # under 1/sqrt(sin(pi*x)) at 1 turned negative), or growing with the
        # precision: the noise is a 0's, and this step its pole
        if i >= len(finest.values) or (
            finest.is_zero(i) and abs(finest.values[i]) >= 2 * abs(coarse.values[i])
        ):
            return replace(
                outcome,
                value=None,
                undefined=Undefined("pole", program.nodes[i]),
                values=outcome.values[:i],
                magnitudes=outcome.magnitudes[:i],
            )
    return outcome


def _lost_to_cancellation(program: Program, outcome: Exact) -> Exact:
    """Undefined ("cancelled") where even MAX_PRECISION bits leave the value
    to its rounding: the sum that cancelled most is named. x*erf(x) + x at
    x = -110 is x*erfc(110), 1e-5257, which 16,384 bits round to 0 (erf(-110)
    is -1 to that precision); times exp(x**2) in a closed form, that 0 gave a
    derivative of -124 where the true one is 4.2e-7. A value known only to
    float64's underflow (the noise of sin(x)**2 + cos(x)**2 - 1, 2**-16384)
    is known well enough: any float64 it could be is 0."""
    value = outcome.value
    if value is None or outcome.precision < MAX_PRECISION:
        return outcome
    blind = _blind_step(program, outcome)
    if blind is not None:
        argument = program.nodes[program.instructions[blind].args[0]]
        return replace(outcome, value=None, undefined=Undefined("cancelled", argument))
    if not _may_cancel(outcome):
        return outcome
    noise = outcome.magnitudes[-1] * _power_of_two(ZERO_MARGIN - outcome.precision)
    if noise <= abs(value) * _power_of_two(-64) or noise < _power_of_two(-1100):
        return outcome
    steps = _steps(program)
    worst, ratio = len(outcome.values) - 1, gmpy2().mpfr(0)
    for i, v in enumerate(outcome.values):
        if steps[i][2] in _CANCELS and outcome.magnitudes[i]:
            r = outcome.magnitudes[i] / abs(v) if v else gmpy2().inf()
            if r > ratio:
                worst, ratio = i, r
    return replace(outcome, value=None, undefined=Undefined("cancelled", program.nodes[worst]))


# Functions that tend to a constant they never reach: a value rounded onto it
# (tanh(-6000) to -1 at 16,384 bits) is surely off it by less than the rounding,
# so a step function's side that rests on it is unknown.
_SATURATES: dict[str, tuple[int, ...]] = {
    "tanh": (-1, 1),
    "erf": (-1, 1),
    "sigmoid": (1,),
    "erfc": (2,),
}
# Functions that take their value at 0 nowhere else near 0 (|argument| < 1): one
# rounded onto it at an argument that is not 0 is surely off it. cos(2**-16384)
# is 1 - 2**-32769, which 16,384 bits round to 1, so heaviside(cos(x) - 1) read
# its step where it is 0 (a kink's convention off its line).
# (Primitives only: sec is written out as 1/cos before it is compiled.)
_ONLY_AT_ZERO: dict[str, int] = {"cos": 1, "cosh": 1, "exp": 1, "sinc": 1}


def _blind_step(program: Program, outcome: Exact) -> int | None:
    """The first step function read as on its step whose argument rests on a
    value rounding put off its true one for sure, or None. A step's argument
    within its rounding is read as on the step by design (x*0.1 - 0.3 at 3 and
    sin(pi*x) at 1 are 0), but heaviside(x*tanh(x) + x) at x = -6000 is not
    on its step: tanh(-6000) is -1 + 2e**-12000, which 16,384 bits round to -1,
    so the argument came out exactly 0 where it is surely below 0 (heaviside
    read 1/2 where f is 0). Surely off: a function rounded onto a value it
    never takes (_SATURATES), or a sum that rounded one nonzero term away
    entirely (softsign(exp(x)) at 12000 is exp(x)/(1 + exp(x)), whose 1 is
    lost: it reads 1). Asked only at the cap: below it, more bits are tried."""
    if not outcome.on_step:
        return None
    values, instructions = outcome.values, program.instructions
    resting: list[bool] = []
    for i in range(max(outcome.on_step)):
        ins, value = instructions[i], values[i]
        if ins.kind == CALL:
            own = value in _SATURATES.get(ins.name, ()) or (
                ins.name in _ONLY_AT_ZERO
                and value == _ONLY_AT_ZERO[ins.name]
                and 0 < abs(values[ins.args[0]]) < 1
            )
        elif ins.kind in (ADD, SUB):
            a, b = (values[j] for j in ins.args)
            own = bool(a) and bool(b) and (value == a or value == (b if ins.kind == ADD else -b))
        else:
            own = False
        resting.append(own or any(resting[j] for j in ins.args))
    return next((i for i in outcome.on_step if resting[instructions[i].args[0]]), None)


def _suspects(outcome: Exact) -> list[int]:
    """The steps that are large (|value| >= 1) and below their own rounding."""
    scale = _power_of_two(ZERO_MARGIN - outcome.precision)
    magnitudes = outcome.magnitudes
    return [
        i
        for i, v in enumerate(outcome.values)
        if abs(v) >= 1 and magnitudes[i] and abs(v) <= magnitudes[i] * scale
    ]


def _may_cancel(outcome: Exact) -> bool:
    """Some sum on the way is so far below its terms that cancellation may have
    eaten more than precision - CANCELLATION_MARGIN bits (a sum that is exactly
    0 looks so too: a second evaluation tells)."""
    return bool(outcome.cancelled > _power_of_two(outcome.precision - CANCELLATION_MARGIN))


def agree_to_64_bits(a: Any, b: Any) -> bool:
    """Equal to 64 bits (or both 0)."""
    return bool(abs(a - b) <= max(abs(a), abs(b)) * _power_of_two(-64))


def _bits_to_keep(m: Any, a: Any, b: Any) -> int:
    """The precision a + b needs to keep every bit of its smaller term: the gap
    between the two, and the smaller term's significant bits (at least
    2*PERIODIC_GUARD). Beside a point y carries the step's bits: y = 2**-1000
    moved by 2**-4096 of itself has 3,149, and 384 kept under 1e300 + y (a gap
    of 1,997 bits) left every difference quotient of (1e300 + y) - 1e300 +
    abs(y - 2**-1000) to rounding: it was called differentiable (0) where its
    sides are 0 and 2."""
    if not a or not b:
        return 0
    smaller = a if m.get_exp(a) < m.get_exp(b) else b
    mantissa = abs(smaller.as_mantissa_exp()[0])
    significant = m.bit_length(mantissa) - m.bit_scan1(mantissa)
    return int(abs(m.get_exp(a) - m.get_exp(b))) + max(2 * PERIODIC_GUARD, int(significant))


def _run_exact(
    program: Program,
    point: Mapping[str, Any],
    precision: int,
    exact_sums: bool = False,
    fixed: Mapping[int, Any] = _NOTHING_FIXED,
) -> Exact:
    """One evaluation at ``precision``; the steps in ``fixed`` take the exact
    value given there (an mpq that is exact at this precision): 0 for the noise
    of a 0 (_noise_zeros), or a rational's exact value (_exact_rationals)."""
    m = gmpy2()
    is_finite, mpfr = m.is_finite, m.mpfr
    with m.context(m.get_context(), precision=precision, allow_complex=False) as context:
        context.clear_flags()
        values: list[Any] = []
        magnitudes: list[Any] = []
        cancelled = mpfr(1)  # the largest |terms| / |sum| of any sum on the way
        needs = precision  # bits a periodic function's computed argument needs
        on_rounded_edge = False
        zero_scale = _power_of_two(ZERO_MARGIN - precision)
        inexact = False  # some step so far rounded
        exact: list[bool] = []  # per step: its value is exact (no rounding on its way)
        on_step: list[int] = []
        amplified, most, amplifier = 0, 0, -1  # the bits powers lost; the one that lost most
        try:
            for index, (step, args, spread, periodic, edges) in enumerate(_steps(program)):
                if (
                    edges
                    and inexact
                    and _at_edge(m, values[args[0]], edges)
                    and not exact[args[0]]
                    and not _computed_exactly(program, point, precision, index, fixed)[args[0]]
                ):
                    # a rounded argument exactly on the end of the domain
                    # (cosh(2**-128) is 1 + 2**-257, 256 bits say 1), or on a
                    # step (frac(cos(2**-128)): cos rounds to 1, a jump): unsure
                    on_rounded_edge = True
                if index in fixed:
                    context.clear_flags()
                    value = mpfr(fixed[index])
                    if not context.inexact:  # exact at this precision (it is, or is 0)
                        values.append(value)
                        exact.append(True)
                        magnitudes.append(0)
                        continue
                if periodic and values[args[0]]:
                    needs = max(needs, m.get_exp(values[args[0]]) + PERIODIC_GUARD)
                # this step's flags only: the scales computed after the last one
                # may have underflowed (sign(exp(-744261000)): its argument's
                # scale times 2**-208 is past MPFR), which is no failure of this one
                context.clear_flags()
                value = step(m, values, point)
                if context.inexact:
                    inexact = True
                if context.underflow:
                    raise _Failed(index, "underflow")
                if context.overflow:  # inside a function, even if its value is finite
                    raise _Failed(index, "overflow")
                if not is_finite(value):
                    kind = "domain" if m.is_nan(value) else "pole"
                    raise _Failed(index, "overflow" if context.overflow else kind)
                values.append(value)
                flagged = _rounded(context, spread)
                exact.append(not flagged and all(exact[i] for i in args))
                magnitude = (
                    _magnitude(spread, value, args, values, magnitudes, zero_scale)
                    if not exact[-1]
                    else 0  # no rounding to tell it from 0: 1 - exp(0) is exactly 0
                )
                magnitudes.append(magnitude)
                if (spread in _STEPS or spread is _chosen) and not magnitude:
                    # clearly off its steps: flat there, so exact; max or min
                    # choosing an exact argument clearly apart from the other
                    exact[-1] = True
                if abs(value) * cancelled < magnitude and spread in _CANCELS:
                    # far below its rounding: a sum that cancelled, or a function
                    # whose argument's rounding swamps its value (log(1 + x) at
                    # 1e-100: 1 + x rounds to 1, whose log is 0)
                    cancelled = magnitude / abs(value) if value else m.inf()
                # frac jumps at whole numbers too (a - trunc(a)), though its
                # value carries its argument's rounding: frac(tanh(y) + 2) at
                # y = 20000 is tanh(y), near 1, but tanh rounds to 1 and frac
                # read 0 (a helper's find, stop 33)
                jumps = spread if spread in _STEPS else _STEP_AT_WHOLE if edges is _WHOLE else None
                if (
                    jumps is not None
                    and magnitudes[args[0]]
                    and _step_distance(jumps, values[args[0]]) <= magnitudes[args[0]] * zero_scale
                ):
                    # a step function whose argument is within its rounding of a
                    # step: which side it is on is the rounding's, so more bits
                    # are asked for, as for a sum that cancelled (sign(sin(pi*x +
                    # 1e-300)) at 1 is -1: 256 bits lose the 1e-300 and give
                    # the sign of pi's noise)
                    cancelled = m.inf()
                    on_step.append(index)
                if spread == _ADDITIVE and exact_sums:
                    needs = max(needs, _bits_to_keep(m, values[args[0]], values[args[1]]))
                if spread in (_POWER, _CONSTANT_POWER):
                    # summed: a chain of powers multiplies the amplifications
                    # (((1 + x/1e200)**(1e100+0.5))**(1e100+0.5) loses 665 bits,
                    # each power half of them; a review's find in the first
                    # version, which kept the largest only)
                    bits = _amplified_bits(m, values, exact, args)
                    if bits > most:
                        most, amplifier = bits, index
                    amplified += bits
        except _Failed as failure:
            undefined = Undefined(failure.kind, program.nodes[failure.index])
            failing = program.instructions[failure.index]
            doubtful = (
                failure.kind in ("pole", "domain")
                and inexact
                and _doubtful(m, values, magnitudes, failing)
                # lgamma(1)**(-2/3) fails at 0 exactly, not by rounding: the
                # refinement (32,768 bits of digamma beside it) is for nothing
                and _doubtful(
                    m,
                    values,
                    magnitudes,
                    failing,
                    _computed_exactly(program, point, precision, failure.index, fixed, magnitudes),
                )
            )
            return Exact(
                None,
                undefined,
                tuple(values),
                tuple(magnitudes),
                precision,
                cancelled,
                needs,
                inexact,
                doubtful=doubtful,
                fixed=fixed,
                amplified=amplified,
                amplifier=amplifier,
            )
        rounded = inexact
        return Exact(
            values[-1],
            None,
            tuple(values),
            tuple(magnitudes),
            precision,
            cancelled,
            needs,
            rounded,
            on_rounded_edge,
            on_step=tuple(on_step),
            fixed=fixed,
            amplified=amplified,
            amplifier=amplifier,
        )


def _amplified_bits(m: Any, values: list[Any], exact: list[bool], args: tuple[int, ...]) -> int:
    """The bits a**b loses to its base's rounding: a relative error e of a
    becomes about |b|*e of a**b, so log2|b| bits (0 for an exact base, which
    MPFR's correctly rounded power loses nothing of). The exponent's own
    rounding costs |b*log(a)| = |log(a**b)| times its relative error, at most
    the 30 bits of MPFR's exponent range, which the margins absorb. Unlike a
    sum's cancellation this cannot be seen in the value: (1 + x/1e200)**1e200
    at 1 is 1 at every precision below 665 bits, so two of them agree."""
    base, exponent = args
    if exact[base] or not values[base] or not values[exponent]:
        return 0
    return max(0, int(m.get_exp(values[exponent])))


def _doubtful(
    m: Any,
    values: list[Any],
    magnitudes: list[Any],
    ins: Instruction,
    exact: Sequence[bool] = (),
) -> bool:
    """Whether a failing step may fail only by rounding: an argument within its
    rounding of a whole number (every pole and domain end of the language is at
    one); for a power, its base within rounding of 0 or its exponent of a whole
    number ((-10)**(1/3) fails whatever the rounding: -10 is surely negative);
    for a quotient, its denominator within rounding of 0. ``exact``: which
    values were computed with no rounding at all (see _computed_exactly); such
    an argument is what it is."""
    if ins.kind == POW:
        base, exponent = ins.args
        if _near(m, values, magnitudes, (base,), exact, whole=False):
            return True
        # a base of exactly 0 fails for any exponent below 0: only an exponent
        # within rounding of 0 is in doubt (0**cos(pi) fails whether cos(pi)
        # rounds above or below -1); a negative base, for any exponent not whole
        settled = values[base] == 0 and ((exact and exact[base]) or not magnitudes[base])
        return _near(m, values, magnitudes, (exponent,), exact, whole=not settled)
    if ins.kind == DIV:
        # a quotient fails on its denominator alone: a/0 has no value whatever a
        # is ((1 - cos(pi*x))/sin(pi*x)**2 at 2 is 0/0 with pi's noise above)
        return _near(m, values, magnitudes, ins.args[1:], exact, whole=False)
    # only the gamma functions fail at every whole number below 1; every other
    # function's poles and domain ends are at -1, 0 or 1 (log of x - tanh(x) at
    # -387000, tanh rounded to -1, is log(-386999): surely outside, though whole)
    every = ins.kind != CALL or ins.name in _FAIL_AT_WHOLE_NUMBERS
    return _near(m, values, magnitudes, ins.args, exact, whole=True, unit=not every)


# Functions with poles at every whole number below 1 (0, -1, -2, ...)
_FAIL_AT_WHOLE_NUMBERS = frozenset({"gamma", "factorial", "lgamma", "digamma", "polygamma"})


def _near(
    m: Any,
    values: list[Any],
    magnitudes: list[Any],
    args: Sequence[int],
    exact: Sequence[bool],
    *,
    whole: bool,
    unit: bool = False,
) -> bool:
    """Whether some argument is within its rounding (ZERO_MARGIN bits of slack) of
    a whole number (or of 0). An argument with no rounding error at all
    (magnitude 0: an exact 0, such as relu of a surely negative number; or
    computed exactly, as lgamma(1) is) is what it is."""
    for i in args:
        if exact and exact[i]:
            continue
        value, magnitude = values[i], magnitudes[i]
        nearest = m.rint(value) if whole else 0
        if unit:
            nearest = max(-1, min(1, nearest))  # the nearest of -1, 0 and 1
        distance = abs(value - nearest)
        scale = magnitude * _power_of_two(ZERO_MARGIN - m.get_context().precision)
        if magnitude and distance <= scale:
            return True
    return False


def _rounded(context: Any, spread: Spread) -> bool:
    """Whether MPFR's inexact flag on this step is a rounding: it flags a step
    function (rint, floor, ...) wherever its value differs from its argument,
    which is none (round(-1.5) is -2, on its step, exactly)."""
    return bool(context.inexact) and spread not in _STEPS


def _computed_exactly(
    program: Program,
    point: Mapping[str, Any],
    precision: int,
    upto: int,
    fixed: Mapping[int, Any] = _NOTHING_FIXED,
    magnitudes: Sequence[Any] = (),
) -> list[bool]:
    """For each instruction before ``upto``, whether its value came out with no
    rounding anywhere on its way: MPFR's inexact flag, per step, and exact
    arguments (lgamma(1) is exactly 0; cosh(2**-128) rounds to 1), or an
    argument that fixes the result whatever the others' rounding (an exact 0
    factor, 0 or 1 as a base, 0 as an exponent: lgamma(1)**(5/3) is exactly 0
    though 5/3 is rounded). The same evaluation again, flag by flag: only where
    a failure or a domain edge asks, so the common path pays nothing."""
    m = gmpy2()
    exact: list[bool] = []
    values: list[Any] = []
    steps = _steps(program)
    with m.context(m.get_context(), precision=precision, allow_complex=False) as context:
        for index in range(min(upto, len(steps))):
            step, args, spread = steps[index][:3]
            if index in fixed:
                context.clear_flags()
                value = m.mpfr(fixed[index])
                if not context.inexact:
                    values.append(value)
                    exact.append(True)
                    continue
            context.clear_flags()
            value = step(m, values, point)
            values.append(value)
            flagged = _rounded(context, spread)
            known = not flagged and all(exact[i] for i in args)
            if not known and not flagged and m.is_finite(value):
                kind = program.instructions[index].kind
                settled = [values[i] for i in args if exact[i]]
                if kind == MUL:
                    known = any(v == 0 for v in settled)
                elif kind == DIV:
                    known = exact[args[0]] and values[args[0]] == 0
                elif kind == POW:
                    base, exponent = args
                    known = (exact[base] and values[base] in (0, 1)) or (
                        exact[exponent] and values[exponent] == 0
                    )
                elif spread is _chosen and magnitudes:
                    # max or min choosing an exact argument clearly apart from
                    # the other (hardtanh(E) = min(max(E, -1), 1) is exactly 1)
                    i, j = args
                    chosen = i if values[i] == value else j
                    known = (
                        exact[chosen]
                        and _chosen(
                            m,
                            value,
                            args,
                            values,
                            list(magnitudes),
                            _power_of_two(ZERO_MARGIN - precision),
                        )
                        == 0
                    )
            exact.append(known)
    return exact


Step = Callable[[Any, list[Any], Mapping[str, Any]], Any]

# How an instruction's magnitude (the scale of its rounding error, see
# Exact.magnitudes) follows from its arguments': a sum keeps the largest term's
# (cancellation shows as a magnitude far above the value); a product or
# quotient scales its arguments' relative errors (x*tanh(y) at x = 1e-300 is
# tiny, not a cancelled 0); a whole power multiplies its base's by the
# exponent, and so does a power to any constant (z**1.5 at z = 5e-324 is 1e-485,
# its rounding relative to that, not to the exponent's size); exp scales its
# argument's absolute error by its value (exp(-5530) is no 5530-sized rounding);
# a step function (sign, heaviside, floor, ...) with its argument clearly off
# every step is exact (sign(1e125) is 1, with no 1e125-sized rounding); a
# function with a slope rule (_SLOPES) scales its arguments' by its slope there
# (log(1e300) is 690.8 with a rounding of that size, not of 1e300's); anything
# else keeps the largest met.
(
    _LARGEST,
    _ADDITIVE,
    _PRODUCT,
    _QUOTIENT,
    _POWER,
    _PIECEWISE,
    _CONSTANT_POWER,
    _EXP,
    _STEP_AT_ZERO,
    _STEP_AT_WHOLE,
    _STEP_AT_HALVES,
) = range(11)
_STEPS = (_STEP_AT_ZERO, _STEP_AT_WHOLE, _STEP_AT_HALVES)
_PIECEWISE_OR_STEP = (_PIECEWISE, *_STEPS)


def _step_distance(spread: Spread, arg: Any) -> Any:
    """How far a step function's argument is from its nearest step."""
    if spread == _STEP_AT_WHOLE:
        return abs(arg - gmpy2().rint(arg))  # the distance to the nearest whole number
    if spread == _STEP_AT_HALVES:
        return abs(arg - gmpy2().floor(arg) - 0.5)
    return abs(arg)


def _magnitude(
    spread: Spread,
    value: Any,
    args: tuple[int, ...],
    values: list[Any],
    magnitudes: list[Any],
    zero_scale: Any,
) -> Any:
    size = abs(value)
    if spread in _STEPS:
        i = args[0]
        if _step_distance(spread, values[i]) > magnitudes[i] * zero_scale:
            # clearly off its steps, a step function is flat there: its value (a
            # whole number, or 1/2) is exact, whatever its argument's rounding.
            # Not of its own size: floor(sign(y - tanh(y))) at 1e20 took sign's
            # exact 1 for a rounded 1 within its rounding of floor's step at 1
            return 0
    if spread in _PIECEWISE_OR_STEP and not value:
        # relu, heaviside, sign, floor, ... on a flat 0 of theirs, their argument
        # clearly away from the kink: an exact 0 (relu(z)*sin(z) at z < 0 is no
        # cancellation of sin(z)'s size)
        i = args[0]
        if abs(values[i]) > magnitudes[i] * zero_scale:
            return size
    if spread == _PRODUCT:
        i, j = args
        # (a + da)(b + db) - ab = a*db + b*da + da*db: the last term keeps the
        # rounding of a product of two rounded zeros (acosh(cosh(1e-300))**2
        # times sqrt(cosh(1e-300)**2 - 1) at 256 bits) from passing as exact
        return max(
            size,
            magnitudes[i] * abs(values[j])
            + abs(values[i]) * magnitudes[j]
            + magnitudes[i] * magnitudes[j] * zero_scale,
        )
    if spread == _QUOTIENT:
        i, j = args
        return max(size, (magnitudes[i] + size * magnitudes[j]) / abs(values[j]))
    if spread in (_POWER, _CONSTANT_POWER) and not value and not magnitudes[args[0]]:
        # an exact 0 (relu of a surely negative number) to a positive power is
        # exactly 0, whatever the exponent's rounding
        return magnitudes[args[0]]
    if spread == _CONSTANT_POWER:
        i, j = args
        base = values[i]
        if base:
            # the base's relative error times the exponent, and the exponent's
            # (1/3 is rounded) times |log(base)|, bounded by its binary exponent:
            # (z**3)**(1/3) beside 0 is z*(1 + 266*2**-p) at z = 2**-128
            log_base = (abs(gmpy2().get_exp(base)) + 1) * 0.7
            return max(
                size,
                size * (abs(values[j]) * magnitudes[i] / abs(base) + log_base * magnitudes[j]),
            )
    if spread == _EXP:
        return max(size, size * magnitudes[args[0]])
    if not isinstance(spread, int):
        m = gmpy2()
        # the rules' own arithmetic at 64 bits, in a context whose flags go nowhere
        with m.context(m.get_context(), precision=SLOPE_PRECISION):
            scale = spread(m, value, args, values, magnitudes, zero_scale)
        if scale is not None:
            # max and min round nothing: the chosen argument's rounding, none
            # for an exact one (erfinv(min(pi, x)) at x = 1 is erfinv(1), a
            # pole, not one within pi's rounding)
            return scale if spread is _chosen else max(size, scale)
    if spread == _POWER:
        i, j = args
        base, exponent = values[i], values[j]
        if base and exponent == int(exponent) and magnitudes[j] in (0, abs(exponent)):
            return max(size, size * abs(exponent) * magnitudes[i] / abs(base))
        if base > 0 and size:
            # a**b = exp(b*log(a)): b times a's relative error, and |log(a)| (bounded
            # by a's binary exponent) times b's absolute error, relative to the
            # value. 0.25**x beside x = 1000 is 1e-602 with a rounding of that
            # size, not of x's: the largest argument's size made its one-sided
            # slopes, 1e-602 too, look like rounding
            log_base = (abs(gmpy2().get_exp(base)) + 1) * 0.7
            return max(
                size, size * (abs(exponent) * magnitudes[i] / base + log_base * magnitudes[j])
            )
    for i in args:
        if magnitudes[i] > size:
            size = magnitudes[i]
    return size


_SPREAD = {ADD: _ADDITIVE, SUB: _ADDITIVE, MUL: _PRODUCT, DIV: _QUOTIENT, POW: _POWER}


# (its step, its arguments, how its magnitude spreads, periodic, its edges: domain
# ends, or the steps of a step function)
_Compiled = tuple[Step, tuple[int, ...], "Spread", bool, "tuple[float, ...] | tuple[str]"]


def _steps(program: Program) -> list[_Compiled]:
    """Each instruction as a small function of (gmpy2, values so far, point),
    made once per program: evaluating then costs one call per instruction.
    Alongside: how its magnitude spreads, whether it is periodic, and the
    ends of its domain (sqrt at 0, asin at -1 and 1)."""
    cached: list[_Compiled] | None = program.__dict__.get("_steps")
    if cached is None:
        constant: list[bool] = []  # no variable below this instruction
        for ins in program.instructions:
            constant.append(ins.kind != VAR and all(constant[i] for i in ins.args))
        cached = [
            (
                _step(ins),
                ins.args,
                _spread(ins, constant),
                ins.kind == CALL and function(ins.name).periodic,
                _STEP_EDGES.get(ins.name, function(ins.name).edges) if ins.kind == CALL else (),
            )
            for ins in program.instructions
        ]
        object.__setattr__(program, "_steps", cached)
    return cached


def _spread(ins: Instruction, constant: Sequence[bool]) -> Spread:
    """How an instruction's magnitude follows from its arguments' (see _magnitude)."""
    if ins.kind == CALL:
        if ins.name in _STEP_SPREAD:
            return _STEP_SPREAD[ins.name]
        if ins.name in _SLOPES:
            return _SLOPES[ins.name]
        if function(ins.name).kink:
            return _PIECEWISE
        return _EXP if ins.name == "exp" else _LARGEST
    if ins.kind == POW and constant[ins.args[1]]:
        return _CONSTANT_POWER
    return _SPREAD.get(ins.kind, _LARGEST)


# The steps of the step functions, as edges: every whole number (floor, ceil,
# trunc, frac), every half (round).
_WHOLE: tuple[str] = ("whole numbers",)
_HALVES: tuple[str] = ("halves",)
# ---------------------------------------------------------------- slopes

# A slope rule: (gmpy2, value, argument indices, values, magnitudes, zero_scale)
# gives the rounding scale a function's value inherits from its arguments', or
# None to keep the largest met (see _magnitude, which runs it at SLOPE_PRECISION).
SlopeRule = Callable[[Any, Any, tuple[int, ...], list[Any], list[Any], Any], Any]
Spread = int | SlopeRule

# Precision of the slopes: a rounding scale needs no more than its binary
# exponent, and a separate context keeps their flags out of the evaluation's.
SLOPE_PRECISION = 64


def _one(slope: Callable[[Any, Any, Any], Any]) -> SlopeRule:
    """A rule from |f'(a)| as a function of (gmpy2, value, a): the first
    argument's magnitude times that slope. A slope that cannot be had (a on a
    domain end, where it is infinite) keeps the largest met."""

    def rule(
        m: Any,
        value: Any,
        args: tuple[int, ...],
        values: list[Any],
        magnitudes: list[Any],
        zero_scale: Any,
    ) -> Any:
        i = args[0]
        found = slope(m, value, values[i])
        if found is None or not m.is_finite(found):
            return None
        return abs(found) * magnitudes[i]

    return rule


def _inverse_root(m: Any, square: Any) -> Any:
    """1/sqrt(square), or None where it is infinite or not real (a domain end)."""
    return 1 / m.sqrt(square) if square > 0 else None


def _inverse(m: Any, denominator: Any) -> Any:
    return 1 / abs(denominator) if denominator else None


def _erf_slope(m: Any, value: Any, a: Any) -> Any:
    # e**-(a**2) underflows to 0 past |a| = 27,282 (MPFR's smallest exponent is
    # -2**30), in the slopes' own context, whose flags go nowhere
    return 2 * m.exp(-a * a) / m.sqrt(m.const_pi())


def _trigamma_bound(m: Any, a: Any) -> Any:
    """An upper bound of polygamma(1, a) (it is positive): below 1/a + 1/a**2 for
    a > 0; for a <= 0, by the reflection polygamma(1, 1 - a) + polygamma(1, a) =
    pi**2/sin(pi*a)**2, below pi**2/sin(pi*a)**2 <= pi**2/(4*d**2), d the
    distance to the nearest whole number (|sin(pi*d)| >= 2*d)."""
    if a > 0:
        return 1 / a + 1 / (a * a)
    d = abs(a - m.rint(a))
    return 2.5 / (d * d) if d else None


def _polygamma(
    m: Any, value: Any, args: tuple[int, ...], values: list[Any], magnitudes: list[Any], _: Any
) -> Any:
    """polygamma(n, b): b's magnitude times |polygamma(n + 1, b)|, below
    n!/b**(n+1) + (n+1)!/b**(n+2) for b > 0 (n >= 0); the exponent n is an exact
    whole number. For b < 0, with k = n + 1 and d the distance to the nearest
    whole number: polygamma(k, b) is -+k! times the sum of 1/(b + j)**(k+1) over
    j >= 0, whose |b + j| are d + i and 1 - d + i (i >= 0, each at most once), so
    it is below k!*(2/d**(k+1) + 2*zeta(2)). Near a pole that is about twice the
    true slope: polygamma(1, x - 3 + 1e-76) at 0 had no bound there (the largest
    met, 3), and its rounding went unseen: 10% off. The factorials are gamma's,
    at 64 bits: n may be huge (an exact n! of 10**7 takes seconds)."""
    n, b = int(values[args[0]]), values[args[1]]
    k = n + 1
    if b <= 0:
        d = abs(b - m.rint(b))
        if not d:
            return None
        slope = m.gamma(m.mpfr(k + 1)) * (2 / d ** (k + 1) + 3.3)
    else:
        slope = m.gamma(m.mpfr(k)) / b**k + m.gamma(m.mpfr(k + 1)) / b ** (k + 1)
    return slope * magnitudes[args[1]] if m.is_finite(slope) else None


def _atan2(
    m: Any, value: Any, args: tuple[int, ...], values: list[Any], magnitudes: list[Any], _: Any
) -> Any:
    """atan2(a, b): its partial derivatives are b/(a**2 + b**2) and -a/(a**2 + b**2)."""
    (i, j), a, b = args, values[args[0]], values[args[1]]
    square = a * a + b * b
    if not square or not m.is_finite(square):
        return None
    return (abs(b) * magnitudes[i] + abs(a) * magnitudes[j]) / square


def _sinc(
    m: Any, value: Any, args: tuple[int, ...], values: list[Any], magnitudes: list[Any], _: Any
) -> Any:
    """sinc(t), computed as sin(pi*t)/(pi*t): pi's rounding, carried through sin
    and divided by pi*t again, is of size 1 whatever t (sinc is periodic: the
    evaluation keeps every bit of pi*t below its units digit), not of t's size
    (sinc(1e100/3) is 8.3e-101, well above that rounding). t's own rounding is
    carried by the slope, (cos(pi*t) - sinc(t))/t: below pi, and below 2/|t|."""
    t = values[args[0]]
    slope = min(m.const_pi(), 2 / abs(t)) if t else m.const_pi()
    return 1 + slope * magnitudes[args[0]]


def _logsumexp(
    m: Any, value: Any, args: tuple[int, ...], values: list[Any], magnitudes: list[Any], _: Any
) -> Any:
    """logsumexp(a, b) = max(a, b) + log1p(exp(-|a - b|)): its partial derivatives
    are the weights exp(a - value) and exp(b - value), at most 1, and the log1p
    term (at most log(2)) has a rounding of its own size. Not the larger
    argument's size: logsumexp(exp(-516000000), -744430898.5) is 2**-744430641
    with a rounding of that size."""
    (i, j), a, b = args, values[args[0]], values[args[1]]
    term = value - max(a, b)
    return m.exp(a - value) * magnitudes[i] + m.exp(b - value) * magnitudes[j] + term


def _chosen(
    m: Any,
    value: Any,
    args: tuple[int, ...],
    values: list[Any],
    magnitudes: list[Any],
    zero_scale: Any,
) -> Any:
    """max and min with their arguments clearly apart: the chosen argument's
    (max(x, -1) at x = 1e-300 is x, with no rounding of 1's size)."""
    i, j = args
    if abs(values[i] - values[j]) <= (magnitudes[i] + magnitudes[j]) * zero_scale:
        return None
    return magnitudes[i] if values[i] == value else magnitudes[j]


# The functions whose slope is far from 1 somewhere, or that choose between
# their arguments. Of the others, sin, cos, abs, relu and frac have slopes of at
# most 1 and keep the largest magnitude met; exp has its own spread (_EXP), and
# the step functions theirs (_STEP_SPREAD).
_SLOPES: dict[str, SlopeRule] = {
    "tan": _one(lambda m, v, a: 1 + v * v),
    "asin": _one(lambda m, v, a: _inverse_root(m, 1 - a * a)),
    "acos": _one(lambda m, v, a: _inverse_root(m, 1 - a * a)),
    "atan": _one(lambda m, v, a: 1 / (1 + a * a)),
    "sinh": _one(lambda m, v, a: 1 + abs(v)),  # cosh(a) = sqrt(1 + sinh(a)**2)
    "cosh": _one(lambda m, v, a: v),  # |sinh(a)| < cosh(a)
    "tanh": _one(lambda m, v, a: (1 - v) * (1 + v)),  # 1 - v*v would round v*v first
    "asinh": _one(lambda m, v, a: _inverse_root(m, a * a + 1)),
    "acosh": _one(lambda m, v, a: _inverse_root(m, a * a - 1)),
    "atanh": _one(lambda m, v, a: _inverse(m, 1 - a * a)),
    "expm1": _one(lambda m, v, a: 1 + v),  # exp(a)
    "log": _one(lambda m, v, a: _inverse(m, a)),
    "log1p": _one(lambda m, v, a: _inverse(m, 1 + a)),
    "sqrt": _one(lambda m, v, a: _inverse(m, 2 * v)),
    "erf": _one(lambda m, v, a: _erf_slope(m, v, a)),
    "erfc": _one(lambda m, v, a: _erf_slope(m, v, a)),
    "erfinv": _one(lambda m, v, a: m.sqrt(m.const_pi()) * m.exp(v * v) / 2),
    "gamma": _one(lambda m, v, a: v * m.digamma(a)),
    "lgamma": _one(lambda m, v, a: m.digamma(a)),
    "digamma": _one(lambda m, v, a: _trigamma_bound(m, a)),
    "polygamma": _polygamma,
    "sigmoid": _one(lambda m, v, a: v * (1 - v)),
    "softplus": _one(lambda m, v, a: -m.expm1(-v)),  # sigmoid(a) = 1 - e**-softplus(a)
    "sinc": _sinc,
    "logsumexp": _logsumexp,
    "atan2": _atan2,
    "max": _chosen,
    "min": _chosen,
}


# The steps whose value far below their rounding means bits lost that more
# precision finds: sums, and the functions that carry their argument's rounding
# by their slope (log(1 + x) at 1e-100). Not sinc at a whole t (0 exactly, with
# a noise of pi's rounding, of either sign at each precision), nor sqrt, acos
# and acosh, whose slope is infinite at the end of their domain, where their
# value is small: a rounded argument there is the domain edge's question
# (sqrt(sin(pi*x)) at 1 is on the edge, not outside it at one precision and
# inside at the next).
_CANCELS = frozenset(
    {
        _ADDITIVE,
        *(rule for name, rule in _SLOPES.items() if name not in ("sinc", "sqrt", "acos", "acosh")),
    }
)

_STEP_SPREAD = {
    "sign": _STEP_AT_ZERO,
    "heaviside": _STEP_AT_ZERO,
    "floor": _STEP_AT_WHOLE,
    "ceil": _STEP_AT_WHOLE,
    "trunc": _STEP_AT_WHOLE,
    "round": _STEP_AT_HALVES,
}
_STEP_EDGES = {"floor": _WHOLE, "ceil": _WHOLE, "trunc": _WHOLE, "frac": _WHOLE, "round": _HALVES}


def _at_edge(m: Any, value: Any, edges: Any) -> bool:
    if edges is _WHOLE:
        return bool(m.is_integer(value))
    if edges is _HALVES:
        return bool(m.is_integer(2 * value)) and not m.is_integer(value)
    return bool(value in edges)


def _step(ins: Instruction) -> Step:
    kind, args = ins.kind, ins.args
    if kind == VAR:
        name = ins.name
        return lambda m, values, point: m.mpfr(point[name])
    if kind == NUM:
        number = ins.number
        assert number is not None
        p, q = number.numerator, number.denominator
        if q == 1:
            return lambda m, values, point: m.mpfr(p)
        return lambda m, values, point: m.mpfr(p) / q
    if kind == CONST:
        constant = lookup_constant(ins.name)
        assert constant is not None
        exact = constant.exact
        return lambda m, values, point: exact(m)
    if kind == NEG:
        (i,) = args
        return lambda m, values, point: -values[i]
    if kind == CALL:
        implementation = function(ins.name).exact
        assert implementation is not None  # programs call primitives only
        return lambda m, values, point: implementation(m, [values[i] for i in args])
    i, j = args
    if kind == ADD:
        return lambda m, values, point: values[i] + values[j]
    if kind == SUB:
        return lambda m, values, point: values[i] - values[j]
    if kind == MUL:
        return lambda m, values, point: values[i] * values[j]
    if kind == DIV:
        return lambda m, values, point: _exact_divide(m, values[i], values[j])
    return lambda m, values, point: _exact_power(m, values[i], values[j])


def _exact_divide(m: Any, a: Any, b: Any) -> Any:
    if b == 0:
        return m.inf() if a != 0 else m.nan()
    return a / b


def _exact_power(m: Any, base: Any, exponent: Any) -> Any:
    """a**b in real numbers: a negative base needs a whole exponent; 0**negative is a pole."""
    if base == 0 and exponent < 0:
        return m.inf()
    return base**exponent  # MPFR: nan for a negative base and a fractional exponent


# ---------------------------------------------------------------- float64 over grids


@dataclass(frozen=True)
class Float64Values:
    """A program's values at many points in float64, with what float64 may have lost."""

    values: Any  # numpy float64 array; nan where undefined
    undefined: Any  # bool array: some node had no finite value there
    doubtful: Any  # bool array: float64 may have lost too many bits there (re-evaluate)
    node_values: tuple[Any, ...]  # every instruction's values (for kink arguments)
    node_errors: tuple[Any, ...] = ()  # and their estimated absolute errors


# A float64 value is trusted when its estimated error is below this, relative
# to the value: a hundred times below the fuzz tests' and far below
# agreement's tolerance. Values whose error estimate is larger (cancellation,
# an ill-conditioned function) are evaluated exactly instead.
TRUSTED_ERROR = 1e-10
_EPSILON = 2.0**-53  # float64's rounding, relative
_PERTURBATION = 2.0**-20


def float64_values(
    program: Program, columns: Mapping[str, Any], count: int, still: Collection[int] = ()
) -> Float64Values:
    """The program at ``count`` points (numpy arrays, or scalars broadcast), in float64.

    Alongside each value runs an estimate of its absolute error: rounding
    adds half a unit in the last place per operation, sums add their terms'
    errors (so cancellation shows as a large error relative to the sum),
    products and quotients scale them, and a function multiplies its
    argument's error by its slope, measured by evaluating it once more at a
    slightly moved argument. ``still``: kinked calls whose argument is 0 all
    along the grid's line, so their value does not move with its rounding.
    """
    import numpy as np

    values: list[Any] = []
    errors: list[Any] = []
    undefined = np.zeros(count, dtype=bool)
    with np.errstate(all="ignore"):
        for index, ins in enumerate(program.instructions):
            value, error = _float64_step(np, ins, values, errors, columns)
            if index in still:
                error = 0.0
            value = np.broadcast_to(np.asarray(value, dtype=np.float64), (count,))
            undefined |= ~np.isfinite(value)
            values.append(value)
            # a coordinate is exact (it is the very float64 torch gets), and so is
            # a number float64 holds exactly (2, 0.5, polygamma's order 1, which
            # moved by its rounding would be another function)
            exact = (
                ins.kind == VAR
                or (ins.kind == NUM and ins.number is not None and _float64_holds(ins.number))
                or (ins.kind == CALL and ins.name in _EXACT_IN_FLOAT64)
            )
            rounding = 0.0 if exact else _EPSILON * np.abs(value)
            if ins.kind in (ADD, SUB):
                # a sum float64 holds exactly rounds nothing (z - 1 at z = 2: a
                # held exponent then stays exact, see analysis._near_special);
                # its rounding error, exactly, by Knuth's two-sum
                a, b = values[ins.args[0]], values[ins.args[1]]
                b = -b if ins.kind == SUB else b
                b_part = value - a
                residual = (a - (value - b_part)) + (b - b_part)
                rounding = np.where(residual == 0, 0.0, rounding)
            if ins.kind == CALL and ins.name in _FLOAT64_LOSES:
                args = [values[a] for a in ins.args]
                rounding = rounding + _FLOAT64_LOSES[ins.name](np, args, value)
            errors.append(np.broadcast_to(np.asarray(error + rounding, dtype=np.float64), (count,)))
        result = np.where(undefined, np.nan, values[-1])
        doubtful = ~undefined & ~(errors[-1] <= TRUSTED_ERROR * np.abs(result))
    return Float64Values(result, undefined, doubtful, tuple(values), tuple(errors))


# Functions whose float64 value is exactly what they give of their float64
# argument (a whole number, 1/2, the argument itself, or one of two): no rounding
# of their own. Given one, floor(ceil(0.1)) was 1 with an error of 2**-53 and so
# "may be just below 1": every point of a grid went to the exact evaluation.
_EXACT_IN_FLOAT64 = frozenset(
    {"sign", "heaviside", "floor", "ceil", "trunc", "round", "abs", "relu", "max", "min"}
)


def _sinc_error(np: Any, args: Sequence[Any], value: Any) -> Any:
    # np.sinc (torch.sinc alike) rounds pi*x first: sin(pi*x) moves by up to
    # |pi*x|*2**-53, an absolute error of about 2**-53 after the division (1.4 at
    # most against mpmath), however close the value is to its zeros at whole x
    return 4 * _EPSILON


def _lgamma_error(np: Any, args: Sequence[Any], value: Any) -> Any:
    # math.lgamma is off by up to 11*2**-53*max(1, |value|) for x > 0 (measured
    # against mpmath): near its zeros 1 and 2 an absolute error, 5.6e-4 relative at
    # 1 + 1e-12. For x < 0 it is log(pi/|sin(pi*x)|) - lgamma(1 - x), whose two
    # parts cancel near its zeros there (-2.457...): up to 3.5*2**-53 times their
    # sizes, bounded here with lgamma(y) <= y*log(y) + 1 for y = 1 - x >= 1
    x = args[-1]
    with np.errstate(all="ignore"):
        y = np.where(x < 0, 1 - x, 1.0)
        parts = np.abs(np.log(np.pi / np.abs(np.sin(np.pi * x)))) + y * np.log(y) + 2
    return np.where(x < 0, 8 * _EPSILON * parts, 16 * _EPSILON * np.maximum(1, np.abs(value)))


# Functions whose float64 value (numpy's, math's) may be off by more than a
# rounding of its own size: their own error, from their argument and value.
def _polygamma_error(np: Any, args: Sequence[Any], value: Any) -> Any:
    # the recurrence and series of functions._float64_polygamma: up to 1.8e-13
    # relative against mpmath for orders up to 250 (their terms through logs
    # past order 20), below 5 units of 2**-53 up to order 20. Left of 0 (orders
    # up to REFLECTION_MAX_ORDER) the reflection formula's own bound, absolute:
    # its two parts cancel near the function's zeros there
    from derivcli.language.functions import REFLECTION_MAX_ORDER

    orders = np.asarray(args[0], dtype=np.float64)
    error = 2.0**-40 * np.abs(value)
    for n in np.unique(orders[np.isfinite(orders)]):
        if n <= REFLECTION_MAX_ORDER:
            error = np.where(orders == n, _reflection_error(np, int(n), args[1], error), error)
    return error


def _reflection_error(np: Any, n: int, x: Any, elsewhere: Any) -> Any:
    """polygamma(n, x)'s float64 error left of 0 (not at whole x, its poles),
    where it comes from the reflection formula; ``elsewhere`` at other x (digamma
    right of 0: only its value's rounding, as before)."""
    from derivcli.language.functions import polygamma_reflection_error

    x, elsewhere = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64), np.asarray(elsewhere, dtype=np.float64)
    )
    error = np.array(elsewhere, dtype=np.float64)
    left = (x < 0) & (x != np.round(x))
    if left.any():
        error[left] = polygamma_reflection_error(np, n, x[left])
    return error


_FLOAT64_LOSES: dict[str, Callable[[Any, Sequence[Any], Any], Any]] = {
    "sinc": _sinc_error,
    "lgamma": _lgamma_error,
    "polygamma": _polygamma_error,
    "digamma": lambda np, args, value: _reflection_error(np, 0, args[0], 0.0),
}


def _to_float64(number: Fraction) -> float:
    """The number in float64; past its range +-inf (1e600, a product of constants
    folded: torch's value is inf too, and the points go to the exact evaluation)."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def _float64_holds(number: Fraction) -> bool:
    """Whether float64 holds the number exactly."""
    value = _to_float64(number)
    return math.isfinite(value) and Fraction(value) == number


def _float64_step(
    np: Any,
    ins: Instruction,
    values: list[Any],
    errors: list[Any],
    columns: Mapping[str, Any],
) -> tuple[Any, Any]:
    """One instruction's value and the error it inherits from its arguments."""
    kind = ins.kind
    if kind == VAR:
        return np.asarray(columns[ins.name], dtype=np.float64), 0.0
    if kind == NUM:
        number = ins.number
        assert number is not None
        return _to_float64(number), 0.0
    if kind == CONST:
        constant = lookup_constant(ins.name)
        assert constant is not None
        return constant.value, 0.0
    if kind == NEG:
        return -values[ins.args[0]], errors[ins.args[0]]
    if kind == CALL:
        spec = function(ins.name)
        args = [values[i] for i in ins.args]
        arg_errors = [errors[i] for i in ins.args]
        float64 = spec.float64
        assert float64 is not None  # programs call primitives only
        value = float64(np, args)
        # the slope by a small move of each argument, for piecewise functions
        # too: relu's flat part and a step away from its jump pass no error on.
        # And what the function does across the argument's own error, which may
        # hold a kink, a jump or many periods that the small move does not see:
        # relu(1e45*x - 1e44) at x = 0.1 has the argument -1.98e28 in float64 and
        # 5.55e27 exactly (an error of 3.3e28); sin(1e15*x) has an error of about
        # 0.2 in its argument, and a move of 2**-20 relative spans 1e8 periods
        error: Any = 0.0
        for position in range(len(args)):
            if not np.any(arg_errors[position]):
                continue  # an exact argument (a constant parameter, a variable)
            a, ea = args[position], arg_errors[position]
            step = np.maximum(np.abs(a), 1e-300) * _PERTURBATION
            moved = [*args[:position], a + step, *args[position + 1 :]]
            slope = np.abs(float64(np, moved) - value) / step
            below, above = (
                float64(np, [*args[:position], a + side * ea, *args[position + 1 :]])
                for side in (-1, +1)
            )
            across = np.maximum(np.abs(below - value), np.abs(above - value))
            error = error + np.maximum(slope * ea, across)
        return value, error
    (a, ea), (b, eb) = ((values[i], errors[i]) for i in ins.args)
    if kind == ADD:
        return a + b, ea + eb
    if kind == SUB:
        return a - b, ea + eb
    if kind == MUL:
        return a * b, np.abs(b) * ea + np.abs(a) * eb
    if kind == DIV:
        value = a / b
        return value, (ea + np.abs(value) * eb) / np.abs(b)
    value = np.power(a, b)
    error = np.abs(value) * (np.abs(b / a) * ea + np.abs(np.log(np.abs(a))) * eb)
    # a zero base: for b > 1 the power is at most ea**b (an exact 0 stays exact:
    # heaviside(x)**2 where heaviside is 0; x - 0.1 at the float 0.1 is 0 in
    # float64 and 5.55e-18 exactly, so its cube is 1.7e-52, not 0); below that,
    # an edge: re-check
    at_zero = np.where(b > 1, ea**b, np.where(b == 1, ea, np.inf))
    return value, np.where(a == 0, at_zero, error)


def exact_constant(tree: Node) -> Exact:
    """The exact value of a tree without variables."""
    return exact_value(compile_tree(tree), {})
