"""Stage 2, run in the symbolic worker: closed forms, their values, kinks and domains.

For each requested derivative this differentiates step by step (``symbolic``),
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
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from derivcli.errors import BudgetError
from derivcli.functions import lookup_function
from derivcli.parser import Expression, parse
from derivcli.points import PointSet

# A kink argument this close to 0 counts as "at the kink".
KINK_TOLERANCE = 1e-12
# Steps, relative to max(1, |x|), at which the closed form is probed beside a point.
PROBE_STEPS = (1e-4, 1e-6, 1e-8)


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
    # "undefined-function", "kink", "infinite-derivative", "smooth-kink", "overflow"
    reason: str
    kinks: tuple[str, ...] = ()  # names of the kinked functions sitting at this point


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
    from derivcli import symbolic

    key = (source, wrt)
    if key not in _STEPS_CACHE:
        if len(_STEPS_CACHE) >= CACHE_SIZE:
            _STEPS_CACHE.pop(next(iter(_STEPS_CACHE)))
        _STEPS_CACHE[key] = symbolic.differentiate(expr, wrt, deadline=deadline)
    return _STEPS_CACHE[key]


def run(request: SymbolicRequest) -> SymbolicResponse:
    """The worker's entry point."""
    from derivcli import symbolic

    deadline = time.monotonic() + request.budget
    expression = parse(request.source)
    expr = symbolic.build(expression)
    names = request.names
    opaque = symbolic.has_opaque(expr)
    f_eval = symbolic.Evaluator(expr, names, opaque=opaque)
    f_values = f_eval.many(request.columns, request.count)
    results = []
    for wrt in request.derivatives:
        steps = _steps(expr, request.source, wrt, deadline)
        results.append(_analyse(steps, wrt, request, f_eval, f_values, opaque, deadline))
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
) -> DerivativeAnalysis:
    from derivcli import symbolic

    names = request.names
    derivative = steps[-1]
    d_eval = symbolic.Evaluator(derivative, names, opaque=opaque)
    values = d_eval.many(request.columns, request.count)
    kinks = [
        (name, symbolic.Evaluator(arg, names).many(request.columns, request.count))
        for name, arg in (_kink_arguments(steps[:-1]) if opaque else [])
    ]
    special: dict[int, PointAnalysis] = {}
    for i in range(request.count):
        at_kink = tuple(sorted({name for name, vals in kinks if abs(vals[i]) <= KINK_TOLERANCE}))
        regular = math.isfinite(f_values[i]) and math.isfinite(values[i]) and not at_kink
        if regular:
            continue
        if time.monotonic() > deadline:
            raise BudgetError("the time budget ran out while examining kinks and poles")
        point = {n: float(request.columns[n][i]) for n in names}
        var = wrt[-1]
        if _overflows(f_eval, f_values[i], point, var) or _overflows(d_eval, values[i], point, var):
            special[i] = PointAnalysis(None, None, None, "overflow", at_kink)
            continue
        left = one_sided_limit(d_eval, point, var, -1, function=f_eval)
        right = one_sided_limit(d_eval, point, var, +1, function=f_eval)
        special[i] = _classify(f_values[i], values[i], left, right, at_kink)
    return DerivativeAnalysis(
        wrt=wrt, text=symbolic.to_text(derivative), values=values, special=special
    )


def _overflows(evaluator: Any, value: float, point: Mapping[str, float], var: str) -> bool:
    """Infinite here and all around: a float64 overflow, not a pole or a kink."""
    if not math.isinf(value):
        return False
    x = point[var]
    scale = max(1.0, abs(x))
    for side in (-1, 1):
        moved = dict(point)
        moved[var] = x + side * PROBE_STEPS[0] * scale
        if not math.isinf(evaluator.at(moved)):
            return False
    return True


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


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
        h2, h3 = PROBE_STEPS[1], PROBE_STEPS[2]
        # Ten significant digits: the extrapolation is not better than that.
        return float(f"{v3 + d2 * h3 / (h2 - h3):.10g}")
    if abs(v3) > abs(v2) > abs(v1) and (v1 > 0) == (v2 > 0) == (v3 > 0):
        return math.inf if v3 > 0 else -math.inf
    return math.nan
