"""Every AWS payload stptui builds, key by key, in order and type, against AWS's samples.

Each test lists, for every object in the payload (the first element standing for a list's
elements), its keys in order with their JSON types, as the sample it names has them:
the Lambda developer guide (with-sqs.md, invocation-async.md), the S3 user guide
(notification-content-structure.md, EventBridge examples), the EventBridge user guide
(eb-events.md), the API Gateway developer guide (http-api-develop-integrations-lambda.md),
the SAM CLI's generated sample events, and events captured from AWS where the guides'
samples show optional parts (mTLS, authorizers, versioned buckets) a plain request does
not have. Where stptui differs on purpose, docs/fidelity.md says why."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stptui.sim.behavior import parse_override
from stptui.sim.engine import Simulator
from tests.simkit import capture_inputs, make_sim

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"
MEDIA = "$ResourceParam('media', 'arn')"
STACK = f"""
resources:
  bus: {{type: event-bus}}
  topic: {{type: sns-topic}}
  failures: {{type: sqs-queue}}
  successes: {{type: sqs-queue}}
  std: {{type: sqs-queue}}
  fifo: {{type: sqs-queue, properties: {{fifoEnabled: true, contentBasedDeduplication: true}}}}
  busQueue:
    type: sqs-queue
    properties:
      events:
        - type: event-bus
          properties: {{eventBusName: bus, eventPattern: {{source: [shop]}}}}
  media:
    type: bucket
    properties: {{enableEventBusNotifications: true}}
  api:
    type: http-api-gateway
  worker:
    type: function
    properties:
      {PKG}
      destinations:
        onFailure: $ResourceParam('failures', 'arn')
        onSuccess: $ResourceParam('successes', 'arn')
      events:
        - {{type: sqs, properties: {{sqsQueueName: std}}}}
        - {{type: sqs, properties: {{sqsQueueName: fifo}}}}
        - type: s3
          properties: {{bucketArn: "{MEDIA}", s3EventType: "s3:ObjectCreated:*"}}
        - type: s3
          properties: {{bucketArn: "{MEDIA}", s3EventType: "s3:ObjectRemoved:*"}}
        - {{type: event-bus, properties: {{eventBusName: bus, eventPattern: {{source: [shop]}}}}}}
        - type: event-bus
          properties: {{useDefaultBus: true, eventPattern: {{source: [aws.s3]}}}}
        - {{type: schedule, properties: {{scheduleRate: rate(1 hour)}}}}
        - {{type: sns, properties: {{snsTopicName: topic}}}}
        - type: http-api-gateway
          properties:
            {{httpApiGatewayName: api, method: POST, path: '/v2/{{id}}', payloadFormat: '2.0'}}
  legacy:
    type: function
    properties:
      {PKG}
      events:
        - type: http-api-gateway
          properties: {{httpApiGatewayName: api, method: GET, path: '/v1/{{id}}'}}
"""

Shape = dict[str, list[tuple[str, str]]]


def shape(value: Any, path: str = "") -> Shape:
    """Every object's keys in order with their JSON types, by path (`[0]` for a list)."""
    out: Shape = {}
    if isinstance(value, dict):
        out[path or "."] = [(k, _json_type(v)) for k, v in value.items()]
        for k, v in value.items():
            out.update(shape(v, f"{path}.{k}"))
    elif isinstance(value, list) and value and isinstance(value[0], (dict, list)):
        out.update(shape(value[0], f"{path}[0]"))
    return out


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


@pytest.fixture
def sim() -> Simulator:
    return make_sim(STACK)


def events_of(sim: Simulator, trigger: str) -> list[Any]:
    """Run the clock a minute and return the events `worker` got from `trigger`."""
    seen = capture_inputs(sim, lambda inp: (inp.trigger, inp.event()))
    sim.run(60_000)
    return [event for got, event in seen if got == trigger]


S = "string"
N = "number"

SQS_RECORD = [
    ("messageId", S),
    ("receiptHandle", S),
    ("body", S),
    ("attributes", "object"),
    ("messageAttributes", "object"),
    ("md5OfBody", S),
    ("eventSource", S),
    ("eventSourceARN", S),
    ("awsRegion", S),
]


def test_sqs_standard_record_is_the_lambda_guides_sample(sim: Simulator) -> None:
    sim.send("std", "hello")
    [event] = events_of(sim, "sqs")
    assert shape(event) == {
        ".": [("Records", "array")],
        ".Records[0]": SQS_RECORD,
        ".Records[0].attributes": [
            ("ApproximateReceiveCount", S),
            ("SentTimestamp", S),
            ("SenderId", S),
            ("ApproximateFirstReceiveTimestamp", S),
        ],
        ".Records[0].messageAttributes": [],
    }


