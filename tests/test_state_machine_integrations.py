"""Step Functions' sqs:sendMessage, sns:publish, events:putEvents and dynamodb:* integrations:
their results, their delivery through the simulated services, and their errors as Retry
and Catch see them (stptui.sim.asl_integrations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from workcount import CountWork

from stptui.commands import Session, execute
from stptui.config import load_stack_text
from stptui.sim.clock import parse_instant
from stptui.sim.payloads import md5_hex
from stptui.sim.services.state_machine import Execution, lookup_machine

T0 = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
STACK = f"""\
resources:
  jobs:
    type: sqs-queue
    properties: {{visibilityTimeoutSeconds: 120}}
  ordered:
    type: sqs-queue
    properties: {{fifoEnabled: true, contentBasedDeduplication: true}}
  archive:
    type: sqs-queue
    properties:
      events:
        - type: event-bus
          properties:
            eventBusName: orders
            eventPattern: {{source: [shop]}}
  alerts:
    type: sns-topic
  orders:
    type: event-bus
  items:
    type: dynamo-db-table
    properties:
      primaryKey: {{partitionKey: {{name: id, type: string}}}}
      streamType: NEW_IMAGE
  worker:
    type: function
    properties:
      {PKG}
      events:
        - type: sqs
          properties: {{sqsQueueName: jobs}}
  pager:
    type: function
    properties:
      {PKG}
      events:
        - type: sns
          properties: {{snsTopicName: alerts}}
  auditor:
    type: function
    properties:
      {PKG}
      events:
        - type: event-bus
          properties:
            eventBusName: orders
            eventPattern: {{source: [shop]}}
        - type: dynamo-db-stream
          properties:
            streamArn: $ResourceParam('items', 'streamArn')
  flow:
    type: state-machine
    properties:
      definition: DEFINITION
