"""Cases for survivors of tools/mutate.py in derivcli/symbolic/analysis.py
(/work/an_sample27.json, ids from commit ddda2fc; located by their code text).

Each test pins a fact worked out by hand (never derivcli's own output recorded
as the expectation) and names the mutant it kills.
"""

from __future__ import annotations

import math

from derivcli.language.evaluate import Program, compile_tree
from derivcli.language.parser import parse
from derivcli.symbolic.analysis import Reason, kink_between, kink_root


def _program(text: str) -> Program:
    return compile_tree(parse(text).tree)


def _third() -> object:
    """kink_root's mpfr for the root 1/3 of x - 1/3 (no float is 1/3)."""
    root = kink_root(_program("x - 1/3"), {}, "x", 0.0, 1.0)
    assert root is not None and not isinstance(root, float)
    return root


# ---------------------------------------------------------------- kink_between


def test_a_kink_between_floats_with_one_infinite_side_is_infinite() -> None:
    # f = relu(x - 1/3) + sqrt(relu(x - 1/3)): left of 1/3 f is 0 (slope 0);
    # right of it f = t + sqrt(t), t = x - 1/3, whose quotient 1 + 1/sqrt(t)
    # grows without bound: slopes 0 | +inf, an infinite derivative, not a kink
    # between two finite slopes. Kills analysis.py:a9535f02:44:bool_and_or:0
    # (Reason.KINK as soon as either side is finite)
    result = kink_between(_program("relu(x - 1/3) + sqrt(relu(x - 1/3))"), {"x": _third()}, "x")
    assert result.reason is Reason.INFINITE and result.differentiable is False
    assert (result.left, result.right) == (0.0, math.inf)


def test_a_tiny_infinite_slope_is_plus_infinity() -> None:
    # f = 1e-300*sqrt(relu(x - 1/3)): right of 1/3 the quotients are
    # 1e-300/sqrt(h), for h = 2**-128/3 .. 2**-192/3 about 3e-281 .. 1e-271:
    # growing by 2**16 per probe, positive, yet below 1. Their limit is +inf.
    # Kills analysis.py:e2db7114:23:num_inc:0 (_limit's sign of a growing
    # sequence taken from c > 1: -inf for these positive values)
    result = kink_between(_program("1e-300*sqrt(relu(x - 1/3))"), {"x": _third()}, "x")
    assert result.reason is Reason.INFINITE
    assert (result.left, result.right) == (0.0, math.inf)
