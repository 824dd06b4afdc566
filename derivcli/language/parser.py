"""Stage 1 of the pipeline: text -> expression tree, without eval.

A hand-written tokenizer and recursive-descent parser for a small, whitelisted
calculator grammar::

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/') unary)*
    unary   := ('+' | '-') unary | power
    power   := primary (('**' | '^') unary)?        # right-associative
    primary := NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'

The tokenizer also reads calculator notation: a ``*`` is inserted where a
number meets a name or ``(``, and between ``)`` and ``(`` (``2x``,
``(x+1)(x-1)``), and refused where it could be read two ways (``1/2x``);
``π``, ``−``, ``×``, ``·``, ``÷`` and superscript exponents (``x²``) are read as
what they mean. Names are looked up in the one function table
(``language/functions.py``), with its argument counts and constant
parameters; ``log(x, b)`` and ``pow(a, b)`` are written out as they are read;
anything else that is a plain ASCII identifier is a real variable (``e`` and
``pi`` are constants). Nothing here calls
``eval``, ``sympify`` or ``parse_expr``: the result is a tree of frozen
dataclasses (``tree.py``) that every later stage folds over.

Every rejection names what is wrong and the 1-based column where it is, and
the limits (length, nesting, digits) are checked while reading, so hostile
input is turned away in time proportional to the part already read.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from derivcli.errors import LimitError, NumberSpellingError, ParseError
from derivcli.language.functions import (
    ARGUMENT_NAMES,
    MACROS,
    FunctionSpec,
    function_names,
    lookup_constant,
    lookup_function,
)
from derivcli.language.printer import to_text
from derivcli.language.tree import (
    BinaryOp,
    Call,
    Constant,
    Fold,
    Negate,
    Node,
    Number,
    Variable,
    fold,
    walk,
)

MAX_EXPRESSION_LENGTH = 10_000  # characters
MAX_NESTING = 200  # parentheses, calls, unary signs and exponents inside each other
# Digits in one numeric literal: enough for any exact number derivcli itself
# prints (exact numbers are capped at 4,096 bits, about 1,233 digits), so
# every closed form parses back.
MAX_NUMBER_DIGITS = 1_240
MAX_DECIMAL_EXPONENT = 300  # |e| in 1e300
MAX_NAME_LENGTH = 64


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its tree, its source text and its variables."""

    tree: Node
    source: str
    variables: tuple[str, ...]  # sorted

    @functools.cached_property
    def text(self) -> str:
        """The expression as understood, printed once (a batch of one expression, or a
        notebook, asks for it at every line)."""
        return to_text(self.tree)

    def __str__(self) -> str:
        return self.text


# ---------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    kind: str  # NUMBER NAME OP END
    text: str
    column: int
    implicit: bool = False  # a '*' the reader inserted (2x, (x+1)(x-1))


_OPERATORS = ("**", "+", "-", "*", "/", "^", "(", ")", ",")

# Characters that look like an ASCII letter or operator but are not one.
_LOOKALIKES = {
    "\u0430": "a",
    "\u0435": "e",
    "\u043e": "o",
    "\u0440": "p",
    "\u0441": "c",
    "\u0443": "y",
    "\u0445": "x",
    "\u0456": "i",
    "\u0410": "A",
    "\u0412": "B",
    "\u0415": "E",
    "\u041a": "K",
    "\u041c": "M",
    "\u041d": "H",
    "\u041e": "O",
    "\u0420": "P",
    "\u0421": "C",
    "\u0422": "T",
    "\u0425": "X",
    "\u03bf": "o",
    "\u03bd": "v",
    "\u03b1": "a",
    "\u03c1": "p",
    "\u0391": "A",
    "\u0392": "B",
    "\u0395": "E",
    "\u039f": "O",
    "\u03a7": "X",
    "\u03a1": "P",
    "\u03a4": "T",
}

# Math typed or pasted from papers and web pages, read as what it means.
_MATH_OPERATORS = {
    "\u2212": "-",  # minus sign
    "\u00d7": "*",  # multiplication sign
    "\u00b7": "*",  # middle dot
    "\u22c5": "*",  # dot operator
    "\u2217": "*",  # asterisk operator
    "\u00f7": "/",  # division sign
    "\u2215": "/",  # division slash
}
_MATH_NAMES = {"\u03c0": "pi"}  # π
_SUPERSCRIPTS = {
    "\u2070": "0", "\u00b9": "1", "\u00b2": "2", "\u00b3": "3", "\u2074": "4",
    "\u2075": "5", "\u2076": "6", "\u2077": "7", "\u2078": "8", "\u2079": "9",
    "\u207b": "-",
}  # fmt: skip

