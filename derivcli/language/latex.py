"""Trees as LaTeX: derivcli's printer with LaTeX's notation.

:class:`LatexPrinter` is a :class:`~derivcli.language.tree.Fold` like the
text printer next to it (``printer.py``): each node becomes its precedence
and its text as a rope, and parentheses (``\\left( ... \\right)``) are
written only where the precedence needs them. What differs is notation:

* a quotient is ``\\frac{a}{b}`` (no parentheses inside its braces), a power
  ``a^{b}``, ``sqrt(a)`` is ``\\sqrt{a}`` and ``abs(a)`` ``\\left|a\\right|``;
* a product is juxtaposition (``2 x \\sin\\left(x\\right)``), with ``\\cdot``
  before a factor that starts with a digit (``x \\cdot 2``); a negative
  factor on the right is parenthesised (``x \\left(-y\\right)``);
* each function is written as the function table says (its ``latex``
  entry: ``\\sin``, ``\\operatorname{relu}``, ``\\sigma``), and a positive
  whole power of a trigonometric, hyperbolic or logarithm function goes on
  the name, as in textbooks (``\\sin^{2}\\left(x\\right)``; never a negative
  one, which would read as the inverse function);
* ``pi`` and ``E`` are ``\\pi`` and ``e``; ``1e-3`` is ``10^{-3}``; a
  variable named after a Greek letter is that letter (``theta`` ->
  ``\\theta``), ``x_1`` and ``x1`` are ``x_{1}``, and other names longer than
  a letter are set upright-italic as one word (``\\mathit{rate}``);
* distinct names are always printed distinctly: where two names of one
  document would print alike (``x_1`` and ``x1``, both ``x_{1}``), the one
  with the most underscores keeps that and the others are set as one word
  (``\\mathit{x1}``), see :func:`latex_names`; and the function is named by
  a letter no variable prints as (:func:`function_letter`: ``f``, else ``g``,
  ...).

Also here: Leibniz notation for a derivative (:func:`leibniz`), whose d is
upright (``\\mathrm{d}``) in a document with a variable printed starting
with d, where ``\\frac{df}{dd}`` would be ambiguous (:func:`differential`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from derivcli.language.functions import function
from derivcli.language.printer import (
    ATOM,
    NEGATION,
    POWER,
    PRODUCT,
    SUM,
    Printed,
    Rope,
    flatten,
    join,
)
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
    unique_nodes,
)

GREEK = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa mu nu xi rho sigma tau "
    "upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
)
# Functions whose whole positive powers are written on the name: sin^{2}(x).
POWER_ON_NAME = frozenset(r"\sin \cos \tan \sinh \cosh \tanh \arcsin \arccos \arctan \ln".split())
CONSTANTS = {"pi": r"\pi", "E": "e"}
# Names of two symbols (log of sigmoid, log of gamma): a power of the call is put
# around it all, \left(\ln\Gamma\left(x\right)\right)^{2}, since
# \ln\Gamma\left(x\right)^{2} reads as ln(Gamma(x)^2)
TWO_SYMBOLS = frozenset((r"\ln\Gamma", r"\log\sigma"))
# Function symbols a variable can print as too (a variable sigma is \sigma, as
# sigmoid is): where one does, the function is written by its name
# (\operatorname{sigmoid}), so that sigma*(x + 1) and sigmoid(x + 1) differ
SYMBOLS_OF_VARIABLES = (r"\sigma", r"\Gamma", r"\psi")

_E_NOTATION = re.compile(r"^(?P<mantissa>[0-9.]+)[eE](?P<exponent>[+-]?[0-9]+)$")


_LETTER_DIGITS = re.compile(r"([A-Za-z])([0-9]+)")


def variable_name(name: str) -> str:
    """A variable's name in LaTeX: x, \\theta, x_{1}, x_{\\mathit{max}}, \\mathit{rate}.

    On its own: two names can print alike (``x_1`` and ``x1``), which
    :func:`latex_names` settles for the names of one document."""
    if name in GREEK:
        return "\\" + name
    if len(name) == 1 and name != "_":  # a lone _ (x__'s subscript) is TeX's _: \mathit{\_}
        return name
    base, underscore, sub = name.partition("_")
    if underscore and sub and base:
        # x1_2 is \mathit{x1}_{2}: x_{1}_{2} is a double subscript, an error in TeX
        head = _one_word(base) if _LETTER_DIGITS.fullmatch(base) else variable_name(base)
        return f"{head}_{{{sub if sub.isdigit() else variable_name(sub)}}}"
    digits = _LETTER_DIGITS.fullmatch(name)
    if digits:
        return f"{digits.group(1)}_{{{digits.group(2)}}}"
    return _one_word(name)


def _one_word(name: str) -> str:
    """The name as it is spelt, upright-italic (``\\mathit{x\\_a1}``): distinct
    for distinct names, and never what :func:`variable_name` gives another
    name, which is a letter, a subscript (braces inside) or this same form."""
    return r"\mathit{" + name.replace("_", r"\_") + "}"


def latex_names(names: Iterable[str]) -> dict[str, str]:
    """Each of the names (a document's variables) in LaTeX, distinct for
    distinct names. :func:`variable_name`'s, except where several names would
    print alike (``x_1`` and ``x1`` as ``x_{1}``; ``x_a_1`` and ``x_a1`` as
    ``x_{a_{1}}``): the one with the most underscores (the subscripts were
    asked for), the first in sorted order among equals, keeps it, and the
    others are set as one word as spelt (``\\mathit{x1}``), which no other
    name prints as."""
    unique = sorted(set(names))
    alike: dict[str, list[str]] = {}
    for name in unique:
        alike.setdefault(variable_name(name), []).append(name)
    written = {}
    for printed, group in alike.items():
        keeper = min(group, key=lambda n: (-n.count("_"), n))
        for name in group:
            written[name] = printed if name == keeper else _one_word(name)
    return written


# The function's name in f(x) = ... and df/dx: the first no variable prints as
# (a variable named f makes it g(f) and dg/df, not df/df)
FUNCTION_LETTERS = ("f", "g", "h", "F", "G", "H")


def function_letter(printed: Iterable[str]) -> str:
    """The first of f, g, h, F, G, H that is none of the printed variable
    names; \\mathcal{F} (which no variable prints as) if all are."""
    taken = set(printed)
    return next((c for c in FUNCTION_LETTERS if c not in taken), r"\mathcal{F}")


def number_text(text: str) -> tuple[int, str]:
    """A number as written (2, 0.5, .5, 1e-3) in LaTeX, with its precedence."""
    match = _E_NOTATION.match(text)
    if match is None:
        return ATOM, ("0" + text if text.startswith(".") else text)
    mantissa = match.group("mantissa")
    exponent = int(match.group("exponent"))
    power = f"10^{{{exponent}}}"
    if mantissa.startswith("."):
        mantissa = "0" + mantissa
    if float(mantissa) == 1:
        return POWER, power
    return PRODUCT, rf"{mantissa} \cdot {power}"


def _parens(rope: Rope) -> Rope:
    return (r"\left(", rope, r"\right)")


def _first(rope: Rope) -> str:
    """The first character of a rope's text."""
    while not isinstance(rope, str):
        if not rope:
            return ""
        rope = rope[0]
    return rope[:1] or ""


class LatexPrinter(Fold[Printed]):
    """derivcli's trees in LaTeX (for ``amsmath``): ``x^{2} \\sin\\left(x\\right)``."""

    def __init__(
        self, names: Mapping[str, str] | None = None, variables: Iterable[str] = ()
    ) -> None:
        # the variables' LaTeX (latex_names), for those it has
        self.names = names or {}
        # how the block's variables print: a function symbol among them is not
        # used for a function (SYMBOLS_OF_VARIABLES)
        printed = {
            *self.names.values(),
            *(self.names.get(v) or variable_name(v) for v in variables),
        }
        self.taken = {symbol for symbol in SYMBOLS_OF_VARIABLES if symbol in printed}
        # a call's name and its arguments' text, for sin^{2}(x)
        self.calls: dict[int, tuple[str, Rope]] = {}
        # a negation's operand, for -\frac{2}{x} rather than \frac{-2}{x}
        self.negated: dict[int, Rope] = {}

    def number(self, node: Number) -> Printed:
        return number_text(node.text)

    def constant(self, node: Constant) -> Printed:
        return (ATOM, CONSTANTS.get(node.name, node.name))

    def variable(self, node: Variable) -> Printed:
        written = self.names.get(node.name)
        return (ATOM, variable_name(node.name) if written is None else written)

    def negate(self, node: Negate, operand: Printed) -> Printed:
        # -a b and -x^{2} need no parentheses, -(a + b) and -(-a) do; the
        # result binds like a negation (a factor on the right wraps it)
        precedence, rope = operand
        self.negated[id(node)] = rope
        return (NEGATION, ("-", _parens(rope) if precedence in (SUM, NEGATION) else rope))

    def binary(self, node: BinaryOp, left: Printed, right: Printed) -> Printed:
        if node.op == "/":
            top = self.negated.get(id(node.left))
            if top is not None:
                return (NEGATION, ("-", r"\frac{", top, "}{", right[1], "}"))
            return (PRODUCT, (r"\frac{", left[1], "}{", right[1], "}"))
        if node.op == "**":
            return self.power(node, left, right)
        if node.op == "*":
            right_rope = self.operand(right, PRODUCT)
            dot = r" \cdot " if _first(right_rope).isdigit() else " "
            return (PRODUCT, (self.wrap(left, PRODUCT), dot, right_rope))
        return (SUM, (self.wrap(left, SUM), f" {node.op} ", self.operand(right, SUM + 1)))

    def power(self, node: BinaryOp, base: Printed, exponent: Printed) -> Printed:
        call = self.calls.get(id(node.left))
        exponent_value = node.right.value if isinstance(node.right, Number) else None
        whole = (
            exponent_value is not None and exponent_value.denominator == 1 and exponent_value > 0
        )
        if call is not None and whole and call[0] in POWER_ON_NAME:
            name, args = call
            return (ATOM, (name, "^{", exponent[1], "}", _parens(args)))
        return (POWER, (self.wrap(base, ATOM), "^{", exponent[1], "}"))

    def call(self, node: Call, args: list[Printed]) -> Printed:
        latex = function(node.name).latex or rf"\operatorname{{{node.name}}}"
        if any(latex == s or latex.endswith(s) for s in self.taken):
            latex = rf"\operatorname{{{node.name}}}"
        inside = join([rope for _, rope in args], ", ")
        if latex.startswith(r"\sqrt"):  # \sqrt{x}, \sqrt[3]{x}
            return (POWER, (latex + "{", inside, "}"))
        if r"\right" in latex:  # delimiters: abs is \left| ... \right|
            opening, closing = latex.split(r"\right", 1)
            return (ATOM, (opening, inside, r"\right" + closing))
        self.calls[id(node)] = (latex, inside)
        if latex in TWO_SYMBOLS:  # below ATOM: a power's base in parentheses
            return (POWER, (latex, _parens(inside)))
        return (ATOM, (latex, _parens(inside)))

    @staticmethod
    def wrap(printed: Printed, required: int) -> Rope:
        precedence, rope = printed
        return rope if precedence >= required else _parens(rope)

    def operand(self, printed: Printed, required: int) -> Rope:
        """A right operand: below ``required``, or a negation, in parentheses
        (``x - \\left(-y\\right)``, ``x \\left(-y\\right)``)."""
        precedence, rope = printed
        if precedence < required or precedence == NEGATION:
            return _parens(rope)
        return rope


def to_latex(tree: Node, names: Mapping[str, str] | None = None) -> str:
    """The tree in LaTeX (math mode); its variables as ``names`` has them
    (:func:`latex_names`), others as :func:`variable_name` writes them."""
    return latex_with_precedence(tree, names)[1]


def latex_with_precedence(tree: Node, names: Mapping[str, str] | None = None) -> tuple[int, str]:
    """The tree in LaTeX, and how tightly that binds (SUM ... ATOM): whether
    it needs parentheses where it is put."""
    precedence, rope = fold(tree, LatexPrinter(names, _variables(tree)))
    return precedence, flatten(rope)


def _runs(wrt: tuple[str, ...]) -> list[tuple[str, int]]:
    runs: list[tuple[str, int]] = []
    for name in wrt:
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + 1)
        else:
            runs.append((name, 1))
    return runs


