"""The one table of functions and constants derivcli understands.

Every other part of the pipeline reads this table and nothing else:

* the parser accepts exactly these names (and their aliases), their number
  of arguments and their constant parameters, and builds its "unknown
  function" message from them;
* a function with a ``definition`` is, for the closed form and the exact
  values, that expression of other functions (silu(a) is a*sigmoid(a)); the
  others are *primitives*: symengine differentiates them natively
  (``symengine``) or as opaque functions by the ``derivative`` rules, and
  ``exact`` (MPFR through gmpy2, real numbers only: nan outside the domain,
  an infinity at a pole) and ``float64`` (numpy, the same conventions)
  evaluate them;
* the numeric engine builds the autograd graph with ``torch``, the function
  a PyTorch user calls (F.silu, torch.special.erfinv, ...), so ``graph``
  shows the real grad_fn; ``torch_code`` is that call as Python;
* the analysis reads ``kinks`` (expressions in a, b, c whose zeros are the
  points where the function is not differentiable, or jumps), ``edges``
  (where the real domain ends) and the two conventions at a kink, which the
  notes quote;
* ``derivcli functions``, ``--help`` and the README list the table, and
  ``latex`` names each function for the LaTeX printer.

The arguments are named a, b, c, d in the rules, definitions and kinks.
Nothing heavy is imported here: the engine parts are small callables that
receive the module they need (torch, gmpy2, numpy), so importing this table
costs nothing at start-up.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# A builder receives an engine module (torch, gmpy2 or numpy) and the
# already-built arguments, and returns the function's value.
Builder = Callable[[Any, Sequence[Any]], Any]

ARGUMENT_NAMES = ("a", "b", "c", "d")


@dataclass(frozen=True, kw_only=True)
class Param:
    """An optional constant parameter: torch's keyword and its default."""

    name: str
    default: float | None  # None: required
    # What its value must be: "whole" (0, 1, 2, ...), "nonzero", "nonnegative",
    # or "not_below_previous" (hardtanh's max is not below its min).
    check: str = ""


@dataclass(frozen=True, kw_only=True)
class FunctionSpec:
    """One supported function."""

    name: str
    arity: int  # expressions it takes (the first ones)
    summary: str
    torch_code: (
        str  # the torch call as Python, in a, b, c (keyword parameters left out when not given)
    )
    torch: Builder  # (torch, arguments: tensors, numbers for constant parameters) -> tensor
    # Primitives: how to evaluate them (None for a function with a definition).
    exact: Builder | None = None  # (gmpy2, mpfr values) -> mpfr
    float64: Builder | None = None  # (numpy, float64 arrays) -> float64 array
    # The function as an expression of others, by number of arguments given
    # (silu: {1: "a*sigmoid(a)"}; softplus with beta: {3: "softplus(b*a)/b"}).
    definition: dict[int, str] | None = None
    # symengine function name when symengine differentiates it natively
    # (otherwise symengine treats a primitive as an opaque function) ...
    symengine: str | None = None
    # ... and the partial derivative with respect to each argument, in
    # derivcli's own language: the rule opaque functions are differentiated
    # by, and the rule a derivation (steps) names for every function.
    derivative: tuple[str, ...] = ()
    # The rule a derivation names where the parameters given change it
    # (softplus(a, beta) has d/da = sigmoid(beta*a); the closed form comes from
    # its definition, softplus(beta*a)/beta, for any beta). None: ``derivative``.
    step_derivative: tuple[str, ...] | None = None
    # Optional constant parameters after the expressions (leaky_relu's slope).
    params: tuple[Param, ...] = ()
    # Parameters come first instead (polygamma(n, x)).
    params_first: bool = False
    # Any number (at least ``arity``) of arguments: max(a, b, c) is read as
    # max(max(a, b), c).
    variadic: bool = False
    aliases: tuple[str, ...] = ()
    # Where it is not differentiable: the zeros of these expressions.
    kinks: tuple[str, ...] = ()
    # What each engine returns at such a point, quoted in the notes.
    torch_convention: str = ""
    # What torch's second and higher derivatives of it return there, where that
    # is not what its first derivative's rule suggests (elu's are 0, the right
    # side's, though its gradient is the left side's): quoted at orders of 2 or
    # more, after ``torch_convention`` (a rule for the first derivative, which
    # such a derivative may still use: elu(x, 2)*x's second derivative at 0 is
    # 2*elu'(0) = 4 in torch), as "returns 1 at 0 for its first derivative and
    # <this>".
    torch_higher_convention: str = ""
    closed_form_convention: str = ""
    # Finite ends of the real domain of the (first) argument: sqrt at 0,
    # asin at -1 and 1. A point whose argument sits on one is probed for a
    # domain edge.
    edges: tuple[float, ...] = ()
    # Undefined (nan or a pole) for some real arguments: log, sqrt, asin, tan, ...
    partial: bool = False
    # The ends of the real domain of the (first) argument, where it is one
    # interval: the function has no real value (nan, exactly and in float64)
    # at any argument below the first or above the second. A long grid's
    # float64 screen reads such a point as undefined without exact arithmetic
    # when the argument is past an end by more than its error (log(x) at x < 0).
    domain: tuple[float, float] | None = None
    # Periodic (or a step function): its value at a large argument depends on the
    # argument's last bits, so the exact evaluator keeps every bit of a computed
    # argument (frac(x + E) at x = 1e300 is frac(E)).
    periodic: bool = False
    # How LaTeX writes the name (\sin, \operatorname{relu}, \sigma).
    latex: str = ""

    @property
    def kink(self) -> bool:
        return bool(self.kinks)

    def torch_convention_for(self, order: int) -> str:
        """torch's convention at a kink for a derivative of ``order``: its first
        derivative's rule, and at orders of 2 or more what the higher ones return
        there, where the table knows (elu's second derivative at 0 is 0, not the
        left side's alpha of its first)."""
        if order >= 2 and self.torch_higher_convention:
            return (
                f"{self.torch_convention} for its first derivative and "
                f"{self.torch_higher_convention}"
            )
        return self.torch_convention

    @property
    def max_args(self) -> int | None:
        return None if self.variadic else self.arity + len(self.params)

    @property
    def min_args(self) -> int:
        return self.arity + sum(1 for p in self.params if p.default is None)

    @property
    def signature(self) -> str:
        names = list(ARGUMENT_NAMES[: self.arity])
        if self.variadic:
            names.append("...")
        params = [p.name if p.default is None else f"{p.name}={p.default:g}" for p in self.params]
        return f"{self.name}({', '.join(params + names if self.params_first else names + params)})"

    def constant_positions(self, count: int) -> range:
        """Which of ``count`` arguments must be constant (the parameters)."""
        if self.params_first:
            return range(0, len(self.params))
        return range(self.arity, min(count, self.arity + len(self.params)))


@dataclass(frozen=True, kw_only=True)
class ConstantSpec:
    """One supported named constant."""

    name: str
    summary: str
    value: float  # the float64 nearest to it, as torch and math use it
    symengine: str  # attribute of the symengine module
    exact: Callable[[Any], Any]  # (gmpy2) -> the constant at the context's precision
    aliases: tuple[str, ...] = ()


# ---------------------------------------------------------------- helpers


def _nan_safe(function: Callable[[Any, Any], Any]) -> Builder:
    """A one-argument exact builder that passes nan through untouched."""

    def build(m: Any, a: Sequence[Any]) -> Any:
        return a[0] if m.is_nan(a[0]) else function(m, a[0])

    return build


def _torch_heaviside(torch: Any, a: Sequence[Any]) -> Any:
    # torch.heaviside has no autograd formula; a PyTorch user writes the step
    # as a comparison, whose gradient is zero everywhere (0.5 at 0 matches
    # sympy's Heaviside(0) = 1/2 convention for the value).
    x = a[0]
    return (x > 0).to(x.dtype) + 0.5 * (x == 0).to(x.dtype)


def _exact_sign(m: Any, x: Any) -> Any:
    return m.mpfr(1) if x > 0 else m.mpfr(-1) if x < 0 else m.mpfr(0)


def _exact_heaviside(m: Any, x: Any) -> Any:
    return m.mpfr(1) if x > 0 else m.mpfr(0) if x < 0 else m.mpfr(1) / 2


def _exact_max(m: Any, a: Sequence[Any]) -> Any:
    return m.nan() if any(m.is_nan(x) for x in a) else max(a)


def _exact_min(m: Any, a: Sequence[Any]) -> Any:
    return m.nan() if any(m.is_nan(x) for x in a) else min(a)


def _elementwise(function: Callable[..., float]) -> Builder:
    """A float64 builder from a scalar function (math.erf ...), nan outside its domain."""

    def scalar(*values: float) -> float:
        try:
            return function(*values)
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan

    def build(np: Any, a: Sequence[Any]) -> Any:
        arrays = np.broadcast_arrays(*[np.asarray(x, dtype=np.float64) for x in a])
        return np.frompyfunc(lambda *v: scalar(*v), len(a), 1)(*arrays).astype(np.float64)

    return build


