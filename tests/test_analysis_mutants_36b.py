"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 36, part b): `_Quotients._past_magnitudes`, a one-sided quotient read as
0 within rounding, taken once more with the bits between the largest magnitude
met and the values added.

Pinned here, each by a fact worked out by hand (never derivcli's own output
recorded as the expectation). The quotients are asked of _Quotients directly:
the CLI reads a kink line only at 2**-8192, where every one of these
differences is hidden; the programs are closed forms of d2/dx2 as the
differentiator writes them, read off the line x = 0 at a chosen x:

- g = 2 + x is constant along y: its quotient is 0, an exact 0 (no rounding,
  so no magnitude: _past_magnitudes keeps the 0, and neither fails on the
  magnitude 0 nor calls it undefined);
- d2/dx2 of x*(x + 1)*(1 + 2**-1000*y) is 2 + 2**-999*y off x = 0, whose slope
  along y, 2**-999, is below the main loop's 1,280 guard bits' rounding beside
  terms of size 2**300 (x = 2**-300): the first evaluation of
  _past_magnitudes is at the last guard's precision, not a lower one;
- d2/dx2 of x*(x + exp(y)) is 2 for every x != 0 (the terms exp(y)/x cancel):
  its slope along y is 0, and the rounding left in the finer quotient (x =
  3*2**-300 is no power of two, so the divisions round) is measured against
  the largest magnitude met, times 2**(k + 4 - bits);
  three such sums leave a larger residue, still below that bound;
  at x = 3*2**-100 the terms are only 104 bits above the values: a real 0,
  not "undefined";
- where only one of the two points meets the huge terms (the other is an
  exact 2, behind heaviside), the bits added and the finer quotient's
  rounding bound come from the larger of the two points' root magnitudes;
- the finer quotient's rounding bound is max(values, magnitudes) times
  2**(k + 4 - bits), not twice that: a slope 1.875 times the bound is kept;
- the step along y is relative to y: at y = 1e90 the noise is divided by y's
  size, not multiplied (the slope 2**-1599 of 2 + 2**-1599*y is kept);
- the finer quotient is taken up to EDGE_PRECISION bits inclusive: at x =
  3*2**-15107, step 2**-16384, it needs 32,768 bits exactly, and d2/dx2 of
  x*(x + 1)*y, 2*y, has slope 2 along y.

And `_jump`, through the CLI:

- the sides of a lower derivative come from f's own differences only where
  its closed form has no value on a side, the right one as well as the left
  (d/dy of y + relu(-y), written with (relu(-y)**3)**(1/3), is 0/0 right of
  0), and a tiny jump of a lower derivative is looked for in the closed form
  itself where it has values on both sides, also where the derivative is a
  mixed one (d/dx of x*(y + 1 + 2**-200*heaviside(y)) jumps by 2**-200
  along y);
- a tiny jump of f itself is measured to f's value at the point (1 + y +
  2**-200*(1 - sign(y)**2) is 1 + 2**-200 at 0, 1 beside it).

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from typing import Any

import gmpy2
import mpmath
from conftest import Cli, one

from derivcli.language.evaluate import EDGE_PRECISION, compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import _Quotients


def _d2dx2(factor: str) -> str:
    """The closed form of d2/dx2 of sqrt(x**2)*sign(x)*(x + 1)*factor, which is
    x*(x + 1)*factor (factor free of x): 2*factor off x = 0, from terms of size
    factor/|x| that cancel."""
    return (
        f"-x**2*sign(x)*({factor})*(x + 1)/(x**2)**(3/2) + 2*x*sign(x)*({factor})/sqrt(x**2)"
        f" + sign(x)*({factor})*(x + 1)/sqrt(x**2)"
    )


# the closed form of d2/dx2 of sqrt(x**2)*sign(x)*(x + exp(y)): 2 off x = 0
_EXP = (
    "-x**2*sign(x)*(x + exp(y))/(x**2)**(3/2) + 2*x*sign(x)/sqrt(x**2)"
    " + sign(x)*(x + exp(y))/sqrt(x**2)"
)


