"""The command line through its real entry points.

Mostly ``derivcli.commands.main.main(argv) -> exit code`` in-process (the single error
edge), with stdout and stderr captured separately; a few real processes for
``python -m derivcli``, the ``derivcli`` console script and the start-up
imports.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Cli, assert_one_error_line

from derivcli import __version__
from derivcli.commands.app import command_tree

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parent.parent
HEAVY_MODULES = ("torch", "sympy", "symengine", "matplotlib")


def subcommands() -> list[str]:
    """Every subcommand registered on the Typer app (new ones are covered automatically)."""
    group = command_tree()
    return sorted(group.commands)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("FORCE_COLOR", None)
    env.update(extra)
    return env


def run_process(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env=_env(**env),
        stdin=subprocess.DEVNULL,
        check=False,
    )


# ---------------------------------------------------------------- version and help


def test_version(cli: Cli) -> None:
    run = cli("--version")
    assert (run.code, run.out, run.err) == (0, f"derivcli {__version__}\n", "")


def test_root_help(cli: Cli) -> None:
    run = cli("--help")
    assert run.code == 0 and run.err == ""
    assert "Usage: derivcli" in run.out
    assert "Exit codes" in run.out
    for name in subcommands():
        assert name in run.out
    assert cli("-h").out == run.out


def test_no_arguments_prints_help(cli: Cli) -> None:
    run = cli()
    assert run.code == 0 and run.err == ""
    assert "Usage: derivcli" in run.out


def test_root_help_has_examples(cli: Cli) -> None:
    assert "derivcli grad " in cli("--help").out


def test_the_core_commands_exist() -> None:
    assert {"grad", "partial", "functions"} <= set(subcommands())


@pytest.mark.parametrize("name", subcommands())
def test_every_subcommand_has_help_with_examples(cli: Cli, name: str) -> None:
    run = cli(name, "--help")
    assert run.code == 0, run.err
    assert run.err == ""
    assert f"Usage: derivcli {name}" in run.out
    assert "Example" in run.out
    assert f"derivcli {name}" in run.out.split("Example", 1)[1]


@pytest.mark.parametrize("name", ["grad", "partial"])
def test_computing_commands_document_exit_codes(cli: Cli, name: str) -> None:
    out = cli(name, "--help").out
    assert "Exit codes" in out
    for option in ("--at", "--order", "--device", "--dtype", "--format", "--rtol", "--atol"):
        assert option in out


def test_help_version_and_subcommand_help_import_no_engine() -> None:
    """--help, --version and each subcommand's --help load neither torch nor sympy/symengine."""
    script = f"""
import json, sys, io, contextlib
import typer
from derivcli.commands.app import command_tree
from derivcli.commands.main import main
names = sorted(command_tree().commands)
argvs = [["--help"], ["--version"], ["-h"]] + [[n, "--help"] for n in names]
report = []
for argv in argvs:
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    loaded = [m for m in {HEAVY_MODULES!r} if m in sys.modules]
    report.append([argv, code, loaded])
print(json.dumps(report))
"""
    proc = run_process(sys.executable, "-c", script)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(report) == 3 + len(subcommands())
    for argv, code, loaded in report:
        assert code == 0, argv
        assert loaded == [], f"{argv} imported {loaded}"


# ---------------------------------------------------------------- real processes


def test_python_dash_m() -> None:
    proc = run_process(sys.executable, "-m", "derivcli", "--version")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"derivcli {__version__}\n", "")
    proc = run_process(
        sys.executable, "-m", "derivcli", "grad", "x**2", "--at", "x=3", "--format", "plain"
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "6\n", "")


def _console_script() -> str:
    beside = Path(sys.executable).parent / "derivcli"
    found = str(beside) if beside.exists() else shutil.which("derivcli")
    if found is None:
        pytest.skip("the derivcli console script is not installed")
    return found


def test_console_script() -> None:
    exe = _console_script()
    proc = run_process(exe, "grad", "x**2+2*x+1", "--at", "x=2", "--format", "plain")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "6\n", "")
    proc = run_process(exe, "--version")
    assert proc.stdout == f"derivcli {__version__}\n"


def test_console_script_error_is_one_line_and_exit_2() -> None:
    proc = run_process(_console_script(), "grad", "x +", "--at", "x=1")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_one_error_line(proc.stderr)
    assert "column" in proc.stderr


def test_piped_table_has_no_escape_codes_even_with_a_colour_terminal() -> None:
    proc = run_process(
        sys.executable,
        "-m",
        "derivcli",
        "grad",
        "relu(x)",
        "--at",
        "x=0",
        TERM="xterm-256color",
        COLORTERM="truecolor",
    )
    assert proc.returncode == 1
    assert "\x1b" not in proc.stdout and "\x1b" not in proc.stderr
    assert "heaviside(x)" in proc.stdout


