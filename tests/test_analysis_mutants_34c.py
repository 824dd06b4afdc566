"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 34, part c).

Pinned here, each by a fact worked out by hand (or with mpmath), never
derivcli's own output recorded as the expectation:

- _gap_shrinks looks for a gap that stays only where the LAST gap (at 2**-4096)
  is not 0: a gap past MPFR's largest number at 2**-2048 (inf, which
  _converged takes for "the same" as any last gap) followed by an exact 0 is no
  corner;
- _flat_around takes f's value at the point with exact sums, as it takes the
  box's corners: a constant 1 + e**-300 is flat, though 256 bits round its
  e**-300 away;
- _flat_around's value at the point, left to rounding, stops the examination
  as a value AT the point (the note says which).

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

import pytest
from conftest import Cli, one

from derivcli.language.evaluate import compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic import analysis

# ---------------------------------------------------------------- _gap_shrinks

# I(x) is 1 exactly where floor(log2|x|) = -2047, that is for 2**-2047 <= |x| <
# 2**-2046, and 0 elsewhere (sign(n)**2 is 1 for every whole n but 0); the max
# keeps log2 defined at 0 (e**-200000 is below every step used).
_BAND = "(1 - sign(floor(log2(max(abs(x), exp(-200000)))) + 2047)**2)"


def test_a_gap_past_mpfr_range_then_exactly_0_is_no_corner(cli: Cli) -> None:
    # f = x + 2**-80*x*heaviside(x - 2**-3000) + abs(x)*C*I(x), C = e**744261116.2
    # (about 2**1073741822.5, just below MPFR's largest number, 2**1073741823).
    # By hand: for |x| < 2**-3000 the heaviside is 0 and I is 0, so f = x on a
    # whole neighbourhood of 0: f'(0) = 1, and f IS differentiable there.
    # derivcli's settled sides (steps 2**-256..2**-1024) are 1 and 1 + 2**-80,
    # within 60 bits but not 100, so _gap_shrinks follows the gap between the
    # sides' quotients (f(2h) - f(h))/h at h = 2**-1024, 2**-2048, 2**-4096:
    # 2**-80; then, with 2h = 2**-2047 in I's band, right 1 + 2**-80 + 2C and
    # left 1 - 2C, a gap of 4C + 2**-80 (about 2**1073741824.5), past MPFR's
    # range: inf; then 0 (f = x on both sides). The real code sees a last gap
    # of 0, no corner, and no clean shrinking: "cannot decide" (exit 3).
    # Kills analysis.py:fd2e3d56:30:num_inc:0 (gaps[-2] != 0: the inf sends
    # the 0 gap to _gap_stays_finer, where 0 "stays" with 1,280 guard bits,
    # and the point is called a corner: "not differentiable", exit 1).
    text = f"x + 2**-80*x*heaviside(x - 2**-3000) + abs(x)*exp(744261116.2)*{_BAND}"
    run = cli("grad", text, "--at", "x=0", "--timeout", "60", "-f", "json")
    result = one(run)
    assert result["differentiable"] is not False, run.out
    assert run.code in (0, 3), run.err
    if result["differentiable"] is True:
        assert result["symbolic"] == 1.0
    else:
        assert result["verdict"] == "not computed"


# ---------------------------------------------------------------- _flat_around


@pytest.mark.parametrize("constant", ["1 + exp(-300)", "1 + 2**-300"])
def test_a_flat_cube_root_plus_a_constant_that_256_bits_round_is_flat(
    cli: Cli, constant: str
) -> None:
    # hardshrink(u) is 0 for |u| <= 1/2, so f = hardshrink(z - y)**(1/3) + 1 +
    # e**-300 (or + 2**-300) is the constant 1 + e**-300 all around (y, z) =
    # (0, 0.000555): every derivative is 0, d3f/dydzdz included (by hand). The
    # closed forms of order 1 and 2 are 0/0 there (a cube root of a flat 0),
    # so derivcli checks f for being flat on a box around the point. Kills
    # analysis.py:353a64a1:56:true_false:0 (f's value at the point taken
    # without exact sums: 256 bits round 1 + e**-300 (e**-300 is about
    # 2**-433) to 1, the corners keep it, the box is "not flat", and the
    # answer was "not differentiable: the derivative of order 2 has no value
    # there").
    text = f"hardshrink(z - y)**(1 / 3) + {constant}"
    run = cli(
        "partial",
        text,
        *("--wrt", "y", "--wrt", "z", "--wrt", "z"),
        *("--at", "y=0,z=0.000555", "--timeout", "60", "-f", "json"),
    )
    result = one(run)
    assert run.code == 0, run.err
    assert result["differentiable"] is True
    assert result["symbolic"] == 0.0
    assert result["verdict"] == "agree"


def test_flat_around_a_value_lost_at_the_point_stops_there() -> None:
    # G = (z*tanh(z) + z)*exp(-2*z) at z = -20000: tanh(z) = -1 + 2e**-40000
    # + ..., so z*tanh(z) + z = 2z*e**-40000 (about 2**-57700 of its terms'
    # size 20000) cancels past every precision derivcli uses (16,384 bits,
    # 24,576 at most), and G, about 2z = -40000 by hand, has no value at the
    # point: the examination stops, and the value lost is the point's own
    # (the note says "at the point"). _flat_around is reached from the CLI
    # only where f's value at the point was had already, so it is asked
    # directly. Kills analysis.py:353a64a1:68:true_false:0 (here=False: the
    # note would say "beside the point").
    program = compile_tree(parse("(z*tanh(z) + z)*exp(-2*z)").tree)
    with pytest.raises(analysis._BesideOutOfRange) as stopped:
        analysis._flat_around(program, {"z": -20000.0}, ("z",))
    assert stopped.value.here is True
    assert stopped.value.undefined.lost
    assert "z*tanh(z) + z cancels past the 16,384 bits" in stopped.value.undefined.describe()
