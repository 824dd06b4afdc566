"""The float64 screen of long grids (evaluate.float64_values): each value comes
with an estimate of float64's error, and a value whose estimate is above
TRUSTED_ERROR (1e-10) relative is "doubtful" and evaluated exactly instead.

The contract tested here: a value the screen trusts is within 1e-10 of the
real one (the oracle is mpmath at 50 digits on the expression as written), and
an exact 0 stays trusted. Each case is a rounding float64 makes visibly: the
sum (x + 1e8) - 1e8 keeps x to about 1e-8 only.
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import pytest
from conftest import Cli

from derivcli.language.evaluate import TRUSTED_ERROR, compile_tree, float64_values
from derivcli.language.parser import parse


def _screen(text: str, xs: list[float]) -> Any:
    program = compile_tree(parse(text).tree)
    return float64_values(program, {"x": np.array(xs)}, len(xs))


def _real(text: str, x: float) -> Any:
    """The expression at x in mpmath, 50 digits, with decimal constants exact."""
    names = {
        "x": mpmath.mpf(x),
        "sin": mpmath.sin,
        "exp": mpmath.exp,
        "relu": lambda a: max(a, 0),
    }
    with mpmath.workdps(50):
        source = text.replace("1e8", "mpf(10)**8").replace("1e20", "mpf(10)**20")
        source = source.replace("1e5", "mpf(10)**5")
        source = source.replace("0.1", "mpf('0.1')")
        return eval(source, {"mpf": mpmath.mpf, **names})  # noqa: S307 - test's own text


def test_the_documented_trust_threshold() -> None:
    assert TRUSTED_ERROR == 1e-10


# s = (x + 1e8) - 1e8 at x = 0.3 is 0.30000001192092896: 4e-8 off
S = "((x + 1e8) - 1e8)"


@pytest.mark.parametrize(
    "text",
    [
        # a product of two equal roundings: errors |b|*ea + |a|*eb add up
        # (kills evaluate.py's MUL error a*eb subtracted: 0 for s*s)
        f"{S}*{S}",
        # a power of a rounded base by a rounded exponent: |b/a|*ea + |log a|*eb
        # (subtracted, the two nearly cancel for s**s at 0.3)
        f"{S}**{S}",
        # a function of a rounded argument: the error passes on by the slope
        # (kills the slope step taken at min(|a|, 1e-300), which moves nothing,
        # and the rounded argument skipped for the exact ones)
        f"sin({S})",
        f"exp({S})",
        # a quotient by a rounded denominator: (ea + |a/b|*eb)/|b| (kills the
        # two terms subtracted: 0 for an exact numerator)
        f"x/{S}",
    ],
)
def test_a_rounded_value_is_doubtful(text: str) -> None:
    screened = _screen(text, [0.3])
    real = _real(text, 0.3)
    assert abs(screened.values[0] - real) > TRUSTED_ERROR * abs(real)  # float64 is off
    assert bool(screened.doubtful[0])


def test_a_power_of_a_base_rounded_to_0_is_doubtful() -> None:
    # (x + 1e20) - 1e20 at x = 1 is 0 in float64 (the real value is 1); to the
    # power 1 it is still 0 with the base's whole error: doubtful (kills the
    # zero base's rule b > 1 -> b >= 1, which took it for exact)
    screened = _screen("((x + 1e20) - 1e20)**1", [1.0])
    assert screened.values[0] == 0.0 and _real("((x + 1e20) - 1e20)**1", 1.0) == 1
    assert bool(screened.doubtful[0])


def test_an_exact_zero_under_a_square_stays_trusted() -> None:
    # relu(x - 5) at x = 1 is exactly 0 (relu is flat there), and so is its
    # square: trusted, not sent to the exact evaluation (kills the zero base's
    # error 0 -> 1); and a rounded term added to it is still doubtful (kills
    # 0 -> -1, whose negative error hid the term's)
    square = _screen("relu(x - 5)**2", [1.0])
    assert square.values[0] == 0.0 and not bool(square.doubtful[0])
    text = f"relu(x - 5)**2 + {S}"
    assert bool(_screen(text, [0.3]).doubtful[0])


@pytest.mark.parametrize(
    "text", [f"{S}*{S}", f"{S}**{S}", f"sin({S})", "x*0.1 - x/10", "x**3 - 3*x", "exp(x)*x"]
)
def test_every_trusted_value_is_within_the_threshold(text: str) -> None:
    # over a grid, whatever the screen trusts is within 1e-10 of the real value
    xs = [float(v) for v in np.linspace(-2.0, 3.0, 41)]
    screened = _screen(text, xs)
    for x, value, doubtful in zip(xs, screened.values, screened.doubtful, strict=True):
        if doubtful or not np.isfinite(value):
            continue
        real = _real(text, x)
        assert abs(value - real) <= TRUSTED_ERROR * abs(real) + 1e-300, (text, x, value)


@pytest.mark.parametrize(
    "text",
    [
        # each operation rounds once or twice: errors of a few 1e-16, relative
        "(x + 1)*(x + 2)",
        "(x + 1)/(x + 3)",
        # a large denominator: the error is (ea + |a/b|*eb)/|b|, about 4e-16
        # relative here (multiplied by |b| instead, 4 relative: doubtful)
        "(x + 1)/(x + 1e8)",
        "(x + 2)**(x + 1)",
        # a large base: |b/a|*ea is 5e-17 relative (|b*a|*ea would be 5e-7)
        "(x + 1e5)**0.5",
        # an exact 0 to the power 1 is exactly 0
        "relu(x - 5)**1 + x",
    ],
)
def test_values_float64_computes_well_are_trusted(text: str) -> None:
    # the screen's point: values float64 gets right are not evaluated again
    # (kills error terms divided by an error instead of multiplied, and
    # variables given an error of 1)
    xs = [float(v) for v in np.linspace(0.5, 2.0, 16)]
    screened = _screen(text, xs)
    assert not screened.doubtful.any()
    for x, value in zip(xs, screened.values, strict=True):
        real = _real(text, x)
        assert abs(value - real) <= 1e-14 * abs(real)


def test_an_exact_0_under_a_fractional_power_is_an_edge() -> None:
    # relu(x - 5)**0.5 at x = 1 is 0**0.5: sqrt's edge, where the exact evaluation
    # decides (kills the zero base's edge rule b == 1 -> b != 1, which passed the
    # base's error 0 on)
    assert bool(_screen("relu(x - 5)**0.5", [1.0]).doubtful[0])


def _mp(x: float) -> Any:
    return mpmath.mpf(x)


def _tenth() -> Any:
    return mpmath.mpf(1) / 10  # at the precision in force: exactly 1/10 to it


@pytest.mark.parametrize(
    ("text", "real"),
    [
        # x - 0.1 at the float 0.1 is 0 in float64 and 5.55e-18 exactly (0.1 is
        # 1/10): its cube is 1.7e-52, not the exact 0 that "0**3 is exact" made
        # of it (a hunt found the grid's row "agree, 0" where d/dx is 9.2e-35)
        ("(x - 0.1)**3", lambda x: (_mp(x) - _tenth()) ** 3),
        ("(x - 0.1)**2.5", lambda x: (_mp(x) - _tenth()) ** 2.5),
        # the kink argument is -1.98e28 in float64 and +5.55e27 exactly: relu's
        # flat side in float64, its slope 1 really; far from the kink for the
        # screen's 1e-6 margin, inside the argument's own error of 3.3e28
        ("relu(1e45*x - 1e44)", lambda x: max(10**45 * _mp(x) - 10**44, 0)),
        ("heaviside(1e45*x - 1e44)", lambda x: 1 if 10**45 * _mp(x) > 10**44 else 0),
        # the other way: +1.98e28 in float64, -5.55e27 exactly, below the step,
        # which only a look below the float64 argument finds (above it heaviside
        # is flat)
        ("relu(1e44 - 1e45*x)", lambda x: max(10**44 - 10**45 * _mp(x), 0)),
        ("heaviside(1e44 - 1e45*x)", lambda x: 1 if 10**44 > 10**45 * _mp(x) else 0),
    ],
)
def test_a_value_whose_argument_s_error_crosses_a_kink_or_zero_is_doubtful(
    text: str, real: Any
) -> None:
    with mpmath.workdps(60):
        truth = real(0.1)
    screened = _screen(text, [0.1])
    assert abs(screened.values[0] - truth) > TRUSTED_ERROR * abs(truth)  # float64 is off
    assert bool(screened.doubtful[0])


@pytest.mark.parametrize(
    ("text", "real", "xs"),
    [
        # the argument's error (about 0.2 at 1e15, 1e-4 at 1e12) spans a good
        # part of a period, which a move of 2**-20 relative (1e9, or 1e6) does
        # not see: it measures a slope of about 0 across 1e8 periods
        ("sin(1e15*x)", lambda x: mpmath.sin(10**15 * _mp(x)), np.linspace(1.0, 2.0, 200)),
        ("cos(x**3)", lambda x: mpmath.cos(_mp(x) ** 3), np.linspace(9990.0, 10000.0, 200)),
    ],
)
def test_a_periodic_function_of_a_large_rounded_argument_is_doubtful(
    text: str, real: Any, xs: Any
) -> None:
    screened = _screen(text, [float(x) for x in xs])
    trusted = 0
    with mpmath.workdps(60):
        for x, value, doubtful in zip(xs, screened.values, screened.doubtful, strict=True):
            truth = real(float(x))
            if not doubtful:
                trusted += 1
                assert abs(value - truth) <= TRUSTED_ERROR * abs(truth), (text, x, value)
    assert trusted < len(xs) // 10  # nearly every value is off by more than 1e-10


def test_a_long_grid_row_at_a_rounded_zero_base_is_judged_exactly(cli: Any) -> None:
    # the whole way through: 10,001 points (the float64 screen), and the row at
    # the float 0.1, where d/dx = 3*(x - 0.1)**2 is 3*(5.55e-18)**2 = 9.24e-35
    # (mpmath) and torch's is 0: DISAGREE with atol 0, not "agree, 0"
    run = cli(
        "grad", "(x-0.1)**3", "--at", "x=0:1:10001", "--atol", "0", "--timeout", "120", "-f", "json"
    )
    rows = {row["point"]["x"]: row for row in run.json()["results"]}
    row = rows[0.1]
    with mpmath.workdps(60):
        truth = 3 * (mpmath.mpf(0.1) - _tenth()) ** 2
    assert row["verdict"] == "DISAGREE" and row["autograd"] == 0.0
    assert abs(row["symbolic"] - truth) <= 1e-15 * truth
    assert run.code == 1
    assert sum(r["verdict"] == "agree" for r in rows.values()) == 10_000


def test_a_number_float64_holds_exactly_has_no_rounding() -> None:
    # polygamma's order 1 is exactly 1: moved by a rounding of 2**-53 it would be
    # order 0 (digamma) and every value doubtful, which sent all 20,001 points of a
    # grid to the exact evaluation, past the time budget
    xs = [float(v) for v in np.linspace(0.5, 1.5, 11)]
    screened = _screen("polygamma(1, x)*exp(x)", xs)
    assert not screened.doubtful.any()
    with mpmath.workdps(50):
        for x, value in zip(xs, screened.values, strict=True):
            real = mpmath.polygamma(1, x) * mpmath.exp(x)
            assert abs(value - real) <= TRUSTED_ERROR * abs(real)


@pytest.mark.parametrize(
    ("text", "real"),
    [
        # ceil(0.1) is 1 and floor of it 1, exactly in float64: given a rounding of
        # its own, 1 "might be just below 1" and floor of it 0, so every value was
        # doubtful (a fuzz campaign's long grid ran out of its budget on it)
        ("floor(ceil(0.1))", 1),
        ("x + round(0.5) + sign(0.3) + heaviside(0.25)", "x + 2"),
        ("relu(x) + abs(x) + max(x, 2) + min(x, 2)", "2*x + 2 + x"),
    ],
)
def test_step_and_choosing_functions_add_no_rounding(text: str, real: Any) -> None:
    xs = [float(v) for v in np.linspace(0.5, 1.5, 11)]
    screened = _screen(text, xs)
    assert not screened.doubtful.any()
    for x, value in zip(xs, screened.values, strict=True):
        expected = real if isinstance(real, int) else eval(real, {"x": x})  # noqa: S307
        assert value == expected  # by hand: round(0.5) = 0 (to even), the rest 1


def _gamma_family_real(name: str, x: float) -> Any:
    t = mpmath.mpf(x)
    if name == "sinc":
        return mpmath.sin(mpmath.pi * t) / (mpmath.pi * t)
    if name == "lgamma":
        return mpmath.log(abs(mpmath.gamma(t)))
    return mpmath.digamma(t)


@pytest.mark.parametrize(
    ("name", "centre", "width"),
    [
        # a hunt's rows: np.sinc rounds pi*x (1e20*sinc(x)**2 said "agree, -2598.78"
        # at x = 3, where the derivative is 0); math.lgamma beside its zeros 1, 2 and
        # -2.457... (6% off at 1 + 1e-14); digamma beside its zero 1.4616..., which
        # mpmath gave at its default 53 bits (0.4% off)
        ("sinc", 3.0, 1e-12),
        ("sinc", -7.0, 1e-6),
        ("lgamma", 1.0, 1e-9),
        ("lgamma", 2.0, 1e-9),
        ("lgamma", -2.457024738220800, 1e-11),
        ("lgamma", -3.143580888349980, 1e-11),
        ("digamma", 1.4616321449683623, 1e-12),
    ],
)
def test_a_function_float64_computes_badly_near_its_zeros_is_not_trusted_there(
    name: str, centre: float, width: float
) -> None:
    xs = [float(v) for v in np.linspace(centre - width, centre + width, 201)]
    screened = _screen(f"{name}(x)", xs)
    with mpmath.workdps(50):
        for x, value, doubtful, undefined in zip(
            xs, screened.values, screened.doubtful, screened.undefined, strict=True
        ):
            if doubtful or undefined:
                continue
            real = _gamma_family_real(name, x)
            assert abs(value - real) <= TRUSTED_ERROR * abs(real), (name, x, value)


def test_a_long_grid_through_sinc_s_zeros_is_judged_exactly(cli: Any) -> None:
    # 50,001 points over [0, 10]: at x = 3, d/dx of 1e20*sinc(x)**2 is 0 (sinc(3) = 0),
    # while torch's sinc rounds pi*x and gives -2598.78: DISAGREE, not "agree"
    run = cli("grad", "1e20*sinc(x)**2", "--at", "x=0:10:50001", "--timeout", "120", "-f", "json")
    rows = {row["point"]["x"]: row for row in run.json()["results"]}
    for whole in (1.0, 3.0, 10.0):
        row = rows[whole]
        assert row["verdict"] == "DISAGREE" and abs(row["symbolic"]) < 1e-40, row
        assert abs(row["autograd"]) > 100
    assert run.code == 1


def test_a_constant_past_float64_on_a_long_grid_is_no_crash(cli: Any) -> None:
    # 1e300*1e300 is 1e600, past float64: the screen took it with float() and the
    # whole grid failed ("OverflowError"). By hand: -exp(-800)*1e600 = -3.6679e252
    # (every point then goes to the exact evaluation: a budget of its own, so a
    # slow machine or coverage's tracing does not run out of the default 2 s)
    run = cli(
        "grad", "exp(-x)*1e300*1e300", "--at", "x=800:801:5000", "--timeout", "120", "-f", "json"
    )
    first = run.json()["results"][0]
    assert run.code == 1 and "OverflowError" not in run.err  # torch's inf*0: nan, DISAGREE
    with mpmath.workdps(30):
        real = -mpmath.exp(-800) * mpmath.mpf(10) ** 600
    assert abs(first["symbolic"] - real) <= 1e-15 * abs(real)


def test_sinc_and_lgamma_away_from_their_zeros_stay_trusted() -> None:
    # their extra error is absolute (sinc: 4*2**-53) or of their size (lgamma:
    # 16*2**-53 for x > 0, from its two parts for x < 0): far from a zero that is
    # far below 1e-10 of the value, so float64's value is used (checked here
    # against mpmath). An error of 4/2**-53 would send every point exact
    cases = [
        ("sinc", np.linspace(0.1, 0.9, 9)),
        ("lgamma", np.linspace(3.0, 30.0, 10)),
        ("lgamma", np.linspace(-3.9, -3.6, 4)),
    ]
    for name, xs in cases:
        screened = _screen(f"{name}(x)", [float(x) for x in xs])
        assert not screened.doubtful.any(), name
        with mpmath.workdps(40):
            for x, value in zip(xs, screened.values, strict=True):
                real = _gamma_family_real(name, float(x))
                assert abs(value - real) <= 1e-14 * abs(real)


def test_a_rounded_argument_after_an_exact_one_still_counts() -> None:
    # max(x, 3*s) with s = (x + 1e8) - 1e8 at 0.3: x is exact (a coordinate), 3*s =
    # 0.89999999105... is chosen, 9e-9 from the real 0.9: doubtful. An exact
    # first argument must not end the look at the others
    screened = _screen(f"max(x, 3*{S})", [0.3])
    assert abs(screened.values[0] - 0.9) > 1e-9
    assert bool(screened.doubtful[0])


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 12, 15, 20, 21, 40, 100, 250])
def test_polygamma_in_float64_is_within_its_declared_error_at_every_order(n: int) -> None:
    # The asymptotic series started at x >= 10 whatever the order: its first
    # term left out, B18*C(17 + n, 18)/x**18 of the first, was 1.3e-10 at
    # order 10 and 1e-8 at order 15 (x = 10), while the screen took the value
    # for one rounding. Now it starts at 10 + 2n, and the error the screen
    # carries for polygamma (2**-40 relative) holds against mpmath; up to order
    # 20, within 8 units of 2**-53.
    xs = [0.01, 0.5, 1.0, 3.3, 9.99, 10.0, 10.5, 15.0, 9.5 + 2 * n, 10.0 + 2 * n, 51.3, 1e3, 1e6]
    program = compile_tree(parse(f"polygamma({n}, x)").tree)
    screened = float64_values(program, {"x": np.array(xs)}, len(xs))
    bound = 8 * 2.0**-53 if n <= 20 else 2.0**-40
    with mpmath.workdps(50):
        for x, value in zip(xs, screened.values, strict=True):
            real = mpmath.polygamma(n, x)
            if abs(real) > 1.7e308 or abs(real) < 1e-300:
                continue  # past float64's range
            assert abs(value - real) <= bound * abs(real), (n, x)
    assert not screened.doubtful[np.isfinite(screened.values)].any()


def test_a_long_polygamma_grid_is_screened_not_sent_point_by_point(cli: Cli) -> None:
    # d/dx polygamma(11, x) = polygamma(12, x), 6.9e-5 at 10. The grid counted its
    # program as 3 instructions, went point by point through mpmath (2 ms each)
    # and ran out of its 2 s budget (exit 3); and above 100 every polygamma value
    # below 1e-4 went to mpmath. Both grids now end, each value within
    # TRUSTED_ERROR of mpmath's.
    for text, grid, order in (
        ("polygamma(11, x)", "10:11:2001", 12),
        ("polygamma(1, x)", "100:1000:2001", 2),
    ):
        run = cli("grad", text, "--at", f"x={grid}", "-f", "json")
        assert run.code == 0, run.err
        rows = run.json()["results"]
        assert len(rows) == 2001 and all(r["verdict"] == "agree" for r in rows)
        with mpmath.workdps(50):
            for row in rows[::97]:
                real = mpmath.polygamma(order, row["point"]["x"])
                assert abs(row["symbolic"] - real) <= TRUSTED_ERROR * abs(real)


def test_an_isolated_point_of_the_domain_on_a_long_grid(cli: Cli) -> None:
    # (x - x)*(x + 0.75)**x: a negative base under a moving exponent has a real
    # value at whole x only, so at x = -1 f is 0 (0*(-0.25)**-1 = 0*-4) and
    # undefined at every point beside it: no derivative of any order. At one
    # point derivcli said so; on a long grid the float64 screen trusted x = -1
    # (every closed form is 0, all defined) and called it differentiable (fuzz 62)
    text, at = "(x - x) * (x - -0.75)**x", "x=-1.75:0.25:20001"
    # (a generous budget: 10,000 undefined points are each looked at exactly)
    args = ("--wrt", "x", "--order", "3", "-f", "json", "--timeout", "120")
    run = cli("partial", text, "--at", at, *args)
    results = run.json()["results"]
    assert run.code == 1
    (result,) = [r for r in results if r["point"]["x"] == -1.0]
    assert result["verdict"] == "not differentiable"
    assert "f is defined at this point but nowhere beside it along x" in result["note"]
    # and beside it, where (x + 0.75)**x has no real value, f is undefined
    beside = [r for r in results if -1.001 < r["point"]["x"] < -1.0]
    assert beside and all(r["verdict"] == "not differentiable" for r in beside)
