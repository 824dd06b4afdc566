"""A value in an ``at=`` dict is a number, never text.

A user review: ``derivcli.grad("x**2", at={"x": "2"})`` was taken, although
the README says a dict's values are numbers. The text was spliced into the
CLI's ``--at`` text, so a dict's keys did not say which variables it set:
``{"x": "2,y=5"}`` set y as well, and ``{"x": "-3:3:7"}`` made a grid of seven
points. A string is text to parse, not a number (``float("2")`` parsing it
is exactly the implicit conversion a library should not do), so every
function with ``at=`` now refuses it with the PointError (exit code 2) that
other non-numbers get, naming the variable and the value; the CLI's text is
still given whole, ``at="x=2"``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SQUARE_FUNCTION

import derivcli

# every library function with at=, called with that at
FUNCTIONS: list[tuple[str, Callable[[object, Path], object]]] = [
    ("grad", lambda at, _: derivcli.grad("x*y", at=at)),  # type: ignore[arg-type]
    ("partial", lambda at, _: derivcli.partial("x*y", wrt="x", at=at)),  # type: ignore[arg-type]
    ("hessian", lambda at, _: derivcli.hessian("x**2*y", at=at)),  # type: ignore[arg-type]
    ("jacobian", lambda at, _: derivcli.jacobian(["x*y", "x+y"], at=at)),  # type: ignore[arg-type]
    ("graph", lambda at, _: derivcli.graph("x*y", at=at)),  # type: ignore[arg-type]
    (
        "check_function",
        lambda at, module: derivcli.check_function(f"{module}:Square", expr="x**2", at=at),  # type: ignore[arg-type]
    ),
]

# (at, the variable and the value the message names); each was taken before
TEXT_VALUES: list[tuple[object, str]] = [
    ({"x": "2", "y": 1}, "x='2'"),
    ({"x": 2, "y": "1"}, "y='1'"),
    ({"x": "2,y=5"}, "x='2,y=5'"),  # set y too
    ({"x": "-3:3:7", "y": 1}, "x='-3:3:7'"),  # a grid
    ([{"x": 1, "y": 1}, {"x": "0.5", "y": 1}], "x='0.5'"),  # in a list of points
]


@pytest.mark.parametrize(
    "function", [case[1] for case in FUNCTIONS], ids=[case[0] for case in FUNCTIONS]
)
def test_text_in_an_at_dict_is_a_point_error(
    tmp_path: Path, function: Callable[[object, Path], object]
) -> None:
    module = tmp_path / "square.py"
    module.write_text(SQUARE_FUNCTION)
    for at, named in TEXT_VALUES:
        with pytest.raises(derivcli.PointError) as caught:
            function(at, module)
        name = named.split("=")[0]
        assert caught.value.message == (
            f"at: {named} is not a number: a dict's values are numbers, such as "
            f"{{'{name}': 2}} (the CLI's text is given whole: at='{name}=2')"
        ), at
        assert caught.value.exit_code == 2 and caught.value.column is None
