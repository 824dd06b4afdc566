"""Fuzz seed 80's findings: erfinv(0) is exactly 0 (derivcli), and a step
function of an argument past 2**64 is beyond the oracle (tests/oracle.py)."""

from __future__ import annotations

import oracle
from conftest import Cli, one

from derivcli.language.evaluate import compile_tree, exact_value
from derivcli.language.parser import parse


def test_erfinv_of_an_exact_0_is_an_exact_0() -> None:
    # erfinv(0) = 0 (erf(0) = 0); through mpmath every value was flagged rounded,
    # so 1/erfinv(x) at 0 looked like a pole within rounding
    outcome = exact_value(compile_tree(parse("erfinv(x)").tree), {"x": 0.0})
    assert outcome.value == 0 and not outcome.rounded


def test_a_pole_through_erfinv_of_0_is_judged(cli: Cli) -> None:
    # celu(erfinv(0), 0.5) = celu(0, 0.5) = 0 exactly, and 0**-0.5 is a pole:
    # f is undefined at y = 0 (exit 1); it said it could not judge (exit 3)
    run = cli(
        "partial", "celu(erfinv(y), 0.5)**-0.5", "--at", "y=0.0", "--wrt", "y",
        "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert result["note"].startswith("the function is undefined at y=0")
    assert "has a pole" in result["note"]


def test_erfinv_beside_0_is_unchanged(cli: Cli) -> None:
    # d/dx erfinv(x) = sqrt(pi)/2*exp(erfinv(x)**2): sqrt(pi)/2 at 0
    run = cli("grad", "erfinv(x)", "--at", "x=0", "--timeout", "60", "-f", "plain")
    assert (run.code, run.out) == (0, "0.886226925452758\n")


def test_a_step_function_of_a_huge_exact_argument_is_beyond_the_oracle() -> None:
    # round(1e300*z) at z = 3.529: 1e300*z is a whole number there (z is a
    # binary fraction of 2**-51, and 10**300 has 2**300 in it), off round's
    # steps at the halves, so f is flat and f' = 0, as derivcli says; it steps
    # every 1e-300 in z, and the oracle's differences saw the slope 1e300
    truth = oracle.Oracle().judge("round(1e300 * z)", {"z": 3.529}, ("z",))
    assert not truth.conclusive and "step function" in truth.reason
    # a step function of a small argument stays conclusive: d/dz (z + ceil(z)) = 1
    truth = oracle.Oracle().judge("z + ceil(z)", {"z": 1.5}, ("z",))
    assert truth.conclusive and truth.value == 1


def test_hardtanh_of_a_rounded_constant_past_its_end_is_exact(cli: Cli) -> None:
    """Fuzz seed 81: hardtanh(E) = min(max(E, -1), 1) is exactly 1 (E > 1), and
    mish(0) = 0*tanh(softplus(0)) = 0, so sqrt(-hardtanh(E) + mish(y)) at 0 is
    sqrt(-1): f is undefined (exit 1). derivcli said it could not judge (exit
    3): the check that a failure is exact did not know that min choosing an
    exact 1, clearly apart from E, is exact."""
    run = cli(
        "grad", "sqrt(-hardtanh(E) + mish(y))", "--at", "y=0.0", "--timeout", "60", "-f", "json"
    )
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert result["note"].startswith("the function is undefined at y=0")
    assert "outside the real domain" in result["note"]
