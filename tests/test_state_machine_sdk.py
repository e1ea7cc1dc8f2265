"""Step Functions' AWS SDK integrations (`arn:aws:states:::aws-sdk:SERVICE:apiAction`):
each simulated API's response shape, its delivery through the simulated services, and its
errors as Retry and Catch see them (stptui.sim.asl_sdk)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import Session
from stptui.config import load_stack_text
from stptui.graph import build_graph
from stptui.sim.clock import parse_instant
from stptui.sim.services.state_machine import Execution, lookup_machine

T0 = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
STACK = f"""\
resources:
  stock:
    type: dynamo-db-table
    properties:
      primaryKey: {{partitionKey: {{name: sku, type: string}}, sortKey: {{name: n, type: number}}}}
      streamType: NEW_IMAGE
  files:
    type: bucket
    properties: {{versioning: VERSIONING}}
  jobs:
    type: sqs-queue
  alerts:
    type: sns-topic
  orders:
    type: event-bus
  worker:
    type: function
    properties:
      {PKG}
      events:
        - type: sqs
          properties: {{sqsQueueName: jobs}}
        - type: s3
          properties:
            bucketArn: $ResourceParam('files', 'arn')
            s3EventType: 's3:ObjectCreated:*'
        - type: dynamo-db-stream
          properties:
            streamArn: $ResourceParam('stock', 'streamArn')
        - type: event-bus
          properties:
            eventBusName: orders
            eventPattern: {{source: [shop]}}
  flow:
    type: state-machine
    properties:
      definition: DEFINITION
