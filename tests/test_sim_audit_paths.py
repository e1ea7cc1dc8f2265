"""Less-travelled SQS and asynchronous-invocation paths, rule by rule against
reference/aws-semantics.md (section numbers below) and the AWS sample events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stptui.sim import trace as tk
from stptui.sim.behavior import parse_override
from stptui.sim.engine import Simulator
from tests.simkit import START, make_sim, records, seconds

PKG = "packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: w.ts}}}}"
SAMPLES = Path("/work/shared/reference/aws-sample-events")

FIFO = f"""
resources:
  orders:
    type: sqs-queue
    properties:
      fifoEnabled: true
      contentBasedDeduplication: true
      visibilityTimeoutSeconds: 30
      redrivePolicy: {{{{targetSqsQueueName: ordersDlq, maxReceiveCount: 2}}}}
  ordersDlq:
    type: sqs-queue
    properties: {{{{fifoEnabled: true, contentBasedDeduplication: true}}}}
  worker:
    type: function
    properties:
      {PKG}
      timeout: 5
      events: [{{{{type: sqs, properties: {{{{sqsQueueName: orders, batchSize: {{batch}}}}}}}}}}]
"""
POISON = 'behaviors:\n  worker:\n    fail: {when: "body.poison == `true`"}\n'


def ids_of(
    sim: Simulator, kind: str, field: str = "message_id", resource: str | None = None
) -> list[Any]:
    return [r.get(field) for r in records(sim, kind, resource)]


# -- FIFO (§1.5, §2) ----------------------------------------------------------------------------


def test_fifo_partial_failure_returns_the_first_failure_and_the_rest_of_the_group() -> None:
    # §2: with FIFO queues the function stops at the first failure and reports it and every
    # later message; the messages before it are deleted.
    sidecar = (
        'behaviors:\n  worker:\n    partial: {when: "body.n == `2`"}\n'
        "    reportBatchItemFailures: true\n"
    )
    sim = make_sim(FIFO.format(batch=10), sidecar)
    ids = [sim.send("orders", json.dumps({"n": i}), group="g") for i in range(1, 5)]
    sim.advance(1_000)
    (done,) = records(sim, tk.INVOCATION_SUCCEEDED, "worker")
    assert done.get("batch_item_failures") == ids[1:]
    assert ids_of(sim, tk.MESSAGE_DELETED) == ids[:1]
    sim.advance(30_000)
    # The reported messages return at the visibility timeout, in their order in the group.
    second = records(sim, tk.INVOCATION_STARTED, "worker")[1]
    assert second.get("message_ids") == ids[1:] and (second.t - START) == 30_000


def test_a_failing_fifo_message_blocks_its_group_until_it_reaches_the_dlq() -> None:
    # §1.5: no further message of a group is returned while one is in flight, so a failing
    # message holds its group until it is deleted or moved to the dead-letter queue.
    sim = make_sim(FIFO.format(batch=1), POISON)
    a1 = sim.send("orders", '{"poison": true}', group="a")
    a2 = sim.send("orders", '{"n": 2}', group="a")
    b1 = sim.send("orders", '{"n": 3}', group="b")
    sim.advance(59_999)
    assert a2 not in ids_of(sim, tk.MESSAGE_RECEIVED)
    assert ids_of(sim, tk.MESSAGE_DELETED) == [b1]
    sim.advance(1)
    # Receives at 0 and 30 s (maxReceiveCount 2); the third receive attempt, at 60 s, moves
    # a1 and hands a2 over at that instant.
    (moved,) = records(sim, tk.MESSAGE_DEAD_LETTERED, "orders")
    assert moved.get("message_id") == a1 and moved.t - START == 60_000
    sim.advance(1_000)
    assert ids_of(sim, tk.MESSAGE_DELETED) == [b1, a2]


def test_one_batch_of_a_group_is_in_flight_at_a_time() -> None:
    # §2 (FIFO): only one batch per message group is in flight; other groups run beside it.
    sim = make_sim(FIFO.format(batch=10), "behaviors:\n  worker:\n    duration: 2s\n")
    g = [sim.send("orders", f"g{i}", group="g") for i in range(15)]
    h = sim.send("orders", "h0", group="h")
    sim.advance(10_000)
    started = records(sim, tk.INVOCATION_STARTED, "worker")
    # Group h does not wait for group g; g's second batch starts when its first has ended.
    assert [(r.t - START, r.get("message_ids")) for r in started] == [
        (0, g[:10]),
        (0, [h]),
        (2_000, g[10:]),
    ]


def test_a_fifo_dlq_resets_retention_and_replaces_the_deduplication_id() -> None:
    # §1.3: moving into a FIFO DLQ resets the enqueue time and sets the dedup id to the
    # MessageId.
    sim = make_sim(FIFO.format(batch=1), POISON)
    a1 = sim.send("orders", '{"poison": true}', group="a")
    sim.advance(61_000)
    moved = sim.queues["ordersDlq"].messages[a1]
    assert moved.enqueued_at == START + 60_000
    assert moved.dedup_id == a1


def test_fifo_content_deduplication_ignores_attributes_and_outlives_the_delete() -> None:
    # §1.5: SHA-256 of the body only; the id is tracked for 5 minutes even after the message
    # was received and deleted.
    sim = make_sim(FIFO.format(batch=1))
    first = sim.send("orders", "same", group="g", attrs={"a": "1"})
    sim.advance(10_000)
    assert ids_of(sim, tk.MESSAGE_DELETED) == [first]
    assert sim.send("orders", "same", group="g", attrs={"a": "2"}) == first
    sim.advance(300_000 - 10_000 - 1)
    assert sim.send("orders", "same", group="g") == first
    sim.advance(1)  # five minutes after the first send: a new message
    assert sim.send("orders", "same", group="g") != first
    assert len(records(sim, tk.MESSAGE_DEDUPLICATED)) == 2


# -- standard queues (§1.2-§1.4) --------------------------------------------------------------

STANDARD = f"""
resources:
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: {{vt}}
      delayMessagesSecond: {{delay}}
      messageRetentionPeriodSeconds: {{retention}}
      redrivePolicy: {{{{targetSqsQueueName: dlq, maxReceiveCount: {{mrc}}}}}}
  dlq:
    type: sqs-queue
  worker:
    type: function
    properties:
      {PKG}
      timeout: {{timeout}}
      events: [{{{{type: sqs, properties: {{{{sqsQueueName: jobs, batchSize: 1}}}}}}}}]
