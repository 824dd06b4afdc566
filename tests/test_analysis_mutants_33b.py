"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 33, part b).

Pinned here, each by a fact worked out by hand (never derivcli's own output
recorded as the expectation):

- _beside moves a coordinate exactly even where the coordinate itself already
  carries more bits than MAX_PRECISION - 128 (a point moved 2**-16384 off a
  kink line, _off, holds 16,437 significant bits), moved again by a larger
  offset: the floor of MAX_PRECISION + 128 bits holds all of them;
- _settle takes one more step past 2**-4096 where the quotients shrink, but
  less at the last step than at the one before, and the last one is exactly
  -1 (nonzero): the quotients of A*relu(x)*relu(x - t) - x at 0 from the
  right, which are -1 once both probe points lie below t, and A*(3h - t) - 1
  (huge) above it;
- _Quotients reads a quotient exactly on its rounding bound as 0 (``<=``),
  at the last guard too: one at 2**-4096 that would otherwise stop a shrinking
  side from reading 0.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from fractions import Fraction

import gmpy2
from conftest import Cli, one

from derivcli.language.evaluate import MAX_PRECISION
from derivcli.symbolic import analysis

# ---------------------------------------------------------------- _beside


def test_beside_keeps_a_coordinate_of_16437_bits_moved_by_a_larger_offset() -> None:
    """x = 1 moved by 2**-16384 (as _off moves a point off a kink line at its
    deepest distance) is 1 + 2**-16384: bits from 2**0 down to 2**-16384, 16,385
    of them, all kept (_beside's own count, 1 + 16383 + 128 = 16,512 bits, by
    hand). Moved again along x by 2**-64, the sum 1 + 2**-64 + 2**-16384 still
    needs 16,385 bits, while the count from the two exponents is only 1 + 63 +
    128 = 192: the floor MAX_PRECISION + 128 = 16,512 bits is what keeps the
    last bit. Exactly 1 + 2**-64 + 2**-16384 as a rational (by hand).
    Kills analysis.py:ba735903:60:arith_add_sub:0 (``MAX_PRECISION - 128``: a
    floor of 16,256 bits, and 2**-16384 is rounded away, leaving 1 + 2**-64)."""
    assert MAX_PRECISION - 128 < 16385 <= MAX_PRECISION + 128
    deep = gmpy2.mul_2exp(gmpy2.mpfr(1), -16384)
    off = analysis._beside({"x": 1.0, "y": 3.0}, "x", deep)
    assert Fraction(*off["x"].as_integer_ratio()) == 1 + Fraction(1, 2**16384)
    moved = analysis._beside(off, "x", gmpy2.mul_2exp(gmpy2.mpfr(1), -64))
    expected = 1 + Fraction(1, 2**64) + Fraction(1, 2**16384)
    assert Fraction(*moved["x"].as_integer_ratio()) == expected
    assert moved["y"] == 3.0


# ---------------------------------------------------------------- _settle: shrinking slower

# A = 2**2060 and t = 2**-3000: the relu product is 0 for x < t, so f is -x all
# around 0 (|x| < t): f'(0) = -1, from both sides (by hand).
SHRINKS_TO_MINUS_1 = "2**2060*relu(x)*relu(x - 2**-3000) - x"


