"""Emission fields given the types the engine and the services expect: `normalise` turns the
evaluated fields of one emission (`send`, `publish`, `putItem`, `startExecution`...) into
what the services take, or refuses a value that does not fit with a `FieldError`.

Three callers share it, so it stands alone: a declared emission when it runs, a Python
handler's `context.send(...)` and the like, and the reader's load-time check of fields
written as constants.
"""

from __future__ import annotations

import copy
import math
from contextlib import suppress
from typing import Any

from stptui import jsontext
from stptui.config.model import Stack, WebSocketTrigger
from stptui.sim.behavior.errors import BehaviorError, FieldError, compact_json, json_text
from stptui.sim.ddbjson import from_plain_item

MAX_SQS_DELAY_S = 900

# The fields that are a whole request's payload and that the service needs: a null one is
# a request without it, which the service refuses (`put`'s content is optional: PutObject
# without a Body writes an empty object; `produce`'s value is too: Kafka takes a null value,
# a tombstone).
WHOLE_MESSAGE_FIELDS = {
    "send": "body",
    "notify": "message",
    "putRecord": "data",
}
# Those fields' names in the service's API, and the service.
WHOLE_MESSAGE_PARAMETERS = {
    "body": ("MessageBody", "SQS SendMessage"),
    "message": ("Message", "SNS Publish"),
    "data": ("Data", "Kinesis PutRecord"),
}


