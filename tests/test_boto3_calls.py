"""The boto3 calls real handler code makes most, carried out by the stand-in through the
context: CopyObject and DeleteObject (the S3-trigger "move the upload" pattern), the
Table's batch_writer and BatchWriteItem, paginators, SQS DeleteMessage by receipt handle,
`meta.client`, and the ReturnValues of DynamoDB's writes (the counter pattern)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
STACK = """\
serviceName: shop
resources:
  files: {type: bucket}
  archive:
    type: bucket
    properties: {versioning: true}
  jobs: {type: sqs-queue}
  orders:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: orderId, type: string}}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.py}}
      connectTo: [files, archive, orders, jobs]
  reader:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/r.py}}
      connectTo: [orders]
      iamRoleStatements:
        - {Effect: Allow, Action: [s3:GetObject], Resource: ["*"]}
  consumer:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/c.py}}
      connectTo: [jobs]
      events:
        - type: sqs
          properties: {sqsQueueName: jobs}
"""
PRELUDE = """\
import os
import boto3
from botocore.exceptions import ClientError

s3 = boto3.client("s3")
sqs = boto3.client("sqs")
ddb = boto3.client("dynamodb")
dynamodb = boto3.resource("dynamodb")
# Each function sees the variables of what it connects to only.
TABLE = os.environ.get("STP_ORDERS_NAME", "orders")
table = dynamodb.Table(TABLE)
BUCKET = os.environ.get("STP_FILES_NAME", "files")
ARCHIVE = os.environ.get("STP_ARCHIVE_NAME")
QUEUE = os.environ.get("STP_JOBS_URL")
OUT = {}
"""


def _session(folder: Path, body: str, function: str = "worker") -> Session:
    """A session whose `function` runs `body` as its handler (the others do nothing)."""
    (folder / "stacktape.yml").write_text(STACK, encoding="utf-8")
    behaviors = "behaviors:\n" + "".join(
        f"  {name}:\n    handler: calls_{name}:handler\n"
        for name in ("worker", "reader", "consumer")
    )
    (folder / "stptui.yml").write_text(behaviors, encoding="utf-8")
    for name in ("worker", "reader", "consumer"):
        code = body if name == function else "return None\n"
        text = PRELUDE + "\n\ndef handler(event, context):\n" + textwrap.indent(code, "    ")
        (folder / f"calls_{name}.py").write_text(text, encoding="utf-8")
    return Session.open(folder, start_ms=T0, allow_code=True)


def _outcome(s: Session) -> str:
    """The last invocation's end: `succeeded` or its error and message."""
    end = [
        r for r in s.sim.trace.records if r.kind in ("invocation.succeeded", "invocation.failed")
    ][-1]
    if end.kind == "invocation.succeeded":
        return "succeeded"
    return f"{end.data['error']}: {end.data['error_message']}"


def _run(tmp_path: Path, body: str, *setup: str, function: str = "worker") -> Session:
    s = _session(tmp_path, body, function)
    for line in setup:
        execute(s, line)
    execute(s, f"invoke {function} '{{}}'")
    return s


def _records(s: Session, kind: str) -> list[Any]:
    return [r for r in s.sim.trace.records if r.kind == kind]


# -- S3: CopyObject and DeleteObject


def test_copy_then_delete_moves_the_upload_with_s3s_events(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        'got = s3.copy_object(Bucket=BUCKET, Key="done/a.csv", '
        'CopySource=f"{BUCKET}/imports/a.csv")\n'
        'assert got["CopyObjectResult"]["ETag"].startswith(\'"\'), got\n'
        'gone = s3.delete_object(Bucket=BUCKET, Key="imports/a.csv")\n'
        'assert gone["ResponseMetadata"]["HTTPStatusCode"] == 204, gone\n'
        'assert "DeleteMarker" not in gone, gone\n'
        'assert s3.get_object(Bucket=BUCKET, Key="done/a.csv")["Body"].read() == b"id,1"\n',
        "upload files imports/a.csv --content id,1",
    )
    assert _outcome(s) == "succeeded"
    created = _records(s, "object.created")[-1].data
    assert (created["key"], created["event"]) == ("done/a.csv", "ObjectCreated:Copy")
    assert created["source"].startswith("worker:")
    deleted = _records(s, "object.deleted")[-1].data
    assert (deleted["key"], deleted["event"]) == ("imports/a.csv", "ObjectRemoved:Delete")
    execute(s, "expect object files imports/a.csv exists == false")


