"""A Python handler's writes happen when it makes them, as SDK calls do on AWS: at the call
(answered, refused with a ClientError the handler can catch, read back by a later read),
or at start + the time slept after a `context.sleep`; a handler that fails after writing has
written, and Lambda's retries write again."""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import Session, execute
from stptui.sim import trace as tk

START = 1_767_600_000_000  # 2026-01-05T08:00:00Z
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}"
IMAGE = "packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: src/n.ts}}"

STACK = f"""
serviceName: calls
resources:
  jobs:
    type: sqs-queue
  ordered:
    type: sqs-queue
    properties: {{fifoEnabled: true}}
  loopq:
    type: sqs-queue
  alerts:
    type: sns-topic
  bus:
    type: event-bus
  files:
    type: bucket
    properties: {{versioning: true}}
  clicks:
    type: kinesis-stream
  orders:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey: {{name: pk, type: string}}
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: Done
        States: {{Done: {{Type: Succeed}}}}
  again:
    type: state-machine
    properties:
      definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: $ResourceParam('restarter', 'arn')
              Payload.$: $
            End: true
  restarter:
    type: function
    properties:
      {PKG}
      connectTo: [again, jobs]
  writer:
    type: function
    properties:
      {PKG}
      timeout: 5
      connectTo: [jobs, ordered, loopq, alerts, bus, files, clicks, orders, flow, outsider]
  looper:
    type: function
    properties:
      {PKG}
      connectTo: [loopq]
      events:
        - type: sqs
          properties: {{sqsQueueName: loopq}}
  outsider:
    type: function
    properties:
      {PKG}
  nightly:
    type: batch-job
    properties:
      container:
        {IMAGE}
      resources: {{cpu: 1, memory: 1024}}
      connectTo: [jobs, orders]
"""

HANDLERS = '''
import json


def run(event, context):
    """Make the calls the event lists, in order; return what each answered or raised."""
    out = []
    for step in event["calls"]:
        if step[0] == "sleep":
            context.sleep(step[1])
            continue
        name, args = step[0], step[1]
        kwargs = step[2] if len(step) > 2 else {}
        try:
            got = getattr(context, name)(*args, **kwargs)
        except Exception as exc:
            got = {
                "raised": type(exc).__name__,
                "code": exc.response["Error"]["Code"],
                "message": str(exc),
            }
        if isinstance(got, bytes):
            got = got.decode()
        out.append(json.loads(json.dumps(got, default=str)))
    if event.get("fail"):
        raise RuntimeError("failed after its calls")
    return out


def send_then_fail(event, context):
    """The duplicate-processing bug: the message goes out, then the handler fails."""
    context.send("jobs", {"order": event["order"]})
    raise RuntimeError("payment service down")


def send_once_then_fail(event, context):
    """The fix: claim the order with a conditional put_item before sending."""
    try:
        context.put_item(
            "orders", {"pk": f"sent#{event['order']}"}, condition="attribute_not_exists(pk)"
        )
    except Exception as exc:
        if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return {"skipped": type(exc).__name__}
    context.send("jobs", {"order": event["order"]})
    raise RuntimeError("payment service down")


def send_to(event, context):
    """One send, its refusal uncaught."""
    context.send(event["queue"], "x")


def restart(event, context):
    """Start an execution whose Task invokes this handler again, at once."""
    context.send("jobs", "again")
    started = context.start_execution("again", {})
    context.log("answered" if started is not None else "no answer")
    return started is not None


def loop(event, context):
    """Send every message it gets back to its own queue."""
    for record in event["Records"]:
        context.send("loopq", record["body"])
'''

RUN = """
behaviors:
  writer: {duration: 10ms, handler: "calls:run"}
  outsider: {duration: 10ms, handler: "calls:run"}
  nightly: {duration: 10ms, handler: "calls:run"}
"""


