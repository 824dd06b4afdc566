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
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

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
