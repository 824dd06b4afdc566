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

import keyword
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from derivcli.autograd.values import GraphBuilder, import_torch, resolve_device, resolve_dtype
from derivcli.errors import CannotComputeError, ExitCode, InputError
from derivcli.language.functions import ARGUMENT_NAMES, function
from derivcli.language.parser import Expression
from derivcli.language.points import PointSpec, float64_points
from derivcli.language.printer import ATOM, SUM, Printed, TextPrinter, flatten, to_text
from derivcli.language.tree import (
    BinaryOp,
    Call,
    Constant,
    Negate,
    Node,
    Variable,
    any_node,
    fold,
    unique_nodes,
)
from derivcli.results import Displayed, format_number, json_number

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
class Graph(Displayed):
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

    @property
    def exit_code(self) -> ExitCode:
        """What ``derivcli graph`` exits with once the graph is built: 0 (it
        computes no verdict; bad input raises instead)."""
        return ExitCode.OK

    def to_dict(self) -> dict[str, Any]:
        """What --format json prints."""
        return graph_json(self)

    def plain(self) -> str:
        """Each leaf's gradient after backward(), one line each: x.grad = 6."""
        return "\n".join(f"{leaf.name}.grad = {_grad_text(leaf.tensor)}" for leaf in self.leaves)

    def rich(self) -> Any:
        return build_renderable(self)

    def dot(self) -> str:
        """The graph in Graphviz's DOT language (``--format dot``), as torchviz draws it."""
        from derivcli.autograd.dot import graph_dot

        return graph_dot(self)


# ---------------------------------------------------------------- torch code text


def torch_code(node: Node, dtype: str = "float64") -> str:
    """The expression as a PyTorch user writes it (torch.sin, F.relu spelled out)."""
    return to_text(node, TorchCodePrinter(node, dtype))


def python_name(name: str) -> str:
    """A variable as a Python name: keywords and the modules the code imports get
    a trailing underscore (lambda -> lambda_, math -> math_)."""
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in ("torch", "math"):
        return f"{name}_"
    return name


def uses_math(tree: Node) -> bool:
    """Whether the torch code of ``tree`` needs ``import math`` (pi, e, factorial)."""
    return any_node(
        tree,
        lambda n: (
            isinstance(n, Constant)
            or (isinstance(n, Call) and "math." in function(n.name).torch_code)
        ),
    )


_PLACEHOLDER = re.compile(r"\b[abcd]\b")


def _is_one_call(text: str) -> bool:
    """Whether a code template is a single call, name(...), binding as an atom."""
    match = re.match(r"[\w.]+\(", text)
    if match is None or not text.endswith(")"):
        return False
    depth = 0
    for position in range(match.end() - 1, len(text)):
        depth += {"(": 1, ")": -1}.get(text[position], 0)
        if depth == 0:
            return position == len(text) - 1
    return False


class TorchCodePrinter(TextPrinter):
    """Python a PyTorch user would write: each function's torch call from the table,
    math.pi, constant parameters as plain numbers (left out where not given:
    F.leaky_relu(x)), and a constant argument of a torch function made a
    tensor (torch.maximum(x, 1) is a TypeError)."""

    def __init__(self, tree: Node, dtype: str) -> None:
        self.dtype = dtype
        self.constant_nodes = {
            id(node) for node in unique_nodes(tree) if not any_node(node, _is_variable)
        }

    def constant(self, node: Constant) -> Printed:
        return (ATOM, {"pi": "math.pi", "E": "math.e"}.get(node.name, node.name))

    def variable(self, node: Variable) -> Printed:
        return (ATOM, python_name(node.name))

    def call(self, node: Call, args: list[Printed]) -> Printed:
        spec = function(node.name)
        parameters = spec.constant_positions(len(node.args))
        texts: list[str] = []
        for position, (arg, (_, rope)) in enumerate(zip(node.args, args, strict=True)):
            text = flatten(rope)
            if position in parameters:
                texts.append(text)
            elif id(arg) in self.constant_nodes:
                texts.append(f"torch.tensor({text}, dtype=torch.{self.dtype})")
            else:
                texts.append(text)
        template = spec.torch_code
        # keyword parameters not given keep torch's defaults: leave them out
        for missing in ARGUMENT_NAMES[len(texts) :]:
            template = re.sub(rf", \w+={missing}\b", "", template)
        is_call = _is_one_call(template)
        names = dict(zip(ARGUMENT_NAMES, texts, strict=False))

        def fill(match: re.Match[str]) -> str:
            text = names[match.group(0)]
            return text if is_call or text.isidentifier() else f"({text})"

        return (ATOM if is_call else SUM, _PLACEHOLDER.sub(fill, template))


# ---------------------------------------------------------------- building


