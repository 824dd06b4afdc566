"""Stage 2 of the pipeline: the closed-form derivative, with symengine.

Why symengine and not sympy for the calculus: sympy's automatic evaluation
grows about 7x per level on chains like ``tanh(sin(...)+x)`` and its ``diff``
takes seconds to minutes on ordinary higher-order derivatives (see
shared/NOTES.md); symengine, sympy's C++ sister engine, builds and
differentiates the same expressions in microseconds to milliseconds. sympy is
kept for what it does best, printing the result in its familiar form
(``2*x + 2``), and only for results small enough to print quickly.

The tree from ``language/parser.py`` is translated node by node; nothing is ever
handed to ``sympify``/``subs`` as text. Functions symengine knows are used
natively. The others (relu, abs, sigmoid, ...) are opaque symengine functions
whose derivative comes from the function table, written in derivcli's own
language: after each differentiation step the ``Derivative``/``Subs`` nodes
symengine leaves for them are replaced with that rule.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import symengine as se

from derivcli.errors import BudgetError, InputError, LimitError
from derivcli.language.functions import FUNCTIONS, lookup_constant, lookup_function
from derivcli.language.parser import Expression, parse
from derivcli.language.printer import to_text as to_source
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

# Exact integers are computed when both sides of ** are numbers; beyond this
# many bits the number is refused instead of eating memory and time.
MAX_EXACT_BITS = 4096
# A closed form larger than this many operations stops the differentiation.
MAX_CLOSED_FORM_OPS = 2_000_000
# Closed forms up to this size are printed by sympy, larger ones by symengine.
MAX_SYMPY_PRINT_OPS = 400
# Up to this size a closed form is compiled for vectorised evaluation
# (symengine's Lambdify: 0.14 s to compile 3,200 operations, 0.8 s at 6,400;
# larger ones are evaluated point by point, at about 1 ms per 1,000 operations).
MAX_LAMBDIFY_OPS = 4_000
# Binary precision of the closed form's values at single points (see Evaluator).
PRECISE_BITS = 256
_FLOAT64_MAX = se.RealMPFR(repr(sys.float_info.max), PRECISE_BITS)
# Points evaluated per call of a compiled closed form, between deadline checks.
EVALUATION_BLOCK = 8_192

_OPAQUE: dict[str, Any] = {}


def _opaque(name: str) -> Any:
    if name not in _OPAQUE:
        _OPAQUE[name] = se.Function(name)
    return _OPAQUE[name]


def symbol(name: str) -> Any:
    """The symengine symbol for a derivcli variable (all are real)."""
    return se.Symbol(name)


# ---------------------------------------------------------------- building


def build(expression: Expression) -> Any:
    """Translate a parsed expression into a symengine expression."""
    env = {name: symbol(name) for name in expression.variables}
    return fold(expression.tree, SymengineBuilder(env))


class SymengineBuilder(Fold[Any]):
    """A tree as a symengine expression; constant parts are checked on the way
    (a finite real number, of at most MAX_EXACT_BITS)."""

    def __init__(self, env: Mapping[str, Any]) -> None:
        self.env = env

    def number(self, node: Number) -> Any:
        value = node.value
        if value.denominator == 1:
            return se.Integer(value.numerator)
        return se.Rational(value.numerator, value.denominator)

    def variable(self, node: Variable) -> Any:
        return self.env[node.name]

    def constant(self, node: Constant) -> Any:
        constant = lookup_constant(node.name)
        assert constant is not None
        return getattr(se, constant.symengine)

    def negate(self, node: Negate, operand: Any) -> Any:
        return -operand

    def call(self, node: Call, args: list[Any]) -> Any:
        spec = lookup_function(node.name)
        assert spec is not None
        if spec.symengine is not None:
            return _real_or_reject(getattr(se, spec.symengine)(*args), node)
        return _opaque(spec.name)(*args)

    def binary(self, node: BinaryOp, left: Any, right: Any) -> Any:
        if node.op == "+":
            return _check_exact_size(left + right, node.column)
        if node.op == "-":
            return _check_exact_size(left - right, node.column)
        if node.op == "*":
            return _check_exact_size(left * right, node.column)
        if node.op == "/":
            if right == 0:
                raise InputError(f"division by zero at column {node.column}")
            return _check_exact_size(left / right, node.column)
        _check_exact_power(left, right, node.column)
        return _real_or_reject(left**right, node)


def _real_or_reject(value: Any, node: Node) -> Any:
    """Refuse a constant part that is not a finite real number (log(0), sqrt(-1))."""
    # Parts with variables are checked where their constant pieces are built.
    if value.free_symbols:
        return value
    bad = isinstance(value, se.Number) and not (value.is_real and value.is_finite)
    if bad or any(value.has(c) for c in (se.I, se.zoo, se.nan, se.oo)) or _complex(value):
        raise InputError(f"'{to_source(node)}' at column {node.column} is not a finite real number")
    return value


def _complex(constant: Any) -> bool:
    """A constant whose value is not real: (-8)**(1/3), acos(2), log(-log(2))."""
    if isinstance(constant, se.Number):
        return False
    try:
        value = complex(constant.evalf(53))
    except (RuntimeError, TypeError, ValueError, OverflowError):
        return False
    return abs(value.imag) > 1e-12 * max(1.0, abs(value.real))


def _check_exact_size(value: Any, column: int) -> Any:
    """Refuse an exact number (e.g. 1e300*1e300*...) beyond MAX_EXACT_BITS.

    The number may also be the coefficient of a product or the constant of a
    sum (x*1e300*1e300*...: symengine folds the numbers into x's coefficient);
    symengine keeps that number first among the arguments.
    """
    if isinstance(value, (se.Mul, se.Add)):
        _check_exact_size(value.args[0], column)
        return value
    if isinstance(value, se.Rational) or isinstance(value, se.Integer):
        p, q = value.get_num_den()
        bits = max(int(p).bit_length(), int(q).bit_length())
        if bits > MAX_EXACT_BITS:
            raise LimitError(
                f"the number built at column {column} has about {bits:,} bits; "
                f"exact numbers are limited to {MAX_EXACT_BITS:,} bits"
            )
    return value


def _check_exact_power(base: Any, exponent: Any, column: int) -> None:
    """Refuse number**number whose exact value would be astronomically large."""
    if not (isinstance(base, se.Number) and isinstance(exponent, se.Number)):
        return
    if not isinstance(exponent, se.Integer):
        return
    try:
        magnitude = abs(Fraction(str(base)))
    except ValueError:
        return
    if magnitude in (0, 1):
        return
    size = max(abs(magnitude.numerator), abs(magnitude.denominator))
    bits = abs(int(exponent)) * size.bit_length()
    if bits > MAX_EXACT_BITS:
        raise LimitError(
            f"the power at column {column} is a number of about {bits:,} bits; "
            f"exact numbers are limited to {MAX_EXACT_BITS:,} bits"
        )


# ---------------------------------------------------------------- derivative rules

_RULES: dict[str, tuple[Any, ...]] = {}


def _rules(name: str) -> tuple[Any, ...]:
    """The parsed partial derivatives of an opaque function, in terms of a and b."""
    if name not in _RULES:
        spec = lookup_function(name)
        assert spec is not None and spec.derivative
        _RULES[name] = tuple(parse(rule).tree for rule in spec.derivative)
    return _RULES[name]


def _apply_rule(name: str, index: int, args: Sequence[Any]) -> Any:
    # Built afresh from the rule's tree with a and b bound to the arguments:
    # substituting into a prebuilt rule leaves sums uncanonical (x - (2 - x)).
    env = {"a": args[0], "b": args[1] if len(args) > 1 else args[0]}
    return _tidy_arguments(fold(_rules(name)[index], SymengineBuilder(env)))


# symengine keeps -1*(2 - x) unexpanded, so the rule heaviside(a - b) for
# max(x, 2 - x) would read heaviside(x - (2 - x)); small arguments are expanded.
MAX_TIDY_OPS = 40


def _tidy_arguments(expr: Any) -> Any:
    replacements = {}
    for node in expr.atoms(se.FunctionSymbol):
        args = node.args
        if all(se.count_ops(a) <= MAX_TIDY_OPS for a in args):
            tidy = [se.expand(a) for a in args]
            if tidy != list(args):
                replacements[node] = _opaque(node.get_name())(*tidy)
    return expr.xreplace(replacements) if replacements else expr


def _resolve_opaque_derivatives(expr: Any) -> Any:
    """Replace symengine's unevaluated derivatives of opaque functions."""
    replacements: dict[Any, Any] = {}
    for node in expr.atoms(se.Subs):
        derivative, dummies, values = node.args[0], node.args[1], node.args[2]
        dummies = dummies if isinstance(dummies, tuple) else (dummies,)
        values = values if isinstance(values, tuple) else (values,)
        inner, wrt = derivative.args[0], derivative.args[1:]
        if len(wrt) != 1 or not hasattr(inner, "get_name"):
            continue
        # The dummy stands in for the argument being differentiated; its
        # position among the function's arguments picks the rule.
        index = list(inner.args).index(wrt[0])
        args = [a.xreplace(dict(zip(dummies, values, strict=True))) for a in inner.args]
        replacements[node] = _apply_rule(inner.get_name(), index, args)
    for node in expr.atoms(se.Derivative):
        inner, wrt = node.args[0], node.args[1:]
        if len(wrt) != 1 or not hasattr(inner, "get_name"):
            continue
        # d f(..., x, ...)/dx where x appears directly: chain rule through each
        # argument that depends on x.
        total = se.Integer(0)
        for index, arg in enumerate(inner.args):
            darg = se.diff(arg, wrt[0])
            if darg != 0:
                total += _apply_rule(inner.get_name(), index, list(inner.args)) * darg
        replacements[node] = total
    return expr.xreplace(replacements) if replacements else expr


def differentiate(
    expr: Any, variables: Sequence[str], *, deadline: float | None = None
) -> list[Any]:
    """Differentiate once per entry of ``variables``; return every step.

    The list starts with ``expr`` itself, so ``result[k]`` is the k-th
    derivative. Between steps the size and the clock are checked, which
    bounds the work: one step of symengine is fast for any closed form that
    is allowed to reach it.
    """
    steps = [expr]
    current = expr
    # Without opaque functions there is nothing to resolve, and walking a
    # large closed form for them would cost more than differentiating it.
    opaque = has_opaque(expr)
    for count, name in enumerate(variables, start=1):
        if deadline is not None and time.monotonic() > deadline:
            raise BudgetError(
                f"the closed form was not reached within the time budget "
                f"(stopped after {count - 1} of {len(variables)} differentiations)"
            )
        started = time.monotonic()
        current = se.diff(current, symbol(name))
        if opaque:
            current = _resolve_opaque_derivatives(current)
        # Counting is itself linear in the size: only worth it once a step is slow.
        if time.monotonic() - started > SLOW_STEP_SECONDS:
            ops = se.count_ops(current)
            if ops > MAX_CLOSED_FORM_OPS:
                raise BudgetError(
                    f"the closed form grew past {MAX_CLOSED_FORM_OPS:,} operations "
                    f"after {count} of {len(variables)} differentiations"
                )
        steps.append(current)
    return steps


SLOW_STEP_SECONDS = 0.05


def has_opaque(expr: Any) -> bool:
    """Whether ``expr`` uses any of derivcli's opaque functions (relu, abs, ...)."""
    return bool(expr.atoms(se.FunctionSymbol))


# ---------------------------------------------------------------- evaluation


def to_native(expr: Any) -> Any:
    """Rewrite opaque functions into symengine's own, for evaluation only."""
    replacements: dict[Any, Any] = {}
    opaque_names = {spec.name for spec in FUNCTIONS if spec.symengine is None}
    for node in expr.atoms(se.FunctionSymbol):
        name = node.get_name()
        if name in opaque_names:
            spec = lookup_function(name)
            assert spec is not None and spec.native is not None
            replacements[node] = spec.native(se, [to_native(a) for a in node.args])
    return expr.xreplace(replacements) if replacements else expr


def number_to_float(value: Any) -> float:
    """A symengine number as a Python float; complex values are not real: nan."""
    if isinstance(value, se.ComplexDouble) or (isinstance(value, se.Number) and not value.is_real):
        parts = complex(value)
        # (-2.0)**3.0 goes through complex pow and keeps a rounding-size
        # imaginary part; a real value is what it stands for.
        real = abs(parts.imag) <= 1e-12 * abs(parts.real)
        return parts.real if real else math.nan
    if value == se.zoo:
        return math.inf
    if value == se.oo:
        return math.inf
    if value == -se.oo:
        return -math.inf
    if value == se.nan:
        return math.nan
    try:
        return float(value)
    except (RuntimeError, TypeError, ValueError, OverflowError):
        return math.nan


class Evaluator:
    """Evaluates one closed form in float64 at points, independently of torch.

    With a ``deadline`` (``time.monotonic()``), evaluating many points stops
    with a BudgetError as soon as the points done so far show that the rest
    would not fit, instead of running into the deadline.

    ``precise``: point by point (``at``, and ``many`` for up to 8 points), the
    closed form is evaluated at exactly the float64 point torch gets, but
    with PRECISE_BITS of binary precision, and only the result is rounded to
    float64, so cancellation inside the closed form does not leak into the
    reference value: d/dx tanh(x) = 1 - tanh(x)**2 at x=20 is 1.7e-17, where
    float64 arithmetic gives 0. Grids (more points) use the compiled float64
    form. f itself and kink arguments are evaluated without it, in float64
    as torch computes them (whether exp(x) overflows, whether x-0.1 is 0).
    """

    def __init__(
        self,
        expr: Any,
        names: Sequence[str],
        *,
        opaque: bool = True,
        deadline: float | None = None,
        precise: bool = False,
    ) -> None:
        native = to_native(expr) if opaque else expr
        # sign(sin(0.5*pi)) stays symbolic unless pi is a float already.
        self.native = native.xreplace({se.pi: se.RealDouble(math.pi), se.E: se.RealDouble(math.e)})
        self.names = list(names)
        self.symbols = [symbol(n) for n in names]
        self.deadline = deadline
        self.bits = PRECISE_BITS if precise else 53
        self._compiled: Any = None
        self._ops: int | None = None

    @property
    def ops(self) -> int:
        if self._ops is None:
            self._ops = int(se.count_ops(self.native))
        return self._ops

    def at(self, point: Mapping[str, float], *, bits: int | None = None) -> float:
        """The value at one point (with ``bits`` of precision instead of the evaluator's)."""
        value = self._value(point, bits or self.bits)
        return math.nan if value is None else number_to_float(value)

    def beyond_float64(self, point: Mapping[str, float]) -> bool:
        """Whether the value here is a finite number past float64's range.

        Evaluated with PRECISE_BITS, whose exponent range is far wider than
        float64's: d/dx 1/x at 1e-300 is -1e600 there (an overflow, exit 3),
        while at 0 it is infinite (a pole). False where it is not known.
        """
        value = self._value(point, PRECISE_BITS)
        if not isinstance(value, se.RealMPFR) or "@" in str(value):  # @Inf@, @NaN@
            return False
        return bool(abs(value) > _FLOAT64_MAX)

    def _value(self, point: Mapping[str, float], bits: int) -> Any:
        pairs = zip(self.symbols, self.names, strict=True)
        if bits > 53:
            # Exactly the float64 point torch gets (Decimal spells a double
            # out exactly), in binary floating point, not exact arithmetic:
            # x**(10**10) at 2 is a large float, not a ten-billion-bit integer.
            mapping = {s: se.RealMPFR(str(Decimal(float(point[n]))), bits) for s, n in pairs}
        else:
            mapping = {s: se.RealDouble(float(point[n])) for s, n in pairs}
        try:
            value = self.native.subs(mapping)
            if not isinstance(value, se.Number):
                value = value.evalf(bits)
            return value
        except (RuntimeError, ZeroDivisionError, OverflowError, TypeError, ValueError):
            return None

    def many(self, points: Mapping[str, Sequence[float]], count: int) -> list[float]:
        """Values at ``count`` points given column-wise."""
        began = time.monotonic()
        if count > 8 and self.ops <= MAX_LAMBDIFY_OPS and self._compile():
            import numpy as np

            columns = [np.asarray(points[n], dtype=np.float64) for n in self.names]
            if not columns:
                return [self.at({})] * count
            stacked = np.stack(
                [np.broadcast_to(c, (count,)) if c.size == 1 else c for c in columns], axis=-1
            )
            parts = []
            for start in range(0, count, EVALUATION_BLOCK):
                self._on_time(began, start, count)
                with np.errstate(all="ignore"):
                    block = stacked[start : start + EVALUATION_BLOCK]
                    parts.append(
                        np.asarray(self._compiled(block), dtype=np.float64).reshape(len(block))
                    )
            return [float(v) for v in np.concatenate(parts)]
        # Grids stay in float64 here too: 256 bits cost 2.5x per point.
        bits = self.bits if count <= 8 else 53
        values = []
        for i in range(count):
            if i % 16 == 0:
                self._on_time(began, i, count)
            values.append(self.at({n: points[n][i] for n in self.names}, bits=bits))
        return values

    def _on_time(self, began: float, done: int, count: int) -> None:
        """Raise BudgetError if ``count`` points, at the pace of ``done``, miss the deadline."""
        if self.deadline is None:
            return
        now = time.monotonic()
        predicted = now + (now - began) / done * (count - done) if done else now
        if predicted > self.deadline:
            raise BudgetError(
                f"the closed form ({self.ops:,} operations) could not be evaluated at "
                f"{count:,} points within the time budget"
            )

    def _compile(self) -> bool:
        if self._compiled is None:
            try:
                self._compiled = se.Lambdify(self.symbols, [self.native], real=True)
            except (RuntimeError, TypeError, ValueError):
                self._compiled = False
        return bool(self._compiled)


# ---------------------------------------------------------------- printing


def to_text(expr: Any) -> str:
    """The closed form in derivcli's syntax (parseable by ``parser.parse``)."""
    if se.count_ops(expr) <= MAX_SYMPY_PRINT_OPS:
        try:
            return _sympy_text(expr)
        except (RecursionError, ValueError, TypeError, AttributeError):
            pass
    return str(expr)


def _sympy_text(expr: Any) -> str:
    import sympy

    with sympy.evaluate(False):
        converted = _to_sympy(expr, sympy, {})
    return str(sympy.sstr(converted, order=None))


_SYMPY_CLASSES = {
    "Add": "Add",
    "Mul": "Mul",
    "Pow": "Pow",
}


def _to_sympy(expr: Any, sympy: Any, memo: dict[Any, Any]) -> Any:
    if expr in memo:
        return memo[expr]
    kind = type(expr).__name__
    result: Any
    if isinstance(expr, se.Symbol):
        result = sympy.Symbol(expr.name, real=True)
    elif isinstance(expr, se.Integer):
        result = sympy.Integer(int(expr))
    elif isinstance(expr, se.Rational):
        p, q = expr.get_num_den()
        result = sympy.Rational(int(p), int(q))
    elif expr == se.pi:
        result = sympy.pi
    elif expr == se.E:
        result = sympy.E
    elif isinstance(expr, se.FunctionSymbol):
        args = [_to_sympy(a, sympy, memo) for a in expr.args]
        result = sympy.Function(expr.get_name())(*args)
    elif kind == "Pow" and expr.args[0] == se.E:
        result = sympy.Function("exp")(_to_sympy(expr.args[1], sympy, memo))
    elif kind in _SYMPY_CLASSES:
        args = [_to_sympy(a, sympy, memo) for a in expr.args]
        result = getattr(sympy, _SYMPY_CLASSES[kind])(*args)
    elif lookup_function(kind) is not None or kind in ("Abs", "Max", "Min"):
        spec = lookup_function(kind.lower() if kind in ("Abs", "Max", "Min") else kind)
        assert spec is not None
        args = [_to_sympy(a, sympy, memo) for a in expr.args]
        # Printed under derivcli's names so the text parses back.
        result = sympy.Function(spec.name)(*args)
    else:
        raise ValueError(f"cannot print {kind}")
    memo[expr] = result
    return result
