"""derivcli.hessian and derivcli.jacobian against an independent oracle.

Every entry of each matrix is graded against ``oracle.py`` (mpmath only, no
code shared with derivcli: finite differences at high precision, one-sided
at kinks), and what the matrix says (determinant, eigenvalues,
classification, the gradient's norm) against the same computed from the
oracle's matrix with mpmath. The command line, batch lines and torch's own
matrices are in test_matrix_cli.py.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import mpmath
import oracle
import pytest
from conftest import Cli

import derivcli
from derivcli.matrices import classify, determinant

ORACLE = oracle.Oracle()

# (expression, point, variables of the matrix in order). Every entry is
# compared with the oracle; points away from kinks unless the case is about one.
HESSIANS: list[tuple[str, dict[str, float], tuple[str, ...]]] = [
    ("x**2*y + sin(y)", {"x": 1.0, "y": 2.0}, ("x", "y")),
    ("(1-x)**2 + 100*(y-x**2)**2", {"x": 1.0, "y": 1.0}, ("x", "y")),
    ("(1-x)**2 + 100*(y-x**2)**2", {"x": -1.2, "y": 1.0}, ("x", "y")),
    ("x**2 - y**2", {"x": 0.0, "y": 0.0}, ("x", "y")),
    ("exp(x*y)*sin(x+y)", {"x": 0.3, "y": -0.7}, ("x", "y")),
    ("log(1 + x**2 + y**2)", {"x": 0.5, "y": -1.5}, ("y", "x")),
    ("x*y*z + z**2*tanh(x)", {"x": 0.4, "y": 1.1, "z": -0.6}, ("x", "y", "z")),
    ("sigmoid(x - 2*y)*softplus(y)", {"x": 0.2, "y": 0.9}, ("x", "y")),
    ("sqrt(x**2 + y**2)", {"x": 3.0, "y": 4.0}, ("x", "y")),
    ("atan(y/x)", {"x": 1.5, "y": -0.5}, ("x", "y")),
    ("x**2*y*z", {"x": 1.0, "y": 2.0, "z": 3.0}, ("z", "x")),
    ("relu(x)*y**2 + x*y", {"x": 0.7, "y": -1.3}, ("x", "y")),
    # a kink in one entry only: d2/dy2 of y*abs(y) is 2*sign(y), which jumps at 0
    ("x**2 + y*abs(y)", {"x": 1.0, "y": 0.0}, ("x", "y")),
    # kinks in several entries
    ("relu(x)*y + x*y**2", {"x": 0.0, "y": 1.0}, ("x", "y")),
    ("max(x, y)**2", {"x": 1.0, "y": 1.0}, ("x", "y")),
]

JACOBIANS: list[tuple[tuple[str, ...], dict[str, float], tuple[str, ...]]] = [
    (("x*y", "x+y", "sin(x)"), {"x": 1.0, "y": 2.0}, ("x", "y")),
    (("r*cos(t)", "r*sin(t)"), {"r": 2.0, "t": 0.5}, ("r", "t")),
    (
        ("r*sin(p)*cos(t)", "r*sin(p)*sin(t)", "r*cos(p)"),
        {"r": 1.5, "p": 0.8, "t": -0.3},
        ("r", "p", "t"),
    ),
    (("exp(x)*cos(y)", "exp(x)*sin(y)"), {"x": 0.3, "y": 1.2}, ("x", "y")),
    (("abs(x - y)", "x*y"), {"x": 1.0, "y": 1.0}, ("x", "y")),
    (("x", "2"), {"x": 3.0}, ("x",)),
]


def _close(value: float | str | None, truth: Any) -> bool:
    assert isinstance(value, float), value
    return math.isclose(value, float(truth), rel_tol=1e-9, abs_tol=1e-12)


def _check_entry(entry: dict[str, Any], text: str, point: Mapping[str, float], wrt: Any) -> Any:
    """One entry of derivcli's JSON against the oracle; the oracle's truth."""
    truth = ORACLE.judge(text, point, tuple(wrt))
    assert truth.conclusive, (text, wrt, truth.reason)
    if truth.differentiable:
        assert entry["differentiable"] is True, (text, wrt, entry["note"])
        assert _close(entry["symbolic"], truth.value), (text, wrt, entry)
        assert entry["verdict"] == "agree", (text, wrt, entry)
    else:
        assert entry["differentiable"] is False, (text, wrt, entry)
        assert entry["verdict"] == "not differentiable"
        for side, expected in (("left", truth.left), ("right", truth.right)):
            if expected.kind == "finite":
                assert _close(entry[side], expected.value), (text, wrt, side, entry)
    return truth


@pytest.mark.parametrize(("text", "point", "names"), HESSIANS)
def test_hessian_entries_against_the_oracle(
    text: str, point: dict[str, float], names: tuple[str, ...]
) -> None:
    report = derivcli.hessian(text, wrt=list(names), at=point)
    (found,) = report.to_dict()["points"]
    assert found["variables"] == list(names)
    truths = [
        [_check_entry(found["entries"][i][j], text, point, (a, b)) for j, b in enumerate(names)]
        for i, a in enumerate(names)
    ]
    gradient = [
        _check_entry(found["gradient"]["entries"][i], text, point, (a,))
        for i, a in enumerate(names)
    ]
    differentiable = all(t.differentiable for row in truths for t in row)
    assert (found["verdict"] == "agree") is differentiable
    assert report.exit_code == (0 if differentiable else 1)
    if not differentiable:
        assert found["determinant"] is None and found["classification"] is None
        return
    # what the matrix says, from the oracle's matrix (mpmath, 50 digits)
    with mpmath.workdps(50):
        matrix = mpmath.matrix([[t.value for t in row] for row in truths])
        assert _close(found["determinant"], mpmath.det(matrix)) or abs(mpmath.det(matrix)) < 1e-9
        eigenvalues = sorted(mpmath.eigsy(matrix)[0])
    assert found["symmetric"] is True
    for got, want in zip(found["eigenvalues"], eigenvalues, strict=True):
        assert math.isclose(got, float(want), rel_tol=1e-9, abs_tol=1e-9)
    assert found["classification"] == classify([float(v) for v in eigenvalues])
    norm = math.hypot(*(float(t.value) for t in gradient))
    assert math.isclose(found["gradient"]["norm"], norm, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize(("texts", "point", "names"), JACOBIANS)
def test_jacobian_entries_against_the_oracle(
    texts: tuple[str, ...], point: dict[str, float], names: tuple[str, ...]
) -> None:
    report = derivcli.jacobian(list(texts), wrt=list(names), at=point)
    (found,) = report.to_dict()["points"]
    truths = [
        [_check_entry(found["entries"][r][c], text, point, (v,)) for c, v in enumerate(names)]
        for r, text in enumerate(texts)
    ]
    differentiable = all(t.differentiable for row in truths for t in row)
    assert report.exit_code == (0 if differentiable else 1)
    if differentiable and len(texts) == len(names):
        with mpmath.workdps(50):
            det = mpmath.det(mpmath.matrix([[t.value for t in row] for row in truths]))
        assert _close(found["determinant"], det)
    elif len(texts) != len(names):
        assert found["determinant"] is None


# ---------------------------------------------------------------- what the matrix says


def test_a_maximum_and_an_inconclusive_point() -> None:
    (top,) = derivcli.hessian("-(x**2) - 3*y**2 + x*y", at="x=0,y=0").points
    assert (top.classification, top.stationary_point) == ("negative definite", "local maximum")
    (flat,) = derivcli.hessian("x**4 + y**2", at="x=0,y=0").points
    assert flat.classification == "positive semidefinite"
    assert flat.stationary_point == "inconclusive"
    (sloped,) = derivcli.hessian("x**2 + y", at="x=0,y=0").points
    assert sloped.stationary is False and sloped.stationary_point is None
    assert sloped.gradient_norm == 1.0


def test_determinant_is_exact_and_classify_names_every_case() -> None:
    assert determinant([[802.0, -400.0], [-400.0, 200.0]]) == 400.0
    big = 2.0**30  # 2**60 - (2**60 - 1): numpy's LU gives 0.0
    assert determinant([[big, big + 1], [big - 1, big]]) == 1.0
    assert determinant([[0.0, 1.0], [1.0, 0.0]]) == -1.0  # a pivot swap
    assert determinant([[1e300, 0.0], [0.0, 1e300]]) == math.inf
    assert classify([1.0, 2.0]) == "positive definite"
    assert classify([-1.0, -2.0]) == "negative definite"
    assert classify([-1.0, 2.0]) == "indefinite"
    assert classify([0.0, 2.0]) == "positive semidefinite"
    assert classify([1e-20, -3.0]) == "negative semidefinite"
    assert classify([0.0, 0.0]) == "zero"


@pytest.mark.parametrize(
    ("matrix", "eigenvalues", "expected"),
    [
        # nonsingular: exactly, by the leading minors, however small an eigenvalue
        # (a helper's hunt: these were "positive semidefinite, inconclusive")
        ([[2.0, 1e-6], [1e-6, 0.0]], [-5e-13, 2.0], "indefinite"),  # det -1e-12
        ([[2e-12, 0.0], [0.0, 2.0]], [2e-12, 2.0], "positive definite"),
        ([[2.0, 1e-100], [1e-100, 0.0]], [-5e-201, 2.0], "indefinite"),
        (
            [[-2.0, 0.0, 0.0], [0.0, -3.0, 0.0], [0.0, 0.0, -1e-20]],
            [-3, -2, -1e-20],
            "negative definite",
        ),
        ([[0.0, 1.0], [1.0, 0.0]], [-1.0, 1.0], "indefinite"),  # a zero pivot
        # singular: by the eigenvalues
        ([[1.0, 1.0], [1.0, 1.0]], [0.0, 2.0], "positive semidefinite"),
        ([[0.0, 0.0], [0.0, 0.0]], [0.0, 0.0], "zero"),
    ],
)
def test_a_nonsingular_hessian_is_classified_exactly(
    matrix: list[list[float]], eigenvalues: list[float], expected: str
) -> None:
    from derivcli.matrices import classify_matrix

    assert classify_matrix(matrix, eigenvalues) == expected


def test_a_saddle_with_a_tiny_eigenvalue_is_a_saddle(cli: Cli) -> None:
    # f = x**2 + 1e-6*x*y: H = [[2, 1e-6], [1e-6, 0]], det = -1e-12 < 0 by hand, so
    # one eigenvalue is negative: f(-5e-7, 1) = -2.5e-13 < f(0, 0)
    run = cli("hessian", "x**2 + 1e-6*x*y", "--at", "x=0,y=0")
    assert run.code == 0
    assert "indefinite" in run.out and "a saddle point" in run.out


# ---------------------------------------------------------------- the library


def test_twenty_variables_are_allowed() -> None:
    text = "+".join(f"x{i:02d}**2" for i in range(20))
    report = derivcli.hessian(text, at=",".join(f"x{i:02d}=1" for i in range(20)), timeout=60)
    (point,) = report.points
    assert len(point.entries) == 20 and point.classification == "positive definite"
    assert point.determinant == 2.0**20 and report.exit_code == 0


def test_library_results_are_frozen_and_raise_named_errors() -> None:
    import dataclasses

    report = derivcli.hessian("x*y", at="x=1,y=2")
    assert isinstance(report, derivcli.MatrixReport) and report.ok
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.points = ()  # type: ignore[misc]
    assert report.symbolic == (("0", "1"), ("1", "0"))
    assert str(report) == "0\t1\n1\t0"  # print(r): the plain text
    assert "Hessian of x*y" in report._repr_mimebundle_()["text/plain"]
    with pytest.raises(derivcli.ParseError) as caught:
        derivcli.jacobian(["x", "x y"], at="x=1,y=1")
    assert caught.value.message.startswith("expression 2 of 2 ('x y'): missing operator")
    assert caught.value.column == 3 and caught.value.exit_code == 2
    with pytest.raises(derivcli.LimitError):
        derivcli.jacobian([f"x*{i}" for i in range(21)])


def test_one_symbolic_request_holds_every_entry_of_a_hessian() -> None:
    """The gradient and every second partial go to the symbolic worker together;
    a Jacobian sends one request per expression (its row)."""
    from derivcli.compare import new_runner

    runner = new_runner()
    submitted: list[Any] = []

    class Counting:
        def submit(self, payload: Any, *more: Any) -> Any:
            submitted.append(payload)
            return runner.submit(payload, *more)

        def stop(self) -> None:
            runner.stop()

    try:
        derivcli.hessian("x*y*z", wrt=["z", "x"], at="x=1,y=2,z=3", runner=Counting())
        (request,) = submitted
        assert request.derivatives == (
            ("z",),
            ("x",),
            ("z", "z"),
            ("z", "x"),
            ("x", "z"),
            ("x", "x"),
        )
        submitted.clear()
        derivcli.jacobian(["x*y", "x+y", "sin(x)"], at="x=1,y=2", runner=Counting())
        assert [r.source for r in submitted] == ["x*y", "x+y", "sin(x)"]
        assert all(r.derivatives == (("x",), ("y",)) for r in submitted)
    finally:
        runner.stop()


@pytest.mark.parametrize(
    ("text", "at", "stationary"),
    [
        # gradient (3e-12, 0), but the stationary point is x = 0, 1e-6 away
        ("x**3 + y**2", "x=1e-6,y=0", False),
        # gradient (1e-11, 0): the minimum is at x = -1e-11/2e-6 = -5e-6
        ("1e-6*(x**2 + y**2) + 1e-11*x", "x=0,y=0", False),
        # gradient (cos(pi/2 as a float) = 6.1e-17, 0): Newton's step is 6.1e-17,
        # within rtol*1.57; sin has its maximum there, y**2 its minimum
        ("sin(x) + y**2", "x=1.5707963267948966,y=0", True),
    ],
)
def test_a_small_gradient_alone_is_not_a_stationary_point(
    text: str, at: str, stationary: bool
) -> None:
    (point,) = derivcli.hessian(text, at=at).points
    assert point.gradient_norm is not None and 0 < point.gradient_norm < 1e-10
    assert point.stationary is stationary
    assert point.stationary_point == ("saddle point" if stationary else None)


# ---------------------------------------------------------------- small eigenvalues, sure signs


def _six_variable_saddle(eta: str) -> tuple[str, str]:
    """A quadratic in six variables whose Hessian is J + I with its first 2x2 block
    changed: eigenvalues -eta, 1, 1, 1, 1, 7 (mpmath below); its determinant is
    -7*eta, within the permanent's rounding bound for eta = 1e-12."""
    names = "abcdgh"
    terms = []
    for i in range(6):
        for j in range(i, 6):
            if i == j:
                c = f"(3/2 - {eta}/2)/2" if i < 2 else "1"
                terms.append(f"{c}*{names[i]}**2")
            else:
                c = f"(3/2 + {eta}/2)" if (i, j) == (0, 1) else "1"
                terms.append(f"{c}*{names[i]}*{names[j]}")
    return " + ".join(terms), ",".join(f"{n}=0" for n in names)


