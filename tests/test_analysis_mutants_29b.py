"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(issue 16: the seed 35 sample, part b).

Each test pins a fact worked out by hand, with mpmath or with fractions, never
derivcli's own output recorded as the expectation, and names the mutant it
kills (``.venv/bin/python tools/mutate.py --show ID`` prints one). The
docstrings say how each expectation was derived.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
from conftest import Cli, CliRun, one

from derivcli.language.evaluate import compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import _mixed_sides, kink_root


def _run(cli: Cli, *args: str) -> tuple[CliRun, dict[str, Any]]:
    run = cli(*args, "-f", "json", "--timeout", "60")
    return run, one(run)


# ---------------------------------------------------------------- _mixed_sides


def test_inner_sides_whose_slopes_along_the_line_differ_give_no_mixed_derivative() -> None:
    """f = abs(x)*(y - 1) + x*y. Beside the line x = 0, f's one-sided
    derivatives along x are D+(y) = (y - 1) + y and D-(y) = -(y - 1) + y = 1
    (by hand), so d/dy of them at y = 1 is 2 and 0: they differ, and there is
    no d2f/dxdy at (0, 1) from either side along y (d/dx itself exists on the
    line only at y = 1). With abs(x)*(y - 1)**2 instead, D+- = y +- (y - 1)**2,
    both with slope 1 at y = 1: one mixed derivative, 1 from both sides.

    Kills analysis.py:35c1ca5a:52:num_neg:0 (the inner derivative's right
    side taken as its left one: the two always "meet", and the left slope 0 is
    returned for both sides)."""
    point = {"x": 0.0, "y": 1.0}
    split = compile_tree(parse("abs(x)*(y - 1) + x*y").tree)
    assert _mixed_sides(split, point, "x", "y") == (None, None)
    joined = compile_tree(parse("abs(x)*(y - 1)**2 + x*y").tree)
    left, right = _mixed_sides(joined, point, "x", "y")
    assert abs(float(left) - 1.0) < 1e-30 and abs(float(right) - 1.0) < 1e-30


# ---------------------------------------------------------------- _Quotients


def test_two_slopes_apart_by_2_to_the_minus_100_are_told_apart_to_10_digits(cli: Cli) -> None:
    """f = exp(max(a*x, b*x)) at 0, a = 1/1250000 = 8e-7 and
    b = a*(1 + 2**-100 + 2**-150): the left derivative is a, the right one b
    (exp' = 1 at 0), so f has a kink, and they differ by
    a*(2**-100 + 2**-150) = 6.310887242e-37 (mpmath below). The quotients beside
    0 are exp's values at 384 bits, whose rounding is about 2**-104 of a slope
    as small as 8e-7: the slopes must be taken again with more bits before
    their difference is read to 10 digits.

    Kills analysis.py:a5630558:16:num_dec:0 (QUOTIENT_BITS 103: a quotient with
    between 103 and 104 bits above its rounding is kept, and the difference
    reads 6.288894777e-37)."""
    run, result = _run(
        cli, "grad", "exp(max(x/1250000, x*(1 + 2**-100 + 2**-150)/1250000))", "--at", "x=0"
    )
    with mpmath.workprec(400):
        gap = mpmath.mpf(1) / 1250000 * (mpmath.mpf(2) ** -100 + mpmath.mpf(2) ** -150)
    assert run.code == 1, run.err
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == (8e-07, 8e-07)
    assert f"the two differ by {float(gap):.10g}," in result["note"]


# ---------------------------------------------------------------- _jump


