"""Stage 2, run in the symbolic worker: closed forms, their exact values, and
the points where a plain number would mislead.

For each requested derivative this differentiates step by step
(``calculus``), turns every step back into derivcli's tree, prints the
closed form, and evaluates f, every step and every kink argument *exactly*
(``language/evaluate.py``: real numbers, MPFR, at the very float torch used).
A point is **regular** when f and every step have a real value there, no
kinked function (abs, relu, max, ...) whose argument depends on a variable
being differentiated sits on its kink, no argument sits on the edge of its
function's domain (sqrt at 0, acos at 1), and the derivative is within the
dtype's range: the closed form's value is then the derivative, and nothing
more needs saying.

Every other point is examined (:func:`examine`), from the definition of the
derivative rather than from the closed form's convention at the point:

* f undefined there (``log(x)`` at -1, ``1/x`` or ``sigmoid(log(t))`` at 0):
  no derivative; the note names the part of f that fails;
* one-sided derivatives are difference quotients of the function being
  differentiated, ``(g(p + h) - g(p))/h``, at ``h = 2**-64 ... 2**-1024``
  times the point's scale, each evaluated exactly with more precision than
  the difference cancels: so a feature at ``1e-5`` (``log(x + 1e-5)``)
  does not hide the limit, and ``0**y`` along y is 0 although the closed
  form ``x**y*log(x)`` is undefined there;
* on a kink: equal sides mean differentiable (``abs(x)**3`` at 0), unless f
  or a lower derivative jumps there (``heaviside(x)``, relu'' at 0);
  different sides mean not differentiable, with both values;
* a closed form that is undefined where the derivative exists (0/0 in
  ``sqrt(x**4)``'s) is a removable singularity; sides that differ without a
  kinked function are a corner (``sqrt(x**2)`` at 0); f undefined on one
  side only is a domain edge.

Everything returned is plain data (floats, strings, tuples, an Enum) so it
travels back from the worker process by pickle. symengine is imported by
``calculus`` only, inside the worker.

Over grids too long to evaluate exactly at every point (more than
EXACT_WORK instruction-evaluations), the programs run vectorised in float64
with an error estimate, and the points where float64 may be wrong or where
something special may happen are evaluated exactly as above.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from derivcli.errors import BudgetError
from derivcli.language.definitions import expand, kink_trees, kink_values
from derivcli.language.evaluate import (
    CALL,
    EDGE_PRECISION,
    FLOAT32_MAX,
    FLOAT64_MAX,
    MAX_PRECISION,
    POW,
    PRECISION,
    ZERO_MARGIN,
    Exact,
    Program,
    Undefined,
    agree_to_64_bits,
    compile_tree,
    exact_value,
    float64_values,
    gmpy2,
)
from derivcli.language.functions import FunctionSpec, function
from derivcli.language.parser import Expression, parse
from derivcli.language.printer import to_text
from derivcli.language.tree import BinaryOp, Call, Node, Number, Variable, unique_nodes

if TYPE_CHECKING:
    from derivcli.language.points import PointSet

# Grids up to this many instruction-evaluations (points x program size) are
# evaluated exactly at every point (about 2 us each, so ~0.4 s at most);
# longer ones in float64 first.
EXACT_WORK = 200_000
# What one point costs beyond its instructions, in instruction-evaluations: the
# lookups, the kink tests and the result objects (about 90 us a point for an
# 8-instruction closed form, measured).
POINT_OVERHEAD = 40
# Exponents k of the steps h = 2**-k * scale at which one-sided limits and
# derivatives are taken: the three that decide (_limit reads the last three),
# and further while they still move (_settle).
PROBE_EXPONENTS = (256, 512, 1024)
# Bits kept beyond those a difference quotient at step 2**-k cancels.
PROBE_GUARD_BITS = 128
# Two one-sided derivatives meet when they agree to this. Each is the limit of
# exact difference quotients at steps down to 2**-1024, taken once its last two
# values agree to 60 bits, then rounded to float64: sides that meet come out
# equal to the last bit or two, and sides 1e-10 apart (abs(x)*1e-10 + x at 0)
# are a kink.
LIMIT_RTOL = 1e-14
# A float64 kink argument this close to 0 (relative to the point's scale) is
# checked exactly; so is a domain edge.
SCREEN_RTOL = 1e-6


class Reason(str, Enum):
    """Why a point is not plainly regular (JSON and the notes read it)."""

    UNDEFINED = "undefined"  # f is outside its real domain at the point
    POLE = "pole"  # f has a pole at the point (an infinite value somewhere in it)
    STEP_UNDEFINED = "step-undefined"  # a lower-order derivative has no value there
    KINK = "kink"  # a kinked function on its kink; the sides differ
    SMOOTH_KINK = "smooth-kink"  # on a kink, but the sides meet: differentiable
    JUMP = "jump"  # f or a lower-order derivative jumps there
    CORNER = "corner"  # the sides differ without a kinked function (sqrt(x**2) at 0)
    REMOVABLE = "removable"  # the closed form is undefined (0/0) but the derivative exists
    DOMAIN_EDGE = "domain-edge"  # f is undefined on one side
    INFINITE = "infinite-derivative"  # a side tends to +-inf
    OVERFLOW = "overflow"  # the derivative is finite but beyond the dtype's range
    # a one-sided limit did not settle down to steps of 2**-MAX_PROBE_EXPONENT
    # (it oscillates, or converges too slowly: abs(x)**1.001 at 0)
    UNDECIDED = "undecided"
    # a value on the way is past MPFR's range (exp(-1e20) underflows even 2**-(4.6e18))
    OUT_OF_RANGE = "out-of-range"


@dataclass(frozen=True)
class PointAnalysis:
    """Why one point is not a plain regular point, and what the derivative is there."""

    reason: Reason
    differentiable: bool | None  # None: could not be decided (overflow)
    left: float | None = None  # one-sided derivatives; None: undefined on that side
    right: float | None = None
    value: float | None = None  # the derivative, where it exists (the common side)
    kinks: tuple[str, ...] = ()  # kinked functions sitting on their kink here
    detail: str = ""  # a phrase for the note (what is undefined, what jumps)
    lost: bool = False  # OUT_OF_RANGE by a sum cancelling past MAX_PRECISION bits


@dataclass(frozen=True)
class DerivativeAnalysis:
    wrt: tuple[str, ...]
    text: str  # the closed form, in derivcli's syntax
    values: list[float]  # the closed form at each point, rounded once; nan where undefined
    special: dict[int, PointAnalysis] = field(default_factory=dict)


@dataclass(frozen=True)
class SymbolicRequest:
    """What the worker differentiates; the points follow in a second message."""

    source: str
    derivatives: tuple[tuple[str, ...], ...]
    names: tuple[str, ...]
    budget: float  # seconds
    dtype: str = "float64"  # whose range a value must fit (overflow)
    # The parent's parse of ``source``, sent along so the worker does not parse
    # it again (about 12% of a distinct batch line's time there); not part of
    # the request's identity, which ``source`` already gives. None for a long
    # source (see SEND_PARSE_UP_TO).
    parsed: Expression | None = field(default=None, compare=False, repr=False)


# The longest source whose parse travels with its request. pickle recurses
# along a tree and fails past about 1,500 levels; a tree is never more levels
# deep than half its text is long plus its 200 levels of nesting, and a long
# text's parse is a small part of its differentiation anyway.
SEND_PARSE_UP_TO = 1_000


@dataclass(frozen=True)
class SymbolicResponse:
    function_values: list[float]  # f at each point, exactly, rounded once (nan: undefined)
    # per point where autograd's f would overflow the dtype: which part, how large
    overflows: dict[int, str]
    derivatives: list[DerivativeAnalysis]
    approximate: int = 0  # grid points whose closed form was evaluated in float64 only
    # grid points (per derivative) where float64 found f undefined, an argument
    # past the end of its domain by more than its error (_outside_domain)
    outside: int = 0
    # per point where f's exact value is left to rounding past MAX_PRECISION bits
    # (its function_values entry is nan, but f is not undefined there): why
    lost: dict[int, str] = field(default_factory=dict)
    # the points of ``overflows`` where f itself is past the dtype's range, not
    # only a part on the way (exp(x) + y at x = 800, but not atan(exp(x)), which
    # is pi/2 there): the notes say which, and only then is torch's inf f's
    beyond: frozenset[int] = frozenset()


def make_request(
    expression: Expression,
    derivatives: Sequence[tuple[str, ...]],
    budget: float,
    dtype: str = "float64",
) -> SymbolicRequest:
    return SymbolicRequest(
        source=expression.source,
        derivatives=tuple(derivatives),
        names=expression.variables,
        budget=budget,
        dtype=dtype,
        parsed=expression if len(expression.source) <= SEND_PARSE_UP_TO else None,
    )


# ---------------------------------------------------------------- the worker's entry


class _Steps:
    """One derivative's closed forms: the last one printed and evaluable, and f with
    every lower-order derivative as programs, compiled when first needed.

    Where f is *total* (built from functions defined on the whole real line,
    without kinks, division or fractional powers), every derivative is
    defined everywhere and has no kink, so the lower orders are never needed:
    a fifth derivative of a product of 20 factors does not compile four
    large intermediate forms for nothing.
    """

    def __init__(
        self, wrt: tuple[str, ...], f: Expression, forms: list[Any], f_program: Program
    ) -> None:
        from derivcli.symbolic import calculus

        self.wrt = wrt
        self.final = calculus.render(forms[-1])
        self.text = self.final.text
        self.total = is_total(f.tree)
        self._forms = forms
        self._lower: dict[int, tuple[Node, Program]] = {0: (f.tree, f_program)}

    @property
    def order(self) -> int:
        return len(self.wrt)

    def lower(self, k: int) -> tuple[Node, Program]:
        """The k-th derivative (0: f as written) as a tree and a program."""
        from derivcli.symbolic import calculus

        found = self._lower.get(k)
        if found is None:
            found = calculus.lower_form(self._forms[k])
            self._lower[k] = found
        return found

    def lower_orders(self) -> range:
        """The orders below the last that the analysis must look at."""
        return range(1) if self.total else range(self.order)


@dataclass
class _Prepared:
    """The closed forms of one request."""

    function: Program
    steps: dict[tuple[str, ...], _Steps]


_PREPARED: dict[tuple[str, tuple[tuple[str, ...], ...]], _Prepared] = {}
_RESULTS: dict[Any, SymbolicResponse] = {}
CACHE_SIZE = 256


def serve(request: SymbolicRequest, receive_points: Callable[[], PointSet]) -> SymbolicResponse:
    """The worker's entry point: closed forms first, then values at the points.

    The points come from ``receive_points`` (a second message from the parent,
    which makes them with torch meanwhile), so differentiating overlaps with
    the parent's start-up.
    """
    deadline = time.monotonic() + request.budget
    prepared = prepare(request, deadline)
    waiting = time.monotonic()
    points = receive_points()
    # The budget counts this worker's work, not the wait for torch's points.
    deadline += time.monotonic() - waiting
    key = (request, tuple(tuple(float(v) for v in points.columns[n]) for n in request.names))
    if key not in _RESULTS:
        _remember(_RESULTS, key, analyse(prepared, request, points, deadline))
    return _RESULTS[key]


def run(request: SymbolicRequest, points: PointSet) -> SymbolicResponse:
    """Everything in one call (check-function runs it in its own child)."""
    deadline = time.monotonic() + request.budget
    return analyse(prepare(request, deadline), request, points, deadline)


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[key] = value


def prepare(request: SymbolicRequest, deadline: float) -> _Prepared:
    """Differentiate (symengine), and get every closed form ready."""
    from derivcli.symbolic import calculus

    key = (request.source, request.derivatives)
    if key in _PREPARED:
        return _PREPARED[key]
    expression = request.parsed if request.parsed is not None else parse(request.source)
    expr = calculus.build(expression)
    f_program = compile_tree(expression.tree)  # once, for f's values and every derivative's
    steps = {
        wrt: _Steps(
            wrt, expression, calculus.differentiate(expr, wrt, deadline=deadline), f_program
        )
        for wrt in request.derivatives
    }
    prepared = _Prepared(f_program, steps)
    _remember(_PREPARED, key, prepared)
    return prepared


def is_total(tree: Node) -> bool:
    """Whether f, and so each of its derivatives, is a real number at every real
    point with no kink: sums, products and compositions of functions defined
    and smooth on the whole line (sin, exp, sigmoid, ...), whole powers, and
    division by nonzero numbers (functions with a definition, as written out)."""
    for node in unique_nodes(expand(tree)):
        if isinstance(node, Call):
            spec = function(node.name)
            if spec.partial or spec.kink:
                return False
        elif isinstance(node, BinaryOp):
            right = node.right
            if node.op == "/" and not isinstance(right, Number):
                return False
            if node.op == "**" and not (
                isinstance(right, Number) and right.value.denominator == 1 and right.value >= 0
            ):
                return False
    return True


# ---------------------------------------------------------------- evaluation at the points


# The largest float64 that float32 rounds to a finite number: 2**128 - 2**103 is
# half an ulp above float32's largest value, FLT_MAX, and rounds (to even) to
# inf; anything below it rounds to FLT_MAX at most (3.40282356e38 is a finite
# float32, though above FLT_MAX).
FLOAT32_LARGEST_ROUNDED = math.nextafter(2.0**128 - 2.0**103, 0.0)


def analyse(
    prepared: _Prepared, request: SymbolicRequest, points: PointSet, deadline: float
) -> SymbolicResponse:
    count = points.count
    limit = FLOAT32_LARGEST_ROUNDED if request.dtype == "float32" else FLOAT64_MAX
    cache = _ExactCache(points)
    sizes = [_size(steps) for steps in prepared.steps.values()]
    work = count * (max([_cost(prepared.function), *sizes]) + POINT_OVERHEAD)
    exact_everywhere = work <= EXACT_WORK or count <= MAX_EXACT_POINTS
    float32 = request.dtype == "float32"
    screen = None if exact_everywhere else _Screen(prepared, points, deadline, float32=float32)
    f_values: list[float] = []
    overflows: dict[int, str] = {}
    beyond: set[int] = set()
    lost: dict[int, str] = {}
    began = time.monotonic()
    for i in range(count):
        if i % 64 == 0:
            _on_time(deadline, began, i, count)
        if screen is not None and not screen.needs_exact_f(i):
            f_values.append(screen.f_value(i))
            continue
        f_exact = cache.exact(prepared.function, i)
        f_values.append(f_exact.to_float())
        if f_exact.lost and f_exact.undefined is not None:
            lost[i] = f_exact.undefined.describe()
        where = _overflowing_part(prepared.function, f_exact, limit)
        if where is not None:
            overflows[i] = where
            if f_exact.value is not None and abs(f_exact.value) > limit:
                beyond.add(i)
    derivatives = []
    approximate = outside = 0
    for wrt in request.derivatives:
        steps = prepared.steps[wrt]
        context = _Derivative(steps, limit)
        values: list[float] = []
        special: dict[int, PointAnalysis] = {}
        began = time.monotonic()
        for i in range(count):
            if i % 16 == 0:
                _on_time(deadline, began, i, count)
            if screen is not None and not screen.needs_exact(wrt, i):
                value = screen.value(wrt, i)
                values.append(value)
                approximate += math.isfinite(value)
                node = screen.outside(wrt, i)
                if node is not None:
                    # as examine says of a point where f is undefined
                    detail = Undefined("domain", context.program(0).nodes[node]).describe()
                    special[i] = PointAnalysis(Reason.UNDEFINED, False, detail=detail)
                    outside += 1
                continue
            value, found = context.at(cache, i)
            values.append(value)
            if found is not None:
                special[i] = found
        derivatives.append(
            DerivativeAnalysis(wrt=wrt, text=steps.text, values=values, special=special)
        )
    return SymbolicResponse(
        f_values,
        overflows,
        derivatives,
        approximate,
        outside=outside,
        lost=lost,
        beyond=frozenset(beyond),
    )


# At most this many points are always evaluated exactly, however large the closed form.
MAX_EXACT_POINTS = 8


# What one exact call of these costs, in instruction-evaluations (about 2 us
# each; measured at 256 bits): mpmath's polygamma takes 0.8 to 2 ms a point,
# its erfinv 0.6 ms, digamma and lgamma 0.15 ms. A grid of polygamma(11, x)
# counted as 3 instructions went point by point and ran out of its budget.
_EXACT_COST = {"polygamma": 1000, "erfinv": 300, "digamma": 75, "lgamma": 75}


def _cost(program: Program) -> int:
    """The program's exact evaluation at one point, in instruction-evaluations."""
    return sum(
        _EXACT_COST.get(ins.name, 1) if ins.kind == CALL else 1 for ins in program.instructions
    )


def _size(steps: _Steps) -> int:
    program = steps.final.program
    return _cost(program) if program is not None else 10**9


def _on_time(deadline: float, began: float, done: int, count: int) -> None:
    """Raise BudgetError once the points done so far show the rest cannot fit: the
    budget is spent, or a quarter of what was left of it at ``began`` is and the
    pace so far would overrun it (the first points pay one-time costs and may be
    the grid's hardest: a prediction from them alone gives up too early)."""
    now = time.monotonic()
    elapsed = now - began
    predicted = now + elapsed / done * (count - done) if done else now
    if now > deadline or (predicted > deadline and elapsed >= 0.25 * (deadline - began)):
        raise BudgetError(
            f"the closed form could not be evaluated at {count:,} points within the time "
            f"budget ({done:,} done)"
        )


class _ExactCache:
    """Exact values at the given points, each program and point computed once.

    Keyed by the object's id, so each entry keeps its object: a program freed
    meanwhile (the kinks of one derivative of a Hessian, when the next begins)
    could otherwise hand its id, and its values, to a new one. That gave
    another program's values, or an IndexError, now and then.
    """

    def __init__(self, points: PointSet) -> None:
        self.points = points
        self.memo: dict[tuple[int, int], tuple[object, Exact]] = {}

    def point(self, i: int) -> dict[str, float]:
        return {name: float(self.points.columns[name][i]) for name in self.points.names}

    def exact(self, program: Program, i: int) -> Exact:
        return self._remembered(program, i, lambda: exact_value(program, self.point(i)))

    def final(self, steps: _Steps, i: int) -> Exact:
        return self._remembered(steps, i, lambda: steps.final.evaluate(self.point(i)))

    def _remembered(self, owner: object, i: int, compute: Callable[[], Exact]) -> Exact:
        key = (id(owner), i)
        found = self.memo.get(key)
        if found is None or found[0] is not owner:
            found = self.memo[key] = (owner, compute())
        return found[1]


