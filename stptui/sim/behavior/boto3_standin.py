"""The `boto3` (and `botocore`) a Python handler imports under stptui: a stand-in that carries
the SDK calls real Lambda code makes out through the running invocation's `context`.

Real handlers do not call `context.send`: they call `boto3.client("sqs").send_message(
QueueUrl=os.environ["STP_JOB_QUEUE_URL"], MessageBody=...)`. While a session's handler
modules are imported and while one of its handlers runs, `sys.modules` maps `boto3`,
`boto3.session`, `boto3.dynamodb`, `boto3.dynamodb.conditions`, `boto3.dynamodb.types`,
`botocore`, `botocore.exceptions` and `botocore.config` to the modules `modules()` makes, and
any real boto3 or botocore is hidden (`install`/`uninstall`, called by handler_modules); so
the same code runs whether or not the real SDK is installed, and never reaches AWS.

A client holds no invocation: each call acts for the invocation running when it is made
(`acting_for`, set around the handler's call by python_handlers), so that a client made at
import, as Lambda code makes it, serves every invocation. A call outside an invocation (at
import) raises `OutsideInvocationError`, which says so.

Each operation checks its parameters as botocore does (ParamValidationError, in botocore's
words), then calls the `context` method that does the same thing, and answers in boto3's
response shape: what the method returned (a dict keyed as boto3's response) is passed
through, and where it returned None only what stptui can fill truthfully is filled (SQS's
MD5 digests, Lambda's 202, S3's reads). A refusal is the `ClientError` the context raised,
re-raised as the class botocore models for that code (`client.exceptions.NoSuchKey`,
`ConditionalCheckFailedException`) where it models one. A parameter the real API takes but
stptui cannot carry out raises `BehaviorError` naming it; an operation or a service the
stand-in lacks raises an error listing those it has. docs/behaviors.md ("boto3 in
handlers") lists the operations; docs/fidelity.md the choices.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import io
import json
import math
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import ModuleType
from typing import TYPE_CHECKING, Any

from stptui.config.permissions import ClientError
from stptui.sim import ddbjson
from stptui.sim.behavior.errors import BehaviorError
from stptui.sim.behavior.handler_reads import (
    InvalidObjectState,
    NoSuchBucket,
    NoSuchKey,
    ResourceNotFoundException,
    _ddb_error,
)

if TYPE_CHECKING:
    from stptui.sim.behavior.python_handlers import HandlerContext

# Where a user reads what the stand-in has, named in its errors.
_SEE = '(docs/behaviors.md, "boto3 in handlers")'

# -- the invocation a call acts for -------------------------------------------------------

# The context of the invocation that is running (None: none is). A module-level value, not a
# thread-local: the simulation runs one handler at a time, and a thread the handler starts
# acts for the invocation too, as its SDK calls would in Lambda.
_CURRENT: HandlerContext | None = None


@contextmanager
def acting_for(ctx: HandlerContext) -> Iterator[None]:
    """Make `ctx` the invocation every stand-in client acts for while the block runs."""
    global _CURRENT
    before = _CURRENT
    _CURRENT = ctx
    try:
        yield
    finally:
        _CURRENT = before


# -- botocore.exceptions ---------------------------------------------------------------


class BotoCoreError(Exception):
    """botocore's base of the errors it raises itself (not AWS's answers)."""

    fmt = "An unspecified error occurred"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(self.fmt.format(**kwargs))
        self.kwargs = kwargs


class ParamValidationError(BotoCoreError):
    """Parameters botocore refuses before sending the request, in botocore's words."""

    fmt = "Parameter validation failed:\n{report}"


class UnknownServiceError(BotoCoreError):
    """A service name the stand-in has no client for (botocore: one it has no model of)."""

    fmt = "Unknown service: '{service_name}'. Valid service names are: {known_service_names}"


class OutsideInvocationError(BotoCoreError):
    """A stand-in client called while no handler runs (at import): it has no invocation to
    act for."""

    fmt = (
        "{service}.{operation} was called outside an invocation: stptui's boto3 stand-in acts "
        "for the handler invocation that is running, and none is (make clients at import, "
        "call them in the handler)"
    )


class NoRegionError(BotoCoreError):
    """botocore's class for a client without a region (kept for code that catches it)."""

    fmt = "You must specify a region."


# The errors botocore models, per service: class name -> the error code AWS answers with.
# A ClientError of such a code is raised as that class, as boto3's client raises it (an
# unhandled one is reported under its class's name).
_MODELLED: dict[str, dict[str, str]] = {
    "sqs": {
        "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
        "InvalidMessageContents": "InvalidMessageContents",
        "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
        "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
        "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
        "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
    },
    "sns": {
        "NotFoundException": "NotFound",
        "InvalidParameterException": "InvalidParameter",
        "InvalidParameterValueException": "ParameterValueInvalid",
        "AuthorizationErrorException": "AuthorizationError",
    },
    "events": {"ResourceNotFoundException": "ResourceNotFoundException"},
    "s3": {
        "NoSuchKey": "NoSuchKey",
        "NoSuchBucket": "NoSuchBucket",
        "InvalidObjectState": "InvalidObjectState",
    },
    "dynamodb": {
        "ConditionalCheckFailedException": "ConditionalCheckFailedException",
        "ResourceNotFoundException": "ResourceNotFoundException",
        "ProvisionedThroughputExceededException": "ProvisionedThroughputExceededException",
        "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceededException",
        "TransactionConflictException": "TransactionConflictException",
    },
    "lambda": {
        "ResourceNotFoundException": "ResourceNotFoundException",
        "InvalidRequestContentException": "InvalidRequestContentException",
        "RequestTooLargeException": "RequestTooLargeException",
        "TooManyRequestsException": "TooManyRequestsException",
        "InvalidParameterValueException": "InvalidParameterValueException",
    },
    "stepfunctions": {
        "ExecutionAlreadyExists": "ExecutionAlreadyExists",
        "InvalidExecutionInput": "InvalidExecutionInput",
        "InvalidName": "InvalidName",
        "InvalidArn": "InvalidArn",
        "StateMachineDoesNotExist": "StateMachineDoesNotExist",
        "InvalidToken": "InvalidToken",
        "InvalidOutput": "InvalidOutput",
        "TaskDoesNotExist": "TaskDoesNotExist",
        "TaskTimedOut": "TaskTimedOut",
    },
    "kinesis": {
        "ResourceNotFoundException": "ResourceNotFoundException",
        "InvalidArgumentException": "InvalidArgumentException",
        "ProvisionedThroughputExceededException": "ProvisionedThroughputExceededException",
    },
    "apigatewaymanagementapi": {
        "GoneException": "GoneException",
        "ForbiddenException": "ForbiddenException",
        "PayloadTooLargeException": "PayloadTooLargeException",
        "LimitExceededException": "LimitExceededException",
    },
}
# The classes handler_reads raises for S3's and DynamoDB's reads: the same ones here, so that
# `except s3.exceptions.NoSuchKey` catches what `context.get_object` raises.
_CLASSES: dict[str, type[ClientError]] = {
    "NoSuchKey": NoSuchKey,
    "NoSuchBucket": NoSuchBucket,
    "InvalidObjectState": InvalidObjectState,
    "ResourceNotFoundException": ResourceNotFoundException,
}


