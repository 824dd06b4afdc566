"""The command line: a thin Typer layer over the pipeline.

This is the only module that imports typer, and the single edge where the
core's named errors become ``derivcli: error: <message>`` on stderr and an
exit code. The engines (torch, symengine, sympy) are imported inside the
commands, so ``--help`` and ``--version`` stay cheap.
"""

from __future__ import annotations

import functools
import os
import sys
from contextvars import ContextVar
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from derivcli import __version__
from derivcli.errors import DEFAULT_BUDGET, DerivcliError, ExitCode, InputError

if TYPE_CHECKING:
    from derivcli.results import Report

EXIT_CODES_HELP = (
    "Exit codes: 0 every result computed and agreeing; "
    "1 computed, but symbolic and autograd disagree or the point is not differentiable; "
    "2 bad input (syntax, unknown name or function, malformed --at/--wrt, a limit); "
    "3 cannot compute here (device unavailable, time or memory budget exhausted)."
)


class Device(str, Enum):
    cpu = "cpu"
    cuda = "cuda"


class DType(str, Enum):
    float64 = "float64"
    float32 = "float32"


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    plain = "plain"


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"derivcli {__version__}\n")
        raise typer.Exit(0)


app = typer.Typer(
    name="derivcli",
    help=(
        "Differentiate a math expression two independent ways, symbolically (closed form) "
        "and with PyTorch autograd, and say whether they agree.\n\n"
        "Examples:\n\n"
        '  derivcli grad "x**2+2*x+1" --at x=2\n\n'
        '  derivcli partial "u*v+u**2" --wrt u --at u=1,v=2\n\n'
        '  derivcli partial "u*v+u**2" --wrt u\n\n' + EXIT_CODES_HELP
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print derivcli's version and exit."
        ),
    ] = False,
) -> None:
    """Differentiate a math expression symbolically and with PyTorch autograd."""


# ---------------------------------------------------------------- shared options

_MINUS_GUARD = " "  # see _protect_leading_minus


def restore_minus(value: str | None) -> str | None:
    """Undo _protect_leading_minus on a value (a typer callback)."""
    if value is not None and value.startswith(_MINUS_GUARD + "-"):
        return value[len(_MINUS_GUARD) :]
    return value


Expr = Annotated[
    str,
    typer.Argument(
        help='The expression, e.g. "x**2+2*x+1". Quote it for the shell. '
        "Operators + - * / ** ^, functions such as sin, exp, log, relu, sigmoid; "
        "see `derivcli functions`.",
        show_default=False,
        callback=restore_minus,
    ),
]
At = Annotated[
    Optional[list[str]],
    typer.Option(
        "--at",
        "-a",
        metavar="NAME=VALUE[,NAME=VALUE]",
        help="The point: x=2, u=1,v=2, x=pi/4, or a grid start:stop:count (x=-10:10:10, as "
        "torch.linspace). Repeat for several points. Without it the closed form is checked "
        "at a few sample points.",
        show_default=False,
    ),
]
Order = Annotated[
    int, typer.Option("--order", "-n", help="Order of the derivative (1 to 50).", min=None)
]
DeviceOpt = Annotated[
    Device,
    typer.Option(
        "--device", help="Where autograd runs. cuda needs a CUDA device visible to torch."
    ),
]
DTypeOpt = Annotated[
    DType,
    typer.Option("--dtype", help="autograd's floating type; the agreement tolerance follows it."),
]
RTol = Annotated[
    Optional[float],
    typer.Option(
        "--rtol",
        help="Relative tolerance for agreement (default 1e-7 for float64, 1e-4 for float32).",
        show_default=False,
    ),
]
ATol = Annotated[
    Optional[float],
    typer.Option(
        "--atol",
        help="Absolute tolerance for agreement (default 1e-10 for float64, 1e-5 for float32).",
        show_default=False,
    ),
]
Format = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="table for people, json for programs, plain for $(...)."),
]
Timeout = Annotated[
    float,
    typer.Option(
        "--timeout",
        help="Seconds the closed form may take; past it the autograd value is printed "
        "anyway (exit 3). autograd gets the same budget, at least 2 s.",
    ),
]

MAX_ORDER = 50

# In batch mode the commands hand their report to the batch loop instead of
# printing it, and share one long-lived symbolic worker.
_SINK: ContextVar[list[Report] | None] = ContextVar("derivcli_sink", default=None)
_RUNNER: ContextVar[Any] = ContextVar("derivcli_runner", default=None)
MAX_TIMEOUT = 3600.0


def _check_common(order: int, rtol: float | None, atol: float | None, timeout: float) -> None:
    if not 1 <= order <= MAX_ORDER:
        raise InputError(f"--order {order}: the order must be between 1 and {MAX_ORDER}")
    for name, value in (("--rtol", rtol), ("--atol", atol)):
        if value is not None and not (value >= 0 and value != float("inf")):
            raise InputError(f"{name} {value}: must be a finite number >= 0")
    if not 0 < timeout <= MAX_TIMEOUT:
        raise InputError(f"--timeout {timeout}: must be more than 0 and at most {MAX_TIMEOUT:g}")


