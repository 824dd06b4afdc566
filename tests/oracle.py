"""An independent oracle for derivcli: values and derivatives with mpmath only.

The differential fuzzer (``fuzzing.py``) grades derivcli against this module,
so nothing here may share code with what it grades: it reads derivcli's parse
tree and the *names* of its function table, and computes everything else
itself. It never imports derivcli.symbolic, derivcli.autograd,
derivcli.compare, derivcli.explain, derivcli.results, derivcli's exact
evaluator (language/evaluate.py), gmpy2, symengine or sympy.

Semantics (real-valued, exact, as derivcli's analysis now states them)
----------------------------------------------------------------------
* f is a function of the very float64 numbers given (the points torch uses),
  evaluated *exactly*, in real numbers; float64 plays no part in what is true.
  ``1/(x - 0.1)`` at the float 0.1 is finite (x - 0.1 is 5.55e-18 there),
  its derivative is -3.2e34; ``log(1 + exp(x))`` at 1000 is 1000; a kink
  argument that float64 would round to 0 but that is not 0 (``heaviside(y**4)``
  at -1e-300) is not on its kink. torch's float64 values are never the truth.
* A value outside the real domain (``log(-1)``, ``sqrt(-1)``, ``(-8)**(1/3)``,
  ``acos(2)``) is undefined, and so is a pole (``1/0``, ``log(0)``,
  ``atanh(1)``, ``0**-1``). Any undefined intermediate makes f undefined at
  that point: ``sigmoid(log(t))`` is undefined at t=0.
* ``heaviside(0) = 1/2``, ``sign(0) = 0``: f as written takes these values.
  So ``sign(cos(y) - 1)`` is 0 at y=0 between side limits of -1, and
  ``heaviside(x**2)`` is 1/2 at 0 between limits of 1: f is not continuous
  there, so it has no derivative (a removable discontinuity is a jump).
* ``a**b``: an integer-valued exponent gives the real power for any base
  (``(-2)**3``); otherwise the base must be positive, or zero with a positive
  exponent. An exponent 0 gives 1, constant or not: ``0**0 = 1`` (as MPFR,
  IEEE pow and torch have it, and derivcli's exact evaluation), so
  ``(2*z - 1)**x`` is 1 at x=0, z=0.5 and jumps to 0 for x > 0.
* Derivatives are defined from f alone, one differentiation at a time: D_0 =
  f, and D_k exists at a point where D_(k-1) exists there, is continuous from
  each side, and its two one-sided derivatives are finite and equal. For f
  that means f's *value* at the point must equal both side limits. For a
  lower order there is no convention to meet: D_(k-1) at the point is the
  oracle's own (the common one-sided value), never a closed form's value at
  a kink (heaviside(0) = 1/2 in relu'), so only its two sides must agree.

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
non-integer or negative powers) is recorded as a *critical quantity*. At the
point itself it is evaluated at two precisions: a value that is not exact and
changes between them is rounding noise around 0 (``abs(sin(pi*x))`` at x=1),
and the oracle says it cannot tell (inconclusive) rather than guess. Wherever
f is evaluated (beside the point too), a *rounded* critical quantity of a
discontinuity (sign, heaviside, an edge, a pole) must be well above the
rounding of the values it is computed from, or the evaluation is repeated
with twice the precision (``sign(cos(y) - 1)`` at y = 2**-84: cos(y) - 1 is
-2**-169, which 150 bits round to 0, and sign(0) = 0 would hide the jump).

Derivatives
-----------
* Regular point (every critical quantity nonzero): f is analytic around the
  point, and the derivative is a central finite difference with
  ``mpmath.diff`` (mixed partials with its tuple form), with a step far below
  the distance to the nearest critical point, at a precision that absorbs the
  cancellation.
* Special point (some critical quantity is exactly 0): the derivative is
  built one differentiation at a time, as in the semantics above. Each
  one-sided derivative (``mpmath.diff`` with ``direction=-1`` / ``+1``, from
  D_(k-1)'s value at the point) is taken at two steps h and h*2**-S: a
  quotient that stays put is finite, one that grows with 1/h is infinite,
  anything else is inconclusive; D_(k-1) must also be continuous from that
  side (a jump, removable or not, makes the quotient grow like 1/h and is
  named as a jump). Inner differentiations use steps far below the outer
  ones, so every stencil stays on one side of the point being examined.

Every value carries two error bounds: rounding (a few ulps of the largest
intermediate value, so ``exp(x) + 1e300`` shows its cancellation; divided by
the step in each difference) and truncation (the spread between the two steps).
When the rounding bound is not negligible next to the value, the precision is
raised and the level recomputed (up to ~24,000 extra bits): a derivative that is
0 is then known to be below 2**-1100, under every float64.

Honesty: the whole computation runs at two levels (steps, precision); when
they disagree a third, finer level is tried, and when that disagrees too the
result is *inconclusive* (counted and skipped by the fuzzer, never guessed).
Two levels agree only if the finer one's error bound is not larger than the
coarser one's: a step far above the scale on which f varies
(``sin((-(y - 2.3))**x)`` at x=-2.48, y=2.3 turns over every 1e-55) gives
noise whose bound covers everything. Also inconclusive: a kink/edge argument
within rounding of 0 (``sin(pi*x)`` at 1) or a discontinuity's argument still
unresolved at 25,600 bits, values past 2**(2**40) or arguments of
exp/sin/... past 2**1100 (``sinh(1e308)``), and a rounding error that does
not shrink with precision.

Resolution: a value whose rounding error has been pushed below 2**-1100
without resolving it counts as 0 (below every float64). A one-sided
derivative found that way is marked ``unresolved``: it may be 0, or 1e-391
(``exp(-y**2)*relu(x)`` at y=30), or even c*h**(-2/3) with c below 2**-1100,
an infinite side; the fuzzer does not grade derivcli's tiny or infinite
sides against it.
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

TABLE_ARITY: dict[str, int] = {spec.name: spec.arity for spec in _DERIVCLI_FUNCTIONS}
KINKED = frozenset({"abs", "sign", "heaviside", "relu", "max", "min"})


def parse_tree(text: str) -> Node:
    """derivcli's parse tree of ``text`` (raises derivcli's error on bad input)."""
    return _derivcli_parse(text).tree


def expression_variables(text: str) -> tuple[str, ...]:
    """The variables of ``text``, sorted, as derivcli reads them."""
    return tuple(_derivcli_parse(text).variables)


# ------------------------------------------------------------ exact and mp values

Real = Any  # a fractions.Fraction (exact) or an mpmath mpf (at mp.prec)

MAX_EXACT_BITS = 20_000  # past this a Fraction becomes an mpf (keeps evaluation fast)
MAX_EXACT_POWER = 64  # exact integer powers up to this exponent
HUGE_BITS = 1100  # |argument| past 2**1100: beyond every float64, the oracle stops
MAX_MAGNITUDE_BITS = 2**40  # a value past 2**(2**40) is beyond the oracle
MAX_SCALE_BITS = 3000  # steps are never below 2**-3000 (times 2**-20)
RESOLVE_GUARD_BITS = 160  # bits a discontinuity's rounded argument must have right
MAX_RESOLVE_PRECISION = 1 << 15  # ... at up to this many bits; past it, OracleLimit
# kinked functions that jump (atan2 across the negative x axis)
DISCONTINUOUS = frozenset(
    {"sign", "heaviside", "floor", "ceil", "round", "trunc", "frac", "hardshrink", "atan2"}
)


def _rounded_call(name: str, operands: Sequence[tuple[Real, Any]]) -> bool:
    """Whether a call's results are rounded values: some argument is (an mpf), and
    the function is no step or kink, whose exact outputs (sign's 1, relu's 0)
    stand once _check_resolved has placed its argument."""
    return (
        name not in DISCONTINUOUS
        and name not in KINKED
        and any(not isinstance(v, Fraction) for v, _ in operands)
    )


class Undefined(ArithmeticError):
    """Outside the real domain, or a pole."""


class OracleLimit(ArithmeticError):
    """A value the oracle does not evaluate (exp(exp(1e300)))."""


class Unresolved(ArithmeticError):
    """A rounded argument of a discontinuity is within rounding of 0 (evaluate more precisely)."""


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
    if a == 0 and isinstance(a, Fraction):  # keep an exact operand exact
        return b
    if b == 0 and isinstance(b, Fraction):
        return a
    return to_mp(a) + to_mp(b)


def sub(a: Real, b: Real) -> Real:
    return add(a, -b)


def mul(a: Real, b: Real) -> Real:
    if _both_exact(a, b):
        return _shrink(a * b)
    if (a == 0 and isinstance(a, Fraction)) or (b == 0 and isinstance(b, Fraction)):
        return Fraction(0)  # exactly 0 times a finite value is exactly 0
    return to_mp(a) * to_mp(b)


def div(a: Real, b: Real) -> Real:
    if b == 0:
        raise Undefined("division by zero")
    if a == 0 and isinstance(a, Fraction):
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


# A periodic function of a rounded (transcendental) argument past 2**64 may
# turn over faster than any step the oracle's differences take: sinc(exp(y))
# at y = 710 turns over every 1e-309 in y, and differences at steps of 2**-60
# gave 0 where the derivative is 1267.75. An exact argument (y + 2.5 at 1e308)
# is kept: its period in y is the plain 2*pi.
PERIODIC_BITS = 64


def _guard_periodic(a: Real) -> None:
    if not isinstance(a, Fraction) and a != 0 and _log2_abs(a) > PERIODIC_BITS:
        raise OracleLimit("a periodic or step function of a rounded argument beyond 2**64")


def _guard_steps(a: Real) -> None:
    """A step function (floor, ceil, round, trunc, frac) of an argument past
    2**64, exact or not: its steps may be finer than any difference the oracle
    takes. round(1e300*z) at 3.529 steps every 1e-300 in z and is flat at z
    (1e300*z is a whole number there): its derivative is 0, and the oracle's
    differences saw the staircase's slope, 1e300 (fuzz seed 80)."""
    if a != 0 and _log2_abs(a) > PERIODIC_BITS:
        raise OracleLimit("a step function of an argument beyond 2**64")


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
        if n == 0:  # exactly 1, whatever the base (0**0 = 1 as in MPFR, IEEE pow, torch)
            return Fraction(1)
        if a == 0:
            if n > 0:
                return Fraction(0)
            raise Undefined("0**b with b < 0")
        if isinstance(a, Fraction) and abs(n) <= MAX_EXACT_POWER:
            return _shrink(a**n)
        if abs(n).bit_length() + math.log2(max(abs(_log2_abs(a)), 1.0)) > HUGE_BITS:
            raise OracleLimit("a power beyond 2**2**1100")
        return to_mp(a) ** n
    if a == 0:
        if b > 0:
            return Fraction(0)
        raise Undefined("0**b with b < 0")
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

    periodic = name in ("sin", "cos")

    def call(a: Real) -> Real:
        if at_zero is not None and a == 0:
            return at_zero
        _guard_huge(a)
        if periodic:
            _guard_periodic(a)
        return fn(to_mp(a))

    return call


