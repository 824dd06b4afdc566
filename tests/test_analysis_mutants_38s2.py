"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 38, helper s2).

Pinned here by a fact worked out by hand (never derivcli's own output recorded
as the expectation):

- _joined_slowly reads a lower derivative's values beside the point, at
  2**-1024, 2**-2048 and 2**-4096 on each side, with exact sums: a term of
  2**-1800*2**-(k/2) beside 1 needs 1801 + k/2 bits, more than the k + 640
  asked for at k = 1024 and 2048 but not at 4096, so without exact sums the
  gaps read 2**-94, 0, 2**-3848 (a 0 then a gap: not shrinking), where they
  are 2**-94, 2**-2824, 2**-3848 (shrinking).

The test names the mutant it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints it).
"""

from __future__ import annotations

from conftest import Cli, one

# ---------------------------------------------------------------- _joined_slowly: exact sums


def test_a_slow_join_whose_gaps_fall_below_the_bits_asked_for_is_a_join(cli: Cli) -> None:
    # f = (x + c*relu(-x - d)**1.0625 + e*relu(x)**1.5)*y, c = 1e-9, d = 2**-1500,
    # e = 2**-1800. By hand: for |x| < d, relu(-x - d) = 0, so there f = (x +
    # e*relu(x)**1.5)*y, whose d/dx is y*(1 + 1.5*e*sqrt(relu(x))), continuous, and
    # d2f/dxdy = 1 + 1.5*e*sqrt(relu(x)) near 0: 1 at (0, 1), differentiable.
    # d/dx f's left side still reads 1 - 1.0625e-9*(h - d)**(1/16), about
    # 1 - 2**-94, at h = 2**-1024 (where it settles to 60 bits), so _joined_slowly
    # follows the gap between the sides at h = 2**-1024, 2**-2048, 2**-4096:
    # 2**-94 (the relu term), then 1.5*e*2**-1024 and 1.5*e*2**-2048 (the sqrt
    # term; the relu term is 0 below d): each far below the one before, a slow join.
    # Kills analysis.py:2211c065:11:true_false:0 (the values read without exact
    # sums at k + 640 bits: 1 + 2**-2824 rounds to 1 at k = 2048 (2,688 bits) but
    # 1 + 2**-3848 is kept at k = 4096 (4,736 bits), gaps 2**-94, 0, 2**-3848 that
    # do not shrink: "the derivative of order 1 jumps", not differentiable)
    text = "(x + 1e-9*relu(-x - 2**-1000*2**-500)**1.0625 + 2**-900*2**-900*relu(x)**1.5)*y"
    run = cli(
        "partial",
        text,
        "--wrt",
        "x",
        "--wrt",
        "y",
        "--at",
        "x=0,y=1",
        "-f",
        "json",
        "--timeout",
        "60",
    )
    assert run.code == 0, run.err
    result = one(run)
    assert result["differentiable"] is True, result["note"]
    assert result["symbolic"] == 1.0
    assert result["verdict"] == "agree"
