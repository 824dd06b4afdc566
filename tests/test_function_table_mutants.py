"""Every evaluator of the function table against the suite's own reference, point by point.

tools/mutate.py showed builders of derivcli/language/functions.py whose mistakes
no test saw: a float64 series with a wrong coefficient, an exact builder taking
the wrong argument. Here each function of the table is evaluated the two ways
derivcli evaluates it without torch, through the public entry points
(``exact_constant`` of a parsed constant expression, ``float64_values`` of a
compiled expression in x), and compared with ``tests/reference.py``, which is
written from the mathematics, not from the table:

* the exact value, rounded to float64, against mpmath at 50 digits: within
  2 ulp (MPFR rounds once, so a wrong term anywhere shows);
* the float64 value against plain ``math``/mpmath in float64: within 1e-13
  relative (an absolute 1e-15 near a zero).

The points are dyadic (exact in binary), so the decimal literal the exact
evaluator reads is the very float64 the reference gets.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence

import mpmath
import numpy as np
import pytest
import reference
from conftest import Cli

from derivcli.language.evaluate import compile_tree, exact_constant, float64_values
from derivcli.language.functions import FUNCTIONS, FunctionSpec, lookup_constant, lookup_function
from derivcli.language.parser import parse

# whole numbers too: poles of gamma and its kin at 0, -2, zeros of lgamma at 1 and 2
POINTS = (
    -3.75,
    -2.0,
    -1.5,
    -0.625,
    -0.25,
    0.0,
    0.25,
    0.5,
    0.875,
    1.0,
    1.25,
    2.0,
    2.5,
    3.0,
    7.25,
    40.5,
)
SECOND = 0.75  # the second argument of two-argument functions
PARAMETER = {"": 0.5, "whole": 1, "nonzero": 2, "nonnegative": 0.5, "not_below_previous": 3}


def _literal(value: float) -> str:
    return repr(value) if value >= 0 else f"({value!r})"


def _arguments(spec: FunctionSpec, x: float) -> list[float]:
    params = [PARAMETER[p.check] for p in spec.params if p.default is None]
    exprs = [x, SECOND][: spec.arity]
    return params + exprs if spec.params_first else exprs + params


def _text(spec: FunctionSpec, args: Sequence[float | str]) -> str:
    return f"{spec.name}({', '.join(a if isinstance(a, str) else _literal(a) for a in args)})"


def _reference_mp(name: str, args: Sequence[float]) -> float | None:
    with mpmath.workdps(50):
        try:
            value = reference.MP[name](*[mpmath.mpf(a) for a in args])
        except (ValueError, ZeroDivisionError):
            return None
        if value is None or not mpmath.isfinite(value):
            return None
        return float(value)


def _reference_float64(name: str, args: Sequence[float]) -> float:
    try:
        return float(reference.FLOAT64[name](*args))
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.nan


def _ulps(a: float, b: float) -> float:
    return abs(a - b) / math.ulp(max(abs(b), 2.0**-1022))


def _exact(text: str) -> float | None:
    outcome = exact_constant(parse(text).tree)
    return outcome.to_float() if outcome.defined else None


def _float64(text_in_x: str, x: float) -> float:
    program = compile_tree(parse(text_in_x).tree)
    return float(float64_values(program, {"x": np.array([x])}, 1).values[0])


EXPRESSION_FUNCTIONS = [spec for spec in FUNCTIONS if spec.arity > 0]


@pytest.mark.parametrize("spec", EXPRESSION_FUNCTIONS, ids=lambda spec: spec.name)
def test_exact_values_are_the_reference_rounded(spec: FunctionSpec) -> None:
    compared = 0
    for x in POINTS:
        args = _arguments(spec, x)
        text = _text(spec, args)
        truth = _reference_mp(spec.name, args)
        value = _exact(text)
        if truth is None:
            assert value is None or not math.isfinite(value), text
            continue
        assert value is not None, text
        # within 2 ulp; a true 0 (sinc(-2)) may come out as rounding of either side
        assert _ulps(value, truth) <= 2 or abs(value - truth) < 1e-40, (text, value, truth)
        compared += 1
    assert compared >= 3


@pytest.mark.parametrize("spec", EXPRESSION_FUNCTIONS, ids=lambda spec: spec.name)
def test_float64_values_are_the_reference(spec: FunctionSpec) -> None:
    compared = 0
    for x in POINTS:
        args = _arguments(spec, x)
        position = len(spec.params) if spec.params_first else 0
        in_x: list[float | str] = list(args)
        in_x[position] = "x"
        text = _text(spec, in_x)
        truth = _reference_float64(spec.name, args)
        value = _float64(text, x)
        if not math.isfinite(truth):
            continue
        assert value == pytest.approx(truth, rel=1e-13, abs=1e-15), (text, x)
        compared += 1
    assert compared >= 3


# ---------------------------------------------------------------- erfinv's float64 algorithm


ERFINV_POINTS = (-0.999, -0.9, -0.6, -0.3, -1e-9, 0.0, 0.2, 0.5, 0.51, 0.75, 0.99, 0.999999)


def test_erfinv_float64_on_both_sides_of_its_tail_switch() -> None:
    """Newton on erf up to |a| = 1/2, on erfc beyond: both branches and the switch."""
    points = np.array(ERFINV_POINTS)
    program = compile_tree(parse("erfinv(x)").tree)
    values = float64_values(program, {"x": points}, len(points)).values
    with mpmath.workdps(50):
        truth = [float(mpmath.erfinv(mpmath.mpf(p))) for p in ERFINV_POINTS]
    for point, value, expected in zip(ERFINV_POINTS, values, truth, strict=True):
        assert value == pytest.approx(expected, rel=1e-14, abs=1e-300), point


def test_erfinv_float64_is_infinite_at_plus_minus_1_and_nan_beyond() -> None:
    points = np.array([-1.0, 1.0, -1.5, 1.0000001, 3.0])
    spec = next(s for s in FUNCTIONS if s.name == "erfinv")
    assert spec.float64 is not None
    values = spec.float64(np, [points])
    assert values[0] == -math.inf and values[1] == math.inf
    assert all(math.isnan(v) for v in values[2:])


# ---------------------------------------------------------------- polygamma's float64 series


@pytest.mark.parametrize("order", [0, 1, 2, 3, 5])
def test_polygamma_float64_everywhere_on_the_line(order: int) -> None:
    """The recurrence below 10, the asymptotic series above, mpmath for x <= 0 and
    near digamma's zero (1.4616...): each range against mpmath."""
    xs = [-2.5, -0.5, 0.03125, 0.5, 1.4616321449683622, 1.5, 3.0, 9.75, 10.0, 12.5, 100.0, 1e6]
    spec = next(s for s in FUNCTIONS if s.name == "polygamma")
    assert spec.float64 is not None
    values = spec.float64(np, [np.full(len(xs), float(order)), np.array(xs)])
    for x, value in zip(xs, values, strict=True):
        with mpmath.workdps(50):
            expected = float(mpmath.polygamma(order, mpmath.mpf(x)))
        # relative, but an absolute 1e-15 beside digamma's zero
        assert value == pytest.approx(expected, rel=1e-12, abs=1e-15), (order, x)


