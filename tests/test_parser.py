"""The input language: grammar, printing round-trip, errors with columns, limits."""

from __future__ import annotations

import math

import pytest
from conftest import evaluate

from derivcli.errors import DerivcliError, LimitError, ParseError
from derivcli.language.parser import (
    MAX_DECIMAL_EXPONENT,
    MAX_EXPRESSION_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NESTING,
    MAX_NUMBER_DIGITS,
    parse,
)
from derivcli.language.printer import to_text
from derivcli.language.tree import BinaryOp, Call, Constant, Negate, Number, Variable


def value(text: str, **point: float) -> float:
    return evaluate(parse(text).tree, point)


# ---------------------------------------------------------------- grammar


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1+2*3", 7),
        ("(1+2)*3", 9),
        ("10-4-3", 3),  # left-associative
        ("2/4/2", 0.25),  # left-associative
        ("2*3/4", 1.5),
        ("2**3**2", 512),  # right-associative
        ("(2**3)**2", 64),
        ("2^3^2", 512),  # ^ is **
        ("2^3", 8),
        ("-2**2", -4),  # unary minus binds looser than **
        ("(-2)**2", 4),
        ("2**-1", 0.5),  # ... but a sign may start an exponent
        ("2**-1**2", 0.5),  # 2**(-(1**2))
        ("-2^2", -4),
        ("--3", 3),
        ("+3", 3),
        ("- - 3", 3),
        ("2*-3", -6),
        ("1 - -1", 2),
        ("-3*2", -6),
        ("1e3", 1000),
        ("1E3", 1000),
        ("2.5e-3", 0.0025),
        ("2.5E+3", 2500),
        (".5", 0.5),
        ("1.", 1),
        ("1.e2", 100),
        ("0.000", 0),
        ("pi", math.pi),
        ("E", math.e),
        ("2*pi/4", math.pi / 2),
        ("max(1, 2) + min(3, -4)", -2),
        ("ln(E)", 1),
        ("Abs(-2)", 2),
        ("  1 +\t2\n", 3),
    ],
)
def test_grammar_values(text: str, expected: float) -> None:
    assert value(text) == pytest.approx(expected, rel=1e-15)


def test_unary_minus_is_looser_than_power_with_variables() -> None:
    assert value("-x**2", x=3) == -9
    assert value("-x^2", x=3) == -9
    assert value("(-x)**2", x=3) == 9
    assert value("x**-2", x=2) == 0.25


def test_tree_shapes() -> None:
    tree = parse("1+2*3").tree
    assert isinstance(tree, BinaryOp) and tree.op == "+"
    assert isinstance(tree.right, BinaryOp) and tree.right.op == "*"

    power = parse("a**b**c").tree
    assert isinstance(power, BinaryOp) and power.op == "**"
    assert isinstance(power.left, Variable) and power.left.name == "a"
    assert isinstance(power.right, BinaryOp) and power.right.op == "**"

    caret = parse("a^b").tree
    assert isinstance(caret, BinaryOp) and caret.op == "**"

    neg = parse("-x**2").tree
    assert isinstance(neg, Negate)
    assert isinstance(neg.operand, BinaryOp) and neg.operand.op == "**"

    call = parse("ln(x)").tree
    assert isinstance(call, Call) and call.name == "log"  # aliases become canonical

    assert isinstance(parse("pi").tree, Constant)
    number = parse("2.5e-3").tree
    assert isinstance(number, Number) and number.value * 10000 == 25


def test_variables_are_sorted_and_unique() -> None:
    expression = parse("z*y + x*y + sin(z)")
    assert expression.variables == ("x", "y", "z")
    assert parse("pi*E + 1").variables == ()
    # e is Euler's number as on every calculator (so is E), and π is pi
    assert parse("e**2 + π").variables == ()
    assert to_text(parse("e^x").tree) == "E**x"


def test_numbers_are_exact() -> None:
    number = parse("0.1").tree
    assert isinstance(number, Number)
    assert number.value.numerator == 1 and number.value.denominator == 10


