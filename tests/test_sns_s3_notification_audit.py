"""The SNS and S3 notification behaviours users coming from LocalStack and serverless-offline
test first (their bug trackers' themes: message size, exists on a missing attribute, retries
of a failing subscriber, Binary attributes, delete markers, key encoding), each against
AWS's documented or AWS-recorded behaviour. docs/fidelity.md lists them with their sources."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior.errors import BehaviorError
from stptui.sim.behavior.fields import normalise
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.state_machine import lookup_machine
from tests.simkit import START, capture_inputs, make_sim, records

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"

STACK = f"""
resources:
  alerts:
    type: sns-topic
  dlq:
    type: sqs-queue
  failures:
    type: sqs-queue
  pager:
    type: function
    properties:
      {PACKAGING}
      destinations:
        onFailure: $ResourceParam('failures', 'arn')
      events:
        - type: sns
          properties:
            snsTopicName: alerts
            onDeliveryFailure: {{sqsQueueName: dlq}}
"""

SIZE = 256 * 1024


def sizes(message: int, name: str = "", value: str = "") -> dict:
    """Publish arguments whose message and attribute add up as SNS counts them."""
    out: dict = {"message": "x" * message}
    if name:
        out["attributes"] = {name: value}
    return out


# -- Publish: the 256 KiB limit, message and attributes together -------------------------------


def test_a_message_of_exactly_256_kib_with_its_attributes_is_published() -> None:
    sim = make_sim(STACK)
    # The attribute counts its name, its data type ("String") and its value.
    args = sizes(SIZE - len("k") - len("String") - len("v"), "k", "v")
    sim.services["topics"].publish("alerts", args.pop("message"), **args)
    assert len(records(sim, tk.TOPIC_PUBLISHED)) == 1


@pytest.mark.parametrize(
    "args",
    [
        sizes(SIZE + 1),
        # One byte over through the attribute: 1 (name) + 6 ("String") + 2 (value).
        sizes(SIZE - 8, "k", "vv"),
        # A Number attribute's value counts as its text ("Number" is as long as "String").
        {"message": "x" * (SIZE - 8), "attributes": {"k": 12}},
    ],
)
def test_a_message_over_256_kib_is_refused_in_snss_words(args: dict) -> None:
    size = SIZE + 1
    sim = make_sim(STACK)
    with pytest.raises(SimError) as err:
        sim.services["topics"].publish("alerts", args.pop("message"), **args)
    # AWS's code and message (LocalStack's AWS-validated test_publish_too_long_message).
    assert str(err.value) == (
        "InvalidParameter: Invalid parameter: Message too long. (The message and its "
        f"attributes are {size:,} bytes; SNS takes at most 262,144.)"
    )
    assert err.value.hint == "put the data in S3 and publish its key"
    assert sim.trace.seq == 0


# -- The Lambda record's signature fields ------------------------------------------------------


def test_the_signature_fields_have_the_form_of_captured_events() -> None:
    # Events captured from Lambda carry a 344-character base64 signature (2048-bit RSA) and
    # a certificate named SimpleNotificationService-<32 hex digits>.pem (serverless
    # event-mocks' sns-template.json, and others); stptui's cannot be verified.
    sim = make_sim(STACK)
    seen = sns_events(sim)
    sim.services["topics"].publish("alerts", "m")
    sim.run(1000)
    [(_, sns)] = seen
    assert sns["SignatureVersion"] == "1"
    assert len(sns["Signature"]) == 344 and len(base64.b64decode(sns["Signature"])) == 256
    assert re.fullmatch(
        r"https://sns\.us-east-1\.amazonaws\.com/SimpleNotificationService-[0-9a-f]{32}\.pem",
        sns["SigningCertUrl"],
    ), sns["SigningCertUrl"]
    assert sns["MessageAttributes"] == {}  # none published: an empty object, not absent


# -- A failing subscriber: Lambda's retries, not SNS's dead-letter queue ----------------------


def test_a_failing_function_is_retried_by_lambda_and_never_reaches_the_subscription_dlq() -> None:
    # SNS invokes Lambda asynchronously: a function error is Lambda's to retry (twice, about
    # a minute then two minutes later) and then the function's onFailure destination; SNS
    # delivered the event, so its subscription dead-letter queue gets nothing. Only a
    # delivery SNS cannot make (the endpoint gone) goes there.
    sim = make_sim(STACK, "behaviors:\n  pager:\n    fail: true\n")
    sim.services["topics"].publish("alerts", "disk full")
    sim.run(10 * 60_000)
    starts = [(r.t - START) for r in records(sim, tk.INVOCATION_STARTED)]
    assert starts == [0, 60_100, 180_200]
    (discarded,) = records(sim, tk.INVOCATION_DISCARDED)
    assert discarded.get("condition") == "RetriesExhausted"
    assert discarded.get("attempts") == 3
    (failure,) = sim.queues["failures"].listing()
    record = json.loads(failure.body)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"]["Records"][0]["Sns"]["Message"] == "disk full"
    assert sim.queues["dlq"].listing() == []
    assert records(sim, tk.NOTIFICATION_DELIVERY_FAILED) == []


# -- Binary message attributes ------------------------------------------------------------------

BLOB = b"\x00\x01\xfe\xff"
BLOB_B64 = base64.b64encode(BLOB).decode()

BINARY_STACK = (
    STACK
    + f"""
  exists:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: sns
          properties: {{snsTopicName: alerts, filterPolicy: {{blob: [{{exists: true}}]}}}}
  absent:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: sns
          properties: {{snsTopicName: alerts, filterPolicy: {{blob: [{{exists: false}}]}}}}
