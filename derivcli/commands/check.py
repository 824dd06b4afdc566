"""Commands `check` and `check-function`: the labs' self-checks.

``check`` says whether a hand-derived derivative is right (``derivcli/check_answer.py``);
``check-function`` tests a user's ``torch.autograd.Function`` against an
expression (``autograd/check_function.py``). Only typer and the standard library are imported
here at module level; torch, symengine and sympy load inside the commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from derivcli.commands.app import (
    DerivativeFormat,
    Expr,
    Format,
    OutputFormat,
    Steps,
    app,
    check_steps_output,
    restore_minus,
)
from derivcli.errors import CannotComputeError, ExitCode
from derivcli.options import DEFAULT_BUDGET

if TYPE_CHECKING:
    pass

CHECK_EXIT_CODES = (
    "Exit codes: 0 the answer is right; 1 it is wrong; 2 bad input (syntax, unknown "
    "function, a variable the expression does not have, malformed option); "
    "3 the time or memory budget ran out before a verdict."
)
CHECK_FUNCTION_EXIT_CODES = (
    "Exit codes: 0 every check passes; 1 a check fails; 2 bad input (no such file, the file "
    "fails to import, no such class, not a torch.autograd.Function, malformed PATH:Class, "
    "an expression without exactly one variable); 3 the time budget for the closed form "
    "ran out."
)

Timeout = Annotated[
    float,
    typer.Option(
        "--timeout", help="Seconds the symbolic work may take before derivcli gives up (exit 3)."
    ),
]


@app.command(epilog=CHECK_EXIT_CODES)
def check(
    expression: Expr,
    answer: Annotated[
        str,
        typer.Option(
            "--answer",
            metavar="EXPR",
            help='Your derivative, in the same language as the expression, e.g. "6*x**2+1".',
            show_default=False,
            callback=restore_minus,
        ),
    ],
    wrt: Annotated[
        Optional[list[str]],
        typer.Option(
            "--wrt",
            "-w",
            metavar="NAME",
            help="The variable to differentiate by (needed when the expression has several). "
            "Repeat it for a mixed partial: --wrt u --wrt v (--wrt u,v is the same).",
            show_default=False,
        ),
    ] = None,
    order: Annotated[
        int, typer.Option("--order", "-n", help="Order of the derivative (1 to 50).")
    ] = 1,
    output: DerivativeFormat = "table",
    timeout: Timeout = DEFAULT_BUDGET,
    steps: Steps = False,
) -> None:
    """Check a derivative you worked out by hand against the true one.

    The expression is differentiated symbolically (symengine) and compared
    with your answer: first symbolically (symengine expand, then sympy
    simplify for small expressions), and numerically at spot points: fixed
    values, both sides of and between the numbers the expressions contain, and
    far out (points where either side is undefined are skipped). Equivalent
    forms count as right; a right verdict from the spot checks alone says it is
    not proven. When the answer is wrong, derivcli shows a point where it
    differs, both values there, and the true closed form (unless the
    difference is too small for float64 to show anywhere). The output says
    which method decided. With --steps, the true derivative's derivation
    shows where it comes from.

    Examples:

      derivcli check "2*x**3+x" --answer "6*x**2+1"

      derivcli check "2*x**3+x" --answer "6*x**2"

      derivcli check "u*v+(u*v)**2" --wrt u --answer "v+2*u*v**2"

      derivcli check "sin(x)*cos(x)" --answer "cos(2*x)" --format json

      derivcli check "x**3" --order 2 --answer "6*x" --format plain

      derivcli check "x**2*sin(x)" --answer "2*x*cos(x)" --steps
    """
    from derivcli import render
    from derivcli.api import check as check_answer

    check_steps_output(steps, output)
    result = check_answer(
        expression, answer=answer, wrt=wrt, order=order, timeout=timeout, steps=steps
    )
    render.emit(result, output)
    if getattr(output, "value", output) == "plain" and not result.proven:
        # plain prints a bare "right": what it rests on, on stderr, as for grad's numbers
        import sys

        from derivcli.commands.main import one_line

        sys.stderr.write(
            "derivcli: right at every point checked, not proven"
            + (f" ({one_line(result.note)})" if result.note else "")
            + "\n"
        )
    if result.exit_code == ExitCode.CANNOT_COMPUTE and result.derivation is not None:
        # the verdict is on stdout; why the derivation asked for is missing, on stderr
        raise CannotComputeError(result.derivation.error or "no derivation")
    raise typer.Exit(int(result.exit_code))


# ---------------------------------------------------------------- check-function


@app.command("check-function", epilog=CHECK_FUNCTION_EXIT_CODES)
def check_function(
    target: Annotated[
        str,
        typer.Argument(
            metavar="PATH.py:ClassName",
            help="Your file and the torch.autograd.Function subclass in it, e.g. "
            "my_square.py:MySquare. The file is imported, which RUNS it.",
            show_default=False,
        ),
    ],
    expr: Annotated[
        str,
        typer.Option(
            "--expr",
            "-e",
            metavar="EXPR",
            help='What the Function should compute, with exactly one variable, e.g. "x**2".',
            show_default=False,
            callback=restore_minus,
        ),
    ],
    at: Annotated[
        Optional[list[str]],
        typer.Option(
            "--at",
            "-a",
            metavar="x=VALUE",
            help="Points to check at: x=3, x=pi/4 or a grid x=-2:2:5; repeat for more. "
            "Default: 5 fixed points.",
            show_default=False,
        ),
    ] = None,
    output: Format = OutputFormat.table,
    timeout: Timeout = DEFAULT_BUDGET,
) -> None:
    """Test your torch.autograd.Function against the expression it should compute.

    WARNING: this imports PATH.py, which RUNS that file's code with your
    permissions, the way pytest runs a test file. Only check files you trust.

    The class's .apply is called at the --at points (default: a few fixed
    sample points) and checked: forward against the expression's value;
    backward against grad_output * f'(x) from the closed-form derivative, with
    upstream gradients 1, 2.5 and -0.75; and torch.autograd.gradcheck in
    float64. The classic bug, a backward that returns f'(x) and ignores
    grad_output, passes with upstream gradient 1 but fails the others, and is
    named as such; a backward off by a constant factor is named too.

    Your Function runs in a child process with at least 30 s (or --timeout, if
    longer) plus 5 s for torch's import; one that hangs ends in exit 3.

    Examples:

      derivcli check-function my_square.py:MySquare --expr "x**2"

      derivcli check-function my_square.py:MySquare --expr "x**2" --at x=3 --at x=-1.5

      derivcli check-function lab/relu.py:MyReLU --expr "relu(x)" --at x=-2:2:4

      derivcli check-function my_square.py:MySquare --expr "x**2" --format json
    """
    from derivcli import render
    from derivcli.api import check_function as check_in_child

    report = check_in_child(target, expr=expr, at=list(at or []), timeout=timeout)
    render.emit(report, output.value)
    raise typer.Exit(0 if report.passed else 1)
