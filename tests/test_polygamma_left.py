"""polygamma left of 0: right values where its own computation cancels, and a
rounding scale near its poles (a hunt found all three wrong, labelled exact).

Oracles by hand:
* For even n, polygamma(n, x) = polygamma(n, 1 - x): the reflection
  polygamma(n, 1 - x) - polygamma(n, x) = pi * d^n/dx^n cot(pi*x) (for even n), and
  at a half-integer cot(pi*x) is -tan(t) around it (t the offset), odd in t, so
  its even derivatives are 0 there. polygamma at the positive 1 - x is then
  mpmath's, which steps nothing (positive arguments are accurate; checked at
  two precisions below).
* Near a pole, polygamma(k, -3 + e) = (-1)**(k+1) * k! * sum 1/(-3 + e + j)**(k+1),
  whose j = 3 term is k!/e**(k+1) (with the sign) and the rest O(1): at
  e = 1e-76 the float64 value is the pole term's alone.
"""

from __future__ import annotations

import gmpy2
import mpmath
import pytest
from conftest import Cli, one

from derivcli.language import evaluate


def _positive(n: int, x: str) -> float:
    """polygamma(n, 1 - x) at 60 digits, checked against 120 (n even, x a
    negative half-integer: equal to polygamma(n, x))."""
    values = []
    for dps in (60, 120):
        with mpmath.workdps(dps):
            values.append(mpmath.polygamma(n, 1 - mpmath.mpf(x)))
    assert abs(values[0] - values[1]) <= abs(values[1]) * mpmath.mpf(10) ** -50
    return float(values[1])


@pytest.mark.parametrize(
    ("n", "x", "shown_before"),
    [
        (13, "-9999999.5", -7.68023293144847e-85),  # reflection's terms cancel
        (15, "-1000000.5", 6.02461015101609e-82),  # ... and the sign was wrong
        (49, "-31.5", -8.170918001282786e-09),  # mpmath's steps up to 0 cancel
        (29, "-9999999.5", -3.16e-58),
    ],
)
def test_polygamma_far_left_is_right(cli: Cli, n: int, x: str, shown_before: float) -> None:
    """d/dx polygamma(n, x) is polygamma(n + 1, x), n + 1 even."""
    true = _positive(n + 1, x)
    run = cli("grad", f"polygamma({n}, x)", "--at", f"x={x}", "--timeout", "60", "-f", "json")
    found = one(run)["symbolic"]
    assert found == pytest.approx(true, rel=1e-14, abs=0)
    assert abs(found - shown_before) > abs(true) / 2  # not what it was


@pytest.mark.parametrize(
    ("expression", "order", "true"),
    [
        ("polygamma(1, x - 3 + 1e-76)", 1, -2e228),  # polygamma(2, .) = -2/e**3
        ("digamma(x - 3 + 1e-76)", 1, 1e152),  # polygamma(1, .) = 1/e**2
        ("lgamma(x - 3 + 1e-76)", 2, 1e152),
        ("polygamma(1, x - 3 + 1e-76)", 2, 6e304),  # polygamma(3, .) = 6/e**4
    ],
)
def test_beside_a_pole_with_a_rounded_argument(
    cli: Cli, expression: str, order: int, true: float
) -> None:
    """-3 + 1e-76 holds its 1e-76 to 256 bits only to about 10%: the rounding
    scale must carry polygamma's slope there so more bits are asked for (it
    was -1.797e228, 9.31e151, 9.31e151 and 5.20e304)."""
    run = cli("grad", expression, "-n", str(order), "--at", "x=0", "--timeout", "60", "-f", "json")
    assert one(run)["symbolic"] == pytest.approx(true, rel=1e-14, abs=0)


@pytest.mark.parametrize("n", [0, 1, 4, 30])
@pytest.mark.parametrize("b", ["-3.0000001", "-2.9999999", "-0.5", "-7.25", "-1000000.5", "-40.1"])
def test_the_polygamma_rule_bounds_the_next_polygamma_left_of_0(n: int, b: str) -> None:
    """The rule's slope is at least |polygamma(n + 1, b)| (mpmath at 200 digits,
    checked at 400), and near a pole at most 4x it."""
    with mpmath.workdps(400):
        point = mpmath.mpf(b)
        fine = abs(mpmath.polygamma(n + 1, point))
    with mpmath.workdps(200):
        true = abs(mpmath.polygamma(n + 1, mpmath.mpf(b)))
    assert abs(true - fine) <= fine * mpmath.mpf(10) ** -100
    with gmpy2.context(gmpy2.get_context(), precision=256):
        args = [gmpy2.mpfr(n), gmpy2.mpfr(str(point))]
        found = evaluate._SLOPES["polygamma"](gmpy2, None, (0, 1), args, [0, gmpy2.mpfr(1)], 0)
    found = mpmath.mpf(str(found))
    assert found >= true
    if "0000001" in b or "9999999" in b:
        assert found <= 4 * true
