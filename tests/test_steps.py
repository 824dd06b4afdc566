"""Derivations (--steps): every rule, every function of the table, checked by an oracle.

For each expression of the table: the derivation ends at the very closed form
derivcli prints; every step's expression, filled-in formula and result parse
with derivcli's parser; and every step's result is the derivative of its
expression, checked at a point by the tests' own mpmath oracle (``oracle.py``:
the parse tree evaluated with mpmath, differentiated by ``mpmath.diff``,
sharing no code with derivcli's evaluator or engines).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import mpmath
import pytest
import reference
from conftest import Cli, evaluate
from latex_check import assert_valid_latex
from oracle import Evaluator, parse_tree, to_mp

import derivcli
from derivcli.language.definitions import with_defaults
from derivcli.language.functions import FUNCTIONS, function
from derivcli.language.parser import parse, substitute
from derivcli.language.tree import Call, Number
from derivcli.symbolic import steps as rules
from derivcli.symbolic.steps import Derivation, Step, StepsRequest, derive

# (expression, point, --wrt or None for grad, the root step's rule)
TABLE: list[tuple[str, dict[str, float], str | None, str]] = [
    # the rules
    ("x**2*sin(x)", {"x": 0.7}, None, rules.PRODUCT),
    ("x*exp(x)*cos(x)", {"x": 0.7}, None, rules.PRODUCT),
    ("sin(x)/x", {"x": 0.7}, None, rules.QUOTIENT),
    ("1/(x**2 + 1)", {"x": 0.7}, None, rules.QUOTIENT),
    ("x*sin(x)/(x + 2)/cos(x)", {"x": 0.7}, None, rules.QUOTIENT),
    ("sin(x**2)", {"x": 0.7}, None, rules.CHAIN),
    ("x**2 + 2*x + 1", {"x": 0.7}, None, rules.SUM),
    ("exp(x) - cos(x) + 3", {"x": 0.7}, None, rules.DIFFERENCE),
    ("3*tan(x)/2", {"x": 0.7}, None, rules.CONSTANT_MULTIPLE),
    ("-asin(x)", {"x": 0.3}, None, rules.CONSTANT_MULTIPLE),
    ("2/x", {"x": 0.7}, None, rules.CONSTANT_MULTIPLE),
    ("pi*y*x**2", {"x": 0.7, "y": 1.5}, "x", rules.CONSTANT_MULTIPLE),
    ("x**3", {"x": 0.7}, None, rules.POWER),
    ("x**-2", {"x": 0.7}, None, rules.POWER),
    ("x**(1/2)", {"x": 0.7}, None, rules.POWER),
    ("x**y", {"x": 0.7, "y": 2.5}, "x", rules.POWER),
    ("(x + 1)**3", {"x": 0.7}, None, rules.CHAIN),
    ("2**x", {"x": 0.7}, None, rules.EXPONENTIAL),
    ("E**(x**2)", {"x": 0.7}, None, rules.CHAIN),
    ("x**x", {"x": 0.7}, None, rules.GENERAL_POWER),
    ("sin(x)**cos(x)", {"x": 0.7}, None, rules.GENERAL_POWER),
    ("x - x", {"x": 0.7}, None, rules.DIFFERENCE),
    ("y*sin(x) + y**2", {"x": 0.7, "y": 1.5}, "x", rules.SUM),
    # every function of the table, on the variable and through the chain rule
    ("sin(x)", {"x": 0.7}, None, "sin"),
    ("cos(x)", {"x": 0.7}, None, "cos"),
    ("tan(x)", {"x": 0.7}, None, "tan"),
    ("asin(x)", {"x": 0.3}, None, "asin"),
    ("acos(x)", {"x": 0.3}, None, "acos"),
    ("atan(x)", {"x": 0.7}, None, "atan"),
    ("sinh(x)", {"x": 0.7}, None, "sinh"),
    ("cosh(x)", {"x": 0.7}, None, "cosh"),
    ("tanh(x)", {"x": 0.7}, None, "tanh"),
    ("asinh(x)", {"x": 0.7}, None, "asinh"),
    ("acosh(x)", {"x": 1.7}, None, "acosh"),
    ("atanh(x)", {"x": 0.3}, None, "atanh"),
    ("exp(x)", {"x": 0.7}, None, "exp"),
    ("log(x)", {"x": 0.7}, None, "log"),
    ("sqrt(x)", {"x": 0.7}, None, "sqrt"),
    ("erf(x)", {"x": 0.7}, None, "erf"),
    ("abs(x)", {"x": -0.7}, None, "abs"),
    ("sign(x)", {"x": 0.7}, None, "sign"),
    ("heaviside(x)", {"x": 0.7}, None, "heaviside"),
    ("relu(x)", {"x": 0.7}, None, "relu"),
    ("sigmoid(x)", {"x": 0.7}, None, "sigmoid"),
    ("softplus(x)", {"x": 0.7}, None, "softplus"),
    ("max(x, 2)", {"x": 0.7}, None, "max"),
    ("max(x, 2 - x)", {"x": 0.7}, None, rules.CHAIN),
    ("min(x, 1)", {"x": 0.7}, None, "min"),
    ("sigmoid(2*x - 1)", {"x": 0.7}, None, rules.CHAIN),
    ("softplus(x**2)", {"x": 0.7}, None, rules.CHAIN),
    ("relu(x**2 - 1)*tanh(3*x)", {"x": 1.3}, None, rules.PRODUCT),
    ("abs(sin(x)) + sign(x - 2)*heaviside(x + 1)", {"x": 0.7}, None, rules.SUM),
    ("max(x**2, 1) - min(x, 2*x)", {"x": 0.7}, None, rules.DIFFERENCE),
    ("acosh(x**2 + 1) + atanh(x/2) + asin(x/3)*acos(x/4)", {"x": 0.7}, None, rules.SUM),
    ("log(1 + exp(x))*erf(x**2)/sqrt(x)", {"x": 0.7}, None, rules.QUOTIENT),
    ("asinh(cosh(x))*atan(sinh(x))", {"x": 0.7}, None, rules.PRODUCT),
    ("u*sin(u*v)", {"u": 0.7, "v": 1.3}, "u", rules.PRODUCT),
]

# Every other function of the table, alone, at a point inside its domain and
# away from its kinks (factorial takes a constant only: its step is "constant").
_AWAY = {"acosh": 1.7, "asec": 1.7, "acsc": 1.7, "hardshrink": 0.7, "softshrink": 0.7}
_SEEN = {row[3] for row in TABLE}
TABLE += [
    (reference.sample_call(spec, ("x", "2")), {"x": _AWAY.get(spec.name, 0.7)}, None, spec.name)
    for spec in FUNCTIONS
    if spec.name not in _SEEN and spec.name != "factorial"
]


def walk(step: Step) -> Iterator[Step]:
    yield from (s for s, _ in step.walk())


def oracle_value(text: str, point: dict[str, Any]) -> Any:
    """The value of ``text`` at ``point`` (mpf), by the oracle (not derivcli's evaluator)."""
    exact = {
        name: Fraction(value) if isinstance(value, float) else value
        for name, value in point.items()
    }
    return to_mp(Evaluator(parse_tree(text)).value(exact))


def oracle_derivative(text: str, point: dict[str, float], var: str) -> Any:
    """d/d(var) of ``text`` at ``point``: mpmath's finite differences of the oracle's values."""
    others = {name: value for name, value in point.items() if name != var}
    return mpmath.diff(lambda t: oracle_value(text, {**others, var: t}), mpmath.mpf(point[var]))


def assert_close(a: Any, b: Any, what: str) -> None:
    assert abs(a - b) <= mpmath.mpf(10) ** -20 * (1 + abs(b)), f"{what}: {a} != {b}"


def derivation_of(
    expression: str, point: dict[str, float], wrt: str | None, order: int = 1
) -> tuple[str, Derivation]:
    at = ",".join(f"{k}={v!r}" for k, v in point.items())
    if wrt is None:
        report = derivcli.grad(expression, at=at, order=order, steps=True)
    else:
        report = derivcli.partial(expression, wrt=wrt, at=at, order=order, steps=True)
    result = report.results[0]
    assert result.derivation is not None and result.derivative is not None
    assert result.derivation.error is None
    return result.derivative, result.derivation


def check_steps(derivation: Derivation, point: dict[str, float]) -> None:
    """Every step parses and is the derivative of its expression, by the oracle."""
    with mpmath.workdps(60):
        for root in derivation.steps:
            for step in walk(root):
                for text in (step.expression, step.result, step.applied):
                    if text is not None:
                        parse(text)  # a valid expression of the language
                truth = oracle_derivative(step.expression, point, step.wrt)
                assert_close(oracle_value(step.result, point), truth, f"{step.rule}: {step.result}")
                if step.applied is not None:
                    assert_close(
                        oracle_value(step.applied, point), truth, f"{step.rule}: {step.applied}"
                    )


@pytest.mark.parametrize(
    ("expression", "point", "wrt", "rule"), TABLE, ids=[row[0] for row in TABLE]
)
def test_each_step_is_a_derivative_and_the_last_is_the_closed_form(
    expression: str, point: dict[str, float], wrt: str | None, rule: str
) -> None:
    closed_form, derivation = derivation_of(expression, point, wrt)
    (root,) = derivation.steps
    assert root.rule == rule
    assert root.expression == str(parse(expression))
    assert root.result == closed_form  # the text the table shows
    check_steps(derivation, point)


ODD_SHAPES = [
    "x/(-2)",
    "sin(x)/(-x)",
    "(-x)**3",
    "2**(-x)",
    "-x**-2",
    "1/(-x)**2",
    "x/2/3/(x + 1)",
    "(2*x)**(-1/2)",
    "E**x*pi**x",
    "max(x, x)",
    "min(-x, x**2)",
    "-(-(-x))",
    "1*x + x*1 + 0*x",
    "x**1 + x**0",
    "exp(log(x))",
    # softplus's beta changes its rule: sigmoid(beta*a), not sigmoid(a) (a hunt:
    # "d/dx softplus(x, 2) = sigmoid(x) = sigmoid(2*x)")
    "softplus(x, 2)",
    "softplus(3*x, 0.5, 4)",
]


@pytest.mark.parametrize("expression", ODD_SHAPES)
def test_odd_shapes_derive_too(expression: str) -> None:
    closed_form, derivation = derivation_of(expression, {"x": 0.7}, None)
    assert derivation.steps[-1].result == closed_form
    check_steps(derivation, {"x": 0.7})


def test_the_table_covers_every_rule_and_every_function() -> None:
    seen: set[str] = set()
    for expression, point, wrt, _ in TABLE:
        var = wrt or sorted(point)[0]
        found = derive(StepsRequest(expression, ((var,),), 10.0))[(var,)]
        seen.update(step.rule for root in found for step in walk(root))
    # factorial(n) takes a constant: its step is the constant rule
    expected = set(rules.RULES) - {rules.REPEAT} | {s.name for s in FUNCTIONS} - {"factorial"}
    assert expected <= seen, expected - seen


def rules_of(step: Step) -> list[str]:
    return [sub.rule for sub in step.substeps]


def test_textbook_rule_names() -> None:
    def root(expression: str) -> Step:
        return derive(StepsRequest(expression, (("x",),), 10.0))[("x",)][0]

    product = root("x**2*sin(x)")
    assert (product.rule, rules_of(product)) == ("product", ["power", "sin"])
    assert product.applied == "2*x*sin(x) + x**2*cos(x)"
    quotient = root("sin(x)/x")
    assert (quotient.rule, rules_of(quotient)) == ("quotient", ["sin", "variable"])
    assert quotient.applied == "(cos(x)*x - sin(x))/x**2"
    chain = root("sin(x**2)")
    assert (chain.rule, chain.outer, chain.inner) == ("chain", "sin", "x**2")
    assert rules_of(chain) == ["power"]
    assert (chain.applied, chain.result) == ("cos(x**2)*(2*x)", "2*x*cos(x**2)")
    multiple = root("3*x*sin(x)/2")
    assert (multiple.rule, rules_of(multiple)) == ("constant multiple", ["product"])
    assert multiple.substeps[0].expression == "x*sin(x)"  # the constants pulled out
    total = root("x**2 + 2*x + 1")
    assert rules_of(total) == ["power", "constant multiple", "constant"]
    assert total.substeps[1].substeps[0].rule == "variable"


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_a_function_s_step_is_its_table_rule(spec: Any) -> None:
    """relu -> heaviside(x), sigmoid -> sigmoid(x)*sigmoid(-x), ...: read from the table."""
    text = reference.sample_call(spec, ("x", "2"))
    (root,) = derive(StepsRequest(text, (("x",),), 10.0))[("x",)]
    if not parse(text).variables:
        assert root.rule == "constant"  # factorial(n) of a constant
        return
    assert root.rule == spec.name and root.substeps == ()
    # the table's rule with the call's arguments (and the defaults) put in
    call = parse(text).tree
    assert isinstance(call, Call)
    args = with_defaults(spec, list(call.args))
    position = next(i for i, arg in enumerate(call.args) if not isinstance(arg, Number))
    rule = parse(function(spec.name).derivative[position], template=True).tree
    assert root.applied is not None
    point = {"x": 1.7 if spec.name in ("acosh", "asec", "acsc") else 0.7}
    expected = evaluate(substitute(rule, args), point)
    assert evaluate(parse(root.applied).tree, point) == pytest.approx(expected, rel=1e-12)


def test_higher_orders_derive_each_order_in_turn() -> None:
    closed_form, derivation = derivation_of("x**5*sin(x)", {"x": 0.7}, None, order=3)
    assert len(derivation.steps) == 3
    first, second, third = derivation.steps
    assert second.expression == first.result and third.expression == second.result
    assert third.result == closed_form
    check_steps(derivation, {"x": 0.7})


def test_a_mixed_partial_changes_the_variable_each_order() -> None:
    report = derivcli.partial("u*sin(u*v)", wrt=["u", "v"], at="u=0.7,v=1.3", steps=True)
    result = report.results[0]
    assert result.derivation is not None
    first, second = result.derivation.steps
    assert (first.wrt, second.wrt) == ("u", "v")
    assert second.result == result.derivative
    check_steps(result.derivation, {"u": 0.7, "v": 1.3})


def test_a_large_higher_order_says_it_repeats_the_rules() -> None:
    product = "*".join(f"(x + {k})" for k in range(1, 21))
    closed_form, derivation = derivation_of(product, {"x": 0.5}, None, order=2)
    first, second = derivation.steps
    assert first.rule == rules.PRODUCT and len(first.substeps) == 20
    assert second.rule == rules.REPEAT and second.substeps == ()
    assert second.expression == first.result and second.result == closed_form


def test_long_derivations_stay_linear() -> None:
    """A 900-term sum and a 50-deep chain are derived well within the budget."""
    total = " + ".join(f"{k}*x**{k % 7}" for k in range(1, 900))
    (root,) = derive(StepsRequest(total, (("x",),), 10.0))[("x",)]
    assert root.rule == rules.SUM and len(root.substeps) == 899
    deep = "x"
    for _ in range(50):
        deep = f"tanh(sin({deep}) + x)"
    found = derive(StepsRequest(deep, (("x",),), 10.0))[("x",)]
    assert found[0].rule == rules.CHAIN and found[0].size > 150


def test_the_derivation_has_a_time_budget() -> None:
    from derivcli.errors import BudgetError

    deep = "x"
    for _ in range(50):
        deep = f"tanh(sin({deep}) + x)"
    with pytest.raises(BudgetError, match="time budget"):
        derive(StepsRequest(deep, (("x",),), 0.001))


# ---------------------------------------------------------------- the command line


def test_grad_steps_on_the_terminal(cli: Cli) -> None:
    run = cli("grad", "x**2*sin(x)", "--at", "x=2", "--steps")
    assert (run.code, run.err) == (0, "")
    lines = run.out.splitlines()
    assert lines[:4] == [
        "steps: d/dx of x**2*sin(x)",
        "1.   power rule (d/da a**n = n*a**(n - 1)): d/dx (x**2) = 2*x",
        "2.   sin rule (d/da sin(a) = cos(a)): d/dx sin(x) = cos(x)",
        "3. product rule [1, 2]: d/dx (x**2*sin(x)) = 2*x*sin(x) + x**2*cos(x) = "
        "x**2*cos(x) + 2*x*sin(x)",
    ]
    assert "d/dx = x**2*cos(x) + 2*x*sin(x)" in run.out  # the table, below


def test_chain_rule_names_the_inner_function(cli: Cli) -> None:
    run = cli("grad", "sin(x**2)", "--at", "x=1", "--steps")
    assert run.code == 0
    assert (
        "2. chain rule, inner a = x**2 (d/da sin(a) = cos(a)) [1]: d/dx sin(x**2) = "
        "cos(x**2)*(2*x) = 2*x*cos(x**2)" in run.out.splitlines()
    )


def test_partial_steps(cli: Cli) -> None:
    run = cli("partial", "u*v+u**2", "--wrt", "u", "--steps")
    assert (run.code, run.err) == (0, "")
    assert "steps: d/du of u*v + u**2" in run.out
    assert "constant multiple rule [1]: d/du (u*v) = v" in run.out
    assert run.out.splitlines()[4] == "4. sum rule [2, 3]: d/du (u*v + u**2) = v + 2*u = 2*u + v"


def test_check_steps_show_where_the_true_derivative_comes_from(cli: Cli) -> None:
    run = cli("check", "x**2*sin(x)", "--answer", "2*x*cos(x)", "--steps")
    assert (run.code, run.err) == (1, "")
    table, steps = run.out.split("steps: d/dx of x**2*sin(x) (the true derivative)\n")
    assert "WRONG" in table
    assert steps.splitlines()[-1].endswith("= x**2*cos(x) + 2*x*sin(x)")
    doc = cli("check", "x**2*sin(x)", "--answer", "2*x*cos(x)", "--steps", "-f", "json").json()
    assert doc["steps"][0]["rule"] == "product"
    assert doc["steps"][0]["result"] == doc["derivative"]


def test_json_steps_only_with_the_option(cli: Cli) -> None:
    plain = cli("grad", "x**2", "--at", "x=3", "-f", "json").json()
    assert "steps" not in plain["results"][0]
    assert "steps" not in cli("check", "x**2", "--answer", "2*x", "-f", "json").json()
    doc = cli("grad", "sin(x**2)", "--at", "x=1", "--steps", "-f", "json").json()
    (root,) = doc["results"][0]["steps"]
    assert root == {
        "rule": "chain",
        "wrt": "x",
        "expression": "sin(x**2)",
        "result": "2*x*cos(x**2)",
        "applied": "cos(x**2)*(2*x)",
        "outer": "sin",
        "inner": "x**2",
        "substeps": [
            {
                "rule": "power",
                "wrt": "x",
                "expression": "x**2",
                "result": "2*x",
                "applied": "2*x",
                "outer": None,
                "inner": None,
                "substeps": [],
            }
        ],
    }
    assert root["result"] == doc["results"][0]["derivative"]


def test_streamed_json_with_steps_is_the_same_document() -> None:
    """A grid's results share one derivation, written once and spliced into each."""
    import json

    from derivcli import render

    for report in (
        derivcli.grad("abs(x) + u*x", at="x=-1:1:5,u=2", steps=True),
        derivcli.grad("sin(x)", steps=True),
    ):
        whole = json.dumps(render.report_json(report), allow_nan=False)
        assert "".join(render.iter_json(report)) == whole


def test_a_long_derivation_is_shortened_on_the_terminal_but_whole_in_json(cli: Cli) -> None:
    total = " + ".join(f"sin({k}*x)" for k in range(1, 201))
    run = cli("grad", total, "--at", "x=1", "--steps", "--timeout", "60")
    assert run.code == 0
    steps_block = run.out.split("derivatives of")[0].splitlines()
    assert len(steps_block) < 40
    assert any("more steps (--format json has every step)" in line for line in steps_block)
    assert steps_block[-1].startswith("601. sum rule")
    doc = cli("grad", total, "--at", "x=1", "--steps", "-f", "json", "--timeout", "60").json()
    (root,) = doc["results"][0]["steps"]
    assert len(root["substeps"]) == 200
    assert root["result"] == doc["results"][0]["derivative"]


def test_many_orders_show_the_first_and_last_and_say_the_rules_repeat(cli: Cli) -> None:
    run = cli("grad", "exp(sin(x))", "--order", "6", "--at", "x=0.5", "--steps")
    assert run.code == 0, run.err
    lines = run.out.split("derivatives of")[0].splitlines()
    assert lines[:4] == [
        "steps: d6/dx6 of exp(sin(x))",
        "order 1:",
        " 1.   sin rule (d/da sin(a) = cos(a)): d/dx sin(x) = cos(x)",
        " 2. chain rule, inner a = sin(x) (d/da exp(a) = exp(a)) [1]: d/dx exp(sin(x)) = "
        "exp(sin(x))*cos(x) = cos(x)*exp(sin(x))",
    ]
    middle = [line for line in lines if line.startswith("order ") and "same rules" in line]
    assert [line.split(",")[0] for line in middle] == ["order 2", "order 3", "order 4", "order 5"]
    assert middle[0].startswith(
        "order 2, by the same rules (4 steps): d/dx (cos(x)*exp(sin(x))) = "
    )
    assert "order 6:" in lines
    closed_form = cli("grad", "exp(sin(x))", "--order", "6", "--steps", "-f", "json").json()
    assert lines[-1].split(" = ")[-1][:150] == closed_form["results"][0]["derivative"][:150]


def test_a_grid_shows_each_derivation_once(cli: Cli) -> None:
    run = cli("grad", "u*sin(v)", "--at", "u=0:1:3,v=0:1:3", "--steps")
    assert run.code == 0
    assert run.out.count("steps: d/du of u*sin(v)") == 1
    assert run.out.count("steps: d/dv of u*sin(v)") == 1


def test_batch_lines_take_steps(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import json
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO('grad "x**3" --at x=2 --steps\n'))
    run = cli("batch")
    (line,) = (json.loads(text) for text in run.out.splitlines())
    assert line["exit"] == 0
    assert line["results"][0]["steps"][0]["rule"] == "power"


def test_no_derivation_in_time_is_exit_3_with_everything_else_shown(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from derivcli.errors import BudgetError

    def slow(request: StepsRequest) -> None:
        raise BudgetError("the derivation (--steps) was not finished within the time budget")

    monkeypatch.setattr(rules, "derive", slow)  # the worker is forked from here
    run = cli("grad", "x**2", "--at", "x=3", "--steps", "-f", "json")
    assert run.code == 3
    assert run.error == (
        "no derivation (--steps): the derivation (--steps) was not finished within the time budget"
    )
    doc = run.json()
    assert doc["results"][0]["steps"] is None and doc["results"][0]["symbolic"] == 6.0
    table = cli("grad", "x**2", "--at", "x=3", "--steps")
    assert table.code == 3 and "d/dx = 2*x" in table.out and "no derivation" in table.out
    check = cli("check", "x**2", "--answer", "2*x", "--steps")
    assert check.code == 3 and "right" in check.out and "no derivation" in check.error


def test_steps_in_latex_parse(cli: Cli) -> None:
    for expression, point, wrt, _ in TABLE[:12]:
        at = ",".join(f"{k}={v!r}" for k, v in point.items())
        args = ["grad", expression] if wrt is None else ["partial", expression, "--wrt", wrt]
        run = cli(*args, "--at", at, "--steps", "--format", "latex")
        assert run.code == 0, run.err
        assert_valid_latex(run.out)
