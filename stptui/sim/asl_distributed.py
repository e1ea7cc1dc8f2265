"""The DISTRIBUTED Map of Step Functions: its items, batches, failure tolerance and checks.

A Distributed Map reads its items from its input (ItemsPath, as an inline Map does) or, with
`ItemReader`, from a bucket of the stack: `s3:listObjectsV2` lists the objects under a
prefix, `s3:getObject` reads one object as a JSON array, JSON Lines or CSV (the bytes that
`upload` or a handler put there). `ItemBatcher` groups the (ItemSelector-shaped) items into
one child input per batch, `{"BatchInput": ..., "Items": [...]}`; `ToleratedFailureCount` /
`ToleratedFailurePercentage` say how many failed items the Map Run tolerates before it
fails with `States.ExceedToleratedFailureThreshold`. The run itself (child executions on the
clock) is stptui.sim.services.state_machine's. In a JSONata state the same fields take
expressions: `Items`, `Arguments` in place of the reader's and writer's `Parameters`, a
JSONata `BatchInput`, and `{% %}` numbers (stptui.sim.asl_jsonata_data evaluates them).
Rules and sources: docs/fidelity.md, "Step Functions redrive and the Distributed Map".
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui import jsontext
from stptui.sim import asl_jsonata_data
from stptui.sim.asl_data import DataEnv, StatesRuntimeError, map_items, state_input
from stptui.sim.asl_jsonata import is_expression
from stptui.sim.asl_jsonpath import json_bytes
from stptui.sim.clock import iso_ms
from stptui.textsafe import typed_words

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"
GET_OBJECT = "arn:aws:states:::s3:getObject"
INPUT_TYPES = ("JSON", "JSONL", "CSV", "MANIFEST", "PARQUET")
SIMULATED_INPUT_TYPES = ("JSON", "JSONL", "CSV")
CSV_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}
# "If you don't specify [MaxConcurrency], Step Functions runs 10,000 parallel child
# workflow executions" (Distributed Map state).
DEFAULT_MAX_CONCURRENCY = 10_000
# ReaderConfig MaxItems: "up to 100,000,000"; a batch's input is at most 256 KiB.
MAX_ITEMS = 100_000_000
MAX_BATCH_BYTES = 262_144
EXCEEDED = "States.ExceedToleratedFailureThreshold"
EXCEEDED_CAUSE = "The specified tolerated failure threshold was exceeded"
READER_FAILED = "States.ItemReaderFailed"
WRITER_FAILED = "States.ResultWriterFailed"
PUT_OBJECT = "arn:aws:states:::s3:putObject"
OUTPUT_TYPES = ("JSON", "JSONL")
TRANSFORMATIONS = ("NONE", "COMPACT", "FLATTEN")
# The fields only a Distributed Map takes (the developer guide lists them as its fields).
DISTRIBUTED_ONLY = (
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
    "Label",
    "ToleratedFailureCount",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentage",
    "ToleratedFailurePercentagePath",
)

Path = tuple[str | int, ...]
# (path inside the state, kind: "schema" or "not-simulated", message, hint)
Finding = tuple[Path, str, str, str | None]


def mode(state: Mapping[str, Any]) -> str:
    """The Map's processing mode: `DISTRIBUTED` or `INLINE` (the default)."""
    processor = state.get("ItemProcessor")
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    found = config.get("Mode") if isinstance(config, Mapping) else None
    return found if isinstance(found, str) else "INLINE"


def is_distributed(state: Mapping[str, Any]) -> bool:
    """Whether a Map state runs in DISTRIBUTED mode."""
    return mode(state) == "DISTRIBUTED"


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    # An int is always finite (and isfinite raises OverflowError on one past a double).
    return _int(value) or (isinstance(value, float) and math.isfinite(value))


def _path_value(path: Any, name: str, data: Any, env: DataEnv) -> Any:
    """The value a `...Path` field names in the Map's effective input (States.Runtime when
    it names nothing, as any path does)."""
    return state_input({"Type": "Task", "InputPath": path}, name, data, env)


