"""More of evaluate.py's rules pinned where they decide a value, a verdict or trust.

Each test pins one rule that the earlier mutant tests left loose:

* the exact evaluation: what "agree to 64 bits" measures against, how many
  bits ``exact_sums`` asks for, the rounding scale of a quotient, of exp and
  of a power to a constant exponent (whether a later sum's cancellation is
  seen), and a rounded argument landing exactly on round's step at a half;
* the float64 screen of long grids: a kinked call held still adds no error
  (not a negative one), a function's own rounding counts, and the slope of a
  step function is measured ahead of its argument, by a move of at least
  1e-300 * 2**-20.

The oracles are mpmath at high precision and values worked out by hand
(written next to each case), never derivcli's own output.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import gmpy2
import mpmath
import numpy as np

import derivcli
from derivcli.language.evaluate import (
    TRUSTED_ERROR,
    Exact,
    agree_to_64_bits,
    compile_tree,
    exact_value,
    float64_values,
)
from derivcli.language.parser import parse

mp = mpmath.mpf


def _exact(text: str, point: dict[str, float], **options: Any) -> Exact:
    return exact_value(compile_tree(parse(text).tree), point, **options)


def _mp(value: Any) -> Any:
    """An mpfr as an mpmath number, exactly."""
    mantissa, exponent = value.as_mantissa_exp()
    return mp(int(mantissa)) * mp(2) ** int(exponent)


def _relative_error(value: Any, truth: Any) -> Any:
    return abs(_mp(value) - truth) / abs(truth)


# ---------------------------------------------------------------- agreement


def test_agreeing_to_64_bits_is_measured_against_the_larger_value() -> None:
    """a = 1 and b = 1 + 2**-64 + 2**-130 differ by 2**-64 + 2**-130, which is
    below 2**-64 times the larger (b) and times their mean (mpmath, 400 bits):
    they agree to 64 bits. Measured against the smaller, 1, they would not."""
    with gmpy2.context(gmpy2.get_context(), precision=256):
        a = gmpy2.mpfr(1)
        b = a + gmpy2.mpfr(2) ** -64 + gmpy2.mpfr(2) ** -130
        with mpmath.workprec(400):
            difference = abs(_mp(b) - _mp(a))
            assert difference <= max(_mp(a), _mp(b)) * mp(2) ** -64
            assert difference <= (_mp(a) + _mp(b)) / 2 * mp(2) ** -64
        assert agree_to_64_bits(a, b)
        assert agree_to_64_bits(b, a)


# ---------------------------------------------------------------- exact sums


def test_exact_sums_keep_a_tiny_term_beside_a_huge_one() -> None:
    """(x + 2**1000)*2**-1000 - 1 at x = 2**-1000 is 2**-2000 exactly (by hand:
    (2**-1000 + 2**1000)*2**-1000 = 2**-2000 + 1). x + 2**1000 spans 2,000 bits
    between its terms' leading bits, so exact_sums asks for more than 2,000
    bits, and the value is exact even without the cancellation refinement."""
    outcome = _exact("(x + 2**1000)*2**-1000 - 1", {"x": 2.0**-1000}, exact_sums=True, refine=False)
    assert outcome.value == gmpy2.mpfr(2) ** -2000
    assert outcome.precision > 2000


def test_exact_sums_keep_the_smaller_term_to_the_working_precision() -> None:
    """(x + 1/3) - x at x = 2**100 is 1/3. With exact_sums the sum x + 1/3 is
    evaluated with enough bits to keep 1/3 to the working precision (256 bits),
    so the result is 1/3 to 2**-250 (mpmath); 102 bits between the terms plus
    only 192 would leave 1/3 good to about 2**-193."""
    outcome = _exact("(x + 1/3) - x", {"x": 2.0**100}, exact_sums=True, refine=False)
    with mpmath.workprec(1000):
        assert _relative_error(outcome.value, mp(1) / 3) <= mp(2) ** -250


# ---------------------------------------------------------------- rounding scales


def test_a_quotient_by_a_large_rounded_number_is_not_taken_for_0() -> None:
    """abs(1/(0.1*x)) at x = 1e100: the argument of abs is 1e-99, rounded only
    relative to its own size, so it is clearly off abs's kink at 0, and the
    derivative of |10/x| there is -10/x**2 (by hand: 10/x > 0), -1e-199 up to
    the float x (mpmath, 50 digits). A quotient's rounding scale divided by
    the divisor 1e99, not multiplied, is what keeps it off the kink."""
    report = derivcli.grad("abs(1/(0.1*x))", at={"x": 1e100})
    result = report.results[0]
    assert result.differentiable is not False
    assert result.verdict == "agree" and report.ok
    with mpmath.workdps(50):
        truth = -10 / mp(1e100) ** 2
        assert result.symbolic is not None
        assert abs(result.symbolic - truth) <= abs(truth) * mp(10) ** -12


def test_exp_carries_its_argument_s_rounding_into_a_cancellation() -> None:
    """exp(x*(1/3)) - exp(c) at x = 1e9, with c = K/2**200 the 200-bit dyadic
    2**-170 below 10**9/3 (K by hand: floor(10**9/3 * 2**200) - 2**30), so the
    two exps agree to 170 bits. x*(1/3) (3.3e8) carries a rounding of up to
    2**-228 absolute, which exp turns into a relative error of that size: up to
    2**-58 of the difference at 256 bits. The cancellation, counted with exp's
    rounding scale (its value times its argument's scale, 2**28 times its
    value), asks for a second evaluation, and the result is within 2**-64 of
    mpmath's (1,500 bits)."""
    k = math.floor(Fraction(10**9, 3) * 2**200) - 2**30
    outcome = _exact(f"exp(x*(1/3)) - exp({k}/2**200)", {"x": 1e9})
    with mpmath.workprec(1500):
        truth = mpmath.exp(mp(1e9) / 3) - mpmath.exp(mp(k) / mp(2) ** 200)
        assert _relative_error(outcome.value, truth) <= mp(2) ** -64


