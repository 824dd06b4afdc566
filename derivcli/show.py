"""Show the work: derivations on the terminal and in LaTeX, and the LaTeX
blocks of grad, partial and check (``--format latex``).

Stage 5 of the pipeline, beside ``render.py``, and like it a pure function
of the results. A derivation (``symbolic/steps.py``) is a tree of steps; it
is read here in the order it was worked out, substeps first and numbered,
each line naming its rule and saying what it gives:

    1.   power rule (d/da a**n = n*a**(n - 1)): d/dx (x**2) = 2*x
    2.   sin rule (d/da sin(a) = cos(a)): d/dx sin(x) = cos(x)
    3. product rule [1, 2]: d/dx (x**2*sin(x)) = 2*x*sin(x) + x**2*cos(x) = x**2*cos(x) + ...

(the product rule's formula filled in with the substeps' results, then the
result as derivcli prints closed forms: the last line ends at the closed form).

A long derivation is shortened the same way on the terminal and in LaTeX
(its first and last lines, the final one always); JSON has every step.

LaTeX comes from derivcli's trees through ``language/latex.py``: a closed
form or a step is parsed back (derivcli's own parser, as every closed form
parses back) and printed. The blocks need ``amsmath`` (``align*``,
``aligned``, ``\\text``, ``\\operatorname``), as the first line says.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from derivcli import explain
from derivcli.errors import DerivcliError
from derivcli.language.functions import ARGUMENT_NAMES, lookup_function
from derivcli.language.latex import (
    function_letter,
    latex_names,
    latex_with_precedence,
    leibniz,
    variable_name,
)
from derivcli.language.printer import ATOM, POWER
from derivcli.results import format_number, wrt_label
from derivcli.symbolic import steps as rules

if TYPE_CHECKING:
    from derivcli.check_answer import CheckResult
    from derivcli.results import DerivativeResult, Report
    from derivcli.symbolic.steps import Derivation, Step

# The first order's derivation keeps its first HEAD and last TAIL lines when
# it has more (JSON has them all) ...
HEAD, TAIL = 12, 12
# ... the later orders their last MAX_LATER_LINES ...
MAX_LATER_LINES = 8
# ... and with more orders than this, those between the first and the last
# show their final line only.
MAX_FULL_ORDERS = 4
MAX_TEXT = 200  # characters of one expression on the terminal
MAX_APPLIED = 100  # a longer filled-in formula is left to JSON (the result is shown)
MAX_LATEX_TEXT = 2_000  # characters of an expression written in LaTeX

RULE_NAMES = {
    rules.CONSTANT: "constant",
    rules.VARIABLE: "variable",
    rules.SUM: "sum rule",
    rules.DIFFERENCE: "difference rule",
    rules.CONSTANT_MULTIPLE: "constant multiple rule",
    rules.PRODUCT: "product rule",
    rules.QUOTIENT: "quotient rule",
    rules.POWER: "power rule",
    rules.EXPONENTIAL: "exponential rule",
    rules.GENERAL_POWER: "general power rule",
    rules.CHAIN: "chain rule",
    rules.REPEAT: "the same rules again",
}
OUTER_FORMULAS = {
    rules.POWER: "d/da a**n = n*a**(n - 1)",
    rules.EXPONENTIAL: "d/da c**a = c**a*log(c)",
}


# ---------------------------------------------------------------- reading a derivation


@dataclass(frozen=True)
class Line:
    """One numbered step, or (step None) a gap where steps were left out."""

    number: int
    depth: int
    step: Step | None
    refs: tuple[int, ...] = ()  # the numbers of its substeps
    order: int = 1
    skipped: int = 0  # steps left out: a gap's, or those of an order shown by its last step only


def numbered(derivation: Derivation) -> list[Line]:
    """Every step of every order, substeps first, numbered from 1."""
    lines: list[Line] = []
    for order, root in enumerate(derivation.steps, start=1):
        pending: list[int] = []  # numbers of steps not yet used by their parent
        for step, depth in root.walk():
            number = len(lines) + 1
            count = len(step.substeps)
            refs = tuple(pending[-count:]) if count else ()
            if count:
                del pending[-count:]
            pending.append(number)
            lines.append(Line(number, depth, step, refs, order))
    return lines


def shortened(lines: list[Line]) -> list[Line]:
    """The lines worth showing: the first order's first and last lines, the last
    lines of the later orders (with many orders, only the last line of those
    between the first and the last), and the final line always."""
    orders = sorted({line.order for line in lines})
    shown: list[Line] = []
    for order in orders:
        block = [line for line in lines if line.order == order]
        if order == 1:
            shown.extend(_cut_block(block, HEAD, TAIL))
        elif len(orders) > MAX_FULL_ORDERS and order != orders[-1]:
            shown.append(replace(block[-1], skipped=len(block) - 1))
        else:
            shown.extend(_cut_block(block, 0, MAX_LATER_LINES))
    return shown


def _cut_block(block: list[Line], head: int, tail: int) -> list[Line]:
    """The first ``head`` and last ``tail`` lines, with a gap for the others."""
    if len(block) <= head + tail + 1:
        return block
    skipped = len(block) - head - tail
    gap = Line(block[head].number, 0, None, order=block[0].order, skipped=skipped)
    return [*block[:head], gap, *block[len(block) - tail :]]


def rule_label(step: Step) -> str:
    """The rule as a reader names it, with the function table's formula where it has one."""
    if step.rule == rules.CHAIN:
        outer = step.outer or ""
        formula = OUTER_FORMULAS.get(outer, "") or _table_formula(outer)
        return f"chain rule, inner {_inner_label(step)} ({formula})"
    if step.rule in RULE_NAMES:
        name = RULE_NAMES[step.rule]
        formula = OUTER_FORMULAS.get(step.rule, "")
        return f"{name} ({formula})" if formula else name
    return f"{step.rule} rule ({_table_formula(step.rule)})"


