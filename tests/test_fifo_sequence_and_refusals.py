"""FIFO fidelity for SNS and SQS: a FIFO topic's SequenceNumber, the same in Publish's
answer (a Python handler's boto3 call, PublishBatch, Step Functions, `publish-sns`) and in
the `topic.published` record; a publish deduplicated within 5 minutes answers the first
message's id and number; `send` shows a FIFO queue's number as `publish-sns` does, and a
duplicate send answers the original's even after it was deleted; and the refusals of FIFO mistakes: a handler's SDK call gets SQS's
and SNS's own words (its code may match on them), the command line stptui's clearer ones
with AWS's code. The sources are in docs/fidelity.md (SQS, SNS)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant
from stptui.sim.metrics import compute
from stptui.sim.services.state_machine import lookup_machine
from tests.simkit import make_sim, records

T0 = parse_instant("2026-01-05T08:00:00Z")
STACK = """\
serviceName: shop
resources:
  orderEvents:
    type: sns-topic
    properties: {fifoEnabled: true}
  auditEvents:
    type: sns-topic
    properties: {fifoEnabled: true, contentBasedDeduplication: true}
  alerts:
    type: sns-topic
  orders:
    type: sqs-queue
    properties: {fifoEnabled: true}
  jobs:
    type: sqs-queue
  shop:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/shop.py}}
      connectTo: [orderEvents, auditEvents, alerts, orders, jobs]
"""
PRELUDE = """\
import os

import boto3
from botocore.exceptions import ClientError

sns = boto3.client("sns")
sqs = boto3.client("sqs")
ORDER_EVENTS = os.environ["STP_ORDER_EVENTS_ARN"]
AUDIT_EVENTS = os.environ["STP_AUDIT_EVENTS_ARN"]
ALERTS = os.environ["STP_ALERTS_ARN"]
ORDERS = os.environ["STP_ORDERS_URL"]
JOBS = os.environ["STP_JOBS_URL"]


def refused(call, **params):
    try:
        call(**params)
    except ClientError as exc:
        return [exc.response["Error"]["Code"], exc.response["Error"]["Message"]]
    return None
"""

# AWS's own words (docs/fidelity.md, SQS and SNS, with their sources).
SNS_NO_GROUP = "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
SNS_NO_DEDUP_ID = (
    "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
    "MessageDeduplicationId provided explicitly"
)
SNS_DEDUP_ON_STANDARD = (
    "Invalid parameter: MessageDeduplicationId Reason: The request includes "
    "MessageDeduplicationId parameter that is not valid for this topic type"
)
SQS_NO_GROUP = "The request must contain the parameter MessageGroupId."
SQS_NO_DEDUP_ID = (
    "The queue should either have ContentBasedDeduplication enabled or "
    "MessageDeduplicationId provided explicitly"
)


def _session(folder: Path, body: str) -> Session:
    (folder / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (folder / "stptui.yml").write_text("behaviors:\n  shop: {handler: shop:handler}\n")
    code = PRELUDE + "\n\ndef handler(event, context):\n" + textwrap.indent(body, "    ")
    (folder / "shop.py").write_text(code, encoding="utf-8")
    return Session.open(folder, start_ms=T0, allow_code=True)


def _invoke(s: Session) -> Any:
    data = execute(s, "invoke shop '{}'").data
    assert data.get("error") is None, data
    return data["response"]


def _published(s: Session, topic: str) -> list[Any]:
    return [r for r in s.sim.trace.records if r.kind == tk.TOPIC_PUBLISHED and r.resource == topic]


# -- SequenceNumber --------------------------------------------------------------------------


def test_a_fifo_topics_answers_and_records_share_each_messages_sequence_number(
    tmp_path: Path,
) -> None:
    s = _session(
        tmp_path,
        """\
one = sns.publish(TopicArn=ORDER_EVENTS, Message="a", MessageGroupId="c-1",
                  MessageDeduplicationId="a")
batch = sns.publish_batch(TopicArn=ORDER_EVENTS, PublishBatchRequestEntries=[
    {"Id": "b", "Message": "b", "MessageGroupId": "c-2", "MessageDeduplicationId": "b"},
    {"Id": "c", "Message": "c", "MessageGroupId": "c-1", "MessageDeduplicationId": "c"}])
plain = sns.publish(TopicArn=ALERTS, Message="d", MessageGroupId="tenant")
return {"one": [one["MessageId"], one["SequenceNumber"]],
        "batch": [[e["MessageId"], e["SequenceNumber"]] for e in batch["Successful"]],
        "plain": sorted(k for k in plain if k != "ResponseMetadata")}
