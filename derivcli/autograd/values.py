"""Stage 3 of the pipeline: the derivative as PyTorch autograd computes it.

The parsed tree is turned into the torch graph a PyTorch user would write by
hand: Python operators on tensors (``x**2 + 2*x + 1`` gives PowBackward0,
MulBackward0, AddBackward0), ``torch.sin``, ``torch.nn.functional.relu`` and
so on, taken from the one function table. All points are evaluated in one
vectorised pass, as the labs do: each variable is a leaf tensor holding one
value per point, the outputs are summed and differentiated once, which gives
every point's derivative because each output depends only on its own point.
Higher and mixed derivatives repeat ``torch.autograd.grad`` with
``create_graph=True``.

torch is imported here and only here, and only when a command needs it.
"""

from __future__ import annotations

import gc
import math
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from derivcli.errors import BudgetError, DeviceError, PointError
from derivcli.language.definitions import kink_values
from derivcli.language.functions import FunctionSpec, lookup_constant, lookup_function
from derivcli.language.points import (
    Column,
    Coordinate,
    Grid,
    HeldGrid,
    PointSet,
    PointSpec,
    held_numbers,
)
from derivcli.language.tree import (
    BinaryOp,
    Call,
    Constant,
    Fold,
    Negate,
    Node,
    Number,
    Variable,
    count_nodes,
    fold,
)


def import_torch() -> Any:
    """Import torch (about a second and a half, so only when needed).

    The garbage collector is off meanwhile: torch's import creates some
    165,000 objects and little garbage, and the 360 collections it set off
    took about 0.09 s of it. What exists then is frozen (``gc.freeze``):
    later full collections, in a long batch, do not walk torch's modules
    again.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        return torch
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        import torch
    finally:
        if was_enabled:
            gc.enable()
    gc.freeze()
    return torch


def threads_beside_worker() -> int:
    """Threads for torch while the symbolic worker runs on one core beside it.

    torch's intra-op threads busy-wait for each other at every operation: with
    one of them descheduled for the worker, torch.sin over 4,000 points took
    4x longer on 2 cores (a 100,000-point grid of 800 terms: 3.6 s in torch
    with 2 threads, 0.8 s with 1).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


def resolve_device(torch: Any, device: str) -> Any:
    """The torch device for ``--device``, or a DeviceError saying why not."""
    if device == "cuda":
        if not torch.cuda.is_available():
            build = (
                "without CUDA support"
                if torch.version.cuda is None
                else (f"with CUDA {torch.version.cuda}, but no CUDA device is visible")
            )
            raise DeviceError(
                f"--device cuda: torch {torch.__version__} is built {build}; use --device cpu"
            )
        return torch.device("cuda")
    return torch.device("cpu")


def resolve_dtype(torch: Any, dtype: str) -> Any:
    return {"float64": torch.float64, "float32": torch.float32}[dtype]


def _float(value: Any) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _combine(torch: Any, op: str, left: Any, right: Any) -> Any:
    """Apply a binary operator; constant-only parts follow IEEE float rules."""
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        a = torch.tensor(_float(left), dtype=torch.float64)
        b = torch.tensor(_float(right), dtype=torch.float64)
        return _float(_combine(torch, op, a, b).item())
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        return left / right
    return left**right


