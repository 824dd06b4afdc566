"""Library arguments and result fields as the README states them (a user review).

Each case here behaved otherwise before:

* An ``at=`` dict's keys were pasted into the ``--at`` text unchecked:
  ``at={"x=3,y": 2}`` ran at x=3, y=2, ``at={"x=0:1:3,y": 5}`` made a
  3-point grid and ``at={" x ": 1}`` was taken as x, all with exit 0. The
  README says a dict's keys are exactly the variables it sets; a key that is
  not a variable name (an ASCII identifier not starting with "_", the
  expression language's rule) is now a PointError naming the key.
* A message showing a 2-d array (``at={"x": np.ones((2, 2))}``) spanned two
  lines.
* ``rtol=10**400`` (and ``atol``, ``timeout``) raised a bare OverflowError;
  ``rtol=np.float32(1e-3)``, ``Decimal("0.001")``, ``Fraction(1, 1000)`` and
  ``timeout=Decimal(60)`` were refused, though ``at=`` takes those numbers.
  They are now taken as ``at=`` takes a number (the float64 nearest it),
  their bounds checked in the value's own type.
* ``r.results[0].variables`` raised AttributeError though "variables" is a
  JSON key of each result; check's result had no ``input``, ``order``,
  ``label``, ``answer_input``, ``verdict``, ``spot_checks``,
  ``skipped_points`` and no ``ok``; a matrix report no ``command``,
  ``inputs``, ``autograd_method``, and its points no ``symbolic``,
  ``symbolic_values``, ``autograd``, ``abs_diff``, ``differentiable``,
  ``variables``.
"""

from __future__ import annotations

import decimal
import fractions
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, SupportsFloat

import numpy as np
import pytest
import torch

import derivcli
from derivcli.errors import ExitCode

FIXTURES = Path(__file__).parent / "fixtures"
TIMEOUT = 60  # seconds: the machine is loaded, the default budget is 2 s

BEYOND = "is beyond float64's range (about 1.8e308)"
BELOW = "is below float64's smallest number (about 4.9e-324) and would be 0"
NOT_A_TOLERANCE = "must be a finite number >= 0"
NOT_A_TIMEOUT = "must be more than 0 and at most 3600"


def _refused(call: Callable[[], object], kind: type[derivcli.DerivcliError]) -> str:
    """The message of the ``kind`` that ``call`` raises, checked to be one line, exit 2."""
    with pytest.raises(kind) as caught:
        call()
    error = caught.value
    assert type(error) is kind, repr(error)
    assert str(error) == error.message
    assert "\n" not in error.message, error.message
    assert error.exit_code is ExitCode.BAD_INPUT and int(error.exit_code) == 2
    return error.message


# ---------------------------------------------------------------- at= keys


# (id, the key, how the key is shown in the message)
BAD_KEYS: list[tuple[str, str, str]] = [
    ("CLI text setting y too", "x=3,y", "'x=3,y'"),
    ("a grid in the key", "x=0:1:3,y", "'x=0:1:3,y'"),
    ("spaces around", " x ", "' x '"),
    ("space after", "x ", "'x '"),
    ("two spaces inside", "x  y", "'x  y'"),  # shown as it is, not as 'x y'
    ("empty", "", "''"),
    ("starts with a digit", "1x", "'1x'"),
    ("starts with _", "_x", "'_x'"),
    ("an operator", "x-y", "'x-y'"),
    ("not ASCII", "\u00e9", "'\u00e9'"),
    ("a newline", "x\ny", "'x\\ny'"),
]


@pytest.mark.parametrize(
    ("key", "shown"), [case[1:] for case in BAD_KEYS], ids=[case[0] for case in BAD_KEYS]
)
def test_a_key_that_is_not_a_variable_name_is_refused(key: str, shown: str) -> None:
    message = _refused(
        lambda: derivcli.grad("x*y", at={key: 2, "y": 5}, timeout=TIMEOUT),
        derivcli.PointError,
    )
    assert message.startswith(f"at: {shown} is not a variable name"), message


