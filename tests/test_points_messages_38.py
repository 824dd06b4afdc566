"""``--at`` refusals that named the wrong cause, and a budget line that misstated
autograd's budget (a user review, stop 38).

- A constant expression in ``--at`` with a number written past the parser's
  exponent limit (``2*1e308``, ``0*1e-400``) was "not a number"; a whole power
  past float64 (``10**400``) was "not a finite real number". Numbers in an
  ``--at`` expression are now read as a plain ``--at`` number is (any float64:
  ``--at x=1e308`` is a point), so the truth is said: ``2*1e308`` is beyond
  float64's range, and a number that float64 cannot hold (1e-400) is named.
- A float32 grid whose typed endpoint float32 makes 0 (``x=1e-50:1:2``) ran at
  x = 0, where the single value ``x=1e-50`` is refused.
- When both sides ran out of time, the line gave the closed form's budget as
  autograd's, where autograd has at least MIN_AUTOGRAD_BUDGET.

Each truth is worked out by hand in the comments.
"""

from __future__ import annotations

import sys
from fractions import Fraction

import numpy as np
import pytest
from conftest import Cli, one

from derivcli import compare

FLOAT64_MAX = sys.float_info.max  # (2 - 2**-52) * 2**1023, about 1.7976931348623157e308
BEYOND = "is beyond float64's range (about 1.8e308)"
BELOW = "is below float64's smallest number (about 4.9e-324) and would be 0"


def _refused(cli: Cli, *args: str) -> str:
    """The one error line of a refused run (exit 2, nothing on stdout), without its prefix."""
    run = cli(*args, "--timeout", "60")
    assert run.code == 2, run.err
    assert run.out == ""
    return run.error


# ---------------------------------------------------------------- past float64's range


@pytest.mark.parametrize("value", ["2*1e308", "1e308*10", "10**400", "-(10**400)"])
def test_a_constant_past_float64_says_so(cli: Cli, value: str) -> None:
    # 2*10**308, 10**309 and 10**400 are whole numbers above float64's largest
    # number (about 1.798e308), exactly: so float64 cannot hold them
    assert min(2 * 10**308, 10**309, 10**400) > int(FLOAT64_MAX)
    error = _refused(cli, "grad", "x**2", "--at", f"x={value}")
    assert error == f"--at x={value}: '{value}' {BEYOND}"


def test_the_plain_number_says_the_same(cli: Cli) -> None:
    # the message the constant expressions above now share
    assert _refused(cli, "grad", "x**2", "--at", "x=1e400") == f"--at x=1e400: '1e400' {BEYOND}"


def test_a_step_past_the_range_is_not_called_the_value(cli: Cli) -> None:
    # 1e300*1e300/1e300 is 1e300, within float64; its first step, 1e600, is not
    error = _refused(cli, "grad", "x**2", "--at", "x=1e300*1e300/1e300")
    assert error == (
        "--at x=1e300*1e300/1e300: '1e300*1e300/1e300' passes float64's range "
        "(about 1.8e308) on the way, where float64 has no number"
    )


@pytest.mark.parametrize(
    ("value", "literal", "why"),
    [
        ("0*1e-400", "1e-400", BELOW),
        ("0*1e400", "1e400", BEYOND),
        ("1 + 1e-5000", "1e-5000", BELOW),
    ],
)
def test_a_number_float64_cannot_hold_is_named(
    cli: Cli, value: str, literal: str, why: str
) -> None:
    # 0*1e-400 is 0 and 1 + 1e-5000 about 1, but the number 1e-400 (1e-5000) is
    # below float64's smallest, 2**-1074 (about 4.9e-324), by far, and 1e400
    # above its largest: refused as --at x=1e-400 and x=1e400 are, naming it
    assert Fraction(1, 10**400) < Fraction(1, 2**1074) and 10**400 > FLOAT64_MAX
    error = _refused(cli, "grad", "x**2", "--at", f"x={value}")
    assert error == f"--at x={value}: the number {literal} in '{value}' {why}"


