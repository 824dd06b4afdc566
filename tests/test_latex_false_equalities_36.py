"""LaTeX value rows that state no false equation (a student's review).

A pasted ``--format latex`` block has no stderr beside it, so the words next
to a row cannot undo its equation:

* a derivative beyond float64's range was written ``= -\\infty`` (1/x at
  1e-200: the derivative is -1e400, finite); it is now the table's words,
  ``\\text{beyond float64's range}``;
* a point with no derivative was written ``= 0`` (abs at 0, sign(0)'s
  convention) or ``= -1`` (log at -1, outside its domain); it is now its
  one-sided derivatives where the sides are known, else
  ``\\text{does not exist}``.

A value derivcli vouches for keeps its ``= value``. Each expected line is
written by hand from the calculus in its comments.
"""

from __future__ import annotations

import mpmath
from conftest import Cli
from latex_check import assert_valid_latex

AT = r"\left.\frac{df}{dx}\right|"


def _value_row(run_out: str) -> str:
    """The block's one row at a point (the block parses as LaTeX)."""
    assert_valid_latex(run_out)
    (row,) = [line for line in run_out.splitlines() if line.startswith(r"\left.")]
    return row.removesuffix(r" \\")


def test_a_derivative_beyond_float64_is_not_written_as_infinity(cli: Cli) -> None:
    # d/dx (1/x) = -1/x**2; at 1e-200 that is -1e400, past float64's 1.8e308
    run = cli("grad", "1/x", "--at", "x=1e-200", "-f", "latex", "--timeout", "60")
    assert run.code == 3
    assert _value_row(run.out) == (
        rf"{AT}_{{x = 10^{{-200}}}} &\ \text{{beyond float64's range}} && "
        r"\text{autograd } -\infty\text{, not computed}"
    )
    # d/dx exp(x)**2 = 2*exp(2x); at 400: 2*e**800, about 10**347.7
    assert mpmath.log10(2 * mpmath.e**800) > 347
    run = cli("grad", "exp(x)**2", "--at", "x=400", "-f", "latex", "--timeout", "60")
    assert run.code == 3
    assert _value_row(run.out) == (
        rf"{AT}_{{x = 400}} &\ \text{{beyond float64's range}} && "
        r"\text{autograd } \infty\text{, not computed}"
    )
    # past float32's range only: the exact value, rounded, is still the
    # derivative (e**100 = 2.688117...e43) and keeps its equation
    assert mpmath.nstr(mpmath.e**100, 7) == "2.688117e+43"
    run = cli(
        "grad", "exp(x)", "--at", "x=100", "--dtype", "float32", "-f", "latex", "--timeout", "60"
    )
    assert run.code == 3
    assert _value_row(run.out) == (
        rf"{AT}_{{x = 100}} &= 2.688117 \times 10^{{43}} && "
        r"\text{autograd } \infty\text{, not computed}"
    )


def test_a_kink_is_written_as_its_one_sided_derivatives(cli: Cli) -> None:
    # abs(x) at 0: slope -1 from the left, 1 from the right; no derivative
    run = cli("grad", "abs(x)", "--at", "x=0", "-f", "latex", "--timeout", "60")
    assert run.code == 1
    assert _value_row(run.out) == (
        rf"{AT}_{{x = 0^{{-}}}} &= -1,\ {AT}_{{x = 0^{{+}}}} = 1 && "
        r"\text{autograd } 0\text{, not differentiable}"
    )
    # abs(x + 1) at -1: the same kink moved; -1 in braces, so that the side
    # mark is on the whole number
    run = cli("grad", "abs(x+1)", "--at", "x=-1", "-f", "latex", "--timeout", "60")
    assert _value_row(run.out) == (
        rf"{AT}_{{x = {{-1}}^{{-}}}} &= -1,\ {AT}_{{x = {{-1}}^{{+}}}} = 1 && "
        r"\text{autograd } 0\text{, not differentiable}"
    )
    # relu at 0: 0 from the left, 1 from the right (the closed form's H(0) = 0.5
    # is a convention, not the derivative)
    run = cli("grad", "relu(x)", "--at", "x=0", "-f", "latex", "--timeout", "60")
    assert _value_row(run.out) == (
        rf"{AT}_{{x = 0^{{-}}}} &= 0,\ {AT}_{{x = 0^{{+}}}} = 1 && "
        r"\text{autograd } 0\text{, not differentiable}"
    )


def test_a_partial_marks_the_side_of_its_own_variable(cli: Cli) -> None:
    # d/dx (abs(x)*y) at (0, 2): -y = -2 from the left, y = 2 from the right;
    # d/dy = abs(x) = 0 there, a true value that keeps its equation
    run = cli("grad", "abs(x)*y", "--at", "x=0,y=2", "-f", "latex", "--timeout", "60")
    assert run.code == 1
    dx = r"\left.\frac{\partial f}{\partial x}\right|"
    dy = r"\left.\frac{\partial f}{\partial y}\right|"
    assert_valid_latex(run.out)
    rows = [line.removesuffix(r" \\") for line in run.out.splitlines()]
    assert (
        rf"{dx}_{{x = 0^{{-}},\, y = 2}} &= -2,\ {dx}_{{x = 0^{{+}},\, y = 2}} = 2 && "
        r"\text{autograd } 0\text{, not differentiable}"
    ) in rows
    assert rf"{dy}_{{x = 0,\, y = 2}} &= 0 && \text{{autograd }} 0\text{{, agree}}" in rows


def test_a_point_with_no_derivative_and_no_sides_says_it_does_not_exist(cli: Cli) -> None:
    # log(x) at -1: outside log's real domain, so f has no value and no derivative
    # there (1/x's -1 is not one)
    run = cli("grad", "log(x)", "--at", "x=-1", "-f", "latex", "--timeout", "60")
    assert run.code == 1
    assert _value_row(run.out) == (
        rf"{AT}_{{x = -1}} &\ \text{{does not exist}} && "
        r"\text{autograd } -1\text{, not differentiable}"
    )


def test_an_infinite_one_sided_derivative_is_written_as_that_side(cli: Cli) -> None:
    # sqrt(x) at 0: no left side (outside the domain); from the right
    # (sqrt(h) - 0)/h = 1/sqrt(h) -> +infinity
    run = cli("grad", "sqrt(x)", "--at", "x=0", "-f", "latex", "--timeout", "60")
    assert run.code == 1
    assert _value_row(run.out) == (
        rf"{AT}_{{x = 0^{{+}}}} &= \infty && \text{{autograd }} \infty\text{{, not differentiable}}"
    )


def test_a_point_derivcli_cannot_decide_states_no_value(cli: Cli) -> None:
    # abs(x)**1.001 at 0: the quotient |h|**0.001 still is 2**-4.096, about 0.06,
    # at h = 2**-4096, so derivcli cannot tell whether it settles (exit 3); the
    # closed form's 0 is then no value derivcli vouches for
    run = cli("grad", "abs(x)**1.001", "--at", "x=0", "-f", "latex", "--timeout", "60")
    assert run.code == 3
    assert _value_row(run.out) == (
        rf"{AT}_{{x = 0}} &\ \text{{not computed}} && \text{{autograd }} 0\text{{, not computed}}"
    )
