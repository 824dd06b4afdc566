"""The interface at its borders: options, help, pipes, batch lines, messages."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Cli

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def test_an_unknown_top_level_option_is_an_error(cli: Cli) -> None:
    run = cli("-v", "grad", "x**2", "--at", "x=1")
    assert run.code == 2 and run.out == ""
    assert run.error.startswith("No such option: -v")


def test_help_command_is_the_same_as_the_help_option(cli: Cli) -> None:
    by_command = cli("help", "grad")
    by_option = cli("grad", "--help")
    assert by_command.code == by_option.code == 0
    assert by_command.out.strip() == by_option.out.strip()
    assert "Usage: derivcli grad" in by_command.out
    assert "Usage: derivcli" in cli("help").out
    run = cli("help", "nope")
    assert run.code == 2 and "there is no command 'nope'" in run.error


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o default -F _derivcli_completion derivcli"),
        ("zsh", "#compdef derivcli"),
    ],
)
def test_shell_completion_is_offered_for_a_named_shell(cli: Cli, shell: str, marker: str) -> None:
    # named, the shell is not guessed from the process's parents (a CI runner has none)
    run = cli("--show-completion", shell)
    assert run.code == 0 and run.err == ""
    assert marker in run.out and "_DERIVCLI_COMPLETE" in run.out


def test_shell_completion_for_an_unknown_shell_is_refused(cli: Cli) -> None:
    run = cli("--show-completion", "tcsh")
    assert run.code == 2 and run.out == ""
    assert run.err == (
        "derivcli: error: --show-completion tcsh: no completion for that shell "
        "(one of: bash, zsh, fish, powershell, pwsh)\n"
    )


def test_shell_completion_without_a_detectable_shell_says_so(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shellingham  # type: ignore[import-untyped]

    def undetectable(*args: object, **kwargs: object) -> tuple[str, str]:
        raise shellingham.ShellDetectionFailure()

    monkeypatch.setattr(shellingham, "detect_shell", undetectable)
    run = cli("--show-completion")
    assert run.code == 2 and run.out == ""
    assert run.err == (
        "derivcli: error: --show-completion: cannot tell which shell this is (none among "
        "this process's parents); name it: derivcli --show-completion SHELL "
        "(bash, zsh, fish, powershell, pwsh)\n"
    )


def test_the_process_ends_with_all_of_its_output_written(tmp_path: Path) -> None:
    """The command line exits without tearing the interpreter down (os._exit):
    what it wrote must still all be in the file, and the exit code be its own."""
    out = tmp_path / "out.json"
    with out.open("w") as handle:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "derivcli",
                "grad",
                "relu(x)",
                "--at",
                "x=-1:1:3000",
                "--at",
                "x=0",
                "-f",
                "json",
                "--timeout",
                "60",
            ],
            stdout=handle,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert run.returncode == 1 and run.stderr == ""  # relu at 0: not differentiable
    assert len(json.loads(out.read_text())["results"]) == 3001


def test_a_closed_stdout_ends_quietly_as_unix_tools_do(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.txt"
    # more answers than a pipe holds (64 KiB), so a write surely meets the closed
    # pipe however fast head exits (40 lines fit, and under load or with the
    # cache's speed all of them could be written before head closed: exit 0)
    jobs.write_text('grad "x**2" --at x=1\n' * 1000)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    script = (
        f"{sys.executable} -m derivcli batch {jobs} | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    )
    run = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.stdout.strip() == "141"  # 128 + SIGPIPE, not 1 ("disagree")
    assert run.stderr == ""


def test_batch_lines_take_comments_and_refuse_a_format(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    lines = 'grad "x**2" --at x=3  # the classic\ngrad "x**2" --at x=3 --format table\n'
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    run = cli("batch")
    first, second = (json.loads(line) for line in run.out.splitlines())
    assert first["exit"] == 0 and first["results"][0]["symbolic"] == 6.0
    assert second == {
        "line": 2,
        "exit": 2,
        "error": "--format is not available in batch mode: every line is answered in JSON",
    }


def test_a_batch_line_with_the_program_name_gets_a_hint(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO('derivcli grad "x" --at x=1\n'))
    (line,) = (json.loads(text) for text in cli("batch").out.splitlines())
    assert "without the program name" in line["error"]


def test_each_at_is_a_whole_point(cli: Cli) -> None:
    run = cli("grad", "x*y", "--at", "x=1", "--at", "y=2")
    assert run.code == 2
    assert "each --at is a whole point" in run.error


def test_mesh_makes_every_combination(cli: Cli) -> None:
    paired = cli("grad", "x*y", "--at", "x=0:1:3,y=0:1:3", "-f", "json").json()["results"]
    mesh = cli("grad", "x*y", "--at", "x=0:1:3,y=0:1:3", "--mesh", "-f", "json").json()["results"]
    assert len(paired) == 2 * 3 and len(mesh) == 2 * 9
    points = [(r["point"]["x"], r["point"]["y"]) for r in mesh[:9]]
    assert points == [(x, y) for x in (0.0, 0.5, 1.0) for y in (0.0, 0.5, 1.0)]
    assert [r["symbolic"] for r in mesh[:9]] == [y for _, y in points]  # d/dx x*y = y
    run = cli("grad", "x*y", "--at", "x=0:1:3,y=0:1:4")
    assert run.code == 2 and "--mesh" in run.error


def test_check_function_takes_one_input(cli: Cli) -> None:
    run = cli("check-function", f"{FIXTURES / 'two_inputs.py'}:MyMul", "--expr", "x**2")
    assert run.code == 2
    assert "MyMul.forward takes 2 inputs (a, b)" in run.error


def test_check_function_names_the_variable(cli: Cli) -> None:
    run = cli("check-function", f"{FIXTURES / 'square_ok.py'}:MySquare", "--expr", "t**2")
    assert run.code == 0, run.err
    # the title wraps where the terminal ends, which depends on the fixture's path
    words = " ".join(run.out.split())
    assert "against f(t) = t**2" in words and "f'(t) = 2*t" in words


def test_check_function_short_timeout_names_the_closed_form(cli: Cli) -> None:
    # differentiating 599 factors takes about 0.05 s, 50 times the 0.001 s budget,
    # so the worker's own check after it always fires (59 factors once finished
    # within a 0.01 s budget on a loaded machine, and the check came too late)
    expression = "*".join(f"sin({k}*x)" for k in range(1, 600))
    run = cli(
        "check-function",
        f"{FIXTURES / 'square_ok.py'}:MySquare",
        "--expr",
        expression,
        "--timeout",
        "0.001",
    )
    assert run.code == 3
    assert "closed form" in run.error and "hang" not in run.error


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["check", "x**2", "--answer", "2*x"], "points agree"),
        (["grad", "x**2", "--at", "x=1"], "agree"),
    ],
)
def test_no_plural_for_one(cli: Cli, args: list[str], text: str) -> None:
    run = cli(*args)
    assert run.code == 0
    assert "1 points" not in run.out and "the 1 points" not in run.out


def test_plurals_in_a_single_point_check_function(cli: Cli) -> None:
    run = cli(
        "check-function", f"{FIXTURES / 'square_ok.py'}:MySquare", "--expr", "x**2", "--at", "x=3"
    )
    assert run.code == 0, run.err
    assert "1 points" not in run.out and "at the one point" in run.out.replace("\n", " ")


def test_graph_plain_gives_each_leaf_s_grad(cli: Cli) -> None:
    run = cli("graph", "x**2+y", "--at", "x=3,y=1", "-f", "plain")
    assert (run.code, run.out) == (0, "x.grad = 6\ny.grad = 1\n")


def test_graph_device_cuda_without_cuda(cli: Cli) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is visible")
    run = cli("graph", "x**2", "--at", "x=1", "--device", "cuda")
    assert run.code == 3 and "--device cuda" in run.error


def test_plot_json_has_the_sampled_values_and_the_kinks(cli: Cli) -> None:
    run = cli("plot", "relu(x)", "--range", "-1:1", "--points", "5", "-f", "json")
    assert run.code == 1
    doc = run.json()
    assert doc["x"] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert doc["f"] == [0.0, 0.0, 0.0, 0.5, 1.0]
    assert doc["autograd"] == [0.0, 0.0, 0.0, 1.0, 1.0]
    # relu's slopes are 0 left of 0 and 1 right of it
    assert doc["kinks"] == [
        {
            "x": 0.0,
            "at_float": True,
            "differentiable": False,
            "left": 0.0,
            "right": 1.0,
            "note": None,
        }
    ]
    assert doc["exit"] == 1 and doc["summary"].startswith("d/dx of relu(x)")


def test_plot_in_a_terminal_honours_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from derivcli.plot import compute_plot

    data = compute_plot("x**2", wrt=None, range_text="-1:1", points=11, at=None, timeout=5.0)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in data.rich()
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" in data.rich()


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_the_verdict_is_readable_at_any_width(width: int) -> None:
    """The closed form wraps, or each result becomes a block: never a cut verdict."""
    from rich.console import Console

    from derivcli.api import grad

    report = grad("x**2*sin(x) + relu(x) + tanh(3*x+1)*x**5", at="x=-0.5:0.5:3")
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(report.rich())
    text = console.export_text()
    assert all(len(line) <= width for line in text.splitlines())
    flat = " ".join(text.split())
    assert flat.count("not differentiable") == 1 and flat.count("agree") >= 2


def test_graph_code_lines_are_never_cut() -> None:
    from rich.console import Console

    from derivcli.api import graph

    g = graph("max(x, 1)*sin(x)", at="x=2")
    console = Console(width=40, record=True, file=io.StringIO())
    console.print(g.rich(), crop=False)
    text = console.export_text()
    for line in g.code:
        assert line in text.replace("\n", "")


def test_a_mistyped_command_gets_a_suggestion(cli: Cli) -> None:
    run = cli("gradd", "x")
    assert run.code == 2 and run.out == ""
    assert run.err == (
        "derivcli: error: No such command 'gradd'. Did you mean 'grad'? (see 'derivcli --help')\n"
    )


def test_grad_with_wrt_points_to_partial(cli: Cli) -> None:
    run = cli("grad", "x*y", "--wrt", "x", "--at", "x=1,y=1")
    assert run.code == 2 and run.out == ""
    assert "use 'derivcli partial EXPR --wrt NAME'" in run.err


@pytest.mark.parametrize(
    "args",
    [
        ("grad", "x**2", "--at", "x=1"),
        ("partial", "x*y", "--wrt", "x", "--at", "x=1,y=2"),
        ("check", "x**2", "--answer", "2*x"),
    ],
)
def test_steps_with_plain_output_is_refused_not_dropped(cli: Cli, args: tuple[str, ...]) -> None:
    run = cli(*args, "--steps", "--format", "plain")
    assert run.code == 2 and run.out == ""
    assert "--steps: --format plain is one bare value per result" in run.err
