"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(/tmp/a30_survivors.txt, ids from commit 1328141; located by their code text).

Each test pins a fact worked out by hand (never derivcli's own output recorded
as the expectation) and names the mutant it kills.
"""

from __future__ import annotations

import math

import pytest
from conftest import Cli, CliRun, one

from derivcli.language.evaluate import compile_tree, exact_value, gmpy2
from derivcli.language.parser import parse


def _mixed(cli: Cli, expression: str, at: str) -> CliRun:
    """d2f/dydx (x first, then y) at a point, as json."""
    return cli("partial", expression, "--wrt", "x", "--wrt", "y", "--at", at, "-f", "json")


# ---------------------------------------------------------------- _crossed, _zero_along


def test_a_second_derivative_corner_below_2_to_the_100_is_found_by_the_gap(cli: Cli) -> None:
    # f = x**2 + c*x*abs(x), c = 1.5e-31: f' = 2x + 2c*abs(x), so f'' is 2 - 2c
    # left of 0 and 2 + 2c right of it: sides 4c = 6e-31 apart (2**-101.7
    # relative, below the limits' tolerance), a corner of f' all the same, which
    # only the gap test sees. Kills analysis.py:cf6a3b18:21:bool_and_or:0 (every
    # kink of f along x taken for a kink line the order below is read off, so
    # the gap test was skipped)
    run = cli("grad", "x**2 + 1.5e-31*abs(x)*x", "-n", "2", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert "the two differ by 6e-31" in result["note"]


def test_a_kink_argument_zero_on_one_side_only_is_no_kink_line(cli: Cli) -> None:
    # abs(relu(x))**3 is relu(x)**3, whose second derivative 6*relu(x) is 0 on
    # both sides of 0; so f'' is still 2 -+ 2c as above (c = 1.5e-31): a corner.
    # abs's argument relu(x) is 0 at x = 0 and left of it, not right of it: no
    # kink line along x. Kills analysis.py:40640aaa:18:num_neg:0 (_zero_along
    # looking at the left side twice: a kink line, and no gap test)
    expression = "x**2 + 1.5e-31*abs(x)*x + abs(relu(x))**3"
    run = cli("grad", expression, "-n", "2", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert "the two differ by 6e-31" in result["note"]


# ---------------------------------------------------------------- _flat_around


def test_f_equal_at_the_box_corners_but_not_on_its_axes_is_not_flat(cli: Cli) -> None:
    # f = cbrt(x**2 - y**2) is 0 at (0, 0) and at the four corners (+-h, +-h),
    # but f(x, 0) = abs(x)**(2/3): df/dx is infinite at (0, 0), so d2f/dxdy has
    # no value there (and d/dx's closed form is 0/0 there). Kills
    # analysis.py:67d410e7:36:num_inc:0 (the box's points on its axes skipped:
    # f taken for flat, every derivative 0)
    run = _mixed(cli, "cbrt(x**2 - y**2)", "x=0,y=0")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert result["symbolic"] == "nan"
    assert "the derivative of order 1 has no value there" in result["note"]


# ---------------------------------------------------------------- _continuous_at


def test_slopes_on_a_line_where_f_has_no_value_are_no_derivative(cli: Cli) -> None:
    # f = x**2*(x**2)**(-y**2) is 0*0**0 = 0 at (0, 0), but 0*0**(-y**2), 0*inf,
    # undefined, at (0, y) for every y != 0: there f has no derivative along x,
    # though |x|**(2 - 2y**2) beside it has slopes tending to 0 on both sides.
    # So df/dx does not exist beside (0, 0) along y, and neither does d2f/dydx.
    # Kills analysis.py:6c028299:7:false_true:0 (a point without a value taken
    # for continuous: f's derivative along x said to exist there)
    run = _mixed(cli, "x**2*(x**2)**(-y**2)", "x=0,y=0")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert "f's derivative along x does not exist beside the point along y" in result["note"]


# ---------------------------------------------------------------- _lower_missing_beside


def test_the_line_beside_a_point_past_2_to_the_53_is_read_close_to_it(cli: Cli) -> None:
    # f = relu(x)*relu(y - 2**60 - 2**56) is 0 wherever y < 2**60 + 2**56, a
    # neighbourhood of (0, 2**60): every derivative is 0 there, d2f/dxdy
    # included. Kills analysis.py:22ddf72f:59:arith_add_sub:0 (the line checked
    # for df/dx at 2**(-64 + 61) relative, i.e. y = 2**60 +- 2**57, past the
    # kink of relu(y - 2**60 - 2**56), where df/dx has a corner along x)
    run = cli(
        "partial",
        "relu(x)*relu(y - 2**60 - 2**56)",
        "--wrt",
        "x",
        "--wrt",
        "y",
        "--at",
        f"x=0,y={2**60}",
        "-f",
        "json",
    )
    result = one(run)
    assert run.code == 0 and result["differentiable"] is True
    assert result["symbolic"] == 0.0 and result["left"] == 0.0 and result["right"] == 0.0


# ---------------------------------------------------------------- _sides_apart


def test_sides_exactly_1_apart_beside_slopes_of_2_to_the_110_are_apart(cli: Cli) -> None:
    # f = (2**110*x + abs(x)/2)*y: df/dx = (2**110 + sign(x)/2)*y for x != 0, so
    # on the line x = 0 (y != 0) its sides are 2**110*y -+ y/2: df/dx does not
    # exist at (0, 1 +- t), and d2f/dydx at (0, 1) has no one-sided derivatives
    # along y either (left and right are null). The quotients' gap is exactly
    # 1 at every step. Kills analysis.py:d2830bbc:11:num_inc:0 (a gap of exactly
    # 1 taken for none)
    run = _mixed(cli, "(2**110*x + 0.5*abs(x))*y", "x=0,y=1")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert result["left"] is None and result["right"] is None


def test_a_gap_just_above_the_640_bit_rounding_is_apart(cli: Cli) -> None:
    # f = (x + c*abs(x))*y with c = 3*2**-610: df/dx = (1 + c*sign(x))*y, whose
    # sides on x = 0 are 2c*y = 1.5*2**-608*y apart (1.41e-183 at y = 1): a real
    # corner, so df/dx does not exist beside (0, 1) along y and d2f/dydx has no
    # one-sided derivatives there. The gap is between size*2**(32 - 640) and
    # twice that. Kills analysis.py:fe6d8447:44:num_inc:0 (threshold doubled)
    run = _mixed(cli, "(x + 3*2**-610*abs(x))*y", "x=0,y=1")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert result["left"] is None and result["right"] is None
    assert "it jumps by about 1.41" in result["note"]


# ---------------------------------------------------------------- _on_edge


@pytest.mark.parametrize("base", ["y - 0.5", "y - 2"])
def test_a_negative_base_above_minus_1_under_a_moving_exponent_is_an_edge(base: str) -> None:
    # (y - 0.5)**x at (x, y) = (2, 0) is (-0.5)**2 = 1/4, but (-0.5)**(2 + h)
    # has no real value for any h that makes the exponent not whole: the point
    # is isolated in f's domain along x, an edge, whatever the base's size
    # (-2 as well). Kills analysis.py:eb83ad4e:10:num_dec:0 (only bases below
    # -1 taken for edges)
    from derivcli.symbolic.analysis import _on_edge

    program = compile_tree(parse(f"({base})**x").tree)
    outcome = exact_value(program, {"x": 2.0, "y": 0.0})
    assert outcome.value == (0.25 if base == "y - 0.5" else 4.0)
    assert _on_edge(program, outcome) is True


# ---------------------------------------------------------------- _limit


def test_a_sequence_whose_last_step_moves_by_more_than_2_to_the_60_has_no_limit() -> None:
    # _limit reads the last value when the last two agree to 60 bits: 1 and
    # 1 + 3*2**-61 are 1.5*2**-60 apart (relative, about 1.5*2**-60 too), so
    # they do not; 1 and 1 + 2**-61 do. Neither shrinks nor grows: nan. Kills
    # analysis.py:79b032cc:57:num_inc:0 (agreement to 59 bits taken)
    from derivcli.symbolic.analysis import _limit

    m = gmpy2()
    with m.context(m.get_context(), precision=200):
        one = m.mpfr(1)
        moving = one + 3 * m.mul_2exp(one, -61)
        settled = one + m.mul_2exp(one, -61)
        unsettled = _limit([one, one, moving])
        assert unsettled is not None and math.isnan(unsettled)
        assert _limit([one, one, settled]) == 1.0
