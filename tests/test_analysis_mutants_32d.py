"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 32, part d).

Pinned here, each by a fact worked out by hand (exact fractions, or mpmath
where a number needs more digits than a head holds), never derivcli's own
output recorded as the expectation:

- _jump's slow-join test (_joined_slowly) measures the real gap between a
  lower derivative's two sides at each step: a first derivative that jumps by
  2**-80 (between the 2**-100 that side limits are compared to and the 2**-60
  they settle to) is a jump, not a limit reached slowly;
- _Quotients evaluates the point's near side (p + h) with exact sums, as
  its far side (p + 2h): a sum whose last bit one more step would need is
  not rounded at the quotient's first precision, so two one-sided
  derivatives 2**-118 apart stay apart (a corner, not a smooth kink);
- kink_root gives None where the argument is undefined at one end of the
  bracket, whatever its value at the other;
- kink_root narrows the bracket at KINK_ROOT_BITS + 64 bits: the regula falsi
  step for x - 1/3 on [0, 1] lands on 1/3 rounded to 320 bits, and the answer
  is traced from there.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
import pytest
from conftest import Cli, CliRun, one

from derivcli.language.evaluate import Program, compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import kink_root


def _program(text: str) -> Program:
    return compile_tree(parse(text).tree)


def _exact(value: Any) -> Fraction:
    """An mpfr's exact value."""
    numerator, denominator = value.as_integer_ratio()
    return Fraction(int(numerator), int(denominator))


def _json(cli: Cli, command: str, text: str, at: str, *wrt: str) -> tuple[CliRun, dict[str, Any]]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli(command, text, *args, "--at", at, "-f", "json", "--timeout", "60")
    return run, one(run)


# ---------------------------------------------------------------- _joined_slowly


def test_a_first_derivative_jumping_by_2_to_the_minus_80_is_no_slow_join(cli: Cli) -> None:
    """f = x**2/2 + x + 2**-80*relu(x), d2f/dx2 at x = 0, by hand: f' = x + 1 +
    2**-80*heaviside(x), so f' has the left limit 1 and the right limit
    1 + 2**-80 at 0: f' jumps there, and f'' does not exist (though f'' is 1
    on both sides, relu'' being 0 off its kink). The jump is below the 2**-60
    to which side limits settle but above the 2**-100 to which they are told
    apart, so _joined_slowly looks at the gap between f''s values on the two
    sides at 2**-1024, 2**-2048 and 2**-4096: (1 + 2**-k + 2**-80) - (1 -
    2**-k), about 2**-80 at each, which does not shrink: a jump, of 2**-80 =
    8.271806126e-25 (mpmath below).

    Kills analysis.py:ec09f935:23:num_dec:0 (each gap read as
    abs(values[0] - values[0]) = 0, which "keeps shrinking": the jump is taken
    for a limit reached slowly, and the point called differentiable, "agree")."""
    assert mpmath.nstr(mpmath.mpf(2) ** -80, 10) == "8.271806126e-25"
    run, result = _json(cli, "partial", "x**2/2 + x + 2**-80*relu(x)", "x=0", "x", "x")
    assert run.code == 1, run.err
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == (1.0, 1.0)
    assert "the derivative of order 1 jumps at x=0" in result["note"]
    assert "it jumps by 8.271806126e-25" in result["note"]


# ---------------------------------------------------------------- _Quotients


def test_one_sided_quotients_take_the_near_value_with_exact_sums(cli: Cli) -> None:
    """f = 2**10 + (1 + 2**-117)*x - 2**-118*relu(x) at x = 0, by hand: the left
    derivative is L = 1 + 2**-117, the right one R = L - 2**-118 = 1 +
    2**-118; they differ (by 2**-118 = 3.009265538e-36, mpmath below), so f is
    not differentiable there (a kink of relu), though both print as 1.

    _Quotients takes (f(2h) - f(h))/h at h = 2**-k (k = 256, 512, 1024) with
    k + 128 bits first. On the right, f(h) = 2**10 + 2**-k + 2**-(k+118) spans
    the bits 2**10 ... 2**-(k+118), k + 129 of them: one too many, so only exact
    sums keep its last bit; f(2h) = 2**10 + 2**(1-k) + 2**-(k+117) spans k + 128
    and is exact (nothing to refine: no operation rounded). With the last bit
    kept, the right quotients are R exactly; the left ones (f(-h) = 2**10 -
    2**-k - 2**-(k+117), below 2**10, k + 127 bits) are L exactly. L and R
    agree to 2**-100 but are not equal, so the gap between the sides is
    followed to 2**-4096, where it stays 2**-118: a corner, not differentiable.

    Kills analysis.py:56eefca4:49:true_false:0 (f(h) without exact sums: it
    rounds, half an ulp (2**-(k+118)) on a tie, to even, 2**10 + 2**-k, and the
    right quotient reads (2**(1-k) + 2**-(k+117) - 2**-k)/2**-k = 1 + 2**-117
    = L: the sides equal exactly, and the kink taken for a smooth one, "agree")."""
    assert mpmath.nstr(mpmath.mpf(2) ** -118, 10) == "3.009265538e-36"
    text = "2**10 + (1 + 2**-117)*x - 2**-118*relu(x)"
    run, result = _json(cli, "grad", text, "x=0")
    assert run.code == 1, run.err
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == (1.0, 1.0)
    assert "the two differ by 3.009265538e-36" in result["note"]


