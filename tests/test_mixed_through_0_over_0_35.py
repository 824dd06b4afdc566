"""A mixed partial whose lower closed forms are 0/0 all along the line it is
taken on (a user review, stop 35).

d/dx of cbrt(x**3)*y**2 (f = x*y**2) comes out of the differentiator as
x**2*sign(x**3)**2*y**2/abs(x**3)**(2/3): 0/0 at every point of x = 0, and so is
every derivative taken after it. Whether d2/dxdy exists there was decided by
the closed form of d/dx along y (no value) or by f's own differences for a pure
derivative only, so ``partial "cbrt(x**3)*y**2" --wrt x --wrt y --wrt y`` said
"not differentiable: the derivative of order 2 has no value there", where the
answer is 2. f's mixed differences now decide order 2, and a mixed order of 3
or more that nothing decides is "cannot decide" (exit 3), never a false "not
differentiable". Every expected value below is worked out by hand from an
identity that removes the cube root (cbrt(x**3) = x for every real x).
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Cli, one


def _partial(cli: Cli, text: str, at: str, wrt: str) -> tuple[Any, dict[str, Any] | None]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    return run, (one(run) if run.code in (0, 1) else None)


@pytest.mark.parametrize(
    ("text", "at", "wrt", "expected"),
    [
        ("cbrt(x**3)*y**2", "x=0,y=1", "xyy", 2.0),  # f = x*y**2: d/dx y**2, d2/dy2 of it 2
        ("cbrt(x**3)*y", "x=0,y=1", "xyy", 0.0),  # f = x*y: d/dx y, then 1, then 0
        ("cbrt(x**3)*exp(y)", "x=0,y=0", "xyy", 1.0),  # f = x*e**y: e**y at y = 0
        ("cbrt(x**3)*y*z", "x=0,y=1,z=1", "xyz", 1.0),  # f = x*y*z
        ("(abs(x)**3)**(1/3)*sign(x)*y**2", "x=0,y=1", "xyy", 2.0),  # f = x*y**2
    ],
)
def test_a_third_mixed_derivative_through_0_over_0_lines(
    cli: Cli, text: str, at: str, wrt: str, expected: float
) -> None:
    run, result = _partial(cli, text, at, wrt)
    assert result is not None, run.err
    assert result["differentiable"] is True
    assert result["symbolic"] == expected
    assert run.code == (0 if result["verdict"] == "agree" else 1)


def test_a_fourth_mixed_derivative_nothing_decides_is_cannot_decide(cli: Cli) -> None:
    # f = x*y**3, so d4/dxdy3 = 6: derivcli does not take a mixed derivative of
    # order 3 from f's own differences, so it may not say "not differentiable"
    run, _ = _partial(cli, "cbrt(x**3)*y**3", "x=0,y=1", "xyyy")
    assert run.code == 3
    assert "cannot decide" in run.err and "order 3" in run.err
    assert run.err.count("\n") == 1


@pytest.mark.parametrize("wrt", ["xyy", "xyyy"])
def test_a_real_corner_under_the_same_lines_is_still_not_differentiable(cli: Cli, wrt: str) -> None:
    # f = abs(x)*y**2: d/dx does not exist at x = 0 (slopes -1 and 1 times
    # y**2), so no derivative taken after it does
    run, result = _partial(cli, "sqrt(x**2)*y**2", "x=0,y=1", wrt)
    assert result is not None, run.err
    assert (run.code, result["differentiable"]) == (1, False)
