"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(/work/an_sample28.json; ids from commit 092902c, located by their code text).

Two groups: the exact root bracket (_Bracket, under kink_root) and the judgement
at a kink between floats (kink_between, KINK_PROBES). Each test pins a fact
worked out by hand, with exact fractions or mpmath where a number needs more
digits than a head holds (never derivcli's own output recorded as the
expectation), and names the mutants it kills.

Most _Bracket mutants change only the path its steps take. With one root in the
bracket every path ends on that root, so the cases below hold three roots (a
contract kink_root allows: any root in [lo, hi] with a sign change), where the
path decides which one is found.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath
from conftest import Cli

from derivcli.language.evaluate import Program, compile_tree, gmpy2
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import Reason, kink_between, kink_root


def _program(text: str) -> Program:
    return compile_tree(parse(text).tree)


def _exact(root: Any) -> Fraction:
    """An mpfr (or float) as the fraction it is, exactly."""
    if isinstance(root, float):
        return Fraction(root)
    q = gmpy2().mpq(root)
    return Fraction(int(q.numerator), int(q.denominator))


def _gap(root: Any, exact: Fraction | mpmath.mpf) -> float:
    """|root - exact| (root an mpfr or float), computed exactly enough to compare
    with 2**-256."""
    with mpmath.workprec(1024):
        value = _exact(root)
        value = mpmath.mpf(value.numerator) / value.denominator
        target = (
            mpmath.mpf(exact.numerator) / exact.denominator
            if isinstance(exact, Fraction)
            else exact
        )
        return float(abs(value - target))


def _third() -> Any:
    """kink_root's mpfr for the root 1/3 of x - 1/3 (no float is 1/3)."""
    root = kink_root(_program("x - 1/3"), {}, "x", 0.0, 1.0)
    assert root is not None and not isinstance(root, float)
    return root


# ---------------------------------------------------------------- _Bracket (kink_root)


def test_a_step_that_lands_on_a_root_closes_the_bracket_there() -> None:
    """g = (x - 27/61)(x - 34/61)(x - 57/61) on [0, 1]: g(0) = -52326/61**3 and
    g(1) = 3672/61**3, so the first (regula falsi) step is at 52326/55998 =
    57/61 exactly (55998*57 = 52326*61 = 3191886): a root. At the bracket's 320
    bits 57/61 is no number; the step lands 3.8e-98 above it (mpmath,
    320 bits: -g(0)/(g(1) - g(0)) - 57/61 = +3.8e-98), so b moves there, and
    the probe at b - tolerance/2 (tolerance 2**-256) is on the other side of
    57/61: the bracket closes on 57/61, the root that step found.

    Kills analysis.py:cef9d6c2:56:arith_sub_add:0 (that probe at b +
    tolerance/2, outside the bracket, so never taken): the bracket [0, 57/61]
    then still holds 27/61 and 34/61, and the search ends on 27/61.
    """
    root = kink_root(_program("(x - 27/61)*(x - 34/61)*(x - 57/61)"), {}, "x", 0.0, 1.0)
    assert root is not None and not isinstance(root, float)  # 57/61 is no float
    assert _gap(root, Fraction(57, 61)) <= 2.0**-256


def test_a_step_that_more_than_halves_the_bracket_is_followed_by_regula_falsi() -> None:
    """g = (x - 28/61)(x - 39/61)(x - 49/61) on [0, 1], traced in exact fractions
    (the probes, 2**-257 beside each step, change no sign here):

    1. regula falsi: g(0) = -53508/61**3, g(1) = 8712/61**3, the step is at
       53508/62220 = 4459/5185 = 0.8600, beyond 49/61 = 0.8033, g > 0 there:
       [0, 0.8600]. Less than halved, so
    2. bisection at 0.4300, below 28/61 = 0.4590, g < 0 there: [0.4300, 0.8600],
       exactly half (less the probe), so not *more* than half: the next step is
    3. regula falsi from g(0.4300) = -0.002268, g(0.8600) = 0.005016: at 0.5639,
       between 28/61 and 39/61 = 0.6393, g > 0 there: [0.4300, 0.5639], which
       holds the one root 28/61.

    Kills analysis.py:9d707ec2:16:arith_sub_add:0 (bisect = b + a > width/2,
    always true for a positive bracket) and analysis.py:9d707ec2:35:num_neg:0
    (> width/(-2), always true): every step after the first a bisection, so
    step 3 is at 0.6450, between 39/61 and 49/61 with g < 0: [0.6450, 0.8600]
    and the root 49/61.
    """
    root = kink_root(_program("(x - 28/61)*(x - 39/61)*(x - 49/61)"), {}, "x", 0.0, 1.0)
    assert root is not None and not isinstance(root, float)
    assert _gap(root, Fraction(28, 61)) <= 2.0**-256


