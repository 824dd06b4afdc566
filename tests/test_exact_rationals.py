"""Rational steps are taken exactly where rounding may decide the outcome.

Numbers in an expression are exact rationals (0.1 is 1/10) and a point's
coordinates binary fractions, so 0.1*z - 0.3 at z = 3 is exactly 0. MPFR rounds
0.1 and 0.3 to the working precision, and the difference came out 0, or a
tiny positive or negative number, by the luck of each precision's last bits.
Fuzz seed 70 found it: `partial "acos((0.1*z - 0.3)**1.5) - acsc(100 - x)"
--at x=1.166,z=3 --wrt x` said "not differentiable: f is defined at this
point but nowhere beside it along x" (at the probes beside the point along x
the base read -2**-130, and a negative base to the power 1.5 is undefined),
where d/dx exists: the acos term does not move with x at all.
"""

from __future__ import annotations

import gmpy2
import mpmath
import pytest
from conftest import Cli, CliRun, one

from derivcli.language.evaluate import Program, compile_tree, exact_value
from derivcli.language.parser import parse


def _program(text: str) -> Program:
    return compile_tree(parse(text).tree)


@pytest.mark.parametrize("precision", [64, 100, 128, 130, 256, 391, 1000, 1095, 2048, 4096])
def test_a_rational_sum_that_is_exactly_0_is_0_at_every_precision(precision: int) -> None:
    # 3/10 - 3/10 = 0 by hand; 0**1.5 is 0 and acos(0) is pi/2
    outcome = exact_value(_program("acos((0.1*z - 0.3)**1.5)"), {"z": 3.0}, precision)
    assert outcome.value is not None, outcome.undefined
    with mpmath.workprec(precision + 64):
        assert mpmath.almosteq(
            mpmath.mpf(str(outcome.value)), mpmath.pi / 2, rel_eps=mpmath.mpf(2) ** -60
        )


@pytest.mark.parametrize("k", [64, 256, 1024])
@pytest.mark.parametrize("side", [-1, 1])
def test_beside_the_point_along_another_variable_f_stays_defined(k: int, side: int) -> None:
    # the probes the analysis takes along x, at k + 64 bits with exact sums
    x = gmpy2.mpfr(1.166, 2048) + side * gmpy2.mpfr(1.166, 2048) * gmpy2.mpfr(2) ** -k
    program = _program("acos((0.1*z - 0.3)**1.5) - acsc(100 - x)")
    outcome = exact_value(program, {"x": x, "z": 3.0}, k + 64, exact_sums=True)
    assert outcome.value is not None, outcome.undefined


def _acsc_term_slope(x: float) -> mpmath.mpf:
    """d/dx of -acsc(100 - x), by hand: acsc(u)' = -u'/(|u|*sqrt(u**2 - 1)) with
    u' = -1, so d/dx = -1/(u*sqrt(u**2 - 1)) for u = 100 - x > 1."""
    with mpmath.workdps(50):
        u = 100 - mpmath.mpf(x)
        return -1 / (u * mpmath.sqrt(u**2 - 1))


def _along_x(cli: Cli, expression: str, at: str) -> CliRun:
    """``partial EXPRESSION --at AT --wrt x`` in JSON, with room for a loaded machine."""
    return cli("partial", expression, "--at", at, "--wrt", "x", "--timeout", "60", "-f", "json")


def test_fuzz_seed_70_the_derivative_along_x_exists(cli: Cli) -> None:
    run = _along_x(cli, "acos((0.1 * z - 0.3)**1.5) - acsc(100 - x)", "x=1.166,z=3.0")
    assert run.code == 0, run.err
    result = one(run)
    assert result["verdict"] == "agree"
    assert result["differentiable"] is True
    expected = _acsc_term_slope(1.166)
    assert mpmath.almosteq(result["symbolic"], expected, rel_eps=1e-15)
    assert float(expected) == pytest.approx(-0.000102378670711952, rel=1e-14)
    assert run.err == ""


def test_a_square_root_of_x_times_an_exact_0_is_defined_along_x(cli: Cli) -> None:
    # 0.1*z - 0.3 is exactly 0 at z = 3, so f is sqrt(0) + x = x along x: d/dx = 1
    run = _along_x(cli, "sqrt(x*(0.1*z - 0.3)) + x", "x=1,z=3")
    assert run.code == 0, run.err
    result = one(run)
    assert result["verdict"] == "agree"
    assert result["symbolic"] == 1.0


@pytest.mark.parametrize(("offset", "defined"), [("- 2**-300", False), ("+ 2**-300", True)])
def test_a_tiny_exact_offset_decides_the_domain(cli: Cli, offset: str, defined: bool) -> None:
    # the base is exactly -+2**-300: a negative base to the power 1.5 is
    # undefined; a positive one is defined, and f moves with x alone (d/dx = 1)
    run = _along_x(cli, f"(0.1*z - 0.3 {offset})**1.5 + x", "x=1,z=3")
    result = one(run)
    if defined:
        assert run.code == 0, run.err
        assert result["verdict"] == "agree"
        assert result["symbolic"] == 1.0
    else:
        assert run.code == 1, run.err
        assert result["verdict"] == "not differentiable"
        assert "outside the real domain" in result["note"]


def test_a_kink_at_an_exact_rational_zero_is_still_a_kink(cli: Cli) -> None:
    # abs(0.1*x - 0.3) at 3: the sides are -0.1 and 0.1 (by hand)
    run = cli("grad", "abs(0.1*x - 0.3)", "--at", "x=3", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert result["left"] == pytest.approx(-0.1, rel=1e-15)
    assert result["right"] == pytest.approx(0.1, rel=1e-15)


def test_a_rational_that_is_not_a_binary_fraction_is_left_to_rounding() -> None:
    # 0.1*z - 0.2 at z = 3 is 1/10, which no precision holds exactly: its value
    # is MPFR's rounding of it, within 2**-250 (relative) at 256 bits
    outcome = exact_value(_program("sqrt(0.1*z - 0.2)"), {"z": 3.0}, 256)
    assert outcome.value is not None
    with mpmath.workprec(400):
        assert mpmath.almosteq(
            mpmath.mpf(str(outcome.value)),
            mpmath.sqrt(mpmath.mpf(1) / 10),
            rel_eps=mpmath.mpf(2) ** -240,
        )


def test_a_rational_pole_is_a_pole(cli: Cli) -> None:
    # 0.1*x - 0.3 is exactly 0 at x = 3: 1/0 has no value (a pole), and the exact
    # rationals must not divide by it (evaluate.py:_rational_value's 0 check)
    run = cli("grad", "1/(0.1*x - 0.3)", "--at", "x=3", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert "has a pole" in result["note"]
