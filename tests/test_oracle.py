"""Oracle tests: closed form vs autograd vs central finite differences.

Three independent answers for each derivative:

* the closed form, differentiated by symengine and evaluated in float64 by the
  symbolic worker (``symbolic`` in a result);
* torch autograd (``autograd``);
* a central finite difference computed here, in float64, from the test
  suite's own evaluator of the parse tree (``conftest.evaluate``, plain
  ``math``), so neither engine grades its own homework.

The printed closed form must also parse back with ``derivcli.language.parser.parse``
and evaluate to the same value (the JSON contract says derivcli reads its own
output). Points stay away from kinks and domain edges; those are in
test_kinks_and_domains.py and test_functions.py.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pytest
from conftest import Cli, central_difference, evaluate, evaluate_text

from derivcli.compare import compute
from derivcli.errors import ExitCode, InputError, LimitError
from derivcli.language.functions import FUNCTIONS
from derivcli.language.parser import parse
from derivcli.language.points import parse_at
from derivcli.options import Settings
from derivcli.results import Report

# (expression, point). Every function of the table appears at least once,
# alone and inside chains and products.
CASES: list[tuple[str, dict[str, float]]] = [
    ("sin(x)", {"x": 0.7}),
    ("cos(x)", {"x": 0.7}),
    ("tan(x)", {"x": 0.4}),
    ("asin(x)", {"x": 0.3}),
    ("acos(x)", {"x": -0.4}),
    ("atan(x)", {"x": 1.3}),
    ("sinh(x)", {"x": 0.8}),
    ("cosh(x)", {"x": -0.6}),
    ("tanh(x)", {"x": 0.5}),
    ("asinh(x)", {"x": 1.7}),
    ("acosh(x)", {"x": 1.9}),
    ("atanh(x)", {"x": -0.35}),
    ("exp(x)", {"x": 0.9}),
    ("log(x)", {"x": 2.5}),
    ("sqrt(x)", {"x": 3.1}),
    ("erf(x)", {"x": 0.45}),
    ("abs(x)", {"x": -1.3}),
    ("abs(x)", {"x": 2.0}),
    ("x**2*sign(x)", {"x": -0.7}),
    ("sign(x)*sin(x)", {"x": 0.6}),
    ("heaviside(x)*x**3", {"x": 0.5}),
    ("heaviside(x)*x**3", {"x": -0.5}),
    ("relu(x)", {"x": 0.8}),
    ("relu(x)", {"x": -0.8}),
    ("relu(x)**3", {"x": 1.1}),
    ("sigmoid(x)", {"x": 0.3}),
    ("softplus(x)", {"x": -1.2}),
    ("softplus(x)", {"x": 2.5}),
    ("max(x, 1 - x)", {"x": 0.2}),
    ("max(x**2, x)", {"x": 1.5}),
    ("min(x**2, x)", {"x": 0.5}),
    ("min(sin(x), cos(x))", {"x": 1.2}),
    # chains and products
    ("sin(x)*exp(x)", {"x": 0.3}),
    ("exp(sin(x))", {"x": 0.7}),
    ("log(1 + x**2)*atan(x)", {"x": -0.8}),
    ("tanh(sigmoid(x)*x)", {"x": 1.4}),
    ("sqrt(1 + x**2)/cosh(x)", {"x": 0.6}),
    ("x**x", {"x": 1.5}),
    ("x^3 - 2*x + 1/x", {"x": 1.7}),
    ("erf(sin(x))*asinh(x)**2", {"x": 0.9}),
    ("softplus(relu(x) - 1)*tan(x/3)", {"x": 0.75}),
    ("acosh(1 + x**2)*atanh(x/2)", {"x": 0.6}),
    ("2**x*E**(-x/2) + pi*x", {"x": 0.25}),
    ("asin(x/2)*acos(x/3) - atan(x)**-1", {"x": 1.1}),
    ("sinh(x)*cosh(2*x) - sqrt(exp(x))", {"x": -0.4}),
    ("abs(sin(x))*heaviside(cos(x)) + sign(x)*relu(x)", {"x": 2.2}),
    ("(x + 1)*(x + 2)*(x + 3)*(x + 4)", {"x": 0.5}),
    # several variables
    ("u*v + u**2", {"u": 1.0, "v": 2.0}),
    ("u*v + (u*v)**2", {"u": 2.0, "v": 1.0}),
    ("sin(u*v) + exp(u - v)", {"u": 0.3, "v": -0.7}),
    ("max(x, y)*log(x**2 + y**2)", {"x": 0.3, "y": -0.7}),
    ("min(x, y) + sigmoid(x*y)", {"x": 0.3, "y": -0.7}),
    ("x/(1 + y**2) - softplus(x - y)", {"x": 0.3, "y": -0.7}),
    # the rest of the table, in chains
    ("sec(x)*csc(x) + cot(x)**2 - asec(x + 2)*acsc(x + 2) + acot(x)", {"x": 0.6}),
    ("atan2(x, y)*hypot(x, y) + logsumexp(x, y, x*y)", {"x": 0.3, "y": -0.7}),
    ("sinc(x)*exp2(x) + expm1(x)/log1p(x) + cbrt(x)**2", {"x": 0.8}),
    ("log2(x) + log10(x)*erfc(x) + erfinv(x/2)", {"x": 0.7}),
    ("gamma(x)*lgamma(x) + digamma(x) - polygamma(1, x) + factorial(3)*x", {"x": 1.6}),
    ("clamp(x, -1, 2)*floor(y) + ceil(y) + round(y) - trunc(y) + frac(y)", {"x": 0.3, "y": 1.7}),
    ("gelu(x)*gelu_tanh(y) + silu(x*y) - mish(y)", {"x": 0.3, "y": -0.7}),
    ("elu(x, 0.5) + selu(y) + celu(x - y) + leaky_relu(y, 0.1)", {"x": 0.3, "y": -0.7}),
    ("relu6(7*x)*hardtanh(y) - hardswish(y)", {"x": 0.3, "y": -0.7}),
    (
        "softsign(x*y) + logsigmoid(x) + tanhshrink(y) + softshrink(x) - hardshrink(y)",
        {"x": 0.3, "y": -0.7},
    ),  # fmt: skip
]


def _ids(case: tuple[str, dict[str, float]]) -> str:
    expr, point = case
    return f"{expr} @ " + ",".join(f"{k}={v}" for k, v in point.items())


def _at(point: Mapping[str, float]) -> str:
    return ",".join(f"{name}={value!r}" for name, value in point.items())


def run_compute(
    expr: str, derivatives: list[tuple[str, ...]], point: Mapping[str, float] | None
) -> Report:
    expression = parse(expr)
    points = None if point is None else parse_at([_at(point)], expression.variables)
    return compute(expression, derivatives, points, Settings())


def _fd(expr: str, point: Mapping[str, float], var: str, order: int) -> float:
    tree = parse(expr).tree

    def f(value: float) -> float:
        moved = dict(point)
        moved[var] = value
        return evaluate(tree, moved)

    return central_difference(f, point[var], order)


def test_the_table_covers_every_function() -> None:
    used = set()
    for expr, _ in CASES:
        used.update(_calls(parse(expr).tree))
    # torch has no second derivative of hardsigmoid (test_functions.py covers it)
    table = {spec.name for spec in FUNCTIONS} - {"hardsigmoid"}
    assert table <= used, table - used


def _calls(node: object) -> set[str]:
    from derivcli.language.tree import BinaryOp, Call, Negate

    if isinstance(node, Call):
        return {node.name}.union(*(_calls(a) for a in node.args))
    if isinstance(node, Negate):
        return _calls(node.operand)
    if isinstance(node, BinaryOp):
        return _calls(node.left) | _calls(node.right)
    return set()


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_first_and_second_derivatives_three_ways(case: tuple[str, dict[str, float]]) -> None:
    check_three_ways(case, orders=(1, 2))


def check_three_ways(case: tuple[str, dict[str, float]], orders: tuple[int, ...]) -> None:
    expr, point = case
    variables = parse(expr).variables
    derivatives = [(v,) * order for order in orders for v in variables]
    report = run_compute(expr, derivatives, point)
    assert report.exit_code == ExitCode.OK, [r.note for r in report.results]
    assert len(report.results) == len(derivatives)
    for result in report.results:
        var, order = result.wrt[0], result.order
        assert result.symbolic is not None and result.autograd is not None
        assert result.agree is True and result.differentiable is True
        fd = _fd(expr, point, var, order)
        tol = {"rel_tol": 1e-6, "abs_tol": 1e-7}
        assert math.isclose(result.symbolic, fd, **tol), (result.wrt, result.symbolic, fd)
        assert math.isclose(result.autograd, fd, **tol), (result.wrt, result.autograd, fd)
        assert math.isclose(result.symbolic, result.autograd, rel_tol=1e-9, abs_tol=1e-12)
        # The closed form parses back and means the same thing.
        assert result.derivative is not None
        again = evaluate_text(result.derivative, point)
        assert math.isclose(again, result.symbolic, rel_tol=1e-9, abs_tol=1e-12), (
            result.derivative,
            again,
            result.symbolic,
        )


# ---------------------------------------------------------------- the labs' examples


LAB_EXAMPLES = [
    # expression, point, wrt, closed form (or None), value
    ("x**2", {"x": 2.0}, ("x",), "2*x", 4.0),
    ("x**2+2*x+1", {"x": 2.0}, ("x",), "2*x + 2", 6.0),
    ("2*x**3+x", {"x": 1.0}, ("x",), "6*x**2 + 1", 7.0),
    ("u*v+u**2", {"u": 1.0, "v": 2.0}, ("u",), "2*u + v", 4.0),
    ("u*v+u**2", {"u": 1.0, "v": 2.0}, ("v",), "u", 1.0),
    # d/du (uv + u^2 v^2) = v + 2 u v^2 = 1 + 4 = 5 at (2, 1)
    ("u*v+(u*v)**2", {"u": 2.0, "v": 1.0}, ("u",), None, 5.0),
    # d/dv = u + 2 u^2 v = 2 + 8 = 10 at (2, 1)
    ("u*v+(u*v)**2", {"u": 2.0, "v": 1.0}, ("v",), None, 10.0),
    # d2/dudv = 1 + 4 u v = 9 at (2, 1)
    ("u*v+(u*v)**2", {"u": 2.0, "v": 1.0}, ("u", "v"), None, 9.0),
    ("x**3", {"x": 2.0}, ("x", "x"), "6*x", 12.0),
]


@pytest.mark.parametrize(
    ("expr", "point", "wrt", "closed", "value"),
    LAB_EXAMPLES,
    ids=[f"{e[0]} d/{''.join(e[2])}" for e in LAB_EXAMPLES],
)
def test_labs_examples(
    expr: str,
    point: dict[str, float],
    wrt: tuple[str, ...],
    closed: str | None,
    value: float,
) -> None:
    report = run_compute(expr, [wrt], point)
    assert report.exit_code == ExitCode.OK
    (result,) = report.results
    assert result.symbolic == value
    assert result.autograd == value
    assert result.agree is True
    if closed is not None:
        assert result.derivative == closed
    assert result.derivative is not None
    assert evaluate_text(result.derivative, point) == pytest.approx(value, rel=1e-12)


def test_labs_gradient_through_the_cli(cli: Cli) -> None:
    run = cli("grad", "u*v+u**2", "--at", "u=1,v=2", "--format", "json")
    assert run.code == 0, run.err
    results = run.json()["results"]
    assert [(r["wrt"], r["derivative"], r["symbolic"], r["autograd"]) for r in results] == [
        ("u", "2*u + v", 4.0, 4.0),
        ("v", "u", 1.0, 1.0),
    ]


# ---------------------------------------------------------------- closed forms round-trip


ROUND_TRIP = [
    ("x**2+2*x+1", 1),
    ("exp(sin(x))", 4),
    ("sigmoid(x)*softplus(x)", 3),
    ("relu(x)**3 + abs(x)**3", 2),
    ("max(x, 2*x - 1)*min(x, 3)", 1),
    ("x**pi + E**x", 2),
    ("x^-2 - 1/(1 + x**2)", 3),
    ("log(x)*sqrt(x)", 5),
    ("erf(x)*atan(x)", 3),
]


@pytest.mark.parametrize(("expr", "order"), ROUND_TRIP)
def test_closed_form_parses_back_and_agrees_at_samples(expr: str, order: int) -> None:
    """Without --at the closed form is checked at sample points; re-parse it there."""
    report = run_compute(expr, [("x",) * order], None)
    (result,) = report.results
    assert result.agree is True, result.note
    assert result.samples, result.note
    assert result.derivative is not None
    tree = parse(result.derivative).tree
    for sample in result.samples:
        point = dict(sample.point)
        assert evaluate(tree, point) == pytest.approx(sample.symbolic, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("expr", "order"),
    [("x**50", 50), ("2**200*x", 1), ("1e-50*x**2", 1), ("x**60", 30)],
)
def test_closed_form_with_big_coefficients_parses_back(expr: str, order: int) -> None:
    report = run_compute(expr, [("x",) * order], {"x": 1.0})
    (result,) = report.results
    assert result.derivative is not None
    again = evaluate_text(result.derivative, {"x": 1.0})
    assert again == pytest.approx(result.symbolic, rel=1e-9)


def test_exact_numbers_past_the_limit_are_refused_where_they_are_built() -> None:
    # 10**1500 would print a 1501-digit coefficient that could not parse back
    with pytest.raises(LimitError, match="column 24"):
        run_compute("*".join(["1e300"] * 5) + "*x", [("x",)], {"x": 1.0})


@pytest.mark.parametrize(
    ("expr", "column"),
    [
        ("log(0)*x", 1),
        ("sqrt(-1)*x", 1),
        ("x*(2+acos(1)/0)", 13),
        ("(-8)**(1/3)*x", 5),  # the principal cube root is complex, as in torch
        ("x+acos(2)", 3),
        ("log(log(log(0.5)))*x", 5),
    ],
)
def test_constants_that_are_not_finite_reals_are_bad_input(expr: str, column: int) -> None:
    # otherwise the closed form would print zoo or I, which parse back as variables
    with pytest.raises(InputError, match=f"column {column}"):
        run_compute(expr, [("x",)], {"x": 1.0})


# ---------------------------------------------------------------- precision of the reference


# (expression, order, x, the exact derivative by mpmath at 100 digits). The
# closed forms cancel badly in float64: 1 - tanh(x)**2 at 20 is 0 there.
PRECISE_CASES = [
    ("tanh(x)", 1, 20.0, lambda mp, x: mp.sech(x) ** 2),
    ("sigmoid(x)", 1, 30.0, lambda mp, x: mp.exp(-x) / (1 + mp.exp(-x)) ** 2),
    ("exp(sin(x))", 12, 0.7, lambda mp, x: mp.diff(lambda t: mp.exp(mp.sin(t)), x, 12)),
    ("log(1+x) - x", 1, 1e-9, lambda mp, x: 1 / (1 + x) - 1),
]


@pytest.mark.parametrize(("expr", "order", "x", "exact"), PRECISE_CASES)
def test_closed_form_values_at_a_point_are_correctly_rounded(
    cli: Cli, expr: str, order: int, x: float, exact: object
) -> None:
    import mpmath

    with mpmath.workdps(100):
        # exactly the float64 point torch gets
        truth = float(exact(mpmath, mpmath.mpf(x)))  # type: ignore[operator]
    # A generous budget: order 12 takes torch about a second, more on a busy machine.
    run = cli(
        "grad", expr, "--order", str(order), "--at", f"x={x!r}", "-f", "json", "--timeout", "120"
    )
    (result,) = run.json()["results"]
    assert result["symbolic"] == pytest.approx(truth, rel=1e-14, abs=0)
    assert result["agree"] is True, result  # autograd is within tolerance all the same
