"""Hessians and Jacobians: matrices of derivatives, each entry judged like ``grad``'s.

A Hessian entry is the mixed second partial d/dx_j (df/dx_i), and a Jacobian
entry the partial dF_r/dx_c: derivatives derivcli already knows how to
compute and analyse. So nothing here differentiates or analyses anything
itself. :func:`hessian_report` sends the gradient and every second partial
of the expression to the symbolic worker in one request
(``compare.compute``, the same path as ``grad``), with torch's side computed
by ``torch.autograd.functional.hessian`` (``autograd/matrices.py``);
:func:`jacobian_report` does the same once per expression, with
``torch.autograd.functional.jacobian``, under one shared time budget. Each
entry comes back as a :class:`~derivcli.results.DerivativeResult` with its
closed form, exact value, autograd value, kink and domain analysis and
verdict, and is arranged here into matrices, one per point.

What the matrix says is computed from its true values (the closed forms'
exact values; autograd's only when the closed form was not reached):
symmetry, the determinant (exactly, from those float64 values, rounded
once), the eigenvalues (numpy's ``eigvalsh``) and the classification
(positive/negative definite, semidefinite, indefinite), and with the
gradient's norm whether the point is a local minimum, a local maximum or a
saddle. Nothing is said where an entry is not differentiable. Where the
variables leave some of the expression's out, these hold at the point's
values (``MatrixPoint.held``), and all of it is about f along the chosen
variables only: a partial Hessian says nothing of f as a whole.
"""

from __future__ import annotations

import copy
import itertools
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from derivcli.errors import DerivcliError, ExitCode, LimitError, PointError
from derivcli.results import DerivativeResult, Displayed, Report, values_agree
from derivcli.results import count as plural

if TYPE_CHECKING:
    from derivcli.compare import Computation, Runner
    from derivcli.language.parser import Expression
    from derivcli.language.points import PointSpec
    from derivcli.options import Settings

MAX_VARIABLES = 20  # rows and columns of a Hessian, columns of a Jacobian
MAX_EXPRESSIONS = 20  # rows of a Jacobian
# Every entry at every point is a result with its own JSON object, as a point
# of a grid is: the same limit as --at's points.
MAX_ENTRIES = 100_000
# An eigenvalue this small next to the largest one (in absolute value) is
# taken as 0: eigvalsh's error is a few ulps of the matrix's norm.
EIGENVALUE_RTOL = 1e-12

HESSIAN = "hessian"
JACOBIAN = "jacobian"

