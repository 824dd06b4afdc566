"""derivcli as a library: the same answers as the command line, from Python.

Each computing command has a function here with keyword arguments named like
its options (``at``, ``wrt``, ``order``, ``device``, ``dtype``, ``rtol``,
``atol``, ``timeout``); the Typer commands parse options, call these, and
render. Each returns a frozen result whose ``to_dict()`` is exactly what
``--format json`` prints and whose ``exit_code`` is what the command would
exit with. Bad input raises a :class:`~derivcli.errors.DerivcliError`
subclass carrying the command line's one-line message, its exit code and,
where there is one, the column; nothing is printed and nothing exits the
interpreter.

A long-lived process (a notebook, a test session) reuses one symbolic worker
with its caches, as ``derivcli batch`` does; it is stopped at exit. The worker
answers requests in the order they were sent, so the computing functions run
one at a time (a lock: calls from several threads wait for each other), and a
call that ends in an exception, Ctrl-C included, leaves nothing in flight
behind it (see ``_serialised``).
"""

from __future__ import annotations

import atexit
import decimal
import functools
import math
import numbers
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import (
    TYPE_CHECKING,
    ParamSpec,
    Protocol,
    SupportsFloat,
    SupportsIndex,
    TypeVar,
    Union,
)

from derivcli.errors import InputError, LimitError, PointError
from derivcli.options import (
    DEFAULT_BUDGET,
    MAX_TIMEOUT,
    Settings,
    check_timeout,
    derivative_sequences,
    make_settings,
    require_variables,
)

if TYPE_CHECKING:
    import torch

    from derivcli.autograd.check_function import FunctionReport
    from derivcli.autograd.graph import Graph
    from derivcli.check_answer import CheckResult
    from derivcli.compare import Runner
    from derivcli.language.parser import Expression
    from derivcli.language.points import PointSpec
    from derivcli.matrices import HessianUnderWay, MatrixReport
    from derivcli.results import Report
    from derivcli.symbolic.steps import PendingSteps

# ``at``: the CLI's text ("u=1,v=2", "x=-3:3:7"), several such texts, or a
# mapping of variable to number. A number is any real number float() takes:
# int, float, Fraction, Decimal, a numpy scalar, a 0-d array or tensor (see
# _is_real); never a str, which is text to parse, not a number (see _value_text).
Point = Union[str, Mapping[str, SupportsFloat]]
At = Union[Point, Sequence[Point], None]
Wrt = Union[str, Sequence[str], None]
# ``device`` and ``dtype``: the CLI's names ("cpu", "float32"), or torch's own
# objects for them (torch.device("cuda"), torch.float32), as a torch user has them.
DeviceName = Union[str, "torch.device"]
DTypeName = Union[str, "torch.dtype"]

_RUNNER: Runner | None = None

# Held for the whole of each computing call. Reentrant: grad calls derivatives.
_SESSION = threading.RLock()


def _fresh_session_lock() -> None:
    """In a newly forked process, a lock of its own: a thread of the parent in
    the middle of a call held the parent's when the process forked, and that
    thread does not exist here to release it (every call would wait for ever).
    The shared worker the process inherited is forgotten likewise (the child is
    the parent's), and a fresh one forked on the next request: see ``Worker``."""
    global _SESSION
    _SESSION = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_session_lock)

_P = ParamSpec("_P")
_R = TypeVar("_R")


def shared_runner() -> Runner:
    """The symbolic worker this process shares between calls (started on first use)."""
    global _RUNNER
    with _SESSION:  # two threads' first calls must not start two workers
        if _RUNNER is None:
            from derivcli.compare import new_runner

            _RUNNER = new_runner()
            atexit.register(_RUNNER.stop)
        return _RUNNER


