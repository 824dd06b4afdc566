"""A kink argument that is 0 along a line on one side of the point only (open
since stop 32, listed in the README's limits).

f = abs(u)*sign(u)*g(y) with u = x + relu(y - a) is u*g(y) for every real u
(abs(u)*sign(u) = u), so df/dx = g(y) everywhere and d2f/dxdy = g'(y), by
hand. The closed form of df/dx, sign(u)**2*g(y), holds sign's convention
(sign(0) = 0) wherever u = 0: on the half-line x = 0, y <= a, and nowhere on
the other side. derivcli looked for such a line only where the argument was 0
on both sides of the point along y, so at (0, a) it read 0 on the left and
g'(a) on the right and said "not differentiable": wrong, no label. Now a line
on one side is read off too (along x, which crossed the kink). Autograd gives
0 there (torch's abs and sign have gradient 0 at 0), so the verdict is a
DISAGREE with the right value shown, exit 1.

A line along the same variable that crossed it is no such line: relu(x) is 0
along x for x <= 0, and d2/dx2 of abs(relu(x))**3 = relu(x)**3 is read beside
the point along x (0 at 0, by hand), as before.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from conftest import Cli, one


def _run(
    cli: Cli, expression: str, wrt: tuple[str, ...], at: str
) -> tuple[int, dict[str, Any], str]:
    args = ["partial", expression]
    for name in wrt:
        args += ["--wrt", name]
    run = cli(*args, "--at", at, "--timeout", "60", "-f", "json")
    return run.code, one(run), run.err


@pytest.mark.parametrize("wrt", [("x", "y"), ("y", "x")])
@pytest.mark.parametrize("inner", ["relu(y)", "relu(-y)"])
def test_a_line_on_one_side_is_read_off_the_line(
    cli: Cli, wrt: tuple[str, str], inner: str
) -> None:
    # f = (x + relu(+-y))*y: d2f/dxdy = 1 at (0, 0), by hand, in either order
    u = f"x + {inner}"
    code, result, err = _run(cli, f"abs({u})*sign({u})*y", wrt, "x=0,y=0")
    assert code == 1, err
    assert result["symbolic"] == 1.0
    assert result["autograd"] == 0.0
    assert result["verdict"] == "DISAGREE"
    assert result["differentiable"] is True


@pytest.mark.parametrize("inner", ["relu(y - 1)", "relu(1 - y)"])
def test_a_line_on_one_side_away_from_zero(cli: Cli, inner: str) -> None:
    # f = (x + relu(+-(y - 1)))*e**y: df/dx = e**y, d2f/dxdy = e at (0, 1)
    u = f"x + {inner}"
    code, result, err = _run(cli, f"abs({u})*sign({u})*exp(y)", ("x", "y"), "x=0,y=1")
    assert code == 1, err
    assert result["symbolic"] == pytest.approx(math.e, rel=1e-15)
    assert result["verdict"] == "DISAGREE"


def test_the_other_order_there_is_not_differentiable(cli: Cli) -> None:
    # f = (x + relu(y - 1))*e**y: df/dy = (heaviside(y - 1) + u)*e**y has sides
    # u*e and (1 + u)*e at y = 1 for every x (relu's corner), so df/dy exists
    # nowhere on the line y = 1, and neither does its d/dx
    u = "x + relu(y - 1)"
    code, result, err = _run(cli, f"abs({u})*sign({u})*exp(y)", ("y", "x"), "x=0,y=1")
    assert code == 1, err
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"


def test_a_line_on_one_side_beside_a_real_corner(cli: Cli) -> None:
    # f = abs(x + relu(y))*y: on the left (y < 0) u = x, f = abs(x)*y, whose
    # df/dx does not exist at x = 0; on the right df/dx = y. So d/dy of df/dx at
    # (0, 0) has no left side: not differentiable
    code, result, err = _run(cli, "abs(x + relu(y))*y", ("x", "y"), "x=0,y=0")
    assert code == 1, err
    assert result["differentiable"] is False


def test_a_line_on_one_side_with_a_zero_answer(cli: Cli) -> None:
    # f = (x + relu(y))*y**2: d2f/dxdy = 2*y = 0 at (0, 0), by hand
    u = "x + relu(y)"
    code, result, err = _run(cli, f"abs({u})*sign({u})*y**2", ("x", "y"), "x=0,y=0")
    assert code == 0, err
    assert result["symbolic"] == 0.0
    assert result["verdict"] == "agree"


def test_a_line_along_its_own_variable_is_not_read_off(cli: Cli) -> None:
    # f = relu(x)**3 (abs of a relu is the relu): f''(0) = 0, by hand
    run = cli(
        "grad", "abs(relu(x))**3", "--at", "x=0", "--order", "2",
        "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 0, run.err
    result = one(run)
    assert result["symbolic"] == 0.0
    assert result["verdict"] == "agree"


@pytest.mark.parametrize(
    "expression",
    [
        # at x = 0, df/dx = y + 2**-130*abs(y) (the x-derivative of abs(u)**3 is
        # 3*abs(u)**2*sign(u), 0 there): slopes 1 - 2**-130 and 1 + 2**-130
        # along y, by hand, so no d2f/dxdy (a user review's find, stop 33: the
        # one-sided line made the sides be read off it, where they were taken
        # to meet)
        "x*y + 2**-130*abs(y)*x + abs(x + relu(y))**3",
        # the same through a line on both sides (wrong before this stop too)
        "x*y + 2**-200*abs(y)*x + abs(x)**3",
    ],
)
def test_a_tiny_corner_beside_a_line_that_holds_the_derivative(cli: Cli, expression: str) -> None:
    code, result, err = _run(cli, expression, ("x", "y"), "x=0,y=0")
    assert code == 1, err
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"


U3 = "x + relu(y) + relu(w)"


@pytest.mark.parametrize("wrt", [("x", "y", "w"), ("x", "w", "y"), ("w", "x", "y")])
def test_lines_on_one_side_met_along_a_third_variable(cli: Cli, wrt: tuple[str, ...]) -> None:
    # f = u*y*w (abs(u)*sign(u) = u): d3f/dxdydw = 1 everywhere, by hand. d/dx's
    # closed form sign(u)**2*y*w is 0 on x = 0 wherever y, w <= 0, so the order
    # below the last was read there as missing on the left (a user review's
    # find, stop 33; wrong before this stop too)
    code, result, err = _run(cli, f"abs({U3})*sign({U3})*y*w", wrt, "x=0,y=0,w=0")
    assert code == 1, err
    assert result["symbolic"] == 1.0
    assert result["verdict"] == "DISAGREE"


def test_three_variables_with_a_real_corner_stay_not_differentiable(cli: Cli) -> None:
    # f = abs(u)*y*w: for y, w < 0 near the point u = x, and df/dx = sign(x)*y*w
    # does not exist on x = 0 there, so neither does d3f/dxdydw at (0, 0, 0)
    code, result, err = _run(cli, f"abs({U3})*y*w", ("x", "y", "w"), "x=0,y=0,w=0")
    assert code == 1, err
    assert result["differentiable"] is False


def test_three_variables_with_a_zero_answer(cli: Cli) -> None:
    # f = u*y*w**2: d3f/dxdydw = 2*w = 0 at the point, by hand
    code, result, err = _run(cli, f"abs({U3})*sign({U3})*y*w**2", ("x", "y", "w"), "x=0,y=0,w=0")
    assert code == 0, err
    assert result["symbolic"] == 0.0
