"""Closed forms write long decimal numbers in e-notation: log(x + 1e-8) has the
derivative 1/(x + 1e-8), not 1/(x + 1/100000000), and the text still parses
back to exactly the same rational (derivcli's numbers are exact decimals)."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest
from conftest import Cli, one
from hypothesis import given, settings
from hypothesis import strategies as st

from derivcli.language.parser import parse
from derivcli.language.tree import Number, short_decimal


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1, 10**8), "1e-8"),
        (Fraction(10**12), "1e12"),
        (Fraction(1, 2_000_000), "5e-7"),  # 1/2000000 = 5/10**7
        (Fraction(7, 2 * 10**30), "3.5e-30"),  # 7/2 = 3.5
        (Fraction(123 * 10**9), "1.23e11"),
        (Fraction(10**7), "1e7"),  # 8 digits against 3 characters
        (Fraction(1, 10**6), "1e-6"),  # 9 characters against 4
        # fractions from 1e-5 up are plain decimals (not 9.9999999e-1)
        (Fraction(99_999_999, 10**8), "0.99999999"),
        (Fraction(299_999_997, 10**8), "2.99999997"),
        (Fraction(100_000_001, 10**8), "1.00000001"),
        # the parser refuses a written exponent past +-300: the digits stay
        (Fraction(1, 2 * 10**300), None),  # 5e-301
        (Fraction(18 * 10**300), None),  # 1.8e301
        (Fraction(10**300), "1e300"),
        # a decimal of thousands of digits is never short (and str() refuses it)
        (Fraction(1, 2**6500), None),
        # short enough as digits: e-notation must save at least 5 characters
        (Fraction(10**6), None),
        (Fraction(1, 10**4), None),
        (Fraction(1, 100_000), None),  # 1/100000 (8) against 1e-5 (4)
        (Fraction(5, 4), None),
        # no finite decimal, or none shorter
        (Fraction(1, 3), None),
        (Fraction(1, 2**64), None),  # 5**64/10**64: 45 digits of mantissa
        (Fraction(math.factorial(20)), None),  # 2432902008176640000: 4 zeros only
        (Fraction(0), None),
    ],
)
def test_short_decimal_by_hand(value: Fraction, text: str | None) -> None:
    assert short_decimal(value) == text


@settings(max_examples=300)
@given(
    mantissa=st.integers(min_value=1, max_value=10**20),
    twos=st.integers(min_value=0, max_value=400),
    fives=st.integers(min_value=0, max_value=400),
    zeros=st.integers(min_value=0, max_value=400),
)
def test_short_decimal_parses_back_to_the_same_rational(
    mantissa: int, twos: int, fives: int, zeros: int
) -> None:
    value = Fraction(mantissa * 10**zeros, 2**twos * 5**fives)
    text = short_decimal(value)
    if text is None:
        return
    tree = parse(text).tree  # within the parser's limits (exponent +-300)
    assert isinstance(tree, Number) and tree.value == value  # the parser's exact decimal
    plain = str(value.numerator) + (f"/{value.denominator}" if value.denominator != 1 else "")
    assert len(text) + 5 <= len(plain)


@pytest.mark.parametrize(
    ("expression", "derivative", "expected"),
    [
        # d/dx log(x + a) = 1/(x + a); at x = 1: 1/(1 + 1e-8)
        ("log(x + 1e-8)", "1/(x + 1e-8)", 1 / (1 + 1e-8)),
        # d/dx (2.5e-7*x**2 + 1e12*x) = 5e-7*x + 1e12
        ("2.5e-7*x**2 + 1e12*x", "5e-7*x + 1e12", 5e-7 + 1e12),
        # d/dx exp(1e-9*x) = 1e-9*exp(1e-9*x)
        ("exp(1e-9*x)", "1e-9*exp(1e-9*x)", 1e-9 * math.exp(1e-9)),
        # short numbers keep their digits: d/dx (x/3 + 0.5*x**2) = x + 1/3
        ("x/3 + 0.5*x**2", "x + 1/3", 1 + 1 / 3),
    ],
)
def test_closed_forms_write_long_decimals_in_e_notation(
    cli: Cli, expression: str, derivative: str, expected: float
) -> None:
    run = cli("grad", expression, "--at", "x=1", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.err
    result = one(run)
    assert result["derivative"] == derivative
    assert math.isclose(result["symbolic"], expected, rel_tol=1e-15)


def test_show_the_work_writes_them_the_same_way(cli: Cli) -> None:
    run = cli("grad", "log(x + 1e-8)", "--at", "x=1", "--steps", "--timeout", "60")
    assert run.code == 0, run.err
    assert "= 1/(x + 1e-8)" in run.out
    assert "100000000" not in run.out


@pytest.mark.parametrize(
    ("expression", "order"),
    [
        ("sqrt(x)*1e-300", 1),  # 1e-300/2 = 5e-301: past the parser's exponent limit
        ("9e300*x**2", 1),  # 1.8e301*x, the same
        ("x**(1 + 1e-8)", 1),  # (1 + 1e-8)*x**1e-8: 1.00000001, not 1.00000001e0
    ],
)
def test_every_printed_closed_form_parses_back(cli: Cli, expression: str, order: int) -> None:
    run = cli("grad", expression, "--order", str(order), "--timeout", "60", "-f", "json")
    assert run.code == 0, run.err
    derivative = one(run)["derivative"]
    assert re.search(r"\de(0|-1)\b", derivative) is None  # never 1.00000001e0
    again = cli("grad", derivative, "--timeout", "60", "-f", "json")
    assert again.code == 0, again.err  # accepted as input: it parses back
    assert parse(derivative).text == derivative  # and reads as written


def test_a_coefficient_with_thousands_of_decimal_digits_keeps_its_digits(cli: Cli) -> None:
    # d/dx (x/2**4000)**2 = 2x/2**8000 = x/2**7999, whose decimal has about
    # 5,600 digits: str() refuses more than 4,300, and the symbolic engine
    # failed (exit 3) on trying it. It is written x/2**7999's digits.
    run = cli("grad", "(x/2**4000)**2", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.err
    derivative = one(run)["derivative"]
    assert derivative == f"x/{2**7999}"
