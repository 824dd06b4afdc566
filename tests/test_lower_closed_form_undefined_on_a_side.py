"""A lower derivative whose closed form is 0/0 all along one side still jumps.

(relu(x)**3)**(1/3) is relu(x) for every real x (the real cube root of a cube
that is 0 or positive): f' is 0 on the left and 1 on the right, so f'' does not
exist at 0. symengine's d/dx is heaviside(x)*relu(x)**2/(relu(x)**3)**(2/3),
0/0 at every x <= 0, so the left limit of f' had no value and the jump was not
looked at: `grad "(relu(x)**3)**(1/3)" -n 2 --at x=0` said agree, 0, exit 0 (a
helper's find). That side's limit now comes from f's own one-sided differences.
Oracles by hand: f = relu(x) (and its mirror and sums), whose one-sided slopes
are read off the pieces.
"""

from __future__ import annotations

import pytest
from conftest import Cli, one


@pytest.mark.parametrize(
    ("expression", "left", "right"),
    [
        ("(relu(x)**3)**(1/3)", 0, 1),  # relu(x)
        ("x + 0.5*(relu(x)**3)**(1/3)", 1, 1.5),  # x + relu(x)/2
        ("(relu(-x)**3)**(1/3)", -1, 0),  # relu(-x)
        ("(abs(x)**3)**(1/3)", -1, 1),  # abs(x)
    ],
)
def test_the_first_derivative_jumps_so_the_second_does_not_exist(
    cli: Cli, expression: str, left: float, right: float
) -> None:
    run = cli("grad", expression, "-n", "2", "--at", "x=0", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    limits = f"left limit {left:g}, value undefined, right limit {right:g}"
    assert "the derivative of order 1 jumps at x=0" in result["note"]
    assert limits in result["note"]


def test_the_first_derivative_itself_has_its_two_sides(cli: Cli) -> None:
    """-n 1 was right before: left 0, right 1 (relu's)."""
    run = cli("grad", "(relu(x)**3)**(1/3)", "--at", "x=0", "--timeout", "60", "-f", "json")
    result = one(run)
    assert run.code == 1
    assert (result["left"], result["right"]) == (0.0, 1.0)


def test_away_from_the_kink_the_second_derivative_is_0(cli: Cli) -> None:
    """Control: at x = 2 f is x, f'' is 0 (and at -2, f is 0)."""
    for at in ("x=2", "x=-2"):
        f = "(relu(x)**3)**(1/3)"
        run = cli("grad", f, "-n", "2", "--at", at, "--timeout", "60", "-f", "json")
        assert one(run)["symbolic"] == 0.0


def test_a_side_shrinking_to_0_beside_a_tiny_exact_limit_is_no_jump_of_f(cli: Cli) -> None:
    """relu(x - 11800)**3 - 0.25**x is continuous (a sum of continuous functions);
    at 11800 its left limit is f's value, -4**-11800 = -4.92e-7105 exactly, and
    the right one, swamped by h**3 at every probe step, shrinks to a float 0. It
    was called "the function being differentiated jumps" (a helper's find); the
    sides now meet f's value further down (_deep_jump) and no jump of f is said.
    (Open: its slopes, ln(4)*4**-11800 on both sides, are told apart the same
    way, so the verdict is still "not differentiable"; see the README's limits.)
    The control with a real jump of exp(-9000) on the right still jumps."""
    smooth = "relu(x - 11800)**3 - 0.25**x"
    run = cli("grad", smooth, "--at", "x=11800", "--timeout", "60", "-f", "json")
    assert "the function being differentiated jumps" not in one(run)["note"]
    jump = "relu(x - 11800)**3 - 0.25**x + heaviside(x - 11800)*exp(-9000)"
    run = cli("grad", jump, "--at", "x=11800", "--timeout", "60", "-f", "json")
    assert run.code == 1
    assert "the function being differentiated jumps at x=11800" in one(run)["note"]
