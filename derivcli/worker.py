"""Run the symbolic stage in a child process with a hard time and memory budget.

symengine's C++ code cannot be interrupted by a Python signal, and a closed
form can in principle outgrow any budget within one call. So the symbolic
stage runs in a forked child: the parent keeps the clock and kills the child
when the budget is spent, and the child's address space is capped so a
runaway expression ends in MemoryError, not in swapping the machine. As a
bonus the two engines run in parallel: the child imports symengine and sympy
and differentiates while the parent imports torch and runs autograd.

Where ``os.fork`` does not exist the stage runs in-process, still bounded by
the size and deadline checks inside ``symbolic/calculus.py``.

The user's own Function (check-function) runs in a child too. A forked child
cannot run backward() once this process has run it with an accelerator
present: torch then refuses ("Unable to handle autograd's threading in
combination with fork-based multiprocessing"). There that child is a fresh
interpreter instead (see ``fork_breaks_autograd``).
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import subprocess
import sys
import time
import traceback
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, NoReturn, Protocol

from derivcli.errors import BudgetError, CannotComputeError, DerivcliError


class ChildExitedError(CannotComputeError):
    """The child process exited on its own without answering (user code did it)."""


# Extra address space the child may take beyond what it starts with.
CHILD_MEMORY_BYTES = 768 * 1024 * 1024


def _vm_size() -> int | None:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _pipe() -> tuple[int, int]:
    """``os.pipe()``, with both ends above the standard streams' numbers.

    In a process started with one of them closed (``2>&-``) a pipe end would
    take that number, and the child's ``_quiet_child`` (``/dev/null`` on fd 2)
    would put /dev/null in its place: the child read its requests from
    /dev/null, and every closed form was reported as out of memory."""
    return _above_standard_streams(os.pipe())


def _above_standard_streams(ends: tuple[int, int]) -> tuple[int, int]:
    import fcntl  # POSIX only, as os.fork: only forking paths make pipes

    moved = []
    for fd in ends:
        if fd > 2:
            moved.append(fd)
            continue
        moved.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3))
        os.close(fd)
    return moved[0], moved[1]


def _quiet_child() -> None:
    """Silence the child's stderr: a C++ abort message (symengine out of
    memory) must not become a second line on the user's terminal; the parent
    reports what happened in one line."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    current = _vm_size()
    if current is None:
        return
    limit = current + CHILD_MEMORY_BYTES
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass


