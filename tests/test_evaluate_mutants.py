"""The exact evaluation's rules at their edges, and the float64 screen's slope.

Each test pins one rule of evaluate.py where it decides something: when an
evaluation is refined, when a failure may be the rounding's, when a value
counts as 0, how far a rounding scale reaches, and when the float64 screen
trusts a value. The oracles are mpmath at high precision and values worked out
by hand (written next to each case), never derivcli's own output.
"""

from __future__ import annotations

from typing import Any

import gmpy2
import mpmath
import numpy as np
import pytest

from derivcli.language.evaluate import (
    PRECISION,
    TRUSTED_ERROR,
    Exact,
    compile_tree,
    exact_value,
    float64_values,
)
from derivcli.language.parser import parse

mp = mpmath.mpf


def _exact(text: str, x: float, *args: Any, **options: Any) -> Exact:
    return exact_value(compile_tree(parse(text).tree), {"x": x}, *args, **options)


def _mp(value: Any) -> Any:
    """An mpfr as an mpmath number, exactly."""
    mantissa, exponent = value.as_mantissa_exp()
    return mp(int(mantissa)) * mp(2) ** int(exponent)


# ---------------------------------------------------------------- refinement


def test_an_evaluation_that_rounds_nothing_says_so() -> None:
    """x*x + 1 at 3 is 10 with no operation rounded: the outcome says it is
    exact (rounded False), which lets exact_value skip every refinement."""
    outcome = _exact("x*x + 1", 3.0)
    assert outcome.value == 10 and outcome.rounded is False
    assert _exact("x + 1/3", 3.0).rounded is True  # 1/3 is rounded


def test_a_sum_that_cancelled_nothing_is_not_refined_at_80_bits() -> None:
    """Refinement starts when more than precision - 80 bits may have cancelled.
    x + 1/3 at 1 cancels nothing (|sum| = its largest term): at 80 bits, more
    than 0 bits is not met, so the evaluation stays at 80 bits."""
    outcome = _exact("x + 1/3", 1.0, 80)
    assert outcome.precision == 80
    assert abs(_mp(outcome.value) - mp(4) / 3) <= mp(2) ** -79


def test_below_80_bits_every_rounded_evaluation_is_refined() -> None:
    """Below 80 bits, "more than precision - 80 bits lost" holds for any rounded
    value (no cancellation is -0 bits, more than a negative count): a product
    with no sum at all, x*(1/3) at 3, is evaluated again at twice 79 bits."""
    outcome = _exact("x*(1/3)", 3.0, 79)
    assert outcome.precision == 158
    assert abs(_mp(outcome.value) - 1) <= mp(2) ** -150


def test_a_cancellation_exactly_at_the_margin_is_not_refined() -> None:
    """(2**-176 - 1) + cosh(x) at x = 2**-128: cosh rounds to 1 at 256 bits, a
    rounding of size 1, and the sum is 2**-176: exactly 176 = 256 - 80 bits
    cancelled, not more, so no second evaluation. The value is still within 64
    bits of the truth, 2**-176 + (cosh(2**-128) - 1) = 2**-176 + 2**-257 + ..."""
    outcome = _exact("(2**-176 - 1) + cosh(x)", 2.0**-128)
    assert outcome.precision == PRECISION
    with mpmath.workprec(1200):
        truth = mp(2) ** -176 - 1 + mpmath.cosh(mp(2) ** -128)
        assert abs(_mp(outcome.value) - truth) <= abs(truth) * mp(2) ** -64


def test_exact_sums_keep_the_smaller_term() -> None:
    """With exact_sums, a sum that would round its smaller term away asks for
    enough bits to keep it: (x + cos(0)) - 1 at x = 2**-300 is x exactly, even
    without the cancellation refinement (refine=False); 256 bits alone give 0.
    (cos(0), not 1: (x + 1) - 1 is all rationals, which are taken exactly
    where a sum cancels; see test_exact_rationals.py.)"""
    outcome = _exact("(x + cos(0)) - 1", 2.0**-300, exact_sums=True, refine=False)
    assert outcome.value == gmpy2.mpfr(2.0**-300)
    assert _exact("(x + cos(0)) - 1", 2.0**-300, refine=False).value == 0  # the contrast


