"""derivcli as a library: the same answers as the command line, from Python.

Each computing command has a function here with keyword arguments named like
its options; the Typer commands parse options, call these, and render. Bad
input raises a :class:`~derivcli.errors.DerivcliError` subclass carrying the
same one-line message and exit code the command line would give; nothing is
printed and nothing exits the interpreter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Union

from derivcli.options import DEFAULT_BUDGET, derivative_sequences, make_settings

if TYPE_CHECKING:
    from derivcli.compare import Runner
    from derivcli.language.points import PointSpec
    from derivcli.results import Report

# ``at``: the CLI's text ("u=1,v=2", "x=-3:3:7"), several such texts, or a
# mapping of variable to number (or to the CLI's text for one variable).
At = Union[str, Sequence[str], Mapping[str, Union[float, str]], None]


def _at_options(at: At) -> list[str]:
    if at is None:
        return []
    if isinstance(at, str):
        return [at]
    if isinstance(at, Mapping):
        return [",".join(f"{name}={_value_text(value)}" for name, value in at.items())]
    return list(at)


def _value_text(value: float | str) -> str:
    # repr of a float is exact: the point is the very float64 given
    return value if isinstance(value, str) else repr(float(value))


def derivatives(
    expression: str,
    *,
    wrt: Sequence[str] | str | None = None,
    at: At = None,
    mesh: bool = False,
    order: int = 1,
    device: str = "cpu",
    dtype: str = "float64",
    rtol: float | None = None,
    atol: float | None = None,
    timeout: float = DEFAULT_BUDGET,
    runner: Runner | None = None,
) -> Report:
    """grad (``wrt`` None: every variable) or partial (``wrt`` given)."""
    from derivcli.compare import compute
    from derivcli.language.parser import parse
    from derivcli.language.points import parse_at

    settings = make_settings(device=device, dtype=dtype, rtol=rtol, atol=atol, timeout=timeout)
    parsed = parse(expression)
    names = [wrt] if isinstance(wrt, str) else (None if wrt is None else list(wrt))
    sequences = derivative_sequences(parsed, names, order)
    options = _at_options(at)
    points: PointSpec | None = parse_at(options, parsed.variables, mesh=mesh) if options else None
    return compute(parsed, sequences, points, settings, runner=runner)


def grad(
    expression: str,
    *,
    at: At = None,
    mesh: bool = False,
    order: int = 1,
    device: str = "cpu",
    dtype: str = "float64",
    rtol: float | None = None,
    atol: float | None = None,
    timeout: float = DEFAULT_BUDGET,
) -> Report:
    """The derivative by every variable, one result each (``derivcli grad``)."""
    return derivatives(
        expression,
        at=at,
        mesh=mesh,
        order=order,
        device=device,
        dtype=dtype,
        rtol=rtol,
        atol=atol,
        timeout=timeout,
    )


def partial(
    expression: str,
    *,
    wrt: Sequence[str] | str,
    at: At = None,
    mesh: bool = False,
    order: int = 1,
    device: str = "cpu",
    dtype: str = "float64",
    rtol: float | None = None,
    atol: float | None = None,
    timeout: float = DEFAULT_BUDGET,
) -> Report:
    """A partial derivative by ``wrt``: one name, or names for a mixed partial
    (``derivcli partial``)."""
    return derivatives(
        expression,
        wrt=wrt,
        at=at,
        mesh=mesh,
        order=order,
        device=device,
        dtype=dtype,
        rtol=rtol,
        atol=atol,
        timeout=timeout,
    )
