"""Notes that contradicted the numbers they explain (a user review, stop 37).

- At a regular point where a part of f passes the dtype's range, the note
  said "f itself is beyond float64's range" though f was within it
  (``y*atan(exp(x))`` at x = 800 is pi/2: only exp(x) passes).
- At a kink, a second derivative's note quoted torch's first-derivative rule
  ("torch's elu returns the left side's slope (alpha) at 0") beside
  autograd's 0, which is the right side's value of elu''.
- A float32 grid had no "float32 holds x=0.1 as ..." note, where the single
  point x=0.1 had one.

Each truth is worked out by hand in the comments, or with mpmath at 50 digits.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
from conftest import Cli, one


def _one(cli: Cli, *args: str) -> tuple[int, dict[str, Any]]:
    run = cli(*args, "-f", "json", "--timeout", "60")
    return run.code, one(run)


def _size(value: mpmath.mpf) -> str:
    """An mpmath value as the notes write a part's size: 3 significant digits,
    trailing zeros dropped, as C's %.3g writes them (2.73e+347, 1e+400)."""
    mantissa, exponent = mpmath.nstr(value, 3, min_fixed=1, max_fixed=0).split("e")
    return f"{float(mantissa):g}e+{int(exponent)}"


# ---------------------------------------------------------------- a part past the range


def test_a_part_past_float64_is_not_called_f_and_torch_still_has_f(cli: Cli) -> None:
    # d/dy of y*atan(exp(x)) is atan(exp(x)); at x = 800, exp(800) = 2.73e347
    # is past float64 (1.8e308), so torch's exp gives inf, and atan(inf) = pi/2.
    # f itself is atan(exp(800)) = pi/2 - exp(-800), pi/2 rounded to float64:
    # within range, and torch's forward value is right all the same
    with mpmath.workdps(50):
        part = mpmath.exp(800)
        f = float(mpmath.atan(part))
    assert f == 1.5707963267948966
    code, result = _one(cli, "partial", "y*atan(exp(x))", "--wrt", "y", "--at", "x=800,y=1")
    assert code == 0
    assert result["verdict"] == "agree"
    assert result["symbolic"] == result["autograd"] == f
    assert result["note"] == (
        "f is within float64's range here (f is 1.5707963267948966), but a part of it "
        f"passes the range on the way (exp(x) is about {_size(part)}), which float64 cannot "
        "hold; autograd's forward value is still f's, 1.5707963267948966; the derivative "
        "is within range and both sides agree"
    )


def test_f_exactly_float64s_largest_number_is_within_range(cli: Cli) -> None:
    # f = (2 - 2**-52)*2**1023 + y*atan(exp(x)) at y = 0 is exactly float64's
    # largest finite number, 1.7976931348623157e308 (53 bits: held exactly), so f
    # is within range (only exp(800) passes it); d/dy = atan(exp(800)) = pi/2
    # rounded, and torch's atan(inf) gives the same. Kills "f itself is beyond"
    # for a value equal to the largest (analysis.py's abs(f) > limit as >=).
    largest = (2 - 2**-52) * 2.0**1023
    assert largest == 1.7976931348623157e308 and math.nextafter(largest, math.inf) == math.inf
    with mpmath.workdps(50):
        part = mpmath.exp(800)
    code, result = _one(
        cli, "partial", "(2 - 2**-52)*2**1023 + y*atan(exp(x))", "--wrt", "y", "--at", "x=800,y=0"
    )
    assert code == 0
    assert result["verdict"] == "agree"
    assert result["symbolic"] == 1.5707963267948966
    assert result["note"].startswith(
        "f is within float64's range here (f is 1.7976931348623157e+308), but a part of it "
        f"passes the range on the way (exp(x) is about {_size(part)})"
    )


