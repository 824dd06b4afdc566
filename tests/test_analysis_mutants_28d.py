"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(issue 16: the seed-34 sample of 150, /work/an_sample28.json, its second half).

Each test pins a fact worked out by hand (exact fractions, or mpmath where a
number needs more digits than a head holds), never derivcli's own output
recorded as the expectation, and names the mutant(s) it kills
(``.venv/bin/python tools/mutate.py --show ID`` prints one).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath
from conftest import Cli, one
from test_analysis_mutants_28 import _exact, _program

from derivcli.symbolic.analysis import Reason, kink_between, kink_root


def _grad(cli: Cli, text: str, *args: str) -> dict[str, Any]:
    run = cli("grad", text, *args, "--timeout", "60", "-f", "json")
    assert run.err == "", run.err
    return one(run)


# ---------------------------------------------------------------- _jump's note


def test_a_value_off_equal_side_limits_by_less_than_a_digit_names_the_gap(cli: Cli) -> None:
    """f = 1 - 2**-60*heaviside(cos(x) - 1) at x = 0: cos(x) - 1 < 0 on both
    sides, so f is 1 beside 0 (both side limits 1), and cos(0) - 1 = 0 exactly,
    where heaviside is 1/2 (README), so f(0) = 1 - 2**-61. The two limits are
    one; the value is 2**-61 below them, more than their 2**-100 resolution, so
    f as written jumps, by 1 - (1 - 2**-61) = 2**-61; all three print as "1" at
    10 digits, so the note names the size of the jump.

    Kills analysis.py:b79d1569:12:arith_sub_add:0 (gap = above + here.value:
    "it jumps by 2").
    """
    result = _grad(cli, "1 - 2**-60*heaviside(cos(x) - 1)", "--at", "x=0")
    assert result["verdict"] == "not differentiable"
    size = f"{2.0**-61:.10g}"
    assert size == "4.33680869e-19"
    assert (
        f"jumps at x=0 (left limit 1, value 1, right limit 1; it jumps by {size})" in result["note"]
    )


def test_a_function_constant_below_the_probes_steps_does_not_jump(cli: Cli) -> None:
    """f = max(abs(x), exp(-5000)) at x = 0. exp(-5000) = 2**-7213.5, so f is
    the constant exp(-5000) on [-exp(-5000), exp(-5000)] and abs(x) outside:
    continuous at 0, with no jump. At the side limits' steps (2**-1024 down to
    2**-4096) f is h, shrinking to 0, while f(0) = exp(-5000) is not 0: the
    deeper look at steps of 2**-4096, 2**-8192, ... compares f with its value
    there. At 2**-4096 the gap is 2**-4096 - exp(-5000); at 2**-8192 (below
    exp(-5000)) f(+-h) = exp(-5000) = f(0): the gap is exactly 0, the end of
    the look, no jump.

    Kills analysis.py:e8edf357:25:num_inc:0 (gap == 1 for gap == 0: the gaps
    0 at 2**-8192 and 0 at 2**-16384 "stay", and f is said to jump "by about
    0, below the probes' steps").

    The one-sided slopes derivcli gives here (those of abs(x): -1 and 1, where
    f'(0) is 0) are deliberately not pinned: f's flat stretch is far below
    2**-4096, out of reach of the probes (README, "A limit the quotients
    reach only far below 2**-4096 is out of reach").
    """
    result = _grad(cli, "max(abs(x), exp(-5000))", "--at", "x=0")
    assert "jump" not in result["note"]


