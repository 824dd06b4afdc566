"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 34, part a).

Pinned here, each by a fact worked out by hand (never derivcli's own output
recorded as the expectation):

- _jump reads f's own value at the point as 0 where it is 0 within its own
  rounding: sin(x)**2 + cos(x)**2 - 1 is 0 for every x, but its exact
  evaluation at x = 2 leaves a residue of the rounding of sin and cos (they
  have no finite binary form, and no exact rational stands in for them as it
  does for decimal constants), which must not pass for a value beside side
  limits of 0;
- _true_lower takes the true value of a mixed second derivative d2/dxdy from
  f's own mixed differences wherever f is defined around the point along y,
  the variable those differences step along last, whatever f does 2**-64 away
  along x: the value -1 of d2/dxdy of u*y*sign(abs(u) - abs(y)) (u = x - 2**60)
  at u = 0, between limits of 1 along x, is a jump that stops d3/dxdydx;
- _lines counts a kink line only where a derivative was taken across it along
  another variable than the one the sides are read along: abs(relu(y)) is 0
  along y left of 0, but f' of y + 2**63*y**2 + 2**-200*abs(relu(y)) is read
  along y itself, and its jump of 2**-200 at 0, below the side limits'
  resolution, is still looked for (and found);
- _Bracket halves g(a) when a step keeps a for the second time (Illinois),
  which decides which of three roots the bracket closes on.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
from conftest import Cli, CliRun, one

from derivcli.language.evaluate import compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import kink_root


def _partial(cli: Cli, text: str, at: str, *wrt: str) -> tuple[CliRun, dict[str, Any]]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    return run, one(run)


# ---------------------------------------------------------------- _jump: f within rounding of 0


def test_f_identically_0_through_sin_and_cos_does_not_jump(cli: Cli) -> None:
    # f = sin(x)**2 + cos(x)**2 - 1 + relu(y)*relu(-y) at (2, 0), along y. By
    # hand: sin**2 + cos**2 = 1 for every x, and relu(y)*relu(-y) = 0 for every
    # y (one factor is always 0), so f = 0 everywhere: df/dy = 0, f continuous,
    # differentiable. relu's kink at y = 0 sends the point to the jump test,
    # where f's exact value at 2 is a residue of sin's and cos's rounding (about
    # 2e-7437), within its own rounding of 0: it is 0. Kills
    # analysis.py:ea4628d7:12:num_dec:0 (``order == -1``: the residue kept as
    # f's value, "the function being differentiated jumps at y=0 (left limit 0,
    # value -2.26e-7437, right limit 0)", not differentiable)
    text = "sin(x)**2 + cos(x)**2 - 1 + relu(y)*relu(-y)"
    run, result = _partial(cli, text, "x=2,y=0", "y")
    assert run.code == 0
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (0.0, 0.0, 0.0)
    assert result["verdict"] == "agree"
    assert "jumps" not in result["note"]


# ---------------------------------------------------------------- _true_lower: a mixed order 2


def test_a_mixed_second_derivative_jumping_along_x_stops_the_third(cli: Cli) -> None:
    # f = u*y*sign(abs(u) - abs(y)) + q(u), u = x - 2**60, at x = 2**60
    # (1152921504606846976, a float exactly), y = 0, derivative d3/dxdydx.
    # q(u) = sqrt(((16*u)**2 - 1)**2 - 1/4)**2 is ((16*u)**2 - 1)**2 - 1/4 where
    # it has a value: for (16*u)**2 <= 1/2 or >= 3/2, none in between (u =
    # +-1/16, 16*u = +-1: -1/4 under the root). It has no y, so it adds nothing
    # to any derivative taken along y.
    # By hand, near (0, 0): f = u*y (+ q) where abs(u) > abs(y), -u*y where
    # abs(u) < abs(y). So df/dx at (0, y), y != 0, is -y (and 0 at y = 0):
    # d2f/dxdy at the point is -1. At (u, 0), u != 0, f = u*y + q near it:
    # d2f/dxdy is 1 there. Order 2 jumps along x (left limit 1, value -1, right
    # limit 1): d3f/dxdydx does not exist.
    # The value -1 comes from f's mixed differences (steps of 2**-256 and less
    # along y, 2**-512 and less along x), for which f must be defined around the
    # point along y. 2**-64 of 2**60 along x is u = 1/16, where q has no value.
    # Kills analysis.py:a22d7bbc:48:num_dec:0 (f asked to be defined around
    # along x, prefix[0]: not at u = 1/16, no true value, the sides 1 and 1 of
    # order 2 taken for continuous: "differentiable", agree)
    assert 2.0**60 == 1152921504606846976
    text = (
        "(x - 2**60)*y*sign(abs(x - 2**60) - abs(y)) + sqrt((((x - 2**60)*16)**2 - 1)**2 - 1/4)**2"
    )
    run, result = _partial(cli, text, "x=1152921504606846976,y=0", "x", "y", "x")
    assert run.code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert "the derivative of order 2 jumps at x=" in result["note"]
    assert "(left limit 1, value -1, right limit 1)" in result["note"]