def _quotient(text: str, x: Any, y: float, k: int) -> Any:
    """The left quotient (g(y - 2h) - g(y - h)) / -h along y at step 2**-k."""
    g = compile_tree(parse(text).tree)
    (quotient,) = _Quotients(g, {"x": x, "y": y}, "y", -1, g)([k])
    return quotient


def _power(mantissa: int, exponent: int) -> Any:
    return gmpy2.mul_2exp(gmpy2.mpfr(mantissa), exponent)


def test_a_function_constant_along_y_has_an_exact_0_quotient() -> None:
    # By hand: 2 + x does not move with y; both values are exact (no operation
    # rounds), so the largest magnitude met is 0. Kills
    # analysis.py:3cca83ca:15:bool_or_and:0 (`not largest and not size`: the
    # exponent of an int 0 is asked, TypeError) and
    # analysis.py:d78fdcdb:7:return_none:0 (the real 0 read as None, undefined)
    assert _quotient("2 + x", 3.0, 1.0, 256) == 0


def test_a_slope_1000_bits_below_the_values_beside_terms_of_2_to_the_300() -> None:
    # By hand: g = 2*(1 + 2**-1000*y) at x = 2**-300, so every quotient along y
    # is 2**-999 exactly. At step 2**-1024 the main loop leaves it within
    # rounding; _past_magnitudes takes it at the last guard's 1,280 bits plus
    # the 297 between the terms and the values. Kills analysis.py:6c2b9484:
    # 28:neg_drop:0, :29:num_dec:0 and :29:num_inc:0 (the first evaluation at
    # k + 640 or k + 128 bits: the slope is read as 0)
    text = _d2dx2("y*2**-1000 + 1")
    assert _quotient(text, _power(1, -300), 1.0, 1024) == _power(1, -999)


def test_the_rounding_of_cancelling_terms_is_no_slope() -> None:
    # By hand: g = 2 wherever x != 0 (the terms exp(y)*(x + 1)/|x| cancel): the
    # slope along y is 0. At x = 3*2**-300 the divisions round, and the finer
    # quotient keeps a residue of the terms' rounding, below the largest
    # magnitude met times 2**(k + 4 - bits). Kills analysis.py:8a0c5403:0:
    # max_min:0 (the smallest of the values and magnitudes),
    # analysis.py:affbf0e9:20:num_dec:0 and :20:num_neg:0 (a noise of 0, or
    # below 0), :26:arith_add_sub:0 and :28:num_neg:0 (2**(k - 4 - bits)):
    # each takes the residue for the slope
    assert _quotient(_EXP, _power(3, -300), 1.0, 256) == 0


def test_three_cancelling_sums_leave_a_residue_below_the_rounding_bound() -> None:
    # By hand: each of the three closed forms is d2/dx2 of x*(x + c(y)), 2
    # wherever x != 0, so g = 6 and its slope along y is 0. At x = 15*2**-300,
    # y = 1, step 2**-256, the finer quotient keeps a residue of the three sums'
    # rounding between half the bound max(values, magnitudes)*2**(k + 4 -
    # bits) and the bound itself: 0. Kills analysis.py:affbf0e9:28:num_dec:0
    # (2**(k + 3 - bits), half the bound: the residue, about 3.8e-385, read as
    # the slope)
    text = " + ".join(_EXP.replace("exp(y)", c) for c in ("exp(y)", "3*exp(2*y)", "exp(-y)/7"))
    assert _quotient(text, _power(15, -300), 1.0, 256) == 0


def test_terms_only_104_bits_above_the_values_leave_a_real_0() -> None:
    # By hand: as above, at x = 3*2**-100 the terms exp(y)*(x + 1)/|x| are
    # about 2**100 times g = 2, no more than QUOTIENT_BITS above it: the slope
    # is 0, not undefined. Kills analysis.py:3a29806a:7:return_none:0
    assert _quotient(_EXP, _power(3, -100), 1.0, 256) == 0


