"""Stage 2, run in the symbolic worker: closed forms, their values, kinks and domains.

For each requested derivative this differentiates step by step (``calculus``),
prints the closed form, evaluates it at every point in float64 with symengine
(independently of torch), and looks closer at the points where a clean number
would mislead:

* the function itself is undefined or infinite there (``log(x)`` at -1,
  ``1/x`` at 0);
* the derivative is infinite or undefined there (``sqrt(x)`` at 0,
  ``x**x`` at 0);
* the argument of a kinked function (abs, relu, sign, heaviside, max, min) is
  0 there.

At those points the one-sided derivatives are estimated from the closed form
just left and right of the point (see :func:`one_sided_limit`), which is what
decides "differentiable" and what the user is shown.

symengine is imported inside the functions, so the parent process can build
a request and read a response without loading it. Everything returned is
plain data (floats, strings, tuples) so it can travel
back from the worker process by pickle.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from derivcli.errors import BudgetError
from derivcli.language.functions import lookup_function
from derivcli.language.parser import Expression, parse
from derivcli.language.points import PointSet
from derivcli.language.tree import BinaryOp, Call, Node, Number, walk

# A kink argument this close to 0 counts as "at the kink".
# Steps, relative to max(1, |x|), at which the closed form is probed beside a point.
PROBE_STEPS = (1e-4, 1e-6, 1e-8)
# A point is at the edge of the domain if f is undefined at the next float64
# beside it: sqrt(x) at 0 is, at 1e-13 it is not, and neither is asin(x) at
# 0.9999999999999999, the last float below 1. Beside 0 the next floats are
# subnormal and powers of them underflow to 0 ((-5e-324)**1.5), so 0 is
# probed at this distance instead.
EDGE_BESIDE_ZERO = 1e-100


@dataclass(frozen=True)
class SymbolicRequest:
    source: str
    derivatives: tuple[tuple[str, ...], ...]
    names: tuple[str, ...]
    columns: Mapping[str, Sequence[float]]
    count: int
    budget: float  # seconds


def make_request(
    expression: Expression, derivatives: Sequence[tuple[str, ...]], points: PointSet, budget: float
) -> SymbolicRequest:
    return SymbolicRequest(
        source=expression.source,
        derivatives=tuple(derivatives),
        names=expression.variables,
        columns=points.columns,
        count=points.count,
        budget=budget,
    )


@dataclass(frozen=True)
class PointAnalysis:
    """Why one point is not a plain regular point, and its one-sided derivatives."""

    differentiable: bool | None  # None: could not be decided (overflow)
    left: float | None  # None: undefined on that side
    right: float | None
    # "undefined-function", "kink", "jump", "infinite-derivative", "smooth-kink",
    # "domain-edge", "overflow", "function-overflow", "removable"
    reason: str
    kinks: tuple[str, ...] = ()  # names of the kinked functions sitting at this point
    detail: str = ""  # a phrase for the note, where the reason needs numbers


@dataclass(frozen=True)
class DerivativeAnalysis:
    wrt: tuple[str, ...]
    text: str  # the closed form, in derivcli's syntax
    values: list[float]
    special: dict[int, PointAnalysis] = field(default_factory=dict)


@dataclass(frozen=True)
class SymbolicResponse:
    function_text: str
    function_values: list[float]
    derivatives: list[DerivativeAnalysis]


_CACHE: dict[Any, SymbolicResponse] = {}
_STEPS_CACHE: dict[Any, list[Any]] = {}
CACHE_SIZE = 256


def run_cached(request: SymbolicRequest) -> SymbolicResponse:
    """``run`` with a small cache: batch mode repeats expressions and points."""
    key = (
        request.source,
        request.derivatives,
        request.names,
        tuple(tuple(request.columns[n]) for n in request.names),
        request.count,
    )
    if key not in _CACHE:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = run(request)
    return _CACHE[key]


def _steps(expr: Any, source: str, wrt: tuple[str, ...], deadline: float) -> list[Any]:
    from derivcli.symbolic import calculus as symbolic

    key = (source, wrt)
    if key not in _STEPS_CACHE:
        if len(_STEPS_CACHE) >= CACHE_SIZE:
            _STEPS_CACHE.pop(next(iter(_STEPS_CACHE)))
        _STEPS_CACHE[key] = symbolic.differentiate(expr, wrt, deadline=deadline)
    return _STEPS_CACHE[key]


def run(request: SymbolicRequest) -> SymbolicResponse:
    """The worker's entry point."""
    from derivcli.symbolic import calculus as symbolic

    deadline = time.monotonic() + request.budget
    expression = parse(request.source)
    expr = symbolic.build(expression)
    names = request.names
    opaque = symbolic.has_opaque(expr)
    # f in float64, as torch computes it: whether f overflows or is undefined
    # decides how a point is classified (log(exp(x)) at 1000: exp overflows).
    f_eval = symbolic.Evaluator(expr, names, opaque=opaque, deadline=deadline)
    f_values = f_eval.many(request.columns, request.count)
    everywhere = defined_everywhere(expression.tree)
    results = []
    for wrt in request.derivatives:
        steps = _steps(expr, request.source, wrt, deadline)
        results.append(
            _analyse(steps, wrt, request, f_eval, f_values, opaque, deadline, everywhere)
        )
    return SymbolicResponse(
        function_text=symbolic.to_text(expr), function_values=f_values, derivatives=results
    )


