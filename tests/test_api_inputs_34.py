"""Arguments only Python can pass, to every public function of the library.

The README ("## Python") promises a named derivcli error with a one-line
message, never a bare TypeError, for arguments of the wrong type. Each case
here raised TypeError, AttributeError or an exit-3 CannotComputeError
("symbolic engine failed") before: the expression as None, a number or bytes,
the answer of ``check`` as None or 3, ``wrt`` as 3 or [1], a list given to
``hessian`` (one expression), ``None`` among ``jacobian``'s expressions, the
``expr`` and ``timeout`` of ``check_function``. ``partial`` with ``wrt=None``
differentiated by every variable, where the CLI's ``partial`` without --wrt
exits 2. Real numbers that are not int or float (numpy scalars, 0-d arrays and
tensors, Fraction, Decimal) were refused at ``at=`` as "not a number"; they
are now taken as float(value), the float64 the caller would get by hand.
"""

from __future__ import annotations

import decimal
import fractions
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from conftest import SQUARE_FUNCTION

import derivcli

Call = Callable[[], object]

# (the call, the exception type, text the message holds)
WRONG_TYPES: list[tuple[str, Call, type[derivcli.DerivcliError], str]] = [
    (
        "grad None",
        lambda: derivcli.grad(None, at="x=1"),  # type: ignore[arg-type]
        derivcli.InputError,
        "expression: expected a str such as 'x**2', got None",
    ),
    (
        "grad int",
        lambda: derivcli.grad(5, at="x=1"),  # type: ignore[arg-type]
        derivcli.InputError,
        "expression: expected a str such as 'x**2', got 5",
    ),
    (
        "grad bytes",
        lambda: derivcli.grad(b"x**2", at="x=1"),  # type: ignore[arg-type]
        derivcli.InputError,
        "expression: expected a str such as 'x**2', got b'x**2'",
    ),
    (
        "partial expression None",
        lambda: derivcli.partial(None, wrt="x", at="x=1"),  # type: ignore[arg-type]
        derivcli.InputError,
        "expression: expected a str such as 'x**2', got None",
    ),
    (
        "check answer None",
        lambda: derivcli.check("x**2", answer=None),  # type: ignore[arg-type]
        derivcli.InputError,
        "answer: expected a str such as '2*x', got None",
    ),
    (
        "check answer int",
        lambda: derivcli.check("x**2", answer=3),  # type: ignore[arg-type]
        derivcli.InputError,
        "answer: expected a str such as '2*x', got 3",
    ),
    (
        "check expression None",
        lambda: derivcli.check(None, answer="2*x"),  # type: ignore[arg-type]
        derivcli.InputError,
        "expression: expected a str such as 'x**2', got None",
    ),
    (
        "check wrt int",
        lambda: derivcli.check("x*y", answer="y", wrt=3),  # type: ignore[arg-type]
        derivcli.PointError,
        "wrt: expected a variable name or a list of them, such as 'x' or ['x', 'y'], got 3",
    ),
    (
        "check wrt [None]",
        lambda: derivcli.check("x*y", answer="y", wrt=[None]),  # type: ignore[list-item]
        derivcli.PointError,
        "wrt: a variable name is a str such as 'x', got None",
    ),
    (
        "check steps None",
        lambda: derivcli.check("x**2", answer="2*x", steps=None),  # type: ignore[arg-type]
        derivcli.InputError,
        "steps: expected True or False, got None",
    ),
    (
        "partial wrt int",
        lambda: derivcli.partial("x*y", wrt=3, at="x=1,y=2"),  # type: ignore[arg-type]
        derivcli.PointError,
        "wrt: expected a variable name or a list of them, such as 'x' or ['x', 'y'], got 3",
    ),
    (
        "partial wrt [1]",
        lambda: derivcli.partial("x*y", wrt=[1], at="x=1,y=2"),  # type: ignore[list-item]
        derivcli.PointError,
        "wrt: a variable name is a str such as 'x', got 1",
    ),
    (
        "partial wrt bytes",
        lambda: derivcli.partial("x*y", wrt=b"x", at="x=1,y=2"),  # type: ignore[arg-type]
        derivcli.PointError,
        "wrt: expected a variable name or a list of them, such as 'x' or ['x', 'y'], got b'x'",
    ),
    (
        "partial wrt None",
        lambda: derivcli.partial("x*y", wrt=None, at="x=1,y=2"),  # type: ignore[arg-type]
        derivcli.InputError,
        "wrt: partial needs the variable to differentiate by, such as wrt='x' "
        "(grad differentiates by every variable)",
    ),
    (
        "grad mesh 'no'",
        lambda: derivcli.grad("x*y", at="x=1:2:2,y=1", mesh="no"),  # type: ignore[arg-type]
        derivcli.InputError,
        "mesh: expected True or False, got 'no'",
    ),
    (
        "grad steps None",
        lambda: derivcli.grad("x**2", at="x=1", steps=None),  # type: ignore[arg-type]
        derivcli.InputError,
        "steps: expected True or False, got None",
    ),
    (
        "grad at bytes",
        lambda: derivcli.grad("x**2", at=b"x=1"),  # type: ignore[arg-type]
        derivcli.PointError,
        "at: expected 'x=2', {'x': 2} or a list of those, got b'x=1'",
    ),
    (
        "jacobian None in the list",
        lambda: derivcli.jacobian(["x*y", None], at="x=1,y=2"),  # type: ignore[list-item]
        derivcli.InputError,
        "expressions[1]: expected a str such as 'r*cos(t)', got None",
    ),
    (
        "jacobian None",
        lambda: derivcli.jacobian(None, at="x=1,y=2"),  # type: ignore[arg-type]
        derivcli.InputError,
        "expressions: expected a str or a list of them, such as ['r*cos(t)', 'r*sin(t)'], got None",
    ),
    (
        "jacobian wrt int",
        lambda: derivcli.jacobian(["x*y"], wrt=5, at="x=1,y=2"),  # type: ignore[arg-type]
        derivcli.PointError,
        "wrt: expected a variable name or a list of them, such as 'x' or ['x', 'y'], got 5",
    ),
    (
        "jacobian mesh None",
        lambda: derivcli.jacobian(["x*y"], at="x=1,y=2", mesh=None),  # type: ignore[arg-type]
        derivcli.InputError,
        "mesh: expected True or False, got None",
    ),
    (
        "hessian list",
        lambda: derivcli.hessian(["x**2"], at="x=1"),  # type: ignore[arg-type]
        derivcli.InputError,
        "expression: hessian takes one expression, a str such as 'x**2*y', got ['x**2'] "
        "(the derivatives of several: jacobian)",
    ),
    (
        "hessian None",
        lambda: derivcli.hessian(None, at="x=1"),  # type: ignore[arg-type]
        derivcli.InputError,
        "expression: expected a str such as 'x**2*y', got None",
    ),
    (
        "hessian wrt int",
        lambda: derivcli.hessian("x*y", wrt=5, at="x=1,y=2"),  # type: ignore[arg-type]
        derivcli.PointError,
        "wrt: expected a variable name or a list of them, such as 'x' or ['x', 'y'], got 5",
    ),
    (
        "graph None",
        lambda: derivcli.graph(None, at="x=1"),  # type: ignore[arg-type]
        derivcli.InputError,
        "expression: expected a str such as 'x**2', got None",
    ),
    (
        "check_function target None",
        lambda: derivcli.check_function(None, expr="x**2", at="x=1"),  # type: ignore[arg-type]
        derivcli.InputError,
        "target: expected a str such as 'function.py:Square', got None",
    ),
]


