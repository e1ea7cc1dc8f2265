"""AWS-shaped event payloads, built only when a handler, a condition or a view needs them.

Key names and order follow what AWS emits (the Lambda developer guide's sample events for
SQS, standard and FIFO); every attribute value in an SQS record is a string, timestamps in
epoch milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NamedTuple

from stptui.sim.behavior.outcome import TIMEOUT_ERROR

if TYPE_CHECKING:
    from stptui.sim.services.queue import Message, QueueSim


class Deferred:
    """A payload or trace field built on first use, then kept.

    A long run makes many payloads that nobody reads: a year of schedules builds an envelope
    per fire, and a batch job's environment per attempt, for handlers that decide without
    them and records that are never opened. Whatever reads one calls `resolve`; the inputs
    given here must not change afterwards, so the value is the one building it at once
    would have given."""

    __slots__ = ("_args", "_make", "_value", "json_sizes")

    def __init__(self, make: Callable[..., Any], *args: Any) -> None:
        self._make: Callable[..., Any] | None = make
        self._args = args
        self._value: Any = None
        # The value's compact JSON as a string inside JSON, (characters, UTF-8 bytes), when
        # its maker knows them without building it: a batch job measures its trigger event
        # against AWS's limits at every start, and a schedule's envelope is always as long.
        self.json_sizes: tuple[int, int] | None = None

    def get(self) -> Any:
        """The value, built now if this is the first time."""
        make = self._make
        if make is not None:
            self._value = make(*self._args)
            self._make = None
            self._args = ()
        return self._value


def json_string_sizes(text: str) -> tuple[int, int]:
    """`text` (JSON, so without raw control characters) as a JSON string literal inside
    another JSON document: its length in characters and in UTF-8 bytes, quotes included
    (each `"` and `\\` of it is escaped)."""
    escapes = text.count('"') + text.count("\\")
    chars = len(text) + escapes + 2
    if text.isascii():
        return chars, chars
    # A lone surrogate (JSON's `\\ud800` escape, read) counts as the three bytes it is written as.
    return chars, len(text.encode("utf-8", "surrogatepass")) + escapes + 2


def resolve(value: Any) -> Any:
    """`value` itself, or the value of a Deferred."""
    return value.get() if type(value) is Deferred else value


def md5_hex(text: str) -> str:
    """MD5 of the UTF-8 text, as SQS reports it in `md5OfBody`."""
    return hashlib.md5(text.encode("utf-8", "surrogatepass")).hexdigest()


def receipt_handle(msg: Message, receipt: int | None = None) -> str:
    """A stable, opaque receipt handle for the message's current receive (or for its
    `receipt`-th receive)."""
    n = msg.receipt if receipt is None else receipt
    return hashlib.sha256(f"{msg.id}:{n}".encode()).hexdigest() + "=="


class AsReceived(NamedTuple):
    """What of a message a later receive (or a move to a dead-letter queue) changes, as one
    receive returned it: code that still holds the message sees these values, not the
    queue's newer ones."""

    receipt: int
    receive_count: int
    dlq_source_arn: str | None
    dedup_id: str | None

    @classmethod
    def of(cls, msg: Message) -> AsReceived:
        """The values of the message's latest receive."""
        return cls(msg.receipt, msg.receive_count, msg.dlq_source_arn, msg.dedup_id)


# The text of a Number message attribute SQS and SNS take: "positive or negative numerals"
# (a sign, digits, a point, an exponent), "up to 38 digits of precision, and ... between
# 10^-128 and 10^+126" (SQS developer guide, message attribute data types). Python's
# Decimal alone would also read `NaN`, `Infinity`, `1_000` and surrounding spaces.
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
NUMBER_ATTRIBUTE_DIGITS = 38
_NUMBER_SMALLEST = Decimal("1e-128")
_NUMBER_LARGEST = Decimal("1e126")
NUMBER_ATTRIBUTE_RULE = (
    f"at most {NUMBER_ATTRIBUTE_DIGITS} significant digits, between 1e-128 and 1e126 in size"
)


