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
from dataclasses import dataclass
from typing import Any

from derivcli import numeric
from derivcli.errors import BudgetError, CannotComputeError, DerivcliError
from derivcli.parser import Expression
from derivcli.points import PointSet, sample_points
from derivcli.results import (
    TOLERANCES,
    DerivativeResult,
    Report,
    Sample,
    format_number,
    values_agree,
)

DEFAULT_BUDGET = 5.0  # seconds for the symbolic stage
SAMPLE_COUNT = 5


@dataclass(frozen=True)
class Settings:
    device: str = "cpu"
    dtype: str = "float64"
    rtol: float | None = None
    atol: float | None = None
    budget: float = DEFAULT_BUDGET

    @property
    def tolerances(self) -> tuple[float, float]:
        rtol, atol = TOLERANCES[self.dtype]
        return (
            self.rtol if self.rtol is not None else rtol,
            self.atol if self.atol is not None else atol,
        )


def _symbolic_entry(request: Any) -> Any:
    # Runs in the worker: symengine and sympy are imported there, not here.
    from derivcli import analysis

    return analysis.run_cached(request)


class OneShotRunner:
    """Runs each symbolic request in its own forked child (one command, one fork)."""

    def submit(self, payload: Any) -> Any:
        from derivcli.worker import Job

        return Job(_symbolic_entry, payload)


def persistent_runner() -> Any:
    """A runner that keeps one worker for many requests (batch mode)."""
    from derivcli.worker import PersistentWorker

    return PersistentWorker(_symbolic_entry)


def compute(
    expression: Expression,
    derivatives: Sequence[tuple[str, ...]],
    points: PointSet | None,
    settings: Settings,
    runner: Any = None,
) -> Report:
    """Differentiate ``expression`` both ways at ``points`` (or at samples)."""
    sampled = points is None
    pts = sample_points(expression.variables, SAMPLE_COUNT) if points is None else points
    started = time.monotonic()
    from derivcli.analysis import make_request

    request = make_request(expression, derivatives, pts, settings.budget)
    job = (runner or OneShotRunner()).submit(request)
    try:
        values = numeric.autograd(
            expression.tree,
            expression.variables,
            pts.columns,
            pts.count,
            derivatives,
            dtype=settings.dtype,
            device=settings.device,
        )
    except DerivcliError:
        job.cancel()
        raise
    except (RuntimeError, ValueError, TypeError, OverflowError) as exc:
        job.cancel()
        raise CannotComputeError(f"autograd failed: {exc}") from None
    budget_note = None
    try:
        response = job.result(started + settings.budget)
    except BudgetError as exc:
        response, budget_note = None, f"{exc}; the autograd value is shown without it"
    rtol, atol = settings.tolerances
    results: list[DerivativeResult] = []
    for k, wrt in enumerate(derivatives):
        analysed = None if response is None else response.derivatives[k]
        if sampled:
            results.append(
                _sampled_result(
                    wrt, analysed, values.derivatives[k], response, pts, rtol, atol, budget_note
                )
            )
        else:
            for i in range(pts.count):
                results.append(
                    _point_result(wrt, analysed, values, k, i, pts, rtol, atol, budget_note)
                )
    return Report(
        expression=str(expression),
        source=expression.source,
        device=settings.device,
        dtype=settings.dtype,
        rtol=rtol,
        atol=atol,
        results=tuple(results),
        note=budget_note,
    )


def _point_tuple(points: PointSet, i: int) -> tuple[tuple[str, float], ...]:
    return tuple((name, points.columns[name][i]) for name in points.names)


def _point_result(
    wrt: tuple[str, ...],
    analysed: Any,
    values: numeric.AutogradValues,
    k: int,
    i: int,
    points: PointSet,
    rtol: float,
    atol: float,
    budget_note: str | None,
) -> DerivativeResult:
    auto = float(values.derivatives[k][i])
    point = _point_tuple(points, i)
    if analysed is None:
        return DerivativeResult(
            wrt=wrt,
            derivative=None,
            point=point,
            symbolic=None,
            autograd=auto,
            agree=None,
            note=budget_note,
        )
    sym = analysed.values[i]
    agree = values_agree(sym, auto, rtol, atol)
    special = analysed.special.get(i)
    if special is None:
        note = None
        if not (math.isfinite(sym) and math.isfinite(auto)):
            note = "the value is not a finite float64 number"
            agree = False
        return DerivativeResult(
            wrt=wrt,
            derivative=analysed.text,
            point=point,
            symbolic=sym,
            autograd=auto,
            agree=agree,
            differentiable=True,
            note=note,
        )
    return DerivativeResult(
        wrt=wrt,
        derivative=analysed.text,
        point=point,
        symbolic=sym,
        autograd=auto,
        agree=agree,
        differentiable=special.differentiable,
        left=special.left,
        right=special.right,
        note=explain(special, sym, auto, wrt[-1], dict(point)),
    )


def _sampled_result(
    wrt: tuple[str, ...],
    analysed: Any,
    auto_values: list[float],
    response: Any,
    points: PointSet,
    rtol: float,
    atol: float,
    budget_note: str | None,
) -> DerivativeResult:
    if analysed is None:
        return DerivativeResult(
            wrt=wrt,
            derivative=None,
            point=None,
            symbolic=None,
            autograd=None,
            agree=None,
            note=budget_note,
        )
    samples = []
    for i in range(points.count):
        sym, auto = analysed.values[i], float(auto_values[i])
        if (
            i in analysed.special
            or not math.isfinite(sym)
            or not math.isfinite(response.function_values[i])
        ):
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
    note = (
        f"checked against autograd at {len(samples)} sample points"
        f" (largest |difference| {worst:.3g})"
    )
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