def test_delete_in_a_versioned_bucket_adds_a_delete_marker_and_a_version_id_removes_it(
    tmp_path: Path,
) -> None:
    s = _run(
        tmp_path,
        'first = s3.delete_object(Bucket=ARCHIVE, Key="a")\n'
        'assert first["DeleteMarker"] is True, first\n'
        'again = s3.delete_object(Bucket=ARCHIVE, Key="a", VersionId=first["VersionId"])\n'
        'assert again == {"DeleteMarker": True, "VersionId": first["VersionId"], '
        '"ResponseMetadata": again["ResponseMetadata"]}, again\n'
        'assert s3.get_object(Bucket=ARCHIVE, Key="a")["Body"].read() == b"x"\n',
        "upload archive a --content x",
    )
    assert _outcome(s) == "succeeded"
    events = [r.data["event"] for r in _records(s, "object.deleted")]
    assert events == ["ObjectRemoved:DeleteMarkerCreated", "ObjectRemoved:Delete"]


def test_copy_of_a_missing_key_is_no_such_key_and_writes_nothing(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        "try:\n"
        '    s3.copy_object(Bucket=BUCKET, Key="b", CopySource={"Bucket": BUCKET, "Key": "a"})\n'
        "except s3.exceptions.NoSuchKey as exc:\n"
        '    OUT["code"] = exc.response["Error"]["Code"]\n'
        'assert OUT["code"] == "NoSuchKey", OUT\n',
    )
    assert _outcome(s) == "succeeded"
    assert _records(s, "object.created") == []


def test_copy_needs_get_object_on_the_source_and_put_object_on_the_copy(
    tmp_path: Path,
) -> None:
    # reader may read files (an iamRoleStatements entry) but not write to it.
    s = _run(
        tmp_path,
        "try:\n"
        '    s3.copy_object(Bucket=BUCKET, Key="b", CopySource=f"{BUCKET}/a")\n'
        "except ClientError as exc:\n"
        '    OUT["error"] = exc.response["Error"]\n'
        'assert OUT["error"]["Code"] == "AccessDenied", OUT\n'
        'assert "s3:PutObject" in OUT["error"]["Message"], OUT\n',
        "upload files a --content x",
        function="reader",
    )
    assert _outcome(s) == "succeeded"
    assert [r.data["key"] for r in _records(s, "object.created")] == ["a"]


def test_delete_without_the_permission_is_access_denied(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        's3.delete_object(Bucket=os.environ.get("STP_FILES_NAME", "files"), Key="a")\n',
        "upload files a --content x",
        function="reader",
    )
    assert _outcome(s).startswith("ClientError: An error occurred (AccessDenied)")
    assert "s3:DeleteObject" in _outcome(s)
    execute(s, "expect object files a exists == true")


# -- DynamoDB: batch_writer, BatchWriteItem, ReturnValues


def test_batch_writer_writes_25_at_a_time_and_the_rest_at_the_end(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        "with table.batch_writer() as batch:\n"
        "    for i in range(30):\n"
        '        batch.put_item(Item={"orderId": f"o-{i}", "n": i})\n'
        '    batch.delete_item(Key={"orderId": "o-3"})\n',
    )
    assert _outcome(s) == "succeeded"
    puts = _records(s, "item.put")
    assert len(puts) == 30
    execute(s, "expect item orders orderId=o-29 n == 29")
    execute(s, "expect table.orders.items == 29")


