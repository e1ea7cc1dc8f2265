"""Python handlers written for Lambda run unmodified: `import boto3` gives stptui's stand-in,
whose clients carry the SDK calls out through the running invocation's `context`, with
boto3's parameter names, response shapes, validation errors and ClientError."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import textwrap
import types
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import Session, execute
from stptui.config.directives import fake_resource_param, stack_context
from stptui.config.permissions import ClientError, Denial
from stptui.sim import trace as tk
from stptui.sim.behavior import boto3_standin
from stptui.sim.behavior.errors import BehaviorError

START = 1_767_600_000_000  # 2026-01-05T08:00:00Z
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}"

STACK = f"""
serviceName: sdk
resources:
  jobs:
    type: sqs-queue
  alerts:
    type: sns-topic
  bus:
    type: event-bus
  files:
    type: bucket
  orders:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey: {{name: id, type: string}}
  clicks:
    type: kinesis-stream
  other:
    type: function
    properties:
      {PKG}
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: Done
        States:
          Done: {{Type: Pass, End: true}}
  worker:
    type: function
    properties:
      {PKG}
      connectTo: [jobs, alerts, bus, files, orders, clicks, other, flow]
  outsider:
    type: function
    properties:
      {PKG}
"""

# The handlers, written as Lambda code: boto3 and os.environ only.
HANDLERS = '''
import base64
import decimal
import json
import os

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

# Made at import, as Lambda code makes its clients: each call acts for the invocation
# running when it is made.
sqs = boto3.client("sqs")
# The table's name from the environment, at import, as Lambda's init phase reads it
# (`outsider`, without connectTo, imports the module in its own environments: none there).
TABLE_NAME = os.environ.get("STP_ORDERS_NAME", "none")
table = boto3.resource("dynamodb").Table(TABLE_NAME)


def _plain(value):
    if isinstance(value, decimal.Decimal):
        return {"Decimal": str(value)}
    if hasattr(value, "read"):
        return {"Body": value.read().decode("utf-8")}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def run(event, context):
    """Call boto3.client(service).op(**params); the response as JSON, or the error."""
    try:
        client = boto3.client(event["service"], **event.get("client", {}))
        got = getattr(client, event["op"])(**event.get("params", {}))
    except ClientError as exc:
        return {"ClientError": type(exc).__name__, "code": exc.response["Error"]["Code"],
                "message": str(exc)}
    except Exception as exc:
        return {"raised": type(exc).__name__, "message": str(exc)}
    got.pop("ResponseMetadata", None)
    return _plain(got)


def send(event, context):
    """The job-queue API's code, unchanged: the queue's URL from the environment."""
    got = sqs.send_message(QueueUrl=os.environ["STP_JOBS_URL"], MessageBody=json.dumps(event))
    return {"md5": got["MD5OfMessageBody"]}


def table_calls(event, context):
    """The resource Table: plain values, numbers as Decimal, conditions objects."""
    if event.get("step") == "read":
        return table_reads(event, context)
    table.put_item(Item={"id": "o-1", "total": decimal.Decimal("12.5"), "state": "OPEN"})
    table.put_item(Item={"id": "o-2", "total": 3, "state": "DONE"})
    return {"written": 2}


def table_reads(event, context):
    got = table.get_item(Key={"id": "o-1"})
    missing = table.get_item(Key={"id": "nope"})
    page = table.query(KeyConditionExpression=Key("id").eq("o-1"))
    scanned = table.scan(FilterExpression=Attr("state").eq("DONE") & Attr("total").gt(1))
    total = got["Item"]["total"]
    return {
        "item": _plain(got["Item"]),
        "is_decimal": isinstance(total, decimal.Decimal),
        "missing": "Item" in missing,
        "query": [i["id"] for i in page["Items"]],
        "scan": [i["id"] for i in scanned["Items"]],
    }


def floats(event, context):
    try:
        table.put_item(Item={"id": "f", "total": 1.5})
    except TypeError as exc:
        return {"TypeError": str(exc)}


def same_class(event, context):
    """The ClientError of botocore.exceptions is the one context calls raise."""
    import botocore.exceptions

    s3 = boto3.client("s3")
    try:
        s3.get_object(Bucket="files", Key="nope")
    except s3.exceptions.NoSuchKey as exc:
        caught = type(exc).__name__
    try:
        context.get_object("files", "nope")
    except botocore.exceptions.ClientError as exc:
        direct = exc.response["Error"]["Code"]
    return {"caught": caught, "direct": direct}


def names(event, context):
    return {"at_import": TABLE_NAME, "now": os.environ["STP_ORDERS_NAME"]}


def modules_seen(event, context):
    import sys

    return {"boto3": sys.modules["boto3"].__doc__.startswith("stptui")}
'''

RUN = """
behaviors:
  worker: {duration: 10ms, handler: "sdk_handlers:run"}
  outsider: {duration: 10ms, handler: "sdk_handlers:run"}
