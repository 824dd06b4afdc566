"""atan2 at the origin is 0 however its zeros were reached: a real 0 has no sign.

Fuzz seed 73 (stop 30's final code): `partial "y * x / atan2(z, -z)" --at
x=-2.56,y=0.0,z=0.0 --wrt z --wrt z --wrt x` said agree, 0 ("atan2 has its kink
... the left and right derivatives meet"). At z = 0, -z is the float -0.0 and
MPFR's atan2(+0, -0) is pi, so derivcli took f there for y*x/pi = 0. The point
is the origin of atan2, where the real function is 0 (derivcli's own
convention, and the oracle's): f is y*x/0, undefined, so there is no
derivative. derivcli already dropped the sign of a zero first argument
(atan2(-x**2, -1) at 0 is pi); now it drops the second's too.

The values below are by hand or from mpmath, never from derivcli.
"""

from __future__ import annotations

import math

import gmpy2
import mpmath
import numpy as np
import pytest
from conftest import Cli, one

from derivcli.language.functions import function


def test_the_fuzz_73_point_is_undefined(cli: Cli) -> None:
    run = cli(
        "partial", "y * x / atan2(z, -z)", "--at", "x=-2.56,y=0.0,z=0.0",
        "--wrt", "z", "--wrt", "z", "--wrt", "x", "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert "the function is undefined at x=-2.56, y=0, z=0" in result["note"]


@pytest.mark.parametrize(
    ("expression", "left", "right"),
    [
        # z < 0: the point (-z, z) is in the 4th quadrant; z > 0: in the 2nd
        ("atan2(z, -z)", -mpmath.pi / 4, 3 * mpmath.pi / 4),
        # z < 0: (-z, -z) in the 1st quadrant; z > 0: (-z, -z) in the 3rd
        ("atan2(-z, -z)", mpmath.pi / 4, -3 * mpmath.pi / 4),
        # on the positive x axis left of 0, on the negative x axis right of it
        ("atan2(0, -z)", 0, mpmath.pi),
    ],
)
def test_the_value_at_the_origin_is_zero(
    cli: Cli, expression: str, left: float, right: float
) -> None:
    run = cli("grad", expression, "--at", "z=0", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    note = one(run)["note"]
    assert "jumps at z=0" in note
    assert f"(left limit {float(left):.10g}, value 0, right limit {float(right):.10g})" in note


def test_the_negative_x_axis_is_still_pi(cli: Cli) -> None:
    # -x**2 at 0 is -0.0; atan2(0, -1) = pi (mpmath), the sides' limit is -pi
    assert mpmath.atan2(0, -1) == mpmath.pi
    run = cli("grad", "atan2(-x**2, -1)", "--at", "x=0", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.err
    note = one(run)["note"]
    assert f"value {math.pi:.10g}, right limit {-math.pi:.10g}" in note


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (-0.0, -0.0, 0.0),
        (0.0, -0.0, 0.0),
        (-0.0, 0.0, 0.0),
        (-0.0, -1.0, math.pi),
        (1.0, -0.0, math.pi / 2),
    ],
)
def test_both_engines_drop_the_sign_of_zero(a: float, b: float, expected: float) -> None:
    spec = function("atan2")
    assert spec.exact is not None and spec.float64 is not None
    exact = spec.exact(gmpy2, [gmpy2.mpfr(a), gmpy2.mpfr(b)])
    assert float(exact) == expected
    assert math.copysign(1.0, float(exact)) == math.copysign(1.0, expected)
    fast = spec.float64(np, [np.float64(a), np.float64(b)])
    assert float(fast) == expected
    assert math.copysign(1.0, float(fast)) == math.copysign(1.0, expected)
