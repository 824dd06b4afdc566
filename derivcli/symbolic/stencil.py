"""Stage 2 for check-function: the points where gradcheck's finite difference
straddles a kink, a jump, a pole or a domain end of f.

``torch.autograd.gradcheck`` compares a Function's backward with the central
difference ``(f(x + eps) - f(x - eps)) / (2*eps)``, its two points computed in
float64 as torch computes them (``orig - eps``, ``orig + eps``; one input
element at a time). Where one of f's features lies in ``[x - eps, x + eps]``
that quotient is not f'(x): relu at x = -4.16e-17 (how ``linspace`` rounds 0)
gives 0.5 where f' is 0, floor at -0.9999999999999999 gives 500,000, log at
1e-6 reaches log(0). gradcheck then fails a correct Function, so
check-function leaves such points out of gradcheck, as it leaves out a point
that sits on a kink.

A feature is seen where a quantity that is 0 at it is 0, or changes sign,
among the exact values at the three points x - eps, x and x + eps: the kink
expression of a kinked call as written (relu(x - 1): x - 1; floor(a):
a - round(a)), a function's argument minus an end of its domain (sqrt at 0,
asin at -1 and 1, log at 0), a divisor, and the base of a power whose
exponent is not a whole number >= 0 or moves. So is a point where f has no
real value at x - eps or x + eps. Not seen: two features on one side of x
closer together than the stencil (the sign is back by x +- eps), and the
poles of tan and of the gamma family strictly inside it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from derivcli.errors import BudgetError
from derivcli.language.definitions import kink_trees
from derivcli.language.evaluate import (
    CALL,
    DIV,
    POW,
    ZERO_MARGIN,
    Exact,
    Program,
    compile_tree,
    exact_value,
    gmpy2,
)
from derivcli.language.functions import function
from derivcli.language.printer import to_text
from derivcli.language.tree import Call, Variable, unique_nodes
from derivcli.results import format_number
from derivcli.symbolic.analysis import exact_sign, is_total

if TYPE_CHECKING:
    from derivcli.language.parser import Expression

# Points checked between looks at the clock.
CLOCK_EVERY = 16


def features_reached(
    expression: Expression, xs: Sequence[float], eps: float, deadline: float
) -> dict[int, str]:
    """Per point index, what of f lies within ``eps`` of it (a phrase for a note:
    "a kink of relu"); points whose stencil reaches nothing are left out. f has
    one variable (check-function's)."""
    tree = expression.tree
    if is_total(tree):
        return {}  # smooth on the whole line: nothing to reach
    (var,) = expression.variables
    program = compile_tree(tree)
    kinks = [
        (node.name, compile_tree(kink))
        for node in unique_nodes(tree)
        if isinstance(node, Call)
        and function(node.name).kink
        and any(isinstance(n, Variable) for n in unique_nodes(node))
        for kink in kink_trees(node)
    ]
    found: dict[int, str] = {}
    for i, x in enumerate(xs):
        if i % CLOCK_EVERY == 0 and time.monotonic() > deadline:
            raise BudgetError(
                f"gradcheck's finite-difference points could not be checked for kinks "
                f"within the time budget ({i:,} of {len(xs):,} points done)"
            )
        what = _reached(program, kinks, var, x, eps)
        if what is not None:
            found[i] = what
    return found


def _reached(
    program: Program, kinks: Sequence[tuple[str, Program]], var: str, x: float, eps: float
) -> str | None:
    """What of f the stencil around x reaches, or None."""
    samples = (x - eps, x, x + eps)
    for name, kink in kinks:
        if _crosses([exact_sign(kink, {var: s}) for s in samples]):
            return f"a kink of {name}"
    outcomes = [exact_value(program, {var: s}) for s in samples]
    for outcome, end in ((outcomes[0], samples[0]), (outcomes[2], samples[2])):
        if outcome.undefined is not None and not outcome.lost:
            return f"{var}={format_number(end)}, where {outcome.undefined.describe()}"
    moving = program.depends_on_variables()
    for index in range(len(program)):
        if not moving[index]:
            continue
        for at, ends, what in _zeros_of(program, index):
            for end in ends:
                signs = [_sign(o, at, end) for o in outcomes]
                if _crosses(signs):
                    return what
    return None


def _zeros_of(program: Program, index: int) -> list[tuple[int, tuple[float, ...], str]]:
    """(instruction, the values it must not reach, a phrase) for instruction
    ``index``: a function's argument and the ends of its domain, a divisor and
    0, a power's base and 0."""
    ins = program.instructions[index]
    node = program.nodes[index]
    if ins.kind == CALL and ins.name == "atan2":
        # its jump across the negative x axis: the kink template, abs(a) +
        # relu(b), only touches 0 there and never changes sign, so the stencil
        # of a correct atan2(x, -1) at -4.16e-17 (linspace's 0) went unseen (a
        # review's find). A sign change of its first argument is looked for
        # instead; where b > 0 that leaves out a point with no jump, which only
        # spares it gradcheck.
        return [
            (ins.args[0], (0.0,), f"atan2's jump across the negative x axis, in {_short(node)}")
        ]
    if ins.kind == CALL:
        spec = function(ins.name)
        domain = tuple(e for e in spec.domain or () if math.isfinite(e))
        ends = tuple(sorted(set(spec.edges) | set(domain)))
        return (
            [(ins.args[0], ends, f"an end of {ins.name}'s domain, in {_short(node)}")]
            if ends
            else []
        )
    if ins.kind == DIV:
        return [(ins.args[1], (0.0,), f"a zero of the divisor in {_short(node)}")]
    if ins.kind == POW:
        base, exponent = ins.args
        number = program.instructions[exponent].number
        whole = number is not None and number.denominator == 1 and number >= 0
        if not whole or program.depends_on_variables()[exponent]:
            return [(base, (0.0,), f"a zero of the base of {_short(node)}")]
    return []


def _short(node: Any) -> str:
    text = to_text(node)
    return text if len(text) <= 60 else text[:57] + "..."


def _sign(outcome: Exact, index: int, end: float) -> int | None:
    """The sign of instruction ``index``'s value minus ``end`` (0 within the
    evaluation's rounding); None where it has no value."""
    if index >= len(outcome.values):  # computed up to where f failed
        return None
    m = gmpy2()
    value = outcome.values[index] - end
    scale = max(outcome.magnitudes[index], abs(end)) * m.mul_2exp(
        m.mpfr(1), ZERO_MARGIN - outcome.precision
    )
    if abs(value) <= scale:
        return 0
    return 1 if value > 0 else -1


def _crosses(signs: Sequence[int | None]) -> bool:
    """A sign change, or a 0 among signs that are not all 0 (an argument 0 all
    along stays on its kink: f is smooth there), among the known ones."""
    known = [s for s in signs if s is not None]
    return len(set(known)) > 1
