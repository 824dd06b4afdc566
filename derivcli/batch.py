"""Batch mode: many command lines, one process, one JSON object per line.

Start-up (torch alone is about 1.4 s) dominates a single call, so a script
that needs many derivatives sends them all to one ``derivcli batch``. Each
line is split like a shell would (``shlex``), read by the same option parser
as the command line, and answered with the JSON object ``--format json``
gives plus ``line`` and ``exit``, or with ``error``. The symbolic worker and
its caches live for the whole batch.

Both cores work: a line is *begun* (parsed, its symbolic request and points
sent to the worker) before the lines above it are *finished* (autograd run
here, the closed form collected, the verdicts joined), so the worker
differentiates line n+1 (and a few more, AHEAD) while this process runs line
n's autograd. Answers are still written strictly in input order, each as
soon as it is finished, and each line's time budget counts its own work only
(``worker.Worker``). A line is begun early only when it can be read without
waiting (:class:`Lookahead`): a program that writes one line and waits for
its answer gets it. A line that cannot be split (jacobian: one request per
row, in turn) runs alone, with no other line's request in flight.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import select
import shlex
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Protocol

from derivcli.errors import DerivcliError, ExitCode, OutputClosed, OutputError, internal_error

if TYPE_CHECKING:
    from derivcli.compare import Runner


class Answer(Protocol):
    """What a line computes: a report (grad, partial) or a matrix report (hessian,
    jacobian), with its JSON object and exit code."""

    @property
    def exit_code(self) -> ExitCode: ...

    def to_dict(self) -> dict[str, Any]: ...


class Begun(Protocol):
    """A line under way (``compare.Computation``): ``finish()`` gives its answer."""

    def finish(self) -> Answer: ...


@dataclass(frozen=True)
class Whole:
    """A line that is not split: all of it runs at ``finish()``, alone."""

    run: Callable[[], Answer]

    def finish(self) -> Answer:
        return self.run()


# (the line's arguments, the shared runner) -> the line begun, or a DerivcliError
BeginLine = Callable[[list[str], "Runner"], Begun]


@dataclass(frozen=True)
class _Line:
    """One answered-to-be line: begun, or already answered (an error)."""

    number: int
    text: str = ""  # the line as read, stripped: its key among answered lines
    begun: Begun | None = None
    answer: dict[str, Any] | None = None
    known: tuple[str, int] | None = None  # an identical line's answer (_Answers)

    @property
    def answered(self) -> bool:
        """Whether it is answered already, an error or from memory (it is written
        as soon as the lines above are)."""
        return self.answer is not None or self.known is not None

    @property
    def alone(self) -> bool:
        """Whether it runs alone: every line above finished first, none below begun."""
        return isinstance(self.begun, Whole)

    def finish(self) -> dict[str, Any]:
        """The line's JSON object."""
        if self.answer is not None:
            return self.answer
        assert self.begun is not None
        try:
            report = self.begun.finish()
            return {"line": self.number, "exit": int(report.exit_code), **report.to_dict()}
        except DerivcliError as exc:
            return _error(self.number, exc.exit_code, exc.message)
        except Exception as exc:  # noqa: BLE001 - a bug answers its own line only
            return _internal(self.number, exc)


def begin_line(lineno: int, text: str, begin: BeginLine, runner: Runner) -> _Line:
    """Begin one non-blank, non-comment line; bad input is answered at once."""
    try:
        args = split_words(without_comment(text))
    except ValueError as exc:
        message = f"cannot split line: {exc}"
        return _Line(lineno, text, answer=_error(lineno, ExitCode.BAD_INPUT, message))
    try:
        return _Line(lineno, text, begun=begin(args, runner))
    except DerivcliError as exc:
        return _Line(lineno, text, answer=_error(lineno, exc.exit_code, exc.message))
    except Exception as exc:  # noqa: BLE001 - a bug answers its own line only
        return _Line(lineno, text, answer=_internal(lineno, exc))


_SHELL_BLANKS = " \t\r\n"  # shlex's whitespace (not NBSP: that is part of a word)

