"""The entry point: run one command line, and the one edge where errors become exit codes.

Importing this module registers every command on ``app``. The core raises
named errors (``derivcli.errors``) with user-ready messages; here, and only
here, they become ``derivcli: error: <message>`` on stderr (one line) and the
documented exit code. Anything else escaping is a bug, reported in one line
too (``DERIVCLI_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import io
import os
import signal
import sys
from typing import TYPE_CHECKING

from derivcli.commands.app import command_tree, protect_leading_minus
from derivcli.errors import (
    DerivcliError,
    ExitCode,
    OutputClosed,
    OutputError,
    internal_error,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from click.exceptions import UsageError

    from derivcli.results import DerivativeResult

ERROR_PREFIX = "derivcli: error: "


def one_line(message: str) -> str:
    """An error message on one line: control characters from the input are escaped."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


def _error(message: str) -> None:
    # stderr that takes nothing (``2>/dev/full``) must not turn an error into a traceback
    with contextlib.suppress(OSError):
        sys.stderr.write(f"{ERROR_PREFIX}{one_line(message)}\n")


def plain_label(*groups: Sequence[DerivativeResult]) -> None:
    """--format plain's label on stderr: bare numbers on stdout, and what exit 1
    means for them (render.plain_verdict_line of the first group that has
    one: a matrix's entries, then its gradient)."""
    from derivcli import render

    for results in groups:
        label = render.plain_verdict_line(results)
        if label is not None:
            sys.stderr.write(f"derivcli: {one_line(label)}\n")
            return


def main(argv: list[str] | None = None) -> int:
    """Run derivcli; return the exit code instead of raising SystemExit."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code, message = _invoke(args)
    except (OutputClosed, BrokenPipeError):
        return _output_closed()
    except OutputError as exc:
        return _output_failed(exc)
    if message is not None:
        _error(message)
    return code


SIGPIPE_EXIT = 141  # 128 + SIGPIPE: what a shell reports for a tool its reader left


def _output_closed() -> int:
    """The reader went away (``| head``): stop quietly, as Unix tools do."""
    _discard_stdout()
    return SIGPIPE_EXIT


def _output_failed(exc: OutputError) -> int:
    """stdout takes no more (``> /dev/full``): say so once, exit 3."""
    _discard_stdout()  # what is still buffered must not fail again at the last flush
    _error(exc.message)
    return int(exc.exit_code)


def _discard_stdout() -> None:
    """What is still buffered for stdout, and anything written later, goes to /dev/null."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


class _ClosedStdout(io.TextIOBase):
    """stdout for a process started without one (``derivcli ... >&-``).

    Writing to it is what writing to a pipe whose reader left is: the
    command ends quietly with 141 (SIGPIPE), as with ``| head``. A command
    that writes nothing to stdout (an error) keeps its own exit code."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        # not BrokenPipeError: click and rich would each turn it into exit 1
        raise OutputClosed

    def fileno(self) -> int:
        return 1  # /dev/null, put there by _fill_closed_streams


def _fill_closed_streams() -> None:
    """Give the standard streams the process was started without (``<&-``,
    ``>&-``, ``2>&-``) /dev/null, so that no file or pipe derivcli opens takes
    their numbers: the symbolic worker's pipe once became fd 2, and stray
    writes to fd 2 (C libraries' warnings) would have gone into it. Python
    left ``sys.stdin``/``sys.stdout``/``sys.stderr`` as None for them: stdout
    becomes a closed pipe (``_ClosedStdout``), stderr /dev/null, and stdin
    stays None (``batch`` says there is no input to read)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            devnull = os.open(os.devnull, os.O_RDWR)
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process


def _invoke(args: list[str]) -> tuple[int, str | None]:
    """Run one command line; return its exit code and error message, if any."""
    from click import exceptions as click

    if len(args) == 2 and args[0] == "--show-completion":
        if args[1] not in COMPLETION_SHELLS:
            return int(ExitCode.BAD_INPUT), (
                f"--show-completion {args[1]}: no completion for that shell "
                f"(one of: {', '.join(COMPLETION_SHELLS)})"
            )
        return _show_completion(args[1])
    command = command_tree()
    try:
        result = command.main(
            args=protect_leading_minus(args),
            prog_name="derivcli",
            standalone_mode=False,
        )
    except click.UsageError as exc:
        # click >= 8.2 signals "no arguments, show help" with an error
        if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
            sys.stdout.write(exc.ctx.get_help() + "\n")
            return 0, None
        hint = (
            f" (see 'derivcli {exc.ctx.info_name} --help')"
            if exc.ctx and exc.ctx.parent
            else " (see 'derivcli --help')"
        )
        return int(ExitCode.BAD_INPUT), _usage_message(exc, command) + hint
    except OutputError:
        raise  # main reports it, and keeps the last flush from failing again
    except DerivcliError as exc:
        return int(exc.exit_code), exc.message
    except KeyboardInterrupt:
        return 130, "interrupted"
    except SystemExit as exc:  # typer's completion options end this way
        return (exc.code if isinstance(exc.code, int) else 0), None
    except (OutputClosed, BrokenPipeError):
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no tracebacks
        if type(exc).__name__ == "ShellDetectionFailure":  # from shellingham, via typer
            shells = ", ".join(COMPLETION_SHELLS)
            return int(ExitCode.BAD_INPUT), (
                f"{args[0]}: cannot tell which shell this is (none among this process's "
                f"parents); name it: derivcli --show-completion SHELL ({shells})"
            )
        if isinstance(exc, OSError) and exc.errno in _WRITING_ERRNOS and not exc.filename:
            # stdout failed where derivcli's own writes do not catch it (click's
            # --help, --version): not a bug
            raise OutputError.writing(exc) from None
        if os.environ.get("DERIVCLI_DEBUG"):
            raise
        return int(ExitCode.CANNOT_COMPUTE), internal_error(exc)
    return (int(result) if isinstance(result, int) else 0), None


# errors only a write gives: a full disk (``> /dev/full``), a quota, a file size limit
_WRITING_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG})


