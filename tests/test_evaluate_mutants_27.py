"""The erfc rewrite of evaluate.py pinned by the values it gives.

A sum of 1 (or -1, written ``-1`` or ``-(1)``) and erf(z) (or -erf(z)), on
either side of ``+`` or ``-``, is compiled as erfc(z) or erfc(-z), negated
where the sum is negative (_erf_complement): the same number without the
cancellation. Each form is checked here by its value where the complement is
tiny (x = +-3, +-6, +-26, +-30) and where it is not (0.5), directly in
evaluate.py and through the CLI (grad's closed-form values, plot's f), and
the compiled program is checked to leave out the erf call it no longer reads.

The oracles are mpmath: the sum itself at 1,000 digits (erf(30) is
1 - 2.6e-393, so 1 - erf(30) keeps about 600 digits), or erfc at 50 digits
where the identity 1 - erf(w) = erfc(w) = 2 - erfc(-w) is written out by hand;
never derivcli's own output.
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import pytest
from conftest import Cli

from derivcli.language.evaluate import CALL, compile_tree, exact_value, float64_values
from derivcli.language.parser import parse
from derivcli.language.printer import to_text

mp = mpmath.mpf

# ---------------------------------------------------------------- the forms

# (text, unit, erf's sign): the text is unit + sign*erf(x)
UNIT_LEFT = [
    (f"{unit_text} {op} {erf_text}", unit, (1 if op == "+" else -1) * erf_sign)
    for unit_text, unit in (("1", 1), ("-1", -1), ("-(1)", -1), ("(-1)", -1))
    for op in ("+", "-")
    for erf_text, erf_sign in (("erf(x)", 1), ("-erf(x)", -1))
]
UNIT_RIGHT = [
    (f"{erf_text} {op} {unit_text}", (1 if op == "+" else -1) * unit, erf_sign)
    for erf_text, erf_sign in (("erf(x)", 1), ("-erf(x)", -1))
    for op in ("+", "-")
    for unit_text, unit in (("1", 1), ("-1", -1), ("-(1)", -1))
]
FORMS = UNIT_LEFT + UNIT_RIGHT
POINTS = [-30.0, -6.0, -3.0, 0.5, 3.0, 6.0, 30.0]


def _mp(value: Any) -> Any:
    """An mpfr as an mpmath number, exactly."""
    mantissa, exponent = value.as_mantissa_exp()
    return mp(int(mantissa)) * mp(2) ** int(exponent)


def _sum(unit: int, sign: int, x: float) -> Any:
    """unit + sign*erf(x) computed as written, at 1,000 digits (no erfc)."""
    return unit + sign * mpmath.erf(mp(x))


@pytest.mark.parametrize(("text", "unit", "sign"), FORMS)
def test_each_erf_complement_form_has_its_own_value(text: str, unit: int, sign: int) -> None:
    """Every way of writing +-1 +- erf(x) is the sum it says, to 200 bits, at
    points where the sum is as small as 1e-393 (1 - erf(30), mpmath at 1,000
    digits) and where it is near 2 or near 1. A rewrite that takes 1 - erf for
    1 + erf, or forgets the minus of -erfc, is off by a factor of 1e393."""
    program = compile_tree(parse(text).tree)
    with mpmath.workdps(1000):
        for x in POINTS:
            truth = _sum(unit, sign, x)
            outcome = exact_value(program, {"x": x})
            assert outcome.defined, (text, x)
            assert abs(_mp(outcome.value) - truth) <= abs(truth) * mp(2) ** -200, (text, x)


@pytest.mark.parametrize(("text", "unit", "sign"), FORMS)
def test_each_erf_complement_form_in_float64(text: str, unit: int, sign: int) -> None:
    """The float64 screen runs the same program: every form is its sum to 1e-13
    (relative, mpmath at 1,000 digits) at points from -26 to 26, where the
    smallest sum, 1 - erf(26) = 5.7e-296 (mpmath), is still a float64."""
    program = compile_tree(parse(text).tree)
    xs = [-26.0, -6.0, -3.0, 0.5, 3.0, 6.0, 26.0]
    screened = float64_values(program, {"x": np.array(xs)}, len(xs))
    with mpmath.workdps(1000):
        for x, value in zip(xs, screened.values, strict=True):
            truth = _sum(unit, sign, x)
            assert abs(mp(float(value)) - truth) <= abs(truth) * mp(10) ** -13, (text, x)


# ---------------------------------------------------------------- the program


def _calls(text: str) -> list[str]:
    program = compile_tree(parse(text).tree)
    return [ins.name for ins in program.instructions if ins.kind == CALL]


def test_an_erf_read_only_as_its_complement_is_left_out() -> None:
    """1 - erf(x) and the like read erf(x) only through erfc: the program has
    erfc and no erf (MPFR's erf at -137 with 16,384 bits took 0.2 s, for
    nothing). An erf also read elsewhere (erf(x)*(1 - erf(x))) stays, once."""
    for text in ("1 - erf(x)", "-erf(x) - 1", "-(1) + -erf(x)", "x*(erf(x) + 1)"):
        assert _calls(text) == ["erfc"], text
    assert sorted(_calls("erf(x)*(1 - erf(x))")) == ["erf", "erfc"]


# ---------------------------------------------------------------- through the CLI


def _erfc_sum(unit: int, sign: int, x: Any) -> Any:
    """unit + sign*erf(x) through erfc, by hand: 1 - erf(x) = erfc(x),
    1 + erf(x) = erfc(-x), and -1 -+ erf(x) is minus those."""
    complement = mpmath.erfc(x if unit * sign < 0 else -x)
    return complement if unit > 0 else -complement


@pytest.mark.parametrize(
    ("text", "unit", "sign"),
    [
        ("x*(1-erf(x))", 1, -1),
        ("x*(erf(x)-1)", -1, 1),
        ("x*(-erf(x)-1)", -1, -1),
        ("x*(1+erf(x))", 1, 1),
    ],
)
def test_grad_of_x_times_an_erf_complement_is_its_value(
    cli: Cli, text: str, unit: int, sign: int
) -> None:
    """d/dx x*(unit + sign*erf(x)) = unit + sign*erf(x) + sign*2*x*exp(-x**2)/sqrt(pi)
    (by hand), which symengine writes as erf(x) - 1 + ..., -erf(x) + 1 + ... and
    the like: the closed form's value is that, correctly rounded (mpmath, 50
    digits), at points where the complement is 2e-5 (x = +-3) or 5.7e-296
    (x = +-26) and where it is not small (0.5)."""
    xs = [-26.0, -3.0, 0.5, 3.0, 26.0]
    run = cli(
        "grad",
        text,
        *[a for x in xs for a in ("--at", f"x={x}")],
        "--timeout",
        "60",
        "--format",
        "json",
    )
    assert run.code == 0, run.err
    results = run.json()["results"]
    assert [r["point"]["x"] for r in results] == xs
    with mpmath.workdps(50):
        for x, result in zip(xs, results, strict=True):
            w = mp(x)
            truth = _erfc_sum(unit, sign, w) + sign * 2 * w * mpmath.exp(-w * w) / mpmath.sqrt(
                mpmath.pi
            )
            assert result["verdict"] == "agree", result
            assert abs(mp(result["symbolic"]) - truth) <= abs(truth) * mp(2) ** -52, (x, result)


@pytest.mark.parametrize(
    ("text", "unit", "sign"),
    [("1 - erf(x)", 1, -1), ("-(1) - erf(x)", -1, -1)],
)
def test_plot_shows_f_of_an_erf_complement_form(cli: Cli, text: str, unit: int, sign: int) -> None:
    """plot's f of unit + sign*erf(x) at x = -6, -3, 0, 3, 6 is the complement
    (see _erfc_sum), to 1e-13 (mpmath, 50 digits): 1 - erf(6) = erfc(6) =
    2.2e-17 and -(1) - erf(-6) = -erfc(6), where a complement taken on the
    wrong side, or without its sign, is near 2 or -2."""
    run = cli(
        "plot", text, "--range", "-6:6", "--points", "5", "--timeout", "60", "--format", "json"
    )
    assert run.code == 0, run.err
    document = run.json()
    assert document["x"] == [-6.0, -3.0, 0.0, 3.0, 6.0]
    with mpmath.workdps(50):
        for x, value in zip(document["x"], document["f"], strict=True):
            w = mp(x)
            truth = _erfc_sum(unit, sign, w)
            assert abs(mp(value) - truth) <= abs(truth) * mp(10) ** -13, (x, value)


# ---------------------------------------------------------------- refine=False


def test_an_unrefined_evaluation_takes_only_the_bits_a_periodic_argument_needs() -> None:
    """sinc(x + 0.5) at x = 1e300 without refinement: x + 0.5 needs about 1,000
    bits to keep its 0.5 and 192 more below its units digit, so the evaluation
    is done again at that precision (1,189 bits), not at the most derivcli ever
    takes (16,384). The float 1e300 is a multiple of its ulp, 2**944, so an
    even whole number: sin(pi*(x + 0.5)) = cos(pi*x) = 1 and the value is
    1/(pi*(x + 0.5)) (by hand; mpmath, 50 digits)."""
    outcome = exact_value(compile_tree(parse("sinc(x + 0.5)").tree), {"x": 1e300}, refine=False)
    assert 1024 < outcome.precision < 2048
    with mpmath.workdps(50):
        x = mp(1e300)
        assert x % mp(2) ** 944 == 0
        truth = 1 / (mpmath.pi * (x + mp("0.5")))
        assert abs(_mp(outcome.value) - truth) <= truth * mp(10) ** -40


# ---------------------------------------------------------------- the float64 screen


def test_a_long_grid_below_float32_s_largest_value_is_screened_in_float64(cli: Cli) -> None:
    """d/dx (1e38*x + x**2) = 1e38 + 2*x (by hand) is 1e38 in float64 at every
    point of [0, 1] (2*x <= 2 is far below half an ulp of 1e38, 7e21): well
    inside float32's range (3.4e38), so the float64 screen of this 5,001-point
    grid (5,001 points of a small closed form: more than 200,000
    instruction-evaluations) needs no exact evaluation for it, and says that
    all 5,001 values were computed in float64. Looking closer from a tenth of
    float32's largest value would take them all exactly."""
    run = cli("grad", "1e38*x + x**2", "--at", "x=0:1:5001", "--timeout", "60", "--format", "json")
    assert run.code == 0, run.err
    document = run.json()
    assert document["note"].startswith("5,001 closed-form values of this long grid were computed")
    assert len(document["results"]) == 5001
    assert all(r["symbolic"] == 1e38 and r["verdict"] == "agree" for r in document["results"])


