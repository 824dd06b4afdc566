"""What to say about a result: the notes that explain a special point.

Each function here turns the analysis of a point (``symbolic/analysis.py``)
and the two engines' values into one or two sentences: why the point is
special, what the derivative is (or why there is none), and which engine to
believe. The conventions each engine follows at a kink come from the
function table, so a new kinked function is explained by its table entry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from derivcli.language.functions import function
from derivcli.results import Sample, format_number
from derivcli.results import count as count_of

if TYPE_CHECKING:
    from derivcli.language.points import HeldGrid
    from derivcli.symbolic.analysis import PointAnalysis

SOFTPLUS_NOTE = (
    "torch's softplus returns its input unchanged where beta*input is above its threshold "
    "(20 unless given), so autograd's derivatives there are exactly those of the input "
    "(slope 1, curvature 0; the curvature is 0 at the threshold itself too), while the "
    "closed form's are those of log(1 + exp(beta*input))/beta"
)

TORCH_KINK_NOTE = (
    "torch computes the argument of a kinked function (relu, abs, max, ...) as exactly 0 "
    "here, so for autograd this point is a kink and it returns its convention there; the "
    "closed form, evaluated exactly, sees a point just beside the kink"
)

RANGES = {"float64": "1.8e308", "float32": "3.4e38"}


def missing(closed_form: bool, autograd_reason: str = "") -> str:
    """Why a result has only one side: a budget ran out, or torch has no formula."""
    if closed_form:
        return "the closed form was not reached within the time budget (--timeout)"
    return autograd_reason or "autograd did not finish within its time or memory budget"


def _fmt(value: float | None) -> str:
    return "undefined" if value is None else format_number(value)


def _where(var: str, point: Mapping[str, float]) -> str:
    return f"{var}={format_number(point[var])}"


def _point_words(point: Mapping[str, float]) -> str:
    return ", ".join(f"{name}={format_number(value)}" for name, value in point.items())


@dataclass(frozen=True)
class Passing:
    """f within the dtype's range where only a part of it passes the range on the
    way (atan(exp(x)) at x = 800: exp(x) is 2.7e347, f is pi/2)."""

    value: float  # f, evaluated exactly and rounded once
    # whether torch's forward value is f's all the same (atan(inf) = pi/2 is;
    # sqrt(x**2 + y**2) at x = 1e200 gives inf, not 1e200)
    forward_right: bool


def regular(
    sym: float,
    auto: float,
    agree: bool,
    dtype: str,
    overflow: str | None,
    forward: float | None,
    expression: str,
    passing: Passing | None = None,
) -> str | None:
    """A note for a regular point, where the closed form's value is the derivative
    (``passing``: f is within range, only the part ``overflow`` names is not)."""
    if overflow is not None and not agree:
        hint = (
            " (softplus(x) is the form of log(1 + exp(x)) that does not overflow)"
            if "log(1 + exp(" in expression
            else ""
        )
        return (
            f"autograd's forward pass overflows {dtype} here: {overflow}, beyond {dtype}'s "
            f"range (about {RANGES[dtype]}), so torch computes inf and its gradient is "
            f"{format_number(auto)}; the derivative is {format_number(sym)} (the closed form, "
            f"evaluated exactly){hint}"
        )
    if overflow is not None and passing is not None:
        forward_text = (
            f"; autograd's forward value is still f's, {_fmt(forward)}"
            if passing.forward_right
            else f", so autograd's forward value is {_fmt(forward)}, not f"
        )
        return (
            f"f is within {dtype}'s range here (f is {format_number(passing.value)}), but a "
            f"part of it passes the range on the way ({overflow}), which {dtype} cannot "
            f"hold{forward_text}; the derivative is within range and both sides agree"
        )
    if overflow is not None:
        return (
            f"f itself is beyond {dtype}'s range here ({overflow}), so autograd's forward "
            f"value is {_fmt(forward)}; the derivative is within range and both sides agree"
        )
    if not agree and forward is not None and not math.isfinite(forward):
        return (
            f"autograd's forward pass gives {format_number(forward)} here: in {dtype} this "
            "point falls on a pole or outside the domain (a rounded argument is exactly 0 "
            "or negative), while exactly at this point the function is finite and its "
            f"derivative is {format_number(sym)}"
        )
    if not agree and not math.isfinite(auto):
        return (
            f"autograd gives {format_number(auto)} here, but the derivative is "
            f"{format_number(sym)} (the closed form, evaluated exactly)"
        )
    return None


def lost_accuracy(sym: float, auto: float, dtype: str) -> str:
    """A disagreement at a regular point that nothing else explains."""
    return (
        f"the derivative is {format_number(sym)} (the closed form, evaluated exactly at "
        f"this {dtype} point and rounded once); autograd's {format_number(auto)} is "
        f"torch's {dtype} arithmetic, which lost accuracy here, most often by "
        "cancellation (a difference of nearly equal values, such as 1 - cos(x) near 0)"
    )


def overflow(dtype: str, shown: float | None = None) -> str:
    """The derivative is finite but past the dtype's range (``shown``: its float64
    value, where that is finite: float32's range is the narrower)."""
    if shown is not None and math.isfinite(shown):
        return (
            f"the derivative is beyond {dtype}'s range (about {RANGES[dtype]}), so autograd "
            f"cannot give it in {dtype}; the symbolic value is the exact one, rounded to "
            "float64"
        )
    return (
        f"the derivative is beyond {dtype}'s range (about {RANGES[dtype]}), so neither side "
        "can give it as a number here; the closed form itself is exact"
    )


