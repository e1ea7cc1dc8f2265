"""Kinesis data streams, and the Lambda event source mappings that read them.

A stream is a set of shards, each owning an even share of the 128-bit hash key space
(`shardCount` of a PROVISIONED stream; the 4 a new ON_DEMAND stream starts with). PutRecord
hashes the partition key with MD5 into that space, or takes an explicit hash key, and
appends the record to the shard that owns the key, with a sequence number that grows within
the shard. A record is kept `retentionPeriodHours` (default 24) and then expires: nobody
reads it after that.

An event source mapping (a `kinesis-stream` event of a function or batch job) reads each
shard in order, one batch at a time per shard (per shard and lane with
`parallelizationFactor` > 1, a partition key always in the same lane). A standard consumer
polls each shard once a second and, while records wait, reads the next batch as soon as
the last one is done; an enhanced fan-out consumer (`consumerArn` or `autoCreateConsumer`)
is pushed each record at once. A batch holds up to `batchSize` records (AWS's default of
100: Stacktape passes none) and waits up to `maxBatchWindowSeconds` to fill. A function
error or timeout retries the whole batch, blocking its shard, until it succeeds, its
records expire or `maximumRetryAttempts` is used up (default -1: forever); with
`bisectBatchOnFunctionError` a failing batch is split in two first, which uses no retry.
A discarded batch is described to `onFailure` (an SQS queue or SNS topic). Stacktape sets
no `FunctionResponseTypes`, so a `batchItemFailures` response is ignored unless the
behaviours file turns `reportBatchItemFailures` on (with bisection on too, the response
splits the batch at its lowest reported record, which uses no retry). docs/fidelity.md
("Kinesis") has the sources and the simulator's own choices.

A batch job's event is read by its trigger function, which starts an execution per batch
and returns; when StartExecution refuses the batch's event (over 256 KiB) the function
fails, and its batch is retried, bisected or discarded as any failed function's.

The mapping reads any `StreamSource`: a DynamoDB table's stream (stptui.sim.services.table)
is read the same way, with its own event, on-failure batch info and poll rate.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import deque
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from stptui.config.aws_names import lambda_name, lambda_role_name
from stptui.sim import trace as tk
from stptui.sim.behavior import Emission, Outcome
from stptui.sim.clock import iso_ms
from stptui.sim.payloads import Deferred, json_string_sizes
from stptui.sim.services.function import (
    SYNC_PAYLOAD_BYTES,
    throttle_backoff_ms,
)
from stptui.textsafe import quote_word, typed_names

if TYPE_CHECKING:
    from collections.abc import Mapping

    from stptui.config.model import Resource, Trigger, Workload
    from stptui.sim.engine import Simulator
    from stptui.sim.services.function import FunctionSim

# A new on-demand stream has 4 shards (4 MB/s of writes); the simulator keeps it at that.
ON_DEMAND_SHARDS = 4
HASH_SPACE = 1 << 128
MAX_RECORD_BYTES = 1_048_576  # data + partition key (a stream's default MaxRecordSize)
MAX_PARTITION_KEY = 256
DEFAULT_RETENTION_HOURS = 24
# AWS's BatchSize default for Kinesis and DynamoDB streams: Stacktape passes `batchSize`
# through, so an event without one gets it.
DEFAULT_BATCH_SIZE = 100
# A standard consumer polls each shard once a second.
POLL_INTERVAL_MS = 1000
# Each record's share of the invocation payload beyond its base64 data and key: the fixed
# fields of a Kinesis record (about 500 bytes as AWS writes them).
RECORD_OVERHEAD_BYTES = 500
DEFAULT_PARTITION_KEY = "stptui"

_SEQ = attrgetter("sequence_number")
# An invocation that failed, as `failure_record` reads one (its status alone).
_FAILED = Outcome(0, "error")

# What a batch job's trigger function that failed ends with, for its mapping: a function
# error (Stacktape's trigger function throws StartExecution's error; the time it ran is
# not simulated).
TRIGGER_FAILED = Outcome(0, "error", "InvalidExecutionInput")


class KinesisError(ValueError):
    """A request Kinesis itself would reject, with AWS's error code."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.hint = hint


