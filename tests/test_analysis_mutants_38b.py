"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 38, part b: stop 37's last change, ca692e4, a side read where it has
values past an edge or hole nearer than the probes; and a kill that change
undid).

Pinned here, each by a fact worked out by hand and checked with mpmath (never
derivcli's own output recorded as the expectation):

- _settle takes one more step where growing quotients grow by less at the
  last step than at the one before (|v3|*|v1| < v2**2, as h**-p never does),
  also where the values are far below 1: 2**-1623*(x*abs(x) + sqrt(x +
  2**-2048)) has the derivative 2**-600 at 0, not a right derivative of inf;
- _defined_beside looks at f at 2**-64 (and 2**-1024) beside the point: a hole
  in f's domain at 2**-63 along the other variable of a mixed partial is no
  edge of it;
- _deep_jump and _gap take both sides by default, each at 2**-k itself, and
  the farther side's gap: a jump of f on one side only is found on either,
  and holes next to the deep steps leave f continuous;
- _settle's one more step is 2**-(8192 + offset), and a hole on a step is read
  at finer steps only; _gap_exponents starts at 2**-1024 itself;
- _edge_jump looks deeper only beside a side that shrank to 0;
- examine's undecided answer for sides with no quotients at 2**-4096 (reached
  again since stop 37 reads past a hole at 2**-1023).

Several cases sit at x = 2**1000, where the quotients' steps start 2**-1001
further down than the gaps' and deep jumps' steps: holes placed on the latter
leave the former alone.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

import json
from typing import Any

import mpmath
import pytest
from conftest import Cli, CliRun

EDGE_NOTE = "edge of the function's real domain"


def _run(cli: Cli, command: str, text: str, at: str, *wrt: str) -> CliRun:
    args = [a for name in wrt for a in ("--wrt", name)]
    return cli(command, text, *args, "--at", at, "-f", "json", "--timeout", "60")


def _result(run: CliRun) -> dict[str, Any]:
    assert run.err == "", run.err
    assert run.code in (0, 1)
    results = json.loads(run.out)["results"]
    assert len(results) == 1
    return dict(results[0])


# ---------------------------------------------------------------- _settle: growing_slower


def test_a_growth_that_slows_below_1_is_followed_one_step_further(cli: Cli) -> None:
    # f = 2**-1623*(x*abs(x) + sqrt(x + 2**-2048)), defined for x >= -2**-2048,
    # so 0 is inside its domain. By hand: f'(0) = 2**-1623*(0 + 1/(2*2**-1024))
    # = 2**-1623*2**1023 = 2**-600 on both sides. The right quotients grow as
    # 2**-1623*h**-1/2 while h >> 2**-2048 (about 2**-1111 at 2**-1024), are
    # 0.41*2**-600 or so at 2**-2048 and settle on 2**-600 below it: at 2**-1024,
    # 2**-2048, 2**-4096 they grow (by 1.5 or more each step, read "inf"), but
    # by less at the last step than at the one before, |v3|*|v1| < v2**2,
    # so one more step is taken, where they have settled on 2**-600. Kills
    # analysis.py:818e718f:54:num_inc:0 (``< values[-2] ** 3``: with values far
    # below 1, v2**3 is below v1*v3 (2**-1801 against 2**-1711), the growth
    # read as steady, and the right derivative as inf: "not differentiable")
    with mpmath.workprec(20000):
        c, e = mpmath.mpf(2) ** -1623, mpmath.mpf(2) ** -2048

        def f(x: Any) -> Any:
            return c * (x * abs(x) + mpmath.sqrt(x + e))

        for h in (mpmath.mpf(2) ** -6000, mpmath.mpf(2) ** -9000):
            for quotient in ((f(h) - f(0)) / h, (f(0) - f(-h)) / h):
                assert abs(quotient / mpmath.mpf(2) ** -600 - 1) < mpmath.mpf(2) ** -900
    run = _run(cli, "grad", "2**-1623*(x*abs(x) + sqrt(x + 2**-2048))", "x=0")
    result = _result(run)
    assert result["differentiable"] is True
    assert result["left"] == 2.0**-600
    assert result["right"] == 2.0**-600
    assert result["symbolic"] == 2.0**-600