def normalise(kind: str, values: dict[str, Any], where: str) -> dict[str, Any]:
    """Give evaluated emission fields the types the engine expects; BehaviorError otherwise.

    A null `send.body`, `notify.message` or `putRecord.data` stays None: the service refuses
    the request as it refuses one without that parameter (see WHOLE_MESSAGE_FIELDS). A null
    `produce.value` stays None too: a tombstone, which Kafka takes."""
    if kind == "send":
        delay = values.get("delay")
        if delay is not None:
            if (
                isinstance(delay, bool)
                or not isinstance(delay, (int, float))
                or (isinstance(delay, float) and not delay.is_integer())
            ):
                raise FieldError(
                    where,
                    "delay",
                    "must be whole seconds",
                    delay,
                    "a number of seconds: delay: 5 (a constant), or a JSON constant in "
                    'JMESPath: delay: "`5`"',
                )
            delay = int(delay)
            if not 0 <= delay <= MAX_SQS_DELAY_S:
                raise FieldError(
                    where,
                    "delay",
                    "must be 0..900 seconds",
                    delay,
                    "SQS delays a message by at most 900 seconds (15 minutes)",
                )
        return {
            "body": _message_text(values.get("body"), f"{where}.body"),
            "delay": delay,
            "group": _id_text(values.get("group"), where, "group"),
            "dedupId": _id_text(values.get("dedupId"), where, "dedupId"),
            "attributes": _attributes(values.get("attributes"), where),
        }
    if kind == "publish":
        source, detail_type, detail = (
            values.get("source"),
            values.get("detailType"),
            values.get("detail"),
        )
        for name, value in (("source", source), ("detailType", detail_type)):
            if not isinstance(value, str) or not value:
                raise FieldError(
                    where,
                    name,
                    "must be a non-empty string",
                    value,
                    "a constant string is a raw literal: \"'orders'\"",
                )
        if isinstance(detail, str):  # a JSON string holding an object is what the SDK sends
            with suppress(ValueError):
                detail = jsontext.loads(detail)
        if not isinstance(detail, dict):
            raise FieldError(
                where,
                "detail",
                "EventBridge needs a JSON object",
                values.get("detail"),
                "an object: detail: body, or one made of fields: detail: '{id: body.id}'",
            )
        compact_json(detail, f"{where}.detail")
        # Copies: the value may be (part of) the engine's own event or record.
        out = {"source": source, "detailType": detail_type, "detail": copy.deepcopy(detail)}
        resources = values.get("resources")
        if resources is not None:
            if not isinstance(resources, list) or not all(
                isinstance(r, str) and r for r in resources
            ):
                raise FieldError(
                    where,
                    "resources",
                    "must be a list of ARNs (non-empty strings)",
                    resources,
                    'resources=["arn:aws:s3:::my-bucket"]',
                )
            out["resources"] = list(resources)
        time_ms = values.get("time")
        if time_ms is not None:
            # PutEvents' Time, in epoch milliseconds (context._publish_at only).
            out["time"] = time_ms
        return out
    if kind == "notify":
        subject = values.get("subject")
        if subject is not None and not isinstance(subject, str):
            raise FieldError(where, "subject", "must be a string", subject)
        structure = values.get("structure")
        if structure is not None and not isinstance(structure, str):
            raise FieldError(where, "structure", "must be a string", structure)
        out = {
            "message": _message_text(values.get("message"), f"{where}.message"),
            "subject": subject,
            "group": _id_text(values.get("group"), where, "group"),
            "dedupId": _id_text(values.get("dedupId"), where, "dedupId"),
            # SNS takes arrays (String.Array); only Python code has bytes to give
            # (context.notify): a Binary attribute.
            "attributes": _attributes(
                values.get("attributes"), where, sns=True, binary=where.startswith("context.")
            ),
        }
        if structure is not None:
            # MessageStructure (context.notify only; SNS refuses any value but "json"): only
            # when given, so that a message without one has the fields it always had.
            out["structure"] = structure
        return out
    if kind == "put":
        key = _object_key(values, where)
        content = values.get("content")
        # PutObject without a Body writes an empty object (the Body is optional).
        text = "" if content is None else json_text(content, f"{where}.content")
        if values.get("multipart") is True:
            # boto3's managed upload in parts (context._put_object_in_parts only).
            return {"key": key, "content": text, "multipart": True}
        return {"key": key, "content": text}
    if kind == "restoreObject":
        return _restore_fields(values, where)
    if kind in ("deleteObject", "copyObject", "deleteMessage"):
        return _handler_call_fields(kind, values, where)
    if kind == "putRecord":
        return {
            "data": _message_text(values.get("data"), f"{where}.data"),
            "partitionKey": _id_text(values.get("partitionKey"), where, "partitionKey"),
        }
    if kind == "produce":
        return _produce_fields(values, where)
    if kind in ("putItem", "deleteItem"):
        name = "item" if kind == "putItem" else "key"
        value = values.get(name)
        if not isinstance(value, dict):
            raise FieldError(
                where,
                name,
                "DynamoDB needs a JSON object",
                value,
                "write plain JSON, as DocumentClient takes it: {id: body.id, total: body.total}",
            )
        compact_json(value, f"{where}.{name}")
        out = {name: from_plain_item(value)}
        if kind == "putItem" and any(values.get(k) is not None for k in _CONDITIONAL):
            # A Python handler's conditional put_item (a behaviours file's putItem has none).
            out["condition"] = expression_text(values, "condition", where)
            out.update(expression_placeholders(values, where))
        return _with_returns(out, kind, values, where)
    if kind == "updateItem":
        return _with_returns(update_fields(values, where), kind, values, where)
    if kind == "startExecution":
        return _execution_fields(values, where)
    if kind in ("sendTaskSuccess", "sendTaskFailure", "sendTaskHeartbeat"):
        return _answer_fields(kind, values, where)
    if kind == "postToConnection":
        return _post_fields(values, where)
    payload = values.get("payload")
    compact_json(payload, f"{where}.payload")
    return {"payload": copy.deepcopy(payload)}


def _object_key(values: dict[str, Any], where: str) -> str:
    """An S3 object key: non-empty text (a number is written as text, as a template would)."""
    key = values.get("key")
    if isinstance(key, (int, float)) and not isinstance(key, bool):
        key = _number_text(key)
    if not isinstance(key, str) or not key:
        raise FieldError(where, "key", "must be a non-empty string", values.get("key"))
    return key


def _text_field(values: dict[str, Any], name: str, where: str) -> str | None:
    value = values.get(name)
    if value is not None and (not isinstance(value, str) or not value):
        raise FieldError(where, name, "must be a non-empty string", value)
    return value