@pytest.mark.parametrize(("order", "rtol"), [(2, 2e-15), (3, 1.5e-14)])
def test_polygamma_float64_series_has_every_bernoulli_term(order: int, rtol: float) -> None:
    """At x = 10 the series alone gives the value; with its eight Bernoulli terms it is
    within a few ulp at order 2 and within 1.5e-14 at order 3 (the terms grow with
    the order): a wrong B12 (-692/2730) moves it 4.4e-15 and 2.9e-14 away."""
    spec = next(s for s in FUNCTIONS if s.name == "polygamma")
    assert spec.float64 is not None
    value = spec.float64(np, [np.array([float(order)]), np.array([10.0])])[0]
    with mpmath.workdps(50):
        expected = float(mpmath.polygamma(order, 10))
    assert value == pytest.approx(expected, rel=rtol, abs=0)


def test_polygamma_float64_with_several_orders_at_once() -> None:
    spec = next(s for s in FUNCTIONS if s.name == "polygamma")
    assert spec.float64 is not None
    orders = np.array([0.0, 1.0, 2.0, 0.0, 3.0, math.nan])
    xs = np.array([0.5, 2.0, 11.0, 20.0, 0.25, 1.0])
    values = spec.float64(np, [orders, xs])
    for n, x, value in zip(orders[:-1], xs[:-1], values[:-1], strict=True):
        with mpmath.workdps(50):
            expected = float(mpmath.polygamma(int(n), mpmath.mpf(x)))
        assert value == pytest.approx(expected, rel=1e-13), (n, x)
    assert math.isnan(values[-1])  # an order that is not a number gives nan