def test_each_function_with_at_refuses_such_a_key() -> None:
    point = {"x=3,y": 2}
    calls: list[Callable[[], object]] = [
        lambda: derivcli.grad("x*y", at=point, timeout=TIMEOUT),
        lambda: derivcli.partial("x*y", wrt="x", at=[{"x": 1, "y": 1}, point], timeout=TIMEOUT),
        lambda: derivcli.hessian("x*y", at=point, timeout=TIMEOUT),
        lambda: derivcli.jacobian(["x*y", "x+y"], at=point, timeout=TIMEOUT),
        lambda: derivcli.graph("x*y", at=point),
        lambda: derivcli.check_function(
            f"{FIXTURES / 'square_ok.py'}:MySquare", expr="x**2", at=point, timeout=TIMEOUT
        ),
    ]
    for call in calls:
        message = _refused(call, derivcli.PointError)
        assert message.startswith("at: 'x=3,y' is not a variable name"), message


def test_keys_that_are_variable_names_still_set_those_variables() -> None:
    # d/dx_1 (x_1*y) = y = 5 and d/dy = x_1 = 2, by hand
    report = derivcli.grad("x_1*y", at={"x_1": 2, "y": 5}, timeout=TIMEOUT)
    assert [(r.wrt, r.point, r.symbolic, r.autograd) for r in report.results] == [
        (("x_1",), (("x_1", 2.0), ("y", 5.0)), 5.0, 5.0),
        (("y",), (("x_1", 2.0), ("y", 5.0)), 2.0, 2.0),
    ]
    assert report.ok


def test_a_key_naming_a_constant_is_still_the_cli_s_message() -> None:
    # "e" is a variable name by the rule, but the constant e: the CLI's own message
    message = _refused(
        lambda: derivcli.grad("x", at={"x": 1, "e": 2}, timeout=TIMEOUT), derivcli.PointError
    )
    assert "'e' is the constant" in message, message


def test_a_two_line_repr_is_shown_on_one_line() -> None:
    message = _refused(
        lambda: derivcli.grad("x", at={"x": np.ones((2, 2))}, timeout=TIMEOUT),
        derivcli.PointError,
    )
    assert message == "at: x=array([[1., 1.], [1., 1.]]) is not a number"


# ---------------------------------------------------------------- rtol, atol, timeout

# By hand: 0.001 lies in [2**-10, 2**-9), where float32 (24 significant bits)
# steps by 2**-33; 0.001 * 2**33 = 8589934.592, so float32 holds 8589935 * 2**-33.
THOUSANDTH_IN_FLOAT32 = float(fractions.Fraction(8589935, 2**33))

# (id, the value, the float64 it is taken as)
TOLERANCES: list[tuple[str, object, float]] = [
    ("numpy float32", np.float32(1e-3), THOUSANDTH_IN_FLOAT32),
    ("numpy float64", np.float64(1e-3), 0.001),
    ("Decimal", decimal.Decimal("0.001"), 0.001),
    ("Fraction", fractions.Fraction(1, 1000), 0.001),
    ("numpy int", np.int64(0), 0.0),
    ("0-d array", np.array(1e-3), 0.001),
    ("0-d tensor", torch.tensor(1e-3, dtype=torch.float64), 0.001),
    ("int", 0, 0.0),
]


@pytest.mark.parametrize(
    ("value", "taken"), [case[1:] for case in TOLERANCES], ids=[case[0] for case in TOLERANCES]
)
@pytest.mark.parametrize("name", ["rtol", "atol"])
def test_a_real_tolerance_is_taken_as_its_float64(name: str, value: object, taken: float) -> None:
    options: dict[str, Any] = {name: value}
    report = derivcli.grad("x**2", at="x=1", timeout=TIMEOUT, **options)
    assert getattr(report, name) == taken and type(getattr(report, name)) is float
    assert report.to_dict()[name] == taken
    # d/dx x**2 = 2*x is 2 at x=1, by hand; both engines give it exactly
    (result,) = report.results
    assert (result.symbolic, result.autograd, result.verdict) == (2.0, 2.0, "agree")


