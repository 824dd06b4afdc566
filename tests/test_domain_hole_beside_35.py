"""A hole in f's domain beside the point is no edge of it (stop 35).

A pure derivative of order 2 or more whose lower closed forms have no value
along the line (z = 0 in (y*z)**1.5) takes its sides from f's own one-sided
differences. A side was taken only if f had a value 2**-64 beside the point,
so a hole in f's domain there, narrower than 2**-64 and far beyond the
differences' own steps (2**-256 and below), made a side "undefined": "not
differentiable, a domain edge", where f has values on both sides arbitrarily
close to the point. The differences themselves now decide: a side is missing
only if f has no value at a step their quotients use.

The hole: R(y) = ((y - 1)*2**64 + 1)**2 - 1/16 < 0 exactly where
|(y - 1)*2**64 + 1| < 1/4, i.e. y - 1 in (-5/4, -3/4)*2**-64, an interval of
width 2**-65 around 1 - 2**-64, left of 1. Wherever R >= 0,
2**-128*sqrt(R)**2 = 2**-128*R = ((y - 1) + 2**-64)**2 - 2**-132, a quadratic
in y whose third derivative is 0. On z = 0, (y*z)**1.5 is 0 for
every y, and its derivatives along y are too. Autograd gives nan there (the
closed forms are 0*inf), so a derivative found is a DISAGREE (exit 1).

Each truth is worked out by hand in the comments.
"""

from __future__ import annotations

import pytest
from conftest import Cli, one

HOLE_LEFT = "2**-128*sqrt(((y-1)*2**64+1)**2 - 1/16)**2"
# R = ((y - 1)*2**64 - 1)**2 - 1/16 < 0 for y - 1 in (3/4, 5/4)*2**-64: the
# same hole mirrored, right of 1, and the same quadratic 2**-128*R beside it
HOLE_RIGHT = "2**-128*sqrt(((y-1)*2**64-1)**2 - 1/16)**2"


def _partial(cli: Cli, text: str, order: int) -> tuple[int, dict[str, object]]:
    run = cli("partial", text, "--wrt", "y", "--order", str(order), "--at", "y=1,z=0",
              "-f", "json", "--timeout", "60")  # fmt: skip
    assert run.err == ""
    return run.code, one(run)


@pytest.mark.parametrize(
    ("text", "order", "value"),
    [
        # the case as found: d3/dy3 of the quadratic is 0 on both sides
        (f"(y*z)**1.5 + {HOLE_LEFT}", 3, 0.0),
        # the side's value is read, not assumed: d3/dy3 of y**3 is 6, and the
        # quadratic adds 0
        (f"(y*z)**1.5 + y**3 + {HOLE_LEFT}", 3, 6.0),
        # the hole on the right side
        (f"(y*z)**1.5 + {HOLE_RIGHT}", 3, 0.0),
    ],
)
def test_a_hole_2_to_the_minus_64_beside_the_point_is_no_domain_edge(
    cli: Cli, text: str, order: int, value: float
) -> None:
    code, result = _partial(cli, text, order)
    assert code == 1 and result["verdict"] == "DISAGREE"
    assert result["differentiable"] is True
    assert (result["left"], result["right"]) == (value, value)
    assert result["symbolic"] == value and result["autograd"] == "nan"
    assert "domain" not in str(result["note"])


@pytest.mark.parametrize(
    ("text", "left", "right"),
    [
        # sqrt(y - 1)**3 is (y - 1)**1.5 right of 1 and has no value left of
        # it: a real edge. Its third derivative on the right is
        # 1.5*0.5*(-0.5)*(y - 1)**-1.5 = -3/8*(y - 1)**-1.5 -> -inf
        ("(y*z)**1.5 + sqrt(y-1)**3", None, "-inf"),
        # a finite side beside the edge is no derivative either: the third
        # derivative of (y - 1)**3.5 is 3.5*2.5*1.5*(y - 1)**0.5 -> 0 on the
        # right, and the left has no value
        ("(y*z)**1.5 + sqrt(y-1)**7", None, 0.0),
        # mirrored: (1 - y)**3.5 left of 1, whose third derivative is
        # -3.5*2.5*1.5*(1 - y)**0.5 -> 0, and nothing right of 1
        ("(y*z)**1.5 + sqrt(1-y)**7", 0.0, None),
    ],
)
def test_f_undefined_on_a_whole_side_is_still_a_domain_edge(
    cli: Cli, text: str, left: object, right: object
) -> None:
    # what the new rule must still refuse (refused before it too): f has no
    # value at the differences' steps on one side, so that side is missing
    code, result = _partial(cli, text, 3)
    assert code == 1 and result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == (left, right)
    assert "edge of the function's real domain" in str(result["note"])
