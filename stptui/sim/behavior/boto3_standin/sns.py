"""SNS's Publish and PublishBatch through `context.notify`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from stptui.config.model import SnsTopic
from stptui.config.permissions import ClientError
from stptui.sim.behavior.boto3_standin.exceptions import aws_error, refuse
from stptui.sim.behavior.boto3_standin.invocation import Operation
from stptui.sim.behavior.boto3_standin.params import P
from stptui.sim.behavior.boto3_standin.responses import boto3_response, entry_by_entry
from stptui.sim.behavior.boto3_standin.sqs import message_attributes_in
from stptui.sim.behavior.errors import BehaviorError
from stptui.sim.services.topic import (
    AWS_NO_DEDUP_ID,
    AWS_NO_GROUP,
    MAX_MESSAGE_BYTES,
    SnsError,
    protocol_message,
)

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


def _sns_publish(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    call = "Publish"
    if "PhoneNumber" in p or ("TargetArn" in p and "TopicArn" not in p):
        raise refuse(call, "publishes to topics only (TopicArn), not to a phone or an endpoint")
    if "TopicArn" not in p:
        raise aws_error(
            "InvalidParameter",
            "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
            call,
        )
    return boto3_response(_publish_one(ctx, p["TopicArn"], p, call), {})


def _publish_one(
    ctx: HandlerContext,
    topic: str,
    entry: dict[str, Any],
    call: str,
    attributes: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """One message published through `context.notify`: what it answered. `attributes` are
    the entry's MessageAttributes already read (PublishBatch reads every entry's first)."""
    if attributes is None:
        attributes = message_attributes_in(entry.get("MessageAttributes"), call, sns=True)
    return ctx.notify(
        topic,
        entry["Message"],
        subject=entry.get("Subject"),
        attributes=attributes,
        group=entry.get("MessageGroupId"),
        dedup_id=entry.get("MessageDeduplicationId"),
        structure=entry.get("MessageStructure"),
    )


# PublishBatch takes at most 10 entries; an entry's Id is at most 80 alphanumeric characters,
# hyphens and underscores (SNS API Reference, PublishBatch, PublishBatchRequestEntry).
MAX_BATCH = 10
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")


def _batch_error(code: str, message: str) -> ClientError:
    return aws_error(code, message, "PublishBatch")


def _sns_publish_batch(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    call = "PublishBatch"
    entries = p["PublishBatchRequestEntries"]
    # SNS refuses the whole batch for these, before it publishes any entry (the error
    # shapes' descriptions in the SNS API Reference, PublishBatch "Errors").
    if not entries:
        raise _batch_error("EmptyBatchRequest", "The batch request doesn't contain any entries.")
    if len(entries) > MAX_BATCH:
        raise _batch_error(
            "TooManyEntriesInBatchRequest",
            f"The batch request contains more entries than permissible (more than {MAX_BATCH}).",
        )
    seen: set[str] = set()
    for entry in entries:
        if not _BATCH_ID.fullmatch(entry["Id"]):
            raise _batch_error(
                "InvalidBatchEntryId",
                "The Id of a batch entry in a batch request doesn't abide by the specification.",
            )
        if entry["Id"] in seen:
            raise _batch_error(
                "BatchEntryIdsNotDistinct",
                "Two or more batch entries in the request have the same Id.",
            )
        seen.add(entry["Id"])
    total = sum(_entry_bytes(entry) for entry in entries)
    if total > MAX_MESSAGE_BYTES:
        # The error shape's description, then our note of the sizes, as Publish's refusal
        # of one message too long has (services.topic).
        raise _batch_error(
            "BatchRequestTooLong",
            "The length of all the batch messages put together is more than the limit. (The "
            f"batch's messages and their attributes are {total:,} bytes; SNS takes at most "
            f"{MAX_MESSAGE_BYTES:,}.)",
        )
    # An entry's MessageStructure SNS cannot use refuses the whole batch, before any entry
    # is published and before the FIFO checks, as LocalStack's AWS-validated PublishBatch
    # checks them.
    for entry in entries:
        structure = entry.get("MessageStructure")
        if structure is not None:
            try:
                protocol_message(entry["Message"], structure)
            except SnsError as exc:
                raise _batch_error(exc.code, exc.aws_message) from None
    _check_fifo_batch(ctx, p["TopicArn"], entries)
    # A malformed message attribute in any entry refuses the whole batch, with that
    # attribute's own error (LocalStack's AWS-validated
    # `test_empty_or_wrong_message_attributes`: a batch of two bad entries and a good one
    # is a ClientError, and nothing is published).
    read = {
        id(entry): message_attributes_in(entry.get("MessageAttributes"), call, sns=True)
        for entry in entries
    }
    successful, failed = entry_by_entry(
        entries,
        lambda entry: _publish_one(ctx, p["TopicArn"], entry, call, read[id(entry)]),
        ("AuthorizationError", "AccessDenied"),
        ("Id", "Code", "Message", "SenderFault"),
    )
    # SNS's query (XML) answer has both lists, an empty one as an empty element, which
    # botocore reads as [].
    return boto3_response(None, {"Successful": successful, "Failed": failed})


def _entry_bytes(entry: dict[str, Any]) -> int:
    """What one PublishBatch entry adds to the batch's size, counted as Publish counts one
    message: its UTF-8 bytes, and each well-formed attribute's name, data type and value (a
    Binary's bytes); a malformed attribute refuses the batch later with its own error.
    "The combined size of all messages in the batch, including each message's body and
    attributes, must not exceed the topic's MaximumMessageSize" (SNS API Reference,
    PublishBatch)."""
    size = len(entry["Message"].encode("utf-8", "surrogatepass"))
    for name, attr in (entry.get("MessageAttributes") or {}).items():
        kind = attr.get("DataType") if isinstance(attr, dict) else None
        if not isinstance(kind, str):
            continue
        value = attr.get("BinaryValue" if kind == "Binary" else "StringValue")
        if isinstance(value, str):
            value = value.encode("utf-8", "surrogatepass")
        if isinstance(value, (bytes, bytearray)):
            size += len(name.encode("utf-8", "surrogatepass")) + len(kind) + len(value)
    return size


def _check_fifo_batch(ctx: HandlerContext, topic: str, entries: list[dict[str, Any]]) -> None:
    """A FIFO topic refuses the whole batch, before it publishes any entry, when an entry has
    no MessageGroupId, or no MessageDeduplicationId and the topic no content-based
    deduplication (LocalStack's AWS-validated `test_publish_batch_exceptions`)."""
    behaviors = ctx._behaviors
    try:
        name = behaviors.check_target("notify", topic)
    except BehaviorError:
        return  # the first entry's publish says what is wrong with the topic
    resource = behaviors.stack.resources.get(name)
    if not isinstance(resource, SnsTopic) or not resource.fifo:
        return
    if any(not entry.get("MessageGroupId") for entry in entries):
        raise _batch_error("InvalidParameter", AWS_NO_GROUP)
    if not resource.content_based_dedup and any(
        not entry.get("MessageDeduplicationId") for entry in entries
    ):
        raise _batch_error("InvalidParameter", AWS_NO_DEDUP_ID)


OPERATIONS: dict[str, Operation] = {
    "publish": Operation(
        "Publish",
        {
            "TopicArn": P("string"),
            "TargetArn": P("string"),
            "PhoneNumber": P("string"),
            "Message": P("string", True),
            "Subject": P("string"),
            "MessageStructure": P("string"),
            "MessageAttributes": P("map"),
            "MessageDeduplicationId": P("string"),
            "MessageGroupId": P("string"),
        },
        _sns_publish,
    ),
    "publish_batch": Operation(
        "PublishBatch",
        {
            "TopicArn": P("string", True),
            "PublishBatchRequestEntries": P(
                "list",
                True,
                {
                    "Id": P("string", True),
                    "Message": P("string", True),
                    "Subject": P("string"),
                    "MessageStructure": P("string"),
                    "MessageAttributes": P("map"),
                    "MessageDeduplicationId": P("string"),
                    "MessageGroupId": P("string"),
                },
            ),
        },
        _sns_publish_batch,
    ),
}
