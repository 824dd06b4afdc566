"""Library points and argument errors consistent with the CLI (a user review).

Each case here behaved otherwise before:

* ``at={"x": Fraction(1, 10**400)}`` ran at x=0.0 ("undefined at x=0: log(x)
  has a pole") and ``Decimal("-1e-400")`` at -0.0, where the CLI refuses
  ``--at x=1e-400`` ("would be 0", exit 2). A nonzero number that float64
  makes 0 is now the same PointError in the library; an exact 0 stays a point.
* ``device=torch.device("cpu")`` said "--device cpu: must be one of cpu, cuda"
  and ``dtype=torch.float32`` "--dtype torch.float32: must be one of ...":
  torch's own objects for the two names are now taken as those names, and
  any other non-str is refused with a line naming the argument (a numpy dtype
  raised a bare KeyError).
* ``at={}`` said "--at : expected name=value, got ''".
* The CLI's ``--at x=1:2:-3`` said the count "must be a whole number"; -3 is
  one: the rule is a positive whole number in digits.
"""

from __future__ import annotations

import decimal
import fractions
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from conftest import Cli

import derivcli

BELOW = "is below float64's smallest number (about 4.9e-324) and would be 0"

# (id, the value, the message's start: the variable and the value's repr, the
# exact 0 of the same type, which stays a point)
BELOW_FLOAT64: list[tuple[str, object, str, object]] = [
    # 1/10**400 is below float64's smallest subnormal 2**-1074 (about 4.9e-324)
    # by more than half of it, so float() rounds it to 0.0
    ("Fraction", fractions.Fraction(1, 10**400), "at: x=Fraction(1, 1000", fractions.Fraction(0)),
    (
        "Decimal negative",  # float() gives -0.0
        decimal.Decimal("-1e-400"),
        "at: x=Decimal('-1E-400') ",
        decimal.Decimal("-0"),
    ),
    # long double (x86: exponent to about -4951) holds 1e-400; float64 does not
    (
        "numpy longdouble",
        np.longdouble("1e-400"),
        "at: x=np.longdouble('1e-400') ",
        np.longdouble(0),
    ),
    # 2**-1076 is a quarter of the smallest subnormal: float() rounds it to 0.0
    ("Fraction 2**-1076", fractions.Fraction(1, 2**1076), "at: x=Fraction(1, ", 0),
]


@pytest.mark.parametrize(
    ("value", "start", "zero"),
    [case[1:] for case in BELOW_FLOAT64],
    ids=[case[0] for case in BELOW_FLOAT64],
)
def test_a_nonzero_number_float64_makes_zero_is_refused(
    value: object, start: str, zero: object
) -> None:
    if isinstance(value, np.longdouble) and value == 0:
        pytest.skip("this platform's long double is float64")
    with pytest.raises(derivcli.PointError) as caught:
        derivcli.grad("log(x)", at={"x": value}, timeout=60)  # type: ignore[dict-item]
    assert caught.value.message.startswith(start), caught.value.message
    assert caught.value.message.endswith(BELOW), caught.value.message
    assert caught.value.exit_code == 2
    # an exact 0 is a point: d/dx x**2 = 2*x is 0 there (by hand)
    (result,) = derivcli.grad("x**2", at={"x": zero}, timeout=60).results  # type: ignore[dict-item]
    assert result.point == (("x", 0.0),)
    assert result.symbolic == 0.0 and result.verdict == "agree"


def test_the_library_refuses_what_the_cli_refuses(cli: Cli) -> None:
    run = cli("grad", "log(x)", "--at", "x=1e-400", "--timeout", "60")
    assert run.code == 2 and run.out == ""
    assert run.error == f"--at x=1e-400: '1e-400' {BELOW}"
    # 10**-400 as the library's exact numbers: the same reason, the same exit code
    for value in (fractions.Fraction(1, 10**400), decimal.Decimal("1e-400")):
        with pytest.raises(derivcli.PointError) as caught:
            derivcli.grad("log(x)", at={"x": value}, timeout=60)
        assert caught.value.message.endswith(f" {BELOW}")
        assert caught.value.exit_code == run.code


@pytest.mark.parametrize(
    "function",
    [
        lambda at: derivcli.partial("x*y", wrt="x", at=at, timeout=60),
        lambda at: derivcli.hessian("x**2*y", at=at, timeout=60),
        lambda at: derivcli.jacobian(["x*y", "x+y"], at=at, timeout=60),
        lambda at: derivcli.graph("x*y", at=at),
    ],
    ids=["partial", "hessian", "jacobian", "graph"],
)
def test_every_function_with_at_refuses_it(function: Callable[[Any], object]) -> None:
    with pytest.raises(derivcli.PointError) as caught:
        function({"x": 1, "y": fractions.Fraction(-1, 10**400)})
    assert caught.value.message == f"at: y=Fraction(-1, 100000000000000000000000... {BELOW}"


# float32 holds 0.1 as 13421773 * 2**-27 (0.1 * 2**27 = 13421772.8, rounded to
# the nearest whole number); d/dx x**2 = 2*x there is 13421773 * 2**-26, by hand.
ONE_TENTH_IN_FLOAT32 = 13421773 / 2**27