"""
)


def sns_events(sim: Simulator) -> list[tuple[str, dict]]:
    """(function, the `Sns` object of its event) for every SNS invocation from now on."""
    return capture_inputs(
        sim,
        lambda inp: (
            inp.function,
            inp.event()["Records"][0]["Sns"] if inp.trigger == "sns" else {},
        ),
    )


def test_a_binary_attribute_reaches_lambda_as_base64_and_filter_policies_do_not_see_it() -> None:
    sim = make_sim(BINARY_STACK)
    seen = sns_events(sim)
    sim.services["topics"].publish("alerts", "m", attributes={"blob": BLOB, "kind": "x"})
    sim.run(1000)
    got = dict(seen)
    # The SAM CLI's SNS sample: {"Type": "Binary", "Value": ...}, the bytes in base64.
    assert got["pager"]["MessageAttributes"] == {
        "blob": {"Type": "Binary", "Value": BLOB_B64},
        "kind": {"Type": "String", "Value": "x"},
    }
    # "Amazon SNS compares policy attributes only to message attributes that have the
    # following data types: String, String.Array, Number": to a policy, it is not there.
    assert set(got) == {"pager", "absent"}
    (filtered,) = records(sim, tk.NOTIFICATION_FILTERED)
    assert filtered.get("target") == "exists"
    assert any("Binary" in line for line in filtered.get("reason")), filtered.get("reason")


def test_a_binary_attribute_counts_its_bytes_and_an_empty_one_is_refused() -> None:
    sim = make_sim(STACK)
    topics = sim.services["topics"]
    # 4 bytes of value, not the 8 characters of their base64.
    message = "x" * (SIZE - len("blob") - len("Binary") - len(BLOB))
    topics.publish("alerts", message, attributes={"blob": BLOB})
    with pytest.raises(SimError, match="Message too long"):
        topics.publish("alerts", message + "x", attributes={"blob": BLOB})
    with pytest.raises(SimError) as err:
        topics.publish("alerts", "m", attributes={"blob": b""})
    assert str(err.value) == (
        "InvalidParameterValue: The message attribute 'blob' must contain non-empty message "
        "attribute value for message attribute type 'Binary'."
    )
    assert len(records(sim, tk.TOPIC_PUBLISHED)) == 1


def test_the_dead_letter_queue_body_keeps_a_binary_attribute() -> None:
    sim = make_sim(STACK)
    del sim.functions["pager"]  # the endpoint is gone: the message goes to the DLQ
    sim.services["topics"].publish("alerts", "m", attributes={"blob": BLOB, "kind": "x"})
    (msg,) = sim.queues["dlq"].listing()
    assert json.loads(msg.body)["MessageAttributes"] == {
        "blob": {"Type": "Binary", "Value": BLOB_B64},
        "kind": {"Type": "String", "Value": "x"},
    }
    # stptui's queues hold no Binary attributes: the String one goes along alone.
    assert msg.attrs == {"kind": "x"}


def test_a_python_handler_publishes_bytes_as_a_binary_attribute(tmp_path: Path) -> None:
    from stptui.commands import Session

    stack = (
        STACK
        + f"""
  producer:
    type: function
    properties:
      {PACKAGING}
      connectTo: [alerts]
