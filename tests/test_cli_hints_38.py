"""Hints and wording a student review found wrong or missing (stop 38).

- A long option written with one dash (``-order 2``, ``-at x=2``,
  ``-format json``) was read as a glued short option of *some* command:
  "write '-o rder'" (plot's -o; grad has none), "write '-a t'", "write
  '-f ormat'". It now says to write the long option with two dashes, and a
  glued short option is suggested only where the command being run has it.
- ``partial --wrt u,v`` is the mixed partial d2f/dudv (parse_wrt splits at
  commas); its --help says so, and that the gradient is grad's.
- check's time budget message had no "(raise it with --timeout)", where
  grad's has.
- ``--steps`` stated sign's and heaviside's rule "= 0" without "for a != 0"
  (both jump at 0, where there is no derivative), and named every inner
  function of max(x, x**2) "a" ("inner a = x, x**2").

The expected texts are the hints and rules themselves, written out here; the
derivatives quoted in the steps are worked by hand in the comments.
"""

from __future__ import annotations

import re

import pytest
from conftest import Cli

import derivcli.check_answer as check_answer

NO_OPTION = (
    "(a word that starts with '-' and is no option is a value, such as an expression '-x**2')"
)


# ---------------------------------------------------------------- one dash, long option


@pytest.mark.parametrize(
    ("args", "extra", "written"),
    [
        (("x**3", "-order", "2", "--at", "x=1"), "arguments (-order 2)", "--order"),
        (("x**2", "-at", "x=2"), "arguments (-at x=2)", "--at"),
        (("x**3", "--at", "x=1", "-format", "json"), "arguments (-format json)", "--format"),
        (("x**2", "-at=x=2"), "argument (-at=x=2)", "--at=x=2"),
        (("x**2", "--at", "x=2", "-steps"), "argument (-steps)", "--steps"),
    ],
)
def test_a_long_option_with_one_dash_is_told_to_take_two(
    cli: Cli, args: tuple[str, ...], extra: str, written: str
) -> None:
    run = cli("grad", *args, "--timeout", "60")
    assert run.code == 2
    assert run.out == ""
    assert run.err == (
        f"derivcli: error: Got unexpected extra {extra}; a long option has two dashes: "
        f"write '{written}' {NO_OPTION} (see 'derivcli grad --help')\n"
    )


def test_a_glued_short_option_of_this_command_is_still_split(cli: Cli) -> None:
    # -n is grad's --order, -a its --at: the hint of stop 36 stands
    for glued, written in (("-n2", "-n 2"), ("-ax=2", "-a x=2")):
        run = cli("grad", "x**4", glued, "--at", "x=1", "--timeout", "60")
        assert run.code == 2
        assert run.err == (
            f"derivcli: error: Got unexpected extra argument ({glued}); an option and its "
            f"value are two words: write '{written}' {NO_OPTION} (see 'derivcli grad --help')\n"
        )


@pytest.mark.parametrize("word", ["-ofile.svg", "-hx", "-order2"])
def test_no_hint_from_a_short_option_grad_does_not_have(cli: Cli, word: str) -> None:
    # -o is plot's --out, not grad's; -h (help) takes no value; "-order2" is
    # neither --order nor grad's -o: click's words alone
    run = cli("grad", "x**2", "--at", "x=1", word, "--timeout", "60")
    assert run.code == 2
    assert run.out == ""
    assert run.err == (
        f"derivcli: error: Got unexpected extra argument ({word}) (see 'derivcli grad --help')\n"
    )


def test_plot_keeps_its_own_short_option(cli: Cli) -> None:
    # plot does have -o (--out): there a glued -ofile is split
    run = cli("plot", "x**2", "--range", "0:1", "-ouv.svg", "--timeout", "60")
    assert run.code == 2
    assert run.err == (
        "derivcli: error: Got unexpected extra argument (-ouv.svg); an option and its value "
        f"are two words: write '-o uv.svg' {NO_OPTION} (see 'derivcli plot --help')\n"
    )


# ---------------------------------------------------------------- partial --wrt u,v


def _flat(text: str) -> str:
    """--help's text without its box and line breaks."""
    return re.sub(r"\s+", " ", text.replace("│", " "))


def test_partial_help_says_a_comma_list_is_the_mixed_partial(cli: Cli) -> None:
    run = cli("partial", "--help")
    assert run.code == 0
    assert run.err == ""
    assert (
        "--wrt u,v is --wrt u --wrt v, the mixed partial d2f/dudv; for the gradient use grad"
        in _flat(run.out)
    )


