"""The Inspector's sections for the event sources that are not queues: a Kinesis stream
(its shards, the records it holds and where each reader is on each shard: `show stream`'s
figures), a Kafka topic (its partitions, their offsets, and each consumer group's committed
offset, lag and retries on each: `show kafka-topic`'s), a DynamoDB table (its key, its
first items, and its stream as a Kinesis stream's: `show table`'s), an application load
balancer (its listeners and their rules in the order ELB tries them: `show rules`'s), a
bucket (its lifecycle rules, each object's storage class and what a rule does to it next:
`show bucket`'s) and an archived event bus (its archive and its replays: `show bus`'s).

The pane is narrow (about 33 columns beside the graph): each entry is one line marked to
wrap under its own text, and the 56-digit sequence numbers are shortened as the Events
pane shortens them (`show stream NAME` prints them whole). Names, conditions and keys
come from the stack: they go in as text through `safe`, never as markup.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from stptui.commands.handlers.tables import ITEM_WIDTH, SHOW_ITEMS
from stptui.sim.clock import iso_ms
from stptui.sim.engine import Simulator
from stptui.sim.s3_lifecycle import ARCHIVED, rule_words
from stptui.sim.services.bucket import BucketSim
from stptui.sim.services.kafka import KafkaConsumer, KafkaTopic
from stptui.sim.services.stream import StreamConsumer, StreamSim, StreamSource
from stptui.sim.services.table import TableSim
from stptui.textsafe import json_text
from stptui.tui.render import (
    hanging,
    key_schema_text,
    safe,
    section_heading,
    section_line,
    short_sequence,
    token_breaks,
)

# Continuation lines of an entry go this far in (a reader's lanes: under the shard id).
HANG = 2
LANE_HANG = 4
# A rule's priority column: `  10 `; what wraps goes on under its conditions.
PRIORITY_WIDTH = 5


def _records(n: int) -> str:
    return f"{n:,} record{'s' * (n != 1)}"


def stream_section(text: Text, sim: Simulator, name: str) -> None:
    """`name`'s shards and readers, when it is a stream of the simulation."""
    stream: StreamSim | None = sim.services.get("streams", {}).get(name)
    if stream is None:
        return
    held = sum(len(s.records) for s in stream.shards)
    mode = "provisioned" if stream.provisioned else "on-demand"
    section_heading(text, "Stream now")
    hours = stream.retention_ms // 3_600_000
    summary = (
        f"{len(stream.shards)} shard{'s' * (len(stream.shards) != 1)} ({mode}), "
        f"retention {hours} h, {_records(held)} held"
    )
    footer = f"show stream {safe(name)}: hash key ranges, whole sequence numbers"
    _source_body(text, stream, summary, footer)


def _source_body(text: Text, source: StreamSource, summary: str, footer: str) -> None:
    """What a stream and a table's stream share: the summary line, the oldest record,
    each shard's records, the readers and where each is, and the command that says more."""
    section_line(text, Text(summary))
    oldest = min((s.records[0].arrival_ms for s in source.shards if s.records), default=None)
    if oldest is not None:
        # When, not how old: the page is redrawn when the stream changes, not as time goes.
        section_line(text, Text(f"oldest record put {iso_ms(oldest)}"))
    for shard in source.shards:
        line = Text.assemble((shard.id, "bold"), f": {_records(len(shard.records))}")
        if shard.records:
            line.append(f", newest {short_sequence(shard.records[-1].sequence_number)}")
        section_line(text, line)
    section_heading(text, "Readers")
    if not source.consumers:
        text.append("nothing in the stack reads it\n", "dim")
    for consumer in source.consumers:
        _reader(text, consumer)
    text.append_text(hanging(Text(footer, "dim"), HANG))
    text.append("\n")