@pytest.mark.parametrize(
    ("call", "kind", "message"),
    [case[1:] for case in WRONG_TYPES],
    ids=[case[0] for case in WRONG_TYPES],
)
def test_a_wrong_type_is_a_named_error(
    call: Call, kind: type[derivcli.DerivcliError], message: str
) -> None:
    with pytest.raises(kind) as caught:
        call()
    error = caught.value
    assert error.message == message and str(error) == message
    assert "\n" not in error.message
    assert error.exit_code is derivcli.ExitCode.BAD_INPUT and int(error.exit_code) == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        # was CannotComputeError, exit 3: "the symbolic engine failed: TypeError: ..."
        ({"expr": None}, "expr: expected a str such as 'x**2', got None"),
        # was a bare TypeError in the parent ('>' between float and NoneType)
        ({"expr": "x**2", "timeout": None}, "--timeout None: must be a number of seconds"),
    ],
)
def test_check_function_wrong_types(tmp_path: Path, options: dict[str, Any], message: str) -> None:
    module = tmp_path / "square.py"
    module.write_text(SQUARE_FUNCTION)
    with pytest.raises(derivcli.InputError) as caught:
        derivcli.check_function(f"{module}:Square", at="x=0.5", **options)
    assert caught.value.message == message and caught.value.exit_code == 2


