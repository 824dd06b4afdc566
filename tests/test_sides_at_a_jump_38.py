"""left/right at a jump are the one-sided derivatives (a student review, stop 38).

Where f itself jumps, derivcli gave as "left" and "right" the limits of f' on
each side (0 and 0 for floor at 2), beside the verdict "not differentiable".
The README defines them as one-sided derivatives, the limits of f's one-sided
difference quotients (f(x0 + h) - f(x0))/h as h -> 0-, 0+. On a side where f's
limit L differs from its value f(x0), that quotient is about (L - f(x0))/h: it
diverges, to sign(f(x0) - L)*inf on the left (h < 0) and sign(R - f(x0))*inf on
the right; on a side where f is continuous it is the ordinary one-sided
derivative. And where a lower derivative f^(k-1), k >= 2, jumps, f^(k-1) has no
value at the point, so no one-sided derivative of order k exists: null.

Every value here is worked out by hand in the comments, from f's value at the
point as derivcli's expression language defines it (heaviside(0) = 1/2, sign(0)
= 0, round halves to even as torch.round: round(0.5) = 0, hardshrink(0.5) = 0
with lambd = 0.5, since it keeps only |a| > lambd).
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Cli, one

INF = "inf"  # JSON writes infinities as strings


def _sides(cli: Cli, *args: str) -> tuple[int, dict[str, Any]]:
    run = cli(*args, "-f", "json", "--timeout", "60")
    assert run.err == ""
    return run.code, one(run)


@pytest.mark.parametrize(
    ("expression", "at", "left", "right"),
    [
        # floor at 2: f(2) = 2, left limit 1, right limit 2. Left quotient
        # (1 - 2)/(-h) = 1/h -> +inf; right (2 - 2)/h = 0 -> 0
        ("floor(x)", "x=2", INF, 0.0),
        # -floor(x) at 2, the jump the other way: f(2) = -2, left limit -1:
        # (-1 - -2)/(-h) = -1/h -> -inf; right (-2 - -2)/h = 0
        ("-floor(x)", "x=2", "-inf", 0.0),
        # ceil at 2: f(2) = 2, left limit 2: left (2 - 2)/(-h) = 0; right limit
        # 3: (3 - 2)/h -> +inf
        ("ceil(x)", "x=2", 0.0, INF),
        # heaviside at 0: f(0) = 1/2. Left (0 - 1/2)/(-h) = 1/(2h) -> +inf;
        # right (1 - 1/2)/h -> +inf
        ("heaviside(x)", "x=0", INF, INF),
        # sign at 0: f(0) = 0. Left (-1 - 0)/(-h) -> +inf; right (1 - 0)/h -> +inf
        ("sign(x)", "x=0", INF, INF),
        # round at 0.5: f(0.5) = 0 (halves to even), left limit 0: (0 - 0)/(-h)
        # = 0; right limit 1: (1 - 0)/h -> +inf
        ("round(x)", "x=0.5", 0.0, INF),
        # hardshrink at lambd = 0.5: f(0.5) = 0, f = 0 on (-0.5, 0.5]: left 0;
        # right of 0.5 f = x, limit 0.5: (0.5 + h - 0)/h -> +inf
        ("hardshrink(x)", "x=0.5", 0.0, INF),
        # and at -lambd: f(-0.5) = 0, left of it f = x, limit -0.5:
        # (-0.5 - h - 0)/(-h) -> +inf; right f = 0: 0
        ("hardshrink(x)", "x=-0.5", INF, 0.0),
        # 3*floor(x) - x at 2: f(2) = 4, left limit 3 - 2 = 1... f(2 - h) =
        # 3 - 2 + h = 1 + h: (1 + h - 4)/(-h) -> +inf; right f(2 + h) = 6 - 2 - h
        # = 4 - h: (4 - h - 4)/h = -1
        ("3*floor(x) - x", "x=2", INF, -1.0),
    ],
)
def test_where_f_jumps_a_side_off_its_value_is_infinite(
    cli: Cli, expression: str, at: str, left: float | str, right: float | str
) -> None:
    code, result = _sides(cli, "grad", expression, "--at", at)
    assert code == 1
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert (result["left"], result["right"]) == (left, right)
    assert "jumps" in result["note"]


@pytest.mark.parametrize(
    ("expression", "at", "left", "right"),
    [
        # below the side limits' resolution: y + 2**-200*(1 - sign(y)**2) at 0
        # is 2**-200 at 0 and y beside it: left (-h - 2**-200)/(-h) -> +inf,
        # right (h - 2**-200)/h -> -inf
        ("y + 2**-200*(1 - sign(y)**2)", "y=0", INF, "-inf"),
        # z + 1e-200*ceil(z) at 1: f(1) = 1 + 1e-200, the left limit too (f = z
        # + 1e-200 on (0, 1]): left derivative 1; right limit 1 + 2e-200:
        # (1e-200 + h)/h -> +inf
        ("z + 1e-200*ceil(z)", "z=1", 1.0, INF),
        # 1e20 - heaviside(cos(x) - 1) at 0: cos(x) - 1 is 0 at 0 only, so f is
        # 1e20 - 1/2 there and 1e20 beside: left (1/2)/(-h) -> -inf, right +inf
        ("1e20 - heaviside(cos(x) - 1)", "x=0", "-inf", INF),
        # a jump of 1 on the left and one of 2**-201 on the right, below the
        # side limits' 2**-100: f(2) = 2 + 2**-201, left limit 1: +inf; right
        # limit 2 + 2**-200: (2**-201)/h -> +inf; with heaviside(2 - x) the
        # right limit is 2: (-2**-201)/h -> -inf (and the left 1 + 2**-200: +inf)
        ("floor(x) + 2**-200*heaviside(x - 2)", "x=2", INF, INF),
        ("floor(x) + 2**-200*heaviside(2 - x)", "x=2", INF, "-inf"),
    ],
)
def test_a_jump_below_the_limits_resolution_has_its_sides_signed(
    cli: Cli, expression: str, at: str, left: float | str, right: float | str
) -> None:
    code, result = _sides(cli, "grad", expression, "--at", at)
    assert code == 1
    assert result["verdict"] == "not differentiable"
    assert (result["left"], result["right"]) == (left, right)


@pytest.mark.parametrize(
    ("expression", "at", "wrt", "right"),
    [
        # x**y at (0, 0) along y: 0**0 = 1, 0**h = 0 for h > 0, nothing for
        # h < 0 (a pole): right (0 - 1)/h -> -inf
        ("x**y", "x=0,y=0", "y", "-inf"),
        # sqrt(x)**3 + e**-4900*(1 - heaviside(x)) at 0: f(0) = e**-4900/2, f =
        # x**1.5 right of 0 (limit 0), nothing left of it: right (h**1.5 -
        # e**-4900/2)/h -> -inf; with 1 + heaviside(x), f(0) = 1.5*e**-4900 and
        # the right limit 2*e**-4900: +inf
        ("sqrt(x)**3 + exp(-4900)*(1 - heaviside(x))", "x=0", "x", "-inf"),
        ("sqrt(x)**3 + exp(-4900)*(1 + heaviside(x))", "x=0", "x", INF),
    ],
)
def test_a_jump_at_an_edge_of_the_domain_has_its_one_side(
    cli: Cli, expression: str, at: str, wrt: str, right: str
) -> None:
    code, result = _sides(cli, "partial", expression, "--wrt", wrt, "--at", at)
    assert code == 1
    assert result["verdict"] == "not differentiable"
    assert (result["left"], result["right"]) == (None, right)


def test_where_a_lower_derivative_jumps_no_one_sided_derivative_exists(cli: Cli) -> None:
    # relu' jumps at 0 (0 on the left, 1 on the right): relu'(0) does not exist,
    # so neither does (relu'(h) - relu'(0))/h on either side
    code, result = _sides(cli, "grad", "relu(x)", "--order", "2", "--at", "x=0")
    assert code == 1
    assert result["verdict"] == "not differentiable"
    assert result["left"] is None
    assert result["right"] is None
    # and f jumping leaves f' without a value: floor'' has no sides at 2 either
    code, result = _sides(cli, "grad", "floor(x)", "--order", "2", "--at", "x=2")
    assert code == 1
    assert (result["left"], result["right"]) == (None, None)


def test_latex_shows_the_infinite_side_and_no_sides_for_a_lower_jump(cli: Cli) -> None:
    # floor at 2: left +inf, right 0 (see above)
    run = cli("grad", "floor(x)", "--at", "x=2", "--format", "latex", "--timeout", "60")
    assert run.code == 1
    assert run.err == ""
    assert (
        r"\left.\frac{df}{dx}\right|_{x = 2^{-}} &= \infty,\ "
        r"\left.\frac{df}{dx}\right|_{x = 2^{+}} = 0 && "
        r"\text{autograd } 0\text{, not differentiable}"
    ) in run.out
    # relu'' at 0: neither side exists, so no side is printed as a number
    run = cli(
        "grad", "relu(x)", "--order", "2", "--at", "x=0", "--format", "latex", "--timeout", "60"
    )
    assert run.code == 1
    assert run.err == ""
    assert (
        r"\left.\frac{d^{2}f}{dx^{2}}\right|_{x = 0} &\ \text{does not exist} && "
        r"\text{autograd } 0\text{, not differentiable}"
    ) in run.out
    assert "0^{-}" not in run.out
    assert "0^{+}" not in run.out


def test_the_hessian_gradient_line_shows_the_one_sided_derivatives(cli: Cli) -> None:
    # heaviside(x) + y**2 at (0, 1): along x f is heaviside(x) + 1, value 1.5,
    # limits 1 and 2: left (1 - 1.5)/(-h) -> +inf, right (2 - 1.5)/h -> +inf
    run = cli("hessian", "heaviside(x) + y**2", "--at", "x=0,y=1", "--timeout", "60")
    assert run.code == 1
    assert run.err == ""
    text = " ".join(run.out.split())
    assert "gradient: not differentiable (d/dx: left derivative inf, right inf;" in text
    assert "left derivative 0, right 0" not in text


def test_a_hessian_entry_at_a_lower_jump_has_no_sides(cli: Cli) -> None:
    # relu(x) + y**2 at (0, 1): d2/dx2 is d/dx of relu'(x) = heaviside(x), which
    # jumps at 0 (0 on the left, 1 on the right): relu'(0) does not exist, so
    # neither one-sided second derivative does
    run = cli("hessian", "relu(x) + y**2", "--at", "x=0,y=1", "-f", "json", "--timeout", "60")
    assert run.code == 1
    assert run.err == ""
    (point,) = run.json()["points"]
    xx = point["entries"][0][0]
    assert xx["verdict"] == "not differentiable"
    assert (xx["left"], xx["right"]) == (None, None)
    # the gradient's d/dx is relu' itself: left 0, right 1 (relu is continuous)
    dx = point["gradient"]["entries"][0]
    assert (dx["left"], dx["right"]) == (0.0, 1.0)
