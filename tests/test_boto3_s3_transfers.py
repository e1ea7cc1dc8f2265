"""S3's ListObjects (version 1), boto3's managed transfers and generate_presigned_url, and
SNS's PublishBatch, through the boto3 stand-in."""

from __future__ import annotations

import hashlib
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from stptui.sim.behavior.boto3_standin.s3 import canonical_id
from stptui.sim.behavior.boto3_standin.s3_transfers import presigned_url
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
STACK = """\
serviceName: shop
resources:
  files: {type: bucket}
  alerts: {type: sns-topic}
  orders:
    type: sns-topic
    properties: {fifoEnabled: true}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.py}}
      connectTo: [files, alerts, orders]
"""
PRELUDE = """\
import io
import os

import boto3
from botocore.exceptions import ClientError

s3 = boto3.client("s3")
sns = boto3.client("sns")
BUCKET = os.environ["STP_FILES_NAME"]
ALERTS = os.environ["STP_ALERTS_ARN"]
ORDERS = os.environ["STP_ORDERS_ARN"]
OUT = {}


def error(exc):
    return {"class": type(exc).__name__, **exc.response["Error"]}
"""


def _run(tmp_path: Path, body: str, *setup: str) -> tuple[Session, Any]:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: xfer:handler\n", encoding="utf-8"
    )
    code = PRELUDE + "\n\ndef handler(event, context):\n" + textwrap.indent(body, "    ")
    (tmp_path / "xfer.py").write_text(code, encoding="utf-8")
    s = Session.open(tmp_path, start_ms=T0, allow_code=True)
    for line in setup:
        execute(s, line)
    data = execute(s, "invoke worker '{}'").data
    assert data.get("error") is None, data
    return s, data["response"]


def _records(s: Session, kind: str) -> list[Any]:
    return [r for r in s.sim.trace.records if r.kind == kind]


UPLOADS = ("upload files a.txt --content 1", "upload files b.txt --content 22")
UPLOADS += ("upload files c.txt --content 333",)

# -- ListObjects (version 1)


def test_list_objects_v1_pages_by_marker_with_is_truncated(tmp_path: Path) -> None:
    body = """\
first = s3.list_objects(Bucket=BUCKET, MaxKeys=2)
second = s3.list_objects(Bucket=BUCKET, MaxKeys=2, Marker=first["Contents"][-1]["Key"])
pages = s3.get_paginator("list_objects").paginate(Bucket=BUCKET, PaginationConfig={"PageSize": 1})
for page in (first, second):
    page.pop("ResponseMetadata")
    for c in page.get("Contents", []):
        c.pop("LastModified")
return {"first": first, "second": second, "all": [k for k in pages.search("Contents[].Key")]}
"""
    _, got = _run(tmp_path, body, *UPLOADS)
    name = got["first"]["Name"]
    # Version 1 lists each object's owner unasked: the bucket owner's canonical id.
    owner = {"ID": canonical_id("123456789012")}
    assert got["first"] == {
        "IsTruncated": True,
        "Contents": [
            {
                "Key": "a.txt",
                "ETag": '"c4ca4238a0b923820dcc509a6f75849b"',
                "Size": 1,
                "StorageClass": "STANDARD",
                "Owner": owner,
            },
            {
                "Key": "b.txt",
                "ETag": '"b6d767d2f8ed5d21a44b0e5886680cb9"',
                "Size": 2,
                "StorageClass": "STANDARD",
                "Owner": owner,
            },
        ],
        "Name": name,
        "Prefix": "",
        "MaxKeys": 2,
    }
    # No Marker unless one was sent, no NextMarker without a Delimiter (S3 API Reference,
    # ListObjects): the next page starts after the last key listed.
    assert got["second"]["Marker"] == "b.txt"
    assert got["second"]["IsTruncated"] is False
    assert [c["Key"] for c in got["second"]["Contents"]] == ["c.txt"]
    assert got["all"] == ["a.txt", "b.txt", "c.txt"]


def test_list_objects_v2_gives_each_objects_owner_only_with_fetch_owner(tmp_path: Path) -> None:
    body = """\
plain = s3.list_objects_v2(Bucket=BUCKET)
owned = s3.list_objects_v2(Bucket=BUCKET, FetchOwner=True)
unasked = s3.list_objects_v2(Bucket=BUCKET, FetchOwner=False)
return [[c.get("Owner") for c in r["Contents"]] for r in (plain, owned, unasked)]
"""
    _, (plain, owned, unasked) = _run(tmp_path, body, *UPLOADS)
    assert plain == unasked == [None, None, None]
    (owner,) = {c["ID"] for c in owned}
    assert owned == [{"ID": owner}] * 3
    # A canonical user id is 64 hex digits; the account's own (no DisplayName since S3
    # stopped answering it).
    assert len(owner) == 64 and int(owner, 16) >= 0
    assert owner == canonical_id("123456789012")