def _handler_call_fields(kind: str, values: dict[str, Any], where: str) -> dict[str, Any]:
    """The fields of a call only a Python handler makes (a behaviours file has no such
    emission): DeleteObject's key and version id, CopyObject's key and its source (stptui's
    bucket name, key, version id), DeleteMessage's receipt handle."""
    if kind == "deleteMessage":
        handle = values.get("receiptHandle")
        if not isinstance(handle, str):
            raise FieldError(where, "receiptHandle", "must be a string", handle)
        return {"receiptHandle": handle}
    out: dict[str, Any] = {"key": _object_key(values, where)}
    if kind == "deleteObject":
        out["versionId"] = _text_field(values, "versionId", where)
        return out
    out["sourceBucket"] = _text_field(values, "sourceBucket", where)
    out["sourceKey"] = _object_key({"key": values.get("sourceKey")}, f"{where} source")
    out["sourceVersionId"] = _text_field(values, "sourceVersionId", where)
    if values.get("multipart") is True:
        # boto3's managed copy in parts (context._copy_object_in_parts only).
        out["multipart"] = True
    return out


def _restore_fields(values: dict[str, Any], where: str) -> dict[str, Any]:
    """A RestoreObject's key, Days (a whole number of at least 1: the request needs it for
    an archived object), Tier (absent: Standard, S3's default) and VersionId. Which tier
    the object's class allows is S3's to refuse, when the request is made."""
    # Lazily: only a behaviours file that restores objects needs the restore rules.
    from stptui.sim.s3_restore import DEFAULT_TIER, TIERS

    days = values.get("days")
    if isinstance(days, float) and days.is_integer():
        days = int(days)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise FieldError(
            where,
            "days",
            "must be a whole number of days, at least 1",
            values.get("days"),
            'a constant: days: 2, or to_number() of text: days: "to_number(body.days)"',
        )
    tier = values.get("tier")
    if tier is None:
        tier = DEFAULT_TIER
    if tier not in TIERS:
        raise FieldError(
            where,
            "tier",
            f"must be one of {', '.join(TIERS)}",
            tier,
            "a constant tier is a JMESPath raw literal: tier: \"'Bulk'\"",
        )
    version = values.get("versionId")
    if version is not None and (not isinstance(version, str) or not version):
        raise FieldError(where, "versionId", "must be a non-empty string", version)
    return {"key": _object_key(values, where), "days": days, "tier": tier, "versionId": version}


def _produce_fields(values: dict[str, Any], where: str) -> dict[str, Any]:
    """A Kafka record: its value as putRecord's data is written (text as it is, anything
    else as compact JSON; null stays None, a tombstone), its key as text (a number written
    as text, as for partitionKey), its headers as (name, text) pairs in the map's order, and
    the partition asked for, a whole number (its range is the topic's, checked when
    produced)."""
    headers = values.get("headers")
    pairs: list[tuple[str, str]] = []
    if headers is not None:
        if not isinstance(headers, dict):
            raise FieldError(
                where,
                "headers",
                "must be a map of header names to text",
                headers,
                "e.g. headers: {source: \"'checkout'\"}, or one made of fields: "
                "headers: '{user: pathParameters.user}'",
            )
        for name, item in headers.items():
            if not isinstance(name, str) or not name:
                raise FieldError(where, "headers", "header names must be non-empty text", name)
            if not isinstance(item, str):
                raise FieldError(
                    where,
                    "headers",
                    "must be text",
                    item,
                    f"a constant header is a JMESPath raw literal: {name}: \"'value'\"; "
                    "a number is text: to_string(...)",
                    f"headers.{name}",
                )
            pairs.append((name, item))
    partition = values.get("partition")
    if isinstance(partition, float) and partition.is_integer():
        partition = int(partition)
    if partition is not None and (
        isinstance(partition, bool) or not isinstance(partition, int) or partition < 0
    ):
        raise FieldError(
            where,
            "partition",
            "must be a whole number, at least 0",
            values.get("partition"),
            'a constant: partition: 2, or to_number() of text: partition: "to_number(body.p)"',
        )
    return {
        "value": _message_text(values.get("value"), f"{where}.value"),
        "key": _id_text(values.get("key"), where, "key"),
        "headers": pairs,
        "partition": partition,
    }


