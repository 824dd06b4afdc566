"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(issue 16: the seed 34 sample, part A).

Each test pins a fact worked out by hand, never derivcli's own output recorded
as the expectation, and names the mutant it kills (``.venv/bin/python
tools/mutate.py --show ID`` prints one). The inputs are built so that one
reading of the analysis falls exactly where the mutant moves it; the
docstrings say how.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
from conftest import Cli, CliRun, one


def _partial(cli: Cli, text: str, at: str, *wrt: str) -> tuple[CliRun, dict[str, Any]]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    return run, one(run)


# ---------------------------------------------------------------- _off_line


def test_a_convention_that_differs_from_the_line_only_at_2_to_the_minus_64(cli: Cli) -> None:
    """abs(x)*sign(x) is x, so f = x*(y + J(y)) with
    J(y) = 2**19*(y - 1 - 2**-65)*(y - 1 - 2**-20), and d2f/dxdy at (0, 1) is
    1 + J'(1) = 1 - 2**19*(2**-20 + 2**-65) = 1/2 - 2**-46 (by hand; exact in
    float64). The closed form of d/dx, sign(x)**2*J(y) + y, reads y on the
    line x = 0 (sign(0) is 0). _off_line compares the line with the closed
    form 2**-200 beside it at y = 1 + 2**-64 and 1 + 2**-20: J is 0 at the
    second but about -2**-66 at the first, so the readings are taken off the
    line. Kills analysis.py:285cac84:14:num_inc:0 (the first probe at
    y = 1 + 2**-65, where J is exactly 0 as at 1 + 2**-20: the line's value is
    taken, and a jump of d/dx is reported)."""
    text = "x*y + abs(x)*sign(x)*(2**19*(y - 1 - 2**-65)*(y - 1 - 2**-20))"
    run, result = _partial(cli, text, "x=0,y=1", "x", "y")
    expected = 0.5 - 2.0**-46
    assert result["differentiable"] is True, result["note"]
    assert (result["symbolic"], result["left"], result["right"]) == (expected,) * 3


def test_readings_off_the_line_below_it_are_taken_at_the_same_distances(cli: Cli) -> None:
    """abs(x)*sign(x) is x, so f = y*(x + g(x)) with g(x) = x*(1 + p(|x|)),
    p(t) = sin(pi/2*log2(t + c))**2/(1 + 2**12288*(t + c)), c = 2**-20000
    (written exp(-20000*log(2))). p is continuous at 0 and p(0) =
    sin(-10000*pi)**2/(...) = 0, so g'(0) = lim g(x)/x = 1 + p(0) = 1 and
    d2f/dxdy at (0, 1) is 1 + g'(0) = 2 (by hand). The closed form of d/dx is
    y on the line x = 0 (sign(0) is 0), so d2f/dxdy is read off the line, at
    x = +-2**-8192 and +-2**-16384, where g'(x) = 1 + p + |x|*p'(|x|): at
    |x| = 2**-k, p's sine is sin(-k*pi/2), 0 for even k (and so is p'), and
    its step factor is at most 2**-4096 for k <= 8192. So every reading is 2.
    Kills analysis.py:db62758b:18:num_inc:0 (side -2: the readings below the
    line at -2**-8191 and -2**-16383, odd k, where sin(-k*pi/2)**2 is 1 and,
    at 2**-16383, the step factor is about 1: readings 2 and 3, no limit, and
    the line's convention 1 is taken: "jumps")."""
    c = "exp(-20000*log(2))"
    p = f"sin(pi/2*log2(abs(x) + {c}))**2/(1 + exp(12288*log(2))*(abs(x) + {c}))"
    run, result = _partial(cli, f"x*y + y*abs(x)*sign(x)*(1 + {p})", "x=0,y=1", "x", "y")
    assert result["differentiable"] is True, result["note"]
    assert (result["left"], result["right"]) == (2.0, 2.0)
    assert "the derivative at x=0, y=1 is 2 " in result["note"]


def test_a_kink_away_from_the_point_is_no_line_the_closed_form_stays_on(cli: Cli) -> None:
    """f = x*(1 - 1e-9*relu(1 - y)**(1/16)) + abs(x + 7) at (0, 1): d/dx is
    1 - 1e-9*relu(1 - y)**(1/16) + sign(x + 7), continuous along y (it tends
    to 2 from both sides, slowly from the left: still about 2**-94 off at
    y = 1 - 2**-1024), so it has no jump; its slope along y is
    1e-9/16*(1 - y)**(-15/16) on the left, which grows without bound, and 0 on
    the right (by hand): d2f/dxdy does not exist, left inf, right 0. abs(x + 7)
    is a kink of f along x, but its argument is 7 at the point, not 0: no kink
    line. Kills analysis.py:0575bf93:7:false_true:0 (a kink whose argument is
    not 0 taken as one that stays 0 along y: the slow join of d/dx is not
    looked for, and d/dx is said to jump)."""
    text = "x*(1 - 1e-9*relu(1 - y)**0.0625) + abs(x + 7)"
    run, result = _partial(cli, text, "x=0,y=1", "x", "y")
    assert run.code == 1
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == ("inf", 0.0)  # JSON writes inf as "inf"
    assert "jumps" not in result["note"]
    assert "left derivative inf, right 0" in result["note"]


