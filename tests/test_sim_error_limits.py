"""Huge error messages and oversized asynchronous events (docs/fidelity.md, "Error
messages" and "Asynchronous invocation"): Lambda refuses an error response over its response
limit, the trace keeps a bounded part of a long message, and an event a service hands Lambda
asynchronously must fit the 1 MB Invoke limit, else the service's own failure path runs."""

from __future__ import annotations

import json
from pathlib import Path

from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.engine import Simulator
from tests.simkit import START, capture_inputs, make_sim, records

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}"
STACK = f"""
resources:
  failures: {{type: sqs-queue}}
  alerts: {{type: sns-topic}}
  worker:
    type: function
    properties:
      {PKG}
      destinations: {{onFailure: "$ResourceParam('{{target}}', 'arn')"}}
  sink:
    type: function
    properties:
      {PKG}
      events:
        - type: sns
          properties: {{snsTopicName: alerts}}
"""
HANDLERS = """
def boom(event, context):
    raise ValueError(event["char"] * event["size"])
"""
EVENT_MAX = 262_118
RESPONSE_MAX = 6_291_556


def _sim(tmp_path: Path, target: str) -> Simulator:
    (tmp_path / "error_limit_handlers.py").write_text(HANDLERS, encoding="utf-8")
    stack = load_stack_text(STACK.replace("{target}", target), "stacktape.yml")
    assert not stack.errors, [d.format() for d in stack.errors]
    behaviors, diags = Behaviors.from_text(
        "behaviors:\n  worker:\n    handler: error_limit_handlers:boom\n",
        "stptui.yml",
        stack,
        allow_code=True,
        base_dir=tmp_path,
    )
    assert diags == []
    return Simulator(stack, behaviors, start_ms=START)


def _trace_bytes(sim: Simulator) -> int:
    return sum(len(r.to_line()) for r in sim.trace.records)


def test_an_8_mb_error_fails_with_response_size_too_large(tmp_path: Path) -> None:
    sim = _sim(tmp_path, "failures")
    size = 8 * 1024 * 1024
    eid = sim.invoke_async("worker", {"char": "x", "size": size}, "invoke", "test")
    sim.run(60 * 60_000)
    failed = records(sim, tk.INVOCATION_FAILED, "worker")
    assert len(failed) == 3  # an error like any other: retried twice
    # The Python runtime's error response, as compact JSON, with the handler's frame, is
    # over the limit.
    frame = (
        '  File "/var/task/error_limit_handlers.py", line 3, in boom\n'
        '    raise ValueError(event["char"] * event["size"])\n'
    )
    response_size = len(
        json.dumps(
            {
                "errorMessage": "x" * size,
                "errorType": "ValueError",
                "requestId": eid,
                "stackTrace": [frame],
            },
            separators=(",", ":"),
        )
    )
    message = (
        f"Response payload size ({response_size} bytes) exceeded maximum allowed payload "
        f"size ({RESPONSE_MAX} bytes)."
    )
    assert {(r.get("error"), r.get("error_message")) for r in failed} == {
        ("Function.ResponseSizeTooLarge", message)
    }
    # The destination record is small and reaches the queue.
    body = json.loads(sim.queues["failures"].listing()[0].body)
    assert body["responsePayload"] == {
        "errorMessage": message,
        "errorType": "Function.ResponseSizeTooLarge",
    }
    assert body["requestContext"]["condition"] == "RetriesExhausted"
    assert _trace_bytes(sim) < 100_000


def test_an_error_just_under_the_limit_is_kept_whole_in_the_response(tmp_path: Path) -> None:
    sim = _sim(tmp_path, "sink")
    sim.invoke_async("worker", {"char": "x", "size": 6_000_000}, "invoke", "test")
    sim.run(60 * 60_000)
    failed = records(sim, tk.INVOCATION_FAILED, "worker")
    assert {r.get("error") for r in failed} == {"ValueError"}
    # The trace keeps one log event's worth of the message, and says how long it was.
    assert {len(r.get("error_message")) for r in failed} == {EVENT_MAX}
    assert {r.get("error_message_bytes") for r in failed} == {6_000_000}
    # The 6 MB record is over the 1 MB asynchronous Invoke limit of a function destination.
    (refused,) = records(sim, tk.EMISSION_FAILED, "worker")
    assert refused.get("emission") == "onFailure" and refused.get("target") == "sink"
    assert refused.get("error").startswith(
        "RequestEntityTooLargeException: Request must be smaller than 1048576 bytes"
    )
    assert not records(sim, tk.INVOCATION_STARTED, "sink")
    assert _trace_bytes(sim) < 3 * EVENT_MAX + 100_000


