"""`derivcli batch` reads a line's options once per line *shape* (issue 11, speed).

click took about 0.2 ms a line (its parser built, a dozen parameters converted
and checked), as much as parsing the expression. Lines that differ only in
their expressions and points (one shape) are now read by click once, and the
rest of them from that template; every line must still get exactly the
options click itself gives it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from conftest import Cli
from hypothesis import given
from hypothesis import strategies as st

from derivcli.commands import batch as batch_command
from derivcli.commands.app import command_tree, protect_leading_minus
from derivcli.commands.main import _usage_message
from derivcli.errors import InputError

# Lines of a few shapes, with values click must hand over untouched: a leading
# minus (guarded and restored), spaces, quotes, '=' and ',' inside a value, an
# empty value, text that looks like an option's value or like a placeholder.
LINES = [
    *[("grad", f"x**{n} + sin({n}*x)", "--at", f"x={n / 4}") for n in range(1, 30)],
    ("grad", "-x**2", "--at", "x=1"),
    ("grad", "-(x+cosh(x))", "--at", "x=-1"),
    ("grad", "x", "--at", "-1"),
    ("grad", "", "--at", "x=1"),
    ("grad", "x  *  y", "--at", "x=1, y=2"),
    ("grad", "\x000\x00", "--at", "x=1"),
    ("grad", "x", "--at=x=1", "--at", "x=2"),
    ("grad", "x", "-a", "x=1", "--dtype", "float32"),
    ("grad", "x", "-a", "x=2", "--dtype", "float32"),
    ("grad", "x", "--timeout", "60", "--at", "x=3"),
    ("partial", "u*v", "--wrt", "u", "--at", "u=1,v=2"),
    ("partial", "u*v", "--wrt", "v", "--at", "u=3,v=4"),
    ("partial", "u*v", "-w", "v", "-a", "u=1,v=2", "--order", "2"),
    ("hessian", "x*y", "--at", "x=1,y=2"),
    ("jacobian", "x*y", "x+y", "--at", "x=1,y=2"),
    ("jacobian", "x*y", "x-y", "--at", "x=3,y=4"),
]


def _click(args: tuple[str, ...]) -> dict[str, Any]:
    """What click itself reads from the line (the oracle): the command's own parser."""
    command = command_tree().commands[args[0]]
    with command.make_context(args[0], protect_leading_minus(list(args))[1:]) as ctx:
        return dict(ctx.params)


def test_lines_of_one_shape_are_read_by_click_once_and_as_click_reads_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch_command, "_OPTIONS", {})
    monkeypatch.setattr(batch_command, "_TEMPLATES", {}, raising=False)
    calls: list[str] = []
    for name in ("grad", "partial", "hessian", "jacobian"):
        command = command_tree().commands[name]
        parse = command.make_context

        def counted(*args: Any, parse: Any = parse, **kwargs: Any) -> Any:
            calls.append(args[0])
            return parse(*args, **kwargs)

        monkeypatch.setattr(command, "make_context", counted)
    read = [batch_command._options(line) for line in LINES]
    parsed_by_click = len(calls)
    monkeypatch.undo()
    for line, options in zip(LINES, read, strict=True):
        expected = _click(line)
        assert options == expected, line
        assert [type(v) for v in options.values()] == [type(v) for v in expected.values()], line
    # the values themselves, by hand
    assert read[0]["expression"] == "x**1 + sin(1*x)" and list(read[0]["at"]) == ["x=0.25"]
    assert read[29]["expression"] == "-x**2"
    assert list(read[31]["at"]) == ["-1"]
    assert read[34]["expression"] == "\x000\x00"
    assert list(read[35]["at"]) == ["x=1", "x=2"]
    assert list(read[36]["at"]) == ["x=1"] and str(read[36]["dtype"]).endswith("float32")
    assert list(read[41]["wrt"]) == ["v"] and read[41]["order"] == 2
    assert list(read[44]["expressions"]) == ["x*y", "x-y"]
    # 45 lines of 10 shapes (the empty expression and the two --dtype lines are
    # shapes of their own: their values take the same places as a neighbour's,
    # but the dtype is kept, and the empty text is a value like any other):
    # click reads each shape once, for its template, and no line besides
    # (it read every one of the 45 before)
    assert parsed_by_click <= 12, parsed_by_click


