"""`derivcli check`: what a user review found in stop 34.

- An answer wrong only past 1e16 was called right: numbers above 1e15 were
  never spot-checked, though the README says every number either expression
  contains is tested on both sides.
- An answer wrong only where the derivative's closed form is 0/0 was called
  right: such a point was skipped, though the derivative exists there (sinc's
  at 0). Now grad's analysis gives it, as at kinks.
- `--format plain` printed a bare "right" for a verdict the spot checks alone
  gave, with nothing on stderr: a script could not tell it from a proof.
- A kink of a constant (abs(0), atan2(0, -1), sign(0)) made every point "on a
  kink": `x*atan2(0, -1)` with the answer pi could not be decided (exit 3).
- erfc(1.37e6), about 10**(-8e11), is past MPFR's range: the note called that
  "no real value".

Each truth is worked out by hand in the comments.
"""

from __future__ import annotations

import json
from typing import Any

from conftest import Cli


def _check(cli: Cli, *args: str) -> tuple[int, dict[str, Any], str]:
    run = cli("check", *args, "--timeout", "60", "-f", "json")
    return run.code, json.loads(run.out), run.err


def test_an_answer_wrong_past_1e16_is_caught(cli: Cli) -> None:
    # d/dx x**2 = 2x; the answer adds x*heaviside(x - 1e16): x at 1e16 exactly
    # (heaviside(0) = 1/2, so 2.5e16 there) and beyond, nothing below
    code, report, _ = _check(cli, "x**2", "--answer", "2*x + x*heaviside(x-1e16)")
    assert code == 1
    assert report["verdict"] == "wrong"
    example = report["counterexample"]
    assert example["point"] == {"x": 1e16}
    assert example["answer"] == 2.5e16
    assert example["derivative"] == 2e16
    # and well past it: 1e16 + 1.13e15, where the answer is 3x
    points = {s["point"]["x"]: s for s in report["spot_checks"]}
    beyond = points[1e16 + 1.13e15]
    assert beyond["answer"] == 3 * (1e16 + 1.13e15) and not beyond["agree"]


def test_a_number_below_the_cap_is_still_checked_and_one_past_it_is_not(cli: Cli) -> None:
    # 1e300 is checked on both sides (x*heaviside(x - 1e300) is caught at
    # 1e300); past 1e300 a point c + 0.113*c could leave float64
    code, report, _ = _check(cli, "x**2", "--answer", "2*x + x*heaviside(x-1e300)")
    assert code == 1
    assert report["counterexample"]["point"] == {"x": 1e300}


def test_a_wrong_value_where_the_closed_form_is_0_over_0_is_caught(cli: Cli) -> None:
    # sinc is even, so sinc'(0) = 0; its closed form (cos(pi*x) - sinc(x))/x is
    # 0/0 there. The answer equals the closed form away from 0 (heaviside(-x**2)
    # is 0 there) and is (1 - 1)/1 + 5/2 = 2.5 at 0
    answer = "(cos(pi*x) - sinc(x))/(x + heaviside(-x**2)) + 5*heaviside(-x**2)"
    code, report, _ = _check(cli, "sinc(x)", "--answer", answer)
    assert code == 1
    assert report["verdict"] == "wrong"
    assert report["counterexample"] == {
        "point": {"x": 0.0},
        "answer": 2.5,
        "derivative": 0.0,
        "agree": False,
    }
    assert report["reason"] == (
        "at x=0, where the derivative's closed form has no value, the derivative is 0 "
        "(its one-sided derivatives meet there) and your answer is 2.5"
    )


def test_the_right_value_there_stays_right(cli: Cli) -> None:
    # the same without the 5/2: 0 at 0, which is sinc'(0)
    answer = "(cos(pi*x) - sinc(x))/(x + heaviside(-x**2))"
    code, report, _ = _check(cli, "sinc(x)", "--answer", answer)
    assert code == 0
    assert report["verdict"] == "right"


def test_plain_says_on_stderr_that_a_right_verdict_is_not_proven(cli: Cli) -> None:
    # x**3's derivative 3x**2 and an answer that differs at exactly 7/10 only,
    # which is no float64: right at every point checked, and nothing proves it
    run = cli(
        "check", "x**3", "--answer", "3*x**2 + sign(x-0.7)**2 - 1", "--format", "plain",
        "--timeout", "60",
    )  # fmt: skip
    assert run.code == 0
    assert run.out == "right\n"
    assert run.err.startswith("derivcli: right at every point checked, not proven (")
    assert run.err.count("\n") == 1


def test_plain_says_nothing_more_for_a_proven_verdict(cli: Cli) -> None:
    run = cli("check", "x**3", "--answer", "3*x**2", "--format", "plain", "--timeout", "60")
    assert (run.code, run.out, run.err) == (0, "right\n", "")
    run = cli("check", "x**3", "--answer", "3*x", "--format", "plain", "--timeout", "60")
    assert (run.code, run.out, run.err) == (1, "wrong\n", "")


def test_a_kink_of_a_constant_is_no_kink(cli: Cli) -> None:
    # atan2(0, -1) is pi (its jump's convention), a constant: f = pi*x, f' = pi
    code, report, _ = _check(cli, "x*atan2(0,-1)", "--answer", "pi")
    assert code == 0
    assert report["verdict"] == "right"
    assert report["skipped_points"] == 0
    # abs(0) is 0: f = 0, f' = 0, defined everywhere
    code, report, _ = _check(cli, "x*abs(0)", "--answer", "0")
    assert code == 0
    assert report["skipped_points"] == 0
    # sign(0) is 0: f = sin(x), which has no kink; the answer is cos(2) + 1/2 at 2
    code, report, _ = _check(cli, "x*sign(0)+sin(x)", "--answer", "cos(x)+heaviside(x-2)")
    assert code == 1
    assert "kink" not in report["reason"]


def test_a_value_past_mpfr_is_not_called_no_real_value(cli: Cli) -> None:
    # erf(x) + erfc(x) - 1 is 0; at x = 1.37e6 erfc is about exp(-1.9e12),
    # past MPFR's range: the point is skipped, and no note says the answer has
    # no real value there
    code, report, _ = _check(cli, "sin(x)", "--answer", "cos(x) + erf(x) + erfc(x) - 1")
    assert code == 0
    assert report["verdict"] == "right"
    assert report["note"] is None


def test_the_table_names_every_reason_a_point_is_skipped(cli: Cli) -> None:
    # abs(x)'s kink at 0 is skipped (f on a kink), and 1/x is undefined there
    run = cli("check", "abs(x)", "--answer", "sign(x)", "--timeout", "60")
    assert run.code == 0
    text = "".join(c for c in run.out if c not in "│ \n")  # the table's wrapping undone
    assert "(1skipped:eithersideundefined,orfonakink)" in text
