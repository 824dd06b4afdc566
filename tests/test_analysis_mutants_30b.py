"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 30, helper c: _off_line's probes, and _side_value's precision).

Each test pins a fact worked out by hand (or with mpmath at high precision),
never derivcli's own output recorded as the expectation, and names the mutant
it kills (``.venv/bin/python tools/mutate.py --show ID`` prints one).
"""

from __future__ import annotations

import time
from typing import Any

import mpmath
from conftest import Cli, one

from derivcli.language.evaluate import FLOAT64_MAX, compile_tree, exact_value
from derivcli.language.parser import parse
from derivcli.symbolic import analysis, calculus


def _partial(cli: Cli, text: str, at: str, *wrt: str) -> tuple[int, dict[str, Any]]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    return run.code, one(run)


def _derivative(text: str, wrt: tuple[str, ...]) -> analysis._Derivative:
    """The analysis' own view of one derivative of ``text`` (as prepare builds it)."""
    expression = parse(text)
    f_program = compile_tree(expression.tree)
    forms = calculus.differentiate(calculus.build(expression), wrt, deadline=time.monotonic() + 60)
    steps = analysis._Steps(wrt, expression, forms, f_program)
    return analysis._Derivative(steps, FLOAT64_MAX)


# ---------------------------------------------------------------- _off_line


def test_a_kink_line_at_a_huge_coordinate_is_probed_just_beside_the_point(cli: Cli) -> None:
    """abs(x)*sign(x) is x, so f = x*(y + J(y)) with
    J(y) = 2**-102*(y - Y - 2**57)*(y - Y - 2**101), Y = 2**60, and d2f/dxdy at
    (0, Y) is 1 + J'(Y) = 1 + 2**-102*(-2**57 - 2**101) = 1/2 - 2**-45 (by hand;
    exact in float64). The closed form of d/dx, y + sign(x)**2*J(y), reads y on
    the line x = 0 (sign(0) is 0), so the derivative must be read off the line.
    _off_line compares the line with the closed form beside it at steps along y
    moved down by _offset (61 at 2**60): y = Y + 2**-65 and Y + 2**-21, where J
    is about 2**56, far from 0, so it reads off the line. Kills
    analysis.py:047cc385:55:arith_add_sub:0 (along - _offset: the probes go to
    Y + 2**57 and Y + 2**101, exactly J's zeros, the line's convention is taken,
    and a jump of d/dx is reported: "not differentiable")."""
    text = "x*y + abs(x)*sign(x)*2**-102*(y - 2**60 - 2**57)*(y - 2**60 - 2**101)"
    code, result = _partial(cli, text, f"x=0,y={2**60}", "x", "y")
    expected = 0.5 - 2.0**-45
    assert result["differentiable"] is True, result["note"]
    assert (result["symbolic"], result["left"], result["right"]) == (expected,) * 3
    assert "jumps" not in result["note"]
    assert code == 1  # DISAGREE: autograd takes the convention (1)


def test_a_line_within_2_to_the_minus_150_of_its_side_is_trusted() -> None:
    """f = x*y + 3*2**47*x*abs(x): d/dx is y + 3*2**48*abs(x), whose closed form
    y + 3*2**47*(x*sign(x) + abs(x)) crosses the kink abs(x) along x. On the line
    x = 0 it reads y, 2**-200 beside it y + 3*2**48*2**-200 = y + 1.5*2**-151
    (both sides: abs is even). At the probes y = 1 + 2**-64 and 1 + 2**-20 the
    two differ by 1.5*2**-151/(y + 1.5*2**-151), within 2**-150 relative
    (_within(beside, here, 150) holds) but not within 2**-151: the line's value
    is the closed form's own, not a convention, so _off_line trusts it and
    returns None (no reading off the line). Kills
    analysis.py:762503cd:26:num_inc:0 (151 bits: the line is taken for a
    convention, and the derivative is read at 2**-8192 off it instead)."""
    derivative = _derivative("x*y + 3*2**47*x*abs(x)", ("x", "y"))
    program = derivative.program(1)
    point = {"x": 0.0, "y": 1.0}

    def measure(base: Any) -> tuple[Any, Any]:
        value = exact_value(program, base, exact_sums=True).value
        return value, value

    assert analysis._off_line(derivative, point, 1, "y", measure) is None


# ---------------------------------------------------------------- _side_value


def test_a_side_limit_that_needs_17400_bits_at_the_last_probe_is_read(cli: Cli) -> None:
    """f = sign(x)*(tanh(y) - 1)*exp(2*y) is -2*sign(x)/(1 + exp(-2*y)): at
    (0, 6003) it jumps along x from 2/(1 + e**-12006) to -2/(1 + e**-12006),
    that is from 2 to -2 in float64 (mpmath below), with value 0 (sign(0)). The
    sum tanh(y) - 1 is -2**-17320.07 (1 - tanh(6003) = 2/(e**12006 + 1)): it
    cancels so far that it is refined by doubling up to past 16,384 bits. The
    side limits along x are read at x = +-2**-k, k = 256, 512, 1024, with
    k + 64 bits to start: 1,088 at 2**-1024 doubles to 17,408, where the sum has
    88 bits left (it cancelled less than precision - 80 bits): a value. Kills
    analysis.py:e9f3637b:62:num_dec:0 (k + 63: 1,087 doubles to 17,392, where
    the sum has cancelled more than 17,312 bits and f's value is left to its
    rounding ("cancelled"): derivcli cannot judge the point, exit 3)."""
    with mpmath.workprec(256):
        right = -2 / (1 + mpmath.exp(-12006))
    assert float(right) == -2.0
    code, result = _partial(cli, "sign(x)*(tanh(y) - 1)*exp(2*y)", "x=0,y=6003", "x")
    assert code == 1, result["note"]
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert "jumps at x=0 (left limit 2, value 0, right limit -2)" in result["note"]


# ---------------------------------------------------------------- _defined_beside


def test_f_defined_everywhere_is_defined_beside_a_point_needing_17400_bits() -> None:
    """f = sign(x)*(tanh(y) - 1)*exp(2*y) + cosh(2**74*x) is built from functions
    defined on the whole real line, so it is defined beside (0, 6003) along x on
    both sides: _defined_beside is True (by hand). It probes x = +-2**-64 and
    +-2**-1024 with k + 64 bits to start. At 2**-64 (128 bits, doubled to
    16,384) tanh(y) - 1 rounds to 0, but cosh(2**10) = 2**1476 carries the
    value far above that 0's rounding (exp(2*y)*2**(48 - 16384) = 2**984). At
    2**-1024 cosh is about 1, and the sum tanh(y) - 1 = -2**-17320.07 is the
    value's size: 1,088 bits doubled to 17,408 keep 88 of its bits, a value.
    Kills analysis.py:9c69b5f2:62:num_dec:0 (k + 63: 1,087 doubled to 17,392,
    where the sum cancelled more than 17,312 bits and the value is left to its
    rounding: "cancelled", and _defined_beside raises _BesideOutOfRange, so the
    point cannot be judged)."""
    program = compile_tree(parse("sign(x)*(tanh(y) - 1)*exp(2*y) + cosh(2**74*x)").tree)
    point = {"x": 0.0, "y": 6003.0}
    assert analysis._defined_beside(program, point, "x", -1) is True
    assert analysis._defined_beside(program, point, "x", +1) is True
