"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 34, part b): reading a mixed partial off a kink line.

Each case is d2f/dxdy at a point on the line x = 0, where the closed form of
df/dx holds a kink's convention (sign(0) = 0) instead of the derivative, so
derivcli must read it beside the line. Pinned here, each by a fact worked out
by hand (never derivcli's own output recorded as the expectation):

- _off_line's second, nearer try reads the line at 2**-2048 and 2**-4096, not
  at 2**-2047: a band of f around x = 2**-2047 is no part of the limit;
- _line_differs calls the line misleading when the closed form on it and
  just beside it differ by more than 2**-150 (relative), not 2**-149;
- _line_differs looks at 2**-64 along the line (not 2**-63);
- _zero_along looks at a kink argument at -2**-k and +2**-k, not at +2**(1-k);
- _zero_along's steps past 2**53 are moved *down* by the coordinate's offset
  (2**-(k + 1001) relative at y = 2**1000, not 2**-(k - 1001)).

In every case f is x*y plus terms that vanish on a neighbourhood of the line
x = 0 near the point (or only on a set no partial along x sees), so
d2f/dxdy = 1 by hand, while the closed form on the line gives another value
(2 by the same convention that torch's zero gradients of abs and sign give:
autograd says 2 or nan, and the verdict is a DISAGREE with the right value).

Each test names the mutant it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from typing import Any

from conftest import Cli, one


def _mixed(cli: Cli, text: str, at: str) -> tuple[int, dict[str, Any]]:
    run = cli(
        "partial", text, "--wrt", "x", "--wrt", "y", "--at", at, "-f", "json", "--timeout", "60"
    )
    assert run.err == "", run.err
    return run.code, one(run)


def _is_one(code: int, result: dict[str, Any]) -> None:
    assert result["differentiable"] is True, result
    assert (result["symbolic"], result["left"], result["right"]) == (1.0, 1.0, 1.0), result
    assert result["verdict"] == "DISAGREE", result
    assert code == 1


# The convention term: (1 - sign(x)**2)*x*c*y is 0 for every x (x = 0, or
# sign(x)**2 = 1), but d/dx of its closed form is (1 - sign(x)**2)*c*y (sign's
# derivative is 0): c*y on the line x = 0, 0 beside it. With abs(x)*sign(x)*y
# (which is x*y; d/dx's closed form sign(x)**2*y is 0 on the line, y beside it)
# the closed form of df/dx is c*y on the line and y beside it.
LINE = "abs(x)*sign(x)*y + (1 - sign(x)**2)*x*2*y"


# ---------------------------------------------------------------- _off_line


def test_a_band_at_2_to_the_minus_2047_is_no_part_of_the_limit_off_the_line(cli: Cli) -> None:
    # f = LINE + x*y*(B(-8192) + B(-2047)), with R = round(log2|x|) (as
    # floor(log2(max(|x|, e**-200000)) + 1/2)) and B(n) = 1 - sign(R - n)**2,
    # 1 where R = n and 0 elsewhere (R is an integer). By hand: f = x*y for
    # 0 < |x| < 2**-8192.5 and at x = 0, so df/dx(0, y) = y, d2f/dxdy = 1.
    # Beside the line, the closed form of df/dx is y*(1 + B(-8192) + B(-2047))
    # (floor's derivative is 0): slope along y 2 at |x| = 2**-8192 and
    # 2**-2047, 1 at 2**-16384, 2**-2048 and 2**-4096. The first try (2**-8192,
    # 2**-16384) reads 2 and 1, neither the same nor shrunk by 2**-100: no
    # reading; the nearer try (2**-2048, 2**-4096) reads 1 and 1: the limit, 1.
    # Kills analysis.py:5ca7baf1:30:num_dec:0 (the nearer try at 2**-2047 and
    # 2**-4096 reads 2 and 1 too: no reading at all, so the line itself is
    # read, where LINE's closed form is 2*y: "agree" at 2)
    r = "floor(log2(max(abs(x), exp(-200000))) + 1/2)"
    bands = f"x*y*(2 - sign({r} + 8192)**2 - sign({r} + 2047)**2)"
    _is_one(*_mixed(cli, f"{LINE} + {bands}", "x=0,y=0"))


# ---------------------------------------------------------------- _line_differs


def test_a_line_apart_by_2_to_the_minus_149_6_is_misleading(cli: Cli) -> None:
    # f = LINE + D*x with D = 3*2**128: f = x*y + D*x, d2f/dxdy = 1 by hand.
    # The closed form of df/dx is D + 2*y on the line, D + y beside it. At
    # y = +-2**-20 (the line looked at 2**-20 along y) the two differ by
    # 2**-20, which relative to D + 2**-19 is about 2**-20/(3*2**128) =
    # 2**-149.58: more than 2**-150 (3*2**128*2**-150 = 0.75*2**-20 < 2**-20),
    # so the line is misleading and read beside it: slope 1. (At 2**-64 and
    # below the gap is 2**-193 or less: within either tolerance.)
    # Kills analysis.py:1ad0253e:26:num_dec:0 (within 149 bits:
    # 3*2**128*2**-149 = 1.5*2**-20 >= 2**-20, the line is trusted and its
    # slope 2 given, "agree")
    _is_one(*_mixed(cli, f"{LINE} + 3*2**128*x", "x=0,y=0"))


def test_a_line_that_differs_at_2_to_the_minus_64_but_not_at_2_to_the_minus_63(
    cli: Cli,
) -> None:
    # f = abs(x)*sign(x)*y + (1 - sign(x)**2)*x*(y + y*H) + x, with
    # H = heaviside(9*2**-130 - y**2): 1 for |y| < 0.75*2**-63, 0 for |y| >
    # 0.75*2**-63. The middle term is 0 for every x, so f = x*y + x and
    # d2f/dxdy = 1 by hand. The closed form of df/dx is 1 + y + y*H on the line
    # and 1 + y beside it: apart by y*H. Looked at 2**-64 along y: H = 1
    # (2**-128 < 9*2**-130), a gap of 2**-64 relative to 1, misleading; the
    # line is read beside it, slope 1. At 2**-20 and 2**-63 (2**-126 >
    # 9*2**-130) H = 0 and the two are equal; at 2**-256 and below the gap
    # 2**-256 is within 2**-150 of 1.
    # Kills analysis.py:ffa8c6f1:14:num_dec:0 (looked at 2**-63, never at
    # 2**-64: the line is trusted and its slope 1 + 1 given, "agree" at 2)
    text = "abs(x)*sign(x)*y + (1 - sign(x)**2)*x*(y + y*heaviside(9*2**-130 - y**2)) + x"
    _is_one(*_mixed(cli, text, "x=0,y=0"))


# ---------------------------------------------------------------- _zero_along


def test_a_kink_argument_zero_on_the_right_at_even_powers_of_two_only(cli: Cli) -> None:
    # u = x + relu(y)*(1 - E(y)), E(y) = 1 where round(log2 y) is even (y > 0),
    # 0 where odd; f = x*y + (1 - sign(u)**2)*x*relu(y). By hand, the second
    # term is nonzero only where u = 0 and x != 0: x = -y, y > 0 (a half
    # diagonal), so on x = 0 and for every fixed y near it f = x*y:
    # df/dx(0, y) = y, d2f/dxdy(0, 0) = 1.
    # On x = 0, u is 0 for y <= 0 and at y = 2**-k, k even, and y there else.
    # _zero_along looks at y = -+2**-32 (k = 32, even): 0 on both sides, a line
    # on both sides. The closed form of df/dx, y + (1 - sign(u)**2)*relu(y), is
    # y left of the point (relu(y) = 0) and 2*y at y = 2**-64 on the line, but
    # y beside it (u = x != 0): misleading on the right only, read beside the
    # line, where it is y: slope 1.
    # Kills analysis.py:40640aaa:18:num_inc:0 (the right looked at 2*2**-k =
    # 2**(1-k), odd powers, where u = y != 0: a line on the left only, where
    # it holds y, so it is trusted; read on the line, the right side's
    # convention (2*y at the even powers) leaves the sides apart: "not
    # differentiable")
    log2 = "floor(log2(max(y, exp(-200000))) + 1/2)"
    even = f"(1 - ({log2} - 2*floor({log2}/2)))"
    u = f"x + relu(y)*(1 - {even})"
    code, result = _mixed(cli, f"x*y + (1 - sign({u})**2)*x*relu(y)", "x=0,y=0")
    assert result["differentiable"] is True, result
    assert (result["symbolic"], result["left"], result["right"]) == (1.0, 1.0, 1.0), result
    assert code == 1  # autograd gives nan (log2 of 0 in float64), a DISAGREE


def test_a_kink_line_past_2_to_the_53_is_looked_for_at_tiny_steps(cli: Cli) -> None:
    # At y0 = 2**1000 (1.0715086071862673e+301 exactly), d = y - 2**1000:
    # u = x + g, g = relu(2**-2000 - |d|)*|d| + relu(|d| - 1), which is 0 at
    # d = 0 and for 2**-2000 <= |d| <= 1, and > 0 elsewhere (g >= 0).
    # f = x*y + (1 - sign(u)**2)*x*y. By hand the second term is nonzero only
    # where x = -g != 0, one x for each y, so f(h, y) = h*y for all small h:
    # df/dx = y on the line, d2f/dxdy = 1. The closed form of df/dx,
    # y + (1 - sign(u)**2)*y, is 2*y on x = 0 for |d| in [2**-2000, 1] and y
    # beside it. _zero_along looks 2**-(k + 1001) relative, i.e. d = +-2**-33
    # first: u = 0 on both sides, a line; misleading, read beside it: slope 1.
    # Kills analysis.py:e6b4ff4f:55:arith_add_sub:0 (steps 2**-(k - 1001)
    # relative: |d| = 2**(2001 - k) = 2**1969, ..., 2**977, 2**-2095, none in
    # [2**-2000, 1]: no line, and the line's 2*y is read on it: slope 2 and a
    # jump, "not differentiable")
    assert 2.0**1000 == 1.0715086071862673e301
    d = "abs(y - 2**1000)"
    u = f"x + relu(2**-2000 - {d})*{d} + relu({d} - 1)"
    _is_one(*_mixed(cli, f"x*y + (1 - sign({u})**2)*x*y", "x=0,y=1.0715086071862673e+301"))