def test_batch_writer_overwrite_by_pkeys_keeps_the_last_request_of_a_key(
    tmp_path: Path,
) -> None:
    s = _run(
        tmp_path,
        'with table.batch_writer(overwrite_by_pkeys=["orderId"]) as batch:\n'
        '    batch.put_item(Item={"orderId": "o-1", "n": 1})\n'
        '    batch.put_item(Item={"orderId": "o-1", "n": 2})\n',
    )
    assert _outcome(s) == "succeeded"
    assert len(_records(s, "item.put")) == 1
    execute(s, "expect item orders orderId=o-1 n == 2")


def test_a_batch_with_two_requests_of_one_key_is_refused_whole(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        "try:\n"
        "    with table.batch_writer() as batch:\n"
        '        batch.put_item(Item={"orderId": "o-1"})\n'
        '        batch.put_item(Item={"orderId": "o-1"})\n'
        "except ClientError as exc:\n"
        '    OUT["message"] = exc.response["Error"]["Message"]\n'
        'assert OUT["message"] == "Provided list of item keys contains duplicates", OUT\n',
    )
    assert _outcome(s) == "succeeded"
    assert _records(s, "item.put") == []


def test_batch_write_item_takes_at_most_25_requests(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        'many = [{"PutRequest": {"Item": {"orderId": {"S": f"o-{i}"}}}} for i in range(26)]\n'
        "try:\n"
        "    ddb.batch_write_item(RequestItems={TABLE: many})\n"
        "except ClientError as exc:\n"
        '    OUT["error"] = exc.response["Error"]\n'
        'assert OUT["error"]["Code"] == "ValidationException", OUT\n'
        "got = ddb.batch_write_item(RequestItems={TABLE: many[:25]})\n"
        'assert got["UnprocessedItems"] == {}, got\n',
    )
    assert _outcome(s) == "succeeded"
    assert len(_records(s, "item.put")) == 25


def test_a_denied_batch_write_leaves_the_emission_failed_a_denied_put_item_leaves(
    tmp_path: Path,
) -> None:
    """consumer connects to the queue only: both calls are refused, each leaves one
    `emission.failed` with AccessDenied naming its action, and nothing is written. Before
    the sleep the records are at the call; after it, at the call's instant too."""
    s = _run(
        tmp_path,
        'put = {"orderId": {"S": "o-1"}}\n'
        "for pause in (0, 2):\n"
        "    context.sleep(pause * 1000)\n"
        "    for call in (\n"
        '        lambda: ddb.put_item(TableName="orders", Item=put),\n'
        "        lambda: ddb.batch_write_item(\n"
        '            RequestItems={"orders": [{"PutRequest": {"Item": put}}]}\n'
        "        ),\n"
        "    ):\n"
        "        try:\n"
        "            call()\n"
        "        except ClientError as exc:\n"
        '            OUT.setdefault("codes", []).append(exc.response["Error"]["Code"])\n'
        'assert OUT["codes"] == ["AccessDeniedException"] * 4, OUT\n',
        function="consumer",
    )
    execute(s, "advance 5s")
    assert _outcome(s) == "succeeded"
    failed = _records(s, "emission.failed")
    assert [(r.t - T0, r.data["emission"], r.data["target"]) for r in failed] == [
        (0, "putItem", "orders"),
        (0, "putItem", "orders"),
        (2000, "putItem", "orders"),
        (2000, "putItem", "orders"),
    ]
    assert ["dynamodb:PutItem" in r.data["error"] for r in failed] == [True, False] * 2
    assert ["dynamodb:BatchWriteItem" in r.data["error"] for r in failed] == [False, True] * 2
    assert _records(s, "item.put") == []


def test_update_item_answers_the_counter_it_added_to(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        "for want in (1, 2):\n"
        "    got = table.update_item(\n"
        '        Key={"orderId": "counter"}, UpdateExpression="ADD n :one",\n'
        '        ExpressionAttributeValues={":one": 1}, ReturnValues="UPDATED_NEW",\n'
        "    )\n"
        '    assert got["Attributes"] == {"n": want}, got\n'
        'old = ddb.update_item(TableName=TABLE, Key={"orderId": {"S": "counter"}},\n'
        '    UpdateExpression="SET tag = :t", ExpressionAttributeValues={":t": {"S": "x"}},\n'
        '    ReturnValues="ALL_OLD")\n'
        'assert old["Attributes"] == {"orderId": {"S": "counter"}, "n": {"N": "2"}}, old\n'
        'new = ddb.update_item(TableName=TABLE, Key={"orderId": {"S": "counter"}},\n'
        '    UpdateExpression="SET tag = :t", ExpressionAttributeValues={":t": {"S": "y"}},\n'
        '    ReturnValues="UPDATED_OLD")\n'
        'assert new["Attributes"] == {"tag": {"S": "x"}}, new\n',
    )
    assert _outcome(s) == "succeeded"