def _tan(a: Real) -> Real:
    if a == 0:
        return Fraction(0)
    _guard_huge(a)
    _guard_periodic(a)
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
}


# -- the functions added with the 70-function language. Their meaning is
# torch's (and the README's); defaults of the constant parameters are torch's.


def _nonzero_pole(value: Real, why: str) -> Real:
    if value == 0:
        raise Undefined(why)
    return value


def _sec(a: Real) -> Real:
    return div(Fraction(1), _nonzero_pole(MP_FUNCTIONS["cos"](a), "pole of sec"))


def _csc(a: Real) -> Real:
    return div(Fraction(1), _nonzero_pole(MP_FUNCTIONS["sin"](a), "pole of csc"))


def _cot(a: Real) -> Real:
    s = _nonzero_pole(MP_FUNCTIONS["sin"](a), "pole of cot")
    return div(MP_FUNCTIONS["cos"](a), s)


def _outside_unit(a: Real, name: str) -> Real:
    """1/a for asec and acsc, defined where |a| >= 1."""
    if a == 0 or less(abs(a), Fraction(1)):
        raise Undefined(f"{name} inside (-1, 1)")
    return div(Fraction(1), a)


def _acot(a: Real) -> Real:
    return sub(mp.pi / 2, MP_FUNCTIONS["atan"](a))


