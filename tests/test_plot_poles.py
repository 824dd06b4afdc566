"""plot finds f's poles between grid points: a grid that steps over 1/(x - 1/3)'s
pole at 1/3 has only finite values, and said "agree at every point", exit 0.

Each pole is derived by hand (where the denominator, tan's cosine or gamma's
argument is 0), and the float nearest it computed here from its exact value.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import pytest
from conftest import Cli

from derivcli.plot import segments

# torch.linspace(-1, 1.9, 10): -1, -0.678, -0.356, -0.033, 0.289, 0.611, 0.933,
# 1.256, 1.578, 1.9; no grid point is 0, 1/3 or pi/2
GRID = ("--range", "-1:1.9", "--points", "10")
NEAREST_THIRD = float(Fraction(1, 3))  # 0.3333333333333333
NEAREST_HALF_PI = math.pi / 2  # pi's nearest float, halved exactly: pi/2's nearest


def plot_json(cli: Cli, text: str, *args: str) -> tuple[int, dict[str, Any]]:
    run = cli("plot", text, *(args or GRID), "-f", "json", "--timeout", "60")
    assert run.err == "" or run.code != 0
    data = run.json()
    assert data["exit"] == run.code
    return run.code, data


@pytest.mark.parametrize(
    ("text", "pole"),
    [
        ("1/(x - 1/3)", NEAREST_THIRD),  # a simple pole: the sign flips across it
        ("1/(x - 1/3)**2", NEAREST_THIRD),  # a double one: the denominator keeps its sign
        ("log((x - 1/3)**2)", NEAREST_THIRD),  # a logarithm's: |f| grows like log
        ("abs(x - 1/3)**-0.5", NEAREST_THIRD),  # a negative power's base
        ("exp(1/(x - 1/3))", NEAREST_THIRD),  # unbounded from the right only
        ("tan(x)", NEAREST_HALF_PI),  # cos(x) = 0
        ("sec(x)", NEAREST_HALF_PI),  # 1/cos(x), written out
        ("x**2 + 1/(x - 1/3)", NEAREST_THIRD),
        ("gamma(x)", 0.0),  # poles at 0, -1, ...; -1 is a grid point (undefined there)
    ],
)
def test_a_pole_between_grid_points_is_found(cli: Cli, text: str, pole: float) -> None:
    code, data = plot_json(cli, text)
    assert code == 1
    assert data["poles"] == [pole]
    assert "f has 1 pole between grid points (x≈" in data["summary"]
    assert "agree at every point" not in data["summary"]


@pytest.mark.parametrize(
    "text",
    [
        "sin(x)/x",  # 0/0 at 0, removable: f tends to 1
        "sinc(x)",  # written out as sin(pi*x)/(pi*x): the same
        "x/(x - 1/3)*(x - 1/3)",  # f is x beside 1/3: bounded
        "x/(1 + x**2)",  # a denominator that is never 0
        "1/(x - 1/3) - 1/(x - 1/3)",  # 0 beside 1/3
    ],
)
def test_a_zero_of_a_denominator_that_is_no_pole_is_not_reported(cli: Cli, text: str) -> None:
    code, data = plot_json(cli, text)
    assert data["poles"] == []
    assert code == 0, data["summary"]
    assert "agree at every point" in data["summary"]


def test_a_pole_strictly_beside_a_grid_float_is_found(cli: Cli) -> None:
    # torch.linspace(0, 1, 4) has the float nearest 1/3 as a grid point, where
    # torch's x - 1/3 is exactly 0 but the exact one is -1.85e-17: f is finite
    # there (-5.4e16) and the pole lies between that float and the next
    code, data = plot_json(cli, "1/(x - 1/3)", "--range", "0:1", "--points", "4")
    assert code == 1
    assert data["x"][1] == NEAREST_THIRD
    assert data["poles"] == [NEAREST_THIRD]


def test_a_pole_on_a_grid_point_is_an_undefined_point_not_a_pole_between(cli: Cli) -> None:
    # 0.5 is a float and a grid point of linspace(0, 1, 3): f has no value there
    code, data = plot_json(cli, "1/(x - 0.5)", "--range", "0:1", "--points", "3")
    assert code == 1
    assert data["poles"] == []
    assert data["undefined"] == [0.5]


def test_many_poles_are_each_found(cli: Cli) -> None:
    # tan over [-10, 10] (201 points, 0.1 apart): poles at pi/2 + k*pi for
    # k = -3..2 (+-7*pi/2 = +-11.0 are outside), none on a grid point
    code, data = plot_json(cli, "tan(x)", "--range", "-10:10")
    assert code == 1
    expected = [(k + 0.5) * math.pi for k in range(-3, 3)]
    assert len(data["poles"]) == len(expected) == 6
    for found, exact in zip(data["poles"], expected, strict=True):
        assert abs(found - exact) <= 4e-16 * abs(exact)


def test_the_line_is_not_drawn_across_a_pole() -> None:
    xs = [0.0, 1.0, 2.0, 3.0]
    ys = [1.0, 2.0, -2.0, -1.0]
    # a pole between 1 and 2: the point at index 2 starts a new segment
    parts = segments(xs, ys, set(), None, frozenset({2}))
    assert parts == [([0.0, 1.0], [1.0, 2.0]), ([2.0, 3.0], [-2.0, -1.0])]
    assert segments(xs, ys, set(), None) == [(xs, ys)]