"""


def open_session(tmp_path: Path, behaviors: str = RUN) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "sdk_handlers.py").write_text(textwrap.dedent(HANDLERS), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(textwrap.dedent(behaviors), encoding="utf-8")
    return Session.open(
        tmp_path / "stacktape.yml",
        behaviors_path=tmp_path / "stptui.yml",
        start_ms=START,
        allow_code=True,
    )


def only(handler: str) -> str:
    return f'behaviors:\n  worker: {{handler: "sdk_handlers:{handler}"}}\n'


@pytest.fixture
def s(tmp_path: Path) -> Session:
    return open_session(tmp_path)


def call(
    s: Session,
    service: str,
    op: str,
    fn: str = "worker",
    client: dict[str, Any] | None = None,
    **params: Any,
) -> dict[str, Any]:
    """Invoke `fn` with a boto3 call; its response (what the handler returned)."""
    payload = json.dumps(
        {"service": service, "op": op, "params": params, "client": client or {}}
    ).replace("'", "'\\''")
    result = execute(s, f"invoke {fn} '{payload}'")
    data = result.data
    assert data.get("error") is None, data
    execute(s, "advance 1s")
    return data["response"]


def kinds(s: Session, kind: str) -> list[tk.Record]:
    return [r for r in s.sim.trace.records if r.kind == kind]


def aws_name(s: Session, resource: str) -> str:
    """The AWS name the environment gives `resource` (a bucket's and a table's end in the
    stack's hash)."""
    stack = s.sim.stack
    rtype = stack.resources[resource].type
    return fake_resource_param(stack_context(stack), resource, "name", rtype)


QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/sdk-dev-jobs"


# -- SQS -------------------------------------------------------------------------------------


def test_send_message_by_the_url_sends_and_answers_with_the_body_md5(s: Session) -> None:
    got = call(s, "sqs", "send_message", QueueUrl=QUEUE_URL, MessageBody="hello")
    assert got["MD5OfMessageBody"] == "5d41402abc4b2a76b9719d911017c592"
    sent = kinds(s, tk.MESSAGE_SENT)
    assert [r.resource for r in sent] == ["jobs"]


def test_message_attributes_are_sent_and_digested_as_sqs_digests_them(s: Session) -> None:
    attrs = {"attribName1": {"DataType": "String", "StringValue": "attribValue 1"}}
    got = call(
        s, "sqs", "send_message", QueueUrl=QUEUE_URL, MessageBody="x", MessageAttributes=attrs
    )
    # The digest the npm package aws-md5-of-message-attributes publishes for this attribute
    # (SQS developer guide, "Calculating the MD5 message digest for message attributes").
    assert got["MD5OfMessageAttributes"] == "19e27d4e946b072f3f58da80d94fd778"
    assert got["MD5OfMessageBody"] == hashlib.md5(b"x").hexdigest()
    execute(s, "advance 1s")
    (sent,) = kinds(s, tk.MESSAGE_SENT)
    assert sent.resource == "jobs"


def test_a_binary_sqs_attribute_is_refused_with_what_is_taken(s: Session) -> None:
    attrs = {"b": {"DataType": "Binary", "BinaryValue": "x"}}
    got = call(
        s, "sqs", "send_message", QueueUrl=QUEUE_URL, MessageBody="x", MessageAttributes=attrs
    )
    assert got["raised"] == "BehaviorError"
    assert "String, Number only, not 'Binary'" in got["message"]
    assert kinds(s, tk.MESSAGE_SENT) == []


def test_send_message_batch_sends_each_entry_and_lists_them_successful(s: Session) -> None:
    entries = [{"Id": "a", "MessageBody": "1"}, {"Id": "b", "MessageBody": "2"}]
    got = call(s, "sqs", "send_message_batch", QueueUrl=QUEUE_URL, Entries=entries)
    assert [e["Id"] for e in got["Successful"]] == ["a", "b"]
    assert "Failed" not in got
    assert len(kinds(s, tk.MESSAGE_SENT)) == 2


def test_send_message_batch_refuses_repeated_ids_and_eleven_entries(s: Session) -> None:
    twice = [{"Id": "a", "MessageBody": "1"}, {"Id": "a", "MessageBody": "2"}]
    got = call(s, "sqs", "send_message_batch", QueueUrl=QUEUE_URL, Entries=twice)
    assert got["ClientError"] == "BatchEntryIdsNotDistinct"
    many = [{"Id": str(i), "MessageBody": "x"} for i in range(11)]
    got = call(s, "sqs", "send_message_batch", QueueUrl=QUEUE_URL, Entries=many)
    assert got["code"] == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    assert kinds(s, tk.MESSAGE_SENT) == []


def test_send_message_batch_refuses_a_batch_over_1_mib_in_total(s: Session) -> None:
    # "the maximum total payload size (the sum of the individual lengths of all of the
    # batched messages)" is 1 MiB (SendMessageBatch API reference): each entry here is
    # within the queue's maximum, the batch is not.
    half = "x" * 524_288
    fits = [{"Id": "a", "MessageBody": half}, {"Id": "b", "MessageBody": half[8:]}]
    got = call(s, "sqs", "send_message_batch", QueueUrl=QUEUE_URL, Entries=fits)
    assert [e["Id"] for e in got["Successful"]] == ["a", "b"]
    attr = {"k": {"DataType": "String", "StringValue": "v"}}  # 1 + 6 + 1 bytes
    over = [
        {"Id": "a", "MessageBody": half},
        {"Id": "b", "MessageBody": half[7:], "MessageAttributes": attr},
    ]
    got = call(s, "sqs", "send_message_batch", QueueUrl=QUEUE_URL, Entries=over)
    assert (got["ClientError"], got["code"]) == (
        "BatchRequestTooLong",
        "AWS.SimpleQueueService.BatchRequestTooLong",
    )
    assert got["message"].endswith(
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes."
    )
    # The whole batch is refused: neither entry was sent.
    assert len(kinds(s, tk.MESSAGE_SENT)) == 2


def test_a_delay_over_fifteen_minutes_is_sqss_invalid_parameter_value(s: Session) -> None:
    got = call(s, "sqs", "send_message", QueueUrl=QUEUE_URL, MessageBody="x", DelaySeconds=901)
    # SQS's answer (aws-samples/amazon-sqs-dlq-replay-backoff#8), not stptui's own error.
    assert got["code"] == "InvalidParameterValue"
    assert got["message"].endswith(
        "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 "
        "and <= 900."
    )
    # In a batch the entry fails alone (aws/aws-sdk-ruby#265, getmoto/moto#5372).
    entries = [
        {"Id": "late", "MessageBody": "x", "DelaySeconds": 3600},
        {"Id": "ok", "MessageBody": "y", "DelaySeconds": 900},
    ]
    got = call(s, "sqs", "send_message_batch", QueueUrl=QUEUE_URL, Entries=entries)
    assert [e["Id"] for e in got["Successful"]] == ["ok"]
    assert got["Failed"] == [
        {
            "Id": "late",
            "SenderFault": True,
            "Code": "InvalidParameterValue",
            "Message": "Value 3600 for parameter DelaySeconds is invalid. Reason: DelaySeconds "
            "must be >= 0 and <= 900.",
        }
    ]
    # A successful entry's members in SendMessageBatchResultEntry's order, as botocore
    # gives them (and as moto#5372 shows SQS's answer).
    assert list(got["Successful"][0]) == ["Id", "MessageId", "MD5OfMessageBody"]
    assert len(kinds(s, tk.MESSAGE_SENT)) == 1


def test_get_queue_url_gives_the_url_the_environment_holds(s: Session) -> None:
    assert call(s, "sqs", "get_queue_url", QueueName="sdk-dev-jobs") == {"QueueUrl": QUEUE_URL}
    got = call(s, "sqs", "get_queue_url", QueueName="nope")
    assert got["ClientError"] == "QueueDoesNotExist"


# -- validation, unknown names ------------------------------------------------------------------


def test_a_missing_required_parameter_is_botocores_param_validation_error(s: Session) -> None:
    got = call(s, "sqs", "send_message", QueueUrl=QUEUE_URL)
    assert got == {
        "raised": "ParamValidationError",
        "message": "Parameter validation failed:\nMissing required parameter in input: "
        '"MessageBody"',
    }


def test_a_wrong_type_and_an_unknown_parameter_are_reported_together(s: Session) -> None:
    got = call(s, "sqs", "send_message", QueueUrl=QUEUE_URL, MessageBody=5, Colour="red")
    assert got["raised"] == "ParamValidationError"
    assert (
        "Invalid type for parameter MessageBody, value: 5, type: <class 'int'>, "
        "valid types: <class 'str'>" in got["message"]
    )
    assert (
        'Unknown parameter in input: "Colour", must be one of: QueueUrl, MessageBody'
        in (got["message"])
    )
    assert kinds(s, tk.MESSAGE_SENT) == []


def test_an_unknown_operation_names_the_ones_there_are(s: Session) -> None:
    got = call(s, "sqs", "purge_queue", QueueUrl=QUEUE_URL)
    assert got["raised"] == "AttributeError"
    assert "no sqs operation 'purge_queue'" in got["message"]
    assert (
        "send_message, send_message_batch, delete_message, delete_message_batch" in got["message"]
    )


def test_an_unknown_service_names_the_ones_there_are(s: Session) -> None:
    got = call(s, "ses", "send_email")
    assert got["raised"] == "UnknownServiceError"
    assert got["message"].startswith("Unknown service: 'ses'. Valid service names are: sqs, sns")


def test_positional_arguments_are_refused_as_botocore_refuses_them() -> None:
    sdk = boto3_standin.modules()["boto3"]
    with pytest.raises(TypeError, match=r"^send_message\(\) only accepts keyword arguments\.$"):
        sdk.client("sqs").send_message(QUEUE_URL, "x")


# -- ClientError -----------------------------------------------------------------------------


def test_the_roles_refusal_is_a_client_error_with_its_code(s: Session) -> None:
    got = call(s, "sqs", "send_message", fn="outsider", QueueUrl=QUEUE_URL, MessageBody="x")
    assert got["ClientError"] == "ClientError"
    assert got["code"] == "AccessDenied"
    assert "when calling the SendMessage operation" in got["message"]


def test_botocore_client_error_is_the_class_context_calls_raise(tmp_path: Path) -> None:
    s = open_session(tmp_path, only("same_class"))
    got = execute(s, "invoke worker '{}'").data["response"]
    assert got == {"caught": "NoSuchKey", "direct": "NoSuchKey"}


def test_client_error_takes_botocores_arguments_too() -> None:
    exc = ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "PutItem")
    assert (
        str(exc) == "An error occurred (Throttling) when calling the PutItem operation: slow down"
    )
    assert exc.response["Error"]["Code"] == "Throttling"
    assert exc.operation_name == "PutItem"


