"""A batch job's `kinesis-stream` and `dynamo-db-stream` events are read by Stacktape's hidden
trigger function through an ordinary event source mapping (its `resolveFunction` on the job's
`triggerFunction`, with the event's `maximumRetryAttempts`, `bisectBatchOnFunctionError` and
`onFailure` passed through). When StartExecution refuses the function's input (over 256 KiB),
the function fails, and the mapping handles that as any function error of a stream consumer:
the batch is retried at the same shard position, blocking it, bisected when configured, and
given up to `onFailure` when its retries are used up. docs/fidelity.md ("Batch jobs")."""

from __future__ import annotations

import json

from simkit import START, make_sim, records, seconds
from test_sim_dynamodb import stack as table_stack
from test_sim_kinesis import streams

from stptui.sim import trace as tk
from stptui.sim.engine import Simulator

# 200,000 bytes of data are 266,668 characters of base64 in the event: with the rest of the
# trigger function's `{triggerEvent, jobName}` input, over StartExecution's 262,144 bytes.
BIG = "x" * 200_000

JOB = """    type: batch-job
    properties:
      container: {packaging: {type: prebuilt-image, properties: {image: x}}}
      resources: {cpu: 1, memory: 1024}
"""


def kinesis_stack(event: str = "") -> str:
    """A stream `clicks` (one shard) read by batch job `crunch`; `event` holds property lines
    of its `kinesis-stream` event."""
    return f"""
serviceName: kin
resources:
  clicks:
    type: kinesis-stream
    properties: {{capacityMode: PROVISIONED, shardCount: 1}}
  failed:
    type: sqs-queue
  crunch:
{JOB}      events:
        - type: kinesis-stream
          properties:
            kinesisStreamName: clicks
{event}
"""


def put(sim: Simulator, data: str) -> str:
    return streams(sim)["clicks"].put(data.encode(), "k").sequence_number


def submitted(sim: Simulator) -> list[list[str]]:
    return [r.data["sequence_numbers"] for r in records(sim, tk.BATCH_SUBMITTED, "crunch")]


def failed(sim: Simulator) -> list[list[str]]:
    return [r.data["sequence_numbers"] for r in records(sim, tk.BATCH_TRIGGER_FAILED, "crunch")]


ON_FAILURE = (
    "            onFailure:\n"
    "              arn: $ResourceParam('failed', 'arn')\n"
    "              type: sqs\n"
)


def test_by_default_a_failed_trigger_function_blocks_its_shard_and_is_retried() -> None:
    # Stacktape passes no MaximumRetryAttempts unless the event has one: AWS's -1, "failed
    # records are retried until the record expires" (services-kinesis-parameters); the
    # shard waits meanwhile, so a small record put after the big one is not read.
    sim = make_sim(kinesis_stack("            batchSize: 1"))
    big = put(sim, BIG)
    small = put(sim, "small")
    sim.advance(60_000)
    assert submitted(sim) == []
    assert failed(sim)[:3] == [[big]] * 3 and len(failed(sim)) >= 60
    retried = records(sim, tk.STREAM_BATCH_RETRIED, "crunch")
    assert [r.data["retries"] for r in retried[:3]] == [1, 2, 3]
    assert retried[0].data["sequence_numbers"] == [big]
    # Each attempt is the trigger function's own invocation: its request id in both records.
    first = records(sim, tk.BATCH_TRIGGER_FAILED, "crunch")[0]
    assert retried[0].data["invocation_id"] == first.data["invocation_id"]
    assert small not in {s for seqs in failed(sim) for s in seqs}
    # A second apart, the standard poll interval (as for a failing function).
    assert seconds(sim, tk.BATCH_TRIGGER_FAILED, "crunch")[:3] == [0, 1, 2]


def test_when_the_record_expires_the_shard_moves_on() -> None:
    sim = make_sim(kinesis_stack("            batchSize: 1"))
    big = put(sim, BIG)
    sim.advance(3_600_000)
    small = put(sim, "small")
    sim.advance(24 * 3_600_000)
    assert submitted(sim) == [[small]]
    assert all(seqs == [big] for seqs in failed(sim))
    # The big record expired 24 hours after its put; the small one was read at once then.
    expired = records(sim, tk.STREAM_RECORD_EXPIRED, "clicks")[0]
    assert expired.data["sequence_number"] == big and expired.t - START == 24 * 3_600_000
    assert seconds(sim, tk.BATCH_SUBMITTED, "crunch") == [24 * 3600]