_PUNCTUATION_HINTS = {
    ".": "attribute access ('.') is not allowed",
    "[": "brackets are not allowed; use parentheses",
    "]": "brackets are not allowed; use parentheses",
    "{": "braces are not allowed; use parentheses",
    "}": "braces are not allowed; use parentheses",
    "'": "string literals are not allowed",
    '"': "string literals are not allowed",
    "=": "'=' is not allowed: no assignments or keyword arguments",
    "|": "'|' is not allowed; write abs(...)",
    "!": "factorials are not supported",
    "%": "'%' is not supported",
    ":": "':' is not allowed (no lambdas, slices or annotations)",
    ";": "';' is not allowed: one expression only",
    "@": "'@' is not supported",
    "#": "'#' is not allowed (no comments)",
    "\\": "'\\' is not allowed",
    "`": "'`' is not allowed",
    "<": "comparisons are not supported",
    ">": "comparisons are not supported",
    "&": "'&' is not supported",
    "~": "'~' is not supported",
    "$": "'$' is not allowed",
    "?": "'?' is not allowed",
}


def _describe_char(ch: str) -> str:
    name = unicodedata.name(ch, "unnamed character")
    return f"'{ch}' (U+{ord(ch):04X} {name})" if ch.isprintable() else f"U+{ord(ch):04X} ({name})"


def _reject_character(ch: str, column: int) -> ParseError:
    """A precise reason why ``ch`` cannot appear in an expression."""
    if ch in _PUNCTUATION_HINTS:
        return ParseError(_PUNCTUATION_HINTS[ch], column)
    if ord(ch) < 128:
        return ParseError(f"unexpected character {_describe_char(ch)}", column)
    category = unicodedata.category(ch)
    if category in ("Cf", "Zs", "Zl", "Zp", "Cc", "Mn"):
        return ParseError(f"invisible character {_describe_char(ch)}", column)
    ascii_twin = _LOOKALIKES.get(ch)
    if ascii_twin is None:
        folded = unicodedata.normalize("NFKC", ch)
        if folded.isascii() and folded.strip():
            ascii_twin = folded
    if unicodedata.category(ch) == "No" and "SUBSCRIPT" in unicodedata.name(ch, ""):
        # x₁ is a name with an index, not a power
        return ParseError(
            f"{_describe_char(ch)} is not supported; a variable name is ASCII: write the "
            f"index as a plain digit, as in x{ascii_twin}",
            column,
        )
    name = unicodedata.name(ch, "")
    if "SUPERSCRIPT" in name and ascii_twin is not None:  # ³ (² and ¹ are powers)
        return ParseError(f"{_describe_char(ch)} is not supported; write **{ascii_twin}", column)
    if "VULGAR FRACTION" in name:  # ½: no ASCII twin, but a number
        value = Fraction(unicodedata.numeric(ch)).limit_denominator(1000)
        return ParseError(
            f"{_describe_char(ch)} is not supported; write the number in ASCII, as "
            f"({value.numerator}/{value.denominator})",
            column,
        )
    if ascii_twin is not None:
        return ParseError(
            f"{_describe_char(ch)} looks like '{ascii_twin}' but is not ASCII; type '{ascii_twin}'",
            column,
        )
    return ParseError(f"unsupported character {_describe_char(ch)}; only ASCII is allowed", column)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, rejecting anything outside the grammar."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        column = i + 1
        if ch in " \t\r\n":
            i += 1
            continue
        if ch.isascii() and (ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit())):
            i = _read_number(text, i, tokens)
            continue
        if ch.isascii() and (ch.isalpha() or ch == "_"):
            j = i
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            if j < n and not text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                if text[j] not in _MATH_NAMES and text[j] not in _SUPERSCRIPTS:
                    raise _reject_character(text[j], j + 1)
            name = text[i:j]
            if len(name) > MAX_NAME_LENGTH:
                raise LimitError(
                    f"name at column {column} is {len(name)} characters long; "
                    f"the limit is {MAX_NAME_LENGTH}",
                    column=column,
                )
            tokens.append(Token("NAME", name, column))
            i = j
            continue
        if ch in _MATH_NAMES:
            tokens.append(Token("NAME", _MATH_NAMES[ch], column))
            i += 1
            continue
        if ch in _MATH_OPERATORS:
            tokens.append(Token("OP", _MATH_OPERATORS[ch], column))
            i += 1
            continue
        if ch in _SUPERSCRIPTS:
            i = _read_superscript(text, i, tokens)
            continue
        # _OPERATORS' first match: '**' is its only two-character one
        op = "**" if text.startswith("**", i) else ch if ch in _OPERATORS else None
        if op is not None:
            if op == "/" and text.startswith("//", i):
                raise ParseError("'//' (floor division) is not supported", column)
            tokens.append(Token("OP", op, column))
            i += len(op)
            continue
        raise _reject_character(ch, column)
    tokens.append(Token("END", "", n + 1))
    return _implicit_products(tokens, text)