""",
    )
    got = _invoke(s)
    # 20 digits, growing by 1,000 message after message, as SNS's do (10000000000000003000).
    numbers = ["10000000000000001000", "10000000000000002000", "10000000000000003000"]
    answered = [got["one"], *got["batch"]]
    assert [number for _, number in answered] == numbers
    recorded = [
        [r.get("message_id"), r.get("sequence_number")] for r in _published(s, "orderEvents")
    ]
    assert recorded == answered
    # A standard topic has no sequence numbers: "applies only to FIFO topics".
    assert got["plain"] == ["MessageId"]
    (standard,) = _published(s, "alerts")
    assert standard.get("sequence_number") is None


def test_each_fifo_topic_counts_its_own_sequence_numbers(tmp_path: Path) -> None:
    s = _session(tmp_path, "return None\n")
    execute(s, "publish-sns orderEvents a --group g --dedup-id a")
    execute(s, "publish-sns orderEvents b --group g --dedup-id b")
    data = execute(s, "publish-sns auditEvents a --group g").data
    assert data["sequence_number"] == "10000000000000001000"
    assert [r.get("sequence_number") for r in _published(s, "orderEvents")] == [
        "10000000000000001000",
        "10000000000000002000",
    ]


def test_publish_sns_prints_the_sequence_number_and_a_duplicate(tmp_path: Path) -> None:
    s = _session(tmp_path, "return None\n")
    first = execute(s, "publish-sns orderEvents '{\"id\": 7}' --group c-1 --dedup-id order-7")
    mid = first.data["message_id"]
    assert first.text == (
        f"published message {mid} (sequence number 10000000000000001000) to orderEvents: "
        "delivered to 0"
    )
    again = execute(s, "publish-sns orderEvents '{\"id\": 8}' --group c-2 --dedup-id order-7")
    assert again.text == (
        f"orderEvents: duplicate of message {mid} (sequence number 10000000000000001000), "
        "deduplicated within 5 minutes: not delivered again"
    )
    assert again.data["deduplicated"] is True
    plain = execute(s, "publish-sns alerts hi")
    assert "sequence number" not in plain.text and plain.data["sequence_number"] is None


def test_send_prints_a_fifo_queues_sequence_number_and_a_duplicate(tmp_path: Path) -> None:
    # As publish-sns shows a FIFO topic's: SendMessage's SequenceNumber "applies only to
    # FIFO queues" (SQS API Reference); it is the one the message's receives give.
    s = _session(tmp_path, "return None\n")
    first = execute(s, "send orders '{\"id\": 7}' --group c-1 --dedup-id order-7")
    mid, number = first.data["message_id"], first.data["sequence_number"]
    assert number == s.sim.find_message(mid).seq_number and number.isdigit()
    assert first.text == f"sent message {mid} (sequence number {number}) to orders"
    again = execute(s, "send orders '{\"id\": 8}' --group c-1 --dedup-id order-7")
    assert again.text == (
        f"orders: duplicate of message {mid} (sequence number {number}), deduplicated within "
        "5 minutes: not delivered again"
    )
    assert again.data == {**first.data, "deduplicated": True}
    plain = execute(s, "send jobs hi")
    assert "sequence number" not in plain.text and plain.data["sequence_number"] is None


def test_a_duplicate_send_answers_the_originals_number_after_it_was_deleted(
    tmp_path: Path,
) -> None:
    # SQS takes a duplicate within 5 minutes and answers the original send's id and number
    # whether or not the original is still in the queue: the number must not go missing
    # from the answer once the original was received and deleted.
    s = _session(
        tmp_path,
        """\
send = dict(QueueUrl=ORDERS, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="d")
first = sqs.send_message(**send)
got = sqs.receive_message(QueueUrl=ORDERS)["Messages"][0]
sqs.delete_message(QueueUrl=ORDERS, ReceiptHandle=got["ReceiptHandle"])
again = sqs.send_message(**send)
keys = ("MessageId", "SequenceNumber")
return [[answer.get(k) for k in keys] for answer in (first, again)]
""",
    )
    first, again = _invoke(s)
    assert again == first and first[1] is not None
    line = execute(s, "send orders a --group g --dedup-id d")
    assert line.data["deduplicated"] is True
    assert [line.data["message_id"], line.data["sequence_number"]] == first


# -- deduplication ---------------------------------------------------------------------------


def test_a_duplicate_publish_answers_the_first_messages_id_and_number(tmp_path: Path) -> None:
    s = _session(
        tmp_path,
        """\
first = sns.publish(TopicArn=ORDER_EVENTS, Message="a", MessageGroupId="c-1",
                    MessageDeduplicationId="order-1")
# The same id in another group with another message: the topic is the deduplication scope.
again = sns.publish(TopicArn=ORDER_EVENTS, Message="b", MessageGroupId="c-2",
                    MessageDeduplicationId="order-1")