@pytest.mark.parametrize(
    ("text", "at", "size"),
    [
        # H = [[0, 1e-8, 0], [1e-8, 1, 0], [0, 0, 1]]: the 2x2 principal minor of the
        # first two rows is 0*1 - 1e-16 < 0 exactly, so H is indefinite; f along
        # y = -1e-8*x is -0.5e-16*x**2 < 0. Was "positive semidefinite,
        # inconclusive" (its eigenvalue -1e-16 taken as 0); without z it was a saddle
        ("1e-8*x*y + y**2/2 + z**2/2", "x=0,y=0,z=0", 3),
        ("1e-7*x*y + y**2 + z**2", "x=0,y=0,z=0", 3),
        # the determinant -7e-12 is within the entries' rounding bound, but the
        # eigenvalue -1e-12 is 1,000 times further from 0 than rounding can move it
        (*_six_variable_saddle("1e-12"), 6),
    ],
)
def test_a_small_negative_eigenvalue_beyond_rounding_makes_a_saddle(
    cli: Cli, text: str, at: str, size: int
) -> None:
    run = cli("hessian", text, "--at", at, "-f", "json")
    (point,) = run.json()["points"]
    values = [[float(v) for v in row] for row in point["symbolic_values"]]
    with mpmath.workdps(50):
        # the oracle: the exact matrix of second partials, by hand from the
        # polynomial's coefficients, and mpmath's eigenvalues of it
        exact = mpmath.matrix(size, size)
        for i in range(size):
            for j in range(size):
                exact[i, j] = mpmath.mpf(values[i][j])
        lowest = min(mpmath.eigsy(exact)[0])
        assert lowest < 0
    assert run.code == 0
    assert point["classification"] == "indefinite"
    assert point["stationary_point"] == "saddle point"