def test_retries_used_up_discard_the_batch_to_on_failure_and_the_shard_goes_on() -> None:
    sim = make_sim(
        kinesis_stack(
            "            batchSize: 1\n            maximumRetryAttempts: 2\n" + ON_FAILURE
        )
    )
    big = put(sim, BIG)
    small = put(sim, "small")
    sim.run(60_000)
    # 1 + maximumRetryAttempts invocations, then given up; then the next record.
    assert failed(sim) == [[big]] * 3
    assert submitted(sim) == [[small]]
    (discarded,) = records(sim, tk.STREAM_BATCH_DISCARDED, "crunch")
    assert discarded.data["condition"] == "RetryAttemptsExhausted"
    assert discarded.data["attempts"] == 3 and discarded.data["sequence_numbers"] == [big]
    (delivered,) = records(sim, tk.STREAM_FAILURE_DELIVERED, "crunch")
    body = json.loads(sim.queues["failed"].messages[delivered.data["delivered_id"]].body)
    context = body["requestContext"]
    last = records(sim, tk.BATCH_TRIGGER_FAILED, "crunch")[-1]
    assert context["requestId"] == last.data["invocation_id"]
    # The function that failed is the job's trigger function, `{stack}-{job}`.
    assert context["functionArn"].endswith(":function:kin-dev-crunch")
    assert context["condition"] == "RetryAttemptsExhausted"
    assert context["approximateInvokeCount"] == 3
    assert body["responseContext"]["functionError"] == "Unhandled"
    assert body["KinesisBatchInfo"]["startSequenceNumber"] == big
    assert body["KinesisBatchInfo"]["batchSize"] == 1
    assert streams(sim)["clicks"].consumers[0].lanes[0][0].checkpoint == small


def test_bisection_splits_the_failing_batch_and_the_small_half_starts_an_execution() -> None:
    sim = make_sim(
        kinesis_stack(
            "            batchSize: 2\n            bisectBatchOnFunctionError: true\n"
            "            maximumRetryAttempts: 0\n" + ON_FAILURE
        )
    )
    small = put(sim, "small")
    big = put(sim, BIG)
    sim.run(60_000)
    # [small big] fails -> split (no retry used); [small] starts; [big] fails, discarded.
    assert failed(sim) == [[small, big], [big]]
    assert submitted(sim) == [[small]]
    (split,) = records(sim, tk.STREAM_BATCH_BISECTED, "crunch")
    assert split.data["split_at"] == 1
    (discarded,) = records(sim, tk.STREAM_BATCH_DISCARDED, "crunch")
    assert discarded.data["sequence_numbers"] == [big]
    assert not records(sim, tk.STREAM_BATCH_RETRIED)


def test_a_dynamodb_stream_batch_too_big_to_start_is_retried_then_given_up() -> None:
    text = table_stack(
        "            batchSize: 1\n            maximumRetryAttempts: 1\n" + ON_FAILURE.rstrip("\n"),
        view="NEW_IMAGE",
    ).replace(
        "  audit:\n    type: function\n    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n",
        "  audit:\n" + JOB,
    )
    sim = make_sim(text)
    table = sim.services["tables"]["orders"]
    _, big = table.put({"id": {"S": "big"}, "blob": {"S": "b" * 300_000}})
    _, small = table.put({"id": {"S": "small"}})
    sim.run(60_000)
    trigger_failed = records(sim, tk.BATCH_TRIGGER_FAILED, "audit")
    assert len(trigger_failed) == 2 and trigger_failed[0].data["trigger"] == "dynamodb"
    # DynamoDB streams are polled four times a second: the retry is 250 ms later.
    assert seconds(sim, tk.BATCH_TRIGGER_FAILED, "audit") == [0, 0.25]
    (discarded,) = records(sim, tk.STREAM_BATCH_DISCARDED, "audit")
    assert discarded.data["sequence_numbers"][0] == big.sequence_number
    (delivered,) = records(sim, tk.STREAM_FAILURE_DELIVERED, "audit")
    body = json.loads(sim.queues["failed"].messages[delivered.data["delivered_id"]].body)
    assert body["DDBStreamBatchInfo"]["startSequenceNumber"] == big.sequence_number
    assert [r.data["sequence_numbers"] for r in records(sim, tk.BATCH_SUBMITTED, "audit")] == [
        [small.sequence_number]
    ]