# The verdicts of a matrix, the worst first (the one shown for the matrix).
_VERDICT_ORDER = ("not differentiable", "not computed", "DISAGREE", "not compared", "agree")


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class MatrixPoint:
    """A matrix at one point (or checked at sample points), and what it says."""

    point: tuple[tuple[str, float], ...] | None  # None: checked at sample points
    entries: tuple[tuple[DerivativeResult, ...], ...]  # rows of entries
    gradient: tuple[DerivativeResult, ...] = ()  # Hessian only: df/dx_i, one per variable
    symmetric: bool | None = None  # Hessian: H[i][j] agrees with H[j][i]
    determinant: float | None = None  # square matrices
    # the exact determinant where float64 cannot hold it (4e+400 shows as inf,
    # 4e-400 as 0): "4e+400", else None
    determinant_past_float64: str | None = None
    eigenvalues: tuple[float, ...] | None = None  # Hessian, when symmetric
    classification: str | None = None  # "positive definite", ..., "indefinite"
    stationary: bool | None = None  # Hessian: see _stationary
    stationary_point: str | None = None  # "local minimum", "local maximum", "saddle point", ...
    basis: str | None = None  # whose values the properties come from: "symbolic" or "autograd"
    note: str | None = None  # why the properties are missing, or where they come from
    # Hessian: the variables of f that --wrt leaves out, at their values here. The
    # matrix, the gradient and every claim made from them are then about f along
    # the chosen variables with these held, never about f as a whole (-x**2 + y
    # by x at the origin is a maximum along x; f's gradient there is (0, 1))
    held: tuple[tuple[str, float], ...] = ()

    @property
    def results(self) -> tuple[DerivativeResult, ...]:
        """Every entry of the matrix, row by row, then the gradient."""
        return (*(entry for row in self.entries for entry in row), *self.gradient)

    @property
    def verdict(self) -> str:
        """The worst verdict of the matrix's entries and (Hessian) the gradient's."""
        return worst_verdict(self.results)

    @property
    def matrix_verdict(self) -> str:
        """The worst verdict of the matrix's entries alone."""
        return worst_verdict([entry for row in self.entries for entry in row])

    @property
    def gradient_verdict(self) -> str | None:
        """The worst verdict of the gradient's entries (None: no gradient, a Jacobian):
        a Hessian's verdict may come from the gradient alone, whose entries have no
        cell in the matrix's verdict table."""
        return worst_verdict(self.gradient) if self.gradient else None

    @property
    def agree(self) -> bool | None:
        """Every entry (and gradient entry) agrees (True), some disagree or are not
        differentiable (False), or something was not compared (None)."""
        flags = [_clean(r) for r in self.results]
        if any(flag is False for flag in flags):
            return False
        return None if any(flag is None for flag in flags) else True

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode(max((r.exit_code for r in self.results), default=ExitCode.OK))

    @property
    def gradient_values(self) -> tuple[float, ...] | None:
        return _true_values(self.gradient, self.basis)

    @property
    def gradient_norm(self) -> float | None:
        values = self.gradient_values
        return None if values is None else math.hypot(*values)

    # JSON's names for the matrices of the entries' fields, row by row (as Python
    # values: floats, None where there is none; the JSON writes inf and nan as text)

    @property
    def variables(self) -> tuple[str, ...]:
        """The matrix's columns, in order (JSON's "variables"; the report's ``variables``)."""
        return tuple(entry.wrt[-1] for entry in self.entries[0]) if self.entries else ()

    @property
    def symbolic(self) -> tuple[tuple[str | None, ...], ...]:
        """The closed forms (JSON's "symbolic"; None where one was not reached)."""
        return tuple(tuple(e.derivative for e in row) for row in self.entries)

    @property
    def symbolic_values(self) -> tuple[tuple[float | None, ...], ...]:
        """The closed forms' values here (JSON's "symbolic_values")."""
        return tuple(tuple(e.symbolic for e in row) for row in self.entries)

    @property
    def autograd(self) -> tuple[tuple[float | None, ...], ...]:
        """torch's values here (JSON's "autograd")."""
        return tuple(tuple(e.autograd for e in row) for row in self.entries)

    @property
    def abs_diff(self) -> tuple[tuple[float | None, ...], ...]:
        """|symbolic - autograd| per entry (JSON's "abs_diff")."""
        return tuple(tuple(e.abs_diff for e in row) for row in self.entries)

    @property
    def differentiable(self) -> tuple[tuple[bool | None, ...], ...]:
        """Per entry: differentiable here, not (a kink, a pole), or unknown (JSON's
        "differentiable")."""
        return tuple(tuple(e.differentiable for e in row) for row in self.entries)

    @property
    def entry_agree(self) -> tuple[tuple[bool | None, ...], ...]:
        """Per entry: a clean agreement (True), a disagreement or a point that is not
        differentiable (False), or nothing compared (None)."""
        return tuple(tuple(_clean(e) for e in row) for row in self.entries)


@dataclass(frozen=True)
class MatrixReport(Displayed):
    """Everything one ``hessian`` or ``jacobian`` command computed."""

    kind: str  # "hessian" or "jacobian"
    expressions: tuple[str, ...]  # as understood
    sources: tuple[str, ...]  # as typed
    variables: tuple[str, ...]  # the matrix's columns (and a Hessian's rows), in order
    device: str
    dtype: str
    rtol: float
    atol: float
    method: str  # the torch function that computed autograd's matrix
    points: tuple[MatrixPoint, ...]
    note: str | None = None  # about the whole run, e.g. a budget that ran out

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode(max((p.exit_code for p in self.points), default=ExitCode.OK))

    @property
    def ok(self) -> bool:
        """Every entry computed and agreeing (the CLI's exit code 0)."""
        return self.exit_code == ExitCode.OK

    @property
    def symbolic(self) -> tuple[tuple[str | None, ...], ...]:
        """The matrix of closed forms (the same at every point)."""
        return self.points[0].symbolic

    # JSON's names for the fields above

    @property
    def command(self) -> str:
        """ "hessian" or "jacobian" (JSON's "command"; as ``kind``)."""
        return self.kind

    @property
    def inputs(self) -> tuple[str, ...]:
        """The expressions as typed (JSON's "inputs"; as ``sources``)."""
        return self.sources

    @property
    def autograd_method(self) -> str:
        """The torch function that computed autograd's matrix (JSON's
        "autograd_method"; as ``method``)."""
        return self.method

    def to_dict(self) -> dict[str, Any]:
        """What --format json prints (the documented contract)."""
        from derivcli.render_matrices import report_json

        return report_json(self)

    def json_pieces(self) -> Iterator[str]:
        from derivcli.render_matrices import iter_json

        return iter_json(self)

    def plain(self) -> str:
        from derivcli.render_matrices import render_plain

        return render_plain(self)

    def rich(self) -> Any:
        from derivcli.render_matrices import build_renderable

        return build_renderable(self)


