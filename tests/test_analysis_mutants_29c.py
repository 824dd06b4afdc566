"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(issue 16: the seed 36 sample).

Each test pins a fact worked out by hand (or with mpmath at high precision),
never derivcli's own output recorded as the expectation, and names the
mutant(s) it kills (``.venv/bin/python tools/mutate.py --show ID`` prints one).
The inputs are built so that one reading of the analysis falls exactly where
the mutant moves it; the docstrings say how.
"""

from __future__ import annotations

from typing import Any

import mpmath
import pytest

from derivcli.language.evaluate import compile_tree, gmpy2
from derivcli.language.parser import parse
from derivcli.symbolic import analysis
from derivcli.symbolic.analysis import (
    GUARD_STEPS,
    SETTLING_BITS,
    TINY_JUMP_EXPONENTS,
    _deep_jump,
    _gap_shrinks,
    _Quotients,
    _settling,
    _sides_apart,
    _tiny_jump,
)


def _program(text: str) -> Any:
    return compile_tree(parse(text).tree)


# ---------------------------------------------------------------- _gap_shrinks


def test_sides_with_no_gap_at_all_keep_shrinking() -> None:
    """g = 2*x at 0: its difference quotients are exactly 2 on both sides at
    every step (2*(2h) - 2*h over h, exact in binary), so the gaps between the
    sides are 0, 0, 0: "one limit" (0 <= 0 * 2**-16 at each step), True. The
    gaps are absolute values, so `gaps[-1] != -1` holds always, and with it a
    gap of exactly 0 is sent to _gap_stays_finer, which finds the 0 "the same
    with 1,280 guard bits" and answers False: a corner. Kills
    analysis.py:fd2e3d56:36:num_dec:0."""
    g = _program("2*x")
    assert _gap_shrinks(g, {"x": 0.0}, "x", g) is True


# ---------------------------------------------------------------- _deep_jump


def test_a_gap_that_shrinks_by_less_than_a_quarter_each_step_is_no_deep_jump(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """_deep_jump calls a gap a jump when it moves by at most a quarter of
    itself from one step to the next. Gaps 1300, 1000, 760, 580 (as _gap's
    answers at 2**-4096 .. 2**-32768) move by 300, 240, 180: each more than a
    quarter of the later gap (250, 190, 145) and at most a third of it
    (333.3, 253.3, 193.3), checked by hand. So no jump is found (a gap that keeps
    shrinking); with `gap / 3` the first pair already reads as a jump of about
    1000. _gap is replaced so that the test reaches exactly that comparison.
    Kills analysis.py:aab9a238:57:num_dec:0."""
    m = gmpy2()
    gaps = dict(zip(analysis.DEEP_JUMP_EXPONENTS, (1300, 1000, 760, 580), strict=True))

    def fake_gap(
        program: Any, point: Any, name: str, k: int, *, with_value: bool, sides: Any
    ) -> Any:
        assert with_value
        assert tuple(sides) == (-1, +1)  # both sides: not at an edge
        return m.mpfr(gaps[k])

    monkeypatch.setattr(analysis, "_gap", fake_gap)
    assert _deep_jump(_program("x"), {"x": 0.0}, "x") == ""
    # and a gap that does hold to a quarter is one (1000 -> 800: 200 <= 800/4)
    gaps = dict(zip(analysis.DEEP_JUMP_EXPONENTS, (1000, 800, 1, 1), strict=True))
    assert _deep_jump(_program("x"), {"x": 0.0}, "x").startswith("it jumps by about")


# ---------------------------------------------------------------- _tiny_jump


def test_a_gap_that_shrinks_just_fourfold_from_2048_to_4096_is_no_tiny_jump() -> None:
    """f = heaviside(x) * (-log(abs(x)))**(-2.0007) is continuous at 0 (both
    sides tend to 0), but slowly: the gap between its sides at step 2**-k is
    (k ln 2)**-2.0007. From k = 2048 to 4096 that shrinks by 2**2.0007 >= 4, so
    no tiny jump; from k = 2049 it shrinks by (4096/2049)**2.0007 < 4 (both
    ratios by mpmath below), which would be read as a jump of about 1.2e-7.
    Kills analysis.py:ec558934:23:num_inc:0 (TINY_JUMP_EXPONENTS = (2049, 4096))."""
    assert TINY_JUMP_EXPONENTS == (2048, 4096)
    p = mpmath.mpf(20007) / 10000

    def gap(k: int) -> Any:
        return (k * mpmath.log(2)) ** -p

    assert gap(2048) / gap(4096) >= 4
    assert gap(2049) / gap(4096) < 4
    f = _program("heaviside(x)*(-log(abs(x)))**(-20007/10000)")
    assert _tiny_jump(f, {"x": 0.0}, "x", with_value=False) == ""


# ---------------------------------------------------------------- _settling


def test_a_last_move_of_exactly_2_to_the_minus_32_of_the_one_before_is_settling() -> None:
    """_settling: the last move is at most 2**-SETTLING_BITS (2**-32) of the one
    before. Values 0, 1, 1 + 2**-32 (exact in 53 bits) move by 1 then by
    2**-32: exactly at the bound, so settling; with 33 bits, 2**-32 > 2**-33,
    not. Kills analysis.py:5e6abe24:16:num_inc:0."""
    assert SETTLING_BITS == 32
    m = gmpy2()
    values = [m.mpfr(0), m.mpfr(1), m.mpfr(1) + m.mul_2exp(m.mpfr(1), -32)]
    assert _settling(values)
    values[2] = m.mpfr(1) + m.mul_2exp(m.mpfr(1), -31)
    assert not _settling(values)


# ---------------------------------------------------------------- _sides_apart


def _sides(text: str) -> tuple[_Quotients, _Quotients]:
    g = _program(text)
    left, right = (_Quotients(g, {"x": 0.0}, "x", side, g) for side in (-1, +1))
    for q in (left, right):
        q([64, 128])
    return left, right


def test_sides_apart_only_above_2_to_the_32_of_the_640_guard_bits_rounding() -> None:
    """g = x + c*abs(x) at 0 has one-sided quotients exactly 1 - c (left:
    (g(-2h) - g(-h)) / -h) and 1 + c (right) at every step, so the gap is 2c at
    both steps (converged) and the size 1 + c. _sides_apart wants the gap above
    size * 2**(32 - 640) = (1 + c) * 2**-608. With c = 2**-609 the gap is
    2**-608, not above it: not apart; with `31 - guards[0]` the bound is
    (1 + c) * 2**-609 < 2**-608 and the sides would be apart. With c = 2**-607
    (gap 2**-606) they are apart either way. Kills
    analysis.py:fe6d8447:48:num_dec:0."""
    assert GUARD_STEPS[1] == 640
    assert not _sides_apart(*_sides("x + 2**-609*abs(x)"))
    assert _sides_apart(*_sides("x + 2**-607*abs(x)"))


# ---------------------------------------------------------------- _Quotients


def test_a_quotient_keeps_a_term_that_the_farther_value_alone_adds() -> None:
    """g = 1 + 2**-5000*heaviside(x - 3*2**-65) at 0, right side, step 2**-64:
    the nearer point 2**-64 is left of 3*2**-65 (g = 1 exactly) and the farther
    one 2**-63 right of it (g = 1 + 2**-5000), so the quotient
    (g(2h) - g(h)) / h is 2**-5000 / 2**-64 = 2**-4936 (by hand); at 2**-128
    both points are left of the step: 0. The farther value has to be taken with
    exact sums: at k + 128 = 192 bits a plain sum rounds 1 + 2**-5000 to 1, the
    nearer value (1 + 0) asks for no more bits, and the quotient is 0 at every
    guard step. Kills analysis.py:45e0a7a5:48:true_false:0 (the first
    `b = _beside_value(g, far, ...)` with exact_sums=False)."""
    m = gmpy2()
    g = _program("1 + 2**-5000*heaviside(x - 3*2**-65)")
    quotients = _Quotients(g, {"x": 0.0}, "x", +1, g)
    assert quotients([64, 128]) == [m.mul_2exp(m.mpfr(1), -4936), 0]
