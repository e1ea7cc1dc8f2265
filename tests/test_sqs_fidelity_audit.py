"""SQS and the Lambda SQS event source mapping, audited fact by fact against
reference/aws-semantics.md §1-§2 and the SQS and Lambda developer guides: the paths the
other SQS test files leave out (what a dead-letter queue's consumer receives, deduplication
across a purge, retention while a message waits out its delay, the receive attributes over
several receives, a FIFO group held by a partial batch failure)."""

from __future__ import annotations

import hashlib
import json
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.sim import asl_integrations, asl_sdk
from stptui.sim import trace as tk
from stptui.sim.asl_jsonpath import StatesRuntimeError
from stptui.sim.engine import SimError, Simulator
from stptui.sim.payloads import md5_hex, md5_of_message_attributes
from stptui.sim.services import queue as queue_module
from stptui.sim.services.queue import SqsError
from tests.simkit import START, capture_inputs, make_sim, records, seconds

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}"

WITH_DLQ_CONSUMER = f"""
resources:
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 30
      redrivePolicy: {{targetSqsQueueName: dlq, maxReceiveCount: MRC}}
  dlq:
    type: sqs-queue
    properties: {{visibilityTimeoutSeconds: 40}}
  worker:
    type: function
    properties:
      {PKG}
      timeout: 5
      events: [{{type: sqs, properties: {{sqsQueueName: jobs, batchSize: 1}}}}]
  inspector:
    type: function
    properties:
      {PKG}
      timeout: 5
      events: [{{type: sqs, properties: {{sqsQueueName: dlq, batchSize: 1}}}}]
"""
ALWAYS_FAILS = "behaviors:\n  worker:\n    fail: true\n  inspector:\n    fail: true\n"


def test_a_dead_lettered_message_reaches_the_dlq_consumer_with_its_id_body_and_count() -> None:
    # §1.3: in the DLQ the message keeps its MessageId, body and message attributes, gains
    # DeadLetterQueueSourceArn, and its ApproximateReceiveCount is not reset (the first DLQ
    # receive after maxReceiveCount 1 shows "2"). The record names the DLQ as its source,
    # and the DLQ's own visibility timeout (40 s) governs it from then on.
    sim = make_sim(WITH_DLQ_CONSUMER.replace("MRC", "1"), ALWAYS_FAILS)
    seen = capture_inputs(sim, lambda inp: (inp.function, inp.event()["Records"][0]))
    attrs = {"kind": "order", "n": 3}
    mid = sim.send("jobs", '{"orderId": 7}', attrs=attrs)
    sim.advance(31_000)  # received at 0, failed, visible at 30 s, moved at 30 s
    assert seconds(sim, tk.MESSAGE_DEAD_LETTERED, "jobs") == [30]
    [(fn, first), (dlq_fn, moved)] = seen
    assert (fn, dlq_fn) == ("worker", "inspector")
    assert moved["messageId"] == first["messageId"] == mid
    assert moved["body"] == first["body"] == '{"orderId": 7}'
    assert moved["md5OfBody"] == md5_hex('{"orderId": 7}')
    assert moved["messageAttributes"] == first["messageAttributes"]
    assert moved["md5OfMessageAttributes"] == md5_of_message_attributes(attrs)
    assert moved["attributes"]["ApproximateReceiveCount"] == "2"
    assert moved["attributes"]["SentTimestamp"] == first["attributes"]["SentTimestamp"]
    assert moved["attributes"]["DeadLetterQueueSourceArn"] == sim.queues["jobs"].arn
    assert "DeadLetterQueueSourceArn" not in first["attributes"]
    assert moved["eventSourceARN"] == sim.queues["dlq"].arn
    assert moved["receiptHandle"] != first["receiptHandle"]
    sim.advance(40_000)
    # The DLQ's consumer failed too: the message returns after the DLQ's own 40 s.
    assert seconds(sim, tk.MESSAGE_RETURNED, "dlq") == [70]