def test_sqs_record_with_message_attributes_as_lambda_delivers_them(sim: Simulator) -> None:
    # Events captured from Lambda: each attribute has stringValue, stringListValues,
    # binaryListValues and dataType, and md5OfMessageAttributes comes before md5OfBody.
    sim.send("std", "hello", attrs={"a": "b"})
    [event] = events_of(sim, "sqs")
    record = [*SQS_RECORD[:5], ("md5OfMessageAttributes", S), *SQS_RECORD[5:]]
    got = shape(event)
    assert got[".Records[0]"] == record
    assert got[".Records[0].messageAttributes.a"] == [
        ("stringValue", S),
        ("stringListValues", "array"),
        ("binaryListValues", "array"),
        ("dataType", S),
    ]


def test_sqs_fifo_record_is_the_lambda_guides_sample(sim: Simulator) -> None:
    sim.send("fifo", "hello", group="g")
    [event] = events_of(sim, "sqs")
    got = shape(event)
    assert got[".Records[0]"] == SQS_RECORD
    assert got[".Records[0].attributes"] == [
        ("ApproximateReceiveCount", S),
        ("SentTimestamp", S),
        ("SequenceNumber", S),
        ("MessageGroupId", S),
        ("SenderId", S),
        ("MessageDeduplicationId", S),
        ("ApproximateFirstReceiveTimestamp", S),
    ]


CLOUDFORMATION_TAGS = [
    ("aws:cloudformation:stack-id", S),
    ("aws:cloudformation:logical-id", S),
    ("aws:cloudformation:stack-name", S),
]

S3_RECORD: Shape = {
    ".": [("Records", "array")],
    ".Records[0]": [
        ("eventVersion", S),
        ("eventSource", S),
        ("awsRegion", S),
        ("eventTime", S),
        ("eventName", S),
        ("userIdentity", "object"),
        ("requestParameters", "object"),
        ("responseElements", "object"),
        ("s3", "object"),
    ],
    ".Records[0].userIdentity": [("principalId", S)],
    ".Records[0].requestParameters": [("sourceIPAddress", S)],
    ".Records[0].responseElements": [("x-amz-request-id", S), ("x-amz-id-2", S)],
    ".Records[0].s3": [
        ("s3SchemaVersion", S),
        ("configurationId", S),
        ("bucket", "object"),
        ("object", "object"),
    ],
    # Version 2.5 of the S3 guide's structure adds `awsGeneratedTags` after `arn`: the
    # bucket's `aws:` tags, the three CloudFormation gives every bucket it makes (a blog post's
    # event captured from S3 in July 2026 has them in this order, as does the EventBridge
    # example of the guide).
    ".Records[0].s3.bucket": [
        ("name", S),
        ("ownerIdentity", "object"),
        ("arn", S),
        ("awsGeneratedTags", "object"),
    ],
    ".Records[0].s3.bucket.ownerIdentity": [("principalId", S)],
    ".Records[0].s3.bucket.awsGeneratedTags": CLOUDFORMATION_TAGS,
}


def test_s3_put_record_is_the_sam_put_sample(sim: Simulator) -> None:
    # An unversioned bucket: no versionId (the S3 guide's sample is of a versioned one).
    sim.services["buckets"].put_object("media", "a b", content=b"abc")
    [event] = events_of(sim, "s3")
    assert shape(event) == {
        **S3_RECORD,
        ".Records[0].s3.object": [("key", S), ("size", N), ("eTag", S), ("sequencer", S)],
    }


def test_s3_delete_record_is_the_sam_delete_sample(sim: Simulator) -> None:
    sim.services["buckets"].put_object("media", "a b", content=b"abc")
    sim.run(60_000)
    seen = capture_inputs(sim, lambda inp: (inp.trigger, inp.event()))
    sim.services["buckets"].delete_object("media", "a b")
    sim.run(60_000)
    [event] = [e for t, e in seen if t == "s3"]
    assert shape(event) == {**S3_RECORD, ".Records[0].s3.object": [("key", S), ("sequencer", S)]}


ENVELOPE = [
    ("version", S),
    ("id", S),
    ("detail-type", S),
    ("source", S),
    ("account", S),
    ("time", S),
    ("region", S),
    ("resources", "array"),
    ("detail", "object"),
]


