"""What goes into the stack's streams and stores, counted from the trace: Kinesis's
incoming records and bytes of each stream, the stream records each DynamoDB table writes,
the records produced to each Kafka topic, and S3's request metrics of each bucket; and S3's
daily storage metrics of each bucket, which its service writes down at each midnight
(stptui.sim.services.bucket.BucketSim.datapoints). (The consumers' side is each
function's: Invocations, IteratorAge, OffsetLag.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim import trace as tk
from stptui.sim.metrics.figures import (
    BUCKET_METRICS,
    BYTES,
    COUNT,
    KAFKA_METRICS,
    STREAM_METRICS,
    TABLE_METRICS,
    Figure,
    ResourceMetrics,
    counted,
)
from stptui.sim.services.alarm_metrics import field as raw_field

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

# S3's request metric of each `object.created` event: a PUT (PutObject, CopyObject) or a
# POST (POST Object, and CompleteMultipartUpload, a POST on the object).
_PUT_EVENTS = frozenset(("ObjectCreated:Put", "ObjectCreated:Copy"))
_POST_EVENTS = frozenset(("ObjectCreated:Post", "ObjectCreated:CompleteMultipartUpload"))
# What uploads the object's bytes: a copy is made inside S3.
_UPLOADS = frozenset(("ObjectCreated:Put", *_POST_EVENTS))
_ITEM_KINDS = (tk.ITEM_PUT, tk.ITEM_UPDATED, tk.ITEM_DELETED)


def stores(sim: Simulator) -> dict[str, str]:
    """The streams and stores measured, by name, with their kind: stream (Kinesis), table
    (a DynamoDB table with a stream), kafka-topic, bucket."""
    out = {name: "stream" for name in sim.services.get("streams", {})}
    tables = sim.services.get("tables", {})
    out.update({name: "table" for name, t in tables.items() if t.stream is not None})
    for name in sim.services.get("kafka", {}):
        out.setdefault(name, "kafka-topic")
    buckets = sim.services.get("buckets")
    if buckets is not None:
        out.update({name: "bucket" for name in buckets.buckets})
    return out


def _size(raw: tk.Raw) -> int:
    size = raw_field(raw, "size")
    return size if isinstance(size, int) else 0


def store_metrics(
    sim: Simulator, raws: Any, start: int, end: int | None = None
) -> dict[str, ResourceMetrics]:
    """Each measured stream's, table's, Kafka topic's and bucket's counts from `start` on,
    and, given the window's `end`, each bucket's daily storage datapoints in it."""
    kinds = stores(sim)
    widths = {"stream": 2, "table": 1, "kafka-topic": 2, "bucket": 4}
    counts = {name: [0] * widths[kind] for name, kind in kinds.items()}
    for raw in raws:
        if raw[0] < start:
            continue
        row = counts.get(raw[2])
        if row is None:
            continue
        kind = raw[1]
        if kind in (tk.STREAM_RECORD_PUT, tk.KAFKA_RECORD_PRODUCED):
            row[0] += 1
            row[1] += _size(raw)
        elif kind in _ITEM_KINDS:
            # A write that changed nothing writes no stream record (no sequence number).
            row[0] += raw_field(raw, "sequence_number") is not None
        elif kind == tk.OBJECT_CREATED:
            event = raw_field(raw, "event")
            row[0] += event in _PUT_EVENTS
            row[1] += event in _POST_EVENTS
            if event in _UPLOADS:
                row[3] += _size(raw)
        elif kind == tk.OBJECT_DELETED:
            row[2] += 1
    tables = {
        "stream": STREAM_METRICS,
        "table": TABLE_METRICS,
        "kafka-topic": KAFKA_METRICS,
        "bucket": BUCKET_METRICS,
    }
    out = {
        name: ResourceMetrics(name, kind, counted(tables[kind], counts[name]))
        for name, kind in kinds.items()
    }
    buckets = sim.services.get("buckets")
    if end is not None and buckets is not None:
        for name, b in buckets.buckets.items():
            out[name].figures += storage_figures(b.datapoints(start, end))
    return out


def storage_figures(days: list[tuple[int, int, int]]) -> list[Figure]:
    """NumberOfObjects and BucketSizeBytes of a bucket's daily datapoints, by Average (None
    without a midnight in the window), each with its samples for `expect`'s other
    statistics."""
    objects = [float(n) for _, n, _ in days]
    sizes = [float(b) for _, _, b in days]
    return [
        Figure("NumberOfObjects", "Average", COUNT, _mean(objects), None, objects),
        Figure("BucketSizeBytes", "Average", BYTES, _mean(sizes), None, sizes),
    ]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
