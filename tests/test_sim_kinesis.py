"""Kinesis data streams and their Lambda event source mappings (stptui.sim.services.stream):
shards and hash keys, order, batches, retries, bisection, expiry, on-failure records and the
event Lambda hands the function."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import START, capture_inputs, make_sim, records

from stptui.commands import Session, execute
from stptui.commands.registry import CommandError
from stptui.config import load_stack_text
from stptui.config.aws_names import lambda_role_name
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.engine import Simulator
from stptui.sim.explain import explain
from stptui.sim.services.stream import (
    HASH_SPACE,
    KinesisError,
    Settings,
    StreamConsumer,
    StreamSim,
    hash_key_of,
)

PROVISIONED_1 = "      capacityMode: PROVISIONED\n      shardCount: 1"


def stack(event: str = "", stream: str = PROVISIONED_1, extra: str = "") -> str:
    """A stream `clicks` read by function `reader`; `event` and `stream` are property lines
    of the event and the stream (indented for their place)."""
    return f"""
serviceName: kin
resources:
  clicks:
    type: kinesis-stream
    properties:
      retentionPeriodHours: 24
{stream}
  reader:
    type: function
    properties:
      packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: a.ts}}}}
      events:
        - type: kinesis-stream
          properties:
            kinesisStreamName: clicks
{event}
  failed:
    type: sqs-queue
{extra}
"""


def streams(sim: Simulator) -> dict[str, StreamSim]:
    return sim.services["streams"]


def put(sim: Simulator, data: str, key: str = "k") -> str:
    return streams(sim)["clicks"].put(data.encode(), key).sequence_number


def started(sim: Simulator) -> list[list[str]]:
    """The sequence numbers of each invocation of `reader`, in start order."""
    return [r.data["sequence_numbers"] for r in records(sim, tk.INVOCATION_STARTED, "reader")]


def data_of(sim: Simulator, seqs: list[str]) -> list[str]:
    by_seq = {
        r.sequence_number: r.data.decode() for s in streams(sim)["clicks"].shards for r in s.records
    }
    return [by_seq[s] for s in seqs]


# -- shards -----------------------------------------------------------------------------------


def test_a_partition_key_goes_to_the_shard_whose_even_hash_range_holds_its_md5() -> None:
    sim = make_sim(stack(stream="      capacityMode: PROVISIONED\n      shardCount: 4"))
    stream = streams(sim)["clicks"]
    assert [s.id for s in stream.shards] == [f"shardId-00000000000{i}" for i in range(4)]
    assert stream.shards[0].start_hash == 0 and stream.shards[-1].end_hash == HASH_SPACE - 1
    for key in ("user-1", "user-2", "a", "zz", "ünïcode"):
        record = stream.put(b"x", key)
        expected = int.from_bytes(hashlib.md5(key.encode()).digest()) * 4 // HASH_SPACE
        assert record.shard.index == expected
        assert record.lane_key == hash_key_of(key)
    # An explicit hash key overrides the partition key's.
    assert stream.put(b"x", "user-1", str(HASH_SPACE - 1)).shard.index == 3
    assert stream.put(b"x", "user-1", "0").shard.index == 0


def test_an_on_demand_stream_has_the_four_shards_aws_starts_it_with() -> None:
    sim = make_sim(stack(stream=""))
    assert len(streams(sim)["clicks"].shards) == 4


def test_sequence_numbers_are_56_digits_and_grow_within_a_shard() -> None:
    sim = make_sim(stack())
    seqs = [put(sim, str(i)) for i in range(5)]
    sim.advance(5000)
    seqs.append(put(sim, "later"))
    assert all(len(s) == 56 and s.isdigit() for s in seqs)
    assert seqs == sorted(seqs) and len(set(seqs)) == 6


@pytest.mark.parametrize(
    ("data", "key", "explicit", "code", "words"),
    [
        (b"x", "", None, "ValidationException", "greater than or equal to 1"),
        (b"x", "k" * 257, None, "ValidationException", "less than or equal to 256"),
        (b"x" * 1_048_576, "k", None, "ValidationException", "1048576"),
        (b"x", "k", "01", "ValidationException", "explicitHashKey"),
        (b"x", "k", str(HASH_SPACE), "InvalidArgumentException", "Invalid ExplicitHashKey"),
    ],
)
def test_put_record_refuses_what_kinesis_refuses_and_changes_nothing(
    data: bytes, key: str, explicit: str | None, code: str, words: str
) -> None:
    sim = make_sim(stack())
    with pytest.raises(KinesisError) as err:
        streams(sim)["clicks"].put(data, key, explicit)
    assert err.value.code == code and words in str(err.value)
    assert not records(sim, tk.STREAM_RECORD_PUT)


def test_an_oversized_record_gets_kinesiss_exact_message_and_the_size_in_the_hint() -> None:
    # The message AWS returns, as SDK users quote it; the sizes go to the hint.
    sim = make_sim(stack())
    with pytest.raises(KinesisError) as err:
        streams(sim)["clicks"].put(b"x" * 1_048_576, "key")
    assert str(err.value) == (
        "ValidationException: 1 validation error detected: Value at 'data' failed to satisfy "
        "constraint: Member must have length less than or equal to 1048576"
    )
    assert err.value.hint is not None and "1,048,579 bytes" in err.value.hint


# -- reading ----------------------------------------------------------------------------------


def test_records_are_read_in_order_in_batches_of_batch_size_one_at_a_time() -> None:
    sim = make_sim(stack("            batchSize: 10"))
    seqs = [put(sim, str(i)) for i in range(25)]
    sim.run(60_000)
    assert started(sim) == [seqs[:10], seqs[10:20], seqs[20:]]
    # One batch in flight per shard: each starts when the one before ends (100 ms each).
    times = [r.t - START for r in records(sim, tk.INVOCATION_STARTED)]
    assert times == [0, 100, 200]


def test_the_default_batch_size_is_awss_100_as_stacktape_passes_none() -> None:
    sim = make_sim(stack())
    for i in range(150):
        put(sim, str(i))
    sim.run(60_000)
    assert [len(b) for b in started(sim)] == [100, 50]


def test_a_standard_consumer_polls_each_shard_once_a_second_and_push_is_at_once() -> None:
    sim = make_sim(stack())
    sim.advance(300)
    put(sim, "a")
    sim.run(10_000)
    assert [r.t - START for r in records(sim, tk.INVOCATION_STARTED)] == [1000]
    pushed = make_sim(stack("            autoCreateConsumer: true"))
    pushed.advance(300)
    put(pushed, "a")
    pushed.run(10_000)
    assert [r.t - START for r in records(pushed, tk.INVOCATION_STARTED)] == [300]


def test_the_batch_window_waits_for_more_records_unless_the_batch_fills() -> None:
    sim = make_sim(stack("            maxBatchWindowSeconds: 5\n            batchSize: 3"))
    a = put(sim, "a")
    sim.advance(2000)
    b = put(sim, "b")
    sim.run(60_000)
    assert started(sim) == [[a, b]]
    assert [r.t - START for r in records(sim, tk.INVOCATION_STARTED)] == [5000]
    full = make_sim(stack("            maxBatchWindowSeconds: 5\n            batchSize: 3"))
    seqs = [put(full, s) for s in "abc"]
    full.run(60_000)
    assert started(full) == [seqs]
    assert [r.t - START for r in records(full, tk.INVOCATION_STARTED)] == [0]


def test_the_batch_window_ends_early_when_the_waiting_records_reach_6_mb() -> None:
    # with-kinesis: Lambda gathers records "until it has gathered a full batch, the batching
    # window expires, or the batch reaches the payload limit of 6 MB".
    sim = make_sim(stack("            maxBatchWindowSeconds: 300"))
    big = "x" * 1_000_000  # about 1.33 MB once base64-encoded in the event
    seqs = [put(sim, big)]
    sim.advance(1500)  # the window opened at the poll at 0 s
    seqs += [put(sim, big) for _ in range(4)]
    sim.run(10_000)
    # Five records are over 6 MB: the four that fit go at the next poll, not at 300 s.
    assert started(sim) == [seqs[:4]]
    assert [r.t - START for r in records(sim, tk.INVOCATION_STARTED)] == [2000]


def test_latest_skips_what_the_shard_held_when_the_mapping_started() -> None:
    sim = make_sim(stack())
    stream = streams(sim)["clicks"]
    stream.consumers.clear()  # no mapping yet: records wait in the shard
    old = stream.put(b"old", "k").sequence_number
    horizon = StreamConsumer(sim, stream, "reader", False, Settings({}))
    latest = StreamConsumer(sim, stream, "reader", False, Settings({"startingPosition": "LATEST"}))
    stream.consumers += [horizon, latest]
    new = stream.put(b"new", "k").sequence_number
    sim.run(60_000)
    assert started(sim) == [[old, new], [new]]


# -- failures ---------------------------------------------------------------------------------

FAIL_BAD = """
behaviors:
  reader:
    fail: {when: "data.bad", error: BadRecord}