def test_eventbridge_event_to_lambda_is_the_eventbridge_guides_envelope(sim: Simulator) -> None:
    sim.services["buses"].publish("bus", "shop", "Ordered", '{"n": 1}')
    [event] = events_of(sim, "event-bus")
    assert shape(event) == {".": ENVELOPE, ".detail": [("n", N)]}


def test_eventbridge_event_to_sqs_is_the_same_envelope_as_the_body(sim: Simulator) -> None:
    sim.services["buses"].publish("bus", "shop", "Ordered", '{"n": 1}')
    [msg] = sim.queues["busQueue"].listing()
    assert shape(json.loads(msg.body)) == {".": ENVELOPE, ".detail": [("n", N)]}


def test_scheduled_event_is_the_validated_schedule_sample(sim: Simulator) -> None:
    # The SAM sample has no `version`; the event recorded from AWS (LocalStack's validated
    # snapshot) and the EventBridge guide's envelope do, first.
    sim.services["schedules"].fire("worker")
    [event] = events_of(sim, "schedule")
    assert shape(event) == {".": ENVELOPE, ".detail": []}
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"


def test_s3_object_created_to_eventbridge_is_the_s3_guides_example(sim: Simulator) -> None:
    sim.services["buckets"].put_object("media", "a b", content=b"abc")
    created = [e for e in events_of(sim, "event-bus") if e["source"] == "aws.s3"]
    assert shape(created[0]) == {
        ".": ENVELOPE,
        ".detail": [
            ("version", S),
            ("event-version", S),
            ("bucket", "object"),
            ("object", "object"),
            ("request-id", S),
            ("requester", S),
            ("source-ip-address", S),
            ("reason", S),
        ],
        ".detail.bucket": [("name", S), ("aws-generated-tags", "object")],
        ".detail.bucket.aws-generated-tags": CLOUDFORMATION_TAGS,
        ".detail.object": [("key", S), ("size", N), ("etag", S), ("sequencer", S)],
    }


def test_s3_object_deleted_to_eventbridge_is_the_s3_guides_example(sim: Simulator) -> None:
    # The guide's delete example shows no tags, but its field list says `aws-generated-tags` is
    # there whenever the bucket has AWS's tags, as every bucket CloudFormation makes has.
    sim.services["buckets"].put_object("media", "a b", content=b"abc")
    sim.run(60_000)
    seen = capture_inputs(sim, lambda inp: (inp.trigger, inp.event()))
    sim.services["buckets"].delete_object("media", "a b")
    sim.run(60_000)
    [deleted] = [e for t, e in seen if t == "event-bus"]
    assert shape(deleted) == {
        ".": ENVELOPE,
        ".detail": [
            ("version", S),
            ("event-version", S),
            ("bucket", "object"),
            ("object", "object"),
            ("request-id", S),
            ("requester", S),
            ("source-ip-address", S),
            ("reason", S),
            ("deletion-type", S),
        ],
        ".detail.bucket": [("name", S), ("aws-generated-tags", "object")],
        ".detail.bucket.aws-generated-tags": CLOUDFORMATION_TAGS,
        ".detail.object": [("key", S), ("sequencer", S)],
    }


def test_sns_record_is_the_sam_sns_sample(sim: Simulator) -> None:
    sim.services["topics"].publish("topic", "m", subject="s", attributes={"x": "y"})
    [event] = events_of(sim, "sns")
    assert shape(event) == {
        ".": [("Records", "array")],
        ".Records[0]": [
            ("EventSource", S),
            ("EventVersion", S),
            ("EventSubscriptionArn", S),
            ("Sns", "object"),
        ],
        ".Records[0].Sns": [
            ("Type", S),
            ("MessageId", S),
            ("TopicArn", S),
            ("Subject", S),
            ("Message", S),
            ("Timestamp", S),
            ("SignatureVersion", S),
            ("Signature", S),
            ("SigningCertUrl", S),
            ("UnsubscribeUrl", S),
            ("MessageAttributes", "object"),
        ],
        ".Records[0].Sns.MessageAttributes": [("x", "object")],
        ".Records[0].Sns.MessageAttributes.x": [("Type", S), ("Value", S)],
    }


