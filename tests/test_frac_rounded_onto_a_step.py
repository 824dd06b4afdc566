"""frac of an argument that rounding puts exactly on a whole number (a
helper's find, stop 33, tracing an evaluate.py mutant).

tanh(20000) = 1 - 2/(e**40000 + 1), so tanh(y) + 2 at y = 20000 is just below
3 and frac of it is tanh(20000), about 1 - 3.3e-17372 (by hand; mpmath at
17,500 digits agrees). Even 32,768 bits round tanh(y) + 2 to exactly 3, and
frac read 0: `grad "frac(tanh(y)+2)*y" --at y=20000` said 0, agree, where the
derivative frac(...) + y*(1 - tanh(y)**2) is 1, and `cos(frac(tanh(y)+2))*y`
said 1 where it is cos(1). frac jumps at whole numbers, as floor does, so its
argument within its rounding of one is now a step read blind, as for floor:
derivcli says it cannot judge (exit 3), never a wrong value.
"""

from __future__ import annotations

import math

import pytest
from conftest import Cli, one


@pytest.mark.parametrize("expression", ["frac(tanh(y)+2)*y", "cos(frac(tanh(y)+2))*y"])
def test_frac_rounded_onto_its_step_is_not_judged(cli: Cli, expression: str) -> None:
    run = cli("grad", expression, "--at", "y=20000", "--timeout", "60", "-f", "json")
    assert run.code == 3, run.err
    result = one(run)
    assert result["symbolic"] is None
    assert "cannot judge" in result["note"]


def test_frac_off_its_step_is_still_right(cli: Cli) -> None:
    # at y = 0.5: frac(tanh(y) + 2) = tanh(0.5), so f' = tanh(0.5) + 0.5*(1 -
    # tanh(0.5)**2), by hand
    run = cli("grad", "frac(tanh(y)+2)*y", "--at", "y=0.5", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.err
    t = math.tanh(0.5)
    assert one(run)["symbolic"] == pytest.approx(t + 0.5 * (1 - t * t), rel=1e-15)


def test_frac_on_a_true_step_still_jumps(cli: Cli) -> None:
    # frac(y)*y at 20000: left limit 20000 (frac -> 1), value 0, right limit 0
    run = cli("grad", "frac(y)*y", "--at", "y=20000", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    result = one(run)
    assert result["differentiable"] is False
    assert "jumps" in result["note"]