def _read_superscript(text: str, i: int, tokens: list[Token]) -> int:
    """x², x³, x⁻¹: a power with the exponent written as superscript digits."""
    start = i
    digits = ""
    while i < len(text) and text[i] in _SUPERSCRIPTS:
        digits += _SUPERSCRIPTS[text[i]]
        i += 1
    sign, number = ("-", digits[1:]) if digits.startswith("-") else ("", digits)
    if not number or not number.isdigit():
        raise ParseError(f"superscript '{text[start:i]}' is not a whole exponent", start + 1)
    tokens.append(Token("OP", "**", start + 1))
    if sign:
        tokens.append(Token("OP", "-", start + 1))
    tokens.append(Token("NUMBER", number, start + 1))
    return i


def _implicit_products(tokens: list[Token], text: str) -> list[Token]:
    """Insert the '*' that calculator notation leaves out, where it cannot be misread:
    after a number before a name or '(' (2x, 3sin(x), 2(x+1), 0.5x^2), and
    between ')' and '(' ((x+1)(x-1)). After '/' or a power it would be read
    two ways (1/2x, 2^3x): that is an error that says how to write it."""
    result: list[Token] = []
    for index, tok in enumerate(tokens):
        prev = result[-1] if result else None
        implicit = prev is not None and (
            (prev.kind == "NUMBER" and (tok.kind == "NAME" or tok.text == "("))
            or (prev.text == ")" and prev.kind == "OP" and tok.text == "(" and tok.kind == "OP")
        )
        if implicit and prev is not None:
            before = result[-2] if len(result) > 1 else None
            if prev.kind == "NUMBER" and before is not None and before.kind == "OP":
                named = result[-3] if len(result) > 2 else None
                if (
                    before.text in ("**", "^")
                    and tok.text == "("
                    and named is not None
                    and named.kind == "NAME"
                    and lookup_function(named.text) is not None
                ):
                    # sin²(x), sin^2(x): the calculator's way to write a power of sin(x)
                    raise ParseError(
                        f"a power of a function is written {named.text}(x)**{prev.text}, "
                        f"not {named.text}**{prev.text}(x)",
                        named.column,
                    )
                if before.text in ("/", "**", "^"):
                    after = f"'{before.text}{prev.text}{tok.text}'"
                    example = "1/(2*x) or x/2" if before.text == "/" else "2**(3*x) or 2**3*x"
                    if named is not None and named.kind == "NAME" and tok.kind == "NAME":
                        # x²y: the user's own names, both readings
                        base, n, name = named.text, prev.text, tok.text
                        op = "/" if before.text == "/" else "**"
                        example = f"{base}{op}{n}*{name} or {base}{op}({n}*{name})"
                    raise ParseError(
                        f"{after} can be read two ways: write the '*' and the parentheses "
                        f"you mean (as in {example})",
                        prev.column,
                    )
            result.append(Token("OP", "*", tok.column, implicit=True))
        result.append(tok)
        del index
    return result


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