def test_list_objects_v1_of_a_bucket_not_in_the_stack_is_no_such_bucket(tmp_path: Path) -> None:
    body = """\
try:
    s3.list_objects(Bucket="nope")
except s3.exceptions.NoSuchBucket as exc:
    return [type(exc).__name__, exc.operation_name]
"""
    _, got = _run(tmp_path, body)
    assert got == ["NoSuchBucket", "ListObjects"]


# -- managed transfers


def test_upload_file_and_download_file_move_bytes_through_put_and_get(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("hello", encoding="utf-8")
    target = tmp_path / "out.txt"
    body = f"""\
seen = []
s3.upload_file({str(source)!r}, BUCKET, "up/in.txt", ExtraArgs={{"ContentType": "text/plain"}},
               Callback=seen.append)
s3.download_file(BUCKET, "up/in.txt", {str(target)!r})
buffer = io.BytesIO()
s3.download_fileobj(BUCKET, "up/in.txt", buffer)
s3.upload_fileobj(io.BytesIO(b"again"), BUCKET, "up/again.txt")
return {{"seen": seen, "buffer": buffer.getvalue().decode()}}
"""
    s, got = _run(tmp_path, body)
    assert got == {"seen": [5], "buffer": "hello"}
    assert target.read_text(encoding="utf-8") == "hello"
    created = [r.data["key"] for r in _records(s, tk.OBJECT_CREATED)]
    assert created == ["up/in.txt", "up/again.txt"]


def test_a_file_at_the_multipart_threshold_is_uploaded_in_parts(tmp_path: Path) -> None:
    # s3transfer uploads in parts when "size >= config.multipart_threshold" (8 MiB by
    # default), and S3 tells the notifications ObjectCreated:CompleteMultipartUpload: a
    # trigger on s3:ObjectCreated:Put is not started by a large upload_file.
    big = tmp_path / "big.bin"
    big.write_bytes(b"a" * (8 * 1024 * 1024))
    small = tmp_path / "small.bin"
    small.write_bytes(b"a" * (8 * 1024 * 1024 - 1))
    body = f"""\
s3.upload_file({str(big)!r}, BUCKET, "big.bin")
s3.upload_file({str(small)!r}, BUCKET, "small.bin")
from boto3.s3.transfer import TransferConfig
s3.upload_fileobj(io.BytesIO(b"b" * 100), BUCKET, "lowered.bin",
                  Config=TransferConfig(multipart_threshold=100))
try:
    TransferConfig(multipart_threshold=0)
except ValueError as exc:
    refused = str(exc)
return [s3.head_object(Bucket=BUCKET, Key="big.bin")["ETag"], refused]
"""
    s, (etag, refused) = _run(tmp_path, body)
    assert refused == "Provided parameter multipart_threshold of value 0 must be greater than 0."
    events = {r.data["key"]: r.data["event"] for r in _records(s, tk.OBJECT_CREATED)}
    assert events == {
        "big.bin": "ObjectCreated:CompleteMultipartUpload",
        "small.bin": "ObjectCreated:Put",
        "lowered.bin": "ObjectCreated:CompleteMultipartUpload",
    }
    # One 8 MiB part: the MD5 of its MD5, then "-1".
    part = hashlib.md5(b"a" * (8 * 1024 * 1024)).digest()
    assert etag == f'"{hashlib.md5(part).hexdigest()}-1"'


def test_download_of_a_missing_key_is_head_objects_404_and_writes_no_file(tmp_path: Path) -> None:
    target = tmp_path / "never.txt"
    body = f"""\
try:
    s3.download_file(BUCKET, "nope", {str(target)!r})
except ClientError as exc:
    return [exc.response["Error"]["Code"], exc.operation_name]
"""
    _, got = _run(tmp_path, body)
    assert got == ["404", "HeadObject"]
    assert not target.exists()


def test_managed_transfers_refuse_unknown_extra_args_in_s3transfers_words(
    tmp_path: Path,
) -> None:
    body = """\
try:
    s3.upload_fileobj(io.BytesIO(b"x"), BUCKET, "k", ExtraArgs={"Colour": "red"})
except ValueError as exc:
    return str(exc)
"""
    s, got = _run(tmp_path, body)
    assert got == (
        "Invalid extra_args key 'Colour', must be one of: ContentType, Metadata, "
        "CacheControl, ContentEncoding, ContentDisposition"
    )
    assert _records(s, tk.OBJECT_CREATED) == []


def test_managed_copy_takes_a_copy_source_dict(tmp_path: Path) -> None:
    body = """\
s3.copy({"Bucket": BUCKET, "Key": "a.txt"}, BUCKET, "copied/a.txt")
return s3.get_object(Bucket=BUCKET, Key="copied/a.txt")["Body"].read().decode()
"""
    s, got = _run(tmp_path, body, UPLOADS[0])
    assert got == "1"
    assert [r.data["key"] for r in _records(s, tk.OBJECT_CREATED)][-1] == "copied/a.txt"


def test_a_managed_copy_of_a_large_source_is_a_copy_in_parts(tmp_path: Path) -> None:
    # s3transfer asks the source's size (HeadObject), then copies in parts at or past the
    # multipart threshold: UploadPartCopy is "covered by" ObjectCreated:CompleteMultipartUpload.
    big = tmp_path / "big.bin"
    big.write_bytes(b"c" * (9 * 1024 * 1024))
    body = f"""\
s3.upload_file({str(big)!r}, BUCKET, "big.bin")
s3.copy({{"Bucket": BUCKET, "Key": "big.bin"}}, BUCKET, "copies/big.bin")
s3.copy({{"Bucket": BUCKET, "Key": "a.txt"}}, BUCKET, "copies/a.txt")
try:
    s3.copy({{"Bucket": BUCKET, "Key": "missing"}}, BUCKET, "copies/missing")
except ClientError as exc:
    return [exc.response["Error"]["Code"], exc.operation_name]
"""
    s, got = _run(tmp_path, body, UPLOADS[0])
    assert got == ["404", "HeadObject"]
    events = {r.data["key"]: r.data["event"] for r in _records(s, tk.OBJECT_CREATED)}
    assert events["copies/big.bin"] == "ObjectCreated:CompleteMultipartUpload"
    assert events["copies/a.txt"] == "ObjectCreated:Copy"
    assert "copies/missing" not in events
    copied = s.sim.services["buckets"].buckets["files"].objects["copies/big.bin"]
    assert copied.etag.endswith("-2")  # 9 MiB in 8 MiB parts


# -- generate_presigned_url


def test_the_signature_is_aws_documented_example() -> None:
    # S3 API Reference, "Authenticating Requests: Using Query Parameters (AWS Signature
    # Version 4)": the example GET of examplebucket/test.txt and its signature.
    url = presigned_url(
        "GET",
        "examplebucket",
        "test.txt",
        None,
        "us-east-1",
        datetime(2013, 5, 24, tzinfo=UTC),
        86400,
        token=None,
    )
    assert url == (
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    )


def test_generate_presigned_url_signs_at_the_simulated_instant_and_is_deterministic(
    tmp_path: Path,
) -> None:
    body = """\
return {
    "get": s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "a b.txt"}),
    "put": s3.generate_presigned_url(
        ClientMethod="put_object", Params={"Bucket": BUCKET, "Key": "k"}, ExpiresIn=60),
    "eu": boto3.client("s3", region_name="eu-west-1").generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "k"}),
    "bucket": BUCKET,
}
"""
    (tmp_path / "1").mkdir()
    _, got = _run(tmp_path / "1", body)
    bucket = got["bucket"]
    assert got["get"].startswith(
        f"https://{bucket}.s3.amazonaws.com/a%20b.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260105%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20260105T080000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
        "&X-Amz-Security-Token=stptui-simulated-credentials-not-valid-in-aws&X-Amz-Signature="
    )
    assert "X-Amz-Expires=60&" in got["put"]
    assert got["eu"].startswith(f"https://{bucket}.s3.eu-west-1.amazonaws.com/k?")
    assert got["get"].split("X-Amz-Signature=")[1] != got["eu"].split("X-Amz-Signature=")[1]
    (tmp_path / "2").mkdir()
    _, again = _run(tmp_path / "2", body)
    assert again == got


def test_generate_presigned_url_of_a_method_the_client_lacks_is_botocores_error(
    tmp_path: Path,
) -> None:
    body = """\
try:
    s3.generate_presigned_url("get_objekt", Params={"Bucket": BUCKET, "Key": "k"})
except Exception as exc:
    OUT["unknown"] = [type(exc).__name__, str(exc)]
try:
    s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET})
except Exception as exc:
    OUT["missing"] = [type(exc).__name__, str(exc)]
try:
    s3.generate_presigned_url("get_object", Params={"Bucket": "a/b", "Key": "k"})
except Exception as exc:
    OUT["bucket"] = [type(exc).__name__, str(exc)]
return OUT
"""
    _, got = _run(tmp_path, body)
    assert got["unknown"] == ["UnknownClientMethodError", "Client does not have method: get_objekt"]
    assert got["missing"] == [
        "ParamValidationError",
        'Parameter validation failed:\nMissing required parameter in input: "Key"',
    ]
    # botocore's check of the name that becomes the URL's host.
    assert got["bucket"] == [
        "ParamValidationError",
        'Parameter validation failed:\nInvalid bucket name "a/b": Bucket name must match the '
        'regex "^[a-zA-Z0-9.\\-_]{1,255}$"',
    ]


# -- SNS PublishBatch


def test_publish_batch_publishes_each_entry_and_lists_successful_and_failed(
    tmp_path: Path,
) -> None:
    body = """\
got = sns.publish_batch(TopicArn=ALERTS, PublishBatchRequestEntries=[
    {"Id": "a", "Message": "one"},
    {"Id": "b", "Message": "two", "Subject": "hi"},
])
got.pop("ResponseMetadata")
return got
"""
    s, got = _run(tmp_path, body)
    assert [e["Id"] for e in got["Successful"]] == ["a", "b"]
    assert all(e["MessageId"] for e in got["Successful"])
    # SNS's query (XML) answer has both lists, an empty one read as [].
    assert got["Failed"] == []
    assert len(_records(s, tk.TOPIC_PUBLISHED)) == 2


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            {"n": {"DataType": "Number", "StringValue": "x"}},
            "Can't cast the value of message (user) attribute 'n' to a number.",
        ),
        (
            {"s": {"DataType": "String", "BinaryValue": b"123"}},
            "The message attribute 's' with type 'String' must use field 'String'.",
        ),
        (
            {"e": {"DataType": "String", "StringValue": ""}},
            "The message attribute 'e' must contain non-empty message attribute value for "
            "message attribute type 'String'.",
        ),
        (
            {"b": {"DataType": "Binary", "BinaryValue": b""}},
            "The message attribute 'b' must contain non-empty message attribute value for "
            "message attribute type 'Binary'.",
        ),
        (
            {"t": {"DataType": "Text", "StringValue": "x"}},
            "The type of message (user) attribute 't' is invalid. You must use only the "
            "following supported type prefixes: Binary, Number, String.",
        ),
    ],
)
def test_a_malformed_message_attribute_refuses_the_whole_batch(
    tmp_path: Path, attributes: dict, message: str
) -> None:
    # LocalStack's AWS-validated test_empty_or_wrong_message_attributes: a batch whose second
    # and third entries have bad attributes and whose first is good is a ClientError, the
    # first bad entry's, and publishes nothing.
    body = f"""\
try:
    sns.publish_batch(TopicArn=ALERTS, PublishBatchRequestEntries=[
        {{"Id": "a", "Message": "good"}},
        {{"Id": "b", "Message": "bad", "MessageAttributes": {attributes!r}}},
        {{"Id": "c", "Message": "bad", "MessageAttributes": {{"z": {{"DataType": "Number"}}}}}},
    ])
except ClientError as exc:
    OUT["refused"] = error(exc)
return OUT
"""
    s, got = _run(tmp_path, body)
    assert got["refused"] == {
        "class": "InvalidParameterValueException",
        "Code": "ParameterValueInvalid",
        "Message": message,
    }
    assert _records(s, tk.TOPIC_PUBLISHED) == []