class GraphBuilder(Fold[Any]):
    """Builds the torch graph of one expression over given leaf tensors.

    Numbers stay Python numbers (``x**2`` is an integer power, ``2*x`` a
    multiplication by a Python scalar, as a user writes them) until they meet
    a tensor; constant-only parts follow IEEE float rules.
    """

    def __init__(self, torch: Any, leaves: Mapping[str, Any], dtype: Any, device: Any) -> None:
        self.torch = torch
        self.leaves = leaves
        self.dtype = dtype
        self.device = device
        # beta*input - threshold of softplus calls: torch returns the input
        # itself where it is above 0, a convention worth telling the user about;
        # at 0 its second derivative is already 0 (its double backward keeps
        # the curvature only below the threshold)
        self.softplus_inputs: list[Any] = []
        # Arguments of kinked functions (a - b for max/min), as torch computed them.
        self.kink_inputs: list[Any] = []

    def build(self, tree: Node) -> Any:
        value = fold(tree, self)
        if isinstance(value, (int, float)):
            # A constant expression: a tensor that does not depend on any leaf.
            length = next(iter(self.leaves.values())).shape if self.leaves else ()
            value = self.torch.full(length, _float(value), dtype=self.dtype, device=self.device)
        return value

    def produced(self, node: Node, value: Any) -> Any:
        """Called with every operation's result (graph.py records them)."""
        return value

    def _tensor(self, value: Any) -> Any:
        if isinstance(value, (int, float)):
            return self.torch.tensor(_float(value), dtype=self.dtype, device=self.device)
        return value

    def number(self, node: Number) -> Any:
        v = node.value
        if v.denominator == 1 and abs(v.numerator) < 2**31:
            return int(v.numerator)  # keeps x**2 an integer power, as a user writes it
        return _float(v)

    def variable(self, node: Variable) -> Any:
        return self.leaves[node.name]

    def constant(self, node: Constant) -> Any:
        constant = lookup_constant(node.name)
        assert constant is not None
        return constant.value

    def negate(self, node: Negate, operand: Any) -> Any:
        if isinstance(operand, (int, float)):
            return -_float(operand)
        return self.produced(node, -operand)

    def call(self, node: Call, args: list[Any]) -> Any:
        spec = lookup_function(node.name)
        assert spec is not None
        constant = spec.constant_positions(len(args))
        # expressions as tensors, constant parameters as Python numbers (torch's
        # keyword arguments), missing parameters at their defaults
        values = [_float(a) if i in constant else self._tensor(a) for i, a in enumerate(args)]
        if not spec.params_first:
            values += [p.default for p in spec.params[len(args) - spec.arity :]]
        if spec.name == "softplus":
            x, beta, threshold = values
            self.softplus_inputs.append(self._tensor(x * beta).detach() - threshold)
        if spec.kink:
            with self.torch.no_grad():
                for kink in kink_values(spec, values, self._apply):
                    self.kink_inputs.append(self._tensor(kink))
        return self.produced(node, spec.torch(self.torch, values))

    def _apply(self, spec: FunctionSpec, args: list[Any]) -> Any:
        return spec.torch(self.torch, [self._tensor(a) for a in args])

    def binary(self, node: BinaryOp, left: Any, right: Any) -> Any:
        value = _combine(self.torch, node.op, left, right)
        return value if isinstance(value, (int, float)) else self.produced(node, value)


@dataclass(frozen=True)
class AutogradValues:
    """f and the requested derivatives at every point, as Python floats."""

    function: Any  # numpy float64 array, one value per point
    derivatives: list[Any]  # one such array per requested derivative
    # per point: some softplus input is above torch's threshold (None: no softplus)
    past_softplus_threshold: Any = None
    # per point: torch computed some kinked function's argument as exactly 0
    at_torch_kink: Any = None


def make_leaves(
    torch: Any,
    names: Sequence[str],
    columns: Mapping[str, Column],
    count: int,
    dtype: Any,
    device: Any,
) -> dict[str, Any]:
    import numpy as np

    leaves = {}
    for name in names:
        column = np.asarray(columns[name], dtype=np.float64)
        tensor = torch.from_numpy(column).to(dtype=dtype, device=device)
        if tensor.numel() == 1 and count != 1:
            tensor = tensor.expand(count).clone()
        leaves[name] = tensor.requires_grad_(True)
    return leaves


