"""Lambda's Invoke, asynchronous (InvocationType='Event') only, through `context.invoke`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from stptui.sim.behavior.boto3_standin.exceptions import as_modelled, aws_error, refuse
from stptui.sim.behavior.boto3_standin.invocation import Operation
from stptui.sim.behavior.boto3_standin.params import P, blob_param
from stptui.sim.behavior.boto3_standin.responses import StreamingBody, boto3_response

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


def _lambda_invoke(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    kind = p.get("InvocationType", "RequestResponse")
    if kind != "Event":
        raise refuse(
            "Invoke",
            f"invokes asynchronously only (InvocationType='Event'), not {kind!r}: stptui "
            "cannot run another function inside a handler's call",
            "pass InvocationType='Event'; for an answer, have the function reply through a "
            "queue or a table",
        )
    if p.get("Qualifier", "$LATEST") != "$LATEST":
        raise refuse("Invoke", "invokes $LATEST only (the stack has no versions or aliases)")
    if p.get("ClientContext") is not None:
        raise refuse("Invoke", "does not take ClientContext")
    raw = blob_param(p["Payload"], "Invoke", "Payload") if "Payload" in p else b"{}"
    try:
        payload = json.loads(raw or b"{}")
    except ValueError as exc:
        raise as_modelled(
            "lambda",
            aws_error(
                "InvalidRequestContentException",
                f"Could not parse request body into json: {exc}",
                "Invoke",
            ),
        ) from None
    result = ctx.invoke(p["FunctionName"], payload)
    # An asynchronous invoke's answer: 202 Accepted and an empty payload.
    return boto3_response(result, {"StatusCode": 202, "Payload": StreamingBody(b"")}, 202)


OPERATIONS: dict[str, Operation] = {
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
}