def _usage_message(exc: UsageError, command: object) -> str:
    """click's usage error in one line, with what the user most likely meant."""
    import difflib

    from click import Group, exceptions

    message: str = exc.format_message().replace("\n", " ")
    if message.startswith("No such command"):
        typed = message.split("'")[1] if message.count("'") >= 2 else ""
        names = list(command.commands) if isinstance(command, Group) else []
        close = difflib.get_close_matches(typed, names, n=1)
        if close:
            message += f" Did you mean '{close[0]}'?"
    if (
        isinstance(exc, exceptions.NoSuchOption)
        and exc.option_name == "--wrt"
        and exc.ctx is not None
        and exc.ctx.info_name == "grad"
    ):
        message = (
            "grad differentiates by every variable and takes no --wrt; for some of them use "
            "'derivcli partial EXPR --wrt NAME'"
        )
    if "unexpected extra argument" in message:
        message = _extra_arguments(message, exc.ctx.command if exc.ctx else None)
    return message


_NO_OPTION = (
    "(a word that starts with '-' and is no option is a value, such as an expression '-x**2')"
)


def _extra_arguments(message: str, command: object) -> str:
    """click's "unexpected extra argument" without the minus guard's space
    (``( -n2)``), and how to write what was meant (read as a value, since an
    expression may start with '-'): a long option of ``command`` written with
    one dash (``-order``, ``-at=x=2``), or a short option of ``command`` that
    takes a value, written together with it (``-n2``, ``-ax=2``). A short
    option of another command (plot's ``-o`` in grad's ``-order``) is no hint."""
    import re

    from derivcli.commands.app import MINUS_GUARD

    message = message.replace("(" + MINUS_GUARD + "-", "(-").replace(" " + MINUS_GUARD + "-", " -")
    longs, shorts = _own_options(command)
    for word in re.findall(r"(?:(?<=\()|(?<= ))-[A-Za-z]\S+", message):
        word = word.rstrip(")")
        if "-" + word.split("=", 1)[0] in longs:
            return f"{message}; a long option has two dashes: write '-{word}' {_NO_OPTION}"
        if word[:2] in shorts:
            value = word[2:].removeprefix("=")
            return (
                f"{message}; an option and its value are two words: write "
                f"'{word[:2]} {value}' {_NO_OPTION}"
            )
    return message


def _own_options(command: object) -> tuple[frozenset[str], frozenset[str]]:
    """``command``'s long options ("--order", "--steps"), and its one-letter
    options that take a value ("-n", "-a")."""
    from click import Option

    params = [p for p in getattr(command, "params", ()) if isinstance(p, Option)]
    names = [(p, o) for p in params for o in (*p.opts, *p.secondary_opts)]
    longs = frozenset(o for _, o in names if o.startswith("--"))
    shorts = frozenset(o for p, o in names if len(o) == 2 and o[0] == "-" and not p.is_flag)
    return longs, shorts


COMPLETION_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _show_completion(shell: str) -> tuple[int, str | None]:
    """``--show-completion SHELL``: the script for the named shell, without
    guessing the shell from the process's parents (which fails under a CI
    runner, an IDE or ``env -i``)."""
    from typer._completion_shared import get_completion_script

    script = get_completion_script(
        prog_name="derivcli", complete_var="_DERIVCLI_COMPLETE", shell=shell
    )
    sys.stdout.write(script + "\n")
    return 0, None


def run() -> None:
    """Console-script entry point."""
    _fill_closed_streams()
    code = main()
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = _output_closed()
    except OSError as exc:  # the buffered rest did not fit (``> /dev/full``)
        code = _output_failed(OutputError.writing(exc))
    if code == SIGPIPE_EXIT and hasattr(signal, "SIGPIPE"):
        # die of SIGPIPE itself, so a shell and a parent process see exactly that
        sys.stdout.flush = lambda: None  # type: ignore[method-assign]
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGPIPE)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    # Without tearing the interpreter down: unloading torch's modules took about
    # 0.3 s after every command (as long as `python -c "import torch"` spends
    # after its import), for a process that ends anyway. Output is flushed and
    # atexit handlers have run.
    os._exit(code)
