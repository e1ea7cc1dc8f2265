"""The handlers of docs/examples/file-reads.yml: a file processor that reads the object S3
told it about and writes what it found to a table, and a report that queries the table
(docs/behaviors.md, "Reading the stack")."""

from __future__ import annotations

import urllib.parse
from typing import Any


def process(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Count the data rows of each uploaded CSV file, once per file."""
    for record in event["Records"]:
        # S3 event keys are URL-encoded (a space is `+`).
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        if context.get_item("results", {"objectKey": key}) is not None:
            context.log(f"{key}: already counted")
            continue
        bucket = record["s3"]["bucket"]["name"]  # the bucket's AWS name
        text = context.get_object(bucket, key).decode("utf-8")
        rows = [line for line in text.splitlines()[1:] if line.strip()]
        verdict = "ok" if rows else "empty"
        context.log(f"{key}: {len(rows)} rows")
        context.put_item("results", {"objectKey": key, "verdict": verdict, "lineCount": len(rows)})
    return {"files": len(event["Records"])}


def report(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The files with rows, the largest first, from the table's byVerdict index."""
    page = context.query(
        "results",
        "verdict = :v",
        values={":v": "ok"},
        index="byVerdict",
        forward=False,
    )
    return {"largest": [item["objectKey"] for item in page["Items"]], "count": page["Count"]}
