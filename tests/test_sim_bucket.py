"""S3 buckets: key encoding, notification filters and event types, the Records payload, the
EventBridge notifications and the upload/delete commands (reference aws-semantics §5)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.config.model import S3Trigger
from stptui.sim import trace as tk
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.bucket import Notification, bucket_logical_id, encode_key
from tests.simkit import START, capture_inputs, make_sim, records

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"


def fn(name: str, *events: str, extra: str = "") -> str:
    """A function resource with the given `events` items (YAML mappings, one per line)."""
    lines = [f"  {name}:", "    type: function", "    properties:", f"      {PKG}", extra]
    if events:
        lines.append("      events:")
        lines += [f"        - {e}" for e in events]
    return "\n".join(line for line in lines if line) + "\n"


def s3(bucket: str, event: str, prefix: str | None = None, suffix: str | None = None) -> str:
    rule = {k: v for k, v in (("prefix", prefix), ("suffix", suffix)) if v is not None}
    props: dict[str, Any] = {
        "bucketArn": f"$ResourceParam('{bucket}', 'arn')",
        "s3EventType": event,
    }
    if rule:
        props["filterRule"] = rule
    return json.dumps({"type": "s3", "properties": props})


def capture(sim: Simulator) -> list[tuple[str, str, dict[str, Any]]]:
    """(workload, trigger, event) for every invocation or attempt, as its handler sees it."""
    return capture_inputs(sim, lambda inp: (inp.function, inp.trigger, inp.event()))


def reasons(sim: Simulator, target: str) -> list[str]:
    return [
        r.get("reason") for r in records(sim, tk.NOTIFICATION_SKIPPED) if r.get("target") == target
    ]


# -- key encoding ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "encoded"),
    [
        ("red flower.jpg", "red+flower.jpg"),  # AWS's documented example
        ("a@b", "a%40b"),  # AWS-validated
        ("testupload/dir1/testfile.txt", "testupload/dir1/testfile.txt"),  # `/` is kept
        ("c++/notes (1).txt", "c%2B%2B/notes+%281%29.txt"),
        ("dt=2018-05-04/_SUCCESS", "dt%3D2018-05-04/_SUCCESS"),
        ("logs/10:47:07.log", "logs/10%3A47%3A07.log"),
        ("café/ü.csv", "caf%C3%A9/%C3%BC.csv"),  # UTF-8 bytes, upper-case hex
        ("a*b-c_d.e~f", "a*b-c_d.e%7Ef"),  # URLEncoder keeps * - _ . and encodes ~
    ],
)
def test_keys_are_form_url_encoded_as_s3_writes_them(key: str, encoded: str) -> None:
    assert encode_key(key) == encoded


# -- the filter and event-type rules ---------------------------------------------------------


def config(event: str, prefix: str | None = None, suffix: str | None = None) -> Notification:
    trig = S3Trigger(
        type="s3", owner="f", index=0, path=(), event_types=[event], prefix=prefix, suffix=suffix
    )
    return Notification(trig, "function", "arn:aws:lambda:us-east-1:123456789012:function:f")


def why(n: Notification, key: str, event: str = "ObjectCreated:Put") -> str | None:
    return n.skip_reason(event, key, encode_key(key))


def test_prefix_and_suffix_must_both_hold() -> None:
    n = config("s3:ObjectCreated:*", "incoming/", ".csv")
    assert why(n, "incoming/a.csv") is None
    assert why(n, "incoming/a.txt") == 'key "incoming/a.txt" does not end with suffix ".csv"'
    assert why(n, "raw/a.csv") == 'key "raw/a.csv" does not start with prefix "incoming/"'
    assert why(n, "raw/a.txt") == (
        'key "raw/a.txt" does not start with prefix "incoming/" and does not end with suffix ".csv"'
    )


def test_prefix_only_suffix_only_and_no_filter() -> None:
    assert why(config("s3:ObjectCreated:*", prefix="in/"), "in/x") is None
    assert why(config("s3:ObjectCreated:*", suffix=".jpg"), "deep/down/x.jpg") is None
    assert why(config("s3:ObjectCreated:*", suffix=".jpg"), "x.jpeg") is not None
    assert why(config("s3:ObjectCreated:*"), "anything at all") is None
    # An empty value is accepted by S3 and matches every key.
    assert why(config("s3:ObjectCreated:*", prefix="", suffix=""), "x") is None


def test_matching_is_case_sensitive() -> None:
    assert why(config("s3:ObjectCreated:*", prefix="incoming/"), "Incoming/a.csv") == (
        'key "Incoming/a.csv" does not start with prefix "incoming/"'
    )
    assert why(config("s3:ObjectCreated:*", suffix=".CSV"), "a.csv") is not None


def test_filters_compare_with_the_url_encoded_key() -> None:
    n = config("s3:ObjectCreated:*", prefix="my+dir/")  # how S3 wants "my dir/" written
    assert why(n, "my dir/a.txt") is None
    raw = config("s3:ObjectCreated:*", prefix="my dir/")
    assert why(raw, "my dir/a.txt") == (
        'key "my dir/a.txt" (URL-encoded "my+dir/a.txt") does not start with prefix "my dir/"'
    )
    assert why(config("s3:ObjectCreated:*", suffix="%40x"), "a@x") is None
    # `*` is not a wildcard in a filter: it is compared literally.
    assert why(config("s3:ObjectCreated:*", prefix="in/*"), "in/a") is not None


@pytest.mark.parametrize(
    ("configured", "event", "fires"),
    [
        ("s3:ObjectCreated:*", "ObjectCreated:Put", True),
        ("s3:ObjectCreated:*", "ObjectCreated:Post", True),
        ("s3:ObjectCreated:*", "ObjectCreated:Copy", True),
        ("s3:ObjectCreated:*", "ObjectCreated:CompleteMultipartUpload", True),
        ("s3:ObjectCreated:Put", "ObjectCreated:Put", True),
        ("s3:ObjectCreated:Put", "ObjectCreated:Copy", False),
        ("s3:ObjectCreated:Copy", "ObjectCreated:Put", False),
        ("s3:ObjectCreated:*", "ObjectRemoved:Delete", False),
        ("s3:ObjectRemoved:*", "ObjectRemoved:Delete", True),
        ("s3:ObjectRemoved:*", "ObjectRemoved:DeleteMarkerCreated", True),
        ("s3:ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated", False),
        ("s3:ObjectRemoved:DeleteMarkerCreated", "ObjectRemoved:DeleteMarkerCreated", True),
        ("s3:ObjectRemoved:*", "ObjectCreated:Put", False),
    ],
)
def test_event_types_and_wildcards(configured: str, event: str, fires: bool) -> None:
    reason = config(configured).skip_reason(event, "k", "k")
    if fires:
        assert reason is None
    else:
        assert reason == f"event {event} is not in [{configured}]"


# -- uploads in a simulation -----------------------------------------------------------------

STACK = (
    "resources:\n"
    "  uploads: {type: bucket}\n"
    "  archive:\n"
    "    type: bucket\n"
    "    properties: {versioning: true}\n"
    + fn("processor", s3("uploads", "s3:ObjectCreated:*", prefix="incoming/"))
    + fn("csvOnly", s3("uploads", "s3:ObjectCreated:Put", prefix="data/", suffix=".csv"))
    + fn("copies", s3("uploads", "s3:ObjectCreated:Copy", prefix="copies/"))
    + fn("remover", s3("uploads", "s3:ObjectRemoved:*"))
    + fn("archived", s3("archive", "s3:ObjectCreated:*"))
    + fn("markers", s3("archive", "s3:ObjectRemoved:DeleteMarkerCreated"))
    + fn("plainDeletes", s3("archive", "s3:ObjectRemoved:Delete", prefix="never/"))
)


@pytest.fixture
def sim() -> Simulator:
    return make_sim(STACK)


def test_the_records_payload_has_aws_s_keys_and_values(sim: Simulator) -> None:
    seen = capture(sim)
    sim.services["buckets"].put_object("uploads", "incoming/red flower@2x.jpg", content=b"hello")
    sim.run(60_000)
    [(name, trigger, event)] = seen
    assert (name, trigger) == ("processor", "s3")
    [record] = event["Records"]
    assert list(record) == [
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
    assert record["eventVersion"] == "2.5"  # one version for every event type
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == sim.region
    assert record["eventTime"] == "2026-01-05T08:00:00.000Z"
    assert record["eventName"] == "ObjectCreated:Put"  # no s3: prefix
    assert list(record["userIdentity"]) == ["principalId"]
    assert list(record["requestParameters"]) == ["sourceIPAddress"]
    assert list(record["responseElements"]) == ["x-amz-request-id", "x-amz-id-2"]
    body = record["s3"]
    assert list(body) == ["s3SchemaVersion", "configurationId", "bucket", "object"]
    assert body["s3SchemaVersion"] == "1.0"
    # Stacktape's Id: SHA-1 of the function ARN, the event type and the filter rule's JSON.
    digest = hashlib.sha1(sim.resource_param("processor", "arn").encode())
    digest.update(b"s3:ObjectCreated:*")
    digest.update(b'{"prefix":"incoming/"}')
    assert body["configurationId"] == digest.hexdigest()
    aws_name = sim.resource_param("uploads", "name")
    assert body["bucket"] == {
        "name": aws_name,
        "ownerIdentity": {"principalId": body["bucket"]["ownerIdentity"]["principalId"]},
        "arn": f"arn:aws:s3:::{aws_name}",
        "awsGeneratedTags": body["bucket"]["awsGeneratedTags"],
    }
    assert list(body["bucket"]) == ["name", "ownerIdentity", "arn", "awsGeneratedTags"]
    assert body["object"] == {
        "key": "incoming/red+flower%402x.jpg",
        "size": 5,
        "eTag": hashlib.md5(b"hello").hexdigest(),
        "sequencer": body["object"]["sequencer"],
    }
    created = records(sim, tk.OBJECT_CREATED)[0]
    assert record["responseElements"]["x-amz-request-id"] == created.get("request_id")
    assert created.get("key") == "incoming/red flower@2x.jpg"  # the trace keeps the raw key


def test_every_upload_says_which_notifications_matched_and_why_others_did_not(
    sim: Simulator,
) -> None:
    buckets = sim.services["buckets"]
    buckets.put_object("uploads", "raw/a.csv", size=10)
    matched = records(sim, tk.NOTIFICATION_MATCHED)
    assert matched == []
    assert reasons(sim, "processor") == ['key "raw/a.csv" does not start with prefix "incoming/"']
    assert sim.function_stats("processor")["invocations"] == 0
    assert reasons(sim, "csvOnly") == ['key "raw/a.csv" does not start with prefix "data/"']
    assert reasons(sim, "copies") == ["event ObjectCreated:Put is not in [s3:ObjectCreated:Copy]"]
    assert reasons(sim, "remover") == ["event ObjectCreated:Put is not in [s3:ObjectRemoved:*]"]
    # Only this bucket's configurations are consulted.
    assert {r.get("target") for r in records(sim, tk.NOTIFICATION_SKIPPED)} == {
        "processor",
        "csvOnly",
        "copies",
        "remover",
    }


def test_wildcards_and_operations_in_a_simulation(sim: Simulator) -> None:
    seen = capture(sim)
    buckets = sim.services["buckets"]
    buckets.put_object("uploads", "incoming/x.bin", size=1, operation="copy")
    buckets.put_object("uploads", "copies/x.bin", size=1, operation="copy")
    buckets.put_object("uploads", "copies/x.csv", size=1, operation="post")
    buckets.put_object("uploads", "data/y.csv", content=b"1,2")
    buckets.put_object("uploads", "incoming/big.bin", size=6 * 1024**3, operation="multipart")
    sim.run(60_000)
    got = sorted((name, e["Records"][0]["eventName"]) for name, _, e in seen)
    assert got == [
        ("copies", "ObjectCreated:Copy"),
        ("csvOnly", "ObjectCreated:Put"),
        ("processor", "ObjectCreated:CompleteMultipartUpload"),
        ("processor", "ObjectCreated:Copy"),
    ]
    big = buckets.buckets["uploads"].objects["incoming/big.bin"]
    assert big.etag.endswith("-768")  # 6 GiB in 8 MiB parts


def test_deletes_carry_no_size_or_etag(sim: Simulator) -> None:
    seen = capture(sim)
    buckets = sim.services["buckets"]
    buckets.put_object("uploads", "raw/z.txt", content=b"zz")
    buckets.delete_object("uploads", "raw/z.txt")
    sim.run(60_000)
    [(name, _, event)] = seen
    record = event["Records"][0]
    assert (name, record["eventName"]) == ("remover", "ObjectRemoved:Delete")
    assert list(record["s3"]["object"]) == ["key", "sequencer"]
    assert "raw/z.txt" not in buckets.buckets["uploads"].objects
    deleted = records(sim, tk.OBJECT_DELETED)[0]
    assert (deleted.get("size"), deleted.get("etag")) == (2, hashlib.md5(b"zz").hexdigest())


def test_a_versioned_bucket_gets_version_ids_and_delete_markers(sim: Simulator) -> None:
    seen = capture(sim)
    buckets = sim.services["buckets"]
    first = buckets.put_object("archive", "doc.txt", content=b"v1")
    second = buckets.put_object("archive", "doc.txt", content=b"v2")
    buckets.delete_object("archive", "doc.txt")
    sim.run(60_000)
    assert first.version_id and second.version_id and first.version_id != second.version_id
    assert len(first.version_id) == 32
    by_name = [(n, e["Records"][0]) for n, _, e in seen]
    assert [n for n, _ in by_name] == ["archived", "archived", "markers"]
    put = by_name[0][1]["s3"]["object"]
    assert list(put) == ["key", "size", "eTag", "versionId", "sequencer"]
    marker = by_name[2][1]
    assert marker["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    # Captured from S3 (quiltdata/quilt's indexer tests, "organic" events of 2020; AWS's
    # EventBridge example agrees): a delete marker's record has the empty object's ETag.
    assert list(marker["s3"]["object"]) == ["key", "eTag", "versionId", "sequencer"]
    assert marker["s3"]["object"]["eTag"] == hashlib.md5(b"").hexdigest()
    assert marker["s3"]["object"]["versionId"] not in (first.version_id, second.version_id)
    assert reasons(sim, "plainDeletes")[-1] == (
        "event ObjectRemoved:DeleteMarkerCreated is not in [s3:ObjectRemoved:Delete]"
    )
    b = buckets.buckets["archive"]
    assert "doc.txt" not in b.objects and len(b.versions["doc.txt"]) == 3


def test_deleting_a_version_deletes_it_for_good_and_the_one_before_is_current(
    sim: Simulator,
) -> None:
    # DeleteObject with a version id "permanently deletes the version"; S3's event for "a
    # versioned object is permanently deleted" is ObjectRemoved:Delete.
    seen = capture(sim)
    buckets = sim.services["buckets"]
    first = buckets.put_object("archive", "never/doc.txt", content=b"v1")
    second = buckets.put_object("archive", "never/doc.txt", content=b"v2")
    gone = buckets.delete_object("archive", "never/doc.txt", version_id=second.version_id)
    sim.run(60_000)
    assert gone is second
    b = buckets.buckets["archive"]
    assert b.objects["never/doc.txt"] is first
    assert b.versions["never/doc.txt"] == [first]
    [event] = [e for n, _, e in seen if n == "plainDeletes"]
    record = event["Records"][0]
    assert record["eventName"] == "ObjectRemoved:Delete"
    assert record["s3"]["object"] == {
        "key": "never/doc.txt",
        "versionId": second.version_id,
        "sequencer": record["s3"]["object"]["sequencer"],
    }
    assert reasons(sim, "markers")[-1] == (
        "event ObjectRemoved:Delete is not in [s3:ObjectRemoved:DeleteMarkerCreated]"
    )
    deleted = records(sim, tk.OBJECT_DELETED)[-1]
    assert (deleted.get("version_id"), deleted.get("size")) == (second.version_id, 2)
    assert deleted.get("reason") == (
        f'version {second.version_id} of "never/doc.txt" deleted for good; '
        f"version {first.version_id} is current again"
    )


def test_deleting_a_delete_marker_brings_the_object_back(sim: Simulator) -> None:
    buckets = sim.services["buckets"]
    kept = buckets.put_object("archive", "doc.txt", content=b"v1")
    buckets.delete_object("archive", "doc.txt")
    b = buckets.buckets["archive"]
    marker = b.versions["doc.txt"][-1]
    assert marker.delete_marker and "doc.txt" not in b.objects
    buckets.delete_object("archive", "doc.txt", version_id=marker.version_id)
    assert b.objects["doc.txt"] is kept and b.versions["doc.txt"] == [kept]
    deleted = records(sim, tk.OBJECT_DELETED)[-1]
    assert deleted.get("event") == "ObjectRemoved:Delete"
    assert (deleted.get("size"), deleted.get("etag")) == (None, None)  # a marker has none
    assert "delete marker" in deleted.get("reason")


def test_deleting_an_older_version_leaves_the_current_one() -> None:
    sim = make_sim(EVENTED.replace("{enableEventBusNotifications: true}", VERSIONED_BUS))
    seen = capture(sim)
    buckets = sim.services["buckets"]
    first = buckets.put_object("media", "a", content=b"v1")
    second = buckets.put_object("media", "a", content=b"v2")
    buckets.delete_object("media", "a", version_id=first.version_id)
    sim.run(60_000)
    b = buckets.buckets["media"]
    assert b.objects["a"] is second and b.versions["a"] == [second]
    deleted = seen[-1][2]
    assert deleted["detail-type"] == "Object Deleted"
    assert deleted["detail"]["object"] == {
        "key": "a",
        "version-id": first.version_id,
        "sequencer": deleted["detail"]["object"]["sequencer"],
    }
    assert deleted["detail"]["deletion-type"] == "Permanently Deleted"
    assert (
        records(sim, tk.OBJECT_DELETED)[-1]
        .get("reason")
        .endswith("the current version is unchanged")
    )


def test_a_version_id_s3_cannot_have_is_refused_and_changes_nothing(sim: Simulator) -> None:
    buckets = sim.services["buckets"]
    buckets.put_object("uploads", "a.txt", content=b"x")
    buckets.put_object("archive", "a.txt", content=b"x")
    before = sim.trace.seq
    with pytest.raises(SimError, match="InvalidArgument: Invalid version id specified"):
        buckets.delete_object("uploads", "a.txt", version_id="v1")
    with pytest.raises(SimError, match="NoSuchVersion: no version 'nope'"):
        buckets.delete_object("archive", "a.txt", version_id="nope")
    assert sim.trace.seq == before
    assert "a.txt" in buckets.buckets["uploads"].objects
    assert len(buckets.buckets["archive"].versions["a.txt"]) == 1


def test_deleting_a_missing_key_on_an_unversioned_bucket_is_s3_s_204(sim: Simulator) -> None:
    # DeleteObject answers 204 for a key the bucket does not have and removes nothing; the
    # ObjectRemoved:Delete event goes out all the same (docs/fidelity.md, S3 notifications).
    seen = capture(sim)
    buckets = sim.services["buckets"]
    buckets.put_object("uploads", "kept.txt", content=b"k")
    assert buckets.delete_object("uploads", "never there.txt") is None
    sim.run(60_000)
    assert list(buckets.buckets["uploads"].objects) == ["kept.txt"]
    [(name, trigger, event)] = seen
    assert (name, trigger) == ("remover", "s3")
    [record] = event["Records"]
    assert record["eventName"] == "ObjectRemoved:Delete"
    assert list(record["s3"]["object"]) == ["key", "sequencer"]
    assert record["s3"]["object"]["key"] == "never+there.txt"
    deleted = records(sim, tk.OBJECT_DELETED)[0]
    assert "size" not in deleted.data and "etag" not in deleted.data
    assert deleted.get("reason") == (
        'no object "never there.txt" in bucket uploads: '
        "S3 removes nothing, answers 204 and sends the event all the same"
    )


def test_deleting_a_missing_key_on_a_versioned_bucket_adds_a_delete_marker(
    sim: Simulator,
) -> None:
    seen = capture(sim)
    buckets = sim.services["buckets"]
    buckets.delete_object("archive", "ghost.txt")
    buckets.put_object("archive", "doc.txt", content=b"v1")
    buckets.delete_object("archive", "doc.txt")
    buckets.delete_object("archive", "doc.txt")  # its current version is a marker already
    sim.run(60_000)
    b = buckets.buckets["archive"]
    assert [v.delete_marker for v in b.versions["ghost.txt"]] == [True]
    assert [v.delete_marker for v in b.versions["doc.txt"]] == [False, True, True]
    markers = [e["Records"][0] for n, _, e in seen if n == "markers"]
    assert [m["s3"]["object"]["key"] for m in markers] == ["ghost.txt", "doc.txt", "doc.txt"]
    assert [m["s3"]["object"]["versionId"] for m in markers] == [
        b.versions["ghost.txt"][0].version_id,
        b.versions["doc.txt"][1].version_id,
        b.versions["doc.txt"][2].version_id,
    ]
    ghost, real, again = records(sim, tk.OBJECT_DELETED)
    assert ghost.get("reason") == (
        'no object "ghost.txt" in bucket archive: '
        "S3 answers 204 and adds a delete marker all the same"
    )
    assert real.get("reason") is None and real.get("size") == 2
    assert again.get("reason", "").startswith('"doc.txt" was already deleted')


def test_deleting_a_missing_key_still_tells_eventbridge() -> None:
    sim = make_sim(EVENTED)
    seen = capture(sim)
    sim.services["buckets"].delete_object("media", "clips/none.mp4")
    sim.run(60_000)
    [(_, _, deleted)] = seen
    assert deleted["detail-type"] == "Object Deleted"
    assert deleted["detail"]["object"]["key"] == "clips/none.mp4"
    assert deleted["detail"]["deletion-type"] == "Permanently Deleted"


def test_sequencers_are_hex_and_grow(sim: Simulator) -> None:
    buckets = sim.services["buckets"]
    seqs = [buckets.put_object("uploads", f"k{i}", size=i).sequencer for i in range(3)]
    sim.advance(1000)
    seqs.append(buckets.put_object("uploads", "k0", size=9).sequencer)
    assert all(len(s) == 18 and int(s, 16) >= 0 and s == s.upper() for s in seqs)
    assert seqs == sorted(seqs) and len(set(seqs)) == 4


def test_an_upload_without_content_or_size_is_an_empty_object(sim: Simulator) -> None:
    obj = sim.services["buckets"].put_object("uploads", "marker")
    assert (obj.size, obj.etag) == (0, hashlib.md5(b"").hexdigest())


def test_bad_requests_change_nothing(sim: Simulator) -> None:
    buckets = sim.services["buckets"]
    before = sim.trace.seq
    with pytest.raises(SimError, match="no bucket named 'upload'") as info:
        buckets.put_object("upload", "k")
    assert info.value.hint == "did you mean uploads?"
    with pytest.raises(SimError, match="is a function, not a bucket"):
        buckets.put_object("processor", "k")
    with pytest.raises(SimError, match="cannot be empty"):
        buckets.put_object("uploads", "")
    with pytest.raises(SimError, match="KeyTooLongError"):
        buckets.put_object("uploads", "é" * 513)
    with pytest.raises(SimError, match="EntityTooLarge"):
        buckets.put_object("uploads", "k", size=5 * 1024**3 + 1)
    with pytest.raises(SimError, match="cannot be empty"):
        buckets.delete_object("uploads", "")
    assert sim.trace.seq == before and buckets.buckets["uploads"].objects == {}


# -- writes from handlers and destinations ---------------------------------------------------

FILE_PROCESSING = "resources:\n  uploads: {type: bucket}\n" + fn(
    "processor",
    s3("uploads", "s3:ObjectCreated:*", prefix="incoming/"),
    extra="      connectTo: [uploads]",
)
WRITES_BACK = """
behaviors:
  processor:
    emit:
      - put: {bucket: uploads, key: "join('', ['processed/', Records[0].s3.object.key])",
              content: "Records[0].s3.object"}
