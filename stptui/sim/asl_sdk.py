"""Step Functions' AWS SDK integrations (`arn:aws:states:::aws-sdk:SERVICE:apiAction`) for
the APIs of the services stptui simulates.

A Task state whose Resource names one of `SIMULATED` calls the API with its effective
Parameters in the API's PascalCase request shape, through the simulated service as a
handler's emission would (the item reaches the table and its stream, the object the bucket
and its notifications, the message the queue's consumer), and ends with the API's response,
PascalCase keys in alphabetical order. A refused call fails the state with the error Step
Functions forms for SDK integrations: the service's exception prefix, a period and the
error code with `Exception` added when it lacks it (`DynamoDb.ConditionalCheckFailedException`,
`S3.NoSuchKeyException`), so that Retry and Catch match it as on AWS. Request fields the
API has but stptui does not simulate, and Parameters that do not fit the request shape,
fail the state with `States.Runtime` saying so. docs/fidelity.md ("Step Functions: AWS SDK
integrations") lists the sources and the choices.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import math
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from stptui.sim import asl_integrations as integ
from stptui.sim import ddbjson
from stptui.sim.asl_data import StatesRuntimeError
from stptui.sim.asl_integrations import TargetKind, shown, target_name
from stptui.sim.s3_restore import DEFAULT_TIER, restore_header
from stptui.sim.services.queue import batch_too_long

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator
    from stptui.sim.services.bucket import BucketSim, S3Object
    from stptui.sim.services.table import TableSim

PREFIX = "arn:aws:states:::aws-sdk:"
# Each simulated service's exception prefix ("Supported AWS SDK service integrations").
EXCEPTION_PREFIX = {
    "dynamodb": "DynamoDb",
    "s3": "S3",
    "sqs": "Sqs",
    "sns": "Sns",
    "eventbridge": "EventBridge",
    "sfn": "Sfn",
    "batch": "Batch",
    "kinesis": "Kinesis",
}
TABLE = TargetKind("TableName", "dynamo-db-table", "DynamoGlobalTable")
BUCKET = TargetKind("Bucket", "bucket", "Bucket")
QUEUE = integ.TARGETS[integ.SQS_SEND]
TOPIC = integ.TARGETS[integ.SNS_PUBLISH]
BUS = integ.TARGETS[integ.EVENTS_PUT]
STREAM = TargetKind("StreamName", "kinesis-stream", "KinesisStream")
# StartReplay's archive: the archive of a bus of the stack (its ARN, or its name).
ARCHIVE = TargetKind("EventSourceArn", integ.ARCHIVE, "EventBusArchive")
# ListObjectsV2 returns at most 1,000 keys a page.
MAX_KEYS = 1000
# S3's default encryption since January 2023 (SSE-S3), reported by every write and read.
SSE = "AES256"
# GetObject/HeadObject's ContentType for an object stored without one.
DEFAULT_CONTENT_TYPE = "binary/octet-stream"
# GetObject's (and CopyObject's) refusal of an archived object that has no restored copy.
ARCHIVED_MESSAGE = "The operation is not valid for the object's storage class"

Result = tuple[Any, str | None, str]
Handler = Callable[["Simulator", "Api", dict[str, Any], str, tuple[str, str]], Result]


@dataclass(frozen=True, slots=True)
class Api:
    """One simulated API action: its service and action as the Resource names them, what it
    does to its target (the graph's label), the parameter naming the target, the request
    fields it takes (`required` among them), those stptui does not simulate, and its
    handler."""

    service: str
    action: str
    graph: str
    # None for an API that names no resource of the stack (DescribeReplay: a replay's name).
    kind: TargetKind | None
    fields: frozenset[str]
    required: tuple[str, ...]
    unsimulated: frozenset[str]
    run: Handler

    @property
    def resource(self) -> str:
        """The Task's Resource: `arn:aws:states:::aws-sdk:dynamodb:getItem`."""
        return f"{PREFIX}{self.service}:{self.action}"


# -- errors -------------------------------------------------------------------------------


def error_name(service: str, code: str) -> str:
    """Step Functions' name for an SDK integration's error: `DynamoDb.` and the code, with
    `Exception` added when the code lacks it (`S3.NoSuchKey` -> `S3.NoSuchKeyException`)."""
    suffix = "" if code.endswith("Exception") else "Exception"
    return f"{EXCEPTION_PREFIX[service]}.{code}{suffix}"


def _refused(api: Api, code: str, message: str) -> StatesRuntimeError:
    return StatesRuntimeError(error_name(api.service, code), message)


def _runtime(api: Api, params: dict[str, Any], problem: str) -> StatesRuntimeError:
    """Parameters that do not fit the request: States.Runtime, in Step Functions' words."""
    text = json.dumps(params, separators=(",", ":"), default=str)
    if len(text) > 300:
        text = text[:300] + "..."
    return StatesRuntimeError(
        "States.Runtime",
        f"The Parameters '{text}' could not be used to call {api.resource}: [{problem}]",
    )


def _check_fields(api: Api, params: dict[str, Any]) -> None:
    for name in params:
        if name in api.unsimulated:
            raise _runtime(
                api, params, f"stptui does not simulate the field '{name}' of {api.action}"
            )
        if name not in api.fields:
            known = ", ".join(sorted(api.fields))
            raise _runtime(
                api,
                params,
                f"The field '{name}' is not supported by {api.action}; its fields: {known}",
            )
    for name in api.required:
        # A null is no value: the SDK leaves it out of the request (`"Key.$": "$.key"` of an
        # input whose key is null sends no Key).
        if params.get(name) is None:
            raise _runtime(api, params, f"The field '{name}' is required but was missing")


def _string(api: Api, params: dict[str, Any], name: str, default: str | None = None) -> Any:
    value = params.get(name)
    if value is None:  # absent, or null: no value (see `_check_fields`)
        return default
    if not isinstance(value, str):
        raise _runtime(api, params, f"The value for the field '{name}' must be a STRING")
    return value


def _integer(api: Api, params: dict[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise _runtime(api, params, f"The value for the field '{name}' must be an INTEGER")
    return value


def _boolean(api: Api, params: dict[str, Any], name: str, default: bool) -> bool:
    value = params.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _runtime(api, params, f"The value for the field '{name}' must be a BOOLEAN")
    return value


# -- the call -----------------------------------------------------------------------------


def call(sim: Simulator, resource: str, params: Any, source: str, arns: tuple[str, str]) -> Result:
    """Call the SDK integration `resource` with `params` (the state's effective input) for
    the execution and state machine `arns`. Returns the API's response, the id of what it
    delivered (for `explain`: a stream record's sequence number, an S3 write's request id)
    and the target resource; raises StatesRuntimeError with Step Functions' error name when
    refused."""
    api = APIS[resource]
    if not isinstance(params, dict):
        raise StatesRuntimeError(
            "States.Runtime", f"the Parameters of {resource} must be an object"
        )
    _check_fields(api, params)
    return api.run(sim, api, params, source, arns)


# -- DynamoDB -----------------------------------------------------------------------------


def _table(sim: Simulator, api: Api, params: dict[str, Any]) -> tuple[TableSim, str]:
    value = params.get("TableName")
    known = integ.known_targets(sim, TABLE)
    target = target_name(value, TABLE, known)
    if target is None:
        raise _refused(
            api,
            "ResourceNotFoundException",
            f"Requested resource not found: Table: {shown(value)} not found",
        )
    return sim.services["tables"][target], target


def _ddb_error(api: Api, exc: ddbjson.DynamoDBError) -> StatesRuntimeError:
    text = str(exc)
    code, _, message = text.partition(": ")
    if not code.isidentifier():  # a client-side refusal: DynamoDB's ValidationException
        code, message = "ValidationException", text
    return _refused(api, code, message)


def _return_values(api: Api, params: dict[str, Any], allowed: tuple[str, ...]) -> str:
    value = _string(api, params, "ReturnValues", "NONE")
    if value not in allowed:
        raise _refused(
            api,
            "ValidationException",
            f"Return values set to invalid value; ReturnValues: {shown(value)} "
            f"({api.action} takes {', '.join(allowed)})",
        )
    return value


def _key_of(table: TableSim, item: dict[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name, _ in table.key}


def _expressions(params: dict[str, Any]) -> Any:
    from stptui.sim.services.table import Expressions

    return Expressions(
        params.get("UpdateExpression"),
        params.get("ConditionExpression"),
        params.get("ExpressionAttributeNames"),
        params.get("ExpressionAttributeValues"),
    )


def _delivered(record: Any) -> str | None:
    return record.sequence_number if record is not None else None


def _ddb_get(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    table, target = _table(sim, api, params)
    _boolean(api, params, "ConsistentRead", False)
    try:
        item = table.get(params.get("Key"))
    except ddbjson.DynamoDBError as exc:
        raise _ddb_error(api, exc) from None
    return ({} if item is None else {"Item": copy.deepcopy(item)}), None, target


def _ddb_put(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    return _ddb_replace(
        sim,
        api,
        params,
        lambda table: table.key_of(ddbjson.check_item(params.get("Item"))),
        lambda table: table.put(params.get("Item"), source, _expressions(params)),
    )


def _ddb_delete(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    return _ddb_replace(
        sim,
        api,
        params,
        lambda table: params.get("Key"),
        lambda table: table.delete(params.get("Key"), source, _expressions(params)),
    )


def _ddb_replace(
    sim: Simulator,
    api: Api,
    params: dict[str, Any],
    key: Callable[[Any], Any],
    write: Callable[[Any], tuple[Any, Any]],
) -> Result:
    """putItem and deleteItem: the item at `key` is read first, since ReturnValues ALL_OLD
    hands it back, then `write` replaces or removes it."""
    table, target = _table(sim, api, params)
    returns = _return_values(api, params, ("NONE", "ALL_OLD"))
    try:
        old = table.get(key(table))
        _, record = write(table)
    except ddbjson.DynamoDBError as exc:
        raise _ddb_error(api, exc) from None
    result = {"Attributes": old} if returns == "ALL_OLD" and old is not None else {}
    return result, _delivered(record), target


def _ddb_update(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    from stptui.sim.services.table import returned_attributes

    table, target = _table(sim, api, params)
    returns = _return_values(
        api, params, ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
    )
    expr = _expressions(params)
    try:
        old = table.get(params.get("Key"))
        _, record = table.update(params.get("Key"), expr, source)
        new = table.get(params.get("Key"))
    except ddbjson.DynamoDBError as exc:
        raise _ddb_error(api, exc) from None
    return returned_attributes(returns, old, new, expr), _delivered(record), target


def _ordered(a: Any, b: Any) -> int:
    from stptui.sim import ddb_expressions

    return ddb_expressions.order(a, b) or 0


def _key_conditions(table: TableSim, api: Api, tree: Any) -> tuple[Any, Any]:
    """The partition key's value and the sort key's condition (or None) of a
    KeyConditionExpression, refused as DynamoDB refuses what a key condition cannot be."""
    from stptui.sim import ddb_expressions as de

    try:
        return de.key_condition(tree, table.key)
    except ddbjson.DynamoDBError as exc:
        raise _ddb_error(api, exc) from None


def _filter_keys(table: TableSim, api: Api, tree: Any) -> None:
    """A Query's filter may not name a key attribute."""
    from stptui.sim import ddb_expressions as de

    try:
        de.check_filter_keys(tree, table.key)
    except ddbjson.DynamoDBError as exc:
        raise _ddb_error(api, exc) from None


def _read(sim: Simulator, api: Api, params: dict[str, Any], query: bool) -> Result:
    from stptui.sim import ddb_expressions as de

    table, target = _table(sim, api, params)
    limit = _integer(api, params, "Limit")
    forward = _boolean(api, params, "ScanIndexForward", True)
    _boolean(api, params, "ConsistentRead", False)
    select = _string(api, params, "Select", "ALL_ATTRIBUTES")
    if select not in ("ALL_ATTRIBUTES", "COUNT"):
        raise _runtime(
            api, params, f"stptui simulates Select ALL_ATTRIBUTES and COUNT, not {select!r}"
        )
    if limit is not None and limit < 1:
        raise _refused(
            api,
            "ValidationException",
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1",
        )
    try:
        prepared = de.prepare(
            names=params.get("ExpressionAttributeNames"),
            values=params.get("ExpressionAttributeValues"),
            key_condition=params.get("KeyConditionExpression") if query else None,
            filter_=params.get("FilterExpression"),
            null_text="KeyConditionExpression and FilterExpression are null"
            if query
            else "FilterExpression is null",
        )
        start = params.get("ExclusiveStartKey")
        start_key = (
            None
            if start is None
            else table.key_of(ddbjson.check_item(start, "ExclusiveStartKey"), only_key=True)
        )
    except ddbjson.DynamoDBError as exc:
        raise _ddb_error(api, exc) from None
    names = [n for n, _ in table.key]

    def by_key(a: dict[str, Any], b: dict[str, Any]) -> int:
        for name in names:
            order = _ordered(a[name], b[name])
            if order:
                return order
        return 0

    items = list(table.items.values())
    if query:
        pk_value, sk_condition = _key_conditions(table, api, prepared.key)
        if prepared.filter is not None:
            _filter_keys(table, api, prepared.filter)
        items = [
            i
            for i in items
            if ddbjson.same_value(i[names[0]], pk_value)
            and (sk_condition is None or de.matches(sk_condition, i))
        ]
        if start_key is not None and not ddbjson.same_value(start_key[names[0]], pk_value):
            raise _refused(
                api,
                "ValidationException",
                "The provided starting key is outside query boundaries based on provided "
                "conditions",
            )
    items.sort(key=functools.cmp_to_key(by_key), reverse=query and not forward)
    if start_key is not None:
        after = 1 if not query or forward else -1
        items = [i for i in items if by_key(i, start_key) == after]
    scanned, kept, stopped = de.read_page(items, limit, prepared.filter)
    result: dict[str, Any] = {"Count": len(kept)}
    if select != "COUNT":
        result["Items"] = copy.deepcopy(kept)
    if stopped and scanned:
        # DynamoDB hands back the last key it read whenever it stopped early, even when
        # nothing is left: the next page is then empty.
        result["LastEvaluatedKey"] = copy.deepcopy(_key_of(table, scanned[-1]))
    result["ScannedCount"] = len(scanned)
    return result, None, target


def _ddb_query(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    return _read(sim, api, params, True)


def _ddb_scan(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    return _read(sim, api, params, False)


# -- S3 -----------------------------------------------------------------------------------


def _bucket_named(sim: Simulator, api: Api, value: Any) -> BucketSim:
    service = sim.services.get("buckets")
    buckets = service.buckets if service is not None else {}
    known = {n: (b.aws_name, b.arn) for n, b in buckets.items()}
    found = target_name(value, BUCKET, known)
    if found is None:
        raise _refused(api, "NoSuchBucket", f"The specified bucket does not exist: {shown(value)}")
    return buckets[found]


def _instant(ms: int) -> str:
    """A timestamp of an SDK response: ISO 8601 in whole seconds, UTC (a choice)."""
    return datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _version(api: Api, params: dict[str, Any], b: BucketSim, key: str) -> S3Object:
    version = _string(api, params, "VersionId")
    if version is None:
        obj = b.objects.get(key)
        if obj is None:
            raise _refused(api, "NoSuchKey", "The specified key does not exist.")
        return obj
    found = next((o for o in b.versions.get(key, []) if o.version_id == version), None)
    if found is None or found.delete_marker:
        raise _refused(api, "NoSuchVersion", "The specified version does not exist.")
    return found


def _described(obj: S3Object) -> dict[str, Any]:
    out: dict[str, Any] = {
        "AcceptRanges": "bytes",
        "ContentLength": obj.size,
        "ContentType": obj.content_type or DEFAULT_CONTENT_TYPE,
        "ETag": f'"{obj.etag}"',
        "LastModified": _instant(obj.last_modified),
        "Metadata": {},
    }
    if obj.restore is not None:
        # x-amz-restore: the retrieval running, or until when its restored copy stays.
        out["Restore"] = restore_header(obj.restore.expiry)
    out["ServerSideEncryption"] = SSE
    if obj.storage_class != "STANDARD":
        # S3 sends x-amz-storage-class for every class but STANDARD.
        out["StorageClass"] = obj.storage_class
    if obj.version_id is not None:
        out["VersionId"] = obj.version_id
    return out


def _s3_head(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    b = _bucket_named(sim, api, params["Bucket"])
    key = _string(api, params, "Key")
    return _described(_version(api, params, b, key)), None, b.name


def _s3_get(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    b = _bucket_named(sim, api, params["Bucket"])
    key = _string(api, params, "Key")
    obj = _version(api, params, b, key)
    if not obj.readable:
        raise _refused(api, "InvalidObjectState", ARCHIVED_MESSAGE)
    if obj.content is None:
        raise StatesRuntimeError(
            "States.Runtime",
            f"the object {key!r} was uploaded with a size only; stptui has no bytes for its Body "
            "(upload it with --content or --from)",
        )
    out = _described(obj)
    # Step Functions hands the body back as a string (a choice for bytes that are not
    # UTF-8: each bad byte becomes U+FFFD).
    out["Body"] = obj.content.decode("utf-8", "replace")
    return dict(sorted(out.items())), None, b.name


def _written(obj: S3Object) -> dict[str, Any]:
    out: dict[str, Any] = {"ETag": f'"{obj.etag}"', "ServerSideEncryption": SSE}
    if obj.version_id is not None:
        out["VersionId"] = obj.version_id
    return out


def _s3_error(api: Api, exc: Exception) -> StatesRuntimeError:
    text = str(exc)
    code, _, message = text.partition(": ")
    if not code.isidentifier():
        code, message = "InvalidArgument", text
    return _refused(api, code, message)


def _s3_put(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    from stptui.sim.engine import SimError

    b = _bucket_named(sim, api, params["Bucket"])
    key = _string(api, params, "Key")
    body = params.get("Body", "")
    # Body is a blob: a string is its UTF-8 bytes; other JSON is sent as its JSON text.
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    content_type = _string(api, params, "ContentType")
    try:
        obj = sim.services["buckets"].put_object(
            b.name, key, content=text.encode("utf-8", "surrogatepass"), source=source
        )
    except SimError as exc:
        raise _s3_error(api, exc) from None
    obj.content_type = content_type
    return _written(obj), sim.services["buckets"].last_request_id, b.name


def _s3_delete(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    from stptui.sim.engine import SimError

    b = _bucket_named(sim, api, params["Bucket"])
    key = _string(api, params, "Key")
    version = _string(api, params, "VersionId")
    # A key with no object is no error (S3 answers 204): the service does what S3 does then.
    try:
        gone = sim.services["buckets"].delete_object(b.name, key, version_id=version, source=source)
    except SimError as exc:
        raise _s3_error(api, exc) from None
    if version is not None and gone is not None:
        # x-amz-version-id names the version deleted; x-amz-delete-marker is sent only when
        # it was a delete marker.
        out: dict[str, Any] = {"DeleteMarker": True} if gone.delete_marker else {}
        out["VersionId"] = version
        return out, sim.services["buckets"].last_request_id, b.name
    if not b.versioning:
        return {}, sim.services["buckets"].last_request_id, b.name
    marker = b.versions[key][-1]
    return (
        {"DeleteMarker": True, "VersionId": marker.version_id},
        sim.services["buckets"].last_request_id,
        b.name,
    )


def _s3_copy(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    from stptui.sim.engine import SimError
    from stptui.sim.services.bucket import SELF_COPY, is_self_copy

    b = _bucket_named(sim, api, params["Bucket"])
    key = _string(api, params, "Key")
    copy_source = _string(api, params, "CopySource")
    path, _, query = urllib.parse.unquote(copy_source).lstrip("/").partition("?")
    src_bucket, _, src_key = path.partition("/")
    if not src_bucket or not src_key:
        raise _refused(
            api,
            "InvalidArgument",
            "Invalid copy source object key: CopySource is 'bucket/key' (URL-encoded)",
        )
    src = _bucket_named(sim, api, src_bucket)
    version = urllib.parse.parse_qs(query).get("versionId", [None])[0]
    obj = _version(api, {"VersionId": version} if version else {}, src, src_key)
    if is_self_copy(src, obj, b.name, key):
        code, _, message = SELF_COPY.partition(": ")
        raise _refused(api, code, message)
    if not obj.readable:
        # CopyObject reads its source as GetObject does: an archive must be restored first.
        raise _refused(api, "InvalidObjectState", ARCHIVED_MESSAGE)
    try:
        made = sim.services["buckets"].put_object(
            b.name,
            key,
            content=obj.content,
            size=obj.size,
            operation="copy",
            source=source,
        )
    except SimError as exc:
        raise _s3_error(api, exc) from None
    made.content_type = obj.content_type  # MetadataDirective COPY, S3's default
    out: dict[str, Any] = {
        "CopyObjectResult": {"ETag": f'"{made.etag}"', "LastModified": _instant(made.last_modified)}
    }
    if obj.version_id is not None:
        out["CopySourceVersionId"] = obj.version_id
    out["ServerSideEncryption"] = SSE
    if made.version_id is not None:
        out["VersionId"] = made.version_id
    return out, sim.services["buckets"].last_request_id, b.name


def _s3_restore(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    from stptui.sim.engine import SimError

    b = _bucket_named(sim, api, params["Bucket"])
    key = _string(api, params, "Key")
    version = _string(api, params, "VersionId")
    request = params.get("RestoreRequest", {})
    if not isinstance(request, dict):
        raise _runtime(api, params, "The value for the field 'RestoreRequest' must be an OBJECT")
    for name in request:
        if name not in ("Days", "GlacierJobParameters"):
            # Type SELECT, OutputLocation, its own Tier ...: S3 Select and restores to
            # another location, which stptui does not simulate.
            raise _runtime(
                api, params, f"stptui does not simulate the field 'RestoreRequest.{name}'"
            )
    job = request.get("GlacierJobParameters", {})
    if not isinstance(job, dict) or set(job) - {"Tier"}:
        raise _runtime(
            api, params, "The value for the field 'GlacierJobParameters' must be {\"Tier\": ...}"
        )
    tier = _string(api, job, "Tier", DEFAULT_TIER)
    try:
        sim.services["buckets"].restore_object(
            b.name, key, days=request.get("Days"), tier=tier, version_id=version, source=source
        )
    except SimError as exc:
        raise _s3_error(api, exc) from None
    # RestoreObject answers 202 or 200 with no body: the SDK's result has nothing in it.
    return {}, sim.services["buckets"].last_request_id, b.name


def _s3_list(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    b = _bucket_named(sim, api, params["Bucket"])
    prefix = _string(api, params, "Prefix", "")
    delimiter = _string(api, params, "Delimiter")
    start_after = _string(api, params, "StartAfter")
    token = _string(api, params, "ContinuationToken")
    max_keys = _integer(api, params, "MaxKeys")
    max_keys = MAX_KEYS if max_keys is None else max(0, min(max_keys, MAX_KEYS))
    after = start_after or ""
    if token is not None:
        # The token is the last key of the page before, base64 (a choice: S3's is opaque).
        try:
            after = base64.b64decode(token.encode(), validate=True).decode("utf-8")
        except ValueError:
            raise _refused(
                api, "InvalidArgument", "The continuation token provided is incorrect"
            ) from None
    keys = sorted(
        (k for k in b.objects if k.startswith(prefix)),
        key=lambda k: k.encode("utf-8", "surrogatepass"),
    )
    contents: list[dict[str, Any]] = []
    prefixes: list[str] = []
    truncated = False
    last = ""
    for key in keys:
        if key.encode("utf-8", "surrogatepass") <= after.encode("utf-8", "surrogatepass"):
            continue
        rolled = None
        if delimiter:
            cut = key.find(delimiter, len(prefix))
            if cut >= 0:
                rolled = key[: cut + len(delimiter)]
        if rolled is not None and prefixes and prefixes[-1] == rolled:
            last = key
            continue
        if len(contents) + len(prefixes) >= max_keys:
            truncated = True
            break
        if rolled is not None:
            prefixes.append(rolled)
        else:
            obj = b.objects[key]
            contents.append(
                {
                    "ETag": f'"{obj.etag}"',
                    "Key": key,
                    "LastModified": _instant(obj.last_modified),
                    "Size": obj.size,
                    "StorageClass": obj.storage_class,
                }
            )
        last = key
    out: dict[str, Any] = {}
    if prefixes:
        out["CommonPrefixes"] = [{"Prefix": p} for p in prefixes]
    if contents:
        out["Contents"] = contents
    if token is not None:
        out["ContinuationToken"] = token
    if delimiter is not None:
        out["Delimiter"] = delimiter
    out["IsTruncated"] = truncated
    out["KeyCount"] = len(contents) + len(prefixes)
    out["MaxKeys"] = max_keys
    out["Name"] = b.aws_name
    if truncated:
        out["NextContinuationToken"] = base64.b64encode(last.encode("utf-8")).decode()
    out["Prefix"] = prefix
    if start_after is not None:
        out["StartAfter"] = start_after
    return out, None, b.name


# -- SQS, SNS, EventBridge ---------------------------------------------------------------


def _renamed(api: Api, exc: StatesRuntimeError) -> StatesRuntimeError:
    """An optimized integration's error (`SQS.QueueDoesNotExistException`) under the SDK
    integration's name (`Sqs.QueueDoesNotExistException`)."""
    if exc.error == "States.Runtime":
        return exc
    return _refused(api, exc.error.split(".", 1)[1], exc.cause)


def _target(sim: Simulator, api: Api, params: dict[str, Any]) -> tuple[str | None, Any]:
    kind = api.kind
    assert kind is not None  # the APIs that call this name a target
    value = params.get(kind.param)
    return target_name(value, kind, integ.known_targets(sim, kind)), value


def _sqs_send(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    _string(api, params, "MessageBody")  # a string in the SDK's shape, no JSON object
    target, value = _target(sim, api, params)
    try:
        return integ.sqs_send(sim, params, target, value, source)
    except StatesRuntimeError as exc:
        raise _renamed(api, exc) from None


def _sqs_send_batch(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    entries = params["Entries"]
    if not isinstance(entries, list):
        raise _runtime(api, params, "The value for the field 'Entries' must be an ARRAY")
    target, value = _target(sim, api, params)
    if target is None:
        raise _refused(
            api, "QueueDoesNotExist", f"The specified queue does not exist: {shown(value)}"
        )
    if not entries:
        raise _refused(
            api,
            "EmptyBatchRequest",
            "There should be at least one SendMessageBatchRequestEntry in the request.",
        )
    if len(entries) > 10:
        raise _refused(
            api,
            "TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are 10. You have sent {len(entries)}.",
        )
    ids = [e.get("Id") if isinstance(e, dict) else None for e in entries]
    for entry_id in ids:
        if not isinstance(entry_id, str):
            raise _runtime(api, params, "each entry needs a STRING Id")
    if len(set(ids)) < len(ids):
        raise _refused(
            api,
            "BatchEntryIdsNotDistinct",
            "Two or more batch entries in the request have the same Id.",
        )
    too_long = batch_too_long([e for e in entries if isinstance(e, dict)])
    if too_long is not None:
        raise _refused(api, "BatchRequestTooLong", too_long)
    fields = frozenset(
        {
            "Id",
            "MessageBody",
            "DelaySeconds",
            "MessageAttributes",
            "MessageGroupId",
            "MessageDeduplicationId",
        }
    )
    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    first: str | None = None
    for entry in entries:
        extra = sorted(set(entry) - fields)
        if extra:
            raise _runtime(api, params, f"The field '{extra[0]}' is not supported in Entries")
        if not isinstance(entry.get("MessageBody"), str):
            raise _runtime(api, params, "each entry needs a STRING MessageBody")
        try:
            result, message_id, _ = integ.sqs_send(
                sim, {**entry, "QueueUrl": value}, target, value, source
            )
        except StatesRuntimeError as exc:
            if exc.error == "States.Runtime":
                raise
            code = exc.error.split(".", 1)[1]
            failed.append(
                {"Code": code, "Id": entry["Id"], "Message": exc.cause, "SenderFault": True}
            )
            continue
        first = first or message_id
        successful.append({"Id": entry["Id"], **result})
    return {"Failed": failed, "Successful": successful}, first, target


def _sns_publish(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    _string(api, params, "Message")
    _string(api, params, "Subject")
    target, value = _target(sim, api, params)
    try:
        return integ.sns_publish(sim, params, target, value, source)
    except StatesRuntimeError as exc:
        raise _renamed(api, exc) from None


def _put_events(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    """PutEvents as the API answers it: an entry that fails is reported in the response
    (ErrorCode, ErrorMessage) and the task succeeds; unlike the optimized integration, the
    execution's ARNs are not added to Resources."""
    from stptui.sim.services.bus import EventsError, check_request_size

    entries = params["Entries"]
    if not isinstance(entries, list) or not 1 <= len(entries) <= 10:
        raise _refused(
            api,
            "ValidationException",
            "1 validation error detected: Value at 'entries' failed to satisfy constraint: "
            "Member must have length between 1 and 10",
        )
    fields = frozenset({"Source", "DetailType", "Detail", "EventBusName", "Resources", "Time"})
    known = integ.known_targets(sim, BUS)
    for entry in entries:
        if not isinstance(entry, dict):
            raise _runtime(api, params, "each entry of Entries must be an OBJECT")
        extra = sorted(set(entry) - fields)
        if extra:
            raise _runtime(api, params, f"The field '{extra[0]}' of an entry is not supported")
        for name in ("Source", "DetailType", "Detail", "EventBusName"):
            if name in entry and not isinstance(entry[name], str):
                raise _runtime(api, params, f"The value for the field '{name}' must be a STRING")
    try:
        # A Time that is no date, and the size limit, are the request's: the call fails
        # and nothing is put.
        times = integ.entry_times(entries)
        check_request_size(entries)
    except EventsError as exc:
        raise _refused(api, exc.code, str(exc).partition(": ")[2]) from None
    out, failed, first = integ.put_entries(sim, entries, source, known, times)
    if first is None:
        return {"Entries": out, "FailedEntryCount": failed}, None, sim.stack.default_bus_key
    return {"Entries": out, "FailedEntryCount": failed}, first[0], first[1]


# -- EventBridge replays (the bus archives of stptui.sim.services.bus_archive) -----------


def _replay_timestamp(api: Api, params: dict[str, Any], name: str) -> int:
    """A Timestamp field of the request as epoch milliseconds: ISO 8601 text, or a number of
    epoch seconds (the EventBridge JSON protocol's form)."""
    from stptui.sim.clock import MAX_MS, MIN_MS, parse_instant

    value = params[name]
    if isinstance(value, str):
        try:
            return parse_instant(value)
        except ValueError:
            pass
    # YAML can give .inf or .nan, which no instant is.
    elif (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and MIN_MS <= value * 1000 <= MAX_MS
    ):
        return round(value * 1000)
    raise _runtime(
        api,
        params,
        f"The value for the field '{name}' must be a TIMESTAMP: ISO 8601 text such as "
        "'2026-01-05T07:00:00Z', or epoch seconds",
    )


def _replays(sim: Simulator) -> Any:
    """The simulation's replays (None for a stack that archives no bus)."""
    return sim.services["buses"].replays


def _replay_refused(api: Api, exc: Exception) -> StatesRuntimeError:
    """A refusal of the replay service (`Code: message`) under its SDK name."""
    code, _, message = str(exc).partition(": ")
    if not code.isidentifier():
        code, message = "ValidationException", str(exc)
    return _refused(api, code, message)


def _start_replay(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    """StartReplay on a bus archive of the stack: the replay the `replay` command starts,
    with the same checks, refused with EventBridge's error codes."""
    from stptui.sim.engine import SimError

    name = _string(api, params, "ReplayName")
    description = _string(api, params, "Description")
    destination = params["Destination"]
    if not isinstance(destination, dict):
        raise _runtime(api, params, "The value for the field 'Destination' must be an OBJECT")
    extra = sorted(set(destination) - {"Arn", "FilterArns"})
    if extra:
        raise _runtime(api, params, f"The field '{extra[0]}' is not supported in Destination")
    if not isinstance(destination.get("Arn"), str):
        raise _runtime(api, params, "Destination needs a STRING Arn")
    filters = destination.get("FilterArns")
    if filters is not None and (
        not isinstance(filters, list) or not all(isinstance(f, str) for f in filters)
    ):
        raise _runtime(
            api, params, "The value for the field 'FilterArns' must be an ARRAY of STRING"
        )
    start = _replay_timestamp(api, params, "EventStartTime")
    end = _replay_timestamp(api, params, "EventEndTime")
    if description is not None and len(description) > 512:
        raise _refused(
            api,
            "ValidationException",
            "1 validation error detected: Value at 'description' failed to satisfy "
            "constraint: Member must have length less than or equal to 512",
        )
    target, value = _target(sim, api, params)
    service = _replays(sim)
    if target is None or service is None:
        shown_value = shown(value)
        raise _refused(
            api,
            "ValidationException",
            f"Parameter EventSourceArn is not valid. Reason: Archive "
            f"{shown_value.rsplit('/', 1)[-1]} does not exist.",
        )
    bus = service.buses.bus(target)
    dest = target_name(destination["Arn"], BUS, integ.known_targets(sim, BUS))
    if dest != bus.key:
        raise _refused(
            api,
            "ValidationException",
            "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not "
            "permitted.",
        )
    rules = None
    if filters:
        by_arn = {r.arn: r for r in bus.rules}
        for arn in filters:
            if arn not in by_arn:
                rule = arn.rsplit("/", 1)[-1]
                raise _refused(
                    api,
                    "ResourceNotFoundException",
                    f"Rule {rule} does not exist on EventBus {bus.name}.",
                )
        rules = list(dict.fromkeys(filters))
    try:
        plan = service.check_start(target, start, end, rules, name)
    except SimError as exc:
        raise _replay_refused(api, exc) from None
    replay = service.begin(plan)
    replay.description = description
    result = {
        "ReplayArn": replay.arn,
        "ReplayStartTime": _instant(replay.started_ms),
        "State": replay.state,
    }
    return result, None, target


def _named_replay(sim: Simulator, api: Api, params: dict[str, Any]) -> Any:
    name = _string(api, params, "ReplayName")
    service = _replays(sim)
    replay = None if service is None else service.replays.get(name)
    if replay is None:
        raise _refused(api, "ResourceNotFoundException", f"Replay {name} does not exist.")
    return replay


def _describe_replay(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    """DescribeReplay: a replay's state and progress, in the API's response shape."""
    replay = _named_replay(sim, api, params)
    bus = replay.archive.bus
    destination: dict[str, Any] = {"Arn": bus.arn}
    if replay.rules is not None:
        destination["FilterArns"] = [r.arn for r in replay.rules]
    out: dict[str, Any] = {}
    if replay.description is not None:
        out["Description"] = replay.description
    out["Destination"] = destination
    out["EventEndTime"] = _instant(replay.event_end_ms)
    if replay.last_replayed_ms is not None:
        out["EventLastReplayedTime"] = _instant(replay.last_replayed_ms)
    out["EventSourceArn"] = replay.archive.arn
    out["EventStartTime"] = _instant(replay.event_start_ms)
    out["ReplayArn"] = replay.arn
    if replay.ended_ms is not None:
        out["ReplayEndTime"] = _instant(replay.ended_ms)
    out["ReplayName"] = replay.name
    out["ReplayStartTime"] = _instant(replay.started_ms)
    out["State"] = replay.state
    return out, None, bus.key


def _cancel_replay(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    """CancelReplay: a STARTING or RUNNING replay is CANCELLING; IllegalStatusException for
    one in another state."""
    from stptui.sim.engine import SimError

    replay = _named_replay(sim, api, params)
    try:
        _replays(sim).cancel(replay.name)
    except SimError as exc:
        raise _replay_refused(api, exc) from None
    result = {"ReplayArn": replay.arn, "State": replay.state}
    return result, None, replay.archive.bus.key


# -- Step Functions, Batch, Kinesis -------------------------------------------------------


def _parent(sim: Simulator, arns: tuple[str, str]) -> Any:
    """The execution whose Task makes the call (the one `arns` names)."""
    for machine in sim.services.get("state_machines", {}).values():
        if machine.arn == arns[1]:
            ex = machine.executions.get(arns[0].rsplit(":", 1)[-1])
            if ex is not None and ex.arn == arns[0]:
                return ex
    raise StatesRuntimeError("States.Runtime", f"no execution {arns[0]} calls this task")


def _sfn_start(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    from stptui.sim import asl_jobs
    from stptui.sim.clock import iso_ms

    _string(api, params, "Input")  # a string in the SDK's shape: JSON text
    _string(api, params, "Name")
    try:
        started = asl_jobs.start(
            sim, asl_jobs.SFN_START, params, source, _parent(sim, arns), _no_wait
        )
    except StatesRuntimeError as exc:
        if exc.error == "States.Runtime":
            raise
        raise _refused(api, exc.error.split(".", 1)[1], exc.cause) from None
    result = {
        "ExecutionArn": started.result["ExecutionArn"],
        "StartDate": iso_ms(started.result["StartDate"]),
    }
    return result, started.delivered, started.target


def _no_wait(error: str | None, value: Any) -> None:
    """A request-response call hears nothing when its job or execution ends."""


def _batch_submit(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    from stptui.sim import asl_jobs

    try:
        started = asl_jobs.start(
            sim, asl_jobs.BATCH_SUBMIT, params, source, _parent(sim, arns), _no_wait
        )
    except StatesRuntimeError as exc:
        if exc.error == "States.Runtime":
            raise
        # AWS Batch's error for a request it refuses is ClientException (Batch API reference).
        raise _refused(api, "ClientException", exc.cause) from None
    return started.result, started.delivered, started.target


def _kinesis_put(
    sim: Simulator, api: Api, params: dict[str, Any], source: str, arns: tuple[str, str]
) -> Result:
    from stptui.sim.services.stream import KinesisError

    service = sim.services.get("streams", {})
    known = {n: tuple(sim.resource_param(n, f) for f in ("arn", "name")) for n in service}
    name_value = _string(api, params, "StreamName")
    arn_value = _string(api, params, "StreamARN")
    if name_value is None and arn_value is None:
        raise _refused(api, "ValidationException", "Either StreamName or StreamARN is required")
    value = name_value if name_value is not None else arn_value
    target = target_name(value, STREAM, known)
    if target is None:
        raise _refused(
            api,
            "ResourceNotFound",
            f"Stream {shown(value)} under account {sim.account_id} not found.",
        )
    data = _string(api, params, "Data")
    key = _string(api, params, "PartitionKey")
    explicit = _string(api, params, "ExplicitHashKey")
    try:
        record = service[target].put(
            data.encode("utf-8", "surrogatepass"), key, explicit, source=source
        )
    except KinesisError as exc:
        raise _refused(api, exc.code, str(exc).partition(": ")[2]) from None
    result = {"SequenceNumber": record.sequence_number, "ShardId": record.shard.id}
    return result, record.sequence_number, target


# -- Lambda -------------------------------------------------------------------------------


def invoke_response(response: Any, error: dict[str, Any] | None) -> dict[str, Any]:
    """The result of an `aws-sdk:lambda:invoke` task: Lambda's Invoke response as the API
    gives it, Payload the function's `response` as JSON text, or, when it failed, the
    `error` response Invoke answers (FunctionError "Unhandled": the runtime's error
    response, or Lambda's own for a timeout), not a task failure ("How the Optimized Lambda
    integration is different than the Lambda AWS SDK integration")."""
    out: dict[str, Any] = {"ExecutedVersion": "$LATEST"}
    payload = response
    if error is not None:
        out["FunctionError"] = "Unhandled"
        payload = error
    out["Payload"] = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    out["StatusCode"] = 200
    return out


# -- the APIs -----------------------------------------------------------------------------

_DDB_EXPR = ("ExpressionAttributeNames", "ExpressionAttributeValues")
_DDB_IGNORED = ("ReturnConsumedCapacity", "ReturnItemCollectionMetrics")
_DDB_UNSIMULATED = frozenset(
    {
        "ProjectionExpression",
        "AttributesToGet",
        "IndexName",
        "KeyConditions",
        "QueryFilter",
        "ScanFilter",
        "ConditionalOperator",
        "Expected",
        "AttributeUpdates",
        "Segment",
        "TotalSegments",
        "ReturnValuesOnConditionCheckFailure",
    }
)
_S3_UNSIMULATED = frozenset(
    {
        "Range",
        "PartNumber",
        "IfMatch",
        "IfNoneMatch",
        "IfModifiedSince",
        "IfUnmodifiedSince",
        "SSECustomerAlgorithm",
        "SSECustomerKey",
        "SSECustomerKeyMD5",
        "MetadataDirective",
        "Metadata",
        "Tagging",
        "TaggingDirective",
        "ObjectLockMode",
        "ObjectLockRetainUntilDate",
        "ObjectLockLegalHoldStatus",
        "CopySourceIfMatch",
        "CopySourceIfNoneMatch",
        "CopySourceIfModifiedSince",
        "CopySourceIfUnmodifiedSince",
        "RequestPayer",
        "ExpectedBucketOwner",
        "ExpectedSourceBucketOwner",
        "FetchOwner",
        "EncodingType",
        "ChecksumMode",
        "ContentMD5",
    }
)


def _api(
    service: str,
    action: str,
    graph: str,
    kind: TargetKind | None,
    run: Handler,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    unsimulated: frozenset[str],
) -> Api:
    return Api(
        service,
        action,
        graph,
        kind,
        frozenset((*required, *optional)),
        required,
        unsimulated,
        run,
    )


_SQS_UNSIMULATED = frozenset({"MessageSystemAttributes"})
_SQS_SEND = ("DelaySeconds", "MessageAttributes", "MessageGroupId", "MessageDeduplicationId")

_LIST: list[Api] = [
    _api(
        "sfn",
        "startExecution",
        "starts-execution",
        TargetKind("StateMachineArn", "state-machine", "StateMachine"),
        _sfn_start,
        ("StateMachineArn",),
        ("Input", "Name"),
        frozenset({"TraceHeader"}),
    ),
    _api(
        "batch",
        "submitJob",
        "submits-job",
        TargetKind("JobDefinition", "batch-job", "JobDefinition"),
        _batch_submit,
        ("JobDefinition", "JobName", "JobQueue"),
        ("Parameters", "ContainerOverrides", "RetryStrategy", "Timeout"),
        frozenset(
            {
                "ArrayProperties",
                "DependsOn",
                "EcsPropertiesOverride",
                "EksPropertiesOverride",
                "NodeOverrides",
                "PropagateTags",
                "SchedulingPriorityOverride",
                "ShareIdentifier",
                "Tags",
            }
        ),
    ),
    _api(
        "kinesis",
        "putRecord",
        "puts-record",
        STREAM,
        _kinesis_put,
        ("Data", "PartitionKey"),
        ("StreamName", "StreamARN", "ExplicitHashKey"),
        frozenset({"SequenceNumberForOrdering"}),
    ),
    _api(
        "sqs",
        "sendMessage",
        "sends",
        QUEUE,
        _sqs_send,
        ("QueueUrl", "MessageBody"),
        _SQS_SEND,
        _SQS_UNSIMULATED,
    ),
    _api(
        "sqs",
        "sendMessageBatch",
        "sends",
        QUEUE,
        _sqs_send_batch,
        ("QueueUrl", "Entries"),
        (),
        frozenset(),
    ),
    _api(
        "sns",
        "publish",
        "publishes",
        TOPIC,
        _sns_publish,
        ("TopicArn", "Message"),
        (
            "Subject",
            "MessageAttributes",
            "MessageGroupId",
            "MessageDeduplicationId",
            "MessageStructure",
        ),
        frozenset({"TargetArn", "PhoneNumber"}),
    ),
    _api(
        "eventbridge",
        "putEvents",
        "puts-event",
        BUS,
        _put_events,
        ("Entries",),
        (),
        frozenset({"EndpointId"}),
    ),
    _api(
        "eventbridge",
        "startReplay",
        "replays",
        ARCHIVE,
        _start_replay,
        ("ReplayName", "EventSourceArn", "EventStartTime", "EventEndTime", "Destination"),
        ("Description",),
        frozenset(),
    ),
    _api(
        "eventbridge",
        "describeReplay",
        "replays",
        None,
        _describe_replay,
        ("ReplayName",),
        (),
        frozenset(),
    ),
    _api(
        "eventbridge",
        "cancelReplay",
        "replays",
        None,
        _cancel_replay,
        ("ReplayName",),
        (),
        frozenset(),
    ),
    _api(
        "dynamodb",
        "getItem",
        "reads-item",
        TABLE,
        _ddb_get,
        ("TableName", "Key"),
        ("ConsistentRead", *_DDB_IGNORED),
        _DDB_UNSIMULATED,
    ),
    _api(
        "dynamodb",
        "putItem",
        "writes-item",
        TABLE,
        _ddb_put,
        ("TableName", "Item"),
        ("ConditionExpression", *_DDB_EXPR, "ReturnValues", *_DDB_IGNORED),
        _DDB_UNSIMULATED,
    ),
    _api(
        "dynamodb",
        "updateItem",
        "writes-item",
        TABLE,
        _ddb_update,
        ("TableName", "Key"),
        ("UpdateExpression", "ConditionExpression", *_DDB_EXPR, "ReturnValues", *_DDB_IGNORED),
        _DDB_UNSIMULATED,
    ),
    _api(
        "dynamodb",
        "deleteItem",
        "writes-item",
        TABLE,
        _ddb_delete,
        ("TableName", "Key"),
        ("ConditionExpression", *_DDB_EXPR, "ReturnValues", *_DDB_IGNORED),
        _DDB_UNSIMULATED,
    ),
    _api(
        "dynamodb",
        "query",
        "reads-item",
        TABLE,
        _ddb_query,
        ("TableName", "KeyConditionExpression"),
        (
            "FilterExpression",
            *_DDB_EXPR,
            "Limit",
            "ScanIndexForward",
            "ExclusiveStartKey",
            "ConsistentRead",
            "Select",
            *_DDB_IGNORED,
        ),
        _DDB_UNSIMULATED,
    ),
    _api(
        "dynamodb",
        "scan",
        "reads-item",
        TABLE,
        _ddb_scan,
        ("TableName",),
        (
            "FilterExpression",
            *_DDB_EXPR,
            "Limit",
            "ExclusiveStartKey",
            "ConsistentRead",
            "Select",
            *_DDB_IGNORED,
        ),
        _DDB_UNSIMULATED,
    ),
    _api(
        "s3",
        "getObject",
        "reads-object",
        BUCKET,
        _s3_get,
        ("Bucket", "Key"),
        ("VersionId",),
        _S3_UNSIMULATED,
    ),
    _api(
        "s3",
        "headObject",
        "reads-object",
        BUCKET,
        _s3_head,
        ("Bucket", "Key"),
        ("VersionId",),
        _S3_UNSIMULATED,
    ),
    _api(
        "s3",
        "putObject",
        "puts-object",
        BUCKET,
        _s3_put,
        ("Bucket", "Key"),
        ("Body", "ContentType"),
        _S3_UNSIMULATED,
    ),
    _api(
        "s3",
        "deleteObject",
        "deletes-object",
        BUCKET,
        _s3_delete,
        ("Bucket", "Key"),
        ("VersionId",),
        _S3_UNSIMULATED,
    ),
    _api(
        "s3",
        "copyObject",
        "puts-object",
        BUCKET,
        _s3_copy,
        ("Bucket", "Key", "CopySource"),
        (),
        _S3_UNSIMULATED,
    ),
    _api(
        "s3",
        "restoreObject",
        "restores-object",
        BUCKET,
        _s3_restore,
        ("Bucket", "Key"),
        ("VersionId", "RestoreRequest"),
        _S3_UNSIMULATED,
    ),
    _api(
        "s3",
        "listObjectsV2",
        "reads-object",
        BUCKET,
        _s3_list,
        ("Bucket",),
        ("Prefix", "Delimiter", "MaxKeys", "ContinuationToken", "StartAfter"),
        _S3_UNSIMULATED,
    ),
]
APIS: dict[str, Api] = {api.resource: api for api in _LIST}
SIMULATED = tuple(APIS)
EVENTS_PUT = PREFIX + "eventbridge:putEvents"
