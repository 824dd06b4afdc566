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
    ("expression", "order"),
    [
        ("y - heaviside(cos(y) - 1)", "1"),
        ("3*y - heaviside(cos(y) - 1)", "1"),
        ("sin(y) + heaviside(cos(y) - 1)", "1"),
        # fuzz seed 69: y/2.5 is rounded, so the gap at steps of 2**-8192 was
        # first taken at 16,384 bits (cos(y) - 1 read 0, heaviside 1/2: a gap of
        # y/2.5) and then at 34,300 (1/2): the change was taken for rounding
        ("y/2.5 + heaviside(cos(y) - 1)", "1"),
        ("y/2.5 + heaviside(cos(y) - 1)", "2"),
    ],
)
def test_a_jump_below_the_probes_steps_under_a_slope_is_found(
    cli: Cli, expression: str, order: str
) -> None:
    # f at 0 is -1/2 (or +1/2); beside 0 it is a multiple of y or sin(y), whose
    # limits are 0 on both sides: f jumps, so there is no derivative of any order
    run = cli("grad", expression, "--at", "y=0", "-n", order, "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert "jumps at y=0" in result["note"]
    assert "value -0.5" in result["note"] or "value 0.5" in result["note"]


@pytest.mark.parametrize(
    ("expression", "column"), [("(pi*y)**1.5/(y+y)**1e300", 18), ("(y+y)**1e300", 6)]
)
def test_a_huge_integer_power_of_a_scaled_base_is_a_limit(
    cli: Cli, expression: str, column: int
) -> None:
    """Fuzz seed 69: symengine writes (y + y)**1e300 as 2**(10**300)*y**(10**300),
    and its integer powers stop at 64-bit exponents; derivcli said "the symbolic
    engine failed: RuntimeError: powint ..." (exit 3). It is a documented limit:
    exit 2, one line, with the column of the power."""
    run = cli("grad", expression, "--at", "y=0.5", "--timeout", "60")
    assert run.code == 2
    assert run.out == ""
    (line,) = run.err.strip().splitlines()
    assert f"the power at column {column} cannot be formed exactly" in line
    assert "RuntimeError" not in line
