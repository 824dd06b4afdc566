"""An independent oracle for derivcli: values and derivatives with mpmath only.

The differential fuzzer (``fuzzing.py``) grades derivcli against this module,
so nothing here may share code with what it grades: it reads derivcli's parse
tree and the *names* of its function table, and computes everything else
itself. It never imports symbolic/, language/evaluate.py, autograd/, compare.py,
results.py, symengine or sympy.

Semantics (real-valued, as the README states them)
--------------------------------------------------
* A value outside the real domain (``log(-1)``, ``sqrt(-1)``, ``(-8)**(1/3)``,
  ``acos(2)``) is undefined, and so is a pole (``1/0``, ``log(0)``,
  ``atanh(1)``, ``0**-1``). Any undefined intermediate makes f undefined at
  that point: ``sigmoid(log(t))`` is undefined at t=0.
* ``heaviside(0) = 1/2``, ``sign(0) = 0``.
* ``a**b``: an integer-valued exponent gives the real power for any base
  (``(-2)**3``); otherwise the base must be positive, or zero with a positive
  exponent. A constant exponent 0 gives 1 (``x**0``).

Evaluation
----------
Numbers and coordinates stay exact (``fractions.Fraction``) through
``+ - * /``, integer powers, exact roots and the kinked functions; only a
transcendental step (sin, exp, pi, ...) turns a value into an mpmath ``mpf``
at the working precision. So ``abs(x*0.1 - 0.3)`` at x=3 and ``relu(x*y - 2)``
at x=1, y=2 have an argument that is exactly 0, and a finite-difference step
beside them lands exactly on one side.

Every argument whose zero is a kink (abs, sign, heaviside, relu, max, min),
a domain edge or a pole (log, sqrt, asin, acos, acosh, atanh, tan, division,
non-integer or negative powers) is recorded as a *critical quantity*. It is
evaluated at two precisions: a value that is not exact and changes between
them is rounding noise around 0 (``abs(sin(pi*x))`` at x=1), and the oracle
says it cannot tell (inconclusive) rather than guess.

Derivatives
-----------
* Regular point (every critical quantity nonzero): f is analytic around the
  point, and the derivative is a central finite difference with
  ``mpmath.diff`` (mixed partials with its tuple form), with a step far below
  the distance to the nearest critical point, at a precision that absorbs the
  cancellation.
* Special point (some critical quantity is exactly 0): the derivative is
  built one differentiation at a time. D_0 = f; D_k at a point exists when
  D_(k-1) exists there and its left and right derivatives along the k-th
  variable (``mpmath.diff`` with ``direction=-1`` / ``+1``) are finite and
  equal. Each one-sided derivative is taken at two steps h and h*2**-S: a
  quotient that stays put is finite, one that grows with 1/h is infinite,
  anything else is inconclusive; D_(k-1) must also be continuous from that
  side (a jump makes the quotient grow like 1/h and is named as a jump). Inner
  differentiations use steps far below the outer ones, so every stencil stays
  on one side of the point being examined.

Every value carries two error bounds: rounding (a few ulps of the largest
intermediate value, so ``exp(x) + 1e300`` shows its cancellation; divided by
the step in each difference) and truncation (the spread between the two steps).
When the rounding bound is not negligible next to the value, the precision is
raised and the level recomputed (up to ~24,000 extra bits): a derivative that is
0 is then known to be below 2**-1100, under every float64.

Honesty: the whole computation runs at two levels (steps, precision); when
they disagree a third, finer level is tried, and when that disagrees too the
result is *inconclusive* (counted and skipped by the fuzzer, never guessed).
Also inconclusive: a kink/edge argument within rounding of 0 (``sin(pi*x)`` at
1), values past 2**(2**40) or arguments of exp/sin/... past 2**1100
(``sinh(1e308)``), and a rounding error that does not shrink with precision.

float64 shadow
--------------
derivcli documents that f and the arguments of kinked functions are judged in
float64, as torch computes them (``1/(x-0.1)`` at 0.1 is a pole there; exp
overflowing decides how a point is classified). The oracle therefore also
evaluates f in float64 with torch's conventions and reports two flags that
the fuzzer uses to skip what is a documented convention, not a defect:
``edge_convention`` (float64 puts a domain/pole argument on another side of 0
than exact arithmetic does) and ``f64_overflow`` (f is not finite in float64
but is in exact arithmetic).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
from mpmath import mp
from mpmath.libmp import from_rational, to_rational

# ------------------------------------------------------------ the code under test
# The only imports from derivcli: its parse tree and the names/arities of its
# function table. Keep them here, so that they are easy to repoint.
from derivcli.language.functions import FUNCTIONS as _DERIVCLI_FUNCTIONS
from derivcli.language.parser import parse as _derivcli_parse
from derivcli.language.tree import BinaryOp, Call, Constant, Negate, Node, Number, Variable

# How many expressions each function takes (its constant parameters aside).
TABLE_ARITY: dict[str, int] = {spec.name: spec.arity for spec in _DERIVCLI_FUNCTIONS}
# Functions whose constant parameters come before the expressions (polygamma(n, x)).
PARAMS_FIRST = frozenset(spec.name for spec in _DERIVCLI_FUNCTIONS if spec.params_first)
KINKED = frozenset(
    {"abs", "sign", "heaviside", "relu", "max", "min", "floor", "ceil", "round", "trunc"}
    | {"frac", "atan2", "hardshrink"}
)


def _template_tree(text: str) -> Node:
    """derivcli's parse tree of one of this module's definitions (in a, b, c)."""
    return _derivcli_parse(text, template=True).tree


def parse_tree(text: str) -> Node:
    """derivcli's parse tree of ``text`` (raises derivcli's error on bad input), with
    the functions this oracle defines by others (DEFINITIONS) written out."""
    return expand_definitions(_derivcli_parse(text).tree)


def expression_variables(text: str) -> tuple[str, ...]:
    """The variables of ``text``, sorted, as derivcli reads them."""
    return tuple(_derivcli_parse(text).variables)


# ------------------------------------------------------------ functions defined by others

# The oracle's own definitions, written from the mathematics (torch's documented
# formulas for the activations), by number of arguments. They are expanded in
# the parse tree before anything is evaluated, so every kink, domain edge and
# pole they contain is found by the primitives below.
SELU_ALPHA = "1.6732632423543772848170429916717"
SELU_SCALE = "1.0507009873554804934193349852946"
DEFINITIONS: dict[str, dict[int, str]] = {
    "sec": {1: "1/cos(a)"},
    "csc": {1: "1/sin(a)"},
    "cot": {1: "cos(a)/sin(a)"},
    "asec": {1: "acos(1/a)"},
    "acsc": {1: "asin(1/a)"},
    "acot": {1: "pi/2 - atan(a)"},
    "exp2": {1: "2**a"},
    "log2": {1: "log(a)/log(2)"},
    "log10": {1: "log(a)/log(10)"},
    "cbrt": {1: "sign(a)*abs(a)**(1/3)"},
    "hypot": {2: "sqrt(a**2 + b**2)"},
    "factorial": {1: "gamma(a + 1)"},
    "clamp": {3: "min(max(a, b), c)"},
    "softplus": {2: "softplus(b*a)/b", 3: "softplus(b*a)/b"},
    "gelu": {1: "a*(1 + erf(a/sqrt(2)))/2"},
    "gelu_tanh": {1: "a*(1 + tanh(sqrt(2/pi)*(a + 0.044715*a**3)))/2"},
    "silu": {1: "a*sigmoid(a)"},
    "mish": {1: "a*tanh(softplus(a))"},
    "elu": {1: "max(a, 0) + exp(min(a, 0)) - 1", 2: "max(a, 0) + b*(exp(min(a, 0)) - 1)"},
    "selu": {1: f"{SELU_SCALE}*(max(a, 0) + {SELU_ALPHA}*(exp(min(a, 0)) - 1))"},
    "celu": {1: "max(a, 0) + min(0, exp(a) - 1)", 2: "max(a, 0) + min(0, b*(exp(a/b) - 1))"},
    "leaky_relu": {1: "max(a, 0) + min(a, 0)/100", 2: "max(a, 0) + b*min(a, 0)"},
    "relu6": {1: "min(max(a, 0), 6)"},
    "hardtanh": {1: "min(max(a, -1), 1)", 2: "min(max(a, b), 1)", 3: "min(max(a, b), c)"},
    "hardsigmoid": {1: "min(max(a + 3, 0), 6)/6"},
    "hardswish": {1: "a*min(max(a + 3, 0), 6)/6"},
    "softsign": {1: "a/(1 + abs(a))"},
    "logsigmoid": {1: "log(sigmoid(a))"},
    "tanhshrink": {1: "a - tanh(a)"},
    "softshrink": {1: "max(a - 1/2, 0) + min(a + 1/2, 0)", 2: "max(a - b, 0) + min(a + b, 0)"},
    "hardshrink": {1: "hardshrink(a, 1/2)"},
}

# Constant parameters the fuzzer passes (each tuple is one choice; () keeps
# torch's defaults), for every function of the table that has parameters.
PARAMETER_CHOICES: dict[str, list[tuple[str, ...]]] = {
    "softplus": [(), (), ("2",), ("0.5", "5")],
    "elu": [(), ("2",), ("0.5",)],
    "celu": [(), ("2",), ("0.5",)],
    "leaky_relu": [(), ("0.2",), ("3",)],
    "hardtanh": [(), ("-2", "0.5")],
    "clamp": [("-1", "1"), ("0", "2")],
    "softshrink": [(), ("0.2",), ("1",)],
    "hardshrink": [(), ("0.2",), ("1",)],
    "polygamma": [("0",), ("1",), ("2",)],
    "factorial": [("3",), ("4.5",), ("0.5",)],
}


def _substitute(node: Node, bound: Mapping[str, Node]) -> Node:
    if isinstance(node, Variable):
        return bound.get(node.name, node)
    if isinstance(node, Negate):
        return Negate(_substitute(node.operand, bound))
    if isinstance(node, BinaryOp):
        return BinaryOp(node.op, _substitute(node.left, bound), _substitute(node.right, bound))
    if isinstance(node, Call):
        return Call(node.name, tuple(_substitute(a, bound) for a in node.args))
    return node


def expand_definitions(node: Node) -> Node:
    """``node`` with every function of DEFINITIONS written out (recursively)."""
    if isinstance(node, Negate):
        return Negate(expand_definitions(node.operand))
    if isinstance(node, BinaryOp):
        return BinaryOp(node.op, expand_definitions(node.left), expand_definitions(node.right))
    if isinstance(node, Call):
        args = tuple(expand_definitions(a) for a in node.args)
        text = DEFINITIONS.get(node.name, {}).get(len(args))
        if text is None:
            return Call(node.name, args)
        bound = dict(zip("abcd", args, strict=False))
        return expand_definitions(_substitute(_template_tree(text), bound))
    return node


# ------------------------------------------------------------ exact and mp values

Real = Any  # a fractions.Fraction (exact) or an mpmath mpf (at mp.prec)

MAX_EXACT_BITS = 20_000  # past this a Fraction becomes an mpf (keeps evaluation fast)
MAX_EXACT_POWER = 64  # exact integer powers up to this exponent
HUGE_BITS = 1100  # |argument| past 2**1100: beyond every float64, the oracle stops
MAX_MAGNITUDE_BITS = 2**40  # a value past 2**(2**40) is beyond the oracle
MAX_SCALE_BITS = 3000  # steps are never below 2**-3000 (times 2**-20)


class Undefined(ArithmeticError):
    """Outside the real domain, or a pole."""


class OracleLimit(ArithmeticError):
    """A value the oracle does not evaluate (exp(exp(1e300)))."""


def to_mp(a: Real) -> Any:
    """``a`` as an mpf at the current precision (a Fraction is rounded once)."""
    if isinstance(a, Fraction):
        return mp.make_mpf(from_rational(a.numerator, a.denominator, mp.prec, "n"))
    return a


def to_fraction(a: Real) -> Fraction:
    """The exact rational value of an mpf (or a Fraction as it is)."""
    if isinstance(a, Fraction):
        return a
    p, q = to_rational(a._mpf_)
    return Fraction(p, q)


def _shrink(v: Real) -> Real:
    if isinstance(v, Fraction):
        if v.numerator.bit_length() + v.denominator.bit_length() > MAX_EXACT_BITS:
            return to_mp(v)
    return v


def _both_exact(a: Real, b: Real) -> bool:
    return isinstance(a, Fraction) and isinstance(b, Fraction)


def add(a: Real, b: Real) -> Real:
    if _both_exact(a, b):
        return _shrink(a + b)
    if a == 0 or b == 0:  # keep an exact operand exact
        return b if a == 0 else a
    return to_mp(a) + to_mp(b)


def sub(a: Real, b: Real) -> Real:
    return add(a, -b)


def mul(a: Real, b: Real) -> Real:
    if _both_exact(a, b):
        return _shrink(a * b)
    if a == 0 or b == 0:  # 0 times a finite value is exactly 0
        return Fraction(0)
    return to_mp(a) * to_mp(b)


def div(a: Real, b: Real) -> Real:
    if b == 0:
        raise Undefined("division by zero")
    if a == 0:
        return Fraction(0)
    return _shrink(a / b) if _both_exact(a, b) else to_mp(a) / to_mp(b)


def _is_integer(b: Real) -> bool:
    if isinstance(b, Fraction):
        return b.denominator == 1
    return bool(mpmath.isint(b))


def _log2_abs(a: Real) -> float:
    """log2 |a| (to about 1) for a nonzero value of any size, clamped to +-1e300."""
    if isinstance(a, Fraction):
        return a.numerator.bit_length() - a.denominator.bit_length()
    return float(max(-(10**300), min(10**300, mpmath.mag(a))))


def _guard_huge(a: Real) -> None:
    if a != 0 and _log2_abs(a) > HUGE_BITS:
        raise OracleLimit("an argument beyond 2**1100")


def _iroot(n: int, d: int) -> int | None:
    """The exact integer d-th root of n >= 0, or None."""
    if n < 2:
        return n
    r = int(round(n ** (1.0 / d))) if n.bit_length() < 1000 else 1 << (n.bit_length() // d)
    for _ in range(200):  # Newton's method on integers
        nxt = ((d - 1) * r + n // r ** (d - 1)) // d
        if abs(nxt - r) <= 1:
            break
        r = nxt
    for cand in (r - 1, r, r + 1):
        if cand >= 0 and cand**d == n:
            return cand
    return None


def _exact_root(a: Fraction, d: int) -> Fraction | None:
    num, den = _iroot(a.numerator, d), _iroot(a.denominator, d)
    return None if num is None or den is None else Fraction(num, den)


def power(a: Real, b: Real, constant_exponent: bool) -> Real:
    """Real ``a**b`` (see the module docstring for the conventions)."""
    if _is_integer(b):
        n = int(b)
        if a == 0:
            if n > 0:
                return Fraction(0)
            if n == 0 and constant_exponent:
                return Fraction(1)
            raise Undefined("0**b with b <= 0")
        if isinstance(a, Fraction) and abs(n) <= MAX_EXACT_POWER:
            return _shrink(a**n)
        if abs(n) * abs(_log2_abs(a)) > 2**HUGE_BITS:
            raise OracleLimit("a power beyond 2**2**1100")
        return to_mp(a) ** n
    if a == 0:
        if b > 0:
            return Fraction(0)
        raise Undefined("0**b with b <= 0")
    if a < 0:
        raise Undefined("negative base, non-integer exponent")
    if isinstance(a, Fraction) and isinstance(b, Fraction) and b.denominator <= 16:
        root = _exact_root(a, b.denominator)
        if root is not None and abs(b.numerator) <= MAX_EXACT_POWER:
            return _shrink(root**b.numerator)
    if abs(_log2_abs(a)) * abs(float(to_mp(b))) > 2**40:
        raise OracleLimit("a power beyond 2**2**40")
    return to_mp(a) ** to_mp(b)


def _sign(a: Real) -> int:
    return int(a > 0) - int(a < 0)


# ------------------------------------------------------------ the function table


def _analytic(name: str, at_zero: Fraction | None) -> Callable[[Real], Real]:
    """An mpmath function, exact at 0 where its value there is rational."""
    fn = getattr(mp, name)

    def call(a: Real) -> Real:
        if at_zero is not None and a == 0:
            return at_zero
        _guard_huge(a)
        return fn(to_mp(a))

    return call


def _tan(a: Real) -> Real:
    if a == 0:
        return Fraction(0)
    _guard_huge(a)
    x = to_mp(a)
    if mp.cos(x) == 0:
        raise Undefined("pole of tan")
    return mp.tan(x)


def _asin(a: Real) -> Real:
    if abs(a) > 1:
        raise Undefined("asin outside [-1, 1]")
    return Fraction(0) if a == 0 else mp.asin(to_mp(a))


def _acos(a: Real) -> Real:
    if abs(a) > 1:
        raise Undefined("acos outside [-1, 1]")
    return Fraction(0) if a == 1 else mp.acos(to_mp(a))


def _acosh(a: Real) -> Real:
    if a < 1:
        raise Undefined("acosh below 1")
    return Fraction(0) if a == 1 else mp.acosh(to_mp(a))


def _atanh(a: Real) -> Real:
    if abs(a) >= 1:
        raise Undefined("atanh outside (-1, 1)")
    return Fraction(0) if a == 0 else mp.atanh(to_mp(a))


def _log(a: Real) -> Real:
    if a <= 0:
        raise Undefined("log of a non-positive number")
    if a == 1:
        return Fraction(0)
    return mp.log(to_mp(a))


def _sqrt(a: Real) -> Real:
    if a < 0:
        raise Undefined("sqrt of a negative number")
    if isinstance(a, Fraction):
        root = _exact_root(a, 2)
        if root is not None:
            return root
    return mp.sqrt(to_mp(a))


def _abs(a: Real) -> Real:
    return abs(a)


def _signum(a: Real) -> Real:
    return Fraction(_sign(a))


def _heaviside(a: Real) -> Real:
    return Fraction(1, 2) if a == 0 else Fraction(int(a > 0))


def _relu(a: Real) -> Real:
    return a if a > 0 else Fraction(0)


def _sigmoid(a: Real) -> Real:
    if a == 0:
        return Fraction(1, 2)
    _guard_huge(a)
    return 1 / (1 + mp.exp(-to_mp(a)))


def _softplus(a: Real) -> Real:
    _guard_huge(a)
    return mp.log1p(mp.exp(to_mp(a)))


def _atan2(a: Real, b: Real) -> Real:
    if a == 0 and b >= 0:
        return Fraction(0)  # atan2(0, 0) = 0, as MPFR and torch have it
    _guard_huge(a)
    _guard_huge(b)
    return mp.atan2(to_mp(a), to_mp(b))


def _sinc(a: Real) -> Real:
    if a == 0:
        return Fraction(1)
    _guard_huge(a)
    return mp.sincpi(to_mp(a))


def _log1p(a: Real) -> Real:
    if a <= -1:
        raise Undefined("log1p at or below -1")
    return Fraction(0) if a == 0 else mp.log1p(to_mp(a))


def _erfinv(a: Real) -> Real:
    if abs(a) >= 1:
        raise Undefined("erfinv outside (-1, 1)")
    return Fraction(0) if a == 0 else mp.erfinv(to_mp(a))


def _gamma_pole(a: Real) -> bool:
    return a <= 0 and _is_integer(a)


def _gamma(a: Real) -> Real:
    if _gamma_pole(a):
        raise Undefined("a pole of gamma")
    if a == 1 or a == 2:
        return Fraction(1)
    _guard_huge(a)
    return mp.gamma(to_mp(a))


def _lgamma(a: Real) -> Real:
    if _gamma_pole(a):
        raise Undefined("a pole of gamma")
    if a == 1 or a == 2:
        return Fraction(0)
    _guard_huge(a)
    x = to_mp(a)
    return mp.loggamma(x) if x > 0 else mp.log(abs(mp.gamma(x)))


def _digamma(a: Real) -> Real:
    if _gamma_pole(a):
        raise Undefined("a pole of digamma")
    _guard_huge(a)
    return mp.digamma(to_mp(a))


def _polygamma(n: Real, a: Real) -> Real:
    if _gamma_pole(a):
        raise Undefined("a pole of polygamma")
    _guard_huge(a)
    return mp.polygamma(int(n), to_mp(a))


def _floor(a: Real) -> Real:
    if isinstance(a, Fraction):
        return Fraction(math.floor(a))
    return to_fraction(mp.floor(a))


def _ceil(a: Real) -> Real:
    return -_floor(-a)


def _trunc(a: Real) -> Real:
    return _floor(a) if a >= 0 else _ceil(a)


def _round(a: Real) -> Real:
    """Nearest integer, halves to even (torch.round)."""
    low = _floor(a)
    rest = to_fraction(sub(a, low))  # exact: a float's distance to an integer
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and low % 2 == 1):
        return low + 1
    return low


def _frac(a: Real) -> Real:
    return sub(a, _trunc(a))


def _logsumexp(a: Real, b: Real) -> Real:
    if a == b:
        return add(a, mp.log(2))
    big = _max(a, b)
    _guard_huge(big)
    return to_mp(big) + mp.log1p(mp.exp(-abs(to_mp(a) - to_mp(b))))


def _hardshrink(a: Real, lambd: Real) -> Real:
    return a if less(lambd, abs(a)) else Fraction(0)


def less(a: Real, b: Real) -> bool:
    """a < b, exactly, for any mix of Fraction and mpf (mpmath cannot compare the two)."""
    if isinstance(a, Fraction) != isinstance(b, Fraction):
        if _sign(a) != _sign(b) or a == 0:
            return _sign(a) < _sign(b)
        gap = _log2_abs(a) - _log2_abs(b)
        if abs(gap) >= 2:  # decided by the magnitudes (exp(1e15) against a fraction)
            return (gap < 0) == bool(a > 0)
        return bool(to_fraction(a) < to_fraction(b))
    return bool(a < b)


def _max(a: Real, b: Real) -> Real:
    return b if less(a, b) else a


def _min(a: Real, b: Real) -> Real:
    return a if less(a, b) or not less(b, a) else b


MP_FUNCTIONS: dict[str, Callable[..., Real]] = {
    "sin": _analytic("sin", Fraction(0)),
    "cos": _analytic("cos", Fraction(1)),
    "tan": _tan,
    "asin": _asin,
    "acos": _acos,
    "atan": _analytic("atan", Fraction(0)),
    "sinh": _analytic("sinh", Fraction(0)),
    "cosh": _analytic("cosh", Fraction(1)),
    "tanh": _analytic("tanh", Fraction(0)),
    "asinh": _analytic("asinh", Fraction(0)),
    "acosh": _acosh,
    "atanh": _atanh,
    "exp": _analytic("exp", Fraction(1)),
    "log": _log,
    "sqrt": _sqrt,
    "erf": _analytic("erf", Fraction(0)),
    "abs": _abs,
    "sign": _signum,
    "heaviside": _heaviside,
    "relu": _relu,
    "sigmoid": _sigmoid,
    "softplus": _softplus,
    "max": _max,
    "min": _min,
    "atan2": _atan2,
    "sinc": _sinc,
    "expm1": _analytic("expm1", Fraction(0)),
    "log1p": _log1p,
    "logsumexp": _logsumexp,
    "erfc": _analytic("erfc", Fraction(1)),
    "erfinv": _erfinv,
    "gamma": _gamma,
    "lgamma": _lgamma,
    "digamma": _digamma,
    "polygamma": _polygamma,
    "floor": _floor,
    "ceil": _ceil,
    "round": _round,
    "trunc": _trunc,
    "frac": _frac,
    "hardshrink": _hardshrink,
}

Criticals = Callable[[Sequence[Real]], list[tuple[str, Real]]]


def _kink(args: Sequence[Real]) -> list[tuple[str, Real]]:
    return [("kink", args[0] if len(args) == 1 else sub(args[0], args[1]))]


def _domain_at(edge: Real) -> Criticals:
    return lambda args: [("domain", sub(args[0], edge))]


def _domain_unit(args: Sequence[Real]) -> list[tuple[str, Real]]:
    return [("domain", sub(Fraction(1), args[0])), ("domain", add(Fraction(1), args[0]))]


def _tan_poles(args: Sequence[Real]) -> list[tuple[str, Real]]:
    a = args[0]
    if a == 0:
        return [("domain", Fraction(1))]
    _guard_huge(a)
    return [("domain", mp.cos(to_mp(a)))]


def _none(args: Sequence[Real]) -> list[tuple[str, Real]]:
    return []


def _poles_of_gamma(position: int) -> Criticals:
    """gamma's poles at 0, -1, -2, ...: the distance to the nearest integer there."""

    def criticals(args: Sequence[Real]) -> list[tuple[str, Real]]:
        a = args[position]
        return [("domain", sub(a, _round(a)))] if not less(Fraction(1, 2), a) else []

    return criticals