# ---------------------------------------------------------------- how far refinement goes


def test_a_sum_that_cancels_completely_is_refined_up_to_16384_bits_and_no_further() -> None:
    """(x + c/3) - x - c/3 with c = cos(0) = 1 at x = 1 is 0 (by hand). At p
    bits, 1 + 1/3 and 1/3 are rounded at different scales, so what is left is
    rounding, about 2**-p, and evaluations at p and 2p bits never agree to 64
    bits: the precision doubles up to 16,384 bits, the most a cancellation is
    given, and stops there, with a value within 2**-16000 of 0. (With 1/3 in
    place of cos(0)/3 the sum is all rationals, taken exactly: 0 at 256 bits.)"""
    outcome = exact_value(compile_tree(parse("(x + cos(0)/3) - x - cos(0)/3").tree), {"x": 1.0})
    assert outcome.precision == 16384
    assert abs(_mp(outcome.value)) <= mp(2) ** -16000
    rational = exact_value(compile_tree(parse("(x + 1/3) - x - 1/3").tree), {"x": 1.0})
    assert rational.value == 0 and rational.precision == 256


@pytest.mark.parametrize(
    ("text", "x", "argument", "bits"),
    [
        ("sin(x + 2.5)", 1e308, lambda x: x + mp("2.5"), 2048),
        ("sin(x**4)", 1e300, lambda x: x**4, 4179),
    ],
)
def test_a_periodic_argument_is_given_the_bits_it_needs_not_the_most(
    text: str, x: float, argument: Any, bits: int
) -> None:
    """A periodic function's argument is given the bits it needs, not 16,384.
    sin(x + 2.5) at x = 1e308: x + 2.5 needs 1,024 bits to keep its 2.5 and 192
    below its units digit, but sin's value at 256 bits is within its rounding
    of 0, so it is looked at again at 2,048 bits (NOISE_PRECISION), where it
    emerges: that evaluation is kept. sin(x**4) at x = 1e300: x**4 = 1e1200 is
    below 2**3987 (and at least 2**3986), so it asks for 3,987 + 192 = 4,179
    bits. The value is sin of the exact argument (mpmath at 5,000 bits, the
    float x exact), to 2**-200."""
    outcome = exact_value(compile_tree(parse(text).tree), {"x": x})
    assert outcome.precision == bits
    with mpmath.workprec(5000):
        truth = mpmath.sin(argument(mp(x)))
        assert abs(_mp(outcome.value) - truth) <= abs(truth) * mp(2) ** -200


