"""`invoke --async`: Lambda's Event invocation type from the command line. Lambda queues the
event and answers 202 at once; the attempts, retries and destinations run with the clock
(Lambda developer guide, "Invoking a Lambda function asynchronously")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.services.function import ASYNC_PAYLOAD_BYTES, SYNC_PAYLOAD_BYTES, payload_bytes
from tests.simkit import START, records

STACK = """
resources:
  failures: {type: sqs-queue}
  handler:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: h.ts}}
      destinations: {onFailure: "$ResourceParam('failures', 'arn')"}
"""


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    return Session.open(tmp_path, start_ms=START)


def test_an_async_invoke_answers_202_at_once_and_the_clock_runs_its_attempts(
    session: Session,
) -> None:
    execute(session, "fail handler always")
    result = execute(session, "invoke handler '{\"n\": 1}' --async")
    event_id = result.data["event_id"]
    assert result.data["status_code"] == 202
    assert result.text.startswith(f"handler: queued event {event_id} (202)")
    assert session.sim.clock.now == START
    # Nothing has run yet: the first attempt is the clock's.
    assert records(session.sim, tk.INVOCATION_STARTED) == []
    execute(session, "advance 5m")
    started = records(session.sim, tk.INVOCATION_STARTED, "handler")
    assert [(r.t - START) / 1000 for r in started] == [0, 60.1, 180.2]
    assert {r.get("trigger") for r in started} == {"invoke"}
    (msg,) = session.sim.queues["failures"].listing()
    record = json.loads(msg.body)
    assert record["requestContext"]["requestId"] == event_id
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == {"n": 1}
    # `explain` follows the event id the command answered with through every attempt.
    chain = execute(session, f"explain {event_id}").text
    assert chain.count("invocation.started") == 3 and "destination.delivered" in chain


def test_an_async_invoke_over_1_mb_is_refused_and_changes_nothing(session: Session) -> None:
    with pytest.raises(CommandError, match="Request must be smaller than 1048576 bytes"):
        execute(session, "invoke handler '\"" + "y" * ASYNC_PAYLOAD_BYTES + "\"' --async")
    assert session.sim.trace.seq == 0


def test_an_async_invoke_of_exactly_1_mb_is_queued(session: Session) -> None:
    text = "y" * (ASYNC_PAYLOAD_BYTES - 2)  # the JSON string's quotes make up the rest
    assert payload_bytes(text) == ASYNC_PAYLOAD_BYTES
    result = execute(session, "invoke handler '\"" + text + "\"' --async")
    assert result.data["status_code"] == 202


def test_a_sync_invoke_counts_its_payload_as_compact_json(session: Session) -> None:
    # `{"a": "yyy"}` as typed has a space that compact JSON has not: 6 MB compact is taken.
    payload = {"a": "y" * (SYNC_PAYLOAD_BYTES - len('{"a":""}'))}
    assert payload_bytes(payload) == SYNC_PAYLOAD_BYTES
    result = execute(session, "invoke handler '" + json.dumps(payload) + "'")
    assert result.data["status"] == "success"


def test_an_async_invoke_with_reserved_concurrency_0_goes_to_on_failure(
    tmp_path: Path,
) -> None:
    stack = STACK.replace(
        "      destinations:", "      reservedConcurrency: 0\n      destinations:"
    )
    (tmp_path / "stacktape.yml").write_text(stack, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    # Lambda still answers 202: the event is queued, then sent on without an attempt.
    result = execute(session, "invoke handler --async")
    assert result.data["status_code"] == 202
    execute(session, "advance 1s")
    assert records(session.sim, tk.INVOCATION_STARTED) == []
    (msg,) = session.sim.queues["failures"].listing()
    assert json.loads(msg.body)["requestContext"]["approximateInvokeCount"] == 0


def test_repeated_async_invokes_queue_one_event_each(session: Session) -> None:
    result = execute(session, "repeat 3 invoke handler '{\"i\": {i}}' --async")
    assert "3" in result.text
    execute(session, "advance 1s")
    inputs = [r.get("event_id") for r in records(session.sim, tk.INVOCATION_STARTED)]
    assert len(set(inputs)) == 3


def test_an_async_invoke_is_undone_and_redone(session: Session) -> None:
    result = execute(session, "invoke handler '{\"n\": 2}' --async")
    execute(session, "advance 1s")
    execute(session, "undo")
    execute(session, "undo")
    assert records(session.sim, tk.INVOCATION_STARTED) == []
    execute(session, "redo")
    execute(session, "redo")
    [started] = records(session.sim, tk.INVOCATION_STARTED)
    assert started.get("event_id") == result.data["event_id"]