"""


def test_a_processor_writing_under_processed_does_not_trigger_itself_again() -> None:
    sim = make_sim(FILE_PROCESSING, WRITES_BACK)
    sim.services["buckets"].put_object("uploads", "incoming/a.csv", content=b"x")
    sim.run(3_600_000)
    assert sim.function_stats("processor")["invocations"] == 1
    written = records(sim, tk.OBJECT_CREATED)[1]
    assert written.get("key") == "processed/incoming/a.csv"
    assert written.get("source").startswith("processor:")
    assert reasons(sim, "processor") == [
        'key "processed/incoming/a.csv" does not start with prefix "incoming/"'
    ]


def test_an_on_failure_destination_bucket_gets_the_invocation_record() -> None:
    # Stacktape refuses a bucket destination (e36) though AWS allows one for onFailure; the
    # simulator runs the stack anyway so that the AWS behaviour can be seen.
    sim = make_sim(
        "resources:\n  failures: {type: bucket}\n"
        + fn(
            "flaky",
            extra="      destinations: {onFailure: \"$ResourceParam('failures', 'arn')\"}",
        ),
        "behaviors:\n  flaky: {fail: true}\n",
        allow_errors=True,
    )
    sim.invoke_async("flaky", {"n": 1}, "invoke", "test")
    sim.run(3_600_000)
    [obj] = sim.services["buckets"].buckets["failures"].objects.values()
    assert obj.key.startswith("aws/lambda/async/flaky/2026/01/05/2026-01-05T08.03.00-")
    assert [r.kind for r in records(sim, tk.DESTINATION_DELIVERED)] == ["destination.delivered"]
    # AWS takes a bucket as an onFailure destination only.
    sim.deliver_destination("flaky", "onSuccess", "failures", {}, "an-event-id")
    [refused] = records(sim, tk.EMISSION_FAILED)
    assert refused.get("error") == "a bucket can only be an onFailure destination, not onSuccess"


def test_batch_jobs_are_started_by_their_s3_trigger() -> None:
    sim = make_sim(
        "resources:\n  uploads: {type: bucket}\n"
        "  ingest:\n"
        "    type: batch-job\n"
        "    properties:\n"
        "      container: {packaging: {type: prebuilt-image, properties: {image: x}}}\n"
        "      resources: {cpu: 1, memory: 1024}\n"
        "      events:\n"
        f"        - {s3('uploads', 's3:ObjectCreated:*', suffix='.zip')}\n"
    )
    sim.services["buckets"].put_object("uploads", "in/batch.zip", size=3)
    [matched] = records(sim, tk.NOTIFICATION_MATCHED)
    [submitted] = records(sim, tk.BATCH_SUBMITTED)
    assert submitted.get("execution_id") == matched.get("execution_id")
    assert submitted.get("trigger") == "s3" and submitted.seq > matched.seq
    [started] = records(sim, tk.BATCH_ATTEMPT_STARTED)
    event = json.loads(started.get("env")["STP_TRIGGER_EVENT_DATA"])
    assert event["Records"][0]["s3"]["object"]["key"] == "in/batch.zip"


# -- EventBridge -----------------------------------------------------------------------------

EVENTED = (
    "resources:\n"
    "  media:\n"
    "    type: bucket\n"
    "    properties: {enableEventBusNotifications: true}\n"
    + fn(
        "watcher",
        json.dumps(
            {
                "type": "event-bus",
                "properties": {"useDefaultBus": True, "eventPattern": {"source": ["aws.s3"]}},
            }
        ),
    )
)


VERSIONED_BUS = "{enableEventBusNotifications: true, versioning: true}"


def test_event_bus_notifications_have_s3_s_eventbridge_shape() -> None:
    sim = make_sim(EVENTED)
    seen = capture(sim)
    buckets = sim.services["buckets"]
    buckets.put_object("media", "clips/a b.mp4", content=b"abc")
    buckets.delete_object("media", "clips/a b.mp4")
    sim.run(60_000)
    [(_, _, created), (_, _, deleted)] = seen
    aws_name = sim.resource_param("media", "name")
    assert created["source"] == "aws.s3"
    assert created["detail-type"] == "Object Created"
    assert created["resources"] == [f"arn:aws:s3:::{aws_name}"]
    request_id = records(sim, tk.OBJECT_CREATED)[0].get("request_id")
    tags = created["detail"]["bucket"]["aws-generated-tags"]
    assert created["detail"] == {
        "version": "0",
        "event-version": "1.1",
        "bucket": {"name": aws_name, "aws-generated-tags": tags},
        "object": {
            "key": "clips/a b.mp4",
            "size": 3,
            "etag": hashlib.md5(b"abc").hexdigest(),
            "sequencer": created["detail"]["object"]["sequencer"],
        },
        "request-id": request_id,
        "requester": sim.account_id,
        "source-ip-address": created["detail"]["source-ip-address"],
        "reason": "PutObject",
    }
    assert deleted["detail-type"] == "Object Deleted"
    assert deleted["detail"]["bucket"] == {"name": aws_name, "aws-generated-tags": tags}
    assert list(deleted["detail"]["object"]) == ["key", "sequencer"]
    assert deleted["detail"]["reason"] == "DeleteObject"
    assert deleted["detail"]["deletion-type"] == "Permanently Deleted"
    to_bus = [r for r in records(sim, tk.NOTIFICATION_MATCHED) if r.get("target") == "default"]
    assert [r.get("configuration") for r in to_bus] == ["EventBridgeConfiguration"] * 2
    published = records(sim, tk.EVENT_PUBLISHED)
    assert [r.get("event_id") for r in published] == [r.get("event_id") for r in to_bus]


TAGGED = (
    "serviceName: shop\n"
    "resources:\n"
    "  userUploads:\n"
    "    type: bucket\n"
    "    properties: {enableEventBusNotifications: true}\n"
    + fn("onUpload", s3("userUploads", "s3:ObjectCreated:*"))
    + fn(
        "watcher",
        json.dumps(
            {
                "type": "event-bus",
                "properties": {"useDefaultBus": True, "eventPattern": {"source": ["aws.s3"]}},
            }
        ),
    )
)


def tags_of(sim: Simulator) -> tuple[dict[str, str], dict[str, str]]:
    """The tags of one upload's record and of its EventBridge detail."""
    seen = capture(sim)
    sim.services["buckets"].put_object("userUploads", "a.txt", content=b"x")
    sim.run(60_000)
    [record] = [e["Records"][0] for _, t, e in seen if t == "s3"]
    [created] = [e for _, t, e in seen if t == "event-bus"]
    return record["s3"]["bucket"]["awsGeneratedTags"], created["detail"]["bucket"][
        "aws-generated-tags"
    ]


