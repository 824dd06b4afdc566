"""derivcli batch: one JSON object per input line, streamed, through the real entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from derivcli.commands.main import main

LINES = [
    'grad "x**2" --at x=3',
    "# a comment",
    "",
    'partial "u*v+u**2" --wrt u --at u=1,v=2',
    'grad "relu(x)" --at x=0',
    'grad "sin(" --at x=1',
    "plot x --range 0:1",
    'grad "x" --at "x=1',
    "grad --help",
    'grad "x**2" --at x=3',
]


def run_batch(
    text: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, list[dict[str, Any]], str]:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code = main(["batch"])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_one_object_per_command_line_in_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, objects, err = run_batch("\n".join(LINES) + "\n", capsys, monkeypatch)
    assert err == ""
    assert [o["line"] for o in objects] == [1, 4, 5, 6, 7, 8, 9, 10]
    assert [o["exit"] for o in objects] == [0, 0, 1, 2, 2, 2, 2, 0]
    assert code == 2  # the worst line
    first = objects[0]
    assert first["results"][0]["derivative"] == "2*x"
    assert first["results"][0]["symbolic"] == 6.0
    assert objects[-1]["results"] == first["results"]  # a repeated line, the same answer
    partial = objects[1]["results"][0]
    assert (partial["derivative"], partial["autograd"]) == ("2*u + v", 4.0)
    assert objects[2]["results"][0]["verdict"] == "not differentiable"
    errors = {o["line"]: o["error"] for o in objects if "error" in o}
    assert set(errors) == {6, 7, 8, 9}
    assert "column" in errors[6]
    assert "not available in batch mode" in errors[7]
    assert "quotation" in errors[8]
    assert "--help" in errors[9]


def test_same_object_as_format_json_plus_line_and_exit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["partial", "u*v+u**2", "--wrt", "v", "--at", "u=1,v=2", "-f", "json"]) == 0
    single = json.loads(capsys.readouterr().out)
    _, (obj,), _ = run_batch('partial "u*v+u**2" --wrt v --at u=1,v=2\n', capsys, monkeypatch)
    assert obj.pop("line") == 1 and obj.pop("exit") == 0
    assert obj == single


def test_a_file_with_undecodable_bytes_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs = tmp_path / "jobs.txt"
    jobs.write_bytes(b'grad "x**2" --at x=3\n\xff\ngrad "x**3" --at x=1\n')
    code = main(["batch", str(jobs)])
    objects = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["exit"] for o in objects] == [0, 2, 0]
    assert code == 2


def test_missing_file_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["batch", str(tmp_path / "nope.txt")])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith("derivcli: error: batch: cannot read")
    assert captured.err.count("\n") == 1
