"""check proven by sympy keeps the "no real value" note (stop 37, a helper).

An answer that has no real value at some spot points where the derivative
has one keeps its verdict, and a note names such a point (README, "Is my
derivative right?"). symengine's expand path and the spot checks' path said
so; sympy's simplify path proved the answer right and dropped the note:
``check "sin(x)**2" --answer "sin(2*x) + 0*sqrt(x)"`` said right, proven,
note null, though the answer has no real value for x < 0. The proof holds
where both are real; the note now says where the answer is not, whichever
step decided.

Oracles, by hand: sqrt(t) has no real value exactly for t < 0; d/dx sin(x)**2
= 2*sin(x)*cos(x) = sin(2*x), d/dx cos(x)**2 = -sin(2*x), d/dx y*sin(x)**2 =
y*sin(2*x); their values at the named point come from mpmath at 50 digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import mpmath
import pytest
from conftest import Cli

mpmath.mp.dps = 50

NOTE = re.compile(
    r"your answer has no real value at (?P<point>[^,]+=[^,]+(?:, [^,]+=[^,]+)*), "
    r"where the derivative is (?P<value>\S+)(?: \((?P<count>\d+) such points\))?$"
)


def _point(text: str) -> dict[str, float]:
    return {name: float(value) for name, value in (pair.split("=") for pair in text.split(", "))}


@pytest.mark.parametrize(
    ("expression", "answer", "wrt", "missing", "derivative"),
    [
        # sin(2x) = 2 sin(x) cos(x) is a trigonometric identity expand does not use
        (
            "sin(x)**2",
            "sin(2*x) + 0*sqrt(x)",
            "x",
            lambda p: p["x"] < 0,
            lambda p: mpmath.sin(2 * mpmath.mpf(p["x"])),
        ),
        # log(x) has no real value for x <= 0 (0 is log's pole: none there either)
        (
            "cos(x)**2",
            "-sin(2*x) + 0*log(x)",
            "x",
            lambda p: p["x"] <= 0,
            lambda p: -mpmath.sin(2 * mpmath.mpf(p["x"])),
        ),
        # the missing value in the other variable: sqrt(y) for y < 0
        (
            "y*sin(x)**2",
            "y*sin(2*x) + 0*sqrt(y)",
            "x",
            lambda p: p["y"] < 0,
            lambda p: mpmath.mpf(p["y"]) * mpmath.sin(2 * mpmath.mpf(p["x"])),
        ),
    ],
    ids=["sqrt-x", "log-x", "sqrt-y"],
)
def test_a_sympy_proof_names_where_the_answer_has_no_real_value(
    cli: Cli,
    expression: str,
    answer: str,
    wrt: str,
    missing: Callable[[dict[str, float]], bool],
    derivative: Callable[[dict[str, float]], mpmath.mpf],
) -> None:
    run = cli(
        "check", expression, "--wrt", wrt, "--answer", answer, "-f", "json", "--timeout", "60"
    )
    assert (run.code, run.err) == (0, "")
    data = run.json()
    assert (data["verdict"], data["proven"], data["method"]) == ("right", True, "sympy simplify")
    assert data["note"] is not None, "the proof's note about where the answer has no value"
    match = NOTE.match(data["note"])
    assert match, data["note"]
    point = _point(match["point"])
    assert missing(point)  # the answer really has no real value there
    # ... and the derivative has one, the value the note gives (10 significant digits)
    exact = derivative(point)
    assert mpmath.almosteq(mpmath.mpf(match["value"]), exact, rel_eps=1e-9)
    # every counted point is a spot point left out of the checks
    assert int(match["count"] or 1) <= data["skipped_points"]
    assert all(not missing(_point_of(spot)) for spot in data["spot_checks"])


def _point_of(spot: dict[str, object]) -> dict[str, float]:
    point = spot["point"]
    assert isinstance(point, dict)
    return {str(k): float(v) for k, v in point.items()}


def test_the_table_prints_the_note_under_a_sympy_proof(cli: Cli) -> None:
    # the terminal's table ends with the same note: at x=-1 the answer's sqrt(-1)
    # is not real, and the derivative sin(2*(-1)) = -sin(2) = -0.9092974268...
    run = cli("check", "sin(x)**2", "--answer", "sin(2*x) + 0*sqrt(x)", "--timeout", "60")
    assert (run.code, run.err) == (0, "")
    assert "sympy simplify" in run.out
    flat = " ".join(run.out.split())
    value = mpmath.nstr(-mpmath.sin(2), 10)
    assert f"note: your answer has no real value at x=-1, where the derivative is {value}" in flat