def _message_text(value: Any, where: str) -> str | None:
    """A whole message (a body, an SNS message, a record's data): as `json_text`, but null
    stays None, a request without it, which the service refuses."""
    return None if value is None else json_text(value, where)


def update_fields(values: dict[str, Any], where: str) -> dict[str, Any]:
    """An updateItem's fields: the key and values marshalled, the expressions as text."""
    key = values.get("key")
    if not isinstance(key, dict):
        raise FieldError(
            where,
            "key",
            "DynamoDB needs a JSON object",
            key,
            "write plain JSON, as DocumentClient takes it: {id: body.id}",
        )
    compact_json(key, f"{where}.key")
    out: dict[str, Any] = {"key": from_plain_item(key)}
    for name in ("update", "condition"):
        out[name] = expression_text(values, name, where)
    out.update(expression_placeholders(values, where))
    return out


# The ReturnValues each write takes (DynamoDB API Reference, PutItem, DeleteItem, UpdateItem).
RETURN_VALUES = {
    "putItem": ("NONE", "ALL_OLD"),
    "deleteItem": ("NONE", "ALL_OLD"),
    "updateItem": ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"),
}


def _with_returns(
    out: dict[str, Any], kind: str, values: dict[str, Any], where: str
) -> dict[str, Any]:
    """`out` with a Python handler's `returnValues` (absent or NONE: left out, as a
    behaviours file's write has none)."""
    returns = values.get("returnValues")
    if returns is None or returns == "NONE":
        return out
    if returns not in RETURN_VALUES[kind]:
        raise FieldError(
            where, "returnValues", f"must be one of {', '.join(RETURN_VALUES[kind])}", returns
        )
    return {**out, "returnValues": returns}


# A put_item's fields that make it conditional.
_CONDITIONAL = ("condition", "names", "values")


def expression_text(values: dict[str, Any], name: str, where: str) -> str | None:
    """An expression field: text (an update is required), or None when not given."""
    text = values.get(name)
    if (text is not None or name == "update") and not isinstance(text, str):
        raise FieldError(
            where,
            name,
            "a DynamoDB expression is text",
            text,
            f"a constant expression is a JMESPath raw literal: {name}: \"'SET n = :n'\"",
        )
    return text


def expression_placeholders(values: dict[str, Any], where: str) -> dict[str, Any]:
    """The expressions' names (as given) and values (marshalled), each None when not given."""
    out: dict[str, Any] = {}
    names = values.get("names")
    if names is not None and (
        not isinstance(names, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in names.items())
    ):
        raise FieldError(
            where,
            "names",
            "ExpressionAttributeNames map placeholders to names",
            names,
            'e.g. names: {"#s": status}',
        )
    out["names"] = names
    given = values.get("values")
    if given is not None and not isinstance(given, dict):
        raise FieldError(
            where,
            "values",
            "ExpressionAttributeValues are a JSON object",
            given,
            'e.g. values: {":n": 1}',
        )
    if given is not None:
        compact_json(given, f"{where}.values")
    out["values"] = None if given is None else from_plain_item(given)
    return out


def _execution_fields(values: dict[str, Any], where: str) -> dict[str, Any]:
    """A startExecution's input as the JSON text StartExecution carries (a string is that
    text already, as the SDK sends it; read when the call is made) and its name."""
    given = values.get("input")
    text = "{}" if given is None else json_text(given, f"{where}.input")
    name = values.get("name")
    if name is not None and not isinstance(name, str):
        raise FieldError(
            where,
            "name",
            "an execution's name is text",
            name,
            "a constant name is a JMESPath raw literal: name: \"'order-1'\"",
        )
    return {"input": text, "name": name}