def _atan2(y: Real, x: Real) -> Real:
    """The angle of (x, y) in (-pi, pi]: pi on the negative x axis, 0 at the origin
    (IEEE's atan2(+0, +0), as MPFR and torch have it)."""
    if y == 0:
        if x >= 0:
            return Fraction(0)
        return +mp.pi
    _guard_huge(y)
    _guard_huge(x)
    return mp.atan2(to_mp(y), to_mp(x))


def _sinc(a: Real) -> Real:
    if a == 0:
        return Fraction(1)
    _guard_huge(a)
    _guard_periodic(a)
    return mp.sincpi(to_mp(a))


def _exp2(a: Real) -> Real:
    _guard_huge(a)
    return power(Fraction(2), a, False)


def _expm1(a: Real) -> Real:
    if a == 0:
        return Fraction(0)
    _guard_huge(a)
    return mp.expm1(to_mp(a))


def _exact_log(a: Fraction, base: int) -> Fraction | None:
    """log_base(a) when a is a whole power of base (8 for 2, 1/100 for 10)."""
    for top, bottom, sign in ((a.numerator, a.denominator, 1), (a.denominator, a.numerator, -1)):
        if bottom != 1 or top < 1:
            continue
        k = 0
        while top % base == 0:
            top //= base
            k += 1
        if top == 1:
            return Fraction(sign * k)
    return None


def _log_base(base: int) -> Callable[[Real], Real]:
    def call(a: Real) -> Real:
        if a <= 0:
            raise Undefined(f"log{base} of a non-positive number")
        if isinstance(a, Fraction):
            exact = _exact_log(a, base)
            if exact is not None:
                return exact
        return mp.log(to_mp(a), base)

    return call


def _log1p(a: Real) -> Real:
    if a <= -1:
        raise Undefined("log1p at or below -1")
    if a == 0:
        return Fraction(0)
    return mp.log1p(to_mp(a))


def _cbrt(a: Real) -> Real:
    if a == 0:
        return Fraction(0)
    if isinstance(a, Fraction):
        root = _exact_root(abs(a), 3)
        if root is not None:
            return root if a > 0 else -root
    root = mp.cbrt(abs(to_mp(a)))  # mpmath's cbrt of a negative number is complex
    return root if a > 0 else -root


def _hypot(a: Real, b: Real) -> Real:
    return _sqrt(add(mul(a, a), mul(b, b)))


def _logsumexp(a: Real, b: Real) -> Real:
    big = _max(a, b)
    gap = abs(sub(a, b))
    _guard_huge(gap)
    return add(big, mp.log1p(mp.exp(-to_mp(gap))))


def _erfc(a: Real) -> Real:
    if a == 0:
        return Fraction(1)
    _guard_huge(a)
    return mp.erfc(to_mp(a))


def _erfinv(a: Real) -> Real:
    if not less(abs(a), Fraction(1)):
        raise Undefined("erfinv outside (-1, 1)")
    return Fraction(0) if a == 0 else mp.erfinv(to_mp(a))


def _gamma_pole(a: Real, name: str) -> None:
    if a <= 0 and _is_integer(a):
        raise Undefined(f"pole of {name}")
    if a != 0 and _log2_abs(a) > 40:
        raise OracleLimit(f"{name} of an argument beyond 2**40")


def _gamma(a: Real) -> Real:
    _gamma_pole(a, "gamma")
    if isinstance(a, Fraction) and a.denominator == 1 and a <= 171:
        return Fraction(math.factorial(int(a) - 1))
    return mp.gamma(to_mp(a))


def _factorial(n: Real) -> Real:
    return _gamma(add(n, Fraction(1)))


def _lgamma(a: Real) -> Real:
    _gamma_pole(a, "lgamma")
    if a == 1 or a == 2:
        return Fraction(0)
    if a > 0:
        return mp.loggamma(to_mp(a))
    return mp.log(abs(mp.gamma(to_mp(a))))  # log|gamma|


def _digamma(a: Real) -> Real:
    _gamma_pole(a, "digamma")
    return mp.digamma(to_mp(a))


def _polygamma(n: Real, a: Real) -> Real:
    _gamma_pole(a, "polygamma")
    if not (_is_integer(n) and n >= 0):
        raise Undefined("polygamma of an order that is not whole")
    return mp.polygamma(int(n), to_mp(a))


