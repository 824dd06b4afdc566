"""The test suite's own definition of every function, independent of derivcli.

Written from the mathematics (and, for the activations, from the formulas in
PyTorch's documentation), not from derivcli's function table: the tests
compare derivcli with these, never with derivcli's own closed forms.

* ``MP``: at mpmath's working precision (the tests use 50 digits); a value
  outside the real domain is ``None``.
* ``FLOAT64``: plain ``math`` in float64, for the cheap oracle in conftest;
  a value outside the real domain raises ValueError or is nan.

Both take the arguments as the user writes them: expressions first, then the
constant parameters (polygamma and factorial take theirs first), with torch's
defaults where a parameter is left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import mpmath
from mpmath import mp

# torch.nn.functional.selu's constants, as its documentation gives them
SELU_ALPHA = mpmath.mpf("1.6732632423543772848170429916717")
SELU_SCALE = mpmath.mpf("1.0507009873554804934193349852946")


def _real(value: Any) -> Any:
    """A real mpmath value, or None for a complex one (outside the real domain)."""
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            return None
        return value.real
    return value


def _sign(a: Any) -> Any:
    return 1 if a > 0 else -1 if a < 0 else 0


def _round_half_even(a: Any) -> Any:
    low = mpmath.floor(a)
    rest = a - low
    if rest > 0.5 or (rest == 0.5 and low % 2 == 1):
        return low + 1
    return low


def _or(given: Any, one_in: int) -> Any:
    """A parameter, or its default 1/one_in computed at the working precision."""
    return given if given is not None else mpmath.mpf(1) / one_in


def _mp_sigmoid(a: Any) -> Any:
    return 1 / (1 + mpmath.exp(-a))


def _mp_softplus(a: Any, beta: Any = 1, threshold: Any = 20) -> Any:
    # the mathematical softplus; torch's threshold is a shortcut of its own
    del threshold
    return mpmath.log(1 + mpmath.exp(beta * a)) / beta


def _mp_elu(a: Any, alpha: Any = 1) -> Any:
    return a if a > 0 else alpha * (mpmath.exp(a) - 1)


def _mp_clamp(a: Any, lo: Any, hi: Any) -> Any:
    return min(max(a, lo), hi)


def _mp_gamma(a: Any) -> Any:
    if a <= 0 and a == mpmath.floor(a):
        return None
    return mpmath.gamma(a)


def _mp_log(a: Any) -> Any:
    return mpmath.log(a) if a > 0 else None


def _mp_domain(function: Callable[..., Any]) -> Callable[..., Any]:
    def checked(*args: Any) -> Any:
        try:
            return _real(function(*args))
        except (ValueError, ZeroDivisionError):
            return None

    return checked


MP: dict[str, Callable[..., Any]] = {
    name: _mp_domain(function)
    for name, function in {
        "sin": mpmath.sin,
        "cos": mpmath.cos,
        "tan": mpmath.tan,
        "sec": lambda a: 1 / mpmath.cos(a),
        "csc": lambda a: 1 / mpmath.sin(a),
        "cot": lambda a: mpmath.cos(a) / mpmath.sin(a),
        "asin": lambda a: mpmath.asin(a) if abs(a) <= 1 else None,
        "acos": lambda a: mpmath.acos(a) if abs(a) <= 1 else None,
        "atan": mpmath.atan,
        "asec": lambda a: mpmath.acos(1 / a) if abs(a) >= 1 else None,
        "acsc": lambda a: mpmath.asin(1 / a) if abs(a) >= 1 else None,
        "acot": lambda a: mpmath.pi / 2 - mpmath.atan(a),
        "atan2": mpmath.atan2,
        "sinh": mpmath.sinh,
        "cosh": mpmath.cosh,
        "tanh": mpmath.tanh,
        "asinh": mpmath.asinh,
        "acosh": lambda a: mpmath.acosh(a) if a >= 1 else None,
        "atanh": lambda a: mpmath.atanh(a) if abs(a) < 1 else None,
        "sinc": lambda a: mpmath.sin(mpmath.pi * a) / (mpmath.pi * a) if a != 0 else mpmath.mpf(1),
        "exp": mpmath.exp,
        "exp2": lambda a: mpmath.power(2, a),
        "expm1": mpmath.expm1,
        "log": _mp_log,
        "log2": lambda a: mpmath.log(a, 2) if a > 0 else None,
        "log10": lambda a: mpmath.log10(a) if a > 0 else None,
        "log1p": lambda a: mpmath.log1p(a) if a > -1 else None,
        "sqrt": lambda a: mpmath.sqrt(a) if a >= 0 else None,
        "cbrt": lambda a: _sign(a) * mpmath.root(abs(a), 3),
        "hypot": mpmath.hypot,
        "logsumexp": lambda *a: mpmath.log(mpmath.fsum(mpmath.exp(v) for v in a)),
        "erf": mpmath.erf,
        "erfc": mpmath.erfc,
        "erfinv": lambda a: mpmath.erfinv(a) if abs(a) < 1 else None,
        "gamma": _mp_gamma,
        "factorial": lambda n: _mp_gamma(n + 1),
        "lgamma": lambda a: None if _mp_gamma(a) is None else mpmath.log(abs(mpmath.gamma(a))),
        "digamma": lambda a: None if _mp_gamma(a) is None else mpmath.digamma(a),
        "polygamma": lambda n, a: None if _mp_gamma(a) is None else mpmath.polygamma(n, a),
        "abs": abs,
        "sign": _sign,
        "heaviside": lambda a: 1 if a > 0 else 0 if a < 0 else mpmath.mpf(0.5),
        "relu": lambda a: max(a, 0),
        "max": lambda *a: max(a),
        "min": lambda *a: min(a),
        "clamp": _mp_clamp,
        "floor": mpmath.floor,
        "ceil": mpmath.ceil,
        "round": _round_half_even,
        "trunc": lambda a: mpmath.floor(a) if a >= 0 else mpmath.ceil(a),
        "frac": lambda a: a - (mpmath.floor(a) if a >= 0 else mpmath.ceil(a)),
        "sigmoid": _mp_sigmoid,
        "softplus": _mp_softplus,
        "gelu": lambda a: a * (1 + mpmath.erf(a / mpmath.sqrt(2))) / 2,
        "gelu_tanh": lambda a: (
            (
                a
                * (
                    1
                    + mpmath.tanh(mpmath.sqrt(2 / mpmath.pi) * (a + mpmath.mpf("0.044715") * a**3))
                )
            )
            / 2
        ),
        "silu": lambda a: a * _mp_sigmoid(a),
        "mish": lambda a: a * mpmath.tanh(_mp_softplus(a)),
        "elu": _mp_elu,
        "selu": lambda a: SELU_SCALE * (a if a > 0 else SELU_ALPHA * (mpmath.exp(a) - 1)),
        "celu": lambda a, alpha=1: max(0, a) + min(0, alpha * (mpmath.exp(a / alpha) - 1)),
        "leaky_relu": lambda a, slope=None: a if a >= 0 else _or(slope, 100) * a,
        "relu6": lambda a: _mp_clamp(a, 0, 6),
        "hardtanh": lambda a, lo=-1, hi=1: _mp_clamp(a, lo, hi),
        "hardsigmoid": lambda a: _mp_clamp(a + 3, 0, 6) / 6,
        "hardswish": lambda a: a * _mp_clamp(a + 3, 0, 6) / 6,
        "softsign": lambda a: a / (1 + abs(a)),
        "logsigmoid": lambda a: mpmath.log(_mp_sigmoid(a)),
        "tanhshrink": lambda a: a - mpmath.tanh(a),
        "softshrink": lambda a, lambd=None: (
            a - _or(lambd, 2)
            if a > _or(lambd, 2)
            else a + _or(lambd, 2)
            if a < -_or(lambd, 2)
            else 0
        ),
        "hardshrink": lambda a, lambd=None: a if abs(a) > _or(lambd, 2) else 0,
    }.items()
}


def _f_sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _f_softplus(a: float, beta: float = 1.0, threshold: float = 20.0) -> float:
    del threshold
    z = beta * a
    return (max(z, 0.0) + math.log1p(math.exp(-abs(z)))) / beta


def _f_clamp(a: float, lo: float, hi: float) -> float:
    return min(max(a, lo), hi)


def _f_sign(a: float) -> float:
    return 1.0 if a > 0 else -1.0 if a < 0 else 0.0


def _f_gamma(a: float) -> float:
    return math.gamma(a)


def _f_polygamma(n: float, a: float) -> float:
    return float(mpmath.polygamma(int(n), a))


FLOAT64: dict[str, Callable[..., float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "sec": lambda a: 1 / math.cos(a),
    "csc": lambda a: 1 / math.sin(a),
    "cot": lambda a: 1 / math.tan(a),
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "asec": lambda a: math.acos(1 / a),
    "acsc": lambda a: math.asin(1 / a),
    "acot": lambda a: math.pi / 2 - math.atan(a),
    "atan2": math.atan2,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "tanh": math.tanh,
    "asinh": math.asinh,
    "acosh": math.acosh,
    "atanh": math.atanh,
    "sinc": lambda a: math.sin(math.pi * a) / (math.pi * a) if a != 0 else 1.0,
    "exp": math.exp,
    "exp2": lambda a: 2.0**a,
    "expm1": math.expm1,
    "log": math.log,
    "log2": math.log2,
    "log10": math.log10,
    "log1p": math.log1p,
    "sqrt": math.sqrt,
    "cbrt": lambda a: _f_sign(a) * abs(a) ** (1 / 3),
    "hypot": math.hypot,
    "logsumexp": lambda *a: max(a) + math.log(math.fsum(math.exp(v - max(a)) for v in a)),
    "erf": math.erf,
    "erfc": math.erfc,
    "erfinv": lambda a: float(mpmath.erfinv(a)),
    "gamma": _f_gamma,
    "factorial": lambda n: math.gamma(n + 1),
    "lgamma": math.lgamma,
    "digamma": lambda a: float(mpmath.digamma(a)),
    "polygamma": _f_polygamma,
    "abs": abs,
    "sign": _f_sign,
    "heaviside": lambda a: 1.0 if a > 0 else 0.0 if a < 0 else 0.5,
    "relu": lambda a: max(a, 0.0),
    "max": max,
    "min": min,
    "clamp": _f_clamp,
    "floor": lambda a: float(math.floor(a)),
    "ceil": lambda a: float(math.ceil(a)),
    "round": lambda a: float(round(a)),  # Python rounds halves to even, as torch does
    "trunc": lambda a: float(math.trunc(a)),
    "frac": lambda a: a - math.trunc(a),
    "sigmoid": _f_sigmoid,
    "softplus": _f_softplus,
    "gelu": lambda a: a * (1 + math.erf(a / math.sqrt(2))) / 2,
    "gelu_tanh": lambda a: a * (1 + math.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a**3))) / 2,
    "silu": lambda a: a * _f_sigmoid(a),
    "mish": lambda a: a * math.tanh(_f_softplus(a)),
    "elu": lambda a, alpha=1.0: a if a > 0 else alpha * math.expm1(a),
    "selu": lambda a: float(SELU_SCALE) * (a if a > 0 else float(SELU_ALPHA) * math.expm1(a)),
    "celu": lambda a, alpha=1.0: max(0.0, a) + min(0.0, alpha * math.expm1(a / alpha)),
    "leaky_relu": lambda a, slope=0.01: a if a >= 0 else slope * a,
    "relu6": lambda a: _f_clamp(a, 0.0, 6.0),
    "hardtanh": lambda a, lo=-1.0, hi=1.0: _f_clamp(a, lo, hi),
    "hardsigmoid": lambda a: _f_clamp(a + 3, 0.0, 6.0) / 6,
    "hardswish": lambda a: a * _f_clamp(a + 3, 0.0, 6.0) / 6,
    "softsign": lambda a: a / (1 + abs(a)),
    "logsigmoid": lambda a: -_f_softplus(-a),
    "tanhshrink": lambda a: a - math.tanh(a),
    "softshrink": lambda a, lambd=0.5: a - lambd if a > lambd else a + lambd if a < -lambd else 0.0,
    "hardshrink": lambda a, lambd=0.5: a if abs(a) > lambd else 0.0,
}


def mp_value(name: str, *args: Any) -> Any:
    """``name`` at ``args`` (mpmath numbers) at the current precision, or None."""
    with mp.workdps(mp.dps):
        return MP[name](*args)


# Valid values for each kind of constant parameter (FunctionSpec.params' check).
PARAMETER_SAMPLES = {
    "": "0.5",
    "whole": "1",
    "nonzero": "2",
    "nonnegative": "0.5",
    "not_below_previous": "3",
}


def sample_call(spec: Any, expressions: Sequence[str] = ("x", "2")) -> str:
    """A valid call of the table function ``spec``: its expression arguments from
    ``expressions`` (the first ones), its required parameters at valid values."""
    exprs = list(expressions[: spec.arity])
    params = [PARAMETER_SAMPLES[p.check] for p in spec.params if p.default is None]
    args = params + exprs if spec.params_first else exprs + params
    return f"{spec.name}({', '.join(args)})"
