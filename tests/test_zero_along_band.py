"""A kink argument that is 0 along a line only in a narrow band around the
point (a helper's find, stop 32).

f = abs(u)*sign(u)*y with u = x + relu(abs(y) - c) is u*y for every real u
(abs(u)*sign(u) = u), so df/dx = y everywhere and d2f/dxdy = d2f/dydx = 1 at
(0, 0), whatever c > 0 (by hand). The closed form of df/dx, sign(u)**2*y, holds
sign's convention (sign(0) = 0) wherever u = 0: on the line x = 0 for
abs(y) <= c. derivcli looked for such a line at 2**-32 and 2**-64 along y only,
outside a band of 1e-12, so it read the convention at its quotient steps
(2**-256 and below, all inside the band) and said 0, agree: wrong, no label.
Now the line is looked for at the quotient steps too, and the closed form is
read off it. Autograd gives 0 there (torch's abs and sign have gradient 0 at
0), so the verdict is a DISAGREE with the right value shown, exit 1.
"""

from __future__ import annotations

import pytest
from conftest import Cli, one


@pytest.mark.parametrize("c", ["1e-12", "1e-30", "1e-300"])
@pytest.mark.parametrize("wrt", [("x", "y"), ("y", "x")])
def test_a_band_of_zeros_along_the_line_is_read_off_the_line(
    cli: Cli, c: str, wrt: tuple[str, str]
) -> None:
    u = f"x + relu(abs(y) - {c})"
    run = cli(
        "partial", f"abs({u})*sign({u})*y", "--wrt", wrt[0], "--wrt", wrt[1],
        "--at", "x=0,y=0", "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 1, run.err
    result = one(run)
    assert result["symbolic"] == 1.0
    assert result["autograd"] == 0.0
    assert result["verdict"] == "DISAGREE"


def test_the_same_function_without_the_band_is_unchanged(cli: Cli) -> None:
    # c = 1: relu(abs(y) - 1) is 0 for abs(y) <= 1, so u = x near the point and
    # f = x*y there: d2f/dxdy = 1 (by hand), read off the line x = 0 as before
    u = "x + relu(abs(y) - 1)"
    run = cli(
        "partial", f"abs({u})*sign({u})*y", "--wrt", "x", "--wrt", "y",
        "--at", "x=0,y=0", "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 1, run.err
    assert one(run)["symbolic"] == 1.0