def _answer_fields(kind: str, values: dict[str, Any], where: str) -> dict[str, Any]:
    """A callback worker's answer: the token (text, as the triggering message or payload
    carried it), and SendTaskSuccess's output as JSON text or SendTaskFailure's error and
    cause."""
    token = values.get("token")
    if not isinstance(token, str) or not token:
        raise FieldError(
            where,
            "token",
            "a task token is non-empty text",
            token,
            "read it from the input where the state machine put it, e.g. token: body.taskToken",
        )
    out: dict[str, Any] = {"token": token}
    if kind == "sendTaskSuccess":
        given = values.get("output")
        out["output"] = "{}" if given is None else json_text(given, f"{where}.output")
    elif kind == "sendTaskFailure":
        for name in ("error", "cause"):
            text = values.get(name)
            if text is not None and not isinstance(text, str):
                raise FieldError(
                    where,
                    name,
                    "must be text",
                    text,
                    f"a constant is a JMESPath raw literal: {name}: \"'Rejected'\"",
                )
            out[name] = text
    return out


def own_gateways(stack: Stack, workload: str) -> list[str]:
    """The WebSocket APIs `workload`'s `websocket-api-gateway` events name, sorted: a
    postToConnection without a gateway posts through the one (the management endpoint
    Stacktape gives the function's code)."""
    res = stack.resources.get(workload)
    return sorted(
        {
            t.gateway.target
            for t in getattr(res, "events", ())
            if isinstance(t, WebSocketTrigger) and t.gateway and t.gateway.target
        }
    )


def _post_fields(values: dict[str, Any], where: str) -> dict[str, Any]:
    """A PostToConnection's ConnectionId (non-empty text, as the event's
    `requestContext.connectionId` carries it) and Data, the text the client receives (a
    value that is not text is sent as JSON, as every emission's message is). Both are
    required by the API, so a null one is refused here, as a field that does not fit."""
    connection = values.get("connectionId")
    if not isinstance(connection, str) or not connection:
        raise FieldError(
            where,
            "connectionId",
            "a connection id is non-empty text",
            connection,
            "read it from the event: connectionId: requestContext.connectionId",
        )
    data = values.get("data")
    if data is None:
        raise FieldError(
            where,
            "data",
            "PostToConnection needs Data",
            data,
            "give the message, e.g. data: body (the client's message) or data: \"'hello'\"",
        )
    return {"connectionId": connection, "data": json_text(data, f"{where}.data")}


def _attributes(
    value: Any, where: str, *, sns: bool = False, binary: bool = False
) -> dict[str, Any] | None:
    """SQS or SNS message attributes: an object of names to strings or numbers (or absent);
    with `sns`, arrays of strings, numbers, true, false and null too (String.Array: "The
    values can be strings, numbers, or the keywords true, false, and null", SNS developer
    guide, message attribute data types); with `binary` (a Python handler's
    `context.notify`), bytes, a Binary attribute."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FieldError(
            where, "attributes", "must be an object", value, "e.g. attributes: '{kind: body.kind}'"
        )
    kinds: tuple[type, ...] = (str, int, float, bytes) if binary else (str, int, float)
    what = "a string or a number"
    if sns:
        what = (
            "a string, a number, an array of them or bytes"
            if binary
            else "a string, a number or an array of them"
        )
    for name, item in value.items():
        if not isinstance(name, str):
            # Only Python code has keys that are not text (JSON's are): SQS and SNS name
            # an attribute by text, and their checks read the name as text.
            raise FieldError(where, "attributes", "names must be text", name)
        label = f"attributes.{name}"
        if sns and isinstance(item, list) and all(_array_value(v) for v in item):
            continue
        if isinstance(item, bool) or not isinstance(item, kinds):
            raise FieldError(where, "attributes", f"must be {what}", item, None, label)
        if isinstance(item, float) and not math.isfinite(item):
            raise BehaviorError(f"{where}.{label}: NaN and Infinity have no JSON form")
    # An array is copied: it may be part of the engine's own event.
    return {k: list(v) if isinstance(v, list) else v for k, v in value.items()}


def _array_value(value: Any) -> bool:
    """Whether `value` may be an element of a String.Array attribute."""
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


def _id_text(value: Any, where: str, name: str) -> str | None:
    """MessageGroupId / MessageDeduplicationId: text, a number written as text, or absent."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _number_text(value)
        if text is not None:
            return text
    raise FieldError(where, name, "must be a string", value)


def _number_text(value: float) -> str | None:
    """A number written as text, or None for an int longer than Python writes as text."""
    try:
        return str(value)
    except ValueError:
        return None