def _overflowing_part(program: Program, outcome: Exact, limit: float) -> str | None:
    """The first part of f whose value is beyond ``limit`` though its inputs are not
    (exp(x) at x=1000): where autograd's forward pass overflows."""
    for index, value in enumerate(outcome.values):
        ins = program.instructions[index]
        if abs(value) > limit and all(abs(outcome.values[a]) <= limit for a in ins.args):
            text = to_text(program.nodes[index])
            if len(text) > 60:
                text = text[:57] + "..."
            return f"{text} is about {_scientific(value)}"
    return None


def _scientific(value: Any) -> str:
    """An mpfr of any size as 1.97e+434, rounded from its exact value (rounding it
    to 64 bits first would show 1.235000...01e434, which the exponent's arithmetic
    gives at thousands of bits, as 1.23e+434)."""
    m = gmpy2()
    exact = value if isinstance(value, m.mpfr) else m.mpfr(value)
    text: str = exact.__format__(".3g")
    return text


# ---------------------------------------------------------------- one derivative


@dataclass(frozen=True)
class _Kink:
    """One kink expression of one kinked call: where it is 0, the call is on a kink."""

    name: str  # relu, leaky_relu, max, ...
    step: int  # which step (0 is f as written) holds the call
    program: Program  # the kink expression (relu(x - 1): x - 1; max(x, y): x - y)
    tree: Node  # the same, as a tree
    variables: tuple[str, ...]  # the variables it has, sorted


class _Derivative:
    """One derivative (a sequence of variables): its steps, their kinks and edges."""

    def __init__(self, steps: _Steps, limit: float) -> None:
        self.steps = steps
        self.wrt = steps.wrt
        self.var = steps.wrt[-1]
        self.limit = limit
        self._along: dict[Any, bool] = {}
        self.misleads: dict[Any, list[str]] = {}  # _misleading_line's answers
        moving = set(self.wrt)
        # Kinks of f (its functions as the user wrote them: leaky_relu, not
        # the relu its definition uses) and of every lower derivative, whose
        # argument moves with a variable being differentiated (min(x, z) is
        # no kink for d/dy).
        self.kinks = [
            _Kink(
                node.name,
                k,
                compile_tree(kink),
                kink,
                tuple(sorted({n.name for n in unique_nodes(kink) if isinstance(n, Variable)})),
            )
            for k in steps.lower_orders()
            for node in unique_nodes(steps.lower(k)[0])
            if isinstance(node, Call) and function(node.name).kink and _depends(node, moving)
            for kink in kink_trees(node)
        ]

    def program(self, k: int) -> Program:
        return self.steps.lower(k)[1]

    def _on_kink_here(self, kink: _Kink, cache: _ExactCache, i: int) -> bool:
        """Whether point i is on the kink, as far as this derivative can tell: the
        kink's argument is 0 there, and not 0 all along the variables
        differentiated by (the others held at the point's values), exactly, as
        symengine simplifies it (relu(x*z) at z = 0 along x; min(z, z)). Along
        those variables such a call never leaves its kink, f there is smooth
        (relu(x*0) is 0 for every x), and the two branches' derivatives are
        equal, so the closed form's value is the derivative whatever its
        convention at the kink. Remembered per kink and held values: a grid
        along x at z = 0 asks symengine once, and skips the exact test of the
        kink's argument (a sum that cancels to 0 is refined to 16,384 bits)."""
        point = cache.point(i)
        held = tuple((name, point[name]) for name in kink.variables if name not in set(self.wrt))
        key = (id(kink), held)
        along = self._along.get(key)
        if along is True:
            return False
        if not _on_kink(kink, cache, i):
            return False
        if along is None:
            along = self._along[key] = _identically_zero(kink.tree, dict(held))
        return not along

    def at(self, cache: _ExactCache, i: int) -> tuple[float, PointAnalysis | None]:
        """The closed form's value at point i, and the analysis if the point is special."""
        closed = cache.final(self.steps, i)
        value = closed.to_float()
        lower = [cache.exact(self.program(k), i) for k in self.steps.lower_orders()]
        for k, outcome in enumerate([*lower, closed]):
            undefined = outcome.undefined
            if undefined is None or undefined.kind not in _OUT_OF_RANGE:
                continue
            program = self.program(k) if k < len(lower) else self.steps.final.program
            root = program is not None and undefined.node is program.nodes[-1]
            if undefined.kind == "overflow" and root and k == len(lower):
                # the derivative itself is past 2**(2**30): far beyond float64. (f or
                # a lower order that far out says nothing of it: d/dx of
                # exp(x**2 + y**2) at x = 0 is 0)
                return math.inf, PointAnalysis(Reason.OVERFLOW, None)
            detail = undefined.describe()
            return math.nan, PointAnalysis(
                Reason.OUT_OF_RANGE, None, detail=detail, lost=undefined.lost
            )
        on_kink = _kinks_here(
            [
                kink
                for kink in self.kinks
                if lower[kink.step].defined and self._on_kink_here(kink, cache, i)
            ]
        )
        on_edge = any(
            outcome.defined and _on_edge(self.program(k), outcome)
            for k, outcome in enumerate(lower)
        )
        regular = all(o.defined for o in lower) and closed.defined and not on_kink and not on_edge
        if regular:
            if abs(value) > self.limit:
                return value, PointAnalysis(Reason.OVERFLOW, None)
            return value, None
        try:
            return value, examine(self, cache.point(i), lower, closed, on_kink)
        except (_GapUnmeasured, _LimitUnmeasured) as unmeasured:
            # a hole in f's domain on every step a tiny gap (or f's one-sided
            # limit) was looked for at hides a corner or jump as well as none
            detail = str(unmeasured)
            return value, PointAnalysis(Reason.UNDECIDED, None, kinks=on_kink, detail=detail)
        except _BesideOutOfRange as beside:
            # z**1e20 beside 0 is 2**(-6.4e21): not undefined, but past what any
            # number format holds, so the sides cannot be told
            where = "at the point" if beside.here else "beside the point"
            detail = f"{where}, {beside.undefined.describe()}"
            return value, PointAnalysis(
                Reason.OUT_OF_RANGE, None, kinks=on_kink, detail=detail, lost=beside.undefined.lost
            )


# Values past MPFR's range, or left to rounding past MAX_PRECISION bits: nothing
# can be said about the point.
_OUT_OF_RANGE = ("overflow", "underflow", "cancelled")


class _GapUnmeasured(Exception):  # noqa: N818 - a signal inside the analysis
    """A gap that tells a jump or corner below the side limits' resolution from
    none could not be taken at any of the steps tried (_measured): a value it
    needs is undefined at each. Not "no jump": the point is undecided."""

    def __init__(self, k: int) -> None:
        last = k + GAP_STEP_TRIES - 1
        super().__init__(
            f"a value that the gaps between its sides need is undefined at each step "
            f"from 2**-{k} to 2**-{last} beside the point, so a jump or corner too small "
            "for the side limits to show cannot be ruled out"
        )


class _BesideOutOfRange(Exception):  # noqa: N818 - a signal inside the analysis
    """A value beside the point is past MPFR's range: it is neither undefined
    nor a number, so the point's sides cannot be judged. ``here``: the value
    was the point's own (a kink's argument lost at the point itself)."""

    def __init__(self, undefined: Undefined, *, here: bool = False) -> None:
        super().__init__(undefined.describe())
        self.undefined = undefined
        self.here = here


def _beside_value(
    program: Program,
    point: Mapping[str, Any],
    precision: int = PRECISION,
    *,
    exact_sums: bool = False,
) -> Exact:
    """exact_value at a point beside the one examined; a value there past MPFR's
    range stops the examination (_BesideOutOfRange) instead of passing for
    undefined."""
    outcome = exact_value(program, point, precision, exact_sums=exact_sums)
    if outcome.undefined is not None and outcome.undefined.kind in _OUT_OF_RANGE:
        raise _BesideOutOfRange(outcome.undefined)
    return outcome


def _valued(outcome: Exact, *, here: bool = False) -> Exact:
    """An outcome left to its rounding past MAX_PRECISION bits ("cancelled")
    stops the examination, as a value past MPFR's range does, instead of
    passing for undefined beside the point. ``here``: the outcome is at the
    point itself (the note says so)."""
    if outcome.lost and outcome.undefined is not None:
        raise _BesideOutOfRange(outcome.undefined, here=here)
    return outcome


# Kink expressions up to this many nodes are checked for being 0 along a line.
ZERO_ALONG_NODES = 200


def _identically_zero(tree: Node, held: Mapping[str, float]) -> bool:
    """Whether the tree is 0 for every value of its free variables, with the
    ``held`` ones at those (exact) values: symengine's canonical form, expanded,
    is the number 0. False when unsure (too large, or it cannot be built)."""
    from fractions import Fraction

    import symengine as se

    from derivcli.language.tree import fold
    from derivcli.symbolic.calculus import SymengineBuilder, symbol

    nodes = list(unique_nodes(tree))
    if len(nodes) > ZERO_ALONG_NODES:
        return False
    env: dict[str, Any] = {}
    for node in nodes:
        if isinstance(node, Variable) and node.name not in env:
            if node.name in held:
                value = Fraction(held[node.name])
                env[node.name] = se.Rational(value.numerator, value.denominator)
            else:
                env[node.name] = symbol(node.name)

    class Builder(SymengineBuilder):
        def call(self, node: Call, args: list[Any]) -> Any:
            # symengine keeps min and max opaque: min(y, y) is y
            if node.name in ("min", "max") and all(a == args[0] for a in args):
                return args[0]
            # and the steps' own kink expressions (a - round(a)) of a whole number
            if node.name in ("round", "floor") and isinstance(args[0], se.Integer):
                return args[0]
            return super().call(node, args)

    try:
        built = fold(expand(tree), Builder(env))
        return bool(built == 0 or se.expand(built) == 0)
    except Exception:  # noqa: BLE001 - unsure (1/0 at the held values, ...): not zero
        return False


def _depends(node: Node, names: set[str]) -> bool:
    return any(isinstance(n, Variable) and n.name in names for n in unique_nodes(node))


def _on_kink(kink: _Kink, cache: _ExactCache, i: int) -> bool:
    """Whether the kink expression is exactly 0 at point i (up to the rounding of
    its exact evaluation, relative to the magnitudes met computing it)."""
    outcome = cache.exact(kink.program, i)
    return outcome.defined and outcome.is_zero(len(kink.program) - 1)


def _kinks_here(found: Sequence[_Kink]) -> tuple[str, ...]:
    """The names of the kinked functions on their kink: those of f as written if
    any (their conventions are the ones the notes quote), else the lower
    derivatives' (sign in the derivative of x*abs(x))."""
    own = [kink.name for kink in found if kink.step == 0]
    return tuple(sorted(set(own or [kink.name for kink in found])))


def _tiny(precision: int) -> Any:
    m = gmpy2()
    return m.mul_2exp(m.mpfr(1), ZERO_MARGIN - precision)


def _on_edge(program: Program, outcome: Exact) -> bool:
    """Whether some argument sits on the end of its function's real domain: sqrt or
    a fractional power of exactly 0, asin or acos of exactly +-1, acosh of 1, or
    a negative base under an exponent that moves (defined at whole exponents
    only: every such point is isolated)."""
    tiny = _tiny(outcome.precision)
    moving = program.depends_on_variables()
    for ins in program.instructions:
        if ins.kind == CALL:
            edges = function(ins.name).edges
            if not edges or not moving[ins.args[0]]:
                # an argument that does not move is the same on both sides:
                # asec(1) + x/2 is x/2 at every point, no domain end
                continue
            arg = outcome.values[ins.args[0]]
            for edge in edges:
                # relative to the argument's own size (1e-300 is not sqrt's edge 0)
                scale = max(outcome.magnitudes[ins.args[0]], abs(edge))
                if abs(arg - edge) <= scale * tiny:
                    return True
        elif ins.kind == POW:
            base_at, exponent_at = ins.args
            base, exponent = outcome.values[base_at], outcome.values[exponent_at]
            whole = gmpy2().is_integer(exponent)
            if (base == 0 or outcome.is_zero(base_at)) and (not whole or moving[exponent_at]):
                # 0**y: beside a whole y the exponent is not whole, and the base
                # may be negative on one side ((y - 4)**y at 4)
                return True
            if base < 0 and moving[exponent_at]:
                return True
    return False


# ---------------------------------------------------------------- special points


