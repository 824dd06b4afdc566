"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 35, part b): _outside_domain, which tells the long-grid screen (_Screen)
where f is certainly undefined in float64.

Pinned here, each by a fact worked out by hand (never derivcli's own output
recorded as the expectation):

- an argument whose interval (its value +- twice its error + OUTSIDE_RTOL of
  the largest magnitude met) reaches a domain end *exactly* is not past it:
  log's lower end 0, asin's upper end 1, a power's negative base at 0, and a
  fractional exponent whose distance to a whole number equals its margin;
- OUTSIDE_RTOL is a share *of* the largest magnitude met (times it, not
  divided by it);
- a value of exactly FLOAT32_MAX on the way is no overflow (float32 holds it);
- an exponent whose float64 value misses a whole number by a rounding (0.28*25
  is 7.000000000000001 in float64, 7 exactly) is no fractional exponent:
  (x - 1)**(0.28*25) is (x - 1)**7, defined at every x < 1, and its
  derivative 7*(x - 1)**6 is what a long grid shows there;
- _Screen takes f's value from float64 only where f has one there (past
  709.78, exp(x)/exp(x - 1) is inf/inf in float64 and e exactly), and, a fix
  made here, only where float64 kept enough of its bits: (1 - cos(x))/x**2 at
  x ~ 1e-8 is 0.5, where float64's is 0 or 0.49 (a long plot showed 0.0 at
  1,074 of 20,001 points).

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
from conftest import Cli

from derivcli.language.evaluate import (
    FLOAT32_MAX,
    Float64Values,
    Program,
    compile_tree,
    float64_values,
)
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import OUTSIDE_RTOL, _outside_domain


def _fake(
    program_text: str, values: list[list[float]], errors: list[list[float]]
) -> tuple[Program, Float64Values]:
    """A program and a Float64Values with the given per-instruction values and
    estimated errors (one list per instruction, one entry per point)."""
    program = compile_tree(parse(program_text).tree)
    assert len(values) == len(program.instructions) == len(errors)
    node_values = tuple(np.array(v, dtype=np.float64) for v in values)
    node_errors = tuple(np.array(e, dtype=np.float64) for e in errors)
    last = node_values[-1]
    outcome = Float64Values(
        values=last,
        undefined=~np.isfinite(last),
        doubtful=np.zeros(last.shape, dtype=bool),
        node_values=node_values,
        node_errors=node_errors,
    )
    return program, outcome


def _found(program_text: str, values: list[list[float]], errors: list[list[float]]) -> list[int]:
    program, outcome = _fake(program_text, values, errors)
    with np.errstate(all="ignore"):
        return list(_outside_domain(np, program, outcome).tolist())


def test_the_share_is_2_to_the_minus_30() -> None:
    assert OUTSIDE_RTOL == 2.0**-30


# ---------------------------------------------------------------- an interval reaching an end


def test_an_argument_reaching_log_s_lower_end_exactly_is_not_past_it() -> None:
    # log(x) at x = -1 (the largest magnitude met: 1) with an error e: its
    # margin is 2*e + 2**-30. With e = 1/2 - 2**-31 the margin is exactly 1
    # (1 - 2**-30 + 2**-30, every step exact in float64), so x may be 0, the
    # end itself: not certainly past it, -1. With e = 1/2 - 2**-30 the margin
    # is 1 - 2**-30 and x is at most -2**-30: past, instruction 1.
    # Kills analysis.py:c1e1a535:16:cmp_lt_le:0 (``a + off <= low``: the
    # first point called past the end)
    e_end, e_past = 0.5 - 2.0**-31, 0.5 - 2.0**-30
    assert 2 * e_end + OUTSIDE_RTOL == 1.0
    found = _found("log(x)", [[-1.0, -1.0], [math.nan] * 2], [[e_end, e_past], [0.0] * 2])
    assert found == [-1, 1]


def test_an_argument_reaching_asin_s_upper_end_exactly_is_not_past_it() -> None:
    # asin(x) at x = 2 (largest magnitude 2) with an error e: the margin is
    # 2*e + 2*2**-30. With e = 1/2 - 2**-30 it is exactly 1, so x may be 1,
    # the end itself: not past, -1. With e = 1/2 - 2**-29 x is at least
    # 1 + 2**-29: past. Kills analysis.py:c1e1a535:34:cmp_gt_ge:0
    # (``a - off >= high``)
    e_end, e_past = 0.5 - 2.0**-30, 0.5 - 2.0**-29
    assert 2 * e_end + OUTSIDE_RTOL * 2 == 1.0
    found = _found("asin(x)", [[2.0, 2.0], [math.nan] * 2], [[e_end, e_past], [0.0] * 2])
    assert found == [-1, 1]


