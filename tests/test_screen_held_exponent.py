"""The float64 screen of long grids and a negative base under an exponent held
at each point (fuzz seeds 81 and 83: a grid past its time budget).

A negative base under an exponent that moves along a variable of the
derivative has a value at whole exponents only, each an isolated point of f's
domain along that variable, so such points are evaluated exactly (fuzz seed
62). The screen also sent points whose exponent moves with no variable of the
derivative: for `partial "E - log(x)**z" --at x=0.0:2.0:20001,z=2.0 --wrt x
--order 2` every point with x < 1 (log(x) < 0) went through the exact
analysis, about 10,000 of them, and the run ran out of its time budget (exit
3). Along x, z stays 2, and f = E - log(x)**2 is defined on both sides of every
x > 0: float64 is trusted there wherever its own error estimate allows.
"""

from __future__ import annotations

import json
import math

import mpmath
import numpy as np
import pytest
from conftest import Cli

from derivcli.language.evaluate import compile_tree, float64_values
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import _near_special


def _flags(text: str, wrt: tuple[str, ...]) -> list[bool]:
    program = compile_tree(parse(text).tree)
    xs = np.array([0.25, 0.5, 2.0])
    columns = {"x": xs, "z": np.full(3, 2.0)}
    outcome = float64_values(program, columns, 3)
    return [bool(v) for v in _near_special(np, program, outcome, np.maximum(1.0, xs), None, wrt)]


def test_a_negative_base_under_an_exponent_moving_along_wrt_is_flagged() -> None:
    # log(x) < 0 at x = 0.25 and 0.5; along z the exponent moves
    assert _flags("log(x)**z", ("z",)) == [True, True, False]
    assert _flags("log(x)**z", ("x", "z")) == [True, True, False]
    assert _flags("log(x)**(x*z)", ("x",)) == [True, True, False]


def test_a_negative_base_under_an_exponent_held_along_wrt_is_not() -> None:
    assert _flags("log(x)**z", ("x",)) == [False, False, False]


def _second_derivative(x: float) -> float:
    # f = E - log(x)**2: f' = -2*log(x)/x, f'' = (2*log(x) - 2)/x**2, by hand
    with mpmath.workdps(50):
        t = mpmath.mpf(x)
        return float((2 * mpmath.log(t) - 2) / t**2)


def test_the_long_grid_is_judged_in_float64_and_right(cli: Cli) -> None:
    run = cli(
        "partial", "E - log(x)**z", "--at", "x=0.0:2.0:20001,z=2.0", "--wrt", "x",
        "--order", "2", "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 1, run.err  # x = 0: log's pole
    report = json.loads(run.out)
    results = report["results"]
    assert len(results) == 20001
    # every point but x = 0 in float64 (the old screen sent the 9,999 with
    # 0 < x < 1 to the exact analysis)
    assert report["note"].startswith("19,999 closed-form values")
    assert results[0]["verdict"] == "not differentiable"
    assert all(r["verdict"] == "agree" for r in results[1:])
    for r in results[1::997]:
        x = r["point"]["x"]
        assert math.isclose(r["symbolic"], _second_derivative(x), rel_tol=1e-10, abs_tol=1e-10)


def test_a_held_exponent_that_float64_rounds_to_a_whole_number_is_flagged() -> None:
    # z = 0.1 is 0.1000000000000000055511151231257827 as a float64 coordinate,
    # so z*10 is 1 + 5.6e-17 exactly, which float64 rounds to 1.0: a negative
    # base under it has no real value, whatever float64 says (a user review's
    # find, stop 33)
    program = compile_tree(parse("(x - 1)**(z*10)").tree)
    xs = np.array([0.25, 0.5, 2.0])
    outcome = float64_values(program, {"x": xs, "z": np.full(3, 0.1)}, 3)
    flags = _near_special(np, program, outcome, np.maximum(1.0, xs), None, ("x",))
    assert [bool(v) for v in flags] == [True, True, False]
    # z - 1 at z = 2.0 is exactly 1.0 (float64 holds the sum): no flag
    program = compile_tree(parse("(x - 1)**(z - 1)").tree)
    outcome = float64_values(program, {"x": xs, "z": np.full(3, 2.0)}, 3)
    flags = _near_special(np, program, outcome, np.maximum(1.0, xs), None, ("x",))
    assert [bool(v) for v in flags] == [False, False, False]


@pytest.mark.parametrize(
    ("text", "grid", "undefined"),
    [
        ("(x - 1)**(z*10)", "x=0:0.5:20001,z=0.1", 20001),
        # 3*z at z = 1/3 (0.333...3148 as a float64) is 1 - 5.6e-17: the 10,001
        # points with x - 1 < 0 have no real value; the rest 1, by hand
        ("(x - 1)**(z*3)", "x=0:2:20001,z=1/3", 10001),
    ],
)
def test_such_a_grid_is_undefined_where_the_base_is_negative(
    cli: Cli, text: str, grid: str, undefined: int
) -> None:
    run = cli("partial", text, "--at", grid, "--wrt", "x", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    results = json.loads(run.out)["results"]
    assert sum(r["verdict"] == "not differentiable" for r in results) == undefined
    assert all(r["verdict"] == "agree" and r["symbolic"] == 1.0 for r in results[undefined:])