def worst_verdict(results: Sequence[DerivativeResult]) -> str:
    """The first of _VERDICT_ORDER among the results' verdicts ("agree" for none)."""
    found = {result.verdict for result in results}
    return next((v for v in _VERDICT_ORDER if v in found), "agree")


def _clean(result: DerivativeResult) -> bool | None:
    if result.differentiable is False:
        return False
    return None if not result.computable else result.agree


# ---------------------------------------------------------------- input


def matrix_variables(variables: Sequence[str], wrt: Sequence[str] | None) -> tuple[str, ...]:
    """The matrix's variables: ``wrt`` in its order, else every variable (sorted)."""
    from derivcli.language.points import parse_wrt

    if wrt is None:
        chosen = list(variables)
    else:
        chosen = parse_wrt(wrt, variables)
        if not chosen:
            raise PointError("--wrt: name the variables of the matrix")
        twice = sorted({name for name in chosen if chosen.count(name) > 1})
        if twice:
            raise PointError(
                f"--wrt {twice[0]}: '{twice[0]}' is given twice (each variable is one row "
                "and column of the matrix)"
            )
    if len(chosen) > MAX_VARIABLES:
        hint = "" if wrt is not None else " (choose some with --wrt)"
        raise LimitError(
            f"{len(chosen)} variables: a matrix has at most {MAX_VARIABLES} of them{hint}"
        )
    return tuple(chosen)


def check_entries(points: int, rows: int, columns: int, kind: str) -> None:
    """Refuse more entries in all (points x rows x columns) than MAX_ENTRIES."""
    entries = points * rows * columns
    if entries > MAX_ENTRIES:
        name = "Hessian" if kind == HESSIAN else "Jacobian"
        raise LimitError(
            f"--at: {plural(points, 'point')} of a {rows}x{columns} {name} are {entries:,} "
            f"entries; the limit is {MAX_ENTRIES:,} (use fewer points or variables)"
        )


def in_expression(error: DerivcliError, number: int, total: int, source: str) -> DerivcliError:
    """The same error, saying which expression of several it is about; an error
    about the machine (--device cuda without a GPU) is about none of them."""
    from derivcli.errors import DeviceError

    if total == 1 or isinstance(error, DeviceError):
        return error
    shown = source if len(source) <= 40 else source[:37] + "..."
    named = copy.copy(error)
    named.message = f"expression {number} of {total} ('{shown}'): {error.message}"
    named.args = (named.message,)
    return named


# ---------------------------------------------------------------- computing


def hessian_report(
    expression: Expression,
    variables: Sequence[str],
    points: PointSpec | None,
    settings: Settings,
    runner: Runner | None = None,
) -> MatrixReport:
    """The Hessian of ``expression`` by ``variables``, both ways, at ``points``
    (at sample points when None): the gradient and every second partial in one
    symbolic request, torch's side from torch.autograd.functional.hessian."""
    return begin_hessian_report(expression, variables, points, settings, runner).finish()


def begin_hessian_report(
    expression: Expression,
    variables: Sequence[str],
    points: PointSpec | None,
    settings: Settings,
    runner: Runner | None = None,
) -> HessianUnderWay:
    """The first half of :func:`hessian_report` (see ``compare.begin``)."""
    from derivcli.autograd.matrices import TorchMatrices
    from derivcli.compare import begin

    names = tuple(variables)
    gradient: list[tuple[str, ...]] = [(a,) for a in names]
    second: list[tuple[str, ...]] = [(a, b) for a in names for b in names]
    torch_side = TorchMatrices([expression.tree], names, hessian=True)
    computation = begin(
        expression, gradient + second, points, settings, runner, engine=torch_side.engine(0)
    )
    return HessianUnderWay(computation, names, settings, torch_side.method)


@dataclass(frozen=True)
class HessianUnderWay:
    """A Hessian whose symbolic request is with the worker; finish() does the rest."""

    computation: Computation
    names: tuple[str, ...]
    settings: Settings
    method: str

    def finish(self) -> MatrixReport:
        report = self.computation.finish()
        names, settings = self.names, self.settings
        n = len(names)
        count = len(report.results) // (n + n * n)

        def result(k: int, i: int) -> DerivativeResult:
            return report.results[k * count + i]

        matrices = []
        for i in range(count):
            entries = tuple(tuple(result(n + a * n + b, i) for b in range(n)) for a in range(n))
            grad = tuple(result(a, i) for a in range(n))
            matrices.append(_hessian_point(entries, grad, settings.tolerances))
        rtol, atol = settings.tolerances
        return MatrixReport(
            kind=HESSIAN,
            expressions=(report.expression,),
            sources=(report.source,),
            variables=names,
            device=settings.device,
            dtype=settings.dtype,
            rtol=rtol,
            atol=atol,
            method=self.method,
            points=tuple(matrices),
            note=report.note,
        )


