"""Kinesis's PutRecord through `context.put_record`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim.behavior.boto3_standin.exceptions import _aws_error, _refuse
from stptui.sim.behavior.boto3_standin.invocation import Operation
from stptui.sim.behavior.boto3_standin.params import P, _blob, _text_of
from stptui.sim.behavior.boto3_standin.responses import _answer

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


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
