"""evaluate.py's rules pinned where mutants of sample 27 showed them loose.

* a pole reached through pi's rounding is found when a later step fails too
  (exp(tan(pi*x)) at 0.5: tan's noise pole, then exp overflowing): it was
  reported as an overflow ("finite but too large"), exit 3, not as the pole;
* a periodic call that itself fails (sinc of a number whose product with pi
  is past MPFR's range) is no candidate for pi's noise;
* pi's noise is told at twice the first precision (not more): from 6,000
  bits, a noise that does not shrink by 6,000 bits at 12,000 is looked at
  again at 16,384, not given up at the cap;
* the distance of a step function's argument to its nearest whole number.

The oracles are values worked out by hand (written next to each case),
never derivcli's own output.
"""

from __future__ import annotations

import math
from typing import Any

import gmpy2
import mpmath
import numpy as np
from conftest import Cli

from derivcli.language.evaluate import (
    _STEP_AT_WHOLE,
    TRUSTED_ERROR,
    Exact,
    _step_distance,
    compile_tree,
    exact_value,
    float64_values,
)
from derivcli.language.parser import parse
from derivcli.language.tree import Call


def _exact(text: str, point: dict[str, float], **options: Any) -> Exact:
    return exact_value(compile_tree(parse(text).tree), point, **options)


def test_a_noise_pole_before_an_overflow_is_the_pole(cli: Cli) -> None:
    """x = 0.5 is pi*x = pi/2 exactly, tan's pole: exp(tan(pi*x)) has no value
    there because of tan, not because exp is finite but too large. At 256
    bits tan of pi/2 rounded is 1e77 and exp of it overflows; the noise
    pole's check (_pole_of_noise) skipped undefined outcomes, so the note
    said "exp(tan(pi*x)) is finite but too large" and the exit was 3."""
    run = cli("grad", "exp(tan(pi*x))", "--at", "x=0.5", "--timeout", "60")
    text = " ".join(run.out.split())
    assert run.code == 1, run.out + run.err
    assert "tan(pi*x) has a pole" in text
    assert "too large" not in text


def test_a_periodic_call_that_fails_is_no_noise_candidate() -> None:
    """sinc(t) is sin(pi*t)/(pi*t): at t = 2**1073741822, MPFR's largest
    binade (its exponents stop at 2**30 - 1), pi*t is past its range, so the
    sinc step itself overflows; exp(y)*0 rounds first (e is inexact), so the
    noise check of periodic calls runs, and must not look at the value of the
    step that has none (an IndexError when it did)."""
    outcome = _exact("exp(y)*0 + sinc(x^1073741822)", {"x": 2.0, "y": 1.0})
    assert outcome.value is None
    assert outcome.undefined is not None
    assert outcome.undefined.kind == "overflow"
    node = outcome.undefined.node
    assert isinstance(node, Call) and node.name == "sinc"


def test_pi_s_noise_is_told_at_twice_the_first_precision() -> None:
    """sin(pi*x**25) at x = 2**500 is sin(pi*2**12500) = 0 exactly (an even
    whole number of half turns), so its sign is 0. From 6,000 bits pi*2**12500
    is rounded by far more than a period, and still at 12,000 (twice): not
    shrunk, the noise is looked at once more at 16,384 bits, where it has
    shrunk by half the bits added and is pi's noise of a 0. Taken at three
    times the bits, 18,000, capped at 16,384, the second look has no room:
    the noise there (2**-3880) stayed, and the sign came out 1."""
    outcome = _exact("sign(sin(pi*x^25))", {"x": 2.0**500}, precision=6000)
    assert outcome.value == 0


def test_a_step_s_distance_is_to_the_nearest_whole_number() -> None:
    """floor, ceil and trunc step at every whole number: 3.25 and -2.75 are
    0.25 from theirs (3 and -3), 5 is on one."""
    for value, distance in ((3.25, 0.25), (-2.75, 0.25), (5.0, 0.0), (0.5, 0.5)):
        assert _step_distance(_STEP_AT_WHOLE, gmpy2.mpfr(value)) == distance


