"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 36, part a: the new lines of stop 35).

Pinned here, each by a fact worked out by hand (never derivcli's own output
recorded as the expectation):

- examine asks whether a derivative whose closed form has no value at the
  point exists from the order just below it (its one-sided derivatives along
  the variable of that step), not from that order itself or the one above, and
  it checks every such order, naming the lowest one that has no value;
- _exists_by_sides gives None (not known), never True or False, unless both
  sides of the lower order were taken: a side that cannot be taken (the lower
  closed form has no value there) is no evidence against the derivative;
- _exists_by_differences takes a mixed order 2 from f's mixed differences
  along the two variables in their order (not a second derivative along one
  of them), and a domain edge along the second variable makes it False (not
  "not known");
- examine takes the gap of a tiny corner from f's own quotients whenever a
  side came from them: a pure order's right side as well as its left, and a
  mixed order 2's from f's mixed differences along its two variables in their
  order, whose sides _mixed_difference keeps as exact limits (not float64);
  where the sides were read off a kink line, the gap is read on the same side
  of it (x = +2**-8192), not the other;
- _off moves the second variable that crosses a kink line by 1/2*(1 + 2**-32)
  of the first one's step (relative to each coordinate), exactly: for each
  other factor a mutant makes (1/2*(1 + 2**-31), 2**-(e - 1) for 2**-(e + 1),
  a division for the product, ...) there is a line u = v through a point
  whose coordinates are floats that the mutated steps keep the point on, and
  the true ones do not.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import mpmath
import pytest
from conftest import Cli, CliRun


def _partial(cli: Cli, text: str, at: str, wrt: str) -> tuple[CliRun, dict[str, Any]]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    results = json.loads(run.out)["results"]
    assert len(results) == 1
    return run, results[0]


# ---------------------------------------------------------------- examine: which order is asked


def test_a_0_over_0_third_order_at_the_point_only_is_read_from_the_second(cli: Cli) -> None:
    # f = x*y*h(z, w), h = z*sqrt(z**2 + w**4), at the origin, d4/dxdydzdw. By
    # hand: d2f/dxdy = h; h_z = sqrt(z**2 + w**4) + z**2/sqrt(z**2 + w**4),
    # whose closed form is 0/0 at z = w = 0 only (the order-3 closed form has no
    # value at the point). Its true value on z = 0 is h_z(0, w) = w**2 (h(z, w)
    # = z*w**2 + O(z**2)), so d4f = d/dw w**2 = 0 at w = 0: differentiable, 0.
    # The order-3 step exists because h (order 2) has equal one-sided
    # derivatives along z at the origin (h(z, 0) = z*abs(z): 0 and 0). Asked of
    # order 3 itself along z, h_z(z, 0) = 2*abs(z) has sides -2 and 2, and a
    # mixed order 3 is not taken from f's own differences: "cannot decide".
    # Kills analysis.py:d7147459:53:num_dec:0 (``program(order - 0)``), and
    # analysis.py:ef5356dd:8:cmp_is_isnot:0 / ef5356dd:25:cmp_is_isnot:0
    # (_exists_by_sides None whenever a side was taken: "cannot decide")
    with mpmath.workdps(60):
        for w in (mpmath.mpf("1e-3"), mpmath.mpf("-2e-4")):
            h_z = mpmath.diff(lambda z, w=w: z * mpmath.sqrt(z**2 + w**4), 0)
            assert abs(h_z - w**2) < mpmath.mpf(10) ** -40
    run, result = _partial(cli, "x*y*z*sqrt(z**2 + w**4)", "x=0,y=0,z=0,w=0", "xyzw")
    assert run.code in (0, 1), run.err
    assert result["differentiable"] is True
    assert result["symbolic"] == 0.0


def test_a_0_over_0_third_order_is_not_asked_of_the_fourth(cli: Cli) -> None:
    # f = x*y*z**2*abs(z) (abs as sqrt(z**2)) at the origin, d4/dxdydzdz. By
    # hand: d2f/dxdy = g = z**2*abs(z), g' = 3*z*abs(z) (closed form 0/0 at z
    # = 0: the order-3 closed form has no value there), g'' = 6*abs(z): d4f at
    # the origin is 0, differentiable. g is the order below order 3, with
    # one-sided derivatives 0 and 0 along z; the order above (g'', 6*abs(z))
    # has sides -6 and 6. Kills analysis.py:d7147459:51:arith_sub_add:0 and
    # analysis.py:d7147459:53:num_neg:0 (``program(order + 1)``: "the derivative
    # of order 3 has no value there", not differentiable)
    run, result = _partial(cli, "x*y*z**2*sqrt(z**2)", "x=0,y=0,z=0", "xyzz")
    assert run.code in (0, 1), run.err
    assert result["differentiable"] is True
    assert result["symbolic"] == 0.0