def examine(
    derivative: _Derivative,
    point: dict[str, float],
    steps: list[Exact],
    closed: Exact,
    on_kink: tuple[str, ...],
) -> PointAnalysis | None:
    """Classify a point that is not plainly regular (see the module docstring);
    None if it turns out regular after all."""
    var = derivative.var
    f = steps[0]
    if not f.defined:
        assert f.undefined is not None
        reason = Reason.POLE if f.undefined.kind == "pole" else Reason.UNDEFINED
        return PointAnalysis(reason, False, kinks=on_kink, detail=f.undefined.describe())
    f_program = derivative.program(0)
    pure = len(set(derivative.wrt)) == 1
    for order, outcome in enumerate(steps[1:], start=1):
        # a lower derivative's closed form without a value here is no obstacle
        # if that derivative exists all the same: the order below it has equal
        # sides along its variable (d/dx of (2*z - 1)**x at z = 1/2 is 0, though
        # its closed form is 0*log(0)); nor for a derivative along one variable,
        # which f's own differences give
        own = derivative.wrt[order - 1]
        if outcome.defined or pure:
            continue
        exists = _exists_by_sides(derivative.program(order - 1), point, own, f_program)
        if not exists:
            by_differences = _exists_by_differences(derivative.wrt[:order], point, f_program)
            if by_differences is not None or exists is not None:
                exists = bool(by_differences)
        if not exists:
            flat = _flat_around(f_program, point, derivative.wrt)
            if flat:
                # f is the same all around (a flat zero of hardshrink under a cube
                # root): every derivative is 0, whatever 0/0 its closed forms give
                return PointAnalysis(Reason.REMOVABLE, True, 0.0, 0.0, 0.0)
            if flat is None:
                detail = (
                    f"the derivative of order {order} has no value there, and f is not "
                    "checked for being constant around the point along more than 3 variables"
                )
                return PointAnalysis(Reason.UNDECIDED, None, kinks=on_kink, detail=detail)
            if exists is None:
                # no value, but not shown missing either: d3/dxdydy of
                # cbrt(x**3)*y**3 (f = x*y**3) at x = 0 is 6*y, where every closed
                # form from d/dx on is 0/0 all along x = 0
                detail = (
                    f"the closed form of the derivative of order {order} has no value there, "
                    "and a mixed derivative of order 3 or more is not taken from f's own "
                    "differences"
                )
                return PointAnalysis(Reason.UNDECIDED, None, kinks=on_kink, detail=detail)
            return PointAnalysis(
                Reason.STEP_UNDEFINED,
                False,
                kinks=on_kink,
                detail=f"the derivative of order {order} has no value there",
            )
    for other in dict.fromkeys(derivative.wrt):
        # not f at 2**-64 alone: a hole in its domain there is no edge (_domain_around)
        if other != var and not _domain_around(f_program, point, other):
            return PointAnalysis(
                Reason.DOMAIN_EDGE,
                False,
                kinks=on_kink,
                detail=f"f is undefined on one side along {other}",
            )
    missing_sides, missing = _lower_missing_beside(derivative, point, f_program)
    if missing and missing_sides != {-1} and missing_sides != {+1}:
        # a jump at the point itself is the plainer reason: heaviside(2*z - 1) - x
        # jumps at z = 1/2, so d/dz exists nowhere on that line
        jump = _jump(derivative, point) if on_kink else ""
        if jump:
            return PointAnalysis(Reason.JUMP, False, kinks=on_kink, detail=jump)
        return PointAnalysis(Reason.STEP_UNDEFINED, False, kinks=on_kink, detail=missing)
    # the sides as exact limits (MPFR) where they converged, compared exactly:
    # min(z*1e20, log(z) + z*1e20) at 1 has sides 1e20 and 1e20 + 1, one
    # float64 apart from nothing
    exact_left, exact_right = _sides_along(derivative, point, f_program)
    # where a side is taken from f's own differences, the gaps of a tiny corner
    # are too (the lower closed form has no value there to take them from)
    differences_gap: Callable[[int], Any] | None = None
    if pure and derivative.steps.order > 1:
        # the lower closed forms may have no value all along the line (z=0 in
        # (y*z)**1.5): then the derivative comes from f's own differences. The
        # evidence for a side is those differences themselves: f has a value at
        # every step their last quotients use, or _limit gives None and the side
        # stays missing (an edge: sqrt(y - 1)**3 at 1 on the left). Not f at
        # 2**-64 (_defined_beside): a hole in f's domain there, 2**-64 from the
        # point and far beyond the quotients' steps, is no edge (2**-128*sqrt(
        # ((y - 1)*2**64 + 1)**2 - 1/16)**2 has none at 1 - 2**-64 only)
        if exact_left is None or exact_right is None:
            differences_gap = functools.partial(
                _quotients_gap, f_program, point, var, derivative.steps.order
            )
        if exact_left is None:
            exact_left = _finite_difference(f_program, point, var, -1, derivative.steps.order)
        if exact_right is None:
            exact_right = _finite_difference(f_program, point, var, +1, derivative.steps.order)
    elif (
        derivative.steps.order == 2
        and exact_left is None
        and exact_right is None
        and _domain_around(f_program, point, var)
    ):
        # the order-1 closed form has no value beside the point along var (d/dx
        # of sinc(x)*y is 0/0 all along x = 0): f's own mixed differences
        exact_left, exact_right = _mixed_sides(f_program, point, derivative.wrt[0], var)
        differences_gap = functools.partial(
            _mixed_quotients_gap, f_program, point, derivative.wrt[0], var
        )
    if -1 in missing_sides:  # the lower order does not exist on that side
        exact_left = None
    if +1 in missing_sides:
        exact_right = None
    left = None if exact_left is None else float(exact_left) + 0.0
    right = None if exact_right is None else float(exact_right) + 0.0
    if left is None or right is None:
        if left is None and right is None:
            if _domain_around(f_program, point, var):
                # it is the closed form of the order below that has no value beside
                # the point, not f: sqrt(hardswish(x)*z) is 0 all around x = -3.428
                # (hardswish is 0 there), but d/dx's closed form is 0/0 along z. At
                # order 1 it is f, defined at the steps 2**-64 and 2**-1024 but not at
                # one the quotients use: sqrt(((x*2**1023)**2 - 1)**2 - 0.25) at 0
                # has no value at 2**-1023 only. Or f has a value at every step the
                # quotients use, but not at 2**-64: a hole in f's domain there is no
                # edge (d3/dxdy2 of sinc(x)*y**2 + 2**-128*sqrt(((y - 1)*2**64 +
                # 1)**2 - 1/16)**2 at (0, 1) was "defined nowhere beside it")
                if _flat_around(f_program, point, derivative.wrt):
                    return PointAnalysis(Reason.REMOVABLE, True, 0.0, 0.0, 0.0, on_kink)
                lower = derivative.steps.order - 1
                detail = (
                    f"the closed form of the derivative of order {lower} has no value beside "
                    f"the point along {var}, so its one-sided derivatives cannot be taken"
                    if lower
                    else f"f has no value at some of the steps beside the point along {var} "
                    "(though it has at others), so its one-sided derivatives cannot be taken"
                )
                return PointAnalysis(Reason.UNDECIDED, None, kinks=on_kink, detail=detail)
            detail = f"f is defined at this point but nowhere beside it along {var}"
            return PointAnalysis(Reason.UNDEFINED, False, kinks=on_kink, detail=detail)
        # a side missing because the order below has no derivative there (d/dx of
        # relu(x)*relu(y) is heaviside(x)*relu(y), whose sides along x differ for
        # y > 0): not an edge of f's domain, and the note says so
        absent = -1 if left is None else +1
        jump = _edge_jump(f_program, point, var, -absent) if derivative.steps.order == 1 else ""
        if jump:
            return PointAnalysis(Reason.JUMP, False, kinks=on_kink, detail=jump)
        detail = (
            missing
            if absent in missing_sides and _defined_beside(f_program, point, var, absent)
            else ""
        )
        return PointAnalysis(Reason.DOMAIN_EDGE, False, left, right, kinks=on_kink, detail=detail)
    if on_kink or not all(o.defined for o in steps[1:]) or not closed.defined:
        # a kink, or a lower-order closed form without a value here (z/sqrt(z**2),
        # f' of sqrt(z**2) at 0, jumps from -1 to 1 with no kinked function), or
        # the derivative's own (x**(y**2) at (0, 0): 0**0 is 1, f is 0 beside
        # it along y, and the sides' quotients, taken beside the point, both 0)
        jump = _jump(derivative, point)
        if jump:
            # a side past float64 shows as inf: say what it is (e**y*floor(y) at
            # 1000 has right derivative 1.97e+437)
            past = _past_float64(exact_left, exact_right)
            if past:
                jump = jump[:-1] + "; " + past + ")"
            return PointAnalysis(Reason.JUMP, False, left, right, kinks=on_kink, detail=jump)
    below = derivative.steps.order - 1
    # the gap test reads the order below at the point's sides, which is the
    # derivative there unless that closed form sits on a kink line (_off_line)
    gap_test = below == 0 or not _misleading_line(derivative, point, below, var)
    if gap_test:
        exact_left, exact_right, unsure = _tiny_limit_beside_zero(
            derivative.program(below), point, var, f_program, exact_left, exact_right
        )
        if unsure:
            return PointAnalysis(Reason.UNDECIDED, None, left, right, kinks=on_kink, detail=unsure)
        left, right = float(exact_left) + 0.0, float(exact_right) + 0.0
    # finite as exact limits, though perhaps past float64: the derivative of
    # exp(x)**x at -5530 is -1.5e13281120, which float64 rounds to -inf
    sides_meet = (
        _finite(exact_left) and _finite(exact_right) and _sides_meet(exact_left, exact_right)
    )
    if (
        not sides_meet
        and gap_test
        and _finite(exact_left)
        and _finite(exact_right)
        and _within(exact_left, exact_right, SETTLED_BITS)
    ):
        # limits that settled to 60 bits and differ below that may be one limit
        # reached slowly: x + 1e-9*relu(-x)**1.0625 at 0 has the left side
        # 1 - 1e-9*h**(1/16), still 2**-94 from 1 at h = 2**-1024 (and so has
        # d/dx of d/dy of that times y, at (0, 1))
        joined = _gap_shrinks(derivative.program(below), point, var, f_program)
        if joined is None:
            detail = (
                "its one-sided derivatives differ by less than their limits can be "
                "told apart, and their gap neither stays nor shrinks clearly"
            )
            return PointAnalysis(Reason.UNDECIDED, None, left, right, kinks=on_kink, detail=detail)
        sides_meet = joined
    elif (
        sides_meet
        and not isinstance(exact_left, float)
        and not isinstance(exact_right, float)
        and exact_left != exact_right
    ):
        # equal to 2**-100 but not exactly: a gap that stays is a corner all the
        # same (x + 3e-31*abs(x) at 0 has sides 1 -+ 3e-31, 2**-100.4 apart)
        if differences_gap is not None:
            # a side from f's own differences: the lower closed form has no value
            # there to take gaps from, f's quotients on both sides do (f'' of
            # y**2 + 2**-200*(relu(y)**3)**(1/3)*y is 2 and 2 + 2**-199; d2/dxdy
            # of cbrt(x**3)*y + 2**-200*x*abs(y - 1) at (0, 1) is 1 -+ 2**-200;
            # a review's finds)
            sides_meet = not _tiny_jump_of(differences_gap)
        else:
            program = derivative.program(below)
            # where the sides were read off a kink line (_off_line), so are the
            # gaps: on the line the closed form is a convention (d/dx of
            # cbrt(x**3)*y + 2**-200*x*abs(y - 1) is 0/0 all along x = 0, and
            # beside it its slopes along y at y = 1 are 1 -+ 2**-200)
            crossed = [] if gap_test else _misleading_line(derivative, point, below, var)
            at = _off(point, point, crossed, +1, OFF_LINE_EXPONENTS[0]) if crossed else point
            sides_meet = _gap_shrinks(program, at, var, f_program) is not False
    if sides_meet:
        common = right if abs(right) <= abs(left) else left
        if not abs(common) <= derivative.limit:
            # the sides' value, not the closed form's: on a kink line that is a
            # convention (abs(x)*sign(x)*exp(y) at y = 710: sign(0)**2*e**710 = 0)
            return PointAnalysis(Reason.OVERFLOW, None, left, right, common, kinks=on_kink)
        if on_kink:
            return PointAnalysis(Reason.SMOOTH_KINK, True, left, right, common, on_kink)
        if closed.defined:
            return None  # an edge of a part that does not make f one-sided: regular
        return PointAnalysis(Reason.REMOVABLE, True, left, right, common)
    if math.isnan(left) or math.isnan(right):
        return PointAnalysis(Reason.UNDECIDED, None, left, right, kinks=on_kink)
    apart = ""
    if left == right and _finite(exact_left) and _finite(exact_right):
        # equal as float64, different as exact limits
        gap = _size_text(abs(exact_right - exact_left))
        apart = f"the two differ by {gap}, below float64's resolution at this size"
        past = _past_float64(exact_left, exact_right)
        if past:
            # min(1e300*y, y - 1.5 + 1e300*y)**3 at 1.5: 9e900 and 9e900 + 1.8e601
            apart = f"{past}; the two differ by {gap}"
    if on_kink:
        return PointAnalysis(Reason.KINK, False, left, right, kinks=on_kink, detail=apart)
    if not (_finite(exact_left) and _finite(exact_right)):
        return PointAnalysis(Reason.INFINITE, False, left, right)
    return PointAnalysis(Reason.CORNER, False, left, right, detail=apart)


def _sides_along(
    derivative: _Derivative, point: Mapping[str, float], f_program: Program
) -> tuple[Any, Any]:
    """The one-sided derivatives along the last variable of the order below the
    last; read off a kink line its closed form stays on (_off_line)."""
    var = derivative.var
    order = derivative.steps.order - 1
    g = derivative.program(order)
    return _both_sides(
        derivative, point, order, var, lambda base, side: _one_sided(g, base, var, side, f_program)
    )


def _both_sides(
    derivative: _Derivative,
    point: Mapping[str, float],
    order: int,
    name: str,
    one_side: Callable[[Mapping[str, Any], int], Any],
) -> tuple[Any, Any]:
    """``one_side`` (of the derivative of this order along ``name``) left and right of
    the point; off a kink line its closed form stays on, where there is one."""

    def sides(base: Mapping[str, Any]) -> tuple[Any, Any]:
        return one_side(base, -1), one_side(base, +1)

    off = _off_line(derivative, point, order, name, sides)
    return sides(point) if off is None else off


# How far off a kink line a closed form is read (relative, along the variable
# that crossed the kink): far below every probe step (2**-4096 at most), and
# twice, to see what the distance itself adds (2*abs(x)*y read at x = 2**-8192
# has slope 2**-8191 along y, not 0).
OFF_LINE_EXPONENTS = (8192, 16384)
SHALLOW_OFF_LINE_EXPONENTS = (2048, 4096)
# A reading off the line that shrinks by 2**-100 or more from the first distance
# to the second is 0 (_settled_off).
OFF_LINE_SHRINK_BITS = 100


def _lines(
    derivative: _Derivative, point: Mapping[str, float], order: int, name: str
) -> tuple[list[str], set[int]]:
    """The variables (own) along which a derivative up to this order was taken
    across a kink whose argument stays 0 along ``name``, and the sides of the
    point along ``name`` where
    the kink lines lie (both for a line through the point: the closed form on
    the line may be the derivative on one side of the point only, d/dx of x*y +
    (1 - sign(x)**2)*x*relu(-y), f = x*y, is y + relu(-y) on x = 0, y beside
    it, and d2f/dxdy at (0, 0), 1, was read as 0 on the left). A line may lie on one
    side only: abs(u)*sign(u)*y with u = x + relu(y) has u = 0 along y for y <= 0
    only (at x = 0), and d/dx's closed form sign(u)**2*y is 0 there, where the
    derivative is y. Such a line counts only where it was crossed along another
    variable than ``name``: relu(x) is 0 along x for x <= 0, but d/dx of
    abs(relu(x))**3 is read along x itself, beside the point, not off a line."""
    owns: dict[str, None] = {}
    sides: set[int] = set()
    for kink in derivative.kinks:
        if kink.step >= order:
            continue
        zero = _zero_along(kink, point, name)
        if not zero:
            continue
        found = [
            own
            for own in derivative.wrt[kink.step : order]
            if own in kink.variables and own != name
        ]
        if found:
            owns.update(dict.fromkeys(found))
            sides.update(zero)
    return list(owns), sides


def _off_line(
    derivative: _Derivative,
    point: Mapping[str, float],
    order: int,
    name: str,
    measure: Callable[[Mapping[str, Any]], tuple[Any, Any]],
) -> tuple[Any, Any] | None:
    """What ``measure`` gives of the derivative of this order along ``name``, read
    off a kink line its closed form stays on; None where there is no such line,
    or the readings do not settle.

    Where a derivative up to this order was taken along a variable (own) that
    crosses a kink whose argument stays 0 along ``name``, the closed form's
    values all along the line through the point are the kink's convention, not
    the derivative: d/dx of abs(x)*sign(x)*y (f is x*y) is sign(x)**2*y, 0 on the
    whole line x = 0, where the derivative is y. Beside the line the closed form
    is the derivative, and on the line the derivative is its limit (it exists
    there: _lower_missing_beside). So it is measured at 2**-8192 and 2**-16384
    off the line (relative, along every such own) on both sides: a reading that stays is the limit,
    one that shrinks with the distance is 0, and the two sides must meet.
    """
    crossed = _misleading_line(derivative, point, order, name)
    if not crossed:
        return None  # f's own values (order 0), no such line, or one that holds the derivative

    def off(base: Mapping[str, Any], side: int, exponent: int) -> dict[str, Any]:
        return _off(point, base, crossed, side, exponent)

    lost: _BesideOutOfRange | None = None
    for exponents in (OFF_LINE_EXPONENTS, SHALLOW_OFF_LINE_EXPONENTS):
        # far off the line first; where that does not settle, nearer: a kink
        # argument of the line's distance squared (cos(x) - 1 at 2**-16384 is
        # -2**-32769) is past every precision there, but not at 2**-4096
        found: list[tuple[Any, ...]] = []
        try:
            for side in (+1, -1):
                near, nearer = (measure(off(point, side, exponent)) for exponent in exponents)
                found.append(tuple(_settled_off(a, b) for a, b in zip(near, nearer, strict=True)))
        except _BesideOutOfRange as beside:
            lost = lost or beside
            continue
        above, below = found
        if all(
            a is not None and b is not None and _same_limit(a, b)
            for a, b in zip(above, below, strict=True)
        ):
            return above[0], above[1]
    if lost is not None:
        raise lost
    return None


def _off(
    point: Mapping[str, float],
    base: Mapping[str, Any],
    crossed: Sequence[str],
    side: int,
    exponent: int,
) -> dict[str, Any]:
    """``base`` moved off the kink lines: 2**-exponent (relative to the point)
    along the first variable that crossed one (_lines), about half that along
    the second, a quarter along the third, on one side. Off every such line
    (sign(x)**2*sign(y)**2*z at x = y = 0), and off one through the point along
    two of them: moved alike, x and y would stay on max(x, y)'s line x = y,
    where d2/dxdy of max(x, y)*min(x, y)*z (f = x*y*z) reads 0.5*z, not z. The
    factors are not plain halves (1/2*(1 + 2**-32), ...): steps of exactly 1
    and 1/2 kept the point on x = 2*y - 1 at (1, 1) (a review's find), and a
    line that these factors keep would need coefficients near 2**32."""
    m = gmpy2()
    moved: dict[str, Any] = dict(base)
    for index, own in enumerate(crossed):
        with m.context(m.get_context(), precision=OFF_FACTOR_BITS):
            offset = _step(point, own, side, exponent + index) * (1 + index * OFF_FACTOR_NUDGE)
        moved = _beside(moved, own, offset)
    return moved


# _off's nudge of the factors after the first, and the bits that hold it exactly.
OFF_FACTOR_NUDGE = 2.0**-32
OFF_FACTOR_BITS = 128


def _misleading_line(
    derivative: _Derivative, point: Mapping[str, float], order: int, name: str
) -> list[str]:
    """Where the closed form of the derivative of this order sits on a kink line
    along ``name`` (_lines) whose values there are not the derivative's, so
    that it must be read off the line (_off_line): the variables that cross
    the line; else []. Remembered per point."""
    key = (order, name, tuple(point.items()))
    known = derivative.misleads.get(key)
    if known is None:
        known = derivative.misleads[key] = _line_differs(derivative, point, order, name)
    return known


def _line_differs(
    derivative: _Derivative, point: Mapping[str, float], order: int, name: str
) -> list[str]:
    crossed, screened = _lines(derivative, point, order, name)
    if not crossed:
        return []

    def off(base: Mapping[str, Any], side: int, exponent: int) -> dict[str, Any]:
        return _off(point, base, crossed, side, exponent)

    # the readings off the line are costly (a sum of 1 and 2**-16384 holds 16,384
    # bits, and erf of it takes milliseconds): taken only where the closed form on
    # the line is not what it is just beside it (to 2**-150), at
    # 2**-64 and 2**-20 along name, and at the steps the quotients are taken at
    # (a kink argument 0 along the line for abs(y) <= 1e-30 only: see
    # _zero_along), on each side of the point where the line lies (_lines).
    # The convention may agree with the derivative at the point itself and
    # differ along the line (d/dx of abs(x)*sign(x)*y + (1 - sign(x)**2)*x*y**2
    # is y**2 on x = 0 and y beside it)
    program = derivative.program(order)

    def differs(on: Mapping[str, Any], along: int) -> bool:
        # just beside the line: 2**-200 nearer it than ``on`` is to the point,
        # so that what the closed form does off the line (3*abs(u)**2*sign(u)
        # grows as the square of the distance) stays far below a convention
        here = _valued(exact_value(program, on, exact_sums=True)).value
        return here is None or not all(
            (
                beside := _valued(
                    exact_value(program, off(on, side, along + 200), exact_sums=True)
                ).value
            )
            is not None
            and _within(beside, here, 150)
            for side in (+1, -1)
        )

    misleads = any(
        differs(
            _beside(point, name, _step(point, name, along_side, along + _offset(point, name))),
            along,
        )
        for along in (64, 20, *PROBE_EXPONENTS, MAX_PROBE_EXPONENT)
        for along_side in sorted(screened, reverse=True)
    )
    return crossed if misleads else []


def _zero_along(kink: _Kink, point: Mapping[str, float], name: str) -> frozenset[int]:
    """The sides of the point along ``name`` where the kink's argument is 0 (it
    must be 0 at the point too) where the closed form is read (abs(x*y) at x = 0
    along y): at one of ZERO_ALONG_EXPONENTS (relative). There the closed form
    holds the kink's convention, not the derivative, so it is read off the line.
    Not at every distance: the argument of abs(u)*sign(u)*y, u = x + relu(abs(y)
    - 1e-12), is 0 along y only for abs(y) <= 1e-12, which holds every probe step
    but not 2**-32, and d2f/dxdy at (0, 0), 1 (f is u*y), was read on the line
    as 0. Both sides where both are 0 at one distance; one side (relu(x) is 0
    left of 0 only) is a line only for _lines' use."""
    if not _zero_here(kink.program, point, here=True):
        return frozenset()
    if name not in kink.variables:
        return BOTH_SIDES
    sides: set[int] = set()
    for exponent in ZERO_ALONG_EXPONENTS:
        zero = {
            side
            for side in (-1, +1)
            if _zero_here(
                kink.program,
                _beside(point, name, _step(point, name, side, exponent + _offset(point, name))),
            )
        }
        if len(zero) == 2:
            return BOTH_SIDES
        sides |= zero
    return frozenset(sides) if len(sides) == 1 else frozenset()


