"""JSON text from users and handlers, read as strictly as AWS's own parsers read it.

Python's `json` accepts `NaN`, `Infinity` and numbers too large for a double (`1e400`
becomes infinity), none of which is JSON, and a document nested a thousand levels deep
exhausts the interpreter's recursion limit, there or in whatever walks it later (patterns,
JMESPath, copies for handlers). Every JSON text that comes from outside the program (command
arguments, bodies a behaviour reads, filter policies, files) is read with `loads`; the
JSON the simulator writes is written by `compact_json`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

# Deeper documents are refused: real payloads nest a few levels, and at this depth every
# recursive walker in the simulator stays far inside Python's default recursion limit.
MAX_DEPTH = 100

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
# A "string" of JSON-like text, quotes and escapes included; one left open runs to the end.
_STRING_TO_END = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)', re.DOTALL)


# `json.dumps(value, separators=(",", ":"), ensure_ascii=False)`: JSON as JavaScript's
# JSON.stringify and AWS's services write it (no spaces, non-ASCII characters as
# themselves), for every payload, body and detail the simulator writes. One encoder, built
# once (`json.dumps` with options builds a new one per call), and bound, so that the hot
# paths (each invocation's payload size) pay no extra call for sharing it.
compact_json: Callable[[Any], str] = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False
).encode


class JsonLimitError(ValueError):
    """Text that parses as JSON only by Python's lax rules, or nests deeper than MAX_DEPTH."""


def _no_constant(name: str) -> Any:
    raise JsonLimitError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonLimitError(f"the number {text} is out of range")
    return value


def depth(text: str) -> int:
    """How deeply the arrays and objects of JSON text nest (0 for a scalar)."""
    deepest = level = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def loads(text: str) -> Any:
    """The value of JSON `text`. Raises JsonLimitError for NaN, infinities, numbers out of
    a double's range and nesting deeper than MAX_DEPTH, and ValueError for anything else
    that is not JSON."""
    # Counting brackets is fast; only text with many of them needs the exact depth.
    if text.count("[") + text.count("{") > MAX_DEPTH and depth(text) > MAX_DEPTH:
        raise JsonLimitError(f"the JSON nests more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise JsonLimitError(f"the JSON nests more than {MAX_DEPTH} levels deep") from None


def runs(text: str) -> Iterator[tuple[int, str, bool]]:
    """JSON-like text in runs, as (offset, run, is_string): each "string" (quotes included,
    escapes honoured, one left open running to the end) and each stretch between them, so
    that a reader can work on what lies outside strings only."""
    at = 0
    for m in _STRING_TO_END.finditer(text):
        if m.start() > at:
            yield at, text[at : m.start()], False
        yield m.start(), m.group(0), True
        at = m.end()
    if at < len(text):
        yield at, text[at:], False