def test_s3_events_carry_the_tags_cloudformation_gives_a_stacktape_bucket() -> None:
    sim = make_sim(TAGGED)
    tags, bus_tags = tags_of(sim)
    stack_id = tags["aws:cloudformation:stack-id"]
    assert tags == {
        "aws:cloudformation:stack-id": stack_id,
        # Stacktape's cfLogicalNames.bucket: the name in PascalCase, then `Bucket`.
        "aws:cloudformation:logical-id": "UserUploadsBucket",
        "aws:cloudformation:stack-name": "shop-dev",
    }
    assert list(tags) == [
        "aws:cloudformation:stack-id",
        "aws:cloudformation:logical-id",
        "aws:cloudformation:stack-name",
    ]
    prefix = f"arn:aws:cloudformation:{sim.region}:{sim.account_id}:stack/shop-dev/"
    assert stack_id.startswith(prefix)
    uuid = stack_id.removeprefix(prefix)
    assert [len(part) for part in uuid.split("-")] == [8, 4, 4, 4, 12]
    int(uuid.replace("-", ""), 16)
    assert bus_tags == tags  # EventBridge's detail names the same tags
    # The stack's id is the stack's own: the same on another run or seed, another for
    # another stage, and it takes nothing from the simulation's ids.
    assert tags_of(make_sim(TAGGED, seed=7))[0] == tags
    other = tags_of(make_sim(TAGGED.replace("serviceName: shop", "serviceName: shop2")))[0]
    assert other["aws:cloudformation:stack-id"] != stack_id
    assert other["aws:cloudformation:stack-name"] == "shop2-dev"


