"""A worker that ends its process on an order it cannot take, used by docs/python-handlers.md.

It runs only when `stptui run` is given `--allow-code`.
"""

import sys
from typing import Any


def worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Charge an order; give up the whole process on one over the limit, as a script would."""
    context.log(f"charging order {event['orderId']}")
    if event["amount"] > 1000:
        sys.exit(f"order {event['orderId']}: amount over the limit")
    return {"charged": event["orderId"]}
