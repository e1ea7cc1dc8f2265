"""boto3 calls that Lambda code written the usual way makes, found by running a Stacktape
project's Python handlers unmodified under `--allow-code` (they were pinned here as strict
xfails until the stand-in, stptui/sim/behavior/boto3_standin/, carried them out).

The calls were chosen from real handler code (the `search` code corpus): `copy_object` then
`delete_object` to move an uploaded file, `Table.batch_writer()` to delete or load items,
`get_paginator("list_objects_v2")`, `sqs.delete_message` of the record's receipt handle,
`dynamodb.meta.client` / `table.meta.client.exceptions` for the modelled error classes."""

from __future__ import annotations

import textwrap
from pathlib import Path

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
STACK = """\
serviceName: shop
resources:
  files: {type: bucket}
  jobs: {type: sqs-queue}
  orders:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: orderId, type: string}}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.py}}
      connectTo: [files, orders, jobs]
"""
PRELUDE = """\
import os
import boto3

s3 = boto3.client("s3")
sqs = boto3.client("sqs")
dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(os.environ["STP_ORDERS_NAME"])
BUCKET = os.environ["STP_FILES_NAME"]
QUEUE = os.environ["STP_JOBS_URL"]
"""


def _run(folder: Path, body: str, *setup: str) -> tuple[Session, str]:
    """Invoke `worker`, whose handler is `body`, after the `setup` commands; the
    invocation's outcome: `succeeded` or the error it failed with."""
    (folder / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (folder / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: dogfood_worker:handler\n", encoding="utf-8"
    )
    code = PRELUDE + "\n\ndef handler(event, context):\n" + textwrap.indent(body, "    ")
    (folder / "dogfood_worker.py").write_text(code, encoding="utf-8")
    s = Session.open(folder, start_ms=T0, allow_code=True)
    for line in setup:
        execute(s, line)
    execute(s, "invoke worker '{}'")
    ends = [
        r for r in s.sim.trace.records if r.kind in ("invocation.succeeded", "invocation.failed")
    ]
    end = ends[-1]
    if end.kind == "invocation.succeeded":
        return s, "succeeded"
    return s, f"{end.data['error']}: {end.data['error_message']}"


def test_a_handler_moves_an_uploaded_file(tmp_path: Path) -> None:
    s, outcome = _run(
        tmp_path,
        'src = {"Bucket": BUCKET, "Key": "imports/a.csv"}\n'
        's3.copy_object(Bucket=BUCKET, Key="done/a.csv", CopySource=src)\n'
        's3.delete_object(Bucket=BUCKET, Key="imports/a.csv")\n',
        "upload files imports/a.csv --content 'id\\n1\\n'",
    )
    assert outcome == "succeeded"
    execute(s, "expect object files done/a.csv exists == true")
    execute(s, "expect object files imports/a.csv exists == false")


def test_a_handler_loads_items_with_batch_writer(tmp_path: Path) -> None:
    s, outcome = _run(
        tmp_path,
        "with table.batch_writer() as batch:\n"
        "    for i in range(30):\n"
        '        batch.put_item(Item={"orderId": f"o-{i}", "n": i})\n',
    )
    assert outcome == "succeeded"
    execute(s, "expect item orders orderId=o-29 n == 29")


def test_a_handler_lists_a_prefix_with_a_paginator(tmp_path: Path) -> None:
    _, outcome = _run(
        tmp_path,
        'pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="in/")\n'
        'keys = [o["Key"] for page in pages for o in page.get("Contents", [])]\n'
        'assert keys == ["in/a", "in/b"], keys\n',
        "upload files in/a --content x",
        "upload files in/b --content y",
    )
    assert outcome == "succeeded"


def test_a_handler_deletes_the_message_it_was_given(tmp_path: Path) -> None:
    # Handlers that also consume queues by hand delete by receipt handle; here the message
    # was received by nobody, so SQS answers ReceiptHandleIsInvalid, a ClientError the
    # code can catch, not an AttributeError.
    _, outcome = _run(
        tmp_path,
        "from botocore.exceptions import ClientError\n"
        "try:\n"
        '    sqs.delete_message(QueueUrl=QUEUE, ReceiptHandle="not-a-handle")\n'
        "except ClientError as exc:\n"
        '    assert exc.response["Error"]["Code"] == "ReceiptHandleIsInvalid", exc\n',
    )
    assert outcome == "succeeded"


def test_a_handler_catches_the_modelled_class_through_meta_client(tmp_path: Path) -> None:
    _, outcome = _run(
        tmp_path,
        "errors = table.meta.client.exceptions\n"
        "try:\n"
        '    table.put_item(Item={"orderId": "o-1"}, '
        'ConditionExpression="attribute_exists(orderId)")\n'
        "except errors.ConditionalCheckFailedException:\n"
        "    pass\n"
        "assert dynamodb.meta.client.exceptions.ConditionalCheckFailedException\n",
    )
    assert outcome == "succeeded"


def test_a_handler_writes_a_batch_with_the_low_level_client(tmp_path: Path) -> None:
    s, outcome = _run(
        tmp_path,
        'client = boto3.client("dynamodb")\n'
        "client.batch_write_item(RequestItems={os.environ['STP_ORDERS_NAME']: [\n"
        '    {"PutRequest": {"Item": {"orderId": {"S": "o-1"}}}},\n'
        '    {"PutRequest": {"Item": {"orderId": {"S": "o-2"}}}},\n'
        "]})\n",
    )
    assert outcome == "succeeded"
    execute(s, "expect item orders orderId=o-2 orderId == o-2")
