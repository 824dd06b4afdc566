"""The Hessian table's summary sentence agrees with the JSON's classification.

A non-symmetric Hessian (the mixed partials differ: f is not twice
differentiable there) was called "semidefinite, so the test is inconclusive"
in the table while the JSON said "classification": "not symmetric".
"""

from __future__ import annotations

from conftest import Cli

# The classic example of unequal mixed partials, plus x**2 + y**2. The
# heaviside term is 0 away from the origin and 1 at it, so f(0, 0) = 0. By
# hand, g = x*y*(x**2 - y**2)/(x**2 + y**2): g_x(0, y) = -y (for y != 0, and
# g_x(0, 0) = 0), so d/dy g_x = -1 at the origin; g_y(x, 0) = x, so
# d/dx g_y = +1. g(x, 0) = g(0, y) = 0 gives g_xx = g_yy = 0 at the origin.
# So H = [[2, -1], [1, 2]] (row i, column j is d/dx_j (df/dx_i)), determinant
# 2*2 - (-1)*1 = 5, and the gradient at the origin is (0, 0): stationary.
UNEQUAL_MIXED = "x*y*(x**2-y**2)/(x**2+y**2+heaviside(-x**2-y**2)) + x**2 + y**2"
ARGS = ("hessian", UNEQUAL_MIXED, "--at", "x=0,y=0", "--timeout", "60")


def test_non_symmetric_hessian_is_never_called_semidefinite(cli: Cli) -> None:
    run = cli(*ARGS, "-f", "json")
    (point,) = run.json()["points"]
    assert point["symbolic_values"] == [[2, -1], [1, 2]]
    assert point["symmetric"] is False
    assert point["classification"] == "not symmetric"
    assert point["stationary"] is True
    # the second-derivative test needs a symmetric Hessian (it was "inconclusive")
    assert point["stationary_point"] == "not applicable"

    table = cli(*ARGS)
    text = " ".join(table.out.split())  # the terminal wraps the sentence
    assert "NOT symmetric; determinant 5" in text
    assert "semidefinite" not in text
    assert (
        "a stationary point; the Hessian is not symmetric, so f is not twice"
        " differentiable here and the second-derivative test does not apply"
    ) in text


def test_semidefinite_hessian_still_says_inconclusive(cli: Cli) -> None:
    # x**4 + y**2 at the origin: H = [[12x**2, 0], [0, 2]] = [[0, 0], [0, 2]],
    # eigenvalues 0 and 2 (positive semidefinite), gradient (4x**3, 2y) = 0
    args = ("hessian", "x**4 + y**2", "--at", "x=0,y=0", "--timeout", "60")
    (point,) = cli(*args, "-f", "json").json()["points"]
    assert point["symmetric"] is True
    assert point["classification"] == "positive semidefinite"
    assert point["stationary_point"] == "inconclusive"
    text = " ".join(cli(*args).out.split())
    assert "the Hessian is semidefinite, so the test is inconclusive" in text
    assert "not symmetric" not in text