def test_the_noise_is_relative_to_the_step_along_a_large_coordinate() -> None:
    # By hand: g = 2*(1 + 2**-1600*y) at x = 2**-300, so the quotient along y
    # is 2**-1599 at every step; at y = 1e90 the step is 2**-256*1e90, and the
    # values' rounding over it is divided by y's size. Kills
    # analysis.py:75b90a70:0:arith_div_mul:0 (multiplied: a noise 1e180 times
    # larger hides the slope, read as 0)
    text = _d2dx2("y*2**-1600 + 1")
    assert _quotient(text, _power(1, -300), 1e90, 256) == _power(1, -1599)


def test_a_slope_less_than_twice_the_finer_rounding_is_kept() -> None:
    # By hand: g = 2*(1 + 15*2**-1286*y) at x = 2**-300: the quotient along y
    # is 30*2**-1286 = 15*2**-1285 at every step. At step 2**-1024 the finer
    # quotient's rounding bound, max(values, magnitudes)*2**(k + 4 - bits), is
    # 16/15 of 2**-1285 (the slope is 1.875 times it): the slope is kept,
    # exactly. Kills analysis.py:affbf0e9:20:num_inc:0 (mpfr(2): twice the
    # bound) and :28:num_inc:0 (2**(k + 5 - bits)), each reading it as 0
    text = _d2dx2("y*15*2**-1286 + 1")
    assert _quotient(text, _power(1, -300), 1.0, 1024) == _power(15, -1285)


def test_a_finer_quotient_at_exactly_edge_precision_is_taken() -> None:
    # By hand: g = 2*y off x = 0 (f = x*(x + 1)*y), so its slope along y is 2.
    # At x = 3*2**-15107 and step 2**-16384 the values are first had at
    # 16,384 + 1,280 bits, and the terms 2**15104 above them: the finer
    # quotient needs 32,768 bits, EDGE_PRECISION itself, which is still
    # taken. Kills analysis.py:7f4db9a8:13:cmp_gt_ge:0 (`>=`: read as 0) and
    # analysis.py:1a8d4a22:32:arith_sub_add:0 (the exponents added, not
    # subtracted: past EDGE_PRECISION, read as 0)
    assert EDGE_PRECISION == 32768
    assert _quotient(_d2dx2("y"), _power(3, -15107), 1.0, 16384) == 2


# d2/dx2 of sqrt(x**2)*sign(x)*(x + 1) and of sqrt(x**2)*sign(x)*(x + exp(y)):
# 2 wherever x != 0, from terms of size 1/|x| that cancel
_ONE = _d2dx2("1")


def _one_side(closed_form: str, k: int, where: str) -> str:
    """``closed_form`` on one of the two points of a left quotient at step
    2**-k beside y = 1 (``where``: "near", y = 1 - h, or "far", y = 1 - 2h),
    and the constant 2 on the other: heaviside steps at 1 - 3*2**-(k + 1),
    between the two. Equal to 2 wherever x != 0, whatever y."""
    step = (
        f"heaviside(y - 1 + 3*2**-{k + 1})"
        if where == "near"
        else (f"heaviside(1 - 3*2**-{k + 1} - y)")
    )
    return f"{step}*({closed_form}) + (1 - {step})*2"


def test_the_largest_magnitude_of_either_point_counts() -> None:
    # By hand: g = 2*y wherever x != 0 (x = 3*2**-8192), so its slope along y
    # is 2; only one of the two points, the nearer or the farther, computes it
    # from the terms of size 2**8192 that cancel (the other multiplies them by
    # heaviside's exact 0). At step 2**-512 the main loop leaves the slope
    # within those terms' rounding; the bits between them and the values are
    # added from whichever point met them. Kills analysis.py:6830f8aa:10:
    # max_min:0 (the smaller magnitude: no bits added, 0), :27:neg_drop:0,
    # :28:num_dec:0 and :28:num_inc:0 (the nearer point's magnitude of another
    # instruction), :45:neg_drop:0, :46:num_dec:0 and :46:num_inc:0 (the
    # farther point's): each reads the slope as 0
    x = _power(3, -8192)
    for where in ("near", "far"):
        assert _quotient(f"({_one_side(_ONE, 512, where)})*y", x, 1.0, 512) == 2


