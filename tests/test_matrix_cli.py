"""derivcli hessian and jacobian through the real entry point.

The classic matrices against exact values written here; torch's matrix in
the output against ``torch.autograd.functional.hessian`` / ``jacobian`` of
the function written by hand in torch; exit codes, stdout and stderr; batch
lines; the library's ``to_dict()`` against the CLI's JSON.
"""

from __future__ import annotations

import io
import json
import math
import os
import shlex
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import Cli, evaluate_text

import derivcli
from derivcli.commands.main import main
from derivcli.language.parser import parse
from derivcli.matrices import MatrixReport

# ---------------------------------------------------------------- the classics, exactly


def test_rosenbrock_at_its_minimum(cli: Cli) -> None:
    run = cli("hessian", "(1-x)**2 + 100*(y-x**2)**2", "--at", "x=1,y=1", "-f", "json")
    assert run.code == 0 and run.err == ""
    (point,) = run.json()["points"]
    assert point["symbolic_values"] == [[802.0, -400.0], [-400.0, 200.0]]
    assert point["autograd"] == [[802.0, -400.0], [-400.0, 200.0]]
    assert point["determinant"] == 400.0  # 802*200 - 400**2, exactly
    # roots of l**2 - 1002*l + 400: 501 -+ sqrt(250601), the small one without cancellation
    big = 501 + math.sqrt(250601)
    lam = [400 / big, big]
    assert point["eigenvalues"] == pytest.approx(lam, rel=1e-12)
    assert point["classification"] == "positive definite"
    assert point["gradient"]["symbolic_values"] == [0.0, 0.0]
    assert point["stationary"] is True and point["stationary_point"] == "local minimum"
    assert point["agree"] == {"matrix": [[True, True], [True, True]], "overall": True}
    table = cli("hessian", "(1-x)**2 + 100*(y-x**2)**2", "--at", "x=1,y=1")
    assert table.code == 0 and "positive definite" in table.out
    assert "a stationary point, a local minimum" in table.out


def test_a_saddle_at_the_origin(cli: Cli) -> None:
    run = cli("hessian", "x**2 - y**2", "--at", "x=0,y=0", "-f", "json")
    assert run.code == 0
    (point,) = run.json()["points"]
    assert point["symbolic_values"] == [[2.0, 0.0], [0.0, -2.0]]
    assert (point["determinant"], point["eigenvalues"]) == (-4.0, [-2.0, 2.0])
    assert point["classification"] == "indefinite"
    assert point["stationary_point"] == "saddle point"


def test_a_kink_in_one_entry_only(cli: Cli) -> None:
    run = cli("hessian", "x**2 + y*abs(y)", "--at", "x=1,y=0", "-f", "json")
    assert run.code == 1 and run.err == ""
    (point,) = run.json()["points"]
    assert point["differentiable"] == [[True, True], [True, False]]
    assert point["agree"] == {"matrix": [[True, True], [True, False]], "overall": False}
    corner = point["entries"][1][1]
    assert (corner["left"], corner["right"]) == (-2.0, 2.0)  # 2*sign(y) on each side
    assert corner["verdict"] == "not differentiable" and "kink of abs" in corner["note"]
    assert point["verdict"] == "not differentiable"
    assert point["determinant"] is None and point["eigenvalues"] is None
    assert "not every entry is differentiable" in point["note"]
    table = cli("hessian", "x**2 + y*abs(y)", "--at", "x=1,y=0")
    assert table.code == 1 and "not differentiable" in table.out
    assert "d2/dy2 at x=1, y=0: kink of abs" in " ".join(table.out.split())


def test_polar_to_cartesian_has_determinant_r(cli: Cli) -> None:
    for r, t in ((2.0, 0.5), (0.75, 2.0), (3.0, -1.0)):
        run = cli(
            "jacobian", "r*cos(t)", "r*sin(t)", "--wrt", "r", "--wrt", "t",
            "--at", f"r={r},t={t}", "-f", "json",
        )  # fmt: skip
        assert run.code == 0, run.err
        (point,) = run.json()["points"]
        assert point["symbolic"] == [["cos(t)", "-r*sin(t)"], ["sin(t)", "r*cos(t)"]]
        expected = [math.cos(t), -r * math.sin(t), math.sin(t), r * math.cos(t)]
        assert sum(point["symbolic_values"], []) == pytest.approx(expected, rel=1e-15)
        assert point["determinant"] == pytest.approx(r, rel=1e-15)


