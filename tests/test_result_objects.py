"""The result objects the library returns, as the README describes them: frozen,
shown in a notebook as the terminal's table, with the JSON contract's fields.

Written against the survivors of a mutation run on ``derivcli/results.py``
(issue 16): each test says which change to the code it stops.
"""

from __future__ import annotations

import dataclasses
import io
import math

import pytest
from conftest import Cli
from rich.console import Console

import derivcli
from derivcli.results import DerivativeResult, count, format_number

# ---------------------------------------------------------------- frozen, as documented


def test_every_result_object_is_frozen() -> None:
    # README: "returning frozen results"; a report, each result and each sample
    sampled = derivcli.grad("x**2")  # no --at: checked at sample points
    assert sampled.results[0].samples
    for frozen, field in [
        (sampled, "note"),
        (sampled.results[0], "symbolic"),
        (sampled.results[0].samples[0], "agree"),
    ]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(frozen, field, None)


# ---------------------------------------------------------------- how a report shows itself


def _long_sum(terms: int) -> str:
    return "+".join(f"sin({k}*x)" for k in range(1, terms + 1))


def test_rich_prints_a_report_as_its_table() -> None:
    # console.print(report) goes through __rich__: the same table as report.rich()
    report = derivcli.grad("x**2", at="x=3")
    printed, direct = (Console(record=True, file=io.StringIO(), width=80) for _ in range(2))
    printed.print(report)
    direct.print(report.rich())
    text = printed.export_text()
    assert text == direct.export_text()
    assert "d/dx = 2*x" in text and "agree" in text


def test_the_notebook_table_is_100_columns_wide() -> None:
    # a table too wide for the notebook's 100 columns is fitted to exactly 100
    bundle = derivcli.grad(_long_sum(11), at="x=1")._repr_mimebundle_()
    assert max(len(line) for line in bundle["text/plain"].splitlines()) == 100


def test_the_notebook_shows_long_steps_whole() -> None:
    # a derivation line longer than the table runs on instead of being cut
    report = derivcli.grad(_long_sum(11), at="x=1", steps=True)
    closed_form = report.results[0].derivative
    assert closed_form is not None and len(closed_form) > 100
    lines = report._repr_mimebundle_()["text/plain"].splitlines()
    assert any(line.startswith("34. sum rule") and line.endswith(closed_form) for line in lines)


def test_the_notebook_html_carries_its_styles_inline() -> None:
    # notebook viewers drop <style> sheets: each span carries its own style
    html = derivcli.grad("x**2", at="x=3")._repr_mimebundle_()["text/html"]
    assert '<span style="' in html
    assert 'class="r1"' not in html


# ---------------------------------------------------------------- the numbers shown


def test_counts_are_singular_only_for_one() -> None:
    assert count(1, "point") == "1 point"
    assert count(0, "point") == "0 points"
    assert count(2, "point") == "2 points"
    assert count(100_000, "point") == "100,000 points"
    assert count(1, "match", "matches") == "1 match"
    assert count(3, "match", "matches") == "3 matches"


def test_whole_numbers_are_written_out_below_1e16() -> None:
    assert format_number(2e15) == "2000000000000000"
    assert format_number(9_999_999_999_999_998.0) == "9999999999999998"
    assert format_number(1e16) == "1e+16"
    assert format_number(-1e16) == "-1e+16"


def test_abs_diff_of_equal_infinities_is_zero(cli: Cli) -> None:
    # exp(710) is past float64's range on both sides: |inf - inf| is 0, not nan
    run = cli("grad", "exp(x)", "--at", "x=710", "-f", "json")
    (result,) = run.json()["results"]
    assert (result["symbolic"], result["autograd"], result["abs_diff"]) == ("inf", "inf", 0.0)
    # float32: the exact 2.7e43 is finite, torch's float32 is inf
    run = cli("grad", "exp(x)", "--at", "x=100", "--dtype", "float32", "-f", "json")
    (result,) = run.json()["results"]
    assert (result["autograd"], result["abs_diff"]) == ("inf", "inf")


@pytest.mark.parametrize(
    ("symbolic", "autograd", "diff"),
    [
        (math.inf, 1.0, math.inf),
        (math.inf, -math.inf, math.inf),
        (-math.inf, -math.inf, 0.0),
        (2.0, 2.0, 0.0),
        (1.0, 3.5, 2.5),
    ],
)
def test_abs_diff_is_the_distance(symbolic: float, autograd: float, diff: float) -> None:
    result = DerivativeResult(
        wrt=("x",),
        derivative="f",
        point=(("x", 0.0),),
        symbolic=symbolic,
        autograd=autograd,
        agree=symbolic == autograd,
    )
    assert result.abs_diff == diff


def test_no_sample_point_is_not_compared(cli: Cli) -> None:
    # log(-x**2 - 1) is defined nowhere on the real line: nothing to check the
    # closed form at, which is not agreement (exit 1)
    run = cli("grad", "log(-x**2-1)", "-f", "json")
    (result,) = run.json()["results"]
    assert run.code == 1
    assert result["verdict"] == "not compared" and result["agree"] is None
    assert result["derivative"] == "-2*x/(-x**2 - 1)"