# ---------------------------------------------------------------- _gap_shrinks


def test_a_gap_shrinking_by_just_over_2_to_the_16_is_one_derivative(cli: Cli) -> None:
    """f = x + 1e-16*relu(-x)**(1 + p), p = 0.015633: the relu power is o(|x|),
    so f'(0) = 1 (by hand). The one-sided quotients at h = 2**-k are 1 on the
    right and 1 - 1e-16*(2**(1 + p) - 1)*h**p on the left: they settle to 60
    bits at 2**-1024 but are 2**-69 apart there, so whether the gap shrinks
    decides. It is a multiple of h**p: from 2**-1024 to 2**-2048 it shrinks by
    2**(-1024*p) = 2**-16.008, at least the 2**-16 asked (one limit, reached
    slowly). Kills analysis.py:f767f31c:17:num_inc:0 (the gap followed from
    2**-1025: it shrinks by 2**(-1023*p) = 2**-15.993 there, and the point is
    left undecided)."""
    run = cli(
        "grad", "x + 1e-16*relu(-x)**1.015633", "--at", "x=0", "-f", "json", "--timeout", "60"
    )
    result = one(run)
    assert run.code == 0, result["note"]
    assert result["verdict"] == "agree" and result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (1.0, 1.0, 1.0)


def test_a_gap_shrinking_by_less_than_2_to_the_16_is_not_one_derivative(cli: Cli) -> None:
    """f = x + 1e-16*relu(-x)**(2079/2048) + 1e-31*relu(x): its left derivative
    at 0 is 1 (the relu power is o(|x|)) and its right one 1 + 1e-31 (by
    hand), so f'(0) does not exist. The quotients' gap at h = 2**-k is
    1e-31 + 1e-16*(2**(2079/2048) - 1)*h**(31/2048): about 2.2e-21 at 2**-1024,
    4.8e-26 at 2**-2048 (2**-15.5 times that, less than the 2**-16 a slowly
    reached limit shrinks by), 1.0e-31 at 2**-4096. derivcli may leave this
    undecided, but must not call it differentiable. Kills
    analysis.py:20b3a7ce:27:num_inc:0 (shrink = 2**-15: the gap keeps
    shrinking, and f is called differentiable with derivative 1)."""
    text = "x + 1e-16*relu(-x)**(2079/2048) + 1e-31*relu(x)"
    run = cli("grad", text, "--at", "x=0", "-f", "json", "--timeout", "60")
    result = one(run)
    assert result["differentiable"] is not True
    assert result["verdict"] != "agree"


# ---------------------------------------------------------------- _settling


def test_quotients_that_settle_only_past_2_to_the_minus_4096_take_one_more_step(
    cli: Cli,
) -> None:
    """f = x + 1e12*relu(x)**(1 + p), p = 5/128: the relu power is o(|x|), so
    f'(0) = 1 (by hand). The right quotients at h = 2**-k are 1 + e with
    e = 1e12*(2**(1 + p) - 1)*h**p = 2**39.94*2**(-5k/128): about 0.96, 2**-40
    and 2**-120 at 2**-1024, 2**-2048 and 2**-4096. The last two are not the
    same to 60 bits, but the last move (2**-40) is below 2**-32 of the one
    before (0.96): settling, so one more step (2**-8192, 1 + 2**-280) is taken,
    and the side's limit is 1. Kills analysis.py:6da49dc9:18:arith_sub_add:0
    (abs(c + b), about 2, against 2**-32: not settling, the right side is nan,
    and the point is left undecided)."""
    run = cli("grad", "x + 1e12*relu(x)**(133/128)", "--at", "x=0", "-f", "json", "--timeout", "60")
    result = one(run)
    assert run.code == 0, result["note"]
    assert result["verdict"] == "agree" and result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (1.0, 1.0, 1.0)


