"""The stream event source mappings (Kinesis, DynamoDB streams, Kafka) against the Lambda
developer guide, for the documented behaviours the older per-service tests do not pin:
partial batch responses read on a stream (with and without bisection), the 6 MB cut of a
batch, the on-failure record sent to an SNS topic, and the bytes of a Kafka event's headers.
docs/fidelity.md ("Kinesis streams", "Kafka topics") lists each rule with its source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import START, capture_inputs, make_sim, records
from test_sim_kafka import custom, fn
from test_sim_kafka import stack as kafka_stack
from test_sim_kinesis import FAIL_BAD, put, stack, started, streams

from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.engine import Simulator
from stptui.sim.services.stream import hash_key_of

RBIF_BAD = (
    'behaviors:\n  reader:\n    partial: {when: "data.bad"}\n    reportBatchItemFailures: true\n'
)


def bad(i: int, *bad_ones: int) -> str:
    return json.dumps({"n": i, "bad": i in bad_ones})


# -- partial batch responses on a stream ---------------------------------------------------------


def test_with_bisection_a_partial_response_splits_at_the_reported_record_using_no_retry() -> None:
    # services-kinesis-batchfailurereporting, "Bisecting a batch": "When a partial batch
    # success response is received and both BisectBatchOnFunctionError and
    # ReportBatchItemFailures are turned on, the batch is bisected at the returned sequence
    # number and Lambda retries only the remaining records"; "Splitting batches doesn't
    # consume the retry quota" (kinesis-on-failure-destination).
    event = (
        "            bisectBatchOnFunctionError: true\n            maximumRetryAttempts: 0\n"
        "            onFailure:\n              arn: $ResourceParam('failed', 'arn')\n"
        "              type: sqs"
    )
    sim = make_sim(stack(event), RBIF_BAD)
    seqs = [put(sim, bad(i, 2)) for i in range(4)]
    sim.run(60_000)
    # [0 1 2 3] reports 2 -> split there: [0 1] done, [2 3] read again (no retry used); it
    # reports its first record, so nothing more splits off: with no retries left it is
    # discarded to onFailure.
    assert started(sim) == [seqs, seqs[2:]]
    (split,) = records(sim, tk.STREAM_BATCH_BISECTED)
    assert split.data["split_at"] == 2 and split.data["sequence_numbers"] == seqs
    assert not records(sim, tk.STREAM_BATCH_RETRIED)
    (discarded,) = records(sim, tk.STREAM_BATCH_DISCARDED)
    assert discarded.data["sequence_numbers"] == seqs[2:]
    assert discarded.data["condition"] == "RetryAttemptsExhausted"
    (delivered,) = records(sim, tk.STREAM_FAILURE_DELIVERED)
    body = json.loads(sim.queues["failed"].messages[delivered.data["delivered_id"]].body)
    assert body["KinesisBatchInfo"]["startSequenceNumber"] == seqs[2]
    assert body["KinesisBatchInfo"]["batchSize"] == 2
    # The shard's checkpoint is past everything.
    assert streams(sim)["clicks"].consumers[0].lanes[0][0].checkpoint == seqs[-1]


def test_without_bisection_a_partial_response_uses_a_retry() -> None:
    # "Lambda retries failures based on your retry strategy": with maximumRetryAttempts 0
    # the records from the lowest reported one on are discarded at once.
    event = "            maximumRetryAttempts: 0"
    sim = make_sim(stack(event), RBIF_BAD)
    seqs = [put(sim, bad(i, 2)) for i in range(4)]
    sim.run(60_000)
    assert started(sim) == [seqs]
    (discarded,) = records(sim, tk.STREAM_BATCH_DISCARDED)
    assert discarded.data["sequence_numbers"] == seqs[2:]
    assert not records(sim, tk.STREAM_BATCH_BISECTED)


HANDLER = """
def handle(event, context):
    return RESPONSE
