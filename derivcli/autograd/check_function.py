"""`derivcli check-function`: test a user's torch.autograd.Function.

The user's file is imported with ``importlib.util.spec_from_file_location``,
which RUNS it (as pytest does with a test file). The class's ``.apply`` is
then called in float64 at each point, one 0-d tensor at a time:

* forward: ``Fn.apply(x)`` against the expression's value (closed form,
  symengine, evaluated in the budgeted symbolic worker);
* backward: ``torch.autograd.grad(y, x, grad_outputs=g)`` for the upstream
  gradients in :data:`UPSTREAM`; the right result is ``g * f'(x)``;
* ``torch.autograd.gradcheck`` on all the points as one float64 vector.

Points where the expression or its derivative is undefined, or that sit on a
kink, are skipped. From the backward values a diagnosis names the usual bugs:
a backward that ignores ``grad_output``, one that is off by a constant
factor, or one that is wrong outright.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from derivcli.errors import ExitCode, InputError, LimitError
from derivcli.language.parser import Expression, parse
from derivcli.options import TOLERANCES
from derivcli.results import Displayed, count, format_number, values_agree

UPSTREAM = (1.0, 2.5, -0.75)  # upstream gradients (grad_output) tried in backward
SAMPLE_COUNT = 5
MAX_POINTS = 1_000  # each point is a separate call of the user's Function
GRADCHECK = {"eps": 1e-6, "atol": 1e-5, "rtol": 1e-3}
GRACE = 1.0  # extra seconds the parent waits for the symbolic worker

IGNORES_GRAD_OUTPUT = (
    "backward ignores grad_output: it returns f'(x) instead of grad_output * f'(x)"
)


@dataclass(frozen=True)
class PointCheck:
    x: float
    expected: float
    got: float | None  # None: the call failed or returned nothing
    agree: bool


@dataclass(frozen=True)
class CheckRow:
    name: str
    kind: str  # forward, backward or gradcheck
    grad_output: float | None
    passed: bool
    detail: str
    points: tuple[PointCheck, ...] = ()


@dataclass(frozen=True)
class FunctionReport(Displayed):
    target: str  # PATH:Class as given
    path: str
    class_name: str
    expression: str  # as understood
    source: str  # as typed
    variable: str
    derivative: str  # f'(x), closed form
    rtol: float
    atol: float
    checks: tuple[CheckRow, ...]
    diagnosis: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.checks)

    @property
    def exit_code(self) -> ExitCode:
        """What ``derivcli check-function`` exits with: 0 when every check passes."""
        return ExitCode.OK if self.passed else ExitCode.DISAGREE

    def to_dict(self) -> dict[str, Any]:
        """What --format json prints."""
        return report_json(self)

    def plain(self) -> str:
        return "pass" if self.passed else "fail"

    def rich(self) -> Any:
        from derivcli.render import function_table

        return function_table(self)


# ---------------------------------------------------------------- input


def parse_target(target: str) -> tuple[str, str]:
    """``PATH.py:ClassName`` -> (path, class name), checking both."""
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise InputError(f"'{target}' is not PATH.py:ClassName (e.g. my_square.py:MySquare)")
    if not (name.isascii() and name.isidentifier()):
        raise InputError(f"'{name}' in '{target}' is not a class name")
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if not os.path.isfile(path):
        raise InputError(f"{path}: not a file")
    return path, name


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def load_function(path: str, class_name: str) -> Any:
    """Import ``path`` (running it) and return its torch.autograd.Function subclass."""
    import importlib.util

    import torch

    absolute = os.path.abspath(path)
    digest = hashlib.sha256(absolute.encode()).hexdigest()[:12]
    stem = os.path.splitext(os.path.basename(path))[0]
    module_name = f"derivcli_user_{''.join(c if c.isalnum() else '_' for c in stem)}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, absolute)
    if spec is None or spec.loader is None:
        raise InputError(f"{path}: cannot be imported as a Python module (is it a .py file?)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    # Like pytest: the file's own folder is importable while it loads.
    folder = os.path.dirname(absolute)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the user's code, reported
        sys.modules.pop(module_name, None)
        raise InputError(f"{path}: importing it failed: {_one_line(exc)}") from None
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    found = getattr(module, class_name, None)
    if found is None:
        functions = sorted(
            name
            for name, value in vars(module).items()
            if isinstance(value, type)
            and issubclass(value, torch.autograd.Function)
            and value is not torch.autograd.Function
        )
        known = (
            f" (Function classes there: {', '.join(functions)})"
            if functions
            else (" (it defines no torch.autograd.Function subclass)")
        )
        raise InputError(f"{path}: no class '{class_name}'{known}")
    if not isinstance(found, type):
        raise InputError(
            f"{path}: '{class_name}' is not a class (it is of type {type(found).__name__}); "
            "name a torch.autograd.Function subclass"
        )
    if not issubclass(found, torch.autograd.Function) or found is torch.autograd.Function:
        bases = ", ".join(b.__name__ for b in found.__mro__[1:]) or "nothing"
        raise InputError(
            f"{path}: '{class_name}' is not a torch.autograd.Function subclass "
            f"(it derives from {bases})"
        )
    _require_one_input(path, class_name, found)
    return found


def _points_together(n: int) -> str:
    return f"the {n} points as one vector" if n > 1 else "at the one point"


def _require_one_input(path: str, class_name: str, found: type) -> None:
    """check-function feeds one tensor: a forward that needs more is refused up front."""
    import inspect

    try:
        parameters = list(inspect.signature(found.forward).parameters.values())  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return
    required = [
        p
        for p in parameters[1:]  # ctx
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if len(required) > 1:
        names = ", ".join(p.name for p in required)
        raise InputError(
            f"{path}: {class_name}.forward takes {len(required)} inputs ({names}); "
            "check-function checks a Function of one input against an expression of one "
            "variable"
        )


def _expression(text: str) -> Expression:
    expression = parse(text)
    if len(expression.variables) != 1:
        found = ", ".join(expression.variables) if expression.variables else "none"
        raise InputError(
            f"--expr '{text}' must have exactly one variable, the Function's input (found: {found})"
        )
    return expression


# ---------------------------------------------------------------- running


def _symbolic_entry(payload: Any) -> Any:
    # Runs in the worker: symengine is imported there, not here.
    from derivcli.symbolic import analysis, stencil

    request, points, eps = payload
    deadline = time.monotonic() + request.budget
    response = analysis.run(request, points)
    expression = request.parsed if request.parsed is not None else parse(request.source)
    xs = [float(v) for v in points.columns[expression.variables[0]]]
    return response, stencil.features_reached(expression, xs, eps, deadline)


# The user's Function gets at least this long (its own torch import included).
USER_CODE_SECONDS = 30.0
USER_CODE_GRACE = 5.0  # seconds beyond it, for torch's import


def check_in_child(target: str, expr: str, at: Sequence[str], timeout: float) -> FunctionReport:
    """run_checks in a child process: the user's prints go to stderr (JSON on stdout
    stays valid), and an os._exit or a hang cannot pass for "every check passes"."""
    from derivcli.errors import BudgetError
    from derivcli.worker import ChildExitedError, Job

    job = Job(run_checks_entry, (target, expr, list(at), timeout), user_code=True)
    allowed = max(timeout, USER_CODE_SECONDS) + USER_CODE_GRACE
    deadline = time.monotonic() + allowed
    try:
        report: FunctionReport = job.result(deadline)
    except ChildExitedError as exc:
        raise InputError(f"{target}: the file's code ended derivcli's process: {exc}") from None
    except BudgetError:
        if time.monotonic() < deadline:
            raise  # the closed form's own --timeout, reported as it is
        raise BudgetError(
            f"{target}: importing the file and running its Function did not finish within "
            f"{allowed:g} s (does forward or backward hang?)"
        ) from None
    return report


def run_checks_entry(args: tuple[str, str, list[str], float]) -> FunctionReport:
    """run_checks with one argument, for the worker process."""
    return run_checks(*args)


def run_checks(target: str, expr_text: str, at: Sequence[str], budget: float) -> FunctionReport:
    """Everything `check-function` does, from the arguments to the report."""
    from derivcli.autograd.values import make_points
    from derivcli.language.points import parse_at, sample_points
    from derivcli.options import check_timeout
    from derivcli.symbolic.analysis import Reason, make_request
    from derivcli.worker import Job

    check_timeout(budget)
    path, class_name = parse_target(target)
    expression = _expression(expr_text)
    variable = expression.variables[0]
    spec = (
        parse_at(at, expression.variables)
        if at
        else sample_points(expression.variables, SAMPLE_COUNT)
    )
    if spec.count > MAX_POINTS:
        raise LimitError(
            f"--at: {spec.count:,} points; check-function takes at most {MAX_POINTS:,}"
        )
    points = make_points(spec, "float64")  # may import torch: not the closed form's time
    request = make_request(expression, [(variable,)], budget)
    started = time.monotonic()
    job = Job(_symbolic_entry, (request, points, GRADCHECK["eps"]))
    try:
        function = load_function(path, class_name)
    except BaseException:
        job.cancel()
        raise
    response, reached = job.result(started + budget + GRACE)
    analysed = response.derivatives[0]
    xs: list[float] = []
    f_values: list[float] = []
    d_values: list[float] = []
    notes: list[str] = []
    # per point kept, whether gradcheck may use it (stencil.features_reached)
    gradcheck_ok: list[bool] = []
    gradcheck_notes: list[str] = []
    for i, x in enumerate(float(v) for v in points.columns[variable]):
        f, d = response.function_values[i], analysed.values[i]
        special = analysed.special.get(i)
        if special is not None and not special.differentiable:
            undefined = special.reason in (Reason.UNDEFINED, Reason.POLE)
            what = (
                f"kink of {', '.join(special.kinks)}"
                if special.kinks
                else "the expression is undefined or infinite there"
                if undefined
                else "the derivative does not exist there"
            )
            notes.append(f"skipped {variable}={format_number(x)}: {what}")
            continue
        if not (math.isfinite(f) and math.isfinite(d)):
            notes.append(
                f"skipped {variable}={format_number(x)}: the expression or its "
                "derivative is not finite there"
            )
            continue
        xs.append(x)
        f_values.append(f)
        d_values.append(d)
        what = reached.get(i)
        gradcheck_ok.append(what is None)
        if what is not None:
            eps = format_number(GRADCHECK["eps"])
            gradcheck_notes.append(
                f"gradcheck skipped {variable}={format_number(x)}: its finite difference "
                f"at {variable} +- {eps} reaches {what}"
            )
    if not xs:
        raise InputError(
            f"'{expr_text}' is not differentiable at any of the points; give others with --at"
        )
    rtol, atol = TOLERANCES["float64"]
    checks = _run_function(function, variable, xs, f_values, d_values, rtol, atol, gradcheck_ok)
    notes.extend(gradcheck_notes)
    return FunctionReport(
        target=target,
        path=path,
        class_name=class_name,
        expression=str(expression),
        source=expr_text,
        variable=variable,
        derivative=analysed.text,
        rtol=rtol,
        atol=atol,
        checks=tuple(checks),
        diagnosis=diagnose(checks, d_values, rtol, atol),
        notes=tuple(notes),
    )


def _scalar(torch: Any, value: Any, what: str) -> float:
    """The single number in a tensor the user's code returned, or a ValueError."""
    if value is None:
        raise ValueError(f"{what} returned None")
    if not isinstance(value, torch.Tensor):
        raise ValueError(f"{what} returned {type(value).__name__}, not a tensor")
    if value.numel() != 1:
        raise ValueError(f"{what} returned shape {list(value.shape)} for one number")
    return float(value.detach().reshape(()).item())