def _run(
    expression_text: str,
    *,
    wrt: list[str] | None,
    order: int,
    at: list[str] | None,
    device: Device,
    dtype: DType,
    rtol: float | None,
    atol: float | None,
    output: OutputFormat,
    timeout: float,
) -> None:
    from derivcli.engine import Settings, compute
    from derivcli.parser import parse
    from derivcli.points import parse_at, parse_wrt

    _check_common(order, rtol, atol, timeout)
    expression = parse(expression_text)
    if not expression.variables:
        raise InputError(
            f"'{expression_text}' has no variables, so there is nothing to differentiate"
        )
    if wrt is None:  # grad: every variable, one derivative each
        wrt_sequences = [(name,) * order for name in expression.variables]
    else:
        names = parse_wrt(wrt, expression.variables)
        if len(names) > 1 and order != 1:
            raise InputError(
                "--order applies to a single --wrt; for mixed partials repeat "
                "--wrt once per differentiation (e.g. --wrt u --wrt v)"
            )
        wrt_sequences = [tuple(names) * order if len(names) == 1 else tuple(names)]
    points = parse_at(at, expression.variables) if at else None
    settings = Settings(
        device=device.value, dtype=dtype.value, rtol=rtol, atol=atol, budget=timeout
    )
    report = compute(expression, wrt_sequences, points, settings, runner=_RUNNER.get())
    _emit(report, output)
    if report.exit_code == ExitCode.CANNOT_COMPUTE and _SINK.get() is None:
        # What could be computed is on stdout; why the rest could not, on stderr.
        _error(_cannot_compute_reason(report))
    raise typer.Exit(int(report.exit_code))


def _cannot_compute_reason(report: Report) -> str:
    from derivcli.results import wrt_label

    for result in report.results:
        if result.exit_code == ExitCode.CANNOT_COMPUTE:
            where = ""
            if result.point is not None:
                where = " at " + ", ".join(f"{n}={v:g}" for n, v in result.point)
            return f"{wrt_label(result.wrt)}{where}: {result.note or report.note}"
    return report.note or "a budget ran out"


def _emit(report: Report, output: OutputFormat) -> None:
    from derivcli import render

    sink = _SINK.get()
    if sink is not None:
        sink.append(report)
    elif output is OutputFormat.json:
        for piece in render.iter_json(report):
            sys.stdout.write(piece)
        sys.stdout.write("\n")
    elif output is OutputFormat.plain:
        sys.stdout.write(render.render_plain(report) + "\n")
    else:
        from rich.console import Console

        Console(highlight=False).print(render.build_table(report))


@app.command(epilog=EXIT_CODES_HELP)
def grad(
    expression: Expr,
    at: At = None,
    order: Order = 1,
    device: DeviceOpt = Device.cpu,
    dtype: DTypeOpt = DType.float64,
    rtol: RTol = None,
    atol: ATol = None,
    output: Format = OutputFormat.table,
    timeout: Timeout = DEFAULT_BUDGET,
) -> None:
    """The gradient: the derivative by every variable, one row each.

    Examples:

      derivcli grad "x**2+2*x+1" --at x=2

      derivcli grad "u*v+u**2" --at u=1,v=2 --format json

      derivcli grad "x**3" --order 2 --at x=2

      derivcli grad "sin(x)" --at x=-3:3:7
    """
    _run(
        expression,
        wrt=None,
        order=order,
        at=at,
        device=device,
        dtype=dtype,
        rtol=rtol,
        atol=atol,
        output=output,
        timeout=timeout,
    )


@app.command(epilog=EXIT_CODES_HELP)
def partial(
    expression: Expr,
    wrt: Annotated[
        list[str],
        typer.Option(
            "--wrt",
            "-w",
            metavar="NAME",
            help="The variable to differentiate by. Repeat it for a mixed partial: "
            "--wrt u --wrt v is d2f/dudv.",
            show_default=False,
        ),
    ],
    at: At = None,
    order: Order = 1,
    device: DeviceOpt = Device.cpu,
    dtype: DTypeOpt = DType.float64,
    rtol: RTol = None,
    atol: ATol = None,
    output: Format = OutputFormat.table,
    timeout: Timeout = DEFAULT_BUDGET,
) -> None:
    """A partial derivative by the variable(s) named with --wrt.

    Examples:

      derivcli partial "u*v+u**2" --wrt u --at u=1,v=2

      derivcli partial "u*v+u**2" --wrt u

      derivcli partial "u*v+(u*v)**2" --wrt u --wrt v --at u=2,v=1

      derivcli partial "x**3*y" --wrt x --order 2 --at x=2,y=1 --format plain
    """
    _run(
        expression,
        wrt=wrt,
        order=order,
        at=at,
        device=device,
        dtype=dtype,
        rtol=rtol,
        atol=atol,
        output=output,
        timeout=timeout,
    )