def _integers(args: Sequence[Real]) -> list[tuple[str, Real]]:
    return [("kink", sub(args[0], _round(args[0])))]


def _halves(args: Sequence[Real]) -> list[tuple[str, Real]]:
    return [("kink", sub(sub(args[0], _floor(args[0])), Fraction(1, 2)))]


def _shrink_edges(args: Sequence[Real]) -> list[tuple[str, Real]]:
    return [("kink", sub(args[0], args[1])), ("kink", add(args[0], args[1]))]


# Arguments whose zero is a kink, a domain edge or a pole, per function.
CRITICAL: dict[str, Criticals] = {
    **{name: _none for name in MP_FUNCTIONS},
    "abs": _kink,
    "sign": _kink,
    "heaviside": _kink,
    "relu": _kink,
    "max": _kink,
    "min": _kink,
    "log": _domain_at(Fraction(0)),
    "sqrt": _domain_at(Fraction(0)),
    "acosh": _domain_at(Fraction(1)),
    "asin": _domain_unit,
    "acos": _domain_unit,
    "atanh": _domain_unit,
    "tan": _tan_poles,
    "atan2": lambda args: [("kink", args[0])],
    "log1p": _domain_at(Fraction(-1)),
    "erfinv": _domain_unit,
    "gamma": _poles_of_gamma(0),
    "lgamma": _poles_of_gamma(0),
    "digamma": _poles_of_gamma(0),
    "polygamma": _poles_of_gamma(1),
    "floor": _integers,
    "ceil": _integers,
    "trunc": _integers,
    "frac": _integers,
    "round": _halves,
    "hardshrink": _shrink_edges,
}

