"""EventBridge's PutEvents through `context.publish`, answering per entry as PutEvents does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim.behavior.boto3_standin.exceptions import ParamValidationError, aws_error, refuse
from stptui.sim.behavior.boto3_standin.invocation import Operation
from stptui.sim.behavior.boto3_standin.params import P
from stptui.sim.behavior.boto3_standin.responses import boto3_response
from stptui.sim.behavior.errors import shown
from stptui.sim.services.bus import (
    EventsError,
    check_request_size,
    entry_time_ms,
    reserved_source,
    validate_entry,
)

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


MAX_PUT_EVENTS = 10


def _time_ms(given: Any, where: str) -> int:
    """An entry's Time as botocore takes a timestamp (`entry_time_ms`), in epoch
    milliseconds; botocore's ParamValidationError for anything else."""
    ms = entry_time_ms(given)
    if ms is None:
        raise ParamValidationError(
            report=f"Invalid type for parameter {where}, value: {shown(given)}, type: "
            f"{type(given)}, valid types: <class 'datetime.datetime'>, timestamp-string"
        )
    return ms


def _events_put_events(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    entries = p["Entries"]
    if len(entries) > MAX_PUT_EVENTS:
        raise aws_error(
            "ValidationException",
            "1 validation error detected: Value at 'entries' failed to "
            "satisfy constraint: Member must have length less than or equal to 10",
            "PutEvents",
        )
    if "EndpointId" in p:
        raise refuse("PutEvents", "does not take EndpointId (global endpoints)")
    times: list[int | None] = []
    for n, entry in enumerate(entries):
        if "TraceHeader" in entry:
            raise refuse("PutEvents", "does not take an entry's TraceHeader")
        times.append(_time_ms(entry["Time"], f"Entries[{n}].Time") if "Time" in entry else None)
    try:
        # The entries' sizes are added before any entry is looked at: over the limit, the
        # whole request fails and nothing is put.
        check_request_size(entries)
    except EventsError as exc:
        raise aws_error(exc.code, str(exc).partition(": ")[2], "PutEvents") from None
    out: list[dict[str, Any]] = []
    for entry, time_ms in zip(entries, times, strict=True):
        try:
            checked = validate_entry(
                entry.get("Source"),
                entry.get("DetailType"),
                entry.get("Detail"),
                entry.get("Resources"),
            )
        except EventsError as exc:
            refused: EventsError | None = exc
        else:
            refused = reserved_source(checked.source)
        if refused is not None:
            # An invalid entry fails on its own, answered in its place; the rest are put.
            out.append({"ErrorCode": refused.code, "ErrorMessage": str(refused).partition(": ")[2]})
            continue
        bus = entry.get("EventBusName") or "default"
        resources = checked.resources if "Resources" in entry else None
        args = (bus, checked.source, checked.detail_type, checked.detail, resources)
        result = ctx.publish(*args) if time_ms is None else ctx._publish_at(*args, time_ms)
        got: dict[str, Any] = {}
        if isinstance(result, dict):
            # The context may answer as PutEvents (Entries) or with the one entry.
            inner = result.get("Entries")
            got = inner[0] if isinstance(inner, list) and inner else result
        out.append({k: v for k, v in got.items() if k in ("EventId", "ErrorCode", "ErrorMessage")})
    failed = sum(1 for e in out if "ErrorCode" in e)
    return boto3_response(None, {"FailedEntryCount": failed, "Entries": out})


_EVENT_ENTRY = {
    "Source": P("string"),
    "DetailType": P("string"),
    "Detail": P("string"),
    "EventBusName": P("string"),
    "Resources": P("list"),
    "Time": P("any"),
    "TraceHeader": P("string"),
}


OPERATIONS: dict[str, Operation] = {
    "put_events": Operation(
        "PutEvents",
        {"Entries": P("list", True, _EVENT_ENTRY, min_items=1), "EndpointId": P("string")},
        _events_put_events,
    ),
}