def test_a_periodic_function_s_argument_keeps_192_bits_below_its_units() -> None:
    """sin(x + 1/3) at x = 2**100 + 2**50: x + 1/3 is computed with 192 bits below
    its units digit, so it is within 2**-193 of the real argument, and sin (slope
    |cos| < 1 there) within 2**-193 of the real value (mpmath, 2,000 bits). One
    bit fewer leaves 1/3's rounding at 2**-191/3, and |cos| = 0.979 passes it on."""
    x = 2.0**100 + 2.0**50
    outcome = _exact("sin(x + 1/3)", x)
    with mpmath.workprec(2000):
        truth = mpmath.sin(mp(x) + mp(1) / 3)
        assert abs(_mp(outcome.value) - truth) <= mp(2) ** -193


# ---------------------------------------------------------------- failures the rounding made


def test_a_power_failing_by_a_base_rounded_to_0_is_refined() -> None:
    """(cosh(x) - 1)**(-1) at x = 2**-128: at 256 bits cosh(x) rounds to 1 and
    the base to 0, a pole; the base is within its rounding of 0, so the failure
    is doubtful and a finer evaluation finds 1/(cosh(x) - 1), about 2**257."""
    outcome = _exact("(cosh(x) - 1)**(-1)", 2.0**-128)
    with mpmath.workprec(2000):
        truth = 1 / (mpmath.cosh(mp(2) ** -128) - 1)
    assert outcome.defined
    assert abs(_mp(outcome.value) - truth) <= abs(truth) * mp(2) ** -64


def test_a_power_failing_by_an_exponent_rounded_off_a_whole_number_is_refined() -> None:
    """(-2)**(x*(1/19)) at x = 19 is (-2)**1 = -2. At 256 bits 19*(1/19) rounds
    to just below 1, and a negative base to a fractional power fails; the
    exponent is within its rounding of a whole number, so a finer evaluation
    (512 bits, where the product rounds to 1 exactly) gives -2."""
    outcome = _exact("(-2)**(x*(1/19))", 19.0)
    assert outcome.defined and outcome.value == -2


def test_a_surely_negative_base_fails_without_doubt() -> None:
    """(x*0.1 - 3)**0.5 at x = 10: the base is -2 up to 0.1's rounding, surely
    negative, and 0.5 is exact: a plain domain error, not a doubtful one (a base
    near a whole number is no reason for doubt, only a base near 0 is)."""
    outcome = _exact("(x*0.1 - 3)**0.5", 10.0)
    assert outcome.undefined is not None and outcome.undefined.kind == "domain"
    assert not outcome.doubtful
    assert outcome.precision == PRECISION  # no refinement was asked for


# ---------------------------------------------------------------- what counts as 0


def test_a_value_is_0_within_2_to_the_48_roundings_of_its_scale() -> None:
    """A value counts as 0 when it is at most 2**-(256 - 48) = 2**-208 times its
    rounding scale. (x + c/3) - c/3 with c = cos(0) = 1 is x exactly (x is a
    multiple of 1/3's last place), on the scale of 1/3: x = 2**-210 is 0.75 *
    2**-208 of that scale (0), x = 2**-209 is 1.5 * 2**-208 (not 0). (cos(0)/3,
    not 1/3: a sum of rationals is taken exactly where it cancels.)"""
    inside = _exact("(x + cos(0)/3) - cos(0)/3", 2.0**-210, refine=False)
    assert inside.value == gmpy2.mpfr(2.0**-210) and inside.is_zero(-1)
    outside = _exact("(x + cos(0)/3) - cos(0)/3", 2.0**-209, refine=False)
    assert outside.value == gmpy2.mpfr(2.0**-209) and not outside.is_zero(-1)


# a = (2**-206 - 4) + 4*cosh(x) at x = 2**-128 (256 bits, no refinement): cosh
# rounds to 1, so a is 2**-206 exactly, on the scale 4 of 4*cosh(x): exactly
# 2**-208 times its scale, which still counts as 0
_AT_ZERO_FROM_ABOVE = "(2**-206 - 4) + 4*cosh(x)"
_AT_ZERO_FROM_BELOW = "(4 - 2**-206) - 4*cosh(x)"


