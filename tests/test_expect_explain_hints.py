"""A failed `expect` about a queue's messages ends with the next step: the ids of the
messages to `explain` (up to 3), as `expect count` at 0 on the wrong resource names the
resources that have the records."""

from __future__ import annotations

from pathlib import Path

import pytest

import stptui
from stptui.commands import Session, execute
from stptui.commands.registry import ExpectationFailed
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
JOB_QUEUE = Path(stptui.__file__).parent / "sample_stacks" / "job-queue"


@pytest.fixture
def session() -> Session:
    return Session.open(JOB_QUEUE, start_ms=T0)


def failed(session: Session, line: str) -> ExpectationFailed:
    with pytest.raises(ExpectationFailed) as info:
        execute(session, line)
    return info.value


# What a failed expect adds while the worker's poll of what was just sent is due now.
DUE_NOW = (
    "; 1 event is due at this instant, not run yet: a command only schedules the work it "
    "sets off, `advance 0` runs it"
)


def sent(session: Session, n: int) -> list[str]:
    """The ids of `n` messages sent to jobQueue now (the clock does not move: they wait)."""
    return [
        execute(session, f"send jobQueue '{{\"orderId\": {i}}}'").data["message_id"]
        for i in range(n)
    ]


def test_a_failed_depth_names_the_messages_to_explain(session: Session) -> None:
    ids = sent(session, 5)
    e = failed(session, "expect queue.jobQueue.depth == 0")
    assert e.message == "expected queue.jobQueue.depth == 0, actual 5"
    # The first three in receive order, and where the rest are listed.
    assert e.hint == (
        f"explain a message: explain {ids[0]} (or {ids[1]}, {ids[2]}); "
        "show queue jobQueue lists all 5" + DUE_NOW
    )


def test_a_failed_depth_of_a_queue_holding_one_names_it(session: Session) -> None:
    (only,) = sent(session, 1)
    assert failed(session, "expect queue.jobQueue.depth > 1").hint == f"explain {only}{DUE_NOW}"


def test_an_empty_queue_s_failed_depth_has_no_ids(session: Session) -> None:
    assert failed(session, "expect queue.jobQueue.depth == 1").hint is None


def test_a_failed_dead_letter_count_names_the_dead_lettered_messages(session: Session) -> None:
    execute(session, "fail worker")
    ids = sent(session, 2)
    execute(session, "advance 20m")
    e = failed(session, "expect count message.dead_lettered == 0")
    assert e.message == "expected count message.dead_lettered == 0, actual 2"
    # The newest first: what was dead-lettered last is what the user just did.
    assert e.hint == f"explain a message: explain {ids[1]} (or {ids[0]})"
    assert failed(session, "expect count message.dead_lettered jobQueue < 2").hint == e.hint


def test_a_dead_letter_count_at_0_names_the_messages_still_in_the_queue(
    session: Session,
) -> None:
    (waiting,) = sent(session, 1)
    e = failed(session, "expect count message.dead_lettered jobQueue == 1")
    # How far the message is from the move, too: what a CI log's reader asks first; and
    # that the send's own work has not run yet.
    assert e.hint == (
        "jobQueue moves a message to deadLetterQueue after 3 receives (maxReceiveCount); "
        f"it holds 1 (not received yet): explain {waiting}{DUE_NOW}"
    )