"""


def standard(
    vt: int = 30,
    delay: int = 0,
    retention: int = 345_600,
    mrc: int = 3,
    timeout: int = 5,
    behaviors: str | None = None,
) -> Simulator:
    stack = STANDARD.format(vt=vt, delay=delay, retention=retention, mrc=mrc, timeout=timeout)
    return make_sim(stack, behaviors)


def test_a_message_delay_overrides_the_queue_delay() -> None:
    # §1.4: the per-message DelaySeconds overrides the queue's, both ways (0 included).
    sim = standard(delay=10)
    queued = sim.send("jobs", "queue delay")
    longer = sim.send("jobs", "message delay", delay_s=20)
    now = sim.send("jobs", "no delay", delay_s=0)
    sim.advance(60_000)
    received = {
        r.get("message_id"): (r.t - START) // 1000 for r in records(sim, "message.received")
    }
    assert received == {now: 0, queued: 10, longer: 20}


def test_a_failed_message_returns_one_visibility_timeout_after_its_receive() -> None:
    # §1.2 and §2: the timeout counts from the receive, and Lambda does not extend it for a
    # retry: a 4 s failing handler does not push the return to 34 s.
    sim = standard(behaviors="behaviors:\n  worker:\n    duration: 4s\n    fail: true\n")
    sim.send("jobs", "x")
    sim.advance(100_000)
    assert seconds(sim, tk.MESSAGE_RECEIVED, "jobs") == [0, 30, 60]
    assert seconds(sim, tk.MESSAGE_RETURNED, "jobs") == [30, 60, 90]


def test_max_receive_count_one_moves_on_the_second_receive_attempt_not_before() -> None:
    # §1.3: returned at most maxReceiveCount times; the move is the next receive attempt.
    sim = standard(mrc=1, behaviors="behaviors:\n  worker:\n    fail: true\n")
    mid = sim.send("jobs", "x")
    sim.advance(29_999)
    assert sim.queues["jobs"].depth == 1 and not records(sim, tk.MESSAGE_DEAD_LETTERED)
    sim.advance(1)
    (moved,) = records(sim, tk.MESSAGE_DEAD_LETTERED, "jobs")
    assert moved.get("message_id") == mid and moved.get("receive_count") == 1
    assert len(records(sim, tk.MESSAGE_RECEIVED, "jobs")) == 1


def test_a_message_in_flight_expires_at_its_retention_and_its_delete_is_stale() -> None:
    # §1.3 (retention counts from the original enqueue): a message whose retention ends
    # while a handler holds it is gone; the handler's late delete deletes nothing.
    sim = standard(
        vt=120, retention=60, timeout=110, behaviors="behaviors:\n  worker:\n    duration: 100s\n"
    )
    mid = sim.send("jobs", "x")
    sim.advance(200_000)
    (expired,) = records(sim, tk.MESSAGE_EXPIRED, "jobs")
    assert expired.get("message_id") == mid and expired.t - START == 60_000
    assert not records(sim, tk.MESSAGE_DELETED)
    (stale,) = records(sim, tk.MESSAGE_DELETE_STALE, "jobs")
    assert stale.get("message_id") == mid and stale.t - START == 100_000
    assert len(records(sim, tk.MESSAGE_RECEIVED, "jobs")) == 1
    assert sim.queues["jobs"].depth == 0


# -- asynchronous invocation (§3) ---------------------------------------------------------------

ASYNC = f"""
resources:
  records:
    type: sqs-queue
  worker:
    type: function
    properties:
      {PKG}
      destinations:
        onSuccess: "$ResourceParam('records', 'arn')"
        onFailure: "$ResourceParam('records', 'arn')"
