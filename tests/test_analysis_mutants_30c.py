"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py (stop 30,
helper c). Each test pins a fact worked out by hand (exact fractions, or mpmath
where a number needs more digits than a head holds), never derivcli's own output
recorded as the expectation, and names the mutant it kills.

Most of these mutants move one side's probes: ``_step(point, var, side, k)`` is
``side * 2**-k`` (relative to the coordinate, or to 1 at 0), so a side of -2 or
+2 reads that side at 2**-(k-1) instead of 2**-k. The inputs below hide a window
where f has no value (a square root of -1) at exactly one of the points such a
mutant reads, and at none of the points the analysis reads otherwise:

    W(t; a, b) = sqrt(1 - 2*heaviside(t - a) + 2*heaviside(t - b)),  a < b,

is 1 for t < a and t > b (1 - 0 + 0, 1 - 2 + 2), 0 at a and b (heaviside is 1/2
there), and sqrt(-1), no real value, strictly between a and b. Outside the window
f is what it is without W, so the derivative asked for exists and is that of the
rest; the window is far from the point, so no kink of W is on the point.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
from conftest import Cli, one

from derivcli.language.evaluate import Program, compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import kink_root


def _program(text: str) -> Program:
    return compile_tree(parse(text).tree)


def _result(cli: Cli, *args: str) -> dict[str, Any]:
    run = cli(*args, "--timeout", "60", "-f", "json")
    result: dict[str, Any] = one(run)
    return result


# ---------------------------------------------------------------- _lower_missing_beside


def test_the_left_quotients_beside_the_point_are_read_at_their_own_steps(cli: Cli) -> None:
    """d2/dxdy of f = x*y + relu(x)**3 + W(x; -5*2**-1024, -3*2**-1024) - 1 at
    (0, 1). W is 1 for x > -3*2**-1024, so around the point f is x*y + relu(x)**3,
    and d2f/dxdy = 1 there (relu(x)**3 has no y): the answer is 1, and the point
    (relu's kink) is differentiable.

    _lower_missing_beside checks that d/dx exists at y = 1 -+ 2**-64 from the left
    quotients (f(2h) - f(h))/h at h = -2**-k, k = 256, 512, 1024: the points
    -2**-1024 and -2*2**-1024, both right of the window.

    Kills analysis.py:4c801b54:48:num_inc:0 (those left quotients at side -2):
    at k = 1024 they read f at -2*2**-1024 and -4*2**-1024, inside the window,
    where f has no value; the left side is then missing, and d/dx is said not
    to exist beside the point: "not differentiable".
    """
    text = (
        "x*y + relu(x)**3 + sqrt(1 - 2*heaviside(x + 5*2**-1024) + 2*heaviside(x + 3*2**-1024)) - 1"
    )
    result = _result(cli, "partial", text, "--wrt", "x", "--wrt", "y", "--at", "x=0,y=1")
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0
    assert (result["left"], result["right"]) == (1.0, 1.0)
    assert result["verdict"] == "agree"


# ---------------------------------------------------------------- _mixed_sides


def test_the_mixed_differences_inner_left_steps_are_their_own(cli: Cli) -> None:
    """d2/dxdy of f = sinc(x)*y + W(x; -5*2**-1024, -3*2**-1024) at (0, 1). W is 1
    for x > -3*2**-1024, so around the point f is sinc(x)*y + 1, and d2f/dxdy is
    sinc'(x), which is 0 at 0 (sinc is even): the derivative exists and is 0.
    Its closed form (cos(pi*x) - sinc(x))/x is 0/0 all along x = 0, so the sides
    along y come from f's own mixed differences (_mixed_sides): the inner step
    along x is a = -+2**-2k, k = 256, 512, 1024, at a and 2a, so on the left
    -2**-1024 and -2*2**-1024 at k = 512, right of the window.

    Kills analysis.py:99fe39e0:52:num_inc:0 (the inner left side at -2): at
    k = 512 it reads f at -2*2**-1024 and -4*2**-1024, inside the window, so that
    side has no value, neither side is taken, and derivcli says it cannot decide.
    (The mutant of _lower_missing_beside's left quotients fails here too.)
    """
    text = "sinc(x)*y + sqrt(1 - 2*heaviside(x + 5*2**-1024) + 2*heaviside(x + 3*2**-1024))"
    result = _result(cli, "partial", text, "--wrt", "x", "--wrt", "y", "--at", "x=0,y=1")
    assert result["differentiable"] is True
    assert result["symbolic"] == 0.0
    assert (result["left"], result["right"]) == (0.0, 0.0)


# ---------------------------------------------------------------- _continuous_at