# A line without backslashes, as shlex reads it: blanks, words (unquoted
# characters and "..." or '...' parts, a quote closed only by its own kind),
# and a quote left open (then shlex itself gives its error). Each alternative
# begins with its own kind of character: the pattern never backtracks.
_TOKEN = re.compile(r"""[ \t\r\n]+|((?:[^ \t\r\n"']|"[^"]*"|'[^']*')+)|(["'])""")
_PART = re.compile(r"""([^"']+)|"([^"]*)"|'([^']*)'""")


def split_words(text: str) -> list[str]:
    """``shlex.split(text)``: the same words, or the same ValueError.

    shlex reads a line one character at a time through its state machine
    (about 25 us a batch line, 4% of the main process's time on one); a line
    without backslashes needs only its quotes, which regular expressions
    find. Anything else (an escape, an unclosed quote) goes to shlex itself."""
    if "\\" in text:
        return shlex.split(text)
    words = []
    for token in _TOKEN.finditer(text):
        word, unclosed = token.groups()
        if unclosed is not None:
            return shlex.split(text)
        if word is not None:
            if '"' in word or "'" in word:
                word = "".join([a or b or c for a, b, c in _PART.findall(word)])
            words.append(word)
    return words


def without_comment(text: str) -> str:
    """The line up to its comment: a ``#`` that begins a word, outside quotes, as
    in a shell. (shlex's own ``comments=True`` also starts one at a ``#`` inside a
    word: ``--wrt u#v --at u=1,v=2`` became ``--wrt u`` and its point was lost,
    answered at exit 0 where the command alone refuses ``u#v``.)"""
    quote = ""
    escaped = False
    word_start = True
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                escaped = True
            continue
        elif char == "\\":
            escaped = True
        elif char in "'\"":
            quote = char
        elif char in _SHELL_BLANKS:
            word_start = True
            continue
        elif char == "#" and word_start:
            return text[:index]
        word_start = False
    return text


def _error(lineno: int, code: ExitCode, message: str) -> dict[str, Any]:
    return {"line": lineno, "exit": int(code), "error": message}


def _internal(lineno: int, exc: Exception) -> dict[str, Any]:
    """A bug met on one line: that line's error (exit 3), and the batch goes on."""
    if os.environ.get("DERIVCLI_DEBUG"):
        raise exc
    return _error(lineno, ExitCode.CANNOT_COMPUTE, internal_error(exc))


# Lines begun beyond the one being finished. One keeps both cores busy only
# while each process is on time for the other; with a few queued, the worker
# goes on to the next line when this process is late (descheduled, or busy
# with a slow line's autograd), and the other way round.
AHEAD = 8


# A line identical to one already answered is answered again from memory, but
# only where its answer cannot change: exit 0, 1 or 2 (a verdict, bad input),
# not 3 (a budget or a device, which may go otherwise the next time). Answers
# longer than ANSWER_CACHE_CHARS (a long grid) are not kept; the oldest of
# ANSWER_CACHE_LINES goes first.
ANSWER_CACHE_LINES = 4096
ANSWER_CACHE_CHARS = 1 << 16
_KEPT_EXITS = (int(ExitCode.OK), int(ExitCode.DISAGREE), int(ExitCode.BAD_INPUT))


