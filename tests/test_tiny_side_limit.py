"""A side read as 0 because its quotients shrink, beside a tiny exact limit.

`relu(x - 11800)**3 - 0.25**x` at 11800: f'(x) = 3*relu(x - 11800)**2 +
ln(4)*4**-x (heaviside left out where relu is 0), so both one-sided derivatives
are ln(4)*4**-11800, about 6.8e-7105 (by hand; float64 rounds it to 0). The
left quotients settle on that value; the right ones are that plus about 3h**2,
still 1e-2458 at the last probe step (h = 11800*2**-4096), so their limit was
read as 0 and a kink reported ("the two differ by 6.82e-7105"): wrong, and open
since stop 21. The shrinking side is now followed to 2**-16384, 2**-32768 and
2**-65536: there it settles on the other side's limit (the sides meet), or
falls below it (0 stands: a kink), or neither (cannot decide, exit 3).
"""

from __future__ import annotations

import gmpy2
import mpmath
from conftest import Cli, CliRun, one

from derivcli.symbolic.analysis import _beside


def _grad(cli: Cli, expression: str, at: str) -> CliRun:
    return cli("grad", expression, "--at", at, "--timeout", "60", "-f", "json")


def test_the_tiny_slope_of_0_25_to_the_x_is_what_both_sides_tend_to() -> None:
    # the oracle: ln(4)*4**-11800 at 50 digits; float64 has nothing that small
    with mpmath.workdps(50):
        slope = mpmath.log(4) * mpmath.mpf(4) ** -11800
        assert mpmath.nstr(slope, 3) == "6.82e-7105"
    assert float(slope) == 0.0


def test_relu_cubed_beside_a_tiny_exponential_slope_is_differentiable(cli: Cli) -> None:
    run = _grad(cli, "relu(x - 11800)**3 - 0.25**x", "x=11800")
    assert run.code == 0, run.err
    result = one(run)
    assert result["verdict"] == "agree"
    assert result["differentiable"] is True
    assert (result["left"], result["right"], result["symbolic"]) == (0.0, 0.0, 0.0)
    assert "meet" in result["note"]


def test_relu_squared_beside_a_tiny_exponential_slope_is_differentiable(cli: Cli) -> None:
    # the right quotients are the slope plus about h (2*relu): below it only from
    # 2**-32768 on (h = 11800*2**-32768 is about 1e-9860, the slope 6.8e-7105)
    run = _grad(cli, "relu(x - 11800)**2 - 0.25**x", "x=11800")
    assert run.code == 0, run.err
    assert one(run)["verdict"] == "agree"


def test_a_tiny_corner_the_shrinking_side_falls_below_is_still_a_kink(cli: Cli) -> None:
    # left of 0 f = exp(-3000)*(-x): slope -exp(-3000) = -1.31e-1303 (by hand);
    # right of 0 f = x**2: slope 0. The right quotients (3h) are above 1e-1303 at
    # 2**-4096 and far below it at 2**-16384: the sides differ, a kink
    run = _grad(cli, "relu(x)**2 + exp(-3000)*relu(-x)", "x=0")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    with mpmath.workdps(30):
        assert mpmath.nstr(mpmath.exp(-3000), 3) == "1.31e-1303"
    assert "the two differ by 1.31e-1303" in result["note"]


def test_a_corner_below_every_step_cannot_be_decided(cli: Cli) -> None:
    # the same with exp(-70000) (2.43e-30401): at 2**-65536 the right quotients
    # (3h, about 2**-65534) are still above it, so 0 cannot be told from it
    run = _grad(cli, "relu(x)**2 + exp(-70000)*relu(-x)", "x=0")
    assert run.code == 3
    result = one(run)
    assert result["differentiable"] is None
    assert "cannot be told" in result["note"]
    assert "2**-65536" in result["note"]
    (line,) = run.err.strip().splitlines()
    assert "cannot decide" in line


def test_an_ordinary_kink_is_unchanged(cli: Cli) -> None:
    # relu(x) + x**2 at 0: sides 0 and 1 (by hand); the left quotients (3h) are
    # below 1 long before the last probe step
    run = _grad(cli, "relu(x) + x**2", "x=0")
    assert run.code == 1, run.err
    result = one(run)
    assert (result["left"], result["right"]) == (0.0, 1.0)


def test_a_step_of_2_to_the_minus_65536_is_kept_exactly() -> None:
    step = gmpy2.mpfr(2) ** -65536
    moved = _beside({"x": 1.5}, "x", step)
    with gmpy2.context(gmpy2.get_context(), precision=70000):
        assert moved["x"] - gmpy2.mpfr(1.5) == step


def test_quotients_exactly_0_at_the_last_probe_are_followed_further(cli: Cli) -> None:
    """A helper's find (stop 32): f = 2**100*relu(x)**2 + c*x, c = -3*2**-3996.
    Left of 0 f is c*x, slope c; right of it its slope at 0 is c too (the
    square's is 0): f is differentiable with f'(0) = c (by hand). The right
    quotients are c + 3*2**100*h, exactly 0 at h = 2**-4096, where the side
    used to be read as fallen below c: a kink ("the two differ by 3.64e-1203").
    Deeper steps give c."""
    run = _grad(cli, "2**100*relu(x)**2 - 3*2**-3996*x", "x=0")
    assert run.code == 0, run.err
    result = one(run)
    assert result["verdict"] == "agree" and result["differentiable"] is True
    assert result["symbolic"] == 0.0  # c is below float64's range


def test_a_shrinking_side_that_settles_on_a_tiny_limit_of_its_own(cli: Cli) -> None:
    """f = relu(x)**2 + exp(-3500)*relu(x) - exp(-3600)*relu(-x): its left slope
    at 0 is exp(-3600), its right one exp(-3500) (by hand), both below float64's
    range. The right quotients, exp(-3500) + 3h, shrink like 3h down to the
    last probe step and then settle on exp(-3500), neither below exp(-3600) nor
    equal to it: a kink, once two deep readings agree (it used to be "cannot
    decide", exit 3)."""
    run = _grad(cli, "relu(x)**2 + exp(-3500)*relu(x) - exp(-3600)*relu(-x)", "x=0")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable" and result["differentiable"] is False
    with mpmath.workdps(30):
        difference = mpmath.exp(-3500) - mpmath.exp(-3600)
    assert f"the two differ by {mpmath.nstr(difference, 3)}" in result["note"]
    # the same right side beside an equal left one: the sides meet
    run = _grad(cli, "relu(x)**2 + exp(-3500)*relu(x) - exp(-3500)*relu(-x)", "x=0")
    assert run.code == 0, run.err
    assert one(run)["verdict"] == "agree"
