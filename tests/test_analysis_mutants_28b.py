"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(issue 16, stop 28: a group of survivors located by their code text).

Each test pins a fact worked out by hand, or with mpmath at 120 digits, never
derivcli's own output recorded as the expectation, and names the mutant it
kills (``.venv/bin/python tools/mutate.py --show ID`` prints one). Most
inputs are built so that one threshold of the analysis is met exactly or just
missed; the comments say how.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
from conftest import Cli, one, screen_grid


def _partial(cli: Cli, text: str, at: str, *wrt: str) -> dict[str, Any]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    return one(run)


# ---------------------------------------------------------------- _on_edge's band


def test_a_point_just_outside_the_edge_band_is_regular(cli: Cli) -> None:
    # f = asin(a), a = 2**60*(y - 1) + 1 - exp(-x), at x = 143.77, y = 1: a is
    # 1 - e with e = exp(-143.77) = 1.4987*2**-208 (mpmath), so a is off asin's
    # edge 1 by more than the band 2**(ZERO_MARGIN - 256) = 2**-208 (a's
    # magnitude is 1) that counts as on it, but within twice that. Along y the
    # edge is e/2**60 = 2**-267.4 away: closer than the first probe step
    # (2**-256), yet f is defined on |y - 1| < 2**-267, so the derivative exists
    # and is the closed form's 2**60/sqrt(1 - a**2) = 1.3506523346703829e49.
    # Kills analysis.py:1b292323:25:num_inc:0 (_tiny = 2*2**(48 - precision):
    # the point is taken as on the edge, the probes find f undefined to the
    # right, and a domain edge is reported)
    result = _partial(cli, "asin(2**60*(y - 1) + 1 - exp(-x))", "x=143.77,y=1", "y")
    with mpmath.workdps(120):
        x = mpmath.mpf(143.77)
        a = 1 - mpmath.exp(-x)
        assert 1 < mpmath.exp(-x) * mpmath.mpf(2) ** 208 < 2  # the band, as described
        expected = float(mpmath.mpf(2) ** 60 / mpmath.sqrt(1 - a**2))
    assert result["differentiable"] is True
    assert (result["left"], result["right"]) == (None, None)  # regular: not examined
    assert math.isclose(result["symbolic"], expected, rel_tol=1e-15)


# ---------------------------------------------------------------- examine's sides


def test_a_zero_derivative_on_the_right_has_no_sign(cli: Cli) -> None:
    # relu(-1 - y**2) is 0 for every real y, so f is 0 everywhere and every
    # derivative is 0; a real 0 has no sign. f is a product of exact zeros whose
    # signs are those of two cosines: cos(pi/2*log2(t**2 + c)), c = exp(-3500)
    # far below every probe step, is +-1 at t = 2**-n, with the sign of (-1)**n,
    # so its sign flips from each step to the next. The closed form of d/dx is
    # 0/0 all along x = 0 (sinc's derivative), so d2/dxdy comes from f's own
    # mixed differences (D(y + 2h) - D(y + h))/h, D = (f(x + 2a) - f(x + a))/a,
    # a = 2**-2k, h = 2**-k: all of them are signed zeros, and on the right
    # (h > 0) they come out -0: (+0) - (-0) in one row, (-0) - (+0) in the
    # other. Kills analysis.py:2edad25c:60:arith_add_sub:0 (float(right) - 0.0
    # keeps that -0.0, and the JSON shows "right": -0.0, "symbolic": -0.0)
    text = (
        "-relu(-1 - y**2)*sinc(x)*cos(pi/2*log2(x**2 + exp(-3500)))"
        "*cos(pi/2*log2((y - 1)**2 + exp(-3500)))"
    )
    result = _partial(cli, text, "x=0,y=1", "x", "y")
    assert result["differentiable"] is True
    for key in ("symbolic", "left", "right"):
        assert result[key] == 0.0
        assert math.copysign(1.0, result[key]) == 1.0, key


def test_mixed_sides_that_differ_below_60_bits_on_a_kink_line_are_a_kink(cli: Cli) -> None:
    # abs(x)*sign(x) is x, so f = x*y + 1e-20*x*abs(y - 2): d/dx is
    # y + 1e-20*abs(y - 2), whose sides along y at y = 2 are 1 - 1e-20 and
    # 1 + 1e-20: no d2/dxdy at (0, 2). The sides, read off the kink line x = 0
    # (on it the closed form sign(x)**2*(...) is 0), agree to 2**-65, below the
    # 60 bits a limit settles to; the gap test must not read the closed form on
    # the line, whose gap is 0 there. Kills analysis.py:bff79b62:17:cmp_eq_ne:0
    # (gap_test also for a closed form on a kink line: "differentiable, 1")
    result = _partial(
        cli, "abs(x)*sign(x)*y + 1e-20*abs(x)*sign(x)*abs(y - 2)", "x=0,y=2", "x", "y"
    )
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == (1.0, 1.0)  # 1 -+ 1e-20 as float64
    assert "differ by 2e-20" in result["note"]


