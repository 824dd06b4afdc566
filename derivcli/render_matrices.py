"""Stage 5 for matrices: a MatrixReport as Rich tables, JSON or plain rows.

Pure functions of the report, written through the one output registry
(``render.emit`` calls the report's ``to_dict``/``plain``/``rich``). Each
entry's JSON object is exactly ``grad``'s result object (``render.result_json``);
around them, one object per point holds the matrices the contract names
(README, "Hessians and Jacobians"). ``plain`` is one line of tab-separated
numbers per matrix row, a blank line between points, for ``$(...)`` and
``numpy.loadtxt``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from derivcli.matrices import HESSIAN, MatrixPoint, MatrixReport
from derivcli.render import MAX_FORM_CHARS, TABLE_DIGITS, result_json
from derivcli.results import DerivativeResult, format_number, json_number, wrt_label

# A run with more points shows the first and last ones, and those that are not
# a clean agreement, up to this many blocks in all.
MAX_POINT_BLOCKS = 8
MAX_LABEL_CHARS = 30  # a Jacobian row is labelled by its expression, cut to this


# ---------------------------------------------------------------- JSON


def _point_json(point: tuple[tuple[str, float], ...] | None) -> dict[str, Any] | None:
    return None if point is None else {name: json_number(v) for name, v in point}


def _numbers(values: Sequence[float | None]) -> list[float | str | None]:
    return [json_number(v) for v in values]


def point_json(report: MatrixReport, point: MatrixPoint) -> dict[str, Any]:
    """One point's object: the matrices, the verdict, and what the matrix says."""
    rows = point.entries
    found: dict[str, Any] = {
        "point": _point_json(point.point),
        "variables": list(report.variables),
        "expressions": list(report.expressions),
        "symbolic": [list(row) for row in point.symbolic],
        "symbolic_values": [_numbers(row) for row in point.symbolic_values],
        "autograd": [_numbers(row) for row in point.autograd],
        "abs_diff": [_numbers(row) for row in point.abs_diff],
        "agree": {
            "matrix": [list(row) for row in point.entry_agree],
            "overall": point.agree,
        },
        "differentiable": [list(row) for row in point.differentiable],
        "verdict": point.verdict,
        "determinant": json_number(point.determinant),
        "determinant_past_float64": point.determinant_past_float64,
    }
    if report.kind == HESSIAN:
        grad = point.gradient
        found.update(
            {
                "symmetric": point.symmetric,
                "eigenvalues": None
                if point.eigenvalues is None
                else _numbers(list(point.eigenvalues)),
                "classification": point.classification,
                "gradient": {
                    "symbolic": [e.derivative for e in grad],
                    "symbolic_values": _numbers([e.symbolic for e in grad]),
                    "autograd": _numbers([e.autograd for e in grad]),
                    "norm": json_number(point.gradient_norm),
                    # the gradient's own verdict: the point's "verdict" may come from
                    # it alone, with every entry of the matrix agreeing
                    "verdict": point.gradient_verdict,
                    "entries": [result_json(e) for e in grad],
                },
            }
        )
        if point.held:
            # only where --wrt leaves variables out, so that a full Hessian's object
            # is as it was: the claims below are about f with these held
            found["held"] = _point_json(point.held)
        found.update(
            {
                "stationary": point.stationary,
                "stationary_point": point.stationary_point,
            }
        )
    found.update(
        {
            "basis": point.basis,
            "note": point.note,
            "entries": [[result_json(e) for e in row] for row in rows],
        }
    )
    return found


def report_json(report: MatrixReport) -> dict[str, Any]:
    return {
        "command": report.command,
        "expressions": list(report.expressions),
        "inputs": list(report.inputs),
        "variables": list(report.variables),
        "device": report.device,
        "dtype": report.dtype,
        "rtol": report.rtol,
        "atol": report.atol,
        "autograd_method": report.autograd_method,
        "note": report.note,
        "points": [point_json(report, p) for p in report.points],
    }