def test_a_part_past_float64_makes_the_forward_value_inf_not_f(cli: Cli) -> None:
    # sqrt(x**2 + y**2) at x = 1e200, y = 1: x**2 = 1e400 passes float64, so
    # torch's forward value is sqrt(inf) = inf, while f = sqrt(1e400 + 1) is
    # 1e200 rounded (the 1 is 1e-400 of it). d/dy = y/f = 1e-200; torch's
    # y/inf = 0, within the default atol 1e-10 of it: they agree
    x = 1e200
    with mpmath.workdps(50):
        part = mpmath.mpf(x) ** 2
        f = float(mpmath.sqrt(part + 1))
    assert f == x
    code, result = _one(cli, "partial", "sqrt(x**2+y**2)", "--wrt", "y", "--at", "x=1e200,y=1")
    assert code == 0
    assert result["verdict"] == "agree"
    assert result["autograd"] == 0.0
    assert result["note"] == (
        "f is within float64's range here (f is 1e+200), but a part of it passes the range "
        f"on the way (x**2 is about {_size(part)}), which float64 cannot hold, so "
        "autograd's forward value is inf, not f; the derivative is within range and both "
        "sides agree"
    )


def test_a_part_past_float32_is_not_called_f(cli: Cli) -> None:
    # float32 holds 1e20 as 100000002004087734272 (24 bits: 1e20 lies between
    # 2**66 and 2**67, so a multiple of 2**43 = 8796093022208: 11368684 of
    # them, 11368683.77 rounded). x**2 = 1.0000000400817547e40 passes
    # float32's 3.4e38; f = sqrt(x**2 + 1) is x, within range; torch gives inf
    x = 11368684 * 2**43
    assert x == 100000002004087734272
    with mpmath.workdps(50):
        part = mpmath.mpf(x) ** 2
        f = float(mpmath.sqrt(part + 1))
    assert f == float(x) == 1.0000000200408773e20
    code, result = _one(
        cli, "partial", "sqrt(x**2+y**2)", "--wrt", "y", "--at", "x=1e20,y=1", "--dtype", "float32"
    )
    assert code == 0
    assert result["verdict"] == "agree"
    assert result["note"] == (
        "f is within float32's range here (f is 1.0000000200408773e+20), but a part of it "
        f"passes the range on the way (x**2 is about {_size(part)}), which float32 cannot "
        "hold, so autograd's forward value is inf, not f; the derivative is within range "
        "and both sides agree"
    )


def test_f_itself_past_the_range_keeps_its_note_beside_a_part_that_is_not_f(cli: Cli) -> None:
    # exp(x) + y at x = 800: f is 2.73e347 itself, past float64, and d/dy = 1;
    # torch's forward value is inf + 1 = inf and its gradient 1: the old note,
    # true here, stays. atan(exp(x)) + y at the same point is pi/2 + 1, within
    # range: only its part exp(x) passes
    with mpmath.workdps(50):
        part = mpmath.exp(800)
    code, result = _one(cli, "partial", "exp(x)+y", "--wrt", "y", "--at", "x=800,y=1")
    assert code == 0
    assert (result["symbolic"], result["autograd"]) == (1.0, 1.0)
    assert result["note"] == (
        f"f itself is beyond float64's range here (exp(x) is about {_size(part)}), so "
        "autograd's forward value is inf; the derivative is within range and both sides agree"
    )
    code, result = _one(cli, "partial", "atan(exp(x))+y", "--wrt", "y", "--at", "x=800,y=1")
    assert code == 0
    assert result["note"].startswith("f is within float64's range here (f is 2.5707963267948966)")


# ---------------------------------------------------------------- conventions at order 2

# torch 2.13's elu_backward takes the negative branch where x <= 0 (the left
# side's slope alpha at 0), but its double backward multiplies by (x < 0), so
# every derivative of order 2 or more is 0 at 0: the right side's value (elu
# is linear on the right). celu is elu with input_scale 1/alpha: the same.
ELU_HIGHER = (
    "torch's elu returns the left side's slope (alpha) at 0 for its first derivative and "
    "0, the right side's, for its second and higher"
)


