"""Verdicts at the boundaries of the analysis (symbolic/analysis.py), one case each.

Each case was a surviving mutant of tools/mutate.py: a flipped comparison or
a skipped branch in the kink, edge and one-sided-limit analysis that no test
noticed. The expected values are worked out by hand in the comments (the
one-sided derivatives of piecewise functions, float64's largest numbers as
exact powers of two), never taken from derivcli's closed form.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath
import pytest
from conftest import Cli, CliRun

FLOAT64_MAX = (2 - 2**-52) * 2.0**1023  # 1.7976931348623157e308
FLOAT32_MAX = (2 - 2**-23) * 2.0**127  # 3.4028234663852886e38


def one(run: CliRun) -> dict[str, Any]:
    (result,) = run.json()["results"]
    assert isinstance(result, dict)
    return result


# ---------------------------------------------------------------- values past MPFR's range


@pytest.mark.parametrize(
    ("text", "at", "words"),
    [
        # f = erf(1e10) is within rounding of 1, fine; only the derivative
        # 2/sqrt(pi)*exp(-x**2) = exp(-1e20) is below every number format
        ("erf(x)", "x=1e10", "exp(-x**2) is nonzero but too small for any number format"),
        # exp(1e20) is finite but past every format: a part of f, not f itself
        ("log(exp(x))", "x=1e20", "exp(x) is finite but too large for any number format"),
        # f itself is exp(-1e20): too small, which is not "too large"
        ("exp(x)", "x=-1e20", "exp(x) is nonzero but too small for any number format"),
    ],
)
def test_a_value_past_mpfr_anywhere_is_not_judged(cli: Cli, text: str, at: str, words: str) -> None:
    run = cli("grad", text, "--at", at, "-f", "json")
    result = one(run)
    assert run.code == 3 and result["verdict"] == "not computed"
    assert result["symbolic"] is None and result["differentiable"] is None
    assert words in result["note"]


# ---------------------------------------------------------------- the dtype's largest number


@pytest.mark.parametrize(
    ("text", "dtype", "largest"),
    [
        ("(2 - 2**-52)*2**1023*x", "float64", FLOAT64_MAX),
        ("(2 - 2**-23)*2**127*x", "float32", FLOAT32_MAX),
    ],
)
def test_the_largest_finite_number_is_within_range(
    cli: Cli, text: str, dtype: str, largest: float
) -> None:
    # d/dx c*x = c, exactly the dtype's largest finite number: in range, agree
    run = cli("grad", text, "--at", "x=1", "--dtype", dtype, "-f", "json")
    result = one(run)
    assert run.code == 0 and result["verdict"] == "agree"
    assert result["symbolic"] == result["autograd"] == largest


def test_a_smooth_kink_whose_slope_is_the_largest_number(cli: Cli) -> None:
    # abs(x)**3 has slope 0 at 0 from both sides: the sides of f are both
    # exactly float64's largest number, in range
    run = cli("grad", "(2 - 2**-52)*2**1023*x + abs(x)**3", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 0 and result["differentiable"] is True
    assert result["left"] == result["right"] == result["symbolic"] == FLOAT64_MAX


# ---------------------------------------------------------------- one-sided limits


def test_one_side_undecided_is_undecided(cli: Cli) -> None:
    # left of 0 f is x (slope 1); right of it x + x**1.001, whose quotients
    # 1 + c*h**0.001 are still far from settled at h = 2**-4096
    run = cli("grad", "x + relu(x)**1.001", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 3 and result["verdict"] == "not computed"
    assert result["left"] == 1.0 and result["right"] == "nan"
    assert "cannot decide" in result["note"]


def test_one_infinite_side_without_a_kinked_function(cli: Cli) -> None:
    # x + sqrt(x**2) is 0 left of 0 and 2x right of it: its cube root has
    # left derivative 0 and right derivative +inf (no kinked function in f)
    run = cli("grad", "(x + sqrt(x**2))**(1/3)", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert (result["left"], result["right"]) == (0.0, "inf")
    assert "not finite" in result["note"] and "corner" not in result["note"]


@pytest.mark.parametrize(
    ("text", "right"),
    [
        # the left side of x**2 shrinks (quotients 3h): it is 0, not 0.5
        ("relu(x)/2 + x**2", 0.5),
        # a left side shrinking to 0 beside a right side of exactly 1e-305
        ("relu(-x)**2 + relu(x)*1e-300*1e-5", 1e-305),
    ],
)
def test_a_shrinking_side_is_zero_and_differs(cli: Cli, text: str, right: float) -> None:
    run = cli("grad", text, "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["verdict"] == "not differentiable"
    assert (result["left"], result["right"]) == (0.0, right)
    assert "kink of relu" in result["note"]


def test_a_second_derivative_from_f_s_own_differences(cli: Cli) -> None:
    # on the line z = 0, (y*z)**1.5 is 0 for every y: d2/dy2 is 0 from both
    # sides, though the lower closed forms (y*z)**0.5*z... have no value there
    run = cli("partial", "(y*z)**1.5", "--wrt", "y", "--order", "2", "--at", "y=1,z=0",
              "-f", "json")  # fmt: skip
    result = one(run)
    assert result["differentiable"] is True
    assert (result["left"], result["right"]) == (0.0, 0.0) and result["symbolic"] == 0.0


def test_f_undefined_beyond_the_point_stops_a_second_derivative(cli: Cli) -> None:
    # sqrt(1.5 - y)**2 is 1.5 - y left of 1.5 and undefined right of it, even
    # though its closed forms (-1, then 0) have values everywhere
    run = cli("grad", "sqrt(1.5 - y)**2", "--order", "2", "--at", "y=1.5", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert (result["left"], result["right"]) == (0.0, None)


# ---------------------------------------------------------------- mixed partials


def test_a_lower_order_without_a_value_and_without_sides(cli: Cli) -> None:
    # d/dx (sqrt(x**2)*z) at x=0 has sides -z and z: for z=1 it does not exist,
    # so neither does d/dz of it
    run = cli("partial", "sqrt(x**2)*z", "--wrt", "x", "--wrt", "z", "--at", "x=0,z=1",
              "-f", "json")  # fmt: skip
    result = one(run)
    assert run.code == 1 and result["verdict"] == "not differentiable"
    note = "no derivative at x=0, z=1: the derivative of order 1 has no value there"
    assert result["note"] == note


def test_f_one_sided_along_the_first_variable(cli: Cli) -> None:
    # x*z*sqrt(z) is undefined for z < 0: d/dz at z=0 is one-sided only
    run = cli("partial", "x*z*sqrt(z)", "--wrt", "z", "--wrt", "x", "--at", "x=1,z=0",
              "-f", "json")  # fmt: skip
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert result["note"] == "no derivative at x=1, z=0: f is undefined on one side along z"


@pytest.mark.parametrize(
    ("text", "left", "right"),
    [
        # d/dx relu(x)*relu(z) at x=0 has sides 0 and relu(z): it exists for
        # z <= 0 (where it is 0) only, so d/dz of it has a left side (0) only
        ("relu(x)*relu(z)", 0.0, None),
        # mirrored: d/dx relu(x)*relu(-z) exists for z >= 0 only
        ("relu(x)*relu(-z)", None, 0.0),
    ],
)
def test_a_lower_order_missing_on_one_side_only(
    cli: Cli, text: str, left: float | None, right: float | None
) -> None:
    run = cli("partial", text, "--wrt", "x", "--wrt", "z", "--at", "x=0,z=0", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert (result["left"], result["right"]) == (left, right)


# ---------------------------------------------------------------- the limits' resolution


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # a jump of 2**-99 on top of 1 is above the side limits' 2**-100 (README):
        # the limits themselves differ; 2**-99 = 1.5777218104420236e-30
        ("1 + heaviside(x)*2**-99", "it jumps by 1.57772181e-30)"),
        # 3*2**-102 is below it: found by the finer look at steps of 2**-4096
        ("1 + heaviside(x)*3*2**-102", "below the side limits' resolution"),
    ],
)
def test_a_jump_just_above_and_just_below_the_limits_resolution(
    cli: Cli, text: str, words: str
) -> None:
    run = cli("grad", text, "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["verdict"] == "not differentiable"
    assert "jumps at x=0 (left limit 1, value 1, right limit 1; " in result["note"]
    assert words in result["note"]


def test_a_shrinking_side_limit_is_zero_not_near_a_half(cli: Cli) -> None:
    # relu(-x)**2 + 0.5 + 0.5*floor(x): left of 0 it is x**2 (values shrinking to
    # 0), at 0 and right of it 0.5: f jumps by 0.5, seen by the limits themselves
    run = cli("grad", "relu(-x)**2 + 0.5 + 0.5*floor(x)", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["verdict"] == "not differentiable"
    assert "jumps at x=0 (left limit 0, value 0.5, right limit 0.5)" in result["note"]


# ---------------------------------------------------------------- sides that settle slowly


@pytest.mark.parametrize(
    ("text", "code", "left", "right"),
    [
        # quotients ~ h**0.01: they shrink 2**10.24-fold from 2**-1024 to 2**-2048
        # and 2**20.48-fold from there to 2**-4096: shrinking, so 0 on both sides
        ("abs(x)**1.01", 0, 0.0, 0.0),
        # ~ h**0.005: only 2**5.12-fold from 2**-1024 to 2**-2048; still moving
        # at 2**-4096 (the documented last step): undecided, not a guess
        ("abs(x)**1.005", 3, "nan", "nan"),
        # ~ h**-0.001: growing 2**1.024-fold, then 2**2.048-fold: infinite sides
        ("abs(x)**0.999", 1, "-inf", "inf"),
    ],
)
def test_sides_that_settle_slowly(cli: Cli, text: str, code: int, left: Any, right: Any) -> None:
    run = cli("grad", text, "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == code
    assert (result["left"], result["right"]) == (left, right)


@pytest.mark.parametrize(
    ("order", "right"),
    [
        # z*(y*z)**0.5 is 0 all along z = 0, but its derivatives along y are
        # 0*(y*z)**-0.5...: no value anywhere on that line. relu(y)**2 has
        # second derivative 0 left of 0 and 2 right of it; relu(y)**3 has third
        # derivative 0 and 6. The sides come from f's own differences.
        (2, 2.0),
        (3, 6.0),
    ],
)
def test_sides_from_f_s_differences_where_the_lower_forms_have_no_value(
    cli: Cli, order: int, right: float
) -> None:
    text = f"z*(y*z)**0.5 + relu(y)**{order}"
    run = cli("partial", text, "--wrt", "y", "--order", str(order), "--at", "y=0,z=0",
              "-f", "json")  # fmt: skip
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert (result["left"], result["right"]) == (0.0, right)
    assert math.copysign(1.0, result["left"]) == 1.0  # 0, not -0


def test_an_edge_after_a_function_without_edges(cli: Cli) -> None:
    # sin has no domain edge; sqrt(x)**3 after it has one at 0: undefined on the
    # left, right derivative cos(0) + 0 = 1
    run = cli("grad", "sin(x) + sqrt(x)**3", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert (result["left"], result["right"]) == (None, 1.0)


def test_a_lower_order_that_exists_by_its_sides(cli: Cli) -> None:
    # d/dx (2z - 1)**x at z = 1/2 is 0 for x > 0 (0**x = 0 along x), though its
    # closed form is 0*log(0); d/dz of it then has a right side (0) only, as
    # (2z - 1)**2.5 is undefined below z = 1/2
    run = cli("partial", "(2*z-1)**x", "--wrt", "x", "--wrt", "z", "--at", "x=2.5,z=0.5",
              "-f", "json")  # fmt: skip
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert (result["left"], result["right"]) == (None, 0.0)


@pytest.mark.parametrize(
    ("wrt", "words"),
    [
        # d/dx relu(x)*z = heaviside(x)*z: sides 0 and z at x=0, so it exists
        # on the line x=0 at z=0 only
        (["x", "z"], "f's derivative along x does not exist beside the point along z"),
        # d2/dx2 relu(x)**2*z = 2*heaviside(x)*z: the same, one order up
        (["x", "x", "z"], "the derivative of order 2 along x does not exist beside the point"),
    ],
)
def test_which_lower_order_is_missing_beside_the_point(
    cli: Cli, wrt: list[str], words: str
) -> None:
    text = "relu(x)*z" if len(wrt) == 2 else "relu(x)**2*z"
    args = [a for v in wrt for a in ("--wrt", v)]
    run = cli("partial", text, *args, "--at", "x=0,z=0", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert words in result["note"]


# ---------------------------------------------------------------- long grids in float64


def _frac_slope(x: Any) -> Any:
    # d/dx x*frac(x) = frac(x) + x, frac(x) = x - trunc(x) (the sign of x)
    return x - (mpmath.floor(x) if x >= 0 else mpmath.ceil(x)) + x


@pytest.mark.parametrize(
    ("text", "at", "slope"),
    [
        ("erfinv(x)", "x=-0.999:0.999:6001",
         lambda x: mpmath.sqrt(mpmath.pi) / 2 * mpmath.exp(mpmath.erfinv(x) ** 2)),
        ("digamma(x)", "x=-3.3:20.7:6001", lambda x: mpmath.psi(1, x)),
        ("polygamma(1, x)", "x=0.3:30.3:6001", lambda x: mpmath.psi(2, x)),
        ("x*frac(x)", "x=-3.3:3.7:6001", _frac_slope),
    ],
)  # fmt: skip
def test_long_grids_screened_in_float64_are_accurate(
    cli: Cli, text: str, at: str, slope: Callable[[Any], Any]
) -> None:
    # a grid this long is first evaluated in float64 (the table's float64
    # versions of erfinv, polygamma, frac); kept values are within 1e-10 relative.
    # The budget is raised: this checks values, and under coverage on a loaded
    # machine digamma's 6,001 points once ran past the default
    run = cli("grad", text, "--at", at, "-f", "json", "--timeout", "60")
    doc = run.json()
    assert "computed in float64" in doc["note"]
    checked = 0
    with mpmath.workdps(30):
        for result in doc["results"]:
            if not isinstance(result["symbolic"], float):
                continue  # a pole of polygamma: judged exactly, not screened
            expected = slope(mpmath.mpf(result["point"]["x"]))
            assert result["symbolic"] == pytest.approx(float(expected), rel=1e-10, abs=1e-300)
            checked += 1
    assert checked >= 6000


@pytest.mark.parametrize(
    ("coefficient", "code"),
    [
        # float32's largest value is (2 - 2**-23)*2**127; half an ulp above it,
        # 2**128 - 2**103 = 3.4028235677...e38, rounds to inf (to even), anything
        # below to a finite float32. 3.40282356e38 is a finite float32 derivative
        # (it was "beyond float32's range", exit 3; a hunt), 3.40282357e38 is not
        ("340282356000000000000000000000000000000", 0),
        ("340282357000000000000000000000000000000", 3),
    ],
)
def test_float32_s_range_ends_half_an_ulp_past_its_largest_value(
    cli: Cli, coefficient: str, code: int
) -> None:
    from fractions import Fraction

    halfway = Fraction(2**128 - 2**103)
    assert (Fraction(int(coefficient)) < halfway) == (code == 0)
    run = cli("grad", f"{coefficient}*x", "--at", "x=1", "--dtype", "float32", "-f", "json")
    assert run.code == code, run.err