same_body = sns.publish(TopicArn=AUDIT_EVENTS, Message="x", MessageGroupId="g")
same_body_again = sns.publish(TopicArn=AUDIT_EVENTS, Message="x", MessageGroupId="h",
                              MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
other_body = sns.publish(TopicArn=AUDIT_EVENTS, Message="y", MessageGroupId="g")
keys = ("MessageId", "SequenceNumber")
return [[answer[k] for k in keys] for answer in (first, again, same_body, same_body_again,
                                                 other_body)]
""",
    )
    first, again, same_body, same_body_again, other_body = _invoke(s)
    assert again == first
    # Content-based deduplication hashes the message, not its attributes.
    assert same_body_again == same_body and other_body != same_body
    assert len(_published(s, "orderEvents")) == 1 and len(_published(s, "auditEvents")) == 2
    dups = [r for r in s.sim.trace.records if r.kind == tk.TOPIC_DEDUPLICATED]
    assert [(r.resource, r.get("message_id")) for r in dups] == [
        ("orderEvents", first[0]),
        ("auditEvents", same_body[0]),
    ]
    assert dups[0].get("dedup_id") == "order-1"


def test_a_deduplication_id_is_free_again_after_five_minutes(tmp_path: Path) -> None:
    s = _session(tmp_path, "return None\n")
    line = "publish-sns orderEvents m --group g --dedup-id d"
    first = execute(s, line).data
    execute(s, "advance 299999ms")
    assert execute(s, line).data["message_id"] == first["message_id"]
    execute(s, "advance 1ms")
    later = execute(s, line).data
    assert later["deduplicated"] is False and later["message_id"] != first["message_id"]
    assert later["sequence_number"] == "10000000000000002000"


def test_repeat_and_the_metrics_count_a_topics_duplicates_apart(tmp_path: Path) -> None:
    s = _session(tmp_path, "return None\n")
    result = execute(s, "repeat 3 publish-sns auditEvents same --group g")
    assert "2 deduplicated" in result.text
    assert len(_published(s, "auditEvents")) == 1
    figures = {
        (f.metric, f.statistic): f.value for f in compute(s.sim).resources["auditEvents"].figures
    }
    assert figures[("NumberOfMessagesPublished", "Sum")] == 1


def test_step_functions_publish_answers_the_sequence_number() -> None:
    definition = {
        "StartAt": "Notify",
        "States": {
            "Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {
                    "TopicArn": "${arn}",
                    "Message": "m",
                    "MessageGroupId": "g",
                    "MessageDeduplicationId": "d",
                },
                "End": True,
            }
        },
    }
    text = json.dumps(definition).replace('"${arn}"', "\"$ResourceParam('orderEvents', 'arn')\"")
    sim = make_sim(
        STACK + f"  flow:\n    type: state-machine\n    properties:\n      definition: {text}\n"
    )
    execution = lookup_machine(sim, "flow").start({}, "e1")
    sim.advance(1000)
    assert execution.status == "SUCCEEDED", execution.cause
    (published,) = records(sim, tk.TOPIC_PUBLISHED, "orderEvents")
    assert execution.output == {
        "MessageId": published.get("message_id"),
        "SequenceNumber": "10000000000000001000",
    }


# -- refusals: AWS's words for a handler, stptui's with AWS's code on the command line -----


def test_a_handlers_fifo_mistakes_get_snss_own_words(tmp_path: Path) -> None:
    s = _session(
        tmp_path,
        """\
return [
    refused(sns.publish, TopicArn=ORDER_EVENTS, Message="m"),
    refused(sns.publish, TopicArn=ORDER_EVENTS, Message="m", MessageGroupId="g"),
    refused(sns.publish, TopicArn=ALERTS, Message="m", MessageDeduplicationId="d"),
]
""",
    )
    assert _invoke(s) == [
        ["InvalidParameter", SNS_NO_GROUP],
        ["InvalidParameter", SNS_NO_DEDUP_ID],
        ["InvalidParameter", SNS_DEDUP_ON_STANDARD],
    ]
    # The trace keeps stptui's account of what was refused.
    errors = [r.get("error") for r in s.sim.trace.records if r.kind == tk.EMISSION_FAILED]
    assert errors[0].startswith(
        "InvalidParameter: shop-dev-orderEvents.fifo is a FIFO topic: every message needs a "
        "message group id"
    )


def test_publish_batch_to_a_fifo_topic_refuses_the_whole_batch_for_a_missing_id(
    tmp_path: Path,
) -> None:
    s = _session(
        tmp_path,
        """\
ok = {"Id": "ok", "Message": "m", "MessageGroupId": "g", "MessageDeduplicationId": "d"}
return [
    refused(sns.publish_batch, TopicArn=ORDER_EVENTS,
            PublishBatchRequestEntries=[ok, {"Id": "no-group", "Message": "m"}]),
    refused(sns.publish_batch, TopicArn=ORDER_EVENTS,
            PublishBatchRequestEntries=[ok, {"Id": "no-id", "Message": "m",
                                             "MessageGroupId": "g"}]),
]
""",
    )
    assert _invoke(s) == [
        ["InvalidParameter", SNS_NO_GROUP],
        ["InvalidParameter", SNS_NO_DEDUP_ID],
    ]
    # Refused before any entry was published, the valid one too.
    assert _published(s, "orderEvents") == []


def test_a_handlers_fifo_mistakes_get_sqss_own_words(tmp_path: Path) -> None:
    s = _session(
        tmp_path,
        """\
batch = sqs.send_message_batch(QueueUrl=ORDERS, Entries=[
    {"Id": "no-group", "MessageBody": "m"},
    {"Id": "no-id", "MessageBody": "m", "MessageGroupId": "g"}])
return {
    "single": [
        refused(sqs.send_message, QueueUrl=ORDERS, MessageBody="m"),
        refused(sqs.send_message, QueueUrl=ORDERS, MessageBody="m", MessageGroupId="g"),
        refused(sqs.send_message, QueueUrl=ORDERS, MessageBody="m", MessageGroupId="g",
                MessageDeduplicationId="d", DelaySeconds=5),
        refused(sqs.send_message, QueueUrl=JOBS, MessageBody="m", MessageDeduplicationId="d"),
        refused(sqs.send_message, QueueUrl=ORDERS, MessageBody="m", MessageGroupId="a b",
                MessageDeduplicationId="d"),
        refused(sqs.send_message, QueueUrl=ORDERS, MessageBody="m", MessageGroupId="g",
                MessageDeduplicationId="d" * 129),
    ],
    "batch": [[e["Id"], e["Code"], e["Message"]] for e in batch["Failed"]],
}
""",
    )
    got = _invoke(s)
    invalid_id = (
        "Value {v} for parameter {p} is invalid. Reason: {p} can only include alphanumeric and "
        "punctuation characters. 1 to 128 in length."
    )
    wrong_type = (
        "Value {v} for parameter {p} is invalid. Reason: The request include parameter that is "
        "not valid for this queue type."
    )
    assert got["single"] == [
        ["MissingParameter", SQS_NO_GROUP],
        ["InvalidParameterValue", SQS_NO_DEDUP_ID],
        ["InvalidParameterValue", wrong_type.format(v=5, p="DelaySeconds")],
        ["InvalidParameterValue", wrong_type.format(v="d", p="MessageDeduplicationId")],
        ["InvalidParameterValue", invalid_id.format(v="a b", p="MessageGroupId")],
        ["InvalidParameterValue", invalid_id.format(v="d" * 129, p="MessageDeduplicationId")],
    ]
    assert got["batch"] == [
        ["no-group", "MissingParameter", SQS_NO_GROUP],
        ["no-id", "InvalidParameterValue", SQS_NO_DEDUP_ID],
    ]


@pytest.mark.parametrize(
    ("line", "error", "hint"),
    [
        (
            "send orders m",
            "MissingParameter: orders is a FIFO queue: every message needs a message group id",
            "send orders BODY --group GROUP --dedup-id ID",
        ),
        (
            "send orders m --group g",
            "InvalidParameterValue: orders has no content-based deduplication: give a "
            "deduplication id",
            "send orders BODY --group g --dedup-id ID",
        ),
        (
            "publish-sns orderEvents m",
            "InvalidParameter: shop-dev-orderEvents.fifo is a FIFO topic: every message needs "
            "a message group id",
            "publish-sns orderEvents MESSAGE --group G --dedup-id ID",
        ),
        (
            "publish-sns orderEvents m --group g",
            "InvalidParameter: shop-dev-orderEvents.fifo has no content-based deduplication: "
            "give a deduplication id",
            "publish-sns orderEvents MESSAGE --group g --dedup-id ID",
        ),
        (
            "publish-sns alerts m --dedup-id d",
            "InvalidParameter: shop-dev-alerts is a standard topic: a deduplication id is for "
            "FIFO topics",
            "leave out the deduplication id: a standard topic deduplicates nothing",
        ),
    ],
)
def test_the_command_line_keeps_stptuis_words_with_awss_code(
    tmp_path: Path, line: str, error: str, hint: str
) -> None:
    s = _session(tmp_path, "return None\n")
    with pytest.raises(CommandError) as exc:
        execute(s, line)
    assert (str(exc.value), exc.value.hint) == (error, hint)
    assert list(s.sim.trace.records) == []