def _setting(
    fields: Mapping[str, Any], key: str, name: str, data: Any, env: DataEnv, ok: Any
) -> Any:
    """A numeric setting given literally (`key`) or by path (`key` + `Path`), or None; a
    path value that `ok` refuses is States.Runtime. In a JSONata state `key` may be an
    expression (of the Map's input): a value `ok` refuses is States.QueryEvaluationError."""
    if key in fields and env.jsonata:
        wanted = _WANTED.get(key, "a number")
        return asl_jsonata_data.setting(fields, key, name, data, env, ok, wanted)
    if key in fields:
        return fields[key]
    if key + "Path" not in fields:
        return None
    value = _path_value(fields[key + "Path"], name, data, env)
    if not ok(value):
        raise StatesRuntimeError(
            "States.Runtime",
            f"An error occurred while executing the state '{name}'. The value of {key}Path "
            f"{fields[key + 'Path']} is not valid for {key}: {json.dumps(value)[:100]}",
        )
    return value


# What each setting must be, in the words of a JSONata state's evaluation error.
_WANTED = {
    "ToleratedFailureCount": "a non-negative integer",
    "ToleratedFailurePercentage": "a number from 0 to 100",
    "MaxItems": "a non-negative integer",
    "MaxItemsPerBatch": "a positive integer",
    "MaxInputBytesPerBatch": "a positive integer",
}


def _count_ok(value: Any) -> bool:
    return _int(value) and value >= 0


def _percentage_ok(value: Any) -> bool:
    return _number(value) and 0 <= value <= 100


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How many failed items a Map Run tolerates: a count, a percentage of `total`, both
    (the run fails when either is exceeded) or neither (no failure is tolerated)."""

    count: int | None
    percentage: float | None
    total: int

    def exceeded(self, failed: int) -> bool:
        """Whether `failed` failed items exceed the tolerance."""
        if self.count is None and self.percentage is None:
            return failed > 0
        if self.count is not None and failed > self.count:
            return True
        return self.percentage is not None and failed * 100 > self.percentage * self.total


def tolerance(
    state: Mapping[str, Any], name: str, effective: Any, env: DataEnv, total: int
) -> Tolerance:
    """The Map Run's tolerance, from the literal fields or their `...Path` forms."""
    count = _setting(state, "ToleratedFailureCount", name, effective, env, _count_ok)
    percentage = _setting(state, "ToleratedFailurePercentage", name, effective, env, _percentage_ok)
    return Tolerance(count, percentage, total)


# -- ItemReader ---------------------------------------------------------------------------


def _request(fields: Mapping[str, Any], where: str, name: str, effective: Any, env: DataEnv) -> Any:
    """An ItemReader's or ResultWriter's request: its `Parameters` resolved against the Map's
    effective input, or in a JSONata state its `Arguments` evaluated."""
    if env.jsonata:
        arguments = fields.get("Arguments") or {}
        return asl_jsonata_data.evaluate(arguments, f"{where}/Arguments", name, effective, env)
    return state_input(
        {"Type": "Task", "Parameters": fields.get("Parameters") or {}}, name, effective, env
    )


def _reader_failed(cause: str, hint: str | None = None) -> StatesRuntimeError:
    return StatesRuntimeError(READER_FAILED, cause, hint=hint or "")


def read_items(
    sim: Simulator, state: Mapping[str, Any], name: str, effective: Any, env: DataEnv
) -> list[Any]:
    """The Map's items: from its ItemReader (a bucket of the stack) when it has one, else
    from its input as an inline Map reads them. MaxItems keeps the first ones."""
    reader = state.get("ItemReader")
    if not isinstance(reader, Mapping):
        if env.jsonata:
            return asl_jsonata_data.map_items(state, name, effective, env)
        return map_items(state, name, effective, env)
    config = reader.get("ReaderConfig") or {}
    params = _request(reader, "ItemReader", name, effective, env)
    if not isinstance(params, dict):
        field = "Arguments" if env.jsonata else "Parameters"
        raise _reader_failed(f"The ItemReader's {field} must be an object")
    resource = reader.get("Resource")
    bucket = _bucket(sim, params.get("Bucket"))
    if resource == LIST_OBJECTS:
        prefix = params.get("Prefix") or ""
        keys = sorted(
            (k for k in bucket.objects if k.startswith(str(prefix))),
            key=lambda k: k.encode("utf-8", "surrogatepass"),
        )
        items: list[Any] = [_listed(bucket.objects[k]) for k in keys]
    elif resource == GET_OBJECT:
        items = _object_items(bucket, params.get("Key"), config)
    else:
        raise StatesRuntimeError(
            "States.Runtime",
            f"An error occurred while executing the state '{name}': the ItemReader resource "
            f"{resource!r} is not simulated by stptui (s3:listObjectsV2 and s3:getObject are)",
        )
    limit = _setting(config, "MaxItems", name, effective, env, _count_ok)
    return items[:limit] if limit else items


