"""A Python handler's DynamoDB transactions and multi-item reads: `context.transact_write_items`
(TransactWriteItems: Put, Update, Delete and ConditionCheck, all or none),
`context.transact_get_items` and `context.batch_get_item`, as DynamoDB checks and answers
them; boto3's `transact_write_items`, `transact_get_items` and `batch_get_item` call them.

A transaction is checked whole before any of it is written: the shape of each action, no two
actions on one item, each table's key, each condition against the item as it is. When every
condition holds, each write is made through the same path as `put_item`, `update_item` and
`delete_item` (one trace record each, at the one instant of the call); when one does not,
nothing is written and the handler gets TransactionCanceledException with a reason per
action, in AWS's shape. docs/fidelity.md ("boto3 in handlers") has the sources.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui.config.permissions import ClientError, Denial
from stptui.sim import ddbjson
from stptui.sim.behavior.errors import BehaviorError, shown
from stptui.sim.behavior.fields import (
    FieldError,
    expression_placeholders,
    expression_text,
    normalise,
)
from stptui.sim.behavior.handler_reads import client_error, ddb_client_error

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

# TransactWriteItems and TransactGetItems take at most 100 actions (DynamoDB API Reference,
# TransactWriteItems: "up to 100 action requests"); BatchGetItem at most 100 keys.
MAX_TRANSACT_ITEMS = 100
MAX_BATCH_GET = 100
# The write each action makes, and the IAM action it needs (DynamoDB developer guide, "Using
# IAM policies with DynamoDB transactions": each action's own permission).
ACTION_KINDS = {
    "Put": "putItem",
    "Update": "updateItem",
    "Delete": "deleteItem",
    "ConditionCheck": "conditionCheckItem",
}
# The members each action takes (botocore's TransactWriteItem shapes).
_MEMBERS = {
    "Put": ("TableName", "Item"),
    "Update": ("TableName", "Key", "UpdateExpression"),
    "Delete": ("TableName", "Key"),
    "ConditionCheck": ("TableName", "Key", "ConditionExpression"),
}
_OPTIONAL = (
    "ConditionExpression",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "ReturnValuesOnConditionCheckFailure",
)
# DynamoDB's reason text of an action whose condition does not hold.
CONDITION_FAILED = "The conditional request failed"
DUPLICATE = "Transaction request cannot include multiple operations on one item"


@dataclass(frozen=True, slots=True)
class TransactAction:
    """One action of a transaction: its write kind (or `conditionCheckItem`), the table as
    the handler named it, its fields as the write emissions carry them (DynamoDB JSON), and
    whether a failed condition answers the item (ReturnValuesOnConditionCheckFailure)."""

    kind: str
    table: str
    fields: dict[str, Any]
    return_old: bool


def _invalid(message: str, operation: str = "TransactWriteItems") -> ClientError:
    return client_error("ValidationException", message, operation)


def _length_error(given: Any, member: str, most: int, operation: str) -> ClientError:
    """DynamoDB's refusal of a list of actions or keys too long or empty."""
    count = f"{len(given)} items" if isinstance(given, list) else f"{shown(given)}, not a list"
    return _invalid(
        f"1 validation error detected: Value at '{member}' ({count}) failed to satisfy "
        f"constraint: Member must have length less than or equal to {most}, Member must have "
        "length greater than or equal to 1",
        operation,
    )


