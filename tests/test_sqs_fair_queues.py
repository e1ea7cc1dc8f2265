"""SQS fair queues: a standard queue takes a MessageGroupId (the tenant), keeps it and reports
it, without FIFO's ordering or deduplication; a deduplication id is still refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.behavior import parse_override
from stptui.sim.engine import SimError
from stptui.sim.payloads import sqs_event
from tests.simkit import START, capture_inputs, make_sim, records

STACK = """\
resources:
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 30
      redrivePolicy: {targetSqsQueueName: dlq, maxReceiveCount: 2}
  dlq:
    type: sqs-queue
  orders:
    type: sqs-queue
    properties: {fifoEnabled: true, contentBasedDeduplication: true}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      timeout: 5
      events:
        - type: sqs
          properties: {sqsQueueName: jobs, batchSize: 1}
"""

SLOW = """\
behaviors:
  worker:
    duration: 2s
"""

STANDARD_KEYS = ["ApproximateReceiveCount", "SentTimestamp", "SenderId"]


def test_a_standard_queue_keeps_the_group_id_it_is_sent_with() -> None:
    sim = make_sim(STACK)
    mid = sim.send("jobs", '{"n": 1}', group="tenant-1")
    assert sim.queues["jobs"].messages[mid].group == "tenant-1"
    [sent] = records(sim, tk.MESSAGE_SENT, "jobs")
    assert sent.get("group") == "tenant-1"


def test_a_fair_queue_neither_orders_nor_deduplicates_a_group() -> None:
    sim = make_sim(STACK, SLOW)
    first = sim.send("jobs", "same", group="tenant-1")
    second = sim.send("jobs", "same", group="tenant-1")
    assert first != second
    assert not records(sim, tk.MESSAGE_DEDUPLICATED)
    sim.advance(1_000)
    # Both are in flight at once: no group blocks on a standard queue.
    received = records(sim, tk.MESSAGE_RECEIVED, "jobs")
    assert [(r.t - START, r.get("message_id")) for r in received] == [(0, first), (0, second)]
    assert sim.queue_stats("jobs")["in_flight"] == 2


def test_the_lambda_record_of_a_fair_queue_message_carries_its_group_id() -> None:
    sim = make_sim(STACK)
    seen = capture_inputs(sim, lambda inp: inp.event()["Records"][0]["attributes"])
    sim.send("jobs", "with", group="tenant-1")
    sim.send("jobs", "without")
    sim.run(60_000)
    with_group, without = seen
    assert list(with_group) == [
        "ApproximateReceiveCount",
        "SentTimestamp",
        "MessageGroupId",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    ]
    assert with_group["MessageGroupId"] == "tenant-1"
    assert list(without) == [*STANDARD_KEYS, "ApproximateFirstReceiveTimestamp"]


def test_the_group_id_goes_with_the_message_to_the_dlq_and_back() -> None:
    sim = make_sim(STACK)
    sim.functions["worker"].overrides.append(parse_override(["fail", "worker", "always"]))
    mid = sim.send("jobs", "poison", group="tenant-7")
    sim.run(3_600_000)
    dlq = sim.queues["dlq"]
    moved = dlq.messages[mid]
    assert moved.group == "tenant-7"
    [record] = sqs_event([moved], dlq, sim.region)["Records"]
    assert record["attributes"]["MessageGroupId"] == "tenant-7"
    assert record["attributes"]["DeadLetterQueueSourceArn"] == sim.queues["jobs"].arn
    sim.functions["worker"].overrides.clear()
    [(_, new_id)] = dlq.redrive_to(sim.queues["jobs"])
    assert sim.find_message(new_id).group == "tenant-7"


@pytest.mark.parametrize(
    ("queue", "kwargs", "needle"),
    [
        ("jobs", {"dedup_id": "d1"}, "parameter MessageDeduplicationId is invalid"),
        ("jobs", {"group": "tenant 1"}, "parameter MessageGroupId is invalid"),
        ("orders", {"group": "tenant 1"}, "parameter MessageGroupId is invalid"),
        ("orders", {"group": "x" * 129}, "1 to 128 in length"),
    ],
)
def test_what_sqs_still_refuses_changes_nothing(queue: str, kwargs: dict, needle: str) -> None:
    sim = make_sim(STACK)
    seq = sim.trace.seq
    with pytest.raises(SimError, match=needle):
        sim.send(queue, "x", **kwargs)
    assert sim.trace.seq == seq
    assert sim.queue_stats(queue)["depth"] == 0


def test_send_with_a_group_on_a_standard_queue_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK)
    session = Session.open(tmp_path, start_ms=START)
    sent = execute(session, "send jobs hi --group tenant-1")
    shown = execute(session, "show queue jobs")
    assert shown.table is not None
    headers, rows = shown.table
    [row] = rows
    assert row[headers.index("message")] == sent.data["message_id"]
    assert row[headers.index("group")] == "tenant-1"
    with pytest.raises(CommandError, match="MessageDeduplicationId"):
        execute(session, "send jobs hi --dedup-id d1")
