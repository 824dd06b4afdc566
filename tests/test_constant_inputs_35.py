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
