"""Edge cases of SQS and the Lambda SQS event source mapping where AWS's rules meet each other
(reference/aws-semantics.md §1-§2; docs/fidelity.md, "SQS" and "Lambda and the SQS event
source mapping"): a function timeout equal to the visibility timeout, receives by another
consumer counted toward maxReceiveCount, a handler changing its own message's visibility, a
FIFO partial batch response that leaves later messages out, retention ending while a batching
window holds a message, and function errors, which leave the mapping's concurrency alone."""

from __future__ import annotations

import json
from pathlib import Path

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from tests.simkit import START, capture_inputs, handler_session, make_sim, records, seconds

PKG = "packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: {entry}}}}}"

QUEUE = """
resources:
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: {vt}
      messageRetentionPeriodSeconds: {retention}
      redrivePolicy: {{targetSqsQueueName: dlq, maxReceiveCount: {mrc}}}
  dlq:
    type: sqs-queue
  worker:
    type: function
    properties:
      {pkg}
      timeout: {timeout}
      connectTo: [jobs]
      events: [{{type: sqs, properties: {{sqsQueueName: jobs, {event}}}}}]
"""


def queue_stack(
    vt: int = 30,
    timeout: int = 5,
    mrc: int = 3,
    retention: int = 345_600,
    event: str = "batchSize: 1",
    entry: str = "w.ts",
) -> str:
    """`jobs` (DLQ `dlq` after `mrc` receives) consumed by `worker`."""
    pkg = PKG.format(entry=entry)
    return QUEUE.format(vt=vt, timeout=timeout, mrc=mrc, retention=retention, event=event, pkg=pkg)


def test_a_handler_as_long_as_its_timeout_and_the_visibility_timeout_deletes_its_message() -> None:
    # "Your function's timeout must be less than or equal to the queue's visibility timeout"
    # (equal is allowed). At the instant both end, the invocation's end comes first (a
    # choice: AWS does not order two things at one instant), so the message is deleted and
    # never received again.
    sim = make_sim(queue_stack(vt=5, timeout=5), "behaviors:\n  worker:\n    duration: 5s\n")
    mid = sim.send("jobs", "x")
    sim.advance(60_000)
    assert seconds(sim, tk.INVOCATION_SUCCEEDED, "worker") == [5]
    assert [r.get("message_id") for r in records(sim, tk.MESSAGE_DELETED, "jobs")] == [mid]
    assert len(records(sim, tk.MESSAGE_RECEIVED, "jobs")) == 1
    assert not records(sim, tk.MESSAGE_RETURNED, "jobs")


def test_with_equal_timeouts_a_cold_start_lets_the_message_return_while_the_handler_runs() -> None:
    # The visibility timeout counts from the receive, the function timeout from the end of
    # the init phase: a cold start of 1 s makes a 4.5 s handler end at 5.5 s, after the
    # message came back at 5 s and was received again, so its delete is stale.
    behaviors = "behaviors:\n  worker:\n    duration: 4500ms\n    initDuration: 1s\n"
    sim = make_sim(queue_stack(vt=5, timeout=5), behaviors)
    mid = sim.send("jobs", "x")
    sim.advance(5_500)
    assert seconds(sim, tk.MESSAGE_RETURNED, "jobs") == [5]
    assert seconds(sim, tk.MESSAGE_RECEIVED, "jobs") == [0, 5]
    (stale,) = records(sim, tk.MESSAGE_DELETE_STALE, "jobs")
    assert stale.get("message_id") == mid and stale.t - START == 5_500


PEEKER = """\
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    got = sqs.receive_message(QueueUrl=os.environ["STP_JOBS_URL"], MaxNumberOfMessages=10)
    return [m["Body"] for m in got.get("Messages", [])]
"""


def test_a_receive_by_another_consumer_counts_toward_max_receive_count(tmp_path: Path) -> None:
    # maxReceiveCount counts every delivery from the queue, whoever received it: a
    # function's own ReceiveMessage while the mapping was disabled is the first of two.
    stack = queue_stack(mrc=2) + (
        "  peeker:\n    type: function\n    properties:\n"
        f"      {PKG.format(entry='p.py')}\n      connectTo: [jobs]\n"
    )
    files = {"w.py": "def handler(event, context):\n    raise ValueError('no')\n", "p.py": PEEKER}
    handlers = {"worker": "w:handler", "peeker": "p:handler"}
    s = handler_session(tmp_path, stack.replace("w.ts", "w.py"), handlers, files)
    execute(s, "pause worker --trigger jobs")
    mid = execute(s, "send jobs hello").data["message_id"]
    assert execute(s, "invoke peeker").data["response"] == ["hello"]
    execute(s, "advance 30s")
    execute(s, "resume worker --trigger jobs")
    execute(s, "advance 2m")
    received = [r for r in s.sim.trace.records if r.kind == tk.MESSAGE_RECEIVED]
    assert [(r.get("consumer"), r.get("receive_count")) for r in received] == [
        ("peeker", 1),
        (None, 2),
    ]
    (moved,) = [r for r in s.sim.trace.records if r.kind == tk.MESSAGE_DEAD_LETTERED]
    assert moved.get("message_id") == mid and moved.get("receive_count") == 2