def open_session(tmp_path: Path, behaviors: str = RUN) -> Session:
    """The stack with `behaviors` and its handlers in calls.py."""
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "calls.py").write_text(textwrap.dedent(HANDLERS), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(textwrap.dedent(behaviors), encoding="utf-8")
    return Session.open(
        tmp_path / "stacktape.yml",
        behaviors_path=tmp_path / "stptui.yml",
        start_ms=START,
        allow_code=True,
    )


@pytest.fixture
def s(tmp_path: Path) -> Session:
    return open_session(tmp_path)


def invoke(s: Session, *calls: list[Any], fn: str = "writer", fail: bool = False) -> Any:
    """Invoke `fn` with `calls`: its response, or its error type and message."""
    payload = json.dumps({"calls": list(calls), "fail": fail})
    data = execute(s, f"invoke {fn} '{payload}'").data
    if data.get("error") is not None:
        return {"error": data["error"], "message": data["error_message"]}
    return data["response"]


def records(s: Session, kind: str, resource: str | None = None) -> list[Any]:
    return [
        r
        for r in s.sim.trace.records
        if r.kind == kind and (resource is None or r.resource == resource)
    ]


# -- at the call ----------------------------------------------------------------------------


def test_a_send_happens_at_the_call_between_the_invocations_start_and_end(s: Session) -> None:
    got = invoke(s, ["send", ["jobs", {"n": 1}]])
    started = records(s, tk.INVOCATION_STARTED, "writer")[-1]
    sent = records(s, tk.MESSAGE_SENT, "jobs")[-1]
    ended = records(s, tk.INVOCATION_SUCCEEDED, "writer")[-1]
    kinds = [r.kind for r in s.sim.trace.records]
    assert kinds.index(tk.INVOCATION_STARTED) < kinds.index(tk.MESSAGE_SENT)
    assert kinds.index(tk.MESSAGE_SENT) < kinds.index(tk.INVOCATION_SUCCEEDED)
    assert sent.t == started.t == START
    assert ended.t == START + 10
    assert sent.data["source"] == f"writer:{started.data['invocation_id']}"
    # SendMessage's answer: the MessageId the message got, and the body's MD5.
    assert got[0] == {
        "MessageId": sent.data["message_id"],
        "MD5OfMessageBody": hashlib.md5(b'{"n":1}').hexdigest(),
    }


def test_a_read_after_a_write_sees_it(s: Session) -> None:
    got = invoke(
        s,
        ["put_item", ["orders", {"pk": "o-1", "total": 5}]],
        ["get_item", ["orders", {"pk": "o-1"}]],
        ["put_object", ["files", "a.txt", "hello"]],
        ["get_object", ["files", "a.txt"]],
    )
    assert got[1] == {"pk": "o-1", "total": 5}
    assert got[3] == "hello"


def test_a_refused_call_raises_client_error_at_the_call_and_is_recorded(s: Session) -> None:
    # A FIFO queue needs a MessageGroupId: SQS refuses the call, the handler catches it.
    got = invoke(s, ["send", ["ordered", "x"]], ["send", ["jobs", "after"]])
    assert got[0]["raised"] == "ClientError"
    assert got[0]["code"] == "MissingParameter"
    assert got[0]["message"].startswith(
        "An error occurred (MissingParameter) when calling the SendMessage operation: "
    )
    failed = records(s, tk.EMISSION_FAILED, "writer")
    assert len(failed) == 1 and failed[0].t == START
    assert failed[0].data["emission"] == "send" and failed[0].data["target"] == "ordered"
    # The handler went on: its next call was made.
    assert "MessageId" in got[1]


def test_a_conditional_put_item_that_fails_raises_botocores_modelled_class(s: Session) -> None:
    got = invoke(s, ["put_item", ["orders", {"pk": "a"}], {"condition": "attribute_exists(pk)"}])
    assert got[0]["raised"] == "ConditionalCheckFailedException"
    assert got[0]["code"] == "ConditionalCheckFailedException"
    assert not s.sim.services["tables"]["orders"].items


def test_an_uncaught_refusal_fails_the_invocation_as_client_error(tmp_path: Path) -> None:
    s = open_session(tmp_path, 'behaviors:\n  writer: {handler: "calls:send_to"}\n')
    got = execute(s, """invoke writer '{"queue": "ordered"}'""").data
    assert got["error"] == "ClientError"
    assert got["error_message"].startswith(
        "An error occurred (MissingParameter) when calling the SendMessage operation"
    )
    assert len(records(s, tk.EMISSION_FAILED, "writer")) == 1


def test_a_permission_refusal_is_recorded_at_the_call(s: Session) -> None:
    got = invoke(s, ["send", ["jobs", "x"]], fn="outsider")
    assert got[0]["code"] == "AccessDenied"
    failed = records(s, tk.EMISSION_FAILED, "outsider")
    assert [r.t for r in failed] == [START]
    assert not records(s, tk.MESSAGE_SENT, "jobs")


# -- answers --------------------------------------------------------------------------------


def test_calls_answer_as_boto3_does(s: Session) -> None:
    got = invoke(
        s,
        ["notify", ["alerts", "hi"]],
        ["publish", ["bus", "app", "Thing", {"a": 1}]],
        ["put_object", ["files", "k.txt", "body"]],
        ["put_record", ["clicks", "c", "p"]],
        ["start_execution", ["flow", {"x": 1}, "run-1"]],
        ["invoke", ["outsider", {"calls": []}]],
        ["put_item", ["orders", {"pk": "p"}]],
    )
    assert got[0] == {"MessageId": records(s, "topic.published", "alerts")[0].data["message_id"]}
    event = records(s, "event.published", "bus")[0].data
    assert got[1] == {"FailedEntryCount": 0, "Entries": [{"EventId": event["event_id"]}]}
    obj = records(s, "object.created", "files")[0].data
    assert got[2] == {"ETag": f'"{obj["etag"]}"', "VersionId": obj["version_id"]}
    put = records(s, "stream.record_put", "clicks")[0].data
    assert got[3] == {"ShardId": put["shard"], "SequenceNumber": put["sequence_number"]}
    execution = records(s, "sfn.execution.started", "flow")[0].data
    # boto3 reads startDate as a datetime (here through json.dumps(default=str)).
    assert got[4] == {
        "executionArn": execution["execution_arn"],
        "startDate": "2026-01-05 08:00:00+00:00",
    }
    assert got[5] == {"StatusCode": 202}
    assert got[6] == {}


# -- after a sleep --------------------------------------------------------------------------


def test_a_write_after_a_sleep_happens_at_start_plus_the_time_slept(s: Session) -> None:
    got = invoke(s, ["sleep", 1500], ["send", ["jobs", "late"]])
    assert got == [None]  # the answer is not known when the handler returns
    sent = records(s, tk.MESSAGE_SENT, "jobs")
    assert [r.t for r in sent] == [START + 1500]
    # It happened while the invocation ran (it ends at start + 10 ms + 1500 ms).
    assert records(s, tk.INVOCATION_SUCCEEDED, "writer")[-1].t == START + 1510


def test_a_write_after_sleeping_past_the_timeout_never_happens(s: Session) -> None:
    got = invoke(
        s,
        ["send", ["jobs", "early"]],
        ["sleep", "1s"],
        ["send", ["jobs", "before the timeout"]],
        ["sleep", "4s"],
        ["send", ["jobs", "at the timeout"]],
    )
    assert got["error"] == "Sandbox.Timedout"  # 10 ms + 5 s is past the 5 s timeout
    execute(s, "advance 1m")
    sent = records(s, tk.MESSAGE_SENT, "jobs")
    # What the handler reached before the timeout stays made, even though it timed out.
    assert [r.t for r in sent] == [START, START + 1000]


def test_a_write_after_a_sleep_that_the_service_refuses_is_recorded_then(s: Session) -> None:
    got = invoke(s, ["sleep", 200], ["send", ["ordered", "no group"]])
    assert got == [None]  # the refusal comes after the handler returned: nothing raised
    failed = records(s, tk.EMISSION_FAILED, "writer")
    assert [r.t for r in failed] == [START + 200]
    assert "MissingParameter" in failed[0].data["error"]


def test_a_permission_refusal_after_a_sleep_raises_at_the_call(s: Session) -> None:
    got = invoke(s, ["sleep", 300], ["send", ["jobs", "x"]], fn="outsider")
    assert got[0]["code"] == "AccessDenied"
    assert [r.t for r in records(s, tk.EMISSION_FAILED, "outsider")] == [START + 300]


# -- failures and retries -------------------------------------------------------------------


def test_writes_made_before_a_failure_stay_made(s: Session) -> None:
    got = invoke(s, ["send", ["jobs", "x"]], ["put_item", ["orders", {"pk": "k"}]], fail=True)
    assert got["error"] == "RuntimeError"
    assert len(records(s, tk.MESSAGE_SENT, "jobs")) == 1
    assert s.sim.services["tables"]["orders"].items


def test_an_async_event_that_sends_then_fails_sends_once_per_attempt(tmp_path: Path) -> None:
    s = open_session(tmp_path, 'behaviors:\n  writer: {handler: "calls:send_then_fail"}\n')
    execute(s, """invoke writer '{"order": 7}' --async""")
    execute(s, "advance 10m")
    assert len(records(s, tk.INVOCATION_FAILED, "writer")) == 3  # Lambda retries twice
    sent = records(s, tk.MESSAGE_SENT, "jobs")
    assert len({r.data["message_id"] for r in sent}) == 3  # three messages, not one


def test_a_conditional_put_item_makes_the_retries_send_nothing(tmp_path: Path) -> None:
    s = open_session(tmp_path, 'behaviors:\n  writer: {handler: "calls:send_once_then_fail"}\n')
    execute(s, """invoke writer '{"order": 7}' --async""")
    execute(s, "advance 10m")
    assert len(records(s, tk.MESSAGE_SENT, "jobs")) == 1
    # The first attempt failed; the retry found the claim and succeeded without sending.
    assert len(records(s, tk.INVOCATION_FAILED, "writer")) == 1
    assert len(records(s, tk.INVOCATION_SUCCEEDED, "writer")) == 1


def test_a_handler_loop_through_its_own_queue_is_still_stopped_at_16(tmp_path: Path) -> None:
    s = open_session(tmp_path, 'behaviors:\n  looper: {handler: "calls:loop"}\n')
    execute(s, "send loopq 'go'")
    execute(s, "advance 10m")
    assert len(records(s, tk.INVOCATION_STARTED, "looper")) == 16
    # The 16th invocation's send is the 17th request of the chain: Lambda stops it (and
    # again at each receive of the message, which returns after its visibility timeout).
    stopped = records(s, "invocation.recursion_stopped", "looper")
    assert stopped and {r.data["chain"] for r in stopped} == {17}


def test_handlers_that_start_each_other_at_once_nest_and_are_answered(tmp_path: Path) -> None:
    # restarter -> StartExecution -> Task -> restarter ...: each call is made at once, so the
    # next handler runs inside it, and every call is answered, at the same instant, until
    # the account's concurrency (1,000) throttles the Task.
    s = open_session(tmp_path, 'behaviors:\n  restarter: {handler: "calls:restart"}\n')
    assert execute(s, "invoke restarter '{}'").data["response"] is True
    started = records(s, tk.INVOCATION_STARTED, "restarter")
    sent = records(s, tk.MESSAGE_SENT, "jobs")
    assert len(started) == len(sent) == 1000
    assert {r.t for r in sent} == {START}
    logs = [r.data["text"] for r in records(s, tk.HANDLER_LOG, "restarter")]
    assert logs == ["answered"] * 1000
    assert not records(s, tk.INVOCATION_FAILED, "restarter")
    (throttled,) = records(s, "sfn.task.failed", "again")
    assert throttled.data["error"] == "Lambda.TooManyRequestsException"


# -- other workloads ------------------------------------------------------------------------


def test_a_batch_jobs_handler_writes_at_the_call(s: Session) -> None:
    payload = json.dumps({"calls": [["send", ["jobs", "from batch"]], ["sleep", 1000]]})
    execute(s, f"start-job nightly '{payload}'")
    execute(s, "advance 1m")
    started = records(s, "batch.attempt.started", "nightly")[0]
    sent = records(s, tk.MESSAGE_SENT, "jobs")
    # At the attempt's start, not at its end a second later.
    assert [r.t for r in sent] == [started.t]
    assert records(s, "batch.succeeded", "nightly")[0].t >= started.t + 1000


def test_the_same_run_gives_the_same_trace(tmp_path: Path) -> None:
    def run(folder: Path) -> list[tuple[Any, ...]]:
        folder.mkdir()
        s = open_session(folder)
        invoke(s, ["send", ["jobs", "a"]], ["sleep", 100], ["notify", ["alerts", "b"]])
        invoke(s, ["send", ["ordered", "x"]], fail=True)
        execute(s, "advance 1m")
        return [
            (r.t, r.kind, r.resource, json.dumps(r.data, sort_keys=True))
            for r in s.sim.trace.records
        ]

    assert run(tmp_path / "one") == run(tmp_path / "two")


WORKER_STACK = """
resources:
  jobs:
    type: sqs-queue
    properties: {visibilityTimeoutSeconds: 30, redrivePolicy: {targetSqsQueueName: dead,
      maxReceiveCount: 2}}
  dead: {type: sqs-queue}
  done: {type: sqs-queue}
  worker:
    type: worker-service
    properties:
      packaging: {type: prebuilt-image, properties: {image: w}}
      resources: {cpu: 0.25, memory: 512}
      connectTo: [jobs, done]
"""


def test_a_queue_polling_workers_handler_writes_at_the_call_and_again_when_retried(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(WORKER_STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    poll: {queue: jobs}\n    handler: work:handle\n",
        encoding="utf-8",
    )
    (tmp_path / "work.py").write_text(
        "def handle(message, context):\n"
        "    context.send('done', message['body'])\n"
        "    context.sleep(200)\n"
        "    raise ValueError('cannot resize')\n",
        encoding="utf-8",
    )
    s = Session.open(tmp_path / "stacktape.yml", start_ms=START, allow_code=True)
    execute(s, "send jobs photo")
    execute(s, "advance 2m")
    failed = records(s, tk.CONTAINER_MESSAGE_FAILED, "worker")
    sent = records(s, tk.MESSAGE_SENT, "done")
    # Each of the two receives sends at the receive, not when the handler fails 300 ms later
    # (100 ms and its 200 ms sleep).
    assert len(failed) == 2 and len(sent) == 2
    for f, m in zip(failed, sent, strict=True):
        assert f.data["duration_ms"] == 300 and m.t == f.t - 300
        assert m.data["source"] == f"worker:{f.data['invocation_id']}"


CONTAINER_STACK = """
resources:
  gw: {type: http-api-gateway}
  jobs: {type: sqs-queue}
  web:
    type: multi-container-workload
    properties:
      resources: {cpu: 0.25, memory: 512}
      connectTo: [jobs]
      containers:
        - name: app
          packaging: {type: prebuilt-image, properties: {image: app}}
          events:
            - type: http-api-gateway
              properties: {httpApiGatewayName: gw, containerPort: 3000, path: '/{proxy+}',
                method: '*'}
"""


def test_a_containers_handler_that_fails_the_request_has_still_written(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(CONTAINER_STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  web:\n    handler: shop:order\n", encoding="utf-8"
    )
    (tmp_path / "shop.py").write_text(
        "def order(request, context):\n"
        "    sent = context.send('jobs', request['rawBody'])\n"
        "    context.log(sent['MessageId'])\n"
        "    raise RuntimeError('database down')\n",
        encoding="utf-8",
    )
    s = Session.open(tmp_path / "stacktape.yml", start_ms=START, allow_code=True)
    execute(s, "http POST /orders '{\"n\": 1}'")
    (failed,) = records(s, tk.CONTAINER_FAILED, "web")
    (sent,) = records(s, tk.MESSAGE_SENT, "jobs")
    assert failed.data["error"] == "RuntimeError"
    assert sent.t == START and sent.data["source"] == f"web:{failed.data['invocation_id']}"
    (log,) = records(s, tk.HANDLER_LOG, "web")
    assert log.data["text"] == sent.data["message_id"]
