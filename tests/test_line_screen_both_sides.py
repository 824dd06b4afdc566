"""A kink line through the point whose closed form is the derivative on one
side of the point only (found in stop 33, tracing a mutant of the new
one-sided-line code).

f = x*y + (1 - sign(x)**2)*x*g(y) is x*y: for x != 0 the second term is 0
(sign(x)**2 = 1), and at x = 0 it is 0 too. So d2f/dxdy = 1 everywhere, by
hand. The closed form of df/dx is y + (1 - sign(x)**2)*g(y) (the rest carries
x or sign's derivative, 0): y beside the line x = 0, y + g(y) on it. With
g(y) = relu(-y) that is y for y >= 0 and 0 for y < 0 on the line: the line's
values are the derivative right of the point and not left of it. derivcli
looked for the line's convention on the right of the point only, trusted the
line, and said "not differentiable, left 0, right 1": wrong, no label. Now it
looks on both sides, reads off the line, and says 1. Autograd gives 1 too
(torch's sign has gradient 0, and 1 - sign(0)**2 times x is 0 at x = 0 for
every y), so the verdict is agree, exit 0.
"""

from __future__ import annotations

import pytest
from conftest import Cli, one


@pytest.mark.parametrize("g", ["relu(-y)", "relu(y)", "relu(-y)**2 + relu(-y)", "-relu(-y)"])
def test_the_line_is_read_off_on_the_side_it_is_wrong(cli: Cli, g: str) -> None:
    run = cli(
        "partial", f"x*y + (1 - sign(x)**2)*x*({g})", "--wrt", "x", "--wrt", "y",
        "--at", "x=0,y=0", "--timeout", "60", "-f", "json",
    )  # fmt: skip
    result = one(run)
    assert result["differentiable"] is True, result
    assert result["symbolic"] == 1.0
    assert result["autograd"] == 1.0
    assert result["verdict"] == "agree"
    assert run.code == 0


def test_the_other_order_agrees(cli: Cli) -> None:
    # d/dy first: x + (1 - sign(x)**2)*x*g'(y), which is x for every x (the
    # second term is 0 off x = 0 and at it); its d/dx is 1
    run = cli(
        "partial", "x*y + (1 - sign(x)**2)*x*relu(-y)", "--wrt", "y", "--wrt", "x",
        "--at", "x=0,y=0", "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert one(run)["symbolic"] == 1.0
    assert run.code == 0