def _serialised(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """``func`` run under the session's lock, the shared worker left idle after it.

    The shared worker answers in the order requests were sent, and a call sends
    its request before it runs autograd and reads the answer after: two threads'
    calls interleaved there read each other's answers or none ("symbolic results
    must be read in the order they were asked"), and two writes into its buffer
    at once raised a bare BufferError. So calls wait for each other. A call that
    raises (Ctrl-C during autograd, most often) may leave its request unread, in
    front of every later one: the worker is then stopped (a fresh one is forked
    on the next request), after the call and, for an interrupt that landed in
    that clean-up itself, before the next one."""

    @functools.wraps(func)
    def serialised(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _SESSION:
            _discard_unread()
            try:
                return func(*args, **kwargs)
            except BaseException:
                _discard_unread()
                raise

    return serialised


def _discard_unread() -> None:
    """Stop the shared worker if requests are in flight that no call will read."""
    if _RUNNER is None:
        return  # nothing started; derivcli.worker need not be imported
    from derivcli.worker import Worker

    if isinstance(_RUNNER, Worker):
        _RUNNER.discard_unread()


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> Expression:
    """``parser.parse``, remembered: a batch (or a notebook) asks for the same
    expression at many points, and a parsed expression is immutable. Input that
    does not parse raises each time (exceptions are not remembered)."""
    from derivcli.language.parser import parse

    return parse(text)


def at_options(at: At) -> list[str]:
    """``at`` in any of its forms, as the CLI's ``--at`` texts: "x=2", {"x": 2}, or
    a list of those (several points)."""
    if at is None:
        return []
    if isinstance(at, (str, Mapping)):
        return [_one_point(at)]
    if isinstance(at, Sequence) and not isinstance(at, (bytes, bytearray)):
        return [_one_point(point) for point in at]
    raise PointError(f"at: expected 'x=2', {{'x': 2}} or a list of those, got {_shown(at)}")


def _one_point(point: object) -> str:
    if isinstance(point, str):
        return point
    if isinstance(point, Mapping):
        if not point:
            # joined, {} would be the CLI's empty text: "--at : expected name=value, got ''"
            raise PointError(
                "at: no point given (an empty mapping); a point gives every variable, "
                "such as {'x': 2}"
            )
        return ",".join(f"{name}={_value_text(name, value)}" for name, value in point.items())
    raise PointError(f"at: a point is 'x=2' or {{'x': 2}}, got {_shown(point)}")


def _value_text(name: object, value: object) -> str:
    from derivcli.language.points import is_variable_name

    if not isinstance(name, str):
        raise PointError(f"at: a variable name is a string, got {_shown(name)}")
    if not is_variable_name(name):
        # The key is joined into the CLI's text as it is: {"x=3,y": 2} set x=3
        # and y=2, {"x=0:1:3,y": 5} made a grid of x, {" x ": 1} was x. A
        # dict's keys are exactly the variables it sets, so a key is one name.
        raise PointError(
            f"at: {_shown(name)} is not a variable name: a dict's keys are the variables "
            f"it sets, such as {{'x': 2}} (the CLI's text is given whole: at='x=2,y=3')"
        )
    if isinstance(value, str):
        # A dict holds numbers. Text there was spliced into the CLI's text, so
        # {"x": "2,y=5"} set y too and {"x": "-3:3:7"} made a grid: the dict's
        # keys no longer said which variables it sets. The CLI's text is
        # given whole instead (at="x=2"), where it is parsed as such.
        raise PointError(
            f"at: {name}={_shown(value)} is not a number: a dict's values are numbers, "
            f"such as {{{name!r}: 2}} (the CLI's text is given whole: at='{name}=2')"
        )
    number = _float_of(value)
    if number is None:
        raise PointError(f"at: {name}={_shown(value)} is not a number")
    if not math.isfinite(number):
        if _finite_past_float64(value):
            from derivcli.language.points import BEYOND_FLOAT64

            raise PointError(f"at: {name}={_shown(value)} {BEYOND_FLOAT64}")
        raise PointError(f"at: {name}={_shown(value)} is not a finite real number")
    if number == 0 and _nonzero(value):
        # Fraction(1, 10**400) would run at x=0.0, another point (log(x) has its
        # pole there), where the CLI refuses --at x=1e-400; exact 0 stays a point.
        from derivcli.language.points import BELOW_FLOAT64

        raise PointError(f"at: {name}={_shown(value)} {BELOW_FLOAT64}")
    # repr of a float is exact: the point is the very float64 given, float(value)
    return repr(number)


def _float_of(value: object) -> float | None:
    """``float(value)`` for a real number (see _is_real); math.nan where float64
    cannot hold it (10**400, Fraction(10**400), Decimal("sNaN")); None for what
    is no real number (a str, a bool, complex, an array of several values, a
    tensor on "meta")."""
    if not _is_real(value):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (OverflowError, ValueError):
        return math.nan
    except (TypeError, RuntimeError, NotImplementedError):
        return None


def _tolerance(option: str, value: object) -> float | None:
    """``rtol`` or ``atol`` (None: the dtype's default) as the float64 nearest it,
    a real number taken as ``at=`` takes one: np.float32(1e-3), Decimal("0.001")
    and Fraction(1, 1000) too. Whether it is negative is asked of the value
    itself (Decimal("-1e-400") is, though its float is -0.0); a finite value
    float64 cannot hold (10**400, which raised a bare OverflowError) or a
    nonzero one it makes 0 is refused, saying so."""
    if value is None:
        return None
    from derivcli.language.points import BELOW_FLOAT64, BEYOND_FLOAT64

    number = _float_of(value)
    refused = f"{option} {_shown(value)}: must be a finite number >= 0"
    if number is None or _negative(value):
        raise InputError(refused)
    if not math.isfinite(number):
        if _finite_past_float64(value):
            raise InputError(f"{option} {_shown(value)} {BEYOND_FLOAT64}")
        raise InputError(refused)
    if number == 0 and _nonzero(value):
        raise InputError(f"{option} {_shown(value)} {BELOW_FLOAT64}")
    return number


def _seconds(timeout: object) -> float:
    """``timeout`` as a float of seconds, a real number taken as ``at=`` takes one
    (Decimal(60), np.float32(60)); its bounds, more than 0 and at most
    MAX_TIMEOUT, are asked of the value itself: 3600 + 10**-20 is past them,
    though its float is 3600.0. Python's own int and float keep the CLI's
    message (``--timeout 5000: ...``)."""
    from derivcli.language.points import BELOW_FLOAT64

    number = _float_of(timeout)
    if number is None:
        raise InputError(f"--timeout {_shown(timeout)}: must be a number of seconds")
    if type(timeout) in (int, float) and math.isfinite(number):
        check_timeout(number)
        return number
    if number == 0 and _nonzero(timeout) and not _negative(timeout):
        raise InputError(f"--timeout {_shown(timeout)} {BELOW_FLOAT64}")
    if not (math.isfinite(number) and _within(timeout, MAX_TIMEOUT)):
        raise InputError(
            f"--timeout {_shown(timeout)}: must be more than 0 and at most {MAX_TIMEOUT:g}"
        )
    check_timeout(number)
    return number


def _negative(value: object) -> bool:
    """Whether a real number is below 0 in its own type (not a NaN, whose
    comparison is False or raises)."""
    try:
        return bool(value < 0)  # type: ignore[operator]
    except Exception:  # noqa: BLE001 - Decimal('sNaN') raises: not negative
        return False


def _within(value: object, most: float) -> bool:
    """Whether 0 < value <= most in the value's own type (exact: Fraction, Decimal
    and numpy's long double compare with a float exactly)."""
    try:
        return bool(0 < value <= most)  # type: ignore[operator]
    except Exception:  # noqa: BLE001 - Decimal('sNaN') raises: not within
        return False


def _finite_past_float64(value: object) -> bool:
    """Whether a value float() could not hold is finite in its own type: 10**400,
    Fraction(10**400, 3), Decimal("1e400"), np.longdouble("1e400") (not inf, not
    a NaN, whose comparison is False or raises)."""
    try:
        return bool(abs(value) < math.inf)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - Decimal('sNaN') raises: not finite
        return False


def _nonzero(value: object) -> bool:
    """Whether a real number (one float() took) is not exactly 0 in its own type:
    Fraction(1, 10**400), Decimal("-1e-400"), np.longdouble("1e-400"); not
    Decimal("-0") or -0.0, which are 0."""
    try:
        return bool(value != 0)
    except Exception:  # noqa: BLE001 - a caller's number whose != fails: not refused here
        return False


def _is_real(value: object) -> bool:
    """A real number as Python, numpy or torch gives it: int, float, Fraction,
    Decimal, a numpy integer or floating scalar, a 0-d array or tensor of such a
    dtype. Not a bool (of any of them), not complex, not an array of several."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (numbers.Real, decimal.Decimal)):
        return True  # numpy registers its integer and floating scalars (not bool_)
    if getattr(value, "shape", None) != () or not hasattr(value, "__float__"):
        return False
    dtype = getattr(value, "dtype", None)
    kind = getattr(dtype, "kind", None)  # numpy: 'b' bool, 'c' complex, 'f', 'i', 'u'
    if kind is not None:
        return kind in ("f", "i", "u")
    # torch: a dtype with is_floating_point and is_complex
    if not hasattr(dtype, "is_floating_point") or getattr(dtype, "is_complex", True):
        return False
    return str(dtype) != "torch.bool"


def _shown(value: object) -> str:
    """``repr(value)`` on one line, at most 40 characters: an array's repr spans
    lines, each line break (and the indent after it) is one space; a str's repr
    has none, its spaces are kept as they are ('x  y' is not 'x y')."""
    text = re.sub(r"\s*\n\s*", " ", repr(value))
    return text if len(text) <= 40 else text[:37] + "..."


def _text(value: object, argument: str, example: str = "x**2") -> str:
    """``value`` if it is a str, else the InputError that names ``argument``."""
    if isinstance(value, str):
        return value
    raise InputError(f"{argument}: expected a str such as {example!r}, got {_shown(value)}")


def _flag(value: object, argument: str) -> bool:
    """``value`` if it is True or False: mesh="no" must not mean a mesh."""
    if isinstance(value, bool):
        return value
    raise InputError(f"{argument}: expected True or False, got {_shown(value)}")


def _settings(
    *,
    device: object,
    dtype: object,
    rtol: object,
    atol: object,
    timeout: object,
) -> Settings:
    """``make_settings`` with ``device`` and ``dtype`` also as torch objects, and
    the numbers as any real number (see _tolerance, _seconds). A name ("cpu",
    "cuda:0", "float16") is checked as the CLI checks it, with its message; a
    value only Python can pass gets a message naming the argument."""
    return make_settings(
        device=_device_name(device),
        dtype=_dtype_name(dtype),
        rtol=_tolerance("--rtol", rtol),
        atol=_tolerance("--atol", atol),
        timeout=_seconds(timeout),
    )


def _device_name(device: object) -> str:
    """``device`` as the CLI's name: torch.device("cuda") is "cuda". A device
    with an index (cuda:1, even cuda:0) is refused as "cuda:1" is by --device:
    "cuda" runs on torch's current cuda device, which need not be that one."""
    if isinstance(device, str):
        return device
    torch = sys.modules.get("torch")  # a torch.device exists only once torch is imported
    if torch is not None and isinstance(device, torch.device):
        if device.index is None and device.type in ("cpu", "cuda"):
            return str(device.type)
    raise InputError(
        "device: expected 'cpu' or 'cuda', a str or a torch.device without an index "
        f"(cuda is torch's current cuda device), got {_shown(device)}"
    )


def _dtype_name(dtype: object) -> str:
    """``dtype`` as the CLI's name: torch.float32 is "float32". Another torch
    dtype, or a numpy one (whose == "float32" is True, but which is not a name),
    is refused naming the argument."""
    if isinstance(dtype, str):
        return dtype
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(dtype, torch.dtype):
        for name in ("float64", "float32"):
            if dtype == getattr(torch, name):
                return name
    raise InputError(
        "dtype: expected 'float64' or 'float32', a str or torch.float64 or torch.float32, "
        f"got {_shown(dtype)}"
    )


def _names(wrt: Wrt) -> list[str] | None:
    """``wrt`` as a list of names (None: not given). Each name must be a str;
    the names themselves are checked against the expression later."""
    if wrt is None:
        return None
    if isinstance(wrt, str):
        return [wrt]
    if isinstance(wrt, (bytes, bytearray, Mapping)) or not isinstance(wrt, Iterable):
        raise PointError(
            "wrt: expected a variable name or a list of them, such as 'x' or "
            f"['x', 'y'], got {_shown(wrt)}"
        )
    names = list(wrt)
    for name in names:
        if not isinstance(name, str):
            raise PointError(f"wrt: a variable name is a str such as 'x', got {_shown(name)}")
    return names


@_serialised
def derivatives(
    expression: str,
    *,
    wrt: Wrt = None,
    at: At = None,
    mesh: bool = False,
    order: SupportsIndex = 1,
    device: DeviceName = "cpu",
    dtype: DTypeName = "float64",
    rtol: SupportsFloat | None = None,
    atol: SupportsFloat | None = None,
    timeout: SupportsFloat = DEFAULT_BUDGET,
    runner: Runner | None = None,
    steps: bool = False,
) -> Report:
    """grad (``wrt`` None: every variable) or partial (``wrt`` given); ``steps``:
    each result also carries the derivation of its closed form."""
    return begin_derivatives(
        expression,
        wrt=wrt,
        at=at,
        mesh=mesh,
        order=order,
        device=device,
        dtype=dtype,
        rtol=rtol,
        atol=atol,
        timeout=timeout,
        runner=runner,
        steps=steps,
    ).finish()


def begin_derivatives(
    expression: str,
    *,
    wrt: Wrt = None,
    at: At = None,
    mesh: bool = False,
    order: SupportsIndex = 1,
    device: DeviceName = "cpu",
    dtype: DTypeName = "float64",
    rtol: SupportsFloat | None = None,
    atol: SupportsFloat | None = None,
    timeout: SupportsFloat = DEFAULT_BUDGET,
    runner: Runner | None = None,
    steps: bool = False,
) -> Begun:
    """:func:`derivatives` up to the point where the symbolic worker has the
    request; ``.finish()`` runs autograd and gives the report (batch overlaps
    one line's autograd with the next line's closed form this way)."""
    from derivcli.compare import begin
    from derivcli.language.points import parse_at

    settings = _settings(device=device, dtype=dtype, rtol=rtol, atol=atol, timeout=timeout)
    mesh = _flag(mesh, "mesh")
    steps = _flag(steps, "steps")
    tree = _parse(_text(expression, "expression"))
    sequences = derivative_sequences(tree, _names(wrt), order)
    options = at_options(at)
    points: PointSpec | None = parse_at(options, tree.variables, mesh=mesh) if options else None
    if not steps:
        return begin(tree, sequences, points, settings, runner=runner or shared_runner())
    from derivcli.symbolic import steps as derivation

    # worked out in a child of its own, beside both engines
    pending = derivation.start(tree.source, sequences, settings.budget)
    try:
        computation = begin(tree, sequences, points, settings, runner=runner or shared_runner())
    except BaseException:
        pending.cancel()
        raise
    return _WithSteps(computation, pending)


class Begun(Protocol):
    """A computation under way: ``finish()`` gives its report."""

    def finish(self) -> Report: ...


class _WithSteps:
    """A computation under way, and its derivation in a child of its own."""

    def __init__(self, computation: Begun, pending: PendingSteps) -> None:
        self.computation = computation
        self.pending = pending

    def finish(self) -> Report:
        try:
            report = self.computation.finish()
        except BaseException:
            self.pending.cancel()
            raise
        results = tuple(
            replace(r, derivation=self.pending.derivation(r.wrt)) for r in report.results
        )
        note = "; ".join(n for n in (report.note, self.pending.error) if n) or None
        return replace(report, results=results, note=note)


@_serialised
def grad(
    expression: str,
    *,
    at: At = None,
    mesh: bool = False,
    order: SupportsIndex = 1,
    device: DeviceName = "cpu",
    dtype: DTypeName = "float64",
    rtol: SupportsFloat | None = None,
    atol: SupportsFloat | None = None,
    timeout: SupportsFloat = DEFAULT_BUDGET,
    steps: bool = False,
) -> Report:
    """The derivative by every variable, one result each (``derivcli grad``);
    ``steps=True``: with its derivation (``result.derivation``).

    >>> r = grad("x**2+2*x+1", at={"x": 2})
    >>> r.results[0].derivative, r.results[0].symbolic, r.results[0].autograd, r.ok
    ('2*x + 2', 6.0, 6.0, True)
    """
    return derivatives(
        expression,
        at=at,
        mesh=mesh,
        order=order,
        device=device,
        dtype=dtype,
        rtol=rtol,
        atol=atol,
        timeout=timeout,
        steps=steps,
    )


@_serialised
def partial(
    expression: str,
    *,
    wrt: str | Sequence[str],
    at: At = None,
    mesh: bool = False,
    order: SupportsIndex = 1,
    device: DeviceName = "cpu",
    dtype: DTypeName = "float64",
    rtol: SupportsFloat | None = None,
    atol: SupportsFloat | None = None,
    timeout: SupportsFloat = DEFAULT_BUDGET,
    steps: bool = False,
) -> Report:
    """A partial derivative by ``wrt``: one name, or names for a mixed partial
    (``derivcli partial``); ``steps=True``: with its derivation.

    >>> partial("u*v+u**2", wrt="u", at="u=1,v=2").results[0].symbolic
    4.0
    """
    if wrt is None:  # as the CLI's partial without --wrt; grad takes every variable
        raise InputError(
            "wrt: partial needs the variable to differentiate by, such as wrt='x' "
            "(grad differentiates by every variable)"
        )
    return derivatives(
        expression,
        wrt=wrt,
        at=at,
        mesh=mesh,
        order=order,
        device=device,
        dtype=dtype,
        rtol=rtol,
        atol=atol,
        timeout=timeout,
        steps=steps,
    )


@_serialised
def check(
    expression: str,
    *,
    answer: str,
    wrt: Wrt = None,
    order: SupportsIndex = 1,
    timeout: SupportsFloat = DEFAULT_BUDGET,
    steps: bool = False,
) -> CheckResult:
    """Is ``answer`` the derivative of ``expression``? (``derivcli check``);
    ``steps=True``: with the derivation of the true derivative.

    >>> check("2*x**3+x", answer="6*x**2+1").correct
    True
    """
    from derivcli import check_answer as checker

    steps = _flag(steps, "steps")
    expression = _text(expression, "expression")
    answer = _text(answer, "answer", "2*x")
    request = checker.prepare(expression, answer, _names(wrt) or [], order, _seconds(timeout))
    if not steps:
        return checker.check(request)
    from derivcli.symbolic import steps as derivation

    pending = derivation.start(request.source, [request.wrt], request.budget)
    try:
        result = checker.check(request)
    except BaseException:
        pending.cancel()
        raise
    found = pending.derivation(request.wrt)
    note = "; ".join(n for n in (result.note, found.error) if n) or None
    return replace(result, derivation=found, note=note)


@_serialised
def check_function(
    target: str,
    *,
    expr: str,
    at: At = None,
    timeout: SupportsFloat = DEFAULT_BUDGET,
) -> FunctionReport:
    """Test a ``torch.autograd.Function`` (``"path.py:ClassName"``) against ``expr``
    (``derivcli check-function``). This imports the file, which runs its code."""
    from derivcli.autograd import check_function as checker

    target = _text(target, "target", "function.py:Square")
    expr = _text(expr, "expr")
    seconds = _seconds(timeout)  # here too: the parent's deadline is computed from it
    return checker.check_in_child(target, expr, at_options(at), seconds)


@_serialised
def graph(
    expression: str,
    *,
    at: At,
    dtype: DTypeName = "float64",
    device: DeviceName = "cpu",
) -> Graph:
    """The autograd graph torch builds for ``expression`` at one point (``derivcli graph``)."""
    from derivcli.autograd import graph as graphing
    from derivcli.language.parser import parse
    from derivcli.language.points import parse_at

    settings = _settings(device=device, dtype=dtype, rtol=None, atol=None, timeout=DEFAULT_BUDGET)
    parsed = parse(_text(expression, "expression"))
    require_variables(parsed, "for autograd to differentiate (no leaves)")
    options = at_options(at)
    if not options:
        example = ",".join(f"{name}=1" for name in parsed.variables)
        raise InputError(f"graph needs the point: give --at (e.g. --at {example})")
    point = graphing.single_point(parse_at(options, parsed.variables))
    return graphing.build_graph(parsed, point, dtype=settings.dtype, device=settings.device)


@_serialised
def hessian(
    expression: str,
    *,
    wrt: Wrt = None,
    at: At = None,
    mesh: bool = False,
    device: DeviceName = "cpu",
    dtype: DTypeName = "float64",
    rtol: SupportsFloat | None = None,
    atol: SupportsFloat | None = None,
    timeout: SupportsFloat = DEFAULT_BUDGET,
    runner: Runner | None = None,
) -> MatrixReport:
    """The Hessian by ``wrt`` (in that order; default every variable, sorted), closed
    form against ``torch.autograd.functional.hessian`` (``derivcli hessian``).

    >>> h = hessian("x**2*y + sin(y)", at="x=1,y=2")
    >>> h.symbolic
    (('2*y', '2*x'), ('2*x', '-sin(y)'))
    >>> h.points[0].classification, h.ok
    ('indefinite', True)
    """
    return begin_hessian(
        expression,
        wrt=wrt,
        at=at,
        mesh=mesh,
        device=device,
        dtype=dtype,
        rtol=rtol,
        atol=atol,
        timeout=timeout,
        runner=runner,
    ).finish()


def begin_hessian(
    expression: str,
    *,
    wrt: Wrt = None,
    at: At = None,
    mesh: bool = False,
    device: DeviceName = "cpu",
    dtype: DTypeName = "float64",
    rtol: SupportsFloat | None = None,
    atol: SupportsFloat | None = None,
    timeout: SupportsFloat = DEFAULT_BUDGET,
    runner: Runner | None = None,
) -> HessianUnderWay:
    """:func:`hessian` up to the point where the symbolic worker has the request
    (see :func:`begin_derivatives`)."""
    from derivcli.language.points import parse_at
    from derivcli.matrices import (
        HESSIAN,
        begin_hessian_report,
        check_entries,
        matrix_variables,
    )

    settings = _settings(device=device, dtype=dtype, rtol=rtol, atol=atol, timeout=timeout)
    mesh = _flag(mesh, "mesh")
    if isinstance(expression, (list, tuple)):
        raise InputError(
            f"expression: hessian takes one expression, a str such as 'x**2*y', got "
            f"{_shown(expression)} (the derivatives of several: jacobian)"
        )
    parsed = _parse(_text(expression, "expression", "x**2*y"))
    require_variables(parsed)
    variables = matrix_variables(parsed.variables, _names(wrt))
    options = at_options(at)
    points: PointSpec | None = parse_at(options, parsed.variables, mesh=mesh) if options else None
    n = len(variables)
    check_entries(points.count if points else 1, n, n, HESSIAN)
    return begin_hessian_report(parsed, variables, points, settings, runner or shared_runner())


@_serialised
def jacobian(
    expressions: str | Sequence[str],
    *,
    wrt: Wrt = None,
    at: At = None,
    mesh: bool = False,
    device: DeviceName = "cpu",
    dtype: DTypeName = "float64",
    rtol: SupportsFloat | None = None,
    atol: SupportsFloat | None = None,
    timeout: SupportsFloat = DEFAULT_BUDGET,
    runner: Runner | None = None,
) -> MatrixReport:
    """The Jacobian of the vector function ``expressions`` (one row each) by ``wrt``
    (default every variable of any of them, sorted), closed form against
    ``torch.autograd.functional.jacobian`` (``derivcli jacobian``).

    >>> j = jacobian(["r*cos(t)", "r*sin(t)"], wrt=["r", "t"], at="r=2,t=0.5")
    >>> j.symbolic
    (('cos(t)', '-r*sin(t)'), ('sin(t)', 'r*cos(t)'))
    >>> j.points[0].determinant
    2.0
    """
    from dataclasses import replace

    from derivcli.errors import DerivcliError
    from derivcli.language.parser import parse
    from derivcli.language.points import parse_at
    from derivcli.matrices import (
        JACOBIAN,
        MAX_EXPRESSIONS,
        check_entries,
        in_expression,
        jacobian_report,
        matrix_variables,
    )

    settings = _settings(device=device, dtype=dtype, rtol=rtol, atol=atol, timeout=timeout)
    mesh = _flag(mesh, "mesh")
    if isinstance(expressions, str):
        texts = [expressions]
    elif isinstance(expressions, (bytes, bytearray, Mapping)) or not isinstance(
        expressions, Iterable
    ):
        raise InputError(
            "expressions: expected a str or a list of them, such as ['r*cos(t)', 'r*sin(t)'], "
            f"got {_shown(expressions)}"
        )
    else:
        texts = list(expressions)
    for index, text in enumerate(texts):
        _text(text, f"expressions[{index}]", "r*cos(t)")
    if not texts:
        raise InputError("jacobian needs at least one expression")
    if len(texts) > MAX_EXPRESSIONS:
        raise LimitError(f"{len(texts)} expressions: a Jacobian has at most {MAX_EXPRESSIONS} rows")
    parsed = []
    for number, text in enumerate(texts, start=1):
        try:
            parsed.append(parse(text))
        except DerivcliError as exc:
            raise in_expression(exc, number, len(texts), text) from None
    # every row is computed at the same points, over every variable of any row
    union = tuple(sorted({name for e in parsed for name in e.variables}))
    if not union:
        raise InputError("the expressions have no variables, so there is nothing to differentiate")
    rows = [replace(e, variables=union) for e in parsed]
    variables = matrix_variables(union, _names(wrt))
    options = at_options(at)
    points: PointSpec | None = parse_at(options, union, mesh=mesh) if options else None
    check_entries(points.count if points else 1, len(rows), len(variables), JACOBIAN)
    return jacobian_report(rows, variables, points, settings, runner or shared_runner())


__all__ = [
    "At",
    "check",
    "check_function",
    "derivatives",
    "grad",
    "graph",
    "hessian",
    "jacobian",
    "partial",
    "shared_runner",
]
