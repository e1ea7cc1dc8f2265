"""A Python handler for the job-queue worker, used by docs/behaviors.md.

It runs only when `stptui run` is given `--allow-code`.
"""

import json
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
