"""Step Functions' request-response integrations with the services stptui simulates.

A Task state whose Resource is `arn:aws:states:::sqs:sendMessage`, `sns:publish`,
`events:putEvents` or `dynamodb:putItem|getItem|updateItem|deleteItem` calls that API with
its effective Parameters. The call goes through the simulated service exactly as a handler's
emission does (the message reaches the queue's consumer, the event the bus's rules, the item
the table and its stream), and its result is the API's response. A refused call fails the
state with Step Functions' error name for the integration (`SQS.<code>`, `SNS.<code>`,
`EventBridge.FailedEntry`, `DynamoDB.<code>`), so Retry and Catch match it as on AWS.
docs/fidelity.md ("Step Functions service integrations") lists the sources and choices.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui.config.model import DEFAULT_BUS
from stptui.jsontext import compact_json
from stptui.sim import ddbjson
from stptui.sim.asl_data import StatesRuntimeError
from stptui.sim.payloads import (
    ArrayText,
    NumberText,
    labelled,
    md5_hex,
    md5_of_message_attributes,
)
from stptui.sim.services.queue import number_refusal

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

_PREFIX = "arn:aws:states:::"
SQS_SEND = _PREFIX + "sqs:sendMessage"
SNS_PUBLISH = _PREFIX + "sns:publish"
EVENTS_PUT = _PREFIX + "events:putEvents"
DYNAMODB_OPS = ("putItem", "getItem", "updateItem", "deleteItem")
_DYNAMODB = {_PREFIX + "dynamodb:" + op: op for op in DYNAMODB_OPS}
SIMULATED = (SQS_SEND, SNS_PUBLISH, EVENTS_PUT, *_DYNAMODB)
# The AWS SDK integrations (stptui.sim.asl_sdk), which `call` hands on.
SDK_PREFIX = _PREFIX + "aws-sdk:"


@dataclass(frozen=True, slots=True)
class TargetKind:
    """The parameter of an integration that names its target, and the resource type it
    names (with the suffix Stacktape puts after a resource's name in its logical id)."""

    param: str
    rtype: str
    logical_suffix: str


TARGETS: dict[str, TargetKind] = {
    SQS_SEND: TargetKind("QueueUrl", "sqs-queue", "SqsQueue"),
    SNS_PUBLISH: TargetKind("TopicArn", "sns-topic", "SnsTopic"),
    EVENTS_PUT: TargetKind("EventBusName", "event-bus", "EventBus"),
    **{r: TargetKind("TableName", "dynamo-db-table", "DynamoGlobalTable") for r in _DYNAMODB},
}
# The resource params whose values name a target (a queue's URL, a topic's ARN, ...).
_FORMS = ("url", "arn", "name")
# The target type of an EventBridge archive (StartReplay's EventSourceArn): a bus of the
# stack with `archivation`, named by its archive's ARN or name, not by the bus's own forms.
ARCHIVE = "event-bus-archive"
ARCHIVE_PARAM = "archiveArn"


def target_name(value: Any, kind: TargetKind, known: Mapping[str, tuple[str, ...]]) -> str | None:
    """The stack resource `value` names, or None. `known` maps each resource of the kind to
    its literal forms (URL, ARN, AWS name). `value` may be one of those, the resource's
    name, `$ResourceParam(...)` (resolved), `Ref: <LogicalId>` or `Fn::GetAtt: [<LogicalId>,
    <attribute>]` with the resource's logical id (its PascalCase name and the suffix)."""
    named = getattr(value, "resource", None)
    # `$ResourceParam(bus, 'arn')` names the bus, not its archive: it is read as its text.
    if isinstance(named, str) and (
        kind.rtype != ARCHIVE or getattr(value, "param", None) == ARCHIVE_PARAM
    ):
        return named if named in known else None
    if isinstance(value, dict) and len(value) == 1:
        from stptui.config.normalize_names import pascal_case

        ((key, arg),) = value.items()
        logical = None
        if key == "Ref" and isinstance(arg, str):
            logical = arg
        elif key == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list) and len(parts) == 2:
                logical = parts[0]
        suffix = kind.logical_suffix
        return next((n for n in known if logical in (n, pascal_case(n) + suffix)), None)
    if isinstance(value, str):
        return next((n for n, forms in known.items() if value == n or value in forms), None)
    return None


