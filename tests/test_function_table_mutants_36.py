"""Cases for survivors of tools/mutate.py in derivcli/language/functions.py
(stop 35's new lines: the gamma family's exact shortcuts and torch's polygamma).

Pinned here, each by a fact worked out by hand or by mpmath at a deep
precision (never derivcli's own output recorded as the expectation):

- _exact_digamma takes digamma at every whole and half-whole number in
  (0, 4096] (0.5, 1 and 4096 included) from a sum of fractions and MPFR's
  constants (MPFR's own digamma spends minutes on Bernoulli numbers at the
  tens of thousands of bits a kink's analysis reaches): at 60,000 bits it
  takes under a second, and the values match mpmath's;
- _gamma_of_half_whole and _lgamma_of_half_whole keep 32 guard bits: at 256
  bits their values are within one unit of the last place of mpmath's, and
  gamma(3141.5), 2**-32 of a unit above a midpoint at 998,961 bits, rounds up;
- _gamma_of_half_whole raises MPFR's inexact flag itself (gamma(50.5) is
  irrational) even where its guarded value rounds with no flag of its own;
- torch's polygamma is given every order up to 2**63 - 1 (5e18 has a value,
  -inf in float64) and refused, with the reason, from 2**63 on (2**63 is the
  first order past torch's int64_t).

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

import gmpy2
import mpmath
import pytest
from conftest import Cli

from derivcli.language.functions import _exact_digamma

# ---------------------------------------------------------------- _exact_digamma's shortcut


class _NoMpfrDigamma:
    """gmpy2 as the evaluators see it, but with MPFR's digamma refused: at the
    thousands of bits derivcli works at it computes Bernoulli numbers anew
    (2.7 s at 16,384 bits, minutes at 60,000), which the shortcut is there to
    avoid at whole and half-whole numbers."""

    def __getattr__(self, name: str) -> object:
        return getattr(gmpy2, name)

    @staticmethod
    def digamma(x: object) -> object:
        raise AssertionError(f"MPFR's digamma called at {x}: the shortcut was skipped")


def test_digamma_at_whole_and_half_whole_numbers_takes_the_shortcut() -> None:
    # digamma(1/2) = -euler - 2*log(2), digamma(1) = -euler, digamma(4096) =
    # -euler + H(4095): checked against mpmath at 2,100 bits (the 2,048-bit
    # values must agree to 2**-2000), with MPFR's own digamma refused.
    # Kills functions.py:d81e4008:3:num_inc:0 (1 < x: 0.5 and 1 left to MPFR),
    # d81e4008:9:cmp_le_lt:0 (x < 4096: 4096 left to MPFR), d81e4008:50:num_dec:0,
    # d81e4008:50:num_inc:0, d81e4008:50:num_neg:0 (denominator 1 dropped: whole
    # numbers left to MPFR), d81e4008:53:num_dec:0, d81e4008:53:num_inc:0,
    # d81e4008:53:num_neg:0 (denominator 2 dropped: half-whole numbers left to MPFR)
    mpmath.mp.prec = 2100
    for x in (0.5, 1, 4096):
        with gmpy2.context(gmpy2.get_context(), precision=2048):
            value = _exact_digamma(_NoMpfrDigamma(), gmpy2.mpfr(x))
        true = mpmath.digamma(mpmath.mpf(x))
        assert abs(mpmath.mpf(format(value, ".640e")) / true - 1) < mpmath.mpf(2) ** -2000
    # and a number neither whole nor half-whole still goes to MPFR's digamma
    with pytest.raises(AssertionError, match="MPFR's digamma called"):
        _exact_digamma(_NoMpfrDigamma(), gmpy2.mpfr(0.75))


# ---------------------------------------------------------------- torch's polygamma order


def test_polygamma_of_order_5e18_is_given_to_torch(cli: Cli) -> None:
    # 5e18 < 2**63 - 1 = 9.22e18: torch's int64_t holds it. polygamma(n, x) =
    # (-1)**(n+1)*n!*sum over k >= 0 of 1/(x + k)**(n+1): for the even n = 5e18 it
    # is negative, and n!/0.7**(n+1) is far past float64, so -inf; its derivative
    # polygamma(n + 1, 0.7) is positive and as large: +inf.
    # Kills functions.py:56b7735e:25:num_dec:0 (the limit 2**62 - 1 = 4.6e18
    # refused 5e18: exit 3)
    run = cli("graph", "polygamma(5e18, x)", "--at", "x=0.7")
    assert run.code == 0, run.err
    assert "polygamma(5e18, x) = -inf" in run.out
    assert "grad=inf" in run.out


def test_polygamma_of_order_2_to_63_is_refused_with_the_reason(cli: Cli) -> None:
    # 2**63 = 9223372036854775808 is exact in float64 and one past int64_t's
    # largest, 2**63 - 1 (torch: "Overflow when unpacking long long").
    # Kills functions.py:56b7735e:28:arith_sub_add:0, 56b7735e:30:num_dec:0 and
    # 56b7735e:30:num_neg:0 (limits 2**63 + 1 and 2**63 let 2**63 through)
    run = cli("graph", "polygamma(2**63, x)", "--at", "x=0.7")
    assert run.code == 3
    assert run.error == (
        "autograd cannot evaluate polygamma of order 9.22337e+18: torch takes the order "
        "as a 64-bit integer (at most 2**63 - 1)"
    )


# ---------------------------------------------------------------- gamma's half-whole guard bits

# doubled = 2x, odd: x = 0.5, 1.5, -0.5, -20.5, 171.5, 4095.5
HALF_WHOLE = (1, 3, -1, -41, 343, 8191)


def test_gamma_and_lgamma_at_half_whole_numbers_are_right_to_the_last_bit_at_256() -> None:
    # gamma(n + 1/2) = sqrt(pi)*(2n)!/(4**n*n!) and its kin, computed with 32 guard
    # bits and rounded once to 256 bits: within one unit of the last place
    # (2**-255 relative) of mpmath's value at 600 bits. 32 bits fewer than the
    # context (224) leaves errors near 2**-224.
    # Kills functions.py:7b8f76ec:52:arith_add_sub:0 and 7b8f76ec:54:num_neg:0
    # (gamma at precision - 32), 1e8b1122:52:arith_add_sub:0 and
    # 1e8b1122:54:num_neg:0 (lgamma at precision - 32)
    from derivcli.language.functions import _exact_gamma, _exact_lgamma

    mpmath.mp.prec = 600
    for doubled in HALF_WHOLE:
        with gmpy2.context(gmpy2.get_context(), precision=256):
            x = gmpy2.mpfr(doubled) / 2
            ours = (_exact_gamma(gmpy2, x), _exact_lgamma(gmpy2, x))
        true_g = mpmath.gamma(mpmath.mpf(doubled) / 2)
        for value, true in zip(ours, (true_g, mpmath.log(abs(true_g))), strict=True):
            num, den = value.as_integer_ratio()
            assert abs(mpmath.mpf(num) / den - true) <= abs(true) * mpmath.mpf(2) ** -255


def test_gamma_3141_5_is_rounded_right_beside_a_midpoint_at_998961_bits() -> None:
    # gamma(n + 1/2) = sqrt(pi)*(2n)!/(4**n*n!), here n = 3141, in mpmath at 200
    # bits more (factorials and powers exact there). Past its 998,961st bit the
    # value reads 1, then 31 zeros, then 1s: 2**-32 of a unit of the last place
    # above the midpoint between two 998,961-bit floats, so rounded once it rounds
    # up. (Found by searching the bits of gamma at every half-whole number up to
    # 4096 for such runs; 32 guard bits do not make every value correctly rounded:
    # gamma(-2401.5) at 364,209 bits comes out one unit off.) With 31 guard bits
    # the sum lands on the midpoint itself, and ties to even rounds it down.
    # Kills functions.py:7b8f76ec:54:num_dec:0 (precision + 31)
    from derivcli.language.functions import _exact_gamma

    precision, n = 998961, 3141
    with gmpy2.context(gmpy2.get_context(), precision=precision):
        value = _exact_gamma(gmpy2, gmpy2.mpfr(2 * n + 1) / 2)
    with mpmath.workprec(precision + 200):
        fours = mpmath.mpf(4) ** n
        true = mpmath.sqrt(mpmath.pi) * mpmath.factorial(2 * n) / (fours * mpmath.factorial(n))
        num, den = value.as_integer_ratio()
        ours = mpmath.mpf(num) / den  # exact: den is a power of 2
        with mpmath.workprec(precision):
            rounded = +true
        assert ours == rounded


def test_gamma_50_5_is_flagged_inexact_where_its_guard_bits_round_to_zeros() -> None:
    # gamma(50.5) = sqrt(pi)*100!/(4**50*50!) is irrational (sqrt(pi) is), so no
    # float holds it: MPFR's inexact flag, which the exact evaluator reads to
    # tell exact steps from rounded ones, must be raised. Its bits past the
    # 617,974th are 32 zeros, then 11: at 617,974 bits the guarded value (sqrt(pi)
    # rounded, then the product) comes out with its 32 guard bits all 0, and its
    # final rounding raises no flag of its own.
    # Kills functions.py:7cbd803a:18:true_false:0 (context.inexact = False: the
    # flag then rests on that last rounding alone)
    from derivcli.language.functions import _exact_gamma

    with gmpy2.context(gmpy2.get_context(), precision=617974) as context:
        context.clear_flags()
        _exact_gamma(gmpy2, gmpy2.mpfr(101) / 2)
        assert context.inexact
