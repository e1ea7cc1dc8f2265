"""`redrive` moves a dead-letter queue's messages in the order a receive would hand them
out: the order they arrived in the dead-letter queue, not the order they were first sent
(docs/fidelity.md, SQS: AWS gives a move task no order)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
STACK = """\
resources:
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 30
      redrivePolicy: {targetSqsQueueName: jobsDlq, maxReceiveCount: 1}
  jobsDlq: {type: sqs-queue}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      events: [{type: sqs, properties: {sqsQueueName: jobs, batchSize: 1}}]
"""


def test_redrive_moves_messages_in_the_order_they_reached_the_dead_letter_queue(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=T0)
    execute(session, "fail worker")
    late = execute(session, "send jobs first-sent --delay 60s").data["message_id"]
    early = execute(session, "send jobs second-sent").data["message_id"]
    # second-sent is received at 0 and moved at 30 s; first-sent, delayed, at 60 and 90 s.
    execute(session, "advance 2m")
    moved = execute(session, "redrive jobsDlq").data["moved"]
    assert [m["message_id"] for m in moved] == [early, late]
    listed = execute(session, "show queue jobs").data["messages"]
    assert [m["body"] for m in listed] == ["second-sent", "first-sent"]


SHARED_DLQ = """\
resources:
  orders:
    type: sqs-queue
    properties:
      redrivePolicy: {targetSqsQueueName: sharedDlq, maxReceiveCount: 1}
  invoices:
    type: sqs-queue
    properties:
      redrivePolicy: {targetSqsQueueName: sharedDlq, maxReceiveCount: 1}
  sharedDlq: {type: sqs-queue}
  orderWorker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: o.ts}}
      events: [{type: sqs, properties: {sqsQueueName: orders, batchSize: 1}}]
  invoiceWorker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: i.ts}}
      events: [{type: sqs, properties: {sqsQueueName: invoices, batchSize: 1}}]
"""


def _shared_dlq_session(tmp_path: Path) -> tuple[Session, str, str]:
    """Both consumers failing, one message dead-lettered from each source queue."""
    (tmp_path / "stacktape.yml").write_text(SHARED_DLQ, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=T0)
    execute(session, "fail orderWorker")
    execute(session, "fail invoiceWorker")
    order = execute(session, "send orders order-1").data["message_id"]
    invoice = execute(session, "send invoices invoice-1 --delay 5s").data["message_id"]
    execute(session, "advance 2m")
    assert execute(session, "expect queue.sharedDlq.visible == 2").data["ok"] is True
    execute(session, "succeed orderWorker")
    execute(session, "succeed invoiceWorker")
    return session, order, invoice


def test_a_shared_dead_letter_queue_sends_each_message_back_to_its_own_source(
    tmp_path: Path,
) -> None:
    # StartMessageMoveTask without a DestinationArn: "the messages will be redriven back to
    # their respective original source queues".
    session, _, _ = _shared_dlq_session(tmp_path)
    result = execute(session, "redrive sharedDlq")
    assert result.data["to"] == ["orders", "invoices"]
    assert [m["to"] for m in result.data["moved"]] == ["orders", "invoices"]
    assert result.text.splitlines()[0] == ("moved 2 messages from sharedDlq to invoices, orders")
    assert result.text.splitlines()[1].endswith("(orders)")
    execute(session, "advance 1m")
    assert execute(session, "expect function.orderWorker.successes == 1").data["ok"] is True
    assert execute(session, "expect function.invoiceWorker.successes == 1").data["ok"] is True
    assert execute(session, "expect queue.sharedDlq.visible == 0").data["ok"] is True


def test_a_shared_dead_letter_queue_refuses_a_message_sent_to_it_directly(
    tmp_path: Path,
) -> None:
    session, _, _ = _shared_dlq_session(tmp_path)
    direct = execute(session, "send sharedDlq by-hand").data["message_id"]
    with pytest.raises(CommandError) as refused:
        execute(session, "redrive sharedDlq")
    assert f"message {direct} was sent to it directly" in str(refused.value)
    assert refused.value.hint == "name the target: redrive sharedDlq --to orders"
    # Nothing moved; --to moves all three to the one queue named.
    assert execute(session, "expect queue.sharedDlq.visible == 3").data["ok"] is True
    moved = execute(session, "redrive sharedDlq --to orders").data
    assert moved["to"] == "orders" and len(moved["moved"]) == 3