def test_a_tolerance_decides_with_its_float64_value() -> None:
    # the atol compared with is the given one. float32 autograd of d/dx 0.1*x is
    # float32(0.1): 0.1 lies in [2**-4, 2**-3), where float32 steps by 2**-27,
    # and 0.1 * 2**27 = 13421772.8, so 13421773 * 2**-27; the closed form's 0.1
    # is 0.2 * 2**-27 = 1.49e-9 from it (by hand). With rtol=0, an atol of 1e-9
    # disagrees and one of 2e-9 agrees.
    def verdict(atol: SupportsFloat) -> str:
        report = derivcli.grad(
            "0.1*x", at="x=1", dtype="float32", rtol=0, atol=atol, timeout=TIMEOUT
        )
        return report.results[0].verdict

    assert verdict(decimal.Decimal("1e-9")) == "DISAGREE"
    assert verdict(fractions.Fraction(2, 10**9)) == "agree"


# (id, the value, the message's start after "--rtol ", its end)
BAD_TOLERANCES: list[tuple[str, object, str, str]] = [
    ("10**400", 10**400, "1000000000", BEYOND),
    ("Decimal 1e400", decimal.Decimal("1e400"), "Decimal('1E+400')", BEYOND),
    ("Fraction 1/10**400", fractions.Fraction(1, 10**400), "Fraction(1, 1000", BELOW),
    ("negative Decimal", decimal.Decimal("-0.001"), "Decimal('-0.001')", NOT_A_TOLERANCE),
    # float() gives -0.0, which is >= 0; the value itself is negative
    ("negative below float64", decimal.Decimal("-1e-400"), "Decimal('-1E-400')", NOT_A_TOLERANCE),
    ("negative Fraction", fractions.Fraction(-1, 1000), "Fraction(-1, 1000)", NOT_A_TOLERANCE),
    ("negative int", -1, "-1", NOT_A_TOLERANCE),
    ("Decimal NaN", decimal.Decimal("NaN"), "Decimal('NaN')", NOT_A_TOLERANCE),
    ("Decimal sNaN", decimal.Decimal("sNaN"), "Decimal('sNaN')", NOT_A_TOLERANCE),
    ("Decimal Infinity", decimal.Decimal("Infinity"), "Decimal('Infinity')", NOT_A_TOLERANCE),
    ("inf", math.inf, "inf", NOT_A_TOLERANCE),
    ("bool", True, "True", NOT_A_TOLERANCE),
    ("numpy bool", np.bool_(True), "np.True_", NOT_A_TOLERANCE),
    ("complex", 1e-3j, "0.001j", NOT_A_TOLERANCE),
    ("str", "0.001", "'0.001'", NOT_A_TOLERANCE),
    ("2-d array", np.full((2, 2), 1e-3), "array([[0.001, 0.001], [0.001, 0.001]])", ""),
]


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [case[1:] for case in BAD_TOLERANCES],
    ids=[case[0] for case in BAD_TOLERANCES],
)
@pytest.mark.parametrize("name", ["rtol", "atol"])
def test_a_tolerance_that_is_no_finite_number_at_least_0_is_refused(
    name: str, value: object, start: str, end: str
) -> None:
    options: dict[str, Any] = {name: value}
    message = _refused(
        lambda: derivcli.grad("x**2", at="x=1", timeout=TIMEOUT, **options), derivcli.InputError
    )
    assert message.startswith(f"--{name} {start}"), message
    assert message.endswith(end or NOT_A_TOLERANCE), message


