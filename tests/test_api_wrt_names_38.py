"""The library's ``wrt`` takes names, one per item (stop 38).

Each name was pasted into the command line's ``--wrt`` text, which splits at
commas and strips blanks: ``partial("x*y*z", wrt="x,y")`` silently took the
mixed partial d2/dxdy and ``wrt=" x "`` was x. A name is now checked as the
expression language reads one (as ``at=``'s keys are); a mixed partial is a
list. Values by hand: d/dx of x*y*z is y*z, 6 at (1, 2, 3); d2/dxdy is z, 3.
"""

from __future__ import annotations

import pytest

import derivcli
from derivcli.errors import PointError


@pytest.mark.parametrize("wrt", ["x,y", " x ", "x y", ["x", "y,z"], ["x", ""], "2x"])
def test_an_item_that_is_not_one_name_is_refused(wrt: str | list[str]) -> None:
    with pytest.raises(PointError) as raised:
        derivcli.partial("x*y*z", wrt=wrt, at="x=1,y=2,z=3", timeout=60)
    message = str(raised.value)
    bad = wrt if isinstance(wrt, str) else wrt[1]
    assert message == (
        f"wrt: {bad!r} is not a variable name (a mixed partial is a list of names, "
        "such as wrt=['x', 'y'])"
    )
    assert raised.value.exit_code == 2


def test_names_and_lists_of_names_still_work() -> None:
    one = derivcli.partial("x*y*z", wrt="x", at="x=1,y=2,z=3", timeout=60).results[0]
    assert (one.wrt, one.symbolic, one.autograd) == (("x",), 6.0, 6.0)
    mixed = derivcli.partial("x*y*z", wrt=["x", "y"], at="x=1,y=2,z=3", timeout=60).results[0]
    assert (mixed.wrt, mixed.symbolic, mixed.autograd) == (("x", "y"), 3.0, 3.0)
    named = derivcli.partial("x_1*y", wrt=("x_1",), at={"x_1": 2, "y": 5}, timeout=60)
    assert named.results[0].symbolic == 5.0


def test_hessian_and_check_check_their_names_too() -> None:
    with pytest.raises(PointError, match="'x,y' is not a variable name"):
        derivcli.check("x*y", answer="y", wrt="x,y", timeout=60)
    with pytest.raises(PointError, match="'y ' is not a variable name"):
        derivcli.hessian("x*y", wrt=["x", "y "], at="x=1,y=2", timeout=60)
