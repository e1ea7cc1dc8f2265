"""The shape of a JSON value, for tests that compare what a simulated service delivered with
an example of it: the values differ (ids, times), the shape must not."""

from __future__ import annotations

from typing import Any


def key_paths(value: Any, at: str = "") -> set[str]:
    """Every key path of a JSON value (`Records[].s3.object.key`): its shape."""
    if isinstance(value, dict):
        out = {at}
        for key, inner in value.items():
            out |= key_paths(inner, f"{at}.{key}")
        return out
    if isinstance(value, list):
        return {at} | {p for item in value for p in key_paths(item, f"{at}[]")}
    return {at}
