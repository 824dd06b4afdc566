"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py (issue 16).

Each test pins a mathematical fact worked out by hand (or with mpmath at 50
digits) and names the mutant(s) it kills: ``.venv/bin/python tools/mutate.py
--show ID`` prints one. Helpers the CLI cannot reach precisely are tested
directly.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import mpmath
import pytest
from conftest import Cli, count_beside_values, one, screen_grid

from derivcli.language.evaluate import compile_tree
from derivcli.language.parser import parse

# ---------------------------------------------------------------- is_total


@pytest.mark.parametrize(
    ("text", "total"),
    [
        # products, sums and whole powers of variables, smooth everywhere
        ("x*y + sin(x)", True),
        ("x**3*exp(y)", True),
        ("x/2 + y*x", True),  # division by a nonzero number
        ("x**0 + y", True),  # a power 0 is 1 everywhere (0**0 = 1 too)
        # a division by a variable has a pole at 0; a fractional power an edge
        ("x/y", False),
        ("x**0.5", False),
        ("x**y", False),
        ("abs(x)", False),  # a kink
        ("log(x)", False),  # partial: undefined for x <= 0
    ],
)
def test_which_functions_are_total(text: str, total: bool) -> None:
    # kills analysis.py:f38bca9c:18:bool_and_or:0 (x*y: "or" makes any binary
    # operation whose right side is not a number count as a division)
    # x**0 kills analysis.py:dd928ae3:75:cmp_ge_gt:0 and
    # analysis.py:dd928ae3:78:num_inc:0 (exponent 0 taken for a pole)
    from derivcli.symbolic.analysis import is_total

    assert is_total(parse(text).tree) is total


# ---------------------------------------------------------------- long grids


def test_a_long_grid_has_f_and_its_overflows_at_every_point() -> None:
    # exp(x) on 5,001 points of [0, 720]: long enough for the float64 screen
    # (5,001*(2 + 40) > 200,000). f's value must be there at every point, and
    # autograd's forward pass overflows exactly where x > log(FLOAT64_MAX)
    # = 709.78...: kills analysis.py:e9b89812:0:continue_break:0 (the screen's
    # first float64 point ended the loop)
    from derivcli.autograd.values import make_points
    from derivcli.language.points import Grid, PointSpec
    from derivcli.symbolic import analysis

    count = 5001
    points = make_points(PointSpec(("x",), ((("x", Grid(0.0, 720.0, count)),),), count))
    request = analysis.make_request(parse("exp(x)"), [("x",)], budget=60.0)
    response = analysis.run(request, points)
    xs = [float(v) for v in points.columns["x"]]
    assert len(response.function_values) == count
    limit = math.log(sys.float_info.max)
    for x, f in zip(xs, response.function_values, strict=True):
        if x < limit:
            assert f == pytest.approx(math.exp(x), rel=1e-13)
        else:
            assert f == math.inf
    assert set(response.overflows) == {i for i, x in enumerate(xs) if x > limit}
    # exp(720) = 10**(720/ln 10) = 10**312.69
    assert response.overflows[count - 1].startswith("exp(x) is about 4.9")
    assert response.overflows[count - 1].endswith("e+312")


def test_a_long_overflowing_part_is_cut_in_the_note(cli: Cli) -> None:
    # u = 1000x + sin x + cos x + tanh x + atan x + asinh x + x is about 1003.6
    # at x = 1, so exp(u) is about 1e435: past float64, while log(exp(u)) = u and
    # its derivative are not. The note names the part, cut to 57 characters and
    # "...": kills analysis.py:551b0fa0:13:num_inc:0 and :num_neg:0
    inner = "x*1000 + sin(x) + cos(x) + tanh(x) + atan(x) + asinh(x) + x"
    part = f"exp({inner})"
    assert len(part) > 60
    run = cli("grad", f"log({part})", "--at", "x=1", "-f", "json")
    result = one(run)
    with mpmath.workdps(50):  # (not mpmath.mp.dps = 50: the whole session's precision)
        one_ = mpmath.mpf(1)
        u = 1000 + mpmath.sin(one_) + mpmath.cos(one_) + mpmath.tanh(one_)
        u += mpmath.atan(one_) + mpmath.asinh(one_) + one_
        size = mpmath.nstr(mpmath.exp(u), 3, min_fixed=1, max_fixed=0)  # 1.2e+435 style
    mantissa, exponent = size.split("e")
    expected = f"{part[:57]}... is about {mantissa}e+{int(exponent)}"
    assert expected in result["note"]
    assert part[:58] + "..." not in result["note"]


# ---------------------------------------------------------------- kinks along a line


def test_a_constant_nonzero_kink_argument_is_not_zero_along_a_line() -> None:
    # x*z + 1 at z = 0 is the constant 1 for every x, not 0:
    # kills analysis.py:b8e64ad6:21:num_inc:0 (built == 1 read as zero)
    from derivcli.symbolic.analysis import _identically_zero

    assert not _identically_zero(parse("x*z + 1").tree, {"z": 0.0})
    assert not _identically_zero(parse("1 + 0*x").tree, {})
    assert _identically_zero(parse("x*z").tree, {"z": 0.0})


# ---------------------------------------------------------------- flat around a point


def test_flat_around_needs_both_sides() -> None:
    # relu(x) is 0 left of 0 but x right of it, relu(-x) the mirror image: neither
    # is constant on any neighbourhood of 0. hardshrink(x) is 0 on [-1/2, 1/2].
    # Kills analysis.py:67d410e7:39:num_dec:0 (only the left side checked)
    from derivcli.symbolic.analysis import _flat_around

    def flat(text: str, wrt: tuple[str, ...], **point: float) -> bool | None:
        return _flat_around(compile_tree(parse(text).tree), point, wrt)

    assert not flat("relu(x)", ("x",), x=0.0)
    assert not flat("relu(-x)", ("x",), x=0.0)
    assert flat("hardshrink(x)", ("x",), x=0.0)
    assert flat("hardshrink(x)*y", ("x", "y"), x=0.0, y=2.0)
    assert not flat("relu(y)*hardshrink(x)", ("x", "y"), x=1.0, y=0.0)
    # log(x) has no value at x = -1: it is not constant around it (kills
    # analysis.py:34fa48af:7:false_true:1)
    assert not flat("log(x)", ("x",), x=-1.0)


def test_a_flat_point_has_both_sides_0(cli: Cli) -> None:
    # hardshrink(z - y) is 0 while |z - y| <= 1/2, so f = hardshrink(z - y)**(1/3)
    # is 0 all around (0, 0.000555): every derivative, and each of its one-sided
    # derivatives, is 0. Kills analysis.py:81edaf9e:50:num_inc:0 (right side 1)
    run = cli(
        "partial",
        "hardshrink(z - y)**(1 / 3)",
        *("--wrt", "y", "--wrt", "z", "--wrt", "z"),
        *("--at", "y=0,z=0.000555", "-f", "json"),
    )
    result = one(run)
    assert result["differentiable"] is True and result["symbolic"] == 0.0
    assert result["left"] in (0.0, None) and result["right"] in (0.0, None)
    assert {result["left"], result["right"]} != {None}


# ---------------------------------------------------------------- jumps


@pytest.mark.parametrize(
    ("zeros", "shown"),
    [
        # the overflowing part is named in full up to 60 characters, and cut to 57
        # and "..." past that. Kills analysis.py:f2c38421:15:num_dec:0 (cut at 59)
        (48, "exp(x + 0.0000000000000000000000000000000000000000000000001) is about"),
        (49, "exp(x + 0.00000000000000000000000000000000000000000000000... is about"),
    ],
)
def test_the_part_that_overflows_is_named_up_to_60_characters(
    cli: Cli, zeros: int, shown: str
) -> None:
    text = f"log(exp(x + 0.{'0' * zeros}1))"
    run = cli("grad", text, "--at", "x=1000", "-f", "json")
    result = one(run)
    assert result["verdict"] == "DISAGREE" and shown in result["note"]