def _conventions(kinks: Sequence[str], *, torch: bool = True, order: int = 1) -> str:
    """Each engine's convention at these kinks, from the table, in parentheses after
    a space ("" where the table names none), torch's for a derivative of ``order``."""
    specs = [function(name) for name in kinks]
    text = "; ".join(
        [spec.torch_convention_for(order) for spec in specs if spec.torch_convention and torch]
        + [
            f"the closed form uses {spec.closed_form_convention}"
            for spec in specs
            if spec.closed_form_convention
        ]
    )
    return f" ({text})" if text else ""


def differentiable(
    special: PointAnalysis,
    closed: float,
    auto: float,
    sym_ok: bool,
    auto_ok: bool,
    var: str,
    point: Mapping[str, float],
    *,
    closed_undefined: bool = False,
) -> str:
    """A special point where the derivative exists: a smooth kink or a removable 0/0
    (``closed_undefined``: the closed form has no value there). The derivative
    (the sides' limit) is the symbolic value shown; ``closed`` is the closed
    form's own value there, ``sym_ok`` whether that is the derivative too."""
    true = special.value
    assert true is not None
    kinks = ", ".join(special.kinks)
    if closed_undefined:
        at_kink = f", at the kink of {kinks}" if kinks else ""
        text = (
            f"the closed form has no value at {_point_words(point)} (an indeterminate form "
            f"such as 0/0 or 0*log(0){at_kink}), but the derivative exists: both one-sided "
            f"derivatives along {var} are {format_number(true)}, shown as the symbolic value"
        )
        if not auto_ok:
            text += f"; autograd gives {format_number(auto)}"
        return text
    if sym_ok and auto_ok:
        if not kinks:  # f flat all around, its own quotients failing beside the point
            return (
                f"the left and right derivatives along {var} meet at {_point_words(point)} "
                f"(both {format_number(true)}), so the function is differentiable here"
            )
        return (
            f"{kinks} has its kink at {_point_words(point)}, but the left and right "
            "derivatives meet, so the function is differentiable here"
        )
    wrong = [
        f"{name} ({format_number(value)})"
        for name, value, ok in (
            ("the closed form as written", closed, sym_ok),
            ("autograd", auto, auto_ok),
        )
        if not ok
    ]
    return (
        f"the derivative at {_point_words(point)} is {format_number(true)} (the left and "
        f"right derivatives meet there; shown as the symbolic value), but "
        f"{' and '.join(wrong)} {'give' if len(wrong) > 1 else 'gives'} another value: the "
        f"kink of {kinks} is evaluated by convention (sign(0) = 0, heaviside(0) = 1/2, "
        "torch's subgradients)"
    )


