"""Python handlers for docs/examples/receipts.yml, used by docs/behaviors.md: a handler that
sends a receipt and then fails sends it again at each of Lambda's retries, and the fix.

It runs only when `stptui run` is given `--allow-code`.
"""

from typing import Any


def checkout(event: dict[str, Any], context: Any) -> dict[str, bool]:
    """The bug: the receipt goes out, then the ledger fails; each retry sends it again."""
    order = event["orderId"]
    context.send("receipts", {"orderId": order, "receipt": True})
    record_sale(context, order)
    return {"recorded": True}


def record_sale(context: Any, order: int) -> None:
    """Write the sale to the ledger, which is down for the event's first two attempts."""
    if context.attempt < 3:
        raise ConnectionError("ledger unavailable")
    context.put_item("ledger", {"pk": f"sale#{order}"})


def checkout_once(event: dict[str, Any], context: Any) -> dict[str, bool]:
    """The fix: claim the receipt with a conditional put_item before sending it, so that
    a retry that finds the claim does not send it again."""
    order = event["orderId"]
    try:
        context.put_item("ledger", {"pk": f"receipt#{order}"}, condition="attribute_not_exists(pk)")
    except Exception as exc:  # boto3: except client.exceptions.ConditionalCheckFailedException
        if type(exc).__name__ != "ConditionalCheckFailedException":
            raise
        context.log(f"order {order}: receipt already sent")
    else:
        context.send("receipts", {"orderId": order, "receipt": True})
    record_sale(context, order)
    return {"recorded": True}
