"""`show metrics` counts what CloudWatch's own definitions say each metric counts: the cases
where the simplest replay of the trace would count something else (docs/fidelity.md,
"Metrics: show metrics")."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant
from stptui.sim.metrics import compute
from stptui.sim.services.alarm_metrics import field

START = parse_instant("2026-01-05T08:00:00Z")

# A standard queue with a dead-letter queue, and one without, each consumed by a function.
STACK = """\
resources:
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 20
      redrivePolicy:
        targetSqsQueueName: dlq
        maxReceiveCount: 2
  dlq:
    type: sqs-queue
  slow:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 5
  worker:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties:
          entryfilePath: src/worker.ts
      timeout: 10
      events:
        - type: sqs
          properties:
            sqsQueueName: jobs
  slowWorker:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties:
          entryfilePath: src/slow.ts
      timeout: 10
      events:
        - type: sqs
          properties:
            sqsQueueName: slow
"""
# slowWorker outlives its queue's visibility timeout: every delete it makes is stale.
BEHAVIOURS = """\
behaviors:
  worker:
    duration: 3s
  slowWorker:
    duration: 8s
"""


def _session(tmp: Path, *lines: str) -> Session:
    (tmp / "stacktape.yml").write_text(STACK)
    (tmp / "stptui.yml").write_text(BEHAVIOURS)
    session = Session.open(tmp, start_ms=START)
    for line in lines:
        execute(session, line)
    return session


def _records(session: Session, kind: str) -> list[tuple[object, ...]]:
    session.sim.trace.settle()
    return [raw for raw in session.sim.trace.records.raw if raw[1] == kind]


def _value(
    session: Session, name: str, metric: str, stat: str, since: int | None = None
) -> float | None:
    res = compute(session.sim, since).resources[name]
    figure = res.figure(metric, stat)
    assert figure is not None
    return figure.value


def test_an_invocation_counts_when_it_was_invoked_not_when_it_ended(tmp_path: Path) -> None:
    # "The timestamp on an error metric reflects when the function was invoked, not when
    # the error occurred" (Lambda, "Types of metrics for Lambda functions").
    session = _session(tmp_path, "fail worker next 1", "send jobs '{}'", "advance 10s")
    (started,) = _records(session, tk.INVOCATION_STARTED)[:1]
    ended = _records(session, tk.INVOCATION_FAILED)[0]
    assert ended[0] - started[0] == 3000
    now = session.sim.clock.now
    # A window that opens while it runs holds its end but not its start: nothing counts.
    since = now - (started[0] + 1000)
    assert _value(session, "worker", "Invocations", "Sum", since) == 0
    assert _value(session, "worker", "Errors", "Sum", since) == 0
    assert _value(session, "worker", "Duration", "Maximum", since) is None
    # A window that holds its start counts it, error and duration too.
    since = now - started[0]
    assert _value(session, "worker", "Invocations", "Sum", since) == 1
    assert _value(session, "worker", "Errors", "Sum", since) == 1
    assert _value(session, "worker", "Duration", "Maximum", since) == 3000


def test_periods_put_an_invocation_in_the_period_it_was_invoked(tmp_path: Path) -> None:
    session = _session(tmp_path, "send jobs '{}'", "advance 4s")
    result = execute(session, "show metrics worker --period 2s")
    invocations = [period["values"][0] for period in result.data["periods"]]
    # Invoked at once, ended 3 s later: the first 2 s period holds it.
    assert invocations == [1, 0]


def test_a_dead_letter_queues_age_counts_from_the_move(tmp_path: Path) -> None:
    # A standard DLQ keeps the enqueue time for retention, but its metric "indicates when
    # the message moved to the dead-letter queue" (SQS, dead-letter queue retention).
    session = _session(tmp_path, "fail worker rate 1", "send jobs '{}'", "advance 3m")
    (moved,) = _records(session, tk.MESSAGE_DEAD_LETTERED)
    sent = _records(session, tk.MESSAGE_SENT)[0]
    assert moved[0] - sent[0] >= 40_000
    age = _value(session, "dlq", "ApproximateAgeOfOldestMessage", "Maximum")
    assert age == session.sim.clock.now - moved[0]
    # The queue's own retention still counts from the first send.
    (msg,) = session.sim.queues["dlq"].messages.values()
    assert msg.enqueued_at == sent[0]


def test_a_poison_pill_leaves_the_age_of_the_oldest_message(tmp_path: Path) -> None:
    # Received three times and not deleted: SQS moves it to the back and leaves it out of
    # ApproximateAgeOfOldestMessage until it is processed (a standard queue).
    session = _session(tmp_path, "send slow '{}'", "advance 1m")
    returned = [
        raw for raw in _records(session, tk.MESSAGE_RETURNED) if field(raw, "receive_count") == 3
    ]
    sent = _records(session, tk.MESSAGE_SENT)[0]
    assert returned and session.sim.queue_stats("slow")["depth"] == 1
    age = _value(session, "slow", "ApproximateAgeOfOldestMessage", "Maximum")
    assert age == returned[0][0] - sent[0]
    assert age < session.sim.clock.now - sent[0]


def test_a_standard_queue_counts_a_stale_receipts_delete(tmp_path: Path) -> None:
    # SQS counts "every successful deletion operation that uses a valid receipt handle,
    # including duplicate deletions"; a standard queue answers an old receipt with success.
    session = _session(tmp_path, "send slow '{}'", "advance 30s")
    stale = _records(session, tk.MESSAGE_DELETE_STALE)
    assert len(stale) >= 3
    assert _value(session, "slow", "NumberOfMessagesDeleted", "Sum") == len(stale)
    # Nothing left the queue: the message is still there.
    assert session.sim.queue_stats("slow")["depth"] == 1


@pytest.mark.parametrize(("written", "value"), [("p95.0", 3000), ("p95.00", 3000), ("p50", 3000)])
def test_expect_reads_a_percentile_with_decimals(tmp_path: Path, written: str, value: int) -> None:
    # CloudWatch names a percentile pNN.NN (p95.45): p95.0 is p95.
    session = _session(tmp_path, "send jobs '{}'", "advance 10s")
    execute(session, f"expect metric.worker.Duration.{written} == {value}")


def test_a_percentile_the_table_does_not_show_is_computed_and_three_decimals_refused(
    tmp_path: Path,
) -> None:
    # CloudWatch takes any percentile with up to two decimals (p95.45).
    session = _session(tmp_path, "send jobs '{}'", "advance 10s")
    execute(session, "expect metric.worker.Duration.p95.5 == 3000")
    with pytest.raises(CommandError) as err:
        execute(session, "expect metric.worker.Duration.p95.555 == 3000")
    assert "at most two decimals" in err.value.message
    assert err.value.hint == "e.g. metric.worker.Duration.p95.55"