def test_a_rounded_exponent_reaches_its_power_through_the_base_s_log() -> None:
    """exp(x)**(0.1*20 + 2**-257) - exp(2*x - 2**-174) at x = 1e8. At 256 bits
    the exponent 2 + 2**-257 rounds to exactly 2, an error that reaches the
    power through |log(exp(x))| = 1e8: 2**-230 of its value, 2**-56 of the
    difference, which the two terms leave at 2**-174 of themselves. The power's
    rounding scale carries the exponent's through the log (the exponent is a
    constant, though a whole number here), the cancellation asks for more
    bits, and the result is within 2**-64 of mpmath's (1,200 bits)."""
    outcome = _exact("exp(x)**(0.1*20 + 2**-257) - exp(2*x - 2**-174)", {"x": 1e8})
    with mpmath.workprec(1200):
        x = mp(1e8)
        truth = mpmath.exp(x * (2 + mp(2) ** -257)) - mpmath.exp(2 * x - mp(2) ** -174)
        assert _relative_error(outcome.value, truth) <= mp(2) ** -64


# ---------------------------------------------------------------- steps reached by rounding


def test_round_s_argument_rounded_onto_a_half_is_looked_at_closer() -> None:
    """round(tanh(x)**2 + 0.5) at x = -6020: tanh(x)**2 is 1 - sech(6020)**2,
    1 - 1e-5229 (mpmath, 20,000 bits), so the argument is just below 1.5 and
    round gives 1. Up to 16,384 bits the argument rounds to 1.5 exactly, a half
    (round to even says 2); a rounded argument on a step of round is an edge,
    and edges are looked at with up to 32,768 bits."""
    outcome = _exact("round(tanh(x)**2 + 0.5)", {"x": -6020.0})
    with mpmath.workprec(20000):
        argument = mpmath.tanh(mp(-6020)) ** 2 + mp("0.5")
        assert mp(1) < argument < mp("1.5")
    assert outcome.value == 1


# ---------------------------------------------------------------- the float64 screen


