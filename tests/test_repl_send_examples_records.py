"""Tab at `send QUEUE ` offers what the producers that send a queue an invocation record or a
state machine's message send it: a function's asynchronous-invocation destinations, a
Kinesis or DynamoDB stream mapping's on-failure destination, and a state machine's
`sqs:sendMessage` task. Each offer has the shape of what the queue receives when that
producer really fires; offering draws no id, traces nothing and moves no clock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from json_shape import key_paths
from replkit import complete
from sim_state import assert_changes_nothing

from stptui.commands import Session, execute
from stptui.commands.examples import message_examples
from stptui.repl.candidates import candidates
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
# payments: destinations to receipts and failed, invoked asynchronously by its SNS
# subscription; refunds: a destination but only an SQS trigger (never asynchronous); counter:
# a Kinesis mapping retried once and a DynamoDB stream mapping retried never, both failing
# into streamFailures, and a Kinesis mapping that retries forever into neverSent; flow: a
# state machine whose first Task sends jobs a body made of its input, then a static one.
STACK = f"""\
resources:
  alerts: {{type: sns-topic}}
  receipts: {{type: sqs-queue}}
  failed: {{type: sqs-queue}}
  refundsIn: {{type: sqs-queue}}
  refundFailures: {{type: sqs-queue}}
  streamFailures: {{type: sqs-queue}}
  neverSent: {{type: sqs-queue}}
  jobs: {{type: sqs-queue}}
  clicks: {{type: kinesis-stream}}
  views: {{type: kinesis-stream}}
  carts:
    type: dynamo-db-table
    properties:
      primaryKey: {{partitionKey: {{name: id, type: string}}}}
      streamType: NEW_IMAGE
  payments:
    type: function
    properties:
      {PKG}
      destinations:
        onSuccess: $ResourceParam('receipts', 'arn')
        onFailure: $ResourceParam('failed', 'arn')
      events:
        - type: sns
          properties: {{snsTopicName: alerts}}
  refunds:
    type: function
    properties:
      {PKG}
      destinations:
        onFailure: $ResourceParam('refundFailures', 'arn')
      events:
        - type: sqs
          properties: {{sqsQueueName: refundsIn}}
  counter:
    type: function
    properties:
      {PKG}
      events:
        - type: kinesis-stream
          properties:
            kinesisStreamName: clicks
            maximumRetryAttempts: 1
            onFailure: {{arn: "$ResourceParam('streamFailures', 'arn')", type: sqs}}
        - type: dynamo-db-stream
          properties:
            streamArn: $ResourceParam('carts', 'streamArn')
            maximumRetryAttempts: 0
            onFailure: {{arn: "$ResourceParam('streamFailures', 'arn')", type: sqs}}
        - type: kinesis-stream
          properties:
            kinesisStreamName: views
            onFailure: {{arn: "$ResourceParam('neverSent', 'arn')", type: sqs}}
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: Check
        States:
          Check:
            Type: Choice
            Choices:
              - {{Variable: $.total, NumericGreaterThan: 100, Next: Notify}}
            Default: Done
          Notify:
            Type: Task
            Resource: arn:aws:states:::sqs:sendMessage
            Parameters:
              QueueUrl: $ResourceParam('jobs', 'url')
              MessageBody: {{order.$: $.order, total.$: $.total, kind: big}}
            ResultPath: null
            Next: Done
          Done:
            Type: Task
            Resource: arn:aws:states:::sqs:sendMessage
            Parameters:
              QueueUrl: $ResourceParam('jobs', 'url')
              MessageBody: {{status: done, items: [1, 2]}}
              MessageGroupId.$: $$.Execution.Name
            End: true
