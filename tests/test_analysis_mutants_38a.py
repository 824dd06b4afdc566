"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 38, part a: the lines of stop 37's "a one-sided limit is read where its
side has values, not missed at an edge or hole nearer than the probes").

The functions are fed sequences whose limits are known by construction (a
table of exact values at the steps 2**-k, as tests/test_analysis_mutants.py
does for _settle), so each truth is read off the sequence itself, never off
derivcli's output:

- _gap_exponents: where the gap between the sides first exists at 2**-K (a
  side that begins nearer the point than 2**-1024), the gaps are read at
  GAP_EXPONENTS doubled until the first has one, and every step returned can
  be measured (_measured);
- _settle, with ``offset`` (a point past 2**53, steps moved down): the probes,
  the look at 2**-4096 and the further steps are all moved down by it;
- _settle past holes: a value missing at a step is taken at the next finer one;
- _settle's "growing slower": a steady growth (as h**-p, or as log(1/h)) is
  not taken one step further, where holes would hide it.

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from conftest import Cli, one

from derivcli.language.evaluate import gmpy2
from derivcli.symbolic import analysis

# enough bits that 1 + 2**-200 is not 1 (gmpy2's default is 53)
BITS = 400


def _settle(value_at: Callable[[int], Any], offset: int = 0) -> Any:
    m = gmpy2()
    with m.context(m.get_context(), precision=BITS):
        return analysis._settle(lambda ks: [value_at(k) for k in ks], offset=offset)


def _one_plus(power: int, one: int = 1) -> Any:
    """1 + 2**-power (or ``one`` + 2**-power), exactly (at BITS bits)."""
    m = gmpy2()
    with m.context(m.get_context(), precision=BITS):
        return m.mpfr(one) + m.mul_2exp(m.mpfr(1), -power)


# ---------------------------------------------------------------- _gap_exponents


def _gaps_from(start: int) -> Callable[[int], Any]:
    """both_at for two sides whose quotients exist at the steps 2**-k, k >=
    start, only (a side that begins 2**-start from the point): a gap of 2**-k."""
    m = gmpy2()

    def both_at(k: int) -> tuple[int, Any, Any] | None:
        if k < start:
            return None
        return k, m.mpfr(0), m.mul_2exp(m.mpfr(1), -k)

    return both_at


@pytest.mark.parametrize(
    ("start", "exponents"),
    [
        # a gap at 2**-1027, the last of the steps _measured tries for 2**-1024
        (1027, (1024, 2048, 4096)),
        # none from 2**-1024 to 2**-1027, one from 2**-2048: doubled once
        (2048, (2048, 4096, 8192)),
        # none down to 2**-2051 (a side that begins 2**-3000 away): doubled twice
        (3000, (4096, 8192, 16384)),
        # none down to 2**-4095, one at 2**-4096 itself
        (4096, (4096, 8192, 16384)),
    ],
)
def test_the_gaps_are_read_from_the_first_doubled_steps_that_have_one(
    start: int, exponents: tuple[int, ...]
) -> None:
    # By construction the gap exists at every step from 2**-start on, so the
    # steps returned are GAP_EXPONENTS doubled until the first of them (or one
    # of the three finer ones _measured tries) lies past 2**-start, and each
    # step returned gives a gap. Kills analysis.py:7aa7dec6:16:num_inc:0 (the
    # doubling stops once the second exponent reaches 4096: (2048, 4096, 8192)
    # for a side that begins at 2**-3000, and no gap from 2**-2048 to 2**-2051,
    # _GapUnmeasured) and analysis.py:d89d1238:18:num_inc:0 (tripled, not
    # doubled: the gaps at 2**-3072, ... or, past that, at 2**-9216, ...).
    both_at = _gaps_from(start)
    found = tuple(analysis._gap_exponents(both_at))
    assert found == exponents
    m = gmpy2()
    gaps = [analysis._measured(k, both_at) for k in found]
    assert [gap[0] for gap in gaps] == [max(k, start) for k in found]
    assert all(right - left == m.mul_2exp(m.mpfr(1), -k) for k, left, right in gaps)


# ---------------------------------------------------------------- _settle, offset


OFFSET = 1000  # a point near 2**1000 (frexp's exponent 1000): steps 2**-k moved down by it


def test_the_probes_are_moved_down_by_the_offset() -> None:
    # A sequence whose value is 7 at steps of 2**-(k - OFFSET) >= 1 (far from
    # the point) and 1 + 2**-(k - OFFSET) nearer: its limit is 1. The probes
    # moved down (2**-1256, 2**-1512, 2**-2024 relative) read 1 + 2**-256, ...
    # Kills analysis.py:2b8c2c2f:12:arith_add_sub:0 (moved up: 2**744, 2**488
    # and 2**-24 relative, steps of 2**1744, ... away, all 7: the limit 7).
    def value_at(k: int) -> Any:
        return gmpy2().mpfr(7) if k < OFFSET else _one_plus(k - OFFSET)

    assert _settle(value_at, OFFSET) == 1.0


