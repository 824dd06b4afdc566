"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 31, part a).

Pinned here, each by a fact worked out by hand (never derivcli's own output
recorded as the expectation):

- _off_line reads the closed form beside a kink line on *both* sides before
  deciding that the line's convention is the derivative;
- _exists_by_differences takes f's left differences from the left (a step of
  -1, not 0);
- _valued stops the analysis at a kink argument left to rounding past 16,384
  bits ("cannot judge"), and lets a value through;
- kink_between (plot's kinks between floats) labels a kink whose sides are past
  MPFR's range instead of returning nothing.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from typing import Any

import mpmath
import pytest
from conftest import Cli, CliRun, one

from derivcli.language.evaluate import MAX_PRECISION, compile_tree, exact_value
from derivcli.language.parser import parse
from derivcli.symbolic import analysis


def _partial(cli: Cli, text: str, at: str, *wrt: str) -> tuple[CliRun, dict[str, Any]]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    return run, one(run)


# ---------------------------------------------------------------- _off_line: both sides


def test_a_line_convention_equal_to_the_left_side_only_is_read_off_the_line(cli: Cli) -> None:
    """f = 2**200*x + abs(x)*sign(x)*y + 2**300*relu(x)**1.5 is 2**200*x + x*y +
    2**300*relu(x)**1.5 (abs(x)*sign(x) is x for every x), so d2f/dxdy is 1
    everywhere (the relu term has no y): by hand, 1 at (0, 1).

    derivcli's d/dx is 2**200 + sign(x)**2*y + 1.5*2**300*relu(x)**0.5: on the
    line x = 0 it is 2**200 (sign(0) = 0), slope 0 along y, a convention. Read
    2**-200 left of the line it is 2**200 + y, within 2**-150 (relative) of
    2**200 since y is about 1 = 2**-200 of it; 2**-200 right of the line it is
    2**200 + y + 1.5*2**200, far from 2**200. So the line's value is not the
    derivative's, and the sides are read off the line (slope 1 on both).
    Kills analysis.py:fdc7e9c9:14:num_neg:0 (both checks on the left side: the
    line passes for the derivative, and its slope 0 is given as d2f/dxdy)."""
    text = "2**200*x + abs(x)*sign(x)*y + 2**300*relu(x)**1.5"
    run, result = _partial(cli, text, "x=0,y=1", "x", "y")
    assert result["differentiable"] is True, result["note"]
    assert (result["symbolic"], result["left"], result["right"]) == (1.0, 1.0, 1.0)


# ---------------------------------------------------------------- _exists_by_differences


def test_a_pure_start_taken_from_f_uses_its_left_differences(cli: Cli) -> None:
    """f = abs(y)**z + z**2 at (y, z) = (0, 1.5), d3f/dz2dy. At y = 0, f is z**2
    for z > 0 (0**z = 0), so d2f/dz2 is 2 there from f's own second differences
    on either side along z (exactly 2: f is a quadratic in z), though the closed
    form abs(y)**z*log(abs(y))**2 + 2 is 0*inf. For y != 0, d2f/dz2 is
    |y|**1.5*log|y|**2 + 2, so d/dy of it at 0 is the limit of
    sign(y)*|y|**0.5*log|y|**2, which is 0 from both sides (checked below with
    mpmath at |y| = 1e-60): the derivative exists and is 0.
    Kills analysis.py:cbcc7bac:50:num_dec:0 (a step of -0 for the left
    differences: every step is 0, the quotients 0/0 refined until they read 0,
    which is not the right differences' 2; the pure start is taken for missing
    and the point for not differentiable)."""
    with mpmath.workdps(50):
        for y in (mpmath.mpf("1e-60"), -mpmath.mpf("1e-60")):
            quotient = abs(y) ** mpmath.mpf(1.5) * mpmath.log(abs(y)) ** 2 / y
            assert abs(quotient) < 1e-25
    run, result = _partial(cli, "abs(y)**z + z**2", "y=0,z=1.5", "z", "z", "y")
    assert result["differentiable"] is True, result["note"]
    assert (result["symbolic"], result["left"], result["right"]) == (0.0, 0.0, 0.0)


# ---------------------------------------------------------------- _valued

# G(t) = (t*tanh(t) + t)*exp(-2*t) is 2t/(exp(2t) + 1) (1 + tanh(t) = 2/(1 +
# exp(-2t))), about 2t = -12000 at t = -6000; but 1 + tanh(-6000) is about
# 2*exp(-12000) = 2**-17312, so 16,384 bits round tanh(-6000) to -1 and the sum
# to 0: as written, G's value there is left to rounding ("cancelled").
G = "(z*tanh(z) + z)*exp(-2*z)"


def test_valued_stops_at_a_value_left_to_rounding_and_passes_a_value() -> None:
    """Kills analysis.py:c84bb7c7:38:cmp_isnot_is:0 (``undefined is None``:
    never true of a lost outcome, so nothing is ever stopped)."""
    program = compile_tree(parse(G).tree)
    lost = exact_value(program, {"z": -6000.0})
    assert MAX_PRECISION == 16384 and lost.lost
    with pytest.raises(analysis._BesideOutOfRange) as stopped:
        analysis._valued(lost)
    assert stopped.value.undefined is lost.undefined
    # at -5600, 1 + tanh is 2**-16157, inside 16,384 bits: a value, let through
    kept = exact_value(program, {"z": -5600.0})
    assert analysis._valued(kept) is kept


def test_a_kink_argument_left_to_rounding_at_the_point_stops_the_analysis(cli: Cli) -> None:
    """f = abs(x)*sign(x)*y + abs(y*G(z))*w at (x, y, z, w) = (0, 1, -6000, 0),
    d2f/dxdy: f's value is 0 (w = 0: the lost term is multiplied by an exact 0)
    and d/dx is sign(x)**2*y, both with values; but abs's argument y*G(z), whose
    kink the analysis checks for lying along the line x = 0, is lost to
    rounding at the point (above), so whether the point is on that kink cannot
    be told: derivcli says it cannot judge (exit 3), naming the sum, and shows
    no number. Kills analysis.py:c84bb7c7:38:cmp_isnot_is:0 (the lost argument
    read as undefined, "not on a kink", and the point judged: 1)."""
    text = f"abs(x)*sign(x)*y + abs(y*{G})*w"
    run, result = _partial(cli, text, "x=0,y=1,z=-6000,w=0", "x", "y")
    assert run.code == 3, run.err
    assert result["verdict"] == "not computed"
    assert result["differentiable"] is None
    assert (result["symbolic"], result["left"], result["right"]) == (None, None, None)
    assert "z*tanh(z) + z cancels past the 16,384 bits" in result["note"]
    # lost at the point itself, and the note says so (it said "beside the point")
    assert "cannot judge this point: at the point, z*tanh(z) + z cancels" in result["note"]


# ---------------------------------------------------------------- kink_between


def test_a_kink_between_floats_with_sides_past_mpfr_range_is_undecided(cli: Cli) -> None:
    """relu(x - 1/3) + exp(-1/(x - 1/3)**2) has a kink at 1/3, which no float
    is: plot judges it at the exact root (to 2**-256), reading f at 2**-128,
    2**-160 and 2**-192 of 1/3 on each side. There (x - 1/3)**2 is about
    2**-260, so the exp is about exp(-2**260), far below MPFR's smallest number
    (2**-(2**30)): f's sides cannot be evaluated, and the kink is undecided
    (exit 3), the note naming the exp. Kills analysis.py:b6d7a1f5:7:return_none:0
    (kink_between returns None: plot fails with an internal error)."""
    run = cli(
        "plot",
        "relu(x - 1/3) + exp(-1/(x - 1/3)**2)",
        "--range",
        "0:1",
        "--points",
        "5",
        "-f",
        "json",
        "--timeout",
        "60",
    )
    assert run.code == 3, run.err
    doc = run.json()
    assert doc["kinks"] == [
        {
            "x": 0.3333333333333333,
            "at_float": False,
            "differentiable": None,
            "left": None,
            "right": None,
            "note": "exp(-1/(x - 1/3)**2) is nonzero but too small for any number format",
        }
    ]
    assert "differentiability not decided at 1 kink (x=0.3333333333333333)" in doc["summary"]
