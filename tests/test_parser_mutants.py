"""The parser's documented limits and rules, pinned by literal numbers and exact messages.

tools/mutate.py showed that tests written in terms of the parser's own constants
(MAX_NESTING - 1, MAX_EXPRESSION_LENGTH // 2) move with the constants and cannot
catch a limit that changed. The README's "Limits and safety" table is the
specification: these tests state its numbers literally, at the limit and one
past it, through parse() and through the real command line (exit 2, one error
line on stderr).
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
from conftest import Cli, evaluate

from derivcli.errors import LimitError, ParseError
from derivcli.language.parser import parse, tokenize
from derivcli.language.printer import to_text
from derivcli.language.tree import Call, Number, Variable

# ---------------------------------------------------------------- expression length: 10,000


def test_an_expression_of_exactly_10000_characters_is_accepted() -> None:
    text = "x+" * 4_999 + "yy"
    assert len(text) == 10_000
    assert parse(text).variables == ("x", "yy")


def test_an_expression_of_10001_characters_is_refused_with_both_numbers() -> None:
    text = "x+" * 5_000 + "x"
    assert len(text) == 10_001
    with pytest.raises(LimitError) as info:
        parse(text)
    assert info.value.message == ("the expression is 10,001 characters long; the limit is 10,000")


def test_the_length_limit_counts_characters_of_any_kind() -> None:
    # spaces count too: the limit is on the text, not on the tokens
    parse(" " * 9_999 + "x")
    with pytest.raises(LimitError, match="10,001 characters"):
        parse(" " * 10_000 + "x")


def test_the_length_limit_on_the_command_line(cli: Cli) -> None:
    run = cli("grad", "x+" * 5_000 + "x", "--at", "x=1")
    assert run.code == 2
    assert run.out == ""
    assert run.error == "the expression is 10,001 characters long; the limit is 10,000"


# ---------------------------------------------------------------- nesting: 200 levels


def _parens(depth: int) -> str:
    return "(" * depth + "x" + ")" * depth


def _calls(depth: int) -> str:
    return "sin(" * depth + "x" + ")" * depth


def _signs(depth: int) -> str:
    return "-" * depth + "x"


def _powers(depth: int) -> str:
    return "x" + "**x" * depth


@pytest.mark.parametrize("build", [_parens, _calls, _signs, _powers])
def test_200_levels_of_nesting_are_accepted(build: object) -> None:
    assert callable(build)
    assert parse(build(200)).variables == ("x",)


@pytest.mark.parametrize(
    ("build", "column"),
    [
        (_parens, 201),  # the 201st '('
        (_calls, 804),  # the '(' of the 201st sin(, at 4*201
        (_signs, 201),  # the 201st '-'
        (_powers, 602),  # the 201st '**', at 2 + 3*200
    ],
)
def test_201_levels_of_nesting_are_refused_at_the_201st(build: object, column: int) -> None:
    assert callable(build)
    with pytest.raises(LimitError) as info:
        parse(build(201))
    assert info.value.message == f"expression nests deeper than 200 levels at column {column}"
    assert info.value.column == column


def test_mixed_nesting_counts_every_kind_once() -> None:
    # each "-(" is two levels: a sign and a parenthesis
    assert parse("-(" * 100 + "x" + ")" * 100).variables == ("x",)
    with pytest.raises(LimitError, match="deeper than 200 levels at column 201"):
        parse("-(" * 100 + "-x" + ")" * 100)
    # a call and its argument's parentheses: sin((...)) is two levels per sin
    assert parse("sin((" * 100 + "x" + "))" * 100).variables == ("x",)
    with pytest.raises(LimitError, match="deeper than 200 levels"):
        parse("sin((" * 100 + "(x)" + "))" * 100)


@pytest.mark.parametrize(
    "sibling",
    ["(x)+", "sin(x)+", "x*-x+", "x**x+", "max(x, (y))+", "log(x, 2)+"],
)
def test_nesting_is_depth_not_count(sibling: str) -> None:
    """300 siblings one level deep are one level, and leave the full 200 levels
    after them: a level is given back when its parenthesis, call, sign or
    exponent ends (not kept, not given back twice)."""
    parse(sibling * 300 + _parens(200))
    parse(_parens(200) + "+" + sibling * 300 + "x")
    with pytest.raises(LimitError, match="deeper than 200 levels"):
        parse(sibling * 300 + _parens(201))


def test_the_nesting_limit_on_the_command_line(cli: Cli) -> None:
    run = cli("grad", _parens(201), "--at", "x=1")
    assert run.code == 2
    assert run.out == ""
    assert run.error == "expression nests deeper than 200 levels at column 201"


# ---------------------------------------------------------------- digits in a number: 1,240


def test_a_number_of_1240_digits_is_accepted_exactly() -> None:
    tree = parse("9" * 1_240 + "*x").tree
    number = tree.left  # type: ignore[union-attr]
    assert number.value == 10**1_240 - 1  # type: ignore[union-attr]
    tree = parse("0." + "1" * 1_239 + "*x").tree
    assert tree.left.value.denominator == 10**1_239  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("9" * 1_241, 1_241),
        ("0." + "1" * 1_240, 1_241),  # the 0 before the point is a digit too
        ("1" * 1_000 + "." + "1" * 241, 1_241),
        ("1" * 1_241 + "e5", 1_241),  # the exponent's digits do not count
    ],
)
def test_a_number_of_1241_digits_is_refused(text: str, digits: int) -> None:
    with pytest.raises(LimitError) as info:
        parse("x + " + text)
    assert info.value.message == (f"number at column 5 has {digits} digits; the limit is 1240")
    assert info.value.column == 5


def test_the_exponent_digits_are_not_counted() -> None:
    expression = parse("1" * 1_240 + "e0001*x")
    assert expression.tree.left.value == int("1" * 1_240) * 10  # type: ignore[union-attr]


# ---------------------------------------------------------------- decimal exponent: +-300


@pytest.mark.parametrize("literal", ["1e300", "1E300", "1e+300", "1e-300", "1E-300", "2.5e-300"])
def test_a_decimal_exponent_of_300_is_accepted(literal: str) -> None:
    value = parse(literal + "*x").tree.left.value  # type: ignore[union-attr]
    mantissa, exponent = literal.lower().replace("+", "").split("e")
    from fractions import Fraction

    assert value == Fraction(mantissa) * Fraction(10) ** int(exponent)


@pytest.mark.parametrize(
    ("literal", "exponent"),
    [("1e301", 301), ("1E301", 301), ("1e+301", 301), ("1e-301", -301), ("5E-301", -301)],
)
def test_a_decimal_exponent_of_301_is_refused(literal: str, exponent: int) -> None:
    with pytest.raises(LimitError) as info:
        parse("x*" + literal)
    assert info.value.message == (f"number at column 3 has exponent {exponent}; the limit is +-300")
    assert info.value.column == 3


# ---------------------------------------------------------------- name length: 64


def test_a_name_of_64_characters_is_accepted() -> None:
    name = "v" * 64
    assert parse(f"2*{name}").variables == (name,)


def test_a_name_of_65_characters_is_refused() -> None:
    with pytest.raises(LimitError) as info:
        parse("1 + " + "v" * 65)
    assert info.value.message == "name at column 5 is 65 characters long; the limit is 64"
    assert info.value.column == 5


def test_the_name_limit_on_the_command_line(cli: Cli) -> None:
    run = cli("grad", "v" * 65, "--at", "x=1")
    assert run.code == 2
    assert run.error == "name at column 1 is 65 characters long; the limit is 64"


# ---------------------------------------------------------------- characters outside the grammar


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # ASCII (below U+0080): "unexpected", whatever its category
        ("x\x00", "unexpected character U+0000 (unnamed character) at column 2"),
        ("x\x7f", "unexpected character U+007F (unnamed character) at column 2"),
        # U+0080 is the first character past ASCII: a control character, invisible
        ("x\x80", "invisible character U+0080 (unnamed character) at column 2"),
        # a letter that only looks like an ASCII one
        (
            "2*\u0445",
            "'\u0445' (U+0445 CYRILLIC SMALL LETTER HA) looks like 'x' but is not ASCII; "
            "type 'x' at column 3",
        ),
        # NFKC folds it to an ASCII letter, and it is not a digit (category Lm)
        (
            "x\u2090",
            "'\u2090' (U+2090 LATIN SUBSCRIPT SMALL LETTER A) looks like 'a' but is not "
            "ASCII; type 'a' at column 2",
        ),
        # no ASCII twin at all: NFKC leaves it as it is
        (
            "caf\u00e9",
            "unsupported character '\u00e9' (U+00E9 LATIN SMALL LETTER E WITH ACUTE); "
            "only ASCII is allowed at column 4",
        ),
        # a subscript digit is an index
        (
            "x\u2082",
            "'\u2082' (U+2082 SUBSCRIPT TWO) is not supported; a variable name is ASCII: "
            "write the index as a plain digit, as in x2 at column 2",
        ),
    ],
)
def test_each_kind_of_character_gets_its_own_message(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("text", "name"),
    [("x\u00bd", "U+00BD VULGAR FRACTION ONE HALF"), ("x\u2462", "U+2462 CIRCLED DIGIT THREE")],
)
def test_other_number_characters_are_refused_by_name(text: str, name: str, cli: Cli) -> None:
    """A numeric character that is neither a digit nor a superscript (category No) is a
    parse error at its column, naming it (the exact advice is not pinned here)."""
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.column == 2
    assert name in info.value.message
    run = cli("grad", text, "--at", "x=1")
    assert run.code == 2
    assert name in run.error


# ---------------------------------------------------------------- values, not objects


def test_a_parsed_expression_is_an_immutable_hashable_value() -> None:
    first, second = parse("x**2 + 1"), parse("x**2 + 1")
    assert first == second
    assert hash(first) == hash(second)
    assert {first: "cached"}[second] == "cached"  # usable as a cache key
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.source = "y"  # type: ignore[misc]
    assert first.source == "x**2 + 1"


def test_tokens_are_immutable_values_and_mark_the_products_the_reader_inserted() -> None:
    written = tokenize("2*x")
    implied = tokenize("2x")
    assert [(t.kind, t.text) for t in written] == [(t.kind, t.text) for t in implied]
    assert [(t.kind, t.text, t.column) for t in implied] == [
        ("NUMBER", "2", 1),
        ("OP", "*", 2),  # at the column of what follows it
        ("NAME", "x", 2),
        ("END", "", 3),
    ]
    assert [t.implicit for t in written] == [False, False, False, False]
    assert [t.implicit for t in implied] == [False, True, False, False]
    assert [t.implicit for t in tokenize("(x+1)(x-1)")].count(True) == 1
    assert len(set(written)) == 4  # hashable
    with pytest.raises(dataclasses.FrozenInstanceError):
        written[0].text = "3"  # type: ignore[misc]


# ---------------------------------------------------------------- a point at the end of the text


@pytest.mark.parametrize(("text", "column"), [(".", 1), ("x.", 2), ("2*.", 3), ("sin(x)+.", 8)])
def test_a_point_at_the_very_end_is_attribute_access_not_a_number(text: str, column: int) -> None:
    """A '.' starts a number only when a digit follows it; the last character of the
    text has nothing after it."""
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == f"attribute access ('.') is not allowed at column {column}"


def test_a_point_followed_by_a_digit_is_a_number() -> None:
    assert parse("x+.5").tree.right.value == 0.5  # type: ignore[union-attr]
    assert parse(".5").tree.value * 2 == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("x\u00d7y", "x*y"),  # multiplication sign
        ("x\u00b7y", "x*y"),  # middle dot
        ("x\u22c5y", "x*y"),  # dot operator
        ("x\u2212y", "x - y"),  # minus sign
        ("x\u00f7y", "x/y"),  # division sign
        ("x\u00b2", "x**2"),  # a superscript right after a name
        ("xy\u00b3", "xy**3"),
    ],
)
def test_math_signs_right_after_a_name_are_operators(text: str, printed: str) -> None:
    assert str(parse(text)) == printed


def test_pi_right_after_a_name_is_a_second_name_not_a_bad_character() -> None:
    with pytest.raises(ParseError) as info:
        parse("x\u03c0")
    assert info.value.message == "missing operator before 'pi' after 'x' at column 2"


def test_a_letter_that_is_not_ascii_is_named_before_the_length_of_its_name() -> None:
    """café-like names are refused for their character at once, even when the ASCII
    part before it is already past 64 characters."""
    with pytest.raises(ParseError) as info:
        parse("v" * 65 + "\u00e9")
    assert not isinstance(info.value, LimitError)
    assert info.value.message == (
        "unsupported character '\u00e9' (U+00E9 LATIN SMALL LETTER E WITH ACUTE); "
        "only ASCII is allowed at column 66"
    )


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("\u03c0+1", "pi + 1"),
        ("2\u03c0/3", "2*pi/3"),
        ("\u03c0\u00b7x\u2212\u03c0", "pi*x - pi"),
        ("sin(\u03c0 x)".replace(" ", "*"), "sin(pi*x)"),
        ("1\u2212x\u00d72\u00f7y", "1 - x*2/y"),
    ],
)
def test_reading_goes_on_after_pi_and_the_math_signs(text: str, printed: str) -> None:
    assert str(parse(text)) == printed


# ---------------------------------------------------------------- superscript exponents


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("x\u207b\u00b9", "x**-1"),
        ("x\u207b\u00b9\u00b2", "x**-12"),
        ("x\u00b2\u2070", "x**20"),
        ("2x\u00b3+1", "2*x**3 + 1"),
    ],
)
def test_superscript_exponents(text: str, printed: str) -> None:
    assert str(parse(text)) == printed


@pytest.mark.parametrize(
    "superscript", ["\u207b", "\u207b\u207b\u00b9", "\u00b9\u207b", "\u00b9\u207b\u00b9"]
)
def test_a_superscript_that_is_not_a_whole_exponent_is_refused(superscript: str) -> None:
    with pytest.raises(ParseError) as info:
        parse("x" + superscript)
    assert info.value.message == (
        f"superscript '{superscript}' is not a whole exponent at column 2"
    )


def test_the_tokens_of_a_superscript_carry_its_column() -> None:
    # the '**' a superscript stands for is at the superscript's column ...
    with pytest.raises(ParseError) as info:
        parse("x+\u00b2")
    assert info.value.column == 3
    with pytest.raises(LimitError) as limit:
        parse("(" * 200 + "x\u00b2" + ")" * 200)
    assert limit.value.message == "expression nests deeper than 200 levels at column 202"
    # ... and so is the sign of a negative one: here the sign is the 201st level
    with pytest.raises(LimitError) as limit:
        parse("(" * 199 + "x\u207b\u00b9" + ")" * 199)
    assert limit.value.message == "expression nests deeper than 200 levels at column 201"


# ---------------------------------------------------------------- implicit products


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("(x+1)(x-1)", "(x + 1)*(x - 1)"),
        ("2(x)(y)", "2*x*y"),
        ("sin(x)(y)", "sin(x)*y"),
        ("2x", "2*x"),
        ("3sin(x)", "3*sin(x)"),
        ("0.5x^2", "0.5*x**2"),
        ("2(x+1)", "2*(x + 1)"),
    ],
)
def test_implicit_products(text: str, printed: str) -> None:
    assert str(parse(text)) == printed


_TWO_WAYS = "can be read two ways: write the '*' and the parentheses you mean"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # after '/': the example divides; after a power: the example raises
        ("1/2x", f"'/2x' {_TWO_WAYS} (as in 1/(2*x) or x/2) at column 3"),
        ("2^3(x)", f"'^3(' {_TWO_WAYS} (as in 2**(3*x) or 2**3*x) at column 3"),
        ("2**3x", f"'**3x' {_TWO_WAYS} (as in 2**(3*x) or 2**3*x) at column 4"),
        # a name before and after: both readings in the user's own names
        ("x/2y", f"'/2y' {_TWO_WAYS} (as in x/2*y or x/(2*y)) at column 3"),
        ("x^2y", f"'^2y' {_TWO_WAYS} (as in x**2*y or x**(2*y)) at column 3"),
        # a name before, '(' after: the general example
        ("x^2(y)", f"'^2(' {_TWO_WAYS} (as in 2**(3*x) or 2**3*x) at column 3"),
        # nothing before the '/' at all
        ("/2x", f"'/2x' {_TWO_WAYS} (as in 1/(2*x) or x/2) at column 2"),
    ],
)
def test_a_product_that_reads_two_ways_is_refused_with_an_example(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("text", "printed"), [("2jx", "2*jx"), ("3J_1", "3*J_1"), ("2j2", "2*j2"), ("1e2jy", "1e2*jy")]
)
def test_j_after_a_number_is_complex_only_when_it_ends_the_name(text: str, printed: str) -> None:
    assert str(parse(text)) == printed


@pytest.mark.parametrize(("text", "column"), [("2j", 1), ("x+2J", 3), ("3j*x", 1), ("1.5j)", 1)])
def test_complex_literals_are_refused(text: str, column: int) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.column == column
    assert info.value.message.startswith("complex numbers are not supported: '")


# ---------------------------------------------------------------- number literals


@pytest.mark.parametrize(
    ("text", "printed", "value"),
    [
        ("2.x", "2.*x", 2),  # a number may end with its point ...
        ("1.+x", "1. + x", 1),  # ... before an operator
        ("3.(x)", "3.*x", 3),
        ("5.e-1x", "5.e-1*x", Fraction(1, 2)),
        ("12.5e+1*x", "12.5e+1*x", 125),
        ("7e2x", "7e2*x", 700),
        ("7ex", "7*ex", 7),  # 'e' without digits is not an exponent: a name follows
        ("7e+x", "7*E + x", 7),  # nor is 'e+' without digits (e is Euler's number)
        ("0.25E-2*x", "0.25E-2*x", Fraction(1, 400)),
    ],
)
def test_number_literals(text: str, printed: str, value: Fraction) -> None:
    assert str(parse(text)) == printed
    number = parse(text).tree
    while not isinstance(number, Number):  # the leftmost leaf
        number = number.left  # type: ignore[union-attr]
    assert number.value == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.2.3", "malformed number '1.2.' at column 1"),
        ("x+4..5", "malformed number '4..' at column 3"),
        ("1e5.5", "malformed number '1e5.' at column 1"),
    ],
)
def test_malformed_numbers(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == message


@pytest.mark.parametrize(("text", "printed"), [("2e", "2*E"), ("2E", "2*E"), ("x+3e", "x + 3*E")])
def test_a_number_then_e_at_the_very_end_is_a_product_with_e(text: str, printed: str) -> None:
    assert str(parse(text)) == printed


@pytest.mark.parametrize("text", ["2e+", "2e-", "2E+"])
def test_a_number_then_e_and_a_sign_at_the_end_ends_too_early(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == (
        "the expression ends too early; expected a number, name or '(' at column 4"
    )


# ---------------------------------------------------------------- messages that name the tokens


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x y", "missing operator before 'y' after 'x' at column 3"),
        ("2 3", "missing operator before '3' after '2' at column 3"),
        ("(x) y", "missing operator before 'y' after ')' at column 5"),
        ("sin(x) 2", "missing operator before '2' after ')' at column 8"),
        ("max(x, y z)", "missing operator before 'z' after 'y' at column 10"),
    ],
)
def test_a_missing_operator_names_the_tokens_on_both_sides(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == message


_NOT_A_VARIABLE = "or give a variable another name (function names cannot be variables)"


@pytest.mark.parametrize(
    ("text", "signature"),
    [
        ("sin + 1", "sin(a)"),  # a function of the table: its own signature
        ("2*log", "log(a)"),  # in the table and written out as a macro with 2 arguments
        ("pow + 1", "pow(a, b)"),  # only a macro: the macro's two arguments
        ("leaky_relu", "leaky_relu(a, negative_slope=0.01)"),
        ("max", "max(a, b, ...)"),
    ],
)
def test_a_function_name_used_as_a_variable_shows_how_to_call_it(text: str, signature: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    name = signature.split("(")[0]
    column = text.index(name) + 1
    assert info.value.message == (
        f"'{name}' is a function; call it as {signature}, {_NOT_A_VARIABLE} at column {column}"
    )


# ---------------------------------------------------------------- calls


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("max(x, y)", "max(x, y)"),
        ("max(x, y, z)", "max(max(x, y), z)"),
        ("min(x, y, z, w)", "min(min(min(x, y), z), w)"),
        ("logsumexp(x, y, 1)", "logsumexp(logsumexp(x, y), 1)"),
        # parameters are not folded: only variadic functions are
        ("hardtanh(x, -1, 1)", "hardtanh(x, -1, 1)"),
        ("clamp(x, 0, 2)", "clamp(x, 0, 2)"),
        ("softplus(x, 2, 20)", "softplus(x, 2, 20)"),
        ("leaky_relu(x, 0.2)", "leaky_relu(x, 0.2)"),
    ],
)
def test_variadic_calls_fold_pairwise_and_others_keep_their_arguments(
    text: str, printed: str
) -> None:
    assert str(parse(text)) == printed


def test_a_variadic_call_is_a_tree_of_two_argument_calls() -> None:
    tree = parse("max(x, y, z)").tree
    assert isinstance(tree, Call) and tree.name == "max" and len(tree.args) == 2
    inner, last = tree.args
    assert isinstance(inner, Call) and [a.name for a in inner.args] == ["x", "y"]  # type: ignore[union-attr]
    assert isinstance(last, Variable) and last.name == "z"
    assert evaluate(tree, {"x": 1.0, "y": 5.0, "z": 3.0}) == 5.0


@pytest.mark.parametrize(
    ("text", "printed", "x", "expected"),
    [
        ("log(x, 2)", "log(x)/log(2)", 8.0, 3.0),
        ("log(x, 0.5)", "log(x)/log(0.5)", 4.0, -2.0),  # a base below 1 is a base
        ("log(x, 10)", "log(x)/log(10)", 1000.0, 3.0),
        ("pow(x, 3)", "x**3", 2.0, 8.0),
        ("pow(2, x)", "2**x", 5.0, 32.0),
    ],
)
def test_macros_are_written_out(text: str, printed: str, x: float, expected: float) -> None:
    tree = parse(text).tree
    assert str(parse(text)) == printed
    assert evaluate(tree, {"x": x}) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    "text",
    [
        "polygamma(0, x)",  # 0 is a whole number
        "polygamma(3, x)",
        "factorial(0)*x",
        "softshrink(x, 0)",  # lambd 0 is "0 or more"
        "hardshrink(x, 0.25)",
        "hardtanh(x, 1, 1)",  # max equal to min is "at least min"
        "clamp(x, -2, -2)",
        "softplus(x, -1)",  # beta only has to be nonzero
        "celu(x, -0.5)",
    ],
)
def test_parameters_at_the_edge_of_what_they_allow_are_accepted(text: str) -> None:
    assert parse(text).variables == ("x",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("polygamma(-1, x)", "polygamma's n must be a whole number 0, 1, 2, ..."),
        ("polygamma(0.5, x)", "polygamma's n must be a whole number 0, 1, 2, ..."),
        ("softshrink(x, -0.001)", "softshrink's lambd must be 0 or more"),
        ("celu(x, 0)", "celu's alpha must be nonzero"),
        ("clamp(x, 0, -0.001)", "clamp's hi must be at least lo"),
    ],
)
def test_parameters_just_past_what_they_allow_are_refused(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message.startswith(message + " (")


# ---------------------------------------------------------------- templates written out


@pytest.mark.parametrize(
    ("text", "written_out"),
    [
        # each is the table's definition with a, b, c replaced by hand
        ("silu(x)", "x*sigmoid(x)"),  # variables and calls
        ("exp2(x)", "2**x"),  # a number in the definition
        ("relu6(y)", "min(relu(y), 6)"),
        ("acot(x)", "pi/2 - atan(x)"),  # a constant in the definition
        ("logsigmoid(x)", "-softplus(-x)"),  # negations in the definition
        ("leaky_relu(x)", "relu(x) - 0.01*relu(-x)"),  # the default filled in
        ("hardtanh(x, -2, 3)", "min(max(x, -2), 3)"),
        ("softplus(x, 2)", "softplus(2*x)/2"),
        ("log2(x + 1)", "log(x + 1)/log(2)"),
    ],
)
def test_definitions_are_written_out_with_the_arguments_in_place(
    text: str, written_out: str
) -> None:
    from derivcli.language.definitions import expand

    assert to_text(expand(parse(text).tree)) == written_out


def test_the_nodes_a_macro_writes_out_carry_the_column_of_its_call() -> None:
    tree = parse("1 + log(x, 2)").tree
    quotient = tree.right  # type: ignore[union-attr]
    assert to_text(quotient) == "log(x)/log(2)"
    assert quotient.column == 5
    assert [call.column for call in (quotient.left, quotient.right)] == [5, 5]  # type: ignore[union-attr]
    assert quotient.left.args[0].column == 9  # type: ignore[union-attr]  # the user's x keeps its own column


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # a constant expression is worked out before it is judged; the column is
        # that of the argument's outermost operator
        ("log(x, 1 - 3)", "log(x, 1 - 3): the base of a logarithm must be positive at column 10"),
        ("log(x, -pi)", "log(x, -pi): the base of a logarithm must be positive at column 8"),
        ("celu(x, 2 - 2)", "celu's alpha must be nonzero (celu(a, alpha=1)) at column 11"),
    ],
)
def test_constant_expressions_are_evaluated_for_the_checks(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == message


def test_constant_expressions_are_accepted_as_parameters() -> None:
    assert str(parse("hardtanh(x, -1/2, 1/2)")) == "hardtanh(x, -1/2, 1/2)"
    assert str(parse("leaky_relu(x, 1/10)")) == "leaky_relu(x, 1/10)"
    assert str(parse("log(x, 2*3)")) == "log(x)/log(2*3)"
