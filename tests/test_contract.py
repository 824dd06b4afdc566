"""The documented contract, with its numbers written here, and the verdict edges
that mutation testing showed no test pinned (issue 16).

Each number below is the one the README documents, typed in the test rather
than imported from derivcli, so that a change to the contract fails here. Each
verdict test names the mutant it was written against: a flipped comparison, a
changed constant, ``break`` for ``continue``, that every other test let
through while the CLI's answer changed.
"""

from __future__ import annotations

import math

import pytest
from conftest import Cli

from derivcli.errors import LimitError
from derivcli.language.parser import parse
from derivcli.results import format_number, values_agree

# ---------------------------------------------------------------- limits, as documented


def test_expression_of_exactly_10000_characters_is_read() -> None:
    text = "x" + "+x" * 4_999 + " "  # 10,000 characters
    assert len(text) == 10_000
    assert parse(text).variables == ("x",)


def test_expression_of_10001_characters_is_refused(cli: Cli) -> None:
    text = "x" + "+x" * 5_000  # 10,001 characters
    assert len(text) == 10_001
    with pytest.raises(LimitError, match="10,001 characters long"):
        parse(text)
    run = cli("grad", text, "--at", "x=1")
    assert run.code == 2 and run.out == "" and run.err.count("\n") == 1
    assert "10,000" in run.err


def test_nesting_of_200_levels_is_read_and_201_refused() -> None:
    assert parse("(" * 199 + "x" + ")" * 199).variables == ("x",)  # 200 with x's level
    parse("sin(" * 200 + "x" + ")" * 200)
    with pytest.raises(LimitError, match="200"):
        parse("sin(" * 201 + "x" + ")" * 201)


def test_tolerances_in_the_json_are_the_documented_ones(cli: Cli) -> None:
    run = cli("grad", "x**2", "--at", "x=1", "-f", "json")
    assert (run.json()["rtol"], run.json()["atol"]) == (1e-7, 1e-10)
    run = cli("grad", "x**2", "--at", "x=1", "--dtype", "float32", "-f", "json")
    assert (run.json()["rtol"], run.json()["atol"]) == (1e-4, 1e-5)


def test_float32_tolerance_decides_agreement(cli: Cli) -> None:
    # sin'(x) in float32 at x=1 is cos(1) rounded to float32 (0.5403023...),
    # 2.7e-8 from the exact cos(1): inside 1e-4/1e-5, and also inside a
    # 10x tighter rtol; --rtol 1e-9 --atol 0 must refuse it.
    run = cli("grad", "sin(x)", "--at", "x=1", "--dtype", "float32", "-f", "json")
    (result,) = run.json()["results"]
    assert result["agree"] is True and run.code == 0
    run = cli(
        "grad", "sin(x)", "--at", "x=1", "--dtype", "float32", "--rtol", "1e-9", "--atol", "0"
    )
    assert run.code == 1


def test_agreement_is_atol_plus_rtol_times_autograd() -> None:
    # |a - b| <= atol + rtol*|b|, with b autograd's value: the documented formula
    assert values_agree(1.0 + 1.5e-7, 1.0, 1e-7, 1e-10) is False
    assert values_agree(1.0 + 0.5e-7, 1.0, 1e-7, 1e-10) is True
    assert values_agree(2e-10, 0.0, 1e-7, 1e-10) is False
    assert values_agree(0.5e-10, 0.0, 1e-7, 1e-10) is True
    # relative to b, not to a: 100 vs 50 with rtol 0.6 agrees only one way
    assert values_agree(100.0, 50.0, 0.6, 0.0) is False
    assert values_agree(50.0, 100.0, 0.6, 0.0) is True


def test_infinities_agree_only_with_themselves() -> None:
    inf = math.inf
    assert values_agree(inf, inf, 1e-7, 1e-10) is True
    assert values_agree(-inf, -inf, 1e-7, 1e-10) is True
    assert values_agree(inf, -inf, 1e-7, 1e-10) is False
    assert values_agree(1e308, inf, 1e-7, 1e-10) is False
    assert values_agree(inf, 1e308, 1e-7, 1e-10) is False
    assert values_agree(math.nan, math.nan, 1e-7, 1e-10) is False
    assert values_agree(1.0, math.nan, 1e-7, 1e-10) is False


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (6.0, "6"),
        (-6.0, "-6"),
        (0.1, "0.1"),
        (-0.1, "-0.1"),
        (1e-300, "1e-300"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (math.nan, "nan"),
        (-0.0, "0"),
        (2.5e16, "2.5e+16"),
    ],
)
def test_numbers_are_printed_faithfully(value: float, text: str) -> None:
    assert format_number(value) == text


def test_infinities_keep_their_sign_in_every_format(cli: Cli) -> None:
    # autograd's d/dx of 1/x at 0 is -inf (the pole makes it not differentiable)
    run = cli("grad", "1/x", "--at", "x=0")
    row = next(line for line in run.out.splitlines() if "x=0" in line)
    assert "-inf" in row and run.code == 1
    # past float64's range the exact derivative -exp(710) shows as -inf, exit 3
    run = cli("grad", "-exp(x)", "--at", "x=710", "-f", "plain")
    assert run.out == "-inf\n" and run.code == 3