def _bucket(sim: Simulator, value: Any, error: str = READER_FAILED) -> Any:
    """The stack bucket an ItemReader's or ResultWriter's `Bucket` names (its AWS name, its
    stack name, `$ResourceParam`, `Ref` or `Fn::GetAtt` of its logical id); `error` is the
    error a bucket of no one's is."""
    from stptui.sim.asl_integrations import TargetKind, target_name

    service = sim.services.get("buckets")
    buckets = service.buckets if service is not None else {}
    known = {n: (b.aws_name, b.arn) for n, b in buckets.items()}
    found = target_name(value, TargetKind("Bucket", "bucket", "Bucket"), known)
    if found is None:
        shown = json.dumps(value, default=str)[:100]
        raise StatesRuntimeError(
            error,
            f"S3 NoSuchBucket: the bucket {shown} does not exist",
            hint="name a bucket of the stack: its AWS name or $ResourceParam('BUCKET', 'name')",
        )
    return buckets[found]


def _listed(obj: Any) -> dict[str, Any]:
    """One object as s3:listObjectsV2 hands it to a child execution (the developer
    guide's ItemReader example: Etag with its quotes, LastModified in epoch seconds)."""
    return {
        "Etag": f'"{obj.etag}"',
        "Key": obj.key,
        "LastModified": obj.last_modified // 1000,
        "Size": obj.size,
        "StorageClass": obj.storage_class,
    }


def _object_items(bucket: Any, key: Any, config: Mapping[str, Any]) -> list[Any]:
    obj = bucket.objects.get(key) if isinstance(key, str) else None
    if obj is None:
        raise _reader_failed(
            f"S3 NoSuchKey: the object {key!r} does not exist in bucket {bucket.aws_name}",
            "`show bucket` lists its objects; `upload` puts one there",
        )
    if not obj.readable:
        # GetObject refuses an archived object until its restored copy is there.
        running = obj.restore is not None
        raise _reader_failed(
            f"S3 InvalidObjectState: the object {key!r} is in {obj.storage_class}; "
            + (
                "its restore is still running"
                if running
                else "GetObject refuses it until it is restored"
            ),
            f"`restore {typed_words(bucket.name, key)}` and wait for it to complete "
            "(`show bucket` shows it)"
            if not running
            else "wait for the restore to complete (`show agenda` says when)",
        )
    if obj.content is None:
        raise _reader_failed(
            f"the object {key!r} was uploaded with a size only; stptui has no bytes to read",
            "upload it with --content or --from so the Map can read it",
        )
    try:
        text = obj.content.decode("utf-8")
    except UnicodeDecodeError:
        raise _reader_failed(f"the object {key!r} is not UTF-8 text") from None
    kind = config.get("InputType")
    if kind == "JSON":
        try:
            value = jsontext.loads(text)
        except ValueError as exc:
            raise _reader_failed(f"the object {key!r} is not JSON: {exc}") from None
        if not isinstance(value, list):
            raise _reader_failed(f"the object {key!r} does not hold a JSON array")
        return value
    if kind == "JSONL":
        items = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append(jsontext.loads(line))
            except ValueError as exc:
                raise _reader_failed(f"line {n} of {key!r} is not JSON: {exc}") from None
        return items
    if kind == "CSV":
        return _csv_items(key, text, config)
    raise _reader_failed(f"InputType {kind!r} is not simulated by stptui (JSON, JSONL, CSV are)")