def test_the_reading_beside_a_kink_line_keeps_every_bit_of_its_sums(cli: Cli) -> None:
    """abs(x)*sign(x) is x, so f = x*(y + J(y)) with
    J(y) = (1 + y*2**-600)**(2**600) - 1 + 2**-200, and d2f/dxdy at (0, 1) is
    1 + J'(1) = 1 + (1 + 2**-600)**(2**600 - 1) = 1 + e*(1 - O(2**-600)),
    3.718281828459045 in float64 (mpmath, 3,000 bits). The closed form of d/dx,
    y + sign(x)**2*(...), reads y on the line x = 0 (sign(0) is 0); 2**-200
    beside it, J adds e - 1 + 2**-200 to y, so the line is not the closed form
    and the readings are taken off it. That J needs its sum 1 + y*2**-600
    kept whole: at 256 and 512 bits it rounds to 1, the power to exactly 1,
    and J to 2**-200, below the 2**-150 the comparison allows (the
    cancellation in J asks for more bits, but 512 bits agree with 256, so the
    refinement stops there). Kills
    analysis.py:1e328f4f:71:true_false:0 (exact_sums=False for the reading
    beside the line; 2dc556f4:63 in the seed 34 sample, before _valued): the
    line's y is taken, and d/dx is said to jump."""
    text = "x*y + abs(x)*sign(x)*((1 + y*2**-600)**(2**600) - 1 + 2**-200)"
    run, result = _partial(cli, text, "x=0,y=1", "x", "y")
    with mpmath.workprec(3000):
        t = mpmath.mpf(2) ** -600
        expected = float(1 + (1 + t) ** (2**600 - 1))
    assert expected == 1 + math.e
    assert result["differentiable"] is True, result["note"]
    assert (result["symbolic"], result["left"], result["right"]) == (expected,) * 3


# ---------------------------------------------------------------- _sides_apart


def test_a_gap_of_640_bit_rounding_that_stays_is_no_corner(cli: Cli) -> None:
    """f = erfc(x)*y + relu(y - 1)**3 is smooth in x, so d/dx = erfc'(x)*y
    exists all along x = 0 and d2f/dxdy at (0, 1) is erfc'(0) = -2/sqrt(pi)
    (mpmath). relu's kink at y = 1 has the sides of d/dx checked at
    y = 1 -+ 2**-64: f's quotients along x from both sides, taken again with
    640 guard bits. erfc(h) is 1 - 1.128*h: just below 1 on the right and just
    above on the left (binades whose last bits differ by one place), and the
    bits rounded off are those of 2/sqrt(pi) at a fixed place below h's, so
    the two sides' rounding leaves a gap of about 2**-639 that is the same at
    2**-512 and 2**-1024: it stays, but at 2**-639 of the quotients it is
    below the 2**(32 - 640) counted as rounding. Kills
    analysis.py:fe6d8447:60:num_inc:0 (2**(32 - 1280): the rounding is taken
    for a corner, and d/dx for missing beside the point)."""
    run, result = _partial(cli, "erfc(x)*y + relu(y - 1)**3", "x=0,y=1", "x", "y")
    with mpmath.workdps(40):
        expected = float(mpmath.diff(mpmath.erfc, 0))
    assert expected == -2 / math.sqrt(math.pi)
    assert result["differentiable"] is True, result["note"]
    assert (result["symbolic"], result["left"], result["right"]) == (expected,) * 3


# ---------------------------------------------------------------- _continuous_at


def test_f_exactly_0_beside_a_line_it_is_not_0_on_is_no_continuous_f(cli: Cli) -> None:
    """f = y*(1 - sign(x)**2) + H(x), H(x) = relu(1 - |x|*2**3000)*(1 +
    cos(pi/5*log2(|x| + c)))/2, c = e**-30000: H is continuous (c > 0), so
    along x at any (0, y), y != 0, f tends to H(0) but is y + H(0) there: f
    jumps along x all along x = 0 near (0, 1), d/dx exists nowhere on that
    line, and d2f/dxdy at (0, 1) has no one-sided derivatives along y (left
    and right null) and does not exist (by hand). Checked at y = 1 -+ 2**-64:
    f's values beside the line at 2**-256 to 2**-1024 are exactly 0 (H's relu
    is 0 there), exact limits of 0 beside a value that is not; deeper, at
    2**-4096 to 2**-32768, H is (1 + cos(pi/5*k))/2 at |x| = 2**-k, which moves
    from step to step (k mod 10 is 6, 2, 4, 8), so no deep jump is found.
    Kills analysis.py:0e246fad:42:bool_and_or:0 (limits that are float or 0
    sent to the deep-jump check, which finds none: f taken for continuous
    there, and the sides 0.0 and 0.0 reported)."""
    h = "relu(1 - abs(x)*2**3000)*(1 + cos(pi/5*log2(abs(x) + exp(-30000))))/2"
    run, result = _partial(cli, f"y*(1 - sign(x)**2) + {h}", "x=0,y=1", "x", "y")
    assert run.code == 1
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == (None, None)
