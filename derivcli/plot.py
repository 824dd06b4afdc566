"""The `plot` command's core: f, f' (closed form) and f' (autograd) over a range.

The numbers come from the same pipeline as `grad`: :func:`derivcli.compare.compute`
on a torch.linspace-like grid (plus the kinks found between grid points), and
:func:`derivcli.autograd.values.autograd` for the function itself. Drawing is either a
PNG/SVG file with matplotlib (Agg backend) or a terminal plot with plotext;
both are imported inside the functions that draw.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from derivcli.errors import BudgetError, CannotComputeError, ExitCode, InputError, LimitError
from derivcli.language.definitions import kink_trees, with_defaults
from derivcli.language.evaluate import gmpy2
from derivcli.language.functions import function
from derivcli.language.parser import Expression, parse
from derivcli.language.points import (
    Grid,
    PointSet,
    PointSpec,
    float64_points,
    parse_at,
    parse_value,
    parse_wrt,
)
from derivcli.language.printer import to_text
from derivcli.language.tree import BinaryOp, Call, Constant, Negate, Node, Number, Variable, walk
from derivcli.results import count as plural
from derivcli.results import format_number
from derivcli.symbolic.analysis import PointAnalysis, Reason

if TYPE_CHECKING:
    from derivcli.language.evaluate import Program
    from derivcli.results import DerivativeResult

MIN_POINTS = 2
MAX_POINTS = 100_000
MAX_KINKS = 1_000  # kinks added to the grid; more means the argument is 0 on an interval
FORMATS = {".png": "png", ".svg": "svg"}
BISECTION_STEPS = 100
# Values drawn must stay far from float64's end: matplotlib's transforms
# overflow (a LinAlgError) on axes near 1e308. Larger values are left out of
# the drawing, and the summary says where.
MAX_PLOT_VALUE = 1e100


@dataclass(frozen=True)
class PlotData:
    """Everything one plot shows, as plain floats (nan where undefined)."""

    expression: str  # as understood
    wrt: str
    fixed: tuple[tuple[str, float], ...]  # the other variables' values
    start: float
    stop: float
    grid_count: int
    xs: tuple[float, ...]  # the grid and the kinks, sorted
    function: tuple[float, ...]
    symbolic: tuple[float, ...]  # nan where the closed form was not computed
    autograd: tuple[float, ...]
    derivative: str | None  # the closed form's text; None if it was not reached
    kinks: tuple[float, ...]  # x of every kink in the range
    # per kink: left and right derivatives agree (None: could not be decided)
    kink_differentiable: tuple[bool | None, ...]
    undefined: tuple[int, ...]  # indices where f is not finite (beyond float64 excluded)
    not_differentiable: tuple[int, ...]  # other non-differentiable indices (e.g. f' infinite)
    disagree: tuple[int, ...]  # differentiable indices where the engines disagree
    f_jumps: tuple[int, ...]  # kink indices where f itself jumps (sign, heaviside)
    exit_code: ExitCode
    note: str | None = None  # e.g. the closed form ran out of time
    beyond_float64: tuple[int, ...] = ()  # indices where a value overflows float64
    # why the engines disagree at the first such point ("at x=0.1: torch ..."), if said
    disagree_note: str | None = None
    # per kink: whether its argument is 0 at the float x itself (else x is the float
    # nearest a kink between two floats, judged at the kink: relu(x - 1/3))
    kink_at_float: tuple[bool, ...] = ()
    kink_sides: tuple[tuple[float | None, float | None, str], ...] = ()  # left, right, note
    # poles of f strictly between two grid points (the float nearest each): f is
    # unbounded there, though every grid point is finite (1/(x - 1/3))
    poles: tuple[float, ...] = ()
    pole_sides: tuple[int, ...] = ()  # per pole: -1 below its float, +1 above, 0 at it
    poles_unsearched: int = 0  # sign changes not looked at for a pole (budget, MAX_POLES)
    # the kink search stopped at MAX_KINKS: there may be more kinks than ``kinks``
    kinks_stopped: bool = False
    # indices where f's exact value is left to rounding past 16,384 bits: not
    # undefined, not judged (exit 3); and why, at the first
    not_evaluated: tuple[int, ...] = ()
    not_evaluated_why: str = ""

    @property
    def label(self) -> str:
        return f"d/d{self.wrt}"

    @property
    def bad_kinks(self) -> list[int]:
        """Indices of the kinks where the function is not differentiable."""
        ok = dict(zip(self.kinks, self.kink_differentiable, strict=True))
        return [i for i, x in enumerate(self.xs) if x in ok and ok[x] is False]

    @property
    def undecided_kinks(self) -> list[int]:
        """Indices of the kinks where differentiability could not be decided."""
        ok = dict(zip(self.kinks, self.kink_differentiable, strict=True))
        return [i for i, x in enumerate(self.xs) if x in ok and ok[x] is None]

    def to_dict(self) -> dict[str, Any]:
        """What --format json prints: every sampled value, the kinks, the summary."""
        from derivcli.results import json_number

        def numbers(values: Sequence[float]) -> list[float | str | None]:
            return [json_number(v) for v in values]

        return {
            "expression": self.expression,
            "wrt": self.wrt,
            "fixed": {name: json_number(v) for name, v in self.fixed},
            "range": [json_number(self.start), json_number(self.stop)],
            # the arrays' length: --points' grid and any kink between two of its points
            "points": len(self.xs),
            "derivative": self.derivative,
            "x": numbers(self.xs),
            "f": numbers(self.function),
            "symbolic": numbers(self.symbolic),
            "autograd": numbers(self.autograd),
            "kinks": [
                {
                    "x": json_number(x),
                    "at_float": at_float,
                    "differentiable": ok,
                    "left": json_number(left),
                    "right": json_number(right),
                    "note": note or None,
                }
                for x, ok, at_float, (left, right, note) in zip(
                    self.kinks,
                    self.kink_differentiable,
                    self.kink_at_float,
                    self.kink_sides,
                    strict=True,
                )
            ],
            "undefined": [json_number(self.xs[i]) for i in self.undefined],
            "f_not_evaluated": [json_number(self.xs[i]) for i in self.not_evaluated],
            "poles": [json_number(x) for x in self.poles],
            "poles_not_searched": self.poles_unsearched,
            # the kink search stopped at its cap: "kinks" holds the first ones only
            "kinks_search_stopped": self.kinks_stopped,
            "not_differentiable": [json_number(self.xs[i]) for i in self.not_differentiable],
            "disagree": [json_number(self.xs[i]) for i in self.disagree],
            "summary": summary_line(self),
            "exit": int(self.exit_code),
            "note": self.note,
            "disagree_note": self.disagree_note,
        }

    def plain(self) -> str:
        return summary_line(self)

    def rich(self) -> str:
        """The plot drawn for the terminal (colour only on a terminal without
        NO_COLOR), then the summary line."""
        import os
        import sys

        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        text = terminal_plot(self, color=color) + "\n" + summary_line(self)
        if self.disagree_note:
            text += f"\nnote: {self.disagree_note}"
        return text


# ---------------------------------------------------------------- input


def check_out(out: str | None) -> str | None:
    """The file format for ``--out``, or an InputError for any other extension."""
    if out is None:
        return None
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        given = f"'{suffix}'" if suffix else "no extension"
        raise InputError(f"--out {out}: {given} is not a plot format; use a .png or .svg file")
    return FORMATS[suffix]


def parse_range(text: str) -> tuple[float, float]:
    where = f"--range {text}"
    parts = text.split(":")
    if len(parts) != 2:
        raise InputError(f"{where}: give START:STOP, e.g. -3:3 (the point count is --points)")
    start, stop = parse_value(parts[0], where), parse_value(parts[1], where)
    if not start < stop:
        raise InputError(f"{where}: START must be less than STOP")
    if max(abs(start), abs(stop)) > MAX_PLOT_VALUE:
        raise LimitError(f"{where}: a plotted range must lie within ±{MAX_PLOT_VALUE:g}")
    return start, stop


def _fixed_values(
    at: Sequence[str] | None, wrt: str, others: Sequence[str], expression: Expression
) -> tuple[tuple[str, float], ...]:
    for option in at or []:
        for item in option.split(","):
            if item.partition("=")[0].strip() == wrt:
                raise InputError(
                    f"--at {option}: {wrt} is the plotted variable; its values come from --range"
                )
    if not others:
        if at:
            raise InputError(
                f"--at: {expression.source!r} has no variable other than {wrt} "
                "to fix; the plotted range is --range"
            )
        return ()
    if not at:
        example = ",".join(f"{name}=1" for name in others)
        raise InputError(
            f"the plot varies {wrt} only: fix {', '.join(others)} with --at (e.g. --at {example})"
        )
    fixed = parse_at(at, others)
    if fixed.count != 1:
        raise InputError(
            "--at: give the other variables single values, not a grid "
            "(the plotted variable's grid is --range and --points)"
        )
    return tuple((name, float64_points(fixed).point(0)[name]) for name in others)


# ---------------------------------------------------------------- kinks


# Kink templates (functions.py) that jump themselves, so that a sign change
# search between grid points misses their zeros: a - round(a), floor's (ceil's,
# trunc's, frac's), jumps at the half-integers of a, and a - floor(a) - 1/2,
# round's, at its integers; across one zero and one jump the sign comes back
# (floor(x) between 0.5 and 1.3 was missed). Their zeros are where a is n +
# offset, n whole: :func:`_step_roots` counts them from a's own values.
STEP_KINKS: dict[str, Fraction] = {
    "a - round(a)": Fraction(0),
    "a - floor(a) - 1/2": Fraction(1, 2),
}


# Kink templates (functions.py) that are never negative, so that they touch 0
# without changing sign and a sign change search between grid points never
# finds their zeros: atan2's abs(a) + relu(b) (plot "atan2(x, -1)" --range
# -1:1.4 --points 3 missed its jump at 0) and hypot's abs(a) + abs(b) (its
# corner at 0 in "hypot(x, 0)"). Their zeros are those of an abs's argument
# (which changes sign there) where the rest is 0 too: per template, (the
# argument searched, the other piece, whether that piece only needs to be <= 0,
# as relu(b) = 0 does, or must be 0, as abs(b) = 0 does).
TOUCH_KINKS: dict[str, tuple[tuple[int, int, bool], ...]] = {
    # and a's zeros with b <= 0 end where b changes sign with a = 0 (atan2(0, x)
    # jumps from pi to 0 at x = 0)
    "abs(a) + relu(b)": ((0, 1, True), (1, 0, False)),
    "abs(a) + abs(b)": ((0, 1, False), (1, 0, False)),
}


@dataclass(frozen=True)
class _Touch:
    """A zero of ``piece`` (found by its sign changes) is a kink where ``other``
    is 0 there, or (``at_most``) not above 0."""

    piece: Node
    other: Node
    at_most: bool


def _touch_searches(tree: Node) -> list[_Touch]:
    """The searches of every kinked call whose template is in TOUCH_KINKS."""
    found: list[_Touch] = []
    seen: set[tuple[str, str, bool]] = set()
    for node in walk(tree):
        if not isinstance(node, Call) or not function(node.name).kink:
            continue
        spec = function(node.name)
        args = with_defaults(spec, list(node.args))
        for template in spec.kinks:
            for piece, other, at_most in TOUCH_KINKS.get(template, ()):
                key = (to_text(args[piece]), to_text(args[other]), at_most)
                if key not in seen:
                    seen.add(key)
                    found.append(_Touch(args[piece], args[other], at_most))
    return found


def _kink_searches(tree: Node) -> list[tuple[Node, Node | None, Fraction]]:
    """(kink expression, the argument a, offset) for every kinked call: a is None
    where the expression's zeros are found by its sign changes, else (a step kink,
    see STEP_KINKS) they are where a is a whole number plus ``offset``."""
    found: list[tuple[Node, Node | None, Fraction]] = []
    seen: set[str] = set()
    for node in walk(tree):
        if not isinstance(node, Call) or not function(node.name).kink:
            continue
        spec = function(node.name)
        args = with_defaults(spec, list(node.args))
        for template, kink in zip(spec.kinks, kink_trees(node), strict=True):
            key = to_text(kink)
            if key in seen or template in TOUCH_KINKS:
                continue
            seen.add(key)
            offset = STEP_KINKS.get(template)
            found.append((kink, None if offset is None else args[0], offset or Fraction(0)))
    return found


def _minus(a: Node, t: Fraction) -> Node:
    """a - t as a tree (t written as a number)."""

    def number(v: Fraction) -> Number:
        return Number(v, str(v.numerator) if v.denominator == 1 else f"{float(v)!r}")

    return BinaryOp("-", a, number(t)) if t >= 0 else BinaryOp("+", a, number(-t))


def _evaluate(
    torch: Any, node: Node, wrt: str, xs: Any, fixed: tuple[tuple[str, float], ...]
) -> Any:
    from derivcli.autograd.values import GraphBuilder

    leaves = {wrt: xs}
    for name, value in fixed:
        leaves[name] = torch.full_like(xs, value)
    with torch.no_grad():
        return GraphBuilder(torch, leaves, xs.dtype, xs.device).build(node)


def _float_keys(x: Any) -> Any:
    """float64 values as int64 keys in the same order (neighbouring floats differ by 1)."""
    import numpy as np

    bits = np.asarray(x, dtype=np.float64).view(np.int64)
    return np.where(bits < 0, -(bits & np.int64(0x7FFFFFFFFFFFFFFF)), bits)


def _from_keys(torch: Any, keys: Any) -> Any:
    return torch.from_numpy(_from_keys_np(keys))


@dataclass(frozen=True)
class Kink:
    """A kink in the plotted range, drawn at the float ``x``.

    ``roots``: where a kink argument is 0 strictly between two neighbouring
    floats (relu(x - 1/3) at 1/3, which no float is), the exact root (an
    mpfr, see :func:`derivcli.symbolic.analysis.kink_root`), judged there and
    not at ``x``; empty where the argument is 0 at ``x`` itself, which the
    symbolic analysis judges at that float as ``grad`` does.
    """

    x: float
    roots: tuple[Any, ...] = ()
    at_float: bool = True  # some kink argument is 0 at x itself


def _neighbour(x: float, steps: int) -> float:
    """The float ``steps`` floats above x (below for negative steps)."""
    import numpy as np

    key = int(_float_keys(np.array([x]))[0]) + steps
    # no further than the largest finite float: locate_exactly steps up to
    # 2**63 floats away, past int64 (a review's find: "Python int too large to
    # convert to C long" for abs(x**2*(x-1e-5)**3), reported as autograd's)
    key = max(-LARGEST_FLOAT_KEY, min(LARGEST_FLOAT_KEY, key))
    return float(_from_keys_np(np.array([key], dtype=np.int64))[0])


# The key of the largest finite float64 (its bits as an integer).
LARGEST_FLOAT_KEY = 0x7FEFFFFFFFFFFFFF


def _from_keys_np(keys: Any) -> Any:
    import numpy as np

    magnitude = np.abs(keys).astype(np.int64)
    bits = np.where(keys < 0, magnitude | np.int64(-0x8000000000000000), magnitude)
    return bits.view(np.float64).copy()


# Floats searched on each side of torch's root for the exact sign change: 2**k
# floats away for k up to this (within the grid interval).
BRACKET_DOUBLINGS = 64


def locate_exactly(
    argument: Node,
    wrt: str,
    x: float,
    bounds: tuple[float, float],
    fixed: tuple[tuple[str, float], ...],
) -> tuple[float, Any]:
    """Where the kink argument torch found 0 at or near the float x (between
    ``bounds``) is 0 exactly: (x', None) where it is 0 at the float x', (x', root)
    for a root strictly between floats (x' the float nearest), and (x, None)
    where its exact values show no sign change near x (then the analysis at x
    judges it, as before).

    torch rounds: x - 0.1 is exactly 0 at the float 0.1, though x - 1/10 is
    5.6e-18 there; so the exact sign at x is compared with the floats 1, 2, 4,
    ... away on each side until they differ, and the root is bisected exactly
    between the two.
    """
    from derivcli.language.evaluate import compile_tree
    from derivcli.symbolic.analysis import exact_sign, kink_root

    program = compile_tree(argument)
    point = dict(fixed)
    here = exact_sign(program, {**point, wrt: x})
    if here == 0 or here is None:
        return x, None
    lo_bound, hi_bound = bounds
    for k in range(BRACKET_DOUBLINGS):
        for side in (-1, 1):
            y = _neighbour(x, side * 2**k)
            y = min(max(y, lo_bound), hi_bound)
            there = exact_sign(program, {**point, wrt: y})
            if there is None or there == here:
                continue
            root = kink_root(program, point, wrt, *sorted((x, y)))
            if root is None:
                continue
            if isinstance(root, float):
                return root, None
            return float(root), root
        if _neighbour(x, -(2**k)) <= lo_bound and _neighbour(x, 2**k) >= hi_bound:
            break
    return x, None


def _roots(
    torch: Any,
    arg: Node,
    wrt: str,
    xs: Any,
    grid: Sequence[float],
    fixed: tuple[tuple[str, float], ...],
) -> list[tuple[float, tuple[float, float]]]:
    """Where torch's float64 ``arg`` is 0 on the grid or changes sign between
    neighbouring grid points (both values finite and nonzero), each with the
    interval around it: a grid point with its neighbours, or torch's root
    between two grid points, bisected in float64 down to two neighbouring
    floats. A sign change across a pole of the argument itself (it blows up
    instead of passing through 0) is dropped."""

    values = _evaluate(torch, arg, wrt, xs, fixed).reshape(-1).expand(len(grid))
    zero = values == 0
    found = [
        (grid[j], (grid[max(j - 1, 0)], grid[min(j + 1, len(grid) - 1)]))
        for j in torch.nonzero(zero).reshape(-1).tolist()
    ]
    left, right = values[:-1], values[1:]
    finite = torch.isfinite(left) & torch.isfinite(right) & ~zero[:-1] & ~zero[1:]
    crossing = finite & (torch.sign(left) * torch.sign(right) < 0)
    index = torch.nonzero(crossing).reshape(-1)
    if index.numel() == 0:
        return found
    scale = torch.maximum(left[index].abs(), right[index].abs()).clamp(min=1.0)

    def values_at(x: Any) -> Any:
        return _evaluate(torch, arg, wrt, x, fixed).reshape(-1).expand(len(x))

    roots, kept = _bisect_floats(torch, values_at, xs[index], xs[index + 1], left[index], scale)
    return found + [
        (x, (grid[j], grid[j + 1]))
        for j, x, keep in zip(index.tolist(), roots, kept, strict=True)
        if keep
    ]


def _bisect_floats(
    torch: Any, values_at: Callable[[Any], Any], x_lo: Any, x_hi: Any, v_lo: Any, scale: Any
) -> tuple[list[float], list[bool]]:
    """Sign changes of ``values_at`` between ``x_lo`` and ``x_hi`` (values ``v_lo``
    at x_lo), bisected on the floats themselves (their bit patterns, in order)
    down to two neighbouring floats: a kink at exactly 0.0 or 0.1 is found at
    that float, not at a point 1e-33 beside it. Each root is the one of the two
    floats nearer 0, and kept where it is within 1e-8 of ``scale`` (not a jump
    across a pole)."""
    import numpy as np

    lo, hi = _float_keys(x_lo.numpy()), _float_keys(x_hi.numpy())
    for _ in range(BISECTION_STEPS):
        if not (hi - lo > 1).any():
            break
        mid = lo + (hi - lo) // 2
        same = (torch.sign(values_at(_from_keys(torch, mid))) == torch.sign(v_lo)).numpy()
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    lo_x, hi_x = _from_keys(torch, lo), _from_keys(torch, hi)
    r_lo, r_hi = values_at(lo_x).abs(), values_at(hi_x).abs()
    root = torch.where(r_lo <= r_hi, lo_x, hi_x)
    kept = (torch.minimum(r_lo, r_hi) <= 1e-8 * scale).tolist()
    return root.tolist(), kept


def _step_roots(
    torch: Any,
    kink: Node,
    a: Node,
    offset: Fraction,
    wrt: str,
    xs: Any,
    grid: Sequence[float],
    fixed: tuple[tuple[str, float], ...],
    limit: int,
) -> list[tuple[float, tuple[float, float], Node]]:
    """The zeros of a step kink (see STEP_KINKS), where a = t for t a whole number
    plus ``offset``: on a grid point where torch's kink expression is exactly 0
    (as the engine calls it a kink there), and between two grid points for every
    such t strictly between a's values at them (a passes each, if continuous
    there), bisected in float64 on a - t down to two neighbouring floats; each with
    its interval and the continuous expression a - t, which :func:`locate_exactly`
    locates. A t that a jumps across (a has a step of its own) is dropped, as a
    sign change across a pole is in :func:`_roots`. At most ``limit`` of them."""
    import numpy as np

    count = len(grid)
    kink_values = _evaluate(torch, kink, wrt, xs, fixed).reshape(-1).expand(count)
    a_values = _evaluate(torch, a, wrt, xs, fixed).reshape(-1).expand(count)
    a_list = [float(v) for v in a_values.tolist()]
    found: list[tuple[float, tuple[float, float], Node]] = []
    for j in torch.nonzero(kink_values == 0).reshape(-1).tolist():
        bounds = (grid[max(j - 1, 0)], grid[min(j + 1, count - 1)])
        t = Fraction(a_list[j])
        found.append((grid[j], bounds, _minus(a, t) if (t - offset).denominator == 1 else kink))
    # intervals that may hold an n + offset strictly inside: a's floors differ, or
    # (offset 1/2) its fractional parts straddle 1/2
    left, right = a_values[:-1].numpy(), a_values[1:].numpy()
    low, high = np.minimum(left, right), np.maximum(left, right)
    with np.errstate(invalid="ignore"):
        floor_low, floor_high = np.floor(low), np.floor(high)
        maybe = np.isfinite(low) & np.isfinite(high) & (low < high)
        maybe &= (floor_low != floor_high) | ((low - floor_low < 0.5) & (high - floor_high > 0.5))
    pairs: list[tuple[int, Fraction]] = []
    for j in np.nonzero(maybe)[0].tolist():
        lo_t, hi_t = Fraction(float(low[j])) - offset, Fraction(float(high[j])) - offset
        first, last = math.floor(lo_t) + 1, math.ceil(hi_t) - 1
        for n in range(first, min(last, first + limit - len(found) - len(pairs)) + 1):
            pairs.append((j, n + offset))
        if len(found) + len(pairs) >= limit:
            break
    if not pairs:
        return found[:limit]
    index = torch.tensor([j for j, _ in pairs], dtype=torch.int64)
    targets = torch.tensor([float(t) for _, t in pairs], dtype=torch.float64)
    x_lo, x_hi = xs[index], xs[index + 1]

    def minus_t(x: Any) -> Any:
        return _evaluate(torch, a, wrt, x, fixed).reshape(-1).expand(len(x)) - targets

    v_lo, v_hi = minus_t(x_lo), minus_t(x_hi)
    scale = torch.maximum(v_lo.abs(), v_hi.abs()).clamp(min=1.0)
    roots, kept = _bisect_floats(torch, minus_t, x_lo, x_hi, v_lo, scale)
    return found + [
        (x, (grid[j], grid[j + 1]), _minus(a, t))
        for (j, t), x, keep in zip(pairs, roots, kept, strict=True)
        if keep
    ]


def search_kinks(
    tree: Node,
    wrt: str,
    grid: Sequence[float],
    fixed: tuple[tuple[str, float], ...],
    deadline: float = math.inf,
) -> tuple[list[Kink], bool]:
    """x where a kinked function's argument is 0: on the grid or between two points
    (found by :func:`_roots`), each located exactly (:func:`locate_exactly`): at a
    float, or strictly between two; and whether the search stopped at MAX_KINKS
    (there may be more than those returned)."""
    from derivcli.autograd.values import import_torch
    from derivcli.language.evaluate import compile_tree
    from derivcli.symbolic.analysis import exact_sign

    searches = _kink_searches(tree)
    touches = _touch_searches(tree)
    if not searches and not touches:
        return [], False
    torch = import_torch()
    xs = torch.tensor(list(grid), dtype=torch.float64)
    # (torch's root, the interval it lies in, the argument, the touch it is a zero of)
    candidates: list[tuple[float, tuple[float, float], Node, _Touch | None]] = []
    for arg, a, offset in searches:
        if a is not None:
            limit = MAX_KINKS + 1 - len(candidates)
            roots = _step_roots(torch, arg, a, offset, wrt, xs, grid, fixed, limit)
            candidates.extend((x, bounds, node, None) for x, bounds, node in roots)
        else:
            # Where the engine would call a grid point a kink (exactly 0), so does the plot.
            for x, bounds in _roots(torch, arg, wrt, xs, grid, fixed):
                candidates.append((x, bounds, arg, None))
        if len(candidates) > MAX_KINKS:
            break
    for touch in touches if len(candidates) <= MAX_KINKS else ():
        piece_roots = _roots(torch, touch.piece, wrt, xs, grid, fixed)
        if not piece_roots:
            continue
        # the other piece in float64 at torch's root, against its size at the ends
        at = torch.tensor([x for x, _ in piece_roots], dtype=torch.float64)
        ends = torch.tensor(
            [bound for _, bounds in piece_roots for bound in bounds], dtype=torch.float64
        )
        other = _evaluate(torch, touch.other, wrt, at, fixed).reshape(-1).expand(len(at))
        around = _evaluate(torch, touch.other, wrt, ends, fixed).reshape(-1).expand(len(ends))
        scale = around.abs().reshape(-1, 2).amax(dim=1).nan_to_num(nan=1.0).clamp(min=1.0)
        small = other <= 1e-8 * scale if touch.at_most else other.abs() <= 1e-8 * scale
        for (x, bounds), keep in zip(piece_roots, small.tolist(), strict=True):
            if keep:
                candidates.append((x, bounds, touch.piece, touch))
        if len(candidates) > MAX_KINKS:
            break
    stopped = len(candidates) > MAX_KINKS
    point = dict(fixed)
    found: dict[float, tuple[list[Any], bool]] = {}
    for done, (x, bounds, arg, zero_of) in enumerate(candidates[: MAX_KINKS + 1]):
        _on_time(deadline, "located", done, len(candidates))
        at_x, root = locate_exactly(arg, wrt, x, bounds, fixed)
        if zero_of is not None:
            # the whole kink expression is 0 there: the other piece 0 (or <= 0)
            sign = exact_sign(
                compile_tree(zero_of.other), {**point, wrt: at_x if root is None else root}
            )
            if sign is None or sign > 0 or (sign < 0 and not zero_of.at_most):
                continue
        roots, at_float = found.get(at_x, ([], False))
        found[at_x] = (roots + ([] if root is None else [root]), at_float or root is None)
    kinks = [Kink(x, tuple(roots), at_float) for x, (roots, at_float) in sorted(found.items())]
    return kinks[:MAX_KINKS], stopped


# ---------------------------------------------------------------- poles

# Functions whose argument's zeros may be poles of f (the function itself is
# unbounded there): the log family at 0, atanh at +-1 (given as the factors
# 1 - a and 1 + a), tan at the zeros of cos. A division's denominator and the
# base of a negative power are the others (sec, csc and cot are divisions once
# written out). Each zero found is a pole only if f grows without bound there
# (:func:`_is_pole`): sin(x)/x at 0 is not one.
_POLE_ARGUMENTS: dict[str, Callable[[Node], list[Node]]] = {
    "log": lambda a: [a],
    "log2": lambda a: [a],
    "log10": lambda a: [a],
    "log1p": lambda a: [BinaryOp("+", Number(Fraction(1), "1"), a)],
    "atanh": lambda a: [
        BinaryOp("-", Number(Fraction(1), "1"), a),
        BinaryOp("+", Number(Fraction(1), "1"), a),
    ],
    "tan": lambda a: [Call("cos", (a,))],
    # poles at 0, -1, -2, ...: sin(pi*a) is 0 at every integer, and the
    # growth test drops the positive ones
    "gamma": lambda a: [Call("sin", (BinaryOp("*", Constant("pi"), a),))],
    "lgamma": lambda a: [Call("sin", (BinaryOp("*", Constant("pi"), a),))],
    "digamma": lambda a: [Call("sin", (BinaryOp("*", Constant("pi"), a),))],
}


def pole_arguments(tree: Node, wrt: str) -> list[Node]:
    """The expressions whose zeros may be poles of f, each moving with ``wrt``: a
    division's denominator, a negative power's base, and the arguments of the
    functions above, split into factors (the zeros of (x - 1/3)**2 are those of
    x - 1/3, where the sign changes)."""
    from derivcli.language.definitions import expand

    found: list[Node] = []
    seen: set[str] = set()

    def add(node: Node) -> None:
        for factor in _zero_factors(node):
            key = to_text(factor)
            if key not in seen and _moves(factor, wrt):
                seen.add(key)
                found.append(factor)

    for node in walk(expand(tree)):
        if isinstance(node, BinaryOp) and node.op == "/":
            add(node.right)
        elif isinstance(node, BinaryOp) and node.op == "**" and _negative_constant(node.right):
            add(node.left)
        elif isinstance(node, Call) and node.name in _POLE_ARGUMENTS:
            for argument in _POLE_ARGUMENTS[node.name](node.args[0]):
                add(argument)
        elif isinstance(node, Call) and node.name == "polygamma":
            (argument,) = node.args[-1:]
            add(Call("sin", (BinaryOp("*", Constant("pi"), argument),)))
    return found


def _zero_factors(node: Node) -> list[Node]:
    """Expressions whose zeros are node's, each changing sign at a simple zero."""
    if isinstance(node, Negate):
        return _zero_factors(node.operand)
    if isinstance(node, BinaryOp) and node.op == "*":
        return _zero_factors(node.left) + _zero_factors(node.right)
    if isinstance(node, BinaryOp) and node.op == "**" and _positive_constant(node.right):
        return _zero_factors(node.left)
    if isinstance(node, Call) and node.name in ("abs", "sqrt", "cbrt"):
        return _zero_factors(node.args[0])
    return [node]


def _constant_sign(node: Node) -> int | None:
    """The sign of a subtree without variables (-2/2, -1/2, -pi), exactly; None
    where it has a variable or no real value."""
    from derivcli.language.evaluate import exact_constant

    if any(isinstance(n, Variable) for n in walk(node)):
        return None
    if isinstance(node, Number):
        return (node.value > 0) - (node.value < 0)
    value = exact_constant(node).value
    return None if value is None else (value > 0) - (value < 0)


def _negative_constant(node: Node) -> bool:
    return _constant_sign(node) == -1


def _positive_constant(node: Node) -> bool:
    return _constant_sign(node) == 1


def _moves(node: Node, wrt: str) -> bool:
    return any(isinstance(n, Variable) and n.name == wrt for n in walk(node))


# Steps beside a pole at which f must grow: 2**-k of the float spacing at the
# root (2**-52 of its size; 2**-52 at 0), so a pole far from 0 is probed as
# closely as one near it (log(abs(x - 1e18 - 1/3)) grows from 4.9 to 95 over
# these; steps relative to 1e18 itself saw 13.7, then 14.0). The deepest is
# 2**-196 of the root's size, above the 2**-256 the root is located to.
POLE_STEPS = (0, 48, 96, 144)
# f grows toward a pole by at least this factor from one step to the next:
# 1/x by 2**48, log(abs(x)) by 1.3 or more (its size grows with k), while a
# bounded f (sin(1/x) at 0) does not keep growing over four steps
POLE_GROWTH = 1.2
MAX_POLES = 1_000  # roots looked at; the rest are counted as not searched


def _is_pole(f: Program, point: Mapping[str, float], wrt: str, root: Any) -> bool:
    """Whether f is defined on both sides of ``root`` (an mpfr, or a float) and
    grows without bound toward it from at least one: |f| at the POLE_STEPS beside
    it grows by POLE_GROWTH or more at each step, or is past MPFR's range. A
    root with f undefined on one side is a domain edge (log(x - 1/3) at 1/3),
    which the undefined points of the grid show, not a pole between them."""
    from derivcli.language.evaluate import exact_value

    m = gmpy2()
    at = m.mpfr(root) if isinstance(root, float) else root  # m.mpfr() would round to 53 bits
    size = abs(at) * m.mul_2exp(m.mpfr(1), -52) if at != 0 else m.mul_2exp(m.mpfr(1), -52)
    growing = False
    for side in (-1, 1):
        magnitudes = []
        for k in POLE_STEPS:
            with m.context(m.get_context(), precision=at.precision + max(POLE_STEPS) + 128):
                x = at + side * size * m.mul_2exp(m.mpfr(1), -k)
            outcome = exact_value(f, {**point, wrt: x})
            kind = outcome.undefined.kind if outcome.undefined is not None else ""
            if kind in ("overflow", "underflow"):
                # past MPFR's range, or nonzero below it: exp(1/(x - 1/3)) right
                # and left of 1/3 (defined, so no domain edge)
                magnitudes.append(m.inf() if kind == "overflow" else m.mpfr(0))
                continue
            if outcome.value is None:
                return False  # undefined beside it: an edge of f's domain
            magnitudes.append(abs(outcome.value))
        growing = growing or all(
            later >= POLE_GROWTH * earlier > 0
            for earlier, later in zip(magnitudes, magnitudes[1:], strict=False)
        )
    return growing


@dataclass(frozen=True)
class Poles:
    """What :func:`find_poles` found: the float nearest each pole, on which side
    of it the pole lies (-1 below, +1 above, 0 at the float itself), and how
    many sign changes were not looked at (the budget or MAX_POLES ran out)."""

    xs: tuple[float, ...] = ()
    sides: tuple[int, ...] = ()
    unsearched: int = 0


def find_poles(
    tree: Node,
    wrt: str,
    grid: Sequence[float],
    fixed: tuple[tuple[str, float], ...],
    deadline: float = math.inf,
    shown: Sequence[float] = (),
) -> Poles:
    """The poles of f between grid points: where an expression of
    :func:`pole_arguments` is 0 on the grid in torch's float64 or changes sign
    between neighbouring grid points, located exactly as a kink argument's zero
    is, where f grows without bound (:func:`_is_pole`). A root exactly at a grid
    point is left to it (f is undefined there, and says so), as is one at a
    kink ``shown`` (the kink's judgement covers it); one strictly beside a grid
    point, as x - 1/3 at the float nearest 1/3, is a pole. Past the deadline or
    MAX_POLES the rest are counted, not looked at."""
    from derivcli.autograd.values import import_torch
    from derivcli.language.evaluate import compile_tree

    arguments = pole_arguments(tree, wrt)
    if not arguments:
        return Poles()
    torch = import_torch()
    xs = torch.tensor(list(grid), dtype=torch.float64)
    on_grid = set(grid)
    kinks = set(shown)
    f_program = compile_tree(tree)
    point = dict(fixed)
    found: dict[float, int] = {}
    candidates: list[tuple[float, tuple[float, float], Node]] = []
    for arg in arguments:
        roots = _roots(torch, arg, wrt, xs, grid, fixed)
        candidates.extend((x, bounds, arg) for x, bounds in roots)
    for done, (x, bounds, arg) in enumerate(candidates):
        if done >= MAX_POLES or time.monotonic() > deadline:
            return _poles(found, len(candidates) - done)
        at, root = locate_exactly(arg, wrt, x, bounds, fixed)
        if (root is None and at in on_grid) or at in kinks or at in found:
            continue  # the grid point, or the kink judged there, says what f does
        if _is_pole(f_program, point, wrt, at if root is None else root):
            found[at] = 0 if root is None else (-1 if root < at else 1)
    return _poles(found, 0)


def _poles(found: Mapping[float, int], unsearched: int) -> Poles:
    xs = tuple(sorted(found))
    return Poles(xs, tuple(found[x] for x in xs), unsearched)


# ---------------------------------------------------------------- computing


def compute_plot(
    expression_text: str,
    *,
    wrt: str | None,
    range_text: str,
    points: int,
    at: Sequence[str] | None,
    timeout: float,
    out: str | None = None,
) -> PlotData:
    """Check the input, then differentiate over the range with both engines."""
    from derivcli.autograd.values import autograd, make_points
    from derivcli.compare import begin, check_work
    from derivcli.options import Settings, require_variables

    check_out(out)
    expression = parse(expression_text)
    require_variables(expression)
    variables = expression.variables
    if wrt is None:
        if len(variables) > 1:
            raise InputError(
                f"'{expression_text}' has the variables {', '.join(variables)}: choose the "
                f"plotted one with --wrt and fix the others with --at (e.g. --wrt "
                f"{variables[0]} --at {','.join(f'{n}=1' for n in variables[1:])})"
            )
        name = variables[0]
    else:
        names = parse_wrt([wrt], variables)
        if len(names) != 1:
            raise InputError(f"--wrt {wrt}: plot draws the derivative by one variable")
        name = names[0]
    start, stop = parse_range(range_text)
    if points < MIN_POINTS:
        raise InputError(f"--points {points}: at least {MIN_POINTS} points are needed")
    if points > MAX_POINTS:
        raise LimitError(f"--points {points:,}: the limit is {MAX_POINTS:,}")
    check_work(expression, points, "--points")
    others = [v for v in variables if v != name]
    fixed = _fixed_values(at, name, others, expression)

    line = make_points(PointSpec((name,), (((name, Grid(start, stop, points)),),), points))
    grid = [float(x) for x in line.columns[name]]
    deadline = time.monotonic() + timeout
    try:
        found, kinks_stopped = search_kinks(expression.tree, name, grid, fixed, deadline)
    except (RuntimeError, ValueError, TypeError, OverflowError) as exc:
        raise CannotComputeError(f"autograd failed: {exc}") from None
    kinks = [kink.x for kink in found]
    between = judge_between(expression, name, found, fixed, deadline)
    try:
        poles = find_poles(expression.tree, name, grid, fixed, deadline, shown=kinks)
    except (RuntimeError, ValueError, TypeError, OverflowError) as exc:
        raise CannotComputeError(f"autograd failed: {exc}") from None
    xs = sorted(set(grid) | set(kinks))
    count = len(xs)
    if kinks:
        check_work(
            expression, count, f"--points {points:,} (with {plural(len(kinks), 'kink')} added)"
        )
    columns = {name: xs, **{n: [v] * count for n, v in fixed}}
    point_set = PointSet(names=variables, columns=columns, count=count)
    computation = begin(expression, [(name,)], point_set, Settings(budget=timeout))
    report = computation.finish()

    # f in float64 (torch), here and just beside each kink to see whether f jumps
    # there (where the line is broken).
    beside = [x + side * 1e-7 * max(1.0, abs(x)) for x in kinks for side in (-1, 1)]
    all_x = xs + beside
    try:
        values = autograd(
            expression.tree,
            variables,
            {name: all_x, **{n: [v] * len(all_x) for n, v in fixed}},
            len(all_x),
            [],
        )
    except (RuntimeError, ValueError, TypeError, OverflowError) as exc:
        raise CannotComputeError(f"autograd failed: {exc}") from None
    near = values.function[count:]
    # f's values and where it is undefined are the exact evaluation's, as for the
    # derivative (torch's float64 f is nan for exp(x)/exp(x - 1) at 750, 0.49 for
    # (1 - cos(x))/x**2 at 1.5e-8); torch's only where the closed form ran out of time
    exact = computation.function_values
    function = values.function[:count] if exact is None else [float(v) for v in exact]

    results = report.results
    kink_set = set(kinks)
    symbolic = tuple(math.nan if r.symbolic is None else r.symbolic for r in results)
    auto = tuple(math.nan if r.autograd is None else r.autograd for r in results)
    # Both sides computed, but a value is past float64 (exp(x) at 720): exit 3,
    # not "undefined". (A side that ran out of budget has no value: not this.)
    # So is f's exact value past float64 (an infinity of torch's is a pole, or not).
    # f, or the closed form, left to rounding past 16,384 bits: not evaluated
    # (exit 3), neither undefined nor past float64
    lost = dict(computation.function_lost) if exact is not None else {}
    for i, r in enumerate(results):
        if i not in lost and r.lost:
            lost[i] = r.lost
    beyond = tuple(
        i
        for i, r in enumerate(results)
        if i not in lost
        and (
            (r.derivative is not None and r.autograd is not None and not r.computable)
            or (exact is not None and math.isinf(function[i]))
        )
    )
    beyond_set = set(beyond)
    undefined = tuple(
        i
        for i in range(count)
        if not math.isfinite(function[i]) and i not in beyond_set and i not in lost
    )
    kink_index = {x: i for i, x in enumerate(xs) if x in kink_set}
    not_diff = tuple(
        i
        for i, r in enumerate(results)
        if r.differentiable is False and xs[i] not in kink_set and i not in set(undefined)
    )
    disagree = tuple(
        i for i, r in enumerate(results) if r.agree is False and r.differentiable is not False
    )
    jumps = []
    for k, x in enumerate(kinks):
        a, b = near[2 * k], near[2 * k + 1]
        if not (math.isfinite(a) and math.isfinite(b)) or abs(a - b) > 1e-4 * (1 + abs(a) + abs(b)):
            jumps.append(kink_index[x])
        elif any(judged.reason is Reason.JUMP for judged in between[x]):
            jumps.append(kink_index[x])
    verdicts = tuple(
        _kink_verdict(results[kink_index[kink.x]] if kink.at_float else None, between[kink.x])
        for kink in found
    )
    exit_code = report.exit_code
    if any(ok is None for ok, _ in verdicts):
        exit_code = max(exit_code, ExitCode.CANNOT_COMPUTE)
    elif any(ok is False for ok, _ in verdicts) or poles.xs:
        exit_code = max(exit_code, ExitCode.DISAGREE)
    if poles.unsearched or lost:
        exit_code = max(exit_code, ExitCode.CANNOT_COMPUTE)
    if kinks_stopped and exit_code == ExitCode.OK:
        # kinks past the cap were not judged: none of those seen is bad, the rest unknown
        exit_code = ExitCode.CANNOT_COMPUTE
    derivative = next((r.derivative for r in results if r.derivative is not None), None)
    # torch rounding x - 0.1 onto relu's kink at the float 0.1, or losing digits
    # to cancellation: the first disagreement's note says which engine to believe
    disagree_note = next(
        (
            f"at {name}={format_number(xs[i])}: {results[i].note}"
            for i in disagree
            if results[i].note
        ),
        None,
    )
    return PlotData(
        expression=str(expression),
        wrt=name,
        fixed=fixed,
        start=start,
        stop=stop,
        grid_count=points,
        xs=tuple(xs),
        function=tuple(function),
        symbolic=symbolic,
        autograd=auto,
        derivative=derivative,
        kinks=tuple(kinks),
        kink_differentiable=tuple(ok for ok, _ in verdicts),
        undefined=undefined,
        not_differentiable=not_diff,
        disagree=disagree,
        f_jumps=tuple(jumps),
        exit_code=ExitCode(exit_code),
        note=report.note,
        beyond_float64=beyond,
        not_evaluated=tuple(sorted(lost)),
        not_evaluated_why=lost[min(lost)] if lost else "",
        disagree_note=disagree_note,
        kink_at_float=tuple(kink.at_float and not kink.roots for kink in found),
        kink_sides=tuple(sides for _, sides in verdicts),
        poles=poles.xs,
        pole_sides=poles.sides,
        poles_unsearched=poles.unsearched,
        kinks_stopped=kinks_stopped,
    )


def _on_time(deadline: float, what: str, done: int, count: int) -> None:
    if time.monotonic() > deadline:
        raise BudgetError(
            f"the kinks between grid points could not be {what} exactly within the time "
            f"budget ({done:,} of {count:,} done; raise it with --timeout)"
        )


def judge_between(
    expression: Expression,
    wrt: str,
    found: Sequence[Kink],
    fixed: tuple[tuple[str, float], ...],
    deadline: float,
) -> dict[float, list[PointAnalysis]]:
    """Per kink, the verdict at each of its roots between floats (see Kink):
    f's limits and one-sided derivatives there, taken exactly."""
    from derivcli.language.evaluate import compile_tree
    from derivcli.symbolic.analysis import kink_between

    judged: dict[float, list[PointAnalysis]] = {kink.x: [] for kink in found}
    if not any(kink.roots for kink in found):
        return judged
    f_program = compile_tree(expression.tree)
    for done, kink in enumerate(found):
        _on_time(deadline, "judged", done, len(found))
        for root in kink.roots:
            judged[kink.x].append(kink_between(f_program, {**dict(fixed), wrt: root}, wrt))
    return judged


def _kink_verdict(
    at_float: DerivativeResult | None, between: Sequence[PointAnalysis]
) -> tuple[bool | None, tuple[float | None, float | None, str]]:
    """Whether f is differentiable at a kink, and its (left, right, note): the
    analysis at the float where the argument is 0 there, the exact judgement at
    each root between floats; not differentiable if either says so."""
    verdicts: list[tuple[bool | None, tuple[float | None, float | None, str]]] = []
    if at_float is not None:
        verdicts.append((at_float.differentiable is not False, (at_float.left, at_float.right, "")))
    for judged in between:
        verdicts.append((judged.differentiable, (judged.left, judged.right, judged.detail)))
    for wanted in (False, None):
        for ok, sides in verdicts:
            if ok is wanted:
                return ok, sides
    return True, verdicts[0][1] if verdicts else (None, None, "")


# ---------------------------------------------------------------- summary


def _where(data: PlotData, indices: Sequence[int], limit: int = 3) -> str:
    shown = ", ".join(f"{data.wrt}={format_number(data.xs[i])}" for i in indices[:limit])
    return shown + (", ..." if len(indices) > limit else "")


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def summary_line(data: PlotData) -> str:
    """One line: what was plotted and whether the two derivatives agree everywhere."""
    fixed = "".join(f", {n}={format_number(v)}" for n, v in data.fixed)
    head = (
        f"{data.label} of {data.expression} over {data.wrt} in "
        f"[{format_number(data.start)}, {format_number(data.stop)}]{fixed}: "
        f"{_plural(len(data.xs), 'point')}"
    )
    if data.derivative is None:
        return f"{head}; closed form not computed ({data.note or 'no result'}), autograd only"
    problems = []
    # past the cap the kinks were not looked for: each count of them is a least one
    more = " or more" if data.kinks_stopped else ""
    bad_kinks = data.bad_kinks
    if bad_kinks:
        problems.append(
            f"not differentiable at {_plural(len(bad_kinks), 'kink')}{more} "
            f"({_where(data, bad_kinks)})"
        )
    undecided = data.undecided_kinks
    if undecided:
        problems.append(
            f"differentiability not decided at {_plural(len(undecided), 'kink')}{more} "
            f"({_where(data, undecided)})"
        )
    if data.kinks_stopped:
        problems.append(_kinks_stopped())
    if data.not_differentiable:
        problems.append(
            f"not differentiable at {_plural(len(data.not_differentiable), 'point')}"
            f" ({_where(data, data.not_differentiable)})"
        )
    if data.undefined:
        problems.append(
            f"f undefined at {_plural(len(data.undefined), 'point')} "
            f"({_where(data, data.undefined)})"
        )
    if data.poles:
        shown = ", ".join(f"{data.wrt}≈{format_number(x)}" for x in data.poles[:3])
        problems.append(
            f"f has {_plural(len(data.poles), 'pole')} between grid points "
            f"({shown}{', ...' if len(data.poles) > 3 else ''})"
        )
    if data.poles_unsearched:
        problems.append(_unsearched(data))
    if data.not_evaluated:
        problems.append(_not_evaluated(data))
    if data.beyond_float64:
        problems.append(
            f"beyond float64's range at {_plural(len(data.beyond_float64), 'point')} "
            f"({_where(data, data.beyond_float64)}; not drawn)"
        )
    if data.disagree:
        problems.append(
            f"closed form and autograd DISAGREE at "
            f"{_plural(len(data.disagree), 'point')} ({_where(data, data.disagree)})"
        )
    hidden = _hidden(data)
    tail = (
        f"; values past ±{MAX_PLOT_VALUE:g} not drawn at {_plural(len(hidden), 'point')} "
        f"({_where(data, hidden)})"
        if hidden
        else ""
    )
    if not problems:
        smooth = (
            f" (smooth kinks at {', '.join(format_number(x) for x in data.kinks)})"
            if data.kinks
            else ""
        )
        return f"{head}; closed form and autograd agree at every point{smooth}{tail}"
    return f"{head}; " + "; ".join(problems) + tail


def _kinks_stopped() -> str:
    return (
        f"the kink search stops at {MAX_KINKS:,} kinks: those past them were not "
        "looked for (narrow the range)"
    )


def _unsearched(data: PlotData) -> str:
    return (
        f"{_plural(data.poles_unsearched, 'sign change')} of denominators and the like "
        "not looked at for a pole (the time budget or the limit of "
        f"{MAX_POLES:,} ran out; raise --timeout or narrow the range)"
    )


def _hidden(data: PlotData) -> list[int]:
    """Points with a finite value too large to draw (those past float64 are named apart)."""
    beyond = set(data.beyond_float64)
    return [
        i
        for i in range(len(data.xs))
        if i not in beyond
        and any(
            math.isfinite(v) and abs(v) > MAX_PLOT_VALUE
            for v in (data.function[i], data.symbolic[i], data.autograd[i])
        )
    ]


def cannot_compute_reason(data: PlotData) -> str:
    """Why a plot ends with exit 3, for the one line on stderr."""
    if data.derivative is None:
        return f"the closed form was not computed ({data.note or 'no result'})"
    if data.beyond_float64:
        return (
            f"values beyond float64's range at {_plural(len(data.beyond_float64), 'point')} "
            f"({_where(data, data.beyond_float64)})"
        )
    undecided = data.undecided_kinks
    if undecided:
        return (
            f"the one-sided derivatives at {_plural(len(undecided), 'kink')} "
            f"({_where(data, undecided)}) could not be decided"
        )
    if data.poles_unsearched:
        return _unsearched(data)
    if data.kinks_stopped:
        return _kinks_stopped()
    if data.not_evaluated:
        return _not_evaluated(data)
    return data.note or "a budget ran out"


def _not_evaluated(data: PlotData) -> str:
    """Where f or its closed form is left to rounding past 16,384 bits, and why."""
    return (
        f"f or its derivative not evaluated at {_plural(len(data.not_evaluated), 'point')} "
        f"({_where(data, data.not_evaluated)}: {data.not_evaluated_why})"
    )


# ---------------------------------------------------------------- drawing helpers


def y_limits(series: Sequence[Sequence[float]]) -> tuple[float, float] | None:
    """Limits that keep poles from flattening the rest: robust when the tails are long."""
    import numpy as np

    values = np.array([v for s in series for v in s if math.isfinite(v)], dtype=float)
    if values.size == 0:
        return None
    lo, hi = float(values.min()), float(values.max())
    p_lo, p_hi = (float(v) for v in np.percentile(values, [3, 97]))
    if hi - lo > 4 * max(p_hi - p_lo, 1e-12):  # long tails: a pole or a blow-up
        q1, q3 = (float(v) for v in np.percentile(values, [25, 75]))
        spread = max(q3 - q1, 1e-12)
        lo, hi = max(lo, q1 - 3 * spread), min(hi, q3 + 3 * spread)
    pad = 0.08 * (hi - lo) if hi > lo else max(1.0, abs(hi)) * 0.5
    return lo - pad, hi + pad


def segments(
    xs: Sequence[float],
    ys: Sequence[float],
    breaks: set[int],
    limits: tuple[float, float] | None,
    gaps: frozenset[int] = frozenset(),
) -> list[tuple[list[float], list[float]]]:
    """Split a line where it is undefined, at the given indices (left out), before
    the indices in ``gaps`` (a pole between them and the point before), and
    across poles the values show."""
    parts: list[tuple[list[float], list[float]]] = []
    cur_x: list[float] = []
    cur_y: list[float] = []
    lo, hi = limits if limits is not None else (-math.inf, math.inf)
    previous: float | None = None
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if i in gaps and cur_x:
            parts.append((cur_x, cur_y))
            cur_x, cur_y, previous = [], [], None
        crosses = (
            previous is not None
            and math.isfinite(y)
            and ((previous > hi and y < lo) or (previous < lo and y > hi))
        )
        if i in breaks or not math.isfinite(y) or crosses:
            if cur_x:
                parts.append((cur_x, cur_y))
            cur_x, cur_y = [], []
            previous = None if (i in breaks or not math.isfinite(y)) else y
            if crosses:
                cur_x, cur_y = [x], [y]
            continue
        cur_x.append(x)
        cur_y.append(y)
        previous = y
    if cur_x:
        parts.append((cur_x, cur_y))
    return parts


def _runs(indices: Sequence[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _marker_indices(count: int, target: int, extra: Sequence[int]) -> list[int]:
    step = max(1, math.ceil(count / target))
    return sorted(set(range(0, count, step)) | set(extra))


def _gaps(data: PlotData) -> frozenset[int]:
    """Indices of the points right after a pole: no line joins them to the point
    before. A pole just below a point shown (1/(x - 1/10) beside the float 0.1,
    which is above 1/10) comes before that point, not after it."""
    import bisect

    sides = data.pole_sides or (0,) * len(data.poles)
    return frozenset(
        bisect.bisect_left(data.xs, x) if side < 0 else bisect.bisect_right(data.xs, x)
        for x, side in zip(data.poles, sides, strict=True)
    )


def _breaks(data: PlotData) -> tuple[set[int], set[int]]:
    kink_at = set(data.bad_kinks)
    derivative_breaks = kink_at | set(data.not_differentiable) | set(data.undefined)
    return set(data.f_jumps), derivative_breaks


def _title(data: PlotData) -> str:
    fixed = ", ".join(f"{n}={format_number(v)}" for n, v in data.fixed)
    return f"f({data.wrt}) = {data.expression}" + (f"  at {fixed}" if fixed else "")


# ---------------------------------------------------------------- matplotlib


def drawable(data: PlotData) -> PlotData:
    """The data with every value past ±MAX_PLOT_VALUE left out (nan: not drawn)."""

    def clip(values: Sequence[float]) -> tuple[float, ...]:
        return tuple(v if abs(v) <= MAX_PLOT_VALUE else math.nan for v in values)

    return replace(
        data,
        function=clip(data.function),
        symbolic=clip(data.symbolic),
        autograd=clip(data.autograd),
    )


def save_figure(data: PlotData, out: str) -> None:
    """Write the plot to ``out`` (.png or .svg) with matplotlib's Agg backend."""
    file_format = check_out(out)
    data = drawable(data)
    try:
        import matplotlib
    except ImportError:
        raise CannotComputeError(
            "--out needs matplotlib: pip install 'derivcli[plot]' (or draw in the terminal "
            "without --out)"
        ) from None
    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 5.5), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    xs = list(data.xs)
    limits = y_limits([data.function, data.symbolic, data.autograd])
    f_breaks, d_breaks = _breaks(data)
    gaps = _gaps(data)
    for k, (sx, sy) in enumerate(segments(xs, data.function, f_breaks, limits, gaps)):
        ax.plot(sx, sy, color="tab:blue", lw=2, label=f"f({data.wrt})" if k == 0 else None)
    closed = data.derivative or "not computed"
    short = closed if len(closed) <= 40 else closed[:37] + "..."
    for k, (sx, sy) in enumerate(segments(xs, data.symbolic, d_breaks, limits, gaps)):
        ax.plot(
            sx,
            sy,
            color="tab:orange",
            lw=2,
            label=f"closed form {data.label} = {short}" if k == 0 else None,
        )
    undefined = set(data.undefined)  # autograd's numbers there mean nothing
    shown = [
        i
        for i in _marker_indices(len(xs), 60, [data.xs.index(x) for x in data.kinks])
        if i not in undefined
    ]
    ax.plot(
        [xs[i] for i in shown],
        [data.autograd[i] for i in shown],
        linestyle="none",
        marker="o",
        ms=4,
        mfc="none",
        mec="tab:green",
        mew=1.2,
        label=f"autograd {data.label}"
        + ("" if math.ceil(len(xs) / 60) == 1 else f" (1 point in {math.ceil(len(xs) / 60)})"),
    )
    for k, x in enumerate(data.poles):
        ax.axvline(x, color="tab:red", ls="--", lw=1.0, label=("pole" if k == 0 else None))
    for k, (x, ok) in enumerate(zip(data.kinks, data.kink_differentiable, strict=True)):
        ax.axvline(x, color="0.45", ls=":", lw=1.2, label=("kink" if k == 0 else None))
        i = data.xs.index(x)
        if not ok:
            ax.plot(
                [x],
                [data.symbolic[i]],
                "s",
                color="tab:orange",
                ms=8,
                mfc="none",
                zorder=5,
                label="closed form at a kink" if k == 0 else None,
            )
    bad = data.bad_kinks + list(data.not_differentiable)
    if bad:
        ax.plot(
            [xs[i] for i in bad],
            [data.autograd[i] for i in bad],
            "x",
            color="tab:red",
            ms=9,
            mew=2,
            label="not differentiable (autograd value)",
        )
    if data.disagree:
        ax.plot(
            [xs[i] for i in data.disagree],
            [data.autograd[i] for i in data.disagree],
            "o",
            ms=11,
            mfc="none",
            mec="red",
            mew=2,
            label="closed form != autograd",
        )
    step = (data.stop - data.start) / max(1, data.grid_count - 1)
    for k, (a, b) in enumerate(_runs(data.undefined)):
        label = "f undefined" if k == 0 else None
        if a == b:
            ax.axvline(xs[a], color="tab:red", ls="--", lw=1, alpha=0.7, label=label)
        else:
            ax.axvspan(
                xs[a] - step / 2, xs[b] + step / 2, color="tab:red", alpha=0.1, lw=0, label=label
            )
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    if limits is not None:
        ax.set_ylim(*limits)
    ax.set_xlim(data.start, data.stop)
    ax.set_xlabel(data.wrt)
    ax.set_title(_title(data))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8, framealpha=0.9)
    try:
        fig.savefig(out, format=file_format)
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write the file ({exc.strerror or exc})") from None


# ---------------------------------------------------------------- terminal


def terminal_plot(
    data: PlotData, *, color: bool = False, width: int | None = None, height: int | None = None
) -> str:
    """The plot as text for the terminal (plotext)."""
    import shutil

    data = drawable(data)
    import plotext as plt

    size = shutil.get_terminal_size((100, 30))
    width = width or max(60, min(size.columns, 160))
    height = height or max(20, min(size.lines - 4, 40))
    fig = plt.figure
    fig.clear()
    xs = list(data.xs)
    limits = y_limits([data.function, data.symbolic, data.autograd])
    f_breaks, d_breaks = _breaks(data)

    def line(ys: Sequence[float], breaks: set[int], symbol: str, pixel: str, label: str) -> None:
        first = True
        for sx, sy in segments(xs, ys, breaks, limits, _gaps(data)):
            inside = [
                (x, y)
                for x, y in zip(sx, sy, strict=True)
                if limits is None or limits[0] <= y <= limits[1]
            ]
            if not inside:
                continue
            signal = fig.signal(
                [p[0] for p in inside], [p[1] for p in inside], marker=plt.marker(symbol, pixel)
            ).lines()
            if first:
                signal.label(label)
                first = False
            fig.draw(signal)

    line(data.function, f_breaks, "hd", "blue", f"f({data.wrt})")
    line(data.symbolic, d_breaks, "braille", "orange", f"closed form {data.label}")
    shown = [
        i
        for i in _marker_indices(len(xs), width // 3, [xs.index(x) for x in data.kinks])
        if math.isfinite(data.autograd[i])
        and i not in set(data.undefined)
        and (limits is None or limits[0] <= data.autograd[i] <= limits[1])
    ]
    if shown:
        fig.draw(
            fig.signal(
                [xs[i] for i in shown],
                [data.autograd[i] for i in shown],
                marker=plt.marker("o", "green"),
            ).label(f"autograd {data.label}")
        )
    for k, x in enumerate(data.kinks):
        fig.line(x, "vertical", pixel="gray", style="dotted", label="kink" if k == 0 else None)
    for k, x in enumerate(data.poles):
        fig.line(x, "vertical", pixel="red", style="dotted", label="pole" if k == 0 else None)
    for k, (a, b) in enumerate(_runs(data.undefined)):
        for x in {xs[a], xs[b]}:
            fig.line(
                x,
                "vertical",
                pixel="red",
                style="dotted",
                label=f"f undefined ({format_number(xs[a])}..{format_number(xs[b])})"
                if k == 0 and x == xs[a]
                else None,
            )
    bad = data.bad_kinks + list(data.not_differentiable) + list(data.disagree)
    bad = [i for i in bad if math.isfinite(data.autograd[i])]
    if bad:
        fig.draw(
            fig.signal(
                [xs[i] for i in bad], [data.autograd[i] for i in bad], marker=plt.marker("X", "red")
            ).label("not differentiable / disagree")
        )
    if limits is not None:
        fig.ruler("y").lim(*limits)
    fig.ruler("x").lim(data.start, data.stop)
    fig.title(_title(data))
    fig.label(data.wrt, "x")
    fig.legend(active=False)
    fig.plot_size(width, height)
    text: str = fig.build().string(colorless=not color)
    fig.clear()
    key = [f"\u259a f({data.wrt})", f"\u2895 closed form {data.label}", f"o autograd {data.label}"]
    if data.kinks:
        key.append("\u250a kink")
    if data.undefined:
        key.append("\u250a (red) f undefined")
    if bad:
        key.append("X not differentiable or disagreeing (autograd value)")
    return text.rstrip("\n") + "\n" + "key: " + "   ".join(key)
