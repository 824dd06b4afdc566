"""LaTeX that means what the expression means (a student's review).

* A power of lgamma or logsigmoid, whose names are two symbols, printed as
  ``\\ln\\Gamma\\left(x\\right)^{2}``: read as ln(Gamma(x)**2) = 2*lgamma(x), not
  lgamma(x)**2 (at x = 0.5: 1.1447 against 0.3276). The power now goes around
  the whole call.
* A variable that prints as a function's symbol (sigma as \\sigma, Gamma as
  \\Gamma) made ``sigma*(x + 1)`` and ``sigmoid(x + 1)`` print alike; the
  function is then written by its name.
"""

from __future__ import annotations

from conftest import Cli

from derivcli.language.latex import to_latex
from derivcli.language.parser import parse


def _latex(text: str) -> str:
    return to_latex(parse(text).tree)


def test_a_power_of_a_two_symbol_function_goes_around_the_call() -> None:
    assert _latex("lgamma(x)**2") == r"\left(\ln\Gamma\left(x\right)\right)^{2}"
    assert _latex("logsigmoid(x)**3") == r"\left(\log\sigma\left(x\right)\right)^{3}"
    assert _latex("1/lgamma(x)**2") == r"\frac{1}{\left(\ln\Gamma\left(x\right)\right)^{2}}"
    # one symbol: the power on the call as before, and on the name for ln
    assert _latex("sigmoid(x)**2") == r"\sigma\left(x\right)^{2}"
    assert _latex("log(x)**2") == r"\ln^{2}\left(x\right)"
    # not a power: no parentheses
    assert _latex("2*lgamma(x)") == r"2 \ln\Gamma\left(x\right)"


def test_a_function_whose_symbol_a_variable_takes_is_written_by_its_name() -> None:
    assert _latex("sigmoid(x) + sigma*(x + 1)") == (
        r"\operatorname{sigmoid}\left(x\right) + \sigma \left(x + 1\right)"
    )
    assert _latex("Gamma*(x + 1) + gamma(x)") == (
        r"\Gamma \left(x + 1\right) + \operatorname{gamma}\left(x\right)"
    )
    assert _latex("logsigmoid(x) + sigma") == r"\operatorname{logsigmoid}\left(x\right) + \sigma"
    # no such variable: the symbols
    assert _latex("sigmoid(x) + gamma(x)") == r"\sigma\left(x\right) + \Gamma\left(x\right)"


def test_the_whole_block_counts_a_variable_of_f(cli: Cli) -> None:
    # f has the variable sigma; df/dx = sigmoid(x)*sigmoid(-x)*x + sigmoid(x) has
    # no sigma of its own, but sits in the same block under f
    run = cli("grad", "sigmoid(x)*x + sigma", "-f", "latex", "--timeout", "60")
    assert run.code == 0, run.err
    assert r"\sigma\left(" not in run.out
    assert r"\operatorname{sigmoid}\left(x\right) x + \sigma" in run.out