def test_matrices_take_and_refuse_tolerances_alike() -> None:
    # d2/dx2 x**2*y = 2*y = 4 at y=2, by hand
    hessian = derivcli.hessian(
        "x**2*y", at="x=1,y=2", rtol=decimal.Decimal("0.001"), timeout=TIMEOUT
    )
    assert hessian.rtol == 0.001 and hessian.points[0].entries[0][0].symbolic == 4.0
    message = _refused(
        lambda: derivcli.jacobian(["x*y"], at="x=1,y=2", atol=10**400, timeout=TIMEOUT),
        derivcli.InputError,
    )
    assert message.startswith("--atol 1000") and message.endswith(BEYOND), message


# (id, the value)
TIMEOUTS: list[tuple[str, object]] = [
    ("Decimal", decimal.Decimal(60)),
    ("Fraction", fractions.Fraction(120, 2)),
    ("numpy float32", np.float32(60)),
    ("numpy int", np.int64(60)),
    ("0-d tensor", torch.tensor(60.0)),
]


@pytest.mark.parametrize("value", [c[1] for c in TIMEOUTS], ids=[c[0] for c in TIMEOUTS])
def test_a_real_timeout_is_taken(value: object) -> None:
    # d/dx x**3 = 3*x**2 is 12 at x=2, by hand
    (result,) = derivcli.grad("x**3", at="x=2", timeout=value).results  # type: ignore[arg-type]
    assert (result.symbolic, result.autograd, result.verdict) == (12.0, 12.0, "agree")
    # check adds its own deadline to the clock: a number float arithmetic takes
    checked = derivcli.check("x**3", answer="3*x**2", timeout=value)  # type: ignore[arg-type]
    assert checked.correct and int(checked.exit_code) == 0


def test_check_function_takes_a_decimal_timeout() -> None:
    # d/dx x**2 = 2*x; the fixture's backward is grad_output * 2 * x: it passes
    report = derivcli.check_function(
        f"{FIXTURES / 'square_ok.py'}:MySquare",
        expr="x**2",
        at="x=0.5",
        timeout=decimal.Decimal(60),
    )
    assert report.passed


# (id, the value, the message's start after "--timeout ", its end)
BAD_TIMEOUTS: list[tuple[str, object, str, str]] = [
    ("10**400", 10**400, "1000000000", NOT_A_TIMEOUT),
    ("Decimal 1e400", decimal.Decimal("1e400"), "Decimal('1E+400')", NOT_A_TIMEOUT),
    # 3600 + 10**-20: float() makes it 3600.0, which is allowed; the value is not
    (
        "a hair past 3600",
        fractions.Fraction(3600 * 10**20 + 1, 10**20),
        "Fraction(360000000000000000000001",
        NOT_A_TIMEOUT,
    ),
    ("Fraction 1/10**400", fractions.Fraction(1, 10**400), "Fraction(1, 1000", BELOW),
    ("negative Decimal", decimal.Decimal(-1), "Decimal('-1')", NOT_A_TIMEOUT),
    ("Decimal NaN", decimal.Decimal("NaN"), "Decimal('NaN')", NOT_A_TIMEOUT),
    ("Decimal sNaN", decimal.Decimal("sNaN"), "Decimal('sNaN')", NOT_A_TIMEOUT),
    ("bool", True, "True", "must be a number of seconds"),
    ("complex", 60j, "60j", "must be a number of seconds"),
    ("str", "60", "'60'", "must be a number of seconds"),
]


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [case[1:] for case in BAD_TIMEOUTS],
    ids=[case[0] for case in BAD_TIMEOUTS],
)
def test_a_timeout_out_of_range_is_refused_in_every_function(
    value: object, start: str, end: str
) -> None:
    calls: list[Callable[[], object]] = [
        lambda: derivcli.grad("x**2", at="x=1", timeout=value),  # type: ignore[arg-type]
        lambda: derivcli.hessian("x**2", at="x=1", timeout=value),  # type: ignore[arg-type]
        lambda: derivcli.check("x**2", answer="2*x", timeout=value),  # type: ignore[arg-type]
        lambda: derivcli.check_function(
            f"{FIXTURES / 'square_ok.py'}:MySquare",
            expr="x**2",
            at="x=0.5",
            timeout=value,  # type: ignore[arg-type]
        ),
    ]
    for call in calls:
        message = _refused(call, derivcli.InputError)
        assert message.startswith(f"--timeout {start}"), message
        assert message.endswith(end), message


