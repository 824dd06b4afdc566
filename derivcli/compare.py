"""Stage 4 of the pipeline: run both engines and compare them.

``compute`` starts the symbolic stage in its budgeted worker, runs autograd in
this process meanwhile, and joins the two into a :class:`~derivcli.results.Report`:
one :class:`~derivcli.results.DerivativeResult` per derivative and point (or
per derivative, checked at sample points, when no point was given).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Protocol

from derivcli.autograd import values as numeric
from derivcli.errors import (
    BudgetError,
    CannotComputeError,
    DerivcliError,
    LimitError,
)
from derivcli.language.parser import Expression
from derivcli.language.points import PointSet, sample_points
from derivcli.language.tree import count_nodes
from derivcli.options import Settings
from derivcli.results import (
    DerivativeResult,
    Report,
    Sample,
    format_number,
    values_agree,
)

# autograd gets --timeout too, but never less than this: when the closed form
# runs out of time, the autograd value is what the user still gets.
MIN_AUTOGRAD_BUDGET = 2.0
SAMPLE_COUNT = 5
# Points times operations in the expression: one evaluation of every operation
# at every point, the least either engine must do. 10^8 is 100,000 points of a
# 1,000-operation expression (about a second for each engine on 2 cores);
# beyond it a run would spend its whole budget and end in exit 3, so it is
# refused at once instead.
MAX_WORK = 100_000_000


def check_work(expression: Expression, count: int, where: str = "--at") -> None:
    """Refuse ``count`` points of ``expression`` if that is more than MAX_WORK."""
    operations = count_nodes(expression.tree)
    if count * operations > MAX_WORK:
        raise LimitError(
            f"{where}: {count:,} points of a {operations:,}-operation expression is "
            f"{count * operations:,} evaluations; the limit is {MAX_WORK:,} "
            "(use fewer points or a shorter expression)"
        )


class Pending(Protocol):
    """A symbolic request on its way: its result by a deadline, or cancelled."""

    def result(self, deadline: float) -> Any: ...

    def cancel(self) -> None: ...


class Runner(Protocol):
    """Where symbolic requests run: a fresh child each, or one long-lived worker."""

    def submit(self, payload: Any) -> Pending: ...

    def stop(self) -> None: ...


def _symbolic_entry(request: Any) -> Any:
    # Runs in the worker: symengine and sympy are imported there, not here.
    from derivcli.symbolic import analysis

    return analysis.run_cached(request)


class OneShotRunner:
    """Runs each symbolic request in its own forked child (one command, one fork)."""

    def submit(self, payload: Any) -> Pending:
        from derivcli.worker import Job

        return Job(_symbolic_entry, payload)

    def stop(self) -> None:
        """Nothing lives between requests."""


def persistent_runner() -> Runner:
    """A runner that keeps one worker for many requests (batch mode)."""
    from derivcli.worker import PersistentWorker

    return PersistentWorker(_symbolic_entry)


def compute(
    expression: Expression,
    derivatives: Sequence[tuple[str, ...]],
    points: PointSet | None,
    settings: Settings,
    runner: Runner | None = None,
) -> Report:
    """Differentiate ``expression`` both ways at ``points`` (or at samples).

    Each engine has a time budget: the closed form ``settings.budget`` from
    now, autograd at least MIN_AUTOGRAD_BUDGET from when its graph is built.
    Whichever side does not finish in its budget is left out of the results
    with a note (exit 3), and the other side's answer is still shown.
    """
    from derivcli.symbolic.analysis import make_request

    sampled = points is None
    pts = sample_points(expression.variables, SAMPLE_COUNT) if points is None else points
    check_work(expression, pts.count)
    started = time.monotonic()
    deadline = started + settings.budget
    request = make_request(expression, derivatives, pts, settings.budget)
    job = (runner or OneShotRunner()).submit(request)
    notes = []
    values: numeric.AutogradValues | None
    try:
        values = numeric.autograd(
            expression.tree,
            expression.variables,
            pts.columns,
            pts.count,
            derivatives,
            dtype=settings.dtype,
            device=settings.device,
            budget=max(settings.budget, MIN_AUTOGRAD_BUDGET),
            threads=numeric.threads_beside_worker(),
        )
    except BudgetError as exc:
        values = None
        notes.append(f"{exc}; the closed form is shown without it")
    except DerivcliError:
        job.cancel()
        raise
    except (RuntimeError, ValueError, TypeError, OverflowError) as exc:
        job.cancel()
        raise CannotComputeError(f"autograd failed: {exc}") from None
    try:
        response = job.result(deadline)
    except BudgetError as exc:
        response = None
        notes.append(f"{exc}; the autograd value is shown without it")
    if response is None and values is None:
        raise BudgetError(
            f"neither the closed form nor autograd finished within {settings.budget:g} s "
            "(raise it with --timeout)"
        )
    rtol, atol = settings.tolerances
    results: list[DerivativeResult] = []
    for k, wrt in enumerate(derivatives):
        analysed = None if response is None else response.derivatives[k]
        auto = None if values is None else values.derivatives[k]
        forward = None if values is None else values.function
        softplus = None if values is None else values.past_softplus_threshold
        torch_kink = None if values is None else values.at_torch_kink
        if sampled:
            results.append(_sampled_result(wrt, analysed, auto, forward, response, pts, rtol, atol))
        else:
            results.extend(
                _with_torch_notes(
                    _point_result(wrt, analysed, auto, forward, i, pts, rtol, atol, settings.dtype),
                    past_threshold=softplus is not None and bool(softplus[i]),
                    at_torch_kink=torch_kink is not None and bool(torch_kink[i]),
                )
                for i in range(pts.count)
            )
    return Report(
        expression=str(expression),
        source=expression.source,
        device=settings.device,
        dtype=settings.dtype,
        rtol=rtol,
        atol=atol,
        results=tuple(results),
        note="; ".join(notes) or None,
    )


def _point_tuple(points: PointSet, i: int) -> tuple[tuple[str, float], ...]:
    return tuple((name, float(points.columns[name][i])) for name in points.names)


def _point_result(
    wrt: tuple[str, ...],
    analysed: Any,
    auto_values: Any,
    forward: Any,
    i: int,
    points: PointSet,
    rtol: float,
    atol: float,
    dtype: str = "float64",
) -> DerivativeResult:
    point = _point_tuple(points, i)
    auto = None if auto_values is None else float(auto_values[i])
    if analysed is None or auto is None:
        # One side ran out of budget: show the other, compare nothing.
        return DerivativeResult(
            wrt=wrt,
            derivative=None if analysed is None else analysed.text,
            point=point,
            symbolic=None if analysed is None else analysed.values[i],
            autograd=auto,
            agree=None,
            computable=False,
            note=_missing_note(analysed, auto_values),
        )
    sym = analysed.values[i]
    agree = values_agree(sym, auto, rtol, atol)
    special = analysed.special.get(i)
    common = {
        "wrt": wrt,
        "derivative": analysed.text,
        "point": point,
        "symbolic": sym,
        "autograd": auto,
    }
    if special is not None and special.reason == "overflow":
        return DerivativeResult(
            **common,
            agree=None,
            computable=False,
            note="the value is beyond float64's range (about 1.8e308), so neither side "
            "can give a number here; the closed form itself is exact",
        )
    if special is None and forward is not None and math.isnan(float(forward[i])):
        # The closed form was simplified (sqrt(x)**2 -> x) but the expression as
        # written is undefined here: torch's forward pass says so.
        return DerivativeResult(
            **common,
            agree=agree,
            differentiable=False,
            note=f"the expression as written is undefined at {_where(wrt[-1], point)} "
            "(autograd's forward pass gives nan), although its simplified closed form "
            "is not",
        )
    if special is None and math.isfinite(sym) and math.isnan(auto):
        # sqrt(x)**2 at 0: the closed form simplified to x, but the expression
        # as written has a singular point here (torch computes 0*inf).
        return DerivativeResult(
            **common,
            agree=False,
            differentiable=False,
            note=f"autograd gives nan at {_where(wrt[-1], point)}: the expression as written "
            "is singular here (for example at the edge of its domain), although its "
            "simplified closed form is not",
        )
    if special is not None and special.reason == "smooth-kink":
        return _smooth_kink_result(common, special, sym, auto, rtol, atol, wrt, point)
    if special is None:
        note = None
        if math.isfinite(sym) and not math.isfinite(auto) and abs(sym) > _largest(dtype):
            return DerivativeResult(
                **common,
                agree=None,
                computable=False,
                note=f"the value is beyond {dtype}'s range, so autograd cannot give it; "
                "the closed form's value is exact (try --dtype float64)",
            )
        if not (math.isfinite(sym) and math.isfinite(auto)):
            note = f"the value is not a finite {dtype} number"
            agree = False
        return DerivativeResult(**common, agree=agree, differentiable=True, note=note)
    return DerivativeResult(
        **common,
        agree=agree,
        differentiable=special.differentiable,
        left=special.left,
        right=special.right,
        note=explain(special, sym, auto, wrt[-1], dict(point)),
    )


SOFTPLUS_NOTE = (
    "torch's softplus returns its input unchanged above 20 (threshold=20), so "
    "autograd's derivatives there are exactly those of the input (slope 1, curvature 0), "
    "while the closed form's are sigmoid's"
)


TORCH_KINK_NOTE = (
    "torch computes the argument of a kinked function (relu, abs, max, ...) as exactly 0 "
    "here, so for autograd this point is a kink and it returns its convention there; the "
    "closed form, rounding differently, sees a point just beside the kink"
)


def _with_torch_notes(
    result: DerivativeResult, *, past_threshold: bool, at_torch_kink: bool
) -> DerivativeResult:
    """Explain a disagreement that comes from a torch convention."""
    if result.agree is not False or result.note:
        return result
    if at_torch_kink:
        return replace(result, note=TORCH_KINK_NOTE)
    if past_threshold:
        return replace(result, note=SOFTPLUS_NOTE)
    return result


def _missing_note(analysed: Any, auto_values: Any) -> str:
    if analysed is None:
        return "the closed form was not reached within the time budget (--timeout)"
    return "autograd did not finish within its time or memory budget"


def _smooth_kink_result(
    common: dict[str, Any],
    special: Any,
    sym: float,
    auto: float,
    rtol: float,
    atol: float,
    wrt: tuple[str, ...],
    point: tuple[tuple[str, float], ...],
) -> DerivativeResult:
    """A kink whose sides meet: the derivative exists and is the common limit.

    Both engines evaluate sign(0) = 0 and heaviside(0) = 1/2 there, so they can
    agree with each other on a value that is not the derivative (abs(x)**2 has
    second derivative 2 at 0; both say 0). Agreement means both match the limit.
    """
    limit = special.left
    sym_ok = values_agree(sym, limit, rtol, atol)
    auto_ok = values_agree(auto, limit, rtol, atol)
    where = _point_words(point)
    wrong = [name for name, ok in (("the closed form", sym_ok), ("autograd", auto_ok)) if not ok]
    if not wrong:
        note = (
            f"{', '.join(special.kinks)} has its kink at {where}, but the left and "
            "right derivatives meet, so the function is differentiable here"
        )
    else:
        note = (
            f"the derivative at {where} is {format_number(limit)} (the left and right "
            f"derivatives meet there), but {' and '.join(wrong)} "
            f"{'give' if len(wrong) > 1 else 'gives'} another value: the kink of "
            f"{', '.join(special.kinks)} is evaluated by convention "
            "(sign(0) = 0, heaviside(0) = 1/2, torch's subgradients)"
        )
    return DerivativeResult(
        **common,
        agree=not wrong,
        differentiable=True,
        left=special.left,
        right=special.right,
        note=note,
    )


def _point_words(point: tuple[tuple[str, float], ...]) -> str:
    return ", ".join(f"{name}={format_number(value)}" for name, value in point)


def _largest(dtype: str) -> float:
    return 3.4028234663852886e38 if dtype == "float32" else 1.7976931348623157e308


def _where(var: str, point: tuple[tuple[str, float], ...]) -> str:
    return f"{var}={format_number(dict(point)[var])}"


def _sampled_result(
    wrt: tuple[str, ...],
    analysed: Any,
    auto_values: Any,
    forward: Any,
    response: Any,
    points: PointSet,
    rtol: float,
    atol: float,
) -> DerivativeResult:
    if analysed is None or auto_values is None:
        return DerivativeResult(
            wrt=wrt,
            derivative=None if analysed is None else analysed.text,
            point=None,
            symbolic=None,
            autograd=None,
            agree=None,
            computable=False,
            note=_missing_note(analysed, auto_values),
        )
    samples = []
    for i in range(points.count):
        sym, auto = analysed.values[i], float(auto_values[i])
        defined = (
            math.isfinite(sym)
            and math.isfinite(response.function_values[i])
            and (forward is None or math.isfinite(float(forward[i])))
        )
        if i in analysed.special or not defined:
            continue
        samples.append(
            Sample(
                point=_point_tuple(points, i),
                symbolic=sym,
                autograd=auto,
                agree=values_agree(sym, auto, rtol, atol),
            )
        )
    if not samples:
        return DerivativeResult(
            wrt=wrt,
            derivative=analysed.text,
            point=None,
            symbolic=None,
            autograd=None,
            agree=None,
            note="no sample point where the function is defined; give --at",
        )
    agree = all(s.agree for s in samples)
    worst = max(abs(s.symbolic - s.autograd) for s in samples)
    skipped = points.count - len(samples)
    where = (
        f"{len(samples)} sample points"
        if not skipped
        else (
            f"{len(samples)} of {points.count} sample points ({skipped} skipped: undefined "
            "there, or at a kink)"
        )
    )
    note = f"checked against autograd at {where}; largest |difference| {worst:.3g}"
    return DerivativeResult(
        wrt=wrt,
        derivative=analysed.text,
        point=None,
        symbolic=None,
        autograd=None,
        agree=agree,
        note=note,
        samples=tuple(samples),
    )


_AUTOGRAD_CONVENTIONS = {
    "relu": "torch.nn.functional.relu's gradient at 0 is 0",
    "abs": "torch.abs's gradient at 0 is 0",
    "max": "torch.maximum splits the gradient 0.5/0.5 at a tie",
    "min": "torch.minimum splits the gradient 0.5/0.5 at a tie",
    "sign": "torch.sign's gradient is 0 everywhere",
    "heaviside": "a step's gradient is 0 everywhere",
}
_SYMBOLIC_CONVENTIONS = {
    "relu": "heaviside(0) = 1/2",
    "abs": "sign(0) = 0",
    "max": "heaviside(0) = 1/2",
    "min": "heaviside(0) = 1/2",
}


def _fmt(value: float | None) -> str:
    if value is None:
        return "undefined"
    return format_number(value)


def _one_sided(value: float, special: Any) -> bool:
    """Whether ``value`` is the left or the right derivative at a special point."""
    return any(
        side is not None
        and math.isfinite(side)
        and math.isclose(value, side, rel_tol=1e-9, abs_tol=1e-15)
        for side in (special.left, special.right)
    )


def explain(special: Any, sym: float, auto: float, var: str, point: dict[str, float]) -> str:
    """One or two sentences on why a point is special, and which engine to believe."""
    where = f"{var}={format_number(point[var])}"
    sides = f"left derivative {_fmt(special.left)}, right {_fmt(special.right)}"
    if special.reason == "undefined-function":
        if special.left is None and special.right is None:
            return f"the function is undefined at {where} (outside its real domain)"
        return f"the function is not finite at {where}; {sides}"
    if special.reason == "smooth-kink":
        return (
            f"{', '.join(special.kinks)} has its kink at {where}, but the left and right "
            "derivatives agree, so the function is differentiable here"
        )
    if special.reason == "kink":
        names = ", ".join(special.kinks)
        if _one_sided(auto, special) and _one_sided(sym, special):
            # abs(x*0.1 - 0.3) at x=3: on the kink exactly, but float64 puts the
            # argument at 5.6e-17, so neither engine uses its value at 0.
            return (
                f"kink of {names} at {where}: {sides}; in float64 the kink's argument is "
                f"not exactly 0 here, so autograd ({format_number(auto)}) and the closed "
                f"form ({format_number(sym)}) each return a one-sided derivative"
            )
        conventions = "; ".join(
            [_AUTOGRAD_CONVENTIONS[n] for n in special.kinks if n in _AUTOGRAD_CONVENTIONS]
            + [
                f"the closed form uses {_SYMBOLIC_CONVENTIONS[n]}"
                for n in special.kinks
                if n in _SYMBOLIC_CONVENTIONS
            ]
        )
        return (
            f"kink of {names} at {where}: {sides}; autograd returns "
            f"{format_number(auto)}, the closed form {format_number(sym)} ({conventions})"
        )
    if special.reason == "removable":
        return (
            f"the closed form is undefined at {where} (0/0) and autograd gives "
            f"{format_number(auto)}, but the derivative exists: the function is continuous "
            f"and its slope tends to {_fmt(special.left)} from both sides"
        )
    if special.reason == "jump":
        return (
            f"kink of {', '.join(special.kinks)}: {special.detail}, so there is no "
            f"derivative there; autograd returns {format_number(auto)}"
        )
    if special.reason == "domain-edge":
        inside = "right" if special.left is None else "left"
        return (
            f"{where} is at the edge of the function's real domain: it is undefined on the "
            f"{'left' if inside == 'right' else 'right'}, so only the {inside} derivative "
            f"exists ({sides})"
        )
    if special.reason == "function-overflow":
        return (
            f"f itself is beyond float64's range at {where} though its derivative is not; "
            f"the closed form's value is exact, autograd's ({format_number(auto)}) suffers "
            "from the overflow"
        )
    if special.left is None and special.right is None and math.isnan(sym):
        return f"the derivative is undefined at {where} (outside the real domain)"
    infinite = [s for s in (special.left, special.right) if s is not None and math.isinf(s)]
    text = f"the derivative is not finite at {where}: {sides}"
    if infinite and math.isfinite(auto):
        side = "+" if special.right is not None and math.isinf(special.right) else "-"
        text += (
            f"; autograd returned {format_number(auto)}, which is wrong here: the "
            f"derivative diverges to {format_number(infinite[-1])} as {var} -> "
            f"{format_number(point[var])}{side}"
        )
    return text