MP_CONSTANTS: dict[str, Callable[[], Real]] = {"pi": lambda: +mp.pi, "E": lambda: +mp.e}

# ------------------------------------------------------------ float64, as torch computes


def _f64_guard(fn: Callable[[float], float]) -> Callable[[float], float]:
    def call(a: float) -> float:
        if math.isnan(a):
            return math.nan
        try:
            return fn(a)
        except OverflowError:
            return math.inf
        except ValueError:
            return math.nan

    return call


def _f64_log(a: float) -> float:
    if a == 0:
        return -math.inf
    return math.log(a) if a > 0 else math.nan


def _f64_atanh(a: float) -> float:
    if abs(a) == 1:
        return math.copysign(math.inf, a)
    return math.atanh(a) if abs(a) < 1 else math.nan


def _f64_exp_like(
    fn: Callable[[float], float], big: Callable[[float], float]
) -> Callable[[float], float]:
    def call(a: float) -> float:
        try:
            return fn(a)
        except OverflowError:
            return big(a)

    return call


def _f64_sigmoid(a: float) -> float:
    if a >= 0:
        return 1 / (1 + math.exp(-a))
    e = math.exp(a)
    return e / (1 + e)


def _f64_softplus(a: float) -> float:
    return a if a > 20 else math.log1p(math.exp(a))  # torch's threshold=20


