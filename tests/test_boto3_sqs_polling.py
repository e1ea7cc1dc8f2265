"""A handler that polls a queue itself through the boto3 stand-in: ReceiveMessage puts the
messages in flight with the queue's (or the call's) visibility timeout, recorded as the
queue's own receives, and an empty long poll spends its wait in the invocation's time;
DeleteMessageBatch and ChangeMessageVisibility by their handles."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
STACK = """\
serviceName: shop
resources:
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 30
  slow:
    type: sqs-queue
    properties:
      longPollingSeconds: 20
  ordered:
    type: sqs-queue
    properties:
      fifoEnabled: true
      contentBasedDeduplication: true
  poller:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/p.py}}
      connectTo: [jobs, slow, ordered]
  stranger:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/s.py}}
"""
PRELUDE = """\
import os

import boto3
from botocore.exceptions import ClientError

sqs = boto3.client("sqs")
QUEUE = os.environ.get("STP_JOBS_URL", "jobs")
SLOW = os.environ.get("STP_SLOW_URL", "slow")
ORDERED = os.environ.get("STP_ORDERED_URL", "ordered")
OUT = {}
"""


def _session(folder: Path, body: str, function: str = "poller") -> Session:
    (folder / "stacktape.yml").write_text(STACK, encoding="utf-8")
    behaviors = "behaviors:\n" + "".join(
        f"  {name}:\n    handler: poll_{name}:handler\n" for name in ("poller", "stranger")
    )
    (folder / "stptui.yml").write_text(behaviors, encoding="utf-8")
    for name in ("poller", "stranger"):
        code = body if name == function else "return None\n"
        text = PRELUDE + "\n\ndef handler(event, context):\n" + textwrap.indent(code, "    ")
        (folder / f"poll_{name}.py").write_text(text, encoding="utf-8")
    return Session.open(folder, start_ms=T0, allow_code=True)


def _invoke(s: Session, function: str = "poller") -> Any:
    data = execute(s, f"invoke {function} '{{}}'").data
    assert data.get("error") is None, data
    return data["response"]


def _records(s: Session, kind: str) -> list[Any]:
    return [r for r in s.sim.trace.records if r.kind == kind]


RECEIVE = """\
got = sqs.receive_message(QueueUrl=QUEUE, MaxNumberOfMessages=10,
                          MessageSystemAttributeNames=["ApproximateReceiveCount"],
                          MessageAttributeNames=["All"])
got.pop("ResponseMetadata")
return got
"""


def test_receive_puts_messages_in_flight_for_the_queues_timeout_and_records_the_receive(
    tmp_path: Path,
) -> None:
    s = _session(tmp_path, RECEIVE)
    execute(s, "send jobs one")
    execute(s, "send jobs two --attr kind=big")
    got = _invoke(s)
    messages = got["Messages"]
    assert [m["Body"] for m in messages] == ["one", "two"]
    assert messages[0]["Attributes"] == {"ApproximateReceiveCount": "1"}
    assert "MessageAttributes" not in messages[0]
    assert messages[1]["MessageAttributes"] == {
        "kind": {"StringValue": "big", "DataType": "String"}
    }
    assert set(messages[1]) == {
        "MessageId",
        "ReceiptHandle",
        "MD5OfBody",
        "Body",
        "Attributes",
        "MD5OfMessageAttributes",
        "MessageAttributes",
    }
    received = _records(s, tk.MESSAGE_RECEIVED)
    assert [r.data["consumer"] for r in received] == ["poller", "poller"]
    q = s.sim.queues["jobs"]
    assert q.in_flight_count == 2
    # In flight for the queue's 30 s, then visible again, and received a second time.
    execute(s, "advance 31s")
    assert q.visible_count == 2
    again = _invoke(s)
    assert [m["Attributes"]["ApproximateReceiveCount"] for m in again["Messages"]] == ["2", "2"]


def test_an_empty_receive_answers_no_messages_key(tmp_path: Path) -> None:
    s = _session(tmp_path, RECEIVE)
    assert _invoke(s) == {}


def test_a_worker_deletes_what_it_received_by_batch(tmp_path: Path) -> None:
    body = """\
got = sqs.receive_message(QueueUrl=QUEUE, MaxNumberOfMessages=5, VisibilityTimeout=5)
entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
           for i, m in enumerate(got["Messages"])]