# Python's other ways to write a number, which the reader would otherwise take
# for a number times a name (0x1F as 0*x1F, 1_000 as 1*_000).
_BASES = {"x": (16, "hexadecimal"), "b": (2, "binary"), "o": (8, "octal")}
# A decimal number with Python's '_' between digits (1_000, 1_000.5, 1.5_0, 1e1_0)
_DIGITS = r"[0-9](?:_?[0-9])*"
_UNDERSCORED = re.compile(rf"{_DIGITS}(?:\.(?:{_DIGITS})?)?(?:[eE][+-]?{_DIGITS})?")
# Numbers echoed in these errors are cut to this many characters ("..." after)
_ECHO = 40


def _echo(text: str) -> str:
    return text if len(text) <= _ECHO else text[: _ECHO - 3] + "..."


def _reject_python_literal(text: str, start: int, end: int) -> None:
    """0x1F, 0b101, 0o17 and 1_000 are errors that give the number in decimal.

    ``text[start:end]`` is the number read. After a 0, a base's mark and a name
    run is Python's way to write an integer when ``int`` reads it (as Python
    would: ``int("0x1F", 16)`` is 31), and a mistake when a digit follows the
    mark but ``int`` refuses it (0b102); else it is left to be read as a
    product (``0xyz`` is ``0*xyz``). A decimal number with '_' between digits
    (Python's 1_000.5) is an error that gives it without them.
    """
    j = end
    while j < len(text) and text[j].isascii() and _is_name_char(text[j]):
        j += 1
    word, mark = text[start:j], text[end:j][:1].lower()
    if mark in _BASES and text[start:end] == "0":
        base, name = _BASES[mark]
        what = f"'{_echo(word)}': {name} numbers are not part of the language"
        try:
            value = int(word, base)  # int takes the 0x
        except ValueError:
            if not word[2:].lstrip("_")[:1].isdigit():
                return
            # 0b102, 0o19, 0x1G: meant as a number, though not a valid one
            bad = [c for c in word[2:] if c != "_" and not _is_digit_in(c, base)]
            why = f" ({bad[0]!r} is no {name} digit)" if bad else " ('_' only between digits)"
            raise NumberSpellingError(
                f"{what}{why}; write the number in decimal", start + 1
            ) from None
        # past 4,300 digits, Python will not even write the number out
        decimal = str(value) if value.bit_length() <= 128 else "the number in decimal"
        raise NumberSpellingError(f"{what}; write {decimal}", start + 1)
    found = _UNDERSCORED.match(text, start) if mark == "_" else None
    if found is not None and "_" in found.group():
        written = found.group()
        plain = written.replace("_", "")
        if plain.isdigit():
            plain = plain.lstrip("0") or "0"  # 0_7 is 7, as Python reads it
        raise NumberSpellingError(
            f"'{_echo(written)}': '_' between digits is not part of the language; "
            f"write {_echo(plain)}",
            start + 1,
        )


def _is_digit_in(char: str, base: int) -> bool:
    return char.lower() in "0123456789abcdef"[:base]


def _read_number(text: str, i: int, tokens: list[Token]) -> int:
    start, n = i, len(text)
    while i < n and text[i].isascii() and text[i].isdigit():
        i += 1
    if i < n and text[i] == ".":
        i += 1
        while i < n and text[i].isascii() and text[i].isdigit():
            i += 1
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j].isascii() and text[j].isdigit():
            while j < n and text[j].isascii() and text[j].isdigit():
                j += 1
            i = j
    literal = text[start:i]
    column = start + 1
    _reject_python_literal(text, start, i)
    if i < n and text[i] in "jJ" and (i + 1 == n or not _is_name_char(text[i + 1])):
        raise ParseError(f"complex numbers are not supported: '{literal}{text[i]}'", column)
    if i < n and text[i] == ".":
        raise ParseError(f"malformed number '{text[start : i + 1]}'", column)
    mantissa = literal.split("e")[0].split("E")[0]
    digits = sum(c.isdigit() for c in mantissa)
    if digits > MAX_NUMBER_DIGITS:
        raise LimitError(
            f"number at column {column} has {digits} digits; the limit is {MAX_NUMBER_DIGITS}",
            column=column,
        )
    tokens.append(Token("NUMBER", literal, column))
    return i


