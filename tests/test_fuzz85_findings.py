"""Fuzz seed 85's finding (stop 33's closing check): quotients whose rounding
is of f's size, not of their own, taken for a corner.

f = softplus(min(x*y, x**3 + x*y)) is softplus(x*y + min(0, x**3)): d/dy f =
x*sigmoid(...) everywhere (both of min's arguments have the slope x along y),
and its d/dx at x = 0 is sigmoid(0) = 1/2, by hand. derivcli said "f's
derivative along y does not exist beside the point along x": at x = -2**-64
f is about 0.69 and its slope along y about -2**-65, so the rounding of its
quotients (values of f's size, over the step) left a gap of 2**-639 between
the two sides at every step, and the test for a gap that stays measured it
against the quotients' size only. A gap is now retaken with twice the guard
bits (1,280): rounding moves with the precision, a real gap does not.
"""

from __future__ import annotations

import pytest
from conftest import Cli, one


@pytest.mark.parametrize("wrt", [("y", "x"), ("x", "y")])
def test_a_flat_slope_beside_a_large_value_is_no_corner(cli: Cli, wrt: tuple[str, str]) -> None:
    run = cli(
        "partial", "softplus(min(x * y, x**3 + x * y))", "--at", "x=0.0,y=-0.62",
        "--wrt", wrt[0], "--wrt", wrt[1], "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 0, run.err
    result = one(run)
    assert result["symbolic"] == 0.5
    assert result["verdict"] == "agree"


def test_a_real_gap_far_below_the_slope_still_counts(cli: Cli) -> None:
    # d/dx of abs(x)*(y - 1)**4 + x beside y = 1 has sides 1 -+ t**4 at y = 1 + t:
    # d2/dxdy at (0, 1) needs d/dx on the line x = 0, where it jumps for every
    # t != 0, so no derivative (the docstring case of _sides_apart)
    run = cli(
        "partial", "abs(x)*(y - 1)**4 + x", "--at", "x=0,y=1", "--wrt", "x", "--wrt", "y",
        "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 1, run.err
    assert one(run)["differentiable"] is False