def _f64_max(a: float, b: float) -> float:
    return math.nan if math.isnan(a) or math.isnan(b) else max(a, b)


def _f64_min(a: float, b: float) -> float:
    return math.nan if math.isnan(a) or math.isnan(b) else min(a, b)


def _f64_tan(a: float) -> float:
    return math.tan(a) if math.isfinite(a) else math.nan


def _f64_sinc(a: float) -> float:
    return 1.0 if a == 0 else math.sin(math.pi * a) / (math.pi * a)


def _f64_log1p(a: float) -> float:
    if a == -1:
        return -math.inf
    return math.log1p(a) if a > -1 else math.nan


def _f64_mp(name: str) -> Callable[..., float]:
    """torch's special functions that math lacks, through mpmath at 53 bits."""

    def call(*args: float) -> float:
        if any(math.isnan(a) for a in args):
            return math.nan
        with mp.workprec(53):
            try:
                value = getattr(mp, name)(*args)
            except (ValueError, ZeroDivisionError):
                return math.nan
        return float(value) if isinstance(value, mpmath.mpf) else math.nan

    return call


def _f64_gamma_like(fn: Callable[[float], float]) -> Callable[[float], float]:
    def call(a: float) -> float:
        if a <= 0 and float(a).is_integer():
            return math.inf  # torch: a pole is inf
        try:
            return fn(a)
        except OverflowError:
            return math.inf
        except ValueError:
            return math.nan

    return call


def _f64_round(a: float) -> float:
    return float(round(a)) if math.isfinite(a) else a


def _f64_integer(fn: Callable[[float], int]) -> Callable[[float], float]:
    return lambda a: float(fn(a)) if math.isfinite(a) else a


def _f64_logsumexp(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return math.nan
    big = max(a, b)
    if math.isinf(big):
        return big
    return big + math.log1p(math.exp(-abs(a - b)))


F64_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sin": _f64_guard(math.sin),
    "cos": _f64_guard(math.cos),
    "tan": _f64_guard(_f64_tan),
    "asin": _f64_guard(math.asin),
    "acos": _f64_guard(math.acos),
    "atan": _f64_guard(math.atan),
    "sinh": _f64_guard(_f64_exp_like(math.sinh, lambda a: math.copysign(math.inf, a))),
    "cosh": _f64_guard(_f64_exp_like(math.cosh, lambda a: math.inf)),
    "tanh": _f64_guard(math.tanh),
    "asinh": _f64_guard(math.asinh),
    "acosh": _f64_guard(math.acosh),
    "atanh": _f64_guard(_f64_atanh),
    "exp": _f64_guard(_f64_exp_like(math.exp, lambda a: math.inf)),
    "log": _f64_guard(_f64_log),
    "sqrt": _f64_guard(math.sqrt),
    "erf": _f64_guard(math.erf),
    "abs": _f64_guard(abs),
    "sign": _f64_guard(lambda a: float((a > 0) - (a < 0))),
    "heaviside": _f64_guard(lambda a: 0.5 if a == 0 else float(a > 0)),
    "relu": _f64_guard(lambda a: a if a > 0 else 0.0),
    "sigmoid": _f64_guard(_f64_sigmoid),
    "softplus": _f64_guard(_f64_softplus),
    "max": _f64_max,
    "min": _f64_min,
    "atan2": lambda a, b: math.atan2(a, b),
    "sinc": _f64_guard(_f64_sinc),
    "expm1": _f64_guard(_f64_exp_like(math.expm1, lambda a: math.inf)),
    "log1p": _f64_guard(_f64_log1p),
    "logsumexp": _f64_logsumexp,
    "erfc": _f64_guard(math.erfc),
    "erfinv": _f64_guard(
        lambda a: math.copysign(math.inf, a) if abs(a) == 1 else _f64_mp("erfinv")(a)
    ),
    "gamma": _f64_guard(_f64_gamma_like(math.gamma)),
    "lgamma": _f64_guard(_f64_gamma_like(math.lgamma)),
    "digamma": _f64_guard(_f64_gamma_like(_f64_mp("digamma"))),
    "polygamma": lambda n, a: _f64_gamma_like(lambda x: _f64_mp("polygamma")(n, x))(a),
    "floor": _f64_integer(math.floor),
    "ceil": _f64_integer(math.ceil),
    "round": _f64_round,
    "trunc": _f64_integer(math.trunc),
    "frac": lambda a: a - math.trunc(a) if math.isfinite(a) else math.nan,
    "hardshrink": lambda a, lambd: a if abs(a) > lambd else 0.0,
}


def f64_power(a: float, b: float) -> float:
    """torch.pow on float64: nan for a negative base and a non-integer exponent."""
    if math.isnan(a) or math.isnan(b):
        return 1.0 if b == 0 else math.nan
    if a == 0:
        if b == 0:
            return 1.0
        return 0.0 if b > 0 else math.inf
    if a < 0 and math.isfinite(b) and not float(b).is_integer():
        return math.nan
    try:
        return float(a**b)
    except OverflowError:
        return math.inf if a > 0 or float(b) % 2 == 0 else -math.inf
    except ZeroDivisionError:
        return math.inf


def f64_divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _f64_number(value: Fraction) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _f64_binary(op: str, a: float, b: float) -> float:
    if op == "/":
        return f64_divide(a, b)
    if op == "**":
        return f64_power(a, b)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    return a * b  # Python floats follow IEEE here: overflow gives inf


# ------------------------------------------------------------ evaluating a tree

Record = dict[tuple[int, int], tuple[str, Any]]


