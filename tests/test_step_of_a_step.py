"""A step function clearly off its steps has an exact value, whatever its argument's rounding.

Fuzz seed 73 (stop 30's final code): `grad "floor(sign(tanhshrink(y)))" --at
y=1e+20 --order 3` said it cannot judge the point (exit 3, "sign(y - tanh(y))
cancels past the 16,384 bits"). y - tanh(y) is about 1e20 there, far from 0, so
sign of it is exactly 1 on a whole neighbourhood and floor(1) = 1: f is the
constant 1 and every derivative is 0 (by hand). The evaluation gave sign's 1 a
rounding of its own size because y - tanh(y) was rounded, and floor then saw a
rounded argument exactly on its step at 1, asked for more bits and never
settled. With x - tanh(x) at 1e5 the same happened; at 1 it settled only after
32,768 bits.
"""

from __future__ import annotations

import pytest
from conftest import Cli, one

from derivcli.language.evaluate import EDGE_PRECISION, compile_tree, exact_value
from derivcli.language.parser import parse


def test_the_fuzz_73_point_is_flat(cli: Cli) -> None:
    run = cli(
        "grad", "floor(sign(tanhshrink(y)))", "--at", "y=1e+20", "--order", "3",
        "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 0, run.err
    result = one(run)
    assert result["verdict"] == "agree"
    assert result["symbolic"] == 0.0
    assert result["derivative"] == "0"


@pytest.mark.parametrize("x", [1.0, 1e5, 1e20])
def test_a_step_of_a_step_is_exact_at_the_first_precision(x: float) -> None:
    outcome = exact_value(compile_tree(parse("floor(sign(x - tanh(x)))").tree), {"x": x})
    assert outcome.value == 1
    assert outcome.undefined is None
    # sign(x - tanh(x)) = 1 and floor(1) = 1 carry no rounding ...
    assert outcome.magnitudes[-2:] == (0, 0)
    # ... so floor's argument is no rounded value on its step: no more bits asked
    assert outcome.precision < EDGE_PRECISION


@pytest.mark.parametrize(
    ("expression", "derivative"),
    [
        # x*1 for x > 0 (x - tanh(x) > 0): the derivative is 1
        ("x*floor(sign(x - tanh(x)))", 1.0),
        # heaviside(log(x)) = 1, round(1.5) = 2 (half to even): 2*x, derivative 2
        ("x*round(heaviside(log(x)) + 0.5)", 2.0),
        # frac(1) = 0: f is 0 all around
        ("x*frac(sign(x - tanh(x)))", 0.0),
    ],
)
def test_a_step_of_a_step_is_judged(cli: Cli, expression: str, derivative: float) -> None:
    run = cli("grad", expression, "--at", "x=100000", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.err
    result = one(run)
    assert result["verdict"] == "agree"
    assert result["symbolic"] == derivative
    assert result["autograd"] == derivative


@pytest.mark.parametrize("z", [-1.5, -2.5, -1.7])
def test_a_step_function_of_an_exact_argument_is_exact_on_its_step(cli: Cli, z: float) -> None:
    """Fuzz seed 74: `partial "log2(round(z))" --at z=-1.5 --order 2` said it
    cannot judge (exit 3, "round(z) cancels past the 16,384 bits"). round(-1.5)
    is -2 (half to even; -2.5 also rounds to -2), and log2(-2) is undefined: no
    derivative, exit 1. MPFR flags rint inexact wherever its value differs from
    its argument, and round's value was then taken for a rounded one on its
    step. At -1.7 (off the step) the same flag gave round a rounding of its own
    size before this stop."""
    run = cli("grad", "log2(round(z))", "--at", f"z={z}", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert f"the function is undefined at z={z}" in result["note"]


def test_round_on_its_step_of_an_exact_argument_carries_no_rounding() -> None:
    # round(x) at 2.5 is 2 (half to even), heaviside(x - 2.5) at 2.5 is 1/2: exact
    for text, value in (("round(x)", 2), ("heaviside(x - 2.5)", 0.5), ("floor(x)", 2)):
        outcome = exact_value(compile_tree(parse(text).tree), {"x": 2.5})
        assert outcome.value == value
        assert outcome.magnitudes[-1] == 0
        assert not outcome.doubtful
