"""Cases for survivors of tools/mutate.py in derivcli/language/evaluate.py
(stop 34).

Each test pins a fact worked out by hand (or with mpmath at high precision),
never derivcli's own output recorded as the expectation, and names the mutant
it kills (``.venv/bin/python tools/mutate.py --show ID`` prints one):

* a quotient whose denominator is rounding noise (sin(x)**2 + cos(x)**2 - 1, 0
  for every x) and comes out exactly 0 at every precision tried is left to
  rounding, the denominator named: "cannot judge", not a crash;
* a two-argument call that fails through rounding (polygamma(1, z) with z =
  tanh(y) - 1 rounded onto its pole at 0) is retried with more bits even
  though its first argument, the order 1, is computed exactly: the order does
  not end the look at the arguments after it.
"""

from __future__ import annotations

import mpmath
from conftest import Cli, one

from derivcli.language.evaluate import compile_tree, exact_value
from derivcli.language.parser import parse
from derivcli.language.printer import to_text

# ---------------------------------------------------------------- _undecided_failure of a quotient

NOISE = "sin(x)**2 + cos(x)**2 - 1"


def test_a_quotient_by_rounding_noise_names_its_denominator() -> None:
    # By hand: sin(x)**2 + cos(x)**2 = 1 for every x, so the denominator is 0 and
    # what MPFR computes is noise of either sign (or exactly 0) at every
    # precision: the division by it fails only by rounding, and what is left to
    # rounding is the denominator (args[1] of the DIV step), not x (args[0]).
    # Kills evaluate.py:5842b0f2:24:num_inc:0 (args[2] of a two-argument step:
    # IndexError)
    outcome = exact_value(compile_tree(parse(f"x/({NOISE})").tree), {"x": 0.5})
    assert outcome.value is None
    assert outcome.undefined is not None
    assert outcome.undefined.kind == "cancelled"
    assert to_text(outcome.undefined.node) == NOISE


def test_a_quotient_by_rounding_noise_cannot_be_judged(cli: Cli) -> None:
    # Same quotient through the CLI: x/(sin(x)**2 + cos(x)**2 - 1) has a
    # denominator that is 0 for every x (by hand), which no precision resolves:
    # "cannot judge" (exit 3), the sum named. Kills
    # evaluate.py:5842b0f2:24:num_inc:0 (the engine fails with IndexError)
    run = cli("grad", f"x/({NOISE})", "--at", "x=0.5", "--timeout", "60", "-f", "json")
    assert run.code == 3, run.err
    assert "IndexError" not in run.err
    result = one(run)
    assert result["symbolic"] is None
    assert result["differentiable"] is None
    assert "cannot judge" in result["note"]
    assert f"{NOISE} cancels past" in result["note"]


# ---------------------------------------------------------------- _near: an exact argument first


def _polygamma_truth(order: int) -> mpmath.mpf:
    # polygamma(order, tanh(y) - 1) at y = 100, at 2,000 bits: 1 - tanh(100) is
    # 2/(e**200 + 1), about 2.8e-87 (no cancelling in that form), so the argument
    # z is -2.8e-87, far from the pole at 0 once enough bits are used; near 0,
    # polygamma(1, z) is about 1/z**2 = 1.3e173
    with mpmath.workprec(2000):
        z = -2 / (mpmath.exp(200) + 1)
        return +mpmath.polygamma(order, z)


def test_polygamma_rounded_onto_its_pole_is_evaluated_with_more_bits() -> None:
    # 256 bits round tanh(100) to 1 (1 - tanh(100) is 2**-287.5), so z rounds to
    # 0, polygamma's pole: a failure that is the rounding's, since z's rounding
    # (2**-256 or so) is larger than its distance to 0. The order 1 is computed
    # exactly and skipped; z is still looked at, and more bits give the value.
    # Kills evaluate.py:973a9cc5:0:continue_break:0 (`break` on the exact order
    # stops before z: the failure is taken as sure, "pole")
    truth = _polygamma_truth(1)
    assert 1.30e173 < truth < 1.31e173
    outcome = exact_value(compile_tree(parse("polygamma(1, tanh(y) - 1)").tree), {"y": 100.0})
    assert outcome.undefined is None
    assert outcome.value is not None
    assert abs(float(outcome.value) / float(truth) - 1) < 1e-12


def test_polygamma_rounded_onto_its_pole_is_differentiable(cli: Cli) -> None:
    # d/dy polygamma(1, tanh(y) - 1) = polygamma(2, z)*(1 - tanh(y)**2), z as
    # above; 1 - tanh(100)**2 = sech(100)**2 = 4/(e**100 + e**-100)**2. Exactly
    # at y = 100 f is finite and differentiable, derivative 5.22e173 (mpmath);
    # float64 rounds tanh(100) to 1, so autograd hits the pole (nan): DISAGREE,
    # exit 1. Kills evaluate.py:973a9cc5:0:continue_break:0 (with it, "not
    # differentiable": "polygamma(1, tanh(y) - 1) has a pole")
    with mpmath.workprec(2000):
        sech2 = 4 / (mpmath.exp(100) + mpmath.exp(-100)) ** 2
        truth = _polygamma_truth(2) * sech2
    assert 5.22e173 < truth < 5.23e173
    run = cli("grad", "polygamma(1, tanh(y) - 1)", "--at", "y=100", "--timeout", "60", "-f", "json")
    result = one(run)
    assert result["differentiable"] is True, result
    assert abs(result["symbolic"] / float(truth) - 1) < 1e-12, result
    assert "pole" not in result["verdict"]
    assert run.code == 1, run.err
    assert result["verdict"] == "DISAGREE"
