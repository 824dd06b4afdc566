"""Commands `hessian` and `jacobian`: matrices of derivatives, closed form against torch.

Each command parses its options, calls the library (``derivcli.api``) and
renders the report; ``run_hessian`` and ``run_jacobian`` are the same calls
for batch mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from derivcli.commands.app import (
    EXIT_CODES_HELP,
    At,
    ATol,
    DeviceOpt,
    DTypeOpt,
    Expr,
    Format,
    Mesh,
    OutputFormat,
    RTol,
    Timeout,
    app,
    restore_minus,
)
from derivcli.errors import CannotComputeError, ExitCode
from derivcli.options import DEFAULT_BUDGET, Device, DType

if TYPE_CHECKING:
    from derivcli.compare import Runner
    from derivcli.matrices import HessianUnderWay, MatrixReport

Wrt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--wrt",
        "-w",
        metavar="NAME",
        help="A variable of the matrix; repeat it to choose the variables and their order "
        "(default: every variable, sorted).",
        show_default=False,
    ),
]


def _restore_all(values: list[str] | None) -> list[str] | None:
    return None if values is None else [restore_minus(v) or "" for v in values]


Exprs = Annotated[
    list[str],
    typer.Argument(
        metavar="EXPRESSION...",
        help='The functions f_1, ..., f_m of the vector function, e.g. "x*y" "x+y" "sin(x)"; '
        "quote each for the shell.",
        show_default=False,
        callback=_restore_all,
    ),
]


def _name(choice: Any) -> str:
    # typer hands its commands Enum members; click's own parser (batch), plain names
    return str(getattr(choice, "value", choice))


def _common(params: dict[str, Any]) -> dict[str, Any]:
    return {
        "wrt": params["wrt"] or None,
        "at": params["at"],
        "mesh": params["mesh"],
        "device": _name(params["device"]),
        "dtype": _name(params["dtype"]),
        "rtol": params["rtol"],
        "atol": params["atol"],
        "timeout": params["timeout"],
    }


def run_hessian(params: dict[str, Any], runner: Runner | None = None) -> MatrixReport:
    """The report of a hessian command, from its parsed options (with a worker of its
    own, as its own process would have, unless batch passes the one it keeps)."""
    from derivcli.compare import new_runner

    own = new_runner() if runner is None else None
    try:
        return begin_hessian(params, own or runner).finish()
    finally:
        if own is not None:
            own.stop()


def begin_hessian(params: dict[str, Any], runner: Runner | None) -> HessianUnderWay:
    """``run_hessian`` up to where the worker has the request (batch overlaps lines)."""
    from derivcli.api import begin_hessian as begin

    return begin(params["expression"], **_common(params), runner=runner)


def run_jacobian(params: dict[str, Any], runner: Runner | None = None) -> MatrixReport:
    """The report of a jacobian command, from its parsed options."""
    from derivcli.api import jacobian as compute_jacobian
    from derivcli.compare import new_runner

    own = new_runner() if runner is None else None
    try:
        return compute_jacobian(params["expressions"], **_common(params), runner=own or runner)
    finally:
        if own is not None:
            own.stop()


def _finish(report: MatrixReport, output: OutputFormat) -> None:
    from derivcli import render
    from derivcli.render_matrices import cannot_compute_reason

    render.emit(report, output.value)
    if output.value == "plain":
        from derivcli.commands.main import plain_label

        # the entries plain prints, else the Hessian's gradient (JSON and the table show it)
        plain_label(
            [entry for point in report.points for row in point.entries for entry in row],
            [result for point in report.points for result in point.results],
        )
    if report.exit_code == ExitCode.CANNOT_COMPUTE:
        # What could be computed is on stdout; why the rest could not, on stderr.
        raise CannotComputeError(cannot_compute_reason(report))
    raise typer.Exit(int(report.exit_code))


@app.command(epilog=EXIT_CODES_HELP)
def hessian(
    expression: Expr,
    wrt: Wrt = None,
    at: At = None,
    mesh: Mesh = False,
    device: DeviceOpt = Device.cpu,
    dtype: DTypeOpt = DType.float64,
    rtol: RTol = None,
    atol: ATol = None,
    output: Format = OutputFormat.table,
    timeout: Timeout = DEFAULT_BUDGET,
) -> None:
    """The Hessian: every second partial, closed form against torch, and what it says.

    Row i, column j is d/dx_j (df/dx_i), for the variables in sorted order or
    in the order of repeated --wrt; torch's matrix comes from
    torch.autograd.functional.hessian. Each entry is judged as grad judges a
    derivative (kinks and domain edges included); below the matrices come
    symmetry, determinant, eigenvalues and definiteness and, where the point
    is stationary (gradient 0, or one Newton step within the tolerance), whether
    it is a local minimum, maximum or saddle. Where --wrt leaves variables out,
    these are said of f along the chosen ones with the others held, and say so.

    Examples:

      derivcli hessian "x**2*y + sin(y)" --at x=1,y=2

      derivcli hessian "(1-x)**2 + 100*(y-x**2)**2" --at x=1,y=1

      derivcli hessian "x**2*y*z" --wrt z --wrt x --at x=1,y=2,z=3 --format plain
    """
    params = dict(locals())
    _finish(run_hessian(params), output)


@app.command(epilog=EXIT_CODES_HELP)
def jacobian(
    expressions: Exprs,
    wrt: Wrt = None,
    at: At = None,
    mesh: Mesh = False,
    device: DeviceOpt = Device.cpu,
    dtype: DTypeOpt = DType.float64,
    rtol: RTol = None,
    atol: ATol = None,
    output: Format = OutputFormat.table,
    timeout: Timeout = DEFAULT_BUDGET,
) -> None:
    """The Jacobian of several expressions: closed form against torch.

    Row i, column j is df_i/dx_j: one row per expression, one column per
    variable (sorted, or in the order of repeated --wrt); torch's matrix comes
    from torch.autograd.functional.jacobian. Each entry is judged as grad
    judges a derivative; a square Jacobian has its determinant.

    Examples:

      derivcli jacobian "x*y" "x+y" "sin(x)" --at x=1,y=2

      derivcli jacobian "r*cos(t)" "r*sin(t)" --wrt r --wrt t --at r=2,t=0.5

      derivcli jacobian "x*y" "x+y" --at x=1,y=2 --format plain
    """
    params = dict(locals())
    _finish(run_jacobian(params), output)
