"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py and
derivcli/language/evaluate.py (stop 34, fourth set).

Each test pins a fact worked out by hand (or with mpmath at high precision),
never derivcli's own output recorded as the expectation, and names the mutant
it kills (``.venv/bin/python tools/mutate.py --show ID`` prints one):

* f's value at the point, which the analysis compares with its side limits
  to 2**-100, is read with EXACT_LIMIT_BITS = 384 bits: a constant term
  log(E*N/2**300) that cancels 284.68 bits is 2**-101.5 off at 384 bits and
  2**-98.5 off at 383, where f would seem to jump;
* the float64 screen's allowance for lgamma between 0 and 1 is the one for
  x > 0 (16 units of 2**-53 times max(1, |value|)), not the one for x < 0
  whose log(pi/|sin(pi*x)|) grows without bound towards 1.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from conftest import Cli, one

from derivcli.language.evaluate import TRUSTED_ERROR, compile_tree, float64_values
from derivcli.language.parser import parse

EPSILON = 2.0**-53


# ---------------------------------------------------------------- EXACT_LIMIT_BITS


def _near_one_over_e() -> int:
    """N with N/2**300 just above 1/e: e*N/2**300 is 1 + about 2**-284.68, so
    log(e*N/2**300) is about 2**-284.68 (mpmath at 3,000 bits)."""
    with mpmath.workprec(3000):
        step = mpmath.mpf(2) ** mpmath.mpf("-284.68")
        return int(mpmath.floor((1 + step) / mpmath.e * mpmath.mpf(2) ** 300))


def test_a_constant_that_cancels_285_bits_is_no_jump_at_384_bits(cli: Cli) -> None:
    # f = x*abs(x) + c with c = log(E*N/2**300) a constant: continuous, and by
    # hand (f(h) - f(0))/h = h*|h|/h = |h| -> 0 from both sides, so df/dx at 0
    # exists and is 0 (the closed form x*sign(x) + abs(x) is 0 there too).
    # c is 2**-284.68 (mpmath below), from a product E*N/2**300 = 1 + c that MPFR
    # rounds (to 2**-384 or 2**-383 of 1), which log carries: its relative
    # error is about 2**(284.68 - 384). For this N it happens to be 2**-101.5 at
    # 384 bits and 2**-98.5 at 383 (the roundings' luck), while the cancellation
    # (2**285) is below what makes exact_value refine (2**(384 - 80)), and f's
    # value at x = 0 holds no sum of two nonzero terms (x*abs(x) is 0), so
    # exact sums do not raise the precision. The side limits (at 1,088 bits) are
    # c to far better than 2**-100, as is the value at 384 bits: no jump.
    # Kills analysis.py:a61cc517:19:num_dec:0 (EXACT_LIMIT_BITS = 383: the
    # value is 2**-98.5 from the limits, "the function being differentiated
    # jumps at x=0", not differentiable).
    n = _near_one_over_e()
    with mpmath.workprec(3000):
        c = mpmath.log(mpmath.e * n / mpmath.mpf(2) ** 300)
        assert -284.7 < mpmath.log(c, 2) < -284.6
    text = f"x*abs(x) + log(E*{n}/2**300)"
    run = cli("grad", text, "--at", "x=0", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.err
    row = one(run)
    assert row["differentiable"] is True, row["note"]
    assert row["verdict"] == "agree", row["note"]
    assert "jumps" not in (row["note"] or "")
    assert (row["symbolic"], row["left"], row["right"]) == (0.0, 0.0, 0.0)


# ---------------------------------------------------------------- _lgamma_error


def test_lgamma_just_below_its_zero_at_1_is_trusted_in_float64() -> None:
    # lgamma(1 - h) ~ 0.5772*h (Euler's gamma, -digamma(1)): at x = 0.99995 it is
    # 2.8863e-5 (mpmath below), and math.lgamma is 4.5e-18 from it, far inside
    # TRUSTED_ERROR times the value, 2.8863e-15. The allowance for x > 0 is
    # 16*2**-53*max(1, |value|) = 1.7764e-15 absolute, below that: trusted.
    # The allowance for x < 0 taken here, 8*2**-53*(|log(pi/|sin(pi*x)|)| + 0 + 2)
    # (y = 1 right of 0), is 8*2**-53*(9.90 + 2) = 1.06e-14 (sin(pi*x) is about
    # pi*5e-5), above it: doubtful, for a value float64 has right.
    # Kills evaluate.py:b73ffc60:20:num_inc:0 (np.where(x < 1, ...)).
    x = 0.99995
    with mpmath.workprec(200):
        true = mpmath.loggamma(mpmath.mpf(x))
        assert abs(mpmath.mpf(math.lgamma(x)) - true) < TRUSTED_ERROR * true
    assert 16 * EPSILON < TRUSTED_ERROR * float(true)
    reflection = 8 * EPSILON * (abs(math.log(math.pi / abs(math.sin(math.pi * x)))) + 2)
    assert reflection > 3 * TRUSTED_ERROR * float(true)
    screened = float64_values(compile_tree(parse("lgamma(x)").tree), {"x": np.array([x])}, 1)
    assert not bool(screened.doubtful[0])
    assert abs(screened.values[0] - true) < TRUSTED_ERROR * true
