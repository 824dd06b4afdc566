"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 35, part a): `_value_here`, f's value at a kink or a domain edge.

Pinned here, each by a fact worked out by hand or with mpmath (never
derivcli's own output recorded as the expectation):

- _value_here doubles the precision from the one the value was had at, not
  the one asked for. exact_value goes past the precision asked for where a
  sum cancels: cos(5e-103) - 1 (-1.25e-205, 680 bits below its terms), asked
  for at 384 bits, is evaluated at 768, where 88 bits of it are left. Asked
  for at 768, exact_value gave the same value again, which agreed with itself
  to every bit, and that value, good to about 2**-91, was compared with f's
  limits to 2**-100: x*abs(x) + cos(5e-103) - 1 "jumped" at 0 by 3.7e-233
  (not differentiable, exit 1), and x*sqrt(x) + cos(5e-103) - 1 "jumped" at
  the edge of its domain. Both are continuous: a constant added to x*abs(x)
  (derivative 2*abs(x), 0 at 0) and to x**1.5 (right derivative 0 at 0);
- a real jump of that size is still found.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

import mpmath
from conftest import Cli, one


def _cancelled() -> str:
    # cos(5e-103) - 1 = -(5e-103)**2/2 + O(1e-410): -1.25e-205 to 200 digits
    with mpmath.workdps(300):
        value = mpmath.cos(mpmath.mpf("5e-103")) - 1
    return mpmath.nstr(value, 3)


def test_a_constant_cancelling_680_bits_is_no_jump_at_a_kink(cli: Cli) -> None:
    # f = x*abs(x) + c, c = cos(5e-103) - 1: f' = 2*abs(x), 0 at 0 from both
    # sides, and f is continuous (c is a constant). The original code's find
    # (stop 35): "jumps by -3.723809706e-233", not differentiable
    assert _cancelled() == "-1.25e-205"
    run = cli("grad", "x*abs(x) + cos(5e-103) - 1", "--at", "x=0", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.out
    result = one(run)
    assert result["verdict"] == "agree"
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (0.0, 0.0, 0.0)


def test_a_constant_cancelling_680_bits_is_no_jump_at_a_domain_edge(cli: Cli) -> None:
    # f = x*sqrt(x) + c is undefined left of 0; right of it f' = 1.5*sqrt(x),
    # whose limit at 0 is 0, and f's value at 0 is c, its right limit: no jump
    # (the original code: "jumps at x=0 (left limit undefined, value -1.25e-205,
    # right limit -1.25e-205)")
    run = cli("grad", "x*sqrt(x) + cos(5e-103) - 1", "--at", "x=0", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.out
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert "jumps" not in result["note"]
    assert "undefined on the left" in result["note"]
    assert "right 0)" in result["note"]


def test_a_real_jump_of_that_size_is_still_found(cli: Cli) -> None:
    # (1 - sign(x)**2) is 1 at 0 and 0 beside it: f is x*abs(x) beside 0 (limits
    # 0) and c = -1.25e-205 at 0
    run = cli(
        "grad", "x*abs(x) + (cos(5e-103) - 1)*(1 - sign(x)**2)", "--at", "x=0",
        "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 1, run.out
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert f"(left limit 0, value {_cancelled()}, right limit 0" in result["note"]
