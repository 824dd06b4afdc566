"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 37, part a: f's one-sided limits read past a hole in its domain).

Pinned here, each by a fact worked out by hand (never derivcli's own output
recorded as the expectation):

- _past_hole takes f's value at the first defined one of the steps
  2**-(k + 1), 2**-(k + 2), 2**-(k + 3) in place of a hole at 2**-k, the
  nearest first: holes at -2**-2048, -2**-2050 and -2**-2051 leave the value at
  -2**-2049, and f's jump at 0 is found;
- _side_limit reads past holes only on a side where f has shown a value at
  one of the steps: with holes at all of the first ones, the side is missing
  (as before), not "cannot decide";
- _past_hole looks at 2**-(2k) (not 3k) for a value of f further down before
  it calls the point undecided: holes at every step from -2**-2048 to
  -2**-2051 and at -2**-6144 still leave one at -2**-4096;
- _continuous_at reads both of f's limits beside the point, left and right, at
  the steps 2**-k themselves (not 2**-(k - 1)): a jump of f from one side only
  along x, beside the point along y, stops d2/dxdy, and holes at 2**-2047 to
  2**-2050 beside a continuous f do not make it undecided.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Cli, CliRun, one

# f = y + 2**-200 at 0 and y elsewhere: both one-sided limits 0, value 2**-200,
# a jump (by hand)
JUMPING = "y + 2**-200*(1 - sign(y)**2)"


def _holes(var: str, sign: str, exponents: range | tuple[int, ...]) -> str:
    # 0*log(abs(v + 2**-k)) is 0 wherever it is defined and undefined at v = -2**-k
    # only: a hole in f's domain on one point
    return " + ".join(f"0*log(abs({var} {sign} 2**-{k}))" for k in exponents)


def _run(cli: Cli, command: str, text: str, at: str, *wrt: str) -> CliRun:
    args = [a for name in wrt for a in ("--wrt", name)]
    return cli(command, text, *args, "--at", at, "-f", "json", "--timeout", "60")


def _result(run: CliRun) -> dict[str, Any]:
    assert run.err == "", run.err
    assert run.code in (0, 1)
    return one(run)


# ---------------------------------------------------------------- _past_hole


def test_a_jump_beside_holes_is_read_at_the_nearest_step_with_a_value(cli: Cli) -> None:
    # By hand: f is y + 2**-200 at 0 and y elsewhere (but at the holes
    # -2**-2048, -2**-2050, -2**-2051): limits 0, value 2**-200, a jump, no
    # derivative. The left limit's step 2**-2048 falls on a hole; 2**-2049, the
    # next finer one, has a value. Kills analysis.py:5f85918b:23:num_inc:0
    # (the tries start at 2**-(k + 2): holes there and at k + 3 left the point
    # undecided, exit 3).
    run = _run(cli, "grad", f"{JUMPING} + {_holes('y', '+', (2048, 2050, 2051))}", "y=0")
    result = _result(run)
    assert run.code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert "the function being differentiated jumps at y=0" in result["note"]


def test_holes_on_every_step_tried_but_a_value_further_down_is_undecided(cli: Cli) -> None:
    # By hand: the same jumping f (no derivative at 0), with holes at every step
    # the left limit tries at 2**-2048 (2**-2048 to 2**-2051) and one more at
    # -2**-6144 (2**3072*y = -2**-3072); f has a value at -2**-4096. Its left
    # limit cannot be read, so neither "the derivative is 1" nor an edge: cannot
    # decide, exit 3. Kills analysis.py:19b72099:42:num_inc:0 (f looked for at
    # 2**-(3k), the hole at -2**-6144: read as an edge, "the derivative is 1").
    holes = _holes("y", "+", range(2048, 2052))
    run = _run(cli, "grad", f"{JUMPING} + {holes} + 0*log(abs(2**3072*y + 2**-3072))", "y=0")
    assert run.code == 3
    assert "cannot decide" in run.err
    assert "from 2**-2048 to 2**-2051" in run.err and "2**-4096" in run.err
    assert "Traceback" not in run.err