"""


def handler_sim(tmp_path: Path, response: str) -> Simulator:
    """The Kinesis stack whose reader is a Python handler answering `response` (a Python
    expression), with ReportBatchItemFailures on."""
    (tmp_path / "answers.py").write_text(HANDLER.replace("RESPONSE", response), encoding="utf-8")
    stack_ = load_stack_text(stack("            maximumRetryAttempts: 1"), "stacktape.yml")
    text = "behaviors:\n  reader:\n    handler: answers:handle\n    reportBatchItemFailures: true\n"
    behaviors, diags = Behaviors.from_text(
        text, "stptui.yml", stack_, allow_code=True, base_dir=tmp_path
    )
    assert not [d for d in diags if d.severity == "error"]
    return Simulator(stack_, behaviors, start_ms=START)


@pytest.mark.parametrize(
    "response",
    [
        "None",
        "{}",
        "{'batchItemFailures': []}",
        "{'batchItemFailures': None}",
    ],
)
def test_an_empty_or_null_response_or_list_is_a_complete_success(
    tmp_path: Path, response: str
) -> None:
    # "Success and failure conditions": an empty or null batchItemFailure list, an empty or
    # null EventResponse.
    sim = handler_sim(tmp_path, response)
    seqs = [put(sim, str(i)) for i in range(3)]
    sim.run(10_000)
    assert started(sim) == [seqs]
    assert not records(sim, tk.STREAM_BATCH_RETRIED)


@pytest.mark.parametrize(
    "response",
    [
        "{'batchItemFailures': [{'itemIdentifier': ''}]}",
        "{'batchItemFailures': [{'itemIdentifier': None}]}",
        "{'batchItemFailures': [{'itemIdentifer': '1'}]}",
    ],
)
def test_an_empty_null_or_misnamed_item_identifier_fails_the_whole_batch(
    tmp_path: Path, response: str
) -> None:
    # "Lambda treats a batch as a complete failure if you return": an empty string
    # itemIdentifier, a null itemIdentifier, an itemIdentifier with a bad key name. The
    # whole batch is retried (a retry used), then discarded.
    sim = handler_sim(tmp_path, response)
    seqs = [put(sim, str(i)) for i in range(3)]
    sim.run(10_000)
    assert started(sim) == [seqs, seqs]
    assert [r.data["sequence_numbers"] for r in records(sim, tk.STREAM_BATCH_RETRIED)] == [seqs]
    (discarded,) = records(sim, tk.STREAM_BATCH_DISCARDED)
    assert discarded.data["sequence_numbers"] == seqs
    logs = [r.data["text"] for r in records(sim, tk.HANDLER_LOG)]
    assert any("the whole batch fails" in line for line in logs)


def test_a_function_error_bisects_whatever_the_report_setting() -> None:
    # "If the invocation fails and BisectBatchOnFunctionError is turned on, the batch is
    # bisected regardless of your ReportBatchItemFailures setting."
    event = "            bisectBatchOnFunctionError: true\n            maximumRetryAttempts: 0"
    sim = make_sim(stack(event), FAIL_BAD + "    reportBatchItemFailures: true\n")
    seqs = [put(sim, bad(i, 0)) for i in range(2)]
    sim.run(60_000)
    assert started(sim) == [seqs, seqs[:1], seqs[1:]]
    assert [r.data["split_at"] for r in records(sim, tk.STREAM_BATCH_BISECTED)] == [1]


# -- the 6 MB payload limit -----------------------------------------------------------------------


def test_a_batch_without_a_window_holds_at_most_6_mb_of_records() -> None:
    # BatchSize (API reference): "Lambda passes all of the records in the batch to the
    # function in a single call, up to the payload limit for synchronous invocation (6 MB)."
    sim = make_sim(stack())
    big = "x" * 1_000_000  # about 1.33 MB once base64-encoded in the event
    seqs = [put(sim, big) for _ in range(5)]
    sim.run(10_000)
    assert started(sim) == [seqs[:4], seqs[4:]]


# -- on-failure to an SNS topic -------------------------------------------------------------------


def test_an_sns_on_failure_destination_gets_the_same_record_as_its_message() -> None:
    # kinesis-on-failure-destination: "You can configure any Amazon SNS topic or Amazon SQS
    # queue as a destination"; the record is the same JSON document.
    pager = (
        "  pager:\n    type: function\n    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}\n"
        "      events:\n        - type: sns\n          properties: {snsTopicName: alerts}\n"
    )
    text = stack(
        "            maximumRetryAttempts: 0\n            onFailure:\n"
        "              arn: $ResourceParam('alerts', 'arn')\n              type: sns",
        extra="  alerts:\n    type: sns-topic\n" + pager,
    )
    sim = make_sim(text, "behaviors:\n  reader:\n    fail: {always: true}")
    events = capture_inputs(sim, lambda inp: (inp.function, inp.event()))
    seq = put(sim, "a")
    sim.run(10_000)
    (published,) = records(sim, tk.TOPIC_PUBLISHED, "alerts")
    (delivered,) = records(sim, tk.STREAM_FAILURE_DELIVERED)
    assert delivered.data["target"] == "alerts"
    assert delivered.data["delivered_id"] == published.data["message_id"]
    (event,) = [e for name, e in events if name == "pager"]
    body = json.loads(event["Records"][0]["Sns"]["Message"])
    assert list(body) == [
        "requestContext",
        "responseContext",
        "version",
        "timestamp",
        "KinesisBatchInfo",
    ]
    assert body["KinesisBatchInfo"]["startSequenceNumber"] == seq
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"


# -- Kafka ----------------------------------------------------------------------------------------


def test_kafka_header_values_are_javas_signed_bytes() -> None:
    # Lambda writes each header value as the Java byte[] Kafka hands it: signed, -128 to
    # 127. AWS's own event libraries were changed to read them so (aws-lambda-go#506 int8,
    # aws-lambda-dotnet#1476 sbyte); Powertools for Lambda (Python) #6862 shows
    # an "ë" in a header delivered as [-61, -85].
    sim = make_sim(
        kafka_stack(fn("reader", custom())),
        'behaviors:\n  reader:\n    log: ["headers.note"]\n',
    )
    events = capture_inputs(sim, lambda inp: inp.event())
    topic = sim.services["kafka"]["orders"]
    topic.produce(b"v", b"k", [("note", "hello-world-ë".encode()), ("raw", b"\x00\x7f\x80\xff")])
    sim.advance(1000)
    ((record,),) = (batch for batch in events[0]["records"].values())
    assert record["headers"] == [
        {"note": [104, 101, 108, 108, 111, 45, 119, 111, 114, 108, 100, 45, -61, -85]},
        {"raw": [0, 127, -128, -1]},
    ]
    # A behaviour's expressions still see the header's text.
    logs = [r.data["text"] for r in records(sim, tk.HANDLER_LOG, "reader")]
    assert logs == ["hello-world-ë"]


@settings(max_examples=30, deadline=None)
@given(
    bads=st.lists(st.booleans(), min_size=1, max_size=12),
    batch=st.integers(1, 6),
    bisect=st.booleans(),
    retries=st.integers(0, 2),
)
def test_a_reported_record_is_never_skipped_and_the_shard_always_moves_on(
    bads: list[bool], batch: int, bisect: bool, retries: int
) -> None:
    # Whatever the handler reports: every record is invoked before any record after it
    # (records before the lowest reported one are done, it and the rest are read again), a
    # reported record is only ever given up by a discard, and the shard ends past its last
    # record (splits and retries are finite).
    event = (
        f"            batchSize: {batch}\n            maximumRetryAttempts: {retries}\n"
        f"            bisectBatchOnFunctionError: {str(bisect).lower()}"
    )
    sim = make_sim(stack(event), RBIF_BAD)
    seqs = [put(sim, bad(i, *(j for j, b in enumerate(bads) if b))) for i in range(len(bads))]
    sim.run(3_600_000)
    firsts: list[str] = []
    for batch_seqs in started(sim):
        firsts += [s for s in batch_seqs if s not in firsts]
    assert firsts == seqs
    discarded = {
        s for r in records(sim, tk.STREAM_BATCH_DISCARDED) for s in r.data["sequence_numbers"]
    }
    assert {s for s, b in zip(seqs, bads, strict=True) if b} <= discarded
    assert streams(sim)["clicks"].consumers[0].lanes[0][0].checkpoint == seqs[-1]


# -- parallelizationFactor ------------------------------------------------------------------------


def test_parallelization_runs_up_to_n_batches_of_one_shard_at_once_one_per_key_lane() -> None:
    # services-kinesis-parameters, ParallelizationFactor (1-10): "the number of batches to
    # process from each shard concurrently", with "in-order processing at the partition-key
    # level" (with-kinesis).
    sim = make_sim(
        stack("            parallelizationFactor: 2\n            batchSize: 1"),
        "behaviors:\n  reader:\n    duration: 500ms\n",
    )
    keys = [f"user-{i}" for i in range(20)]
    even = next(k for k in keys if hash_key_of(k) % 2 == 0)
    odd = next(k for k in keys if hash_key_of(k) % 2 == 1)
    a1, b1, a2 = put(sim, "a1", even), put(sim, "b1", odd), put(sim, "a2", even)
    sim.run(10_000)
    starts = [
        (r.t - START, r.data["sequence_numbers"]) for r in records(sim, tk.INVOCATION_STARTED)
    ]
    # The two keys' first records run together; the key's second waits for its first.
    assert sorted(starts) == [(0, [a1]), (0, [b1]), (500, [a2])]


def test_a_partition_keys_records_share_a_lane_whatever_explicit_hash_keys_they_have() -> None:
    # "in-order processing at the partition-key level" (with-kinesis): a key's records put with
    # ExplicitHashKeys of different lanes (1 and 2 modulo 2, both in the stream's one shard)
    # still wait for each other; a lane by hash key ran the second beside the first.
    sim = make_sim(
        stack("            parallelizationFactor: 2\n            batchSize: 1"),
        "behaviors:\n  reader:\n    duration: 500ms\n",
    )
    clicks = sim.services["streams"]["clicks"]
    first = clicks.put(b"1", "user-1", "1").sequence_number
    second = clicks.put(b"2", "user-1", "2").sequence_number
    sim.run(10_000)
    starts = [
        (r.t - START, r.data["sequence_numbers"]) for r in records(sim, tk.INVOCATION_STARTED)
    ]
    assert starts == [(0, [first]), (500, [second])]


def test_an_ignored_partial_response_on_a_stream_is_not_said_to_delete_the_batch() -> None:
    # A stream batch is not deleted: without ReportBatchItemFailures Lambda's checkpoint
    # moves past it (services-kinesis-batchfailurereporting: "Lambda checkpoints to the
    # highest sequence number of a batch"). The warning used to say SQS's "deletes".
    stack_ = load_stack_text(stack(), "stacktape.yml")
    _, diags = Behaviors.from_text(
        'behaviors:\n  reader:\n    partial: {when: "data.bad"}\n', "stptui.yml", stack_
    )
    (warning,) = [d for d in diags if d.code == "behavior-partial-ignored"]
    assert warning.message.endswith("so Lambda moves past the whole batch")