def _forward(torch: Any, function: Any, x: float) -> float:
    inp = torch.tensor(x, dtype=torch.float64)
    with torch.no_grad():
        return _scalar(torch, function.apply(inp), "forward")


class _ForwardFailed(Exception):
    """forward raised on the way to backward (its own error is the cause)."""


def _backward(torch: Any, function: Any, x: float, g: float) -> float:
    inp = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    try:
        out = function.apply(inp)
    except Exception as exc:  # noqa: BLE001 - the user's code, reported as forward's
        raise _ForwardFailed() from exc
    if not isinstance(out, torch.Tensor):
        raise ValueError(f"forward returned {type(out).__name__}, not a tensor")
    if out.grad_fn is None:
        raise ValueError("forward's result is not connected to autograd (no grad_fn)")
    (grad,) = torch.autograd.grad(out, inp, grad_outputs=torch.full_like(out, g), allow_unused=True)
    return _scalar(torch, grad, "backward")


def _short(value: float) -> str:
    """A value for a message: ten significant digits, no float noise."""
    return format_number(float(f"{value:.10g}")) if math.isfinite(value) else format_number(value)


def _point_row(
    name: str,
    kind: str,
    g: float | None,
    xs: Sequence[float],
    expected: Sequence[float],
    call: Any,
    variable: str,
    rtol: float,
    atol: float,
    what: str,
) -> CheckRow:
    results: list[PointCheck] = []
    failure: str | None = None
    for x, want in zip(xs, expected, strict=True):
        try:
            got: float | None = call(x)
        except Exception as exc:  # noqa: BLE001 - the user's code, reported
            got = None
            if failure is None and isinstance(exc, _ForwardFailed):
                assert exc.__cause__ is not None
                failure = (
                    f"at {variable}={_short(x)}: forward raised (backward never ran) "
                    + _one_line(exc.__cause__)
                )
            elif failure is None:
                failure = (
                    f"at {variable}={_short(x)}: {kind} raised "
                    if not isinstance(exc, ValueError) or "returned" not in str(exc)
                    else f"at {variable}={_short(x)}: "
                ) + _one_line(exc)
        results.append(
            PointCheck(
                x=x,
                expected=want,
                got=got,
                agree=got is not None and values_agree(got, want, rtol, atol),
            )
        )
    bad = [p for p in results if not p.agree]
    if not bad:
        return CheckRow(name, kind, g, True, f"matches {what}", tuple(results))
    first = bad[0]
    if failure is None:
        assert first.got is not None
        failure = (
            f"at {variable}={_short(first.x)}: got {_short(first.got)}, expected "
            f"{_short(first.expected)} = {what}"
        )
    detail = f"{failure} (fails at {len(bad)} of {count(len(results), 'point')})"
    return CheckRow(name, kind, g, False, detail, tuple(results))


