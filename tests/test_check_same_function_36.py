"""`derivcli check`: one function reached sympy under two names.

`check "(x**2)**(1/2)" --answer "x/abs(x)"` was "right at every point checked
(not proven)", with the note "sympy simplifies answer - derivative only to
-x/Abs(x) + x/abs(x)": the answer's abs (an opaque symengine function) reached
sympy as an undefined function named abs, the derivative's sqrt(x**2) as
sympy's Abs. The same held for every other opaque function (sign, heaviside,
relu, max, min, floor, ceil, sigmoid, softplus, expm1, log1p, digamma, ...):
sympy could use none of their identities. Now each reaches sympy as sympy's
own function, and these answers are proven right, or wrong, by sympy.

Each truth is worked out by hand in the comments.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Cli


def _check(cli: Cli, expression: str, answer: str) -> tuple[int, dict[str, Any]]:
    run = cli("check", expression, "--answer", answer, "-f", "json", "--timeout", "60")
    assert run.err == ""
    report = json.loads(run.out)
    assert isinstance(report, dict)
    return run.code, report


def _assert_proven_right(code: int, report: dict[str, Any], reason_end: str) -> None:
    assert code == 0
    assert report["verdict"] == "right"
    assert report["proven"] is True
    assert report["method"] == "sympy simplify"
    assert report["reason"].endswith(f"sympy simplifies answer - derivative to {reason_end}")
    assert report["note"] is None


def test_the_reported_case_abs_is_sympys_abs(cli: Cli) -> None:
    # sqrt(x**2) is |x|; its derivative x/sqrt(x**2) = x/|x| for every x != 0
    # (at 0 both sides are 0/0), so answer - derivative is 0 wherever defined
    code, report = _check(cli, "(x**2)**(1/2)", "x/abs(x)")
    _assert_proven_right(code, report, "0")


# (expression, answer): the answer equals the derivative at every real x where
# both are defined, by the identity in the comment
SAME: list[tuple[str, str]] = [
    # |x|/x = x/|x| (multiply by |x|/|x| and use |x|**2 = x**2)
    ("sqrt(x**2)", "abs(x)/x"),
    # d/dx x*|x| = |x| + x*sign(x), and x*sign(x) = |x|
    ("x*abs(x)", "2*abs(x)"),
    # d/dx |x|**3 = 3*|x|**2*sign(x) = 3*x*|x| (|x|*sign(x) = x)
    ("abs(x)**3", "3*x*abs(x)"),
    # sign(x)**2 is 1 for x != 0 and x*sign(x)**2 is 0 = x at 0
    ("x**2", "2*x*sign(x)**2"),
    # d/dx exp(|x|) = exp(|x|)*sign(x), and sqrt(x**2) = |x|
    ("exp(abs(x))", "sign(x)*exp(sqrt(x**2))"),
    # d/dx log(1 + exp(x)) = exp(x)/(1 + exp(x)) = 1/(1 + exp(-x)) = sigmoid(x)
    ("log(1+exp(x))", "sigmoid(x)"),
    # softplus' = sigmoid = 1/(1 + exp(-x))
    ("softplus(x)", "1/(1+exp(-x))"),
    # exp' = exp = expm1 + 1
    ("exp(x)", "expm1(x) + 1"),
    # d/dx log(1 + x) = 1/(1 + x) = exp(-log(1 + x)) for x > -1
    ("log(1+x)", "exp(-log1p(x))"),
    # lgamma' = digamma = polygamma(0, .): one function under two names
    ("lgamma(x)", "polygamma(0, x)"),
    # max(x, x - 1) = x and min(x, x + 1) = x, the derivative of x**2/2
    ("x**2/2", "max(x, x - 1)"),
    ("x**2/2", "min(x, x + 1)"),
    # floor(x + 1) = floor(x) + 1 and ceil(x) = ceil(x - 1) + 1 for every real x
    ("x**2/2", "x + floor(x + 1) - floor(x) - 1"),
    ("x**2/2", "x + ceil(x) - ceil(x - 1) - 1"),
    # x**2 + 1 > 0: heaviside of it is 1, relu of it is itself
    ("x", "heaviside(x**2 + 1)"),
    ("x**3/3 + x", "relu(x**2 + 1)"),
]


@pytest.mark.parametrize(("expression", "answer"), SAME)
def test_an_answer_with_derivcli_functions_is_proven_right(
    cli: Cli, expression: str, answer: str
) -> None:
    code, report = _check(cli, expression, answer)
    _assert_proven_right(code, report, "0")


# (expression, answer): equal wherever both closed forms are defined; sympy's
# difference is 0 except at x = 0, where one side is 0/0 or 1/0
WHERE_DEFINED: list[tuple[str, str]] = [
    # x/sqrt(x**2) is 1 for x > 0, -1 for x < 0 (sign(x)), 0/0 at 0
    ("(x**2)**(1/2)", "sign(x)"),
    # d/dx log|x| = sign(x)/|x| = 1/x for x != 0; both are 1/0 at 0
    ("log(abs(x))", "1/x"),
]


@pytest.mark.parametrize(("expression", "answer"), WHERE_DEFINED)
def test_an_answer_equal_wherever_both_are_defined_is_proven_right(
    cli: Cli, expression: str, answer: str
) -> None:
    code, report = _check(cli, expression, answer)
    _assert_proven_right(code, report, "0 wherever both are defined")


def test_a_difference_too_small_for_any_spot_check_is_proven_wrong(cli: Cli) -> None:
    # d/dx x = 1; the answer adds exp(-100000)*(|x| + 1), about 2**-144270 times
    # a number >= 1: below the 16,384 bits the spot checks refine to, so they see
    # equal values, but |x| + 1 >= 1 and exp(-100000) > 0 make it nonzero for
    # every x, which sympy's Abs shows and an undefined abs did not
    code, report = _check(cli, "x", "1 + exp(-100000)*(abs(x) + 1)")
    assert code == 1
    assert report["verdict"] == "wrong"
    assert report["proven"] is True
    assert report["method"] == "sympy simplify"
    assert report["reason"] == (
        "sympy simplifies answer - derivative to (Abs(x) + 1)*exp(-100000), not 0"
    )