def kafka_section(text: Text, sim: Simulator, name: str) -> None:
    """The Kafka topic the simulator calls `name`: where it lives, each partition's offsets,
    and each consumer group (a function that reads it) with its committed offset, lag,
    records in flight and retries on each partition, as `show kafka-topic` counts them."""
    topic: KafkaTopic | None = sim.services.get("kafka", {}).get(name)
    if topic is None:
        return
    section_heading(text, "Topic now")
    section_line(text, Text(f"topic {safe(topic.topic)} on {safe(topic.where())}"))
    count = len(topic.partitions)
    days = topic.retention_ms // 86_400_000
    summary = f"{count} partitions, retention {days} d, {_records(topic.held())} held"
    section_line(text, Text(summary))
    for part in topic.partitions:
        line = Text.assemble((f"partition {part.index}", "bold"), ": ")
        if part.records:
            oldest = part.records[0].offset
            line.append(f"offsets {oldest}..{part.next_offset - 1} ")
            line.append(f"({_records(len(part.records))}), ")
        line.append(f"next offset {part.next_offset}")
        section_line(text, line)
    section_heading(text, "Consumer groups")
    if not topic.consumers:
        text.append("nothing in the stack reads it\n", "dim")
    for consumer in topic.consumers:
        assert isinstance(consumer, KafkaConsumer)
        _consumer_group(text, topic, consumer)
    # What `m` is for, beside the topic it writes to.
    section_line(text, Text("m produces a record to it", "dim"))
    footer = f"show kafka-topic {safe(name)}: the same figures as a table"
    text.append_text(hanging(Text(footer, "dim"), HANG))
    text.append("\n")


def _consumer_group(text: Text, topic: KafkaTopic, consumer: KafkaConsumer) -> None:
    """A consumer group's settings, then each partition: committed offset, lag (records
    from it to the partition's end), in flight and retries (non-zero ones coloured)."""
    settings = consumer.settings
    how = f"batch {settings.batch_size}, window {settings.window_ms / 1000:g} s, retries forever"
    section_line(text, Text.assemble((safe(consumer.target), "bold"), f" ({how})"))
    for view in consumer.lane_views():
        lag = topic.partitions[view["partition"]].next_offset - view["committed"]
        row = Text(f"  partition {view['partition']}: committed {view['committed']}")
        for count, words, style in (
            (lag, "lag", "cyan"),
            (view["in_flight"], "in flight", "bright_blue"),
            (view["retries"], "retries" if view["retries"] != 1 else "retry", "red"),
        ):
            row.append(", ")
            row.append(
                f"{words} {count}" if words == "lag" else f"{count} {words}", style if count else ""
            )
        section_line(text, row, LANE_HANG)


def table_section(text: Text, sim: Simulator, name: str) -> None:
    """`name`'s key schema, item count and first items (as many as `show table` lists),
    then its stream as a Kinesis stream's page shows one, when it is a simulated table."""
    table: TableSim | None = sim.services.get("tables", {}).get(name)
    if table is None:
        return
    section_heading(text, "Table now")
    section_line(text, Text(key_schema_text(table.key)))
    count = len(table.items)
    section_line(text, Text(f"{count:,} item{'s' * (count != 1)}"))
    for item in list(table.items.values())[:SHOW_ITEMS]:
        shown = json_text(item, separators=(",", ":"))  # JSON: its escapes are its own
        cut = shown if len(shown) <= ITEM_WIDTH else shown[: ITEM_WIDTH - 1] + "…"
        line = f"  {cut}"
        # An item wraps between its JSON's tokens, going on under its first attribute.
        text.append_text(hanging(Text(line), LANE_HANG, token_breaks(line)))
        text.append("\n")
    if count > SHOW_ITEMS:
        section_line(text, Text(f"  … and {count - SHOW_ITEMS:,} more", "dim"))
    stream = table.stream
    if stream is None:
        text.append("no stream (no streamType): writes trigger nothing\n", "dim")
        return
    section_heading(text, "Stream now")
    summary = f"{stream.view_type}, retention 24 h, {_records(stream.held())} held"
    footer = f"show table {safe(name)}: whole sequence numbers, each reader's figures"
    _source_body(text, stream, summary, footer)