def number_attribute_fault(text: str) -> str | None:
    """Why SQS and SNS refuse `text` as a Number attribute's value: "not a number" or "out
    of range"; None when they take it."""
    digits = text[1:] if text[:1] in ("-", "+") else text
    if len(digits) <= NUMBER_ATTRIBUTE_DIGITS and digits.isascii() and digits.isdigit():
        return None  # a whole number of at most 38 digits: the commonest, and always taken
    if not _NUMBER_TEXT.fullmatch(text):
        return "not a number"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return "out of range"  # an exponent too long for Decimal is far out of range
    # Significant digits, counted exactly (normalize() would round to 28 of them).
    significant = len("".join(map(str, value.as_tuple().digits)).strip("0"))
    if significant > NUMBER_ATTRIBUTE_DIGITS or (
        value and not _NUMBER_SMALLEST <= abs(value) <= _NUMBER_LARGEST
    ):
        return "out of range"
    return None


class NumberText(str):
    """A Number message attribute as its sender wrote it: SQS keeps the text (`1e3`, `007`)
    and only checks that it is a number in range (`number_attribute_fault`), which whatever
    makes one from a sender's text checks first: `send --attr`, Step Functions' SQS
    integrations; SNS checks each when it publishes."""


class LabelledText(str):
    """A String attribute sent with a custom type label (`String.json`): SQS keeps the whole
    data type, which the Lambda record's `dataType`, the SDK's `DataType` and the digest
    show ("Amazon SQS message attributes", custom data types)."""

    data_type: str


class LabelledNumberText(NumberText):
    """A Number attribute sent with a custom type label (`Number.float`): a number as
    NumberText is, with its whole data type kept as LabelledText keeps it."""

    data_type: str


def labelled(value: str, data_type: str) -> str:
    """A String or Number attribute's text carrying `data_type` when that has a custom
    label (`String.json`, `Number.int`); plain String text as it is, Number as NumberText."""
    if data_type == "String":
        return value
    if data_type == "Number":
        return NumberText(value)
    out = (LabelledNumberText if data_type.startswith("Number") else LabelledText)(value)
    out.data_type = data_type
    return out


class ArrayText(str):
    """An SNS String.Array message attribute as its sender wrote it (Step Functions'
    `DataType: String.Array`): SNS publishes the text as it is, and a filter policy reads
    it as a JSON array (stptui.sim.services.topic.invalid_attributes)."""


def message_attributes(attrs: dict[str, Any] | None) -> dict[str, Any]:
    """User message attributes in the Lambda event's shape."""
    out: dict[str, Any] = {}
    for name, value in (attrs or {}).items():
        if isinstance(value, NumberText) or (
            isinstance(value, (int, float)) and not isinstance(value, bool)
        ):
            kind = "Number"
        else:
            kind = "String"
        out[name] = {
            "stringValue": str(value),
            "stringListValues": [],
            "binaryListValues": [],
            # A custom label stays part of the type (LabelledText).
            "dataType": getattr(value, "data_type", kind),
        }
    return out


def md5_of_message_attributes(attrs: dict[str, Any]) -> str:
    """SQS's MD5 digest of message attributes (SQS developer guide, "Calculating the MD5
    message digest for message attributes"): for each attribute in name order, its name,
    data type and value, each as a 4-byte big-endian length and UTF-8 bytes, with the
    transport type byte 1 (string) before the value."""
    digest = hashlib.md5(usedforsecurity=False)
    for name, attr in sorted(message_attributes(attrs).items()):
        digest.update(_length_prefixed(name))
        digest.update(_length_prefixed(attr["dataType"]))
        digest.update(b"\x01")
        digest.update(_length_prefixed(attr["stringValue"]))
    return digest.hexdigest()