def test_a_step_whose_argument_counts_as_0_carries_its_rounding() -> None:
    """sign(a) with a 0 up to its rounding (is_zero) is on its step: its value
    may be -1, 0 or 1, so its scale is a's (4), not its own size (1). The same
    for relu(-a), 0 on its flat side only as far as a's rounding tells."""
    for text in (f"sign({_AT_ZERO_FROM_ABOVE})", f"relu({_AT_ZERO_FROM_BELOW})"):
        outcome = _exact(text, 2.0**-128, refine=False)
        argument = len(outcome.values) - 2
        assert abs(_mp(outcome.values[argument])) == mp(2) ** -206
        assert outcome.is_zero(argument)
        assert outcome.magnitudes[-1] == 4


def test_round_at_a_half_carries_its_argument_s_rounding() -> None:
    """round(x*(0.1*c) - 3) with c = cos(0) = 1 at 45 is round(1.5 up to 0.1's
    rounding): 1 or 2, so its scale is its argument's (4.5 = 45*0.1); at 40.5
    the argument is 1.05, 0.45 from the nearest half, and round's value 1 is
    exact (scale 0: round is flat there, so no rounding reaches its value).
    (0.1*cos(0), not 0.1: x*0.1 - 3 is all rationals, taken exactly on a step:
    round(3/2) is 2 with no rounding at all.)"""
    on_step = _exact("round(x*(0.1*cos(0)) - 3)", 45.0)
    assert on_step.value == 2 and on_step.magnitudes[-1] >= on_step.magnitudes[-2] >= 4.5
    rational = _exact("round(x*0.1 - 3)", 45.0)  # the contrast: its argument is exact
    assert rational.value == 2 and rational.magnitudes[-2] == 0
    off_step = _exact("round(x*(0.1*cos(0)) - 3)", 40.5)
    assert off_step.value == 1 and off_step.magnitudes[-1] == 0


# ---------------------------------------------------------------- how far a rounding reaches

# Each case: (f, x, the rounding scale it must at least carry, worked out from
# f's partial derivatives times its rounded arguments' scales, which are their
# sizes: 1/3 -> 1/3, x*(10/3) at 1 -> 10/3, x*0.1 at 9 -> 0.9)


def _sinc_slope(t: Any) -> Any:
    """|d/dt sin(pi*t)/(pi*t)| = |cos(pi*t) - sinc(t)|/|t|."""
    return abs(mpmath.cospi(t) - mpmath.sincpi(t)) / abs(t)


with mpmath.workdps(40):
    _CARRIED = [
        # x**(10/3) at 1/2: the exponent's rounding through |log(1/2)|, times its size
        ("x**(10/3)", 0.5, mpmath.log(2) * mp(10) / 3 * mp("0.5") ** (mp(10) / 3)),
        # the same power, its exponent moving with x
        ("0.5**(x*(10/3))", 1.0, mpmath.log(2) * mp(10) / 3 * mp("0.5") ** (mp(10) / 3)),
        # (1/3)**x at 2.5: the base's relative rounding (1/3)/(1/3) = 1 times 2.5
        ("(1/3)**x", 2.5, mp("2.5") * (mp(1) / 3) ** mp("2.5")),
        # (-10/3)**3: the base's rounding 10/3 times |3*(-10/3)**2| = 100/3
        ("(-10/3)**x", 3.0, mp(1000) / 9),
        # sinc(0.9): pi's rounding (1) and 0.9's through the slope, 1.18 there
        ("sinc(x*0.1)", 9.0, 1 + _sinc_slope(mp("0.9")) * mp("0.9")),
        # x*0.1 - 0.8 at 9 is 0.1 with the rounding scale 0.9 of the terms it came
        # from: atan's slope 1/(1 + a**2) and erf's 2*exp(-a**2)/sqrt(pi) carry it,
        # far above the values atan(0.1) = 0.0997 and erf(0.1) = 0.112
        ("atan(x*0.1 - 0.8)", 9.0, mp("0.9") / (1 + mp("0.1") ** 2)),
        ("erf(x*0.1 - 0.8)", 9.0, 2 * mpmath.exp(-mp("0.01")) / mpmath.sqrt(mpmath.pi) * mp("0.9")),
    ]


@pytest.mark.parametrize(("text", "x", "carried"), _CARRIED)
def test_a_rounding_scale_carries_its_arguments_roundings(
    text: str, x: float, carried: Any
) -> None:
    """A value's rounding scale is at least what its rounded arguments' scales
    make of it through its slope: below that, a value off by its rounding could
    pass for exact (and a sum of it for a clean 0)."""
    outcome = _exact(text, x)
    assert outcome.magnitudes[-1] >= carried * (1 - mp(2) ** -50)


