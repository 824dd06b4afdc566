"""`derivcli plot` at kinks that lie between two floats (relu(x - 1/3) at 1/3).

Such a kink is at no float: plot draws it at the nearest one, where the kink's
argument is not 0 and the closed form's value is one side's derivative. The
verdict must be the kink's own: f's side limits and one-sided derivatives at
the true kink. Every expected value here is derived by hand (the kink's
location and its one-sided derivatives), with mpmath only to round an
irrational location to its nearest float.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
import pytest
from conftest import Cli

SQRT2 = math.sqrt(2)  # correctly rounded, as every float below
E = math.e
with mpmath.workprec(200):
    PI_3 = float(mpmath.pi / 3)
    INV_E = float(1 / mpmath.e)


Doc = dict[str, Any]


def plot_json(cli: Cli, expression: str, range_: str, points: int) -> tuple[int, Doc, str]:
    run = cli("plot", expression, "--range", range_, "--points", str(points), "-f", "json")
    return run.code, run.json(), run.err


def kink_at(doc: dict[str, Any], x: float) -> dict[str, Any]:
    (found,) = [k for k in doc["kinks"] if k["x"] == x]
    assert isinstance(found, dict)
    return found


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-15, abs_tol=1e-300)


# (expression, range, points, the kink's float, left and right derivative there,
# whether f itself jumps there). By hand:
#   relu(x - 1/3): slopes 0 | 1 at 1/3
#   heaviside(x - 1/3) + x: slope 1 on both sides, f jumps by 1
#   sign(x - 1/3): slope 0 on both sides, f jumps from -1 to 1
#   relu(x**2 - 2): 0 | 2x = 2*sqrt(2) at sqrt(2);  min(x**2, 2): 2*sqrt(2) | 0
#   abs(sin(3x)) at pi/3: sin(3x) > 0 left, < 0 right: 3cos(pi) = -3 | -3cos(pi) = 3
#   clamp(log(x), -1, 1): at 1/e 0 | 1/x = e; at e 1/x = 1/e | 0
#   hardswish(u) = u*(u + 3)/6 on [-3, 3], u beyond: at u = 3 (x = 3.1): (2u + 3)/6 = 1.5 | 1
#   floor(x**2): slope 0 on both sides of sqrt(2), f jumps from 1 to 2
NOT_DIFFERENTIABLE = [
    ("relu(x - 1/3)", "-1:1", 10, 1 / 3, 0.0, 1.0, None),
    (
        "heaviside(x - 1/3) + x",
        "-1:1",
        10,
        1 / 3,
        1.0,
        1.0,
        "f jumps from 0.3333333333 to 1.333333333",
    ),
    ("sign(x - 1/3)", "-1:1.9", 10, 1 / 3, 0.0, 0.0, "f jumps from -1 to 1"),
    ("relu(x**2-2)", "0:3", 11, SQRT2, 0.0, 2 * SQRT2, None),
    ("min(x**2, 2)", "0:3", 11, SQRT2, 2 * SQRT2, 0.0, None),
    ("abs(sin(3*x))", "-1:1.9", 10, PI_3, -3.0, 3.0, None),
    ("clamp(log(x), -1, 1)", "0.1:4", 10, INV_E, 0.0, E, None),
    ("clamp(log(x), -1, 1)", "0.1:4", 10, E, 1 / E, 0.0, None),
    ("hardswish(x-0.1)", "0:5", 10, 3.1, 1.5, 1.0, None),
    ("floor(x**2)", "-1:1.9", 10, SQRT2, 0.0, 0.0, "f jumps from 1 to 2"),
]


@pytest.mark.parametrize(
    ("expression", "range_", "points", "x", "left", "right", "jump"), NOT_DIFFERENTIABLE
)
def test_a_kink_between_floats_is_judged_at_the_kink(
    cli: Cli,
    expression: str,
    range_: str,
    points: int,
    x: float,
    left: float,
    right: float,
    jump: str | None,
) -> None:
    code, doc, err = plot_json(cli, expression, range_, points)
    assert code == 1 and doc["exit"] == 1
    assert err == ""
    kink = kink_at(doc, x)
    assert kink["at_float"] is False
    assert kink["differentiable"] is False
    assert close(kink["left"], left) and close(kink["right"], right), kink
    assert kink["note"] == jump
    assert "not differentiable at" in doc["summary"]
    assert "agree at every point" not in doc["summary"]


def test_the_summary_and_the_drawing_name_the_kink(cli: Cli) -> None:
    # sign jumps at 1/3, which no float is: it has no derivative there
    run = cli("plot", "sign(x - 1/3)", "--range", "-1:1.9", "--points", "10", "-f", "plain")
    assert (run.code, run.err) == (1, "")
    assert run.out == (
        "d/dx of sign(x - 1/3) over x in [-1, 1.9]: 11 points; "
        "not differentiable at 1 kink (x=0.3333333333333333)\n"
    )
    run = cli("plot", "relu(x**2-2)", "--range", "0:3", "--points", "11")
    assert (run.code, run.err) == (1, "")
    key = [line for line in run.out.splitlines() if line.startswith("key: ")]
    assert key and "X not differentiable or disagreeing (autograd value)" in key[0]


# Smooth at a kink between floats, by hand: the derivative is 2*relu(x - 1/3),
# 3*abs(x - 1/3)*(x - 1/3) and 2*abs(x - 1/3): 0 on both sides of 1/3.
@pytest.mark.parametrize(
    "expression", ["relu(x - 1/3)**2", "abs(x - 1/3)**3", "abs(x - 1/3)*(x - 1/3)"]
)
def test_a_smooth_kink_between_floats_stays_smooth(cli: Cli, expression: str) -> None:
    code, doc, err = plot_json(cli, expression, "-1:1", 10)
    assert (code, err) == (0, "")
    assert doc["kinks"] == [
        {
            "x": 1 / 3,
            "at_float": False,
            "differentiable": True,
            "left": 0.0,
            "right": 0.0,
            "note": None,
        }
    ]
    assert doc["summary"].endswith("agree at every point (smooth kinks at 0.3333333333333333)")


def test_a_kink_at_a_float_is_judged_there(cli: Cli) -> None:
    # relu(x - 0.5): 0.5 is a float, the argument is exactly 0 there; slopes 0 | 1
    code, doc, err = plot_json(cli, "relu(x-0.5)", "-1:1", 10)
    assert (code, err) == (1, "")
    assert doc["kinks"] == [
        {
            "x": 0.5,
            "at_float": True,
            "differentiable": False,
            "left": 0.0,
            "right": 1.0,
            "note": None,
        }
    ]


def test_a_kink_torch_rounds_onto_a_float(cli: Cli) -> None:
    # torch computes x - 0.1 as exactly 0 at the float 0.1, but 1/10 is no float:
    # the kink (slopes 0 | 1) is between floats, and at the float 0.1 itself
    # (above 1/10) the slope is 1, which torch's relu'(0) = 0 disagrees with
    code, doc, err = plot_json(cli, "relu(x-0.1)", "-1:1", 21)
    assert (code, err) == (1, "")
    assert doc["kinks"] == [
        {
            "x": 0.1,
            "at_float": False,
            "differentiable": False,
            "left": 0.0,
            "right": 1.0,
            "note": None,
        }
    ]
    assert doc["disagree"] == [0.1]
    assert doc["summary"].endswith(
        "not differentiable at 1 kink (x=0.1); closed form and autograd DISAGREE at 1 point (x=0.1)"
    )


def test_points_is_the_length_of_the_sampled_arrays(cli: Cli) -> None:
    # --points 21 over [-1, 1] is the grid -1, -0.9, ..., 1 (step 0.1), but torch's
    # linspace makes its point near 0.1 the float 0.09999999999999995 (NOTES.md:
    # not start + i*step), so relu(x - 0.1)'s kink at the float 0.1 is on no grid
    # point and gets a point of its own: 21 + 1 = 22 sampled points, as the summary
    # says. Before: "points" was 21 beside arrays of 22.
    code, doc, _ = plot_json(cli, "relu(x-0.1)", "-1:1", 21)
    assert code == 1
    lengths = {len(doc[name]) for name in ("x", "f", "symbolic", "autograd")}
    assert lengths == {doc["points"]}
    assert doc["points"] == 22
    assert ": 22 points;" in doc["summary"]