def _to_mpmath(mpmath: Any, m: Any, x: Any) -> Any:
    """An mpfr (or float, or int) as an mpmath number, exactly."""
    if not isinstance(x, type(m.mpfr(0))):
        x = m.mpfr(x)  # an int or a float: exact at 53 bits and more
    if not m.is_finite(x):
        return mpmath.mpf(str(x))
    mantissa, exponent = x.as_mantissa_exp()
    return mpmath.mpf((int(mantissa), int(exponent)))


# Below this, polygamma comes from the reflection formula: mpmath steps a
# negative x up to positive values one at a time (2.3 s for trigamma at -1.37e6,
# one of check's spot points).
POLYGAMMA_REFLECT_BELOW = -32


def _polygamma(mpmath: Any, n: Any, x: Any) -> Any:
    """polygamma(n, x) in mpmath at its working precision; for x below
    POLYGAMMA_REFLECT_BELOW and not whole, by reflection:
    psi_n(x) = (-1)**n * psi_n(1 - x) - pi**(n + 1) * cot_n(pi*x), with cot_n the n-th
    derivative of cot, a polynomial in c = cot(y): cot_0 = c, cot_(k+1) = -(1 + c**2)*cot_k'."""
    if x <= 0 and mpmath.isint(x):
        raise ValueError("polygamma pole")  # mpmath would step up to it first
    if x > 0:
        return mpmath.polygamma(n, x)
    # Left of 0 both ways cancel: mpmath steps x up to positive values through
    # terms that may be far larger than the result (polygamma(50, -31.5) is
    # 3e-13 from terms of 1e64), and the reflection's two terms cancel for large
    # |x| (polygamma(14, -9999999.5) is -6.2e-89, each term far larger). So it is
    # computed with more bits until two results agree to the caller's precision
    # and 8 bits more (a Ziv loop), which the evaluator cannot see inside one call.
    target = mpmath.mp.prec
    extra = 64 + max(0, int(mpmath.log(abs(x), 2)))
    previous = None
    while True:
        with mpmath.workprec(target + extra):
            value = _polygamma_left(mpmath, n, x)
            done = previous is not None and (
                abs(value - previous) <= abs(value) * mpmath.ldexp(1, -(target + 8))
                or extra >= POLYGAMMA_MAX_EXTRA
            )
        if done:
            return +value  # rounded to the caller's precision
        previous, extra = value, 2 * extra


# The most bits polygamma left of 0 adds to find two results that agree; past it
# the last result stands (the budget ends such an evaluation long before).
POLYGAMMA_MAX_EXTRA = 1 << 17


def _polygamma_left(mpmath: Any, n: Any, x: Any) -> Any:
    """polygamma(n, x) for x < 0 at the working precision, as mpmath steps it
    up, or by reflection below POLYGAMMA_REFLECT_BELOW."""
    if x >= POLYGAMMA_REFLECT_BELOW:
        return mpmath.polygamma(n, x)
    order = int(n)
    coefficients = [0, 1]  # of c**0, c**1, ...
    for _ in range(order):
        derivative = [i * coefficients[i] for i in range(1, len(coefficients))]
        product = [0] * (len(derivative) + 2)
        for i, coefficient in enumerate(derivative):
            product[i] -= coefficient
            product[i + 2] -= coefficient
        coefficients = product
    cot = mpmath.cot(mpmath.pi * x)
    value = mpmath.polyval(coefficients[::-1], cot)
    reflected = (-1) ** order * mpmath.polygamma(order, 1 - x)
    return reflected - mpmath.pi ** (order + 1) * value


def _call_mpmath(mpmath: Any, name: str, args: Sequence[Any]) -> Any:
    """mpmath's function ``name`` at the working precision (polygamma ours: reflected)."""
    if name == "polygamma":
        return _polygamma(mpmath, *args)
    return getattr(mpmath, name)(*args)


def _mpmath(name: str) -> Builder:
    """An exact builder through mpmath, at the current MPFR precision (for the few
    functions MPFR lacks: erfinv, polygamma)."""

    def build(m: Any, a: Sequence[Any]) -> Any:
        import mpmath

        if any(m.is_nan(x) for x in a):
            return m.nan()
        if name == "erfinv" and a[0] == 0:
            return m.mpfr(0)  # exactly: erfinv(0) = 0, unflagged (mpmath's values are)
        precision = m.get_context().precision
        with mpmath.workprec(precision + 16):
            # exactly, as mantissa and exponent (no decimal strings: polygamma
            # over a long grid spent a third of its time formatting)
            args = [_to_mpmath(mpmath, m, x) for x in a]
            try:
                value = _call_mpmath(mpmath, name, args)
            except ZeroDivisionError:  # polygamma(1, 0)
                return m.inf()  # a pole
            except ValueError as error:  # "polygamma pole", or outside the domain
                return m.inf() if "pole" in str(error) else m.nan()
            if not isinstance(value, mpmath.mpf):
                return m.nan()  # complex: outside the real domain
            if not mpmath.isfinite(value):
                return m.mpfr(str(value))  # +inf, -inf or nan
            sign, mantissa, exponent, _ = value._mpf_  # man_exp drops the sign
            signed = -mantissa if sign else mantissa
            # mpmath's value is itself rounded, whatever MPFR's flag says of
            # this last step: the evaluator must not take it for exact
            m.get_context().inexact = True
            return m.mul_2exp(m.mpfr(signed), exponent)  # rounded once, to the context

    return build


def _float64_sigmoid(np: Any, a: Sequence[Any]) -> Any:
    x = a[0]
    # exp(-|x|) never overflows; both branches are exact forms of 1/(1+exp(-x))
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


# Beyond this, exp(-x) is below 2**-24,000,000: under half an ulp of a term of
# size 2**-(2**23) or more at any precision derivcli evaluates with, and past
# MPFR's range (its underflow would make the whole value "too small").
_NEGLIGIBLE_EXP = 2**24


def _rounded(m: Any, value: Any) -> Any:
    """``value`` rounded to the context, flagged inexact: the true value differs
    from it by a term below every ulp."""
    m.get_context().inexact = True
    return +value


def _exact_sigmoid(m: Any, a: Sequence[Any]) -> Any:
    # exp of a negative number only: exp(1e20) would overflow even MPFR
    x = a[0]
    if x > _NEGLIGIBLE_EXP:  # 1 - exp(-x), within rounding of 1
        return _rounded(m, m.mpfr(1))
    if x >= 0:
        return 1 / (1 + m.exp(-x))
    e = m.exp(x)
    return e / (1 + e)


def _exact_softplus(m: Any, a: Sequence[Any]) -> Any:
    # max(a, 0) + log1p(exp(-|a|)): never overflows, exact for any a
    x = a[0]
    if x > _NEGLIGIBLE_EXP:  # softplus(1e300) is 1e300 + exp(-1e300)
        return _rounded(m, x)
    return x + m.log1p(m.exp(-abs(x))) if x > 0 else m.log1p(m.exp(x))


def _exact_logsumexp(m: Any, a: Sequence[Any]) -> Any:
    big = _exact_max(m, a)
    if m.is_nan(big):
        return big
    gap = abs(a[0] - a[1])
    # exp(-gap) < 2**-gap: under half an ulp of big once gap > precision + 1 - exponent
    # (big's exponent, not a fixed bound: big itself may be as small as 2**-(2**29))
    precision = m.get_context().precision
    if gap > _NEGLIGIBLE_EXP and big != 0 and gap > precision + 1 - m.get_exp(big):
        return _rounded(m, big)  # logsumexp(1e300, 0) is 1e300 + exp(-1e300)
    return big + m.log1p(m.exp(-gap))


def _gamma_pole(m: Any, x: Any) -> bool:
    """Whether x is a pole of gamma (and of lgamma, digamma): a whole x <= 0."""
    return bool(x <= 0 and m.is_integer(x))


def _exact_lgamma(m: Any, x: Any) -> Any:
    if _gamma_pole(m, x):
        return m.inf()
    if 2 < x <= WHOLE_GAMMA_UP_TO and m.is_integer(x):
        return m.log(m.mpz(math.factorial(int(x) - 1)))  # log((n-1)!), rounded once
    if _half_whole(m, x):
        return _lgamma_of_half_whole(m, int(x.as_integer_ratio()[0]))
    for zero in (1, 2):
        h = x - zero  # exact: x is within 2**-256 of 1 or 2 here, or not used
        if h and abs(h) < LGAMMA_SERIES_BELOW:
            return _lgamma_near_zero(m, h, zero)
    return m.lgamma(x)[0]


# Within this of lgamma's zeros 1 and 2, a series gives it: MPFR takes seconds a
# value at the thousands of bits a kink's probes need there (10 s for
# lgamma(1 + 2**-4096) at 4,160 bits: abs(lgamma(x)) at 1 ran out of its budget).
LGAMMA_SERIES_BELOW = 2.0**-256