def test_the_finer_rounding_is_bounded_by_either_points_magnitude() -> None:
    # By hand: g = 2 wherever x != 0, so its slope along y is 0; one point
    # computes it from the terms exp(y)*(x + 1)/|x| of size 2**8192 (at x =
    # 3*2**-8192, rounded), the other is the exact 2. The finer quotient keeps
    # a residue of that point's rounding, below its magnitude times
    # 2**(k + 4 - bits) but far above the values' 2. Kills analysis.py:
    # 8a0c5403:45:neg_drop:0, :46:num_dec:0 and :46:num_inc:0 (the nearer
    # point's magnitude of another instruction), :63:neg_drop:0, :64:num_dec:0
    # and :64:num_inc:0 (the farther point's): the residue read as a slope
    x = _power(3, -8192)
    assert _quotient(_one_side(_EXP, 1024, "near"), x, 1.0, 1024) == 0
    assert _quotient(_one_side(_EXP, 512, "far"), x, 1.0, 512) == 0


# ---------------------------------------------------------------- _jump


def _partial(cli: Cli, text: str, at: str, *args: str) -> tuple[int, dict[str, Any]]:
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    return run.code, one(run)


def test_a_lower_derivative_undefined_right_of_the_point_is_read_from_f(cli: Cli) -> None:
    # By hand: (relu(-y)**3)**(1/3) = relu(-y), so f = y + relu(-y) is 0 left
    # of 0 and y right of it: f' is 0 on the left and 1 on the right, so f''
    # does not exist at 0. f''s closed form has (relu(-y)**3)**(2/3) in a
    # denominator: 0/0 right of 0, where its side comes from f's own
    # differences. Kills analysis.py:9b474689:24:cmp_is_isnot:0 (`above is not
    # None`: the right side left undefined and the jump skipped, "agree" on 0)
    code, result = _partial(cli, "y + (relu(-y)**3)**(1/3)", "y=0", "--wrt", "y", "--order", "2")
    assert code == 1
    assert result["differentiable"] is False
    assert "derivative of order 1 jumps at y=0 (left limit 0," in result["note"]
    assert "right limit 1)" in result["note"]


def test_a_tiny_jump_of_a_mixed_lower_derivative_is_found_in_its_closed_form(cli: Cli) -> None:
    # By hand: d/dx of f = x*(y + 1 + 2**-200*heaviside(y)) is y + 1 +
    # 2**-200*heaviside(y), which jumps along y at y = 0 by 2**-200, below the
    # side limits' 2**-100: d2/dxdy does not exist at (0, 0). Kills
    # analysis.py:4b3f7c33:0:bool_and_or:0 (the gap taken from f's own pure
    # quotients along y, which at x = 0 are all 0: "agree", 1); and
    # analysis.py:5fbcc269:55:cmp_eq_ne:0 and :58:num_inc:0 (with_value at
    # order 1: the gap to the closed form's value at 0, 1 + 2**-201, half the
    # jump)
    code, result = _partial(
        cli, "x*(y + 1 + 2**-200*heaviside(y))", "x=0,y=0", "--wrt", "x", "--wrt", "y"
    )
    assert code == 1
    assert result["differentiable"] is False
    assert "derivative of order 1 jumps at y=0" in result["note"]
    assert f"jumps by about {mpmath.nstr(mpmath.mpf(2) ** -200, 10)}" in result["note"]


def test_a_tiny_jump_of_f_is_measured_to_its_value(cli: Cli) -> None:
    # By hand: f = 1 + y + 2**-200*(1 - sign(y)**2) is 1 + 2**-200 at y = 0
    # (sign(0) = 0) and 1 + y beside it: both limits are 1, f's value is
    # 2**-200 above them, so f is not continuous there and has no derivative.
    # The two sides meet (their gap shrinks with the step); only the gap to the
    # value stays. Kills analysis.py:5fbcc269:55:cmp_eq_ne:0, :58:num_dec:0
    # and :58:num_inc:0 (with_value False at order 0: "agree", 1)
    code, result = _partial(cli, "1 + y + 2**-200*(1 - sign(y)**2)", "y=0", "--wrt", "y")
    assert code == 1
    assert result["differentiable"] is False
    assert "the function being differentiated jumps at y=0" in result["note"]
    assert f"jumps by about {mpmath.nstr(mpmath.mpf(2) ** -200, 10)}" in result["note"]
