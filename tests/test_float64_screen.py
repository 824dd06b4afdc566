"""The float64 screen of long grids (evaluate.float64_values): each value comes
with an estimate of float64's error, and a value whose estimate is above
TRUSTED_ERROR (1e-10) relative is "doubtful" and evaluated exactly instead.

The contract tested here: a value the screen trusts is within 1e-10 of the
real one (the oracle is mpmath at 50 digits on the expression as written), and
an exact 0 stays trusted. Each case is a rounding float64 makes visibly: the
sum (x + 1e8) - 1e8 keeps x to about 1e-8 only.
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import pytest

from derivcli.language.evaluate import TRUSTED_ERROR, compile_tree, float64_values
from derivcli.language.parser import parse


def _screen(text: str, xs: list[float]) -> Any:
    program = compile_tree(parse(text).tree)
    return float64_values(program, {"x": np.array(xs)}, len(xs))


def _real(text: str, x: float) -> Any:
    """The expression at x in mpmath, 50 digits, with decimal constants exact."""
    names = {
        "x": mpmath.mpf(x),
        "sin": mpmath.sin,
        "exp": mpmath.exp,
        "relu": lambda a: max(a, 0),
    }
    with mpmath.workdps(50):
        source = text.replace("1e8", "mpf(10)**8").replace("1e20", "mpf(10)**20")
        source = source.replace("1e5", "mpf(10)**5")
        source = source.replace("0.1", "mpf('0.1')")
        return eval(source, {"mpf": mpmath.mpf, **names})  # noqa: S307 - test's own text


def test_the_documented_trust_threshold() -> None:
    assert TRUSTED_ERROR == 1e-10


# s = (x + 1e8) - 1e8 at x = 0.3 is 0.30000001192092896: 4e-8 off
S = "((x + 1e8) - 1e8)"


@pytest.mark.parametrize(
    "text",
    [
        # a product of two equal roundings: errors |b|*ea + |a|*eb add up
        # (kills evaluate.py's MUL error a*eb subtracted: 0 for s*s)
        f"{S}*{S}",
        # a power of a rounded base by a rounded exponent: |b/a|*ea + |log a|*eb
        # (subtracted, the two nearly cancel for s**s at 0.3)
        f"{S}**{S}",
        # a function of a rounded argument: the error passes on by the slope
        # (kills the slope step taken at min(|a|, 1e-300), which moves nothing,
        # and the rounded argument skipped for the exact ones)
        f"sin({S})",
        f"exp({S})",
        # a quotient by a rounded denominator: (ea + |a/b|*eb)/|b| (kills the
        # two terms subtracted: 0 for an exact numerator)
        f"x/{S}",
    ],
)
def test_a_rounded_value_is_doubtful(text: str) -> None:
    screened = _screen(text, [0.3])
    real = _real(text, 0.3)
    assert abs(screened.values[0] - real) > TRUSTED_ERROR * abs(real)  # float64 is off
    assert bool(screened.doubtful[0])


def test_a_power_of_a_base_rounded_to_0_is_doubtful() -> None:
    # (x + 1e20) - 1e20 at x = 1 is 0 in float64 (the real value is 1); to the
    # power 1 it is still 0 with the base's whole error: doubtful (kills the
    # zero base's rule b > 1 -> b >= 1, which took it for exact)
    screened = _screen("((x + 1e20) - 1e20)**1", [1.0])
    assert screened.values[0] == 0.0 and _real("((x + 1e20) - 1e20)**1", 1.0) == 1
    assert bool(screened.doubtful[0])


def test_an_exact_zero_under_a_square_stays_trusted() -> None:
    # relu(x - 5) at x = 1 is exactly 0 (relu is flat there), and so is its
    # square: trusted, not sent to the exact evaluation (kills the zero base's
    # error 0 -> 1); and a rounded term added to it is still doubtful (kills
    # 0 -> -1, whose negative error hid the term's)
    square = _screen("relu(x - 5)**2", [1.0])
    assert square.values[0] == 0.0 and not bool(square.doubtful[0])
    text = f"relu(x - 5)**2 + {S}"
    assert bool(_screen(text, [0.3]).doubtful[0])


@pytest.mark.parametrize(
    "text", [f"{S}*{S}", f"{S}**{S}", f"sin({S})", "x*0.1 - x/10", "x**3 - 3*x", "exp(x)*x"]
)
def test_every_trusted_value_is_within_the_threshold(text: str) -> None:
    # over a grid, whatever the screen trusts is within 1e-10 of the real value
    xs = [float(v) for v in np.linspace(-2.0, 3.0, 41)]
    screened = _screen(text, xs)
    for x, value, doubtful in zip(xs, screened.values, screened.doubtful, strict=True):
        if doubtful or not np.isfinite(value):
            continue
        real = _real(text, x)
        assert abs(value - real) <= TRUSTED_ERROR * abs(real) + 1e-300, (text, x, value)


@pytest.mark.parametrize(
    "text",
    [
        # each operation rounds once or twice: errors of a few 1e-16, relative
        "(x + 1)*(x + 2)",
        "(x + 1)/(x + 3)",
        # a large denominator: the error is (ea + |a/b|*eb)/|b|, about 4e-16
        # relative here (multiplied by |b| instead, 4 relative: doubtful)
        "(x + 1)/(x + 1e8)",
        "(x + 2)**(x + 1)",
        # a large base: |b/a|*ea is 5e-17 relative (|b*a|*ea would be 5e-7)
        "(x + 1e5)**0.5",
        # an exact 0 to the power 1 is exactly 0
        "relu(x - 5)**1 + x",
    ],
)
def test_values_float64_computes_well_are_trusted(text: str) -> None:
    # the screen's point: values float64 gets right are not evaluated again
    # (kills error terms divided by an error instead of multiplied, and
    # variables given an error of 1)
    xs = [float(v) for v in np.linspace(0.5, 2.0, 16)]
    screened = _screen(text, xs)
    assert not screened.doubtful.any()
    for x, value in zip(xs, screened.values, strict=True):
        real = _real(text, x)
        assert abs(value - real) <= 1e-14 * abs(real)


def test_an_exact_0_under_a_fractional_power_is_an_edge() -> None:
    # relu(x - 5)**0.5 at x = 1 is 0**0.5: sqrt's edge, where the exact evaluation
    # decides (kills the zero base's edge rule b == 1 -> b != 1, which passed the
    # base's error 0 on)
    assert bool(_screen("relu(x - 5)**0.5", [1.0]).doubtful[0])