def test_a_cut_message_never_splits_a_character(tmp_path: Path) -> None:
    sim = _sim(tmp_path, "failures")
    sim.invoke_async("worker", {"char": "\u00e9", "size": 200_000}, "invoke", "test")
    sim.run(60_000)
    first = records(sim, tk.INVOCATION_FAILED, "worker")[0]
    assert first.get("error_message") == "\u00e9" * (EVENT_MAX // 2)
    assert first.get("error_message_bytes") == 400_000


def test_a_short_message_has_no_size_field(tmp_path: Path) -> None:
    sim = _sim(tmp_path, "failures")
    sim.invoke_async("worker", {"char": "x", "size": EVENT_MAX}, "invoke", "test")
    sim.run(60_000)
    first = records(sim, tk.INVOCATION_FAILED, "worker")[0]
    assert first.get("error_message") == "x" * EVENT_MAX
    assert "error_message_bytes" not in first.data


def test_an_sns_destination_gets_the_record_without_its_payloads(tmp_path: Path) -> None:
    # Lambda API reference, OnFailure: a record over SNS's 256 KB limit, "Lambda will drop
    # the payload when sending OnFailure event to the destination".
    sim = _sim(tmp_path, "alerts")
    seen = capture_inputs(sim, lambda inp: (inp.function, inp.event()))
    eid = sim.invoke_async("worker", {"char": "x", "size": 300_000}, "invoke", "test")
    sim.run(60 * 60_000)
    (delivered,) = records(sim, tk.DESTINATION_DELIVERED, "worker")
    assert delivered.get("target") == "alerts"
    (event,) = [e for f, e in seen if f == "sink"]
    record = json.loads(event["Records"][0]["Sns"]["Message"])
    assert list(record) == ["version", "timestamp", "requestContext", "responseContext"]
    assert record["requestContext"]["requestId"] == eid
    assert record["responseContext"]["functionError"] == "Unhandled"


def test_a_small_sns_destination_record_keeps_its_payloads(tmp_path: Path) -> None:
    sim = _sim(tmp_path, "alerts")
    seen = capture_inputs(sim, lambda inp: (inp.function, inp.event()))
    sim.invoke_async("worker", {"char": "x", "size": 10}, "invoke", "test")
    sim.run(60 * 60_000)
    (event,) = [e for f, e in seen if f == "sink"]
    record = json.loads(event["Records"][0]["Sns"]["Message"])
    assert record["requestPayload"] == {"char": "x", "size": 10}
    assert record["responsePayload"]["errorMessage"] == "x" * 10


# -- events services hand Lambda asynchronously (1 MB Invoke limit) ---------------------------

ASYNC_MAX = 1024 * 1024
SERVICES = f"""
resources:
  dlq: {{type: sqs-queue}}
  bus: {{type: event-bus}}
  alerts: {{type: sns-topic}}
  onBus:
    type: function
    properties:
      {PKG}
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern: {{source: [app]}}
            onDeliveryFailure: {{sqsQueueName: dlq}}
  onTopic:
    type: function
    properties:
      {PKG}
      events:
        - type: sns
          properties:
            snsTopicName: alerts
            onDeliveryFailure: {{sqsQueueName: dlq}}
"""


def test_an_eventbridge_event_over_1_mb_goes_to_the_rule_dlq_without_retries() -> None:
    sim = make_sim(SERVICES)
    # PutEvents counts Source, DetailType and Detail: this entry is exactly 1,048,576 bytes,
    # and the event EventBridge builds around it (id, time, account...) is larger.
    pad = "x" * (ASYNC_MAX - len("app") - len("T") - len('{"pad":""}'))
    eid = sim.services["buses"].publish("bus", "app", "T", {"pad": pad})
    sim.run(60_000)
    assert not records(sim, tk.INVOCATION_STARTED, "onBus")
    (failed,) = records(sim, tk.EVENT_DELIVERY_FAILED, "bus")
    assert failed.get("event_id") == eid and failed.get("target") == "onBus"
    assert failed.get("error_code") == "INVALID_PARAMETER"
    assert failed.get("error").startswith(
        "RequestEntityTooLargeException: Request must be smaller than 1048576 bytes"
    )
    # The DLQ gets the event itself, which is over SQS's 1 MiB too: it is dropped, traced.
    assert failed.get("dlq") == "dlq" and "1,048,576" in failed.get("dlq_error")
    assert sim.queues["dlq"].depth == 0


def test_a_refused_eventbridge_event_that_fits_the_dlq_is_kept_there() -> None:
    # The rule's template doubles a field, so what Lambda gets is over its 1 MB while the
    # event the DLQ gets fits SQS (a constant `input` cannot be that large: PutTargets takes
    # at most 8,192 characters).
    sim = make_sim(
        SERVICES.replace(
            "onDeliveryFailure: {sqsQueueName: dlq}\n  onTopic",
            "onDeliveryFailure: {sqsQueueName: dlq}\n"
            "            inputTransformer:\n"
            "              inputPathsMap: {p: $.detail.pad}\n"
            '              inputTemplate: \'{"a": <p>, "b": <p>}\'\n'
            "  onTopic",
        )
    )
    eid = sim.services["buses"].publish("bus", "app", "T", {"pad": "x" * 600_000})
    sim.run(60_000)
    assert not records(sim, tk.INVOCATION_STARTED, "onBus")
    (dead,) = sim.queues["dlq"].listing()
    assert json.loads(dead.body)["id"] == eid
    assert dead.attrs["ERROR_CODE"] == "INVALID_PARAMETER"
    assert dead.attrs["RETRY_ATTEMPTS"] == "0"


def test_an_eventbridge_event_under_1_mb_is_invoked() -> None:
    sim = make_sim(SERVICES)
    sim.services["buses"].publish("bus", "app", "T", {"pad": "x" * (ASYNC_MAX - 1000)})
    sim.run(60_000)
    assert len(records(sim, tk.INVOCATION_STARTED, "onBus")) == 1
    assert not records(sim, tk.EVENT_DELIVERY_FAILED)


def test_an_sns_event_over_1_mb_goes_to_the_subscription_dlq() -> None:
    sim = make_sim(SERVICES)
    # 200,000 control characters: within SNS's 256 KB, but JSON writes each as `\\u0001`.
    mid = sim.services["topics"].publish("alerts", "\x01" * 200_000)
    sim.run(60_000)
    assert not records(sim, tk.INVOCATION_STARTED, "onTopic")
    (failed,) = records(sim, tk.NOTIFICATION_DELIVERY_FAILED, "alerts")
    assert failed.get("message_id") == mid and failed.get("target") == "onTopic"
    assert "RequestEntityTooLargeException" in failed.get("error")
    # The subscription DLQ gets the notification, as large: SQS refuses it too.
    assert failed.get("dlq") == "dlq" and failed.get("dlq_error")


def test_an_sns_event_under_1_mb_is_invoked() -> None:
    sim = make_sim(SERVICES)
    sim.services["topics"].publish("alerts", "x" * 200_000)
    sim.run(60_000)
    assert len(records(sim, tk.INVOCATION_STARTED, "onTopic")) == 1


def test_a_batch_jobs_long_error_message_is_cut_in_the_trace(tmp_path: Path) -> None:
    # A batch job has no response limit: its message is only cut for the trace.
    (tmp_path / "error_limit_job_handlers.py").write_text(HANDLERS, encoding="utf-8")
    stack = load_stack_text(
        "resources:\n  job:\n    type: batch-job\n    properties:\n"
        "      container: {packaging: {type: prebuilt-image, properties: {image: x}}}\n"
        "      resources: {cpu: 1, memory: 1024}\n",
        "stacktape.yml",
    )
    behaviors, diags = Behaviors.from_text(
        "behaviors:\n  job:\n    handler: error_limit_job_handlers:boom\n",
        "stptui.yml",
        stack,
        allow_code=True,
        base_dir=tmp_path,
    )
    assert diags == []
    sim = Simulator(stack, behaviors, start_ms=START)
    sim.services["batch"].start("job", {"char": "x", "size": 7_000_000}, "invoke", "test")
    sim.run(60 * 60_000)
    (failed,) = records(sim, tk.BATCH_ATTEMPT_FAILED, "job")
    assert failed.get("error") == "ValueError"
    assert failed.get("error_message") == "x" * EVENT_MAX
    assert failed.get("error_message_bytes") == 7_000_000
