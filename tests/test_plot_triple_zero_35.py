"""plot: a kink whose argument has a triple zero at 0 (a user review, stop 35).

The root of x**3 in [-1, 1] is 0.0, a float, but the bracket narrowing onto it
stops at 2**-256 of the range's size, around -2.9e-186, where x**3 is not 0:
the kink was placed there, its sides were probed left of 0 only, and
sign(x**3) (a jump at 0) was a smooth kink, exit 0. A bracket that holds 0.0,
where the argument is exactly 0, now gives 0.0. The truths, by hand:
sign(x**3) = sign(x) jumps at 0; relu(x**3)**(1/3) = relu(x) has sides 0 and 1;
abs(x**3)**(1/3) = abs(x) has -1 and 1; relu(x**3) is smooth at 0 (0 and 0).
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Cli


def _kinks(cli: Cli, text: str) -> tuple[int, list[dict[str, Any]]]:
    run = cli("plot", text, "--range", "-1:1", "--points", "20", "-f", "json", "--timeout", "60")
    kinks = run.json()["kinks"]
    assert isinstance(kinks, list)
    return run.code, kinks


@pytest.mark.parametrize(
    ("text", "differentiable", "left", "right"),
    [
        ("sign(x**3)", False, None, None),
        ("relu(x**3)**(1/3)", False, 0.0, 1.0),
        ("abs(x**3)**(1/3)", False, -1.0, 1.0),
        ("relu(x**3)", True, 0.0, 0.0),
    ],
)
def test_a_triple_zero_at_0_is_placed_at_0(
    cli: Cli, text: str, differentiable: bool, left: float | None, right: float | None
) -> None:
    code, kinks = _kinks(cli, text)
    (kink,) = kinks
    assert kink["x"] == 0.0 and kink["at_float"] is True
    assert kink["differentiable"] is differentiable
    assert code == (0 if differentiable else 1)
    if left is not None:
        assert (kink["left"], kink["right"]) == (left, right)


def test_a_kink_search_that_steps_far_past_the_grid_does_not_overflow(cli: Cli) -> None:
    # g = x**2*(x - 1e-5)**3 changes sign only at 1e-5, where g' = 0 too, so
    # abs(g) is differentiable everywhere: one smooth kink at 1e-5. The float
    # search for the exact sign change beside torch's root stepped 2**63 floats
    # away, past int64: "autograd failed: Python int too large to convert to C
    # long", exit 3 (a review's find)
    code, kinks = _kinks(cli, "abs(x**2*(x-1e-5)**3)")
    assert code == 0
    (kink,) = kinks
    assert kink["x"] == 1e-5 and kink["differentiable"] is True
    # sign(x**2*(x - 1e-20)**3) jumps from -1 to 1 at 1e-20 (and is 0 at 0,
    # where it does not change sign)
    code, kinks = _kinks(cli, "sign(x**2*(x-1e-20)**3)")
    assert code == 1
    assert [(k["x"], k["differentiable"]) for k in kinks] == [(1e-20, False)]


@pytest.mark.parametrize(
    ("text", "left", "right"),
    [
        # sign((x - c)**3) = sign(x - c) jumps at c = 1e-200; relu((x - c)**3)**(1/3)
        # = relu(x - c) has slopes 0 and 1 there. The bracket narrowed to 2**-256 of
        # the range, [0, 2e-79], and the sides were probed inside it, left of c
        # (both called smooth, exit 0; a review's find)
        ("sign((x-1e-200)**3)", 0.0, 0.0),
        ("relu((x-1e-200)**3)**(1/3)", 0.0, 1.0),
    ],
)
def test_a_triple_root_just_beside_0_is_found_where_it_is(
    cli: Cli, text: str, left: float, right: float
) -> None:
    code, kinks = _kinks(cli, text)
    assert code == 1
    (kink,) = kinks
    assert kink["x"] == 1e-200 and kink["differentiable"] is False
    assert (kink["left"], kink["right"]) == (left, right)
