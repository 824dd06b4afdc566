"""The Typer application and the options its commands share.

Every command module (``derivatives``, ``batch``, ``check``, ``plot``)
imports ``app`` and the option types from here and registers its commands;
``main`` imports them all and is the one edge where errors become exit codes.
Only ``derivcli.commands`` imports typer. Nothing heavy is imported at module
level, so ``--help`` and ``--version`` stay cheap.
"""

from __future__ import annotations

import functools
import sys
from enum import Enum
from typing import Annotated, Any, Optional

import click
import typer

from derivcli import __version__
from derivcli.options import Device, DType

EXIT_CODES_HELP = (
    "Exit codes: 0 every result computed and agreeing; "
    "1 computed, but symbolic and autograd disagree or the point is not differentiable; "
    "2 bad input (syntax, unknown name or function, malformed --at/--wrt, a limit); "
    "3 cannot compute here (device unavailable, time or memory budget exhausted, "
    "the output cannot be written)."
)


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
    add_completion=True,
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

MINUS_GUARD = " "  # see _protect_leading_minus


def restore_minus(value: str | None) -> str | None:
    """Undo _protect_leading_minus on a value (a typer callback)."""
    if value is not None and value.startswith(MINUS_GUARD + "-"):
        return value[len(MINUS_GUARD) :]
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
Mesh = Annotated[
    bool,
    typer.Option(
        "--mesh",
        help="Grids of several variables in one --at make every combination (like "
        "torch.meshgrid): x=0:1:3,y=0:1:3 is 9 points. Without it they are paired: 3 points.",
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


def format_option(formats: tuple[str, ...], help: str) -> Any:
    """``--format`` offering exactly ``formats``: the ones the command's result has
    (``render.formats``; a test keeps the two the same). Any other is refused
    by the option parser: exit 2, one line naming the choices."""
    return typer.Option("--format", "-f", click_type=click.Choice(list(formats)), help=help)


# grad, partial and check: the basic three and LaTeX
DERIVATIVE_FORMATS = ("table", "json", "plain", "latex")
DerivativeFormat = Annotated[
    str,
    format_option(
        DERIVATIVE_FORMATS,
        "table for people, json for programs, plain for $(...), latex for a document "
        "(amsmath; with --steps, the derivation too).",
    ),
]
Steps = Annotated[
    bool,
    typer.Option(
        "--steps",
        help="Show the work: the derivation of the closed form, step by step (product, "
        "quotient, chain rule with its inner function, each function's own rule from "
        "`derivcli functions`), down to the variables and back up to the closed form. "
        'Long ones are shortened on the terminal; JSON has every step ("steps").',
    ),
]
Timeout = Annotated[
    float,
    typer.Option(
        "--timeout",
        help="Seconds the closed form may take; past it the autograd value is printed "
        "anyway (exit 3). autograd gets the same budget, at least 2 s.",
    ),
]


# ---------------------------------------------------------------- the command tree

_FLAGS = frozenset({"--help", "-h", "--version"})
_COMMAND: Any = None


def check_steps_output(steps: bool, output: str) -> None:
    """--steps with --format plain would be dropped in silence: plain is one bare
    value per result, for $(...)."""
    if steps and output == "plain":
        from derivcli.errors import InputError

        raise InputError(
            "--steps: --format plain is one bare value per result, with no room for a "
            "derivation; use --format table, json or latex"
        )


def command_tree() -> Any:
    """The click group behind ``app``, built once (every command module imported)."""
    global _COMMAND
    if _COMMAND is None:
        _COMMAND = typer.main.get_command(app)
    return _COMMAND


@functools.cache  # one command tree per process; batch asks once a line
def short_options() -> frozenset[str]:
    """Every one-letter option ("-a", "-n", ...) of the group and its commands."""
    group = command_tree()
    commands = [group, *getattr(group, "commands", {}).values()]
    return frozenset(
        option
        for cmd in commands
        for param in cmd.params
        for option in (*param.opts, *getattr(param, "secondary_opts", ()))
        if len(option) == 2 and option.startswith("-")
    ) | {"-h"}


def protect_leading_minus(args: list[str]) -> list[str]:
    """Let an expression or value start with '-' ("-x**2", "-(x+1)").

    click would read such an argument as a cluster of short options (and
    "-(x+cosh(x))" contains -h). Anything that starts with '-' but is neither
    a long option nor exactly one of derivcli's short options gets a leading
    space, which click leaves alone; restore_minus takes it off again.
    """
    shorts = short_options()
    commands = getattr(command_tree(), "commands", {})
    # Before the command's name, everything is the group's own (--version, or
    # an unknown option that click must refuse as one).
    start = next((i + 1 for i, arg in enumerate(args) if arg in commands), len(args))
    protected: list[str] = list(args[:start])
    takes_value = False  # the previous argument is an option that takes a value
    for arg in args[start:]:
        is_option = arg.startswith("--") or arg in shorts
        if takes_value:  # click hands it to the option as it is: "--range -3:3"
            protected.append(arg)
            takes_value = False
            continue
        guarded = arg.startswith("-") and not is_option and arg != "-"
        protected.append(MINUS_GUARD + arg if guarded else arg)
        takes_value = is_option and "=" not in arg and arg not in _FLAGS
    return protected
