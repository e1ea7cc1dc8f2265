"""Tab at `send QUEUE `: the bodies sent to the queue before (newest first), then what
each producer of the queue in the stack sends it, built by the simulator's own builders,
so that its shape is the message the queue receives when the producer fires; then the
example body. Completing draws no id, traces nothing and moves no clock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from json_shape import key_paths
from replkit import complete, metas
from sim_state import assert_changes_nothing

from stptui.commands import Session, execute
from stptui.commands.examples import GENERIC_MESSAGE, MESSAGE_BODY, message_examples
from stptui.commands.registry import quote_word
from stptui.repl.candidates import candidates
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")

# A queue for each producer the simulator delivers to queues: a rule of its own with an
# input transformer (shipments), a rule on the events a bucket sends the default bus
# (audit), a rule's and a subscription's delivery-failure queue (undelivered), a queue
# redriving into its dead-letter queue (shipmentsDlq); and one nothing sends to (idle).
STACK = """\
resources:
  orders: {type: event-bus}
  uploads:
    type: bucket
    properties: {enableEventBusNotifications: true}
  shipments:
    type: sqs-queue
    properties:
      redrivePolicy: {targetSqsQueueName: shipmentsDlq, maxReceiveCount: 2}
      events:
        - type: event-bus
          properties:
            eventBusName: orders
            eventPattern:
              source: [shop]
              detail:
                total: [{numeric: ['>', 100]}]
            inputTransformer:
              inputPathsMap: {total: $.detail.total}
              inputTemplate: '{"total": <total>, "rule": "<aws.events.rule-name>"}'
  shipmentsDlq: {type: sqs-queue}
  shipper:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: s.ts}}
      events:
        - type: sqs
          properties: {sqsQueueName: shipments}
  audit:
    type: sqs-queue
    properties:
      events:
        - type: event-bus
          properties:
            useDefaultBus: true
            eventPattern:
              source: [aws.s3]
              detail-type: [Object Created]
              detail:
                object:
                  key: [{prefix: incoming/}]
  undelivered: {type: sqs-queue}
  idle: {type: sqs-queue}
  alerts: {type: sns-topic}
  pager:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}
      events:
        - type: sns
          properties:
            snsTopicName: alerts
            filterPolicy: {severity: [high]}
            onDeliveryFailure: {sqsQueueName: undelivered}
        - type: event-bus
          properties:
            eventBusName: orders
            eventPattern: {source: [billing]}
            onDeliveryFailure: {sqsQueueName: undelivered}