def test_a_rule_can_match_every_bucket_of_the_stack_by_its_stack_name_tag() -> None:
    # The use the tags were announced for: one rule for all of a stack's buckets.
    pattern = {
        "source": ["aws.s3"],
        "detail": {
            "bucket": {"aws-generated-tags": {"aws:cloudformation:stack-name": ["shop-dev"]}}
        },
    }
    stack = TAGGED.replace('{"source": ["aws.s3"]}', json.dumps(pattern))
    assert stack != TAGGED
    sim = make_sim(stack)
    seen = capture(sim)
    sim.services["buckets"].put_object("userUploads", "a.txt", content=b"x")
    sim.run(60_000)
    assert [t for _, t, _ in seen].count("event-bus") == 1
    other = make_sim(stack.replace("serviceName: shop", "serviceName: blog"))
    seen = capture(other)
    other.services["buckets"].put_object("userUploads", "a.txt", content=b"x")
    other.run(60_000)
    assert [t for _, t, _ in seen] == ["s3"]


@pytest.mark.parametrize(
    ("name", "logical_id"),
    [
        ("uploads", "UploadsBucket"),
        ("userUploads", "UserUploadsBucket"),
        # change-case's pascalCase writes each word as one capital and lowercase letters.
        ("rawCSV", "RawCsvBucket"),
        ("myAPIData", "MyApiDataBucket"),
        ("myS3Files", "MyS3FilesBucket"),
    ],
)
def test_the_logical_id_is_stacktapes_pascal_case_name_and_bucket(
    name: str, logical_id: str
) -> None:
    assert bucket_logical_id(name) == logical_id