def test_a_number_past_the_exponent_limit_within_float64_is_a_point(cli: Cli) -> None:
    # --at x=1e308 is a point; so is 1e308/2 = 5e307 (Python's 1e308/2, a float64
    # division by 2: exact), where d/dx x = 1
    run = cli("grad", "x", "--at", "x=1e308/2", "-f", "json", "--timeout", "60")
    assert run.code == 0, run.err
    result = one(run)
    assert result["point"] == {"x": 1e308 / 2} == {"x": 5e307}
    assert result["symbolic"] == result["autograd"] == 1.0


# ---------------------------------------------------------------- float32 grid endpoints


@pytest.mark.parametrize(
    ("expression", "grid", "end"),
    [
        ("relu(x)", "1e-50:1:2", "start 1e-50"),
        ("log(x)", "1e-50:1e-49:3", "start 1e-50"),
        ("log(x)", "1:-1e-50:3", "stop -1e-50"),
    ],
)
def test_a_float32_grid_end_that_float32_makes_0_is_refused(
    cli: Cli, expression: str, grid: str, end: str
) -> None:
    # float32's smallest number is 2**-149, about 1.4e-45; 1e-50 is below half of
    # it, so round to nearest makes it 0, a different point (relu's kink, log's pole)
    assert 1e-50 < 2.0**-150 and np.float32(1e-50) == 0
    error = _refused(cli, "grad", expression, "--at", f"x={grid}", "--dtype", "float32")
    assert error == (
        f"--at x={grid}: its {end} is below float32's smallest number (about 1.4e-45), "
        "torch holds it as 0"
    )


def test_the_single_value_is_refused_the_same_way(cli: Cli) -> None:
    error = _refused(cli, "grad", "log(x)", "--at", "x=1e-50", "--dtype", "float32")
    assert error == (
        "--at x=1e-50: below float32's smallest number (about 1.4e-45), torch holds it as 0"
    )


def test_a_grid_whose_inner_points_round_still_runs(cli: Cli) -> None:
    # x=0:1:11 in float32: 0.1 is held as 0.10000000149011612 (float32's nearest,
    # 13421773 * 2**-27); the typed ends 0 and 1 are exact, so it runs with a note
    assert float(np.float32(0.1)) == 13421773 * 2.0**-27
    run = cli(
        "grad", "x", "--at", "x=0:1:11", "--dtype", "float32", "-f", "json", "--timeout", "60"
    )
    assert run.code == 0, run.err
    results = run.json()["results"]
    assert len(results) == 11
    assert results[1]["point"] == {"x": 13421773 * 2.0**-27}


# ---------------------------------------------------------------- the budget line


def test_the_budget_line_says_each_sides_budget(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each side out of time, whatever the machine: the closed form of the 12th
    # derivative in 0.001 s (the worker is not even started by then), and autograd
    # (nested 12 times) in 0.002 s, MIN_AUTOGRAD_BUDGET made that small here; its
    # budget is max(--timeout, MIN_AUTOGRAD_BUDGET) = 0.002 s, not the 0.001 s the
    # line used to give both sides
    monkeypatch.setattr(compare, "MIN_AUTOGRAD_BUDGET", 0.002)
    run = cli(
        "grad", "sin(x)*exp(cos(x))/(1 + x**2) + x/7", "--order", "12", "--at", "x=0.7",
        "--timeout", "0.001",
    )  # fmt: skip
    assert run.code == 3, run.err
    assert run.out == ""
    assert run.error == (
        "neither side finished in its time budget: the closed form had 0.001 s, autograd "
        "0.002 s (--timeout, at least 0.002 s for autograd); raise it with --timeout"
    )


def test_one_budget_for_both_is_said_once(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # --timeout 0.002 s above MIN_AUTOGRAD_BUDGET (made 0.001 s here): both sides
    # had max(0.002, 0.001) = 0.002 s, and the line says that one budget
    monkeypatch.setattr(compare, "MIN_AUTOGRAD_BUDGET", 0.001)
    run = cli(
        "grad", "sin(x)*exp(cos(x))/(1 + x**2) + x/9", "--order", "12", "--at", "x=0.7",
        "--timeout", "0.002",
    )  # fmt: skip
    assert run.code == 3, run.err
    assert run.out == ""
    assert run.error == (
        "neither the closed form nor autograd finished within 0.002 s (raise it with --timeout)"
    )
