"""--format plain prints bare numbers for $(...); exit 1 (DISAGREE, no
derivative, f undefined) gets one line on stderr that says which result and
why, so a number is never shown unlabelled. stdout stays the numbers alone."""

from __future__ import annotations

import pytest
from conftest import Cli


@pytest.mark.parametrize(
    ("expression", "at", "out", "err"),
    [
        # log(0) = -inf: no value, no derivative; torch's gradient 1/0 ... nan
        (
            "log(x)",
            "x=0",
            "nan\n",
            "derivcli: d/dx at x=0: not differentiable: the function is undefined at x=0: "
            "log(x) has a pole (an infinite value)\n",
        ),
        # abs has slopes -1 and 1 at 0; both sides print 0 (sign(0) = 0)
        (
            "abs(x)",
            "x=0",
            "0\n",
            "derivcli: d/dx at x=0: not differentiable: kink of abs at x=0: left derivative -1, "
            "right 1; autograd returns 0, the closed form 0 (torch.abs's gradient at 0 is 0; "
            "the closed form uses sign(0) = 0)\n",
        ),
    ],
)
def test_exit_1_in_plain_output_is_labelled_on_stderr(
    cli: Cli, expression: str, at: str, out: str, err: str
) -> None:
    run = cli("grad", expression, "--at", at, "--timeout", "60", "-f", "plain")
    assert (run.code, run.out, run.err) == (1, out, err)


def test_a_disagreement_is_labelled(cli: Cli) -> None:
    # log(exp(x)) = x, so d/dx = 1 (by hand); torch's exp(1000) overflows to inf
    # and its gradient is nan: a DISAGREE, exit 1, with the closed form's 1 shown
    run = cli("grad", "log(exp(x))", "--at", "x=1000", "--timeout", "60", "-f", "plain")
    assert (run.code, run.out) == (1, "1\n")
    assert run.err.startswith("derivcli: d/dx at x=1000: DISAGREE: autograd's forward pass ")
    assert run.err.count("\n") == 1


def test_a_grid_names_the_first_and_counts_the_rest(cli: Cli) -> None:
    # floor(x) on linspace(-2, 2, 9): steps of 0.5; floor jumps at -2, -1, 0, 1, 2
    # (5 of the 9 points) and is flat between them: derivative 0 everywhere shown
    run = cli("grad", "floor(x)", "--at", "x=-2:2:9", "--timeout", "60", "-f", "plain")
    assert run.code == 1
    assert run.out == "0\n" * 9
    assert run.err.startswith(
        "derivcli: 5 of 9 results are not agreed values (--format json has each); "
        "the first, d/dx at x=-2: not differentiable: kink of floor: "
    )
    assert run.err.count("\n") == 1


def test_agreement_and_other_formats_add_nothing(cli: Cli) -> None:
    # d/dx x**2 = 2x = 6 at 3: agree, exit 0, nothing on stderr
    run = cli("grad", "x**2", "--at", "x=3", "--timeout", "60", "-f", "plain")
    assert (run.code, run.out, run.err) == (0, "6\n", "")
    # JSON and the table carry the verdict themselves: no extra line
    for fmt in ("json", "table"):
        run = cli("grad", "abs(x)", "--at", "x=0", "--timeout", "60", "-f", fmt)
        assert (run.code, run.err) == (1, "")


def test_the_point_is_named_with_every_digit(cli: Cli) -> None:
    # log(1 - x) at 1.00000001 is outside the domain (1 - x < 0); rounded to 7
    # digits the point read x=1, the pole, not the point asked for
    run = cli("grad", "log(1-x)", "--at", "x=1.00000001", "--timeout", "60", "-f", "plain")
    assert run.code == 1
    assert run.err.startswith("derivcli: d/dx at x=1.00000001: not differentiable: ")
    # torch.linspace(0.1, 0.9, 5)[1] is 0.30000000000000004 in float64
    run = cli(
        "grad", "tanh(x)**3", "--at", "x=0.1:0.9:5", "--rtol", "0", "--atol", "0",
        "--timeout", "60", "-f", "plain",
    )  # fmt: skip
    assert run.code == 1
    assert "the first, d/dx at x=0.30000000000000004: DISAGREE: " in run.err


def test_one_flagged_result_of_several_is_counted(cli: Cli) -> None:
    # abs(x)*exp(x): a kink at 0 (slopes -1 and 1); at 1 the derivative is
    # sign(1)*e + e = 2e: one result of two is not an agreed value
    run = cli(
        "grad", "abs(x)*exp(x)", "--at", "x=0", "--at", "x=1", "--timeout", "60", "-f", "plain"
    )
    assert run.code == 1
    assert run.out.splitlines()[0] == "0"
    assert run.err.startswith(
        "derivcli: 1 of 2 results is not an agreed value: d/dx at x=0: not differentiable: "
    )


def test_a_label_beside_an_exit_3(cli: Cli) -> None:
    # at 1000 the derivative of abs(x)*exp(x), 2*e**1000, is past float64 (exit 3,
    # its own error line); the kink at 0 is still labelled, on the line before
    run = cli(
        "grad", "abs(x)*exp(x)", "--at", "x=0", "--at", "x=1000", "--timeout", "60", "-f", "plain"
    )
    assert run.code == 3
    lines = run.err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("derivcli: 1 of 2 results is not an agreed value: d/dx at x=0: ")
    assert lines[1].startswith("derivcli: error: d/dx at x=1000: ")


def test_matrices_in_plain_output_are_labelled_too(cli: Cli) -> None:
    # the Hessian of abs(x)*y**2 at (0, 1): d/dx is sign(x)*y**2, which jumps at
    # x = 0, so d2/dx2 and d2/dxdy (both orders) do not exist; d2/dy2 = 2*abs(x) = 0
    run = cli("hessian", "abs(x)*y**2", "--at", "x=0,y=1", "--timeout", "60", "-f", "plain")
    assert (run.code, run.out) == (1, "0\t0\n0\t0\n")
    assert run.err.startswith(
        "derivcli: 3 of 4 results are not agreed values (--format json has each); "
        "the first, d2/dx2 at x=0, y=1: not differentiable: "
    )
    # the Jacobian of (abs(x), log(y)) at (0, 0): abs's kink, log's pole
    run = cli(
        "jacobian", "abs(x)", "log(y)", "--wrt", "x", "--wrt", "y", "--at", "x=0,y=0",
        "--timeout", "60", "-f", "plain",
    )  # fmt: skip
    assert run.code == 1
    assert run.err.startswith("derivcli: 3 of 4 results are not agreed values")
