"""Cases for survivors of tools/mutate.py in derivcli/language/evaluate.py
(stop 32, second draw).

Each test pins a fact worked out by hand (or with mpmath / Python's exact
Fractions), never derivcli's own output recorded as the expectation, and names
the mutant it kills (``.venv/bin/python tools/mutate.py --show ID`` prints one):

* c*erf(z) + c' with c' the number -c (a negative Number, as the constant
  folder in points.py builds them) is c*(erf(z) - 1) = -c*erfc(z), not
  c*erfc(-z);
* 0**0 of exact rationals is the exact rational 1: a difference after it that
  is exactly 0 stays exactly 0 (a pole under 1/, heaviside's 1/2), not
  MPFR's noise;
* at the 16,384-bit cap a value whose rounding is 2**-64.6 of itself is kept
  (the cut is 64 bits, inclusive), not called "cancelled";
* a value left to its rounding at the cap with no sum on its way (a step
  function on its step through pi/pi, acos and sign only) is labelled
  "cancelled" at a node of the program, not a crash.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
from conftest import Cli, one

from derivcli.language.evaluate import compile_tree, exact_value
from derivcli.language.parser import parse
from derivcli.language.tree import BinaryOp, Call, Number, Variable

X_2_1017 = "7.120236347223045e-307"  # 2**-1017, exactly (repr of the float64)


def _value(text: str, point: dict[str, float]) -> Any:
    return exact_value(compile_tree(parse(text).tree), point)


# ---------------------------------------------------------------- _same_up_to_sign


def test_c_erf_plus_minus_c_written_as_a_negative_number_is_minus_c_erfc() -> None:
    # 2*erf(x) + (-2) = 2*(erf(x) - 1) = -2*erfc(x): at x = 3, -2*erfc(3) =
    # -4.4189e-5 (mpmath). The -2 is one Number of value -2 (points.py folds a
    # constant call's arguments into such Numbers; the parser writes -2 as
    # Negate(2), so the CLI never builds this tree): _same_up_to_sign(-2, 2)
    # is -1 ("a is -b"), so the sum is an erf multiple with unit -1.
    # Kills evaluate.py:fdd0abfe:7:neg_drop:0 (a == -b read as the same number:
    # computed as 2*erfc(-3) = 2*(1 + erf(3)) = 3.99996, the sign and size wrong)
    tree = BinaryOp(
        "+",
        BinaryOp("*", Number(Fraction(2), "2"), Call("erf", (Variable("x"),))),
        Number(Fraction(-2), "-2"),
    )
    outcome = exact_value(compile_tree(tree), {"x": 3.0})
    with mpmath.workdps(50):
        truth = float(-2 * mpmath.erfc(3))
    assert outcome.value is not None, outcome.undefined
    assert abs(outcome.to_float() - truth) <= 1e-15 * abs(truth)
    assert truth < 0


# ---------------------------------------------------------------- _rational_value


# 0.1*z - 0.3 at z = 3 is exactly 0 and x - 1 at x = 1 exactly 0, so the power
# is 0**0 = 1 (Python's, torch's and MPFR's pow(0, 0)); times 7/10 and 10/7 it
# is 1 again, and minus 1 exactly 0. MPFR rounds 0.7 and 10/7, whose product
# at 256 bits is not 1; only the exact rationals make the difference 0.
ZERO = "(0.1*z - 0.3)**(x - 1)*0.7*(10/7) - 1"


def test_the_exact_rationals_of_the_zero_difference_by_hand() -> None:
    base, exponent = Fraction(1, 10) * 3 - Fraction(3, 10), Fraction(1) - 1
    assert base == 0 and exponent == 0 and base**exponent == 1
    assert base**exponent * Fraction(7, 10) * (Fraction(10) / 7) - 1 == 0


def test_one_over_an_exactly_zero_difference_after_zero_to_the_zero_is_a_pole(cli: Cli) -> None:
    # f = 1/ZERO + y is 1/0 at x=1, z=3 (by hand, above): a pole, so f is
    # undefined at the point and d/dy does not exist there ("not differentiable",
    # exit 1), though the symbolic d/dy is 1 and torch's too.
    # Kills evaluate.py:7750375a:56:cmp_lt_le:0 (0**0 refused as a rational:
    # nothing after the power had an exact value, the difference stayed MPFR's
    # noise at every precision, and f came out "cancels past the 16,384 bits":
    # cannot judge, exit 3)
    run = cli(
        "partial", f"1/({ZERO}) + y", "--at", "x=1,z=3,y=1", "--wrt", "y",
        "--timeout", "60", "-f", "json",
    )  # fmt: skip
    row = one(run)
    assert row["verdict"] == "not differentiable", row
    assert row["differentiable"] is False
    assert "pole" in row["note"]
    assert run.code == 1


def test_heaviside_of_an_exactly_zero_difference_after_zero_to_the_zero_is_one_half() -> None:
    # heaviside(0) = 1/2 (the language's convention, torch's default), so
    # heaviside(ZERO) + x at x = 1, z = 3 is 1/2 + 1 = 1.5. Same mutant as above
    # (the noise was negative at the cap: heaviside read 0, f was 1.0)
    outcome = _value(f"heaviside({ZERO}) + x", {"x": 1.0, "z": 3.0})
    assert outcome.value is not None, outcome.undefined
    assert outcome.to_float() == 1.5


# ---------------------------------------------------------------- _lost_to_cancellation

# t = 1.5*x**16 at x = 2**-1017 is 1.5*2**-16272. At the 16,384-bit cap
# exp(t) - 1 keeps t's first ~112 bits (exp(t) = 1 + t + t**2/2, t**2 far below
# the last bit), so it is t to well past 64 bits; its rounding is that of the
# 1 it was taken from, 2**(48 - 16384) in the noise's scale, which is
# 1/t = 2**16271.4 times the value: 2**-64.6 of it after the 2**-16336, inside
# the 64-bit cut (and above 2**-1100 once times exp(10605) ~ 2**15300).
# exp(x**17) - 1 (x**17 = 2**-17289) rounds to exactly 0 at every precision:
# a sum cancelled past the cap, so the cut is asked at all.
F = "exp(10605)*(exp(1.5*x**16) - 1 + (exp(x**17) - 1))"


def _f_true(x: Any) -> Any:
    return mpmath.exp(10605) * (mpmath.expm1(1.5 * x**16) + mpmath.expm1(x**17))


def _df_true(x: Any) -> Any:
    # by hand: exp(10605)*(24*x**15*exp(1.5*x**16) + 17*x**16*exp(x**17))
    return mpmath.exp(10605) * (
        24 * x**15 * mpmath.exp(1.5 * x**16) + 17 * x**16 * mpmath.exp(x**17)
    )


def test_a_value_known_to_64_bits_at_the_cap_is_kept() -> None:
    # f = exp(10605)*(1.5*2**-16272 + ...) = 3.7578e-293 (mpmath, 30 digits).
    # Kills evaluate.py:744a3dd3:40:num_inc:0 (a cut at 2**-65: the 2**-64.6
    # rounding took for too much, f "cancelled" with no value)
    outcome = _value(F, {"x": 2.0**-1017})
    with mpmath.workdps(30):
        truth = float(_f_true(mpmath.mpf(2) ** -1017))
    assert outcome.value is not None, outcome.undefined
    assert abs(outcome.to_float() - truth) <= 1e-15 * truth


def test_a_value_known_to_64_bits_at_the_cap_is_judged(cli: Cli) -> None:
    # d/dx at x = 2**-1017 is exp(10605)*24*2**-15255*(1 + ...) = 7.2545e14
    # (mpmath); torch's exp(10605) overflows to inf (its gradient nan), so
    # DISAGREE, exit 1, with f defined. Same mutant as above (f had no value:
    # "cannot judge", exit 3)
    run = cli("grad", F, "--at", f"x={X_2_1017}", "--timeout", "60", "-f", "json")
    row = one(run)
    with mpmath.workdps(30):
        slope = float(_df_true(mpmath.mpf(2) ** -1017))
    assert row["verdict"] == "DISAGREE", row
    assert row["differentiable"] is True
    assert abs(row["symbolic"] - slope) <= 1e-12 * slope
    assert run.code == 1


def test_a_step_on_its_step_without_a_sum_is_labelled_not_a_crash() -> None:
    # pi/pi is 1 (by hand), acos(1) = 0 and sign(0) = 0, so f = x*exp(22000)*
    # sign(acos(pi/pi)) is exactly 0. MPFR's pi/pi is 1 too, but carries pi's
    # rounding: sign reads its argument within rounding of its step at every
    # precision, and at the cap the rounding scaled by exp(22000) is past
    # 2**-1100, so the value is left to rounding. No step on the way is a sum
    # (or a function carrying its argument's rounding by its slope), so no
    # step is "the sum that cancelled most": the outcome must still be 0 or a
    # labelled "cancelled" naming a node of the program, never an exception.
    # Kills evaluate.py:1cbc7c04:37:num_dec:0 (the default node one past the
    # last: IndexError, "the symbolic engine failed", exit 3)
    program = compile_tree(parse("x*exp(22000)*sign(acos(pi/pi))").tree)
    outcome = exact_value(program, {"x": 1.0})
    if outcome.value is None:
        assert outcome.undefined is not None and outcome.lost, outcome.undefined
        assert any(outcome.undefined.node is node for node in program.nodes)
    else:
        assert outcome.value == 0
