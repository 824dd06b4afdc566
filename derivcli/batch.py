"""Batch mode: many command lines, one process, one JSON object per line.

Start-up (torch alone is about 1.4 s) dominates a single call, so a script
that needs many derivatives sends them all to one ``derivcli batch``. Each
line is split like a shell would (``shlex``), read by the same option parser
as the command line, and answered with the JSON object ``--format json``
gives plus ``line`` and ``exit``, or with ``error``. Lines are answered as
they are read (streamed), and the symbolic worker and its caches live for
the whole batch.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING, Any, Protocol

from derivcli.errors import DerivcliError, ExitCode, OutputClosed

if TYPE_CHECKING:
    from derivcli.compare import Runner


class Answer(Protocol):
    """What a line computes: a report (grad, partial) or a matrix report (hessian,
    jacobian), with its JSON object and exit code."""

    @property
    def exit_code(self) -> ExitCode: ...

    def to_dict(self) -> dict[str, Any]: ...


# (the line's arguments, the shared runner) -> its answer, or a DerivcliError
RunLine = Callable[[list[str], "Runner"], Answer]


def answer_line(lineno: int, text: str, run_line: RunLine, runner: Runner) -> dict[str, Any]:
    """The JSON object for one non-blank, non-comment line."""
    try:
        args = shlex.split(text, comments=True)
    except ValueError as exc:
        return _error(lineno, ExitCode.BAD_INPUT, f"cannot split line: {exc}")
    try:
        report = run_line(args, runner)
    except DerivcliError as exc:
        return _error(lineno, exc.exit_code, exc.message)
    return {"line": lineno, "exit": int(report.exit_code), **report.to_dict()}


def _error(lineno: int, code: ExitCode, message: str) -> dict[str, Any]:
    return {"line": lineno, "exit": int(code), "error": message}


def run_batch(lines: Iterable[str], run_line: RunLine, out: IO[str]) -> int:
    """Run every line; write one JSON object per answered line; return the worst exit code."""
    from derivcli.compare import new_runner

    runner = new_runner()
    worst = int(ExitCode.OK)
    try:
        for lineno, raw in enumerate(lines, start=1):
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            answer = answer_line(lineno, text, run_line, runner)
            try:
                out.write(json.dumps(answer, allow_nan=False) + "\n")
                out.flush()
            except BrokenPipeError:
                raise OutputClosed from None
            worst = max(worst, int(answer["exit"]))
    finally:
        runner.stop()
    return worst