# ---------------------------------------------------------------- kink_root


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        # sqrt(x) - 1: undefined at -1 (sqrt of a negative number), 1 at 4
        ("sqrt(x) - 1", -1.0, 4.0),
        # sqrt(x) - 2: undefined at -1, exactly 0 at 4
        ("sqrt(x) - 2", -1.0, 4.0),
        # the mirror images: 1 - sqrt(-x) is -1 at -4, undefined at 1
        ("1 - sqrt(-x)", -4.0, 1.0),
        # 2 - sqrt(-x): exactly 0 at -4, undefined at 1
        ("2 - sqrt(-x)", -4.0, 1.0),
    ],
)
def test_kink_root_is_none_where_the_argument_is_undefined_at_one_end(
    text: str, lo: float, hi: float
) -> None:
    """kink_root's contract: None where the argument is undefined on the way. Here
    it is undefined at exactly one end of [lo, hi] (sqrt of -1), and at the other
    end it is 1 or exactly 0 (sqrt(4) - 1 = 1, sqrt(4) - 2 = 0, 1 - sqrt(4) =
    -1, 2 - sqrt(4) = 0, by hand): no sign change can be told, so None.

    Kills analysis.py:edd6dd68:16:bool_or_and:0 (``f_lo is None and f_hi is
    None``: one undefined end gets through, and is either compared with 0,
    a TypeError, or the defined end where it is 0 is returned as the root)."""
    assert kink_root(_program(text), {}, "x", lo, hi) is None


def test_kink_root_narrows_at_320_bits() -> None:
    """kink_root for x - 1/3 on [0, 1], traced by hand. The argument is -1/3 at 0
    and 2/3 at 1, so the first regula falsi step is at 0 + (1/3)*1/(2/3 + 1/3) =
    1/3, rounded to the working precision, KINK_ROOT_BITS + 64 = 320 bits. In
    binary 1/3 = 0.010101...: its 320 significant bits end at 2**-321 (a 0),
    and what follows, 0.1010...*2**-321 = (2/3)*2**-321, is over half a unit:
    it rounds up, to g = 1/3 + 2**-321/3. There x - 1/3 > 0, so b moves to g
    (the bracket [0, g]); the bracket is still wider than the tolerance
    2**-256 (of the larger end, 1), so it is probed at g - 2**-257, where x -
    1/3 < 0: a moves there. The bracket [g - 2**-257, g] is now within the
    tolerance, and the answer is its midpoint g - 2**-258 = 1/3 + 2**-321/3 -
    2**-258 (left of 1/3, by less than 2**-256 of it, as promised).

    Kills analysis.py:d3ec375a:59:num_inc:0 (321 bits: 1/3's next bit after
    its 321 is a 0, so g rounds down, to 1/3 - 2**-322/3; x - 1/3 < 0 there, so
    a moves, the probe at g + 2**-257 moves b, and the answer is g + 2**-258,
    right of 1/3)."""
    third = Fraction(1, 3)
    with mpmath.workprec(320):
        rounded = mpmath.mpf(1) / 3  # round to nearest at 320 bits
    mantissa, exponent = rounded.man_exp
    assert Fraction(int(mantissa)) * Fraction(2) ** int(exponent) == third + Fraction(1, 3 * 2**321)
    root = kink_root(_program("x - 1/3"), {}, "x", 0.0, 1.0)
    assert root is not None and not isinstance(root, float)  # 1/3 is no float
    assert _exact(root) == third + Fraction(1, 3 * 2**321) - Fraction(1, 2**258)
    assert abs(_exact(root) - third) < third / 2**256
