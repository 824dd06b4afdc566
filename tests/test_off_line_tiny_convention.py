"""A kink line's convention off the derivative by less than 2**-150 (listed
open in stop 30, found right on stop 33's code).

f = x*y + abs(x)*sign(x)*(2**19*(y - 1 - 2**-64)*(y - 1 - 2**-20) + 3*2**-152)
is a polynomial (abs(x)*sign(x) = x), so d2f/dxdy = 1 + 2**19*(2*(y - 1) -
2**-64 - 2**-20) = 1/2 - 2**-45 at (0, 1), by hand. The closed form of df/dx
holds sign(0)**2 = 0 on the line x = 0, where the derivative is y + 2**19*(...)
+ 3*2**-152: on the line at y = 1 + 2**-64 the two differ by 3*2**-152 only,
and a screen that trusted the line's values within 2**-150 read the
convention there and said "not differentiable, a jump of 5.6e-309".
"""

from __future__ import annotations

from conftest import Cli, one

F = "x*y + abs(x)*sign(x)*(2**19*(y - 1 - 2**-64)*(y - 1 - 2**-20) + 3*2**-152)"


def test_the_mixed_partial_is_read_off_the_line(cli: Cli) -> None:
    run = cli(
        "partial", F, "--wrt", "x", "--wrt", "y", "--at", "x=0,y=1",
        "--timeout", "60", "-f", "json",
    )  # fmt: skip
    result = one(run)
    assert result["differentiable"] is True, result
    assert result["symbolic"] == 0.5 - 2.0**-45
    # the closed form as written reads sign(0)**2 = 0 and gives 1, as does
    # autograd (torch's sign has gradient 0): a DISAGREE, exit 1
    assert result["autograd"] == 1.0
    assert result["verdict"] == "DISAGREE"
    assert run.code == 1