def known_targets(sim: Simulator, kind: TargetKind) -> dict[str, tuple[str, ...]]:
    """The simulated resources of the kind, with their literal forms."""
    names: list[str]
    if kind.rtype == ARCHIVE:
        service = sim.services.get("buses")
        archived = [b for b in service.buses.values() if b.archive] if service else []
        return {b.key: (b.archive.arn, b.archive.name) for b in archived}
    if kind.rtype == "sqs-queue":
        names = list(sim.queues)
    elif kind.rtype == "sns-topic":
        service = sim.services.get("topics")
        names = [k for k, t in service.topics.items() if not t.external] if service else []
    elif kind.rtype == "event-bus":
        return _bus_forms(sim)
    else:
        names = list(sim.services.get("tables", {}))
    return {n: tuple(sim.resource_param(n, f) for f in _FORMS) for n in names}


def _bus_forms(sim: Simulator) -> dict[str, tuple[str, ...]]:
    """The simulated buses by key, with the forms PutEvents' EventBusName takes: a stack
    bus's `$ResourceParam` forms and its AWS name (`{stack}-NAME`); the account's default
    bus, no resource of the stack, only its ARN (`default` itself is read before: it names
    that bus even when a bus of the stack is named `default`)."""
    service = sim.services.get("buses")
    if service is None:
        return {}
    return {
        k: (
            (b.arn,) if b.account_default else (*(sim.resource_param(k, f) for f in _FORMS), b.name)
        )
        for k, b in service.buses.items()
        if not b.external
    }


def _fail(error: str, cause: str) -> StatesRuntimeError:
    return StatesRuntimeError(error, cause)


def _code(text: str) -> str:
    """The AWS error code a simulator error message starts with (`Code: message`)."""
    head = text.split(":", 1)[0]
    return head if head.isidentifier() else "ValidationException"


def call(
    sim: Simulator, resource: str, params: Any, source: str, arns: tuple[str, str]
) -> tuple[Any, str | None, str]:
    """Call the integration `resource` with `params` (the state's effective input) for the
    execution and state machine `arns`. Returns the API's result, the id of what it
    delivered (message, event or stream record id, for `explain`) and the target resource;
    raises StatesRuntimeError with Step Functions' error name when the service refuses."""
    if resource.startswith(SDK_PREFIX):
        from stptui.sim import asl_sdk  # it imports this module

        return asl_sdk.call(sim, resource, params, source, arns)
    if not isinstance(params, dict):
        raise _fail("States.Runtime", f"the Parameters of {resource} must be an object")
    kind = TARGETS[resource]
    if resource == EVENTS_PUT:
        return _put_events(sim, params, source, arns)
    known = known_targets(sim, kind)
    value = params.get(kind.param)
    target = target_name(value, kind, known)
    if resource == SQS_SEND:
        return sqs_send(sim, params, target, value, source)
    if resource == SNS_PUBLISH:
        return sns_publish(sim, params, target, value, source)
    return _dynamodb(sim, _DYNAMODB[resource], params, target, value, source)


def message_text(value: Any) -> str:
    """A message body as Step Functions sends it: a string as is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _optional_text(prefix: str, params: dict[str, Any], name: str) -> str | None:
    """The string parameter `name` (None when absent or null); the integration's error for
    a value of another type, which the service's API cannot take."""
    value = params.get(name)
    if value is not None and not isinstance(value, str):
        raise _fail(
            f"{prefix}.InvalidParameterValue", f"{name} must be a string, not {shown(value)}"
        )
    return value


