"""derivcli: differentiate an expression symbolically and with PyTorch autograd.

From Python::

    import derivcli

    r = derivcli.grad("x**2+2*x+1", at={"x": 2})
    r.results[0].derivative      # '2*x + 2'
    r.ok                         # True: the CLI would exit 0

The pipeline, one folder or module per stage: ``language`` (text -> tree, no
eval; the one function table) -> ``symbolic`` (closed form with symengine,
exact values, kinks and domains, in a budgeted worker) -> ``autograd``
(torch) -> ``compare`` (both sides, one verdict) -> ``render`` (table, JSON,
plain). ``api`` is the library; ``commands`` the thin Typer layer on top of
it. Importing this package is cheap: torch, symengine and sympy load on first
use, Typer and Rich only when the command line runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it (imported on first use)
_EXPORTS = {
    "grad": "derivcli.api",
    "partial": "derivcli.api",
    "check": "derivcli.api",
    "check_function": "derivcli.api",
    "graph": "derivcli.api",
    "hessian": "derivcli.api",
    "jacobian": "derivcli.api",
    "MatrixReport": "derivcli.matrices",
    "MatrixPoint": "derivcli.matrices",
    "Report": "derivcli.results",
    "DerivativeResult": "derivcli.results",
    "Sample": "derivcli.results",
    "ExitCode": "derivcli.errors",
    "DerivcliError": "derivcli.errors",
    "InputError": "derivcli.errors",
    "ParseError": "derivcli.errors",
    "PointError": "derivcli.errors",
    "LimitError": "derivcli.errors",
    "CannotComputeError": "derivcli.errors",
    "BudgetError": "derivcli.errors",
    "DeviceError": "derivcli.errors",
}

__all__ = [
    "BudgetError",
    "CannotComputeError",
    "DerivativeResult",
    "DerivcliError",
    "DeviceError",
    "ExitCode",
    "InputError",
    "LimitError",
    "MatrixPoint",
    "MatrixReport",
    "ParseError",
    "PointError",
    "Report",
    "Sample",
    "__version__",
    "check",
    "check_function",
    "grad",
    "graph",
    "hessian",
    "jacobian",
    "partial",
]

if TYPE_CHECKING:
    from derivcli.api import check, check_function, grad, graph, hessian, jacobian, partial
    from derivcli.errors import (
        BudgetError,
        CannotComputeError,
        DerivcliError,
        DeviceError,
        ExitCode,
        InputError,
        LimitError,
        ParseError,
        PointError,
    )
    from derivcli.matrices import MatrixPoint, MatrixReport
    from derivcli.results import DerivativeResult, Report, Sample


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'derivcli' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