def test_a_side_of_a_0_over_0_lower_derivative_from_f_at_the_steps_themselves(cli: Cli) -> None:
    """f = (relu(x)**3)**(1/3) + s(x), s(x) = sqrt((x + 2**-254)**2 - 2**-520):
    the first part is relu(x), whose closed-form derivative is 0/0 left of 0,
    so f''s left limit is read from f's own differences there. s is smooth
    beside 0 (undefined only within 2**-260 of -2**-254), with
    s'(0) = 2**-254/sqrt(2**-508 - 2**-520) = 1/sqrt(1 - 2**-12): f' tends to
    1/sqrt(1 - 2**-12) = 1.000122093 from the left and 1 + that from the right
    (mpmath below): f' jumps at 0, so d2f/dx2 does not exist.

    Kills analysis.py:b9dd27cb:22:num_inc:0 (the left differences taken with
    steps twice as long, reaching -2**-254, where f is undefined: the left
    side is dropped, no jump is seen, and d2f/dx2 "agrees" at -7e72)."""
    text = "(relu(x)**3)**(1/3) + sqrt((x + 2**-254)**2 - 2**-520)"
    run, result = _run(cli, "partial", text, "--wrt", "x", "--wrt", "x", "--at", "x=0")
    with mpmath.workprec(200):
        left = 1 / mpmath.sqrt(1 - mpmath.mpf(2) ** -12)
    assert run.code == 1, run.err
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert (
        f"the derivative of order 1 jumps at x=0 (left limit {float(left):.10g}, "
        f"value undefined, right limit {float(left + 1):.10g})" in result["note"]
    )


def test_f_is_0_at_the_point_though_its_decimal_constants_leave_a_residue(cli: Cli) -> None:
    """f = x*200.1*200.3 - 100205085.00375 + relu(y)*relu(-y) at
    (2500.125, 0), along y: 2500.125*200.1*200.3 = 100205085.00375 exactly
    (20001/8 * 2001/10 * 2003/10, fractions), and relu(y)*relu(-y) is 0 for
    every y (one factor is always 0), so f is 0 all along y: d/dy is 0 and f
    does not jump, whatever residue the decimals leave at finite precision.

    Kills analysis.py:ea4628d7:29:cmp_isnot_is:0 (f's value within its own
    rounding of 0 not read as 0: "jumps at y=0 (... value 1.03e-7390 ...)")."""
    assert Fraction("2500.125") * Fraction("200.1") * Fraction("200.3") == Fraction(
        "100205085.00375"
    )
    text = "x*200.1*200.3 - 100205085.00375 + relu(y)*relu(-y)"
    run, result = _run(cli, "partial", text, "--wrt", "y", "--at", "x=2500.125,y=0")
    assert run.code == 0, run.err
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (0.0, 0.0, 0.0)
    assert "jumps" not in result["note"]


def test_a_lower_derivative_joined_slowly_from_the_left_is_no_jump(cli: Cli) -> None:
    """f = abs(x)*sign(x) + 1e-9*relu(-x)**(17/16) is x + 1e-9*relu(-x)**(17/16),
    so f'(x) = 1 for x > 0 and 1 - c*(-x)**(1/16) for x < 0 (c = 1e-9*17/16):
    f' is continuous at 0 (f'(0) = 1), reached slowly from the left (still
    about 2**-94 below 1 at x = -2**-1024). f'' is 0 on the right and
    c/16*(-x)**(-15/16) on the left, which grows without bound: left inf,
    right 0 (by hand). The closed form of f' is 0 at 0 (sign(0)**2 = 0), a
    convention, not f''s value.

    Kills analysis.py:73c33b2a:14:num_dec:0 (the slow join measured from the
    closed form's value at the point instead of the left side: a gap of 1 that
    never shrinks, and "the derivative of order 1 jumps")."""
    text = "abs(x)*sign(x) + 1e-9*relu(-x)**1.0625"
    run, result = _run(cli, "partial", text, "--wrt", "x", "--wrt", "x", "--at", "x=0")
    assert run.code == 1, run.err
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == ("inf", 0.0)
    assert "jumps" not in result["note"]
    assert "left derivative inf, right 0" in result["note"]


# ---------------------------------------------------------------- _deep_jump


def test_a_gap_that_halves_from_step_to_step_is_no_jump(cli: Cli) -> None:
    """f = c + sqrt(abs(x)) + d*abs(x)**(1/16384), c = 2**-6000, d = 2**-5000
    (as exp(-k*log(2))). f(0) = c and both of f's limits at 0 are c too
    (sqrt(|x|) and |x|**(1/16384) tend to 0): f is continuous. Its gaps to
    f(0) at |x| = 2**-k are 2**-(k/2) + d*2**-(k/16384): 2**-2048 and 2**-4096
    at k = 4096 and 8192, then d's term, d*2**-1 and d*2**-2, at 16384 and
    32768: halving, not staying (by hand). The sides shrink to 0 through the
    probes beside a value that is not 0, so the gaps are looked at that deep.
    f' is -inf on the left and inf on the right (sqrt's), so: a kink with
    infinite sides, and no jump.

    Kills analysis.py:aab9a238:55:arith_div_mul:0 (a gap within 4 times itself
    of the one before taken as staying: "it jumps by about 1.77e-1506")."""
    text = "exp(-6000*log(2)) + sqrt(abs(x)) + exp(-5000*log(2))*abs(x)**(1/16384)"
    run, result = _run(cli, "grad", text, "--at", "x=0")
    assert run.code == 1, run.err
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == ("-inf", "inf")
    assert "jumps" not in result["note"]


