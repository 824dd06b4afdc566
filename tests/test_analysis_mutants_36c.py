"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 36, part c: stop 35's new lines).

Pinned here, each by a fact worked out by hand (never derivcli's own output
recorded as the expectation):

- _mixed_quotients_gap: where d/dx's closed form has no value all along x = 0
  (sinc's derivative is 0/0 there), the sides of d2/dxdy come from f's own mixed
  differences, and so does the gap that tells a tiny corner (2**-199, far below
  the sides' 2**-100 resolution) from a smooth point: the quotients along y on
  the two sides of the point, each of the inner derivative along x taken on the
  right (inner step +1);
- _quotients_gap: f's one-sided quotients of order n at steps 2**-k are taken
  with n*k bits and a guard: under exp, where no exact sum keeps the step's
  bits, fewer round every quotient to 0 and a tiny jump of f' (2**-200 of e)
  goes unseen;
- _two_sides_gap: a quotient undefined on one side (f has a hole at the step
  -2**-2048) gives no gap (since stop 36 the tiny-jump test takes the next
  finer steps: tests/test_gap_beside_a_hole_36.py), not a difference with
  None;
- the steps and sides of both gaps' quotients: a hole in f's domain one step
  past the points they use (0*log(abs(y + 2**-2046)) beside a step of
  2**-2048) changes nothing, and the tiny corner is still found; a quotient
  whose step is doubled, or taken on the other side, lands on the hole.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from typing import Any

import mpmath
import pytest
from conftest import Cli, CliRun, one


def _partial(cli: Cli, text: str, at: str, *wrt: str) -> tuple[CliRun, dict[str, Any]]:
    args = [a for name in wrt for a in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    return run, one(run)


# ---------------------------------------------------------------- _mixed_quotients_gap


def test_a_tiny_corner_of_a_mixed_derivative_where_d_dx_is_0_over_0_along_x_0(cli: Cli) -> None:
    # f = sinc(x)*y + x*y + 2**-200*x*abs(y - 1). By hand: sinc is even, so
    # d/dx sinc(x) = 0 at x = 0, and d/dx f(0, y) = y + 2**-200*abs(y - 1), whose
    # slopes along y at y = 1 are 1 - 2**-200 and 1 + 2**-200: d2/dxdy does not
    # exist at (0, 1), the sides 2**-199 apart. The closed form of d/dx,
    # y*(cos(pi*x) - sinc(x))/x + ..., is 0/0 all along x = 0, so the sides and
    # their gaps come from f's mixed differences (_mixed_quotients_gap): the
    # quotients along y on the left and on the right of y = 1, each of d/dx taken
    # on the right of x = 0. Kills analysis.py:605b06ad:54:num_dec:0 (inner step
    # 0), 605b06ad:70:neg_drop:0 and 605b06ad:75:num_neg:0 (both quotients on
    # one side), 605b06ad:71:num_dec:0 and 605b06ad:75:num_dec:0 (a step of 0),
    # 1871180e:7:return_none:0 (no gap), 1871180e:32:num_neg:0 and
    # 1871180e:34:arith_mul_div:0 (-3*k + 128 and 3/k + 128 bits: an error, or
    # all rounding)
    run, result = _partial(cli, "sinc(x)*y + x*y + 2**-200*x*abs(y-1)", "x=0,y=1", "x", "y")
    assert run.code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert mpmath.nstr(mpmath.mpf(2) ** -199, 10) in result["note"]  # 1.244603056e-60


# ---------------------------------------------------------------- _quotients_gap


def test_a_tiny_jump_of_f_prime_under_exp_beside_0_over_0(cli: Cli) -> None:
    # f = exp(y + 2**-200*(relu(y - 1)**3)**(1/3)) = exp(y + 2**-200*relu(y - 1)).
    # By hand: f' = e**y on the left of 1 and (1 + 2**-200)*e**(y + 2**-200*(y -
    # 1)) on the right: f'(1) from the left is e, from the right e*(1 + 2**-200),
    # a jump, so f'' does not exist at 1; f'' is e and e*(1 + 2**-200)**2 beside
    # it (2*e*2**-200 apart, to 2**-400). f''s closed form is 0/0 left of 1, so
    # the tiny jump is looked for in f's own one-sided quotients
    # (_quotients_gap), whose terms at steps 2**-k differ by 2**-k relative:
    # under exp no exact sum keeps those bits, k of them are needed. Kills
    # analysis.py:58813307:42:arith_add_sub:0 (order*k - 128 bits: each side's
    # quotient rounds to 0, no gap, "differentiable").
    run = cli(
        "partial", "exp(y + 2**-200*(relu(y-1)**3)**(1/3))", "--wrt", "y", "--order", "2",
        "--at", "y=1", "-f", "json", "--timeout", "60",
    )  # fmt: skip
    result = one(run)
    assert run.code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    gap = 2 * mpmath.e * mpmath.mpf(2) ** -200  # 3.383181870e-60
    assert f"the two differ by {mpmath.nstr(gap, 9)}" in result["note"]


# ---------------------------------------------------------------- _two_sides_gap


def test_quotients_gap_with_one_side_undefined_at_a_step_is_no_crash(cli: Cli) -> None:
    # f = y**2 + (relu(y)**3)**(1/3)*y**2 + 0*log(abs(y + 2**-2048)) = y**2 +
    # relu(y)*y**2 away from y = -2**-2048, where log(0) leaves f undefined. By
    # hand: f'' is 2 on the left of 0 and 2 + 6*y on the right, so f''(0) = 2.
    # f''s closed form is 0/0 left of 0: the tiny-jump test takes f's own
    # quotients, and the left one at step 2**-2048 lands on the hole (None),
    # where the gap is None (the test gives up), not a difference with None.
    # Kills analysis.py:527ee2dc:16:bool_or_and:0 (TypeError: mpfr - None,
    # exit 3) and analysis.py:66b8ee9c:7:return_none:0 (gap_at's bare None
    # cannot be unpacked).
    run = cli(
        "partial", "y**2 + (relu(y)**3)**(1/3)*y**2 + 0*log(abs(y + 2**-2048))", "--wrt", "y",
        "--order", "2", "--at", "y=0", "-f", "json", "--timeout", "60",
    )  # fmt: skip
    assert run.err == "", run.err
    result = one(run)
    assert result["differentiable"] is True
    assert result["symbolic"] == 2.0


# ---------------------------------------------------------------- the gaps' steps, pinned by holes
#
# A term 0*log(abs(u)) leaves f unchanged except on u = 0, where it has no value:
# a hole in f's domain on one line. A gap whose quotients step onto the hole
# is None; it hid a real corner until stop 36, which takes such a gap at the
# next finer steps instead (tests/test_gap_beside_a_hole_36.py). Placed one
# step further out, where the quotients do not go, the hole changes nothing,
# and the corner is found. A mutant that doubles a step lands on the hole at
# one step only, and since stop 36 is measured at the next: the kills named
# below were checked before that fix. Checked after it, the steps along y
# (95654c5a:67 and :71, 605b06ad:71 and :75, num_inc) are killed by
# tests/test_gap_beside_a_hole_36.py's holes on every step tried; the inner
# ones (605b06ad:54 num_inc and num_neg) survive.


@pytest.mark.parametrize(
    ("hole", "kills"),
    [
        # the left quotients of f' at step h = 2**-2048 use f at -h and -2h
        ("0*log(abs(y + 2**-2046))", "95654c5a:67:num_inc:0"),  # left steps doubled: -4h
        ("0*log(abs(y - 2**-2046))", "95654c5a:71:num_inc:0"),  # right steps doubled: 4h
    ],
)
def test_a_hole_past_the_quotients_steps_leaves_the_tiny_jump_of_f_prime(
    cli: Cli, hole: str, kills: str
) -> None:
    # f = y + 2**-200*relu(y) away from the hole at y = -+2**-2046. By hand: f'
    # is 1 left of 0 and 1 + 2**-200 right of it, so f'(0) does not exist (a jump
    # of 2**-200, below the sides' 2**-100), and neither does f''(0). Kills
    # analysis.py:<kills> (a doubled step lands on the hole: no gap, "exists")
    run = cli(
        "partial", f"y + 2**-200*(relu(y)**3)**(1/3) + {hole}", "--wrt", "y", "--order", "2",
        "--at", "y=0", "-f", "json", "--timeout", "60",
    )  # fmt: skip
    assert run.err == "", run.err
    result = one(run)
    assert run.code == 1
    assert result["differentiable"] is False
    assert mpmath.nstr(mpmath.mpf(2) ** -200, 10) in result["note"]  # 6.223015278e-61


@pytest.mark.parametrize(
    ("hole", "kills"),
    [
        # the mixed quotients at step h = 2**-2048 along y use y = 1 -+ h, 1 -+ 2h,
        # each with d/dx from x = a, 2a, a = 2**-4096
        ("0*log(abs(y - 1 + 2**-2046))", "605b06ad:71:num_inc:0"),  # left steps doubled
        ("0*log(abs(y - 1 - 2**-2046))", "605b06ad:75:num_inc:0"),  # right steps doubled
        ("0*log(abs(x - 2**-4094))", "605b06ad:54:num_inc:0"),  # inner steps doubled: 4a
        # x = -2**-4096 (2**-4096 itself is past the exact numbers' 4,096 bits)
        ("0*log(abs(x*2**2048 + 2**-2048))", "605b06ad:54:num_neg:0"),  # inner steps on the left
    ],
)
def test_a_hole_past_the_mixed_quotients_steps_leaves_the_tiny_corner(
    cli: Cli, hole: str, kills: str
) -> None:
    # f = sinc(x)*y + x*y + 2**-200*x*abs(y - 1) away from the hole (a line of
    # constant y or x that misses the point (0, 1)): as in the first test,
    # d/dx f(0, y) = y + 2**-200*abs(y - 1), whose slopes along y at 1 are 1 -+
    # 2**-200, so d2/dxdy does not exist there. Kills analysis.py:<kills> (the
    # steps moved onto the hole: no gap, "the derivative exists", 1)
    text = f"sinc(x)*y + x*y + 2**-200*x*abs(y-1) + {hole}"
    run, result = _partial(cli, text, "x=0,y=1", "x", "y")
    assert run.code == 1
    assert result["differentiable"] is False
    assert mpmath.nstr(mpmath.mpf(2) ** -199, 10) in result["note"]  # 1.244603056e-60