def _kink_arguments(steps: Sequence[Any]) -> list[tuple[str, Any]]:
    import symengine as se

    found: dict[Any, str] = {}
    for step in steps:
        for node in step.atoms(se.FunctionSymbol):
            spec = lookup_function(node.get_name())
            if spec is None or not spec.kink:
                continue
            args = node.args
            argument = args[0] - args[1] if len(args) == 2 else args[0]
            found.setdefault(argument, spec.name)
    return [(name, argument) for argument, name in found.items()]


def _analyse(
    steps: Sequence[Any],
    wrt: tuple[str, ...],
    request: SymbolicRequest,
    f_eval: Any,
    f_values: Sequence[float],
    opaque: bool,
    deadline: float,
    everywhere: bool = False,
) -> DerivativeAnalysis:
    from derivcli.symbolic import calculus as symbolic

    names, count, columns = request.names, request.count, request.columns
    var = wrt[-1]
    derivative = steps[-1]
    text = symbolic.to_text(derivative)
    _require_real(derivative, wrt, text)
    d_eval = symbolic.Evaluator(derivative, names, opaque=opaque, deadline=deadline, precise=True)
    # f and every intermediate derivative: where one of them jumps, no
    # derivative exists even if the closed form has equal limits both sides.
    step_evals = [f_eval] + [
        symbolic.Evaluator(step, names, opaque=opaque, precise=True) for step in steps[1:-1]
    ]
    values = d_eval.many(columns, count)
    kinks = [
        (
            name,
            symbolic.Evaluator(arg, names, deadline=deadline).many(columns, count),
            symbolic.Evaluator(arg, names, precise=True),
        )
        for name, arg in (_kink_arguments(steps[:-1]) if opaque else [])
    ]
    edges = set() if everywhere else _domain_edges(f_eval, f_values, columns, count, var)
    special: dict[int, PointAnalysis] = {}
    for i in range(count):
        point = {n: float(columns[n][i]) for n in names}
        at_kink = tuple(
            sorted({name for name, vals, exact in kinks if _on_kink(vals[i], exact, point)})
        )
        finite = math.isfinite(f_values[i]) and math.isfinite(values[i])
        if finite and not at_kink and i not in edges:
            continue
        if time.monotonic() > deadline:
            raise BudgetError("the time budget ran out while examining kinks and poles")
        if not math.isfinite(f_values[i]) and count <= 8:
            # f is judged in float64, as torch computes it (1/(x-0.1) at 0.1 is
            # a pole there); its derivative is shown the same way, not as the
            # 256-bit value at the float just beside the pole (-3.2e34).
            values[i] = d_eval.at(point, bits=53)
        special[i] = _examine(
            point, wrt, f_eval, d_eval, step_evals, f_values[i], values[i], at_kink
        )
    return DerivativeAnalysis(wrt=wrt, text=text, values=values, special=special)


# A kink's argument counts as 0 at a point when, evaluated with 256 bits at
# exactly that float64 point, it is below this (relative to the coordinates).
KINK_ZERO = 1e-40


def _on_kink(value: float, exact: Any, point: Mapping[str, float]) -> bool:
    """Whether a kinked function's argument is 0 at the point, in exact arithmetic.

    abs(x*0.1 - 0.3) at x=3 is on its kink (3/10 - 3/10), though float64 makes
    the argument 5.6e-17; abs(sin(x)) at the float64 nearest pi is not (sin
    is 1.2e-16 there), nor is relu(x/10 - 0.01) at the float64 nearest 0.1,
    though torch rounds that argument to 0 (its own note says so). ``value``
    is the float64 argument, a cheap screen before the precise evaluation.
    """
    scale = max([1.0, *(abs(v) for v in point.values())])
    if not abs(value) <= 1e-6 * scale:
        return False
    return bool(abs(exact.at(point)) <= KINK_ZERO * scale)


