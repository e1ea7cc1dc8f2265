"""`validate` checks Kinesis streams and stream events by Stacktape's types
(`KinesisStreamProps`, `KinesisIntegrationProps`, `DynamoDbIntegrationProps`) and AWS's
ranges, so that a stream the simulator would read with a default is refused instead."""

from __future__ import annotations

import pytest

from stptui.config import load_stack_text
from stptui.config import normalize_schema as norm

BASE = """
serviceName: s
resources:
  clicks:
    type: kinesis-stream
    properties: {STREAM}
  table:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: id, type: string}}
      streamType: NEW_IMAGE
  failed:
    type: sqs-queue
  reader:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: {TYPE}
          properties: {EVENT}
"""


TABLE_STREAM = "streamArn: \"$ResourceParam('table', 'streamArn')\""


def diagnostics(event: str, etype: str = "kinesis-stream", stream: str = "{}") -> list[str]:
    text = BASE.replace("{STREAM}", stream).replace("{TYPE}", etype).replace("{EVENT}", event)
    stack = load_stack_text(text, "stacktape.yml")
    return [d.format() for d in stack.errors]


def test_a_good_stream_and_events_load_clean() -> None:
    assert (
        diagnostics("{kinesisStreamName: clicks, batchSize: 500, startingPosition: LATEST}") == []
    )
    assert (
        diagnostics(
            "{streamArn: \"$ResourceParam('table', 'streamArn')\", batchSize: 1000}",
            "dynamo-db-stream",
        )
        == []
    )


@pytest.mark.parametrize(
    ("event", "etype", "words"),
    [
        ("{kinesisStreamName: clicks, batchSize: 0}", "kinesis-stream", "batchSize"),
        ("{kinesisStreamName: clicks, batchSize: 10001}", "kinesis-stream", "batchSize"),
        (
            "{streamArn: \"$ResourceParam('table', 'streamArn')\", batchSize: 1001}",
            "dynamo-db-stream",
            "batchSize",
        ),
        ("{kinesisStreamName: clicks, startingPosition: EARLIEST}", "kinesis-stream", "LATEST"),
        ("{kinesisStreamName: clicks, parallelizationFactor: 11}", "kinesis-stream", "11"),
        (
            "{kinesisStreamName: clicks, maximumRetryAttempts: -2}",
            "kinesis-stream",
            "is -2; allowed: -1 to 10000",  # not `-1-10000`, which reads as a subtraction
        ),
        ("{kinesisStreamName: clicks, maxBatchWindowSeconds: 301}", "kinesis-stream", "301"),
        ("{kinesisStreamName: clicks, batchSise: 5}", "kinesis-stream", "batchSize"),
        ("{batchSize: 5}", "kinesis-stream", "kinesisStreamName"),
        (
            "{kinesisStreamName: clicks, streamArn: arn:aws:kinesis:us-east-1:1:stream/x}",
            "kinesis-stream",
            "exactly one",
        ),
        (
            "{kinesisStreamName: clicks, consumerArn: x, autoCreateConsumer: true}",
            "kinesis-stream",
            "autoCreateConsumer",
        ),
        (
            "{kinesisStreamName: clicks, onFailure: {arn: x, type: lambda}}",
            "kinesis-stream",
            "lambda",
        ),
        ("{kinesisStreamName: clicks, onFailure: {type: sqs}}", "kinesis-stream", "arn"),
        ("{batchSize: 5}", "dynamo-db-stream", "streamArn"),
    ],
)
def test_a_bad_stream_event_is_an_error_that_names_the_property(
    event: str, etype: str, words: str
) -> None:
    found = diagnostics(event, etype)
    assert any("error" in d and words in d for d in found), found


@pytest.mark.parametrize(
    ("prop", "etype", "words"),
    [
        ("maximumRecordAgeInSeconds: 60", "kinesis-stream", "retried until its records expire"),
        ("tumblingWindowInSeconds: 30", "kinesis-stream", "tumbling windows"),
        ("functionResponseTypes: [ReportBatchItemFailures]", "kinesis-stream", "behaviours file"),
        ("reportBatchItemFailures: true", "dynamo-db-stream", "sets no FunctionResponseTypes"),
        ("startingPositionTimestamp: 1700000000", "kinesis-stream", "AT_TIMESTAMP"),
    ],
)
def test_aws_mapping_settings_stacktape_lacks_say_so_not_did_you_mean(
    prop: str, etype: str, words: str
) -> None:
    # services-kinesis-parameters lists MaximumRecordAgeInSeconds, TumblingWindowInSeconds,
    # FunctionResponseTypes and StartingPositionTimestamp; KinesisIntegrationProps and
    # DynamoDbIntegrationProps have none of them (`tumblingWindowInSeconds` used to get
    # "did you mean `maxBatchWindowSeconds`?").
    source = "kinesisStreamName: clicks" if etype == "kinesis-stream" else TABLE_STREAM
    (found,) = diagnostics(f"{{{source}, {prop}}}", etype)
    assert "error unknown-property" in found and words in found, found
    assert "did you mean" not in found