def test_the_receive_attributes_over_several_receives() -> None:
    # §1.1: ApproximateReceiveCount counts the receives; ApproximateFirstReceiveTimestamp is
    # the first receive's time (epoch ms, a string) and SentTimestamp the send's, on every
    # later receive too.
    sim = make_sim(WITH_DLQ_CONSUMER.replace("MRC", "3"), ALWAYS_FAILS)
    seen = capture_inputs(sim, lambda inp: inp.event()["Records"][0]["attributes"])
    sim.advance(2_000)
    sim.send("jobs", "x", delay_s=5)
    sim.advance(80_000)
    assert [
        (a["ApproximateReceiveCount"], a["SentTimestamp"], a["ApproximateFirstReceiveTimestamp"])
        for a in seen
    ] == [
        ("1", str(START + 2_000), str(START + 7_000)),
        ("2", str(START + 2_000), str(START + 7_000)),
        ("3", str(START + 2_000), str(START + 7_000)),
    ]


def test_a_delayed_message_s_visibility_timeout_counts_from_its_receive() -> None:
    # §1.2 and §1.4: a delay hides a message until it ends; the visibility timeout starts at
    # the receive that follows, and the delay does not count as a receive.
    sim = make_sim(WITH_DLQ_CONSUMER.replace("MRC", "2"), ALWAYS_FAILS)
    mid = sim.send("jobs", "x", delay_s=10)
    sim.advance(9_999)
    assert records(sim, tk.MESSAGE_RECEIVED) == []
    sim.advance(100_000)
    assert seconds(sim, tk.MESSAGE_RECEIVED, "jobs") == [10, 40]
    assert seconds(sim, tk.MESSAGE_RETURNED, "jobs") == [40, 70]
    (moved,) = records(sim, tk.MESSAGE_DEAD_LETTERED, "jobs")
    assert moved.get("message_id") == mid and moved.t - START == 70_000


RETENTION_AND_DELAY = """
resources:
  q:
    type: sqs-queue
    properties: {messageRetentionPeriodSeconds: 60, delayMessagesSecond: 120}
"""


def test_retention_counts_from_the_send_even_while_the_message_waits_out_its_delay() -> None:
    # §1.1/§1.3: retention counts from the enqueue (the send), not from the end of a delay:
    # a 120 s delay in a queue that keeps messages 60 s loses the message before anyone
    # could receive it.
    sim = make_sim(RETENTION_AND_DELAY)
    mid = sim.send("q", "x")
    sim.advance(59_999)
    assert sim.queue_stats("q")["delayed"] == 1
    sim.advance(1)
    (expired,) = records(sim, tk.MESSAGE_EXPIRED, "q")
    assert expired.get("message_id") == mid and expired.t - START == 60_000
    sim.advance(120_000)
    assert sim.queue_stats("q") == {"visible": 0, "in_flight": 0, "delayed": 0, "depth": 0}


FIFO = f"""
resources:
  orders:
    type: sqs-queue
    properties:
      fifoEnabled: true
      contentBasedDeduplication: true
      visibilityTimeoutSeconds: 30
  worker:
    type: function
    properties:
      {PKG}
      timeout: 5
      events: [{{type: sqs, properties: {{sqsQueueName: orders, batchSize: 10}}}}]
"""


def test_fifo_deduplication_outlives_a_purge() -> None:
    # §1.5: the deduplication id is tracked for 5 minutes "even after the message has been
    # received and deleted"; PurgeQueue deletes messages and says nothing of the ids, so a
    # resend of a purged message's body within the 5 minutes is still a duplicate.
    sim = make_sim(FIFO.split("  worker:")[0])  # no consumer: the message stays until purged
    first = sim.send("orders", "same", group="g")
    assert sim.queues["orders"].purge() == 1
    assert sim.send("orders", "same", group="g") == first
    assert sim.queue_stats("orders")["depth"] == 0
    sim.advance(300_000)
    assert sim.send("orders", "same", group="g") != first
    assert sim.queue_stats("orders")["depth"] == 1


