"""LaTeX prints distinct variable names distinctly, and the function's letter
never as a variable.

``x_1`` and ``x1`` both printed ``x_{1}``, so ``x_1**2 - x1*x`` read as
``x_{1}^{2} - x_{1} x``; a variable named ``f`` gave ``\\frac{df}{df}``. Now the
name with the most underscores keeps the subscript and the other is set as
spelt (``\\mathit{x1}``), and the function takes the first of f, g, h, F, G, H
that no variable prints as. Every LaTeX text here goes through mathtext.
"""

from __future__ import annotations

import itertools

import pytest
from conftest import Cli
from latex_check import assert_mathtext, assert_valid_latex

from derivcli.language.latex import function_letter, latex_names, variable_name


def _names(alphabet: str, longest: int) -> list[str]:
    """Every name of the language over the alphabet up to that length (a name
    starts with a letter)."""
    letters = [c for c in alphabet if c.isalpha()]
    names = []
    for length in range(1, longest + 1):
        for first in letters:
            for rest in itertools.product(alphabet, repeat=length - 1):
                names.append(first + "".join(rest))
    return names


# x, a, 1 and _ up to 4 characters: x_1/x1, x_01/x01, x_a1/x_a_1, x1_1, ...
SMALL = _names("xa1_", 4)
GREEKISH = ["theta", "theta1", "theta_1", "x_theta", "rate", "x_rate", "learning_rate", "f"]


def test_every_set_of_names_prints_distinctly() -> None:
    names = SMALL + GREEKISH
    written = latex_names(names)
    assert sorted(written) == sorted(set(names))
    assert len(set(written.values())) == len(written)  # injective on the whole set
    for name, text in written.items():
        assert_mathtext(f"{text} + 1")  # and valid: no double subscript
        assert text in (variable_name(name), r"\mathit{" + name.replace("_", r"\_") + "}")


def test_every_pair_of_names_prints_distinctly() -> None:
    # the collisions the review found, and every pair of the small alphabet
    assert latex_names(["x_1", "x1"]) == {"x_1": "x_{1}", "x1": r"\mathit{x1}"}
    assert latex_names(["x_01", "x01"]) == {"x_01": "x_{01}", "x01": r"\mathit{x01}"}
    both = latex_names(["x_a1", "x_a_1"])  # both were x_{a_{1}}
    assert both == {"x_a_1": "x_{a_{1}}", "x_a1": r"\mathit{x\_a1}"}
    for a, b in itertools.combinations(SMALL, 2):
        written = latex_names([a, b])
        assert written[a] != written[b], (a, b, written)


def test_a_digit_suffixed_base_is_not_a_double_subscript() -> None:
    # x1_2 was x_{1}_{2}: TeX's "Double subscript" error
    assert variable_name("x1_2") == r"\mathit{x1}_{2}"
    assert_mathtext(variable_name("x1_2"))


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        # the common names print as they always did, alone or together
        (["x"], {"x": "x"}),
        (["x2"], {"x2": "x_{2}"}),
        (["x_1"], {"x_1": "x_{1}"}),
        (["x1", "x2", "y"], {"x1": "x_{1}", "x2": "x_{2}", "y": "y"}),
        (["theta", "x_max"], {"theta": r"\theta", "x_max": r"x_{\mathit{max}}"}),
        (["learning_rate"], {"learning_rate": r"\mathit{learning}_{\mathit{rate}}"}),
    ],
)
def test_common_names_are_unchanged(names: list[str], expected: dict[str, str]) -> None:
    assert latex_names(names) == expected


def test_the_function_letter_is_no_variable() -> None:
    assert function_letter(["x", "y"]) == "f"
    assert function_letter(["g"]) == "f"
    assert function_letter(["f"]) == "g"
    assert function_letter(["f", "g"]) == "h"
    assert function_letter(["f", "g", "h", "F", "G", "H"]) == r"\mathcal{F}"


def test_x_1_and_x1_print_distinctly(cli: Cli) -> None:
    run = cli(
        "partial", "x_1**2 - x1*x", "--wrt", "x_1", "--at", "x_1=2,x1=3,x=1",
        "--format", "latex", "--timeout", "60",
    )  # fmt: skip
    assert (run.code, run.err) == (0, "")
    assert_valid_latex(run.out)
    lines = run.out.splitlines()
    # variables sorted: x, x1, x_1; x_1 (the underscore) keeps x_{1}
    assert r"f\left(x, \mathit{x1}, x_{1}\right) &= x_{1}^{2} - \mathit{x1} x \\" in lines
    # by hand: d/dx_1 (x_1**2 - x1*x) = 2*x_1, 4 at x_1 = 2
    assert r"\frac{\partial f}{\partial x_{1}} &= 2 x_{1} \\" in lines
    assert (
        r"\left.\frac{\partial f}{\partial x_{1}}\right|_{x = 1,\, \mathit{x1} = 3,\, x_{1} = 2}"
        r" &= 4 && \text{autograd } 4\text{, agree}"
    ) in lines


def test_a_variable_named_f_gets_another_function_letter(cli: Cli) -> None:
    run = cli("grad", "f**2", "--at", "f=3", "--format", "latex", "--steps", "--timeout", "60")
    assert (run.code, run.err) == (0, "")
    assert_valid_latex(run.out)
    lines = run.out.splitlines()
    assert r"g\left(f\right) &= f^{2} \\" in lines
    # by hand: d/df f**2 = 2*f, 6 at f = 3
    assert r"\frac{dg}{df} &= 2 f \\" in lines
    assert r"\left.\frac{dg}{df}\right|_{f = 3} &= 6 && \text{autograd } 6\text{, agree}" in lines
    assert r"\frac{df}{df}" not in run.out
    assert r"\frac{d}{df} f^{2} &= 2 f" in run.out  # the derivation's operator is plain d/df


def test_variables_f_and_g_make_the_function_h(cli: Cli) -> None:
    run = cli("check", "f*g", "--answer", "g", "--wrt", "f", "--format", "latex", "--timeout", "60")
    assert run.code == 0, run.err
    assert_valid_latex(run.out)
    assert r"h\left(f, g\right) &= f g \\" in run.out.splitlines()
    # by hand: d/df (f*g) = g
    assert r"\frac{\partial h}{\partial f} &= g && \text{the true derivative}" in run.out


@pytest.mark.parametrize(
    ("args", "function_line"),
    [
        # the usual outputs stay as they were: f, x_{1} for x1 alone
        (("grad", "x1**2", "--at", "x1=3"), r"f\left(x_{1}\right) &= x_{1}^{2} \\"),
        (("grad", "x_1**2", "--at", "x_1=3"), r"f\left(x_{1}\right) &= x_{1}^{2} \\"),
        (
            ("partial", "x1*x2", "--wrt", "x1", "--at", "x1=1,x2=2"),
            r"f\left(x_{1}, x_{2}\right) &= x_{1} x_{2} \\",
        ),
    ],
)
def test_common_latex_is_unchanged(cli: Cli, args: tuple[str, ...], function_line: str) -> None:
    run = cli(*args, "--format", "latex", "--timeout", "60")
    assert (run.code, run.err) == (0, "")
    assert_valid_latex(run.out)
    assert function_line in run.out.splitlines()
    assert r"\mathit" not in run.out
