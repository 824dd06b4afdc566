"""Stage 4 of the pipeline: run both engines and compare them.

``compute`` starts the symbolic stage in its budgeted worker (which begins
differentiating at once), makes the points with torch meanwhile and sends
them over, runs autograd in this process, and joins the two into a
:class:`~derivcli.results.Report`: one
:class:`~derivcli.results.DerivativeResult` per derivative and point (or per
derivative, checked at sample points, when no point was given).

The verdict at a point follows from the symbolic analysis
(``symbolic/analysis.py``): at a regular point the closed form's exact value
is the derivative and autograd agrees with it or not; elsewhere the point is
not differentiable, or the derivative exists and is the common one-sided
value, or it is too large for the dtype. What to say about it is
``explain.py``'s.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from derivcli import explain
from derivcli.errors import BudgetError, CannotComputeError, DerivcliError, LimitError
from derivcli.language.parser import Expression
from derivcli.language.points import PointSet, PointSpec, sample_points
from derivcli.language.tree import count_nodes
from derivcli.options import Settings
from derivcli.results import DerivativeResult, Report, Sample, values_agree
from derivcli.results import count as plural

if TYPE_CHECKING:
    from derivcli.autograd.values import AutogradValues
    from derivcli.symbolic.analysis import (
        DerivativeAnalysis,
        PointAnalysis,
        SymbolicRequest,
        SymbolicResponse,
    )
    from derivcli.worker import Pending

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
            f"{where}: {plural(count, 'point')} of a {operations:,}-operation expression is "
            f"{count * operations:,} evaluations; the limit is {MAX_WORK:,} "
            "(use fewer points or a shorter expression)"
        )


class Runner(Protocol):
    """Where symbolic requests run: a worker process with its caches."""

    def submit(self, payload: Any, *more: Any) -> Pending:
        """Send a request (and further messages for it, in the same write)."""
        ...

    def stop(self) -> None: ...


def _serve(request: SymbolicRequest, receive: Any) -> SymbolicResponse:
    # Runs in the worker: symengine is imported there, not here.
    from derivcli.symbolic import analysis

    return analysis.serve(request, receive)


def new_runner() -> Runner:
    """A worker process for symbolic requests (forked on the first one)."""
    from derivcli.worker import Worker

    return Worker(_serve)


def compute(
    expression: Expression,
    derivatives: Sequence[tuple[str, ...]],
    points: PointSpec | PointSet | None,
    settings: Settings,
    runner: Runner | None = None,
    engine: Callable[..., AutogradValues] | None = None,
) -> Report:
    """Differentiate ``expression`` both ways at ``points`` (or at samples).

    Each engine has a time budget: the closed form ``settings.budget`` from
    when the worker can start on it, autograd at least MIN_AUTOGRAD_BUDGET
    from when its graph is built. Whichever side does not finish in its
    budget is left out of the results with a note (exit 3), and the other
    side's answer is still shown. ``runner``: a long-lived worker (batch, the
    library); without one, a worker is started for this call and stopped
    after it. ``engine``: what computes the autograd side, called like
    ``autograd.values.autograd`` (``derivcli hessian`` and ``jacobian`` pass
    torch.autograd.functional's).
    """
    return begin(expression, derivatives, points, settings, runner, engine).finish()


def begin(
    expression: Expression,
    derivatives: Sequence[tuple[str, ...]],
    points: PointSpec | PointSet | None,
    settings: Settings,
    runner: Runner | None = None,
    engine: Callable[..., AutogradValues] | None = None,
) -> Computation:
    """The first half of :func:`compute`: the symbolic request and its points go
    to the worker, which starts on them at once; autograd, the wait for the
    closed form and the verdicts are left to :meth:`Computation.finish`.

    In between, the caller may run other work in this process: ``derivcli
    batch`` runs the previous line's autograd while the worker differentiates
    this line.
    """
    from derivcli.autograd import values as autograd
    from derivcli.symbolic.analysis import make_request

    spec = sample_points(expression.variables, SAMPLE_COUNT) if points is None else points
    check_work(expression, spec.count)
    worker = new_runner() if runner is None else runner
    request = make_request(expression, derivatives, settings.budget, settings.dtype)
    try:
        if isinstance(spec, PointSpec) and autograd.points_need_torch(spec, settings.dtype):
            # Sent before torch makes the points: the worker differentiates
            # meanwhile (in a cold command, while this process imports torch).
            pending = worker.submit(request)
            try:
                pts = autograd.make_points(spec, settings.dtype)
            except BaseException:
                pending.cancel()
                raise
            # The worker's budget runs from here: waiting for the points is not work.
            pending.send(pts)
        else:
            # Numbers need no torch: the request and its points go in one write,
            # which wakes the worker once (batch lines are many and short).
            pts = (
                autograd.make_points(spec, settings.dtype) if isinstance(spec, PointSpec) else spec
            )
            pending = worker.submit(request, pts)
    except BaseException as exc:
        if runner is None:
            worker.stop()
        if isinstance(exc, (RuntimeError, ValueError, TypeError, OverflowError)):
            raise CannotComputeError(f"autograd failed: {exc}") from None
        raise
    return Computation(
        expression,
        tuple(derivatives),
        pts,
        points is None,
        settings,
        pending,
        engine,
        worker if runner is None else None,
    )


class Computation:
    """A :func:`compute` under way: the worker has its request and points."""

    def __init__(
        self,
        expression: Expression,
        derivatives: tuple[tuple[str, ...], ...],
        points: PointSet,
        sampled: bool,
        settings: Settings,
        pending: Pending,
        engine: Callable[..., AutogradValues] | None,
        own_runner: Runner | None,
    ) -> None:
        self.expression = expression
        self.derivatives = derivatives
        self.points = points
        self.sampled = sampled
        self.settings = settings
        self.pending = pending
        self.engine = engine
        self.own_runner = own_runner
        self.unavailable = ""  # why torch gave no values, when it cannot compute them
        # f at each point, exactly (nan: undefined), once finish() has the closed
        # form's response; None before, or when it ran out of budget
        self.function_values: list[float] | None = None
        # points where f's exact value is left to rounding (not undefined): why
        self.function_lost: dict[int, str] = {}

    def finish(self) -> Report:
        """Run autograd here, collect the closed form, and join the two."""
        try:
            values, response, notes = self._both()
        finally:
            if self.own_runner is not None:
                self.own_runner.stop()
        if response is not None:
            self.function_values = response.function_values
            self.function_lost = response.lost
        if response is None and values is None:
            budget = self.settings.budget
            autograd_budget = max(budget, MIN_AUTOGRAD_BUDGET)
            if autograd_budget == budget:
                raise BudgetError(
                    f"neither the closed form nor autograd finished within {budget:g} s "
                    "(raise it with --timeout)"
                )
            # autograd had more than --timeout: each side's own budget
            raise BudgetError(
                f"neither side finished in its time budget: the closed form had {budget:g} s, "
                f"autograd {autograd_budget:g} s (--timeout, at least "
                f"{MIN_AUTOGRAD_BUDGET:g} s for autograd); raise it with --timeout"
            )
        if response is not None and response.approximate:
            notes.append(
                f"{response.approximate:,} closed-form values of this long grid were computed in "
                "float64 where that is accurate to 1e-10; the others exactly"
            )
        if response is not None and response.outside:
            notes.append(
                f"{response.outside:,} results of this long grid are at points where float64 "
                "finds f undefined, an argument past the end of its domain by more than its "
                "error there"
            )
        notes.extend(explain.held(self.points.moved, self.settings.dtype, self.points.moved_grids))
        settings = self.settings
        rtol, atol = settings.tolerances
        text = str(self.expression)  # printed once: every regular point's note may quote it
        joined = _Joined(text, self.points, response, values, rtol, atol, settings.dtype)
        joined.autograd_missing = self.unavailable
        results: list[DerivativeResult] = []
        for k, wrt in enumerate(self.derivatives):
            if self.sampled:
                results.append(joined.sampled(k, wrt))
            else:
                results.extend(joined.at_point(k, wrt, i) for i in range(self.points.count))
        return Report(
            expression=text,
            source=self.expression.source,
            device=settings.device,
            dtype=settings.dtype,
            rtol=rtol,
            atol=atol,
            results=tuple(results),
            note="; ".join(notes) or None,
        )

    def _both(self) -> tuple[AutogradValues | None, SymbolicResponse | None, list[str]]:
        """Autograd's values and the worker's response, each None if out of budget."""
        from derivcli.autograd import values as autograd

        settings, pts = self.settings, self.points
        notes: list[str] = []
        try:
            values: AutogradValues | None = (self.engine or autograd.autograd)(
                self.expression.tree,
                self.expression.variables,
                pts.columns,
                pts.count,
                self.derivatives,
                dtype=settings.dtype,
                device=settings.device,
                budget=max(settings.budget, MIN_AUTOGRAD_BUDGET),
                threads=autograd.threads_beside_worker(),
            )
        except BudgetError as exc:
            values = None
            self.unavailable = str(exc)  # each result's note, and the error line, say which
        except DerivcliError:
            self.pending.cancel()
            raise
        except RuntimeError as exc:
            if "is not implemented" not in str(exc):
                self.pending.cancel()
                raise CannotComputeError(f"autograd failed: {exc}") from None
            # torch has no formula for this derivative (hardsigmoid twice)
            values = None
            self.unavailable = f"torch cannot compute this derivative ({_one_line(exc)})"
            notes.append(f"{self.unavailable}; the closed form is shown without it")
        except (ValueError, TypeError, OverflowError) as exc:
            self.pending.cancel()
            raise CannotComputeError(f"autograd failed: {exc}") from None
        except BaseException:
            # Ctrl-C (KeyboardInterrupt) or anything unforeseen: the answer will
            # never be read, and a long-lived worker must not keep it first in
            # line, where every later request's answer would wait behind it
            self.pending.cancel()
            raise
        try:
            response: SymbolicResponse | None = self.pending.result(settings.budget)
        except BudgetError as exc:
            response = None
            notes.append(f"{exc}; the autograd value is shown without it")
        return values, response, notes


class _Joined:
    """Both engines' answers for one run, read result by result."""

    def __init__(
        self,
        expression: str,
        points: PointSet,
        response: SymbolicResponse | None,
        values: AutogradValues | None,
        rtol: float,
        atol: float,
        dtype: str,
    ) -> None:
        self.expression = expression
        self.points = points
        self.response = response
        self.values = values
        self.rtol, self.atol = rtol, atol
        self.dtype = dtype
        # why autograd has no values, when it has none (see explain.missing)
        self.autograd_missing = ""

    def point(self, i: int) -> tuple[tuple[str, float], ...]:
        return tuple((name, float(self.points.columns[name][i])) for name in self.points.names)

    def analysed(self, k: int) -> DerivativeAnalysis | None:
        return None if self.response is None else self.response.derivatives[k]

    def autograd(self, k: int, i: int) -> float | None:
        return None if self.values is None else float(self.values.derivatives[k][i])

    def at_point(self, k: int, wrt: tuple[str, ...], i: int) -> DerivativeResult:
        result = self._at_point(k, wrt, i)
        if self.values is None or result.agree is not False or result.note:
            return result
        # a disagreement that one of torch's own conventions explains
        flags = (self.values.at_torch_kink, self.values.past_softplus_threshold)
        kink, softplus = (flag is not None and bool(flag[i]) for flag in flags)
        if kink:
            return replace(result, note=explain.TORCH_KINK_NOTE)
        if softplus:
            return replace(result, note=explain.SOFTPLUS_NOTE)
        sym, auto = result.symbolic, result.autograd
        if sym is not None and auto is not None and math.isfinite(sym) and math.isfinite(auto):
            return replace(result, note=explain.lost_accuracy(sym, auto, self.dtype))
        return result

    def _at_point(self, k: int, wrt: tuple[str, ...], i: int) -> DerivativeResult:
        analysed = self.analysed(k)
        auto = self.autograd(k, i)
        point = self.point(i)
        special_here = None if analysed is None else analysed.special.get(i)
        if auto is None and special_here is not None and special_here.differentiable is False:
            # torch gave no value, but the analysis alone says there is no
            # derivative here: that is the verdict (exit 1), not "not computed"
            assert analysed is not None
            return DerivativeResult(
                wrt=wrt,
                derivative=analysed.text,
                point=point,
                symbolic=analysed.values[i],
                autograd=None,
                agree=None,
                differentiable=False,
                left=special_here.left,
                right=special_here.right,
                note=explain.not_differentiable(
                    special_here, analysed.values[i], math.nan, wrt[-1], dict(point), order=len(wrt)
                )
                + f"; {explain.missing(False, self.autograd_missing)}",
            )
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
                note=explain.missing(analysed is None, self.autograd_missing),
            )
        sym = analysed.values[i]
        special = analysed.special.get(i)
        common: dict[str, Any] = {
            "wrt": wrt,
            "derivative": analysed.text,
            "point": point,
            "autograd": auto,
            "left": None,
            "right": None,
        }
        if special is None:
            return self._regular(common, sym, auto, i)
        return self._special(common, special, sym, auto, wrt[-1], self._torch_on_kink(i))

    def _torch_on_kink(self, i: int) -> bool | None:
        """Whether torch computed some kinked function's argument as exactly 0 here."""
        flags = None if self.values is None else self.values.at_torch_kink
        return None if flags is None else bool(flags[i])

    def _regular(self, common: dict[str, Any], sym: float, auto: float, i: int) -> DerivativeResult:
        assert self.response is not None
        agree = values_agree(sym, auto, self.rtol, self.atol)
        forward = None if self.values is None else float(self.values.function[i])
        overflow = self.response.overflows.get(i)
        passing = None
        if overflow is not None and i not in self.response.beyond:
            # only a part of f is past the range: f and whether torch still got it
            f = self.response.function_values[i]
            right = forward is not None and values_agree(f, forward, self.rtol, self.atol)
            passing = explain.Passing(f, right)
        note = explain.regular(
            sym, auto, agree, self.dtype, overflow, forward, self.expression, passing
        )
        return DerivativeResult(**common, symbolic=sym, agree=agree, differentiable=True, note=note)

    def _special(
        self,
        common: dict[str, Any],
        special: PointAnalysis,
        sym: float,
        auto: float,
        var: str,
        torch_on_kink: bool | None,
    ) -> DerivativeResult:
        from derivcli.symbolic.analysis import Reason

        where = dict(common["point"])
        common = {**common, "left": special.left, "right": special.right}
        if special.reason is Reason.OVERFLOW:
            # the sides' common value where the analysis has one (the closed form's
            # may be a kink's convention)
            shown = sym if special.value is None else special.value
            return DerivativeResult(
                **common,
                symbolic=shown,
                agree=None,
                computable=False,
                note=explain.overflow(self.dtype, shown),
            )
        if special.reason is Reason.OUT_OF_RANGE:
            return DerivativeResult(
                **common,
                symbolic=None,
                agree=None,
                differentiable=None,
                computable=False,
                note=explain.out_of_range(special),
                lost=special.detail if special.lost else "",
            )
        if special.reason is Reason.UNDECIDED:
            return DerivativeResult(
                **common,
                symbolic=sym,
                agree=None,
                differentiable=None,
                computable=False,
                note=explain.undecided(special, var, where),
            )
        if special.differentiable:
            assert special.value is not None
            true = special.value
            # The closed form has no value here (0/0) or a conventional one
            # (sign(0) = 0): the derivative is the sides' common limit, shown as
            # the symbolic value, and autograd is measured against it (at 0,
            # abs(x)*sign(x) has derivative 1; its closed form sign(x)**2 gives 0)
            # (a REMOVABLE point's closed form may have a value after all: f flat
            # all around, its own quotients failing beside it, as with
            # hardswish(x - 10)*abs(x)*sqrt(((x*2**1023)**2 - 1)**2 - 0.25) at 0)
            undefined = not math.isfinite(sym)
            closed_ok = undefined or values_agree(sym, true, self.rtol, self.atol)
            auto_ok = values_agree(auto, true, self.rtol, self.atol)
            return DerivativeResult(
                **common,
                symbolic=true,
                agree=auto_ok,
                differentiable=True,
                note=explain.differentiable(
                    special, sym, auto, closed_ok, auto_ok, var, where, closed_undefined=undefined
                ),
            )
        return DerivativeResult(
            **common,
            symbolic=sym,
            agree=values_agree(sym, auto, self.rtol, self.atol),
            differentiable=False,
            note=explain.not_differentiable(
                special, sym, auto, var, where, torch_on_kink, order=len(common["wrt"])
            ),
        )

    def sampled(self, k: int, wrt: tuple[str, ...]) -> DerivativeResult:
        analysed = self.analysed(k)
        if analysed is None or self.values is None:
            return DerivativeResult(
                wrt=wrt,
                derivative=None if analysed is None else analysed.text,
                point=None,
                symbolic=None,
                autograd=None,
                agree=None,
                computable=False,
                note=explain.missing(analysed is None, self.autograd_missing),
            )
        assert self.response is not None
        samples = []
        for i in range(self.points.count):
            sym, auto = analysed.values[i], float(self.values.derivatives[k][i])
            if i in analysed.special or not math.isfinite(sym):
                continue
            samples.append(
                Sample(
                    point=self.point(i),
                    symbolic=sym,
                    autograd=auto,
                    agree=values_agree(sym, auto, self.rtol, self.atol),
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
        return DerivativeResult(
            wrt=wrt,
            derivative=analysed.text,
            point=None,
            symbolic=None,
            autograd=None,
            agree=all(s.agree for s in samples),
            note=explain.samples(samples, self.points.count),
            samples=tuple(samples),
        )


def _one_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
