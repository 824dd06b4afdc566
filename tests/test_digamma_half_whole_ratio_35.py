"""digamma's shortcut at whole and half-whole numbers reads x's exact ratio.

digamma at n/2 is a rational plus a constant (computed so, in microseconds),
and the test for n/2 doubled x in the context's precision: a probe 1 +
3*2**-258, held with more bits than the 256 it is evaluated at, doubled to
exactly 2 and was given digamma(1) = -euler_gamma, 4 units of the last place
away from its own value. (gamma and lgamma had the same flaw, found by a
helper when lgamma's probes beside its zeros went wrong.)
"""

from __future__ import annotations

import gmpy2
import mpmath

from derivcli.language.functions import _exact_digamma


def test_a_probe_beside_1_held_with_more_bits_is_not_taken_for_1() -> None:
    with gmpy2.context(gmpy2.get_context(), precision=600):
        x = gmpy2.mpfr(1) + 3 * gmpy2.mpfr(2) ** -258  # exact in 600 bits
    with gmpy2.context(gmpy2.get_context(), precision=256):
        value = _exact_digamma(gmpy2, x)
    with mpmath.workprec(1200):
        truth = mpmath.digamma(mpmath.mpf(1) + 3 * mpmath.mpf(2) ** -258)
        # digamma(1 + h) = -euler_gamma + h*pi**2/6 + ...: 1.07e-77 above digamma(1)
        assert truth - mpmath.digamma(1) > mpmath.mpf(2) ** -256
        assert abs(
            mpmath.mpf(value.as_integer_ratio()[0]) / value.as_integer_ratio()[1] - truth
        ) <= (mpmath.mpf(2) ** -257)  # half a unit of the last place


def test_half_whole_and_whole_numbers_still_take_the_shortcut_exactly() -> None:
    for n in (1, 3, 4, 7, 341):  # n/2
        with gmpy2.context(gmpy2.get_context(), precision=256):
            value = _exact_digamma(gmpy2, gmpy2.mpfr(n) / 2)
        with mpmath.workprec(600):
            truth = mpmath.digamma(mpmath.mpf(n) / 2)
            assert abs(mpmath.mpf(str(value)) - truth) <= abs(truth) * mpmath.mpf(2) ** -250