@pytest.mark.parametrize(
    ("matrix", "expected"),
    [
        # diagonal entries of opposite signs, whatever the rest
        ([[1.0, 0.0, 0.0], [0.0, -1e-300, 0.0], [0.0, 0.0, 1.0]], "indefinite"),
        ([[0.0, 1e-8, 0.0], [1e-8, 1.0, 0.0], [0.0, 0.0, 1.0]], "indefinite"),
        # a negative 2x2 minor of non-leading rows
        ([[1.0, 0.0, 0.0], [0.0, 0.0, 1e-200], [0.0, 1e-200, 1.0]], "indefinite"),
        # a 2x2 minor -1e-32 of entries near 1 is within their rounding: not sure,
        # and the eigenvalues (2, ~0) say semidefinite
        ([[1.0, 1.0], [1.0, 1.0]], "positive semidefinite"),
    ],
)
def test_small_principal_minors_decide_exactly(matrix: list[list[float]], expected: str) -> None:
    from derivcli.matrices import classify_matrix, symmetric_eigenvalues

    assert classify_matrix(matrix, symmetric_eigenvalues(matrix)) == expected


def test_one_eigenvalue_too_small_to_tell_takes_the_determinant_s_sign() -> None:
    from derivcli.matrices import classify

    # no eigenvalue of a nonsingular matrix is 0: the product of the eigenvalues
    # is the determinant, so a single unsure one has sign det / (the others')
    assert classify([1e-20, 1.0, 2.0], tolerance=1e-15, determinant=Fraction(1)) == (
        "positive definite"
    )
    assert classify([1e-20, 1.0, 2.0], tolerance=1e-15, determinant=Fraction(-1)) == "indefinite"
    assert classify([-2.0, -1.0, 1e-20], tolerance=1e-15, determinant=Fraction(-1)) == (
        "negative definite"
    )
    # two unsure ones: their computed signs
    assert classify([-1e-20, 1e-20, 2.0], tolerance=1e-15, determinant=Fraction(-1)) == (
        "indefinite"
    )
    # without a determinant (singular as far as the entries tell) they count as 0
    assert classify([-1e-20, 1.0, 2.0], tolerance=1e-15) == "positive semidefinite"