def test_continuity_beside_the_point_reads_the_right_side_at_its_own_steps(cli: Cli) -> None:
    """d2/dxdy of f = x*y + relu(x)**3 + W(2**100*x; 3*2**-3997, 3*2**-3996) - 1 at
    (0, 1). The window is 1.5*2**-4096 < x < 3*2**-4096; below it W is 1, so
    around the point (x <= 2**-4096, say, and every x < 0) f is
    x*y + relu(x)**3: continuous, with d2f/dxdy = 1. The answer is 1, and the
    point (relu's kink) is differentiable.

    _lower_missing_beside asks _continuous_at whether f is continuous along x at
    y = 1 -+ 2**-64, from f's values right of 0 at 2**-k: f is x*y + x**3 there,
    which shrinks (by 2**-256 and more a step) through k = 256, 512, 1024, so the
    values are taken on down to k = 2048 and 4096, all left of the window: the
    limit is 0, f's value there.

    Kills analysis.py:6ad69809:81:num_inc:0 (the right limit at side +2): its
    last value is at 2*2**-4096, inside the window, where f has no value; the
    right limit is then missing, f is said not to be continuous beside the
    point, and the derivative not to exist: "not differentiable".
    """
    text = (
        "x*y + relu(x)**3 + sqrt(1 - 2*heaviside(x*2**100 - 3*2**-3997) "
        "+ 2*heaviside(x*2**100 - 3*2**-3996)) - 1"
    )
    result = _result(cli, "partial", text, "--wrt", "x", "--wrt", "y", "--at", "x=0,y=1")
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0
    assert (result["left"], result["right"]) == (1.0, 1.0)
    assert result["verdict"] == "agree"


# ---------------------------------------------------------------- _gap_shrinks


def test_a_slowly_met_side_is_followed_at_its_own_steps(cli: Cli) -> None:
    """d/dx of f = x + 1e-9*relu(-x)**1.0625 + W(2**100*x; -5*2**-3996,
    -3*2**-3996) - 1 at 0. The window is -5*2**-4096 < x < -3*2**-4096; right of
    it W is 1, so around 0 f is x + 1e-9*relu(-x)**1.0625, whose left slope
    1 - 1.0625e-9*(-x)**0.0625 tends to 1 and right slope is 1: differentiable,
    f'(0) = 1. The left side is still 1e-9*2**-64 (about 2**-94) from 1 at
    2**-1024, within the 60 bits the sides settle to but not within 2**-100 of
    the right side, so _gap_shrinks follows the gap between the two sides'
    quotients at 2**-1024, 2**-2048, 2**-4096 (left points -2**-k and
    -2*2**-k): it shrinks by 2**-64 and more a step, one limit reached slowly.

    Kills analysis.py:41849da6:81:num_inc:0 (the left side at -2): at k = 4096
    it reads f at -2*2**-4096 and -4*2**-4096, inside the window, where f has
    no value, so the gap "can't be had" and derivcli says it cannot decide.
    """
    text = (
        "x + 1e-9*relu(-x)**1.0625 + sqrt(1 - 2*heaviside(x*2**100 + 5*2**-3996) "
        "+ 2*heaviside(x*2**100 + 3*2**-3996)) - 1"
    )
    result = _result(cli, "grad", text, "--at", "x=0")
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0
    assert (result["left"], result["right"]) == (1.0, 1.0)
    assert result["verdict"] == "agree"


# ---------------------------------------------------------------- _Bracket (kink_root)


def test_the_illinois_halving_decides_which_root_the_bracket_closes_on() -> None:
    """g = (x - 2/53)(x - 3/53)(x - 42/53)(x - 44/53)(x - 48/53) on [0, 1], traced
    in exact fractions (the probes, 2**-257 beside each step, change no sign here):
    g(0) = -532224/53**5 = -0.0012727, g(1) = 1262250/53**5 = 0.0030183.

    1. regula falsi at 532224/1794474 = 0.2966, between 3/53 and 42/53, where
       g < 0 (two factors positive, three negative): a moves, [0.2966, 1], b
       kept once. Less than halved, so
    2. bisection at 0.6483, still below 42/53 = 0.7925, g < 0: a moves again,
       b is kept twice, so g(b) is halved (Illinois): 0.0015092. The bracket
       [0.6483, 1] is half the last (less the probe), so the next step is
    3. regula falsi from g(0.6483) = -0.0024380 and 0.0015092:
       0.6483 + 0.0024380*0.3517/0.0039472 = 0.8655, between 44/53 = 0.8302
       and 48/53 = 0.9057, where g < 0: [0.8655, 1] holds the one root 48/53.

    Kills analysis.py:50c337e3:29:true_false:0 (the steps taken as probes,
    step=False: no Illinois halving ever): step 3 is then from -0.0024380 and
    g(1) = 0.0030183, at 0.6483 + 0.0024380*0.3517/0.0054563 = 0.8054, between
    42/53 and 44/53, where g > 0: [0.6483, 0.8054] and the root 42/53.
    """
    text = "(x - 2/53)*(x - 3/53)*(x - 42/53)*(x - 44/53)*(x - 48/53)"
    # the hand trace's numbers, checked in exact fractions
    roots = [Fraction(n, 53) for n in (2, 3, 42, 44, 48)]

    def g(x: Fraction) -> Fraction:
        value = Fraction(1)
        for r in roots:
            value *= x - r
        return value

    assert g(Fraction(0)) == Fraction(-532224, 53**5)
    assert g(Fraction(1)) == Fraction(1262250, 53**5)
    root = kink_root(_program(text), {}, "x", 0.0, 1.0)
    assert root is not None and not isinstance(root, float)  # 48/53 is no float
    with mpmath.workprec(1024):
        gap = abs(mpmath.mpf(str(root)) - mpmath.mpf(48) / 53)
    assert gap <= mpmath.mpf(2) ** -250