# -- commands --------------------------------------------------------------------------------


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    return Session.open(tmp_path, start_ms=START)


def test_upload_and_delete_commands(session: Session, tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"id,amount\n1,5\n")
    out = execute(session, f"upload uploads data/a.csv --from {tmp_path / 'a.csv'}")
    assert out.data["size"] == 14
    assert out.data["etag"] == hashlib.md5(b"id,amount\n1,5\n").hexdigest()
    assert out.data["matched"] == [{"target": "csvOnly", "configuration": "csvOnly-s3-0"}]
    assert "  -> csvOnly (csvOnly-s3-0)" in out.text
    assert 'skipped processor (processor-s3-0): key "data/a.csv"' in out.text
    big = execute(session, "upload uploads incoming/v.bin --size 6GiB --op multipart")
    assert big.data["size"] == 6 * 1024**3
    out = execute(session, "delete uploads data/a.csv")
    assert out.data["event"] == "ObjectRemoved:Delete"
    listing = execute(session, "show bucket uploads")
    assert [o["key"] for o in listing.data["objects"]] == ["incoming/v.bin"]
    assert execute(session, "show buckets").data[0]["objects"] == 1
    assert session.log[-2:] == [
        "upload uploads incoming/v.bin --size 6GiB --op multipart",
        "delete uploads data/a.csv",
    ]