def test_a_value_an_option_converts_is_read_by_click_line_by_line() -> None:
    # --order takes a number: its value is part of the line's shape, so a line
    # whose value there is not a number is refused with click's own message
    # after lines of its shape were read with a number there
    assert batch_command._options(("grad", "x**3", "--order", "2"))["order"] == 2
    assert batch_command._options(("grad", "x**5", "--order", "3"))["order"] == 3
    with pytest.raises(InputError) as refused:
        batch_command._options(("grad", "x**4", "--order", "three"))
    assert refused.value.message == (
        "Invalid value for '--order' / '-n': 'three' is not a valid integer."
    )


def test_batch_answers_lines_of_one_shape_each_with_its_own_values(
    cli: Cli, tmp_path: Path
) -> None:
    jobs = tmp_path / "jobs.txt"
    jobs.write_text(
        'grad "x**2" --at x=3 --timeout 60\n'
        'grad "x**3" --at x=2 --timeout 60\n'
        'grad "-x**2" --at x=-1 --timeout 60\n'
        'partial "u*v" --wrt u --at u=1,v=2 --timeout 60\n'
        'partial "u*v" --wrt v --at u=1,v=2 --timeout 60\n'
        'grad "x**2" --order two --at x=1 --timeout 60\n'
    )
    run = cli("batch", str(jobs))
    assert run.code == 2 and run.err == ""
    objects = [json.loads(text) for text in run.out.splitlines()]
    assert [o["exit"] for o in objects] == [0, 0, 0, 0, 0, 2]
    # d/dx x**2 = 2x: 6 at 3; d/dx x**3 = 3x**2: 12 at 2; d/dx -x**2 = -2x: 2 at -1;
    # d/du u*v = v = 2; d/dv u*v = u = 1
    assert [o["results"][0]["symbolic"] for o in objects[:5]] == [6.0, 12.0, 2.0, 2.0, 1.0]
    assert [o["results"][0]["derivative"] for o in objects[:5]] == [
        "2*x",
        "3*x**2",
        "-2*x",
        "v",
        "u",
    ]
    assert [o["input"] for o in objects[:3]] == ["x**2", "x**3", "-x**2"]
    assert "'two' is not a valid integer" in objects[5]["error"]


_DASHED = st.sampled_from(
    [
        "--at", "-a", "--wrt", "-w", "--order", "-n", "--dtype", "--device", "--mesh",
        "--steps", "--timeout", "--rtol", "--atol", "--", "-", "--at=x=1", "--wrt=u",
        "-x", "-(x+1)", "-2", "--bogus", "-a=x=1",
    ]
)  # fmt: skip
_PLAIN = st.one_of(
    st.sampled_from(["2", "0", "float32", "cpu", "x=1", "u=1,v=2", "x", "u*v", "", " -x", "ä"]),
    st.text(alphabet="xuv 12=,.*()-\"'\x00", max_size=8),
)


@given(
    command=st.sampled_from(["grad", "partial", "hessian", "jacobian"]),
    rest=st.lists(st.one_of(_DASHED, _PLAIN), max_size=7),
)
def test_any_line_gets_the_options_click_gives_it(command: str, rest: list[str]) -> None:
    # Lines of every kind, read one after another with the templates of the
    # shapes met so far: each gets exactly what click itself reads from it,
    # or the error message the command alone gives (click's, in one line,
    # with grad --wrt and a glued short option explained)
    line = (command, *rest)
    try:
        expected: Any = _click(line)
    except click.UsageError as exc:
        expected = _usage_message(exc, command_tree().commands[command])
    try:
        got: Any = batch_command._options(line)
    except InputError as exc:
        got = exc.message
    assert got == expected
    if isinstance(expected, dict):
        assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]