def differential(printed: Iterable[str]) -> str:
    """The operator d of a total derivative, for a document whose variables
    print as ``printed``: the italic ``d`` of calculus texts, except where a
    variable prints starting with the letter d (``d``, ``d_{1}``,
    ``\\mathit{dx}``), where ``\\frac{df}{dd}`` would read as d f over d d
    (or d d x). There it is the upright ``\\mathrm{d}`` of ISO 80000-2 for the
    whole document, so that the operator reads alike in every row and differs
    from every variable: ``\\frac{\\mathrm{d}f}{\\mathrm{d}d}``."""
    starts = (text.removeprefix(r"\mathit{") for text in printed)
    return r"\mathrm{d}" if any(text.startswith("d") for text in starts) else "d"


def leibniz(
    wrt: tuple[str, ...],
    *,
    partial: bool,
    of: str = "",
    names: Mapping[str, str] | None = None,
) -> str:
    """The derivative by ``wrt`` (one variable per differentiation) in Leibniz
    notation: ``\\frac{d^{2}f}{dx^{2}}``, ``\\frac{\\partial^{2} f}{\\partial v \\, \\partial u}``
    for wrt (u, v); without ``of``, the operator alone (``\\frac{d}{dx}``). The
    denominator reads right to left, as in every calculus text: d/dv of d/du
    is written with the partial by v first. The variables as ``names`` has
    them (:func:`latex_names`); ``names`` is the document's, so that the
    operator d is the same in all its rows (:func:`differential`)."""
    names = names or {}
    d = r"\partial " if partial else differential([*names.values(), *map(variable_name, wrt)])
    order = len(wrt)
    top = d.strip() + (f"^{{{order}}}" if order > 1 else "") + (" " if partial and of else "") + of
    bottom = r" \, ".join(
        f"{d}{names.get(name) or variable_name(name)}" + (f"^{{{count}}}" if count > 1 else "")
        for name, count in reversed(_runs(wrt))
    )
    return rf"\frac{{{top}}}{{{bottom}}}"


def _variables(tree: Node) -> set[str]:
    """The names of the variables in ``tree``."""
    return {node.name for node in unique_nodes(tree) if isinstance(node, Variable)}
