"""SNS Publish with `MessageStructure=json`: "a different message for each protocol". The
Message must "be a syntactically valid JSON object" with "a top-level JSON key of "default"
with a value that is a string"; "keys in the JSON object that correspond to supported
transport protocols must have simple JSON string values", and "non-string values will
cause the key to be ignored" (SNS API Reference, Publish). Every subscriber the simulator
delivers to is a `lambda` subscription (a function's `sns` event, and a batch job's, through
its trigger function); a subscription's dead-letter queue gets what failed to be delivered.
Refusals are SNS's InvalidParameter, in its words (docs/fidelity.md, SNS)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.engine import Simulator
from stptui.sim.invocation_events import event_of
from tests.simkit import handler_session, make_sim, records

STACK = """\
resources:
  alerts: {type: sns-topic}
  dlq: {type: sqs-queue}
  rec:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/h.py}}
      events:
        - type: sns
          properties:
            snsTopicName: alerts
            onDeliveryFailure: {sqsQueueName: dlq}
  pub:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/h.py}}
      connectTo: [alerts]
  nightly:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: src/h.py}}
      resources: {cpu: 1, memory: 1024}
      events:
        - type: sns
          properties: {snsTopicName: alerts}
"""

HANDLERS = """\
import json
import os

import boto3
from botocore.exceptions import ClientError

sns = boto3.client("sns")


def receive(event, context):
    print("GOT " + event["Records"][0]["Sns"]["Message"])


def job(event, context):
    data = json.loads(os.environ["STP_TRIGGER_EVENT_DATA"])
    print("GOT " + data["Records"][0]["Sns"]["Message"])


def publish(event, context):
    call = {"TopicArn": os.environ["STP_ALERTS_ARN"], "Message": event["message"]}
    if "structure" in event:
        call["MessageStructure"] = event["structure"]
    try:
        if event.get("batch"):
            entries = [{"Id": "a", **{k: v for k, v in call.items() if k != "TopicArn"}}]
            sns.publish_batch(TopicArn=call["TopicArn"], PublishBatchRequestEntries=entries)
        else:
            sns.publish(**call)
    except ClientError as exc:
        return {"code": exc.response["Error"]["Code"], "message": exc.response["Error"]["Message"]}
    return {"code": None}
"""


def _session(tmp_path: Path) -> Session:
    return handler_session(
        tmp_path,
        STACK,
        {"rec": "src.h:receive", "pub": "src.h:publish", "nightly": "src.h:job"},
        {"src/h.py": HANDLERS},
    )


def _publish(s: Session, message: str, **more: Any) -> dict[str, Any]:
    payload = json.dumps({"message": message, **more}).replace("'", "'\\''")
    result = execute(s, f"invoke pub '{payload}'")
    execute(s, "run")
    return result.data["response"]


def _got(s: Session) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in records(s.sim, tk.HANDLER_LOG):
        if r.data["text"].startswith("GOT "):
            out.setdefault(r.resource, []).append(r.data["text"][len("GOT ") :])
    return out


@pytest.mark.parametrize("batch", [False, True])
def test_each_lambda_subscriber_gets_the_lambda_key_or_the_default(
    tmp_path: Path, batch: bool
) -> None:
    s = _session(tmp_path)
    both = {"default": "for anyone", "lambda": "for a function", "sqs": "for a queue"}
    assert _publish(s, json.dumps(both), structure="json", batch=batch) == {"code": None}
    # The function and the batch job (its trigger function is a Lambda subscriber too).
    assert _got(s) == {"rec": ["for a function"], "nightly": ["for a function"]}
    s = _session(tmp_path)
    # No `lambda` key, or one that is no string (ignored): the default.
    _publish(s, json.dumps({"default": "d", "sqs": "q"}), structure="json", batch=batch)
    _publish(s, json.dumps({"default": "d2", "lambda": {"no": "string"}}), structure="json")
    assert _got(s) == {"rec": ["d", "d2"], "nightly": ["d", "d2"]}


def test_without_message_structure_the_json_is_the_message(tmp_path: Path) -> None:
    s = _session(tmp_path)
    text = json.dumps({"default": "d", "lambda": "l"})
    _publish(s, text)
    assert _got(s) == {"rec": [text], "nightly": [text]}


# SNS's answers (InvalidParameter) to a MessageStructure=json Message it cannot use.
NO_DEFAULT = "Invalid parameter: Message Structure - No default entry in JSON message body"
NOT_PARSED = "Invalid parameter: Message Structure - JSON message body failed to parse"


@pytest.mark.parametrize(
    ("message", "structure", "error"),
    [
        ('{"lambda": "only a function"}', "json", NO_DEFAULT),
        ('{"default": {"object": 1}}', "json", NO_DEFAULT),
        ('{"default": null, "lambda": "l"}', "json", NO_DEFAULT),
        ('{"default": "x"} }', "json", NOT_PARSED),
        ("not json", "json", NOT_PARSED),
        ('["default"]', "json", NOT_PARSED),
        ('"default"', "json", NOT_PARSED),
        ("null", "json", NOT_PARSED),
        ('{"default": "x"}', "xml", "Invalid parameter: MessageStructure"),
        ('{"default": "x"}', "JSON", "Invalid parameter: MessageStructure"),
    ],
)
@pytest.mark.parametrize("batch", [False, True])
def test_a_message_sns_cannot_read_is_refused_and_nothing_is_published(
    tmp_path: Path, message: str, structure: str, error: str, batch: bool
) -> None:
    s = _session(tmp_path)
    answer = _publish(s, message, structure=structure, batch=batch)
    assert answer == {"code": "InvalidParameter", "message": error}
    assert records(s.sim, tk.TOPIC_PUBLISHED) == []


def test_the_dead_letter_queue_gets_the_message_that_failed_to_be_delivered() -> None:
    sim = make_sim(STACK)
    del sim.functions["rec"]  # the endpoint is gone: the delivery fails at once
    text = json.dumps({"default": "d", "lambda": "for a function"})
    sim.services["topics"].publish("alerts", text, structure="json")
    (msg,) = sim.queues["dlq"].listing()
    assert json.loads(msg.body)["Message"] == "for a function"


def test_publish_sns_takes_message_structure_json(tmp_path: Path) -> None:
    s = _session(tmp_path)
    text = json.dumps({"default": "d", "lambda": "l"}).replace("'", "'\\''")
    execute(s, f"publish-sns alerts '{text}' --message-structure json")
    execute(s, "run")
    assert _got(s) == {"rec": ["l"], "nightly": ["l"]}
    before = s.sim.trace.seq
    with pytest.raises(CommandError) as err:
        execute(s, 'publish-sns alerts \'{"lambda": "l"}\' --message-structure json')
    assert 'no "default" key' in str(err.value)
    assert err.value.hint is not None and '"default"' in err.value.hint
    with pytest.raises(CommandError) as err:
        execute(s, "publish-sns alerts 'plain text' --message-structure json")
    assert "is not a JSON object" in str(err.value)
    with pytest.raises(CommandError):
        execute(s, 'publish-sns alerts \'{"default": "d"}\' --message-structure xml')
    assert s.sim.trace.seq == before


# -- a declared behaviour's `notify` -------------------------------------------------------

# `pub` publishes what its input says: a constant message per protocol, or the input's own.
DECLARED = """\
behaviors:
  pub:
    emit:
      - notify:
          topic: alerts
          message: {default: for anyone, lambda: for a function}
          structure: "'json'"
          when: "kind == 'constant'"
      - notify: {topic: alerts, message: text, structure: structure, when: "kind == 'input'"}
