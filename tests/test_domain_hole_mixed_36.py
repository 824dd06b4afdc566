"""A hole in f's domain beside the point is no edge of it: mixed derivatives (stop 36).

Stop 35 let f's own differences decide a side for a pure derivative
(tests/test_domain_hole_beside_35.py). The mixed paths still probed f's domain
2**-64 from the point: whether f is defined along each other variable, the
order-2 mixed differences, and the point beside the line at which the lower
derivative's existence is checked (_lower_missing_beside). A hole in f's
domain there, far beyond the differences' steps (2**-256 and below), was read
as an edge or as a lower derivative missing on a whole side.

The holes, worked out by hand. R(y) = ((y - 1)*2**64 + 1)**2 - 1/16 < 0 exactly
where |(y - 1)*2**64 + 1| < 1/4, i.e. y - 1 in (-5/4, -3/4)*2**-64, left of 1;
R(y) = ((y - 1)*2**64 - 1)**2 - 1/16 mirrors it right of 1; R(x) = (x*2**64 +
1)**2 - 1/16 is negative for x in (-5/4, -3/4)*2**-64 only. Wherever R >= 0,
2**-128*sqrt(R)**2 = 2**-128*R, a quadratic in one variable: it adds nothing
to a mixed derivative (each of its terms holds one variable only). And
cbrt(x**3) = x for every real x, so cbrt(x**3)*y**2 is x*y**2. Its closed
forms from d/dx on are 0/0 all along x = 0, so autograd gives nan there and a
derivative found is a DISAGREE (exit 1).
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Cli, one

HOLE_Y_LEFT = "2**-128*sqrt(((y-1)*2**64+1)**2 - 1/16)**2"
HOLE_Y_RIGHT = "2**-128*sqrt(((y-1)*2**64-1)**2 - 1/16)**2"
HOLE_X_LEFT = "2**-128*sqrt((x*2**64+1)**2 - 1/16)**2"


def _partial(cli: Cli, text: str, wrt: str, at: str = "x=0,y=1") -> tuple[Any, dict[str, Any]]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    return run, one(run)


@pytest.mark.parametrize(
    ("text", "wrt", "value"),
    [
        # f = x*y**2 + 2**-128*R(y): d/dx = y**2, d/dy of it 2*y, again 2.
        # Was "the derivative of order 2 has no value there"
        (f"cbrt(x**3)*y**2 + {HOLE_Y_LEFT}", "xyy", 2.0),
        # the same hole right of 1
        (f"cbrt(x**3)*y**2 + {HOLE_Y_RIGHT}", "xyy", 2.0),
        # f = x*y**2 + 2**-128*R(x), defined for x >= -3/4*2**-64: d2/dxdy =
        # 2*y = 2. Was "f is undefined on one side along x"
        (f"cbrt(x**3)*y**2 + {HOLE_X_LEFT}", "xy", 2.0),
        # d3/dxdydx = d/dx of 2*y = 0. Was a domain edge at x = 0
        (f"cbrt(x**3)*y**2 + {HOLE_X_LEFT}", "xyx", 0.0),
        # through the order-2 mixed differences: d/dx of sinc(x)*y is
        # y*(cos(pi*x) - sinc(x))/x, 0/0 all along x = 0, where it is
        # sinc'(0)*y = 0 (sinc is even), so d2/dxdy = 0. Was a domain edge at y = 1
        (f"sinc(x)*y + {HOLE_Y_LEFT}", "xy", 0.0),
    ],
)
def test_a_hole_2_to_the_minus_64_beside_the_point_is_no_edge_for_a_mixed_derivative(
    cli: Cli, text: str, wrt: str, value: float
) -> None:
    _a_derivative_despite_the_hole(cli, text, wrt, "x=0,y=1", value)


def test_a_pure_prefix_of_a_mixed_derivative_is_decided_by_its_differences(cli: Cli) -> None:
    # (y*z**2)**1.5 = y**1.5*abs(z)**3 for y > 0: d3/dy3 = -3/8*y**-1.5*abs(z)**3,
    # whose derivative along z at z = 0 is 0; the hole's quadratic in y adds 0.
    # The closed form of d2/dy2, 0.75*z**4*(y*z**2)**-0.5, is 0*inf all along
    # z = 0, so d3/dy3 there comes from f's differences along y. Was "the
    # derivative of order 3 has no value there"
    _a_derivative_despite_the_hole(cli, f"(y*z**2)**1.5 + {HOLE_Y_LEFT}", "yyyz", "y=1,z=0", 0.0)


def _a_derivative_despite_the_hole(cli: Cli, text: str, wrt: str, at: str, value: float) -> None:
    run, result = _partial(cli, text, wrt, at)
    assert run.err == ""
    assert run.code == 1 and result["verdict"] == "DISAGREE"
    assert result["differentiable"] is True
    assert (result["left"], result["right"]) == (value, value)
    assert result["symbolic"] == value and result["autograd"] == "nan"
    assert "domain" not in str(result["note"])


def test_a_hole_is_no_evidence_either_where_nothing_decides(cli: Cli) -> None:
    # d3/dxdy2 of sinc(x)*y**2 is 2*sinc'(0) = 0 at (0, 1), but derivcli takes
    # no mixed derivative of order 3 from f's differences: without the hole it
    # says cannot decide (exit 3). With it, it said "not differentiable: f is
    # defined at this point but nowhere beside it along y"
    run, result = _partial(cli, f"sinc(x)*y**2 + {HOLE_Y_LEFT}", "xyy")
    assert run.code == 3 and result["differentiable"] is None
    assert "cannot decide" in run.err and run.err.count("\n") == 1
    assert "nowhere beside" not in run.err


@pytest.mark.parametrize(
    ("text", "wrt", "at", "jump"),
    [
        # f = x*y*sign(abs(x) - abs(y)) + 2**-128*R(y), R(y) = (y*2**64 + 1)**2 -
        # 1/16 (a hole for y in (-5/4, -3/4)*2**-64). Near (0, 0), f is x*y
        # where abs(x) > abs(y) and -x*y where abs(x) < abs(y); R's term is in
        # y only. d2/dxdy is 1 at (x, 0), x != 0, but -1 at (0, 0) (d/dx of f
        # on x = 0 is -y): a jump along x, so no d3/dxdydx. The hole hid the
        # value here, and with it the jump (it said "agree" once the domain
        # check let it through)
        (
            "x*y*sign(abs(x) - abs(y)) + 2**-128*sqrt((y*2**64+1)**2 - 1/16)**2",
            "xyx",
            "x=0,y=0",
            "(left limit 1, value -1, right limit 1)",
        ),
        # f = sign(cos(x) - 1)/z + 2**-128*R(z), R(z) = ((z - 1)*2**64 + 1)**2 -
        # 1/16: sign(cos(x) - 1) is 0 at x = 0 and -1 beside it, so d/dz is
        # 1/z**2 = 1 beside x = 0 and 0 on it, plus 2**-128*R'(1) = 2**-128*2*
        # 2**64 = 2**-63 = 1.084202172e-19 (the left and right limits show as 1):
        # d/dz jumps along x, so no d2/dzdx
        (
            "sign(cos(x) - 1)/z + 2**-128*sqrt(((z-1)*2**64+1)**2 - 1/16)**2",
            "zx",
            "x=0,z=1",
            "(left limit 1, value 1.084202172e-19, right limit 1)",
        ),
    ],
)
def test_a_jump_of_the_order_below_is_still_seen_beside_a_hole(
    cli: Cli, text: str, wrt: str, at: str, jump: str
) -> None:
    # the value here of a lower derivative along other variables is taken from
    # f's own differences (_true_lower), which the hole no longer stops
    run, result = _partial(cli, text, wrt, at)
    assert run.code == 1 and result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert f"jumps at x=0 {jump}" in str(result["note"])


@pytest.mark.parametrize(
    ("text", "wrt", "at", "note"),
    [
        # sqrt(z) has no value for z < 0: d/dz of x*y*sqrt(z) at z = 0 has the
        # right side 1/(2*sqrt(z)) -> inf only
        ("x*y*sqrt(z)", "xyz", "x=0,y=0,z=0", "edge of the function's real domain"),
        # sqrt(x)**3*y has no value for x < 0: no d/dx on the left of x = 0
        ("sqrt(x)**3*y", "xy", "x=0,y=1", "f is undefined on one side along x"),
        # d/dx of sqrt(x)*y is y/(2*sqrt(x)) -> inf: no derivative at x = 0
        ("sqrt(x)*y", "xy", "x=0,y=1", "has no value there"),
    ],
)
def test_a_real_edge_is_still_refused(cli: Cli, text: str, wrt: str, at: str, note: str) -> None:
    # guards (refused before the fix too): f has no value at the differences'
    # steps on one side, so that side is missing
    run, result = _partial(cli, text, wrt, at)
    assert run.code == 1 and result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert note in str(result["note"])


def test_a_real_edge_away_from_it_still_leaves_the_derivative(cli: Cli) -> None:
    # guard: at z = 1, x*y*sqrt(z) is smooth: d3/dxdydz = 1/(2*sqrt(z)) = 0.5
    run, result = _partial(cli, "x*y*sqrt(z)", "xyz", "x=0,y=0,z=1")
    assert run.code == 0 and result["verdict"] == "agree"
    assert result["symbolic"] == 0.5
