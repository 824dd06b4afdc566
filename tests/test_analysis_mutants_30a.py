"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 30, part a).

Each test pins a fact worked out by hand, never derivcli's own output recorded
as the expectation, and names the mutant(s) it kills (``.venv/bin/python
tools/mutate.py --show ID`` prints one). The inputs are built so that one
reading of the analysis falls exactly where the mutant moves it; the
docstrings say how.
"""

from __future__ import annotations

from typing import Any

from conftest import Cli, CliRun, one, unit_slope_grid_note

from derivcli.language.evaluate import compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic import analysis


def _run(cli: Cli, command: str, text: str, *args: str) -> tuple[CliRun, dict[str, Any]]:
    run = cli(command, text, *args, "-f", "json", "--timeout", "60")
    return run, one(run)


# ---------------------------------------------------------------- _EXACT_COST


def _lgamma_grid_note(cli: Cli, count: int) -> Any:
    # d/dx of x + lgamma(y) is 1 everywhere (lgamma is finite and smooth on
    # y in [3, 4], far from its poles at 0, -1, ...; there it runs from log(2)
    # to log(6), so f = x + lgamma(y) >= log(2) on the grid, no sum cancelling
    # to 0 for the screen to send to the exact evaluation)
    return unit_slope_grid_note(cli, "x + lgamma(y)", f"x=0:1:{count},y=3:4:{count}", count)


def test_one_lgamma_costs_75_instruction_evaluations() -> None:
    """x + lgamma(y) compiles to 4 instructions (x, y, lgamma, +): 1 + 1 + 75 +
    1 = 78 instruction-evaluations a point, lgamma's 75 being _EXACT_COST's
    (0.15 ms a call, measured, at 2 us an instruction). Kills
    analysis.py:a7e6bb96:74:num_dec:0 (lgamma costs 74: 77)."""
    program = compile_tree(parse("x + lgamma(y)").tree)
    assert len(program.instructions) == 4
    assert analysis._cost(program) == 1 + 1 + 75 + 1


def test_a_grid_of_lgamma_just_past_the_exact_work_is_screened_in_float64(cli: Cli) -> None:
    """The grid is evaluated exactly everywhere while count*(cost +
    POINT_OVERHEAD) <= EXACT_WORK = 200,000; f = x + lgamma(y) costs 78 (see
    above) and its d/dx, 1, one instruction. At 1,700 points the work is
    1,700*(78 + 40) = 200,600 > 200,000 (by hand): the grid is screened in
    float64 and every value of d/dx (1, which float64 holds exactly) comes from
    the screen, which the note says. Kills analysis.py:a7e6bb96:74:num_dec:0
    (lgamma costs 74: 1,700*(77 + 40) = 198,900 <= 200,000, every point exact,
    no note)."""
    assert (analysis.EXACT_WORK, analysis.POINT_OVERHEAD) == (200_000, 40)
    assert _lgamma_grid_note(cli, 1_700) == (
        "1,700 closed-form values of this long grid were computed in float64 where that is "
        "accurate to 1e-10; the others exactly"
    )


def test_a_grid_of_lgamma_just_within_the_exact_work_is_evaluated_exactly(cli: Cli) -> None:
    """The same f on 1,690 points: 1,690*(78 + 40) = 199,420 <= 200,000 (by
    hand), so every point is evaluated exactly and nothing is screened: no
    note. (The other side of the boundary above.)"""
    assert _lgamma_grid_note(cli, 1_690) is None


# ---------------------------------------------------------------- examine: f flat, sides not taken

# g(x) = ((x*2**1023)**2 - 1)**2 - 1/4 is 3/4 at 0 and positive for
# |x*2**1023| < sqrt(1/2), but -1/4 at x = +-2**-1023: sqrt(g) has a value on a
# neighbourhood of 0 and at the steps 2**-64 and 2**-1024, but none at
# 2**-1023, a point the one-sided difference quotients at step 2**-1024 use.
HOLE = "sqrt(((x*2**1023)**2 - 1)**2 - 0.25)"


def test_f_flat_around_a_point_where_its_own_quotients_fail_has_derivative_0(cli: Cli) -> None:
    """f = hardswish(x - 10)*sqrt(x**2)*sqrt(g) at x = 0. hardswish(t) =
    t*relu6(t + 3)/6 is exactly 0 for t <= -3, so for |x| < 7 the first factor
    is 0, and where sqrt(g) has a value (|x| < 2**-1023*sqrt(1/2), see HOLE) f
    is 0: f is constant on a neighbourhood of 0, so f'(0) = 0 and both
    one-sided derivatives are 0 (by hand). The closed form of f' has
    x/sqrt(x**2), 0/0 at 0, so the point is examined; f's own quotients cannot
    be taken (f has no value at 2**-1023), and f being the same all around the
    point, the derivative is 0. (autograd: torch's sqrt'(0) = inf times 0 is
    nan, a disagreement derivcli rightly reports.) Kills
    analysis.py:81edaf9e:55:num_inc:1 (the derivative 1.0: "symbolic" 1, "both
    one-sided derivatives along x are 1") and analysis.py:81edaf9e:50:num_inc:1
    (the right side 1.0)."""
    run, result = _run(cli, "grad", f"hardswish(x - 10)*sqrt(x**2)*{HOLE}", "--at", "x=0")
    assert run.err == "", run.err
    assert result["differentiable"] is True, result["note"]
    assert (result["symbolic"], result["left"], result["right"]) == (0.0, 0.0, 0.0)
    assert "both one-sided derivatives along x are 0" in result["note"]
    assert result["autograd"] == "nan" and result["verdict"] == "DISAGREE"


def test_f_with_a_kink_where_its_own_quotients_fail_is_not_called_differentiable(
    cli: Cli,
) -> None:
    """f = sqrt(g) + abs(x) at x = 0. Near 0 (|x| < 2**-1023*sqrt(1/2), see
    HOLE) sqrt(g) is smooth with derivative g'(0)/(2*sqrt(g(0))) = 0 (g'(x) =
    2*((x*2**1023)**2 - 1)*2*x*2**2046 is 0 at 0), so f's one-sided derivatives
    are -1 and +1: f is not differentiable at 0 (by hand). The closed form,
    ... + sign(x), is 0 at 0, as is autograd's value: it takes the point as
    regular. f has no value at 2**-1023 beside the point, but has at the finer
    steps: until stop 37 derivcli said it cannot decide (exit 3); since stop 37
    it reads the sides where f has values, and gives the corner (exit 1). Never
    "agree"."""
    run, result = _run(cli, "grad", f"{HOLE} + abs(x)", "--at", "x=0")
    assert run.code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert (result["left"], result["right"]) == (-1.0, 1.0)
