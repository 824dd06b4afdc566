"""Batch mode: many command lines, one process, one JSON object per line.

Start-up (torch alone is about 1.4 s) dominates a single call, so a script
that needs many derivatives sends them all to one ``derivcli batch``. Each
line is split like a shell would (``shlex``), run through the same command
parser as the command line, and answered with the JSON object ``--format
json`` gives plus ``line`` and ``exit``, or with ``error``. Lines are answered
as they are read (streamed), and the symbolic worker and its caches live for
the whole batch.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterable
from typing import IO, Any

from derivcli.errors import ExitCode

# (args, runner) -> (exit code, reports, error message)
Invoke = Callable[[list[str], Any], tuple[int, list[Any], "str | None"]]


def _line_objects(lineno: int, code: int, reports: list[Any], message: str | None) -> Any:
    from derivcli.render import report_json

    if message is not None or not reports:
        return {"line": lineno, "exit": code, "error": message or "no result"}
    obj = report_json(reports[0])
    return {"line": lineno, "exit": code, **obj}


def run_batch(lines: Iterable[str], invoke: Invoke, out: IO[str]) -> int:
    """Run every line; write one JSON object per answered line; return the worst exit code."""
    from derivcli.engine import persistent_runner

    runner = persistent_runner()
    worst = int(ExitCode.OK)
    try:
        for lineno, raw in enumerate(lines, start=1):
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            reports: list[Any] = []
            message: str | None
            try:
                args = shlex.split(text)
            except ValueError as exc:
                code, message = int(ExitCode.BAD_INPUT), f"cannot split line: {exc}"
            else:
                code, reports, message = invoke(args, runner)
            out.write(json.dumps(_line_objects(lineno, code, reports, message), allow_nan=False))
            out.write("\n")
            out.flush()
            worst = max(worst, code)
    finally:
        runner.stop()
    return worst