"""


def test_a_failing_batch_is_retried_whole_and_blocks_its_shard_until_it_succeeds() -> None:
    sim = make_sim(stack("            batchSize: 2"), "behaviors:\n  reader:\n    fail: {first: 3}")
    a, b = put(sim, "a"), put(sim, "b")
    sim.advance(1500)
    c = put(sim, "c")  # arrives while the first batch is retried: waits behind it
    sim.run(60_000)
    assert started(sim) == [[a, b], [a, b], [a, b], [a, b], [c]]
    assert [r.data["retries"] for r in records(sim, tk.STREAM_BATCH_RETRIED)] == [1, 2, 3]
    assert [r.data["attempt"] for r in records(sim, tk.INVOCATION_STARTED)] == [1, 2, 3, 4, 1]


def on_failure_stack(event: str) -> str:
    return stack(
        event
        + "\n            onFailure:\n              arn: $ResourceParam('failed', 'arn')"
        + "\n              type: sqs"
    )


def test_maximum_retry_attempts_discards_the_batch_to_on_failure_with_awss_record() -> None:
    sim = make_sim(
        on_failure_stack("            maximumRetryAttempts: 2"),
        "behaviors:\n  reader:\n    fail: {always: true}",
    )
    a, b = put(sim, "a", "k1"), put(sim, "b", "k1")
    sim.run(60_000)
    assert started(sim) == [[a, b]] * 3
    (discarded,) = records(sim, tk.STREAM_BATCH_DISCARDED)
    assert discarded.data["condition"] == "RetryAttemptsExhausted"
    assert discarded.data["attempts"] == 3
    (delivered,) = records(sim, tk.STREAM_FAILURE_DELIVERED)
    msg = sim.queues["failed"].messages[delivered.data["delivered_id"]]
    body = json.loads(msg.body)
    assert list(body) == [
        "requestContext",
        "responseContext",
        "version",
        "timestamp",
        "KinesisBatchInfo",
    ]
    last = records(sim, tk.INVOCATION_STARTED)[-1]
    assert body["requestContext"] == {
        "requestId": last.data["invocation_id"],
        "functionArn": sim.functions["reader"].arn,
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 3,
    }
    assert body["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert body["version"] == "1.0"
    assert body["KinesisBatchInfo"] == {
        "shardId": "shardId-000000000000",
        "startSequenceNumber": a,
        "endSequenceNumber": b,
        "approximateArrivalOfFirstRecord": "2026-01-05T08:00:00.000Z",
        "approximateArrivalOfLastRecord": "2026-01-05T08:00:00.000Z",
        "batchSize": 2,
        "streamArn": streams(sim)["clicks"].arn,
    }
    # The shard goes on past the discarded batch.
    c = put(sim, "c")
    sim.run(60_000)
    assert started(sim)[-1] == [c]


def test_an_on_failure_arn_outside_the_stack_is_a_failed_delivery_in_the_trace() -> None:
    text = stack(
        "            maximumRetryAttempts: 0\n            onFailure:\n"
        "              arn: arn:aws:sqs:us-east-1:999999999999:elsewhere\n              type: sqs"
    )
    sim = make_sim(text, "behaviors:\n  reader:\n    fail: {always: true}")
    put(sim, "a")
    sim.run(60_000)
    (failed,) = records(sim, tk.EMISSION_FAILED)
    assert failed.data["emission"] == "onFailure" and "not simulated" in failed.data["error"]


def test_bisection_splits_a_failing_batch_without_using_retries() -> None:
    sim = make_sim(
        stack("            bisectBatchOnFunctionError: true\n            maximumRetryAttempts: 1"),
        FAIL_BAD,
    )
    seqs = [put(sim, json.dumps({"n": i, "bad": i == 2})) for i in range(4)]
    sim.run(60_000)
    batches = started(sim)
    # [0 1 2 3] fails -> [0 1] ok, [2 3] fails -> [2] fails, retried once, discarded; [3] ok.
    assert batches == [seqs, seqs[:2], seqs[2:], [seqs[2]], [seqs[2]], [seqs[3]]]
    assert [r.data["split_at"] for r in records(sim, tk.STREAM_BATCH_BISECTED)] == [2, 1]
    (discarded,) = records(sim, tk.STREAM_BATCH_DISCARDED)
    assert discarded.data["sequence_numbers"] == [seqs[2]]


def test_records_past_retention_expire_and_a_stuck_batch_gives_way() -> None:
    sim = make_sim(stack(), "behaviors:\n  reader:\n    fail: {always: true}")
    a = put(sim, "a")
    sim.advance(24 * 3_600_000 + 2000)
    expired = records(sim, tk.STREAM_RECORD_EXPIRED)
    assert [r.data["sequence_number"] for r in expired] == [a]
    assert expired[0].t - START == 24 * 3_600_000
    tries = len(started(sim))
    sim.advance(10_000)
    assert len(started(sim)) == tries  # nothing left to retry
    assert not streams(sim)["clicks"].shards[0].records


def test_partial_batch_responses_are_ignored_unless_report_batch_item_failures_is_on() -> None:
    partial = 'behaviors:\n  reader:\n    partial: {when: "data.bad"}\n'
    seqs: list[str] = []
    runs = []
    for rbif in (False, True):
        sim = make_sim(stack(), partial + f"    reportBatchItemFailures: {str(rbif).lower()}")
        seqs = [put(sim, json.dumps({"n": i, "bad": i == 1})) for i in range(3)]
        sim.advance(1500)
        runs.append(started(sim))
    assert runs[0] == [seqs]  # ignored: the whole batch is done
    # On: retried from the lowest failed record; the ones before it are done.
    assert runs[1][:2] == [seqs, seqs[1:]]


# -- the event --------------------------------------------------------------------------------


def test_the_event_has_awss_kinesis_shape_field_by_field() -> None:
    sim = make_sim(stack())
    events = capture_inputs(sim, lambda inp: inp.event())
    sim.advance(1234)
    seq = put(sim, '{"page": "/home"}', "user-1")
    sim.run(10_000)
    (event,) = events
    (record,) = event["Records"]
    assert list(record) == [
        "kinesis",
        "eventSource",
        "eventVersion",
        "eventID",
        "eventName",
        "invokeIdentityArn",
        "awsRegion",
        "eventSourceARN",
    ]
    assert record["kinesis"] == {
        "kinesisSchemaVersion": "1.0",
        "partitionKey": "user-1",
        "sequenceNumber": seq,
        "data": base64.b64encode(b'{"page": "/home"}').decode(),
        "approximateArrivalTimestamp": (START + 1234) / 1000,
    }
    assert record["eventSource"] == "aws:kinesis"
    assert record["eventVersion"] == "1.0"
    assert record["eventID"] == f"shardId-000000000000:{seq}"
    assert record["eventName"] == "aws:kinesis:record"
    # The consumer's role, as Stacktape's lambdaRole names it: `{stack}-{function}-{region}`.
    role = lambda_role_name(sim.stack.stack_name, "us-east-1", next(iter(sim.functions)))
    assert record["invokeIdentityArn"] == f"arn:aws:iam::123456789012:role/{role}"
    assert record["awsRegion"] == "us-east-1"
    assert (
        record["eventSourceARN"] == "arn:aws:kinesis:us-east-1:123456789012:stream/kin-dev-clicks"
    )


def test_behaviour_conditions_see_each_records_decoded_data() -> None:
    sim = make_sim(stack(), FAIL_BAD)
    put(sim, '{"bad": false}')
    sim.run(5000)
    put(sim, '{"bad": true}')
    sim.advance(1500)
    outcomes = [r.kind for r in records(sim) if r.kind.startswith("invocation.") and "ed" in r.kind]
    assert outcomes[:3] == [tk.INVOCATION_STARTED, tk.INVOCATION_SUCCEEDED, tk.INVOCATION_STARTED]
    assert records(sim, tk.INVOCATION_FAILED)[0].data["error"] == "BadRecord"


# -- order under parallelization --------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    puts=st.lists(st.tuples(st.sampled_from("abcdef"), st.booleans()), min_size=1, max_size=30),
    factor=st.integers(1, 10),
    batch=st.integers(1, 5),
    bisect=st.booleans(),
)
def test_per_partition_key_invocation_order_is_put_order_whatever_fails(
    puts: list[tuple[str, bool]], factor: int, batch: int, bisect: bool
) -> None:
    event = (
        f"            parallelizationFactor: {factor}\n            batchSize: {batch}\n"
        f"            bisectBatchOnFunctionError: {str(bisect).lower()}\n"
        "            maximumRetryAttempts: 1"
    )
    sim = make_sim(stack(event), FAIL_BAD)
    order: dict[str, list[int]] = {}
    for i, (key, bad) in enumerate(puts):
        put(sim, json.dumps({"i": i, "bad": bad}), key)
        order.setdefault(key, []).append(i)
    sim.run(3_600_000)
    firsts: dict[str, list[int]] = {}
    # The first time each record is invoked, per key, follows put order.
    seen: set[int] = set()
    keys = {i: key for i, (key, _) in enumerate(puts)}
    for seqs in started(sim):
        for text in data_of(sim, seqs):
            i = json.loads(text)["i"]
            if i not in seen:
                seen.add(i)
                firsts.setdefault(keys[i], []).append(i)
    assert firsts == order


# -- batch jobs, explain, determinism, commands -----------------------------------------------


def test_a_batch_jobs_kinesis_trigger_starts_an_execution_per_batch() -> None:
    text = """