BOTH_SIDES = frozenset({-1, +1})


def _zero_here(program: Program, point: Mapping[str, Any], *, here: bool = False) -> bool:
    outcome = _valued(exact_value(program, point), here=here)
    return outcome.defined and outcome.is_zero(len(program) - 1)


def _settled_off(near: Any, nearer: Any) -> Any:
    """A reading at 2**-8192 and 2**-16384 off a line: the same (to 2**-100) is the
    reading; one that shrank with the distance is 0; else None.

    "Shrank" is by 2**-OFF_LINE_SHRINK_BITS or more, the tolerance that "the same"
    allows: a reading c*d**p at distance d shrinks by 2**(-8192*p), so every p from
    100/8192 up reads as 0 (1.25*abs(x)**0.25*sign(x), d/dx of abs(x)**1.25, shrinks
    by 2**-2048; a threshold of 2**-4096 took only p >= 1/2), while a reading that
    tends to a value that is not 0 moves far less than that."""
    if near is None or nearer is None:
        return None
    if _same_limit(near, nearer):
        return nearer
    if _finite(near) and _finite(nearer):
        m = gmpy2()
        shrunk = abs(m.mpfr(near)) * m.mul_2exp(m.mpfr(1), -OFF_LINE_SHRINK_BITS)
        if abs(m.mpfr(nearer)) <= shrunk:
            return m.mpfr(0)
    return None


def _lower_missing_beside(
    derivative: _Derivative, point: Mapping[str, float], f_program: Program
) -> tuple[set[int], str]:
    """For a mixed partial, where and why a lower-order derivative does not exist
    beside the point along the next variable: the sides (-1, +1) of the last
    variable where the derivative of the order below the last is missing (both
    when an earlier order is), and a phrase ('' if it exists all around).

    The derivative of order k + 1 along wrt[k] needs the one of order k on a
    line through the point along wrt[k]. Where order k is taken along another
    variable, it exists at a point only if the two sides there meet: d/dx of
    relu(x)*z is heaviside(x)*z, whose sides at (0, z) are 0 and z, so it does
    not exist on the line x = 0 except at z = 0, and d/dz of it does not
    exist at (0, 0), whatever heaviside(0) makes of the closed form. The
    sides are checked at the point moved by 2**-64 (relative) both ways, or
    nearer where f has no value there (_line_sample).
    """
    wrt = derivative.wrt
    sides: set[int] = set()
    why = ""
    for k in range(1, len(wrt)):
        own, along = wrt[k - 1], wrt[k]
        if own == along:
            continue
        lower = derivative.program(k - 1)

        def exists(
            side: int, lower: Program = lower, own: str = own, along: str = along, k: int = k
        ) -> bool:
            moved = _line_sample(f_program, point, along, side)
            if k > 1 and _misleading_line(derivative, moved, k - 1, own):
                # order k - 1 sits on a kink line there whose values are a
                # convention: its sides along own are read off the line (d/dx of
                # abs(u)*sign(u)*y*w, u = x + relu(y) + relu(w), is 0 on x = 0 for
                # y, w <= 0, where it is y*w)
                off = _off_line(
                    derivative,
                    moved,
                    k - 1,
                    own,
                    lambda base: tuple(
                        _settle(
                            _Quotients(lower, base, own, s, f_program),
                            exact=True,
                            offset=_offset(base, own),
                        )
                        for s in (-1, +1)
                    ),
                )
                if off is not None:
                    return _one_derivative(*off)
            left_quotients = _Quotients(lower, moved, own, -1, f_program)
            right_quotients = _Quotients(lower, moved, own, +1, f_program)
            offset = _offset(moved, own)
            left = _settle(left_quotients, exact=True, offset=offset)
            right = _settle(right_quotients, exact=True, offset=offset)
            if not _one_derivative(left, right) and not _one_slowly(
                lower, moved, own, f_program, left, right
            ):
                return False
            if _sides_apart(left_quotients, right_quotients):
                return False
            # the one-sided slopes leave out f's value on the line: sign(x)*y**2
            # has slopes 0 and 0 at (0, 2**-64), but jumps there
            return lower is not f_program or _continuous_at(f_program, moved, own)

        for side in (-1, +1):
            if exists(side):
                continue
            order = "f's derivative" if k == 1 else f"the derivative of order {k}"
            why = (
                f"{order} along {own} does not exist beside the point along {along}, "
                f"so there is no derivative of it along {along}"
            )
            sides |= {side} if k == len(wrt) - 1 else {-1, +1}
    return sides, why


# How far beside the point (2**-k, relative) a line through it along the next
# variable is sampled for the lower derivative's existence (_line_sample): far
# above the quotients' steps (PROBE_EXPONENTS), which then see one side of any
# kink line through the point; the second where f has no value at the first.
LINE_SAMPLE_EXPONENTS = (64, 128)


def _line_sample(
    f_program: Program, point: Mapping[str, float], along: str, side: int
) -> dict[str, Any]:
    """The point beside this one along ``along`` (``side``) at which
    _lower_missing_beside checks the lower derivative: 2**-64 away, or 2**-128
    where f has no value at 2**-64. A hole in f's domain there is no evidence
    about the line: 2**-128*sqrt(((y - 1)*2**64 + 1)**2 - 1/16)**2 has no value
    for y - 1 in (-5/4, -3/4)*2**-64 only, so f's derivative along x did not
    exist at y = 1 - 2**-64, and d3/dxdy2 of cbrt(x**3)*y**2 plus that at (0, 1)
    was called not differentiable, where it is 2. Where f has no value at either
    (an edge of its domain through the point), the first stands, and the side
    is missing as before."""
    offset = _offset(point, along)
    samples = [
        _beside(point, along, _step(point, along, side, k + offset)) for k in LINE_SAMPLE_EXPONENTS
    ]
    for k, moved in zip(LINE_SAMPLE_EXPONENTS, samples, strict=True):
        if _beside_value(f_program, moved, k + offset + 64, exact_sums=True).defined:
            return moved
    return samples[0]


def _sides_apart(left: _Quotients, right: _Quotients) -> bool:
    """Whether two sides whose limits meet to 2**-100 are apart all the same: the
    gap between their quotients at the same steps settles on a value that is not 0.

    A gap below the limits' tolerance can be real: beside y = 1, d/dx of
    abs(x)*(y - 1)**4 + x has sides 1 - t**4 and 1 + t**4 at y = 1 + t, 2**-256
    apart at t = 2**-64. The quotients' own error shrinks with the step (the
    gap of x + abs(x)**1.1's sides is 2**-102 at 2**-1024, 2**-410 at 2**-4096:
    sides that meet); a real gap stays, to 60 bits, over the last two steps. The
    quotients are taken again with 640 guard bits for this (with 128, their
    rounding leaves gaps of 2**-134 that stay too: (2*z - 1)**x along x)."""
    taken = sorted(set(left.taken) & set(right.taken))[-2:]
    if len(taken) < 2:
        return False
    guards = GUARD_STEPS[1:]
    fine = [_Quotients(q.g, q.point, q.var, q.side, q.f, guards)(taken) for q in (left, right)]
    if any(q is None or not _finite(q) for side in fine for q in side):
        return False
    m = gmpy2()
    gaps = [b - a for a, b in zip(*fine, strict=True)]
    size = max(abs(q) for side in fine for q in side)
    # above the rounding of quotients taken with 640 guard bits
    if not (
        gaps[1] != 0
        and abs(gaps[1]) > size * m.mul_2exp(m.mpfr(1), 32 - guards[0])
        and _converged(gaps)
    ):
        return False
    # and the same with twice the guard bits: a gap of the rounding of g's own
    # size over the step (far above the quotients' where g is far larger than
    # its slope) moves with the precision, a real one does not. softplus(x**3
    # + x*y) at x = -2**-64 is 0.69 with slope 2**-65 along y: with 640 guard
    # bits its quotients' rounding left a gap of 2**-639 at every step, taken
    # for a corner (fuzz seed 85)
    finer = [
        _Quotients(q.g, q.point, q.var, q.side, q.f, guards[1:])(taken[-1:]) for q in (left, right)
    ]
    if any(q is None or not _finite(q) for side in finer for q in side):
        return False
    gap = finer[1][0] - finer[0][0]
    return bool(gap != 0 and abs(gap - gaps[1]) <= abs(gap) / 2)


# Steps (2**-k) at which the gap between the two sides' quotients is followed.
GAP_EXPONENTS = (1024, 2048, 4096)
# A gap test's steps are a free choice, so a hole in f's domain on one of them
# decides nothing: where a value a gap needs at 2**-k is undefined (f =
# y + 2**-200*relu(y) + 0*log(abs(y + 2**-2048)) has none at -2**-2048, which
# the quotients at 2**-2048 and 2**-2049 use), the gap is taken at 2**-(k + 1),
# 2**-(k + 2), ... instead, this many steps in all. One hole spoils at most
# three of them for quotients of order 6 or less (it is j times a power of two
# for one odd j, and they use the values at 1, 2, ..., order + 1 steps).
GAP_STEP_TRIES = 4


def _measured(k: int, measure: Callable[[int], Any]) -> Any:
    """``measure(k)``, or where that is None (a value it needs is undefined) the
    first measure at the next finer steps that is not, up to GAP_STEP_TRIES in
    all; _GapUnmeasured where none is (a gap that cannot be had is no sign that
    there is no jump: it hid a corner of 2**-200 beside such a hole)."""
    for tried in range(k, k + GAP_STEP_TRIES):
        measure_there = measure(tried)
        if measure_there is not None:
            return measure_there
    raise _GapUnmeasured(k)


def _gap_shrinks(g: Program, point: Mapping[str, Any], var: str, f: Program) -> bool | None:
    """For one-sided derivatives of g that differ by less than their settling can
    tell: True where the gap between the two sides' quotients at the same steps
    keeps shrinking (by 2**-16 or more a step: one limit, reached slowly), False
    where it stays (to 60 bits: a corner), None where it does neither or is not
    finite; _GapUnmeasured where a quotient is undefined at every step tried
    (_measured). Quotients with 640 guard bits, as _sides_apart's."""
    sides = [_Quotients(g, point, var, side, f, GUARD_STEPS[1:]) for side in (-1, +1)]

    def both_at(k: int) -> tuple[int, Any, Any] | None:
        left, right = (q([k])[0] for q in sides)
        return None if left is None or right is None else (k, left, right)

    taken = [_measured(k, both_at) for k in _gap_exponents(both_at)]
    if any(not _finite(q) for _, *quotients in taken for q in quotients):
        return None
    gaps = [abs(right - left) for _, left, right in taken]
    if _converged(gaps) and gaps[-1] != 0:
        if _gap_stays_finer(g, point, var, f, gaps[-1], taken[-1][0]):
            return False
        # else the quotients' own rounding, which stays too: -y**x along x at
        # (11800, 1/4) has quotients 2**-654 apart with 640 guard bits, and
        # acosh(1) - erf(y) along y at -5.863 2**-593 (the rounding is f's
        # size over the step, and f is 1e15 times its slope there)
    return True if _keeps_shrinking(gaps) else None


def _gap_exponents(both_at: Callable[[int], Any]) -> Sequence[int]:
    """GAP_EXPONENTS, or where the first of them has no gap at any step tried
    (_measured) but there is one at 2**-EXISTS_EXPONENT, those steps doubled
    until the first has one: a side that begins nearer the point than the first
    step exists all the same (_settle), and the gaps are read past its edge
    (x*abs(x) + sqrt(x + 2**-2048) at 0 has no left quotients from 2**-1024 to
    2**-1027, and its sides, both 2**1023, were undecided)."""

    def sequence_at(exponents: Sequence[int]) -> list[Any]:
        return [both_at(k) for k in exponents]

    exponents: tuple[int, ...] = GAP_EXPONENTS
    if _finer_value(sequence_at, exponents[0]) is not None or both_at(EXISTS_EXPONENT) is None:
        return exponents
    while exponents[0] < MAX_PROBE_EXPONENT:
        exponents = tuple(2 * k for k in exponents)
        if _finer_value(sequence_at, exponents[0]) is not None:
            break
    return exponents


def _keeps_shrinking(gaps: Sequence[Any]) -> bool:
    """Each gap at least 2**16 times smaller than the one before (one limit,
    reached slowly)."""
    m = gmpy2()
    shrink = m.mul_2exp(m.mpfr(1), -16)
    return all(later <= earlier * shrink for earlier, later in itertools.pairwise(gaps))


def _gap_stays_finer(
    g: Program,
    point: Mapping[str, Any],
    var: str,
    f: Program,
    gap: Any,
    k: int = GAP_EXPONENTS[-1],
) -> bool:
    """Whether a gap at the level of the quotients' rounding, taken at step
    2**-k (the last one _gap_shrinks measured), is the same with 1,280 guard
    bits: a real one (x + 1e-300*abs(x): 2e-300 whatever the precision), not
    rounding (which moves with it)."""
    finer = [_Quotients(g, point, var, side, f, GUARD_STEPS[2:])([k])[0] for side in (-1, +1)]
    if any(q is None or not _finite(q) for q in finer):
        return False
    return _within(abs(finer[1] - finer[0]), gap, SETTLED_BITS)


def _continuous_at(f_program: Program, point: Mapping[str, Any], var: str) -> bool:
    """Whether f's value at the point is both of its limits along ``var``. Every
    caller passes a point beside the one examined (2**-64 along the next
    variable), so a value lost there is lost beside it, as its note says. Not
    exact_sums, as in _jump: c*y with c = exp(10000)*(sqrt(1 + exp(-14000)) - 1)
    read as 0 at (0, 2**-64), and its jump along x there went unseen (a
    helper's find, stop 35)."""
    here = _valued(_value_here(f_program, point, exact_sums=False), here=False)
    if here.value is None:
        return False
    value = gmpy2().mpfr(0) if here.is_zero(len(here.values) - 1) else here.value
    limits = [
        _side_limit(f_program, point, var, side, exact=True, past_holes=True) for side in (-1, +1)
    ]
    if value and all(isinstance(limit, float) and limit == 0 for limit in limits):
        # sides that shrink to 0 through 2**-4096 beside a value that is not 0 (see _jump)
        return not _deep_jump(f_program, point, var)
    return all(limit is not None and _sides_meet(limit, value) for limit in limits)


def _exists_by_sides(
    lower: Program, point: Mapping[str, float], var: str, f_program: Program
) -> bool | None:
    """Whether the derivative of ``lower`` along ``var`` exists at the point: both
    one-sided derivatives finite and equal; None (not known) where a side cannot
    be taken."""
    left = _one_sided(lower, point, var, -1, f_program)
    right = _one_sided(lower, point, var, +1, f_program)
    if left is None or right is None:
        return None
    return _one_derivative(left, right)


def _flat_around(f_program: Program, point: Mapping[str, float], wrt: Sequence[str]) -> bool | None:
    """Whether f has exactly its value here at every corner of a small box around
    the point (2**-64, relative, along each variable differentiated by): f is
    constant there, so each derivative is 0. Exact sums keep any term, however
    small, that would tell the values apart. None (not known) along more than 3
    variables: the box has 3**n points."""
    names = list(dict.fromkeys(wrt))
    if len(names) > 3:
        return None
    here = _valued(exact_value(f_program, point, exact_sums=True), here=True).value
    if here is None:
        return False
    for signs in itertools.product((-1, 0, 1), repeat=len(names)):
        moved: dict[str, Any] = dict(point)
        for name, sign in zip(names, signs, strict=True):
            if sign:
                moved = _beside(moved, name, _step(point, name, sign, 64))
        value = _beside_value(f_program, moved, exact_sums=True).value
        if value is None or value != here:
            return False
    return True


def _exists_by_differences(
    wrt: tuple[str, ...], point: Mapping[str, float], f_program: Program
) -> bool | None:
    """Whether a pure derivative (every variable of ``wrt`` the same) exists at the
    point by f's own one-sided differences along it, where the closed forms below
    have no value on the whole line: d2/dz2 of y**z at y = 0 is 0 (f is 0 there
    for z > 0), though its closed form y**z*log(y)**2 is 0*inf. So does a mixed
    one of order 2 by f's mixed differences (_mixed_sides): d2/dxdy of
    cbrt(x**3)*y**2 (f = x*y**2) is 2*y at x = 0, where the closed forms of d/dx
    and d2/dxdy are 0/0 all along x = 0 (a user review: the order above was
    called not differentiable, "order 2 has no value there"). None (not known)
    for a mixed one of order 3 or more.

    The differences themselves decide whether a side exists: they have no value
    where f has none at a step they use (an edge). Not f at 2**-64: a hole in
    f's domain there, far beyond their steps, is no edge (2**-128*sqrt(((y -
    1)*2**64 + 1)**2 - 1/16)**2 has no value at y = 1 - 2**-64 only)."""
    if len(wrt) == 2 and wrt[0] != wrt[1]:
        return _one_derivative(*_mixed_sides(f_program, point, wrt[0], wrt[1]))
    var = wrt[0]
    if any(w != var for w in wrt):
        return None
    left = _finite_difference(f_program, point, var, -1, len(wrt))
    right = _finite_difference(f_program, point, var, +1, len(wrt))
    return _one_derivative(left, right)


def _one_derivative(left: Any, right: Any) -> bool:
    """Two one-sided derivatives make a derivative: both exist, finite, and meet."""
    return (
        left is not None
        and right is not None
        and _finite(left)
        and _finite(right)
        and _sides_meet(left, right)
    )