def hash_key_of(partition_key: str) -> int:
    """The 128-bit hash key of a partition key: its UTF-8 MD5 digest as an integer."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8", "surrogatepass")).digest())


class StreamRecord:
    """One data record of a shard."""

    __slots__ = (
        "arrival_ms",
        "data",
        "expired",
        "lane_key",
        "partition_key",
        "sequence_number",
        "shard",
    )

    def __init__(
        self, data: bytes, partition_key: str, lane_key: int, shard: Shard, seq: str, now: int
    ) -> None:
        self.data = data
        self.partition_key = partition_key
        # The lane under a parallelization factor: the partition key's own hash, which an
        # ExplicitHashKey does not change, as Lambda keeps order per partition key.
        self.lane_key = lane_key
        self.shard = shard
        self.sequence_number = seq
        self.arrival_ms = now
        self.expired = False

    @property
    def payload_bytes(self) -> int:
        """About what the record adds to an invocation's payload."""
        return 4 * ((len(self.data) + 2) // 3) + len(self.partition_key) + RECORD_OVERHEAD_BYTES


class Shard:
    """One shard: its hash key range and the records it still holds, oldest first."""

    def __init__(self, stream_index: int, index: int, count: int) -> None:
        self.index = index
        self.id = f"shardId-{index:012d}"
        self.start_hash = index * HASH_SPACE // count
        self.end_hash = (index + 1) * HASH_SPACE // count - 1
        self.records: deque[StreamRecord] = deque()
        self._prefix = f"49{stream_index:03d}{index:03d}"
        self._count = 0

    def next_sequence_number(self, now: int) -> str:
        """The sequence number of a record put now (`upcoming_sequence_number`), drawn."""
        seq = self.upcoming_sequence_number(now)
        self._count += 1
        return seq

    def upcoming_sequence_number(self, now: int) -> str:
        """The number the next record put now gets, drawing nothing: 56 digits, larger than
        every earlier one of the shard (and unique in the simulation: the stream and shard
        are part of it)."""
        return f"{self._prefix}{now:015d}{self._count + 1:033d}"


class StreamSource:
    """What an event source mapping reads: shards of records, each expiring `retention_ms`
    after it arrived. A Kinesis stream (StreamSim) and a DynamoDB table's stream
    (stptui.sim.services.table.TableStream) are both; they differ in the event Lambda builds,
    the batch info of the on-failure record and how often Lambda polls them."""

    # The `trigger` of the invocations (and batch executions) a mapping of it starts.
    trigger: str
    # The key of the on-failure record's batch description.
    batch_info_key: str
    # How often a standard consumer polls each shard; a failed batch is read again at the
    # next poll (AWS documents no other delay).
    poll_interval_ms: int

    def __init__(self, sim: Simulator, name: str, arn: str, retention_ms: int) -> None:
        self.sim = sim
        self.name = name
        self.arn = arn
        self.retention_ms = retention_ms
        self.shards: list[Shard] = []
        self.consumers: list[StreamConsumer] = []
        self._expiry: deque[Any] = deque()
        self._expiry_timer: list[Any] | None = None

    def event(self, records: list[Any], consumer: StreamConsumer) -> dict[str, Any]:
        """The event Lambda invokes a function with for a batch of `records`."""
        raise NotImplementedError

    def held(self) -> int:
        """The records its shards hold now (read or not; expired ones are gone)."""
        return sum(len(s.records) for s in self.shards)

    def figures(self) -> dict[str, int]:
        """What `show stream` (and `show table`) shows, summed over every reader and shard:
        records held, records waiting for a reader, records in a running batch, retries of
        the batches now blocking their shards, and records expired so far."""
        lanes = [lane for consumer in self.consumers for lane in consumer.lane_views()]
        return {
            "records": self.held(),
            "waiting": sum(lane["waiting"] for lane in lanes),
            "in_flight": sum(lane["in_flight"] for lane in lanes),
            "retries": sum(lane["retries"] for lane in lanes),
            "expired": self.sim.trace.count(tk.STREAM_RECORD_EXPIRED, self.name),
        }

    def arrival_text(self, ms: int) -> str:
        """A record's arrival time as the on-failure record writes it."""
        return iso_ms(ms)

    def append(self, record: Any) -> None:
        """Keep a new record until it expires, and hand it to every mapping that reads it."""
        record.shard.records.append(record)
        self._expiry.append(record)
        if self._expiry_timer is None:
            self._arm_expiry()
        for consumer in self.consumers:
            consumer.on_put(record)

    def _arm_expiry(self) -> None:
        head = self._expiry[0]
        self._expiry_timer = self.sim.clock.at(
            head.arrival_ms + self.retention_ms,
            self._expire_due,
            None,
            ("stream-retention", self.name, ""),
            background=True,
        )

    def expired_record(self, record: Any) -> tuple[str, dict[str, Any]]:
        """The kind and fields of the trace record that says `record` expired."""
        return tk.STREAM_RECORD_EXPIRED, {
            "sequence_number": record.sequence_number,
            "shard": record.shard.id,
        }

    def _expire_due(self, _: Any) -> None:
        """Records past the retention period expire, oldest first."""
        self._expiry_timer = None
        sim = self.sim
        now = sim.clock.now
        queue = self._expiry
        while queue and queue[0].arrival_ms + self.retention_ms <= now:
            record = queue.popleft()
            record.expired = True
            shard = record.shard
            if shard.records and shard.records[0] is record:
                shard.records.popleft()
            kind, data = self.expired_record(record)
            sim.trace.emit((now, kind, self.name, data))
        if queue:
            self._arm_expiry()


class StreamSim(StreamSource):
    """The simulated state of one Kinesis data stream."""

    trigger = "kinesis"
    batch_info_key = "KinesisBatchInfo"
    poll_interval_ms = POLL_INTERVAL_MS

    def __init__(self, sim: Simulator, res: Resource, index: int) -> None:
        props = res.properties
        hours = _int(props.get("retentionPeriodHours"), DEFAULT_RETENTION_HOURS)
        super().__init__(sim, res.name, sim.arn(res.name), max(1, hours) * 3_600_000)
        self.provisioned = props.get("capacityMode") == "PROVISIONED"
        count = _int(props.get("shardCount"), 1) if self.provisioned else ON_DEMAND_SHARDS
        self.shards = [Shard(index, i, max(1, count)) for i in range(max(1, count))]

    def event(self, records: list[Any], consumer: StreamConsumer) -> dict[str, Any]:
        """The Kinesis event Lambda hands the function."""
        return kinesis_event(records, consumer)

    def example_event(
        self, consumer: StreamConsumer, data: bytes, partition_key: str
    ) -> dict[str, Any]:
        """The event `consumer` hands its function for one record put now, as `put` would
        make it; nothing is drawn, kept or traced (`invoke`'s offers)."""
        return self.event([self.example_record(data, partition_key)], consumer)

    def example_record(self, data: bytes, partition_key: str) -> StreamRecord:
        """The record `put` would append now for `data` and `partition_key` (on the shard
        its key hashes to, with the sequence number the next record there gets); nothing
        is drawn, kept or traced."""
        now = self.sim.clock.now
        lane_key = hash_key_of(partition_key)
        shard = self.shard_for(lane_key)
        seq = shard.upcoming_sequence_number(now)
        return StreamRecord(data, partition_key, lane_key, shard, seq, now)

    def shard_for(self, hash_key: int) -> Shard:
        """The shard whose hash key range holds `hash_key`."""
        count = len(self.shards)
        return self.shards[min(count - 1, hash_key * count // HASH_SPACE)]

    def validate_put(self, data: bytes, partition_key: str, explicit: str | None) -> None:
        """Raise KinesisError for a PutRecord Kinesis would refuse (nothing changes)."""
        if not partition_key:
            raise KinesisError(
                "ValidationException",
                "1 validation error detected: Value at 'partitionKey' failed to satisfy "
                "constraint: Member must have length greater than or equal to 1",
                "give a partition key of 1 to 256 characters",
            )
        if len(partition_key) > MAX_PARTITION_KEY:
            raise KinesisError(
                "ValidationException",
                f"1 validation error detected: Value '{partition_key[:40]}...' at "
                "'partitionKey' failed to satisfy constraint: Member must have length less "
                "than or equal to 256",
                "a partition key holds at most 256 characters",
            )
        size = len(data) + len(partition_key.encode("utf-8", "surrogatepass"))
        if size > MAX_RECORD_BYTES:
            raise KinesisError(
                "ValidationException",
                "1 validation error detected: Value at 'data' failed to satisfy constraint: "
                f"Member must have length less than or equal to {MAX_RECORD_BYTES}",
                "a record's data and partition key hold at most 1 MiB together; these are "
                f"{size:,} bytes",
            )
        if explicit is not None and not _is_hash_key(explicit):
            raise KinesisError(
                "ValidationException",
                f"1 validation error detected: Value '{explicit}' at 'explicitHashKey' failed "
                "to satisfy constraint: Member must satisfy regular expression pattern: "
                "0|([1-9]\\d{0,38})",
                "an explicit hash key is a whole number from 0 to 2^128 - 1",
            )
        if explicit is not None and int(explicit) >= HASH_SPACE:
            raise KinesisError(
                "InvalidArgumentException",
                f"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, "
                f"{HASH_SPACE - 1}]. Specified value was {explicit}",
                "an explicit hash key is a whole number from 0 to 2^128 - 1",
            )

    def put(
        self,
        data: bytes,
        partition_key: str,
        explicit_hash_key: str | None = None,
        source: str = "command",
    ) -> StreamRecord:
        """PutRecord: append a record to the shard its hash key falls in."""
        self.validate_put(data, partition_key, explicit_hash_key)
        sim = self.sim
        now = sim.clock.now
        lane_key = hash_key_of(partition_key)
        hk = int(explicit_hash_key) if explicit_hash_key is not None else lane_key
        shard = self.shard_for(hk)
        record = StreamRecord(
            data, partition_key, lane_key, shard, shard.next_sequence_number(now), now
        )
        sim.trace.emit(
            (
                now,
                tk.STREAM_RECORD_PUT,
                self.name,
                {
                    "sequence_number": record.sequence_number,
                    "shard": shard.id,
                    "partition_key": partition_key,
                    "size": len(data),
                    "source": source,
                },
            )
        )
        self.append(record)
        return record


class Settings:
    """An event source mapping's configuration, read from a `kinesis-stream` event."""

    def __init__(self, props: dict[str, Any]) -> None:
        self.batch_size = max(1, _int(props.get("batchSize"), DEFAULT_BATCH_SIZE))
        window = props.get("maxBatchWindowSeconds")
        ok = isinstance(window, (int, float)) and not isinstance(window, bool)
        self.window_ms = int(window * 1000) if ok and window > 0 else 0
        self.latest = props.get("startingPosition") == "LATEST"
        self.max_retries = _int(props.get("maximumRetryAttempts"), -1)
        self.bisect = props.get("bisectBatchOnFunctionError") is True
        self.parallel = min(10, max(1, _int(props.get("parallelizationFactor"), 1)))
        self.push = bool(props.get("consumerArn")) or props.get("autoCreateConsumer") is True
        failure = props.get("onFailure")
        self.on_failure: Any = failure.get("arn") if isinstance(failure, dict) else None


class Lane:
    """The records of one shard (one of its lanes with parallelization) that a mapping has
    still to process, and the batch it is processing."""

    __slots__ = (
        "batches",
        "checkpoint",
        "current",
        "index",
        "name",
        "pending",
        "shard",
        "timer",
        "window_bytes",
        "window_from",
    )

    def __init__(self, shard: Shard, index: int) -> None:
        self.shard = shard
        self.index = index
        self.pending: deque[StreamRecord] = deque()
        # Batches to run before any new record is read: a retried batch, bisected halves.
        self.batches: deque[StreamBatch] = deque()
        self.timer: list[Any] | None = None
        self.window_from: int | None = None
        # The payload of the records waiting while the batch window is open: at 6 MB the
        # batch is full and goes before the window ends.
        self.window_bytes = 0
        self.checkpoint: str | None = None  # the last sequence number done with
        self.current: StreamBatch | None = None  # the batch an invocation is running
        # The shard id, and the lane number when the shard has several.
        self.name = shard.id if index < 0 else f"{shard.id}#{index}"


class StreamBatch:
    """One batch of a lane: the caller of its invocations."""

    __slots__ = (
        "_seqs",
        "_seqs_of",
        "_sizes",
        "_values",
        "_values_of",
        "attempts",
        "consumer",
        "first_records",
        "invocation_id",
        "lane",
        "records",
        "retries",
        "throttles",
    )

    # A stream batch's invocation starts a chain of requests (Kinesis does not carry one).
    chain = 1
    sqs_records = None

    def __init__(self, consumer: StreamConsumer, lane: Lane, records: list[StreamRecord]) -> None:
        self.consumer = consumer
        self.lane = lane
        self.records = records
        # `records` only shrinks (a partial failure, an expiry): an earlier attempt's event
        # is these, cut to the sequence numbers it started with (`show event`).
        self.first_records = records
        self.retries = 0  # failed attempts that count against maximumRetryAttempts
        self.attempts = 0  # invocations so far
        self.throttles = 0
        self.invocation_id = ""
        self._seqs: list[str] = []
        self._seqs_of: list[StreamRecord] | None = None
        # The consumer's `batch_values`, kept as `_seqs` is (see `values`).
        self._values: tuple[Any, ...] = ()
        self._values_of: list[StreamRecord] | None = None
        # A batch job's batch whose trigger function failed: the records it was refused for
        # and their event's JSON sizes, so that each retry of them (every second until they
        # expire, by default) is measured without building the event again.
        self._sizes: tuple[list[StreamRecord], tuple[int, int]] | None = None

    @property
    def sequence_numbers(self) -> list[str]:
        """The batch's sequence numbers, in order.

        Made once per list of records: a batch retried every second for a week names them
        in two records per attempt, and they change only when `records` is replaced (by a
        partial failure or expiry; nothing changes the list in place). The records of all
        its attempts share the list, as they share their other values."""
        records = self.records
        if self._seqs_of is not records:
            self._seqs = list(map(_SEQ, records))
            self._seqs_of = records
        return self._seqs

    def values(self) -> tuple[Any, ...]:
        """The consumer's `batch_values` of this batch, made once per list of records (the
        started and retried records of every attempt of a batch name it by the same values)."""
        records = self.records
        if self._values_of is not records:
            self._values = self.consumer.batch_values(self)
            self._values_of = records
        return self._values

    def event(self) -> dict[str, Any]:
        """The Kinesis event the handler receives."""
        return self.consumer.stream.event(self.records, self.consumer)

    def done(self, outcome: Outcome, invocation_id: str) -> None:
        """The invocation ended: the mapping checkpoints, retries, bisects or discards.

        Written here, the retry of a failed batch with it, rather than as methods of the
        consumer that this would call: a batch retried for a week ends an invocation every
        few hundred milliseconds."""
        consumer = self.consumer
        lane = self.lane
        lane.current = None
        self.invocation_id = invocation_id
        if outcome.status != "success":
            bisect = consumer.bisect
        else:
            consumer.succeeded(self, invocation_id)
            failed = outcome.failed_item_ids if consumer.report_failures else None
            if not failed:
                consumer.advance(lane, self.records)
                return
            # A partial batch response: everything before the lowest failed record is done;
            # the batch is retried from that record on.
            first = min(i for i, r in enumerate(self.records) if r.sequence_number in failed)
            consumer.advance(lane, self.records[:first], go_on=False)
            if first and consumer.bisect:
                # With bisection on, "the batch is bisected at the returned sequence number"
                # (services-kinesis-batchfailurereporting): a split, which uses no retry.
                consumer.split_at_report(self, first)
                return
            self.records = self.records[first:]
            bisect = False
        sim = consumer.sim
        now = sim.clock.now
        at = now + consumer.retry_ms
        limit = consumer.max_retries
        if consumer.forever or (
            (not bisect or len(self.records) == 1) and (limit < 0 or self.retries < limit)
        ):
            # The commonest end of a failed attempt (a batch retried forever, by default):
            # a packed record whose time is written as text only when the record is read
            # (`EndsAtInstant`), and the lane's next read (`_schedule`: no timer is set while
            # its batch runs, and the lane has this batch to read).
            self.retries += 1
            values = self._values if self._values_of is self.records else self.values()
            # The three `batch_names` values, taken one by one: a tuple built in one step
            # costs less than one spliced from another (and a fourth would fail here, loudly).
            source, lane_name, ids = values
            sim.trace.emit(
                (
                    now,
                    consumer.retried_kind,
                    consumer.target,
                    source,
                    lane_name,
                    ids,
                    invocation_id,
                    self.retries,
                    at,
                    consumer.retried_names,
                )
            )
            lane.batches.appendleft(self)
            lane.timer = sim.clock.at(at, consumer.poll_cb, lane, consumer.retry_label)
            return
        consumer.split_or_discard(self, outcome, bisect, at)


def kinesis_event(records: list[StreamRecord], consumer: StreamConsumer) -> dict[str, Any]:
    """The event Lambda invokes a function with for a batch of Kinesis records."""
    stream = consumer.stream
    region = stream.sim.region
    role = consumer.role_arn
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": r.partition_key,
                    "sequenceNumber": r.sequence_number,
                    "data": base64.b64encode(r.data).decode("ascii"),
                    "approximateArrivalTimestamp": r.arrival_ms / 1000,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{r.shard.id}:{r.sequence_number}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": role,
                "awsRegion": region,
                "eventSourceARN": stream.arn,
            }
            for r in records
        ]
    }