def _one_sided(value: float, special: PointAnalysis) -> bool:
    """Whether ``value`` is the left or the right derivative at a special point."""
    return any(
        side is not None
        and math.isfinite(side)
        and math.isclose(value, side, rel_tol=1e-9, abs_tol=1e-15)
        for side in (special.left, special.right)
    )


def out_of_range(special: PointAnalysis) -> str:
    """A point where some value on the way is past the range of MPFR itself, or
    cancels past the precision derivcli evaluates with."""
    detail = special.detail or ""
    if detail.endswith("number format"):
        detail += " (past about 2**(2**30))"
    return (
        f"derivcli cannot judge this point: {detail}, so the exact evaluation has no value for it"
    )


def undecided(special: PointAnalysis, var: str, point: Mapping[str, float]) -> str:
    """A point where a one-sided derivative did not settle."""
    from derivcli.symbolic.analysis import MAX_PROBE_EXPONENT

    if special.detail:
        return (
            f"derivcli cannot decide whether the derivative exists at {_point_words(point)}: "
            f"{special.detail}"
        )
    return (
        f"derivcli cannot decide whether the derivative exists at {_point_words(point)}: "
        f"the one-sided difference quotients along {var} still change at steps of "
        f"2**-{MAX_PROBE_EXPONENT} (left derivative {_fmt(special.left)}, right "
        f"{_fmt(special.right)}): they oscillate, or converge too slowly to tell"
    )


def not_differentiable(
    special: PointAnalysis,
    sym: float,
    auto: float,
    var: str,
    point: Mapping[str, float],
    torch_on_kink: bool | None = None,
    order: int = 1,
) -> str:
    """One or two sentences on why there is no derivative, and which engine to believe
    (``order``: the derivative's, for torch's conventions at a kink)."""
    from derivcli.symbolic.analysis import Reason

    where = _where(var, point)
    sides = f"left derivative {_fmt(special.left)}, right {_fmt(special.right)}"
    reason = special.reason
    if reason in (Reason.KINK, Reason.CORNER) and special.detail:
        sides += f" ({special.detail})"
    if reason is Reason.POLE:
        return f"the function is undefined at {_point_words(point)}: {special.detail}"
    if reason is Reason.UNDEFINED:
        detail = special.detail or "outside its real domain"
        if detail.startswith("f is defined at this point"):
            return f"no derivative at {_point_words(point)}: {detail}"
        return f"the function is undefined at {_point_words(point)} ({detail})"
    if reason is Reason.STEP_UNDEFINED:
        return f"no derivative at {_point_words(point)}: {special.detail}"
    if reason is Reason.JUMP:
        what = f"kink of {', '.join(special.kinks)}: " if special.kinks else ""
        return (
            f"{what}{special.detail}, so there is no derivative there; autograd returns "
            f"{format_number(auto)}"
        )
    if reason is Reason.KINK:
        names = ", ".join(special.kinks)
        if torch_on_kink is False and _one_sided(auto, special):
            # abs(x*0.1 - 0.3) at x=3: on the kink exactly, but float64 puts the
            # argument at 5.6e-17, so torch does not use its convention at 0.
            return (
                f"kink of {names} at {where}: {sides}; in float64 the kink's argument is "
                f"not exactly 0 here, so autograd returns the one-sided derivative "
                f"{format_number(auto)}; the closed form gives {format_number(sym)}"
                f"{_conventions(special.kinks, torch=False)}"
            )
        return (
            f"kink of {names} at {where}: {sides}; autograd returns "
            f"{format_number(auto)}, the closed form {format_number(sym)}"
            f"{_conventions(special.kinks, order=order)}"
        )
    if reason is Reason.DOMAIN_EDGE and special.left is None and special.right is None:
        # a mixed partial: the edge is along another variable being differentiated
        return f"no derivative at {_point_words(point)}: {special.detail}"
    if reason is Reason.DOMAIN_EDGE:
        inside = "right" if special.left is None else "left"
        outside = "left" if inside == "right" else "right"
        if special.detail:
            # f is defined all around; the order below has no derivative on one side
            return (
                f"only the {inside} derivative exists at {where} ({sides}): on the "
                f"{outside}, {special.detail}"
            )
        text = (
            f"{where} is at the edge of the function's real domain: it is undefined on the "
            f"{outside}, so only the {inside} derivative exists ({sides})"
        )
        side = special.right if inside == "right" else special.left
        if side is not None and math.isinf(side) and math.isfinite(auto):
            # x**x at 0: torch returns 0, the slope diverges to -inf
            text += (
                f"; autograd returned {format_number(auto)}, which is wrong here: the "
                f"derivative diverges to {format_number(side)} as {var} -> "
                f"{format_number(point[var])}{'+' if inside == 'right' else '-'}"
            )
        return text
    if reason is Reason.CORNER:
        return f"the function has a corner at {where}: {sides}, so there is no derivative"
    infinite = [s for s in (special.left, special.right) if s is not None and math.isinf(s)]
    text = f"the derivative is not finite at {where}: {sides}"
    if infinite and math.isfinite(auto):
        sign = "+" if special.right is not None and math.isinf(special.right) else "-"
        text += (
            f"; autograd returned {format_number(auto)}, which is wrong here: the "
            f"derivative diverges to {format_number(infinite[-1])} as {var} -> "
            f"{format_number(point[var])}{sign}"
        )
    return text