"""


def stack_text(states: list[tuple[str, dict[str, Any]]], versioning: bool = False) -> str:
    machine: dict[str, Any] = {"StartAt": states[0][0], "States": {}}
    for i, (name, state) in enumerate(states):
        if state.get("Type") == "Task" and "Next" not in state and "End" not in state:
            nxt = {"Next": states[i + 1][0]} if i + 1 < len(states) else {"End": True}
            state = {**state, **nxt}
        machine["States"][name] = state
    text = STACK.replace("VERSIONING", "true" if versioning else "false")
    return text.replace("DEFINITION", json.dumps(machine))


def open_flow(tmp_path: Path, *states: tuple[str, dict[str, Any]], **kw: Any) -> Session:
    (tmp_path / "stacktape.yml").write_text(stack_text(list(states), **kw), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text("behaviors: {}\n", encoding="utf-8")
    return Session.open(tmp_path, start_ms=T0)


def sdk(api: str, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": f"arn:aws:states:::aws-sdk:{api}",
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


def item(sku: str, n: int, **attrs: Any) -> dict[str, Any]:
    return {"sku": {"S": sku}, "n": {"N": str(n)}, **attrs}


def seed(s: Session, *items: dict[str, Any]) -> None:
    table = s.sim.services["tables"]["stock"]
    for it in items:
        table.put(it)


def catch_all(result_path: str = "$.error", then: str = "Done") -> list[dict[str, Any]]:
    return [{"ErrorEquals": ["States.ALL"], "ResultPath": result_path, "Next": then}]


DONE = ("Done", {"Type": "Pass", "End": True})


# -- DynamoDB ----------------------------------------------------------------------------


def test_put_get_update_delete_with_return_values_and_stream_records(tmp_path: Path) -> None:
    key = {"sku": {"S": "mug"}, "n": {"N": "1"}}
    s = open_flow(
        tmp_path,
        (
            "Put",
            sdk(
                "dynamodb:putItem",
                {"TableName": "stock", "Item": item("mug", 1, q={"N": "4"})},
                ResultPath="$.put",
            ),
        ),
        (
            "Again",
            sdk(
                "dynamodb:putItem",
                {
                    "TableName": "stock",
                    "Item": item("mug", 1, q={"N": "5"}),
                    "ReturnValues": "ALL_OLD",
                },
                ResultPath="$.again",
            ),
        ),
        ("Get", sdk("dynamodb:getItem", {"TableName": "stock", "Key": key}, ResultPath="$.get")),
        (
            "Missing",
            sdk(
                "dynamodb:getItem",
                {"TableName": "stock", "Key": {"sku": {"S": "x"}, "n": {"N": "9"}}},
                ResultPath="$.missing",
            ),
        ),
        (
            "Update",
            sdk(
                "dynamodb:updateItem",
                {
                    "TableName": "stock",
                    "Key": key,
                    "UpdateExpression": "SET q = q + :one, tag = :t",
                    "ExpressionAttributeValues": {":one": {"N": "1"}, ":t": {"S": "hot"}},
                    "ReturnValues": "UPDATED_NEW",
                },
                ResultPath="$.update",
            ),
        ),
        (
            "Delete",
            sdk(
                "dynamodb:deleteItem",
                {"TableName": "stock", "Key": key, "ReturnValues": "ALL_OLD"},
                ResultPath="$.delete",
            ),
        ),
    )
    ex = run(s)
    assert ex.status == "SUCCEEDED", ex.cause
    out = ex.output
    assert out["put"] == {}
    assert out["again"] == {"Attributes": item("mug", 1, q={"N": "4"})}
    assert out["get"] == {"Item": item("mug", 1, q={"N": "5"})}
    assert out["missing"] == {}
    assert out["update"] == {"Attributes": {"q": {"N": "6"}, "tag": {"S": "hot"}}}
    assert out["delete"] == {"Attributes": item("mug", 1, q={"N": "6"}, tag={"S": "hot"})}
    assert s.sim.services["tables"]["stock"].items == {}
    called = kinds(s, "sfn.task.called", "flow")
    assert [c["integration"] for c in called][:2] == ["aws-sdk:dynamodb:putItem"] * 2
    assert all(c["target"] == "stock" for c in called)
    # Each write reached the table's stream and its reader.
    assert [k["event_name"] for k in kinds(s, "item.put", "stock")] == ["INSERT", "MODIFY"]
    assert kinds(s, "invocation.succeeded", "worker")


def test_a_failed_condition_is_dynamodb_conditional_check_failed_for_retry_and_catch(
    tmp_path: Path,
) -> None:
    s = open_flow(
        tmp_path,
        (
            "Put",
            sdk(
                "dynamodb:putItem",
                {
                    "TableName": "stock",
                    "Item": item("mug", 1),
                    "ConditionExpression": "attribute_not_exists(sku)",
                },
                Retry=[
                    {
                        "ErrorEquals": ["DynamoDb.ConditionalCheckFailedException"],
                        "MaxAttempts": 1,
                        "IntervalSeconds": 1,
                    }
                ],
                Catch=[
                    {
                        "ErrorEquals": ["DynamoDb.ConditionalCheckFailedException"],
                        "ResultPath": "$.error",
                        "Next": "Done",
                    }
                ],
            ),
        ),
        DONE,
    )
    seed(s, item("mug", 1))
    ex = run(s)
    assert ex.status == "SUCCEEDED"
    assert ex.output["error"]["Error"] == "DynamoDb.ConditionalCheckFailedException"
    assert [r["error"] for r in kinds(s, "sfn.retry", "flow")] == [
        "DynamoDb.ConditionalCheckFailedException"
    ]


def test_dynamodb_refusals_are_named_with_the_sdk_prefix(tmp_path: Path) -> None:
    s = open_flow(
        tmp_path,
        (
            "NoTable",
            sdk(
                "dynamodb:getItem",
                {"TableName": "nope", "Key": {}},
                Catch=catch_all("$.a", "BadKey"),
                Next="BadKey",
            ),
        ),
        (
            "BadKey",
            sdk(
                "dynamodb:getItem",
                {"TableName": "stock", "Key": {"sku": {"S": "a"}}},
                Catch=catch_all("$.b", "BadReturn"),
                Next="BadReturn",
            ),
        ),
        (
            "BadReturn",
            sdk(
                "dynamodb:putItem",
                {"TableName": "stock", "Item": item("a", 1), "ReturnValues": "ALL_NEW"},
                Catch=catch_all("$.c"),
                Next="Done",
            ),
        ),
        DONE,
    )
    out = run(s).output
    assert out["a"]["Error"] == "DynamoDb.ResourceNotFoundException"
    assert out["b"] == {
        "Error": "DynamoDb.ValidationException",
        "Cause": "The provided key element does not match the schema",
    }
    assert out["c"]["Error"] == "DynamoDb.ValidationException"
    assert s.sim.services["tables"]["stock"].items == {}  # nothing was written


def query_flow(tmp_path: Path, params: dict[str, Any], api: str = "query") -> Session:
    return open_flow(
        tmp_path,
        (
            "Q",
            sdk(
                f"dynamodb:{api}", {"TableName": "stock", **params}, Catch=catch_all(), Next="Done"
            ),
        ),
        DONE,
    )


def test_query_reads_one_partition_in_sort_key_order_with_filter_and_limit(
    tmp_path: Path,
) -> None:
    s = query_flow(
        tmp_path,
        {
            "KeyConditionExpression": "sku = :s AND n BETWEEN :lo AND :hi",
            "FilterExpression": "#q >= :min",
            "ExpressionAttributeNames": {"#q": "q"},
            "ExpressionAttributeValues": {
                ":s": {"S": "mug"},
                ":lo": {"N": "2"},
                ":hi": {"N": "10"},
                ":min": {"N": "5"},
            },
            "Limit": 3,
            "ScanIndexForward": False,
        },
    )
    seed(s, *(item("mug", n, q={"N": str(n)}) for n in (1, 3, 4, 10, 12)), item("cup", 4))
    out = run(s).output
    # 10, 4, 3 are read (Limit counts items read, before the filter); 10 passes the filter.
    assert out == {
        "Count": 1,
        "Items": [item("mug", 10, q={"N": "10"})],
        "LastEvaluatedKey": {"sku": {"S": "mug"}, "n": {"N": "3"}},
        "ScannedCount": 3,
    }


def test_query_begins_with_on_a_string_sort_key_and_select_count(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    s = query_flow(
        tmp_path,
        {
            "KeyConditionExpression": "sku = :s",
            "ExpressionAttributeValues": {":s": {"S": "mug"}},
            "Select": "COUNT",
        },
    )
    seed(s, item("mug", 1), item("mug", 2), item("cup", 1))
    assert run(s).output == {"Count": 2, "ScannedCount": 2}


def test_query_refuses_what_a_key_condition_cannot_be(tmp_path: Path) -> None:
    values = {":s": {"S": "mug"}, ":n": {"N": "1"}}
    cases = [
        ("sku = :s OR n = :n", "Invalid operator used in KeyConditionExpression: OR"),
        ("sku = :s AND n <> :n", "Invalid operator used in KeyConditionExpression: <>"),
        ("n = :n", "Query condition missed key schema element: sku"),
        ("sku > :s", "Query key condition not supported"),
        ("sku = :s AND q = :n", "Query key condition not supported"),
        ("sku = :n", "Condition parameter type does not match schema type"),
        (
            "sku = :s AND contains(n, :n)",
            "Invalid operator used in KeyConditionExpression: contains",
        ),
    ]
    for i, (expression, message) in enumerate(cases):
        path = tmp_path / str(i)
        path.mkdir()
        used = {k: v for k, v in values.items() if k in expression}
        s = query_flow(
            path, {"KeyConditionExpression": expression, "ExpressionAttributeValues": used}
        )
        error = run(s).output["error"]
        assert error["Error"] == "DynamoDb.ValidationException", expression
        assert message in error["Cause"], (expression, error["Cause"])


def test_query_filter_on_a_key_and_a_start_key_of_another_partition_are_refused(
    tmp_path: Path,
) -> None:
    (tmp_path / "a").mkdir()
    s = query_flow(
        tmp_path / "a",
        {
            "KeyConditionExpression": "sku = :s",
            "FilterExpression": "n > :n",
            "ExpressionAttributeValues": {":s": {"S": "mug"}, ":n": {"N": "1"}},
        },
    )
    assert "Primary key attribute: n" in run(s).output["error"]["Cause"]
    (tmp_path / "b").mkdir()
    s = query_flow(
        tmp_path / "b",
        {
            "KeyConditionExpression": "sku = :s",
            "ExpressionAttributeValues": {":s": {"S": "mug"}},
            "ExclusiveStartKey": item("cup", 1),
        },
    )
    assert "outside query boundaries" in run(s).output["error"]["Cause"]


def test_unsimulated_and_unknown_fields_fail_with_states_runtime(tmp_path: Path) -> None:
    s = open_flow(
        tmp_path,
        (
            "Q",
            sdk(
                "dynamodb:query",
                {"TableName": "stock", "KeyConditionExpression": "sku = :s", "IndexName": "byQty"},
                Next="Done",
            ),
        ),
        DONE,
    )
    ex = run(s)
    assert ex.status == "FAILED"
    assert ex.error == "States.Runtime"
    assert "does not simulate the field 'IndexName'" in ex.cause
    (tmp_path / "b").mkdir()
    s = open_flow(
        tmp_path / "b",
        ("G", sdk("dynamodb:getItem", {"TableName": "stock", "Key": {}, "Keys": 1}, Next="Done")),
        DONE,
    )
    ex = run(s)
    assert ex.error == "States.Runtime"
    assert "The field 'Keys' is not supported by getItem" in ex.cause


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ns=st.sets(st.integers(0, 30), max_size=12),
    limit=st.integers(1, 5),
    query=st.booleans(),
    forward=st.booleans(),
)
def test_paging_with_last_evaluated_key_reads_every_item_once_in_order(
    tmp_path_factory: Any, ns: set[int], limit: int, query: bool, forward: bool
) -> None:
    """Following LastEvaluatedKey into ExclusiveStartKey, page after page, reads every item
    exactly once, in key order (a Query's reversed with ScanIndexForward false)."""
    path = tmp_path_factory.mktemp("page")
    params: dict[str, Any] = {"TableName": "stock", "Limit": limit}
    if query:
        params |= {
            "KeyConditionExpression": "sku = :s",
            "ExpressionAttributeValues": {":s": {"S": "mug"}},
            "ScanIndexForward": forward,
        }
    api = "query" if query else "scan"
    s = open_flow(path, ("Q", sdk(f"dynamodb:{api}", {"TableName": "stock"})))
    seed(s, *(item("mug", n) for n in ns), item("zzz", 1))
    # Drive the API page by page through the integration itself.
    from stptui.sim import asl_sdk

    seen: list[int] = []
    start = None
    for _ in range(40):
        page = dict(params) | ({"ExclusiveStartKey": start} if start else {})
        result, _, _ = asl_sdk.call(
            s.sim, f"arn:aws:states:::aws-sdk:dynamodb:{api}", page, "test", ("a", "b")
        )
        seen += [int(i["n"]["N"]) for i in result["Items"] if i["sku"]["S"] == "mug"]
        assert result["Count"] == len(result["Items"]) <= limit
        start = result.get("LastEvaluatedKey")
        if start is None:
            break
    expected = sorted(ns, reverse=query and not forward)
    assert seen == expected


# -- S3 ----------------------------------------------------------------------------------


def test_put_get_head_copy_list_delete_objects_and_notifications(tmp_path: Path) -> None:
    b = {"Bucket": "files"}
    s = open_flow(
        tmp_path,
        (
            "Put",
            sdk(
                "s3:putObject",
                {**b, "Key": "in/a.json", "Body": '{"x": 1}', "ContentType": "application/json"},
                ResultPath="$.put",
            ),
        ),
        ("Get", sdk("s3:getObject", {**b, "Key": "in/a.json"}, ResultPath="$.get")),
        (
            "Copy",
            sdk(
                "s3:copyObject",
                {**b, "Key": "out/a.json", "CopySource": "app-dev-files-e6e91c68/in/a.json"},
                ResultPath="$.copy",
            ),
        ),
        ("Head", sdk("s3:headObject", {**b, "Key": "out/a.json"}, ResultPath="$.head")),
        (
            "List",
            sdk("s3:listObjectsV2", {**b, "Delimiter": "/", "Prefix": ""}, ResultPath="$.list"),
        ),
        ("Delete", sdk("s3:deleteObject", {**b, "Key": "in/a.json"}, ResultPath="$.delete")),
        ("DeleteAgain", sdk("s3:deleteObject", {**b, "Key": "in/a.json"}, ResultPath="$.again")),
    )
    ex = run(s)
    assert ex.status == "SUCCEEDED", ex.cause
    out = ex.output
    etag = '"9bf9c4a2f3f8b2a1e8f22e8fe79ec1cb"'
    etag = out["put"]["ETag"]
    assert out["put"] == {"ETag": etag, "ServerSideEncryption": "AES256"}
    assert out["get"] == {
        "AcceptRanges": "bytes",
        "Body": '{"x": 1}',
        "ContentLength": 8,
        "ContentType": "application/json",
        "ETag": etag,
        "LastModified": "2026-01-05T08:00:00Z",
        "Metadata": {},
        "ServerSideEncryption": "AES256",
    }
    assert out["copy"] == {
        "CopyObjectResult": {"ETag": etag, "LastModified": "2026-01-05T08:00:00Z"},
        "ServerSideEncryption": "AES256",
    }
    assert "Body" not in out["head"] and out["head"]["ContentLength"] == 8
    assert out["list"] == {
        "CommonPrefixes": [{"Prefix": "in/"}, {"Prefix": "out/"}],
        "Delimiter": "/",
        "IsTruncated": False,
        "KeyCount": 2,
        "MaxKeys": 1000,
        "Name": "app-dev-files-e6e91c68",
        "Prefix": "",
    }
    assert out["delete"] == {} and out["again"] == {}
    assert sorted(s.sim.services["buckets"].buckets["files"].objects) == ["out/a.json"]
    # The put and the copy notified the worker; the second delete removed nothing, yet is
    # a DeleteObject S3 answered (204) and sent its event for, as the first.
    assert [d["event"] for d in kinds(s, "object.created", "files")] == [
        "ObjectCreated:Put",
        "ObjectCreated:Copy",
    ]
    first, again = kinds(s, "object.deleted", "files")
    assert "reason" not in first and first["size"] == 8
    assert "S3 removes nothing, answers 204" in again["reason"] and "size" not in again


def test_list_objects_pages_with_a_continuation_token(tmp_path: Path) -> None:
    s = open_flow(tmp_path, ("L", sdk("s3:listObjectsV2", {"Bucket": "files"})))
    for key in ("c", "a", "b"):
        s.sim.services["buckets"].put_object("files", key, content=b"x")
    from stptui.sim import asl_sdk

    resource = "arn:aws:states:::aws-sdk:s3:listObjectsV2"
    first, _, _ = asl_sdk.call(s.sim, resource, {"Bucket": "files", "MaxKeys": 2}, "t", ("a", "b"))
    assert [c["Key"] for c in first["Contents"]] == ["a", "b"]
    assert first["IsTruncated"] is True
    token = first["NextContinuationToken"]
    second, _, _ = asl_sdk.call(
        s.sim, resource, {"Bucket": "files", "ContinuationToken": token}, "t", ("a", "b")
    )
    assert [c["Key"] for c in second["Contents"]] == ["c"]
    assert second["IsTruncated"] is False and second["ContinuationToken"] == token


def test_versioned_bucket_reports_version_ids_and_delete_markers(tmp_path: Path) -> None:
    b = {"Bucket": "files", "Key": "k"}
    s = open_flow(
        tmp_path,
        ("Put", sdk("s3:putObject", {**b, "Body": "v1"}, ResultPath="$.put")),
        ("Delete", sdk("s3:deleteObject", b, ResultPath="$.delete")),
        ("Get", sdk("s3:getObject", b, Catch=catch_all(), Next="Done")),
        DONE,
        versioning=True,
    )
    out = run(s).output
    assert len(out["put"]["VersionId"]) == 32
    assert out["delete"]["DeleteMarker"] is True
    assert out["delete"]["VersionId"] != out["put"]["VersionId"]
    assert out["error"]["Error"] == "S3.NoSuchKeyException"


def test_a_copy_onto_itself_is_refused_but_an_older_version_restores(tmp_path: Path) -> None:
    # CopyObject refuses a copy of an object to itself that changes nothing (InvalidRequest,
    # no event); copying an older version onto its key is how S3's guide restores it.
    b = {"Bucket": "files", "Key": "k"}
    source = "app-dev-files-e6e91c68/k"
    s = open_flow(
        tmp_path,
        ("Put1", sdk("s3:putObject", {**b, "Body": "v1"}, ResultPath="$.put1")),
        ("Put2", sdk("s3:putObject", {**b, "Body": "v2"}, ResultPath="$.put2")),
        (
            "Self",
            sdk(
                "s3:copyObject",
                {**b, "CopySource": source},
                Catch=catch_all(then="Restore"),
                Next="Restore",
            ),
        ),
        (
            "Restore",
            sdk(
                "s3:copyObject",
                {
                    **b,
                    "CopySource.$": f"States.Format('{source}?versionId={{}}', $.put1.VersionId)",
                },
                ResultPath="$.restored",
            ),
        ),
        ("Get", sdk("s3:getObject", b, ResultPath="$.get")),
        DONE,
        versioning=True,
    )
    out = run(s).output
    assert out["error"]["Error"] == "S3.InvalidRequestException"
    assert "trying to copy an object to itself" in out["error"]["Cause"]
    assert out["get"]["Body"] == "v1"
    assert [d["event"] for d in kinds(s, "object.created", "files")] == [
        "ObjectCreated:Put",
        "ObjectCreated:Put",
        "ObjectCreated:Copy",
    ]


def test_delete_object_with_a_version_id_deletes_that_version_for_good(tmp_path: Path) -> None:
    # DeleteObject's `versionId` "permanently deletes the version"; the one before it is
    # current again, and the answer names the version deleted.
    b = {"Bucket": "files", "Key": "k"}
    s = open_flow(
        tmp_path,
        ("Put1", sdk("s3:putObject", {**b, "Body": "v1"}, ResultPath="$.put1")),
        ("Put2", sdk("s3:putObject", {**b, "Body": "v2"}, ResultPath="$.put2")),
        (
            "DeleteV2",
            sdk("s3:deleteObject", {**b, "VersionId.$": "$.put2.VersionId"}, ResultPath="$.del"),
        ),
        ("Get", sdk("s3:getObject", b, ResultPath="$.get")),
        (
            "Again",
            sdk(
                "s3:deleteObject",
                {**b, "VersionId.$": "$.put2.VersionId"},
                Catch=catch_all(),
                Next="Done",
            ),
        ),
        DONE,
        versioning=True,
    )
    out = run(s).output
    assert out["del"] == {"VersionId": out["put2"]["VersionId"]}
    assert (out["get"]["Body"], out["get"]["VersionId"]) == ("v1", out["put1"]["VersionId"])
    assert out["error"]["Error"] == "S3.NoSuchVersionException"
    [gone] = kinds(s, "object.deleted")
    assert (gone["event"], gone["version_id"]) == ("ObjectRemoved:Delete", out["put2"]["VersionId"])


def test_s3_errors_are_named_as_step_functions_names_them(tmp_path: Path) -> None:
    s = open_flow(
        tmp_path,
        (
            "NoKey",
            sdk(
                "s3:getObject",
                {"Bucket": "files", "Key": "none"},
                Catch=catch_all("$.a", "NoBucket"),
                Next="NoBucket",
            ),
        ),
        (
            "NoBucket",
            sdk(
                "s3:headObject",
                {"Bucket": "other", "Key": "k"},
                Catch=catch_all("$.b"),
                Next="Done",
            ),
        ),
        DONE,
    )
    out = run(s).output
    assert out["a"] == {
        "Error": "S3.NoSuchKeyException",
        "Cause": "The specified key does not exist.",
    }
    assert out["b"]["Error"] == "S3.NoSuchBucketException"


# -- SQS, SNS, EventBridge ---------------------------------------------------------------


def test_sqs_sns_and_eventbridge_through_the_sdk(tmp_path: Path) -> None:
    s = open_flow(
        tmp_path,
        (
            "Send",
            sdk("sqs:sendMessage", {"QueueUrl": "jobs", "MessageBody": "hi"}, ResultPath="$.send"),
        ),
        (
            "Batch",
            sdk(
                "sqs:sendMessageBatch",
                {
                    "QueueUrl": "jobs",
                    "Entries": [
                        {"Id": "a", "MessageBody": "1"},
                        {"Id": "b", "MessageBody": "2", "DelaySeconds": 901},
                    ],
                },
                ResultPath="$.batch",
            ),
        ),
        (
            "Publish",
            sdk("sns:publish", {"TopicArn": "alerts", "Message": "m"}, ResultPath="$.publish"),
        ),
        (
            "Put",
            sdk(
                "eventbridge:putEvents",
                {
                    "Entries": [
                        {
                            "EventBusName": "orders",
                            "Source": "shop",
                            "DetailType": "t",
                            "Detail": "{}",
                        },
                        {
                            "EventBusName": "nope",
                            "Source": "shop",
                            "DetailType": "t",
                            "Detail": "{}",
                        },
                    ]
                },
                ResultPath="$.events",
            ),
        ),
        (
            "Missing",
            sdk(
                "sqs:sendMessage",
                {"QueueUrl": "nope", "MessageBody": "x"},
                Catch=catch_all(),
                Next="Done",
            ),
        ),
        DONE,
    )
    out = run(s).output
    assert set(out["send"]) == {"MD5OfMessageBody", "MessageId"}
    assert [e["Id"] for e in out["batch"]["Successful"]] == ["a"]
    assert out["batch"]["Failed"][0]["Id"] == "b" and out["batch"]["Failed"][0]["SenderFault"]
    assert set(out["publish"]) == {"MessageId"}
    entries = out["events"]["Entries"]
    assert out["events"]["FailedEntryCount"] == 1
    assert "EventId" in entries[0] and entries[1]["ErrorCode"] == "ResourceNotFoundException"
    assert out["error"]["Error"] == "Sqs.QueueDoesNotExistException"
    assert len(kinds(s, "event.matched", "orders")) == 1


# -- validate and graph ------------------------------------------------------------------


def test_validate_and_graph_know_the_sdk_integrations() -> None:
    text = stack_text(
        [
            (
                "Q",
                sdk("dynamodb:query", {"TableName": "stock", "KeyConditionExpression": "sku = :s"}),
            ),
            ("P", sdk("s3:putObject", {"Bucket": "elsewhere", "Key": "k"})),
            ("X", sdk("ec2:describeInstances", {})),
        ]
    )
    stack = load_stack_text(text, "stacktape.yml")
    warned = [d.message for d in stack.diagnostics if d.code == "asl-task-target"]
    assert any("Bucket elsewhere names no bucket" in m for m in warned)
    assert any("aws-sdk:ec2:describeInstances is not simulated" in m for m in warned)
    assert not any("'Q'" in m for m in warned)
    graph = build_graph(stack)
    actions = {(u, v, d.get("action")) for u, v, d in graph.edges(data=True)}
    assert ("flow", "stock", "reads-item") in actions


# -- Step Functions, Batch, Kinesis ------------------------------------------------------

JOBS_STACK = """\
resources:
  render:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: r.ts}}
      resources: {cpu: 2, memory: 7800}
  clicks:
    type: kinesis-stream
  child:
    type: state-machine
    properties:
      definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
  flow:
    type: state-machine
    properties:
      definition: DEFINITION
"""


def test_start_execution_submit_job_and_put_record_through_the_sdk(tmp_path: Path) -> None:
    states = {
        "Start": sdk(
            "sfn:startExecution",
            {"StateMachineArn": "child", "Input": '{"a": 1}', "Name": "kid"},
            ResultPath="$.start",
            Next="Again",
        ),
        "Again": sdk(
            "sfn:startExecution",
            {"StateMachineArn": "child", "Input": '{"a": 2}', "Name": "kid"},
            Catch=catch_all("$.again", "Submit"),
            Next="Submit",
        ),
        "Submit": sdk(
            "batch:submitJob",
            {"JobDefinition": "render", "JobName": "r-1", "JobQueue": "q"},
            ResultPath="$.job",
            Next="BadJob",
        ),
        "BadJob": sdk(
            "batch:submitJob",
            {"JobDefinition": "render", "JobName": "bad name!", "JobQueue": "q"},
            Catch=catch_all("$.badJob", "Put"),
            Next="Put",
        ),
        "Put": sdk(
            "kinesis:putRecord",
            {"StreamName": "clicks", "Data": "click", "PartitionKey": "u-1"},
            ResultPath="$.put",
            End=True,
        ),
    }
    definition = {"StartAt": "Start", "States": states}
    (tmp_path / "stacktape.yml").write_text(
        JOBS_STACK.replace("DEFINITION", json.dumps(definition)), encoding="utf-8"
    )
    (tmp_path / "stptui.yml").write_text("behaviors: {}\n", encoding="utf-8")
    s = Session.open(tmp_path, start_ms=T0)
    ex = run(s)
    assert ex.status == "SUCCEEDED", ex.cause
    out = ex.output
    assert out["start"] == {
        "ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:app-dev-child:kid",
        "StartDate": "2026-01-05T08:00:00.000Z",
    }
    assert out["again"]["Error"] == "Sfn.ExecutionAlreadyExistsException"
    assert set(out["job"]) == {"JobArn", "JobId", "JobName"} and out["job"]["JobName"] == "r-1"
    assert out["badJob"]["Error"] == "Batch.ClientException"
    assert set(out["put"]) == {"SequenceNumber", "ShardId"}
    assert lookup_machine(s.sim, "child").executions["kid"].status == "SUCCEEDED"
    assert len(kinds(s, "stream.record_put", "clicks")) == 1


# -- Lambda ------------------------------------------------------------------------------

LAMBDA_STACK = f"""\
resources:
  check:
    type: function
    properties:
      {PKG}
  flaky:
    type: function
    properties:
      {PKG}
  flow:
    type: state-machine
    properties:
      definition: DEFINITION
"""


def test_lambda_invoke_returns_the_payload_as_text_and_a_function_error_in_the_response(
    tmp_path: Path,
) -> None:
    states = {
        "Check": sdk(
            "lambda:invoke",
            {"FunctionName": "check", "Payload": {"n.$": "$.n"}},
            ResultPath="$.check",
            Next="Flaky",
        ),
        "Flaky": sdk("lambda:invoke", {"FunctionName": "flaky"}, ResultPath="$.flaky", End=True),
    }
    definition = {"StartAt": "Check", "States": states}
    (tmp_path / "stacktape.yml").write_text(
        LAMBDA_STACK.replace("DEFINITION", json.dumps(definition)), encoding="utf-8"
    )
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n"
        "  check: {response: '{seen: n}'}\n"
        "  flaky: {fail: {always: true, error: Boom, message: it broke}}\n",
        encoding="utf-8",
    )
    s = Session.open(tmp_path, start_ms=T0)
    ex = run(s, {"n": 4})
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["check"] == {
        "ExecutedVersion": "$LATEST",
        "Payload": '{"seen":4}',
        "StatusCode": 200,
    }
    assert ex.output["flaky"] == {
        "ExecutedVersion": "$LATEST",
        "FunctionError": "Unhandled",
        "Payload": '{"errorType":"Boom","errorMessage":"it broke","trace":[]}',
        "StatusCode": 200,
    }