def _modelled_class(name: str) -> type[ClientError]:
    """The ClientError subclass botocore names `name` (one class per name, process-wide)."""
    found = _CLASSES.get(name)
    if found is None:
        found = _CLASSES[name] = type(name, (ClientError,), {"__module__": "botocore.errorfactory"})
    return found


class _Exceptions:
    """A client's `exceptions`: `ClientError` and the service's modelled error classes."""

    def __init__(self, service: str) -> None:
        self._service = service
        self.ClientError = ClientError

    def __getattr__(self, name: str) -> type[ClientError]:
        if name in _MODELLED[self._service]:
            return _modelled_class(name)
        known = ", ".join(["ClientError", *_MODELLED[self._service]])
        raise AttributeError(
            f"{self._service} client's exceptions have no {name!r} in stptui's boto3 stand-in: "
            f"it has {known} (catch ClientError and read response['Error']['Code'] for others)"
        )


def _as_modelled(service: str, exc: ClientError) -> ClientError:
    """`exc` as the class botocore raises for its code, when the service models one."""
    code = exc.response.get("Error", {}).get("Code")
    for name, modelled in _MODELLED[service].items():
        if modelled == code:
            cls = _modelled_class(name)
            if isinstance(exc, cls):
                return exc
            return cls(exc.response, exc.operation_name)
    return exc


# -- parameters, checked as botocore checks them --------------------------------------------


@dataclass(frozen=True, slots=True)
class P:
    """One parameter of an operation's input: its botocore type, whether it is required,
    and for a structure or a list of structures the members."""

    kind: str  # string, integer, boolean, blob, list, map, structure, any
    required: bool = False
    members: dict[str, P] = field(default_factory=dict)
    min_items: int = 0


_VALID: dict[str, tuple[tuple[type, ...], str]] = {
    "string": ((str,), "<class 'str'>"),
    "integer": ((int,), "<class 'int'>"),
    "boolean": ((bool,), "<class 'bool'>"),
    "blob": ((bytes, bytearray, str), "<class 'bytes'>, <class 'bytearray'>, file-like object"),
    "list": ((list, tuple), "<class 'list'>, <class 'tuple'>"),
    "map": ((dict,), "<class 'dict'>"),
    "structure": ((dict,), "<class 'dict'>"),
}


def _validate(params: dict[str, Any], members: dict[str, P], where: str, report: list[str]) -> None:
    for name, spec in members.items():
        if spec.required and name not in params:
            report.append(f'Missing required parameter in {where}: "{name}"')
    for name, value in params.items():
        spec = members.get(name)
        if spec is None:
            report.append(
                f'Unknown parameter in {where}: "{name}", must be one of: {", ".join(members)}'
            )
            continue
        path = name if where == "input" else f"{where}.{name}"
        _validate_value(value, spec, path, report)


def _validate_value(value: Any, spec: P, path: str, report: list[str]) -> None:
    if spec.kind == "any":
        return
    types, shown = _VALID[spec.kind]
    ok = isinstance(value, types) and not (spec.kind == "integer" and isinstance(value, bool))
    if spec.kind == "blob" and hasattr(value, "read"):
        ok = True
    if not ok:
        report.append(
            f"Invalid type for parameter {path}, value: {value!r}, type: {type(value)}, "
            f"valid types: {shown}"
        )
        return
    if spec.kind == "list":
        if len(value) < spec.min_items:
            report.append(
                f"Invalid length for parameter {path}, value: {len(value)}, "
                f"valid min length: {spec.min_items}"
            )
        if spec.members:
            item = P("structure", members=spec.members)
            for i, entry in enumerate(value):
                _validate_value(entry, item, f"{path}[{i}]", report)
    elif spec.kind == "structure" and spec.members:
        _validate(value, spec.members, path, report)


def _check_params(params: dict[str, Any], members: dict[str, P]) -> None:
    report: list[str] = []
    _validate(params, members, "input", report)
    if report:
        raise ParamValidationError(report="\n".join(report))


def _aws_error(error_code: str, message: str, operation: str) -> ClientError:
    """AWS's refusal `error_code` of `operation`, as botocore raises it."""
    return ClientError({"Error": {"Code": error_code, "Message": message}}, operation)


def _refuse(call: str, what: str, hint: str | None = None) -> BehaviorError:
    """A parameter or value the real API takes that stptui cannot carry out."""
    return BehaviorError(f"{call}: stptui's boto3 stand-in {what}", hint)


def _blob(value: Any, call: str, name: str) -> bytes:
    """A blob parameter (bytes, bytearray, text or a file-like object) as bytes."""
    if hasattr(value, "read"):
        value = value.read()
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise _refuse(call, f"read {name} as {type(value).__name__}, not bytes")