# -- SNS, EventBridge, S3 ---------------------------------------------------------------------


def test_sns_publish_by_the_topic_arn(s: Session) -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:sdk-dev-alerts"
    call(s, "sns", "publish", TopicArn=arn, Message="hi", Subject="s")
    assert [r.resource for r in kinds(s, tk.TOPIC_PUBLISHED)] == ["alerts"]


def test_sns_publish_batch_refuses_a_batch_over_256_kib_in_total(s: Session) -> None:
    # "the maximum total payload size (the sum of the individual lengths of all of the
    # batched messages)" is the topic's MaximumMessageSize, 256 KiB by default (SNS API
    # Reference, PublishBatch): two messages of 128 KiB fit, one byte more does not.
    arn = "arn:aws:sns:us-east-1:123456789012:sdk-dev-alerts"
    half = "x" * 131_072
    fits = [{"Id": "a", "Message": half}, {"Id": "b", "Message": half[8:]}]
    attrs = {"k": {"DataType": "String", "StringValue": "v"}}  # 1 + 6 + 1 bytes
    fits[1]["MessageAttributes"] = attrs
    got = call(s, "sns", "publish_batch", TopicArn=arn, PublishBatchRequestEntries=fits)
    assert [e["Id"] for e in got["Successful"]] == ["a", "b"] and got["Failed"] == []
    over = [{"Id": "a", "Message": half}, {"Id": "b", "Message": half[7:]}]
    over[1]["MessageAttributes"] = attrs
    got = call(s, "sns", "publish_batch", TopicArn=arn, PublishBatchRequestEntries=over)
    assert (got["ClientError"], got["code"]) == (
        "BatchRequestTooLongException",
        "BatchRequestTooLong",
    )
    assert got["message"] == (
        "An error occurred (BatchRequestTooLong) when calling the PublishBatch operation: "
        "The length of all the batch messages put together is more than the limit. (The "
        "batch's messages and their attributes are 262,145 bytes; SNS takes at most 262,144.)"
    )
    # Refused whole: only the first batch's two messages were published.
    assert len(kinds(s, tk.TOPIC_PUBLISHED)) == 2


