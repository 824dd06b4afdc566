"""Command `batch`: many grad, partial, hessian and jacobian command lines in one process.

Each line is read by the very option parser of its command (click's
``make_context``), then computed by the same function the command calls, so
a line behaves exactly as the command would, without printing.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from derivcli.commands.app import EXIT_CODES_HELP, app
from derivcli.errors import InputError

if TYPE_CHECKING:
    from derivcli.batch import Begun
    from derivcli.compare import Runner

BATCH_COMMANDS = ("grad", "partial", "hessian", "jacobian")
_FLAGS = frozenset({"--help", "-h", "--version"})


@app.command(epilog=EXIT_CODES_HELP)
def batch(
    source: Annotated[
        str,
        typer.Argument(
            metavar="[FILE|-]",
            help="File of command lines; - or nothing reads standard input.",
        ),
    ] = "-",
) -> None:
    """Run many derivcli command lines in one process, one JSON object per line.

    Each input line is a command line without the program name, shell-quoted,
    e.g.  grad "sin(x)" --at x=1  (grad, partial, hessian and jacobian are allowed). Blank lines
    and lines starting with # are skipped. For each line, in order and as soon
    as it is done, stdout gets the object --format json gives plus "line" (its
    line number) and "exit" (the exit code that command alone would have had),
    or "line", "exit" and "error" for a line that failed. A bad line does not
    stop the batch; the batch exits with the worst exit code of its lines.

    Examples:

      printf '%s\\n' 'grad "x**2" --at x=3' 'partial "u*v" --wrt u --at u=1,v=2' | derivcli batch

      derivcli batch jobs.txt > results.jsonl
    """
    from derivcli.batch import run_batch

    # Undecodable bytes become U+FFFD, so such a line is one bad line
    # (reported, exit 2) instead of the end of the batch.
    if source == "-":
        if sys.stdin is None:  # started with stdin closed (``<&-``): Python gives None
            raise InputError("batch: no input to read: standard input is closed")
        stream = sys.stdin
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    else:
        try:
            stream = open(source, encoding="utf-8", errors="replace")  # noqa: SIM115
        except OSError as exc:
            raise InputError(f"batch: cannot read '{source}': {exc.strerror}") from None
    try:
        worst = run_batch(stream, begin_line, sys.stdout)
    finally:
        if stream is not sys.stdin:
            stream.close()
    raise typer.Exit(worst)


def begin_line(args: list[str], runner: Runner) -> Begun:
    """One batch line, begun (see ``derivcli.batch``); its bad input raises a DerivcliError."""
    from derivcli.batch import Whole
    from derivcli.commands.derivatives import begin_derivatives
    from derivcli.commands.matrices import begin_hessian, run_jacobian

    if not args or args[0] not in BATCH_COMMANDS:
        name = args[0] if args else ""
        hint = " (write the line without the program name)" if name == "derivcli" else ""
        raise InputError(
            f"'{name}' is not available in batch mode (use {', '.join(BATCH_COMMANDS[:-1])} "
            f"or {BATCH_COMMANDS[-1]}){hint}"
        )
    if _FLAGS.intersection(args):
        # help text would break the one-JSON-object-per-line stream
        raise InputError("--help and --version are not available in batch mode")
    if any(arg in ("--format", "-f") or arg.startswith("--format=") for arg in args):
        raise InputError("--format is not available in batch mode: every line is answered in JSON")
    params = _options(tuple(args))
    if args[0] == "hessian":
        return begin_hessian(params, runner)
    if args[0] == "jacobian":
        # one request per row, in turn: not split, run alone
        return Whole(lambda: run_jacobian(params, runner))
    wrt = params.get("wrt") if args[0] == "partial" else None
    return begin_derivatives(params, wrt=wrt, runner=runner)


def _options(args: tuple[str, ...]) -> dict[str, Any]:
    """The line's options, read by its command's own parser; a repeated line's are
    remembered (click takes about 0.1 ms a line)."""
    found = _OPTIONS.get(args)
    if found is None:
        found = _OPTIONS[args] = _read_options(args)
        while len(_OPTIONS) > 256:
            _OPTIONS.pop(next(iter(_OPTIONS)))
    # lists (--wrt, --at) copied: a line's params are its own
    return {k: list(v) if isinstance(v, list) else v for k, v in found.items()}


_OPTIONS: dict[tuple[str, ...], dict[str, Any]] = {}


def _read_options(args: tuple[str, ...]) -> dict[str, Any]:
    from click import exceptions as click

    from derivcli.commands.app import command_tree, protect_leading_minus

    command = command_tree().commands[args[0]]
    try:
        with command.make_context(args[0], protect_leading_minus(list(args))[1:]) as ctx:
            return dict(ctx.params)
    except click.UsageError as exc:
        raise InputError(exc.format_message().replace("\n", " ")) from None