def test_elus_second_derivative_note_says_what_torch_returns_at_order_2(cli: Cli) -> None:
    # elu(x) is x right of 0 and exp(x) - 1 left: f'' is 0 on the right and
    # exp(x) -> 1 on the left. The closed form heaviside(-x)**2*exp(min(x, 0))
    # is (1/2)**2 = 0.25 at 0; torch's 0 is the right side's
    code, result = _one(cli, "grad", "elu(x)", "--order", "2", "--at", "x=0")
    assert code == 1
    assert result["verdict"] == "not differentiable"
    assert (result["left"], result["right"]) == (1.0, 0.0)
    assert (result["autograd"], result["symbolic"]) == (0.0, 0.25)
    assert result["note"] == (
        f"kink of elu at x=0: left derivative 1, right 0; autograd returns 0, the closed "
        f"form 0.25 ({ELU_HIGHER})"
    )


def test_celus_second_derivative_note_says_what_torch_returns_at_order_2(cli: Cli) -> None:
    # celu(x, 2) is x right of 0 and 2*(exp(x/2) - 1) left: f'' is 0 on the
    # right and exp(x/2)/2 -> 1/2 on the left; the closed form
    # heaviside(2 - 2*exp(x/2))*exp(x/2)/2 is 1/2*1/2 = 0.25 at 0
    code, result = _one(cli, "grad", "celu(x,2)", "--order", "2", "--at", "x=0")
    assert code == 1
    assert (result["left"], result["right"]) == (0.5, 0.0)
    assert (result["autograd"], result["symbolic"]) == (0.0, 0.25)
    assert result["note"] == (
        "kink of celu at x=0: left derivative 0.5, right 0; autograd returns 0, the closed "
        "form 0.25 (torch's celu returns 1 at 0 for its first derivative and 0, the right "
        "side's, for its second and higher)"
    )


def test_the_first_derivatives_rule_stays_where_order_2_uses_it(cli: Cli) -> None:
    # (elu(x, 2)*x)'' = 2*elu'(x, 2) + x*elu''(x, 2): left of 0 that is 2*2 = 4,
    # right 2*1 = 2. torch's is 2*elu'(0) + 0 = 2*alpha = 4, by the first
    # derivative's rule; the closed form's heaviside(0) = 1/2 gives
    # 2*(1/2 + 2*1/2) = 3
    code, result = _one(cli, "grad", "elu(x,2)*x", "--order", "2", "--at", "x=0")
    assert code == 1
    assert (result["left"], result["right"]) == (4.0, 2.0)
    assert (result["autograd"], result["symbolic"]) == (4.0, 3.0)
    assert result["note"].endswith(f"({ELU_HIGHER})")
    # at order 1 the note keeps the first derivative's rule alone: elu(x, 2)'
    # is 1 right of 0 and 2*exp(x) -> 2 left; torch returns alpha = 2
    code, result = _one(cli, "grad", "elu(x,2)", "--at", "x=0")
    assert code == 1
    assert result["note"].endswith("(torch's elu returns the left side's slope (alpha) at 0)")


# ---------------------------------------------------------------- float32 grids

# float32 has 24 significant bits: 0.1 (between 2**-4 and 2**-3) is the nearest
# multiple of 2**-27 to it, 13421773*2**-27 (0.1*2**27 = 13421772.8)
ONE_TENTH_IN_FLOAT32 = 13421773 * 2.0**-27


def test_a_float32_grid_names_its_first_moved_point_and_counts_the_rest(cli: Cli) -> None:
    # torch.linspace(0.1, 0.3, 3) is 0.1, 0.2, 0.3 in float64; none is a float32
    # value (none is a dyadic fraction), so float32 holds all three as others
    assert ONE_TENTH_IN_FLOAT32 == 0.10000000149011612
    run = cli(
        "grad", "x**2", "--at", "x=0.1:0.3:3", "--dtype", "float32", "-f", "json",
        "--timeout", "60",
    )  # fmt: skip
    assert run.code == 0
    report = run.json()
    assert report["note"] == (
        "float32 holds x=0.1 as 0.10000000149011612 (and 2 more points of the grid "
        "x=0.1:0.3:3): both derivatives are taken there, as torch takes them"
    )
    assert report["results"][0]["symbolic"] == 2 * ONE_TENTH_IN_FLOAT32