def _csv_items(key: str, text: str, config: Mapping[str, Any]) -> list[dict[str, str]]:
    """CSV rows as objects keyed by the header (the first row, or CSVHeaders), every value
    a string; blank lines are skipped and a row with another number of fields fails."""
    delimiter = CSV_DELIMITERS.get(config.get("CSVDelimiter", "COMMA"), ",")
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r]
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        header = [str(h) for h in config.get("CSVHeaders") or []]
    elif rows:
        header, rows = rows[0], rows[1:]
    else:
        return []
    items = []
    for n, row in enumerate(rows, 1):
        if len(row) != len(header):
            raise _reader_failed(
                f"row {n} of {key!r} has {len(row)} fields; the header has {len(header)}",
                "every row needs one field per header column",
            )
        items.append(dict(zip(header, row, strict=True)))
    return items


# -- ItemBatcher --------------------------------------------------------------------------


def batches(
    state: Mapping[str, Any], name: str, effective: Any, selected: list[Any], env: DataEnv
) -> list[tuple[Any, int]]:
    """Each child execution's input and how many items it holds: one per item, or with
    ItemBatcher `{"BatchInput": ..., "Items": [...]}` of at most MaxItemsPerBatch items and
    MaxInputBytesPerBatch bytes (an item bigger than that goes alone)."""
    batcher = state.get("ItemBatcher")
    if not isinstance(batcher, Mapping):
        return [(item, 1) for item in selected]
    most = _setting(batcher, "MaxItemsPerBatch", name, effective, env, _positive)
    max_bytes = _setting(batcher, "MaxInputBytesPerBatch", name, effective, env, _positive)
    head: dict[str, Any] = {}
    if "BatchInput" in batcher and env.jsonata:
        head["BatchInput"] = asl_jsonata_data.evaluate(
            batcher["BatchInput"], "ItemBatcher/BatchInput", name, effective, env
        )
    elif "BatchInput" in batcher:
        head["BatchInput"] = state_input(
            {"Type": "Task", "Parameters": batcher["BatchInput"]}, name, effective, env
        )
    limit = max_bytes or MAX_BATCH_BYTES
    # A batch's size, counted as items join it rather than by encoding it again for each
    # (which made 10,000 items quadratic): the JSON text of `{...head, "Items": [a, b]}` is
    # that of `{...head, "Items": []}` plus each item's and a ", " between two.
    empty = json_bytes({**head, "Items": []})
    out: list[tuple[Any, int]] = []
    group: list[Any] = []
    group_bytes = empty
    for item in selected:
        item_bytes = json_bytes(item)
        fuller_bytes = group_bytes + item_bytes + (2 if group else 0)
        too_many = most is not None and len(group) + 1 > most
        if group and (too_many or fuller_bytes > limit):
            out.append(({**head, "Items": group}, len(group)))
            group, group_bytes = [item], empty + item_bytes
        else:
            group.append(item)
            group_bytes = fuller_bytes
    if group:
        out.append(({**head, "Items": group}, len(group)))
    return out


def _positive(value: Any) -> bool:
    return _int(value) and value >= 1


# -- static checks ------------------------------------------------------------------------


def check_map(state: Mapping[str, Any]) -> list[Finding]:
    """The Distributed Map fields' problems: one on an INLINE Map, malformed values, and
    what stptui does not run (ResultWriter, other readers and input types)."""
    found: list[Finding] = []
    if not is_distributed(state):
        for key in DISTRIBUTED_ONLY:
            if key in state:
                found.append(
                    (
                        (key,),
                        "schema",
                        f"The field '{key}' is only supported by a Map state in DISTRIBUTED mode",
                        "set ItemProcessor.ProcessorConfig.Mode to DISTRIBUTED, or remove it",
                    )
                )
        return found
    for key, ok, what in (
        ("ToleratedFailureCount", _count_ok, "a non-negative integer"),
        ("ToleratedFailurePercentage", _percentage_ok, "a number from 0 to 100"),
    ):
        if key in state and key + "Path" in state:
            found.append(
                ((key,), "schema", f"A Map may have '{key}' or '{key}Path', not both", None)
            )
        if key in state and not is_expression(state[key]) and not ok(state[key]):
            found.append(
                ((key,), "schema", f"The value for the field '{key}' must be {what}", None)
            )
    reader = state.get("ItemReader")
    if "ItemReader" in state:
        found.extend(_check_reader(reader))
    batcher = state.get("ItemBatcher")
    if "ItemBatcher" in state:
        found.extend(_check_batcher(batcher))
    if "ResultWriter" in state:
        found.extend(_check_writer(state["ResultWriter"]))
    return found


