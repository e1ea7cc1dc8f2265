"""S3's PutObject, CopyObject, DeleteObject, GetObject, HeadObject, ListObjects and
ListObjectsV2 through the context's writes and reads (continuation tokens: opaque to the
handler), and their paginators. boto3's managed transfers and presigned URLs are in
s3_transfers.
"""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stptui.config.permissions import ClientError
from stptui.sim.behavior.boto3_standin.exceptions import (
    ParamValidationError,
    aws_error,
    refuse,
)
from stptui.sim.behavior.boto3_standin.invocation import Operation
from stptui.sim.behavior.boto3_standin.paginators import Paging
from stptui.sim.behavior.boto3_standin.params import P, blob_param, text_of
from stptui.sim.behavior.boto3_standin.responses import StreamingBody, boto3_response, md5_hex
from stptui.sim.behavior.errors import shown
from stptui.sim.behavior.handler_reads import NO_SUCH_KEY, SSE

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


# PutObject's parameters stptui takes and does not carry out: headers a later HeadObject would
# show (docs/fidelity.md).
_PUT_IGNORED = ("ContentType", "Metadata", "CacheControl", "ContentEncoding", "ContentDisposition")


def _s3_put_object(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    body = blob_param(p["Body"], "PutObject", "Body") if "Body" in p else b""
    result = ctx.put_object(p["Bucket"], p["Key"], text_of(body, "PutObject", "Body"))
    # S3's ETag of a single-part upload without SSE-KMS is the body's MD5; every new object
    # is encrypted with SSE-S3 unless the request asks otherwise (as HeadObject answers).
    return boto3_response(result, {"ETag": f'"{md5_hex(body)}"', "ServerSideEncryption": SSE})


def _s3_upload_in_parts(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    body = blob_param(p["Body"], "CreateMultipartUpload", "Body")
    text = text_of(body, "CreateMultipartUpload", "Body")
    result = ctx._put_object_in_parts(p["Bucket"], p["Key"], text)
    return boto3_response(result, {"ServerSideEncryption": SSE})


def _copy_source(value: Any) -> tuple[str, str, str | None]:
    """CopySource, as boto3 takes it: `bucket/key` text (URL-encoded, `?versionId=`
    after it) or a dict of Bucket, Key and VersionId."""
    ok = isinstance(value, str)
    if isinstance(value, dict):
        bucket, key, version = value.get("Bucket"), value.get("Key"), value.get("VersionId")
        ok = isinstance(bucket, str) and isinstance(key, str)
    if not ok:
        raise ParamValidationError(
            report=f"Invalid type for parameter CopySource, value: {shown(value)}, type: "
            f"{type(value)}, valid types: <class 'str'>, <class 'dict'> (a dict of Bucket, "
            "Key and VersionId)"
        )
    if isinstance(value, dict):
        return bucket, key, version if isinstance(version, str) else None
    path, _, query = value.partition("?")
    bucket, _, key = urllib.parse.unquote(path).lstrip("/").partition("/")
    if not bucket or not key:
        raise aws_error(
            "InvalidArgument",
            "Invalid copy source object key: CopySource is 'bucket/key' (URL-encoded)",
            "CopyObject",
        )
    version = urllib.parse.parse_qs(query).get("versionId", [None])[0]
    return bucket, key, version


def _s3_copy_object(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    return _copy(ctx, p, ctx.copy_object)


def _s3_copy_in_parts(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    return _copy(ctx, p, ctx._copy_object_in_parts)


def _copy(ctx: HandlerContext, p: dict[str, Any], copy: Callable[..., Any]) -> dict[str, Any]:
    if p.get("MetadataDirective", "COPY") != "COPY":
        raise refuse("CopyObject", "copies the source's metadata only (MetadataDirective COPY)")
    bucket, key, version = _copy_source(p["CopySource"])
    try:
        result = copy(p["Bucket"], p["Key"], bucket, key, version)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchKey":
            raise
        # S3's words for a missing source, as GetObject's (the bucket service's own name it).
        raise aws_error("NoSuchKey", NO_SUCH_KEY, "CopyObject") from None
    # The copy is encrypted as every new object is (after VersionId: CopyObjectOutput's order).
    return boto3_response(None, {**(result or {}), "ServerSideEncryption": SSE})


def _s3_delete_object(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    # DeleteObject answers 204 No Content, whether or not there was an object.
    result = ctx.delete_object(p["Bucket"], p["Key"], p.get("VersionId"))
    return boto3_response(result, {}, status=204)


# DeleteObjects takes "up to 1,000 keys" a request (S3 API reference, DeleteObjects); more, or
# none, is S3's MalformedXML.
MAX_DELETE_KEYS = 1000
MALFORMED_XML = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


def _s3_delete_objects(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    # DeleteObjects is a DeleteObject of each key (each needs s3:DeleteObject, or
    # s3:DeleteObjectVersion for a version, and sends its event, a key with no object too),
    # answered in one response: `Deleted` (left out when Quiet) and `Errors`.
    objects = p["Delete"]["Objects"]
    if not 1 <= len(objects) <= MAX_DELETE_KEYS:
        raise aws_error("MalformedXML", MALFORMED_XML, "DeleteObjects")
    deleted: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in objects:
        key, version = item["Key"], item.get("VersionId")
        named = {"Key": key} if version is None else {"Key": key, "VersionId": version}
        try:
            result = ctx.delete_object(p["Bucket"], key, version) or {}
        except ClientError as exc:
            error = exc.response["Error"]
            errors.append({**named, "Code": error["Code"], "Message": error["Message"]})
            continue
        done = dict(named)
        if result.get("DeleteMarker"):
            # A marker made (no version named), or the marker named deleted for good.
            done["DeleteMarker"] = True
            done["DeleteMarkerVersionId"] = result.get("VersionId")
        deleted.append(done)
    out: dict[str, Any] = {}
    if deleted and not p["Delete"].get("Quiet"):
        out["Deleted"] = deleted
    if errors:
        out["Errors"] = errors
    return boto3_response(None, out)


def _s3_get_object(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    data = ctx.get_object(p["Bucket"], p["Key"], p.get("VersionId"))
    head = ctx.head_object(p["Bucket"], p["Key"], p.get("VersionId"))
    # Body first, as botocore's GetObjectOutput shape orders the answer.
    return boto3_response(None, {"Body": StreamingBody(data), **head})


def _s3_head_object(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    return boto3_response(ctx.head_object(p["Bucket"], p["Key"], p.get("VersionId")), {})


def _token(key: str) -> str:
    """A continuation token: opaque to the handler, the last key listed to stptui."""
    return base64.urlsafe_b64encode(key.encode("utf-8", "surrogatepass")).decode("ascii")


def canonical_id(account_id: str) -> str:
    """The canonical user id stptui gives an account: 64 hex digits, as S3's are (how S3
    makes one is not documented: the SHA-256 of the account id, a stable stand-in)."""
    return hashlib.sha256(account_id.encode("ascii", "replace")).hexdigest()


def _with_owner(ctx: HandlerContext, out: dict[str, Any]) -> None:
    """Each listed object's `Owner`: the bucket owner, who owns every object of a bucket
    whose Object Ownership is BucketOwnerEnforced (S3's default for new buckets); only
    its `ID`, S3 having stopped answering `DisplayName` on 2025-11-21."""
    owner = {"ID": canonical_id(ctx._behaviors.stack.account_id)}
    for entry in out.get("Contents", ()):
        entry["Owner"] = dict(owner)


def _s3_list_objects_v2(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    for name in ("Delimiter", "EncodingType"):
        if p.get(name):
            raise refuse("ListObjectsV2", f"does not take {name}")
    after = p.get("StartAfter")
    token = p.get("ContinuationToken")
    if token is not None:
        try:
            after = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8", "surrogatepass")
        except (ValueError, UnicodeError):
            raise aws_error(
                "InvalidArgument", "The continuation token provided is incorrect", "ListObjectsV2"
            ) from None
    out = ctx.list_objects(p["Bucket"], p.get("Prefix", ""), p.get("MaxKeys", 1000), after)
    out = dict(out)
    out.pop("StartAfter", None)
    if "StartAfter" in p:
        out["StartAfter"] = p["StartAfter"]
    if token is not None:
        out["ContinuationToken"] = token
    if out.get("IsTruncated") and out.get("Contents"):
        out["NextContinuationToken"] = _token(out["Contents"][-1]["Key"])
    if p.get("FetchOwner"):
        _with_owner(ctx, out)
    return boto3_response(out, {})


def _s3_list_objects(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    for name in ("Delimiter", "EncodingType"):
        if p.get(name):
            raise refuse("ListObjects", f"does not take {name}")
    marker = p.get("Marker")
    try:
        out = ctx.list_objects(p["Bucket"], p.get("Prefix", ""), p.get("MaxKeys", 1000), marker)
    except ClientError as exc:
        # The context answers as ListObjectsV2; this call is ListObjects.
        raise ClientError(exc.response, "ListObjects") from None
    # ListObjects (version 1) answers no KeyCount, the Marker only when one was sent, and
    # NextMarker only with a Delimiter (S3 API Reference, ListObjects), which is refused
    # here: the next page starts after the last key listed, as botocore's paginator reads it.
    answer = {k: v for k, v in out.items() if k not in ("KeyCount", "StartAfter")}
    if marker is not None:
        answer["Marker"] = marker
    # Version 1 lists each object's owner unasked (ListObjectsV2 only with FetchOwner).
    _with_owner(ctx, answer)
    return boto3_response(answer, {})


OPERATIONS: dict[str, Operation] = {
    "put_object": Operation(
        "PutObject",
        {
            "Bucket": P("string", True),
            "Key": P("string", True),
            "Body": P("blob"),
            **{n: P("map" if n == "Metadata" else "string") for n in _PUT_IGNORED},
        },
        _s3_put_object,
    ),
    "copy_object": Operation(
        "CopyObject",
        {
            "Bucket": P("string", True),
            "Key": P("string", True),
            "CopySource": P("any", True),
            "MetadataDirective": P("string"),
            **{n: P("map" if n == "Metadata" else "string") for n in _PUT_IGNORED},
        },
        _s3_copy_object,
    ),
    "delete_object": Operation(
        "DeleteObject",
        {"Bucket": P("string", True), "Key": P("string", True), "VersionId": P("string")},
        _s3_delete_object,
    ),
    "delete_objects": Operation(
        "DeleteObjects",
        {
            "Bucket": P("string", True),
            "Delete": P(
                "structure",
                True,
                {
                    "Objects": P(
                        "list", True, {"Key": P("string", True), "VersionId": P("string")}
                    ),
                    "Quiet": P("boolean"),
                },
            ),
        },
        _s3_delete_objects,
    ),
    "get_object": Operation(
        "GetObject",
        {"Bucket": P("string", True), "Key": P("string", True), "VersionId": P("string")},
        _s3_get_object,
    ),
    "head_object": Operation(
        "HeadObject",
        {"Bucket": P("string", True), "Key": P("string", True), "VersionId": P("string")},
        _s3_head_object,
    ),
    "list_objects": Operation(
        "ListObjects",
        {
            "Bucket": P("string", True),
            "Delimiter": P("string"),
            "EncodingType": P("string"),
            "Marker": P("string"),
            "MaxKeys": P("integer"),
            "Prefix": P("string"),
            "RequestPayer": P("string"),
            "ExpectedBucketOwner": P("string"),
        },
        _s3_list_objects,
    ),
    "list_objects_v2": Operation(
        "ListObjectsV2",
        {
            "Bucket": P("string", True),
            "Prefix": P("string"),
            "MaxKeys": P("integer"),
            "StartAfter": P("string"),
            "ContinuationToken": P("string"),
            "Delimiter": P("string"),
            "EncodingType": P("string"),
            "FetchOwner": P("boolean"),
        },
        _s3_list_objects_v2,
    ),
}

# What boto3's managed upload does with a file at or past its multipart threshold:
# CreateMultipartUpload, UploadPart of each part and CompleteMultipartUpload, carried out as
# one upload in parts (s3_transfers). It takes PutObject's parameters.
UPLOAD_IN_PARTS = Operation(
    "CreateMultipartUpload", OPERATIONS["put_object"].members, _s3_upload_in_parts
)
# Its managed copy of a source at or past the threshold: CreateMultipartUpload, UploadPartCopy
# of each part and CompleteMultipartUpload. It takes CopyObject's parameters.
COPY_IN_PARTS = Operation(
    "CreateMultipartUpload", OPERATIONS["copy_object"].members, _s3_copy_in_parts
)

# botocore's paginators-1.json: ListObjectsV2 pages by ContinuationToken, MaxKeys a page.
PAGINATORS = {
    "list_objects_v2": Paging(
        "ContinuationToken", "NextContinuationToken", "MaxKeys", ("Contents", "CommonPrefixes")
    ),
    # ListObjects pages by Marker: the NextMarker, or else the last key listed, while
    # IsTruncated.
    "list_objects": Paging(
        "Marker",
        "NextMarker || Contents[-1].Key",
        "MaxKeys",
        ("Contents", "CommonPrefixes"),
        more_results="IsTruncated",
    ),
}