def _plain_attributes(prefix: str, attrs: Any, arrays: bool = False) -> dict[str, Any]:
    """`{name: {DataType, StringValue}}` message attributes as the simulators take them
    (a Number attribute keeps its text; with `arrays`, SNS's, a String.Array its text too,
    and a Binary attribute's base64 BinaryValue its bytes; without, SQS's, a custom type
    label such as `String.json` stays with the text, and `String.Array` is such a label);
    the integration's error otherwise."""
    if attrs is None:
        return {}
    out: dict[str, Any] = {}
    if not isinstance(attrs, dict):
        raise _fail(f"{prefix}.InvalidParameterValue", "MessageAttributes must be an object")
    for name, attr in attrs.items():
        if arrays:
            out[name] = _sns_attribute(prefix, name, attr)
            continue
        kind = attr.get("DataType") if isinstance(attr, dict) else None
        value = attr.get("StringValue") if isinstance(attr, dict) else None
        if not isinstance(kind, str) or not isinstance(value, str):
            raise _fail(
                f"{prefix}.InvalidParameterValue",
                f"message attribute {name!r} needs a DataType and a StringValue "
                "(Binary attributes are not simulated)",
            )
        if not kind.startswith(("String", "Number")):
            # Binary attributes are not simulated (above); any other prefix SQS refuses.
            raise _fail(
                f"{prefix}.InvalidParameterValue",
                f"The type of message (user) attribute '{name}' is invalid. You must use only "
                "the following supported type prefixes: Binary, Number, String.",
            )
        else:
            if kind.startswith("Number") and (refused := number_refusal(name, value)):
                raise _fail(f"{prefix}.{refused.code}", str(refused))
            # SQS keeps a custom label (`String.json`, `Number.float`) as part of the type.
            out[name] = labelled(value, kind)
    return out


def _sns_attribute(prefix: str, name: str, attr: Any) -> Any:
    """One SNS message attribute as the topic takes it: a String's text, a Number's as a
    NumberText, a String.Array's as an ArrayText, a Binary's bytes (its BinaryValue is
    base64, as the SDKs send it); the integration's error for one SNS refuses (the words
    SNS emulators reproduce, see docs/fidelity.md)."""
    bad = f"{prefix}.InvalidParameterValue"
    kind = attr.get("DataType") if isinstance(attr, dict) else None
    if not isinstance(kind, str):
        raise _fail(bad, f"message attribute {name!r} needs a DataType")
    base = kind.split(".", 1)[0]
    if base not in ("String", "Number", "Binary"):
        raise _fail(
            bad,
            f"The message attribute '{name}' has an invalid message attribute type, the set "
            "of supported type prefixes is Binary, Number, and String.",
        )
    field, other = (
        ("BinaryValue", "StringValue") if base == "Binary" else ("StringValue", "BinaryValue")
    )
    value = attr.get(field)
    if not isinstance(value, str) or other in attr:
        raise _fail(
            bad, f"The message attribute '{name}' with type '{kind}' must use field '{base}'."
        )
    if base == "Binary":
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise _fail(bad, f"message attribute {name!r}: its BinaryValue is not base64") from None
    if kind == "String.Array":
        return ArrayText(value)
    return NumberText(value) if base == "Number" else value


def sqs_send(
    sim: Simulator, params: dict[str, Any], target: str | None, value: Any, source: str
) -> tuple[Any, str | None, str]:
    """SQS SendMessage from a state machine (the optimized integration and the SDK's):
    (SendMessage's result, the message id, the queue); a refusal is SQS's error, raised as
    the task's failure."""
    from stptui.sim.engine import SimError

    if target is None:
        raise _fail(
            "SQS.QueueDoesNotExistException",
            f"The specified queue does not exist: {shown(value)}",
        )
    if "MessageBody" not in params:
        raise _fail("SQS.MissingParameter", "The request must contain the parameter MessageBody.")
    body = message_text(params["MessageBody"])
    attrs = _plain_attributes("SQS", params.get("MessageAttributes"))
    delay = params.get("DelaySeconds")
    if delay is not None and (not isinstance(delay, int) or isinstance(delay, bool)):
        raise _fail("SQS.InvalidParameterValue", f"DelaySeconds must be an integer, not {delay!r}")
    try:
        message_id = sim.send(
            target,
            body,
            delay_s=delay,
            group=_optional_text("SQS", params, "MessageGroupId"),
            dedup_id=_optional_text("SQS", params, "MessageDeduplicationId"),
            attrs=attrs or None,
            source=source,
        )
    except SimError as exc:
        raise _fail("SQS." + _code(str(exc)), str(exc)) from None
    result: dict[str, Any] = {"MD5OfMessageBody": md5_hex(body)}
    if attrs:
        result["MD5OfMessageAttributes"] = md5_of_message_attributes(attrs)
    result["MessageId"] = message_id
    msg = sim.queue(target).messages.get(message_id)
    if msg is not None and msg.seq_number:
        result["SequenceNumber"] = msg.seq_number
    return result, message_id, target