def test_a_regula_falsi_step_that_rounds_onto_an_end_is_a_bisection() -> None:
    """g = (x - 1 - 2**-340)(x - 5/4)(x - 7/4) on [1, 2]: g(1) = -3*2**-344 and
    g(2) = 3/16 (to 2**-340), so the regula falsi step is at 1 + 2**-340
    (1 + 3*2**-344/(3/16)), which at the bracket's 320 bits (1's spacing
    2**-319) is 1 itself, an end: not strictly inside, so the step is the
    bisection at 3/2 instead, where g = (1/2)(1/4)(-1/4) < 0: [3/2, 2], which
    holds the one root 7/4, a float, at which the argument is exactly 0: the
    answer is the float 1.75.

    Kills analysis.py:4aac88cc:10:cmp_lt_le:0 (a <= guess < b): the step is
    taken at 1 itself, its probe at 1 + 2**-256 is past the root 1 + 2**-340,
    and the bracket closes there: an mpfr 2**-257 above 1.
    """
    root = kink_root(_program("(x - 1 - 2**-340)*(x - 5/4)*(x - 7/4)"), {}, "x", 1.0, 2.0)
    assert root == 1.75 and isinstance(root, float)


def test_the_narrowing_stops_once_the_bracket_is_the_tolerance_wide() -> None:
    """g = 2**257*x**2 - (2**257 - 3) on [0, 1] (tolerance 2**-256):
    g(0) = -(2**257 - 3), g(1) = 3, so the regula falsi step is at
    (2**257 - 3)/2**257 = 1 - 3*2**-257, exactly. The root is
    sqrt(1 - 3*2**-257) = 1 - 3*2**-258 (to 2**-514), above the step, so a
    moves there, and its probe a + 2**-257 = 1 - 2**-256 is still below the
    root (g = -1 + 2**-255 there): a moves again. The bracket [1 - 2**-256, 1]
    is now exactly the tolerance wide, which ends the narrowing: the answer is
    its midpoint 1 - 2**-257 (2**-258 from the root, within the 2**-256
    promised).

    Kills analysis.py:c094d059:22:cmp_gt_ge:0 (while b - a >= tolerance): one
    more step, and a different answer (1 - 7*2**-259). Both are within the
    promised accuracy of the root; what this pins is where the narrowing stops.
    """
    root = kink_root(_program("2**257*x**2 - (2**257 - 3)"), {}, "x", 0.0, 1.0)
    assert root is not None and not isinstance(root, float)
    assert _exact(root) == 1 - Fraction(1, 2**257)
    with mpmath.workprec(1024):
        assert _gap(root, mpmath.sqrt(1 - 3 * mpmath.mpf(2) ** -257)) <= 2.0**-256


# ---------------------------------------------------------------- kink_between


def test_a_jump_whose_right_side_settles_slowly_is_still_a_jump() -> None:
    """f = sign(x - 1/3) + relu(x - 1/3)**0.372 jumps at 1/3 from -1 to 1.
    Its values right of 1/3, at h = 2**-k/3 (steps are relative to the root),
    are 1 + h**0.372: for k = 160 and 192 1 + 2**-60.11 and 1 + 2**-72.01
    (0.372*(160 + log2(3)) = 60.11). They differ by 2**-60.11 (less
    2**-72.01), within 60 bits of each other: the right limit is 1, and with
    the left one (-1, relu is 0 there) a jump. The one-sided slopes: 0 on the
    left (f is -1), and ((2h)**0.372 - h**0.372)/h, which grows without bound,
    on the right.

    Kills analysis.py:7216cf38:84:num_inc:0 (the right values at 2*h, side 2:
    1 + 2**-59.74 at k = 160, no longer within 60 bits of k = 192's) and
    analysis.py:f85b3ec7:20:num_dec:0 (KINK_PROBES' 160 as 159: the same
    2**-59.74): the right limit is then undecided, the jump is missed, and the
    verdict names only the infinite slope (Reason.INFINITE, no detail).
    """
    f = _program("sign(x - 1/3) + relu(x - 1/3)**0.372")
    result = kink_between(f, {"x": _third()}, "x")
    assert result.reason is Reason.JUMP and result.differentiable is False
    assert result.detail == "f jumps from -1 to 1"
    assert (result.left, result.right) == (0.0, math.inf)


