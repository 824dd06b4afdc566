"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 32, helper an): the cost of a huge closed form (_size), a kink line checked
at 2**-32 and 2**-64 (_zero_along), a gap of quotients exactly 0 at the finer
steps (_gap_shrinks), f's domain checked at 2**-64 and 2**-1024
(_defined_beside), f's own mixed differences kept exact (_mixed_difference)
and the one more step of a sequence shrinking ever more slowly (_settle).

Each test pins a fact worked out by hand, never derivcli's own output recorded
as the expectation, and names the mutant it kills (``.venv/bin/python
tools/mutate.py --show ID`` prints one). The inputs are built so that one
reading of the analysis falls exactly where the mutant moves it; the comments
say how.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Cli, CliRun, one, screen_grid


def _json(cli: Cli, *args: str) -> CliRun:
    return cli(*args, "--timeout", "60", "-f", "json")


def _mixed(cli: Cli, expression: str, at: str) -> dict[str, Any]:
    """d2f/dydx (x first, then y) at a point: the one result."""
    return one(_json(cli, "partial", expression, "--wrt", "x", "--wrt", "y", "--at", at))


# ---------------------------------------------------------------- _size


def test_a_huge_closed_form_sends_a_grid_of_9_points_to_the_screen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A closed form past READABLE_OPS operations (a HugeForm: no program) counts
    # as 10**9 instruction-evaluations a point, so 9 points (more than the 8
    # always exact) are far past EXACT_WORK = 200,000 and the grid goes through
    # the float64 screen (which sends every point of a huge form to the exact
    # evaluation, so its values are still exact). With READABLE_OPS at 0, d/dx
    # of x**2 + 1 - 1, 2*x (one operation), is such a form; f costs a handful
    # of instructions: 9*(5 + 40) = 405 would be exact everywhere. The
    # derivative at x = k*1e-17 is 2*x (by hand), exact in float64 (doubling).
    # Kills analysis.py:c13141b3:54:num_neg:0 (10**(-9): the huge form counted
    # as free, the grid exact everywhere, no screen)
    from derivcli.symbolic import analysis, calculus

    monkeypatch.setattr(calculus, "READABLE_OPS", 0)
    monkeypatch.setattr(analysis, "_PREPARED", {})
    screens: list[int] = []

    class Spy(analysis._Screen):
        def __init__(self, prepared: Any, points: Any, deadline: float, **options: Any) -> None:
            screens.append(points.count)
            super().__init__(prepared, points, deadline, **options)

    monkeypatch.setattr(analysis, "_Screen", Spy)
    points, response = screen_grid("x**2 + 1 - 1", (0.0, 8e-17, 9))
    xs = [float(v) for v in points.columns["x"]]
    assert screens == [9]
    assert response.derivatives[0].values == [2 * x for x in xs]
    assert response.approximate == 0  # every value of the huge form exact


# ---------------------------------------------------------------- _zero_along


def test_a_kink_line_zero_at_2_to_the_minus_32_but_not_2_to_the_minus_33(cli: Cli) -> None:
    # u = x + r(y), r(y) = relu(abs(y) - 2**-40)*relu(1.5*2**-33 - abs(y)): r is
    # 0 for |y| <= 2**-40 (a line of zeros of u along y through (0, 0)), and at
    # |y| = 2**-32 (1.5*2**-33 - 2**-32 = -2**-34 < 0), but not at 2**-33
    # (2**-33 - 2**-40 > 0 and 1.5*2**-33 - 2**-33 > 0). abs(u)*sign(u) = u, so
    # f = u*y, df/dx = y and d2f/dxdy = 1 at (0, 0) (by hand), though the closed
    # form of df/dx, sign(u)**2*y, is 0 on the line. Kills
    # analysis.py:a9f4a184:17:num_inc:0 (the argument looked at 2**-33, where it
    # is not 0: no kink line, the line's 0 read as df/dx, slope 0)
    u = "(x + relu(abs(y) - 2**-40)*relu(1.5*2**-33 - abs(y)))"
    result = _mixed(cli, f"abs({u})*sign({u})*y", "x=0,y=0")
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (1.0, 1.0, 1.0)


# ---------------------------------------------------------------- _gap_shrinks


def test_a_gap_that_drops_to_exactly_0_is_one_limit(cli: Cli) -> None:
    # f = x + 2**-110*relu(abs(x) - 2**-1500) is x for |x| <= 2**-1500, so
    # f'(0) = 1 (by hand). abs sits on its kink at 0, so the sides are taken:
    # at 2**-1024 the quotients are 1 +- 2**-110*(1 - 2**-476)-ish, apart by
    # about 2**-109 (sides that meet to 2**-100 but not exactly), and at 2**-2048
    # and 2**-4096 both are exactly 1 (relu is 0 there): the gaps are
    # [~2**-109, 0, 0], a gap that shrank to nothing: one limit. Kills
    # analysis.py:fd2e3d56:30:num_dec:0 (gaps[0] != 0 asked instead of
    # gaps[-1]: the last gap 0 checked with finer quotients, where it is 0
    # again, "the same", taken for a corner: not differentiable)
    result = one(_json(cli, "grad", "x + 2**-110*relu(abs(x) - 2**-1500)", "--at", "x=0"))
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (1.0, 1.0, 1.0)
    assert result["verdict"] == "agree"


