"""``--steps`` states where the step functions' rules hold (stop 38).

floor, ceil and trunc are constant between whole numbers and jump at each; frac
(a - floor(a)) has slope 1 there; round jumps halfway between whole numbers.
Their rules held only off those points, and ``--steps`` stated them bare
("d/da floor(a) = 0"), as it did sign's and heaviside's before stop 38's first
fix. At x = 1.25 none of the arguments below is at a jump (x**2 = 1.5625), so
the derivatives, by hand, are 0 (floor, ceil, trunc, round of x**2) and 2*x
(frac of x**2).
"""

from __future__ import annotations

import re

import pytest
from conftest import Cli


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("floor", "d/da floor(a) = 0 for a not a whole number"),
        ("ceil", "d/da ceil(a) = 0 for a not a whole number"),
        ("trunc", "d/da trunc(a) = 0 for a not a whole number"),
        ("frac", "d/da frac(a) = 1 for a not a whole number"),
        ("round", "d/da round(a) = 0 for a not a whole number + 1/2"),
    ],
)
def test_a_step_function_s_rule_says_where_it_holds(cli: Cli, name: str, rule: str) -> None:
    run = cli("grad", f"{name}(x**2)", "--at", "x=1.25", "--steps", "--timeout", "60")
    assert run.code == 0, run.err
    assert run.err == ""
    lines = [line for line in run.out.splitlines() if re.match(r"\d+\. ", line)]
    value = "2*x" if name == "frac" else "0"
    assert lines[1] == (f"2. chain rule, inner a = x**2 ({rule}) [1]: d/dx {name}(x**2) = {value}")
