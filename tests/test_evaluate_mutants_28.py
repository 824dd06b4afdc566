"""Cases for survivors of tools/mutate.py in derivcli/language/evaluate.py
(issue 16, stop 28).

Each test pins a fact worked out by hand from evaluate.py's documented rules
(never its own output recorded as the expectation) and names the mutant it
kills (``.venv/bin/python tools/mutate.py --show ID`` prints one).
"""

from __future__ import annotations

import gmpy2
import pytest

from derivcli.language.evaluate import PRECISION, ZERO_MARGIN, compile_tree, exact_value
from derivcli.language.parser import parse

# ---------------------------------------------------------------- _chosen's bound


@pytest.mark.parametrize(
    ("bits", "apart"),
    [
        (149, False),  # inside the rounding allowance
        (148, False),  # exactly on it: the bound is inclusive
        (147, True),  # outside it
    ],
)
def test_min_of_arguments_exactly_one_allowance_apart_is_not_clearly_apart(
    bits: int, apart: bool
) -> None:
    # min(w, u) at x = 1, w = 1 - 2**-bits (exact: magnitude 0), and
    # u = (2**60 + exp(-1000*x)) - (2**60 - 1) = 1 at 256 bits: the sum rounds
    # to 2**60 (e**-1000 is about 2**-1443), a rounded value of magnitude
    # 2**60, and u, an exact difference of it, keeps that magnitude (nothing
    # cancels to below 2**-176 of it: no refinement, 256 bits). (Not floor's
    # 2**60 off its steps, as before stop 31: a step function there is exact.)
    # _chosen takes the chosen argument's magnitude only when the two are
    # clearly apart: |w - u| = 2**-bits against their rounding
    # allowance (0 + 2**60)*2**(ZERO_MARGIN - 256) = 2**-148, the inclusive
    # bound every such test in evaluate.py uses (is_zero: w - u would be 0 up to
    # this rounding). At 148 and 149 the two are not clearly apart and min
    # keeps the larger magnitude, 2**60; at 147 it is w's 0: min rounds
    # nothing, so it chose an exact value (since stop 32; before, its size, w).
    # Kills evaluate.py:59cd9217:30:cmp_le_lt:0 (a strict bound: at 148, min's
    # magnitude is w's)
    m = gmpy2
    text = f"min(1 - 2**-{bits}, (2**60 + exp(-1000*x)) - (2**60 - 1))"
    outcome = exact_value(compile_tree(parse(text).tree), {"x": 1.0})
    assert outcome.precision == PRECISION == 256
    with m.context(m.get_context(), precision=PRECISION):
        w = 1 - m.mul_2exp(m.mpfr(1), -bits)
        allowance = m.mul_2exp(m.mpfr(1), 60 + ZERO_MARGIN - PRECISION)
        assert (abs(w - 1) > allowance) is apart
    assert outcome.value == w
    assert outcome.magnitudes[-1] == (0 if apart else m.mul_2exp(m.mpfr(1), 60))