def test_the_lowest_order_without_a_value_is_the_one_named(cli: Cli) -> None:
    # f = x*cbrt(y) at (0, 0), d3/dxdydy. By hand: d/dx = cbrt(y) (a value at
    # y = 0), d2/dxdy = 1/(3*cbrt(y)**2), infinite at y = 0: order 2 does not
    # exist there (cbrt has slope +inf on both sides), so neither does order 3.
    # The first order checked is 1 (it has a value: move on), then order 2,
    # which is the reason given. Kills analysis.py:282f4c20:0:continue_break:0
    # (the check stopped at order 1: the reason given is order 3's sides, "kink
    # of cbrt at y=0: left derivative inf, right -inf")
    run, result = _partial(cli, "x*cbrt(y)", "x=0,y=0", "xyy")
    assert run.code == 1
    assert result["differentiable"] is False
    assert "the derivative of order 2 has no value there" in result["note"]


# ---------------------------------------------------------------- _exists_by_sides: one side


def test_a_lower_order_without_a_value_on_one_side_is_no_evidence(cli: Cli) -> None:
    # f = x*cbrt(y**3*relu(z)**6) = x*y*relu(z)**2 at (0, 1, 0), d4/dxdydzdx.
    # By hand: f is x*y*relu(z)**2 exactly (the cube root of a cube), linear in
    # x, so every derivative taken twice along x is 0: d4f = 0 everywhere,
    # differentiable. The closed form of d2/dxdy is 0/0 for z <= 0 (relu(z) = 0
    # under the cube root), so the left side of order 2 along z cannot be taken
    # (the right one is 2*relu(z) -> 0), and a mixed order 3 is not taken from
    # f's own differences: derivcli may say "cannot decide", never "not
    # differentiable". Kills analysis.py:ef5356dd:16:bool_or_and:0 (one side
    # missing read as sides that differ: "the derivative of order 3 has no value
    # there", not differentiable)
    run, result = _partial(cli, "x*cbrt(y**3*relu(z)**6)", "x=0,y=1,z=0", "xyzx")
    assert run.code != 1, run.err
    assert result["differentiable"] is not False
    if result["differentiable"]:
        assert result["symbolic"] == 0.0


# ---------------------------------------------------------------- _exists_by_differences


def test_a_mixed_order_2_is_f_s_mixed_differences_not_a_second_derivative(cli: Cli) -> None:
    # f = cbrt(x**3)*y + y*abs(y) + x*abs(x) (abs as sqrt(.**2)) at (0, 0),
    # d3/dxdydy. By hand: f = x*y + y*abs(y) + x*abs(x), so d2f/dxdy = 1 for
    # every x, y (the other terms have one variable each) and d3f/dxdydy = 0:
    # differentiable, 0. The closed forms from d/dx on are 0/0 all along x = 0
    # (the cube root), so order 2 comes from f's mixed differences along x then
    # y. f's second derivatives along one variable do not exist at the origin:
    # d2/dy2 = 2*sign(y)*... (y*abs(y) has f'' = -2 and 2 on the two sides), and
    # d2/dx2 alike. Kills analysis.py:184976d8:59:num_inc:0 (``_mixed_sides(f,
    # point, wrt[1], wrt[1])``, d2/dy2) and analysis.py:184976d8:67:num_dec:0
    # (``wrt[0], wrt[0]``, d2/dx2): "the derivative of order 2 has no value
    # there", not differentiable
    text = "cbrt(x**3)*y + y*sqrt(y**2) + x*sqrt(x**2)"
    run, result = _partial(cli, text, "x=0,y=0", "xyy")
    assert run.code in (0, 1), run.err
    assert result["differentiable"] is True
    assert result["symbolic"] == 0.0


def test_a_mixed_order_2_at_an_edge_of_f_along_its_second_variable(cli: Cli) -> None:
    # f = cbrt(x**3)*(y - 1)*sqrt(y - 1) = x*(y - 1)**1.5 at (0, 1), d3/dxdydy.
    # By hand: f has no value for y < 1, so no derivative along y exists at y
    # = 1 (there is no left side): d2/dxdy = 1.5*sqrt(y - 1) has no two-sided
    # derivative, and the answer is "not differentiable" (exit 1), never
    # "cannot decide". The closed forms from d/dx on are 0/0 all along x = 0,
    # so order 2 is decided by f's mixed differences, which need f on both
    # sides along y. Kills analysis.py:00633aa0:7:return_none:0 (the edge read
    # as "not known": "cannot decide ... a mixed derivative of order 3 or more
    # is not taken", exit 3) and analysis.py:00633aa0:7:false_true:0 (the edge
    # read as a derivative that exists: the order-2 check passed, and the reason
    # given is order 2's sides beside the point, not that order 2 has no value)
    run, result = _partial(cli, "cbrt(x**3)*(y - 1)*sqrt(y - 1)", "x=0,y=1", "xyy")
    assert run.code == 1
    assert result["differentiable"] is False
    assert "the derivative of order 2 has no value there" in result["note"]