def _check_writer(writer: Any) -> list[Finding]:
    """ResultWriter's documented field combinations: WriterConfig, Resource with
    Parameters (a Bucket), or all three; s3:putObject is its only resource."""
    where: Path = ("ResultWriter",)
    if not isinstance(writer, Mapping) or not writer:
        return [(where, "schema", "ResultWriter cannot be empty", _WRITER_HINT)]
    found: list[Finding] = []
    # A JSONata state names the bucket in Arguments, a JSONPath one in Parameters.
    request = "Arguments" if "Arguments" in writer else "Parameters"
    has_resource, has_params = "Resource" in writer, request in writer
    if has_resource != has_params:
        found.append(
            (where, "schema", "ResultWriter needs Resource and Parameters together", _WRITER_HINT)
        )
    if has_resource and writer["Resource"] != PUT_OBJECT:
        found.append(
            (
                ("ResultWriter", "Resource"),
                "schema",
                f"The value for the field 'Resource' must be {PUT_OBJECT}",
                None,
            )
        )
    params = writer.get(request)
    if has_params and not (
        (isinstance(params, Mapping) and ("Bucket" in params or "Bucket.$" in params))
        or is_expression(params)
    ):
        found.append(
            (
                ("ResultWriter", request),
                "schema",
                f"ResultWriter {request} needs a Bucket (and optionally a Prefix)",
                None,
            )
        )
    if not has_resource and "WriterConfig" not in writer:
        found.append((where, "schema", "ResultWriter cannot be empty", _WRITER_HINT))
    config = writer.get("WriterConfig")
    if "WriterConfig" in writer and not isinstance(config, Mapping):
        found.append(
            (("ResultWriter", "WriterConfig"), "schema", "WriterConfig is an object", None)
        )
    elif isinstance(config, Mapping):
        for key, allowed in (("OutputType", OUTPUT_TYPES), ("Transformation", TRANSFORMATIONS)):
            if key in config and config[key] not in allowed:
                found.append(
                    (
                        ("ResultWriter", "WriterConfig", key),
                        "schema",
                        f"The value for the field '{key}' must be one of {', '.join(allowed)}",
                        None,
                    )
                )
    return found


_WRITER_HINT = (
    "give WriterConfig, or Resource arn:aws:states:::s3:putObject with Parameters "
    "{Bucket, Prefix}, or all three"
)


# -- ResultWriter -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChildResult:
    """One child execution of a Map Run as ResultWriter reports it: its `$$.Execution`
    context, its status (SUCCEEDED, FAILED or PENDING), its output or {Error, Cause}, and
    when it stopped (None while pending)."""

    execution: Mapping[str, Any]
    status: str
    value: Any = None
    stop_ms: int | None = None