def test_digamma_float64_beside_its_zero() -> None:
    program = compile_tree(parse("digamma(x)").tree)
    xs = np.array([1.46, 1.4616321449683622, 1.47])
    values = float64_values(program, {"x": xs}, len(xs)).values
    for x, value in zip(xs, values, strict=True):
        with mpmath.workdps(50):
            expected = float(mpmath.digamma(mpmath.mpf(float(x))))
        assert value == pytest.approx(expected, rel=1e-12, abs=1e-16), x


# ---------------------------------------------------------------- periodic functions far out


def _mp_far(name: str) -> float:
    """f(10**300 + e) with all of e's digits kept (mpmath at 700 digits)."""
    with mpmath.workdps(700):
        x = mpmath.mpf(10) ** 300 + mpmath.e
        table = {
            "sin": lambda: mpmath.sin(x),
            "cos": lambda: mpmath.cos(x),
            "tan": lambda: mpmath.tan(x),
            "sinc": lambda: mpmath.sin(mpmath.pi * x) / mpmath.pi,  # times 1e300
            "frac": lambda: x - mpmath.floor(x),
            "floor": lambda: mpmath.floor(x) - mpmath.mpf(10) ** 300,
            "ceil": lambda: mpmath.ceil(x) - mpmath.mpf(10) ** 300,
            "round": lambda: mpmath.nint(x) - mpmath.mpf(10) ** 300,
            "trunc": lambda: mpmath.floor(x) - mpmath.mpf(10) ** 300,
        }
        return float(table[name]())


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("sin", "sin(1e300 + E)"),
        ("cos", "cos(1e300 + E)"),
        ("tan", "tan(1e300 + E)"),
        ("sinc", "sinc(1e300 + E)*1e300"),
        ("frac", "frac(1e300 + E)"),
        ("floor", "floor(1e300 + E) - 1e300"),
        ("ceil", "ceil(1e300 + E) - 1e300"),
        ("round", "round(1e300 + E) - 1e300"),
        ("trunc", "trunc(1e300 + E) - 1e300"),
    ],
)
def test_periodic_functions_keep_every_bit_of_a_far_argument(name: str, text: str) -> None:
    """The README's example: frac(x + E) at x = 1e300 is frac(E). A periodic function
    (or a step function) of a computed argument depends on its last bits."""
    value = _exact(text)
    assert value is not None
    assert _ulps(value, _mp_far(name)) <= 2, (text, value)


# ---------------------------------------------------------------- every parameter given


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("softplus(0.75, 2, 20)", (0.75, 2, 20)),
        ("softplus(-1.25, 0.5, 20)", (-1.25, 0.5, 20)),
        ("softplus(0.75, 2)", (0.75, 2)),
        ("elu(-0.5, 2)", (-0.5, 2)),
        ("celu(-0.5, 2)", (-0.5, 2)),
        ("leaky_relu(-0.5, 0.25)", (-0.5, 0.25)),
        ("hardtanh(0.75, -0.5, 0.5)", (0.75, -0.5, 0.5)),
        ("hardtanh(-0.75, -0.5, 0.5)", (-0.75, -0.5, 0.5)),
        ("softshrink(0.75, 0.25)", (0.75, 0.25)),
        ("softshrink(-0.75, 0.25)", (-0.75, 0.25)),
        ("hardshrink(0.375, 0.25)", (0.375, 0.25)),
        ("clamp(2.5, -1, 2)", (2.5, -1, 2)),
        ("polygamma(2, 0.75)", (2, 0.75)),
    ],
)
def test_explicit_parameters_are_used(text: str, args: tuple[float, ...]) -> None:
    name = text.split("(")[0]
    truth = _reference_mp(name, args)
    assert truth is not None
    value = _exact(text)
    assert value is not None
    assert _ulps(value, truth) <= 2, (text, value, truth)
    position = len(args) - 1 if name == "polygamma" else 0
    in_x = [repr(a) if a >= 0 else f"({a!r})" for a in args]
    in_x[position] = "x"
    assert _float64(f"{name}({', '.join(in_x)})", args[position]) == pytest.approx(
        _reference_float64(name, args), rel=1e-13, abs=1e-15
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the documented defaults (torch's): hardtanh's -1 and 1, the shrinks' 0.5,
        # leaky_relu's 0.01, elu's and celu's 1, softplus's beta 1
        ("hardtanh(5)", 1.0),
        ("hardtanh(-5)", -1.0),
        ("softshrink(0.25)", 0.0),
        ("softshrink(0.75)", 0.25),
        ("hardshrink(0.5)", 0.0),
        ("hardshrink(0.625)", 0.625),
        ("leaky_relu(-2)", -0.02),
        ("elu(-1)", math.expm1(-1)),
        ("celu(-1)", math.expm1(-1)),
        ("softplus(0)", math.log(2)),
    ],
)
def test_default_parameters(text: str, expected: float) -> None:
    value = _exact(text)
    assert value == pytest.approx(expected, rel=1e-15, abs=0)