def test_a_lower_derivative_undefined_at_fine_steps_on_one_side_still_jumps(cli: Cli) -> None:
    """f = x + 2**-80*(r**3)**(1/3), r = relu(-x) + relu(x - 2**-2000) >= 0, so
    (r**3)**(1/3) = r and f = x + 2**-80*r: slope 1 - 2**-80 left of 0, 1 on
    (0, 2**-2000), 1 + 2**-80 beyond. f's one-sided slopes at 0 differ
    (1 - 2**-80 and 1), so f' does not exist at 0, nor does f'' (by hand):
    d2/dx2 is not differentiable there, and f' jumps at 0.

    The closed form of f' (with r**2/(r**3)**(2/3)) has no value where r = 0,
    on [0, 2**-2000]. Its side limits, read at 2**-256 to 2**-1024, are 1 -
    2**-80 and 1 + 2**-80: within 60 bits of each other, not within 100, so
    whether they are one limit reached slowly is checked at 2**-1024, 2**-2048
    and 2**-4096. At 2**-2048 the right value (x < 2**-2000, r = 0) is
    undefined, the left one (r = 2**-2048) is not: no slow join, a jump.

    Kills analysis.py:fb795a3f:31:num_dec:0 (values[0] is None tested twice:
    the undefined right value is subtracted, and the command fails with a
    TypeError).
    """
    text = "x + 2**-80*((relu(-x) + relu(x - 2**-2000))**3)**(1/3)"
    run = cli("grad", text, "--at", "x=0", "-n", "2", "--timeout", "60", "-f", "json")
    assert (run.code, run.err) == (1, "")
    result = one(run)
    assert result["verdict"] == "not differentiable" and result["differentiable"] is False
    assert "the derivative of order 1 jumps at x=0 (left limit 1, " in result["note"]


# ---------------------------------------------------------------- kink_root, _Bracket


def test_kink_root_returns_the_end_where_the_argument_is_zero() -> None:
    """kink_root along x on [lo, hi] where the argument is exactly 0 at one end
    returns that end, a float: x on [0, 1] is 0 at 0 (and 1 at 1), 2 - x on
    [1, 2] is 1 at 1 and 0 at 2.

    Kills analysis.py:74ce6db2:21:num_inc:0 (return lo if f_lo == 1 else hi:
    1.0 for the first, 1.0 again for the second).
    """
    root = kink_root(_program("x"), {}, "x", 0.0, 1.0)
    assert root == 0.0 and isinstance(root, float)
    root = kink_root(_program("2 - x"), {}, "x", 1.0, 2.0)
    assert root == 2.0 and isinstance(root, float)


def test_a_bracket_left_of_zero_is_probed_past_its_steps() -> None:
    """g = 2**257*x**2 - (2**257 - 3) on [-1, 0] (tolerance 2**-256 of the
    larger end, 1), the mirror image of test_analysis_mutants_28's
    test_the_narrowing_stops_once_the_bracket_is_the_tolerance_wide, by hand in
    exact fractions: g(-1) = 3, g(0) = -(2**257 - 3), so the regula falsi step
    is at -1 - 3/(-(2**257 - 3) - 3) = -1 + 3*2**-257, exactly. There g =
    2**257*(1 - 6*2**-257 + 9*2**-514) - 2**257 + 3 = -3 + 9*2**-257 < 0, the
    sign of g(0): b moves there. The root, -sqrt(1 - 3*2**-257) = -1 +
    3*2**-258 (to 2**-514), is below it. The bracket is still 3*2**-257 wide,
    over the tolerance, so it is probed at b - 2**-257 = -1 + 2**-256, where g
    = -1 + 2**-255 < 0: b moves again. The bracket [-1, -1 + 2**-256] is now
    exactly the tolerance wide: the answer is its midpoint -1 + 2**-257,
    2**-258 from the root.

    Kills analysis.py:fbd77b0c:10:arith_sub_add:0 (probe only while b + a >
    tolerance: never left of 0, so the bracket is narrowed by further steps
    alone, and ends elsewhere: -1 + 9*2**-259).
    """
    root = kink_root(_program("2**257*x**2 - (2**257 - 3)"), {}, "x", -1.0, 0.0)
    assert root is not None and not isinstance(root, float)
    assert _exact(root) == -1 + Fraction(1, 2**257)
    with mpmath.workprec(1024):
        truth = -mpmath.sqrt(1 - 3 * mpmath.mpf(2) ** -257)
        exact = _exact(root)
        assert abs(mpmath.mpf(exact.numerator) / exact.denominator - truth) <= mpmath.mpf(2) ** (
            -256
        )


# ---------------------------------------------------------------- kink_between