def test_plain_numbers_keep_the_cli_s_messages() -> None:
    # as --timeout 5000 and --rtol -1.5 say them
    assert _refused(lambda: derivcli.grad("x", at="x=1", timeout=5000), derivcli.InputError) == (
        "--timeout 5000: must be more than 0 and at most 3600"
    )
    assert (
        _refused(
            lambda: derivcli.grad("x", at="x=1", rtol=-1.5, timeout=TIMEOUT), derivcli.InputError
        )
        == "--rtol -1.5: must be a finite number >= 0"
    )


# ---------------------------------------------------------------- result fields


POINTS = {"point", "held"}  # the keys whose value is a point: (name, value) pairs


def _python(value: object, key: str = "") -> object:
    """An attribute's value as the JSON writes it: tuples as lists, a point (the
    keys in POINTS) as an object, numbers that are not finite as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, tuple) and key in POINTS:
        return {name: _python(v) for name, v in value}
    if isinstance(value, tuple):
        return [_python(v) for v in value]
    return value


def test_every_json_key_of_a_result_is_an_attribute() -> None:
    # a mixed partial: d2/dudv (u**2*v**3) = 6*u*v**2 = 6*1*4 = 24 at u=1, v=2, by hand
    report = derivcli.partial("u**2*v**3", wrt=["u", "v"], at="u=1,v=2", timeout=TIMEOUT)
    (result,) = report.results
    assert result.variables == ("u", "v") and result.symbolic == 24.0
    data = report.to_dict()
    for key, value in data.items():
        if key != "results":
            assert _python(getattr(report, key), key) == value, key
    (fields,) = data["results"]
    assert fields["wrt"] == "u,v" and result.wrt == ("u", "v")  # documented: a tuple
    for key, value in fields.items():
        if key not in ("wrt", "samples"):
            assert _python(getattr(result, key), key) == value, key


def test_a_sampled_result_has_its_samples_and_steps_attributes() -> None:
    report = derivcli.grad("x**2", steps=True, timeout=TIMEOUT)  # at sample points
    (result,) = report.results
    fields = report.to_dict()["results"][0]
    assert result.variables == ("x",)
    assert len(result.samples) == len(fields["samples"]) == 5
    for sample, data in zip(result.samples, fields["samples"], strict=True):
        for key, value in data.items():
            assert _python(getattr(sample, key), key) == value, key
    # "steps" is there with steps=True: the derivation it is the JSON of
    steps = result.steps
    assert steps is not None and steps is result.derivation
    assert steps.to_json() == fields["steps"]
    assert derivcli.grad("x**2", at="x=1", timeout=TIMEOUT).results[0].steps is None


def test_every_json_key_of_check_s_result_is_an_attribute() -> None:
    right = derivcli.check("x**3", answer="3*x**2", steps=True, timeout=TIMEOUT)
    data = right.to_dict()
    objects = {"counterexample", "spot_checks", "steps"}  # checked below
    for key, value in data.items():
        if key not in objects:
            assert _python(getattr(right, key), key) == value, key
    assert right.input == "x**3" and right.answer_input == "3*x**2"
    assert (right.order, right.label, right.verdict) == (1, "d/dx", "right")
    assert right.spot_checks == right.spots and len(right.spot_checks) == len(data["spot_checks"])
    for spot, fields in zip(right.spot_checks, data["spot_checks"], strict=True):
        for key, value in fields.items():
            assert _python(getattr(spot, key), key) == value, key
    assert right.skipped_points == right.skipped == data["skipped_points"]
    steps = right.steps
    assert steps is not None and steps is right.derivation
    assert steps.to_json() == data["steps"]
    assert right.ok is True and right.exit_code == 0


def test_check_s_ok_is_exit_code_0() -> None:
    # d2/dx2 x**3 = 6*x, not 3*x**2: wrong, exit 1
    wrong = derivcli.check("x**3", answer="3*x**2", order=2, timeout=TIMEOUT)
    assert (wrong.correct, wrong.ok, int(wrong.exit_code)) == (False, False, 1)
    assert (wrong.order, wrong.label, wrong.verdict) == (2, "d2/dx2", "wrong")
    assert wrong.counterexample is not None


def test_every_json_key_of_a_hessian_is_an_attribute() -> None:
    # f = x**2*y: f_xx = 2*y = 4, f_xy = f_yx = 2*x = 2, f_yy = 0 at x=1, y=2, by hand
    report = derivcli.hessian("x**2*y", at="x=1,y=2", timeout=TIMEOUT)
    data = report.to_dict()
    assert (report.command, report.inputs, report.autograd_method) == (
        "hessian",
        ("x**2*y",),
        data["autograd_method"],
    )
    for key, value in data.items():
        if key != "points":
            assert _python(getattr(report, key), key) == value, key
    (point,) = report.points
    (fields,) = data["points"]
    assert point.symbolic == (("2*y", "2*x"), ("2*x", "0"))
    assert point.symbolic_values == point.autograd == ((4.0, 2.0), (2.0, 0.0))
    assert point.abs_diff == ((0.0, 0.0), (0.0, 0.0))
    assert point.differentiable == ((True, True), (True, True))
    assert point.variables == ("x", "y")
    # documented: "agree" and "gradient" are objects in the JSON, and in Python
    # agree is its "overall", entry_agree its "matrix", gradient the entries
    different = {"agree", "gradient", "entries", "expressions"}
    for key, value in fields.items():
        if key not in different:
            assert _python(getattr(point, key), key) == value, key
    assert fields["agree"] == {"matrix": _python(point.entry_agree), "overall": point.agree}
    assert fields["expressions"] == list(report.expressions)


def test_a_hessian_by_some_variables_has_them_and_the_held_ones() -> None:
    # f = x**2*y by x alone: the 1x1 matrix 2*y = 4 at y=2, y held there (by hand)
    report = derivcli.hessian("x**2*y", wrt="x", at="x=1,y=2", timeout=TIMEOUT)
    (point,) = report.points
    (fields,) = report.to_dict()["points"]
    assert point.variables == report.variables == ("x",)
    assert point.symbolic_values == ((4.0,),) and point.held == (("y", 2.0),)
    assert _python(point.held, "held") == fields["held"] == {"y": 2.0}


def test_every_json_key_of_a_jacobian_is_an_attribute() -> None:
    # rows r*cos(t), r*sin(t) by (r, t) at r=2, t=0: ((1, 0), (0, 2)), by hand
    report = derivcli.jacobian(["r*cos(t)", "r*sin(t)"], at="r=2,t=0", timeout=TIMEOUT)
    data = report.to_dict()
    assert (report.command, report.inputs) == ("jacobian", ("r*cos(t)", "r*sin(t)"))
    for key, value in data.items():
        if key != "points":
            assert _python(getattr(report, key), key) == value, key
    (point,) = report.points
    assert point.symbolic_values == ((1.0, 0.0), (0.0, 2.0))
    assert point.variables == ("r", "t")
    for key, value in data["points"][0].items():
        if key not in {"agree", "entries", "expressions"}:
            assert _python(getattr(point, key), key) == value, key