"""
SUCCESS = "what payments' onSuccess destination sends here (the SNS event alerts delivers)"
FAILURE = "what payments' onFailure destination sends here (the SNS event alerts delivers)"
NO_TRIGGER = "what refunds' onFailure destination sends here (invoke --async of {})"
KINESIS = "what counter's mapping of clicks sends here after 2 failed attempts"
DYNAMODB = "what counter's mapping of carts sends here after 1 failed attempt"
NOTIFY = "what state Notify of flow sends here"
DONE = "what state Done of flow sends here"


@pytest.fixture
def stack(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    return Session.open(tmp_path / "stacktape.yml", start_ms=T0)


def offered(session: Session, queue: str, about: str) -> Any:
    """The body offered at `send QUEUE ` whose help line is `about`, parsed."""
    found = [c.text for c in candidates(session, f"send {queue} ") if c.meta == about]
    assert len(found) == 1, [c.meta for c in candidates(session, f"send {queue} ")]
    return json.loads(found[0])


def bodies(session: Session, queue: str) -> list[Any]:
    """The bodies `queue` holds, oldest first, parsed."""
    return [json.loads(m.body) for m in session.sim.queues[queue].listing()]


@pytest.mark.parametrize(
    ("queue", "about", "fire"),
    [
        ("receipts", SUCCESS, ["publish-sns alerts '{\"orderId\": 1}'", "advance 1m"]),
        (
            "failed",
            FAILURE,
            ["fail payments always", "publish-sns alerts '{\"orderId\": 1}'", "advance 5m"],
        ),
        (
            "refundFailures",
            NO_TRIGGER,
            ["fail refunds always", "invoke refunds '{}' --async", "advance 5m"],
        ),
        (
            "streamFailures",
            KINESIS,
            ["fail counter always", "put-record clicks 'a click'", "advance 1m"],
        ),
        (
            "streamFailures",
            DYNAMODB,
            ["fail counter always", 'put-item carts \'{"id": {"S": "c-1"}}\'', "advance 1m"],
        ),
        (
            "jobs",
            NOTIFY,
            ['start-execution flow \'{"order": "o-1", "total": 150}\'', "advance 1m"],
        ),
    ],
)
def test_send_offers_what_each_record_producer_sends_the_queue(
    stack: Session, queue: str, about: str, fire: list[str]
) -> None:
    example = offered(stack, queue, about)
    for line in fire:
        execute(stack, line)
    got = bodies(stack, queue)
    assert got, f"{queue} received nothing"
    # The shape the queue's consumer reads when the producer fires, key for key.
    assert key_paths(example) == key_paths(got[0])


def test_the_records_are_what_the_producers_make(stack: Session) -> None:
    success = offered(stack, "receipts", SUCCESS)
    assert success["requestContext"]["condition"] == "Success"
    assert success["responsePayload"] is None
    # The event the subscription hands payments is the record's request payload.
    assert success["requestPayload"]["Records"][0]["Sns"]["TopicArn"].endswith(":app-dev-alerts")
    failure = offered(stack, "failed", FAILURE)
    assert failure["requestContext"]["approximateInvokeCount"] == 3
    assert failure["requestContext"]["condition"] == "RetriesExhausted"
    assert failure["responseContext"]["functionError"] == "Unhandled"
    assert failure["responsePayload"]["errorType"] == "Error"
    assert offered(stack, "refundFailures", NO_TRIGGER)["requestPayload"] == {}
    kinesis = offered(stack, "streamFailures", KINESIS)
    assert kinesis["KinesisBatchInfo"]["batchSize"] == 1
    assert kinesis["KinesisBatchInfo"]["streamArn"].endswith(":stream/app-dev-clicks")
    assert "DDBStreamBatchInfo" in offered(stack, "streamFailures", DYNAMODB)
    # A mapping retried until its records expire sends nothing (the simulator's one way to
    # give a batch up is its retries used up): none is offered.
    assert [c.meta for c in candidates(stack, "send neverSent ")] == ["an example body"]
    # The state machine's first Task reads the input its Choice's first rule takes.
    assert offered(stack, "jobs", NOTIFY) == {"order": "example", "total": 101, "kind": "big"}
    # A static body, whatever else the Task reads (its group id, of the context object).
    assert offered(stack, "jobs", DONE) == {"status": "done", "items": [1, 2]}
    execute(stack, 'start-execution flow \'{"order": "o-1", "total": 150}\'')
    execute(stack, "advance 1m")
    assert bodies(stack, "jobs") == [
        {"order": "o-1", "total": 150, "kind": "big"},
        {"status": "done", "items": [1, 2]},
    ]
    # The send dialog's examples name them the same way.
    assert [o.about for o in message_examples(stack.sim, "jobs")][:2] == [NOTIFY, DONE]


def test_offering_records_changes_nothing_in_the_simulation(stack: Session, tmp_path: Path) -> None:
    def look() -> None:
        for name in list(stack.sim.queues):
            complete(stack, f"send {name} ")
            message_examples(stack.sim, name)

    assert_changes_nothing(
        stack,
        Session.open(tmp_path / "stacktape.yml", start_ms=T0),
        look,
        [
            "fail counter always",
            "put-record clicks 'a click'",
            'put-item carts \'{"id": {"S": "c-1"}}\'',
            "publish-sns alerts '{\"orderId\": 1}'",
            'start-execution flow \'{"order": "o-1", "total": 150}\'',
            "advance 5m",
        ],
    )
