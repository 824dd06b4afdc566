"""A step function whose side rests on a saturated value is labelled, not read as its kink.

tanh(z) never reaches -1 or 1, nor erf(z); sigmoid(z) never reaches 1,
erfc(z) never 2 (erfc(120) is 2**-20,780-odd, past 16,384 bits). Nor does a
sum with a nonzero term equal its other term, though rounding can make it so.
Far enough out, 16,384 bits (the most derivcli evaluates with) round them
onto that value: tanh(-6000) is -1 + 2e**-12000
(by hand: 1 + tanh(z) = 2/(1 + e**(-2z))), 17,311 bits below 1. Then
x*tanh(x) + x at -6000 is exactly 0, and heaviside read it as its kink:
``grad "heaviside(x*tanh(x)+x)*x" --at x=-6000`` said agree, 0.5 (exit 0),
where the argument is x*(1 + tanh(x)) < 0 for every x < 0, so f is 0 there
and the derivative 0 (torch's float64 sum is 0 as well, hence its 0.5).

A step's argument within its rounding of the step is still read as on the
step where nothing saturated (x*0.1 - 0.3 at 3 and sin(pi*x) at 1 are 0): the
designed cases below. Where the side rests on a saturated value, the point is
"cannot judge" (exit 3) with the sum named; derivcli cannot tell the side
without more than 16,384 bits.

_true_sign's oracle: mpmath at 40,000 bits, where none of these saturates.
"""

from __future__ import annotations

import mpmath
import pytest
from conftest import Cli, one

from derivcli.language.evaluate import compile_tree, exact_value
from derivcli.language.parser import parse
from derivcli.language.printer import to_text

# (expression, point, the step's argument as printed, the argument's true sign)
SATURATED = [
    ("heaviside(x*tanh(x) + x)", -6000.0, "x*tanh(x) + x", -1),
    ("heaviside(sigmoid(x) - 1)", 20000.0, "sigmoid(x) - 1", -1),
    ("sign(erf(x) + erf(x) + 2)", -120.0, "erf(x) + erf(x) + 2", 1),
    ("heaviside(erfc(x) - 2)", -120.0, "erfc(x) - 2", -1),
    # a sum that rounded a nonzero term away entirely: softsign is written out
    # as z/(1 + abs(z)), whose 1 is lost beside exp(12000) = 2**17,312
    ("heaviside(softsign(exp(x)) - 1)", 12000.0, "exp(x)/(1 + abs(exp(x))) - 1", -1),
    ("heaviside(exp(x) + 1 - exp(x))", 12000.0, "exp(x) + 1 - exp(x)", 1),
]


def _true_sign(text: str, x: float) -> int:
    """The argument's sign from mpmath at 30,000 bits, where none of them
    saturates nor absorbs (the oracle's check that the case is what the
    docstring says)."""
    z = mpmath.mpf(x)
    with mpmath.workprec(40000):
        values = {
            "x*tanh(x) + x": z * mpmath.tanh(z) + z,
            "sigmoid(x) - 1": 1 / (1 + mpmath.exp(-z)) - 1,
            "erf(x) + erf(x) + 2": 2 * mpmath.erf(z) + 2,
            "erfc(x) - 2": mpmath.erfc(z) - 2,
            "exp(x)/(1 + abs(exp(x))) - 1": mpmath.exp(z) / (1 + mpmath.exp(z)) - 1,
            "exp(x) + 1 - exp(x)": mpmath.exp(z) + 1 - mpmath.exp(z),
        }
        value = values[text]
    assert value != 0
    return 1 if value > 0 else -1


@pytest.mark.parametrize(("text", "x", "argument", "sign"), SATURATED)
def test_a_step_on_a_saturated_sum_is_labelled(
    text: str, x: float, argument: str, sign: int
) -> None:
    assert _true_sign(argument, x) == sign
    outcome = exact_value(compile_tree(parse(text).tree), {"x": x})
    assert outcome.value is None
    assert outcome.lost
    assert outcome.undefined is not None
    assert to_text(outcome.undefined.node) == argument


@pytest.mark.parametrize(
    ("text", "x", "true"),
    [
        # nearer in, 16,384 bits keep the gap: the step is on its true side
        ("heaviside(x*tanh(x) + x)", -5000.0, 0.0),
        ("heaviside(sigmoid(x) - 1)", 10000.0, 0.0),
        ("sign(erf(x) + erf(x) + 2)", -100.0, 1.0),
        # nothing saturated: the designed readings of a step on its step
        ("heaviside(x*0.1 - 0.3)", 3.0, 0.5),
        ("sign(sin(pi*x))", 1.0, 0.0),
    ],
)
def test_elsewhere_the_step_has_its_value(text: str, x: float, true: float) -> None:
    outcome = exact_value(compile_tree(parse(text).tree), {"x": x})
    assert outcome.value is not None, outcome.undefined
    assert float(outcome.value) == true


def test_grad_says_it_cannot_judge_instead_of_agreeing_on_a_wrong_number(cli: Cli) -> None:
    run = cli(
        "grad", "heaviside(x*tanh(x)+x)*x", "--at", "x=-6000", "--timeout", "60", "-f", "json"
    )
    assert run.code == 3, run.out
    result = one(run)
    assert result["symbolic"] is None
    assert result["verdict"] == "not computed"
    assert "x*tanh(x) + x cancels past the 16,384 bits" in result["note"]
    (line,) = run.err.strip().splitlines()
    assert line.startswith("derivcli: error: d/dx at x=-6000: derivcli cannot judge this point")


def test_nearer_in_the_right_derivative_is_shown(cli: Cli) -> None:
    """At -50, 1 + tanh(-50) is 2e**-100: kept, f is 0 around, derivative 0;
    torch's float64 tanh(-50) is -1, its sum 0 and its heaviside 1/2: DISAGREE."""
    run = cli("grad", "heaviside(x*tanh(x)+x)*x", "--at", "x=-50", "--timeout", "60", "-f", "json")
    assert run.code == 1
    result = one(run)
    assert result["symbolic"] == 0.0
    assert result["verdict"] == "DISAGREE"


def test_check_skips_such_a_spot_and_takes_the_right_answer(cli: Cli) -> None:
    """check's spots include -13,721.3, where the step's side is unknown at
    16,384 bits: skipped, and the right answer heaviside(x) (the argument has
    x's sign) is right; a wrong one is still found."""
    f = "heaviside(x*tanh(x)+x)*x"
    right = cli("check", f, "--answer", "heaviside(x)", "--timeout", "60", "-f", "json")
    assert right.code == 0, right.out
    assert right.json()["verdict"] == "right"
    wrong = cli("check", f, "--answer", "0", "--timeout", "60", "-f", "json")
    assert wrong.code == 1
    assert wrong.json()["verdict"] == "wrong"


@pytest.mark.parametrize(("text", "at"), [("abs(x*0.1 - 0.3)", "x=3"), ("abs(sin(pi*x))", "x=1")])
def test_the_designed_kinks_are_still_kinks(cli: Cli, text: str, at: str) -> None:
    """Both are 0 at the point (0.1 and 0.3 are decimals; sin(pi) is 0) with
    slopes -k and k on the two sides: not differentiable."""
    run = cli("grad", text, "--at", at, "--timeout", "60", "-f", "json")
    assert run.code == 1
    assert one(run)["verdict"] == "not differentiable"