def jacobian_report(
    expressions: Sequence[Expression],
    variables: Sequence[str],
    points: PointSpec | None,
    settings: Settings,
    runner: Runner | None = None,
) -> MatrixReport:
    """The Jacobian of the vector function ``expressions`` by ``variables``.

    Each expression is one symbolic request for its partials (its row), on
    one worker, within one time budget for them all; torch's matrix comes from
    one torch.autograd.functional.jacobian call per point. Every expression
    must have every variable of the others among its ``variables``, so that
    all rows are computed at the same points.
    """
    from derivcli.autograd.matrices import TorchMatrices
    from derivcli.autograd.values import held_grids
    from derivcli.compare import compute, new_runner
    from derivcli.explain import held
    from derivcli.language.points import held_numbers

    names = tuple(variables)
    torch_side = TorchMatrices([e.tree for e in expressions], names, hessian=False)
    # the float32 note once for all rows (each row's has it)
    shared = (
        []
        if points is None
        else held(
            held_numbers(points, settings.dtype),
            settings.dtype,
            held_grids(points, settings.dtype),
        )
    )
    own = runner is None
    worker = new_runner() if runner is None else runner
    deadline = time.monotonic() + settings.budget
    reports: list[Report] = []
    try:
        for r, expression in enumerate(expressions):
            # what the rows before left of the budget (a dead worker answers at once)
            left = max(deadline - time.monotonic(), MIN_ROW_BUDGET)
            try:
                reports.append(
                    compute(
                        expression,
                        [(name,) for name in names],
                        points,
                        replace(settings, budget=left),
                        worker,
                        engine=torch_side.engine(r),
                    )
                )
            except DerivcliError as exc:
                raise in_expression(exc, r + 1, len(expressions), expression.source) from None
    finally:
        if own:
            worker.stop()
    count = len(reports[0].results) // len(names)
    matrices = []
    for i in range(count):
        entries = tuple(
            tuple(report.results[c * count + i] for c in range(len(names))) for report in reports
        )
        matrices.append(_jacobian_point(entries))
    rtol, atol = settings.tolerances
    return MatrixReport(
        kind=JACOBIAN,
        expressions=tuple(report.expression for report in reports),
        sources=tuple(report.source for report in reports),
        variables=names,
        device=settings.device,
        dtype=settings.dtype,
        rtol=rtol,
        atol=atol,
        method=torch_side.method,
        points=tuple(matrices),
        note=_rows_note([report.note for report in reports], shared),
    )


def _rows_note(notes: Sequence[str | None], shared: Sequence[str] = ()) -> str | None:
    """The rows' notes as one, each after its expression number, and the notes in
    ``shared`` (the float32 note, which compare puts last in every row's) once,
    first: the whole note, never a part of one (a note may hold '; ' itself)."""
    own: list[str] = []
    for r, note in enumerate(notes):
        for common in shared:
            if note == common:
                note = None
            elif note is not None and note.endswith(f"; {common}"):
                note = note[: -len(common) - 2]
        if note:
            own.append(f"expression {r + 1}: {note}" if len(notes) > 1 else note)
    return "; ".join([*shared, *own]) or None


# Each Jacobian row gets at least this much time for its closed forms, so
# that a row after a slow one still reports why it has none (exit 3).
MIN_ROW_BUDGET = 0.05


# ---------------------------------------------------------------- what the matrix says


def _basis(results: Sequence[DerivativeResult]) -> tuple[str | None, str | None]:
    """Whose values give the true matrix ("symbolic" or "autograd"), or None and why."""
    if not results or results[0].point is None:
        return None, None
    if any(r.differentiable is False for r in results):
        return None, "not every entry is differentiable here, so there is no matrix to describe"
    if all(r.symbolic is not None for r in results):
        return "symbolic", None
    if all(r.symbolic is None and r.autograd is not None for r in results):
        return "autograd", "the closed form was not reached: described from autograd's values"
    return None, NO_VALUE


NO_VALUE = "some entries have no finite value here (see their notes)"