def test_put_events_publishes_and_reports_malformed_entries_as_failed(s: Session) -> None:
    entries = [
        {"Source": "app", "DetailType": "Order", "Detail": '{"id": 1}', "EventBusName": "bus"},
        {"Source": "app", "DetailType": "Order", "Detail": "not json"},
        {"DetailType": "Order", "Detail": "{}"},
    ]
    got = call(s, "events", "put_events", Entries=entries)
    assert got["FailedEntryCount"] == 2
    assert got["Entries"][1] == {
        "ErrorCode": "MalformedDetail",
        "ErrorMessage": "Detail is malformed.",
    }
    assert got["Entries"][2]["ErrorCode"] == "InvalidArgument"
    assert [r.resource for r in kinds(s, tk.EVENT_PUBLISHED)] == ["bus"]


def test_put_events_entries_over_1_mib_together_fail_the_whole_request(s: Session) -> None:
    # "The total entry size must be less than" the limit ("Calculating PutEvents event entry
    # size"): two entries of 600 KB each are refused together, neither is put.
    big = json.dumps({"x": "y" * 600_000})
    entry = {"Source": "app", "DetailType": "Order", "Detail": big, "EventBusName": "bus"}
    got = call(s, "events", "put_events", Entries=[entry, entry])
    assert got["code"] == "ValidationException"
    assert "Total size of the entries in the request is over the limit." in got["message"]
    assert "The 2 entries are 1,200,034 bytes together" in got["message"]
    assert kinds(s, tk.EVENT_PUBLISHED) == []
    # Each alone fits: put.
    assert call(s, "events", "put_events", Entries=[entry])["FailedEntryCount"] == 0


def test_put_events_answers_a_detail_type_over_128_characters_in_the_entrys_place(
    s: Session,
) -> None:
    entries = [
        {"Source": "app", "DetailType": "x" * 129, "Detail": "{}", "EventBusName": "bus"},
        {"Source": "app", "DetailType": "x" * 128, "Detail": "{}", "EventBusName": "bus"},
    ]
    got = call(s, "events", "put_events", Entries=entries)
    # The invalid entry fails on its own; the request is answered and the other put.
    assert got["FailedEntryCount"] == 1
    assert got["Entries"][0]["ErrorCode"] == "InvalidArgument"
    assert "129 characters" in got["Entries"][0]["ErrorMessage"]
    assert list(got["Entries"][1]) == ["EventId"]
    assert len(kinds(s, tk.EVENT_PUBLISHED)) == 1


def test_put_events_refuses_a_source_of_an_aws_service_in_the_entrys_place(s: Session) -> None:
    # No caller may publish under an `aws.` source (AWS's answer to `aws events put-events`
    # with Source aws.aidevops: NotAuthorizedForSourceException, "Not authorized for the
    # source."); the `publish` command may, to stand in for AWS services.
    entries = [
        {"Source": "aws.s3", "DetailType": "Object Created", "Detail": "{}", "EventBusName": "bus"},
        {"Source": "app", "DetailType": "Order", "Detail": "{}", "EventBusName": "bus"},
    ]
    got = call(s, "events", "put_events", Entries=entries)
    assert got["FailedEntryCount"] == 1
    assert got["Entries"][0] == {
        "ErrorCode": "NotAuthorizedForSourceException",
        "ErrorMessage": "Not authorized for the source.",
    }
    assert [r.data["event_source"] for r in kinds(s, tk.EVENT_PUBLISHED)] == ["app"]


def test_put_events_carries_an_entrys_resources_to_the_rules(tmp_path: Path) -> None:
    # PutEventsRequestEntry.Resources: "AWS resources, identified by Amazon Resource Name
    # (ARN), which the event primarily concerns"; a rule may match on them.
    watcher = f"""
  watcher:
    type: function
    properties:
      {PKG}
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern: {{resources: [{{prefix: "arn:aws:s3:::uploads"}}]}}
"""
    open_session(tmp_path)  # writes the handlers and behaviours this stack runs with
    (tmp_path / "stacktape.yml").write_text(STACK + watcher, encoding="utf-8")
    s = Session.open(
        tmp_path / "stacktape.yml",
        behaviors_path=tmp_path / "stptui.yml",
        start_ms=START,
        allow_code=True,
    )
    entry = {"Source": "app", "DetailType": "Stored", "Detail": "{}", "EventBusName": "bus"}
    entries = [
        {**entry, "Resources": ["arn:aws:s3:::uploads/a.csv"]},
        {**entry, "Resources": ["arn:aws:s3:::other/a.csv"]},
        entry,
        {**entry, "Resources": [""]},
    ]
    got = call(s, "events", "put_events", Entries=entries)
    assert got["FailedEntryCount"] == 1
    assert got["Entries"][3]["ErrorCode"] == "InvalidArgument"
    matched = [r.data["rules_matched"] for r in kinds(s, tk.EVENT_PUBLISHED)]
    assert matched == [1, 0, 0]


