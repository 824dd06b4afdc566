"""`derivcli check-function`: gradcheck next to a kink (a user review).

A correct relu Function failed check-function on `--at x=-2:2:101`: the grid
holds x = -4.163336342344337e-17 (how torch's linspace rounds 0), not 0, so the
point was not skipped as a kink, and gradcheck's central difference
(f(x + eps) - f(x - eps)) / (2*eps) with eps = 1e-6 straddles relu's kink:
(1e-6 - 0) / 2e-6 = 0.5 there, where relu' is 0. The same for abs at -5.6e-17
(|x + 1e-6| and |x - 1e-6| are both about 1e-6: a difference of about 0, where
abs' is -1), floor at
-0.9999999999999999 ((-1 - (-2)) / 2e-6 = 500,000 where floor' is 0), log at
1e-6 (x - eps is 0: log(0)) and 1/x beside 0. Now such points are left out of
gradcheck, with a note each, and a count in gradcheck's row.

Each truth is worked out by hand in the comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import Cli

FUNCTIONS = """
import torch


class Atan2(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        ctx.save_for_backward(i)
        return torch.atan2(i, -torch.ones_like(i))

    @staticmethod
    def backward(ctx, g):
        (i,) = ctx.saved_tensors
        return g * (-1.0) / (i * i + 1)


class Relu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        ctx.save_for_backward(i)
        return i.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (i,) = ctx.saved_tensors
        return g * (i > 0).to(g.dtype)


class WrongRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        ctx.save_for_backward(i)
        return i.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (i,) = ctx.saved_tensors
        return g * (i >= 0).to(g.dtype) * 2


class Abs(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        ctx.save_for_backward(i)
        return i.abs()

    @staticmethod
    def backward(ctx, g):
        (i,) = ctx.saved_tensors
        return g * torch.sign(i)


class Floor(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        return torch.floor(i)

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Log(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        ctx.save_for_backward(i)
        return torch.log(i)

    @staticmethod
    def backward(ctx, g):
        (i,) = ctx.saved_tensors
        return g / i


class Recip(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        ctx.save_for_backward(i)
        return 1 / i

    @staticmethod
    def backward(ctx, g):
        (i,) = ctx.saved_tensors
        return -g / i**2
"""


@pytest.fixture
def functions(tmp_path: Path) -> Path:
    path = tmp_path / "funcs.py"
    path.write_text(FUNCTIONS)
    return path


def _check(cli: Cli, target: str, expr: str, *at: str) -> tuple[int, dict[str, Any]]:
    args = [a for x in at for a in ("--at", x)]
    run = cli("check-function", target, "--expr", expr, *args, "-f", "json", "--timeout", "60")
    assert run.err == ""
    return run.code, run.json()


def _gradcheck(report: dict[str, Any]) -> dict[str, Any]:
    (row,) = [row for row in report["checks"] if row["kind"] == "gradcheck"]
    assert isinstance(row, dict)
    return row


def _left_out(report: dict[str, Any]) -> list[str]:
    return [n for n in report["notes"] if n.startswith("gradcheck skipped")]


def test_a_correct_relu_passes_on_a_grid_through_0(cli: Cli, functions: Path) -> None:
    # -2:2:101 has x = -4.16e-17 at index 50 (not 0); every other point is at
    # least 0.04 from the kink, far beyond eps = 1e-6
    code, report = _check(cli, f"{functions}:Relu", "relu(x)", "x=-2:2:101")
    assert code == 0 and report["passed"]
    row = _gradcheck(report)
    assert row["passed"]
    assert "the 100 points as one vector (1 point within 1e-06" in row["detail"]
    (note,) = _left_out(report)
    assert note.startswith("gradcheck skipped x=-4.163336342344337e-17:")
    assert note.endswith("reaches a kink of relu")


@pytest.mark.parametrize(
    ("cls", "expr", "at", "skipped"),
    [
        # abs on -1:1:11: -5.55e-17 in the middle (|x +- 1e-6| are both 1e-6,
        # so the difference is 0 where abs' is -1)
        ("Abs", "abs(x)", "x=-1:1:11", [-5.551115123125783e-17]),
        # floor on -3:3:31: 1.1e-16 from the jumps at -1 and 1 (floor(-1 + 1e-6)
        # - floor(-1 - 1e-6) = 1, a difference of 500,000 where floor' is 0),
        # and -1.67e-16 beside 0; -3, -2, 2, 3 are whole and skipped as kinks
        (
            "Floor",
            "floor(x)",
            "x=-3:3:31",
            [-0.9999999999999999, -1.6653345369377348e-16, 0.9999999999999999],
        ),
        # 1/x on -1:1:11: -5.55e-17 beside the pole (1/(x + 1e-6) - 1/(x - 1e-6)
        # is 2e6, a difference of 1e12, where -1/x**2 is -3.2e32)
        ("Recip", "1/x", "x=-1:1:11", [-5.551115123125783e-17]),
    ],
)
def test_correct_functions_pass_beside_a_kink_jump_or_pole(
    cli: Cli, functions: Path, cls: str, expr: str, at: str, skipped: list[float]
) -> None:
    code, report = _check(cli, f"{functions}:{cls}", expr, at)
    assert code == 0 and report["passed"]
    assert _gradcheck(report)["passed"]
    notes = _left_out(report)
    assert [float(n.split("=")[1].split(":")[0]) for n in notes] == skipped


def test_log_at_1e_minus_6_is_not_run_through_log_0(cli: Cli, functions: Path) -> None:
    # x - eps = 1e-6 - 1e-6 = 0 exactly: log(0) is -inf, no difference; the
    # one point is left out, so gradcheck does not run at all
    code, report = _check(cli, f"{functions}:Log", "log(x)", "x=1e-6")
    assert code == 0 and report["passed"]
    row = _gradcheck(report)
    assert row["passed"] and row["detail"].startswith("not run:")
    (note,) = _left_out(report)
    assert "reaches x=0, where log(x) has a pole" in note


def test_points_far_from_the_kink_still_run_gradcheck(cli: Cli, functions: Path) -> None:
    # -4e-17 is within 1e-6 of relu's kink; 3e-6 and -3e-6 are not (their
    # stencils are [2e-6, 4e-6] and [-4e-6, -2e-6]): gradcheck runs on those two
    code, report = _check(cli, f"{functions}:Relu", "relu(x)", "x=-4e-17", "x=3e-6", "x=-3e-6")
    assert code == 0
    row = _gradcheck(report)
    assert row["passed"]
    assert row["detail"].startswith("float64, the 2 points as one vector (1 point within")


def test_a_wrong_backward_still_fails_on_the_same_grid(cli: Cli, functions: Path) -> None:
    # g*(i >= 0)*2 is 2 where relu' is 1 (x > 0) and 2 at 0: the backward rows
    # fail, and so does gradcheck at the 100 points away from the kink
    code, report = _check(cli, f"{functions}:WrongRelu", "relu(x)", "x=-2:2:101")
    assert code == 1 and not report["passed"]
    backward = [row for row in report["checks"] if row["kind"] == "backward"]
    assert backward and not any(row["passed"] for row in backward)
    row = _gradcheck(report)
    assert not row["passed"]
    assert "(1 point within 1e-06" in row["detail"] and "Jacobian mismatch" in row["detail"]


def test_a_correct_atan2_passes_on_a_grid_through_its_jump(cli: Cli, functions: Path) -> None:
    # atan2(x, -1) jumps by 2*pi across x = 0 (the negative x axis), and its
    # derivative elsewhere is d/dx atan2(x, -1) = -1/(x**2 + 1), which the
    # backward returns. -2:2:101 holds x = -4.16e-17 at index 50: the central
    # difference there, (atan2(1e-6, -1) - atan2(-1e-6, -1))/2e-6, is about
    # (pi - (-pi))/2e-6 = pi*1e6, not -1. The jump's template, abs(a) + relu(b),
    # never changes sign, so the point was not left out (a review's find).
    code, report = _check(cli, f"{functions}:Atan2", "atan2(x, -1)", "x=-2:2:101")
    assert code == 0 and report["passed"]
    (note,) = _left_out(report)
    assert note.startswith("gradcheck skipped x=-4.163336342344337e-17:")
    assert "atan2's jump across the negative x axis" in note
