"""Cases for the survivors of tools/mutate.py in derivcli/symbolic/analysis.py,
sample seed 29 run again (stop 24).

Each test pins a fact worked out by hand or with mpmath (never derivcli's own
output recorded as the expectation) and names the mutant it kills:
``.venv/bin/python tools/mutate.py derivcli/symbolic/analysis.py --show ID``
prints one. Helpers the CLI cannot reach precisely are tested directly.
"""

from __future__ import annotations

import math

import mpmath
import pytest
from conftest import Cli, count_beside_values, one, screen_grid

from derivcli.language.parser import parse

# ---------------------------------------------------------------- a derivative past MPFR


def test_a_derivative_past_mpfr_while_f_is_not_is_an_overflow(cli: Cli) -> None:
    # d/dx exp(exp(x)) = exp(x + exp(x)). At x = 20.42790247, exp(x) is about
    # 19.5 below 2**30*ln 2, so f = e**exp(x) is within MPFR's range (2**(2**30)),
    # but x + exp(x) is past it: the derivative itself overflows every format, a
    # plain overflow (no verdict, "beyond float64's range"), not an out-of-range
    # value on the way. Kills analysis.py:9a847aed:18:cmp_eq_ne:0 (overflow of
    # the derivative's root taken for "cannot judge this point")
    x = 20.42790247
    with mpmath.workdps(50):
        ceiling = 2**30 * mpmath.log(2)  # ln of MPFR's largest exponent, about
        inner = mpmath.exp(mpmath.mpf(x))
        assert ceiling - 30 < inner < ceiling - 1  # f = e**inner is representable
        assert mpmath.mpf(x) + inner > ceiling  # f' = e**(x + inner) is not
    run = cli("grad", "exp(exp(x))", "--at", f"x={x!r}", "-f", "json")
    result = one(run)
    assert result["symbolic"] == "inf" and result["differentiable"] is None
    assert "the derivative is beyond float64's range" in result["note"]
    assert "cannot judge" not in result["note"]


# ---------------------------------------------------------------- a jump's note