# ---------------------------------------------------------------- _defined_beside


def test_a_hole_at_2_to_the_minus_63_along_the_other_variable_is_no_edge(cli: Cli) -> None:
    # g(t) = sqrt((t**2 - 1)**2 - 1/4) has a value for t**2 <= 1/2 or
    # t**2 >= 3/2, none in between (g(1) = sqrt(-1/4)). f = g(x*2**1023) +
    # g(x*2**63) + x*abs(y) at (0, 0), d2/dxdy: f has no value at x = +-2**-63
    # (second g) nor at x = +-2**-1023 (first g, a point the quotients at
    # 2**-1024 use), but has one for |x| < 2**-1023/sqrt(2), so it is defined on
    # both sides of the point along x: no edge. By hand: g'(t) = 2*t*(t**2 -
    # 1)/g(t) is 0 at t = 0, so df/dx at x = 0 is abs(y), whose sides along y at
    # 0 are -1 and 1: a corner, not differentiable. The hole at 2**-63 was read
    # by the test in test_analysis_mutants_32c.py until stop 37, which since
    # reads the sides along x and gives the corner before asking. Kills
    # analysis.py:21c5909f:10:num_dec:0 (f looked for at 2**-63 along x, where
    # it has no value, and at 2**-1023 by the quotients' steps: "f is undefined
    # on one side along x", no sides)
    with mpmath.workdps(50):

        def g(t: Any) -> Any:
            return ((t**2 - 1) ** 2 - mpmath.mpf(1) / 4) ** mpmath.mpf(0.5)

        assert mpmath.im(g(mpmath.mpf(1))) != 0  # no real value at t = 1
        assert mpmath.diff(g, 0) == 0
        assert ((mpmath.mpf(1) / 2 - 1) ** 2 - mpmath.mpf(1) / 4) == 0  # t**2 = 1/2: the edge
    hole = "sqrt(((x*2**{})**2 - 1)**2 - 0.25)"
    text = f"{hole.format(1023)} + {hole.format(63)} + x*abs(y)"
    run = _run(cli, "partial", text, "x=0,y=0", "x", "y")
    result = _result(run)
    assert run.code == 1
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == (-1.0, 1.0)
    assert "undefined on one side" not in result["note"]


# ---------------------------------------------------------------- _deep_jump: both sides by default


@pytest.mark.parametrize(
    ("sign", "limits"),
    [
        # (sign(x)**2 - sign(x))/2 is 1 for x < 0, 0 at 0 and for x > 0: f jumps
        # on the left only
        ("-", "(left limit 2.58e-869, value 9.06e-2129, right limit 0;"),
        # (sign(x)**2 + sign(x))/2 is 1 for x > 0, 0 at 0 and for x < 0: f jumps
        # on the right only
        ("+", "(left limit 0, value 9.06e-2129, right limit 2.58e-869;"),
    ],
)
def test_a_deep_jump_on_one_side_only_is_found_on_either(cli: Cli, sign: str, limits: str) -> None:
    # f = x + e**-4900 + e**-2000*s(x), s a step of 1 on one side of 0 only. By
    # hand: f(0) = e**-4900 (9.06e-2129), f -> e**-4900 on the side without the
    # step and e**-4900 + e**-2000 (2.58e-869) on the other: f jumps at 0 by
    # e**-2000, so there is no derivative, though the one-sided quotients of f'
    # (1 beside 0 on both sides) meet. The sides of f shrink to 0 through
    # 2**-4096 (e**-2000 is about 2**-2885), so the jump is found below the
    # probes' steps by _deep_jump, from the gaps to f's value on both sides.
    # Kills analysis.py:517b43cc:81:neg_drop:0 (sides (1, +1): the right side
    # twice) and analysis.py:517b43cc:82:num_dec:0 (sides (0, +1): a gap of 0
    # at the point itself) with the left step, and analysis.py:517b43cc:86:num_neg:0
    # (sides (-1, -1)) and analysis.py:517b43cc:86:num_dec:0 (sides (-1, 0))
    # with the right one: each read the step's side out, "differentiable, 1".
    # Kills analysis.py:f5a967dd:7:max_min:0 too, with either (_gap's nearer
    # side's gap taken, min, not the farther's: the side without the step), and
    # analysis.py:f5a967dd:56:neg_drop:0 with the right one (``values[:1]``:
    # the left side's gap only)
    with mpmath.workdps(40):
        assert mpmath.nstr(mpmath.exp(-2000), 3) == "2.58e-869"
        assert mpmath.nstr(mpmath.exp(-4900), 3) == "9.06e-2129"
    run = _run(cli, "grad", f"x + exp(-4900) + exp(-2000)*(sign(x)**2 {sign} sign(x))/2", "x=0")
    result = _result(run)
    assert run.code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert "the function being differentiated jumps at x=0 " + limits in result["note"]
    assert "it jumps by about 2.58e-869, below the probes' steps" in result["note"]


