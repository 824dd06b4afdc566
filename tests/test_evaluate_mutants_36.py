"""Cases for survivors of tools/mutate.py in derivcli/language/evaluate.py
(stop 36: stop 35's new lines, the bits a huge power of a rounded base loses).

A power a**b multiplies its base's relative rounding error by about |b|: it
loses log2|b| bits (_amplified_bits: the binary exponent of b, 0 for an exact
base, never below 0), summed over the program's powers. Past the 80 bits of
CANCELLATION_MARGIN those bits are added to the precision at once (_refined),
and where that passes MAX_PRECISION (16,384 bits) the value is lost
("cancelled", naming the power that lost most). Each test calls exact_value at
a precision chosen so that precision + lost bits lands exactly on the cap or
one past it, worked out by hand from the exponents' binary exponents:

* 1e200 is between 2**664 and 2**665 (log2(1e200) = 664.39): 665 bits;
* 1e24 is between 2**79 and 2**80 (log2(1e24) = 79.73): 80 bits, not past
  the margin, so nothing is added;
* 1.5 is 0.75*2**1: 1 bit; 0.75 is 0.75*2**0: 0 bits; 0.25 is 0.5*2**-1: 0
  bits (never below 0); x**2 at x = 1 has an exact base: 0 bits.

Every value is checked against mpmath at far more digits than the exponents
have. Each test names the mutant(s) it kills (``.venv/bin/python
tools/mutate.py --show ID`` prints one).
"""

from __future__ import annotations

from typing import Any

import mpmath

from derivcli.language.evaluate import MAX_PRECISION, Exact, compile_tree, exact_value
from derivcli.language.parser import parse


def _at_1(text: str, precision: int) -> Exact:
    return exact_value(compile_tree(parse(text).tree), {"x": 1.0}, precision)


def _truth(value: Any) -> float:
    with mpmath.workdps(500):
        return float(value)


def _lost(outcome: Exact) -> str:
    """The power named where the value is lost past the cap."""
    assert outcome.value is None
    assert outcome.undefined is not None and outcome.undefined.kind == "cancelled"
    return str(outcome.undefined.node)


def _e_1e200() -> Any:
    with mpmath.workdps(500):
        return (1 + mpmath.mpf(10) ** -200) ** (mpmath.mpf(10) ** 200)


def test_665_lost_bits_reach_the_cap_exactly_or_pass_it() -> None:
    # (1 + x/1e200)**1e200 at 1 loses 665 bits: asked for 16,384 - 665 = 15,719
    # bits it is evaluated at exactly 16,384, the cap, and has its value, e to
    # 1e-200; asked for one bit more it would need 16,385: lost. Kills
    # evaluate.py:45cfb611:13:cmp_gt_ge:0 (16,384 itself refused) and
    # evaluate.py:abb2ca15:29:num_inc:0 (the sum starting at 1: 666 bits, lost
    # at 15,719), abb2ca15:29:num_dec:0 (starting at -1: 664, a value at 15,720)
    # and evaluate.py:bb3845e8:7:return_none:0 (no outcome at all past the cap)
    assert MAX_PRECISION == 16384
    text = "(1 + x/1e200)**1e200"
    at_cap = _at_1(text, MAX_PRECISION - 665)
    assert at_cap.value is not None
    assert float(at_cap.value) == _truth(_e_1e200())  # 2.718281828459045
    assert "op='**'" in _lost(_at_1(text, MAX_PRECISION - 664))


def test_80_lost_bits_are_within_the_margin() -> None:
    # (1 + x/1e24)**1e24 at 1 loses 80 bits, not more than the 80-bit margin:
    # nothing is added, so asked for 16,305 bits (16,385 with the 80 added) it
    # still has its value, (1 + 1e-24)**1e24 = e*(1 - 5e-25). Kills
    # evaluate.py:81ce555b:21:cmp_gt_ge:0 (80 >= 80: 80 added, past the cap)
    outcome = _at_1("(1 + x/1e24)**1e24", MAX_PRECISION - 79)
    assert outcome.value is not None
    with mpmath.workdps(500):
        truth = (1 + mpmath.mpf(10) ** -24) ** (mpmath.mpf(10) ** 24)
    assert float(outcome.value) == _truth(truth)


def test_a_power_of_an_exact_base_loses_no_bits() -> None:
    # x**2 at x = 1: the base is exact, so the power loses nothing and the
    # product still loses 665 bits: a value at 15,719 bits, lost at 15,720.
    # Kills evaluate.py:96236074:7:num_inc:0 (an exact base counted as 1 bit:
    # lost at 15,719), evaluate.py:96236074:7:num_dec:0 (-1 bit: a value at
    # 15,720) and evaluate.py:2ac54710:15:bool_or_and:0 (the exact base's
    # exponent 2 counted: 2 bits, lost at 15,719)
    text = "(1 + x/1e200)**1e200*x**2"
    at_cap = _at_1(text, MAX_PRECISION - 665)
    assert at_cap.value is not None
    assert float(at_cap.value) == _truth(_e_1e200())
    _lost(_at_1(text, MAX_PRECISION - 664))


def test_exponents_below_2_lose_no_bits() -> None:
    # (x + 0.1)**0.75 and (x + 0.1)**0.25 have rounded bases (1.1 has no finite
    # binary form) and exponents below 1: binary exponents 0 and -1, so 0 bits
    # each (never below 0), and the products lose 665 bits, as (1 +
    # x/1e200)**1e200 alone. Kills evaluate.py:ef253f2a:11:num_inc:0 (at least
    # 1 bit a power: 666, lost at 15,719) and evaluate.py:ef253f2a:11:num_dec:0
    # (0.25's -1 kept: 664, a value at 15,720)
    at_cap = _at_1("(1 + x/1e200)**1e200*(x + 0.1)**0.75", MAX_PRECISION - 665)
    assert at_cap.value is not None
    with mpmath.workdps(500):
        truth = _e_1e200() * mpmath.mpf("1.1") ** mpmath.mpf("0.75")
    assert float(at_cap.value) == _truth(truth)  # 2.9197051491207975
    _lost(_at_1("(1 + x/1e200)**1e200*(x + 0.1)**0.25", MAX_PRECISION - 664))


def test_a_value_lost_to_many_one_bit_powers_names_a_power() -> None:
    # 88 powers (x + k/10)**1.5 (k = 1..110, no multiple of 5, whose base 1 +
    # k/10 would be exact): each loses 1 bit (1.5 = 0.75*2**1), 88 in all, past
    # the 80-bit margin. Asked for 16,296 bits the value is had at 16,384, the
    # product of (1 + k/10)**1.5, 1.244e98; at 16,297 it is lost, and what is
    # named is one of the powers (all lost 1 bit), not the product. Kills
    # evaluate.py:abb2ca15:32:num_inc:0 (a power counted as the one that lost
    # most only past 1 bit: none is, and the last node, the product, is named)
    ks = [k for k in range(1, 111) if k % 5]
    text = "*".join(f"(x + {k}/10)**1.5" for k in ks)
    at_cap = _at_1(text, MAX_PRECISION - len(ks))
    assert at_cap.value is not None
    with mpmath.workdps(500):
        truth = mpmath.fprod((1 + mpmath.mpf(k) / 10) ** mpmath.mpf("1.5") for k in ks)
    assert float(at_cap.value) == _truth(truth)
    named = _lost(_at_1(text, MAX_PRECISION - len(ks) + 1))
    assert named.startswith("BinaryOp(op='**'")
