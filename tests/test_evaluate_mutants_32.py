"""Cases for survivors of tools/mutate.py in derivcli/language/evaluate.py
(stop 32).

Each test pins a fact worked out by hand (or with Python's exact Fractions),
never derivcli's own output recorded as the expectation, and names the mutant
it kills (``.venv/bin/python tools/mutate.py --show ID`` prints one):

* a whole power of an exact rational is itself an exact rational: (0.1*z)**2 at
  z = 3 is 9/100, so (0.1*z)**2 - 0.09 is exactly 0 there, at every precision
  and beside the point along another variable;
* the exact rationals' size limit lets a power whose size is exactly
  RATIONAL_BITS through: (3/10)**16384 (4 bits times 16,384 = 65,536);
* sinc rounded onto 1 (its value at 0 only) at an argument that is not 0 is
  surely off 1, so a step read through log(sinc(x)) is lost, not on its step.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import gmpy2
import pytest
from conftest import Cli, CliRun, one

from derivcli.language.evaluate import (
    POW,
    RATIONAL_BITS,
    Instruction,
    _rational_value,
    compile_tree,
    exact_value,
)
from derivcli.language.parser import parse


def _along_x(cli: Cli, expression: str) -> CliRun:
    """``partial EXPRESSION --at x=1,z=3 --wrt x`` in JSON."""
    return cli(
        "partial", expression, "--at", "x=1,z=3", "--wrt", "x", "--timeout", "60", "-f", "json"
    )


def _power(base: Fraction, exponent: int) -> Any:
    """_rational_value of one POW instruction on two exact arguments."""
    exact = [gmpy2.mpq(base.numerator, base.denominator), gmpy2.mpq(exponent)]
    return _rational_value(gmpy2, Instruction(POW, (0, 1)), exact, {})


# ---------------------------------------------------------------- _rational_value


def test_a_square_of_an_exact_rational_cancels_exactly_along_another_variable(cli: Cli) -> None:
    # (0.1*z)**2 - 0.09 at z = 3 is (3/10)**2 - 9/100 = 0 exactly (by hand), so
    # f = 0**1.5 + x = x for every x: d/dx = 1, and torch's 1 agrees. MPFR rounds
    # 0.1 and 0.09, and the base came out -9.2e-41 at 130 bits (a negative base
    # to the power 1.5 is undefined): the exact rationals must give the power
    # its value 9/100 for the difference to be the exact 0.
    # Kills evaluate.py:7750375a:27:num_neg:0 (denominator != -1: every power
    # refused as a rational; f was "defined at this point but nowhere beside it
    # along x", not differentiable)
    assert (Fraction(3, 10)) ** 2 - Fraction(9, 100) == 0
    run = _along_x(cli, "((0.1*z)**2 - 0.09)**1.5 + x")
    assert run.code == 0, run.err
    row = one(run)
    assert row["verdict"] == "agree", row
    assert row["differentiable"] is True
    assert row["symbolic"] == 1.0 and row["autograd"] == 1.0


def test_a_whole_power_of_an_exact_rational_is_its_exact_value() -> None:
    # (3/10)**2 = 9/100 and (10/3)**-3 = 27/1000, by hand. Same mutant as above.
    assert _power(Fraction(3, 10), 2) == gmpy2.mpq(9, 100)
    assert _power(Fraction(10, 3), -3) == gmpy2.mpq(27, 1000)


def test_a_power_exactly_at_the_size_limit_is_still_exact(cli: Cli) -> None:
    # z/10 and 10/z at z = 3 are 3/10 and 10/3: numerators and denominators of at
    # most 4 bits (10 = 0b1010), so a power 16384 has a size of 4*16384 = 65,536
    # = RATIONAL_BITS, exactly the limit, which is inclusive. The product of the
    # two powers is exactly 1 (by hand), the base exactly 0, and f = 0**1.5 + x
    # = x: d/dx = 1. The powers' exact values have 54,427 bits at most (10**16384,
    # below the limit). MPFR leaves the product within about 16384*2**-p of 1,
    # either side: without the exact values the base is noise at every precision
    # beside the point ("cannot judge", exit 3).
    # Kills evaluate.py:a159d633:34:cmp_gt_ge:0 (>= RATIONAL_BITS: the limit
    # itself refused)
    assert 4 * 16384 == RATIONAL_BITS
    assert (10**16384).bit_length() == 54427 <= RATIONAL_BITS
    run = _along_x(cli, "((z/10)**16384*(10/z)**16384 - 1)**1.5 + x")
    assert run.code == 0, run.err
    row = one(run)
    assert row["verdict"] == "agree", row
    assert row["differentiable"] is True
    assert row["symbolic"] == 1.0 and row["autograd"] == 1.0


def test_the_exact_power_at_the_size_limit_is_the_fractions_power() -> None:
    # the same boundary as a unit: 4 bits times 16384 is RATIONAL_BITS, let
    # through, and the value is Python's exact Fraction power. Same mutant.
    value = _power(Fraction(3, 10), 16384)
    assert value is not None
    expected = Fraction(3, 10) ** 16384
    assert value == gmpy2.mpq(expected.numerator, expected.denominator)


# ---------------------------------------------------------------- _blind_step


def _sinc_steps(expression: str, exponent: int) -> Any:
    point = {"x": gmpy2.mul_2exp(gmpy2.mpfr(1), exponent)}
    return exact_value(compile_tree(parse(expression).tree), point)


@pytest.mark.parametrize("expression", ["heaviside(log(sinc(x)))", "sign(log(sinc(x)))"])
@pytest.mark.parametrize("exponent", [-16384, -20000])
def test_sinc_rounded_to_one_off_zero_is_no_step(expression: str, exponent: int) -> None:
    # sinc(x) = sin(pi*x)/(pi*x) = 1 - (pi*x)**2/6 + ..., below 1 for 0 < |x| < 1:
    # log(sinc(x)) is about -(pi*x)**2/6 < 0, so heaviside of it is 0 and sign -1.
    # At x = 2**-16384 that is 1 - 1.6*2**-32768, which the evaluation's 16,384
    # bits round to exactly 1: log gives 0, and the step would be read (1/2, 0).
    # No sum cancels on the way (nothing for _may_cancel to see): only
    # _ONLY_AT_ZERO's sinc entry (sinc takes 1 at 0 alone) tells it is off its
    # step, so the value is lost ("cancelled"), not a wrong 1/2 or 0.
    # Kills evaluate.py:a25279ec:82:num_neg:0 ("sinc": -1: sinc's 1 not seen)
    outcome = _sinc_steps(expression, exponent)
    assert outcome.value is None, outcome.value
    assert outcome.undefined is not None and outcome.undefined.kind == "cancelled"


def test_sinc_off_zero_within_reach_is_off_its_step() -> None:
    # at 2**-2048, log(sinc(x)) is about -1.64*2**-4096, which 16,384 bits keep:
    # heaviside reads 0 and sign -1 (by hand, as above); and at 0 itself sinc is
    # exactly 1: the step, 1/2 and 0 by convention
    assert _sinc_steps("heaviside(log(sinc(x)))", -2048).value == 0
    assert _sinc_steps("sign(log(sinc(x)))", -2048).value == -1
    at_zero = {"x": 0.0}
    assert exact_value(compile_tree(parse("heaviside(log(sinc(x)))").tree), at_zero).value == 0.5
    assert exact_value(compile_tree(parse("sign(log(sinc(x)))").tree), at_zero).value == 0


def test_the_blind_step_tables_name_compiled_primitives_only() -> None:
    """_SATURATES and _ONLY_AT_ZERO are read off compiled programs, which hold
    primitives only: a function with a definition (sec is 1/cos) is written out
    before compiling, so an entry for it would never be read (stop 32 removed
    sec's). Each entry's value is the function's own at its limit or at 0, by
    hand: tanh and erf tend to -1 and 1, sigmoid to 1, erfc to 2; cos, cosh,
    exp and sinc are 1 at 0."""
    from derivcli.language import evaluate
    from derivcli.language.functions import function

    assert evaluate._SATURATES == {
        "tanh": (-1, 1),
        "erf": (-1, 1),
        "sigmoid": (1,),
        "erfc": (2,),
    }
    assert evaluate._ONLY_AT_ZERO == {"cos": 1, "cosh": 1, "exp": 1, "sinc": 1}
    for name in [*evaluate._SATURATES, *evaluate._ONLY_AT_ZERO]:
        assert function(name).definition is None, name