def _text_of(data: bytes, call: str, name: str) -> str:
    """A blob the simulated service keeps as text: its UTF-8 decoding."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(
            call, f"keeps {name} as UTF-8 text, and these bytes are not UTF-8", None
        ) from None


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


# -- SQS ---------------------------------------------------------------------------------

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
        raise _aws_error(
            bad,
            f"Can't cast the value of message (user) attribute '{name}' to a number.",
            call,
        ) from None
    return _plain_number(number, f"{call}: attribute {name}")


def _plain_number(number: Decimal, where: str) -> int | float:
    """A number as the context takes it (int, or a float that holds it exactly)."""
    if not number.is_finite():
        raise BehaviorError(f"{where}: {number} is not a number DynamoDB or JSON holds")
    if number == number.to_integral_value():
        return int(number)
    value = float(number)
    if not math.isfinite(value) or Decimal(repr(value)) != number:
        raise _refuse(
            where,
            f"passes numbers to the simulation as Python floats, which cannot hold {number} "
            "exactly",
            "use at most 15 significant digits",
        )
    return value


def _sqs_attributes(
    attrs: dict[str, Any] | None, call: str, *, sns: bool = False
) -> dict[str, Any] | None:
    """MessageAttributes ({name: {DataType, StringValue | BinaryValue}}) as the context's
    `attributes` ({name: text | number | list | bytes})."""
    if attrs is None:
        return None
    out: dict[str, Any] = {}
    for name, attr in attrs.items():
        report: list[str] = []
        _validate_value(
            attr, P("structure", members=_MESSAGE_ATTRIBUTE), f"MessageAttributes.{name}", report
        )
        if report:
            raise ParamValidationError(report="\n".join(report))
        kind = attr["DataType"]
        base = kind.split(".", 1)[0]
        # The code each service answers a bad attribute value with.
        bad = "ParameterValueInvalid" if sns else "InvalidParameterValue"
        if kind == "String":
            out[name] = _required_value(attr, "StringValue", name, call, bad)
        elif kind == "String.Array" and sns:
            text = _required_value(attr, "StringValue", name, call, bad)
            try:
                out[name] = json.loads(text)
            except ValueError:
                raise _aws_error(
                    bad,
                    f"The message attribute '{name}' has an invalid value "
                    "for message attribute type 'String.Array'",
                    "Publish",
                ) from None
        elif kind == "Number":
            out[name] = _number_text(
                _required_value(attr, "StringValue", name, call, bad), call, name, bad
            )
        elif kind == "Binary" and sns:
            out[name] = _blob(_required_value(attr, "BinaryValue", name, call, bad), call, name)
        elif base in ("String", "Number", "Binary"):
            more = ", String.Array and Binary" if sns else ""
            raise _refuse(
                call,
                f"takes the attribute types String, Number{more} only, not {kind!r} "
                f"(attribute {name})",
            )
        else:
            raise _aws_error(
                bad,
                f"The type of message (user) attribute '{name}' is invalid. "
                "You must use only the following supported type prefixes: Binary, "
                "Number, String.",
                call,
            )
    return out


def _required_value(attr: dict[str, Any], key: str, name: str, call: str, bad: str) -> Any:
    if attr.get(key) is None:
        raise _aws_error(
            bad,
            f"The message attribute '{name}' must contain non-empty message "
            f"attribute value for message attribute type '{attr['DataType']}'.",
            call,
        )
    return attr[key]


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


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
            part(_blob(attr["BinaryValue"], "SendMessage", name))
    return _md5(bytes(out))


def _send(ctx: HandlerContext, queue: str, entry: dict[str, Any], call: str) -> dict[str, Any]:
    """One SendMessage through `context.send`; the response boto3 gives for it."""
    attrs = entry.get("MessageAttributes")
    result = ctx.send(
        queue,
        entry["MessageBody"],
        delay=entry.get("DelaySeconds"),
        group=entry.get("MessageGroupId"),
        dedup_id=entry.get("MessageDeduplicationId"),
        attributes=_sqs_attributes(attrs, call),
    )
    filled = {"MD5OfMessageBody": _md5(entry["MessageBody"].encode("utf-8"))}
    if attrs:
        filled["MD5OfMessageAttributes"] = _attributes_md5(attrs)
    return _answer(result, filled)


def _sqs_send_message(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    return _send(ctx, p["QueueUrl"], p, "SendMessage")


_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
MAX_BATCH = 10


def _sqs_send_message_batch(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    entries = p["Entries"]
    op = "SendMessageBatch"
    if len(entries) > MAX_BATCH:
        raise _aws_error(
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_BATCH}. You have sent {len(entries)}.",
            op,
        )
    seen: set[str] = set()
    for entry in entries:
        if not _BATCH_ID.fullmatch(entry["Id"]):
            raise _aws_error(
                "AWS.SimpleQueueService.InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and "
                "underscores. It can be at most 80 letters long.",
                op,
            )
        if entry["Id"] in seen:
            raise _aws_error(
                "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", f"Id {entry['Id']} repeated.", op
            )
        seen.add(entry["Id"])
    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            answer = _send(ctx, p["QueueUrl"], entry, op)
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code.startswith("AccessDenied"):
                raise  # the role's refusal is the request's, not an entry's
            failed.append(
                {
                    "Id": entry["Id"],
                    "SenderFault": True,
                    "Code": code,
                    "Message": exc.response["Error"]["Message"],
                }
            )
            continue
        answer.pop("ResponseMetadata")
        successful.append({"Id": entry["Id"], **answer})
    out: dict[str, Any] = {"Successful": successful}
    if failed:
        out["Failed"] = failed
    return _answer(None, out)


def _sqs_get_queue_url(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    behaviors = ctx._behaviors
    name = p["QueueName"]
    try:
        queue = behaviors._check_target("send", name)
    except BehaviorError:
        queue = None
    forms = behaviors.target_forms.of_type("sqs-queue")
    if queue is None or name.startswith("https://") or name.startswith("arn:"):
        raise _as_modelled(
            "sqs",
            _aws_error(
                "AWS.SimpleQueueService.NonExistentQueue",
                "The specified queue does not exist.",
                "GetQueueUrl",
            ),
        )
    url = next(v for v, n in forms.items() if n == queue and v.startswith("https://"))
    return _answer(None, {"QueueUrl": url})


# -- SNS ---------------------------------------------------------------------------------


def _sns_publish(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    call = "Publish"
    if "PhoneNumber" in p or ("TargetArn" in p and "TopicArn" not in p):
        raise _refuse(call, "publishes to topics only (TopicArn), not to a phone or an endpoint")
    if "TopicArn" not in p:
        raise _aws_error(
            "InvalidParameter",
            "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
            call,
        )
    if p.get("MessageStructure") is not None:
        raise _refuse(call, "does not take MessageStructure (a message per protocol)")
    result = ctx.notify(
        p["TopicArn"],
        p["Message"],
        subject=p.get("Subject"),
        attributes=_sqs_attributes(p.get("MessageAttributes"), call, sns=True),
        group=p.get("MessageGroupId"),
        dedup_id=p.get("MessageDeduplicationId"),
    )
    return _answer(result, {})


# -- EventBridge -------------------------------------------------------------------------

MAX_PUT_EVENTS = 10


def _events_put_events(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    entries = p["Entries"]
    if len(entries) > MAX_PUT_EVENTS:
        raise _aws_error(
            "ValidationException",
            "1 validation error detected: Value at 'entries' failed to "
            "satisfy constraint: Member must have length less than or equal to 10",
            "PutEvents",
        )
    if "EndpointId" in p:
        raise _refuse("PutEvents", "does not take EndpointId (global endpoints)")
    out: list[dict[str, Any]] = []
    for entry in entries:
        for name in ("Resources", "Time", "TraceHeader"):
            if name in entry:
                raise _refuse("PutEvents", f"does not take an entry's {name}")
        missing = next((n for n in ("Source", "DetailType", "Detail") if not entry.get(n)), None)
        if missing is not None:
            out.append(
                {
                    "ErrorCode": "InvalidArgument",
                    "ErrorMessage": f"Parameter {missing} is not valid. Reason: {missing} is a "
                    "required argument.",
                }
            )
            continue
        try:
            detail = json.loads(entry["Detail"])
        except ValueError:
            detail = None
        if not isinstance(detail, dict):
            out.append({"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."})
            continue
        result = ctx.publish(
            entry.get("EventBusName") or "default", entry["Source"], entry["DetailType"], detail
        )
        got: dict[str, Any] = {}
        if isinstance(result, dict):
            # The context may answer as PutEvents (Entries) or with the one entry.
            inner = result.get("Entries")
            got = inner[0] if isinstance(inner, list) and inner else result
        out.append({k: v for k, v in got.items() if k in ("EventId", "ErrorCode", "ErrorMessage")})
    failed = sum(1 for e in out if "ErrorCode" in e)
    return _answer(None, {"FailedEntryCount": failed, "Entries": out})


# -- S3 ----------------------------------------------------------------------------------

# PutObject's parameters stptui takes and does not carry out: headers a later HeadObject would
# show (docs/fidelity.md).
_PUT_IGNORED = ("ContentType", "Metadata", "CacheControl", "ContentEncoding", "ContentDisposition")


def _s3_put_object(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    body = _blob(p["Body"], "PutObject", "Body") if "Body" in p else b""
    result = ctx.put_object(p["Bucket"], p["Key"], _text_of(body, "PutObject", "Body"))
    # S3's ETag of a single-part upload without SSE-KMS is the body's MD5.
    return _answer(result, {"ETag": f'"{_md5(body)}"'})


def _s3_get_object(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    data = ctx.get_object(p["Bucket"], p["Key"], p.get("VersionId"))
    head = ctx.head_object(p["Bucket"], p["Key"], p.get("VersionId"))
    return _answer(None, {**head, "Body": StreamingBody(data)})


def _s3_head_object(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    return _answer(ctx.head_object(p["Bucket"], p["Key"], p.get("VersionId")), {})


def _token(key: str) -> str:
    """A continuation token: opaque to the handler, the last key listed to stptui."""
    return base64.urlsafe_b64encode(key.encode("utf-8", "surrogatepass")).decode("ascii")


def _s3_list_objects_v2(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    for name in ("Delimiter", "EncodingType", "FetchOwner"):
        if p.get(name):
            raise _refuse("ListObjectsV2", f"does not take {name}")
    after = p.get("StartAfter")
    token = p.get("ContinuationToken")
    if token is not None:
        try:
            after = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8", "surrogatepass")
        except (ValueError, UnicodeError):
            raise _aws_error(
                "InvalidArgument", "The continuation token provided is incorrect", "ListObjectsV2"
            ) from None
    out = ctx.list_objects(p["Bucket"], p.get("Prefix", ""), p.get("MaxKeys", 1000), after)
    out = dict(out)
    out.pop("StartAfter", None)
    if "StartAfter" in p:
        out["StartAfter"] = p["StartAfter"]
    if token is not None:
        out["ContinuationToken"] = token
    if out.get("IsTruncated") and out.get("Contents"):
        out["NextContinuationToken"] = _token(out["Contents"][-1]["Key"])
    return _answer(out, {})


# -- DynamoDB ----------------------------------------------------------------------------


def _ddb_in(value: Any, where: str) -> Any:
    """An attribute value in DynamoDB JSON as the context's plain JSON."""
    try:
        checked = ddbjson.check_value(value, where)
    except ddbjson.DynamoDBError as exc:
        raise _ddb_error(exc, "") from None  # _call names the operation
    ((kind, inner),) = checked.items()
    if kind in ("SS", "NS", "BS", "B"):
        raise _refuse(
            where,
            f"writes items as plain JSON: a {kind} (set or binary) value has no plain form",
        )
    if kind == "N":
        return _plain_number(Decimal(inner), where)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: _ddb_in(v, f"{where}.{k}") for k, v in value["M"].items()}
    if kind == "L":
        return [_ddb_in(v, f"{where}[{i}]") for i, v in enumerate(value["L"])]
    return inner


