"""A hole in f's domain on a step of the tiny-gap tests (stop 36).

A term 0*log(abs(y + 2**-2048)) leaves f unchanged except at y = -2**-2048,
where log(0) leaves it without a value: a hole on one point, a step left of 0.
A corner or jump below the side limits' 2**-100 resolution is told from none
by the gap between the two sides at steps of 2**-1024 to 2**-4096; the gap at
2**-2048 needs f at the hole, was None, and None was read as "no jump", so
``grad "y + 2**-200*relu(y) + 0*log(abs(y + 2**-2048))" --at y=0`` said the
derivative is 1 (a DISAGREE with autograd's nan). The steps are a free choice:
a gap that cannot be had at one is now taken at the next finer ones, and where
none gives it the point is undecided (exit 3), not differentiable by default.
"""

from __future__ import annotations

from typing import Any

import mpmath
import pytest
from conftest import Cli, CliRun, one

HOLE = "0*log(abs(y + 2**-2048))"
# a second hole: the left quotients at 2**-k use f at -2**-k and -2**-(k-1), so
# holes at -2**-2048 and -2**-2050 spoil every step from 2**-2048 to 2**-2051
TWO_HOLES = f"{HOLE} + 0*log(abs(y + 2**-2050))"
TINY = mpmath.nstr(mpmath.mpf(2) ** -200, 10)  # 6.223015278e-61


def _json(cli: Cli, *args: str) -> tuple[CliRun, dict[str, Any] | None]:
    run = cli(*args, "--at", "y=0", "-f", "json", "--timeout", "60")
    return run, (one(run) if run.code in (0, 1) else None)


def _undecided(run: CliRun) -> None:
    assert run.code == 3
    assert "cannot decide" in run.err and "2**-2048 to 2**-2051" in run.err
    assert run.err.count("\n") == 1
    assert "Traceback" not in run.err


def test_a_tiny_corner_beside_a_hole_on_a_gap_step_is_found(cli: Cli) -> None:
    # By hand: away from the hole f = y + 2**-200*relu(y), y on the left of 0
    # and (1 + 2**-200)*y on the right: the left derivative is 1, the right
    # 1 + 2**-200, so f'(0) does not exist (the sides differ by 2**-200). The
    # hole, 2**-2048 from 0, is no edge: f has a value at every other point.
    run, result = _json(cli, "grad", f"y + 2**-200*relu(y) + {HOLE}")
    assert run.err == "", run.err
    assert result is not None
    assert run.code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert f"differ by {TINY}" in result["note"]


def test_a_tiny_jump_of_f_prime_beside_a_hole_stops_the_second_derivative(cli: Cli) -> None:
    # By hand: (relu(y)**3)**(1/3) = relu(y), so away from the hole f is y on
    # the left of 0 and (1 + 2**-200)*y on the right: f' jumps from 1 to
    # 1 + 2**-200 at 0, and f''(0) does not exist. f''s closed form is 0/0 left
    # of 0, so the gap comes from f's own quotients, whose left one at 2**-2048
    # needs f at the hole.
    text = f"y + 2**-200*(relu(y)**3)**(1/3) + {HOLE}"
    run, result = _json(cli, "partial", text, "--wrt", "y", "--order", "2")
    assert run.err == "", run.err
    assert result is not None
    assert run.code == 1
    assert result["differentiable"] is False
    assert "derivative of order 1 jumps at y=0" in result["note"]
    assert f"jumps by about {TINY}" in result["note"]


def test_a_corner_hidden_at_every_step_tried_is_undecided(cli: Cli) -> None:
    # The same f = y + 2**-200*relu(y) (by hand: no derivative at 0) with holes
    # on every step the corner's gap is tried at: not "the derivative is 1"
    # but cannot decide, exit 3, one line on stderr.
    run, _ = _json(cli, "grad", f"y + 2**-200*relu(y) + {TWO_HOLES}")
    _undecided(run)


@pytest.mark.parametrize(
    "holes",
    [
        TWO_HOLES,
        # the same on the right: the right quotients use f at 2**-k and 2**-(k-1).
        # (A quotient taken at twice its steps misses these holes at 2**-2048
        # and measures the jump: tools/mutate.py's 95654c5a:67 and :71 num_inc.)
        "0*log(abs(y - 2**-2048)) + 0*log(abs(y - 2**-2050))",
    ],
)
def test_a_jump_of_f_prime_hidden_at_every_step_tried_is_undecided(cli: Cli, holes: str) -> None:
    # As the second test (by hand: f' jumps by 2**-200, no f''(0)), with the
    # tiny-jump test's quotients of f spoiled from 2**-2048 to 2**-2051: not
    # "f''(0) = 0" but cannot decide, exit 3.
    text = f"y + 2**-200*(relu(y)**3)**(1/3) + {holes}"
    run, _ = _json(cli, "partial", text, "--wrt", "y", "--order", "2")
    _undecided(run)


@pytest.mark.parametrize("sign", ["+", "-"])
def test_a_mixed_corner_hidden_at_every_step_tried_is_undecided(cli: Cli, sign: str) -> None:
    # f = sinc(x)*y + x*y + 2**-200*x*abs(y - 1) away from the holes. By hand:
    # sinc is even, so d/dx f(0, y) = y + 2**-200*abs(y - 1), whose slopes along
    # y at 1 are 1 -+ 2**-200: no d2/dxdy at (0, 1). d/dx's closed form is 0/0
    # all along x = 0, so the corner's gap comes from f's mixed quotients, which
    # at step 2**-k along y use y = 1 -+ 2**-k and 1 -+ 2**-(k-1): holes at
    # y = 1 -+ 2**-2048 and 1 -+ 2**-2050 (sign "+": on the left) spoil every
    # step tried. (Quotients at twice their steps along y miss them and measure
    # the corner: tools/mutate.py's 605b06ad:71 and :75 num_inc.)
    holes = " + ".join(f"0*log(abs(y - 1 {sign} 2**-{k}))" for k in (2048, 2050))
    text = f"sinc(x)*y + x*y + 2**-200*x*abs(y-1) + {holes}"
    run = cli(
        "partial", text, "--wrt", "x", "--wrt", "y", "--at", "x=0,y=1", "-f", "json",
        "--timeout", "60",
    )  # fmt: skip
    _undecided(run)
