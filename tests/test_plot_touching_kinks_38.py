"""plot: kinks whose kink expression touches 0 without changing sign, and kink
counts past the search's cap (a helper, stop 38).

atan2's kink expression is abs(a) + relu(b), hypot's abs(a) + abs(b): never
negative, so the sign change search between grid points never found their zeros.
`plot "atan2(x, -1)" --range -1:1.4 --points 3` (grid -1, 0.2, 1.4) said "agree
at every point", exit 0, and so did `hypot(x, 0)`. Their zeros are now those of
an abs's argument where the rest of the expression is 0 too.

The kink search stops at 1,000 kinks: `plot "relu(sin(x))" --range 0:10000
--points 20001` said "1,000 kinks" where there are 3,183; the summary and the
JSON now say that the search stopped there.

The truths, by hand. atan2(a, b) is the angle of the point (b, a): atan2(x, -1)
is the angle of (-1, x), which is near +pi for x just above 0 and near -pi just
below (atan2(0, -1) = pi): a jump of 2*pi at x = 0, not differentiable. atan2(x,
1) = atan(x) is smooth. hypot(x, 0) = sqrt(x**2) = |x|: left derivative -1, right
+1 at 0. hypot(x, x - 1/2) = sqrt(x**2 + (x - 1/2)**2) is never 0 (the two
squares vanish at different x), so smooth everywhere. relu(sin(x)) has a corner
at every zero k*pi of sin, k = 0, 1, ..., 3183 in [0, 10000] (3183*pi = 9999.4,
3184*pi = 10002.5). floor(1e300*x) jumps at every k*1e-300 in [0, 1].
"""

from __future__ import annotations

import math

import mpmath
import pytest
from conftest import Cli
from conftest import plot_json as _plot

# ---------------------------------------------------------------- touching kinks


def test_atan2_jumps_across_the_negative_x_axis_between_grid_points(cli: Cli) -> None:
    # grid -1, 0.2, 1.4: 0 is between two grid points
    code, data = _plot(cli, "atan2(x, -1)", "-1:1.4", "--points", "3")
    assert code == 1
    assert [(k["x"], k["differentiable"], k["at_float"]) for k in data["kinks"]] == [
        (0.0, False, True)
    ]
    assert data["points"] == 4
    assert data["kinks_search_stopped"] is False
    assert "not differentiable at 1 kink (x=0)" in data["summary"]


def test_atan2_text_summary_and_exit_code(cli: Cli) -> None:
    run = cli("plot", "atan2(x, -1)", "--range", "-1:1.4", "--points", "3", "--timeout", "60")
    assert run.code == 1 and run.err == ""
    assert "4 points; not differentiable at 1 kink (x=0)" in run.out
    assert "agree at every point" not in run.out


def test_atan2_with_a_moving_second_argument(cli: Cli) -> None:
    # atan2(x, x - 1): at x = 0 the point (x - 1, x) is (-1, 0), on the negative x
    # axis: the same jump of 2*pi
    code, data = _plot(cli, "atan2(x, x - 1)", "-1:1.4", "--points", "3")
    assert code == 1
    assert [(k["x"], k["differentiable"]) for k in data["kinks"]] == [(0.0, False)]


def test_hypot_has_a_corner_between_grid_points(cli: Cli) -> None:
    code, data = _plot(cli, "hypot(x, 0)", "-1:1.4", "--points", "3")
    assert code == 1
    (kink,) = data["kinks"]
    assert (kink["x"], kink["differentiable"], kink["at_float"]) == (0.0, False, True)
    assert (kink["left"], kink["right"]) == (-1.0, 1.0)
    assert "not differentiable at 1 kink (x=0)" in data["summary"]


def test_hypot_corner_at_no_float(cli: Cli) -> None:
    # hypot(x - 1/3, 0) = |x - 1/3|: a corner at 1/3, which no float is; it lies
    # between the grid points 0.2 and 1.4 and is drawn at the float nearest 1/3
    code, data = _plot(cli, "hypot(x - 1/3, 0)", "-1:1.4", "--points", "3")
    assert code == 1
    (kink,) = data["kinks"]
    assert (kink["x"], kink["differentiable"], kink["at_float"]) == (1 / 3, False, False)


@pytest.mark.parametrize(
    "text",
    [
        # atan(x): the point (1, x) never crosses the negative x axis
        "atan2(x, 1)",
        # never 0: x and x - 1/2 are not 0 together
        "hypot(x, x - 1/2)",
    ],
)
def test_no_false_kink_where_only_one_piece_is_zero(cli: Cli, text: str) -> None:
    code, data = _plot(cli, text, "-1:1.4", "--points", "3")
    assert code == 0
    assert data["kinks"] == []
    assert data["summary"].endswith("closed form and autograd agree at every point")