def _true_values(
    results: Sequence[DerivativeResult], basis: str | None
) -> tuple[float, ...] | None:
    if basis is None or not results:
        return None
    values = tuple(r.symbolic if basis == "symbolic" else r.autograd for r in results)
    if any(v is None or not math.isfinite(v) for v in values):
        return None
    return tuple(float(v) for v in values if v is not None)


def _matrix(
    entries: tuple[tuple[DerivativeResult, ...], ...], basis: str | None
) -> list[list[float]] | None:
    rows = [_true_values(row, basis) for row in entries]
    if any(row is None for row in rows):
        return None
    return [list(row) for row in rows if row is not None]


def determinants(matrix: Sequence[Sequence[float]]) -> tuple[float, str | None]:
    """The determinant of a square matrix of floats, exactly (Fractions), rounded
    once; and, where float64 rounds it to inf or to 0, the exact value in 3 digits
    (the Hessian of 1e200*(x**2 + y**2) has determinant 4e+400), else None."""
    det = determinant_exact([[Fraction(v) for v in row] for row in matrix])
    try:
        shown = float(det)
    except OverflowError:
        shown = math.inf if det > 0 else -math.inf
    if det == 0 or (math.isfinite(shown) and shown != 0):
        return shown, None
    import gmpy2

    with gmpy2.context(gmpy2.get_context(), precision=64, emax=2**30, emin=-(2**30)):
        exact = gmpy2.mpfr(det.numerator) / gmpy2.mpfr(det.denominator)
        return shown, format(exact, ".3g")


def determinant(matrix: Sequence[Sequence[float]]) -> float:
    """The determinant of a square matrix of floats, exactly (Fractions), rounded once."""
    return determinants(matrix)[0]


def determinant_exact(matrix: Sequence[Sequence[Fraction]]) -> Fraction:
    """The determinant of a square matrix of fractions, exactly."""
    rows = [list(row) for row in matrix]
    n = len(rows)
    det = Fraction(1)
    for col in range(n):
        pivot = next((r for r in range(col, n) if rows[r][col] != 0), None)
        if pivot is None:
            return Fraction(0)
        if pivot != col:
            rows[col], rows[pivot] = rows[pivot], rows[col]
            det = -det
        det *= rows[col][col]
        for r in range(col + 1, n):
            factor = rows[r][col] / rows[col][col]
            if factor:
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return det


def _leading_minors(rows: list[list[Fraction]]) -> list[Fraction]:
    """The leading principal minors of a square matrix of fractions, exactly: the
    products of the pivots of one elimination without row swaps, or each minor
    on its own where a pivot is 0."""
    n = len(rows)
    work = [list(row) for row in rows]
    minors: list[Fraction] = []
    product = Fraction(1)
    for col in range(n):
        pivot = work[col][col]
        if pivot == 0:
            return [determinant_exact([row[:k] for row in rows[:k]]) for k in range(1, n + 1)]
        product *= pivot
        minors.append(product)
        for r in range(col + 1, n):
            factor = work[r][col] / pivot
            if factor:
                work[r] = [a - factor * b for a, b in zip(work[r], work[col], strict=True)]
    return minors


def _rounding_of_minor(
    matrix: Sequence[Sequence[float]], k: int, rows: Sequence[int] | None = None
) -> Fraction:
    """How far the k-th leading minor may move with each entry's rounding (the
    entries are exact values rounded once to float64): a relative change of 2**-52
    in each entry moves each of the determinant's products by k times that, so
    the minor by k*2**-52 times the permanent of the entries' sizes (a factor of 8
    to spare). Up to 6 rows the permanent itself (720 products at most: [[2,
    1e-100], [1e-100, 0]] is -1e-200 give or take 1e-215); past that a bound on
    it, the product of the rows' sums of sizes. In exact fractions: in float64
    the products of entries of 1e-250 underflowed to 0, so rounding counted
    as a nonzero minor, and of 1e200 overflowed to inf. ``rows``: the principal
    minor of those rows and columns instead of the k-th leading one."""
    # an entry's rounding is 2**-52 of it, or 2**-1074 where float64 has no
    # more bits (a subnormal): a nonzero entry counts as at least 2**-1022
    # (rank-1 matrices of 1e-311 read as saddles). A 0 is taken as exact (the
    # closed form's 0: y**2 + 1e-200*x*y's first entry), not as a value below
    # 2**-1075 rounded to 0
    floor = Fraction(1, 2**1022)
    chosen = range(k) if rows is None else rows
    sizes = [
        [max(abs(Fraction(matrix[a][b])), floor) if matrix[a][b] else Fraction(0) for b in chosen]
        for a in chosen
    ]
    epsilon = Fraction(1, 2**52)
    if k <= 6:
        permanent = sum(
            (
                math.prod(sizes[i][j] for i, j in enumerate(order))
                for order in itertools.permutations(range(k))
            ),
            Fraction(0),
        )
        # To first order the minor moves by sum e_ij*C_ij (C its cofactors, e
        # the entries' rounding, at most epsilon of their sizes); the rest of
        # each product's change is at most (k*epsilon)**2 of it. Far tighter
        # than k*epsilon times the permanent where the minor cancels: a 4x4
        # Hessian of entries near 50 with an eigenvalue of -1e-13 has
        # determinant -2e-11, first-order rounding 1e-13, and a permanent's
        # bound of 1e-6 ("semidefinite")
        part = [[_symmetric_entry(matrix, a, b) for b in chosen] for a in chosen]
        first = sum(
            (
                sizes_sym * abs(_cofactor(part, i, j))
                for i, row in enumerate(_symmetric_sizes(sizes))
                for j, sizes_sym in enumerate(row)
                if sizes_sym
            ),
            Fraction(0),
        )
        return 2 * (epsilon * first + (k * epsilon) ** 2 * permanent)
    bound = math.prod((sum(row, Fraction(0)) for row in sizes), start=Fraction(1))
    return 8 * k * epsilon * bound


