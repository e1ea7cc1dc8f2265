"""SQS's operations: SendMessage and SendMessageBatch through `context.send` (with SQS's MD5
digests and its words for bad message attributes), DeleteMessage and DeleteMessageBatch
through `context.delete_message`, GetQueueUrl, and ReceiveMessage and
ChangeMessageVisibility for a handler that polls a queue itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from stptui.sim.behavior.boto3_standin.exceptions import (
    ParamValidationError,
    as_modelled,
    aws_error,
    refuse,
)
from stptui.sim.behavior.boto3_standin.invocation import Operation
from stptui.sim.behavior.boto3_standin.params import P, blob_param, plain_number, validate_value
from stptui.sim.behavior.boto3_standin.responses import boto3_response, entry_by_entry, md5_hex
from stptui.sim.behavior.errors import BehaviorError, shown
from stptui.sim.services.queue import batch_too_long

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


_MESSAGE_ATTRIBUTE = {
    "DataType": P("string", True),
    "StringValue": P("string"),
    "BinaryValue": P("blob"),
    "StringListValues": P("list"),
    "BinaryListValues": P("list"),
}
_SEND_MEMBERS = {
    "MessageBody": P("string", True),
    "DelaySeconds": P("integer"),
    "MessageAttributes": P("map"),
    "MessageDeduplicationId": P("string"),
    "MessageGroupId": P("string"),
}


def _number_text(text: str, call: str, name: str, bad: str) -> int | float:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise aws_error(
            bad,
            f"Can't cast the value of message (user) attribute '{name}' to a number.",
            call,
        ) from None
    return plain_number(number, f"{call}: attribute {name}")


def message_attributes_in(
    attrs: dict[str, Any] | None, call: str, *, sns: bool = False
) -> dict[str, Any] | None:
    """MessageAttributes ({name: {DataType, StringValue | BinaryValue}}) as the context's
    `attributes` ({name: text | number | list | bytes})."""
    if attrs is None:
        return None
    out: dict[str, Any] = {}
    for name, attr in attrs.items():
        report: list[str] = []
        validate_value(
            attr, P("structure", members=_MESSAGE_ATTRIBUTE), f"MessageAttributes.{name}", report
        )
        if report:
            raise ParamValidationError(report="\n".join(report))
        kind = attr["DataType"]
        base = kind.split(".", 1)[0]
        # The code each service answers a bad attribute value with.
        bad = "ParameterValueInvalid" if sns else "InvalidParameterValue"
        if kind == "String":
            out[name] = _required_value(attr, "StringValue", name, call, sns)
        elif kind == "String.Array" and sns:
            text = _required_value(attr, "StringValue", name, call, sns)
            try:
                out[name] = json.loads(text)
            except ValueError:
                raise aws_error(
                    bad,
                    f"The message attribute '{name}' has an invalid value "
                    "for message attribute type 'String.Array'",
                    "Publish",
                ) from None
        elif kind == "Number":
            out[name] = _number_text(
                _required_value(attr, "StringValue", name, call, sns), call, name, bad
            )
        elif kind == "Binary" and sns:
            out[name] = blob_param(
                _required_value(attr, "BinaryValue", name, call, sns), call, name
            )
        elif base in ("String", "Number", "Binary"):
            more = ", String.Array and Binary" if sns else ""
            raise refuse(
                call,
                f"takes the attribute types String, Number{more} only, not {kind!r} "
                f"(attribute {name})",
            )
        else:
            raise aws_error(
                bad,
                f"The type of message (user) attribute '{name}' is invalid. "
                "You must use only the following supported type prefixes: Binary, "
                "Number, String.",
                call,
            )
    return out


def _required_value(attr: dict[str, Any], key: str, name: str, call: str, sns: bool) -> Any:
    """The attribute's `key` value. SNS refuses one written in the other field, and an empty
    one, here, so that PublishBatch refuses the whole batch for either (the words of
    LocalStack's AWS-validated `validate_message_attributes`)."""
    kind = attr["DataType"]
    value = attr.get(key)
    bad = "ParameterValueInvalid" if sns else "InvalidParameterValue"
    if value is None and sns:
        field = key.removesuffix("Value")
        raise aws_error(
            bad,
            f"The message attribute '{name}' with type '{kind}' must use field '{field}'.",
            call,
        )
    if value is None or (sns and isinstance(value, (str, bytes, bytearray)) and not value):
        raise aws_error(
            bad,
            f"The message attribute '{name}' must contain non-empty message "
            f"attribute value for message attribute type '{kind}'.",
            call,
        )
    return value


def _attributes_md5(attrs: dict[str, Any]) -> str:
    """SQS's MD5OfMessageAttributes: each attribute, by name, as length-prefixed name, type,
    transport byte (1 text, 2 binary) and value (SQS developer guide, "Calculating the MD5
    message digest for message attributes")."""
    out = bytearray()

    def part(data: bytes) -> None:
        out.extend(len(data).to_bytes(4, "big"))
        out.extend(data)

    for name in sorted(attrs):
        attr = attrs[name]
        part(name.encode("utf-8"))
        part(attr["DataType"].encode("utf-8"))
        if attr.get("StringValue") is not None:
            out.append(1)
            part(attr["StringValue"].encode("utf-8"))
        else:
            out.append(2)
            part(blob_param(attr["BinaryValue"], "SendMessage", name))
    return md5_hex(bytes(out))


# SendMessage's DelaySeconds: at most 15 minutes (SQS API Reference, SendMessage).
MAX_DELAY_S = 900


def _send(ctx: HandlerContext, queue: str, entry: dict[str, Any], call: str) -> dict[str, Any]:
    """One SendMessage through `context.send`; the response boto3 gives for it."""
    delay = entry.get("DelaySeconds")
    if delay is not None and not 0 <= delay <= MAX_DELAY_S:
        # SQS's answer (a batch's entry fails alone with it), not the context's BehaviorError.
        raise aws_error(
            "InvalidParameterValue",
            f"Value {shown(delay)} for parameter DelaySeconds is invalid. Reason: DelaySeconds "
            f"must be >= 0 and <= {MAX_DELAY_S}.",
            call,
        )
    attrs = entry.get("MessageAttributes")
    result = ctx.send(
        queue,
        entry["MessageBody"],
        delay=entry.get("DelaySeconds"),
        group=entry.get("MessageGroupId"),
        dedup_id=entry.get("MessageDeduplicationId"),
        attributes=message_attributes_in(attrs, call),
    )
    filled = {"MD5OfMessageBody": md5_hex(entry["MessageBody"].encode("utf-8"))}
    if attrs:
        filled["MD5OfMessageAttributes"] = _attributes_md5(attrs)
    return boto3_response(result, filled)


def _sqs_send_message(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    return _send(ctx, p["QueueUrl"], p, "SendMessage")


_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
MAX_BATCH = 10
# A batch entry's refusal that is the whole request's (the role's), and the members of a
# failed entry in botocore's order (SQS's BatchResultErrorEntry shape).
_REQUEST_CODES = ("AccessDenied",)
_FAILURE_MEMBERS = ("Id", "SenderFault", "Code", "Message")
_BATCH_ENTRY_MEMBERS = (
    "MessageId",
    "MD5OfMessageBody",
    "MD5OfMessageAttributes",
    "MD5OfMessageSystemAttributes",
    "SequenceNumber",
)


def _sqs_send_message_batch(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    entries = p["Entries"]
    op = "SendMessageBatch"
    _check_batch_ids(entries, op)
    too_long = batch_too_long(entries)
    if too_long is not None:
        raise aws_error("AWS.SimpleQueueService.BatchRequestTooLong", too_long, op)

    def send(entry: dict[str, Any]) -> dict[str, Any]:
        answer = _send(ctx, p["QueueUrl"], entry, op)
        answer.pop("ResponseMetadata")
        # In the SendMessageBatchResultEntry shape's order, which botocore keeps.
        return {k: answer[k] for k in _BATCH_ENTRY_MEMBERS if k in answer}

    return _batch_answer(entries, send)


def _sqs_delete_message(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    return boto3_response(ctx.delete_message(p["QueueUrl"], p["ReceiptHandle"]), {})


def _batch_answer(
    entries: list[dict[str, Any]], one: Callable[[dict[str, Any]], dict[str, Any] | None]
) -> dict[str, Any]:
    """A batch call's answer, entry by entry: SQS's JSON answer leaves `Failed` out when no
    entry failed."""
    successful, failed = entry_by_entry(entries, one, _REQUEST_CODES, _FAILURE_MEMBERS)
    out: dict[str, Any] = {"Successful": successful}
    if failed:
        out["Failed"] = failed
    return boto3_response(None, out)


def _check_batch_ids(entries: list[dict[str, Any]], op: str) -> None:
    """A batch's entry count and ids, as SQS refuses the whole batch for them."""
    if len(entries) > MAX_BATCH:
        raise aws_error(
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_BATCH}. You have sent {len(entries)}.",
            op,
        )
    seen: set[str] = set()
    for entry in entries:
        if not _BATCH_ID.fullmatch(entry["Id"]):
            raise aws_error(
                "AWS.SimpleQueueService.InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and "
                "underscores. It can be at most 80 letters long.",
                op,
            )
        if entry["Id"] in seen:
            raise aws_error(
                "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", f"Id {entry['Id']} repeated.", op
            )
        seen.add(entry["Id"])


def _sqs_delete_message_batch(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    entries = p["Entries"]
    _check_batch_ids(entries, "DeleteMessageBatch")

    def delete(entry: dict[str, Any]) -> None:
        ctx.delete_message(p["QueueUrl"], entry["ReceiptHandle"])

    return _batch_answer(entries, delete)


def _sqs_get_queue_url(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    behaviors = ctx._behaviors
    name = p["QueueName"]
    try:
        queue = behaviors.check_target("send", name)
    except BehaviorError:
        queue = None
    forms = behaviors.target_forms.of_type("sqs-queue")
    if queue is None or name.startswith("https://") or name.startswith("arn:"):
        raise as_modelled(
            "sqs",
            aws_error(
                "AWS.SimpleQueueService.NonExistentQueue",
                "The specified queue does not exist.",
                "GetQueueUrl",
            ),
        )
    url = next(v for v, n in forms.items() if n == queue and v.startswith("https://"))
    return boto3_response(None, {"QueueUrl": url})


def _wanted(names: list[Any] | None, name: str) -> bool:
    """Whether a receive's list of attribute names asks for `name`: `All`, `.*`, a
    `prefix.*` or the name itself (SQS API Reference, ReceiveMessage)."""
    for asked in names or ():
        if not isinstance(asked, str):
            continue
        if asked in ("All", ".*", name) or (asked.endswith(".*") and name.startswith(asked[:-1])):
            return True
    return False


def _as_asked(message: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
    """A received message with the attributes the receive asked for only, as SQS answers."""
    out = {k: message[k] for k in ("MessageId", "ReceiptHandle", "MD5OfBody", "Body")}
    system = [*(p.get("AttributeNames") or ()), *(p.get("MessageSystemAttributeNames") or ())]
    attributes = {k: v for k, v in message["Attributes"].items() if "All" in system or k in system}
    if attributes:
        out["Attributes"] = attributes
    user = {
        k: v
        for k, v in message.get("MessageAttributes", {}).items()
        if _wanted(p.get("MessageAttributeNames"), k)
    }
    if user:
        # The digest of the attributes answered (an SDK checks it against them).
        out["MD5OfMessageAttributes"] = _attributes_md5(user)
        out["MessageAttributes"] = user
    return out


def _sqs_receive_message(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    messages = ctx.receive_message(
        p["QueueUrl"],
        p.get("MaxNumberOfMessages", 1),
        p.get("VisibilityTimeout"),
        p.get("WaitTimeSeconds"),
    )
    # An empty receive answers no Messages key at all, as boto3 gives it.
    if not messages:
        return boto3_response(None, {})
    return boto3_response(None, {"Messages": [_as_asked(m, p) for m in messages]})


def _sqs_change_message_visibility(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    ctx.change_message_visibility(p["QueueUrl"], p["ReceiptHandle"], p["VisibilityTimeout"])
    return boto3_response(None, {})


_ENTRY = {"Id": P("string", True), **_SEND_MEMBERS}


OPERATIONS: dict[str, Operation] = {
    "send_message": Operation(
        "SendMessage",
        {"QueueUrl": P("string", True), **_SEND_MEMBERS},
        _sqs_send_message,
    ),
    "send_message_batch": Operation(
        "SendMessageBatch",
        {"QueueUrl": P("string", True), "Entries": P("list", True, _ENTRY, min_items=1)},
        _sqs_send_message_batch,
    ),
    "delete_message": Operation(
        "DeleteMessage",
        {"QueueUrl": P("string", True), "ReceiptHandle": P("string", True)},
        _sqs_delete_message,
    ),
    "delete_message_batch": Operation(
        "DeleteMessageBatch",
        {
            "QueueUrl": P("string", True),
            "Entries": P(
                "list",
                True,
                {"Id": P("string", True), "ReceiptHandle": P("string", True)},
                min_items=1,
            ),
        },
        _sqs_delete_message_batch,
    ),
    "get_queue_url": Operation(
        "GetQueueUrl",
        {"QueueName": P("string", True), "QueueOwnerAWSAccountId": P("string")},
        _sqs_get_queue_url,
    ),
    "receive_message": Operation(
        "ReceiveMessage",
        {
            "QueueUrl": P("string", True),
            "AttributeNames": P("list"),
            "MessageSystemAttributeNames": P("list"),
            "MessageAttributeNames": P("list"),
            "MaxNumberOfMessages": P("integer"),
            "VisibilityTimeout": P("integer"),
            "WaitTimeSeconds": P("integer"),
            "ReceiveRequestAttemptId": P("string"),
        },
        _sqs_receive_message,
    ),
    "change_message_visibility": Operation(
        "ChangeMessageVisibility",
        {
            "QueueUrl": P("string", True),
            "ReceiptHandle": P("string", True),
            "VisibilityTimeout": P("integer", True),
        },
        _sqs_change_message_visibility,
    ),
}