@pytest.mark.parametrize("case", [c for c in _CARRIED if c[0].startswith(("atan", "erf"))])
def test_a_slope_rule_s_scale_is_the_slope_times_the_argument_s(case: Any) -> None:
    """atan's and erf's rules give their slope exactly (to 2**-50; slopes are
    taken with 64 bits): 1/(1 + a**2), not 1/(a**2 - 1), which is 2% larger at a = 0.1."""
    text, x, carried = case
    outcome = _exact(text, x)
    assert abs(_mp(outcome.magnitudes[-1]) - carried) <= carried * mp(2) ** -50


@pytest.mark.parametrize("text", ["x**(10/3)", "0.5**(x*(10/3))"])
def test_a_power_s_scale_from_its_exponent_is_not_overstated(text: str) -> None:
    """The exponent's rounding reaches a**b through |log(a)|, bounded by a's
    binary exponent: at a = 1/2 the bound (0.7) is within 2% of log(2), so the
    scale is within 2% of what is carried (not twice it: twice would call a
    value of that size noise)."""
    outcome = _exact(text, 0.5 if text.startswith("x") else 1.0)
    carried = mpmath.log(2) * mp(10) / 3 * mp("0.5") ** (mp(10) / 3)
    assert carried <= _mp(outcome.magnitudes[-1]) <= carried * mp("1.02")


# ---------------------------------------------------------------- the float64 screen's slope


def _screen(text: str, x: float) -> tuple[float, bool]:
    screened = float64_values(compile_tree(parse(text).tree), {"x": np.array([x])}, 1)
    return float(screened.values[0]), bool(screened.doubtful[0])


def test_a_step_well_ahead_of_its_argument_passes_no_error() -> None:
    """floor(x*0.1) - 8.99 at x = 99.99986: x*0.1 is 9.999986, 1.4e-6 (relative)
    below floor's step at 10 and about 1e-15 off in float64: floor is surely 9,
    and the result, 0.01 in decimals (mpmath), is trusted. The slope is measured
    2**-20 ahead of the argument, short of the step."""
    value, doubtful = _screen("floor(x*0.1) - 8.99", 99.99986)
    with mpmath.workdps(50):
        assert mpmath.floor(mp(99.99986) * mp("0.1")) == 9
        truth = 9 - mp("8.99")
        assert abs(value - truth) <= TRUSTED_ERROR * abs(truth)
    assert not doubtful


def test_a_flat_function_at_a_rounded_0_is_trusted() -> None:
    """cos(x*0.1 - 0.1) at x = 1: the argument is 0 in float64 with an error of
    about 1e-17; cos is flat there, its value 1 is right (cos(0) in mpmath) and
    trusted: the slope is measured by a step of at least 1e-300*2**-20, not of 0
    (which would make it 0/0)."""
    value, doubtful = _screen("cos(x*0.1 - 0.1)", 1.0)
    assert value == mpmath.cos(mp(1) * mp("0.1") - mp("0.1")) == 1 and not doubtful


def test_a_jump_beside_a_rounded_0_is_measured_at_1e_300() -> None:
    """ceil(x*0.1 - 0.1) + 1e300 at x = 1: ceil jumps by 1 just above its rounded
    0 argument (error 1.1e-17), negligible beside 1e300: the value is right
    (mpmath: ceil(0) + 1e300) and trusted. The jump over the slope's step,
    1e-300*2**-20, times 1.1e-17 is 1.2e289, below 1e-10 of the value."""
    value, doubtful = _screen("ceil(x*0.1 - 0.1) + 1e300", 1.0)
    with mpmath.workdps(350):
        truth = mpmath.ceil(mp(1) * mp("0.1") - mp("0.1")) + mp(10) ** 300
    assert abs(value - truth) <= TRUSTED_ERROR * truth and not doubtful


@pytest.mark.parametrize(("text", "expected"), [("(x - 2)**-2", 1), ("(x - 2)**-3", -1)])
def test_a_negative_base_to_a_negative_whole_power_is_exact(text: str, expected: int) -> None:
    """(-1)**-2 is 1 and (-1)**-3 is -1 (by hand): only a base of 0 under a negative
    exponent is a pole."""
    outcome = _exact(text, 1.0)
    assert outcome.value == expected
