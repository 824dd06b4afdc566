"""`derivcli batch` splits a line without shlex's character-by-character reader
where it can (issue 11, speed): every line must still get exactly shlex's
words, or shlex's own error.

An oracle test: ``shlex.split`` (the standard library, POSIX mode) is the
expected value for every line, and for lines of blanks, both quotes,
backslashes and characters that merely look like blanks (NBSP, vertical tab),
which shlex takes as part of a word.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from conftest import Cli
from hypothesis import given
from hypothesis import strategies as st

from derivcli.batch import split_words


def _shlex(text: str) -> list[str] | tuple[str, str]:
    try:
        return shlex.split(text)
    except ValueError as exc:
        return ("error", str(exc))


def _split(text: str) -> list[str] | tuple[str, str]:
    try:
        return split_words(text)
    except ValueError as exc:
        return ("error", str(exc))


LINES = [
    'grad "x**2 + 1" --at x=2',
    "grad 'x * y' --at 'x=1, y=2'",
    'grad x"**"2 --at x=1',  # quotes inside a word join it: x**2
    'grad "" --at x=1',  # an empty word stays a word
    'grad "it\'s" --at x=1',  # a quote of the other kind inside quotes
    "grad 'say \"x\"' --at x=1",
    "  grad\tx\r--at x=1  ",
    "grad\xa0x --at x=1",  # NBSP is no blank for shlex
    "grad x\x0b--at x=1",  # nor is a vertical tab
    'grad "x**2 --at x=1',  # unclosed: shlex's error
    "grad 'x**2 --at x=1",
    'grad "x\\"y" --at x=1',  # an escape: shlex itself
    "grad x\\ y --at x=1",
    "",
    "   ",
    '""',
    "''\"\"",
]


def test_listed_lines_split_as_shlex_splits_them() -> None:
    for line in LINES:
        assert _split(line) == _shlex(line), line


@given(st.text(alphabet=" \t\r\n\"'\\ax=#\xa0\x0b\x00-", max_size=30))
def test_any_line_splits_as_shlex_splits_it(line: str) -> None:
    assert _split(line) == _shlex(line)


def test_batch_reads_a_quoted_word_joined_to_its_neighbours(cli: Cli, tmp_path: Path) -> None:
    # x"**"2 is the expression x**2 (shlex joins the parts of one word): its
    # derivative at 3 is 2*3 = 6; 'x * y' is one word, d/dx at y = 2 is 2
    jobs = tmp_path / "jobs.txt"
    jobs.write_text(
        'grad x"**"2 --at x=3 --timeout 60\n'
        "partial 'x * y' --wrt x --at 'x=1, y=2' --timeout 60\n"
    )
    run = cli("batch", str(jobs))
    assert run.code == 0, run.err
    assert run.err == ""
    first, second = (json.loads(line) for line in run.out.splitlines())
    assert first["results"][0]["symbolic"] == 6.0
    assert first["expression"] == "x**2"
    assert second["results"][0]["symbolic"] == 2.0