VISIBILITY = """\
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    record = event["Records"][0]
    sqs.change_message_visibility(
        QueueUrl=os.environ["STP_JOBS_URL"],
        ReceiptHandle=record["receiptHandle"],
        VisibilityTimeout=int(record["body"]),
    )
    raise ValueError("try again later")
"""


def test_a_handler_that_changes_its_messages_visibility_sets_when_it_returns(
    tmp_path: Path,
) -> None:
    # ChangeMessageVisibility counts "from the time of the call", and Lambda leaves the
    # visibility of a failed batch as it is: the message returns 10 s after the call, not
    # at the queue's 30 s; with 0 it is visible at once and received again at that instant.
    stack = queue_stack(mrc=5, entry="w.py")
    s = handler_session(tmp_path, stack, {"worker": "w:handler"}, {"w.py": VISIBILITY})
    execute(s, "send jobs 10")
    execute(s, "advance 15s")
    returned = [r for r in s.sim.trace.records if r.kind == tk.MESSAGE_RETURNED]
    assert [r.t - START for r in returned] == [10_000]
    execute(s, "purge jobs")
    at = s.sim.clock.now
    execute(s, "send jobs 0")
    execute(s, "advance 50ms")
    received = [r for r in s.sim.trace.records if r.kind == tk.MESSAGE_RECEIVED and r.t >= at]
    assert [(r.t - at, r.get("receive_count")) for r in received[:2]] == [(0, 1), (0, 2)]


FIFO = """
resources:
  orders:
    type: sqs-queue
    properties: {{fifoEnabled: true, contentBasedDeduplication: true}}
  worker:
    type: function
    properties:
      {pkg}
      events: [{{type: sqs, properties: {{sqsQueueName: orders, batchSize: 10}}}}]
"""

FIRST_FAILURE_ONLY = """\
def handler(event, context):
    failed = [r["messageId"] for r in event["Records"] if r["body"] == "bad"]
    return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}
"""


def test_a_fifo_response_that_leaves_later_messages_out_has_them_deleted(tmp_path: Path) -> None:
    # "your function should stop processing messages after the first failure and return all
    # failed and unprocessed messages in batchItemFailures" is the function's job: Lambda
    # deletes every message the response does not list, so a later message of the group is
    # gone before the failed one returns (its order lost), as on AWS.
    (tmp_path / "stacktape.yml").write_text(FIFO.format(pkg=PKG.format(entry="f.py")))
    (tmp_path / "f.py").write_text(FIRST_FAILURE_ONLY)
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: f:handler\n    reportBatchItemFailures: true\n"
    )
    s = Session.open(tmp_path, start_ms=START, allow_code=True)
    ids = [execute(s, f"send orders {b} --group g").data["message_id"] for b in ("a", "bad", "c")]
    execute(s, "advance 1s")
    deleted = [r.get("message_id") for r in s.sim.trace.records if r.kind == tk.MESSAGE_DELETED]
    assert deleted == [ids[0], ids[2]]
    execute(s, "advance 30s")
    started = [r for r in s.sim.trace.records if r.kind == tk.INVOCATION_STARTED]
    assert [r.get("message_ids") for r in started] == [ids, [ids[1]]]


def test_a_message_whose_retention_ends_in_a_batching_window_is_still_in_the_batch() -> None:
    # The mapping received the message before its retention ended: SQS deletes it (expired),
    # but Lambda still holds it and invokes with it when the window closes; its delete then
    # finds nothing. AWS does not describe this case: it follows from the two mechanisms.
    event = "batchSize: 100, maxBatchWindowSeconds: 300"
    sim = make_sim(queue_stack(vt=400, retention=60, event=event))
    first = sim.send("jobs", "x")
    sim.advance(30_000)
    second = sim.send("jobs", "y")
    sim.advance(300_000)
    assert seconds(sim, tk.MESSAGE_EXPIRED, "jobs") == [60, 90]
    (started,) = records(sim, tk.INVOCATION_STARTED, "worker")
    assert started.get("message_ids") == [first, second] and started.t - START == 300_000
    sim.advance(1_000)
    stale = [r.get("message_id") for r in records(sim, tk.MESSAGE_DELETE_STALE, "jobs")]
    assert stale == [first, second] and sim.queues["jobs"].depth == 0