def iter_json(report: MatrixReport) -> Iterator[str]:
    """``report_json``'s text in pieces, one point at a time (grids can be large)."""
    fields = report_json(replace(report, points=()))
    yield "{"
    for n, (key, value) in enumerate(fields.items()):
        yield f"{', ' if n else ''}{json.dumps(key)}: "
        if key != "points":
            yield json.dumps(value, allow_nan=False)
            continue
        yield "["
        for i, point in enumerate(report.points):
            yield (", " if i else "") + json.dumps(point_json(report, point), allow_nan=False)
        yield "]"
    yield "}"


# ---------------------------------------------------------------- plain


def _value(entry: DerivativeResult) -> str:
    value = entry.symbolic if entry.symbolic is not None else entry.autograd
    return "nan" if value is None else format_number(value)


def render_plain(report: MatrixReport) -> str:
    """Each point's matrix, one row of tab-separated numbers per line (the closed
    forms without --at); a blank line between points."""
    blocks = []
    for point in report.points:
        if point.point is None:
            rows = ["\t".join(e.derivative or "" for e in row) for row in point.entries]
        else:
            rows = ["\t".join(_value(e) for e in row) for row in point.entries]
        blocks.append("\n".join(rows))
    return "\n\n".join(blocks)


# ---------------------------------------------------------------- table


def _short(value: float | None) -> str:
    if value is None:
        return ""
    if not math.isfinite(value):
        return format_number(value)
    return format_number(float(f"{value:.{TABLE_DIGITS}g}"))


def _torch_text(value: float | None) -> str:
    # as torch prints a float: always with a decimal point
    text = _short(value)
    return f"{text}.0" if text.lstrip("-").isdigit() else text


def _point_text(point: tuple[tuple[str, float], ...] | None) -> str:
    return "" if point is None else ", ".join(f"{n}={_short(v)}" for n, v in point)


def _cut(text: str | None, limit: int = MAX_FORM_CHARS) -> str:
    if text is None:
        return "(not reached)"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


_STYLE = {
    "agree": "green",
    "DISAGREE": "bold red",
    "not differentiable": "yellow",
    "not compared": "dim",
}


def _row_labels(report: MatrixReport) -> list[str]:
    if report.kind == HESSIAN:
        return list(report.variables)
    return [_cut(e, MAX_LABEL_CHARS) for e in report.expressions]


def _matrix_table(report: MatrixReport, cells: Sequence[Sequence[str]], corner: str) -> Any:
    """One matrix: a row per row of the matrix, a column per variable."""
    from rich.table import Table

    table = Table(show_edge=False)
    table.add_column(corner, style="bold", overflow="fold")
    numeric = all(_is_number(c) for row in cells for c in row)
    for name in report.variables:
        table.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for label, row in zip(_row_labels(report), cells, strict=True):
        table.add_row(label, *row)
    return table


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def build_renderable(report: MatrixReport) -> Any:
    """The closed-form matrix, then each point's values side by side, the verdict
    and what the matrix says, then the notes."""
    from rich.console import Group
    from rich.text import Text

    if report.kind == HESSIAN:
        title = f"Hessian of {_cut(report.expressions[0])}: row i, column j is d/dx_j (df/dx_i)"
    else:
        functions = ", ".join(_cut(e, MAX_LABEL_CHARS) for e in report.expressions)
        title = f"Jacobian of ({functions}): row i, column j is df_i/dx_j"
    parts: list[Any] = [
        Text(title, style="bold"),
        _matrix_table(
            report,
            [[_cut(e.derivative) for e in row] for row in report.points[0].entries],
            "closed form",
        ),
    ]
    shown = _points_to_show(report.points)
    for point in shown:
        if point is None:
            parts.append(Text("..."))
            continue
        parts.extend(_point_parts(report, point))
    skipped = len(report.points) - sum(p is not None for p in shown)
    settings = (
        f"autograd: {report.method} in {report.dtype} on {report.device}; "
        f"agree: |diff| <= {report.atol:g} + {report.rtol:g}*|autograd|"
    )
    parts.append(Text(settings))
    if skipped:
        parts.append(
            Text(
                f"note: {skipped:,} of {len(report.points):,} points not shown; "
                "--format json has them all"
            )
        )
    if report.note:
        parts.append(Text(f"note: {report.note}"))
    return Group(*parts)