def test_the_delete_command_answers_a_missing_key_as_s3_does(session: Session) -> None:
    out = execute(session, "delete uploads typo.csv")
    assert out.text.splitlines()[:2] == [
        "ObjectRemoved:Delete uploads/typo.csv",
        '  no object "typo.csv" in bucket uploads: '
        "S3 removes nothing, answers 204 and sends the event all the same",
    ]
    assert "  -> remover (remover-s3-0): " in out.text
    assert out.data["existed"] is False and out.data["version_id"] is None
    marker = execute(session, "delete archive typo.csv")
    assert marker.data["event"] == "ObjectRemoved:DeleteMarkerCreated"
    assert marker.data["version_id"] and marker.data["existed"] is False
    assert session.log[-2:] == ["delete uploads typo.csv", "delete archive typo.csv"]
    chain = "\n".join(execute(session, "explain typo.csv").text.splitlines())
    assert "adds a delete marker all the same" in chain


def test_the_delete_command_deletes_a_version_for_good(session: Session) -> None:
    first = execute(session, "upload archive doc.txt --content v1").data["version_id"]
    second = execute(session, "upload archive doc.txt --content v2").data["version_id"]
    out = execute(session, f"delete archive doc.txt --version-id {second}")
    assert out.text.splitlines()[:2] == [
        f"ObjectRemoved:Delete archive/doc.txt version {second}",
        f'  version {second} of "doc.txt" deleted for good; version {first} is current again',
    ]
    assert out.data["existed"] is True and out.data["version_id"] == second
    [obj] = execute(session, "show bucket archive").data["objects"]
    assert (obj["version_id"], obj["versions"]) == (first, 1)
    assert session.log[-1] == f"delete archive doc.txt --version-id {second}"
    before = (session.sim.trace.seq, list(session.log))
    with pytest.raises(CommandError, match="NoSuchVersion"):
        execute(session, f"delete archive doc.txt --version-id {second}")
    with pytest.raises(CommandError, match="Invalid version id specified"):
        execute(session, f"delete uploads doc.txt --version-id {second}")
    assert (session.sim.trace.seq, list(session.log)) == before


