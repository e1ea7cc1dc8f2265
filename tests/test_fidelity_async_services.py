"""Rule-by-rule statements of AWS's and Stacktape's documented behaviour for S3 notifications,
SNS, batch jobs and schedules (reference aws-semantics §5-§7, stacktape-config §2.3, §2.8,
§3.2; Stacktape's own code where its docs say less). Each test names its source."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from stptui.sim import trace as tk
from stptui.sim.engine import SimError, Simulator
from stptui.sim.schedules import parse_schedule
from stptui.sim.services.bucket import encode_key
from tests.simkit import START, capture_inputs, make_sim, records, seconds

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"
CONTAINER = (
    "      container: {packaging: {type: prebuilt-image, properties: {image: x}}}\n"
    "      resources: {cpu: 1, memory: 1024}\n"
)


def function(name: str, *events: dict[str, Any]) -> str:
    lines = [f"  {name}:", "    type: function", "    properties:", f"      {PKG}"]
    if events:
        lines.append("      events:")
        lines += [f"        - {json.dumps(e)}" for e in events]
    return "\n".join(lines) + "\n"


def batch_job(name: str, *events: dict[str, Any], extra: str = "") -> str:
    text = f"  {name}:\n    type: batch-job\n    properties:\n{CONTAINER}{extra}"
    if events:
        text += "      events:\n" + "".join(f"        - {json.dumps(e)}\n" for e in events)
    return text


def s3_event(bucket: str, event_type: str, **rule: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "bucketArn": f"$ResourceParam('{bucket}', 'arn')",
        "s3EventType": event_type,
    }
    if rule:
        props["filterRule"] = rule
    return {"type": "s3", "properties": props}


def handler_events(sim: Simulator) -> list[tuple[str, str, Any]]:
    return capture_inputs(sim, lambda inp: (inp.function, inp.trigger, inp.event()))


def trigger_events(sim: Simulator, job: str) -> list[Any]:
    """STP_TRIGGER_EVENT_DATA of every attempt of `job`, parsed."""
    return [
        json.loads(r.get("env")["STP_TRIGGER_EVENT_DATA"])
        for r in records(sim, tk.BATCH_ATTEMPT_STARTED, job)
    ]


# -- S3 (aws-semantics §5) ---------------------------------------------------------------------

# The Records sample of AWS's S3 user guide (notification-content-structure.md), key by key.
S3_RECORD_KEYS = [
    "eventVersion",
    "eventSource",
    "awsRegion",
    "eventTime",
    "eventName",
    "userIdentity",
    "requestParameters",
    "responseElements",
    "s3",
]

S3_STACK = (
    "resources:\n"
    "  plain: {type: bucket}\n"
    "  drop: {type: bucket}\n"
    "  kept:\n"
    "    type: bucket\n"
    "    properties: {versioning: true}\n"
    + function(
        "onPlain",
        s3_event("plain", "s3:ObjectCreated:*"),
        s3_event("plain", "s3:ObjectRemoved:*", prefix="in/", suffix=".csv"),
    )
    + function(
        "onKept", s3_event("kept", "s3:ObjectCreated:*"), s3_event("kept", "s3:ObjectRemoved:*")
    )
    + batch_job("ingest", s3_event("drop", "s3:ObjectCreated:Copy", suffix=".zip"))
)


@pytest.mark.parametrize(
    ("key", "encoded"),
    [
        ("a b+c.txt", "a+b%2Bc.txt"),  # a real `+` is %2B, a space is + (aws-sdk-net#640)
        ("100%/x", "100%25/x"),
        ("日本/ü.txt", "%E6%97%A5%E6%9C%AC/%C3%BC.txt"),
        ("q?a=1&b", "q%3Fa%3D1%26b"),
    ],
)
def test_event_keys_are_form_url_encoded(key: str, encoded: str) -> None:
    sim = make_sim(S3_STACK)
    seen = handler_events(sim)
    sim.services["buckets"].put_object("plain", key, content=b"x")
    sim.run(1000)
    [(_, _, event)] = seen
    assert event["Records"][0]["s3"]["object"]["key"] == encoded == encode_key(key)


def test_a_put_record_has_aws_s_keys_in_order_and_value_types() -> None:
    sim = make_sim(S3_STACK)
    seen = handler_events(sim)
    sim.services["buckets"].put_object("kept", "in/a.csv", content=b"hello")
    sim.run(1000)
    [(_, trigger, event)] = seen
    assert trigger == "s3" and list(event) == ["Records"]
    [record] = event["Records"]
    assert list(record) == S3_RECORD_KEYS
    assert (record["eventVersion"], record["eventName"]) == ("2.5", "ObjectCreated:Put")
    assert record["eventTime"] == "2026-01-05T08:00:00.000Z"
    assert list(record["s3"]) == ["s3SchemaVersion", "configurationId", "bucket", "object"]
    assert list(record["s3"]["bucket"]) == ["name", "ownerIdentity", "arn", "awsGeneratedTags"]
    obj = record["s3"]["object"]
    assert list(obj) == ["key", "size", "eTag", "versionId", "sequencer"]
    assert obj["size"] == 5 and isinstance(obj["size"], int)
    assert obj["eTag"] == hashlib.md5(b"hello").hexdigest()
    int(obj["sequencer"], 16)  # hex


def test_deletes_carry_no_size_and_a_delete_marker_carries_its_version_and_etag() -> None:
    sim = make_sim(S3_STACK)
    seen = handler_events(sim)
    buckets = sim.services["buckets"]
    buckets.put_object("plain", "in/a.csv", content=b"x")
    buckets.put_object("kept", "k", content=b"x")
    buckets.delete_object("plain", "in/a.csv")
    buckets.delete_object("kept", "k")
    sim.run(1000)
    removed = [e["Records"][0] for _, _, e in seen if "Removed" in e["Records"][0]["eventName"]]
    plain, marker = removed
    assert plain["eventName"] == "ObjectRemoved:Delete"
    assert list(plain["s3"]["object"]) == ["key", "sequencer"]
    # DeleteObject without a version id on a versioned bucket (LS-S3, AWS-validated).
    assert marker["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    # Events captured from S3 give the marker the empty object's ETag (no size).
    assert list(marker["s3"]["object"]) == ["key", "eTag", "versionId", "sequencer"]
    assert marker["s3"]["object"]["eTag"] == hashlib.md5(b"").hexdigest()
    [version] = [v for v in buckets.buckets["kept"].versions["k"] if v.delete_marker]
    assert marker["s3"]["object"]["versionId"] == version.version_id


def _stacktape_configuration_id(lambda_arn: str, event_type: str, rule: str | None) -> str:
    """Stacktape's `getNotificationConfigurationId` (stacktapeServiceLambda, s3-event.ts):
    SHA-1 of the Lambda ARN, the event type and, when set, `JSON.stringify(filterRule)`."""
    digest = hashlib.sha1(lambda_arn.encode())
    digest.update(event_type.encode())
    if rule is not None:
        digest.update(rule.encode())
    return digest.hexdigest()


def test_the_configuration_id_is_the_one_stacktape_gives_the_notification() -> None:
    sim = make_sim(S3_STACK)
    seen = handler_events(sim)
    buckets = sim.services["buckets"]
    buckets.put_object("plain", "in/a.csv", content=b"x")
    buckets.delete_object("plain", "in/a.csv")
    buckets.put_object("drop", "b.zip", content=b"x", operation="copy")
    sim.run(1000)
    fn_arn = sim.resource_param("onPlain", "arn")
    created, removed = (e["Records"][0]["s3"]["configurationId"] for _, _, e in seen)
    assert created == _stacktape_configuration_id(fn_arn, "s3:ObjectCreated:*", None)
    assert removed == _stacktape_configuration_id(
        fn_arn, "s3:ObjectRemoved:*", '{"prefix":"in/","suffix":".csv"}'
    )
    # A batch job's notification targets its trigger function, `{stack}-{job}`.
    [event] = trigger_events(sim, "ingest")
    job_lambda = fn_arn.replace("-onPlain", "-ingest")
    assert event["Records"][0]["s3"]["configurationId"] == _stacktape_configuration_id(
        job_lambda, "s3:ObjectCreated:Copy", '{"suffix":".zip"}'
    )
    assert event["Records"][0]["eventName"] == "ObjectCreated:Copy"


def test_a_multipart_upload_is_complete_multipart_upload_with_a_part_count_etag() -> None:
    sim = make_sim(S3_STACK)
    seen = handler_events(sim)
    sim.services["buckets"].put_object("plain", "big.bin", size=20 * 1024**2, operation="multipart")
    sim.run(1000)
    [(_, _, event)] = seen
    record = event["Records"][0]
    assert record["eventName"] == "ObjectCreated:CompleteMultipartUpload"
    assert record["s3"]["object"]["eTag"].endswith("-3")  # 8 MiB parts: 3 of them


# -- SNS (stacktape-config §2.8, §3.2) ---------------------------------------------------------

SNS_STACK = "resources:\n  alerts: {type: sns-topic}\n" + function(
    "reader", {"type": "sns", "properties": {"snsTopicName": "alerts"}}
)


def test_the_lambda_sns_record_has_the_keys_lambda_delivers_in_its_order() -> None:
    # Order as in events captured from Lambda (serverless/event-mocks sns-template.json, and
    # gists of real invocations): Subject is null when the message has none.
    sim = make_sim(SNS_STACK)
    seen = handler_events(sim)
    sim.services["topics"].publish("alerts", "m", attributes={"n": 5, "tags": ["a", "b"]})
    sim.run(1000)
    [(_, _, event)] = seen
    [record] = event["Records"]
    assert list(record) == ["EventSource", "EventVersion", "EventSubscriptionArn", "Sns"]
    assert list(record["Sns"]) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertUrl",
        "UnsubscribeUrl",
        "MessageAttributes",
    ]
    assert record["Sns"]["Subject"] is None
    # "This data type isn't supported for AWS Lambda subscriptions. If you specify this data
    # type for Lambda endpoints, it's passed as the String data type in the JSON payload that
    # Amazon SNS delivers to Lambda" (SNS developer guide, on Number and on String.Array); a
    # captured event agrees (spring-media/aws-lambda-router sns.json: an array as "String").
    assert record["Sns"]["MessageAttributes"] == {
        "n": {"Type": "String", "Value": "5"},
        "tags": {"Type": "String", "Value": '["a","b"]'},
    }


def test_a_fifo_topic_delivers_to_no_function_or_batch_job() -> None:
    # "FIFO topics only allow SQS FIFO queues as subscription" (AWS re:Post; SNS developer
    # guide, fifo-message-delivery): SNS refuses a lambda subscription, so nothing is invoked.
    sim = make_sim(
        "resources:\n"
        + function(
            "reader",
            {
                "type": "sns",
                "properties": {"snsTopicArn": "arn:aws:sns:us-east-1:123456789012:orders.fifo"},
            },
        ),
    )
    topics = sim.services["topics"]
    topics.publish("arn:aws:sns:us-east-1:123456789012:orders.fifo", "m", group="g", dedup_id="d")
    sim.run(1000)
    assert records(sim, tk.INVOCATION_STARTED) == []
    [filtered] = records(sim, tk.NOTIFICATION_FILTERED)
    assert filtered.get("target") == "reader"
    assert "FIFO topic" in " ".join(filtered.get("reason"))
    [topic] = [t for t in topics.listing() if t["fifo"]]
    assert "FIFO topic" in topic["subscriptions"][0]["problems"][0]


# -- batch jobs (stacktape-config §2.3; Stacktape batch-jobs/utils.ts) --------------------------


def test_a_zero_retry_multiplier_counts_as_one_as_in_stacktape_s_state_machine() -> None:
    # `retryIntervalSeconds * i * (retryIntervalMultiplier || 1)`: 0 is falsy in JavaScript.
    sim = make_sim(
        "resources:\n"
        + batch_job(
            "j",
            extra="      retryConfig: {attempts: 3, retryIntervalSeconds: 10, "
            "retryIntervalMultiplier: 0}\n",
        ),
        "behaviors:\n  j: {duration: 1s, fail: true}\n",
    )
    sim.services["batch"].start("j", {}, "manual", "test")
    sim.run(3_600_000)
    assert seconds(sim, tk.BATCH_ATTEMPT_STARTED, "j") == [0, 11, 32]


BATCH_TRIGGERS = (
    "resources:\n"
    "  bus: {type: event-bus}\n"
    "  topic: {type: sns-topic}\n"
    "  jobs: {type: sqs-queue}\n"
    + batch_job(
        "job",
        {
            "type": "event-bus",
            "properties": {"eventBusName": "bus", "eventPattern": {"source": ["a"]}},
        },
        {"type": "sns", "properties": {"snsTopicName": "topic"}},
        {"type": "sqs", "properties": {"sqsQueueName": "jobs"}},
        {"type": "schedule", "properties": {"scheduleRate": "rate(1 hour)", "input": {"x": 1}}},
        {"type": "schedule", "properties": {"scheduleRate": "rate(2 hours)"}},
    )
)


def test_stp_trigger_event_data_is_the_raw_event_the_trigger_function_received() -> None:
    # batchJobTriggerLambda: `triggerEvent: JSON.stringify(event)` of the Lambda event as is.
    sim = make_sim(BATCH_TRIGGERS)
    sim.services["buses"].publish_event("bus", {"Source": "a", "DetailType": "t", "Detail": {}})
    sim.services["topics"].publish("topic", "hello")
    sim.send("jobs", "body")
    sim.until(START + 2 * 3_600_000)
    # One attempt per execution (the default): the n-th attempt belongs to the n-th execution.
    pairs = [
        (r.get("trigger"), event)
        for r, event in zip(
            records(sim, tk.BATCH_SUBMITTED, "job"), trigger_events(sim, "job"), strict=True
        )
    ]
    [bus] = [e for t, e in pairs if t == "event-bus"]
    [sns] = [e for t, e in pairs if t == "sns"]
    [sqs] = [e for t, e in pairs if t == "sqs"]
    assert list(bus) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert sns["Records"][0]["EventSource"] == "aws:sns"
    assert sns["Records"][0]["Sns"]["Message"] == "hello"
    assert sqs["Records"][0]["body"] == "body" and sqs["Records"][0]["eventSource"] == "aws:sqs"
    # Hour 1: the rule with the `input` constant; hour 2: both rules.
    scheduled = [e for t, e in pairs if t == "schedule"]
    assert scheduled.count({"x": 1}) == 2 and scheduled[0] == {"x": 1}
    [envelope] = [e for e in scheduled if e != {"x": 1}]
    assert envelope["detail-type"] == "Scheduled Event" and envelope["detail"] == {}
    assert envelope["source"] == "aws.events" and envelope["resources"][0].startswith(
        "arn:aws:events:"
    )


# -- schedules (aws-semantics §6) --------------------------------------------------------------


def _fires(expression: str, after: str, n: int) -> list[str]:
    start = datetime.fromisoformat(after).replace(tzinfo=UTC)
    return [d.strftime("%Y-%m-%dT%H:%M") for d in parse_schedule(expression).next_fires(start, n)]


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        # L is the month's last day: 29 in a leap February, 28 otherwise.
        ("cron(0 0 L 2 ? *)", "2023-01-01T00:00", ["2023-02-28T00:00", "2024-02-29T00:00"]),
        # Day 29 of February exists only in leap years (2100 is not one).
        ("cron(0 0 29 2 ? *)", "2096-03-01T00:00", ["2104-02-29T00:00"]),
        # LW: the last weekday; 2024-03-31 is a Sunday, so Friday the 29th.
        ("cron(0 0 LW 3 ? 2024)", "2024-01-01T00:00", ["2024-03-29T00:00"]),
        # 1W on Saturday 2022-01-01 stays in January: Monday the 3rd (Quartz).
        ("cron(0 0 1W 1 ? 2022)", "2021-12-01T00:00", ["2022-01-03T00:00"]),
        # 31W on Sunday 2024-03-31 moves back to Friday the 29th.
        ("cron(0 0 31W 3 ? 2024)", "2024-01-01T00:00", ["2024-03-29T00:00"]),
        # 6L: the last Friday; 2#5: a fifth Monday, only in months that have one.
        ("cron(0 0 ? 2 6L 2024)", "2024-01-01T00:00", ["2024-02-23T00:00"]),
        ("cron(0 0 ? * 2#5 2024)", "2024-01-01T00:00", ["2024-01-29T00:00", "2024-04-29T00:00"]),
        # Day-of-week 1 is Sunday (not Monday as in Unix cron).
        ("cron(0 9 ? * 1 *)", "2026-01-05T00:00", ["2026-01-11T09:00"]),
        # UTC, no daylight saving: 02:30 exists on the last Sunday of March.
        ("cron(30 2 ? 3 1L 2026)", "2026-01-01T00:00", ["2026-03-29T02:30"]),
    ],
)
def test_cron_month_end_leap_year_and_utc_rules(
    expression: str, after: str, expected: list[str]
) -> None:
    assert _fires(expression, after, len(expected)) == expected


def test_rate_first_fires_one_period_after_the_start() -> None:
    sim = make_sim(
        "resources:\n"
        + function("tick", {"type": "schedule", "properties": {"scheduleRate": "rate(5 minutes)"}})
    )
    sim.until(START + 16 * 60_000)
    assert seconds(sim, tk.SCHEDULE_FIRED, "tick") == [300, 600, 900]


def test_a_string_input_is_delivered_as_the_json_text_it_holds() -> None:
    # Stacktape passes a string `input` through unchanged (functions/events/schedule).
    sim = make_sim(
        "resources:\n"
        + function(
            "tick",
            {
                "type": "schedule",
                "properties": {"scheduleRate": "rate(1 minute)", "input": '{"a": [1]}'},
            },
        )
    )
    seen = handler_events(sim)
    sim.until(START + 60_000)
    [(_, trigger, event)] = seen
    assert trigger == "schedule" and event == {"a": [1]}


def test_a_subject_may_be_any_utf8_text_without_control_characters() -> None:
    # Publish API reference (botocore sns model): "Subjects must be UTF-8 text with no line
    # breaks or control characters, and less than 100 characters long."
    sim = make_sim(SNS_STACK)
    seen = handler_events(sim)
    topics = sim.services["topics"]
    topics.publish("alerts", "m", subject="Bestellung für Zoë ✓")
    sim.run(1000)
    [(_, _, event)] = seen
    assert event["Records"][0]["Sns"]["Subject"] == "Bestellung für Zoë ✓"
    for bad in ("tab\there", "bell\x07"):
        with pytest.raises(SimError, match="Subject must be"):
            topics.publish("alerts", "m", subject=bad)


def test_a_standard_topic_takes_a_message_group_id_but_no_deduplication_id() -> None:
    # Publish API reference: "For standard topics: The MessageGroupId is optional and is
    # forwarded only to Amazon SQS standard subscriptions"; MessageDeduplicationId "applies
    # only to FIFO topics". Both hold at most 128 letters, digits and punctuation.
    sim = make_sim(SNS_STACK)
    seen = handler_events(sim)
    topics = sim.services["topics"]
    topics.publish("alerts", "m", group="tenant-7")
    sim.run(1000)
    [(_, _, event)] = seen
    assert "MessageGroupId" not in json.dumps(event)  # not sent to a Lambda subscription
    with pytest.raises(SimError, match="FIFO"):
        topics.publish("alerts", "m", dedup_id="d")
    for bad in ("g" * 129, "with space", "ü"):
        with pytest.raises(SimError, match="MessageGroupId"):
            topics.publish("alerts", "m", group=bad)


def test_a_message_may_carry_more_than_ten_attributes_to_a_lambda_subscription() -> None:
    # SNS developer guide, message attributes: "For SQS subscriptions, a maximum of 10
    # message attributes can be sent when Raw Message Delivery is enabled. To send more than
    # 10 message attributes, Raw Message Delivery must be disabled." The limit is the raw SQS
    # delivery's, not Publish's; Stacktape's subscriptions are all Lambda ones.
    sim = make_sim(SNS_STACK)
    seen = handler_events(sim)
    attributes = {f"a{i}": str(i) for i in range(12)}
    sim.services["topics"].publish("alerts", "m", attributes=attributes)
    sim.run(1000)
    [(_, _, event)] = seen
    assert len(event["Records"][0]["Sns"]["MessageAttributes"]) == 12