"""


def _received(sim: Simulator) -> list[str]:
    """The SNS message each invocation of `rec` received, in order."""
    return [
        event_of(sim, entry)["Records"][0]["Sns"]["Message"]
        for entry in sim.invocation_events
        if entry[1] == "rec"
    ]


def _invoke(sim: Simulator, payload: dict[str, Any]) -> None:
    sim.invoke_async("pub", payload, "invoke", "test")
    sim.advance(1000)


def test_a_declared_notify_s_structure_gives_each_subscriber_its_protocol_s_message() -> None:
    sim = make_sim(STACK, DECLARED)
    _invoke(sim, {"kind": "constant"})
    text = json.dumps({"default": "d", "sqs": "q"})
    _invoke(sim, {"kind": "input", "text": text, "structure": "json"})
    # An expression that gives null is no structure: the message goes as it is.
    _invoke(sim, {"kind": "input", "text": text})
    assert _received(sim) == ["for a function", "d", text]
    assert records(sim, tk.EMISSION_FAILED) == []


def test_a_structure_the_input_gives_that_sns_refuses_fails_the_emission() -> None:
    sim = make_sim(STACK, DECLARED)
    _invoke(sim, {"kind": "input", "text": '{"lambda": "l"}', "structure": "json"})
    _invoke(sim, {"kind": "input", "text": '{"default": "d"}', "structure": "xml"})
    errors = [r.data["error"] for r in records(sim, tk.EMISSION_FAILED)]
    assert len(errors) == 2
    assert 'no "default" key' in errors[0] and "must be json, not 'xml'" in errors[1]
    assert records(sim, tk.TOPIC_PUBLISHED) == []


def _diagnostics(fields: str) -> list[tuple[int, int, str]]:
    text = f"behaviors:\n  pub:\n    emit:\n      - notify: {{topic: alerts, {fields}}}\n"
    _, found = Behaviors.from_text(text, "stptui.yml", load_stack_text(STACK, "stacktape.yml"))
    assert all(d.code == "behavior-bad-value" for d in found)
    return [(d.line, d.column, d.message) for d in found]


@pytest.mark.parametrize(
    ("fields", "column", "message"),
    [
        # Known when the file loads, as SNS would refuse it at every publish.
        ("message: '@', structure: \"'xml'\"", 58, "MessageStructure must be json, not 'xml'"),
        ("message: '@', structure: 3", 58, "structure: must be a string"),
        ("message: {lambda: l}, structure: \"'json'\"", 42, 'no "default" key'),
        ("message: \"'plain'\", structure: \"'json'\"", 42, "is not a JSON object"),
        # A bare `json` is the input's field `json`, not the constant.
        ("message: '@', structure: json", 58, "`json` is a JMESPath expression"),
    ],
)
def test_a_structure_or_message_sns_refuses_is_an_error_at_its_place(
    fields: str, column: int, message: str
) -> None:
    ((line, col, text),) = _diagnostics(fields)
    assert (line, col) == (4, column) and message in text, text


def test_a_structure_that_may_fit_is_checked_when_it_runs() -> None:
    for fields in (
        "message: '@', structure: \"'json'\"",
        "message: {default: d}, structure: kind",
        "message: {default: d, lambda: l}, structure: \"'json'\"",
    ):
        assert _diagnostics(fields) == []