"""
RULE = "what rule app-dev-shipments-event-bus-1 on bus orders delivers (shop, Example)"
S3_RULE = "what rule app-dev-audit-event-bus-1 on bus default delivers (aws.s3, Object Created)"
RULE_DLQ = "what rule app-dev-pager-event-bus-1 on bus orders sends here when it cannot deliver"
TOPIC_DLQ = "what topic alerts sends here when it cannot deliver to pager"
MOVED = f"{RULE}, moved here by shipments after 2 receives"


@pytest.fixture
def stack(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    return Session.open(tmp_path / "stacktape.yml", start_ms=T0)


def offered(session: Session, queue: str, about: str) -> Any:
    """The body offered at `send QUEUE ` whose help line starts with `about`, parsed."""
    found = [c.text for c in candidates(session, f"send {queue} ") if c.meta.startswith(about)]
    assert len(found) == 1, [c.meta for c in candidates(session, f"send {queue} ")]
    return json.loads(found[0])


def received(session: Session, queue: str) -> Any:
    """The body of the newest message `queue` holds, parsed."""
    return json.loads(session.sim.queues[queue].listing()[-1].body)


def endpoint_gone(session: Session) -> None:
    """The subscriber is gone: SNS and EventBridge cannot deliver to it, and send what
    they could not deliver to its delivery-failure queue (as tests/test_sim_sns.py does)."""
    del session.sim.functions["pager"]


@pytest.mark.parametrize(
    ("queue", "about", "fire"),
    [
        ("shipments", RULE, ["publish orders shop Example '{\"total\": 101}'"]),
        ("audit", S3_RULE, ["upload uploads incoming/report.csv"]),
        ("undelivered", RULE_DLQ, ["publish orders billing Example '{}'"]),
        (
            "undelivered",
            TOPIC_DLQ,
            ["publish-sns alerts '{\"orderId\": 1}' --attr severity=high"],
        ),
        (
            "shipmentsDlq",
            MOVED,
            [
                "fail shipper always",
                "publish orders shop Example '{\"total\": 101}'",
                "advance 5m",
            ],
        ),
    ],
)
def test_send_offers_what_each_producer_sends_the_queue(
    stack: Session, queue: str, about: str, fire: list[str]
) -> None:
    example = offered(stack, queue, about)
    if queue == "undelivered":
        endpoint_gone(stack)
    for line in fire:
        execute(stack, line)
    got = received(stack, queue)
    # The shape the queue's consumer reads when the producer fires, key for key.
    assert key_paths(example) == key_paths(got)


def test_the_examples_are_what_the_producer_makes(stack: Session) -> None:
    # The rule's input transformer applied to an event its pattern matches (a total over
    # 100), exactly as it delivers it.
    assert offered(stack, "shipments", RULE) == {
        "total": 101,
        "rule": "app-dev-shipments-event-bus-1",
    }
    execute(stack, "publish orders shop Example '{\"total\": 101}'")
    assert received(stack, "shipments") == offered(stack, "shipments", RULE)
    # S3's EventBridge event for a key the rule's prefix takes, from the bucket.
    s3 = offered(stack, "audit", S3_RULE)
    assert (s3["source"], s3["detail-type"]) == ("aws.s3", "Object Created")
    assert s3["detail"]["object"]["key"] == "incoming/example.txt"
    assert s3["resources"] == [stack.sim.services["buckets"].buckets["uploads"].arn]
    # SNS's notification as it sends an SQS endpoint: its URL keys, the published types.
    sns = offered(stack, "undelivered", TOPIC_DLQ)
    assert "SigningCertURL" in sns and "SigningCertUrl" not in sns
    assert sns["MessageAttributes"] == {"severity": {"Type": "String", "Value": "high"}}
    # A rule's failure queue gets the original event, not what its target would.
    assert offered(stack, "undelivered", RULE_DLQ)["source"] == "billing"


def test_earlier_bodies_then_producers_then_the_example_last(stack: Session) -> None:
    execute(stack, "send shipments '{\"a\": 1}'")
    offers = list(metas(stack, "send shipments ").items())
    assert offers[0] == (quote_word('{"a": 1}'), "sent to this queue before")
    assert offers[1][1] == RULE
    assert offers[-1] == (quote_word(MESSAGE_BODY), "an example body")
    # A queue nothing in the stack sends to is offered the example alone.
    assert [about for _, about in metas(stack, "send idle ").items()] == ["an example body"]
    assert complete(stack, "send idle '")[0] == quote_word(MESSAGE_BODY)
    # The dialog's examples: the producers' JSON bodies, then the example, said so.
    dialog = message_examples(stack.sim, "undelivered")
    assert [o.about for o in dialog] == [
        f"{RULE_DLQ} to pager",
        TOPIC_DLQ,
        GENERIC_MESSAGE,
    ]
    assert message_examples(stack.sim, "nothing") == []


def test_completing_changes_nothing_in_the_simulation(stack: Session, tmp_path: Path) -> None:
    def look() -> None:
        for name in list(stack.sim.queues):
            complete(stack, f"send {name} ")
            message_examples(stack.sim, name)

    assert_changes_nothing(
        stack,
        Session.open(tmp_path / "stacktape.yml", start_ms=T0),
        look,
        [
            "publish orders shop Example '{\"total\": 101}'",
            "upload uploads incoming/a.txt",
            "advance 1m",
        ],
    )
