"""A container's answer to an HTTP request: its behaviour's `response` read as the status,
headers and body the container writes on the wire.

A container is no Lambda function: nothing maps a result into a response, the container
writes one. So the behaviour's `response` is read directly:

* null (the default) is an empty 200, as a function without a behaviour answers;
* an object whose keys are among `status`, `headers` and `body` (at least one) is the
  answer: `status` a whole number from 100 to 599 (default 200), `headers` an object of
  names to text (a number or boolean is written as JSON writes it), `body` text as it is,
  anything else as compact JSON with `content-type: application/json` unless a header gives
  the type;
* any other value is the body of a 200: text as it is (`text/plain; charset=utf-8`),
  anything else as compact JSON (`application/json`).

A value that does not fit (a status of 700, a header that is an object) is a
`BehaviorError`: the reader reports a constant when the file loads; at run time the
container fails the request (docs/behaviors.md, "Containers").
"""

from __future__ import annotations

from typing import Any

from stptui.sim.behavior.errors import BehaviorError, compact_json, json_kind

ANSWER_KEYS = ("status", "headers", "body")
JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain; charset=utf-8"


def is_answer(value: Any) -> bool:
    """Whether `value` is an answer object (its keys among status, headers and body)."""
    return isinstance(value, dict) and bool(value) and all(k in ANSWER_KEYS for k in value)


def http_answer(value: Any, where: str) -> tuple[int, list[tuple[str, str]], str]:
    """(status, headers, body) of a `response` value; BehaviorError naming `where` (the
    place it is written, `api.response`) when it does not fit."""
    if value is None:
        return 200, [], ""
    if isinstance(value, str):
        return 200, [("content-type", TEXT_TYPE)], value
    if not is_answer(value):
        return 200, [("content-type", JSON_TYPE)], _text(value, where)
    status = value.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise BehaviorError(
            f"{where}: status must be a whole number from 100 to 599, but found "
            f"{json_kind(status)}",
            "e.g. response: \"{status: `201`, body: 'created'}\"",
        )
    headers: list[tuple[str, str]] = []
    given = value.get("headers")
    if given is not None:
        if not isinstance(given, dict):
            raise BehaviorError(
                f"{where}: headers must be an object of names to text, but found "
                f"{json_kind(given)}",
                "e.g. headers: {location: '/orders/1'}",
            )
        for name, item in given.items():
            if isinstance(item, (dict, list)) or item is None:
                raise BehaviorError(
                    f"{where}: header {name!r} must be text, but found {json_kind(item)}",
                    "write the header's value as text",
                )
            headers.append(
                (str(name).lower(), item if isinstance(item, str) else compact_json(item, "header"))
            )
    body = value.get("body")
    if body is None:
        return status, headers, ""
    if isinstance(body, str):
        return status, headers, body
    if not any(name == "content-type" for name, _ in headers):
        headers.append(("content-type", JSON_TYPE))
    return status, headers, _text(body, f"{where}.body")


def _text(value: Any, where: str) -> str:
    return value if isinstance(value, str) else compact_json(value, where)
