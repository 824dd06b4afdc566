"""gamma and lgamma of a half-whole constant: an answer, not a timeout.

`grad "max(x, 0)**2 + gamma(171.5)" --at x=0` ran out of any budget (exit 3
at --timeout 60). The kink's analysis evaluates f beside 0 at up to 34,000
bits, and MPFR's gamma computes Bernoulli numbers the first time a process
asks for a new highest precision: 28 s at 22,012 bits, over 3 minutes at
38,396, whatever the argument (gamma(1.5) too). At n + 1/2, gamma is sqrt(pi)
times an exact rational, which costs microseconds at any precision.

The values are checked against mpmath at 2,100 bits (about 630 digits).
"""

from __future__ import annotations

import time

import gmpy2
import mpmath
import pytest
from conftest import Cli, one

from derivcli.language.functions import _exact_gamma, _exact_lgamma


@pytest.mark.parametrize(
    "text",
    ["max(x, 0)**2 + gamma(171.5)", "max(x, 0)**2 + gamma(1.5)", "relu(x)**2 + lgamma(171.5)"],
)
def test_a_kink_beside_a_half_whole_gamma_constant_is_judged(cli: Cli, text: str) -> None:
    # f = max(x, 0)**2 + c: f' = 2*max(x, 0), 0 on both sides of 0 and at 0, so
    # differentiable with derivative 0; torch's gradient there is 0 too
    run = cli("grad", text, "--at", "x=0", "-f", "json", "--timeout", "60")
    assert run.code == 0, run.err
    result = one(run)
    assert result["verdict"] == "agree"
    assert result["differentiable"] is True
    assert result["symbolic"] == 0.0
    assert result["left"] == 0.0 and result["right"] == 0.0


# doubled = 2x, odd: x = 0.5, 1.5, -0.5, -20.5, 171.5 (gamma(171.5) is about
# 9.47e307, near float64's top), 4095.5 (the largest taken this way)
HALF_WHOLE = (1, 3, -1, -41, 343, 8191)


def test_half_whole_values_match_mpmath_at_a_deep_precision() -> None:
    # 38,396 bits: the precision at which MPFR's gamma spent over 3 minutes; the
    # values rounded to 2,100 bits are compared with mpmath's at 2,100 bits
    started = time.monotonic()
    mpmath.mp.prec = 2100
    for doubled in HALF_WHOLE:
        x = gmpy2.mpfr(doubled) / 2
        with gmpy2.context(precision=38396):
            g, lg = _exact_gamma(gmpy2, x), _exact_lgamma(gmpy2, x)
        true_g = mpmath.gamma(mpmath.mpf(doubled) / 2)
        true_lg = mpmath.log(abs(true_g))
        for ours, true in ((g, true_g), (lg, true_lg)):
            assert abs(mpmath.mpf(format(ours, ".640e")) / true - 1) < mpmath.mpf(2) ** -2000
    assert time.monotonic() - started < 20


def test_a_point_beside_a_whole_number_is_not_taken_for_a_half_whole_one() -> None:
    # 2 + 3*2**-300, held with 340 bits, evaluated at 256: doubled at 256 bits it
    # rounds to the whole 4, as if x were 4/2 read as a half-whole number (a first
    # version took it for one: gamma came out sqrt(pi)/2, 0.886, and lgamma
    # beside its zeros 1 and 2 failed tests/test_functions.py). gamma(2 + h) is
    # 1 + (1 - euler)*h, so the value must be within 2**-255 of mpmath's there
    mpmath.mp.prec = 600
    with gmpy2.context(precision=340):
        x = gmpy2.mpfr(2) + gmpy2.mul_2exp(gmpy2.mpfr(3), -300)
    with gmpy2.context(precision=256):
        g, lg = _exact_gamma(gmpy2, x), _exact_lgamma(gmpy2, x)
    point = 2 + 3 * mpmath.mpf(2) ** -300
    for ours, true in ((g, mpmath.gamma(point)), (lg, mpmath.loggamma(point))):
        num, den = ours.as_integer_ratio()
        assert abs(mpmath.mpf(num) / den - true) <= abs(true) * mpmath.mpf(2) ** -255
