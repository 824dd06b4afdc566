"""The `graph` command, driven through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from derivcli.commands.main import main


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code = main(["graph", *args, "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err == ""
    result: dict[str, Any] = json.loads(captured.out)
    return result


def names(node: dict[str, Any]) -> list[str | None]:
    """grad_fn names in depth-first order."""
    found: list[str | None] = [node["grad_fn"]]
    for child in node.get("inputs", []):
        found.extend(names(child))
    return found


def test_quadratic_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # no wrapping inside the tree
    code = main(["graph", "x**2+2*x+1", "--at", "x=2"])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err == ""
    out = captured.out
    assert "x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)" in out
    assert "y = x**2 + 2*x + 1" in out
    assert "y = tensor(9., dtype=torch.float64, grad_fn=<AddBackward0>)" in out
    assert "grad_fn=AddBackward0 is_leaf=False requires_grad=True grad=None" in out
    for name in (
        "AddBackward0  x**2 + 2*x + 1 = 9",
        "AddBackward0  x**2 + 2*x = 8",
        "PowBackward0  x**2 = 4",
        "MulBackward0  2*x = 4",
    ):
        assert name in out
    assert out.count("AccumulateGrad -> leaf x = 2  requires_grad=True is_leaf=True grad=6") == 2
    assert "ReluBackward0" not in out


def test_quadratic_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "x**2+2*x+1", "--at", "x=2")
    assert data["expression"] == "x**2 + 2*x + 1"
    assert data["point"] == {"x": 2.0}
    assert data["output"] == {
        "data": 9.0,
        "dtype": "float64",
        "requires_grad": True,
        "is_leaf": False,
        "grad_fn": "AddBackward0",
        "grad": None,
        "repr": "tensor(9., dtype=torch.float64, grad_fn=<AddBackward0>)",
    }
    root = data["graph"]
    assert names(root) == [
        "AddBackward0",
        "AddBackward0",
        "PowBackward0",
        "AccumulateGrad",
        "MulBackward0",
        "AccumulateGrad",
        None,
        None,
    ]
    assert root["expression"] == "x**2 + 2*x + 1"
    add, constant = root["inputs"]
    assert constant == {"id": 8, "grad_fn": None, "constant": True}
    power, mul = add["inputs"]
    assert power["grad_fn"] == "PowBackward0" and power["expression"] == "x**2"
    assert power["tensor"]["data"] == 4.0
    assert power["tensor"]["is_leaf"] is False and power["tensor"]["grad"] is None
    leaf = power["inputs"][0]
    assert leaf["grad_fn"] == "AccumulateGrad" and leaf["leaf"] == "x"
    assert leaf["tensor"]["data"] == 2.0
    assert leaf["tensor"]["requires_grad"] is True
    assert leaf["tensor"]["is_leaf"] is True
    assert leaf["tensor"]["grad"] == 6.0
    assert leaf["tensor"]["grad_fn"] is None
    assert mul["grad_fn"] == "MulBackward0"
    assert [c["grad_fn"] for c in mul["inputs"]] == ["AccumulateGrad", None]
    assert data["leaves"] == [
        {
            "name": "x",
            "in_graph": True,
            "data": 2.0,
            "dtype": "float64",
            "requires_grad": True,
            "is_leaf": True,
            "grad_fn": None,
            "grad": 6.0,
            "repr": "tensor(2., dtype=torch.float64, requires_grad=True)",
        }
    ]
    assert data["code"][-1] == "x.grad  # tensor(6., dtype=torch.float64)"
    assert data["notes"] == []


def test_relu(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    data = run_json(capsys, "relu(x)", "--at", "x=3")
    assert names(data["graph"]) == ["ReluBackward0", "AccumulateGrad"]
    assert data["leaves"][0]["grad"] == 1.0
    assert "y = torch.nn.functional.relu(x)" in data["code"]

    code = main(["graph", "relu(x)", "--at", "x=-1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "ReluBackward0  relu(x) = 0" in out
    assert "AccumulateGrad -> leaf x = -1  requires_grad=True is_leaf=True grad=0" in out


def test_two_variables(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "u*v+sin(u)", "--at", "u=0,v=2")
    assert names(data["graph"]) == [
        "AddBackward0",
        "MulBackward0",
        "AccumulateGrad",
        "AccumulateGrad",
        "SinBackward0",
        "AccumulateGrad",
    ]
    grads = {leaf["name"]: leaf["grad"] for leaf in data["leaves"]}
    assert grads == {"u": 3.0, "v": 0.0}  # v + cos(u), u


def test_float32_and_power_of_variables(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "x**y", "--at", "x=2,y=3", "--dtype", "float32")
    assert names(data["graph"]) == ["PowBackward1", "AccumulateGrad", "AccumulateGrad"]
    assert data["leaves"][0]["repr"] == "tensor(2., requires_grad=True)"
    assert data["leaves"][0]["grad"] == 12.0
    assert data["code"][3] == "f = x**y"  # y is taken, so the output is called f


def test_output_without_graph(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "heaviside(x)", "--at", "x=1")
    assert data["graph"] is None
    assert data["output"]["requires_grad"] is False
    assert data["leaves"][0]["grad"] is None
    assert "does not require grad" in data["notes"][0]


def test_unused_leaf(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "heaviside(y)+x", "--at", "x=1,y=2")
    assert [leaf["in_graph"] for leaf in data["leaves"]] == [True, False]
    assert data["leaves"][1]["grad"] is None
    assert data["notes"] == [
        "y does not reach the output through autograd, so its grad stays None "
        "(torch treats it as unused)"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x**2", "--at", "x=-2:2:5"], "--at gives 5 points; graph shows the graph at one point"),
        (["x**2", "--at", "x=1", "--at", "x=2"], "--at gives 2 points"),
        (["x**2"], "graph needs the point: give --at (e.g. --at x=1)"),
        (["u*v", "--at", "u=1"], "no value for 'v'"),
        (["2+3", "--at", "x=1"], "has no variables"),
        (["x**2", "--at", "x=1", "--format", "csv"], "Invalid value for '--format'"),
        (["sinn(x)", "--at", "x=1"], "unknown function 'sinn'"),
    ],
)
def test_bad_input_exits_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["graph", *args])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith("derivcli: error: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--help"]) == 0
    assert 'derivcli graph "x**2+2*x+1" --at x=2' in capsys.readouterr().out


def test_every_command_takes_the_same_formats(capsys: pytest.CaptureFixture[str]) -> None:
    # graph's plain output: each leaf's grad, for $(...)
    assert main(["graph", "u*v+u**2", "--at", "u=1,v=2", "--format", "plain"]) == 0
    assert capsys.readouterr().out == "u.grad = 4\nv.grad = 1\n"


def test_the_printed_code_runs_as_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every line graph prints as PyTorch code runs in a fresh interpreter and
    gives the leaves' grads graph reports."""
    import subprocess
    import sys

    for expression, at in [
        ("max(x, 1) + min(2, x)", "x=2"),
        ("relu(x)*pi + E**x", "x=0.5"),
        ("heaviside(x - 1) + sigmoid(2) * x", "x=3"),
        ("sin(2)*exp(x) + softplus(1)", "x=1"),
    ]:
        assert main(["graph", expression, "--at", at, "-f", "json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        script = "\n".join(line.split("  #")[0] for line in doc["code"])
        leaves = ", ".join(leaf["name"] for leaf in doc["leaves"])
        script += f"\nprint(repr([float(t.grad) for t in [{leaves}]]))"
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert run.returncode == 0, (expression, run.stderr)
        assert eval(run.stdout) == [leaf["grad"] for leaf in doc["leaves"]], expression  # noqa: S307