def _run_function(
    function: Any,
    variable: str,
    xs: Sequence[float],
    f_values: Sequence[float],
    d_values: Sequence[float],
    rtol: float,
    atol: float,
    gradcheck_ok: Sequence[bool],
) -> list[CheckRow]:
    import torch

    rows = [
        _point_row(
            "forward",
            "forward",
            None,
            xs,
            f_values,
            lambda x: _forward(torch, function, x),
            variable,
            rtol,
            atol,
            f"f({variable})",
        )
    ]
    for g in UPSTREAM:
        expected = [g * d for d in d_values]
        what = f"f'({variable})" if g == 1 else f"{format_number(g)} * f'({variable})"
        rows.append(
            _point_row(
                f"backward, grad_output = {format_number(g)}",
                "backward",
                g,
                xs,
                expected,
                lambda x, g=g: _backward(torch, function, x, g),
                variable,
                rtol,
                atol,
                what,
            )
        )
    kept = [x for x, ok in zip(xs, gradcheck_ok, strict=True) if ok]
    rows.append(_gradcheck(torch, function, kept, len(xs) - len(kept)))
    return rows


def _gradcheck(torch: Any, function: Any, xs: Sequence[float], skipped: int = 0) -> CheckRow:
    """gradcheck on ``xs`` as one vector; ``skipped`` points were left out, their
    finite difference reaching a kink, jump or domain end of f (the notes name
    them): there it is not f'(x), and a correct Function fails."""
    from torch.autograd.gradcheck import GradcheckError

    left_out = (
        f" ({count(skipped, 'point')} within {format_number(GRADCHECK['eps'])} of a kink, "
        "jump or domain end left out)"
        if skipped
        else ""
    )
    if not xs:
        return CheckRow(
            "gradcheck",
            "gradcheck",
            None,
            True,
            f"not run: at every point its finite difference (+- "
            f"{format_number(GRADCHECK['eps'])}) reaches a kink, jump or domain end",
        )
    inp = torch.tensor(list(xs), dtype=torch.float64, requires_grad=True)
    try:
        shape = getattr(function.apply(inp), "shape", None)
    except Exception:  # noqa: BLE001 - the user's code: gradcheck reports it below
        shape = None
    if shape is not None and tuple(shape) != tuple(inp.shape):
        # (x**2).sum() is right at every point alone and passes gradcheck (it is
        # a function of the vector), but it is not the expression elementwise
        detail = (
            f"float64, {_points_together(len(xs))}: forward returns shape {list(shape)} "
            f"for an input of shape {list(inp.shape)}; the expression is elementwise"
        )
        return CheckRow("gradcheck", "gradcheck", None, False, detail)
    try:
        torch.autograd.gradcheck(function.apply, (inp,), raise_exception=True, **GRADCHECK)
    except GradcheckError as exc:
        text = str(exc).strip()
        first = text.splitlines()[0].rstrip(",.:") if text else "failed"
        return CheckRow("gradcheck", "gradcheck", None, False, f"float64{left_out}: {first}")
    except Exception as exc:  # noqa: BLE001 - the user's code, reported
        return CheckRow(
            "gradcheck", "gradcheck", None, False, f"float64: could not run: {_one_line(exc)}"
        )
    return CheckRow(
        "gradcheck",
        "gradcheck",
        None,
        True,
        f"float64, {_points_together(len(xs))}{left_out}: analytical and numerical Jacobians match",
    )