# ---------------------------------------------------------------- _lines: along its own variable


def test_a_tiny_jump_of_f_prime_beside_a_line_along_y_itself_is_found(cli: Cli) -> None:
    # f = y + 2**63*y**2 + 2**-200*abs(relu(y)) at y = 0, d2/dy2. By hand:
    # abs(relu(y)) = relu(y), so f'(y) = 1 + 2**64*y for y < 0 and 1 + 2**64*y
    # + 2**-200 for y > 0: f' jumps by 2**-200 = 6.223015278e-61 at 0 (left
    # limit 1, right limit 1 + 2**-200), and f''(0) does not exist, though the
    # one-sided second derivatives are both 2**64 = 1.8446744073709552e+19.
    # abs's argument relu(y) is 0 along y left of 0, but f' is taken along y
    # itself: no kink line to read off. (The closed form of f' is 0 at y =
    # -2**-64, 2**-200 and -2**-200 at 2**-264 either side of it: "misleading"
    # if the line counted.) Kills analysis.py:12297e22:25:bool_and_or:0 (``own
    # in kink.variables or own != name``: y itself counted as crossing the
    # line, f' read "off" it and its tiny jump not looked for: "differentiable",
    # left and right 0)
    assert 2.0**-200 == 6.223015277861142e-61
    run, result = _partial(cli, "y + 2**63*y**2 + 2**-200*abs(relu(y))", "y=0", "y", "y")
    assert run.code == 1
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == (2.0**64, 2.0**64)
    assert "the derivative of order 1 jumps at y=0" in result["note"]
    assert "it jumps by about 6.223015278e-61" in result["note"]


# ---------------------------------------------------------------- _Bracket (kink_root)


def test_the_illinois_halving_of_g_at_a_decides_the_root_found() -> None:
    """g = (x - 8/53)(x - 9/53)(x - 13/53)(x - 54/53)(x - 82/53) on [0, 1], traced
    in exact fractions (the probes, 2**-257 beside each step, change no sign
    here): g(0) = -4144608/53**5 = -0.0099107, g(1) = 2296800/53**5 = 0.0054922.

    1. regula falsi at 4144608/6441408 = 14391/22366 = 0.6434, g > 0 there
       (two factors negative): b moves, [0, 0.6434], a kept once. Less than
       halved, so
    2. bisection at 0.3217, g = 0.0016939 > 0: b moves again, a is kept twice,
       so g(a) is halved (Illinois): -0.0049553. The bracket is half the last
       (less the probe), so the next step is
    3. regula falsi from -0.0049553 and 0.0016939:
       0.3217*0.0049553/0.0066492 = 0.2398, between 9/53 = 0.1698 and 13/53 =
       0.2453, where g < 0: [0.2398, 0.3217] holds the one root 13/53.

    Kills analysis.py:ef976e07:12:num_dec:0 (g(a) "halved" by 1, so kept):
    step 3 from -0.0099107 and 0.0016939 is at 0.3217*0.0099107/0.0116046 =
    0.2748, above 13/53, where g > 0: [0, 0.2748] still holds 8/53, 9/53 and
    13/53, and the search ends on 8/53.
    """
    roots = [Fraction(n, 53) for n in (8, 9, 13, 54, 82)]

    def g(x: Fraction) -> Fraction:
        value = Fraction(1)
        for r in roots:
            value *= x - r
        return value

    # the hand trace's numbers, checked in exact fractions
    assert g(Fraction(0)) == Fraction(-4144608, 53**5)
    assert g(Fraction(1)) == Fraction(2296800, 53**5)
    step1 = -g(Fraction(0)) / (g(Fraction(1)) - g(Fraction(0)))
    assert step1 == Fraction(14391, 22366) and g(step1) > 0
    step2 = step1 / 2
    assert g(step2) > 0
    halved = g(Fraction(0)) / 2
    step3 = -halved * step2 / (g(step2) - halved)
    assert Fraction(9, 53) < step3 < Fraction(13, 53) and g(step3) < 0
    unhalved = -g(Fraction(0)) * step2 / (g(step2) - g(Fraction(0)))
    assert Fraction(13, 53) < unhalved and g(unhalved) > 0

    text = "(x - 8/53)*(x - 9/53)*(x - 13/53)*(x - 54/53)*(x - 82/53)"
    root = kink_root(compile_tree(parse(text).tree), {}, "x", 0.0, 1.0)
    assert root is not None and not isinstance(root, float)  # 13/53 is no float
    with mpmath.workprec(1024):
        gap = abs(mpmath.mpf(str(root)) - mpmath.mpf(13) / 53)
    assert gap <= mpmath.mpf(2) ** -250