def constant_nodes(tree: Node) -> set[int]:
    """ids of the variable-free subtrees of ``tree``."""
    found: set[int] = set()

    def visit(node: Node) -> bool:
        if isinstance(node, Variable):
            return False
        if isinstance(node, (Number, Constant)):
            found.add(id(node))
            return True
        children = _children(node)
        results = [visit(c) for c in children]
        if all(results):
            found.add(id(node))
            return True
        return False

    visit(tree)
    return found


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Negate):
        return (node.operand,)
    if isinstance(node, BinaryOp):
        return (node.left, node.right)
    if isinstance(node, Call):
        return tuple(node.args)
    return ()


def walk(tree: Node) -> Iterator[Node]:
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(_children(node))


def _power_criticals(b: Real, constant_exponent: bool, a: Real) -> list[tuple[str, Real]]:
    if _is_integer(b) and constant_exponent:
        return [("domain", a)] if int(b) < 0 else []
    return [("domain", a)]


class Evaluator:
    """f at a point: exact where possible, else mpmath at ``mp.prec``; float64 beside it."""

    def __init__(self, tree: Node) -> None:
        self.tree = tree
        self.constant = constant_nodes(tree)
        self.variables = {n.name for n in walk(tree) if isinstance(n, Variable)}
        self.magnitude = -math.inf

    # exact / mpmath --------------------------------------------------
    def value(self, point: Mapping[str, Real], record: Record | None = None) -> Real:
        """f(point); raises Undefined or OracleLimit."""
        self.magnitude = -math.inf
        return self._eval(self.tree, point, record)

    def value_and_error(self, point: Mapping[str, Real]) -> tuple[Real, Any]:
        """f(point) and a bound on its rounding error (0 when the value is exact).

        The bound is a few ulps of the largest intermediate value: cancellation
        (``exp(x) + 1e300 - 1e300``) shows up as an error large next to the result.
        """
        value = self.value(point)
        if value == 0 and isinstance(value, Fraction):
            return value, mpmath.mpf(0)
        if isinstance(value, Fraction):  # exact; the caller rounds it once to mp.prec
            return value, mpmath.ldexp(1, int(_log2_abs(value)) + 2 - mp.prec)
        return value, mpmath.ldexp(1, int(self.magnitude) + 1 - mp.prec + 12)

    def _eval(self, node: Node, point: Mapping[str, Real], record: Record | None) -> Real:
        value = self._eval_node(node, point, record)
        if value != 0:
            magnitude = _log2_abs(value)
            if magnitude > MAX_MAGNITUDE_BITS:
                raise OracleLimit(f"a value beyond 2**{MAX_MAGNITUDE_BITS}")
            self.magnitude = max(self.magnitude, magnitude)
        return value

    def _eval_node(self, node: Node, point: Mapping[str, Real], record: Record | None) -> Real:
        if isinstance(node, Number):
            return node.value
        if isinstance(node, Constant):
            return MP_CONSTANTS[node.name]()
        if isinstance(node, Variable):
            return point[node.name]
        if isinstance(node, Negate):
            return -self._eval(node.operand, point, record)
        if isinstance(node, BinaryOp):
            a = self._eval(node.left, point, record)
            b = self._eval(node.right, point, record)
            return self._binary(node, a, b, record)
        if isinstance(node, Call):
            args = [self._eval(arg, point, record) for arg in node.args]
            _note(record, node, CRITICAL[node.name](args))
            return MP_FUNCTIONS[node.name](*args)
        raise TypeError(f"unknown node {node!r}")

    def _binary(self, node: BinaryOp, a: Real, b: Real, record: Record | None) -> Real:
        op = node.op
        if op == "+":
            return add(a, b)
        if op == "-":
            return sub(a, b)
        if op == "*":
            return mul(a, b)
        if op == "/":
            _note(record, node, [("domain", b)])
            return div(a, b)
        constant = id(node.right) in self.constant
        _note(record, node, _power_criticals(b, constant, a))
        return power(a, b, constant)

    # float64 ---------------------------------------------------------
    def f64(self, point: Mapping[str, float], record: Record | None = None) -> float:
        """f(point) in float64 with torch's conventions (nan/inf, never an exception)."""
        return self._f64(self.tree, point, record)

    def _f64(self, node: Node, point: Mapping[str, float], record: Record | None) -> float:
        if isinstance(node, Number):
            return _f64_number(node.value)
        if isinstance(node, Constant):
            return {"pi": math.pi, "E": math.e}[node.name]
        if isinstance(node, Variable):
            return float(point[node.name])
        if isinstance(node, Negate):
            return -self._f64(node.operand, point, record)
        if isinstance(node, BinaryOp):
            a = self._f64(node.left, point, record)
            b = self._f64(node.right, point, record)
            if node.op == "/":
                _note(record, node, [("domain", b)])
            elif node.op == "**":
                constant = id(node.right) in self.constant
                integer = math.isfinite(b) and float(b).is_integer()
                if not (integer and constant and b >= 0):
                    _note(record, node, [("domain", a)])
            return _f64_binary(node.op, a, b)
        if isinstance(node, Call):
            args = [self._f64(arg, point, record) for arg in node.args]
            _note(record, node, _f64_criticals(node.name, args))
            return F64_FUNCTIONS[node.name](*args)
        raise TypeError(f"unknown node {node!r}")


def _f64_criticals(name: str, args: Sequence[float]) -> list[tuple[str, Any]]:
    a = args[0]
    if name in ("max", "min"):
        return [("kink", args[0] - args[1])]
    if name in ("floor", "ceil", "trunc", "frac"):
        return [("kink", a - round(a) if math.isfinite(a) else math.nan)]
    if name == "round":
        return [("kink", a - math.floor(a) - 0.5 if math.isfinite(a) else math.nan)]
    if name == "hardshrink":
        return [("kink", a - args[1]), ("kink", a + args[1])]
    if name in ("gamma", "lgamma", "digamma", "polygamma"):
        x = args[-1]
        near = x - round(x) if math.isfinite(x) else math.nan
        return [("domain", near)] if x <= 0.5 else []
    if name == "log1p":
        return [("domain", a + 1)]
    if name == "erfinv":
        return [("domain", 1 - a), ("domain", 1 + a)]
    if name in KINKED:
        return [("kink", a)]
    if name in ("log", "sqrt"):
        return [("domain", a)]
    if name == "acosh":
        return [("domain", a - 1)]
    if name in ("asin", "acos", "atanh"):
        return [("domain", 1 - a), ("domain", 1 + a)]
    if name == "tan":
        return [("domain", math.cos(a) if math.isfinite(a) else math.nan)]
    return []


def _note(record: Record | None, node: Node, items: list[tuple[str, Any]]) -> None:
    if record is None:
        return
    for i, (kind, value) in enumerate(items):
        record[(id(node), i)] = (kind, value)


# ------------------------------------------------------------ scanning one point


def _class64(v: float) -> str:
    if math.isnan(v):
        return "nan"
    return "zero" if v == 0 else ("pos" if v > 0 else "neg")


def _class_exact(v: Real) -> str:
    return "zero" if v == 0 else ("pos" if v > 0 else "neg")


SCAN_PRECISIONS = (200, 330)


@dataclass(frozen=True)
class Scan:
    """What one point looks like to f, before any differentiation."""

    defined: bool  # f is defined at the point
    undefined_reason: str
    special: bool  # some kink/edge/pole argument is exactly 0
    on_kink: bool  # ... and one of those is a kinked function's
    unstable: str  # why the oracle cannot classify the point ("" if it can)
    scale: Fraction  # a power of two well below the distance to other critical points
    edge_convention: bool  # float64 puts a domain/pole argument on another side of 0
    kink_rounded: bool  # float64 rounds a kink argument to 0 that is not 0 exactly
    f64_overflow: bool  # f not finite in float64, finite in exact arithmetic
    f64_value: float


def _evaluate_recorded(ev: Evaluator, point: Mapping[str, Real], prec: int) -> tuple[Any, Record]:
    record: Record = {}
    with mp.workprec(prec):
        try:
            value: Any = ev.value(point, record)
        except Undefined as exc:
            value = exc
        except OracleLimit as exc:
            value = exc
    return value, record


def _stable(a: Real, b: Real) -> bool:
    """Two evaluations of one critical quantity at two precisions agree (not rounding noise)."""
    if _both_exact(a, b):
        return bool(a == b)
    if a == 0 or b == 0:
        return bool(a == b)
    with mp.workprec(400):
        return bool(abs(to_mp(a) - to_mp(b)) <= mpmath.ldexp(abs(to_mp(b)), -150))