def test_a_lower_closed_form_without_a_value_is_shown_as_undefined(cli: Cli) -> None:
    # d2/dx2 of sqrt(x**2) = abs(x) at 0: d/dx is x/sqrt(x**2), -1 left of 0 and
    # 1 right of it, and 0/0 at 0 itself: the note's jump has "value undefined".
    # Kills analysis.py:847eaae4:7:return_none:0 ("value None")
    run = cli("partial", "sqrt(x**2)", "--wrt", "x", "--wrt", "x", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert "jumps at x=0 (left limit -1, value undefined, right limit 1)" in result["note"]


def test_f_with_sides_exactly_0_and_a_value_of_one_half_jumps_plainly(cli: Cli) -> None:
    # heaviside(-x**2) is 0 at every x but 0, where it is heaviside(0) = 1/2: both
    # side limits are exactly 0 (the values at every step are 0), f's value is
    # 1/2, a jump of 1/2 seen by the limits themselves, not one "below the
    # probes' steps". Kills analysis.py:db8bd1c0:20:cmp_le_lt:0 (two values of
    # exactly 0 not taken as converged, so the limits came back as the float 0
    # of a shrinking sequence and the jump was looked for below 2**-4096)
    run = cli("grad", "heaviside(-x**2)", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert "jumps at x=0 (left limit 0, value 0.5, right limit 0)," in result["note"]
    assert "below the probes' steps" not in result["note"]


# ---------------------------------------------------------------- _limit


@pytest.mark.parametrize("sequence", [(0, -1, -2), (0, 0, -1), (0, 1, 2)])
def test_growth_from_an_exact_0_is_no_steady_growth(sequence: tuple[float, ...]) -> None:
    # a slope first seen after a step where it was exactly 0 grows from nothing:
    # no limit is read (nan), neither +inf nor -inf. Kills
    # analysis.py:efd7a6e8:43:cmp_gt_ge:0 (2.25*abs(a) >= 0: a = 0 let through)
    from derivcli.language.evaluate import gmpy2
    from derivcli.symbolic.analysis import _limit

    m = gmpy2()
    found = _limit([m.mpfr(v) for v in sequence])
    assert found is not None and math.isnan(found)


# ---------------------------------------------------------------- the float64 screen


def test_the_screen_sends_a_kink_within_a_millionth_of_a_large_coordinate() -> None:
    # relu(x - 1000) on 5,001 points of [999.5, 1000.5]: the screen's margin is
    # 1e-6 relative to the coordinates (README), here 1e-6*|x| = 1e-3, so the
    # points with |x - 1000| <= 1e-6*|x| (about 11) are evaluated exactly and
    # the others take float64's values. Kills analysis.py:a60704a9:36:arith_mul_div:0
    # (the margin divided by the coordinates' size, 1e-9: only x = 1000 sent)
    points, response = screen_grid("relu(x - 1000)", (999.5, 1000.5, 5001))
    xs = [float(v) for v in points.columns["x"]]
    near = sum(abs(x - 1000) <= 1e-6 * abs(x) for x in xs)
    assert near >= 9
    assert response.approximate == len(xs) - near


def test_the_screen_sends_no_point_of_a_power_0() -> None:
    # x**0 is 1 everywhere, x = 0 included (0**0 = 1): a whole exponent that
    # does not move is no domain edge, so on 5,001 points of [-1e-5, 1e-5]
    # (hundreds within 1e-6 of 0) the screen gives every value itself. Kills
    # analysis.py:095aab2e:76:num_inc:0 (exponents below 1, 0 among them, taken
    # for poles)
    points, response = screen_grid("x**0 + x", (-1e-5, 1e-5, 5001))
    xs = [float(v) for v in points.columns["x"]]
    assert response.approximate == len(xs)
    assert response.derivatives[0].values == [1.0] * len(xs)


# ---------------------------------------------------------------- kink lines


def test_a_kink_line_is_followed_along_a_coordinate_past_2_to_the_53(cli: Cli) -> None:
    # u = x + relu(y - 2**61) is x for every y < 2**61, so near y = 2**60
    # f = abs(u)*sign(u)*y is x*y and d2/dxdy is 1. The closed form of d/dx,
    # sign(u)**2*y, is 0 all along the kink line x = 0 (sign(0) = 0), so the
    # derivative is read beside the line; to find the line, u is checked along y
    # at steps below 1 (2**60 * 2**-(32 + 61) and 2**-(64 + 61)), not 2**89 and
    # 2**57 away, where relu(y - 2**61) is no longer 0. Kills
    # analysis.py:e6b4ff4f:55:arith_add_sub:0 (exponent - offset)
    y = 2**60
    run = cli(
        "partial",
        "abs(x + relu(y - 2**61))*sign(x + relu(y - 2**61))*y",
        *("--wrt", "x", "--wrt", "y", "--at", f"x=0,y={y}", "-f", "json"),
    )
    result = one(run)
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0 and result["left"] == 1.0 and result["right"] == 1.0


# ---------------------------------------------------------------- f's value at a kink


def test_f_at_an_exact_zero_of_decimal_constants_beside_a_flat_side(cli: Cli) -> None:
    # 2500.125*200.1*200.3 = 100205085.00375 exactly (20001/8 * 2001/10 * 2003/10),
    # so f = relu(x*200.1*200.3 - 100205085.00375) is 0 at x = 2500.125: 0 on
    # the left (every value there is exactly 0), 40080.03*h on the right, and
    # continuous. The exact evaluation leaves f a residue of the decimals'
    # rounding at the point, which is 0, not a value beside limits of 0: a kink
    # with sides 0 and 200.1*200.3 = 40080.03, no jump. Kills
    # analysis.py:ea4628d7:29:cmp_isnot_is:0 (the residue kept as f's value)
    run = cli("grad", "relu(x*200.1*200.3 - 100205085.00375)", "--at", "x=2500.125", "-f", "json")
    result = one(run)
    assert run.code == 1 and result["differentiable"] is False
    assert result["left"] == 0.0 and result["right"] == 40080.03
    assert "jumps" not in result["note"]
    assert "kink of relu at x=2500.125" in result["note"]


# ---------------------------------------------------------------- guard steps


def test_a_quotient_104_bits_above_its_rounding_is_taken_at_the_first_guard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # g = 1 + x/2**19 beside x = 0 from the right: at step 2**-k each value is
    # taken with k + 128 bits, whose rounding over the step is about
    # 2**(k + 4 - (k + 128)) = 2**-124 (relative to values of about 1), and the
    # quotient is 2**-19: just under 2**105 times the rounding, so 104 bits and
    # more above it (QUOTIENT_BITS), enough to be taken at that first guard.
    # Each probe (2**-256, 2**-512, 2**-1024) takes two values there and no
    # more, and the slope is 2**-19 exactly. Kills analysis.py:a5630558:16:num_inc:0
    # (105 bits asked: every probe taken again with 640 guard bits)
    from derivcli.language.evaluate import compile_tree
    from derivcli.symbolic import analysis

    calls = count_beside_values(monkeypatch)
    g = compile_tree(parse("1 + x/524288").tree)
    assert analysis._one_sided(g, {"x": 0.0}, "x", +1, g) == 2.0**-19
    assert sorted(calls) == [256 + 128] * 2 + [512 + 128] * 2 + [1024 + 128] * 2


# ---------------------------------------------------------------- f's own differences


@pytest.mark.parametrize(("text", "order"), [("acosh(cosh(z)) - z", 1), ("acosh(cosh(z)) + z", 3)])
def test_differences_are_taken_again_until_two_agree(text: str, order: int) -> None:
    # acosh(cosh(z)) is |z|, so beside z = 1e-300 (steps of 2**-64*1e-300 and
    # below keep z > 0) f = |z| - z is 0 and f = |z| + z is 2z: the first
    # difference of one and the third of the other are 0 on both sides.
    # cosh(1e-300) = 1 + 5e-601 leaves acosh only the bits past 2,000 of
    # cancellation, so the differences are rounding at first: each is taken
    # again at twice the bits until two agree (or 32,768 bits still show only
    # rounding, which is 0). Kills analysis.py:34ceb6e2:9:cmp_is_isnot:0 (the
    # second value taken whatever it is: -inf and nan from the rounding)
    from derivcli.language.evaluate import compile_tree
    from derivcli.symbolic.analysis import _finite_difference

    program = compile_tree(parse(text).tree)
    for side in (-1, +1):
        found = _finite_difference(program, {"z": 1e-300}, "z", side, order)
        assert found is not None and float(found) == 0.0


# ---------------------------------------------------------------- a lower order by its sides


def test_a_lower_order_without_a_value_exists_by_sides_at_equal_steps(cli: Cli) -> None:
    # f = y*z*(x + c*relu(-x)**1.0625 + x*sqrt(x**4)), c = 1.3093e-11: d/dy is
    # g = z*(x + c*relu(-x)**(17/16) + x**3), and d3/dy dx dz at (0, 1, 1) is
    # d/dx of x + c*relu(-x)**(17/16) + x**3 at 0, which is 1 (the relu power is
    # o(|x|)). d2/dy dx's closed form is 0/0 at x = 0 (sqrt(x**4)), so whether
    # it exists is read from g's one-sided slopes along x: 1 on the right, and
    # 1 - c*(2**(17/16) - 1)*h**(1/16) = 1 - 2**-100.03 on the left at the step
    # h = 2**-1024 where the quotients settle (to 60 bits): within the sides'
    # 2**-100, so they meet. Taken at 2**-1023 on the left only, that side is
    # 1 - 2**-99.97: not the right side's limit, and the derivative "has no
    # value there". Kills analysis.py:d3394eae:38:num_inc:0 (left step doubled).
    # (The comparison at the step where the quotients settle is itself close
    # to the edge here: with c = 1e-9 the same f is called not differentiable;
    # see the report of stop 24.)
    with mpmath.workdps(40):
        c = mpmath.mpf("1.3093e-11")
        left_gap = c * (2 ** (mpmath.mpf(17) / 16) - 1) * mpmath.mpf(2) ** -64
        assert mpmath.mpf(2) ** -100.05 < left_gap < mpmath.mpf(2) ** -100
        assert left_gap * 2 ** (mpmath.mpf(1) / 16) > mpmath.mpf(2) ** -100
    run = cli(
        "partial",
        "y*z*(x + 1.3093e-11*relu(-x)**1.0625 + x*sqrt(x**4))",
        *("--wrt", "y", "--wrt", "x", "--wrt", "z", "--at", "x=0,y=1,z=1", "-f", "json"),
    )
    result = one(run)
    assert result["differentiable"] is True
    assert result["symbolic"] == 1.0 and result["left"] == 1.0 and result["right"] == 1.0