done = sqs.delete_message_batch(QueueUrl=QUEUE, Entries=entries)
return [e["Id"] for e in done["Successful"]]
"""
    s = _session(tmp_path, body)
    execute(s, "send jobs a")
    execute(s, "send jobs b")
    assert _invoke(s) == ["0", "1"]
    assert len(_records(s, tk.MESSAGE_DELETED)) == 2
    assert s.sim.queues["jobs"].depth == 0


def test_run_does_not_wait_for_the_timeout_of_messages_the_handler_deleted(
    tmp_path: Path,
) -> None:
    body = """\
got = sqs.receive_message(QueueUrl=QUEUE, MaxNumberOfMessages=10)
for m in got["Messages"]:
    sqs.delete_message(QueueUrl=QUEUE, ReceiptHandle=m["ReceiptHandle"])
return len(got["Messages"])
"""
    s = _session(tmp_path, body)
    execute(s, "send jobs a")
    execute(s, "send jobs b")
    assert _invoke(s) == 2
    # Each received message was set to return at the queue's 30 s timeout unless deleted:
    # both were, so nothing is left for `run` to wait for.
    before = s.sim.clock.now
    assert execute(s, "run").data["quiet"] is True
    assert s.sim.clock.now == before
    assert not _records(s, tk.MESSAGE_RETURNED)
    # Nor for `step`: the emptied queue's retention check went with its last message.
    assert s.sim.agenda() == []


def test_change_message_visibility_keeps_a_message_hidden_longer(tmp_path: Path) -> None:
    body = """\
got = sqs.receive_message(QueueUrl=QUEUE)
handle = got["Messages"][0]["ReceiptHandle"]
sqs.change_message_visibility(QueueUrl=QUEUE, ReceiptHandle=handle, VisibilityTimeout=120)
try:
    sqs.change_message_visibility(QueueUrl=QUEUE, ReceiptHandle="nope", VisibilityTimeout=1)
except ClientError as exc:
    OUT["bad"] = [type(exc).__name__, exc.response["Error"]["Code"]]
try:
    sqs.change_message_visibility(QueueUrl=QUEUE, ReceiptHandle=handle, VisibilityTimeout=43201)
except ClientError as exc:
    OUT["range"] = exc.response["Error"]["Message"]
return OUT
"""
    s = _session(tmp_path, body)
    execute(s, "send jobs a")
    got = _invoke(s)
    assert got["bad"] == ["ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid"]
    assert got["range"] == (
        "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 "
        "and 43200."
    )
    (changed,) = _records(s, tk.MESSAGE_VISIBILITY_CHANGED)
    assert changed.data["timeout_s"] == 120
    q = s.sim.queues["jobs"]
    execute(s, "advance 60s")
    assert q.in_flight_count == 1  # past the queue's 30 s, still hidden
    execute(s, "advance 61s")
    assert q.visible_count == 1


def test_receive_refuses_what_sqs_refuses_and_what_the_role_does_not_allow(
    tmp_path: Path,
) -> None:
    body = """\
for name, params in (("eleven", {"MaxNumberOfMessages": 11}), ("wait", {"WaitTimeSeconds": 21})):
    try:
        sqs.receive_message(QueueUrl=QUEUE, **params)
    except ClientError as exc:
        OUT[name] = exc.response["Error"]["Message"]
return OUT
"""
    s = _session(tmp_path, body)
    execute(s, "send jobs a")
    got = _invoke(s)
    assert got == {
        "eleven": "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be "
        "between 1 and 10, if provided.",
        "wait": "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and "
        "<= 20, if provided.",
    }
    assert _records(s, tk.MESSAGE_RECEIVED) == []

    denied = """\
try:
    sqs.receive_message(QueueUrl="jobs")
except ClientError as exc:
    return exc.response["Error"]
"""
    other = tmp_path / "other"
    other.mkdir()
    s = _session(other, denied, function="stranger")
    execute(s, "send jobs a")
    got = _invoke(s, "stranger")
    assert got["Code"] == "AccessDenied"
    assert "sqs:receivemessage" in got["Message"]
    assert _records(s, tk.MESSAGE_RECEIVED) == []


def test_a_receive_after_a_sleep_is_refused_clearly(tmp_path: Path) -> None:
    body = """\
context.sleep(100)
try:
    sqs.receive_message(QueueUrl=QUEUE)
except Exception as exc:
    return [type(exc).__name__, str(exc)]
"""
    s = _session(tmp_path, body)
    execute(s, "send jobs a")
    name, message = _invoke(s)
    assert name == "BehaviorError"
    assert "at the call only" in message
    assert _records(s, tk.MESSAGE_RECEIVED) == []


# -- long polling: SQS waits up to WaitTimeSeconds (else the queue's
# ReceiveMessageWaitTimeSeconds, Stacktape's longPollingSeconds) when no message is visible.

WAITS = """\
before = context.get_remaining_time_in_millis()
got = sqs.receive_message(QueueUrl=QUEUE, WaitTimeSeconds=5)
return {"messages": len(got.get("Messages", [])),
        "waited": before - context.get_remaining_time_in_millis(),
        "now": context.now.isoformat()}