def test_a_jump_of_f_beside_holes_on_all_first_steps_is_no_undecided_point(cli: Cli) -> None:
    # By hand: f = x*y + 2**-200*(1 - sign(y)**2) (but at the holes, every x) is
    # x*y + 2**-200 on the line y = 0 and x*y off it: it jumps along y at y = 0
    # for every x, so d/dy exists nowhere on that line, nor does d3/dydxdy at
    # (0, 0). f has no value left of the point along y at the steps 2**-256,
    # 2**-512 and 2**-1024 (nor at the three finer ones after each), but has
    # from 2**-1028 on: its left limit along y is read there (0, an edge nearer
    # than the probes is no edge: tests/test_edges_nearer_than_probes_37.py),
    # and f's jump at the point says there is no derivative: not "cannot
    # decide", though f has a value at -2**-2048. Kills
    # analysis.py:97e28102:7:false_true:0, analysis.py:a9c2f9d1:25:cmp_isnot_is:0
    # and analysis.py:c637954a:19:bool_and_or:0 (holes read past before f was
    # seen on that side at all: exit 3).
    exponents = [j + i for j in (256, 512, 1024) for i in range(4)]
    text = f"x*y + 2**-200*(1 - sign(y)**2) + {_holes('y', '+', tuple(exponents))}"
    run = _run(cli, "partial", text, "x=0,y=0", "y", "x", "y")
    result = _result(run)
    assert run.code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert "jumps at y=0 (left limit 0, value 6.223015278e-61, right limit 0)" in result["note"]


# ---------------------------------------------------------------- _continuous_at


@pytest.mark.parametrize(
    ("jump", "ids"),
    [
        # x < 0: -2*sign(y)**2; x >= 0: 0. A jump from the left only
        ("(sign(x) - sign(x)**2)*sign(y)**2", "94ea7311:83:neg_drop:0, 94ea7311:84:num_dec:0"),
        # x > 0: 2*sign(y)**2; x <= 0: 0. A jump from the right only
        ("(sign(x) + sign(x)**2)*sign(y)**2", "94ea7311:88:num_dec:0, 94ea7311:88:num_neg:0"),
    ],
)
def test_a_jump_from_one_side_beside_the_point_stops_the_mixed_derivative(
    cli: Cli, jump: str, ids: str
) -> None:
    # By hand: at y != 0, f = x*y + jump jumps by 2 at x = 0 on one side only
    # (its value there is the other side's limit), so d/dx does not exist
    # anywhere on the line x = 0 but at y = 0, and d2/dxdy at (0, 0) does not
    # either. Its one-sided quotients along x (which leave f's value out) are y
    # on both sides: only f's limits show it. Kills analysis.py:{ids} (a side
    # read twice, or at the point itself: "d2/dxdy is 1, agree").
    result = _result(_run(cli, "partial", f"x*y + {jump}", "x=0,y=0", "x", "y"))
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert "f's derivative along x does not exist beside the point along y" in result["note"]


@pytest.mark.parametrize(
    ("sign", "ids"), [("+", "94ea7311:84:num_inc:0"), ("-", "94ea7311:88:num_inc:0")]
)
def test_holes_off_the_limit_steps_leave_a_mixed_derivative(cli: Cli, sign: str, ids: str) -> None:
    # By hand: away from the holes (x = -+2**-2047, ..., -+2**-2050, every y), f =
    # x*y + x*abs(x)*y, so d/dx = y + 2*abs(x)*y, continuous in x, and d2/dxdy
    # = 1 + 2*abs(x): 1 at (0, 0). f's limits along x beside the point are read
    # at 2**-2048 past the hole there (2**-2049 to 2**-2050 are holes too,
    # 2**-2051 is not). Kills analysis.py:{ids} (the limit read at 2**-(k - 1),
    # 2**-2047 and the three finer steps all holes: undecided, exit 3).
    text = f"x*y + x*abs(x)*y + {_holes('x', sign, range(2047, 2051))}"
    run = _run(cli, "partial", text, "x=0,y=0", "x", "y")
    result = _result(run)
    assert run.code == 0
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0
    assert result["verdict"] == "agree"
