"""More cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(/tmp/a30_left.txt; located by their code text). See test_analysis_mutants_25.py.

Each expectation is worked out by hand in the comment above it, never copied
from derivcli's own output; each test names the mutant it kills.

Several cases use the kink-line template of _off_line's docstring: in
abs(x)*sign(x)*y + (1 - sign(x)**2)*x*h(y) the first term is x*y and the second
is 0 everywhere (x = 0 or 1 - sign(x)**2 = 0), so f is x*y and d2f/dxdy is 1
at (0, 0); but the closed form of df/dx is sign(x)**2*y + (1 - sign(x)**2)*h(y),
which is h(y) on the line x = 0 (sign(0) = 0) and y beside it. A wrong branch
of _off_line reads h's slope on the line instead of 1.
"""

from __future__ import annotations

from conftest import Cli, CliRun, one


def _mixed(cli: Cli, expression: str, at: str = "x=0,y=0") -> CliRun:
    """d2f/dydx (x first, then y) at a point, as json."""
    return cli(
        "partial", expression, "--wrt", "x", "--wrt", "y", "--at", at, "-f", "json",
        "--timeout", "60",
    )  # fmt: skip


def _is_x_times_y_at_origin(run: CliRun) -> None:
    """d2f/dxdy of a function equal to x*y near (0, 0): 1, and it exists."""
    result = one(run)
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0 and result["left"] == 1.0 and result["right"] == 1.0


# ---------------------------------------------------------------- _off_line


def test_the_line_is_left_where_it_differs_at_2_to_the_minus_20_only(cli: Cli) -> None:
    # h(y) = y + y*heaviside(2**-200 - abs(y)) + 1 - sign(y - 2**-20)**2 is y at
    # y = 2**-64 and 2**-19, but y + 1 at 2**-20; near 0 (|y| < 2**-200) it is
    # 2y, so the closed form on the line has slope 2 there. f is x*y (see the
    # module docstring): d2f/dxdy is 1. Kills analysis.py:285cac84:18:num_dec:0
    # (the line checked at 2**-19, where it agrees: its slope 2 read as the
    # derivative)
    expression = (
        "abs(x)*sign(x)*y + (1 - sign(x)**2)*x*"
        "(y + y*heaviside(2**-200 - abs(y)) + 1 - sign(y - 2**-20)**2)"
    )
    _is_x_times_y_at_origin(_mixed(cli, expression))


def test_the_line_is_left_where_it_differs_by_a_term_a_rounded_sum_loses(cli: Cli) -> None:
    # h(y) = 2**106*(s2 + 2**-300*heaviside(y - 2**-100)
    #                + 2**-106*y*heaviside(2**-200 - abs(y)) + 2**-106*y - s4),
    # s2 = sign(y)**2 and s4 = sign(y)**4 both exactly 1 for y != 0. At y = 2**-64:
    # h = y + 2**-194 exactly, 2**-130 relative from y (the line differs from
    # beside it, where the closed form is y); but a 256-bit sum of 1, 2**-170
    # and 2**-300 loses the last (a 2**170 cancellation, not enough for a
    # second try), so rounded h is y there and at 2**-20. Near 0, h = 2y: slope
    # 2 on the line. f is x*y: d2f/dxdy is 1. Kills
    # analysis.py:7000b1b7:43:true_false:0 (the line's value read without exact
    # sums: taken for the derivative, slope 2)
    expression = (
        "abs(x)*sign(x)*y + (1 - sign(x)**2)*x*(sign(y)**2 + 2**-300*heaviside(y - 2**-100)"
        " + 2**-106*y*heaviside(2**-200 - abs(y)) + 2**-106*y - sign(y)**4)*2**106"
    )
    _is_x_times_y_at_origin(_mixed(cli, expression))


def test_the_line_is_left_where_it_differs_from_its_left_side_only(cli: Cli) -> None:
    # f = x*y + x*y*(1 - sign(x + 2**-200)**2) (written with the module
    # docstring's template, h(y) = y + y*heaviside(2**-200 - abs(y)), slope 2 near
    # 0): the extra term is nonzero only at x = -2**-200, so f is x*y for
    # |x| < 2**-200 and d2f/dxdy at (0, 0) is 1. Its closed form df/dx is
    # y on the line x = 0 (y > 2**-200) and at x = +2**-200, but 2y at
    # x = -2**-200. Kills analysis.py:fdc7e9c9:18:num_inc:0 (the left side looked
    # at x = -2**-199, where it is y: the line's slope 2 read as the derivative)
    expression = (
        "abs(x)*sign(x)*y + (1 - sign(x)**2)*x*(y + y*heaviside(2**-200 - abs(y)))"
        " + x*y*(1 - sign(x + 2**-200)**2)"
    )
    _is_x_times_y_at_origin(_mixed(cli, expression))


