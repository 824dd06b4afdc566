"""A constant error inside a function written out from its definition names the
user's own call.

factorial(n) is gamma(n + 1) to the symbolic engine (derivcli/language/
definitions.py writes it out). factorial(-1) is gamma(0), a pole, and the error
said "'gamma(-1 + 1)' at column 1", text the user never wrote. It names
factorial(-1) now: the written-out node keeps the call it came from (``origin``,
not part of the node's value).
"""

from __future__ import annotations

from dataclasses import replace

from conftest import Cli

from derivcli.language.definitions import expand
from derivcli.language.parser import parse
from derivcli.language.tree import Call


def test_factorial_at_a_pole_names_factorial(cli: Cli) -> None:
    # factorial(-1) = gamma(0) and factorial(-3) = gamma(-2): poles of gamma,
    # so the constant is not a finite real number (exit 2, a bad input)
    for text, column in (("factorial(-1)*x", 1), ("x + 2*factorial(-3)", 7)):
        run = cli("grad", text, "--at", "x=2", "--timeout", "60")
        assert run.code == 2, run.err
        call = text[column - 1 :].split(")")[0] + ")"
        assert run.err == (
            f"derivcli: error: '{call}' at column {column} is not a finite real number\n"
        )
        assert run.out == ""


def test_factorial_past_every_number_format_names_factorial(cli: Cli) -> None:
    # 1e10! is about 10**(9.6e10), past MPFR's exponent range (2**(2**30))
    run = cli("grad", "factorial(1e10)*x", "--at", "x=2", "--timeout", "60")
    assert run.code == 2, run.err
    assert run.err.startswith("derivcli: error: 'factorial(1e10)' at column 1 is finite but")


def test_the_origin_is_not_part_of_the_value() -> None:
    # written out, factorial(2) is gamma(2 + 1); the same node without the call
    # it came from is equal to it and hashes alike
    written = expand(parse("factorial(2)").tree)
    assert isinstance(written, Call) and written.name == "gamma"
    assert written.origin == parse("factorial(2)").tree
    bare = replace(written, origin=None)
    assert written == bare and hash(written) == hash(bare)