def autograd(
    tree: Node,
    names: Sequence[str],
    columns: Mapping[str, Column],
    count: int,
    derivatives: Sequence[Sequence[str]],
    *,
    dtype: str = "float64",
    device: str = "cpu",
    budget: float | None = None,
    threads: int | None = None,
) -> AutogradValues:
    """Evaluate f and each derivative (a sequence of variables) at ``count`` points.

    Nested autograd grows about 3x in time and memory per order (exp(sin(x)):
    order 12 takes 1.2 s, order 14 11 s), so with a ``budget`` (seconds from
    when the graph is built, torch's import not counted) each differentiation
    step is only started when the previous step, times that growth, still
    fits; otherwise a BudgetError says how far it got.

    Large grids go through in blocks of CHUNK points: each block is one
    vectorised forward and backward pass (sum, then backward, as the labs
    do) small enough for its intermediate tensors to stay in the CPU cache,
    instead of streaming 80 MB per operation through memory and keeping it
    alive until backward: 4x faster at 10^7 points, and bounded memory. With
    a budget, the run stops as soon as the blocks done so far show that the
    rest would not fit.

    ``threads``: torch's intra-op threads for this and later runs (see
    :func:`threads_beside_worker`); None leaves torch's setting alone.
    """
    torch = import_torch()
    if threads is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    dev = resolve_device(torch, device)
    tdtype = resolve_dtype(torch, dtype)
    deadline = None if budget is None else time.monotonic() + budget
    # (counting the tree's nodes for the block size is only worth it for a grid)
    chunk = block_size(tree, derivatives) if count > MIN_BLOCK else count
    if count > chunk and dev.type == "cpu":
        import numpy as np

        parts = []
        began = time.monotonic()
        for start in range(0, count, chunk):
            if deadline is not None and start:
                # Blocks take about the same time: stop as soon as the rest
                # clearly cannot fit, instead of running into the deadline.
                now = time.monotonic()
                predicted = now + (now - began) / start * (count - start)
                if predicted > deadline:
                    raise BudgetError(
                        f"autograd did not finish within the time budget ({start:,} of "
                        f"{count:,} points done; all of them would take about "
                        f"{(predicted - began):.1f} s)"
                    )
            stop = min(count, start + chunk)
            block = {
                n: (c[start:stop] if np.size(c) == count else c)
                for n, c in ((n, np.asarray(columns[n], dtype=np.float64)) for n in names)
            }
            parts.append(
                _autograd_block(
                    torch, tree, names, block, stop - start, derivatives, tdtype, dev, deadline
                )
            )
        flags = [p.past_softplus_threshold for p in parts]
        kinks = [p.at_torch_kink for p in parts]
        return AutogradValues(
            function=np.concatenate([p.function for p in parts]),
            derivatives=[
                np.concatenate([p.derivatives[k] for p in parts]) for k in range(len(derivatives))
            ],
            past_softplus_threshold=None if flags[0] is None else np.concatenate(flags),
            at_torch_kink=None if kinks[0] is None else np.concatenate(kinks),
        )
    return _autograd_block(torch, tree, names, columns, count, derivatives, tdtype, dev, deadline)


# Values a block may hold at once (graph nodes x points): ~16M floats, 128 MB
# in float64 plus what backward keeps, so a 1,000-term expression over 100,000
# points stays well under 1 GiB.
MAX_BLOCK_VALUES = 16_000_000
# Nested autograd's graph grows about this much per order (exp(sin(x)): 6
# nodes at order 1, 78,506 at order 11); blocks shrink with it, or a grid at
# order 9 held 1.9 GB.
GRAPH_GROWTH = 3
# ... but not below this: each block rebuilds the whole nested graph, and
# tiny blocks made order 7 over 3,000 points 3x slower. Memory past that is
# the job of the guard in _autograd_block (MAX_GRAPH_BYTES).
MIN_BLOCK = 1024