def test_a_pole_reached_through_rounding_is_looked_at_up_to_32768_bits() -> None:
    """atanh(tanh(x)) is x in real numbers (by hand), but tanh(x) rounds to 1,
    atanh's pole, until the precision reaches the bits between 1 and tanh(x):
    1 - tanh(x) = 2/(exp(2x) + 1), about 2**-17,311 at x = 6000 and 2**-34,624
    at x = 12000 (1 - 2x/log(2) in bits, by hand). The precision doubles from
    256 while the pole may be the rounding's, up to 32,768 bits: 6000 is found
    there, and at 12000 the pole stays, doubtful: left to rounding
    ("cancelled", tanh(x) named; the point cannot be judged)."""
    program = compile_tree(parse("atanh(tanh(x))").tree)
    found = exact_value(program, {"x": 6000.0})
    assert found.precision == 32768
    assert abs(_mp(found.value) - 6000) <= mp(2) ** -200
    beyond = exact_value(program, {"x": 12000.0})
    assert beyond.precision == 32768
    assert beyond.undefined is not None and beyond.undefined.kind == "cancelled"
    assert to_text(beyond.undefined.node) == "tanh(x)"
    assert beyond.doubtful


def test_a_pole_made_by_rounding_is_outside_the_domain_once_nothing_rounds() -> None:
    """log(x - (c + 2**-300)) with c = cos(0) = 1 at x = 1: at 256 bits c +
    2**-300 rounds to 1 and log sees 0, a pole that may be the rounding's; at
    512 bits every step is exact and x - (1 + 2**-300) = -2**-300 < 0 (by
    hand): outside the domain, which an evaluation with no rounding left says
    at once. (cos(0), not 1: a sum of rationals is taken exactly at once.)"""
    outcome = exact_value(compile_tree(parse("log(x - (cos(0) + 2**-300))").tree), {"x": 1.0})
    assert outcome.undefined is not None and outcome.undefined.kind == "domain"
    assert not outcome.rounded
    assert outcome.precision == 512


