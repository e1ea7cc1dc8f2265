"""boto3.resource("dynamodb") and its Table: DynamoDB's item operations on one table, taking
and giving plain Python values (numbers as Decimal); a Table's batch_writer; each one's
`meta.client`, the low-level client.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from stptui.sim.behavior.boto3_standin.client import Client
from stptui.sim.behavior.boto3_standin.dynamodb import (
    batch_write_operation,
    dynamodb_operations,
    multi_item_operations,
)
from stptui.sim.behavior.boto3_standin.dynamodb_codec import Codec, plain_item_in, with_decimals
from stptui.sim.behavior.boto3_standin.exceptions import SEE_DOCS
from stptui.sim.behavior.boto3_standin.invocation import call_operation, operation_method
from stptui.sim.behavior.errors import shown
from stptui.sim.behavior.handler_batch import MAX_BATCH_WRITE

_PLAIN = Codec(lambda i, w: plain_item_in(i, w), lambda i: with_decimals(i))
_TABLE_OPS = dynamodb_operations(_PLAIN, True)
_BATCH_WRITE = batch_write_operation(_PLAIN)
_BATCH_GET = multi_item_operations(_PLAIN)["batch_get_item"]


class _ResourceMeta:
    """A resource's (and a Table's) `meta`: the low-level client it calls, with its
    `exceptions`, as boto3's ResourceMeta has it."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.service_name = "dynamodb"


class Table:
    """`boto3.resource("dynamodb").Table(name)`: DynamoDB's item operations on one table,
    taking and giving plain Python values (numbers as Decimal)."""

    def __init__(self, name: str, client: Client) -> None:
        if not isinstance(name, str):
            raise TypeError(f"Table name must be a string, not {type(name).__name__}")
        self.name = self.table_name = name
        self.meta = _ResourceMeta(client)

    def batch_writer(self, overwrite_by_pkeys: list[str] | None = None) -> BatchWriter:
        """boto3's BatchWriter of this table: put_item and delete_item are buffered and
        written 25 at a time with BatchWriteItem, and what is left when the block ends."""
        return BatchWriter(self, overwrite_by_pkeys)

    def _target_table(self, params: dict[str, Any]) -> str:
        """The table every operation of this resource names."""
        return self.name

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)  # copy asks before `name` is set
        op = _TABLE_OPS.get(name)
        if op is None or name.startswith("_"):
            raise AttributeError(
                f"stptui's boto3 stand-in has no Table method {name!r}: a Table has "
                f"{', '.join(_TABLE_OPS)}, batch_writer {SEE_DOCS}"
            )
        return operation_method("dynamodb", name, op, self)

    def __repr__(self) -> str:
        return f"dynamodb.Table(name={self.name!r})"


class BatchWriter:
    """`Table.batch_writer()`: a context manager whose put_item and delete_item are kept
    and written with BatchWriteItem 25 at a time (and the rest when the block ends), as
    boto3's BatchWriter writes them; `overwrite_by_pkeys` keeps only the last request of a
    key among those kept."""

    def __init__(self, table: Table, overwrite_by_pkeys: list[str] | None) -> None:
        self._table = table
        if overwrite_by_pkeys is not None and not isinstance(overwrite_by_pkeys, (list, tuple)):
            raise TypeError(
                f"overwrite_by_pkeys must be a list of key names, not {shown(overwrite_by_pkeys)}"
            )
        self._pkeys = list(overwrite_by_pkeys or [])
        self._buffer: list[dict[str, Any]] = []

    def put_item(self, Item: dict[str, Any]) -> None:
        """Keep a PutRequest of `Item`."""
        self._add({"PutRequest": {"Item": Item}}, Item)

    def delete_item(self, Key: dict[str, Any]) -> None:
        """Keep a DeleteRequest of `Key`."""
        self._add({"DeleteRequest": {"Key": Key}}, Key)

    def _add(self, request: dict[str, Any], item: Any) -> None:
        keys = self._keys(item)
        if keys is not None:
            self._buffer = [r for r in self._buffer if self._keys(_item_of(r)) != keys]
        self._buffer.append(request)
        if len(self._buffer) >= MAX_BATCH_WRITE:
            self._flush()

    def _keys(self, item: Any) -> list[Any] | None:
        """The values of `overwrite_by_pkeys` in `item` (None: none to compare)."""
        if not self._pkeys or not isinstance(item, dict):
            return None
        return [item.get(k) for k in self._pkeys]

    def _flush(self) -> None:
        batch, self._buffer = self._buffer[:MAX_BATCH_WRITE], self._buffer[MAX_BATCH_WRITE:]
        params = {"RequestItems": {self._table.name: batch}}
        call_operation("dynamodb", "batch_write_item", _BATCH_WRITE, self._table, params)

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # boto3 writes what is kept even when the block raised.
        while self._buffer:
            self._flush()


def _item_of(request: dict[str, Any]) -> Any:
    """A kept request's Item or Key."""
    ((_, body),) = request.items()
    ((_, item),) = body.items()
    return item


class DynamoDBResource:
    """`boto3.resource("dynamodb")`: its `Table`, `batch_write_item`, `batch_get_item` and
    `meta.client`."""

    def __init__(self, client: Client) -> None:
        self.meta = _ResourceMeta(client)

    def Table(self, name: str) -> Table:
        """The stand-in of one table."""
        return Table(name, self.meta.client)

    def batch_write_item(self, **params: Any) -> dict[str, Any]:
        """BatchWriteItem of plain Python items (numbers as Decimal)."""
        return call_operation("dynamodb", "batch_write_item", _BATCH_WRITE, self, params)

    def batch_get_item(self, **params: Any) -> dict[str, Any]:
        """BatchGetItem answering plain Python items (numbers as Decimal)."""
        return call_operation("dynamodb", "batch_get_item", _BATCH_GET, self, params)

    def _target_table(self, params: dict[str, Any]) -> str:
        return str(params["TableName"])

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"stptui's boto3 stand-in's dynamodb resource has Table, batch_write_item, "
            f"batch_get_item and meta.client, not {name!r}"
        )
