"""Python handlers for the job-queue stack's API and worker, used by docs/behaviors.md.

It runs only when `stptui run` is given `--allow-code`.
"""

import json
import os
from typing import Any


def worker(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Charge each order in the SQS batch; decline orders over 1000."""
    for record in event["Records"]:
        order = json.loads(record["body"])
        context.log(f"charging order {order['orderId']} for {order['amount']}")
        if order["amount"] > 1000:
            raise ValueError(f"order {order['orderId']}: amount over the limit")
        context.sleep("500ms")  # the payment provider's answer takes half a second
    return {"charged": len(event["Records"])}


def api(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Queue the request's order for the worker, as the deployed code does with boto3:
    the queue's URL is in STP_JOB_QUEUE_URL, which `connectTo: [jobQueue]` gives."""
    order = json.loads(event["body"])
    queue_url = os.environ["STP_JOB_QUEUE_URL"]
    context.log(f"{os.environ['AWS_LAMBDA_FUNCTION_NAME']} queues order {order['orderId']}")
    context.log(f"on {queue_url}")
    context.send(queue_url, order)  # sqs.send_message(QueueUrl=queue_url, ...) in AWS
    return {"statusCode": 202, "body": "queued"}
