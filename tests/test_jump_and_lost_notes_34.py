"""Two faults a helper found tracing mutants of seed 42's draw (stop 34).

- A jump of f at the point that only more than MAX_PRECISION bits can see:
  `_jump` evaluated f at the point with exact sums, which go straight to the
  16,384-bit cap for a sum that needs more (1 + exp(-14000) needs about 20,200
  bits), rounded it there, and read f as 0 between side limits of 0: "agree",
  exit 0. Refined by doubling, the evaluation goes past the cap and keeps it.
- A value lost beside the point was called lost "at the point":
  `_continuous_at` is only ever asked about a point beside the one examined.
"""

from __future__ import annotations

import json

import mpmath
from conftest import Cli


def test_a_jump_past_the_precision_cap_is_still_a_jump(cli: Cli) -> None:
    # f = x + exp(10000)*(sqrt(1 + exp(-14000)) - 1)*(1 - sign(x)**2): the last
    # factor is 1 at x = 0 and 0 elsewhere, so f is x beside 0 and
    # exp(10000)*(sqrt(1 + exp(-14000)) - 1), about exp(-4000)/2, at 0: f jumps
    # there, and has no derivative
    with mpmath.workdps(12000):
        value = mpmath.e**10000 * (mpmath.sqrt(1 + mpmath.e**-14000) - 1)
        text = mpmath.nstr(value, 3)
    assert text == "3.32e-1738"
    run = cli(
        "grad", "x + exp(10000)*(sqrt(1 + exp(-14000)) - 1)*(1 - sign(x)**2)", "--at", "x=0",
        "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 1, run.err
    (result,) = json.loads(run.out)["results"]
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert f"(left limit 0, value {text}, right limit 0;" in result["note"]


def test_a_value_lost_beside_the_point_is_said_to_be_beside_it(cli: Cli) -> None:
    # at (0, 0, -9000) f is exactly 0 (y = 0); at y = +-2**-64 the term
    # (z*tanh(z) + z)*exp(-2*z) cancels past 16,384 bits (tanh(-9000) is -1 +
    # 2*exp(-18000)), so the mixed partial cannot be judged, because of a value
    # beside the point
    run = cli(
        "partial", "abs(x)*sign(x)*y + (1 - sign(x)**2)*(z*tanh(z) + z)*exp(-2*z)*y",
        "--wrt", "x", "--wrt", "y", "--at", "x=0,y=0,z=-9000", "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 3
    (result,) = json.loads(run.out)["results"]
    assert result["note"].startswith("derivcli cannot judge this point: beside the point, ")
    assert "z*tanh(z) + z cancels past the 16,384 bits" in result["note"]
