"""A domain failure that rounding may still have made at 32,768 bits is left undecided.

sin(x)**2 + cos(x)**2 - 1 is 0 for every x (by hand), but beside a point it
comes out as rounding noise of either sign at every precision, so sqrt of it was
undefined at some probe steps and defined at others. derivcli then said
`grad "x + sqrt(sin(x)**2 + cos(x)**2 - 1)" --at x=0` was not differentiable
("f is defined at this point but nowhere beside it"), where f is x and the
derivative 1; `x*y + sqrt(sin(10*x)**2 + ...)` had no mixed derivative, and
with 8*x an assertion failed inside the analysis ("the symbolic engine failed:
AssertionError", exit 3). Found by a helper tracing a surviving mutant.

A pole or domain failure whose argument is still within rounding of the edge at
EDGE_PRECISION bits is now "cancelled": the point cannot be judged (exit 3,
the sum named), as for any value left to rounding. A failure that more bits
settle is unchanged: cos(x) - 1 at 1e-40 is -5e-81, so sqrt of it is undefined.
"""

from __future__ import annotations

import pytest
from conftest import Cli, one

from derivcli.language.evaluate import EDGE_PRECISION, compile_tree, exact_value
from derivcli.language.parser import parse
from derivcli.language.printer import to_text


def test_the_edge_precision_is_32768_bits() -> None:
    assert EDGE_PRECISION == 32768


@pytest.mark.parametrize("x", [0.5, 1.0, 2**-30, 3.0])
def test_sqrt_of_an_identically_zero_sum_is_left_to_rounding(x: float) -> None:
    outcome = exact_value(compile_tree(parse("sqrt(sin(x)**2 + cos(x)**2 - 1)").tree), {"x": x})
    if outcome.value is not None:
        # the noise came out >= 0 at some precision: then it is within rounding of 0
        assert outcome.is_zero(len(outcome.values) - 1)
        return
    assert outcome.undefined is not None
    assert outcome.undefined.kind == "cancelled"
    assert to_text(outcome.undefined.node) == "sin(x)**2 + cos(x)**2 - 1"


def test_a_failure_more_bits_settle_is_still_undefined() -> None:
    # cos(1e-40) - 1 = -5e-81 (by hand: -x**2/2), below 0 for sure
    outcome = exact_value(compile_tree(parse("sqrt(cos(x) - 1)").tree), {"x": 1e-40})
    assert outcome.undefined is not None and outcome.undefined.kind == "domain"


@pytest.mark.parametrize(
    ("command", "expression", "extra"),
    [
        ("grad", "x + sqrt(sin(x)**2 + cos(x)**2 - 1)", ["--at", "x=0"]),
        ("partial", "x*y + sqrt(sin(8*x)**2 + cos(8*x)**2 - 1)", ["--at", "x=0,y=1"]),
        ("partial", "x*y + sqrt(sin(10*x)**2 + cos(10*x)**2 - 1)", ["--at", "x=0,y=1"]),
    ],
)
def test_an_identically_zero_radicand_cannot_be_judged(
    cli: Cli, command: str, expression: str, extra: list[str]
) -> None:
    wrt = ["--wrt", "x", "--wrt", "y"] if command == "partial" else []
    run = cli(command, expression, *extra, *wrt, "--timeout", "60", "-f", "json")
    assert run.code == 3, run.err
    result = one(run)
    assert result["differentiable"] is None
    assert result["symbolic"] is None
    assert "cannot judge" in result["note"]
    assert "cancels past the 16,384 bits" in result["note"]
    (line,) = run.err.strip().splitlines()
    assert "cannot judge" in line
    assert "AssertionError" not in run.err
