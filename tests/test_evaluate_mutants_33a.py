"""Cases for survivors of tools/mutate.py in derivcli/language/evaluate.py
(stop 33, first set).

Each test pins a fact worked out by hand (or with mpmath at high precision),
never derivcli's own output recorded as the expectation, and names the mutant
it kills (``.venv/bin/python tools/mutate.py --show ID`` prints one):

* a step function's value is taken as exact only when its argument is clearly
  off its steps: a frac whose argument rounded onto a whole number (tanh(y) + 2
  at y = 20000 is 3 - 2e**-40000, which 32,768 bits round to 3) has a magnitude
  of 0 but is not exact, and a sign read through it is not 0 (it is -1);
* a sum that is exactly 0 with no rounding (x - 1 at x = 1) cancelled nothing:
  it does not send a product whose factor sin(exp(y)) is known to 100 bits at
  16,384 past the cap as "cancelled".
"""

from __future__ import annotations

import mpmath
from conftest import Cli, one

from derivcli.language.evaluate import compile_tree, exact_value
from derivcli.language.parser import parse

# ---------------------------------------------------------------- exact[-1] of a step function


def test_a_sign_read_through_a_frac_rounded_onto_its_step_is_not_zero(cli: Cli) -> None:
    # By hand: tanh(20000) = 1 - 2e**-40000 + ..., so tanh(y) + 2 at y = 20000 is
    # 3 - 2e**-40000 (2e**-40000 is about 2**-57,706, below even 32,768 bits'
    # rounding of 3: it comes out exactly 3). Its trunc is 2, so frac(tanh(y) + 2)
    # is tanh(20000) = 1 - 2e**-40000, cos of it is cos(1) - ... = 0.54, and
    # sign(cos(frac(tanh(y) + 2)) - 1) is -1 (cos(1) - 1 = -0.46). The derivative
    # of sign(...)*y along y is that sign plus y times sign's derivative 0: -1.
    # Computed, frac reads 0 (its argument rounded onto its step), with a
    # magnitude of 0 (its argument, 3, clearly away from 0), but rounded: not
    # exact; cos(0) - 1 then has cos's magnitude 1, the sign is read on its step,
    # and the tanh it rests on (rounded onto -1/1, a value it never takes) makes
    # it lost: "cannot judge". Either that or the true -1; never 0.
    # Kills evaluate.py:8ee5fb58:43:bool_and_or:0 (`... or not magnitude` marks
    # frac's 0 exact, so cos(0) - 1 is an exact 0 and the sign a plain 0: it
    # "agrees" with torch's 0 at 0.0, where the truth is -1)
    with mpmath.workdps(30):
        assert mpmath.cos(1) - 1 < -0.45
    with mpmath.workdps(20):
        gap = 2 / (mpmath.exp(40000) + 1)  # 1 - tanh(y) = 2/(e**(2y) + 1), no cancelling
        assert 0 < gap < mpmath.mpf(2) ** -57000
    run = cli(
        "grad", "sign(cos(frac(tanh(y)+2))-1)*y", "--at", "y=20000", "--timeout", "60", "-f", "json"
    )
    row = one(run)
    assert row["symbolic"] in (None, -1.0), row
    if row["symbolic"] is None:
        assert run.code == 3, run.err
        assert "cannot judge" in row["note"], row


# ---------------------------------------------------------------- cancelled: < not <=


def test_an_exact_zero_sum_cancels_nothing(cli: Cli) -> None:
    # By hand: the partial of sin(exp(y))*exp(x - 1) along x is
    # sin(exp(y))*exp(x - 1); at x = 1 exp(x - 1) = exp(0) = 1 exactly, so it is
    # sin(exp(11285)). exp(11285) is 2**16,280.9 (11285/ln 2), whose rounding at
    # the cap of 16,384 bits is 2**-103: sin of it is known to about 100 bits.
    # mpmath at 5,000 and 5,200 digits (exp(11285) has 4,901 before the point)
    # agree on 0.579765126583285. x - 1 is exactly 0 with no rounding (magnitude
    # 0): no sum cancelled, and the product's magnitude (sin's, 2**16,281, from
    # its argument's) is no sign of lost bits. Torch overflows exp(y) (inf, nan):
    # its disagreement is not the point; the closed form's value is.
    # Kills evaluate.py:42e34144:26:cmp_lt_le:0 (0*cancelled <= 0 counts the
    # exact 0 of x - 1 as an infinite cancellation: at 16,384 bits the product's
    # noise, 2**16,281 * 2**(48 - 16,384), is above its value's 64th bit, and it
    # is "cannot judge: ... cancels past the 16,384 bits")
    with mpmath.workdps(5000):
        truth = mpmath.sin(mpmath.exp(11285))
    with mpmath.workdps(5200):
        assert abs(mpmath.sin(mpmath.exp(11285)) - truth) < mpmath.mpf(10) ** -30
    run = cli(
        "partial",
        "sin(exp(y))*exp(x - 1)",
        "--wrt",
        "x",
        "--at",
        "x=1,y=11285",
        "--timeout",
        "60",
        "-f",
        "json",
    )
    row = one(run)
    assert row["symbolic"] is not None, row
    assert abs(row["symbolic"] - float(truth)) <= 1e-15 * abs(float(truth)), row
    # the same through exact_value, at the one point: a value, not "cancelled"
    program = compile_tree(parse("sin(exp(y))*exp(x - 1)").tree)
    outcome = exact_value(program, {"x": 1.0, "y": 11285.0})
    assert outcome.value is not None, outcome.undefined
    assert abs(float(outcome.value) - float(truth)) <= 1e-15 * abs(float(truth))