class _RecordingBuilder(GraphBuilder):
    """GraphBuilder that remembers which tree node produced each grad_fn."""

    def __init__(self, torch: Any, leaves: dict[str, Any], dtype: Any, device: Any) -> None:
        super().__init__(torch, leaves, dtype, device)
        # id(grad_fn) -> (the tensor, its tree node, the grad_fn itself). The grad_fn
        # is kept so its id stays its own: torch makes a grad_fn's Python object on
        # demand and may free it when nothing holds it, and the walk after
        # backward() would then meet a new object under another id (seen with
        # torch 2.11: every node of the graph lost its sub-expression).
        self.by_grad_fn: dict[int, tuple[Any, Node, Any]] = {}

    def produced(self, node: Node, value: Any) -> Any:
        grad_fn = getattr(value, "grad_fn", None)
        if grad_fn is not None:
            self.by_grad_fn.setdefault(id(grad_fn), (value, node, grad_fn))
        return value


def _is_variable(node: Node) -> bool:
    return isinstance(node, Variable)


# Longer sub-expressions are cut in the graph's node labels.
MAX_LABEL_CHARS = 120


def _subtree_texts(tree: Node) -> dict[int, str]:
    """The text of every subtree (by node id), each cut at MAX_LABEL_CHARS.

    One fold prints them all; cutting while flattening keeps a 5,000-term
    chain linear instead of printing every prefix in full.
    """
    texts: dict[int, str] = {}

    class Recording(TextPrinter):
        def record(self, node: Node, printed: Printed) -> Printed:
            texts[id(node)] = flatten(printed[1], limit=MAX_LABEL_CHARS)
            return printed

        def negate(self, node: Negate, operand: Printed) -> Printed:
            return self.record(node, super().negate(node, operand))

        def binary(self, node: BinaryOp, left: Printed, right: Printed) -> Printed:
            return self.record(node, super().binary(node, left, right))

        def call(self, node: Call, args: list[Printed]) -> Printed:
            return self.record(node, super().call(node, args))

    fold(tree, Recording())
    return texts


def _walk_backward(
    root: Any, describe: Callable[[Any, int, tuple[GraphNode, ...]], GraphNode]
) -> tuple[GraphNode, bool]:
    """The backward graph from ``root`` through ``next_functions``, without recursion.

    Nodes are numbered depth-first; a grad_fn met again is shown once more
    as a repeat of its first id, without its inputs; past MAX_GRAPH_NODES
    the walk stops expanding (the bool says so).
    """
    # entries in depth-first order: [fn, id, parent entry, child entries, kind of entry]
    entries: list[tuple[Any, int, int, list[int], str]] = []
    seen: dict[int, int] = {}
    cut = False
    stack: list[tuple[Any, int]] = [(root, -1)]
    while stack:
        fn, parent = stack.pop()
        node_id = len(entries) + 1
        if fn is None:
            kind = "none"
        elif getattr(fn, "variable", None) is not None:
            kind = "leaf"
        elif id(fn) in seen:
            kind, node_id = "repeat", seen[id(fn)]
        elif len(entries) >= MAX_GRAPH_NODES:
            seen[id(fn)] = node_id
            kind, cut = "cut", True
        else:
            seen[id(fn)] = node_id
            kind = "node"
        entries.append((fn, node_id, parent, [], kind))
        if parent >= 0:
            entries[parent][3].append(len(entries) - 1)
        if kind == "node":
            here = len(entries) - 1
            stack.extend((next_fn, here) for next_fn, _ in reversed(fn.next_functions))
    built: list[GraphNode | None] = [None] * len(entries)
    for index in range(len(entries) - 1, -1, -1):
        fn, node_id, _, kids, kind = entries[index]
        if kind == "none":
            built[index] = GraphNode(id=node_id, grad_fn=None)
        elif kind == "repeat":
            built[index] = GraphNode(id=node_id, grad_fn=type(fn).__name__, repeat=True)
        elif kind == "cut":
            built[index] = GraphNode(id=node_id, grad_fn=type(fn).__name__)
        else:
            inputs = tuple(node for node in (built[k] for k in kids) if node is not None)
            built[index] = describe(fn, node_id, inputs)
    top = built[0]
    assert top is not None
    return top, cut


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


def single_point(points: PointSpec) -> tuple[tuple[str, float], ...]:
    """The one point of ``points``, or an InputError for a grid or several points."""
    if points.count != 1:
        raise InputError(
            f"--at gives {points.count:,} points; graph shows the graph at one point "
            "(e.g. --at x=2), not a grid"
        )
    point = float64_points(points).point(0)
    return tuple((name, point[name]) for name in points.names)