def _step_of(rounding: Callable[[Fraction], int]) -> Callable[[Real], Real]:
    """floor, ceil, round (halves to even, as torch.round), trunc: exact integers."""

    def call(a: Real) -> Real:
        if a != 0 and _log2_abs(a) > 2 * HUGE_BITS:
            raise OracleLimit("a rounding of an argument beyond 2**2200")
        # a step every unit, as a period: floor(cot(x)) at 1e-300 steps every
        # 1e-600 in x, far below the oracle's differences (campaign 48)
        _guard_steps(a)
        return Fraction(rounding(to_fraction(a)))

    return call


def _trunc_int(a: Fraction) -> int:
    return math.floor(a) if a >= 0 else math.ceil(a)


def _frac(a: Real) -> Real:
    _guard_steps(a)
    return sub(a, Fraction(_trunc_int(to_fraction(a))))


def _clamp(a: Real, lo: Real, hi: Real) -> Real:
    return _min(_max(a, lo), hi)


def _softplus_beta(a: Real, beta: Real = Fraction(1), threshold: Real = Fraction(20)) -> Real:
    """log(1 + exp(beta*a))/beta; the threshold is torch's shortcut, not the function."""
    return div(_softplus(mul(beta, a)), beta)


GELU_TANH_CUBIC = Fraction(44715, 1_000_000)


def _gelu(a: Real) -> Real:
    if a == 0:
        return Fraction(0)
    _guard_huge(a)
    x = to_mp(a)
    return x * (1 + mp.erf(x / mp.sqrt(2))) / 2


def _gelu_tanh(a: Real) -> Real:
    if a == 0:
        return Fraction(0)
    _guard_huge(a)
    x = to_mp(a)
    inner = mp.sqrt(2 / mp.pi) * (x + to_mp(GELU_TANH_CUBIC) * x**3)
    return x * (1 + mp.tanh(inner)) / 2


def _silu(a: Real) -> Real:
    return mul(a, _sigmoid(a))


def _mish(a: Real) -> Real:
    if a == 0:
        return Fraction(0)
    return mul(a, mp.tanh(_softplus(a)))


def _elu(a: Real, alpha: Real = Fraction(1)) -> Real:
    return a if a > 0 else mul(alpha, _expm1(a))


SELU_ALPHA = Fraction("1.6732632423543772848170429916717")
SELU_SCALE = Fraction("1.0507009873554804934193349852946")


def _selu(a: Real) -> Real:
    return mul(SELU_SCALE, _elu(a, SELU_ALPHA))


def _celu(a: Real, alpha: Real = Fraction(1)) -> Real:
    if alpha == 0:
        raise Undefined("celu with alpha 0")
    return add(_relu(a), _min(Fraction(0), mul(alpha, _expm1(div(a, alpha)))))


def _leaky_relu(a: Real, slope: Real = Fraction(1, 100)) -> Real:
    return a if a > 0 else mul(slope, a)


def _relu6(a: Real) -> Real:
    return _min(_relu(a), Fraction(6))


def _hardtanh(a: Real, lo: Real = Fraction(-1), hi: Real = Fraction(1)) -> Real:
    return _clamp(a, lo, hi)


def _hardsigmoid(a: Real) -> Real:
    return div(_relu6(add(a, Fraction(3))), Fraction(6))


def _hardswish(a: Real) -> Real:
    return mul(a, _hardsigmoid(a))


def _softsign(a: Real) -> Real:
    return div(a, add(Fraction(1), abs(a)))


def _logsigmoid(a: Real) -> Real:
    return -_softplus(-a)


def _tanhshrink(a: Real) -> Real:
    return sub(a, MP_FUNCTIONS["tanh"](a))


def _softshrink(a: Real, lambd: Real = Fraction(1, 2)) -> Real:
    if less(lambd, a):
        return sub(a, lambd)
    if less(a, -lambd):
        return add(a, lambd)
    return Fraction(0)


def _hardshrink(a: Real, lambd: Real = Fraction(1, 2)) -> Real:
    return a if less(lambd, abs(a)) else Fraction(0)


MP_FUNCTIONS.update(
    {
        "sec": _sec,
        "csc": _csc,
        "cot": _cot,
        "asec": lambda a: _acos(_outside_unit(a, "asec")),
        "acsc": lambda a: _asin(_outside_unit(a, "acsc")),
        "acot": _acot,
        "atan2": _atan2,
        "sinc": _sinc,
        "exp2": _exp2,
        "expm1": _expm1,
        "log2": _log_base(2),
        "log10": _log_base(10),
        "log1p": _log1p,
        "cbrt": _cbrt,
        "hypot": _hypot,
        "logsumexp": _logsumexp,
        "erfc": _erfc,
        "erfinv": _erfinv,
        "gamma": _gamma,
        "factorial": _factorial,
        "lgamma": _lgamma,
        "digamma": _digamma,
        "polygamma": _polygamma,
        "clamp": _clamp,
        "floor": _step_of(math.floor),
        "ceil": _step_of(math.ceil),
        "round": _step_of(round),
        "trunc": _step_of(_trunc_int),
        "frac": _frac,
        "softplus": _softplus_beta,
        "gelu": _gelu,
        "gelu_tanh": _gelu_tanh,
        "silu": _silu,
        "mish": _mish,
        "elu": _elu,
        "selu": _selu,
        "celu": _celu,
        "leaky_relu": _leaky_relu,
        "relu6": _relu6,
        "hardtanh": _hardtanh,
        "hardsigmoid": _hardsigmoid,
        "hardswish": _hardswish,
        "softsign": _softsign,
        "logsigmoid": _logsigmoid,
        "tanhshrink": _tanhshrink,
        "softshrink": _softshrink,
        "hardshrink": _hardshrink,
    }
)