# ---------------------------------------------------------------- _gap: both sides by default


@pytest.mark.parametrize("sign", ["-", "+"])
def test_a_tiny_jump_on_one_side_only_is_found_on_either(cli: Cli, sign: str) -> None:
    # f = 1 + x + 2**-200*s(x), s = (sign(x)**2 -+ sign(x))/2 a step of 1 on
    # the left ("-") or the right ("+") of 0 only, 0 at 0. By hand: f(0) = 1,
    # f -> 1 on the side without the step and 1 + 2**-200 on the other: f jumps
    # at 0 by 2**-200 (6.223015278e-61), so there is no derivative, though f'
    # is 1 beside 0 on both sides. The side limits meet to 2**-100, so the jump
    # is found by _tiny_jump, from _gap's gaps to f's value on both sides (its
    # default sides). Kills analysis.py:9cc81ce2:24:neg_drop:0 (sides (1, +1):
    # the right side twice) with the left step and
    # analysis.py:9cc81ce2:29:num_neg:0 (sides (-1, -1)) with the right one:
    # "differentiable, 1"
    assert mpmath.nstr(mpmath.mpf(2) ** -200, 10) == "6.223015278e-61"
    run = _run(cli, "grad", f"1 + x + 2**-200*(sign(x)**2 {sign} sign(x))/2", "x=0")
    result = _result(run)
    assert run.code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert "the function being differentiated jumps at x=0" in result["note"]
    assert "it jumps by about 6.223015278e-61" in result["note"]


# ---------------------------------------------------------------- examine: the undecided sides


def test_f_without_values_at_2_to_the_minus_4095_beside_a_corner_is_never_differentiable(
    cli: Cli,
) -> None:
    # g(t) = sqrt((t**2 - 1)**2 - 1/4) has a value for t**2 <= 1/2 or t**2 >=
    # 3/2 only (g(1) = sqrt(-1/4)), and g'(0) = 0 (g'(t) = 2*t*(t**2 - 1)/g(t)).
    # f = g(x*2**1023) + g(x*2**4095) + abs(x) at 0: f has no value at |x| =
    # 2**-1023 (a point the quotients at 2**-1024 use) nor at |x| = 2**-4095
    # (the quotients at 2**-4096 use it), but has at 2**-64 and 2**-1024 and
    # for every |x| < 2**-4095/sqrt(2); there it is abs(x) plus a function
    # with slope 0 at 0: f'(0-) = -1, f'(0+) = 1, a corner, not differentiable
    # (by hand). derivcli may say so, or that it cannot decide (exit 3: no
    # one-sided quotients at 2**-4096, where a side is read as existing), but
    # never that f is differentiable. Until stop 37 the test for this answer
    # was the 2**-1023 hole alone (test_analysis_mutants_30a.py), which stop 37
    # reads past to the corner. Kills analysis.py:ab40bdf4:7:return_none:2
    # (examine's undecided answer dropped: the point passes for regular,
    # "differentiable", derivative 0)
    with mpmath.workdps(50):

        def g(t: Any) -> Any:
            return ((t**2 - 1) ** 2 - mpmath.mpf(1) / 4) ** mpmath.mpf(0.5)

        assert mpmath.im(g(mpmath.mpf(1))) != 0
        assert mpmath.diff(g, 0) == 0
    hole = "sqrt(((x*2**{})**2 - 1)**2 - 0.25)"
    run = _run(cli, "grad", f"{hole.format(1023)} + {hole.format(4095)} + abs(x)", "x=0")
    results = json.loads(run.out)["results"]
    assert len(results) == 1
    result = results[0]
    assert run.code in (1, 3)
    assert result["differentiable"] is not True
    assert result["verdict"] in ("not differentiable", "not computed")
    if result["differentiable"] is False:
        assert (result["left"], result["right"]) == (-1.0, 1.0)


