"""Behaviour errors that only show when an input arrives say what a load-time diagnostic
says: where the expression is written (file:line:col and key), what it found in JSON's
words, and the fix. A whole message that finds nothing is a request without it, refused by
the service (an `emission.failed`), never the text "null"."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stptui.sim import trace as tk
from stptui.sim.behavior import InvocationInput, parse_override
from stptui.sim.behavior.errors import json_kind
from tests.simkit import make_sim, records
from tests.test_behaviors_hostile import EMIT, T0, invoke, load, ok, sqs

STACK = """
serviceName: rt
resources:
  jobs: {type: sqs-queue}
  alerts: {type: sns-topic}
  files: {type: bucket}
  clicks: {type: kinesis-stream}
  producer:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/p.ts}}
      connectTo: [jobs, alerts, files, clicks]
"""


def emitted(item: str, event: Any) -> Any:
    """A simulator whose `producer` emits `item`, after one asynchronous invocation."""
    sim = make_sim(STACK, f"behaviors:\n  producer:\n    emit:\n      - {item}\n")
    sim.invoke_async("producer", event, "invoke", "test")
    sim.advance(1_000)
    return sim


# ---------------------------------------------------------------------------------------------
# Conditions: a function given the wrong type


@pytest.mark.parametrize(
    ("behaviour", "position"),
    [
        ("    fail:\n      when: 'abs(body.n) > `1`'\n", "stptui.yml:4:13: worker.fail.when"),
        ("    timeout:\n      when: 'abs(body.n) > `1`'\n", "stptui.yml:4:13: worker.timeout.when"),
        (
            "    fail:\n      - rate: 0\n      - when: 'abs(body.n) > `1`'\n",
            "stptui.yml:5:15: worker.fail[1].when",
        ),
        (
            "    reportBatchItemFailures: true\n    partial:\n      when: 'abs(body.n) > `1`'\n",
            "stptui.yml:5:13: worker.partial.when",
        ),
        (
            "    emit:\n      - send: {queue: jobs, body: body, when: 'abs(body.n) > `1`'}\n",
            "stptui.yml:4:47: worker.emit[0].send.when",
        ),
    ],
)
def test_a_condition_that_fails_says_where_what_it_found_and_the_fix(
    behaviour: str, position: str
) -> None:
    behaviors = ok("behaviors:\n  worker:\n" + behaviour)
    out = sqs(behaviors, [{"n": "5"}])
    assert (out.status, out.error_type) == ("error", "BehaviorError")
    assert out.error_message == (
        f"{position} `abs(body.n) > `1``: abs() takes a number, but `body.n` found a string "
        '("5"); fix: convert the text: to_number(body.n)'
    )


def test_a_function_given_null_names_the_argument_and_offers_a_default() -> None:
    behaviors = ok(
        "behaviors:\n  worker:\n    fail:\n      when: \"starts_with('x', body.kind)\"\n"
    )
    out = sqs(behaviors, [{"other": 1}])
    assert out.error_message == (
        "stptui.yml:4:13: worker.fail.when `starts_with('x', body.kind)`: starts_with() takes "
        "a string, but `body.kind` found null; fix: the input has no value at body.kind: check "
        "the path against the input (docs/behaviors.md, JMESPath input), or give a default: "
        "not_null(body.kind, `0`)"
    )


@pytest.mark.parametrize(
    ("expression", "found"),
    [
        (
            "length(body)",
            "length() takes a string, an array or an object, but `body` found a number (5)",
        ),
        ("sum(body.xs)", 'sum() takes an array of numbers, but `body.xs` holds a string ("1")'),
        ("keys(body.o)", "keys() takes an object, but `body.o` found an array of 2 values"),
    ],
)
def test_the_found_value_is_said_in_json_terms(expression: str, found: str) -> None:
    behaviors = ok(f"behaviors:\n  worker:\n    fail:\n      when: '{expression}'\n")
    body: Any = 5 if expression == "length(body)" else {"xs": [2, "1"], "o": [1, 2]}
    message = sqs(behaviors, [body]).error_message or ""
    assert found in message
    assert "None" not in message and "<class" not in message


def test_an_override_condition_that_fails_names_the_command() -> None:
    """`fail F when EXPR` is typed, not written in the file: its message names the command."""
    behaviors = ok("behaviors:\n  worker: {}\n")
    override = parse_override(["fail", "worker", "when", "abs(body.n)"])
    batch = [{"messageId": "m0", "body": "{}", "attributes": {}, "messageAttributes": {}}]
    inp = InvocationInput(
        "worker", 1, 1, "sqs", T0, 20_000, lambda: {"Records": batch}, lambda: batch, "r"
    )
    out = behaviors.decide(inp, random.Random(0), [override])
    assert (out.error_message or "").startswith(
        "override `fail worker when abs(body.n)`: abs() takes a number, but `body.n` found null"
    )


# ---------------------------------------------------------------------------------------------
# Emission fields of the wrong type


def test_a_field_of_the_wrong_type_names_its_expression_position_and_fix() -> None:
    behaviors = ok(EMIT + "send: {queue: jobs, body: '@', delay: d}\n")
    out = invoke(behaviors, {"d": "5"})
    assert out.error_message == (
        "stptui.yml:4:47: plain.emit[0].send.delay: must be whole seconds, but `d` found a "
        'string ("5"); fix: convert the text: delay: "to_number(d)"'
    )


def test_an_object_where_text_goes_is_named_with_its_keys() -> None:
    behaviors = ok(EMIT + "send: {queue: jobs, body: '@', group: g}\n")
    out = invoke(behaviors, {"g": {"id": 1, "kind": "a"}})
    assert out.error_message == (
        "stptui.yml:4:47: plain.emit[0].send.group: must be a string, but `g` found an object "
        "with keys id, kind"
    )


def test_an_attribute_of_the_wrong_type_names_the_attribute() -> None:
    behaviors = ok(EMIT + "notify: {topic: topic, message: '@', attributes: a}\n")
    out = invoke(behaviors, {"a": {"kind": [[1]]}})
    assert out.error_message == (
        "stptui.yml:4:58: plain.emit[0].notify.attributes.kind: must be a string, a number or "
        "an array of them, but `a` found an object whose 'kind' is an array of 1 value"
    )


def test_a_path_into_text_says_jmespath_reads_no_field_of_a_string() -> None:
    behaviors = ok(EMIT + "put: {bucket: uploads, key: body.id, content: '@'}\n")
    out = invoke(behaviors, {"body": '{"id": "a"}'})
    assert "`body.id` found null" in (out.error_message or "")
    assert "`body` is a string in this input" in (out.error_message or "")


def test_a_response_that_fails_says_where_it_is_written() -> None:
    behaviors = ok("behaviors:\n  plain:\n    response: 'length(n)'\n")
    out = invoke(behaviors, {"n": 3})
    assert out.error_message == (
        "stptui.yml:3:15: plain.response `length(n)`: length() takes a string, an array or an "
        "object, but `n` found a number (3); fix: give length() a string, an array or an object"
    )


# ---------------------------------------------------------------------------------------------
# A whole message that finds nothing is a request without it


@pytest.mark.parametrize(
    ("item", "error"),
    [
        (
            "send: {queue: jobs, body: order.id}",
            "MissingParameter: The request must contain the parameter MessageBody. "
            "(stptui.yml:4:35: producer.emit[0].send.body: `order.id` found null, so the "
            "request has no MessageBody; fix: check the path against the input (docs/"
            'behaviors.md, JMESPath input), or add when: "order.id" to the item to skip inputs '
            "without it)",
        ),
        (
            "notify: {topic: alerts, message: order.id}",
            "InvalidParameter: Empty message (stptui.yml:4:42: producer.emit[0].notify.message: "
            "`order.id` found null, so the request has no Message; fix: check the path",
        ),
        (
            "putRecord: {stream: clicks, data: order.id}",
            "ValidationException: 1 validation error detected: Value null at 'data' failed to "
            "satisfy constraint: Member must not be null (stptui.yml:4:43: "
            "producer.emit[0].putRecord.data: `order.id` found null, so the request has no Data",
        ),
    ],
)
def test_a_whole_message_that_finds_null_is_refused_by_the_service(item: str, error: str) -> None:
    sim = emitted(item, {"order": {}})
    (failed,) = records(sim, tk.EMISSION_FAILED, "producer")
    assert failed.get("error").startswith(error)
    # Nothing was sent as the text "null", and the invocation itself succeeded.
    assert not records(sim, tk.MESSAGE_SENT)
    assert not records(sim, tk.TOPIC_PUBLISHED)
    assert not records(sim, tk.STREAM_RECORD_PUT)
    assert len(records(sim, tk.INVOCATION_SUCCEEDED, "producer")) == 1


def test_a_body_that_holds_a_value_is_still_sent() -> None:
    sim = emitted("send: {queue: jobs, body: order.id}", {"order": {"id": 7}})
    assert not records(sim, tk.EMISSION_FAILED)
    assert [m.body for m in sim.queues["jobs"].messages.values()] == ["7"]


def test_a_put_whose_content_finds_null_writes_an_empty_object() -> None:
    sim = emitted("put: {bucket: files, key: \"'a.json'\", content: order.id}", {"order": {}})
    assert not records(sim, tk.EMISSION_FAILED)
    assert sim.services["buckets"].bucket("files").objects["a.json"].size == 0


@pytest.mark.parametrize(
    ("item", "column", "parameter"),
    [
        (
            "send: {queue: jobs, body: null}",
            35,
            "SQS SendMessage refuses a request without its MessageBody",
        ),
        ("send: {queue: jobs, body: '`null`'}", 35, "MessageBody"),
        ("notify: {topic: topic, message: ~}", 41, "SNS Publish"),
    ],
)
def test_a_constant_null_message_is_an_error_when_the_file_loads(
    item: str, column: int, parameter: str
) -> None:
    _, diags = load(EMIT + item + "\n")
    (d,) = diags
    assert (d.code, d.severity, d.line, d.column) == ("behavior-bad-value", "error", 4, column)
    assert parameter in d.message


# ---------------------------------------------------------------------------------------------
# What was found, in JSON's words

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)


@given(JSON)
def test_json_kind_names_every_json_value_in_json_terms(value: Any) -> None:
    text = json_kind(value)
    if value is None or isinstance(value, bool):
        assert text == json.dumps(value)
    else:
        starts = {int: "a number", float: "a number", str: "a string", list: "an", dict: "an"}
        assert text.startswith(starts[type(value)])
    if not isinstance(value, (str, dict)):
        # Python's words never show: no None, True, False or repr of a container.
        assert not any(word in text for word in ("None", "True", "False", "[", "{"))