# ---------------------------------------------------------------- float64 screen bounds
#
# The screen trusts a value when its error estimate is at most TRUSTED_ERROR
# (1e-10) of it; a trusted value is reported as float64 computed it, a
# doubtful one is evaluated exactly. Each case below sits between the
# thresholds that the declared bound and a mutant's give, worked out by hand
# from the estimate: a variable is exact, a function adds eps*|v| (eps =
# 2**-53) plus its declared loss, a constant float64 cannot hold adds
# eps*|c|, a difference adds both sides' errors and eps*|result|.

_EPS = 2.0**-53


def _screen(text: str, x: float) -> Any:
    program = compile_tree(parse(text).tree)
    return float64_values(program, {"x": np.array([x])}, 1)


def test_sinc_s_declared_loss_of_4_eps_decides_trust_near_its_zero() -> None:
    """sinc near 3 is about -(x - 3)/3: at x = 3 + 1.17e-5, mpmath gives
    v = -3.89998e-6. The estimate eps*|v| + 4*eps (np.sinc rounds pi*x first)
    is above 1e-10*|v| for |v| < 4*eps/(1e-10 - eps) = 4.44e-6: doubtful.
    With 3*eps the threshold is 3.33e-6, and the value passed for trusted."""
    x = 3 + 1.17e-5
    with mpmath.workdps(40):
        v = mpmath.sinc(mpmath.pi * x)
    assert 3.34e-6 < abs(v) < 4.43e-6
    assert bool(_screen("sinc(x)", x).doubtful[0])


def test_lgamma_s_loss_for_negative_x_counts_8_eps_of_its_parts() -> None:
    """lgamma(x) - c at x = -0.01, c = v - 7.25e-5 (v = lgamma(-0.01) in
    float64, 4.61102...). The declared loss for x < 0 is 8*eps*parts, parts =
    |log(pi/|sin(pi*x)|)| + y*log(y) + 2 with y = 1 - x: 4.6049 + 0.0100 + 2 =
    6.6149 (by hand). The estimate, eps*(|v| + 8*6.6149 + |c|) = 62.14*eps
    (c is no float64 number: its rounding counts), is below 1e-10 of the
    difference 7.25e-5 from 6.90e-5 on: trusted, and mpmath agrees the float64
    difference is that close. 9*eps*parts (68.76*eps) needs 7.63e-5: doubtful."""
    x = -0.01
    c = math.lgamma(x) - 7.25e-5
    screened = _screen(f"lgamma(x) - {c!r}", x)
    assert not bool(screened.doubtful[0])
    with mpmath.workdps(50):
        real = mpmath.log(abs(mpmath.gamma(mpmath.mpf(x)))) - mpmath.mpf(repr(c))
        assert abs(screened.values[0] - real) <= TRUSTED_ERROR * abs(real)


def test_lgamma_s_parts_take_log_of_pi_over_sin() -> None:
    """As above with the difference 5.8e-5, below the 6.90e-5 that the parts
    with log(pi/|sin(pi*x)|) = 4.6049 ask for: doubtful. With log(pi*|sin|)
    instead, |log(0.0986)| = 2.3165, the parts are 4.33 and the estimate
    43.8*eps, trusted from 4.86e-5 on."""
    x = -0.01
    with mpmath.workdps(30):
        assert abs(mpmath.log(mpmath.pi / abs(mpmath.sin(mpmath.pi * x))) - 4.6049) < 1e-3
    c = math.lgamma(x) - 5.8e-5
    assert bool(_screen(f"lgamma(x) - {c!r}", x).doubtful[0])


def test_polygamma_s_declared_loss_is_2_to_the_minus_40() -> None:
    """polygamma(1, x) - 1.625 at x = 1: pi**2/6 - 13/8 = 0.0199341 (mpmath).
    The estimate (eps + 2**-40)*|v| + eps*|result|, with v = 1.6449, is below
    1e-10 of 0.0199 (from 0.01497 on): trusted, and mpmath agrees. With a
    declared 2**-39 it needs 0.0299: doubtful. 2**-40 is what
    test_float64_screen measures polygamma's float64 error against."""
    screened = _screen("polygamma(1, x) - 1.625", 1.0)
    assert not bool(screened.doubtful[0])
    with mpmath.workdps(50):
        real = mpmath.pi**2 / 6 - mpmath.mpf(13) / 8
        assert abs(screened.values[0] - real) <= TRUSTED_ERROR * abs(real)