def _length_prefixed(text: str) -> bytes:
    data = text.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def sqs_record(
    msg: Message, queue: QueueSim, region: str, seen: AsReceived | None = None
) -> dict[str, Any]:
    """One record of an SQS -> Lambda event, keys in AWS's order: the Lambda developer
    guide's samples (with-sqs.md), whose FIFO record interleaves the FIFO attributes with
    the standard ones. `seen` is the receive the batch holds the message from (default: its
    latest)."""
    if seen is None:
        receipt, count, dlq_source_arn, dedup_id = (
            msg.receipt,
            msg.receive_count,
            msg.dlq_source_arn,
            msg.dedup_id,
        )
    else:
        receipt, count, dlq_source_arn, dedup_id = seen
    first_receive = str(msg.first_receive_at or msg.sent_at)
    receive_count = str(count)
    attributes: dict[str, str]
    if queue.fifo:
        attributes = {
            "ApproximateReceiveCount": receive_count,
            "SentTimestamp": str(msg.sent_at),
            "SequenceNumber": msg.seq_number or "",
            "MessageGroupId": msg.group or "",
            "SenderId": msg.sender_id,
            "MessageDeduplicationId": dedup_id or "",
            "ApproximateFirstReceiveTimestamp": first_receive,
        }
    elif msg.group is not None:
        # A fair queue's message (a standard queue's, sent with a group id): Lambda's poller
        # asks for every system attribute, so the group id comes too, in the place the FIFO
        # sample gives it, between SentTimestamp and SenderId.
        attributes = {
            "ApproximateReceiveCount": receive_count,
            "SentTimestamp": str(msg.sent_at),
            "MessageGroupId": msg.group,
            "SenderId": msg.sender_id,
            "ApproximateFirstReceiveTimestamp": first_receive,
        }
    else:
        attributes = {
            "ApproximateReceiveCount": receive_count,
            "SentTimestamp": str(msg.sent_at),
            "SenderId": msg.sender_id,
            "ApproximateFirstReceiveTimestamp": first_receive,
        }
    if dlq_source_arn is not None:
        attributes["DeadLetterQueueSourceArn"] = dlq_source_arn
    record = {
        "messageId": msg.id,
        "receiptHandle": receipt_handle(msg, receipt),
        "body": msg.body,
        "attributes": attributes,
        "messageAttributes": message_attributes(msg.attrs),
    }
    if msg.attrs:
        # Only a message with attributes has the digest, after them (events captured from
        # Lambda); the developer guide's samples, without attributes, have none.
        record["md5OfMessageAttributes"] = md5_of_message_attributes(msg.attrs)
    record["md5OfBody"] = md5_hex(msg.body)
    record["eventSource"] = "aws:sqs"
    record["eventSourceARN"] = queue.arn
    record["awsRegion"] = region
    return record


def sdk_message(msg: Message, queue: QueueSim, seen: AsReceived | None = None) -> dict[str, Any]:
    """One message of a ReceiveMessage response, as the AWS SDKs return it to code that
    polls the queue itself, asking for every attribute (`MessageSystemAttributeNames` and
    `MessageAttributeNames` `All`): the API reference's member names and order, system
    attributes in the order SQS answers them, and a user attribute as `DataType` and
    `StringValue` (no Lambda-style empty lists). `seen` is the receive the code holds the
    message from (default: its latest)."""
    if seen is None:
        seen = AsReceived.of(msg)
    attributes = {
        "SenderId": msg.sender_id,
        "ApproximateFirstReceiveTimestamp": str(msg.first_receive_at or msg.sent_at),
        "ApproximateReceiveCount": str(seen.receive_count),
        "SentTimestamp": str(msg.sent_at),
    }
    if queue.fifo:
        attributes["SequenceNumber"] = msg.seq_number or ""
        attributes["MessageDeduplicationId"] = seen.dedup_id or ""
    if msg.group is not None:
        attributes["MessageGroupId"] = msg.group
    if seen.dlq_source_arn is not None:
        attributes["DeadLetterQueueSourceArn"] = seen.dlq_source_arn
    out: dict[str, Any] = {
        "MessageId": msg.id,
        "ReceiptHandle": receipt_handle(msg, seen.receipt),
        "MD5OfBody": md5_hex(msg.body),
        "Body": msg.body,
        "Attributes": attributes,
    }
    if msg.attrs:
        out["MD5OfMessageAttributes"] = md5_of_message_attributes(msg.attrs)
        out["MessageAttributes"] = {
            name: {"StringValue": attr["stringValue"], "DataType": attr["dataType"]}
            for name, attr in message_attributes(msg.attrs).items()
        }
    return out


