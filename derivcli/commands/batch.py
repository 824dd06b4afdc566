"""Command `batch`: many grad, partial, hessian and jacobian command lines in one process.

Each line is read by the very option parser of its command (click's
``make_context``), then computed by the same function the command calls, so
a line behaves exactly as the command would, without printing.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
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
    remembered (click takes about 0.2 ms a line)."""
    found = _OPTIONS.get(args)
    if found is None:
        found = _OPTIONS[args] = _read_options(args)
        while len(_OPTIONS) > 256:
            _OPTIONS.pop(next(iter(_OPTIONS)))
    # lists (--wrt, --at) copied: a line's params are its own
    return {k: list(v) if isinstance(v, list) else v for k, v in found.items()}


_OPTIONS: dict[tuple[str, ...], dict[str, Any]] = {}


def _read_options(args: tuple[str, ...]) -> dict[str, Any]:
    """The line's options: from its shape's template where it has one (see
    :class:`_Template`), else from click itself."""
    shape = _shape(args)
    if shape not in _TEMPLATES:
        _TEMPLATES[shape] = _Template.read(shape)
        while len(_TEMPLATES) > 256:
            _TEMPLATES.pop(next(iter(_TEMPLATES)))
    template = _TEMPLATES[shape]
    return _click_options(args) if template is None else template.fill(args)


def _click_options(args: tuple[str, ...]) -> dict[str, Any]:
    from click import exceptions as click

    from derivcli.commands.app import command_tree, protect_leading_minus

    command = command_tree().commands[args[0]]
    try:
        with command.make_context(args[0], protect_leading_minus(list(args))[1:]) as ctx:
            return dict(ctx.params)
    except click.UsageError as exc:
        from derivcli.commands.main import _usage_message

        # the same words as the command alone (grad --wrt, -n2), without its
        # "see --help" hint
        raise InputError(_usage_message(exc, command)) from None


# Where a line's shape has a value (see _shape), and how _Template marks it.
_VALUE = "\x00"


def _placeholder(index: int) -> str:
    return f"{_VALUE}{index}{_VALUE}"


def _shape(args: tuple[str, ...]) -> tuple[str, ...]:
    """The line with each plain value (an expression, a point: any argument that
    starts neither with '-' nor with the minus guard) replaced by one mark; the
    value of an option that does not take text (``--order 2``, ``--dtype
    float32``) is kept.

    click routes an argument by its dashes alone: which argument of two lines of
    one shape is an option, which is an option's value and which is positional
    is the same, so they differ only in the values their string parameters get.
    A batch of different expressions at different points has one shape.
    """
    from derivcli.commands.app import MINUS_GUARD

    guard = MINUS_GUARD + "-"
    text_options = _text_options(args[0])
    shape = [args[0]]
    for before, arg in zip(args, args[1:], strict=False):
        plain = not arg.startswith(("-", guard))
        kept = before.startswith("-") and before not in text_options
        shape.append(_VALUE if plain and not kept else arg)
    return tuple(shape)


@functools.cache
def _text_options(command: str) -> frozenset[str]:
    """The option names of ``command`` whose values are text (``--at``, ``--wrt``)."""
    import click

    from derivcli.commands.app import command_tree

    return frozenset(
        name
        for param in command_tree().commands[command].params
        if isinstance(param, click.Option) and type(param.type) is click.types.StringParamType
        for name in param.opts
    )


@dataclass(frozen=True)
class _Template:
    """What click reads from a line shape, with each value's place in the line.

    click takes about 0.2 ms a line (building its parser, then converting and
    checking a dozen parameters), as much as parsing the expression: a batch of
    1,000 different expressions at different points has them all read once.
    The shape is read with a placeholder for each value; it becomes a
    template only where every placeholder came back unchanged and whole, as
    the value of a string parameter that keeps its text (no conversion, and a
    callback only on arguments, whose minus guard the shape leaves out). Then
    any line of that shape reads as the template with its own values put in,
    exactly as click reads it. Anything else (a value that an int, float or
    choice option reads, an error) is read by click line by line.
    """

    params: dict[str, Any]
    # per parameter taking the line's values: the index of the argument, or one
    # (or None, for a value not from the line) per element of a list or tuple
    slots: tuple[tuple[str, int | tuple[int | None, ...]], ...]

    @classmethod
    def read(cls, shape: tuple[str, ...]) -> _Template | None:
        """The template of ``shape``, or None where the shape's lines must go through click."""
        import click

        from derivcli.commands.app import command_tree

        filled = tuple(_placeholder(i) if a == _VALUE else a for i, a in enumerate(shape))
        try:
            params = _click_options(filled)
        except Exception:  # noqa: BLE001 - any line of this shape goes through click itself
            return None
        where = {_placeholder(i): i for i, a in enumerate(shape) if a == _VALUE}
        kinds = {p.name: p for p in command_tree().commands[shape[0]].params}
        found: list[int] = []
        slots: list[tuple[str, int | tuple[int | None, ...]]] = []
        for name, value in params.items():
            values = list(value) if isinstance(value, (list, tuple)) else [value]
            marked = [isinstance(v, str) and _VALUE in v for v in values]
            if not any(marked):
                continue
            param = kinds.get(name)
            keeps_text = (
                param is not None
                and type(param.type) is click.types.StringParamType
                and (param.callback is None or isinstance(param, click.Argument))
            )
            pairs = list(zip(values, marked, strict=True))
            if not keeps_text or not all(v in where for v, m in pairs if m):
                return None
            indices = tuple(where[v] if m else None for v, m in pairs)
            found.extend(i for i in indices if i is not None)
            slots.append((name, indices if isinstance(value, (list, tuple)) else where[value]))
        if sorted(found) != sorted(where.values()):
            return None  # a value read twice, or not at all
        return cls(params, tuple(slots))

    def fill(self, args: tuple[str, ...]) -> dict[str, Any]:
        """The options of ``args``, a line of this template's shape."""
        params = dict(self.params)
        for name, slot in self.slots:
            if isinstance(slot, int):
                params[name] = args[slot]
            else:
                old = self.params[name]
                new = [o if i is None else args[i] for o, i in zip(old, slot, strict=True)]
                params[name] = new if isinstance(old, list) else tuple(new)
        return params


_TEMPLATES: dict[tuple[str, ...], _Template | None] = {}
