"""A power to a huge exponent of a base next to 1: what a user review found in stop 35.

The exact evaluation rounded ``1 + x/1e200`` to 1 at 256 bits, and at 512
alike, so ``(1 + x/1e200)**1e200`` at 1 came out 1 twice; two precisions
that agree were taken for the value, and derivcli said "agree" (exit 0)
with autograd's 1, where the derivative is e. A power multiplies its base's
relative error by |exponent|, a loss no value shows: the evaluation now adds
log2|exponent| bits at once. Past about 1e299 the same loss also passed for
a pole: at 4x the bits the power "grew" from 1 to e while still below its
estimated rounding, the mark of a pole's noise, so f was "undefined".

Every truth is mpmath's, at the decimal precision given beside it (far more
digits than the exponent has), by its own numerical differentiation
(``mp.diff``), never derivcli's closed form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import pytest
from conftest import Cli, one

Truth = Callable[[Any], Any]


def _truth(function: Truth, at: float, order: int = 1, dps: int = 800) -> float:
    """d^order/dx^order of ``function`` at the float ``at``, by mpmath at ``dps``
    digits, rounded once to float64."""
    with mpmath.workdps(dps):
        return float(mpmath.diff(function, mpmath.mpf(at), order))


def _grad(cli: Cli, text: str, at: str, *extra: str) -> tuple[int, dict[str, Any]]:
    run = cli("grad", text, "--at", at, *extra, "-f", "json", "--timeout", "60")
    assert run.err == "" or run.code == 1, run.err
    return run.code, one(run)


def _n(exponent: int) -> Any:
    return mpmath.mpf(10) ** exponent


# (expression, --at, extra options, the truth as a function of x, its order, x)
WRONG_AGREEMENTS = [
    # (1 + 1e-200)**(1e200 - 1) is e to 1e-200: d/dx (1 + x/N)**N = (1 + x/N)**(N - 1)
    ("(1 + x/1e200)**1e200", "x=1", (), lambda t: (1 + t / _n(200)) ** _n(200), 1, 1.0),
    ("(1 + x/1e78)**1e78", "x=1", (), lambda t: (1 + t / _n(78)) ** _n(78), 1, 1.0),
    # 1e70 is past 2**176, the 80 bits the evaluation may lose at 256: 2.7182816
    ("(1 + x/1e70)**1e70", "x=1", (), lambda t: (1 + t / _n(70)) ** _n(70), 1, 1.0),
    # -1e160*cos(x)**(1e160 - 1)*sin(x) at 1e-80: -1e80*exp(-1/2), -6.0653e79
    ("cos(x)**1e160", "x=1e-80", (), lambda t: mpmath.cos(t) ** _n(160), 1, 1e-80),
    # 1e80*cosh(x)**(1e80 - 1)*sinh(x) at 1e-40: 1e40*exp(1/2), 1.6487e40
    ("cosh(x)**1e80", "x=1e-40", (), lambda t: mpmath.cosh(t) ** _n(80), 1, 1e-40),
    # N*(N - 1)*(1 + x)**(N - 2) at 1/N: N**2*e, 2.718e156
    ("(1+x)**1e78", "x=1e-78", ("--order", "2"), lambda t: (1 + t) ** _n(78), 2, 1e-78),
    # N**3*1e-300*(1 + 2e-100)**(N - 3): e**2
    (
        "(1+1e-100*x)**1e100",
        "x=2",
        ("--order", "3"),
        lambda t: (1 + t / _n(100)) ** _n(100),
        3,
        2.0,
    ),
]


@pytest.mark.parametrize(
    ("text", "at", "extra", "function", "order", "x"),
    WRONG_AGREEMENTS,
    ids=[case[0] + " " + " ".join(case[2]) for case in WRONG_AGREEMENTS],
)
def test_a_huge_power_of_a_base_next_to_1_is_evaluated_right(
    cli: Cli,
    text: str,
    at: str,
    extra: tuple[str, ...],
    function: Truth,
    order: int,
    x: float,
) -> None:
    code, result = _grad(cli, text, at, *extra)
    truth = _truth(function, x, order)
    assert result["symbolic"] == pytest.approx(truth, rel=4e-16)
    # torch's float64 base is 1 (autograd's 1, -1e80, 1e40, 1e156): a
    # disagreement, not "agree" with a wrong value
    assert abs(result["autograd"] - truth) > 0.2 * abs(truth)
    assert result["verdict"] != "agree" and not result["agree"]
    assert code == 1


def test_erf_to_1e80_at_14_is_right_to_the_last_bit(cli: Cli) -> None:
    # erf(14) = 1 - 8e-87: 1e80*erf(14)**(1e80 - 1)*2/sqrt(pi)*exp(-196), about
    # 8.5258261826972e-06. 256 bits gave 8.525828772e-06 (3e-7 off); autograd's
    # value is as far off, within the default atol of 1e-10, so they still agree
    code, result = _grad(cli, "erf(x)**1e80", "x=14")
    truth = _truth(lambda t: mpmath.erf(t) ** _n(80), 14.0)
    assert result["symbolic"] == pytest.approx(truth, rel=4e-16)
    assert code == 0


def test_an_exponent_of_1e300_is_no_pole(cli: Cli) -> None:
    # (1 + 1e-300)**(1e300 - 1) is e: was "the function is undefined ... has a pole"
    code, result = _grad(cli, "(1 + x/1e300)**1e300", "x=1")
    assert result["symbolic"] == pytest.approx(_truth(lambda t: (1 + t / _n(300)) ** _n(300), 1.0))
    assert result["differentiable"] is True
    assert result["verdict"] != "agree"  # autograd's 1
    assert code == 1


def test_the_limit_of_1_plus_x_to_1_over_x_is_no_pole(cli: Cli) -> None:
    # (1 + x)**(1/x) = e*(1 - x/2 + 11x**2/24 - ...): its derivative at 1e-300
    # is -e/2 to 1e-300, -1.3591409142295225 in float64. Autograd is nan (1/x
    # is 1e300, its derivative -1e600 overflows): a disagreement, not a pole
    code, result = _grad(cli, "(1+x)**(1/x)", "x=1e-300")
    truth = _truth(lambda t: (1 + t) ** (1 / t), 1e-300, dps=1500)
    assert truth == -1.3591409142295225
    assert result["symbolic"] == truth
    assert result["differentiable"] is True
    assert code == 1


def test_1_plus_1_over_x_to_the_x_at_1e300_is_defined(cli: Cli) -> None:
    # (1 + 1/x)**x = e*(1 - 1/(2x) + ...): its derivative at 1e300 is about
    # e/(2x**2) = 1.4e-600, 0 in float64, as autograd's (was "has a pole")
    code, result = _grad(cli, "(1 + 1/x)**x", "x=1e300")
    with mpmath.workdps(1500):
        x = mpmath.mpf(1e300)
        exact = mpmath.diff(lambda t: (1 + 1 / t) ** t, x, h=x * mpmath.mpf(10) ** -400)
        assert exact == pytest.approx(mpmath.e / (2 * x**2), rel=1e-6)
    assert result["symbolic"] == 0.0 == float(exact)
    assert result["differentiable"] is True
    assert result["verdict"] == "agree"
    assert code == 0


def test_a_closed_form_too_large_for_the_tree_evaluator_is_right_too(cli: Cli) -> None:
    # The 10th derivative is about 4,900 operations, past the 4,000 evaluated
    # node by node: symengine evaluates it at 256 and 512 bits, which both round
    # 1 + x/1e200 to 1 and agreed on 3.4543e32 (autograd's too: "agree", exit
    # 0). With the base's factor e**x, it is about 2.7x that: 9.3898e32
    code, result = _grad(cli, "(1+x/1e200)**1e200*tan(tan(x))", "x=1", "--order", "10")
    truth = _truth(lambda t: (1 + t / _n(200)) ** _n(200) * mpmath.tan(mpmath.tan(t)), 1.0, 10)
    assert truth == pytest.approx(9.3898444725771316e32, rel=1e-15)
    assert result["symbolic"] == pytest.approx(truth, rel=4e-16)
    assert not result["agree"]
    assert code == 1


def test_a_chain_of_huge_powers_adds_every_power_s_bits(cli: Cli) -> None:
    # ((1 + x/1e200)**(1e100 + 1/2))**(1e100 + 1/2) is (1 + x/1e200)**((1e100 + 1/2)**2),
    # about e**x: each power alone loses 333 bits, the chain 665, and the first
    # fix added only the larger one's (it said 1, agree, exit 0; a review's find)
    for text, powers in (
        ("((1 + x/1e200)**(1e100+0.5))**(1e100+0.5)", (100, 100)),
        ("(((1 + x/1e200)**(1e60+0.5))**(1e60+0.5))**(1e80+0.5)", (60, 60, 80)),
    ):

        def f(x: Any, powers: tuple[int, ...] = powers) -> Any:
            value = 1 + x / _n(200)  # exact decimals, at mpmath's working precision
            for k in powers:
                value = value ** (_n(k) + mpmath.mpf(1) / 2)
            return value

        _, result = _grad(cli, text, "x=1")
        assert result["symbolic"] == _truth(f, 1.0, dps=1000)
