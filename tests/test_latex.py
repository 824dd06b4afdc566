"""`--format latex` of grad, partial and check: blocks to paste into a document.

Every LaTeX text here goes through matplotlib's mathtext and the balance
checks of ``latex_check``.
"""

from __future__ import annotations

import pytest
from conftest import Cli
from latex_check import assert_valid_latex


def test_grad_latex_block(cli: Cli) -> None:
    run = cli("grad", "x**2*sin(x)", "--at", "x=2", "--format", "latex")
    assert (run.code, run.err) == (0, "")
    assert_valid_latex(run.out)
    lines = run.out.splitlines()
    assert lines[0] == "% derivatives of x**2*sin(x), by derivcli"
    assert lines[1] == r"% needs \usepackage{amsmath}"
    assert r"\begin{align*}" in lines and r"\end{align*}" in lines
    assert r"f\left(x\right) &= x^{2} \sin\left(x\right) \\" in lines
    assert r"\frac{df}{dx} &= x^{2} \cos\left(x\right) + 2 x \sin\left(x\right) \\" in lines
    assert (
        r"\left.\frac{df}{dx}\right|_{x = 2} &= 1.972602 && "
        r"\text{autograd } 1.972602\text{, agree}" in lines
    )
    assert r"\begin{aligned}" not in run.out  # the derivation only with --steps


def test_grad_latex_with_steps_has_an_aligned_derivation(cli: Cli) -> None:
    run = cli("grad", "x**2*sin(x)", "--at", "x=2", "--format", "latex", "--steps")
    assert (run.code, run.err) == (0, "")
    assert_valid_latex(run.out)
    aligned = run.out[run.out.index(r"\begin{aligned}") : run.out.index(r"\end{aligned}")]
    rows = aligned.split("\\\\\n")
    assert rows[0].endswith(r"\frac{d}{dx} x^{2} &= 2 x && \text{(1) power rule} ")
    assert r"\text{(2) sin rule}" in rows[1]
    assert rows[2].startswith(r"\frac{d}{dx} \left(x^{2} \sin\left(x\right)\right) &= ")
    assert (
        rows[2]
        .rstrip()
        .endswith(r"= x^{2} \cos\left(x\right) + 2 x \sin\left(x\right) && \text{(3) product rule}")
    )


def test_partial_latex_uses_partial_derivatives(cli: Cli) -> None:
    run = cli(
        "partial", "u*v+(u*v)**2", "--wrt", "u", "--wrt", "v", "--at", "u=2,v=1", "-f", "latex"
    )
    assert (run.code, run.err) == (0, "")
    assert_valid_latex(run.out)
    assert r"f\left(u, v\right) &= u v + \left(u v\right)^{2}" in run.out
    assert r"\frac{\partial^{2} f}{\partial v \, \partial u} &= 4 u v + 1" in run.out
    assert r"\right|_{u = 2,\, v = 1} &= 9 && " in run.out


@pytest.mark.parametrize(
    "args",
    [
        ["grad", "relu(x)", "--at", "x=-1:1:3"],  # a kink: not differentiable, exit 1
        ["grad", "x**2", "--at", "x=-5:5:40"],  # a long grid: summarised with \vdots
        ["grad", "sin(x)*y"],  # no point: sample points
        ["grad", "exp(sin(x))", "--order", "6", "--at", "x=0.5", "--steps"],
        ["grad", "sigmoid(theta*x_1) + softplus(rate)", "--at", "theta=1,x_1=2,rate=3", "--steps"],
        ["partial", "max(u, v**2)*abs(u - 3)", "--wrt", "u", "--at", "u=1,v=2", "--steps"],
        ["grad", "x**(1/2) + 1e-3/x", "--at", "x=1e-5", "--steps"],
        ["grad", "1/x", "--at", "x=0"],
    ],
)
def test_every_latex_output_parses(cli: Cli, args: list[str]) -> None:
    run = cli(*args, "--format", "latex")
    assert run.code in (0, 1), run.err
    assert_valid_latex(run.out)


def test_a_long_grid_is_summarised_in_latex(cli: Cli) -> None:
    run = cli("grad", "x**2", "--at", "x=-5:5:40", "--format", "latex")
    assert r"& \vdots" in run.out
    assert run.out.count(r"\left.\frac{df}{dx}\right|") < 40


def test_check_latex_right_and_wrong(cli: Cli) -> None:
    right = cli("check", "2*x**3+x", "--answer", "6*x**2+1", "--format", "latex")
    assert (right.code, right.err) == (0, "")
    assert_valid_latex(right.out)
    assert r"\text{your answer} &= 6 x^{2} + 1 && \text{right (symengine expand)}" in right.out
    wrong = cli("check", "2*x**3+x", "--answer", "6*x**2", "--format", "latex", "--steps")
    assert (wrong.code, wrong.err) == (1, "")
    assert_valid_latex(wrong.out)
    assert r"\frac{df}{dx} &= 6 x^{2} + 1 && \text{the true derivative}" in wrong.out
    assert r"\text{WRONG" in wrong.out
    assert r"\left.\frac{df}{dx}\right|_{x = 1} &= 7 && \text{your answer there: 6}" in wrong.out
    assert r"\begin{aligned}" in wrong.out


def test_grad_has_no_dot_form(cli: Cli) -> None:
    run = cli("grad", "x**2", "--at", "x=1", "--format", "dot")
    assert (run.code, run.out) == (2, "")
    assert "'dot' is not one of 'table', 'json', 'plain', 'latex'" in run.error
