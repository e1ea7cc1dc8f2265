"""A Python handler's reads of the stack: `context.get_object`, `head_object`, `list_objects`,
`get_item`, `query` and `scan`, with S3's and DynamoDB's semantics over the simulation's state.

A read answers at once, from the state at the instant the handler runs (its invocation's
start; a `context.sleep` does not move it), with the writes the handler made at the call; its
writes made after a sleep happen later, at their own instant, and a read does not see them.
A read leaves no trace record (AWS writes no event for one) and draws no random number or
id, so a run's trace does not depend on what its handlers read. What a read hands back is a
new object: changing it changes nothing in the simulation. docs/fidelity.md ("Python
handlers' reads") has the sources and the choices.

Refusals are raised as boto3 raises them: a `ClientError` (stptui.config.permissions) whose
class is the one botocore makes for an error the service's model names (`NoSuchKey`,
`NoSuchBucket`, `InvalidObjectState`, `ResourceNotFoundException`), so that an unhandled one
fails the invocation with that errorType; `ClientError` itself for the others (AccessDenied,
ValidationException, HeadObject's bodiless `404` and `403`); `client_error` makes the
refusals of the handler's writes too. A call stptui cannot make (an argument of the wrong
type, an object uploaded with a size only) raises `BehaviorError`.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from stptui.config.permissions import ClientError, Denial
from stptui.sim import ddbjson
from stptui.sim.behavior.errors import BehaviorError, compact_json, shown
from stptui.sim.behavior.outcome import EmissionKind
from stptui.sim.s3_restore import restore_header

if TYPE_CHECKING:
    from stptui.sim.behavior.runtime import Behaviors
    from stptui.sim.engine import Simulator
    from stptui.sim.services.bucket import BucketSim, S3Object
    from stptui.sim.services.table import TableSim

# ListObjectsV2 returns at most 1,000 keys a request, whatever MaxKeys asks.
MAX_KEYS = 1000
# GetObject/HeadObject's ContentType for an object stored without one.
DEFAULT_CONTENT_TYPE = "binary/octet-stream"
# S3's default encryption since January 2023 (SSE-S3), reported by every read.
SSE = "AES256"
# GetObject's refusal of an archived object that has no restored copy.
ARCHIVED_MESSAGE = "The operation is not valid for the object's storage class"
NO_SUCH_BUCKET = "The specified bucket does not exist"
NO_SUCH_KEY = "The specified key does not exist."


class NoSuchKey(ClientError):
    """S3's NoSuchKey (GetObject of a key with no object), as botocore names its class."""


class NoSuchBucket(ClientError):
    """S3's NoSuchBucket (GetObject, ListObjectsV2 of a bucket that does not exist)."""


class InvalidObjectState(ClientError):
    """S3's InvalidObjectState (GetObject of an archived object not restored)."""


class ResourceNotFoundException(ClientError):
    """DynamoDB's ResourceNotFoundException (a table that does not exist)."""


class ConditionalCheckFailedException(ClientError):
    """DynamoDB's ConditionalCheckFailedException (a write whose condition does not hold)."""


class GoneException(ClientError):
    """API Gateway's GoneException (PostToConnection to a closed connection)."""


# The errors each service's model names: botocore makes a class of each (`s3.exceptions.
# NoSuchKey`), and an unhandled one is reported under that class's name.
_MODELED: dict[str, type[ClientError]] = {
    "NoSuchKey": NoSuchKey,
    "NoSuchBucket": NoSuchBucket,
    "InvalidObjectState": InvalidObjectState,
    "ResourceNotFoundException": ResourceNotFoundException,
    "ConditionalCheckFailedException": ConditionalCheckFailedException,
    "GoneException": GoneException,
}


def client_error(error_code: str, message: str, operation: str) -> ClientError:
    """The botocore-style error of AWS's `error_code` (a modelled class where boto3 has one)."""
    return _MODELED.get(error_code, ClientError)(Denial(error_code, message, operation))


def _unknown(message: str, exc: BehaviorError) -> str:
    """AWS's message for a resource that does not exist, with stptui's word on the name the
    stack lacks (the did-you-mean), since the name is most often a typo."""
    why = f"{exc}; {exc.hint}" if exc.hint else str(exc)
    return f"{message} (stptui: {why})"


