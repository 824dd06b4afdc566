"""A kink line's readings off it: nearer where the far readings are past every precision.

Fuzz seed 74 (stop 31): `partial "atan(max(cos(x) - 1 + tanh(y), tanh(y)))"
--at x=0.0,y=1.0 --wrt x --wrt x --wrt y` said not differentiable ("the
derivative of order 2 jumps at y=1 ... it jumps by 6.8e-118"). By hand, max(cos(x)
- 1 + t, t) = t + max(cos(x) - 1, 0) = t, since cos(x) - 1 <= 0: f is atan(tanh(y))
for every x, and d3/dxdxdy is 0. The closed form of order 2 holds heaviside(cos(x)
- 1), 1/2 on the whole line x = 0 (a convention) and 0 beside it, so its sides along
y are read off the line, at x = 2**-8192 and 2**-16384. There cos(x) - 1 is
-2**-16385 and -2**-32769: the second is past the 16,384 bits of the evaluation,
where cos rounds to exactly 1 and heaviside read its step (1/2) again. Now a
function rounded onto the value it takes only at 0 (cos, cosh, sec, exp, sinc at
1) with an argument that is not 0 is "cancelled", not on the step, and where the
far readings are lost the line is read nearer, at 2**-2048 and 2**-4096.
"""

from __future__ import annotations

import gmpy2
import pytest
from conftest import Cli, one

from derivcli.language.evaluate import compile_tree, exact_value
from derivcli.language.parser import parse


def test_the_simplest_case_agrees(cli: Cli) -> None:
    # max(cos(x) - 1 + y, y) is y (by hand, as above): every x-derivative is 0
    run = cli(
        "partial", "max(cos(x) - 1 + y, y)", "--at", "x=0,y=1",
        "--wrt", "x", "--wrt", "x", "--wrt", "y", "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 0, run.err
    result = one(run)
    assert result["verdict"] == "agree"
    assert result["symbolic"] == 0.0


def test_the_fuzz_74_point_has_derivative_zero(cli: Cli) -> None:
    run = cli(
        "partial", "atan(max(cos(x) - 1 + tanh(y), tanh(y)))", "--at", "x=0.0,y=1.0",
        "--wrt", "x", "--wrt", "x", "--wrt", "y", "--timeout", "60", "-f", "json",
    )  # fmt: skip
    result = one(run)
    assert result["differentiable"] is True
    assert result["symbolic"] == 0.0
    # torch's max splits its gradient at the tie: autograd's 0.128 is its
    # convention, labelled DISAGREE (exit 1), not a derivative
    assert result["verdict"] == "DISAGREE"
    assert run.code == 1
    assert "convention" in result["note"]


def test_cos_rounded_to_one_off_zero_is_no_step() -> None:
    # cos(2**-16384) - 1 = -2**-32769 < 0 (by hand: -x**2/2): heaviside of it is 0,
    # but 16,384 bits round cos to 1; the step is then not read (1/2) but lost
    lost = exact_value(
        compile_tree(parse("heaviside(cos(x) - 1)").tree),
        {"x": gmpy2.mul_2exp(gmpy2.mpfr(1), -16384)},
    )
    assert lost.value is None
    assert lost.undefined is not None and lost.undefined.kind == "cancelled"
    # at 2**-2048 it is -2**-4097, within reach: 0
    near = exact_value(
        compile_tree(parse("heaviside(cos(x) - 1)").tree),
        {"x": gmpy2.mul_2exp(gmpy2.mpfr(1), -2048)},
    )
    assert near.value == 0
    # at 0 itself cos is exactly 1: the step, 1/2 by convention
    at = exact_value(compile_tree(parse("heaviside(cos(x) - 1)").tree), {"x": 0.0})
    assert at.value == 0.5


def test_exp_rounded_to_one_off_zero_is_no_step() -> None:
    # exp(-2**-20000) - 1 is about -2**-20000 < 0 (by hand): heaviside of it is 0,
    # but exp rounds to 1 at every precision derivcli has: lost, not 1/2
    x = -gmpy2.mul_2exp(gmpy2.mpfr(1), -20000)
    outcome = exact_value(compile_tree(parse("heaviside(exp(x) - 1)").tree), {"x": x})
    assert outcome.value is None
    assert outcome.undefined is not None and outcome.undefined.kind == "cancelled"


@pytest.mark.parametrize(
    ("expression", "x"),
    [
        # 1 - sinc(x) is about (pi*x)**2/6 > 0 (by hand), 2**-40001 at 2**-20000:
        # sinc rounds to 1 at every precision, so heaviside would read its step
        ("heaviside(1 - sinc(x))", -20000),
        # cosh(x) - 1 is about x**2/2 > 0: 2**-40001 at 2**-20000
        ("heaviside(cosh(x) - 1)", -20000),
        # sec(x) - 1 is about x**2/2 > 0
        ("heaviside(sec(x) - 1)", -20000),
    ],
)
def test_each_function_rounded_onto_its_value_at_zero_is_no_step(expression: str, x: int) -> None:
    point = {"x": gmpy2.mul_2exp(gmpy2.mpfr(1), x)}
    outcome = exact_value(compile_tree(parse(expression).tree), point)
    assert outcome.value is None
    assert outcome.undefined is not None and outcome.undefined.kind == "cancelled"