def test_function_errors_leave_the_mappings_concurrency_as_it_was() -> None:
    # "If your function code caused the error ... Lambda gradually backs off, reducing the
    # amount of concurrency allocated to your Amazon SQS event source mapping" (Lambda
    # guide, "Handling errors for an SQS event source"): AWS gives no amount, and stptui
    # does not simulate it. After a round of failed batches, the next round still runs 5
    # batches at once.
    sim = make_sim(queue_stack(mrc=5), "behaviors:\n  worker:\n    duration: 1s\n    fail: true\n")
    for i in range(5):
        sim.send("jobs", f"m{i}")
    sim.advance(31_000)
    started = seconds(sim, tk.INVOCATION_STARTED, "worker")
    assert started == [0] * 5 + [30] * 5


FIFO_RETENTION = """
resources:
  orders:
    type: sqs-queue
    properties:
      fifoEnabled: true
      contentBasedDeduplication: true
      visibilityTimeoutSeconds: 120
      messageRetentionPeriodSeconds: 60
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      timeout: 110
      events: [{type: sqs, properties: {sqsQueueName: orders, batchSize: 1}}]
"""


def test_a_fifo_message_that_expires_in_flight_unblocks_its_group_at_once() -> None:
    # Retention deletes the message the handler holds; a group is blocked only while one of
    # its messages is in flight ("unless you delete the message or it becomes visible"), so
    # the next message of the group goes to a free poller at that instant, not after the
    # handler ends (it used to wait there, and here expired unreceived at 90 s).
    sim = make_sim(FIFO_RETENTION, "behaviors:\n  worker:\n    duration: 100s\n")
    first = sim.send("orders", "m1", group="g")
    sim.advance(30_000)
    second = sim.send("orders", "m2", group="g")
    sim.advance(200_000)
    received = [(r.t - START, r.get("message_id")) for r in records(sim, tk.MESSAGE_RECEIVED)]
    assert received == [(0, first), (60_000, second)]
    expired = [(r.t - START, r.get("message_id")) for r in records(sim, tk.MESSAGE_EXPIRED)]
    assert expired == [(60_000, first), (90_000, second)]


FIFO_SHARED = """
resources:
  orders:
    type: sqs-queue
    properties: {fifoEnabled: true, contentBasedDeduplication: true, visibilityTimeoutSeconds: 300}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      events: [{type: sqs, properties: {sqsQueueName: orders, batchSize: 1}}]
  peeker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.py}}
      connectTo: [orders]
"""

RECEIVE_OR_DELETE = """\
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    url = os.environ["STP_ORDERS_URL"]
    if "handle" in event:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=event["handle"])
        return None
    return sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
"""


def test_a_fifo_group_another_consumer_deletes_from_goes_to_the_mapping_at_once(
    tmp_path: Path,
) -> None:
    # A function's own ReceiveMessage holds the group's first message; the mapping, enabled
    # again, finds the group blocked. The function's DeleteMessage unblocks it, and the
    # mapping receives the next message at that instant (it used to receive nothing: no
    # poller was told the group was free).
    s = handler_session(tmp_path, FIFO_SHARED, {"peeker": "p:handler"}, {"p.py": RECEIVE_OR_DELETE})
    execute(s, "pause worker --trigger orders")
    execute(s, "send orders m1 --group g")
    second = execute(s, "send orders m2 --group g").data["message_id"]
    handle = execute(s, "invoke peeker").data["response"]
    execute(s, "resume worker --trigger orders")
    execute(s, "advance 10s")
    assert not [
        r for r in s.sim.trace.records if r.kind == tk.INVOCATION_STARTED and r.resource == "worker"
    ]
    execute(s, f'invoke peeker \'{{"handle": "{handle}"}}\'')
    execute(s, "advance 1s")
    deleted, _ = [r for r in s.sim.trace.records if r.kind == tk.MESSAGE_DELETED]
    (started,) = [
        r for r in s.sim.trace.records if r.kind == tk.INVOCATION_STARTED and r.resource == "worker"
    ]
    assert started.get("message_ids") == [second] and started.t == deleted.t
    assert deleted.get("consumer") == "peeker" and deleted.t - START == 10_100


ASYNC = """
resources:
  records:
    type: sqs-queue
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}
      destinations:
        onFailure: "$ResourceParam('records', 'arn')"
"""
SAMPLES = Path("/work/shared/reference/aws-sample-events/aws-validated")


def _keys(value: object) -> object:
    """The keys of a record, nested, in order (values left out)."""
    if isinstance(value, dict):
        return [(k, _keys(v)) for k, v in value.items()]
    return None