def scan(ev: Evaluator, point: Mapping[str, Fraction]) -> Scan:
    """Evaluate f at ``point`` at two precisions and in float64, and classify the point."""
    (va, ra), (vb, rb) = (_evaluate_recorded(ev, point, p) for p in SCAN_PRECISIONS)
    unstable = ""
    if isinstance(va, OracleLimit) or isinstance(vb, OracleLimit):
        unstable = f"beyond the oracle's range ({va if isinstance(va, Exception) else vb})"
    elif isinstance(va, Undefined) != isinstance(vb, Undefined) or ra.keys() != rb.keys():
        unstable = "f's definedness changes with the precision"
    zeros: list[str] = []
    smallest: float = 0.0
    for key, (kind, qa) in ra.items():
        if unstable or key not in rb:
            break
        qb = rb[key][1]
        if not _stable(qa, qb):
            unstable = f"a {kind} argument is within rounding of 0"
            break
        if qa == 0:
            zeros.append(kind)
        else:
            smallest = min(smallest, _log2_abs(qa))
    for v in point.values():  # steps relative to tiny coordinates (x**9 at 1e-300)
        if v != 0:
            smallest = min(smallest, _log2_abs(v))
    smallest = max(smallest, -MAX_SCALE_BITS)
    scale = Fraction(1, 2 ** (20 - min(0, math.floor(smallest))))
    f64_record: Record = {}
    f64_value = ev.f64({k: float(v) for k, v in point.items()}, f64_record)
    edge_convention = any(
        kind == "domain"
        and key in f64_record
        and _class64(f64_record[key][1]) != _class_exact(value)
        for key, (kind, value) in ra.items()
    )
    kink_rounded = any(
        kind == "kink" and key in f64_record and f64_record[key][1] == 0 and value != 0
        for key, (kind, value) in ra.items()
    )
    defined = not isinstance(va, Exception)
    return Scan(
        defined=defined,
        undefined_reason="" if defined else str(va),
        special=bool(zeros),
        on_kink="kink" in zeros,
        unstable=unstable,
        scale=scale,
        edge_convention=edge_convention,
        kink_rounded=kink_rounded,
        f64_overflow=defined and not math.isfinite(f64_value),
        f64_value=f64_value,
    )


# ------------------------------------------------------------ derivatives


@dataclass(frozen=True)
class Level:
    """One setting of steps and precision; the oracle compares two of them."""

    name: str
    step_bits: int  # T: the first step is scale * 2**-T
    second_bits: int  # S: the second step is the first * 2**-S
    gap_bits: int  # G: an inner differentiation steps 2**-G below the outer second step
    guard_bits: int


LEVELS = (
    Level("A", 40, 24, 24, 64),
    Level("B", 56, 32, 32, 96),
    Level("C", 72, 40, 40, 160),
)
TARGET_BITS = 64  # rounding error wanted below 2**-64 of the value (or of the step error) ...
FLOOR_BITS = 1100  # ... or below 2**-1100, under every float64
MAX_EXTRA_BITS = 24_000  # precision added when the rounding error is too large
ATTEMPTS = 4


@dataclass(frozen=True)
class Side:
    """A one-sided derivative of D_(n-1) along the last variable."""

    kind: str  # finite | infinite | undefined | jump | none | inconclusive
    value: Any = None  # mpf (finite) or +-1 (infinite)
    trunc: Any = 0  # bound on the step (truncation) error of a finite value
    round: Any = 0  # bound on its rounding error

    @property
    def unc(self) -> Any:
        return self.trunc + self.round

    def describe(self) -> str:
        if self.kind == "finite":
            return nstr(self.value, 12, self.unc)
        if self.kind == "infinite":
            return "inf" if self.value > 0 else "-inf"
        return self.kind


NO_SIDE = Side("none")


@dataclass(frozen=True)
class Outcome:
    """D_k at one point."""

    kind: str  # value | undefined | inconclusive
    value: Any = None
    trunc: Any = 0
    round: Any = 0
    why: str = ""
    left: Side = NO_SIDE
    right: Side = NO_SIDE

    @property
    def unc(self) -> Any:
        return self.trunc + self.round


def _pow2(bits: int) -> Fraction:
    return Fraction(1, 2**bits) if bits >= 0 else Fraction(2 ** (-bits))


def _coordinate_bits(point: Mapping[str, Fraction]) -> int:
    return max([0, *(int(_log2_abs(v)) + 1 for v in point.values() if v != 0)])