def test_put_events_takes_an_entrys_time_as_the_events_time(tmp_path: Path) -> None:
    # PutEventsRequestEntry.Time: "The time stamp of the event, per RFC3339. If no time stamp
    # is provided, the time stamp of the PutEvents call is used." botocore takes a datetime
    # (naive: UTC), ISO 8601 text or epoch seconds; the envelope's `time` has no fraction.
    seen = """
  seen:
    type: sqs-queue
    properties:
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern: {source: [timed]}
"""
    open_session(tmp_path)  # writes the handlers and behaviours this stack runs with
    (tmp_path / "stacktape.yml").write_text(STACK + seen, encoding="utf-8")
    s = Session.open(
        tmp_path / "stacktape.yml",
        behaviors_path=tmp_path / "stptui.yml",
        start_ms=START,
        allow_code=True,
    )
    entry = {"Source": "timed", "DetailType": "T", "Detail": "{}", "EventBusName": "bus"}
    entries = [
        {**entry, "Time": "2020-01-02T03:04:05.678Z"},
        {**entry, "Time": 1_600_000_000},
        entry,
    ]
    got = call(s, "events", "put_events", Entries=entries)
    assert got["FailedEntryCount"] == 0
    times = [json.loads(m.body)["time"] for m in s.sim.queues["seen"].listing(10)]
    assert times == ["2020-01-02T03:04:05Z", "2020-09-13T12:26:40Z", "2026-01-05T08:00:00Z"]
    bad = call(s, "events", "put_events", Entries=[{**entry, "Time": "yesterday"}])
    assert bad["raised"] == "ParamValidationError"
    assert "Invalid type for parameter Entries[0].Time" in bad["message"]


def test_s3_put_then_get_head_and_list_with_a_continuation_token(s: Session) -> None:
    put = call(s, "s3", "put_object", Bucket=aws_name(s, "files"), Key="a.txt", Body="hello")
    assert put["ETag"] == '"5d41402abc4b2a76b9719d911017c592"'
    call(s, "s3", "put_object", Bucket="files", Key="b.txt", Body="second")
    got = call(s, "s3", "get_object", Bucket="files", Key="a.txt")
    assert got["Body"] == {"Body": "hello"}
    assert got["ContentLength"] == 5
    head = call(s, "s3", "head_object", Bucket="files", Key="b.txt")
    assert head["ContentLength"] == 6
    first = call(s, "s3", "list_objects_v2", Bucket="files", MaxKeys=1)
    assert [c["Key"] for c in first["Contents"]] == ["a.txt"]
    assert first["IsTruncated"] is True
    token = first["NextContinuationToken"]
    second = call(s, "s3", "list_objects_v2", Bucket="files", MaxKeys=1, ContinuationToken=token)
    assert [c["Key"] for c in second["Contents"]] == ["b.txt"]
    assert second["ContinuationToken"] == token
    missing = call(s, "s3", "get_object", Bucket="files", Key="zzz")
    assert missing["ClientError"] == "NoSuchKey"


def test_s3_answers_as_s3_does_for_writes_a_missing_copy_source_and_get(s: Session) -> None:
    put = call(s, "s3", "put_object", Bucket="files", Key="a.txt", Body="hello")
    # Every new object is encrypted with SSE-S3, as HeadObject says; the members in the
    # order of botocore's PutObjectOutput and CopyObjectOutput shapes.
    assert put == {"ETag": '"5d41402abc4b2a76b9719d911017c592"', "ServerSideEncryption": "AES256"}
    copy = call(s, "s3", "copy_object", Bucket="files", Key="c.txt", CopySource="files/a.txt")
    assert list(copy) == ["CopyObjectResult", "ServerSideEncryption"]
    assert copy["ServerSideEncryption"] == "AES256"
    head = call(s, "s3", "head_object", Bucket="files", Key="c.txt")
    assert head["ServerSideEncryption"] == "AES256"
    got = call(s, "s3", "copy_object", Bucket="files", Key="b.txt", CopySource="files/zzz")
    # S3's words, as GetObject's for a missing key.
    assert got["ClientError"] == "NoSuchKey"
    assert got["message"].endswith("The specified key does not exist.")
    # botocore's GetObjectOutput shape puts Body first.
    assert next(iter(call(s, "s3", "get_object", Bucket="files", Key="a.txt"))) == "Body"


def test_s3_refuses_a_copy_of_an_object_onto_itself(s: Session) -> None:
    call(s, "s3", "put_object", Bucket="files", Key="a.txt", Body="hello")
    got = call(s, "s3", "copy_object", Bucket="files", Key="a.txt", CopySource="files/a.txt")
    assert got["code"] == "InvalidRequest"
    assert got["message"].endswith(
        "This copy request is illegal because it is trying to copy an object to itself "
        "without changing the object's metadata, storage class, website redirect location or "
        "encryption attributes."
    )
    # Only the PutObject told the notifications.
    assert [r.data["event"] for r in kinds(s, tk.OBJECT_CREATED)] == ["ObjectCreated:Put"]


def test_s3_delete_objects_deletes_each_key_and_sends_each_event(s: Session) -> None:
    # DeleteObjects: each key a DeleteObject, a key with no object too (AWS-validated in
    # LocalStack's test_delete_objects: "also events are triggered"); Quiet leaves the
    # deleted keys out of the answer.
    call(s, "s3", "put_object", Bucket="files", Key="a.txt", Body="hello")
    objects = [{"Key": "a.txt"}, {"Key": "never.txt"}]
    got = call(s, "s3", "delete_objects", Bucket="files", Delete={"Objects": objects})
    assert got["Deleted"] == [{"Key": "a.txt"}, {"Key": "never.txt"}]
    assert "Errors" not in got
    gone = kinds(s, tk.OBJECT_DELETED)
    assert [(r.data["key"], r.data["event"]) for r in gone] == [
        ("a.txt", "ObjectRemoved:Delete"),
        ("never.txt", "ObjectRemoved:Delete"),
    ]
    quiet = {"Objects": [{"Key": "b.txt"}], "Quiet": True}
    got = call(s, "s3", "delete_objects", Bucket="files", Delete=quiet)
    assert "Deleted" not in got and "Errors" not in got
    none = call(s, "s3", "delete_objects", Bucket="files", Delete={"Objects": []})
    assert none["code"] == "MalformedXML"
    # A version of a bucket without versioning: that key's error, in the answer.
    bad = {"Objects": [{"Key": "c.txt", "VersionId": "v1"}]}
    got = call(s, "s3", "delete_objects", Bucket="files", Delete=bad)
    assert got["Errors"][0]["Key"] == "c.txt" and got["Errors"][0]["VersionId"] == "v1"
    assert "Deleted" not in got