def build_graph(
    expression: Expression,
    point: tuple[tuple[str, float], ...],
    dtype: str = "float64",
    device: str = "cpu",
) -> Graph:
    """Build the torch graph of ``expression`` at ``point``, walk it, run backward()."""
    torch = import_torch()
    tdtype = resolve_dtype(torch, dtype)
    device_ = resolve_device(torch, device)
    leaves = {
        name: torch.tensor(value, dtype=tdtype, device=device_, requires_grad=True)
        for name, value in point
    }
    builder = _RecordingBuilder(torch, leaves, tdtype, device_)
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
    texts = _subtree_texts(expression.tree)

    def describe(fn: Any, node_id: int, inputs: tuple[GraphNode, ...]) -> GraphNode:
        kind = type(fn).__name__
        variable = getattr(fn, "variable", None)
        if variable is not None:  # AccumulateGrad: the leaf it accumulates into
            name = names.get(id(variable), "?")
            reached.add(name)
            return GraphNode(
                id=node_id, grad_fn=kind, leaf=name, expression=name, tensor=_tensor_info(variable)
            )
        produced = builder.by_grad_fn.get(id(fn))
        return GraphNode(
            id=node_id,
            grad_fn=kind,
            expression=None if produced is None else texts.get(id(produced[1])),
            tensor=None if produced is None else _tensor_info(produced[0]),
            inputs=inputs,
        )

    root = None
    if output.grad_fn is not None:
        root, cut = _walk_backward(output.grad_fn, describe)
        if cut:
            notes.append(
                f"the graph has more than {MAX_GRAPH_NODES:,} nodes; the rest is not shown"
            )
        depth = _depth(root)
        if depth > MAX_TREE_DEPTH:
            notes.append(
                f"the graph is {depth:,} levels deep; levels past {MAX_TREE_DEPTH} are summarised"
            )
    unreached = [name for name in leaves if name not in reached]
    if unreached and output.requires_grad:
        notes.append(
            f"{', '.join(unreached)} does not reach the output through autograd, "
            "so its grad stays None (torch treats it as unused)"
        )
    if any(not math.isfinite(t.grad.item()) for t in leaves.values() if t.grad is not None):
        notes.append("a gradient is not finite at this point (see derivcli grad for why)")
    out_name = _output_name([name for name, _ in point])
    on = "" if device == "cpu" else f", device={device!r}"
    imports = ["import math", "import torch"] if uses_math(expression.tree) else ["import torch"]
    code = tuple(
        imports
        + [
            f"{python_name(name)} = torch.tensor({value!r}, dtype=torch.{dtype}{on}, "
            "requires_grad=True)"
            for name, value in point
        ]
        + [
            f"{out_name} = {torch_code(expression.tree, dtype)}",
            f"{out_name}.backward()"
            if output.requires_grad
            else f"# {out_name}.backward() would raise: {out_name} has no grad_fn",
        ]
        + [f"{python_name(name)}.grad  # {_tensor_info(t).grad_repr}" for name, t in leaves.items()]
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


def node_json(root: GraphNode) -> dict[str, Any]:
    """The node and its inputs as nested objects, to MAX_TREE_DEPTH levels (deeper
    nodes are {"id", "grad_fn", "cut": true}: JSON readers refuse deep nesting)."""
    top: dict[str, Any] = {}
    stack: list[tuple[GraphNode, dict[str, Any], int]] = [(root, top, 0)]
    while stack:
        node, data, depth = stack.pop()
        data.update({"id": node.id, "grad_fn": node.grad_fn})
        if node.grad_fn is None:
            data["constant"] = True  # an input that carries no gradient (a number)
            continue
        if depth == MAX_TREE_DEPTH and node.inputs:
            data["cut"] = True
            continue
        if node.leaf is not None:
            data["leaf"] = node.leaf
        if node.expression is not None:
            data["expression"] = node.expression
        if node.repeat:
            data["repeat"] = True
            continue
        if node.tensor is not None:
            data["tensor"] = tensor_json(node.tensor)
        data["inputs"] = [{} for _ in node.inputs]
        stack.extend(
            (child, slot, depth + 1)
            for child, slot in zip(node.inputs, data["inputs"], strict=True)
        )
    return top


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
    from rich.table import Table
    from rich.text import Text
    from rich.tree import Tree

    point = ", ".join(f"{name}={format_number(v)}" for name, v in graph.point)
    parts: list[Any] = [
        Text(f"autograd graph of {graph.expression} at {point}", style="bold"),
        # Code lines are never cut or broken: a narrow terminal wraps them for
        # the eye, and a copy still gives the line as it runs.
        Text("\n".join(graph.code), no_wrap=True, overflow="ignore"),
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


# Deeper levels of the tree are summarised in one line (a 5,000-term sum is a
# chain 5,000 levels deep; --format json has all of it).
MAX_TREE_DEPTH = 40


def _add(tree: Any, root: GraphNode) -> None:
    from rich.text import Text

    stack: list[tuple[Any, GraphNode, int]] = [(tree, root, 0)]
    while stack:
        parent, node, depth = stack.pop()
        if depth == MAX_TREE_DEPTH:
            parent.add(
                Text(
                    f"... {_count_below(node):,} more nodes below "
                    "(derivcli graph --format json shows them all)",
                    style="dim",
                )
            )
            continue
        branch = parent.add(_label(node))
        stack.extend((branch, child, depth + 1) for child in reversed(node.inputs))


def _depth(root: GraphNode) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.inputs)
    return deepest


def _count_below(node: GraphNode) -> int:
    count, stack = 0, [node]
    while stack:
        current = stack.pop()
        count += 1
        stack.extend(current.inputs)
    return count