def test_a_cancelled_zero_that_turns_negative_under_sqrt_is_outside_the_domain() -> None:
    """sqrt(cos(x) - 1) at x = 1e-40: cos(x) - 1 = -x**2/2 + x**4/24 - ... is
    about -5e-81 < 0 (by hand), outside sqrt's domain. At 256 bits cos(x)
    rounds to 1 and the sum to 0, sqrt's domain edge, which may be the
    rounding's: looked at with twice the bits, the negative sum shows and the
    result is undefined."""
    outcome = exact_value(compile_tree(parse("sqrt(cos(x) - 1)").tree), {"x": 1e-40})
    assert outcome.value is None
    assert outcome.undefined is not None and outcome.undefined.kind == "domain"


# ---------------------------------------------------------------- noise of a 0


def test_no_look_for_noise_at_the_most_bits_or_without_a_periodic_call() -> None:
    """_noise_zeros returns the calls to take as exactly 0 and the precision
    needed instead, 0 if none (its docstring). sin(pi*x) at x = 3 is 0 (by
    hand), and at 16,384 bits pi's noise leaves it just below 2**-16,380 (under its
    rounding): at the most bits derivcli takes there is no finer evaluation to
    tell noise from a value, so nothing is taken for 0 and nothing needed; nor
    in exp(x), which has no periodic call."""
    from derivcli.language import evaluate

    program = compile_tree(parse("sin(pi*x)").tree)
    at_most = evaluate._run_exact(program, {"x": 3.0}, evaluate.MAX_PRECISION)
    assert at_most.is_zero(len(program) - 1)
    assert evaluate._noise_zeros(program, {"x": 3.0}, at_most, False) == (frozenset(), 0)
    plain = compile_tree(parse("exp(x)").tree)
    outcome = evaluate._run_exact(plain, {"x": 3.0}, 256)
    assert evaluate._noise_zeros(plain, {"x": 3.0}, outcome, False) == (frozenset(), 0)


@pytest.mark.parametrize(("y", "precision"), [(2.0**700, 256), (2.0**1000, 2048)])
def test_a_small_value_under_noise_is_looked_for_at_twice_the_bits(
    y: float, precision: int
) -> None:
    """sin(pi*y*y + 2**-700) is sin(2**-700) (by hand: y*y is an even power of
    2, so pi*y*y is a multiple of 2*pi), 2**-700 to 2**-1400 (mpmath). The
    argument pi*y*y is rounded at 2**(2 + log2(y*y) - bits): at y = 2**700 that
    is above 2**-700 at 256 and at 2,048 bits (NOISE_PRECISION), where the value
    neither emerges nor shrinks by half the bits added, so the look goes on at
    twice that, 4,096 bits, where 2**-700 emerges; at y = 2**1000 evaluated from
    2,048 bits, the look is at twice those, again 4,096. Either way the value
    is taken at 4,096 bits, not 0 and not at more bits."""
    program = compile_tree(parse("sin(pi*y*y + 2**-700)").tree)
    outcome = exact_value(program, {"y": y}, precision)
    assert outcome.precision == 4096
    with mpmath.workdps(100):
        truth = mpmath.sin(mp(2) ** -700)
        assert abs(_mp(outcome.value) - truth) <= truth * mp(2) ** -200