class StreamConsumer:
    """A Lambda event source mapping from one stream to one function or batch job."""

    # The names of the `invocation.started` fields of a batch's invocation, and the kind of
    # the record that says a failed batch will be read again: a Kafka topic's mapping
    # (stptui.sim.services.kafka) names its batches by topic, partition and record ids.
    started_names: tuple[str, ...] = tk.KINESIS_STARTED_FIELDS
    retried_kind = tk.STREAM_BATCH_RETRIED
    # The names of `batch_values`, and of the retried record's packed fields
    # (`StreamBatch.done`).
    batch_names: tuple[str, ...] = ("stream", "shard", "sequence_numbers")
    retried_names: tuple[str, ...] = tk.EndsAtInstant(
        (*batch_names, "invocation_id", "retries", "at")
    )

    def batch_values(self, batch: StreamBatch) -> tuple[Any, ...]:
        """What the trace names a batch by: its stream, shard (lane) and sequence numbers."""
        return (self.stream.name, batch.lane.name, batch.sequence_numbers)

    def batch_fields(self, batch: StreamBatch) -> dict[str, Any]:
        """`batch_values` by their names."""
        return dict(zip(self.batch_names, batch.values(), strict=True))

    def __init__(
        self, sim: Simulator, stream: StreamSource, target: str, is_job: bool, settings: Settings
    ) -> None:
        self.sim = sim
        self.stream = stream
        self.target = target
        self.is_job = is_job
        self.settings = settings
        self.fn: FunctionSim | None = None if is_job else sim.functions[target]
        # The role Lambda reads the stream with: the function's, or a job's trigger function's.
        role = lambda_role_name(sim.stack.stack_name, sim.region, target, batch_trigger=is_job)
        self.role_arn = f"arn:aws:iam::{sim.account_id}:role/{role}"
        self.report_failures = not is_job and sim.behaviors.report_batch_item_failures(target)
        self.failure_target = _resolve_target(sim, settings.on_failure)
        single = settings.parallel == 1
        self.lanes = [
            [Lane(shard, -1 if single else i) for i in range(settings.parallel)]
            for shard in stream.shards
        ]
        # Its timers' labels: a read's, and a failed batch's read again (StreamBatch.done).
        self._poll_label = ("stream-poll", stream.name, target)
        self.retry_label = ("stream-retry", stream.name, target)
        # What every failed attempt reads (StreamBatch.done), kept here rather than read
        # through `settings` and `stream` each time.
        self.bisect = settings.bisect
        self.max_retries = settings.max_retries
        # A failed batch is simply read again, each time (neither split nor ever given up).
        self.forever = settings.max_retries < 0 and not settings.bisect
        self.retry_ms = stream.poll_interval_ms
        self.trigger = stream.trigger
        # The class's (or a subclass's) names and kind, as attributes of the instance: CPython
        # 3.11 reads an instance's own attribute faster than one its class holds.
        self.started_names = self.started_names
        self.retried_kind = self.retried_kind
        self.retried_names = self.retried_names
        # One bound method for the timers of all its reads, not one made for each.
        self.poll_cb = self._poll
        # `pause FUNCTION --trigger STREAM` (stptui.sim.mappings): no read while set; the
        # lanes keep their records and position.
        self.disabled = False
        if not settings.latest:
            # TRIM_HORIZON: the oldest record each shard still holds comes first.
            for shard in stream.shards:
                for record in shard.records:
                    self._lane(record).pending.append(record)
            for lanes in self.lanes:
                for lane in lanes:
                    self._schedule(lane)

    def _lane(self, record: StreamRecord) -> Lane:
        lanes = self.lanes[record.shard.index]
        return lanes[record.lane_key % len(lanes)]

    # -- reading -------------------------------------------------------------------------

    def on_put(self, record: StreamRecord) -> None:
        """A record arrived on a shard this mapping reads."""
        lane = self._lane(record)
        lane.pending.append(record)
        if lane.window_from is not None:
            lane.window_bytes += record.payload_bytes
        if lane.window_from is not None and lane.timer is not None and self._batch_full(lane):
            # The batch is full before its window closes: it goes now.
            self.sim.clock.cancel(lane.timer)
            lane.timer = None
            lane.window_from = None
        self._schedule(lane)

    def _batch_full(self, lane: Lane) -> bool:
        """Whether the records waiting fill a batch: `batchSize` of them, or more than the
        6 MB an invocation's payload holds (with-kinesis: a batching window ends early at
        either)."""
        return (
            len(lane.pending) >= self.settings.batch_size or lane.window_bytes > SYNC_PAYLOAD_BYTES
        )

    def _schedule(self, lane: Lane, at: int | None = None) -> None:
        """Arrange the lane's next read: at `at`, or at the next poll (at once for pushed
        records)."""
        if lane.timer is not None or lane.current is not None or self.disabled:
            return
        if not lane.batches and not lane.pending:
            return
        if at is None:
            now = self.sim.clock.now
            at = now if self.settings.push else self._next_poll(now)
        label = self.retry_label if lane.batches else self._poll_label
        lane.timer = self.sim.clock.at(at, self.poll_cb, lane, label)

    def set_disabled(self, disabled: bool) -> None:
        """Stop reading (a batch being processed finishes as usual), or read again from
        each lane's kept position, at the next poll."""
        self.disabled = disabled
        # The timers' callback, swapped rather than a flag read at every read: a retry's
        # timer set as a batch in flight at the pause fails finds the mapping disabled.
        self.poll_cb = self._poll_disabled if disabled else self._poll
        for lanes in self.lanes:
            for lane in lanes:
                if disabled and lane.timer is not None:
                    self.sim.clock.cancel(lane.timer)
                    lane.timer = None
                elif not disabled:
                    self._schedule(lane)

    def _poll_disabled(self, lane: Lane) -> None:
        """A read due while the mapping is disabled: none; the lane is read on resume.

        A retry's timer set while disabled (the batch in flight at the pause failed) may
        come due after a resume that found it pending and so left the lane to it: it is
        then the lane's read, after the retry's usual wait."""
        lane.timer = None
        if not self.disabled:
            self._poll(lane)

    def _next_poll(self, now: int) -> int:
        start = self.sim.start_ms
        interval = self.stream.poll_interval_ms
        ticks = -(-(now - start) // interval)
        return start + ticks * interval

    def _poll(self, lane: Lane) -> None:
        """The lane's read: the batch it retries (or the next bisected half), else a new
        batch of the records waiting, handed to the function.

        One method, the invocation written out at its end: a batch retried all week comes
        through here every second (four times a second on a table's stream)."""
        lane.timer = None
        if lane.batches:
            batch = lane.batches.popleft()
            # Records expire in the order they arrived, which is the batch's order: while its
            # first lives, all do.
            if batch.records[0].expired:
                live = [r for r in batch.records if not r.expired]
                batch.records = live
                if not live:
                    self._schedule(lane, self.sim.clock.now)
                    return
        else:
            batch = self._take(lane)
            if batch is None:
                return
        fn = self.fn
        if fn is None:
            self._submit(batch)
            return
        # FunctionSim.throttled, written out.
        reserved = fn.reserved
        if (
            fn.running >= reserved
            if reserved is not None
            else self.sim.unreserved_running >= self.sim.unreserved_limit
        ):
            self._throttled(batch, fn)
            return
        batch.throttles = 0
        batch.attempts += 1
        lane.current = batch
        values = batch._values if batch._values_of is batch.records else batch.values()
        fn.start(self.trigger, batch.attempts, batch, values, self.started_names)

    def _take(self, lane: Lane) -> StreamBatch | None:
        """A new batch of the records waiting in `lane`, or None: none wait, or the batching
        window is still open (its timer is then set)."""
        sim = self.sim
        now = sim.clock.now
        pending = lane.pending
        while pending and pending[0].expired:
            pending.popleft()
        if not pending:
            lane.window_from = None
            return None
        settings = self.settings
        if settings.window_ms and len(pending) < settings.batch_size:
            if lane.window_from is None:
                lane.window_from = now
                lane.window_bytes = sum(r.payload_bytes for r in pending)
            due = lane.window_from + settings.window_ms
            if now < due and not self._batch_full(lane):
                lane.timer = sim.clock.at(due, self.poll_cb, lane, self._poll_label)
                return None
        lane.window_from = None
        records: list[StreamRecord] = []
        room = SYNC_PAYLOAD_BYTES
        while pending and len(records) < settings.batch_size:
            size = pending[0].payload_bytes
            if records and size > room:
                break
            room -= size
            records.append(pending.popleft())
        return StreamBatch(self, lane, records)

    # -- invoking ------------------------------------------------------------------------

    def _submit(self, batch: StreamBatch) -> None:
        """Hand `batch` to a batch job's trigger function: one invocation of it, which
        starts an execution and returns, or fails when StartExecution refuses its input
        (over 256 KiB); the mapping then handles the failure as any function error
        (`StreamBatch.done`: retried, bisected or discarded, the shard waiting meanwhile)."""
        from stptui.sim.services.batch import TriggerFailed, submit_job, trigger_event_json

        stream = self.stream
        records = batch.records
        batch.attempts += 1
        sizes = batch._sizes
        event: Any
        if sizes is not None and sizes[0] is records:
            # Refused before: measured by its known sizes, built only if it ever starts.
            event = Deferred(stream.event, records, self)
            event.json_sizes = sizes[1]
        else:
            event = stream.event(records, self)
        try:
            submit_job(
                self.sim,
                self.target,
                event,
                stream.trigger,
                stream.name,
                {
                    "stream": stream.name,
                    "shard": batch.lane.shard.id,
                    "sequence_numbers": batch.sequence_numbers,
                },
            )
        except TriggerFailed as exc:
            if type(event) is not Deferred:
                batch._sizes = (records, json_string_sizes(trigger_event_json(event)))
            batch.done(TRIGGER_FAILED, exc.request_id)
            return
        self.advance(batch.lane, records)

    def _throttled(self, batch: StreamBatch, fn: FunctionSim) -> None:
        """The function has no concurrency left for `batch`: it waits and goes again."""
        sim = self.sim
        lane = batch.lane
        stream = self.stream
        batch.throttles += 1
        delay = throttle_backoff_ms(batch.throttles)
        sim.trace.emit(
            (
                sim.clock.now,
                tk.INVOCATION_THROTTLED,
                fn.name,
                {
                    "trigger": stream.trigger,
                    **self.batch_fields(batch),
                    "retry_in_ms": delay,
                },
            )
        )
        # A throttle is no failed attempt: the same batch waits and goes again.
        lane.batches.appendleft(batch)
        self._schedule(lane, sim.clock.now + delay)

    def succeeded(self, batch: StreamBatch, invocation_id: str) -> None:
        """What a mapping does first when an invocation of `batch` succeeds (before its
        checkpoint moves): nothing here; a Kafka consumer group commits its offset."""

    def split_or_discard(self, batch: StreamBatch, outcome: Outcome, bisect: bool, at: int) -> None:
        """A failed batch that is not simply read again (`StreamBatch.done`): bisected, when
        `bisect` and it has records to split (its halves read at `at`), else discarded with
        its retries used up."""
        sim = self.sim
        now = sim.clock.now
        lane = batch.lane
        common = {**self.batch_fields(batch), "invocation_id": batch.invocation_id}
        if bisect and len(batch.records) > 1:
            # Splitting uses no retry: each half, a new batch, keeps the count so far.
            half = len(batch.records) // 2
            first = StreamBatch(self, lane, batch.records[:half])
            second = StreamBatch(self, lane, batch.records[half:])
            first.retries = second.retries = batch.retries
            sim.trace.emit(
                (
                    now,
                    tk.STREAM_BATCH_BISECTED,
                    self.target,
                    {**common, "split_at": half, "at": iso_ms(at)},
                )
            )
            lane.batches.appendleft(second)
            lane.batches.appendleft(first)
            self._schedule(lane, at)
            return
        # Only a batch whose retries are used up comes this far without bisecting.
        self._discard(batch, outcome, "RetryAttemptsExhausted", common)

    def split_at_report(self, batch: StreamBatch, first: int) -> None:
        """A partial batch response with bisection on: `batch` is split before its lowest
        reported record (the records before it are done), and the rest, a new batch that
        keeps the retries used so far, is read at the next poll.

        A response whose lowest reported record is the batch's first splits nothing off:
        that is a retry (StreamBatch.done), so a handler that keeps reporting it cannot
        outlast `maximumRetryAttempts` (a choice: AWS does not say)."""
        sim = self.sim
        now = sim.clock.now
        at = now + self.retry_ms
        lane = batch.lane
        rest = StreamBatch(self, lane, batch.records[first:])
        rest.retries = batch.retries
        sim.trace.emit(
            (
                now,
                tk.STREAM_BATCH_BISECTED,
                self.target,
                {
                    **self.batch_fields(batch),
                    "invocation_id": batch.invocation_id,
                    "split_at": first,
                    "at": iso_ms(at),
                },
            )
        )
        lane.batches.appendleft(rest)
        self._schedule(lane, at)

    def advance(self, lane: Lane, records: list[StreamRecord], *, go_on: bool = True) -> None:
        """The mapping is done with `records`: move the lane's checkpoint past them and,
        while records wait, read the next batch at once."""
        if records:
            lane.checkpoint = records[-1].sequence_number
        if go_on:
            self._schedule(lane, self.sim.clock.now)

    def _discard(
        self, batch: StreamBatch, outcome: Outcome, condition: str, common: dict[str, Any]
    ) -> None:
        sim = self.sim
        sim.trace.emit(
            (
                sim.clock.now,
                tk.STREAM_BATCH_DISCARDED,
                self.target,
                {**common, "condition": condition, "attempts": batch.attempts},
            )
        )
        if self.settings.on_failure is not None:
            self._deliver_failure(batch, outcome, condition)
        self.advance(batch.lane, batch.records)

    def failure_record(
        self, batch: StreamBatch, outcome: Outcome, condition: str
    ) -> dict[str, Any]:
        """The invocation record Lambda sends to the on-failure destination."""
        fn = self.fn
        now = self.sim.clock.now
        stream = self.stream
        records = batch.records
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if outcome.status != "success":
            response["functionError"] = "Unhandled"
        return {
            "requestContext": {
                "requestId": batch.invocation_id,
                "functionArn": fn.arn if fn is not None else self._trigger_function_arn(),
                "condition": condition,
                "approximateInvokeCount": batch.attempts,
            },
            "responseContext": response,
            "version": "1.0",
            "timestamp": iso_ms(now),
            stream.batch_info_key: {
                "shardId": batch.lane.shard.id,
                "startSequenceNumber": records[0].sequence_number,
                "endSequenceNumber": records[-1].sequence_number,
                "approximateArrivalOfFirstRecord": stream.arrival_text(records[0].arrival_ms),
                "approximateArrivalOfLastRecord": stream.arrival_text(records[-1].arrival_ms),
                "batchSize": len(records),
                "streamArn": stream.arn,
            },
        }

    def example_failure_record(self, record: Any, request_id: str) -> dict[str, Any] | None:
        """The record the on-failure destination is sent when a batch of `record` alone
        (the stream's `example_record`) is discarded, every retry having failed, invocation
        `request_id` its last; None when the mapping never discards such a batch (no
        `maximumRetryAttempts`: it is read again until its record expires). Nothing is
        drawn, kept or traced (`send QUEUE`'s offers)."""
        if self.max_retries < 0:
            return None
        batch = StreamBatch(self, self._lane(record), [record])
        # The first attempt, then every retry `maximumRetryAttempts` allows (a batch of one
        # record is not split by bisection).
        batch.attempts = self.max_retries + 1
        batch.invocation_id = request_id
        return self.failure_record(batch, _FAILED, "RetryAttemptsExhausted")

    def _trigger_function_arn(self) -> str:
        """The ARN of a batch job's trigger function, the function its mapping invokes
        (named as a function called after the job, as Stacktape names it)."""
        sim = self.sim
        name = lambda_name(sim.stack.stack_name, self.target)
        return f"arn:aws:lambda:{sim.region}:{sim.account_id}:function:{name}"

    def _deliver_failure(self, batch: StreamBatch, outcome: Outcome, condition: str) -> None:
        sim = self.sim
        now = sim.clock.now
        record = self.failure_record(batch, outcome, condition)
        target = self.failure_target
        source = f"{self.target}:onFailure"
        raw = str(self.settings.on_failure)
        error = ""
        delivered: str | None = None
        # The mapping sends with the function's role, which a Deny may refuse (a batch
        # job's events belong to Stacktape's trigger function, whose role has none).
        denial = (
            sim.behaviors.permissions.delivery_denial(self.target, target, batch.invocation_id)
            if target is not None and not self.is_job
            else None
        )
        try:
            if denial is not None:
                error = str(denial)
            elif target in sim.queues:
                delivered = sim.send(
                    target, json.dumps(record, separators=(",", ":")), source=source
                )
            elif target is not None and (handler := sim.destination_handlers.get("sns-topic")):
                delivered = handler(self.target, "onFailure", target, record)
            else:
                error = f"{raw} is no SQS queue or SNS topic of this stack: not simulated"
        except ValueError as exc:  # a SimError: the queue or topic refused the record
            error = str(exc)
        if error:
            sim.trace.emit(
                (
                    now,
                    tk.EMISSION_FAILED,
                    self.target,
                    {
                        "invocation_id": batch.invocation_id,
                        "emission": "onFailure",
                        "target": target or raw,
                        "error": error,
                    },
                )
            )
            return
        data: dict[str, Any] = {"invocation_id": batch.invocation_id, "target": target}
        if delivered is not None:
            data["delivered_id"] = delivered
        sim.trace.emit((now, tk.STREAM_FAILURE_DELIVERED, self.target, data))

    # -- views ---------------------------------------------------------------------------

    def lane_position(self, lane: Any) -> dict[str, Any]:
        """Where a lane stands, as its view names it: its name and checkpoint."""
        return {"lane": lane.name, "checkpoint": lane.checkpoint}

    def lane_views(self) -> list[dict[str, Any]]:
        """Each lane's position (`lane_position`) and work, for `show stream` and
        `show kafka-topic`."""
        out = []
        for lanes in self.lanes:
            for lane in lanes:
                batch = lane.current or (lane.batches[0] if lane.batches else None)
                waiting = sum(1 for r in lane.pending if not r.expired)
                waiting += sum(len(b.records) for b in lane.batches)
                out.append(
                    {
                        **self.lane_position(lane),
                        "waiting": waiting,
                        "in_flight": len(lane.current.records) if lane.current else 0,
                        "retries": batch.retries if batch is not None else 0,
                    }
                )
        return out


def _resolve_target(sim: Simulator, value: Any) -> str | None:
    """The stack queue or topic an `onFailure.arn` names, or None."""
    if value is None:
        return None
    named = getattr(value, "resource", None)
    if isinstance(named, str) and (named in sim.queues or _is_topic(sim, named)):
        return named
    if isinstance(value, str):
        for name in list(sim.queues) + [
            r.name for r in sim.stack.resources.values() if r.type == "sns-topic"
        ]:
            if sim.arn(name) == value:
                return name
    return None


def _is_topic(sim: Simulator, name: str) -> bool:
    res = sim.stack.resources.get(name)
    return res is not None and res.type == "sns-topic"


def _int(value: Any, default: int) -> int:
    """A whole number from the config, or `default` for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        return default
    return int(value)


def _is_hash_key(text: str) -> bool:
    return text == "0" or (text.isascii() and text.isdigit() and text[0] != "0" and len(text) <= 39)


def lookup_named(
    sim: Simulator,
    found: dict[str, Any],
    name: str,
    what: str,
    listing: str,
    special: Mapping[str, tuple[str, str]],
) -> Any:
    """`found[name]`, or a SimError with a did-you-mean: `what` is the resource type asked
    for, `listing` the words before the list of choices, and `special` the (message, hint),
    by resource type, for a resource called `name` that is not in `found`."""
    from stptui.config.diagnostics import did_you_mean, with_article
    from stptui.sim.engine import SimError

    hit = found.get(name)
    if hit is not None:
        return hit
    choices = f"{listing}: {typed_names(sorted(found))}" if found else f"this stack has no {what}"
    other = sim.stack.resources.get(name)
    if other is not None:
        message, hint = special.get(other.type) or (
            f"{name!r} is {with_article(other.type)}, not {with_article(what)}",
            choices,
        )
        raise SimError(message, hint, word=name)
    guess = did_you_mean(name, found)
    raise SimError(
        f"no {what} named {name!r}",
        f"did you mean {quote_word(guess)}?" if guess else choices,
        word=name,
    )


def lookup_stream(sim: Simulator, name: str) -> StreamSim:
    """The stream called `name`, or a SimError with a did-you-mean."""
    table = (
        f"{name!r} is a dynamo-db-table, not a kinesis-stream",
        f"a table's stream is written with put-item; `show table {quote_word(name)}` shows it",
    )
    streams = sim.services["streams"]
    return lookup_named(
        sim,
        streams,
        name,
        "kinesis-stream",
        "kinesis streams in this stack",
        {"dynamo-db-table": table},
    )


def stream_of(sim: Simulator, trig: Trigger) -> str | None:
    """The stack stream a `kinesis-stream` event reads, or None (an ARN outside the stack,
    or a CloudFormation resource's)."""
    props = trig.properties
    name = props.get("kinesisStreamName")
    streams: dict[str, StreamSim] = sim.services.get("streams", {})
    if isinstance(name, str):
        return name if name in streams else None
    arn = props.get("streamArn")
    named = getattr(arn, "resource", None)
    if isinstance(named, str):
        return named if named in streams else None
    if isinstance(arn, str):
        return next((s.name for s in streams.values() if s.arn == arn), None)
    return None


def wire(sim: Simulator) -> None:
    """Build the stack's streams and the mappings of its functions' and batch jobs'
    `kinesis-stream` events, in config order."""
    streams: dict[str, StreamSim] = {}
    sim.services["streams"] = streams
    kinesis = [r for r in sim.stack.resources.values() if r.type == "kinesis-stream"]
    for i, res in enumerate(kinesis):
        streams[res.name] = StreamSim(sim, res, i)
    sim.emission_handlers["putRecord"] = lambda e, source: put_record_emission(sim, e, source)
    workloads: list[Workload] = sim.stack.workloads
    for w in workloads:
        for trig in w.events:
            if trig.type != "kinesis-stream":
                continue
            name = stream_of(sim, trig)
            if name is None or (w.type == "function" and w.name not in sim.functions):
                continue
            attach(sim, streams[name], w, trig)


def put_record_emission(sim: Simulator, emission: Emission, source: str) -> dict[str, Any]:
    """A handler's `putRecord` emission: PutRecord as the `put-record` command does it
    (SimError with Kinesis's error text when refused); PutRecord's answer."""
    from stptui.sim.engine import SimError

    stream = lookup_stream(sim, emission.target)
    key = emission.fields.get("partitionKey")
    text = emission.fields["data"]
    if text is None:
        # A request without Data (an expression that found null): Kinesis validates the
        # required member before anything else, in AWS's standard words.
        raise SimError(
            "ValidationException: 1 validation error detected: Value null at 'data' failed "
            "to satisfy constraint: Member must not be null"
        )
    data = text.encode("utf-8", "surrogatepass")
    try:
        record = stream.put(data, DEFAULT_PARTITION_KEY if key is None else key, source=source)
    except KinesisError as exc:
        raise SimError(str(exc), exc.hint) from None
    return {"ShardId": record.shard.id, "SequenceNumber": record.sequence_number}


def attach(sim: Simulator, source: StreamSource, workload: Workload, trig: Trigger) -> None:
    """Start the event source mapping of `workload`'s event `trig`, which reads `source`."""
    settings = Settings(trig.properties)
    consumer = StreamConsumer(sim, source, workload.name, workload.type == "batch-job", settings)
    source.consumers.append(consumer)
