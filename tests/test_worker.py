"""The symbolic worker's protocol with several requests in flight (batch overlaps lines).

The worker runs a stand-in function here, so each test says exactly what the
child does. Budgets are chosen far from the work (a 30 s sleep against 0.2 s,
0.2 s of work against 2 s of slack): the tests check outcomes, never how long
anything took.
"""

from __future__ import annotations

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