def test_a_convention_off_by_just_over_2_to_the_minus_150_is_read_off_the_line(
    cli: Cli,
) -> None:
    # abs(x)*sign(x) is x, so f = x*(y + J(y)) with
    # J(y) = 2**19*(y - 1 - 2**-64)*(y - 1 - 2**-20) + 3*2**-151: d/dx is
    # y + J(y) on x = 0 too (a difference quotient of f), and
    # d2/dxdy = 1 + J'(1) = 1 - 2**19*(2**-20 + 2**-64) = 1/2 - 2**-45.
    # On the line x = 0 the closed form sign(x)**2*J(y) + y reads y (sign(0) is
    # 0), whose slope 1 is the convention's. _off_line reads the line 2**-64
    # and 2**-20 along y (y = 1 + 2**-64, 1 + 2**-20), where J is 3*2**-151
    # exactly: the line and 2**-200 beside it differ by 1.5*2**-150 relative,
    # not within 2**-150, so the closed form is read off the line. Kills
    # analysis.py:762503cd:26:num_dec:0 (within 2**-149: the line's value is
    # taken, and a jump of d/dx is reported)
    text = "x*y + abs(x)*sign(x)*(2**19*(y - 1 - 2**-64)*(y - 1 - 2**-20) + 3*2**-151)"
    result = _partial(cli, text, "x=0,y=1", "x", "y")
    expected = 0.5 - 2.0**-45
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (expected,) * 3


def test_a_reading_off_the_line_missing_at_one_distance_only(cli: Cli) -> None:
    # f = abs(x)*sign(x)*y + (y - 1)**2*sqrt(exp(5600)*abs(x) + 1 - y) at (0, 1).
    # For y < 1 the second term has a kink in x at 0 (slopes
    # +-(y - 1)**2*exp(5600)/(2*sqrt(1 - y))); for y > 1 f is undefined where
    # |x| < (y - 1)*exp(-5600): d/dx exists on neither side of the point along
    # y, so d2/dxdy does not exist. Read off the kink line x = 0 at 2**-8192
    # (exp(5600)*2**-8192 = 1e-34, above the probe steps along y, so f is
    # defined to the right) and at 2**-16384 (9e-2501: undefined to the right),
    # one reading is a number and the other None: that side is None. Kills
    # analysis.py:5252e34d:16:bool_or_and:0 (only both None give None: the
    # number is compared with None, TypeError, exit 3)
    text = "abs(x)*sign(x)*y + (y - 1)**2*sqrt(exp(5600)*abs(x) + 1 - y)"
    run = cli(
        "partial",
        text,
        *("--wrt", "x", "--wrt", "y", "--at", "x=0,y=1", "-f", "json", "--timeout", "60"),
    )
    assert run.code == 1, run.err
    result = one(run)
    assert result["differentiable"] is False
    assert "derivative along x does not exist beside the point along y" in result["note"]


# ---------------------------------------------------------------- _mixed_difference


def test_mixed_differences_under_a_huge_cancelling_term_are_checked_at_more_bits(
    cli: Cli,
) -> None:
    # In real numbers f = sinc(x)*y + x*y (2**4000 cancels), d/dx = y*sinc'(x) + y
    # and d2/dxdy = sinc'(0) + 1 = 1 (sinc is even). The closed form of d/dx is
    # 0/0 along x = 0, so d2/dxdy comes from f's mixed differences, with steps
    # a = 2**-2k along x and h = 2**-k along y: the answer is in the term x*y's
    # a*h part, 2**-3k. f's values are exact sums kept to 384 bits below their
    # smaller term, 4000 + 2k + 384 bits in all, which at k = 512 and 1024 drops
    # that part: the quotient comes out 0, and only its check at twice the bits
    # the values took (not twice the 3k + 128 bits asked for, which the sums
    # raise back to the same 4000 + 2k + 384) shows the 0 to be rounding.
    # Kills analysis.py:af4eb130:7:max_min:0 (used = min(...): the check repeats
    # the same evaluation, and d2/dxdy reads 0)
    result = _partial(cli, "(2**4000 + sinc(x)*y + x*y) - 2**4000", "x=0,y=1", "x", "y")
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (1.0, 1.0, 1.0)


# ---------------------------------------------------------------- the float64 screen


def test_a_power_base_exactly_at_the_screen_bound_is_evaluated_exactly() -> None:
    # x**2.5*exp(x) on 5,001 points of [1e-6, 1]: long enough for the float64
    # screen. Its first point is 1e-6 exactly, where the power's base is
    # SCREEN_RTOL*scale = 1e-6*1 exactly: within the bound (<=), so that point,
    # and no other, is evaluated exactly, and its derivative is
    # exp(x)*(x**2.5 + 2.5*x**1.5) rounded once (mpmath, 60 digits), where
    # float64's value may be off in its last bits (numpy's is, by 2 ulps).
    # Kills analysis.py:0fe82017:22:cmp_le_lt:0 (< : the point is taken from
    # float64)
    count = 5001
    points, response = screen_grid("x**2.5*exp(x)", (1e-6, 1.0, count))
    x0 = float(points.columns["x"][0])
    assert x0 == 1e-6
    assert response.approximate == count - 1
    with mpmath.workdps(60):
        x = mpmath.mpf(x0)
        half = mpmath.mpf(1) / 2
        expected = float(mpmath.exp(x) * (x ** (2 + half) + (2 + half) * x ** (1 + half)))
    assert response.derivatives[0].values[0] == expected