def test_put_and_delete_answer_the_item_they_replaced_with_all_old(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        'first = table.put_item(Item={"orderId": "o-1", "n": 1}, ReturnValues="ALL_OLD")\n'
        'assert "Attributes" not in first, first\n'
        'second = table.put_item(Item={"orderId": "o-1", "n": 2}, ReturnValues="ALL_OLD")\n'
        'assert second["Attributes"] == {"orderId": "o-1", "n": 1}, second\n'
        'gone = table.delete_item(Key={"orderId": "o-1"}, ReturnValues="ALL_OLD")\n'
        'assert gone["Attributes"] == {"orderId": "o-1", "n": 2}, gone\n'
        "try:\n"
        '    table.put_item(Item={"orderId": "o-2"}, ReturnValues="ALL_NEW")\n'
        "except ClientError as exc:\n"
        '    OUT["code"] = exc.response["Error"]["Code"]\n'
        'assert OUT["code"] == "ValidationException", OUT\n',
    )
    assert _outcome(s) == "succeeded"
    execute(s, "expect table.orders.items == 0")


def test_return_values_after_a_sleep_say_the_write_is_made_later(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        "context.sleep(100)\n"
        'table.update_item(Key={"orderId": "c"}, UpdateExpression="ADD n :one",\n'
        '    ExpressionAttributeValues={":one": 1}, ReturnValues="UPDATED_NEW")\n',
    )
    assert "ReturnValues UPDATED_NEW needs the write made at the call" in _outcome(s)


# -- paginators


def test_the_list_objects_v2_paginator_asks_page_after_page(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        'pager = s3.get_paginator("list_objects_v2")\n'
        'pages = list(pager.paginate(Bucket=BUCKET, Prefix="in/", '
        'PaginationConfig={"PageSize": 2}))\n'
        'assert [len(p["Contents"]) for p in pages] == [2, 2, 1], pages\n'
        'keys = list(pager.paginate(Bucket=BUCKET).search("Contents[].Key"))\n'
        'assert keys == ["in/a", "in/b", "in/c", "in/d", "in/e"], keys\n'
        'few = list(pager.paginate(Bucket=BUCKET, PaginationConfig={"MaxItems": 3, '
        '"PageSize": 2}))\n'
        'assert [len(p["Contents"]) for p in few] == [2, 1], few\n'
        'assert s3.can_paginate("list_objects_v2") and not s3.can_paginate("put_object")\n',
        *(f"upload files in/{k} --content x" for k in "abcde"),
    )
    assert _outcome(s) == "succeeded"


def test_query_and_scan_paginators_follow_last_evaluated_key(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        "for i in range(5):\n"
        '    table.put_item(Item={"orderId": f"o-{i}"})\n'
        'pager = ddb.get_paginator("scan")\n'
        'pages = list(pager.paginate(TableName=TABLE, PaginationConfig={"PageSize": 2}))\n'
        'assert [p["Count"] for p in pages] == [2, 2, 1], pages\n'
        "full = pager.paginate(TableName=TABLE, Limit=2).build_full_result()\n"
        'assert full["Count"] == 5 and len(full["Items"]) == 5, full\n'
        'query = ddb.get_paginator("query").paginate(TableName=TABLE,\n'
        '    KeyConditionExpression="orderId = :k",\n'
        '    ExpressionAttributeValues={":k": {"S": "o-3"}})\n'
        'assert [i["orderId"]["S"] for p in query for i in p["Items"]] == ["o-3"]\n'
        "try:\n"
        '    ddb.get_paginator("put_item")\n'
        "except Exception as exc:\n"
        '    OUT["error"] = (type(exc).__name__, str(exc))\n'
        'assert OUT["error"] == ("OperationNotPageableError", '
        '"Operation cannot be paginated: put_item"), OUT\n',
    )
    assert _outcome(s) == "succeeded"


