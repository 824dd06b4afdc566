"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 33, part a).

Pinned here, each by a fact worked out by hand (never derivcli's own output
recorded as the expectation):

- _mixed_difference takes its inner step a = 2**-(2k + offset) relative to the
  inner coordinate, moved *down* by that coordinate's offset (past 2**53), so
  that at x = 2**997 the inner steps stay far below 1 instead of reaching 2**971;
- _settled_off reads a pair of off-line readings as "shrank to 0" only when both
  are finite: an infinite reading at 2**-8192 beside a finite one at 2**-16384
  is no shrinking, and the line is read again nearer (2**-2048, 2**-4096);
- examine looks for a jump where the derivative's own closed form has no value
  (x**(y**2) at (0, 0): 0**0 is 1, f is 0 beside it along y), and not where
  every closed form has a value and no kink is on the point (a point examined
  only for an edge of the domain): there a steep but smooth f, 2 at the point
  and 1 at every probe step, is no jump.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from typing import Any

from conftest import Cli, one


def _partial(cli: Cli, text: str, at: str, *wrt: str) -> dict[str, Any]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    return one(run)


# ---------------------------------------------------------------- _mixed_difference


def test_mixed_differences_at_a_huge_inner_coordinate_take_tiny_inner_steps(cli: Cli) -> None:
    # f = sinc(x - 2**997)*y + 2**480*sqrt(2**997 + 2**960 - x)*y at x = 2**997
    # (1.3393857589828342e+300 is that float exactly), y = 1. By hand: sinc is
    # even, so sinc'(0) = 0; d/dx of the second term is
    # -2**480*y/(2*sqrt(2**997 + 2**960 - x)), at x = 2**997 -2**480/(2*2**480)
    # = -y/2; so d2f/dxdy = 0 - 1/2 = -0.5. The closed form of d/dx is 0/0 all
    # along x = 2**997 (sinc'(u) is (cos(pi*u) - sinc(u))/u), so d2/dxdy comes
    # from f's mixed differences, with inner steps a = 2**997*2**-(2k + 998) =
    # 2**(-2k - 1) along x (offset 998: frexp(2**997) = (0.5, 998)). f is
    # defined for x <= 2**997 + 2**960 only, far beyond those steps.
    # Kills analysis.py:53099af6:42:arith_add_sub:0 (2*k - inner_offset: a =
    # 2**(1995 - 2k), 2**1483 and 2**971 at k = 256 and 512, past the edge
    # 2**997 + 2**960: f has no value there, the mixed sides are lost, and
    # derivcli says it cannot decide)
    assert 2.0**997 == 1.3393857589828342e300
    result = _partial(
        cli,
        "sinc(x - 2**997)*y + 2**480*sqrt(2**997 + 2**960 - x)*y",
        "x=1.3393857589828342e+300,y=1",
        "x",
        "y",
    )
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (-0.5, -0.5, -0.5)


# ---------------------------------------------------------------- _settled_off


def test_an_infinite_reading_off_a_kink_line_is_no_shrinking(cli: Cli) -> None:
    # f = abs(x)*sign(x)*y + (1 - sign(x)**2)*x*2*y + T, with
    # T = exp(19700)*x*relu(x**2 - e1)*relu(e2 - x**2)*cbrt(y), e1 = exp(-13863)
    # (about 2**-20000.4) and e2 = exp(-8318) (about 2**-12000.3). By hand:
    # abs(x)*sign(x) = x; (1 - sign(x)**2)*x is 0 for every x; T is 0 unless
    # e1 < x**2 < e2, i.e. unless 2**-10000 < abs(x) < 2**-6000 (roughly). So
    # f = x*y for abs(x) < 2**-10000, and d2f/dxdy at (0, 0) is 1.
    # The closed form of d/dx on the kink line x = 0 is 2*y (sign(0) = 0), not
    # the derivative y: it is read off the line, at x = +-2**-8192 and
    # +-2**-16384 (_off_line). At 2**-8192 (x**2 = 2**-16384, inside the band) T
    # adds c*cbrt(y), c about exp(19700)*3*x**2*e2 = 2**(28421 - 16384 - 12000 +
    # 1.6), to d/dx: its slope along y at y = 0, c*h**(-2/3), grows without
    # bound over the probe steps (read +inf); at 2**-16384 (outside the band)
    # the reading is 1. Not the same, and not a finite value that shrank: no
    # reading, so the line is read again at 2**-2048 and 2**-4096 (outside the
    # band), where it is 1 on both sides.
    # Kills analysis.py:9be5943b:17:bool_and_or:0 (_finite(near) or
    # _finite(nearer): 1 <= inf*2**-100 is taken for a reading that shrank,
    # read as 0, and d2f/dxdy is given as 0)
    result = _partial(
        cli,
        "abs(x)*sign(x)*y + (1 - sign(x)**2)*x*2*y"
        " + exp(19700)*x*relu(x**2 - exp(-13863))*relu(exp(-8318) - x**2)*cbrt(y)",
        "x=0,y=0",
        "x",
        "y",
    )
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (1.0, 1.0, 1.0)


# ---------------------------------------------------------------- examine: jumps


def test_a_jump_of_f_where_the_derivative_has_no_closed_value(cli: Cli) -> None:
    # f = x**(y**2) at (0, 0): f(0, 0) = 0**0 = 1 (the convention), but f(0, y)
    # = 0**(y**2) = 0 for every y != 0, so f jumps along y (left and right
    # limits 0, value 1) and has no derivative along y there. The closed form
    # of d/dy, 2*y*log(x)*x**(y**2), has no value at x = 0 (log(0)). The
    # one-sided quotients taken beside the point leave f's value out and are
    # both 0, so only the jump test tells.
    # Kills analysis.py:07b14e8c:55:not_drop:0 (``or closed.defined``: the jump
    # test skipped where the closed form has no value, and the sides' 0 given
    # as the derivative, "agree")
    result = _partial(cli, "x**(y**2)", "x=0,y=0", "y")
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert "jumps at y=0" in result["note"]
    assert "left limit 0, value 1, right limit 0" in result["note"]


def test_a_steep_smooth_function_at_a_domain_edge_is_no_jump(cli: Cli) -> None:
    # f = 2 - tanh(exp(6000)*y**2) + sqrt(x) at (0, 0), d/dy. By hand: f is
    # analytic in y, df/dy = -2*exp(6000)*y*sech(exp(6000)*y**2)**2, which is 0
    # at y = 0, so the derivative exists and is 0. The point is examined only
    # because sqrt(x) sits on its domain's edge (x = 0); no kink, and the closed
    # form has a value (0). f is 2 at the point but 1 (to far below 2**-100) at
    # every probe step along y (exp(6000)*h**2 >= 2**464 for h >= 2**-4096, and
    # tanh of that is 1 - 2*exp(-2**465)): it looks like a jump, but the
    # quotients beside the point leave f's value out and are 0, and no jump
    # test is run where nothing calls for one.
    # Kills analysis.py:07b14e8c:14:not_drop:0 (``or all(o.defined ...)``: a
    # first derivative has no lower closed forms, so all() of none is True and
    # the jump test runs at every examined point: f's value 2 beside limits 1 is
    # called a jump, "not differentiable")
    result = _partial(cli, "2 - tanh(exp(6000)*y**2) + sqrt(x)", "x=0,y=0", "y")
    assert result["differentiable"] is True
    assert result["symbolic"] == 0.0
    assert "jumps" not in (result["note"] or "")
