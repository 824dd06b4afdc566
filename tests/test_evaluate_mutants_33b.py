"""Cases for survivors of tools/mutate.py in derivcli/language/evaluate.py
(stop 33, second file).

Each test pins a fact worked out by hand or with mpmath at high precision,
never derivcli's own output recorded as the expectation, and names the mutant
it kills (``.venv/bin/python tools/mutate.py --show ID`` prints one):

* a function other than the gamma family fails in doubt when its argument is
  within rounding of -1 as well as of 0 or 1: atanh(1/(cos(x) - 2)) at 2**-200
  is -1 at 256 bits (a pole) but -1 + 2**-401 in truth, a finite value;
* polygamma's slope rule for 0 < b <= 1 is the one for b > 0 (n!/b**(n+1) +
  (n+1)!/b**(n+2)), not the one for b <= 0 built on the distance to the nearest
  whole number, which is 0 at b = 1 (no bound) and tiny just below 1 (a bound
  past every precision: polygamma(66, 1 - exp(-170)) called cancelled).
"""

from __future__ import annotations

import gmpy2
import mpmath
import pytest
from conftest import Cli, one

from derivcli.language import evaluate
from derivcli.language.evaluate import compile_tree, exact_value
from derivcli.language.parser import parse

X_2_200 = "6.223015277861142e-61"  # 2**-200, exactly (repr of the float64)


# ---------------------------------------------------------------- _near, unit=True


def test_atanh_of_a_rounded_minus_one_is_refined_not_a_pole(cli: Cli) -> None:
    # cos(x) - 2 at x = 2**-200 is -1 - 2**-401 (cos(x) = 1 - x**2/2 + ...), so
    # 1/(cos(x) - 2) is -1 + 2**-401 (to 2**-802): inside atanh's (-1, 1), and
    # atanh of it is -(402*log(2))/2 ~ -139.32 (mpmath below). 256 bits round
    # cos(x) to 1 and the argument to exactly -1, atanh's pole: within rounding
    # of -1, so in doubt, and 512 bits find the value. f = that + y, so d/dy is
    # 1 with f defined: agree (torch's float64 atanh(-1) is -inf, its d/dy 1).
    # Kills evaluate.py:ae7c0af1:15:num_dec:0 (nearest clamped to [0, 1]: -1's
    # nearest "edge" is 0, at distance 1, so the pole is sure: "not
    # differentiable", undefined at the point, exit 1)
    with mpmath.workdps(400):
        x = mpmath.mpf(2) ** -200
        real = mpmath.atanh(1 / (mpmath.cos(x) - 2))
        assert abs(real + 201 * mpmath.log(2)) < mpmath.mpf(10) ** -100
    outcome = exact_value(compile_tree(parse("atanh(1/(cos(x) - 2))").tree), {"x": 2.0**-200})
    assert outcome.undefined is None, outcome.undefined
    assert abs(outcome.to_float() - float(real)) <= 1e-15 * abs(float(real))
    run = cli(
        "partial", "atanh(1/(cos(x) - 2)) + y", "--at", f"x={X_2_200},y=1", "--wrt", "y",
        "--timeout", "60", "-f", "json",
    )  # fmt: skip
    row = one(run)
    assert row["verdict"] == "agree", row
    assert row["differentiable"] is True
    assert row["symbolic"] == 1.0
    assert run.code == 0


# ---------------------------------------------------------------- _polygamma slope rule


def _rule(n: int, b: str) -> mpmath.mpf | None:
    """The polygamma slope rule's bound at (n, b), b's magnitude 1."""
    with gmpy2.context(gmpy2.get_context(), precision=256):
        args = [gmpy2.mpfr(n), gmpy2.mpfr(b)]
        found = evaluate._SLOPES["polygamma"](gmpy2, None, (0, 1), args, [0, gmpy2.mpfr(1)], 0)
    return None if found is None else mpmath.mpf(str(found))


@pytest.mark.parametrize("n", [0, 2, 10])
@pytest.mark.parametrize("b", ["1", "0.9", "0.75", "0.999999"])
def test_the_polygamma_rule_between_0_and_1_is_the_positive_one(n: int, b: str) -> None:
    # For b > 0, |polygamma(n + 1, b)| = (n+1)! * sum 1/(b + j)**(n+2) is below
    # n!/b**(n+1) + (n+1)!/b**(n+2) (the j = 0 term plus the integral of the
    # rest), and above the j = 0 term alone, (n+1)!/b**(n+2), itself at least
    # n!/b**(n+1) (b <= 1 <= n + 1): so the rule lies between the true slope
    # (mpmath) and twice it. At b = 1, n = 0: 0! + 1! = 2, pi**2/6 = 1.645.
    # Kills evaluate.py:1193eb54:8:num_inc:0 (b <= 1 taken as left of 0: at b = 1
    # the distance to the nearest whole number is 0, no bound at all; at 0.9
    # it is 0.1, a bound of (n+1)!*(2/0.1**(n+2) + 3.3), over 100 times the
    # slope; at 0.999999 some 10**6**(n+2) times it)
    with mpmath.workdps(60):
        true = abs(mpmath.polygamma(n + 1, mpmath.mpf(b)))
    found = _rule(n, b)
    assert found is not None
    assert true <= found <= 2 * true


def test_polygamma_of_high_order_just_below_1_has_a_value() -> None:
    # b = 1 - exp(-170) = 1 - 2**-245.3 is told from 1 at 256 bits (its last bit
    # is 2**-256), rounded (exp's rounding, of size 1 in the sum). polygamma(66,
    # b) is -66!*zeta(67, b) ~ -66! = -5.44e92 (mpmath below), and its slope
    # there is 67!*zeta(68, b) ~ 67!: b's rounding of 2**-256 moves it by 67!
    # times that, far below its size. Read as left of 0, the rule's bound is
    # 67!*2/d**68 with d = 2**-245.3: 2**16980 or so, above 2**16384, so no
    # precision up to the 16,384-bit cap would hold the value.
    # Kills evaluate.py:1193eb54:8:num_inc:0 (the value "cancelled": cannot judge)
    outcome = exact_value(compile_tree(parse("polygamma(66, 1 - exp(-x))").tree), {"x": 170.0})
    with mpmath.workdps(150):
        real = mpmath.polygamma(66, 1 - mpmath.exp(-170))
        assert abs(real / (-mpmath.factorial(66)) - 1) < 1e-15  # zeta(67, ~1) ~ 1
    assert outcome.undefined is None, outcome.undefined
    assert abs(outcome.to_float() - float(real)) <= 1e-14 * abs(float(real))