def block_size(tree: Node, derivatives: Sequence[Sequence[str]] = ()) -> int:
    """Points per autograd block: CHUNK, fewer for big trees and high orders."""
    graphs = sum(GRAPH_GROWTH ** max(0, len(wrt) - 1) for wrt in derivatives) or 1
    return max(MIN_BLOCK, min(CHUNK, MAX_BLOCK_VALUES // (count_nodes(tree) * graphs)))


# How much longer each nested differentiation step is assumed to take than the last.
STEP_GROWTH = 4.0
# Memory nested autograd may add (on top of ~300 MB with torch loaded): at
# one point, exp(sin(x)) at order 14 is a graph of ~5 million nodes, 1.5 GB
# of torch's bookkeeping alone.
MAX_GRAPH_BYTES = 512 * 2**20


def _resident_bytes() -> int:
    """This process's resident memory now (Linux), or 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


# Measured on 2 cores at 10^7 points (sin(x)*exp(-x**2/2) + x**3): blocks of
# 2^16 took 0.17 s, 2^20 0.30 s, one pass 0.69 s; numpy's closed form 0.33 s.
CHUNK = 1 << 16


def _autograd_block(
    torch: Any,
    tree: Node,
    names: Sequence[str],
    columns: Mapping[str, Any],
    count: int,
    derivatives: Sequence[Sequence[str]],
    tdtype: Any,
    dev: Any,
    deadline: float | None = None,
) -> AutogradValues:
    leaves = make_leaves(torch, names, columns, count, tdtype, dev)
    builder = GraphBuilder(torch, leaves, tdtype, dev)
    output = builder.build(tree)
    output = output.expand(count) if output.dim() == 0 else output
    values = []
    # memory is watched from the second nested step on (reading it costs ~20 us)
    base = _resident_bytes() if any(len(wrt) > 1 for wrt in derivatives) else 0
    for wrt in derivatives:
        current = output
        last_step = before_last = 0.0
        for step, name in enumerate(wrt):
            more = step < len(wrt) - 1
            if not current.requires_grad:
                current = torch.zeros_like(current)
                continue
            now = time.monotonic()
            # Only steady growth is extrapolated. A single slow step is torch's
            # one-time set-up (abs's double backward: 1 s once, then 1 ms).
            steady = before_last > 0 and 1.5 <= last_step / before_last <= 10
            growth = STEP_GROWTH if steady else 0.0
            grown = _resident_bytes() - base if base and step else 0
            if grown * STEP_GROWTH > MAX_GRAPH_BYTES:
                raise BudgetError(
                    f"autograd would need more than {MAX_GRAPH_BYTES // 2**20} MiB (order "
                    f"{step} of {len(wrt)} done, {grown / 2**20:.0f} MiB so far; nested "
                    f"autograd grows about {STEP_GROWTH:g}x per order)"
                )
            if deadline is not None and now + growth * last_step > deadline:
                raise BudgetError(
                    f"autograd did not finish within the time budget (order {step} of "
                    f"{len(wrt)} done; nested autograd grows about {STEP_GROWTH:g}x per order)"
                )
            (grad,) = torch.autograd.grad(
                current.sum(),
                leaves[name],
                create_graph=more,
                retain_graph=True,
                allow_unused=True,
            )
            current = torch.zeros_like(current) if grad is None else grad
            before_last, last_step = last_step, time.monotonic() - now
        values.append(_to_floats(current, count))
    return AutogradValues(
        function=_to_floats(output.detach(), count),
        derivatives=values,
        past_softplus_threshold=_any_point([t >= 0 for t in builder.softplus_inputs], count),
        at_torch_kink=_any_point([t == 0 for t in builder.kink_inputs], count),
    )


def _any_point(conditions: Sequence[Any], count: int) -> Any:
    """Per point, whether any of the boolean tensors holds there (None if there are none)."""
    if not conditions:
        return None
    flags = [_to_floats(c, count) > 0 for c in conditions]
    result = flags[0]
    for more in flags[1:]:
        result = result | more
    return result


def _to_floats(tensor: Any, count: int) -> Any:
    """The values as a float64 numpy array of length ``count``."""
    import numpy as np

    if tensor._is_zerotensor():  # e.g. the second derivative of abs: no storage to read
        return np.zeros(count, dtype=np.float64)
    flat = tensor.detach().to("cpu").reshape(-1).numpy().astype(np.float64, copy=False)
    if flat.size == 1 and count != 1:
        flat = np.broadcast_to(flat, (count,))
    return flat


def points_need_torch(spec: PointSpec, dtype: str) -> bool:
    """Whether :func:`make_points` needs torch: grids (torch.linspace) and float32
    (torch's rounding); float64 numbers are themselves."""
    return dtype != "float64" or any(isinstance(c, Grid) for o in spec.options for _, c in o)


def make_points(spec: PointSpec, dtype: str = "float64") -> PointSet:
    """The points torch uses for ``spec`` in ``dtype``, as float64 numpy columns.

    Grids are ``torch.linspace(start, stop, count, dtype=...)`` and numbers
    ``torch.tensor(value, dtype=...)``, exactly as a PyTorch user makes them:
    torch computes half of a linspace from each end, and float32 rounds every
    number, so both engines must be handed the very values torch holds. Each
    float32 value is exact in float64, so the columns lose nothing.
    """
    import numpy as np

    parts: dict[str, list[Any]] = {name: [] for name in spec.names}
    if not points_need_torch(spec, dtype):
        # torch.tensor(value, dtype=torch.float64) holds the Python float itself,
        # so numbers need no torch (a cold command sends them before torch loads)
        for option, size in zip(spec.options, spec.sizes(), strict=True):
            for name, c in option:
                parts[name].append(np.full(size, c, dtype=np.float64))
        return _point_set(spec, parts)
    torch = import_torch()
    tdtype = resolve_dtype(torch, dtype)
    for option, size in zip(spec.options, spec.sizes(), strict=True):
        axes = {name: _held(torch, tdtype, name, c, dtype) for name, c in option}
        if spec.mesh:  # every combination, as torch.meshgrid(..., indexing="ij")
            grids = torch.meshgrid(*axes.values(), indexing="ij")
            axes = {name: grid.reshape(-1) for name, grid in zip(axes, grids, strict=True)}
        for name, tensor in axes.items():
            column = tensor.expand(size) if tensor.numel() == 1 else tensor
            parts[name].append(column.to(torch.float64).numpy())
    return replace(
        _point_set(spec, parts),
        moved=held_numbers(spec, dtype),
        moved_grids=held_grids(spec, dtype),
    )


def held_grids(spec: PointSpec, dtype: str) -> tuple[HeldGrid, ...]:
    """The grids of ``spec`` whose points ``dtype`` holds as other values than
    float64 does, each once, in the order given: torch.linspace in the dtype
    against torch.linspace in float64, point by point (x=0:1:11 in float32:
    0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8 and 0.9 move; 0, 0.5 and 1 do not). The
    note names the first such point, as it names a number (x=0.1 as
    0.10000000149011612), and counts the others. A grid the dtype cannot hold is
    left to the points' own check (_held), which says so in its own words."""
    if dtype == "float64":
        return ()
    torch = import_torch()
    tdtype = resolve_dtype(torch, dtype)
    limit = float(torch.finfo(tdtype).max)
    found: dict[tuple[str, Grid], HeldGrid] = {}
    for option in spec.options:
        for name, c in option:
            if not isinstance(c, Grid) or (name, c) in found:
                continue
            if max(abs(c.start), abs(c.stop)) > limit:  # torch.linspace would raise
                continue
            exact = torch.linspace(c.start, c.stop, c.count, dtype=torch.float64)
            held = torch.linspace(c.start, c.stop, c.count, dtype=tdtype).to(torch.float64)
            if not bool(torch.isfinite(held).all()):
                continue
            moved = torch.nonzero(held != exact).reshape(-1)
            if moved.numel():
                first = int(moved[0])
                found[(name, c)] = HeldGrid(
                    name, c, float(exact[first]), float(held[first]), int(moved.numel())
                )
    return tuple(found.values())


def _held(torch: Any, tdtype: Any, name: str, coordinate: Coordinate, dtype: str) -> Any:
    """The coordinate as torch holds it in ``dtype`` (torch.linspace for a grid),
    refused where torch cannot hold it: a number past the dtype's range (1e200 in
    float32), or rounded to 0 (1e-50 in float32), or a grid whose points overflow
    (torch.linspace(-1e308, 1e308, 3) is nan, -inf, nan)."""
    limit = float(torch.finfo(tdtype).max)
    if isinstance(coordinate, Grid):
        text = f"{name}={coordinate.start:g}:{coordinate.stop:g}:{coordinate.count}"
        if max(abs(coordinate.start), abs(coordinate.stop)) > limit:
            raise PointError(f"--at {text}: beyond {dtype}'s range (about {limit:.2g})")
        for end, value in (("start", coordinate.start), ("stop", coordinate.stop)):
            # an end the user typed that the dtype makes 0 is refused, as a single
            # value is (x=1e-50:1:2 in float32 would start at relu's kink, x=0);
            # inner points that round are the grid's own, and get a note
            if value != 0 and float(torch.tensor(value, dtype=tdtype)) == 0:
                tiny = float(torch.finfo(tdtype).smallest_normal) * 2.0**-23
                raise PointError(
                    f"--at {text}: its {end} {value:g} is below {dtype}'s smallest number "
                    f"(about {tiny:.2g}), torch holds it as 0"
                )
        tensor = torch.linspace(coordinate.start, coordinate.stop, coordinate.count, dtype=tdtype)
        if not bool(torch.isfinite(tensor).all()):
            raise PointError(
                f"--at {text}: torch.linspace gives points that are not finite in {dtype} "
                f"(the span {coordinate.stop:g} - ({coordinate.start:g}) overflows); use a "
                "shorter range"
            )
        return tensor
    assert isinstance(coordinate, float)
    if abs(coordinate) > limit:
        raise PointError(f"--at {name}={coordinate:g}: beyond {dtype}'s range (about {limit:.2g})")
    tensor = torch.tensor([coordinate], dtype=tdtype)
    held = float(tensor[0])
    if not math.isfinite(held):  # rounds up past the largest float32
        raise PointError(
            f"--at {name}={coordinate:g}: beyond {dtype}'s range (about {limit:.2g}), "
            f"torch holds it as {held:g}"
        )
    if held == 0 and coordinate != 0:
        tiny = float(torch.finfo(tensor.dtype).smallest_normal) * 2.0**-23
        raise PointError(
            f"--at {name}={coordinate:g}: below {dtype}'s smallest number (about {tiny:.2g}), "
            "torch holds it as 0"
        )
    return tensor


def _point_set(spec: PointSpec, parts: Mapping[str, list[Any]]) -> PointSet:
    import numpy as np

    columns = {
        name: np.concatenate(chunks) if chunks else np.zeros(0) for name, chunks in parts.items()
    }
    return PointSet(names=spec.names, columns=columns, count=spec.count)
