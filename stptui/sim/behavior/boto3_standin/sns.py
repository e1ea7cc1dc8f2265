"""SNS's Publish through `context.notify`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim.behavior.boto3_standin.exceptions import _aws_error, _refuse
from stptui.sim.behavior.boto3_standin.invocation import Operation
from stptui.sim.behavior.boto3_standin.params import P
from stptui.sim.behavior.boto3_standin.responses import _answer
from stptui.sim.behavior.boto3_standin.sqs import _sqs_attributes

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


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
}
