"""`derivcli check-function`: test a user's torch.autograd.Function."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from derivcli.autograd.check_function import IGNORES_GRAD_OUTPUT
from derivcli.commands.main import main

FIXTURES = Path(__file__).parent / "fixtures"


def target(name: str, cls: str) -> str:
    return f"{FIXTURES / name}:{cls}"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check-function", *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run(capsys, *args, "--format", "json")
    assert err == ""
    return code, json.loads(out)


def verdicts(data: dict[str, Any]) -> dict[str, bool]:
    return {row["name"]: row["passed"] for row in data["checks"]}


BACKWARD = [
    "backward, grad_output = 1",
    "backward, grad_output = 2.5",
    "backward, grad_output = -0.75",
]


def test_correct_square_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, target("square_ok.py", "MySquare"), "--expr", "x**2")
    assert code == 0
    assert err == ""
    for name in ["forward", "backward", "grad_output", "gradcheck"]:
        assert name in out  # (the check names wrap inside their column)
    assert "FAIL" not in out
    assert "f'(x) = 2*x" in out


def test_correct_square_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(
        capsys,
        target("square_ok.py", "MySquare"),
        "--expr",
        "x**2",
        "--at",
        "x=3",
        "--at",
        "x=-1.5",
    )
    assert code == 0
    assert data["passed"] is True
    assert data["derivative"] == "2*x"
    assert data["diagnosis"] is None
    assert verdicts(data) == {name: True for name in ["forward", *BACKWARD, "gradcheck"]}
    backward = data["checks"][2]
    assert backward["grad_output"] == 2.5
    assert backward["points"] == [
        {"x": 3.0, "expected": 15.0, "got": 15.0, "agree": True},
        {"x": -1.5, "expected": -7.5, "got": -7.5, "agree": True},
    ]


def test_backward_ignoring_grad_output_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, target("square_ignores_grad.py", "MySquare"), "--expr", "x**2")
    assert code == 1
    assert data["passed"] is False
    # passes with upstream gradient 1, fails with the others
    assert verdicts(data) == {
        "forward": True,
        BACKWARD[0]: True,
        BACKWARD[1]: False,
        BACKWARD[2]: False,
        "gradcheck": False,
    }
    assert data["diagnosis"] == IGNORES_GRAD_OUTPUT


def test_backward_ignoring_grad_output_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, target("square_ignores_grad.py", "MySquare"), "--expr", "x**2", "--at", "x=2"
    )
    assert code == 1
    assert err == ""
    assert "backward ignores grad_output" in out
    assert "FAIL" in out
    assert "got 4, expected 10" in out


def test_backward_off_by_a_constant_factor(capsys: pytest.CaptureFixture[str]) -> None:
    # grad_output * i is half of grad_output * 2 * i
    code, data = run_json(capsys, target("square_wrong.py", "MySquare"), "--expr", "x**2")
    assert code == 1
    assert not any(verdicts(data)[name] for name in BACKWARD)
    assert verdicts(data)["forward"] is True
    assert data["diagnosis"] == (
        "backward is off by a constant factor: it returns 0.5 * grad_output * f'(x)"
    )


def test_a_small_offset_is_not_called_a_constant_factor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # g*2*x + 1e-6 against g*2*x: the ratio is 1 + 1e-6/(2*g*x), above 1 where
    # g*x > 0 and below where g*x < 0 (the spot points have both signs), so no
    # single c makes got = c * expected. Ratios within 1e-4 of each other were
    # called "off by a constant factor 1.000001351" (a hunt)
    code, data = run_json(capsys, target("square_wrong.py", "SmallOffset"), "--expr", "x**2")
    assert code == 1
    ratios = [
        p["got"] / p["expected"]
        for row in data["checks"]
        if row["kind"] == "backward"
        for p in row["points"]
        if p["expected"]
    ]
    assert min(ratios) < 1 < max(ratios)
    assert data["diagnosis"] == "backward is wrong: it does not return grad_output * f'(x)"


def test_a_forward_that_is_not_elementwise_fails_on_the_vector(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # (i**2).sum() of one number is i**2, and as a function of the vector its
    # backward is right (gradcheck passes), but x**2 of 5 points is 5 values
    code, data = run_json(capsys, target("square_wrong.py", "Summed"), "--expr", "x**2")
    assert code == 1
    (row,) = [r for r in data["checks"] if r["kind"] == "gradcheck"]
    assert row["passed"] is False
    assert "forward returns shape [] for an input of shape [5]" in row["detail"]
    assert all(r["passed"] for r in data["checks"] if r["kind"] != "gradcheck")


def test_the_report_s_exit_code_is_the_command_s() -> None:
    import derivcli
    from derivcli.errors import ExitCode

    good = derivcli.check_function(target("square_ok.py", "MySquare"), expr="x**2")
    bad = derivcli.check_function(target("square_wrong.py", "MySquare"), expr="x**2")
    assert (good.exit_code, bad.exit_code) == (ExitCode.OK, ExitCode.DISAGREE)
    assert derivcli.graph("x**2", at="x=3").exit_code == ExitCode.OK


def test_backward_wrong_entirely(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, target("square_wrong.py", "WrongEntirely"), "--expr", "x**2")
    assert code == 1
    assert data["diagnosis"] == "backward is wrong: it does not return grad_output * f'(x)"


def test_a_backward_returning_0_is_not_said_to_ignore_grad_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # ZeroAtOne returns 0 at x = 1, where f'(1) = 2 (by hand): at that point alone
    # every upstream gradient gets 0, which is no sign of ignoring it
    code, data = run_json(
        capsys, target("square_wrong.py", "ZeroAtOne"), "--expr", "x**2", "--at", "x=1"
    )
    assert code == 1
    assert data["diagnosis"] == "backward returns 0 where f'(x) is not 0"


def test_wrong_forward(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(
        capsys, target("square_wrong.py", "WrongForward"), "--expr", "x**2", "--at", "x=2"
    )
    assert code == 1
    assert verdicts(data)["forward"] is False
    assert all(verdicts(data)[name] for name in BACKWARD)
    assert data["checks"][0]["points"] == [{"x": 2.0, "expected": 4.0, "got": 8.0, "agree": False}]
    assert "forward does not compute the expression" in data["diagnosis"]


def test_backward_that_raises_is_a_failed_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(
        capsys, target("square_wrong.py", "RaisesInBackward"), "--expr", "x**2", "--at", "x=2"
    )
    assert code == 1
    row = data["checks"][1]
    assert row["passed"] is False
    assert "NotImplementedError: backward is not written yet" in row["detail"]
    assert row["points"][0]["got"] is None


def test_the_right_function_for_another_expression_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, data = run_json(capsys, target("square_ok.py", "MySquare"), "--expr", "x**3")
    assert code == 1
    assert data["passed"] is False


def test_kinks_are_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(
        capsys, target("relu_ok.py", "MyReLU"), "--expr", "relu(x)", "--at", "x=-2:2:5"
    )
    assert code == 0
    assert [p["x"] for p in data["checks"][0]["points"]] == [-2.0, -1.0, 1.0, 2.0]
    assert data["notes"] == ["skipped x=0: kink of relu"]


def test_plain_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, target("square_ok.py", "MySquare"), "--expr", "x**2", "-f", "plain") == (
        0,
        "pass\n",
        "",
    )
    assert run(
        capsys, target("square_ignores_grad.py", "MySquare"), "--expr", "x**2", "-f", "plain"
    ) == (1, "fail\n", "")


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("spec", "expr", "message"),
    [
        ("nofile.py:MySquare", "x**2", "nofile.py: no such file"),
        (
            "raises_on_import.py:MySquare",
            "x**2",
            "importing it failed: RuntimeError: this lab file is broken on purpose",
        ),
        ("square_ok.py:Nope", "x**2", "no class 'Nope' (Function classes there: MySquare)"),
        (
            "not_a_function.py:MySquare",
            "x**2",
            "'MySquare' is not a torch.autograd.Function subclass",
        ),
        ("not_a_function.py:Plain", "x**2", "'Plain' is not a torch.autograd.Function subclass"),
        ("square_wrong.py:NOT_A_CLASS", "x**2", "'NOT_A_CLASS' is not a class"),
        ("square_ok.py:MySquare", "x*y", "must have exactly one variable"),
        ("square_ok.py:MySquare", "3", "must have exactly one variable"),
        ("square_ok.py:MySquare", "foo(x)", "unknown function 'foo'"),
    ],
)
def test_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], spec: str, expr: str, message: str
) -> None:
    path, _, cls = spec.partition(":")
    code, out, err = run(capsys, target(path, cls), "--expr", expr)
    assert code == 2
    assert out == ""
    assert err.startswith("derivcli: error: ")
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "spec", ["square_ok.py", "square_ok.py:", ":MySquare", "square_ok.py:My-Square"]
)
def test_malformed_target_exits_2(capsys: pytest.CaptureFixture[str], spec: str) -> None:
    arg = spec if spec.startswith(":") else str(FIXTURES / spec)
    code, out, err = run(capsys, arg, "--expr", "x**2")
    assert code == 2
    assert out == ""
    assert err.startswith("derivcli: error: ")
    assert err.count("\n") == 1


def test_help_warns_that_the_file_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--help")
    assert code == 0
    assert err == ""
    assert "RUNS" in out
    assert 'derivcli check-function my_square.py:MySquare --expr "x**2"' in out


def test_commands_are_listed_in_the_main_help(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--help"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "check-function" in out
    assert "check " in out


def test_user_prints_never_reach_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run_json(capsys, target("chatty.py", "Chatty"), "--expr", "x**2")
    assert code == 0 and doc["passed"] is True


def test_user_code_ending_the_process_is_not_a_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, target("square_wrong.py", "PrintsAndExits"), "--expr", "x**2")
    assert code == 2
    assert out == ""
    assert err.startswith("derivcli: error: ") and err.count("\n") == 1
    assert "ended derivcli's process" in err


def test_forward_that_raises_is_not_blamed_on_backward(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, data = run_json(
        capsys, target("square_wrong.py", "RaisesInForward"), "--expr", "x**2", "--at", "x=2"
    )
    assert code == 1
    rows = {row["name"]: row for row in data["checks"]}
    assert "forward raised RuntimeError: forward is broken" in rows["forward"]["detail"]
    for name in BACKWARD:
        detail = rows[name]["detail"]
        assert "forward raised (backward never ran) RuntimeError: forward is broken" in detail


# ---------------------------------------------------------------- a fresh interpreter
# Where this process has run backward() with an accelerator present, torch refuses
# backward() in a forked child; the user's Function then runs in a new interpreter.
# These tests force that path on any machine, and check it answers as the fork does.


@pytest.fixture
def fresh_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("derivcli.worker.fork_breaks_autograd", lambda: True)


def test_fresh_interpreter_gives_the_forked_childs_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from derivcli.worker import fork_breaks_autograd

    args = [target("square_wrong.py", "WrongEntirely"), "--expr", "x**2"]
    args += ["--at", "x=-1", "--at", "x=2"]
    forked = None if fork_breaks_autograd() else run_json(capsys, *args)
    monkeypatch.setattr("derivcli.worker.fork_breaks_autograd", lambda: True)
    fresh = run_json(capsys, *args)
    if forked is not None:  # (where a fork cannot run backward(), only the fresh one)
        assert fresh == forked
    code, data = fresh
    assert code == 1 and data["passed"] is False
    assert verdicts(data)["forward"] is True
    assert not any(verdicts(data)[name] for name in BACKWARD)


@pytest.mark.usefixtures("fresh_child")
def test_fresh_interpreter_passes_a_correct_function(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, target("square_ok.py", "MySquare"), "--expr", "x**2")
    assert code == 0 and data["passed"] is True


@pytest.mark.usefixtures("fresh_child")
def test_fresh_interpreter_sends_user_prints_to_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    code = main(["check-function", target("chatty.py", "Chatty"), "--expr", "x**2", "-f", "json"])
    out, err = capfd.readouterr()
    assert code == 0
    assert json.loads(out)["passed"] is True  # stdout is the JSON alone
    assert "importing chatty" in err and "forward" in err


@pytest.mark.usefixtures("fresh_child")
def test_fresh_interpreter_ending_is_not_a_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, target("square_wrong.py", "PrintsAndExits"), "--expr", "x**2")
    assert (code, out) == (2, "")
    assert err.startswith("derivcli: error: ") and err.count("\n") == 1
    assert "ended derivcli's process" in err


def test_fork_breaks_autograd_only_with_torch_loaded_and_a_device(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys
    import types

    from derivcli.worker import fork_breaks_autograd

    def fake_torch(**accelerator: Any) -> types.ModuleType:
        module = types.ModuleType("torch")
        module.accelerator = types.SimpleNamespace(**accelerator)  # type: ignore[attr-defined]
        return module

    def broken() -> int:
        raise RuntimeError("driver")

    monkeypatch.delitem(sys.modules, "torch", raising=False)
    assert fork_breaks_autograd() is False  # no torch here: no backward() has run
    monkeypatch.setitem(sys.modules, "torch", fake_torch(device_count=lambda: 0))
    assert fork_breaks_autograd() is False  # a CPU-only build
    monkeypatch.setitem(sys.modules, "torch", fake_torch(device_count=lambda: 1))
    assert fork_breaks_autograd() is True
    monkeypatch.setitem(sys.modules, "torch", fake_torch(device_count=broken))
    assert fork_breaks_autograd() is True  # unsure: the fresh interpreter always works
    older = fake_torch()  # torch before torch.accelerator: asks torch.cuda
    older.cuda = types.SimpleNamespace(is_available=lambda: True)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "torch", older)
    assert fork_breaks_autograd() is True


def test_the_budget_counts_from_the_closed_forms_start(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grid's points are made by torch, which a fresh interpreter imports first
    (seconds on a slow machine): that is not the closed form's time. Here making
    the points takes 1.6 s, past the 0.5 s budget and its 1 s grace together."""
    from derivcli.autograd import values

    make_points = values.make_points

    def slow_points(*args: Any) -> Any:
        time.sleep(1.6)
        return make_points(*args)

    monkeypatch.setattr(values, "make_points", slow_points)
    args = ("--expr", "relu(x)", "--at", "x=-2:2:5", "--timeout", "0.5")
    code, data = run_json(capsys, target("relu_ok.py", "MyReLU"), *args)
    assert code == 0 and data["passed"] is True
