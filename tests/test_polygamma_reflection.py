"""polygamma (and digamma) left of 0 in float64, by the reflection formula
(fuzz seed 80: a 20,001-point grid of gamma(E*x) around 0 ran out of its time
budget, because the float64 screen took every point left of 0 through mpmath,
about 2 ms each).

polygamma(n, x) = (-1)**n polygamma(n, 1 - x) - pi**(n + 1) * cot's n-th
derivative at pi*x, for x < 0 not whole and n up to 12. The oracle is mpmath at
60 digits. The contract: the float64 value is within the error bound the
screen is given, and a value the screen trusts (bound <= 1e-10 relative) is
within 1e-10 of the real one. Near the function's zeros the two parts cancel,
and the bound says so: such points are evaluated exactly.
"""

from __future__ import annotations

import json
import math

import mpmath
import numpy as np
import pytest
from conftest import Cli
from hypothesis import given, settings
from hypothesis import strategies as st

from derivcli.language.evaluate import TRUSTED_ERROR, compile_tree, float64_values
from derivcli.language.functions import (
    REFLECTION_MAX_ORDER,
    _cot_derivative,
    _float64_polygamma,
    polygamma_reflection_error,
)
from derivcli.language.parser import parse


def _real(n: int, x: float) -> mpmath.mpf:
    with mpmath.workdps(60):
        return mpmath.polygamma(n, mpmath.mpf(x))


def test_the_documented_orders() -> None:
    assert REFLECTION_MAX_ORDER == 12


def test_cot_derivatives_by_hand() -> None:
    # cot' = -(1 + c**2); cot'' = 2c(1 + c**2) = 2c + 2c**3
    assert _cot_derivative(0) == (0, 1)
    assert _cot_derivative(1) == (-1, 0, -1)
    assert _cot_derivative(2)[:4] == (0, 2, 0, 2)
    assert not any(_cot_derivative(2)[4:])


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=REFLECTION_MAX_ORDER),
    x=st.floats(min_value=-60.0, max_value=-1e-6),
)
def test_within_its_bound_and_trusted_only_when_right(n: int, x: float) -> None:
    if x == round(x):
        return  # a pole: nan, tested below
    value = float(_float64_polygamma(np, [np.array([float(n)]), np.array([x])])[0])
    bound = float(polygamma_reflection_error(np, n, np.array([x]))[0])
    real = _real(n, x)
    error = abs(mpmath.mpf(value) - real)
    assert error <= bound, (n, x, value, real)
    if bound <= TRUSTED_ERROR * abs(value):
        assert error <= TRUSTED_ERROR * abs(real)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 12])
@pytest.mark.parametrize("gap", [1e-3, 1e-8, 1e-12])
def test_beside_the_poles(n: int, gap: float) -> None:
    xs = np.array([-k + s * gap for k in (1, 7, 40) for s in (-1, 1)])
    values = _float64_polygamma(np, [np.full(xs.shape, float(n)), xs])
    bounds = polygamma_reflection_error(np, n, xs)
    for x, value, bound in zip(xs, values, bounds, strict=True):
        assert abs(mpmath.mpf(float(value)) - _real(n, float(x))) <= bound


def test_the_poles_have_no_value() -> None:
    values = _float64_polygamma(np, [np.zeros(3), np.array([-1.0, -2.0, -30.0])])
    assert all(math.isnan(v) for v in values)


def test_near_a_zero_of_digamma_the_screen_is_in_doubt() -> None:
    # digamma's zero between -1 and 0 is -0.504083008264455409..., where the two
    # parts (digamma(1.504) = 0.276 and pi*cot(pi*x) = 0.276) cancel
    zero = float(mpmath.findroot(mpmath.digamma, -0.5))
    program = compile_tree(parse("digamma(x)").tree)
    xs = np.array([zero, -0.3])
    outcome = float64_values(program, {"x": xs}, 2)
    assert bool(outcome.doubtful[0])
    assert not bool(outcome.doubtful[1])


def test_a_long_grid_left_of_0_is_judged_in_float64_and_right(cli: Cli) -> None:
    # f = gamma(E*x): f'' = E**2*gamma(u)*(digamma(u)**2 + polygamma(1, u)), u = E*x
    run = cli(
        "partial", "gamma(E * x)", "--at", "x=-0.001:0.001:20001", "--wrt", "x",
        "--order", "2", "--timeout", "60", "-f", "json",
    )  # fmt: skip
    assert run.code == 0, run.err
    report = json.loads(run.out)
    # all but the point nearest 0 (gamma's pole) in float64: before, the
    # 10,000 left of 0 went through mpmath and the budget ran out
    assert report["note"].startswith("20,000 closed-form values")
    results = report["results"]
    assert all(r["verdict"] == "agree" for r in results)
    for r in results[::499]:
        with mpmath.workdps(50):
            u = mpmath.e * mpmath.mpf(r["point"]["x"])
            real = mpmath.e**2 * mpmath.gamma(u) * (mpmath.digamma(u) ** 2 + mpmath.polygamma(1, u))
        assert math.isclose(r["symbolic"], float(real), rel_tol=1e-9)


def _real_far_left(n: int, x: float) -> mpmath.mpf:
    # mpmath's own polygamma steps a far-left x up one unit at a time (seconds at
    # -1e7): the reflection formula in mpmath instead, at 80 digits, with cot's
    # n-th derivative by mpmath's numerical differentiation (not the
    # polynomial the code under test uses)
    with mpmath.workdps(80):
        t = mpmath.mpf(x)
        slope = mpmath.diff(lambda s: mpmath.cot(mpmath.pi * s), t, n)
        return (-1) ** n * mpmath.polygamma(n, 1 - t) - mpmath.pi * slope


@pytest.mark.parametrize("n", [0, 1, 2, 7, 12])
@pytest.mark.parametrize("x", [-123456.25, -3.7e9 - 0.125, -9999999.5, -1e12 - 0.75])
def test_far_left_within_its_bound(n: int, x: float) -> None:
    value = float(_float64_polygamma(np, [np.array([float(n)]), np.array([x])])[0])
    bound = float(polygamma_reflection_error(np, n, np.array([x]))[0])
    real = _real_far_left(n, x)
    assert abs(mpmath.mpf(value) - real) <= bound
    if x == -9999999.5 and n in (2, 12):
        # at a half-integer cot is 0, and the even orders' polynomial is odd:
        # what is left, polygamma(n, 1 - x), is about (n - 1)!/x**n (6.2e-89
        # at n = 14), tiny next to cot's rounding: the screen is in doubt.
        # (digamma, n = 0, is log(1e7) there: no such cancellation)
        assert bound > TRUSTED_ERROR * abs(value)
