"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 32, part a).

Pinned here, each by a fact worked out by hand or with mpmath (never derivcli's
own output recorded as the expectation):

- examine gives a one-sided derivative that float64 rounds to zero as 0.0,
  never -0.0, on the right side as on the left (the project's "no -0.0");
- _continuous_at reads f's value at the point with exact sums, so a term that
  384 bits would round away and a later partial cancellation would bring up
  to 2**-94 of the result is kept;
- _sides_apart needs quotients at two common steps before it calls a gap
  between two sides real;
- _beside moves a point exactly by an offset of up to 128 significant bits,
  however far below the coordinate it lies;
- _Quotients takes a quotient only when it is strictly more than QUOTIENT_BITS
  above its rounding bound: one exactly on that bar is taken again with more
  guard bits (seen from the CLI as a correctly rounded one-sided derivative).

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import gmpy2
import mpmath
import pytest
from conftest import Cli, CliRun, one

from derivcli.language.evaluate import MAX_PRECISION, compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic import analysis


def _json(cli: Cli, command: str, text: str, at: str, *wrt: str) -> tuple[CliRun, dict[str, Any]]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli(command, text, *args, "--at", at, "-f", "json", "--timeout", "60")
    return run, one(run)


# ---------------------------------------------------------------- examine: no -0.0


@pytest.mark.parametrize(
    ("text", "side", "missing"),
    [
        # kills the mutant: the right side
        ("sqrt(x)**4 - exp(-1000)*x", "right", "left"),
        # its mirror image, the left side (never mutated): the same convention
        ("sqrt(-x)**4 - exp(-1000)*x", "left", "right"),
    ],
)
def test_a_one_sided_derivative_below_float64_is_a_positive_zero(
    cli: Cli, text: str, side: str, missing: str
) -> None:
    """sqrt(x)**4 - exp(-1000)*x is x**2 - e**-1000*x for x >= 0 and undefined for
    x < 0 (sqrt of a negative number): at 0 only the right derivative exists, and
    it is 2*0 - e**-1000 = -e**-1000, about -5.076e-435 (mpmath below), far under
    float64's least subnormal 2**-1074 (4.9e-324): as a float64 it is a zero.
    derivcli keeps no -0.0 (_limit's ``float(c) + 0.0  # no -0.0``, and examine's
    ``float(exact_left) + 0.0``), so JSON's "right" is 0.0 with a positive sign.
    The mirror image sqrt(-x)**4 - exp(-1000)*x has the left derivative
    -e**-1000 (f = x**2 - e**-1000*x for x <= 0), also 0.0.
    Kills analysis.py:2edad25c:60:arith_add_sub:0 (``float(exact_right) - 0.0``
    keeps the sign of float(-5.076e-435), -0.0, in "right")."""
    with mpmath.workdps(30):
        exact = -mpmath.exp(-1000)
        assert mpmath.mpf("-5.0760e-435") < exact < mpmath.mpf("-5.0759e-435")
        assert abs(exact) < mpmath.mpf(2) ** -1075  # rounds to a zero in float64
    run, result = _json(cli, "grad", text, "x=0")
    assert result["verdict"] == "not differentiable", result["note"]
    assert result[missing] is None
    assert result[side] == 0.0
    assert f'"{side}": 0.0' in run.out  # not -0.0
    assert "edge of the function's real domain" in result["note"]


# ---------------------------------------------------------------- _continuous_at


def test_f_value_beside_the_point_keeps_a_term_384_bits_would_round_away(cli: Cli) -> None:
    """f = x*abs(x) + ((1 + y**6) - (1 - 2**-290)) is x*abs(x) + y**6 + 2**-290
    exactly, so df/dx = 2*abs(x) everywhere (x*abs(x) has slope 2|x|, also 0 at
    x = 0 from both sides) and d2f/dxdy = 0 everywhere, (0, 0) included: the
    derivative exists there and is 0.

    abs's kink at x = 0 sends (0, 0) to the careful analysis, which checks that
    df/dx exists beside the point along y: at y = +-2**-64 (the analysis's
    step), where f must be continuous along x. There y**6 = 2**-384 is half an
    ulp of 1 at 384 bits (EXACT_LIMIT_BITS), so 1 + y**6 rounds to 1 unless the
    sum is taken exactly; then minus (1 - 2**-290) leaves 2**-290 instead of
    2**-290*(1 + 2**-94). That cancellation (2**290) is below what makes
    exact_value refine (2**(384 - 80)), so only exact sums keep the term; the
    side limits (taken with exact sums) are 2**-290*(1 + 2**-94), 2**-94 apart
    from the rounded value, more than the 2**-100 limits are compared to.
    Kills analysis.py:74a92d1c:74:true_false:0 (exact_sums=False: f reads as
    jumping along x beside the point, so df/dx "does not exist beside the point
    along y", and the point is called not differentiable)."""
    text = "x*abs(x) + ((1 + y**6) - (1 - 2**-290))"
    run, result = _json(cli, "partial", text, "x=0,y=0", "x", "y")
    assert run.code == 0, run.err
    assert result["differentiable"] is True, result["note"]
    assert result["verdict"] == "agree"
    assert (result["symbolic"], result["left"], result["right"]) == (0.0, 0.0, 0.0)


# ---------------------------------------------------------------- _sides_apart

ABS = compile_tree(parse("abs(x)").tree)


def _abs_sides(*steps: int) -> tuple[analysis._Quotients, analysis._Quotients]:
    point = {"x": 0.0}
    left, right = (analysis._Quotients(ABS, point, "x", side, ABS) for side in (-1, +1))
    # abs(x) beside 0: (|2h| - |h|)/h is -1 for h < 0 and 1 for h > 0, at every step
    assert left(list(steps)) == [-1] * len(steps)
    assert right(list(steps)) == [1] * len(steps)
    return left, right


def test_sides_apart_needs_two_common_steps() -> None:
    """abs(x) at 0 has quotients -1 and 1 at every step (by hand, above): a gap
    of 2. _sides_apart calls a gap real only when it stays over the last two
    common steps; with quotients at one step only there is nothing to see it
    stay, so the answer is False; with two it is True (2 and 2: it stays).
    (From the CLI both sides always have at least PROBE_EXPONENTS' three steps.)
    Kills analysis.py:13117753:16:num_dec:0 (``len(taken) < 1``: one step gets
    through, and the second gap is read from a list of one: IndexError)."""
    assert analysis._sides_apart(*_abs_sides(256)) is False
    assert analysis._sides_apart(*_abs_sides(256, 512)) is True


# ---------------------------------------------------------------- _beside


def test_beside_keeps_every_bit_of_an_offset_with_128_significant_bits() -> None:
    """_beside moves a point by an offset exactly ("every bit of both"). With x =
    1 (MPFR exponent 1) and offset d = (2**128 - 1)*2**-20128 (128 significant
    bits, exponent -20000), 1 + d has bits from 2**0 down to 2**-20128: 20,129
    bits, exactly get_exp(x) - get_exp(d) + 128 = 1 + 20000 + 128, more than
    MAX_PRECISION + 128 (16,512), so that count is the precision used. The
    result must be 1 + d as a rational, exactly.
    Kills analysis.py:23fd803a:42:num_dec:0 (``+ 127``: 20,128 bits, and the last
    bit of d, 2**-20128, is rounded away)."""
    with gmpy2.context(gmpy2.get_context(), precision=200):
        offset = gmpy2.mul_2exp(gmpy2.mpfr(2**128 - 1), -20128)
    assert Fraction(*offset.as_integer_ratio()) == Fraction(2**128 - 1, 2**20128)
    assert gmpy2.get_exp(offset) == -20000 and MAX_PRECISION + 128 < 20129
    moved = analysis._beside({"x": 1.0, "y": 2.0}, "x", offset)
    assert Fraction(*moved["x"].as_integer_ratio()) == 1 + Fraction(2**128 - 1, 2**20128)
    assert moved["y"] == 2.0
    # the docstring's case: 2**-65536 of a float's 53 bits (1/3 as a float)
    third = 1 / 3
    step = gmpy2.mul_2exp(gmpy2.mpfr(third), -65536)
    moved = analysis._beside({"x": third}, "x", step)
    assert Fraction(*moved["x"].as_integer_ratio()) == Fraction(third) * (1 + Fraction(1, 2**65536))


# ---------------------------------------------------------------- _Quotients: QUOTIENT_BITS

# f's right quotient at the step 2**-1024 beside 0 sits exactly on the 104-bit bar
# at its first precision (1,024 + 128 bits), and the true derivative lies just
# above a float64 halfway point: see the test's docstring.
ON_THE_BAR = "(1 + 2**-53)*exp((2**-20 + 2**-131)*(x - 2**-1023)) + relu(-x)**2"


def test_a_quotient_exactly_on_the_104_bit_bar_is_taken_again_finer(cli: Cli) -> None:
    """f = B*exp(c*(x - 2**-1023)) + relu(-x)**2 with B = 1 + 2**-53 and c = 2**-20 +
    2**-131. relu(-x)**2 has slope 0 at 0 from both sides, so f'(0) =
    B*c*exp(-c*2**-1023) = 2**-20*(1 + 2**-53)*(1 + 2**-111)*(1 - ~2**-1043),
    just above the halfway point 2**-20*(1 + 2**-53) between the float64s 2**-20
    and 2**-20*(1 + 2**-52): correctly rounded, f'(0) is 2**-20*(1 + 2**-52)
    (mpmath below). relu's kink at 0 makes derivcli take the two sides' quotients.

    The right one at h = 2**-1024, with 1,152 bits: f(2h) = B exactly (exp(0)),
    and f(h) = B*exp(-c*h), exp(-(2**-1044 + 2**-1155)) rounded to 1 - 2**-1044
    (2**-1155 is under half an ulp, 2**-1153), so the quotient reads
    (B - B*(1 - 2**-1044))/h = B*2**-20, the halfway point itself. Its rounding
    bound (noise) is B*2**(1024 + 4 - 1152) = B*2**-124, times 2**104 that is
    B*2**-20 too: exactly on the bar, so it is not yet taken, but taken again with
    640 guard bits, which gives B*c*(1 - c*h/2), above the halfway point.
    Kills analysis.py:4a6d5ba2:17:cmp_gt_ge:0 (``>=``: B*2**-20 is taken, and as a
    float64 it rounds to even, 2**-20: "right" and the derivative shown are one
    ulp below f'(0))."""
    with mpmath.workdps(400):
        b, c = 1 + mpmath.mpf(2) ** -53, mpmath.mpf(2) ** -20 + mpmath.mpf(2) ** -131
        exact = b * c * mpmath.exp(-c * mpmath.mpf(2) ** -1023)
        halfway = b * mpmath.mpf(2) ** -20
        assert halfway < exact < halfway * (1 + mpmath.mpf(2) ** -110)
        expected = float(exact)  # mpmath rounds to nearest
    assert expected == 2.0**-20 * (1 + 2.0**-52)
    run, result = _json(cli, "grad", ON_THE_BAR, "x=0")
    assert result["verdict"] == "agree", result["note"]
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (expected,) * 3