def test_quotients_shrinking_more_slowly_onto_exactly_minus_1_take_one_more_step(
    cli: Cli,
) -> None:
    """f = A*relu(x)*relu(x - t) - x, A = 2**2060, t = 2**-3000. For 0 < h with
    h > t, the right quotient (f(2h) - f(h))/h is (A*(2h(2h - t) - h(h - t)) - h)/h
    = A*(3h - t) - 1; for 2h < t it is (-2h + h)/h = -1 exactly (by hand). At
    the steps 2**-1024, 2**-2048, 2**-4096 (relative to 1 at 0): 3*2**1036 - 2**-940
    - 1 (about 3*2**1036), 3*2**12 - 2**-940 - 1 (about 12287), and -1. Each at
    least 256 times below the one before: the limit reads 0 (shrinking), but the
    last step shrank less (12287 against 2**1024): not a power of h, so one more
    step, 2**-8192, gives -1 again: converged, the right derivative is -1. Left
    of 0 f = -x: -1. The sides meet: f'(0) = -1, and torch's relu gradient at 0
    (0) and the closed form (heaviside(0)*relu(-t) = 0) give -1 too.
    Kills analysis.py:3fc18d93:9:num_dec:0 (``limit == (-1)``: the extra step is
    never taken, the right side stays 0.0, a kink) and
    analysis.py:3fc18d93:29:num_dec:0 (``values[-1] != (-1)``: the last value is
    exactly -1, so again no extra step, right 0.0)."""
    assert 3 * 2**12 - 1 >= 256 * 1  # 2**-2048's quotient against 2**-4096's
    assert Fraction(2, 2**4096) < Fraction(1, 2**3000)  # 2h below t at 2**-4096
    assert Fraction(3, 2**2048) > Fraction(1, 2**3000)  # h above t at 2**-2048
    run = cli("grad", SHRINKS_TO_MINUS_1, "--at", "x=0", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.err
    result = one(run)
    assert result["verdict"] == "agree", result["note"]
    assert result["differentiable"] is True
    assert (result["left"], result["right"]) == (-1.0, -1.0)
    assert (result["symbolic"], result["autograd"]) == (-1.0, -1.0)


# ---------------------------------------------------------------- _Quotients: on the rounding bound

# f = -exp(-s), s = 2**-1277*relu(4x - 3*2**-4095) + relu(x - 2**-3000)**2 + relu(-x)**2.
# Each relu is 0 for x < 3*2**-4097 (the first), x < 2**-3000 (the second) and
# x > 0 (the third): f = -1 on (0, 3*2**-4097), and -exp(-x**2) left of 0.
ON_THE_ROUNDING_BOUND = (
    "-exp(-2**-1277*relu(4*x - 3*2**-4095) - relu(x - 2**-3000)**2 - relu(-x)**2)"
)


def test_a_right_quotient_exactly_on_its_rounding_bound_reads_as_0(cli: Cli) -> None:
    """f'(0) = 0 (by hand): f is -1 on (0, 3*2**-4097) and -exp(-x**2) left of
    0, whose slope at 0 is 0 too.

    The right quotient (f(2h) - f(h))/h at h = 2**-4096, with the last guard's
    4096 + 1280 = 5376 bits: 4h - 3*2**-4095 = -2**-4095, so every relu is 0 and
    f(h) = -exp(0) = -1 exactly; 8h - 3*2**-4095 = 2**-4095, so f(2h) =
    -exp(-2**-5372), which 5376 bits (an ulp of 2**-5376 below 1) round to
    -(1 - 2**-5372). The quotient is 2**-5372*2**4096 = 2**-1276, and its
    rounding bound, max(|f|) * 2**(k + 4 - bits) = 2**(4096 + 4 - 5376), is
    2**-1276 too: exactly on it, so within rounding of 0, and read as 0.
    Before it, the right quotients are about 3*2**-256, 3*2**-512, 3*2**-1024
    (relu(x - 2**-3000)**2 gives 3h) and 2**-1275 at 2**-2048 (4*2**-1277 from
    the first relu, the 3h below the rounding there): each 256 times or more
    smaller than the one before, then 0: shrinking, the right side is 0. The
    left quotients (-exp(-x**2): -3h, 0 at 2**-2048 and 2**-4096 within
    rounding) converge on 0. The sides meet: differentiable, 0.
    Kills analysis.py:c3d2a1e2:17:cmp_le_lt:0 (``<``: the quotient on the bound
    is kept, 2**-1276 after 2**-1275 neither shrinks nor settles, the right side
    is nan and derivcli cannot decide, exit 3)."""
    assert Fraction(4, 2**4096) - Fraction(3, 2**4095) == -Fraction(1, 2**4095)
    assert Fraction(8, 2**4096) - Fraction(3, 2**4095) == Fraction(1, 2**4095)
    assert 4096 + 4 - (4096 + 1280) == -1276 == -5372 + 4096
    run = cli("grad", ON_THE_ROUNDING_BOUND, "--at", "x=0", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.err
    result = one(run)
    assert result["verdict"] == "agree", result["note"]
    assert result["differentiable"] is True
    assert (result["left"], result["right"]) == (0.0, 0.0)
    assert result["symbolic"] == 0.0 and result["autograd"] == 0.0
