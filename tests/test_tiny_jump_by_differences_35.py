"""A jump of a lower derivative below the side limits' 2**-100 resolution, where
that derivative's closed form has no value on one side.

d/dy of (relu(y)**3)**(1/3), which is relu(y), comes out of the differentiator
as heaviside(y)*relu(y)**2/(relu(y)**3)**(2/3): 0/0 at every y <= 0. Its left
side is then taken from f's own difference quotients. A jump too small for the
side limits (2**-100 of the values) is looked for by the gaps at steps of
2**-2048 and 2**-4096; those were taken from the closed form only, which has no
value on the left, so the jump was never looked for and
``partial "y + 2**-200*(relu(y)**3)**(1/3)" --wrt y --order 2 --at y=0`` said 0,
agree (listed open in the README's limits since stop 34). The gaps are now
taken between f's own one-sided quotients on the two sides.
"""

from __future__ import annotations

from typing import Any

import mpmath
import pytest
from conftest import Cli, one


def _second(cli: Cli, text: str) -> tuple[int, dict[str, Any]]:
    run = cli(
        "partial", text, "--wrt", "y", "--order", "2", "--at", "y=0", "-f", "json",
        "--timeout", "60",
    )  # fmt: skip
    assert run.err == "", run.err
    return run.code, one(run)


def test_a_jump_of_f_prime_by_2_to_the_minus_200_beside_0_over_0_is_found(cli: Cli) -> None:
    # By hand: (relu(y)**3)**(1/3) = relu(y), so f = y for y < 0 and
    # (1 + 2**-200)*y for y > 0: f' is 1 on the left, 1 + 2**-200 on the right,
    # it jumps at 0, and f'' does not exist there.
    code, result = _second(cli, "y + 2**-200*(relu(y)**3)**(1/3)")
    assert code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    jump = mpmath.mpf(2) ** -200  # 6.2230152778611417e-61
    assert f"jumps by about {mpmath.nstr(jump, 10)}" in result["note"]
    assert "derivative of order 1 jumps at y=0" in result["note"]


def test_a_continuous_f_prime_beside_0_over_0_shows_no_tiny_jump(cli: Cli) -> None:
    # By hand: f = relu(y)*y**2 is y**3 for y > 0 and 0 for y < 0: f' = 3*y**2
    # and 0, both 0 at 0 (continuous, the new gaps shrink with the step), and
    # f'' = 6*y and 0 meet at 0: f''(0) = 0. autograd's nan (relu's 0/0 in the
    # backward pass) is a DISAGREE with that, not a missing derivative.
    code, result = _second(cli, "(relu(y)**3)**(1/3)*y**2")
    assert code == 1
    assert result["differentiable"] is True
    assert result["symbolic"] == 0.0
    assert result["verdict"] == "DISAGREE"


def test_a_jump_of_f_prime_by_1_beside_0_over_0_is_found_by_the_limits(cli: Cli) -> None:
    # By hand: f = y + relu(y): f' is 1 on the left, 2 on the right.
    code, result = _second(cli, "y + (relu(y)**3)**(1/3)")
    assert code == 1
    assert result["differentiable"] is False
    assert "left limit 1, value undefined, right limit 2" in result["note"]


def _last_order(cli: Cli, text: str, order: str) -> tuple[int, dict[str, Any]]:
    run = cli(
        "partial", text, "--wrt", "y", "--order", order, "--at", "y=0", "-f", "json",
        "--timeout", "60",
    )  # fmt: skip
    return run.code, one(run)


def test_a_tiny_corner_of_the_order_asked_where_its_sides_come_from_f(cli: Cli) -> None:
    # By hand: f = y**2 + 2**-200*relu(y)*y is y**2 left of 0 and
    # (1 + 2**-200)*y**2 right of it: f'' is 2 and 2 + 2**-199, a corner of
    # 1.24e-60, below the sides' 2**-100. f''s closed form is 0/0 left of 0, so
    # the sides come from f's own quotients, and so must the gap (a review's
    # find in this file's first fix: it said 2, the derivative exists).
    code, result = _last_order(cli, "y**2 + 2**-200*(relu(y)**3)**(1/3)*y", "2")
    assert code == 1
    assert result["differentiable"] is False
    assert mpmath.nstr(mpmath.mpf(2) ** -199, 10) in result["note"]
    # order 3: f''' is 6 and 6 + 6*2**-200 (= 3.733809167e-60 apart)
    code, result = _last_order(cli, "y**3 + 2**-200*(relu(y)**3)**(1/3)*y**2", "3")
    assert result["differentiable"] is False
    assert mpmath.nstr(6 * mpmath.mpf(2) ** -200, 10) in result["note"]


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("y**2 + (relu(y)**3)**(1/3)*y**2", "2", 2.0),  # y**2 + relu(y)*y**2: 2, and 2 + 6*y
        ("y**3 + (relu(y)**3)**(1/3)*y**3", "3", 6.0),  # 6, and 6 + 24*y
    ],
)
def test_sides_from_f_that_meet_are_no_corner(
    cli: Cli, text: str, order: str, expected: float
) -> None:
    _, result = _last_order(cli, text, order)
    assert result["differentiable"] is True
    assert result["symbolic"] == expected


@pytest.mark.parametrize(
    ("text", "at"),
    [
        # f = x*y + 2**-200*x*abs(y - 1) (cbrt(x**3) = x): d/dx = y +
        # 2**-200*abs(y - 1), whose slopes along y at y = 1 are 1 -+ 2**-200, so
        # d2/dxdy does not exist there. d/dx's closed form is 0/0 all along x =
        # 0; the sides came from f's mixed differences and met to 2**-100 (it
        # said 1, the derivative exists; a review's find)
        ("cbrt(x**3)*y + 2**-200*x*abs(y-1)", "x=0,y=1"),
        # f = u*y + 2**-200*abs(y)*x, u = x + relu(y): d/dx = y + 2**-200*abs(y),
        # slopes 1 -+ 2**-200 at y = 0. d/dx's closed form is sign(u)**2*y + ...,
        # a convention all along u = 0, so the sides are read off that line, and
        # the gap test was skipped there (open since stop 33: it said 1)
        ("abs(x + relu(y))*sign(x + relu(y))*y + 2**-200*abs(y)*x", "x=0,y=0"),
    ],
)
def test_a_tiny_corner_of_a_mixed_derivative_read_off_a_line(cli: Cli, text: str, at: str) -> None:
    run = cli(
        "partial", text, "--wrt", "x", "--wrt", "y", "--at", at, "-f", "json", "--timeout", "60"
    )
    result = one(run)
    assert run.code == 1
    assert result["differentiable"] is False
    assert mpmath.nstr(mpmath.mpf(2) ** -199, 10) in result["note"]  # 1.244603056e-60