# ---------------------------------------------------------------- _settle: one more step's offset


def test_one_more_step_far_from_0_is_taken_below_the_point_s_own_steps(cli: Cli) -> None:
    # At X = 2**1000 the steps start 2**-1001 further down (relative to X, so
    # 2**-(k + 1) absolute). f = 2**-1624*sign(u)*(sqrt(abs(u) + 2**-2050) -
    # 2**-1025), u = x - X, plus 0*log(abs(u*2**3000 - 2**-j)) for j = 3190 to
    # 3194: holes at u = 2**-6190, ..., 2**-6194 only. By hand: f is odd in u
    # and smooth at u = 0, f'(X) = 2**-1624/(2*sqrt(2**-2050)) = 2**-1624*2**1024
    # = 2**-600 on both sides (the holes are single points, 2**-6190 away).
    # The quotients grow as h**-1/2 while h >> 2**-2050, then settle on 2**-600:
    # their growth slows at the last step, 2**-4097, and one more is taken, at
    # 2**-(8192 + 1001) relative (2**-8193 absolute). Kills
    # analysis.py:f646e975:50:arith_add_sub:2 (``exponent - offset``: the step
    # 2**-(8192 - 1001) relative, 2**-6191 absolute, falls on the holes, and the
    # right side read as missing: "at the edge of the function's real domain")
    with mpmath.workprec(30000):
        c, e = mpmath.mpf(2) ** -1624, mpmath.mpf(2) ** -2050

        def f(u: Any) -> Any:
            return c * mpmath.sign(u) * (mpmath.sqrt(abs(u) + e) - mpmath.sqrt(e))

        for h in (mpmath.mpf(2) ** -6191, mpmath.mpf(2) ** -9000):
            for quotient in ((f(h) - f(0)) / h, (f(0) - f(-h)) / h):
                assert abs(quotient / mpmath.mpf(2) ** -600 - 1) < mpmath.mpf(2) ** -900
    u = "(x - 2**1000)"
    text = f"2**-1624*sign({u})*(sqrt(abs({u}) + 2**-2050) - 2**-1025)" + "".join(
        f" + 0*log(abs({u}*2**3000 - 2**-{j}))" for j in range(3190, 3195)
    )
    run = _run(cli, "grad", text, f"x={2.0**1000!r}")
    result = _result(run)
    assert result["differentiable"] is True
    assert result["left"] == 2.0**-600
    assert result["right"] == 2.0**-600
    assert result["symbolic"] == 2.0**-600


# ---------------------------------------------------------------- _edge_jump: a side met f's value


def test_an_edge_whose_side_meets_f_s_value_is_not_looked_at_further_down(cli: Cli) -> None:
    # f = sqrt(u)**3 + 1, u = x - 2**1000, at x = 2**1000, plus
    # 0*log(abs(u*2**4000 - 2**-j)) for j = 3192 to 3195: holes at u =
    # 2**-7192, ..., 2**-7195 only. By hand: f has no value for u < 0 (an edge),
    # f(X) = 1 and f(X + h) = 1 + h**1.5 -> 1 (right-continuous, no jump), and
    # the right derivative is lim h**0.5 = 0 (the holes are single points): not
    # differentiable, at an edge, right derivative 0. The right limit of f, 1,
    # meets f's value, so no jump is looked for below the probes' steps (only a
    # side that shrank to 0 beside a value that is not 0 is). Kills
    # analysis.py:c99dd1aa:9:bool_and_or:0 (``value or _shrunk(limit)``: the
    # one-sided _deep_jump asked because f's value, 1, is not 0, its gap at
    # 2**-8192 relative (2**-7192 absolute) falls on the holes and every finer
    # step tried: "cannot decide", exit 3)
    with mpmath.workprec(30000):
        for h in (mpmath.mpf(2) ** -7000, mpmath.mpf(2) ** -7193):
            quotient = (mpmath.sqrt(h) ** 3 + 1 - 1) / h
            assert abs(quotient / mpmath.sqrt(h) - 1) < mpmath.mpf(2) ** -100
    u = "(x - 2**1000)"
    text = f"sqrt({u})**3 + 1" + "".join(
        f" + 0*log(abs({u}*2**4000 - 2**-{j}))" for j in range(3192, 3196)
    )
    run = _run(cli, "grad", text, f"x={2.0**1000!r}")
    result = _result(run)
    assert run.code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert EDGE_NOTE in result["note"]
    assert "jumps" not in result["note"]
    assert result["left"] is None
    assert result["right"] == 0.0


