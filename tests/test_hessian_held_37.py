"""hessian's claims say what they are about (a user review).

1. With --wrt leaving variables of f out, ``-x**2 + y --wrt x`` at the origin
   said "a stationary point, a local maximum" (JSON "stationary": true) of a
   point where f's gradient is (0, 1): the claim holds only of f along x with
   y held at 0. Every claim now names the held variables and their values, and
   the JSON carries them as "held"; with every variable in the matrix the
   output is as it was.
2. ``relu(x-y) - relu(y-x)`` at (1, 1) printed "DISAGREE" beside a verdict
   table of four "agree"s: the disagreement is the gradient's, which had no
   verdict shown. The verdict line now says which part it comes from and the
   gradient line gives the gradient's verdict and why.
"""

from __future__ import annotations

from conftest import Cli

import derivcli


def _text(out: str) -> str:
    return " ".join(out.split())  # the terminal wraps the sentences


# -x**2 + y: df/dx = -2x, df/dy = 1, so f's gradient at the origin is (0, 1):
# no stationary point of f. Along x with y held at 0, g(x) = -x**2: g'(0) = 0,
# g''(0) = -2 < 0, a local maximum along x.
LINEAR_Y = ("hessian", "-x**2 + y", "--wrt", "x", "--at", "x=0,y=0", "--timeout", "60")


def test_a_partial_hessian_names_the_held_variable_in_json(cli: Cli) -> None:
    run = cli(*LINEAR_Y, "-f", "json")
    assert run.code == 0 and run.err == ""
    (point,) = run.json()["points"]
    assert point["variables"] == ["x"]
    assert point["symbolic_values"] == [[-2.0]]
    assert point["gradient"]["symbolic_values"] == [0.0]  # -2*0
    assert point["held"] == {"y": 0.0}
    # the claim stays the restriction's, now with what it is about beside it
    assert point["stationary"] is True
    assert point["stationary_point"] == "local maximum"


def test_a_partial_hessian_names_the_held_variable_in_the_table(cli: Cli) -> None:
    run = cli(*LINEAR_Y)
    assert run.code == 0 and run.err == ""
    text = _text(run.out)
    assert "the Hessian along x with y held at 0: symmetric; determinant -2" in text
    assert (
        "gradient along x (0), |gradient| 0: with y held at 0, a stationary point along x,"
        " a local maximum along x"
    ) in text
    # the bare claim, which read as one about f, is gone
    assert "|gradient| 0: a stationary point, a local maximum" not in text


def test_a_saddle_of_f_is_a_maximum_only_along_x(cli: Cli) -> None:
    # -x**2 + y**2: H = [[-2, 0], [0, 2]] at the origin, gradient (0, 0):
    # a saddle of f. Along x with y held at 0, -x**2: a local maximum.
    whole = cli("hessian", "-x**2 + y**2", "--at", "x=0,y=0", "--timeout", "60", "-f", "json")
    (point,) = whole.json()["points"]
    assert point["classification"] == "indefinite"
    assert point["stationary_point"] == "saddle point"
    assert "held" not in point  # every variable is in the matrix: as before
    table = _text(cli("hessian", "-x**2 + y**2", "--at", "x=0,y=0", "--timeout", "60").out)
    assert "gradient (0, 0), |gradient| 0: a stationary point, a saddle point" in table
    assert "held" not in table

    args = ("hessian", "-x**2 + y**2", "--wrt", "x", "--at", "x=0,y=0", "--timeout", "60")
    (partial,) = cli(*args, "-f", "json").json()["points"]
    assert partial["held"] == {"y": 0.0}
    assert partial["stationary_point"] == "local maximum"
    text = _text(cli(*args).out)
    assert "with y held at 0, a stationary point along x, a local maximum along x" in text


