"""The answers in boto3's response shape: ResponseMetadata, what the context returned over
what stptui fills truthfully, a batch's answer entry by entry, and botocore's StreamingBody
of a body's bytes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from typing import Any

from stptui.config.permissions import ClientError


def _metadata(status: int = 200) -> dict[str, Any]:
    """boto3's ResponseMetadata, of what stptui can say (no request id, no headers)."""
    return {"HTTPStatusCode": status, "RetryAttempts": 0}


def boto3_response(result: Any, filled: dict[str, Any], status: int = 200) -> dict[str, Any]:
    """The response: what the context method returned (when a dict) over what was filled."""
    out = dict(filled)
    if isinstance(result, dict):
        out.update(result)
    out.setdefault("ResponseMetadata", _metadata(status))
    return out


def entry_by_entry(
    entries: list[dict[str, Any]],
    one: Callable[[dict[str, Any]], dict[str, Any] | None],
    request_codes: tuple[str, ...],
    failure_members: tuple[str, ...],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A batch carried out entry by entry, as SQS's and SNS's batch calls answer it: the
    successful entries (Id and what `one` answered) and the failed ones (Id, Code, Message and
    SenderFault, in `failure_members`' order, the service's shape's, which botocore keeps).
    A refusal whose code starts with one of `request_codes` (the role's) is the request's,
    not an entry's: it is raised, after the entries before it were carried out."""
    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            answer = one(entry)
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code.startswith(request_codes):
                raise
            error = {
                "Id": entry["Id"],
                "SenderFault": True,
                "Code": code,
                "Message": exc.response["Error"]["Message"],
            }
            failed.append({name: error[name] for name in failure_members})
            continue
        successful.append({"Id": entry["Id"], **(answer or {})})
    return successful, failed


class StreamingBody:
    """botocore's StreamingBody of an answer's bytes: `read`, `iter_lines`, `iter_chunks`."""

    def __init__(self, data: bytes) -> None:
        self._raw = io.BytesIO(data)
        self._length = len(data)

    def read(self, amt: int | None = None) -> bytes:
        """At most `amt` bytes (all that is left: None)."""
        return self._raw.read(amt)

    def readlines(self) -> list[bytes]:
        """The lines that are left, with their ends."""
        return self._raw.readlines()

    def iter_lines(self, chunk_size: int = 1024, keepends: bool = False) -> Iterator[bytes]:
        """The lines that are left."""
        yield from self._raw.read().splitlines(keepends)

    def iter_chunks(self, chunk_size: int = 1024) -> Iterator[bytes]:
        """The bytes that are left, `chunk_size` at a time."""
        while chunk := self._raw.read(chunk_size):
            yield chunk

    def __iter__(self) -> Iterator[bytes]:
        return self.iter_chunks()

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> StreamingBody:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def md5_hex(data: bytes) -> str:
    """The MD5 digest in hex that S3's ETag and SQS's MD5OfMessageBody hold."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()