def _inner_label(step: Step) -> str:
    """The chain rule's inner functions, each named by the outer rule's argument
    it is: "a = x, b = x**2" for max(x, x**2), "b = x**2" for max(3, x**2)."""
    parts = _arguments(step.inner or "")
    if len(parts) != len(step.roles):  # a step from before roles were recorded
        return f"a = {step.inner}"
    return ", ".join(f"{role} = {part}" for role, part in zip(step.roles, parts, strict=True))


# Rules that hold only off the function's jump, said with them: sign(a) and
# heaviside(a) jump at 0, where they have no derivative (not 0).
RULE_CONDITIONS = {
    "sign": "a != 0",
    "heaviside": "a != 0",
    # the step functions jump at whole numbers (round: halfway between them)
    "floor": "a not a whole number",
    "ceil": "a not a whole number",
    "trunc": "a not a whole number",
    "frac": "a not a whole number",
    "round": "a not a whole number + 1/2",
}


def _table_formula(name: str) -> str:
    spec = lookup_function(name)
    if spec is None:
        return name
    # every argument a rule may name: the expressions, then the parameters
    count = spec.arity + len(spec.params)
    names = ARGUMENT_NAMES[:count]
    params = ", ".join(names)
    expressions = names[len(spec.params) :] if spec.params_first else names[: spec.arity]
    first = len(spec.params) if spec.params_first else 0
    # the rule in full, its parameters named (sigmoid(b*a) for softplus(a, b, c))
    rules = spec.step_derivative or spec.derivative
    formula = ", ".join(
        f"d/d{arg} {spec.name}({params}) = {rules[first + i]}"
        for i, arg in enumerate(expressions)
        if first + i < len(rules)
    )
    condition = RULE_CONDITIONS.get(spec.name)
    return f"{formula} for {condition}" if condition else formula


def _is_atom(text: str) -> bool:
    """A name, a number, or one call: text that needs no parentheses after d/dx."""
    if text.replace("_", "a").replace(".", "0").isalnum():
        return True
    opening = text.find("(")
    if opening <= 0 or not text[:opening].isidentifier() or not text.endswith(")"):
        return False
    depth = 0
    for i, ch in enumerate(text[opening:], start=opening):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return i == len(text) - 1
    return False


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def shows_applied(step: Step) -> bool:
    """Whether the rule's formula, filled in, is worth a place before the result."""
    applied = step.applied
    return applied is not None and applied != step.result and len(applied) <= MAX_APPLIED


