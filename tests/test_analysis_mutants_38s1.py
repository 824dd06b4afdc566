"""Mutants of derivcli/symbolic/analysis.py settled by the s1-38 helper."""

from __future__ import annotations

import mpmath
from conftest import Cli, one

# 2**60: past 2**53, so the probe steps along x start 61 binary places further down
BIG = "1152921504606846976"


def test_a_tiny_corner_far_out_is_followed_at_steps_below_the_coordinate(cli: Cli) -> None:
    # Kills 7a89b457:23:arith_add_sub (quotients([k + offset]) -> [k - offset]).
    # f = relu(x - 2**60)**2 + exp(-45345)*relu(2**60 - x) at x = 2**60, by hand:
    # left slope -exp(-45345) (about 2**-65419, far below float64), right slope 0,
    # so a kink. The right quotients are about 3h. The steps are relative to x, so at
    # 2**-(65536 + 61) h is about 2**-65537 and 3h is below exp(-45345)*2**-60: 0
    # stands and the sides differ. At 2**-(65536 - 61) h is about 2**-65415, still
    # above exp(-45345), and the kink would be reported as undecidable (exit 3).
    with mpmath.workdps(50):
        corner = mpmath.exp(-45345)
        assert mpmath.nstr(corner, 3) == "8.26e-19694"
        assert corner < mpmath.mpf(2) ** -65419
        assert 3 * mpmath.mpf(2) ** -65537 < corner * mpmath.mpf(2) ** -60
    run = cli(
        "grad",
        f"relu(x - {BIG})**2 + exp(-45345)*relu({BIG} - x)",
        "--at",
        f"x={BIG}",
        "--timeout",
        "60",
        "-f",
        "json",
    )
    assert run.code == 1, run.err
    result = one(run)
    assert result["verdict"] == "not differentiable"
    assert result["differentiable"] is False
    assert "8.26e-19694" in result["note"]