def test_a_base_that_may_be_0_is_not_certainly_negative() -> None:
    # (x - 1)**y at x = 0, y = 1/2: the base -1 (largest magnitude met: 1,
    # the constant) with an error e has the margin 2*e + 2**-30; with
    # e = 1/2 - 2**-31 that is exactly 1, so the base may be 0, and 0**(1/2)
    # is 0: not certainly undefined, -1. With e = 1/2 - 2**-30 the base is
    # at most -2**-30: undefined, instruction 4 (the power).
    # Kills analysis.py:8e19b524:25:cmp_lt_le:0 (``a + margin(base) <= 0``)
    e_end, e_past = 0.5 - 2.0**-31, 0.5 - 2.0**-30
    values = [[0.0, 0.0], [1.0, 1.0], [-1.0, -1.0], [0.5, 0.5], [math.nan] * 2]
    errors = [[0.0] * 2, [0.0] * 2, [e_end, e_past], [0.0] * 2, [0.0] * 2]
    assert _found("(x - 1)**y", values, errors) == [-1, 4]


def test_an_exponent_that_may_be_whole_is_not_certainly_fractional() -> None:
    # (x - 1)**y at x = 0 (base -1, certainly negative: its margin is 2**-30)
    # and y = 1/2 with an error e: y's margin is 2*e + 2**-30/2 (y's own
    # magnitude); with e = 1/4 - 2**-32 that is exactly 1/2, y's distance to
    # the whole numbers 0 and 1, so y may be whole and (-1)**y defined: -1.
    # With e = 1/4 - 2**-31 y is certainly fractional: instruction 4.
    # Kills analysis.py:8e19b524:57:cmp_gt_ge:0 (``>= margin(exponent)``)
    e_end, e_past = 0.25 - 2.0**-32, 0.25 - 2.0**-31
    assert 2 * e_end + OUTSIDE_RTOL * 0.5 == 0.5
    values = [[0.0, 0.0], [1.0, 1.0], [-1.0, -1.0], [0.5, 0.5], [math.nan] * 2]
    errors = [[0.0] * 2, [0.0] * 2, [0.0] * 2, [e_end, e_past], [0.0] * 2]
    assert _found("(x - 1)**y", values, errors) == [-1, 4]


# ---------------------------------------------------------------- the share of the magnitude


def test_the_share_is_of_the_largest_magnitude_not_over_it() -> None:
    # log(x - 4) at x = 4 - d: the argument -d comes from magnitudes up to 4,
    # so its margin (no error estimated) is 4*2**-30 = 2**-28. d = 2**-29 is
    # within it: left to the exact evaluation, -1; d = 2**-27 is past it:
    # instruction 3. Kills analysis.py:401c0f9b:36:arith_mul_div:0
    # (``OUTSIDE_RTOL / scales[i]``: a margin of 2**-32, and d = 2**-29 past it)
    d_in, d_out = 2.0**-29, 2.0**-27
    values = [[4 - d_in, 4 - d_out], [4.0, 4.0], [-d_in, -d_out], [math.nan] * 2]
    assert 4 - d_in - 4 == -d_in and 4 - d_out - 4 == -d_out  # exact in float64
    assert _found("log(x - 4)", values, [[0.0] * 2] * 4) == [-1, 3]


# ---------------------------------------------------------------- float32's largest value


def test_a_value_of_exactly_float32_max_on_the_way_is_no_overflow() -> None:
    # y + log(x) at x = -1: log(-1) has no value, and y = FLOAT32_MAX (float32's
    # largest finite number, 2**128 - 2**104) is no overflow of float32, so the
    # point is certainly undefined: instruction 2. One float64 step above it,
    # y is past float32's range (a note would name its overflow): -1.
    # Kills analysis.py:eafc7b91:23:cmp_gt_ge:0 (``>= FLOAT32_MAX``)
    assert FLOAT32_MAX == 2.0**128 - 2.0**104
    above = math.nextafter(FLOAT32_MAX, math.inf)
    values = [[FLOAT32_MAX, above], [-1.0, -1.0], [math.nan] * 2, [math.nan] * 2]
    assert _found("y + log(x)", values, [[0.0] * 2] * 4) == [2, -1]


# ---------------------------------------------------------------- an exponent near a whole number