def test_lambda_invoke_of_a_function_that_times_out_answers_lambdas_own_error(
    tmp_path: Path,
) -> None:
    definition = {
        "StartAt": "Flaky",
        "States": {"Flaky": sdk("lambda:invoke", {"FunctionName": "flaky"}, End=True)},
    }
    (tmp_path / "stacktape.yml").write_text(
        LAMBDA_STACK.replace("DEFINITION", json.dumps(definition)), encoding="utf-8"
    )
    behaviors = "behaviors:\n  flaky: {timeout: true}\n"
    (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    s = Session.open(tmp_path, start_ms=T0)
    ex = run(s, {})
    s.sim.run(10**7)  # until the function's timeout (Stacktape's default, 20 s) ends it
    assert ex.status == "SUCCEEDED", ex.cause
    request_id = next(
        r.data["invocation_id"] for r in s.sim.trace.records if r.kind == "invocation.failed"
    )
    assert ex.output == {
        "ExecutedVersion": "$LATEST",
        "FunctionError": "Unhandled",
        "Payload": (
            f'{{"errorMessage":"RequestId: {request_id} Error: Task timed out after 20.00 '
            'seconds","errorType":"Sandbox.Timedout"}'
        ),
        "StatusCode": 200,
    }


def test_an_asynchronous_sdk_invoke_is_not_simulated() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": sdk(
                "lambda:invoke",
                {"FunctionName": "check", "InvocationType": "Event"},
                End=True,
            )
        },
    }
    stack = load_stack_text(
        LAMBDA_STACK.replace("DEFINITION", json.dumps(definition)), "stacktape.yml"
    )
    found = [d.message for d in stack.diagnostics if d.code == "asl-task-target"]
    assert any("InvocationType Event" in m for m in found), found


