"""Kafka topics that functions' `kafka-topic` events read, and their Lambda event source
mappings.

Stacktape compiles a `kafka-topic` event with `customKafkaConfiguration` to an
`AWS::Lambda::EventSourceMapping` with a `SelfManagedEventSource` (its bootstrap servers),
`Topics: [topicName]`, the authentication as `SourceAccessConfigurations`, and `BatchSize`
and `MaximumBatchingWindowInSeconds` passed through; nothing else. An event naming a
`kafka-cluster` of the stack (`kafkaClusterName`, an MSK Serverless cluster) reads that
cluster's topic. Lambda's defaults then apply: a batch of up to 100 records, a batching
window of 500 ms, and a failed batch retried until it succeeds or its records expire
(`MaximumRetryAttempts` and `MaximumRecordAgeInSeconds` -1, no on-failure destination).

A topic is simulated once per distinct topic (the same name on the same bootstrap servers,
or on the same cluster), with PARTITIONS partitions. A record with a key goes to the
partition the Java client's default partitioner picks (murmur2 of the key's bytes); one
without a key goes round-robin. A record's value may be null (a tombstone, which deletes
its key from a compacted topic): Lambda's event then has no `value`, as it has no `key` for
a record without one. Each partition's offsets start at 0. Each function that
reads the topic is its own consumer group: it reads each partition in offset order, one
batch at a time, and commits the offset after the last record of a batch that succeeded.
docs/fidelity.md ("Kafka") has the sources and the simulator's own choices.
"""

from __future__ import annotations

import base64
from collections import deque
from typing import TYPE_CHECKING, Any

from stptui.sim import trace as tk
from stptui.sim.behavior import Emission
from stptui.sim.services.stream import (
    Settings,
    StreamBatch,
    StreamConsumer,
    StreamSource,
    lookup_named,
)
from stptui.textsafe import quote_word, typed_names

if TYPE_CHECKING:
    from stptui.config.model import Stack, Trigger
    from stptui.sim.engine import Simulator

# Every simulated topic has this many partitions (a choice: a broker's own default,
# `num.partitions`, is 1, which would hide what keys do; see docs/fidelity.md).
PARTITIONS = 3
# Kafka's default `retention.ms` (7 days), which MSK Serverless also uses: a record is
# read until then, and a batch that keeps failing blocks its partition until then.
RETENTION_MS = 7 * 24 * 3_600_000
# Lambda's default batching window for Kafka sources, when the event gives none.
DEFAULT_WINDOW_MS = 500
# A failed batch is read again this long after its invocation ended (AWS documents no
# delay; the simulator uses the poll interval of its other stream sources).
RETRY_DELAY_MS = 1000
# The largest record a broker takes: Kafka's default `message.max.bytes` (1 MB + 12
# bytes of batch overhead), and MSK Serverless's 8 MiB.
SELF_MANAGED_MAX_BYTES = 1_048_588
SERVERLESS_MAX_BYTES = 8 * 1024 * 1024
# What one record adds to the invocation payload beyond its base64 key, value and headers:
# its fixed fields as Lambda writes them.
RECORD_OVERHEAD_BYTES = 150

