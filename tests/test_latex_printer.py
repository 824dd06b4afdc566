"""The LaTeX printer over derivcli's trees (``language/latex.py``).

Every LaTeX text here is parsed by matplotlib's mathtext (``latex_check``).
"""

from __future__ import annotations

import pytest
import reference
from latex_check import assert_mathtext

from derivcli.language.functions import FUNCTIONS
from derivcli.language.latex import leibniz, to_latex, variable_name
from derivcli.language.parser import parse


def latex(text: str) -> str:
    written = to_latex(parse(text).tree)
    assert_mathtext(written)
    return written


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x**2*sin(x)", r"x^{2} \sin\left(x\right)"),
        ("2*x*sin(x) + x**2*cos(x)", r"2 x \sin\left(x\right) + x^{2} \cos\left(x\right)"),
        ("sin(x)/x", r"\frac{\sin\left(x\right)}{x}"),
        ("(x + 1)/(x - 1)", r"\frac{x + 1}{x - 1}"),
        ("-2/x**3", r"-\frac{2}{x^{3}}"),
        ("1/sqrt(x**2 + 1)", r"\frac{1}{\sqrt{x^{2} + 1}}"),
        ("sqrt(x)**2", r"\left(\sqrt{x}\right)^{2}"),
        ("abs(x)", r"\left|x\right|"),
        ("abs(x - 1)**3", r"\left|x - 1\right|^{3}"),
        ("relu(x)", r"\operatorname{relu}\left(x\right)"),
        ("sigmoid(x)*sigmoid(-x)", r"\sigma\left(x\right) \sigma\left(-x\right)"),
        ("sigmoid(x)**2", r"\sigma\left(x\right)^{2}"),
        ("softplus(x)", r"\operatorname{softplus}\left(x\right)"),
        ("heaviside(x)", r"\operatorname{H}\left(x\right)"),
        ("sign(x)", r"\operatorname{sgn}\left(x\right)"),
        ("max(x, 2 - x)", r"\max\left(x, 2 - x\right)"),
        ("min(x, 1)", r"\min\left(x, 1\right)"),
        ("erf(x)", r"\operatorname{erf}\left(x\right)"),
        ("exp(-x**2)", r"\exp\left(-x^{2}\right)"),
        ("log(x)", r"\ln\left(x\right)"),
        ("asinh(x)", r"\operatorname{arsinh}\left(x\right)"),
        ("atan(x)", r"\arctan\left(x\right)"),
        # powers of functions: on the name for trigonometric ones, never negative
        ("sin(x)**2", r"\sin^{2}\left(x\right)"),
        ("tanh(x)**2", r"\tanh^{2}\left(x\right)"),
        ("sin(x)**-1", r"\sin\left(x\right)^{-1}"),
        ("cos(x)**(1/2)", r"\cos\left(x\right)^{\frac{1}{2}}"),
        # parentheses only where needed
        ("(x**2)**3", r"\left(x^{2}\right)^{3}"),
        ("x**(y + 1)", r"x^{y + 1}"),
        ("x**-2", r"x^{-2}"),
        ("(-x)**2", r"\left(-x\right)^{2}"),
        ("-x**2", r"-x^{2}"),
        ("-(x + 1)", r"-\left(x + 1\right)"),
        ("-(-x)", r"-\left(-x\right)"),
        ("x - (y + z)", r"x - \left(y + z\right)"),
        ("x - (-y)", r"x - \left(-y\right)"),
        ("x*(-y)", r"x \left(-y\right)"),
        ("-x*y", r"-x y"),
        ("(x + 1)*(x - 1)", r"\left(x + 1\right) \left(x - 1\right)"),
        ("x*2", r"x \cdot 2"),
        ("2*3", r"2 \cdot 3"),
        ("2**x", r"2^{x}"),
        ("E**x", r"e^{x}"),
        ("pi*x", r"\pi x"),
        (".5*x", r"0.5 x"),
        ("1e-3*x", r"10^{-3} x"),
        ("2.5e10*x", r"2.5 \cdot 10^{10} x"),
    ],
)
def test_latex_printer(text: str, expected: str) -> None:
    assert latex(text) == expected


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_every_function_of_the_table_has_its_latex(spec: object) -> None:
    """sqrt and abs have their own notation; every other function is written
    as the table's ``latex`` entry says."""
    from derivcli.language.functions import FunctionSpec

    assert isinstance(spec, FunctionSpec)
    written = latex(reference.sample_call(spec, ("x", "y")))
    if spec.name == "sqrt":
        assert written == r"\sqrt{x}"
    elif spec.name == "cbrt":
        assert written == r"\sqrt[3]{x}"
    elif spec.name == "abs":
        assert written == r"\left|x\right|"
    else:
        assert spec.latex and written.startswith(spec.latex + r"\left(")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x", "x"),
        ("theta", r"\theta"),
        ("x_1", "x_{1}"),
        ("x2", "x_{2}"),
        ("x_max", r"x_{\mathit{max}}"),
        ("rate", r"\mathit{rate}"),
        ("learning_rate", r"\mathit{learning}_{\mathit{rate}}"),
    ],
)
def test_variable_names(name: str, expected: str) -> None:
    assert variable_name(name) == expected
    assert_mathtext(f"{expected} + 1")


def test_leibniz_notation() -> None:
    assert leibniz(("x",), partial=False, of="f") == r"\frac{df}{dx}"
    assert leibniz(("x", "x", "x"), partial=False, of="f") == r"\frac{d^{3}f}{dx^{3}}"
    assert leibniz(("u",), partial=True, of="f") == r"\frac{\partial f}{\partial u}"
    # d/dv of d2/du2: the denominator reads right to left, as in calculus texts
    mixed = leibniz(("u", "u", "v"), partial=True, of="f")
    assert mixed == r"\frac{\partial^{3} f}{\partial v \, \partial u^{2}}"
    assert leibniz(("theta",), partial=False) == r"\frac{d}{d\theta}"
    for text in (mixed, leibniz(("theta",), partial=False)):
        assert_mathtext(text)
