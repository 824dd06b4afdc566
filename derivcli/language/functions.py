"""The one table of functions and constants derivcli understands.

Every other part of the pipeline reads this table and nothing else:

* the parser accepts exactly these names (and their aliases) and builds its
  "unknown function" message from them;
* the symbolic engine either uses symengine's own function of the same name
  (``symengine``) or treats the name as an opaque function whose derivative is
  given here in derivcli's own input language (``derivative``);
* the numeric engine builds the autograd graph with ``torch_op`` / ``torch``,
  the functions a PyTorch user would call;
* ``--help`` and the README list the table.

Nothing heavy is imported here: the torch and symengine parts are small
callables that receive the module they need, so importing this table costs
nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# A builder receives an engine module and the already-built arguments.
Builder = Callable[[Any, Sequence[Any]], Any]


@dataclass(frozen=True, kw_only=True)
class FunctionSpec:
    """One supported function."""

    name: str
    arity: int
    summary: str
    torch_op: str  # what a PyTorch user writes; shown in help and in `graph`
    torch: Builder  # (torch module, tensors) -> tensor
    # symengine function name when symengine differentiates it natively ...
    symengine: str | None = None
    # ... otherwise the partial derivative with respect to each argument, in
    # derivcli's own language, with the arguments named a and b.
    derivative: tuple[str, ...] = ()
    # How symengine evaluates an opaque function numerically: a builder over
    # native symengine functions, used only to get numbers out.
    native: Builder | None = None
    aliases: tuple[str, ...] = ()
    kink: bool = False  # not differentiable where its argument(s) meet 0
    # Undefined (nan or a pole) for some real arguments: log, sqrt, asin, ...
    partial: bool = False

    @property
    def signature(self) -> str:
        params = ", ".join("ab"[: self.arity]) if self.arity <= 2 else "..."
        return f"{self.name}({params})"


@dataclass(frozen=True, kw_only=True)
class ConstantSpec:
    """One supported named constant."""

    name: str
    summary: str
    value: float
    symengine: str  # attribute of the symengine module


def _torch_heaviside(torch: Any, a: Sequence[Any]) -> Any:
    # torch.heaviside has no autograd formula; a PyTorch user writes the step
    # as a comparison, whose gradient is zero everywhere (0.5 at 0 matches
    # sympy's Heaviside(0) = 1/2 convention for the value).
    x = a[0]
    return (x > 0).to(x.dtype) + 0.5 * (x == 0).to(x.dtype)


def _native_softplus(se: Any, a: Sequence[Any]) -> Any:
    # log(1 + exp(x)) overflows for large x; this form is exact and stable.
    x = a[0]
    return se.Max(x, 0) + se.log(1 + se.exp(-se.Abs(x)))


def _fn(
    name: str,
    summary: str,
    torch_op: str,
    torch: Builder,
    **kwargs: Any,
) -> FunctionSpec:
    arity = kwargs.pop("arity", 1)
    return FunctionSpec(
        name=name, arity=arity, summary=summary, torch_op=torch_op, torch=torch, **kwargs
    )


FUNCTIONS: tuple[FunctionSpec, ...] = (
    _fn("sin", "sine", "torch.sin", lambda t, a: t.sin(a[0]), symengine="sin"),
    _fn("cos", "cosine", "torch.cos", lambda t, a: t.cos(a[0]), symengine="cos"),
    _fn("tan", "tangent", "torch.tan", lambda t, a: t.tan(a[0]), symengine="tan", partial=True),
    _fn(
        "asin",
        "inverse sine",
        "torch.asin",
        lambda t, a: t.asin(a[0]),
        symengine="asin",
        partial=True,
    ),
    _fn(
        "acos",
        "inverse cosine",
        "torch.acos",
        lambda t, a: t.acos(a[0]),
        symengine="acos",
        partial=True,
    ),
    _fn("atan", "inverse tangent", "torch.atan", lambda t, a: t.atan(a[0]), symengine="atan"),
    _fn("sinh", "hyperbolic sine", "torch.sinh", lambda t, a: t.sinh(a[0]), symengine="sinh"),
    _fn("cosh", "hyperbolic cosine", "torch.cosh", lambda t, a: t.cosh(a[0]), symengine="cosh"),
    _fn("tanh", "hyperbolic tangent", "torch.tanh", lambda t, a: t.tanh(a[0]), symengine="tanh"),
    _fn(
        "asinh",
        "inverse hyperbolic sine",
        "torch.asinh",
        lambda t, a: t.asinh(a[0]),
        symengine="asinh",
    ),
    _fn(
        "acosh",
        "inverse hyperbolic cosine",
        "torch.acosh",
        lambda t, a: t.acosh(a[0]),
        symengine="acosh",
        partial=True,
    ),
    _fn(
        "atanh",
        "inverse hyperbolic tangent",
        "torch.atanh",
        lambda t, a: t.atanh(a[0]),
        symengine="atanh",
        partial=True,
    ),
    _fn("exp", "exponential e**a", "torch.exp", lambda t, a: t.exp(a[0]), symengine="exp"),
    _fn(
        "log",
        "natural logarithm",
        "torch.log",
        lambda t, a: t.log(a[0]),
        symengine="log",
        aliases=("ln",),
        partial=True,
    ),
    _fn(
        "sqrt",
        "square root",
        "torch.sqrt",
        lambda t, a: t.sqrt(a[0]),
        symengine="sqrt",
        partial=True,
    ),
    _fn("erf", "error function", "torch.erf", lambda t, a: t.erf(a[0]), symengine="erf"),
    _fn(
        "abs",
        "absolute value |a| (kink at 0)",
        "torch.abs",
        lambda t, a: t.abs(a[0]),
        derivative=("sign(a)",),
        native=lambda se, a: se.Abs(a[0]),
        aliases=("Abs",),
        kink=True,
    ),
    _fn(
        "sign",
        "sign of a: -1, 0 or 1 (jump at 0)",
        "torch.sign",
        lambda t, a: t.sign(a[0]),
        derivative=("0",),
        native=lambda se, a: se.sign(a[0]),
        kink=True,
    ),
    _fn(
        "heaviside",
        "unit step, 1/2 at 0 (jump at 0)",
        "(a > 0) + 0.5*(a == 0)",
        _torch_heaviside,
        derivative=("0",),
        native=lambda se, a: (se.sign(a[0]) + 1) / 2,
        aliases=("Heaviside",),
        kink=True,
    ),
    _fn(
        "relu",
        "rectified linear unit max(0, a) (kink at 0)",
        "torch.nn.functional.relu",
        lambda t, a: t.nn.functional.relu(a[0]),
        derivative=("heaviside(a)",),
        native=lambda se, a: se.Max(0, a[0]),
        kink=True,
    ),
    _fn(
        "sigmoid",
        "logistic sigmoid 1/(1 + exp(-a))",
        "torch.sigmoid",
        lambda t, a: t.sigmoid(a[0]),
        # sigmoid(-a) = 1 - sigmoid(a), without the cancellation for large a
        derivative=("sigmoid(a)*sigmoid(-a)",),
        native=lambda se, a: 1 / (1 + se.exp(-a[0])),
    ),
    _fn(
        "softplus",
        "softplus log(1 + exp(a))",
        "torch.nn.functional.softplus",
        lambda t, a: t.nn.functional.softplus(a[0]),
        derivative=("sigmoid(a)",),
        native=_native_softplus,
    ),
    _fn(
        "max",
        "larger of a and b (kink where a = b)",
        "torch.maximum",
        lambda t, a: t.maximum(a[0], a[1]),
        arity=2,
        derivative=("heaviside(a - b)", "heaviside(b - a)"),
        native=lambda se, a: se.Max(a[0], a[1]),
        aliases=("Max",),
        kink=True,
    ),
    _fn(
        "min",
        "smaller of a and b (kink where a = b)",
        "torch.minimum",
        lambda t, a: t.minimum(a[0], a[1]),
        arity=2,
        derivative=("heaviside(b - a)", "heaviside(a - b)"),
        native=lambda se, a: se.Min(a[0], a[1]),
        aliases=("Min",),
        kink=True,
    ),
)

CONSTANTS: tuple[ConstantSpec, ...] = (
    ConstantSpec(name="pi", summary="3.14159...", value=3.141592653589793, symengine="pi"),
    ConstantSpec(
        name="E", summary="Euler's number 2.71828...", value=2.718281828459045, symengine="E"
    ),
)

_BY_NAME: dict[str, FunctionSpec] = {}
for _spec in FUNCTIONS:
    for _alias in (_spec.name, *_spec.aliases):
        _BY_NAME[_alias] = _spec

_CONSTANTS_BY_NAME: dict[str, ConstantSpec] = {c.name: c for c in CONSTANTS}


def lookup_function(name: str) -> FunctionSpec | None:
    """The spec for a function name or alias, or None."""
    return _BY_NAME.get(name)


def lookup_constant(name: str) -> ConstantSpec | None:
    """The spec for a constant name, or None."""
    return _CONSTANTS_BY_NAME.get(name)


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
