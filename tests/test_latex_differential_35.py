"""The differential d of ``--format latex`` is never confused with a variable.

A user review: ``derivcli grad "d**2" --at d=1 -f latex`` wrote
``\\frac{df}{dd}``, which reads as "d f over d d": the operator d and the
variable d are the same italic letter side by side (and ``d\\mathit{dx}`` for
a variable dx reads "d d x"). Now, in a document where a variable prints
starting with the letter d, every operator d of that document is the upright
``\\mathrm{d}`` of ISO 80000-2 (``\\frac{\\mathrm{d}f}{\\mathrm{d}d}``), in
the labels, the values' rows and the derivation alike; any other document
keeps the italic d it always had (``\\frac{df}{dx}``). Every LaTeX text here
goes through mathtext.
"""

from __future__ import annotations

from conftest import Cli
from latex_check import assert_mathtext, assert_valid_latex

from derivcli.language.latex import leibniz


def test_grad_of_a_variable_named_d(cli: Cli) -> None:
    run = cli("grad", "d**2", "--at", "d=1", "--format", "latex", "--steps", "--timeout", "60")
    assert (run.code, run.err) == (0, "")
    assert_valid_latex(run.out)
    lines = run.out.splitlines()
    assert r"f\left(d\right) &= d^{2} \\" in lines
    # by hand: d/dd d**2 = 2*d, which is 2 at d = 1
    assert r"\frac{\mathrm{d}f}{\mathrm{d}d} &= 2 d \\" in lines
    assert (
        r"\left.\frac{\mathrm{d}f}{\mathrm{d}d}\right|_{d = 1} &= 2 && "
        r"\text{autograd } 2\text{, agree}"
    ) in lines
    assert r"\frac{\mathrm{d}}{\mathrm{d}d} d^{2} &= 2 d && \text{(1) power rule}" in lines
    assert r"{dd}" not in run.out and r"\frac{d}" not in run.out and r"\frac{df}" not in run.out


def test_check_of_a_variable_named_d(cli: Cli) -> None:
    run = cli("check", "d**3", "--answer", "3*d**2", "--format", "latex", "--timeout", "60")
    assert run.code == 0, run.err
    assert_valid_latex(run.out)
    # by hand: d/dd d**3 = 3*d**2, so the answer is right
    line = r"\frac{\mathrm{d}f}{\mathrm{d}d} &= 3 d^{2} && \text{the true derivative} \\"
    assert line in run.out.splitlines()


# (wrt, the document's names, the label)
LABELS: list[tuple[tuple[str, ...], dict[str, str] | None, str]] = [
    # a variable printed starting with d: the upright operator
    (("d",), None, r"\frac{\mathrm{d}f}{\mathrm{d}d}"),
    (("d", "d"), None, r"\frac{\mathrm{d}^{2}f}{\mathrm{d}d^{2}}"),
    (("d1",), None, r"\frac{\mathrm{d}f}{\mathrm{d}d_{1}}"),
    (("d_max",), None, r"\frac{\mathrm{d}f}{\mathrm{d}d_{\mathit{max}}}"),
    (("dx",), None, r"\frac{\mathrm{d}f}{\mathrm{d}\mathit{dx}}"),
    # the whole document alike: x's operator too where d is among its names
    (("x",), {"d": "d", "x": "x"}, r"\frac{\mathrm{d}f}{\mathrm{d}x}"),
    # no variable printed starting with d: the italic d, as always
    (("x",), None, r"\frac{df}{dx}"),
    (("delta",), None, r"\frac{df}{d\delta}"),  # prints as \delta
    (("D",), None, r"\frac{df}{dD}"),
    (("x_d",), None, r"\frac{df}{dx_{d}}"),
]


def test_the_operator_is_upright_exactly_beside_a_d() -> None:
    for wrt, names, expected in LABELS:
        written = leibniz(wrt, partial=False, of="f", names=names)
        assert written == expected, wrt
        assert_mathtext(written)
        # a partial's operator is \partial, never confused with d
        assert leibniz(wrt, partial=True, of="f", names=names).startswith(r"\frac{\partial")
