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
        ("(x - 1/3)**-2", NEAREST_THIRD),  # a negative power's base
        ("exp(1/(x - 1/3))", NEAREST_THIRD),  # unbounded from the right only
        ("tan(x)", NEAREST_HALF_PI),  # cos(x) = 0
        ("sec(x)", NEAREST_HALF_PI),  # 1/cos(x), written out
        ("x**2 + 1/(x - 1/3)", NEAREST_THIRD),
        ("(x - 1/3)**(-2/2)", NEAREST_THIRD),  # a negative exponent written as an expression
        ("gamma(x)", 0.0),  # poles at 0, -1, ...; -1 is a grid point (undefined there)
        ("1/x", 0.0),  # at a float between two grid points
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
        # at the float 0, where the closed form meets an infinite value (1/0),
        # but f is bounded beside it (a review found these called poles)
        "sin(1/x)",
        "x*sin(1/x)",
        "atan(1/x)",
        "exp(-1/x**2)",
        "1/(1/x)",
        "x*cot(x)",  # tends to 1
        "gamma(x)*sin(pi*x)",  # pi/gamma(1 - x): bounded at 0 (and -1, a grid point)
        "exp(-1/(x - 1/3)**2)",  # tends to 0 from both sides
    ],
)
def test_a_zero_of_a_denominator_that_is_no_pole_is_not_reported(cli: Cli, text: str) -> None:
    code, data = plot_json(cli, text)
    assert data["poles"] == []
    assert "pole" not in data["summary"]
    if not data["undefined"]:  # gamma(x)*sin(pi*x) has no value at the grid point -1
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


@pytest.mark.parametrize("text", ["log(x - 1/3)", "1/sqrt(x - 1/3)", "atanh(x)"])
def test_a_domain_edge_is_not_a_pole_between_grid_points(cli: Cli, text: str) -> None:
    # f is undefined on one side (shaded; its grid points there say "f
    # undefined"), so the edge is not listed again as a pole between points
    code, data = plot_json(cli, text)
    assert code == 1
    assert data["poles"] == []
    assert data["undefined"]


def test_a_pole_on_a_kink_is_left_to_the_kink(cli: Cli) -> None:
    # abs(x - 1/3)**-0.5: abs's kink at 1/3 is added to the plot and judged
    # there (not differentiable); it is not named a second time as a pole
    code, data = plot_json(cli, "abs(x - 1/3)**-0.5")
    assert code == 1 and data["poles"] == []
    assert [kink["differentiable"] for kink in data["kinks"]] == [False]


def test_a_pole_unbounded_from_one_side_only(cli: Cli) -> None:
    # exp(1/(x - 1/3)): to 0 from the left (below MPFR's range beside 1/3), past
    # every range from the right: f is defined on both sides and unbounded
    code, data = plot_json(cli, "exp(1/(x - 1/3))")
    assert code == 1 and data["poles"] == [NEAREST_THIRD]


def test_a_pole_far_from_0_is_probed_at_its_own_float_spacing(cli: Cli) -> None:
    # log((x - c)**2) with c = 1e18 + 1/3: |f| grows like 2*|log(d)|, slowly;
    # steps relative to 1e18 itself began at d = 9e5 and saw 27.4, then 28.0
    code, data = plot_json(
        cli, "log((x - 1e18 - 1/3)**2)", "--range", "0.9e18:1.1e18", "--points", "10"
    )
    assert code == 1 and data["poles"] == [1e18]


def test_a_pole_just_below_a_grid_point_breaks_the_line_before_it(cli: Cli) -> None:
    from derivcli.plot import _gaps, compute_plot

    # linspace(0, 1, 11) has the float 0.1 (0.1000000000000000055...), above
    # 1/10: the pole of 1/(x - 1/10) is between the grid points 0 and 0.1
    data = compute_plot("1/(x - 1/10)", wrt=None, range_text="0:1", points=11, at=None, timeout=60)
    assert data.poles == (0.1,) and data.pole_sides == (-1,)
    assert _gaps(data) == frozenset({1})
    # 1/(x - 1/3) on linspace(0, 1, 4): the float nearest 1/3 is below 1/3
    data = compute_plot("1/(x - 1/3)", wrt=None, range_text="0:1", points=4, at=None, timeout=60)
    assert data.poles == (NEAREST_THIRD,) and data.pole_sides == (1,)
    assert _gaps(data) == frozenset({2})


def test_poles_not_looked_at_are_counted_and_exit_3(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import derivcli.plot

    # tan over [-10, 10] has 6 poles; with a limit of 2, 4 sign changes are
    # left, so "no pole elsewhere" cannot be claimed
    monkeypatch.setattr(derivcli.plot, "MAX_POLES", 2)
    run = cli("plot", "tan(x)", "--range", "-10:10", "-f", "json", "--timeout", "60")
    assert run.code == 3
    data = run.json()
    assert len(data["poles"]) == 2 and data["poles_not_searched"] == 4
    assert "4 sign changes of denominators and the like not looked at for a pole" in data["summary"]
    assert run.err.startswith("derivcli: error: 4 sign changes of denominators")