def sns_publish(
    sim: Simulator, params: dict[str, Any], target: str | None, value: Any, source: str
) -> tuple[Any, str | None, str]:
    """SNS Publish from a state machine (the optimized integration and the SDK's):
    (Publish's result, the message id, the topic); a refusal is SNS's error, raised as the
    task's failure."""
    from stptui.sim.engine import SimError

    if target is None:
        raise _fail("SNS.NotFoundException", f"Topic does not exist: {shown(value)}")
    message = params.get("Message")
    attrs = _plain_attributes("SNS", params.get("MessageAttributes"), arrays=True)
    try:
        answer = sim.services["topics"].publish_message(
            target,
            None if message is None else message_text(message),
            subject=_optional_text("SNS", params, "Subject"),
            attributes=attrs,
            group=_optional_text("SNS", params, "MessageGroupId"),
            dedup_id=_optional_text("SNS", params, "MessageDeduplicationId"),
            structure=_optional_text("SNS", params, "MessageStructure"),
            origin=source,
        )
    except SimError as exc:
        raise _fail("SNS." + _code(str(exc)), str(exc)) from None
    # A FIFO topic's answer has its SequenceNumber too.
    return answer.answer(), answer.message_id, target


def _put_events(
    sim: Simulator, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> tuple[Any, str | None, str]:
    from stptui.sim.services.bus import EventsError, check_request_size

    entries = params.get("Entries")
    if not isinstance(entries, list) or not 1 <= len(entries) <= 10:
        raise _fail("EventBridge.ValidationException", "Entries must be a list of 1 to 10 entries")
    kind = TARGETS[EVENTS_PUT]
    known = known_targets(sim, kind)
    sent: list[dict[str, Any]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise _fail("EventBridge.ValidationException", "each entry must be an object")
        detail = entry.get("Detail")
        # What the integration sends: Detail as JSON text, and the execution's and the
        # state machine's ARNs appended to each entry's Resources (connect-eventbridge).
        sent.append(
            {
                **entry,
                "Detail": detail
                if detail is None or isinstance(detail, str)
                else message_text(detail),
                "Resources": [*_listed(entry.get("Resources")), *arns],
            }
        )
    try:
        # A Time that is no date fails the whole request before any entry is looked at.
        times = entry_times(sent)
        check_request_size(sent)
    except EventsError as exc:
        raise _fail(f"EventBridge.{exc.code}", str(exc).partition(": ")[2]) from None
    out, failed, first = put_entries(sim, sent, source, known, times)
    response = {"Entries": out, "FailedEntryCount": failed}
    if failed:
        # "If the response from PutEvents contains a non-zero FailedEntryCount then the Task
        # state fails with the error EventBridge.FailedEntry" (connect-eventbridge); AWS
        # recorded the response itself as the cause, the valid entries put.
        raise _fail("EventBridge.FailedEntry", compact_json(response))
    assert first is not None
    return response, first[0], first[1]


def entry_times(entries: list[dict[str, Any]]) -> list[int | None]:
    """Each PutEvents entry's Time in epoch milliseconds (None when not given), read as a
    handler's boto3 call reads it (`entry_time_ms`). Raises EventsError, EventBridge's
    refusal of the whole request, for a Time that is no date (`time_refusal`)."""
    from stptui.sim.services.bus import entry_time_ms, time_refusal

    times: list[int | None] = []
    for entry in entries:
        if "Time" not in entry:
            times.append(None)
        elif (ms := entry_time_ms(entry["Time"])) is None:
            raise time_refusal(entry["Time"])
        else:
            times.append(ms)
    return times


def put_entries(
    sim: Simulator,
    entries: list[dict[str, Any]],
    source: str,
    known: Any,
    times: list[int | None],
) -> tuple[list[dict[str, Any]], int, tuple[str, str] | None]:
    """Put each PutEvents entry on its bus, as PutEvents does: an entry EventBridge refuses
    is answered in its place (ErrorCode, ErrorMessage) and the others are put, each at its
    Time in `times` (`entry_times`: the event's `time`, now when None). Returns the
    response's entries, how many failed and the first event put (its id and bus)."""
    from stptui.sim.engine import SimError
    from stptui.sim.services.bus import reserved_source

    kind = TARGETS[EVENTS_PUT]
    out: list[dict[str, Any]] = []
    failed = 0
    first: tuple[str, str] | None = None
    for entry, time_ms in zip(entries, times, strict=True):
        bus_value = entry.get("EventBusName", DEFAULT_BUS)
        # `default` is PutEvents' name for the account's bus, whatever the stack calls its own.
        bus = (
            sim.stack.default_bus_key
            if bus_value == DEFAULT_BUS
            else target_name(bus_value, kind, known)
        )
        try:
            if bus is None:
                raise SimError(
                    f"ResourceNotFoundException: Event bus {shown(bus_value)} does not exist."
                )
            reserved = reserved_source(entry.get("Source"))
            if reserved is not None:
                raise SimError(str(reserved))
            event_id = sim.services["buses"].publish(
                bus,
                entry.get("Source"),
                entry.get("DetailType"),
                entry.get("Detail"),
                _listed(entry.get("Resources")),
                origin=source,
                time_ms=time_ms,
            )
        except SimError as exc:
            failed += 1
            text = str(exc)
            code, _, message = text.partition(": ")
            if not code.isidentifier():
                code, message = "InvalidArgument", text
            out.append({"ErrorCode": code, "ErrorMessage": message})
            continue
        out.append({"EventId": event_id})
        first = first or (event_id, bus)
    return out, failed, first


def _dynamodb(
    sim: Simulator, op: str, params: dict[str, Any], target: str | None, value: Any, source: str
) -> tuple[Any, str | None, str]:
    from stptui.sim.services.table import Expressions

    if target is None:
        raise _fail(
            "DynamoDB.ResourceNotFoundException",
            f"Requested resource not found: Table: {shown(value)} not found",
        )
    table = sim.services["tables"][target]
    expr = Expressions(
        params.get("UpdateExpression"),
        params.get("ConditionExpression"),
        params.get("ExpressionAttributeNames"),
        params.get("ExpressionAttributeValues"),
    )
    record = None
    try:
        if op == "getItem":
            item = table.get(params.get("Key"))
            return ({} if item is None else {"Item": item}), None, target
        if op == "putItem":
            _, record = table.put(params.get("Item"), source, expr)
        elif op == "updateItem":
            _, record = table.update(params.get("Key"), expr, source)
        else:
            _, record = table.delete(params.get("Key"), source, expr)
    except ddbjson.DynamoDBError as exc:
        raise _fail("DynamoDB." + _code(str(exc)), str(exc)) from None
    delivered = record.sequence_number if record is not None else None
    return {}, delivered, target


def _listed(value: Any) -> list[Any]:
    from stptui.sim.engine import SimError

    if value is None:
        return []
    if not isinstance(value, list):
        raise SimError("ValidationException: Resources must be a list of ARNs")
    return value


def shown(value: Any) -> str:
    """A target parameter's value as a message shows it."""
    return json.dumps(value) if not isinstance(value, str) else value
