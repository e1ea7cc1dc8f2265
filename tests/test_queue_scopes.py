"""SQS rules on who may delete and what counts as a duplicate: a standard queue honours a
late delete whose receipt is still the newest, a FIFO queue does not; a high-throughput
FIFO queue (Stacktape's fifoHighThroughput, DeduplicationScope=messageGroup) deduplicates
within a message group only."""

from __future__ import annotations

import pytest
from simkit import make_sim, records

QUEUES = """\
serviceName: q
resources:
  plain: {type: sqs-queue, properties: {visibilityTimeoutSeconds: 10}}
  ordered:
    type: sqs-queue
    properties: {fifoEnabled: true, visibilityTimeoutSeconds: 10}
  fast:
    type: sqs-queue
    properties: {fifoEnabled: true, fifoHighThroughput: true}
"""


def test_a_standard_queue_deletes_after_the_timeout_if_nobody_received_it_since() -> None:
    sim = make_sim(QUEUES)
    q = sim.queue("plain")
    q.send("job")
    (msg,) = q.receive_standard(1, sim.clock.now, q.visibility_ms, None)
    receipt = msg.receipt
    q.release(msg, receipt)  # the consumer outlives the timeout, as a slow handler does
    sim.advance(15_000)  # the timeout ended: the message is visible again
    assert q.visible_count == 1
    assert q.delete(msg, receipt) is True
    assert q.depth == 0 and q.visible_count == 0
    assert [r.kind for r in records(sim, resource="plain")][-1] == "message.deleted"


def test_a_standard_queue_refuses_the_delete_once_the_message_was_received_again() -> None:
    sim = make_sim(QUEUES)
    q = sim.queue("plain")
    q.send("job")
    (first,) = q.receive_standard(1, sim.clock.now, q.visibility_ms, None)
    receipt = first.receipt
    q.release(first, receipt)
    sim.advance(15_000)
    q.receive_standard(1, sim.clock.now, q.visibility_ms, None)
    assert q.delete(first, receipt) is False
    assert q.depth == 1
    assert records(sim, "message.delete_stale", "plain")


def test_a_fifo_queue_refuses_a_delete_after_the_timeout() -> None:
    sim = make_sim(QUEUES)
    q = sim.queue("ordered")
    q.send("job", group="g", dedup_id="d")
    (msg,) = q.receive(1)
    receipt = msg.receipt
    q.release(msg, receipt)
    sim.advance(15_000)
    assert q.delete(msg, receipt) is False
    assert q.depth == 1


@pytest.mark.parametrize(
    ("queue", "messages"),
    [("fast", 2), ("ordered", 1)],  # per group with high throughput, else per queue
)
def test_the_deduplication_scope(queue: str, messages: int) -> None:
    sim = make_sim(QUEUES)
    q = sim.queue(queue)
    first = q.send("a", group="A", dedup_id="order-1")
    second = q.send("b", group="B", dedup_id="order-1")
    assert q.depth == messages
    assert (first == second) is (messages == 1)
    # Within one group a repeated id is a duplicate either way.
    assert q.send("c", group="A", dedup_id="order-1") == first
    assert q.depth == messages