serviceName: kin
resources:
  clicks:
    type: kinesis-stream
  crunch:
    type: batch-job
    properties:
      container: {packaging: {type: prebuilt-image, properties: {image: x}}}
      resources: {cpu: 1, memory: 1024}
      events:
        - type: kinesis-stream
          properties: {kinesisStreamName: clicks, batchSize: 2}
"""
    sim = make_sim(text)
    stream = streams(sim)["clicks"]
    seqs = [stream.put(b"x", "k").sequence_number for _ in range(3)]
    sim.run(60_000)
    submitted = records(sim, tk.BATCH_SUBMITTED, "crunch")
    assert [r.data["sequence_numbers"] for r in submitted] == [seqs[:2], seqs[2:]]
    assert all(r.data["trigger"] == "kinesis" for r in submitted)


def test_explain_a_sequence_number_follows_it_from_put_to_on_failure() -> None:
    sim = make_sim(
        on_failure_stack("            maximumRetryAttempts: 0"),
        "behaviors:\n  reader:\n    fail: {always: true}",
    )
    seq = put(sim, "a")
    other = put(sim, "b", "other-key")
    sim.run(60_000)
    kinds = [r.kind for r in explain(sim.trace, seq).records]
    assert kinds[0] == tk.STREAM_RECORD_PUT
    for kind in (
        tk.INVOCATION_STARTED,
        tk.INVOCATION_FAILED,
        tk.STREAM_BATCH_DISCARDED,
        tk.STREAM_FAILURE_DELIVERED,
        tk.MESSAGE_SENT,
    ):
        assert kind in kinds
    # The batch's other record's put is not part of this record's chain.
    assert other not in {r.data.get("sequence_number") for r in explain(sim.trace, seq).records}


def script_trace(lines: list[str]) -> list[str]:
    session = Session.open("docs/examples/clickstream.yml", start_ms=START)
    for line in lines:
        execute(session, line)
    return [r.to_line() for r in session.sim.trace.records]


def test_same_commands_give_the_same_trace() -> None:
    lines = [
        "fail clickProcessor next 2",
        *(f"put-record clicks '{{\"n\": {i}}}' --partition-key user-{i % 3}" for i in range(12)),
        "advance 1h",
    ]
    assert script_trace(lines) == script_trace(lines)


def test_put_record_and_show_stream_commands() -> None:
    session = Session.open("docs/examples/clickstream.yml", start_ms=START)
    out = execute(session, "put-record clicks hello --partition-key user-1")
    assert out.data["ShardId"].startswith("shardId-")
    assert out.text.startswith("put record 49")
    execute(session, "advance 2s")
    shown = execute(session, "show stream clicks")
    assert shown.data["readers"][0]["reader"] == "clickProcessor"
    assert out.data["SequenceNumber"] in {
        lane["checkpoint"] for lane in shown.data["readers"][0]["lanes"]
    }
    with pytest.raises(CommandError) as err:
        execute(session, "put-record clickz x")
    assert "did you mean clicks?" in (err.value.hint or "")
    with pytest.raises(CommandError) as err:
        execute(session, "put-record failedClicks x")
    assert "not a kinesis-stream" in err.value.message
    with pytest.raises(CommandError) as err:
        execute(session, "put-record clicks x --partition-key ''")
    assert "ValidationException" in err.value.message and err.value.hint
    with pytest.raises(CommandError):
        execute(session, "show stream")


def test_completion_offers_the_stacks_streams() -> None:
    from stptui.repl import candidates as pure

    session = Session.open("docs/examples/clickstream.yml", start_ms=START)
    assert [c.text for c in pure.candidates(session, "put-record ")] == ["clicks"]
    assert [c.text for c in pure.candidates(session, "show stream ")] == ["clicks"]


HANDLER = """
import base64, json