# ---------------------------------------------------------------- printing


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("x**2+2*x+1", "x**2 + 2*x + 1"),
        ("x^2", "x**2"),
        ("(-x)**2", "(-x)**2"),
        ("-(x**2)", "-x**2"),
        ("a-(b-c)", "a - (b - c)"),
        ("(a-b)-c", "a - b - c"),
        ("a/(b*c)", "a/(b*c)"),
        ("(a/b)*c", "a/b*c"),
        ("2^3^2", "2**3**2"),
        ("(2^3)^2", "(2**3)**2"),
        ("x**-y", "x**-y"),
        ("-(a*b)", "-a*b"),  # (-a)*b is the same number: no parentheses needed
        ("max(x,   y)", "max(x, y)"),
        ("ln(x)", "log(x)"),
    ],
)
def test_printing(text: str, printed: str) -> None:
    assert str(parse(text)) == printed


ROUND_TRIP = [
    "x**2+2*x+1",
    "-x**2",
    "(-x)**2",
    "-(x**2)**3",
    "x**-y**2",
    "2**-x**2",
    "(x**y)**z",
    "a-(b-c)-(d+e)",
    "a/(b/c)/d",
    "-(a+b)*-(c-d)",
    "-a*b",
    "(-a)*b",
    "-(a*b)",
    "--x",
    "x - -y",
    "sin(x)**2 + cos(-x)**-1",
    "max(-x, y**2)/min(x, -y)",
    "exp(-x**2/2)/sqrt(2*pi)",
    "1e-3*x + .5 - 1.",
    "-(-(x))**2",
    "(-2)**x",
    "-2**x",
    "x/-y",
    "x*(-y)**2",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_printing_round_trip(text: str) -> None:
    """Printing a tree and parsing it again gives the same function and text."""
    first = parse(text)
    printed = str(first)
    second = parse(printed)
    assert str(second) == printed  # a fixed point
    assert to_text(second.tree) == printed
    assert second.variables == first.variables
    point = {name: 0.3 + 0.4 * i for i, name in enumerate(first.variables)}
    a, b = evaluate(first.tree, point), evaluate(second.tree, point)
    assert a == pytest.approx(b, rel=1e-12) or (math.isnan(a) and math.isnan(b))


# ---------------------------------------------------------------- errors and columns


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("x + * 2", 5, "'*'"),
        ("sin(x", 4, "never closed"),
        ("(x", 1, "never closed"),
        ("x)", 2, "unmatched ')'"),
        ("x y", 3, "missing operator"),
        ("1/2x", 3, "read two ways"),
        ("2^3x", 3, "read two ways"),
        (
            "x²y",
            2,
            "'**2y' can be read two ways: write the '*' and the parentheses you mean "
            "(as in x**2*y or x**(2*y))",
        ),
        ("sin²(x)", 1, "a power of a function is written sin(x)**2, not sin**2(x)"),
        ("x₂ + 1", 2, "write the index as a plain digit, as in x2"),
        ("log(x, -2)", 8, "log(x, -2): the base of a logarithm must be positive"),
        ("log(x, 0)", 8, "log(x, 0): the base of a logarithm must be positive"),
        ("cos^3(x)", 1, "a power of a function is written cos(x)**3, not cos**3(x)"),
        ("x(x+1)", 1, "'x' is a variable, not a function: write x*(...)"),
        ("foo(x)", 1, "unknown function 'foo'"),
        ("sinn(x)", 1, "did you mean 'sin'"),
        ("x.y", 2, "attribute access"),
        ("x[0]", 2, "brackets"),
        ("{x}", 1, "braces"),
        ("1j", 1, "complex"),
        ("2+3J", 3, "complex"),
        ("x + 1.2.3", 5, "malformed number"),
        ("max(x)", 1, "max takes at least 2 arguments (max(a, b, ...)), got 1"),
        ("sin(x, y)", 1, "sin takes 1 argument (sin(a)), got 2"),
        ("atan2(x)", 1, "atan2 takes 2 arguments (atan2(a, b)), got 1"),
        ("leaky_relu(x, 1, 2)", 1, "leaky_relu takes 1 to 2 arguments"),
        ("leaky_relu(x, y)", 15, "leaky_relu's negative_slope must be a constant"),
        ("factorial(x)", 11, "factorial's n must be a constant"),
        ("polygamma(1.5, x)", 11, "polygamma's n must be a whole number"),
        ("polygamma(-1, x)", 11, "polygamma's n must be a whole number"),
        ("softplus(x, 0)", 13, "softplus's beta must be nonzero"),
        ("softshrink(x, -1)", 15, "softshrink's lambd must be 0 or more"),
        ("hardtanh(x, 1, -1)", 16, "hardtanh's max must be at least min"),
        ("clamp(x, 1, 0)", 13, "clamp's hi must be at least lo"),
        ("leaky_relu(x, log(0))", 15, "leaky_relu's negative_slope is not a finite real number"),
        ("log(x, 1)", 8, "the base of a logarithm must not be 1"),
        ("log(x, 2, 3)", 1, "log takes"),
        ("sin()", 4, "sin() needs arguments"),
        ("sin", 1, "is a function"),
        ("sin + 1", 1, "is a function"),
        ("pi(x)", 1, "constant"),
        ("_x", 1, "'_'"),
        ("True", 1, "is Python, not part of the math language"),
        ("None", 1, "is Python, not part of the math language"),
        ("x // 2", 3, "floor division"),
        ("x=1", 2, "is a point"),
        ("'x'", 1, "string literals"),
        ('"x"', 1, "string literals"),
        ("x;y", 2, "';'"),
        ("x if y else z", 3, "'if'"),
        ("x % 2", 3, "'%'"),
        ("x!", 2, "factorial"),
        ("|x|", 1, "abs"),
        ("x < 1", 3, "comparison"),
        ("x @ y", 3, "'@'"),
        ("()", 1, "empty parentheses"),
        ("x,y", 2, "','"),
        ("max(x,)", 7, "')'"),
        ("x**", 4, "ends too early"),
        ("x +", 4, "ends too early"),
        ("2*\u0445", 3, "CYRILLIC SMALL LETTER HA"),
        ("\uff58+1", 1, "FULLWIDTH LATIN SMALL LETTER X"),
        ("\U0001d465+1", 1, "MATHEMATICAL ITALIC SMALL X"),
        ("x\u200b+1", 2, "ZERO WIDTH SPACE"),
        ("x\u00b9\u2044", 3, "FRACTION SLASH"),
        ("x\u207b", 2, "is not a whole exponent"),
        ("x\u00a0+ 1", 2, "NO-BREAK SPACE"),
        ("x\x00", 2, "U+0000"),
        ("caf\u00e9", 4, "U+00E9"),
        # Python's integer spellings, given back in decimal (0x1F = 16 + 15)
        ("0x1F*x", 1, "'0x1F': hexadecimal numbers are not part of the language; write 31"),
        ("x + 0Xff", 5, "'0Xff': hexadecimal numbers are not part of the language; write 255"),
        ("0b101*x", 1, "'0b101': binary numbers are not part of the language; write 5"),
        ("0o17*x", 1, "'0o17': octal numbers are not part of the language; write 15"),
        ("2*1_000", 3, "'1_000': '_' between digits is not part of the language; write 1000"),
        ("0xff_ff", 1, "hexadecimal numbers are not part of the language; write 65535"),
        ("0x_1F", 1, "hexadecimal numbers are not part of the language; write 31"),
        ("0x1F\u00e9", 1, "hexadecimal numbers are not part of the language; write 31"),
        ("x+0_7", 3, "'0_7': '_' between digits is not part of the language; write 7"),
        # a base's mark and then a digit: meant as a number, though not a valid one
        ("x + 0b102", 5, "'0b102': binary numbers are not part of the language ('2' is no binary"),
        ("0b2*x", 1, "'0b2': binary numbers are not part of the language ('2' is no binary digit)"),
        ("0o19", 1, "'0o19': octal numbers are not part of the language ('9' is no octal digit)"),
        ("0x1G", 1, "'0x1G': hexadecimal numbers are not part of the language ('G' is no hex"),
        ("0b_2", 1, "'0b_2': binary numbers are not part of the language ('2' is no binary"),
        ("0b1__1", 1, "'0b1__1': binary numbers are not part of the language ('_' only between"),
        # Python's decimal numbers with '_', given back without it (as float() reads them)
        ("1_000.5*x", 1, "'1_000.5': '_' between digits is not part of the language; write 1000.5"),
        ("1.5_0", 1, "'1.5_0': '_' between digits is not part of the language; write 1.50"),
        ("1e3_0", 1, "'1e3_0': '_' between digits is not part of the language; write 1e30"),
        ("2*1_0e-1_0", 3, "'1_0e-1_0': '_' between digits is not part of the language; write 10e"),
        ("1_000x", 1, "'1_000': '_' between digits is not part of the language; write 1000"),
        # past 4,300 digits Python will not write a number out: the error says so
        ("x+0x" + "F" * 3572, 3, "'0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF...': hexadecimal numbers"),
        ("x+0o" + "7" * 5000, 3, "octal numbers are not part of the language; write the number in"),
    ],
)
def test_errors_say_what_and_where(text: str, column: int, words: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    err = info.value
    assert err.column == column
    assert f"column {column}" in err.message
    assert words in err.message
    assert "\n" not in err.message


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("0xyz*x", "0*xyz*x"),  # not hexadecimal digits: a number times a name
        ("0x*x", "0*x*x"),
        ("x+0x", "x + 0*x"),  # at the very end of the text
        ("10x1", "10*x1"),  # only a 0 takes a base
        ("1__0", None),  # not Python's either: a name that starts with '_'
        ("1_", None),
        ("2x", "2*x"),
    ],
)
def test_number_then_name_that_is_no_python_literal_is_a_product(
    text: str, product: str | None
) -> None:
    if product is None:
        with pytest.raises(ParseError, match="names may not start with '_'"):
            parse(text)
    else:
        assert str(parse(text)) == product