def _points_to_show(points: Sequence[MatrixPoint]) -> list[MatrixPoint | None]:
    """The points to draw, in order; None marks skipped points."""
    if len(points) <= MAX_POINT_BLOCKS:
        return list(points)
    keep = {0, 1, len(points) - 1}
    notable = [i for i, p in enumerate(points) if p.verdict != "agree"]
    keep.update(notable[: MAX_POINT_BLOCKS - len(keep)])
    shown: list[MatrixPoint | None] = []
    previous = -1
    for i in sorted(keep):
        if i != previous + 1:
            shown.append(None)
        shown.append(points[i])
        previous = i
    return shown


def _point_parts(report: MatrixReport, point: MatrixPoint) -> list[Any]:
    from rich.columns import Columns
    from rich.text import Text

    verdict = Text(point.verdict, style=_STYLE.get(point.verdict, ""))
    if point.point is None:
        checked = {len(e.samples) for row in point.entries for e in row}
        samples = max(checked, default=0)
        largest = _largest_sample_difference(point)
        head = Text.assemble(
            f"checked at {samples} sample point{'s' if samples != 1 else ''}: ",
            verdict,
            _verdict_parts(point),
            "" if largest is None else f" (largest |difference| {largest:.3g})",
        )
        parts: list[Any] = [head]
        if point.verdict != "agree":
            cells = [[e.verdict for e in row] for row in point.entries]
            parts.append(_matrix_table(report, cells, "verdict"))
        return [*parts, *_entry_notes(point)]
    parts = [Text.assemble(f"at {_point_text(point.point)}: ", verdict, _verdict_parts(point))]
    tables = [
        _matrix_table(
            report, [[_short(e.symbolic) for e in row] for row in point.entries], "symbolic"
        ),
        _matrix_table(
            report,
            [[_torch_text(e.autograd) for e in row] for row in point.entries],
            "autograd",
        ),
    ]
    # side by side where the width allows; the verdicts (if not all agree) below
    parts.append(Columns(tables, padding=(0, 4)))
    if point.verdict != "agree":
        cells = [[e.verdict for e in row] for row in point.entries]
        parts.append(_matrix_table(report, cells, "verdict"))
    parts.extend(Text(line) for line in _properties(report, point))
    return [*parts, *_entry_notes(point)]


def _verdict_parts(point: MatrixPoint) -> str:
    """Which part a Hessian's verdict comes from, where the gradient's is not
    "agree": its entries have no cell in the verdict table, so a DISAGREE of the
    gradient alone would stand unexplained beside a matrix that agrees."""
    said = point.gradient_verdict
    if said is None or said == "agree":
        return ""
    return f" (the gradient: {said}; the Hessian's entries: {point.matrix_verdict})"


def _gradient_verdict(point: MatrixPoint) -> str | None:
    """The gradient's verdict and why, where it is not "agree": each such entry with
    its one-sided derivatives or its two values (the entries' notes say more)."""
    said = point.gradient_verdict
    if said is None or said == "agree":
        return None
    reasons = []
    for entry in point.gradient:
        if entry.verdict == "agree":
            continue
        label = wrt_label(entry.wrt)
        if entry.verdict == "not differentiable":
            if entry.left is not None and entry.right is not None:
                reasons.append(
                    f"{label}: left derivative {_short(entry.left)}, right {_short(entry.right)}"
                )
            else:
                reasons.append(f"{label}: no derivative here")
        elif entry.verdict == "DISAGREE":
            reasons.append(
                f"{label}: autograd {_short(entry.autograd)}, the closed form "
                f"{_short(entry.symbolic)}"
            )
        else:
            reasons.append(f"{label}: {entry.verdict}")
    return f"{said} ({'; '.join(reasons)}; see the notes)"