class Job:
    """A running (or already finished) symbolic computation."""

    def __init__(
        self, func: Callable[[Any], Any], payload: Any, *, user_code: bool = False
    ) -> None:
        """Start ``func(payload)`` in a child.

        ``user_code``: the child runs the user's own Python (check-function);
        what it prints goes to stderr, never into derivcli's stdout, and the
        child's memory is not capped below what torch needs.
        """
        self._result: tuple[str, Any] | None = None
        self._status = 0
        self._pid: int | None = None
        self._fd: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        if not hasattr(os, "fork"):
            self._result = _run(func, payload)
            return
        if user_code and fork_breaks_autograd():
            self._start_fresh(func, payload)
            return
        read_fd, write_fd = _pipe()
        pid = os.fork()
        if pid == 0:  # child
            try:
                os.close(read_fd)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                if user_code:
                    os.dup2(2, 1)
                    sys.stdout = sys.stderr
                else:
                    _quiet_child()
                    _limit_memory()
                view = memoryview(_encode(_run(func, payload)))
                while view:
                    written = os.write(write_fd, view)
                    view = view[written:]
                os.close(write_fd)
            finally:
                # whatever happened, never return into the parent's code (it
                # would go on as a second derivcli, writing the same output)
                os._exit(0)
        os.close(write_fd)
        self._pid = pid
        self._fd = read_fd

    def _start_fresh(self, func: Callable[[Any], Any], payload: Any) -> None:
        """Start ``func(payload)`` in a new interpreter (``_fresh_child`` below).

        What the child prints goes to this process's stderr (fd 2); the
        function and its payload travel pickled on the child's stdin, after
        this process's ``sys.path`` so the child imports the same derivcli.
        """
        read_fd, write_fd = _pipe()
        try:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and code
                [sys.executable, "-c", _FRESH_CHILD, str(write_fd)],
                stdin=subprocess.PIPE,
                stdout=2,
                pass_fds=(write_fd,),
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        self._process, self._pid, self._fd = process, process.pid, read_fd
        assert process.stdin is not None
        try:
            with process.stdin:
                pickle.dump(list(sys.path), process.stdin)
                pickle.dump((func, payload), process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError:
            pass  # the child died at once: read as "ended without a result"

    def result(self, deadline: float) -> Any:
        """The child's return value; raises its DerivcliError, or BudgetError."""
        if self._result is None:
            self._result = self._collect(deadline)
        return _unwrap(self._result)

    def cancel(self) -> None:
        """Kill the child (if still running) and release the pipe."""
        self._finish(kill=True)

    def _finish(self, *, kill: bool) -> None:
        if self._process is not None:
            if kill:
                self._process.kill()
            returncode = self._process.wait()
            # as os.waitpid gives it: exit status in the high byte, else the signal
            self._status = returncode << 8 if returncode >= 0 else -returncode
            self._process = self._pid = None
        if self._pid is not None:
            self._status = _reap(self._pid, kill=kill)
            self._pid = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _collect(self, deadline: float) -> tuple[str, Any]:
        assert self._fd is not None
        chunks = []
        try:
            while True:
                # Past the deadline, whatever the child has already written
                # is still read: the parent may have been busy with autograd.
                remaining = max(0.0, deadline - time.monotonic())
                ready, _, _ = select.select([self._fd], [], [], remaining)
                if not ready:
                    if time.monotonic() < deadline:
                        continue
                    self.cancel()
                    raise BudgetError("the closed form was not reached within the time budget")
                chunk = os.read(self._fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        except BaseException:
            self.cancel()
            raise
        self._finish(kill=False)
        data = b"".join(chunks)
        if not data:
            if os.WIFEXITED(self._status):  # e.g. the user's code called os._exit
                return ("exited", os.WEXITSTATUS(self._status))
            return ("memory", None)  # the child died without a word: killed by its limit
        outcome: tuple[str, Any] = pickle.loads(data)  # noqa: S301 - our own child's bytes
        return outcome


def fork_breaks_autograd() -> bool:
    """Whether a child forked now might be unable to run backward().

    torch's autograd starts one thread per accelerator device the first time
    backward() runs, and marks every later fork as unable to run it. That
    needs torch loaded in this process and a device it counts (CUDA, or
    another accelerator); a CPU-only build never starts those threads.
    Whether backward() has run here already is not visible, so where both
    hold the answer is yes.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        return False
    try:
        accelerator = getattr(torch, "accelerator", None)
        if accelerator is not None and hasattr(accelerator, "device_count"):
            return bool(accelerator.device_count() > 0)
        return bool(torch.cuda.is_available())
    except Exception:  # noqa: BLE001 - unsure: a fresh interpreter always works
        return True


# The fresh interpreter's program: take the parent's sys.path from stdin (a list
# of strings), so that it imports the same derivcli, then run _fresh_child.
_FRESH_CHILD = (
    "import pickle, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "sys.path[:] = pickle.load(sys.stdin.buffer); "
    "import derivcli.worker as w; w._fresh_child()"
)


def _fresh_child() -> NoReturn:
    """Read (function, payload) from stdin and run it; what it prints goes to
    stderr, and the pickled outcome to the file descriptor named by argv[1]."""
    result_fd = int(sys.argv[1])
    func, payload = pickle.load(sys.stdin.buffer)  # noqa: S301 - our parent's bytes
    sys.stdout = sys.stderr
    view = memoryview(_encode(_run(func, payload)))
    while view:
        written = os.write(result_fd, view)
        view = view[written:]
    os.close(result_fd)
    sys.stderr.flush()
    os._exit(0)


def _reap(pid: int, *, kill: bool) -> int:
    """Wait for a child (killing it first if asked); its wait status, 0 if unknown."""
    try:
        if kill:
            os.kill(pid, signal.SIGKILL)
        return os.waitpid(pid, 0)[1]
    except (ProcessLookupError, ChildProcessError):
        return 0


def _encode(outcome: tuple[str, Any]) -> bytes:
    try:
        return pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - must never escape the child
        return pickle.dumps(("crash", f"unpicklable result: {exc!r}"))


def _unwrap(outcome: tuple[str, Any]) -> Any:
    status, value = outcome
    if status == "ok":
        return value
    if status == "error":
        raise value
    if status == "memory":
        raise BudgetError("the closed form needs more memory than the budget allows")
    if status == "exited":
        raise ChildExitedError(f"the process ended (exit status {value}) before giving a result")
    raise CannotComputeError(f"the symbolic engine failed: {value}")


def _run(func: Callable[[Any], Any], payload: Any) -> tuple[str, Any]:
    try:
        return ("ok", func(payload))
    except DerivcliError as exc:
        return ("error", exc)
    except MemoryError:
        return ("memory", None)
    except RecursionError:
        return ("error", BudgetError("the expression is too deeply nested to differentiate"))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, not swallowed
        if "bad_alloc" in str(exc):  # symengine's C++ out-of-memory
            return ("memory", None)
        return ("crash", "".join(traceback.format_exception_only(type(exc), exc)).strip())


def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(8, "little") + data


def _write_message(fd: int, data: bytes) -> None:
    view = memoryview(_frame(data))
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            left = max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                if time.monotonic() < deadline:
                    continue
                raise BudgetError("the closed form was not reached within the time budget")
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# A worker's function receives the request and a way to read the request's
# next message (the points, sent once the parent has made them).
Serve = Callable[[Any, Callable[[], Any]], Any]


class Worker:
    """A child process serving symbolic requests in the order they were sent.

    A command starts one for its one request (forked before torch is
    imported, so the two start up in parallel); ``derivcli batch`` and the
    library keep one for many requests, with its caches. A request is a
    first message, answered only after the function has read any further
    messages it needs (``Pending.send``): the parent sends the points once
    torch has made them, without waiting for the child to be ready to read
    them (writes are buffered and finished while the parent waits for an
    answer).

    Several requests may be in flight at once (batch sends the next lines'
    before running a line's autograd); a request's further messages are sent before
    the next request, and results are read in the order the requests were
    sent. Each has its own time budget, counted from when the child could
    start it: its messages sent and the request before it answered (the child
    stamps each answer with the time it was written), so no request is charged
    for the one before it. When a request overruns its deadline, is cancelled
    while the child may be working on it, or the child dies, the child is
    killed, and the requests after it are sent again to a fresh one.

    The child serves the process that forked it, only. A process forked from
    that one (``multiprocessing``'s "fork", ``os.fork``) inherits this object,
    but its child is not theirs: several such processes read each other's
    answers from it, and one stopping it killed the parent's. So a forked
    process forgets the child it inherited (``_forget_inherited``), without
    touching it, and forks its own on its first request.
    """

    def __init__(self, func: Serve) -> None:
        self._func = func
        self._pid: int | None = None
        self._owner = os.getpid()  # the process whose child ``_pid`` is
        self._to_child = self._from_child = -1
        self._unsent = bytearray()
        self._requests = 0
        self._flight: deque[PendingReply] = deque()  # sent, not yet answered, in order
        self._free_at = 0.0  # when the child finished its last answer (or was forked)
        _WORKERS.add(self)

    def _forget_inherited(self, *, close: bool) -> None:
        """In a process forked from the one that forked the child: forget the child
        and every request sent to it, without killing or waiting for it (it is the
        parent's, still serving the parent). ``close``: close this process's copies
        of the pipes too, as right after the fork, when the numbers are still
        theirs; later the process may have closed them and reused the numbers."""
        if self._pid is None or self._owner == os.getpid():
            return
        if close:
            for fd in (self._to_child, self._from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._pid = None
        self._to_child = self._from_child = -1
        self._unsent.clear()
        self._flight.clear()

    def _own(self) -> None:
        """Forget an inherited child where the fork ran no ``os.register_at_fork``
        handler (a fork from C code): the pipes are left open, not risked."""
        self._forget_inherited(close=False)

    def _start(self) -> None:
        request_r, request_w = _pipe()
        reply_r, reply_w = _pipe()
        pid = os.fork()
        if pid == 0:  # child: serve until the parent closes the pipe
            try:
                os.close(request_w)
                os.close(reply_r)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                _quiet_child()
                _limit_memory()
                self._serve(request_r, reply_w)
            finally:
                # An exception here must not return into the parent's code: the
                # child would go on as a second derivcli (a batch's lines written
                # twice). The parent reads the end of the pipe as a failed request.
                os._exit(1)
        os.close(request_r)
        os.close(reply_w)
        os.set_blocking(request_w, False)
        self._owner = os.getpid()
        self._pid, self._to_child, self._from_child = pid, request_w, reply_r
        self._free_at = time.monotonic()

    def _serve(self, request_r: int, reply_w: int) -> NoReturn:
        """The child's loop: each request, answered with its number and the time."""
        frozen = False
        while True:
            message = _read_message(request_r)
            if message is _CLOSED:
                os._exit(0)
            number, kind, payload = message
            if kind != "request":
                continue  # more for a request that already failed: stale

            def receive(number: int = number) -> Any:
                more = _read_message(request_r)
                if more is _CLOSED:
                    os._exit(0)
                assert more[0] == number and more[1] == "more", "out of order"
                return more[2]

            outcome = _run(lambda request: self._func(request, receive), payload)
            _write_message(reply_w, _encode_reply(number, outcome))
            if not frozen:
                # What the first request imported (symengine, gmpy2, numpy) lives
                # as long as the child: frozen, it is not walked by every full
                # collection again. With a young-generation collection every 700
                # allocations (the default) the collector took about 0.2 ms of
                # each request over 1,000 distinct batch lines; every 10,000,
                # about 0.01 ms.
                gc.freeze()
                gc.set_threshold(10_000)
                frozen = True

    def submit(self, payload: Any, *more: Any) -> Pending:
        """Send a request, and any further messages for it in the same write."""
        if not hasattr(os, "fork"):
            pending: Pending = _InProcess(self._func, payload)
            for message in more:
                pending.send(message)
            return pending
        self._own()
        if self._pid is None:
            self._start()
        self._requests += 1
        reply = PendingReply(self, self._requests, payload)
        reply.messages.extend((reply.number, "more", message) for message in more)
        self._flight.append(reply)
        self._queue(*reply.messages)
        return reply

    def _queue(self, *messages: tuple[int, str, Any]) -> None:
        for message in messages:
            self._unsent += _frame(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        self._flush()

    def _flush(self) -> None:
        """Write what the pipe takes now, without blocking. A child that died (its
        memory limit) no longer reads: what was unsent is dropped, and the reply's
        end of file tells the request waiting for it (it fails, the ones after it
        go to a fresh child). A BrokenPipeError must not escape: click turns any
        EPIPE into a silent exit 1 (a batch stopped at the line, no message)."""
        while self._unsent:
            try:
                written = os.write(self._to_child, self._unsent)
            except BlockingIOError:
                return
            except BrokenPipeError:
                self._unsent.clear()
                return
            del self._unsent[:written]

    def _more(self, pending: PendingReply, payload: Any) -> None:
        self._own()
        message = (pending.number, "more", payload)
        pending.messages.append(message)
        pending.sent_at = time.monotonic()
        if pending in self._flight:
            self._queue(message)

    def _answer(self, pending: PendingReply, budget: float) -> tuple[str, Any]:
        """``pending``'s outcome, read in turn, within ``budget`` seconds of its start."""
        self._own()
        if pending not in self._flight:
            return ("crash", "the symbolic worker was stopped before answering")
        while self._flight[0] is not pending:
            if not self._flight[0].cancelled:
                raise RuntimeError("symbolic results must be read in the order they were asked")
            self._restart()  # the child may be busy with a cancelled request: drop it
        deadline = max(pending.sent_at, self._free_at) + budget
        try:
            header = self._read(8, deadline)
            body = (
                None if header is None else self._read(int.from_bytes(header, "little"), deadline)
            )
        except BudgetError:
            self._restart()
            raise
        except BaseException:
            self.stop()
            raise
        if body is None:  # the child died: killed by its memory limit
            self._restart()
            return ("memory", None)
        self._flight.popleft()
        number, outcome, self._free_at = pickle.loads(body)  # noqa: S301 - our own child's bytes
        assert number == pending.number, "answers out of order"
        result: tuple[str, Any] = outcome
        return result

    def _cancel(self, pending: PendingReply) -> None:
        """Forget a request. The child may be working on it only if it is the first in
        flight: then the child is killed; a later one is dropped when its turn comes."""
        self._own()
        if pending not in self._flight:
            return
        pending.cancelled = True
        if self._flight[0] is pending:
            self._restart()

    def _restart(self) -> None:
        """Kill the child, drop the first request in flight and every cancelled one,
        and send the others again to a fresh child, their clocks starting now."""
        self._kill()
        self._flight.popleft()
        survivors = [p for p in self._flight if not p.cancelled]
        self._flight = deque(survivors)
        if not survivors:
            return
        self._start()
        for pending in survivors:
            pending.sent_at = self._free_at
            self._queue(*pending.messages)

    def _read(self, size: int, deadline: float) -> bytes | None:
        """``size`` bytes from the child, finishing our own writes meanwhile."""
        chunks, remaining = [], size
        while remaining:
            left = max(0.0, deadline - time.monotonic())
            writing = [self._to_child] if self._unsent else []
            readable, writable, _ = select.select([self._from_child], writing, [], left)
            if writable:
                self._flush()
            if not readable:
                if writable or time.monotonic() < deadline:
                    continue
                raise BudgetError("the closed form was not reached within the time budget")
            chunk = os.read(self._from_child, min(remaining, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def discard_unread(self) -> None:
        """Stop the child if a request is still in flight, or a write half done.

        Between two library calls nothing should be: each call reads every
        answer it asked for. One interrupted (Ctrl-C during autograd, or inside
        this class's own bookkeeping) leaves its request first in flight, where
        every later answer would wait behind it for ever; a fresh child (forked
        on the next request) forgets it."""
        self._own()
        if self._flight or self._unsent:
            self.stop()

    def stop(self) -> None:
        """Kill the child; requests in flight are dropped unanswered."""
        self._own()  # a forked process's atexit handler: not the parent's child
        self._flight.clear()
        self._kill()

    def _kill(self) -> None:
        self._unsent.clear()
        pid, self._pid = self._pid, None
        if pid is None:
            return
        # forgotten first: a Ctrl-C landing below leaves no child whose pipes
        # are closed for the next request to write to (it forks a fresh one)
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        _reap(pid, kill=True)


# Every Worker of this process, for the fork handler below.
_WORKERS: weakref.WeakSet[Worker] = weakref.WeakSet()


def _forget_inherited_workers() -> None:
    """In a newly forked process: forget the workers' children (the parent's),
    closing this process's copies of their pipes while the numbers are theirs."""
    for worker in list(_WORKERS):
        worker._forget_inherited(close=True)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_workers)


def _encode_reply(number: int, outcome: tuple[str, Any]) -> bytes:
    """An answer for the parent: the request's number, its outcome, when it was written."""
    stamp = time.monotonic()  # CLOCK_MONOTONIC: the same clock in the parent
    try:
        return pickle.dumps((number, outcome, stamp), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - must never escape the child
        return pickle.dumps((number, ("crash", f"unpicklable result: {exc!r}"), stamp))


_CLOSED = object()


def _read_message(fd: int) -> Any:
    header = _read_exact(fd, 8, None)
    body = None if header is None else _read_exact(fd, int.from_bytes(header, "little"), None)
    if body is None:
        return _CLOSED
    return pickle.loads(body)  # noqa: S301 - our parent's bytes


class Pending(Protocol):
    """A request on its way: more messages for it, its result, or cancelled."""

    def send(self, payload: Any) -> None: ...

    def result(self, budget: float) -> Any:
        """The result, allowing the request ``budget`` seconds from when the worker
        could start on it (its messages sent, the requests before it answered)."""
        ...

    def cancel(self) -> None: ...


class PendingReply:
    """A request sent to a Worker, with its messages (sent again if the child is replaced)."""

    def __init__(self, worker: Worker, number: int, payload: Any) -> None:
        self._worker = worker
        self.number = number
        self.messages: list[tuple[int, str, Any]] = [(number, "request", payload)]
        self.sent_at = time.monotonic()  # when its last message was sent
        self.cancelled = False
        self._outcome: tuple[str, Any] | None = None

    def send(self, payload: Any) -> None:
        if self._outcome is None:
            self._worker._more(self, payload)

    def result(self, budget: float) -> Any:
        if self._outcome is None:
            self._outcome = self._worker._answer(self, budget)
        return _unwrap(self._outcome)

    def cancel(self) -> None:
        if self._outcome is None:
            self._worker._cancel(self)


class _InProcess:
    """Where there is no fork: the request runs when its result is asked for."""

    def __init__(self, func: Serve, payload: Any) -> None:
        self._func = func
        self._payload = payload
        self._more: list[Any] = []

    def send(self, payload: Any) -> None:
        self._more.append(payload)

    def result(self, budget: float) -> Any:
        return _unwrap(_run(lambda p: self._func(p, lambda: self._more.pop(0)), self._payload))

    def cancel(self) -> None:
        self._more.clear()