# -- DynamoDB ---------------------------------------------------------------------------------


def test_low_level_dynamodb_takes_and_gives_dynamodb_json(s: Session) -> None:
    item = {"id": {"S": "o-1"}, "total": {"N": "12.5"}, "tags": {"L": [{"S": "a"}]}}
    call(s, "dynamodb", "put_item", TableName="orders", Item=item)
    got = call(s, "dynamodb", "get_item", TableName=aws_name(s, "orders"), Key={"id": {"S": "o-1"}})
    assert got == {"Item": item}
    call(
        s,
        "dynamodb",
        "update_item",
        TableName="orders",
        Key={"id": {"S": "o-1"}},
        UpdateExpression="SET #t = :t",
        ExpressionAttributeNames={"#t": "total"},
        ExpressionAttributeValues={":t": {"N": "13"}},
    )
    page = call(
        s,
        "dynamodb",
        "query",
        TableName="orders",
        KeyConditionExpression="id = :i",
        ExpressionAttributeValues={":i": {"S": "o-1"}},
    )
    assert page["Items"][0]["total"] == {"N": "13"}
    assert (page["Count"], page["ScannedCount"]) == (1, 1)
    assert call(s, "dynamodb", "scan", TableName="orders")["Count"] == 1
    call(s, "dynamodb", "delete_item", TableName="orders", Key={"id": {"S": "o-1"}})
    assert call(s, "dynamodb", "get_item", TableName="orders", Key={"id": {"S": "o-1"}}) == {}


