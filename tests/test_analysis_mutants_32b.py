"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 32, helper c): a shrinking side beside a tiny exact limit
(_tiny_limit_beside_zero), a lower derivative's jump along the second of two
variables (_jump), and the gap that changes with twice the bits (_gap).

Each test pins a fact worked out by hand (or with mpmath), never derivcli's own
output recorded as the expectation, and names the mutant it kills
(``.venv/bin/python tools/mutate.py --show ID`` prints one). The inputs are
built so that one reading of the analysis falls exactly where the mutant moves
it; the comments say how.
"""

from __future__ import annotations

from typing import Any

import mpmath
from conftest import Cli, CliRun, one

from derivcli.language.evaluate import compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import _gap


def _program(text: str) -> Any:
    return compile_tree(parse(text).tree)


def _json(cli: Cli, *args: str) -> CliRun:
    return cli(*args, "--timeout", "60", "-f", "json")


def _size(value: mpmath.mpf) -> str:
    with mpmath.workdps(30):
        return str(mpmath.nstr(value, 3))


# ---------------------------------------------------------------- _tiny_limit_beside_zero


def test_a_corner_the_right_quotients_fall_below_only_at_the_last_deep_step(cli: Cli) -> None:
    # f = relu(x)**2 + c*relu(-x), c = exp(-45383) = 2**-65473.83 (mpmath below):
    # left of 0 f = -c*x, slope -c; right of 0 f = x**2, slope 0: a kink (by
    # hand). The right quotients (f(2h) - f(h))/h are 3h exactly; the shrinking
    # side is followed while they stay above tiny = c*2**-60 = 2**-65533.83: at
    # h = 2**-65536 they are 3*2**-65536 = 2**-65534.42, below it, so the kink
    # stands. Kills analysis.py:442bf93f:56:num_inc:0 (the right side's `side`
    # +2: its steps doubled, 6*2**-65536 = 2**-65533.42 is still above tiny at
    # the last step, and derivcli says it cannot decide, exit 3)
    with mpmath.workdps(40):
        c = mpmath.exp(-45383)
        assert -65534 < mpmath.log(c, 2) - 60 < mpmath.log(6, 2) - 65536
        assert mpmath.log(3, 2) - 65536 < mpmath.log(c, 2) - 60
    run = _json(cli, "grad", "relu(x)**2 + exp(-45383)*relu(-x)", "--at", "x=0")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable" and result["differentiable"] is False
    assert f"the two differ by {_size(c)}" in result["note"]


def test_right_quotients_exactly_at_the_tiny_bound_have_fallen_below_it(cli: Cli) -> None:
    # f = relu(x)**2 + c*relu(-x) with c = 3*2**-476*y**65 = 3*2**-65476 at y =
    # 2**-1000 (exact in binary): left slope -c, right slope 0, a kink (by hand).
    # tiny = c*2**-60 = 3*2**-65536, and the right quotients (3h exactly) at h =
    # 2**-65536 are 3*2**-65536: equal to it, which counts as fallen below (<=),
    # so the kink stands. Kills analysis.py:b2ab6041:29:cmp_le_lt:0 (`< tiny`:
    # not below at the last deep step, "cannot be told", exit 3); the doubled
    # step of 442bf93f:56:num_inc:0 fails it too
    with mpmath.workdps(30):
        c = 3 * mpmath.mpf(2) ** -476 * (mpmath.mpf(2) ** -1000) ** 65
        assert c * mpmath.mpf(2) ** -60 == 3 * mpmath.mpf(2) ** -65536
    run = _json(
        cli,
        "partial",
        "relu(x)**2 + 3*2**-476*y**65*relu(-x)",
        *("--wrt", "x", "--at", "x=0,y=2**-1000"),
    )
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable" and result["differentiable"] is False
    assert f"the two differ by {_size(c)}" in result["note"]


def test_a_tiny_corner_beside_2_to_the_53_is_probed_below_the_coordinate(cli: Cli) -> None:
    # X = 2**53 (so steps along x start 54 exponents further down: h = X*2**-(k +
    # 54) = 2**-(k + 1)). With t = x - X, f = 2**101*relu(t)**2 + g*relu(t) -
    # (g/2)*relu(-t), g = -3*2**-3996: the left slope is g/2, the right one g
    # (f = g*t + 2**101*t**2 there): a kink, the two differ by |g/2| = 3*2**-3997
    # = 1.82e-1203 (by hand; float64 holds neither). The right quotients are g +
    # 3*2**101*h exactly: 3*2**101*2**-1025 and 3*2**101*2**-2049 at the last
    # probe steps, shrinking, and exactly 0 at h = 2**-4097 (k = 4096 + 54).
    # Written to kill analysis.py:55274f01:40:arith_add_sub:0, the probe at
    # k = 4096 - 54 instead of 4096 + 54. Since stop 32 that probe is gone: an
    # exact 0 there hid a differentiable f (test_tiny_side_limit.py), and the
    # side is followed to 2**-16384 and 2**-32768, where it settles on g, its
    # own limit: the kink stands with the sides g/2 and g.
    g = -3 * mpmath.mpf(2) ** -3996
    assert g + 3 * mpmath.mpf(2) ** 101 * mpmath.mpf(2) ** -4097 == 0
    text = "2**101*relu(x - 2**53)**2 - 3*2**-3996*relu(x - 2**53) + 3*2**-3997*relu(2**53 - x)"
    run = _json(cli, "grad", text, "--at", "x=2**53")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable" and result["differentiable"] is False
    assert f"the two differ by {_size(abs(g - g / 2))}" in result["note"]
    assert _size(abs(g - g / 2)) == "1.82e-1203"


# ---------------------------------------------------------------- _jump


def test_a_jump_along_y_is_found_where_f_has_no_value_at_some_steps_along_x(cli: Cli) -> None:
    # f = x*floor(y) + sqrt((u**2 - 1/4)*(u**2 - 16)), u = 2**256*x: the root has
    # no value for 1/2 < |u| < 4, that is at the probe steps x = +-2**-256 and
    # +-2**-255, but has at x = 0 (sqrt(4) = 2), at 2**-64 and at 2**-1024. d/dx f
    # at x = 0 is floor(y) + 0 (the root's derivative there has the factor
    # d/du (u**4 - 16.25*u**2) = 0 at u = 0), so d/dx f along y at y = 0 is -1 on
    # the left, 0 at 0 and 0 on the right: it jumps, and d2f/dxdy does not exist
    # (by hand). _jump looks at order 1 along x first (no side limit there: the
    # steps without a value) and then along y, the jump. Kills
    # analysis.py:21898002:0:continue_break:0 (break: y is never looked at, and
    # the note blames a missing derivative along x instead of the jump)
    text = "x*floor(y) + sqrt(((x*2**256)**2 - 1/4)*((x*2**256)**2 - 16))"
    run = _json(cli, "partial", text, "--wrt", "x", "--wrt", "y", "--at", "x=0,y=0")
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable" and result["differentiable"] is False
    assert (
        "the derivative of order 1 jumps at y=0 (left limit -1, value 0, right limit 0)"
        in (result["note"])
    )


# ---------------------------------------------------------------- _gap


def test_a_gap_that_is_rounding_is_0_not_negative() -> None:
    # g = sinh(z)/sqrt(cosh(z)**2 - 1) is sign(z), so 1 at both
    # 1e-300*(1 -+ 2**-2048): the gap between the two sides is exactly 0 (by
    # hand), and a gap, an absolute value, is never negative. Each side is 1
    # only after cancellation in cosh(z)**2 - 1 that leaves a different last bit
    # at twice the bits, so _gap finds a gap that changes and calls it rounding,
    # 0. Kills analysis.py:cb264a98:13:num_dec:0 (that rounding gap given as -1).
    # Through the CLI -1 reads as 0 in _tiny_jump (fine*4 <= coarse holds for a
    # fine gap of -1, and a coarse one of -1 leaves the same answers as 0); in
    # _deep_jump it only matters when a rounding gap is followed by two gaps
    # that hold at deeper steps
    g = _program("sinh(z)/sqrt(cosh(z)**2 - 1)")
    gap = _gap(g, {"z": 1e-300}, "z", 2048, with_value=False)
    assert gap is not None and gap == 0
