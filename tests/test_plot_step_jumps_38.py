"""plot: the jumps of floor, ceil, trunc, frac and round between grid points (a
student review, stop 38).

The kink search between grid points looks for a sign change of each kink
expression. floor, ceil, trunc and frac have the kink expression a - round(a),
round has a - floor(a) - 1/2: both jump themselves (at the half-integers, at the
integers), so across one zero and one jump of the expression its sign comes back
and the zero was missed. `plot "floor(x)" --range 0.5:3.7 --points 5` said "5
points; closed form and autograd agree at every point", exit 0, where floor jumps
at 1, 2 and 3. The zeros of such an expression are now counted from its
argument's values at the grid points (every whole number, or half, strictly
between them is passed), and each is located exactly as the other kinks are.

The truths, by hand: floor, ceil and trunc of x jump at every integer; frac(x) =
x - trunc(x) too, and so does x + floor(x); floor(-x) at every integer as well.
round (halves to even) jumps at every half-integer: round(0.5) = 0, and just
above 0.5 it is 1; round(2.5) = 2, just above it 3. floor(x**2) jumps where
x**2 is a whole number k, at x = sqrt(k) (x > 0), and not at 0, where x**2
touches 0 from above and floor(x**2) is 0 on both sides. floor(3*x) jumps at
k/3. A jump of f is a kink that is not differentiable (exit 1).
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from conftest import Cli
from conftest import plot_json as _plot

from derivcli.language.functions import FUNCTIONS


def _jumps(data: dict[str, Any]) -> list[float]:
    kinks = data["kinks"]
    assert all(kink["differentiable"] is False for kink in kinks), kinks
    return [kink["x"] for kink in kinks]


@pytest.mark.parametrize("text", ["floor(x)", "ceil(x)", "trunc(x)", "frac(x)", "x + floor(x)"])
def test_the_integers_between_grid_points_are_jumps(cli: Cli, text: str) -> None:
    # grid 0.5, 1.3, 2.1, 2.9, 3.7: no integer on it, 1, 2 and 3 between its points
    code, data = _plot(cli, text, "0.5:3.7", "--points", "5")
    assert code == 1
    assert _jumps(data) == [1.0, 2.0, 3.0]
    assert all(kink["at_float"] is True for kink in data["kinks"])
    assert data["points"] == 8
    assert data["summary"].endswith("8 points; not differentiable at 3 kinks (x=1, x=2, x=3)")


def test_the_text_summary_and_exit_code(cli: Cli) -> None:
    run = cli("plot", "floor(x)", "--range", "0.5:3.7", "--points", "5", "--timeout", "60")
    assert run.code == 1 and run.err == ""
    assert (
        "d/dx of floor(x) over x in [0.5, 3.7]: 8 points; not differentiable at 3 kinks "
        "(x=1, x=2, x=3)" in run.out
    )
    assert "agree at every point" not in run.out


@pytest.mark.parametrize(
    ("range_text", "points", "truth"),
    [
        # grid 0.5, 1.05, 1.6, 2.15, 2.7
        ("0.5:2.7", "5", [1.0, 2.0]),
        # grid 0.5, 1.5, ..., 10.5: one integer between each two points
        ("0.5:10.5", "11", [float(k) for k in range(1, 11)]),
        # grid 0.5, 1.1, 1.7, 2.3, 2.9, 3.5, 4.1, 4.7: 1, 2, 3 and 4 between them
        ("0.5:4.7", "8", [1.0, 2.0, 3.0, 4.0]),
        # grid -3.7, -2.9, ..., -0.5 (points 0.8 apart): -3, -2, -1
        ("-3.7:-0.5", "5", [-3.0, -2.0, -1.0]),
    ],
)
def test_floor_jumps_at_every_integer_in_the_range(
    cli: Cli, range_text: str, points: str, truth: list[float]
) -> None:
    code, data = _plot(cli, "floor(x)", range_text, "--points", points)
    assert code == 1
    assert _jumps(data) == truth


def test_several_integers_between_two_grid_points(cli: Cli) -> None:
    # two points only, 0.5 and 7.5: floor(x) jumps at 1, ..., 7, floor(-x) too
    for text in ("floor(x)", "floor(-x)", "ceil(2 - x)"):
        code, data = _plot(cli, text, "0.5:7.5", "--points", "2")
        assert code == 1
        assert _jumps(data) == [float(k) for k in range(1, 8)], text


def test_the_default_grid_finds_all_120(cli: Cli) -> None:
    # 201 points 0.6 apart over [0.25, 120.25]: floor jumps at 1, 2, ..., 120
    code, data = _plot(cli, "floor(x)", "0.25:120.25")
    assert code == 1
    assert _jumps(data) == [float(k) for k in range(1, 121)]
    assert "not differentiable at 120 kinks (x=1, x=2, x=3, ...)" in data["summary"]


def test_round_jumps_at_every_half_integer(cli: Cli) -> None:
    # grid 0.2, 1.0, 1.8, 2.6, 3.4: round jumps at 0.5, 1.5 and 2.5 (halves to even
    # or not, the value changes at each half-integer)
    code, data = _plot(cli, "round(x)", "0.2:3.4", "--points", "5")
    assert code == 1
    assert _jumps(data) == [0.5, 1.5, 2.5]
    assert data["summary"].endswith("not differentiable at 3 kinks (x=0.5, x=1.5, x=2.5)")


def test_floor_of_a_square_jumps_at_square_roots(cli: Cli) -> None:
    # grid 0.5, 1, 1.5, 2, 2.5; x**2 runs from 0.25 to 6.25, a whole number k at
    # sqrt(k): 1, sqrt(2), sqrt(3), 2, sqrt(5), sqrt(6). math.sqrt is correctly
    # rounded: the float nearest each root.
    code, data = _plot(cli, "floor(x**2)", "0.5:2.5", "--points", "5")
    assert code == 1
    assert _jumps(data) == [math.sqrt(k) for k in range(1, 7)]
    # sqrt(2), sqrt(3), sqrt(5), sqrt(6) are at no float: judged at the root
    assert [kink["at_float"] for kink in data["kinks"]] == [True, False, False, True, False, False]


def test_the_readme_example_of_floor_of_a_square(cli: Cli) -> None:
    # grid -1 + k*2.9/9; x**2 is a whole number in [-1, 1.9] at -1, 0, 1,
    # sqrt(2) and sqrt(3); at 0 it touches 0 from above and floor(x**2) is 0 on
    # both sides: no jump. 1 lies between the grid points 0.93 and 1.26 with the
    # half-integer 1.5 of x**2, which hid it.
    code, data = _plot(cli, "floor(x**2)", "-1:1.9", "--points", "10")
    assert code == 1
    assert _jumps(data) == [-1.0, 1.0, math.sqrt(2), math.sqrt(3)]


def test_a_jump_at_no_float(cli: Cli) -> None:
    # grid 0.1, 0.4667, 0.8333, 1.2: 3*x passes 1, 2 and 3 at 1/3, 2/3 and 1
    code, data = _plot(cli, "floor(3*x)", "0.1:1.2", "--points", "4")
    assert code == 1
    assert _jumps(data) == [1 / 3, 2 / 3, 1.0]


@pytest.mark.parametrize(
    ("text", "range_text"),
    [
        # no integer in [0.2, 0.9], and floor(x) is 0 there; the kink expression
        # x - round(x) jumps at 0.5, which is no kink
        ("floor(x)", "0.2:0.9"),
        ("frac(x)", "0.2:0.9"),
        # no half-integer in [0.6, 1.4]: round(x) is 1 there; x - floor(x) - 1/2
        # jumps at 1, which is no kink
        ("round(x)", "0.6:1.4"),
    ],
)
def test_no_false_jump_at_a_jump_of_the_kink_expression(
    cli: Cli, text: str, range_text: str
) -> None:
    code, data = _plot(cli, text, range_text, "--points", "2")
    assert code == 0
    assert data["kinks"] == []
    assert data["summary"].endswith("closed form and autograd agree at every point")


def test_every_kink_expression_that_jumps_is_searched_by_its_steps() -> None:
    # a kink expression built from a step function is itself discontinuous: a
    # sign change search misses its zeros. Each such template must be one the
    # plot counts by its argument's values.
    from derivcli.plot import STEP_KINKS

    steps = r"\b(round|floor|ceil|trunc|frac|sign|heaviside)\("
    for spec in FUNCTIONS:
        for kink in spec.kinks:
            if re.search(steps, kink):
                assert kink in STEP_KINKS, (spec.name, kink)


def test_below_zero_trunc_is_flat_at_0_and_frac_jumps(cli: Cli) -> None:
    # trunc(x) is 0 on (-1, 1): its kink expression's zero at 0 is a smooth kink
    # (slopes 0 and 0), exit 0; frac(x) = x - trunc(x) jumps at -3, -2 and -1
    code, data = _plot(cli, "trunc(x)", "-0.5:0.7", "--points", "2")
    assert code == 0
    assert [(k["x"], k["differentiable"]) for k in data["kinks"]] == [(0.0, True)]
    assert data["summary"].endswith("agree at every point (smooth kinks at 0)")
    code, data = _plot(cli, "frac(x)", "-3.7:-0.5", "--points", "2")
    assert code == 1
    assert _jumps(data) == [-3.0, -2.0, -1.0]
