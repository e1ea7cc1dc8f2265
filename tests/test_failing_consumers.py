"""Long runs of consumers that keep failing: what the trace says of each retried attempt
(packed, with its time written when read), the batch named by its live records only, simple
behaviours decided without their input exactly as with it, SQS messages returning together,
and a command's records made only when read."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import START, make_sim, records

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import iso_ms
from stptui.sim.trace import Trace

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
KINESIS = f"""
resources:
  clicks:
    type: kinesis-stream
    properties: {{capacityMode: PROVISIONED, shardCount: 1}}
  reader:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: kinesis-stream
          properties: {{kinesisStreamName: clicks, maxBatchWindowSeconds: 5}}
"""
KAFKA = f"""
resources:
  reader:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: kafka-topic
          properties:
            customKafkaConfiguration:
              bootstrapServers: [b-1.example.com:9092]
              topicName: orders
              authentication:
                type: BASIC_AUTH
                properties: {{authenticationSecretArn: 'arn:aws:secretsmanager:x'}}
"""
SQS = f"""
resources:
  jobs:
    type: sqs-queue
  worker:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: sqs
          properties: {{sqsQueueName: jobs, batchSize: 2}}
"""
FAILING = "behaviors:\n  {name}:\n    duration: 100ms\n    fail: true\n"


def test_a_retried_kinesis_batch_is_named_in_the_documented_fields() -> None:
    sim = make_sim(KINESIS, FAILING.format(name="reader"))
    seq = sim.services["streams"]["clicks"].put(b"a", "k").sequence_number
    sim.advance(8_000)
    started = records(sim, tk.INVOCATION_STARTED, "reader")
    retried = records(sim, tk.STREAM_BATCH_RETRIED, "reader")
    assert len(started) >= 2 and len(retried) >= 2
    for n, (start, retry) in enumerate(zip(started, retried, strict=False), 1):
        assert retry.data == {
            "stream": "clicks",
            "shard": "shardId-000000000000",
            "sequence_numbers": [seq],
            "invocation_id": start.data["invocation_id"],
            "retries": n,
            # The next poll: a second after the failure, written as ISO-8601 when read.
            "at": iso_ms(retry.t + 1000),
        }
    # Key order as docs/trace-format.md gives it, in the JSON line too.
    line = json.loads(retried[0].to_line())
    names = ["stream", "shard", "sequence_numbers", "invocation_id", "retries", "at"]
    assert list(line)[4:] == names


def test_a_retried_kafka_batch_is_named_by_topic_partition_and_record_ids() -> None:
    sim = make_sim(KAFKA, FAILING.format(name="reader"))
    rec = sim.services["kafka"]["orders"].produce(b"v", b"key-1")
    sim.advance(5_000)
    retried = records(sim, tk.KAFKA_BATCH_RETRIED, "reader")
    first = retried[0].data
    assert first["topic"] == "orders" and first["partition"] == rec.shard.index
    assert first["record_ids"] == [rec.sequence_number]
    assert [r.data["retries"] for r in retried] == list(range(1, len(retried) + 1))
    assert [r.data["at"] for r in retried] == [iso_ms(r.t + 1000) for r in retried]


def test_a_batch_whose_oldest_records_expire_is_retried_with_the_rest() -> None:
    # Two records 3 s apart read in one batch (a 5 s window): the first expires 24 h after it
    # arrived, and the attempts of the 3 s after that name the second alone.
    sim = make_sim(KINESIS, FAILING.format(name="reader"))
    stream = sim.services["streams"]["clicks"]
    a = stream.put(b"a", "k").sequence_number
    sim.advance(3_000)
    b = stream.put(b"b", "k").sequence_number
    sim.advance(24 * 3_600_000 + 1_000)
    started = records(sim, tk.INVOCATION_STARTED, "reader")
    retried = records(sim, tk.STREAM_BATCH_RETRIED, "reader")
    day = START + 24 * 3_600_000
    assert {tuple(r.data["sequence_numbers"]) for r in started if r.t < day} == {(a, b)}
    after = [r.data["sequence_numbers"] for r in started if r.t >= day]
    assert after and all(seqs == [b] for seqs in after)
    # (A retry at the expiry's instant + 1 s belongs to an attempt that started after it.)
    assert all(r.data["sequence_numbers"] == [b] for r in retried if r.t >= day + 1_000)
    # Once the second expires too, nothing is left to read.
    sim.advance(10_000)
    assert records(sim, tk.INVOCATION_STARTED, "reader")[-1].t < day + 3_000


def test_a_partial_failure_retries_from_the_lowest_failed_record_in_both_records() -> None:
    partial = 'behaviors:\n  reader:\n    partial: {when: "data.bad"}\n    reportBatchItemFailures: true\n'
    sim = make_sim(KINESIS.replace(", maxBatchWindowSeconds: 5", ""), partial)
    stream = sim.services["streams"]["clicks"]
    seqs = [stream.put(json.dumps({"bad": i == 1}).encode(), "k").sequence_number for i in range(3)]
    sim.advance(1_500)
    started = records(sim, tk.INVOCATION_STARTED, "reader")
    retried = records(sim, tk.STREAM_BATCH_RETRIED, "reader")
    assert started[0].data["sequence_numbers"] == seqs
    assert retried[0].data["sequence_numbers"] == seqs[1:]


RULES = st.sampled_from(
    [
        "{always: true}",
        "{always: true, error: Boom, message: no}",
        "{rate: 0.5}",
        "{rate: 0}",
        "{first: 2}",
        "{rate: 1}",
    ]
)


@settings(max_examples=25, deadline=None)
@given(
    rules=st.lists(RULES, min_size=1, max_size=3),
    duration=st.sampled_from(["100ms", "2s", "{min: 50ms, max: 300ms}"]),
    timeout=st.sampled_from([1, 3]),
)
def test_a_simple_behaviour_decided_without_its_input_gives_the_same_trace(
    rules: list[str], duration: str, timeout: int
) -> None:
    stack = KAFKA.replace("      events:", f"      timeout: {timeout}\n      events:")
    sidecar = f"behaviors:\n  reader:\n    duration: {duration}\n    fail: [{', '.join(rules)}]\n"
    lines = []
    for quick in (True, False):
        sim = make_sim(stack, sidecar, seed=3)
        if not quick:
            sim.functions["reader"]._quick = None
        sim.services["kafka"]["orders"].produce(b"v", b"k")
        sim.advance(60_000)
        lines.append([r.to_line() for r in sim.trace.records])
    assert lines[0] == lines[1]


def test_messages_returning_together_are_received_again_in_the_order_they_returned() -> None:
    sim = make_sim(SQS, FAILING.format(name="worker"))
    q = sim.queues["jobs"]
    ids = [q.send(f"m{i}") for i in range(4)]
    sim.advance(65_000)  # three receives of each message, 30 s apart
    received = [r.data["message_id"] for r in records(sim, tk.MESSAGE_RECEIVED, "jobs")]
    assert received == ids * 3
    returned = records(sim, tk.MESSAGE_RETURNED, "jobs")
    assert [r.data["message_id"] for r in returned] == ids * 2
    # The pollers take the two batches each time the messages return together.
    starts = records(sim, tk.INVOCATION_STARTED, "worker")
    assert [r.data["message_ids"] for r in starts] == [ids[:2], ids[2:]] * 3
    assert len({r.t for r in returned}) == 2


@settings(max_examples=40, deadline=None)
@given(
    ring=st.integers(1, 12),
    before=st.integers(0, 15),
    during=st.integers(0, 15),
    after=st.integers(0, 15),
)
def test_a_commands_records_are_what_since_gives_even_after_the_ring_moves_on(
    ring: int, before: int, during: int, after: int
) -> None:
    trace = Trace(ring_size=ring)
    for i in range(before):
        trace.emit((i, "k", "r", {"i": i}))
    mark = trace.seq
    for i in range(during):
        trace.emit((100 + i, "k", "r", 100 + i, ("i",)))
    expected = list(trace.since(mark))
    run = trace.run_since(mark)
    for i in range(after):
        trace.emit((200 + i, "k", "r", {"i": 200 + i}))
    trace.settle()
    assert list(run) == expected and run == expected and len(run) == len(expected)
    assert run[1:-1] == expected[1:-1]
    if expected:
        assert run[-1] == expected[-1] and run[0].seq == expected[0].seq


def test_advance_of_a_failing_week_hands_back_its_records_to_read(tmp_path) -> None:
    stack = tmp_path / "stacktape.yml"
    stack.write_text(KAFKA)
    (tmp_path / "stptui.yml").write_text(FAILING.format(name="reader"))
    s = Session.open(stack, start_ms=START)
    execute(s, "produce orders v --key k")
    result = execute(s, "advance 2h")
    ring = s.sim.trace.records
    assert len(result.records) == s.sim.trace.seq - 1 > 18_000
    assert result.records[-1] == ring[-1]
    kinds = {r.kind for r in result.records[:6]}
    assert {tk.INVOCATION_STARTED, tk.INVOCATION_FAILED, tk.KAFKA_BATCH_RETRIED} <= kinds
