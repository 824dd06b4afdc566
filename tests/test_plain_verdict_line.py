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
