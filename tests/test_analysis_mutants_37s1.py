"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(stop 37, helper s1).

Pinned here, each by a fact worked out by hand (never derivcli's own output
recorded as the expectation):

- kink_root returns an end of its bracket as the root only where the kink
  argument is exactly 0 there: an argument of exactly 1 at the lower end
  (2**60*(1 + 2**-60 - x) at x = 1) is no root, and the sign change up to the
  next float (-255 at 1 + 2**-52) is narrowed to the true root 1 + 2**-60,
  which no float is; so `plot` reports relu's kink there as a kink between
  floats (drawn at 1.0), with sides -2**60 and 0, not differentiable;
- examine calls a mixed derivative 0 where a lower closed form has no value,
  its existence is not known from sides or differences, and f is constant
  around the point: cbrt(hardshrink(x))*y is 0 on the whole strip |x| < 1/2, so
  d4/dxdydxdx at (0, 1) is 0 (the closed forms from d/dx on are 0/0 there);
- examine looks for a jump of f wherever ANY lower closed form (not only the
  last) has no value at the point: z**(y**2)*heaviside(2**-160 - (x - 1)**2)
  + x**3 at (1, 0, z=0) is 2 at the point and 1 beside it along y (0**0 = 1,
  0**(y**2) = 0), so d/dy does not exist there and neither does d3/dydxdx,
  though d/dy's closed form (log(z): no value) is the only one without a value
  and d2/dydx's is 0 (heaviside's derivative is 0).

Each test names the mutant(s) it kills (``.venv/bin/python tools/mutate.py
--show ID`` prints one).
"""

from __future__ import annotations

import mpmath
from conftest import Cli, one

from derivcli.language.evaluate import compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import kink_root

# ---------------------------------------------------------------- kink_root: an end that is no root


def test_a_kink_argument_of_exactly_1_at_the_bracket_end_is_no_root(cli: Cli) -> None:
    # f = relu(2**60*(c - x)), c = 1 + 2**-60. By hand: f = 2**60*(c - x) for
    # x < c (slope -2**60) and 0 for x > c (slope 0): a kink at c, not
    # differentiable there. c is no float (1 + 2**-52 is the next above 1), the
    # nearest is 1.0. torch rounds c to 1 and finds the argument 0 at x = 1, the
    # grid point; exactly, the argument is 2**60*2**-60 = 1 there and 2**60*(2**-60
    # - 2**-52) = -255 at 1 + 2**-52, so kink_root(1, 1 + 2**-52) sees f_lo = 1,
    # f_hi = -255 and narrows to c. Kills analysis.py:77364f62:11:num_inc:0
    # (``f_lo == 1``: the end 1 + 2**-52 returned as a root at a float, where
    # the argument is -255, relu is smooth: "differentiable", no kink reported)
    text = "relu(2**60*(1 + 2**-60 - x))"
    run = cli("plot", text, "--range", "0:2", "--points", "5", "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    (kink,) = run.json()["kinks"]
    assert kink["x"] == 1.0
    assert kink["at_float"] is False
    assert kink["differentiable"] is False
    assert (kink["left"], kink["right"]) == (-float(2**60), 0.0)
    assert "not differentiable at 1 kink (x=1)" in run.json()["summary"]


def test_kink_root_narrows_from_an_end_where_the_argument_is_exactly_1() -> None:
    # the same argument, kink_root called directly on [1, 1 + 2**-52]: the root
    # is c = 1 + 2**-60 (an mpfr, no float), within 2**-250 of it. Kills
    # analysis.py:77364f62:11:num_inc:0 (returns the float 1 + 2**-52)
    program = compile_tree(parse("2**60*(1 + 2**-60 - x)").tree)
    root = kink_root(program, {}, "x", 1.0, 1.0 + 2.0**-52)
    assert root is not None and not isinstance(root, float)
    with mpmath.workprec(1024):
        gap = abs(mpmath.mpf(str(root)) - (1 + mpmath.mpf(2) ** -60))
    assert gap <= mpmath.mpf(2) ** -250


# ---------------------------------------------------------------- examine: f flat around the point


def test_a_fourth_mixed_derivative_of_a_function_flat_around_the_point_is_0(cli: Cli) -> None:
    # f = cbrt(hardshrink(x))*y at (0, 1), derivative d4/dxdydxdx. By hand:
    # hardshrink(x) is 0 for |x| <= 1/2 (lambd = 0.5), cbrt(0) = 0, so f = 0 on
    # the strip |x| < 1/2, for every y: every derivative of f is 0 at (0, 1).
    # The closed forms from d/dx on are 0/0 there (relu(sign(abs(x) - 1/2))
    # over abs(x*...)**(2/3)); order 3 (d3/dxdydx) is neither shown by its
    # sides nor by f's differences (mixed, order 3), and f is constant around
    # the point. Kills analysis.py:81edaf9e:7:return_none:0 (the point taken
    # for regular after all: the closed form's nan shown as the derivative,
    # "DISAGREE" with autograd's 0)
    run = cli(
        "partial",
        "cbrt(hardshrink(x))*y",
        *("--wrt", "x", "--wrt", "y", "--wrt", "x", "--wrt", "x"),
        *("--at", "x=0,y=1", "-f", "json", "--timeout", "60"),
    )
    assert run.err == "", run.err
    assert run.code == 0
    result = one(run)
    assert result["differentiable"] is True
    assert (result["symbolic"], result["left"], result["right"]) == (0.0, 0.0, 0.0)
    assert result["verdict"] == "agree"


# ------------------------------------------------- examine: a jump under a middle order


def test_f_jumping_where_only_a_middle_closed_form_has_no_value_stops_the_derivative(
    cli: Cli,
) -> None:
    # f = z**(y**2)*heaviside(2**-160 - (x - 1)**2) + x**3 at x = 1, y = 0, z = 0,
    # derivative d3/dydxdx. By hand: heaviside(2**-160) = 1 and 0**0 = 1, so
    # f(1, 0) = 2; for y != 0, 0**(y**2) = 0 and f(1, y) = 1: f jumps along y
    # at the point (limits 1, value 2), so d/dy f does not exist at (1, 0), and
    # no derivative of it along x does either: not differentiable. The jump is
    # isolated within 2**-80 along x (heaviside is 0 for |x - 1| > 2**-80), so d/dy
    # exists on the line beside the point; the closed forms: d/dy is
    # heaviside(...)*z**(y**2)*log(z)*2*y, no value at z = 0; d2/dydx is 0
    # (heaviside's derivative is 0), d3 is 0; no kinked function is on its kink.
    # Kills analysis.py:07b14e8c:47:num_neg:0 (``steps[-1:]``: only d2/dydx,
    # defined, is looked at, the jump test is skipped, "differentiable", 0)
    run = cli(
        "partial",
        "z**(y**2)*heaviside(2**-160 - (x - 1)**2) + x**3",
        *("--wrt", "y", "--wrt", "x", "--wrt", "x"),
        *("--at", "x=1,y=0,z=0", "-f", "json", "--timeout", "60"),
    )
    assert run.err == "", run.err
    result = one(run)
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert "jumps at y=0 (left limit 1, value 2, right limit 1)" in result["note"]
