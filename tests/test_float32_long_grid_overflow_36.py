"""A part of f past float32's range on a long float32 grid (a helper, stop 36).

torch's float32 forward pass of ``x*4/4`` at x = 1e38 overflows at ``x*4``
(4e38 is past float32's largest value, FLOAT32_MAX = (2 - 2**-23)*2**127,
about 3.4028235e38), though f itself, x, is within range. A 5-point grid
noted that at every point; a 20001-point grid noted it nowhere: its float64
screen sent a point to the exact evaluation (which names the part) only where
|f| itself passed FLOAT32_MAX. The same hid ``exp(x)`` in ``exp(x)/exp(x - 1)``:
the long grid said "falls on a pole or outside the domain" (README, Limits).

Each truth is worked out by hand in the comments.
"""

from __future__ import annotations

from typing import Any

from conftest import Cli

# f = x*4/4 is x itself, within float32's range: only the part x*4 passes it (stop
# 37: the note had said "f itself is beyond float32's range")
BEYOND = (
    "f is within float32's range here (f is {!r}), but a part of it passes the range on "
    "the way (x*4 is about {}), which float32 cannot hold, so autograd's forward value is "
    "inf, not f; the derivative is within range and both sides agree"
)


def _beyond(result: dict[str, Any], part: str) -> str:
    """The note at a result's point: f there is the point's x (x*4/4 = x exactly)."""
    return BEYOND.format(result["point"]["x"], part)


def _grad(cli: Cli, expr: str, grid: str) -> tuple[int, list[dict[str, Any]]]:
    run = cli(
        "grad", expr, "--dtype", "float32", "--at", f"x={grid}", "-f", "json", "--timeout", "60"
    )
    results = run.json()["results"]
    return run.code, results


def test_every_point_of_a_long_grid_names_the_part_past_float32(cli: Cli) -> None:
    # x from 1e38 to 2e38: x*4 from 4e38 to 8e38, all past 3.4028235e38; f = x
    # and its derivative 1 are within range, so both sides give 1
    code, results = _grad(cli, "x*4/4", "1e38:2e38:20001")
    assert code == 0
    assert len(results) == 20001
    for r in results:
        assert r["verdict"] == "agree"
        assert r["symbolic"] == 1.0 and r["autograd"] == 1.0
        assert r["note"] is not None and r["note"].startswith(
            f"f is within float32's range here (f is {r['point']['x']!r}), but a part of it "
            "passes the range on the way (x*4 is about "
        )
    # the step is 1e38/20000 = 5e33: point 2500 is 1.125e38 (x*4 = 4.5e38),
    # point 10000 is 1.5e38 (6e38), the last 2e38 (8e38), the first 1e38 (4e38)
    assert results[0]["note"] == _beyond(results[0], "4e+38")
    assert results[2500]["note"] == _beyond(results[2500], "4.5e+38")
    assert results[10000]["note"] == _beyond(results[10000], "6e+38")
    assert results[-1]["note"] == _beyond(results[-1], "8e+38")


def test_the_note_starts_where_the_part_passes_float32_as_on_a_short_grid(cli: Cli) -> None:
    # x*4 passes float32's range where x > FLOAT32_MAX/4 = 2**126 - 2**102, the
    # float32 just below 2**126 = 8.507059173023462e37: float32 points from
    # 2**126 on overflow, the ones before do not. On 5e37:1e38:20001 (step
    # 2.5e33) point i is 5e37 + i*2.5e33, past 2**126 from
    # i = ceil((2**126 - 5e37)/2.5e33) = ceil(14028.24) = 14029: the last
    # 20001 - 14029 = 5972 points
    code, results = _grad(cli, "x*4/4", "5e37:1e38:20001")
    assert code == 0
    noted = [i for i, r in enumerate(results) if r["note"] is not None]
    assert noted == list(range(14029, 20001))
    assert all(r["verdict"] == "agree" and r["symbolic"] == 1.0 for r in results)
    # the 5-point grid (5e37, 6.25e37, 7.5e37, 8.75e37, 1e38: x*4 is 2e38,
    # 2.5e38, 3e38, 3.5e38, 4e38) notes its last two; its points 7.5e37 and
    # 8.75e37 are points 10000 and 15000 of the long one: the same notes
    assert results[10000]["note"] is None
    assert results[15000]["note"] == _beyond(results[15000], "3.5e+38")
    _, short = _grad(cli, "x*4/4", "5e37:1e38:5")
    assert [r["note"] for r in short] == [
        None,
        None,
        None,
        _beyond(short[3], "3.5e+38"),
        _beyond(short[4], "4e+38"),
    ]


def test_an_overflowing_part_of_a_constant_f_is_named_not_called_a_pole(cli: Cli) -> None:
    # exp(x)/exp(x - 1) = e: its derivative is 0. In float32 exp(x) overflows
    # for x > log(FLOAT32_MAX) = 88.72...: exp(90) = 1.2204e39, exp(100) =
    # 2.6881e43, so torch's forward value is inf/inf = nan and its gradient nan
    code, results = _grad(cli, "exp(x)/exp(x - 1)", "90:100:20001")
    assert code == 1
    assert len(results) == 20001
    for r in results:
        assert r["verdict"] == "DISAGREE"
        assert r["symbolic"] == 0.0
        assert r["note"].startswith(
            "autograd's forward pass overflows float32 here: exp(x) is about "
        ), r["note"]
    assert results[0]["note"] == (
        "autograd's forward pass overflows float32 here: exp(x) is about 1.22e+39, beyond "
        "float32's range (about 3.4e38), so torch computes inf and its gradient is nan; "
        "the derivative is 0 (the closed form, evaluated exactly)"
    )
    assert "exp(x) is about 2.69e+43," in results[-1]["note"]