# ---------------------------------------------------------------- torch's own matrix


def test_autograd_is_torch_autograd_functional_hessian(cli: Cli) -> None:
    import torch

    functional: Any = torch.autograd.functional  # untyped for mypy

    def f(x: Any, y: Any) -> Any:  # "x**2*y + sin(y) + relu(x - 1)*y" by hand
        return x**2 * y + torch.sin(y) + torch.nn.functional.relu(x - 1) * y

    for x, y in ((1.0, 2.0), (0.3, -1.7)):  # x=1 is relu's kink: torch's convention counts
        run = cli(
            "hessian", "x**2*y + sin(y) + relu(x - 1)*y", "--at", f"x={x},y={y}", "-f", "json"
        )
        document = run.json()
        assert document["autograd_method"] == "torch.autograd.functional.hessian"
        inputs = (torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64))
        hessian = functional.hessian(f, inputs)
        gradient = functional.jacobian(f, inputs)
        (point,) = document["points"]
        assert point["autograd"] == [[float(h) for h in row] for row in hessian]
        assert point["gradient"]["autograd"] == [float(g) for g in gradient]


def test_autograd_is_torch_autograd_functional_jacobian(cli: Cli) -> None:
    import torch

    def vector(x: Any, y: Any) -> tuple[Any, ...]:
        return (x * y, x + y, torch.sin(x), torch.abs(x - y))

    args = ("jacobian", "x*y", "x+y", "sin(x)", "abs(x - y)", "--at", "x=1,y=1", "-f", "json")
    run = cli(*args)
    assert run.code == 1  # abs(x - y) at its kink
    document = run.json()
    assert document["autograd_method"] == "torch.autograd.functional.jacobian"
    one = torch.tensor(1.0, dtype=torch.float64)
    functional: Any = torch.autograd.functional
    jacobian = functional.jacobian(vector, (one, one.clone()))
    (point,) = document["points"]
    assert point["autograd"] == [[float(v) for v in row] for row in jacobian]


def test_float32_points_and_tolerances(cli: Cli) -> None:
    import torch

    run = cli("hessian", "x**3*y", "--at", "x=0.1,y=0.3", "--dtype", "float32", "-f", "json")
    assert run.code == 0, run.err
    document = run.json()
    assert (document["dtype"], document["rtol"], document["atol"]) == ("float32", 1e-4, 1e-5)
    (point,) = document["points"]
    x, y = (torch.tensor(v, dtype=torch.float32) for v in (0.1, 0.3))
    assert point["point"] == {"x": float(x), "y": float(y)}  # the float32 points torch holds
    functional: Any = torch.autograd.functional
    hessian = functional.hessian(lambda a, b: a**3 * b, (x, y))
    assert point["autograd"] == [[float(h) for h in row] for row in hessian]


# ---------------------------------------------------------------- the command line


def test_hessian_table(cli: Cli) -> None:
    run = cli("hessian", "x**2*y + sin(y)", "--at", "x=1,y=2")
    assert run.code == 0 and run.err == ""
    out = run.out
    assert "Hessian of x**2*y + sin(y)" in out
    for text in ("2*y", "2*x", "-sin(y)", "-0.9092974", "at x=1, y=2: agree"):
        assert text in out, text
    assert "symmetric; determinant -7.63719; eigenvalues -1.620924, 4.711627: indefinite" in out
    assert "not a stationary point" in out
    assert "torch.autograd.functional.hessian" in " ".join(out.split())


GOLDEN = Path(__file__).parent / "golden"


