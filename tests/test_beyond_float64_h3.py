"""--at with a number past float64's range (a user review): 1e400 is a finite
number, but `grad "x**2" --at x=1e400` said "'1e400' is not a finite real
number". It is now said to be beyond float64's range, exit 2 as before; the
library's at= says the same of 10**400 (tests/test_api_inputs_34.py)."""

from __future__ import annotations

import pytest
from conftest import Cli


@pytest.mark.parametrize("value", ["1e400", "-1e400", "1.8e308", "2e308"])
def test_a_number_past_float64_is_said_to_be(cli: Cli, value: str) -> None:
    # float64's largest number is (2 - 2**-52) * 2**1023, about 1.797e308:
    # each of these is larger in magnitude, and finite
    run = cli("grad", "x**2", "--at", f"x={value}", "--timeout", "60")
    assert run.code == 2
    assert run.error == (f"--at x={value}: '{value}' is beyond float64's range (about 1.8e308)")


def test_the_library_says_the_same_of_10_to_the_400() -> None:
    import derivcli

    with pytest.raises(derivcli.PointError) as caught:
        derivcli.grad("x**2", at={"x": -(10**400)})
    assert caught.value.exit_code == 2
    assert caught.value.message.endswith("is beyond float64's range (about 1.8e308)")
