"""derivcli as a library: the same answers as the command line, from Python."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli

import derivcli
from derivcli import api

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"

# (CLI arguments, the library call that must give the same JSON and exit code)
CASES: list[tuple[list[str], Any]] = [
    (["grad", "x**2+2*x+1", "--at", "x=2"], lambda: derivcli.grad("x**2+2*x+1", at={"x": 2})),
    (["grad", "sin(x)", "--at", "x=-3:3:7"], lambda: derivcli.grad("sin(x)", at="x=-3:3:7")),
    (["grad", "relu(x)", "--at", "x=0"], lambda: derivcli.grad("relu(x)", at="x=0")),
    (["grad", "x**3", "--order", "2"], lambda: derivcli.grad("x**3", order=2)),
    (
        ["grad", "x*y", "--at", "x=0:1:2,y=0:1:2", "--mesh"],
        lambda: derivcli.grad("x*y", at="x=0:1:2,y=0:1:2", mesh=True),
    ),
    (
        ["grad", "x**2", "--at", "x=0.1", "--dtype", "float32", "--rtol", "1e-3"],
        lambda: derivcli.grad("x**2", at="x=0.1", dtype="float32", rtol=1e-3),
    ),
    (
        ["partial", "u*v+u**2", "--wrt", "u", "--at", "u=1,v=2"],
        lambda: derivcli.partial("u*v+u**2", wrt="u", at="u=1,v=2"),
    ),
    (
        ["partial", "u*v+(u*v)**2", "--wrt", "u", "--wrt", "v", "--at", "u=2,v=1"],
        lambda: derivcli.partial("u*v+(u*v)**2", wrt=["u", "v"], at={"u": 2, "v": 1}),
    ),
    (
        ["grad", "log(1+exp(x))", "--at", "x=1000"],
        lambda: derivcli.grad("log(1+exp(x))", at={"x": 1000}),
    ),
    (
        ["check", "2*x**3+x", "--answer", "6*x**2+1"],
        lambda: derivcli.check("2*x**3+x", answer="6*x**2+1"),
    ),
    (
        ["check", "2*x**3+x", "--answer", "6*x**2"],
        lambda: derivcli.check("2*x**3+x", answer="6*x**2"),
    ),
    (
        ["check-function", f"{FIXTURES / 'square_wrong.py'}:MySquare", "--expr", "x**2"],
        lambda: derivcli.check_function(f"{FIXTURES / 'square_wrong.py'}:MySquare", expr="x**2"),
    ),
    (
        ["graph", "u*v+sin(u)", "--at", "u=1,v=2"],
        lambda: derivcli.graph("u*v+sin(u)", at="u=1,v=2"),
    ),
]


def _case_id(args: list[str]) -> str:
    """The command and its first argument, a fixture by its file name only: an id
    with this checkout's absolute path names no test in another copy (the
    mutation tool runs the tests by id in temporary copies)."""
    return f"{args[0]} {args[1].replace(f'{FIXTURES}/', '')}"


@pytest.mark.parametrize(("args", "call"), CASES, ids=[_case_id(a) for a, _ in CASES])
def test_to_dict_is_the_cli_json(cli: Cli, args: list[str], call: Any) -> None:
    run = cli(*args, "--format", "json")
    result = call()
    assert result.to_dict() == run.json()
    exit_code = getattr(result, "exit_code", None)
    if exit_code is not None:
        assert int(exit_code) == run.code
    assert json.dumps(result.to_dict(), allow_nan=False)  # valid JSON as it is


# (arguments to grad, the exception's class, its message, column, exit code)
BAD = [
    ("sin(x", {"at": "x=1"}, derivcli.ParseError, "'(' of sin( is never closed at column 4", 4, 2),
    ("x y", {"at": "x=1"}, derivcli.ParseError, "missing operator before 'y' after 'x'", 3, 2),
    ("sinn(x)", {}, derivcli.ParseError, "unknown function 'sinn'", 1, 2),
    ("x**2", {"at": "y=1"}, derivcli.PointError, "'y' is not a variable of", None, 2),
    ("x**2", {"at": "x=abc"}, derivcli.PointError, "'abc' is not a number", None, 2),
    ("x**2", {"order": 0}, derivcli.InputError, "the order must be between 1 and 50", None, 2),
    ("9**9**9**9*x", {"at": "x=1"}, derivcli.LimitError, "exact numbers are limited", 5, 2),
    ("log(0)*x", {"at": "x=1"}, derivcli.InputError, "'log(0)' at column 1 is not a finite", 1, 2),
    ("x**2", {"at": "x=1", "device": "cuda"}, derivcli.DeviceError, "--device cuda", None, 3),
]


@pytest.mark.parametrize(("expression", "options", "kind", "message", "column", "code"), BAD)
def test_bad_input_raises_a_named_error(
    cli: Cli,
    expression: str,
    options: dict[str, Any],
    kind: type,
    message: str,
    column: Any,
    code: int,
) -> None:
    import torch

    if kind is derivcli.DeviceError and torch.cuda.is_available():
        pytest.skip("a CUDA device is visible")
    with pytest.raises(kind) as caught:
        derivcli.grad(expression, **options)
    error = caught.value
    assert isinstance(error, derivcli.DerivcliError)
    assert message in error.message and error.column == column and error.exit_code == code
    # the CLI says exactly the same, in one line, with the same exit code
    args = ["grad", expression]
    for name, value in options.items():
        args += [f"--{name}", str(value)]
    run = cli(*args)
    assert run.code == code and run.error == error.message


def test_import_is_cheap() -> None:
    script = (
        "import sys, derivcli; "
        "print(sorted(m for m in ('torch', 'sympy', 'symengine', 'typer', 'rich', 'gmpy2') "
        "if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert run.stdout.strip() == "[]"


def test_every_public_name_resolves() -> None:
    for name in derivcli.__all__:
        assert getattr(derivcli, name) is not None
    assert set(derivcli.__all__) == {*derivcli._EXPORTS, "__version__"}
    with pytest.raises(AttributeError):
        derivcli.nothing_here  # noqa: B018


def test_one_worker_serves_a_long_session() -> None:
    derivcli.grad("x**2", at="x=1")
    worker = api.shared_runner()
    first = worker._pid  # type: ignore[attr-defined]
    derivcli.grad("x**3", at="x=2")
    assert first is not None and worker._pid == first  # type: ignore[attr-defined]


def test_results_are_frozen_and_named_like_the_json() -> None:
    import dataclasses

    report = derivcli.grad("x**2+2*x+1", at={"x": 2})
    result = report.results[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.symbolic = 0.0  # type: ignore[misc]
    keys = report.to_dict()["results"][0]
    for field in ("wrt", "derivative", "point", "symbolic", "autograd", "agree", "note"):
        assert field in keys and hasattr(result, field)
    assert report.input == "x**2+2*x+1" and report.to_dict()["input"] == report.input


def test_printing_and_notebook_display() -> None:
    report = derivcli.grad("x**2", at="x=3")
    assert str(report) == "6"  # print(r): the plain text
    bundle = report._repr_mimebundle_()
    assert "d/dx = 2*x" in bundle["text/plain"] and "agree" in bundle["text/plain"]
    assert bundle["text/html"].lstrip().startswith("<!DOCTYPE html>")
    # Jupyter shows the HTML where there is one: it holds the same table
    assert "d/dx = 2*x" in bundle["text/html"] and "agree" in bundle["text/html"]


def test_the_readme_python_examples_run() -> None:
    failures, tried = doctest.testfile(
        str(REPO / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert tried >= 8 and failures == 0


def test_the_library_docstrings_run() -> None:
    failures, tried = doctest.testmod(api, optionflags=doctest.ELLIPSIS)
    assert tried >= 4 and failures == 0


# Arguments only Python can pass: wrong types are named errors too, never a
# plain AttributeError or TypeError from inside derivcli.
LIBRARY_ONLY = [
    ({"at": [1, 2]}, derivcli.PointError, "at: a point is 'x=2' or {'x': 2}, got 1"),
    ({"at": 5}, derivcli.PointError, "at: expected 'x=2', {'x': 2} or a list of those, got 5"),
    ({"at": {"x": 10**400}}, derivcli.PointError, "is beyond float64's range (about 1.8e308)"),
    ({"at": {"x": True}}, derivcli.PointError, "at: x=True is not a number"),
    ({"at": {1: 2}}, derivcli.PointError, "at: a variable name is a string, got 1"),
    ({"at": "x=1", "order": 2.5}, derivcli.InputError, "--order 2.5: the order must be between"),
    ({"at": "x=1", "timeout": "2"}, derivcli.InputError, "--timeout '2': must be a number"),
    ({"at": "x=1", "rtol": "a"}, derivcli.InputError, "--rtol 'a': must be a finite number"),
]


@pytest.mark.parametrize(("options", "kind", "message"), LIBRARY_ONLY)
def test_wrong_types_from_python_are_named_errors(
    options: dict[str, Any], kind: type[derivcli.DerivcliError], message: str
) -> None:
    with pytest.raises(kind) as caught:
        derivcli.grad("x**2", **options)
    assert message in caught.value.message and caught.value.exit_code == 2


def test_several_points_as_a_list() -> None:
    report = derivcli.grad("x**2", at=[{"x": 1}, "x=3", {"x": -0.5}])
    assert [r.symbolic for r in report.results] == [2.0, 6.0, -1.0]