def test_a_grid_of_float32_values_has_no_note_and_0_to_1_moves_eight(cli: Cli) -> None:
    # 0.5, 1 and 1.5 are float32 values: nothing moves, no note. On 0:1:11,
    # 0, 0.5 and 1 are; 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8 and 0.9 are not:
    # eight move, the first 0.1
    run = cli(
        "grad", "x**2", "--at", "x=0.5:1.5:3", "--dtype", "float32", "-f", "json",
        "--timeout", "60",
    )  # fmt: skip
    assert run.code == 0
    assert run.json()["note"] is None
    run = cli(
        "grad", "x**2", "--at", "x=0:1:11", "--dtype", "float32", "-f", "json",
        "--timeout", "60",
    )  # fmt: skip
    assert run.code == 0
    assert run.json()["note"] == (
        "float32 holds x=0.1 as 0.10000000149011612 (and 7 more points of the grid "
        "x=0:1:11): both derivatives are taken there, as torch takes them"
    )


def test_numbers_and_grid_points_past_three_are_counted_apart(cli: Cli) -> None:
    # the numbers 0.1, 0.3 and 0.7 are named, 0.9 is counted; the grid 0:1:11
    # comes after them, so its eight moved points are counted too
    run = cli(
        "partial", "x*y", "--wrt", "x", "--dtype", "float32", "-f", "json", "--timeout", "60",
        "--at", "x=0.1,y=0.3", "--at", "x=0.7,y=0.9", "--at", "x=0:1:11,y=2",
    )  # fmt: skip
    assert run.code == 0
    assert run.json()["note"] == (
        "float32 holds x=0.1 as 0.10000000149011612, y=0.3 as 0.30000001192092896, "
        "x=0.7 as 0.699999988079071 (and 1 more number and 8 more grid points): both "
        "derivatives are taken there, as torch takes them"
    )


def test_a_jacobian_on_a_float32_grid_says_it_once(cli: Cli) -> None:
    run = cli(
        "jacobian", "x*y", "x+y", "--at", "x=0.1:0.3:3,y=2", "--dtype", "float32", "-f",
        "json", "--timeout", "60",
    )  # fmt: skip
    assert run.code == 0
    assert run.json()["note"] == (
        "float32 holds x=0.1 as 0.10000000149011612 (and 2 more points of the grid "
        "x=0.1:0.3:3): both derivatives are taken there, as torch takes them"
    )


def test_a_jacobians_float32_grid_past_the_range_keeps_its_one_line_error(cli: Cli) -> None:
    # 1e300 is past float32's largest value, (2 - 2**-23)*2**127 = 3.4e38, and
    # torch.linspace(-3e38, 3e38, 3) in float32 has the span 6e38 past it: the
    # grid note must leave both to the points' own check (exit 2, one line),
    # not stop with torch's RuntimeError (exit 3, "internal error")
    for grid, says in (
        ("1e300:2e300:3", "--at x=1e+300:2e+300:3: beyond float32's range (about 3.4e+38)"),
        ("-3e38:3e38:3", "torch.linspace gives points that are not finite in float32"),
    ):
        run = cli(
            "jacobian", "x*y", "x+y", "--at", f"x={grid},y=2", "--dtype", "float32",
            "--timeout", "60",
        )  # fmt: skip
        assert run.code == 2, run.err
        assert run.out == ""
        assert len(run.err.strip().splitlines()) == 1
        assert run.err.startswith("derivcli: error: expression 1 of 2 ('x*y'): --at x=")
        assert says in run.err