# The constant parameters each function takes after its expressions (before
# them where the name is in PARAMS_FIRST), with torch's defaults (None:
# required), and values the fuzzer may give them.
PARAMS: dict[str, tuple[tuple[Fraction | None, tuple[str, ...]], ...]] = {
    "softplus": ((Fraction(1), ("2", "0.5", "-1")), (Fraction(20), ("20", "5"))),
    "elu": ((Fraction(1), ("0.5", "2", "-0.5")),),
    "celu": ((Fraction(1), ("0.5", "2")),),
    "leaky_relu": ((Fraction(1, 100), ("0.2", "-0.5", "1")),),
    "hardtanh": ((Fraction(-1), ("0", "-2")), (Fraction(1), ("6", "2"))),
    "softshrink": ((Fraction(1, 2), ("0", "0.25", "1")),),
    "hardshrink": ((Fraction(1, 2), ("0", "0.25", "1")),),
    "clamp": ((None, ("-1", "0", "0.5")), (None, ("1", "2", "6"))),
    "polygamma": ((None, ("0", "1", "2")),),
    "factorial": ((None, ("0", "3", "5", "0.5", "-0.5", "-2")),),
}
PARAMS_FIRST = frozenset({"polygamma", "factorial"})
VARIADIC = frozenset({"max", "min", "logsumexp"})

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


def _sin_poles(args: Sequence[Real]) -> list[tuple[str, Real]]:
    return [("domain", MP_FUNCTIONS["sin"](args[0]))]


def _cos_poles(args: Sequence[Real]) -> list[tuple[str, Real]]:
    return [("domain", MP_FUNCTIONS["cos"](args[0]))]


def _nearest_integer(a: Real) -> Real:
    """a minus the integer nearest to it (0 on every integer)."""
    return sub(a, Fraction(round(to_fraction(a))))


def _gamma_poles(position: int) -> Criticals:
    def criticals(args: Sequence[Real]) -> list[tuple[str, Real]]:
        a = args[position]
        return [("domain", _nearest_integer(a))] if not less(Fraction(1, 2), a) else []

    return criticals


def _kinks_at(*offsets: Real) -> Criticals:
    """Kinks where the argument equals each offset (relu6: 0 and 6)."""
    return lambda args: [("kink", sub(args[0], c)) for c in offsets]


def _kinks_between(args: Sequence[Real]) -> list[tuple[str, Real]]:
    """clamp and hardtanh: kinks at both ends."""
    return [("kink", sub(args[0], args[1])), ("kink", sub(args[0], args[2]))]


def _kinks_at_lambda(args: Sequence[Real]) -> list[tuple[str, Real]]:
    """softshrink and hardshrink: kinks (jumps) at +-lambd."""
    return [("kink", sub(args[0], args[1])), ("kink", add(args[0], args[1]))]


def _unit_ends(args: Sequence[Real]) -> list[tuple[str, Real]]:
    """asec and acsc: defined for |a| >= 1, so their domain ends at -1 and 1."""
    return [("domain", sub(args[0], Fraction(1))), ("domain", add(args[0], Fraction(1)))]


def _integers(args: Sequence[Real]) -> list[tuple[str, Real]]:
    return [("kink", _nearest_integer(args[0]))]


def _halves(args: Sequence[Real]) -> list[tuple[str, Real]]:
    a = args[0]
    return [("kink", sub(sub(a, Fraction(math.floor(to_fraction(a)))), Fraction(1, 2)))]


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
    "sec": _cos_poles,
    "csc": _sin_poles,
    "cot": _sin_poles,
    "asec": _unit_ends,
    "acsc": _unit_ends,
    "atan2": lambda args: [("kink", args[0])],
    "log2": _domain_at(Fraction(0)),
    "log10": _domain_at(Fraction(0)),
    "log1p": _domain_at(Fraction(-1)),
    "cbrt": _kinks_at(Fraction(0)),
    "hypot": lambda args: [("kink", add(abs(args[0]), abs(args[1])))],
    "erfinv": _domain_unit,
    "gamma": _gamma_poles(0),
    "lgamma": _gamma_poles(0),
    "digamma": _gamma_poles(0),
    "polygamma": _gamma_poles(1),
    "clamp": _kinks_between,
    "hardtanh": _kinks_between,
    "floor": _integers,
    "ceil": _integers,
    "trunc": _integers,
    "frac": _integers,
    "round": _halves,
    "elu": _kinks_at(Fraction(0)),  # (the parameters are no kink's arguments)
    "selu": _kinks_at(Fraction(0)),
    "celu": _kinks_at(Fraction(0)),
    "leaky_relu": _kinks_at(Fraction(0)),
    "softsign": _kinks_at(Fraction(0)),
    "relu6": _kinks_at(Fraction(0), Fraction(6)),
    "hardsigmoid": _kinks_at(Fraction(-3), Fraction(3)),
    "hardswish": _kinks_at(Fraction(-3), Fraction(3)),
    "softshrink": _kinks_at_lambda,
    "hardshrink": _kinks_at_lambda,
}


def with_defaults(name: str, args: Sequence[Real]) -> list[Real]:
    """The arguments with the constant parameters not given filled in with torch's
    defaults (softplus(x) is softplus(x, 1, 20))."""
    filled = list(args)
    params = PARAMS.get(name, ())
    given = len(args) - (0 if name in PARAMS_FIRST else TABLE_ARITY.get(name, len(args)))
    for default, _ in params[max(given, 0) :]:
        if default is None:
            break
        filled.append(default)
    return filled


