"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 37, helper s2).

Pinned here, each by a fact worked out by hand (never derivcli's own output
recorded as the expectation):

- _defined_at_steps evaluates f beside a point past 2**53 at the probe steps
  moved down by _offset (2**-(k + offset) relative, about 2**-k absolute) with
  k + offset + PROBE_GUARD_BITS bits: at x = 2**997 the offset is 998, and a
  precision of k - offset + 128 would be negative (MPFR refuses it). The hole
  2**-128*sqrt(R)**2, R = ((x - 2**997)*2**-933 + 1)**2 - 1/16, has no value for
  x - 2**997 in (-5/4, -3/4)*2**933, which holds the point 2**-64 (relative,
  2**933 absolute) left of 2**997 that _defined_beside probes, so the domain
  along x is decided at the quotients' steps. Wherever R >= 0 the hole is
  2**-128*R, a function of x alone: it adds nothing to d2/dxdy. And
  sinc(u)*y**2 (u = x - 2**997) has d2/dxdy = 2*y*sinc'(u), 0 at u = 0 (sinc
  is even), while its closed form is 0/0 there (autograd: nan);
- _line_differs looks for a kink line whose closed form is not the derivative
  at 2**-20 along the other variable, among other distances: f = abs(x)*
  sign(x)*y + (1 - sign(x)**2)*x*q(y) is x*y (the second term is 0 for every
  x), and d/dx's closed form on x = 0 is q(y), which differs from y beside the
  line by more than 2**-150 at y = +-2**-20 only, so only that reading sends
  d2f/dxdy = 1 off the line, past q's jump of 2**-200 at y = 0;
- ZERO_ALONG_EXPONENTS starts at 2**-32: a kink argument that is 0 along x at
  +-2**-33 and +-2**-20 only (u = y - 1 + x*(x**2 - 2**-66)*(x**2 - 2**-40))
  puts no line under the probe steps, where the closed form is the
  derivative; read off a line instead, the slow left limit 1 of d/dy of
  (x + 1e-9*relu(-x)**1.0625)*y + u*x**2 along x is no longer recognised.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from conftest import Cli, one

HOLE_FAR_LEFT = "2**-128*sqrt(((x-2**997)*2**-933+1)**2 - 1/16)**2"


def test_the_domain_at_the_steps_beside_a_huge_point_is_read_with_the_offset_bits(
    cli: Cli,
) -> None:
    # kills derivcli/symbolic/analysis.py:98e8ed4b:2:arith_add_sub:0 (precision
    # k - offset + PROBE_GUARD_BITS: "invalid value for precision")
    run = cli(
        "partial",
        f"sinc(x-2**997)*y**2 + {HOLE_FAR_LEFT}",
        "--wrt",
        "x",
        "--wrt",
        "y",
        "--at",
        "x=2**997,y=1",
        "-f",
        "json",
        "--timeout",
        "60",
    )
    result = one(run)
    assert run.err == ""
    assert run.code == 1 and result["verdict"] == "DISAGREE"
    assert result["differentiable"] is True
    assert (result["left"], result["right"]) == (0.0, 0.0)
    assert result["symbolic"] == 0.0 and result["autograd"] == "nan"


# (1 - sign(x)**2)*x is 0 for every x (1 - sign(x)**2 is 0 but at x = 0, where
# x is), so f below is x*y and d2f/dxdy = 1 everywhere. The closed form of d/dx
# on the line x = 0 is the convention q(y) = y + 2**-200*relu(y) + y**4*(y**2 -
# 2**-38), y beside it: they differ by more than 2**-150 (relative) at y =
# +-2**-20 only (q - y = -3*2**-120 there), not at +-2**-19 (y**2 = 2**-38), nor
# at 2**-64 or the probe steps (relative 2**-200 and below). So only the reading
# at 2**-20 along y shows that the line misleads; on it, q's jump of 2**-200 at
# y = 0 would pass for one of d/dx.
LINE_AT_2_TO_THE_MINUS_20 = (
    "abs(x)*sign(x)*y + (1 - sign(x)**2)*x*(y + 2**-200*relu(y) + y**4*(y**2 - 2**-38))"
)


def test_a_kink_line_that_misleads_at_2_to_the_minus_20_only_is_read_off(cli: Cli) -> None:
    # kills derivcli/symbolic/analysis.py:ffa8c6f1:18:num_dec:0 (the reading at
    # 2**-19 instead: "not differentiable", a jump of 2**-200)
    run = cli(
        "partial",
        LINE_AT_2_TO_THE_MINUS_20,
        "--wrt",
        "x",
        "--wrt",
        "y",
        "--at",
        "x=0,y=0",
        "-f",
        "json",
        "--timeout",
        "60",
    )
    result = one(run)
    assert run.err == ""
    assert run.code == 0 and result["verdict"] == "agree"
    assert result["differentiable"] is True
    assert (result["left"], result["right"]) == (1.0, 1.0)
    assert result["symbolic"] == 1.0


# u = y - 1 + c(x), c(x) = x*(x**2 - 2**-66)*(x**2 - 2**-40): along x at
# x = 0 it is 0 at +-2**-33 and +-2**-20 (and 0), at none of +-2**-32, 2**-64 or
# the probe steps. abs(u)*sign(u) = u, so f = (x + 1e-9*relu(-x)**1.0625)*y +
# u*x**2 and d/dy = x + 1e-9*relu(-x)**1.0625 + x**2, whose slope along x at 0
# is 1 on both sides: on the left its quotients are 1 - 1e-9*h**(1/16) - h,
# reaching 1 slowly (2**-64 apart at h = 2**-1024), and d2f/dydx = 1 exists.
U_33 = "(y - 1 + x*(x**2-2**-66)*(x**2-2**-40))"
SLOW_BESIDE_A_LINE_AT_2_TO_THE_MINUS_33 = (
    f"(x + 1e-9*relu(-x)**1.0625)*y + abs({U_33})*sign({U_33})*x**2"
)


def test_a_kink_argument_0_at_2_to_the_minus_33_only_is_no_line(cli: Cli) -> None:
    # kills derivcli/symbolic/analysis.py:52d7d401:24:num_inc:0 (the kink's zero
    # looked for at 2**-33: the line is read off, the slow left limit of d/dy is
    # no longer recognised, "not differentiable")
    run = cli(
        "partial",
        SLOW_BESIDE_A_LINE_AT_2_TO_THE_MINUS_33,
        "--wrt",
        "y",
        "--wrt",
        "x",
        "--at",
        "x=0,y=1",
        "-f",
        "json",
        "--timeout",
        "60",
    )
    result = one(run)
    assert run.err == ""
    assert run.code == 0 and result["verdict"] == "agree"
    assert result["differentiable"] is True
    assert (result["left"], result["right"]) == (1.0, 1.0)
    assert result["symbolic"] == 1.0