# ---------------------------------------------------------------- _defined_beside


def test_f_undefined_at_2_to_the_minus_63_is_still_defined_beside_the_point(cli: Cli) -> None:
    # g(t) = sqrt((t**2 - 1)**2 - 1/4) has a value for t**2 <= 1/2 or
    # t**2 >= 3/2, none in between (t = 1: -1/4 under the root). f =
    # g(x*2**1023) + g(x*2**63) + abs(x) at 0: the first g has no value at
    # |x| = 2**-1023 (a point the one-sided quotients at 2**-1024 use), the
    # second none at |x| = 2**-63; at 2**-64 (t = 2**959, then 1/2) and at
    # 2**-1024 (t = 1/2, then 2**-961) both have one, as they have for
    # |x| < 2**-1023/sqrt(2).
    # So f is defined beside the point, and near it (|x| < 2**-1023/sqrt(2))
    # each g is sqrt(3)/2 + O(t**2) with t**2 = x**2*2**2046 or x**2*2**126,
    # whose slope 2**2046*O(x) -> 0: f'(0-) = -1, f'(0+) = 1, a corner of
    # abs(x). Not "nowhere beside it"; and since stop 37 not "cannot decide"
    # either: a quotient missing at 2**-1024 is taken at 2**-1025, where f
    # has its values (tests/test_edges_nearer_than_probes_37.py). Kills
    # analysis.py:21c5909f:10:num_dec:0 (f looked at 2**-63, undefined: "f is
    # defined at this point but nowhere beside it", not differentiable)
    hole = "sqrt(((x*2**{})**2 - 1)**2 - 0.25)"
    text = f"{hole.format(1023)} + {hole.format(63)} + abs(x)"
    run = _json(cli, "grad", text, "--at", "x=0")
    result = one(run)
    assert run.code == 1
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == (-1.0, 1.0)
    assert "nowhere beside" not in result["note"]


# ---------------------------------------------------------------- _mixed_difference


def test_mixed_sides_from_f_s_differences_apart_below_float64(cli: Cli) -> None:
    # f = sinc(x)*y + x*(y + 1e-17*abs(y - 1)): df/dx = y*sinc'(x) + y +
    # 1e-17*abs(y - 1), on x = 0 (sinc'(0) = 0) y + 1e-17*abs(y - 1), whose sides
    # along y at 1 are 1 - 1e-17 and 1 + 1e-17 (by hand): no d2f/dxdy there. The
    # closed form of df/dx is 0/0 along x = 0, so the sides come from f's own
    # mixed differences; 2e-17 apart is 2**-55.5 relative, past the 60 bits of
    # "the same" but below float64's resolution at 1 (both round to 1.0). Kills
    # analysis.py:ead5ae9f:40:true_false:0 (the differences' limit as a float:
    # 1.0 and 1.0 meet, "differentiable, 1")
    result = _mixed(cli, "sinc(x)*y + x*(y + 1e-17*abs(y - 1))", "x=0,y=1")
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert (result["left"], result["right"]) == (1.0, 1.0)
    assert "the two differ by 2e-17" in result["note"]


# ---------------------------------------------------------------- _settle


def test_a_side_shrinking_ever_more_slowly_is_followed_one_step_further(cli: Cli) -> None:
    # f = relu(x)*q(x), q(x) = 1/log2(-log2(abs(x) + e**-10000))**100: for
    # 0 < x = 2**-k (k <= 8192, far above e**-10000 = 2**-14427) q is about
    # 1/log2(k)**100, which tends to 0 as x -> 0, so f'(0+) = lim q = 0, and
    # f'(0-) = 0 (relu): f'(0) = 0 (by hand). The right quotients at 2**-1024,
    # 2**-2048 and 2**-4096 are about 10**-100, 11**-100 and 12**-100: each
    # more than 256 times smaller, but less so at the last step ((11/10)**100 =
    # 1.4e4, then (12/11)**100 = 6.0e3): one more step, at 2**-8192 (13**-100,
    # 3.0e3 times smaller again), shows them still shrinking: 0. Kills
    # analysis.py:07d48d99:12:num_dec:1 (the "one more step" at 2**-4096 again:
    # the repeated value settles on 12**-100 = 1.2e-108, a right derivative
    # that is not 0: a kink)
    text = "relu(x)/log2(-log2(abs(x) + exp(-10000)))**100"
    result = one(_json(cli, "grad", text, "--at", "x=0"))
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (0.0, 0.0, 0.0)