# ---------------------------------------------------------------- far out: the first term


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 1 - exp(-1e10), 1e300 + exp(-1e300), ...: within rounding of the first term
        ("sigmoid(1e10)", 1.0),
        ("sigmoid(16777217)", 1.0),  # just past 2**24
        ("softplus(1e300)", 1e300),
        ("softplus(16777217)", 16777217.0),
        ("logsumexp(1e300, 0)", 1e300),
        ("logsumexp(0, 16777217)", 16777217.0),
        ("logsumexp(16777216, 0)", 16777216.0),  # exactly 2**24 apart
    ],
)
def test_far_arguments_give_the_first_term(text: str, expected: float) -> None:
    assert _exact(text) == expected


def test_the_table_cannot_be_changed_by_its_readers() -> None:
    """Every part of derivcli reads the one table: a spec handed out is a frozen value."""
    spec = lookup_function("sin")
    assert spec is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.arity = 2  # type: ignore[misc]
    assert len({spec, lookup_function("sin"), lookup_function("cos")}) == 2  # hashable
    param = lookup_function("leaky_relu").params[0]  # type: ignore[union-attr]
    with pytest.raises(dataclasses.FrozenInstanceError):
        param.default = 1.0  # type: ignore[misc]
    constant = lookup_constant("pi")
    assert constant is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        constant.value = 3.0  # type: ignore[misc]


# ---------------------------------------------------------------- the torch side's values


GRAPH_POINT = {"acosh": 1.5, "asec": 1.5, "acsc": 1.5}


@pytest.mark.parametrize("spec", EXPRESSION_FUNCTIONS, ids=lambda spec: spec.name)
def test_the_graph_shows_the_functions_value_as_torch_computes_it(
    spec: FunctionSpec, cli: Cli
) -> None:
    """`derivcli graph` prints the value of f that torch computed; a torch builder
    with a wrong constant (pi/1 - atan(a) for acot) has the right derivative and
    only shows here."""
    x = GRAPH_POINT.get(spec.name, 0.5)
    args = _arguments(spec, x)
    position = len(spec.params) if spec.params_first else 0
    in_x: list[float | str] = list(args)
    in_x[position] = "x"
    run = cli("graph", _text(spec, in_x), "--at", f"x={x}")
    assert run.code == 0, run.err
    shown = re.search(r"^y = tensor\(.*\n\s+data=(\S+)", run.out, re.MULTILINE)
    assert shown is not None, run.out
    # torch's own polygamma is good to about 3e-10 (trigamma at 0.5), the rest to 1e-12
    rtol = 1e-9 if spec.name == "polygamma" else 1e-12
    assert float(shown.group(1)) == pytest.approx(
        _reference_float64(spec.name, args), rel=rtol, abs=1e-15
    )


def test_torch_gamma_at_its_pole_0_takes_the_sign_from_the_left(cli: Cli) -> None:
    """torch has no gamma: derivcli builds sign*exp(lgamma(x)), the sign negative
    where floor(-x) is even and x <= 0. At the pole 0 that is -inf (gamma's value
    coming from the left), and autograd's derivative sign*exp(lgamma(0))*digamma(0)
    is -1 * inf * -inf = +inf."""
    run = cli("graph", "gamma(x)", "--at", "x=0")
    assert "gamma(x) = -inf" in run.out
    assert "x.grad  # tensor(inf, dtype=torch.float64)" in run.out
    result = cli("grad", "gamma(x)", "--at", "x=0", "--format", "json").json()["results"][0]
    assert result["autograd"] == "inf"
    assert result["verdict"] == "not differentiable"


def test_a_zero_has_no_sign_on_atan2s_branch_cut() -> None:
    """A real 0 has no sign: atan2(0, -1) = pi however the 0 was reached (MPFR's
    atan2(-0, -1) is -pi, and -x**2 at 0 is -0: atan2(-x**2, -1) took -pi for
    its value at 0, its sides' limit, and missed the jump). So relu(-0) giving
    -0 or +0 no longer shows anywhere (see equivalent_mutants.toml)."""
    assert _exact("atan2(-0, -1)") == math.pi
    assert _exact("atan2(-(0*0), -1)") == math.pi
    assert _exact("atan2(relu(-0), -1)") == math.pi
    assert _exact("atan2(relu(0), -1)") == math.pi