def _real(text: str, point: dict[str, float]) -> Any:
    """The expression at the point in mpmath, 50 digits, decimals exact."""
    names = {
        "sin": mpmath.sin,
        "sign": mpmath.sign,
        "floor": mpmath.floor,
        "abs": abs,
        "mpf": mp,
        **{name: mp(value) for name, value in point.items()},
    }
    source = text
    for decimal in ("1e8", "1e-295", "9.99", "0.1", "0.5"):
        source = source.replace(decimal, f"mpf('{decimal}')")
    with mpmath.workdps(50):
        return eval(source, names)  # noqa: S307 - the test's own text


def _screen(text: str, point: dict[str, float], still: frozenset[int] = frozenset()) -> Any:
    program = compile_tree(parse(text).tree)
    columns = {name: np.array([value]) for name, value in point.items()}
    screened = float64_values(program, columns, 1, still)
    return float(screened.values[0]), bool(screened.doubtful[0])


def _trusted_only_if_right(text: str, point: dict[str, float], **options: Any) -> bool:
    """The screen's contract: a value it trusts is within TRUSTED_ERROR of the
    real one. Returns whether it trusted the value."""
    value, doubtful = _screen(text, point, **options)
    truth = _real(text, point)
    assert doubtful or abs(value - truth) <= TRUSTED_ERROR * abs(truth), (value, truth)
    return not doubtful


def test_a_kinked_call_held_still_adds_no_error_and_takes_none_away() -> None:
    """abs(y) + ((x + 1e8) - 1e8) at x = 0.3, y = 0 with abs held still (its
    argument is 0 all along the grid's line): abs adds no error, and the sum
    (x + 1e8) - 1e8, 0.29999999701976776 in float64 (1e-8 off the real 0.3),
    must not pass for trusted."""
    text, point = "abs(y) + ((x + 1e8) - 1e8)", {"x": 0.3, "y": 0.0}
    program = compile_tree(parse(text).tree)
    still = frozenset(i for i, ins in enumerate(program.instructions) if ins.name == "abs")
    assert len(still) == 1
    assert not _trusted_only_if_right(text, point, still=still)


def test_a_function_s_own_rounding_counts_in_a_difference() -> None:
    """sin(x) - 0.5 at x = pi/6 in float64: sin rounds to 0.5 - 2**-54, the
    real sin(x) is 0.5 - 4.97e-17 (mpmath), so the difference is 12% off. Only
    sin's own rounding (2**-53 of its value, 5.6e-17) tells: with it the
    screen doubts the value; without it both other steps are exact and it
    would be trusted."""
    assert not _trusted_only_if_right("sin(x) - 0.5", {"x": math.pi / 6})


def test_a_step_function_s_slope_is_measured_ahead_of_its_argument() -> None:
    """floor(x*0.1) - 9.99 at x = 100.00005: x*0.1 is 10.000005, 5e-7 (relative)
    above floor's step at 10 and about 2e-15 off in float64, so floor is surely
    10 and the result is 0.01 (mpmath), trusted. The slope is measured 2**-20
    ahead of the argument, away from the step just behind it."""
    text, point = "floor(x*0.1) - 9.99", {"x": 100.00005}
    assert _trusted_only_if_right(text, point)
    with mpmath.workdps(50):
        assert abs(_real(text, point) - mp("0.01")) <= mp(10) ** -40


def test_a_tiny_argument_s_slope_is_measured_by_a_tiny_move() -> None:
    """sign((x + 1e-295) - 1e-295) at x = -5e-306: the argument is x (by hand),
    within 3e-311 in float64 (the screen's own bound), so surely negative, and
    sign is surely -1: trusted. The slope is measured by a move of 1e-300 *
    2**-20 (9.5e-307), which stays below 0; a move of ten times that would
    cross sign's jump at 0 and make a 3e-311 error look like 7e-6."""
    text, point = "sign((x + 1e-295) - 1e-295)", {"x": -5e-306}
    assert _real(text, point) == -1
    assert _trusted_only_if_right(text, point)