def transact_actions(actions: Any) -> list[TransactAction]:
    """TransactWriteItems' actions (`[{"Put": {...}}, ...]`, plain JSON values) read as the
    writes they are; ValidationException for a request DynamoDB refuses whole."""
    if not isinstance(actions, list) or not 1 <= len(actions) <= MAX_TRANSACT_ITEMS:
        raise _length_error(actions, "transactItems", MAX_TRANSACT_ITEMS, "TransactWriteItems")
    out: list[TransactAction] = []
    for i, action in enumerate(actions):
        where = f"context.transact_write_items[{i}]"
        if not (isinstance(action, dict) and len(action) == 1):
            raise _invalid(
                f"Invalid action {shown(action)}: each action of a transaction is exactly one "
                "of Put, Update, Delete and ConditionCheck"
            )
        ((what, body),) = action.items()
        kind = ACTION_KINDS.get(what)
        if kind is None or not isinstance(body, dict):
            raise _invalid(
                f"Invalid action {shown(action)}: each action of a transaction is exactly one "
                "of Put, Update, Delete and ConditionCheck"
            )
        for name in _MEMBERS[what]:
            if body.get(name) is None:
                raise _invalid(f"1 validation error detected: {what}.{name} is required")
        unknown = [n for n in body if n not in _MEMBERS[what] and n not in _OPTIONAL]
        if unknown:
            raise _invalid(
                f"{what} takes {', '.join(_MEMBERS[what] + _OPTIONAL)}, not {shown(unknown[0])}"
            )
        returns = body.get("ReturnValuesOnConditionCheckFailure", "NONE")
        if returns not in ("NONE", "ALL_OLD"):
            raise _invalid(
                f"1 validation error detected: Value {shown(returns)} at "
                "'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member "
                "must satisfy enum value set: [ALL_OLD, NONE]"
            )
        table = body["TableName"]
        if not isinstance(table, str) or not table:
            raise BehaviorError(
                f"{where}: TableName must be a non-empty string, not {shown(table)}"
            )
        values = {
            "condition": body.get("ConditionExpression"),
            "names": body.get("ExpressionAttributeNames"),
            "values": body.get("ExpressionAttributeValues"),
        }
        try:
            fields = _fields(kind, body, values, where)
        except FieldError as exc:
            raise BehaviorError(str(exc), exc.hint) from None
        out.append(TransactAction(kind, table, fields, returns == "ALL_OLD"))
    return out


def _fields(kind: str, body: dict[str, Any], values: dict[str, Any], where: str) -> dict[str, Any]:
    """An action's fields as its write emission carries them (DynamoDB JSON)."""
    if kind == "putItem":
        fields = normalise("putItem", {"item": body["Item"], **values}, where)
        fields.setdefault("condition", None)
        fields.setdefault("names", None)
        fields.setdefault("values", None)
        return fields
    if kind == "updateItem":
        given = {"key": body["Key"], "update": body["UpdateExpression"], **values}
        return normalise("updateItem", given, where)
    out = normalise("deleteItem", {"key": body["Key"]}, where)
    out["condition"] = expression_text(values, "condition", where)
    out.update(expression_placeholders(values, where))
    return out


def check_transaction(sim: Simulator, actions: list[TransactAction]) -> list[dict[str, Any]]:
    """DynamoDB's checks of a whole transaction before it writes any of it (`actions` with
    stptui's table names): ValidationException (ClientError) for a request it refuses, else
    each action's CancellationReason (`{"Code": "None"}` when it would succeed). Changes
    nothing."""
    # Lazily, as the context's reads import them: the engine imports this package.
    from stptui.sim.engine import SimError
    from stptui.sim.services.table import Expressions, lookup_table, prepare_expressions

    seen: set[tuple[str, tuple[str, ...]]] = set()
    reasons: list[dict[str, Any]] = []
    for action in actions:
        try:
            t = lookup_table(sim, action.table)
        except SimError as exc:
            raise client_error(
                "ResourceNotFoundException", str(exc), "TransactWriteItems"
            ) from None
        f = action.fields
        try:
            if action.kind == "putItem":
                item = ddbjson.check_item(f["item"])
                keys = t.key_of(item)
                t.check_index_keys(item)
            else:
                keys = t.key_of(ddbjson.check_item(f["key"], "Key"), only_key=True)
            update = f.get("update")
            expr = Expressions(update, f.get("condition"), f.get("names"), f.get("values"))
            prepared = prepare_expressions(
                expr, "ConditionExpression is null", t.key if update else None
            )
        except ddbjson.DynamoDBError as exc:
            raise ddb_client_error(exc, "TransactWriteItems") from None
        where = (t.name, t.item_key(keys))
        if where in seen:
            raise _invalid(DUPLICATE)
        seen.add(where)
        old = t.items.get(t.item_key(keys))
        if not prepared.holds(old):
            reason: dict[str, Any] = {"Code": "ConditionalCheckFailed", "Message": CONDITION_FAILED}
            if action.return_old and old is not None:
                reason["Item"] = copy.deepcopy(old)
            reasons.append(reason)
            continue
        # What the write would make, checked as the write checks it: a reason of its own.
        problem = _write_problem(t, action, prepared, old, keys)
        reasons.append({"Code": "None"} if problem is None else problem)
    return reasons