def test_torch_heaviside_is_one_half_at_0(cli: Cli) -> None:
    """heaviside(0) is 1/2 on the torch side too (sympy's convention, which the
    closed form uses), 0 left of it and 1 right of it."""
    for x, expected in (("0", 0.5), ("-1", 0.0), ("-0.5", 0.0), ("1e-300", 1.0)):
        run = cli("graph", "heaviside(x)", "--at", f"x={x}")
        shown = re.search(r"^y = tensor\(.*\n\s+data=(\S+)", run.out, re.MULTILINE)
        assert shown is not None, run.out
        assert float(shown.group(1)) == expected, x


def test_logsumexp_of_0_and_a_far_negative_number_is_not_rounded_to_0() -> None:
    """logsumexp(0, -2**25) is log1p(exp(-2**25)), about exp(-2**25): tiny, but not
    0 (only a nonzero largest argument makes the added term negligible)."""
    assert _exact("logsumexp(0, -33554432)*exp(33554432)") == pytest.approx(1.0, rel=1e-15)
    assert _exact("logsumexp(-33554432, 0)*exp(33554432)") == pytest.approx(1.0, rel=1e-15)


@pytest.mark.parametrize("a", [0.0625, 0.08, -0.06])
def test_erfinv_float64_is_within_2_ulp_for_small_arguments(a: float) -> None:
    """Below |a| = 1/2 Newton's method runs on erf, which keeps its relative accuracy
    there (erfc's 1 - a - erfc(y) would cancel)."""
    spec = next(s for s in FUNCTIONS if s.name == "erfinv")
    assert spec.float64 is not None
    value = float(spec.float64(np, [np.array([a])])[0])
    with mpmath.workdps(50):
        truth = float(mpmath.erfinv(mpmath.mpf(a)))
    assert _ulps(value, truth) <= 2


# ---------------------------------------------------------------- asin's domain edges


@pytest.mark.parametrize("text", ["asin(cos(x) - 2)", "asin(2 - cos(x))"])
def test_asin_of_an_argument_just_past_its_edge_is_undefined(text: str, cli: Cli) -> None:
    """At x = 2**-128, cos(x) is 1 - 2**-257 + ...: cos(x) - 2 is just below -1 and
    2 - cos(x) just above 1, outside asin's domain, though both round to -1 and 1
    at 256 bits. asin's edges (-1 and 1) tell the evaluator that a rounded argument
    on one is unsure (kills functions.py:3d428f87:8:num_x10:0, edge -1 moved to -10,
    after which the point was taken for a defined, isolated one)."""
    x = 2.0**-128
    with mpmath.workdps(200):
        argument = mpmath.cos(mpmath.mpf(x)) - 2
        assert argument < -1 and argument > -1 - mpmath.mpf(2) ** -256  # just past the edge
    result = cli("grad", text, "--at", f"x={x!r}", "--format", "json").json()["results"][0]
    assert result["verdict"] == "not differentiable"
    assert result["symbolic"] == "nan"
    assert "is outside the real domain" in result["note"], result["note"]


@pytest.mark.parametrize("tiny", ["5814540.5", "5814542", "10000000"])
def test_logsumexp_of_a_tiny_number_and_a_far_negative_one_is_the_tiny_one(tiny: str) -> None:
    """logsumexp(exp(-t), -1e300) is exp(-t) within rounding, for t = 5814540.5
    (exponent exactly -2**23, the old shortcut's bound), 5814542 and 1e7 (below it).
    Only exp(-1e300) is past every number format, and the first term leaves it under
    half an ulp; derivcli used to call the whole value too small, and the survivor
    functions.py:ca829b9c:57:cmp_gt_ge:0 (that bound moved by one binade) showed it."""
    # by hand: logsumexp(a, b) = a + log1p(exp(b - a)), and exp(b - a) < 2**-(10**300)
    assert _exact(f"logsumexp(exp(-{tiny}), -1e300)*exp({tiny})") == pytest.approx(1.0, rel=1e-15)
    assert _exact(f"logsumexp(-1e300, exp(-{tiny}))*exp({tiny})") == pytest.approx(1.0, rel=1e-15)


