"""A batch line's comment begins where a shell's does: at a ``#`` that starts a
word, outside quotes.

shlex's ``comments=True`` also started one at a ``#`` inside a word, so
``--wrt u#v --at u=1,v=2`` was read as ``--wrt u`` with no point, and answered
at exit 0 a question the line did not ask (found by a review of batch). The
same command alone refuses ``u#v`` (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Cli

from derivcli.batch import without_comment


def _batch(cli: Cli, tmp_path: Path, lines: list[str]) -> tuple[int, list[dict[str, Any]]]:
    jobs = tmp_path / "jobs.txt"
    jobs.write_text("".join(line + "\n" for line in lines))
    run = cli("batch", str(jobs))
    return run.code, [json.loads(text) for text in run.out.splitlines()]


def test_a_hash_inside_a_word_is_part_of_the_word(cli: Cli, tmp_path: Path) -> None:
    code, answers = _batch(
        cli,
        tmp_path,
        [
            "partial 'u*v' --wrt u#v --at u=1,v=2 --timeout 60",
            "grad 'x**3' --order 2#0 --at x=2 --timeout 60",
            "grad 'x**2' --at x=3#4 --timeout 60",
        ],
    )
    assert code == 2
    assert [a["exit"] for a in answers] == [2, 2, 2]
    assert "u#v" in answers[0]["error"]
    assert "'2#0' is not a valid integer" in answers[1]["error"]
    assert "3#4" in answers[2]["error"]


def test_a_hash_that_begins_a_word_outside_quotes_begins_a_comment(
    cli: Cli, tmp_path: Path
) -> None:
    # d/dx x**2 = 2x: 6 at 3; d/dx x**3 = 3x**2: 12 at 2 (the commented-out
    # options, had they been read, would have made these lines errors)
    code, answers = _batch(
        cli,
        tmp_path,
        [
            "grad 'x**2' --at x=3 --timeout 60 # --order nine",
            "grad 'x**3' --at x=2 --timeout 60\t#--dtype float16",
            "# a whole line of comment",
        ],
    )
    assert code == 0
    assert [a["results"][0]["symbolic"] for a in answers] == [6.0, 12.0]


def test_quotes_and_escapes_keep_a_hash() -> None:
    # as bash splits them: quoted or escaped, '#' is text; "a\"#" is a"#
    assert without_comment("grad 'a#b' \"#\" x\\#y #c") == "grad 'a#b' \"#\" x\\#y "
    assert without_comment('grad "a\\"#" #z') == 'grad "a\\"#" '
    assert without_comment("grad x\u00a0#y") == "grad x\u00a0#y"  # NBSP is not a blank to shlex
    assert without_comment("#all") == ""