# ---------------------------------------------------------------- the float64 screen


def test_a_power_s_base_near_0_beside_large_coordinates_is_evaluated_exactly() -> None:
    """d/dx of (x - 999)**0.3 is 3/(10*(x - 999)**(7/10)). On a grid of 6,001
    points from 999.0005 to 1999.0005 (too many to take each exactly, so float64
    screens them), the first point's base x - 999 = 5e-4 is within 1e-6 of
    the coordinates' size (999), so it is evaluated exactly: its value is
    3/(10*b**0.7) for b = float(999.0005) - 999, correctly rounded (mpmath at
    300 bits below). Every other point's base is at least 1/6 (the spacing),
    far from 0: float64's values stand there, 6,000 of them.

    Kills analysis.py:0fe82017:37:arith_mul_div:0 (1e-6 divided by the size
    instead: the first point is left to float64, whose value is 4 ulps low,
    and 6,001 values are float64's)."""
    from derivcli.autograd.values import make_points
    from derivcli.language.points import Grid, PointSpec
    from derivcli.symbolic import analysis

    count, first = 6001, 999.0005
    points = make_points(PointSpec(("x",), ((("x", Grid(first, first + 1000, count)),),), count))
    request = analysis.make_request(parse("(x - 999)**0.3"), [("x",)], budget=60.0)
    response = analysis.run(request, points)
    with mpmath.workprec(300):
        base = mpmath.mpf(first) - 999
        exact = float(3 / (10 * base ** (mpmath.mpf(7) / 10)))
    assert response.derivatives[0].values[0] == exact
    assert response.approximate == count - 1


# ---------------------------------------------------------------- _Bracket (kink_root)


def test_the_illinois_halving_waits_for_an_end_kept_twice() -> None:
    """g = (x - 13/61)(x - 17/61)(x - 22/61)(x - 67/61) on [0, 1], traced in
    exact fractions (the probes 2**-257 beside each step change no sign here):
    g(0) = 0.02353, g(1) = -0.03569.

    1. regula falsi at 0.3973 (g < 0): b moves, [0, 0.3973]; a is kept once.
    2. regula falsi at 0.3880 (g < 0): b moves, a kept twice, so g(a) is
       halved (Illinois); not halved, so
    3. bisection at 0.1940 (g > 0): [0.1940, 0.3880], then
    4. regula falsi from g(0.1940) = 2.437e-4, g(0.3880) = -3.719e-4 at
       0.2708, between 13/61 = 0.2131 and 17/61 = 0.2787, g < 0 there:
       [0.1940, 0.2708] holds the one root 13/61.

    Kills analysis.py:64903784:12:num_dec:0 (kept starts at -1, "a kept
    last": g(a) is halved after step 1 already, step 2 lands at 0.3792, and
    step 4, from g(0.1896) = 3.256e-4 and g(0.3792) = -2.227e-4, at 0.3022,
    where g > 0: [0.3022, 0.3792] and the root 22/61) and
    analysis.py:05c631b8:12:neg_drop:0 (kept records the end that moved: no
    halving at step 2, step 4 from g(0.1940) = 2.437e-4 and
    g(0.3880)/2 = -1.860e-4 at 0.3041, g > 0: the root 22/61 again)."""
    program = compile_tree(parse("(x - 13/61)*(x - 17/61)*(x - 22/61)*(x - 67/61)").tree)
    root = kink_root(program, {}, "x", 0.0, 1.0)
    assert root is not None and not isinstance(root, float)  # 13/61 is no float
    with mpmath.workprec(1024):
        gap = abs(mpmath.mpf(str(root)) - mpmath.mpf(13) / 61)
    assert gap <= mpmath.mpf(2) ** -250