SELF_MANAGED = "SelfManagedKafka"
MSK = "aws:kafka"


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 hash of `data` (seed 0x9747b28c), as an unsigned 32-bit number: what
    the Java client's default partitioner hashes a record's key with."""
    m = 0x5BD1E995
    length = len(data)
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    whole = length - length % 4
    for i in range(0, whole, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    rest = length % 4
    if rest == 3:
        h ^= data[whole + 2] << 16
    if rest >= 2:
        h ^= data[whole + 1] << 8
    if rest >= 1:
        h ^= data[whole]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def partition_of_key(key: bytes, count: int) -> int:
    """The partition the default partitioner gives a keyed record: the positive part of
    murmur2 of the key (`toPositive`: the sign bit cleared), modulo the partition count."""
    return (murmur2(key) & 0x7FFFFFFF) % count


class Partition:
    """One partition of a topic: the records it still holds, oldest first."""

    def __init__(self, name: str, topic: str, index: int) -> None:
        self.index = index
        # What record ids start with: the topic as the simulator names it, unique even
        # when two clusters hold a topic of the same name (`orders@events-0`).
        self.id = f"{name}-{index}"
        # The `topic-partition` key Lambda groups a batch's records under.
        self.key = f"{topic}-{index}"
        self.records: deque[KafkaRecord] = deque()
        self.next_offset = 0


class KafkaRecord:
    """One record of a partition."""

    __slots__ = (
        "arrival_ms",
        "expired",
        "headers",
        "key",
        "lane_key",
        "offset",
        "sequence_number",
        "shard",
        "value",
    )

    def __init__(
        self,
        partition: Partition,
        offset: int,
        key: bytes | None,
        value: bytes | None,
        headers: list[tuple[str, bytes]],
        now: int,
    ) -> None:
        self.shard = partition  # the name the stream mapping reads it by
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.arrival_ms = now
        self.expired = False
        self.lane_key = 0  # one lane per partition
        # The id the trace, `explain` and the mapping know the record by.
        self.sequence_number = f"{partition.id}@{offset}"

    @property
    def payload_bytes(self) -> int:
        """About what the record adds to an invocation's payload."""
        size = RECORD_OVERHEAD_BYTES
        if self.value is not None:
            size += _b64_len(len(self.value))
        if self.key is not None:
            size += _b64_len(len(self.key))
        # A header's bytes are written as a JSON list of signed numbers: up to 5 characters
        # each with its comma (`-128,`).
        return size + sum(len(k) + 5 * len(v) + 8 for k, v in self.headers)

    @property
    def size(self) -> int:
        """The record's bytes as the broker counts them: key, value and headers."""
        return record_size(self.value, self.key, self.headers)

    def as_event_record(self, topic: str) -> dict[str, Any]:
        """The record as Lambda puts it in the event: key and value in base64 (no `key` for
        a record without one, no `value` for a tombstone), each header a one-key object of
        its value's bytes as Java's signed byte values."""
        out: dict[str, Any] = {
            "topic": topic,
            "partition": self.shard.index,
            "offset": self.offset,
            "timestamp": self.arrival_ms,
            "timestampType": "CREATE_TIME",
        }
        if self.key is not None:
            out["key"] = base64.b64encode(self.key).decode("ascii")
        if self.value is not None:
            out["value"] = base64.b64encode(self.value).decode("ascii")
        out["headers"] = [{k: signed_bytes(v)} for k, v in self.headers]
        return out


def signed_bytes(data: bytes) -> list[int]:
    """`data` as Lambda writes a Kafka header's value: the Java `byte[]` Kafka hands it,
    each byte signed (-128 to 127), as AWS's own event libraries read it."""
    return [b - 256 if b > 127 else b for b in data]


def record_size(value: bytes | None, key: bytes | None, headers: list[tuple[str, bytes]]) -> int:
    """A record's bytes as the broker counts them: key, value and headers (a null key or
    value counts none: the record format writes its length as -1 and no bytes)."""
    heads = sum(len(k.encode("utf-8", "surrogatepass")) + len(v) for k, v in headers)
    own = sum(len(part) for part in (key, value) if part is not None)
    return own + heads