# ---------------------------------------------------------------- JSON contract

TOP_KEYS = {"expression", "device", "dtype", "results"}
RESULT_KEYS = {
    "wrt",
    "order",
    "derivative",
    "point",
    "symbolic",
    "autograd",
    "agree",
    "differentiable",
    "left",
    "right",
    "note",
}


def test_json_schema(cli: Cli) -> None:
    run = cli("grad", "u*v+u**2", "--at", "u=1,v=2", "--format", "json")
    assert run.code == 0 and run.err == ""
    assert run.out.endswith("\n") and run.out.count("\n") == 1  # one JSON document
    doc = run.json()
    assert TOP_KEYS <= set(doc)
    assert doc["expression"] == "u*v + u**2"
    assert (doc["device"], doc["dtype"]) == ("cpu", "float64")
    assert len(doc["results"]) == 2
    for result, (wrt, closed, val) in zip(
        doc["results"], [("u", "2*u + v", 4.0), ("v", "u", 1.0)], strict=True
    ):
        assert RESULT_KEYS <= set(result)
        assert result["wrt"] == wrt and result["order"] == 1
        assert result["derivative"] == closed
        assert result["point"] == {"u": 1.0, "v": 2.0}
        assert result["symbolic"] == val and result["autograd"] == val
        assert result["agree"] is True
        assert result["differentiable"] is True
        assert result["left"] is None and result["right"] is None


def test_json_without_point_checks_samples(cli: Cli) -> None:
    run = cli("partial", "u*v+u**2", "--wrt", "u", "--format", "json")
    assert run.code == 0, run.err
    (result,) = run.json()["results"]
    assert RESULT_KEYS <= set(result)
    assert result["derivative"] == "2*u + v"
    assert result["point"] is None and result["symbolic"] is None
    assert result["agree"] is True
    assert "sample" in result["note"]


def test_json_dtype_and_tolerance_options(cli: Cli) -> None:
    doc = cli("grad", "x**3", "--at", "x=2", "--dtype", "float32", "-f", "json").json()
    assert doc["dtype"] == "float32"
    assert doc["results"][0]["autograd"] == 12.0
    doc = cli("grad", "x**3", "--at", "x=2", "--rtol", "0", "--atol", "0", "-f", "json").json()
    assert doc["results"][0]["agree"] is True


def test_json_mixed_partial_and_order(cli: Cli) -> None:
    run = cli(
        "partial", "u*v+(u*v)**2", "--wrt", "u", "--wrt", "v", "--at", "u=2,v=1", "-f", "json"
    )
    assert run.code == 0, run.err
    (result,) = run.json()["results"]
    assert result["order"] == 2 and result["symbolic"] == 9.0 and result["autograd"] == 9.0
    run = cli("grad", "x**3", "--order", "2", "--at", "x=2", "-f", "json")
    (result,) = run.json()["results"]
    assert (result["order"], result["derivative"], result["symbolic"]) == (2, "6*x", 12.0)


def test_json_non_finite_numbers_stay_valid_json(cli: Cli) -> None:
    run = cli("grad", "sqrt(x)", "--at", "x=0", "-f", "json")
    assert run.code == 1
    json.loads(run.out, parse_constant=pytest.fail)  # no bare NaN/Infinity


def test_streamed_json_is_the_same_document(cli: Cli) -> None:
    # JSON is written result by result (a grid's can be hundreds of MB); the
    # pieces must still make exactly the document json.dumps would.
    from derivcli import render
    from derivcli.compare import compute
    from derivcli.language.parser import parse
    from derivcli.language.points import parse_at
    from derivcli.options import Settings

    expression = parse("abs(x) + u*x")
    points = parse_at(["x=-1:1:5,u=2"], expression.variables)
    for report in (
        compute(expression, [("x",), ("u",)], points, Settings()),
        compute(expression, [("x",)], None, Settings()),
        compute(expression, [], points, Settings()),
    ):
        whole = json.dumps(render.report_json(report), allow_nan=False)
        assert "".join(render.iter_json(report)) == whole
    run = cli("grad", "abs(x) + u*x", "--at", "x=-1:1:5,u=2", "-f", "json")
    assert json.loads(run.out) == render.report_json(
        compute(expression, [("u",), ("x",)], points, Settings())
    )


# ---------------------------------------------------------------- plain