"""


def _took(s: Session) -> int:
    started = _records(s, tk.INVOCATION_STARTED)[-1]
    ended = [r for r in s.sim.trace.records if r.kind.startswith("invocation.")][-1]
    return ended.t - started.t


def test_an_empty_long_poll_spends_its_wait_in_the_invocations_time(tmp_path: Path) -> None:
    s = _session(tmp_path, WAITS)
    assert _invoke(s) == {"messages": 0, "waited": 5000, "now": "2026-01-05T08:00:05+00:00"}
    # The invocation took the handler's 100 ms and the 5 s the receive waited.
    assert _took(s) == 5100
    assert _records(s, tk.MESSAGE_RECEIVED) == []


def test_a_long_poll_answers_at_once_when_a_message_is_visible(tmp_path: Path) -> None:
    s = _session(tmp_path, WAITS)
    execute(s, "send jobs a")
    assert _invoke(s) == {"messages": 1, "waited": 0, "now": "2026-01-05T08:00:00+00:00"}
    assert _took(s) == 100


def test_the_queues_long_polling_seconds_is_the_default_wait(tmp_path: Path) -> None:
    body = """\
before = context.get_remaining_time_in_millis()
sqs.receive_message(QueueUrl=SLOW if event["queue"] == "slow" else QUEUE,
                    **event.get("params", {}))
return before - context.get_remaining_time_in_millis()
"""
    s = _session(tmp_path, body)
    waited = {}
    for name, params in (
        ("jobs", {}),  # longPollingSeconds 0: a short poll
        ("slow", {"WaitTimeSeconds": 0}),  # the call's short poll over the queue's 20 s
        ("slow", {"WaitTimeSeconds": 3}),
    ):
        payload = json.dumps({"queue": name, "params": params})
        data = execute(s, f"invoke poller '{payload}'").data
        waited[f"{name} {params}"] = data["response"]
    assert waited == {
        "jobs {}": 0,
        "slow {'WaitTimeSeconds': 0}": 0,
        "slow {'WaitTimeSeconds': 3}": 3000,
    }
    # The queue's 20 s, with the handler's 100 ms, is past the function's 20 s timeout:
    # the invocation times out, as a Lambda function's does when its poll outlasts it.
    data = execute(s, """invoke poller '{"queue": "slow"}'""").data
    assert data["error"] == "Sandbox.Timedout"


def test_after_an_empty_long_poll_a_write_is_made_at_its_instant(tmp_path: Path) -> None:
    body = """\
sqs.receive_message(QueueUrl=QUEUE, WaitTimeSeconds=2)
sqs.send_message(QueueUrl=SLOW, MessageBody="after the wait")
try:
    sqs.receive_message(QueueUrl=QUEUE)
except Exception as exc:
    return [type(exc).__name__, str(exc)]
"""
    s = _session(tmp_path, body)
    name, message = _invoke(s)
    # The simulation did not run during the wait: a second receive cannot know its messages.
    assert name == "BehaviorError"
    assert "long poll that waited" in message
    (sent,) = _records(s, tk.MESSAGE_SENT)
    assert sent.t == T0 + 2000


def test_a_fifo_send_answers_the_messages_sequence_number(tmp_path: Path) -> None:
    body = """\
one = sqs.send_message(QueueUrl=ORDERED, MessageBody="a", MessageGroupId="g")
batch = sqs.send_message_batch(QueueUrl=ORDERED, Entries=[
    {"Id": "b", "MessageBody": "b", "MessageGroupId": "h"}])
plain = sqs.send_message(QueueUrl=QUEUE, MessageBody="c")
got = sqs.receive_message(QueueUrl=ORDERED, MaxNumberOfMessages=10,
                          MessageSystemAttributeNames=["SequenceNumber"])
return {"sent": [one.get("SequenceNumber"), batch["Successful"][0].get("SequenceNumber"),
                 plain.get("SequenceNumber")],
        "received": [m["Attributes"]["SequenceNumber"] for m in got["Messages"]]}
"""
    s = _session(tmp_path, body)
    got = _invoke(s)
    # SendMessage's SequenceNumber "applies only to FIFO queues" (SQS API Reference), and is
    # the one the message's receive gives.
    first, second, plain = got["sent"]
    assert plain is None
    assert [first, second] == got["received"]
    assert int(first) < int(second)
