"""DynamoDB's values between a client and the context: DynamoDB JSON (the low-level client)
or plain Python values with Decimal numbers (the resource), to and from the context's plain
JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stptui.sim import ddbjson
from stptui.sim.behavior.boto3_standin.exceptions import refuse
from stptui.sim.behavior.boto3_standin.params import plain_number
from stptui.sim.behavior.handler_reads import ddb_client_error


def ddb_value_in(value: Any, where: str) -> Any:
    """An attribute value in DynamoDB JSON as the context's plain JSON."""
    try:
        checked = ddbjson.check_value(value, where)
    except ddbjson.DynamoDBError as exc:
        raise ddb_client_error(exc, "") from None  # _call names the operation
    ((kind, inner),) = checked.items()
    if kind in ("SS", "NS", "BS", "B"):
        raise refuse(
            where,
            f"writes items as plain JSON: a {kind} (set or binary) value has no plain form",
        )
    if kind == "N":
        return plain_number(Decimal(inner), where)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: ddb_value_in(v, f"{where}.{k}") for k, v in value["M"].items()}
    if kind == "L":
        return [ddb_value_in(v, f"{where}[{i}]") for i, v in enumerate(value["L"])]
    return inner


def ddb_item_in(item: dict[str, Any], where: str) -> dict[str, Any]:
    """An item in DynamoDB JSON as the context's plain JSON."""
    return {k: ddb_value_in(v, f"{where}.{k}") for k, v in item.items()}


def ddb_item_out(item: dict[str, Any]) -> dict[str, Any]:
    """An item of the context's plain JSON in DynamoDB JSON."""
    return ddbjson.from_plain_item(item)


@dataclass(frozen=True, slots=True)
class Codec:
    """How a client's DynamoDB values go to and come from the context: DynamoDB JSON
    (the low-level client) or plain Python values with Decimal numbers (the resource)."""

    item_in: Callable[[dict[str, Any], str], dict[str, Any]]
    item_out: Callable[[dict[str, Any]], dict[str, Any]]


def plain_value_in(value: Any, where: str) -> Any:
    """A value as boto3's resource takes it (Decimal numbers) as the context's plain JSON."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        # boto3's TypeSerializer refuses floats, with these words.
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    if isinstance(value, Decimal):
        return plain_number(value, where)
    if isinstance(value, (list, tuple)):
        return [plain_value_in(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {str(k): plain_value_in(v, f"{where}.{k}") for k, v in value.items()}
    raise refuse(
        where,
        f"writes items as plain JSON: a {type(value).__name__} (a set or binary value) has no "
        "plain form",
    )


def plain_item_in(item: dict[str, Any], where: str) -> dict[str, Any]:
    """An item as boto3's resource takes it (Decimal numbers) as the context's plain JSON."""
    return {str(k): plain_value_in(v, f"{where}.{k}") for k, v in item.items()}


def with_decimals(value: Any) -> Any:
    """A plain JSON value as boto3's resource reads it: numbers as Decimal."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, list):
        return [with_decimals(v) for v in value]
    if isinstance(value, dict):
        return {k: with_decimals(v) for k, v in value.items()}
    return value
