"""Cases for survivors of tools/mutate.py in derivcli/language/evaluate.py
(stop 31).

Each test pins a fact worked out by hand (or with mpmath at high precision),
never derivcli's own output recorded as the expectation, and names the mutant
it kills (``.venv/bin/python tools/mutate.py --show ID`` prints one):

* an exact 0 times erf(x) plus 0 is no erf multiple to rewrite as erfc;
* a quotient of an exact 1 by a rounded denominator is no exact value, so a
  pole met through it is refined, not taken as certain;
* atan2 of two rounded zeros keeps their rounding (no slope at the origin);
* the float64 screen's error allowances for sinc (4 units of 2**-53) and
  polygamma (2**-40 relative) are just what they must be;
* a step at exactly its rounding's bound is a pole suspect (the inclusive
  bound), and a finer evaluation that failed at a periodic call gives it no
  finer value.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import gmpy2
import mpmath
import numpy as np
import pytest
from conftest import Cli, CliRun, one

from derivcli.language import evaluate
from derivcli.language.evaluate import (
    PRECISION,
    TRUSTED_ERROR,
    ZERO_MARGIN,
    Exact,
    compile_tree,
    exact_value,
    float64_values,
)
from derivcli.language.parser import parse

X_2_200 = "6.223015277861142e-61"  # 2**-200, exactly (repr of the float64)


def _run(cli: Cli, text: str, at: str) -> tuple[CliRun, dict[str, Any]]:
    run = cli("grad", text, "--at", at, "--timeout", "60", "-f", "json")
    return run, one(run)


def _screen(text: str, x: float) -> Any:
    program = compile_tree(parse(text).tree)
    return float64_values(program, {"x": np.array([x])}, 1)


# ---------------------------------------------------------------- _same_up_to_sign


def test_zero_times_erf_plus_zero_is_zero_even_far_out(cli: Cli) -> None:
    # 0*erf(x) + 0 is 0 for every x, so its derivative is 0 and torch's (0) agrees.
    # It is no erf multiple c*(1 + erf(x)): the two zeros are "the same
    # expression" only for a nonzero number. Read as one (c = 0), it was computed
    # as 0*erfc(-x), and erfc(1e10) = e**-1e20 is past MPFR's range (2**-(2**30)):
    # "cannot judge" (exit 3) for a plain 0.
    # Kills evaluate.py:1e6c5efe:25:num_dec:0 (a.value == b.value != -1 takes 0 == 0)
    assert float(mpmath.log(mpmath.erfc(mpmath.mpf(10) ** 10), 2)) < -(2**30)
    run, row = _run(cli, "0*erf(x) + 0", "x=-1e10")
    assert run.code == 0, run.err
    assert row["verdict"] == "agree"
    assert row["symbolic"] == 0.0 and row["autograd"] == 0.0


# ---------------------------------------------------------------- _computed_exactly


def _reciprocal_gap(x: Any) -> Any:
    # f = 1/(1/(2 - cos(x)) - 1) = (2 - cos(x))/(cos(x) - 1)
    return (2 - mpmath.cos(x)) / (mpmath.cos(x) - 1)


def test_one_over_a_rounded_denominator_is_no_exact_value(cli: Cli) -> None:
    # At x = 2**-200, 2 - cos(x) = 1 + 2**-401 (cos(x) = 1 - x**2/2 + ...), which
    # 256 bits round to 1: 1/(2 - cos(x)) comes out exactly 1 (MPFR's division
    # sets no inexact flag) and 1/(that - 1) fails as 1/0. The 1 on top is exact,
    # the quotient is not (its denominator was rounded), so the pole may be the
    # rounding's: 512 bits find f = (2 - cos x)/(cos x - 1) ~ -2/x**2 = -2**401,
    # and f' = sin(x)/(1 - cos(x))**2 ~ 4/x**3 = 2**602 = 1.66e181 (mpmath
    # below). torch's float64 cos(x) is 1: inf, so DISAGREE with f defined.
    # Kills evaluate.py:d042cd89:23:bool_and_or:0 (an exact numerator made the
    # quotient "computed exactly": the pole taken as certain, "not differentiable")
    run, row = _run(cli, "1/(1/(2 - cos(x)) - 1)", f"x={X_2_200}")
    with mpmath.workdps(400):
        x = mpmath.mpf(2) ** -200
        slope = mpmath.diff(_reciprocal_gap, x)
        assert abs(slope / mpmath.mpf(2) ** 602 - 1) < 1e-30
    assert row["differentiable"] is True and row["verdict"] == "DISAGREE", row
    assert abs(row["symbolic"] - float(slope)) <= 1e-12 * float(slope)
    assert run.code == 1


def test_atanh_of_one_over_a_rounded_denominator_has_a_value() -> None:
    # atanh(1/(2 - cos(x))) at 2**-200: 1/(1 + 2**-401) is below 1, so atanh is
    # finite, about (402*log(2) - log(1))/2 ~ 139.32 (mpmath below); 256 bits make
    # the argument exactly 1, atanh's pole. Same mutant as above, through a
    # function's pole rather than a quotient's.
    outcome = exact_value(compile_tree(parse("atanh(1/(2 - cos(x)))").tree), {"x": 2.0**-200})
    with mpmath.workdps(400):
        x = mpmath.mpf(2) ** -200
        real = mpmath.atanh(1 / (2 - mpmath.cos(x)))
    assert outcome.undefined is None
    assert abs(outcome.to_float() - float(real)) <= 1e-15 * float(real)


# ---------------------------------------------------------------- _atan2 slope rule


def test_atan2_of_two_rounded_zeros_keeps_their_rounding(cli: Cli) -> None:
    # u = cos(x) - 1 at x = 2**-200 is -2**-401 (plus 2**-805), but 256 bits
    # round cos(x) to 1 and u to 0: atan2(0, 0) is 0 and 1/0 fails. That 0 is no
    # exact 0: u's rounding (1) passes to atan2's, whose slope rule has no value
    # at the origin (a**2 + b**2 = 0), so atan2 keeps the largest met and the
    # pole is refined: at 512 bits atan2(u, u) = -3*pi/4 (u < 0), f =
    # -4/(3*pi) finite, and constant there (atan2(u, u) is -3pi/4 for every u <
    # 0): f' = 0. torch's float64 u is 0: inf, DISAGREE with f defined.
    # Kills evaluate.py:c571c1a9:14:bool_or_and:0 (0/0 as the slope: a magnitude
    # of 0, an exact 0, so "has a pole", not differentiable)
    with mpmath.workdps(400):
        u = mpmath.cos(mpmath.mpf(2) ** -200) - 1
        assert u < 0 and abs(mpmath.atan2(u, u) + 3 * mpmath.pi / 4) < mpmath.mpf(10) ** -300
    run, row = _run(cli, "1/atan2(cos(x) - 1, cos(x) - 1)", f"x={X_2_200}")
    assert row["differentiable"] is True and row["verdict"] == "DISAGREE", row
    assert row["symbolic"] == 0.0
    assert run.code == 1


# ---------------------------------------------------------------- float64 screen


def test_sinc_a_little_off_its_zero_is_trusted() -> None:
    # sinc(x) at x = 1 - 5e-6 is sin(pi*5e-6)/(pi*(1 - 5e-6)) ~ 5.0000250e-6.
    # np.sinc's error there is about 1.4e-17 (mpmath below), 2.8e-12 of the value:
    # trusted. The screen's allowance for sinc is 4*2**-53 absolute, plus one
    # rounding: 4.44e-16 + 5.6e-22 against 1e-10*5e-6 = 5e-16, below it. With
    # 5*2**-53 (5.55e-16) it would be above: sent to the exact evaluation.
    # Kills evaluate.py:62b6cd3a:7:num_inc:0 (5 * _EPSILON)
    x = 1 - 5e-6
    screened = _screen("sinc(x)", x)
    with mpmath.workdps(40):
        real = mpmath.sinc(mpmath.pi * mpmath.mpf(x))
    assert 4 * 2.0**-53 + 2.0**-53 * abs(real) < TRUSTED_ERROR * abs(real)
    assert 5 * 2.0**-53 > TRUSTED_ERROR * abs(real)
    assert abs(screened.values[0] - real) <= 1e-11 * abs(real)
    assert not screened.doubtful[0]


def test_a_cancelling_sum_after_polygamma_of_high_order_is_doubtful() -> None:
    # float64's polygamma(250, x) at x = 140.85117056856186 is -1.78453935722e-47,
    # 1.9e-13 off mpmath's (its terms go through logs past order 20). Scaled by
    # 1e47 and added to 1.784, the sum is -5.39e-4: 3,300 times below its terms,
    # so that error is 6.3e-10 of the sum, past TRUSTED_ERROR (1e-10): the
    # screen must not trust it. Its allowance of 2**-40 (9.1e-13) of polygamma's
    # size makes 3e-9 of the sum: doubtful. 20.0**-40 (9e-53) would leave a
    # few roundings of 2**-53 (1e-12 of the sum): trusted, and wrong.
    # Kills evaluate.py:a6743d5a:7:num_x10:0
    x = 140.85117056856186
    screened = _screen("1e47*polygamma(250, x) + 1.784", x)
    with mpmath.workdps(60):
        real = mpmath.mpf(10) ** 47 * mpmath.polygamma(250, mpmath.mpf(x)) + mpmath.mpf("1.784")
    assert abs(screened.values[0] - real) > TRUSTED_ERROR * abs(real)  # float64 is off
    assert bool(screened.doubtful[0])


# ---------------------------------------------------------------- _suspects


def test_a_large_step_exactly_at_its_rounding_bound_is_a_suspect() -> None:
    # A step of value 1 with a rounding scale (magnitude) of 2**208 at 256 bits:
    # 2**208 * 2**(ZERO_MARGIN - 256) = 2**0 = 1, so its value is within its
    # rounding, on the inclusive bound every such test uses (is_zero: |v| <=
    # scale). Large (|v| >= 1) and below its rounding: a pole suspect.
    # Kills evaluate.py:00dd3f7d:44:cmp_le_lt:0 (a strict bound misses it)
    one_ = gmpy2.mpfr(1)
    magnitude = gmpy2.mul_2exp(gmpy2.mpfr(1), PRECISION - ZERO_MARGIN)
    outcome = Exact(one_, None, (one_,), (magnitude,), PRECISION, one_)
    assert outcome.is_zero(0)
    assert evaluate._suspects(outcome) == [0]


# ---------------------------------------------------------------- _noise_zeros


def test_a_periodic_call_the_finer_evaluation_did_not_reach_has_not_emerged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # sin(pi*x) at x = 1 is 0; 256 bits give pi's noise, about 1e-77, below its
    # rounding (pi*x's, 3.14*2**-208): a candidate for noise. If the finer
    # evaluation fails at that very call (MPFR underflows sinc of an argument
    # near 2**(2**30) at one precision and not another: too slow to run here),
    # it has no finer value: it has not "emerged" above its rounding, and no
    # finer precision is asked for. Reading finer.values[i] one past the end
    # was an IndexError.
    # Kills evaluate.py:4d0293cf:21:cmp_lt_le:0 (i <= len(finer.values))
    program = compile_tree(parse("sin(pi*x)").tree)
    point = {"x": 1.0}
    coarse = evaluate._run_exact(program, point, PRECISION)
    last = len(program) - 1
    assert program.instructions[last].name == "sin"
    assert coarse.values[last] != 0 and coarse.is_zero(last)
    real_run = evaluate._run_exact

    def failing_at_sin(*args: Any, **kwargs: Any) -> Exact:
        finer = real_run(*args, **kwargs)
        failure = evaluate.Undefined("underflow", program.nodes[last])
        return replace(
            finer,
            value=None,
            undefined=failure,
            values=finer.values[:last],
            magnitudes=finer.magnitudes[:last],
        )

    monkeypatch.setattr(evaluate, "_run_exact", failing_at_sin)
    assert evaluate._noise_zeros(program, point, coarse, False) == (frozenset(), 0)