def test_golden_hessian_table() -> None:
    """The whole table at 100 columns, as a terminal shows it (without colour)."""
    from rich.console import Console

    report = derivcli.hessian("x**2 + y*abs(y)", at="x=1,y=0")
    console = Console(width=100, color_system=None, file=io.StringIO())
    console.print(report.rich(), crop=False)
    rendered = console.file.getvalue()  # type: ignore[attr-defined]
    golden = GOLDEN / "hessian_table.txt"
    if os.environ.get("DERIVCLI_UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


def test_hessian_plain_loads_with_numpy(cli: Cli) -> None:
    run = cli("hessian", "x**2*y + sin(y)", "--at", "x=1,y=2", "-f", "plain")
    assert run.code == 0 and run.err == ""
    assert run.out == "4\t2\n2\t-0.9092974268256817\n"
    matrix = np.loadtxt(io.StringIO(run.out))
    assert matrix.tolist() == [[4.0, 2.0], [2.0, math.sin(-2.0)]]
    two = cli("hessian", "x*y**2", "--at", "x=1,y=1", "--at", "x=2,y=0", "-f", "plain")
    assert two.out == "0\t2\n2\t2\n\n0\t0\n0\t4\n"
    assert np.loadtxt(io.StringIO(two.out)).shape == (4, 2)


def test_wrt_chooses_and_orders_the_variables(cli: Cli) -> None:
    wrt = ("--wrt", "z", "--wrt", "x", "--at", "x=1,y=2,z=3")
    run = cli("hessian", "x**2*y*z", *wrt, "-f", "plain")
    assert run.code == 0 and run.out == "0\t4\n4\t12\n"  # rows/columns z, x
    run = cli("jacobian", "x*y", "y*z", *wrt, "-f", "json")
    document = run.json()
    assert document["variables"] == ["z", "x"]
    assert document["points"][0]["symbolic"] == [["0", "y"], ["y", "0"]]


def test_without_at_the_closed_forms_are_checked_at_sample_points(cli: Cli) -> None:
    run = cli("hessian", "x**2*y + sin(y)")
    assert run.code == 0 and "checked at 5 sample points: agree" in run.out
    plain = cli("hessian", "x**2*y + sin(y)", "-f", "plain")
    assert plain.out == "2*y\t2*x\n2*x\t-sin(y)\n"
    (point,) = cli("jacobian", "x*y", "x+y", "-f", "json").json()["points"]
    assert point["point"] is None and point["symbolic"] == [["y", "x"], ["1", "1"]]
    assert all(len(e["samples"]) == 5 for row in point["entries"] for e in row)
    assert point["agree"]["overall"] is True and point["determinant"] is None


def test_closed_forms_parse_back_to_their_values(cli: Cli) -> None:
    run = cli("hessian", "exp(x*y)*sin(x+y) + relu(x)*y**3", "--at", "x=0.3,y=-0.7", "-f", "json")
    (point,) = run.json()["points"]
    for forms, values in zip(point["symbolic"], point["symbolic_values"], strict=True):
        for form, value in zip(forms, values, strict=True):
            assert evaluate_text(form, point["point"]) == pytest.approx(value, rel=1e-12)


def test_several_points_and_grids(cli: Cli) -> None:
    run = cli("hessian", "x**3*y", "--at", "x=-1:1:3,y=2", "--at", "x=5,y=1", "-f", "json")
    assert run.code == 0
    points = run.json()["points"]
    assert [p["point"] for p in points] == [
        {"x": -1.0, "y": 2.0},
        {"x": 0.0, "y": 2.0},
        {"x": 1.0, "y": 2.0},
        {"x": 5.0, "y": 1.0},
    ]
    assert [p["symbolic_values"][0][0] for p in points] == [-12.0, 0.0, 12.0, 30.0]
    long = cli("hessian", "x**2*y", "--at", "x=-1:1:30,y=1")
    assert long.code == 0 and "27 of 30 points not shown" in long.out


def test_the_verdict_follows_every_entry(cli: Cli) -> None:
    run = cli("jacobian", "x*y", "relu(x)", "--at", "x=0,y=1", "-f", "json")
    assert run.code == 1
    (point,) = run.json()["points"]
    assert point["agree"]["matrix"] == [[True, True], [False, True]]
    assert point["verdict"] == "not differentiable"
    disagree = cli("hessian", "x**3", "--at", "x=1", "--rtol", "0", "--atol", "0", "-f", "json")
    assert disagree.code == 0  # 6 and 6.0 are equal: no tolerance needed
    (point,) = cli("jacobian", "x*y", "x+y", "--at", "x=1,y=2", "-f", "json").json()["points"]
    assert point["determinant"] == 1.0 and point["verdict"] == "agree"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("jacobian", "x*y", "sin(x", "--at", "x=1,y=2"),
            "expression 2 of 2 ('sin(x'): '(' of sin( is never closed at column 4",
        ),
        (("jacobian", "x*y", "x+", "y"), "expression 2 of 3 ('x+'): "),
        (("hessian", "x*y", "--wrt", "x", "--wrt", "x"), "--wrt x: 'x' is given twice"),
        (("hessian", "x*y", "--wrt", "z"), "'z' does not appear in the expression"),
        (("hessian", "x*y", "--at", "x=1"), "--at x=1: no value for 'y'"),
        (("hessian", "2*3"), "'2*3' has no variables"),
        (("jacobian", "1", "2"), "the expressions have no variables"),
        (
            ("hessian", "x**2*y", "--at", "x=-1:1:30000,y=1"),
            "--at: 30,000 points of a 2x2 Hessian are 120,000 entries; the limit is 100,000",
        ),
        (
            ("hessian", "+".join(f"x{i}**2" for i in range(21))),
            "21 variables: a matrix has at most 20 of them (choose some with --wrt)",
        ),
        (("jacobian", *(f"x*{i}" for i in range(21))), "21 expressions: a Jacobian has at most 20"),
        (("hessian", "x*y", "--rtol", "-1"), "--rtol -1.0: must be a finite number >= 0"),
        (("hessian", "9**9**9**9*x*y"), "exact numbers are limited"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli: Cli, args: tuple[str, ...], message: str) -> None:
    run = cli(*args)
    assert run.code == 2 and run.out == ""
    assert message in run.error