@pytest.mark.parametrize(
    ("stream", "words"),
    [
        ("{retentionPeriodHours: 12}", "retentionPeriodHours"),
        ("{capacityMode: SERVERLESS}", "capacityMode"),
        ("{shardCount: 0}", "shardCount"),
        ("{shardCont: 2}", "shardCount"),
    ],
)
def test_a_bad_stream_is_an_error(stream: str, words: str) -> None:
    found = diagnostics("{kinesisStreamName: clicks}", stream=stream)
    assert any("error" in d and words in d for d in found), found


def test_the_event_table_holds_the_names_of_stacktapes_types() -> None:
    # events.d.ts (stacktape/stacktape, 2776c213): KinesisIntegrationProps.
    assert set(norm.KINESIS_EVENT_PROPS) == {
        "kinesisStreamName",
        "streamArn",
        "consumerArn",
        "autoCreateConsumer",
        "maxBatchWindowSeconds",
        "batchSize",
        "startingPosition",
        "maximumRetryAttempts",
        "onFailure",
        "parallelizationFactor",
        "bisectBatchOnFunctionError",
    }
    assert set(norm.DYNAMO_STREAM_EVENT_PROPS) == set(norm.KINESIS_EVENT_PROPS) - {
        "kinesisStreamName",
        "consumerArn",
        "autoCreateConsumer",
    }
    # kinesis-streams.d.ts (c4627d1e): KinesisStreamProps.
    assert set(norm.KINESIS_STREAM_PROPS) == {
        "capacityMode",
        "shardCount",
        "retentionPeriodHours",
        "encryption",
        "enableEnhancedFanOut",
    }


def test_an_on_failure_queue_without_consumer_is_information_not_a_warning() -> None:
    event = "{kinesisStreamName: clicks, onFailure: {arn: \"$ResourceParam('failed', 'arn')\", type: sqs}}"
    text = BASE.replace("{STREAM}", "{}").replace("{TYPE}", "kinesis-stream")
    stack = load_stack_text(text.replace("{EVENT}", event), "stacktape.yml")
    about = [d for d in stack.diagnostics if d.resource == "failed"]
    assert [(d.severity, d.code) for d in about] == [("info", "failure-destination-no-consumer")]
    assert "discarded batches" in about[0].message


@pytest.mark.parametrize(
    ("stream_type", "words"),
    [
        (
            "NEW_IMAGES",
            "`streamType` is 'NEW_IMAGES'; allowed: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, "
            "NEW_AND_OLD_IMAGES",
        ),
        ("new_image", "`streamType` is 'new_image'; allowed"),
        ("true", "`streamType` must be a string, not the boolean true"),
    ],
)
def test_a_stream_type_stacktape_does_not_take_is_an_error(stream_type: str, words: str) -> None:
    # DynamoDbTableProps.streamType is one of the four StreamViewTypes; any other value would
    # leave the table without a stream, so every reader of it would silently read nothing.
    text = BASE.replace("streamType: NEW_IMAGE", f"streamType: {stream_type}")
    text = text.replace("{STREAM}", "{}").replace("{TYPE}", "dynamo-db-stream")
    stack = load_stack_text(text.replace("{EVENT}", "{" + TABLE_STREAM + "}"), "stacktape.yml")
    found = [d.format() for d in stack.errors]
    assert any(words in d and "[table]" in d for d in found), found


@pytest.mark.parametrize(
    "stream_type", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
)
def test_each_stream_view_type_loads_clean(stream_type: str) -> None:
    text = BASE.replace("streamType: NEW_IMAGE", f"streamType: {stream_type}")
    text = text.replace("{STREAM}", "{}").replace("{TYPE}", "dynamo-db-stream")
    stack = load_stack_text(text.replace("{EVENT}", "{" + TABLE_STREAM + "}"), "stacktape.yml")
    assert stack.errors == []