def test_an_event_age_exceeded_record_has_the_aws_validated_samples_shape() -> None:
    # LocalStack's AWS-validated test_maxeventage: with a maximum age of 60 s the retry a
    # minute after the first failure is too late, and the record says EventAgeExceeded
    # after 1 attempt, with that attempt's error (a Python runtime's four keys). Stacktape
    # sets no MaximumEventAgeInSeconds, so the test sets the invoker's own.
    sim = make_sim(ASYNC, "behaviors:\n  worker:\n    fail: true\n")
    sim.async_invokers["worker"].max_age_ms = 60_000
    sim.invoke_async("worker", {"message": "m"}, "invoke", "test")
    sim.run(600_000)
    assert len(records(sim, tk.INVOCATION_STARTED, "worker")) == 1
    (msg,) = sim.queues["records"].listing()
    record = json.loads(msg.body)
    sample = json.loads((SAMPLES / "lambda_destination_record_event_age_exceeded.json").read_text())
    assert _keys(record) == _keys(sample)
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["responseContext"] == sample["responseContext"]


DELETES_ITS_OWN = """\
import os
import time

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    record = event["Records"][0]
    sqs.delete_message(QueueUrl=os.environ["STP_ORDERS_URL"], ReceiptHandle=record["receiptHandle"])
    time.sleep(5)
"""


def test_a_fifo_handler_that_deletes_its_own_record_frees_its_group_for_the_next_batch(
    tmp_path: Path,
) -> None:
    # SQS blocks a group only while a message of it is in flight; stptui's pollers add no
    # lock of their own (a choice: AWS does not say Lambda's do). A handler that deletes its record as it starts frees the group, so the group's
    # next message is received and runs beside it, and Lambda's own delete at the end finds
    # the message gone.
    stack = FIFO_SHARED.replace(
        "entryfilePath: w.ts}}", "entryfilePath: w.py}}\n      connectTo: [orders]"
    )
    s = handler_session(tmp_path, stack, {"worker": "w:handler"}, {"w.py": DELETES_ITS_OWN})
    first = execute(s, "send orders m1 --group g").data["message_id"]
    second = execute(s, "send orders m2 --group g").data["message_id"]
    execute(s, "advance 10s")
    started = [r for r in s.sim.trace.records if r.kind == tk.INVOCATION_STARTED]
    assert [(r.t - START, r.get("message_ids")) for r in started] == [(0, [first]), (0, [second])]
    stale = [r.get("message_id") for r in s.sim.trace.records if r.kind == tk.MESSAGE_DELETE_STALE]
    assert stale == [first, second]


def test_a_redriven_message_is_a_new_message_with_its_body_and_attributes() -> None:
    # StartMessageMoveTask: "the messages are redriven as new messages" with a new MessageId,
    # enqueue time and retention (reference §1.3): the consumer's record has a new id, count
    # 1, the redrive's SentTimestamp and no DeadLetterQueueSourceArn; body and message
    # attributes are the message's own, and its retention counts from the redrive.
    sim = make_sim(queue_stack(mrc=1, retention=120), "behaviors:\n  worker:\n    fail: true\n")
    seen = capture_inputs(sim, lambda inp: inp.event()["Records"][0])
    mid = sim.send("jobs", '{"orderId": 7}', attrs={"kind": "order"})
    sim.advance(100_000)  # received at 0, moved at 30 s, kept in the DLQ
    (moved,) = sim.queues["dlq"].redrive_to(sim.queues["jobs"])
    assert moved[0] == mid and moved[1] != mid
    sim.advance(1)
    first, again = seen
    assert again["messageId"] == moved[1]
    assert (again["body"], again["messageAttributes"]) == (
        first["body"],
        first["messageAttributes"],
    )
    assert again["attributes"]["ApproximateReceiveCount"] == "1"
    assert again["attributes"]["SentTimestamp"] == str(START + 100_000)
    assert "DeadLetterQueueSourceArn" not in again["attributes"]
    # 100 s old at the redrive, with the source's 120 s retention: a new enqueue time.
    assert sim.queues["jobs"].messages[moved[1]].enqueued_at == START + 100_000


def test_a_batch_size_over_ten_takes_full_batches_at_once_and_the_rest_at_the_window() -> None:
    # BatchSize up to 10,000 with a window of at least 1 s: Lambda invokes when the batch is
    # full or the window closes. 250 messages sent at once, batch size 100, window 10 s:
    # two full batches at 0 s (ReceiveMessage's 10 per call is the poller's own business),
    # the last 50 when the window, counted from their receive, closes.
    sim = make_sim(queue_stack(event="batchSize: 100, maxBatchWindowSeconds: 10"))
    for i in range(250):
        sim.send("jobs", f"m{i}")
    sim.advance(15_000)
    started = records(sim, tk.INVOCATION_STARTED, "worker")
    assert [(r.t - START, len(r.get("message_ids"))) for r in started] == [
        (0, 100),
        (0, 100),
        (10_000, 50),
    ]
    assert sim.queues["jobs"].depth == 0
