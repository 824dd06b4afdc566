"""Commands `plot` and `graph`: the derivative over a range, and the autograd graph.

Only typer and the standard library are imported here at module level; torch,
matplotlib and plotext are imported by :mod:`derivcli.plot` and
:mod:`derivcli.autograd.graph`, which the commands import when they run.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from derivcli.commands.app import DeviceOpt, Expr, OutputFormat, Timeout, app, format_option
from derivcli.errors import CannotComputeError, ExitCode
from derivcli.options import DEFAULT_BUDGET, Device, DType, check_timeout

PLOT_EXIT_CODES_HELP = (
    "Exit codes: 0 plotted, and the closed form and autograd agree at every point; "
    "1 plotted, but they disagree somewhere or a point is not differentiable (a kink, "
    "a point outside the domain, a pole between grid points); 2 bad input; 3 cannot "
    "compute (e.g. the closed form ran out of time; the plot then shows autograd alone)."
)


@app.command(epilog=PLOT_EXIT_CODES_HELP)
def plot(
    expression: Expr,
    range_: Annotated[
        str,
        typer.Option(
            "--range",
            "-r",
            metavar="START:STOP",
            help="The interval of the plotted variable, e.g. -3:3 or -pi:pi.",
            show_default=False,
        ),
    ],
    wrt: Annotated[
        Optional[str],
        typer.Option(
            "--wrt",
            "-w",
            metavar="NAME",
            help="The variable on the x axis (needed when the expression has several; "
            "fix the others with --at).",
            show_default=False,
        ),
    ] = None,
    points: Annotated[
        int,
        typer.Option(
            "--points",
            "-p",
            help="Number of grid points, spaced as torch.linspace(START, STOP, "
            "N); kinks found between them are added.",
        ),
    ] = 201,
    out: Annotated[
        Optional[str],
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Write the plot to FILE, a .png or .svg (needs matplotlib). Without it the plot "
            "is drawn in the terminal.",
            show_default=False,
        ),
    ] = None,
    at: Annotated[
        Optional[list[str]],
        typer.Option(
            "--at",
            "-a",
            metavar="NAME=VALUE[,NAME=VALUE]",
            help="Fixed values for the variables other than --wrt, e.g. --at v=2.",
            show_default=False,
        ),
    ] = None,
    timeout: Timeout = DEFAULT_BUDGET,
    output: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="table: the plot in the terminal (or the file with --out) and a summary "
            "line; json: the sampled f, f' (both engines) and the kinks; plain: the summary.",
        ),
    ] = OutputFormat.table,
) -> None:
    """Plot f, its closed-form derivative (line) and autograd's (markers) over a range.

    Kinks (where the argument of relu, abs, max, ... is 0) and points where the
    function or its derivative is undefined are marked.

    Examples:

      derivcli plot "x**3-2*x" --range -3:3

      derivcli plot "relu(x)*sin(x)" --range -3:3 --out relu_sin.png

      derivcli plot "log(x)" --range -1:3 --points 101 --out log.svg

      derivcli plot "u*v+sin(u)" --wrt u --at v=2 --range -pi:pi
    """
    from derivcli import plot as plotting
    from derivcli import render

    check_timeout(timeout)
    data = plotting.compute_plot(
        expression, wrt=wrt, range_text=range_, points=points, at=at, timeout=timeout, out=out
    )
    if out is not None:
        plotting.save_figure(data, out)
        if output is OutputFormat.table:
            sys.stdout.write(f"wrote {out}\n")
            output = OutputFormat.plain  # the summary line, below the file's name
    render.emit(data, output.value)
    if data.exit_code == ExitCode.CANNOT_COMPUTE:
        # What could be drawn is on stdout; why the rest could not, on stderr.
        raise CannotComputeError(plotting.cannot_compute_reason(data))
    raise typer.Exit(int(data.exit_code))


GRAPH_EXIT_CODES = (
    "Exit codes: 0 the graph is shown (a kink or an undefined value at the point is "
    "shown as autograd computes it, not judged: use grad for that); 2 bad input; "
    "3 cannot compute here (e.g. --out an image without Graphviz installed)."
)
GraphAt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--at",
        "-a",
        metavar="NAME=VALUE[,NAME=VALUE]",
        help="The one point the leaves hold: x=2, u=1,v=2 or x=pi/4 (required; no grids).",
        show_default=False,
    ),
]
GraphDType = Annotated[
    DType,
    typer.Option("--dtype", help="The leaves' floating type, as in torch.tensor(..., dtype=...)."),
]


GRAPH_FORMATS = ("table", "json", "plain", "dot")


@app.command(epilog=GRAPH_EXIT_CODES)
def graph(
    expression: Expr,
    at: GraphAt = None,
    dtype: GraphDType = DType.float64,
    device: DeviceOpt = Device.cpu,
    output: Annotated[
        str,
        format_option(
            GRAPH_FORMATS,
            "table for people (a tree), json for programs, plain for $(...) (each "
            "leaf's grad), dot for Graphviz (as torchviz draws it: pipe it into dot -Tpng).",
        ),
    ] = "table",
    out: Annotated[
        Optional[str],
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Draw the graph into FILE, a .svg, .png or .pdf (needs Graphviz's dot "
            "program; without it, exit 3 and how to get it) or a .dot (the DOT text).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show the autograd graph PyTorch builds for the expression at one point.

    The leaves are scalar tensors, x = torch.tensor(2.0, requires_grad=True); the
    graph is walked from the output's grad_fn through next_functions, showing each
    grad_fn (PowBackward0, MulBackward0, AddBackward0, ReluBackward0, ...), and
    every leaf's data, requires_grad, is_leaf and grad after backward(). As a
    picture: --format dot (Graphviz DOT) or --out graph.svg.

    Examples:

      derivcli graph "x**2+2*x+1" --at x=2

      derivcli graph "relu(x)" --at x=-1

      derivcli graph "u*v+sin(u)" --at u=1,v=2 --format json

      derivcli graph "x**2*sin(x)" --at x=2 --format dot | dot -Tpng -o graph.png

      derivcli graph "x**2*sin(x)" --at x=2 --out graph.svg
    """
    from derivcli import render
    from derivcli.api import graph as build_graph

    if out is not None:
        from derivcli.autograd.dot import check_out

        check_out(out)  # before any work: a wrong extension or no Graphviz
    result = build_graph(expression, at=at, dtype=dtype.value, device=device.value)
    if out is not None:
        from derivcli.autograd.dot import write_image

        write_image(result.dot(), out)
        if output == "table":
            sys.stdout.write(f"wrote {out}\n")
            return
    render.emit(result, output)
