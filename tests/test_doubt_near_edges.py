"""A failure is in doubt only near an edge of the failing function, not near any whole number.

Fuzz seeds 74 and 75 (stop 31). `grad "log2(tanhshrink(x))" --at x=-387000
--order 2` said it cannot judge (exit 3): tanh(-387000) rounds to -1 at every
precision, so x - tanh(x) came out as the whole number -386999, and a failure
whose argument was within rounding of any whole number was taken for one that
rounding may have caused. log's only domain end is 0: -386999 - 2e-336000 (by
hand) is surely outside, and f is undefined there (exit 1). Only the gamma
functions fail at every whole number below 1; every other function's edges are
-1, 0 or 1. `grad "z**cos(pi)" --at z=0` likewise: cos(pi) is -1 up to pi's
rounding, and 0 to any power below 0 is a pole whichever way it rounds.

Also here: a function on an end of its domain whose argument does not move
(asec(1)) is no edge of f: it is the same on both sides of every point.
"""

from __future__ import annotations

import pytest
from conftest import Cli, one

from derivcli.language.evaluate import compile_tree, exact_value
from derivcli.language.parser import parse


@pytest.mark.parametrize("expression", ["log2(tanhshrink(x))", "ceil(log2(tanhshrink(x)))"])
def test_log_of_a_whole_number_far_below_0_is_undefined(cli: Cli, expression: str) -> None:
    run = cli(
        "grad", expression, "--at", "x=-387000", "--order", "2", "--timeout", "60", "-f", "json"
    )
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert "the function is undefined at x=-387000" in result["note"]


def test_zero_to_a_power_near_minus_one_is_a_pole(cli: Cli) -> None:
    run = cli("grad", "z**cos(pi)", "--at", "z=0", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert "has a pole" in result["note"]


def test_gamma_at_a_rounded_whole_number_is_still_in_doubt() -> None:
    # x - tanh(x) at -387000 is -386999 - 2e-336000 (by hand): no pole of gamma,
    # but within rounding of one at every precision: left to rounding, not a pole
    outcome = exact_value(compile_tree(parse("gamma(x - tanh(x))").tree), {"x": -387000.0})
    assert outcome.value is None
    assert outcome.undefined is not None and outcome.undefined.kind == "cancelled"


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        # x - tanh(x) + 29 at -30 is -1.7e-26 (tanh(-30) = -1 + 1.7e-26): below 0,
        # as 256 bits already show
        ("sqrt(x - tanh(x) + 29)", "domain"),
        # x - tanh(x) + 27 at -30 is about -2: outside acos's [-1, 1] by 1
        ("acos(x - tanh(x) + 27)", "domain"),
    ],
)
def test_a_failure_away_from_the_edges_is_settled(expression: str, kind: str) -> None:
    outcome = exact_value(compile_tree(parse(expression).tree), {"x": -30.0})
    assert outcome.undefined is not None and outcome.undefined.kind == kind
    assert not outcome.doubtful


# ---------------------------------------------------------------- a constant on an edge


@pytest.mark.parametrize(
    ("expression", "point", "edge"),
    [
        # asec(1) is 0 (by hand) at every x: its argument does not move, so it is
        # no domain end of f (fuzz seed 75: every point of a 20,001-point grid of
        # asec(1) + 0.5*x was examined as one, and the time budget ran out)
        ("asec(1) + 0.5*x", {"x": 0.25}, False),
        ("sqrt(0) + x", {"x": 0.25}, False),
        # asec(x) at 1 is an end of asec's domain, |x| >= 1: defined only right of it
        ("asec(x) + 0.5*x", {"x": 1.0}, True),
    ],
)
def test_a_constant_argument_on_a_domain_end_is_no_edge(
    expression: str, point: dict[str, float], edge: bool
) -> None:
    from derivcli.symbolic.analysis import _on_edge

    program = compile_tree(parse(expression).tree)
    assert _on_edge(program, exact_value(program, point)) is edge


def test_a_long_grid_past_a_constant_on_an_edge_agrees(cli: Cli) -> None:
    run = cli(
        "partial",
        "asec(1) + 0.5*x",
        "--at",
        "x=-1:1:2001",
        "--wrt",
        "x",
        "--timeout",
        "60",
        "-f",
        "json",
    )
    assert run.code == 0, run.err
    results = run.json()["results"]
    assert len(results) == 2001
    assert {r["verdict"] for r in results} == {"agree"}
    assert {r["symbolic"] for r in results} == {0.5}
