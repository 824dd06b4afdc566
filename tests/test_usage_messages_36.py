"""click's usage errors read the same in batch as alone, and a short option
written together with its value says how to write it.

A review of batch found ``grad x --wrt x`` in a batch line getting click's raw
"No such option: --wrt (Possible options: --at, --format, --rtol)", where the
command alone explains that grad takes no --wrt; and ``-n2`` refused as
"unexpected extra argument ( -n2)", the minus guard's space showing. A word
that starts with '-' and is no option is a value (an expression may be
``-x**2``), so ``-n2`` stays refused, now with the way to write it.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli

GRAD_WRT = (
    "grad differentiates by every variable and takes no --wrt; for some of them use "
    "'derivcli partial EXPR --wrt NAME'"
)


def test_a_short_option_glued_to_its_value_says_how_to_write_it(cli: Cli) -> None:
    for glued, written in (("-n2", "-n 2"), ("-ax=2", "-a x=2"), ("-a=x=2", "-a x=2")):
        run = cli("grad", "x**4", glued, "--at", "x=1", "--timeout", "60")
        assert run.code == 2
        assert run.out == ""
        assert run.err == (
            f"derivcli: error: Got unexpected extra argument ({glued}); an option and its "
            f"value are two words: write '{written}' (a word that starts with '-' and is "
            "no option is a value, such as an expression '-x**2') "
            "(see 'derivcli grad --help')\n"
        )


def test_extra_values_that_are_no_option_show_as_written(cli: Cli) -> None:
    run = cli("grad", "x", "--", "-x", "-y", "--timeout", "60")
    assert run.code == 2
    assert run.err.startswith(
        "derivcli: error: Got unexpected extra arguments (-x -y --timeout 60)"
    )


def test_batch_lines_get_the_command_s_own_words(cli: Cli, tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.txt"
    jobs.write_text("grad x --wrt x --at x=1\ngrad x**4 -n2 --at x=1\n")
    run = cli("batch", str(jobs))
    assert run.code == 2
    answers = [json.loads(line) for line in run.out.splitlines()]
    assert [a["exit"] for a in answers] == [2, 2]
    assert answers[0]["error"] == GRAD_WRT
    assert answers[1]["error"].startswith(
        "Got unexpected extra argument (-n2); an option and its value are two words: write '-n 2'"
    )