def _one_slowly(
    g: Program, point: Mapping[str, Any], var: str, f: Program, left: Any, right: Any
) -> bool:
    """One-sided derivatives of g, finite, settled to 60 bits and apart below
    that, whose quotients' gap keeps shrinking: one derivative, reached slowly
    (_gap_shrinks); not where that gap cannot be had."""
    if not (
        left is not None
        and right is not None
        and not isinstance(left, float)
        and not isinstance(right, float)
        and _finite(left)
        and _finite(right)
        and _within(left, right, SETTLED_BITS)
    ):
        return False
    try:
        return _gap_shrinks(g, point, var, f) is True
    except _GapUnmeasured:
        return False


def _defined_beside(program: Program, point: Mapping[str, float], var: str, side: int) -> bool:
    return all(
        _beside_value(
            program, _beside(point, var, _step(point, var, side, k)), k + 64, exact_sums=True
        ).defined
        for k in (64, PROBE_EXPONENTS[-1])
    )


def _defined_at_steps(program: Program, point: Mapping[str, float], var: str, side: int) -> bool:
    """Whether f has a value at every point beside this one along ``var`` that its
    one-sided difference quotients on that side use (p + h and p + 2h, h =
    2**-k for k in PROBE_EXPONENTS): the evidence that f's domain goes on to that
    side. Not f at 2**-64 (_defined_beside): a hole in f's domain there, far
    beyond the quotients' steps, is no edge (2**-128*sqrt((x*2**64 + 1)**2 -
    1/16)**2 has no value for x in (-5/4, -3/4)*2**-64 only)."""
    offset = _offset(point, var)
    return all(
        _beside_value(
            program,
            _beside(point, var, j * _step(point, var, side, k + offset)),
            k + offset + PROBE_GUARD_BITS,
            exact_sums=True,
        ).defined
        for k in PROBE_EXPONENTS
        for j in (1, 2)
    )


def _domain_around(program: Program, point: Mapping[str, float], var: str) -> bool:
    """Whether f's domain goes on to both sides of the point along ``var``: on each,
    f has a value at 2**-64 and 2**-1024 (_defined_beside) or at every step its
    differences use (_defined_at_steps). A hole at one of them is no edge: at
    2**-64 (2**-128*sqrt((x*2**64 + 1)**2 - 1/16)**2 at x = 0), or at the steps
    (sqrt(((x*2**256)**2 - 1/4)*((x*2**256)**2 - 16)) has none at 2**-256)."""
    return all(
        _defined_beside(program, point, var, side) or _defined_at_steps(program, point, var, side)
        for side in (-1, +1)
    )


def _finite_difference(
    f: Program, point: Mapping[str, float], var: str, side: int, order: int
) -> Any:
    """The one-sided ``order``-th derivative of f from its values on one side only:
    the limit of sum_j (-1)**(order - j) C(order, j) f(p + (j + 1)h) / h**order."""
    differences = _refined_differences(_side_quotient(f, point, var, side, order), order)
    limit: Any = _settle(differences, exact=True, offset=_offset(point, var))
    return limit


def _side_quotient(
    f: Program, point: Mapping[str, float], var: str, side: int, order: int
) -> Callable[[int, int], tuple[Any, int]]:
    """``quotient(k, precision)``: f's one-sided difference quotient of this order
    at step 2**-k from f's values on that side only, and the most bits a value
    took; None where a value is undefined."""
    from math import comb

    m = gmpy2()

    def quotient(k: int, precision: int) -> tuple[Any, int]:
        h = _step(point, var, side, k)
        total = m.mpfr(0)
        used = precision
        with m.context(m.get_context(), precision=precision):
            for j in range(order + 1):
                outcome = _beside_value(
                    f, _beside(point, var, (j + 1) * h), precision, exact_sums=True
                )
                if outcome.value is None:
                    return None, used
                used = max(used, outcome.precision)
                total += (-1) ** (order - j) * comb(order, j) * outcome.value
            return total / h**order, used

    return quotient


def _refined_differences(
    quotient: Callable[[int, int], tuple[Any, int]], bits_per_k: int
) -> Callable[[Sequence[int]], list[Any]]:
    """The sequence of difference quotients at steps 2**-k, each ``quotient(k,
    precision)`` (a value and the most bits a value in it took) taken first with
    ``bits_per_k * k`` bits and a guard, then again with twice the bits, until
    two agree: rounding that the values' own checks do not see (acosh(cosh(z))
    beside 1e-300 loses all but 55 of 2,048 bits, and its differences at 2**-64
    are all rounding) shows as a change."""
    m = gmpy2()

    def differences(exponents: Sequence[int]) -> list[Any]:
        found: list[Any] = []
        for k in exponents:
            value, used = quotient(k, bits_per_k * k + PROBE_GUARD_BITS)
            compared = False
            while value is not None:
                if used >= EDGE_PRECISION:
                    if compared:
                        # still all rounding at 32,768 bits: the difference is
                        # below the rounding of its terms (the second difference
                        # of 2z computed as z + acosh(cosh(z)) beside 1e-300)
                        value = m.mpfr(0)
                    break  # (values that took 32,768 bits at once are kept)
                finer, used = quotient(k, 2 * used)
                compared = True
                if finer is None or agree_to_64_bits(value, finer):
                    value = finer
                    break
                value = finer
            found.append(value)
        return found

    return differences


def _mixed_difference(
    f: Program, point: Mapping[str, float], inner: str, var: str, side: int, inner_side: int
) -> Any:
    """The one-sided derivative along ``var`` of f's one-sided derivative along
    ``inner`` (``inner_side``), from f's own values: the limit of
    (D(p + 2h) - D(p + h))/h, D(q) = (f(q + 2a) - f(q + a))/a, with the inner
    step a = h**2 far below h (its error, O(a), is O(h) over h). For a mixed
    partial whose order-1 closed form has no value on a whole line through the
    point: d/dx of sinc(x)*y is y*(cos(pi*x) - sinc(x))/x, 0/0 all along x = 0,
    though d/dx is 0 there and d2/dxdy too."""
    differences = _refined_differences(_mixed_quotient(f, point, inner, var, side, inner_side), 3)
    limit: Any = _settle(differences, exact=True, offset=_offset(point, var))
    return limit


def _mixed_quotient(
    f: Program, point: Mapping[str, float], inner: str, var: str, side: int, inner_side: int
) -> Callable[[int, int], tuple[Any, int]]:
    """``quotient(k, precision)``: _mixed_difference's quotient at step 2**-k
    along ``var`` (the inner step 2**-2k), and the most bits a value took;
    None where a value is undefined."""
    m = gmpy2()
    inner_offset = _offset(point, inner)

    def quotient(k: int, precision: int) -> tuple[Any, int]:
        h = _step(point, var, side, k)
        a = _step(point, inner, inner_side, 2 * k + inner_offset)
        used = precision
        slopes = []
        with m.context(m.get_context(), precision=precision):
            for j in (1, 2):
                moved = _beside(point, var, j * h)
                values = []
                for i in (1, 2):
                    outcome = _beside_value(
                        f, _beside(moved, inner, i * a), precision, exact_sums=True
                    )
                    if outcome.value is None:
                        return None, used
                    used = max(used, outcome.precision)
                    values.append(outcome.value)
                slopes.append((values[1] - values[0]) / a)
            return (slopes[1] - slopes[0]) / h, used

    return quotient


def _mixed_sides(f: Program, point: Mapping[str, float], inner: str, var: str) -> tuple[Any, Any]:
    """The left and right derivatives along ``var`` of f's derivative along
    ``inner`` (see _mixed_difference); a side is None unless the inner
    derivative's two sides give one value there."""

    def side(s: int) -> Any:
        below = _mixed_difference(f, point, inner, var, s, -1)
        above = _mixed_difference(f, point, inner, var, s, +1)
        return above if _one_derivative(below, above) else None

    return side(-1), side(+1)


def _finite(side: Any) -> bool:
    """A one-sided derivative is a finite number (an mpfr may be past float64)."""
    if isinstance(side, float):
        return math.isfinite(side)
    return bool(gmpy2().is_finite(side))


def _sides_meet(a: Any, b: Any) -> bool:
    """Two one-sided derivatives are equal: exactly (to 2**-100) where either is an
    MPFR limit, as floats where both are floats (0 from geometric shrinking).

    A float beside an MPFR limit is compared exactly too: the left derivative of
    exp(-x)*(1 + abs(x - 1000)) at 1000 is -2*exp(-1000), about -1e-434, and
    the right one shrinks to 0; as floats both are 0, and the kink was taken
    for a smooth point.
    """
    if isinstance(a, float) and isinstance(b, float):
        return _close(a, b)
    m = gmpy2()
    return _same_limit(
        m.mpfr(a) if isinstance(a, float) else a, m.mpfr(b) if isinstance(b, float) else b
    )


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=LIMIT_RTOL, abs_tol=0.0) or a == b


def _beside(point: Mapping[str, float], var: str, offset: Any) -> dict[str, Any]:
    """The point moved by ``offset`` along ``var``, exactly."""
    m = gmpy2()
    moved: dict[str, Any] = dict(point)
    with m.context(m.get_context(), precision=MAX_PRECISION + 128):
        x = m.mpfr(point[var])
    # every bit of both: a step of 2**-65536 of a float's 53 needs 65,589
    bits = m.get_exp(x) - m.get_exp(offset) + 128 if x and offset else 0
    with m.context(m.get_context(), precision=max(MAX_PRECISION + 128, bits)):
        moved[var] = x + offset
    return moved


def _scale(point: Mapping[str, float], var: str) -> Any:
    """The size steps along ``var`` are relative to: |coordinate|, or 1 at 0."""
    m = gmpy2()
    x = point[var]
    return m.mpfr(abs(x) if x != 0 else 1.0)


def _step(point: Mapping[str, float], var: str, side: int, k: int) -> Any:
    """side * 2**-k, relative to the coordinate (or to 1 at 0)."""
    m = gmpy2()
    return m.mul_2exp(_scale(point, var), -k) * side


def _offset(point: Mapping[str, float], var: str) -> int:
    """How much further down the probe exponents start along ``var``: past 2**53
    every float is a whole number, and steps relative to the coordinate are
    larger than 1 (2**-64 of 1e300 is 5e280), so frac(z) or sin(z) at -1e300 would
    be probed a period or more away; there the steps start below 1 instead."""
    x = abs(point[var])
    return math.frexp(x)[1] if x >= 2.0**53 else 0


def _settle(
    sequence_at: Callable[[Sequence[int]], list[Any]], exact: bool = False, offset: int = 0
) -> Any:
    """The limit of a sequence at the steps PROBE_EXPONENTS (moved down by
    ``offset``), taken further (up to 2**-4096) while the last values still move. A
    float (see _limit), or with ``exact`` the last value itself (an mpfr) when the
    sequence converged. A limit is about h -> 0, so a value missing at a step is
    taken at the next finer ones (_finer_value), and a side with no value at the
    probes' steps but one at 2**-4096 begins nearer the point than they do: it is
    read at the finer steps 2**-2048, ... (x*abs(x) + sqrt(x + 1e-80) at 0 has
    no value at -2**-256, one from -2**-266 on, and its left derivative read as
    missing, an edge; its domain is x >= -1e-80). None only where the sequence
    has no value at 2**-4096 either (one look there: an edge's side is costly
    that deep, lgamma(z)**(1/3)'s right of 1 at 4,200 bits takes a second)."""

    def past_holes(exponents: Sequence[int], taken: Sequence[Any]) -> list[Any]:
        return [
            _finer_value(sequence_at, k, first=1) if value is None else value
            for k, value in zip(exponents, taken, strict=True)
        ]

    def sequence_past_holes(exponents: Sequence[int]) -> list[Any]:
        return past_holes(exponents, sequence_at(exponents))

    probes = [k + offset for k in PROBE_EXPONENTS]
    values = sequence_at(probes)
    limit = _limit(values)
    exponent = PROBE_EXPONENTS[-1]
    if limit is None and sequence_at([EXISTS_EXPONENT + offset])[0] is not None:
        values = past_holes(probes, values)
        limit = _limit(values)
        while limit is None and exponent < DEEPEST_START_EXPONENT:
            exponent *= 2
            values = [*values, *sequence_past_holes([exponent + offset])]
            limit = _limit(values)
    while (
        exponent < MAX_PROBE_EXPONENT
        and limit is not None
        and (
            math.isnan(limit)
            or (limit == 0 and values[-1] != 0 and not _converged(values))
            or math.isinf(limit)
        )
    ):
        # still moving; or shrinking, which may stop at a tiny nonzero slope:
        # relu(x)*1e-200 + x**2 beside 0 gives 3h + 1e-200, 0 only down to 2**-664.
        # A sequence already settled on a value below float64 (0.25**x's slope
        # at x = 11800 is 1e-7105) is not shrinking: its limit is that value.
        # Growth is confirmed down to the last step: sinc((1 + 1e300)*x)'s
        # quotients beside 0 grow from 1e-400 to 1e292 while (1 + 1e300)*h is
        # still huge, then shrink to 0 once it is small (at 2**-2048); those of
        # sinc(1e440*x) grow to 1e264 at 2**-2048 and are 1e-352 at 2**-4096
        exponent *= 2
        values = [*values, *sequence_past_holes([exponent + offset])]
        limit = _limit(values)
    shrinking_slower = (
        limit == 0 and values[-1] != 0 and not _converged(values) and not _accelerating(values)
    )
    # growing, but by less at the last step than at the one before, as h**-p
    # never does: the right quotients of x*abs(x) + sqrt(x + 2**-2048) at 0 grow
    # as sqrt(x)'s until 2**-2048, then settle on 2**1023 (1.57 times the one
    # at 2**-2048, which was 2**511 times the one at 2**-1024)
    growing_slower = (
        limit is not None
        and math.isinf(limit)
        and abs(values[-1]) * abs(values[-3]) < values[-2] ** 2
    )
    if (
        shrinking_slower
        or growing_slower
        or (limit is not None and math.isnan(limit) and _settling(values))
    ):
        # Shrinking, but less at the last step than at the one before, as a
        # slope of h**p never does: 1e290*sinc(1e300*x) + x beside 0 gives
        # -3e582, -1.5e274, then 1 at 2**-4096 (1e300*h small at last), which
        # is its limit, not a 0 it shrinks to. Or not yet the same to 60 bits,
        # but the last step moved far less than the one before: sinc(1e300*x)
        # + x beside 0 gives -5e291 at 2**-1024, then 1 - 1.7e-17 at 2**-2048
        # and 1 - 1e-1250 at 2**-4096. One more step tells
        exponent *= 2
        values = [*values, *sequence_past_holes([exponent + offset])]
        limit = _limit(values)
    if exact and limit is not None and not math.isnan(limit) and _converged(values):
        return values[-1]  # finite, even where float64 says +-inf (2**-1e7 away)
    return limit


def _finer_value(sequence_at: Callable[[Sequence[int]], list[Any]], k: int, first: int = 0) -> Any:
    """The sequence's value at the first of the steps 2**-(k + first), ...,
    2**-(k + GAP_STEP_TRIES - 1) where it has one, or None: a step of a limit is a free
    choice (_measured), and a hole in the domain on one is no edge (x*abs(x) +
    0*log(abs(x + 2**-2048)) has none at -2**-2048 only; its left quotients,
    followed there as they shrink, read as missing, and 0 as an edge)."""
    for finer in range(k + first, k + GAP_STEP_TRIES):
        (value,) = sequence_at([finer])
        if value is not None:
            return value
    return None


def _accelerating(values: Sequence[Any]) -> bool:
    """The last three values shrink by at least as much at the last step as at the
    one before (a power of h does, by the square, at steps whose exponents double)."""
    a, b, c = (abs(v) for v in values[-3:])
    return bool(c == 0 or (b and a / b <= b / c))


def _settling(values: Sequence[Any]) -> bool:
    """The last three values are finite and the last step moved them by less than
    2**-SETTLING_BITS of the step before (an oscillation moves them alike)."""
    a, b, c = values[-3:]
    if any(v is None or not _finite(v) for v in (a, b, c)):
        return False
    m = gmpy2()
    return bool(abs(c - b) <= abs(b - a) * m.mul_2exp(m.mpfr(1), -SETTLING_BITS))


# How much smaller the last move of a sequence must be than the one before for
# _settle to take one more step past MAX_PROBE_EXPONENT.
SETTLING_BITS = 32
MAX_PROBE_EXPONENT = 4096
# A side whose sequence has a value at 2**-EXISTS_EXPONENT (relative) exists,
# however many coarser steps have none (_settle); it is read at steps down to
# 2**-DEEPEST_START_EXPONENT, so one that begins 2**-4096 or more from the
# point (an edge or hole there) has three steps past its beginning.
EXISTS_EXPONENT = MAX_PROBE_EXPONENT
DEEPEST_START_EXPONENT = 4 * MAX_PROBE_EXPONENT
# Where _zero_along looks at a kink's argument along a line (relative steps):
# two shallow ones, and the steps the one-sided quotients are taken at
# (2**-256 to 2**-4096), since the closed form is read at those.
ZERO_ALONG_EXPONENTS = (32, 64, *PROBE_EXPONENTS, MAX_PROBE_EXPONENT)
# Bits of precision tried beyond those a difference quotient at 2**-k cancels,
# when its value is within rounding of 0: a slope of 1e-300 beside values of 1
# needs about 1,000 more than a slope of 1.
GUARD_STEPS = (PROBE_GUARD_BITS, 640, 1280)
# Bits a difference quotient must have above its rounding to be taken at a
# guard step: sides are compared to 2**-100 (_same_limit), with a margin.
QUOTIENT_BITS = 104


# The steps a side that shrinks is followed to where the other side has a tiny
# limit (_tiny_limit_beside_zero).
DEEP_SIDE_EXPONENTS = (16384, 32768, 65536)