def test_a_comma_list_is_the_mixed_partial(cli: Cli) -> None:
    # f = u*v**2: d2f/dudv = 2*v, 4 at v = 2 (by hand), however --wrt is written
    answers = [
        cli("partial", "u*v**2", *wrt, "--at", "u=1,v=2", "-f", "json", "--timeout", "60")
        for wrt in (("--wrt", "u,v"), ("--wrt", "u", "--wrt", "v"), ("--wrt", " u , v "))
    ]
    for run in answers:
        assert (run.code, run.err) == (0, "")
        (result,) = run.json()["results"]
        assert result["variables"] == ["u", "v"]
        assert result["symbolic"] == 4.0 and result["autograd"] == 4.0


def test_check_help_says_a_comma_list_is_the_same_mixed_partial(cli: Cli) -> None:
    # check reads --wrt as partial does (points.parse_wrt splits at commas)
    run = cli("check", "--help")
    assert run.code == 0
    assert run.err == ""
    assert "mixed partial: --wrt u --wrt v (--wrt u,v is the same)" in _flat(run.out)


# ---------------------------------------------------------------- check's budget


def test_checks_time_budget_says_how_to_raise_it(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # no grace past a budget of 1 microsecond: the worker cannot have parsed,
    # differentiated and spot-checked abs(x) by then, so the budget runs out
    monkeypatch.setattr(check_answer, "GRACE", 0.0)
    run = cli("check", "abs(x)", "--answer", "x/abs(x)", "--timeout", "0.000001")
    assert run.code == 3
    assert run.out == ""
    assert run.err == (
        "derivcli: error: the closed form was not reached within the time budget "
        "(raise it with --timeout)\n"
    )


def test_the_hint_joins_a_message_s_own_parentheses() -> None:
    assert check_answer.with_timeout_hint(
        "the closed form was not reached within the time budget "
        "(stopped after 1 of 2 differentiations)"
    ) == (
        "the closed form was not reached within the time budget "
        "(stopped after 1 of 2 differentiations; raise it with --timeout)"
    )
    memory = "the closed form needs more memory than the budget allows"
    assert check_answer.with_timeout_hint(memory) == memory


# ---------------------------------------------------------------- --steps wording


def _steps(cli: Cli, expression: str) -> list[str]:
    run = cli("grad", expression, "--at", "x=2", "--steps", "--timeout", "60")
    assert run.code == 0, run.err
    return [line for line in run.out.splitlines() if re.match(r"\d+\. ", line)]


def test_sign_and_heaviside_rules_say_where_they_hold(cli: Cli) -> None:
    # sign and heaviside are constant on each side of 0 (derivative 0 there)
    # and jump at 0, where they have none
    assert _steps(cli, "sign(x) + heaviside(x)") == [
        "1.   sign rule (d/da sign(a) = 0 for a != 0): d/dx sign(x) = 0",
        "2.   heaviside rule (d/da heaviside(a) = 0 for a != 0): d/dx heaviside(x) = 0",
        "3. sum rule [1, 2]: d/dx (sign(x) + heaviside(x)) = 0",
    ]


def test_max_names_each_inner_function_by_its_argument(cli: Cli) -> None:
    # max(a, b) with a = x (d/dx 1) and b = x**2 (d/dx 2*x):
    # heaviside(x - x**2)*1 + heaviside(x**2 - x)*(2*x)
    lines = _steps(cli, "max(x, x**2)")
    assert lines[2].startswith(
        "3. chain rule, inner a = x, b = x**2 (d/da max(a, b) = heaviside(a - b), "
        "d/db max(a, b) = heaviside(b - a)) [1, 2]: d/dx max(x, x**2) = "
        "heaviside(x - x**2) + heaviside(x**2 - x)*(2*x) = "
    )


def test_an_inner_function_in_the_second_place_is_b(cli: Cli) -> None:
    # max(3, x**2): only b = x**2 varies, d/dx = heaviside(x**2 - 3)*(2*x)
    assert _steps(cli, "max(3, x**2)")[1] == (
        "2. chain rule, inner b = x**2 (d/da max(a, b) = heaviside(a - b), "
        "d/db max(a, b) = heaviside(b - a)) [1]: d/dx max(3, x**2) = "
        "heaviside(x**2 - 3)*(2*x) = 2*x*heaviside(x**2 - 3)"
    )