def _reader(text: Text, consumer: StreamConsumer) -> None:
    """A reader's settings, then each of its lanes: checkpoint, waiting, in flight,
    retries (the non-zero ones coloured as the graph's counts are)."""
    settings = consumer.settings
    how = [f"batch {settings.batch_size}"]
    if settings.window_ms:
        how.append(f"window {settings.window_ms / 1000:g} s")
    if settings.parallel > 1:
        how.append(f"parallel {settings.parallel}")
    if settings.push:
        how.append("enhanced fan-out")
    if settings.latest:
        how.append("from LATEST")
    retries = settings.max_retries
    noun = "retry" if retries == 1 else "retries"
    how.append("retries forever" if retries < 0 else f"{retries} {noun}")
    if settings.bisect:
        how.append("bisects on error")
    if settings.on_failure is not None:
        target = consumer.failure_target or str(settings.on_failure)
        how.append(f"on failure → {safe(target)}")
    line = Text.assemble((safe(consumer.target), "bold"), f" ({', '.join(how)})")
    section_line(text, line)
    for lane in consumer.lane_views():
        row = Text(f"  {lane['lane']}: checkpoint ")
        checkpoint = lane["checkpoint"]
        row.append(short_sequence(checkpoint) if checkpoint else "none yet")
        for count, words, style in (
            (lane["waiting"], "waiting", "cyan"),
            (lane["in_flight"], "in flight", "bright_blue"),
            (lane["retries"], "retries" if lane["retries"] != 1 else "retry", "red"),
        ):
            row.append(", ")
            row.append(f"{count} {words}", style if count else "")
        section_line(text, row, LANE_HANG)


def load_balancer_section(text: Text, sim: Simulator, name: str) -> None:
    """`name`'s listeners, each with its rules lowest priority first and its default
    action, when it is an application load balancer of the simulation."""
    service = sim.services.get("load_balancers")
    balancer = getattr(service, "balancers", {}).get(name)
    if service is None or balancer is None:
        return
    section_heading(text, "Listeners")
    for lis in service.listing():
        if lis["load_balancer"] != name:
            continue
        head = Text.assemble((f":{lis['port']} {lis['protocol']}", "bold"))
        allowed = balancer.listeners[lis["port"]].allowed_ips
        if allowed is not None:
            head.append(f" admits only {safe(', '.join(allowed) or 'no one')}")
        section_line(text, head)
        for rule in lis["rules"]:
            section_line(text, _rule_line(rule), PRIORITY_WIDTH)
        default = Text(f"{'else':>{PRIORITY_WIDTH - 1}} ", "dim")
        default.append(safe(lis["default_action"]))
        section_line(text, default, PRIORITY_WIDTH)
    text.append_text(
        hanging(Text("lowest priority first: the first whose conditions all hold", "dim"), HANG)
    )
    text.append("\n")


def _rule_line(rule: dict[str, Any]) -> Text:
    """`  10 path-pattern /api/* → orders`: every condition must hold."""
    line = Text(f"{rule['priority']:>{PRIORITY_WIDTH - 1}} ")
    conditions = "; ".join(rule["conditions"])
    line.append(safe(conditions) if conditions else "no conditions: Stacktape refuses it")
    target = safe(rule["target"])
    if rule["container"] is not None or rule["target_type"] not in ("function", "batch-job"):
        where = safe(rule["container"] or "?")
        if rule["container_port"] is not None:
            where += f":{rule['container_port']}"
        target += f" (container {where})"
    line.append(" → ")
    line.append(target, "bold")
    return line


def bus_section(text: Text, sim: Simulator, name: str) -> None:
    """`name`'s archive (its events, size and retention) and its replays, when it is a bus
    of the simulation with an archive: `show bus`'s figures."""
    bus = sim.services["buses"].buses.get(name)
    if bus is None or bus.archive is None:
        return
    info = bus.archive.summary()
    days = info["retention_days"]
    section_heading(text, "Archive now")
    count = info["event_count"]
    summary = (
        f"{count:,} event{'s' * (count != 1)}, {info['size_bytes']:,} bytes, "
        f"retention {f'{days} days' if days else 'forever'}"
    )
    section_line(text, Text(summary))
    if info["arriving"]:
        section_line(text, Text(f"{info['arriving']:,} more on their way", "dim"))
    # What `y` is for, beside the archive it replays from.
    section_line(text, Text("y replays archived events to the bus's rules", "dim"))
    replays = sim.services["buses"].replays.listing(name)
    if replays:
        section_heading(text, "Replays")
    for r in replays:
        line = Text.assemble((safe(r["replay"]), "bold"), f" {r['state']} ")
        line.append(f"{r['replayed']} of {r['events']}, {r['event_start']} to {r['event_end']}")
        section_line(text, line)