MP_CONSTANTS: dict[str, Callable[[], Real]] = {"pi": lambda: +mp.pi, "E": lambda: +mp.e}

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
        self.magnitude = -math.inf  # the largest magnitude met (value_and_error)
        self.error = EXACT  # the error scale of the node evaluated last

    # exact / mpmath --------------------------------------------------
    def value(self, point: Mapping[str, Real], record: Record | None = None) -> Real:
        """f(point); raises Undefined or OracleLimit.

        Where the argument of a discontinuity (sign, heaviside, a domain edge,
        a pole: see ``_check_resolved``) comes out within rounding of 0, the
        whole evaluation is repeated at twice the precision, up to
        MAX_RESOLVE_PRECISION bits; past that, OracleLimit.
        """
        prec = mp.prec
        while True:
            if record is not None:
                record.clear()
            self.magnitude = -math.inf
            try:
                with mp.workprec(prec):
                    return self._eval(self.tree, point, record)
            except Unresolved as exc:
                prec *= 2
                if prec > MAX_RESOLVE_PRECISION:
                    raise OracleLimit(f"{exc} even at {prec // 2} bits") from None

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
        # the larger of a few ulps of the largest intermediate and the error scale
        # carried through the slopes: atanh(tanh(y)) at 4300 has tanh's one
        # rounding times atanh's slope next to 1, 2**12407, not 4300's ulps
        scale = int(self.magnitude) + 13
        if math.isfinite(self.error):
            scale = max(scale, math.ceil(self.error) + 1)
        return value, mpmath.ldexp(1, scale - mp.prec)

    def _eval(self, node: Node, point: Mapping[str, Real], record: Record | None) -> Real:
        """The node's value; its error scale is left in ``self.error``."""
        value, error = self._eval_node(node, point, record)
        if value != 0:
            magnitude = _log2_abs(value)
            if magnitude > MAX_MAGNITUDE_BITS:
                raise OracleLimit(f"a value beyond 2**{MAX_MAGNITUDE_BITS}")
            self.magnitude = max(self.magnitude, magnitude)
        self.error = error if not isinstance(value, Fraction) else EXACT
        return value

    def _operand(self, node: Node, point: Mapping[str, Real], record: Record | None) -> Operand:
        value = self._eval(node, point, record)
        return value, self.error

    def _check_resolved(
        self, name: str, items: list[tuple[str, Real]], operands: list[Operand]
    ) -> None:
        """Raise Unresolved if a rounded argument of a discontinuity is within
        rounding of 0: its sign, and so f's value, would be a guess.

        Discontinuities are sign and heaviside (a kink argument of abs, relu,
        max or min rounded to the wrong side moves f by no more than the
        rounding), domain edges and poles. An exact argument (a Fraction) is
        never in doubt; a rounded one must be 2**RESOLVE_GUARD_BITS above its
        error bound (see Operand): cos(h) - 1 at h = 2**-84 is 0 at
        150 bits, and sign(0) = 0 would be no rounding error at all; exp(y)
        at y = -1e300 is tiny but accurate to the last bit.
        """
        scale = max([e for _, e in operands] + [_lg(v) for v, _ in operands])
        for kind, q in items:
            if isinstance(q, Fraction) or (kind == "kink" and name not in DISCONTINUOUS):
                continue
            # bits of q that are right (a difference: exponents may be ~1e300)
            right = mp.prec - (max(scale, _lg(q)) - _lg(q)) - 1 if q != 0 else -math.inf
            if right <= RESOLVE_GUARD_BITS:
                raise Unresolved(f"the {kind} argument of {name} is within rounding of 0")

    def _eval_node(self, node: Node, point: Mapping[str, Real], record: Record | None) -> Operand:
        if isinstance(node, Number):
            return node.value, EXACT
        if isinstance(node, Constant):
            value = MP_CONSTANTS[node.name]()
            return value, _lg(value)
        if isinstance(node, Variable):
            value = point[node.name]
            return value, EXACT if isinstance(value, Fraction) else _lg(value)
        if isinstance(node, Negate):
            value, error = self._operand(node.operand, point, record)
            return -value, error
        if isinstance(node, BinaryOp):
            left = self._operand(node.left, point, record)
            right = self._operand(node.right, point, record)
            return self._binary(node, left, right, record)
        if isinstance(node, Call):
            operands = [self._operand(arg, point, record) for arg in node.args]
            args = with_defaults(node.name, [v for v, _ in operands])
            operands += [(v, EXACT) for v in args[len(operands) :]]
            criticals = CRITICAL[node.name](args)
            # a rounded argument that came out exactly on a special value (the 0
            # of asin(y) + -y at y = -5e-324, whose true value is -2e-971) gives
            # no exact result: sin of it is a rounded 0, which the pole check
            # of cot must see as unresolved, not as an exact pole
            rounded = _rounded_call(node.name, operands)
            if rounded:
                criticals = [(kind, to_mp(q)) for kind, q in criticals]
            self._check_resolved(node.name, criticals, operands)
            _note(record, node, criticals)
            value = MP_FUNCTIONS[node.name](*args)
            if rounded:
                value = to_mp(value)
            slopes = _slopes(node.name, args, value)
            slopes += [0.0] * (len(operands) - len(slopes))  # constant parameters
            pairs = zip(operands, slopes, strict=True)
            scaled = [EXACT if e == EXACT else e + k for (_, e), k in pairs]
            return value, max([_lg(value), *scaled]) + 1
        raise TypeError(f"unknown node {node!r}")

    def _binary(
        self, node: BinaryOp, left: Operand, right: Operand, record: Record | None
    ) -> Operand:
        op = node.op
        (a, ea), (b, eb) = left, right
        if op in "+-":
            r = add(a, b) if op == "+" else sub(a, b)
            return r, max(ea, eb, _lg(a), _lg(b), _lg(r)) + 1
        if op == "*":
            r = mul(a, b)
            return r, max(ea + _lg(b), eb + _lg(a), _lg(r)) + 1
        if op == "/":
            self._check_resolved("a division", [("pole", b)], [right])
            _note(record, node, [("domain", b)])
            r = div(a, b)
            lb = _lg(b)
            return r, max(ea - lb, eb + _lg(a) - 2 * lb, _lg(r)) + 1
        constant = id(node.right) in self.constant
        criticals = _power_criticals(b, constant, a)
        self._check_resolved("a power", criticals, [left])
        _note(record, node, criticals)
        r = power(a, b, constant)
        return r, _power_error(a, ea, b, eb, r)


