"""`graph --format dot` and `graph --out`: the autograd graph as a picture.

The DOT text is parsed back with pydot, and its boxes and arrows are counted
against the graph torch itself builds for the same expression, walked here
from ``grad_fn`` through ``next_functions`` the way torchviz draws it.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydot
import pytest
from conftest import Cli

from derivcli import render
from derivcli.autograd import dot as dotting


def torch_counts(build: Callable[[Any], Any], point: dict[str, float]) -> tuple[int, int]:
    """Boxes and arrows torchviz draws for the graph of ``build`` at ``point``."""
    import torch

    leaves = {
        name: torch.tensor(value, dtype=torch.float64, requires_grad=True)
        for name, value in point.items()
    }
    output = build(leaves)
    nodes, edges = 1, 0  # the output tensor
    if output.grad_fn is None:
        return nodes, edges
    edges += 1  # root grad_fn -> output
    # Each grad_fn met is held, so no two nodes share an id: torch may free a
    # grad_fn's Python object once nothing holds it, and hand its id to the next.
    seen: dict[int, Any] = {}
    stack = [output.grad_fn]
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen[id(fn)] = fn
        nodes += 1
        if hasattr(fn, "variable"):  # AccumulateGrad: its leaf tensor feeds it
            nodes, edges = nodes + 1, edges + 1
        for next_fn, _ in fn.next_functions:
            if next_fn is not None:
                edges += 1
                stack.append(next_fn)
    return nodes, edges


def _x2(v: Any) -> Any:
    return v["x"] ** 2 + 2 * v["x"] + 1


def _mixed(v: Any) -> Any:
    import torch

    return v["x"] * v["x"] + torch.sin(v["x"]) * v["y"]


def _relu(v: Any) -> Any:
    import torch

    return torch.nn.functional.relu(v["x"]) * torch.sigmoid(v["x"] ** 2)


def _shared(v: Any) -> Any:
    import torch

    return torch.maximum(v["u"] * v["v"], v["u"] ** 2) / torch.exp(v["v"])


def _step(v: Any) -> Any:
    x = v["x"]
    return (x > 0).to(x.dtype) + 0.5 * (x == 0).to(x.dtype)


CASES = [
    ("x**2+2*x+1", {"x": 2.0}, _x2),
    ("x*x + sin(x)*y", {"x": 2.0, "y": 3.0}, _mixed),
    ("relu(x)*sigmoid(x**2)", {"x": 0.5}, _relu),
    ("max(u*v, u**2)/exp(v)", {"u": 1.5, "v": 0.5}, _shared),
    ("heaviside(x)", {"x": 1.0}, _step),
]


def parse_dot(text: str) -> Any:
    # pydot 4.0.1 builds its grammar with pyparsing's old camelCase names, which
    # pyparsing 3.3 reports as deprecated: not derivcli's warning to fail on
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graphs = pydot.graph_from_dot_data(text)
    assert graphs is not None, text
    (graph,) = graphs
    return graph


@pytest.mark.parametrize(("expression", "point", "build"), CASES, ids=[c[0] for c in CASES])
def test_dot_has_the_boxes_and_arrows_of_torch_s_graph(
    cli: Cli, expression: str, point: dict[str, float], build: Callable[[Any], Any]
) -> None:
    at = ",".join(f"{k}={v!r}" for k, v in point.items())
    run = cli("graph", expression, "--at", at, "--format", "dot")
    assert (run.code, run.err) == (0, "")
    graph = parse_dot(run.out)
    boxes = [n for n in graph.get_nodes() if n.get_name() not in ("node", "graph", "edge")]
    assert (len(boxes), len(graph.get_edges())) == torch_counts(build, point)


def test_dot_labels_name_grad_fns_sub_expressions_and_leaves(cli: Cli) -> None:
    graph = parse_dot(cli("graph", "x*x + sin(x)*y", "--at", "x=2,y=3", "-f", "dot").out)
    labels = {n.get_name(): (n.get_label() or "").strip('"') for n in graph.get_nodes()}
    assert labels["output"] == "f = 6.727892"
    assert labels["leaf_x"] == "x = 2\\ngrad = 2.751559"  # 2*x + cos(x)*y at x=2, y=3
    assert labels["leaf_y"] == "y = 3\\ngrad = 0.9092974"
    assert labels["acc_x"] == "AccumulateGrad"
    assert "SinBackward0\\nsin(x) = 0.9092974" in labels.values()
    assert "MulBackward0\\nx*x = 4" in labels.values()
    edges = [(e.get_source(), e.get_destination()) for e in graph.get_edges()]
    assert edges.count(("acc_x", "n2")) == 2  # x*x uses x twice, as torchviz shows
    assert ("leaf_x", "acc_x") in edges and ("n1", "output") in edges


def test_the_formats_each_command_offers_are_its_result_s() -> None:
    from derivcli.autograd.check_function import FunctionReport
    from derivcli.autograd.graph import Graph
    from derivcli.check_answer import CheckResult
    from derivcli.commands.app import DERIVATIVE_FORMATS
    from derivcli.commands.plot import GRAPH_FORMATS
    from derivcli.plot import PlotData
    from derivcli.results import Report

    assert render.formats(Report) == render.formats(CheckResult) == DERIVATIVE_FORMATS
    assert render.formats(Graph) == GRAPH_FORMATS
    assert render.formats(PlotData) == render.formats(FunctionReport) == render.BASIC_FORMATS


def test_emit_refuses_a_format_the_output_lacks() -> None:
    import io

    from derivcli.api import graph
    from derivcli.errors import InputError

    with pytest.raises(InputError) as caught:
        render.emit(graph("x**2", at="x=1"), "latex", io.StringIO())
    assert caught.value.message == (
        "--format latex: this output has no LaTeX form; use table, json, plain, dot"
    )


def test_graph_has_no_latex_form(cli: Cli) -> None:
    run = cli("graph", "x**2", "--at", "x=1", "--format", "latex")
    assert (run.code, run.out) == (2, "")
    assert run.error == (
        "Invalid value for '--format' / '-f': 'latex' is not one of 'table', 'json', "
        "'plain', 'dot'. (see 'derivcli graph --help')"
    )


# ---------------------------------------------------------------- --out


def test_out_without_graphviz_is_exit_3_and_says_how_to_get_it(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no dot anywhere
    out = tmp_path / "graph.svg"
    run = cli("graph", "x**2", "--at", "x=2", "--out", str(out))
    assert (run.code, run.out) == (3, "")
    assert run.error == dotting.GRAPHVIZ_MISSING.format(out=out)
    assert "apt-get install graphviz" in run.error and "--format dot" in run.error
    assert list(tmp_path.iterdir()) == []  # nothing written, not even half


def test_out_dot_writes_the_text_without_graphviz(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "graph.dot"
    run = cli("graph", "x**2", "--at", "x=2", "--out", str(out))
    assert (run.code, run.out, run.err) == (0, f"wrote {out}\n", "")
    assert out.read_text() == cli("graph", "x**2", "--at", "x=2", "-f", "dot").out


def test_out_refuses_other_file_types(cli: Cli, tmp_path: Path) -> None:
    run = cli("graph", "x**2", "--at", "x=2", "--out", str(tmp_path / "graph.jpg"))
    assert run.code == 2
    assert run.error.endswith("'.jpg' is not a graph format; use a .svg, .png, .pdf or .dot file")


def _fake_dot(folder: Path, body: str) -> None:
    """A stand-in for Graphviz's dot on PATH: a Python script."""
    folder.mkdir()
    script = folder / "dot"
    script.write_text(f"#!{sys.executable}\nimport sys\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_out_hands_the_dot_text_to_graphviz(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_dot(
        tmp_path / "bin",
        "text = sys.stdin.read()\n"
        "sys.stdout.write('<svg>' + sys.argv[1] + ' ' + str(text.count('->')) + '</svg>')",
    )
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    out = tmp_path / "graph.svg"
    run = cli("graph", "x**2+2*x+1", "--at", "x=2", "--out", str(out))
    assert (run.code, run.out, run.err) == (0, f"wrote {out}\n", "")
    assert out.read_text() == "<svg>-Tsvg 7</svg>"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask  # not the temporary's 0600


def test_a_failing_graphviz_leaves_nothing_behind(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_dot(tmp_path / "bin", "sys.stderr.write('Error: syntax error in line 1\\n'); sys.exit(1)")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    out = tmp_path / "graph.png"
    out.write_bytes(b"the old picture")
    run = cli("graph", "x**2", "--at", "x=2", "--out", str(out))
    assert run.code == 3
    assert run.error == f"--out {out}: Graphviz's dot failed: Error: syntax error in line 1"
    assert out.read_bytes() == b"the old picture"
    assert sorted(os.listdir(tmp_path)) == ["bin", "graph.png"]


def test_out_with_the_real_graphviz(cli: Cli, tmp_path: Path) -> None:
    """With Graphviz installed the picture is written; without it, exit 3 says how to get it."""
    out = tmp_path / "graph.svg"
    run = cli("graph", "x**2*sin(x)", "--at", "x=2", "--out", str(out))
    if shutil.which("dot") is None:
        assert run.code == 3 and "needs Graphviz's dot program" in run.error
        assert not out.exists()
        return
    assert (run.code, run.out, run.err) == (0, f"wrote {out}\n", "")
    assert "<svg" in out.read_text() and "MulBackward0" in out.read_text()