def _examine(
    point: dict[str, float],
    wrt: tuple[str, ...],
    f_eval: Any,
    d_eval: Any,
    step_evals: Sequence[Any],
    f_value: float,
    value: float,
    at_kink: tuple[str, ...],
) -> PointAnalysis:
    """Classify one point that is not plainly regular."""
    var = wrt[-1]
    if _overflows(d_eval, value, point):
        return PointAnalysis(None, None, None, "overflow", at_kink)
    if _overflows(f_eval, f_value, point):
        if math.isfinite(value):  # log(exp(x)) at 1000: only f is out of range
            return PointAnalysis(True, None, None, "function-overflow", at_kink)
        return PointAnalysis(None, None, None, "overflow", at_kink)
    left = one_sided_limit(d_eval, point, var, -1, function=f_eval)
    right = one_sided_limit(d_eval, point, var, +1, function=f_eval)
    if at_kink and math.isfinite(f_value):
        # Every function on the way (f and each intermediate derivative) must
        # be continuous here along every variable it is differentiated by:
        # heaviside(x), sign(x)**2, relu'' at 0, and d2/dxdy of abs(x)*y at
        # x=0 (d/dx = sign(x)*y jumps along x) have no derivative.
        for evaluator in step_evals:
            for name in dict.fromkeys(wrt):
                jump = _jump(evaluator, point, name, f_eval)
                if jump:
                    where = f"{name}={point[name]:g}"
                    return PointAnalysis(False, left, right, "jump", at_kink, f"{jump} at {where}")
    if (
        not at_kink
        and math.isfinite(f_value)
        and math.isnan(value)
        and left is not None
        and right is not None
        and math.isfinite(left)
        and math.isfinite(right)
        and _close(left, right)
        and not _jump(f_eval, point, var, f_eval)
    ):
        # sqrt(x**4) at 0: the closed form is 0/0 there, yet f is continuous and
        # its slope has one limit from both sides: the derivative exists.
        return PointAnalysis(True, left, right, "removable", at_kink)
    return _classify(f_value, value, left, right, at_kink)


def _jump(evaluator: Any, point: Mapping[str, float], var: str, f_eval: Any) -> str:
    """A description of the discontinuity of ``evaluator`` along ``var``, or ''."""
    below = one_sided_limit(evaluator, point, var, -1, function=f_eval)
    above = one_sided_limit(evaluator, point, var, +1, function=f_eval)
    here = evaluator.at(point)
    if (
        below is not None
        and above is not None
        and _continuous(below, above)
        and _continuous(below, here)
    ):
        return ""
    return (
        f"the function being differentiated jumps (left limit {_text(below)}, value "
        f"{_text(here)}, right limit {_text(above)})"
    )


def _text(value: float | None) -> str:
    if value is None:
        return "undefined"
    return f"{value:.10g}"


def _require_real(derivative: Any, wrt: tuple[str, ...], text: str) -> None:
    """A closed form with zoo, I or nan in it is not a real derivative (0**x, (-1)**x).

    ``text`` is the printed closed form: where none of those names appears in
    it, the three searches of the tree (0.3 s for the 2 MB fifth derivative
    of a product of 20 factors) are skipped.
    """
    import symengine as se

    from derivcli.errors import InputError

    if not _NOT_REAL_NAMES.search(text):
        return
    if any(derivative.has(c) for c in (se.zoo, se.I, se.nan)):
        raise InputError(
            f"the derivative by {', '.join(wrt)} is not real-valued (symengine gives "
            f"{text[:80]}); derivcli works with real expressions only"
        )


_NOT_REAL_NAMES = re.compile(r"\b(zoo|I|nan)\b")


def defined_everywhere(tree: Node) -> bool:
    """Whether f is a real number at every real point (as far as the form shows).

    True for sums, products and compositions of functions defined on the whole
    real line (sin, exp, relu, sigmoid, ...), whole powers and division by
    nonzero numbers: such an f has no domain edge, so the search for one
    (two more evaluations of f at every point) is skipped.
    """
    for node in walk(tree):
        if isinstance(node, Call):
            spec = lookup_function(node.name)
            if spec is None or spec.partial:
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


def _domain_edges(
    f_eval: Any,
    f_values: Sequence[float],
    columns: Mapping[str, Sequence[float]],
    count: int,
    var: str,
) -> set[int]:
    """Points with f defined there but undefined just beside them (sqrt(x)**3 at 0)."""
    import numpy as np

    x = np.asarray(columns[var], dtype=np.float64)
    if x.size == 1 and count != 1:
        x = np.broadcast_to(x, (count,))
    edges: set[int] = set()
    for side in (-np.inf, np.inf):
        moved: dict[str, Any] = dict(columns)
        moved[var] = np.where(x == 0, np.sign(side) * EDGE_BESIDE_ZERO, np.nextafter(x, side))
        beside = np.asarray(f_eval.many(moved, count), dtype=np.float64)
        edges.update(int(i) for i in np.flatnonzero(np.isnan(beside)))
    return {i for i in edges if not math.isnan(f_values[i])}