# Error scales: each value carries a number e with |error| <= 2**(e - mp.prec)
# (first order, +1 per operation): -inf for an exact Fraction; log2 |v| for
# one rounding; through a sum the larger operand's (cancellation shows as a
# result far below its error scale); through products, quotients, powers and
# functions the operands' error scales plus the log2 of the slopes. Only
# _check_resolved and value_and_error read them.
Operand = tuple[Real, float]  # a value and its error scale
EXACT = -math.inf
LOG2E = 1.4426950408889634


def _lg(v: Real) -> float:
    """log2 |v|; -inf for 0."""
    return -math.inf if v == 0 else float(_log2_abs(v))


def _float(v: Real) -> float:
    """v as a float, clamped to +-1e300 (only the size of slopes is needed)."""
    magnitude = _lg(v)
    if magnitude > 990:
        return math.copysign(1e300, float(_sign(v)))
    return float(to_mp(v)) if not isinstance(v, Fraction) else float(v)


def _slopes(name: str, args: Sequence[Real], value: Real) -> list[float]:
    """log2 of |d f / d arg| for each argument (an upper bound where that is simpler);
    where mpmath fails to say (digamma next to a pole), a slope past any precision."""
    try:
        return _slopes_of(name, args, value)
    except (ZeroDivisionError, ValueError):
        return [float(MAX_RESOLVE_PRECISION)] * len(args)


def _slopes_of(name: str, args: Sequence[Real], value: Real) -> list[float]:
    if name in ("max", "min", "hypot", "logsumexp"):
        return [0.0, 0.0]
    if name == "atan2":
        radius = max(_lg(args[0]), _lg(args[1]))
        return [-radius, -radius]
    if name == "polygamma":
        return [0.0, _lg(mp.polygamma(int(args[0]) + 1, to_mp(args[1])))]
    a = args[0]
    x = _float(a)
    if name in BOUNDED_SLOPE:
        return [BOUNDED_SLOPE[name]]
    if name in ("sign", "heaviside", "floor", "ceil", "round", "trunc", "factorial"):
        return [-math.inf]  # steps: flat between their jumps (a jump's argument is resolved)
    if name in ("tan", "sec"):
        return [-2 * _lg(mp.cos(to_mp(a)))]
    if name in ("csc", "cot"):
        return [-2 * _lg(mp.sin(to_mp(a)))]
    if name in ("asin", "acos"):
        return [-0.5 * (_lg(sub(Fraction(1), a)) + _lg(add(Fraction(1), a)))]
    if name in ("asec", "acsc"):
        return [-_lg(a) - 0.5 * (_lg(sub(a, Fraction(1))) + _lg(add(a, Fraction(1))))]
    if name == "atanh":
        return [-(_lg(sub(Fraction(1), a)) + _lg(add(Fraction(1), a)))]
    if name == "acosh":
        return [-0.5 * (_lg(sub(a, Fraction(1))) + _lg(add(a, Fraction(1))))]
    if name in ("atan", "acot"):
        return [-2 * max(_lg(a), 0.0)]
    if name == "asinh":
        return [-max(_lg(a), 0.0)]
    if name in ("sinh", "cosh"):
        return [max(0.0, abs(x) * LOG2E)]
    if name == "tanh":
        return [min(0.0, 2 - 2 * abs(x) * LOG2E)]
    if name in ("exp", "expm1"):
        return [x * LOG2E]
    if name == "exp2":
        return [x]
    if name in ("log", "log2", "log10"):
        return [-_lg(a)]
    if name == "log1p":
        return [-_lg(add(a, Fraction(1)))]
    if name == "sqrt":
        return [-1 - _lg(a) / 2]
    if name == "cbrt":
        return [-1.5 - 2 * _lg(a) / 3]
    if name in ("erf", "erfc"):
        return [0.2 - x * x * LOG2E]
    if name == "erfinv":
        return [float(to_mp(value)) ** 2 * LOG2E if value != 0 else 0.0]
    if name == "sigmoid":
        return [min(0.0, -abs(x) * LOG2E)]
    if name == "softplus":
        return [min(0.0, _float(mul(args[1], a)) * LOG2E)]
    if name in ("gamma", "lgamma", "digamma"):
        order = {"gamma": 0, "lgamma": 0, "digamma": 1}[name]
        slope = _lg(mp.polygamma(order, to_mp(a)))
        return [slope + (_lg(value) if name == "gamma" else 0.0)]
    if name in ("elu", "celu", "leaky_relu"):
        return [max(0.0, _lg(args[1]) if len(args) > 1 else 0.0)]
    raise KeyError(name)


# Functions whose slope is at most 2**k everywhere (k given), jumps aside.
BOUNDED_SLOPE: dict[str, float] = {
    **dict.fromkeys(("sin", "cos", "abs", "relu", "frac", "clamp", "hardtanh", "relu6"), 0.0),
    **dict.fromkeys(("softsign", "logsigmoid", "tanhshrink", "softshrink", "hardshrink"), 0.0),
    **dict.fromkeys(("sinc", "gelu", "gelu_tanh", "silu", "mish", "selu", "hardswish"), 1.0),
    "hardsigmoid": 0.0,
}


