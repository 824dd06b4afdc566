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
  is even), while its closed form is 0/0 there (autograd: nan).

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
