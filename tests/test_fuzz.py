"""Property tests with hypothesis.

(a) Expressions generated from the grammar, over x and y with every function
    of the table, through the real entry point: no uncaught exception, an
    exit code in {0, 1, 2, 3}, valid JSON, and closed forms that parse back.
(b) Arbitrary text (unicode included) to the parser: an Expression or a
    DerivcliError, never anything else.
(c) Arbitrary text through the whole command line.
(d) Printing a parsed tree and parsing it again is a fixed point.

The settings (a generous deadline, no example database, derandomized so CI is
deterministic) are the "ci" profile registered in conftest.py; example counts
are modest so the file stays within seconds. HYPOTHESIS_PROFILE=explore runs
the same properties with fresh random examples, by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from conftest import ERROR_PREFIX, Cli, assert_one_error_line, evaluate
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from derivcli.errors import DerivcliError, ParseError
from derivcli.language.functions import FUNCTIONS, FunctionSpec
from derivcli.language.parser import Expression, parse

# ---------------------------------------------------------------- generated expressions

NUMBERS = st.sampled_from(["0", "1", "2", "3", "0.5", "1.5", "2.5e-1", "1e2", ".25", "10"])
LEAVES = st.one_of(
    st.sampled_from(["x", "y", "x", "y"]),
    NUMBERS,
    st.sampled_from(["pi", "E"]),
)


def _call(name: str) -> Callable[[list[str]], str]:
    return lambda args: f"{name}({', '.join(args)})"


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**", "^"]), children).map(
        lambda t: f"({t[0]}{t[1]}{t[2]})"
    )
    unary = children.map(lambda c: f"-{c}")
    calls = [_calls(spec, children) for spec in FUNCTIONS]
    return st.one_of(binary, unary, *calls)


# Valid values for a constant parameter, by its check (see Param.check).
PARAMETER_VALUES = {
    "": ["0.5", "2", "-1"],
    "whole": ["0", "1", "2"],
    "nonzero": ["0.5", "2", "-1"],
    "nonnegative": ["0", "0.5", "1"],
    "not_below_previous": ["3", "10"],  # above every value of the lists before it
}


def _calls(spec: FunctionSpec, children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Calls of one function: expressions where it takes them, the required
    parameters (and sometimes the optional ones) as valid constants."""
    required = [p for p in spec.params if p.default is None]
    optional = [p for p in spec.params if p.default is not None]
    most = spec.arity + 1 if spec.variadic else spec.arity
    expressions = st.lists(children, min_size=spec.arity, max_size=most)
    params = st.tuples(
        *[st.sampled_from(PARAMETER_VALUES[p.check]) for p in required + optional]
    ).flatmap(lambda values: st.integers(len(required), len(values)).map(lambda n: values[:n]))

    def join(parts: tuple[list[str], tuple[str, ...]]) -> str:
        exprs, given = parts
        args = [*given, *exprs] if spec.params_first else [*exprs, *given]
        return f"{spec.name}({', '.join(args)})"

    return st.tuples(expressions, params).map(join)


EXPRESSIONS = st.recursive(LEAVES, _extend, max_leaves=8)

RESULT_KEYS = {"wrt", "order", "derivative", "point", "symbolic", "autograd", "agree"}


def _at(expression: Expression) -> list[str]:
    values = {"x": "0.3", "y": "-0.7"}
    if not expression.variables:
        return ["--at", "x=0.3"]
    return ["--at", ",".join(f"{v}={values[v]}" for v in expression.variables)]


@settings(max_examples=60)
@given(expr=EXPRESSIONS, order=st.sampled_from([1, 1, 2]))
def test_generated_expressions_through_the_cli(cli: Cli, expr: str, order: int) -> None:
    expression = parse(expr)  # the generator only writes valid grammar
    run = cli("grad", expr, *_at(expression), "--order", str(order), "--format", "json")
    assert run.code in (0, 1, 2, 3), run
    if run.err:
        assert_one_error_line(run.err)
    if run.code == 2:
        assert run.out == ""
        return
    if not run.out:
        assert run.code == 3 and run.err.startswith(ERROR_PREFIX)
        return
    doc = run.json()
    assert {"expression", "device", "dtype", "results"} <= set(doc)
    assert doc["results"]
    for result in doc["results"]:
        assert RESULT_KEYS <= set(result)
        assert result["order"] == order
        if result["derivative"] is not None:
            again = parse(result["derivative"])  # the closed form parses back
            assert set(again.variables) <= set(expression.variables)
        if run.code == 0:
            assert result["agree"] is True
    if any(r["agree"] is False or r["differentiable"] is False for r in doc["results"]):
        assert run.code in (1, 3)