def test_a_tiny_jump_is_measured_from_f_s_value(cli: Cli) -> None:
    # 1 + heaviside(x)*1e-40 at 0: left limit 1, value 1 + 5e-41 (heaviside(0)
    # is 1/2), right limit 1 + 1e-40, all within the limits' 2**-100. The jump
    # is f's distance to its sides, 5e-41 each, not the sides' distance to each
    # other, 1e-40. Kills analysis.py:e0ef3a38:34:num_dec:0 (left minus right)
    run = cli("grad", "1 + heaviside(x)*1e-40", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert "it jumps by about 5e-41, below the side limits' resolution" in result["note"]


def test_a_jump_of_f_at_a_point_is_not_called_tiny(cli: Cli) -> None:
    # heaviside(x**2) is 1 on both sides of 0 and 1/2 at 0: a jump of 1/2 in f,
    # far above any resolution of the limits. Kills
    # analysis.py:ee4b33a7:36:num_dec:0 (f's value not compared with the limits,
    # so the jump was found only as one "below the side limits' resolution")
    run = cli("grad", "heaviside(x**2)", "--at", "x=0", "-f", "json")
    result = one(run)
    assert result["differentiable"] is False
    assert "jumps at x=0 (left limit 1, value 0.5, right limit 1)" in result["note"]
    assert "resolution" not in result["note"]


# ---------------------------------------------------------------- mixed partials


def test_an_undecided_mixed_partial_names_the_order_below(cli: Cli) -> None:
    # hardswish(x) is 0 for x <= -3, so near (-3.428, 1) f = sqrt(0) + x*z = x*z
    # and d2/dxdz = 1. The closed form of d/dx is 0/0 + z along z, so the
    # one-sided derivatives along z cannot be taken from it: derivcli must not
    # call the point not differentiable, and if it cannot decide, the note names
    # the derivative of order 1. Kills analysis.py:248709af:33:num_dec:0
    run = cli(
        "partial",
        "sqrt(hardswish(x)*z) + x*z",
        *("--wrt", "x", "--wrt", "z", "--at", "x=-3.428,z=1", "-f", "json"),
    )
    result = one(run)
    assert result["differentiable"] is not False
    if result["differentiable"] is None:
        assert "the closed form of the derivative of order 1 has no value" in result["note"]
    else:
        assert result["symbolic"] == 1.0


def test_a_hole_in_the_domain_away_from_the_point_is_not_an_edge(cli: Cli) -> None:
    # sqrt((y - a)**2 - r**2) with a = 5*2**-63, r = 2**-63 is undefined only for
    # y in (4, 6)*2**-63, an interval not touching y = 0: f is defined on
    # |y| < 2**-61, so d2/dydx at (0, 0) exists and is
    # (0 - a)/sqrt(a**2 - r**2) = -5/sqrt(24) (abs(x)**3 puts the point on a kink
    # with equal sides). Kills analysis.py:e4880c4d:36:num_x10:0 (steps at 0
    # relative to 10 instead of 1 probe y = 10*2**-64 = a, inside the hole)
    run = cli(
        "partial",
        "abs(x)**3 + x*sqrt((y - 5*2**-63)**2 - 2**-126)",
        *("--wrt", "y", "--wrt", "x", "--at", "x=0,y=0", "-f", "json"),
    )
    result = one(run)
    with mpmath.workdps(50):
        expected = float(-5 / mpmath.sqrt(24))
    assert result["differentiable"] is True
    assert result["symbolic"] == pytest.approx(expected, rel=1e-15)
    assert result["left"] == pytest.approx(expected, rel=1e-15)
    assert result["right"] == pytest.approx(expected, rel=1e-15)


# ---------------------------------------------------------------- _limit


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [
        # steady growth with one sign, by 1.5 at each step (the least that counts)
        ((1, 1.5, 2.25), math.inf),
        ((-1, -1.5, -2.25), -math.inf),
        # ... also above -1: kills analysis.py:efd7a6e8:78:num_dec:0 (c > -1)
        ((-0.1, -0.2, -0.4), -math.inf),
        ((1, 4, 64), math.inf),
        # growth that slows (1.2 then 1.67): not steady, no limit read
        ((1, 1.2, 2), math.nan),
        ((10, 11, 20), math.nan),
        # signs that change: no limit
        ((1, -2, 4), math.nan),
        # shrinking by 256 and more at each step: 0
        ((1, 2.0**-8, 2.0**-16), 0.0),
        # the last two agree: that value
        ((5, 3, 3), 3.0),
    ],
)
def test_the_limit_of_a_sequence(sequence: tuple[float, ...], expected: float) -> None:
    # kills analysis.py:a61e7dfc:26:cmp_ge_gt:0 (1.5 exactly), :29:num_neg:0 and
    # :34:arith_mul_div:0 (1, 1.2, 2 and 10, 11, 20 are not steady growth)
    from derivcli.language.evaluate import gmpy2
    from derivcli.symbolic.analysis import _limit

    m = gmpy2()
    found = _limit([m.mpfr(v) for v in sequence])
    assert found is not None
    if math.isnan(expected):
        assert math.isnan(found)
    else:
        assert found == expected


# ---------------------------------------------------------------- lower orders, one side


def test_a_lower_closed_form_undefined_on_one_side_is_not_a_jump(cli: Cli) -> None:
    # f = x**3*sqrt(max(x, 0)) is 0 left of 0 and x**3.5 right of it, so f'' is 0 on
    # the left and 8.75*x**1.5 on the right: both sides tend to 0, and f'' at 0 is 0.
    # f's closed form f' = 3*x**2*sqrt(max(x, 0)) + x**3*heaviside(x)/(2*sqrt(max(x, 0)))
    # is 0/0 left of 0: having no side there is not a jump of f'. Kills
    # analysis.py:f2a4b82d:17:bool_or_and:0 (a side without a value read as a jump)
    run = cli("grad", "x**3*sqrt(max(x, 0))", "--at", "x=0", "--order", "2", "-f", "json")
    result = one(run)
    assert result["differentiable"] is True and result["symbolic"] == 0.0
    assert result["left"] == 0.0 and result["right"] == 0.0
    assert "jumps" not in result["note"]


def test_a_lower_pure_derivative_from_f_that_is_not_zero(cli: Cli) -> None:
    # f = sign(cos(x) - 1)/z + z is z on x = 0 (sign(0) = 0) and z - 1/z beside it
    # (cos(x) < 1). So d/dz f is 1 at x = 0 and 1 + 1/z**2 beside it: it jumps along
    # x, and d/dx of it does not exist. The closed form -sign(cos(x) - 1)/z**2 + 1 has
    # the same sides and no step at x = 0 to show it; f's own differences along z
    # give 1 from both sides. Kills analysis.py:de7cdff0:50:num_dec:0 (the left
    # difference taken with a step of 0, which gives 0 instead of 1)
    z = 1.99
    run = cli(
        "partial",
        "sign(cos(x) - 1) / z + z",
        *("--wrt", "z", "--wrt", "x", "--at", f"x=0,z={z}", "-f", "json"),
    )
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert "the derivative of order 1 jumps at x=0" in result["note"]
    assert f"value 1, right limit {1 + 1 / z**2:.10g}" in result["note"]


@pytest.mark.parametrize(
    ("expression", "limits", "size"),
    [
        # f = 1e-305*(floor(x) + 1) + min(x, 0)**2 is x**2 left of 0 (which shrinks
        # to 0) and 1e-305 from 0 on: f jumps by 1e-305 at 0. Side limits under
        # 1e-300 are not told apart (a float limit of 0 beside a tiny exact one), so
        # the note gives the jump's size from f's values beside the point. Kills
        # analysis.py:67861bc0:13:num_neg:0 (the 1e-300 clause never true)
        ("1e-150*1e-155*(floor(x) + 1) + min(x, 0)**2", "(left limit 0", "1e-305"),
        # f = 5e-301*(0 - floor(x)) + max(x, 0)**2 is 5e-301 left of 0, 0 at 0 and
        # x**2 right of it (which shrinks to 0): f jumps by 5e-301 at 0, a left
        # limit between 1e-301 and 1e-300 beside a right one of 0. Kills
        # analysis.py:67861bc0:13:num_div10:0 (limits under 1e-301 only told apart)
        ("1e-150*5e-151*(0 - floor(x)) + max(x, 0)**2", "(left limit 5e-301, value 0", "5e-301"),
    ],
)
def test_a_jump_beside_a_side_shrinking_to_0_gives_its_size(
    cli: Cli, expression: str, limits: str, size: str
) -> None:
    run = cli("grad", expression, "--at", "x=0", "-f", "json")
    result = one(run)
    assert result["differentiable"] is False
    note = result["note"]
    assert f"the function being differentiated jumps at x=0 {limits}" in note
    assert f"it jumps by about {size}" in note