def test_a_fifo_group_stays_blocked_while_a_partial_batch_failure_is_in_flight() -> None:
    # §1.5 and §2: after a partial batch response the reported messages stay in flight
    # until the visibility timeout ends; a message sent to their group meanwhile waits
    # behind them, while another group goes on.
    sidecar = (
        'behaviors:\n  worker:\n    partial: {when: "body.n == `2`"}\n'
        "    reportBatchItemFailures: true\n"
    )
    sim = make_sim(FIFO, sidecar)
    ids = [sim.send("orders", json.dumps({"n": i}), group="g") for i in (1, 2, 3)]
    sim.advance(1_000)
    late = sim.send("orders", json.dumps({"n": 4}), group="g")
    other = sim.send("orders", json.dumps({"n": 5}), group="h")
    sim.advance(28_999)
    started = [r.get("message_ids") for r in records(sim, tk.INVOCATION_STARTED, "worker")]
    assert started == [ids, [other]]
    sim.advance(1)
    # At 30 s the reported messages return at the head of group g, before the late one.
    started = records(sim, tk.INVOCATION_STARTED, "worker")
    assert started[-1].get("message_ids") == [ids[1], ids[2], late]
    assert started[-1].t - START == 30_000


SMALL = """
resources:
  q:
    type: sqs-queue
    properties: {maxMessageSizeBytes: 1024}
"""


def test_message_attributes_count_toward_the_queue_s_size_limit() -> None:
    # "All parts of the message attribute, including Name, Type, and Value, are part of the
    # message size restriction" (MessageAttributeValue, SQS API reference): name 4 bytes +
    # type "String" 6 + value 14 = 24 bytes on top of the body.
    sim = make_sim(SMALL)
    attrs = {"kind": "order-received"}
    sim.send("q", "x" * 1000, attrs=attrs)  # 1,024 bytes: the limit itself
    seq = sim.trace.seq
    with pytest.raises(SimError, match="1,025 bytes; queue q allows at most 1,024"):
        sim.send("q", "x" * 1001, attrs=attrs)
    assert sim.trace.seq == seq and sim.queue_stats("q")["depth"] == 1
    sim.send("q", "x" * 1024)  # without attributes the body alone may fill the limit


@pytest.mark.parametrize(
    ("attrs", "needle"),
    [
        ({f"a{i}": "v" for i in range(11)}, r"Number of message attributes \[11\] exceeds"),
        ({"AWS.trace": "v"}, "beginning with 'AWS.' or 'Amazon'"),
        ({"amazon.x": "v"}, "beginning with 'AWS.' or 'Amazon'"),
        ({".a": "v"}, "must not begin with character '.'"),
        ({"a.": "v"}, "must not end with character '.'"),
        ({"a..b": "v"}, "successive '.' characters"),
        ({"a b": "v"}, "attribute name 'a b' is invalid"),
        ({"a" * 257: "v"}, "is invalid: 1 to 256"),
        ({"a": ""}, "'a' must contain a non-empty value of type 'String'"),
        ({"a": "bad \x00"}, "InvalidMessageContents: message attribute 'a'"),
    ],
)
def test_attributes_sqs_refuses_are_refused_on_every_path(attrs: dict, needle: str) -> None:
    # The command line checks `--attr` itself; a behaviour's `send` emission, a Python
    # handler's and a state machine's reach the queue with whatever they computed, so the
    # queue applies SendMessage's rules (SQS API reference, SendMessage MessageAttributes).
    sim = make_sim(SMALL)
    seq = sim.trace.seq
    with pytest.raises(SimError, match=needle):
        sim.send("q", "x", attrs=attrs)
    assert sim.trace.seq == seq and sim.queue_stats("q")["depth"] == 0
    sim.send("q", "x", attrs={"a" * 256: "v", "a.b-c_D9": "v"})  # the edges that are allowed


# A worker that reads `jobs` and sends on to `out`, as its behaviour says.
RELAY_STACK = f"""
resources:
  jobs: {{type: sqs-queue}}
  out: {{type: sqs-queue}}
  worker:
    type: function
    properties:
      {PKG}
      connectTo: [out]
      events: [{{type: sqs, properties: {{sqsQueueName: jobs, batchSize: 1}}}}]
"""