# Step Functions writes JSON text without spaces (an execution's Input and Output strings).
_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _entry(child: ChildResult, machine_arn: str) -> dict[str, Any]:
    """A child execution's record with workflow metadata: Transformation NONE's shape, and
    every failed or pending child's whatever the Transformation."""
    ex = child.execution
    if child.status == "PENDING":
        return {
            "Input": _text(ex["Input"]),
            "InputDetails": {"Included": True},
            "Status": "PENDING",
        }
    out: dict[str, Any] = {
        "ExecutionArn": ex["Id"],
        "Input": _text(ex["Input"]),
        "InputDetails": {"Included": True},
        "Name": ex["Name"],
    }
    if child.status == "SUCCEEDED":
        out["Output"] = _text(child.value)
        out["OutputDetails"] = {"Included": True}
        out["RedriveCount"] = ex.get("RedriveCount", 0)
        out["RedriveStatus"] = "NOT_REDRIVABLE"
        out["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
    else:
        out["Error"] = child.value.get("Error")
        out["Cause"] = child.value.get("Cause")
        out["RedriveCount"] = ex.get("RedriveCount", 0)
        out["RedriveStatus"] = "REDRIVABLE"
    out["StartDate"] = ex["StartTime"]
    out["StateMachineArn"] = machine_arn
    out["Status"] = child.status
    if child.stop_ms is not None:
        out["StopDate"] = iso_ms(child.stop_ms)
    return out


def _transformed(children: list[ChildResult], machine_arn: str, transformation: str) -> list:
    """The succeeded children's results as `transformation` shapes them: NONE their
    records, COMPACT their outputs, FLATTEN their outputs with arrays spread one level."""
    ok = [c for c in children if c.status == "SUCCEEDED"]
    if transformation == "NONE":
        return [_entry(c, machine_arn) for c in ok]
    if transformation == "COMPACT":
        return [c.value for c in ok]
    out: list[Any] = []
    for c in ok:
        if isinstance(c.value, list):
            out.extend(c.value)
        else:
            out.append(c.value)
    return out


def _file_text(values: list[Any], output_type: str) -> bytes:
    lines = output_type == "JSONL"
    text = "".join(_text(v) + "\n" for v in values) if lines else _text(values)
    return text.encode("utf-8", "surrogatepass")


def write_results(
    sim: Simulator,
    state: Mapping[str, Any],
    name: str,
    effective: Any,
    env: DataEnv,
    run_arn: str,
    machine_arn: str,
    children: list[ChildResult],
) -> Any:
    """Apply the Map's ResultWriter to its Map Run's `children`: the Map's result.

    With only WriterConfig it is the succeeded children's results, transformed. With
    Resource and Parameters, `<Prefix>/<MapRunId>/` gets SUCCEEDED_0, FAILED_0 and PENDING_0
    files (those with children) and a manifest.json, put through the bucket service (so
    their notifications fire), and the result is {MapRunArn, ResultWriterDetails}. A bucket
    that is not the stack's, or a refused write, is States.ResultWriterFailed."""
    writer = state["ResultWriter"]
    config = writer.get("WriterConfig") or {}
    exporting = "Resource" in writer
    transformation = config.get("Transformation", "NONE" if exporting else "COMPACT")
    output_type = config.get("OutputType", "JSON")
    if not exporting:
        return _transformed(children, machine_arn, transformation)
    params = _request(writer, "ResultWriter", name, effective, env)
    bucket = _bucket(sim, params.get("Bucket") if isinstance(params, dict) else None, WRITER_FAILED)
    prefix = params.get("Prefix", "")
    if not isinstance(prefix, str):
        raise StatesRuntimeError(
            WRITER_FAILED, f"The ResultWriter's Prefix must be a string, not {_text(prefix)[:100]}"
        )
    # The Map Run's id is the ARN's last field; a Prefix ending in "/" gets no second one.
    folder = f"{prefix.rstrip('/')}/" if prefix else ""
    folder += run_arn.rsplit(":", 1)[-1] + "/"
    files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    service = sim.services["buckets"]
    source = f"{name} ResultWriter"
    for status in ("SUCCEEDED", "FAILED", "PENDING"):
        group = [c for c in children if c.status == status]
        if not group:
            continue
        if status == "SUCCEEDED":
            values = _transformed(group, machine_arn, transformation)
        else:
            values = [_entry(c, machine_arn) for c in group]
        key = f"{folder}{status}_0.json"
        obj = _put(service, bucket, key, _file_text(values, output_type), source)
        files[status].append({"Key": key, "Size": obj.size})
    manifest = {
        "DestinationBucket": bucket.aws_name,
        "MapRunArn": run_arn,
        "ResultFiles": files,
    }
    key = f"{folder}manifest.json"
    _put(service, bucket, key, _text(manifest).encode("utf-8", "surrogatepass"), source)
    return {
        "MapRunArn": run_arn,
        "ResultWriterDetails": {"Bucket": bucket.aws_name, "Key": key},
    }


def _put(service: Any, bucket: Any, key: str, content: bytes, source: str) -> Any:
    from stptui.sim.engine import SimError

    try:
        return service.put_object(bucket.name, key, content=content, source=source)
    except SimError as exc:
        raise StatesRuntimeError(WRITER_FAILED, f"S3 refused {key!r}: {exc}") from None


def _check_reader(reader: Any) -> list[Finding]:
    if not isinstance(reader, Mapping) or "Resource" not in reader:
        return [(("ItemReader",), "schema", "These fields are required: [Resource]", None)]
    found: list[Finding] = []
    resource = reader["Resource"]
    config = reader.get("ReaderConfig") or {}
    if resource not in (LIST_OBJECTS, GET_OBJECT):
        found.append(
            (
                ("ItemReader", "Resource"),
                "not-simulated",
                f"ItemReader {resource!r} is not simulated (s3:listObjectsV2 and s3:getObject "
                "are); an execution that reaches it fails",
                None,
            )
        )
    kind = config.get("InputType") if isinstance(config, Mapping) else None
    where: Path = ("ItemReader", "ReaderConfig", "InputType")
    if resource == GET_OBJECT and kind is None:
        found.append((where, "schema", "s3:getObject needs ReaderConfig.InputType", None))
    elif kind is not None and kind not in INPUT_TYPES:
        found.append(
            (
                where,
                "schema",
                f"The value for the field 'InputType' must be one of {', '.join(INPUT_TYPES)}",
                None,
            )
        )
    elif kind is not None and kind not in SIMULATED_INPUT_TYPES:
        found.append(
            (
                where,
                "not-simulated",
                f"InputType {kind} is not simulated; the Map fails with {READER_FAILED}",
                None,
            )
        )
    if isinstance(config, Mapping):
        location = config.get("CSVHeaderLocation", "FIRST_ROW")
        if location not in ("FIRST_ROW", "GIVEN"):
            found.append(
                (
                    ("ItemReader", "ReaderConfig", "CSVHeaderLocation"),
                    "schema",
                    "The value for the field 'CSVHeaderLocation' must be FIRST_ROW or GIVEN",
                    None,
                )
            )
        headers = config.get("CSVHeaders")
        if location == "GIVEN" and not (
            isinstance(headers, list) and headers and all(isinstance(h, str) for h in headers)
        ):
            found.append(
                (
                    ("ItemReader", "ReaderConfig"),
                    "schema",
                    "CSVHeaderLocation GIVEN needs CSVHeaders, a list of column names",
                    None,
                )
            )
        delimiter = config.get("CSVDelimiter")
        if delimiter is not None and delimiter not in CSV_DELIMITERS:
            found.append(
                (
                    ("ItemReader", "ReaderConfig", "CSVDelimiter"),
                    "schema",
                    f"The value for the field 'CSVDelimiter' must be one of "
                    f"{', '.join(CSV_DELIMITERS)}",
                    None,
                )
            )
        most = config.get("MaxItems")
        if (
            most is not None
            and not is_expression(most)
            and not (_count_ok(most) and most <= MAX_ITEMS)
        ):
            found.append(
                (
                    ("ItemReader", "ReaderConfig", "MaxItems"),
                    "schema",
                    "The value for the field 'MaxItems' must be an integer from 0 to "
                    f"{MAX_ITEMS:,}",
                    None,
                )
            )
    return found


def _check_batcher(batcher: Any) -> list[Finding]:
    keys = ("MaxItemsPerBatch", "MaxInputBytesPerBatch")
    if not isinstance(batcher, Mapping) or not any(
        k in batcher or k + "Path" in batcher for k in keys
    ):
        return [
            (
                ("ItemBatcher",),
                "schema",
                "An ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path)",
                None,
            )
        ]
    found: list[Finding] = []
    most = batcher.get("MaxItemsPerBatch")
    if most is not None and not is_expression(most) and not _positive(most):
        found.append(
            (
                ("ItemBatcher", "MaxItemsPerBatch"),
                "schema",
                "The value for the field 'MaxItemsPerBatch' must be a positive integer",
                None,
            )
        )
    size = batcher.get("MaxInputBytesPerBatch")
    if (
        size is not None
        and not is_expression(size)
        and not (_positive(size) and size <= MAX_BATCH_BYTES)
    ):
        found.append(
            (
                ("ItemBatcher", "MaxInputBytesPerBatch"),
                "schema",
                f"The value for the field 'MaxInputBytesPerBatch' must be an integer from 1 to "
                f"{MAX_BATCH_BYTES:,}",
                None,
            )
        )
    return found