def _power_error(a: Real, ea: float, b: Real, eb: float, r: Real) -> float:
    """The error scale of a**b: relative errors |b|*rel(a) + |ln a|*abs(b)."""
    if isinstance(r, Fraction) or r == 0:
        return EXACT if isinstance(r, Fraction) else _lg(r)
    lr = _lg(r)
    terms = [lr]
    if a != 0:
        terms.append(lr + _lg(b) + ea - _lg(a))
        la = _lg(a)
        if abs(la) > 4:
            log_of_log = math.log2(abs(la) * 0.6931471805599453)
        else:
            with mp.workprec(64):
                log_of_log = _lg(mp.log(abs(to_mp(a))))
        terms.append(lr + log_of_log + eb)
    return max(terms) + 1


def _note(record: Record | None, node: Node, items: list[tuple[str, Any]]) -> None:
    if record is None:
        return
    for i, (kind, value) in enumerate(items):
        record[(id(node), i)] = (kind, value)


# ------------------------------------------------------------ scanning one point


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
    """Evaluate f at ``point`` at two precisions, and classify the point."""
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
    defined = not isinstance(va, Exception)
    return Scan(
        defined=defined,
        undefined_reason="" if defined else str(va),
        special=bool(zeros),
        on_kink="kink" in zeros,
        unstable=unstable,
        scale=scale,
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

    @property
    def unresolved(self) -> bool:
        """A finite value within its rounding error of 0, an error already pushed
        below 2**-1100: 0, or a value too small for the oracle to see (a slope of
        1e-391 from exp(-y**2) at y=30), or even such a value times an infinite
        one (c*h**(-2/3) with c = 1e-391): the oracle cannot tell which."""
        return bool(
            self.kind == "finite" and self.round and abs(self.value) <= mpmath.ldexp(self.round, 8)
        )

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


def _converging(coarse: Any, fine: Any, a: Any, b: Any) -> bool:
    """The finer level's error bound is not larger than the coarser one's (up to 16x).

    A difference quotient whose step is far above the scale on which f varies
    (``sin(t**-2.48)`` at t = 1.8e-16, where f turns over every 1e-55) gives
    noise whose spread grows as the step shrinks: two such levels "agree" only
    because each one's error bound covers everything.
    """
    negligible = mpmath.ldexp(max(abs(a), abs(b)), -50) + mpmath.ldexp(1, -FLOOR_BITS)
    return bool(fine <= 16 * coarse + negligible)


def _sides_agree(a: Side, b: Side) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "finite":
        return _close(a.value, b.value, 2 * (a.unc + b.unc)) and _converging(
            a.unc, b.unc, a.value, b.value
        )
    if a.kind == "infinite":
        return bool(a.value == b.value)
    return True


def _levels_agree(a: Outcome, b: Outcome) -> bool:
    if a.kind != b.kind or "inconclusive" in (a.kind, b.kind):
        return False
    if a.kind == "value" and not (
        _close(a.value, b.value, 2 * (a.unc + b.unc))
        and _converging(a.unc, b.unc, a.value, b.value)
    ):
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


def constant_beyond_oracle(text: str) -> bool:
    """Whether some variable-free part of ``text`` is past what the oracle can
    evaluate (polygamma of an argument beyond 2**40): it cannot say that part is
    a finite real, so it cannot call its rejection wrong."""
    tree = parse_tree(text)
    ev = Evaluator(tree)
    for node in walk(tree):
        if id(node) not in ev.constant:
            continue
        try:
            with mp.workprec(200):
                Evaluator(node).value({})
        except OracleLimit:
            return True
        except Undefined:
            continue
    return False


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
                except Undefined:
                    break
                except OracleLimit as exc:
                    if "within rounding of 0" in str(exc):
                        return True  # csc(pi): sin(pi) is 0 to 25,600 bits
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
    """Whether ``text`` has a power with a constant base <= 0 and a non-constant
    exponent; a base is constant also when it has the same value wherever it is
    defined (``-z/(z*1)`` is -1, which symengine sees)."""
    tree = parse_tree(text)
    ev = Evaluator(tree)
    for node in walk(tree):
        if isinstance(node, BinaryOp) and node.op == "**" and id(node.right) not in ev.constant:
            if id(node.left) in ev.constant:
                try:
                    with mp.workprec(200):
                        if Evaluator(node.left).value({}) <= 0:
                            return True
                except (Undefined, OracleLimit):
                    return True
            elif _same_everywhere_at_most_0(node.left):
                return True
    return False


def _same_everywhere_at_most_0(tree: Node) -> bool:
    """Whether ``tree`` takes one value <= 0 at a few scattered points (all its
    variables moved together), where it is defined at all."""
    base = Evaluator(tree)
    names = sorted(base.variables)
    found = set()
    for t in (Fraction(37, 100), Fraction(19, 10), Fraction(-23, 10), Fraction(71, 7)):
        try:
            with mp.workprec(200):
                value = base.value({name: t * (i + 1) for i, name in enumerate(names)})
        except (Undefined, OracleLimit):
            continue
        found.add(to_fraction(value) if not isinstance(value, Fraction) else value)
    return len(found) == 1 and next(iter(found)) <= 0


@dataclass(frozen=True)
class ClosedForm:
    """A closed form's value at a point, exactly."""

    value: Any  # mpf, or None where it is undefined
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
    return ClosedForm(value, ev.magnitude)