def test_a_budget_that_runs_out_still_prints_what_was_computed(cli: Cli) -> None:
    point = ("--at", "x=1,y=2,z=3", "--timeout", "0.001")
    run = cli("hessian", "exp(sin(x*y))*z**3", *point, "-f", "json")
    assert run.code == 3
    assert "closed form was not reached" in run.error
    document = run.json()
    assert "not reached within the time budget" in document["note"]
    (point,) = document["points"]
    assert point["symbolic"][0][0] is None and isinstance(point["autograd"][0][0], float)
    assert point["verdict"] == "not computed" and point["basis"] == "autograd"
    assert point["classification"] == "indefinite"  # from autograd's matrix, and said so
    assert "described from autograd's values" in point["note"]


def test_cuda_without_cuda_is_exit_3(cli: Cli) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is visible")
    run = cli("hessian", "x*y", "--at", "x=1,y=2", "--device", "cuda")
    assert run.code == 3 and run.out == "" and "--device cuda" in run.error
    # with several expressions the machine's error names none of them (it said
    # "expression 1 of 2 ('x*y'): --device cuda: ..."; a new user's pass)
    run = cli("jacobian", "x*y", "x", "--at", "x=1,y=1", "--device", "cuda")
    assert run.code == 3 and run.out == ""
    assert run.error.startswith("--device cuda: ")


def test_an_expression_may_start_with_a_minus(cli: Cli) -> None:
    run = cli("jacobian", "-x*y", "-(x+y)", "--at", "x=1,y=2", "-f", "plain")
    assert run.code == 0 and run.out == "-2\t-1\n-1\t-1\n"


# ---------------------------------------------------------------- batch and the library


def _batch(
    text: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, list[dict[str, Any]]]:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code = main(["batch"])
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_batch_takes_hessian_and_jacobian_lines(
    cli: Cli, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        'hessian "x**2*y + sin(y)" --at x=1,y=2',
        'jacobian "x*y" "x+y" "sin(x)" --at x=1,y=2',
        'jacobian "x*y" "sin(x" --at x=1,y=2',
        'hessian "relu(x)*y" --at x=0,y=1',
    ]
    code, objects = _batch("\n".join(lines) + "\n", capsys, monkeypatch)
    assert [o["exit"] for o in objects] == [0, 0, 2, 1] and code == 2
    assert "expression 2 of 2 ('sin(x')" in objects[2]["error"]
    for line, obj in zip(lines[:2], objects, strict=False):
        single = cli(*shlex.split(line), "-f", "json").json()
        assert {k: v for k, v in obj.items() if k not in ("line", "exit")} == single


