"""The symbolic worker's protocol with several requests in flight (batch overlaps lines).

The worker runs a stand-in function here, so each test says exactly what the
child does. Budgets are chosen far from the work (a 30 s sleep against 0.2 s,
0.2 s of work against 2 s of slack): the tests check outcomes, never how long
anything took.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any

import pytest

from derivcli.errors import BudgetError, CannotComputeError
from derivcli.worker import Worker


def serve(request: tuple[str, float], receive: Callable[[], Any]) -> Any:
    """sleep: sleep that long, then answer with the child's pid; more: answer with
    the next message; die: exit without answering."""
    kind, seconds = request
    if kind == "more":
        return receive()
    if kind == "die":
        os._exit(1)
    time.sleep(seconds)
    return os.getpid()


@pytest.fixture
def worker() -> Any:
    started = Worker(serve)
    yield started
    started.stop()


def test_requests_in_flight_are_answered_in_order(worker: Worker) -> None:
    first = worker.submit(("more", 0))
    first.send("one")
    second = worker.submit(("more", 0))
    second.send("two")
    third = worker.submit(("more", 0), "three")  # its message in the same write
    fourth = worker.submit(("sleep", 0))
    assert first.result(10) == "one"
    assert second.result(10) == "two"
    assert third.result(10) == "three"
    assert isinstance(fourth.result(10), int)


def test_each_budget_counts_from_when_the_request_before_it_is_answered(
    worker: Worker,
) -> None:
    # Sent at the same moment: the second waits 1 s for the first, which its
    # 2 s budget does not count.
    first = worker.submit(("sleep", 1.0))
    second = worker.submit(("sleep", 1.5))
    assert first.result(10) == second.result(2.0)  # the same child answered both


def test_a_request_past_its_budget_is_killed_and_the_next_one_sent_again(
    worker: Worker,
) -> None:
    child = worker.submit(("sleep", 0)).result(10)
    stuck = worker.submit(("sleep", 30))
    after = worker.submit(("sleep", 0))
    with pytest.raises(BudgetError, match="not reached within the time budget"):
        stuck.result(0.2)
    assert after.result(10) != child  # answered, by a fresh child


def test_a_child_that_dies_fails_its_request_only(worker: Worker) -> None:
    dying = worker.submit(("die", 0))
    after = worker.submit(("more", 0))
    after.send("still answered")
    with pytest.raises(BudgetError, match="more memory"):
        dying.result(10)
    assert after.result(10) == "still answered"


def test_a_child_that_dies_with_messages_still_unsent_fails_its_request_only(
    worker: Worker,
) -> None:
    # 4 MiB queued behind a 64 KiB pipe: the child exits on reading the request,
    # so writing the rest fails with EPIPE, which must not escape (click turns
    # it into a silent exit 1: a batch stopped mid-way, no message)
    dying = worker.submit(("die", 0), b"x" * (4 << 20))
    after = worker.submit(("more", 0))
    after.send("still answered")
    with pytest.raises(BudgetError, match="more memory"):
        dying.result(10)
    assert after.result(10) == "still answered"


def test_cancelling_a_request_not_yet_started_drops_it_only(worker: Worker) -> None:
    first = worker.submit(("sleep", 0))
    cancelled = worker.submit(("more", 0))  # its message never comes
    cancelled.cancel()
    last = worker.submit(("more", 0))
    last.send("last")
    assert isinstance(first.result(10), int)
    assert last.result(10) == "last"


def test_cancelling_the_request_being_worked_on_kills_the_child(worker: Worker) -> None:
    busy = worker.submit(("sleep", 30))
    busy.cancel()
    fresh = worker.submit(("sleep", 0))
    assert isinstance(fresh.result(10), int)


def test_results_are_read_in_order(worker: Worker) -> None:
    worker.submit(("sleep", 0))
    second = worker.submit(("sleep", 0))
    with pytest.raises(RuntimeError, match="in the order"):
        second.result(10)


def test_a_stopped_worker_answers_nothing_more(worker: Worker) -> None:
    pending = worker.submit(("sleep", 0))
    worker.stop()
    with pytest.raises(CannotComputeError, match="stopped"):
        pending.result(10)


def test_the_symbolic_worker_uses_the_parents_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    # The request carries the parent's parse, so the worker does not parse the
    # text again; the request's identity (the worker's cache key) is still its
    # text, derivatives, budget and dtype alone.
    import pickle

    from derivcli.language.parser import parse
    from derivcli.language.points import PointSet
    from derivcli.symbolic import analysis

    source = "x**3 + sin(x)"
    request = analysis.make_request(parse(source), [("x",)], budget=60.0)
    sent = pickle.loads(pickle.dumps(request))  # as it crosses the pipe
    assert sent.parsed is not None and request.parsed is not None
    assert sent.parsed.tree == request.parsed.tree
    bare = analysis.SymbolicRequest(source, (("x",),), ("x",), 60.0)
    assert bare == request and hash(bare) == hash(request)

    def no_parse(text: str) -> None:
        raise AssertionError(f"parsed again: {text}")

    monkeypatch.setattr(analysis, "parse", no_parse)
    analysis._PREPARED.clear()
    points = PointSet(("x",), {"x": [2.0]}, 1)
    response = analysis.run(sent, points)
    # d/dx (x**3 + sin x) = 3x**2 + cos x: 12 + cos 2 at x = 2
    assert response.derivatives[0].values == [pytest.approx(12 + math.cos(2.0), rel=1e-15)]
    assert response.function_values == [pytest.approx(8 + math.sin(2.0), rel=1e-15)]
    # without the parse (an older caller), the text is parsed as before
    with pytest.raises(AssertionError, match="parsed again"):
        analysis._PREPARED.clear()
        analysis.run(bare, points)
    analysis._PREPARED.clear()


def test_a_long_source_is_parsed_again_by_the_worker() -> None:
    # pickle recurses along a tree: a 5,000-term chain (10,000 characters) cannot
    # travel, so its request carries the text alone (test_budgets runs it whole)
    from derivcli.language.parser import parse
    from derivcli.symbolic import analysis

    longest = "+".join(["x"] * 500)  # 999 characters
    assert analysis.make_request(parse(longest), [("x",)], 60.0).parsed is not None
    chain = "+".join(["x"] * 5000)
    assert analysis.make_request(parse(chain), [("x",)], 60.0).parsed is None
    assert analysis.make_request(parse(longest + "+x"), [("x",)], 60.0).parsed is None