def _text(value: Any, what: str, call: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value):
        kind = "a string" if empty else "a non-empty string"
        raise BehaviorError(f"{call}: {what} must be {kind}, not {shown(value)}")
    return value


def _optional_text(value: Any, what: str, call: str) -> str | None:
    return None if value is None else _text(value, what, call)


def _count(value: Any, what: str, call: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BehaviorError(f"{call}: {what} must be a whole number, not {shown(value)}")
    return value


def _plain_object(value: Any, what: str, call: str) -> dict[str, Any]:
    """A plain JSON object (a key, ExpressionAttributeValues) in DynamoDB JSON, marshalled
    as DocumentClient and boto3's resource marshal it."""
    if not isinstance(value, dict):
        raise BehaviorError(
            f"{call}: {what} must be a JSON object, not {shown(value)}; write plain JSON, as "
            "DocumentClient takes it: {'id': order_id}"
        )
    compact_json(value, f"context.{call}: {what}")
    return ddbjson.from_plain_item(value)


def _names(value: Any, call: str) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise BehaviorError(
            f"{call}: names must map placeholders to attribute names, not {shown(value)}; "
            'e.g. names={"#s": "status"}'
        )
    return value


def _instant(ms: int, *, whole_seconds: bool) -> datetime:
    """A timestamp as boto3 parses it: an aware UTC datetime. HeadObject's comes from the
    Last-Modified header, in whole seconds; ListObjectsV2's XML has milliseconds."""
    if whole_seconds:
        ms -= ms % 1000
    return datetime.fromtimestamp(ms / 1000, UTC)


def _utf8(key: str) -> bytes:
    return key.encode("utf-8", "surrogatepass")


class Reads:
    """The reads of one invocation: its simulation, and the role they are made with."""

    __slots__ = ("_behaviors", "_request_id", "_role", "_sim")

    def __init__(
        self, behaviors: Behaviors, sim: Simulator | None, role: str, request_id: str
    ) -> None:
        self._behaviors = behaviors
        self._sim = sim
        self._role = role
        self._request_id = request_id

    # -- the checks every read makes --------------------------------------------------------

    def _simulation(self, call: str) -> Simulator:
        if self._sim is None:
            raise BehaviorError(f"{call}: there is no simulation to read here")
        return self._sim

    def _resolve(self, write_kind: EmissionKind, target: str) -> str:
        """The stack's name of the resource `target` names, looked up as the write methods
        look up theirs (`write_kind` is the write of the same resource type: `put` for a
        bucket, `putItem` for a table), so that a read takes every name a write takes;
        BehaviorError when the stack has none."""
        return self._behaviors.check_target(write_kind, target)

    def _denial(self, kind: str, target: str, fields: dict[str, Any]) -> Denial | None:
        """The role's refusal of the call, as for a write (None: allowed)."""
        return self._behaviors.permissions.check(self._role, kind, target, fields, self._request_id)

    def _check(self, kind: str, target: str, fields: dict[str, Any]) -> None:
        denial = self._denial(kind, target, fields)
        if denial is not None:
            raise ClientError(denial)

    # -- S3 ---------------------------------------------------------------------------------

    def _bucket(self, bucket: Any, call: str, operation: str) -> BucketSim:
        sim = self._simulation(call)
        _text(bucket, "the bucket", call)
        try:
            name = self._resolve("put", bucket)
        except BehaviorError as exc:
            if operation == "HeadObject":  # a HEAD answer has no body: botocore has the status
                raise client_error("404", _unknown("Not Found", exc), operation) from None
            raise client_error("NoSuchBucket", _unknown(NO_SUCH_BUCKET, exc), operation) from None
        return sim.services["buckets"].buckets[name]

    def _version(self, b: BucketSim, key: str, version_id: str | None, operation: str) -> S3Object:
        """The object GetObject or HeadObject reads, after the role's check of the call."""
        kind = "getObject" if version_id is None else "getObjectVersion"
        denial = self._denial(kind, b.name, {"key": key})
        head = operation == "HeadObject"
        if denial is not None:
            raise client_error("403", "Forbidden", operation) if head else ClientError(denial)
        if version_id is None:
            obj = b.objects.get(key)
            if obj is None:
                # Without s3:ListBucket S3 does not say whether the key exists: 403, not 404.
                listing = self._denial("listObjects", b.name, {})
                if listing is not None:
                    if head:
                        raise client_error("403", "Forbidden", operation)
                    raise ClientError(Denial(listing.code, listing.message, operation))
                if head:
                    raise client_error("404", "Not Found", operation)
                raise client_error("NoSuchKey", NO_SUCH_KEY, operation)
            return obj
        found = next((o for o in b.versions.get(key, []) if o.version_id == version_id), None)
        if found is None:
            if head:
                raise client_error("404", "Not Found", operation)
            raise client_error("NoSuchVersion", "The specified version does not exist.", operation)
        if found.delete_marker:
            # A delete marker has no data: GET and HEAD of it are 405 Method Not Allowed.
            if head:
                raise client_error("405", "Method Not Allowed", operation)
            raise client_error(
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
                operation,
            )
        return found

    def get_object(self, bucket: Any, key: Any, version_id: Any = None) -> bytes:
        """S3 GetObject: the object's bytes, as boto3's `Body.read()` gives them."""
        call = "get_object"
        b = self._bucket(bucket, call, "GetObject")
        key = _text(key, "the key", call)
        obj = self._version(b, key, _optional_text(version_id, "version_id", call), "GetObject")
        if not obj.readable:
            raise client_error("InvalidObjectState", ARCHIVED_MESSAGE, "GetObject")
        if obj.content is None:
            # The message is all a user sees of an exception in a handler: the fix goes in it.
            raise BehaviorError(
                f"get_object: {b.name}/{key} was uploaded with a size only "
                f"({obj.size:,} bytes): stptui has no bytes to read; upload it with --content "
                "or --from, or read its size with head_object"
            )
        return bytes(obj.content)

    def head_object(self, bucket: Any, key: Any, version_id: Any = None) -> dict[str, Any]:
        """S3 HeadObject: the object's metadata, keyed as boto3's response is."""
        call = "head_object"
        b = self._bucket(bucket, call, "HeadObject")
        key = _text(key, "the key", call)
        obj = self._version(b, key, _optional_text(version_id, "version_id", call), "HeadObject")
        out: dict[str, Any] = {
            "AcceptRanges": "bytes",
            "LastModified": _instant(obj.last_modified, whole_seconds=True),
            "ContentLength": obj.size,
            "ETag": f'"{obj.etag}"',
            "ContentType": obj.content_type or DEFAULT_CONTENT_TYPE,
            "ServerSideEncryption": SSE,
            "Metadata": {},
        }
        if obj.restore is not None:
            out["Restore"] = restore_header(obj.restore.expiry)
        if obj.storage_class != "STANDARD":
            # S3 sends x-amz-storage-class for every class but STANDARD.
            out["StorageClass"] = obj.storage_class
        if obj.version_id is not None:
            out["VersionId"] = obj.version_id
        return out

    def list_objects(
        self, bucket: Any, prefix: Any = "", max_keys: Any = MAX_KEYS, start_after: Any = None
    ) -> dict[str, Any]:
        """S3 ListObjectsV2: the current objects whose keys start with `prefix`, in UTF-8
        binary order, after `start_after`, at most `max_keys` (and 1,000) of them."""
        call = "list_objects"
        b = self._bucket(bucket, call, "ListObjectsV2")
        prefix = _text(prefix, "the prefix", call, empty=True)
        after = None if start_after is None else _text(start_after, "start_after", call, empty=True)
        wanted = _count(max_keys, "max_keys", call)
        wanted = MAX_KEYS if wanted is None else wanted
        self._check("listObjects", b.name, {})
        if wanted < 0:
            raise client_error(
                "InvalidArgument",
                "Argument maxKeys must be an integer between 0 and 2147483647",
                "ListObjectsV2",
            )
        limit = min(wanted, MAX_KEYS)
        floor = _utf8(after) if after is not None else b""
        keys = sorted((k for k in b.objects if k.startswith(prefix)), key=_utf8)
        keys = [k for k in keys if _utf8(k) > floor]
        page = keys[:limit]
        out: dict[str, Any] = {"IsTruncated": len(keys) > limit}
        if page:
            # boto3 leaves Contents out of an empty listing.
            out["Contents"] = [
                {
                    "Key": k,
                    "LastModified": _instant(b.objects[k].last_modified, whole_seconds=False),
                    "ETag": f'"{b.objects[k].etag}"',
                    "Size": b.objects[k].size,
                    "StorageClass": b.objects[k].storage_class,
                }
                for k in page
            ]
        out.update(Name=b.aws_name, Prefix=prefix, MaxKeys=wanted, KeyCount=len(page))
        if after is not None:
            out["StartAfter"] = after
        return out

    # -- DynamoDB ---------------------------------------------------------------------------

    def _table(self, table: Any, call: str, operation: str) -> TableSim:
        sim = self._simulation(call)
        if not isinstance(table, str) or not table:
            raise BehaviorError(f"{call}: the table must be a non-empty string, not {shown(table)}")
        try:
            name = self._resolve("putItem", table)
        except BehaviorError as exc:
            message = _unknown(f"Requested resource not found: Table: {table} not found", exc)
            raise client_error("ResourceNotFoundException", message, operation) from None
        found = sim.services.get("tables", {}).get(name)
        if found is None:
            raise BehaviorError(
                f"{call}: {name!r} has no valid primaryKey, so it is not simulated; give it "
                "primaryKey: {partitionKey: {name: id, type: string}}"
            )
        return found

    def get_item(self, table: Any, key: Any) -> dict[str, Any] | None:
        """DynamoDB GetItem by a plain JSON key: the item as plain JSON, or None."""
        t = self._table(table, "get_item", "GetItem")
        raw = _plain_object(key, "the key", "get_item")
        self._check("getItem", t.name, {})
        try:
            item = t.get(raw)
        except ddbjson.DynamoDBError as exc:
            raise ddb_client_error(exc, "GetItem") from None
        return None if item is None else ddbjson.item_to_plain(item)

    def get_items(
        self, pairs: list[tuple[Any, Any]], kind: str, operation: str
    ) -> list[dict[str, Any] | None]:
        """Several GetItems in one request (TransactGetItems, BatchGetItem: `kind` is the IAM
        check of each table): each key's item as plain JSON, or None. Every table, key and
        permission is checked before any item is read, as DynamoDB refuses the request
        whole."""
        call = "transact_get_items" if operation == "TransactGetItems" else "batch_get_item"
        tables = [
            (self._table(table, call, operation), _plain_object(key, "the key", call))
            for table, key in pairs
        ]
        for t, _ in tables:
            denial = self._denial(kind, t.name, {})
            if denial is not None:
                raise ClientError(Denial(denial.code, denial.message, operation))
        out: list[dict[str, Any] | None] = []
        for t, raw in tables:
            try:
                item = t.get(raw)
            except ddbjson.DynamoDBError as exc:
                raise ddb_client_error(exc, operation) from None
            out.append(None if item is None else ddbjson.item_to_plain(item))
        return out

    def query(
        self,
        table: Any,
        key_condition: Any,
        values: Any = None,
        names: Any = None,
        index: Any = None,
        limit: Any = None,
        forward: Any = True,
        filter: Any = None,
        start_key: Any = None,
    ) -> dict[str, Any]:
        """DynamoDB Query of the table or of its secondary index `index`."""
        t = self._table(table, "query", "Query")
        if not isinstance(key_condition, str):
            raise BehaviorError(
                "query: key_condition must be a KeyConditionExpression, not "
                f"{shown(key_condition)}; "
                'e.g. context.query("orders", "customerId = :c", values={":c": "c-1"})'
            )
        index = _optional_text(index, "index", "query")
        if not isinstance(forward, bool):
            raise BehaviorError(f"query: forward must be True or False, not {shown(forward)}")
        return self._read(
            t, "Query", key_condition, values, names, index, limit, forward, filter, start_key
        )

    def scan(
        self,
        table: Any,
        filter: Any = None,
        values: Any = None,
        names: Any = None,
        limit: Any = None,
        start_key: Any = None,
    ) -> dict[str, Any]:
        """DynamoDB Scan of the table, in its key order (a choice: see fidelity.md)."""
        t = self._table(table, "scan", "Scan")
        return self._read(t, "Scan", None, values, names, None, limit, True, filter, start_key)

    def _read(
        self,
        t: TableSim,
        operation: str,
        key_condition: str | None,
        values: Any,
        names: Any,
        index: str | None,
        limit: Any,
        forward: bool,
        filter_: Any,
        start_key: Any,
    ) -> dict[str, Any]:
        from stptui.sim import ddb_expressions as de

        call = operation.lower()
        if filter_ is not None and not isinstance(filter_, str):
            raise BehaviorError(f"{call}: filter must be a FilterExpression, not {shown(filter_)}")
        marshalled = None if values is None else _plain_object(values, "values", call)
        placeholders = _names(names, call)
        count = _count(limit, "limit", call)
        start = None if start_key is None else _plain_object(start_key, "start_key", call)
        self._check(call, t.name, {"index": index} if index else {})
        if count is not None and count < 1:
            raise client_error(
                "ValidationException",
                f"1 validation error detected: Value '{shown(count)}' at 'limit' failed to satisfy "
                "constraint: Member must have value greater than or equal to 1",
                operation,
            )
        schema, projected = t.key, None
        pk_value: Any = None
        if index is not None:
            entry = next((e for e in t.indexes if e[0] == index), None)
            if entry is None:
                raise client_error(
                    "ValidationException",
                    f"The table does not have the specified index: {index}",
                    operation,
                )
            schema, projected = entry[1], _projection(t, index)
        try:
            prepared = de.prepare(
                names=placeholders,
                values=marshalled,
                key_condition=key_condition,
                filter_=filter_,
                null_text="KeyConditionExpression and FilterExpression are null"
                if key_condition is not None
                else "FilterExpression is null",
            )
            items = [i for i in t.items.values() if all(n in i for n, _ in schema)]
            if key_condition is not None:
                pk_value, sk_condition = de.key_condition(prepared.key, schema)
                if prepared.filter is not None:
                    de.check_filter_keys(prepared.filter, schema)
                items = [
                    i
                    for i in items
                    if ddbjson.same_value(i[schema[0][0]], pk_value)
                    and (sk_condition is None or de.matches(sk_condition, i))
                ]
        except ddbjson.DynamoDBError as exc:
            raise ddb_client_error(exc, operation) from None
        # An index orders items that share its key by the table's key (a choice).
        order = [n for n, _ in schema] + [n for n, _ in t.key if n not in dict(schema)]

        def by_key(a: dict[str, Any], b: dict[str, Any]) -> int:
            for name in order:
                found = de.order(a[name], b[name]) or 0
                if found:
                    return found
            return 0

        items.sort(key=functools.cmp_to_key(by_key), reverse=not forward)
        if start is not None:
            if any(n not in start for n in order):
                raise client_error(
                    "ValidationException",
                    f"The provided starting key is invalid: it needs {', '.join(order)}",
                    operation,
                )
            if key_condition is not None and not ddbjson.same_value(start[schema[0][0]], pk_value):
                raise client_error(
                    "ValidationException",
                    "The provided starting key is outside query boundaries based on provided "
                    "conditions",
                    operation,
                )
            after = 1 if forward else -1
            items = [i for i in items if by_key(i, start) == after]
        scanned, kept, stopped = de.read_page(items, count, prepared.filter)
        if projected is not None:
            kept = [{k: v for k, v in i.items() if k in projected or k in order} for i in kept]
        out: dict[str, Any] = {
            "Items": [ddbjson.item_to_plain(i) for i in kept],
            "Count": len(kept),
            "ScannedCount": len(scanned),
        }
        if stopped and scanned:
            # DynamoDB hands back the last key it read whenever it stopped early, even when
            # nothing is left: the next page is then empty.
            out["LastEvaluatedKey"] = ddbjson.item_to_plain({n: scanned[-1][n] for n in order})
        return out


def _projection(t: TableSim, index: str) -> frozenset[str] | None:
    """The non-key attributes a secondary index holds: its `projections` (INCLUDE), or None
    for every attribute (ALL) when it lists none (a choice: see fidelity.md)."""
    entries = t.sim.stack.resources[t.name].properties.get("secondaryIndexes")
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict) and entry.get("name") == index:
            listed = entry.get("projections")
            if isinstance(listed, list) and listed:
                return frozenset(str(a) for a in listed)
    return None


def ddb_client_error(exc: ddbjson.DynamoDBError, operation: str) -> ClientError:
    """DynamoDB's refusal (`ValidationException: ...`) as the ClientError boto3 raises."""
    text = str(exc)
    code, _, message = text.partition(": ")
    if not code.isidentifier():
        code, message = "ValidationException", text
    return client_error(code, message, operation)