# Real numbers that are not int or float, and the float64 each is taken as.
# By hand: float32 has 24 significant bits, so 0.1 (between 2**-4 and 2**-3)
# is k * 2**-27 with k the nearest integer to 0.1 * 2**27 = 13421772.8, i.e.
# 13421773. 1/3 and 0.1 as float64: the correctly rounded values, which is what
# Python's float() of Fraction and Decimal gives (so 1/3 and 0.1).
ONE_TENTH_IN_FLOAT32 = float(fractions.Fraction(13421773, 2**27))
REAL_NUMBERS: list[tuple[str, object, float]] = [
    ("numpy float32", np.float32(0.1), ONE_TENTH_IN_FLOAT32),
    ("numpy float16", np.float16(0.5), 0.5),
    ("numpy int64", np.int64(-3), -3.0),
    ("numpy uint8", np.uint8(7), 7.0),
    ("numpy 0-d array", np.array(1.5), 1.5),
    ("torch 0-d float32", torch.tensor(0.1, dtype=torch.float32), ONE_TENTH_IN_FLOAT32),
    ("torch 0-d float64", torch.tensor(-2.25, dtype=torch.float64), -2.25),
    ("torch 0-d int", torch.tensor(4), 4.0),
    ("Fraction", fractions.Fraction(1, 3), 1 / 3),
    ("Decimal", decimal.Decimal("0.1"), 0.1),
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [case[1:] for case in REAL_NUMBERS],
    ids=[case[0] for case in REAL_NUMBERS],
)
def test_real_numbers_are_taken_as_their_float(value: Any, expected: float) -> None:
    assert float(value) == expected
    report = derivcli.grad("x**2*y", at={"x": value, "y": 3})
    # d/dx x**2*y = 2*x*y, d/dy = x**2 at the float64 point, by hand
    by_x, by_y = report.results
    assert by_x.point == (("x", expected), ("y", 3.0))
    assert by_x.symbolic == 2 * expected * 3 and by_y.symbolic == expected**2
    # and exactly what the plain float gives, every field of the JSON
    assert report.to_dict() == derivcli.grad("x**2*y", at={"x": expected, "y": 3.0}).to_dict()


def test_a_real_number_in_each_function() -> None:
    x = np.float32(0.1)
    plain = ONE_TENTH_IN_FLOAT32
    assert (
        derivcli.partial("x*y", wrt="x", at={"x": x, "y": 2}).to_dict()
        == derivcli.partial("x*y", wrt="x", at={"x": plain, "y": 2}).to_dict()
    )
    assert (
        derivcli.hessian("x**3*y", at={"x": x, "y": 2}).to_dict()
        == derivcli.hessian("x**3*y", at={"x": plain, "y": 2}).to_dict()
    )
    assert (
        derivcli.jacobian(["x*y", "x+y"], at={"x": x, "y": 2}).to_dict()
        == derivcli.jacobian(["x*y", "x+y"], at={"x": plain, "y": 2}).to_dict()
    )


NOT_NUMBERS: list[tuple[str, object, str]] = [
    ("bool", True, "at: x=True is not a number"),
    ("numpy bool", np.bool_(True), "at: x=np.True_ is not a number"),
    ("torch bool", torch.tensor(True), "at: x=tensor(True) is not a number"),
    ("complex", 1j, "at: x=1j is not a number"),
    ("torch complex", torch.tensor(1j), "at: x=tensor(0.+1.j) is not a number"),
    ("numpy 1-d array", np.array([1.0]), "at: x=array([1.]) is not a number"),
    ("torch 1-d tensor", torch.tensor([0.5]), "at: x=tensor([0.5000]) is not a number"),
    ("numpy object 0-d", np.array(1.0, dtype=object), "at: x=array(1.0, dtype=object) is not"),
    # past float64's range (finite, and said so), or not finite: a PointError
    ("int past float64", 10**400, "is beyond float64's range (about 1.8e308)"),
    ("Fraction past float64", fractions.Fraction(10**400, 3), "is beyond float64's range"),
    ("Decimal past float64", decimal.Decimal("1e400"), "at: x=Decimal('1E+400') is beyond"),
    ("Decimal NaN", decimal.Decimal("NaN"), "at: x=Decimal('NaN') is not a finite real number"),
    ("Decimal sNaN", decimal.Decimal("sNaN"), "at: x=Decimal('sNaN') is not a finite real"),
    ("longdouble past float64", np.longdouble("1e400"), "is beyond float64's range"),
    ("float inf", math.inf, "at: x=inf is not a finite real number"),
]


@pytest.mark.parametrize(
    ("value", "message"),
    [case[1:] for case in NOT_NUMBERS],
    ids=[case[0] for case in NOT_NUMBERS],
)
def test_values_that_are_not_real_numbers_are_refused(value: Any, message: str) -> None:
    with pytest.raises(derivcli.PointError) as caught:
        derivcli.grad("x**2", at={"x": value})
    assert message in caught.value.message and caught.value.exit_code == 2
    assert "\n" not in caught.value.message
