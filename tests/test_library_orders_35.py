"""The library takes an order as ``operator.index`` takes it.

A user review: ``derivcli.grad("x**3", at={"x": 2}, order=numpy.int64(2))``
raised InputError ("--order np.int64(2): the order must be between 1 and
50"), as did a 0-d torch integer tensor: only a Python ``int`` was an order.
An order is a count, and Python's protocol for "this is a whole number" is
``__index__`` (``range``, indexing and ``operator.index`` use it), which
numpy and torch integers have and floats do not. Now every library function
that takes an order (``grad``, ``partial``, ``check``, ``api.derivatives``)
takes what ``operator.index`` takes, except a bool of any library (True is
not the order 1; torch's bool tensor has an ``__index__``) and a float, even
2.0, which ``operator.index`` refuses too. No library function takes another
count (the points of a grid are the CLI's text ``x=-3:3:7``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import derivcli
from derivcli import api

# Each library function with an order, asked for the 2nd derivative of x**3
# at x = 2. By hand: d/dx x**3 = 3*x**2, d2/dx2 = 6*x, which is 12 at x = 2;
# for x**3*y at y = 1 the same, and check's answer 6*x is right.
SECOND_DERIVATIVE: list[tuple[str, Callable[[Any], bool]]] = [
    ("grad", lambda n: derivcli.grad("x**3", at={"x": 2}, order=n).results[0].symbolic == 12),
    (
        "partial",
        lambda n: (
            derivcli.partial("x**3*y", wrt="x", at={"x": 2, "y": 1}, order=n).results[0].symbolic
            == 12
        ),
    ),
    ("check", lambda n: derivcli.check("x**3", answer="6*x", order=n).correct),
    (
        "api.derivatives",
        lambda n: api.derivatives("x**3", wrt="x", at="x=2", order=n).results[0].symbolic == 12,
    ),
    (
        "grad with steps",
        lambda n: (
            derivcli.grad("x**3", at={"x": 2}, order=n, steps=True).results[0].wrt == ("x", "x")
        ),
    ),
]

INTEGERS_OF_VALUE_2: list[tuple[str, object]] = [
    ("numpy int64", np.int64(2)),
    ("numpy uint8", np.uint8(2)),
    ("numpy 0-d int array", np.array(2)),
    ("torch 0-d int64", torch.tensor(2)),
    ("torch 0-d int8", torch.tensor(2, dtype=torch.int8)),
    ("torch 1-element int", torch.tensor([2])),  # operator.index takes it: so does range()
]

# What operator.index refuses, or a bool it would take (torch's): refused
NOT_ORDERS: list[tuple[str, object]] = [
    ("float 2.0", 2.0),
    ("numpy float64 2.0", np.float64(2.0)),
    ("torch float 2.0", torch.tensor(2.0)),
    ("bool", True),
    ("numpy bool", np.bool_(True)),
    ("torch bool", torch.tensor(True)),  # operator.index gives 1
    ("torch 2 values", torch.tensor([2, 2])),
    ("numpy 100 values", np.arange(100)),  # a repr of several lines
    ("str", "2"),
    ("numpy int64 past 50", np.int64(51)),
]


@pytest.mark.parametrize(
    "function", [case[1] for case in SECOND_DERIVATIVE], ids=[case[0] for case in SECOND_DERIVATIVE]
)
def test_an_order_is_what_operator_index_takes(function: Callable[[Any], bool]) -> None:
    for label, value in INTEGERS_OF_VALUE_2:
        assert operator.index(value) == 2  # type: ignore[arg-type]
        assert function(value), label
    for label, value in NOT_ORDERS:
        with pytest.raises(derivcli.InputError) as caught:
            function(value)
        message = caught.value.message
        assert message.startswith("--order "), (label, message)
        assert message.endswith(": the order must be between 1 and 50 (a whole number)"), label
        assert "\n" not in message and caught.value.exit_code == 2, label