def test_http_api_payload_2_0_is_the_api_gateway_guides_sample(sim: Simulator) -> None:
    # Without mTLS, an authorizer or stage variables, `authentication`, `authorizer` and
    # `stageVariables` are absent, as in events captured from AWS.
    seen = capture_inputs(sim, lambda inp: inp.event())
    sim.services["http"].call(
        "POST", "/v2/7?a=1", '{"n": 1}', headers=[("cookie", "c=1")], gateway="api"
    )
    [event] = seen
    got = shape(event)
    assert got["."] == [
        ("version", S),
        ("routeKey", S),
        ("rawPath", S),
        ("rawQueryString", S),
        ("cookies", "array"),
        ("headers", "object"),
        ("queryStringParameters", "object"),
        ("requestContext", "object"),
        ("body", S),
        ("pathParameters", "object"),
        ("isBase64Encoded", "boolean"),
    ]
    assert got[".requestContext"] == [
        ("accountId", S),
        ("apiId", S),
        ("domainName", S),
        ("domainPrefix", S),
        ("http", "object"),
        ("requestId", S),
        ("routeKey", S),
        ("stage", S),
        ("time", S),
        ("timeEpoch", N),
    ]
    assert got[".requestContext.http"] == [
        ("method", S),
        ("path", S),
        ("protocol", S),
        ("sourceIp", S),
        ("userAgent", S),
    ]


def test_http_api_payload_1_0_is_the_api_gateway_guides_sample(sim: Simulator) -> None:
    seen = capture_inputs(sim, lambda inp: inp.event())
    sim.services["http"].call("GET", "/v1/7?q=1", gateway="api")
    [event] = seen
    got = shape(event)
    assert got["."] == [
        ("version", S),
        ("resource", S),
        ("path", S),
        ("httpMethod", S),
        ("headers", "object"),
        ("multiValueHeaders", "object"),
        ("queryStringParameters", "object"),
        ("multiValueQueryStringParameters", "object"),
        ("requestContext", "object"),
        ("pathParameters", "object"),
        ("stageVariables", "null"),
        ("body", "null"),
        ("isBase64Encoded", "boolean"),
    ]
    # No `authorizer` without one, as in events captured from AWS (the guide's sample shows
    # one with null claims).
    assert got[".requestContext"] == [
        ("accountId", S),
        ("apiId", S),
        ("domainName", S),
        ("domainPrefix", S),
        ("extendedRequestId", S),
        ("httpMethod", S),
        ("identity", "object"),
        ("path", S),
        ("protocol", S),
        ("requestId", S),
        ("requestTime", S),
        ("requestTimeEpoch", N),
        ("resourceId", S),
        ("resourcePath", S),
        ("stage", S),
    ]
    # `cognitoAmr` is in every event captured from AWS (2021-2024), though not in the guide's
    # sample; `clientCert` only with mTLS.
    assert got[".requestContext.identity"] == [
        ("accessKey", "null"),
        ("accountId", "null"),
        ("caller", "null"),
        ("cognitoAmr", "null"),
        ("cognitoAuthenticationProvider", "null"),
        ("cognitoAuthenticationType", "null"),
        ("cognitoIdentityId", "null"),
        ("cognitoIdentityPoolId", "null"),
        ("principalOrgId", "null"),
        ("sourceIp", S),
        ("user", "null"),
        ("userAgent", S),
        ("userArn", "null"),
    ]


RECORD = [
    ("version", S),
    ("timestamp", S),
    ("requestContext", "object"),
    ("requestPayload", "object"),
    ("responseContext", "object"),
]
REQUEST_CONTEXT = [
    ("requestId", S),
    ("functionArn", S),
    ("condition", S),
    ("approximateInvokeCount", N),
]


def test_on_failure_destination_record_is_the_lambda_guides_sample(sim: Simulator) -> None:
    sim.functions["worker"].overrides.append(parse_override(["fail", "worker", "always"]))
    sim.invoke_async("worker", {"n": 1}, "event-bus", "test")
    sim.run(3_600_000)
    [msg] = sim.queues["failures"].listing()
    assert shape(json.loads(msg.body)) == {
        ".": [*RECORD, ("responsePayload", "object")],
        ".requestContext": REQUEST_CONTEXT,
        ".requestPayload": [("n", N)],
        ".responseContext": [("statusCode", N), ("executedVersion", S), ("functionError", S)],
        # The Node.js runtime's error response (the stack's entry file is TypeScript).
        ".responsePayload": [("errorType", S), ("errorMessage", S), ("trace", "array")],
    }


def test_on_success_destination_record_has_no_function_error(sim: Simulator) -> None:
    sim.invoke_async("worker", {"n": 1}, "event-bus", "test")
    sim.run(60_000)
    [msg] = sim.queues["successes"].listing()
    assert shape(json.loads(msg.body)) == {
        ".": [*RECORD, ("responsePayload", "null")],
        ".requestContext": REQUEST_CONTEXT,
        ".requestPayload": [("n", N)],
        ".responseContext": [("statusCode", N), ("executedVersion", S)],
    }