def _ddb_item_in(item: dict[str, Any], where: str) -> dict[str, Any]:
    return {k: _ddb_in(v, f"{where}.{k}") for k, v in item.items()}


def _ddb_out(item: dict[str, Any]) -> dict[str, Any]:
    return ddbjson.from_plain_item(item)


@dataclass(frozen=True, slots=True)
class _Codec:
    """How a client's DynamoDB values go to and come from the context: DynamoDB JSON
    (the low-level client) or plain Python values with Decimal numbers (the resource)."""

    item_in: Callable[[dict[str, Any], str], dict[str, Any]]
    item_out: Callable[[dict[str, Any]], dict[str, Any]]


def _condition_args(
    ctx_method: Callable[..., Any], p: dict[str, Any], codec: _Codec, call: str
) -> dict[str, Any]:
    """ConditionExpression and its placeholders as the context method's keywords; refused
    where the method takes no condition."""
    texts, names, values = _expressions(p, ("ConditionExpression",), codec)
    condition = texts["ConditionExpression"]
    if condition is None and names is None and values is None:
        return {}
    takes = inspect.signature(ctx_method).parameters
    if "condition" not in takes:
        raise _refuse(call, "cannot pass a ConditionExpression: the context's method takes none")
    out: dict[str, Any] = {"condition": condition}
    if names is not None:
        out["names"] = names
    if values is not None:
        out["values"] = values
    return out


def _expressions(
    p: dict[str, Any], keys: tuple[str, ...], codec: _Codec
) -> tuple[dict[str, str | None], dict[str, str] | None, dict[str, Any] | None]:
    """The expression parameters `keys` (text, or boto3.dynamodb.conditions objects, written
    out with one set of placeholders) and the ExpressionAttributeNames/Values they need,
    merged with those given."""
    names = p.get("ExpressionAttributeNames")
    values = p.get("ExpressionAttributeValues")
    plain_values = None if values is None else codec.item_in(values, "ExpressionAttributeValues")
    builder = _Builder()
    texts: dict[str, str | None] = {}
    for key in keys:
        expression = p.get(key)
        if isinstance(expression, ConditionBase):
            expression = builder.build(expression, is_key=key == "KeyConditionExpression")
        elif expression is not None and not isinstance(expression, str):
            raise ParamValidationError(
                report=f"Invalid type for parameter {key}, value: {expression!r}, type: "
                f"{type(expression)}, valid types: <class 'str'>"
            )
        texts[key] = expression
    if builder.names:
        names = {**(names or {}), **builder.names}
    if builder.values:
        plain_values = {**(plain_values or {}), **builder.values}
    return texts, names, plain_values


def _return_values(p: dict[str, Any], call: str) -> None:
    if p.get("ReturnValues", "NONE") != "NONE":
        raise _refuse(call, "takes ReturnValues NONE only: the context's writes return no item")


def _ddb_put_item(codec: _Codec) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        _return_values(p, "PutItem")
        extra = _condition_args(ctx.put_item, p, codec, "PutItem")
        result = ctx.put_item(client._target_table(p), codec.item_in(p["Item"], "Item"), **extra)
        return _answer(result, {})

    return run


def _ddb_delete_item(codec: _Codec) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        _return_values(p, "DeleteItem")
        extra = _condition_args(ctx.delete_item, p, codec, "DeleteItem")
        result = ctx.delete_item(client._target_table(p), codec.item_in(p["Key"], "Key"), **extra)
        return _answer(result, {})

    return run


def _ddb_update_item(codec: _Codec) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        _return_values(p, "UpdateItem")
        if "UpdateExpression" not in p:
            raise _refuse("UpdateItem", "needs an UpdateExpression (AttributeUpdates is legacy)")
        texts, names, values = _expressions(p, ("ConditionExpression",), codec)
        result = ctx.update_item(
            client._target_table(p),
            codec.item_in(p["Key"], "Key"),
            p["UpdateExpression"],
            names=names,
            values=values,
            condition=texts["ConditionExpression"],
        )
        return _answer(result, {})

    return run


