"""Stage 5 of the pipeline: a Report as a Rich table, JSON or plain lines.

Each renderer is a pure function of the report. The JSON field names are a
documented contract (README, "JSON output"); numbers that are not finite are
written as the strings "inf", "-inf" and "nan", so the output stays valid
JSON for every parser.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import IO, TYPE_CHECKING, Any, Protocol

from derivcli.errors import ExitCode, InputError, OutputClosed, OutputError

if TYPE_CHECKING:
    from derivcli.autograd.check_function import FunctionReport
    from derivcli.check_answer import CheckResult
from derivcli.results import (
    DerivativeResult,
    Report,
    count,
    format_number,
    json_number,
    wrt_label,
)

MAX_TABLE_ROWS = 20  # longer runs show the first and last rows and a summary
MAX_FORM_CHARS = 200  # longer closed forms are cut in the table


def _point_json(point: tuple[tuple[str, float], ...] | None) -> dict[str, Any] | None:
    return None if point is None else {name: json_number(v) for name, v in point}


def result_json(result: DerivativeResult) -> dict[str, Any]:
    data = _result_fields(result)
    if result.derivation is not None:  # only with --steps: the contract is unchanged otherwise
        data["steps"] = result.derivation.to_json()
    return data


def _result_fields(result: DerivativeResult) -> dict[str, Any]:
    wrt = result.wrt
    return {
        "wrt": wrt[0] if len(set(wrt)) == 1 else ",".join(wrt),
        "variables": list(result.variables),
        "order": result.order,
        "derivative": result.derivative,
        "point": _point_json(result.point),
        "symbolic": json_number(result.symbolic),
        "autograd": json_number(result.autograd),
        "abs_diff": json_number(result.abs_diff),
        "agree": result.agree,
        "differentiable": result.differentiable,
        "left": json_number(result.left),
        "right": json_number(result.right),
        "verdict": result.verdict,
        "note": result.note,
        "samples": [
            {
                "point": _point_json(s.point),
                "symbolic": json_number(s.symbolic),
                "autograd": json_number(s.autograd),
                "agree": s.agree,
            }
            for s in result.samples
        ],
    }


def report_json(report: Report) -> dict[str, Any]:
    return {
        "expression": report.expression,
        "input": report.source,
        "device": report.device,
        "dtype": report.dtype,
        "rtol": report.rtol,
        "atol": report.atol,
        "results": [result_json(r) for r in report.results],
        "note": report.note,
    }


def iter_json(report: Report) -> Iterator[str]:
    """The text of ``render_json`` in pieces, one result at a time.

    A grid's JSON repeats the closed form in every result: 20,000 points of
    an 800-term derivative are 400 MB of text. Written piece by piece, memory
    stays at the size of one result instead of twice the whole text.
    """
    fields = report_json(replace(report, results=()))
    yield "{"
    for n, (key, value) in enumerate(fields.items()):
        yield f"{', ' if n else ''}{json.dumps(key)}: "
        if key != "results":
            yield json.dumps(value, allow_nan=False)
            continue
        yield "["
        steps: dict[int, str] = {}  # a grid's points share their derivation: written once
        for i, result in enumerate(report.results):
            yield (", " if i else "") + _result_text(result, steps)
        yield "]"
    yield "}"


def _result_text(result: DerivativeResult, steps: dict[int, str]) -> str:
    """``result_json(result)`` as JSON text, its "steps" serialised once per derivation."""
    if result.derivation is None:
        return json.dumps(result_json(result), allow_nan=False)
    key = id(result.derivation)
    if key not in steps:
        steps[key] = json.dumps(result.derivation.to_json(), allow_nan=False)
    fields = json.dumps(_result_fields(result), allow_nan=False)
    return f'{fields[:-1]}, "steps": {steps[key]}}}'


def render_plain(report: Report) -> str:
    """One bare line per result: the value at the point, else the closed form."""
    lines = []
    for result in report.results:
        if result.point is not None:
            value = result.symbolic if result.symbolic is not None else result.autograd
            lines.append(format_number(value) if value is not None else "nan")
        else:
            lines.append(result.derivative or "")
    return "\n".join(lines)


def _cut(text: str | None) -> str:
    if text is None:
        return "(not reached)"
    if len(text) <= MAX_FORM_CHARS:
        return text
    return f"{text[:MAX_FORM_CHARS]}... ({len(text):,} characters; --format json has it all)"


TABLE_DIGITS = 7  # significant digits in the table; JSON has every digit


def _short(value: float) -> str:
    if not math.isfinite(value):
        return format_number(value)
    rounded = float(f"{value:.{TABLE_DIGITS}g}")
    if rounded != value and rounded.is_integer() and abs(rounded) >= 10**TABLE_DIGITS:
        # 123456789.123 is not 123456800: trailing zeros would look exact
        return f"{value:.{TABLE_DIGITS}g}"
    return format_number(rounded)


def _point_text(point: tuple[tuple[str, float], ...] | None) -> str:
    if point is None:
        return ""
    return ", ".join(f"{name}={_short(v)}" for name, v in point)


def _optional(value: float | None) -> str:
    return "" if value is None else _short(value)


def _autograd_text(value: float | None) -> str:
    # as torch prints a float: always with a decimal point
    if value is None:
        return ""
    text = _short(value)
    return f"{text}.0" if text.lstrip("-").isdigit() else text


_VERDICT_STYLE = {
    "agree": "green",
    "DISAGREE": "bold red",
    "not differentiable": "yellow",
    "not compared": "dim",
}


def build_table(report: Report) -> Any:
    """The Rich renderable for a report: the table (or, in a terminal too narrow
    for its columns, one block per result), then its notes.

    The verdict is never cut: the closed form wraps instead, and below the
    width the number columns need, each result is written as a short block.
    """
    from rich.console import Group
    from rich.text import Text

    rows: list[DerivativeResult | None] = list(report.results)
    if len(rows) > MAX_TABLE_ROWS:
        rows = summarise_rows(report.results)
    # Below the table, not its caption: a caption wraps to the table's width.
    settings = Text(
        f"autograd: {report.dtype} on {report.device}; "
        f"agree: |diff| <= {report.atol:g} + {report.rtol:g}*|autograd|"
    )
    notes = [Text(f"note: {line}") for line in _notes(report)]
    return Group(_Adaptive(report, rows), settings, *notes)


class _Adaptive:
    """The results as a table, or as stacked blocks when the width is too small."""

    def __init__(self, report: Report, rows: list[DerivativeResult | None]) -> None:
        self.report = report
        self.rows = rows

    def __rich_console__(self, console: Any, options: Any) -> Any:
        sampled = all(r.point is None for r in self.report.results)
        cells = [_cells(r, sampled) for r in self.rows if r is not None]
        # a point wraps between its coordinates: its widest coordinate counts
        widths = [
            max((_width(c[k], point=k == 0 and not sampled) for c in cells), default=0)
            for k in range(len(cells[0]) if cells else 0)
        ]
        headers = ("checked",) if sampled else ("at", "symbolic", "autograd", "|diff|")
        needed = MIN_FORM_WIDTH + sum(
            max(w, len(h)) + 3 for w, h in zip(widths, (*headers, "verdict"), strict=False)
        )
        if options.max_width >= needed:
            yield _table(self.report, self.rows, sampled)
        else:
            yield from _stacked(self.report, self.rows, sampled)


MIN_FORM_WIDTH = 14  # the closed form's column is at least this wide in the table


def _width(text: str, *, point: bool) -> int:
    if point:
        return max((len(part) + 1 for part in text.split(", ")), default=0)
    return len(text)


def _narrowest(point_text: str) -> int:
    return max((len(part) + 1 for part in point_text.split(", ")), default=0)


def _cells(result: DerivativeResult, sampled: bool) -> tuple[str, ...]:
    """The cells of a row after the closed form: the values and the verdict."""
    if sampled:
        checked = count(len(result.samples), "sample point") if result.samples else ""
        return (checked, result.verdict)
    return (
        _point_text(result.point),
        _optional(result.symbolic),
        _autograd_text(result.autograd),
        "" if result.abs_diff is None else f"{result.abs_diff:.2g}",
        result.verdict,
    )


def _table(report: Report, rows: list[DerivativeResult | None], sampled: bool) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"derivatives of {report.expression}", show_edge=False, title_justify="left"
    )
    # The closed form takes whatever width the other columns leave.
    table.add_column("derivative", overflow="fold", min_width=MIN_FORM_WIDTH - 2, ratio=1)
    if sampled:
        table.add_column("checked", no_wrap=True)
    else:
        table.add_column("at")
        table.add_column("symbolic", justify="right", no_wrap=True)
        table.add_column("autograd", justify="right", no_wrap=True)
        table.add_column("|diff|", justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    shown = None  # the closed form is written once per run of rows that share it
    for result in rows:
        if result is None:
            table.add_row("...", *[""] * (len(table.columns) - 1))
            continue
        label = wrt_label(result.wrt)
        if (result.wrt, result.derivative) != shown:
            label = f"{label} = {_cut(result.derivative)}"
            shown = (result.wrt, result.derivative)
        *values, verdict = _cells(result, sampled)
        table.add_row(label, *values, Text(verdict, style=_VERDICT_STYLE.get(verdict, "")))
    return table


def _stacked(report: Report, rows: list[DerivativeResult | None], sampled: bool) -> Any:
    """Each result as a block: the closed form, then the values and the verdict."""
    from rich.text import Text

    yield Text(f"derivatives of {report.expression}", style="bold")
    shown = None
    for result in rows:
        if result is None:
            yield Text("  ...")
            continue
        if (result.wrt, result.derivative) != shown:
            yield Text(f"{wrt_label(result.wrt)} = {_cut(result.derivative)}")
            shown = (result.wrt, result.derivative)
        *values, verdict = _cells(result, sampled)
        styled = (verdict, _VERDICT_STYLE.get(verdict, ""))
        if sampled:
            yield Text.assemble("  ", styled, f" at {values[0]}" if values[0] else "")
            continue
        at, symbolic, auto, diff = values
        numbers = f" (symbolic {symbolic or '-'}, autograd {auto or '-'}"
        numbers += f", |diff| {diff})" if diff else ")"
        yield Text.assemble(f"  at {at}: ", styled, numbers)


EDGE_ROWS = 5  # rows kept at each end of a long run
MAX_NOTABLE_ROWS = 10  # kinks, disagreements and the largest difference kept in between


def summarise_rows(results: tuple[DerivativeResult, ...]) -> list[DerivativeResult | None]:
    """The rows of a long run worth showing, in order; None marks skipped rows.

    The first and last rows, every row that is not a clean agreement (up to
    MAX_NOTABLE_ROWS), and the row with the largest difference.
    """
    keep = set(range(EDGE_ROWS)) | set(range(len(results) - EDGE_ROWS, len(results)))
    notable = [i for i, r in enumerate(results) if r.verdict != "agree"][:MAX_NOTABLE_ROWS]
    keep.update(notable)
    worst = _largest_difference(results)
    if worst is not None:
        keep.add(worst)
    rows: list[DerivativeResult | None] = []
    previous = -1
    for i in sorted(keep):
        if i != previous + 1:
            rows.append(None)
        rows.append(results[i])
        previous = i
    if previous != len(results) - 1:
        rows.append(None)
    return rows


def _largest_difference(results: tuple[DerivativeResult, ...]) -> int | None:
    """Index of the first row with the largest finite |difference| (the table
    keeps this row and the note names it: the same one on ties)."""
    best: int | None = None
    for i, r in enumerate(results):
        d = r.abs_diff
        if d is not None and math.isfinite(d):
            if best is None or d > (results[best].abs_diff or 0.0):
                best = i
    return best


def _notes(report: Report) -> list[str]:
    notes: list[str] = []
    if report.note:
        notes.append(report.note)
    results = report.results
    if len(results) > MAX_TABLE_ROWS:
        index = _largest_difference(results)
        if index is not None:
            worst = results[index]
            notes.append(
                f"{len(results):,} points; largest |difference| "
                f"{worst.abs_diff:.3g} at {_point_text(worst.point)}"
            )
        bad = [r for r in results if r.differentiable is False]
        if bad:
            notes.append(
                f"{len(bad):,} point{'s are' if len(bad) > 1 else ' is'} not differentiable, "
                "the first at "
                f"{_point_text(bad[0].point)}: {bad[0].note}"
            )
        disagree = [r for r in results if r.agree is False and r.differentiable is not False]
        if disagree:
            notes.append(
                f"{count(len(disagree), 'point')} disagree{'s' if len(disagree) == 1 else ''}"
            )
        return notes
    seen = set()
    for result in results:
        if result.note and result.note not in seen and result.note != report.note:
            seen.add(result.note)
            prefix = (
                f"{wrt_label(result.wrt)}: "
                if result.point is None
                else (f"{wrt_label(result.wrt)} at {_point_text(result.point)}: ")
            )
            notes.append(prefix + result.note)
    return notes


def cannot_compute_reason(report: Report) -> str:
    """One line on why part of a report could not be computed (exit 3)."""
    for result in report.results:
        if result.derivation is not None and result.derivation.error is not None:
            return result.derivation.error
    for result in report.results:
        if result.exit_code == ExitCode.CANNOT_COMPUTE:
            where = "" if result.point is None else f" at {_point_text(result.point)}"
            return f"{wrt_label(result.wrt)}{where}: {result.note or report.note}"
    return report.note or "a budget ran out"


def plain_verdict_line(results: Sequence[DerivativeResult]) -> str | None:
    """For ``--format plain``, whose lines are bare numbers: one line for stderr
    that labels the results with exit 1 (a DISAGREE, a derivative that does
    not exist, f undefined), naming the first, its point in full and why, and
    how many there are. None where there is none."""
    flagged = [r for r in results if r.exit_code == ExitCode.DISAGREE]
    if not flagged:
        return None
    first = flagged[0]
    where = "" if first.point is None else f" at {_full_point_text(first.point)}"
    why = first.note
    if why is None and first.symbolic is not None and first.autograd is not None:
        why = (
            f"the closed form gives {format_number(first.symbolic)}, "
            f"autograd {format_number(first.autograd)}"
        )
    line = f"{wrt_label(first.wrt)}{where}: {first.verdict}" + (f": {why}" if why else "")
    if len(results) == 1:
        return line
    if len(flagged) == 1:
        return f"1 of {len(results):,} results is not an agreed value: {line}"
    return (
        f"{len(flagged):,} of {len(results):,} results are not agreed values "
        f"(--format json has each); the first, {line}"
    )


def _full_point_text(point: tuple[tuple[str, float], ...]) -> str:
    """A point with every digit (a grid's 0.30000000000000004 is not 0.3)."""
    return ", ".join(f"{name}={format_number(v)}" for name, v in point)


class Output(Protocol):
    """What every command's result can be written as: the one output registry.

    Every output is a table, JSON and plain lines; an output that can also be
    written as LaTeX has a ``latex()`` method, one that is a graph a ``dot()``
    method (Graphviz DOT), each returning the whole text.
    """

    def to_dict(self) -> dict[str, Any]: ...

    def plain(self) -> str: ...

    def rich(self) -> Any: ...


BASIC_FORMATS = ("table", "json", "plain")
OPTIONAL_FORMATS = ("latex", "dot")  # each the name of the method that writes it
FORMATS = BASIC_FORMATS + OPTIONAL_FORMATS
FORMAT_NAMES = {"latex": "LaTeX", "dot": "Graphviz DOT"}


def formats(output: object) -> tuple[str, ...]:
    """The formats an output (or its class) can be written in, in FORMATS order."""
    return BASIC_FORMATS + tuple(f for f in OPTIONAL_FORMATS if callable(getattr(output, f, None)))


def emit(output: Output, fmt: str, out: IO[str] | None = None) -> None:
    """Write a command's result as a table (for people), JSON (for programs),
    plain lines (for $(...)), or LaTeX or DOT where it has them; any other
    format is bad input (one line naming the formats it has)."""
    available = formats(output)
    if fmt not in available:
        what = FORMAT_NAMES.get(fmt, fmt)
        kind = "form" if fmt in FORMAT_NAMES else "format"
        raise InputError(
            f"--format {fmt}: this output has no {what} {kind}; use {', '.join(available)}"
        )
    stream = sys.stdout if out is None else out
    try:
        _write(output, fmt, stream)
    except BrokenPipeError:
        raise OutputClosed from None
    except OSError as exc:
        raise OutputError.writing(exc) from None


def _write(output: Output, fmt: str, stream: IO[str]) -> None:
    if fmt in OPTIONAL_FORMATS:
        text: str = getattr(output, fmt)()
        stream.write(text if text.endswith("\n") else text + "\n")
    elif fmt == "json":
        pieces = getattr(output, "json_pieces", None)
        for piece in (
            pieces() if pieces is not None else [json.dumps(output.to_dict(), allow_nan=False)]
        ):
            stream.write(piece)
        stream.write("\n")
    elif fmt == "plain":
        stream.write(output.plain() + "\n")
    elif fmt == "table":
        drawing = output.rich()
        if isinstance(drawing, str):  # drawn already (plot): written as it is
            stream.write(drawing + "\n")
            return
        from rich.console import Console

        # not cropped: a code line that does not fit runs on (the terminal wraps it)
        Console(file=stream, highlight=False).print(drawing, crop=False)


# ---------------------------------------------------------------- check and check-function


def _point_words(point: tuple[tuple[str, float], ...]) -> str:
    return ", ".join(f"{name}={format_number(v)}" for name, v in point)


def check_table(result: CheckResult) -> Any:
    """check's table: the answer, the true derivative, the verdict and where they differ."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    label = wrt_label(result.wrt)
    table = Table(title=f"{label} of {result.expression}", title_justify="left", show_header=False)
    table.add_column("", style="bold", no_wrap=True)
    table.add_column("", overflow="fold")
    table.add_row("your answer", result.answer)
    table.add_row("true derivative", result.derivative)
    if not result.correct:
        verdict = Text("WRONG", style="bold red")
    elif result.proven:
        verdict = Text("right", style="green")
    else:  # spot checks alone: a difference between the points would not be seen
        verdict = Text("right at every point checked (not proven)", style="green")
    table.add_row("verdict", verdict)
    table.add_row("decided by", f"{result.method}: {result.reason}")
    checked = (
        "no point where both are defined"
        if not result.spots
        else f"{count(len(result.spots), 'point')} agree{'s' if len(result.spots) == 1 else ''}"
        if result.correct
        else (
            f"{sum(not s.agree for s in result.spots)} of "
            f"{count(len(result.spots), 'point')} differ"
        )
    )
    if result.skipped:
        checked += f" ({result.skipped} skipped: either side undefined, or f on a kink)"
    spot = result.counterexample
    if spot is not None and spot not in result.spots:
        # the point that decided was judged apart from the spot points (on a
        # kink, or where the closed form is 0/0, by the analysis): "0 of 34
        # differ" alone read as a contradiction of WRONG (a user review)
        checked += f"; at {_point_words(spot.point)}, checked apart, they differ"
    table.add_row("spot checks", checked)
    if spot is not None:
        yours = "has no real value" if math.isnan(spot.answer) else format_number(spot.answer)
        table.add_row(
            "differs at",
            f"{_point_words(spot.point)}: your answer {yours}, "
            f"true derivative {format_number(spot.derivative)}",
        )
    elif not result.correct:
        table.add_row("differs at", "none visible: the difference is too small for float64")
    notes = [Text(f"note: {result.note}")] if result.note else []
    return Group(table, *notes)


def function_table(report: FunctionReport) -> Any:
    """check-function's table: one row per check, then the diagnosis."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"{report.target} against f({report.variable}) = {report.expression}",
        caption=f"f'({report.variable}) = {report.derivative}; float64; "
        f"agree: |diff| <= {report.atol:g} + {report.rtol:g}*|expected|",
        title_justify="left",
        caption_justify="left",
    )
    # the detail gets the room; the check's name wraps at its spaces
    table.add_column("check", min_width=10, overflow="fold")
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("detail", ratio=1, min_width=20)
    table.add_column("verdict", no_wrap=True, min_width=7)
    for row in report.checks:
        verdict = Text("pass", style="green") if row.passed else Text("FAIL", style="bold red")
        table.add_row(row.name, str(len(row.points)) if row.points else "", row.detail, verdict)
    notes = [Text(f"diagnosis: {report.diagnosis}", style="bold")] if report.diagnosis else []
    notes += [Text(f"note: {line}") for line in report.notes]
    return Group(table, *notes)
