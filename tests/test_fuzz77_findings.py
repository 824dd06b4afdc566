"""Fuzz seed 77's two findings in derivcli (the third was the oracle's: see
test_differential.py).

- max and min round nothing: erfinv(min(pi, x)) at x = 1 is erfinv(1), a pole,
  and derivcli said it could not judge the point (exit 3), taking min's value
  for one within pi's rounding of erfinv's pole.
- polygamma left of 0 in float64 goes through mpmath, once per distinct value:
  digamma(0.1 + trunc(x)) over a 20,001-point grid is 10,000 points at four
  values, and one mpmath call per point ran the grid out of its time budget.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from conftest import Cli, one

from derivcli.language.evaluate import compile_tree, float64_values
from derivcli.language.parser import parse


@pytest.mark.parametrize(
    ("text", "x"),
    [
        ("erfinv(min(pi, x))", "1.0"),  # min(pi, 1) = 1 exactly: erfinv(1) = +inf
        ("erfinv(max(x, -pi))", "-1.0"),  # max(-1, -pi) = -1: erfinv(-1) = -inf
        ("atanh(min(x, E))", "1.0"),  # atanh(1) = +inf
        ("log(max(x, -E))", "0.0"),  # log(0) = -inf
    ],
)
def test_min_or_max_choosing_an_exact_argument_at_a_pole_is_undefined(
    cli: Cli, text: str, x: str
) -> None:
    run = cli("grad", text, "--at", f"x={x}", "--timeout", "60", "-f", "json")
    result = one(run)
    assert run.code == 1, run.err
    assert result["verdict"] == "not differentiable"
    assert result["note"].startswith(f"the function is undefined at x={x.removesuffix('.0')}")
    assert "pole" in result["note"]


def test_min_choosing_an_exact_argument_beside_the_pole_is_judged(cli: Cli) -> None:
    # erfinv(min(pi, x)) at x = 0.5 is erfinv(x): its derivative is
    # sqrt(pi)/2 * exp(erfinv(x)**2) (differentiating erf(erfinv(x)) = x)
    run = cli("grad", "erfinv(min(pi, x))", "--at", "x=0.5", "--timeout", "60", "-f", "json")
    result = one(run)
    assert run.code == 0, run.err
    with mpmath.workdps(40):
        expected = float(mpmath.sqrt(mpmath.pi) / 2 * mpmath.exp(mpmath.erfinv(0.5) ** 2))
    assert result["verdict"] == "agree"
    assert math.isclose(result["symbolic"], expected, rel_tol=1e-12)


def test_polygamma_left_of_zero_over_repeated_values_is_each_value_s() -> None:
    """The float64 screen's polygamma at many points that share a few values
    left of 0 (and some right of it, and a pole) gives each point its own
    value: checked one by one against mpmath at 40 digits."""
    xs = np.array([-1.9, 0.1, -0.9, -1.9, 2.5, -0.9, -1.0, -1.9, -31.5, 0.1, -0.9])
    for order in (0, 1, 3):
        program = compile_tree(parse(f"polygamma({order}, x)").tree)
        got = float64_values(program, {"x": xs}, len(xs)).values
        for x, value in zip(xs, got, strict=True):
            if x == -1.0:
                assert math.isnan(value) or math.isinf(value)  # a pole
                continue
            with mpmath.workdps(40):
                expected = float(mpmath.polygamma(order, mpmath.mpf(float(x))))
            assert math.isclose(value, expected, rel_tol=1e-12), (order, x, value, expected)


def test_digamma_of_a_step_over_a_long_grid_is_judged_at_every_point(cli: Cli) -> None:
    # digamma(0.1 + trunc(x)) is constant between whole numbers: derivative 0
    # everywhere but at x = -2, -1, 1, 2, where trunc (and so f) jumps; at 0 trunc
    # is 0 on both sides, so f is flat there too
    run = cli(
        "partial",
        "digamma(0.1 + trunc(x))",
        "--at",
        "x=-2.0:2.0:4001",
        "--wrt",
        "x",
        "--timeout",
        "60",
        "-f",
        "json",
    )
    results = run.json()["results"]
    assert run.code == 1, run.err
    assert len(results) == 4001
    jumps = [r["point"]["x"] for r in results if r["verdict"] == "not differentiable"]
    assert jumps == [-2.0, -1.0, 1.0, 2.0]
    others = [r for r in results if r["point"]["x"] not in jumps]
    assert all(r["verdict"] == "agree" and r["symbolic"] == 0.0 for r in others)
