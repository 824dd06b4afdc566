"""An edge or hole of f's domain nearer the point than the probes' steps (stop 37).

A one-sided limit is about h -> 0. x*abs(x) + sqrt(x + 1e-80) has its domain
x >= -1e-80, so 0 is inside it; but its first left step, 2**-256 (about
8.6e-78), lies past the edge, and its left derivative was read as missing: "x=0
is at the edge of the function's real domain". Likewise a hole one step away,
met while the quotients were followed further as they shrank, read as an edge;
and a right limit that shrank to 0 through 2**-4096 beside a value of
exp(-4900) (9.06e-2129) read as a jump at an edge. A side with values at the
finer steps exists, and is read there; it is missing only where f has none at
the deepest steps tried. Each truth is worked out by hand in the comments and
checked with mpmath at 80 digits.
"""

from __future__ import annotations

from typing import Any

import mpmath
import pytest
from conftest import Cli, CliRun, one

EDGE_NOTE = "edge of the function's real domain"


def _grad(cli: Cli, text: str, at: str = "x=0") -> tuple[CliRun, dict[str, Any]]:
    run = cli("grad", text, "--at", at, "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    return run, one(run)


def _slope(f: Any, h: Any) -> Any:
    """mpmath's central quotient of f at 0 with step h (200 digits)."""
    with mpmath.workdps(200):
        return (f(h) - f(-h)) / (2 * h)


@pytest.mark.parametrize(
    ("text", "f", "by_hand"),
    [
        # f = x|x| + sqrt(x + 1e-80): defined for x >= -1e-80, so 0 is inside;
        # f'(0) = 0 + 1/(2*sqrt(1e-80)) = 5e39
        ("x*abs(x) + sqrt(x + 1e-80)", lambda x: x * abs(x) + mpmath.sqrt(x + 1e-80), 5e39),
        # 1/(2*sqrt(1e-100)) = 5e49
        ("x*abs(x) + sqrt(x + 1e-100)", lambda x: x * abs(x) + mpmath.sqrt(x + 1e-100), 5e49),
        # 1/1e-100 = 1e100
        ("x*abs(x) + log(x + 1e-100)", lambda x: x * abs(x) + mpmath.log(x + 1e-100), 1e100),
    ],
)
def test_an_edge_nearer_than_the_first_step_leaves_the_point_inside(
    cli: Cli, text: str, f: Any, by_hand: float
) -> None:
    run, result = _grad(cli, text)
    # the float64 literals 1e-80, 1e-100 (as derivcli reads them), quotient at 1e-120
    truth = float(_slope(f, mpmath.mpf("1e-120")))
    assert truth == pytest.approx(by_hand, rel=1e-12)
    assert run.code == 0
    assert result["differentiable"] is True
    assert result["verdict"] == "agree"
    assert result["left"] == pytest.approx(truth, rel=1e-12)
    assert result["right"] == pytest.approx(truth, rel=1e-12)
    assert result["symbolic"] == pytest.approx(truth, rel=1e-12)
    assert EDGE_NOTE not in (result["note"] or "")


def test_an_edge_at_2_to_the_minus_2048_leaves_the_point_inside(cli: Cli) -> None:
    # f = x|x| + sqrt(x + 2**-2048), defined for x >= -2**-2048: f'(0) =
    # 1/(2*2**-1024) = 2**1023 = 8.98846567431158e307 on both sides (float64
    # autograd says inf: sqrt's argument 2**-2048 underflows to 0)
    run, result = _grad(cli, "x*abs(x) + sqrt(x + 2**-2048)")
    with mpmath.workdps(700):
        e = mpmath.mpf(2) ** -2048
        truth = (mpmath.sqrt(e + mpmath.mpf(2) ** -4000) - mpmath.sqrt(e)) / mpmath.mpf(2) ** -4000
        assert float(truth) == 2.0**1023
    assert result["differentiable"] is True
    assert result["left"] == 2.0**1023
    assert result["right"] == 2.0**1023
    assert result["symbolic"] == 2.0**1023
    assert EDGE_NOTE not in result["note"]
    assert run.code == 1  # autograd's inf disagrees


@pytest.mark.parametrize(
    "text",
    [
        # f = x|x| except at x = -2**-2048, where log(0) leaves it undefined:
        # a hole, not an edge; f'(0) = 0 on both sides
        "x*abs(x) + 0*log(abs(x + 2**-2048))",
        # the same with exp(-4900) added and the hole at -2**-4096 (x*2**2048 =
        # -2**-2048): f continuous, f'(0) = 0; not "jumps ... left limit undefined"
        "x*abs(x) + exp(-4900) + 0*log(abs(x*2**2048 + 2**-2048))",
    ],
)
def test_a_hole_where_the_quotients_are_followed_is_no_edge(cli: Cli, text: str) -> None:
    _, result = _grad(cli, text)
    assert result["differentiable"] is True
    assert result["left"] == 0.0
    assert result["right"] == 0.0
    assert result["symbolic"] == 0.0
    assert EDGE_NOTE not in result["note"]
    assert "jumps" not in result["note"]


def test_a_right_limit_shrinking_to_a_tiny_value_at_an_edge_is_no_jump(cli: Cli) -> None:
    # f = x**1.5 + exp(-4900), defined for x >= 0: f(h) - f(0) = h**1.5 -> 0,
    # so f is right-continuous (no jump); the right derivative is
    # lim h**0.5 = 0, and there is no left side: an edge, not differentiable
    run, result = _grad(cli, "sqrt(x)**3 + exp(-4900)")
    with mpmath.workdps(80):
        h = mpmath.mpf(2) ** -20000
        assert (mpmath.sqrt(h) ** 3 + mpmath.exp(-4900)) / mpmath.exp(-4900) - 1 < mpmath.mpf(
            2
        ) ** -1000
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert EDGE_NOTE in result["note"]
    assert "jumps" not in result["note"]
    assert result["left"] is None
    assert result["right"] == 0.0


def test_a_hole_on_the_right_of_an_edge_leaves_the_right_derivative(cli: Cli) -> None:
    # f = y**1.5, but undefined at y = 2**-2048 (log(0)): no left side (an
    # edge, not differentiable), right derivative lim 1.5*sqrt(h) = 0; not
    # "defined at this point but nowhere beside it"
    run, result = _grad(cli, "sqrt(y)**3 + 0*log(abs(y - 2**-2048))", at="y=0")
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert EDGE_NOTE in result["note"]
    assert "nowhere beside" not in result["note"]
    assert result["left"] is None
    assert result["right"] == 0.0
