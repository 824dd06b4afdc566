"""`derivcli check`: is a hand-derived derivative right?

The answer and the expression are both read by ``parser.parse`` (never by
``sympify``/``eval``). In the symbolic worker (``worker.Job``: forked, with a
deadline) the true derivative is computed with symengine and the two closed
forms are compared in this order, the first conclusive step deciding:

1. ``symengine.expand(answer - derivative)`` is 0: right.
2. That expanded difference is a nonzero polynomial with rational
   coefficients: wrong (a polynomial that is not 0 is not 0 everywhere).
3. Numeric spot checks at fixed points: both closed forms are evaluated in
   float64 (points where either is undefined are skipped), and their
   difference with 256-bit precision, so that even a tiny difference shows.
   A difference at any point: wrong.
4. For small expressions, ``sympy.simplify`` of the difference, under its
   own time budget in a nested worker: 0 means right; a nonzero rational
   function means wrong (even when the difference is too small to see in
   float64).
5. Otherwise the spot checks decide: equal at every point checked counts as
   right, and the report says that no symbolic proof was found.

symengine and sympy are imported only inside the worker; the parent process
needs neither.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, SupportsIndex

from derivcli.errors import BudgetError, CannotComputeError, DerivcliError, ExitCode, InputError
from derivcli.language.evaluate import CALL, MAX_PRECISION, compile_tree, exact_value
from derivcli.language.functions import function as function_spec
from derivcli.language.functions import lookup_constant
from derivcli.language.parser import Expression, parse
from derivcli.language.tree import BinaryOp, Call, Constant, Node, Number, Variable, unique_nodes
from derivcli.results import Displayed, count, json_number, wrt_label

if TYPE_CHECKING:
    from derivcli.symbolic.steps import Derivation

DEFAULT_BUDGET = 5.0  # seconds for the whole symbolic comparison
SYMPY_BUDGET = 2.0  # at most this much of it for sympy.simplify
MAX_SIMPLIFY_OPS = 400  # larger differences are not handed to sympy (see symbolic/calculus.py)
# Extra seconds the parent waits beyond the budget for the worker to report.
GRACE = 1.0
# Spot-check values, nice numbers first so a counterexample is easy to check by
# hand.
SPOT_VALUES = (
    1.0,
    2.0,
    -1.0,
    0.5,
    3.0,
    -2.0,
    0.37,
    -1.21,
    1.83,
    -0.64,
    2.47,
    0.91,
    -2.13,
    5.3,
    -4.6,
    10.1,
    # last, 0: where kinks and poles of everyday functions sit (a point on f's
    # kink or where either side is undefined is skipped), and where an answer
    # wrong at that point only is caught (2*x + sign(x)**2 - 1 for x**2)
    0.0,
)
# Beyond those, points on both sides of every number the two expressions
# contain (abs(x - 50) bends at 50, relu(x - 20) at 20): c + each offset,
# scaled by max(1, |c|/10) ...
CONSTANT_OFFSETS = (-1.37, -0.41, 0.29, 1.13)
MAX_CONSTANTS = 16
# ... and half-way between neighbouring constants (and 0): relu(x) and
# heaviside(x - 0.01) differ only on (0, 0.01), max(x, 1) and
# heaviside(x - 1.01) on (1, 1.01).
# ... and far out on both sides, past any constant a kink could hide behind.
FAR_VALUES = (13.7, -13.7, 137.3, -137.3, 1213.7, -1213.7, 13721.3, -13721.3, 1.37e6, -1.37e6)


METHOD_EXPAND = "symengine expand"
METHOD_SIMPLIFY = "sympy simplify"
METHOD_SPOTS = "numeric spot checks"


@dataclass(frozen=True)
class CheckRequest:
    source: str  # the expression as typed
    answer: str  # the answer as typed
    wrt: tuple[str, ...]  # one variable per differentiation
    names: tuple[str, ...]  # the expression's variables
    budget: float  # seconds


@dataclass(frozen=True)
class SpotCheck:
    point: tuple[tuple[str, float], ...]
    answer: float
    derivative: float
    agree: bool


@dataclass(frozen=True)
class CheckResult(Displayed):
    expression: str  # as understood
    source: str  # as typed
    answer: str  # as understood
    answer_source: str  # as typed
    wrt: tuple[str, ...]
    derivative: str  # the true closed form
    correct: bool
    method: str  # which step decided: METHOD_EXPAND, METHOD_SIMPLIFY or METHOD_SPOTS
    reason: str  # one sentence: why that step decided so
    spots: tuple[SpotCheck, ...]  # the points where both are defined
    skipped: int  # sample points where either is undefined
    counterexample: SpotCheck | None  # when wrong: a point where they visibly differ
    note: str | None = None
    derivation: Derivation | None = None  # how the true derivative is worked out (--steps)

    @property
    def proven(self) -> bool:
        """Whether the verdict is proven: by a symbolic step, or (wrong) by a point
        where the exact values differ; a right answer by spot checks alone is not."""
        return self.method != METHOD_SPOTS or not self.correct

    @property
    def exit_code(self) -> ExitCode:
        if self.derivation is not None and self.derivation.error is not None:
            return ExitCode.CANNOT_COMPUTE  # the steps asked for are missing
        return ExitCode.OK if self.correct else ExitCode.DISAGREE

    @property
    def ok(self) -> bool:
        """The answer is right and every part asked for is there (the CLI's exit code 0)."""
        return self.exit_code == ExitCode.OK

    # JSON's names for the fields above (``to_dict()`` is built from them)

    @property
    def input(self) -> str:
        """The expression as typed (JSON's "input")."""
        return self.source

    @property
    def answer_input(self) -> str:
        """The answer as typed (JSON's "answer_input")."""
        return self.answer_source

    @property
    def order(self) -> int:
        """How many times the expression is differentiated (JSON's "order")."""
        return len(self.wrt)

    @property
    def label(self) -> str:
        """The derivative's label, "d/dx", "d2/dx2", "d2/dudv" (JSON's "label")."""
        return wrt_label(self.wrt)

    @property
    def verdict(self) -> str:
        """ "right" or "wrong" (JSON's "verdict")."""
        return "right" if self.correct else "wrong"

    @property
    def spot_checks(self) -> tuple[SpotCheck, ...]:
        """The points where both are defined (JSON's "spot_checks"; as ``spots``)."""
        return self.spots

    @property
    def skipped_points(self) -> int:
        """Sample points where either is undefined (JSON's "skipped_points"; as ``skipped``)."""
        return self.skipped

    @property
    def steps(self) -> Derivation | None:
        """JSON's "steps" (with ``steps=True``, else None): the derivation, as ``derivation``."""
        return self.derivation

    def to_dict(self) -> dict[str, Any]:
        """What --format json prints."""
        return check_dict(self)

    def plain(self) -> str:
        return "right" if self.correct else "wrong"

    def rich(self) -> Any:
        from derivcli.render import check_table

        table = check_table(self)
        if self.derivation is not None:
            from derivcli.show import with_check_derivation

            return with_check_derivation(self, table)
        return table

    def latex(self) -> str:
        """A LaTeX block for a document (``--format latex``)."""
        from derivcli.show import check_latex

        return check_latex(self)


def prepare(
    expression_text: str,
    answer_text: str,
    wrt: Sequence[str],
    order: SupportsIndex,
    budget: float,
) -> CheckRequest:
    """Validate the input (cheaply, in this process) and build the worker's request."""
    from derivcli.language.points import parse_wrt
    from derivcli.options import check_order, check_timeout, require_variables

    times = check_order(order)  # a plain int (np.int64(2) -> 2)
    check_timeout(budget)
    expression = parse(expression_text)
    require_variables(expression)
    answer = parse_answer(answer_text)
    extra = [name for name in answer.variables if name not in expression.variables]
    if extra:
        listed = ", ".join(f"'{n}'" for n in extra)
        raise InputError(
            f"--answer uses {listed}, which the expression does not have "
            f"(variables: {', '.join(expression.variables)})"
        )
    names = parse_wrt(list(wrt), expression.variables)
    if not names:
        if len(expression.variables) > 1:
            raise InputError(
                f"the expression has the variables {', '.join(expression.variables)}; "
                f"say which to differentiate by with --wrt (e.g. --wrt {expression.variables[0]})"
            )
        names = [expression.variables[0]]
    if len(names) > 1 and times != 1:
        raise InputError(
            "--order applies to a single --wrt; for mixed partials repeat "
            "--wrt once per differentiation (e.g. --wrt u --wrt v)"
        )
    sequence = tuple(names) * times if len(names) == 1 else tuple(names)
    return CheckRequest(
        source=expression_text,
        answer=answer_text,
        wrt=sequence,
        names=expression.variables,
        budget=budget,
    )


def parse_answer(text: str) -> Expression:
    """Parse --answer; its errors say that they are about the answer."""
    try:
        return parse(text)
    except InputError as exc:
        raise InputError(f"--answer: {exc.message}") from None


def check(request: CheckRequest) -> CheckResult:
    """Run the comparison in the budgeted symbolic worker."""
    from derivcli.worker import Job

    started = time.monotonic()
    job = Job(run, request)
    try:
        result: CheckResult = job.result(started + request.budget + GRACE)
    except BudgetError as exc:
        raise BudgetError(with_timeout_hint(exc.message)) from None
    return result


def with_timeout_hint(message: str) -> str:
    """A time budget's message with how to raise the budget, as grad's says
    ("... (raise it with --timeout)"); a memory budget's is left as it is."""
    if "time budget" not in message or "--timeout" in message:
        return message
    if message.endswith(")"):  # "... (stopped after 1 of 2 differentiations)"
        return f"{message[:-1]}; raise it with --timeout)"
    return f"{message} (raise it with --timeout)"


# ---------------------------------------------------------------- the worker


# Points with every variable equal, among the spot points of two or more variables.
DIAGONAL_POINTS = 3
# ... and points with every variable at 0 or at one of the expression's
# constants (positive ones first, smallest first), as many values per variable
# as keep their combinations within MAX_SPECIAL_POINTS (11 for two variables,
# 5 for three, the origin alone past six).
MAX_SPECIAL_POINTS = 125


def spot_values(constants: Sequence[float] = ()) -> list[float]:
    """The values each variable takes: SPOT_VALUES, each constant itself and both
    sides of it, far out."""
    values = list(SPOT_VALUES)
    chosen = sorted(set(constants), key=abs)[:MAX_CONSTANTS]
    for c in chosen:
        # the constant itself: sign(x - 3.141592653589793) and abs(x - pi) differ at
        # that float only (a point on a kink of the expression is skipped)
        values.append(c)
        values.extend(c + offset * max(1.0, abs(c) / 10) for offset in CONSTANT_OFFSETS)
    marks = sorted({0.0, *chosen})
    values.extend((a + b) / 2 for a, b in itertools.pairwise(marks))
    values.extend(FAR_VALUES)
    return list(dict.fromkeys(values))


def spot_points(names: Sequence[str], constants: Sequence[float] = ()) -> list[dict[str, float]]:
    """The spot-check points; each variable walks the spot values at its own
    offset, and with two or more variables a few points have them all equal:
    max(x, y) and abs(x - y) have their kinks there, where the derivative of
    max(x, y)*min(x, y) (f is x*y) is not its closed form's value."""
    values = spot_values(constants)
    count = len(values)
    points = [
        {name: values[(i + 3 * k) % count] for k, name in enumerate(names)} for i in range(count)
    ]
    if len(names) > 1:
        points.extend({name: v for name in names} for v in values[:DIAGONAL_POINTS])
        # every variable at 0 or a constant of the expression at once: where the
        # kinks of several variables meet (x*sign(x**2 + y**2) is x, with
        # derivative 1 at (0, 0), and sign(x**2 + y**2) is 0 there; (0, 1) for
        # x*sign(x**2 + (y - 1)**2))
        distinct = sorted(set(constants) - {0.0}, key=lambda c: (c < 0, abs(c)))
        per_variable = 1
        while (per_variable + 1) ** len(names) <= MAX_SPECIAL_POINTS:
            per_variable += 1
        marks = [0.0, *distinct][:per_variable]
        points.extend(
            dict(zip(names, combination, strict=True))
            for combination in itertools.product(marks, repeat=len(names))
        )
    return points


def _same_float(a: float, b: float) -> bool:
    """Whether two float64 values are the same float (both nan counts): no visible
    difference. 2*x*(1 + 1e-13) against 2*x is 2.0000000000002 against 2 at 1,
    which the output shows (a tolerance of 1e-12 called it "none visible")."""
    return a == b or (math.isnan(a) and math.isnan(b))


# Numbers up to this size are spot-checked on both sides: past it c + 0.113*c
# could leave float64's range.
MAX_CONSTANT = 1e300


def _constants(*trees: Node) -> list[float]:
    """The numbers of the trees where a kink or a domain edge could sit (0 < |c| <=
    MAX_CONSTANT: half-way to 0 separates sign(x - 1e-12) from sign(x), and
    heaviside(x - 1e16) in an answer is caught past 1e16), pi and E among them."""
    found: list[float] = []
    for tree in trees:
        for node in unique_nodes(tree):
            value = None
            if isinstance(node, Number):
                value = float(node.value)
            elif isinstance(node, Constant):
                constant = lookup_constant(node.name)
                value = None if constant is None else float(constant.value)
            if value is not None and 0 < abs(value) <= MAX_CONSTANT:
                found.extend((value, -value))
    return found


def run(request: CheckRequest) -> CheckResult:
    """The worker's entry point: symengine (and maybe sympy) are imported here."""
    import symengine as se

    from derivcli.symbolic import calculus as symbolic

    deadline = time.monotonic() + request.budget
    expression = parse(request.source)
    answer_expr = parse(request.answer)
    true_form = symbolic.differentiate(symbolic.build(expression), request.wrt, deadline=deadline)[
        -1
    ]
    answer_form = symbolic.build(answer_expr)
    difference = se.expand(answer_form - true_form)
    complements = [
        node
        for node in (difference.atoms(se.FunctionSymbol) if difference != 0 else ())
        if node.get_name() == "erfc"
    ]
    if complements:
        # erfc(z) is 1 - erf(z) by definition, which expand does not use: gelu's
        # derivative written with erfc(-x/sqrt(2)) was "right at every point
        # checked (not proven)", after 20 s of refining a difference of 0
        rewritten = {c: 1 - se.erf(c.args[0]) for c in complements}
        difference = se.expand(difference.subs(rewritten))
    # where expand decides, the spot checks only show the two side by side: their
    # gaps are taken at 256 bits, not refined through 16,384 (digamma(2) -
    # digamma(2) is 0 at every precision, and refining it took seconds a point)
    constant_gap = _constant_gap(difference, symbolic)
    decided = difference == 0 or _is_polynomial(difference, se) or constant_gap is not None
    spots, skipped, answer_missing, on_kinks = _spot_check(
        expression.tree,
        symbolic.to_tree(true_form),
        answer_expr.tree,
        request.names,
        refine=not decided,
    )
    disagreeing = [s for s in spots if not s.agree]
    at_kink = _kink_points(expression, request.wrt, request.names, on_kinks, deadline)

    def result(
        correct: bool,
        method: str,
        reason: str,
        note: str | None = None,
        counterexample: SpotCheck | None = None,
    ) -> CheckResult:
        # A point where they visibly differ; none when the difference is
        # proven but too small to show in float64 (exp(-1000)).
        visible = [s for s in disagreeing if not _same_float(s.answer, s.derivative)]
        if counterexample is None and not correct and visible:
            counterexample = visible[0]
        return CheckResult(
            expression=str(expression),
            source=request.source,
            answer=str(answer_expr),
            answer_source=request.answer,
            wrt=request.wrt,
            derivative=symbolic.to_text(true_form),
            correct=correct,
            method=method,
            reason=reason,
            spots=tuple(spots),
            skipped=skipped,
            counterexample=counterexample,
            note=note,
        )

    if answer_missing and not spots:
        # the answer is a function nowhere the derivative is one: 1 + 0*sqrt(-x**2 - 1)
        # for d/dx of x expands to the derivative, yet has no real value at all
        return result(
            False,
            METHOD_SPOTS,
            "your answer has no real value at any of the "
            f"{count(len(answer_missing), 'point')} where the derivative has one",
            counterexample=answer_missing[0],
        )
    # a point where the answer has no real value and the derivative has one: a
    # note under every verdict, right or wrong, whichever step decided (a wrong
    # verdict dropped it before stop 38: x**3 with 2*x**2 + 0*sqrt(x) said only
    # "expands to -x**2", true where the answer is real, x >= 0); the evidence
    # of "wrong" is never such a point (spots and kink points have both values)
    where = ""
    if answer_missing:
        first = answer_missing[0]
        where = (
            f"your answer has no real value at {_point_text(first.point)}, where the "
            f"derivative is {first.derivative:.10g}"
            + (f" ({len(answer_missing)} such points)" if len(answer_missing) > 1 else "")
        )
    if at_kink is not None:
        spot, where_kind = at_kink
        return result(
            False,
            METHOD_SPOTS,
            f"at {_point_text(spot.point)}, {where_kind}, the derivative is "
            f"{spot.derivative:.10g} (its one-sided derivatives meet there) and your "
            f"answer is {spot.answer:.10g}",
            where or None,
            counterexample=spot,
        )
    if difference == 0:
        reason = "answer - derivative expands to 0" + (
            " (with erfc(z) as 1 - erf(z))" if complements else ""
        )
        return result(True, METHOD_EXPAND, reason, where or None)
    if constant_gap is not None:
        return result(
            False,
            METHOD_EXPAND,
            f"answer - derivative expands to the constant {symbolic.to_text(difference)} "
            f"(about {constant_gap}), not 0",
            where or None,
        )
    if _is_polynomial(difference, se):
        return result(
            False,
            METHOD_EXPAND,
            f"answer - derivative expands to {symbolic.to_text(difference)}, not 0",
            where or None,
        )
    if disagreeing:
        return result(
            False,
            METHOD_SPOTS,
            f"they differ at {len(disagreeing)} of {count(len(spots), 'point')} where both are "
            "defined",
            where or None,
        )
    simplified, why_not = _try_sympy(difference, request.names, deadline, se)
    if simplified is not None:
        is_zero, nonzero, text = simplified
        if is_zero:
            # the proof holds where both are real: the note names a point where
            # the answer is not, as expand's proof and the spot checks' say
            return result(
                True,
                METHOD_SIMPLIFY,
                "symengine's expand left a difference; sympy simplifies answer - derivative "
                f"to {text}",
                where or None,
            )
        if nonzero:
            return result(
                False,
                METHOD_SIMPLIFY,
                f"sympy simplifies answer - derivative to {text}, not 0",
                where or None,
            )
        why_not = f"sympy simplifies answer - derivative only to {text}"
    if not spots:
        raise CannotComputeError(
            "cannot decide: answer - derivative does not simplify to 0, and the two are "
            "not both defined at any of the spot-check points"
        )
    return result(
        True,
        METHOD_SPOTS,
        f"equal at {'all ' if len(spots) > 1 else ''}{count(len(spots), 'point')} where both "
        "are defined",
        note=f"not proven symbolically: {why_not}" + (f"; {where}" if where else ""),
    )


def _point_text(point: tuple[tuple[str, float], ...]) -> str:
    return ", ".join(f"{name}={value:g}" for name, value in point)


# Why a point goes to grad's analysis (_kink_points): f is on a kink there, or
# f has a value and its derivative's closed form none (sinc's (cos(pi*x) -
# sinc(x))/x at 0, 0/0, though sinc'(0) = 0).
ON_KINK = "on a kink of the function"
NO_CLOSED_FORM = "where the derivative's closed form has no value"


def _unreadable(outcome: Any) -> bool:
    """Left to rounding past 16,384 bits, or past MPFR's range (erfc(1.37e6) is
    about 10**(-8e11)): no evidence either way, and no "no real value" either."""
    return outcome.undefined is not None and outcome.undefined.kind in _OUT_OF_REACH


_OUT_OF_REACH = ("cancelled", "overflow", "underflow")


# A gap that cancels (answer - derivative is 0 up to its rounding) is refined
# by doubling the bits, to 16,384; through these functions only to 2,048.
# MPFR computes Bernoulli numbers for them the first time a process asks for a
# new highest precision (digamma: 9 s at 16,384 bits, 0.9 s at 8,192), and a
# call then takes 0.15 s at 8,192 bits and 7 ms at 2,048: the right answer
# cos(x) + digamma(x + 1) - digamma(x) - 1/x for d/dx sin(x), whose gap is 0
# at every precision, spent 38 s of CPU refining 40 points to 16,384 bits
# (exit 3 at the 2 s budget). A difference below 2**-2048 of the terms at
# every point is then taken for equality, as the spot checks' verdict says:
# not proven.
SLOW_AT_DEPTH = frozenset({"gamma", "lgamma", "digamma", "polygamma"})
REFINE_SLOW_UP_TO = 2048


def _spot_check(
    function: Node, true_tree: Node, answer_tree: Node, names: Sequence[str], *, refine: bool
) -> tuple[list[SpotCheck], int, list[SpotCheck], list[tuple[dict[str, float], float, str]]]:
    """Both closed forms at the spot points, compared exactly; the points skipped;
    and, among those, the ones where only the answer is undefined (f and the true
    derivative have values there, and f is on no kink).

    Points where f itself is undefined or on a kink (where there is no
    derivative to compare with), or where either closed form is undefined,
    are skipped. The two agree where answer - derivative is 0 up to the
    rounding of the exact evaluation (256 bits or more), so a difference far
    below float64's resolution still counts. Last, the points on a kink, or
    where only the derivative's closed form has no value, where f and the
    answer have values, with the answer's value and why (see _kink_points). The
    gap is answer - derivative as both are written, never an expanded form of
    it: expanded, (-1 - erf(x))*exp(x**2)'s terms are e**(x**2) apart from their
    sum, and a gap of 1.1 at x = -1213.7 was within their rounding ("agree").
    """
    from derivcli.language.definitions import kink_trees

    f = compile_tree(function)
    # the table's kink expressions, 0 on a kink or a jump: hardshrink's at |x| = 1/2,
    # floor's at every whole x (only relu-like kinks at an argument of 0 were
    # seen, and check called x*floor(x)'s right answer ceil(x) - 1 wrong at x = 1,
    # where f jumps and has no derivative)
    # (a kink of a constant is none: abs(0) and atan2(0, -1) sit on theirs at
    # every point, and every point was skipped)
    kink_expressions = [
        tree
        for node in unique_nodes(function)
        if isinstance(node, Call) and function_spec(node.name).kink
        for tree in kink_trees(node)
        if any(isinstance(n, Variable) for n in unique_nodes(tree))
    ]
    kinks = [compile_tree(tree) for tree in kink_expressions]
    true_program, answer_program = compile_tree(true_tree), compile_tree(answer_tree)
    gap_program = compile_tree(BinaryOp("-", answer_tree, true_tree))
    slow = any(ins.kind == CALL and ins.name in SLOW_AT_DEPTH for ins in gap_program.instructions)
    up_to = REFINE_SLOW_UP_TO if slow else MAX_PRECISION
    spots = []
    skipped = 0
    answer_missing = []
    on_kinks: list[tuple[dict[str, float], float, str]] = []
    # the kinks' own numbers too: relu6's 6 is in no expression as typed
    constants = _constants(function, answer_tree, *kink_expressions)
    for point in spot_points(names, constants):
        f_value = exact_value(f, point)
        true, answer = exact_value(true_program, point), exact_value(answer_program, point)
        if _unreadable(f_value) or _unreadable(true) or _unreadable(answer):
            skipped += 1
            continue
        on_kink = _on_kink(kinks, point)
        if f_value.defined and answer.defined and (on_kink or not true.defined):
            on_kinks.append((point, answer.to_float(), ON_KINK if on_kink else NO_CLOSED_FORM))
        if not (f_value.defined and true.defined and answer.defined) or on_kink:
            skipped += 1
            if f_value.defined and true.defined and not on_kink:
                answer_missing.append(
                    SpotCheck(
                        point=tuple((n, point[n]) for n in names),
                        answer=math.nan,
                        derivative=true.to_float(),
                        agree=False,
                    )
                )
            continue
        gap = exact_value(gap_program, point, refine=refine, refine_up_to=up_to)
        if gap.lost:
            skipped += 1
            continue
        agree = gap.defined and gap.is_zero(len(gap_program) - 1)
        spots.append(
            SpotCheck(
                point=tuple((n, point[n]) for n in names),
                answer=answer.to_float(),
                derivative=true.to_float(),
                agree=agree,
            )
        )
    return spots, skipped, answer_missing, on_kinks


def _kink_points(
    expression: Expression,
    wrt: tuple[str, ...],
    names: Sequence[str],
    on_kinks: list[tuple[dict[str, float], float, str]],
    deadline: float,
) -> tuple[SpotCheck, str] | None:
    """A kink point (or one where the derivative's closed form has no value)
    where f has a derivative and the answer is another number, and which of
    the two it is.

    There the closed form's value is its kink's convention (sign(0) = 0,
    heaviside(0) = 1/2), not the derivative: abs(x)*sign(x) is x, with
    derivative 1 at 0, yet its closed form sign(x)**2 is 0 there, and an
    answer equal to that closed form was "proven" right. Or it has none: an
    answer 2.5 at 0 for sinc's derivative (0 there) was right. The derivative
    comes from grad's own analysis (one-sided limits)."""
    if not on_kinks:
        return None
    from derivcli.language.points import PointSet
    from derivcli.symbolic import analysis

    points = PointSet(
        tuple(names),
        {name: [point[name] for point, _, _ in on_kinks] for name in names},
        len(on_kinks),
    )
    request = analysis.make_request(expression, [wrt], budget=max(0.1, deadline - time.monotonic()))
    (found,) = analysis.run(request, points).derivatives
    for i, (point, answer, why) in enumerate(on_kinks):
        special = found.special.get(i)
        if special is None:
            true = found.values[i]  # regular after all: the closed form is the derivative
        elif special.differentiable and special.value is not None:
            true = special.value
        else:
            continue  # no derivative here: nothing to compare with
        if math.isfinite(true) and not math.isclose(answer, true, rel_tol=1e-9, abs_tol=0.0):
            spot = SpotCheck(
                point=tuple((n, point[n]) for n in names),
                answer=answer,
                derivative=true,
                agree=False,
            )
            return spot, why
    return None


def _on_kink(kinks: Sequence[Any], point: Mapping[str, float]) -> bool:
    """Whether some kink expression of f is 0 at the point (to its rounding)."""
    for program in kinks:
        outcome = exact_value(program, point)
        if outcome.defined and outcome.is_zero(len(program) - 1):
            return True
    return False


def _constant_gap(difference: Any, symbolic: Any) -> str | None:
    """A difference without variables whose exact value is surely not 0 (exp(-3000):
    expand leaves it, and the spot checks would each need 8,192 bits to see it),
    as text (1.2e-1303: past float64 too); else None."""
    if difference.free_symbols or difference == 0:
        return None
    outcome = exact_value(compile_tree(symbolic.to_tree(difference)), {})
    if not outcome.defined or outcome.is_zero(len(outcome.values) - 1):
        return None  # sin(pi) - 0 is 0 up to pi's rounding: not surely nonzero
    text: str = format(outcome.value, ".3g")
    return text


def _is_polynomial(expr: Any, se: Any) -> bool:
    """A polynomial in the variables with rational coefficients (so, once
    expanded, it is 0 as a function only if it is 0 as an expression)."""
    if isinstance(expr, (se.Symbol, se.Rational, se.Integer)):
        return True
    kind = type(expr).__name__
    if kind in ("Add", "Mul"):
        return all(_is_polynomial(arg, se) for arg in expr.args)
    if kind == "Pow":
        base, exponent = expr.args
        return (
            isinstance(base, se.Symbol) and isinstance(exponent, se.Integer) and int(exponent) > 0
        )
    return False


# (is zero, is provably not identically zero, text)
SympyOutcome = tuple[bool, bool, str]


def _try_sympy(
    difference: Any, names: Sequence[str], deadline: float, se: Any
) -> tuple[SympyOutcome | None, str]:
    """sympy.simplify of the difference in a nested worker, or why it was not tried."""
    if se.count_ops(difference) > MAX_SIMPLIFY_OPS:
        return None, (
            f"the difference has more than {MAX_SIMPLIFY_OPS} operations, too many to hand to sympy"
        )
    budget = min(SYMPY_BUDGET, deadline - time.monotonic() - 0.2)
    if budget <= 0.1:
        return None, "no time was left for sympy simplify"
    import sympy  # noqa: F401 - loaded before the fork, so the nested worker starts warm

    from derivcli.worker import Job

    job = Job(_simplify, (difference, tuple(names)))
    try:
        outcome: SympyOutcome = job.result(time.monotonic() + budget)
    except DerivcliError:
        return None, f"sympy simplify did not finish within {budget:.1f} s"
    return outcome, ""


# derivcli's opaque functions (symengine FunctionSymbols) as sympy's own, by
# name: ``_sympy_()`` turns abs(x) into an undefined sympy function ``abs``,
# while symengine's sqrt(x**2) becomes sympy's Abs(x) for a real x, so
# x/abs(x) - x/sqrt(x**2) stayed "-x/Abs(x) + x/abs(x)", unproven. Each entry
# has derivcli's value wherever derivcli defines one (heaviside(0) = 1/2,
# sign(0) = 0, sinc normalized). Left undefined: round (halves to even),
# trunc and frac (x - trunc(x), not sympy's x - floor(x)), which sympy has no
# exact function for, and atan2, which sympy leaves undefined at (0, 0).
SYMPY_FUNCTIONS: dict[str, Callable[[Any, tuple[Any, ...]], Any]] = {
    "abs": lambda sp, a: sp.Abs(a[0]),
    "sign": lambda sp, a: sp.sign(a[0]),
    "heaviside": lambda sp, a: sp.Heaviside(a[0], sp.S.Half),
    "relu": lambda sp, a: sp.Max(a[0], 0),
    "max": lambda sp, a: sp.Max(*a),
    "min": lambda sp, a: sp.Min(*a),
    "floor": lambda sp, a: sp.floor(a[0]),
    "ceil": lambda sp, a: sp.ceiling(a[0]),
    "sigmoid": lambda sp, a: 1 / (1 + sp.exp(-a[0])),
    "softplus": lambda sp, a: sp.log(1 + sp.exp(a[0])),
    "logsumexp": lambda sp, a: sp.log(sp.Add(*(sp.exp(b) for b in a))),
    "expm1": lambda sp, a: sp.exp(a[0]) - 1,
    "log1p": lambda sp, a: sp.log(1 + a[0]),
    "sinc": lambda sp, a: sp.sinc(sp.pi * a[0]),
    "erfc": lambda sp, a: sp.erfc(a[0]),
    "erfinv": lambda sp, a: sp.erfinv(a[0]),
    "gamma": lambda sp, a: sp.gamma(a[0]),
    "lgamma": lambda sp, a: sp.log(sp.Abs(sp.gamma(a[0]))),
    "digamma": lambda sp, a: sp.polygamma(0, a[0]),
    "polygamma": lambda sp, a: sp.polygamma(a[0], a[1]),
}


def _as_sympy_functions(converted: Any, sympy: Any) -> Any:
    """Replace the undefined sympy functions named after derivcli's opaque ones by
    sympy's own (see SYMPY_FUNCTIONS); ``replace`` works bottom-up, so nested
    calls (abs(sign(x))) are all replaced."""
    from sympy.core.function import AppliedUndef

    return converted.replace(
        lambda e: isinstance(e, AppliedUndef) and e.func.__name__ in SYMPY_FUNCTIONS,
        lambda e: SYMPY_FUNCTIONS[e.func.__name__](sympy, e.args),
    )


def _zero_where_defined(simplified: Any, sympy: Any) -> bool:
    """Whether sympy's result is 0 wherever it is defined: a Piecewise whose
    pieces are 0, or undefined (nan, zoo) on an equation only. sign(x) -
    x/sqrt(x**2) simplifies to nan at x = 0 (where the derivative is 0/0, a point
    the spot checks skip too, or test against grad's value where the derivative
    exists) and 0 elsewhere; 1/x - sign(x)/abs(x) to zoo at 0."""
    if not isinstance(simplified, sympy.Piecewise):
        return False
    undefined = (sympy.nan, sympy.zoo)
    pieces = simplified.args
    return any(piece == 0 for piece, _ in pieces) and all(
        piece == 0 or (piece in undefined and isinstance(condition, sympy.Eq))
        for piece, condition in pieces
    )


def _simplify(payload: tuple[Any, tuple[str, ...]]) -> SympyOutcome:
    import sympy

    difference, names = payload
    converted = difference._sympy_()
    converted = converted.xreplace({sympy.Symbol(n): sympy.Symbol(n, real=True) for n in names})
    converted = _as_sympy_functions(converted, sympy)
    simplified = sympy.simplify(converted)
    if simplified == 0:
        return (True, False, "0")
    if _zero_where_defined(simplified, sympy):
        return (True, False, "0 wherever both are defined")
    symbols = [sympy.Symbol(n, real=True) for n in names]
    rational = (
        bool(simplified.is_rational_function(*symbols))
        and not simplified.atoms(sympy.Function)
        and all(atom.is_Rational for atom in simplified.atoms(sympy.Number))
    )
    # A nonzero rational function, or anything sympy's assumptions show is
    # never 0 for real values (exp(-1000), x**2 + 1): too small for any
    # spot check, but not 0.
    nonzero = simplified.is_zero is False or (rational and sympy.cancel(simplified) != 0)
    return (False, bool(nonzero), str(simplified))


# ---------------------------------------------------------------- output


def spot_dict(spot: SpotCheck | None) -> dict[str, Any] | None:
    if spot is None:
        return None
    return {
        "point": {n: json_number(v) for n, v in spot.point},
        "answer": json_number(spot.answer),
        "derivative": json_number(spot.derivative),
        "agree": spot.agree,
    }


def check_dict(result: CheckResult) -> dict[str, Any]:
    """The --format json object of check (a documented contract)."""
    data = {
        "expression": result.expression,
        "input": result.input,
        "wrt": list(result.wrt),
        "order": result.order,
        "label": result.label,
        "answer": result.answer,
        "answer_input": result.answer_input,
        "derivative": result.derivative,
        "correct": result.correct,
        "verdict": result.verdict,
        "proven": result.proven,
        "method": result.method,
        "reason": result.reason,
        "counterexample": spot_dict(result.counterexample),
        "spot_checks": [spot_dict(s) for s in result.spot_checks],
        "skipped_points": result.skipped_points,
        "note": result.note,
    }
    if result.derivation is not None:  # only with --steps: the contract is unchanged otherwise
        data["steps"] = result.derivation.to_json()
    return data
