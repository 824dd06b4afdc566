"""LaTeX derivations whose labels are notation, not Python (stop 37, a helper).

The chain rule's label named its inner function as derivcli's plain text
inside ``\\text{}``: ``\\text{(2) chain rule, outer sin, inner x**2}``, with
Python's ``**`` in a document (``x\\_1**2`` for ``x_1``). The inner function
is now math, printed as the rows print expressions; the words stay words.
Terminal and JSON steps keep the plain text (JSON's ``inner`` is a contract;
tests/test_steps.py holds both).

Expected labels are written by hand from the chain rule: d/dx sin(u) with
u = x**2 has outer sin and inner u, and u is ``x^{2}`` in LaTeX.
"""

from __future__ import annotations

import re

import pytest
from conftest import Cli
from latex_check import assert_valid_latex


def _labels(out: str) -> list[str]:
    """Every step label of the block's derivation (what follows a row's ``&&``)."""
    aligned = out[out.index(r"\begin{aligned}") : out.index(r"\end{aligned}")]
    return [row.split("&&", 1)[1].strip() for row in aligned.split("\\\\\n") if "&&" in row]


def _text_groups(out: str) -> list[str]:
    """The contents of every ``\\text{...}`` (none of derivcli's holds a nested group)."""
    return re.findall(r"\\text\{((?:\\.|[^{}])*)\}", out)


@pytest.mark.parametrize(
    ("expression", "variable"),
    [
        ("sin(x**2)", "x"),
        ("exp(x**2+1)", "x"),
        ("sqrt(x**3+1)", "x"),
        ("tanh(2*x**2)", "x"),
        ("sin(x_1**2)", "x_1"),
        ("(x**2+1)**3", "x"),
        ("2**(x**2)", "x"),
        ("atan2(x**2, x**3 + 1)", "x"),
        ("log(cosh(x**2))", "x"),
    ],
)
def test_no_python_power_in_a_latex_derivation(cli: Cli, expression: str, variable: str) -> None:
    run = cli(
        "grad", expression, "--at", f"{variable}=1", "--steps", "-f", "latex", "--timeout", "60"
    )
    assert (run.code, run.err) == (0, "")
    assert_valid_latex(run.out)
    code = "\n".join(line for line in run.out.splitlines() if not line.startswith("%"))
    assert "**" not in code
    assert any("chain rule" in label for label in _labels(run.out))
    # words in \text{} carry no math: no unescaped ^ or _ (TeX refuses them in text mode)
    for words in _text_groups(code):
        assert not re.search(r"(?<!\\)[_^]", words), words


def test_the_chain_rule_label_names_its_inner_function_in_math(cli: Cli) -> None:
    # d/dx sin(x**2): (1) power rule on the inner x**2, (2) the chain rule
    # with outer sin and inner x**2, which LaTeX writes x^{2}
    run = cli("grad", "sin(x**2)", "--at", "x=1", "--steps", "-f", "latex", "--timeout", "60")
    assert (run.code, run.err) == (0, "")
    assert _labels(run.out) == [
        r"\text{(1) power rule}",
        r"\text{(2) chain rule, outer sin, inner } x^{2}",
    ]


def test_a_subscripted_variable_is_a_subscript_in_the_label(cli: Cli) -> None:
    # x_1 is x_{1} in every row, so the inner x_1**2 is x_{1}^{2}, not x\_1**2
    run = cli("grad", "sin(x_1**2)", "--at", "x_1=1", "--steps", "-f", "latex", "--timeout", "60")
    assert (run.code, run.err) == (0, "")
    assert _labels(run.out)[-1] == r"\text{(2) chain rule, outer sin, inner } x_{1}^{2}"


def test_every_varying_argument_is_named(cli: Cli) -> None:
    # atan2(u, v) with u = x**2 and v = x**3 + 1 both varying: the chain rule's
    # inner functions are u and v, in order, x^{2} and x^{3} + 1
    run = cli(
        "grad", "atan2(x**2, x**3 + 1)", "--at", "x=1", "--steps", "-f", "latex", "--timeout", "60"
    )
    assert (run.code, run.err) == (0, "")
    assert _labels(run.out)[-1].endswith(r"inner } x^{2},\ x^{3} + 1")


def test_check_latex_steps_have_math_labels_too(cli: Cli) -> None:
    # check's derivation is the same derivation: d/dx exp(x**2) = 2*x*exp(x**2)
    run = cli(
        "check", "exp(x**2)", "--answer", "2*x*exp(x**2)", "--steps", "-f", "latex",
        "--timeout", "60",
    )  # fmt: skip
    assert (run.code, run.err) == (0, "")
    assert_valid_latex(run.out)
    assert "**" not in run.out.split(r"\begin{aligned}", 1)[1]
    assert _labels(run.out)[-1] == r"\text{(2) chain rule, outer exp, inner } x^{2}"