def test_publish_batch_refuses_eleven_entries_and_repeated_ids_whole(tmp_path: Path) -> None:
    body = """\
many = [{"Id": str(i), "Message": "m"} for i in range(11)]
for name, entries in (("many", many), ("twice", [{"Id": "a", "Message": "m"}] * 2),
                      ("bad", [{"Id": "a.b", "Message": "m"}]), ("none", [])):
    try:
        sns.publish_batch(TopicArn=ALERTS, PublishBatchRequestEntries=entries)
    except ClientError as exc:
        OUT[name] = error(exc)
return OUT
"""
    s, got = _run(tmp_path, body)
    assert got["many"] == {
        "class": "TooManyEntriesInBatchRequestException",
        "Code": "TooManyEntriesInBatchRequest",
        "Message": "The batch request contains more entries than permissible (more than 10).",
    }
    assert got["twice"]["class"] == "BatchEntryIdsNotDistinctException"
    assert got["bad"]["class"] == "InvalidBatchEntryIdException"
    assert got["none"]["class"] == "EmptyBatchRequestException"
    assert _records(s, tk.TOPIC_PUBLISHED) == []


def test_publish_batch_to_a_fifo_topic_passes_each_entrys_group(tmp_path: Path) -> None:
    body = """\
got = sns.publish_batch(TopicArn=ORDERS, PublishBatchRequestEntries=[
    {"Id": "a", "Message": "one", "MessageGroupId": "g", "MessageDeduplicationId": "d1"},
    {"Id": "b", "Message": "two", "MessageGroupId": "h", "MessageDeduplicationId": "d2"},
])
return {"ok": [e["Id"] for e in got["Successful"]], "failed": [e["Id"] for e in got["Failed"]]}
"""
    s, got = _run(tmp_path, body)
    assert got == {"ok": ["a", "b"], "failed": []}
    groups = [r.get("group") for r in _records(s, tk.TOPIC_PUBLISHED)]
    assert groups == ["g", "h"]