@pytest.mark.parametrize(
    ("args", "out"),
    [
        (["grad", "x**2", "--at", "x=3"], "6\n"),
        (["grad", "x**2+2*x+1", "--at", "x=2"], "6\n"),
        (["grad", "u*v+u**2", "--at", "u=1,v=2"], "4\n1\n"),
        (["partial", "u*v+u**2", "--wrt", "v", "--at", "u=1,v=2"], "1\n"),
        (["partial", "u*v+u**2", "--wrt", "u"], "2*u + v\n"),
        (["grad", "x**3", "-n", "2", "--at", "x=2"], "12\n"),
        (["grad", "x**2", "--at", "x=-1:1:3"], "-2\n0\n2\n"),
        (["grad", "x**2", "--at", "x=1", "--at", "x=2"], "2\n4\n"),
        (["grad", "x**2", "--at", "x=pi/4"], "1.5707963267948966\n"),
        # expressions starting with '-' are expressions, not option clusters
        (["grad", "-x**2", "--at", "x=1"], "-2\n"),
        (["grad", "-(x+cosh(x))", "--at", "x=0"], "-1\n"),  # holds -h
        (["grad", "--at", "x=1", "-n", "2", "-x**3"], "-6\n"),
        (["partial", "-u*v", "--wrt", "u", "--at", "u=1,v=2"], "-2\n"),
        # exactly a short option, or starting with --: after '--', as in any Unix tool
        (["grad", "--at", "a=1", "--", "-a"], "-1\n"),
        (["grad", "--at", "x=1", "--", "--x"], "1\n"),
    ],
)
def test_plain(cli: Cli, args: list[str], out: str) -> None:
    run = cli(args[0], "--format", "plain", *args[1:])
    assert (run.code, run.out, run.err) == (0, out, "")


# ---------------------------------------------------------------- exit codes


def test_exit_0_table(cli: Cli) -> None:
    run = cli("grad", "x**2+2*x+1", "--at", "x=2")
    assert run.code == 0 and run.err == ""
    for text in ("2*x + 2", "6", "6.0", "agree"):
        assert text in run.out


def test_exit_1_not_differentiable(cli: Cli) -> None:
    run = cli("grad", "relu(x)", "--at", "x=0", "-f", "json")
    assert run.code == 1 and run.err == ""
    (result,) = run.json()["results"]
    assert result["differentiable"] is False


def test_exit_1_disagreement(cli: Cli) -> None:
    # float32 autograd cannot equal the float64 closed form exactly.
    args = ["grad", "sin(x)", "--at", "x=0.7", "--dtype", "float32", "--rtol", "0", "--atol", "0"]
    run = cli(*args, "-f", "json")
    assert run.code == 1 and run.err == ""
    (result,) = run.json()["results"]
    assert result["agree"] is False and result["differentiable"] is True
    assert result["verdict"] == "DISAGREE"
    assert cli(*args).code == 1


def test_exit_codes_of_results() -> None:
    from derivcli.results import DerivativeResult

    def result(**kw: object) -> DerivativeResult:
        base: dict[str, object] = dict(
            wrt=("x",), derivative="1", point=None, symbolic=1.0, autograd=1.0, agree=True
        )
        base.update(kw)
        return DerivativeResult(**base)  # type: ignore[arg-type]

    assert result().exit_code == 0
    assert result(agree=False).exit_code == 1
    assert result(differentiable=False).exit_code == 1
    assert result(derivative=None, agree=None).exit_code == 3


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["grad", "x +", "--at", "x=1"], "column 4"),
        (["grad", "1/2x", "--at", "x=1"], "column 3"),
        (["grad", "sin(x", "--at", "x=1"], "column 4"),
        (["grad", "foo(x)", "--at", "x=1"], "unknown function 'foo'"),
        (["grad", "x**2", "--at", "x=1", "--format", "yaml"], "--format"),
        (["grad", "x**2", "--at", "x=1", "--dtype", "float16"], "--dtype"),
        (["grad", "x**2", "--at", "x=1", "--device", "tpu"], "--device"),
        (["grad", "x**2", "--bogus"], "--bogus"),
        (["grad"], "EXPRESSION"),
        (["partial", "x**2", "--at", "x=1"], "--wrt"),
        (["frobnicate"], "frobnicate"),
        (["grad", "3+4", "--at", "x=1"], "no variables"),
        (["grad", "x**2", "--at", "x=1", "--rtol", "-1"], "--rtol"),
        (["grad", "x**2", "--at", "x=1", "--atol", "inf"], "--atol"),
        (["grad", "x**2", "--at", "x=1", "--timeout", "0"], "--timeout"),
        # Python's spellings of a number in --at say what to write, as in the expression
        (["grad", "x**2", "--at", "x=0x1F"], "--at x=0x1F: '0x1F': hexadecimal numbers are"),
        (["grad", "x**2", "--at", "x=2*0x1F"], "not part of the language; write 31 at column 3"),
        (["grad", "x**2", "--at", "x=1_000.5"], "'_' between digits is not part of the language"),
        (["grad", "x**2", "--at", "x=pi*0b102"], "('2' is no binary digit)"),
    ],
)
def test_exit_2_bad_input_one_line(cli: Cli, args: list[str], words: str) -> None:
    run = cli(*args)
    assert run.code == 2
    assert run.out == ""
    assert words in run.error


