"""Kinks, jumps, poles, domain edges and overflow: never a clean agreement.

Points where the function or its derivative is undefined, or that are kinks,
get the verdict that says so, the one-sided derivatives, a note naming the
reason and which engine to believe, and exit 1; where the derivative exists
after all (a kink whose sides meet, a removable 0/0) it is the common side.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import pytest
from conftest import Cli, one

# ---------------------------------------------------------------- undefined / not differentiable


# (expression, point, left, right, words in the note)
SPECIAL_POINTS = [
    ("sqrt(x)", "x=0", None, "inf", ["x=0"]),
    ("log(x)", "x=-1", None, None, ["undefined", "x=-1"]),
    # f has no value at a pole, so it has no one-sided derivatives either
    ("1/x", "x=0", None, None, ["x=0", "1/x has a pole"]),
    ("x**x", "x=0", None, "-inf", ["autograd", "wrong"]),
    ("abs(x)", "x=0", -1.0, 1.0, ["kink", "abs"]),
    ("relu(x)", "x=0", 0.0, 1.0, ["kink", "relu"]),
    ("max(x, 0)", "x=0", 0.0, 1.0, ["kink", "max"]),
    ("min(x, 1)", "x=1", 1.0, 0.0, ["kink", "min"]),
    ("abs(x - 2)*3", "x=2", -3.0, 3.0, ["kink"]),
    ("asin(x)", "x=1", "inf", None, ["x=1"]),
]


@pytest.mark.parametrize(("expr", "at", "left", "right", "words"), SPECIAL_POINTS)
def test_special_points_are_never_a_clean_agreement(
    cli: Cli, expr: str, at: str, left: object, right: object, words: list[str]
) -> None:
    run = cli("grad", expr, "--at", at, "-f", "json")
    assert run.code == 1, run.err
    assert run.err == ""
    (result,) = run.json()["results"]
    assert result["differentiable"] is False
    assert result["verdict"] == "not differentiable"
    assert result["left"] == left
    assert result["right"] == right
    assert result["note"]
    for word in words:
        assert word in result["note"]


def test_x_to_the_x_at_0_blames_autograd(cli: Cli) -> None:
    (result,) = cli("grad", "x**x", "--at", "x=0", "-f", "json").json()["results"]
    assert result["autograd"] == 0.0  # torch's answer
    assert result["symbolic"] == "nan"  # x**x*(log(x) + 1): log(0) has no value
    assert (result["left"], result["right"]) == (None, "-inf")
    assert "autograd returned 0, which is wrong" in result["note"]


def test_special_point_in_the_table_and_plain(cli: Cli) -> None:
    run = cli("grad", "relu(x)", "--at", "x=0")
    assert run.code == 1
    assert "kink of relu" in run.out.replace("\n", " ")
    run = cli("grad", "relu(x)", "--at", "x=0", "-f", "plain")
    assert run.code == 1 and run.out.count("\n") == 1


def test_a_kink_inside_a_grid_makes_the_run_exit_1(cli: Cli) -> None:
    run = cli("grad", "abs(x)", "--at", "x=-1:1:5", "-f", "json")
    assert run.code == 1
    flags = [r["differentiable"] for r in run.json()["results"]]
    assert flags == [True, True, False, True, True]


def test_smooth_kink_is_differentiable(cli: Cli) -> None:
    run = cli("grad", "abs(x)**3", "--at", "x=0", "-f", "json")
    assert run.code == 0
    (result,) = run.json()["results"]
    assert result["differentiable"] is True and result["symbolic"] == 0.0


def test_at_a_pole_of_log_there_are_no_sides(cli: Cli) -> None:
    (result,) = cli("grad", "log(x)", "--at", "x=0", "-f", "json").json()["results"]
    assert (result["left"], result["right"]) == (None, None)
    assert (
        result["note"] == "the function is undefined at x=0: log(x) has a pole (an infinite value)"
    )


@pytest.mark.parametrize(("expr", "at"), [("sqrt(x)**2", "x=-2"), ("sin(asin(x))", "x=2")])
def test_domain_is_kept_when_the_engine_simplifies(cli: Cli, expr: str, at: str) -> None:
    run = cli("grad", expr, "--at", at, "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    assert result["differentiable"] is False
    assert "undefined" in result["note"]


def test_domain_error_without_simplification(cli: Cli) -> None:
    run = cli("grad", "exp(log(x))", "--at", "x=-2", "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    assert result["differentiable"] is False
    assert "undefined" in result["note"]


# ---------------------------------------------------------------- jumps, edges, ranges

# (command line, expected verdict, exit code, words in the note)
NEVER_CLEAN = [
    # the function being differentiated jumps: no derivative, whatever the closed form says
    (["grad", "heaviside(x)", "--at", "x=0"], "not differentiable", 1, ["jumps", "left limit 0"]),
    (["grad", "sign(x)", "--at", "x=0"], "not differentiable", 1, ["jumps"]),
    (["grad", "sign(x)**2", "--at", "x=0"], "not differentiable", 1, ["value 0"]),
    (["grad", "relu(x)", "--order", "2", "--at", "x=0"], "not differentiable", 1, ["jumps"]),
    (["grad", "abs(x)", "--order", "2", "--at", "x=0"], "not differentiable", 1, ["jumps"]),
    (
        ["partial", "max(x,y)", "--wrt", "x", "--wrt", "y", "--at", "x=1,y=1"],
        "not differentiable",
        1,
        ["jumps"],
    ),
    # only one side of the point is in the domain
    (["grad", "sqrt(x)**3", "--at", "x=0"], "not differentiable", 1, ["edge", "right"]),
    # a kink whose sides differ by less than any absolute slack is still a kink
    (["grad", "relu(1e-13*x)", "--at", "x=0"], "not differentiable", 1, ["kink"]),
    # on the kink in exact arithmetic (3/10 - 3/10), though float64 makes it 5.6e-17
    (["grad", "abs(x*0.1-0.3)", "--at", "x=3"], "not differentiable", 1, ["kink", "-0.1"]),
    (["grad", "relu(x*0.1-0.3)", "--at", "x=3"], "not differentiable", 1, ["kink"]),
]


@pytest.mark.parametrize(("args", "verdict", "code", "words"), NEVER_CLEAN)
def test_never_a_clean_agreement(
    cli: Cli, args: list[str], verdict: str, code: int, words: list[str]
) -> None:
    run = cli(*args, "-f", "json")
    assert run.code == code, run.err
    (result,) = run.json()["results"]
    assert result["verdict"] == verdict
    assert result["differentiable"] is False
    for word in words:
        assert word in result["note"]


@pytest.mark.parametrize(
    ("expr", "at"),
    [
        ("abs(x)**2", "x=0"),  # a kink whose sides meet: differentiable
        ("sign(x)*x**2", "x=0"),
        ("abs(sin(x))", "x=pi"),  # sin(pi) is 1.2e-16 in float64: no kink there
        ("relu(x-1e-20)", "x=0"),  # the kink is at 1e-20, not at 0
        ("abs(pi*x)", "x=1"),  # pi inside a kinked function still evaluates
    ],
)
def test_ordinary_points_near_kinks_agree(cli: Cli, expr: str, at: str) -> None:
    run = cli("grad", expr, "--at", at, "-f", "json")
    assert run.code == 0, run.json()
    (result,) = run.json()["results"]
    assert result["verdict"] == "agree"


def test_negative_base_with_integer_power_is_real(cli: Cli) -> None:
    run = cli("partial", "x**y", "--wrt", "x", "--at", "x=-2,y=3", "-f", "plain")
    assert (run.code, run.out) == (0, "12\n")


def test_only_f_overflowing_keeps_the_exact_derivative(cli: Cli) -> None:
    run = cli("grad", "log(exp(x))", "--at", "x=1000", "-f", "json")
    (result,) = run.json()["results"]
    assert result["symbolic"] == 1.0 and result["autograd"] == "nan"
    assert run.code == 1 and "beyond float64" in result["note"]


def test_float32_overflow_is_cannot_compute(cli: Cli) -> None:
    run = cli("grad", "exp(x)", "--at", "x=100", "--dtype", "float32", "-f", "json")
    assert run.code == 3
    assert "float32" in run.error
    (result,) = run.json()["results"]
    assert result["verdict"] == "not computed" and result["symbolic"] > 1e43
    # the symbolic value is shown (in float64), so the note must not say it cannot be
    assert "autograd cannot give it in float32" in result["note"]
    assert "neither side" not in result["note"]


@pytest.mark.parametrize("expr", ["0**x", "(-1)**x"])
def test_closed_forms_that_are_not_real_are_refused(cli: Cli, expr: str) -> None:
    run = cli("grad", expr, "--at", "x=1")
    assert run.code == 2
    assert "not real-valued" in run.error


def test_softplus_threshold_is_explained(cli: Cli) -> None:
    # torch's F.softplus returns x itself above 20: its curvature there is 0
    run = cli("grad", "softplus(x)", "--order", "2", "--at", "x=20.5", "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    assert result["verdict"] == "DISAGREE" and result["autograd"] == 0.0
    assert result["symbolic"] == pytest.approx(1.2501528e-09, rel=1e-6)
    assert "above its threshold (20 unless given)" in result["note"]


def test_softplus_threshold_given_is_the_one_explained(cli: Cli) -> None:
    # beta*x = 2*0.75 = 1.5 > threshold 1: torch returns x itself (slope 1), while
    # the closed form is sigmoid(2*x) = sigmoid(1.5), worked out here by hand
    run = cli("grad", "softplus(x, 2, 1)", "--at", "x=0.75", "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    assert result["autograd"] == 1.0
    assert result["symbolic"] == pytest.approx(1 / (1 + math.exp(-1.5)), rel=1e-15)
    assert "threshold" in result["note"]


@pytest.mark.parametrize(
    ("args", "limit"),
    [
        (["grad", "abs(x)**2", "--order", "2", "--at", "x=0"], 2.0),
        (["grad", "abs(x)*sign(x)", "--at", "x=0"], 1.0),  # that is x
        (["grad", "cos(abs(x))", "--order", "2", "--at", "x=0"], -1.0),
    ],
)
def test_kink_whose_sides_meet_needs_both_engines_at_the_limit(
    cli: Cli, args: list[str], limit: float
) -> None:
    # Both engines evaluate sign(0) = 0 there and agree with each other on a
    # value that is not the derivative: that is never a clean agreement. The
    # symbolic value shown is the derivative (the sides' limit); the note names
    # the closed form's conventional value.
    run = cli(*args, "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    assert result["differentiable"] is True and result["agree"] is False
    assert result["left"] == pytest.approx(limit) and result["right"] == pytest.approx(limit)
    assert result["symbolic"] == pytest.approx(limit, rel=1e-15)
    assert result["autograd"] != pytest.approx(limit)
    assert "the closed form as written" in result["note"]
    plain = cli(*args, "-f", "plain")
    assert plain.code == 1 and float(plain.out) == pytest.approx(limit, rel=1e-15)


def test_mixed_partial_across_a_kink_does_not_exist(cli: Cli) -> None:
    # d/dx (abs(x)*y) = sign(x)*y jumps along x at x=0: no d2/dxdy there
    run = cli("partial", "abs(x)*y", "--wrt", "x", "--wrt", "y", "--at", "x=0,y=1", "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    assert result["differentiable"] is False and "x=0" in result["note"]


# abs(x)*sign(x) is x, so each f below is a polynomial by hand, and its mixed
# derivative on the line x = 0 is that polynomial's. The closed forms have
# sign(x)**2 = 0 all along that line (a convention, not the derivative): the
# entry was called "not differentiable", and reading the sides there would make
# it a false "agree, 0"
@pytest.mark.parametrize(
    ("text", "wrt", "at", "expected"),
    [
        ("abs(x)*sign(x)*y", "x y", "x=0,y=1", 1.0),  # x*y
        ("abs(x)*sign(x)*y", "y x", "x=0,y=1", 1.0),
        ("abs(x)*sign(x)*y**2", "x y y", "x=0,y=1", 2.0),  # x*y**2: d3/dxdy2 = 2
        ("abs(x)*sign(x)*y**2", "y x y", "x=0,y=1", 2.0),
        ("abs(x)*sign(x)*y**3", "x y y y", "x=0,y=1", 6.0),
        ("abs(x)*sign(x)*y*z", "x y z", "x=0,y=1,z=2", 1.0),  # x*y*z
        ("abs(x)*sign(x)*exp(y)", "x y", "x=0,y=0", 1.0),  # x*e**y
        ("abs(x - z)*sign(x - z)*y", "x y", "x=1,y=2,z=1", 1.0),  # (x - z)*y
        ("abs(x)*sign(x)*abs(y)*sign(y)", "x y", "x=0,y=0", 1.0),  # x*y
        # a kink whose argument has the last variable too, but stays 0 along it
        ("abs(x*y)*sign(x*y)", "x y", "x=0,y=1", 1.0),  # x*y
        ("abs(x*y)*sign(x*y)", "x y", "x=0,y=0", 1.0),
        ("abs(x*y)*sign(x*y)*z", "x y z", "x=0,y=1,z=2", 1.0),  # x*y*z
        # two lines crossed, x = 0 and y = 0: read off both
        ("abs(x)*sign(x)*abs(y)*sign(y)*z", "x y z", "x=0,y=0,z=1", 1.0),  # x*y*z
        ("sign(x)**2*sign(y)**2*x*y*z", "y x z", "x=0,y=0,z=3", 1.0),
        ("abs(x)*sign(x)*abs(y)*sign(y)*abs(z)*sign(z)", "x y z", "x=0,y=0,z=0", 1.0),
        # f is x*y everywhere (the second term is 0 off x = 0, and x = 0 on it),
        # but d/dx's closed form is y**2 on the line and y beside it: equal at the
        # point, apart along the line. torch says 2 (a third hunt)
        ("abs(x)*sign(x)*y + (1 - sign(x)**2)*x*y**2", "x y", "x=0,y=1", 1.0),
        ("abs(x)*sign(x)*exp(y) + (1 - sign(x)**2)*x*exp(2*y)", "x y", "x=0,y=0", 1.0),
    ],
)
def test_a_mixed_derivative_on_a_kink_line_is_read_beside_it(
    cli: Cli, text: str, wrt: str, at: str, expected: float
) -> None:
    args = [arg for name in wrt.split() for arg in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json")
    (result,) = run.json()["results"]
    # torch differentiates the convention too (sign's gradient is 0): DISAGREE
    assert run.code == 1 and result["verdict"] == "DISAGREE"
    assert result["symbolic"] == expected and result["autograd"] != expected
    assert "the closed form as written" in result["note"]


@pytest.mark.parametrize(
    ("text", "wrt", "at", "verdict", "expected"),
    [
        # 2*abs(x)*y read beside x = 0 has slope 2*abs(x) along y, which shrinks
        # with the distance to the line: 0, not a jump
        ("x*abs(x)*y", "x y", "x=0,y=1", "agree", 0.0),
        ("abs(x)*sign(x)*y", "x y x", "x=0,y=1", "agree", 0.0),  # x*y: 0
        # x*abs(y - 1): d/dx is abs(y - 1), whose sides along y at 1 are -1 and 1
        ("abs(x)*sign(x)*abs(y - 1)", "x y", "x=0,y=1", "not differentiable", 0.0),
        # f jumps across x = 0 wherever y != 0: d/dx exists nowhere on the line
        # beside the point, though its one-sided slopes there are 0 and 0
        ("sign(x)*y**2", "x y", "x=0,y=0", "not differentiable", 0.0),
        ("heaviside(x)*y**2", "x y", "x=0,y=0", "not differentiable", 0.0),
        # d/dx has sides 1 - (y - 1)**2 and 1 + (y - 1)**2 on x = 0: apart
        # wherever y != 1, by less than the sides' 2**-100 at 2**-64 from it
        ("abs(x)*(y - 1)**2 + x", "x y", "x=0,y=1", "not differentiable", 0.0),
        # f = x*[y = 0]: d/dy exists on y = 0 only at x = 0
        ("abs(x)*sign(x)*(1 - sign(y)**2)", "y x", "x=0,y=0", "not differentiable", 0.0),
        # f is 0 within 1e-8 of the point: a feature 6e-8 away along y is no gap
        ("abs(x)*relu(y - 1 - 1e-8)", "x y", "x=0,y=1", "agree", 0.0),
        # f is identically 0 around each of these points (the feature along y is
        # 1e-10 or 1e-12 away, or sin(7e9) = -0.78 and sin(1e20) = -0.65 keep relu
        # at 0): d2/dxdy is 0 (a second helper's hunt; comparing the sides 2**-32
        # and 2**-24 away along y called them not differentiable)
        ("abs(x)*relu(y - 1)", "x y", "x=0,y=0.9999999999", "agree", 0.0),
        ("abs(x)*floor(y)", "x y", "x=0,y=0.999999999999", "agree", 0.0),
        ("abs(x)*relu(y - 1e10)", "x y", "x=0,y=9999999999", "agree", 0.0),
        ("abs(x)*relu(sin(y))", "x y", "x=0,y=7e9", "agree", 0.0),
        # at 1e20 a step of 2**-64 relative is 5.4, most of a period of sin: the
        # moves along y start below 1 there, as the probes do
        ("abs(x)*relu(sin(y))", "x y", "x=0,y=1e20", "agree", 0.0),
        # d/dx has sides 1 -+ (y - 1)**4 on x = 0: 2**-256 apart at 2**-64 from the
        # point, far below the sides' 2**-100, but a gap that stays as the steps
        # shrink; and the same with the kink line read beside it
        ("abs(x)*(y - 1)**4 + x", "x y", "x=0,y=1", "not differentiable", 0.0),
        ("abs(x)*(y - 1)**2*1e-40 + x", "x y", "x=0,y=1", "not differentiable", 0.0),
        ("abs(x)*sign(x)*y + abs(x)*(y - 1)**4", "x y", "x=0,y=1", "not differentiable", 0.0),
        # x + abs(x)**1.1*y: d/dx is 1 on x = 0 (its sides' quotients meet only
        # as h**0.1 shrinks), so d2/dxdy is 0
        ("x + abs(x)**1.1*y", "x y", "x=0,y=1", "agree", 0.0),
        # relu(y) is 0 around y = -70: f is x + e**-4900 there, whose sides along x
        # shrink to 0 through 2**-4096 beside f's value 9e-2129: no jump
        ("abs(x)*relu(y) + x + exp(-y**2)", "x y", "x=0,y=-70", "agree", 0.0),
        ("abs(x)*relu(y) + x + exp(-y**2)", "x", "x=0,y=-70", "agree", 1.0),
        # ... but a jump of that size is still one: f(0+) - f(0-) = e**-2000
        # (1.3e-869) and e**-9000 (heaviside(0) = 1/2), seen below the probes'
        # steps as gaps to f's value that stop shrinking (a third hunt)
        ("x + heaviside(x)*exp(-2000)", "x", "x=0", "not differentiable", 1.0),
        ("x**2 + heaviside(x)*exp(-9000)", "x", "x=0", "not differentiable", 0.0),
        ("y + exp(-2000)*(1 - sign(x)**2)", "x", "x=0,y=1", "not differentiable", 0.0),
        ("x*y + heaviside(x)*exp(-2000)*y", "x y", "x=0,y=1", "not differentiable", 1.0),
        # f = x*(y - 1)**2 + x*abs(x)*y (the middle term is 0 everywhere): d2/dxdy
        # at (0, 1) is 2*(y - 1) + 2*abs(x) = 0. d/dx's closed form is y on the line
        # x = 0 (slope 1, torch's answer) and (y - 1)**2 + 2*abs(x)*y beside it,
        # whose slope 2*abs(x) shrinks with the distance read off the line: 0
        (
            "abs(x)*sign(x)*(y - 1)**2 + (1 - sign(x)**2)*x*y + x*abs(x)*y",
            "x y",
            "x=0,y=1",
            "DISAGREE",
            0.0,
        ),
        # f = abs(x)**p*y (the second term is 0 everywhere): d/dx is
        # p*abs(x)**(p - 1)*sign(x)*y, continuous, so d2/dxdy at (0, 1) is 0. The
        # closed form is 2*y on x = 0 (torch's 2) and p*abs(x)**(p - 1)*sign(x)
        # beside it, a reading that shrinks as d**(p - 1) with the distance d off
        # the line: by 2**-2048 from 2**-8192 to 2**-16384 for p = 1.25, by exactly
        # 2**-100 for p = 1 + 100/8192. Both are 0; taking only readings that shrank
        # by 2**-4096 called p = 1.25 "not differentiable" (order 1 "jumps" at y=1)
        ("abs(x)**1.25*y + (1 - sign(x)**2)*x*y**2", "x y", "x=0,y=1", "DISAGREE", 0.0),
        ("abs(x)**1.5*y + (1 - sign(x)**2)*x*y**2", "x y", "x=0,y=1", "DISAGREE", 0.0),
        (
            "abs(x)**(1 + 100/8192)*y + (1 - sign(x)**2)*x*y**2",
            "x y",
            "x=0,y=1",
            "DISAGREE",
            0.0,
        ),
        # f is 0 where y < 1 + 1.5*2**-64: d2/dxdy at (0, 1) is 0. The sides of d/dx
        # are compared 2**-64 along y, short of the feature (2**-63 is past it)
        ("abs(x)*relu(y - 1 - 3*2**-65)", "x y", "x=0,y=1", "agree", 0.0),
    ],
)
def test_beside_a_kink_line_shrinking_readings_and_gaps(
    cli: Cli, text: str, wrt: str, at: str, verdict: str, expected: float
) -> None:
    args = [arg for name in wrt.split() for arg in ("--wrt", name)]
    run = cli("partial", text, *args, "--at", at, "-f", "json")
    (result,) = run.json()["results"]
    assert result["verdict"] == verdict and result["symbolic"] == expected
    assert run.code == (0 if verdict == "agree" else 1)


def test_a_kink_line_value_past_float64_is_shown_as_its_sides(cli: Cli) -> None:
    # f = x*e**y: d2/dxdy at y = 710 is e**710 = 2.2e308, past float64 (exit 3).
    # The closed form on the line x = 0 is sign(0)**2*e**710 = 0; the value shown
    # is the sides' (inf, past float64), not that convention's 0
    run = cli("partial", "abs(x)*sign(x)*exp(y)", "--wrt", "x", "--wrt", "y",
              "--at", "x=0,y=710", "-f", "json")  # fmt: skip
    (result,) = run.json()["results"]
    assert run.code == 3 and result["verdict"] == "not computed"
    assert result["symbolic"] == "inf"
    assert "beyond float64's range" in result["note"]


def test_a_hessian_on_a_kink_line_has_its_mixed_entries(cli: Cli) -> None:
    # f = x*y: [[0, 1], [1, 0]], both mixed entries 1 (torch says 0: DISAGREE)
    run = cli("hessian", "abs(x)*sign(x)*y", "--at", "x=0,y=1", "-f", "json")
    (point,) = run.json()["points"]
    assert run.code == 1 and point["verdict"] == "DISAGREE"
    assert point["symbolic_values"] == [[0.0, 1.0], [1.0, 0.0]]
    assert point["autograd"] == [[0.0, 0.0], [0.0, 0.0]]
    assert point["differentiable"] == [[True, True], [True, True]]
    # the gradient is (y, x) = (1, 0); the eigenvalues of [[0, 1], [1, 0]] are -1, 1
    assert point["gradient"]["symbolic_values"] == [1.0, 0.0]
    assert point["eigenvalues"] == [-1.0, 1.0] and point["classification"] == "indefinite"


@pytest.mark.parametrize("at", ["x=1e-300", "x=5e-324"])
def test_a_finite_value_past_float64_near_a_pole_is_an_overflow(cli: Cli, at: str) -> None:
    # d/dx 1/x at 1e-300 is -1e600: finite, beyond float64 (exit 3), not a pole
    # (exit 1); at 0 it is a pole.
    run = cli("grad", "1/x", "--at", at, "-f", "json")
    assert run.code == 3, run.out
    assert "beyond float64" in run.error
    assert cli("grad", "1/x", "--at", "x=0").code == 1


def test_a_pole_only_float64_rounding_puts_the_point_on(cli: Cli) -> None:
    # At the float64 nearest 0.1, x - 0.1 is 5.55e-18 exactly (not a pole): the
    # derivative is -1/(x - 0.1)**2 = -3.2e34. torch rounds x - 0.1 to 0 and
    # gives -inf; the note says why.
    run = cli("grad", "1/(x-0.1)", "--at", "x=0.1", "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    exact = -1 / (Fraction(0.1) - Fraction(1, 10)) ** 2
    assert result["symbolic"] == float(exact) and result["autograd"] == "-inf"
    assert result["verdict"] == "DISAGREE" and "falls on a pole" in result["note"]


def test_a_kink_float64_misses_says_both_sides_are_one_sided(cli: Cli) -> None:
    # exactly 3/10 - 3/10 = 0, a kink; torch computes 5.6e-17 there and
    # returns the right side's 0.1; the closed form gives sign(0) = 0
    (result,) = cli("grad", "abs(x*0.1-0.3)", "--at", "x=3", "-f", "json").json()["results"]
    assert (result["left"], result["right"]) == (-0.1, 0.1)
    assert (result["autograd"], result["symbolic"]) == (0.1, 0.0)
    assert "one-sided derivative 0.1" in result["note"] and "sign(0) = 0" in result["note"]


def test_a_removable_singularity_of_the_slope_is_differentiable(cli: Cli) -> None:
    # sqrt(x**4) = x**2: the closed form 2*x**3/sqrt(x**4) is 0/0 at 0 and torch
    # gives nan, but the derivative exists (0). Neither engine gives it: exit 1.
    run = cli("grad", "sqrt(x**4)", "--at", "x=0", "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    assert result["differentiable"] is True and (result["left"], result["right"]) == (0.0, 0.0)
    assert result["verdict"] == "DISAGREE" and "derivative exists" in result["note"]


def test_a_pole_in_another_variable_is_not_an_overflow(cli: Cli) -> None:
    run = cli("partial", "x/y", "--wrt", "x", "--at", "x=1,y=0", "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    assert result["verdict"] == "not differentiable"


@pytest.mark.parametrize(
    ("expr", "at"),
    [
        ("log(x)", "x=1e-9"),
        ("sqrt(x-1e8)", "x=100000000.5"),
        # a float or a few away from the edge: still inside, both engines agree
        ("sqrt(x)", "x=1e-13"),
        ("sqrt(x)", "x=1e-300"),
        ("log(x)", "x=1e-300"),
        ("asin(x)", "x=0.9999999999999999"),
        ("acosh(x)", "x=1.0000000000000002"),
        ("atanh(x)", "x=-0.9999999999999999"),
    ],
)
def test_points_near_but_inside_the_domain_are_ordinary(cli: Cli, expr: str, at: str) -> None:
    run = cli("grad", expr, "--at", at, "-f", "json")
    assert run.code == 0
    assert run.json()["results"][0]["verdict"] == "agree"


def test_simplified_singularity_keeps_the_domain_as_written(cli: Cli) -> None:
    # sqrt(x)**2 simplifies to x, but as written it is undefined left of 0
    run = cli("grad", "sqrt(x)**2", "--at", "x=0", "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    assert (
        result["differentiable"] is False and "edge of the function's real domain" in result["note"]
    )
    assert (result["left"], result["right"]) == (None, 1.0)


def test_no_sample_point_is_not_success(cli: Cli) -> None:
    run = cli("grad", "sqrt(x-10)", "-f", "json")
    assert run.code == 1
    assert "give --at" in run.json()["results"][0]["note"]


def test_a_kink_only_torch_sees_is_explained(cli: Cli) -> None:
    # torch rounds 0.1/10 - 0.01 to exactly 0 (a kink for F.relu); symengine to 1.7e-18
    run = cli("grad", "relu(x/10-0.01)", "--at", "x=0.1", "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    assert result["verdict"] == "DISAGREE" and "exactly 0" in result["note"]


def test_a_slope_below_float64_beside_a_domain_edge_is_zero(cli: Cli) -> None:
    # acos(1 - (sqrt(y) - 0.5)) is acos(1), on its domain edge, all along x at
    # y = 1/4; d/dx is -y**x*log(y) = 4**-11800*log(4), about 1.4e-7105 (mpmath
    # below), so float64 holds 0 on both sides. The one-sided quotients along x
    # settle on that tiny value; it used to read as "still shrinking", the
    # steps went on to 2**-4096 where rounding swamps it, and the verdict was
    # "cannot decide" (fuzz campaign 41)
    import mpmath

    with mpmath.workdps(50):
        exact = mpmath.mpf(4) ** -11800 * mpmath.log(4)
        assert mpmath.mpf("1e-7106") < exact < mpmath.mpf("1e-7104")
        assert exact < mpmath.mpf(2) ** -1075  # below half the smallest subnormal
    run = cli(
        "partial",
        "acos(1 - (sqrt(y) - 0.5)) - y**x",
        "--at",
        "x=11800,y=0.25",
        "--wrt",
        "x",
        "-f",
        "json",
    )
    assert run.code == 0, run.err
    (result,) = run.json()["results"]
    assert result["verdict"] == "agree"
    assert result["symbolic"] == 0.0 and result["autograd"] == 0.0
    assert result["differentiable"] is True and result["note"] is None


# Kinks whose one-sided derivatives are both below float64's range and differ:
# (expression at x = 1000, left and right derivatives there by hand, from f' on
# each side). Both round to 0 in float64, so only the exact sides can tell the
# kink; each once said "agree" (the sides compared as floats, or quotients of
# 1e-602 taken for the rounding of x's 1000) or gave a side as -inf (0, 0, then
# a nonzero quotient read as growth). Found by a helper hunting for wrong verdicts.
def _tiny_sides() -> list[tuple[str, Any, Any]]:
    import mpmath

    with mpmath.workdps(50):
        return _tiny_sides_at_50_digits(mpmath)


def _tiny_sides_at_50_digits(mpmath: Any) -> list[tuple[str, Any, Any]]:
    e, q = mpmath.exp(-1000), mpmath.mpf(4) ** -1000
    ln4 = mpmath.log(4)
    return [
        # e**-x*(1 + |x - 1000|)' = -e**-x*(1 + |x - 1000|) + e**-x*sign(x - 1000)
        ("exp(-x)*(1 + abs(x - 1000))", -2 * e, mpmath.mpf(0)),
        ("exp(-x)*(1 + relu(x - 1000))", -e, mpmath.mpf(0)),
        # 4**-x*(1 + |x - 1000|)' = -ln4*4**-x*(1 + |x - 1000|) + 4**-x*sign(x - 1000)
        ("0.25**x*(1 + abs(x - 1000))", q * (-ln4 - 1), q * (1 - ln4)),
        ("0.25**x*(abs(x - 1000) - 2*x)", q * (2000 * ln4 - 1 - 2), q * (2000 * ln4 + 1 - 2)),
        ("0.25**x*abs(x - 1000)", -q, q),
        # 4**-x*(1000 - x) left of 1000, 0 right of it
        ("0.25**x*relu(1000 - x)", -q, mpmath.mpf(0)),
    ]


@pytest.mark.parametrize(("expr", "left", "right"), _tiny_sides())
def test_a_kink_with_sides_below_float64_is_not_differentiable(
    cli: Cli, expr: str, left: Any, right: Any
) -> None:
    import mpmath

    assert abs(left) < 1e-300 and abs(right) < 1e-300 and left != right
    run = cli("grad", expr, "--at", "x=1000", "-f", "json")
    assert run.code == 1, run.out
    (result,) = run.json()["results"]
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    # float64 holds 0 for both sides; the note gives the exact gap between them
    assert result["left"] == 0.0 and result["right"] == 0.0
    note = result["note"]
    assert "inf" not in note
    with mpmath.workdps(50):
        gap = mpmath.nstr(abs(right - left), 3)
    assert f"the two differ by {gap}," in note, note


def test_side_limits_that_never_settle_are_not_called_a_jump(cli: Cli) -> None:
    # abs(x)**(1/2048) is continuous at 0, but h**(1/2048) is still 2**(-4096/2048)
    # = 1/4 at the smallest step probed, 2**-4096, so f's side limits do not
    # settle there. Its derivative is infinite (h**(1/2048 - 1) grows without
    # bound), so "not differentiable" stands; the note used to say that f jumps
    # (found by a helper working through mutation survivors)
    assert 2.0 ** (-4096 / 2048) == 0.25
    run = cli("grad", "abs(x)**(1/2048)", "--at", "x=0", "-f", "json")
    assert run.code == 1
    (result,) = run.json()["results"]
    assert result["verdict"] == "not differentiable"
    note = result["note"]
    assert "has no one-sided limit that settles at x=0" in note, note
    assert "jumps" not in note


@pytest.mark.parametrize(
    ("command", "text", "at", "wrt", "left_limit"),
    [
        # atan2(0, x) is pi for x < 0 and 0 for x >= 0 (mpmath.atan2(0, -1e-300) is
        # pi): along x at the origin f jumps, so there is no derivative. Its kink
        # was a = 0 alone, which does not move along x: it was called agree, 0 (a
        # helper's hunt)
        ("partial", "atan2(y, x)", "x=0,y=0", "x", math.pi),
        ("grad", "atan2(0, x)", "x=0", None, math.pi),
        # along y at the origin: -pi/2 below, pi/2 above
        ("partial", "atan2(y, x)", "x=0,y=0", "y", -math.pi / 2),
    ],
)
def test_atan2_jumps_at_the_origin_along_either_axis(
    cli: Cli, command: str, text: str, at: str, wrt: str | None, left_limit: float
) -> None:
    import mpmath

    assert float(mpmath.atan2(0, mpmath.mpf("-1e-300"))) == math.pi
    args = [command, text, "--at", at, *(["--wrt", wrt] if wrt else []), "-f", "json"]
    run = cli(*args)
    (result,) = run.json()["results"]
    assert run.code == 1 and result["verdict"] == "not differentiable"
    assert f"jumps at {wrt or 'x'}=0 (left limit {left_limit:.10g}" in result["note"]


@pytest.mark.parametrize(("at", "wrt"), [("x=1,y=0", "y"), ("x=0,y=1", "x"), ("x=-1,y=1", "y")])
def test_atan2_off_its_cut_is_smooth_with_no_kink_note(cli: Cli, at: str, wrt: str) -> None:
    # d/dy atan2(y, x) = x/(x**2 + y**2), d/dx = -y/(x**2 + y**2), by hand
    x, y = (float(part.split("=")[1]) for part in at.split(","))
    expected = x / (x * x + y * y) if wrt == "y" else -y / (x * x + y * y)
    run = cli("partial", "atan2(y, x)", "--at", at, "--wrt", wrt, "-f", "json")
    (result,) = run.json()["results"]
    assert run.code == 0 and result["verdict"] == "agree" and result["note"] is None
    assert result["symbolic"] == expected


@pytest.mark.parametrize("text", ["relu(x)*relu(y)", "heaviside(x)*heaviside(y)*x*y"])
def test_a_side_missing_below_is_not_called_a_domain_edge(cli: Cli, text: str) -> None:
    # f is defined everywhere; d/dx is heaviside(x)*relu(y) (or alike), whose sides
    # along x are 0 and y: it does not exist beside (0, 0) for y > 0, so d2/dxdy
    # has its left side only (0, by hand: d/dx is 0 for y <= 0). The note said
    # "y=0 is at the edge of the function's real domain" (a hunt)
    run = cli("partial", text, "--wrt", "x", "--wrt", "y", "--at", "x=0,y=0", "-f", "json")
    (result,) = run.json()["results"]
    assert run.code == 1 and result["verdict"] == "not differentiable"
    assert result["left"] == 0.0 and result["right"] is None
    assert "real domain" not in result["note"]
    assert result["note"].startswith("only the left derivative exists at y=0")
    assert "f's derivative along x does not exist beside the point along y" in result["note"]


def test_a_side_where_f_is_undefined_is_still_a_domain_edge(cli: Cli) -> None:
    # sqrt(y)*x: f has no value for y < 0, so that is the edge of its domain
    run = cli("partial", "sqrt(y)*x", "--wrt", "x", "--wrt", "y", "--at", "x=0,y=0", "-f", "json")
    (result,) = run.json()["results"]
    assert (
        "at the edge of the function's real domain: it is undefined on the left" in (result["note"])
    )


@pytest.mark.parametrize(
    ("text", "verdict", "left", "right"),
    [
        # the left quotient is 1 - c*h**(1/16): still 2**-94 from 1 at h = 2**-1024,
        # where it settled to 60 bits, yet its limit is 1 (by hand), as the right
        # side's: f'(0) = 1. It was called "not differentiable" (sides 'differing
        # by 5.9e-29'); the gap between the sides' quotients shrinks by 2**-64 a step
        ("x + 1e-9*relu(-x)**1.0625", "agree", 1.0, 1.0),
        ("x + relu(-x)**1.0625", "agree", 1.0, 1.0),
        # a gap that stays is a corner, however small: sides 1 -+ 1e-30
        ("x + 1e-30*abs(x)", "not differentiable", 1.0, 1.0),
        # below the 2**-100 to which two limits count as one: sides 1 -+ 3e-31
        # (2**-100.4 apart), 1 -+ 1e-300, 1 -+ e**-2000 (by hand); these were
        # called differentiable
        ("x + 3e-31*abs(x)", "not differentiable", 1.0, 1.0),
        ("x + 1e-300*abs(x)", "not differentiable", 1.0, 1.0),
        ("x + exp(-2000)*abs(x)", "not differentiable", 1.0, 1.0),
        ("exp(x)*(1 + 1e-50*abs(x))", "not differentiable", 1.0, 1.0),
        # sides that meet exactly, and a gap that shrinks (|x|**1.001 has slope
        # 1.001*|x|**0.001 -> 0): differentiable, f'(0) = 1
        ("x + 1e-40*relu(-x)**1.0625", "agree", 1.0, 1.0),
        ("x + 1e-40*abs(x)**1.001", "agree", 1.0, 1.0),
    ],
)
def test_one_sided_limits_that_settle_slowly_are_told_apart_by_their_gap(
    cli: Cli, text: str, verdict: str, left: float, right: float
) -> None:
    run = cli("grad", text, "--at", "x=0", "-f", "json")
    (result,) = run.json()["results"]
    assert result["verdict"] == verdict and (result["left"], result["right"]) == (left, right)
    assert run.code == (0 if verdict == "agree" else 1)
    if verdict == "agree":
        assert result["symbolic"] == 1.0 and result["differentiable"] is True


@pytest.mark.parametrize(
    ("args", "verdict", "value"),
    [
        # d2/dxdy and d2/dydx of (x + 1e-9*relu(-x)**1.0625)*y at (0, 1): the
        # x-slope of x + 1e-9*relu(-x)**1.0625 is 1 - 1.0625e-9*relu(-x)**(1/16)
        # on the left, 1 on the right, so 1 at 0 (by hand), times y's slope 1.
        # Both orders were "not differentiable": the left side is still 2**-94
        # from 1 at 2**-1024, where it settles to 60 bits
        (("(x + 1e-9*relu(-x)**1.0625)*y", "--wrt", "x", "--wrt", "y"), "agree", 1.0),
        (("(x + 1e-9*relu(-x)**1.0625)*y", "--wrt", "y", "--wrt", "x"), "agree", 1.0),
        # f'' of x**2 + 1e-9*relu(-x)**2.0625 is 2 + 2.19e-9*relu(-x)**(1/16): 2 at 0
        (("x**2 + 1e-9*relu(-x)**2.0625", "-n", "2"), "agree", 2.0),
        # gaps that stay are corners: the x-slope of x + 1e-30*abs(x) is 1 -+ 1e-30
        (("(x + 1e-30*abs(x))*y", "--wrt", "x", "--wrt", "y"), "not differentiable", 1.0),
        (("(x + 1e-30*abs(x))*y", "--wrt", "y", "--wrt", "x"), "not differentiable", 1.0),
        (("(x + 3e-31*abs(x))*y", "--wrt", "y", "--wrt", "x"), "not differentiable", 1.0),
        (("x**2 + 1e-30*abs(x)*x", "-n", "2"), "not differentiable", 2.0),
    ],
)
def test_higher_and_mixed_sides_that_meet_slowly_are_told_apart_by_their_gap(
    cli: Cli, args: tuple[str, ...], verdict: str, value: float
) -> None:
    command = "partial" if "--wrt" in args else "grad"
    run = cli(command, *args, "--at", "x=0,y=1" if command == "partial" else "x=0", "-f", "json")
    (result,) = run.json()["results"]
    assert result["verdict"] == verdict, result["note"]
    assert result["symbolic"] == value
    assert run.code == (0 if verdict == "agree" else 1)


@pytest.mark.parametrize(
    ("text", "at"),
    [
        # f(0) = atan2(0, -1) = pi (a real 0 has no sign), while y = -x**2 < 0 on
        # both sides makes f -> -pi: a removable jump (mpmath: atan2(0, -1) = pi,
        # atan2(-1e-40, -1) = -pi). MPFR's atan2(-0, -1) is -pi, and -x**2 at 0 is
        # -0, so f's value was taken for its sides' limit: "agree" (a hunt)
        ("atan2(-x**2, -1 + 0*x)", "0"),
        ("atan2(-sin(pi*x)**2, cos(pi*x))", "1"),
    ],
)
def test_atan2_on_the_negative_axis_is_pi_so_approaching_from_below_jumps(
    cli: Cli, text: str, at: str
) -> None:
    import mpmath

    with mpmath.workdps(50):
        assert mpmath.atan2(0, -1) == mpmath.pi
        assert mpmath.atan2(-mpmath.mpf("1e-40"), -1) == -mpmath.pi + mpmath.mpf("1e-40")
    run = cli("grad", text, "--at", f"x={at}", "-f", "json")
    (result,) = run.json()["results"]
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert (
        f"jumps at x={at} (left limit -3.141592654, value 3.141592654, right limit -3.141592654)"
        in result["note"]
    )


def test_a_gap_of_the_quotients_rounding_is_no_corner(cli: Cli) -> None:
    # acosh(1) sits on its domain's edge (a special point), and d/dy of -erf(y) is
    # -2*exp(-y**2)/sqrt(pi) = -1.33e-15 at -5.863 (mpmath below): smooth. Its
    # sides' quotients differ by 2**-593 of them, the rounding of f's values
    # (about 1, 1e15 times the slope) over the step; the gap test took that for
    # a gap that stays, a corner (fuzz campaign 58). A corner must now keep its
    # gap with 1,280 guard bits too.
    import mpmath

    with mpmath.workdps(50):
        truth = float(-2 * mpmath.exp(-(mpmath.mpf("-5.863") ** 2)) / mpmath.sqrt(mpmath.pi))
    run = cli("partial", "acosh(1) - erf(y)", "--at", "y=-5.863", "--wrt", "y", "-f", "json")
    (result,) = run.json()["results"]
    assert run.code == 0
    assert result["verdict"] == "agree" and result["differentiable"] is True
    assert result["symbolic"] == pytest.approx(truth, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "wrt", "at", "var"),
    [
        # 0**0 is 1 (README, as torch and mpmath have it), and 0**(y**2) is 0 for
        # every y != 0: f jumps at y = 0 (value 1, both sides 0), so there is no
        # derivative; the quotients beside the point (both 0) said "agree", exit 0
        # (a hunt). mpmath: (f(0, h) - f(0, 0))/h = -1/h
        ("x**(y**2)", "y", "x=0,y=0", "y"),
        ("abs(x)**(y**2)", "y", "x=0,y=0", "y"),
        ("(y**2)**(x**2)", "x", "x=0,y=0", "x"),
        ("x**(y**2 + z**2)", "y", "x=0,y=0,z=0", "y"),
    ],
)
def test_zero_to_the_zero_beside_zeros_is_a_jump(
    cli: Cli, text: str, wrt: str, at: str, var: str
) -> None:
    import mpmath

    with mpmath.workdps(50):
        assert mpmath.power(0, 0) == 1 and mpmath.power(0, mpmath.mpf("1e-40") ** 2) == 0
    run = cli("partial", text, "--wrt", wrt, "--at", at, "-f", "json")
    (result,) = run.json()["results"]
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert (
        f"the function being differentiated jumps at {var}=0 "
        "(left limit 0, value 1, right limit 0)" in result["note"]
    )


@pytest.mark.parametrize(
    ("text", "at", "var"), [("x**y", "x=0,y=0", "y"), ("x**(y-1)", "x=0,y=1", "y")]
)
def test_a_jump_at_a_domain_edge_is_named_a_jump(cli: Cli, text: str, at: str, var: str) -> None:
    # 0**0 is 1, 0**h is 0 for h > 0 and undefined for h < 0: f jumps on its one
    # side, (f(0, h) - f(0, 0))/h = -1/h -> -inf (mpmath below). The note called
    # it a domain edge with a right derivative of 0, the quotients beside the
    # point (which leave f's value out); a hunt
    import mpmath

    with mpmath.workdps(50):
        h = mpmath.mpf("1e-40")
        assert (mpmath.power(0, h) - mpmath.power(0, 0)) / h == -1 / h
    run = cli("partial", text, "--wrt", var, "--at", at, "-f", "json")
    (result,) = run.json()["results"]
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert result["right"] is None
    value = at.split(f"{var}=")[1]
    assert result["note"].startswith(
        f"the function being differentiated jumps at {var}={value} "
        "(left limit undefined, value 1, right limit 0)"
    )


@pytest.mark.parametrize("text", ["sinc(x + x / 1e-300)", "sinc((1 + 1e300)*x)"])
def test_a_huge_scale_inside_an_even_function_is_not_a_divergence(cli: Cli, text: str) -> None:
    # f(x) = sinc(c*x) with c = 1 + 1e300 is even, so f'(0) = 0 by symmetry, and its
    # difference quotients beside 0 are -(pi*c)**2*h/2 + O(h**3) (mpmath below) once
    # c*h is small. Where c*h is still huge (h = 2**-256 .. 2**-1024) they grow from
    # about 1e-400 to 1e292 with one sign, which was taken for a divergence: "not
    # finite, left derivative inf, right -inf" (fuzz campaign 60)
    import mpmath

    with mpmath.workdps(700):
        c = 1 + mpmath.mpf(10) ** 300
        h = mpmath.mpf(2) ** -2048
        quotient = (mpmath.sincpi(c * 2 * h) - mpmath.sincpi(c * h)) / h
        assert abs(quotient / (-((mpmath.pi * c) ** 2) * h / 2) - 1) < 1e-10
        assert abs(quotient) < 1e-15
    result = one(cli("grad", text, "--at", "x=0", "-f", "json"))
    assert result["verdict"] == "agree"
    assert result["symbolic"] == 0.0 and result["autograd"] == 0.0
    assert result["left"] == 0.0 and result["right"] == 0.0


def test_a_confirmed_divergence_beside_a_huge_scale_stays_one(cli: Cli) -> None:
    # sqrt(abs(c*x)) = sqrt(c)*sqrt(abs(x)): its one-sided quotients grow like
    # h**-1/2 at every step, so the growth confirmed one step further is still growth
    run = cli("grad", "sqrt(abs(x + x/1e-300))", "--at", "x=0", "-f", "json")
    result = one(run)
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert (result["left"], result["right"]) == ("-inf", "inf")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # d/dx = sinc'(x)*y, and sinc'(0) = 0 (sinc is even), so d2/dxdy = sinc'(0) = 0
        ("sinc(x)*y", 0.0),
        # d2/dxdy = sinc'(0)*e**y + 2*y = 2 at y = 1
        ("sinc(x)*exp(y) + x*y**2", 2.0),
        # sinc'(0)*1 + 3*y**2 = 3
        ("sinc(x)*y + x*y**3", 3.0),
    ],
)
def test_a_mixed_partial_through_a_lower_closed_form_without_values(
    cli: Cli, text: str, expected: float
) -> None:
    # d/dx's closed form has (cos(pi*x) - sinc(x))/x, 0/0 all along x = 0, so its
    # quotients along y cannot be taken: "cannot decide", exit 3. f's own mixed
    # differences give the derivative. torch's double backward of sinc at 0 is nan
    # (checked below), so the verdict is DISAGREE, exit 1; the other order answers
    import mpmath
    import torch

    with mpmath.workdps(50):
        assert abs(mpmath.diff(mpmath.sincpi, 0)) < mpmath.mpf(10) ** -40
    x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    (dx,) = torch.autograd.grad(torch.sinc(x) * y, x, create_graph=True)
    (dxdy,) = torch.autograd.grad(dx, y)
    assert math.isnan(dxdy.item())
    run = cli(
        "partial", text, "--wrt", "x", "--wrt", "y", "--at", "x=0,y=1", "-f", "json",
        "--timeout", "60",
    )  # fmt: skip
    result = one(run)
    assert run.code == 1
    assert result["verdict"] == "DISAGREE"
    assert result["symbolic"] == expected
    assert result["left"] == expected and result["right"] == expected
    assert result["autograd"] == "nan"
    other = one(cli("partial", text, "--wrt", "y", "--wrt", "x", "--at", "x=0,y=1", "-f", "json"))
    assert other["verdict"] == "agree" and other["symbolic"] == expected


def test_a_corner_of_the_mixed_partial_through_f_s_differences(cli: Cli) -> None:
    # d/dx of sinc(x)*abs(y - 1) + x*abs(y - 1) on x = 0 is abs(y - 1) (sinc'(0) =
    # 0): its slopes along y at 1 are -1 and 1, so d2/dxdy does not exist there
    run = cli(
        "partial",
        "sinc(x)*abs(y-1) + x*abs(y-1)",
        "--wrt",
        "x",
        "--wrt",
        "y",
        "--at",
        "x=0,y=1",
        "-f",
        "json",
    )
    result = one(run)
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert (result["left"], result["right"]) == (-1.0, 1.0)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        # each f is a polynomial for every real x, so every derivative exists; by hand:
        ("cbrt(x**3)", 3, 0.0),  # x
        ("cbrt(x**3)", 4, 0.0),
        ("cbrt(8*x**3)", 3, 0.0),  # 2x
        ("cbrt(x**3) - x", 3, 0.0),  # 0
        ("cbrt(x**6)", 4, 0.0),  # x**2
        ("(x**6)**(1/3)", 4, 0.0),
        ("abs(x**3)**(2/3)", 4, 0.0),
        # x*(1 + x**2)**(1/3) = x + x**3/3 + O(x**5): f'''(0) = 3!/3 = 2
        ("cbrt(x**3 + x**5)", 3, 2.0),
    ],
)
def test_a_lower_closed_form_that_cancels_to_zero_does_not_jump(
    cli: Cli, text: str, order: int, expected: float
) -> None:
    # the order-2 closed form of cbrt(x**3) is a sum of terms of size 1/x that
    # cancel to 0; their residue below the rounding, 2**-24640/h, grew as the
    # steps shrank and read as a jump from -inf to inf: "not differentiable"
    import mpmath

    with mpmath.workdps(50):
        h = mpmath.mpf("1e-12")
        g = lambda x: mpmath.cbrt(x**3 + x**5)  # noqa: E731
        assert abs(mpmath.diff(g, h, 3) - 2) < mpmath.mpf("1e-9")
    run = cli("grad", text, "-n", str(order), "--at", "x=0", "-f", "json", "--timeout", "120")
    result = one(run)
    # torch's nth backward through cbrt at 0 is nan: the verdict is DISAGREE, exit 1
    assert result["verdict"] == "DISAGREE", result["note"]
    assert result["autograd"] == "nan"
    assert result["symbolic"] == expected
    assert result["left"] == expected and result["right"] == expected
    assert run.code == 1


@pytest.mark.parametrize(
    ("text", "wrt", "at", "line"),
    [
        # f = x*y*sign(abs(x) - abs(y)) is x*y where |x| > |y| and -x*y where
        # |x| < |y|. f_x(0, y) = -y, so f_xy(0, 0) = -1, while f_xy(x, 0) = 1 for
        # x != 0: f_xy jumps along x at the origin, and f_xyx does not exist there
        ("x*y*sign(abs(x)-abs(y))", ("x", "y", "x"), "x=0,y=0", "x=0 (left limit 1, value -1"),
        # the same with the roles turned: f_yx(0, 0) = 1, f_yx(0, y) = -1
        ("x*y*sign(abs(x)-abs(y))", ("y", "x", "y"), "x=0,y=0", "y=0 (left limit -1, value 1"),
        # the textbook counterexample to Schwarz's theorem, defined at 0 (the
        # denominator is x**2 + y**2 off the origin, 1 at it): f_xy(0, 0) = -1,
        # f_xy(x, 0) = 1 for x != 0
        (
            "x*y*(x**2-y**2)/(x**2+y**2+1-sign(x**2+y**2))",
            ("x", "y", "x"),
            "x=0,y=0",
            "x=0 (left limit 1, value -1",
        ),
        # three variables: f_x(0, y, 0) = -y (|z| < |y|), so f_xy(0, 0, 0) = -1,
        # and f_xy(0, 0, z) = 1 for z != 0
        (
            "x*y*sign(abs(z)-abs(x)-abs(y))",
            ("x", "y", "z"),
            "x=0,y=0,z=0",
            "z=0 (left limit 1, value -1",
        ),
        # order 4 needs f_xyx beside the origin along x, which does not exist at it
        (
            "x*y*sign(abs(x)-abs(y))",
            ("x", "y", "x", "x"),
            "x=0,y=0",
            "x=0 (left limit 1, value -1",
        ),
    ],
)
def test_a_mixed_lower_derivative_s_own_value_is_compared_with_its_sides(
    cli: Cli, text: str, wrt: tuple[str, ...], at: str, line: str
) -> None:
    # These were "agree", exit 0 (a hunt): at order 3 and above only the sides of
    # a mixed lower derivative were compared, never its value at the point
    import mpmath

    def f(x: Any, y: Any) -> Any:
        return x * y * mpmath.sign(abs(x) - abs(y))

    with mpmath.workdps(80):
        # nested one-sided differences: the inner step far below the outer one
        h, k = mpmath.mpf("1e-50"), mpmath.mpf("1e-30")

        def fx(x: Any, y: Any) -> Any:
            return (f(x + 2 * h, y) - f(x + h, y)) / h

        assert abs((fx(0, 2 * k) - fx(0, k)) / k + 1) < mpmath.mpf("1e-15")  # f_xy(0, 0)
        x0 = mpmath.mpf("1e-8")
        assert abs((fx(x0, 2 * k) - fx(x0, k)) / k - 1) < mpmath.mpf("1e-15")  # beside
    args = [a for name in wrt for a in ("--wrt", name)]
    # --timeout: the default 2 s failed under a load of 6 (stop 38)
    run = cli("partial", text, *args, "--at", at, "-f", "json", "--timeout", "60")
    result = one(run)
    assert run.code == 1
    assert result["verdict"] == "not differentiable"
    assert f"the derivative of order 2 jumps at {line}" in result["note"]


@pytest.mark.parametrize(
    ("text", "at", "expected"),
    [
        # max(x, y)*min(x, y) is x*y: d3/dxdydx = 0 on its kink line too
        ("max(x,y)*min(x,y)", "x=1,y=1", 0.0),
        # x**2*y + relu(x*y)**3: relu(x*y)**3 is (x*y)**3 where x*y > 0, whose
        # f_xyx is 18*x*y**2, and 0 elsewhere: f_xyx = 2 + 0 at the origin, a
        # point of the kink lines x = 0 and y = 0
        ("x**2*y + relu(x*y)**3", "x=0,y=0", 2.0),
    ],
)
def test_a_mixed_lower_derivative_that_is_continuous_stays_differentiable(
    cli: Cli, text: str, at: str, expected: float
) -> None:
    run = cli("partial", text, "--wrt", "x", "--wrt", "y", "--wrt", "x", "--at", at, "-f", "json")
    result = one(run)
    assert result["verdict"] == "agree", result["note"]
    assert result["symbolic"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # sinc is even, so d/dx of 1e290*sinc(1e300*x) at 0 is 0 and f'(0) = 1;
        # the quotients beside 0 were -3e582, -1.5e274 and 1 at 2**-4096, read as
        # "shrinking to 0": symbolic 0 and a DISAGREE blaming autograd's right 1
        ("1e290*sinc(1e300*x) + x", 1.0),
        # the same below the tolerance: f'(0) = 1e-300, it was 0
        ("sinc(1e300*x) + 1e-300*x", 1e-300),
    ],
)
def test_a_shrinking_that_slows_down_is_no_limit_of_0(cli: Cli, text: str, expected: float) -> None:
    result = one(cli("grad", text, "--at", "x=0", "-f", "json"))
    assert result["symbolic"] == expected
    assert result["left"] == expected and result["right"] == expected
    assert result["verdict"] == "agree"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # sinc is even (sinc'(0) = 0), so f'(0) is x's coefficient. The quotients
        # beside 0 are -5e291 at 2**-1024 (1e300*h still 5.6e-9), then 1 - 1.7e-17
        # at 2**-2048 and 1 - 1e-1250 at 2**-4096: not yet the same to 60 bits at
        # the last step, so this was "cannot decide" (exit 3)
        ("sinc(1e300*x) + x", 1.0),
        ("2*sinc(1e300*x) + 3*x", 3.0),
    ],
)
def test_a_sequence_that_settles_at_the_last_step_takes_one_more(
    cli: Cli, text: str, expected: float
) -> None:
    run = cli("grad", text, "--at", "x=0", "-f", "json", "--timeout", "60")
    assert run.code == 0, run.err
    result = one(run)
    assert result["symbolic"] == expected
    assert result["left"] == expected and result["right"] == expected
    assert result["verdict"] == "agree"


def test_a_mixed_partial_whose_lower_derivative_settles_at_the_last_step(cli: Cli) -> None:
    # f = sinc(1e300*x)*y + x*y: f_x(0, y) = 1e300*sinc'(0)*y + y = y on the
    # whole line x = 0, so f_xy(0, 1) = 1. f_x beside the point along y needs
    # the settling above; it was "f's derivative along x does not exist beside
    # the point". torch's value is nan (0/0 in sinc's derivative): DISAGREE
    run = cli(
        "partial", "sinc(1e300*x)*y + x*y", "--wrt", "x", "--wrt", "y", "--at", "x=0,y=1",
        "-f", "json", "--timeout", "60",
    )  # fmt: skip
    assert run.code == 1, run.err
    result = one(run)
    assert result["symbolic"] == 1.0
    assert result["verdict"] == "DISAGREE"
    assert result["autograd"] == "nan"


def test_an_oscillation_takes_no_extra_step(cli: Cli) -> None:
    # x*sin(1/x) at 0: quotients sin(1/h)-like move by about 1 at every step,
    # never settling; it stays "not differentiable" (oscillating), exit 1
    run = cli("grad", "x*sin(1/x)", "--at", "x=0", "-f", "json", "--timeout", "60")
    assert run.code == 1, run.err
    assert one(run)["verdict"] == "not differentiable"


@pytest.mark.parametrize("scale", ["1e300*1e140", "1e300*1e160"])
def test_growth_that_stops_before_the_last_step_is_no_divergence(cli: Cli, scale: str) -> None:
    # sinc(c*x) with c = 1e440: its quotients beside 0 grow to 1e264 at 2**-2048
    # and are 1e-352 at 2**-4096, where (pi*c)**2*h is small at last: f'(0) is 0
    # (sinc is even), but the growth over the first four steps was called a
    # derivative that is not finite (exit 1). derivcli cannot follow it further:
    # "cannot decide", exit 3, is the honest answer (a hunt)
    run = cli("grad", f"sinc({scale}*x)", "--at", "x=0", "-f", "json")
    assert run.code == 3
    result = one(run)
    assert result["verdict"] == "not computed"
    assert result["note"].startswith("derivcli cannot decide whether the derivative exists")
