"""Reading ``--at`` and ``--wrt``: where to differentiate, and by what.

``--at x=2``, ``--at u=1,v=2``, ``--at x=pi/4`` (a constant expression) and
``--at x=-10:10:10`` (start:stop:count, exactly ``torch.linspace``). Repeated
``--at`` options add points. A variable that is a grid in one ``--at`` while
others are single numbers is paired with those numbers at every grid point;
two grids in one ``--at`` must have the same count and are paired point by
point.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from derivcli.errors import InputError, LimitError
from derivcli.language.parser import parse
from derivcli.language.tree import BinaryOp, Constant, Fold, Negate, Number, fold

# Every point becomes a row of output (a JSON object); past this a run is
# refused rather than spending minutes and gigabytes on it. numeric.autograd
# itself handles 10^7 points in a fraction of a second (benchmarks/bench.py).
MAX_POINTS = 100_000


@dataclass(frozen=True)
class PointSet:
    """Points given column-wise: ``columns[name][i]`` is point i's coordinate."""

    names: tuple[str, ...]
    columns: dict[str, list[float]]
    count: int

    def point(self, index: int) -> dict[str, float]:
        return {name: self.columns[name][index] for name in self.names}


def _is_identifier(name: str) -> bool:
    return name.isascii() and name.isidentifier() and not name.startswith("_")


class _ConstantValue(Fold[float]):
    """The float64 value of a constant expression; a variable or a call is not one."""

    def number(self, node: Number) -> float:
        try:
            return float(node.value)
        except OverflowError:
            return math.inf

    def constant(self, node: Constant) -> float:
        return {"pi": math.pi, "E": math.e}[node.name]

    def negate(self, node: Negate, operand: float) -> float:
        return -operand

    def binary(self, node: BinaryOp, a: float, b: float) -> float:
        try:
            if node.op == "+":
                return a + b
            if node.op == "-":
                return a - b
            if node.op == "*":
                return a * b
            if node.op == "/":
                return a / b
            return float(a**b)
        except (ZeroDivisionError, OverflowError, TypeError):
            return math.nan


_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def parse_value(text: str, where: str) -> float:
    """A finite number from ``--at``: 2, -0.5, 1e-3, pi/4, 2*pi."""
    stripped = text.strip()
    if not stripped:
        raise InputError(f"{where}: the value is empty")
    if _PLAIN_NUMBER.fullmatch(stripped):
        # Any float64, subnormals and 1e308 included, read as Python reads it.
        value = float(stripped)
        if not math.isfinite(value):
            raise InputError(f"{where}: '{text}' is not a finite real number")
        return value
    try:
        tree = parse(stripped).tree
        value = fold(tree, _ConstantValue())
    except (InputError, NotImplementedError, OverflowError):
        raise InputError(
            f"{where}: '{text}' is not a number (use e.g. 2, -0.5, 1e-3 or pi/4)"
        ) from None
    if isinstance(value, complex) or not math.isfinite(value):
        raise InputError(f"{where}: '{text}' is not a finite real number")
    return float(value)


def _linspace(start: float, stop: float, count: int) -> list[float]:
    # torch.linspace's formula (from both ends, meeting halfway). torch's CPU kernel
    # may fuse the multiply-add, so a value can differ from it in the last bit.
    if count == 1:
        return [start]
    step = (stop - start) / (count - 1)
    if not math.isfinite(step):  # -1.7e308:1.7e308 overflows the difference
        step = stop / (count - 1) - start / (count - 1)
    half = count // 2
    return [start + step * i if i < half else stop - step * (count - 1 - i) for i in range(count)]


def _parse_grid(text: str, where: str) -> list[float]:
    parts = text.split(":")
    if len(parts) != 3:
        raise InputError(f"{where}: a grid is start:stop:count, got '{text}'")
    start = parse_value(parts[0], where)
    stop = parse_value(parts[1], where)
    count_text = parts[2].strip()
    if not (count_text.isascii() and count_text.isdigit()):
        raise InputError(f"{where}: the count in '{text}' must be a whole number of points")
    count = int(count_text)
    if count < 1:
        raise InputError(f"{where}: the count in '{text}' must be at least 1")
    if count > MAX_POINTS:
        raise LimitError(f"{where}: {count:,} points; the limit is {MAX_POINTS:,}")
    return _linspace(start, stop, count)


def parse_at(options: Sequence[str], variables: Sequence[str]) -> PointSet:
    """All ``--at`` options as one point set over exactly ``variables``."""
    columns: dict[str, list[float]] = {name: [] for name in variables}
    total = 0
    for option in options:
        where = f"--at {option}"
        assignments: dict[str, list[float]] = {}
        for item in option.split(","):
            if "=" not in item:
                raise InputError(f"{where}: expected name=value, got '{item.strip()}'")
            name, _, value = item.partition("=")
            name = name.strip()
            if not _is_identifier(name):
                raise InputError(f"{where}: '{name}' is not a variable name")
            if name in assignments:
                raise InputError(f"{where}: '{name}' is given twice")
            if name not in columns:
                known = ", ".join(variables) if variables else "none"
                raise InputError(
                    f"{where}: '{name}' is not a variable of the expression (variables: {known})"
                )
            assignments[name] = (
                _parse_grid(value, where) if ":" in value else [parse_value(value, where)]
            )
        missing = [name for name in variables if name not in assignments]
        if missing:
            example = ",".join(f"{n}=1" for n in variables)
            raise InputError(
                f"{where}: no value for {', '.join(repr(m) for m in missing)} "
                f"(give every variable, e.g. --at {example})"
            )
        lengths = {len(v) for v in assignments.values() if len(v) > 1}
        if len(lengths) > 1:
            raise InputError(f"{where}: grids in one --at must have the same count")
        count = lengths.pop() if lengths else 1
        total += count
        if total > MAX_POINTS:
            raise LimitError(f"--at: {total:,} points in all; the limit is {MAX_POINTS:,}")
        for name, values in assignments.items():
            columns[name].extend(values if len(values) == count else values * count)
    return PointSet(names=tuple(variables), columns=columns, count=total)


# Sample points used when no --at is given: away from 0 and the integers,
# where kinks and poles of everyday functions sit.
SAMPLE_VALUES = (0.37, -1.21, 1.83, -0.64, 2.47, 0.91, -2.13)


def sample_points(variables: Sequence[str], count: int = 5) -> PointSet:
    """A few fixed, deterministic points; each variable gets its own sequence."""
    columns = {
        name: [SAMPLE_VALUES[(i + 2 * k) % len(SAMPLE_VALUES)] for i in range(count)]
        for k, name in enumerate(variables)
    }
    return PointSet(names=tuple(variables), columns=columns, count=count)


def parse_wrt(options: Sequence[str], variables: Sequence[str]) -> list[str]:
    """Validate ``--wrt`` names against the expression's variables."""
    result = []
    for option in options:
        for name in (part.strip() for part in option.split(",")):
            if not _is_identifier(name):
                raise InputError(f"--wrt: '{name}' is not a variable name")
            if name not in variables:
                known = ", ".join(variables) if variables else "none"
                raise InputError(
                    f"--wrt {name}: '{name}' does not appear in the expression (variables: {known})"
                )
            result.append(name)
    return result