def _symmetric_entry(matrix: Sequence[Sequence[float]], a: int, b: int) -> Fraction:
    return (Fraction(matrix[a][b]) + Fraction(matrix[b][a])) / 2


def _symmetric_sizes(sizes: Sequence[Sequence[Fraction]]) -> list[list[Fraction]]:
    """The larger of each entry's size and its mirror's: the symmetric part's
    entry rounds by at most epsilon of that."""
    n = len(sizes)
    return [[max(sizes[a][b], sizes[b][a]) for b in range(n)] for a in range(n)]


def _cofactor(rows: Sequence[Sequence[Fraction]], i: int, j: int) -> Fraction:
    minor = [[v for c, v in enumerate(row) if c != j] for r, row in enumerate(rows) if r != i]
    sign = -1 if (i + j) % 2 else 1
    return sign * determinant_exact(minor) if minor else Fraction(sign)


def classify_matrix(matrix: Sequence[Sequence[float]], eigenvalues: Sequence[float]) -> str:
    """The definiteness of a symmetric matrix of floats (its symmetric part), each
    entry an exact value rounded once. Exactly where the entries decide it
    whatever their rounding: two diagonal entries of opposite signs, or a 2x2
    principal minor clearly below 0, make it indefinite (x*y*1e-8 + y**2/2 +
    z**2/2 at 0: the first entry is 0, the minor with the second is -1e-16);
    leading principal minors all clearly away from 0 give Sylvester's criterion.
    Otherwise by the eigenvalues, each taken as 0 unless it is further from it
    than the entries' rounding and the eigensolver's can move it (Weyl's
    inequality); where the determinant is clearly not 0, no eigenvalue is, and
    its sign names that of a single one too small to tell."""
    n = len(matrix)
    sym = _symmetric_part(matrix)
    diagonal = {(d > 0) - (d < 0) for d in (sym[i][i] for i in range(n))}
    if {1, -1} <= diagonal:
        return "indefinite"
    for i, j in itertools.combinations(range(n), 2):
        minor = sym[i][i] * sym[j][j] - sym[i][j] * sym[j][i]
        if minor < 0 and -minor > _rounding_of_minor(matrix, 2, (i, j)):
            return "indefinite"
    minors = _leading_minors(sym)
    unsure = [abs(d) <= _rounding_of_minor(matrix, k) for k, d in enumerate(minors, start=1)]
    if minors and not any(unsure):
        if all(d > 0 for d in minors):
            return "positive definite"
        if all((d > 0) == (k % 2 == 0) for k, d in enumerate(minors, start=1)):
            return "negative definite"
        return "indefinite"
    tolerance = _eigenvalue_rounding(sym)
    if not minors or unsure[-1]:
        # the determinant within the entries' own rounding of 0: singular as far
        # as these floats tell (sqrt(x**2 + y**2)'s Hessian at (3, 4) has
        # determinant 0, its float64 entries -8.9e-19)
        return classify(eigenvalues, tolerance=tolerance)
    # nonsingular, but a leading minor is unsure (0 in y**2 + 1e-6*x*y, whose
    # first entry is 0): with an even number of rows a negative determinant is
    # indefinite whatever the eigenvalues show (both definite kinds have a
    # positive one)
    if n % 2 == 0 and minors[-1] < 0:
        return "indefinite"
    return classify(eigenvalues, tolerance=tolerance, determinant=minors[-1])