def equation(step: Step) -> str:
    """d/dx EXPRESSION = APPLIED = RESULT (the filled-in formula when it says more)."""
    expression = _cut(step.expression)
    operand = expression if _is_atom(step.expression) else f"({expression})"
    parts = [f"{wrt_label((step.wrt,))} {operand}"]
    if shows_applied(step) and step.applied is not None:
        parts.append(step.applied)
    parts.append(_cut(step.result))
    return " = ".join(parts)


def text_lines(derivation: Derivation) -> Iterator[str]:
    """The derivation as numbered lines of text (shortened when long)."""
    lines = numbered(derivation)
    width = len(str(len(lines)))
    several = len(derivation.steps) > 1
    order = 0
    for line in shortened(lines):
        if several and line.order != order:
            order = line.order
            if line.step is not None and line.skipped:  # an order shown by its last line
                yield (
                    f"order {order}, by the same rules ({line.skipped + 1:,} steps): "
                    f"{equation(line.step)}"
                )
                continue
            yield f"order {order}:"
        if line.step is None:
            yield f"{'':>{width}}  ... {line.skipped:,} more steps (--format json has every step)"
            continue
        refs = f" [{', '.join(map(str, line.refs))}]" if line.refs else ""
        indent = "  " * line.depth
        label = rule_label(line.step)
        yield f"{line.number:>{width}}. {indent}{label}{refs}: {equation(line.step)}"


def derivation_renderable(title: str, derivation: Derivation) -> Any:
    from rich.console import Group
    from rich.text import Text

    heading = Text(title, style="bold", no_wrap=True, overflow="ignore")
    if derivation.error is not None:
        return Group(heading, Text(derivation.error))
    # never broken: a long step runs on (the terminal wraps it) and copies whole
    lines = (Text(line, no_wrap=True, overflow="ignore") for line in text_lines(derivation))
    return Group(heading, *lines)


def with_derivations(report: Report, table: Any) -> Any:
    """The report's table, after the derivation of each derivative (once each)."""
    from rich.console import Group

    blocks = []
    seen: set[tuple[str, ...]] = set()
    for result in report.results:
        if result.derivation is None or result.wrt in seen:
            continue
        seen.add(result.wrt)
        title = f"steps: {wrt_label(result.wrt)} of {_cut(report.expression)}"
        blocks.append(derivation_renderable(title, result.derivation))
    return Group(*blocks, table)


def with_check_derivation(result: CheckResult, table: Any) -> Any:
    """check's table, then where the true derivative comes from."""
    from rich.console import Group

    assert result.derivation is not None
    title = f"steps: {wrt_label(result.wrt)} of {_cut(result.expression)} (the true derivative)"
    return Group(table, derivation_renderable(title, result.derivation))


# ---------------------------------------------------------------- LaTeX

PREAMBLE = "% needs \\usepackage{amsmath}"


def latex_of(text: str | None, names: Mapping[str, str] | None = None) -> str:
    """A closed form or expression of derivcli's language in LaTeX (its
    variables as ``names``, the document's :func:`latex_names`, has them)."""
    return latex_parts(text, names)[1]


def latex_parts(text: str | None, names: Mapping[str, str] | None = None) -> tuple[int, str]:
    """An expression of derivcli's language in LaTeX, with how tightly it binds."""
    from derivcli.language.parser import parse

    if text is None:
        return ATOM, r"\text{not reached}"
    too_long = rf"\text{{({len(text):,} characters: see --format json)}}"
    if len(text) > MAX_LATEX_TEXT:
        return ATOM, too_long
    try:
        tree = parse(text).tree
    except DerivcliError:
        return ATOM, too_long
    return latex_with_precedence(tree, names)


