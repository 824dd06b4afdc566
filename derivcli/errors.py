"""The named errors of derivcli and the exit codes they map to.

The core raises these with a message that is already fit for a user; the CLI
alone turns them into ``derivcli: error: <message>`` on stderr and an exit
code. Anything else escaping the core is a bug.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """derivcli's documented exit codes."""

    OK = 0  # every result computed and agreeing
    DISAGREE = 1  # computed, but the engines disagree or the point is not differentiable
    BAD_INPUT = 2  # syntax, unknown name or function, malformed option, a limit
    CANNOT_COMPUTE = 3  # device unavailable, time or size budget exhausted


class DerivcliError(Exception):
    """Base of every expected failure; ``str(err)`` is the user-facing line.

    ``exit_code`` is what the command line exits with for it; ``column`` the
    1-based column in the expression where the problem is, when there is one.
    """

    exit_code: ExitCode = ExitCode.BAD_INPUT
    column: int | None = None

    def __init__(self, message: str, *, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __reduce__(self) -> tuple[object, tuple[type, str, int | None]]:
        # Errors travel back from the symbolic worker process by pickle, and
        # arrive as the same class with the same message and column.
        return (_rebuild, (type(self), self.message, self.column))


def _rebuild(kind: type[DerivcliError], message: str, column: int | None) -> DerivcliError:
    error = kind.__new__(kind)
    Exception.__init__(error, message)
    error.message = message
    error.column = column
    return error


class InputError(DerivcliError):
    """The user's input is malformed or names something unknown."""


class ParseError(InputError):
    """The expression does not follow derivcli's grammar."""

    def __init__(self, message: str, column: int | None = None, detail: str = "") -> None:
        text = message if column is None else f"{message} at column {column}"
        super().__init__(text + detail)
        self.column = column


class NumberSpellingError(ParseError):
    """A number written the way Python writes it, not the way derivcli does (0x1F, 1_000);
    the message says what to write instead, so ``--at`` passes it on."""


class PointError(InputError):
    """``--at`` or ``--wrt`` (``at=``, ``wrt=``) is malformed or names an unknown variable."""


class LimitError(InputError):
    """The input exceeds one of derivcli's documented limits."""


class CannotComputeError(DerivcliError):
    """The input is fine but the computation cannot be done here."""

    exit_code = ExitCode.CANNOT_COMPUTE


class DeviceError(CannotComputeError):
    """The requested torch device is not available."""


class BudgetError(CannotComputeError):
    """A time or memory budget ran out."""


class OutputError(CannotComputeError):
    """stdout takes no more (a full disk, ``> /dev/full``): the result cannot
    be delivered. Not a bug ("internal error") and not the input's fault."""

    @classmethod
    def writing(cls, exc: OSError) -> OutputError:
        """The error for an OSError met writing stdout."""
        return cls(f"cannot write the output: {exc.strerror or exc}")


class OutputClosed(Exception):  # noqa: N818 - not an error of the user's input
    """The reader of our stdout went away (``derivcli batch | head -1``).

    Not a DerivcliError and not an OSError (click would turn EPIPE into exit
    1, derivcli's "disagree"): the entry point ends the process as Unix tools
    do, by SIGPIPE, quietly."""


def internal_error(exc: Exception) -> str:
    """The one line for an exception that is not a DerivcliError: a bug in derivcli."""
    return (
        f"internal error: {type(exc).__name__}: {exc} "
        "(a bug in derivcli; DERIVCLI_DEBUG=1 shows the traceback)"
    )
