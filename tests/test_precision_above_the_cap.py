"""A precision asked for above MAX_PRECISION is kept, never lowered to the cap.

_deep_jump compares f's gaps beside a point at steps of 2**-4096, 2**-8192, ...
and checks each gap at twice the bits it took (34,300 at 2**-8192). With sums
keeping every bit of their smaller term (evaluate._bits_to_keep), an operand
could need more than the precision asked for, and exact_value then re-ran at
min(MAX_PRECISION, needs) = 16,384 bits: fewer than asked. At y = 2**-8192,
cos(y) - 1 is -2**-16385 (by hand: 1 - y**2/2 + y**4/24 - ...), below what
16,384 bits keep next to 1, so heaviside's argument read 0, the gap read
differently at the two precisions and was dropped as rounding, and
`y - heaviside(cos(y) - 1)` at 0 (value -1/2, both side limits 0: f jumps)
was called differentiable with derivative 1 (found by fuzz seed 68).
"""

from __future__ import annotations

import gmpy2
import mpmath
import pytest
from conftest import Cli, one

from derivcli.language.evaluate import MAX_PRECISION, Program, compile_tree, exact_value
from derivcli.language.parser import parse


def _program(text: str) -> Program:
    return compile_tree(parse(text).tree)


def test_the_cap_is_the_documented_16384_bits() -> None:
    assert MAX_PRECISION == 16384


@pytest.mark.parametrize("sign", [-1, 1])
def test_a_precision_above_the_cap_keeps_the_sign_of_cos_y_minus_1(sign: int) -> None:
    y = sign * gmpy2.mpfr(2) ** -8192
    # the oracle: cos(y) - 1 at 40,000 bits (mpmath) is about -y**2/2 < 0
    with mpmath.workprec(40000):
        inner = mpmath.cos(mpmath.mpf(2) ** -8192) - 1
        assert inner < 0
        assert mpmath.almosteq(inner, -(mpmath.mpf(2) ** -16385), rel_eps=mpmath.mpf(2) ** -100)
    outcome = exact_value(_program("y - heaviside(cos(y) - 1)"), {"y": y}, 34300, exact_sums=True)
    assert outcome.precision >= 34300
    assert outcome.value is not None
    # heaviside of a negative number is 0, so f is y itself
    assert outcome.value == y


@pytest.mark.parametrize(
    "expression",
    ["y - heaviside(cos(y) - 1)", "3*y - heaviside(cos(y) - 1)", "sin(y) + heaviside(cos(y) - 1)"],
)
def test_a_jump_below_the_probes_steps_under_a_slope_is_found(cli: Cli, expression: str) -> None:
    # f at 0 is -1/2 (or +1/2); beside 0 it is a multiple of y or sin(y), whose
    # limits are 0 on both sides: f jumps, so there is no derivative
    run = cli("grad", expression, "--at", "y=0", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert "jumps at y=0" in result["note"]
    assert "value -0.5" in result["note"] or "value 0.5" in result["note"]
