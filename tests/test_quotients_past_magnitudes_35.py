"""A slope along y read off a kink line where the closed form's terms are huge
and cancel (a user review, stop 35).

f = sqrt(x**2)*sign(x)*(x + 1)*y is x*(x + 1)*y (sqrt(x**2)*sign(x) = x for
every real x), so d2f/dx2 = 2*y and d3f/dx2dy = 2 everywhere. d2/dx2's closed
form, y*(-x**2*sign(x)*(x + 1)/(x**2)**(3/2) + 2*x*sign(x)/sqrt(x**2) +
sign(x)*(x + 1)/sqrt(x**2)), is 0/0 all along x = 0 and is read off that line,
at x = 2**-8192, where its terms are of size 2**8192 and cancel to 2*y. Its
slope along y, 2, was below the rounding of those terms at 1,280 guard bits
and read as 0: ``--wrt x --wrt x --wrt y`` said 0 (a DISAGREE), and ``check``
called the right answer 2 WRONG, "proven". The quotient is now taken once more
with the bits between the terms and the values added.
"""

from __future__ import annotations

import pytest
from conftest import Cli, one


@pytest.mark.parametrize(
    ("text", "wrt", "at", "expected"),
    [
        # x*(x + 1)*y: d2/dx2 = 2*y, then d/dy = 2
        ("sqrt(x**2)*sign(x)*(x + 1)*y", "xxy", "x=0,y=1", 2.0),
        ("sqrt(x**2)*sign(x)*(x + 1)*y", "xxy", "x=0,y=0.1", 2.0),
        ("sqrt(x**2)*sign(x)*(x + 1)*y", "xxy", "x=0,y=0.3", 2.0),
        # x*y*(x + y) = x**2*y + x*y**2: d2/dx2 = 2*y, then 2; and d2/dy2 = 2*x, then 2
        ("sqrt((x*y)**2)*sign(x*y)*(x + y)", "xxy", "x=0,y=1", 2.0),
        ("sqrt((x*y)**2)*sign(x*y)*(x + y)", "yyx", "x=1,y=0", 2.0),
        # x*(x + 1)**2*y: d3/dx3 of x**3 + 2*x**2 + x is 6, times y, then 6
        ("sqrt(x**2)*sign(x)*(x + 1)**2*y", "xxxy", "x=0,y=1", 6.0),
        # x*(x + 1)*y*z: d2/dx2 = 2*y*z, d/dz = 2*y = 2 at y = 1
        ("sqrt(x**2)*sign(x)*(x + 1)*y*z", "xxz", "x=0,y=1,z=1", 2.0),
    ],
)
def test_a_slope_under_cancelling_huge_terms_off_a_line(
    cli: Cli, text: str, wrt: str, at: str, expected: float
) -> None:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    result = one(run)
    assert result["differentiable"] is True
    assert result["symbolic"] == expected
    assert (result["left"], result["right"]) == (expected, expected)


def test_check_accepts_the_right_answer(cli: Cli) -> None:
    run = cli(
        "check", "sqrt(x**2)*sign(x)*(x + 1)*y", "--wrt", "x", "--wrt", "x", "--wrt", "y",
        "--answer", "2", "-f", "json", "--timeout", "60",
    )  # fmt: skip
    assert run.code == 0, run.out
    assert run.json()["correct"] is True