def test_a_kink_between_floats_with_one_side_undecided_is_undecided() -> None:
    """f = relu(1/3 - x)*cos(pi*log2(abs(x - 1/3))/32) + relu(x - 1/3) at its
    kink 1/3 (no float). Right of it f = x - 1/3, whose difference quotients
    (f(x + 2h) - f(x + h))/h are 1: right slope 1. Left of it, at h = -2**-k/3
    (steps relative to the root), f(x + t) = |t|*c(t), c(t) =
    cos(pi*log2|t|/32), and the quotient is -(2*c(2h) - c(h)); log2|h| = -k -
    log2(3), so from k = 128 to 160 to 192 (KINK_PROBES) the cosines' arguments
    move by -pi each: the quotients are q, -q, q with q = -(2*cos(pi*(1 -
    log2 3)/32) - cos(pi*log2(3)/32)) = -1.0088 (mpmath): no limit (nan). f's
    own values shrink to 0 on both sides (by 2**-32 a probe): no jump. So
    whether f is differentiable there cannot be told: undecided.

    Kills analysis.py:90a638c2:20:bool_or_and:0 (isnan(left) and isnan(right):
    the nan left slope is then taken for an infinite one, Reason.INFINITE,
    not differentiable).
    """
    with mpmath.workdps(30):
        third = mpmath.log(3, 2)
        q = -(2 * mpmath.cos(mpmath.pi * (1 - third) / 32) - mpmath.cos(mpmath.pi * third / 32))
        assert abs(q + mpmath.mpf("1.0088")) < mpmath.mpf("1e-4")
    root = kink_root(_program("x - 1/3"), {}, "x", 0.0, 1.0)
    assert root is not None and not isinstance(root, float)
    f = _program("relu(1/3 - x)*cos(pi*log2(abs(x - 1/3))/32) + relu(x - 1/3)")
    result = kink_between(f, {"x": root}, "x")
    assert result.reason is Reason.UNDECIDED and result.differentiable is None
    assert result.left is not None and math.isnan(result.left)
    assert result.right == 1.0


# ---------------------------------------------------------------- the float64 screen


def test_a_derivative_exactly_at_float32_s_largest_value_is_screened_in_float64(
    cli: Cli,
) -> None:
    """d/dx 2**103*x**2 = 2**104*x, on the 5,001 points of [0, 16777215]: at the
    last, x = 2**24 - 1, it is (2**24 - 1)*2**104, float32's largest value
    exactly ((2 - 2**-23)*2**127), and below it everywhere else: nowhere past
    float32's range, so the float64 screen (which looks closer only past it)
    takes all 5,001 values from float64, each exact there (2**104 times a
    float).

    Kills analysis.py:2404171c:35:cmp_gt_ge:0 (>= FLOAT32_MAX: the last point
    is evaluated exactly, and the note says 5,000).
    """
    largest = (2**24 - 1) * 2**104
    assert float(largest) == float.fromhex("0x1.fffffep+127")
    run = cli("grad", "2**103*x**2", "--at", "x=0:16777215:5001", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.err
    document = run.json()
    assert document["note"].startswith("5,001 closed-form values of this long grid were computed")
    last = document["results"][-1]
    assert last["point"] == {"x": 16777215.0}
    assert last["symbolic"] == float(largest) and last["verdict"] == "agree"


def test_a_power_with_a_moving_exponent_and_a_base_below_1_is_screened_in_float64(
    cli: Cli,
) -> None:
    """x**x on the 5,001 points of [0.5, 1.5]: the base x is positive and at
    least 0.5 from 0 everywhere, so x**x is defined all around each point and
    no point is near an edge of its domain (a negative base under a moving
    exponent would be, and a base near 0): the float64 screen takes all 5,001
    values from float64. d/dx x**x = x**x*(log(x) + 1): at 1, 1.

    Kills analysis.py:1ddb1030:15:num_inc:0 (flag |= base < 1: the 2,500
    points with x < 1 are evaluated exactly, and the note says 2,501).
    """
    run = cli("grad", "x**x", "--at", "x=0.5:1.5:5001", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.err
    document = run.json()
    assert document["note"].startswith("5,001 closed-form values of this long grid were computed")
    middle = document["results"][2500]
    assert middle["point"] == {"x": 1.0} and middle["symbolic"] == 1.0