def _tiny_limit_beside_zero(
    g: Program, point: Mapping[str, float], var: str, f: Program, left: Any, right: Any
) -> tuple[Any, Any, str]:
    """The two one-sided derivatives again where one was read as 0 because its
    quotients shrank (a float 0.0, not a converged value) and the other is an
    exact nonzero limit c below float64's range (it shows as 0 too), which the
    shrinking ones may not have fallen below by the last step taken (2**-4096):
    they may be shrinking to c, not to 0.
    relu(x - 11800)**3 - 0.25**x at 11800 has the left slope c = ln(4)*4**-11800
    (6.8e-7105) and the right quotients c + 3h**2, still 1e-2458 at h =
    11800*2**-4096, so the right side read 0 and a kink was reported where f'
    is continuous. The shrinking side is then taken at 2**-16384: the same as c
    to 60 bits, it is c; below c by 60 bits, 0 stands; else it is taken at
    2**-32768 and 2**-65536 too, where two readings the same to 60 bits are
    its own tiny limit; failing those the sides are given with a phrase saying
    why it cannot be told (relu(x)**2 + exp(-70000)*relu(-x) at 0 is a kink,
    but its right quotients, about 3h, are still above exp(-70000) there).
    Not at 2**-4096 itself: 2**100*relu(x)**2 - 3*2**-3996*x at 0 has the
    right quotients c + 3*2**100*h, exactly 0 there, and c below it (a
    differentiable f read as a kink). The sides unchanged, and no phrase,
    where the case does not arise."""
    if not (_finite(left) and _finite(right)):
        return left, right, ""
    for shrunk, side, limit in ((left, -1, right), (right, +1, left)):
        if not _shrunk(shrunk):
            continue
        if isinstance(limit, float) or not limit or float(limit) != 0.0:
            # two floats, a converged 0, or a limit float64 holds (2**-1074 or
            # more): quotients that shrink like h**p with p >= 0.28 are below
            # 2**-60 of it at 2**-4096 (a slower power is a documented limit)
            continue
        offset = _offset(point, var)
        quotients = _Quotients(g, point, var, side, f)
        m = gmpy2()
        tiny = abs(limit) * m.mul_2exp(m.mpfr(1), -SETTLED_BITS)
        previous = None
        for k in DEEP_SIDE_EXPONENTS:
            (deep,) = quotients([k + offset])
            if deep is None or abs(deep) <= tiny:
                return left, right, ""  # it fell below c: its limit is 0 (or it is undefined)
            if _within(deep, limit, SETTLED_BITS) or (
                previous is not None and _within(deep, previous, SETTLED_BITS)
            ):
                # it is c; or it settled on a tiny limit of its own (a kink
                # whose sides are both below float64's range)
                return (deep, right, "") if side < 0 else (left, deep, "")
            previous = deep
        names = ("left", "right") if side < 0 else ("right", "left")
        return (
            left,
            right,
            f"the {names[0]} derivative's quotients shrink towards 0 but are still larger than the "
            f"{names[1]} derivative ({_size_text(limit)}) at steps of 2**-{k}, so whether the "
            "two meet cannot be told",
        )
    return left, right, ""


def _shrunk(side: Any) -> bool:
    """A one-sided derivative read as 0 because its quotients shrank (_limit's
    float 0.0), not one they converged on."""
    return isinstance(side, float) and side == 0.0


def _one_sided(g: Program, point: Mapping[str, float], var: str, side: int, f: Program) -> Any:
    """The one-sided derivative of ``g`` at the point along ``var`` (the exact limit,
    an mpfr, where the quotients converged; else a float: 0, +-inf or nan); None where g,
    or f itself, is undefined on that side (sqrt(1.5 - y)**2's closed forms are
    -1 and 0 everywhere, but f does not exist right of 1.5).

    The limit of (g(p + 2h) - g(p + h)) / h as h -> 0 on one side: only points
    strictly on that side are used, so the value of the closed form *at* p,
    which may be a convention (heaviside(0) = 1/2 in a lower-order
    derivative), does not enter; f's own value at p is checked by the jump
    test. Both values are taken at the same precision, k + 128 bits at step
    2**-k, more when the quotient is within rounding of 0.
    """
    quotients = _Quotients(g, point, var, side, f)
    limit: Any = _settle(quotients, exact=True, offset=_offset(point, var))
    return limit


class _Quotients:
    """The one-sided difference quotients of _one_sided, by step exponent k (each
    taken once: the two sides' gaps reuse them)."""

    def __init__(
        self,
        g: Program,
        point: Mapping[str, Any],
        var: str,
        side: int,
        f: Program,
        guards: Sequence[int] = GUARD_STEPS,
    ) -> None:
        self.g, self.point, self.var, self.side, self.f = g, point, var, side, f
        self.guards = guards
        self.taken: dict[int, Any] = {}

    def __call__(self, exponents: Sequence[int]) -> list[Any]:
        for k in exponents:
            if k not in self.taken:
                self.taken[k] = self._at(k)
        return [self.taken[k] for k in exponents]

    def _at(self, k: int) -> Any:
        g, point, var, side, f = self.g, self.point, self.var, self.side, self.f
        m = gmpy2()
        accurate = m.mul_2exp(m.mpfr(1), QUOTIENT_BITS)
        h = _step(point, var, side, k)
        near, far = _beside(point, var, h), _beside(point, var, 2 * h)
        quotient: Any = None
        if g is not f and not _beside_value(f, near, k + PROBE_GUARD_BITS, exact_sums=True).defined:
            return None
        for guard in self.guards:
            precision = k + guard
            a = _beside_value(g, near, precision, exact_sums=True)
            b = _beside_value(g, far, precision, exact_sums=True)
            if a.value is None or b.value is None:
                break
            common = max(a.precision, b.precision)
            if a.precision < common:
                a = _beside_value(g, near, common, exact_sums=True)
            if b.precision < common:
                b = _beside_value(g, far, common, exact_sums=True)
            if a.value is None or b.value is None:
                # defined at its own precision, undefined at the other's: the more
                # precise evaluation stands (a failure still in doubt at the most
                # bits is "cancelled", which stops the examination above)
                quotient = None
                break
            with m.context(m.get_context(), precision=common):
                quotient = (b.value - a.value) / h
                # the values' rounding, over the step h = 2**-k * scale: relative
                # to the largest value met computing them, not to the values
                # themselves ((z**3)**(1/3) - z beside 0 is a cancelled 0 whose
                # rounding is z's size)
                noise = (
                    max(abs(a.value), abs(b.value), a.magnitudes[-1], b.magnitudes[-1])
                    * m.mul_2exp(m.mpfr(1), k + 4 - common)
                    / _scale(point, var)
                )
            if abs(quotient) > noise * accurate:
                break
            if abs(quotient) <= noise:
                quotient = m.mpfr(0)  # within rounding of 0 (at every precision tried)
            # else above its rounding, but with too few bits for two sides to be
            # compared to 2**-100: a slope far below f's size (d/dx of (x*y)**y
            # at y = 2**-64 is 5e-20 beside values of 1) needs more precision
        if quotient == 0 and guard == self.guards[-1]:
            quotient = self._past_magnitudes(k, quotient)
        return quotient

    def _past_magnitudes(self, k: int, quotient: Any) -> Any:
        """A quotient within rounding of 0 only because g's values are far below
        what was met computing them, taken once more with the bits between the
        two added: off the line x = 0, d2/dx2 of sqrt(x**2)*sign(x)*(x + 1)*y is
        y*(-(x + 1)/x + 2 + (x + 1)/x), terms of 2**8192 at x = 2**-8192 that
        cancel to 2*y, so its slope along y, 2, was below 1,280 guard bits'
        rounding and read as 0 (a user review). None where it is still not
        resolved there: no reading, rather than a false 0."""
        g, point, var, side = self.g, self.point, self.var, self.side
        m = gmpy2()
        h = _step(point, var, side, k)
        near, far = _beside(point, var, h), _beside(point, var, 2 * h)
        precision = k + self.guards[-1]
        a = _beside_value(g, near, precision, exact_sums=True)
        b = _beside_value(g, far, precision, exact_sums=True)
        if a.value is None or b.value is None:
            return quotient
        largest = max(a.magnitudes[-1], b.magnitudes[-1])
        size = max(abs(a.value), abs(b.value))
        if not largest or not size:
            return quotient  # exactly 0 values: a real 0
        extra = int(m.get_exp(largest)) - int(m.get_exp(size))
        if extra <= QUOTIENT_BITS:
            return quotient  # the values are not far below: a real 0 within rounding
        precision = max(a.precision, b.precision) + extra
        if precision > EDGE_PRECISION:
            return quotient
        a = _beside_value(g, near, precision, exact_sums=True)
        b = _beside_value(g, far, precision, exact_sums=True)
        if a.value is None or b.value is None:
            return None
        common = max(a.precision, b.precision)
        with m.context(m.get_context(), precision=common):
            finer = (b.value - a.value) / h
            noise = (
                max(abs(a.value), abs(b.value), a.magnitudes[-1], b.magnitudes[-1])
                * m.mul_2exp(m.mpfr(1), k + 4 - common)
                / _scale(point, var)
            )
        return finer if abs(finer) > noise else quotient


def _side_limit(
    program: Program,
    point: Mapping[str, float],
    var: str,
    side: int,
    exact: bool = False,
    *,
    past_holes: bool = False,
) -> Any:
    """The limit of the program's value at the point from one side along ``var``
    (with ``exact``, as an mpfr when the values converge). With ``past_holes``
    (f's own limits), a value undefined at a step where f has one at another
    step on that side is a hole in f's domain, not an edge: it is taken at the
    next finer steps instead (_past_hole). y + 2**-200*(1 - sign(y)**2) +
    0*log(abs(y + 2**-2048)) has none at -2**-2048 only, the left limit came
    out None, and f's jump at 0 was read as none (open since stop 36)."""
    coarsest = math.inf  # the coarsest step on this side where f has a value

    def values(exponents: Sequence[int]) -> list[Any]:
        # only past a value at a coarser step: where the first steps have none
        # and finer ones do, f's domain (or a hole) stops short of them, not of
        # the point, and _settle reads the side at the finer steps
        nonlocal coarsest
        taken = []
        for k in exponents:
            value = _side_value(program, point, var, side, k)
            if value is None and past_holes and coarsest < k:
                value = _past_hole(program, point, var, side, k)
            if value is not None:
                coarsest = min(coarsest, k)
            taken.append(value)
        return taken

    return _settle(values, exact, _offset(point, var))


class _LimitUnmeasured(Exception):  # noqa: N818 - a signal inside the analysis
    """f's one-sided limit could not be read: f has no value at any of the steps
    tried in place of one, yet has one further down (_past_hole). Not "no
    limit", which reads as no jump: the point is undecided, as for a gap
    (_GapUnmeasured)."""

    def __init__(self, k: int) -> None:
        super().__init__(
            f"f has no value at each step from 2**-{k} to 2**-{k + GAP_STEP_TRIES - 1} "
            f"beside the point, though it has at 2**-{2 * k}, so a jump of f there "
            "cannot be ruled out",
        )


def _past_hole(program: Program, point: Mapping[str, Any], var: str, side: int, k: int) -> Any:
    """f's value beside the point at the first of the steps 2**-(k + 1), ...,
    2**-(k + GAP_STEP_TRIES - 1) where it has one, in place of the one at 2**-k,
    where it has none: a step of a limit is a free choice, as a gap's is
    (_measured). None where f has no value further down, at 2**-(2k), either:
    f's domain may stop short of the point on that side (an edge;
    sqrt(y*(y + 2**-300)) has a value at -2**-256 and none from -2**-300 to 0).
    _LimitUnmeasured where it has one there: holes on every step tried leave
    the limit, and so a jump, unknown."""
    for finer in range(k + 1, k + GAP_STEP_TRIES):
        value = _side_value(program, point, var, side, finer)
        if value is not None:
            return value
    if _side_value(program, point, var, side, 2 * k) is None:
        return None
    raise _LimitUnmeasured(k)


def _side_value(program: Program, point: Mapping[str, Any], var: str, side: int, k: int) -> Any:
    """The program's value at 2**-k (relative) beside the point along ``var``, with
    k + 64 bits; 0 where it is within its own rounding of 0 at every precision
    tried: the second derivative of cbrt(x**3) (that is, of x) is a sum of terms
    of size 1/x that cancel, and their residue, 2**-24640/h, grew as the steps
    shrank and read as a jump from -inf to inf."""
    outcome = _beside_value(
        program, _beside(point, var, _step(point, var, side, k)), k + 64, exact_sums=True
    )
    if outcome.value is not None and outcome.is_zero(len(outcome.values) - 1):
        return gmpy2().mpfr(0)
    return outcome.value


# One-sided limits settle once two quotients agree to this many bits (_converged).
SETTLED_BITS = 60


def _within(a: Any, b: Any, bits: int) -> bool:
    """a and b equal to ``bits`` bits, relative to the larger."""
    m = gmpy2()
    return bool(abs(a - b) <= max(abs(a), abs(b)) * m.mul_2exp(m.mpfr(1), -bits))


def _converged(sequence: list[Any]) -> bool:
    b, c = sequence[-2:]
    return b is not None and c is not None and _within(b, c, SETTLED_BITS)


def _limit(sequence: list[Any]) -> float | None:
    """The limit of a sequence taken at ever smaller steps (the last three decide).

    None when the last values are undefined (nothing on that side); the last
    value when the last two agree to 60 bits; 0 when the values shrink
    geometrically; +-inf when they grow steadily with one sign; nan otherwise.
    """
    a, b, c = sequence[-3:]
    if a is None or b is None or c is None:
        return None
    m = gmpy2()
    if abs(c - b) <= max(abs(b), abs(c)) * m.mul_2exp(m.mpfr(1), -60):
        return float(c) + 0.0  # no -0.0
    if abs(c) * 256 <= abs(b) and abs(b) * 256 <= abs(a):
        return 0.0
    # growing needs three nonzero values: 0, 0, -8.7e-603 (a slope first seen
    # at the smallest step) is no growth, though its signs compare "equal"
    if abs(c) >= 1.5 * abs(b) >= 2.25 * abs(a) > 0 and (a > 0) == (b > 0) == (c > 0):
        return math.inf if c > 0 else -math.inf
    return math.nan


def _edge_jump(f: Program, point: Mapping[str, float], var: str, side: int) -> str:
    """At an edge of f's domain (f defined on one side only, ``side``), a jump of
    f to that side's limit, described; or ''. x**y at (0, 0) along y: 0**0 is
    1, 0**h is 0 for h > 0, so the right quotients go to -inf, not to the 0 that
    the quotients beside the point (which leave f's value out) show."""
    # not exact_sums, as in _jump: that rounds 1 + exp(-14000) at MAX_PRECISION
    # and reads f as 0 at the point, and a jump of 3.3e-1738 at the edge of
    # sqrt's domain went unseen (a helper's find, stop 35)
    here = _valued(_value_here(f, point, exact_sums=False), here=True)
    limit = _side_limit(f, point, var, side, exact=True, past_holes=True)
    if here.value is None or limit is None or (isinstance(limit, float) and math.isnan(limit)):
        return ""
    value = gmpy2().mpfr(0) if here.is_zero(len(here.values) - 1) else here.value
    if value and _shrunk(limit):
        # a side that shrank to 0 through 2**-4096 beside a value that is not 0
        # may shrink to that value further down, as _continuous_at's sides do:
        # sqrt(x)**3 + exp(-4900) at 0 is right-continuous, but its right limit
        # read 0 beside the value 9.06e-2129, and a jump was reported
        if not _deep_jump(f, point, var, (side,)):
            return ""
    elif _sides_meet(limit, value):
        return ""
    below, above = (
        ("undefined", _size_text(limit)) if side > 0 else (_size_text(limit), "undefined")
    )
    return (
        f"the function being differentiated jumps at {var}={point[var]:g} (left limit {below}, "
        f"value {_size_text(value)}, right limit {above})"
    )


