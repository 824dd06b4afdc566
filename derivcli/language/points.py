"""Reading ``--at`` and ``--wrt``: where to differentiate, and by what.

``--at x=2``, ``--at u=1,v=2``, ``--at x=pi/4`` (a constant expression) and
``--at x=-10:10:10`` (start:stop:count, the points of ``torch.linspace``).
Repeated ``--at`` options add points. A variable that is a grid in one
``--at`` while others are single numbers is paired with those numbers at
every grid point; two grids in one ``--at`` must have the same count and are
paired point by point.

What is read here is a :class:`PointSpec`: the numbers as given and the grids
as start, stop and count. The points themselves are made by torch
(``autograd/values.py``: ``torch.linspace`` and ``torch.tensor`` in the
requested dtype), so that both engines work at exactly the points torch
uses, bit for bit, in float64 and in float32. A :class:`PointSet` holds
them, column by column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Union

from derivcli.errors import InputError, LimitError, NumberSpellingError, PointError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
from derivcli.language.functions import lookup_constant
from derivcli.language.parser import MAX_DECIMAL_EXPONENT, parse, tokenize
from derivcli.language.tree import BinaryOp, Call, Constant, Fold, Negate, Number, fold

# Every point becomes a row of output (a JSON object); past this a run is
# refused rather than spending minutes and gigabytes on it. numeric.autograd
# itself handles 10^7 points in a fraction of a second (benchmarks/bench.py).
MAX_POINTS = 100_000


@dataclass(frozen=True)
class Grid:
    """start:stop:count, to be made by torch.linspace."""

    start: float
    stop: float
    count: int


Coordinate = Union[float, Grid]


@dataclass(frozen=True)
class PointSpec:
    """The points as given: one mapping of variable to number or grid per ``--at``."""

    names: tuple[str, ...]
    options: tuple[tuple[tuple[str, Coordinate], ...], ...]
    count: int
    mesh: bool = False  # grids of one --at: every combination, not paired point by point

    def sizes(self) -> list[int]:
        """How many points each ``--at`` gives."""
        return [self._size(option) for option in self.options]

    def _size(self, option: tuple[tuple[str, Coordinate], ...]) -> int:
        counts = [c.count for _, c in option if isinstance(c, Grid)]
        return math.prod(counts) if self.mesh else max([1, *counts])


@dataclass(frozen=True)
class HeldGrid:
    """A grid of ``--at`` whose points the dtype holds as other values than float64
    does (torch.linspace(0, 1, 11) in float32 has 0.10000000149011612 where
    float64's has 0.1): the first such point, and how many there are."""

    name: str
    grid: Grid
    given: float  # the first such point, as float64's torch.linspace has it
    held: float  # the same point, as the dtype's torch.linspace has it
    count: int  # how many of the grid's points the dtype holds as other values


# One coordinate's values over all points: floats, or a float64 numpy array.
Column = Union[Sequence[float], "NDArray[np.float64]"]


@dataclass(frozen=True)
class PointSet:
    """Points given column-wise: ``columns[name][i]`` is point i's coordinate
    (a sequence of floats: a list, or a numpy float64 array)."""

    names: tuple[str, ...]
    columns: Mapping[str, Column]
    count: int
    # numbers of --at that the dtype holds as another value (0.1 in float32 is
    # 0.10000000149011612): (name, as given, as held), in the order given
    moved: tuple[tuple[str, float, float], ...] = ()
    # grids of --at whose points the dtype holds as other values, in the order given
    moved_grids: tuple[HeldGrid, ...] = ()

    def point(self, index: int) -> dict[str, float]:
        return {name: float(self.columns[name][index]) for name in self.names}


def held_numbers(spec: PointSpec, dtype: str) -> tuple[tuple[str, float, float], ...]:
    """The numbers of ``spec`` (not grids) that ``dtype`` holds as another value:
    (name, as given, as held), each once, in the order given. float32 rounds to
    nearest, ties to even, as torch.tensor(value, dtype=torch.float32) does;
    float64 holds every Python float. A number past float32's range is left to
    the points' own check (autograd.values.make_points refuses it)."""
    if dtype == "float64":
        return ()
    import numpy as np

    found: dict[tuple[str, float], float] = {}
    with np.errstate(over="ignore"):
        for option in spec.options:
            for name, c in option:
                if isinstance(c, Grid):
                    continue
                value = float(np.float32(c))
                if value != c and math.isfinite(value):
                    found.setdefault((name, c), value)
    return tuple((name, c, value) for (name, c), value in found.items())


def is_variable_name(name: str) -> bool:
    """Whether ``name`` is a name the expression language reads as one (the
    tokenizer's rule, ``parser.tokenize``): an ASCII letter or "_", then ASCII
    letters, digits and "_", not starting with "_". Whether it is a variable of
    a given expression (not a constant, not a function) is checked apart."""
    return name.isascii() and name.isidentifier() and not name.startswith("_")


class _Underflow(Exception):
    """A step of a constant expression that float64 rounds to 0 though its value
    is not 0 (1e-200*1e-200, exp(-1000)): the point would silently be another
    one, as --at x=1e-400 would (refused there with BELOW_FLOAT64)."""


class _Overflow(Exception):
    """A step of a constant expression past float64's range though its value is
    finite (10**400, 2*1e308): float64 has no number for it."""

    def __init__(self, node: object) -> None:
        super().__init__()
        self.node = node  # the step: the whole expression, or a part of it


class _ConstantValue(Fold[float]):
    """The float64 value of a constant expression, as Python computes it: operators
    in IEEE float64, each function correctly rounded on the float64 values of
    its arguments (as math.sqrt(2) is); a variable is not a constant. A nonzero
    step that float64 makes 0 raises _Underflow, a finite one past its range
    _Overflow. ``literals``: the float64 values of numbers written past the
    parser's exponent limit, by column (the parser read a stand-in there)."""

    def __init__(self, literals: Mapping[int, float] | None = None) -> None:
        self.literals = literals or {}

    def call(self, node: Call, args: list[float]) -> float:
        from derivcli.language.evaluate import exact_constant

        if not all(math.isfinite(a) for a in args):
            return math.nan
        exact = [Number(Fraction(a), repr(a)) for a in args]
        value = exact_constant(Call(node.name, tuple(exact)))
        result = value.to_float()
        if result == 0 and value.value is not None and value.value != 0:
            raise _Underflow
        if math.isinf(result) and value.value is not None:
            raise _Overflow(node)  # a finite value past float64 (exp(1000) is about 2e434)
        return result

    def number(self, node: Number) -> float:
        if node.column in self.literals:
            return self.literals[node.column]
        try:
            value = float(node.value)
        except OverflowError:
            raise _Overflow(node) from None
        if value == 0 and node.value != 0:
            raise _Underflow
        return value

    def constant(self, node: Constant) -> float:
        return {"pi": math.pi, "E": math.e}[node.name]

    def negate(self, node: Negate, operand: float) -> float:
        return -operand

    def binary(self, node: BinaryOp, a: float, b: float) -> float:
        try:
            if node.op == "+":
                result = a + b
            elif node.op == "-":
                result = a - b
            elif node.op == "*":
                result = a * b
            elif node.op == "/":
                result = a / b
            else:
                result = float(a**b)
        except OverflowError:
            raise _Overflow(node) from None  # a**b past float64 (10.0**400)
        except (ZeroDivisionError, TypeError):
            return math.nan
        if math.isinf(result) and math.isfinite(a) and math.isfinite(b):
            raise _Overflow(node)  # finite numbers' sum, product or quotient: past the range
        if node.op in "+-":
            return result
        if result == 0 and a != 0 and (node.op == "/" or b != 0):
            # a product, quotient or power of nonzero numbers is never 0: float64
            # rounded it there (a**b of a nonzero a is 0 only by underflow)
            raise _Underflow
        return result


# What a finite value too large for float64 (1e400, 10**400) is said to be.
BEYOND_FLOAT64 = "is beyond float64's range (about 1.8e308)"
# What a nonzero value too small for float64 (1e-400, Fraction(1, 10**400)) is
# said to be: float64 would make it 0, a different point (log(x) has a pole there).
BELOW_FLOAT64 = "is below float64's smallest number (about 4.9e-324) and would be 0"

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def _plain_number(text: str) -> float | str:
    """A number written in digits, read as Python reads it (any float64, 1e308 and
    subnormals included), or why float64 cannot hold it."""
    value = float(text)
    if not math.isfinite(value):
        # digits only: a finite number, rounded to inf for being too large
        return BEYOND_FLOAT64
    if value == 0 and any(d in "123456789" for d in text.lower().split("e")[0]):
        return BELOW_FLOAT64
    return value


def _past_exponent_limit(text: str) -> bool:
    """Whether a number token is written with an exponent past the parser's limit."""
    _, marker, exponent = text.lower().partition("e")
    return bool(marker) and abs(int(exponent)) > MAX_DECIMAL_EXPONENT


def _stand_ins(text: str, where: str) -> tuple[str, dict[int, float]]:
    """``text`` with each number written past the parser's exponent limit (1e308)
    replaced by a stand-in of the same width ("1" and spaces), so that the parser
    reads the expression around it, and those numbers' float64 values by column:
    in ``--at`` a number is any float64, as ``--at x=1e308`` is. One that float64
    cannot hold (1e-400, 1e400) is refused, named."""
    literals: dict[int, float] = {}
    chars = list(text)
    for token in tokenize(text):
        if token.kind != "NUMBER" or not _past_exponent_limit(token.text):
            continue
        value = _plain_number(token.text)
        if isinstance(value, str):
            raise PointError(f"{where}: the number {token.text} in '{text}' {value}")
        literals[token.column] = value
        start = token.column - 1
        chars[start : start + len(token.text)] = "1".ljust(len(token.text))
    return "".join(chars), literals


def parse_value(text: str, where: str) -> float:
    """A finite number from ``--at``: 2, -0.5, 1e-3, pi/4, 2*pi."""
    stripped = text.strip()
    if not stripped:
        raise PointError(f"{where}: the value is empty")
    if _PLAIN_NUMBER.fullmatch(stripped):
        # Any float64, subnormals and 1e308 included, read as Python reads it.
        plain = _plain_number(stripped)
        if isinstance(plain, str):
            raise PointError(f"{where}: '{text}' {plain}")
        return plain
    try:
        # the numbers of a constant expression are read as a plain --at number is
        # (2*1e308 is past float64's range, not a number past the parser's limit)
        source, literals = _stand_ins(stripped, where)
        tree = parse(source).tree
        value = fold(tree, _ConstantValue(literals))
    except NumberSpellingError as exc:
        # 0x1F, 1_000: the parser's message says what to write (its column is the value's)
        raise PointError(f"{where}: {exc.message}") from None
    except PointError:
        raise  # a number of it that float64 cannot hold, named
    except _Underflow:
        raise PointError(f"{where}: '{text}' {BELOW_FLOAT64}") from None
    except _Overflow as exc:
        whole = tree
        while isinstance(whole, Negate):
            whole = whole.operand
        if exc.node is whole:  # the value itself (10**400, -(2*1e308))
            raise PointError(f"{where}: '{text}' {BEYOND_FLOAT64}") from None
        raise PointError(  # a step on the way (1e300*1e300/1e300 is 1e300)
            f"{where}: '{text}' passes float64's range (about 1.8e308) on the way, "
            "where float64 has no number"
        ) from None
    except (InputError, NotImplementedError, OverflowError):
        raise PointError(
            f"{where}: '{text}' is not a number (use e.g. 2, -0.5, 1e-3 or pi/4)"
        ) from None
    if isinstance(value, complex) or not math.isfinite(value):
        raise PointError(f"{where}: '{text}' is not a finite real number")
    return float(value)


def _parse_grid(text: str, where: str) -> Grid:
    parts = text.split(":")
    if len(parts) != 3:
        raise PointError(f"{where}: a grid is start:stop:count, got '{text}'")
    start = parse_value(parts[0], where)
    stop = parse_value(parts[1], where)
    count_text = parts[2].strip()
    if not (count_text.isascii() and count_text.isdigit()):
        # '-3' and '2.5' land here as well as 'many': the count is digits, 1 or more
        raise PointError(
            f"{where}: the count in '{text}' must be a positive whole number of points, "
            "in digits (such as 7)"
        )
    count = int(count_text)
    if count < 1:
        raise PointError(f"{where}: the count in '{text}' must be at least 1")
    if count > MAX_POINTS:
        raise LimitError(f"{where}: {count:,} points; the limit is {MAX_POINTS:,}")
    return Grid(start, stop, count)


def parse_at(options: Sequence[str], variables: Sequence[str], *, mesh: bool = False) -> PointSpec:
    """All ``--at`` options as one point specification over exactly ``variables``.

    Each ``--at`` is a whole point (or a set of points): it gives every
    variable. Grids of several variables in one ``--at`` are paired point by
    point, or, with ``mesh``, combined into every pair (as ``torch.meshgrid``).
    """
    given: list[tuple[tuple[str, Coordinate], ...]] = []
    total = 0
    for option in options:
        where = f"--at {option}"
        assignments: dict[str, Coordinate] = {}
        for item in option.split(","):
            if "=" not in item:
                raise PointError(f"{where}: expected name=value, got '{item.strip()}'")
            name, _, value = item.partition("=")
            name = name.strip()
            if not is_variable_name(name):
                raise PointError(f"{where}: '{name}' is not a variable name")
            if name in assignments:
                raise PointError(f"{where}: '{name}' is given twice")
            if name not in variables:
                known = ", ".join(variables) if variables else "none"
                constant = lookup_constant(name)
                if constant is not None:
                    raise PointError(
                        f"{where}: '{name}' is the constant {constant.summary.split(' (')[0]}, "
                        f"not a variable (variables: {known}); use another name for a variable"
                    )
                raise PointError(
                    f"{where}: '{name}' is not a variable of the expression (variables: {known})"
                )
            assignments[name] = (
                _parse_grid(value, where) if ":" in value else parse_value(value, where)
            )
        missing = [name for name in variables if name not in assignments]
        if missing:
            example = ",".join(f"{n}=1" for n in variables)
            raise PointError(
                f"{where}: no value for {', '.join(repr(m) for m in missing)}; each --at is a "
                f"whole point and gives every variable (e.g. --at {example})"
            )
        counts = [c.count for c in assignments.values() if isinstance(c, Grid) and c.count > 1]
        if mesh:
            total += math.prod(counts)
        else:
            if len(set(counts)) > 1:
                raise PointError(
                    f"{where}: grids in one --at are paired point by point, so they need the "
                    "same count (or use --mesh for every combination)"
                )
            total += counts[0] if counts else 1
        if total > MAX_POINTS:
            raise LimitError(f"--at: {total:,} points in all; the limit is {MAX_POINTS:,}")
        given.append(tuple((name, assignments[name]) for name in variables))
    return PointSpec(names=tuple(variables), options=tuple(given), count=total, mesh=mesh)


# Sample points used when no --at is given: away from 0 and the integers,
# where kinks and poles of everyday functions sit.
SAMPLE_VALUES = (0.37, -1.21, 1.83, -0.64, 2.47, 0.91, -2.13)


def sample_points(variables: Sequence[str], count: int = 5) -> PointSpec:
    """A few fixed, deterministic points; each variable gets its own sequence."""
    options = tuple(
        tuple(
            (name, SAMPLE_VALUES[(i + 2 * k) % len(SAMPLE_VALUES)])
            for k, name in enumerate(variables)
        )
        for i in range(count)
    )
    return PointSpec(names=tuple(variables), options=options, count=count)


def float64_points(spec: PointSpec) -> PointSet:
    """The points in float64 without torch: numbers as given; grids only where
    they have one point (the commands that need grids make them with torch)."""
    columns: dict[str, list[float]] = {name: [] for name in spec.names}
    for option, size in zip(spec.options, spec.sizes(), strict=True):
        for name, coordinate in option:
            if isinstance(coordinate, Grid):
                if coordinate.count != 1:
                    raise ValueError("a grid needs torch.linspace")
                columns[name].extend([coordinate.start] * size)
            else:
                columns[name].extend([coordinate] * size)
    return PointSet(names=spec.names, columns=columns, count=spec.count)


def parse_wrt(options: Sequence[str], variables: Sequence[str]) -> list[str]:
    """Validate ``--wrt`` names against the expression's variables."""
    result = []
    for option in options:
        for name in (part.strip() for part in option.split(",")):
            if not is_variable_name(name):
                raise PointError(f"--wrt: '{name}' is not a variable name")
            if name not in variables:
                known = ", ".join(variables) if variables else "none"
                constant = lookup_constant(name)
                if constant is not None:
                    raise PointError(
                        f"--wrt {name}: '{name}' is the constant "
                        f"{constant.summary.split(' (')[0]}, not a variable (variables: {known})"
                    )
                raise PointError(
                    f"--wrt {name}: '{name}' does not appear in the expression (variables: {known})"
                )
            result.append(name)
    return result