def test_an_upload_from_a_file_is_saved_with_its_bytes(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The session records the file's bytes, not its (relative) path: the saved session
    # loads from any directory, and after the file is gone or changed.
    work = tmp_path / "work"
    work.mkdir()
    (work / "a.csv").write_bytes(b"id,amount\n1,5\n")
    monkeypatch.chdir(work)
    out = execute(session, "upload uploads data/a.csv --op copy --from ./a.csv")
    assert session.log == ["upload uploads data/a.csv --base64 aWQsYW1vdW50CjEsNQo= --op copy"]
    execute(session, f"save {tmp_path / 's.json'}")
    (work / "a.csv").write_bytes(b"changed")
    monkeypatch.chdir(tmp_path)
    again = Session.open(tmp_path, start_ms=START)
    execute(again, f"load {tmp_path / 's.json'}")
    [obj] = execute(again, "show bucket uploads").data["objects"]
    assert obj["key"] == "data/a.csv" and obj["etag"] == out.data["etag"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("upload uploads k --size 1 --content x", "at most one of --size, --from, --content"),
        ("upload uploads k --base64 'not base64!'", "--base64 is not base64 text"),
        ("upload uploads k --size lots", "--size must be a whole number"),
        ("upload uploads k --from /no/such/file", "--from /no/such/file"),
        ("upload uploads k --op move", "unknown upload operation 'move'"),
        ("upload uploads k --size 6GiB", "EntityTooLarge"),
        ("upload nowhere k", "no bucket named 'nowhere'"),
        ("delete nowhere k", "no bucket named 'nowhere'"),
        ("show bucket", "show bucket needs a bucket name"),
    ],
)
def test_bad_bucket_commands_fail_and_change_nothing(
    session: Session, line: str, message: str
) -> None:
    before = (session.sim.trace.seq, list(session.log))
    with pytest.raises(CommandError, match=message):
        execute(session, line)
    assert (session.sim.trace.seq, list(session.log)) == before