def _eigenvalue_rounding(sym: Sequence[Sequence[Fraction]]) -> float:
    """How far an eigenvalue computed from these entries may be from the exact
    matrix's: the Frobenius norm of the entries' rounding (2**-52 of each, at
    least 2**-1074 where nonzero; Weyl: no eigenvalue moves further than the
    perturbation's norm), plus the eigensolver's own, 8n*2**-52 of the matrix's
    norm (eigvalsh is backward stable; mpmath's eigsy is finer)."""
    n = len(sym)
    sizes = [abs(v) for row in sym for v in row]
    top = max(sizes, default=Fraction(0))
    if not top:
        return 0.0
    # relative to the largest entry, so nothing overflows or underflows on the way
    relative = [float(v / top) for v in sizes]
    floor = Fraction(1, 2**1074) / top
    rounding = math.sqrt(
        sum(max(r, float(floor)) ** 2 for r, v in zip(relative, sizes, strict=True) if v)
    )
    norm = math.sqrt(sum(r * r for r in relative))
    return float(top) * 2.0**-52 * (rounding + 8 * n * norm)


# Entries within these sizes (and no further apart than 2**EIGEN_SPREAD_BITS)
# go to numpy's eigvalsh; others to mpmath's eigsy at enough bits.
EIGEN_SAFE = (1e-150, 1e150)
EIGEN_SPREAD_BITS = 100


def _symmetric_part(matrix: Sequence[Sequence[float]]) -> list[list[Fraction]]:
    """(M + M^T)/2 of the float entries, exactly."""
    n = len(matrix)
    return [
        [(Fraction(matrix[a][b]) + Fraction(matrix[b][a])) / 2 for b in range(n)] for a in range(n)
    ]


def symmetric_eigenvalues(matrix: Sequence[Sequence[float]]) -> tuple[float, ...]:
    """The eigenvalues of the matrix's symmetric part, ascending. numpy's eigvalsh
    squares entries on the way: of 1e-200 they underflow (a rank-1 matrix of
    2e-100 and 2e-300 got 2e-300 for its 0 eigenvalue), of 1e200 they overflow,
    and entries far apart lose the small ones (1e200 beside 2e-200). Such
    matrices go to mpmath's eigsy, with bits for the entries' spread."""
    import numpy as np

    n = len(matrix)
    sym = _symmetric_part(matrix)
    sizes = [abs(v) for row in sym for v in row if v]
    if not sizes:
        return (0.0,) * n
    low, high = min(sizes), max(sizes)
    spread = high.numerator.bit_length() - high.denominator.bit_length()
    spread -= low.numerator.bit_length() - low.denominator.bit_length()
    if EIGEN_SAFE[0] <= low and high <= EIGEN_SAFE[1] and spread <= EIGEN_SPREAD_BITS:
        array = np.array([[float(v) for v in row] for row in sym], dtype=np.float64)
        return tuple(float(v) + 0.0 for v in np.linalg.eigvalsh(array))
    import mpmath

    with mpmath.workprec(min(8192, 128 + 2 * spread)):
        rows = [[mpmath.mpf(v.numerator) / v.denominator for v in row] for row in sym]
        values = mpmath.eigsy(mpmath.matrix(rows), eigvals_only=True)
        return tuple(sorted(float(v) + 0.0 for v in values))


def classify(
    eigenvalues: Sequence[float],
    *,
    tolerance: float | None = None,
    determinant: Fraction | None = None,
) -> str:
    """What the eigenvalues of a symmetric matrix say about its definiteness: an
    eigenvalue within ``tolerance`` of 0 (by default EIGENVALUE_RTOL of the
    largest) counts as 0. With a nonzero exact ``determinant`` none is 0: a
    single one within the tolerance has the sign the determinant gives it, and
    several have the signs computed."""
    scale = max((abs(v) for v in eigenvalues), default=0.0)
    tol = EIGENVALUE_RTOL * scale if tolerance is None else tolerance
    signs = [(v > tol) - (v < -tol) for v in eigenvalues]
    if determinant:
        unsure = [i for i, s in enumerate(signs) if not s]
        if len(unsure) == 1:
            negative_sure = sum(s < 0 for s in signs)
            (i,) = unsure
            signs[i] = (1 if determinant > 0 else -1) * (-1) ** negative_sure
        else:
            signs = [s or (v > 0) - (v < 0) for s, v in zip(signs, eigenvalues, strict=True)]
    positive = signs.count(1)
    negative = signs.count(-1)
    if positive and negative:
        return "indefinite"
    if positive == len(eigenvalues):
        return "positive definite"
    if negative == len(eigenvalues):
        return "negative definite"
    if positive:
        return "positive semidefinite"
    if negative:
        return "negative semidefinite"
    return "zero"


