"""The one table of functions and constants derivcli understands.

Every other part of the pipeline reads this table and nothing else:

* the parser accepts exactly these names (and their aliases) and builds its
  "unknown function" message from them;
* the symbolic engine either uses symengine's own function of the same name
  (``symengine``) or treats the name as an opaque function whose derivative is
  given here in derivcli's own input language (``derivative``);
* the closed form and f are evaluated with ``exact`` (MPFR through gmpy2, real
  numbers only: nan outside the domain, an infinity at a pole) and, over long
  grids, with ``float64`` (numpy, the same conventions);
* the numeric engine builds the autograd graph with ``torch``, the functions
  a PyTorch user would call (``torch_op`` names them);
* the analysis reads ``kink`` (where the derivative jumps), ``edges`` (where
  the real domain ends) and the two conventions at a kink, and the notes
  quote them;
* ``derivcli functions``, ``--help`` and the README list the table.

Nothing heavy is imported here: the engine parts are small callables that
receive the module they need (torch, gmpy2, numpy), so importing this table
costs nothing at start-up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# A builder receives an engine module (torch, gmpy2 or numpy) and the
# already-built arguments, and returns the function's value.
Builder = Callable[[Any, Sequence[Any]], Any]


@dataclass(frozen=True, kw_only=True)
class FunctionSpec:
    """One supported function."""

    name: str
    arity: int
    summary: str
    torch_op: str  # what a PyTorch user writes; shown in help and in `graph`
    torch: Builder  # (torch, tensors) -> tensor
    exact: Builder  # (gmpy2, mpfr values) -> mpfr; nan outside the domain, inf at a pole
    float64: Builder  # (numpy, float64 arrays) -> float64 array, same conventions
    # symengine function name when symengine differentiates it natively
    # (otherwise symengine treats the name as an opaque function) ...
    symengine: str | None = None
    # ... and the partial derivative with respect to each argument, in
    # derivcli's own language, with the arguments named a and b: the rule
    # opaque functions are differentiated by, and the rule a derivation
    # (steps) names for every function.
    derivative: tuple[str, ...] = ()
    # How LaTeX writes the function's name (\sin, \operatorname{relu}, \sigma);
    # sqrt and abs have their own notation.
    latex: str = ""
    aliases: tuple[str, ...] = ()
    # Not differentiable where its argument is 0 (max/min: where a - b is 0).
    kink: bool = False
    # What each engine returns at the kink, quoted in the notes.
    torch_convention: str = ""
    closed_form_convention: str = ""
    # Finite ends of the real domain of the (first) argument: sqrt at 0,
    # asin at -1 and 1. A point whose argument sits on one is probed for a
    # domain edge.
    edges: tuple[float, ...] = ()
    # Undefined (nan or a pole) for some real arguments: log, sqrt, asin, tan, ...
    partial: bool = False
    # Periodic: its value at a large argument depends on the argument's last
    # bits, so the exact evaluator keeps every bit of a computed argument.
    periodic: bool = False

    @property
    def signature(self) -> str:
        params = ", ".join("ab"[: self.arity]) if self.arity <= 2 else "..."
        return f"{self.name}({params})"


@dataclass(frozen=True, kw_only=True)
class ConstantSpec:
    """One supported named constant."""

    name: str
    summary: str
    value: float  # the float64 nearest to it, as torch and math use it
    symengine: str  # attribute of the symengine module
    exact: Callable[[Any], Any]  # (gmpy2) -> the constant at the context's precision


# ---------------------------------------------------------------- conventions


def _torch_heaviside(torch: Any, a: Sequence[Any]) -> Any:
    # torch.heaviside has no autograd formula; a PyTorch user writes the step
    # as a comparison, whose gradient is zero everywhere (0.5 at 0 matches
    # sympy's Heaviside(0) = 1/2 convention for the value).
    x = a[0]
    return (x > 0).to(x.dtype) + 0.5 * (x == 0).to(x.dtype)


def _exact_sign(m: Any, a: Sequence[Any]) -> Any:
    x = a[0]
    if m.is_nan(x):
        return x
    return m.mpfr(1) if x > 0 else m.mpfr(-1) if x < 0 else m.mpfr(0)


def _exact_heaviside(m: Any, a: Sequence[Any]) -> Any:
    x = a[0]
    if m.is_nan(x):
        return x
    return m.mpfr(1) if x > 0 else m.mpfr(0) if x < 0 else m.mpfr(1) / 2


def _exact_max(m: Any, a: Sequence[Any]) -> Any:
    if m.is_nan(a[0]) or m.is_nan(a[1]):
        return m.nan()
    return a[0] if a[0] >= a[1] else a[1]


def _exact_min(m: Any, a: Sequence[Any]) -> Any:
    if m.is_nan(a[0]) or m.is_nan(a[1]):
        return m.nan()
    return a[0] if a[0] <= a[1] else a[1]


def _float64_erf(np: Any, a: Sequence[Any]) -> Any:
    # numpy has no erf; math.erf element by element (0.2 us a point)
    return np.frompyfunc(math.erf, 1, 1)(a[0]).astype(np.float64)


def _float64_sigmoid(np: Any, a: Sequence[Any]) -> Any:
    x = a[0]
    # exp(-|x|) never overflows; both branches are exact forms of 1/(1+exp(-x))
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _fn(
    name: str,
    summary: str,
    torch_op: str,
    torch: Builder,
    exact: Builder,
    float64: Builder,
    **kwargs: Any,
) -> FunctionSpec:
    arity = kwargs.pop("arity", 1)
    return FunctionSpec(
        name=name,
        arity=arity,
        summary=summary,
        torch_op=torch_op,
        torch=torch,
        exact=exact,
        float64=float64,
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
        f"torch.{name}",
        lambda t, a: getattr(t, name)(a[0]),
        lambda m, a: getattr(m, gmpy_name)(a[0]),
        lambda np, a: getattr(np, numpy_name)(a[0]),
        symengine=kwargs.pop("symengine", name),
        derivative=(rule,),
        latex=latex,
        **kwargs,
    )


FUNCTIONS: tuple[FunctionSpec, ...] = (
    _unary("sin", "sine", "cos(a)", r"\sin", periodic=True),
    _unary("cos", "cosine", "-sin(a)", r"\cos", periodic=True),
    _unary("tan", "tangent", "1 + tan(a)**2", r"\tan", partial=True, periodic=True),
    _unary(
        "asin",
        "inverse sine",
        "1/sqrt(1 - a**2)",
        r"\arcsin",
        numpy_name="arcsin",
        partial=True,
        edges=(-1.0, 1.0),
    ),
    _unary(
        "acos",
        "inverse cosine",
        "-1/sqrt(1 - a**2)",
        r"\arccos",
        numpy_name="arccos",
        partial=True,
        edges=(-1.0, 1.0),
    ),
    _unary("atan", "inverse tangent", "1/(1 + a**2)", r"\arctan", numpy_name="arctan"),
    _unary("sinh", "hyperbolic sine", "cosh(a)", r"\sinh"),
    _unary("cosh", "hyperbolic cosine", "sinh(a)", r"\cosh"),
    _unary("tanh", "hyperbolic tangent", "1 - tanh(a)**2", r"\tanh"),
    _unary(
        "asinh",
        "inverse hyperbolic sine",
        "1/sqrt(a**2 + 1)",
        r"\operatorname{arsinh}",
        numpy_name="arcsinh",
    ),
    _unary(
        "acosh",
        "inverse hyperbolic cosine",
        "1/sqrt(a**2 - 1)",
        r"\operatorname{arcosh}",
        numpy_name="arccosh",
        partial=True,
        edges=(1.0,),
    ),
    _unary(
        "atanh",
        "inverse hyperbolic tangent",
        "1/(1 - a**2)",
        r"\operatorname{artanh}",
        numpy_name="arctanh",
        partial=True,
    ),
    _unary("exp", "exponential e**a", "exp(a)", r"\exp"),
    _unary("log", "natural logarithm", "1/a", r"\ln", aliases=("ln",), partial=True),
    _unary("sqrt", "square root", "1/(2*sqrt(a))", r"\sqrt", partial=True, edges=(0.0,)),
    _fn(
        "erf",
        "error function",
        "torch.erf",
        lambda t, a: t.erf(a[0]),
        lambda m, a: m.erf(a[0]),
        _float64_erf,
        symengine="erf",
        derivative=("2*exp(-a**2)/sqrt(pi)",),
        latex=r"\operatorname{erf}",
    ),
    _fn(
        "abs",
        "absolute value |a| (kink at 0)",
        "torch.abs",
        lambda t, a: t.abs(a[0]),
        lambda m, a: abs(a[0]),
        lambda np, a: np.abs(a[0]),
        derivative=("sign(a)",),
        aliases=("Abs",),
        kink=True,
        torch_convention="torch.abs's gradient at 0 is 0",
        closed_form_convention="sign(0) = 0",
        latex=r"\left|\right|",
    ),
    _fn(
        "sign",
        "sign of a: -1, 0 or 1 (jump at 0)",
        "torch.sign",
        lambda t, a: t.sign(a[0]),
        _exact_sign,
        lambda np, a: np.sign(a[0]),
        derivative=("0",),
        kink=True,
        torch_convention="torch.sign's gradient is 0 everywhere",
        latex=r"\operatorname{sgn}",
    ),
    _fn(
        "heaviside",
        "unit step, 1/2 at 0 (jump at 0)",
        "(a > 0).to(a.dtype) + 0.5*(a == 0).to(a.dtype)",
        _torch_heaviside,
        _exact_heaviside,
        lambda np, a: np.heaviside(a[0], 0.5),
        derivative=("0",),
        aliases=("Heaviside",),
        kink=True,
        torch_convention="a step's gradient is 0 everywhere",
        latex=r"\operatorname{H}",
    ),
    _fn(
        "relu",
        "rectified linear unit max(0, a) (kink at 0)",
        "torch.nn.functional.relu",
        lambda t, a: t.nn.functional.relu(a[0]),
        lambda m, a: a[0] if m.is_nan(a[0]) or a[0] > 0 else m.mpfr(0),
        lambda np, a: np.maximum(a[0], 0.0),
        derivative=("heaviside(a)",),
        kink=True,
        torch_convention="torch.nn.functional.relu's gradient at 0 is 0",
        closed_form_convention="heaviside(0) = 1/2",
        latex=r"\operatorname{relu}",
    ),
    _fn(
        "sigmoid",
        "logistic sigmoid 1/(1 + exp(-a))",
        "torch.sigmoid",
        lambda t, a: t.sigmoid(a[0]),
        lambda m, a: 1 / (1 + m.exp(-a[0])),
        _float64_sigmoid,
        # sigmoid(-a) = 1 - sigmoid(a), without the cancellation for large a
        derivative=("sigmoid(a)*sigmoid(-a)",),
        latex=r"\sigma",
    ),
    _fn(
        "softplus",
        "softplus log(1 + exp(a))",
        "torch.nn.functional.softplus",
        lambda t, a: t.nn.functional.softplus(a[0]),
        # max(a, 0) + log1p(exp(-|a|)): never overflows, exact for any a
        lambda m, a: a[0] + m.log1p(m.exp(-abs(a[0]))) if a[0] > 0 else m.log1p(m.exp(a[0])),
        lambda np, a: np.logaddexp(0.0, a[0]),
        derivative=("sigmoid(a)",),
        latex=r"\operatorname{softplus}",
    ),
    _fn(
        "max",
        "larger of a and b (kink where a = b)",
        "torch.maximum",
        lambda t, a: t.maximum(a[0], a[1]),
        _exact_max,
        lambda np, a: np.maximum(a[0], a[1]),
        arity=2,
        derivative=("heaviside(a - b)", "heaviside(b - a)"),
        aliases=("Max",),
        kink=True,
        torch_convention="torch.maximum splits the gradient 0.5/0.5 at a tie",
        closed_form_convention="heaviside(0) = 1/2",
        latex=r"\max",
    ),
    _fn(
        "min",
        "smaller of a and b (kink where a = b)",
        "torch.minimum",
        lambda t, a: t.minimum(a[0], a[1]),
        _exact_min,
        lambda np, a: np.minimum(a[0], a[1]),
        arity=2,
        derivative=("heaviside(b - a)", "heaviside(a - b)"),
        aliases=("Min",),
        kink=True,
        torch_convention="torch.minimum splits the gradient 0.5/0.5 at a tie",
        closed_form_convention="heaviside(0) = 1/2",
        latex=r"\min",
    ),
)

CONSTANTS: tuple[ConstantSpec, ...] = (
    ConstantSpec(
        name="pi",
        summary="3.14159...",
        value=math.pi,
        symengine="pi",
        exact=lambda m: m.const_pi(),
    ),
    ConstantSpec(
        name="E",
        summary="Euler's number 2.71828...",
        value=math.e,
        symengine="E",
        exact=lambda m: m.exp(1),
    ),
)

_BY_NAME: dict[str, FunctionSpec] = {}
for _spec in FUNCTIONS:
    for _alias in (_spec.name, *_spec.aliases):
        _BY_NAME[_alias] = _spec

_CONSTANTS_BY_NAME: dict[str, ConstantSpec] = {c.name: c for c in CONSTANTS}
_BY_SYMENGINE: dict[str, FunctionSpec] = {
    spec.symengine: spec for spec in FUNCTIONS if spec.symengine is not None
}


def lookup_function(name: str) -> FunctionSpec | None:
    """The spec for a function name or alias, or None."""
    return _BY_NAME.get(name)


def function(name: str) -> FunctionSpec:
    """The spec for a canonical function name known to be in the table."""
    return _BY_NAME[name]


def lookup_constant(name: str) -> ConstantSpec | None:
    """The spec for a constant name, or None."""
    return _CONSTANTS_BY_NAME.get(name)


def by_symengine_name(name: str) -> FunctionSpec | None:
    """The spec whose symengine function is called ``name`` (sin, asinh, ...)."""
    return _BY_SYMENGINE.get(name)


def function_names() -> list[str]:
    """Canonical function names, in table order."""
    return [spec.name for spec in FUNCTIONS]


def describe_language() -> str:
    """A short description of the input language, for help text."""
    names = ", ".join(function_names())
    consts = ", ".join(c.name for c in CONSTANTS)
    return (
        "Expressions use + - * / and ** (or ^) for power, parentheses, numbers "
        f"such as 2, 0.5 or 1e-3, the constants {consts}, and the functions {names}. "
        "Any other name is a real variable."
    )


def describe_table() -> str:
    """The language and the whole table, as `derivcli functions` prints it."""
    import textwrap

    lines = [*textwrap.wrap(describe_language(), 78), "", "functions (torch equivalent):"]
    for spec in FUNCTIONS:
        alias = f" (also {', '.join(spec.aliases)})" if spec.aliases else ""
        lines.append(f"  {spec.signature:<14} {spec.summary}{alias}  [{spec.torch_op}]")
    lines.append("constants:")
    for const in CONSTANTS:
        lines.append(f"  {const.name:<14} {const.summary}")
    return "\n".join(lines)
