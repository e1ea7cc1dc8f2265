"""Commands for the Kafka topics that functions' `kafka-topic` events read: produce a record,
and show a topic with each consumer group's committed offsets."""

from __future__ import annotations

import re

from stptui.commands.handlers.base import command, refuse_unquoted_json, whole_number
from stptui.commands.registry import (
    FLAG,
    KAFKA_TOPIC,
    KEY_VALUE,
    TEXT,
    WORD,
    Arg,
    Call,
    CommandError,
    Option,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.kafka import KafkaConsumer, KafkaError, KafkaTopic, lookup_topic
from stptui.textsafe import quote_word

# A record id: the topic as the simulator names it, its partition and offset.
_RECORD_ID = re.compile(r"(?P<topic>.+)-(?P<partition>[0-9]+)@(?P<offset>[0-9]+)")


def _records(n: int) -> str:
    return "1 record" if n == 1 else f"{n} records"


def _topic(sim: Simulator, name: str) -> KafkaTopic:
    try:
        return lookup_topic(sim, name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def parse_headers(pairs: list[str]) -> list[tuple[str, bytes]]:
    """`--header k=v` values, in order (Kafka allows a key more than once)."""
    out = []
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise CommandError(
                f"--header needs KEY=VALUE, not {pair!r}",
                "e.g. --header source=checkout",
                word=pair,
            )
        out.append((key, value.encode("utf-8", "surrogatepass")))
    return out


def _value(call: Call) -> bytes | None:
    """The record's value: VALUE's UTF-8 bytes, or None (null) for `--tombstone`."""
    text = call.args.get("value")
    if call.opts.get("tombstone"):
        if text is not None:
            raise CommandError(
                f"a tombstone has no value, but VALUE {text!r} is given",
                "give VALUE for a record with a value, or --tombstone alone for a null one",
                word=text,
            )
        return None
    if text is None:
        raise CommandError(
            "produce needs VALUE, or --tombstone for a record whose value is null",
            "e.g. produce order-events '{\"orderId\": 7}', or produce order-events "
            "--tombstone --key customer-1",
        )
    return text.encode("utf-8", "surrogatepass")


def check_produce(
    sim: Simulator, call: Call
) -> tuple[KafkaTopic, bytes | None, bytes | None, list[tuple[str, bytes]], int | None]:
    """The topic, value (None for a tombstone), key, headers and partition `produce` would
    write, or the CommandError it (or the broker) would answer; changes nothing. The command
    makes this check, and the REPL's check before Enter."""
    topic = _topic(sim, call.args["topic"])
    refuse_unquoted_json(call, "value", "the value")
    value = _value(call)
    raw_key = call.opts.get("key")
    key = None if raw_key is None else raw_key.encode("utf-8", "surrogatepass")
    headers = parse_headers(call.opts.get("header", []))
    raw = call.opts.get("partition")
    try:
        partition = None if raw is None else whole_number(raw, "--partition", minimum=0)
    except CommandError as exc:
        # The topic's own range is the fix, not whole_number's general bounds.
        exc.hint = f"its partitions are 0 to {len(topic.partitions) - 1}"
        raise
    try:
        topic.check_produce(value, key, headers, partition)
    except KafkaError as exc:
        raise CommandError(str(exc), exc.hint) from None
    return topic, value, key, headers, partition


@command(
    "produce",
    "messages",
    "Produce a record to a Kafka topic a function's kafka-topic event reads.",
    args=(
        Arg("TOPIC", KAFKA_TOPIC, "the topic, as the kafka-topic event names it"),
        Arg(
            "VALUE",
            TEXT,
            "the record's value: any text (sent as its UTF-8 bytes), one word",
            optional=True,
        ),
    ),
    options=(
        Option("--key", WORD, "the record's key: what picks its partition (murmur2)", "K"),
        Option("--header", KEY_VALUE, "a record header", "K=V", repeat=True),
        Option("--partition", WORD, "the partition to write to, instead of the key's", "N"),
        Option("--tombstone", FLAG, "a record whose value is null (no VALUE): deletes its key"),
    ),
    examples=(
        "produce order-events '{\"orderId\": 7}' --key customer-1",
        "produce order-events 'plain text' --header source=checkout --header retry=0",
        "produce audit '{}' --partition 2",
        "produce order-events --tombstone --key customer-1",
    ),
    details=(
        "A record with a key goes to the partition murmur2 of the key picks (the Java "
        "client's default partitioner), one without a key to the next partition in turn; "
        "either way after every earlier record of that partition, at the next offset. Each "
        "function that reads the topic is its own consumer group and gets the record in a "
        "batch of its partition's records. `--tombstone` produces a record whose value is "
        "null (a tombstone: a compacted topic deletes its key); Kafka takes one without a key "
        "too. Lambda's event then has no `value` for it."
    ),
    check_call=check_produce,
    changes_state=True,
    body_file="VALUE",
)
def cmd_produce(session: Session, call: Call) -> CommandResult:
    """produce TOPIC (VALUE | --tombstone) [--key K] [--header K=V ...] [--partition N]"""
    topic, value, key, headers, partition = check_produce(session.sim, call)
    try:
        record = topic.produce(value, key, headers, partition)
    except KafkaError as exc:
        raise CommandError(str(exc), exc.hint) from None
    raw_key = call.opts.get("key")
    keyed = "no key" if raw_key is None else f"key {raw_key!r}"
    what = "tombstone " if value is None else ""
    text = (
        f"produced {what}{record.sequence_number}: partition {record.shard.index}, offset "
        f"{record.offset} of {topic.name} ({keyed})"
    )
    return CommandResult(
        text,
        data={
            "topic": topic.name,
            "record_id": record.sequence_number,
            "partition": record.shard.index,
            "offset": record.offset,
            "tombstone": value is None,
        },
    )


def show_kafka_topic(sim: Simulator, name: str) -> CommandResult:
    """`show kafka-topic NAME`: the partitions, their offsets, and where each consumer group
    (each function that reads the topic) has committed."""
    topic = _topic(sim, name)
    days = topic.retention_ms // 86_400_000
    lines = [
        f"{topic.name}: topic {topic.topic!r} on {topic.where()}, "
        f"{len(topic.partitions)} partitions, retention {days} d, {_records(topic.held())} held"
    ]
    partitions = []
    for part in topic.partitions:
        oldest = part.records[0].offset if part.records else part.next_offset
        tombstones = sum(1 for r in part.records if r.value is None)
        counts = _records(len(part.records))
        if tombstones:
            counts += ", 1 tombstone" if tombstones == 1 else f", {tombstones} tombstones"
        held = (
            f"offsets {oldest}..{part.next_offset - 1} ({counts})" if part.records else "no records"
        )
        lines.append(f"  partition {part.index}: {held}, next offset {part.next_offset}")
        partitions.append(
            {
                "partition": part.index,
                "oldest": oldest,
                "next_offset": part.next_offset,
                "tombstones": tombstones,
            }
        )
    headers = ["consumer", "partition", "committed", "lag", "in flight", "retries"]
    rows = []
    groups = []
    for consumer in topic.consumers:
        assert isinstance(consumer, KafkaConsumer)
        views = consumer.lane_views()
        groups.append({"consumer": consumer.target, "partitions": views})
        for view in views:
            end = topic.partitions[view["partition"]].next_offset
            rows.append(
                [
                    consumer.target,
                    str(view["partition"]),
                    str(view["committed"]),
                    str(end - view["committed"]),
                    str(view["in_flight"]),
                    str(view["retries"]),
                ]
            )
    return CommandResult(
        "\n".join(lines),
        table=(headers, rows) if rows else None,
        data={
            "topic": topic.name,
            "source": topic.source,
            "partitions": partitions,
            "consumers": groups,
        },
    )


def show_kafka_topics(sim: Simulator) -> CommandResult:
    """`show kafka-topics`: every Kafka topic the stack's functions read, where it lives,
    its records and its consumers."""
    headers = ["topic", "source", "partitions", "records", "consumers"]
    rows = []
    data = []
    for topic in sim.services.get("kafka", {}).values():
        readers = ", ".join(c.target for c in topic.consumers)
        rows.append(
            [topic.name, topic.source, str(len(topic.partitions)), f"{topic.held():,}", readers]
        )
        data.append(
            {
                "topic": topic.name,
                "source": topic.source,
                "records": topic.held(),
                "consumers": [c.target for c in topic.consumers],
            }
        )
    text = "" if rows else "no function of this stack reads a Kafka topic"
    return CommandResult(text, table=(headers, rows) if rows else None, data=data)


def unproduced_record(sim: Simulator, key: str) -> tuple[str, str] | None:
    """Why `explain KEY` finds nothing when KEY is the id of a record no topic holds (a
    partition the topic lacks, an offset not produced yet): (message, hint), or None when
    KEY is no such id."""
    match = _RECORD_ID.fullmatch(key)
    topic = sim.services.get("kafka", {}).get(match["topic"]) if match else None
    if match is None or topic is None:
        return None
    index, offset = int(match["partition"]), int(match["offset"])
    look = f"`show kafka-topic {quote_word(topic.name)}` shows what it holds"
    if index >= len(topic.partitions):
        return (
            f"{topic.name} has no partition {index}",
            f"its partitions are 0 to {len(topic.partitions) - 1}; {look}",
        )
    part = topic.partitions[index]
    if offset < part.next_offset:
        return None
    return (
        f"partition {index} of {topic.name} has no record at offset {offset} yet",
        f"its next offset is {part.next_offset}; {look}",
    )