# ---------------------------------------------------------------- _off: the second crosser's factor


@pytest.mark.parametrize(
    ("x0", "y0"),
    [
        # x0 = (2**31 + 1)/2, y0 = 2**31: kept by a factor 1/2*(1 + 2**-31). Kills
        # analysis.py:dae99327:25:num_dec:0 (OFF_FACTOR_NUDGE = 2.0**-31)
        ("1073741824.5", "2147483648"),
        # x0 = (2**33 + 1)/2, y0 = 2**33: kept by 1/2*(1 + 2**-33), and by factors
        # 2 and 2 + 2**-32 (x moved by 2*2**-e*x0, y by (1 + 2**-33)*2**-e*y0).
        # Kills analysis.py:dae99327:25:num_inc:0 (2.0**-33) and
        # analysis.py:b5c9c4f8:54:num_inc:0 (``(2 + index*OFF_FACTOR_NUDGE)``)
        ("4294967296.5", "8589934592"),
        # x0 = 2**33 + 2, y0 = 2**32: kept by y's step 2**-(e - 1)*(1 + 2**-32)
        # (``exponent - index``). Kills analysis.py:b5c9c4f8:42:arith_add_sub:0
        ("8589934594", "4294967296"),
        # x0 = 2**31, y0 = 2**32 + 1: kept by y's step 2**-(e + 1)/(1 + 2**-32),
        # (2**32 + 1)/(1 + 2**-32) = 2**32 exactly. Kills
        # analysis.py:b5c9c4f8:51:arith_mul_div:0 (``_step(...) / (1 + ...)``)
        ("2147483648", "4294967297"),
        # x0 = (2**32 - 1)/2, y0 = 2**32: kept by 1/2*(1 - 2**-32), on either
        # side. Kills analysis.py:b5c9c4f8:56:arith_add_sub:0 (``1 - index*...``)
        # and analysis.py:b5c9c4f8:54:num_neg:0 (``-1 + index*...``: both moved
        # the other way, by -2**-e*x0 and -1/2*(1 - 2**-32)*2**-e*y0)
        ("2147483647.5", "4294967296"),
        # x0 = (2**32 + 1)/2, y0 = 1: kept by 1/2*(1 + 2**32). Kills
        # analysis.py:b5c9c4f8:64:arith_mul_div:0 (``index / OFF_FACTOR_NUDGE``)
        # and analysis.py:dae99327:24:neg_drop:0 (OFF_FACTOR_NUDGE = 2.0**32)
        ("2147483648.5", "1"),
        # x0 = 0.2**-32/2 (a float, exactly this whole number), y0 = 1: kept by
        # 1/2*(1 + 0.2**-32), which float64 rounds to 1/2*0.2**-32. Kills
        # analysis.py:dae99327:19:num_div10:0 (OFF_FACTOR_NUDGE = 0.2**-32)
        ("11641532182693461098496", "1"),
    ],
)
def test_a_line_kept_only_by_another_factor_than_1_2_times_1_plus_2_to_the_minus_32(
    cli: Cli, x0: str, y0: str
) -> None:
    # f = max(u, v)*min(u, v)*z, u = x - x0, v = y - y0, at (x0, y0, 0), every
    # x0, y0 a float exactly. By hand: max(u, v)*min(u, v) = u*v, so f = u*v*z
    # and d3f/dxdydz = 1 everywhere; on the line u = v through the point the
    # closed form reads heaviside(0) = 1/2 twice: 0.5 (autograd too). The sides
    # along z are read off that line, x moved by 2**-e of x0 and y by
    # 1/2*(1 + 2**-32) of 2**-e of y0 (steps relative to each coordinate): u =
    # x0*2**-e, v = y0*(1 + 2**-32)*2**-(e + 1), off the line u = v for each
    # pair below (e.g. (2**31 + 1)*2**-(e + 1) against (2**31 + 1/2)*2**-(e +
    # 1) for the first). Each pair is chosen so that a mutated factor moves x
    # and y by the same amount: the sides read on the line, 0.5, "agree"
    assert Fraction(float(x0)) == Fraction(x0) and Fraction(float(y0)) == Fraction(y0)
    u, v = f"x - {x0}", f"y - {y0}"
    text = f"max({u}, {v})*min({u}, {v})*z"
    run, result = _partial(cli, text, f"x={x0},y={y0},z=0", "xyz")
    assert run.code in (0, 1), run.err
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0


