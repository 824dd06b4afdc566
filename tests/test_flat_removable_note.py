"""The note of a point where f is flat all around but its own quotients fail beside it.

hardswish(x - 10) is exactly 0 for x <= 7, so f = hardswish(x - 10)*abs(x)*
sqrt(((x*2**1023)**2 - 1)**2 - 0.25) is 0 all around 0: the derivative is 0
(by hand). abs sits on its kink at 0, so the point is examined; f has no value
at +-2**-1023 (the radicand is (1 - 1)**2 - 1/4 < 0 there), which the
quotients at steps of 2**-1024 use, so the analysis falls back on f being flat.
The answer was right, but the note said the closed form has no value at x=0
(found by a helper); the closed form there is 0, and abs's kink is the reason
the point was looked at.
"""

from __future__ import annotations

from conftest import Cli, one

from derivcli.explain import differentiable
from derivcli.symbolic.analysis import PointAnalysis, Reason


def test_a_flat_f_on_a_kink_is_noted_as_a_kink_whose_sides_meet(cli: Cli) -> None:
    run = cli(
        "grad",
        "hardswish(x-10)*abs(x)*sqrt(((x*2**1023)**2 - 1)**2 - 0.25)",
        "--at",
        "x=0",
        "--timeout",
        "60",
        "-f",
        "json",
    )
    assert run.code == 0, run.err
    result = one(run)
    assert result["verdict"] == "agree"
    assert (result["symbolic"], result["left"], result["right"]) == (0.0, 0.0, 0.0)
    assert result["note"] == (
        "abs has its kink at x=0, but the left and right derivatives meet, so the "
        "function is differentiable here"
    )


def test_a_flat_f_with_no_kink_named_says_what_met() -> None:
    special = PointAnalysis(Reason.REMOVABLE, True, 0.0, 0.0, 0.0)
    note = differentiable(special, 0.0, 0.0, True, True, "x", {"x": 0.0})
    assert note == (
        "the left and right derivatives along x meet at x=0 (both 0), so the function "
        "is differentiable here"
    )
