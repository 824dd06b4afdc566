"""Beside a point, a sum keeps every significant bit of its smaller term.

The one-sided limits evaluate f at p + 2**-k * scale for k up to thousands;
the moved coordinate then carries k + 53 significant bits. In (C + y) - C with
a huge C, the sum C + y must keep all of them, or every difference quotient of
f is left to rounding and reads 0. evaluate._bits_to_keep asked for the gap
between the terms plus 384 bits only: `(1e300 + y) - 1e300 + abs(y - 2**-1000)`
at 2**-1000 was called differentiable with derivative 0 (a DISAGREE with
torch's 1), though f is y + abs(y - 2**-1000) exactly, with sides 0 and 2.

Oracles by hand: (C + g(y)) - C is g(y) exactly, so f = g(y) + abs(y - c), whose
sides at c are g'(c) - 1 and g'(c) + 1.
"""

from __future__ import annotations

import math

import pytest
from conftest import Cli, one


@pytest.mark.parametrize(
    ("expression", "at", "slope"),
    [
        ("(1e300 + y) - 1e300 + abs(y - 2**-1000)", "y=2**-1000", 1.0),
        ("(2**3000 + y) - 2**3000 + abs(y - 1)", "y=1", 1.0),
        ("(2**3000 + sin(y)) - 2**3000 + abs(y - 1)", "y=1", math.cos(1.0)),
    ],
)
def test_a_kink_under_a_huge_cancelling_sum_is_found(
    cli: Cli, expression: str, at: str, slope: float
) -> None:
    run = cli("grad", expression, "--at", at, "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert result["left"] == pytest.approx(slope - 1, rel=1e-12, abs=1e-15)
    assert result["right"] == pytest.approx(slope + 1, rel=1e-12)


def test_without_the_huge_sum_the_same_sides() -> None:
    """The control: the kink alone, as a user would write it (no cancelling sum)."""
    from derivcli.commands.main import main

    assert main(["grad", "y + abs(y - 2**-1000)", "--at", "y=2**-1000", "-f", "plain"]) == 1