# ---------------------------------------------------------------- examine: a mixed tiny corner


def test_a_tiny_corner_of_a_mixed_order_2_whose_sides_come_from_f(cli: Cli) -> None:
    # f = sinc(x)*y + x*y + 2**-200*x*abs(y - 1) at (0, 1), d2/dxdy. By hand:
    # sinc is even, so sinc'(0) = 0 and df/dx at x = 0 is y + 2**-200*abs(y -
    # 1), whose slopes along y at y = 1 are 1 - 2**-200 and 1 + 2**-200: no
    # d2/dxdy there. The closed form of d/dx is 0/0 all along x = 0 (sinc's
    # derivative (cos(pi*x) - sinc(x))/x), so both sides come from f's mixed
    # differences (along x, then y), which meet to 2**-100; the gap between
    # them, 2**-199 at every step, is the corner. Kills
    # analysis.py:4cbc1d2d:55:num_inc:0 (the gaps taken from f's second
    # differences along y, ``wrt[1]``: 0 at x = 0, no corner, "differentiable",
    # 1) and analysis.py:ead5ae9f:40:true_false:0 (_mixed_difference's sides as
    # float64 limits, 1.0 and 1.0: the exact sides' gap never looked at)
    run, result = _partial(cli, "sinc(x)*y + x*y + 2**-200*x*abs(y - 1)", "x=0,y=1", "xy")
    assert run.code == 1
    assert result["differentiable"] is False
    assert mpmath.nstr(mpmath.mpf(2) ** -199, 10) in result["note"]  # 1.244603056e-60


def test_a_tiny_corner_whose_right_side_comes_from_f(cli: Cli) -> None:
    # f = y**2 + 2**-200*relu(-y)*y (relu(-y) as the cube root of its cube) at
    # 0, d2/dy2. By hand: relu(-y)*y is -y**2 left of 0 and 0 right of it, so f
    # is (1 - 2**-200)*y**2 left and y**2 right: f'' is 2 - 2**-199 and 2, a
    # corner of 1.24e-60, below the sides' 2**-100. f''s closed form is 0/0
    # right of 0 (the cube root of relu(-y)**3 = 0), so the right side comes
    # from f's own quotients, and so must the gap (the mirror of
    # test_tiny_jump_by_differences_35's left-hand case). Kills
    # analysis.py:9564aca2:37:cmp_is_isnot:0 (``exact_left is None or
    # exact_right is not None``: no gaps from f's quotients where only the right
    # side is missing, the lower closed form's gap not taken there: "the
    # derivative exists", 2)
    run, result = _partial(cli, "y**2 + 2**-200*(relu(-y)**3)**(1/3)*y", "y=0", "yy")
    assert run.code == 1
    assert result["differentiable"] is False
    assert mpmath.nstr(mpmath.mpf(2) ** -199, 10) in result["note"]  # 1.244603056e-60


def test_the_gap_off_a_kink_line_is_read_on_the_side_the_sides_were(cli: Cli) -> None:
    # f = abs(x)*sign(x)*y + x*y**2 + 2**-200*abs(y)*relu(-x)**(1 + 2**-20) at
    # (0, 0), d2/dxdy. By hand: abs(x)*sign(x) = x, and the last term T has
    # dT/dx = -(1 + 2**-20)*2**-200*abs(y)*relu(-x)**(2**-20), 0 at x = 0 (and
    # for x > 0): df/dx at x = 0 is y + y**2 for every y, so d2f/dxdy there is
    # 1, the derivative exists. d/dx's closed form is sign(x)**2*y + ..., 0 all
    # along x = 0 (a convention), so the sides and their gap are read off the
    # line, at x = +2**-8192. Left of the line dT/dx is still about -2**-200*
    # abs(y) there (relu(-x)**(2**-20) = 2**-(8192/2**20) = 0.995 at x =
    # -2**-8192): a corner along y that exists only left of x = 0, never on it.
    # Kills analysis.py:d3b957a8:34:num_neg:0 (the gap read at x = -2**-8192:
    # "kink ... left derivative 1, right 1 (the two differ by 3.3e-308)", not
    # differentiable)
    text = "abs(x)*sign(x)*y + x*y**2 + 2**-200*abs(y)*relu(-x)**(1 + 2**-20)"
    with mpmath.workdps(30):
        assert abs(mpmath.mpf(2) ** (-mpmath.mpf(8192) / 2**20) - mpmath.mpf("0.99460")) < 1e-4
    run, result = _partial(cli, text, "x=0,y=0", "xy")
    assert run.code in (0, 1), run.err
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0
