"""API Gateway's PostToConnection (a WebSocket API's connections) through
`context.post_to_connection`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim.behavior.boto3_standin.invocation import Operation
from stptui.sim.behavior.boto3_standin.params import P, blob_param, text_of
from stptui.sim.behavior.boto3_standin.responses import boto3_response

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


def _post_to_connection(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    data = text_of(blob_param(p["Data"], "PostToConnection", "Data"), "PostToConnection", "Data")
    result = ctx.post_to_connection(p["ConnectionId"], data, gateway=client.endpoint_url)
    return boto3_response(result, {})


OPERATIONS: dict[str, Operation] = {
    "post_to_connection": Operation(
        "PostToConnection",
        {"ConnectionId": P("string", True), "Data": P("blob", True)},
        _post_to_connection,
    ),
}