def handle(event, context):
    failed = [
        {"itemIdentifier": r["kinesis"]["sequenceNumber"]}
        for r in event["Records"]
        if json.loads(base64.b64decode(r["kinesis"]["data"]))["bad"]
    ]
    return {"batchItemFailures": failed}
"""


@pytest.mark.parametrize("rbif", [False, True])
def test_a_python_handlers_batch_item_failures_name_sequence_numbers(
    tmp_path: Path, rbif: bool
) -> None:
    (tmp_path / "kin_handler.py").write_text(HANDLER, encoding="utf-8")
    stack_ = load_stack_text(stack(), "stacktape.yml")
    text = (
        "behaviors:\n  reader:\n    handler: kin_handler:handle\n"
        f"    reportBatchItemFailures: {str(rbif).lower()}\n"
    )
    behaviors, diags = Behaviors.from_text(
        text, "stptui.yml", stack_, allow_code=True, base_dir=tmp_path
    )
    assert not [d for d in diags if d.severity == "error"]
    sim = Simulator(stack_, behaviors, start_ms=START)
    seqs = [put(sim, json.dumps({"bad": i == 1})) for i in range(3)]
    sim.advance(1500)
    if rbif:
        assert started(sim) == [seqs, seqs[1:]]
    else:
        assert started(sim) == [seqs]
        logs = [r.data["text"] for r in records(sim, tk.HANDLER_LOG)]
        assert any("moves past the whole batch" in line for line in logs)
