"""`redrive` moves a dead-letter queue's messages in the order a receive would hand them
out: the order they arrived in the dead-letter queue, not the order they were first sent
(docs/fidelity.md, SQS: AWS gives a move task no order)."""

from __future__ import annotations

from pathlib import Path

from stptui.commands import Session, execute
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
