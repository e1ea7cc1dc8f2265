"""A Python handler's reads of the stack: `context.get_object`, `head_object`, `list_objects`,
`get_item`, `query` and `scan`, with S3's and DynamoDB's answers and refusals, checked against
the role as writes are, seeing the stack as it is when the handler runs, leaving no record."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import Session, execute
from stptui.sim import trace as tk

START = 1_767_600_000_000  # 2026-01-05T08:00:00Z
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}"

STACK = f"""
serviceName: reads
resources:
  uploads:
    type: bucket
    properties:
      versioning: true
      lifecycleRules:
        - type: class-transition
          properties: {{prefix: cold/, daysAfterUpload: 0, storageClass: GLACIER}}
  orders:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey: {{name: customer, type: string}}
        sortKey: {{name: n, type: number}}
      secondaryIndexes:
        - name: byStatus
          partitionKey: {{name: state, type: string}}
          sortKey: {{name: total, type: number}}
          projections: [note]
  reader:
    type: function
    properties:
      {PKG}
      connectTo: [uploads, orders]
  outsider:
    type: function
    properties:
      {PKG}
  nightly:
    type: batch-job
    properties:
      container:
        packaging: {{type: stacktape-image-buildpack, properties: {{entryfilePath: src/n.ts}}}}
      resources: {{cpu: 1, memory: 1024}}
      connectTo: [orders]
  getter:
    type: function
    properties:
      {PKG}
      iamRoleStatements:
        - Effect: Allow
          Action: [s3:GetObject, dynamodb:Query]
          Resource: ['*']
"""

# The handlers: each reads what its event says and returns it as JSON.
HANDLERS = '''
import json


def run(event, context):
    """Call `context.<call>(*args, **kwargs)`; bytes come back as text."""
    got = getattr(context, event["call"])(*event.get("args", []), **event.get("kwargs", {}))
    if isinstance(got, bytes):
        return {"bytes": got.decode("utf-8")}
    return json.loads(json.dumps(got, default=str))


def mutate(event, context):
    """Change what get_item and query hand back, then read again."""
    item = context.get_item("orders", {"customer": "c-1", "n": 1})
    item["total"] = 999
    item["tags"].append("x")
    page = context.query("orders", "customer = :c", values={":c": "c-1"})
    page["Items"][0]["state"] = "CHANGED"
    return {
        "item": context.get_item("orders", {"customer": "c-1", "n": 1}),
        "page": context.query("orders", "customer = :c", values={":c": "c-1"})["Items"][0],
    }


def write_then_read(event, context):
    """A write made at the call is read back; one made after a sleep is not, yet."""
    context.put_item("orders", {"customer": "c-9", "n": 1, "total": 5})
    context.sleep(1000)
    context.put_item("orders", {"customer": "c-8", "n": 1, "total": 6})
    return {
        "seen": context.get_item("orders", {"customer": "c-9", "n": 1}),
        "later": context.get_item("orders", {"customer": "c-8", "n": 1}),
    }


def count_orders(event, context):
    """A batch job's container reads as a function does."""
    page = context.query("orders", "customer = :c", values={":c": "c-1"})
    context.log(f"c-1 has {page['Count']} orders")


def first_missing(event, context):
    """A handler that catches NoSuchKey by its class name, as boto3 code does."""
    try:
        context.get_object("uploads", "nope.csv")
    except Exception as exc:
        return {"caught": type(exc).__name__, "code": exc.response["Error"]["Code"]}
