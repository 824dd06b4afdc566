"""c*erf(z) + c (and its signed forms) is evaluated as c*erfc(-z): no cancellation.

erf(z) tends to -1 as z goes to -infinity, and 1 + erf(z) = erfc(-z) is far
below 1: at z = -110 it is about 1e-5257, 17,460 bits down, so 16,384 bits of
the sum ``x*erf(x) + x`` round erf to -1 and the sum to exactly 0. Three wrong
outcomes came from that 0:

* ``grad "heaviside(x*erf(x)+x)*x" --at x=-137.3`` said agree, 0.5 (exit 0): the
  step read its argument's 0 as its kink. The argument is x*erfc(-x) < 0 for
  every x < 0, so f is 0 near there and the derivative is 0 (torch's float64
  sum is 0 too, so its 0.5 is a DISAGREE, not an agreement). At -110 the same f
  was said to jump (exit 1).
* ``check "heaviside(x*erf(x)+x)*x" --answer "heaviside(x)"`` said the right
  answer was wrong, "proven", at the spot x = -137.3.
* ``grad "(x*erf(x)+x)*exp(x**2)" --at x=-110`` could only say "cannot judge"
  (the sum was labelled as cancelled past the precision).

The compiler already evaluated 1 +- erf(z) as erfc; it now does so for c*(1 +-
erf(z)) written out as c*erf(z) +- c, which is how symengine writes x*(1 +
erf(x)). Oracles: mpmath (erfc, 60 digits; 12,000 where a formula cancels).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import pytest
from conftest import Cli, one

from derivcli.language.evaluate import compile_tree, exact_value
from derivcli.language.parser import parse

F = "(x*erf(x)+x)*exp(x**2)"


def _true_derivative(x: float) -> float:
    """By hand: with g = x*erf(x) + x, d/dx g*e^(x^2) = (g' + 2*x*g)*e^(x^2), g' =
    erf(x) + 1 + 2*x*e^(-x^2)/sqrt(pi); evaluated at 12,000 digits."""
    with mpmath.workdps(12000):
        t = mpmath.mpf(x)
        g = t * mpmath.erf(t) + t
        dg = mpmath.erf(t) + 1 + 2 * t * mpmath.exp(-(t**2)) / mpmath.sqrt(mpmath.pi)
        return float((dg + 2 * t * g) * mpmath.exp(t**2))


def test_the_oracle_itself() -> None:
    """The formula by hand agrees with mpmath's own numerical derivative (at
    -110, where the terms of size 124 cancel to 4.2e-7)."""

    def f(t: Any) -> Any:
        return (t * mpmath.erf(t) + t) * mpmath.exp(t**2)

    with mpmath.workdps(12000):
        x, h = mpmath.mpf(-110), mpmath.mpf(10) ** -2000
        numeric = float((f(x + h) - f(x - h)) / (2 * h))  # error ~ h**2: none at 1e-15
    assert _true_derivative(-110.0) == pytest.approx(numeric, rel=1e-15)
    assert numeric == pytest.approx(4.2377892198939618626e-7, rel=1e-15)


def _erfc(z: Any) -> Any:
    return mpmath.erfc(z)


FORMS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("x*erf(x) + x", lambda x, y: x * _erfc(-x)),
    ("x + x*erf(x)", lambda x, y: x * _erfc(-x)),
    ("erf(x)*x + x", lambda x, y: x * _erfc(-x)),
    ("x - x*erf(x)", lambda x, y: x * _erfc(x)),
    ("x*erf(x) - x", lambda x, y: -x * _erfc(x)),
    ("-x*erf(x) - x", lambda x, y: -x * _erfc(-x)),
    ("-(x*erf(x)) - x", lambda x, y: -x * _erfc(-x)),
    ("2*erf(x) + 2", lambda x, y: 2 * _erfc(-x)),
    ("-2*erf(x) - 2", lambda x, y: -2 * _erfc(-x)),
    ("(y + 1)*erf(x) + (y + 1)", lambda x, y: (y + 1) * _erfc(-x)),
    ("y*erf(x + y) + y", lambda x, y: y * _erfc(-(x + y))),
    # not the pattern (c written differently, or another c): evaluated as
    # written, with more bits where the sum cancels; still right
    ("x*erf(x) + y", lambda x, y: x * mpmath.erf(x) + y),
    ("(x + 1)*erf(x) + (1 + x)", lambda x, y: (x + 1) * _erfc(-x)),
]


@pytest.mark.parametrize(("text", "truth"), FORMS, ids=[t for t, _ in FORMS])
@pytest.mark.parametrize("x", [-137.3, -30.0, -2.5, 0.0, 3.0, 140.0])
def test_each_form_is_its_true_value(text: str, truth: Callable[[Any, Any], Any], x: float) -> None:
    outcome = exact_value(compile_tree(parse(text).tree), {"x": x, "y": 2.0})
    assert outcome.value is not None, outcome.undefined
    with mpmath.workdps(60):
        true = truth(mpmath.mpf(x), mpmath.mpf(2))
    if true == 0:
        assert outcome.value == 0
    else:
        assert float(outcome.value) == pytest.approx(float(true), rel=1e-15)
        assert (outcome.value > 0) == (true > 0)


@pytest.mark.parametrize("x", ["-137.3", "-110", "-3"])
def test_a_step_of_the_sum_is_on_its_true_side(cli: Cli, x: str) -> None:
    """heaviside(x*erfc(-x))*x is 0 for every x < 0: derivative 0 (by hand).
    torch's float64 sum is 0 at -110 and -137.3, so its heaviside is 1/2: a
    DISAGREE with the exact 0 there (exit 1), an agreement at -3."""
    run = cli("grad", "heaviside(x*erf(x)+x)*x", "--at", f"x={x}", "--timeout", "60", "-f", "json")
    result = one(run)
    assert result["symbolic"] == 0.0
    assert result["differentiable"] is True
    if x == "-3":
        assert run.code == 0, run.err
        assert result["verdict"] == "agree"
    else:
        assert run.code == 1, run.err
        assert result["verdict"] == "DISAGREE"
        assert result["autograd"] == 0.5


def test_sign_of_the_sum_is_minus_one(cli: Cli) -> None:
    """sign(x*erf(x) + x)*x is -x for x < 0: derivative -1 (by hand)."""
    run = cli("grad", "sign(x*erf(x)+x)*x", "--at", "x=-110", "--timeout", "60", "-f", "json")
    result = one(run)
    assert result["symbolic"] == -1.0
    assert result["verdict"] != "not differentiable"


def test_check_takes_the_right_answer_as_right(cli: Cli) -> None:
    """The derivative of heaviside(x*erf(x) + x)*x is heaviside(x) away from 0
    (the argument has x's sign): the spot at -137.3 said 'wrong, proven'."""
    run = cli(
        "check",
        "heaviside(x*erf(x)+x)*x",
        "--answer",
        "heaviside(x)",
        "--timeout",
        "60",
        "-f",
        "json",
    )
    assert run.code == 0, run.out
    assert run.json()["verdict"] == "right"


def test_check_still_finds_a_wrong_answer(cli: Cli) -> None:
    run = cli("check", "heaviside(x*erf(x)+x)*x", "--answer", "0", "--timeout", "60", "-f", "json")
    assert run.code == 1
    assert run.json()["verdict"] == "wrong"


@pytest.mark.parametrize("x", [-137.3, -110.0, -106.0, -30.0])
def test_the_erf_family_is_shown_and_right(cli: Cli, x: float) -> None:
    """(x*erf(x) + x)*exp(x**2) far left: the derivative (by hand, 12,000
    digits) is shown; autograd's exp(x**2) overflows float64 (nan), so the
    verdict is DISAGREE with the exact value (exit 1)."""
    run = cli("grad", F, "--at", f"x={x:g}", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    result = one(run)
    assert result["symbolic"] == pytest.approx(_true_derivative(x), rel=1e-12)


def test_a_constant_multiple_is_evaluated_as_erfc(cli: Cli) -> None:
    """(-110*erf(-110) - 110)*exp(12100) is -110*erfc(110)*exp(12100), about
    -1/sqrt(pi) (mpmath); it was labelled as cancelling past the precision."""
    with mpmath.workdps(12000):
        z = mpmath.mpf(110)
        true = float(-z * mpmath.erfc(z) * mpmath.exp(z**2))
    run = cli(
        "grad", "(-110*erf(-110)-110)*exp(12100)*x", "--at", "x=1", "--timeout", "60", "-f", "json"
    )
    assert one(run)["symbolic"] == pytest.approx(true, rel=1e-14)


def test_plot_of_the_erf_family_is_right_everywhere(cli: Cli) -> None:
    run = cli("plot", F, "--range", "-110:-106", "--points", "3", "--timeout", "60", "-f", "json")
    data = run.json()
    assert data["f_not_evaluated"] == []
    assert data["undefined"] == []
    for x, f, d in zip(data["x"], data["f"], data["symbolic"], strict=True):
        with mpmath.workdps(60):
            t = mpmath.mpf(x)
            true_f = float(t * mpmath.erfc(-t) * mpmath.exp(t**2))
        assert f == pytest.approx(true_f, rel=1e-14)
        assert d == pytest.approx(_true_derivative(x), rel=1e-12)