def test_logsumexp_keeps_the_second_term_when_it_outweighs_a_tiny_largest_one() -> None:
    """logsumexp(exp(-2.1e7), -16777300): the gap (16,777,300) is past 2**24, but the
    largest argument exp(-2.1e7) is smaller still than exp(-16777300), so by hand the
    value is log(1 + exp(-2.1e7) + exp(-16777300) + ...) = exp(-16777300)*(1 + exp(-4.2e6)):
    the first term alone would be wrong (kills the shortcut's bound with its sign
    flipped, gap > precision + 1 + exponent: functions.py:1cc9c232:62:arith_sub_add:0)."""
    value = _exact("logsumexp(exp(-21000000), -16777300)*exp(16777300)")
    assert value == pytest.approx(1.0, rel=1e-15)


def test_logsumexp_takes_its_first_term_right_up_to_the_shortcuts_bound() -> None:
    """logsumexp(exp(-516000000), -744430898.5): the first term is 2**-744430641.x
    (get_exp -744430641, checked below), the gap is 744430898.5 + that, and at 256
    bits the shortcut's bound is 256 + 1 + 744430641 = 744430898, half a unit under
    the gap. exp(-gap) is 2**-1073990457, past MPFR's smallest exponent (-2**30 + 1),
    so the general path's exp underflows: only the shortcut gives the value, which by
    hand is the first term within rounding (exp(-gap) is 2**-329816 times its ulp).
    Kills the bound moved up by one, gap > precision + 2 - exponent
    (functions.py:1cc9c232:60:num_inc:0)."""
    gmpy2 = pytest.importorskip("gmpy2")
    with gmpy2.context(gmpy2.get_context(), precision=256):
        first = gmpy2.exp(gmpy2.mpfr(-516000000))
        assert gmpy2.get_exp(first) == -744430641
        assert gmpy2.exp(gmpy2.mpfr(-744430898.5)) == 0  # the general path underflows
    with mpmath.workdps(50):
        # the first term's size, as the test states it: 2**-744430641.x
        assert -744430642 < -516000000 / mpmath.log(2) < -744430641
    value = _exact("logsumexp(exp(-516000000), -744430898.5)*exp(516000000)")
    assert value == pytest.approx(1.0, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # a parameter without a default is an argument the call must give: the
        # documented signatures are polygamma(n, a) and clamp(a, lo, hi). Kills
        # functions.py:6a537db2:24:num_dec:0 (min_args counting none of them,
        # after which polygamma(x) passed the arity check)
        ("polygamma(x)", "polygamma takes 2 arguments (polygamma(n, a)), got 1"),
        ("clamp(x)", "clamp takes 3 arguments (clamp(a, lo, hi)), got 1"),
        ("clamp(x, 0)", "clamp takes 3 arguments (clamp(a, lo, hi)), got 2"),
    ],
)
def test_a_parameter_without_a_default_must_be_given(text: str, message: str) -> None:
    from derivcli.errors import ParseError

    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == f"{message} at column 1"


@pytest.mark.parametrize(
    ("text", "name", "edge", "mutant"),
    [
        # cos(x) is 1 - 2**-257 + ...: 2 - cos(x) is just above acos's edge 1,
        # and cos(x) just below acosh's edge 1, both outside the domain, though
        # both round to 1 at 256 bits
        ("acos(2 - cos(x))", "acos", 1, "functions.py:3d428f87:13:num_neg:1 (edge 1 as -1)"),
        ("acosh(cos(x))", "acosh", 1, "functions.py:268ceb20:7:num_x10:0 (edge 1 as 10)"),
    ],
)
def test_an_argument_rounded_onto_an_edge_of_acos_or_acosh_is_checked(
    cli: Cli, text: str, name: str, edge: float, mutant: str
) -> None:
    """As for asin above: the function's edges tell the evaluator that an argument
    rounded onto one is unsure, and a finer evaluation finds it outside the
    domain. Without the edge (the mutant in the parameters), the point was taken
    for a defined one with no neighbours ("defined at this point but nowhere
    beside it")."""
    x = 2.0**-128
    with mpmath.workdps(200):
        cos_x = mpmath.cos(mpmath.mpf(x))
        argument = 2 - cos_x if name == "acos" else cos_x
        assert abs(argument - edge) < mpmath.mpf(2) ** -256
        assert (argument > edge) if name == "acos" else (argument < edge)  # outside
    result = cli("grad", text, "--at", f"x={x!r}", "--format", "json").json()["results"][0]
    assert result["verdict"] == "not differentiable"
    assert result["symbolic"] == "nan"
    assert f"({text} is outside the real domain)" in result["note"], (mutant, result["note"])
