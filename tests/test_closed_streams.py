"""derivcli started with a standard stream closed (``2>&-``, ``>&-``, ``<&-``) or
unwritable (``> /dev/full``): the answers stay right, and each case ends with
a documented exit code and at most one line on stderr.

The streams must really be closed in the process, so each test runs the
entry point (``python -m derivcli``, which calls ``run()`` as the console
script does) in a subprocess, through bash's own redirections.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DERIVCLI = (sys.executable, "-m", "derivcli")
ERROR_PREFIX = "derivcli: error: "


def run_redirected(
    redirect: str, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``derivcli ARGS REDIRECT`` as bash runs it (``exec``: the exit status is
    derivcli's own, a death by signal included)."""
    return subprocess.run(
        ["bash", "-c", f'exec "$@" {redirect}', "bash", *DERIVCLI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )


# ---------------------------------------------------------------- stderr closed


def test_with_stderr_closed_grad_still_has_its_closed_form() -> None:
    # d/dx x**2 = 2*x, which is 6 at x=3 (by hand); both engines agree: exit 0.
    # Before: the symbolic worker read its requests from /dev/null (its pipe had
    # taken fd 2) and every closed form was "not computed" for memory, exit 1.
    run = run_redirected("2>&-", "grad", "x**2", "--at", "x=3", "-f", "json", "--timeout", "60")
    assert run.returncode == 0
    result = json.loads(run.stdout)
    assert result["note"] is None
    (entry,) = result["results"]
    assert entry["derivative"] == "2*x"
    assert entry["symbolic"] == 6.0 and entry["autograd"] == 6.0
    assert entry["verdict"] == "agree"


def test_with_stderr_closed_batch_writes_each_line_once() -> None:
    # d/dx x**2 = 2x = 6 at 3; d/dx x**3 = 3x**2 = 3 at 1 (by hand). Before: six
    # lines for two inputs (forked children went on running the batch) and exit 1.
    lines = 'grad "x**2" --at x=3 --timeout 60\ngrad "x**3" --at x=1 --timeout 60\n'
    run = run_redirected("2>&-", "batch", stdin=lines)
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(a["line"], a["exit"]) for a in answers] == [(1, 0), (2, 0)]
    assert [a["results"][0]["derivative"] for a in answers] == ["2*x", "3*x**2"]
    assert [a["results"][0]["symbolic"] for a in answers] == [6.0, 3.0]
    assert run.returncode == 0


def test_with_stderr_closed_a_bad_input_keeps_its_exit_code() -> None:
    run = run_redirected("2>&-", "grad", "x**", "--timeout", "60")
    assert (run.returncode, run.stdout) == (2, "")


def test_the_worker_works_in_a_process_started_without_stderr() -> None:
    # The library has no entry point to fill the closed descriptor: the worker's
    # own pipes must keep clear of fd 2. 21*2 = 42.
    script = (
        "from derivcli.worker import Worker\n"
        "worker = Worker(lambda request, more: request * 2)\n"
        "print(worker.submit(21).result(60))\n"
        "worker.stop()\n"
    )
    run = subprocess.run(
        ["bash", "-c", 'exec "$@" 2>&-', "bash", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert (run.returncode, run.stdout) == (0, "42\n")


# ---------------------------------------------------------------- stdout closed

SIGPIPE_DEATH = -signal.SIGPIPE  # how subprocess reports it; a shell says 141


@pytest.mark.parametrize(
    "args",
    [
        ("grad", "x**2", "--at", "x=3", "--timeout", "60"),
        ("grad", "x**2", "--at", "x=3", "-f", "json", "--timeout", "60"),
        ("--version",),
        ("help", "grad"),
    ],
)
def test_a_closed_stdout_ends_quietly_as_a_broken_pipe(args: tuple[str, ...]) -> None:
    # Before: a traceback (AttributeError: 'NoneType' object has no attribute
    # 'flush') and exit 1, derivcli's "disagree".
    run = run_redirected(">&-", *args)
    assert (run.returncode, run.stderr) == (SIGPIPE_DEATH, "")


def test_with_stdout_closed_an_error_is_still_reported() -> None:
    run = run_redirected(">&-", "grad", "x**", "--timeout", "60")
    assert run.returncode == 2
    assert run.stderr.startswith(ERROR_PREFIX) and run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr


# ---------------------------------------------------------------- stdin closed


def test_batch_with_stdin_closed_has_nothing_to_read() -> None:
    # Before: "internal error: TypeError: 'NoneType' object is not iterable", exit 3.
    run = run_redirected("<&-", "batch")
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == f"{ERROR_PREFIX}batch: no input to read: standard input is closed\n"


# ---------------------------------------------------------------- stdout full

needs_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")


@needs_dev_full
@pytest.mark.parametrize(
    "args",
    [
        ("grad", "x**2", "--at", "x=3", "--timeout", "60"),
        ("grad", "x**2", "--at", "x=3", "-f", "json", "--timeout", "60"),
        ("grad", "x**2", "--at", "x=3", "-f", "plain", "--timeout", "60"),
        ("--version",),
        ("--help",),
    ],
)
def test_a_full_stdout_is_one_line_and_exit_3(args: tuple[str, ...]) -> None:
    # Before: "internal error: OSError: [Errno 28] ... (a bug in derivcli ...)".
    run = run_redirected(">/dev/full", *args)
    assert run.returncode == 3
    assert run.stderr == f"{ERROR_PREFIX}cannot write the output: No space left on device\n"


@needs_dev_full
def test_a_full_stdout_ends_a_batch_with_one_line() -> None:
    run = run_redirected(">/dev/full", "batch", stdin='grad "x**2" --at x=3 --timeout 60\n')
    assert run.returncode == 3
    assert run.stderr == f"{ERROR_PREFIX}cannot write the output: No space left on device\n"