class _Answers:
    """Answered lines by their text: the JSON after ``{"line": N``, and the exit."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[str, int]] = {}

    def get(self, text: str) -> tuple[str, int] | None:
        return self._kept.get(text)

    def keep(self, text: str, written: str, number: int, exit_code: int) -> None:
        prefix = f'{{"line": {number}'
        if exit_code not in _KEPT_EXITS or len(written) > ANSWER_CACHE_CHARS:
            return
        assert written.startswith(prefix), "the line number comes first"
        if len(self._kept) >= ANSWER_CACHE_LINES:
            self._kept.pop(next(iter(self._kept)))
        self._kept[text] = (written[len(prefix) :], exit_code)


def run_batch(lines: Iterable[str], begin: BeginLine, out: IO[str]) -> int:
    """Run every line; write one JSON object per answered line, in input order;
    return the worst exit code."""
    from derivcli.compare import new_runner

    runner = new_runner()
    source = Lookahead(lines)
    waiting: deque[_Line] = deque()  # begun, not yet written, in input order
    answers = _Answers()
    worst = int(ExitCode.OK)

    def write(text: str) -> None:
        try:
            out.write(text)
            out.flush()
        except BrokenPipeError:
            raise OutputClosed from None
        except OSError as exc:
            raise OutputError.writing(exc) from None

    def write_first() -> None:
        nonlocal worst
        line = waiting.popleft()
        if line.known is not None:
            rest, exit_code = line.known
            write(f'{{"line": {line.number}{rest}\n')
        else:
            answer = line.finish()
            written = json.dumps(answer, allow_nan=False)
            write(written + "\n")
            exit_code = int(answer["exit"])
            answers.keep(line.text, written, line.number, exit_code)
        worst = max(worst, exit_code)

    try:
        lineno = 0
        while True:
            while waiting and waiting[0].answered:
                write_first()
            if waiting and (len(waiting) > AHEAD or waiting[-1].alone or not source.ready()):
                write_first()  # the queue is full, or the next line is not there yet
                continue
            raw = source.next()
            if raw is None:
                break
            lineno += 1
            if lineno == 1:
                # Notepad and PowerShell begin a UTF-8 file with a byte order
                # mark; it is no part of the first line's command
                raw = raw.removeprefix("\ufeff")
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            known = answers.get(text)
            if known is not None:
                waiting.append(_Line(lineno, text, known=known))
            else:
                waiting.append(begin_line(lineno, text, begin, runner))
        while waiting:
            write_first()
    finally:
        runner.stop()
    return worst


class Lookahead:
    """The lines of a stream, and whether the next one can be had without waiting.

    A stream with a file descriptor (stdin, a file) is read here in chunks,
    each only once ``select`` says it is there, and decoded as the text
    stream itself would have (its encoding, undecodable bytes replaced,
    universal newlines), so its lines are the very lines iterating it gives.
    Any other iterable of lines (tests' StringIO) is all there at once.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self._fd = _descriptor(lines)
        self._lines: Iterator[str] = iter(lines)
        self._ready: deque[str] = deque()
        self._partial = ""
        self._ended = False
        encoding = getattr(lines, "encoding", None) or "utf-8"
        self._decoder = io.IncrementalNewlineDecoder(
            codecs.getincrementaldecoder(encoding)(errors="replace"), translate=True
        )

    def ready(self) -> bool:
        """Whether :meth:`next` returns at once."""
        if self._fd is None:
            return True
        while not self._ready and not self._ended and _readable(self._fd):
            self._read()
        return bool(self._ready) or self._ended

    def next(self) -> str | None:
        """The next line (with its newline), waiting for it if need be; None at the end."""
        if self._fd is None:
            return next(self._lines, None)
        while not self._ready and not self._ended:
            self._read()
        return self._ready.popleft() if self._ready else None

    def _read(self) -> None:
        assert self._fd is not None
        chunk = os.read(self._fd, 1 << 16)
        self._ended = not chunk
        parts = (self._partial + self._decoder.decode(chunk, final=self._ended)).split("\n")
        self._partial = parts.pop()
        self._ready.extend(part + "\n" for part in parts)
        if self._ended and self._partial:
            self._ready.append(self._partial)
            self._partial = ""


def _descriptor(lines: Iterable[str]) -> int | None:
    """The file descriptor under a text stream, if it has one to read from directly."""
    fileno = getattr(lines, "fileno", None)
    if fileno is None:
        return None
    try:
        fd: int = fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None
    return fd


def _readable(fd: int) -> bool:
    """Whether reading ``fd`` returns at once (data or end of file)."""
    try:
        ready, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError):  # select cannot watch it (Windows pipes): never look ahead
        return False
    return bool(ready)
