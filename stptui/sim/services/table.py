"""DynamoDB tables, their streams, and the Lambda event source mappings that read them.

A `dynamo-db-table` holds items keyed by its primary key (`primaryKey.partitionKey`, and
`sortKey` when it has one). PutItem replaces the whole item with that key; DeleteItem removes
it; UpdateItem changes it (or creates it) with an update expression, and any of the three
may carry a condition (stptui.sim.ddb_expressions). Each write is checked as DynamoDB checks
it: the key, the key attributes of the table's `secondaryIndexes`, the item's size. With
`streamType` the table has a stream: each write that changes an item appends one stream
record (INSERT for a new key, MODIFY for a changed item, REMOVE for a deleted one) carrying
the key and the images `streamType` asks for. A write that changes nothing (an identical
put, an update that leaves the item as it was, a delete of a missing key) writes no record.
The stream keeps records 24 hours, in one shard per table, so every item's records keep
their order.

`dynamo-db-stream` events of functions and batch jobs read the stream through the same
event source mapping as Kinesis (stptui.sim.services.stream: batches, the window, lanes,
retries that block the shard, bisection, maximumRetryAttempts, the on-failure record); only
the event, the on-failure record's `DDBStreamBatchInfo` and the poll rate (4 times a second)
differ. docs/fidelity.md ("DynamoDB tables and streams") has the sources.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui.sim import ddbjson
from stptui.sim import trace as tk
from stptui.sim.clock import iso_ms
from stptui.sim.services.stream import (
    Shard,
    StreamConsumer,
    StreamSource,
    attach,
    lookup_named,
)

if TYPE_CHECKING:
    from stptui.config.model import Resource, Trigger
    from stptui.sim.behavior import Emission
    from stptui.sim.ddb_expressions import Prepared
    from stptui.sim.engine import Simulator

# Stacktape's key attribute types (`DynamoDbAttribute.type`) and DynamoDB's descriptors.
KEY_TYPES = {"string": "S", "number": "N", "binary": "B"}
VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
# DynamoDB streams keep records for 24 hours; it cannot be changed.
RETENTION_MS = 24 * 3_600_000
# Lambda polls the shards of a DynamoDB stream "at a base rate of 4 times per second".
POLL_INTERVAL_MS = 250
# "Partition key length: 2048 bytes", "Sort key length: 1024 bytes" (Service quotas: Attributes).
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024
# Each record's share of an invocation payload beyond its JSON (the list's punctuation).
RECORD_OVERHEAD_BYTES = 2


@dataclass(frozen=True, slots=True)
class Expressions:
    """A write's expressions and placeholders, as the AWS CLI's `--update-expression`,
    `--condition-expression`, `--expression-attribute-names` and `-values` take them."""

    update: str | None = None
    condition: str | None = None
    names: Any = None
    values: Any = None


def prepare_expressions(
    expr: Expressions | None, null_text: str, key: list[tuple[str, str]] | None = None
) -> Prepared:
    """A write's expressions checked as DynamoDB does before it reads the item (`key`: the
    table's key attributes, which an update cannot change; `null_text` ends the message for
    placeholders given without an expression). The writes and transactions share it."""
    # Lazily: the expression grammar loads with the first write that has expressions, not
    # with every stack that has a table.
    from stptui.sim import ddb_expressions

    expr = expr or Expressions()
    return ddb_expressions.prepare(
        update=expr.update,
        condition=expr.condition,
        names=expr.names,
        values=expr.values,
        key_names=tuple(n for n, _ in key or ()),
        null_text=null_text,
    )


class TableShard(Shard):
    """The one shard of a table's stream."""

    def __init__(self, table_index: int, name: str, created_ms: int) -> None:
        super().__init__(table_index, 0, 1)
        # DynamoDB's shape: the shard's creation time and 8 hex digits.
        tail = hashlib.md5(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        self.id = f"shardId-{created_ms:020d}-{tail}"
        self._prefix = str(table_index + 1)

    def upcoming_sequence_number(self, now: int) -> str:
        """A decimal sequence number of at least 21 digits that grows within the shard (the
        table's number first, so that it is unique in the simulation)."""
        return f"{self._prefix}{self._count + 1:020d}"


class TableRecord:
    """One stream record of a table."""

    __slots__ = (
        "arrival_ms",
        "event",
        "event_name",
        "expired",
        "lane_key",
        "payload_bytes",
        "sequence_number",
        "shard",
    )

    def __init__(
        self, event: dict[str, Any], hash_key: int, shard: Shard, seq: str, now: int
    ) -> None:
        self.event = event
        self.event_name: str = event["eventName"]
        # The MD5 of the partition key: the lane under a parallelization factor
        # (stream.StreamConsumer._lane).
        self.lane_key = hash_key
        self.shard = shard
        self.sequence_number = seq
        self.arrival_ms = now
        self.expired = False
        self.payload_bytes = len(json.dumps(event)) + RECORD_OVERHEAD_BYTES


class TableStream(StreamSource):
    """A table's stream: what a `dynamo-db-stream` event's mapping reads."""

    trigger = "dynamodb"
    batch_info_key = "DDBStreamBatchInfo"
    poll_interval_ms = POLL_INTERVAL_MS

    def __init__(self, table: TableSim, index: int, view_type: str) -> None:
        sim = table.sim
        super().__init__(sim, table.name, table.stream_arn, RETENTION_MS)
        self.view_type = view_type
        self.shards = [TableShard(index, table.name, sim.start_ms)]

    def event(self, records: list[Any], consumer: StreamConsumer) -> dict[str, Any]:
        """The DynamoDB Streams event Lambda hands the function (a copy per invocation: a
        handler may change what it is given)."""
        return {"Records": [copy.deepcopy(r.event) for r in records]}

    def arrival_text(self, ms: int) -> str:
        """DynamoDB's on-failure record gives arrival times to the second."""
        return iso_ms(ms - ms % 1000)[:19] + "Z"

    def write(
        self,
        name: str,
        keys: dict[str, Any],
        new: dict[str, Any] | None,
        old: dict[str, Any] | None,
        hash_key: int,
    ) -> TableRecord:
        """Append the stream record of one change."""
        now = self.sim.clock.now
        shard = self.shards[0]
        seq = shard.next_sequence_number(now)
        event = self.record_event(name, keys, new, old, seq, self.sim.new_id(), now)
        record = TableRecord(event, hash_key, shard, seq, now)
        self.append(record)
        return record

    def example_event(
        self, keys: dict[str, Any], item: dict[str, Any], event_id: str
    ) -> dict[str, Any]:
        """The event a mapping of the stream hands its function when `item` (DynamoDB JSON,
        with `keys`) is put now where there was none: an INSERT, with the sequence number
        the next record gets; nothing is drawn, kept or traced (`invoke`'s offers)."""
        return {"Records": [self.example_record(keys, item, event_id).event]}

    def example_record(
        self, keys: dict[str, Any], item: dict[str, Any], event_id: str
    ) -> TableRecord:
        """The stream record of `item`'s INSERT now (`example_event`'s record), as `write`
        would append it; nothing is drawn, kept or traced."""
        now = self.sim.clock.now
        shard = self.shards[0]
        seq = shard.upcoming_sequence_number(now)
        event = self.record_event("INSERT", keys, item, None, seq, event_id, now)
        return TableRecord(event, TableSim.key_hash(keys), shard, seq, now)

    def record_event(
        self,
        name: str,
        keys: dict[str, Any],
        new: dict[str, Any] | None,
        old: dict[str, Any] | None,
        seq: str,
        event_id: str,
        now: int,
    ) -> dict[str, Any]:
        """The stream record of one change, as its event's `Records` hold it (`event_id` a
        UUID, written without its dashes)."""
        view = self.view_type
        data: dict[str, Any] = {"ApproximateCreationDateTime": now // 1000, "Keys": keys}
        images = 0
        if new is not None and view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
            data["NewImage"] = new
            images += ddbjson.item_size(new)
        if old is not None and view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
            data["OldImage"] = old
            images += ddbjson.item_size(old)
        data["SequenceNumber"] = seq
        data["SizeBytes"] = ddbjson.item_size(keys) + images
        data["StreamViewType"] = view
        return {
            "eventID": event_id.replace("-", ""),
            "eventName": name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": self.sim.region,
            "dynamodb": data,
            "eventSourceARN": self.arn,
        }


class TableSim:
    """The simulated state of one DynamoDB table."""

    def __init__(
        self, sim: Simulator, res: Resource, index: int, key: list[tuple[str, str]]
    ) -> None:
        self.sim = sim
        self.name = res.name
        self.arn = sim.resource_param(res.name, "arn")
        self.stream_arn = sim.resource_param(res.name, "streamArn")
        self.key = key
        self.indexes = index_key_schemas(res)
        self.items: dict[tuple[str, ...], dict[str, Any]] = {}
        view = res.properties.get("streamType")
        self.stream = TableStream(self, index, view) if view in VIEW_TYPES else None

    # -- keys ----------------------------------------------------------------------------

    def key_of(self, item: dict[str, Any], *, only_key: bool = False) -> dict[str, Any]:
        """The key attributes of `item` (checked and canonical), or DynamoDBError."""
        if only_key and (len(item) != len(self.key) or any(n not in item for n, _ in self.key)):
            raise ddbjson.DynamoDBError(
                "The provided key element does not match the schema",
                f"a key of {self.name} has exactly {self.key_text()}",
            )
        keys: dict[str, Any] = {}
        for name, kind in self.key:
            value = item.get(name)
            if value is None:
                raise ddbjson.DynamoDBError(
                    f"One or more parameter values were invalid: Missing the key {name} in "
                    "the item",
                    f"an item of {self.name} has {self.key_text()}",
                )
            actual = next(iter(value))
            if actual != kind and only_key:
                # A Key parameter (DeleteItem, UpdateItem) is matched against the schema
                # whole; only PutItem's Item names the attribute and its types.
                raise ddbjson.DynamoDBError(
                    "The provided key element does not match the schema",
                    f"a key of {self.name} has exactly {self.key_text()}",
                )
            if actual != kind:
                raise ddbjson.DynamoDBError(
                    f"One or more parameter values were invalid: Type mismatch for key {name} "
                    f"expected: {kind} actual: {actual}",
                    f"write it as {{{json.dumps(name)}: {{{json.dumps(kind)}: ...}}}}",
                )
            if value[kind] == "":
                noun = "string" if kind == "S" else "binary"
                raise ddbjson.DynamoDBError(
                    "One or more parameter values are not valid. The AttributeValue for a key "
                    f"attribute cannot contain an empty {noun} value. Key: {name}",
                    "a key attribute needs at least one character",
                )
            limit = MAX_PARTITION_KEY_BYTES if not keys else MAX_SORT_KEY_BYTES
            if ddbjson.value_size(value) > limit:
                # DynamoDB's two wordings differ, down to the missing space in "of2048".
                what = (
                    f"Size of hashkey has exceeded the maximum size limit of{limit} bytes"
                    if not keys
                    else f"Aggregated size of all range keys has exceeded the size limit of "
                    f"{limit} bytes"
                )
                raise ddbjson.DynamoDBError(
                    f"One or more parameter values were invalid: {what}",
                    f"a partition key holds at most {MAX_PARTITION_KEY_BYTES} bytes, a sort key "
                    f"{MAX_SORT_KEY_BYTES}",
                )
            keys[name] = value
        return keys

    def check_index_keys(self, item: dict[str, Any]) -> None:
        """DynamoDBError when `item` gives a key attribute of a secondary index another type
        than the index's, or an empty string or binary. An item without the attribute is
        taken: it is just not in that index (a sparse index)."""
        for index, attributes in self.indexes:
            for name, kind in attributes:
                value = item.get(name)
                if value is None:
                    continue
                actual = next(iter(value))
                if actual != kind:
                    raise ddbjson.DynamoDBError(
                        "One or more parameter values were invalid: Type mismatch for Index "
                        f"Key {name} Expected: {kind} Actual: {actual} IndexName: {index}",
                        f"index {index} of {self.name} reads {name} as {kind}: write it as "
                        f"{{{json.dumps(name)}: {{{json.dumps(kind)}: ...}}}}, or leave it out",
                    )
                if value[kind] == "":
                    noun = "string" if kind == "S" else "binary"
                    raise ddbjson.DynamoDBError(
                        "One or more parameter values are not valid. A value specified for a "
                        "secondary index key is not supported. The AttributeValue for a key "
                        f"attribute cannot contain an empty {noun} value. IndexName: {index}, "
                        f"IndexKey: {name}",
                        f"leave {name} out (the item is then not in {index}) or give it a value",
                    )

    def get(self, raw_key: Any) -> dict[str, Any] | None:
        """The item with the key `raw_key` (DynamoDB JSON, checked), or None."""
        keys = self.key_of(ddbjson.check_item(raw_key, "Key"), only_key=True)
        return self.items.get(self.item_key(keys))

    def key_text(self) -> str:
        """`id (S)` or `id (S), ts (N)`: the key attributes and their types."""
        return ", ".join(f"{n} ({k})" for n, k in self.key)

    @staticmethod
    def item_key(keys: dict[str, Any]) -> tuple[str, ...]:
        """What `items` holds the item of `keys` (its key attributes, in DynamoDB JSON) under:
        the attributes' values, in the table's key order."""
        return tuple(next(iter(v.values())) for v in keys.values())

    @staticmethod
    def key_hash(keys: dict[str, Any]) -> int:
        """The MD5 of the partition key of `keys`, as a number: a record's lane."""
        # The partition key picks a record's lane with parallelizationFactor, as it picks a
        # partition: records of one item stay in order.
        first = json.dumps(next(iter(keys.values())), sort_keys=True)
        return int.from_bytes(hashlib.md5(first.encode("utf-8", "surrogatepass")).digest())

    # -- writes --------------------------------------------------------------------------

    def put(
        self, raw: Any, source: str = "command", expr: Expressions | None = None
    ) -> tuple[str | None, TableRecord | None]:
        """PutItem: the item replaces any item with its key, when `expr`'s condition (if
        any) holds for the item stored. Returns the change (INSERT, MODIFY, or None when the
        item was already there as it is) and its stream record."""
        item = ddbjson.check_item(raw)
        keys = self.key_of(item)
        self.check_index_keys(item)
        prepared = prepare_expressions(expr, "ConditionExpression is null")
        size = ddbjson.item_size(item)
        if size > ddbjson.MAX_ITEM_BYTES:
            raise ddbjson.DynamoDBError(
                "Item size has exceeded the maximum allowed size",
                f"an item holds at most 400 KB; this one is {size:,} bytes",
            )
        index = self.item_key(keys)
        old = self.items.get(index)
        prepared.require(old)
        return self._write(tk.ITEM_PUT, keys, old, item, source)

    def batch_key(self, raw: Any, *, delete: bool) -> tuple[str, ...]:
        """BatchWriteItem's check of one PutRequest's item or DeleteRequest's key, made for
        every request before any is written (DynamoDB refuses the whole batch): the item's
        key, or DynamoDBError."""
        item = ddbjson.check_item(raw, "Key" if delete else "Item")
        keys = self.key_of(item, only_key=delete)
        if not delete:
            self.check_index_keys(item)
            if ddbjson.item_size(item) > ddbjson.MAX_ITEM_BYTES:
                raise ddbjson.DynamoDBError("Item size has exceeded the maximum allowed size")
        return self.item_key(keys)

    def update(
        self, raw_key: Any, expr: Expressions, source: str = "command"
    ) -> tuple[str | None, TableRecord | None]:
        """UpdateItem: apply `expr`'s update to the item with the key (creating it when
        there is none), when its condition (if any) holds. Returns the change (INSERT,
        MODIFY, or None when the update left the item as it was) and its stream record."""
        key = ddbjson.check_item(raw_key, "Key")
        keys = self.key_of(key, only_key=True)
        prepared = prepare_expressions(
            expr, "UpdateExpression and ConditionExpression are null", self.key
        )
        index = self.item_key(keys)
        old = self.items.get(index)
        prepared.require(old)
        item = prepared.apply(old if old is not None else copy.deepcopy(keys))
        self.check_index_keys(item)
        size = ddbjson.item_size(item)
        if size > ddbjson.MAX_ITEM_BYTES:
            raise ddbjson.DynamoDBError(
                "Item size to update has exceeded the maximum allowed size",
                f"an item holds at most 400 KB; after this update it would be {size:,} bytes",
            )
        return self._write(tk.ITEM_UPDATED, keys, old, item, source)

    def _write(
        self,
        kind: str,
        keys: dict[str, Any],
        old: dict[str, Any] | None,
        item: dict[str, Any],
        source: str,
    ) -> tuple[str | None, TableRecord | None]:
        """Store `item` in place of `old` and write the stream record of the change."""
        if old is not None and ddbjson.same_item(old, item):
            name = None
        else:
            name = "INSERT" if old is None else "MODIFY"
            self.items[self.item_key(keys)] = item
        record = None
        if name is not None and self.stream is not None:
            record = self.stream.write(name, keys, item, old, self.key_hash(keys))
        self._trace(kind, keys, name, record, source, ddbjson.item_size(item))
        return name, record

    def delete(
        self, raw: Any, source: str = "command", expr: Expressions | None = None
    ) -> tuple[bool, TableRecord | None]:
        """DeleteItem: remove the item with the key `raw`, when `expr`'s condition (if any)
        holds for it. Returns whether there was one, and the REMOVE stream record."""
        key = ddbjson.check_item(raw, "Key")
        keys = self.key_of(key, only_key=True)
        prepared = prepare_expressions(expr, "ConditionExpression is null")
        index = self.item_key(keys)
        prepared.require(self.items.get(index))
        old = self.items.pop(index, None)
        if old is None:
            return False, None
        record = None
        if self.stream is not None:
            record = self.stream.write("REMOVE", keys, None, old, self.key_hash(keys))
        self._trace(tk.ITEM_DELETED, keys, "REMOVE", record, source, None)
        return True, record

    def _trace(
        self,
        kind: str,
        keys: dict[str, Any],
        name: str | None,
        record: TableRecord | None,
        source: str,
        size: int | None,
    ) -> None:
        data: dict[str, Any] = {"key": json.dumps(keys, separators=(",", ":"))}
        if kind != tk.ITEM_DELETED:
            data["event_name"] = name
            data["size"] = size
        if record is not None:
            data["sequence_number"] = record.sequence_number
            data["shard"] = record.shard.id
        data["source"] = source
        self.sim.trace.emit((self.sim.clock.now, kind, self.name, data))


def key_schema(res: Resource) -> list[tuple[str, str]] | None:
    """The table's key attributes and DynamoDB types, or None when `primaryKey` is not one
    (validate reports it)."""
    primary = res.properties.get("primaryKey")
    if not isinstance(primary, dict):
        return None
    out = []
    for part in ("partitionKey", "sortKey"):
        spec = primary.get(part)
        if spec is None and part == "sortKey":
            break
        if not isinstance(spec, dict):
            return None
        name, kind = spec.get("name"), KEY_TYPES.get(str(spec.get("type")))
        if not isinstance(name, str) or not name or kind is None:
            return None
        out.append((name, kind))
    return out


def index_key_schemas(res: Resource) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each secondary index's name and key attributes with their DynamoDB types, in
    config order (partition key, then sort key); an entry `validate` refuses is left out."""
    indexes = res.properties.get("secondaryIndexes")
    out = []
    for entry in indexes if isinstance(indexes, list) else ():
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            continue
        attributes = []
        for part in ("partitionKey", "sortKey"):
            spec = entry.get(part)
            if not isinstance(spec, dict):
                continue
            attr, kind = spec.get("name"), KEY_TYPES.get(str(spec.get("type")))
            if isinstance(attr, str) and attr and kind is not None:
                attributes.append((attr, kind))
        out.append((name, attributes))
    return out


def lookup_table(sim: Simulator, name: str) -> TableSim:
    """The table called `name`, or a SimError with a did-you-mean."""
    keyless = (
        f"{name!r} has no valid primaryKey, so it is not simulated",
        "give it primaryKey: {partitionKey: {name: id, type: string}}",
    )
    tables = sim.services["tables"]
    return lookup_named(
        sim,
        tables,
        name,
        "dynamo-db-table",
        "dynamo-db tables in this stack",
        {"dynamo-db-table": keyless},
    )


def table_of(tables: dict[str, TableSim], trig: Trigger) -> TableSim | None:
    """The stack table whose stream a `dynamo-db-stream` event reads, or None (an ARN outside
    the stack, or a table without a stream)."""
    arn = trig.properties.get("streamArn")
    named = getattr(arn, "resource", None)
    table = None
    if isinstance(named, str) and getattr(arn, "param", None) == "streamArn":
        table = tables.get(named)
    elif isinstance(arn, str):
        table = next((t for t in tables.values() if t.stream_arn == arn), None)
    return table if table is not None and table.stream is not None else None


def item_emission(sim: Simulator, emission: Emission, source: str) -> dict[str, Any]:
    """A handler's `putItem` / `deleteItem` / `updateItem` emission, as `put-item` /
    `delete-item` / `update-item` do it (SimError with DynamoDB's error text when refused);
    a Python handler's `returnValues` (ALL_OLD, ...) answers the item's Attributes as
    DynamoDB JSON."""
    from stptui.sim.engine import SimError

    table = lookup_table(sim, emission.target)
    fields = emission.fields
    returns = fields.get("returnValues")
    expr: Expressions | None = None
    try:
        key = fields["item"] if emission.kind == "putItem" else fields["key"]
        old = None
        if returns:
            if emission.kind == "putItem":
                key = table.key_of(ddbjson.check_item(key))
            old = table.get(key)
        if emission.kind == "putItem":
            # A Python handler's put_item may have a condition (and its placeholders).
            condition = fields.get("condition")
            if condition is not None or fields.get("names") or fields.get("values"):
                expr = Expressions(None, condition, fields.get("names"), fields.get("values"))
            table.put(fields["item"], source, expr)
        elif emission.kind == "updateItem":
            expr = Expressions(
                fields["update"], fields["condition"], fields["names"], fields["values"]
            )
            table.update(key, expr, source)
        else:
            table.delete(key, source)
        new = table.get(key) if returns else None
    except ddbjson.DynamoDBError as exc:
        raise SimError(str(exc), exc.hint) from None
    return returned_attributes(returns or "NONE", old, new, expr)


def returned_attributes(
    returns: str, old: dict[str, Any] | None, new: dict[str, Any] | None, expr: Any
) -> dict[str, Any]:
    """A write's answer for its ReturnValues: `{"Attributes": item}` of the item as it was
    (ALL_OLD, UPDATED_OLD) or as it is (ALL_NEW, UPDATED_NEW), `{}` when there is none.
    UPDATED_* keep the attributes the update expression names (the whole top-level
    attribute for a nested path: a choice, docs/fidelity.md)."""
    from stptui.sim import ddb_expressions

    item = old if returns in ("ALL_OLD", "UPDATED_OLD") else None
    if returns in ("ALL_NEW", "UPDATED_NEW"):
        item = new
    if item is None:
        return {}
    if returns.startswith("UPDATED_"):
        prepared = (
            ddb_expressions.prepare(update=expr.update, names=expr.names, values=expr.values)
            if expr is not None and expr.update is not None
            else None
        )
        named = {a.path.elements[0] for a in prepared.actions} if prepared else set()
        item = {k: v for k, v in item.items() if k in named}
        if not item:
            return {}
    return {"Attributes": copy.deepcopy(item)}


def wire(sim: Simulator) -> None:
    """Build the stack's tables and the mappings of its functions' and batch jobs'
    `dynamo-db-stream` events, in config order."""
    tables: dict[str, TableSim] = {}
    sim.services["tables"] = tables
    found = [r for r in sim.stack.resources.values() if r.type == "dynamo-db-table"]
    for kind in ("putItem", "deleteItem", "updateItem"):
        sim.emission_handlers[kind] = lambda e, source: item_emission(sim, e, source)
    for i, res in enumerate(found):
        key = key_schema(res)
        if key is not None:
            tables[res.name] = TableSim(sim, res, i, key)
    for w in sim.stack.workloads:
        for trig in w.events:
            if trig.type != "dynamo-db-stream":
                continue
            table = table_of(tables, trig)
            if table is None or (w.type == "function" and w.name not in sim.functions):
                continue
            assert table.stream is not None
            attach(sim, table.stream, w, trig)