@app.command()
def functions() -> None:
    """List the functions and constants the expression language knows.

    Example:

      derivcli functions
    """
    import textwrap

    from derivcli.functions import CONSTANTS, FUNCTIONS, describe_language

    lines = [*textwrap.wrap(describe_language(), 78), "", "functions (torch equivalent):"]
    for spec in FUNCTIONS:
        alias = f" (also {', '.join(spec.aliases)})" if spec.aliases else ""
        lines.append(f"  {spec.signature:<14} {spec.summary}{alias}  [{spec.torch_op}]")
    lines.append("constants:")
    for const in CONSTANTS:
        lines.append(f"  {const.name:<14} {const.summary}")
    sys.stdout.write("\n".join(lines) + "\n")


BATCH_COMMANDS = ("grad", "partial")


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
    e.g.  grad "sin(x)" --at x=1  (grad and partial are allowed). Blank lines
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
        stream = sys.stdin
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    else:
        try:
            stream = open(source, encoding="utf-8", errors="replace")  # noqa: SIM115
        except OSError as exc:
            raise InputError(f"batch: cannot read '{source}': {exc.strerror}") from None
    try:
        worst = run_batch(stream, _invoke_collecting, sys.stdout)
    finally:
        if stream is not sys.stdin:
            stream.close()
    raise typer.Exit(worst)


def _invoke_collecting(args: list[str], runner: Any) -> tuple[int, list[Report], str | None]:
    """Run one batch line: its exit code, its reports, and its error message."""
    if not args or args[0] not in BATCH_COMMANDS:
        name = args[0] if args else ""
        return (
            int(ExitCode.BAD_INPUT),
            [],
            f"'{name}' is not available in batch mode (use {' or '.join(BATCH_COMMANDS)})",
        )
    if _FLAGS.intersection(args):
        # help text would break the one-JSON-object-per-line stream
        return int(ExitCode.BAD_INPUT), [], "--help and --version are not available in batch mode"
    sink: list[Report] = []
    sink_token, runner_token = _SINK.set(sink), _RUNNER.set(runner)
    try:
        code, message = _invoke(args)
    finally:
        _SINK.reset(sink_token)
        _RUNNER.reset(runner_token)
    return code, sink, message


# ---------------------------------------------------------------- the edge


def _error(message: str) -> None:
    sys.stderr.write(f"derivcli: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    """Run derivcli; return the exit code instead of raising SystemExit."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code, message = _invoke(args)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    if message is not None:
        _error(message)
    return code


def _invoke(args: list[str]) -> tuple[int, str | None]:
    """Run one command line; return its exit code and error message, if any."""
    from click import exceptions as click

    command = _command()
    try:
        result = command.main(
            args=_protect_leading_minus(args, _short_options(command)),
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
        return int(ExitCode.BAD_INPUT), exc.format_message().replace("\n", " ") + hint
    except DerivcliError as exc:
        return int(exc.exit_code), exc.message
    except KeyboardInterrupt:
        return 130, "interrupted"
    except BrokenPipeError:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no tracebacks
        if os.environ.get("DERIVCLI_DEBUG"):
            raise
        return int(ExitCode.CANNOT_COMPUTE), (
            f"internal error: {type(exc).__name__}: {exc} "
            "(a bug in derivcli; DERIVCLI_DEBUG=1 shows the traceback)"
        )
    return (int(result) if isinstance(result, int) else 0), None


@functools.cache  # one command tree per process; batch asks once a line
def _short_options(command: Any) -> frozenset[str]:
    """Every one-letter option ("-a", "-n", ...) of the group and its commands."""
    commands = [command, *getattr(command, "commands", {}).values()]
    return frozenset(
        option
        for cmd in commands
        for param in cmd.params
        for option in (*param.opts, *getattr(param, "secondary_opts", ()))
        if len(option) == 2 and option.startswith("-")
    ) | {"-h"}


def _protect_leading_minus(args: list[str], short_options: frozenset[str]) -> list[str]:
    """Let an expression or value start with '-' ("-x**2", "-(x+1)").

    click would read such an argument as a cluster of short options (and
    "-(x+cosh(x))" contains -h). Anything that starts with '-' but is neither
    a long option nor exactly one of derivcli's short options gets a leading
    space, which click leaves alone; restore_minus takes it off again.
    """
    protected: list[str] = []
    takes_value = False  # the previous argument is an option that takes a value
    for arg in args:
        is_option = arg.startswith("--") or arg in short_options
        if takes_value:  # click hands it to the option as it is: "--range -3:3"
            protected.append(arg)
            takes_value = False
            continue
        guarded = arg.startswith("-") and not is_option and arg != "-"
        protected.append(_MINUS_GUARD + arg if guarded else arg)
        takes_value = is_option and "=" not in arg and arg not in _FLAGS
    return protected


_FLAGS = frozenset({"--help", "-h", "--version"})


_COMMAND: Any = None


def _command() -> Any:
    global _COMMAND
    if _COMMAND is None:
        _COMMAND = typer.main.get_command(app)
    return _COMMAND


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


# The labs' lesson commands and the scripting commands live in their own
# modules; importing them registers their commands on ``app``. Each imports
# only typer and the standard library at module level, like this one.
from derivcli import cmd_check, cmd_plot  # noqa: E402,F401
