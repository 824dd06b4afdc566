"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 31, part b): the deep look at a left side read as 0 beside a tiny
limit (_tiny_limit_beside_zero), the float64 screen's float32 flag for a
second derivative (_Screen), and the screen's block size (SCREEN_BLOCK).

Each test pins a fact worked out by hand (or by mpmath at 50 digits), never
derivcli's own output recorded as the expectation, and names the mutant it
kills (``.venv/bin/python tools/mutate.py --show ID`` prints one).
"""

from __future__ import annotations

import time
from typing import Any

import mpmath
import pytest
from conftest import Cli, one

from derivcli.language.evaluate import FLOAT32_MAX, float64_values
from derivcli.language.parser import parse
from derivcli.symbolic import analysis

# ---------------------------------------------------------------- _tiny_limit_beside_zero


def test_left_quotients_that_fall_below_a_tiny_right_slope_at_the_last_step() -> None:
    # The numbers by hand for the CLI test below, checked at 50 digits:
    # c = exp(-45383) lies between 3*2**-65476 and 6*2**-65476 (c*2**65476 is
    # e**(65476*ln 2 - 45383) = e**1.505, about 4.50).
    with mpmath.workdps(50):
        c = mpmath.exp(-45383)
        ratio = c * mpmath.mpf(2) ** 65476
        assert 3 < ratio < 6
        assert mpmath.nstr(ratio, 3) == "4.5"
        assert mpmath.nstr(c, 3) == "2.59e-19710"


def test_a_left_side_shrinking_below_a_tiny_right_slope_at_2_to_the_minus_65536_is_a_kink(
    cli: Cli,
) -> None:
    # Kills analysis.py:442bf93f:36:num_inc:0 (the left side followed with side
    # -2: every step twice as long). f = relu(-x)**2 + c*relu(x), c = exp(-45383),
    # at 0: right of 0 f = c*x, slope c exactly (below float64, so it shows as 0);
    # left of 0 f = x**2, whose quotients (f(2h) - f(h))/h = 3h shrink, read as
    # 0. The left side is followed at h = -2**-k, k = 4096, 16384, 32768, 65536,
    # and compared with tiny = c*2**-60 = 4.5*2**-65536: |3h| is above it (and
    # not within 2**-60 of c) until k = 65536, where 3*2**-65536 <= tiny: the
    # left limit is 0, the sides differ by c, a kink. With h = -2*2**-k the
    # last reading is 6*2**-65536 > tiny: "cannot be told" (exit 3).
    run = cli(
        "grad", "relu(-x)**2 + exp(-45383)*relu(x)", "--at", "x=0", "--timeout", "60", "-f", "json"
    )
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert "the two differ by 2.59e-19710" in result["note"]
    assert "cannot be told" not in result["note"]


# ---------------------------------------------------------------- _Screen


def test_a_second_derivative_past_float32_is_sent_to_the_exact_evaluation(cli: Cli) -> None:
    # Kills analysis.py:2404171c:23:neg_drop:0 (the float32 flag read off
    # outcomes[1], the first derivative, instead of outcomes[-1], the one asked
    # for). f = exp(100*x) + relu(x - 2) (the relu, far off the grid, makes f
    # not "total", so the screen evaluates f, f' and f''): on [0.7, 0.8],
    # f'' = 10000*exp(100*x) passes FLOAT32_MAX = 3.4028e38 at x = ln(3.4028e34)/100
    # = 0.79512, while f' = 100*exp(100*x) stays below 3.4e36. 5,001 points are
    # long enough for the screen (about 9 instructions + 40 a point: past 200,000).
    # Past that x autograd's float32 f'' is inf: "not computed", with a note that
    # the derivative is beyond float32's range (exit 3); unflagged, those points
    # read as a regular DISAGREE between inf and the closed form's value.
    run = cli(
        "grad",
        "exp(100*x) + relu(x - 2)",
        "--order",
        "2",
        "--at",
        "x=0.7:0.8:5001",
        "--dtype",
        "float32",
        "--timeout",
        "60",
        "-f",
        "json",
    )
    assert run.code == 3
    results = run.json()["results"]
    assert len(results) == 5001
    above = below = 0
    for result in results:
        x = result["point"]["x"]
        with mpmath.workdps(50):
            second = 10000 * mpmath.exp(100 * mpmath.mpf(x))
        assert result["symbolic"] == pytest.approx(float(second), rel=1e-12)
        if second > 1.001 * FLOAT32_MAX:
            above += 1
            assert result["verdict"] == "not computed", x
            assert result["autograd"] == "inf"
            assert "beyond float32's range" in result["note"]
        elif second < 0.999 * FLOAT32_MAX:
            below += 1
            assert result["verdict"] == "agree", x
    # by hand: 0.79512 is 95.12% of the way, so about 244 points lie past it
    assert above > 200
    assert below > 4700


# ---------------------------------------------------------------- SCREEN_BLOCK


def test_the_screen_checks_the_budget_after_blocks_of_8192_points(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Kills analysis.py:b9c0f7d4:15:num_dec:0 (blocks of 8,191). 24,576 points
    # of x**2 (41 instruction-evaluations each, past 200,000: screened in
    # float64), on a clock that moves 1 s each time the screen evaluates f
    # (once a block) and a budget of 1.5 s: the check before the second block
    # finds 1 s spent for 8,192 points, 3 s predicted for all of them, and a
    # quarter of the budget gone, and gives up with "8,192 done" (with blocks of
    # 8,191: "8,191 done").
    from types import SimpleNamespace

    from derivcli.autograd.values import make_points
    from derivcli.errors import BudgetError
    from derivcli.language.points import Grid, PointSpec

    count = 3 * 8192
    points = make_points(PointSpec(("x",), ((("x", Grid(-1.0, 1.0, count)),),), count))
    request = analysis.make_request(parse("x**2"), [("x",)], budget=1.5)
    prepared = analysis.prepare(request, time.monotonic() + 60.0)  # on the real clock
    clock = [0.0]
    monkeypatch.setattr(analysis, "time", SimpleNamespace(monotonic=lambda: clock[0]))

    def slow_f(program: Any, *args: Any) -> Any:
        if program is prepared.function:
            clock[0] += 1.0
        return float64_values(program, *args)

    monkeypatch.setattr(analysis, "float64_values", slow_f)
    with pytest.raises(
        BudgetError, match=r"at 24,576 points within the time budget \(8,192 done\)"
    ):
        analysis.analyse(prepared, request, points, deadline=1.5)