def _jump(derivative: _Derivative, point: Mapping[str, float]) -> str:
    """A description of a jump of f or of a lower derivative here, or ''.

    f jumps where its value differs from a side's limit (heaviside(x**2) at 0
    is 1/2 between limits of 1: f as written is not continuous). A lower-order
    derivative jumps only where its two sides differ: its closed form's value
    at a kink is a convention (heaviside(0) = 1/2), not the derivative. The
    comparison is exact, so a jump of 1/2 on top of 1e20 is still a jump.
    """

    def own(order: int) -> str:
        return derivative.wrt[order - 1]

    for order in derivative.steps.lower_orders():
        program = derivative.program(order)
        # not exact_sums: that goes straight to MAX_PRECISION for a sum that
        # needs more (1 + exp(-14000)), rounds it, and reads f as 0 at the point;
        # refining by doubling goes past the cap and keeps it (a helper's find)
        here = _valued(_value_here(program, point, exact_sums=False), here=True)
        # The derivative of order k is taken along wrt[k - 1], and the next one
        # along wrt[k]: a jump along either stops the derivative asked for (the
        # first means order k itself does not exist: d/dx (abs(x)*y) is
        # sign(x)*y, which jumps along x at x = 0). A jump along another
        # variable does not: heaviside(2*z - 1) - x jumps along z at z = 1/2,
        # yet d/dx is -1 all around, and d/dz of that is 0.
        for name in dict.fromkeys(derivative.wrt[max(0, order - 1) : order + 1]):
            below, above = _side_limits(derivative, point, order, name)
            by_differences = (
                (below is None or above is None)
                and order > 0
                and set(derivative.wrt[:order]) == {name}
            )
            if by_differences:
                # the closed form of this order has no value on a side (0/0 all
                # along it: d/dx of (relu(x)**3)**(1/3), which is relu(x), is
                # heaviside(x)*relu(x)**2/(relu(x)**3)**(2/3), 0/0 left of 0):
                # that side's limit from f's own differences on that side
                below, above = (
                    _finite_difference(derivative.program(0), point, name, side, order)
                    if limit is None
                    else limit
                    for side, limit in ((-1, below), (+1, above))
                )
            if below is None or above is None:
                continue
            # where order k is a pure derivative along another variable, its value
            # here is f's own (not its closed form's convention): d/dz of
            # sign(cos(x) - 1)/z is 0 at x = 0 (f is 0 there for every z) and
            # 1/z**2 beside it, so it jumps along x
            true_here = (
                _true_lower(derivative, point, order) if order > 0 and name != own(order) else None
            )
            value_here = here.value if order == 0 else true_here
            if order == 0 and value_here is not None and here.is_zero(len(here.values) - 1):
                # f within its own rounding of 0 is 0: the residue that decimal
                # constants leave (x*200.1*200.3 - 100205085.00375 at 2500.125
                # is 1e-7390 at 24,576 bits) is no value beside limits of 0
                value_here = gmpy2().mpfr(0)
            if order and _joined_slowly(derivative, point, order, name, below, above):
                continue
            tiny = ""
            # a side that shrinks to 0 (a float 0) beside one whose exact limit is
            # tiny (relu(x - 11800)**3 - 0.25**x at 11800: 4**-11800 on the left,
            # h**3 swamping it on the right) meets f's value only further down
            shrinking = _same_limit(below, above) and any(
                isinstance(v, float) and v == 0 for v in (below, above)
            )
            if order == 0 and shrinking and value_here:
                # both sides shrink to 0 through steps of 2**-4096 (f = x + e**-4900
                # at x = 0: values of h + 9e-2129): a jump below the steps' size
                # (x + sign(x)*e**-2000), or a value below them, shows further down
                tiny = _deep_jump(program, point, name)
                if not tiny:
                    continue
            elif _same_limit(below, above) and (
                value_here is None or _sides_meet(above, value_here)
            ):
                # the sides read off a kink line (_off_line) met: the closed form
                # at the point's sides is the line's convention on one side at
                # least, no jump of the derivative (d/dx of abs(u)*sign(u)*e**y, u
                # = x + relu(y - 1), is 0 along y for y <= 1 at x = 0, e**y beside)
                if order and _misleading_line(derivative, point, order, name):
                    continue
                tiny = (
                    # the closed form has no value on a side to take gaps from:
                    # f's own quotients on both sides instead (f' of y +
                    # 2**-200*(relu(y)**3)**(1/3) is 0/0 left of 0, and jumps
                    # there by 2**-200)
                    _tiny_jump_of(
                        functools.partial(_quotients_gap, derivative.program(0), point, name, order)
                    )
                    if by_differences
                    else _tiny_jump(program, point, name, with_value=order == 0)
                )
                if not tiny:
                    continue
            what = (
                "the function being differentiated"
                if order == 0
                else (f"the derivative of order {order}")
            )
            shown = here.value if value_here is None else value_here
            unsettled = any(isinstance(v, float) and math.isnan(v) for v in (below, above))
            # a side whose values still move at 2**-4096 is no jump: abs(x)**(1/2048)
            # is continuous at 0, but h**(1/2048) is still 1/4 there
            happens = "has no one-sided limit that settles" if unsettled else "jumps"
            text = (
                f"{what} {happens} at {name}={point[name]:g} (left limit {_size_text(below)}, "
                f"value {_size_text(shown)}, right limit {_size_text(above)}"
            )
            if unsettled:
                text += "; its values oscillate, or converge too slowly to tell"
            elif tiny:
                text += f"; {tiny}"
            elif len({_size_text(v) for v in (below, above, here.value)}) == 1:
                # 1e20 - heaviside(cos(x) - 1): the jump is below float64's resolution
                gap = above - here.value if _same_limit(below, above) else above - below
                text += f"; it jumps by {_size_text(gap)}"
            return text + ")"
    return ""


def _side_limits(
    derivative: _Derivative, point: Mapping[str, float], order: int, name: str
) -> tuple[Any, Any]:
    """The limits of the derivative of this order at the point along ``name`` from
    both sides; read off a kink line its closed form stays on (_off_line)."""
    program = derivative.program(order)
    return _both_sides(
        derivative,
        point,
        order,
        name,
        # f's own limits read past a hole in its domain (_past_hole); a lower
        # derivative's are left as they were
        lambda base, side: _side_limit(
            program, base, name, side, exact=True, past_holes=order == 0
        ),
    )


def _true_lower(derivative: _Derivative, point: Mapping[str, float], order: int) -> Any:
    """The derivative of this order at the point from f's own differences, where its
    variables so far are all one (a pure derivative), or two at order 2 (a mixed
    one: the value of d2/dxdy of x*y*sign(abs(x) - abs(y)) at (0, 0) is -1, its
    limit along x is 1, so d3/dxdydx does not exist there), and it exists; else
    None. The differences decide where f has a value, as in _exists_by_differences."""
    prefix = derivative.wrt[:order]
    f_program = derivative.program(0)
    if order == 2 and prefix[0] != prefix[1]:
        left, right = _mixed_sides(f_program, point, prefix[0], prefix[1])
        return right if _one_derivative(left, right) else None
    if len(set(prefix)) != 1:
        return None
    var = prefix[0]
    left = _finite_difference(f_program, point, var, -1, order)
    right = _finite_difference(f_program, point, var, +1, order)
    return right if _one_derivative(left, right) else None


# Steps of 2**-k (relative) at which a jump too small for the side limits to
# show (below 2**-100 of the values) is looked for.
TINY_JUMP_EXPONENTS = (2048, 4096)


def _gap(
    program: Program,
    point: Mapping[str, float],
    name: str,
    k: int,
    *,
    with_value: bool,
    sides: Sequence[int] = (-1, +1),
) -> Any:
    """The gap at step 2**-k along ``name``: from the value at the point to the
    farther of the values beside it on ``sides`` (``with_value``; one side at an
    edge of f's domain), else between the two sides; None where a value is
    undefined. A gap that changes when the values
    are taken with twice the bits is rounding: 0 (the two sides of d/dz
    acosh(cosh(z)) beside 1e-300 are both 1, each after 17,000 bits of
    cancellation that leave a different last bit)."""
    m = gmpy2()

    def gap_at(precision: int) -> tuple[Any, int]:
        beside = [_beside(point, name, _step(point, name, side, k)) for side in sides]
        try:
            outcomes = [_beside_value(program, p, precision, exact_sums=True) for p in beside]
            if with_value:
                outcomes.append(_valued(exact_value(program, point, precision)))
        except _BesideOutOfRange as lost:
            if lost.undefined.kind != "cancelled" or precision > MAX_PRECISION:
                raise
            # left to rounding at the cap: cos(z) - 1 at 2**-8192 is -2**-16385,
            # and 16,384 bits round cos to 1 (a blind step): twice the bits
            return gap_at(2 * max(precision, MAX_PRECISION))
        values = [o.value for o in outcomes]
        used = max(o.precision for o in outcomes)
        if any(v is None for v in values):
            return None, used
        with m.context(m.get_context(), precision=used):
            if not with_value:
                return abs(values[1] - values[0]), used
            return max(abs(value - values[-1]) for value in values[:-1]), used

    return _kept_gap(gap_at, k + PROBE_GUARD_BITS)


def _quotients_gap(f: Program, point: Mapping[str, float], name: str, order: int, k: int) -> Any:
    """The gap at step 2**-k along ``name`` between f's one-sided difference
    quotients of this order (_side_quotient) on the two sides; None where a value
    is undefined. For a derivative whose closed form has no value on a side: the
    gap between its closed form's values there cannot be taken."""
    sides = [_side_quotient(f, point, name, side, order) for side in (-1, +1)]
    return _two_sides_gap(sides, k, order * k + PROBE_GUARD_BITS)


def _mixed_quotients_gap(
    f: Program, point: Mapping[str, float], inner: str, var: str, k: int
) -> Any:
    """As _quotients_gap, for f's mixed quotients (_mixed_quotient) along ``var``
    of its derivative along ``inner`` on the two sides of the point."""
    sides = [_mixed_quotient(f, point, inner, var, side, +1) for side in (-1, +1)]
    return _two_sides_gap(sides, k, 3 * k + PROBE_GUARD_BITS)


def _two_sides_gap(
    sides: Sequence[Callable[[int, int], tuple[Any, int]]], k: int, precision: int
) -> Any:
    """The kept gap (_kept_gap) between the left and right quotients ``sides``
    at step 2**-k, first taken with ``precision`` bits."""
    m = gmpy2()

    def gap_at(precision: int) -> tuple[Any, int]:
        (left, used_left), (right, used_right) = (q(k, precision) for q in sides)
        used = max(used_left, used_right)
        if left is None or right is None:
            return None, used
        with m.context(m.get_context(), precision=used):
            return abs(right - left), used

    return _kept_gap(gap_at, precision)


def _kept_gap(gap_at: Callable[[int], tuple[Any, int]], precision: int) -> Any:
    """``gap_at(precision)`` (a gap and the most bits a value in it took) where it
    holds with twice the bits; 0 where it is rounding; None where undefined, at
    the first precision or at the finer ones that would tell (not read as 0,
    which says there is no jump)."""
    m = gmpy2()
    gap, used = gap_at(precision)
    if gap:
        finer, more = gap_at(2 * used)
        if finer is None:
            return None
        if not abs(finer - gap) <= gap / 4:
            # changed with twice the bits: rounding, unless the finer gap holds
            # at twice as many again (z/2.5 + heaviside(cos(z) - 1) at 0, steps
            # of 2**-8192: 16,384 bits leave cos(z) - 1, -2**-16385, at 0, the
            # step on its kink, a gap of 4e-2467; 34,300 bits give the jump, 1/2)
            finest, _ = gap_at(2 * more) if finer else (m.mpfr(0), 0)
            if finest is None:
                return None
            gap = finer if abs(finest - finer) <= finer / 4 else m.mpfr(0)
    return gap


def _tiny_jump(program: Program, point: Mapping[str, float], name: str, *, with_value: bool) -> str:
    """A jump smaller than the limits' 2**-100 tolerance, or ''.

    Beside a continuous function's point the gap to it (to f's value; for a
    lower derivative, between the two sides) shrinks with the step, by about
    2**-2048 from a step of 2**-2048 to 2**-4096; a jump's gap stays. So a gap
    that does not shrink at least fourfold is a jump: logsumexp(y, trunc(x)) at
    x = -2, y = 710 jumps by 1.3e-309 on top of 710.
    """
    return _tiny_jump_of(lambda k: _gap(program, point, name, k, with_value=with_value))


def _tiny_jump_of(gap_at_step: Callable[[int], Any]) -> str:
    """_tiny_jump's test on the gaps ``gap_at_step(k)`` at the steps
    TINY_JUMP_EXPONENTS, or where a gap is undefined there at the next finer
    steps (_measured: a hole in f's domain at a step is no answer)."""
    coarse, fine = (_measured(k, gap_at_step) for k in TINY_JUMP_EXPONENTS)
    if fine == 0 or fine * 4 <= coarse:
        return ""
    return f"it jumps by about {_size_text(fine)}, below the side limits' resolution"


# Steps of 2**-k (relative) at which f's values beside a point are compared
# with its value, where both sides shrink to 0 through the probes.
DEEP_JUMP_EXPONENTS = (4096, 8192, 16384, 32768)


def _deep_jump(
    program: Program, point: Mapping[str, float], name: str, sides: Sequence[int] = (-1, +1)
) -> str:
    """A jump of f below the steps' own size, or '': where both sides of f shrink to
    0 through steps of 2**-4096, f's gaps to its value are compared further down.
    A gap that stays (to a quarter) from one step to the next is a jump: x +
    heaviside(x)*e**-2000 at 0 has gaps of about h down to h = 2**-2885, then
    e**-2000/2. A gap that keeps shrinking is no jump: x + e**-4900 (f's value
    cancels in each gap, h at every step). Jumps below 2**-32768 (relative) are
    not looked for. Taken only where f's value is not 0 (a 0 beside sides that
    shrink to 0 is taken for continuous: looking deeper at every such kink, abs(x)
    at 0 among them, would cost seconds for erf's). A gap that needs f at a hole
    in its domain is taken at the next finer steps (_measured): both sides have
    limits here, so a value missing at a step is no edge, and read as "no jump"
    it hid f's jump of 2**-200 beside a hole at -2**-4096. Only on ``sides``: at
    an edge of f's domain, the one side it has (_edge_jump)."""
    previous = None
    for k in DEEP_JUMP_EXPONENTS:
        gap = _measured(
            k, functools.partial(_gap, program, point, name, with_value=True, sides=sides)
        )
        if gap == 0:
            return ""
        if previous is not None and abs(gap - previous) <= gap / 4:
            return f"it jumps by about {_size_text(gap)}, below the probes' steps"
        previous = gap
    return ""


EXACT_LIMIT_BITS = 384
# f's value at the point, beside its limits, agrees with one at twice the
# precision to this many bits: the limits are compared to 2**-100, and
# exact_value stops refining where two precisions agree to 64 bits.
HERE_BITS = 128


def _value_here(program: Program, point: Mapping[str, Any], *, exact_sums: bool) -> Exact:
    """The program's exact value at the point, for a comparison with its limits
    there to 2**-100: from EXACT_LIMIT_BITS up, doubled until two precisions
    agree to HERE_BITS. exact_value is content with 80 bits left after a sum
    cancels: cos(1e-45) - 1 at 384 bits is -5e-91 to 2**-84, and
    x*abs(x) + cos(1e-45) - 1 "jumped" at 0 by 1.3e-117 (a helper's find,
    stop 34). A value within rounding of 0 is 0 whatever the precision; one
    that more bits leave undefined or lost keeps the first value."""
    precision = EXACT_LIMIT_BITS
    outcome = exact_value(program, point, precision, exact_sums=exact_sums)
    # doubled from the precision the value was had at, not the one asked for:
    # exact_value goes past that where a sum cancels (cos(5e-103) - 1, asked
    # for at 384 bits, is evaluated at 768), and asked for 768 it gives the same
    # value again, which agrees with itself (that value is good to 91 bits: a
    # jump of 2**-91 of it at a kink, a helper's find, stop 35)
    while (
        outcome.value is not None
        and not outcome.is_zero(len(outcome.values) - 1)
        and (precision := max(precision, outcome.precision)) < MAX_PRECISION
    ):
        precision *= 2
        finer = exact_value(program, point, precision, exact_sums=exact_sums)
        if finer.value is None:
            return outcome
        value, outcome = outcome.value, finer
        if _within(value, finer.value, HERE_BITS):
            break
    return outcome


def _same_limit(a: Any, b: Any) -> bool:
    """Two limits (mpfr, or floats for infinite and shrinking ones) are the same,
    to 2**-100 relative (what a side's convergence test leaves). Every caller has
    checked that both exist."""
    if isinstance(a, float) or isinstance(b, float):
        x, y = float(a), float(b)
        return (
            x == y
            or math.isclose(x, y, rel_tol=1e-15, abs_tol=0.0)
            or (abs(x) < 1e-300 and abs(y) < 1e-300)
        )
    return _within(a, b, 100)


def _text(value: float) -> str:
    return f"{value + 0.0:.10g}"  # no -0


def _joined_slowly(
    derivative: _Derivative,
    point: Mapping[str, float],
    order: int,
    name: str,
    below: Any,
    above: Any,
) -> bool:
    """Whether a lower derivative's side limits along ``name``, settled to 60 bits
    and apart below that, are one limit reached slowly: the gap between its
    values at 2**-1024, 2**-2048 and 2**-4096 on either side keeps shrinking
    (by 2**-16 a step, as _gap_shrinks asks of quotients). d/dx of
    (x + 1e-9*relu(-x)**1.0625)*y is y*(1 - c*relu(-x)**(1/16)), whose left
    limit at x = 0 is still 2**-94 from y at 2**-1024. Only where the closed
    form is read at the point's sides (no kink line it stays on, _off_line)."""
    if (
        isinstance(below, float)
        or isinstance(above, float)
        or _same_limit(below, above)
        or not _within(below, above, SETTLED_BITS)
        or _misleading_line(derivative, point, order, name)
    ):
        return False
    program = derivative.program(order)
    gaps = []
    for k in GAP_EXPONENTS:
        values = [
            _beside_value(
                program,
                _beside(point, name, _step(point, name, side, k)),
                k + GUARD_STEPS[1],
                exact_sums=True,
            ).value
            for side in (-1, +1)
        ]
        if values[0] is None or values[1] is None:
            return False
        gaps.append(abs(values[1] - values[0]))
    return _keeps_shrinking(gaps)


def _past_float64(exact_left: Any, exact_right: Any) -> str:
    """A phrase naming the one-sided derivatives that are finite but past float64
    (shown as inf), or ''."""
    past = [
        f"the {name} derivative is {_scientific(exact)}, past float64"
        for name, exact in (("left", exact_left), ("right", exact_right))
        if exact is not None
        and not isinstance(exact, float)
        and gmpy2().is_finite(exact)
        and math.isinf(float(exact))
    ]
    return "; ".join(past)


def _size_text(value: Any) -> str:
    """A value for a note, of any size: 10 digits within float64, and beyond it
    (e**1000*1000 at a jump of floor, 2*e**-1000 between two sides) MPFR's
    digits, not inf or 0."""
    if value is None:
        return "undefined"
    number = float(value)
    past = math.isinf(number) or (number == 0 and value != 0)
    if past and not isinstance(value, float) and gmpy2().is_finite(value):
        return _scientific(value)
    return _text(number)


# ---------------------------------------------------------------- long grids


