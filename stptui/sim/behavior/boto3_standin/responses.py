"""The answers in boto3's response shape: ResponseMetadata, what the context returned over
what stptui fills truthfully, and botocore's StreamingBody of a body's bytes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any


def _metadata(status: int = 200) -> dict[str, Any]:
    """boto3's ResponseMetadata, of what stptui can say (no request id, no headers)."""
    return {"HTTPStatusCode": status, "RetryAttempts": 0}


def _answer(result: Any, filled: dict[str, Any], status: int = 200) -> dict[str, Any]:
    """The response: what the context method returned (when a dict) over what was filled."""
    out = dict(filled)
    if isinstance(result, dict):
        out.update(result)
    out.setdefault("ResponseMetadata", _metadata(status))
    return out


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


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()