def latex_number(value: float | None) -> str:
    """A value as the table shows it (7 significant digits), in LaTeX."""
    if value is None:
        return r"\text{none}"
    if math.isnan(value):
        return r"\text{undefined}"
    if math.isinf(value):
        return r"\infty" if value > 0 else r"-\infty"
    text = format_number(float(f"{value:.7g}"))
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = f"10^{{{int(exponent)}}}"
        return power if mantissa == "1" else rf"{mantissa} \times {power}"
    return text


def latex_text(text: str) -> str:
    """Words for \\text{...}, with LaTeX's special characters escaped."""
    special = {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "_": r"\_",
        "^": r"\^{}",
        "%": r"\%",
        "#": r"\#",
        "&": r"\&",
        "$": r"\$",
        "~": r"\~{}",
    }
    return "".join(special.get(ch, ch) for ch in text)


def _comment(text: str) -> str:
    return "% " + " ".join(text.split())


def _point_latex(
    point: Sequence[tuple[str, float]],
    names: Mapping[str, str],
    side: tuple[str, str] | None = None,
) -> str:
    """A point's coordinates; ``side`` (a variable, "-" or "+") marks the side
    that variable is approached from (``x = 0^{-}``)."""
    marks = dict([side]) if side is not None else {}
    return r",\, ".join(
        f"{_name(name, names)} = {_approached(latex_number(v), marks.get(name))}"
        for name, v in point
    )


def _approached(number: str, mark: str | None) -> str:
    if mark is None:
        return number
    # 10^{-200} or 2 \times 10^{5} takes braces (a double superscript is an
    # error), and -1 too: -1^{-} reads as -(1^{-})
    base = number if number.replace(".", "").isdigit() else f"{{{number}}}"
    return f"{base}^{{{mark}}}"


def _name(name: str, names: Mapping[str, str]) -> str:
    written = names.get(name)
    return variable_name(name) if written is None else written


@dataclass(frozen=True)
class _Names:
    """A document's variables in LaTeX, distinct for distinct names, and the
    function's letter, which none of them prints as."""

    names: Mapping[str, str]
    letter: str

    @classmethod
    def of(cls, variables: Iterable[str]) -> _Names:
        names = latex_names(variables)
        return cls(names, function_letter(names.values()))


def _function(variables: Sequence[str], names: _Names) -> str:
    written = ", ".join(_name(v, names.names) for v in variables)
    return f"{names.letter}\\left({written}\\right)"


def _variables(expression: str) -> tuple[str, ...]:
    from derivcli.language.parser import parse

    try:
        return parse(expression).variables
    except DerivcliError:
        return ()


def steps_latex(
    derivation: Derivation, *, partial: bool, names: Mapping[str, str] | None = None
) -> list[str]:
    """The derivation as a display: an ``aligned`` block, one numbered step a row."""
    if derivation.error is not None:
        return [_comment(derivation.error)]
    rows = []
    several = len(derivation.steps) > 1
    order = 0
    for line in shortened(numbered(derivation)):
        label = "" if line.step is None else _rule_latex(line.number, line.step, names)
        if several and line.order != order:
            order = line.order
            if line.step is not None and line.skipped:
                words = f"order {order}, by the same rules ({line.skipped + 1:,} steps)"
                label = rf"\text{{{latex_text(words)}}}"
            else:
                rows.append(rf"& \text{{order {order}:}}")
        if line.step is None:
            rows.append(rf"& \vdots && \text{{{line.skipped:,} more steps}}")
            continue
        step = line.step
        operator = leibniz((step.wrt,), partial=partial, names=names)
        precedence, expression = latex_parts(step.expression, names)
        if precedence < POWER:
            expression = rf"\left({expression}\right)"
        right = [latex_of(step.applied, names)] if shows_applied(step) else []
        right.append(latex_of(step.result, names))
        rows.append(rf"{operator} {expression} &= {' = '.join(right)} && {label}")
    return [r"\[", r"\begin{aligned}", " \\\\\n".join(rows), r"\end{aligned}", r"\]"]


