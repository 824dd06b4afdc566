"""The library from several threads, and after Ctrl-C (a user review, round 37).

One symbolic worker serves the whole session and answers requests in the
order they were sent. Two threads calling ``derivcli.grad`` at once
interleaved their requests: one got a bare ``BufferError`` (two writes into
the worker's buffer at once) or ``RuntimeError: symbolic results must be read
in the order they were asked``, and every later call in the session raised
that RuntimeError too. A Ctrl-C while autograd ran left the interrupted
call's request first in line, with the same result. The README ("## Python")
now promises: calls are thread-safe (run one at a time), and an interrupted
call raises KeyboardInterrupt and the next call works.

Every expected value below is worked out by hand in its comment.
"""

from __future__ import annotations

import _thread
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import derivcli

# Generous: the machine running the tests may be shared; nothing here is slow.
TIMEOUT = 60


def _power(k: int) -> Callable[[], None]:
    """d/dx x**k at x=2 is k*2**(k-1): distinct for each k, so a thread handed
    another thread's answer is caught."""

    def call() -> None:
        report = derivcli.grad(f"x**{k}", at="x=2", timeout=TIMEOUT)
        (result,) = report.results
        assert result.symbolic == k * 2 ** (k - 1)
        assert result.autograd == k * 2 ** (k - 1) and report.ok

    return call


def _partial() -> None:
    # d/dy x**2*y**3 = 3*x**2*y**2; at x=3, y=2: 3*9*4 = 108
    report = derivcli.partial("x**2*y**3", wrt="y", at="x=3,y=2", timeout=TIMEOUT)
    (result,) = report.results
    assert result.symbolic == 108.0 and result.autograd == 108.0 and report.ok


def _hessian() -> None:
    # x**2*y: d2/dx2 = 2*y, d2/dxdy = 2*x, d2/dy2 = 0; at x=1, y=2: [[4, 2], [2, 0]]
    report = derivcli.hessian("x**2*y", at="x=1,y=2", timeout=TIMEOUT)
    (point,) = report.points
    assert [[entry.symbolic for entry in row] for row in point.entries] == [[4.0, 2.0], [2.0, 0.0]]
    assert report.ok


def _cube_at_two() -> None:
    # d/dx x**3 = 3*x**2 = 12 at x=2
    report = derivcli.grad("x**3", at="x=2", timeout=TIMEOUT)
    assert report.results[0].symbolic == 12.0 and report.ok


def test_threads_calling_at_once_each_get_their_own_right_answer() -> None:
    _cube_at_two()  # the shared worker is started: the threads all use it
    calls = [_power(5), _power(7), _partial, _hessian]
    rounds = 6
    start = threading.Barrier(len(calls))
    failures: list[BaseException] = []

    def run(call: Callable[[], None]) -> None:
        for _ in range(rounds):
            try:
                start.wait(timeout=TIMEOUT)  # released together: the calls overlap
                call()
            except threading.BrokenBarrierError:
                return  # another thread failed and broke the barrier
            except BaseException as exc:  # noqa: BLE001 - reported below, by type
                failures.append(exc)
                start.abort()
                return

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5 * TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    assert [f"{type(exc).__name__}: {exc}" for exc in failures] == []
    _cube_at_two()  # and the session goes on


@pytest.fixture(autouse=True)
def _ctrl_c_raises() -> Any:
    """Python's own SIGINT handler, as a terminal's Ctrl-C meets it: interrupt_main
    does nothing where another handler (SIG_DFL, SIG_IGN) is installed, as it
    may be after other tests in the same process."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def _interrupt_here(*_: Any, **__: Any) -> Any:
    """Ctrl-C as the terminal sends it: SIGINT to the main thread, raised as
    KeyboardInterrupt by Python's own handler at the next bytecode."""
    _thread.interrupt_main()
    time.sleep(TIMEOUT)  # never reached in full: the interrupt lands first
    raise AssertionError("the interrupt did not arrive")


def test_a_call_interrupted_during_autograd_leaves_the_session_usable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from derivcli.autograd import values

    _cube_at_two()
    with monkeypatch.context() as patched:
        # the request is with the worker when autograd runs, unread
        patched.setattr(values, "autograd", _interrupt_here)
        with pytest.raises(KeyboardInterrupt):
            derivcli.grad("x**5", at="x=2", timeout=TIMEOUT)
    _cube_at_two()
    _power(6)()  # 6*2**5 = 192
    _hessian()


def test_a_hessian_interrupted_during_autograd_leaves_the_session_usable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from derivcli.autograd.matrices import TorchMatrices

    _cube_at_two()
    with monkeypatch.context() as patched:
        patched.setattr(TorchMatrices, "_compute", _interrupt_here)
        with pytest.raises(KeyboardInterrupt):
            derivcli.hessian("x**2*y", at="x=1,y=2", timeout=TIMEOUT)
    _hessian()
    _partial()


def test_an_interrupt_landing_in_the_clean_up_leaves_the_session_usable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second Ctrl-C, landing while the interrupted call cancels its request:
    the request stays in flight, and the session must still recover."""
    from derivcli.autograd import values
    from derivcli.worker import PendingReply

    def interrupted_again(self: PendingReply) -> None:
        raise KeyboardInterrupt

    _cube_at_two()
    with monkeypatch.context() as patched:
        patched.setattr(values, "autograd", _interrupt_here)
        patched.setattr(PendingReply, "cancel", interrupted_again)
        with pytest.raises(KeyboardInterrupt):
            derivcli.grad("x**5", at="x=2", timeout=TIMEOUT)
    _cube_at_two()
    _partial()