'''

RUN = """
behaviors:
  reader: {duration: 10ms, handler: "reads:run"}
  outsider: {duration: 10ms, handler: "reads:run"}
  getter: {duration: 10ms, handler: "reads:run"}
"""
SEED = (
    """put-item orders '{"customer": {"S": "c-1"}, "n": {"N": "1"}, "state": {"S": "OPEN"},
    "total": {"N": "30"}, "note": {"S": "first"}, "tags": {"L": [{"S": "a"}]}}'""",
    """put-item orders '{"customer": {"S": "c-1"}, "n": {"N": "2"}, "state": {"S": "OPEN"},
    "total": {"N": "10"}, "secret": {"S": "s"}}'""",
    """put-item orders '{"customer": {"S": "c-2"}, "n": {"N": "1"}, "state": {"S": "DONE"},
    "total": {"N": "20"}}'""",
    """put-item orders '{"customer": {"S": "c-3"}, "n": {"N": "1"}, "total": {"N": "5"}}'""",
    "upload uploads in/a.csv --content 'id,amount'",
    "upload uploads in/b.csv --size 2KB",
    # S3 moves no object under 128 KB to another class: a larger one.
    "upload uploads cold/old.csv --from {cold}",
)
# What cold/old.csv holds.
COLD = "old\n" * 40_000


def open_session(tmp_path: Path, behaviors: str = RUN) -> Session:
    """The stack with `behaviors`, its handlers in reads.py, and the items and objects of
    SEED written."""
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "reads.py").write_text(textwrap.dedent(HANDLERS), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(textwrap.dedent(behaviors), encoding="utf-8")
    (tmp_path / "cold.csv").write_text(COLD, encoding="utf-8")
    s = Session.open(
        tmp_path / "stacktape.yml",
        behaviors_path=tmp_path / "stptui.yml",
        start_ms=START,
        allow_code=True,
    )
    for line in SEED:
        execute(s, " ".join(line.split()).replace("{cold}", str(tmp_path / "cold.csv")))
    return s


def only(handler: str) -> str:
    """A behaviours file in which reader runs `handler`."""
    return f'behaviors:\n  reader: {{handler: "reads:{handler}"}}\n'


@pytest.fixture
def s(tmp_path: Path) -> Session:
    return open_session(tmp_path)


def call(s: Session, name: str, *args: Any, fn: str = "reader", **kwargs: Any) -> dict[str, Any]:
    """Invoke `fn`'s handler with a read; its response, or its error and message."""
    payload = json.dumps({"call": name, "args": list(args), "kwargs": kwargs})
    result = execute(s, f"invoke {fn} '{payload}'")
    data = result.data
    if data.get("error") is not None:
        return {"error": data["error"], "message": data["error_message"]}
    return data["response"]


# -- S3 -------------------------------------------------------------------------------------


def test_get_object_reads_the_bytes_uploaded(s: Session) -> None:
    assert call(s, "get_object", "uploads", "in/a.csv") == {"bytes": "id,amount"}


def test_get_object_of_a_missing_key_is_no_such_key_by_class_name(s: Session) -> None:
    got = call(s, "get_object", "uploads", "in/zzz.csv")
    assert got["error"] == "NoSuchKey"
    assert got["message"] == (
        "An error occurred (NoSuchKey) when calling the GetObject operation: "
        "The specified key does not exist."
    )


def test_a_handler_catches_no_such_key_and_reads_its_code(tmp_path: Path) -> None:
    s = open_session(tmp_path, only("first_missing"))
    response = execute(s, "invoke reader '{}'").data["response"]
    assert response == {"caught": "NoSuchKey", "code": "NoSuchKey"}


def test_get_object_of_a_bucket_not_in_the_stack_is_no_such_bucket_with_a_did_you_mean(
    s: Session,
) -> None:
    got = call(s, "get_object", "uplods", "in/a.csv")
    assert got["error"] == "NoSuchBucket"
    assert got["message"].startswith(
        "An error occurred (NoSuchBucket) when calling the GetObject operation: "
        "The specified bucket does not exist (stptui: no bucket named 'uplods' in the stack"
    )
    assert "did you mean 'uploads'?" in got["message"]


def test_get_object_of_a_size_only_upload_says_there_are_no_bytes(s: Session) -> None:
    got = call(s, "get_object", "uploads", "in/b.csv")
    assert got["error"] == "BehaviorError"
    assert "uploaded with a size only (2,000 bytes)" in got["message"]
    assert "--content or --from" in got["message"]


def test_an_archived_object_refuses_get_object_until_restored(s: Session) -> None:
    execute(s, "advance 1d")  # the lifecycle rule moves cold/ to GLACIER at midnight
    got = call(s, "get_object", "uploads", "cold/old.csv")
    assert got == {
        "error": "InvalidObjectState",
        "message": "An error occurred (InvalidObjectState) when calling the GetObject "
        "operation: The operation is not valid for the object's storage class",
    }
    head = call(s, "head_object", "uploads", "cold/old.csv")
    assert head["StorageClass"] == "GLACIER" and "Restore" not in head
    execute(s, "restore uploads cold/old.csv --days 1 --tier Expedited")
    assert call(s, "head_object", "uploads", "cold/old.csv")["Restore"] == (
        'ongoing-request="true"'
    )
    execute(s, "advance 10m")
    assert call(s, "get_object", "uploads", "cold/old.csv") == {"bytes": COLD}


def test_head_object_gives_boto3s_metadata(s: Session) -> None:
    head = call(s, "head_object", "uploads", "in/a.csv")
    assert head["ContentLength"] == 9
    assert head["ETag"].startswith('"') and head["ETag"].endswith('"')
    assert head["LastModified"] == "2026-01-05 08:00:00+00:00"
    assert "StorageClass" not in head  # S3 sends none for STANDARD
    assert head["VersionId"]
    assert head["ContentType"] == "binary/octet-stream"


def test_head_object_of_a_missing_key_is_a_bare_404_as_botocore_gives_it(s: Session) -> None:
    got = call(s, "head_object", "uploads", "in/zzz.csv")
    assert got == {
        "error": "ClientError",
        "message": "An error occurred (404) when calling the HeadObject operation: Not Found",
    }


def test_get_object_by_version_reads_the_older_version(s: Session) -> None:
    first = call(s, "head_object", "uploads", "in/a.csv")["VersionId"]
    execute(s, "upload uploads in/a.csv --content 'id,amount,tax'")
    assert call(s, "get_object", "uploads", "in/a.csv") == {"bytes": "id,amount,tax"}
    assert call(s, "get_object", "uploads", "in/a.csv", first) == {"bytes": "id,amount"}
    execute(s, "delete uploads in/a.csv")
    assert call(s, "get_object", "uploads", "in/a.csv")["error"] == "NoSuchKey"


def test_list_objects_is_in_utf8_binary_order_with_prefix_and_paging(s: Session) -> None:
    for key in ("in/Z.csv", "in/é.csv", "in/_.csv", "in/\U0001f600.csv", "in/\uff5e.csv"):
        execute(s, f"upload uploads '{key}' --content x")
    listing = call(s, "list_objects", "uploads", "in/")
    keys = [c["Key"] for c in listing["Contents"]]
    # UTF-8's order is the code points': U+FF5E before the emoji (UTF-16 has it after).
    assert keys == [
        "in/Z.csv",
        "in/_.csv",
        "in/a.csv",
        "in/b.csv",
        "in/\u00e9.csv",
        "in/\uff5e.csv",
        "in/\U0001f600.csv",
    ]
    assert listing["KeyCount"] == 7 and listing["IsTruncated"] is False
    assert listing["Name"].startswith("reads-") and listing["Prefix"] == "in/"
    page = call(s, "list_objects", "uploads", "in/", 2)
    assert [c["Key"] for c in page["Contents"]] == keys[:2] and page["IsTruncated"] is True
    rest = call(s, "list_objects", "uploads", "in/", start_after=keys[1])
    assert [c["Key"] for c in rest["Contents"]] == keys[2:]
    empty = call(s, "list_objects", "uploads", "nothing/")
    assert "Contents" not in empty and empty["KeyCount"] == 0


# -- DynamoDB -------------------------------------------------------------------------------


def test_get_item_gives_plain_json_or_none(s: Session) -> None:
    item = call(s, "get_item", "orders", {"customer": "c-1", "n": 1})
    assert item == {
        "customer": "c-1",
        "n": 1,
        "state": "OPEN",
        "total": 30,
        "note": "first",
        "tags": ["a"],
    }
    assert call(s, "get_item", "orders", {"customer": "c-1", "n": 7}) is None


def test_get_item_errors_are_dynamodbs(s: Session) -> None:
    missing = call(s, "get_item", "ordrs", {"customer": "c-1", "n": 1})
    assert missing["error"] == "ResourceNotFoundException"
    assert "did you mean 'orders'?" in missing["message"]
    bad = call(s, "get_item", "orders", {"customer": "c-1"})
    assert bad == {
        "error": "ClientError",
        "message": "An error occurred (ValidationException) when calling the GetItem "
        "operation: The provided key element does not match the schema",
    }


def test_query_reads_one_partition_in_sort_key_order(s: Session) -> None:
    page = call(s, "query", "orders", "customer = :c", values={":c": "c-1"})
    assert [i["n"] for i in page["Items"]] == [1, 2]
    assert page["Count"] == 2 and page["ScannedCount"] == 2
    assert "LastEvaluatedKey" not in page
    back = call(s, "query", "orders", "customer = :c AND n > :n", values={":c": "c-1", ":n": 1})
    assert [i["n"] for i in back["Items"]] == [2]


def test_query_limit_pages_with_last_evaluated_key(s: Session) -> None:
    first = call(s, "query", "orders", "customer = :c", values={":c": "c-1"}, limit=1)
    assert [i["n"] for i in first["Items"]] == [1]
    assert first["LastEvaluatedKey"] == {"customer": "c-1", "n": 1}
    second = call(
        s,
        "query",
        "orders",
        "customer = :c",
        values={":c": "c-1"},
        limit=1,
        start_key=first["LastEvaluatedKey"],
    )
    assert [i["n"] for i in second["Items"]] == [2]


def test_query_of_an_index_is_sparse_ordered_and_projected(s: Session) -> None:
    page = call(
        s,
        "query",
        "orders",
        "#s = :s",
        values={":s": "OPEN"},
        names={"#s": "state"},
        index="byStatus",
        forward=False,
    )
    # Highest total first; c-3 has no state and is not in the index; `secret` is not projected.
    assert page["Items"] == [
        {"customer": "c-1", "n": 1, "state": "OPEN", "total": 30, "note": "first"},
        {"customer": "c-1", "n": 2, "state": "OPEN", "total": 10},
    ]
    unknown = call(s, "query", "orders", "customer = :c", values={":c": "c-1"}, index="nope")
    assert unknown["message"].endswith("The table does not have the specified index: nope")


def test_query_refuses_what_a_key_condition_cannot_be(s: Session) -> None:
    got = call(s, "query", "orders", "n = :n", values={":n": 1})
    assert got["message"].endswith("Query condition missed key schema element: customer")
    filtered = call(
        s, "query", "orders", "customer = :c", values={":c": "c-1", ":n": 1}, filter="n > :n"
    )
    assert filtered["message"].endswith(
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: n"
    )
    reserved = call(
        s, "query", "orders", "customer = :c AND state = :s", values={":c": "c-1", ":s": "x"}
    )
    assert "reserved keyword" in reserved["message"]


def test_scan_filters_after_reading_and_counts_both(s: Session) -> None:
    page = call(s, "scan", "orders", "#t >= :t", values={":t": 20}, names={"#t": "total"})
    assert [(i["customer"], i["n"]) for i in page["Items"]] == [("c-1", 1), ("c-2", 1)]
    assert page["Count"] == 2 and page["ScannedCount"] == 4
    limited = call(s, "scan", "orders", limit=2)
    assert limited["ScannedCount"] == 2 and limited["LastEvaluatedKey"] == {
        "customer": "c-1",
        "n": 2,
    }


def test_scan_pages_on_from_the_last_evaluated_key(s: Session) -> None:
    seen: list[tuple[str, int]] = []
    start = None
    while True:
        page = call(s, "scan", "orders", limit=3, start_key=start)
        seen += [(i["customer"], i["n"]) for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
    assert seen == [("c-1", 1), ("c-1", 2), ("c-2", 1), ("c-3", 1)]


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "message"),
    [
        ("get_item", ["orders", "c-1"], {}, "get_item: the key must be a JSON object"),
        ("get_object", ["uploads", ""], {}, "get_object: the key must be a non-empty string"),
        ("list_objects", ["uploads"], {"max_keys": "5"}, "list_objects: max_keys must be"),
        ("query", ["orders", None], {}, "query: key_condition must be a KeyConditionExpression"),
        ("scan", ["orders"], {"names": {"#a": 1}}, "scan: names must map"),
    ],
)
def test_a_call_stptui_cannot_make_is_a_behavior_error_naming_it(
    s: Session, name: str, args: list[Any], kwargs: dict[str, Any], message: str
) -> None:
    got = call(s, name, *args, **kwargs)
    assert got["error"] == "BehaviorError"
    assert got["message"].startswith(message)


def test_a_batch_jobs_handler_reads_with_the_jobs_role(tmp_path: Path) -> None:
    s = open_session(tmp_path, 'behaviors:\n  nightly: {handler: "reads:count_orders"}\n')
    execute(s, "start-job nightly")
    execute(s, "advance 10m")
    logs = [r.data["text"] for r in s.sim.trace.records if r.kind == tk.HANDLER_LOG]
    assert logs == ["c-1 has 2 orders"]


def test_returned_values_are_copies(tmp_path: Path) -> None:
    s = open_session(tmp_path, only("mutate"))
    response = execute(s, "invoke reader '{}'").data["response"]
    assert response["item"]["total"] == 30 and response["item"]["tags"] == ["a"]
    assert response["page"]["state"] == "OPEN"
    first = execute(s, "show table orders").data["first_items"][0]
    assert first["total"] == {"N": "30"} and first["tags"] == {"L": [{"S": "a"}]}


# -- permissions ----------------------------------------------------------------------------


def test_a_role_without_access_gets_access_denied_as_writes_do(s: Session) -> None:
    got = call(s, "get_object", "uploads", "in/a.csv", fn="outsider")
    assert got["error"] == "ClientError"
    assert got["message"].startswith(
        "An error occurred (AccessDenied) when calling the GetObject operation: User: "
        "arn:aws:sts::123456789012:assumed-role/reads-dev-outsider-us-east-1/reads-dev-outsider"
        ' is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::'
    )
    assert got["message"].endswith(
        '/in/a.csv" because no identity-based policy allows the s3:GetObject action'
    )
    item = call(s, "get_item", "orders", {"customer": "c-1", "n": 1}, fn="outsider")
    assert "(AccessDeniedException) when calling the GetItem operation" in item["message"]
    assert "dynamodb:GetItem on resource: arn:aws:dynamodb:" in item["message"]
    listing = call(s, "list_objects", "uploads", fn="outsider")
    assert "s3:ListBucket" in listing["message"]
    head = call(s, "head_object", "uploads", "in/a.csv", fn="outsider")
    assert head["message"] == (
        "An error occurred (403) when calling the HeadObject operation: Forbidden"
    )


def test_without_list_bucket_a_missing_key_is_access_denied_not_no_such_key(s: Session) -> None:
    # getter may GetObject anything but not ListBucket: S3 does not say the key is missing.
    assert call(s, "get_object", "uploads", "in/a.csv", fn="getter") == {"bytes": "id,amount"}
    got = call(s, "get_object", "uploads", "in/zzz.csv", fn="getter")
    assert got["error"] == "ClientError"
    assert "(AccessDenied) when calling the GetObject operation" in got["message"]
    assert "s3:ListBucket" in got["message"]


def test_a_version_needs_get_object_version_and_an_index_its_own_grant(s: Session) -> None:
    version = call(s, "head_object", "uploads", "in/a.csv")["VersionId"]
    got = call(s, "get_object", "uploads", "in/a.csv", version, fn="getter")
    assert "s3:GetObjectVersion" in got["message"]
    # getter's dynamodb:Query on '*' covers an index; connectTo covers TABLE/index/*.
    page = call(
        s,
        "query",
        "orders",
        "#s = :s",
        values={":s": "DONE"},
        names={"#s": "state"},
        index="byStatus",
        fn="getter",
    )
    assert page["Count"] == 1
    denied = call(s, "scan", "orders", fn="getter")
    assert "dynamodb:Scan" in denied["message"]


# -- time, records, determinism ------------------------------------------------------------


def test_a_handler_reads_back_what_it_wrote_before_it_slept(tmp_path: Path) -> None:
    s = open_session(tmp_path, only("write_then_read"))
    # The write at the call is made at once; the one after the sleep at start + 1 s, after
    # the read (which sees the stack at the start instant).
    first = execute(s, "invoke reader '{}'").data["response"]
    assert first == {"seen": {"customer": "c-9", "n": 1, "total": 5}, "later": None}
    assert execute(s, "invoke reader '{}'").data["response"]["later"]["total"] == 6


def test_reads_leave_no_record_and_the_same_run_gives_the_same_trace(tmp_path: Path) -> None:
    def run(folder: Path) -> list[tuple[Any, ...]]:
        folder.mkdir()
        s = open_session(folder)
        before = len(s.sim.trace.records)
        call(s, "get_object", "uploads", "in/a.csv")
        call(s, "query", "orders", "customer = :c", values={":c": "c-1"})
        call(s, "list_objects", "uploads")
        records = s.sim.trace.records
        kinds = {r.kind for r in records[before:]}
        assert kinds <= {tk.INVOCATION_STARTED, tk.INVOCATION_SUCCEEDED, "invoke.requested"}, kinds
        return [(r.t, r.kind, r.resource, json.dumps(r.data, sort_keys=True)) for r in records]

    assert run(tmp_path / "one") == run(tmp_path / "two")