def _ddb_get_item(codec: _Codec) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        if p.get("ProjectionExpression") or p.get("AttributesToGet"):
            raise _refuse("GetItem", "reads whole items: ProjectionExpression is not taken")
        item = ctx.get_item(client._target_table(p), codec.item_in(p["Key"], "Key"))
        return _answer(None, {} if item is None else {"Item": codec.item_out(item)})

    return run


def _ddb_read(codec: _Codec, operation: str) -> Callable[..., dict[str, Any]]:
    def run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
        for name in ("ProjectionExpression", "Select", "Segment", "TotalSegments"):
            if p.get(name) is not None and not (name == "Select" and p[name] == "ALL_ATTRIBUTES"):
                raise _refuse(operation, f"does not take {name}")
        keys = ("KeyConditionExpression", "FilterExpression")
        texts, names, values = _expressions(p, keys if operation == "Query" else keys[1:], codec)
        filter_ = texts["FilterExpression"]
        start = p.get("ExclusiveStartKey")
        start_key = None if start is None else codec.item_in(start, "ExclusiveStartKey")
        table = client._target_table(p)
        if operation == "Query":
            key = texts["KeyConditionExpression"]
            if key is None:
                raise _refuse(operation, "needs a KeyConditionExpression (KeyConditions is legacy)")
            out = ctx.query(
                table,
                key,
                values=values,
                names=names,
                index=p.get("IndexName"),
                limit=p.get("Limit"),
                forward=p.get("ScanIndexForward", True),
                filter=filter_,
                start_key=start_key,
            )
        else:
            if p.get("IndexName") is not None:
                raise _refuse(operation, "scans tables, not their indexes (IndexName)")
            out = ctx.scan(
                table,
                filter=filter_,
                values=values,
                names=names,
                limit=p.get("Limit"),
                start_key=start_key,
            )
        answer: dict[str, Any] = {
            "Items": [codec.item_out(i) for i in out["Items"]],
            "Count": out["Count"],
            "ScannedCount": out["ScannedCount"],
        }
        if "LastEvaluatedKey" in out:
            answer["LastEvaluatedKey"] = codec.item_out(out["LastEvaluatedKey"])
        return _answer(None, answer)

    return run


# -- Lambda, Step Functions, Kinesis, API Gateway ------------------------------------------


