"""A value left to rounding after MAX_PRECISION bits is labelled, never shown.

The exact evaluation doubles its precision while a sum cancels, up to 16,384
bits (evaluate.MAX_PRECISION). ``x*tanh(x) + x`` is x*(1 + tanh(x)) =
2x/(1 + e**(-2x)): at x = -6000, 1 + tanh(x) is about 2e**-12000, 17,311 bits
below 1, so 16,384 bits round tanh(-6000) to -1 and the sum to 0. In
``(x*tanh(x) + x)*exp(-2*x)`` (which is 2x/(e**(2x) + 1), about 2x there) that
0 meets exp(12000) = 1e5211; such a point is "cannot judge" (exit 3) with the
sum named, never a number. Where 16,384 bits suffice (x = -5600: 2**-16,157)
the value is shown and right, and a sum whose rounding only leaves float64 0
either way (sin(x)**2 + cos(x)**2 at -110: its derivative's noise is
2**-16,000-odd) stays an answer.

The erf family that first showed this, ``(x*erf(x) + x)*exp(x**2)`` at -110
(derivcli showed -124.1 "(the closed form, evaluated exactly)" where the
derivative is 4.24e-7), is now evaluated as x*erfc(-x)*exp(x**2), with no
cancellation at all: tests/test_erf_multiple_as_erfc.py. Its figures stay
here as the oracle's check and as the right values the rewrite gives.

Oracles: cancellation-free formulas by hand (2x/(e**(2x) + 1) and its
derivative) in mpmath, and mpmath at 12,000 digits for the erf family, never
derivcli's closed form.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
import pytest
from conftest import Cli, one

from derivcli.language.evaluate import MAX_PRECISION, compile_tree, exact_value
from derivcli.language.parser import parse
from derivcli.language.printer import to_text

G = "(x*tanh(x)+x)*exp(-2*x)"
NOT_EVALUATED = "f or its derivative not evaluated"


def _true_g(x: float) -> float:
    """G = x*(1 + tanh(x))*e**(-2x) = 2x/(e**(2x) + 1), by hand (1 + tanh(x) =
    2/(1 + e**(-2x))): no cancellation, so 50 digits are plenty."""
    with mpmath.workdps(50):
        t = mpmath.mpf(x)
        return float(2 * t / (mpmath.exp(2 * t) + 1))


def _true_g_derivative(x: float) -> float:
    """d/dx 2x/(e**(2x) + 1) = 2/(e**(2x) + 1) - 4x*e**(2x)/(e**(2x) + 1)**2."""
    with mpmath.workdps(50):
        t = mpmath.mpf(x)
        e = mpmath.exp(2 * t)
        return float(2 / (e + 1) - 4 * t * e / (e + 1) ** 2)


def test_the_oracle_by_hand_matches_mpmath_as_written() -> None:
    """G's formula by hand against G as written, at 20,000 digits (where 1 +
    tanh(-6000) keeps its value): they agree, and the derivative by hand
    against a central difference of G as written."""

    def g(t: Any) -> Any:
        return (t * mpmath.tanh(t) + t) * mpmath.exp(-2 * t)

    with mpmath.workdps(20000):
        x, h = mpmath.mpf(-6000), mpmath.mpf(10) ** -3000
        assert float(g(x)) == pytest.approx(_true_g(-6000.0), rel=1e-15)
        numeric = float((g(x + h) - g(x - h)) / (2 * h))
    assert numeric == pytest.approx(_true_g_derivative(-6000.0), rel=1e-15)
    assert numeric == pytest.approx(2.0, rel=1e-15)


def test_past_the_precision_is_labelled_not_shown(cli: Cli) -> None:
    run = cli("grad", G, "--at", "x=-6000", "--timeout", "60", "-f", "json")
    assert run.code == 3, run.err
    result = one(run)
    assert result["symbolic"] is None
    assert result["verdict"] == "not computed"
    assert result["agree"] is None
    assert "x*tanh(x) + x cancels past the 16,384 bits" in result["note"]
    (line,) = run.err.strip().splitlines()
    assert line.startswith("derivcli: error: d/dx at x=-6000: derivcli cannot judge this point")
    assert "past about 2**(2**30)" not in line  # not a range: a precision


def test_plain_output_says_nan_not_a_wrong_number(cli: Cli) -> None:
    run = cli("grad", G, "--at", "x=-6000", "--timeout", "60", "-f", "plain")
    assert run.code == 3
    assert run.out.strip() == "nan"


def test_within_the_precision_the_value_is_right(cli: Cli) -> None:
    """1 + tanh(-5600) is 2**-16,157: 16,384 bits keep it. autograd's
    exp(-2*x) overflows (nan), so the verdict is DISAGREE (exit 1) with the
    exact value, 2 (by hand, above)."""
    run = cli("grad", G, "--at", "x=-5600", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    result = one(run)
    assert result["symbolic"] == pytest.approx(_true_g_derivative(-5600.0), rel=1e-12)


def test_noise_that_is_float64_zero_either_way_stays_an_answer(cli: Cli) -> None:
    """d/dx (sin(x)**2 + cos(x)**2) is 0 for every x; at -110 its closed form's
    terms (2*sin*cos - 2*cos*sin) cancel, and what rounding leaves is far below
    float64's smallest number: 0 is right whatever the rounding was."""
    run = cli("grad", "sin(x)**2+cos(x)**2", "--at", "x=-110", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.err
    assert one(run)["symbolic"] == 0.0


def test_noise_times_a_huge_factor_is_labelled(cli: Cli) -> None:
    """(sin(x)**2 + cos(x)**2 - 1)*exp(x**2) is 0 for every x, but evaluated as
    written its first factor is rounding, at best 2**-16,384 of its terms, and
    exp(12,100) is 2**17,456: what the closed form gives is rounding times
    2**1,000-odd, so derivcli cannot say it is 0."""
    run = cli("grad", "(sin(x)**2+cos(x)**2-1)*exp(x**2)", "--at", "x=-110", "--timeout", "60")
    assert run.code == 3
    assert "cancels past the 16,384 bits" in run.err


def test_exact_value_names_the_sum_that_cancelled() -> None:
    program = compile_tree(parse(G).tree)
    outcome = exact_value(program, {"x": -6000.0})
    assert MAX_PRECISION == 16384
    assert outcome.value is None
    assert outcome.undefined is not None
    assert outcome.undefined.kind == "cancelled"
    assert to_text(outcome.undefined.node) == "x*tanh(x) + x"
    assert math.isnan(outcome.to_float())
    assert outcome.undefined.describe() == (
        "x*tanh(x) + x cancels past the 16,384 bits derivcli evaluates with"
    )


@pytest.mark.parametrize("x", [-5600.0, -3000.0])
def test_exact_value_keeps_a_value_known_to_64_bits(x: float) -> None:
    """At -5600 the sum x*tanh(x) + x is 2**-16,157-odd of its terms, inside
    16,384 bits: the value is kept (the formula by hand, to 1e-15)."""
    outcome = exact_value(compile_tree(parse(G).tree), {"x": x})
    assert outcome.value is not None
    assert float(outcome.value) == pytest.approx(_true_g(x), rel=1e-15)


def test_a_constant_factor_that_cancels_is_labelled(cli: Cli) -> None:
    """(-6000*tanh(-6000) - 6000)*exp(12000) is -6000*(1 + tanh(-6000))*e**12000
    = -12000/(1 + e**-12000), about -12000 (by hand); at 16,384 bits its sum
    rounds to 0, so it is labelled, never shown as 0."""
    run = cli("grad", "(-6000*tanh(-6000)-6000)*exp(12000)*x", "--at", "x=1", "--timeout", "60")
    assert run.code == 3
    assert "-6000*tanh(-6000) - 6000 cancels past the 16,384 bits" in run.err


def test_a_constant_part_that_cancels_is_refused_as_a_limit(cli: Cli) -> None:
    """A constant part is evaluated once, before differentiating; log(C + 1) with
    C = (-6000*tanh(-6000) - 6000)*exp(12000)/24000, about -1/2 (above), is
    log(1/2), a finite number, so "not a finite real number" (what a lost C
    read as) would be false: derivcli says it cannot evaluate it and why (exit
    2, a limit)."""
    f = "log((-6000*tanh(-6000)-6000)*exp(12000)/24000 + 1)*x"
    run = cli("grad", f, "--at", "x=1", "--timeout", "60")
    assert run.code == 2
    assert run.out == ""
    (line,) = run.err.strip().splitlines()
    assert "at column 1 cannot be evaluated" in line
    assert "-6000*tanh(-6000) - 6000 cancels past the 16,384 bits" in line
    assert "not a finite real number" not in line


def test_plot_says_not_evaluated_not_undefined(cli: Cli) -> None:
    """G is defined everywhere. At -6000 its sum cancels past 16,384 bits: the
    point is "not evaluated" (exit 3), not "f undefined" nor past float64; at
    -5500 and -5000 f and f' are shown and right (by hand, above)."""
    run = cli("plot", G, "--range", "-6000:-5000", "--points", "3", "--timeout", "60", "-f", "json")
    assert run.code == 3
    data = run.json()
    assert data["undefined"] == []
    assert data["f_not_evaluated"] == [-6000.0]
    assert "x*tanh(x) + x cancels past the 16,384 bits" in data["summary"]
    assert "beyond float64" not in data["summary"]
    for x, f, d in zip(data["x"], data["f"], data["symbolic"], strict=True):
        if x > -6000:
            assert f == pytest.approx(_true_g(x), rel=1e-14)
            assert d == pytest.approx(_true_g_derivative(x), rel=1e-12)
        else:
            assert f == "nan" and d == "nan"
    lines = run.err.strip().splitlines()
    assert any(
        line.startswith("derivcli: error: f or its derivative not evaluated") for line in lines
    )


def test_plot_says_not_evaluated_where_only_the_derivative_cancels(cli: Cli) -> None:
    """Between -5652 and -5644 f's own sum still has enough of its 16,384 bits
    at some points where the derivative's closed form (with 1 - tanh(x)**2 and
    a sum of those) cancels further: such a point shows f, right, and lists the
    point as not evaluated (the result's `lost` reason), never as undefined or
    as a number. Every point is either right (by hand, above) or listed."""
    run = cli("plot", G, "--range", "-5652:-5644", "--points", "5", "--timeout", "60", "-f", "json")
    data = run.json()
    assert data["undefined"] == []
    listed = set(data["f_not_evaluated"])
    rows = list(zip(data["x"], data["f"], data["symbolic"], strict=True))
    assert any(f != "nan" and d == "nan" for _, f, d in rows), "no point with only f shown"
    for x, f, d in rows:
        if d == "nan":
            assert x in listed
        else:
            assert x not in listed
            assert d == pytest.approx(_true_g_derivative(x), rel=1e-12)
        if f != "nan":
            assert f == pytest.approx(_true_g(x), rel=1e-14)
    assert run.code == 3
    lines = run.err.strip().splitlines()
    assert any(
        line.startswith("derivcli: error: f or its derivative not evaluated") for line in lines
    )
    assert "cancels past the 16,384 bits" in run.err
