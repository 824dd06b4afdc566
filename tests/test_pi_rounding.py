"""Values that are 0, or poles, only through pi's rounding.

derivcli evaluates a closed form exactly with pi rounded to 256 bits, so
sin(3*pi) comes out as 1e-77 and cos(pi/2) as 6e-78: noise of pi's rounding,
below the value's own rounding scale. A derivative that is such a product was
shown as the noise (`sin(pi*x)**2` at 3 gave 2.3e-76, and `1e290*sin(pi*x)**2`
a symbolic 2.3e+214), and a division by it read as a finite value
(`1/cos(pi*x)` at 0.5 was a DISAGREE with a symbolic 1e155, though f has a
pole there). The oracles: mpmath's sinpi and cospi, which are exact at whole
and half-whole arguments, in derivatives worked out by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath
import pytest
from conftest import Cli, one
from hypothesis import given, settings
from hypothesis import strategies as st

from derivcli.language.evaluate import (
    compile_tree,
    exact_value,
)
from derivcli.language.parser import parse

mpmath.mp.dps = 50
PI = mpmath.pi


def _program(text: str) -> Any:
    return compile_tree(parse(text).tree)


# (f, x, f'(x) by hand with mpmath's exact sinpi/cospi)
ZERO_OR_TINY: list[tuple[str, str, Callable[[Any], Any]]] = [
    # 2*pi*sinpi*cospi: 0 at every whole and half-whole x
    ("sin(pi*x)**2", "3", lambda x: 2 * PI * mpmath.sinpi(x) * mpmath.cospi(x)),
    ("sin(pi*x)**2", "-7", lambda x: 2 * PI * mpmath.sinpi(x) * mpmath.cospi(x)),
    ("sin(pi*x)**2", "2.5", lambda x: 2 * PI * mpmath.sinpi(x) * mpmath.cospi(x)),
    ("cos(pi*x)", "3", lambda x: -PI * mpmath.sinpi(x)),
    ("x*sin(pi*x)", "4", lambda x: mpmath.sinpi(x) + PI * x * mpmath.cospi(x)),
    # a true value far below the noise of 256 bits: sinpi(3) + 1e-300
    ("-cos(pi*x)/pi + 1e-300*x", "3", lambda x: mpmath.sinpi(x) + mpmath.mpf("1e-300")),
    # not near 0 at all: the noise-free value, to the last bit
    ("x*sin(pi*x)*cos(pi*x)", "2.5", lambda x: -x * PI),
]


@pytest.mark.parametrize(("text", "at", "derivative"), ZERO_OR_TINY)
def test_a_derivative_that_is_0_up_to_pi_is_shown_exactly(
    cli: Cli, text: str, at: str, derivative: Callable[[Any], Any]
) -> None:
    run = cli("grad", text, "--at", f"x={at}", "-f", "json")
    result = one(run)
    assert run.code == 0, run.err
    assert result["verdict"] == "agree"
    assert result["symbolic"] == float(derivative(mpmath.mpf(at)))


def test_sinc_squared_at_a_whole_number_is_0(cli: Cli) -> None:
    # d/dx sinc(x)**2 = 2*sinc(x)*sinc'(x), and sinc(5) = sin(5*pi)/(5*pi) = 0
    assert mpmath.sinpi(5) == 0
    result = one(cli("grad", "sinc(x)**2", "--at", "x=5", "-f", "json"))
    assert result["symbolic"] == 0.0


def test_a_huge_multiple_of_pi_noise_is_0_and_autograd_is_the_one_off(cli: Cli) -> None:
    # f' = 1e290*2*pi*sin(3*pi)*cos(3*pi) = 0; torch computes sin of the float
    # 3*pi (3.67e-16 from the real 3*pi), so its 2.3e275 is float64's rounding
    run = cli("grad", "1e290*sin(pi*x)**2", "--at", "x=3", "-f", "json")
    result = one(run)
    assert run.code == 1
    assert result["symbolic"] == 0.0
    a = math.pi * 3.0
    by_hand = 1e290 * (2 * math.sin(a) * math.cos(a)) * math.pi
    assert result["autograd"] == pytest.approx(by_hand, rel=1e-12)
    assert result["verdict"] == "DISAGREE"
    assert "the derivative is 0" in result["note"]


# f with a pole at x: cos(pi/2), sin(3*pi) and sin(pi) are exactly 0
POLES = [
    ("1/cos(pi*x)", "0.5", "1/cos(pi*x)"),
    ("tan(pi*x)", "0.5", "tan(pi*x)"),
    ("x*tan(pi*x)", "2.5", "tan(pi*x)"),
    ("1/sin(pi*x)", "3", "1/sin(pi*x)"),
    ("log(abs(sin(pi*x)))", "1", "log(abs(sin(pi*x)))"),
]


@pytest.mark.parametrize(("text", "at", "pole"), POLES)
def test_a_pole_reached_through_pi_is_a_pole(cli: Cli, text: str, at: str, pole: str) -> None:
    assert mpmath.cospi(0.5) == 0 and mpmath.sinpi(3) == 0 and mpmath.sinpi(1) == 0
    run = cli("grad", text, "--at", f"x={at}", "-f", "json")
    result = one(run)
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert result["symbolic"] == "nan"
    assert result["note"] == (
        f"the function is undefined at x={at}: {pole} has a pole (an infinite value)"
    )


def test_on_a_grid_only_the_pole_is_undefined(cli: Cli) -> None:
    # d/dx sec(pi*x) = pi*sin(pi*x)/cos(pi*x)**2
    run = cli("grad", "1/cos(pi*x)", "--at", "x=0:1:5", "-f", "json")
    results = run.json()["results"]
    assert run.code == 1
    by_x = {r["point"]["x"]: r for r in results}
    assert by_x[0.5]["verdict"] == "not differentiable"
    for x in (0.0, 0.25, 0.75, 1.0):
        true = PI * mpmath.sinpi(x) / mpmath.cospi(x) ** 2
        assert by_x[x]["symbolic"] == float(true)
        assert by_x[x]["verdict"] == "agree"


@settings(max_examples=60)
@given(k=st.integers(min_value=-(10**6), max_value=10**6), half=st.booleans())
def test_any_whole_or_half_multiple(k: int, half: bool) -> None:
    # sin(pi*x)**2 has derivative 0 at every whole and half-whole x; sec(pi*x)
    # has a pole at every half-whole x, and sin(pi*x)/x a derivative of
    # cospi(x)*pi/x at a whole x != 0 (the sinpi term is 0)
    x = k + 0.5 if half else float(k)
    zero = exact_value(_program("2*pi*cos(pi*x)*sin(pi*x)"), {"x": x})
    assert zero.value == 0
    sec = exact_value(_program("1/cos(pi*x)"), {"x": x})
    if half:
        assert sec.undefined is not None and sec.undefined.kind == "pole"
    else:
        assert sec.value == (1 if k % 2 == 0 else -1)
    if not half and k:
        slope = exact_value(_program("(pi*x*cos(pi*x) - sin(pi*x))/x**2"), {"x": x})
        assert float(slope.value) == float(mpmath.cospi(k) * PI / k)


def test_a_pole_s_noise_is_never_called_0() -> None:
    # 1/sin(pi*x) at 3 is 1/0: sin(3*pi) is exactly 0 (pi's noise, taken as 0),
    # and exact_value calls it the pole it is
    outcome = exact_value(_program("1/sin(pi*x)"), {"x": 3.0})
    assert outcome.value is None
    assert outcome.undefined is not None and outcome.undefined.kind == "pole"
    # under sqrt: sin(pi) is exactly 0, so this is sqrt(0)'s pole
    edge = exact_value(_program("pi*cos(pi*x)/(2*sqrt(sin(pi*x)))"), {"x": 1.0})
    assert edge.undefined is not None and edge.undefined.kind == "pole"


def test_a_value_that_settles_is_not_a_pole() -> None:
    # large and exactly known: no finer look changes it
    outcome = exact_value(_program("1/cos(pi*x)"), {"x": 0.25})
    assert float(outcome.value) == float(1 / mpmath.cospi(0.25))
    # sin(pi*x) itself is 0: still below its rounding at 2,048 bits, and shrunk
    # there by far more than half the bits added (1e-77, then 1e-616)
    noise = exact_value(_program("sin(pi*x)"), {"x": 1.0})
    assert noise.value == 0


@pytest.mark.parametrize("tiny", ["1e-300", "1e-300*1e-20", "1e-300*5e-24"])
def test_a_true_value_down_to_the_least_subnormal_is_not_called_0(tiny: str) -> None:
    # sinpi(3) + tiny is tiny: float64 holds 1e-320 and 5e-324 as subnormals,
    # which 256 bits of pi cannot see (the noise there is 1e-77)
    found = exact_value(_program(f"sin(pi*x) + {tiny}"), {"x": 3.0})
    true = mpmath.sinpi(3) + mpmath.fprod(mpmath.mpf(t) for t in tiny.split("*"))
    assert float(found.value) == float(true) > 0
    # while the noise alone is exactly 0, however large its factor
    zero = exact_value(_program("sin(pi*x)*1e300"), {"x": 3.0})
    assert zero.value == 0 and zero.magnitudes[-1] == 0


# ------------------------------------------------ what follows a 0 of pi's rounding
# (a hunt's findings: sin(pi*x) at a whole x, cos(pi*x) at a half-whole one, is
# exactly 0 -- mpmath's sinpi and cospi -- and what is built on it sees that 0)

JUMPS = [
    # f at the point against its sides, by hand with sinpi = 0: heaviside(0) = 1/2
    # between sides of 0, floor(0) = 0 between -1s, ceil(0) = 0 between 1s,
    # x + sign(0) = 3 between 4s. All were "agree", exit 0
    ("heaviside(-sin(pi*x)**2)", "1", "left limit 0, value 0.5, right limit 0"),
    ("floor(-sin(pi*x)**2)", "1", "left limit -1, value 0, right limit -1"),
    ("ceil(sin(pi*x)**2)", "2", "left limit 1, value 0, right limit 1"),
    ("x + sign(sin(pi*x)**2)", "3", "left limit 4, value 3, right limit 4"),
    ("sign(cos(pi*x))", "0.5", "left limit 1, value 0, right limit -1"),
]


@pytest.mark.parametrize(("text", "at", "sides"), JUMPS)
def test_a_jump_at_a_zero_of_pi_is_a_jump(cli: Cli, text: str, at: str, sides: str) -> None:
    assert mpmath.sinpi(int(float(at))) == 0 and mpmath.cospi(0.5) == 0
    run = cli("grad", text, "--at", f"x={at}", "-f", "json")
    result = one(run)
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert f"the function being differentiated jumps at x={at} ({sides}" in result["note"]


@pytest.mark.parametrize(
    ("text", "at"),
    [
        # 0/0 by hand (sinpi(1) = sinpi(2) = 0): f has no value there, as the same
        # quotient with an exact 0 (sin(x-1)/sin(2*x-2) at 1) has none; these were
        # "agree" with a finite value
        ("sin(pi*x)/sin(2*pi*x)", "1"),
        ("sin(pi*x)/tan(pi*x)", "1"),
        ("(1 - cos(pi*x))/sin(pi*x)**2", "2"),
    ],
)
def test_0_over_0_at_a_zero_of_pi_is_undefined(cli: Cli, text: str, at: str) -> None:
    run = cli("grad", text, "--at", f"x={at}", "-f", "json")
    result = one(run)
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert result["note"].startswith(f"the function is undefined at x={at}")


@pytest.mark.parametrize(
    ("text", "at", "derivative"),
    [
        # sin(pi*x)**2 times a huge factor: 0 by hand at a whole x. The shown values
        # were -5.95e10 and -7.1e264, "the closed form, evaluated exactly"
        ("exp(x)*sin(pi*x)**2", "11370", lambda x: mpmath.mpf(0)),
        ("x**19*sin(pi*x)**2", "1e300", lambda x: mpmath.mpf(0)),
        ("x**20*sin(pi*x)**2", "1e300", lambda x: mpmath.mpf(0)),
        # sqrt(0 + 1e-300) is 1e-150, not undefined: f' = pi*cospi/(2*sqrt(1e-300));
        # log(0 + 1e-300) likewise, f' = pi*cospi/1e-300
        (
            "sqrt(sin(pi*x) + 1e-300)",
            "1073741824",
            lambda x: PI * mpmath.cospi(x) / (2 * mpmath.sqrt(mpmath.mpf("1e-300"))),
        ),
        (
            "log(sin(pi*x) + 1e-300)",
            "1073741824",
            lambda x: PI * mpmath.cospi(x) / mpmath.mpf("1e-300"),
        ),
    ],
)
def test_what_a_zero_of_pi_feeds_is_exact(
    cli: Cli, text: str, at: str, derivative: Callable[[Any], Any]
) -> None:
    result = one(cli("grad", text, "--at", f"x={at}", "-f", "json"))
    assert result["symbolic"] == float(derivative(mpmath.mpf(at)))


@pytest.mark.parametrize(
    ("text", "at", "pole"),
    [
        # 1/sin(pi)**2 = 1/0: a pole, not "too large/small for any number format"
        ("exp(1/sin(pi*x)**2)", "1", "1/sin(pi*x)**2"),
        ("exp(-1/cos(pi*x)**2)", "0.5", "-1/cos(pi*x)**2"),
        ("sigmoid(1/sin(pi*x))", "1", "1/sin(pi*x)"),
        # a noise of 1e-3 (1e80 times cos(pi/2)'s), below the |value| >= 1 the
        # growing-noise look asks: still 1/0
        ("1/(1e80*cos(pi*x))", "0.5", "1/(1e80*cos(pi*x))"),
    ],
)
def test_a_pole_under_exp_or_sigmoid_is_a_pole(cli: Cli, text: str, at: str, pole: str) -> None:
    run = cli("grad", text, "--at", f"x={at}", "-f", "json")
    result = one(run)
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert result["note"] == (
        f"the function is undefined at x={at}: {pole} has a pole (an infinite value)"
    )


def test_atan2_on_the_negative_axis_takes_pi(cli: Cli) -> None:
    # atan2(sin(-3*pi), cos(-3*pi)) = atan2(0, -1) = pi (mpmath below); its note
    # gave the value -pi, atan2 of a negative noise
    with mpmath.workdps(50):
        assert mpmath.atan2(mpmath.sinpi(-3), mpmath.cospi(-3)) == +PI
    result = one(cli("grad", "atan2(sin(pi*x), cos(pi*x))", "--at", "x=-3", "-f", "json"))
    assert "value 3.141592654" in result["note"]


def test_check_shows_the_zero_of_pi_as_0(cli: Cli) -> None:
    # pi*cos(pi/2) is 0 (cospi(0.5) = 0); the counterexample said 1.7e-77
    run = cli("check", "sin(pi*x)", "--answer", "pi*cos(pi*x) + 1e-300*sin(pi*x)", "-f", "json")
    data = run.json()
    assert run.code == 1 and data["verdict"] == "wrong"
    counterexample = data["counterexample"]
    assert counterexample["point"] == {"x": 0.5}
    assert counterexample["derivative"] == float(PI * mpmath.cospi(0.5)) == 0.0
    assert counterexample["answer"] == 1e-300


@pytest.mark.parametrize(
    ("text", "at", "derivative"),
    [
        # the argument is pi + y*z once 2**1900 cancels (z stops symengine from
        # adding pi first): 1/sin(pi + t) has derivative cos(pi + t)*pi/sin(pi + t)**2
        # -> pi/t**2 = 8.1e120 at t = 2**-200; not a pole. The periodic call is below
        # its rounding at 2,048 bits only because 2**1900's rounding rides on its
        # argument; taken for pi's noise and made 0, it read as a pole (a hunt)
        (
            "1/sin(pi*x + z*(abs(y + 2**1900) - 2**1900))",
            "x=1,y=2**-200,z=1",
            lambda t: -mpmath.cos(PI + t) * PI / mpmath.sin(PI + t) ** 2,
        ),
        (
            "1e271*cos(pi*x + z*(abs(y + 2**1900) - 2**1900))",
            "x=1,y=2**-900,z=1",
            lambda t: -(mpmath.mpf(10) ** 271) * PI * mpmath.sin(PI + t),
        ),
        (
            "1e300*cos(pi*x + z*(abs(y + 1e300) - 1e300))",
            "x=1,y=1e-320,z=1",
            lambda t: -(mpmath.mpf(10) ** 300) * PI * mpmath.sin(PI + t),
        ),
    ],
)
def test_a_periodic_call_of_a_cancelled_sum_is_refined_not_snapped(
    cli: Cli, text: str, at: str, derivative: Callable[[Any], Any]
) -> None:
    y = {"2**-200": mpmath.mpf(2) ** -200, "2**-900": mpmath.mpf(2) ** -900}.get(
        at.split(",")[1][2:], mpmath.mpf(1e-320)
    )
    with mpmath.workdps(1200):
        truth = float(derivative(y))
    result = one(cli("partial", text, "--wrt", "x", "--at", at, "-f", "json"))
    assert result["symbolic"] == pytest.approx(truth, rel=1e-15)


def test_a_step_of_a_tiny_true_value_beside_pis_noise_is_refined(cli: Cli) -> None:
    # f = abs(sin(pi*x + 1e-300)) at 1: sin(pi + 1e-300) = -1e-300 (mpmath), so f is
    # 1e-300 there, smooth (its kink is 3e-301 away), and f' = sign(-1e-300)*pi*
    # cos(pi + 1e-300) = pi. 256 bits lose the 1e-300: f's value read as 0 beside
    # sides of 1e-300 ("jumps"), and sign() of pi's noise gave the closed form -pi.
    # torch, in float64, has the same loss: its -pi is float64's, a DISAGREE.
    with mpmath.workdps(400):
        assert mpmath.sin(PI + mpmath.mpf("1e-300")) == pytest.approx(-1e-300, rel=1e-30)
    run = cli("grad", "abs(sin(pi*x + 1e-300))", "--at", "x=1", "-f", "json")
    result = one(run)
    assert result["symbolic"] == float(PI)
    assert result["differentiable"] is True
    assert result["verdict"] == "DISAGREE" and result["autograd"] == -float(PI)
    sign = exact_value(_program("sign(sin(pi*x + 1e-300))"), {"x": 1.0})
    assert sign.value == -1


def test_noise_is_taken_for_0_only_once_it_shrinks_by_half_the_bits_added() -> None:
    # The rule: a periodic call below its rounding at 256 bits and at 2,048 is
    # pi's noise only if it shrank by at least 2**-(2048 - 256)/2 = 2**-896
    # (pi's noise itself shrinks by about 2**-1792: x*(pi - pi rounded)). A
    # value 256 bits gave as only 2**700 times what 2,048 give is no such noise.
    import dataclasses

    from derivcli.language import evaluate

    program = _program("sin(pi*x)")
    point = {"x": 3.0}
    last = len(program) - 1
    real = evaluate._run_exact(program, point, 256)
    finer = evaluate._run_exact(program, point, evaluate.NOISE_PRECISION)
    assert evaluate._noise_zeros(program, point, real, False) == (frozenset({last}), 0)
    for shrunk_by, snapped in ((700, False), (900, True)):
        coarse_value = finer.values[last] * gmpy2_power(shrunk_by)
        coarse = dataclasses.replace(real, values=(*real.values[:last], coarse_value))
        assert coarse.is_zero(last)
        found = evaluate._shrunk(coarse, finer, [last])
        assert found == ({last} if snapped else set())


def test_a_large_value_is_a_pole_once_it_doubles_with_4x_the_bits() -> None:
    # tan(pi*x) at 0.5 is 1e77 at 256 bits and 1e308 at 1,024: pi/2's noise
    # under a pole. The rule: a large value below its rounding that at least
    # doubles with 4x the bits is a pole (log of a noise grows 4x: 177, 710); one
    # that grows less (1.5x here, made by hand) is left as it is.
    import dataclasses

    from derivcli.language import evaluate

    program = _program("tan(pi*x)")
    point = {"x": 0.5}
    real = evaluate._run_exact(program, point, 256)
    pole = evaluate._pole_of_noise(program, point, real, False)
    assert pole.undefined is not None and pole.undefined.kind == "pole"
    finer = evaluate._run_exact(program, point, 1024)
    last = len(program) - 1
    for grows_by, is_pole in (("2.5", True), ("1.5", False)):
        coarse_value = finer.values[last] / gmpy2_mpfr(grows_by)
        coarse = dataclasses.replace(
            real,
            values=(*real.values[:last], coarse_value),
            magnitudes=(*real.magnitudes[:last], finer.magnitudes[last]),
            value=coarse_value,
        )
        assert coarse.is_zero(last)
        outcome = evaluate._pole_of_noise(program, point, coarse, False)
        assert (outcome.undefined is not None) is is_pole


def gmpy2_power(bits: int) -> Any:
    import gmpy2

    return gmpy2.mul_2exp(gmpy2.mpfr(1), bits)


def gmpy2_mpfr(text: str) -> Any:
    import gmpy2

    return gmpy2.mpfr(text)


def test_pi_s_noise_under_a_huge_argument_is_still_noise(cli: Cli) -> None:
    # y = 2**580: pi*y*y = 2*pi*2**1159, so sin is exactly 0 and d/dx of
    # x*sign(sin(pi*y*y)) is sign(0) = 0. At 256 bits the argument's rounding is
    # 2**906: the sine was any number in [-1, 1], too large to shrink by half the
    # bits added at 2,048, so its sign decided: d/dx was 1 (a mutation hunt)
    import mpmath

    with mpmath.workprec(4000):
        assert abs(mpmath.sin(mpmath.pi * mpmath.mpf(2) ** 1160)) < mpmath.mpf(2) ** -2000
    run = cli("grad", "x*sign(sin(pi*y*y))", "--at", f"x=1,y={2.0**580!r}", "-f", "json")
    (by_x,) = [r for r in run.json()["results"] if r["wrt"] == "x"]
    assert by_x["symbolic"] == 0.0 and by_x["verdict"] == "agree"


@pytest.mark.parametrize("k", [500, 580, 1000])
def test_a_small_true_value_under_pi_s_noise_is_refined(k: int) -> None:
    # sin(pi*x*x + 2**-700) at x = 2**k is sin(2**-700) (pi*x*x is a multiple of
    # 2*pi): about 1.9e-211. The argument first asked for exponent + 192 bits,
    # where the sine is noise of 2**-193 (1e-58), and that noise was the value
    import gmpy2
    import mpmath

    outcome = exact_value(_program("sin(pi*x*x + 2**-700)"), {"x": gmpy2.mpfr(2) ** k})
    with mpmath.workprec(100):
        truth = mpmath.sin(mpmath.mpf(2) ** -700)
        assert abs(mpmath.mpf(outcome.value) / truth - 1) < mpmath.mpf(2) ** -60
