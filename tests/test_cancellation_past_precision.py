"""A value left to rounding after MAX_PRECISION bits is labelled, never shown.

The exact evaluation doubles its precision while a sum cancels, up to 16,384
bits (evaluate.MAX_PRECISION). ``x*erf(x) + x`` is x*erfc(-x): at x = -110,
erfc(110) is about 1e-5257, 17,460 bits below 1, so 16,384 bits round
erf(-110) to -1 and the sum to 0. In the closed form of
``(x*erf(x) + x)*exp(x**2)``'s derivative that 0 meets exp(x**2) = 1e5254:
derivcli showed -124.1166 "(the closed form, evaluated exactly)" where the
derivative is 4.24e-7 (mpmath, 12,000 digits, below). Such a point is now
"cannot judge" (exit 3) with the sum named. Where 16,384 bits suffice (x =
-100, -106: erfc(106) is 2**-16,212) the value is shown and right, and a sum
whose rounding only leaves float64 0 either way (sin(x)**2 + cos(x)**2 at
-110: its derivative's noise is 2**-16,000-odd) stays an answer.

Oracles: mpmath at 12,000 digits (enough for erfc(110)'s 5,257 digits and
exp(12,100)'s 5,255), never derivcli's closed form.
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

F = "(x*erf(x)+x)*exp(x**2)"


def _true_derivative(x: float) -> float:
    """By hand: with g = x*erf(x) + x, d/dx g*e^(x^2) = (g' + 2*x*g)*e^(x^2), g' =
    erf(x) + 1 + 2*x*e^(-x^2)/sqrt(pi); evaluated at 12,000 digits."""
    with mpmath.workdps(12000):
        t = mpmath.mpf(x)
        g = t * mpmath.erf(t) + t
        dg = mpmath.erf(t) + 1 + 2 * t * mpmath.exp(-(t**2)) / mpmath.sqrt(mpmath.pi)
        return float((dg + 2 * t * g) * mpmath.exp(t**2))


def test_the_oracle_itself() -> None:
    """The formula by hand agrees with mpmath's own numerical derivative (at
    -110, where the terms of size 124 cancel to 4.2e-7)."""

    def f(t: Any) -> Any:
        return (t * mpmath.erf(t) + t) * mpmath.exp(t**2)

    with mpmath.workdps(12000):
        x, h = mpmath.mpf(-110), mpmath.mpf(10) ** -2000
        numeric = float((f(x + h) - f(x - h)) / (2 * h))  # error ~ h**2: none at 1e-15
    assert _true_derivative(-110.0) == pytest.approx(numeric, rel=1e-15)
    assert numeric == pytest.approx(4.2377892198939618626e-7, rel=1e-15)


def test_past_the_precision_is_labelled_not_shown(cli: Cli) -> None:
    run = cli("grad", F, "--at", "x=-110", "--timeout", "60", "-f", "json")
    assert run.code == 3, run.err
    result = one(run)
    assert result["symbolic"] is None
    assert result["verdict"] == "not computed"
    assert result["agree"] is None
    assert "x*erf(x) + x cancels past the 16,384 bits" in result["note"]
    assert "-124" not in run.out
    (line,) = run.err.strip().splitlines()
    assert line.startswith("derivcli: error: d/dx at x=-110: derivcli cannot judge this point")
    assert "past about 2**(2**30)" not in line  # not a range: a precision


def test_plain_output_says_nan_not_a_wrong_number(cli: Cli) -> None:
    run = cli("grad", F, "--at", "x=-110", "--timeout", "60", "-f", "plain")
    assert run.code == 3
    assert run.out.strip() == "nan"


@pytest.mark.parametrize("x", [-106.0])
def test_within_the_precision_the_value_is_right(cli: Cli, x: float) -> None:
    """erfc(106) is 2**-16,212: 16,384 bits keep it.
    autograd's exp(x**2) overflows (nan), so the verdict is DISAGREE (exit 1)
    with the exact value."""
    run = cli("grad", F, "--at", f"x={x:g}", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    result = one(run)
    assert result["symbolic"] == pytest.approx(_true_derivative(x), rel=1e-12)


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
    program = compile_tree(parse("(x*erf(x) + x)*exp(x**2)").tree)
    outcome = exact_value(program, {"x": -110.0})
    assert MAX_PRECISION == 16384
    assert outcome.value is None
    assert outcome.undefined is not None
    assert outcome.undefined.kind == "cancelled"
    assert to_text(outcome.undefined.node) == "x*erf(x) + x"
    assert math.isnan(outcome.to_float())
    assert outcome.undefined.describe() == (
        "x*erf(x) + x cancels past the 16,384 bits derivcli evaluates with"
    )


def test_exact_value_keeps_a_value_known_to_64_bits() -> None:
    """At -106 the sum x*erf(x) + x is 2**-16,205-odd times its terms, inside
    16,384 bits: the value is kept (mpmath's value to 1e-15)."""
    program = compile_tree(parse("(x*erf(x) + x)*exp(x**2)").tree)
    outcome = exact_value(program, {"x": -106.0})
    with mpmath.workdps(12000):
        x = mpmath.mpf(-106)
        true = float((x * mpmath.erf(x) + x) * mpmath.exp(x**2))
    assert outcome.value is not None
    assert float(outcome.value) == pytest.approx(true, rel=1e-15)


def test_a_constant_factor_that_cancels_is_labelled(cli: Cli) -> None:
    """(-110*erf(-110) - 110)*exp(12100) is -110*erfc(110)*exp(12100), about
    -1/sqrt(pi) = -0.564 (erfc(z)*exp(z**2) ~ 1/(z*sqrt(pi))); derivcli showed 0
    "evaluated exactly" (erf(-110) is -1 at 16,384 bits)."""
    with mpmath.workdps(12000):
        z = mpmath.mpf(110)
        true = float(-z * mpmath.erfc(z) * mpmath.exp(z**2))
    assert true == pytest.approx(-1 / math.sqrt(math.pi), rel=1e-4)
    run = cli("grad", "(-110*erf(-110)-110)*exp(12100)*x", "--at", "x=1", "--timeout", "60")
    assert run.code == 3
    assert "-110*erf(-110) - 110 cancels past the 16,384 bits" in run.err


def test_a_constant_part_that_cancels_is_refused_as_a_limit(cli: Cli) -> None:
    """A constant part is evaluated once, before differentiating; log(C + 1) with
    C = (-110*erf(-110) - 110)*exp(12100), about -0.564 (above), is log(0.436),
    a finite number, so "not a finite real number" (what a lost C read as) would
    be false: derivcli says it cannot evaluate it and why (exit 2, a limit)."""
    f = "log((-110*erf(-110)-110)*exp(12100) + 1)*x"
    run = cli("grad", f, "--at", "x=1", "--timeout", "60")
    assert run.code == 2
    assert run.out == ""
    (line,) = run.err.strip().splitlines()
    assert "at column 1 cannot be evaluated" in line
    assert "-110*erf(-110) - 110 cancels past the 16,384 bits" in line
    assert "not a finite real number" not in line


def test_plot_says_not_evaluated_not_undefined(cli: Cli) -> None:
    """f = (x*erf(x) + x)*exp(x**2) is x*erfc(-x)*exp(x**2), about -1/sqrt(pi)
    (-0.5642) far left, defined everywhere. At -110 and -108 its sum cancels
    past 16,384 bits (erfc(108) is about 2**-16,830): such points are "not
    evaluated" (exit 3), not "f undefined" (which plot said) nor past float64;
    at -106 f and f' are shown and right (mpmath, by hand as above)."""
    run = cli("plot", F, "--range", "-110:-106", "--points", "3", "--timeout", "60", "-f", "json")
    assert run.code == 3
    data = run.json()
    assert data["undefined"] == []
    assert data["f_not_evaluated"] == [-110.0, -108.0]
    assert "x*erf(x) + x cancels past the 16,384 bits" in data["summary"]
    assert "beyond float64" not in data["summary"]
    for x, f, d in zip(data["x"], data["f"], data["symbolic"], strict=True):
        if x >= -106:
            with mpmath.workdps(60):
                t = mpmath.mpf(x)
                true_f = float(t * mpmath.erfc(-t) * mpmath.exp(t**2))
            assert f == pytest.approx(true_f, rel=1e-14)
            assert d == pytest.approx(_true_derivative(x), rel=1e-12)
        else:
            assert f == "nan" and d == "nan"
    (line,) = run.err.strip().splitlines()
    assert line.startswith("derivcli: error: f or its derivative not evaluated at 2 points")


def test_plot_says_not_evaluated_where_only_the_derivative_cancels(cli: Cli) -> None:
    """Between -106.2 and -106 f's own sum still has enough of its 16,384 bits
    but the derivative's closed form (whose value, 4.7e-7, is 2**-23 of f's)
    cancels further: such a point shows f, right, and lists the point as not
    evaluated (the result's `lost` reason), never as undefined or as a
    number. Every point is either right (mpmath, as above) or listed."""
    run = cli("plot", F, "--range", "-106.4:-106", "--points", "5", "--timeout", "60", "-f", "json")
    data = run.json()
    assert data["undefined"] == []
    listed = set(data["f_not_evaluated"])
    only_derivative = [
        x
        for x, f, d in zip(data["x"], data["f"], data["symbolic"], strict=True)
        if f != "nan" and d == "nan"
    ]
    assert only_derivative, "no point where f is shown but its derivative is not"
    for x, f, d in zip(data["x"], data["f"], data["symbolic"], strict=True):
        if d == "nan":
            assert x in listed
        else:
            assert x not in listed
            assert d == pytest.approx(_true_derivative(x), rel=1e-12)
        if f != "nan":
            with mpmath.workdps(60):
                t = mpmath.mpf(x)
                true_f = float(t * mpmath.erfc(-t) * mpmath.exp(t**2))
            assert f == pytest.approx(true_f, rel=1e-14)
    assert run.code == 3
    (line,) = run.err.strip().splitlines()
    assert (
        "x*erf(x) + x cancels past the 16,384 bits" in line
        or "cancels past the 16,384 bits" in line
    )