class _Screen:
    """All programs in float64 over a long grid, to pick the points that need more.

    A point needs the exact evaluation when float64 may have lost too many
    bits there, when some value is not finite (undefined, or an overflow that
    exact arithmetic does not have), when a kink's argument or a domain edge
    is within SCREEN_RTOL, or when the derivative is past the dtype's range.
    Not where f is certainly undefined (_outside_domain: log(x) at x < 0) and
    the derivative's value is trusted or undefined the same way: the point is
    then judged as examine judges a point where f is undefined.
    f needs it where f is past float32's range, and with ``float32`` where any
    part of f is (x*4 in x*4/4 at 1e38): torch's forward pass overflows there,
    and the exact evaluation names that part (_overflowing_part).
    The grid goes through in blocks of SCREEN_BLOCK points; after each, the
    run stops (BudgetError) if the blocks done show the rest cannot fit.
    """

    def __init__(
        self, prepared: _Prepared, points: PointSet, deadline: float, *, float32: bool
    ) -> None:
        import numpy as np

        self.np = np
        count = points.count
        columns = {n: np.asarray(points.columns[n], dtype=np.float64) for n in points.names}
        f_parts: list[Any] = []
        f_flags: list[Any] = []
        parts: dict[tuple[str, ...], list[Any]] = {wrt: [] for wrt in prepared.steps}
        flags: dict[tuple[str, ...], list[Any]] = {wrt: [] for wrt in prepared.steps}
        # per point, the instruction of f found undefined (_outside_domain), or -1
        nodes: dict[tuple[str, ...], list[Any]] = {wrt: [] for wrt in prepared.steps}
        # per derivative and lower order, the kinked calls whose argument is 0
        # all along the grid's line (see _Derivative._on_kink_here)
        still: dict[tuple[str, ...], list[set[int]]] = {}
        began = time.monotonic()
        for start in range(0, count, SCREEN_BLOCK):
            _on_time(deadline, began, start, count)
            stop = min(count, start + SCREEN_BLOCK)
            block = {n: (c[start:stop] if c.size == count else c) for n, c in columns.items()}
            size = stop - start
            scale = np.ones(size)
            for column in block.values():
                scale = np.maximum(scale, np.abs(column))
            f = float64_values(prepared.function, block, size)
            f_parts.append(f.values)
            # f's value is shown, not compared: float64 is enough unless f is
            # undefined there (and not certainly so), float64 may have lost too
            # many bits ((1 - cos(x))/x**2 at 1e-8), or f is large enough to
            # overflow somewhere on the way
            f_outside = _outside_domain(np, prepared.function, f) >= 0
            large = np.abs(f.values) > FLOAT32_MAX
            if float32:
                # or a part of f is, though f is not (x*4 in x*4/4 at 1e38): torch's
                # float32 forward pass overflows there, and only the exact
                # evaluation names the part for the note (_overflowing_part, past
                # FLOAT32_LARGEST_ROUNDED, 2**-25 of the value above FLOAT32_MAX:
                # a part float64 has to 3e-8 is flagged wherever it may be past)
                for value in f.node_values:
                    large |= np.abs(value) > FLOAT32_MAX
            f_flags.append(((f.undefined | f.doubtful) & ~f_outside) | large)
            for wrt, steps in prepared.steps.items():
                final = steps.final.program
                if final is None:  # a huge closed form: point by point, exactly
                    parts[wrt].append(np.full(size, np.nan))
                    flags[wrt].append(np.ones(size, dtype=bool))
                    nodes[wrt].append(np.full(size, -1))
                    continue
                lower = [steps.lower(k)[1] for k in steps.lower_orders()]
                if wrt not in still:
                    still[wrt] = [_kinks_zero_along(p, wrt, columns) for p in [*lower, final]]
                outcomes = [
                    float64_values(p, block, size, skip)
                    for p, skip in zip([*lower, final], still[wrt], strict=True)
                ]
                flag = np.abs(outcomes[-1].values) > FLOAT32_MAX  # past float32: look closer
                for outcome in outcomes:
                    flag |= outcome.undefined | outcome.doubtful
                for program, outcome, skip in zip(
                    lower, outcomes[:-1], still[wrt][:-1], strict=True
                ):
                    flag |= _near_special(np, program, outcome, scale, skip, wrt)
                # where f is certainly undefined, examine reads nothing else (the
                # kinks it names there go into no note); the derivative's value,
                # shown beside that verdict, must be float64's trusted one, or
                # nan for the same reason as f's
                node = _outside_domain(np, lower[0], outcomes[0])
                last = outcomes[-1]
                shown = (_outside_domain(np, final, last) >= 0) | ~last.undefined & ~last.doubtful
                settled = (node >= 0) & shown
                parts[wrt].append(outcomes[-1].values)
                flags[wrt].append(flag & ~settled)
                nodes[wrt].append(np.where(settled, node, -1))
        self.f_values = np.concatenate(f_parts)
        self.f_needs = np.concatenate(f_flags)
        self.values = {wrt: np.concatenate(chunks) for wrt, chunks in parts.items()}
        self.needs = {wrt: np.concatenate(chunks) for wrt, chunks in flags.items()}
        self.nodes = {wrt: np.concatenate(chunks) for wrt, chunks in nodes.items()}

    def needs_exact_f(self, i: int) -> bool:
        return bool(self.f_needs[i])

    def f_value(self, i: int) -> float:
        return float(self.f_values[i])

    def needs_exact(self, wrt: tuple[str, ...], i: int) -> bool:
        return bool(self.needs[wrt][i])

    def value(self, wrt: tuple[str, ...], i: int) -> float:
        return float(self.values[wrt][i])

    def outside(self, wrt: tuple[str, ...], i: int) -> int | None:
        """The instruction of f (as the derivative's steps compile it) found
        undefined at point i, if the point is judged by that alone."""
        node = int(self.nodes[wrt][i])
        return node if node >= 0 else None


SCREEN_BLOCK = 8192


def _float64_call(spec: FunctionSpec, args: list[Any]) -> Any:
    import numpy as np

    float64 = spec.float64
    assert float64 is not None  # kink expressions call primitives
    return float64(np, args)


def _kinks_zero_along(
    program: Program, wrt: tuple[str, ...], columns: Mapping[str, Any]
) -> set[int]:
    """The instructions of kinked calls whose every kink argument is 0 all along
    the variables in ``wrt``, the others held at their values, which must be
    the same at every point of the grid (relu(x*z) along x at z = 0)."""
    held: dict[str, float] = {}
    for name, column in columns.items():
        if name not in wrt:
            if column.size and (column == column.flat[0]).all():
                held[name] = float(column.flat[0])
    found = set()
    for index, ins in enumerate(program.instructions):
        if ins.kind != CALL or not function(ins.name).kink:
            continue
        node = program.nodes[index]
        assert isinstance(node, Call)
        trees = kink_trees(node)
        names = {n.name for t in trees for n in unique_nodes(t) if isinstance(n, Variable)}
        if all(n in held or n in wrt for n in names) and all(
            _identically_zero(t, {n: held[n] for n in names if n in held}) for t in trees
        ):
            found.add(index)
    return found


# What the margin of _outside_domain adds to twice an argument's estimated
# error, relative to the largest magnitude met computing it: float64's
# functions are off by more than the one rounding the estimate gives them
# (math.gamma by 8.5 of them, digamma near its zero at 1.46 by 1e-15 absolute),
# and a sign decided within that was wrong: sqrt(-digamma(x) - 0.00066...) is
# defined at x = 1.46095 (its argument is 5e-16), and a grid called it
# undefined (a user review, stop 34).
OUTSIDE_RTOL = 2.0**-30


def _outside_domain(np: Any, program: Program, outcome: Any) -> Any:
    """Per point, the instruction at which the program is certainly undefined,
    or -1: the first instruction without a finite float64 value is a function
    whose argument is past an end of its domain (FunctionSpec.domain), or a
    power of a negative base to a fractional exponent, by more than twice the
    argument's estimated error plus OUTSIDE_RTOL of the largest magnitude met
    computing it; and no value on the way is past float32's range (whose
    overflow a note names). The program then has no real value there: that
    instruction has none, or something before it has none already (a pole
    that float64 rounded past)."""
    values, errors = outcome.node_values, outcome.node_errors
    size = outcome.values.shape[0]
    found = np.full(size, -1)
    seen = np.zeros(size, dtype=bool)  # some instruction so far had no finite value
    large = np.zeros(size, dtype=bool)
    scales: list[Any] = []  # per instruction, the largest finite magnitude met computing it

    def margin(i: int) -> Any:
        return 2 * errors[i] + OUTSIDE_RTOL * scales[i]

    for index, ins in enumerate(program.instructions):
        value = values[index]
        large |= np.abs(value) > FLOAT32_MAX
        scale = np.where(np.isfinite(value), np.abs(value), 0.0)
        for i in ins.args:
            scale = np.maximum(scale, scales[i])
        scales.append(scale)
        first = ~seen & ~np.isfinite(value)
        if not first.any():
            continue
        seen |= first
        domain = function(ins.name).domain if ins.kind == CALL else None
        if domain is not None:
            low, high = domain
            a, off = values[ins.args[0]], margin(ins.args[0])
            past = (a + off < low) | (a - off > high)
        elif ins.kind == POW:
            base, exponent = ins.args
            a, b = values[base], values[exponent]
            past = (a + margin(base) < 0) & (np.abs(b - np.round(b)) > margin(exponent))
        else:
            continue
        found = np.where(first & past, index, found)
    return np.where(large, -1, found)


def _near_special(
    np: Any,
    program: Program,
    outcome: Any,
    scale: Any,
    skip: set[int] | None = None,
    wrt: Sequence[str] = (),
) -> Any:
    """Points where a kink's argument, a domain edge or a power's base is near 0
    (the kinks of the calls in ``skip`` left out), or a power's base is negative
    under an exponent that moves along ``wrt``."""
    flag = np.zeros(scale.shape, dtype=bool)
    moving = program.depends_on_variables()
    along = program.depends_on(wrt)  # per instruction, whether it moves along wrt
    for index, ins in enumerate(program.instructions):
        if not moving[index]:
            # a constant part stays where it is: (1e-298)**-1 is no pole the
            # points come near (constants are checked once, when parsed)
            continue
        if ins.kind == CALL:
            spec = function(ins.name)
            args = [outcome.node_values[a] for a in ins.args]
            if skip is None or index not in skip:
                for kink in kink_values(spec, args, _float64_call):
                    flag |= np.abs(kink) <= SCREEN_RTOL * scale
            for edge in spec.edges:
                flag |= np.abs(args[0] - edge) <= SCREEN_RTOL * max(1.0, abs(edge))
        elif ins.kind == POW:
            # a base near 0 matters under a fractional or moving exponent only
            base, exponent = (outcome.node_values[i] for i in ins.args)
            edge = moving[ins.args[1]] | (exponent != np.round(exponent)) | (exponent < 0)
            flag |= (np.abs(base) <= SCREEN_RTOL * scale) & edge
            if along[ins.args[1]]:
                # a negative base under an exponent that moves along wrt has a
                # value at whole exponents only, each an isolated point of f's
                # domain along wrt (see _on_edge): (x - x)*(x + 0.75)**x at -1 is
                # 0, but undefined beside
                flag |= base < 0
            else:
                # under an exponent held at each point (log(x)**z along x, z = 2)
                # f is what float64 says there if the exponent is exact in
                # float64: (x - 1)**(z*10) at z = 0.1 has an exponent that float64
                # rounds to 1, exactly 1 + 5.6e-17, so no real value at x < 1
                flag |= (base < 0) & (outcome.node_errors[ins.args[1]] != 0)
    return flag


# ---------------------------------------------------------------- kinks between floats


# A kink whose argument changes sign between two neighbouring floats (relu(x -
# 1/3) at 1/3, relu(x**2 - 2) at sqrt(2)) is at no float: `plot` draws it at the
# nearest, where the argument is not 0 and the closed form's value is one
# side's derivative. It is judged at the kink itself: located exactly to
# 2**-KINK_ROOT_BITS of its size, and read at 2**-k of that size on each side
# for k in KINK_PROBES, far below float64's spacing (2**-52) and far above the
# root's uncertainty, so every probe is on its own side.
KINK_ROOT_BITS = 256
KINK_PROBES = (128, 160, 192)


def _exact_at(program: Program, point: Mapping[str, Any]) -> Any:
    """The program's exact value (an mpfr; exactly 0 within its rounding), or None
    where it is undefined."""
    outcome = exact_value(program, point, KINK_ROOT_BITS + 128)
    if outcome.value is None:
        return None
    if outcome.is_zero(len(program) - 1):
        return gmpy2().mpfr(0)
    return outcome.value


def exact_sign(program: Program, point: Mapping[str, Any]) -> int | None:
    """The sign of the program's exact value (0 within its rounding); None if undefined."""
    value = _exact_at(program, point)
    return None if value is None else (value > 0) - (value < 0)


def kink_root(
    argument: Program, point: Mapping[str, float], var: str, lo: float, hi: float
) -> float | Any | None:
    """Where ``argument`` is 0 in [lo, hi] along ``var``, its exact values at lo and
    hi having opposite signs: a float where it is 0 at that float, else an mpfr
    strictly between two neighbouring floats, to KINK_ROOT_BITS bits; None where
    the signs are not opposite (or the argument is undefined on the way)."""
    f_lo, f_hi = (_exact_at(argument, {**point, var: x}) for x in (lo, hi))
    if f_lo is None or f_hi is None:
        return None
    if f_lo == 0 or f_hi == 0:
        return lo if f_lo == 0 else hi
    if (f_lo > 0) == (f_hi > 0):
        return None
    m = gmpy2()
    with m.context(m.get_context(), precision=KINK_ROOT_BITS + 64):
        root = _Bracket(argument, point, var, m.mpfr(lo), m.mpfr(hi), f_lo, f_hi).narrow()
    if root is None:
        return None
    nearest = float(root)
    return nearest if exact_sign(argument, {**point, var: nearest}) == 0 else root


class _Bracket:
    """A sign change of a program along ``var`` between a and b, narrowed down to
    2**-KINK_ROOT_BITS of its size by the Illinois variant of regula falsi (a
    few steps for a smooth argument), each step followed by a probe just past
    its point (which closes the bracket once the point is that close), and a
    bisection wherever a step did not halve it (so at most about twice
    bisection's steps, whatever the argument)."""

    def __init__(
        self,
        program: Program,
        point: Mapping[str, float],
        var: str,
        a: Any,
        b: Any,
        f_a: Any,
        f_b: Any,
    ) -> None:
        self.program, self.point, self.var = program, point, var
        self.a, self.b, self.f_a, self.f_b = a, b, f_a, f_b
        self.kept = 0  # which end the last step kept: -1 a, +1 b

    def narrow(self) -> Any:
        m = gmpy2()
        bisect = False
        # relative to the bracket's ends as they narrow, not to the range: a
        # root of (x - 1e-200)**3 in [-1, 1] was left somewhere in [0, 2e-79],
        # and one of x**3 at -2.9e-186, and a jump there was probed on one side
        # of the root only (plot called sign(x**3) smooth, exit 0; a review's
        # find); never below 2**-KINK_ROOT_BITS of the smallest float64, so that
        # a bracket closing on 0 ends (kink_root then finds 0.0 the root)
        # (as before where the root is not far below the range: the ends' size
        # within 2**-64 of the range's keeps the range's tolerance)
        floor = m.mul_2exp(m.mpfr(1), -1074 - KINK_ROOT_BITS)
        size = max(abs(self.a), abs(self.b))
        while self.b - self.a > (
            tolerance := m.mul_2exp(size, -KINK_ROOT_BITS)
            if (ends := max(abs(self.a), abs(self.b))) >= m.mul_2exp(size, -64)
            else max(floor, m.mul_2exp(ends, -KINK_ROOT_BITS))
        ):
            width = self.b - self.a
            middle = (self.a + self.b) / 2
            if not bisect:
                guess = self.a - self.f_a * width / (self.f_b - self.f_a)
                if self.a < guess < self.b:
                    middle = guess
            moved = self.at(middle, step=True)
            if moved is None:
                return None
            if self.b - self.a > tolerance and moved:
                probe = self.a + tolerance / 2 if moved < 0 else self.b - tolerance / 2
                if self.a < probe < self.b and self.at(probe, step=False) is None:
                    return None
            bisect = self.b - self.a > width / 2
        return (self.a + self.b) / 2

    def at(self, x: Any, *, step: bool) -> int | None:
        """Move an end of the bracket to x: -1 a moved, +1 b, 0 the root is x;
        None where the program is undefined there. A ``step`` (not a probe)
        that keeps the same end as the last halves that end's value (Illinois)."""
        value = _exact_at(self.program, {**self.point, self.var: x})
        if value is None:
            return None
        if value == 0:
            self.a = self.b = x
            return 0
        moved = -1 if (value > 0) == (self.f_a > 0) else 1
        if moved < 0:
            self.a, self.f_a = x, value
        else:
            self.b, self.f_b = x, value
        if step:
            if self.kept == -moved:  # the other end kept twice
                if moved < 0:
                    self.f_b /= 2
                else:
                    self.f_a /= 2
            self.kept = -moved
        return moved


def kink_between(f: Program, point: Mapping[str, Any], var: str) -> PointAnalysis:
    """Whether f is differentiable along ``var`` at a kink between floats (``point[var]``
    is kink_root's mpfr): f's limits on both sides must meet (else a jump: sign(x -
    1/3)), and so must its one-sided derivatives, the limits of its difference
    quotients on each side (relu(x - 1/3): 0 and 1; relu(x - 1/3)**2: 0 and 0)."""

    try:
        f_left, f_right = (
            _limit([_side_value(f, point, var, side, k) for k in KINK_PROBES]) for side in (-1, 1)
        )
        left, right = (_limit(_Quotients(f, point, var, side, f)(KINK_PROBES)) for side in (-1, 1))
    except _BesideOutOfRange as beside:
        undefined = beside.undefined
        return PointAnalysis(
            Reason.OUT_OF_RANGE, None, detail=undefined.describe(), lost=undefined.lost
        )
    if left is None or right is None:
        reason = Reason.UNDEFINED if left is None and right is None else Reason.DOMAIN_EDGE
        sides = "both sides" if reason is Reason.UNDEFINED else "one side"
        return PointAnalysis(reason, False, left, right, detail=f"f is undefined on {sides}")
    if (
        f_left is not None
        and f_right is not None
        and math.isfinite(f_left)
        and math.isfinite(f_right)
        and not _same_limit(f_left, f_right)
    ):
        detail = f"f jumps from {_text(f_left)} to {_text(f_right)}"
        return PointAnalysis(Reason.JUMP, False, left, right, detail=detail)
    if math.isnan(left) or math.isnan(right):
        return PointAnalysis(Reason.UNDECIDED, None, left, right)
    if math.isfinite(left) and math.isfinite(right) and _same_limit(left, right):
        common = right if abs(right) <= abs(left) else left
        return PointAnalysis(Reason.SMOOTH_KINK, True, left, right, common)
    reason = Reason.KINK if math.isfinite(left) and math.isfinite(right) else Reason.INFINITE
    return PointAnalysis(reason, False, left, right)