@settings(max_examples=200)
@given(expr=EXPRESSIONS)
def test_printing_round_trip_of_generated_expressions(expr: str) -> None:
    first = parse(expr)
    printed = str(first)
    second = parse(printed)
    assert str(second) == printed
    assert second.variables == first.variables
    point = {"x": 0.3, "y": -0.7}
    try:
        a = evaluate(first.tree, point)
    except (ValueError, ZeroDivisionError, OverflowError):
        return  # outside the domain of math's functions: nothing to compare
    b = evaluate(second.tree, point)
    assert (math.isnan(a) and math.isnan(b)) or a == b or math.isclose(a, b, rel_tol=1e-12)


# ---------------------------------------------------------------- arbitrary text


GRAMMARISH = st.lists(
    st.sampled_from(
        list("xyzuv0123456789.eEjJ+-*/^(),_ \t") + ["**", "sin", "max", "pi", "relu", "1e9"]
    ),
    max_size=30,
).map("".join)


def _parse_or_derivcli_error(text: str) -> None:
    try:
        result = parse(text)
    except DerivcliError as err:
        assert err.message and "\n" not in err.message
        return
    assert isinstance(result, Expression)
    assert parse(str(result)).variables == result.variables


@settings(max_examples=1500)
@given(text=st.text(max_size=60))
def test_parser_on_arbitrary_unicode(text: str) -> None:
    _parse_or_derivcli_error(text)


@settings(max_examples=1500)
@given(text=GRAMMARISH)
def test_parser_on_grammar_like_text(text: str) -> None:
    _parse_or_derivcli_error(text)


@settings(max_examples=80)
@given(text=st.one_of(st.text(max_size=30), GRAMMARISH))
def test_cli_on_arbitrary_text(cli: Cli, text: str) -> None:
    run = cli("grad", "--at", "x=0.3", "--format", "json", "--", text)
    assert run.code in (0, 1, 2, 3)
    if run.err:
        assert_one_error_line(run.err)
    if run.out:
        run.json()


# Python's spellings of a number: each is refused with the number to write instead,
# which must be the very number Python reads from the same spelling.
_PREFIXES = {16: ("0x", "0X"), 8: ("0o", "0O"), 2: ("0b", "0B")}


@st.composite
def _python_integer(draw: st.DrawFn) -> tuple[str, int]:
    base = draw(st.sampled_from([2, 8, 16]))
    value = draw(st.integers(min_value=0, max_value=2**130))
    digits = {2: f"{value:b}", 8: f"{value:o}", 16: f"{value:x}"}[base]
    if draw(st.booleans()):
        digits = digits.upper()
    # Python allows one '_' before the first digit and between digits
    cuts = draw(st.sets(st.integers(min_value=0, max_value=len(digits) - 1), max_size=3))
    spelled = "".join(("_" if i in cuts else "") + c for i, c in enumerate(digits))
    return draw(st.sampled_from(_PREFIXES[base])) + spelled, value


@settings(max_examples=300)
@given(literal=_python_integer())
def test_python_integer_spellings_give_python_s_value(literal: tuple[str, int]) -> None:
    text, value = literal
    assert int(text, 0) == value  # Python's own reading of the spelling
    with pytest.raises(ParseError) as info:
        parse(f"x + {text}")
    message = info.value.message
    assert message.endswith(" at column 5"), message
    if value.bit_length() <= 128:
        assert f"; write {value} at column 5" in message
    else:
        assert "; write the number in decimal at column 5" in message


@settings(max_examples=300)
@given(
    whole=st.integers(min_value=0, max_value=10**12),
    fraction=st.one_of(st.none(), st.integers(min_value=0, max_value=10**6)),
    exponent=st.one_of(st.none(), st.integers(min_value=-30, max_value=30)),
    data=st.data(),
)
def test_python_decimal_spellings_with_underscores_give_python_s_number(
    whole: int, fraction: int | None, exponent: int | None, data: st.DataObject
) -> None:
    def underscored(digits: str) -> str:
        if len(digits) < 2:
            return digits
        places = st.integers(min_value=1, max_value=len(digits) - 1)
        cuts = data.draw(st.sets(places, max_size=3))
        return "".join(("_" if i in cuts else "") + c for i, c in enumerate(digits))

    text = underscored(str(whole))
    if fraction is not None:
        text += "." + underscored(str(fraction))
    if exponent is not None:
        text += "e" + ("-" if exponent < 0 else "") + underscored(str(abs(exponent)))
    assume("_" in text)
    python = float(text)  # Python's reading (float() takes the same '_' rules)
    with pytest.raises(ParseError) as info:
        parse(f"2*{text}")
    message = info.value.message
    assert message.startswith(f"'{text}': '_' between digits is not part of the language; write ")
    written = message.split("; write ")[1].removesuffix(" at column 3")
    assert "_" not in written and float(written) == python