def test_a_bad_filter_expression_is_named_in_the_error(tmp_path: Path) -> None:
    s = query_flow(
        tmp_path,
        {
            "FilterExpression": "q < :m",
            "ExpressionAttributeValues": {":m": {"N": "1"}, ":x": {"N": "2"}},
        },
        api="scan",
    )
    error = run(s).output["error"]
    assert error["Error"] == "DynamoDb.ValidationException"
    assert "unused in expressions: keys: {:x}" in error["Cause"]
    (tmp_path / "b").mkdir()
    s = query_flow(tmp_path / "b", {"FilterExpression": "contains(q)"}, api="scan")
    assert run(s).output["error"]["Cause"].startswith("Invalid FilterExpression: ")


def test_get_object_refuses_an_object_a_lifecycle_rule_archived(tmp_path: Path) -> None:
    # S3 refuses GetObject on Glacier Flexible Retrieval until the object is restored;
    # HeadObject still answers, and names the storage class.
    where = {"Bucket": "$ResourceParam('files', 'name')", "Key": "a.bin"}
    s = open_flow(
        tmp_path,
        ("Head", sdk("s3:headObject", where, ResultPath="$.head")),
        ("Get", sdk("s3:getObject", where)),
    )
    text = (
        (tmp_path / "stacktape.yml")
        .read_text(encoding="utf-8")
        .replace(
            "properties: {versioning: false}",
            "properties:\n      lifecycleRules:\n        - type: class-transition\n"
            "          properties: {daysAfterUpload: 1, storageClass: GLACIER}",
        )
    )
    (tmp_path / "stacktape.yml").write_text(text, encoding="utf-8")
    s = Session.open(tmp_path, start_ms=T0)
    s.sim.services["buckets"].put_object("files", "a.bin", content=b"x" * 200_000, source="t")
    s.sim.advance(3 * 86_400_000)
    ex = run(s)
    assert ex.status == "FAILED"
    assert ex.error == "S3.InvalidObjectStateException"
    head = kinds(s, "sfn.task.called", "flow")
    assert [h["integration"] for h in head] == ["aws-sdk:s3:headObject"]


def test_put_events_through_the_sdk_refuses_a_request_over_the_size_limit_whole(
    tmp_path: Path,
) -> None:
    # The limit is the request's ("The total entry size must be less than" it): an entry
    # over it, or entries that add up to more, fail the call with ValidationException
    # instead of failing entry by entry, and nothing is put.
    def entry(size: int) -> dict[str, Any]:
        return {
            "EventBusName": "orders",
            "Source": "shop",
            "DetailType": "t",
            "Detail": json.dumps({"pad": "x" * size}),
        }

    for entries in ([entry(600_000), entry(600_000)], [entry(1_100_000)]):
        s = open_flow(
            tmp_path,
            ("Put", sdk("eventbridge:putEvents", {"Entries": entries}, Catch=catch_all())),
            DONE,
        )
        out = run(s).output
        assert out["error"]["Error"] == "EventBridge.ValidationException"
        assert "Total size of the entries in the request is over the limit" in out["error"]["Cause"]
        assert not kinds(s, "event.published")