def _write_problem(
    t: Any, action: TransactAction, prepared: Any, old: Any, keys: dict[str, Any]
) -> dict[str, Any] | None:
    """The ValidationError reason of a write whose result DynamoDB refuses (an item too
    large, an update that does not apply), or None."""
    try:
        if action.kind == "putItem":
            item = action.fields["item"]
        elif action.kind == "updateItem":
            item = prepared.apply(old if old is not None else copy.deepcopy(keys))
            t.check_index_keys(item)
        else:
            return None
        if ddbjson.item_size(item) > ddbjson.MAX_ITEM_BYTES:
            return {
                "Code": "ValidationError",
                "Message": "Item size has exceeded the maximum allowed size",
            }
    except ddbjson.DynamoDBError as exc:
        message = str(exc).partition(": ")[2] if ": " in str(exc) else str(exc)
        return {"Code": "ValidationError", "Message": message}
    return None


def cancelled(reasons: list[dict[str, Any]]) -> ClientError:
    """TransactionCanceledException with its CancellationReasons, as botocore raises it: the
    reasons at the top of `response`, each item in DynamoDB JSON."""
    codes = ", ".join(r["Code"] for r in reasons)
    message = (
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]"
    )
    error = client_error("TransactionCanceledException", message, "TransactWriteItems")
    error.response["CancellationReasons"] = copy.deepcopy(reasons)
    return error


def denied(denial: Denial, operation: str) -> ClientError:
    """The role's refusal of one action, as the transaction's (the operation the handler
    called)."""
    return ClientError(Denial(denial.code, denial.message, operation))


def get_requests(gets: Any, operation: str, member: str, most: int) -> list[tuple[str, Any]]:
    """TransactGetItems' `[{"Get": {"TableName", "Key"}}]` as (table, key) pairs;
    ValidationException for a request DynamoDB refuses whole."""
    if not isinstance(gets, list) or not 1 <= len(gets) <= most:
        raise _length_error(gets, member, most, operation)
    out: list[tuple[str, Any]] = []
    for get in gets:
        body = get.get("Get") if isinstance(get, dict) and len(get) == 1 else None
        if not isinstance(body, dict) or body.get("TableName") is None or "Key" not in body:
            raise _invalid(
                f"Invalid request {shown(get)}: each item of TransactGetItems is "
                '{"Get": {"TableName": ..., "Key": ...}}',
                operation,
            )
        if body.get("ProjectionExpression") is not None:
            raise BehaviorError(
                f"{operation}: stptui reads whole items: ProjectionExpression is not taken"
            )
        out.append((body["TableName"], body["Key"]))
    return out


def batch_get_pairs(request_items: Any) -> list[tuple[str, Any]]:
    """BatchGetItem's `{table: [key, ...]}` as (table, key) pairs, in the order given;
    ValidationException for a request DynamoDB refuses whole (more than 100 keys, or one key
    twice)."""
    if not isinstance(request_items, dict) or not request_items:
        raise _invalid(
            "1 validation error detected: Value at 'requestItems' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1",
            "BatchGetItem",
        )
    pairs: list[tuple[str, Any]] = []
    for table, keys in request_items.items():
        if not isinstance(keys, list) or not keys:
            raise _invalid(
                f"1 validation error detected: Value at 'requestItems.{table}.member.keys' "
                "failed to satisfy constraint: Member must have length greater than or equal "
                "to 1",
                "BatchGetItem",
            )
        for key in keys:
            if any(t == table and k == key for t, k in pairs):
                raise _invalid("Provided list of item keys contains duplicates", "BatchGetItem")
            pairs.append((table, key))
    if len(pairs) > MAX_BATCH_GET:
        raise _invalid("Too many items requested for the BatchGetItem call", "BatchGetItem")
    return pairs
