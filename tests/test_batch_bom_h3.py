"""`derivcli batch`: a file that begins with a UTF-8 byte order mark (a user
review). Notepad and PowerShell's `Out-File -Encoding utf8` write one; it was
read as part of the first command ("'\\ufeffgrad' is not available in batch
mode", exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli


def test_a_leading_byte_order_mark_is_not_part_of_the_first_command(
    cli: Cli, tmp_path: Path
) -> None:
    jobs = tmp_path / "bom.txt"
    # EF BB BF is U+FEFF in UTF-8; the lines end in CRLF, as Windows writes
    # them. Only the file's first bytes can be a byte order mark: U+FEFF at the
    # start of line 2 is text, and that line stays an error
    jobs.write_bytes(
        b'\xef\xbb\xbfgrad "x**2" --at x=3 --timeout 60\r\n'
        b'\xef\xbb\xbfgrad "x**2" --at x=3 --timeout 60\r\n'
    )
    run = cli("batch", str(jobs))
    assert run.code == 2, run.out
    first, second = (json.loads(text) for text in run.out.splitlines())
    assert first["line"] == 1 and first["exit"] == 0
    # d/dx x**2 = 2x, 6 at x = 3
    (result,) = first["results"]
    assert result["symbolic"] == 6.0 and result["autograd"] == 6.0
    assert second["line"] == 2 and second["exit"] == 2
    assert "\ufeffgrad" in second["error"]