@functools.lru_cache(maxsize=256)
def _zeta_exact(k: int, precision: int) -> tuple[int, int]:
    """zeta(k) to the precision, as mantissa and exponent: mpmath's (MPFR's zeta
    takes 0.46 s at 4,192 bits and 23 s at 16,416; mpmath's 3 ms and 30 ms)."""
    import mpmath

    with mpmath.workprec(precision):
        sign, mantissa, exponent, _ = mpmath.zeta(k)._mpf_
    return (-mantissa if sign else mantissa), exponent


def _zeta(m: Any, k: int, precision: int) -> Any:
    mantissa, exponent = _zeta_exact(k, precision)
    return m.mul_2exp(m.mpfr(mantissa), exponent)


def _lgamma_near_zero(m: Any, h: Any, zero: int) -> Any:
    """lgamma(1 + h) = -euler*h + sum over k >= 2 of (-1)**k * zeta(k) * h**k / k, and
    lgamma(2 + h) = lgamma(1 + h) + log1p(h), for |h| < 2**-256: each term is 2**-256
    of the one before, so precision/256 + 2 terms leave an error below 2**-precision
    of the first."""
    context = m.get_context()
    precision = context.precision
    with m.context(context, precision=precision + 32):
        total = -m.const_euler() * h
        power = h
        for k in range(2, precision // 256 + 4):
            power = power * h
            term = _zeta(m, k, precision + 32) * power / k
            total = total + term if k % 2 == 0 else total - term
        if zero == 2:
            total = total + m.log1p(h)
    context.inexact = True  # a series' value, rounded: never exact
    return +total


def _exact_digamma(m: Any, x: Any) -> Any:
    # MPFR's digamma (correctly rounded), not mpmath's: at the thousands of bits a
    # kink's probes take, mpmath computes Bernoulli numbers for it (0.56 s at 4,096
    # bits, 20 times MPFR's), and check's spot points timed out on digamma(2)
    if _gamma_pole(m, x):
        return m.inf()
    # x's exact ratio, not 2*x: that rounds to the context's precision, and a
    # probe 1 + 3*2**-257 held with more bits doubles to 2 at 256 bits
    numerator, denominator = x.as_integer_ratio() if m.is_finite(x) else (0, 0)
    if 0 < x <= WHOLE_GAMMA_UP_TO and denominator in (1, 2):
        return _digamma_of_half_whole(m, 2 * numerator // denominator)
    return m.digamma(x)


# Up to this argument, gamma's relatives at whole (and digamma at half-whole)
# numbers come from sums of fractions and MPFR's constants: MPFR's digamma(2)
# takes 2.7 s at 16,384 bits (the refinement of a constant that cancels goes
# there: x*(digamma(2) - digamma(1) - 1) ran out of its budget), the sum 1 ms.
WHOLE_GAMMA_UP_TO = 4096


def _digamma_of_half_whole(m: Any, doubled: int) -> Any:
    """digamma(doubled/2) for doubled/2 in (0, WHOLE_GAMMA_UP_TO]: -euler + H(n-1)
    at a whole n, -euler - 2*log(2) + sum of 2/(2k - 1) for k <= n at n + 1/2."""
    context = m.get_context()
    with m.context(context, precision=context.precision + 32):
        if doubled % 2 == 0:
            terms = sum((m.mpq(1, k) for k in range(1, doubled // 2)), m.mpq(0))
            total = m.mpfr(terms) - m.const_euler()
        else:
            n = doubled // 2
            terms = sum((m.mpq(2, 2 * k - 1) for k in range(1, n + 1)), m.mpq(0))
            total = m.mpfr(terms) - m.const_euler() - 2 * m.const_log2()
    context.inexact = True  # euler's rounding: never exact
    return +total


def _exact_gamma(m: Any, x: Any) -> Any:
    if _gamma_pole(m, x):
        return m.inf()
    if _half_whole(m, x):
        return _gamma_of_half_whole(m, int(x.as_integer_ratio()[0]))
    return m.gamma(x)


# MPFR's gamma and lgamma compute Bernoulli numbers the first time a process asks
# for a precision beyond any before, whatever the argument: 11 s at 16,384 bits,
# 28 s at 22,012, over 3 minutes at 38,396 (gamma(171.5), measured); later calls
# at that precision take 0.2 to 1 s. A kink's analysis takes f to 34,000 bits
# beside the point, so the constant in max(x, 0)**2 + gamma(171.5) ran out of
# any budget. At a half-whole number gamma is a rational times sqrt(pi), which
# costs microseconds at any precision.


def _half_whole(m: Any, x: Any) -> bool:
    """Whether x is n + 1/2 for a whole n, within WHOLE_GAMMA_UP_TO of 0. Read off
    x's exact ratio: 2*x rounds to the context's precision, and 1 + 3*2**-257
    (a probe beside lgamma's zero, held with more bits) doubled to 256 bits is 2."""
    return bool(abs(x) <= WHOLE_GAMMA_UP_TO and x.as_integer_ratio()[1] == 2)


def _half_whole_ratio(m: Any, doubled: int) -> Any:
    """gamma(doubled/2)/sqrt(pi) for an odd ``doubled``, exactly (an mpq):
    (2n)!/(4**n*n!) at n + 1/2 (n >= 0), and (-4)**n*n!/(2n)! at 1/2 - n (n >= 1),
    from gamma(1/2) = sqrt(pi) and gamma(x + 1) = x*gamma(x)."""
    if doubled > 0:
        n = (doubled - 1) // 2
        return m.mpq(m.fac(2 * n), 4**n * m.fac(n))
    n = (1 - doubled) // 2
    return m.mpq((-4) ** n * m.fac(n), m.fac(2 * n))


def _gamma_of_half_whole(m: Any, doubled: int) -> Any:
    """gamma(doubled/2) for an odd ``doubled``: sqrt(pi) times an exact rational,
    with 32 guard bits, then rounded to the context's precision."""
    context = m.get_context()
    with m.context(context, precision=context.precision + 32):
        total = m.sqrt(m.const_pi()) * _half_whole_ratio(m, doubled)
    context.inexact = True  # pi's rounding: never exact
    return +total


def _lgamma_of_half_whole(m: Any, doubled: int) -> Any:
    """log|gamma(doubled/2)| for an odd ``doubled``, as _gamma_of_half_whole. Its
    size is at least 0.12 at every half-whole number (lgamma's zeros are 1 and 2),
    so the log of a value known to 2**-(precision + 30) keeps the guard bits."""
    context = m.get_context()
    with m.context(context, precision=context.precision + 32):
        total = m.log(abs(m.sqrt(m.const_pi()) * _half_whole_ratio(m, doubled)))
    context.inexact = True
    return +total


def _exact_sinc(m: Any, x: Any) -> Any:
    if x == 0:
        return m.mpfr(1)
    pi_x = m.const_pi() * x
    return m.sin(pi_x) / pi_x


def _exact_atan2(m: Any, a: Sequence[Any]) -> Any:
    # real numbers have no signed zero, in either argument: on the negative x axis
    # the angle is pi (MPFR's atan2(-0, -1) is -pi: -x**2 at 0 is -0, and
    # atan2(-x**2, -1) at 0 took -pi, its sides' limit, for f's value there: no
    # jump seen), and at the origin it is 0 (MPFR's atan2(+0, -0) is pi: -z at 0 is
    # -0, and y/atan2(z, -z) at z = 0 was y/pi where it is y/0)
    return m.atan2(*(b if b != 0 else m.mpfr(0) for b in a[:2]))


def _float64_atan2(np: Any, a: Sequence[Any]) -> Any:
    # as _exact_atan2: + 0.0 turns -0.0 into +0.0 (IEEE: -0.0 + 0.0 is +0.0)
    return np.arctan2(a[0] + 0.0, a[1] + 0.0)


def _float64_sinc(np: Any, a: Sequence[Any]) -> Any:
    return np.sinc(a[0])  # numpy's sinc is the normalized one, 1 at 0, as torch's


def _torch_logsumexp(torch: Any, a: Sequence[Any]) -> Any:
    return torch.logsumexp(torch.stack(torch.broadcast_tensors(*a)), dim=0)


def _torch_gamma(torch: Any, a: Sequence[Any]) -> Any:
    # torch has no gamma: exp(lgamma(x)) is |gamma(x)|, and gamma is negative
    # between -2k-1 and -2k; the sign is a step, so the gradient is gamma*digamma
    x = a[0]
    sign = torch.where((x > 0) | (torch.floor(-x) % 2 == 1), 1.0, -1.0)
    return sign * torch.exp(torch.lgamma(x))


# torch's polygamma (and digamma's gradient, polygamma(1, x)) steps a negative
# argument up one by one: 0.1 s at -1e7 for order 2, and no answer in minutes at
# -1e10 or -1e15, in C++ where no time budget reaches. Below this, autograd stops
# with a clear error instead.
TORCH_POLYGAMMA_FLOOR = -(2.0**24)
# torch.polygamma's order is a C++ int64_t
TORCH_LARGEST_ORDER = 2**63 - 1


def _torch_gamma_family(name: str) -> Builder:
    def build(torch: Any, a: Sequence[Any]) -> Any:
        from derivcli.errors import CannotComputeError

        x = a[-1]
        if bool((x < TORCH_POLYGAMMA_FLOOR).any()):
            raise CannotComputeError(
                f"autograd cannot evaluate {name} below -2**24 (-1.7e7): torch steps its "
                "argument up one at a time there and would not return"
            )
        if name == "digamma":
            return torch.digamma(x)
        order = int(a[0])
        if order > TORCH_LARGEST_ORDER:
            # torch's "Overflow when unpacking long long" said nothing of which order
            raise CannotComputeError(
                f"autograd cannot evaluate polygamma of order {float(a[0]):g}: torch "
                "takes the order as a 64-bit integer (at most 2**63 - 1)"
            )
        return torch.polygamma(order, x)

    return build


def _torch_factorial(torch: Any, a: Sequence[Any]) -> Any:
    return _torch_gamma(torch, [torch.tensor(float(a[0]) + 1, dtype=torch.float64)])


def _float64_erfinv(np: Any, a: Any) -> Any:
    """erfinv over an array: Winitzki's approximation, then Newton's method on
    erf for |a| <= 1/2 and on erfc beyond (1 - |a| is exact there, and erfc
    keeps its relative accuracy as |a| nears 1); nan outside (-1, 1), +-inf at +-1."""
    a = np.asarray(a, dtype=np.float64)
    erf = np.frompyfunc(math.erf, 1, 1)
    erfc = np.frompyfunc(math.erfc, 1, 1)
    with np.errstate(all="ignore"):
        inside = np.abs(a) < 1
        size = np.where(inside, np.abs(a), 0.0)
        c = 0.147
        log_term = np.log1p(-size) + np.log1p(size)
        first = 2 / (math.pi * c) + log_term / 2
        y = np.sqrt(np.sqrt(first * first - log_term / c) - first)  # erfinv(|a|) roughly
        tail = size > 0.5
        for _ in range(5):
            slope = 2 / math.sqrt(math.pi) * np.exp(-y * y)
            near = (erf(y).astype(np.float64) - size) / slope
            far = (1 - size - erfc(y).astype(np.float64)) / slope
            y = y - np.where(tail, far, near)
        out = np.where(inside, np.sign(a) * y, np.nan)
        out = np.where(np.abs(a) == 1, np.sign(a) * np.inf, out)
    return out


# Bernoulli numbers B2, B4, ..., B16 for the asymptotic series of polygamma.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _float64_polygamma(np: Any, a: Sequence[Any]) -> Any:
    """polygamma(n, x) in float64 over arrays (n = 0 is digamma): the recurrence
    up to x >= 10 + 2n, then the asymptotic series; points with x <= 0 go
    through mpmath one distinct value at a time (the reflection formula's
    derivatives are long), and so do digamma's near its zero."""
    n_values, x = np.broadcast_arrays(
        np.asarray(a[0], dtype=np.float64), np.asarray(a[1], dtype=np.float64)
    )
    out = np.full(x.shape, np.nan)
    for n in np.unique(n_values[np.isfinite(n_values)]):
        order = int(n)
        pick = (n_values == n) & (x > 0)
        out[pick] = _positive_polygamma(np, order, x[pick])
        slow = (n_values == n) & (x <= 0)
        if order <= REFLECTION_MAX_ORDER:
            # left of 0 by the reflection formula, in float64 (its error is
            # bounded by polygamma_reflection_error); whole numbers are poles
            left = slow & (x != np.round(x))
            out[left] = _negative_polygamma(np, order, x[left])
            slow = np.zeros_like(slow)  # the rest are whole numbers: poles, nan
        if order == 0:
            # near digamma's zero (x = 1.46...) the series' absolute error is
            # large next to the value: those few points through mpmath too (the
            # orders above have no zero for x > 0, and their error is relative)
            slow |= (n_values == n) & (np.abs(out) < 1e-4)
        # once per distinct x: digamma(0.1 + trunc(x)) over a 20,001-point grid
        # is 10,000 points at four values, 1 ms each through mpmath
        distinct, where = np.unique(x[slow], return_inverse=True)
        found = [_mpmath_float("polygamma", order, float(v)) for v in distinct]
        out[slow] = np.asarray(found, dtype=np.float64)[where]
    return out


# Orders of polygamma that float64 takes left of 0 by the reflection formula;
# above, mpmath (cot's n-th derivative as a polynomial in cot has coefficients
# past 2**53 from about order 20, and the language's uses stay low).
REFLECTION_MAX_ORDER = 12


@functools.cache
def _cot_derivative(n: int) -> tuple[int, ...]:
    """The coefficients (of c**0, c**1, ...) of the n-th derivative of cot(t) as a
    polynomial in c = cot(t): P0 = c, P(k+1) = P(k)'(c) * -(1 + c**2)."""
    coefficients = [0, 1]
    for _ in range(n):
        slope = [k * a for k, a in enumerate(coefficients)][1:] or [0]
        following = [0] * (len(slope) + 2)
        for k, a in enumerate(slope):
            following[k] -= a
            following[k + 2] -= a
        coefficients = following
    return tuple(coefficients)


def _cot_terms(np: Any, x: Any) -> tuple[Any, Any]:
    """cot(pi*x) for float64 x, reduced exactly to x - round(x) in [-1/2, 1/2]
    first (cot has period pi), and that reduced argument."""
    r = x - np.round(x)  # exact: both are floats of the same size
    theta = np.pi * r
    return np.cos(theta) / np.sin(theta), theta


def _horner(np: Any, coefficients: Sequence[float], c: Any) -> Any:
    """The polynomial with these coefficients (of c**0, c**1, ...) at c."""
    total = np.zeros_like(c)
    for a in reversed(coefficients):
        total = total * c + a
    return total


def _negative_polygamma(np: Any, n: int, x: Any) -> Any:
    """polygamma(n, x) for x < 0 not whole, by the reflection formula
    differentiated n times: polygamma(n, x) = (-1)**n polygamma(n, 1 - x) -
    pi**(n + 1) * cot's n-th derivative at pi*x."""
    c, _ = _cot_terms(np, x)
    polynomial = _horner(np, _cot_derivative(n), c)
    reflected = _positive_polygamma(np, n, 1 - x)
    return (-1.0) ** n * reflected - np.pi ** (n + 1) * polynomial


def polygamma_reflection_error(np: Any, n: int, x: Any) -> Any:
    """A bound of the absolute error of _negative_polygamma(n, x) (x < 0), the
    parts' errors added (they may cancel near the function's zeros, so relative
    to the value it may be large, and such points are evaluated exactly):
    - polygamma(n, 1 - x): 2**-40 of its size (the series, _polygamma_error),
      and 1 - x's rounding (half an ulp) times the next order's size there;
    - cot(pi*x): pi*r rounds by 2 units of 2**-53 relative, which moves cot by
      that times |theta|*(1 + c**2), and cos/sin round it by 3 units relative;
    - the polynomial: its slope times cot's error, and Horner's rounding, at
      most 2*(d + 1) units of 2**-53 of the sum of |a_k|*|c|**k (d its degree);
    - pi**(n + 1) and the final difference: 4 units of the parts' sizes."""
    eps = 2.0**-53
    c, theta = _cot_terms(np, x)
    size = np.abs(c)
    coefficients = [abs(a) for a in _cot_derivative(n)]
    magnitude = _horner(np, coefficients, size)
    slope = _horner(np, [k * a for k, a in enumerate(coefficients)][1:], size)
    cot_error = eps * (2 * np.abs(theta) * (1 + size**2) + 3 * size)
    polynomial_error = slope * cot_error + 2 * len(coefficients) * eps * magnitude
    y = 1 - x
    reflected = np.abs(_positive_polygamma(np, n, y))
    following = np.abs(_positive_polygamma(np, n + 1, y))
    reflected_error = 2.0**-40 * reflected + eps * np.abs(y) * following
    cot_part = np.pi ** (n + 1) * magnitude
    return reflected_error + np.pi ** (n + 1) * polynomial_error + 4 * eps * (reflected + cot_part)


def _factorial_over_power(np: Any, n: int, x: Any, power: int) -> Any:
    """n!/x**power, in float64 without overflowing on the way: through logs
    past n = 20 (a relative error of about |log of the value| * 2**-53)."""
    if n <= 20:
        return math.factorial(n) / x**power
    return np.exp(math.lgamma(n + 1) - power * np.log(x))


def _positive_polygamma(np: Any, n: int, x: Any) -> Any:
    """polygamma(n, x) for x > 0. The series' first term left out is
    B18*C(17 + n, 18)/x**18 of its first: with x >= 10 + 2n, below 2**-60
    whatever n (at x = 10 it was 1e-8 for n = 15)."""
    sign = 1.0 if n % 2 == 1 else -1.0  # (-1)**(n + 1)
    total = np.zeros_like(x)
    x = x.copy()
    start = 10 + 2 * n
    while True:  # psi_n(x) = psi_n(x + 1) - (-1)**n n!/x**(n+1), until x >= start
        small = x < start
        if not small.any():
            break
        if n == 0:
            total[small] -= 1 / x[small]
        else:
            total[small] += sign * _factorial_over_power(np, n, x[small], n + 1)
        x[small] += 1
    if n == 0:
        series = np.log(x) - 1 / (2 * x)
        for k, b in enumerate(_BERNOULLI, start=1):
            series -= b / (2 * k * x ** (2 * k))
        return series + total
    # (n-1)!/x**n * (1 + n/(2x) + sum B2k * C(2k + n - 1, 2k) / x**2k)
    bracket = 1 + n / (2 * x)
    for k, b in enumerate(_BERNOULLI, start=1):
        bracket = bracket + b * math.comb(2 * k + n - 1, 2 * k) / x ** (2 * k)
    return sign * _factorial_over_power(np, n - 1, x, n) * bracket + total


def _mpmath_float(name: str, *values: float) -> float:
    """mpmath's value rounded to float64, computed with 112 bits (at mpmath's
    default 53, digamma beside its zero 1.4616... was off by 0.4%)."""
    import mpmath

    try:
        with mpmath.workprec(112):
            result = _call_mpmath(mpmath, name, [mpmath.mpf(v) for v in values])
    except (ValueError, ZeroDivisionError):
        return math.nan
    return float(result) if isinstance(result, mpmath.mpf) else math.nan


def _fn(name: str, summary: str, torch_code: str, torch: Builder, **kwargs: Any) -> FunctionSpec:
    return FunctionSpec(
        name=name,
        arity=kwargs.pop("arity", 1),
        summary=summary,
        torch_code=torch_code,
        torch=torch,
        **kwargs,
    )


def _unary(name: str, summary: str, rule: str, latex: str, **kwargs: Any) -> FunctionSpec:
    """A function that torch, gmpy2 and numpy all spell ``name`` (sin, exp, ...),
    and symengine differentiates natively; ``rule`` is its derivative in a."""
    numpy_name = kwargs.pop("numpy_name", name)
    gmpy_name = kwargs.pop("gmpy_name", name)
    return _fn(
        name,
        summary,
        f"torch.{name}(a)",
        lambda t, a: getattr(t, name)(a[0]),
        exact=lambda m, a: getattr(m, gmpy_name)(a[0]),
        float64=lambda np, a: getattr(np, numpy_name)(a[0]),
        symengine=kwargs.pop("symengine", name),
        derivative=(rule,),
        latex=latex,
        **kwargs,
    )


def _primitive(
    name: str, summary: str, torch_code: str, torch: Builder, rules: tuple[str, ...], **kwargs: Any
) -> FunctionSpec:
    """A function evaluated by its own exact and float64 builders, differentiated by its rules."""
    return _fn(name, summary, torch_code, torch, derivative=rules, **kwargs)


def _defined(
    name: str,
    summary: str,
    torch_code: str,
    torch: Builder,
    definition: str | dict[int, str],
    **kwargs: Any,
) -> FunctionSpec:
    """A function that is an expression of others for everything but torch."""
    table = definition if isinstance(definition, dict) else {-1: definition}
    return _fn(name, summary, torch_code, torch, definition=table, **kwargs)


def _f(module: str) -> str:
    return f"torch.nn.functional.{module}"


SELU_ALPHA = "1.6732632423543772848170429916717"
SELU_SCALE = "1.0507009873554804934193349852946"


# ---------------------------------------------------------------- the table

FUNCTIONS: tuple[FunctionSpec, ...] = (
    # -- trigonometric and hyperbolic
    _unary("sin", "sine", "cos(a)", r"\sin", periodic=True),
    _unary("cos", "cosine", "-sin(a)", r"\cos", periodic=True),
    _unary("tan", "tangent", "1 + tan(a)**2", r"\tan", partial=True, periodic=True),
    _defined(
        "sec",
        "secant 1/cos(a)",
        "1/torch.cos(a)",
        lambda t, a: 1 / t.cos(a[0]),
        "1/cos(a)",
        derivative=("sec(a)*tan(a)",),
        latex=r"\sec",
        partial=True,
    ),
    _defined(
        "csc",
        "cosecant 1/sin(a)",
        "1/torch.sin(a)",
        lambda t, a: 1 / t.sin(a[0]),
        "1/sin(a)",
        derivative=("-csc(a)*cot(a)",),
        latex=r"\csc",
        partial=True,
    ),
    _defined(
        "cot",
        "cotangent cos(a)/sin(a)",
        "1/torch.tan(a)",
        lambda t, a: 1 / t.tan(a[0]),
        "cos(a)/sin(a)",
        derivative=("-1 - cot(a)**2",),
        latex=r"\cot",
        partial=True,
    ),
    _unary(
        "asin",
        "inverse sine",
        "1/sqrt(1 - a**2)",
        r"\arcsin",
        numpy_name="arcsin",
        partial=True,
        edges=(-1.0, 1.0),
        domain=(-1.0, 1.0),
        aliases=("arcsin",),
    ),
    _unary(
        "acos",
        "inverse cosine",
        "-1/sqrt(1 - a**2)",
        r"\arccos",
        numpy_name="arccos",
        partial=True,
        edges=(-1.0, 1.0),
        domain=(-1.0, 1.0),
        aliases=("arccos",),
    ),
    _unary(
        "atan",
        "inverse tangent",
        "1/(1 + a**2)",
        r"\arctan",
        numpy_name="arctan",
        aliases=("arctan",),
    ),
    _defined(
        "asec",
        "inverse secant acos(1/a), |a| >= 1",
        "torch.acos(1/a)",
        lambda t, a: t.acos(1 / a[0]),
        "acos(1/a)",
        derivative=("1/(a**2*sqrt(1 - 1/a**2))",),
        latex=r"\operatorname{arcsec}",
        partial=True,
        aliases=("arcsec",),
    ),
    _defined(
        "acsc",
        "inverse cosecant asin(1/a), |a| >= 1",
        "torch.asin(1/a)",
        lambda t, a: t.asin(1 / a[0]),
        "asin(1/a)",
        derivative=("-1/(a**2*sqrt(1 - 1/a**2))",),
        latex=r"\operatorname{arccsc}",
        partial=True,
        aliases=("arccsc",),
    ),
    _defined(
        "acot",
        "inverse cotangent pi/2 - atan(a), in (0, pi)",
        "math.pi/2 - torch.atan(a)",
        lambda t, a: math.pi / 2 - t.atan(a[0]),
        "pi/2 - atan(a)",
        derivative=("-1/(1 + a**2)",),
        latex=r"\operatorname{arccot}",
        aliases=("arccot",),
    ),
    _primitive(
        "atan2",
        "angle of the point (x, y) = (b, a): atan2(y, x), jumps across x < 0",
        "torch.atan2(a, b)",
        lambda t, a: t.atan2(a[0], a[1]),
        ("b/(a**2 + b**2)", "-a/(a**2 + b**2)"),
        arity=2,
        exact=_exact_atan2,
        float64=_float64_atan2,
        latex=r"\operatorname{atan2}",
        # where it jumps: on the negative x axis and at the origin (a = 0, b <= 0);
        # along b at a = 0 it jumps at b = 0 too (pi to 0), which "a" alone missed
        kinks=("abs(a) + relu(b)",),
        torch_convention="torch.atan2 jumps by 2*pi across the negative x axis",
        closed_form_convention="atan2(0, b) = pi for b < 0, 0 for b >= 0, -0 being 0",
    ),
    _unary("sinh", "hyperbolic sine", "cosh(a)", r"\sinh"),
    _unary("cosh", "hyperbolic cosine", "sinh(a)", r"\cosh"),
    _unary("tanh", "hyperbolic tangent", "1 - tanh(a)**2", r"\tanh"),
    _unary(
        "asinh",
        "inverse hyperbolic sine",
        "1/sqrt(a**2 + 1)",
        r"\operatorname{arsinh}",
        numpy_name="arcsinh",
        aliases=("arsinh", "arcsinh"),
    ),
    _unary(
        "acosh",
        "inverse hyperbolic cosine",
        "1/sqrt(a**2 - 1)",
        r"\operatorname{arcosh}",
        numpy_name="arccosh",
        partial=True,
        edges=(1.0,),
        domain=(1.0, math.inf),
        aliases=("arcosh", "arccosh"),
    ),
    _unary(
        "atanh",
        "inverse hyperbolic tangent",
        "1/(1 - a**2)",
        r"\operatorname{artanh}",
        numpy_name="arctanh",
        partial=True,
        domain=(-1.0, 1.0),
        aliases=("artanh", "arctanh"),
    ),
    _primitive(
        "sinc",
        "normalized sinc sin(pi*a)/(pi*a), 1 at 0",
        "torch.sinc(a)",
        lambda t, a: t.sinc(a[0]),
        ("(cos(pi*a) - sinc(a))/a",),
        exact=_nan_safe(_exact_sinc),
        float64=_float64_sinc,
        latex=r"\operatorname{sinc}",
        periodic=True,
    ),
    # -- exponential and logarithmic
    _unary("exp", "exponential e**a", "exp(a)", r"\exp"),
    _defined(
        "exp2",
        "2**a",
        "torch.exp2(a)",
        lambda t, a: t.exp2(a[0]),
        "2**a",
        derivative=("log(2)*exp2(a)",),
        latex=r"\operatorname{exp2}",
    ),
    _primitive(
        "expm1",
        "exp(a) - 1, exact near 0",
        "torch.expm1(a)",
        lambda t, a: t.expm1(a[0]),
        ("exp(a)",),
        exact=lambda m, a: m.expm1(a[0]),
        float64=lambda np, a: np.expm1(a[0]),
        latex=r"\operatorname{expm1}",
    ),
    _unary(
        "log",
        "natural logarithm; log(a, b) is the logarithm to base b",
        "1/a",
        r"\ln",
        aliases=("ln",),
        partial=True,
        domain=(0.0, math.inf),
    ),
    _defined(
        "log2",
        "base-2 logarithm",
        "torch.log2(a)",
        lambda t, a: t.log2(a[0]),
        "log(a)/log(2)",
        derivative=("1/(a*log(2))",),
        latex=r"\log_2",
        partial=True,
    ),
    _defined(
        "log10",
        "base-10 logarithm",
        "torch.log10(a)",
        lambda t, a: t.log10(a[0]),
        "log(a)/log(10)",
        derivative=("1/(a*log(10))",),
        latex=r"\log_{10}",
        partial=True,
    ),
    _primitive(
        "log1p",
        "log(1 + a), exact near 0",
        "torch.log1p(a)",
        lambda t, a: t.log1p(a[0]),
        ("1/(1 + a)",),
        exact=lambda m, a: m.log1p(a[0]),
        float64=lambda np, a: np.log1p(a[0]),
        latex=r"\operatorname{log1p}",
        partial=True,
        domain=(-1.0, math.inf),
    ),
    _unary(
        "sqrt",
        "square root",
        "1/(2*sqrt(a))",
        r"\sqrt",
        partial=True,
        edges=(0.0,),
        domain=(0.0, math.inf),
    ),
    _defined(
        "cbrt",
        "real cube root (torch has none: sign(a)*abs(a)**(1/3), as a user writes it)",
        "torch.sign(a)*torch.abs(a)**(1/3)",
        lambda t, a: t.sign(a[0]) * t.abs(a[0]) ** (1 / 3),
        "sign(a)*abs(a)**(1/3)",
        derivative=("1/(3*cbrt(a)**2)",),
        latex=r"\sqrt[3]",
        kinks=("a",),
        torch_convention="torch's sign(a)*abs(a)**(1/3) has gradient nan at 0 (0*inf)",
    ),
    _defined(
        "hypot",
        "sqrt(a**2 + b**2)",
        "torch.hypot(a, b)",
        lambda t, a: t.hypot(a[0], a[1]),
        "sqrt(a**2 + b**2)",
        arity=2,
        derivative=("a/hypot(a, b)", "b/hypot(a, b)"),
        latex=r"\operatorname{hypot}",
        kinks=("abs(a) + abs(b)",),
        torch_convention="torch.hypot's gradient at (0, 0) is nan",
    ),
    _primitive(
        "logsumexp",
        "log(exp(a) + exp(b) + ...), without overflow",
        "torch.logsumexp(torch.stack([a, b]), dim=0)",
        _torch_logsumexp,
        ("exp(a - logsumexp(a, b))", "exp(b - logsumexp(a, b))"),
        arity=2,
        variadic=True,
        exact=_exact_logsumexp,
        float64=lambda np, a: np.logaddexp(a[0], a[1]),
        latex=r"\operatorname{logsumexp}",
    ),
    # -- special functions
    _fn(
        "erf",
        "error function",
        "torch.erf(a)",
        lambda t, a: t.erf(a[0]),
        exact=lambda m, a: m.erf(a[0]),
        float64=_elementwise(math.erf),
        symengine="erf",
        derivative=("2*exp(-a**2)/sqrt(pi)",),
        latex=r"\operatorname{erf}",
    ),
    _primitive(
        "erfc",
        "complementary error function 1 - erf(a)",
        "torch.erfc(a)",
        lambda t, a: t.erfc(a[0]),
        ("-2*exp(-a**2)/sqrt(pi)",),
        exact=lambda m, a: m.erfc(a[0]),
        float64=_elementwise(math.erfc),
        latex=r"\operatorname{erfc}",
    ),
    _primitive(
        "erfinv",
        "inverse error function, for -1 < a < 1",
        "torch.erfinv(a)",
        lambda t, a: t.erfinv(a[0]),
        ("sqrt(pi)*exp(erfinv(a)**2)/2",),
        exact=_mpmath("erfinv"),
        float64=lambda np, a: _float64_erfinv(np, a[0]),
        latex=r"\operatorname{erf}^{-1}",
        partial=True,
        domain=(-1.0, 1.0),
    ),
    _primitive(
        "gamma",
        "gamma function (torch has none: exp(lgamma(a)) with gamma's sign)",
        "torch.where((a > 0) | (torch.floor(-a) % 2 == 1), 1.0, -1.0)*torch.exp(torch.lgamma(a))",
        _torch_gamma,
        ("gamma(a)*digamma(a)",),
        exact=_nan_safe(_exact_gamma),
        float64=_elementwise(math.gamma),
        latex=r"\Gamma",
        partial=True,
    ),
    _defined(
        "factorial",
        "n! = gamma(n + 1), of a constant",
        "math.gamma(a + 1)",
        _torch_factorial,
        "gamma(a + 1)",
        arity=0,
        params=(Param(name="n", default=None),),
        params_first=True,
        derivative=("0",),
        latex=r"\operatorname{factorial}",
    ),
    _primitive(
        "lgamma",
        "log|gamma(a)|",
        "torch.lgamma(a)",
        lambda t, a: t.lgamma(a[0]),
        ("digamma(a)",),
        exact=_nan_safe(_exact_lgamma),
        float64=_elementwise(math.lgamma),
        latex=r"\ln\Gamma",
        partial=True,
        aliases=("loggamma",),
    ),
    _primitive(
        "digamma",
        "digamma function, gamma'/gamma",
        "torch.digamma(a)",
        _torch_gamma_family("digamma"),
        ("polygamma(1, a)",),
        exact=_nan_safe(_exact_digamma),
        float64=lambda np, a: _float64_polygamma(np, [np.zeros_like(a[0]), a[0]]),
        latex=r"\psi",
        partial=True,
        aliases=("psi",),
    ),
    _primitive(
        "polygamma",
        "n-th derivative of digamma, polygamma(n, a) for a whole n >= 0",
        "torch.polygamma(a, b)",
        _torch_gamma_family("polygamma"),
        ("0", "polygamma(a + 1, b)"),
        arity=1,
        params=(Param(name="n", default=None, check="whole"),),
        params_first=True,
        exact=_mpmath("polygamma"),
        float64=_float64_polygamma,
        latex=r"\psi",
        partial=True,
    ),
    # -- piecewise: kinks and jumps
    _fn(
        "abs",
        "absolute value |a| (kink at 0)",
        "torch.abs(a)",
        lambda t, a: t.abs(a[0]),
        exact=lambda m, a: abs(a[0]),
        float64=lambda np, a: np.abs(a[0]),
        derivative=("sign(a)",),
        aliases=("Abs",),
        kinks=("a",),
        torch_convention="torch.abs's gradient at 0 is 0",
        closed_form_convention="sign(0) = 0",
        latex=r"\left|\right|",
    ),
    _fn(
        "sign",
        "sign of a: -1, 0 or 1 (jump at 0)",
        "torch.sign(a)",
        lambda t, a: t.sign(a[0]),
        exact=_nan_safe(_exact_sign),
        float64=lambda np, a: np.sign(a[0]),
        derivative=("0",),
        kinks=("a",),
        aliases=("sgn",),
        torch_convention="torch.sign's gradient is 0 everywhere",
        latex=r"\operatorname{sgn}",
    ),
    _fn(
        "heaviside",
        "unit step, 1/2 at 0 (jump at 0)",
        "(a > 0).to(a.dtype) + 0.5*(a == 0).to(a.dtype)",
        _torch_heaviside,
        exact=_nan_safe(_exact_heaviside),
        float64=lambda np, a: np.heaviside(a[0], 0.5),
        derivative=("0",),
        aliases=("Heaviside",),
        kinks=("a",),
        torch_convention="a step's gradient is 0 everywhere",
        latex=r"\operatorname{H}",
    ),
    _fn(
        "relu",
        "rectified linear unit max(0, a) (kink at 0)",
        f"{_f('relu')}(a)",
        lambda t, a: t.nn.functional.relu(a[0]),
        exact=lambda m, a: a[0] if m.is_nan(a[0]) or a[0] > 0 else m.mpfr(0),
        float64=lambda np, a: np.maximum(a[0], 0.0),
        derivative=("heaviside(a)",),
        kinks=("a",),
        torch_convention="torch.nn.functional.relu's gradient at 0 is 0",
        closed_form_convention="heaviside(0) = 1/2",
        latex=r"\operatorname{relu}",
    ),
    _fn(
        "max",
        "largest of its arguments (kink where they tie)",
        "torch.maximum(a, b)",
        lambda t, a: t.maximum(a[0], a[1]),
        arity=2,
        variadic=True,
        exact=_exact_max,
        float64=lambda np, a: np.maximum.reduce(np.broadcast_arrays(*a)),
        derivative=("heaviside(a - b)", "heaviside(b - a)"),
        aliases=("Max",),
        kinks=("a - b",),
        torch_convention="torch.maximum splits the gradient 0.5/0.5 at a tie",
        closed_form_convention="heaviside(0) = 1/2",
        latex=r"\max",
    ),
    _fn(
        "min",
        "smallest of its arguments (kink where they tie)",
        "torch.minimum(a, b)",
        lambda t, a: t.minimum(a[0], a[1]),
        arity=2,
        variadic=True,
        exact=_exact_min,
        float64=lambda np, a: np.minimum.reduce(np.broadcast_arrays(*a)),
        derivative=("heaviside(b - a)", "heaviside(a - b)"),
        aliases=("Min",),
        kinks=("a - b",),
        torch_convention="torch.minimum splits the gradient 0.5/0.5 at a tie",
        closed_form_convention="heaviside(0) = 1/2",
        latex=r"\min",
    ),
    _defined(
        "clamp",
        "a limited to [lo, hi] (kinks at lo and hi)",
        "torch.clamp(a, b, c)",
        lambda t, a: t.clamp(a[0], float(a[1]), float(a[2])),
        "min(max(a, b), c)",
        params=(
            Param(name="lo", default=None),
            Param(name="hi", default=None, check="not_below_previous"),
        ),
        derivative=("heaviside(a - b)*heaviside(c - a)",),
        kinks=("a - b", "a - c"),
        torch_convention="torch.clamp passes the gradient (1) at both edges",
        latex=r"\operatorname{clamp}",
    ),
    _primitive(
        "floor",
        "largest integer <= a (jumps at the integers)",
        "torch.floor(a)",
        lambda t, a: t.floor(a[0]),
        ("0",),
        exact=lambda m, a: m.rint_floor(a[0]),
        float64=lambda np, a: np.floor(a[0]),
        kinks=("a - round(a)",),
        periodic=True,  # its value at 1e300 + E depends on E's digits
        torch_convention="torch.floor's gradient is 0 everywhere, the steps included",
        latex=r"\operatorname{floor}",
    ),
    _primitive(
        "ceil",
        "smallest integer >= a (jumps at the integers)",
        "torch.ceil(a)",
        lambda t, a: t.ceil(a[0]),
        ("0",),
        exact=lambda m, a: m.rint_ceil(a[0]),
        float64=lambda np, a: np.ceil(a[0]),
        kinks=("a - round(a)",),
        periodic=True,  # its value at 1e300 + E depends on E's digits
        torch_convention="torch.ceil's gradient is 0 everywhere, the steps included",
        latex=r"\operatorname{ceil}",
    ),
    _primitive(
        "round",
        "nearest integer, halves to even as torch.round (jumps at the halves)",
        "torch.round(a)",
        lambda t, a: t.round(a[0]),
        ("0",),
        exact=lambda m, a: m.rint(a[0]),
        float64=lambda np, a: np.round(a[0]),
        kinks=("a - floor(a) - 1/2",),
        periodic=True,  # its value at 1e300 + E depends on E's digits
        torch_convention="torch.round's gradient is 0 everywhere, the steps included",
        latex=r"\operatorname{round}",
    ),
    _primitive(
        "trunc",
        "a rounded toward 0 (jumps at the integers)",
        "torch.trunc(a)",
        lambda t, a: t.trunc(a[0]),
        ("0",),
        exact=lambda m, a: m.rint_trunc(a[0]),
        float64=lambda np, a: np.trunc(a[0]),
        kinks=("a - round(a)",),
        periodic=True,  # its value at 1e300 + E depends on E's digits
        torch_convention="torch.trunc's gradient is 0 everywhere, the steps included",
        latex=r"\operatorname{trunc}",
    ),
    _primitive(
        "frac",
        "a - trunc(a) (slope 1, jumps at the integers)",
        "torch.frac(a)",
        lambda t, a: t.frac(a[0]),
        ("1",),
        exact=lambda m, a: a[0] - m.rint_trunc(a[0]),
        float64=lambda np, a: a[0] - np.trunc(a[0]),
        kinks=("a - round(a)",),
        periodic=True,  # its value at 1e300 + E depends on E's digits
        torch_convention="torch.frac's gradient is 1 everywhere, the steps included",
        latex=r"\operatorname{frac}",
    ),
    # -- activations (torch.nn.functional)
    _fn(
        "sigmoid",
        "logistic sigmoid 1/(1 + exp(-a))",
        "torch.sigmoid(a)",
        lambda t, a: t.sigmoid(a[0]),
        exact=_exact_sigmoid,
        float64=_float64_sigmoid,
        # sigmoid(-a) = 1 - sigmoid(a), without the cancellation for large a
        derivative=("sigmoid(a)*sigmoid(-a)",),
        latex=r"\sigma",
    ),
    _fn(
        "softplus",
        "log(1 + exp(beta*a))/beta; torch returns a where beta*a > threshold",
        f"{_f('softplus')}(a, beta=b, threshold=c)",
        lambda t, a: t.nn.functional.softplus(a[0], *(float(p) for p in a[1:])),
        params=(
            Param(name="beta", default=1.0, check="nonzero"),
            Param(name="threshold", default=20.0),
        ),
        definition={2: "softplus(b*a)/b", 3: "softplus(b*a)/b"},
        exact=_exact_softplus,
        float64=lambda np, a: np.logaddexp(0.0, a[0]),
        derivative=("sigmoid(a)",),
        step_derivative=("sigmoid(b*a)",),
        latex=r"\operatorname{softplus}",
    ),
    _defined(
        "gelu",
        "Gaussian error linear unit a*(1 + erf(a/sqrt(2)))/2",
        f"{_f('gelu')}(a)",
        lambda t, a: t.nn.functional.gelu(a[0]),
        "a*(1 + erf(a/sqrt(2)))/2",
        derivative=("(1 + erf(a/sqrt(2)))/2 + a*exp(-a**2/2)/sqrt(2*pi)",),
        latex=r"\operatorname{GELU}",
    ),
    _defined(
        "gelu_tanh",
        "GELU's tanh approximation (approximate='tanh')",
        f"{_f('gelu')}(a, approximate='tanh')",
        lambda t, a: t.nn.functional.gelu(a[0], approximate="tanh"),
        "a*(1 + tanh(sqrt(2/pi)*(a + 0.044715*a**3)))/2",
        derivative=(
            "(1 + tanh(sqrt(2/pi)*(a + 0.044715*a**3)))/2 + a*(1 - tanh(sqrt(2/pi)*(a + "
            "0.044715*a**3))**2)*sqrt(2/pi)*(1 + 0.134145*a**2)/2",
        ),
        latex=r"\operatorname{GELU}_{\tanh}",
    ),
    _defined(
        "silu",
        "sigmoid linear unit a*sigmoid(a) (also swish)",
        f"{_f('silu')}(a)",
        lambda t, a: t.nn.functional.silu(a[0]),
        "a*sigmoid(a)",
        derivative=("sigmoid(a)*(1 + a*sigmoid(-a))",),
        aliases=("swish",),
        latex=r"\operatorname{SiLU}",
    ),
    _defined(
        "mish",
        "a*tanh(softplus(a))",
        f"{_f('mish')}(a)",
        lambda t, a: t.nn.functional.mish(a[0]),
        "a*tanh(softplus(a))",
        derivative=("tanh(softplus(a)) + a*(1 - tanh(softplus(a))**2)*sigmoid(a)",),
        latex=r"\operatorname{mish}",
    ),
    _defined(
        "elu",
        "a for a > 0, alpha*(exp(a) - 1) below (kink at 0 unless alpha = 1)",
        f"{_f('elu')}(a, alpha=b)",
        lambda t, a: t.nn.functional.elu(a[0], float(a[1])),
        "relu(a) + b*(exp(min(a, 0)) - 1)",
        derivative=("heaviside(a) + b*exp(a)*heaviside(-a)",),
        params=(Param(name="alpha", default=1.0),),
        kinks=("a",),
        torch_convention="torch's elu returns the left side's slope (alpha) at 0",
        torch_higher_convention="0, the right side's, for its second and higher",
        latex=r"\operatorname{ELU}",
    ),
    _defined(
        "selu",
        "scaled ELU (self-normalising), kink at 0",
        f"{_f('selu')}(a)",
        lambda t, a: t.nn.functional.selu(a[0]),
        f"{SELU_SCALE}*(relu(a) + {SELU_ALPHA}*(exp(min(a, 0)) - 1))",
        derivative=(f"{SELU_SCALE}*(heaviside(a) + {SELU_ALPHA}*exp(a)*heaviside(-a))",),
        kinks=("a",),
        torch_convention="torch's selu returns scale*alpha (the left side) at 0",
        torch_higher_convention="0, the right side's, for its second and higher",
        latex=r"\operatorname{SELU}",
    ),
    _defined(
        "celu",
        "relu(a) + min(0, alpha*(exp(a/alpha) - 1)), smooth at 0",
        f"{_f('celu')}(a, alpha=b)",
        lambda t, a: t.nn.functional.celu(a[0], float(a[1])),
        "relu(a) + min(0, b*(exp(a/b) - 1))",
        derivative=("heaviside(a) + exp(a/b)*heaviside(-a)",),
        params=(Param(name="alpha", default=1.0, check="nonzero"),),
        kinks=("a",),
        torch_convention="torch's celu returns 1 at 0",
        torch_higher_convention="0, the right side's, for its second and higher",
        latex=r"\operatorname{CELU}",
    ),
    _defined(
        "leaky_relu",
        "a for a > 0, negative_slope*a below (kink at 0)",
        f"{_f('leaky_relu')}(a, negative_slope=b)",
        lambda t, a: t.nn.functional.leaky_relu(a[0], float(a[1])),
        "relu(a) - b*relu(-a)",
        derivative=("heaviside(a) + b*heaviside(-a)",),
        params=(Param(name="negative_slope", default=0.01),),
        kinks=("a",),
        torch_convention="torch's leaky_relu returns the negative slope at 0",
        latex=r"\operatorname{LeakyReLU}",
    ),
    _defined(
        "relu6",
        "min(max(0, a), 6) (kinks at 0 and 6)",
        f"{_f('relu6')}(a)",
        lambda t, a: t.nn.functional.relu6(a[0]),
        "min(relu(a), 6)",
        derivative=("heaviside(a)*heaviside(6 - a)",),
        kinks=("a", "a - 6"),
        torch_convention="torch's relu6 has gradient 0 at 0 and at 6",
        latex=r"\operatorname{ReLU6}",
    ),
    _defined(
        "hardtanh",
        "a limited to [min, max], default [-1, 1] (kinks at the edges)",
        f"{_f('hardtanh')}(a, min_val=b, max_val=c)",
        lambda t, a: t.nn.functional.hardtanh(a[0], float(a[1]), float(a[2])),
        "min(max(a, b), c)",
        derivative=("heaviside(a - b)*heaviside(c - a)",),
        params=(
            Param(name="min", default=-1.0),
            Param(name="max", default=1.0, check="not_below_previous"),
        ),
        kinks=("a - b", "a - c"),
        torch_convention="torch's hardtanh has gradient 0 at both edges",
        latex=r"\operatorname{hardtanh}",
    ),
    _defined(
        "hardsigmoid",
        "min(max(0, a + 3), 6)/6 (kinks at -3 and 3)",
        f"{_f('hardsigmoid')}(a)",
        lambda t, a: t.nn.functional.hardsigmoid(a[0]),
        "min(relu(a + 3), 6)/6",
        derivative=("heaviside(a + 3)*heaviside(3 - a)/6",),
        kinks=("a + 3", "a - 3"),
        torch_convention="torch's hardsigmoid has gradient 0 at -3 and 3",
        latex=r"\operatorname{hardsigmoid}",
    ),
    _defined(
        "hardswish",
        "a*min(max(0, a + 3), 6)/6 (kinks at -3 and 3)",
        f"{_f('hardswish')}(a)",
        lambda t, a: t.nn.functional.hardswish(a[0]),
        "a*min(relu(a + 3), 6)/6",
        derivative=("(2*a + 3)*heaviside(a + 3)*heaviside(3 - a)/6 + heaviside(a - 3)",),
        kinks=("a + 3", "a - 3"),
        torch_convention="torch's hardswish has gradient 0 at -3 and 1 at 3",
        latex=r"\operatorname{hardswish}",
    ),
    _defined(
        "softsign",
        "a/(1 + |a|) (its second derivative jumps at 0)",
        f"{_f('softsign')}(a)",
        lambda t, a: t.nn.functional.softsign(a[0]),
        "a/(1 + abs(a))",
        derivative=("1/(1 + abs(a))**2",),
        kinks=("a",),
        latex=r"\operatorname{softsign}",
    ),
    _defined(
        "logsigmoid",
        "log(sigmoid(a)) = -softplus(-a)",
        f"{_f('logsigmoid')}(a)",
        lambda t, a: t.nn.functional.logsigmoid(a[0]),
        "-softplus(-a)",
        derivative=("sigmoid(-a)",),
        latex=r"\log\sigma",
    ),
    _defined(
        "tanhshrink",
        "a - tanh(a)",
        f"{_f('tanhshrink')}(a)",
        lambda t, a: t.nn.functional.tanhshrink(a[0]),
        "a - tanh(a)",
        derivative=("tanh(a)**2",),
        latex=r"\operatorname{tanhshrink}",
    ),
    _defined(
        "softshrink",
        "a - lambd above lambd, a + lambd below -lambd, else 0 (kinks at +-lambd)",
        f"{_f('softshrink')}(a, lambd=b)",
        lambda t, a: t.nn.functional.softshrink(a[0], float(a[1])),
        "relu(a - b) - relu(-a - b)",
        derivative=("heaviside(a - b) + heaviside(-a - b)",),
        params=(Param(name="lambd", default=0.5, check="nonnegative"),),
        kinks=("a - b", "a + b"),
        torch_convention="torch's softshrink has gradient 0 at +-lambd",
        latex=r"\operatorname{softshrink}",
    ),
    _defined(
        "hardshrink",
        "a where |a| > lambd, else 0 (jumps at +-lambd)",
        f"{_f('hardshrink')}(a, lambd=b)",
        lambda t, a: t.nn.functional.hardshrink(a[0], float(a[1])),
        "a*relu(sign(abs(a) - b))",
        derivative=("heaviside(abs(a) - b)",),
        params=(Param(name="lambd", default=0.5, check="nonnegative"),),
        kinks=("a - b", "a + b"),
        torch_convention="torch's hardshrink has gradient 0 at +-lambd",
        latex=r"\operatorname{hardshrink}",
    ),
)


CONSTANTS: tuple[ConstantSpec, ...] = (
    ConstantSpec(
        name="pi",
        summary="3.14159... (also written π)",
        value=math.pi,
        symengine="pi",
        exact=lambda m: m.const_pi(),
    ),
    ConstantSpec(
        name="E",
        summary="Euler's number 2.71828... (also written e)",
        value=math.e,
        symengine="E",
        exact=lambda m: m.exp(1),
        aliases=("e",),
    ),
)

_BY_NAME: dict[str, FunctionSpec] = {}
for _spec in FUNCTIONS:
    for _alias in (_spec.name, *_spec.aliases):
        _BY_NAME[_alias] = _spec

_CONSTANTS_BY_NAME: dict[str, ConstantSpec] = {
    name: c for c in CONSTANTS for name in (c.name, *c.aliases)
}
_BY_SYMENGINE: dict[str, FunctionSpec] = {
    spec.symengine: spec for spec in FUNCTIONS if spec.symengine is not None
}
# Written out when read (the expression as understood shows them so): log to
# a base, pow, and nothing else. In a, b.
MACROS: dict[str, dict[int, str]] = {"log": {2: "log(a)/log(b)"}, "pow": {2: "a**b"}}


def lookup_function(name: str) -> FunctionSpec | None:
    """The spec for a function name or alias, or None."""
    return _BY_NAME.get(name)


def function(name: str) -> FunctionSpec:
    """The spec for a canonical function name known to be in the table."""
    return _BY_NAME[name]


def lookup_constant(name: str) -> ConstantSpec | None:
    """The spec for a constant name or alias (pi, E, e), or None."""
    return _CONSTANTS_BY_NAME.get(name)


def by_symengine_name(name: str) -> FunctionSpec | None:
    """The spec whose symengine function is called ``name`` (sin, asinh, ...)."""
    return _BY_SYMENGINE.get(name)


def public_functions() -> list[FunctionSpec]:
    """The functions users type, in table order."""
    return list(FUNCTIONS)


def function_names() -> list[str]:
    """Canonical function names users type, in table order (pow too: it is read as **)."""
    return [spec.name for spec in FUNCTIONS] + ["pow"]


def describe_language() -> str:
    """A short description of the input language, for help text."""
    names = ", ".join(function_names())
    return (
        "Expressions use + - * / and ** (or ^) for power, parentheses, numbers such as 2, "
        "0.5 or 1e-3, implicit multiplication after a number or between parentheses (2x, "
        "3sin(x), (x+1)(x-1)), the constants pi and e (also E, π), and the functions "
        f"{names}. Any other name is a real variable."
    )


def describe_table() -> str:
    """The language and the whole table, as `derivcli functions` prints it."""
    import textwrap

    lines = [*textwrap.wrap(describe_language(), 78), "", "functions (torch equivalent):"]
    for spec in public_functions():
        alias = f" (also {', '.join(spec.aliases)})" if spec.aliases else ""
        lines.append(f"  {spec.signature:<28} {spec.summary}{alias}")
        lines.append(f"  {'':<28} [{spec.torch_code}]")
    lines.append(f"  {'pow(a, b)':<28} a**b")
    lines.append("constants:")
    for const in CONSTANTS:
        lines.append(f"  {const.name:<28} {const.summary}")
    return "\n".join(lines)
