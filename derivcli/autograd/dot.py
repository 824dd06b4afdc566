"""The autograd graph as a picture: Graphviz DOT, drawn the way torchviz draws it.

``graph --format dot`` prints the :class:`~derivcli.autograd.graph.Graph`
(already walked, plain data) as DOT text to pipe into ``dot -Tpng``; ``graph
--out FILE`` has Graphviz's ``dot`` program render it to a file.

As in torchviz's ``make_dot``: one grey box per ``grad_fn`` (its class, here
with the sub-expression it computed and that tensor's value), a light blue
box per leaf tensor (its name, value and ``grad`` after ``backward()``)
feeding its ``AccumulateGrad``, the output tensor in green, and an edge for
every entry of ``next_functions`` (``x*x`` has two edges from x's
AccumulateGrad into MulBackward0), drawn in the direction values flow,
from the leaves to the output. Inputs without a gradient (numbers) are not
drawn.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from derivcli.errors import CannotComputeError, InputError
from derivcli.results import format_number

if TYPE_CHECKING:
    from derivcli.autograd.graph import Graph, GraphNode, TensorInfo

# --out's file types: what Graphviz's dot writes (-T), or the DOT text itself
IMAGE_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot"}
GRAPHVIZ_MISSING = (
    "--out {out} needs Graphviz's dot program, which is not installed here: install "
    "Graphviz (apt-get install graphviz, brew install graphviz or conda install graphviz), "
    "or print the DOT text with --format dot and render it where Graphviz is "
    "(dot -Tsvg graph.dot -o graph.svg)"
)
DOT_TIMEOUT = 60.0  # seconds Graphviz may take to lay the graph out
DIGITS = 7  # significant digits of the values in the boxes

GREY, BLUE, GREEN = "lightgrey", "lightblue", "darkolivegreen1"


def _quote(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, lines joined with \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def _value(value: float | None) -> str:
    if value is None:
        return "None"
    return format_number(float(f"{value:.{DIGITS}g}"))


def _leaf_label(name: str, tensor: TensorInfo | None) -> str:
    if tensor is None:
        return name
    return f"{name} = {_value(tensor.data)}\ngrad = {_value(tensor.grad)}"


def graph_dot(graph: Graph) -> str:
    """The graph in Graphviz's DOT language."""
    point = ", ".join(f"{name}={format_number(v)}" for name, v in graph.point)
    lines = [
        "digraph autograd {",
        f"  // {graph.output_name} = {graph.expression} at {point}; "
        "render with: dot -Tsvg -o graph.svg",
        *(f"  // note: {note}" for note in graph.notes),
        '  graph [size="12,12"];',
        "  node [style=filled, shape=box, align=left, fontsize=10, height=0.2, "
        "fontname=monospace];",
        f"  output [label={_quote(f'{graph.output_name} = {_value(graph.output.data)}')}, "
        f"fillcolor={GREEN}];",
    ]
    if graph.root is not None:
        lines.extend(_body(graph.root))
        lines.append(f"  {_node_id(graph.root)} -> output;")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node_id(node: GraphNode) -> str:
    # every AccumulateGrad of a leaf is one object in torch: one box per leaf
    return f"acc_{node.leaf}" if node.leaf is not None else f"n{node.id}"


def _body(root: GraphNode) -> list[str]:
    """The boxes and edges below the output, each box once (no recursion)."""
    lines: list[str] = []
    drawn: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.grad_fn is None or node.repeat:
            continue  # a number, or a box drawn already
        name = _node_id(node)
        if name in drawn:
            continue
        drawn.add(name)
        if node.leaf is not None:
            lines.append(f"  {name} [label={_quote(node.grad_fn)}, fillcolor={GREY}];")
            lines.append(
                f"  leaf_{node.leaf} [label={_quote(_leaf_label(node.leaf, node.tensor))}, "
                f"fillcolor={BLUE}];"
            )
            lines.append(f"  leaf_{node.leaf} -> {name};")
            continue
        label = node.grad_fn
        if node.expression is not None:
            label += f"\n{node.expression}"
            if node.tensor is not None:
                label += f" = {_value(node.tensor.data)}"
        lines.append(f"  {name} [label={_quote(label)}, fillcolor={GREY}];")
        for child in node.inputs:
            if child.grad_fn is not None:
                lines.append(f"  {_node_id(child)} -> {name};")
        stack.extend(reversed(node.inputs))
    return lines


# ---------------------------------------------------------------- rendering to a file


def check_out(out: str) -> str:
    """The Graphviz output format (-T) for ``--out``; an InputError for another
    extension, a CannotComputeError when an image needs Graphviz and it is missing."""
    suffix = Path(out).suffix.lower()
    if suffix not in IMAGE_FORMATS:
        given = f"'{suffix}'" if suffix else "no extension"
        raise InputError(
            f"--out {out}: {given} is not a graph format; use a .svg, .png, .pdf or .dot file"
        )
    kind = IMAGE_FORMATS[suffix]
    if kind != "dot" and graphviz() is None:
        raise CannotComputeError(GRAPHVIZ_MISSING.format(out=out))
    return kind


def graphviz() -> str | None:
    """The path of Graphviz's dot program, if it is installed."""
    return shutil.which("dot")


def write_image(dot_text: str, out: str) -> None:
    """Render ``dot_text`` to ``out`` with Graphviz (or write it as it is, for .dot).

    The file appears whole or not at all: the image is made first, written
    to a temporary file beside ``out`` and renamed over it.
    """
    kind = check_out(out)
    data = dot_text.encode()
    if kind != "dot":
        program = graphviz()
        if program is None:
            raise CannotComputeError(GRAPHVIZ_MISSING.format(out=out))
        data = _run_dot(program, kind, data, out)
    target = Path(out)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent if str(target.parent) else ".",
            prefix=f".{target.name}.",
            suffix=".tmp",
        )
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write the file ({exc.strerror or exc})") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, _file_mode(target))  # mkstemp's file is private (0600)
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        raise InputError(f"--out {out}: cannot write the file ({exc.strerror or exc})") from None
    except BaseException:
        _remove(temporary)
        raise


def _run_dot(program: str, kind: str, data: bytes, out: str) -> bytes:
    try:
        done = subprocess.run(  # noqa: S603 - our own DOT text, to the dot found on PATH
            [program, f"-T{kind}"],
            input=data,
            capture_output=True,
            timeout=DOT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CannotComputeError(
            f"--out {out}: Graphviz's dot did not finish within {DOT_TIMEOUT:g} s"
        ) from None
    except OSError as exc:
        raise CannotComputeError(f"--out {out}: cannot run Graphviz's dot ({exc})") from None
    if done.returncode != 0 or not done.stdout:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        detail = reason[0] if reason else f"exit status {done.returncode}"
        raise CannotComputeError(f"--out {out}: Graphviz's dot failed: {detail}")
    return done.stdout


def _file_mode(target: Path) -> int:
    """The mode a new file gets (0666 less the umask), or the one it replaces keeps."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