def test_exit_3_cuda_unavailable(cli: Cli) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is available here")
    run = cli("grad", "x**2", "--at", "x=1", "--device", "cuda")
    assert run.code == 3
    assert run.out == ""
    assert "cuda" in run.error


@pytest.mark.gpu
def test_cuda_for_real(cli: Cli) -> None:
    run = cli("grad", "sin(x)*exp(x) + relu(x)", "--at", "x=0.3", "--device", "cuda", "-f", "json")
    assert run.code == 0, run.err
    doc = run.json()
    assert doc["device"] == "cuda"
    assert doc["results"][0]["agree"] is True
    run = cli("grad", "x**3", "-n", "2", "--at", "x=-2:2:1001", "--device", "cuda", "-f", "plain")
    assert run.code == 0, run.err
    assert len(run.out.splitlines()) == 1001


# ---------------------------------------------------------------- table rendering


def _render(expr: str, at: str, width: int) -> str:
    from rich.console import Console

    from derivcli.compare import compute
    from derivcli.language.parser import parse
    from derivcli.language.points import parse_at
    from derivcli.options import Settings
    from derivcli.render import build_table

    expression = parse(expr)
    derivatives = [(v,) for v in expression.variables]
    report = compute(expression, derivatives, parse_at([at], expression.variables), Settings())
    console = Console(width=width, color_system=None, file=io.StringIO())
    console.print(build_table(report))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def test_a_large_value_rounded_for_the_table_does_not_look_exact() -> None:
    # 7 significant digits: 123456789.123 is 1.234568e+08, never "123456800"
    rendered = _render("x**2", "x=123456789.123", 120)
    assert "x=1.234568e+08" in rendered and "2.469136e+08" in rendered
    assert "123456800" not in rendered and "246913600" not in rendered
    assert "x=2.5" in _render("x**2", "x=2.5", 120)  # short values stay as they are


def test_golden_table() -> None:
    rendered = _render("x**2+2*x+1", "x=2", 100)
    golden = GOLDEN / "grad_table.txt"
    if os.environ.get("DERIVCLI_UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("expr", "at", "needed"),
    [
        ("sin(x)", "x=0.7", ["cos(x)", "0.76484", "verdict"]),
        ("sin(x)*y", "x=0.7,y=0.123456789", ["y*cos(x)", "sin(x)", "0.64421", "verdict"]),
    ],
)
def test_table_at_80_columns_keeps_every_column(expr: str, at: str, needed: list[str]) -> None:
    """80 columns is Rich's width when stdout is not a terminal (pipes, CI logs)."""
    rendered = _render(expr, at, 80)
    for text in needed:
        assert text in rendered
    rows = len(parse_variables(expr))
    assert rendered.count("│ agree") == rows
    assert all(len(line) <= 80 for line in rendered.splitlines())


def parse_variables(expr: str) -> tuple[str, ...]:
    from derivcli.language.parser import parse

    return parse(expr).variables


@pytest.mark.parametrize("no_color", [True, False])
def test_no_escape_codes_when_captured(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    for args in (["grad", "relu(x)", "--at", "x=0"], ["grad", "x**2", "--at", "x=1"]):
        run = cli(*args)
        assert "\x1b" not in run.out and "\x1b" not in run.err
    run = cli("grad", "x +")
    assert "\x1b" not in run.err


# ---------------------------------------------------------------- functions


def test_functions_lists_the_table(cli: Cli) -> None:
    from derivcli.language.functions import CONSTANTS, function_names

    run = cli("functions")
    assert run.code == 0 and run.err == ""
    for name in function_names():
        assert f"{name}(" in run.out
    for constant in CONSTANTS:
        assert constant.name in run.out
    assert "torch.nn.functional.relu" in run.out


def test_long_grid_keeps_the_row_its_note_names(cli: Cli) -> None:
    # sin'(x) differs from autograd by the same 5.55e-17 at x and -x: the row
    # kept in the table and the point the note names must be the same one.
    run = cli("grad", "sin(x)", "--at", "x=-3:3:1000")
    assert run.code == 0, run.err
    note = next(line for line in run.out.splitlines() if "largest |difference|" in line)
    where = note.rsplit(" at ", 1)[1].strip()
    rows = [line for line in run.out.splitlines() if "│" in line]
    assert any(f" {where} " in row for row in rows), (where, rows)