def test_a_behaviour_s_send_with_too_many_attributes_fails_as_an_emission() -> None:
    names = ", ".join(f"a{i}: body" for i in range(11))
    sidecar = (
        "behaviors:\n  worker:\n    emit:\n"
        f"      - send: {{queue: out, body: body, attributes: '{{{names}}}'}}\n"
    )
    sim = make_sim(RELAY_STACK, sidecar)
    sim.send("jobs", "hello")
    sim.advance(1_000)
    (failed,) = records(sim, tk.EMISSION_FAILED)
    assert "Number of message attributes [11] exceeds the allowed maximum [10]" in str(
        failed.get("error")
    )
    assert sim.queue_stats("out")["depth"] == 0


BATCH_STACK = """
resources:
  jobs: {type: sqs-queue}
"""


def _send_batch(sim: Simulator, entries: list[dict]) -> dict:
    resource = "arn:aws:states:::aws-sdk:sqs:sendMessageBatch"
    params = {"QueueUrl": sim.queues["jobs"].url, "Entries": entries}
    result, _, _ = asl_sdk.call(sim, resource, params, "t", ("a", "b"))
    return result


def test_send_message_batch_refuses_a_batch_over_1_mib_in_total() -> None:
    # SendMessageBatch: each message at most the queue's maximum, and "the sum of the
    # individual lengths of all of the batched messages" at most 1 MiB; attributes count.
    sim = make_sim(BATCH_STACK)
    half = "x" * 524_288
    attr = {"k": {"DataType": "String", "StringValue": "v"}}  # 1 + 6 + 1 bytes
    result = _send_batch(
        sim, [{"Id": "a", "MessageBody": half}, {"Id": "b", "MessageBody": half[8:]}]
    )
    assert [e["Id"] for e in result["Successful"]] == ["a", "b"]
    seq = sim.trace.seq
    entries = [
        {"Id": "a", "MessageBody": half},
        {"Id": "b", "MessageBody": half[7:], "MessageAttributes": attr},
    ]
    with pytest.raises(StatesRuntimeError) as refused:
        _send_batch(sim, entries)
    assert "BatchRequestTooLong" in refused.value.error
    assert refused.value.cause == (
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes."
    )
    assert sim.trace.seq == seq and sim.queue_stats("jobs")["depth"] == 2


def _reference_digest(attrs: dict[str, tuple[str, str]]) -> str:
    """SQS's attribute digest written out from the developer guide's steps ("Calculating the
    MD5 message digest for message attributes"), independently of stptui's: per attribute
    in name order, the name, the data type and the value each as a 4-byte big-endian length
    and UTF-8 bytes, with the transport type byte 1 before the value."""
    out = b""
    for name in sorted(attrs):
        kind, value = attrs[name]
        for text in (name, kind):
            out += struct.pack(">I", len(text.encode())) + text.encode()
        out += b"\x01" + struct.pack(">I", len(value.encode())) + value.encode()
    return hashlib.md5(out).hexdigest()