def _overflows(evaluator: Any, value: float, point: Mapping[str, float]) -> bool:
    """A float64 overflow, not a pole: a finite value past float64's range
    (1/x at 5e-324), or infinite here and all around, along every variable
    (x/y at y=0 is finite beside the pole along y; log(exp(x)) at 1000 is
    not, exp overflowing on the way)."""
    if not math.isinf(value):
        return False
    if evaluator.beyond_float64(point):
        return True
    for var, x in point.items():
        scale = max(1.0, abs(x))
        for side in (-1, 1):
            moved = dict(point)
            moved[var] = x + side * PROBE_STEPS[0] * scale
            if not math.isinf(evaluator.at(moved)):
                return False
    return True


def _continuous(a: float, b: float) -> bool:
    # limits of the function itself, estimated to ~1e-8 of the probe step
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7)


def _close(a: float, b: float) -> bool:
    # The one-sided estimates are good to ~1e-8 relative (probe step 1e-8,
    # extrapolated); absolute slack only for what rounds to zero.
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-15)


def _classify(
    f_value: float,
    value: float,
    left: float | None,
    right: float | None,
    kinks: tuple[str, ...],
) -> PointAnalysis:
    if math.isnan(f_value):
        # Outside the real domain a one-sided derivative means nothing.
        return PointAnalysis(False, None, None, "undefined-function", kinks)
    if not math.isfinite(f_value):
        return PointAnalysis(False, left, right, "undefined-function", kinks)
    sides_agree = (
        left is not None
        and right is not None
        and math.isfinite(left)
        and math.isfinite(right)
        and _close(left, right)
    )
    if kinks and sides_agree and math.isfinite(value):
        return PointAnalysis(True, left, right, "smooth-kink", kinks)
    if kinks:
        return PointAnalysis(False, left, right, "kink", kinks)
    if math.isfinite(value) and (left is None) != (right is None):
        return PointAnalysis(False, left, right, "domain-edge", kinks)
    return PointAnalysis(False, left, right, "infinite-derivative", kinks)


def one_sided_limit(
    evaluator: Any,
    point: Mapping[str, float],
    var: str,
    side: int,
    *,
    function: Any = None,
) -> float | None:
    """The limit of the closed form as ``var`` approaches the point from one side.

    The closed form is probed at distances 1e-4, 1e-6 and 1e-8 (relative):
    if the successive differences shrink, the values converge and the limit is
    extrapolated linearly; if the values grow steadily in one direction they
    diverge to +-inf; if the closed form is undefined there (outside the real
    domain) the side is undefined (None); anything else is reported as nan.
    A side where ``function`` (f itself) is undefined is undefined too: the
    closed form of log(x)' = 1/x exists left of 0, log(x) does not.
    """
    x = point[var]
    scale = max(1.0, abs(x))
    probes = []
    for step in PROBE_STEPS:
        moved = dict(point)
        moved[var] = x + side * step * scale
        if function is not None and math.isnan(function.at(moved)):
            return None
        probes.append(evaluator.at(moved))
    if any(math.isnan(v) for v in probes):
        return None
    if any(math.isinf(v) for v in probes):
        inf = [v for v in probes if math.isinf(v)]
        return float(inf[-1])
    v1, v2, v3 = probes
    d1, d2 = v2 - v1, v3 - v2
    if abs(d2) <= 0.2 * abs(d1) + 1e-9 * (1 + abs(v3)):
        # Aitken's extrapolation: the differences shrink geometrically (by
        # 100x for an error linear in h, 10x for sqrt(h)), so the rest of the
        # series is d2 * r / (1 - r).
        ratio = d2 / d1 if d1 else 0.0
        limit = v3 + d2 * ratio / (1 - ratio) if 0 <= ratio < 1 else v3
        if abs(limit) <= 1e-12 * max(abs(v1), abs(v2), abs(v3)):
            limit = 0.0  # what is left is rounding: abs(x)**2 at 0 has slope 0
        # Ten significant digits: the extrapolation is not better than that.
        return float(f"{limit:.10g}")
    if abs(v3) > abs(v2) > abs(v1) and (v1 > 0) == (v2 > 0) == (v3 > 0):
        return math.inf if v3 > 0 else -math.inf
    return math.nan