def samples(checked: Sequence[Sample], count: int) -> str:
    """The note of a closed form checked at sample points."""
    worst = max(abs(s.symbolic - s.autograd) for s in checked)
    skipped = count - len(checked)
    where = (
        count_of(len(checked), "sample point")
        if not skipped
        else (
            f"{len(checked)} of {count_of(count, 'sample point')} ({skipped} skipped: undefined "
            "there, or at a kink)"
        )
    )
    return f"checked against autograd at {where}; largest |difference| {worst:.3g}"


# How many moved numbers the note names before it counts the rest.
HELD_SHOWN = 3


def held(
    moved: Sequence[tuple[str, float, float]], dtype: str, grids: Sequence[HeldGrid] = ()
) -> list[str]:
    """The note for numbers of --at that the dtype holds as another value: both
    engines work at the value torch holds (0.1 in float32 is 0.10000000149011612,
    where d/dx of x**2 is 0.20000000298023224, not 0.2). A grid's points are
    named the same way: its first such point, with a count of the others
    (``grids``). [] when none moved."""
    named = [f"{name}={given!r} as {value!r}" for name, given, value in moved]
    for grid in grids:
        spec = grid.grid
        text = f"{format_number(spec.start)}:{format_number(spec.stop)}:{spec.count}"
        others = (
            f"and {count_of(grid.count - 1, 'more point')} of the grid"
            if grid.count > 1
            else "a point of the grid"
        )
        named.append(f"{grid.name}={grid.given!r} as {grid.held!r} ({others} {grid.name}={text})")
    if not named:
        return []
    numbers = len(moved) - HELD_SHOWN
    points = sum(grid.count for grid in grids[max(HELD_SHOWN - len(moved), 0) :])
    rest = [
        *([count_of(numbers, "more number")] if numbers > 0 else []),
        *([count_of(points, "more grid point")] if len(named) > HELD_SHOWN and points else []),
    ]
    more = f" (and {' and '.join(rest)})" if rest else ""
    return [
        f"{dtype} holds {', '.join(named[:HELD_SHOWN])}{more}: both derivatives are taken "
        "there, as torch takes them"
    ]