def _names(names: Sequence[str]) -> str:
    """x; x and y; x, y and z."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _held_text(held: Sequence[tuple[str, float]]) -> str:
    """with y held at 0; with y held at 0 and z at 3."""
    (name, value), *rest = held
    said = [f"{name} held at {_short(value)}", *(f"{n} at {_short(v)}" for n, v in rest)]
    return f"with {_names(said)}"


def _properties(report: MatrixReport, point: MatrixPoint) -> list[str]:
    lines = []
    # where --wrt leaves variables of f out, every claim says so: it is about f
    # along the chosen variables with the others held, not about f
    along = "" if not point.held else f" along {_names(report.variables)}"
    held = "" if not point.held else _held_text(point.held)
    if point.determinant is not None:
        said = (
            [] if report.kind != HESSIAN else ["symmetric" if point.symmetric else "NOT symmetric"]
        )
        if point.determinant_past_float64 is not None:
            # inf or 0 in float64: the exact value, labelled
            said.append(f"determinant {point.determinant_past_float64} (past float64)")
        else:
            said.append(f"determinant {_short(point.determinant)}")
        if point.eigenvalues is not None:
            values = ", ".join(_short(v) for v in point.eigenvalues)
            said.append(f"eigenvalues {values}: {point.classification}")
        shown = "; ".join(said)
        lines.append(shown if not held else f"the Hessian{along} {held}: {shown}")
    if report.kind == HESSIAN and point.gradient:
        lines.extend(_gradient_lines(point, along, held))
    if point.note and point.verdict != "not differentiable":  # else the verdict says it
        lines.append(f"note: {point.note}")
    return lines


def _gradient_lines(point: MatrixPoint, along: str, held: str) -> list[str]:
    """The gradient, its verdict where that is not "agree", and whether the point is
    stationary; with variables held, each claim names them and the variables it is
    about (f's own gradient may not be 0 there: -x**2 + y by x at the origin)."""
    verdict = _gradient_verdict(point)
    components = point.gradient_values
    if components is None:
        # no values to show (an entry is not differentiable), but its verdict is
        # part of the point's and has no cell in the verdict table
        return [] if verdict is None else [f"gradient{along}: {verdict}"]
    gradient = ", ".join(_short(v) for v in components)
    line = f"gradient{along} ({gradient}), |gradient| {_short(point.gradient_norm)}: "
    if verdict is not None:
        line += f"{verdict}; "
    if held:
        line += f"{held}, "
    if point.stationary and not point.symmetric:
        # as the JSON's "classification": "not symmetric", never "semidefinite"
        line += (
            f"a stationary point{along}; the Hessian is not symmetric, so f is not twice"
            " differentiable here and the second-derivative test does not apply"
        )
    elif point.stationary and point.stationary_point == "inconclusive":
        line += (
            f"a stationary point{along}; the Hessian is semidefinite, so the test is inconclusive"
        )
    elif point.stationary:
        line += f"a stationary point{along}, a {point.stationary_point}{along}"
    else:
        line += f"not a stationary point{along}"
    return [line]


def _entry_notes(point: MatrixPoint) -> list[Any]:
    """The notes of the entries that have something to say, each text once with
    the entries it is about (without --at, only of those that are not a clean
    agreement: the others share the summary line)."""
    from rich.text import Text

    grouped: dict[str, list[str]] = {}
    for result in point.results:
        if not result.note or (result.point is None and result.verdict == "agree"):
            continue
        grouped.setdefault(result.note, []).append(wrt_label(result.wrt))
    where = "" if point.point is None else f" at {_point_text(point.point)}"
    notes = []
    for note, labels in grouped.items():
        named = ", ".join(labels[:MAX_NOTE_LABELS])
        if len(labels) > MAX_NOTE_LABELS:
            named += f" and {len(labels) - MAX_NOTE_LABELS} more"
        notes.append(Text(f"note: {named}{where}: {note}"))
    return notes


MAX_NOTE_LABELS = 4  # entries named before a note; the rest are counted


def _largest_sample_difference(point: MatrixPoint) -> float | None:
    differences = [
        abs(s.symbolic - s.autograd)
        for result in point.results
        for s in result.samples
        if math.isfinite(s.symbolic - s.autograd)
    ]
    return max(differences, default=None)


def cannot_compute_reason(report: MatrixReport) -> str:
    """One line on why part of a report could not be computed (exit 3)."""
    from derivcli.errors import ExitCode

    for point in report.points:
        for result in point.results:
            if result.exit_code == ExitCode.CANNOT_COMPUTE:
                where = "" if result.point is None else f" at {_point_text(result.point)}"
                return f"{wrt_label(result.wrt)}{where}: {result.note or report.note}"
    return report.note or "a budget ran out"