# ---------------------------------------------------------------- _zero_along


def test_a_kink_argument_zero_near_the_point_only_is_a_kink_line(cli: Cli) -> None:
    # u = x + relu(abs(y) - 1) is 0 on x = 0 for |y| <= 1 (not at y = 2**32),
    # and abs(u)*sign(u)*y = u*y is x*y there: d2f/dxdy at (0, 0) is 1, though
    # the closed form of df/dx, sign(u)**2*y, is 0 on that line. Kills
    # analysis.py:a9f4a184:17:num_neg:0 (the argument looked at 2**32 away,
    # where it is not 0: no kink line, the line's 0 read as df/dx, slope 0)
    _is_x_times_y_at_origin(_mixed(cli, "abs(x + relu(abs(y) - 1))*sign(x + relu(abs(y) - 1))*y"))


# ---------------------------------------------------------------- _settled_off


def test_readings_off_the_line_that_move_slowly_are_not_zero(cli: Cli) -> None:
    # g(x) = 1/(log(abs(x) + 1 - sign(x)**2) - 1 + sign(x)**2) is 1/log|x| for
    # x != 0 (and -1 at 0); q(y) = 1 - 2**128*y**2 is 0 at y = +-2**-64.
    # f = x*y + x*g(x)*y*q(y) + (1 - sign(x)**2)*x*y*q(y) is 0 at x = 0, and
    # f(x, y)/x = y + g(x)*y*q(y) -> y as x -> 0 (g -> 0): df/dx(0, y) = y, so
    # d2f/dxdy(0, 0) = 1. The closed form df/dx is y on the line x = 0 (the
    # third term's (1 - sign(x)**2)*y*q(y) makes up for g(0) = -1), but off it
    # d/dy of it at (d, 0) is 1 + g(d) - g(d)**2: 1 - 1/5678 at d = 2**-8192,
    # 1 - 1/11357 at 2**-16384. Readings neither the same nor shrinking, so the
    # line's own slope, 1, is read. Kills analysis.py:88689a65:51:neg_drop:0
    # (a reading that shrank by 2**+100 or less taken for 0: derivative 0)
    expression = (
        "x*y + x*y*(1 - 2**128*y**2)/(log(abs(x) + 1 - sign(x)**2) - 1 + sign(x)**2)"
        " + (1 - sign(x)**2)*x*y*(1 - 2**128*y**2)"
    )
    _is_x_times_y_at_origin(_mixed(cli, expression))


# ---------------------------------------------------------------- _gap_stays_finer


def test_a_gap_finer_quotients_see_on_the_same_step_is_a_corner(cli: Cli) -> None:
    # f = x + c*relu(x)*w(x), c = 2**-620, w(x) = cos(pi/2*log2(x)) for x > 0:
    # w(2**-k) is 1, 0, -1, 0 for k = 0, 1, 2, 3 mod 4. Right of 0 the quotient
    # (f(2h) - f(h))/h at h = 2**-k, k = 0 mod 4 (every step probed: 256 ...
    # 4096), is 1 + c*(2*w(2h) - w(h)) = 1 - c; left of 0 it is 1. A gap of
    # 2**-620 that stays, below the 640-guard-bit rounding (2**-608): checked
    # with 1,280 guard bits at 2**-4096, the same. f(h)/h = 1 + c*w(h) has no
    # limit (1 + c at h = 2**-4k, 1 - c at 2**-(4k+2)): no derivative at 0.
    # Kills analysis.py:381ef0ae:92:num_inc:0 (the right side's finer quotient
    # at 2**-4095, where it is 1 - 2c: taken for rounding, derivative 1)
    run = cli(
        "grad",
        "x + 2**-620*relu(x)*cos(pi/2*log2(abs(x) + 1 - sign(x)**2))",
        "--at",
        "x=0",
        "-f",
        "json",
    )
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert "the two differ by 2.29827868e-187" in result["note"]  # 2**-620