# (CLI arguments, the library call that must give the same JSON and exit code)
LIBRARY: list[tuple[list[str], Callable[[], MatrixReport]]] = [
    (
        ["hessian", "x**2*y + sin(y)", "--at", "x=1,y=2"],
        lambda: derivcli.hessian("x**2*y + sin(y)", at={"x": 1, "y": 2}),
    ),
    (
        ["hessian", "x**2 + y*abs(y)", "--at", "x=1,y=0", "--wrt", "y", "--wrt", "x"],
        lambda: derivcli.hessian("x**2 + y*abs(y)", at="x=1,y=0", wrt=["y", "x"]),
    ),
    (["hessian", "x**2*y"], lambda: derivcli.hessian("x**2*y")),
    (
        ["hessian", "x*y**3", "--at", "x=0:1:3,y=0:1:3", "--mesh", "--dtype", "float32"],
        lambda: derivcli.hessian("x*y**3", at="x=0:1:3,y=0:1:3", mesh=True, dtype="float32"),
    ),
    (
        ["jacobian", "x*y", "x+y", "sin(x)", "--at", "x=1,y=2"],
        lambda: derivcli.jacobian(["x*y", "x+y", "sin(x)"], at="x=1,y=2"),
    ),
    (
        ["jacobian", "r*cos(t)", "r*sin(t)", "--wrt", "r", "--wrt", "t", "--rtol", "1e-3"],
        lambda: derivcli.jacobian(["r*cos(t)", "r*sin(t)"], wrt=["r", "t"], rtol=1e-3),
    ),
    (["jacobian", "x**2", "--at", "x=3"], lambda: derivcli.jacobian("x**2", at=["x=3"])),
]


@pytest.mark.parametrize(("args", "call"), LIBRARY, ids=[" ".join(a[:2]) for a, _ in LIBRARY])
def test_library_to_dict_is_the_cli_json(
    cli: Cli, args: list[str], call: Callable[[], MatrixReport]
) -> None:
    run = cli(*args, "--format", "json")
    report = call()
    assert report.to_dict() == run.json()
    assert int(report.exit_code) == run.code
    assert json.dumps(report.to_dict(), allow_nan=False)


def test_every_symbolic_entry_parses(cli: Cli) -> None:
    texts: Sequence[str] = ("sigmoid(x*y)", "softplus(x - y)*max(x, y)")
    document = cli("jacobian", *texts, "--at", "x=0.5,y=-0.25", "-f", "json").json()
    for row in document["points"][0]["symbolic"]:
        for form in row:
            parse(form)


@pytest.mark.parametrize(
    ("args", "exact"),
    [
        # by hand: diag(2e200, 2e200) and diag(2e-200, 2e-200) have determinants
        # 4e400 and 4e-400, past float64 (inf and 0 there); diag(1e200, 1e200) 1e400
        (["hessian", "1e200*(x**2+y**2)", "--at", "x=0,y=0"], "4e+400"),
        (["hessian", "1e-200*(x**2+y**2)", "--at", "x=0,y=0"], "4e-400"),
        (["jacobian", "1e200*x", "1e200*y", "--at", "x=1,y=1"], "1e+400"),
    ],
)
def test_a_determinant_past_float64_is_shown_exactly(cli: Any, args: list[str], exact: str) -> None:
    # it showed as a plain inf, or as 0 beside "positive definite" (a hunt)
    run = cli(*args, "-f", "json")
    (point,) = run.json()["points"]
    assert point["determinant_past_float64"] == exact
    text = cli(*args).out
    assert f"determinant {exact} (past float64)" in text
    regular = cli("hessian", "x**2+y**2", "--at", "x=0,y=0", "-f", "json").json()["points"][0]
    assert regular["determinant"] == 4.0 and regular["determinant_past_float64"] is None


@pytest.mark.parametrize(
    ("text", "classification", "stationary_point"),
    [
        # H = c*2*[[1/9, 1/21], [1/21, 1/49]]: rank 1 (1/9 * 1/49 = (1/21)**2), so
        # positive semidefinite at every scale c > 0 (f >= 0 and f(0) = 0: a
        # non-strict minimum). At c = 1e-250 the minors' rounding bound, products
        # of entries in float64, underflowed to 0 and the float entries'
        # determinant -2e-518 (rounding) read as a saddle; at 1e-160 as definite
        ("1e-250*(x/3 + y/7)**2", "positive semidefinite", "inconclusive"),
        ("1e-160*(x/3 + y/7)**2", "positive semidefinite", "inconclusive"),
        # (1e-50*x + 1e-150*y)**2: rank 1 as well
        ("1e-100*x**2 + 1e-300*y**2 + 2e-200*x*y", "positive semidefinite", "inconclusive"),
        # [[2e200, 1e194], [1e194, 0]] has determinant -1e388 < 0: a saddle (the
        # README's x**2 + 1e-6*x*y, times 1e200); the bound overflowed to inf
        ("1e200*x**2 + 1e194*x*y", "indefinite", "saddle point"),
        # determinant (2e200/9)*2e187 > 0 and 2e200/9 > 0: positive definite
        ("1e200*(x/3 + y/7)**2 + 1e187*y**2", "positive definite", "local minimum"),
    ],
)
def test_definiteness_does_not_depend_on_the_scale(
    cli: Cli, text: str, classification: str, stationary_point: str
) -> None:
    run = cli("hessian", text, "--at", "x=0,y=0", "-f", "json")
    (point,) = run.json()["points"]
    assert point["classification"] == classification
    assert stationary_point in point["stationary_point"]