def test_an_exponent_rounded_off_a_whole_number_is_not_fractional() -> None:
    # 0.28*25 is 7 exactly (derivcli's decimals are exact), but
    # 7.000000000000001 in float64, so (x - 1)**(0.28*25) has no float64 value
    # at x < 1, though it is (x - 1)**7 there. The exponent's distance to 7
    # (8.9e-16) is within its margin (2**-30 of 7 at least): nothing is
    # certainly undefined. Kills analysis.py:8e19b524:42:arith_sub_add:0
    # (``abs(b + round(b))``: 14, past the margin, and every point called
    # undefined)
    assert Fraction("0.28") * 25 == 7
    assert 0.28 * 25 == 7.000000000000001
    program = compile_tree(parse("(x - 1)**(0.28*25)").tree)
    with np.errstate(all="ignore"):
        outcome = float64_values(program, {"x": np.array([0.0, 0.5, -3.0])}, 3)
        assert np.isnan(outcome.values).all()
        assert _outside_domain(np, program, outcome).tolist() == [-1, -1, -1]


def test_a_grid_of_a_power_rounded_off_a_whole_number_shows_its_derivative(cli: Cli) -> None:
    # as above, on a grid long enough for the float64 screen (lgamma's exact
    # cost makes 1,801 points enough): f = (x - 1)**7 + lgamma(x + 3) on
    # [0, 1/2], f' = 7*(x - 1)**6 + digamma(x + 3) by hand (mpmath for
    # digamma), differentiable at every point; autograd's float64 pass gives
    # nan there (a DISAGREE), and f is not undefined. Kills
    # analysis.py:8e19b524:42:arith_sub_add:0 (every point "not
    # differentiable", (x - 1)**(0.28*25) called outside the real domain)
    run = cli(
        "partial", "(x - 1)**(0.28*25) + lgamma(x + 3)", "--wrt", "x", "--at", "x=0:0.5:1801",
        "-f", "json", "--timeout", "60",
    )  # fmt: skip
    assert run.err == "", run.err
    results = run.json()["results"]
    assert len(results) == 1801
    for r in results[::90]:
        x = r["point"]["x"]
        assert r["differentiable"] is True, r
        assert "outside the real domain" not in r["note"]
        with mpmath.workdps(40):
            t = mpmath.mpf(x)
            truth = float(7 * (t - 1) ** 6 + mpmath.digamma(t + 3))
        assert math.isclose(r["symbolic"], truth, rel_tol=1e-12), (x, r["symbolic"], truth)


# ---------------------------------------------------------------- _Screen: f's own values


def test_a_long_plot_shows_f_where_float64_overflows_to_nan(cli: Cli) -> None:
    # exp(x)/exp(x - 1) is e at every x (exp(x - 1) = exp(x)/e), but past
    # x = 709.78 float64's exp overflows: inf/inf = nan. No domain end is
    # crossed, so the screen must not take that nan for "f is certainly
    # undefined": f's value there is the exact one, e (within the screen's
    # float64 accuracy elsewhere), and no point is undefined. 5,001 points:
    # long enough for the float64 screen. Kills
    # analysis.py:76180c08:57:num_dec:0 (``>= -1``: every point taken for
    # certainly undefined, float64's nan shown as f past 709.78)
    run = cli(
        "plot", "exp(x)/exp(x - 1)", "--range", "700:800", "--points", "5001", "-f", "json",
        "--timeout", "60",
    )  # fmt: skip
    assert run.err == "", run.err
    doc = run.json()
    assert len(doc["f"]) == 5001
    assert sum(x > 709.79 for x in doc["x"]) > 4000  # past float64's exp
    assert all(math.isclose(v, math.e, rel_tol=1e-14) for v in doc["f"])
    assert doc["undefined"] == []


def test_a_long_plot_shows_f_exactly_where_float64_cancels(cli: Cli) -> None:
    # (1 - cos(x))/x**2 = 1/2 - x**2/24 + ... is within 2e-17 of 1/2 for
    # x <= 2e-8, so 0.5 rounded once; float64's 1 - cos(x) keeps no digit of
    # it there (0, or 1.1e-16: f = 0, 0.49, 0.99...). On a grid long enough
    # for the float64 screen, f's values must still be the exact ones: the
    # screen sends f's doubtful values to the exact evaluation, as it does
    # the derivative's (stop 34's screen showed 0.0 at 1,074 of 20,001 points)
    run = cli(
        "plot", "(1 - cos(x))/x**2", "--range", "1e-8:2e-8", "--points", "5001", "-f", "json",
        "--timeout", "60",
    )  # fmt: skip
    assert run.err == "", run.err
    doc = run.json()
    assert len(doc["f"]) == 5001
    assert doc["f"] == [0.5] * 5001
