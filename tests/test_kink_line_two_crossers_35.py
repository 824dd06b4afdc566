"""A kink line crossed along two variables at once (a user review, stop 35).

d2/dxdy of max(x, y)*min(x, y)*z is z*(heaviside(y - x)**2 + heaviside(x - y)**2):
z off the line x = y, but z/2 on it (heaviside(0) = 1/2). Its sides along z are
read off that line, moved along the variables that crossed it, x and y. Moved
by the same relative step along both, a point with x = y stays on the line, so
the sides were read on it: 0.5 where f = x*y*z gives d3/dxdydz = 1, with
"agree", exit 0 (autograd reads the same convention), and at z = 1 a jump that
is not there. The two variables are now moved by different steps.

Every expected value is worked out by hand below (an identity that removes the
kink), and the one without such an identity is checked with mpmath.
"""

from __future__ import annotations

from typing import Any

import mpmath
import pytest
from conftest import Cli, one

ORDERS = [("x", "y", "z"), ("y", "x", "z"), ("z", "x", "y"), ("x", "z", "y")]


def _third(cli: Cli, text: str, at: str, wrt: tuple[str, ...]) -> tuple[int, dict[str, Any]]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    return run.code, one(run)


@pytest.mark.parametrize("wrt", ORDERS)
@pytest.mark.parametrize("z", ["0", "1", "-3"])
def test_max_times_min_is_x_times_y(cli: Cli, wrt: tuple[str, ...], z: str) -> None:
    # By hand: max(x, y)*min(x, y) = x*y for every x, y, so f = x*y*z and
    # d3f/dxdydz = 1 everywhere, in every order. autograd (and the closed form
    # as written) read heaviside's 1/2 on x = y: 0.5, a DISAGREE, exit 1.
    code, result = _third(cli, "max(x, y)*min(x, y)*z", f"x=1,y=1,z={z}", wrt)
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0
    if result["autograd"] != 1.0:
        assert (code, result["verdict"]) == (1, "DISAGREE")


def test_max_squared_plus_min_squared_is_x_squared_plus_y_squared(cli: Cli) -> None:
    # By hand: max**2 + min**2 = x**2 + y**2, so f = (x**2 + y**2)*z and every
    # mixed derivative in x and y is 0. It said 1, agree, exit 0 at z = 0.
    for z in ("0", "2"):
        code, result = _third(
            cli, "(max(x, y)**2 + min(x, y)**2)*z", f"x=1,y=1,z={z}", ("x", "y", "z")
        )
        assert result["differentiable"] is True
        assert result["symbolic"] == 0.0


def test_abs_times_sign_of_a_difference_is_the_difference(cli: Cli) -> None:
    # By hand: abs(u)*sign(u) = u, so f = (x - y)*y*z: d/dx = y*z, d/dy = z,
    # d/dz = 1. It said 0, agree, exit 0.
    _, result = _third(cli, "abs(x - y)*sign(x - y)*y*z", "x=1,y=1,z=0", ("x", "y", "z"))
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0


def test_a_product_of_relus_that_is_0_leaves_x_y_z(cli: Cli) -> None:
    # By hand: relu(x - y)*relu(y - x) = 0 (one factor is 0 everywhere), so
    # f = x*y*z and the answer is 1, which autograd gets too: agree. It said
    # 1.5, a DISAGREE that blamed autograd.
    code, result = _third(cli, "relu(x - y)*relu(y - x)*z + x*y*z", "x=1,y=1,z=0", ("x", "y", "z"))
    assert (code, result["verdict"], result["symbolic"]) == (0, "agree", 1.0)


def _fxy_of_max_squared(z: Any) -> Any:
    """d2/dxdy of max(x, y, z)**2 at (0, 0, z), by central differences in
    mpmath (steps far below |z|, so for z > 0 only z is the max)."""

    def f(x: Any, y: Any) -> Any:
        return max(x, y, z) ** 2

    h = mpmath.mpf(10) ** -40
    return (f(h, h) - f(h, -h) - f(-h, h) + f(-h, -h)) / (4 * h * h)


@pytest.mark.parametrize("wrt", ORDERS)
def test_max_of_three_squared_at_the_origin(cli: Cli, wrt: tuple[str, ...]) -> None:
    # By hand: for z > 0 near (0, 0, z), f = z**2, so f_xy = 0; for z < 0 near
    # (0, 0, z), f = max(x, y)**2, whose f_x = 2*x*heaviside(x - y) is 0 all
    # along x = 0, so f_xy(0, 0, z) = 0. f_xy is 0 on the whole z-line and
    # d3f/dxdydz = 0. It said not differentiable (a jump of order 2 along z).
    with mpmath.workdps(100):
        for z in (mpmath.mpf(10) ** -20, -(mpmath.mpf(10) ** -20)):
            assert abs(_fxy_of_max_squared(z)) < mpmath.mpf(10) ** -30
    code, result = _third(cli, "max(x, y, z)**2", "x=0,y=0,z=0", wrt)
    assert (code, result["verdict"], result["symbolic"]) == (0, "agree", 0.0)


@pytest.mark.parametrize(
    ("text", "at", "expected"),
    [
        # max(u, v)*min(u, v) = u*v. f = x*(2*y - 1)*z: d/dx (2*y - 1)*z, d/dy 2*z,
        # d/dz 2. The line x = 2*y - 1 through (1, 1) was kept by steps of exactly
        # 1 and 1/2 (a review's find in this file's first fix): it said 1, agree
        ("max(x, 2*y-1)*min(x, 2*y-1)*z", "x=1,y=1,z=0", 2.0),
        ("max(x, 2*y)*min(x, 2*y)*z", "x=0,y=0,z=0", 2.0),  # f = 2*x*y*z
        ("max(x, 4*y-2)*min(x, 4*y-2)*z", "x=2,y=1,z=0", 4.0),  # f = x*(4*y - 2)*z
    ],
)
def test_lines_that_plain_halves_would_keep(cli: Cli, text: str, at: str, expected: float) -> None:
    for wrt in (("x", "y", "z"), ("z", "y", "x")):
        _, result = _third(cli, text, at, wrt)
        assert result["differentiable"] is True
        assert result["symbolic"] == expected
