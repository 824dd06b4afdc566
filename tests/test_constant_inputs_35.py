"""Constants that are not finite reals, or past float64, in every place a user writes one.

A user review (stop 35) found three holes in the README's promise of "exit 2, one
line" for bad constants ("## Limits and safety"):

1. A constant parameter past float64 (``leaky_relu(x, 1e300*1e300)``, softplus's
   beta or threshold, clamp's hi, hardshrink's lambd) crashed the parser with
   "internal error: OverflowError: cannot convert float infinity to integer",
   exit 3, and a bare OverflowError in the library.
2. A pole or domain edge of a function symengine does not know (gamma(0),
   erfinv(1), log1p(-1), ...) was exit 1 "not differentiable", where log(0)*x is
   exit 2; gamma(1e10), past MPFR's range, was exit 3 where exp(1e20) is exit 2.
3. ``polygamma(1e19, x)`` leaked torch's "Overflow when unpacking long long".

The expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import pytest
from conftest import Cli

import derivcli

FLOAT64_RANGE = "past float64's range (about 1.8e308)"

# (expression, the parameter's name in the message, column of the message)
# 1e300*1e300 = 1e600 and 9**9**9 = 10**(387,420,489*log10(9)) = 10**370,000,000
# are both finite reals far past float64's largest, 1.797e308. The column is the
# first column of the parameter's tree, its top operator: "leaky_relu(x, " is 14
# characters, so "1e300" starts at 15 and its "*" is at 20.
PAST_FLOAT64 = [
    ("leaky_relu(x, 1e300*1e300)", "leaky_relu's negative_slope", 20),
    ("softplus(x, 1e300*1e300)", "softplus's beta", 18),
    ("softplus(x, 1, -1e300*1e300)", "softplus's threshold", 22),
    ("elu(x, 1e300*1e300)", "elu's alpha", 13),
    ("celu(x, 1e300*1e300)", "celu's alpha", 14),
    ("clamp(x, 0, 1e300*1e300)", "clamp's hi", 18),
    ("softshrink(x, 1e300*1e300)", "softshrink's lambd", 20),
    ("hardshrink(x, 1e300*1e300)", "hardshrink's lambd", 20),
    # 9**9**9 was refused already, but as "not a finite real number": it is one
    ("elu(x, 9**9**9)", "elu's alpha", 9),
]


@pytest.mark.parametrize(("expr", "param", "column"), PAST_FLOAT64)
def test_a_parameter_past_float64_is_one_line_exit_2(
    cli: Cli, expr: str, param: str, column: int
) -> None:
    run = cli("grad", expr, "--at", "x=0.7", "--timeout", "60")
    assert run.code == 2
    assert run.out == ""
    assert run.error == f"{param} is {FLOAT64_RANGE} at column {column}"


def test_the_library_raises_the_documented_input_error() -> None:
    with pytest.raises(derivcli.InputError) as caught:
        derivcli.grad("leaky_relu(x, 1e300*1e300)", at={"x": 0.7})
    assert caught.value.message == f"leaky_relu's negative_slope is {FLOAT64_RANGE} at column 20"
    assert caught.value.column == 20
    assert caught.value.exit_code == 2


# Each constant has no real value: gamma, lgamma and digamma have poles at 0, -1,
# -2, ...; polygamma(1, a) = sum 1/(a + k)**2 over k >= 0 is infinite at a = 0;
# erfinv(1) is +inf (erf(y) < 1 for every finite y) and erfinv(2) has none (|erf| < 1);
# log1p(-1) = log(0), log1p(-2) = log(-1); factorial(-1) = gamma(0), written out
# by its definition gamma(n + 1) before the constant is checked.
NO_REAL_VALUE = [
    ("gamma(0)*x", "gamma(0)"),
    ("lgamma(-1)*x", "lgamma(-1)"),
    ("digamma(0)*x", "digamma(0)"),
    ("polygamma(1,0)*x", "polygamma(1, 0)"),
    ("erfinv(1)*x", "erfinv(1)"),
    ("erfinv(2)*x", "erfinv(2)"),
    ("log1p(-1)*x", "log1p(-1)"),
    ("log1p(-2)*x", "log1p(-2)"),
    ("factorial(-1)*x", "factorial(-1)"),
]


@pytest.mark.parametrize(("expr", "shown"), NO_REAL_VALUE)
def test_a_constant_pole_is_exit_2_as_log_0_is(cli: Cli, expr: str, shown: str) -> None:
    run = cli("grad", expr, "--at", "x=0.7", "--timeout", "60")
    assert run.code == 2
    assert run.out == ""
    assert run.error == f"'{shown}' at column 1 is not a finite real number"


def test_a_constant_pole_added_prints_no_derivative(cli: Cli) -> None:
    # d/dx (digamma(-2) + x) was printed as 1 with exit 1; digamma(-2) is a pole
    run = cli("grad", "digamma(-2)+x", "--at", "x=0", "-f", "plain", "--timeout", "60")
    assert run.code == 2
    assert run.out == ""
    assert run.error == "'digamma(-2)' at column 1 is not a finite real number"


# log2(gamma(1e10)) is about 1e10*log2(1e10/e) = 1.9e11, and factorial(1e10) =
# gamma(1e10 + 1) is 1e10 times that: both far past MPFR's 2**(2**30) = 2**1.07e9.
PAST_MPFR = [
    ("gamma(1e10)*x", "gamma(1e10)"),
    ("factorial(1e10)*x", "factorial(1e10)"),
]


@pytest.mark.parametrize(("expr", "shown"), PAST_MPFR)
def test_a_constant_past_mpfr_is_exit_2_as_exp_1e20_is(cli: Cli, expr: str, shown: str) -> None:
    run = cli("grad", expr, "--at", "x=0.7", "--timeout", "60")
    assert run.code == 2
    assert run.out == ""
    assert run.error == (
        f"'{shown}' at column 1 is finite but too large for any number format "
        "derivcli computes with (past about 2**(+-2**30))"
    )


def test_polygamma_of_an_order_past_int64_says_so(cli: Cli) -> None:
    # 1e19 > 2**63 - 1 = 9.22e18, the largest order torch's int64_t holds
    run = cli("grad", "polygamma(1e19, x)", "--at", "x=0.7", "--timeout", "60")
    assert run.code == 3
    assert run.error == (
        "autograd cannot evaluate polygamma of order 1e+19: torch takes the order "
        "as a 64-bit integer (at most 2**63 - 1)"
    )