# ---------------------------------------------------------------- verdict edges


def _one(cli: Cli, *args: str) -> tuple[int, dict[str, object]]:
    run = cli(*args, "-f", "json")
    (result,) = run.json()["results"]
    return run.code, result


def test_a_smooth_factor_does_not_hide_the_kink(cli: Cli) -> None:
    # the kink search must go on past sigmoid (continue, not break)
    code, result = _one(cli, "grad", "sigmoid(x)*abs(x)", "--at", "x=0")
    assert code == 1 and result["verdict"] == "not differentiable"
    assert (result["left"], result["right"]) == (-0.5, 0.5)


def test_smooth_functions_have_no_kink_note(cli: Cli) -> None:
    code, result = _one(cli, "grad", "sigmoid(x)", "--at", "x=0")
    assert code == 0 and result["note"] is None and result["symbolic"] == 0.25


def test_one_sided_limits_that_shrink_slowly_are_zero(cli: Cli) -> None:
    # |x|**1.5 and |x|**1.01 at 0: the difference quotients shrink like h**0.5
    # and h**0.01; both derivatives are 0 (differentiable, sides met)
    for text in ("abs(x)**1.5", "abs(x)**1.01"):
        code, result = _one(cli, "grad", text, "--at", "x=0")
        assert code == 0, text
        assert (result["left"], result["right"], result["symbolic"]) == (0.0, 0.0, 0.0)


def test_one_sided_limits_that_grow_are_infinite(cli: Cli) -> None:
    code, result = _one(cli, "grad", "sqrt(abs(x))", "--at", "x=0")
    assert code == 1 and (result["left"], result["right"]) == ("-inf", "inf")
    code, result = _one(cli, "grad", "abs(x)**0.99", "--at", "x=0")
    assert code == 1 and (result["left"], result["right"]) == ("-inf", "inf")


def test_a_limit_that_does_not_settle_is_not_a_verdict(cli: Cli) -> None:
    # |x|**1.001: the quotients shrink like h**0.001, still moving at 2**-4096;
    # derivcli says it cannot decide (exit 3) instead of claiming a corner
    code, result = _one(cli, "grad", "abs(x)**1.001", "--at", "x=0")
    assert code == 3
    assert result["verdict"] == "not computed" and result["differentiable"] is None
    assert "cannot decide" in str(result["note"])


@pytest.mark.parametrize(
    ("text", "left", "right"),
    [
        ("abs(x)*1e-10 + x", 1 - 1e-10, 1 + 1e-10),
        ("abs(x)*2.5e-14 + x", 1 - 2.5e-14, 1 + 2.5e-14),
    ],
)
def test_sides_a_hair_apart_are_a_kink(cli: Cli, text: str, left: float, right: float) -> None:
    code, result = _one(cli, "grad", text, "--at", "x=0")
    assert code == 1 and result["verdict"] == "not differentiable"
    assert result["left"] == pytest.approx(left, rel=1e-15)
    assert result["right"] == pytest.approx(right, rel=1e-15)


def test_sides_that_meet_with_the_closed_form_undefined(cli: Cli) -> None:
    # d/dx x*|x|**0.5 = |x|**0.5 + x*sign(x)/(2|x|**0.5): 0/0 at 0, where the
    # derivative is 0; torch computes 0*inf = nan there
    code, result = _one(cli, "grad", "x*abs(x)**0.5", "--at", "x=0")
    assert code == 1 and result["verdict"] == "DISAGREE"
    assert result["symbolic"] == 0.0 and result["autograd"] == "nan"
    assert "closed form has no value at x=0" in str(result["note"])


def test_only_f_overflowing_is_a_disagreement(cli: Cli) -> None:
    # log(exp(x)) at 1000: the derivative is 1, but torch's exp(1000) is inf
    code, result = _one(cli, "grad", "log(exp(x))", "--at", "x=1000")
    assert code == 1 and result["verdict"] == "DISAGREE"
    assert result["differentiable"] is True and result["symbolic"] == 1.0


def test_a_derivative_that_still_contains_min(cli: Cli) -> None:
    # d/dx x*min(x, y) = min(x, y) + x*heaviside(y - x): at (2, 1), min is y = 1
    code, result = _one(cli, "partial", "x*min(x, y)", "--wrt", "x", "--at", "x=2,y=1")
    assert code == 0 and result["symbolic"] == 1.0 and result["autograd"] == 1.0
    code, result = _one(cli, "partial", "x*max(x, y)", "--wrt", "x", "--at", "x=2,y=1")
    assert code == 0 and result["symbolic"] == 4.0  # max(2, 1) + 2*1


def test_overflowing_derivative_is_not_a_verdict(cli: Cli) -> None:
    code, result = _one(cli, "grad", "exp(x)", "--at", "x=710")
    assert code == 3 and result["verdict"] == "not computed"
    assert result["symbolic"] == "inf"  # exp(710) is past float64's 1.8e308