def test_a_custom_type_label_stays_in_the_record_s_data_type_and_digest() -> None:
    # "Amazon SQS message attributes": custom data types append a label to String, Number or
    # Binary (`Number.float`, `String.json`); SQS keeps the whole type, and the MD5 digest
    # covers it. Step Functions' sqs:sendMessage is where a stack sends such attributes.
    stack = f"""
resources:
  jobs: {{type: sqs-queue}}
  worker:
    type: function
    properties:
      {PKG}
      events: [{{type: sqs, properties: {{sqsQueueName: jobs, batchSize: 1}}}}]
"""
    sim = make_sim(stack)
    seen = capture_inputs(sim, lambda inp: inp.event()["Records"][0])
    attrs = {
        "doc": {"DataType": "String.json", "StringValue": '{"a":1}'},
        "price": {"DataType": "Number.float", "StringValue": "1.50"},
        "plain": {"DataType": "String", "StringValue": "x"},
    }
    resource = "arn:aws:states:::aws-sdk:sqs:sendMessage"
    params = {"QueueUrl": sim.queues["jobs"].url, "MessageBody": "b", "MessageAttributes": attrs}
    result, _, _ = asl_sdk.call(sim, resource, params, "t", ("a", "b"))
    sim.advance(1_000)
    (record,) = seen
    types = {k: v["dataType"] for k, v in record["messageAttributes"].items()}
    assert types == {"doc": "String.json", "price": "Number.float", "plain": "String"}
    assert record["messageAttributes"]["price"]["stringValue"] == "1.50"
    expected = _reference_digest({k: (v["DataType"], v["StringValue"]) for k, v in attrs.items()})
    assert record["md5OfMessageAttributes"] == expected == result["MD5OfMessageAttributes"]
    bad = {"QueueUrl": sim.queues["jobs"].url, "MessageBody": "b"}
    bad["MessageAttributes"] = {"a": {"DataType": "Text", "StringValue": "x"}}
    with pytest.raises(StatesRuntimeError, match="supported type prefixes: Binary, Number"):
        asl_sdk.call(sim, resource, bad, "t", ("a", "b"))


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("aA.-_9zZ\n é"), max_size=12)
    | st.sampled_from(["AWS.x", "aws.", "Amazon.y", "amazonx", "a..b", ".a", "a.", "x" * 257])
)
def test_one_match_accepts_exactly_the_names_the_rules_one_by_one_accept(name: str) -> None:
    # A send checks a name with one match; the rules one by one say why it is refused.
    # They must agree, or a name would pass that SQS refuses (or be refused with no reason).
    try:
        queue_module._refuse_attribute_name(name)
    except SqsError:
        refused = True
    else:
        refused = False
    assert refused == (queue_module._VALID_NAME.fullmatch(name) is None)


NUMBER_STACK = """
resources:
  jobs: {type: sqs-queue}
  alerts: {type: sns-topic}
"""


@pytest.mark.parametrize(
    ("text", "taken"),
    [
        ("5", True),
        ("-1.50", True),
        ("+7", True),
        (".5e-3", True),
        ("0", True),
        ("1e126", True),
        ("1e-128", True),
        ("9" * 38, True),
        ("1e127", False),  # "between 10^-128 and 10^+126"
        ("1e-129", False),
        ("1" * 39, False),  # "up to 38 digits of precision"
        ("1e" + "9" * 5000, False),
        ("abc", False),
        ("NaN", False),
        ("Infinity", False),
        ("0x10", False),
        ("1_000", False),  # Python reads these; SQS and SNS do not
        (" 5", False),
        ("", False),
    ],
)
def test_a_number_attribute_is_checked_on_every_send_path(text: str, taken: bool) -> None:
    # Step Functions' integrations hand the StringValue over as written: before, SQS took
    # any text as a Number, and SNS ended in a raw decimal error on one that was no number.
    sim = make_sim(NUMBER_STACK)
    attrs = {"n": {"DataType": "Number", "StringValue": text}}
    sends = [
        (
            "arn:aws:states:::aws-sdk:sqs:sendMessage",
            {"QueueUrl": sim.queues["jobs"].url, "MessageBody": "b", "MessageAttributes": attrs},
            "Sqs.InvalidParameterValueException",
        ),
        (
            "arn:aws:states:::sns:publish",
            {
                "TopicArn": sim.services["topics"].topics["alerts"].arn,
                "Message": "b",
                "MessageAttributes": attrs,
            },
            "SNS.ParameterValueInvalid",
        ),
    ]
    for resource, params, error in sends:
        if taken:
            asl_integrations.call(sim, resource, params, "t", ("a", "b"))
            continue
        with pytest.raises(StatesRuntimeError) as refused:
            asl_integrations.call(sim, resource, params, "t", ("a", "b"))
        assert refused.value.error == error
    assert sim.queue_stats("jobs")["depth"] == (1 if taken else 0)


def test_a_handlers_number_sqs_refuses_fails_the_emission() -> None:
    sidecar = (
        "behaviors:\n  worker:\n    emit:\n"
        "      - send: {queue: out, body: body, attributes: '{big: `1e200`}'}\n"
    )
    sim = make_sim(RELAY_STACK, sidecar)
    sim.send("jobs", "hello")
    sim.advance(1_000)
    (failed,) = records(sim, tk.EMISSION_FAILED)
    assert "The Number 1e+200 of message (user) attribute 'big' is out of range" in str(
        failed.get("error")
    )
    assert sim.queue_stats("out")["depth"] == 0
