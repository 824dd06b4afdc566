"""f's value at a kink, beside its limits there, to better than the 2**-100
they are compared to (a helper's find, stop 34).

exact_value refines a sum that cancels until 80 bits are left, and two
precisions agree to 64 bits: cos(1e-45) - 1 at 384 bits is -5e-91 to about
2**-84. The jump test compares f's value at the point with its side limits to
2**-100, so x*abs(x) + cos(1e-45) - 1 "jumped" at 0 by 1.3e-117 and was
called not differentiable. f is x*abs(x) plus a constant: its derivative at
0 is lim |h| = 0. The value at the point is now doubled in precision until two
agree to 128 bits.
"""

from __future__ import annotations

import json

import mpmath
import pytest
from conftest import Cli

CONSTANTS = [
    "cos(1e-45) - 1",  # -5e-91: cancels about 2**300
    "cos(1e-44) - 1",
    "exp(1e-88) - 1",  # 1e-88
    # about 2**-287.4 (a helper's mpmath search): log(1 + t) of a product
    # rounded at 384 bits
    "log(E*749383656620054147395102287344216305792989681440585030117719782589209853622447048246426974/2**300)",
]


@pytest.mark.parametrize("constant", CONSTANTS)
def test_a_constant_that_cancels_is_no_jump_at_a_kink(cli: Cli, constant: str) -> None:
    run = cli("grad", f"x*abs(x) + {constant}", "--at", "x=0", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.out
    (result,) = json.loads(run.out)["results"]
    assert result["verdict"] == "agree"
    assert result["differentiable"] is True
    assert result["symbolic"] == 0.0


def test_a_real_jump_of_that_size_is_still_found(cli: Cli) -> None:
    # the same constant times (1 - sign(x)**2), which is 1 at 0 and 0 beside
    # it: f jumps from 0 to cos(1e-45) - 1 = -5e-91 (by hand: -x**2/2 for
    # x = 1e-45, to 1e-90 relative) at 0
    with mpmath.workdps(200):  # cos(1e-45) is 1 to 90 digits
        jump = mpmath.cos(mpmath.mpf("1e-45")) - 1
    assert mpmath.nstr(jump, 3) == "-5.0e-91"
    run = cli(
        "grad", "x*abs(x) + (cos(1e-45) - 1)*(1 - sign(x)**2)", "--at", "x=0",
        "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 1
    (result,) = json.loads(run.out)["results"]
    assert result["verdict"] == "not differentiable"
    assert "(left limit 0, value -5e-91, right limit 0" in result["note"]