# What a stationary point is, by the Hessian's classification (the second-derivative test).
STATIONARY = {
    "positive definite": "local minimum",
    "negative definite": "local maximum",
    "indefinite": "saddle point",
}
INCONCLUSIVE = "inconclusive"  # semidefinite: the second-derivative test cannot tell
# not symmetric: f is not twice differentiable there, and the test does not apply
NOT_APPLICABLE = "not applicable"


def _hessian_point(
    entries: tuple[tuple[DerivativeResult, ...], ...],
    gradient: tuple[DerivativeResult, ...],
    tolerances: tuple[float, float],
) -> MatrixPoint:
    import numpy as np

    point = entries[0][0].point
    flat = [e for row in entries for e in row]
    basis, why = _basis([*flat, *gradient])
    matrix = _matrix(entries, basis)
    held = held_variables(point, [g.wrt[0] for g in gradient])
    if matrix is None:
        return MatrixPoint(
            point,
            entries,
            gradient,
            note=why or (None if point is None else NO_VALUE),
            held=held,
        )
    rtol, atol = tolerances
    n = len(matrix)
    symmetric = all(
        values_agree(matrix[a][b], matrix[b][a], rtol, atol)
        for a in range(n)
        for b in range(a + 1, n)
    )
    eigenvalues = None
    classification = "not symmetric"
    if symmetric:
        eigenvalues = symmetric_eigenvalues(matrix)
        classification = classify_matrix(matrix, eigenvalues)
    det, past_float64 = determinants(matrix)
    found = MatrixPoint(
        point,
        entries,
        gradient,
        symmetric=symmetric,
        determinant=det,
        determinant_past_float64=past_float64,
        eigenvalues=eigenvalues,
        classification=classification,
        basis=basis,
        note=why,
        held=held,
    )
    gradient_values = found.gradient_values
    if gradient_values is None or point is None:
        return found
    coordinates = dict(point)
    at = [coordinates[g.wrt[0]] for g in gradient]
    if not _stationary(np, matrix, gradient_values, at, rtol, atol):
        return replace(found, stationary=False)
    named = STATIONARY.get(classification, INCONCLUSIVE) if symmetric else NOT_APPLICABLE
    return replace(found, stationary=True, stationary_point=named)


def held_variables(
    point: tuple[tuple[str, float], ...] | None, chosen: Sequence[str]
) -> tuple[tuple[str, float], ...]:
    """The point's coordinates that are not among the ``chosen`` variables (those
    --wrt leaves out), in the point's order; none without a point."""
    if point is None:
        return ()
    return tuple((name, value) for name, value in point if name not in chosen)


def _stationary(
    np: Any,
    matrix: list[list[float]],
    gradient: Sequence[float],
    point: Sequence[float],
    rtol: float,
    atol: float,
) -> bool:
    """Whether the point is a stationary point, to the tolerance: the gradient is
    0, or the stationary point the Hessian predicts (one Newton step, H d = g)
    lies within rtol*|x_i| + atol of it in every coordinate.

    A small gradient alone says nothing: x**3 + y**2 at x = 1e-6 has gradient
    (3e-12, 0), but its stationary point is at 0, half the point away; and
    1e-6*(x**2 + y**2) + 1e-11*x at the origin has its minimum at x = -5e-6.
    Where the Hessian is singular a nonzero gradient is not stationary.
    """
    g = np.array(gradient, dtype=np.float64)
    if not g.any():
        return True
    try:
        step = np.linalg.solve(np.array(matrix, dtype=np.float64), g)
    except np.linalg.LinAlgError:  # singular
        return False
    x = np.abs(np.array(point, dtype=np.float64))
    return bool(np.all(np.isfinite(step)) and np.all(np.abs(step) <= rtol * x + atol))


def _jacobian_point(entries: tuple[tuple[DerivativeResult, ...], ...]) -> MatrixPoint:
    point = entries[0][0].point
    basis, why = _basis([e for row in entries for e in row])
    matrix = _matrix(entries, basis)
    square = len(entries) == len(entries[0])
    if matrix is None:
        return MatrixPoint(point, entries, note=why or (None if point is None else NO_VALUE))
    if not square:
        return MatrixPoint(point, entries, basis=basis, note=why)
    det, past_float64 = determinants(matrix)
    return MatrixPoint(
        point,
        entries,
        determinant=det,
        determinant_past_float64=past_float64,
        basis=basis,
        note=why,
    )