# ---------------------------------------------------------------- _deep_jump: at 2**-k itself


@pytest.mark.parametrize("sign", ["-", "+"])
def test_holes_next_to_the_deep_steps_leave_f_continuous(cli: Cli, sign: str) -> None:
    # f = u + u*abs(u) + e**-4900, u = x - 2**1000, at x = 2**1000, plus
    # 0*log(abs(u*2**4000 -+ 2**-j)) for j = 3191 to 3194: holes at u =
    # +-2**-7191, ..., +-2**-7194 only (right of the point with "-", left with
    # "+"). By hand: f is continuous at the point (f(X) = e**-4900, f(X + h) =
    # e**-4900 + h + h*|h|), and f' = 1 + 2*|u| is 1 there, on both sides.
    # f's sides shrink to 0 through 2**-4096 (e**-4900 is 2**-7069, below them)
    # beside a value that is not 0, so _deep_jump compares f's gaps further
    # down, at 2**-8192 relative (2**-7192 absolute) and the next finer steps:
    # the holes leave 2**-7195 (the fourth try), where the gap is about h, and
    # f is continuous. Kills analysis.py:517b43cc:86:num_inc:0 (sides (-1, +2):
    # the right step doubled, 2**-7191 to 2**-7194, all holes) with "-" and
    # analysis.py:517b43cc:82:num_inc:0 (sides (-2, +1)) with "+": "cannot
    # decide", exit 3
    with mpmath.workdps(30):
        assert mpmath.exp(-4900) < mpmath.mpf(2) ** -7068
        assert mpmath.exp(-4900) > mpmath.mpf(2) ** -7070
    u = "(x - 2**1000)"
    text = f"{u} + {u}*abs({u}) + exp(-4900)" + "".join(
        f" + 0*log(abs({u}*2**4000 {sign} 2**-{j}))" for j in range(3191, 3195)
    )
    run = _run(cli, "grad", text, f"x={2.0**1000!r}")
    result = _result(run)
    assert result["differentiable"] is True
    assert (result["left"], result["right"], result["symbolic"]) == (1.0, 1.0, 1.0)
    assert "jumps" not in result["note"]


# ---------------------------------------------------------------- _finer_value: finer steps only


def test_a_hole_on_a_step_is_read_past_at_finer_steps_not_a_coarser_one(cli: Cli) -> None:
    # f = u*abs(u) + 2**-200*(1 - sign(u*2**4000 - 2**-96)**2) +
    # 0*log(abs(u*2**4000 - 2**-97)), u = x - 2**1000, at x = 2**1000: u*abs(u),
    # plus 2**-200 at the single point u = 2**-4096, and no value at the single
    # point u = 2**-4097. By hand: f(X) = 0 and f(X + h) = h*|h| at every other
    # h, so f'(X) = lim h*|h|/h = 0 on both sides (one point changes no limit).
    # The steps there are 2**-(k + 1) absolute: the right quotients shrink to 0
    # and are followed to 2**-4097, where f has no value; the value is taken at
    # the next finer steps, 2**-4098 on. Kills
    # analysis.py:4a22c33b:21:arith_add_sub:0 (``range(k - first, ...)``: the
    # coarser step 2**-4096 tried first, the quotient 2**-200/2**-4096 =
    # 2**3896 taken there, and the right derivative read as still changing:
    # "cannot decide", exit 3)
    u = "(x - 2**1000)"
    text = (
        f"{u}*abs({u}) + 2**-200*(1 - sign({u}*2**4000 - 2**-96)**2)"
        f" + 0*log(abs({u}*2**4000 - 2**-97))"
    )
    run = _run(cli, "grad", text, f"x={2.0**1000!r}")
    result = _result(run)
    assert result["differentiable"] is True
    assert (result["left"], result["right"], result["symbolic"]) == (0.0, 0.0, 0.0)


