"""Commands `grad`, `partial` and `functions`: the core of derivcli.

Each command parses its options, calls the library (``derivcli.api``) and
renders the report; ``run_derivatives`` is the same call for batch mode.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from derivcli.commands.app import (
    EXIT_CODES_HELP,
    At,
    ATol,
    DerivativeFormat,
    DeviceOpt,
    DTypeOpt,
    Expr,
    Mesh,
    Order,
    RTol,
    Steps,
    Timeout,
    app,
    check_steps_output,
)
from derivcli.errors import CannotComputeError, ExitCode
from derivcli.options import DEFAULT_BUDGET, Device, DType

if TYPE_CHECKING:
    from derivcli.api import Begun
    from derivcli.compare import Runner
    from derivcli.results import Report


def run_derivatives(
    params: dict[str, Any], *, wrt: list[str] | None, runner: Runner | None = None
) -> Report:
    """The report of a grad (``wrt`` None) or partial command, from its parsed options.

    A command runs as its own process would: with a worker of its own (batch
    passes the one it keeps for all its lines)."""
    from derivcli.compare import new_runner

    own = new_runner() if runner is None else None
    try:
        return begin_derivatives(params, wrt=wrt, runner=own or runner).finish()
    finally:
        if own is not None:
            own.stop()


def begin_derivatives(
    params: dict[str, Any], *, wrt: list[str] | None, runner: Runner | None
) -> Begun:
    """``run_derivatives`` up to where the worker has the request (batch overlaps lines)."""
    from derivcli.api import begin_derivatives as begin

    check_steps_output(bool(params.get("steps", False)), str(params.get("output", "table")))
    return begin(
        params["expression"],
        wrt=wrt,
        at=params["at"],
        mesh=params["mesh"],
        order=params["order"],
        device=_name(params["device"]),
        dtype=_name(params["dtype"]),
        rtol=params["rtol"],
        atol=params["atol"],
        timeout=params["timeout"],
        runner=runner,
        steps=bool(params.get("steps", False)),
    )


def _name(choice: Any) -> str:
    # typer hands its commands Enum members; click's own parser (batch), plain names
    return str(getattr(choice, "value", choice))


def _finish(report: Report, output: str) -> None:
    from derivcli import render

    render.emit(report, output)
    if output == "plain":
        from derivcli.commands.main import plain_label

        plain_label(report.results)
    if report.exit_code == ExitCode.CANNOT_COMPUTE:
        # What could be computed is on stdout; why the rest could not, on stderr.
        raise CannotComputeError(render.cannot_compute_reason(report))
    raise typer.Exit(int(report.exit_code))


@app.command(epilog=EXIT_CODES_HELP)
def grad(
    expression: Expr,
    at: At = None,
    mesh: Mesh = False,
    order: Order = 1,
    device: DeviceOpt = Device.cpu,
    dtype: DTypeOpt = DType.float64,
    rtol: RTol = None,
    atol: ATol = None,
    output: DerivativeFormat = "table",
    timeout: Timeout = DEFAULT_BUDGET,
    steps: Steps = False,
) -> None:
    """The gradient: the derivative by every variable, one row each.

    Examples:

      derivcli grad "x**2+2*x+1" --at x=2

      derivcli grad "x**2*sin(x)" --at x=2 --steps

      derivcli grad "x**2*sin(x)" --at x=2 --format latex

      derivcli grad "u*v+u**2" --at u=1,v=2 --format json

      derivcli grad "x**3" --order 2 --at x=2

      derivcli grad "sin(x)" --at x=-3:3:7
    """
    params = dict(locals())
    _finish(run_derivatives(params, wrt=None), output)


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
            "--wrt u --wrt v is d2f/dudv. --wrt u,v is --wrt u --wrt v, the mixed partial "
            "d2f/dudv; for the gradient use grad.",
            show_default=False,
        ),
    ],
    at: At = None,
    mesh: Mesh = False,
    order: Order = 1,
    device: DeviceOpt = Device.cpu,
    dtype: DTypeOpt = DType.float64,
    rtol: RTol = None,
    atol: ATol = None,
    output: DerivativeFormat = "table",
    timeout: Timeout = DEFAULT_BUDGET,
    steps: Steps = False,
) -> None:
    """A partial derivative by the variable(s) named with --wrt.

    Examples:

      derivcli partial "u*v+u**2" --wrt u --at u=1,v=2

      derivcli partial "u*sin(u*v)" --wrt u --steps

      derivcli partial "u*v+u**2" --wrt u

      derivcli partial "u*v+(u*v)**2" --wrt u --wrt v --at u=2,v=1

      derivcli partial "x**3*y" --wrt x --order 2 --at x=2,y=1 --format plain
    """
    params = dict(locals())
    _finish(run_derivatives(params, wrt=wrt), output)


@app.command()
def functions() -> None:
    """List the functions and constants the expression language knows.

    Example:

      derivcli functions
    """
    from derivcli.language.functions import describe_table

    sys.stdout.write(describe_table() + "\n")