def test_two_held_variables_and_two_chosen(cli: Cli) -> None:
    # x**2 + x*z + y with --wrt z --wrt x at x=1, y=2, z=-2 (order z, x):
    # d/dz = x = 1, d/dx = 2x + z = 0: gradient along (z, x) is (1, 0), not 0;
    # H = [[0, 1], [1, 2]] (z then x), determinant -1: indefinite.
    chosen = ("hessian", "x**2 + x*z + y", "--wrt", "z", "--wrt", "x")
    args = (*chosen, "--at", "x=1,y=2,z=-2", "--timeout", "60")
    (point,) = cli(*args, "-f", "json").json()["points"]
    assert point["symbolic_values"] == [[0.0, 1.0], [1.0, 2.0]]
    assert point["held"] == {"y": 2.0}
    assert point["stationary"] is False
    text = _text(cli(*args).out)
    assert "the Hessian along z and x with y held at 2: symmetric; determinant -1" in text
    assert "gradient along z and x (1, 0), |gradient| 1: with y held at 2, not a" in text
    assert "not a stationary point along z and x" in text

    # y**2 + z + x**2 by x at x=0, y=1, z=-2: along x, x**2 has a minimum at 0
    # (gradient 2x = 0, H = [[2]]) with y at 1 and z at -2
    minimum = (
        "hessian",
        "y**2 + z + x**2",
        "--wrt",
        "x",
        "--at",
        "x=0,y=1,z=-2",
        "--timeout",
        "60",
    )
    (point,) = cli(*minimum, "-f", "json").json()["points"]
    assert point["held"] == {"y": 1.0, "z": -2.0}
    text = _text(cli(*minimum).out)
    assert "with y held at 1 and z at -2, a stationary point along x, a local minimum" in text


def test_the_library_carries_the_held_variables() -> None:
    report = derivcli.hessian("-x**2 + y", wrt="x", at="x=0,y=0", timeout=60)
    (point,) = report.points
    assert point.held == (("y", 0.0),)
    assert (point.stationary, point.stationary_point) == (True, "local maximum")
    assert report.to_dict()["points"][0]["held"] == {"y": 0.0}
    full = derivcli.hessian("-x**2 + y", at="x=0,y=0", timeout=60)
    # every variable: H = [[-2, 0], [0, 0]], gradient (0, 1): not stationary
    assert full.points[0].held == ()
    assert full.points[0].stationary is False
    assert "held" not in full.to_dict()["points"][0]


# relu(t) - relu(-t) = t for every t, so f = x - y: gradient (1, -1), Hessian 0
# everywhere, the kinks of the two relus at x = y cancelling. torch's relu has
# gradient 0 at its kink, so autograd's d/dx at (1, 1) is 0*1 - 0*(-1) = 0, and
# d/dy is 0 too: the gradient disagrees, the Hessian's entries (0) agree.
RELU = ("hessian", "relu(x-y)-relu(y-x)", "--at", "x=1,y=1", "--timeout", "60")


def test_a_gradient_disagreement_is_named_where_the_verdict_is(cli: Cli) -> None:
    run = cli(*RELU)
    assert run.code == 1
    text = _text(run.out)
    assert "at x=1, y=1: DISAGREE (the gradient: DISAGREE; the Hessian's entries: agree)" in text
    assert (
        "gradient (1, -1), |gradient| 1.414214: DISAGREE (d/dx: autograd 0, the closed form 1;"
        " d/dy: autograd 0, the closed form -1; see the notes); not a stationary point"
    ) in text


def test_a_gradient_disagreement_in_json(cli: Cli) -> None:
    run = cli(*RELU, "-f", "json")
    assert run.code == 1
    (point,) = run.json()["points"]
    assert point["verdict"] == "DISAGREE"
    assert point["agree"]["matrix"] == [[True, True], [True, True]]
    assert point["symbolic_values"] == [[0.0, 0.0], [0.0, 0.0]]
    gradient = point["gradient"]
    assert gradient["symbolic_values"] == [1.0, -1.0]
    assert gradient["autograd"] == [0.0, 0.0]
    assert gradient["verdict"] == "DISAGREE"
    report = derivcli.hessian("relu(x-y)-relu(y-x)", at="x=1,y=1", timeout=60)
    assert (report.points[0].gradient_verdict, report.points[0].matrix_verdict) == (
        "DISAGREE",
        "agree",
    )


def test_a_gradient_that_is_not_differentiable_has_its_line(cli: Cli) -> None:
    # abs(x) + y**2 at (0, 1): d/dx = sign(x) has left derivative -1 and right 1
    # at 0, so there is no gradient; d2/dx2 has no value either, and the matrix
    # has nothing to describe (no gradient line was printed at all)
    args = ("hessian", "abs(x) + y**2", "--at", "x=0,y=1", "--timeout", "60")
    run = cli(*args)
    assert run.code == 1
    text = _text(run.out)
    assert (
        "at x=0, y=1: not differentiable (the gradient: not differentiable;"
        " the Hessian's entries: not differentiable)"
    ) in text
    assert "gradient: not differentiable (d/dx: left derivative -1, right 1; see the notes)" in text
    (point,) = cli(*args, "-f", "json").json()["points"]
    assert point["gradient"]["verdict"] == "not differentiable"