"""


def _shape(value: object) -> object:
    """The keys of a record, nested, in order (values left out)."""
    if isinstance(value, dict):
        return [(k, _shape(v)) for k, v in value.items()]
    return None


def test_the_on_failure_record_has_the_shape_of_the_aws_validated_sample() -> None:
    sim = make_sim(ASYNC.format(), "behaviors:\n  worker:\n    fail: true\n")
    eid = sim.invoke_async("worker", {"message": "m"}, "invoke", "test")
    sim.run(3_600_000)
    # Attempts at 0, 60.1 and 180.2 s (100 ms handlers), then the record.
    assert seconds(sim, tk.INVOCATION_STARTED, "worker") == [0, 60.1, 180.2]
    (msg,) = sim.queues["records"].listing()
    record = json.loads(msg.body)
    sample = json.loads(
        (SAMPLES / "aws-validated/lambda_destination_record_retries_exhausted.json").read_text()
    )
    for key in ("requestPayload", "responsePayload"):
        record.pop(key), sample.pop(key)
    assert _shape(record) == _shape(sample)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["requestId"] == eid
    assert record["requestContext"]["functionArn"].endswith(":$LATEST")
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }


def test_the_on_success_record_has_no_function_error() -> None:
    sim = make_sim(ASYNC.format(), "behaviors:\n  worker:\n    response: {ok: true}\n")
    sim.invoke_async("worker", {"message": "m"}, "invoke", "test")
    sim.run(60_000)
    (msg,) = sim.queues["records"].listing()
    record = json.loads(msg.body)
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"ok": True}


def test_a_success_on_the_second_attempt_counts_two_invokes() -> None:
    sim = make_sim(ASYNC.format())
    sim.functions["worker"].overrides.append(parse_override(["fail", "worker", "next", "1"]))
    sim.invoke_async("worker", {"message": "m"}, "invoke", "test")
    sim.run(3_600_000)
    assert seconds(sim, tk.INVOCATION_STARTED, "worker") == [0, 60.1]
    (msg,) = sim.queues["records"].listing()
    record = json.loads(msg.body)
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 2


def test_an_eventbridge_destination_wraps_the_record_in_a_lambda_event() -> None:
    # §3: with a bus destination the record is `detail`, source `lambda`, detail-type
    # `Lambda Function Invocation Result - Failure`.
    stack = f"""
resources:
  results: {{type: event-bus}}
  seen:
    type: sqs-queue
    properties:
      events:
        - type: event-bus
          properties: {{eventBusName: results, eventPattern: {{source: [lambda]}}}}
  worker:
    type: function
    properties:
      {PKG.format()}
      destinations: {{onFailure: "$ResourceParam('results', 'arn')"}}
"""
    sim = make_sim(stack, "behaviors:\n  worker:\n    fail: true\n")
    eid = sim.invoke_async("worker", {"message": "m"}, "invoke", "test")
    sim.run(3_600_000)
    (msg,) = sim.queues["seen"].listing()
    event = json.loads(msg.body)
    assert event["source"] == "lambda"
    assert event["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert event["resources"] == [
        sim.services["buses"].bus("results").arn,
        f"{sim.functions['worker'].arn}:$LATEST",
    ]
    assert event["detail"]["requestContext"]["requestId"] == eid
    assert event["detail"]["requestContext"]["condition"] == "RetriesExhausted"
