"""The `graph` command's core: the autograd graph a PyTorch user would build.

The expression is built at one point by :class:`derivcli.autograd.values.GraphBuilder`
over scalar leaf tensors (``x = torch.tensor(2.0, requires_grad=True)``), so the
graph is exactly the one the other commands differentiate. It is then walked
from the output's ``grad_fn`` through ``next_functions``, ``backward()`` is
called once, and everything is returned as plain frozen data: each node's
grad_fn class name (PowBackward0, MulBackward0, ...), the tensor it produced,
and for every leaf (``AccumulateGrad.variable``) its data, flags and grad.

torch is imported inside :func:`build_graph` only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from derivcli.autograd.values import GraphBuilder, import_torch, resolve_dtype
from derivcli.errors import CannotComputeError, InputError
from derivcli.language.functions import lookup_function
from derivcli.language.parser import (
    Call,
    Constant,
    Expression,
    Node,
    to_text,
)
from derivcli.language.points import PointSet
from derivcli.render import json_number
from derivcli.results import format_number

MAX_GRAPH_NODES = 5_000  # nodes walked; larger graphs are cut with a note


@dataclass(frozen=True)
class TensorInfo:
    """What a lab prints for one tensor."""

    data: float
    dtype: str
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    grad: float | None  # None: no gradient stored (not a leaf, or not reached)
    repr: str  # torch's own repr, e.g. tensor(2., dtype=torch.float64, requires_grad=True)
    grad_repr: str  # repr of .grad, "None" when there is none


@dataclass(frozen=True)
class GraphNode:
    """One grad_fn of the backward graph, or a constant input (grad_fn None)."""

    id: int  # position in a depth-first walk; shared nodes keep their first id
    grad_fn: str | None  # class name; None for an input that carries no gradient
    expression: str | None = None  # sub-expression whose tensor this node produced
    tensor: TensorInfo | None = None  # that tensor (for AccumulateGrad: the leaf)
    leaf: str | None = None  # variable name, for AccumulateGrad
    inputs: tuple[GraphNode, ...] = ()
    repeat: bool = False  # already shown above (a shared node); inputs not repeated


@dataclass(frozen=True)
class LeafResult:
    name: str
    tensor: TensorInfo
    in_graph: bool


@dataclass(frozen=True)
class Graph:
    expression: str
    source: str
    point: tuple[tuple[str, float], ...]
    dtype: str
    code: tuple[str, ...]  # the PyTorch lines that build it
    output_name: str
    output: TensorInfo
    root: GraphNode | None  # None when the output has no grad_fn
    leaves: tuple[LeafResult, ...]
    notes: tuple[str, ...] = ()


# ---------------------------------------------------------------- torch code text


def torch_code(node: Node) -> str:
    """The expression as a PyTorch user writes it (torch.sin, F.relu spelled out)."""
    return to_text(node, call=_torch_call, constant=_torch_constant)


def _torch_constant(node: Constant) -> str:
    return {"pi": "math.pi", "E": "math.e"}.get(node.name, node.name)


def _torch_call(node: Call, args: list[str], parent: int) -> str:
    spec = lookup_function(node.name)
    op = spec.torch_op if spec is not None else node.name
    if op.startswith("torch."):
        return f"{op}({', '.join(args)})"
    # A template such as "(a > 0) + 0.5*(a == 0)" in the arguments a, b.
    names = dict(zip("ab", (f"({a})" if not a.isidentifier() else a for a in args), strict=False))
    text = re.sub(r"\b[ab]\b", lambda m: names.get(m.group(0), m.group(0)), op)
    return f"({text})" if parent > 0 else text


# ---------------------------------------------------------------- building


@dataclass
class _RecordingBuilder(GraphBuilder):
    """GraphBuilder that remembers which tree node produced each grad_fn."""

    produced: dict[int, tuple[Any, Node]] = field(default_factory=dict)

    def _build(self, node: Node) -> Any:
        value = super()._build(node)
        grad_fn = getattr(value, "grad_fn", None)
        if grad_fn is not None:
            self.produced.setdefault(id(grad_fn), (value, node))
        return value


def _tensor_info(tensor: Any) -> TensorInfo:
    # .grad is read on leaves only: torch warns when a non-leaf's .grad is read,
    # and it is None there anyway unless retain_grad() was called.
    grad = tensor.grad if (tensor.is_leaf or tensor.retains_grad) else None
    return TensorInfo(
        data=float(tensor.detach().item()),
        dtype=str(tensor.dtype).removeprefix("torch."),
        requires_grad=bool(tensor.requires_grad),
        is_leaf=bool(tensor.is_leaf),
        grad_fn=None if tensor.grad_fn is None else type(tensor.grad_fn).__name__,
        grad=None if grad is None else float(grad.item()),
        repr=repr(tensor),
        grad_repr=repr(grad),
    )


def _output_name(variables: Sequence[str]) -> str:
    for name in ("y", "f", "out", "result"):
        if name not in variables:
            return name
    return "output_"


def single_point(points: PointSet) -> tuple[tuple[str, float], ...]:
    """The one point of ``points``, or an InputError for a grid or several points."""
    if points.count != 1:
        raise InputError(
            f"--at gives {points.count:,} points; graph shows the graph at one point "
            "(e.g. --at x=2), not a grid"
        )
    return tuple((name, points.columns[name][0]) for name in points.names)


def build_graph(
    expression: Expression, point: tuple[tuple[str, float], ...], dtype: str = "float64"
) -> Graph:
    """Build the torch graph of ``expression`` at ``point``, walk it, run backward()."""
    torch = import_torch()
    tdtype = resolve_dtype(torch, dtype)
    device = torch.device("cpu")
    leaves = {
        name: torch.tensor(value, dtype=tdtype, device=device, requires_grad=True)
        for name, value in point
    }
    builder = _RecordingBuilder(torch, leaves, tdtype, device)
    try:
        output = builder.build(expression.tree)
    except (RuntimeError, ValueError, TypeError, OverflowError) as exc:
        raise CannotComputeError(f"torch could not build the graph: {exc}") from None
    notes: list[str] = []
    if output.requires_grad:
        try:
            output.backward()
        except RuntimeError as exc:
            raise CannotComputeError(f"backward() failed: {exc}") from None
    else:
        notes.append(
            "the output does not require grad: no operation on the way from the leaves "
            "has a gradient (e.g. heaviside is a comparison), so autograd has no graph "
            "and backward() would fail; the leaves' grad stays None"
        )
    # Walked after backward(): the graph's structure outlives its saved tensors,
    # and the leaves now carry their grad.
    names = {id(t): name for name, t in leaves.items()}
    reached: set[str] = set()
    counter = [0]
    seen: dict[int, int] = {}

    def walk(fn: Any) -> GraphNode:
        counter[0] += 1
        node_id = counter[0]
        if fn is None:
            return GraphNode(id=node_id, grad_fn=None)
        kind = type(fn).__name__
        variable = getattr(fn, "variable", None)
        if variable is not None:  # AccumulateGrad: the leaf it accumulates into
            name = names.get(id(variable), "?")
            reached.add(name)
            return GraphNode(
                id=node_id, grad_fn=kind, leaf=name, expression=name, tensor=_tensor_info(variable)
            )
        if id(fn) in seen:
            return GraphNode(id=seen[id(fn)], grad_fn=kind, repeat=True)
        seen[id(fn)] = node_id
        if counter[0] > MAX_GRAPH_NODES:
            if not any(n.startswith("the graph has more than") for n in notes):
                notes.append(
                    f"the graph has more than {MAX_GRAPH_NODES:,} nodes; the rest is not shown"
                )
            return GraphNode(id=node_id, grad_fn=kind)
        produced = builder.produced.get(id(fn))
        inputs = tuple(walk(next_fn) for next_fn, _ in fn.next_functions)
        return GraphNode(
            id=node_id,
            grad_fn=kind,
            expression=None if produced is None else to_text(produced[1]),
            tensor=None if produced is None else _tensor_info(produced[0]),
            inputs=inputs,
        )

    root = None if output.grad_fn is None else walk(output.grad_fn)
    unreached = [name for name in leaves if name not in reached]
    if unreached and output.requires_grad:
        notes.append(
            f"{', '.join(unreached)} does not reach the output through autograd, "
            "so its grad stays None (torch treats it as unused)"
        )
    if any(not math.isfinite(t.grad.item()) for t in leaves.values() if t.grad is not None):
        notes.append("a gradient is not finite at this point (see derivcli grad for why)")
    out_name = _output_name([name for name, _ in point])
    code = tuple(
        [
            f"{name} = torch.tensor({value!r}, dtype=torch.{dtype}, requires_grad=True)"
            for name, value in point
        ]
        + [f"{out_name} = {torch_code(expression.tree)}", f"{out_name}.backward()"]
        + [f"{name}.grad  # {_tensor_info(t).grad_repr}" for name, t in leaves.items()]
    )
    return Graph(
        expression=str(expression),
        source=expression.source,
        point=point,
        dtype=dtype,
        code=code,
        output_name=out_name,
        output=_tensor_info(output),
        root=root,
        leaves=tuple(
            LeafResult(name=name, tensor=_tensor_info(t), in_graph=name in reached)
            for name, t in leaves.items()
        ),
        notes=tuple(notes),
    )


# ---------------------------------------------------------------- rendering


_number = json_number  # non-finite floats as "inf"/"-inf"/"nan", as in every JSON output


def tensor_json(info: TensorInfo) -> dict[str, Any]:
    return {
        "data": _number(info.data),
        "dtype": info.dtype,
        "requires_grad": info.requires_grad,
        "is_leaf": info.is_leaf,
        "grad_fn": info.grad_fn,
        "grad": _number(info.grad),
        "repr": info.repr,
    }


def node_json(node: GraphNode) -> dict[str, Any]:
    data: dict[str, Any] = {"id": node.id, "grad_fn": node.grad_fn}
    if node.grad_fn is None:
        data["constant"] = True  # an input that carries no gradient (a number)
        return data
    if node.leaf is not None:
        data["leaf"] = node.leaf
    if node.expression is not None:
        data["expression"] = node.expression
    if node.repeat:
        data["repeat"] = True
        return data
    if node.tensor is not None:
        data["tensor"] = tensor_json(node.tensor)
    data["inputs"] = [node_json(child) for child in node.inputs]
    return data


def graph_json(graph: Graph) -> dict[str, Any]:
    return {
        "expression": graph.expression,
        "input": graph.source,
        "point": {name: _number(value) for name, value in graph.point},
        "dtype": graph.dtype,
        "code": list(graph.code),
        "output": tensor_json(graph.output),
        "graph": None if graph.root is None else node_json(graph.root),
        "leaves": [
            {"name": leaf.name, "in_graph": leaf.in_graph, **tensor_json(leaf.tensor)}
            for leaf in graph.leaves
        ],
        "notes": list(graph.notes),
    }


def _grad_text(info: TensorInfo) -> str:
    if info.grad is not None:
        return format_number(info.grad)
    return "None" if info.is_leaf else "None (not retained: not a leaf)"


def build_renderable(graph: Graph) -> Any:
    """The Rich renderable: the PyTorch code, the output tensor, the tree, the leaves."""
    from rich.console import Group
    from rich.syntax import Syntax
    from rich.table import Table
    from rich.text import Text
    from rich.tree import Tree

    point = ", ".join(f"{name}={format_number(v)}" for name, v in graph.point)
    parts: list[Any] = [
        Text(f"autograd graph of {graph.expression} at {point}", style="bold"),
        Syntax("\n".join(graph.code), "python", theme="ansi_dark", background_color="default"),
        Text(""),
    ]
    out = graph.output
    parts.append(
        Text.assemble(
            (f"{graph.output_name}", "bold"),
            f" = {out.repr}\n",
            f"  data={format_number(out.data)} grad_fn={out.grad_fn} is_leaf={out.is_leaf} "
            f"requires_grad={out.requires_grad} grad={_grad_text(out)}",
        )
    )
    if graph.root is None:
        parts.append(Text(f"{graph.output_name}.grad_fn is None: there is no backward graph"))
    else:
        tree = Tree(Text(f"{graph.output_name}.grad_fn", style="bold"))
        _add(tree, graph.root)
        parts.append(tree)
        parts.append(
            Text(
                "every intermediate tensor above: requires_grad=True, is_leaf=False, "
                "grad=None (not retained: not a leaf)",
                style="dim",
            )
        )
    leaves = Table(title="leaves (after backward())", title_justify="left")
    for column in ("name", "data", "requires_grad", "is_leaf", "grad_fn", "grad"):
        leaves.add_column(column, justify="right" if column in ("data", "grad") else "left")
    for leaf in graph.leaves:
        info = leaf.tensor
        leaves.add_row(
            leaf.name,
            format_number(info.data),
            str(info.requires_grad),
            str(info.is_leaf),
            str(info.grad_fn),
            "None" if info.grad is None else format_number(info.grad),
        )
    parts.append(leaves)
    parts.extend(Text(f"note: {note}") for note in graph.notes)
    return Group(*parts)


def _label(node: GraphNode) -> Any:
    from rich.text import Text

    if node.grad_fn is None:
        return Text("None  (a constant: no gradient flows back)", style="dim")
    if node.repeat:
        return Text.assemble((node.grad_fn, "bold cyan"), f"  (node #{node.id}, shown above)")
    info = node.tensor
    if node.leaf is not None:
        label = Text.assemble(
            (node.grad_fn, "bold cyan"), " -> ", (f"leaf {node.leaf}", "bold green")
        )
        if info is not None:
            label.append(
                f" = {format_number(info.data)}  requires_grad={info.requires_grad} "
                f"is_leaf={info.is_leaf} grad={_grad_text(info)}"
            )
        return label
    label = Text.assemble((node.grad_fn, "bold cyan"))
    if node.expression is not None:
        label.append(f"  {node.expression}")
    if info is not None:
        label.append(f" = {format_number(info.data)}")
    return label


def _add(tree: Any, node: GraphNode) -> None:
    branch = tree.add(_label(node))
    for child in node.inputs:
        _add(branch, child)
