"""check's WRONG verdict keeps the "no real value" note (stop 38, a helper).

An answer that has no real value at some spot points where the derivative
has one keeps its verdict, and a note names such a point (README, "Is my
derivative right?"), whichever step decided. Stop 37 gave the note to sympy's
proof of a right answer; a wrong verdict still dropped it, on every path:
``check "x**3" --answer "2*x**2 + 0*sqrt(x)"`` said wrong (expand: the
difference is -x**2), with note null, though the answer has no real value for
x < 0. The note now says so on every wrong path too; the counterexample stays
a point where both sides have a value (the answer is not called wrong at a
point where it has none, except when it has a value at no spot point at all:
then that is the reason, and the counterexample says "no real value").

Oracles, by hand: sqrt(t) has no real value exactly for t < 0, log(t) for
t <= 0; d/dx x**3 = 3*x**2, d/dx x**2 = 2*x, d/dx sin(x) = cos(x), d/dx x = 1,
d/dx y*x**3 = 3*y*x**2; abs(x)*sign(x) is x, so its derivative is 1 at every x
(0 included); sign(0)**2 = 0 and sqrt(0) = 0. The values at the named points
come from mpmath at 50 digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
import pytest
from conftest import Cli

mpmath.mp.dps = 50

NOTE = re.compile(
    r"your answer has no real value at (?P<point>[^,]+=[^,]+(?:, [^,]+=[^,]+)*), "
    r"where the derivative is (?P<value>\S+)(?: \((?P<count>\d+) such points\))?$"
)

Point = dict[str, float]


def _mp(p: Point, name: str) -> Any:
    return mpmath.mpf(p[name])


@dataclass(frozen=True)
class Case:
    expression: str
    answer: str
    wrt: str
    method: str
    missing: Callable[[Point], bool]  # where the answer has no real value
    derivative: Callable[[Point], Any]  # the true derivative, by hand
    answer_value: Callable[[Point], Any] | None  # the answer where it has a value;
    # None: the difference is too small for float64 anywhere (no counterexample)


CASES = {
    # the brief's example: the difference expands to the polynomial -x**2
    "expand-polynomial": Case(
        "x**3",
        "2*x**2 + 0*sqrt(x)",
        "x",
        "symengine expand",
        lambda p: p["x"] < 0,
        lambda p: 3 * _mp(p, "x") ** 2,
        lambda p: 2 * _mp(p, "x") ** 2,
    ),
    # the difference expands to the constant pi; log has no value at 0 either
    "expand-constant": Case(
        "x**2",
        "2*x + pi + 0*log(x)",
        "x",
        "symengine expand",
        lambda p: p["x"] <= 0,
        lambda p: 2 * _mp(p, "x"),
        lambda p: 2 * _mp(p, "x") + mpmath.pi,
    ),
    # cos(2*x) - cos(x) is neither a polynomial nor a constant: the spot checks decide
    "spot-checks": Case(
        "sin(x)",
        "cos(2*x) + 0*sqrt(x)",
        "x",
        "numeric spot checks",
        lambda p: p["x"] < 0,
        lambda p: mpmath.cos(_mp(p, "x")),
        lambda p: mpmath.cos(2 * _mp(p, "x")),
    ),
    # exp(-100000)*(|x| + 1) > 0 is below every spot check's precision; sympy proves
    # it nonzero (test_check_same_function_36)
    "sympy-nonzero": Case(
        "x",
        "1 + exp(-100000)*(abs(x) + 1) + 0*sqrt(x)",
        "x",
        "sympy simplify",
        lambda p: p["x"] < 0,
        lambda p: mpmath.mpf(1),
        None,
    ),
    # wrong only at the kink x = 0 (f is x, f'(0) = 1, the answer 0 there), which
    # grad's analysis decides; the answer has a value at 0 (sqrt(0) = 0)
    "kink": Case(
        "abs(x)*sign(x)",
        "sign(x)**2 + 0*sqrt(x)",
        "x",
        "numeric spot checks",
        lambda p: p["x"] < 0,
        lambda p: mpmath.mpf(1),
        lambda p: mpmath.sign(_mp(p, "x")) ** 2,
    ),
    # the missing value in the other variable: sqrt(y) for y < 0
    "other-variable": Case(
        "y*x**3",
        "2*y*x**2 + 0*sqrt(y)",
        "x",
        "symengine expand",
        lambda p: p["y"] < 0,
        lambda p: 3 * _mp(p, "y") * _mp(p, "x") ** 2,
        lambda p: 2 * _mp(p, "y") * _mp(p, "x") ** 2,
    ),
}


def _point(text: str) -> Point:
    return {name: float(value) for name, value in (pair.split("=") for pair in text.split(", "))}


def _point_of(spot: dict[str, Any]) -> Point:
    point = spot["point"]
    assert isinstance(point, dict)
    return {str(k): float(v) for k, v in point.items()}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_wrong_answer_names_where_it_has_no_real_value(cli: Cli, case: Case) -> None:
    run = cli(
        "check",
        case.expression,
        "--wrt",
        case.wrt,
        "--answer",
        case.answer,
        "-f",
        "json",
        "--timeout",
        "60",
    )
    assert (run.code, run.err) == (1, "")
    data = run.json()
    assert (data["verdict"], data["proven"], data["method"]) == ("wrong", True, case.method)
    assert data["note"] is not None, "the note about where the answer has no value"
    match = NOTE.match(data["note"])
    assert match, data["note"]
    point = _point(match["point"])
    assert case.missing(point)  # the answer really has no real value there
    # ... and the derivative has one, the value the note gives (10 significant digits)
    assert mpmath.almosteq(mpmath.mpf(match["value"]), case.derivative(point), rel_eps=1e-9)
    # every counted point is a spot point left out of the checks
    assert int(match["count"] or 1) <= data["skipped_points"]
    assert all(not case.missing(_point_of(spot)) for spot in data["spot_checks"])
    # the evidence of "wrong" is at a point where the answer has a value, and is true
    spot = data["counterexample"]
    if case.answer_value is None:
        assert spot is None  # too small to show in float64
        return
    at = _point_of(spot)
    assert not case.missing(at)
    yours, true = case.answer_value(at), case.derivative(at)
    assert yours != true
    assert mpmath.almosteq(mpmath.mpf(spot["answer"]), yours, rel_eps=1e-14, abs_eps=1e-300)
    assert mpmath.almosteq(mpmath.mpf(spot["derivative"]), true, rel_eps=1e-14, abs_eps=1e-300)


def test_the_table_prints_the_note_under_a_wrong_verdict(cli: Cli) -> None:
    # the brief's example: at x=1 the answer 2*1**2 = 2 and the derivative 3*1**2 = 3;
    # at x=-1 the answer's sqrt(-1) is not real, and the derivative is 3*(-1)**2 = 3
    run = cli("check", "x**3", "--answer", "2*x**2 + 0*sqrt(x)", "--timeout", "60")
    assert (run.code, run.err) == (1, "")
    flat = " ".join(run.out.split())
    assert "WRONG" in flat
    assert "differs at │ x=1: your answer 2, true derivative 3 │" in flat
    assert "note: your answer has no real value at x=-1, where the derivative is 3 (" in flat


def test_the_table_prints_the_note_under_a_wrong_verdict_at_a_kink(cli: Cli) -> None:
    # f = abs(x)*sign(x) is x: f'(0) = 1, the answer sign(0)**2 + 0*sqrt(0) = 0;
    # at x=-1 the answer has no real value, and f'(-1) = 1
    run = cli("check", "abs(x)*sign(x)", "--answer", "sign(x)**2 + 0*sqrt(x)", "--timeout", "60")
    assert (run.code, run.err) == (1, "")
    flat = " ".join(run.out.split())
    assert "differs at │ x=0: your answer 0, true derivative 1 │" in flat
    assert "note: your answer has no real value at x=-1, where the derivative is 1 (" in flat


def test_latex_carries_the_note_under_a_wrong_verdict(cli: Cli) -> None:
    # the same note as a comment of the LaTeX block (x=-1: 3*(-1)**2 = 3)
    run = cli("check", "x**3", "--answer", "2*x**2 + 0*sqrt(x)", "-f", "latex", "--timeout", "60")
    assert (run.code, run.err) == (1, "")
    assert "% your answer has no real value at x=-1, where the derivative is 3 (" in run.out


def test_an_answer_with_no_value_anywhere_says_so_once(cli: Cli) -> None:
    # sqrt(-x**2 - 1) has no real value for any real x: the reason says so and the
    # counterexample is such a point (x=1, derivative 1); no note repeats it
    run = cli("check", "x", "--answer", "1 + 0*sqrt(-x**2-1)", "-f", "json", "--timeout", "60")
    assert (run.code, run.err) == (1, "")
    data = run.json()
    assert data["reason"].startswith("your answer has no real value at any of the ")
    assert data["counterexample"] == {
        "point": {"x": 1.0},
        "answer": "nan",
        "derivative": 1.0,
        "agree": False,
    }
    assert data["note"] is None