class _Nested:
    """D_k by one-sided differences, one differentiation at a time (special points)."""

    def __init__(
        self,
        ev: Evaluator,
        point: Mapping[str, Fraction],
        wrt: Sequence[str],
        level: Level,
        scale: Fraction,
        extra_bits: int,
    ) -> None:
        self.ev = ev
        self.names = tuple(sorted(point))
        self.base = tuple(point[n] for n in self.names)
        self.wrt = tuple(wrt)
        self.level = level
        n = len(wrt)
        T, S, G = level.step_bits, level.second_bits, level.gap_bits
        # The step of differentiation k (1-based); the outermost (k = n) is the coarsest,
        # so every inner stencil stays between the outer stencil's points.
        self.steps = {k: scale * _pow2(T + (n - k) * (S + G)) for k in range(1, n + 1)}
        scale_bits = -int(_log2_abs(scale))
        loss = sum(T + (n - k) * (S + G) + S + scale_bits for k in range(1, n + 1))
        self.prec = level.guard_bits + loss + _coordinate_bits(point) + extra_bits
        self.cache: dict[tuple[int, tuple[Fraction, ...]], Outcome] = {}

    def origin(self) -> tuple[Fraction, ...]:
        return tuple(Fraction(0) for _ in self.names)

    def at(self, k: int, offset: tuple[Fraction, ...]) -> Outcome:
        key = (k, offset)
        if key not in self.cache:
            self.cache[key] = self._f(offset) if k == 0 else self._derivative(k, offset)
        return self.cache[key]

    def sides(self, k: int, offset: tuple[Fraction, ...]) -> tuple[Side, Side]:
        """Left and right derivatives of D_(k-1) along the k-th variable."""
        return self._side(k, offset, -1), self._side(k, offset, +1)

    def _f(self, offset: tuple[Fraction, ...]) -> Outcome:
        point = {n: b + o for n, b, o in zip(self.names, self.base, offset, strict=True)}
        with mp.workprec(self.prec):
            try:
                value, error = self.ev.value_and_error(point)
            except Undefined as exc:
                return Outcome("undefined", why=str(exc))
            except OracleLimit as exc:
                return Outcome("inconclusive", why=str(exc))
        return Outcome("value", value, 0, error)

    def _moved(self, offset: tuple[Fraction, ...], j: int, by: Fraction) -> tuple[Fraction, ...]:
        return tuple(o + by if i == j else o for i, o in enumerate(offset))

    def _derivative(self, k: int, offset: tuple[Fraction, ...]) -> Outcome:
        base = self.at(k - 1, offset)
        if base.kind != "value":
            if base.kind == "inconclusive" or k == 1:
                return Outcome(base.kind, why=base.why)
            return Outcome("undefined", why="a lower-order derivative does not exist here")
        left, right = self.sides(k, offset)
        return _combine(left, right)

    def _side(self, k: int, offset: tuple[Fraction, ...], direction: int) -> Side:
        name = self.wrt[k - 1]
        if name not in self.ev.variables:
            # f does not depend on it, so neither does D_(k-1): the quotients are exactly 0.
            return Side("finite", mpmath.mpf(0))
        j = self.names.index(name)
        h = self.steps[k]
        h2 = h * _pow2(self.level.second_bits)
        near = self.at(k - 1, self._moved(offset, j, direction * h))
        nearer = self.at(k - 1, self._moved(offset, j, direction * h2))
        kinds = {near.kind, nearer.kind}
        if "undefined" in kinds:
            return Side("undefined")
        if "inconclusive" in kinds:
            return Side("inconclusive")
        with mp.workprec(self.prec):
            return self._classify_side(k, offset, j, direction, near, nearer)

    def _quotient(self, k: int, offset: tuple[Fraction, ...], j: int, d: int, h: Fraction) -> Any:
        """(D_(k-1)(p + d*h) - D_(k-1)(p)) / (d*h), by mpmath.diff with a direction."""

        def g(t: Any) -> Any:
            return to_mp(self.at(k - 1, self._moved(offset, j, to_fraction(t))).value)

        return mpmath.diff(g, 0, 1, h=to_mp(h), direction=d, addprec=0)

    def _classify_side(
        self,
        k: int,
        offset: tuple[Fraction, ...],
        j: int,
        direction: int,
        near: Outcome,
        nearer: Outcome,
    ) -> Side:
        S = self.level.second_bits
        base = self.at(k - 1, offset)
        b, v1, v2 = (to_mp(o.value) for o in (base, near, nearer))
        n1, n2 = near.round + base.round, nearer.round + base.round
        c1, c2 = v1 - b, v2 - b
        # D_(k-1) must be continuous from this side: beside the point the difference
        # shrinks with the step; a jump keeps it.
        shrink = mpmath.ldexp(abs(c1), -(S // 8))
        if not (abs(c2) <= n2 or abs(c2) <= shrink):
            if abs(c2 - c1) <= shrink + n1 + n2:
                return Side("jump")
            return Side("inconclusive")
        h = self.steps[k]
        h2 = h * _pow2(S)
        q1 = self._quotient(k, offset, j, direction, h)
        q2 = self._quotient(k, offset, j, direction, h2)
        return _classify_quotients(q1, n1 / to_mp(h), q2, n2 / to_mp(h2), S)


def _classify_quotients(q1: Any, u1: Any, q2: Any, u2: Any, S: int) -> Side:
    """Finite (it settles), infinite (it grows like a power of 1/h) or inconclusive."""
    spread = abs(q1 - q2)
    largest = max(abs(q1), abs(q2))
    if spread <= mpmath.ldexp(largest, -(S // 2)) + u1 + u2:
        # The error at the finer step is at most the spread, for any convergence at
        # least as fast as h**(1/4) over the 2**S between the steps (sqrt(x)**3: h**(1/2)).
        return Side("finite", q2, spread, u2)
    if abs(q2) <= mpmath.ldexp(abs(q1), -(S // 4)) + u2:
        # tends to 0 (abs(x)**3 at 0: h**2)
        return Side("finite", q2, 2 * abs(q2), u2)
    grows = abs(q2) >= mpmath.ldexp(abs(q1), S // 4)
    if grows and _sign(q1) == _sign(q2) != 0 and u2 <= mpmath.ldexp(abs(q2), -8):
        return Side("infinite", _sign(q2))
    return Side("inconclusive")


def _combine(left: Side, right: Side) -> Outcome:
    """D_k from the one-sided derivatives of D_(k-1)."""
    kinds = {left.kind, right.kind}
    if "undefined" in kinds:
        why = "undefined on both sides" if left.kind == right.kind else "at the edge of the domain"
        return Outcome("undefined", why=why, left=left, right=right)
    if "jump" in kinds:
        why = "the function being differentiated jumps"
        return Outcome("undefined", why=why, left=left, right=right)
    if "infinite" in kinds:
        return Outcome("undefined", why="infinite derivative", left=left, right=right)
    if "inconclusive" in kinds:
        why = "a one-sided derivative does not settle"
        return Outcome("inconclusive", why=why, left=left, right=right)
    largest = max(abs(left.value), abs(right.value))
    tolerance = left.unc + right.unc + mpmath.ldexp(largest, -100)
    if abs(left.value - right.value) <= tolerance:
        best = left if left.unc <= right.unc else right
        trunc, rnd = max(left.trunc, right.trunc), max(left.round, right.round)
        return Outcome("value", best.value, trunc, rnd, left=left, right=right)
    why = "kink: the one-sided derivatives differ"
    return Outcome("undefined", why=why, left=left, right=right)


def _central(
    ev: Evaluator,
    point: Mapping[str, Fraction],
    wrt: Sequence[str],
    level: Level,
    scale: Fraction,
    extra_bits: int,
) -> Outcome | None:
    """Central differences (mpmath.diff) at a regular point; None if a stencil leaves the domain.

    Two steps, h and h * 2**-S: the finer one is the value, and their spread bounds
    its step error (central differences converge like h**2).
    """
    names = list(dict.fromkeys(wrt))
    if any(name not in ev.variables for name in names):
        zero = Side("finite", mpmath.mpf(0))
        return Outcome("value", mpmath.mpf(0), left=zero, right=zero)
    orders = [list(wrt).count(n) for n in names]
    h = scale * _pow2(level.step_bits)
    scale_bits = -int(_log2_abs(scale))
    prec = (
        level.guard_bits
        + level.step_bits
        + level.second_bits
        + scale_bits
        + _coordinate_bits(point)
        + extra_bits
    )
    errors: list[Any] = []

    def shifted(*ts: Any) -> Any:
        moved = dict(point)
        for name, t in zip(names, ts, strict=True):
            moved[name] = point[name] + to_fraction(t)
        value, error = ev.value_and_error(moved)
        errors.append(error)
        return to_mp(value)

    def at_step(step: Fraction) -> tuple[Any, Any]:
        errors.clear()
        hm = to_mp(step)
        if len(names) == 1:
            value = mpmath.diff(shifted, 0, orders[0], h=hm)
        else:
            value = mpmath.diff(shifted, [0] * len(names), orders, h=hm)
        return value, max(errors) / hm ** len(wrt)

    try:
        with mp.workprec(prec):
            coarse, _ = at_step(h)
            value, rounding = at_step(h * _pow2(level.second_bits))
            trunc = abs(coarse - value)
    except Undefined:
        return None
    side = Side("finite", value, trunc, rounding)
    return Outcome("value", value, trunc, rounding, left=side, right=side)


def _missing_bits(outcome: Outcome) -> int:
    """Bits of precision still missing for the rounding error to be negligible (0: none)."""
    worst = 0
    for part in (outcome, outcome.left, outcome.right):
        if part.kind not in ("value", "finite") or part.round == 0:
            continue
        floor = mpmath.ldexp(1, -FLOOR_BITS)
        resolved = part.round < mpmath.ldexp(abs(part.value), -8)
        trunc = part.trunc if part.trunc > part.round else 0
        # A value lost in its own rounding error may be 0: then aim below every float64.
        wanted = max(abs(part.value) if resolved else 0, trunc, floor)
        if part.round <= mpmath.ldexp(wanted, -TARGET_BITS):
            continue
        missing = float(mpmath.log(part.round / wanted, 2)) + TARGET_BITS + 8
        worst = max(worst, max(32, math.ceil(missing)))
    return worst


def _one_level(
    ev: Evaluator,
    point: Mapping[str, Fraction],
    wrt: Sequence[str],
    level: Level,
    sc: Scan,
    extra_bits: int,
) -> Outcome:
    if not sc.special:
        central = _central(ev, point, wrt, level, sc.scale, extra_bits)
        if central is not None:
            return central
    nested = _Nested(ev, point, wrt, level, sc.scale, extra_bits)
    origin = nested.origin()
    outcome = nested.at(len(wrt), origin)
    if nested.at(len(wrt) - 1, origin).kind == "value" and outcome.left.kind == "none":
        left, right = nested.sides(len(wrt), origin)
        outcome = Outcome(
            outcome.kind, outcome.value, outcome.trunc, outcome.round, outcome.why, left, right
        )
    return outcome


def derivative_at(
    ev: Evaluator, point: Mapping[str, Fraction], wrt: Sequence[str], level: Level, sc: Scan
) -> Outcome:
    """D_n at one level, with more precision until the rounding error is negligible."""
    extra = 0
    for _ in range(ATTEMPTS):
        try:
            outcome = _one_level(ev, point, wrt, level, sc, extra)
        except OracleLimit as exc:
            return Outcome("inconclusive", why=str(exc))
        missing = _missing_bits(outcome)
        if not missing:
            return outcome
        extra += missing
        if extra > MAX_EXTRA_BITS:
            break
    return Outcome("inconclusive", why="rounding error too large even at high precision")


def _close(a: Any, b: Any, unc: Any) -> bool:
    return bool(abs(a - b) <= unc + mpmath.ldexp(max(abs(a), abs(b)), -50))


def _sides_agree(a: Side, b: Side) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "finite":
        return _close(a.value, b.value, 2 * (a.unc + b.unc))
    if a.kind == "infinite":
        return bool(a.value == b.value)
    return True


def _levels_agree(a: Outcome, b: Outcome) -> bool:
    if a.kind != b.kind or "inconclusive" in (a.kind, b.kind):
        return False
    if a.kind == "value" and not _close(a.value, b.value, 2 * (a.unc + b.unc)):
        return False
    return _sides_agree(a.left, b.left) and _sides_agree(a.right, b.right)


# ------------------------------------------------------------ the verdict


@dataclass(frozen=True)
class Truth:
    """What the oracle says about one derivative at one point."""

    conclusive: bool
    reason: str  # why inconclusive, or why not differentiable
    differentiable: bool = False
    value: Any = None  # mpf, when differentiable
    unc: Any = 0
    left: Side = NO_SIDE  # one-sided derivatives of D_(n-1) along the last variable
    right: Side = NO_SIDE
    f_defined: bool = True
    special: bool = False
    on_kink: bool = False
    edge_convention: bool = False
    kink_rounded: bool = False
    f64_overflow: bool = False

    @property
    def float_value(self) -> float:
        return float(self.value) if self.value is not None else math.nan

    @property
    def float_unc(self) -> float:
        return float(self.unc) if self.unc is not None else 0.0


@dataclass
class Oracle:
    """Caches trees and point scans; answers :meth:`judge`."""

    trees: dict[str, Evaluator] = field(default_factory=dict)
    scans: dict[tuple[str, tuple[tuple[str, float], ...]], Scan] = field(default_factory=dict)

    def evaluator(self, text: str) -> Evaluator:
        if text not in self.trees:
            self.trees[text] = Evaluator(parse_tree(text))
        return self.trees[text]

    def scan(self, text: str, point: Mapping[str, float]) -> Scan:
        key = (text, tuple(sorted(point.items())))
        if key not in self.scans:
            exact = {k: Fraction(v) for k, v in point.items()}
            self.scans[key] = scan(self.evaluator(text), exact)
        return self.scans[key]

    def judge(self, text: str, point: Mapping[str, float], wrt: Sequence[str]) -> Truth:
        """The derivative of ``text`` by ``wrt`` (in order) at ``point`` (float64 coordinates)."""
        ev = self.evaluator(text)
        sc = self.scan(text, point)
        if sc.unstable:
            return _truth(sc, conclusive=False, reason=sc.unstable)
        if not sc.defined:
            return _truth(sc, reason=f"f is undefined at the point ({sc.undefined_reason})")
        exact = {k: Fraction(v) for k, v in point.items()}
        results: list[Outcome] = []
        for level in LEVELS:
            outcome = derivative_at(ev, exact, wrt, level, sc)
            results.append(outcome)
            if len(results) >= 2 and _levels_agree(results[-2], results[-1]):
                return _truth_of(outcome, sc)
        last = results[-1]
        why = last.why if last.kind == "inconclusive" else "the oracle disagrees with itself"
        return _truth(sc, conclusive=False, reason=why)


def _truth(sc: Scan, **fields: Any) -> Truth:
    """A Truth carrying the scan's flags."""
    return Truth(
        **{"conclusive": True, "reason": "", **fields},
        f_defined=sc.defined,
        special=sc.special,
        on_kink=sc.on_kink,
        edge_convention=sc.edge_convention,
        kink_rounded=sc.kink_rounded,
        f64_overflow=sc.f64_overflow,
    )


def _truth_of(outcome: Outcome, sc: Scan) -> Truth:
    sides = {"left": outcome.left, "right": outcome.right}
    if outcome.kind == "value":
        return _truth(sc, differentiable=True, value=outcome.value, unc=outcome.unc, **sides)
    return _truth(sc, reason=outcome.why, **sides)


def nstr(value: Any, digits: int = 15, unc: Any = 0) -> str:
    """An mpf (or None) as short text; 0 when it is within its error bound of 0."""
    if value is None:
        return "none"
    if value != 0 and abs(value) <= unc:
        return f"0 (+-{mpmath.nstr(unc, 2)})"
    return str(mpmath.nstr(value, digits))


# ------------------------------------------------------------ helpers for the fuzzer


def constant_problem(text: str) -> str:
    """Why a variable-free part of ``text`` is not a finite real ('' if none is)."""
    tree = parse_tree(text)
    ev = Evaluator(tree)
    for node in walk(tree):
        if isinstance(node, BinaryOp) and node.op == "/" and _identically_zero(node.right):
            return "division by an expression that is identically 0"
        if isinstance(node, BinaryOp) and node.op == "**" and _identically_zero(node.left):
            if id(node.right) not in ev.constant or _constant_value(node.right) <= 0:
                return "a power of an expression that is identically 0"
        if id(node) not in ev.constant:
            continue
        sub_ev = Evaluator(node)
        try:
            with mp.workprec(200):
                sub_ev.value({})
        except Undefined as exc:
            return f"constant part is undefined ({exc})"
        except OracleLimit:
            return ""
    return ""


def _constant_value(node: Node) -> Any:
    try:
        with mp.workprec(200):
            return to_mp(Evaluator(node).value({}))
    except (Undefined, OracleLimit):
        return mpmath.mpf(0)


def _identically_zero(node: Node) -> bool:
    """Whether ``node`` is exactly 0 at a few unrelated points (``0``, ``x*0``, ``E*0``)."""
    ev = Evaluator(node)
    names = sorted(ev.variables)
    for trial in (Fraction(7, 5), Fraction(-13, 9), Fraction(29, 11)):
        point = {n: trial + i for i, n in enumerate(names)}
        try:
            with mp.workprec(200):
                if ev.value(point) != 0:
                    return False
        except (Undefined, OracleLimit):
            return False
    return True


def constant_unsure(text: str) -> bool:
    """Whether a constant part of ``text`` is 0 up to rounding (``sin(pi)``): it may be 0."""
    tree = parse_tree(text)
    ev = Evaluator(tree)
    for node in walk(tree):
        if id(node) in ev.constant and not isinstance(node, (Number, Constant)):
            values = []
            for prec in SCAN_PRECISIONS:
                try:
                    with mp.workprec(prec):
                        values.append(Evaluator(node).value({}))
                except (Undefined, OracleLimit):
                    break
            if len(values) == 2 and not _stable(*values):
                return True
    return False


TRIAL_VALUES = (Fraction(7, 5), Fraction(-13, 9), Fraction(29, 11), Fraction(-1, 3), Fraction(5))


def undefined_everywhere(text: str) -> bool:
    """Whether a part of ``text`` is undefined at every one of a few unrelated points.

    (``(-(z/z))**1.5``: derivcli may refuse such an expression with exit 2.)
    """
    tree = parse_tree(text)
    names = sorted({n.name for n in walk(tree) if isinstance(n, Variable)})
    trials = [
        {n: TRIAL_VALUES[(t + i) % len(TRIAL_VALUES)] * (i + 1) for i, n in enumerate(names)}
        for t in range(len(TRIAL_VALUES))
    ]
    for node in walk(tree):
        ev = Evaluator(node)
        if all(_undefined_at(ev, point) for point in trials):
            return True
    return False


def _undefined_at(ev: Evaluator, point: Mapping[str, Fraction]) -> bool:
    try:
        with mp.workprec(100):
            ev.value(point)
    except Undefined:
        return True
    except OracleLimit:
        return False
    return False


def constant_base_power(text: str) -> bool:
    """Whether ``text`` has a power with a constant base <= 0 and a non-constant exponent."""
    tree = parse_tree(text)
    ev = Evaluator(tree)
    for node in walk(tree):
        if isinstance(node, BinaryOp) and node.op == "**":
            if id(node.left) in ev.constant and id(node.right) not in ev.constant:
                try:
                    with mp.workprec(200):
                        if Evaluator(node.left).value({}) <= 0:
                            return True
                except (Undefined, OracleLimit):
                    return True
    return False


@dataclass(frozen=True)
class ClosedForm:
    """A closed form's value at a point, exactly and in float64."""

    value: Any  # mpf, or None where it is undefined
    f64: float  # in float64 with torch's conventions
    magnitude: float  # log2 of its largest intermediate value (for rounding bounds)


def evaluate_text(text: str, point: Mapping[str, float]) -> ClosedForm:
    """Evaluate a closed form printed by derivcli at a point."""
    ev = Evaluator(parse_tree(text))
    exact = {k: Fraction(v) for k, v in point.items()}
    prec = 256 + 2 * _coordinate_bits(exact)
    with mp.workprec(prec):
        try:
            value: Any = to_mp(ev.value(exact))
        except (Undefined, OracleLimit):
            value = None
    return ClosedForm(value, ev.f64(dict(point)), ev.magnitude)
