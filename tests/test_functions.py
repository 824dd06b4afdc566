"""Every function of the table, against the test suite's own mpmath definitions.

The truth here is ``tests/reference.py`` (the functions written from their
mathematics, not from derivcli's table) differentiated numerically by mpmath
at 50 digits. At regular points the closed form must match it to 1e-13 and
autograd must agree, for orders 1 to 3. At every kink and edge the issue
names, the left and right derivatives are worked out by hand here, and both
engines' values (torch's convention, the closed form's) are asserted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import mpmath
import pytest
import reference
from conftest import Cli

import derivcli
from derivcli.language.functions import FUNCTIONS, function_names, lookup_function
from derivcli.language.parser import parse
from derivcli.language.printer import to_text

DIGITS = 50
TRUTH_RTOL = 1e-13


def test_reference_covers_the_table() -> None:
    table = {spec.name for spec in FUNCTIONS}
    assert set(reference.MP) == table
    assert set(reference.FLOAT64) == table
    assert set(function_names()) == table | {"pow"}


# ---------------------------------------------------------------- regular points


def _one(name: str, *constants: float) -> Callable[[Any], Any]:
    """The reference function of x, with constant arguments after it."""
    return lambda x: reference.MP[name](x, *[mpmath.mpf(c) for c in constants])


# (expression in x, the reference as a function of x, points away from kinks and edges)
GENERAL = [-0.7, 0.45, 1.3]
SPECIAL_POINTS = {
    "asin": [-0.6, 0.3, 0.8],
    "acos": [-0.6, 0.3, 0.8],
    "atanh": [-0.6, 0.3, 0.8],
    "erfinv": [-0.6, 0.3, 0.8],
    "acosh": [1.2, 2.5, 7.0],
    "asec": [-3.0, 1.5, 4.0],
    "acsc": [-3.0, 1.5, 4.0],
    "log": [0.3, 1.7, 12.0],
    "log2": [0.3, 1.7, 12.0],
    "log10": [0.3, 1.7, 12.0],
    "sqrt": [0.3, 1.7, 12.0],
    "log1p": [-0.5, 0.3, 4.0],
    "gamma": [-1.5, 0.6, 3.3],
    "lgamma": [-1.5, 0.6, 3.3],
    "digamma": [-1.5, 0.6, 3.3],
    "relu6": [-0.7, 0.45, 6.5],
    "hardtanh": [-1.3, 0.45, 1.7],
    "hardsigmoid": [-3.5, 0.45, 3.3],
    "hardswish": [-3.5, 0.45, 3.3],
    "cbrt": [-0.7, 0.45, 8.0],
}
CASES: list[tuple[str, Callable[[Any], Any], list[float]]] = [
    (f"{spec.name}(x)", _one(spec.name), SPECIAL_POINTS.get(spec.name, GENERAL))
    for spec in FUNCTIONS
    if spec.min_args == 1 and spec.arity == 1 and not spec.params_first
] + [
    ("atan2(x, 0.7)", _one("atan2", 0.7), GENERAL),
    ("atan2(x, -1.5)", _one("atan2", -1.5), GENERAL),
    ("atan2(0.7, x)", lambda x: reference.MP["atan2"](mpmath.mpf("0.7"), x), GENERAL),
    ("hypot(x, 0.7)", _one("hypot", 0.7), GENERAL),
    ("hypot(2*x, x)", lambda x: reference.MP["hypot"](2 * x, x), GENERAL),
    ("logsumexp(x, 0.7)", _one("logsumexp", 0.7), GENERAL),
    ("logsumexp(x, -x, 2*x)", lambda x: reference.MP["logsumexp"](x, -x, 2 * x), GENERAL),
    ("max(x, 0.2)", _one("max", 0.2), GENERAL),
    ("max(x, 0.2, -x/3)", lambda x: reference.MP["max"](x, mpmath.mpf("0.2"), -x / 3), GENERAL),
    ("min(x, 0.2)", _one("min", 0.2), GENERAL),
    ("min(x, 0.2, -x/3)", lambda x: reference.MP["min"](x, mpmath.mpf("0.2"), -x / 3), GENERAL),
    ("clamp(x, -0.5, 1)", _one("clamp", -0.5, 1), GENERAL),
    ("polygamma(0, x)", lambda x: reference.MP["polygamma"](0, x), [0.6, 3.3]),
    ("polygamma(2, x)", lambda x: reference.MP["polygamma"](2, x), [-1.5, 0.6, 3.3]),
    ("factorial(4.5)*x", lambda x: reference.MP["factorial"](mpmath.mpf("4.5")) * x, GENERAL),
    ("leaky_relu(x, 0.2)", _one("leaky_relu", 0.2), GENERAL),
    ("elu(x, 2)", _one("elu", 2), GENERAL),
    ("celu(x, 2)", _one("celu", 2), GENERAL),
    ("softplus(x, 2)", _one("softplus", 2), GENERAL),
    ("softplus(x, 0.5, 5)", _one("softplus", 0.5, 5), GENERAL),
    ("hardtanh(x, -2, 0.5)", _one("hardtanh", -2, 0.5), [-2.3, 0.45, 1.3]),
    ("softshrink(x, 0.2)", _one("softshrink", 0.2), GENERAL),
    ("hardshrink(x, 0.2)", _one("hardshrink", 0.2), GENERAL),
    # macros and chains
    ("log(x, 2)", lambda x: mpmath.log(x, 2), [0.3, 1.7, 12.0]),
    ("pow(x, 3)", lambda x: x**3, GENERAL),
    (
        "silu(sin(x))*gelu(x**2)",
        lambda x: reference.MP["silu"](mpmath.sin(x)) * reference.MP["gelu"](x**2),
        GENERAL,
    ),  # fmt: skip
    (
        "mish(erfc(x))/cot(x)",
        lambda x: reference.MP["mish"](mpmath.erfc(x)) / reference.MP["cot"](x),
        GENERAL,
    ),  # fmt: skip
]


def _truth(f: Callable[[Any], Any], x: float, order: int) -> float:
    with mpmath.workdps(DIGITS):
        return float(mpmath.diff(f, mpmath.mpf(x), order))


def test_every_function_has_a_regular_case() -> None:
    covered = {node.name for text, _, _ in CASES for node in _calls(parse(text).tree)}
    assert covered == {spec.name for spec in FUNCTIONS}, {s.name for s in FUNCTIONS} - covered


def _calls(tree: Any) -> list[Any]:
    from derivcli.language.tree import Call, walk

    return [node for node in walk(tree) if isinstance(node, Call)]


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize(("text", "f", "points"), CASES, ids=[c[0] for c in CASES])
def test_regular_points_match_the_reference(
    text: str, f: Callable[[Any], Any], points: Sequence[float], order: int
) -> None:
    if order == 3 and text.startswith(("erfinv", "polygamma(2")):
        points = points[1:2]  # mpmath's own numerical third derivative is slow there
    report = derivcli.grad(text, at=[f"x={p!r}" for p in points], order=order)
    for result, x in zip(report.results, points, strict=True):
        truth = _truth(f, x, order)
        assert result.symbolic == pytest.approx(truth, rel=TRUTH_RTOL, abs=1e-30), (x, result)
        if order > 1 and text == "hardsigmoid(x)":
            # torch has no second derivative of hardsigmoid: the closed form alone, exit 3
            assert result.verdict == "not computed" and result.autograd is None
            assert "hardsigmoid_backward is not implemented" in str(result.note)
            continue
        assert result.verdict == "agree", (x, result)


# ---------------------------------------------------------------- kinks and edges

SCALE = float(reference.SELU_SCALE)
ALPHA = float(reference.SELU_ALPHA)

# (expression, point, order, left, right, autograd): the one-sided derivatives
# worked out by hand; autograd is torch's convention there, which the table's
# note names.
KINKS: list[tuple[str, float, int, float, float, float]] = [
    ("leaky_relu(x)", 0.0, 1, 0.01, 1.0, 0.01),  # torch: the negative slope
    ("leaky_relu(x, 0.2)", 0.0, 1, 0.2, 1.0, 0.2),
    ("hardtanh(x)", 1.0, 1, 1.0, 0.0, 0.0),  # torch: 0 at both edges
    ("hardtanh(x)", -1.0, 1, 0.0, 1.0, 0.0),
    ("relu6(x)", 0.0, 1, 0.0, 1.0, 0.0),  # torch: 0 at 0 and 6
    ("relu6(x)", 6.0, 1, 1.0, 0.0, 0.0),
    ("clamp(x, 0, 1)", 0.0, 1, 0.0, 1.0, 1.0),  # torch.clamp passes the gradient
    ("clamp(x, 0, 1)", 1.0, 1, 1.0, 0.0, 1.0),
    ("hardswish(x)", -3.0, 1, 0.0, -0.5, 0.0),  # (2x + 3)/6 on the right of -3
    ("hardswish(x)", 3.0, 1, 1.5, 1.0, 1.0),  # (2x + 3)/6 = 1.5 on the left of 3
    ("hardsigmoid(x)", 3.0, 1, 1 / 6, 0.0, 0.0),
    ("selu(x)", 0.0, 1, SCALE * ALPHA, SCALE, SCALE * ALPHA),  # torch: the left side
    ("elu(x, 2)", 0.0, 1, 2.0, 1.0, 2.0),  # torch: alpha
    ("softsign(x)", 0.0, 2, 2.0, -2.0, 0.0),  # -2*sign(x)/(1 + |x|)**3
    ("softshrink(x)", 0.5, 1, 0.0, 1.0, 0.0),
    ("softshrink(x)", -0.5, 1, 1.0, 0.0, 0.0),
    ("abs(x - 2)", 2.0, 1, -1.0, 1.0, 0.0),
    ("max(x, 0, -x)", 0.0, 1, -1.0, 1.0, -0.25),  # torch.maximum: 0.5/0.5 at each tie
]


@pytest.mark.parametrize(
    ("text", "x", "order", "left", "right", "auto"), KINKS, ids=[f"{k[0]}@{k[1]}" for k in KINKS]
)
def test_kinks_give_both_sides_and_both_conventions(
    cli: Cli, text: str, x: float, order: int, left: float, right: float, auto: float
) -> None:
    run = cli("grad", text, "--at", f"x={x!r}", "--order", str(order), "-f", "json")
    assert run.code == 1, run
    (result,) = run.json()["results"]
    assert result["verdict"] == "not differentiable"
    assert result["left"] == pytest.approx(left, rel=1e-15, abs=1e-300)
    assert result["right"] == pytest.approx(right, rel=1e-15, abs=1e-300)
    assert result["autograd"] == pytest.approx(auto, rel=1e-15, abs=1e-300)
    name = parse(text).tree
    spec = lookup_function(getattr(name, "name", ""))
    assert spec is not None
    # the note names the function and quotes torch's convention from the table
    assert f"kink of {spec.name}" in result["note"]
    if spec.torch_convention:
        assert spec.torch_convention in result["note"]


# Kinks where the two sides meet: differentiable, both engines agree.
SMOOTH_KINKS = [
    ("elu(x)", 0.0, 1, 1.0),  # alpha = 1: slope 1 on both sides
    ("celu(x, 2)", 0.0, 1, 1.0),
    ("softsign(x)", 0.0, 1, 1.0),
    ("atan2(x, 1)", 0.0, 1, 1.0),  # atan2 jumps only across the negative x axis
]


@pytest.mark.parametrize(("text", "x", "order", "value"), SMOOTH_KINKS)
def test_kinks_where_the_sides_meet_are_differentiable(
    cli: Cli, text: str, x: float, order: int, value: float
) -> None:
    run = cli("grad", text, "--at", f"x={x!r}", "--order", str(order), "-f", "json")
    assert run.code == 0, run
    (result,) = run.json()["results"]
    assert result["verdict"] == "agree"
    assert result["symbolic"] == value and result["autograd"] == value


# Jumps of f: no derivative; (expression, point, torch's gradient there).
JUMPS = [
    ("floor(x)", 2.0, 0.0),  # torch returns 0 at the step
    ("ceil(x)", -1.0, 0.0),
    ("trunc(x)", 3.0, 0.0),
    ("round(x)", 0.5, 0.0),
    ("round(x)", 2.5, 0.0),
    ("frac(x)", 2.0, 1.0),  # torch returns 1 at the step
    ("hardshrink(x)", 0.5, 0.0),  # torch: 0 at +-lambd
    ("hardshrink(x)", -0.5, 0.0),
    ("sign(x)", 0.0, 0.0),
    ("atan2(x, -1)", 0.0, -1.0),  # the jump across the negative x axis
]


@pytest.mark.parametrize(("text", "x", "auto"), JUMPS)
def test_jumps_have_no_derivative(cli: Cli, text: str, x: float, auto: float) -> None:
    run = cli("grad", text, "--at", f"x={x!r}", "-f", "json")
    assert run.code == 1, run
    (result,) = run.json()["results"]
    assert result["verdict"] == "not differentiable"
    assert result["autograd"] == auto
    assert "jumps" in result["note"]


def test_floor_away_from_the_steps_has_derivative_zero(cli: Cli) -> None:
    run = cli("grad", "floor(x)*x", "--at", "x=2.5", "-f", "json")
    (result,) = run.json()["results"]
    assert run.code == 0 and result["symbolic"] == 2.0 and result["autograd"] == 2.0


def test_round_halves_to_even_like_torch(cli: Cli) -> None:
    # round(2.5) = 2 and round(3.5) = 4: f's value is the one torch computes
    run = cli("grad", "x*round(x)", "--at", "x=2.25", "-f", "json")
    assert run.code == 0
    (result,) = run.json()["results"]
    assert result["symbolic"] == 2.0  # round(2.25) + 0


EDGES = [
    # (expression, point, what the note says)
    ("cbrt(x)", 0.0, "left derivative inf, right inf"),
    ("asec(x)", 1.0, "edge of the function's real domain"),
    ("erfinv(x)", 1.0, "has a pole"),
    ("gamma(x)", -1.0, "has a pole"),
    ("log(x, 2)", 0.0, "has a pole"),
    ("acsc(x)", 0.5, "outside the real domain"),
]


@pytest.mark.parametrize(("text", "x", "words"), EDGES)
def test_edges_and_poles_are_named(cli: Cli, text: str, x: float, words: str) -> None:
    run = cli("grad", text, "--at", f"x={x!r}", "-f", "json")
    assert run.code == 1, run
    (result,) = run.json()["results"]
    assert result["verdict"] == "not differentiable"
    assert words in result["note"]


def test_hypot_at_the_origin_is_a_corner(cli: Cli) -> None:
    run = cli("partial", "hypot(x, y)", "--wrt", "x", "--at", "x=0,y=0", "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    assert (result["left"], result["right"]) == (-1.0, 1.0)
    assert result["autograd"] == "nan"  # torch.hypot's gradient at (0, 0); JSON says "nan"


def test_gamma_is_right_for_negative_arguments(cli: Cli) -> None:
    # gamma(-0.5) = -2*sqrt(pi) is negative: torch's exp(lgamma) would be |gamma|
    run = cli("grad", "gamma(x)", "--at", "x=-0.5", "-f", "json")
    assert run.code == 0
    (result,) = run.json()["results"]
    with mpmath.workdps(DIGITS):
        truth = float(mpmath.diff(mpmath.gamma, mpmath.mpf(-0.5)))
    assert result["symbolic"] == pytest.approx(truth, rel=TRUTH_RTOL)
    assert result["autograd"] == pytest.approx(truth, rel=1e-12)


# ---------------------------------------------------------------- notation


@pytest.mark.parametrize(
    ("typed", "understood"),
    [
        ("2x", "2*x"),
        ("3sin(x)", "3*sin(x)"),
        ("2(x+1)", "2*(x + 1)"),
        ("0.5x^2", "0.5*x**2"),
        ("(x+1)(x-1)", "(x + 1)*(x - 1)"),
        ("e^x", "E**x"),
        ("\u03c0*x", "pi*x"),
        ("2\u03c0", "2*pi"),
        ("x\u00b2 + x\u00b3", "x**2 + x**3"),
        ("x\u207b\u00b9", "x**-1"),
        ("x \u2212 y", "x - y"),
        ("x \u00d7 y \u00b7 z", "x*y*z"),
        ("x \u00f7 2", "x/2"),
        ("log(x, 2)", "log(x)/log(2)"),
        ("pow(x, 3)", "x**3"),
        ("arcsin(x) + sgn(x) + ln(x) + arctanh(x)", "asin(x) + sign(x) + log(x) + atanh(x)"),
        ("swish(x)", "silu(x)"),
        ("max(x, y, 1)", "max(max(x, y), 1)"),
        ("logsumexp(x, y, 1)", "logsumexp(logsumexp(x, y), 1)"),
        ("lambda*x", "lambda*x"),
    ],
)
def test_notation_is_read_as_meant(typed: str, understood: str) -> None:
    tree = parse(typed).tree
    assert to_text(tree) == understood
    # and the text printed back reads as the same tree
    assert to_text(parse(understood).tree) == understood


def test_expression_as_understood_shows_how_it_was_read(cli: Cli) -> None:
    run = cli("grad", "2(x+1)(x-1)", "--at", "x=1", "-f", "json")
    assert run.code == 0
    assert run.json()["expression"] == "2*(x + 1)*(x - 1)"


@pytest.mark.parametrize(
    ("at", "value"),
    [
        ("x=sqrt(2)", math.sqrt(2)),
        ("x=log(2)", math.log(2)),
        ("x=e", math.e),
        ("x=pi/4", math.pi / 4),
        ("x=2\u03c0", 2 * math.pi),
    ],
)
def test_at_takes_constant_expressions(cli: Cli, at: str, value: float) -> None:
    run = cli("grad", "x**2", "--at", at, "-f", "json")
    assert run.code == 0, run
    (result,) = run.json()["results"]
    assert result["point"] == {"x": value}
    assert result["symbolic"] == 2 * value


def test_at_grid_with_constant_ends(cli: Cli) -> None:
    run = cli("grad", "x", "--at", "x=-pi:pi:3", "-f", "json")
    assert run.code == 0
    points = [r["point"]["x"] for r in run.json()["results"]]
    assert points == [-math.pi, 0.0, math.pi]


def test_at_e_is_refused_as_a_constant(cli: Cli) -> None:
    run = cli("grad", "x*e", "--at", "e=1")
    assert run.code == 2 and run.out == ""
    assert run.err.count("\n") == 1
    assert "'e' is the constant Euler's number" in run.err


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("atan2(x)", "atan2 takes 2 arguments"),
        ("leaky_relu(x, y)", "negative_slope must be a constant"),
        ("factorial(x)", "factorial's n must be a constant"),
        ("log(x, 1)", "base of a logarithm must not be 1"),
        ("1/2x", "can be read two ways"),
        ("x(x+1)", "'x' is a variable, not a function: write x*(...)"),
        ("polygamma(0.5, x)", "must be a whole number"),
    ],
)
def test_bad_calls_are_one_line_exit_2(cli: Cli, text: str, words: str) -> None:
    run = cli("grad", text, "--at", "x=1,y=1")
    assert run.code == 2 and run.out == ""
    assert run.err.count("\n") == 1 and words in run.err and "column" in run.err


# ---------------------------------------------------------------- graph code


@pytest.mark.parametrize(("text", "f", "points"), CASES, ids=[c[0] for c in CASES])
def test_graph_code_runs_and_gives_the_gradient_shown(
    text: str, f: Callable[[Any], Any], points: Sequence[float]
) -> None:
    # The Python `graph` prints for a user to paste is real code: run it.
    graph = derivcli.graph(text, at={"x": points[1]})
    namespace: dict[str, Any] = {}
    exec("\n".join(graph.code), namespace)  # derivcli's own output, not user text
    leaf = namespace["x"]
    if not namespace[graph.output_name].requires_grad:
        # a step (heaviside) has no grad_fn: the code says so instead of calling backward()
        assert "would raise" in graph.code[-2] and leaf.grad is None
        return
    assert leaf.grad is not None
    shown = next(x for x in graph.leaves if x.name == "x").tensor.grad_repr
    assert repr(leaf.grad) == shown
    assert float(leaf.grad) == pytest.approx(_truth(f, points[1], 1), rel=1e-7)


# ---------------------------------------------------------------- one table, one place


def test_readme_function_list_is_the_table() -> None:
    # tools/readme_functions.py writes the README's list; it must not drift
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "tools" / "readme_functions.py"
    spec = importlib.util.spec_from_file_location("readme_functions", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = module.README.read_text(encoding="utf-8")
    assert module.current(readme) == module.markdown(), "run tools/readme_functions.py"
    for function_spec in FUNCTIONS:
        assert f"`{function_spec.signature}`" in readme


def test_functions_command_lists_every_signature_and_torch_call(cli: Cli) -> None:
    run = cli("functions")
    assert run.code == 0 and run.err == ""
    for function_spec in FUNCTIONS:
        assert function_spec.signature in run.out
        assert function_spec.torch_code in run.out
    assert "leaky_relu(a, negative_slope=0.01)" in run.out


@pytest.mark.parametrize("order", [0, 1, 2, 3, 4, 7])
@pytest.mark.parametrize("x", ["-32.5", "-100.7", "-57.25", "-1000.1", "-13721.3"])
def test_polygamma_below_minus_32_by_reflection_matches_mpmath(order: int, x: str) -> None:
    # derivcli reflects polygamma's argument below -32 (mpmath steps it up one by
    # one); mpmath's own value at 600 bits is the oracle, to 2**-250 relative
    from derivcli.language.evaluate import compile_tree, exact_value

    program = compile_tree(parse(f"polygamma({order}, x)").tree)
    outcome = exact_value(program, {"x": float(x)}, 256)
    assert outcome.value is not None
    with mpmath.workprec(600):
        real = mpmath.polygamma(order, mpmath.mpf(float(x)))
        got = mpmath.mpf(outcome.value.as_integer_ratio()[0]) / outcome.value.as_integer_ratio()[1]
        assert abs(got - real) <= abs(real) * mpmath.mpf(2) ** -250


def test_trigamma_far_below_0_and_its_poles() -> None:
    # trigamma's reflection, typed here: psi1(x) + psi1(1 - x) = pi**2/sin(pi*x)**2,
    # at one of check's spot points, -1.37e6 + 0.5; and a whole x <= 0 is a pole
    from derivcli.language.evaluate import compile_tree, exact_value

    program = compile_tree(parse("polygamma(1, x)").tree)
    outcome = exact_value(program, {"x": -1369999.5}, 256)
    assert outcome.value is not None
    with mpmath.workprec(600):
        x = mpmath.mpf(-1369999.5)
        real = mpmath.pi**2 / mpmath.sin(mpmath.pi * x) ** 2 - mpmath.polygamma(1, 1 - x)
        num, den = outcome.value.as_integer_ratio()
        assert abs(mpmath.mpf(num) / den - real) <= real * mpmath.mpf(2) ** -250
    for pole in (-1370000.0, -40.0, 0.0):
        assert exact_value(program, {"x": pole}).undefined is not None


@pytest.mark.parametrize("zero", [1, 2])
@pytest.mark.parametrize("k", [257, 300, 1024, 4096])
@pytest.mark.parametrize("precision", [256, 1100, 4160])
def test_lgamma_beside_its_zeros_to_its_precision(zero: int, k: int, precision: int) -> None:
    # lgamma(1 + h) and lgamma(2 + h) for |h| = 3*2**-k come from a series below
    # 2**-256 (MPFR took seconds there): within 1 unit of the last bit of mpmath's
    # loggamma, taken with k + 200 more bits
    import gmpy2

    from derivcli.language.functions import _exact_lgamma

    for side in (-1, +1):
        with gmpy2.context(gmpy2.get_context(), precision=precision + k + 8):
            x = gmpy2.mpfr(zero) + side * gmpy2.mul_2exp(gmpy2.mpfr(3), -k)
        with gmpy2.context(gmpy2.get_context(), precision=precision):
            value = _exact_lgamma(gmpy2, x)
        with mpmath.workprec(precision + k + 200):
            real = mpmath.loggamma(mpmath.mpf(zero) + side * 3 * mpmath.mpf(2) ** -k)
            num, den = value.as_integer_ratio()
            assert abs(mpmath.mpf(num) / den - real) <= abs(real) * mpmath.mpf(2) ** -precision


@pytest.mark.parametrize(("x", "slope"), [(1.0, "euler"), (2.0, "1 - euler")])
def test_abs_of_lgamma_at_its_zeros_is_a_kink(cli: Cli, x: float, slope: str) -> None:
    # lgamma'(1) = digamma(1) = -euler, lgamma'(2) = 1 - euler: abs(lgamma) has the
    # sides -+|lgamma'| there (this ran out of its 2 s budget: lgamma's exact values
    # at 1 + 2**-4096 took MPFR 10 s each)
    run = cli("grad", "abs(lgamma(x))", "--at", f"x={x:g}", "-f", "json", "--timeout", "60")
    (result,) = run.json()["results"]
    size = float(mpmath.euler) if slope == "euler" else float(1 - mpmath.euler)
    assert run.code == 1 and result["verdict"] == "not differentiable"
    assert result["left"] == pytest.approx(-size, rel=1e-15)
    assert result["right"] == pytest.approx(size, rel=1e-15)


@pytest.mark.parametrize("text", ["polygamma(1, x)", "digamma(x)"])
def test_torch_s_polygamma_far_below_0_is_refused_not_waited_for(cli: Cli, text: str) -> None:
    # torch steps a negative argument up one by one: polygamma(1, -1e15) did not
    # return in minutes (no budget reaches C++). Below -2**24, autograd stops with
    # one line and exit 3
    run = cli("grad", text, "-n", "2", "--at", "x=-999999999999999.5")
    assert run.code == 3
    assert run.err.strip().splitlines() == [
        f"derivcli: error: autograd cannot evaluate {text.split('(')[0]} below -2**24 (-1.7e7): "
        "torch steps its argument up one at a time there and would not return"
    ]


@pytest.mark.parametrize("precision", [256, 1024, 4096])
@pytest.mark.parametrize("x", [1, 2, 3, 10, 4096, 0.5, 1.5, 2.5, 100.5, 4095.5])
def test_digamma_and_lgamma_at_whole_and_half_whole_numbers(precision: int, x: float) -> None:
    # digamma(n) = -euler + H(n-1) and digamma(n + 1/2) = -euler - 2*log(2) +
    # sum 2/(2k - 1) replace MPFR's digamma there (2.7 s for digamma(2) at 16,384
    # bits); lgamma(n) = log((n-1)!). Against mpmath with bits to spare.
    import gmpy2

    from derivcli.language.functions import _exact_digamma, _exact_lgamma

    with gmpy2.context(precision=precision), mpmath.workprec(precision + 64):
        digamma = _exact_digamma(gmpy2, gmpy2.mpfr(x))
        truth = mpmath.digamma(mpmath.mpf(x))
        assert abs(mpmath.mpf(digamma) - truth) <= abs(truth) * mpmath.mpf(2) ** (2 - precision)
        if x == int(x) and x > 2:
            lgamma = _exact_lgamma(gmpy2, gmpy2.mpfr(x))
            truth = mpmath.loggamma(mpmath.mpf(x))
            assert abs(mpmath.mpf(lgamma) - truth) <= truth * mpmath.mpf(2) ** (1 - precision)


@pytest.mark.parametrize(
    "text",
    # each constant is 0 (digamma(2) = 1 - euler = digamma(1) + 1; lgamma(3) = log(2)):
    # the refinement of a constant that cancels goes to 16,384 bits, where MPFR's
    # digamma(2) took 2.7 s, and these ran out of the default budget (a hunt)
    [
        "x*(digamma(2) - digamma(1) - 1)",
        "x*(lgamma(3) - log(2))",
        "x*(digamma(2.5) - digamma(1.5) - 2/3)",
    ],
)
def test_a_constant_of_gamma_relatives_that_cancels_is_0(cli: Cli, text: str) -> None:
    run = cli("grad", text, "--at", "x=1", "--timeout", "60", "-f", "json")
    (result,) = run.json()["results"]
    assert run.code == 0
    assert result["symbolic"] == 0.0 and result["verdict"] == "agree"


# ---------------------------------------------------------------- 1 + erf without the cancellation


@pytest.mark.parametrize(
    ("text", "x", "expected"),
    [
        # 1 + erf(x) = erfc(-x): at -200 it is 1e-17375, far below 16,384 bits of 1
        ("1 + erf(x)", -200, lambda x: mpmath.erfc(-x)),
        ("erf(x) + 1", -30, lambda x: mpmath.erfc(-x)),
        ("1 - erf(x)", 30, lambda x: mpmath.erfc(x)),
        ("erf(x) - 1", 30, lambda x: -mpmath.erfc(x)),
        ("-1 + erf(x)", 30, lambda x: -mpmath.erfc(x)),
        ("-1 - erf(x)", -30, lambda x: -mpmath.erfc(-x)),
        ("-(1) - erf(x)", -30, lambda x: -mpmath.erfc(-x)),
        # symengine writes -(1 + erf(x)) as -erf(x) - 1 (a hunt: at -1000 the
        # derivative of (-1 - erf(x))*exp(x**2) was -1.128, true -5.6e-7)
        ("-erf(x) - 1", -1000, lambda x: -mpmath.erfc(-x)),
        ("-erf(x) + 1", 1000, lambda x: mpmath.erfc(x)),
        ("1 + -erf(x)", 30, lambda x: mpmath.erfc(x)),
        ("-erf(x) - -1", 30, lambda x: mpmath.erfc(x)),
        ("(-erf(x) - 1)*exp(x**2)", -300, lambda x: -mpmath.erfc(-x) * mpmath.exp(x**2)),
        ("(1 + erf(x/sqrt(2)))/2", -137.3, lambda x: mpmath.erfc(-x / mpmath.sqrt(2)) / 2),
        # not a complement: left as a sum (2 + erf(x) is 1 + erfc(-x) ~ 1)
        ("2 + erf(x)", -30, lambda x: 2 + mpmath.erf(x)),
    ],
)
def test_one_plus_erf_keeps_its_digits_far_out(
    text: str, x: float, expected: Callable[[Any], Any]
) -> None:
    from derivcli.language.evaluate import compile_tree, exact_value
    from derivcli.language.parser import parse

    outcome = exact_value(compile_tree(parse(text).tree), {"x": x})
    assert outcome.value is not None
    with mpmath.workdps(100):
        truth = expected(mpmath.mpf(x))
        assert truth != 0
        value = mpmath.mpf(outcome.value)
        assert abs(value / truth - 1) < mpmath.mpf(2) ** -200


def test_gelu_check_spot_values_need_no_refinement() -> None:
    # The spot value of 1 + erf(x/sqrt(2)) at -137.3 is erfc(97) = 1e-4094: as a
    # sum it was refined to 16,384 bits (MPFR's erf takes 0.2 s there), and the
    # check ran out of its 2 s budget (exit 3). Now one 256-bit evaluation
    # gives every digit
    from derivcli.language.evaluate import PRECISION, compile_tree, exact_value
    from derivcli.language.parser import parse

    answer = compile_tree(parse("(1 + erf(x/sqrt(2)))/2 + x*exp(-x**2/2)/sqrt(2*pi)").tree)
    outcome = exact_value(answer, {"x": -137.3})
    assert outcome.precision == PRECISION
    with mpmath.workdps(100):
        x = mpmath.mpf(-137.3)
        truth = mpmath.erfc(-x / mpmath.sqrt(2)) / 2 + x * mpmath.npdf(x)
        assert abs(mpmath.mpf(outcome.value) / truth - 1) < mpmath.mpf(2) ** -200


def test_an_erf_read_both_as_a_complement_and_alone_is_computed_once_for_each() -> None:
    # (1 + erf(x))*erf(x) with one erf node shared by both parents (a DAG, as
    # closed forms converted from symengine are): the sum is erfc(-x), the
    # factor erf(x) itself
    from derivcli.language.evaluate import compile_tree, exact_value
    from derivcli.language.tree import BinaryOp, Call, Number, Variable

    erf = Call("erf", (Variable("x"),))
    tree = BinaryOp("*", BinaryOp("+", Number(Fraction(1), "1"), erf), erf)
    program = compile_tree(tree)
    assert [i.name for i in program.instructions if i.name in ("erf", "erfc")] == ["erf", "erfc"]
    outcome = exact_value(program, {"x": -30.0})
    with mpmath.workdps(60):
        x = mpmath.mpf(-30)
        truth = mpmath.erfc(-x) * mpmath.erf(x)
        assert abs(mpmath.mpf(outcome.value) / truth - 1) < mpmath.mpf(2) ** -200


def test_the_closed_form_s_own_minus_erf_minus_1_keeps_its_digits(cli: Cli) -> None:
    # f = (-1 - erf(x))*exp(x**2) = -erfcx(-x); f' = -(2*x*erfcx(-x) + 2/sqrt(pi)),
    # whose closed form symengine writes 2*x*(-erf(x) - 1)*exp(x**2) - 2/sqrt(pi)
    with mpmath.workdps(50):
        x = mpmath.mpf(-1000)
        truth = -(2 * x * mpmath.erfc(-x) * mpmath.exp(x**2) + 2 / mpmath.sqrt(mpmath.pi))
    run = cli("grad", "(-1-erf(x))*exp(x**2)", "--at", "x=-1000", "-f", "json")
    (result,) = run.json()["results"]
    assert "(-erf(x) - 1)" in result["derivative"]
    assert math.isclose(result["symbolic"], float(truth), rel_tol=1e-14)
