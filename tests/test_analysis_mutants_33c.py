"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 33, part c).

Pinned here, each by a fact worked out by hand, never derivcli's own output
recorded as the expectation:

- _joined_slowly compares a lower derivative's values at the SAME distance h
  on both sides of the point (-h and +h), not at -2h or +2h: a first
  derivative that takes 1 + 2**-80 at every probe step 2**-k (k even) on one
  side and 1 on the other, but 1 at the odd powers 2**(1-k), does not join
  slowly; read at 2h on that side, its gap would be 3h, which shrinks;
- _gap takes its third look at a gap that changed with twice the bits at
  twice as many bits again (2 * more), and calls it rounding when it moves:
  heaviside(exp(z)*exp(-z) - 1) is the constant 1/2, so its gap is 0.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Cli, one

from derivcli.language.evaluate import compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import _gap


def _even(side: str) -> str:
    """E(x): 1 where floor(log2(side)) is even (side = 2**-k, k even: every probe
    step is such a power of two), 0 where it is odd (side = 2**(1-k)); the max
    keeps it defined at and beyond 0 (exp(-200000) is below every probe step:
    the smallest is 2**-65536, about exp(-45426))."""
    log2 = f"floor(log2(max({side}, exp(-200000))))"
    return f"(1 - ({log2} - 2*floor({log2}/2)))"


# ---------------------------------------------------------------- _joined_slowly


@pytest.mark.parametrize(
    ("side", "mutant"),
    [
        ("-x", "analysis.py:73c33b2a:14:num_inc:0 (left values read at -2h)"),
        ("x", "analysis.py:73c33b2a:18:num_inc:0 (right values read at +2h)"),
    ],
)
def test_a_first_derivative_off_by_2_to_the_minus_80_at_even_powers_is_no_slow_join(
    cli: Cli, side: str, mutant: str
) -> None:
    # f = x**2/2 + x + 2**-80*x*heaviside(side)*E(x), E = 1 where floor(log2|x|)
    # is even on that side, 0 where odd; E is piecewise constant, so on that side, by hand,
    # f'(x) = x + 1 + 2**-80*E(x): 1 + h + 2**-80 at x = +-h = +-2**-k (k even)
    # and 1 +- 2h at +-2h; on the other side f' = x + 1. And f(h)/h = h/2 + 1 +
    # 2**-80*E(h) has no limit on that side (E is 1 and 0 arbitrarily close to
    # 0): f has no first derivative at 0, so certainly no second one.
    # The side limits of f' at 0 read at the even powers are 1 + 2**-80 and 1,
    # apart between 2**-100 and 2**-60: _joined_slowly looks at the gaps
    # |f'(h) - f'(-h)| at h = 2**-1024, 2**-2048, 2**-4096, which are 2**-80 -+ 2h,
    # no shrinking: a jump. The mutant reads that side at 2h, where E is 0: gaps
    # of 3h, shrinking 2**-1024-fold a step, taken for a slow join; the jump of
    # f' was dropped ("cannot decide", exit 3).
    text = f"x**2/2 + x + 2**-80*x*heaviside({side})*{_even(side)}"
    run = cli("grad", text, "--at", "x=0", "-n", "2", "--timeout", "60", "-f", "json")
    result = one(run)
    assert run.code == 1, (mutant, run.err)
    assert result["verdict"] == "not differentiable", mutant
    assert result["differentiable"] is False
    assert "the derivative of order 1 jumps at x=0" in result["note"], mutant


# ---------------------------------------------------------------- _gap


def test_the_gap_of_a_constant_read_through_rounding_noise_is_0() -> None:
    # exp(z)*exp(-z) - 1 is exactly 0 for every z, so f = heaviside(exp(z)*exp(-z)
    # - 1) is the constant heaviside(0) = 1/2 (by hand): its gap to its value
    # beside z = 0.5, at any step, is 0. MPFR leaves the product 1 -+ an ulp, so
    # each precision reads f as 0, 1/2 or 1 by the rounding's luck: at steps of
    # 2**-2048 the gap is 1/2 at the first look (17,416 bits), 1 at twice those
    # bits, and 1/2 again at twice as many again (69,664), where the original
    # takes the third look: the gap moved, so it is rounding, 0.
    # Kills analysis.py:0b7e6d62:19:num_inc:0 (the third look at three times the
    # bits, where the noise happens to repeat the second look's 1: a gap of 1).
    g = compile_tree(parse("heaviside(exp(z)*exp(-z) - 1)").tree)
    gap: Any = _gap(g, {"z": 0.5}, "z", 2048, with_value=True)
    assert gap is not None and gap == 0