"""
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/app-dev-jobs"


def stack_text(*states: tuple[str, dict[str, Any]]) -> str:
    """The stack with `flow` running `states` (name, state) in order, the last ending it."""
    machine: dict[str, Any] = {"StartAt": states[0][0], "States": {}}
    for i, (name, state) in enumerate(states):
        if state.get("Type") == "Task" and "Next" not in state and "End" not in state:
            if i + 1 < len(states):
                state = {**state, "Next": states[i + 1][0]}
            else:
                state = {**state, "End": True}
        machine["States"][name] = state
    return STACK.replace("DEFINITION", json.dumps(machine))


def open_flow(tmp_path: Path, *states: tuple[str, dict[str, Any]]) -> Session:
    (tmp_path / "stacktape.yml").write_text(stack_text(*states), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text("behaviors: {}\n", encoding="utf-8")
    return Session.open(tmp_path, start_ms=T0)


def task(resource: str, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": f"arn:aws:states:::{resource}",
        "Parameters": params,
        **extra,
    }


def run(s: Session, payload: Any = None) -> Execution:
    ex = lookup_machine(s.sim, "flow").start({} if payload is None else payload, "e1")
    s.sim.advance(10_000)
    return ex


def kinds(s: Session, kind: str, resource: str | None = None) -> list[dict[str, Any]]:
    return [
        r.data
        for r in s.sim.trace.records
        if r.kind == kind and (resource is None or r.resource == resource)
    ]


def test_send_message_returns_sqs_result_and_the_queue_consumer_gets_the_json_body(
    tmp_path: Path,
) -> None:
    send = task(
        "sqs:sendMessage",
        {
            "QueueUrl": QUEUE_URL,
            "MessageBody": {"orderId.$": "$.id", "n": 2},
            "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "order"}},
        },
        ResultPath="$.sent",
    )
    s = open_flow(tmp_path, ("Send", send))
    ex = run(s, {"id": "o-1"})
    assert ex.status == "SUCCEEDED"
    sent = ex.output["sent"]
    assert list(sent) == ["MD5OfMessageBody", "MD5OfMessageAttributes", "MessageId"]
    assert sent["MD5OfMessageBody"] == md5_hex('{"orderId":"o-1","n":2}')
    started = kinds(s, "invocation.started", "worker")
    assert len(started) == 1 and sent["MessageId"] in started[0]["message_ids"]
    assert kinds(s, "message.deleted", "jobs")[0]["message_id"] == sent["MessageId"]


def test_send_message_to_a_fifo_queue_returns_its_sequence_number(tmp_path: Path) -> None:
    params = {
        "QueueUrl": "$ResourceParam('ordered', 'url')",
        "MessageBody": "hello",
        "MessageGroupId": "g1",
    }
    s = open_flow(tmp_path, ("Send", task("sqs:sendMessage", params)))
    ex = run(s)
    assert ex.status == "SUCCEEDED", ex.cause
    assert set(ex.output) == {"MD5OfMessageBody", "MessageId", "SequenceNumber"}


def test_a_refused_send_is_an_sqs_error_that_retry_and_catch_match(tmp_path: Path) -> None:
    # A FIFO queue refuses a message without a group id; a queue URL read from the input
    # that names no queue of the stack is QueueDoesNotExist.
    send = task(
        "sqs:sendMessage",
        {"QueueUrl": "$ResourceParam('ordered', 'url')", "MessageBody": "x"},
        Retry=[{"ErrorEquals": ["SQS.MissingParameter"], "MaxAttempts": 2}],
        Catch=[{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Lost"}],
    )
    lost = task(
        "sqs:sendMessage",
        {"QueueUrl.$": "$.url", "MessageBody": "x"},
        Catch=[
            {
                "ErrorEquals": ["SQS.QueueDoesNotExistException"],
                "ResultPath": "$.missing",
                "Next": "Done",
            }
        ],
        Next="Done",
    )
    s = open_flow(tmp_path, ("Send", send), ("Lost", lost), ("Done", {"Type": "Succeed"}))
    ex = run(s, {"url": "https://sqs.us-east-1.amazonaws.com/1/nope"})
    assert ex.status == "SUCCEEDED"
    assert ex.output["error"]["Error"] == "SQS.MissingParameter"
    assert "group id" in ex.output["error"]["Cause"]
    assert len(kinds(s, "sfn.retry")) == 2
    assert ex.output["missing"]["Error"] == "SQS.QueueDoesNotExistException"


def test_publish_returns_the_message_id_the_subscriber_receives(tmp_path: Path) -> None:
    params = {
        "TopicArn": "$ResourceParam('alerts', 'arn')",
        "Subject": "Alert",
        "Message": {"level": "high"},
    }
    s = open_flow(tmp_path, ("Notify", task("sns:publish", params)))
    ex = run(s)
    assert list(ex.output) == ["MessageId"]
    delivered = kinds(s, "notification.delivered", "alerts")
    assert [d["message_id"] for d in delivered] == [ex.output["MessageId"]]
    assert kinds(s, "invocation.succeeded", "pager")


def test_publish_to_no_topic_of_the_stack_fails_with_sns_not_found(tmp_path: Path) -> None:
    params = {"TopicArn": "arn:aws:sns:us-east-1:1:elsewhere", "Message": "m"}
    s = open_flow(tmp_path, ("Notify", task("sns:publish", params)))
    ex = run(s)
    assert (ex.status, ex.error) == ("FAILED", "SNS.NotFoundException")


def test_put_events_returns_the_event_ids_and_the_event_matches_the_rule(tmp_path: Path) -> None:
    entries = [
        {
            "EventBusName": "$ResourceParam('orders', 'arn')",
            "Source": "shop",
            "DetailType": "OrderPlaced",
            "Detail": {"id.$": "$.id"},
        }
    ]
    s = open_flow(tmp_path, ("Announce", task("events:putEvents", {"Entries": entries})))
    ex = run(s, {"id": "o-9"})
    (entry,) = ex.output["Entries"]
    assert ex.output == {"Entries": [{"EventId": entry["EventId"]}], "FailedEntryCount": 0}
    matched = kinds(s, "event.matched", "orders")
    assert {(m["event_id"], m["target"]) for m in matched} == {
        (entry["EventId"], "auditor"),
        (entry["EventId"], "archive"),
    }
    assert kinds(s, "invocation.succeeded", "auditor")
    # The integration adds the execution's and the state machine's ARNs to Resources.
    (archived,) = s.sim.queue("archive").messages.values()
    event = json.loads(archived.body)
    machine = lookup_machine(s.sim, "flow")
    assert event["resources"] == [machine.executions["e1"].arn, machine.arn]
    assert event["detail"] == {"id": "o-9"}


def test_a_put_events_entry_events_refuse_fails_the_task_as_failed_entry(tmp_path: Path) -> None:
    entries = [{"EventBusName": "$ResourceParam('orders', 'arn')", "Source": "shop"}]
    announce = task(
        "events:putEvents",
        {"Entries": entries},
        Catch=[{"ErrorEquals": ["EventBridge.FailedEntry"], "Next": "Done"}],
    )
    s = open_flow(tmp_path, ("Announce", announce), ("Done", {"Type": "Succeed"}))
    ex = run(s)
    assert ex.status == "SUCCEEDED"
    assert kinds(s, "sfn.caught")[0]["error"] == "EventBridge.FailedEntry"
    assert not kinds(s, "event.published")


def test_put_events_puts_the_valid_entries_and_the_cause_is_the_response(tmp_path: Path) -> None:
    # AWS-recorded (LocalStack's test_events_task_service.snapshot.json, test_put_events_no_source
    # and test_put_events_malformed_detail): every entry is processed, the valid ones are put,
    # and a response with FailedEntryCount > 0 fails the task with that response as its cause.
    bus = "$ResourceParam('orders', 'arn')"
    entries = [
        {"EventBusName": bus, "Source": "shop", "DetailType": "OrderPlaced", "Detail": {}},
        {"EventBusName": bus, "DetailType": "OrderPlaced", "Detail": {}},
        {"EventBusName": bus, "Source": "shop", "DetailType": "OrderPlaced", "Detail": '"x"'},
        {"EventBusName": bus, "Source": "shop", "DetailType": "OrderShipped", "Detail": {}},
    ]
    s = open_flow(tmp_path, ("Announce", task("events:putEvents", {"Entries": entries})))
    ex = run(s)
    assert (ex.status, ex.error) == ("FAILED", "EventBridge.FailedEntry")
    published = kinds(s, "event.published", "orders")
    assert [p["detail_type"] for p in published] == ["OrderPlaced", "OrderShipped"]
    assert json.loads(ex.cause) == {
        "Entries": [
            {"EventId": published[0]["event_id"]},
            {
                "ErrorCode": "InvalidArgument",
                "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required "
                "argument.",
            },
            {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
            {"EventId": published[1]["event_id"]},
        ],
        "FailedEntryCount": 2,
    }


def test_put_events_of_an_aws_source_is_not_authorized(tmp_path: Path) -> None:
    # Sources beginning with `aws.` belong to AWS services: PutEvents answers the entry
    # NotAuthorizedForSourceException, "Not authorized for the source." (the response AWS
    # gave `aws events put-events` with Source aws.aidevops, aws-samples/serverless-patterns
    # PR 3089), and puts the others.
    bus = "$ResourceParam('orders', 'arn')"
    entries = [
        {"EventBusName": bus, "Source": "aws.s3", "DetailType": "Object Created", "Detail": {}},
        {"EventBusName": bus, "Source": "awsome", "DetailType": "OrderPlaced", "Detail": {}},
    ]
    s = open_flow(tmp_path, ("Announce", task("events:putEvents", {"Entries": entries})))
    ex = run(s)
    assert (ex.status, ex.error) == ("FAILED", "EventBridge.FailedEntry")
    published = kinds(s, "event.published", "orders")
    assert [p["event_source"] for p in published] == ["awsome"]
    assert json.loads(ex.cause)["Entries"][0] == {
        "ErrorCode": "NotAuthorizedForSourceException",
        "ErrorMessage": "Not authorized for the source.",
    }


def test_put_events_where_every_entry_fails_puts_nothing(tmp_path: Path) -> None:
    entries = [
        {"Source": "shop", "DetailType": "OrderPlaced", "Detail": '"jsonstring"'},
        {"EventBusName": "nowhere", "Source": "shop", "DetailType": "T", "Detail": {}},
    ]
    s = open_flow(tmp_path, ("Announce", task("events:putEvents", {"Entries": entries})))
    ex = run(s)
    assert (ex.status, ex.error) == ("FAILED", "EventBridge.FailedEntry")
    assert json.loads(ex.cause) == {
        "Entries": [
            {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
            {
                "ErrorCode": "ResourceNotFoundException",
                "ErrorMessage": "Event bus nowhere does not exist.",
            },
        ],
        "FailedEntryCount": 2,
    }
    assert not kinds(s, "event.published")


def test_dynamodb_put_get_update_delete_and_the_stream_record(tmp_path: Path) -> None:
    table = "$ResourceParam('items', 'name')"
    key = {"id": {"S.$": "$.id"}}
    states = (
        (
            "Put",
            task(
                "dynamodb:putItem",
                {"TableName": table, "Item": {**key, "n": {"N": "1"}}},
                ResultPath="$.put",
            ),
        ),
        (
            "Update",
            task(
                "dynamodb:updateItem",
                {
                    "TableName": table,
                    "Key": key,
                    "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                },
                ResultPath=None,
            ),
        ),
        ("Get", task("dynamodb:getItem", {"TableName": table, "Key": key}, ResultPath="$.got")),
        ("Delete", task("dynamodb:deleteItem", {"TableName": table, "Key": key}, ResultPath=None)),
        ("Again", task("dynamodb:getItem", {"TableName": table, "Key": key}, ResultPath="$.gone")),
    )
    s = open_flow(tmp_path, *states)
    ex = run(s, {"id": "a"})
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["put"] == {}
    assert ex.output["got"] == {"Item": {"id": {"S": "a"}, "n": {"N": "2"}}}
    assert ex.output["gone"] == {}
    put = kinds(s, "item.put", "items")[0]
    called = next(d for d in kinds(s, "sfn.task.called") if d["state"] == "Put")
    assert called["delivered_id"] == put["sequence_number"]
    assert kinds(s, "invocation.succeeded", "auditor")


def test_a_failed_condition_is_dynamodb_conditional_check_failed_for_retry(
    tmp_path: Path,
) -> None:
    put = task(
        "dynamodb:putItem",
        {
            "TableName": "$ResourceParam('items', 'name')",
            "Item": {"id": {"S": "same"}},
            "ConditionExpression": "attribute_not_exists(id)",
        },
        Retry=[{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "MaxAttempts": 1}],
    )
    s = open_flow(tmp_path, ("First", {**put, "Next": "Second"}), ("Second", put))
    ex = run(s)
    assert (ex.status, ex.error) == ("FAILED", "DynamoDB.ConditionalCheckFailedException")
    assert [r["state"] for r in kinds(s, "sfn.retry")] == ["Second"]
    assert len(kinds(s, "item.put", "items")) == 1


def test_a_bad_key_is_a_dynamodb_validation_error(tmp_path: Path) -> None:
    get = task(
        "dynamodb:getItem",
        {"TableName": "$ResourceParam('items', 'name')", "Key": {"other": {"S": "x"}}},
    )
    s = open_flow(tmp_path, ("Get", get))
    ex = run(s)
    assert (ex.status, ex.error) == ("FAILED", "DynamoDB.ValidationException")


def test_explain_of_an_execution_follows_its_message_into_the_consumer(tmp_path: Path) -> None:
    send = task("sqs:sendMessage", {"QueueUrl": QUEUE_URL, "MessageBody": "hi"})
    s = open_flow(tmp_path, ("Send", send))
    run(s)
    text = execute(s, "explain e1").text
    assert "Send called sqs:sendMessage on jobs" in text
    assert "message.sent" in text and "message.deleted" in text
    assert "invocation.succeeded          worker" in text


def test_validate_warns_about_a_constant_target_outside_the_stack() -> None:
    text = stack_text(
        ("Send", task("sqs:sendMessage", {"QueueUrl": QUEUE_URL + "x", "MessageBody": "m"})),
        (
            "Get",
            task(
                "dynamodb:getItem",
                {"TableName": "$ResourceParam('items', 'name')", "Key": {"id": {"S": "a"}}},
            ),
        ),
        ("Pub", task("sns:publish", {"TopicArn.$": "$.topic", "Message": "m"})),
    )
    stack = load_stack_text(text, "stacktape.yml")
    found = [d for d in stack.diagnostics if d.code == "asl-task-target"]
    assert len(found) == 1, [d.format() for d in found]
    assert "QueueUrl" in found[0].message and "names no sqs-queue" in found[0].message
    assert "$ResourceParam('<name>', 'url') (here: jobs, ordered, archive)" in str(found[0].hint)


def test_put_events_entries_over_the_request_limit_together_fail_the_whole_task(
    tmp_path: Path,
) -> None:
    # "The total entry size must be less than" the limit ("Calculating PutEvents event entry
    # size"): two entries of 600,000 bytes each are each allowed, but not in one request,
    # and a request over the limit is refused whole (ValidationException), nothing put.
    entry = {
        "EventBusName": "$ResourceParam('orders', 'arn')",
        "Source": "shop",
        "DetailType": "OrderPlaced",
        "Detail": {"pad": "x" * 600_000},
    }
    s = open_flow(tmp_path, ("Announce", task("events:putEvents", {"Entries": [entry, entry]})))
    ex = run(s)
    assert (ex.status, ex.error) == ("FAILED", "EventBridge.ValidationException")
    assert "Total size of the entries in the request is over the limit" in ex.cause
    assert not kinds(s, "event.published")
    # One of them alone goes through.
    s = open_flow(tmp_path, ("Announce", task("events:putEvents", {"Entries": [entry]})))
    assert run(s).status == "SUCCEEDED"


@pytest.mark.parametrize("resource", ["events:putEvents", "aws-sdk:eventbridge:putEvents"])
def test_put_events_takes_an_entrys_time_as_the_events_time(tmp_path: Path, resource: str) -> None:
    # PutEventsRequestEntry.Time: "The time stamp of the event, per RFC3339. If no time stamp
    # is provided, the time stamp of the PutEvents call is used." Read as a handler's boto3
    # call reads it: ISO 8601 text, epoch seconds (a number or text).
    entry = {"EventBusName": "orders", "Source": "shop", "DetailType": "T", "Detail": "{}"}
    entries = [
        {**entry, "Time": "2020-01-02T03:04:05.678Z"},
        {**entry, "Time": 1_600_000_000},
        {**entry, "Time": "1600000001.5"},
        entry,
    ]
    s = open_flow(tmp_path, ("Announce", task(resource, {"Entries": entries})))
    assert run(s).status == "SUCCEEDED"
    times = [json.loads(m.body)["time"] for m in s.sim.queues["archive"].listing(10)]
    assert times == [
        "2020-01-02T03:04:05Z",
        "2020-09-13T12:26:40Z",
        "2020-09-13T12:26:41Z",
        "2026-01-05T08:00:00Z",
    ]


@pytest.mark.parametrize("resource", ["events:putEvents", "aws-sdk:eventbridge:putEvents"])
@pytest.mark.parametrize(
    ("time", "token"),
    [("yesterday", "STRING_VALUE"), ({"at": 1}, "START_OBJECT"), (True, "VALUE_TRUE")],
)
def test_a_time_that_is_no_date_fails_the_whole_put_events_call(
    tmp_path: Path, resource: str, time: object, token: str
) -> None:
    # The API cannot read the request (async-aws/aws#1395: SerializationException,
    # "STRING_VALUE cannot be converted to Date"): no entry is put, the valid one neither.
    entry = {"EventBusName": "orders", "Source": "shop", "DetailType": "T", "Detail": "{}"}
    s = open_flow(
        tmp_path,
        ("Announce", task(resource, {"Entries": [entry, {**entry, "Time": time}]})),
    )
    ex = run(s)
    assert (ex.status, ex.error) == ("FAILED", "EventBridge.SerializationException")
    assert ex.cause == f"{token} cannot be converted to Date"
    assert not kinds(s, "event.published")


def test_explain_of_an_execution_does_work_in_proportion_to_what_it_delivered(
    tmp_path: Path,
) -> None:
    # Each message an execution delivered had its chain worked out whole, and each chain
    # holds the whole execution (its task records carry the execution's ARN): explain took
    # 26 s on an execution of 500 publishes. Twice the publishes is about twice the work.
    publish = task("sns:publish", {"TopicArn": "$ResourceParam('alerts', 'arn')", "Message.$": "$"})
    fan_out = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Publish", "States": {"Publish": {**publish, "End": True}}},
        "End": True,
    }
    steps = []
    for n in (10, 20):
        s = open_flow(tmp_path, ("FanOut", fan_out))
        assert run(s, {"items": list(range(n))}).status == "SUCCEEDED"
        execute(s, "explain e1")  # the trace's index built, once
        with CountWork(lines=False) as work:
            text = execute(s, "explain e1").text
        assert text.count("called sns:publish on alerts") == n
        assert text.count("invocation.succeeded") == n  # each message's chain: pager ran
        steps.append(work.steps)
    assert steps[1] < 2.5 * steps[0], steps