# -- SQS: DeleteMessage by receipt handle


def test_a_consumer_that_deletes_its_message_leaves_the_mapping_a_duplicate_delete(
    tmp_path: Path,
) -> None:
    s = _session(
        tmp_path,
        "for record in event['Records']:\n"
        '    sqs.delete_message(QueueUrl=QUEUE, ReceiptHandle=record["receiptHandle"])\n'
        '    sqs.delete_message(QueueUrl=QUEUE, ReceiptHandle=record["receiptHandle"])\n',
        "consumer",
    )
    execute(s, "send jobs hello")
    execute(s, "advance 5s")
    assert _outcome(s) == "succeeded"
    deleted = _records(s, "message.deleted")
    assert len(deleted) == 1 and deleted[0].data["consumer"] == "consumer"
    # The handler's second delete and the mapping's own are answered with success and
    # delete nothing; the mapping's is recorded, as SQS counts it a deletion.
    assert len(_records(s, "message.delete_stale")) == 1
    execute(s, "expect queue.jobs.depth == 0")


def test_an_older_receipt_handle_is_answered_with_success_and_deletes_nothing(
    tmp_path: Path,
) -> None:
    s = _session(
        tmp_path,
        'record = event["Records"][0]\n'
        'if record["attributes"]["ApproximateReceiveCount"] == "1":\n'
        '    OUT["first"] = record["receiptHandle"]\n'
        '    raise RuntimeError("not yet")\n'
        'sqs.delete_message(QueueUrl=QUEUE, ReceiptHandle=OUT["first"])\n'
        'OUT["second"] = record["receiptHandle"]\n',
        "consumer",
    )
    execute(s, "send jobs hello")
    execute(s, "advance 1m")
    assert _outcome(s) == "succeeded"
    stale = _records(s, "message.delete_stale")
    assert [r.data.get("consumer") for r in stale] == ["consumer"]
    # The message was deleted by the event source mapping, with the newest receipt.
    deleted = _records(s, "message.deleted")
    assert len(deleted) == 1 and "consumer" not in deleted[0].data
    assert deleted[0].seq > stale[0].seq


def test_delete_message_batch_answers_each_entry(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        "got = sqs.delete_message_batch(QueueUrl=QUEUE, Entries=[\n"
        '    {"Id": "a", "ReceiptHandle": "not-a-handle"},\n'
        '    {"Id": "b", "ReceiptHandle": "0" * 64 + "=="},\n'
        "])\n"
        'assert got["Successful"] == [{"Id": "b"}], got\n'
        'assert [f["Code"] for f in got["Failed"]] == ["ReceiptHandleIsInvalid"], got\n'
        "# In the order of SQS's BatchResultErrorEntry, as botocore builds it.\n"
        'assert list(got["Failed"][0]) == ["Id", "SenderFault", "Code", "Message"], got\n',
    )
    assert _outcome(s) == "succeeded"


# -- meta.client


def test_meta_client_is_a_low_level_client_of_the_resources_region(tmp_path: Path) -> None:
    s = _run(
        tmp_path,
        'east = boto3.resource("dynamodb", region_name="eu-west-1")\n'
        "client = east.Table(TABLE).meta.client\n"
        'assert client.meta.region_name == "eu-west-1", client.meta.region_name\n'
        'client.put_item(TableName=TABLE, Item={"orderId": {"S": "o-1"}})\n'
        "errors = client.exceptions\n"
        "try:\n"
        '    client.put_item(TableName=TABLE, Item={"orderId": {"S": "o-1"}},\n'
        '        ConditionExpression="attribute_not_exists(orderId)")\n'
        "except errors.ConditionalCheckFailedException:\n"
        '    OUT["caught"] = True\n'
        'assert OUT["caught"]\n',
    )
    assert _outcome(s) == "succeeded"
