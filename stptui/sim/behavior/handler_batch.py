"""A Python handler's BatchWriteItem (`context.batch_write_item`, boto3's `batch_write_item`
and a Table's `batch_writer`): its requests read as the puts and deletes they are, and the
checks DynamoDB makes of the whole batch before it writes any of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.permissions import ClientError
from stptui.sim import ddbjson
from stptui.sim.behavior.errors import shown
from stptui.sim.behavior.handler_reads import client_error, ddb_client_error
from stptui.sim.behavior.outcome import EmissionKind

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator


# BatchWriteItem's most requests, over all its tables (DynamoDB API Reference,
# BatchWriteItem).
MAX_BATCH_WRITE = 25


def batch_writes(requests: Any) -> list[tuple[EmissionKind, dict[str, Any]]]:
    """A BatchWriteItem's requests as the puts and deletes they are; DynamoDB's
    ValidationException for a batch it refuses whole."""

    def invalid(message: str) -> ClientError:
        return client_error("ValidationException", message, "BatchWriteItem")

    if not isinstance(requests, list) or not 1 <= len(requests) <= MAX_BATCH_WRITE:
        # DynamoDB's words (scylladb/scylladb#9389), the request's value left out.
        given = (
            f"{len(requests)} requests"
            if isinstance(requests, list)
            else f"{shown(requests)}, not a list"
        )
        raise invalid(
            f"1 validation error detected: Value at 'requestItems' ({given}) failed "
            "to satisfy constraint: Map value must satisfy constraint: [Member must have "
            f"length less than or equal to {MAX_BATCH_WRITE}, Member must have length greater "
            "than or equal to 1]"
        )
    out: list[tuple[EmissionKind, dict[str, Any]]] = []
    for request in requests:
        if isinstance(request, dict) and len(request) == 1:
            ((what, body),) = request.items()
            if what == "PutRequest" and isinstance(body, dict) and set(body) == {"Item"}:
                out.append(("putItem", {"item": body["Item"]}))
                continue
            if what == "DeleteRequest" and isinstance(body, dict) and set(body) == {"Key"}:
                out.append(("deleteItem", {"key": body["Key"]}))
                continue
        raise invalid(
            f"Invalid request {shown(request)}: each request of a batch is exactly one of "
            '{"PutRequest": {"Item": ...}} and {"DeleteRequest": {"Key": ...}}'
        )
    return out


def check_batch(
    sim: Simulator, table: str, writes: list[tuple[EmissionKind, dict[str, Any]]]
) -> None:
    """DynamoDB's checks of a whole BatchWriteItem before it writes any of it: the table,
    each request's key and item, no two requests of one key (`writes` normalised)."""
    # Lazily, as the context's reads import them: the engine imports this package.
    from stptui.sim.engine import SimError
    from stptui.sim.services.table import lookup_table

    try:
        t = lookup_table(sim, table)
    except SimError as exc:
        raise client_error("ResourceNotFoundException", str(exc), "BatchWriteItem") from None
    seen: set[tuple[str, ...]] = set()
    for kind, fields in writes:
        delete = kind == "deleteItem"
        try:
            key = t.batch_key(fields["key" if delete else "item"], delete=delete)
        except ddbjson.DynamoDBError as exc:
            raise ddb_client_error(exc, "BatchWriteItem") from None
        if key in seen:
            raise client_error(
                "ValidationException",
                "Provided list of item keys contains duplicates",
                "BatchWriteItem",
            )
        seen.add(key)
