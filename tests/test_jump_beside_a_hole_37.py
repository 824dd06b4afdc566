"""A hole in f's domain on a step of f's own one-sided limits (stop 37).

A term 0*log(abs(y + 2**-2048)) leaves f unchanged except at y = -2**-2048,
where log(0) leaves it without a value: a hole on one point, a step left of 0.
f = y + 2**-200*(1 - sign(y)**2) is y + 2**-200 at 0 and y elsewhere, so it
jumps at 0 (value 2**-200, both one-sided limits 0) and has no derivative
there. Its left limit, read at steps of 2**-256 to 2**-1024 and then further
while the values still shrink, needed f at the hole, came out None, and None
was read as "no jump": ``grad`` said the derivative is 1 (a DISAGREE with
autograd's nan). The steps are a free choice, as stop 36's gap steps are: a
value missing at one is now taken at the next finer ones, and where none gives
it (though f has a value further down) the point is undecided, exit 3.
"""

from __future__ import annotations

from typing import Any

import mpmath
import pytest
from conftest import Cli, CliRun, one

HOLE = "0*log(abs(y + 2**-2048))"
# f = y + 2**-200 at 0 and y elsewhere: a jump of 2**-200 (by hand)
JUMPING = "y + 2**-200*(1 - sign(y)**2)"
TINY = mpmath.nstr(mpmath.mpf(2) ** -200, 10)  # 6.223015278e-61


def _json(cli: Cli, *args: str) -> tuple[CliRun, dict[str, Any] | None]:
    run = cli(*args, "--at", "y=0", "-f", "json", "--timeout", "60")
    return run, (one(run) if run.code in (0, 1) else None)


def _jumps(run: CliRun, result: dict[str, Any] | None, size: str) -> None:
    assert run.err == "", run.err
    assert result is not None
    assert run.code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    note = result["note"]
    assert "the function being differentiated jumps at y=0" in note
    # both one-sided limits are 0, the value 2**-200 (or 1): read past the hole
    assert f"left limit 0, value {size}, right limit 0" in note
    assert f"jumps by about {size}" in note


@pytest.mark.parametrize(
    "hole",
    [
        HOLE,
        # on the right: f has no value at 2**-2048
        "0*log(abs(y - 2**-2048))",
        # at -+2**-4096 (2**2048*y = -+2**-2048): a step of the deeper look at
        # a jump below the probes' steps (_deep_jump), whose gap there needs f
        # on both sides
        "0*log(abs(2**2048*y + 2**-2048))",
        "0*log(abs(2**2048*y - 2**-2048))",
    ],
)
def test_a_jump_of_f_beside_a_hole_on_a_limit_step_is_found(cli: Cli, hole: str) -> None:
    # By hand: away from the hole f is y + 2**-200 at 0 and y elsewhere, so its
    # limits from both sides are 0, its value 2**-200: it jumps, no f'(0).
    run, result = _json(cli, "grad", f"{JUMPING} + {hole}")
    _jumps(run, result, TINY)


def test_a_jump_of_one_beside_a_hole_is_found(cli: Cli) -> None:
    # By hand: f = y + 1 at 0 and y elsewhere (but at -2**-2048): limits 0 on
    # both sides, value 1, a jump of 1; not "the derivative is 1".
    run, result = _json(cli, "grad", f"y + (1 - sign(y)**2) + {HOLE}")
    _jumps(run, result, "1")


@pytest.mark.parametrize("sign", ["+", "-"])
def test_a_jump_of_f_stops_the_second_derivative_beside_a_hole(cli: Cli, sign: str) -> None:
    # By hand: f = y**2/2 + 2**-200 at 0 and y**2/2 elsewhere: f jumps at 0, so
    # neither f' nor f'' exists there (away from it, f'' is 1).
    text = f"y**2/2 + 2**-200*(1 - sign(y)**2) + 0*log(abs(y {sign} 2**-2048))"
    run, result = _json(cli, "partial", text, "--wrt", "y", "--order", "2")
    _jumps(run, result, TINY)


def test_a_jump_of_f_hidden_at_every_step_tried_is_undecided(cli: Cli) -> None:
    # The same jumping f (by hand: no derivative at 0) with holes at -2**-2048,
    # -2**-2049, -2**-2050 and -2**-2051: every step the left limit is tried at
    # in place of 2**-2048, though f has a value at -2**-4096. Not "the
    # derivative is 1" but cannot decide, exit 3, one line on stderr.
    holes = " + ".join(f"0*log(abs(y + 2**-{k}))" for k in range(2048, 2052))
    run, _ = _json(cli, "grad", f"{JUMPING} + {holes}")
    assert run.code == 3
    assert "cannot decide" in run.err
    assert "from 2**-2048 to 2**-2051" in run.err and "2**-4096" in run.err
    assert run.err.count("\n") == 1
    assert "Traceback" not in run.err


def test_a_jump_at_an_edge_of_f_beside_a_hole_is_found(cli: Cli) -> None:
    # By hand: sqrt(y)**2 has no real value left of 0, so f is 2*y for y > 0,
    # 2**-200 at 0 and undefined for y < 0 (and at the hole, 2**-2048): its
    # right limit 0 is not its value, so there is no right derivative either.
    # Not "only the right derivative exists (right 2)", which read the right
    # limit as missing where the hole spoiled one of its steps.
    text = "y + sqrt(y)**2 + 2**-200*(1 - sign(y)**2) + 0*log(abs(y - 2**-2048))"
    run, result = _json(cli, "grad", text)
    assert run.err == "", run.err
    assert result is not None
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    note = result["note"]
    assert "the function being differentiated jumps at y=0" in note
    assert f"left limit undefined, value {TINY}, right limit 0" in note
    assert "right 2" not in note


def test_a_mixed_derivative_beside_a_hole_along_x_exists(cli: Cli) -> None:
    # By hand: away from the hole (x = -2**-2048, every y) f = x*y + x*abs(x)*y,
    # so d/dx = y + 2*abs(x)*y, continuous, and d2/dxdy = 1 + 2*abs(x): 1 at
    # (0, 0). The check that f is continuous along x beside the point (at
    # y = -+2**-64) read f's limit there past the hole as missing, a jump, and
    # said d/dx "does not exist beside the point".
    text = "x*y + x*abs(x)*y + 0*log(abs(x + 2**-2048))"
    run = cli(
        "partial", text, "--wrt", "x", "--wrt", "y", "--at", "x=0,y=0", "-f", "json",
        "--timeout", "60",
    )  # fmt: skip
    assert run.err == "", run.err
    assert run.code == 0
    result = one(run)
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0
    assert result["verdict"] == "agree"
