"""Kinesis's PutRecord through `context.put_record`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim.behavior.boto3_standin.exceptions import aws_error, refuse
from stptui.sim.behavior.boto3_standin.invocation import Operation
from stptui.sim.behavior.boto3_standin.params import P, blob_param, text_of
from stptui.sim.behavior.boto3_standin.responses import boto3_response

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


def _kinesis_put_record(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    stream = p.get("StreamName") or p.get("StreamARN")
    if stream is None:
        raise aws_error(
            "ValidationException", "Either StreamName or StreamARN should be provided.", "PutRecord"
        )
    for name in ("ExplicitHashKey", "SequenceNumberForOrdering"):
        if p.get(name) is not None:
            raise refuse("PutRecord", f"does not take {name}")
    data = text_of(blob_param(p["Data"], "PutRecord", "Data"), "PutRecord", "Data")
    result = ctx.put_record(stream, data, partition_key=p["PartitionKey"])
    return boto3_response(result, {})


OPERATIONS: dict[str, Operation] = {
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
}