"""
    )
    (tmp_path / "stacktape.yml").write_text(stack, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  producer: {handler: produce:handle}\n", encoding="utf-8"
    )
    (tmp_path / "produce.py").write_text(
        "def handle(event, context):\n"
        f"    context.notify('alerts', 'm', attributes={{'blob': {BLOB!r}}})\n",
        encoding="utf-8",
    )
    session = Session.open(tmp_path, start_ms=START, allow_code=True)
    sim = session.sim
    seen = capture_inputs(sim, lambda inp: (inp.function, inp.event()))
    sim.invoke_async("producer", {}, "invoke", "test")
    sim.run(5000)
    [sns] = [e["Records"][0]["Sns"] for name, e in seen if name == "pager"]
    assert sns["MessageAttributes"] == {"blob": {"Type": "Binary", "Value": BLOB_B64}}
    # Only Python code can give bytes; the behaviours file's refusal does not offer them.
    with pytest.raises(
        BehaviorError, match="must be a string, a number, an array of them or bytes"
    ):
        normalise("notify", {"message": "m", "attributes": {"b": {}}}, "context.notify")
    with pytest.raises(BehaviorError, match="must be a string, a number or an array of them,"):
        normalise("notify", {"message": "m", "attributes": {"b": [[]]}}, "f.emit[0].notify")


def test_a_behaviours_notify_publishes_a_list_as_a_string_array() -> None:
    # A String.Array "can contain multiple values ... strings, numbers, or the keywords
    # true, false, and null" (SNS developer guide, message attribute data types); a policy
    # matches any element.
    stack = (
        BINARY_STACK
        + f"""
  vip:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: sns
          properties: {{snsTopicName: alerts, filterPolicy: {{tags: [vip]}}}}
  producer:
    type: function
    properties:
      {PACKAGING}
      connectTo: [alerts]
