"""Every LaTeX text the suite produces goes through a real TeX parser.

:func:`assert_valid_latex` checks a block as a TeX user pastes it: the
environments (``align*``, ``aligned``, ``\\[ ... \\]``) open and close in
order, braces and ``\\left``/``\\right`` balance, and every math cell (the
rows of an environment split at ``\\\\``, the cells at ``&``) is parsed and
laid out by matplotlib's mathtext, which refuses unknown commands and
malformed groups. Comment lines (``%``) are left out.
"""

from __future__ import annotations

import re

from matplotlib.mathtext import MathTextParser

_PARSER = MathTextParser("path")
_ENVIRONMENT = re.compile(r"\\begin\{([^}]*)\}|\\end\{([^}]*)\}|\\\[|\\\]")
MATH_ENVIRONMENTS = ("align*", "aligned", "[")


def _code(text: str) -> str:
    """The text without its comment lines."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("%"))


def assert_balanced(text: str) -> None:
    stack: list[str] = []
    for match in _ENVIRONMENT.finditer(text):
        token = match.group(0)
        if token == r"\[":
            stack.append("[")
        elif token == r"\]":
            assert stack and stack.pop() == "[", f"unbalanced \\] in {text!r}"
        elif match.group(1) is not None:
            stack.append(match.group(1))
        else:
            assert stack and stack.pop() == match.group(2), f"unbalanced \\end in {text!r}"
    assert not stack, f"unclosed {stack} in {text!r}"
    depth = 0
    for match in re.finditer(r"\\.|[{}]", text):
        token = match.group(0)
        depth += (token == "{") - (token == "}")
        assert depth >= 0, f"a '}}' closes nothing in {text!r}"
    assert depth == 0, f"an unclosed '{{' in {text!r}"
    assert text.count(r"\left") == text.count(r"\right"), f"\\left/\\right in {text!r}"


def math_cells(text: str) -> list[str]:
    """Every cell of every row of the math environments (nothing may stand outside them)."""
    cells: list[str] = []
    environments = re.compile(r"\\begin\{(align\*|aligned)\}(.*?)\\end\{\1\}", re.DOTALL)
    outside = environments.sub("", text).replace(r"\[", "").replace(r"\]", "")
    assert not outside.strip(), f"text outside a math environment: {outside.strip()!r}"
    for match in environments.finditer(text):
        for row in re.split(r"\\\\", match.group(2)):
            for cell in re.split(r"(?<!\\)&", row):
                cell = cell.strip()
                if cell:
                    cells.append(cell)
    return cells


def assert_mathtext(cell: str) -> None:
    try:
        _PARSER.parse(f"${cell}$")
    except Exception as exc:  # mathtext raises ValueError or pyparsing's errors
        raise AssertionError(f"mathtext cannot parse {cell!r}: {exc}") from None


def assert_valid_latex(text: str) -> None:
    """A block of derivcli's LaTeX that TeX would take (see the module docstring)."""
    code = _code(text)
    assert code.strip(), "no LaTeX besides comments"
    assert_balanced(code)
    for cell in math_cells(code):
        assert_mathtext(cell)