def test_a_higher_derivative_at_an_edge_from_f_on_its_side(cli: Cli) -> None:
    # f = x**3*sqrt(max(-x, 0)) + x**4*sqrt(x) is undefined left of 0 (sqrt(x)) and
    # x**4.5 right of it, so f'' there is 15.75*x**2.5: right f''(0) = 0, no left one.
    # f's closed form f' is 0/0 right of 0 (x**3*heaviside(-x)/sqrt(max(-x, 0))), so
    # the right side comes from f's own differences. Kills
    # analysis.py:35b04669:67:num_neg:0 (f's definedness checked on the left instead)
    f = "x**3*sqrt(max(-x, 0)) + x**4*sqrt(x)"
    run = cli("grad", f, "--at", "x=0", "--order", "2", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert result["left"] is None and result["right"] == 0.0
    assert "undefined on the left, so only the right derivative exists" in result["note"]


def test_a_long_grid_still_finds_its_kinks_and_edges(cli: Cli) -> None:
    # abs(x) + acos(x/2500) on the 5,001 whole numbers -2500..2500: long enough for
    # the float64 screen (5,001*(instructions + 40) > 200,000), which must still send
    # the kink and the edges to the exact check. At 0 abs has its kink: left
    # derivative -1 - 1/2500, right 1 - 1/2500. At -2500 acos(-1) is the edge of its
    # domain [-1, 1]: no left side, and the right one is -inf (-1/sqrt(0) over
    # 2500). Kills analysis.py:64bd10b1:14:num_neg:0 (the screen flags nothing) and
    # analysis.py:3a090ccd:20:num_inc:0 (a one-argument function's edge read from a
    # second argument)
    run = cli("grad", "abs(x) + acos(x/2500)", "--at", "x=-2500:2500:5001", "-f", "json")
    results = {r["point"]["x"]: r for r in run.json()["results"]}
    assert len(results) == 5001
    kink = results[0.0]
    assert kink["differentiable"] is False
    assert kink["left"] == pytest.approx(-1 - 1 / 2500, rel=1e-15)
    assert kink["right"] == pytest.approx(1 - 1 / 2500, rel=1e-15)
    edge = results[-2500.0]
    assert edge["differentiable"] is False
    assert edge["left"] is None and edge["right"] == "-inf"
    # and a plain point between them: 1 - 1/(2500*sqrt(1 - (1/2500)**2))
    with mpmath.workdps(50):
        plain = float(1 - 1 / (2500 * mpmath.sqrt(1 - mpmath.mpf(1) / 2500**2)))
    assert results[1.0]["differentiable"] is True
    assert results[1.0]["symbolic"] == pytest.approx(plain, rel=1e-14)


def test_a_finite_difference_with_no_value_on_its_side() -> None:
    # sqrt(x) has no value left of 0, so no left second difference; right of 0 the
    # second difference (sqrt(3h) - 2*sqrt(2h) + sqrt(h))/h**2 is
    # (sqrt(3) - 2*sqrt(2) + 1)/h**1.5 = -0.0964/h**1.5, which tends to -inf.
    # Kills analysis.py:6bde1d75:7:return_none:0 (no pair returned for a missing
    # value)
    from derivcli.symbolic.analysis import _finite_difference

    f = compile_tree(parse("sqrt(x)").tree)
    assert _finite_difference(f, {"x": 0.0}, "x", -1, 2) is None
    assert math.sqrt(3) - 2 * math.sqrt(2) + 1 < 0
    assert _finite_difference(f, {"x": 0.0}, "x", +1, 2) == -math.inf


# ---------------------------------------------------------------- the time budget


def test_the_budget_gives_up_only_when_the_pace_would_overrun(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Begun at 0 with a deadline of 100, 10 points done at 30: 3 s a point, and past
    # a quarter of the budget. With 10 points left the rest takes 30 s more, done at
    # 60 < 100: go on. With 30 left it takes 90 s more, done at 120 > 100: give up.
    # Kills analysis.py:9fb4ca25:42:arith_sub_add:0 (the points left counted as
    # count + done)
    from types import SimpleNamespace

    from derivcli.errors import BudgetError
    from derivcli.symbolic import analysis

    monkeypatch.setattr(analysis, "time", SimpleNamespace(monotonic=lambda: 30.0))
    analysis._on_time(100.0, 0.0, 10, 20)  # no error
    with pytest.raises(BudgetError):
        analysis._on_time(100.0, 0.0, 10, 40)


# ---------------------------------------------------------------- which grids are exact


@pytest.mark.parametrize(("count", "approximate"), [(4878, 0), (4879, 4879)])
def test_the_exact_work_limit_counts_40_per_point(count: int, approximate: int) -> None:
    # f = x and its derivative 1 are one instruction each, so a grid of n points
    # costs n*(1 + 40) instruction-evaluations: 4,878*41 = 199,998 is within
    # EXACT_WORK = 200,000 (every point exact), 4,879*41 = 200,039 is not (the
    # float64 screen, which finds nothing special, gives every value). Kills
    # analysis.py:3fedb42e:17:num_inc:0 (41 a point: 4,878*42 = 204,876 screened)
    from derivcli.autograd.values import make_points
    from derivcli.language.points import Grid, PointSpec
    from derivcli.symbolic import analysis

    points = make_points(PointSpec(("x",), ((("x", Grid(-1.0, 1.0, count)),),), count))
    request = analysis.make_request(parse("x"), [("x",)], budget=60.0)
    response = analysis.run(request, points)
    assert response.approximate == approximate
    assert response.derivatives[0].values == [1.0] * count


def test_the_budget_is_checked_every_16_points_of_a_derivative(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A clock that moves 1 s for each point of the derivative examined, and a
    # budget of 10.5 s: the check before point 16 finds 16 s spent and gives up
    # with "16 done". Kills analysis.py:aae9ad92:7:num_inc:0 (checked every 17 points)
    from types import SimpleNamespace

    from derivcli.autograd.values import make_points
    from derivcli.errors import BudgetError
    from derivcli.language.points import Grid, PointSpec
    from derivcli.symbolic import analysis

    count = 40
    points = make_points(PointSpec(("x",), ((("x", Grid(-1.0, 1.0, count)),),), count))
    request = analysis.make_request(parse("x**2"), [("x",)], budget=10.5)
    prepared = analysis.prepare(request, time.monotonic() + 60.0)  # on the real clock
    clock = [0.0]
    monkeypatch.setattr(analysis, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    at = analysis._Derivative.at

    def slow_at(self: Any, cache: Any, i: int) -> Any:
        clock[0] += 1.0
        return at(self, cache, i)

    monkeypatch.setattr(analysis._Derivative, "at", slow_at)
    with pytest.raises(BudgetError, match=r"at 40 points within the time budget \(16 done\)"):
        analysis.analyse(prepared, request, points, deadline=10.5)


# ---------------------------------------------------------------- holes between the probes


def test_f_with_a_hole_between_the_probes_is_not_called_undefined_beside(cli: Cli) -> None:
    # f = sqrt((v - 1)**2 - 1/4) + abs(x)**3 with v = (x*2**1023)**2 is defined
    # where v <= 1/2 or v >= 3/2: on |x| <= 2**-1023/sqrt(2) around 0 (and at the
    # probe steps 2**-64 and 2**-1024, v = 2**1918 and 1/4), but not at x = 2**-1023
    # (v = 1, sqrt(-1/4)), the far point of the one-sided quotients at step
    # 2**-1024. f is even and smooth near 0 but for abs(x)**3, so f'(0) = 0: it is
    # not "defined at this point but nowhere beside it", and the point is not "not
    # differentiable" (a real bug, found by analysis.py:da199b9d:28:num_dec:0,
    # which took the branch for orders above 1 at order 1 too)
    run = cli(
        "grad", "sqrt(((x*2**1023)**2 - 1)**2 - 0.25) + abs(x)**3", "--at", "x=0", "-f", "json"
    )
    result = one(run)
    assert result["differentiable"] is not False
    assert "nowhere beside it" not in (result["note"] or "")
    if result["differentiable"] is None:
        assert "f has no value at some of the steps beside the point along x" in result["note"]
    else:
        assert result["symbolic"] == 0.0


def test_a_flat_point_along_four_variables_is_not_called_not_differentiable(cli: Cli) -> None:
    # hardshrink(z - y + w - v) is 0 while |z - y + w - v| <= 1/2, so its cube root
    # f is 0 all around (y, z, w, v) = (0, 0.000555, 0, 0) and every derivative is 0.
    # The lower closed forms are 0/0 there (a cube root of a flat 0). f's flatness
    # is checked on the 3**n points of a small box for at most n = 3 variables;
    # with four, derivcli said "not differentiable" (a real bug, found by
    # analysis.py:97d0d6ca:16:num_inc:0, which checked four)
    run = cli(
        "partial",
        "hardshrink(z - y + w - v)**(1 / 3)",
        *("--wrt", "y", "--wrt", "z", "--wrt", "w", "--wrt", "v"),
        *("--at", "y=0,z=0.000555,w=0,v=0", "-f", "json"),
    )
    result = one(run)
    assert result["differentiable"] is not False
    if result["differentiable"] is None:
        assert "f is not checked for being constant around the point" in result["note"]
    else:
        assert result["symbolic"] == 0.0


def test_flatness_is_not_looked_for_along_more_than_three_variables() -> None:
    # 3**n exact values of f for n variables: up to 27 are taken, 81 are not; the
    # answer is then None (not known), not False. Kills
    # analysis.py:97d0d6ca:16:num_inc:0 (four variables checked)
    from derivcli.symbolic.analysis import _flat_around

    f = compile_tree(parse("hardshrink(z - y + w - v)").tree)
    point = {"y": 0.0, "z": 0.000555, "w": 0.0, "v": 0.0}
    assert _flat_around(f, point, ("y", "z", "w")) is True
    assert _flat_around(f, point, ("y", "z", "w", "v")) is None


def test_quotients_that_repeat_every_7_halvings_do_not_settle(cli: Cli) -> None:
    # u = abs(x) + heaviside(-abs(x)) is |x| beside 0 and 1/2 at 0, so
    # f = x*cos(2*pi*log2(u)/7) is 0 at 0 and f(h)/h = cos(2*pi*log2|h|/7) beside it:
    # at h = +-2**-k the one-sided quotients (f(2h) - f(h))/h are
    # 2*cos(2*pi*(1 - k)/7) - cos(2*pi*k/7), which repeat with period 7 in k and never
    # settle, so f'(0) does not exist. Kills analysis.py:6b9a2eda:28:num_dec:0 (the
    # steps past 2**-1024 went on from 2**-64: 2**-128 came after 2**-1024, and
    # 128 = 1024 mod 7 made the last two quotients equal, a false limit)
    run = cli(
        "grad", "x*cos(2*pi*log2(abs(x) + heaviside(-abs(x)))/7)", "--at", "x=0", "-f", "json"
    )
    result = one(run)
    assert result["differentiable"] is not True
    assert "oscillate" in result["note"]


def test_a_tiny_jump_is_looked_for_at_the_same_step_on_both_sides(cli: Cli) -> None:
    # With u = (x - 4)*2**4094, f = heaviside(u - 1.5) - heaviside(u - 3) + 0*abs(x - 4)
    # is 1 only for x - 4 in [1.5, 3)*2**-4094 (beside 1 at u = 0, 1/2 at u = 1.5) and 0
    # everywhere else: 0 all around x = 4 (u < 1.5), so f'(4) = 0 (abs puts the point on
    # a kink, and 0*abs adds nothing). The tiny-jump probes at 2**-4096 relative
    # (2**-4094 here, u = +-1) see 0 on both sides. Kills analysis.py:fe63f9b5:78:num_inc:0
    # (the right probe at twice the step, u = 2, where f is 1: a jump "by about 1")
    u = "(x - 4)*2**2047*2**2047"
    run = cli(
        "grad",
        f"heaviside({u} - 1.5) - heaviside({u} - 3) + 0*abs(x - 4)",
        *("--at", "x=4", "-f", "json"),
    )
    result = one(run)
    assert result["differentiable"] is True and result["symbolic"] == 0.0
    assert result["left"] == 0.0 and result["right"] == 0.0
    assert "jumps" not in result["note"]


# ---------------------------------------------------------------- seed 21's survivors


def test_a_function_past_mpfr_beyond_the_first_probe_is_still_judged(cli: Cli) -> None:
    # f = exp(x**2*2**154) + abs(x)**3: at x = +-2**-63 (the far point of the first
    # quotient, at step 2**-64) x**2*2**154 = 2**28 and f = e**(2**28), within MPFR's
    # exponents (up to 2**30 - 1); at +-2**-62 it is e**(2**30), past them. f is even
    # and smooth but for abs(x)**3, so f'(0) = 0 with both sides 0. Kills
    # analysis.py:1ae9d6a5:19:num_dec:0 (the first probe at 2**-63, whose far point
    # 2**-62 is out of range: "cannot judge this point")
    run = cli("grad", "exp(x**2*2**154) + abs(x)**3", "--at", "x=0", "-f", "json")
    result = one(run)
    assert result["differentiable"] is True and result["symbolic"] == 0.0
    assert result["left"] == 0.0 and result["right"] == 0.0


def test_a_base_between_0_and_1_under_a_moving_exponent_is_no_edge(cli: Cli) -> None:
    # 0.5**x is defined and smooth for every x: x = 0 is a plain point, and
    # f'(0) = ln(0.5) + 2**1000, which float64 rounds to 2**1000. (Examined as an
    # edge, its one-sided quotients would evaluate exp(x*2**1000) at x = -2**-64,
    # e**(-2**936), past any number format.) Kills analysis.py:eb83ad4e:10:num_inc:0
    # (base < 1 read as an edge)
    run = cli("grad", "0.5**x + exp(x*2**1000)", "--at", "x=0", "-f", "json")
    result = one(run)
    assert result["differentiable"] is True and result["note"] is None
    assert result["symbolic"] == 2.0**1000


@pytest.mark.parametrize("power", ["(x + 1)**0.5", "(x + 1)**x"])
def test_a_base_of_1_is_no_edge(cli: Cli, power: str) -> None:
    # (x + 1)**0.5 and (x + 1)**x are smooth at x = 0, where the base is 1: a plain
    # point, f'(0) = 1/2 + 2**1000 and 1 + 2**1000 (2**1000 in float64). Examined as
    # an edge, the quotients would evaluate exp(x*2**1000) at x = -2**-256, past
    # any number format, and the point would be "not computed" (exit 3). Kills
    # analysis.py:09c7377d:12:num_inc:0 (base == 1 read as 0**y's edge)
    run = cli("grad", f"{power} + exp(x*2**1000)", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 0 and result["verdict"] == "agree" and result["note"] is None
    assert result["symbolic"] == 2.0**1000


def test_a_negative_base_under_a_moving_exponent_is_an_edge(cli: Cli) -> None:
    # f = 0*(y - 3)**x at y = 1 is 0*(-2)**x: 0 at x = 2, undefined at every x that is
    # not whole (a negative base), so f has no derivative along x there, though its
    # closed form (0: symengine drops the product) is defined. Kills
    # analysis.py:cc3cee2a:7:true_false:2 (a negative base not an edge: the closed
    # form's 0 taken as the derivative)
    run = cli("partial", "0*(y - 3)**x", "--wrt", "x", "--at", "x=2,y=1", "-f", "json")
    result = one(run)
    assert result["differentiable"] is False
    assert "f is defined at this point but nowhere beside it along x" in result["note"]


def test_the_screen_sends_no_point_of_a_whole_power_to_the_exact_check() -> None:
    # x**2 is smooth everywhere, x = 0 included: on 5,001 points of [-1, 1] (long
    # enough for the float64 screen, 5,001*(3 + 40) > 200,000) the screen evaluates
    # every derivative value itself. Kills analysis.py:095aab2e:23:num_dec:0 (a
    # power's base near 0 counted when the base moves instead of the exponent)
    from derivcli.autograd.values import make_points
    from derivcli.language.points import Grid, PointSpec
    from derivcli.symbolic import analysis

    count = 5001
    points = make_points(PointSpec(("x",), ((("x", Grid(-1.0, 1.0, count)),),), count))
    request = analysis.make_request(parse("x**2"), [("x",)], budget=60.0)
    response = analysis.run(request, points)
    assert response.approximate == count
    xs = [float(v) for v in points.columns["x"]]
    assert response.derivatives[0].values == [2 * x for x in xs]


# ---------------------------------------------------------------- seed 23's survivors


def test_f_past_mpfr_does_not_make_its_derivative_overflow(cli: Cli) -> None:
    # f = exp(x**2 + y**2) at (0, 50000) is e**(2.5e9) = 2**(3.6e9), past MPFR's
    # exponents (2**30 - 1), but d/dx = 2*x*f is exactly 0 there (x = 0): the
    # derivative is not "beyond float64's range", and its value is not inf. derivcli
    # said so, taking f's own overflow for the derivative's (a real bug, found while
    # looking at analysis.py:14b7e2dd:13:num_dec:0)
    run = cli("partial", "exp(x**2 + y**2)", "--wrt", "x", "--at", "x=0,y=50000", "-f", "json")
    result = one(run)
    assert result["symbolic"] != "inf"
    assert "beyond float64's range" not in result["note"]
    if result["differentiable"] is None:
        assert "exp(x**2 + y**2) is finite but too large for any number format" in result["note"]
    else:
        assert result["differentiable"] is True and result["symbolic"] == 0.0


def test_a_value_of_f_past_mpfr_makes_the_point_out_of_range(cli: Cli) -> None:
    # f = x + exp(y**2) is total (no kink, no division, whole powers), so only f
    # itself is evaluated below the closed form 1; at y = 50000 its part exp(y**2) is
    # e**(2.5e9) = 2**(3.6e9), past MPFR's exponents: "a value on the way is past
    # MPFR's range", so derivcli cannot judge the point (Reason.OUT_OF_RANGE) and
    # says which part. Kills analysis.py:14b7e2dd:13:num_dec:0 (a total f's own
    # value never looked at)
    run = cli("partial", "x + exp(y**2)", "--wrt", "x", "--at", "x=0,y=50000", "-f", "json")
    result = one(run)
    assert result["differentiable"] is None and result["symbolic"] is None
    assert "exp(y**2) is finite but too large for any number format" in result["note"]


@pytest.mark.parametrize(
    ("extra", "nodes", "checked"), [("sin(x)", 200, True), ("x**2", 201, False)]
)
def test_kink_arguments_up_to_200_nodes_are_checked_for_0_along_a_line(
    cli: Cli, extra: str, nodes: int, checked: bool
) -> None:
    # relu(z*(1*x + 2*x + ... + 49*x + extra)) at z = 0 is relu(0) for every x: along x
    # the call never leaves its kink, so d/dx of f = relu(...) + x is 1 there. The
    # argument has 4*49 + 1 + 3 = 200 distinct nodes with sin(x), 201 with x**2; up
    # to ZERO_ALONG_NODES = 200 symengine shows it is 0 all along x, and the point is
    # plain (no note); past that it is not asked, and the point is examined as a kink
    # whose sides meet. Kills analysis.py:0fff3270:19:num_dec:0 (199), :num_inc:0 (201) and
    # 3dc7f085:14:cmp_gt_ge:0 (200 not checked)
    from derivcli.language.definitions import kink_trees
    from derivcli.language.tree import Call, unique_nodes

    terms = " + ".join(f"{k}*x" for k in range(1, 50))
    text = f"relu(z*({terms} + {extra})) + x"
    tree = parse(text).tree
    (relu,) = [n for n in unique_nodes(tree) if isinstance(n, Call) and n.name == "relu"]
    (kink,) = kink_trees(relu)
    assert len(list(unique_nodes(kink))) == nodes
    run = cli("partial", text, "--wrt", "x", "--at", "x=0.5,z=0", "-f", "json")
    result = one(run)
    assert result["differentiable"] is True and result["symbolic"] == 1.0
    if checked:
        assert result["note"] is None
    else:
        assert "relu has its kink" in result["note"]


@pytest.mark.parametrize(
    ("expression", "point"),
    [
        # v = (x*2**1022)**2: f is undefined only where 1/2 < v < 3/2, i.e. for |x| in
        # (0.71, 1.22)*2**-1022, and defined on |x| <= 2**-1022/sqrt(2) around 0. It is
        # even and smooth there but for abs(x)**3, so f'(0) = 0 with both sides 0. The
        # quotients' points 2**-k and 2**-(k - 1), k = 64 ... 1024, miss the hole.
        # Kills analysis.py:f386406d:41:num_inc:0 (the right side at steps 2*2**-k,
        # whose far point 2**-1022 is in the hole: "only the left derivative exists")
        ("sqrt(((x*2**1022)**2 - 1)**2 - 0.25) + abs(x)**3", "x=0"),
        # the same around x = 1, with the hole at |x - 1| in (0.71, 1.22)*2**-1025. The
        # steps along x are relative to |x| = 1 and start at 2**-64 (past 2**53 only do
        # they start further down). Kills analysis.py:77bfbd61:37:num_neg:0 (the steps
        # moved down from 2**-53 on: at x = 1 by one, to 2**-1025, in the hole)
        ("sqrt((((x - 1)*2**1025)**2 - 1)**2 - 0.25) + abs(x - 1)**3", "x=1"),
    ],
)
def test_a_hole_between_the_probes_is_not_seen(cli: Cli, expression: str, point: str) -> None:
    run = cli("grad", expression, "--at", point, "-f", "json")
    result = one(run)
    assert result["differentiable"] is True and result["symbolic"] == 0.0
    assert result["left"] == 0.0 and result["right"] == 0.0


def test_a_higher_derivative_at_an_edge_from_f_on_its_left(cli: Cli) -> None:
    # the mirror image of test_a_higher_derivative_at_an_edge_from_f_on_its_side:
    # f = -x**3*sqrt(max(x, 0)) + x**4*sqrt(-x) is undefined right of 0 (sqrt(-x)) and
    # (-x)**4.5 left of it, so f'' there is 15.75*(-x)**2.5: left f''(0) = 0, no right
    # one. f' is 0/0 left of 0, so the left side comes from f's own differences.
    # Killed analysis.py:f2345a71:65:neg_drop:0 (f's definedness checked on the right),
    # gone in stop 35 with that check: the right side's differences find no value
    f = "-x**3*sqrt(max(x, 0)) + x**4*sqrt(-x)"
    run = cli("grad", f, "--at", "x=0", "--order", "2", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert result["left"] == 0.0 and result["right"] is None


def test_a_flat_box_is_checked_at_one_step_each_way(cli: Cli) -> None:
    # hardshrink(a) is 0 for |a| <= 1/2, so f = hardshrink((z - y)*0.9*2**62)**(1/3)
    # is 0 wherever |z - y| <= 2**-63/0.9: all around (0, 0), and d3/dy dz dz is 0
    # there. The box checked has corners at +-2**-64 along y and z (|z - y| <= 2**-63,
    # a <= 0.45). Kills analysis.py:67d410e7:33:num_inc:0 (corners at -2*2**-64, where
    # |z - y| reaches 3*2**-64, a = 0.675 and f is not 0)
    run = cli(
        "partial",
        "hardshrink((z - y)*0.9*2**62)**(1 / 3)",
        *("--wrt", "y", "--wrt", "z", "--wrt", "z", "--at", "y=0,z=0", "-f", "json"),
        *("--timeout", "60"),  # failed on the default 2 s under a load of 6 (stop 38)
    )
    result = one(run)
    assert result["differentiable"] is True and result["symbolic"] == 0.0


def test_f_undefined_just_beside_along_another_variable(cli: Cli) -> None:
    # f = (y*(y + 2**-100))**1.5 + x*y: for y in (-2**-100, 0) the base is negative
    # under the power 1.5, so f is undefined on the left along y however close to 0
    # (though defined at y = -2**-64): d/dy has no left side at (0, 0), and
    # d2/dy dx does not exist. Kills analysis.py:21c5909f:31:num_dec:0 (definedness
    # beside checked at 2**-64 only, not at 2**-1024)
    run = cli(
        "partial",
        "(y*(y + 2**-100))**1.5 + x*y",
        *("--wrt", "y", "--wrt", "x", "--at", "x=0,y=0", "-f", "json"),
    )
    result = one(run)
    assert result["differentiable"] is False
    assert "f is undefined on one side along y" in result["note"]


def test_a_derivative_past_float64_at_a_kink_whose_sides_meet(cli: Cli) -> None:
    # f = abs(x)**3 + x*2**1100 has f'(0) = 2**1100 = 1.4e331 from both sides (abs(x)**3
    # adds 0): the sides meet at the kink, but the derivative is beyond float64's
    # range, so no float64 can give it. Kills analysis.py:880d2a4a:7:return_none:0
    # (a kink with meeting sides past float64 taken for a plain point)
    run = cli("grad", "abs(x)**3 + x*2**1100", "--at", "x=0", "-f", "json")
    result = one(run)
    assert result["differentiable"] is None and result["symbolic"] == "inf"
    assert "the derivative is beyond float64's range" in result["note"]


def test_quotients_settling_at_the_last_step_to_60_bits(cli: Cli) -> None:
    # f = x + abs(x)**(1 + a), a = 0.02957: its one-sided quotients at step 2**-k are
    # 1 +- D*2**(-a*k), D = 2**(1 + a) - 1 = 1.0418, which move by 2**-15 from 2**-512
    # to 2**-1024 and by 2**-30 to 2**-2048, and from 2**-2048 to 2**-4096 by
    # D*(2**-60.56 - 2**-121.1) = 2**-60.5: within 2**-60 of each other (relative), so
    # both sides settle at 1 +- 2**-121, and f'(0) = 1 (abs(x)**(1 + a)/x -> 0).
    # Kills analysis.py:79b032cc:62:num_inc:0 (61 bits asked: no side settles)
    a = 0.02957
    d = 2 ** (1 + a) - 1
    moved = d * (2 ** (-2048 * a) - 2 ** (-4096 * a))
    assert 2.0**-61 < moved <= 2.0**-60
    run = cli("grad", f"x + abs(x)**{1 + a}", "--at", "x=0", "-f", "json")
    result = one(run)
    assert result["differentiable"] is True and result["symbolic"] == 1.0
    assert result["left"] == 1.0 and result["right"] == 1.0


def test_a_continuous_first_derivative_whose_sides_settle_slowly_does_not_jump(
    cli: Cli,
) -> None:
    # f = x + c*x*abs(x)**a/(1 + a), c = 2**-32, a = 0.0144: f' = 1 + c*abs(x)**a is
    # continuous at 0 (f'(0) = 1, the limit of f(h)/h too), and f'' = c*a*|x|**(a - 1)*
    # sign(x) tends to -inf and +inf: a kink with infinite sides, no jump. The closed
    # form f' beside 0 and f's own quotients at 0 both settle to 60 bits at 2**-4096,
    # 2**-91 and 1.006*2**-91 above 1, more than 2**-100 apart: only the closed form's
    # two sides are to be compared for a jump along x, not f's own derivative.
    # Kills analysis.py:249ab825:7:return_none:0 and 95795b48:51:bool_and_or:0
    run = cli(
        "grad",
        "x + 2**-32*x*abs(x)**0.0144/1.0144",
        *("--at", "x=0", "--order", "2", "-f", "json"),
    )
    result = one(run)
    assert result["differentiable"] is False
    assert result["left"] == "-inf" and result["right"] == "inf"
    assert "jumps" not in result["note"]


def test_the_screen_sends_points_near_a_pole_of_x_to_the_minus_1() -> None:
    # x**-1 has its pole at 0: on 5,001 points from 1e-7 to 1 (step 2e-4) only the
    # first is within 1e-6 of it, and only that one is evaluated exactly. Kills
    # analysis.py:095aab2e:76:num_dec:0 (only exponents below -1 counted as poles)
    from derivcli.autograd.values import make_points
    from derivcli.language.points import Grid, PointSpec
    from derivcli.symbolic import analysis

    count = 5001
    points = make_points(PointSpec(("x",), ((("x", Grid(1e-7, 1.0, count)),),), count))
    request = analysis.make_request(parse("x**-1"), [("x",)], budget=60.0)
    response = analysis.run(request, points)
    assert response.approximate == count - 1


def test_a_lower_order_without_a_value_and_without_sides_that_meet(cli: Cli) -> None:
    # f = sqrt(x**2)*y = abs(x)*y: d/dx is -y left of x = 0 and y right of it, so at
    # (0, 1) it does not exist, and neither does d2/dx dy; its closed form
    # x*y/sqrt(x**2) is 0/0 there. f is not constant around the point (f = |x| along x),
    # which is a "no" from the flatness check, not an "unknown". Kills
    # analysis.py:34fa48af:7:return_none:1 (a value beside the point that differs
    # from f's read as "not known": undecided)
    run = cli(
        "partial", "sqrt(x**2)*y", "--wrt", "x", "--wrt", "y", "--at", "x=0,y=1", "-f", "json"
    )
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert "the derivative of order 1 has no value there" in result["note"]


def test_a_slope_just_above_the_rounding_of_huge_values_is_kept(cli: Cli) -> None:
    # f = 2**1200*exp(relu(x)*3*2**-1265) is 2**1200 left of 0 and has right
    # derivative 2**1200*3*2**-1265 = 3*2**-65 (8.13e-20) at 0: the sides differ (a
    # kink of relu). At the last guard (k + 1280 bits) this slope is 1.65 times the
    # quotients' rounding estimate (values of 2**1200 over steps of 2**-k), so it is
    # kept, and comes out exact. Kills analysis.py:87f21ee3:20:num_inc:0 (the
    # rounding estimate doubled: the slope read as rounding, 0, and the sides met)
    run = cli("grad", "2**1200*exp(relu(x)*3*2**-1265)", "--at", "x=0", "-f", "json")
    result = one(run)
    assert result["differentiable"] is False
    assert result["left"] == 0.0 and result["right"] == 3 * 2.0**-65


def test_a_jump_along_an_earlier_variable_does_not_stop_the_next_derivative(
    cli: Cli,
) -> None:
    # f = y*sqrt(x**2 + y**2): d/dx f = x*y/sqrt(x**2 + y**2) away from the origin and
    # 0 on the whole line x = 0 (f(h, y) - f(0, y) = y*(sqrt(h**2 + y**2) - |y|), over
    # h, tends to 0), so d2/dx dy is 0 all along x = 0 and d3/dx dy dy at (0, 0) is 0.
    # d2/dx dy = x**3/(x**2 + y**2)**1.5 beside the line jumps from -1 to 1 along x at
    # y = 0, but the third derivative is taken along y. Kills
    # analysis.py:d8424331:56:num_inc:0 (the order-2 derivative's jump along x, an
    # earlier variable, taken as a reason)
    run = cli(
        "partial",
        "y*sqrt(x**2 + y**2)",
        *("--wrt", "x", "--wrt", "y", "--wrt", "y", "--at", "x=0,y=0", "-f", "json"),
    )
    result = one(run)
    assert result["differentiable"] is True and result["symbolic"] == 0.0
    assert result["left"] == 0.0 and result["right"] == 0.0


# ---------------------------------------------------------------- the exact cache


def test_the_exact_cache_never_hands_one_programs_values_to_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The cache is keyed by id(), and a program freed during an analysis (the
    # kinks of one derivative of a Hessian, when the next derivative begins)
    # could hand its id to a new program: max(x, y)**2's Hessian at (1, 1)
    # raised IndexError in about 1 run in 75, and where the programs had the same
    # length it would have used the wrong values. Here every id collides.
    from derivcli.language.evaluate import compile_tree
    from derivcli.language.points import PointSet
    from derivcli.symbolic import analysis

    monkeypatch.setattr(analysis, "id", lambda obj: 0, raising=False)
    cache = analysis._ExactCache(PointSet(("x",), {"x": [2.0]}, 1))
    first = compile_tree(parse("x + 1").tree)
    second = compile_tree(parse("x*x*x - 5").tree)
    assert cache.exact(first, 0).to_float() == 3.0  # 2 + 1
    assert cache.exact(second, 0).to_float() == 3.0  # 8 - 5, with its own 4 steps
    assert len(cache.exact(second, 0).values) == len(second.instructions)
    assert cache.exact(first, 0).to_float() == 3.0
    assert len(cache.exact(first, 0).values) == len(first.instructions)


def test_a_hessian_with_kinks_gives_the_same_analysis_every_time() -> None:
    # the run that once raised IndexError in the worker (tests/test_matrices.py),
    # repeated in one process: every run gives the same values and reasons
    from derivcli.language.points import PointSet
    from derivcli.symbolic import analysis

    wrts = [("x",), ("y",), ("x", "x"), ("x", "y"), ("y", "x"), ("y", "y")]
    seen = set()
    for _ in range(40):
        analysis._PREPARED.clear()
        request = analysis.make_request(parse("max(x, y)**2"), wrts, budget=60.0)
        response = analysis.run(request, PointSet(("x", "y"), {"x": [1.0], "y": [1.0]}, 1))
        seen.add(
            tuple(
                (tuple(d.values), tuple((k, v.reason) for k, v in sorted(d.special.items())))
                for d in response.derivatives
            )
        )
    (only,) = seen
    # d/dx max(x, y)**2 at x = y = 1: 2*max*heaviside(x - y) with sides 0 and 2;
    # every entry is at max's kink
    assert [values for values, _ in only][:2] == [(1.0,), (1.0,)]
    assert all(reasons for _, reasons in only)


# ---------------------------------------------------------------- seed 26


def test_an_edge_reached_by_a_rounded_zero_is_still_an_edge(cli: Cli) -> None:
    # sin(pi*x) is 0 at x = 1, pi*(1 - x) + O((1 - x)**3) > 0 on the left and
    # < 0 on the right, so sqrt(sin(pi*x)) is undefined right of 1 and its left
    # derivative ~ -sqrt(pi)/(2*sqrt(1 - x)) diverges to -inf. Exactly, pi is
    # rounded, so sqrt's argument is a tiny nonzero number, 0 only to within the
    # rounding of its size. Kills analysis.py:65f0f81d:8:max_min:0 (the scale
    # min(size, 0) = 0 takes only an exact 0 for sqrt's edge)
    run = cli("grad", "sqrt(sin(pi*x))", "--at", "x=1", "-f", "json")
    result = one(run)
    assert result["differentiable"] is False
    assert result["left"] == "-inf" and result["right"] is None
    assert "edge of the function's real domain" in result["note"]


def test_limits_below_1e_300_are_the_same_only_strictly_below() -> None:
    # 0 and 1e-300 differ by 100% relative; the shortcut for two shrinking
    # limits applies only when both are under 1e-300. Kills
    # analysis.py:67861bc0:31:cmp_lt_le:0 (abs(y) <= 1e-300)
    from derivcli.symbolic.analysis import _same_limit

    assert _same_limit(0.0, 1e-301) is True
    assert _same_limit(0.0, 1e-300) is False


def test_the_probe_offset_starts_at_2_to_the_53() -> None:
    # 2**53 = 0.5 * 2**54: frexp's exponent 54, and the docstring's threshold is
    # x >= 2**53 (from there on no float has a fraction). Kills
    # analysis.py:77bfbd61:29:cmp_ge_gt:0 (offset 0 at 2**53 itself)
    from derivcli.symbolic.analysis import _offset

    assert _offset({"x": 2.0**53}, "x") == 54
    assert _offset({"x": -(2.0**53)}, "x") == 54
    assert _offset({"x": 2.0**53 - 1}, "x") == 0


def test_the_budget_gives_up_once_a_quarter_of_it_is_spent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Begun at 0 with a deadline of 100, 10 points done at 25: exactly a quarter of
    # the budget spent, at 2.5 s a point; 40 points left take 100 s more, done at
    # 125 > 100: give up. Kills analysis.py:9001ec67:55:cmp_ge_gt:0 (a quarter
    # counted as spent only past 25)
    from types import SimpleNamespace

    from derivcli.errors import BudgetError
    from derivcli.symbolic import analysis

    monkeypatch.setattr(analysis, "time", SimpleNamespace(monotonic=lambda: 25.0))
    with pytest.raises(BudgetError):
        analysis._on_time(100.0, 0.0, 10, 50)


def test_right_differences_of_f_are_taken_at_the_probe_steps(cli: Cli) -> None:
    # f = x**3*sqrt(max(-x, 0)) + x**2 + x**4*sqrt(x) + relu(x - a) + relu(x - b),
    # a = 3*2**-1024, b = 3*2**-2048, is undefined left of 0 and x**2 + x**4.5 on
    # [0, b): its right f''(0) is 2. f' is 0/0 right of 0, so the side comes from
    # f's differences at h, 2h, 3h, h = 2**-k; with h = 2**-1023 (or 2**-2047) the
    # points straddle a (or b), where relu bends, and the quotient is 2**1022 (or
    # 2**2046) more. Kills analysis.py:15c6f860:57:num_inc:0 (right side +2: steps
    # twice as long, which cross the bends and give inf)
    f = "x**3*sqrt(max(-x, 0)) + x**2 + x**4*sqrt(x) + relu(x - 3*2**-1024) + relu(x - 3*2**-2048)"
    run = cli("grad", f, "--at", "x=0", "--order", "2", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert result["left"] is None and result["right"] == 2.0


def test_a_second_difference_needs_f_at_three_steps_only(cli: Cli) -> None:
    # f = x**3*sqrt(max(-x, 0)) + x**2 + x**4*sqrt(x) + (x - a)/(x - a), a = 2**-1022,
    # is undefined left of 0 and at a, and x**2 + x**4.5 + 1 on (0, a): its right
    # f''(0) is 2. f' is 0/0 right of 0, so the side comes from f at h, 2h, 3h; at
    # h = 2**-1024 the next point 4h is a, which the second difference does not
    # use. Kills analysis.py:64bea03a:23:num_inc:0 (f also asked for at 4h, with
    # coefficient 0, so the quotient at 2**-1024 has no value)
    f = "x**3*sqrt(max(-x, 0)) + x**2 + x**4*sqrt(x) + (x - 2**-1022)/(x - 2**-1022)"
    run = cli("grad", f, "--at", "x=0", "--order", "2", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert result["left"] is None and result["right"] == 2.0


def test_the_wait_for_the_points_does_not_count_against_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A budget of 10 s from 0 and a wait of 100 s for torch's points: the worker's
    # deadline moves to 110, and the 40 points (all done at 100 on this clock) fit.
    # Kills analysis.py:8fa5972e:9:aug_add_sub:0 (the wait taken off the deadline,
    # -90, so the first budget check gives up)
    from types import SimpleNamespace

    from derivcli.autograd.values import make_points
    from derivcli.language.points import Grid, PointSpec
    from derivcli.symbolic import analysis

    count = 40
    points = make_points(PointSpec(("x",), ((("x", Grid(-1.0, 1.0, count)),),), count))
    request = analysis.make_request(parse("x**2 + 3*x - 7"), [("x",)], budget=10.0)
    analysis.prepare(request, time.monotonic() + 60.0)  # on the real clock, kept for serve
    clock = [0.0]
    monkeypatch.setattr(analysis, "time", SimpleNamespace(monotonic=lambda: clock[0]))

    def receive_points() -> Any:
        clock[0] += 100.0
        return points

    response = analysis.serve(request, receive_points)
    xs = [float(v) for v in points.columns["x"]]
    assert response.function_values == pytest.approx([x**2 + 3 * x - 7 for x in xs], rel=1e-15)


def test_the_screen_sends_a_kink_within_a_millionth_of_the_coordinates(cli: Cli) -> None:
    # a and b are the floats nearest 200.1 and 200.3, written out exactly, and
    # c = 2200.25*a*b exactly, so f = abs(x*a*b - c) + 1e10 has its kink at the
    # grid point x = 2200.25: left derivative -a*b, right a*b. On 5,001 points of
    # [2000, 2625] (long enough for the float64 screen) float64 gets x*a*b - c
    # = -1.49e-8 there: far above 1e-6/2200 but below 1e-6*2200, the screen's
    # tolerance relative to the coordinates (the + 1e10 keeps f's own value from
    # looking doubtful). Kills analysis.py:a60704a9:36:arith_mul_div:0 (the
    # tolerance divided by the coordinates' size, so the kink is read in float64)
    from decimal import Decimal, localcontext
    from fractions import Fraction

    def exact(value: Fraction) -> str:
        with localcontext() as context:
            context.prec = 400
            return format(Decimal(value.numerator) / Decimal(value.denominator), "f")

    a, b = Fraction(200.1), Fraction(200.3)
    c = Fraction(2200.25) * a * b
    f = f"abs(x*{exact(a)}*{exact(b)} - {exact(c)}) + 1e10"
    run = cli("grad", f, "--at", "x=2000:2625:5001", "-f", "json")
    results = {r["point"]["x"]: r for r in run.json()["results"]}
    slope = float(a * b)  # 40080.03
    kink = results[2200.25]
    assert kink["differentiable"] is False
    assert kink["left"] == -slope and kink["right"] == slope
    assert results[2200.0]["symbolic"] == -slope and results[2200.0]["differentiable"] is True


def test_a_tiny_gap_that_moves_by_a_quarter_with_more_bits_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Values beside x = 0 that give a gap of 2**-200 between the sides at each
    # step's first precision and 1.25 * 2**-200 with twice the bits: a change of
    # exactly a quarter, which _tiny_jump still takes for the same jump (only a
    # larger change is rounding's); the gap does not shrink from 2**-2048 to
    # 2**-4096, so it is a jump. Kills analysis.py:3129ba03:41:cmp_le_lt:0 (a
    # change of exactly a quarter thrown away as rounding, so no jump)
    from types import SimpleNamespace

    from derivcli.language.evaluate import gmpy2
    from derivcli.symbolic import analysis

    m = gmpy2()
    gap = m.mul_2exp(m.mpfr(1), -200)
    first = {2048 + analysis.PROBE_GUARD_BITS, 4096 + analysis.PROBE_GUARD_BITS}

    def beside_value(program: Any, point: Any, precision: int, **_: Any) -> Any:
        if point["x"] < 0:
            value = m.mpfr(0)
        else:
            value = gap if precision in first else gap * 5 / 4
        return SimpleNamespace(value=value, precision=precision)

    monkeypatch.setattr(analysis, "_beside_value", beside_value)
    program = compile_tree(parse("x").tree)
    note = analysis._tiny_jump(program, {"x": 0.0}, "x", with_value=False)
    assert note.endswith("below the side limits' resolution")
    assert "about 6.223015278e-61," in note  # 2**-200 = 6.2230152778611e-61


def test_a_one_sided_quotient_takes_each_value_once_when_both_need_the_same_bits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # x**2 beside x = 1: g(1 + h) and g(1 + 2h) take the precision asked for, so
    # neither is evaluated again at the common precision (it is the one each
    # already has), and the right derivative is 2. Kills
    # analysis.py:aa6d202e:15:cmp_lt_le:0 (a value recomputed at its own
    # precision: twice the exact evaluations for the same quotients)
    from derivcli.symbolic import analysis

    calls: list[tuple[Any, int]] = []
    beside_value = analysis._beside_value

    def counted(program: Any, point: Any, precision: int = 256, **kwargs: Any) -> Any:
        calls.append((point["x"], precision))
        return beside_value(program, point, precision, **kwargs)

    monkeypatch.setattr(analysis, "_beside_value", counted)
    g = compile_tree(parse("x**2").tree)
    side = analysis._one_sided(g, {"x": 1.0}, "x", +1, g)
    assert float(side) == 2.0
    assert calls and len(calls) == len(set(calls))


def test_f_at_an_exact_zero_of_decimal_constants_does_not_jump(cli: Cli) -> None:
    # 2500.125*200.1*200.3 = 100205085.00375 exactly (20001/8 * 2001/10 * 2003/10),
    # so f = abs(x*200.1*200.3 - 100205085.00375) is 0 at x = 2500.125 and
    # continuous: a corner with sides -+200.1*200.3 = -+40080.03, not a jump.
    # 200.1 and 200.3 have no finite binary form, so the exact evaluation leaves
    # f a residue of its rounding there (1e-7390 at 24,576 bits), which must not
    # pass for f's value beside side limits of 0
    run = cli("grad", "abs(x*200.1*200.3 - 100205085.00375)", "--at", "x=2500.125", "-f", "json")
    result = one(run)
    assert result["differentiable"] is False
    assert result["left"] == -40080.03 and result["right"] == 40080.03
    assert "jumps" not in result["note"]
    assert "kink of abs at x=2500.125" in result["note"]


# ---------------------------------------------------------------- stop 23: seed 27's survivors


def test_a_kink_at_a_huge_coordinate_keeps_sides_far_below_the_values(cli: Cli) -> None:
    # f = cos(x/2**900) + 1e-280*abs(x - 2**900) at x = 2**900 (8.45e270, a float
    # exactly): sides -sin(1)/2**900 -+ 1e-280, about -9.96e-272, 1e-280 apart. A
    # quotient's rounding is relative to the step 2**-k*|x|: scaled by |x| instead
    # of divided, the rounding bound (1e-114) swallowed both sides to 0 and the
    # kink passed for smooth (kills analysis.py:eb52c977:0:arith_div_mul:0)
    x = 2.0**900
    run = cli("grad", "cos(x/2**900) + 1e-280*abs(x - 2**900)", "--at", f"x={x!r}", "-f", "json")
    result = one(run)
    with mpmath.workdps(50):
        slope = -mpmath.sin(1) / mpmath.mpf(2) ** 900
        left, right = float(slope - mpmath.mpf("1e-280")), float(slope + mpmath.mpf("1e-280"))
    assert run.code == 1 and result["verdict"] == "not differentiable"
    assert result["left"] == pytest.approx(left, rel=1e-15)
    assert result["right"] == pytest.approx(right, rel=1e-15)
    assert result["left"] != result["right"]


def test_a_pure_derivative_from_f_keeps_a_term_1e300_times_smaller(cli: Cli) -> None:
    # d2/dz2 of y**z + 1e300*z + z**2 at y = 0, z = 1: y**z is 0 for every z > 0,
    # so f is 1e300*z + z**2 near the point and the derivative is 2. The closed
    # form y**z*log(y)**2 + 2 is 0*inf there, so it comes from f's own second
    # differences, where 1e300*z is 1e300 times h**2's size: the differences
    # are taken again at twice the bits until two agree (8,704 bits here)
    run = cli("partial", "y**z + 1e300*z + z**2", "--wrt", "z", "--wrt", "z",
              "--at", "y=0,z=1", "-f", "json")  # fmt: skip
    result = one(run)
    assert result["symbolic"] == 2.0 and result["differentiable"] is True
    assert result["left"] == 2.0 and result["right"] == 2.0


def test_an_earlier_order_missing_on_one_side_stops_both_sides(cli: Cli) -> None:
    # f = abs(x)*relu(y)*z at (0, 0, 1), d3/dxdydz: d/dx does not exist on x = 0
    # for y > 0 (abs's corner times relu(y) > 0), so d2/dxdy does not exist at
    # the point, and neither does anything taken from it along z: no sides at
    # all (kills analysis.py:a480d178:48:num_neg:0, which kept the right side of z)
    run = cli("partial", "abs(x)*relu(y)*z", "--wrt", "x", "--wrt", "y", "--wrt", "z",
              "--at", "x=0,y=0,z=1", "-f", "json")  # fmt: skip
    result = one(run)
    assert run.code == 1 and result["verdict"] == "not differentiable"
    assert result["left"] is None and result["right"] is None
    assert "f's derivative along x does not exist beside the point along y" in result["note"]


def test_a_quotient_exact_at_the_first_guard_is_not_taken_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # x**2 beside x = 1 from the right: each probe's quotient is far above its
    # rounding at the first guard width (k + 128 bits), so each probe takes two
    # values, g(1 + h) and g(1 + 2h), at that width only: 2 per probe of 2**-256,
    # 2**-512, 2**-1024, and the slope is 2. And beside a point where g has no
    # value (sqrt at 0, from the left), a probe stops at the first width too,
    # and the side is looked for once more at 2**-4096 (it may begin nearer the
    # point than the probes: stop 37), also at the first width. Kills
    # analysis.py:5b434551:0:break_continue:1 and :break_continue:0 (the later
    # widths tried all the same: 6 values a probe)
    from derivcli.symbolic import analysis

    calls = count_beside_values(monkeypatch)
    g = compile_tree(parse("x**2").tree)
    assert float(analysis._one_sided(g, {"x": 1.0}, "x", +1, g)) == 2.0
    assert sorted(calls) == [256 + 128] * 2 + [512 + 128] * 2 + [1024 + 128] * 2
    calls.clear()
    root = compile_tree(parse("sqrt(x)").tree)
    assert analysis._one_sided(root, {"x": 0.0}, "x", -1, root) is None
    probes = [256 + 128] * 2 + [512 + 128] * 2 + [1024 + 128] * 2
    assert sorted(calls) == [*probes, *[4096 + 128] * 2]


def test_a_sequence_that_shrank_to_exactly_0_has_settled() -> None:
    import gmpy2

    # 1, 2**-300, 0 at the three probes shrinks to 0, and its last value is 0
    # itself: nothing further to probe (a last value that is not 0 yet, like
    # 2**-600, is probed further: relu(x)*1e-200 + x**2 settles on 1e-200 only
    # below 2**-664). Kills analysis.py:40103304:56:num_dec:0 (values[-1] != -1)
    from derivcli.symbolic import analysis

    asked: list[int] = []

    def sequence(exponents: Any, last: Any) -> list[Any]:
        asked.extend(exponents)
        m = gmpy2
        table = {256: m.mpfr(1), 512: m.mul_2exp(m.mpfr(1), -300), 1024: last}
        return [table.get(k, m.mpfr(0)) for k in exponents]

    m = gmpy2
    assert analysis._settle(lambda ks: sequence(ks, m.mpfr(0))) == 0.0
    assert asked == [256, 512, 1024]
    asked.clear()
    assert analysis._settle(lambda ks: sequence(ks, m.mul_2exp(m.mpfr(1), -600))) == 0.0
    assert asked == [256, 512, 1024, 2048]  # 0 there: settled


def test_f_undefined_far_below_the_first_probe_is_a_domain_edge(cli: Cli) -> None:
    # f = x*y + (y*(y - c))**1.5 with c = 1e-305: at y = 0 f is 0, defined for
    # y <= 0 and y >= c, undefined between. Along y, f is undefined right of the
    # point at 2**-1024 = 5.6e-309 < c (but defined at 2**-512 = 7.5e-155 > c):
    # d/dy does not exist, and d2/dydx says so by f's one-sided domain along y.
    # Kills analysis.py:21c5909f:31:num_inc:0 (checked at 2**-512 only: defined)
    run = cli("partial", "x*y + (y*(y - 1e-300*1e-5))**1.5", "--wrt", "y", "--wrt", "x",
              "--at", "x=1,y=0", "-f", "json")  # fmt: skip
    result = one(run)
    assert run.code == 1 and result["verdict"] == "not differentiable"
    assert "f is undefined on one side along y" in result["note"]


# ---------------------------------------------------------------- the budget's cadence


def _f_clock(monkeypatch: pytest.MonkeyPatch, count: int, text: str = "x") -> Any:
    """A request on ``count`` points of [-1, 1] whose clock moves 1 s for the
    first exact evaluation of f at each point (nothing else takes time)."""
    from types import SimpleNamespace

    from derivcli.autograd.values import make_points
    from derivcli.language.points import Grid, PointSpec
    from derivcli.symbolic import analysis

    points = make_points(PointSpec(("x",), ((("x", Grid(-1.0, 1.0, count)),),), count))
    request = analysis.make_request(parse(text), [("x",)], budget=1000.0)
    prepared = analysis.prepare(request, time.monotonic() + 60.0)  # on the real clock
    clock = [0.0]
    monkeypatch.setattr(analysis, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    exact = analysis._ExactCache.exact

    seen: set[int] = set()

    def slow_exact(self: Any, program: Any, i: int) -> Any:
        if program is prepared.function and i not in seen:  # (later calls are cached)
            seen.add(i)
            clock[0] += 1.0
        return exact(self, program, i)

    monkeypatch.setattr(analysis._ExactCache, "exact", slow_exact)
    return lambda deadline: analysis.analyse(prepared, request, points, deadline=deadline)


def test_the_budget_is_checked_every_64_values_of_f(monkeypatch: pytest.MonkeyPatch) -> None:
    # 200 points of f, 1 s each, a budget of 100.5 s: the check before point 64
    # finds 64 s spent and 200 s predicted, and gives up with "64 done" (the
    # checks before are at point 0 only). Kills analysis.py:6170a1e6:7:num_dec:0
    # (every 63) and :10:cmp_eq_ne:0 (every point but each 64th: "26 done",
    # where a quarter of the budget is spent and the pace overruns it)
    from derivcli.errors import BudgetError

    run = _f_clock(monkeypatch, 200)
    with pytest.raises(BudgetError, match=r"at 200 points within the time budget \(64 done\)"):
        run(100.5)


def test_a_pace_that_just_fits_the_budget_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    # 128 points of f, 1 s each, a budget of exactly 128 s: at point 64, 64 s
    # spent predicts the end at 64 + 64 = 128 s, the deadline itself, which is
    # no overrun: all 128 values come. Kills analysis.py:9001ec67:32:cmp_gt_ge:0
    response = _f_clock(monkeypatch, 128)(128.0)
    assert len(response.function_values) == 128
    assert response.derivatives[0].values == [1.0] * 128


# ---------------------------------------------------------------- which points the screen sends


@pytest.mark.parametrize(("count", "approximate"), [(8, 0), (9, 9)])
def test_up_to_8_points_are_exact_however_large_the_work(
    monkeypatch: pytest.MonkeyPatch, count: int, approximate: int
) -> None:
    # With the work limit at 0, a grid is screened in float64 unless it has at
    # most 8 points (README: "up to 8 points ... exactly"). Kills
    # analysis.py:435fe502:47:cmp_le_lt:0 and :3e01e63d:19:num_dec:0
    from derivcli.symbolic import analysis

    monkeypatch.setattr(analysis, "EXACT_WORK", 0)
    _, response = screen_grid("x**2", (1.0, 2.0, count))
    assert response.approximate == approximate


def test_the_screen_sends_points_within_1e_6_of_a_kink() -> None:
    # relu(x - 0.5) on 5,001 points 1e-8 apart around 0.5: the screen sends the
    # points whose kink argument is within 1e-6 (relative to max(1, |x|)) to the
    # exact evaluation: |x - 0.5| <= 1e-6, 201 points (README). The other 4,800
    # take float64's values. Kills analysis.py:64bd10b1:14:num_x10:0 (1e-5: 2,001)
    points, response = screen_grid("relu(x - 0.5)", (0.5 - 2.5e-5, 0.5 + 2.5e-5, 5001))
    xs = [float(v) for v in points.columns["x"]]
    near = sum(abs(x - 0.5) <= 1e-6 for x in xs)
    assert 199 <= near <= 201
    assert response.approximate == 5001 - near


def test_the_screen_sends_points_within_1e_6_of_a_domain_edge() -> None:
    # sqrt(x) on 5,001 points 1e-9 apart from 1e-7: the edge 0 is within 1e-6
    # (absolute below 1) of the points up to 1e-6, 901 of them, which are
    # evaluated exactly. Kills analysis.py:3a090ccd:52:num_div10:0 (a margin of
    # 1e-7 at edges below 1: none sent)
    points, response = screen_grid("sqrt(x)", (1e-7, 1e-7 + 5e-6, 5001))
    xs = [float(v) for v in points.columns["x"]]
    near = sum(x <= 1e-6 for x in xs)
    assert 899 <= near <= 902
    assert response.approximate == 5001 - near


def test_a_derivative_past_float32_on_a_long_grid_is_an_overflow() -> None:
    # f = 1e30*tanh(1e10*x) stays below float32's 3.4e38, but its derivative
    # 1e40/cosh(1e10*x)**2 is past it where cosh(1e10*x)**2 < 1e40/3.4e38, that is
    # |x| < acosh(sqrt(29.4))/1e10 = 2.38e-10: on 5,001 points of [-1e-9, 1e-9],
    # those are overflows for float32, found by the screen from the derivative's
    # values. Kills analysis.py:2404171c:24:num_dec:0 (f's values looked at)
    from derivcli.symbolic.analysis import Reason

    points, response = screen_grid("1e30*tanh(1e10*x)", (-1e-9, 1e-9, 5001), dtype="float32")
    xs = [float(v) for v in points.columns["x"]]
    bound = math.acosh(math.sqrt(1e40 / 3.4028234663852886e38)) / 1e10
    over = {i for i, x in enumerate(xs) if abs(x) < bound * (1 - 1e-6)}
    assert len(over) > 1000
    special = response.derivatives[0].special
    assert over <= {i for i, found in special.items() if found.reason is Reason.OVERFLOW}


def test_the_documented_steps_and_margins_of_the_analysis() -> None:
    # README, "How a point is judged": steps of 2**-256, 2**-512, 2**-1024,
    # further to 2**-4096; grids of more than 8 points and 200,000
    # instruction-evaluations screened in float64, points within 1e-6 of a kink
    # or an edge evaluated exactly; kink lines read 2**-8192 and 2**-16384 beside
    # them. Written out here so a change to the contract fails a test
    from derivcli.symbolic import analysis

    assert analysis.PROBE_EXPONENTS == (256, 512, 1024)
    assert analysis.MAX_PROBE_EXPONENT == 4096
    assert (analysis.MAX_EXACT_POINTS, analysis.EXACT_WORK) == (8, 200_000)
    assert analysis.SCREEN_RTOL == 1e-6
    assert analysis.OFF_LINE_EXPONENTS == (8192, 16384)
    assert analysis.DEEP_JUMP_EXPONENTS == (4096, 8192, 16384, 32768)
    assert analysis.OFF_LINE_SHRINK_BITS == 100


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # decimal ties at 3 digits, 2**-100 off them: rounded from the exact value,
        # never from a 64-bit copy (which lands on the tie's other side for these)
        ("1.2350000000000000000000000000001e434", "1.24e+434"),
        ("1.2349999999999999999999999999999e434", "1.23e+434"),
        ("9.9949999999999999999999e-300", "9.99e-300"),
        ("9.9950000000000000000001e-300", "1e-299"),
        ("-6.02214076e100000", "-6.02e+100000"),
    ],
)
def test_a_value_past_float64_is_shown_rounded_to_3_digits(text: str, shown: str) -> None:
    import gmpy2

    from derivcli.symbolic.analysis import _scientific

    assert _scientific(gmpy2.mpfr(text, 400)) == shown


def test_f_s_sides_shrinking_to_a_tiny_value_with_no_gap_left_is_no_jump(cli: Cli) -> None:
    # abs(x)**3 + e**-4900 at 0: f's sides shrink to 0 through the probes (h**3 is
    # far above e**-4900 = 2**-7069.3 down to 2**-2048), beside f's value e**-4900,
    # so f's gaps are followed down from 2**-4096, where h**3 = 2**-12288 leaves
    # no gap at all at 4,096 + 128 bits. f is continuous and f'(0) = 0 (3*x*abs(x)).
    # Kills analysis.py:e8edf357:25:num_dec:0 (a gap of 0 kept and compared: "it
    # jumps by about 0")
    run = cli("grad", "abs(x)**3 + exp(-4900)", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 0 and result["verdict"] == "agree"
    assert result["symbolic"] == 0.0 and result["differentiable"] is True