def _quadratic(matrix: list[list[Fraction]]) -> str:
    """x^T A x / 2 in four variables, written out: its Hessian is A, exactly."""
    names = "abcd"
    terms = []
    for i in range(4):
        for j in range(i, 4):
            c = matrix[i][j] / 2 if i == j else matrix[i][j]
            if c:
                product = f"{names[i]}**2" if i == j else f"{names[i]}*{names[j]}"
                terms.append(f"({c.numerator}/{c.denominator})*{product}")
    return " + ".join(terms)


@pytest.mark.parametrize(("shift", "expected"), [(1, "positive definite"), (-1, "indefinite")])
def test_a_cancelling_determinant_is_bounded_to_first_order(shift: int, expected: str) -> None:
    # A = v1 v1^T + v2 v2^T + v3 v3^T +- 1e-13 I: rank 3 plus a tiny multiple of I,
    # so its eigenvalues are +-1e-13 and three of order 1-60 (mpmath below). Its
    # determinant, about +-3e-11, is far beyond what the entries' rounding can
    # move it (1e-13 to first order), but the permanent's bound (1e-6) said
    # "singular": both were "positive semidefinite" (a hunt)
    vectors = [(1, 2, 0, 1), (0, 1, 3, 1), (2, 0, 1, 1)]
    eps = Fraction(1, 10**13) * shift
    matrix = [
        [
            sum(Fraction(v[i] * v[j]) for v in vectors) + (eps if i == j else Fraction(0))
            for j in range(4)
        ]
        for i in range(4)
    ]
    with mpmath.workdps(60):
        rows = [[mpmath.mpf(e.numerator) / e.denominator for e in row] for row in matrix]
        exact = mpmath.matrix(rows)
        lowest = min(mpmath.eigsy(exact)[0])
        assert abs(lowest - shift * mpmath.mpf("1e-13")) < mpmath.mpf("1e-20")
    (point,) = derivcli.hessian(_quadratic(matrix), at="a=0,b=0,c=0,d=0").points
    assert point.classification == expected