@pytest.mark.parametrize(
    ("device", "dtype", "name", "point"),
    [
        (torch.device("cpu"), "float64", "float64", 0.1),
        ("cpu", torch.float32, "float32", ONE_TENTH_IN_FLOAT32),
        (torch.device("cpu"), torch.float64, "float64", 0.1),
        ("cpu", torch.double, "float64", 0.1),
    ],
    ids=["torch.device", "torch.float32", "both", "torch.double"],
)
def test_torch_device_and_dtype_are_their_names(
    device: Any, dtype: Any, name: str, point: float
) -> None:
    report = derivcli.grad("x**2", at="x=0.1", device=device, dtype=dtype, timeout=60)
    data = report.to_dict()
    assert data["device"] == "cpu" and data["dtype"] == name
    (result,) = report.results
    assert result.point == (("x", point),)
    assert result.symbolic == 2 * point and result.verdict == "agree"


def test_torch_names_in_the_other_functions() -> None:
    options: dict[str, Any] = {"device": torch.device("cpu"), "dtype": torch.float32}
    # d2/dx2 of x**2*y = 2*y = 4 at y=2, by hand
    hessian = derivcli.hessian("x**2*y", at="x=1,y=2", timeout=60, **options)
    assert hessian.to_dict()["dtype"] == "float32" and hessian.ok
    # d/dx of x*y = y = 2 at (1, 2), by hand
    jacobian = derivcli.jacobian(["x*y"], wrt="x", at="x=1,y=2", timeout=60, **options)
    assert jacobian.to_dict()["dtype"] == "float32" and jacobian.ok
    graph = derivcli.graph("x*y", at="x=1,y=2", **options)
    assert graph.dtype == "float32"


# (id, device, dtype, the message); each named --device or --dtype before
WRONG_SETTINGS: list[tuple[str, object, object, str]] = [
    (
        "torch.device cuda:1",
        torch.device("cuda", 1),
        "float64",
        "device: expected 'cpu' or 'cuda', a str or a torch.device without an index "
        "(cuda is torch's current cuda device), got device(type='cuda', index=1)",
    ),
    (
        "device None",
        None,
        "float64",
        "device: expected 'cpu' or 'cuda', a str or a torch.device without an index "
        "(cuda is torch's current cuda device), got None",
    ),
    (
        "torch.float16",
        "cpu",
        torch.float16,
        "dtype: expected 'float64' or 'float32', a str or torch.float64 or torch.float32, "
        "got torch.float16",
    ),
    (
        "numpy dtype",  # raised a bare KeyError: np.dtype("float32") == "float32"
        "cpu",
        np.dtype("float32"),
        "dtype: expected 'float64' or 'float32', a str or torch.float64 or torch.float32, "
        "got dtype('float32')",
    ),
]


@pytest.mark.parametrize(
    ("device", "dtype", "message"),
    [case[1:] for case in WRONG_SETTINGS],
    ids=[case[0] for case in WRONG_SETTINGS],
)
def test_a_device_or_dtype_only_python_passes_is_named(
    device: Any, dtype: Any, message: str
) -> None:
    with pytest.raises(derivcli.InputError) as caught:
        derivcli.grad("x**2", at="x=1", device=device, dtype=dtype, timeout=60)
    assert caught.value.message == message and caught.value.exit_code == 2


def test_a_name_keeps_the_clis_message_an_object_names_the_argument() -> None:
    # a str is what --device takes: the README promises the command line's line
    with pytest.raises(derivcli.InputError) as caught:
        derivcli.grad("x**2", at="x=1", device="tpu", timeout=60)
    assert caught.value.message == "--device tpu: must be one of cpu, cuda"
    # a torch.device of another type is no --device text: the argument is named
    with pytest.raises(derivcli.InputError) as caught:
        derivcli.grad("x**2", at="x=1", device=torch.device("meta"), timeout=60)
    assert caught.value.message.startswith("device: expected 'cpu' or 'cuda', ")
    assert caught.value.message.endswith(", got device(type='meta')")


EMPTY = "at: no point given (an empty mapping); a point gives every variable, such as {'x': 2}"


@pytest.mark.parametrize("at", [{}, [{"x": 1}, {}]], ids=["empty", "empty in a list"])
def test_an_empty_mapping_is_no_point(at: Any) -> None:
    with pytest.raises(derivcli.PointError) as caught:
        derivcli.grad("x**2", at=at, timeout=60)
    assert caught.value.message == EMPTY and caught.value.exit_code == 2


@pytest.mark.parametrize("count", ["-3", "2.5", "+0"])
def test_a_grid_count_that_is_not_positive_digits(cli: Cli, count: str) -> None:
    run = cli("grad", "x**2", "--at", f"x=1:2:{count}", "--timeout", "60")
    assert run.code == 2 and run.out == ""
    assert run.error == (
        f"--at x=1:2:{count}: the count in '1:2:{count}' must be a positive whole number "
        "of points, in digits (such as 7)"
    )
