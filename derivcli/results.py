"""The results of a run: frozen data that the renderers print.

Also the comparison rules: the tolerances (named, following the dtype) and
the verdict that decides the exit code. Nothing here imports torch, symengine
or a terminal library.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from derivcli.errors import ExitCode

if TYPE_CHECKING:
    from derivcli.symbolic.steps import Derivation


def values_agree(a: float, b: float, rtol: float, atol: float) -> bool:
    """|a - b| <= atol + rtol*|b|, like torch.allclose; equal infinities agree."""
    if math.isnan(a) or math.isnan(b):
        return False
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """1 point, 2 points, 100,000 points."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def format_number(value: float) -> str:
    """Shortest faithful text of a float; whole numbers without '.0'."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def json_number(value: float | None) -> float | str | None:
    if value is None:
        return None
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


class Displayed:
    """How a result shows itself outside the command line: ``print(r)`` gives the
    plain text, a notebook (Jupyter) the same table the terminal shows."""

    def plain(self) -> str:
        raise NotImplementedError

    def rich(self) -> Any:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.plain()

    def __rich__(self) -> Any:
        return self.rich()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        import io

        from rich.console import Console

        console = Console(record=True, file=io.StringIO(), width=100, color_system="truecolor")
        drawing = self.rich()
        console.print(drawing, crop=False)
        return {
            "text/plain": console.export_text(clear=False),
            "text/html": console.export_html(inline_styles=True),
        }


@dataclass(frozen=True)
class Sample:
    """One sample point used to check a closed form when no --at was given."""

    point: tuple[tuple[str, float], ...]
    symbolic: float
    autograd: float
    agree: bool


@dataclass(frozen=True)
class DerivativeResult:
    """One derivative (of some order, by some variables) at one point, or at samples."""

    wrt: tuple[str, ...]  # one variable per differentiation, in order
    derivative: str | None  # closed form; None if it was not reached
    point: tuple[tuple[str, float], ...] | None
    symbolic: float | None
    autograd: float | None
    agree: bool | None
    differentiable: bool | None = None
    left: float | None = None
    right: float | None = None
    note: str | None = None
    samples: tuple[Sample, ...] = ()
    computable: bool = True  # False: a budget ran out or a value overflowed (exit 3)
    derivation: Derivation | None = None  # how the closed form was worked out (--steps)
    # not computable because the exact evaluation lost a value to a sum cancelling
    # past its precision: what cancelled (plot counts such points as not evaluated)
    lost: str = ""

    @property
    def order(self) -> int:
        return len(self.wrt)

    @property
    def variables(self) -> tuple[str, ...]:
        """JSON's "variables": one variable per differentiation, in order (as ``wrt``;
        JSON's "wrt" is the text "x" or "u,v")."""
        return self.wrt

    @property
    def steps(self) -> Derivation | None:
        """JSON's "steps" (with ``steps=True``, else None): the derivation, as ``derivation``."""
        return self.derivation

    @property
    def abs_diff(self) -> float | None:
        if self.symbolic is None or self.autograd is None:
            return None
        if math.isinf(self.symbolic) and self.symbolic == self.autograd:
            return 0.0
        return abs(self.symbolic - self.autograd)

    @property
    def verdict(self) -> str:
        if self.differentiable is False:
            return "not differentiable"
        if not self.computable:
            return "not computed"
        if self.agree is None:
            return "not compared"
        return "agree" if self.agree else "DISAGREE"

    @property
    def exit_code(self) -> ExitCode:
        if self.derivative is None or not self.computable:
            return ExitCode.CANNOT_COMPUTE
        if self.derivation is not None and self.derivation.error is not None:
            return ExitCode.CANNOT_COMPUTE  # the steps asked for are missing
        if self.point is None and self.agree is None:
            return ExitCode.DISAGREE  # sample mode found no point to check the closed form at
        if self.differentiable is False or self.agree is False:
            return ExitCode.DISAGREE
        return ExitCode.OK


@dataclass(frozen=True)
class Report(Displayed):
    """Everything one command computed."""

    expression: str  # as understood
    source: str  # as typed
    device: str
    dtype: str
    rtol: float
    atol: float
    results: tuple[DerivativeResult, ...]
    note: str | None = None  # about the whole run, e.g. a budget that ran out

    @property
    def exit_code(self) -> ExitCode:
        worst = max((r.exit_code for r in self.results), default=ExitCode.OK)
        return ExitCode(worst)

    @property
    def ok(self) -> bool:
        """Every result computed and agreeing (the CLI's exit code 0)."""
        return self.exit_code == ExitCode.OK

    def to_dict(self) -> dict[str, Any]:
        """What --format json prints (the documented contract)."""
        from derivcli.render import report_json

        return report_json(self)

    def json_pieces(self) -> Iterator[str]:
        """The JSON text in pieces, one result at a time (grids can be large)."""
        from derivcli.render import iter_json

        return iter_json(self)

    def plain(self) -> str:
        from derivcli.render import render_plain

        return render_plain(self)

    def rich(self) -> Any:
        from derivcli.render import build_table

        table = build_table(self)
        if any(r.derivation is not None for r in self.results):
            from derivcli.show import with_derivations

            return with_derivations(self, table)
        return table

    def latex(self) -> str:
        """A LaTeX block for a document (``--format latex``)."""
        from derivcli.show import report_latex

        return report_latex(self)

    @property
    def input(self) -> str:
        """The expression as typed (JSON's "input")."""
        return self.source


def wrt_label(wrt: tuple[str, ...]) -> str:
    """d/dx, d2/dx2, d2/dudv as a compact ASCII label."""
    order = len(wrt)
    if order == 1:
        return f"d/d{wrt[0]}"
    if len(set(wrt)) == 1:
        return f"d{order}/d{wrt[0]}{order}"
    return f"d{order}/" + "".join(f"d{v}" for v in wrt)
