"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 35, part a): `_value_here`, f's value at a kink or a domain edge.

Pinned here, each by a fact worked out by hand or with mpmath (never
derivcli's own output recorded as the expectation):

- _value_here doubles the precision from the one the value was had at, not
  the one asked for. exact_value goes past the precision asked for where a
  sum cancels: cos(5e-103) - 1 (-1.25e-205, 680 bits below its terms), asked
  for at 384 bits, is evaluated at 768, where 88 bits of it are left. Asked
  for at 768, exact_value gave the same value again, which agreed with itself
  to every bit, and that value, good to about 2**-91, was compared with f's
  limits to 2**-100: x*abs(x) + cos(5e-103) - 1 "jumped" at 0 by 3.7e-233
  (not differentiable, exit 1), and x*sqrt(x) + cos(5e-103) - 1 "jumped" at
  the edge of its domain. Both are continuous: a constant added to x*abs(x)
  (derivative 2*abs(x), 0 at 0) and to x**1.5 (right derivative 0 at 0);
- a real jump of that size is still found, and so is the constant's
  continuity written after the kink (cos(5e-103) - 1 + x*abs(x): the
  instruction before the last, x*abs(x), is exactly 0 at 0);
- _edge_jump evaluates f at the point without exact sums, as _jump does: x*sqrt(x)
  + exp(10000)*(sqrt(1 + exp(-14000)) - 1)*(1 - sign(x)**2) is 3.32e-1738 at
  0 (mpmath) and 0 right of it, a jump at the edge of sqrt's domain; exact
  sums rounded 1 + exp(-14000) at the 16,384-bit cap, read f as 0 at 0 and
  missed it (the original code's find, stop 35);
- _continuous_at (beside the point, 2**-64 along the next variable) evaluates
  f without exact sums too: x*y + c*(1 - sign(x)**2)*y, c that constant, jumps
  along x by c*y at x = 0 for every y != 0, so its derivative along x does not
  exist beside (0, 0) along y, and d2/dxdy does not exist there; exact sums
  read f as 0 at (0, 2**-64) and called it 1, "agree" (the original code's
  find, stop 35);
- a value lost at the point itself (cancelled past every precision) is said to
  be lost at the point by _jump and by _edge_jump, which are reached only
  where the point's own evaluation had a value, so they are asked directly;
- _value_here stops at the first two precisions that agree to 128 bits
  (HERE_BITS): cos(5.5e-40) - 1 at 384 and 768 bits agrees to 127.94 bits
  (mpmath), so it goes on to 1536; cos(5.8e-40) - 1 agrees to 128.43 bits,
  and it stops at 768; a value exactly 0 (0.1*z - 0.3 at z = 3) is not
  evaluated again; and the doubling stops at the cap, MAX_PRECISION, where
  exact_value already went for sin(exp(11300)) (its argument, 2**16302,
  needs more bits than the cap).

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

import time

import mpmath
import pytest
from conftest import Cli, one

from derivcli.language.evaluate import FLOAT64_MAX, compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic import analysis
from derivcli.symbolic.analysis import _value_here

# exp(10000)*(sqrt(1 + exp(-14000)) - 1), about exp(-4000)/2: 3.32e-1738
PAST_THE_CAP = "exp(10000)*(sqrt(1 + exp(-14000)) - 1)"


def _cancelled() -> str:
    # cos(5e-103) - 1 = -(5e-103)**2/2 + O(1e-410): -1.25e-205 to 200 digits
    with mpmath.workdps(300):
        value = mpmath.cos(mpmath.mpf("5e-103")) - 1
    return str(mpmath.nstr(value, 3))


def test_a_constant_cancelling_680_bits_is_no_jump_at_a_kink(cli: Cli) -> None:
    # f = x*abs(x) + c, c = cos(5e-103) - 1: f' = 2*abs(x), 0 at 0 from both
    # sides, and f is continuous (c is a constant). The original code's find
    # (stop 35): "jumps by -3.723809706e-233", not differentiable
    assert _cancelled() == "-1.25e-205"
    run = cli("grad", "x*abs(x) + cos(5e-103) - 1", "--at", "x=0", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.out
    result = one(run)
    assert result["verdict"] == "agree"
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (0.0, 0.0, 0.0)


def test_a_constant_cancelling_680_bits_is_no_jump_at_a_domain_edge(cli: Cli) -> None:
    # f = x*sqrt(x) + c is undefined left of 0; right of it f' = 1.5*sqrt(x),
    # whose limit at 0 is 0, and f's value at 0 is c, its right limit: no jump
    # (the original code: "jumps at x=0 (left limit undefined, value -1.25e-205,
    # right limit -1.25e-205)")
    run = cli("grad", "x*sqrt(x) + cos(5e-103) - 1", "--at", "x=0", "--timeout", "60", "-f", "json")
    assert run.code == 1, run.out
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert "jumps" not in result["note"]
    assert "undefined on the left" in result["note"]
    assert "right 0)" in result["note"]


def test_a_real_jump_of_that_size_is_still_found(cli: Cli) -> None:
    # (1 - sign(x)**2) is 1 at 0 and 0 beside it: f is x*abs(x) beside 0 (limits
    # 0) and c = -1.25e-205 at 0
    run = cli(
        "grad", "x*abs(x) + (cos(5e-103) - 1)*(1 - sign(x)**2)", "--at", "x=0",
        "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 1, run.out
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert f"(left limit 0, value {_cancelled()}, right limit 0" in result["note"]


def test_the_constant_written_before_the_kink(cli: Cli) -> None:
    # the same f, its last instruction the sum and the one before it x*abs(x),
    # exactly 0 at 0: whether f's value is 0 is asked of the last one. Kills
    # analysis.py:5f86be72:46:num_inc:0 (``len(outcome.values) - 2``: the
    # product's 0 read as f's, no doubling, the value at 768 bits good to 2**-91
    # compared with the limits: "jumps")
    run = cli("grad", "cos(5e-103) - 1 + x*abs(x)", "--at", "x=0", "--timeout", "60", "-f", "json")
    assert run.code == 0, run.out
    result = one(run)
    assert result["verdict"] == "agree"
    assert (result["symbolic"], result["left"], result["right"]) == (0.0, 0.0, 0.0)


def _agreement(t: str) -> float:
    """The bits to which cos(t) - 1 at 384 and at 768 bits agree, by mpmath: t
    rounded to the precision, its cosine rounded (MPFR's and mpmath's are
    correctly rounded here), minus 1 (exact: both are within a factor 2)."""
    values = []
    for bits in (384, 768):
        with mpmath.workprec(bits):
            values.append(mpmath.cos(mpmath.mpf(t)) - 1)
    with mpmath.workprec(2000):
        a, b = values
        return float(-mpmath.log(abs(a - b) / max(abs(a), abs(b)), 2))


@pytest.mark.parametrize(
    ("t", "agree", "stop"), [("5.5e-40", (127, 128), 1536), ("5.8e-40", (128, 129), 768)]
)
def test_value_here_stops_where_two_precisions_agree_to_128_bits(
    t: str, agree: tuple[int, int], stop: int
) -> None:
    # cos(t) - 1 is -t**2/2, about 2**-261: its 384-bit value keeps 123 bits,
    # more than the 80 exact_value asks for, so every precision asked for is the
    # one used (no refinement). 5.5e-40: the 384- and 768-bit values agree to
    # 127.94 bits, short of 128: one more doubling, to 1536. 5.8e-40: 128.43
    # bits: the 768-bit value is kept. Kills analysis.py:3040ff1a:12:num_dec:0
    # (HERE_BITS = 127: stops at 768 for 5.5e-40), 3040ff1a:12:num_inc:0 (129:
    # goes on to 1536 for 5.8e-40), 3040ff1a:12:num_neg:0 (-128: always one
    # doubling), c6bd6864:0:break_continue:0 (on to MAX_PRECISION),
    # 51da3308:10:aug_mul_div:0, 51da3308:13:num_dec:0, 51da3308:13:num_inc:0,
    # 51da3308:13:num_neg:0 (precision /2, *1, *3, *-2)
    low, high = agree
    assert low < _agreement(t) < high
    outcome = _value_here(compile_tree(parse(f"cos({t}) - 1").tree), {}, exact_sums=False)
    assert outcome.precision == stop
    with mpmath.workprec(3000):
        truth = mpmath.cos(mpmath.mpf(t)) - 1
        assert abs(mpmath.mpf(outcome.value) - truth) <= abs(truth) * mpmath.mpf(2) ** -400


def test_a_jump_past_the_precision_cap_at_a_domain_edge(cli: Cli) -> None:
    # f = x*sqrt(x) + c*(1 - sign(x)**2), c = exp(10000)*(sqrt(1 + exp(-14000))
    # - 1), about exp(-4000)/2: f is undefined left of 0, x**1.5 right of it
    # (limit 0), and c at 0. The original code (exact sums at the point): "edge
    # of the function's real domain ... right 0", no jump. Kills the mutant of
    # _edge_jump's ``exact_sums=False`` back to True
    text = _past_the_cap()
    run = cli(
        "grad", f"x*sqrt(x) + {PAST_THE_CAP}*(1 - sign(x)**2)", "--at", "x=0",
        "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert f"(left limit undefined, value {text}, right limit 0)" in result["note"]


def _past_the_cap() -> str:
    with mpmath.workdps(12000):
        value = mpmath.e**10000 * (mpmath.sqrt(1 + mpmath.e**-14000) - 1)
    text = str(mpmath.nstr(value, 3))
    assert text == "3.32e-1738"
    return text


def test_a_jump_past_the_precision_cap_beside_the_point(cli: Cli) -> None:
    # f = x*y + c*(1 - sign(x)**2)*y, c = 3.32e-1738 (mpmath): at x = 0 f is
    # c*y, beside it x*y, so along x it jumps by c*y at x = 0 for every y != 0:
    # f's derivative along x does not exist on x = 0 off y = 0, and d2/dxdy has
    # none at (0, 0). The original code (exact sums at (0, 2**-64)): 1, "agree".
    # Kills the mutant of _continuous_at's ``exact_sums=False`` back to True
    _past_the_cap()
    run = cli(
        "partial", f"x*y + {PAST_THE_CAP}*(1 - sign(x)**2)*y", "--wrt", "x", "--wrt", "y",
        "--at", "x=0,y=0", "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert "f's derivative along x does not exist beside the point along y" in result["note"]


# G = (z*tanh(z) + z)*exp(-2*z) at z = -20000: tanh(z) = -1 + 2e**-40000 + ...,
# so z*tanh(z) + z = 2z*e**-40000 (about 2**-57700 of its terms' size 20000)
# cancels past every precision derivcli uses: G has no value at the point
LOST_HERE = "(z*tanh(z) + z)*exp(-2*z)"


def test_a_value_lost_at_a_domain_edge_is_lost_at_the_point() -> None:
    # Kills analysis.py:52fe1a2f:60:true_false:0 (_edge_jump's here=False: the
    # note would say "beside the point")
    program = compile_tree(parse(f"sqrt(x) + {LOST_HERE}").tree)
    with pytest.raises(analysis._BesideOutOfRange) as stopped:
        analysis._edge_jump(program, {"x": 0.0, "z": -20000.0}, "x", +1)
    assert stopped.value.here is True
    assert stopped.value.undefined.lost


def test_a_value_lost_at_a_kink_is_lost_at_the_point() -> None:
    # Kills analysis.py:2acb89b3:67:true_false:0 (_jump's here=False)
    request = analysis.make_request(parse(f"x*abs(x) + {LOST_HERE}"), [("x",)], budget=120.0)
    prepared = analysis.prepare(request, time.monotonic() + 120)
    derivative = analysis._Derivative(prepared.steps[("x",)], FLOAT64_MAX)
    with pytest.raises(analysis._BesideOutOfRange) as stopped:
        analysis._jump(derivative, {"x": 0.0, "z": -20000.0})
    assert stopped.value.here is True
    assert stopped.value.undefined.lost


def test_value_here_takes_an_exact_0_as_it_is() -> None:
    # 0.1*z - 0.3 at z = 3 is 0.3 - 0.3 = 0 exactly (by hand; exact_value puts
    # the exact rationals in for MPFR's roundings of 0.1 and 0.3): a value 0
    # within its rounding is 0 whatever the precision, and is not evaluated
    # again. Kills analysis.py:5f86be72:0:bool_and_or:0 (``or``: 0 goes on to
    # 768 bits)
    program = compile_tree(parse("0.1*z - 0.3").tree)
    outcome = _value_here(program, {"z": 3.0}, exact_sums=False)
    assert outcome.value == 0
    assert outcome.precision == 384


def test_value_here_stops_at_the_cap() -> None:
    # exp(11300) is 2**16302.4 (11300/ln 2): sin of it asks for more bits than
    # MAX_PRECISION, 16,384, and exact_value gives it at the cap (good to about
    # 2**-86 by mpmath); _value_here doubles no further. Kills
    # analysis.py:4d698bd2:14:cmp_lt_le:0 (``precision <= MAX_PRECISION``: on
    # to 32,768 bits)
    program = compile_tree(parse("sin(exp(11300))").tree)
    outcome = _value_here(program, {}, exact_sums=False)
    assert outcome.precision == 16384
    with mpmath.workprec(40000):
        truth = mpmath.sin(mpmath.exp(11300))
        assert abs(mpmath.mpf(outcome.value) - truth) <= abs(truth) * mpmath.mpf(2) ** -80