def _lambda_invoke(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    kind = p.get("InvocationType", "RequestResponse")
    if kind != "Event":
        raise _refuse(
            "Invoke",
            f"invokes asynchronously only (InvocationType='Event'), not {kind!r}: stptui "
            "cannot run another function inside a handler's call",
            "pass InvocationType='Event'; for an answer, have the function reply through a "
            "queue or a table",
        )
    if p.get("Qualifier", "$LATEST") != "$LATEST":
        raise _refuse("Invoke", "invokes $LATEST only (the stack has no versions or aliases)")
    if p.get("ClientContext") is not None:
        raise _refuse("Invoke", "does not take ClientContext")
    raw = _blob(p["Payload"], "Invoke", "Payload") if "Payload" in p else b"{}"
    try:
        payload = json.loads(raw or b"{}")
    except ValueError as exc:
        raise _as_modelled(
            "lambda",
            _aws_error(
                "InvalidRequestContentException",
                f"Could not parse request body into json: {exc}",
                "Invoke",
            ),
        ) from None
    result = ctx.invoke(p["FunctionName"], payload)
    # An asynchronous invoke's answer: 202 Accepted and an empty payload.
    return _answer(result, {"StatusCode": 202, "Payload": StreamingBody(b"")}, 202)


def _sfn_start_execution(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    if p.get("traceHeader") is not None:
        raise _refuse("StartExecution", "does not take traceHeader")
    result = ctx.start_execution(p["stateMachineArn"], p.get("input"), name=p.get("name"))
    return _answer(result, {})


def _token_machine(ctx: HandlerContext, token: str) -> str:
    """The state machine whose task `token` is: a worker's SendTask* names only the token."""
    sim = ctx._sim
    tokens = None if sim is None else sim.services.get("task_tokens")
    task = None if tokens is None else tokens.tasks.get(token)
    if task is not None:
        return str(task.machine.name)
    machines = [n for n, r in ctx._behaviors.stack.resources.items() if r.type == "state-machine"]
    if not machines:
        raise _as_modelled(
            "stepfunctions",
            _aws_error("TaskDoesNotExist", "Task Does Not Exist", "SendTaskSuccess"),
        )
    # A token no task was given: the first state machine answers, with Step Functions'
    # refusal of it (InvalidToken or TaskDoesNotExist).
    return machines[0]


def _sfn_send_task_success(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    token = p["taskToken"]
    result = ctx.send_task_success(_token_machine(ctx, token), token, p["output"])
    return _answer(result, {})


def _sfn_send_task_failure(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    token = p["taskToken"]
    result = ctx.send_task_failure(
        _token_machine(ctx, token), token, error=p.get("error"), cause=p.get("cause")
    )
    return _answer(result, {})


def _sfn_send_task_heartbeat(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    token = p["taskToken"]
    return _answer(ctx.send_task_heartbeat(_token_machine(ctx, token), token), {})


def _kinesis_put_record(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    stream = p.get("StreamName") or p.get("StreamARN")
    if stream is None:
        raise _aws_error(
            "ValidationException", "Either StreamName or StreamARN should be provided.", "PutRecord"
        )
    for name in ("ExplicitHashKey", "SequenceNumberForOrdering"):
        if p.get(name) is not None:
            raise _refuse("PutRecord", f"does not take {name}")
    data = _text_of(_blob(p["Data"], "PutRecord", "Data"), "PutRecord", "Data")
    result = ctx.put_record(stream, data, partition_key=p["PartitionKey"])
    return _answer(result, {})


def _post_to_connection(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    data = _text_of(_blob(p["Data"], "PostToConnection", "Data"), "PostToConnection", "Data")
    result = ctx.post_to_connection(p["ConnectionId"], data, gateway=client.endpoint_url)
    return _answer(result, {})


# -- the services' operations ----------------------------------------------------------------

Run = Callable[["HandlerContext", dict[str, Any], "Client"], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation a stand-in client has: AWS's name, its input and what carries it out."""

    name: str
    members: dict[str, P]
    run: Run


_LOW = _Codec(_ddb_item_in, _ddb_out)
_EXPRESSION_NAMES = {"ExpressionAttributeNames": P("map"), "ExpressionAttributeValues": P("map")}
_CONDITIONAL = {
    "ConditionExpression": P("any"),
    **_EXPRESSION_NAMES,
    "ReturnValues": P("string"),
    "ReturnConsumedCapacity": P("string"),
    "ReturnItemCollectionMetrics": P("string"),
    "ReturnValuesOnConditionCheckFailure": P("string"),
}
_READ = {
    "IndexName": P("string"),
    "Limit": P("integer"),
    "ConsistentRead": P("boolean"),
    "ExclusiveStartKey": P("map"),
    "FilterExpression": P("any"),
    "ProjectionExpression": P("string"),
    "Select": P("string"),
    **_EXPRESSION_NAMES,
    "ReturnConsumedCapacity": P("string"),
}


def _dynamodb_ops(codec: _Codec, table: bool) -> dict[str, Operation]:
    """DynamoDB's operations: the low-level client's (TableName required) or a resource
    Table's (its own name)."""
    name = {} if table else {"TableName": P("string", True)}
    return {
        "put_item": Operation(
            "PutItem", {**name, "Item": P("map", True), **_CONDITIONAL}, _ddb_put_item(codec)
        ),
        "get_item": Operation(
            "GetItem",
            {
                **name,
                "Key": P("map", True),
                "ConsistentRead": P("boolean"),
                "ProjectionExpression": P("string"),
                "ExpressionAttributeNames": P("map"),
                "ReturnConsumedCapacity": P("string"),
            },
            _ddb_get_item(codec),
        ),
        "update_item": Operation(
            "UpdateItem",
            {**name, "Key": P("map", True), "UpdateExpression": P("string"), **_CONDITIONAL},
            _ddb_update_item(codec),
        ),
        "delete_item": Operation(
            "DeleteItem", {**name, "Key": P("map", True), **_CONDITIONAL}, _ddb_delete_item(codec)
        ),
        "query": Operation(
            "Query",
            {
                **name,
                "KeyConditionExpression": P("any"),
                "ScanIndexForward": P("boolean"),
                **_READ,
            },
            _ddb_read(codec, "Query"),
        ),
        "scan": Operation(
            "Scan",
            {**name, "Segment": P("integer"), "TotalSegments": P("integer"), **_READ},
            _ddb_read(codec, "Scan"),
        ),
    }


_ENTRY = {"Id": P("string", True), **_SEND_MEMBERS}
_EVENT_ENTRY = {
    "Source": P("string"),
    "DetailType": P("string"),
    "Detail": P("string"),
    "EventBusName": P("string"),
    "Resources": P("list"),
    "Time": P("any"),
    "TraceHeader": P("string"),
}

SERVICES: dict[str, dict[str, Operation]] = {
    "sqs": {
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
        "get_queue_url": Operation(
            "GetQueueUrl",
            {"QueueName": P("string", True), "QueueOwnerAWSAccountId": P("string")},
            _sqs_get_queue_url,
        ),
    },
    "sns": {
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
    },
    "events": {
        "put_events": Operation(
            "PutEvents",
            {"Entries": P("list", True, _EVENT_ENTRY, min_items=1), "EndpointId": P("string")},
            _events_put_events,
        ),
    },
    "s3": {
        "put_object": Operation(
            "PutObject",
            {
                "Bucket": P("string", True),
                "Key": P("string", True),
                "Body": P("blob"),
                **{n: P("map" if n == "Metadata" else "string") for n in _PUT_IGNORED},
            },
            _s3_put_object,
        ),
        "get_object": Operation(
            "GetObject",
            {"Bucket": P("string", True), "Key": P("string", True), "VersionId": P("string")},
            _s3_get_object,
        ),
        "head_object": Operation(
            "HeadObject",
            {"Bucket": P("string", True), "Key": P("string", True), "VersionId": P("string")},
            _s3_head_object,
        ),
        "list_objects_v2": Operation(
            "ListObjectsV2",
            {
                "Bucket": P("string", True),
                "Prefix": P("string"),
                "MaxKeys": P("integer"),
                "StartAfter": P("string"),
                "ContinuationToken": P("string"),
                "Delimiter": P("string"),
                "EncodingType": P("string"),
                "FetchOwner": P("boolean"),
            },
            _s3_list_objects_v2,
        ),
    },
    "dynamodb": _dynamodb_ops(_LOW, table=False),
    "lambda": {
        "invoke": Operation(
            "Invoke",
            {
                "FunctionName": P("string", True),
                "InvocationType": P("string"),
                "LogType": P("string"),
                "ClientContext": P("string"),
                "Payload": P("blob"),
                "Qualifier": P("string"),
            },
            _lambda_invoke,
        ),
    },
    "stepfunctions": {
        "start_execution": Operation(
            "StartExecution",
            {
                "stateMachineArn": P("string", True),
                "name": P("string"),
                "input": P("string"),
                "traceHeader": P("string"),
            },
            _sfn_start_execution,
        ),
        "send_task_success": Operation(
            "SendTaskSuccess",
            {"taskToken": P("string", True), "output": P("string", True)},
            _sfn_send_task_success,
        ),
        "send_task_failure": Operation(
            "SendTaskFailure",
            {"taskToken": P("string", True), "error": P("string"), "cause": P("string")},
            _sfn_send_task_failure,
        ),
        "send_task_heartbeat": Operation(
            "SendTaskHeartbeat", {"taskToken": P("string", True)}, _sfn_send_task_heartbeat
        ),
    },
    "kinesis": {
        "put_record": Operation(
            "PutRecord",
            {
                "StreamName": P("string"),
                "StreamARN": P("string"),
                "Data": P("blob", True),
                "PartitionKey": P("string", True),
                "ExplicitHashKey": P("string"),
                "SequenceNumberForOrdering": P("string"),
            },
            _kinesis_put_record,
        ),
    },
    "apigatewaymanagementapi": {
        "post_to_connection": Operation(
            "PostToConnection",
            {"ConnectionId": P("string", True), "Data": P("blob", True)},
            _post_to_connection,
        ),
    },
}
_TABLE_OPS = _dynamodb_ops(_Codec(lambda i, w: _plain_item_in(i, w), lambda i: _decimals(i)), True)


def _call(service: str, name: str, op: Operation, client: Client, params: dict[str, Any]) -> Any:
    """Check `params`, then carry the operation out for the running invocation."""
    _check_params(params, op.members)
    ctx = _CURRENT
    if ctx is None:
        raise OutsideInvocationError(service=service, operation=name)
    try:
        return op.run(ctx, params, client)
    except ClientError as exc:
        named = exc if exc.operation_name else ClientError(exc.response, op.name)
        modelled = _as_modelled(service, named)
        if modelled is exc:
            raise
        raise modelled from None


class _Meta:
    """A client's `meta`: its region and endpoint, as boto3's has them."""

    def __init__(self, service: str, region_name: str, endpoint_url: str | None) -> None:
        self.service_name = service
        self.region_name = region_name
        self.endpoint_url = endpoint_url


class Client:
    """A stand-in boto3 client of one service: its operations act for the running invocation."""

    def __init__(self, service: str, region_name: str | None, endpoint_url: str | None) -> None:
        self._service = service
        self.endpoint_url = endpoint_url
        self.exceptions = _Exceptions(service)
        self.meta = _Meta(service, region_name or "us-east-1", endpoint_url)

    def _target_table(self, params: dict[str, Any]) -> str:
        """The table an operation names (a low-level client's TableName)."""
        return str(params["TableName"])

    def __getattr__(self, name: str) -> Callable[..., Any]:
        ops = SERVICES[self._service]
        op = ops.get(name)
        if op is None or name.startswith("_"):
            raise AttributeError(
                f"stptui's boto3 stand-in has no {self._service} operation {name!r}: its "
                f"{self._service} client has {', '.join(ops)} {_SEE}"
            )
        return _method(self._service, name, op, self)

    def __repr__(self) -> str:
        return f"<stptui boto3 stand-in {self._service} client>"


def _method(service: str, name: str, op: Operation, target: Any) -> Callable[..., Any]:
    def method(*args: Any, **kwargs: Any) -> Any:
        if args:
            raise TypeError(f"{name}() only accepts keyword arguments.")
        return _call(service, name, op, target, kwargs)

    method.__name__ = name
    return method


# -- boto3.resource("dynamodb") --------------------------------------------------------------


def _plain_in(value: Any, where: str) -> Any:
    """A value as boto3's resource takes it (Decimal numbers) as the context's plain JSON."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        # boto3's TypeSerializer refuses floats, with these words.
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    if isinstance(value, Decimal):
        return _plain_number(value, where)
    if isinstance(value, (list, tuple)):
        return [_plain_in(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {str(k): _plain_in(v, f"{where}.{k}") for k, v in value.items()}
    raise _refuse(
        where,
        f"writes items as plain JSON: a {type(value).__name__} (a set or binary value) has no "
        "plain form",
    )


def _plain_item_in(item: dict[str, Any], where: str) -> dict[str, Any]:
    return {str(k): _plain_in(v, f"{where}.{k}") for k, v in item.items()}


def _decimals(value: Any) -> Any:
    """A plain JSON value as boto3's resource reads it: numbers as Decimal."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    return value


class Table:
    """`boto3.resource("dynamodb").Table(name)`: DynamoDB's item operations on one table,
    taking and giving plain Python values (numbers as Decimal)."""

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"Table name must be a string, not {type(name).__name__}")
        self.name = self.table_name = name

    def _target_table(self, params: dict[str, Any]) -> str:
        """The table every operation of this resource names."""
        return self.name

    def __getattr__(self, name: str) -> Callable[..., Any]:
        op = _TABLE_OPS.get(name)
        if op is None or name.startswith("_"):
            raise AttributeError(
                f"stptui's boto3 stand-in has no Table method {name!r}: a Table has "
                f"{', '.join(_TABLE_OPS)} {_SEE}"
            )
        return _method("dynamodb", name, op, self)

    def __repr__(self) -> str:
        return f"dynamodb.Table(name={self.name!r})"


class _DynamoDBResource:
    """`boto3.resource("dynamodb")`: its `Table`."""

    def __init__(self) -> None:
        self.meta = _Meta("dynamodb", "us-east-1", None)

    def Table(self, name: str) -> Table:
        """The stand-in of one table."""
        return Table(name)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"stptui's boto3 stand-in's dynamodb resource has only Table, not {name!r}"
        )


# -- boto3.dynamodb.conditions --------------------------------------------------------------


class ConditionBase:
    """A condition of boto3.dynamodb.conditions: combined with &, | and ~."""

    def __init__(self, op: str, *values: Any) -> None:
        self.op = op
        self.values = values

    def __and__(self, other: ConditionBase) -> ConditionBase:
        return ConditionBase("AND", self, other)

    def __or__(self, other: ConditionBase) -> ConditionBase:
        return ConditionBase("OR", self, other)

    def __invert__(self) -> ConditionBase:
        return ConditionBase("NOT", self)

    def __repr__(self) -> str:
        return f"Condition({self.op}, {self.values!r})"


class AttributeBase:
    """An attribute named in a condition (`Key("id")`, `Attr("status")`)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def eq(self, value: Any) -> ConditionBase:
        """name = value"""
        return ConditionBase("=", self, value)

    def lt(self, value: Any) -> ConditionBase:
        """name < value"""
        return ConditionBase("<", self, value)

    def lte(self, value: Any) -> ConditionBase:
        """name <= value"""
        return ConditionBase("<=", self, value)

    def gt(self, value: Any) -> ConditionBase:
        """name > value"""
        return ConditionBase(">", self, value)

    def gte(self, value: Any) -> ConditionBase:
        """name >= value"""
        return ConditionBase(">=", self, value)

    def begins_with(self, value: Any) -> ConditionBase:
        """begins_with(name, value)"""
        return ConditionBase("begins_with", self, value)

    def between(self, low: Any, high: Any) -> ConditionBase:
        """name BETWEEN low AND high"""
        return ConditionBase("BETWEEN", self, low, high)


class Key(AttributeBase):
    """A key attribute of a KeyConditionExpression."""


class Attr(AttributeBase):
    """An attribute of a ConditionExpression or FilterExpression."""

    def ne(self, value: Any) -> ConditionBase:
        """name <> value"""
        return ConditionBase("<>", self, value)

    def is_in(self, values: list[Any]) -> ConditionBase:
        """name IN (values...)"""
        return ConditionBase("IN", self, *values)

    def exists(self) -> ConditionBase:
        """attribute_exists(name)"""
        return ConditionBase("attribute_exists", self)

    def not_exists(self) -> ConditionBase:
        """attribute_not_exists(name)"""
        return ConditionBase("attribute_not_exists", self)

    def contains(self, value: Any) -> ConditionBase:
        """contains(name, value)"""
        return ConditionBase("contains", self, value)

    def size(self) -> Size:
        """size(name), compared as an attribute is."""
        return Size(self.name)

    def attribute_type(self, value: str) -> ConditionBase:
        """attribute_type(name, value)"""
        return ConditionBase("attribute_type", self, value)


class Size(Attr):
    """size(name) of a condition."""


class _Builder:
    """A condition object as expression text with #n/:v placeholders, as boto3's
    ConditionExpressionBuilder writes it."""

    def __init__(self) -> None:
        self.is_key = False
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def build(self, cond: ConditionBase, *, is_key: bool) -> str:
        """The expression text of `cond`; its placeholders join `names` and `values`."""
        self.is_key = is_key
        return self._cond(cond, top=True)

    def _name(self, attr: AttributeBase) -> str:
        if self.is_key and not isinstance(attr, Key):
            raise _refuse(
                "KeyConditionExpression", "takes Key(...) conditions only", "use Key, not Attr"
            )
        parts = []
        for part in attr.name.split("."):
            placeholder = f"#n{len(self.names)}"
            self.names[placeholder] = part
            parts.append(placeholder)
        text = ".".join(parts)
        return f"size({text})" if isinstance(attr, Size) else text

    def _value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = _plain_in(value, placeholder)
        return placeholder

    def _cond(self, cond: ConditionBase, top: bool = False) -> str:
        op, vals = cond.op, cond.values
        if op in ("AND", "OR"):
            text = f"{self._cond(vals[0])} {op} {self._cond(vals[1])}"
            return text if top else f"({text})"
        if op == "NOT":
            return f"(NOT {self._cond(vals[0])})"
        name = self._name(vals[0])
        if op in ("=", "<>", "<", "<=", ">", ">="):
            return f"{name} {op} {self._value(vals[1])}"
        if op == "BETWEEN":
            return f"{name} BETWEEN {self._value(vals[1])} AND {self._value(vals[2])}"
        if op == "IN":
            return f"{name} IN ({', '.join(self._value(v) for v in vals[1:])})"
        if op in ("attribute_exists", "attribute_not_exists"):
            return f"{op}({name})"
        return f"{op}({name}, {self._value(vals[1])})"


# -- boto3.dynamodb.types ----------------------------------------------------------------------


class TypeSerializer:
    """boto3's TypeSerializer: a Python value as DynamoDB JSON (numbers must be Decimal or
    int; sets and binary values are not simulated)."""

    def serialize(self, value: Any) -> dict[str, Any]:
        """One value in DynamoDB JSON."""
        return ddbjson.from_plain(_plain_in(value, "serialize"))


class TypeDeserializer:
    """boto3's TypeDeserializer: DynamoDB JSON as Python values, numbers as Decimal."""

    def deserialize(self, value: dict[str, Any]) -> Any:
        """One value from DynamoDB JSON."""
        return _decimals(_ddb_in(value, "deserialize"))


# -- boto3 -------------------------------------------------------------------------------------

_CLIENT_KWARGS = frozenset(
    {
        "region_name",
        "api_version",
        "use_ssl",
        "verify",
        "endpoint_url",
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "config",
        "aws_account_id",
    }
)


def _client(service_name: str, **kwargs: Any) -> Client:
    unknown = sorted(set(kwargs) - _CLIENT_KWARGS)
    if unknown:
        raise TypeError(f"client() got an unexpected keyword argument {unknown[0]!r}")
    if service_name not in SERVICES:
        raise UnknownServiceError(
            service_name=service_name,
            known_service_names=", ".join(SERVICES)
            + f" (stptui's boto3 stand-in simulates these) {_SEE}",
        )
    return Client(service_name, kwargs.get("region_name"), kwargs.get("endpoint_url"))


def _resource(service_name: str, **kwargs: Any) -> _DynamoDBResource:
    unknown = sorted(set(kwargs) - _CLIENT_KWARGS)
    if unknown:
        raise TypeError(f"resource() got an unexpected keyword argument {unknown[0]!r}")
    if service_name != "dynamodb":
        raise _refuse(
            f"boto3.resource({service_name!r})",
            "has the dynamodb resource only; use boto3.client for the others",
        )
    return _DynamoDBResource()


class Session:
    """boto3.Session: its `client` and `resource` are the module's (credentials, profile
    and region are accepted and have no effect)."""

    def __init__(self, **kwargs: Any) -> None:
        self.region_name = kwargs.get("region_name") or "us-east-1"

    def client(self, service_name: str, **kwargs: Any) -> Client:
        """A stand-in client of `service_name`."""
        return _client(service_name, **kwargs)

    def resource(self, service_name: str, **kwargs: Any) -> _DynamoDBResource:
        """The stand-in dynamodb resource."""
        return _resource(service_name, **kwargs)

    def get_available_services(self) -> list[str]:
        """The services the stand-in has clients of."""
        return list(SERVICES)


class Config:
    """botocore.config.Config: accepted, with no effect (no retries or timeouts to set)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.kwargs = kwargs

    def merge(self, other: Config) -> Config:
        """A Config of both."""
        return Config(**{**self.kwargs, **other.kwargs})


def _module(name: str, doc: str, **attrs: Any) -> ModuleType:
    module = ModuleType(name, doc)
    module.__dict__.update(attrs)
    return module


def modules() -> dict[str, ModuleType]:
    """A fresh set of the stand-in's modules, by the names `import` finds them under: one set
    per session, so that what a handler sets on `boto3` stays in its session."""
    conditions = _module(
        "boto3.dynamodb.conditions",
        "stptui's stand-in of boto3.dynamodb.conditions.",
        Key=Key,
        Attr=Attr,
        ConditionBase=ConditionBase,
        AttributeBase=AttributeBase,
    )
    types = _module(
        "boto3.dynamodb.types",
        "stptui's stand-in of boto3.dynamodb.types.",
        TypeSerializer=TypeSerializer,
        TypeDeserializer=TypeDeserializer,
        Decimal=Decimal,
    )
    dynamodb = _module(
        "boto3.dynamodb", "stptui's stand-in of boto3.dynamodb.", conditions=conditions, types=types
    )
    session = _module("boto3.session", "stptui's stand-in of boto3.session.", Session=Session)
    boto3 = _module(
        "boto3",
        "stptui's stand-in of boto3 (stptui.sim.behavior.boto3_standin): its clients act for "
        "the handler invocation that is running.",
        client=_client,
        resource=_resource,
        Session=Session,
        session=session,
        dynamodb=dynamodb,
        setup_default_session=lambda **kwargs: None,
        __version__="0.0.0+stptui",
    )
    exceptions = _module(
        "botocore.exceptions",
        "stptui's stand-in of botocore.exceptions.",
        ClientError=ClientError,
        BotoCoreError=BotoCoreError,
        ParamValidationError=ParamValidationError,
        UnknownServiceError=UnknownServiceError,
        NoRegionError=NoRegionError,
        OutsideInvocationError=OutsideInvocationError,
    )
    config = _module("botocore.config", "stptui's stand-in of botocore.config.", Config=Config)
    botocore = _module(
        "botocore",
        "stptui's stand-in of botocore.",
        exceptions=exceptions,
        config=config,
        __version__="0.0.0+stptui",
    )
    made = [conditions, types, dynamodb, session, boto3, exceptions, config, botocore]
    return {m.__name__: m for m in made}


_PREFIXES = ("boto3", "botocore")


def _sdk(name: str) -> bool:
    return name in _PREFIXES or name.startswith(("boto3.", "botocore."))


def install(ours: dict[str, ModuleType]) -> dict[str, ModuleType]:
    """Put the stand-in's modules in sys.modules, hiding any real boto3 and botocore (and
    their submodules); returns what was hidden, for `uninstall`."""
    hidden: dict[str, ModuleType] = {}
    if "boto3" in sys.modules or "botocore" in sys.modules:
        for name in [n for n in sys.modules if _sdk(n)]:
            hidden[name] = sys.modules.pop(name)
    sys.modules.update(ours)
    return hidden


def uninstall(ours: dict[str, ModuleType], hidden: dict[str, ModuleType]) -> None:
    """Take the stand-in's modules out of sys.modules and put back what `install` hid."""
    for name, module in ours.items():
        if sys.modules.get(name) is module:
            del sys.modules[name]
    sys.modules.update(hidden)