def test_eigenvalues_of_tiny_entries_do_not_underflow(cli: Cli) -> None:
    # H = [[2e-100, 2e-200], [2e-200, 2e-300]] is singular (by hand: 4e-400 -
    # (2e-200)**2 = 0): eigenvalues 0 and 2e-100 + 2e-300. numpy's eigvalsh
    # squares entries on the way, and 2e-200**2 underflowed: it gave 2e-300 for 0
    run = cli("hessian", "1e-100*x**2 + 1e-300*y**2 + 2e-200*x*y", "--at", "x=0,y=0", "-f", "json")
    (point,) = run.json()["points"]
    small, large = point["eigenvalues"]
    assert abs(small) <= 1e-300 * 1e-10
    assert large == pytest.approx(2e-100, rel=1e-15)


@pytest.mark.parametrize(
    ("text", "at", "wrt", "classification", "eigenvalues"),
    [
        # [[0, 1e-6], [1e-6, 2]]: determinant -1e-12 < 0 (by hand), so indefinite, a
        # saddle, in either variable order; with x first its leading minor 0 sent
        # it to the eigenvalues, where -5e-13 next to 2 was taken for 0 (a hunt)
        ("y**2 + 1e-6*x*y", "x=0,y=0", ("x", "y"), "indefinite", None),
        ("y**2 + 1e-6*x*y", "x=0,y=0", ("y", "x"), "indefinite", None),
        # determinant -1e-400, exactly (fractions), entries 0, 1e-200 and 2e200
        ("1e200*y**2 + 1e-200*x*y", "x=0,y=0", ("x", "y"), "indefinite", None),
        # three rows: determinant -2e-12, eigenvalues -5e-13, 2, 2 + 5e-13
        ("z**2 + y**2 + 1e-6*x*y", "x=0,y=0,z=0", ("x", "y", "z"), "indefinite", None),
        # rank 1 with subnormal entries (1e-311, 1e-321): positive semidefinite;
        # their rounding is 2**-1074, not 2**-52 of them, and the rounding of the
        # determinant read as a saddle, or as definite
        ("1e-300*1e-10*(x/3 + y/7)**2", "x=0,y=0", ("x", "y"), "positive semidefinite", None),
        ("1e-300*1e-20*(x/3 + y/7)**2", "x=0,y=0", ("x", "y"), "positive semidefinite", None),
        # diagonal: the eigenvalues are the entries, exactly; scaling by the largest
        # made 2e-200 underflow to 0 beside 2e200
        ("1e200*x**2 + 1e-200*y**2", "x=0,y=0", ("x", "y"), "positive definite", [2e-200, 2e200]),
        ("1e160*x**2 - 1e-160*y**2", "x=0,y=0", ("x", "y"), "indefinite", [-2e-160, 2e160]),
        (
            "1e200*x**2 + 1e-200*y**2 - 1e-250*z**2",
            "x=0,y=0,z=0",
            ("x", "y", "z"),
            "indefinite",
            [-2e-250, 2e-200, 2e200],
        ),
    ],
)
def test_definiteness_and_eigenvalues_at_any_scale_and_order(
    cli: Cli,
    text: str,
    at: str,
    wrt: tuple[str, ...],
    classification: str,
    eigenvalues: list[float] | None,
) -> None:
    flags = [part for name in wrt for part in ("--wrt", name)]
    run = cli("hessian", text, "--at", at, *flags, "-f", "json")
    (point,) = run.json()["points"]
    assert point["classification"] == classification
    if eigenvalues is not None:
        assert point["eigenvalues"] == eigenvalues