# ---------------------------------------------------------------- the cap


def test_relu_of_sine_says_the_search_stopped(cli: Cli) -> None:
    # 3,184 corners in [0, 10000] (k*pi, k = 0..3183); the search stops at 1,000
    assert math.floor(10000 / math.pi) == 3183
    code, data = _plot(cli, "relu(sin(x))", "0:10000", "--points", "20001")
    assert code == 1
    assert len(data["kinks"]) == 1000
    assert data["kinks_search_stopped"] is True
    assert "not differentiable at 1,000 kinks or more (x=0," in data["summary"]
    assert "the kink search stops at 1,000" in data["summary"]
    run = cli("plot", "relu(sin(x))", "--range", "0:10000", "--points", "20001", "--timeout", "60")
    assert run.code == 1 and run.err == ""
    assert "not differentiable at 1,000 kinks or more" in run.out
    assert "the kink search stops at 1,000" in run.out


def test_floor_of_a_huge_multiple_says_the_search_stopped(cli: Cli) -> None:
    # floor(1e300*x) jumps at every k*1e-300 in [0, 1]: about 1e300 jumps
    code, data = _plot(cli, "floor(1e300*x)", "0:1", "--points", "5")
    assert code == 1
    assert data["kinks_search_stopped"] is True
    assert "kinks or more (x=0, x=1e-300" in data["summary"]
    assert "the kink search stops at 1,000" in data["summary"]


def test_few_kinks_are_not_labelled(cli: Cli) -> None:
    # relu(sin(x)) on [0, 10]: corners at 0, pi, 2*pi, 3*pi (9.42)
    code, data = _plot(cli, "relu(sin(x))", "0:10", "--points", "21")
    assert code == 1
    # the floats nearest k*pi, from mpmath at 60 digits
    mpmath.mp.dps = 60
    assert [k["x"] for k in data["kinks"]] == [float(k * mpmath.pi) for k in range(4)]
    assert data["kinks_search_stopped"] is False
    assert "or more" not in data["summary"] and "stops at" not in data["summary"]


def test_smooth_kinks_past_the_cap_are_not_called_agreeing(cli: Cli) -> None:
    # relu(sin(x))**2 is differentiable at each of its 3,184 kinks in [0, 10000]
    # (relu(u)**2 has derivative 2*relu(u)*u', 0 on both sides); only the first
    # 1,000 are looked at, so the rest is unknown: exit 3, not "agree"
    run = cli(
        "plot", "relu(sin(x))**2", "--range", "0:10000", "--points", "20001", "--timeout", "60"
    )
    assert run.code == 3
    assert "agree at every point" not in run.out
    assert "the kink search stops at 1,000 kinks" in run.out
    assert run.err == (
        "derivcli: error: the kink search stops at 1,000 kinks: those past them were not "
        "looked for (narrow the range)\n"
    )


@pytest.mark.parametrize(
    ("text", "jumps"),
    [
        # the point (1e-20, x) crosses the positive x axis at x = 0: atan2 is
        # atan(x/1e-20), steep but smooth; (-1e-20, x) crosses the negative one:
        # a jump of 2*pi. hypot(x, 1e-20) = sqrt(x**2 + 1e-40) is smooth.
        ("atan2(x, 1e-20)", []),
        ("atan2(x, -1e-20)", [0.0]),
        ("hypot(x, 1e-20)", []),
    ],
)
def test_the_other_piece_is_judged_exactly(cli: Cli, text: str, jumps: list[float]) -> None:
    _, data = _plot(cli, text, "-1:1.4", "--points", "3")
    assert [k["x"] for k in data["kinks"] if k["differentiable"] is False] == jumps
    assert [k["x"] for k in data["kinks"]] == jumps


@pytest.mark.parametrize(("text", "jump"), [("atan2(0, x)", 0.0), ("atan2(0, x - 1/3)", 1 / 3)])
def test_atan2_on_the_x_axis_jumps_where_it_crosses_the_origin(
    cli: Cli, text: str, jump: float
) -> None:
    # atan2(0, b) is pi for b < 0 and 0 for b >= 0: along the x axis f jumps from
    # pi to 0 where b passes 0 (at 0, at 1/3: the float nearest it)
    code, data = _plot(cli, text, "-1:1.4", "--points", "3")
    assert code == 1
    bad = [k for k in data["kinks"] if k["differentiable"] is False]
    assert [k["x"] for k in bad] == [jump]
    assert f"not differentiable at 1 kink (x={jump:.16g})" in data["summary"]