def test_a_side_that_begins_deeper_is_looked_for_below_the_offset() -> None:
    # A side with values from 2**-(OFFSET + 3000) on only (an edge 2**-3000 from
    # the point, at its own scale), 1 + 2**-k there: its limit is 1, read at
    # 2**-(OFFSET + 4096) and finer. Kills analysis.py:348238f2:50:arith_add_sub:0
    # (looked for at 2**-(4096 - OFFSET): none, the side read as missing, None)
    # and analysis.py:f646e975:50:arith_add_sub:0 (the finer steps at 2**-(k -
    # OFFSET): 2**-3096 has none, and the last three values are not all there).
    def value_at(k: int) -> Any:
        return None if k < OFFSET + 3000 else _one_plus(k)

    assert _settle(value_at, OFFSET) == 1.0


def test_the_steps_past_the_probes_are_moved_down_by_the_offset() -> None:
    # 1 + 2**-((k - OFFSET) // 16): 1 + 2**-16, 1 + 2**-32, 1 + 2**-64 at the
    # probes (not yet settled), 1 + 2**-128 at 2**-(OFFSET + 2048): settled to
    # 60 bits on 1, its limit. Kills analysis.py:f646e975:50:arith_add_sub:1
    # (2**-(2048 - OFFSET) next, 1 + 2**-3, then 2**-(4096 - OFFSET): no limit)
    def value_at(k: int) -> Any:
        return _one_plus((k - OFFSET) // 16)

    assert _settle(value_at, OFFSET) == 1.0


# ---------------------------------------------------------------- _settle, holes and depth


def test_a_hole_is_read_past_at_the_next_finer_step() -> None:
    # 1 + 2**-(k // 16), but with holes at 2**-2048, 2**-2050 and 2**-2051: the
    # probes (1 + 2**-16, ... 1 + 2**-64) move on, and the next finer step with a
    # value, 2**-2049, has 1 + 2**-128, settled on 1. Kills
    # analysis.py:00ebc8ee:35:num_inc:0 (tries from 2**-2050: all holes, the
    # side read as missing, None)
    def value_at(k: int) -> Any:
        return None if k in (2048, 2050, 2051) else _one_plus(k // 16)

    assert _settle(value_at) == 1.0


def test_a_hole_is_read_past_at_a_finer_step_not_a_coarser_one() -> None:
    # 3 + 2**-(k - 1990), but with a hole at 2**-4096 and the value 1 at
    # 2**-4095 (a finite set of values changes no limit: the limit is 3). The
    # probes and 2**-2048 shrink towards 3 + 2**-58; at the hole the next finer
    # step, 2**-4097, has 3 + 2**-2107, and one more step (2**-8192) settles
    # on 3. Kills analysis.py:00ebc8ee:35:num_neg:0 (tries from 2**-4095, the
    # coarser step: 1, and the sequence 3 + 2**-58, 1, 3 has no limit, nan)
    def value_at(k: int) -> Any:
        if k == 4096:
            return None
        return gmpy2().mpfr(1) if k == 4095 else _one_plus(k - 1990, 3)

    assert _settle(value_at) == 3.0


def test_a_side_that_begins_at_2_to_the_minus_4000_is_read_at_the_doubled_steps() -> None:
    # Values from 2**-4000 on only (1 + 2**-k): none at the probes, one at
    # 2**-4096; the limit 1 is read at 2**-4096, 2**-8192, 2**-16384. Kills
    # analysis.py:07d48d99:12:num_inc:0 (steps tripled: 2**-3072 has none, and
    # 2**-9216, 2**-27648 are two values, not the three a limit needs: None)
    def value_at(k: int) -> Any:
        return None if k < 4000 else _one_plus(k)

    assert _settle(value_at) == 1.0


def test_a_side_with_a_value_at_2_to_the_minus_4096_only_is_missing() -> None:
    # One value, at 2**-4096 itself, and none at any other step tried (an
    # isolated point of the domain, no side): no limit, None, after the steps
    # down to 2**-16384 (DEEPEST_START_EXPONENT) and the three finer ones a hole
    # is read past; each step 2**-k costs f at k + 64 bits, and nothing further
    # down is asked. Kills analysis.py:d2972885:20:bool_and_or:0 (the steps
    # keep doubling while the limit is None: past 2**-16384 without end; the
    # sequence stops the test at 2**-65536) and analysis.py:d2972885:33:cmp_lt_le:0
    # (one more step, at 2**-32768)
    asked: list[int] = []

    def value_at(k: int) -> Any:
        assert k <= 65536, "looked for past 2**-65536"
        asked.append(k)
        return _one_plus(k) if k == 4096 else None

    assert _settle(value_at) is None
    assert max(asked) == 16384 + 3


def test_an_edge_is_looked_for_once_at_2_to_the_minus_4096() -> None:
    # Values at steps down to 2**-300 only (an edge of the domain 2**-300 from
    # the point, as sqrt(y*(y + 2**-300)) has at 0): the probes 2**-512 and
    # 2**-1024 have none, nor has 2**-4096, the one deep look an edge's side
    # gets (at an edge f is costly that deep: lgamma(z)**(1/3) right of 1 takes
    # a second at 4,200 bits), so the side is missing, None, after the four
    # steps 2**-256, 2**-512, 2**-1024, 2**-4096. Kills
    # analysis.py:348238f2:17:bool_and_or:0 (with none at 2**-4096 the holes
    # are read past all the same and the steps followed to 2**-16384: looks
    # down to 2**-16387, for the same None)
    asked: list[int] = []

    def value_at(k: int) -> Any:
        asked.append(k)
        return _one_plus(k) if k <= 300 else None

    assert _settle(value_at) is None
    assert asked == [256, 512, 1024, 4096]


# ---------------------------------------------------------------- _settle, growing slower


HOLES_PAST_4096 = range(8192, 8196)  # every step _finer_value tries for 2**-8192


def test_a_steady_growth_as_a_power_is_not_taken_further() -> None:
    # 2**(k/8) = h**(-1/8): it grows by the square at each step (2**32, 2**64,
    # ..., 2**512 at 2**-4096), never by less at the last step than at the one
    # before, so the limit is +inf at 2**-4096, and the holes at 2**-8192 to
    # 2**-8195 are never asked. Kills analysis.py:818e718f:15:neg_drop:0,
    # analysis.py:818e718f:16:num_dec:0, analysis.py:818e718f:16:num_inc:0,
    # analysis.py:818e718f:20:arith_mul_div:0, analysis.py:818e718f:48:num_dec:0
    # and analysis.py:0f4dfa59:0:bool_and_or:0 (each reads this growth as
    # slowing: one more step, at the holes, and the side read as missing, None)
    m = gmpy2()

    def value_at(k: int) -> Any:
        return None if k in HOLES_PAST_4096 else m.mul_2exp(m.mpfr(1), k // 8)

    assert _settle(value_at) == math.inf


def test_a_growth_as_log_of_one_over_h_is_not_slowing() -> None:
    # k = log2(1/h): 1024, 2048, 4096 grow by the same factor, 2, at the last
    # step as at the one before (not by less), so the limit is +inf there.
    # Kills analysis.py:818e718f:38:cmp_lt_le:0 (4096*1024 <= 2048**2: read as
    # slowing, one more step at the holes, None) and analysis.py:818e718f:34:num_inc:0
    # (values[-4]: 4096*512 < 2048**2, the same)
    m = gmpy2()

    def value_at(k: int) -> Any:
        return None if k in HOLES_PAST_4096 else m.mpfr(k)

    assert _settle(value_at) == math.inf


def test_a_steady_growth_of_a_side_that_begins_deeper_is_plus_inf() -> None:
    # 2**(k/8) from 2**-4000 on only: read at 2**-4096, 2**-8192, 2**-16384
    # (2**512, 2**1024, 2**2048), a steady growth: +inf. Kills
    # analysis.py:818e718f:33:neg_drop:0 (values[3], the missing value at
    # 2**-2048, where values[-3] is meant: abs(None)); analysis.py:818e718f:34:num_inc:0
    # too (values[-4], the same missing value)
    m = gmpy2()

    def value_at(k: int) -> Any:
        return None if k < 4000 else m.mul_2exp(m.mpfr(1), k // 8)

    assert _settle(value_at) == math.inf


# ---------------------------------------------------------------- _settle past holes, f's limits


def test_f_beside_holes_at_the_first_two_probes_is_read_at_finer_steps(cli: Cli) -> None:
    # By hand: f is y + 2**-200 at 0 and y elsewhere, but for the holes (log(0))
    # at -2**-256 and at -2**-512 to -2**-515: both one-sided limits are 0, the
    # value 2**-200, a jump, no derivative. The left limit has no value at the
    # probes 2**-256 and 2**-512: it is read at 2**-257 (the next finer step),
    # then at 2**-516, the first step past the holes after 2**-512 (f has a
    # value at 2**-257, coarser, so holes are read past). Kills
    # analysis.py:00ebc8ee:35:num_dec:0 (2**-512 asked again before 2**-513:
    # past a value at 2**-257 that is a hole to read past, whose three finer
    # steps are holes and 2**-1024 has a value: "cannot decide", exit 3)
    holes = " + ".join(f"0*log(abs(y + 2**-{k}))" for k in (256, 512, 513, 514, 515))
    text = f"y + 2**-200*(1 - sign(y)**2) + {holes}"
    run = cli("grad", text, "--at", "y=0", "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    result = one(run)
    assert run.code == 1
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert "the function being differentiated jumps at y=0" in result["note"]