def rule_name(step: Step) -> str:
    """The rule's short name in words (the chain rule's outer function named;
    its inner function is math, see :func:`_rule_latex`)."""
    if step.rule == rules.CHAIN:
        return f"chain rule, outer {step.outer}"
    return RULE_NAMES.get(step.rule) or f"{step.rule} rule"


def _rule_latex(number: int, step: Step, names: Mapping[str, str] | None) -> str:
    """A step's label: its number and rule in words, and the chain rule's inner
    function printed as the rows print expressions (``x^{2}``, not
    ``\\text{x**2}``: Python's ``**`` is no notation of a document)."""
    words = rf"\text{{({number}) {latex_text(rule_name(step))}"
    if step.rule != rules.CHAIN or step.inner is None:
        return words + "}"
    inner = r",\ ".join(latex_of(part, names) for part in _arguments(step.inner))
    return rf"{words}, inner }} {inner}"


def _arguments(text: str) -> list[str]:
    """A chain rule's inner functions, which steps.py joins with ", " (a function's
    varying arguments): split at the commas outside parentheses, as the printer
    writes a comma only between a call's arguments."""
    parts: list[str] = []
    depth = start = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _value_row(result: DerivativeResult, label: str, names: Mapping[str, str], dtype: str) -> str:
    """A point's row: the derivative's value there, only where derivcli vouches
    for it (a pasted block has no stderr beside it: a label cannot undo a false
    equation), else the one-sided values or words in its place."""
    assert result.point is not None
    at = rf"\left.{label}\right|_{{{_point_latex(result.point, names)}}}"
    words = result.verdict
    sides = _sides_latex(result, label, names)
    if sides is None and result.differentiable is False:
        if result.left is not None or result.right is not None:
            words += f" (left {_plain(result.left)}, right {_plain(result.right)})"
    comment = rf"\text{{{latex_text(words)}}}"
    if result.autograd is not None:
        autograd = latex_number(result.autograd)
        comment = rf"\text{{autograd }} {autograd}\text{{, {latex_text(words)}}}"
    if sides is not None:
        return rf"{sides} && {comment}"
    if result.differentiable is False:
        return rf"{at} &\ \text{{does not exist}} && {comment}"
    if not _vouched(result, dtype):
        return rf"{at} &\ \text{{{latex_text(_unvalued_words(result, dtype))}}} && {comment}"
    return rf"{at} &= {latex_number(result.symbolic)} && {comment}"


def _sides_latex(result: DerivativeResult, label: str, names: Mapping[str, str]) -> str | None:
    """A point with no derivative as its known one-sided derivatives along the
    last variable differentiated by, ``..._{x = 0^{-}} &= -1,\\ ..._{x = 0^{+}} = 1``
    (an infinite side is a true one-sided limit); None where it has neither or
    is differentiable."""
    if result.differentiable is not False or result.point is None:
        return None
    var = result.wrt[-1]
    sides = [
        (rf"\left.{label}\right|_{{{_point_latex(result.point, names, side=(var, mark))}}}", value)
        for mark, value in (("-", result.left), ("+", result.right))
        if value is not None
    ]
    if not sides:
        return None
    # the first equals sign is the row's alignment point
    return r",\ ".join(
        f"{at} {'&=' if k == 0 else '='} {latex_number(value)}"
        for k, (at, value) in enumerate(sides)
    )


def _vouched(result: DerivativeResult, dtype: str) -> bool:
    """Whether the table's symbolic value is the derivative: computed and
    compared, or the exact value past only the dtype's range (float32)."""
    if result.computable:
        return True
    value = result.symbolic
    return (
        value is not None and math.isfinite(value) and result.note == explain.overflow(dtype, value)
    )


def _unvalued_words(result: DerivativeResult, dtype: str) -> str:
    """What stands for a value derivcli cannot give: a derivative past float64
    (exact in closed form, 1/x at 1e-200), or one it did not compute."""
    value = result.symbolic
    if value is not None and math.isinf(value) and result.note == explain.overflow(dtype, value):
        return "beyond float64's range"
    return "not computed"


def _plain(value: float | None) -> str:
    return "none" if value is None else format_number(float(f"{value:.7g}"))