"""
    )
    behaviors = (
        "behaviors:\n  producer:\n    emit:\n"
        "      - notify: {topic: alerts, message: '@', attributes: '{tags: tags}'}\n"
    )
    sim = make_sim(stack, behaviors)
    seen = sns_events(sim)
    sim.invoke_async("producer", {"tags": ["new", "vip", 3, True, None]}, "invoke", "test")
    sim.run(5000)
    got = dict(seen)
    assert got["vip"]["MessageAttributes"] == {
        "tags": {"Type": "String", "Value": '["new","vip",3,true,null]'}
    }
    assert records(sim, tk.EMISSION_FAILED) == []
    # An object inside the array is no String.Array value: the invocation fails, saying so.
    sim.invoke_async("producer", {"tags": [{"a": 1}]}, "invoke", "test")
    sim.run(5000)
    (failed, *_) = records(sim, tk.INVOCATION_FAILED)
    assert "notify.attributes.tags: must be a string, a number or an array of them" in (
        failed.get("error_message")
    )


def machine(attributes: dict) -> str:
    definition = {
        "StartAt": "Notify",
        "States": {
            "Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {
                    "TopicArn": "$ResourceParam('alerts', 'arn')",
                    "Message": "m",
                    "MessageAttributes": attributes,
                },
                "End": True,
            }
        },
    }
    return (
        STACK + "  flow:\n    type: state-machine\n    properties:\n"
        f"      definition: {json.dumps(definition)}\n"
    )


def test_step_functions_publishes_a_binary_attribute_given_in_base64() -> None:
    sim = make_sim(machine({"blob": {"DataType": "Binary", "BinaryValue": BLOB_B64}}))
    seen = sns_events(sim)
    execution = lookup_machine(sim, "flow").start({}, "e1")
    sim.run(5000)
    assert execution.status == "SUCCEEDED", execution.cause
    assert dict(seen)["pager"]["MessageAttributes"] == {
        "blob": {"Type": "Binary", "Value": BLOB_B64}
    }


@pytest.mark.parametrize(
    ("attribute", "why"),
    [
        ({"DataType": "Binary", "BinaryValue": "not base64!"}, "is not base64"),
        # This one, and the unknown type below, used to be published as String attributes.
        ({"DataType": "Binary", "StringValue": "x"}, "must use field 'Binary'"),
        ({"DataType": "Binary", "BinaryValue": ""}, "must contain non-empty message attribute"),
        ({"DataType": "String", "BinaryValue": "AA=="}, "must use field 'String'"),
        ({"DataType": "Blob", "StringValue": "x"}, "supported type prefixes is Binary, Number"),
    ],
)
def test_step_functions_refuses_a_binary_attribute_sns_cannot_read(
    attribute: dict, why: str
) -> None:
    sim = make_sim(machine({"blob": attribute}))
    execution = lookup_machine(sim, "flow").start({}, "e1")
    sim.run(5000)
    assert execution.status == "FAILED"
    assert execution.error == "SNS.InvalidParameterValue"
    assert why in (execution.cause or "")
    assert records(sim, tk.TOPIC_PUBLISHED) == []


# -- The message-body scope Stacktape does not expose ---------------------------------------


def test_a_message_body_scope_and_a_nested_policy_are_refused_by_validate() -> None:
    # LocalStack users set FilterPolicyScope: MessageBody (localstack#7398, #10567); a
    # Stacktape `sns` event has no such property, and its policies are attribute-scoped,
    # where SNS refuses nesting.
    text = STACK.replace(
        "            snsTopicName: alerts\n",
        "            snsTopicName: alerts\n"
        "            filterPolicyScope: MessageBody\n"
        "            filterPolicy: {order: {kind: [big]}}\n",
    )
    stack = load_stack_text(text, "stacktape.yml")
    found = sorted((d.code, d.message) for d in stack.errors)
    assert found == [
        (
            "invalid-filter-policy",
            "Invalid parameter: FilterPolicy: Filter policy scope MessageAttributes does not "
            "support nested filter policy",
        ),
        ("unknown-property", "unknown property `filterPolicyScope` in an `sns` event"),
    ]


# -- S3: the empty object, keys S3 encodes, a copy --------------------------------------------

BUCKET_STACK = f"""
resources:
  uploads:
    type: bucket
  processor:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: s3
          properties:
            bucketArn: $ResourceParam('uploads', 'arn')
            s3EventType: s3:ObjectCreated:*
