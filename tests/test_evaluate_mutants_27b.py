"""evaluate.py's rules pinned where mutants of sample 27 showed them loose.

* a pole reached through pi's rounding is found when a later step fails too
  (exp(tan(pi*x)) at 0.5: tan's noise pole, then exp overflowing): it was
  reported as an overflow ("finite but too large"), exit 3, not as the pole;
* a periodic call that itself fails (sinc of a number whose product with pi
  is past MPFR's range) is no candidate for pi's noise;
* pi's noise is told at twice the first precision (not more): from 6,000
  bits, a noise that does not shrink by 6,000 bits at 12,000 is looked at
  again at 16,384, not given up at the cap;
* the distance of a step function's argument to its nearest whole number.

The oracles are values worked out by hand (written next to each case),
never derivcli's own output.
"""

from __future__ import annotations

from typing import Any

import gmpy2
from conftest import Cli

from derivcli.language.evaluate import (
    _STEP_AT_WHOLE,
    Exact,
    _step_distance,
    compile_tree,
    exact_value,
)
from derivcli.language.parser import parse
from derivcli.language.tree import Call


def _exact(text: str, point: dict[str, float], **options: Any) -> Exact:
    return exact_value(compile_tree(parse(text).tree), point, **options)


def test_a_noise_pole_before_an_overflow_is_the_pole(cli: Cli) -> None:
    """x = 0.5 is pi*x = pi/2 exactly, tan's pole: exp(tan(pi*x)) has no value
    there because of tan, not because exp is finite but too large. At 256
    bits tan of pi/2 rounded is 1e77 and exp of it overflows; the noise
    pole's check (_pole_of_noise) skipped undefined outcomes, so the note
    said "exp(tan(pi*x)) is finite but too large" and the exit was 3."""
    run = cli("grad", "exp(tan(pi*x))", "--at", "x=0.5", "--timeout", "60")
    text = " ".join(run.out.split())
    assert run.code == 1, run.out + run.err
    assert "tan(pi*x) has a pole" in text
    assert "too large" not in text


def test_a_periodic_call_that_fails_is_no_noise_candidate() -> None:
    """sinc(t) is sin(pi*t)/(pi*t): at t = 2**1073741822, MPFR's largest
    binade (its exponents stop at 2**30 - 1), pi*t is past its range, so the
    sinc step itself overflows; exp(y)*0 rounds first (e is inexact), so the
    noise check of periodic calls runs, and must not look at the value of the
    step that has none (an IndexError when it did)."""
    outcome = _exact("exp(y)*0 + sinc(x^1073741822)", {"x": 2.0, "y": 1.0})
    assert outcome.value is None
    assert outcome.undefined is not None
    assert outcome.undefined.kind == "overflow"
    node = outcome.undefined.node
    assert isinstance(node, Call) and node.name == "sinc"


def test_pi_s_noise_is_told_at_twice_the_first_precision() -> None:
    """sin(pi*x**25) at x = 2**500 is sin(pi*2**12500) = 0 exactly (an even
    whole number of half turns), so its sign is 0. From 6,000 bits pi*2**12500
    is rounded by far more than a period, and still at 12,000 (twice): not
    shrunk, the noise is looked at once more at 16,384 bits, where it has
    shrunk by half the bits added and is pi's noise of a 0. Taken at three
    times the bits, 18,000, capped at 16,384, the second look has no room:
    the noise there (2**-3880) stayed, and the sign came out 1."""
    outcome = _exact("sign(sin(pi*x^25))", {"x": 2.0**500}, precision=6000)
    assert outcome.value == 0


def test_a_step_s_distance_is_to_the_nearest_whole_number() -> None:
    """floor, ceil and trunc step at every whole number: 3.25 and -2.75 are
    0.25 from theirs (3 and -3), 5 is on one."""
    for value, distance in ((3.25, 0.25), (-2.75, 0.25), (5.0, 0.0), (0.5, 0.5)):
        assert _step_distance(_STEP_AT_WHOLE, gmpy2.mpfr(value)) == distance