def test_a_jump_with_a_log_periodic_wobble_is_a_jump() -> None:
    """f = sign(x - 1/3) + 2**-56*cos(pi*log2(abs(x - 1/3))): a jump from -1 to
    1, plus a wobble of size 2**-56 that has no limit at 1/3. At the probes
    h = +-2**-k/3, cos(pi*log2(|h|)) = cos(pi*(-k - log2(3))) =
    (-1)**k*cos(pi*log2(3)), with cos(pi*log2(3)) = 0.2637 (mpmath); for k =
    128, 160, 192, all even, f is -1 + 2**-56*0.2637 on the left and
    1 + 2**-56*0.2637 on the right at every probe: limits -1 and 1 (the
    wobble is below half a float's spacing at 1), a jump. Its difference
    quotients, 2**-56*0.2637*(cos at 2h - cos at h)/h = -2**-55*0.2637/h,
    grow without bound: +inf on the left (h < 0), -inf on the right.

    Kills analysis.py:f85b3ec7:25:num_inc:0 (KINK_PROBES' 192 as 193, odd):
    the last value on each side has the opposite wobble, 2**-56.9 from the one
    before, neither the values nor the quotients settle, and the verdict is
    undecided (Reason.UNDECIDED, differentiable None) instead of the jump.
    (f85b3ec7:20, 159 for 160, fails the same way.)
    """
    f = _program("sign(x - 1/3) + 2**-56*cos(pi*log2(abs(x - 1/3)))")
    result = kink_between(f, {"x": _third()}, "x")
    assert result.reason is Reason.JUMP and result.differentiable is False
    assert result.detail == "f jumps from -1 to 1"
    assert (result.left, result.right) == (math.inf, -math.inf)


def test_a_kink_between_floats_at_an_edge_of_fs_domain() -> None:
    """f = relu(x - 1/3) + sqrt(1/3 - x) is defined left of 1/3 only: a domain
    edge, not differentiable there. Its slope from the left is that of
    sqrt(1/3 - x), -1/(2*sqrt(1/3 - x)), which tends to -inf; on the right
    there is none (None).

    Kills analysis.py:e3d7ac12:34:cmp_is_isnot:0 (left is not None and right
    is None: Reason.UNDEFINED, as if f were undefined on both sides) and
    analysis.py:544615d6:29:false_true:0 (differentiable True).
    """
    f = _program("relu(x - 1/3) + sqrt(1/3 - x)")
    result = kink_between(f, {"x": _third()}, "x")
    assert result.reason is Reason.DOMAIN_EDGE and result.differentiable is False
    assert (result.left, result.right) == (-math.inf, None)
    assert result.detail == "f is undefined on one side"


def test_a_kink_between_floats_where_f_is_undefined_on_both_sides() -> None:
    """f = relu(x - 1/3) + sqrt(-(x - 1/3)**2) is defined at 1/3 alone (the
    square root of a negative number everywhere else): undefined on both sides
    of the kink, so no one-sided slope at all, not differentiable, and the
    detail says both sides (it said "one side" before).

    Kills analysis.py:e3d7ac12:34:cmp_is_isnot:0 (Reason.DOMAIN_EDGE, as if
    f were defined on one side) and analysis.py:544615d6:29:false_true:0.
    """
    f = _program("relu(x - 1/3) + sqrt(-(x - 1/3)**2)")
    result = kink_between(f, {"x": _third()}, "x")
    assert result.reason is Reason.UNDEFINED and result.differentiable is False
    assert (result.left, result.right) == (None, None)
    assert result.detail == "f is undefined on both sides"


def test_plot_judges_a_kink_at_an_edge_of_fs_domain_not_differentiable(cli: Cli) -> None:
    """`derivcli plot relu(x - 1/3) + sqrt(1/3 - x)` over [-1, 1]: relu's kink at
    1/3 (no float; drawn at the nearest, 0.3333333333333333) is an edge of f's
    domain (sqrt(1/3 - x) is undefined right of it): not differentiable, the
    left slope -inf (see the test above), none on the right.

    Kills analysis.py:544615d6:29:false_true:0 through the command: the kink
    would be listed as differentiable.
    """
    run = cli(
        "plot",
        "relu(x - 1/3) + sqrt(1/3 - x)",
        "--range",
        "-1:1",
        "--points",
        "10",
        "--timeout",
        "60",
        "-f",
        "json",
    )
    assert (run.code, run.err) == (1, "")
    doc = run.json()
    assert doc["kinks"] == [
        {
            "x": 1 / 3,
            "at_float": False,
            "differentiable": False,
            "left": "-inf",
            "right": None,
            "note": "f is undefined on one side",
        }
    ]
    assert "not differentiable at 1 kink (x=0.3333333333333333)" in doc["summary"]