def _b64_len(n: int) -> int:
    return 4 * ((n + 2) // 3)


class KafkaError(ValueError):
    """A produce request the broker would refuse, with Kafka's error name and a fix."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class KafkaTopic(StreamSource):
    """One simulated Kafka topic: its partitions and the mappings that read it."""

    trigger = "kafka"
    batch_info_key = "KafkaBatchInfo"
    poll_interval_ms = RETRY_DELAY_MS

    def __init__(
        self,
        sim: Simulator,
        name: str,
        topic: str,
        source: str,
        bootstrap: list[str],
        arn: str = "",
        cluster: str | None = None,
        upstash: str | None = None,
    ) -> None:
        super().__init__(sim, name, arn, RETENTION_MS)
        self.topic = topic
        self.source = source
        self.bootstrap = bootstrap
        self.cluster = cluster
        # The stack's legacy `upstash-kafka-topic` this topic is, if it is one.
        self.upstash = upstash
        self.max_bytes = SERVERLESS_MAX_BYTES if source == MSK else SELF_MANAGED_MAX_BYTES
        self.shards = [Partition(name, topic, i) for i in range(PARTITIONS)]
        self._round_robin = 0

    @property
    def partitions(self) -> list[Partition]:
        """The topic's partitions, in order."""
        return self.shards

    def where(self) -> str:
        """Where the topic lives, in words: its cluster, or its bootstrap servers."""
        if self.cluster is not None:
            return f"kafka-cluster {self.cluster} (MSK Serverless)"
        if self.upstash is not None:
            return f"upstash-kafka-topic {self.upstash} at {','.join(self.bootstrap)}"
        return f"self-managed Kafka at {','.join(self.bootstrap)}"

    def event(self, records: list[Any], consumer: StreamConsumer) -> dict[str, Any]:
        """The event Lambda invokes a function with: the records by `topic-partition`."""
        grouped: dict[str, list[dict[str, Any]]] = {}
        for r in records:
            grouped.setdefault(r.shard.key, []).append(r.as_event_record(self.topic))
        event: dict[str, Any] = {"eventSource": self.source}
        if self.source == MSK:
            event["eventSourceArn"] = self.arn
        # Each mapping's event names the bootstrap servers its own event lists.
        assert isinstance(consumer, KafkaConsumer)
        event["bootstrapServers"] = ",".join(consumer.bootstrap)
        event["records"] = grouped
        return event

    def expired_record(self, record: Any) -> tuple[str, dict[str, Any]]:
        """A record past the topic's retention: `kafka.record_expired`."""
        return tk.KAFKA_RECORD_EXPIRED, {
            "record_id": record.sequence_number,
            "partition": record.shard.index,
            "offset": record.offset,
        }

    def pick_partition(self, key: bytes | None, partition: int | None) -> int:
        """The partition a record goes to: the one asked for, else its key's, else the
        next in round-robin order (KafkaError for a partition the topic lacks)."""
        count = len(self.shards)
        if partition is not None:
            if not 0 <= partition < count:
                raise KafkaError(
                    f"UNKNOWN_TOPIC_OR_PARTITION: {self.topic} has no partition {partition}",
                    f"its partitions are 0 to {count - 1}",
                )
            return partition
        if key is not None:
            return partition_of_key(key, count)
        return self._round_robin % count

    def check_produce(
        self,
        value: bytes | None,
        key: bytes | None,
        headers: list[tuple[str, bytes]],
        partition: int | None,
    ) -> int:
        """The partition a record would go to, or KafkaError for one the broker would
        refuse; nothing changes (`produce` runs it first, the TUI's dialog as it is typed). A
        null `value` is a tombstone, which Kafka takes with or without a key."""
        index = self.pick_partition(key, partition)
        size = record_size(value, key, headers)
        if size > self.max_bytes:
            raise KafkaError(
                f"MESSAGE_TOO_LARGE: the record is {size:,} bytes; {self.topic} takes "
                f"at most {self.max_bytes:,}",
                "send a smaller value (the broker's message.max.bytes)",
            )
        return index

    def example_event(
        self, consumer: KafkaConsumer, value: bytes, key: bytes | None = None
    ) -> dict[str, Any]:
        """The event `consumer` hands its function for one record produced now, as `produce`
        would make it (on the partition and at the offset the next such record gets);
        nothing is drawn, kept or traced (`invoke`'s offers)."""
        part = self.shards[self.pick_partition(key, None)]
        record = KafkaRecord(part, part.next_offset, key, value, [], self.sim.clock.now)
        return self.event([record], consumer)

    def produce(
        self,
        value: bytes | None,
        key: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
        partition: int | None = None,
        source: str = "command",
    ) -> KafkaRecord:
        """Append a record to its partition at the next offset (KafkaError, and nothing
        changed, for one the broker refuses)."""
        headers = headers or []
        index = self.check_produce(value, key, headers, partition)
        part = self.shards[index]
        sim = self.sim
        now = sim.clock.now
        record = KafkaRecord(part, part.next_offset, key, value, headers, now)
        if partition is None and key is None:
            self._round_robin += 1
        part.next_offset += 1
        data: dict[str, Any] = {
            "record_id": record.sequence_number,
            "partition": index,
            "offset": record.offset,
            "key": None if key is None else key.decode("utf-8", "replace"),
            "size": record.size,
            "source": source,
        }
        if value is None:
            # Only a tombstone says so: `explain` and `expect` tell it from an empty value.
            data["tombstone"] = True
        sim.trace.emit((now, tk.KAFKA_RECORD_PRODUCED, self.name, data))
        self.append(record)
        return record


class KafkaConsumer(StreamConsumer):
    """A Lambda event source mapping from a Kafka topic to one function: its own consumer
    group, reading each partition in offset order, one batch at a time."""

    started_names = (*tk.STARTED_FIELDS, "topic", "partition", "record_ids")
    retried_kind = tk.KAFKA_BATCH_RETRIED
    batch_names = ("topic", "partition", "record_ids")
    retried_names = tk.EndsAtInstant((*batch_names, "invocation_id", "retries", "at"))

    def __init__(
        self,
        sim: Simulator,
        topic: KafkaTopic,
        target: str,
        settings: Settings,
        bootstrap: list[str],
        made_of: Trigger | None = None,
    ) -> None:
        super().__init__(sim, topic, target, False, settings)
        self.bootstrap = bootstrap
        self.made_of = made_of  # the `kafka-topic` event it was made of
        # Stacktape sets no FunctionResponseTypes: a batchItemFailures answer is ignored.
        self.report_failures = False
        self.commits: dict[int, int] = {}

    def batch_values(self, batch: StreamBatch) -> tuple[Any, ...]:
        """What the trace names a batch by: its topic, partition and record ids."""
        return (self.stream.name, batch.lane.shard.index, batch.sequence_numbers)

    def succeeded(self, batch: StreamBatch, invocation_id: str) -> None:
        """A batch that succeeded commits the offset after its last record (one that failed
        is read again: StreamBatch.done)."""
        last = batch.records[-1]
        self.commits[last.shard.index] = last.offset + 1
        sim = self.sim
        sim.trace.emit(
            (
                sim.clock.now,
                tk.KAFKA_OFFSET_COMMITTED,
                self.target,
                {
                    "topic": self.stream.name,
                    "partition": last.shard.index,
                    "offset": last.offset + 1,
                    "invocation_id": invocation_id,
                },
            )
        )

    def lane_position(self, lane: Any) -> dict[str, Any]:
        """Where a partition stands: its index and this consumer group's committed offset."""
        return {"partition": lane.shard.index, "committed": self.commits.get(lane.shard.index, 0)}


def kafka_settings(props: dict[str, Any]) -> Settings:
    """The mapping's settings: `batchSize` and `maxBatchWindowSeconds` as Stacktape passes
    them, Lambda's Kafka defaults for the rest (records pushed as they arrive, retried
    until they expire, never split, no destination)."""
    settings = Settings({"batchSize": props.get("batchSize")})
    window = props.get("maxBatchWindowSeconds")
    ok = isinstance(window, (int, float)) and not isinstance(window, bool) and window >= 0
    settings.window_ms = int(window * 1000) if ok else DEFAULT_WINDOW_MS
    settings.push = True
    return settings


def topic_identity(stack: Stack, trig: Trigger) -> tuple[str, str, tuple[str, ...], str] | None:
    """Which topic a `kafka-topic` event reads, from the config alone: (topic name, the
    stack's `kafka-cluster` it is on or "", the bootstrap servers written for a self-managed
    one or (), the stack's legacy `upstash-kafka-topic` it is or ""), or None for one the
    simulator cannot read (an MSK cluster outside the stack, a shape without a topic or
    without a bootstrap server). An Upstash topic is known here by its resource's name: its
    Kafka name and endpoint are directives' values, which only the simulator resolves."""
    props = trig.properties
    upstash = props.get("upstashKafkaTopic")
    if isinstance(upstash, str):
        res = stack.resources.get(upstash)
        if res is None or res.type != "upstash-kafka-topic":
            return None
        return res.name, "", (), res.name
    custom = props.get("customKafkaConfiguration")
    if isinstance(custom, dict):
        topic = custom.get("topicName")
        servers = custom.get("bootstrapServers")
        if isinstance(servers, str):
            servers = [servers]
        # A mapping needs a bootstrap server to reach the cluster (none: not simulated).
        if not isinstance(topic, str) or not topic or not isinstance(servers, list) or not servers:
            return None
        if not all(isinstance(s, str) for s in servers):
            return None
        return topic, "", tuple(servers), ""
    cluster = props.get("kafkaClusterName")
    topic = props.get("topicName")
    res = stack.resources.get(cluster) if isinstance(cluster, str) else None
    if res is None or res.type != "kafka-cluster" or not isinstance(topic, str) or not topic:
        return None
    return topic, res.name, (), ""


class TopicGroup:
    """The events that read one topic: what the simulator makes one topic of, and the graph
    one node, under `name`."""

    def __init__(self, topic: str, cluster: str, servers: list[str], upstash: str = "") -> None:
        self.topic = topic
        self.cluster = cluster
        # The self-managed brokers all its events name between them (none on a cluster).
        self.servers = servers
        # The stack's legacy `upstash-kafka-topic` it is, named as the resource.
        self.upstash = upstash
        self.name = upstash or topic
        # (config order, function, event)
        self.events: list[tuple[int, str, Trigger]] = []


def topic_groups(stack: Stack, functions: set[str]) -> list[TopicGroup]:
    """The distinct topics the `kafka-topic` events of `functions` read, each with its
    events in config order.

    Two self-managed events read one topic when they name it alike and their bootstrap
    servers share a broker: a broker belongs to one cluster, and a bootstrap list may name
    any of the cluster's brokers, in any order. A topic is named as the config names it;
    when two distinct topics share a name, each is named `topic@cluster` (or
    `topic@first-bootstrap-server`). A legacy `upstash-kafka-topic` of the stack is a topic
    of its own, named as the resource, whether or not a function reads it (a producer may be
    connected to one that nothing consumes)."""
    groups = [
        TopicGroup(res.name, "", [], res.name)
        for res in stack.resources.values()
        if res.type == "upstash-kafka-topic"
    ]
    order = 0
    for w in stack.workloads:
        if w.type != "function" or w.name not in functions:
            continue
        for trig in w.events:
            ident = topic_identity(stack, trig) if trig.type == "kafka-topic" else None
            if ident is None:
                continue
            topic, cluster, servers, upstash = ident
            same = [
                g
                for g in groups
                if g.topic == topic
                and g.cluster == cluster
                and g.upstash == upstash
                and (cluster or upstash or not set(g.servers).isdisjoint(servers))
            ]
            if same:
                # This event may join topics seen apart so far: one group takes them all.
                group = same[0]
                for other in same[1:]:
                    group.servers += other.servers
                    group.events += other.events
                    groups.remove(other)
                group.servers = list(dict.fromkeys([*group.servers, *servers]))
            else:
                group = TopicGroup(topic, cluster, list(dict.fromkeys(servers)))
                groups.append(group)
            group.events.append((order, w.name, trig))
            order += 1
    names = [g.topic for g in groups if not g.upstash]
    for g in groups:
        g.events.sort(key=lambda e: e[0])
        if not g.upstash and names.count(g.topic) > 1:
            g.name = f"{g.topic}@{g.cluster or g.servers[0]}"
    return groups


def topic_target_problem(stack: Stack, name: str) -> tuple[bool, str, str | None] | None:
    """Why a handler cannot produce to `name`, from the config alone: (whether `name` is a
    resource of another type, the message, the fix), or None when `name` is a topic the
    simulator keeps, named as `show kafka-topics` names it. The behaviours file's reader
    asks when the file loads, a Python handler's `context.produce` when it is called."""
    from stptui.config.diagnostics import did_you_mean, with_article

    groups = topic_groups(stack, {f.name for f in stack.functions})
    names = [g.name for g in groups]
    if name in names:
        return None
    shared = sorted(g.name for g in groups if g.topic == name and not g.upstash)
    if shared:
        return (
            False,
            f"{len(shared)} Kafka topics are called {name!r}, on different clusters: "
            f"{', '.join(shared)}",
            f"name one as `show kafka-topics` does, e.g. {shared[0]}",
        )
    listed = (
        f"Kafka topics: {', '.join(names)}"
        if names
        else "this stack has no Kafka topic: no function's kafka-topic event reads one, "
        "and it has no upstash-kafka-topic"
    )
    res = stack.resources.get(name)
    if res is not None:
        hint = listed
        if res.type == "sns-topic":
            hint = f"an sns-topic is notified: - notify: {{topic: {name}, message: body}}"
        return True, f"{name!r} is {with_article(res.type)}; produce needs a Kafka topic", hint
    guess = did_you_mean(name, names)
    return (
        False,
        f"no Kafka topic named {name!r} in the stack"
        + (f"; did you mean {guess!r}?" if guess else ""),
        listed,
    )


def lookup_topic(sim: Simulator, name: str) -> KafkaTopic:
    """The simulated Kafka topic called `name`, or a SimError with a did-you-mean."""
    from stptui.sim.engine import SimError

    topics: dict[str, KafkaTopic] = sim.services.get("kafka", {})
    # A name several clusters' topics share is no simulated topic's name: say which.
    shared = sorted(k for k, t in topics.items() if t.topic == name and k != name)
    if shared:
        raise SimError(
            f"{len(shared)} Kafka topics are called {name!r}, on different clusters: "
            f"{typed_names(shared)}",
            f"name one as `show kafka-topics` does, e.g. {quote_word(shared[0])}",
            word=name,
        )
    sns = (
        f"{name!r} is an sns-topic, not a Kafka topic",
        f"publish to it with publish-sns {quote_word(name)} MESSAGE",
    )
    return lookup_named(
        sim,
        topics,
        name,
        "Kafka topic",
        "Kafka topics the stack's functions read",
        {"sns-topic": sns},
    )


def produce_emission(sim: Simulator, emission: Emission, source: str) -> None:
    """A handler's `produce` emission: the record as the `produce` command makes it, through
    `KafkaTopic.produce` (SimError with the broker's error text when refused)."""
    from stptui.sim.engine import SimError

    topic = lookup_topic(sim, emission.target)
    f = emission.fields
    # A null value is a tombstone, as a client library's `value: null` is.
    value = f["value"]
    key = f.get("key")
    headers = [(k, v.encode("utf-8", "surrogatepass")) for k, v in f.get("headers") or ()]
    try:
        topic.produce(
            None if value is None else value.encode("utf-8", "surrogatepass"),
            None if key is None else key.encode("utf-8", "surrogatepass"),
            headers,
            f.get("partition"),
            source=source,
        )
    except KafkaError as exc:
        raise SimError(str(exc), exc.hint) from None


def wire(sim: Simulator) -> None:
    """Build a topic per distinct topic the functions' `kafka-topic` events read (see
    `topic_groups`), and a mapping per event, in config order; handlers' `produce`
    emissions go to them."""
    topics: dict[str, KafkaTopic] = {}
    sim.services["kafka"] = topics
    sim.emission_handlers["produce"] = lambda e, source: produce_emission(sim, e, source)
    for g in topic_groups(sim.stack, set(sim.functions)):
        if g.upstash:
            # Lambda reached Upstash as a self-managed cluster, at the topic's TCP endpoint.
            topic = sim.resource_param(g.upstash, "topicName")
            endpoint = [sim.resource_param(g.upstash, "tcpEndpoint")]
            kt = KafkaTopic(sim, g.name, topic, SELF_MANAGED, endpoint, upstash=g.upstash)
        elif g.cluster:
            bootstrap = sim.resource_param(g.cluster, "bootstrapServers").split(",")
            kt = KafkaTopic(sim, g.name, g.topic, MSK, bootstrap, sim.arn(g.cluster), g.cluster)
        else:
            kt = KafkaTopic(sim, g.name, g.topic, SELF_MANAGED, g.servers)
        topics[g.name] = kt
        for _, target, trig in g.events:
            ident = topic_identity(sim.stack, trig)
            servers = list(ident[2]) if ident and ident[2] else kt.bootstrap
            settings = kafka_settings(trig.properties)
            kt.consumers.append(KafkaConsumer(sim, kt, target, settings, servers, trig))