# ---------------------------------------------------------------- diagnosis


def _constant_factor(
    got: Sequence[float], expected: Sequence[float], rtol: float, atol: float
) -> float | None:
    """c when got = c * expected at every point, to the tolerance the values were
    compared with (c shown to 10 digits), else None. A backward of g*2*x + 1e-6
    for x**2 is off by ratios 1.0000014 and 0.9999996 at two points: no constant
    factor, though each ratio is within 1e-4 of the other."""
    ratios = [a / b for a, b in zip(got, expected, strict=True) if abs(b) > atol]
    if not ratios:
        return None
    c = ratios[0]
    if all(values_agree(a, c * b, rtol, atol) for a, b in zip(got, expected, strict=True)):
        return float(f"{c:.10g}")
    return None


def diagnose(
    checks: Sequence[CheckRow], derivative: Sequence[float], rtol: float, atol: float
) -> str | None:
    """Name what is wrong, from the rows' values; None when nothing is."""
    messages = []
    forward = next(row for row in checks if row.kind == "forward")
    if not forward.passed:
        messages.append("forward does not compute the expression")
    backward = [row for row in checks if row.kind == "backward"]
    if all(row.passed for row in backward):
        return "; ".join(messages) or None
    values: dict[float, list[float]] = {}
    for row in backward:
        got = [p.got for p in row.points]
        if row.grad_output is None or any(v is None or not math.isfinite(v) for v in got):
            messages.append("backward fails to run or returns no usable gradient")
            return "; ".join(messages)
        values[row.grad_output] = [v for v in got if v is not None]
    base = values[UPSTREAM[0]]
    same_for_every_g = all(
        values_agree(v, b, rtol, atol)
        for vs in values.values()
        for v, b in zip(vs, base, strict=True)
    )
    if all(abs(v) <= atol for v in base) and any(abs(d) > atol for d in derivative):
        # 0 is the same for every upstream gradient, but that says nothing of
        # grad_output: a backward that returns 0 where it should not (a hunt: "ignores
        # grad_output: it returns 0 * f'(x)" for one wrong at x == 1 only)
        messages.append("backward returns 0 where f'(x) is not 0")
        return "; ".join(messages)
    if same_for_every_g and any(abs(d) > atol for d in derivative):
        c = _constant_factor(base, derivative, rtol, atol)
        if c == 1:
            messages.append(IGNORES_GRAD_OUTPUT)
        elif c is not None:
            messages.append(
                f"backward ignores grad_output: it returns {format_number(c)} * "
                "f'(x) instead of grad_output * f'(x)"
            )
        else:
            messages.append(
                "backward ignores grad_output (it returns the same for every "
                "upstream gradient) and is not f'(x) either"
            )
        return "; ".join(messages)
    got_all = [v for g in UPSTREAM for v in values[g]]
    want_all = [g * d for g in UPSTREAM for d in derivative]
    c = _constant_factor(got_all, want_all, rtol, atol)
    if c is not None and c != 1:
        sign = " (the sign is flipped)" if c == -1 else ""
        messages.append(
            f"backward is off by a constant factor: it returns "
            f"{format_number(c)} * grad_output * f'(x){sign}"
        )
    else:
        messages.append("backward is wrong: it does not return grad_output * f'(x)")
    return "; ".join(messages)


# ---------------------------------------------------------------- output


def report_json(report: FunctionReport) -> dict[str, Any]:
    from derivcli.results import json_number

    return {
        "target": report.target,
        "path": report.path,
        "class": report.class_name,
        "expression": report.expression,
        "input": report.source,
        "variable": report.variable,
        "derivative": report.derivative,
        "dtype": "float64",
        "rtol": report.rtol,
        "atol": report.atol,
        "passed": report.passed,
        "checks": [
            {
                "name": row.name,
                "kind": row.kind,
                "grad_output": row.grad_output,
                "passed": row.passed,
                "detail": row.detail,
                "points": [
                    {
                        report.variable: json_number(p.x),
                        "expected": json_number(p.expected),
                        "got": json_number(p.got),
                        "agree": p.agree,
                    }
                    for p in row.points
                ],
            }
            for row in report.checks
        ],
        "diagnosis": report.diagnosis,
        "notes": list(report.notes),
    }