def report_latex(report: Report) -> str:
    """grad's and partial's LaTeX: f, each derivative in Leibniz notation with its
    closed form, the values with their verdicts, and (--steps) the derivations."""
    from derivcli.render import MAX_TABLE_ROWS, summarise_rows

    variables = _variables(report.expression) or tuple(
        sorted({v for r in report.results for v in r.wrt})
    )
    partial = len(variables) > 1
    names = _Names.of(
        [
            *variables,
            *(v for r in report.results for v in r.wrt),
            *(v for r in report.results for v, _ in r.point or ()),
        ]
    )
    written = names.names
    rows = [rf"{_function(variables, names)} &= {latex_of(report.expression, written)}"]
    displays: list[str] = []
    shown: set[tuple[str, ...]] = set()
    results: list[DerivativeResult | None] = list(report.results)
    if len(results) > MAX_TABLE_ROWS:
        results = summarise_rows(report.results)
    for result in results:
        if result is None:
            rows.append(r"& \vdots")
            continue
        label = leibniz(result.wrt, partial=partial, of=names.letter, names=written)
        if result.wrt not in shown:
            shown.add(result.wrt)
            row = rf"{label} &= {latex_of(result.derivative, written)}"
            if result.point is None:
                row += rf" && \text{{{latex_text(_sampled_words(result))}}}"
            rows.append(row)
            if result.derivation is not None:
                displays.extend(steps_latex(result.derivation, partial=partial, names=written))
        if result.point is not None:
            rows.append(_value_row(result, label, written, report.dtype))
    notes = [report.note] if report.note else []
    notes += list(dict.fromkeys(r.note for r in report.results if r.note))
    return "\n".join(
        [
            _comment(f"derivatives of {report.expression}, by derivcli"),
            PREAMBLE,
            r"\begin{align*}",
            " \\\\\n".join(rows),
            r"\end{align*}",
            *displays,
            *(_comment(f"note: {note}") for note in notes),
        ]
    )


def _sampled_words(result: DerivativeResult) -> str:
    if not result.samples:
        return result.verdict
    count = len(result.samples)
    return f"checked at {count} sample point{'s' if count != 1 else ''}: {result.verdict}"


def check_latex(result: CheckResult) -> str:
    """check's LaTeX: f, the true derivative, the answer, the verdict and where they differ."""
    variables = _variables(result.expression)
    partial = len(variables) > 1
    spot = result.counterexample
    names = _Names.of(
        [
            *variables,
            *result.wrt,
            *_variables(result.answer),
            *(v for v, _ in (spot.point if spot is not None else ())),
        ]
    )
    written = names.names
    label = leibniz(result.wrt, partial=partial, of=names.letter, names=written)
    verdict = "right" if result.correct else "WRONG"
    rows = [
        rf"{_function(variables, names)} &= {latex_of(result.expression, written)}",
        rf"{label} &= {latex_of(result.derivative, written)} && \text{{the true derivative}}",
        rf"\text{{your answer}} &= {latex_of(result.answer, written)} && "
        rf"\text{{{verdict} ({latex_text(result.method)})}}",
    ]
    if spot is not None:
        at = rf"\left.{label}\right|_{{{_point_latex(spot.point, written)}}}"
        rows.append(
            rf"{at} &= {latex_number(spot.derivative)} && "
            rf"\text{{your answer there: {latex_text(_answer_there(spot.answer))}}}"
        )
    displays = (
        steps_latex(result.derivation, partial=partial, names=written)
        if result.derivation is not None
        else []
    )
    notes = [result.reason] + ([result.note] if result.note else [])
    return "\n".join(
        [
            _comment(f"check of {wrt_label(result.wrt)} of {result.expression}, by derivcli"),
            PREAMBLE,
            r"\begin{align*}",
            " \\\\\n".join(rows),
            r"\end{align*}",
            *displays,
            *(_comment(f"{note}") for note in notes),
        ]
    )


def _answer_there(value: float) -> str:
    return "no real value" if math.isnan(value) else _plain(value)
