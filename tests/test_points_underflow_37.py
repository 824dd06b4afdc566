"""--at values written as constant expressions that float64 rounds to 0.

``--at x=1e-400`` is refused ("is below float64's smallest number ... and
would be 0"), since x = 0.0 is another point (log(x) has its pole there). The
same number written as an expression, 1e-200*1e-200 or exp(-1000), was folded
in float64 to 0.0 and run at x = 0 without a word (a review of stop 37). Each
refused value's exact size is worked out by hand in its comment; the values
float64 does hold, and true zeros, stay points.
"""

from __future__ import annotations

import pytest
from conftest import Cli, one

BELOW = "is below float64's smallest number (about 4.9e-324) and would be 0"


@pytest.mark.parametrize(
    "value",
    [
        "1e-200*1e-200",  # 1e-400: below 2**-1074 = 4.9e-324
        "-1e-200*1e-200",  # -1e-400
        "1e-300/1e300",  # 1e-600
        "(1e-200)**2",  # 1e-400
        "2**-1075",  # half of 2**-1074: rounds to 0 (ties to even)
        "exp(-1000)",  # 5.1e-435
    ],
)
def test_a_constant_float64_makes_zero_is_refused(cli: Cli, value: str) -> None:
    run = cli("grad", "log(x)", "--at", f"x={value}", "--timeout", "60")
    assert run.code == 2
    assert run.out == ""
    assert run.error == f"--at x={value}: '{value}' {BELOW}"


@pytest.mark.parametrize(
    ("value", "point"),
    [
        ("2**-1074", 5e-324),  # the smallest subnormal itself: held exactly
        ("exp(-700)", 9.85967654375977e-305),  # e**-700, float64's nearest (Python: math.exp(-700))
        ("1e-160*1e-160", 1e-320),  # a subnormal: float64 holds it, rounded
        ("1 - 1", 0.0),  # exactly 0: a point
        ("0*5", 0.0),
        ("sin(0)", 0.0),
        ("0**2", 0.0),
    ],
)
def test_values_float64_holds_and_true_zeros_stay_points(
    cli: Cli, value: str, point: float
) -> None:
    run = cli("grad", "x**2", "--at", f"x={value}", "-f", "json", "--timeout", "60")
    assert run.code == 0, run.err
    result = one(run)
    assert result["point"] == {"x": pytest.approx(point, rel=1e-15, abs=0)}
    assert result["symbolic"] == pytest.approx(2 * point, rel=1e-15, abs=0)  # d/dx x**2 = 2x
