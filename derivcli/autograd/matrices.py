"""Stage 3 for matrices: Hessians and Jacobians as a PyTorch user computes them.

At each point, one 0-d tensor per variable of the matrix (the other variables
are fixed numbers), and the function written with the function table's torch
operations (the same :class:`~derivcli.autograd.values.GraphBuilder` as every
other command), then::

    torch.autograd.functional.hessian(f, (x, y))           # H[i][j] = d/dx_j (df/dx_i)
    torch.autograd.functional.jacobian(f, (x, y))          # the gradient, beside it
    torch.autograd.functional.jacobian(F, (x, y))          # F returns (f_1, ..., f_m)

which is what a PyTorch user writes for one point. The answers come back as
:class:`~derivcli.autograd.values.AutogradValues`, one array per requested
derivative, so ``compare.compute`` joins them with the closed form's exact
values and analysis exactly as it joins ``grad``'s nested autograd.

A Jacobian is computed once, for every expression, and read back one row
(one expression) at a time: ``compare.compute`` runs once per expression.

torch is imported here, only when a matrix command runs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from derivcli.autograd.values import (
    AutogradValues,
    GraphBuilder,
    import_torch,
    resolve_device,
    resolve_dtype,
)
from derivcli.errors import BudgetError
from derivcli.language.points import Column
from derivcli.language.tree import Node

# Points whose time predicts the rest (after the first, which sets torch up).
MIN_PREDICTION = 16

HESSIAN_METHOD = "torch.autograd.functional.hessian"
JACOBIAN_METHOD = "torch.autograd.functional.jacobian"


class TorchMatrices:
    """torch's Hessian (one expression) or Jacobian (several) at every point.

    ``engine(row)`` is the autograd side ``compare.compute`` calls for one
    expression; the first call computes every row, later calls read theirs.
    """

    def __init__(self, trees: Sequence[Node], variables: Sequence[str], *, hessian: bool) -> None:
        self.trees = tuple(trees)
        self.variables = tuple(variables)
        self.hessian = hessian
        self._rows: list[AutogradValues] | None = None
        self._error: BudgetError | None = None

    @property
    def method(self) -> str:
        return HESSIAN_METHOD if self.hessian else JACOBIAN_METHOD

    def engine(self, row: int) -> Any:
        """The autograd side for expression ``row``, called like ``values.autograd``."""

        def run(
            tree: Node,
            names: Sequence[str],
            columns: Mapping[str, Column],
            count: int,
            derivatives: Sequence[Sequence[str]],
            *,
            dtype: str = "float64",
            device: str = "cpu",
            budget: float | None = None,
            threads: int | None = None,
        ) -> AutogradValues:
            if self._error is not None:
                raise self._error
            if self._rows is None:
                try:
                    self._rows = self._compute(
                        names, columns, count, derivatives, dtype, device, budget, threads
                    )
                except BudgetError as exc:
                    self._error = exc
                    raise
            return self._rows[row]

        return run

    def _compute(
        self,
        names: Sequence[str],
        columns: Mapping[str, Column],
        count: int,
        derivatives: Sequence[Sequence[str]],
        dtype: str,
        device: str,
        budget: float | None,
        threads: int | None,
    ) -> list[AutogradValues]:
        import numpy as np

        torch = import_torch()
        if threads is not None and torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        dev = resolve_device(torch, device)
        tdtype = resolve_dtype(torch, dtype)
        rows = len(self.trees)
        function = np.full((rows, count), np.nan)
        on_kink = np.zeros((rows, count), dtype=bool)
        past_softplus = np.zeros((rows, count), dtype=bool)
        kinked = [False] * rows
        softplus = [False] * rows
        # the gradient (Hessian: beside it) and the matrix, at every point
        first = np.full((rows, len(self.variables), count), np.nan)
        second = np.full((len(self.variables), len(self.variables), count), np.nan)
        deadline = None if budget is None else time.monotonic() + budget
        steady = time.monotonic()  # when the first point, torch's set-up, was done
        for i in range(count):
            if i == 1:
                steady = time.monotonic()
            _on_time(deadline, steady, i, count)
            point = {name: float(columns[name][i]) for name in names}
            builders: list[_Recording] = []
            outputs = _at_point(torch, self, point, names, tdtype, dev, builders)
            gradient, matrix = outputs
            for r in range(rows):
                builder = builders[r - rows]  # the last call's, one per expression
                function[r, i] = _number(builder.output)
                kinked[r] = kinked[r] or bool(builder.kink_inputs)
                softplus[r] = softplus[r] or bool(builder.softplus_inputs)
                on_kink[r, i] = any(bool(t == 0) for t in builder.kink_inputs)
                past_softplus[r, i] = any(bool(t > 0) for t in builder.softplus_inputs)
                for c in range(len(self.variables)):
                    first[r, c, i] = _number(gradient[r][c])
            if matrix is not None:
                for a in range(len(self.variables)):
                    for b in range(len(self.variables)):
                        second[a, b, i] = _number(matrix[a][b])
        index = {name: k for k, name in enumerate(self.variables)}
        answers = []
        for r in range(rows):
            values = []
            for wrt in derivatives:
                if len(wrt) == 1:
                    values.append(first[r, index[wrt[0]]])
                else:
                    values.append(second[index[wrt[0]], index[wrt[1]]])
            answers.append(
                AutogradValues(
                    function=function[r],
                    derivatives=values,
                    past_softplus_threshold=past_softplus[r] if softplus[r] else None,
                    at_torch_kink=on_kink[r] if kinked[r] else None,
                )
            )
        return answers


class _Recording(GraphBuilder):
    """A GraphBuilder that keeps what it built, for f's value and torch's flags."""

    output: Any = None

    def build(self, tree: Node) -> Any:
        self.output = super().build(tree)
        return self.output


def _at_point(
    torch: Any,
    matrices: TorchMatrices,
    point: Mapping[str, float],
    names: Sequence[str],
    tdtype: Any,
    dev: Any,
    builders: list[_Recording],
) -> tuple[list[Sequence[Any]], Any]:
    """torch's gradient rows and (for a Hessian) matrix at one point."""
    functional = torch.autograd.functional
    variables = matrices.variables
    fixed = {
        name: torch.tensor(value, dtype=tdtype, device=dev)
        for name, value in point.items()
        if name in names and name not in variables
    }
    inputs = tuple(torch.tensor(point[name], dtype=tdtype, device=dev) for name in variables)

    def leaves(xs: Sequence[Any]) -> dict[str, Any]:
        return {**fixed, **dict(zip(variables, xs, strict=True))}

    def build(tree: Node, xs: Sequence[Any]) -> Any:
        builder = _Recording(torch, leaves(xs), tdtype, dev)
        builders.append(builder)
        return builder.build(tree)

    if matrices.hessian:
        (tree,) = matrices.trees

        def f(*xs: Any) -> Any:
            return build(tree, xs)

        matrix = functional.hessian(f, inputs)
        gradient = functional.jacobian(f, inputs)
        return [gradient], matrix

    def vector(*xs: Any) -> tuple[Any, ...]:
        return tuple(build(tree, xs) for tree in matrices.trees)

    return list(functional.jacobian(vector, inputs)), None


def _number(tensor: Any) -> float:
    return float(tensor.detach().to("cpu").item())


def _on_time(deadline: float | None, steady: float, done: int, count: int) -> None:
    """Stop past the deadline, or as soon as the points done show that the rest
    cannot fit. The first point pays torch's one-time set-up (milliseconds, a
    hundred points' worth), so the rate is measured from the second on."""
    if deadline is None:
        return
    now = time.monotonic()
    rated = done - 1  # points done since ``steady``
    rest = (now - steady) / rated * (count - done) if rated >= MIN_PREDICTION else 0.0
    if now + rest > deadline:
        more = f"; the rest would take about {rest:.1f} s more" if rest else ""
        raise BudgetError(
            f"autograd did not finish within the time budget ({done:,} of {count:,} "
            f"points done{more})"
        )