def test_empty_input() -> None:
    for text in ("", "   ", "\t\n"):
        with pytest.raises(ParseError, match="empty"):
            parse(text)


def test_unknown_function_points_to_the_table() -> None:
    # one short line: the nearest name and where the rest are (listing all of
    # them made an 800-character line; a new user's pass)
    from derivcli.language.functions import function_names

    with pytest.raises(ParseError) as info:
        parse("gama(x)")
    count = len(function_names())
    assert info.value.message == (
        f"unknown function 'gama' at column 1; did you mean 'gamma'? "
        f"(`derivcli functions` lists all {count})"
    )
    assert count > 60 and len(info.value.message) < 120


def test_errors_are_derivcli_errors_with_exit_code_2() -> None:
    for text in ("x +", "9" * (MAX_NUMBER_DIGITS + 1)):
        with pytest.raises(DerivcliError) as info:
            parse(text)
        assert int(info.value.exit_code) == 2


# ---------------------------------------------------------------- limits, at and past them


def _nested(depth: int) -> str:
    return "(" * depth + "x" + ")" * depth


def test_limits_are_inclusive() -> None:
    parse("x+" * ((MAX_EXPRESSION_LENGTH - 1) // 2) + "x")
    parse(_nested(MAX_NESTING - 1))
    parse("9" * MAX_NUMBER_DIGITS + "*x")
    parse(f"1e{MAX_DECIMAL_EXPONENT}*x")
    parse(f"1e-{MAX_DECIMAL_EXPONENT}*x")
    parse("a" * MAX_NAME_LENGTH)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x+" * (MAX_EXPRESSION_LENGTH // 2) + "x", "characters long"),
        (_nested(MAX_NESTING + 1), "nests deeper"),
        ("-" * (MAX_NESTING + 1) + "x", "nests deeper"),
        ("x" + "**x" * (MAX_NESTING + 1), "nests deeper"),
        ("sin(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1), "nests deeper"),
        ("9" * (MAX_NUMBER_DIGITS + 1), "digits"),
        ("0." + "1" * MAX_NUMBER_DIGITS, "digits"),
        (f"1e{MAX_DECIMAL_EXPONENT + 1}", "exponent"),
        (f"1e-{MAX_DECIMAL_EXPONENT + 1}", "exponent"),
        ("1e99999999999999999999", "exponent"),
        ("a" * (MAX_NAME_LENGTH + 1), "characters long"),
    ],
)
def test_limits(text: str, words: str) -> None:
    with pytest.raises(LimitError) as info:
        parse(text)
    assert words in info.value.message
    assert len(info.value.message) < 300  # names the limit, does not echo the input


def test_deep_nesting_far_past_the_limit_is_refused_not_a_recursion_error() -> None:
    for text in (_nested(10_000)[:MAX_EXPRESSION_LENGTH], "-" * 9_999 + "x"):
        with pytest.raises(LimitError):
            parse(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # a vulgar fraction has no one-character ASCII twin: it said "write **None"
        (
            "x½",
            "'½' (U+00BD VULGAR FRACTION ONE HALF) is not supported; "
            "write the number in ASCII, as (1/2)",
        ),
        (
            "x¼",
            "'¼' (U+00BC VULGAR FRACTION ONE QUARTER) is not supported; "
            "write the number in ASCII, as (1/4)",
        ),
        # a circled digit is no exponent: it said "write **3"
        ("x③", "'③' (U+2462 CIRCLED DIGIT THREE) looks like '3' but is not ASCII; type '3'"),
    ],
)
def test_number_characters_outside_ascii_get_the_right_advice(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert str(info.value) == f"{message} at column 2"