# ---------------------------------------------------------------- _gap_exponents: from 2**-1024 on


def test_holes_on_the_first_gap_steps_beside_a_slow_corner_like_side(cli: Cli) -> None:
    # f = u + 2**-110*relu(abs(u) - 2**-1030), u = x - 2**1000, at x =
    # 2**1000, plus 0*log(abs(u + 2**-j)) for j = 24 to 27: holes at u =
    # -2**-24, ..., -2**-27 only, that is at the gaps' first steps 2**-1024 to
    # 2**-1027 relative to 2**1000 (the one-sided quotients' own steps start
    # 2**-1001 further down, at 2**-257 absolute). By hand: for |u| < 2**-1030
    # the relu term is 0 and f = u, so f'(X) = 1 on both sides: differentiable,
    # 1 (autograd agrees). The quotients at 2**-257 to 2**-4097 see the relu
    # (1 -+ 2**-110 or so, apart below 60 bits): the gaps between the sides
    # are read, from 2**-1024 on; where it and its three finer tries have no
    # gap but 2**-4096 has one, the steps are doubled (2**-2048 on, where the
    # gap is 0). Kills analysis.py:6b93faca:89:num_dec:0 (_finer_value from
    # 2**-1023, where the gap has a value: the steps kept at 2**-1024, none of
    # whose tries has one, and "cannot decide", exit 3)
    u = "(x - 2**1000)"
    text = f"{u} + 2**-110*relu(abs({u}) - 2**-1030)" + "".join(
        f" + 0*log(abs({u} + 2**-{j}))" for j in range(24, 28)
    )
    run = _run(cli, "grad", text, f"x={2.0**1000!r}")
    result = _result(run)
    assert result["differentiable"] is True
    assert (result["left"], result["right"], result["symbolic"]) == (1.0, 1.0, 1.0)
    assert result["verdict"] == "agree"


def test_a_gap_at_2_to_the_minus_1024_itself_keeps_the_first_gap_steps(cli: Cli) -> None:
    # The f of the test above, u + 2**-110*relu(abs(u) - 2**-1030) at u = 0
    # (x = 2**1000), f' = 1 on both sides (by hand: f = u for |u| <
    # 2**-1030), now with holes at u = -2**-25, -2**-26, -2**-27 (the gaps'
    # steps 2**-1025 to 2**-1027 relative to 2**1000, not 2**-1024) and at u =
    # -2**-7192, ..., -2**-7195 (2**-8192 to 2**-8195 relative:
    # 0*log(abs(u*2**4000 + 2**-j)), j = 3192 to 3195). The gap at 2**-1024
    # has its value, so the gaps are read at 2**-1024, 2**-2048, 2**-4096.
    # Kills analysis.py:6b93faca:89:num_inc:0 (_finer_value from 2**-1025:
    # no gap there nor at the next two, the steps doubled to 2**-2048,
    # 2**-4096, 2**-8192, and the last meets the holes at every try: "cannot
    # decide", exit 3)
    u = "(x - 2**1000)"
    text = (
        f"{u} + 2**-110*relu(abs({u}) - 2**-1030)"
        + "".join(f" + 0*log(abs({u} + 2**-{j}))" for j in range(25, 28))
        + "".join(f" + 0*log(abs({u}*2**4000 + 2**-{j}))" for j in range(3192, 3196))
    )
    run = _run(cli, "grad", text, f"x={2.0**1000!r}")
    result = _result(run)
    assert result["differentiable"] is True
    assert (result["left"], result["right"], result["symbolic"]) == (1.0, 1.0, 1.0)