def bucket_section(text: Text, sim: Simulator, name: str) -> None:
    """`name`'s objects (their size, storage class and restore) and, when it has lifecycle rules,
    the rules and what each does next to each object, noncurrent version and incomplete
    upload, when it is a simulated bucket."""
    service = sim.services.get("buckets")
    bucket: BucketSim | None = getattr(service, "buckets", {}).get(name)
    if bucket is None:
        return
    count = len(bucket.objects)
    section_heading(text, "Bucket now")
    summary = f"{count:,} object{'s' * (count != 1)}, {bucket.total_bytes:,} bytes"
    section_line(text, Text(f"{summary}; versioning {'on' if bucket.versioning else 'off'}"))
    if bucket.rules:
        section_heading(text, "Lifecycle rules")
        for rule in bucket.rules:
            section_line(text, Text(safe(rule_words(rule))))
    section_heading(text, "Objects")
    if not count:
        # Noncurrent versions and incomplete uploads may follow: they are not objects.
        text.append("no current objects\n", "dim")
    # ListObjects order (by the key's UTF-8 bytes), as `show bucket` lists them.
    keys = sorted(bucket.objects, key=lambda k: k.encode("utf-8", "surrogatepass"))
    for key in keys[:SHOW_ITEMS]:
        obj = bucket.objects[key]
        line = Text.assemble((safe(key), "bold"), f" {obj.size:,} B {obj.storage_class}")
        if obj.restore is not None:
            # Next to the class: whether the archived object can be read, and until when.
            line.append(f" {obj.restore.state()}", "cyan")
        section_line(text, line)
        if obj.lifecycle is not None:
            due = obj.lifecycle.due
            _next_action(text, due.short(bucket.versioning), due.at, due.rule.name)
    if count > SHOW_ITEMS:
        section_line(text, Text(f"… and {count - SHOW_ITEMS:,} more", "dim"))
    for key in sorted(bucket.versions, key=lambda k: k.encode("utf-8", "surrogatepass")):
        for version in bucket.versions[key]:
            if bucket.objects.get(key) is version:
                continue
            if version.lifecycle is None and version.restore is None:
                continue
            line = Text.assemble((safe(key), "bold"), f" noncurrent {version.size:,} B ")
            line.append(version.storage_class)
            if version.restore is not None:
                line.append(f" {version.restore.state()}", "cyan")
            section_line(text, line)
            if version.lifecycle is not None:
                due = version.lifecycle.due
                _next_action(text, due.short(bucket.versioning), due.at, due.rule.name)
    for upload in bucket.uploads.values():
        line = Text.assemble((safe(upload.key), "bold"), " incomplete multipart upload")
        section_line(text, line)
        if upload.lifecycle is not None:
            due = upload.lifecycle.due
            _next_action(text, due.short(bucket.versioning), due.at, due.rule.name)
    if any(rule.storage_class in ARCHIVED for rule in bucket.rules):
        # What `o` is for, beside the archived objects it acts on.
        text.append_text(hanging(Text("o restores an archived object", "dim"), HANG))
        text.append("\n")
    if bucket.rules:
        footer = f"show bucket {safe(name)}: etags, versions; explain KEY: why a rule acts"
        text.append_text(hanging(Text(footer, "dim"), HANG))
        text.append("\n")


def _next_action(text: Text, action: str, at: int, rule: str) -> None:
    """`  next: to STANDARD_IA at 2026-02-05T00:00:00.000Z (lifecycleRules[2])`."""
    line = Text("  next: ", "dim")
    line.append(f"{safe(action)} at {iso_ms(at)} ({safe(rule)})", "yellow")
    section_line(text, line, LANE_HANG)
