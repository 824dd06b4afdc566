"""The options every computing command shares, and their validation.

The library (``derivcli.api``) and the command line read the same options
(``order``, ``rtol``, ``atol``, ``timeout``, ``device``, ``dtype``) and must
refuse the same values with the same one-line message; both call the checks
here, which import nothing heavy.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, SupportsIndex

from derivcli.errors import InputError

if TYPE_CHECKING:
    from derivcli.language.parser import Expression

MAX_ORDER = 50
MAX_TIMEOUT = 3600.0  # seconds
# Seconds for the closed form (--timeout).
DEFAULT_BUDGET = 2.0

# Agreement tolerances between the closed form and autograd, per autograd
# dtype: (rtol, atol). float64 leaves room for a different order of rounding
# in long chains; float32 is bounded by its own ~1e-7 epsilon.
TOLERANCES: dict[str, tuple[float, float]] = {
    "float64": (1e-7, 1e-10),
    "float32": (1e-4, 1e-5),
}


class Device(str, Enum):
    """Where autograd runs."""

    cpu = "cpu"
    cuda = "cuda"


class DType(str, Enum):
    """autograd's floating type."""

    float64 = "float64"
    float32 = "float32"


@dataclass(frozen=True)
class Settings:
    """How one computation runs: autograd's device and dtype, tolerances, budget."""

    device: str = "cpu"
    dtype: str = "float64"
    rtol: float | None = None
    atol: float | None = None
    budget: float = DEFAULT_BUDGET

    @property
    def tolerances(self) -> tuple[float, float]:
        """(rtol, atol): the ones given, else the dtype's defaults."""
        rtol, atol = TOLERANCES[self.dtype]
        return (
            self.rtol if self.rtol is not None else rtol,
            self.atol if self.atol is not None else atol,
        )


def _is_number(value: object) -> bool:
    """A real number as Python gives it (from the library: not a string, not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_order(order: SupportsIndex) -> int:
    """``order`` as a plain int, taken as ``operator.index`` takes it: an int, a
    numpy or torch integer, a 0-d integer array or tensor, what else has an
    ``__index__`` (``range`` accepts the same). Refused, whatever ``__index__``
    says: a bool of Python, numpy or torch (True is not the order 1); and a
    float, even 2.0 (``operator.index`` refuses it: a float order is a slip to
    show, not to round). The plain int is what the callers go on with, so a
    tensor never reaches ``tuple * order``.
    """
    whole = None if _is_bool(order) else _index(order)
    if whole is None or not 1 <= whole <= MAX_ORDER:
        raise InputError(
            f"--order {_shown(order)}: the order must be between 1 and {MAX_ORDER} (a whole number)"
        )
    return whole


def _is_bool(value: object) -> bool:
    """A bool as Python, numpy or torch gives it (numpy's dtype prints as
    'bool', torch's as 'torch.bool'); torch's bool tensor has an ``__index__``."""
    return isinstance(value, bool) or str(getattr(value, "dtype", "")) in ("bool", "torch.bool")


def _index(value: object) -> int | None:
    """``operator.index(value)``, or None where it refuses: a float, a str, an
    array or tensor of several values (TypeError), a tensor on "meta"
    (RuntimeError), or an ``__index__`` of the caller's that fails otherwise."""
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, RuntimeError, NotImplementedError):
        return None


def _shown(value: object) -> str:
    """``repr(value)`` on one line, at most 40 characters (an array's repr spans lines)."""
    text = " ".join(repr(value).split())
    return text if len(text) <= 40 else text[:37] + "..."


def check_timeout(timeout: float) -> None:
    if not _is_number(timeout):
        raise InputError(f"--timeout {timeout!r}: must be a number of seconds")
    if not 0 < timeout <= MAX_TIMEOUT:
        raise InputError(f"--timeout {timeout:g}: must be more than 0 and at most {MAX_TIMEOUT:g}")


def check_tolerance(name: str, value: float | None) -> None:
    if value is not None and not (_is_number(value) and value >= 0 and math.isfinite(value)):
        raise InputError(f"{name} {value!r}: must be a finite number >= 0")


def make_settings(
    *,
    device: str,
    dtype: str,
    rtol: float | None,
    atol: float | None,
    timeout: float,
) -> Settings:
    """Validated Settings; device and dtype by name ("cpu", "float64", ...)."""
    for option, value, enum in (("--device", device, Device), ("--dtype", dtype, DType)):
        allowed = [member.value for member in enum]
        if value not in allowed:
            raise InputError(f"{option} {value}: must be one of {', '.join(allowed)}")
    check_tolerance("--rtol", rtol)
    check_tolerance("--atol", atol)
    check_timeout(timeout)
    return Settings(device=device, dtype=dtype, rtol=rtol, atol=atol, budget=timeout)


def require_variables(expression: Expression, what: str = "to differentiate") -> None:
    if not expression.variables:
        raise InputError(f"'{expression.source}' has no variables, so there is nothing {what}")


def derivative_sequences(
    expression: Expression, wrt: Sequence[str] | None, order: SupportsIndex
) -> list[tuple[str, ...]]:
    """The derivatives to take, each a sequence of variables (one per differentiation).

    ``wrt`` None (grad): every variable, ``order`` times each. Otherwise one
    derivative: the single ``--wrt`` variable ``order`` times, or several
    ``--wrt`` variables once each (a mixed partial).
    """
    from derivcli.language.points import parse_wrt

    times = check_order(order)  # a plain int (np.int64(2) -> 2)
    require_variables(expression)
    if wrt is None:
        return [(name,) * times for name in expression.variables]
    names = parse_wrt(wrt, expression.variables)
    if not names:
        raise InputError("--wrt: name the variable to differentiate by")
    if len(names) > 1 and times != 1:
        raise InputError(
            "--order applies to a single --wrt; for mixed partials repeat "
            "--wrt once per differentiation (e.g. --wrt u --wrt v)"
        )
    return [tuple(names) * times if len(names) == 1 else tuple(names)]
