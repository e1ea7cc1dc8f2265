"""The handlers of docs/examples/file-reads.yml written as Lambda code: boto3 and os.environ
only, no `context` method (docs/behaviors.md, "boto3 in handlers"). Under stptui, `import
boto3` gives its stand-in, whose clients act for the invocation that is running."""

from __future__ import annotations

import os
import urllib.parse
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

# Clients are made once, at import, as Lambda code makes them: the table's name is in the
# environment `connectTo: [results]` gives.
s3 = boto3.client("s3")
results = boto3.resource("dynamodb").Table(os.environ["STP_RESULTS_NAME"])


def process(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Count the data rows of each uploaded CSV file, once per file."""
    for record in event["Records"]:
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        if "Item" in results.get_item(Key={"objectKey": key}):
            print(f"{key}: already counted")
            continue
        body = s3.get_object(Bucket=record["s3"]["bucket"]["name"], Key=key)["Body"]
        rows = [line for line in body.read().decode("utf-8").splitlines()[1:] if line.strip()]
        print(f"{key}: {len(rows)} rows")
        results.put_item(
            Item={"objectKey": key, "verdict": "ok" if rows else "empty", "lineCount": len(rows)}
        )
    return {"files": len(event["Records"])}


def report(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The files with rows, the largest first, from the table's byVerdict index."""
    page = results.query(
        IndexName="byVerdict",
        KeyConditionExpression=Key("verdict").eq("ok"),
        ScanIndexForward=False,
    )
    # The resource gives numbers as Decimal, as boto3's does.
    lines = sum(int(item["lineCount"]) for item in page["Items"])
    return {"largest": [item["objectKey"] for item in page["Items"]], "lines": lines}