class FakeContext:
    """A context whose writes record their arguments, and refuse as `refusal` says."""

    def __init__(self, refusal: str | None = None) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.refusal = refusal

    def _write(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append((name, args, kwargs))
        if self.refusal is not None:
            raise ClientError(Denial(self.refusal, "The conditional request failed", name))

    def put_item(
        self,
        table: str,
        item: dict[str, Any],
        condition: str | None = None,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> None:
        self._write("PutItem", table, item, condition=condition, names=names, values=values)

    def update_item(self, *args: Any, **kwargs: Any) -> None:
        self._write("UpdateItem", *args, **kwargs)


def test_a_failed_condition_is_raised_as_conditional_check_failed_exception() -> None:
    sdk = boto3_standin.modules()
    ctx = FakeContext("ConditionalCheckFailedException")
    client = sdk["boto3"].client("dynamodb")
    with boto3_standin.acting_for(ctx), pytest.raises(ClientError) as caught:  # type: ignore[arg-type]
        client.update_item(
            TableName="orders",
            Key={"id": {"S": "o-9"}},
            UpdateExpression="SET n = :n",
            ConditionExpression="attribute_exists(id)",
            ExpressionAttributeValues={":n": {"N": "1"}},
        )
    assert isinstance(caught.value, client.exceptions.ConditionalCheckFailedException)
    assert type(caught.value).__name__ == "ConditionalCheckFailedException"
    assert caught.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    (_, args, kwargs) = ctx.calls[0]
    assert args == ("orders", {"id": "o-9"}, "SET n = :n")
    assert kwargs == {"names": None, "values": {":n": 1}, "condition": "attribute_exists(id)"}


def test_conditions_objects_are_written_out_with_placeholders() -> None:
    sdk = boto3_standin.modules()
    ctx = FakeContext()
    table = sdk["boto3"].resource("dynamodb").Table("orders")
    cond = sdk["boto3.dynamodb.conditions"]
    with boto3_standin.acting_for(ctx):  # type: ignore[arg-type]
        table.put_item(
            Item={"id": "o-1", "total": Decimal("2.5")},
            ConditionExpression=cond.Attr("id").not_exists() | cond.Attr("total").lt(3),
        )
    (_, args, kwargs) = ctx.calls[0]
    assert args == ("orders", {"id": "o-1", "total": 2.5})
    assert kwargs == {
        "condition": "attribute_not_exists(#n0) OR #n1 < :v0",
        "names": {"#n0": "id", "#n1": "total"},
        "values": {":v0": 3},
    }


def test_a_table_not_in_the_stack_is_resource_not_found(s: Session) -> None:
    got = call(s, "dynamodb", "get_item", TableName="nope", Key={"id": {"S": "x"}})
    assert got["ClientError"] == "ResourceNotFoundException"
    assert "when calling the GetItem operation" in got["message"]


def test_resource_table_takes_plain_values_and_reads_numbers_as_decimal(tmp_path: Path) -> None:
    s = open_session(tmp_path, only("table_calls"))
    assert execute(s, "invoke worker '{}'").data["response"] == {"written": 2}
    execute(s, "advance 1s")
    got = execute(s, """invoke worker '{"step": "read"}'""").data["response"]
    assert got == {
        "item": {"id": "o-1", "total": {"Decimal": "12.5"}, "state": "OPEN"},
        "is_decimal": True,
        "missing": False,
        "query": ["o-1"],
        "scan": ["o-2"],
    }


def test_resource_table_refuses_floats_as_boto3_does(tmp_path: Path) -> None:
    s = open_session(tmp_path, only("floats"))
    got = execute(s, "invoke worker '{}'").data["response"]
    assert got == {"TypeError": "Float types are not supported. Use Decimal types instead."}


# -- Lambda, Step Functions, Kinesis -----------------------------------------------------------


def test_lambda_invoke_event_is_accepted_with_202(s: Session) -> None:
    got = call(
        s, "lambda", "invoke", FunctionName="sdk-dev-other", InvocationType="Event", Payload="{}"
    )
    assert got["StatusCode"] == 202
    assert [r.resource for r in kinds(s, tk.INVOCATION_STARTED)].count("other") == 1


def test_lambda_request_response_is_refused_with_the_fix(s: Session) -> None:
    got = call(s, "lambda", "invoke", FunctionName="other", Payload="{}")
    assert got["raised"] == "BehaviorError"
    assert "InvocationType='Event'" in got["message"]


def test_start_execution_and_put_record(s: Session) -> None:
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:sdk-dev-flow"
    call(s, "stepfunctions", "start_execution", stateMachineArn=arn, input='{"a": 1}')
    assert [r.resource for r in kinds(s, tk.SFN_EXECUTION_STARTED)] == ["flow"]
    call(s, "kinesis", "put_record", StreamName="sdk-dev-clicks", Data="{}", PartitionKey="p")
    assert [r.resource for r in kinds(s, tk.STREAM_RECORD_PUT)] == ["clicks"]


# -- import time, sys.modules, determinism -------------------------------------------------------


def test_a_client_made_at_import_acts_for_each_invocation(tmp_path: Path) -> None:
    s = open_session(tmp_path, only("send"))
    for n in range(2):
        got = execute(s, f"invoke worker '{{\"n\": {n}}}'").data
        assert got.get("error") is None
    execute(s, "advance 1s")
    sent = kinds(s, tk.MESSAGE_SENT)
    assert [r.data["source"].split(":")[0] for r in sent] == ["worker", "worker"]


def test_a_client_called_outside_an_invocation_says_so() -> None:
    sdk = boto3_standin.modules()["boto3"]
    with pytest.raises(boto3_standin.OutsideInvocationError, match="outside an invocation"):
        sdk.client("sqs").send_message(QueueUrl=QUEUE_URL, MessageBody="x")


def test_sys_modules_holds_the_stand_in_only_while_a_handler_runs(tmp_path: Path) -> None:
    real = types.ModuleType("boto3")
    sys.modules["boto3"] = real
    try:
        s = open_session(tmp_path, only("modules_seen"))
        got = execute(s, "invoke worker '{}'").data["response"]
        assert got == {"boto3": True}
        assert sys.modules["boto3"] is real
    finally:
        del sys.modules["boto3"]
    assert "botocore" not in sys.modules or not sys.modules["botocore"].__doc__.startswith("stptui")


def test_the_same_calls_give_the_same_trace(tmp_path: Path) -> None:
    def run(where: Path) -> list[tuple[Any, ...]]:
        where.mkdir()
        s = open_session(where)
        call(s, "sqs", "send_message", QueueUrl=QUEUE_URL, MessageBody="a")
        call(s, "s3", "put_object", Bucket="files", Key="k", Body="v")
        return [
            (r.t, r.kind, r.resource, json.dumps(r.data, sort_keys=True))
            for r in s.sim.trace.records
        ]

    assert run(tmp_path / "a") == run(tmp_path / "b")


def test_a_modules_top_level_reads_its_workloads_environment(tmp_path: Path) -> None:
    s = open_session(tmp_path, only("names"))
    got = execute(s, "invoke worker '{}'").data["response"]
    assert got["at_import"] == got["now"] == aws_name(s, "orders")
    assert "STP_ORDERS_NAME" not in os.environ


def test_nested_entries_and_empty_lists_are_checked_as_botocore_checks_them(s: Session) -> None:
    got = call(s, "sqs", "send_message_batch", QueueUrl=QUEUE_URL, Entries=[{"Id": "a"}])
    assert got["message"] == (
        'Parameter validation failed:\nMissing required parameter in Entries[0]: "MessageBody"'
    )
    got = call(s, "sqs", "send_message_batch", QueueUrl=QUEUE_URL, Entries=[])
    assert got["message"] == (
        "Parameter validation failed:\nInvalid length for parameter Entries, value: 0, "
        "valid min length: 1"
    )


def test_an_exception_class_the_client_lacks_names_those_it_has() -> None:
    client = boto3_standin.modules()["boto3"].client("s3")
    with pytest.raises(AttributeError, match="NoSuchKey, NoSuchBucket, InvalidObjectState"):
        client.exceptions.BucketAlreadyExists  # noqa: B018


def test_type_serializer_and_deserializer_round_trip_with_decimals() -> None:
    types_module = boto3_standin.modules()["boto3.dynamodb.types"]
    value = {"n": Decimal("1.25"), "tags": ["a", True, None], "count": 3}
    wire = types_module.TypeSerializer().serialize(value)
    assert wire == {
        "M": {
            "n": {"N": "1.25"},
            "tags": {"L": [{"S": "a"}, {"BOOL": True}, {"NULL": True}]},
            "count": {"N": "3"},
        }
    }
    back = types_module.TypeDeserializer().deserialize(wire)
    assert back == {"n": Decimal("1.25"), "tags": ["a", True, None], "count": Decimal(3)}
    assert isinstance(back["count"], Decimal)


def test_a_number_a_float_cannot_hold_is_refused_not_rounded() -> None:
    ctx = FakeContext()
    table = boto3_standin.modules()["boto3"].resource("dynamodb").Table("orders")
    with boto3_standin.acting_for(ctx), pytest.raises(BehaviorError, match="cannot hold"):  # type: ignore[arg-type]
        table.put_item(Item={"id": "a", "n": Decimal("0.12345678901234567890123")})
    assert ctx.calls == []


def test_the_body_streams_as_botocores_does() -> None:
    body = boto3_standin.StreamingBody(b"a\nb\nc")
    assert body.read(2) == b"a\n"
    assert list(body.iter_lines()) == [b"b", b"c"]
    assert body.read() == b""


def test_sns_message_attributes_of_each_type_reach_the_topic(s: Session) -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:sdk-dev-alerts"
    attrs = {
        "kind": {"DataType": "String", "StringValue": "order"},
        "n": {"DataType": "Number", "StringValue": "2.5"},
        "tags": {"DataType": "String.Array", "StringValue": '["a", 1]'},
        "raw": {"DataType": "Binary", "BinaryValue": "hi"},
    }
    got = call(s, "sns", "publish", TopicArn=arn, Message="m", MessageAttributes=attrs)
    assert "raised" not in got and "ClientError" not in got, got
    assert [r.resource for r in kinds(s, tk.TOPIC_PUBLISHED)] == ["alerts"]


CALLBACK_STACK = Path(__file__).parents[1] / "docs" / "examples" / "workflow-callback.yml"
APPROVER = '''
import json

import boto3

sfn = boto3.client("stepfunctions")


def approve(event, context):
    """Approve small orders, reject big ones: SendTask* name only the token."""
    for record in event["Records"]:
        body = json.loads(record["body"])
        if body["amount"] > 1000:
            sfn.send_task_failure(taskToken=body["taskToken"], error="Rejected", cause="big")
        else:
            sfn.send_task_success(taskToken=body["taskToken"], output=json.dumps({"ok": True}))
'''


def test_send_task_answers_find_the_state_machine_by_the_token(tmp_path: Path) -> None:
    (tmp_path / "approver_code.py").write_text(textwrap.dedent(APPROVER), encoding="utf-8")
    (tmp_path / "b.yml").write_text(
        'behaviors:\n  approver: {handler: "approver_code:approve"}\n', encoding="utf-8"
    )
    s = Session.open(
        CALLBACK_STACK, behaviors_path=tmp_path / "b.yml", start_ms=START, allow_code=True
    )
    execute(s, """start-execution orderApproval '{"orderId": "o-1", "amount": 5}' --name small""")
    execute(s, """start-execution orderApproval '{"orderId": "o-2", "amount": 5000}' --name big""")
    execute(s, "advance 5s")
    outcomes = [r.data["outcome"] for r in kinds(s, tk.SFN_TASK_CALLBACK)]
    assert sorted(outcomes) == ["failure", "success"]
    assert len(kinds(s, tk.SFN_CAUGHT)) == 1


CHAT_STACK = Path(__file__).parents[1] / "docs" / "examples" / "chat.yml"
ECHO = '''
import boto3


def echo(event, context):
    """Echo through the @connections API, its endpoint built from the event as AWS's
    examples build it."""
    rc = event["requestContext"]
    api = boto3.client(
        "apigatewaymanagementapi", endpoint_url=f"https://{rc['domainName']}/{rc['stage']}"
    )
    api.post_to_connection(ConnectionId=rc["connectionId"], Data=b"echo: " + event["body"].encode())
    return {"statusCode": 200}
'''


def test_post_to_connection_goes_through_the_endpoint_the_client_is_made_with(
    tmp_path: Path,
) -> None:
    (tmp_path / "echo_code.py").write_text(textwrap.dedent(ECHO), encoding="utf-8")
    behaviors = (Path(__file__).parents[1] / "docs" / "examples" / "chat-behaviors.yml").read_text(
        encoding="utf-8"
    )
    start = behaviors.index("  sendMessage:")
    end = behaviors.index("  fallback:")
    behaviors = behaviors[:start] + '  sendMessage: {handler: "echo_code:echo"}\n' + behaviors[end:]
    (tmp_path / "b.yml").write_text(behaviors, encoding="utf-8")
    s = Session.open(CHAT_STACK, behaviors_path=tmp_path / "b.yml", start_ms=START, allow_code=True)
    execute(s, "ws-connect realtime --query token=t-1")
    conn = kinds(s, "ws.connected")[0].data["connection_id"]
    execute(s, f"""ws-send {conn} '{{"action": "sendMessage", "text": "hi"}}'""")
    execute(s, "advance 1s")
    (received,) = kinds(s, "ws.received")
    # `echo: ` and the 39 bytes sent, through the management API.
    assert (received.data["source"], received.data["size"]) == ("management-api", 45)


def test_a_payload_that_is_not_json_is_lambdas_invalid_request_content(s: Session) -> None:
    got = call(s, "lambda", "invoke", FunctionName="other", InvocationType="Event", Payload="{oops")
    assert got["ClientError"] == "InvalidRequestContentException"
    assert got["message"].startswith(
        "An error occurred (InvalidRequestContentException) when calling the Invoke operation: "
        "Could not parse request body into json"
    )
    assert "other" not in [r.resource for r in kinds(s, tk.INVOCATION_STARTED)]


def test_a_session_client_is_the_same_client() -> None:
    sdk = boto3_standin.modules()
    ctx = FakeContext()
    session = sdk["boto3"].Session(region_name="eu-west-1")
    table = session.resource("dynamodb").Table("orders")
    with boto3_standin.acting_for(ctx):  # type: ignore[arg-type]
        session.client("dynamodb").put_item(TableName="orders", Item={"id": {"S": "a"}})
        table.put_item(Item={"id": "b"})
    assert [c[1] for c in ctx.calls] == [("orders", {"id": "a"}), ("orders", {"id": "b"})]


def test_a_number_attribute_that_is_no_number_is_each_services_refusal(s: Session) -> None:
    attrs = {"n": {"DataType": "Number", "StringValue": "many"}}
    sqs = call(
        s, "sqs", "send_message", QueueUrl=QUEUE_URL, MessageBody="x", MessageAttributes=attrs
    )
    assert (sqs["ClientError"], sqs["code"]) == ("ClientError", "InvalidParameterValue")
    arn = "arn:aws:sns:us-east-1:123456789012:sdk-dev-alerts"
    sns = call(s, "sns", "publish", TopicArn=arn, Message="m", MessageAttributes=attrs)
    assert (sns["ClientError"], sns["code"]) == (
        "InvalidParameterValueException",
        "ParameterValueInvalid",
    )
    assert kinds(s, tk.MESSAGE_SENT) == kinds(s, tk.TOPIC_PUBLISHED) == []
