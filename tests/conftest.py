"""Shared helpers for derivcli's tests.

* ``cli``: run ``derivcli.commands.main.main`` in-process and capture its exit code,
  stdout and stderr separately (the real entry point, minus the process).
* ``evaluate``: an independent float64 evaluator of a parsed expression tree,
  written with the ``math`` module only. The oracle tests use it for central
  finite differences and to check that closed forms printed by derivcli parse
  back to the same function.
* the ``gpu`` marker: skipped cleanly where torch sees no CUDA device.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import pytest
import reference
from hypothesis import HealthCheck, settings

from derivcli.language.parser import parse
from derivcli.language.tree import (
    BinaryOp,
    Call,
    Constant,
    Fold,
    Negate,
    Node,
    Number,
    Variable,
    fold,
)

ERROR_PREFIX = "derivcli: error: "

# parse() raises the interpreter's recursion limit on its first call (a global
# side effect); do it now, before hypothesis starts watching the limit.
parse("x")

# Property tests are reproducible in CI: derandomized, no example database.
# HYPOTHESIS_PROFILE=explore draws fresh examples (and more of them) by hand.
_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile(
    "ci",
    deadline=timedelta(seconds=10),
    database=None,
    derandomize=True,
    suppress_health_check=_HEALTH,
)
settings.register_profile(
    "explore", deadline=timedelta(seconds=10), suppress_health_check=_HEALTH, max_examples=2000
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error(self) -> str:
        """The one error line without its prefix; fails unless there is exactly one."""
        assert_one_error_line(self.err)
        return self.err[len(ERROR_PREFIX) :].rstrip("\n")


def assert_one_error_line(err: str) -> None:
    """stderr is exactly one line starting with the error prefix, and no traceback."""
    assert err.startswith(ERROR_PREFIX), err
    assert err.endswith("\n"), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert "internal error" not in err, err


class Cli(Protocol):
    """The ``cli`` fixture: run derivcli with these arguments, in-process."""

    def __call__(self, *args: str) -> CliRun: ...


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """``cli("grad", "x**2", "--at", "x=3")`` -> CliRun(code, out, err)."""
    from derivcli.commands.main import main

    def run(*args: str) -> CliRun:
        capsys.readouterr()  # drop anything printed before
        code = main(list(args))
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run


# ---------------------------------------------------------------- an independent evaluator


MATH_FUNCTIONS: dict[str, Callable[..., float]] = reference.FLOAT64

CONSTANT_VALUES = {"pi": math.pi, "E": math.e}


class _Float64(Fold[float]):
    """Plain float64 math over a tree (the ``math`` module, IEEE rules)."""

    def __init__(self, point: Mapping[str, float]) -> None:
        self.point = point

    def number(self, node: Number) -> float:
        return float(node.value)

    def constant(self, node: Constant) -> float:
        return CONSTANT_VALUES[node.name]

    def variable(self, node: Variable) -> float:
        return float(self.point[node.name])

    def negate(self, node: Negate, operand: float) -> float:
        return -operand

    def call(self, node: Call, args: list[float]) -> float:
        return float(MATH_FUNCTIONS[node.name](*args))

    def binary(self, node: BinaryOp, a: float, b: float) -> float:
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if node.op == "/":
            return a / b
        try:
            result = a**b
        except ZeroDivisionError:
            return math.inf
        return math.nan if isinstance(result, complex) else float(result)


def evaluate(node: Node, point: Mapping[str, float]) -> float:
    """The value of a derivcli tree at ``point``, in plain float64 math."""
    return fold(node, _Float64(point))


def evaluate_text(text: str, point: Mapping[str, float]) -> float:
    return evaluate(parse(text).tree, point)


def central_difference(
    f: Callable[[float], float], x: float, order: int, h: float | None = None
) -> float:
    """Central finite difference of order 1 or 2, Richardson-extrapolated once."""

    def raw(step: float) -> float:
        if order == 1:
            return (f(x + step) - f(x - step)) / (2 * step)
        if order == 2:
            return (f(x + step) - 2 * f(x) + f(x - step)) / step**2
        raise ValueError(order)

    step = h if h is not None else (1e-3 if order == 1 else 1e-2) * max(1.0, abs(x))
    coarse, fine = raw(step), raw(step / 2)
    return fine + (fine - coarse) / 3  # error O(h**4)


# ---------------------------------------------------------------- the gpu marker


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    gpu_items = [item for item in items if item.get_closest_marker("gpu")]
    if not gpu_items or _cuda_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device visible to torch")
    for item in gpu_items:
        item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _warm_symbolic_worker() -> None:
    """Import the symbolic engines once in the test process.

    Every command forks its symbolic worker from the calling process; with
    symengine and sympy already imported here, each fork starts warm instead
    of paying their import again (the suite runs several hundred commands).
    """
    import sympy  # noqa: F401

    import derivcli.symbolic.calculus  # noqa: F401


def count_beside_values(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The precisions of the analysis's evaluations beside a point, as they happen
    (how many values a probe takes, at which guard widths)."""
    from derivcli.symbolic import analysis

    calls: list[int] = []
    beside_value = analysis._beside_value

    def counted(program: Any, point: Any, precision: int = 256, **kwargs: Any) -> Any:
        calls.append(precision)
        return beside_value(program, point, precision, **kwargs)

    monkeypatch.setattr(analysis, "_beside_value", counted)
    return calls


def one(run: CliRun) -> dict[str, Any]:
    """The one result object of a single-point run's JSON."""
    (result,) = run.json()["results"]
    assert isinstance(result, dict)
    return result


def plot_json(cli: Cli, text: str, range_text: str, *more: str) -> tuple[int, dict[str, Any]]:
    """``derivcli plot`` of ``text`` over ``range_text`` as JSON (budget 60 s): its
    exit code and object, with nothing on stderr and the object's "exit" the code."""
    run = cli("plot", text, "--range", range_text, *more, "-f", "json", "--timeout", "60")
    assert run.err == ""
    data = run.json()
    assert isinstance(data, dict)
    assert data["exit"] == run.code
    return run.code, data


def screen_grid(text: str, grid: tuple[float, float, int], dtype: str = "float64") -> Any:
    """``text`` analysed along x on a grid (start, stop, count), long enough for the
    float64 screen: the points and the symbolic response."""
    from derivcli.autograd.values import make_points
    from derivcli.language.parser import parse
    from derivcli.language.points import Grid, PointSpec
    from derivcli.symbolic import analysis

    start, stop, count = grid
    points = make_points(PointSpec(("x",), ((("x", Grid(start, stop, count)),),), count))
    request = analysis.make_request(parse(text), [("x",)], budget=120.0, dtype=dtype)
    return points, analysis.run(request, points)


def unit_slope_grid_note(cli: Cli, text: str, grid: str, count: int) -> Any:
    """``partial TEXT --wrt x --at GRID`` (``count`` points) for an f whose d/dx is
    1 everywhere on the grid: every result must agree on 1; the document's note
    (None, or what was screened in float64) is returned."""
    run = cli("partial", text, "--wrt", "x", "--at", grid, "-f", "json", "--timeout", "60")
    assert run.err == "", run.err
    assert run.code == 0
    document = run.json()
    results = document["results"]
    assert len(results) == count
    assert all(r["symbolic"] == 1.0 and r["verdict"] == "agree" for r in results)
    return document["note"]


# A correct custom autograd.Function, as a module source for check-function
SQUARE_FUNCTION = """
import torch


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * grad
"""