def sqs_event(msgs: list[Message], queue: QueueSim, region: str) -> dict[str, Any]:
    """The event a function receives from an SQS event source mapping."""
    return {"Records": [sqs_record(m, queue, region) for m in msgs]}


def lambda_error_response(
    python: bool,
    error_type: str,
    message: str,
    request_id: str,
    frames: Sequence[str] = (),
) -> dict[str, Any]:
    """The response of an invocation that raised, as the function's runtime writes it (the
    `responsePayload` of a destination record): Python's names the request and has a
    `stackTrace` (a Python handler's `frames`; a declared behaviour has none), Node.js's
    has a `trace` (empty: no JavaScript runs)."""
    if python:
        return {
            "errorMessage": message,
            "errorType": error_type,
            "requestId": request_id,
            "stackTrace": list(frames),
        }
    return {"errorType": error_type, "errorMessage": message, "trace": []}


# The JSON text of the Python runtime's error response, as awslambdaric's `to_json` writes it
# (lambda_runtime_marshaller.Encoder: simplejson's defaults, so ", " and ": " between items
# and non-ASCII characters escaped, except on python3.12, whose encoder keeps them). Lambda
# hands that text on unchanged: a direct Step Functions Lambda task's cause is it.
_PYTHON_RUNTIME_JSON = json.JSONEncoder().encode
_PYTHON312_RUNTIME_JSON = json.JSONEncoder(ensure_ascii=False).encode
_NODE_RUNTIME_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def lambda_error_text(response: dict[str, Any], runtime: str) -> str:
    """The JSON text of `response`, an error response of function runtime `runtime` (the
    one it runs on: logs.served_runtime), as it was written: by the Python runtime
    (a response with `stackTrace`), Python's spacing; by Node.js's runtime or by Lambda itself
    (a timeout, a response too large), compact, as JSON.stringify and AWS's services write."""
    if "stackTrace" not in response:
        return _NODE_RUNTIME_JSON(response)
    if runtime == "python3.12":
        return _PYTHON312_RUNTIME_JSON(response)
    return _PYTHON_RUNTIME_JSON(response)


def lambda_service_error_response(error_type: str, message: str) -> dict[str, Any]:
    """The response of an invocation that Lambda itself failed, not the runtime: a response
    too large to take (`Function.ResponseSizeTooLarge`, the body Invoke answers with:
    `{errorMessage, errorType}`, with no runtime's `requestId`, `stackTrace` or `trace`), or
    one stopped by recursive loop detection before any runtime ran."""
    return {"errorMessage": message, "errorType": error_type}


def lambda_timeout_response(request_id: str, message: str) -> dict[str, Any]:
    """The response of an invocation that timed out, `message` Lambda's words for it
    (outcome.timeout_message): Lambda writes it, not the runtime, as `Sandbox.Timedout` and
    a message naming the request, `RequestId: <id> Error: Task timed out after 3.00
    seconds`, its two keys in the order of Lambda's other own errors (docs/fidelity.md,
    "Timeouts"). Invoke answers it with FunctionError `Unhandled`; it is an asynchronous
    event's destination `responsePayload`, and a Step Functions task's cause."""
    return lambda_service_error_response(TIMEOUT_ERROR, f"RequestId: {request_id} Error: {message}")


def destination_record(
    *,
    timestamp: str,
    request_id: str,
    function_arn: str,
    condition: str,
    approximate_invoke_count: int,
    request_payload: Any,
    response_payload: Any,
    function_error: str | None,
) -> dict[str, Any]:
    """The invocation record Lambda sends to an onSuccess / onFailure destination."""
    response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if function_error is not None:
        response_context["functionError"] = function_error
    return {
        "version": "1.0",
        "timestamp": timestamp,
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": approximate_invoke_count,
        },
        "requestPayload": request_payload,
        "responseContext": response_context,
        "responsePayload": response_payload,
    }