def _number_value(token: Token) -> Fraction:
    text = token.text
    if text.isascii() and text.isdigit():
        # most literals are whole numbers: int() is several times faster than
        # Fraction's string reader, and the value (times 10**0) is the same
        return Fraction(int(text))
    exponent = 0
    for marker in "eE":
        if marker in text:
            text, exp_text = text.split(marker)
            exponent = int(exp_text)
    if abs(exponent) > MAX_DECIMAL_EXPONENT:
        raise LimitError(
            f"number at column {token.column} has exponent {exponent}; "
            f"the limit is +-{MAX_DECIMAL_EXPONENT}",
            column=token.column,
        )
    value = Fraction(text) if text != "." else Fraction(0)
    return value * Fraction(10) ** exponent


# ---------------------------------------------------------------- parser


class _Parser:
    def __init__(self, tokens: list[Token], template: bool = False) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.variables: set[str] = set()
        # the table's own rules and definitions: a, b, c, d stand for arguments,
        # so a function's parameters need not be constants there
        self.template = template

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def at_op(self, *ops: str) -> bool:
        token = self.tokens[self.pos]  # not the property: asked at every level of every term
        return token.kind == "OP" and token.text in ops

    def enter(self, column: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise LimitError(
                f"expression nests deeper than {MAX_NESTING} levels at column {column}",
                column=column,
            )

    def parse(self) -> Node:
        if self.token.kind == "END":
            raise ParseError("the expression is empty")
        node = self.expr()
        if self.token.kind != "END":
            raise self.unexpected()
        return node

    def unexpected(self) -> ParseError:
        tok = self.token
        if tok.kind == "END":
            return ParseError("the expression ends too early", tok.column)
        if tok.text == ")":
            return ParseError("unmatched ')'", tok.column)
        if tok.text == ",":
            return ParseError("unexpected ',' outside a function call", tok.column)
        if tok.kind in ("NAME", "NUMBER") or tok.text == "(":
            prev = self.tokens[self.pos - 1] if self.pos else None
            after = f" after '{prev.text}'" if prev is not None else ""
            return ParseError(f"missing operator before '{tok.text}'{after}", tok.column)
        return ParseError(f"unexpected '{tok.text}'", tok.column)

    def expr(self) -> Node:
        node = self.term()
        while self.at_op("+", "-"):
            tok = self.advance()
            node = BinaryOp(tok.text, node, self.term(), tok.column)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.at_op("*", "/"):
            tok = self.advance()
            node = BinaryOp(tok.text, node, self.unary(), tok.column)
        return node

    def unary(self) -> Node:
        if self.at_op("+", "-"):
            tok = self.advance()
            self.enter(tok.column)
            operand = self.unary()
            self.depth -= 1
            return Negate(operand, tok.column) if tok.text == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        if self.at_op("**", "^"):
            tok = self.advance()
            self.enter(tok.column)
            exponent = self.unary()
            self.depth -= 1
            return BinaryOp("**", base, exponent, tok.column)
        return base

    def primary(self) -> Node:
        tok = self.token
        if tok.kind == "NUMBER":
            self.advance()
            return Number(_number_value(tok), tok.text, tok.column)
        if tok.kind == "NAME":
            self.advance()
            return self.name(tok)
        if self.at_op("("):
            self.advance()
            self.enter(tok.column)
            if self.at_op(")"):
                raise ParseError("empty parentheses", tok.column)
            node = self.expr()
            if not self.at_op(")"):
                if self.token.kind == "END":
                    raise ParseError("'(' is never closed", tok.column)
                raise self.unexpected()
            self.advance()
            self.depth -= 1
            return node
        if tok.kind == "END":
            raise ParseError(
                "the expression ends too early; expected a number, name or '('", tok.column
            )
        raise ParseError(f"expected a number, name or '(' but found '{tok.text}'", tok.column)

    def name(self, tok: Token) -> Node:
        name = tok.text
        if name.startswith("_"):
            raise ParseError(f"names may not start with '_': '{name}'", tok.column)
        if name in ("True", "False", "None"):
            raise ParseError(
                f"'{name}' is Python, not part of the math language (a variable name may "
                "be any other word, keywords such as lambda included)",
                tok.column,
            )
        is_call = self.at_op("(")
        spec = lookup_function(name)
        if is_call:
            if name in MACROS:
                return self.macro(tok, name)
            if spec is None:
                raise self.unknown_function(tok)
            return self.call(tok, spec)
        if spec is not None or name in MACROS:
            signature = spec.signature if spec is not None else f"{name}(a, b)"
            raise ParseError(
                f"'{name}' is a function; call it as {signature}, or give a variable another "
                "name (function names cannot be variables)",
                tok.column,
            )
        constant = lookup_constant(name)
        if constant is not None:
            return Constant(constant.name, tok.column)
        self.variables.add(name)
        return Variable(name, tok.column)

    def unknown_function(self, tok: Token) -> ParseError:
        name = tok.text
        if lookup_constant(name) is not None:
            return ParseError(
                f"'{name}' is a constant, not a function; write {name}*(...)", tok.column
            )
        known = function_names()
        close = difflib.get_close_matches(name, known, n=1)
        if not close:
            return ParseError(
                f"'{name}' is a variable, not a function: write {name}*(...) to multiply",
                tok.column,
                " (`derivcli functions` lists the functions)",
            )
        return ParseError(
            f"unknown function '{name}'",
            tok.column,
            f"; did you mean '{close[0]}'? (`derivcli functions` lists all {len(known)})",
        )

    def arguments(self, tok: Token, name: str) -> list[Node]:
        open_tok = self.advance()
        self.enter(open_tok.column)
        if self.at_op(")"):
            raise ParseError(f"{name}() needs arguments", open_tok.column)
        args = [self.expr()]
        while self.at_op(","):
            self.advance()
            args.append(self.expr())
        if not self.at_op(")"):
            if self.token.kind == "END":
                raise ParseError(f"'(' of {name}( is never closed", open_tok.column)
            raise self.unexpected()
        self.advance()
        self.depth -= 1
        return args

    def call(self, tok: Token, spec: FunctionSpec) -> Node:
        name = spec.name
        args = self.arguments(tok, name)
        low, high = spec.min_args, spec.max_args
        if len(args) < low or (high is not None and len(args) > high):
            wanted = (
                f"at least {low}"
                if high is None
                else str(low)
                if low == high
                else f"{low} to {high}"
            )
            raise ParseError(
                f"{name} takes {wanted} argument{'s' if wanted != '1' else ''} "
                f"({spec.signature}), got {len(args)}",
                tok.column,
            )
        if not self.template:
            values: list[Fraction | float] = []
            for position in spec.constant_positions(len(args)):
                values.append(_require_constant(spec, position, args[position], values))
        if spec.variadic and len(args) > spec.arity:
            # max(a, b, c) is max(max(a, b), c): what torch.maximum does, pairwise
            tree: Node = Call(name, tuple(args[:2]), tok.column)
            for arg in args[2:]:
                tree = Call(name, (tree, arg), tok.column)
            return tree
        return Call(name, tuple(args), tok.column)

    def macro(self, tok: Token, name: str) -> Node:
        """log(x, b) and pow(a, b): read as what they mean, log(x)/log(b) and a**b."""
        args = self.arguments(tok, name)
        forms = MACROS[name]
        if len(args) not in forms:
            spec = lookup_function(name)
            if spec is not None and len(args) == spec.arity:
                return Call(spec.name, tuple(args), tok.column)
            counts = " or ".join(str(k) for k in sorted({*forms, *([spec.arity] if spec else [])}))
            raise ParseError(f"{name} takes {counts} arguments, got {len(args)}", tok.column)
        if name == "log":
            base = args[1]
            if isinstance(base, Number) and base.value == 1:
                raise ParseError("log(x, 1): the base of a logarithm must not be 1", base.column)
            if not any(isinstance(n, Variable) for n in walk(base)):
                value = _constant_value(base)
                if value is not None and value <= 0:
                    raise ParseError(
                        f"log(x, {to_text(base)}): the base of a logarithm must be positive",
                        _column(base),
                    )
        return substitute(_template(forms[len(args)]), args, tok.column)


def _require_constant(
    spec: FunctionSpec, position: int, arg: Node, before: list[Fraction | float]
) -> Fraction | float:
    """A parameter (leaky_relu's slope, polygamma's n) must be a constant expression
    with a value the function accepts; returns that value."""
    index = position - (0 if spec.params_first else spec.arity)
    param = spec.params[index]
    where = f"{spec.name}'s {param.name}"
    names = sorted({n.name for n in walk(arg) if isinstance(n, Variable)})
    if names:
        raise ParseError(
            f"{where} must be a constant, not an expression of {', '.join(names)} "
            f"({spec.signature})",
            _column(arg),
        )
    value = _constant_value(arg)
    if value is None:
        raise ParseError(f"{where} is not a finite real number", _column(arg))
    if isinstance(value, float) and math.isinf(value):
        # 1e300*1e300 is exact, but torch takes the parameter as a float64, and
        # the checks below cannot take int() of an infinity
        raise ParseError(f"{where} is past float64's range (about 1.8e308)", _column(arg))
    wrong = {
        "whole": not (value >= 0 and value == int(value)),
        "nonzero": value == 0,
        "nonnegative": value < 0,
        "not_below_previous": bool(before) and value < before[-1],
    }.get(param.check, False)
    if wrong:
        wanted = {
            "whole": "a whole number 0, 1, 2, ...",
            "nonzero": "nonzero",
            "nonnegative": "0 or more",
            "not_below_previous": f"at least {spec.params[index - 1].name}",
        }[param.check]
        raise ParseError(f"{where} must be {wanted} ({spec.signature})", _column(arg))
    return value


def _constant_value(arg: Node) -> Fraction | float | None:
    """An exact number, or the float64 nearest a constant expression (+-inf past
    float64's range, as 9**9**9, past even MPFR's, is); None if it is not a finite
    real number."""
    if isinstance(arg, Number):
        return arg.value
    if isinstance(arg, Negate) and isinstance(arg.operand, Number):
        return -arg.operand.value
    from derivcli.language.evaluate import exact_constant

    outcome = exact_constant(arg)
    if outcome.undefined is not None and outcome.undefined.kind == "overflow":
        return math.inf
    return outcome.to_float() if outcome.defined else None


def _column(node: Node) -> int | None:
    for each in walk(node):
        if each.column:
            return each.column
    return None


_TEMPLATES: dict[str, Node] = {}


def _template(text: str) -> Node:
    """A definition, rule or macro in a, b, c, d, parsed once."""
    if text not in _TEMPLATES:
        _TEMPLATES[text] = parse(text, template=True).tree
    return _TEMPLATES[text]


def substitute(template: Node, args: Sequence[Node], column: int = 0) -> Node:
    """The template with its variables a, b, c, d replaced by ``args``."""
    bound = dict(zip(ARGUMENT_NAMES, args, strict=False))

    class Bind(Fold[Node]):
        def number(self, node: Number) -> Node:
            return node

        def constant(self, node: Constant) -> Node:
            return node

        def variable(self, node: Variable) -> Node:
            return bound.get(node.name, node)

        def negate(self, node: Negate, operand: Node) -> Node:
            return Negate(operand, column)

        def binary(self, node: BinaryOp, left: Node, right: Node) -> Node:
            return BinaryOp(node.op, left, right, column)

        def call(self, node: Call, args: list[Node]) -> Node:
            return Call(node.name, tuple(args), column)

    return fold(template, Bind())


# "a=1" or "u=1,v=2" where an expression should be: `grad -a --at a=1` reads
# -a as --at's short form and "a=1" as the expression.
_LOOKS_LIKE_A_POINT = re.compile(r"\s*[A-Za-z_]\w*\s*=[^=,]+(,\s*[A-Za-z_]\w*\s*=[^=,]+)*")


def parse(text: str, *, template: bool = False) -> Expression:
    """Parse ``text`` into an :class:`Expression`, or raise a ParseError/LimitError.

    ``template``: the text is one of the function table's rules or definitions,
    written in the arguments a, b, c, d.
    """
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise LimitError(
            f"the expression is {len(text):,} characters long; "
            f"the limit is {MAX_EXPRESSION_LENGTH:,}"
        )
    if _LOOKS_LIKE_A_POINT.fullmatch(text):
        raise ParseError(
            f"'{text}' is a point, not an expression: the expression is missing, or was "
            "taken as an option's value (an expression that is exactly a short option, "
            "such as -a, must be written (-a) or after --)",
            text.index("=") + 1,
        )
    tokens = tokenize(text)
    parser = _Parser(tokens, template)
    # Each nesting level costs a handful of Python frames; MAX_NESTING keeps
    # the total well inside this limit.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20 * MAX_NESTING + 1000))
    tree = parser.parse()
    return Expression(tree=tree, source=text, variables=tuple(sorted(parser.variables)))
