"""boto3's S3 methods that are not API operations: the managed transfers (upload_file,
upload_fileobj, download_file, download_fileobj, copy), carried out as the PutObject,
GetObject and CopyObject they make, and generate_presigned_url, a SigV4 query-string URL
worked out from the stand-in's example credentials at the simulated instant.

They take positional arguments, as boto3's do. A transfer reads or writes the local file or
file object it is given in the handler's own process: what the handler's own code could do
under --allow-code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import urllib.parse
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from stptui.sim.behavior.boto3_standin import invocation
from stptui.sim.behavior.boto3_standin.exceptions import (
    BotoCoreError,
    ParamValidationError,
    refuse,
)
from stptui.sim.behavior.boto3_standin.params import check_params
from stptui.sim.behavior.boto3_standin.s3 import COPY_IN_PARTS, OPERATIONS, UPLOAD_IN_PARTS
from stptui.sim.behavior.errors import shown
from stptui.sim.behavior.handler_env import FAKE_CREDENTIALS
from stptui.sim.clock import MAX_MS, datetime_of

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client

# The ExtraArgs s3transfer takes for each direction (its ALLOWED_UPLOAD_ARGS and
# ALLOWED_DOWNLOAD_ARGS, of those PutObject and GetObject here take).
_UPLOAD_ARGS = ("ContentType", "Metadata", "CacheControl", "ContentEncoding", "ContentDisposition")
_DOWNLOAD_ARGS = ("VersionId",)
_COPY_ARGS = (*_UPLOAD_ARGS, "MetadataDirective")
# TransferConfig's default multipart_threshold (s3transfer's and boto3's: 8 * MB): a file of
# this many bytes or more is uploaded in parts ("size >= config.multipart_threshold",
# s3transfer's requires_multipart_upload), and S3 tells its notifications
# ObjectCreated:CompleteMultipartUpload, not ObjectCreated:Put.
MULTIPART_THRESHOLD = 8 * 1024 * 1024


class UnknownClientMethodError(BotoCoreError):
    """generate_presigned_url of a method the client does not have (botocore's words)."""

    fmt = "Client does not have method: {method_name}"


def _extra(extra: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    """ExtraArgs checked as s3transfer checks them (ValueError in its words)."""
    if extra is None:
        return {}
    if not isinstance(extra, dict):
        raise ValueError(f"ExtraArgs must be a dict, not {shown(extra)}")
    for key in extra:
        if key not in allowed:
            raise ValueError(
                f"Invalid extra_args key '{key}', must be one of: {', '.join(allowed)}"
            )
    return dict(extra)


def _done(callback: Any, size: int) -> None:
    """s3transfer calls the Callback with the bytes moved: here all of them at once."""
    if callback is not None:
        callback(size)


def _read_all(fileobj: Any, what: str) -> bytes:
    if not hasattr(fileobj, "read"):
        raise ValueError(f"{what} must implement read")
    data = fileobj.read()
    if isinstance(data, str):
        return data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise refuse(f"upload_fileobj: {what}", f"reads bytes, not {type(data).__name__}")
    return bytes(data)


def _threshold(config: Any) -> int:
    """The multipart threshold of a transfer's Config: its `multipart_threshold` (a
    TransferConfig's), else the default."""
    value = getattr(config, "multipart_threshold", None)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return MULTIPART_THRESHOLD


def _upload(
    client: Client, bucket: Any, key: Any, data: bytes, extra: dict[str, Any], config: Any
) -> None:
    params = {"Bucket": bucket, "Key": key, "Body": data, **extra}
    if len(data) >= _threshold(config):
        invocation.call_operation("s3", "create_multipart_upload", UPLOAD_IN_PARTS, client, params)
    else:
        client.put_object(**params)


def upload_fileobj(
    client: Client,
    Fileobj: Any,
    Bucket: str,
    Key: str,
    ExtraArgs: dict[str, Any] | None = None,
    Callback: Callable[[int], Any] | None = None,
    Config: Any = None,
) -> None:
    """boto3's managed upload of a file object: one PutObject of its bytes, or an upload
    in parts at or past the multipart threshold."""
    extra = _extra(ExtraArgs, _UPLOAD_ARGS)
    data = _read_all(Fileobj, "Fileobj")
    _upload(client, Bucket, Key, data, extra, Config)
    _done(Callback, len(data))


def upload_file(
    client: Client,
    Filename: Any,
    Bucket: str,
    Key: str,
    ExtraArgs: dict[str, Any] | None = None,
    Callback: Callable[[int], Any] | None = None,
    Config: Any = None,
) -> None:
    """boto3's managed upload of a local file: one PutObject of its bytes, or an upload in
    parts at or past the multipart threshold."""
    extra = _extra(ExtraArgs, _UPLOAD_ARGS)
    with open(Filename, "rb") as f:
        data = f.read()
    _upload(client, Bucket, Key, data, extra, Config)
    _done(Callback, len(data))


def _download(client: Client, bucket: Any, key: Any, extra: dict[str, Any]) -> bytes:
    # s3transfer asks HeadObject first: a missing key is its bodiless 404, not NoSuchKey.
    client.head_object(Bucket=bucket, Key=key, **extra)
    body = client.get_object(Bucket=bucket, Key=key, **extra)["Body"]
    data: bytes = body.read()
    return data


def download_fileobj(
    client: Client,
    Bucket: str,
    Key: str,
    Fileobj: Any,
    ExtraArgs: dict[str, Any] | None = None,
    Callback: Callable[[int], Any] | None = None,
    Config: Any = None,
) -> None:
    """boto3's managed download into a file object: HeadObject, then GetObject's bytes
    written to it."""
    if not hasattr(Fileobj, "write"):
        raise ValueError("Fileobj must implement write")
    data = _download(client, Bucket, Key, _extra(ExtraArgs, _DOWNLOAD_ARGS))
    Fileobj.write(data)
    _done(Callback, len(data))


def download_file(
    client: Client,
    Bucket: str,
    Key: str,
    Filename: Any,
    ExtraArgs: dict[str, Any] | None = None,
    Callback: Callable[[int], Any] | None = None,
    Config: Any = None,
) -> None:
    """boto3's managed download to a local file: HeadObject, then GetObject's bytes
    written to `Filename` (nothing is written when the object cannot be read)."""
    data = _download(client, Bucket, Key, _extra(ExtraArgs, _DOWNLOAD_ARGS))
    with open(Filename, "wb") as f:
        f.write(data)
    _done(Callback, len(data))


def copy(
    client: Client,
    CopySource: Any,
    Bucket: str,
    Key: str,
    ExtraArgs: dict[str, Any] | None = None,
    Callback: Callable[[int], Any] | None = None,
    SourceClient: Any = None,
    Config: Any = None,
) -> None:
    """boto3's managed copy (CopySource a dict of Bucket, Key and VersionId): HeadObject of
    the source, as s3transfer asks its size, then one CopyObject, or a copy in parts at or
    past the multipart threshold."""
    extra = _extra(ExtraArgs, _COPY_ARGS)
    if not isinstance(CopySource, dict):
        raise ParamValidationError(
            report=f"Invalid type for parameter CopySource, value: {shown(CopySource)}, type: "
            f"{type(CopySource)}, valid types: <class 'dict'> (a dict of Bucket, Key and "
            "VersionId)"
        )
    source = {"Bucket": CopySource.get("Bucket"), "Key": CopySource.get("Key")}
    if CopySource.get("VersionId") is not None:
        source["VersionId"] = CopySource["VersionId"]
    size = int(client.head_object(**source).get("ContentLength", 0))
    params = {"CopySource": CopySource, "Bucket": Bucket, "Key": Key, **extra}
    if size >= _threshold(Config):
        invocation.call_operation("s3", "create_multipart_upload", COPY_IN_PARTS, client, params)
    else:
        client.copy_object(**params)
    _done(Callback, size)


# -- generate_presigned_url

# The operations a presigned URL is made for here, and their HTTP methods.
_PRESIGNABLE = {
    "get_object": "GET",
    "put_object": "PUT",
    "head_object": "HEAD",
    "delete_object": "DELETE",
}
_PRESIGN_PARAMS = ("Bucket", "Key", "VersionId")


# botocore's check of a bucket name before any S3 request (handlers.validate_bucket_name):
# the name becomes the URL's host.
_BUCKET = re.compile(r"^[a-zA-Z0-9.\-_]{1,255}$")


def _quote(text: str, safe: str = "-_.~") -> str:
    return urllib.parse.quote(text, safe=safe)


def _sign(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def presigned_url(
    method: str,
    bucket: str,
    key: str,
    version: str | None,
    region: str,
    at: datetime,
    expires: int,
    token: str | None = FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
) -> str:
    """S3's SigV4 query-string URL of one object, as botocore makes it: the bucket's
    virtual-hosted address, the auth parameters in botocore's order, signed over `host`
    with an UNSIGNED-PAYLOAD (S3 API Reference, "Authenticating Requests: Using Query
    Parameters")."""
    host = (
        f"{bucket}.s3.amazonaws.com"
        if region == "us-east-1"
        else f"{bucket}.s3.{region}.amazonaws.com"
    )
    path = "/" + _quote(key, safe="/~")
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    scope = f"{day}/{region}/s3/aws4_request"
    access, secret = (
        FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    params: list[tuple[str, str]] = []
    if version is not None:
        params.append(("versionId", version))
    auth = [
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        ("X-Amz-Credential", f"{access}/{scope}"),
        ("X-Amz-Date", stamp),
        ("X-Amz-Expires", str(expires)),
        ("X-Amz-SignedHeaders", "host"),
    ]
    if token is not None:
        # A role's temporary credentials sign with their session token (Lambda's do).
        auth.append(("X-Amz-Security-Token", token))
    query = [*params, *auth]
    canonical_query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(query))
    canonical = "\n".join(
        [method, path, canonical_query, f"host:{host}", "", "host", "UNSIGNED-PAYLOAD"]
    )
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            stamp,
            scope,
            hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        ]
    )
    signing = _sign(("AWS4" + secret).encode("utf-8"), day)
    for part in (region, "s3", "aws4_request"):
        signing = _sign(signing, part)
    signature = hmac.new(signing, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    text = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in query)
    return f"https://{host}{path}?{text}&X-Amz-Signature={signature}"


def generate_presigned_url(
    client: Client,
    ClientMethod: Any,
    Params: dict[str, Any] | None = None,
    ExpiresIn: int = 3600,
    HttpMethod: str | None = None,
) -> str:
    """boto3's generate_presigned_url of an object operation (get_object, put_object,
    head_object, delete_object), signed at the simulated instant of the invocation that
    runs."""
    if not isinstance(ClientMethod, str) or ClientMethod not in OPERATIONS:
        raise UnknownClientMethodError(method_name=ClientMethod)
    if ClientMethod not in _PRESIGNABLE:
        raise refuse(
            "generate_presigned_url",
            f"presigns {', '.join(_PRESIGNABLE)}, not {ClientMethod}",
        )
    params = dict(Params or {}) if isinstance(Params, dict) or Params is None else Params
    if not isinstance(params, dict):
        raise ParamValidationError(
            report=f"Invalid type for parameter Params, value: {shown(Params)}, type: "
            f"{type(Params)}, valid types: <class 'dict'>"
        )
    check_params(params, OPERATIONS[ClientMethod].members)
    other = [k for k in params if k not in _PRESIGN_PARAMS]
    if other:
        raise refuse(
            "generate_presigned_url",
            f"signs {', '.join(_PRESIGN_PARAMS)} only, not {other[0]}",
        )
    if isinstance(ExpiresIn, bool) or not isinstance(ExpiresIn, int) or ExpiresIn < 0:
        raise ParamValidationError(
            report=f"Invalid value for parameter ExpiresIn, value: {shown(ExpiresIn)}, "
            "valid: a whole number of seconds, 0 or more"
        )
    if HttpMethod is not None and not isinstance(HttpMethod, str):
        raise ParamValidationError(
            report=f"Invalid type for parameter HttpMethod, value: {shown(HttpMethod)}, type: "
            f"{type(HttpMethod)}, valid types: <class 'str'>"
        )
    if not _BUCKET.fullmatch(params["Bucket"]):
        raise ParamValidationError(
            report=f'Invalid bucket name "{params["Bucket"]}": Bucket name must match the '
            f'regex "{_BUCKET.pattern}"'
        )
    ctx = invocation.current_invocation("s3", "generate_presigned_url")
    at = datetime_of(min(ctx.now_ms, MAX_MS))
    return presigned_url(
        HttpMethod or _PRESIGNABLE[ClientMethod],
        params["Bucket"],
        params["Key"],
        params.get("VersionId"),
        client.meta.region_name,
        at,
        ExpiresIn,
    )


# boto3's injected S3 client methods, by name.
METHODS: dict[str, Callable[..., Any]] = {
    "upload_file": upload_file,
    "upload_fileobj": upload_fileobj,
    "download_file": download_file,
    "download_fileobj": download_fileobj,
    "copy": copy,
    "generate_presigned_url": generate_presigned_url,
}
