"""The library in processes forked after it was used (a user review, round 38).

A process keeps one symbolic worker for the session (``api.shared_runner()``).
A child forked after the parent had used derivcli (``multiprocessing`` with
the "fork" start method, the default on Linux, or ``os.fork``) inherited that
worker: its pid, its pipes and its requests in flight. Several children then
talked to the PARENT's worker at once and read each other's answers:
``grad("x**5", at x=2)`` came back with 6*x**5 = 192 against autograd's 80, a
false DISAGREE, or with a bare ``AssertionError: answers out of order``. A
child that stopped the inherited worker (what its atexit handler does) killed
the parent's worker. And a child forked while another thread of the parent
held the session's lock waited for ever for that lock.

Now a forked child drops what it inherited (closing only its own copies of
the pipes) and starts a worker of its own on its first request, with a fresh
lock; the parent's worker goes on serving the parent.

Every expected value is worked out by hand: d/dx x**k = k*x**(k-1), so at
x=2 it is k*2**(k-1) (distinct for each k: an answer meant for another child
is caught).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import select
import signal
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import derivcli
from derivcli import api
from derivcli.worker import Worker

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

# Generous: the machine running the tests may be loaded; nothing here is slow.
TIMEOUT = 60


def _power(k: int) -> tuple[int, Any, Any, str]:
    """grad of x**k at x=2: (k, symbolic, autograd, verdict), or the error's name
    and message in place of the values."""
    try:
        (result,) = derivcli.grad(f"x**{k}", at={"x": 2}, timeout=TIMEOUT).results
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, by type
        return k, type(exc).__name__, str(exc), "raised"
    return k, result.symbolic, result.autograd, result.verdict


def _truth(k: int) -> tuple[int, float, float, str]:
    # d/dx x**k = k*x**(k-1); at x=2: k*2**(k-1), both engines, verdict agree
    return k, float(k * 2 ** (k - 1)), float(k * 2 ** (k - 1)), "agree"


def _worker() -> Worker:
    runner = api.shared_runner()
    assert isinstance(runner, Worker)
    return runner


def _parents_worker_serving() -> int:
    """Use the session's worker (so that a child is there to inherit); its pid."""
    assert _power(3) == _truth(3)  # 3*2**2 = 12
    pid = _worker()._pid
    assert pid is not None
    return pid


def _in_child(body: Callable[[], object], go: int | None = None) -> tuple[int, int]:
    """Fork; the child writes ``body()`` as JSON to a pipe and exits at once (never
    back into pytest). The child's pid and the pipe's reading end. With ``go``, the
    child starts once it can read a byte from there (children started together)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(read_fd)
            try:
                if go is not None:
                    os.read(go, 1)
                outcome: object = body()
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                outcome = f"{type(exc).__name__}: {exc}"
            os.write(write_fd, json.dumps(outcome).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    return pid, read_fd


def _outcome(pid: int, read_fd: int) -> Any:
    """What the child wrote; the child killed if nothing came within the time allowed."""
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([read_fd], [], [], 3 * TIMEOUT)
            if not ready:
                os.kill(pid, signal.SIGKILL)
                return "the child gave no answer in time"
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        os.waitpid(pid, 0)
    return json.loads(b"".join(chunks)) if chunks else "the child wrote nothing"


def _powers(ks: range) -> Callable[[], object]:
    return lambda: [list(_power(k)) for k in ks]


def test_forked_pool_workers_each_get_their_own_right_answers() -> None:
    parents = _parents_worker_serving()
    ks = range(2, 10)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        answers = list(pool.map(_power, ks, timeout=5 * TIMEOUT))
    assert answers == [_truth(k) for k in ks]
    # the parent's own worker was left alone, and still answers the parent
    assert _worker()._pid == parents
    assert _power(5) == _truth(5)  # 5*2**4 = 80
    assert _worker()._pid == parents


def test_children_of_os_fork_each_get_their_own_right_answers() -> None:
    parents = _parents_worker_serving()
    groups = [range(2, 7), range(7, 12), range(12, 17)]
    go, ready = os.pipe()
    children = [_in_child(_powers(ks), go) for ks in groups]
    os.write(ready, b"go" * len(groups))  # all at once: their calls overlap
    os.close(go)
    os.close(ready)
    outcomes = [_outcome(*child) for child in children]
    assert outcomes == [[list(_truth(k)) for k in ks] for ks in groups]
    assert _worker()._pid == parents
    assert _power(4) == _truth(4)  # 4*2**3 = 32
    assert _worker()._pid == parents


def test_a_child_stopping_the_worker_it_inherited_leaves_the_parents_running() -> None:
    """``stop`` is what the child's atexit handler runs (one registered by the
    parent); it killed the parent's worker, and the parent's next answer was
    "needs more memory than the budget allows"."""
    parents = _parents_worker_serving()

    def stop() -> object:
        _worker().stop()
        return "stopped"

    assert _outcome(*_in_child(stop)) == "stopped"
    assert _worker()._pid == parents
    os.kill(parents, 0)  # still there
    assert os.waitpid(parents, os.WNOHANG) == (0, 0)  # and not dead unreaped
    assert _power(6) == _truth(6)  # 6*2**5 = 192
    assert _worker()._pid == parents


def test_a_child_forked_while_another_thread_holds_the_lock_is_not_blocked() -> None:
    """Another thread of the parent in the middle of a call holds the session's
    lock when the process forks; in the child that thread does not exist, and
    the lock, inherited held, was never released there."""
    parents = _parents_worker_serving()
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with api._SESSION:
            holding.set()
            release.wait(5 * TIMEOUT)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(TIMEOUT)
        with warnings.catch_warnings():
            # Python 3.12+ warns of forking with a thread running: the case under test
            warnings.simplefilter("ignore", DeprecationWarning)
            child = _in_child(_powers(range(7, 9)))
        outcome = _outcome(*child)
    finally:
        release.set()
        holder.join(TIMEOUT)
    assert outcome == [list(_truth(7)), list(_truth(8))]  # 7*2**6 = 448, 8*2**7 = 1024
    assert _power(2) == _truth(2)  # 2*2**1 = 4
    assert _worker()._pid == parents


def _child_pid(request: object, receive: Callable[[], Any]) -> int:
    return os.getpid()


def test_a_worker_in_a_process_forked_without_the_fork_handler_leaves_the_child_alone() -> None:
    """A fork that ran no ``os.register_at_fork`` handler (one from C code): the
    worker still sees that its child is another process's, by the pid."""
    worker = Worker(_child_pid)
    first = worker.submit(None).result(TIMEOUT)
    pipes = (worker._to_child, worker._from_child)
    try:
        assert worker._pid == first
        worker._owner = -1  # as it looks from such a forked process
        worker.stop()  # what that process's atexit handler would do
        assert worker._pid is None
        os.kill(first, 0)
        assert os.waitpid(first, os.WNOHANG) == (0, 0)  # not killed
        second = worker.submit(None).result(TIMEOUT)  # a child of its own
        assert second not in (first, os.getpid())
    finally:
        worker.stop()
        for fd in pipes:  # ours to close, unless the test failed having closed them
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            os.kill(first, signal.SIGKILL)
            os.waitpid(first, 0)
