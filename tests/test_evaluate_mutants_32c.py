"""Cases for survivors of tools/mutate.py in derivcli/language/evaluate.py
(stop 32, third set).

Each test pins a fact worked out by hand (or with mpmath at high precision),
never derivcli's own output recorded as the expectation, and names the mutant
it kills (``.venv/bin/python tools/mutate.py --show ID`` prints one):

* a value left to its rounding after 16,384 bits names the sum that cancelled
  most (its terms over its value), not a step that cancelled nothing;
* a power of a negative base carries the base's rounding (largest met) when
  its whole exponent is itself rounded: a difference of two equal powers is
  not left a noise of 1e-114;
* the float64 screen's allowance for lgamma at x > 0 is 16 units of 2**-53
  times max(1, |value|): 15 units fall short of 1e-10 of lgamma(1.00003),
  and math.lgamma is off by 4.6 units of |value| at x = 7.76..., where
  |value| = 8 (a test that math.lgamma is off by more than 15 units at
  x = 3.278... was dropped: it held by 0.25%, on this libm only);
* the screen's look across an argument's error goes one error either way: a
  square root whose argument is two errors from its domain's end is trusted.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import mpmath
import numpy as np
from conftest import Cli, one

from derivcli.language.evaluate import TRUSTED_ERROR, compile_tree, exact_value, float64_values
from derivcli.language.parser import parse
from derivcli.language.printer import to_text

EPSILON = 2.0**-53


def _screen(text: str, x: float) -> Any:
    program = compile_tree(parse(text).tree)
    return float64_values(program, {"x": np.array([x])}, 1)


# ---------------------------------------------------------------- _lost_to_cancellation


def test_the_sum_that_cancelled_is_named_not_tanh(cli: Cli) -> None:
    # x*tanh(x) + x = x*(1 + tanh(x)) = 2x/(1 + e**(-2x)) by hand (1 + tanh(x) =
    # 2/(1 + e**(-2x))), about 2x*e**(2x): at x = -5660 that is 2**-16,318 (mpmath
    # below, from the formula without cancellation), from terms of 5660 = 2**12.5:
    # the sum cancels 16,330 bits, and 16,384 leave it fewer than 64 + 48 of its
    # own. Not 0 (x = -6000 rounds it to exactly 0, where any choice names it),
    # so the step named is the one whose terms are farthest above its value:
    # the sum, 2**16,330 times; tanh(x) is -1 + 2**-16,330, its value its own
    # size (a ratio of 1). Exit 3, the sum named in the note.
    # Kills evaluate.py:649875dd:26:arith_div_mul:0 (magnitude * |value| makes
    # the sum's ratio 1e-4909, below tanh's 1: "tanh(x) cancels past ...")
    with mpmath.workdps(30):
        t = mpmath.mpf(-5660)
        sum_ = 2 * t / (1 + mpmath.exp(-2 * t))
        assert -16319 < mpmath.log(abs(sum_), 2) < -16317
        assert mpmath.log(5660 / abs(sum_), 2) > 16384 - 64 - 48
    run = cli("grad", "(x*tanh(x)+x)*exp(-2*x)", "--at", "x=-5660", "--timeout", "60", "-f", "json")
    assert run.code == 3, run.err
    row = one(run)
    assert row["symbolic"] is None
    assert "x*tanh(x) + x cancels past the 16,384 bits" in row["note"], row
    outcome = exact_value(compile_tree(parse("(x*tanh(x)+x)*exp(-2*x)").tree), {"x": -5660.0})
    assert outcome.undefined is not None and outcome.undefined.kind == "cancelled"
    assert to_text(outcome.undefined.node) == "x*tanh(x) + x"


# ---------------------------------------------------------------- _magnitude of a power


def test_equal_powers_of_a_rounded_negative_base_are_not_left_noise() -> None:
    # By hand: ((2**150 + pi) - 2**150) - 4 is pi - 4 = -0.858..., and (x*pi)/pi
    # is x, so f = (pi - 4)**x - (pi - 4)**x = 0 for every x (x = 100: a whole
    # exponent, so the negative base has a real power). MPFR rounds 2**150 + pi
    # to 2**-105 (256 bits), so the first base carries a rounding of 2**150's
    # size, and the first power, (-0.858)**100 = 2.3e-7, that rounding times
    # 100/0.858 relative: the difference is noise, and must be refined, or left
    # to rounding, never a number. Its float64 is 0 (or it is labelled).
    # Kills evaluate.py:4d6b3834:10:num_dec:0 (base > -1: the base's relative
    # error enters negatively for a negative base, the power's magnitude is its
    # own size, and the noise -1.04e-114 came out as f's value at 512 bits)
    outcome = exact_value(
        compile_tree(parse("(((2**150 + pi) - 2**150) - 4)**((x*pi)/pi) - (pi - 4)**x").tree),
        {"x": 100.0},
    )
    assert outcome.value is None or outcome.to_float() == 0.0, outcome.value


# ---------------------------------------------------------------- _lgamma_error


def _float64_lgamma(x: float) -> tuple[float, Any, Any]:
    """math.lgamma(x), the true lgamma(x) (mpmath at 200 bits) and the error."""
    value = math.lgamma(x)
    with mpmath.workprec(200):
        true = mpmath.loggamma(mpmath.mpf(x))
        return value, true, abs(mpmath.mpf(value) - true)


def _minus_a_float_below(value: float, below: float) -> tuple[str, float]:
    """lgamma(x) - c, c a float64 about ``below`` under ``value`` and written out
    exactly (Decimal of a float), so the screen takes it as exact; and c."""
    c = math.ldexp(round(math.ldexp(value - below, 40)), -40)
    return f"lgamma(x) - {Decimal(c)}", c


def test_lgamma_of_8_is_off_by_units_of_its_size_not_of_1() -> None:
    # math.lgamma(7.764738647671352) = 8.0547 is 4.07e-15 off (mpmath): 4.6 units
    # of 2**-53 times the value, as the allowance 16*2**-53*max(1, |value|) (1.4e-14)
    # expects. Minus c = lgamma - 2.5e-5 (a difference float64 takes exactly) that
    # is 1.6e-10 of the difference: doubtful. An allowance divided by |value|
    # (16*2**-53/8 = 2.2e-16, with the value's rounding 1.1e-15) is 4.5e-11 of it.
    # Kills evaluate.py:b73ffc60:59:arith_mul_div:0 (16*2**-53/max(1, |value|):
    # trusted, and off by more than TRUSTED_ERROR)
    x = 7.764738647671352
    value, true, error = _float64_lgamma(x)
    text, c = _minus_a_float_below(value, 2.5e-5)
    assert abs(error) > TRUSTED_ERROR * abs(true - c)  # float64 is off, past 1e-10
    assert bool(_screen(text, x).doubtful[0])


def test_lgamma_close_to_its_zero_at_1_has_an_absolute_allowance() -> None:
    # lgamma(1 + h) ~ -0.5772*h (-Euler's gamma, digamma(1)): at x = 1.00003 it is
    # -1.7316e-5 (mpmath below). Its allowance there is 16*2**-53 absolute (|value|
    # below 1) plus the value's own rounding: 1.7764e-15 + 2e-21, above TRUSTED_ERROR
    # times the value, 1.7316e-15: doubtful. 15 units (1.6653e-15) fall below it.
    # Kills evaluate.py:b73ffc60:45:num_dec:0 (an allowance of 15 units).
    x = 1.00003
    with mpmath.workdps(30):
        true = float(mpmath.loggamma(mpmath.mpf(x)))
    assert 15 * EPSILON < TRUSTED_ERROR * abs(true) < 16 * EPSILON
    assert bool(_screen("lgamma(x)", x).doubtful[0])


# ---------------------------------------------------------------- _float64_step


def test_a_root_two_errors_from_its_domain_end_is_trusted() -> None:
    # x = the float after 0.1 (0.1000000000000000194...): x - 0.1 in float64 is
    # one unit of 0.1's, 2**-56 = 1.39e-17, with an error of 0.1's rounding,
    # 2**-53*0.1 = 1.11e-17. sqrt moved one error either way stays defined
    # (2.8e-18 and 2.5e-17 under it): the screen's error is about 2e-9, next to
    # 1000 a few 1e-12, trusted. And rightly: the exact x - 1/10 is 1.94e-17, and
    # 1000 + sqrt of it is float64's 1000 + 3.7e-9 to 7e-13 (mpmath below).
    # Kills evaluate.py:966ff6aa:14:num_inc:0 (sides -2, +1: sqrt(x - 0.1 - 2*error)
    # is of -8e-18, nan, and the point goes to the exact evaluation as doubtful)
    x = math.nextafter(0.1, 1.0)
    screened = _screen("1000 + sqrt(x - 0.1)", x)
    with mpmath.workdps(40):
        real = 1000 + mpmath.sqrt(mpmath.mpf(x) - mpmath.mpf(1) / 10)
    assert abs(screened.values[0] - real) < TRUSTED_ERROR * abs(real)
    assert math.ldexp(1, -56) - 2 * 0.1 * EPSILON < 0 < math.ldexp(1, -56) - 0.1 * EPSILON
    assert not bool(screened.doubtful[0])
