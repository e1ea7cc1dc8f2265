"""EventBridge's PutEvents through `context.publish`, answering per entry as PutEvents does."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from stptui.sim.behavior.boto3_standin.exceptions import aws_error, refuse
from stptui.sim.behavior.boto3_standin.invocation import Operation
from stptui.sim.behavior.boto3_standin.params import P
from stptui.sim.behavior.boto3_standin.responses import boto3_response

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


MAX_PUT_EVENTS = 10


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
    out: list[dict[str, Any]] = []
    for entry in entries:
        for name in ("Resources", "Time", "TraceHeader"):
            if name in entry:
                raise refuse("PutEvents", f"does not take an entry's {name}")
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