"""


def s3_objects(sim: Simulator) -> list[dict]:
    """The `s3.object` of every record a function receives from now on."""
    return capture_inputs(sim, lambda inp: inp.event()["Records"][0]["s3"]["object"])


def test_an_empty_object_has_size_0_and_the_md5_of_nothing() -> None:
    sim = make_sim(BUCKET_STACK)
    seen = s3_objects(sim)
    sim.services["buckets"].put_object("uploads", "done/_SUCCESS")
    sim.run(1000)
    assert seen == [
        {
            "key": "done/_SUCCESS",
            "size": 0,
            "eTag": "d41d8cd98f00b204e9800998ecf8427e",
            "sequencer": seen[0]["sequencer"],
        }
    ]
    assert hashlib.md5(b"").hexdigest() == seen[0]["eTag"]


@pytest.mark.parametrize(
    ("key", "encoded"),
    [
        ("100% done.txt", "100%25+done.txt"),  # `%` itself is encoded
        ("a+b.txt", "a%2Bb.txt"),  # a `+` in the key is not a space
        ("résumé 2.pdf", "r%C3%A9sum%C3%A9+2.pdf"),
        ("日本/データ.csv", "%E6%97%A5%E6%9C%AC/%E3%83%87%E3%83%BC%E3%82%BF.csv"),
    ],
)
def test_keys_reach_the_function_form_url_encoded(key: str, encoded: str) -> None:
    sim = make_sim(BUCKET_STACK)
    seen = s3_objects(sim)
    sim.services["buckets"].put_object("uploads", key, content=b"x")
    sim.run(1000)
    assert [o["key"] for o in seen] == [encoded]


def test_a_copy_is_object_created_copy_with_the_copys_etag() -> None:
    sim = make_sim(BUCKET_STACK)
    seen = capture_inputs(sim, lambda inp: inp.event()["Records"][0])
    sim.services["buckets"].put_object("uploads", "b.txt", content=b"abc", operation="copy")
    sim.run(1000)
    [record] = seen
    assert record["eventName"] == "ObjectCreated:Copy"
    assert record["s3"]["object"]["eTag"] == hashlib.md5(b"abc").hexdigest()
    assert "versionId" not in record["s3"]["object"]  # no versioning, no versionId


# -- Filter values S3 compares with the URL-encoded key ----------------------------------------


def filtered_stack(rule: str) -> str:
    return BUCKET_STACK.replace(
        "            s3EventType: s3:ObjectCreated:*\n",
        f"            s3EventType: s3:ObjectCreated:*\n            filterRule: {rule}\n",
    )


@pytest.mark.parametrize(
    ("rule", "code", "message", "hint"),
    [
        (
            "{prefix: 'my uploads/'}",
            "s3-filter-unencoded",
            "the prefix 'my uploads/' holds characters S3 writes URL-encoded in the key it "
            "compares (a space as +, others percent-encoded): as written it matches no key",
            "write it as S3 writes keys: prefix: 'my+uploads/'",
        ),
        (
            # The AWS knowledge center's example: "to define the value of a prefix as
            # "test=abc/", you would enter "test%3Dabc/"".
            "{prefix: 'test=abc/'}",
            "s3-filter-unencoded",
            "the prefix 'test=abc/' holds characters S3 writes URL-encoded in the key it "
            "compares (a space as +, others percent-encoded): as written it matches no key",
            "write it as S3 writes keys: prefix: 'test%3Dabc/'",
        ),
        (
            "{suffix: '@2x.png'}",
            "s3-filter-unencoded",
            "the suffix '@2x.png' holds characters S3 writes URL-encoded in the key it "
            "compares (a space as +, others percent-encoded): as written it matches no key",
            "write it as S3 writes keys: suffix: '%402x.png'",
        ),
        (
            "{suffix: '*.jpg'}",
            "s3-filter-wildcard",
            "the suffix '*.jpg' holds `*`, which is no wildcard in an S3 filter: it matches "
            "only keys with a `*` there",
            "leave the `*` out: suffix: '.jpg' matches every key that ends so",
        ),
    ],
)
def test_a_filter_value_s3_would_never_match_is_a_warning(
    rule: str, code: str, message: str, hint: str
) -> None:
    # "If your prefix or suffix contains a space, you must replace it with the "+" character.
    # If you use any other special characters in the value of the prefix or suffix, you must
    # enter them in URL-encoded (percent-encoded) format"; "A wildcard character ("*") can't
    # be used in filters as a prefix or suffix" (S3 user guide, notification-how-to-filtering).
    stack = load_stack_text(filtered_stack(rule), "stacktape.yml")
    found = [d for d in stack.diagnostics if d.code.startswith("s3-filter")]
    assert [(d.code, d.severity, d.message, d.hint) for d in found] == [
        (code, "warning", message, hint)
    ]


@pytest.mark.parametrize(
    "rule", ["{prefix: 'my+uploads/'}", "{suffix: '%402x.png'}", "{prefix: in/}"]
)
def test_an_encoded_filter_value_is_taken_and_matches(rule: str) -> None:
    stack = load_stack_text(filtered_stack(rule), "stacktape.yml")
    assert [d for d in stack.diagnostics if d.code.startswith("s3-filter")] == []


def test_what_the_warning_says_is_what_the_simulation_does() -> None:
    sim = make_sim(filtered_stack("{prefix: 'my uploads/'}"))
    sim.services["buckets"].put_object("uploads", "my uploads/a.txt", content=b"x")
    (skipped,) = records(sim, tk.NOTIFICATION_SKIPPED)
    assert "URL-encoded" in skipped.get("reason")
    sim = make_sim(filtered_stack("{prefix: 'my+uploads/'}"))
    sim.services["buckets"].put_object("uploads", "my uploads/a.txt", content=b"x")
    assert len(records(sim, tk.NOTIFICATION_MATCHED)) == 1
