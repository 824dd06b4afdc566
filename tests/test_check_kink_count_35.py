"""check's table where the answer is wrong only at a kink (a user review).

abs(x)*sign(x) is x, so its derivative is 1 everywhere, x = 0 included (both
one-sided derivatives are 1). The answer sign(x)**2 is 1 off 0 and 0 at 0:
WRONG, and only at the kink, a point the spot checks skip and the analysis
judges apart. The table said "0 of 34 points differ" beside WRONG; it now says
where they differ in the same row.
"""

from __future__ import annotations

from conftest import Cli


def test_a_wrong_answer_at_a_kink_is_counted_in_the_spot_checks_row(cli: Cli) -> None:
    run = cli("check", "abs(x)*sign(x)", "--answer", "sign(x)**2", "--timeout", "60")
    assert run.code == 1
    text = " ".join(run.out.replace("│", " ").split())  # the table folds long cells
    assert "WRONG" in text
    assert "at x=0, checked apart, they differ" in text
    assert "x=0: your answer 0, true derivative 1" in text


def test_a_wrong_answer_off_the_kinks_has_no_such_remark(cli: Cli) -> None:
    # 3*x**2 + heaviside(x - 1) is 3.5 at x = 1 and 3*x**2 + 1 beyond: WRONG at
    # ordinary spot points, which the row counts
    run = cli("check", "x**3", "--answer", "3*x**2 + heaviside(x - 1)", "--timeout", "60")
    assert run.code == 1
    assert "checked apart" not in run.out
