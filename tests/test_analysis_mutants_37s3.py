"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 37, helper s3).

Pinned here, each by a fact worked out by hand (never derivcli's own output
recorded as the expectation):

- _lower_missing_beside, where order k - 1 sits on a kink line whose values
  are a convention (the closed form's sign(u)**2*y*w), reads that order's
  sides along ``own`` off the line with one-sided quotients at steps
  2**-k and 2**-(k - 1) on each side, k = 256, 512, 1024 (the point's own
  steps), not at any other scale: tents of f far from the point (at
  y = -2**-254, -2**-510, -2**-1022, -2**-2046, 2**-6 of their distance
  wide) change nothing of its derivative there, and must not be met;
- _Quotients._past_magnitudes takes a quotient read as 0 within rounding again
  with the bits between g's values and its magnitudes added, at both points
  with exact sums: 2**200 + sqrt(2) loses sqrt(2)'s low bits at any
  precision short of 200 more, and one point rounded so beside the other
  kept exactly is a quotient of rounding, far above the noise allowed.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from conftest import Cli, one

# ------------------------------------------------ _lower_missing_beside: off the line

U3 = "x + relu(y) + relu(w)"
# tents in y, each 2**-(n + 6) wide (and high) around y = -2**-n: 0 wherever
# |y| < 2**-2046 - 2**-2052, so 0 all around the point
TENTS = " + ".join(f"relu(2**-{n + 6} - abs(y + 2**-{n}))" for n in (254, 510, 1022, 2046))


def test_tents_away_from_the_line_leave_its_sides_alone(cli: Cli) -> None:
    # f = u*y*w + x*B(y) (abs(u)*sign(u) = u), B the tents: B = 0 for |y| <
    # 2**-2047, so near (0, 0, 0) d/dx f = y*w, d2f/dxdy = w and d3f/dxdydw = 1,
    # by hand: differentiable, 1 (autograd reads sign(0)**2 = 0: DISAGREE). d/dx's
    # closed form is 0 on x = 0 for y, w <= 0 (a convention), so its sides along
    # y are read off that line. Kills analysis.py:d7f4d08f:11:num_inc:0 (left
    # side -2: steps of 2**-(k - 1) and 2**-(k - 2), which land on the tents'
    # tops at every k, each moving a quotient by 2**-7: the left side is read
    # as missing, "only the right derivative exists", not differentiable)
    run = cli(
        "partial",
        f"abs({U3})*sign({U3})*y*w + x*({TENTS})",
        "--wrt",
        "x",
        "--wrt",
        "y",
        "--wrt",
        "w",
        "--at",
        "x=0,y=0,w=0",
        "-f",
        "json",
        "--timeout",
        "60",
    )
    assert run.err == "", run.err
    result = one(run)
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0
    assert result["verdict"] == "DISAGREE"


# ------------------------------------------------ _Quotients._past_magnitudes: exact sums


def test_a_constant_far_below_its_terms_has_slope_0(cli: Cli) -> None:
    # f = (2**200 + sqrt(2 + x - x)) - 2**200 + abs(x)*0 is sqrt(2) for every x
    # (x - x = 0, abs(x)*0 = 0), by hand: f' = 0, differentiable (abs's kink at 0
    # sends x = 0 to the one-sided quotients, all within rounding of 0 beside
    # magnitudes of 2**200). Kills analysis.py:ec867474:49:true_false:1 (the near
    # point taken again without exact sums: 2**200 + sqrt(2) rounded there but
    # not at the far point, quotients of that rounding at every step, left and
    # right nan, "cannot decide")
    run = cli(
        "grad",
        "(2**200 + sqrt(2 + x - x)) - 2**200 + abs(x)*0",
        "--at",
        "x=0",
        "-f",
        "json",
        "--timeout",
        "60",
    )
    assert run.code == 0, run.err
    result = one(run)
    assert result["differentiable"] is True
    assert result["symbolic"] == 0.0
    assert result["left"] == 0.0
    assert result["right"] == 0.0
