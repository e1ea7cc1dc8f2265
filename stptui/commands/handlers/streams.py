"""Commands for Kinesis data streams: put a record, and show a stream with its readers."""

from __future__ import annotations

from typing import Any

from stptui.commands.handlers.base import command, refuse_unquoted_json
from stptui.commands.registry import STREAM, TEXT, WORD, Arg, Call, CommandError, Option
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.sim.clock import iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.stream import (
    DEFAULT_PARTITION_KEY,
    KinesisError,
    StreamSim,
    StreamSource,
    lookup_stream,
)
from stptui.textsafe import quote_word, typed_names


def _records(n: int) -> str:
    return "1 record" if n == 1 else f"{n} records"


def _stream(sim: Simulator, name: str) -> StreamSim:
    try:
        return lookup_stream(sim, name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _check_put_record(sim: Simulator, call: Call) -> StreamSim:
    """`put-record`'s checks of a bound line before the request (its stream, data that
    lost its quotes), in the command's order; the REPL's check before Enter asks them."""
    stream = _stream(sim, call.args["stream"])
    refuse_unquoted_json(call, "data", "the data")
    return stream


@command(
    "put-record",
    "messages",
    "Put a data record on a Kinesis stream (PutRecord).",
    args=(
        Arg("STREAM", STREAM, "a kinesis-stream of the stack"),
        Arg("DATA", TEXT, "the record's data: any text (sent as its UTF-8 bytes), one word"),
    ),
    options=(
        Option(
            "--partition-key",
            WORD,
            f"what picks the shard: its MD5 hash key (default {DEFAULT_PARTITION_KEY!r})",
            "K",
        ),
        Option(
            "--explicit-hash-key",
            WORD,
            "a hash key (0 to 2^128 - 1) that picks the shard instead of the partition key",
            "H",
        ),
    ),
    examples=(
        'put-record clicks \'{"page": "/home"}\' --partition-key user-1',
        "put-record clicks 'plain text'",
        "put-record clicks '{}' --partition-key user-2 --explicit-hash-key 0",
    ),
    details=(
        "The record goes to the shard whose hash key range holds the MD5 of the partition "
        "key, after every earlier record of that shard; its sequence number says where."
    ),
    check_call=_check_put_record,
    changes_state=True,
    body_file="DATA",
)
def cmd_put_record(session: Session, call: Call) -> CommandResult:
    """put-record STREAM DATA [--partition-key K] [--explicit-hash-key H]"""
    sim = session.sim
    stream = _check_put_record(sim, call)
    data: str = call.args["data"]
    key = call.opts.get("partition_key", DEFAULT_PARTITION_KEY)
    explicit = call.opts.get("explicit_hash_key")
    try:
        record = stream.put(data.encode("utf-8", "surrogatepass"), key, explicit)
    except KinesisError as exc:
        raise CommandError(str(exc), exc.hint) from None
    text = (
        f"put record {record.sequence_number} on {record.shard.id} of {stream.name} "
        f"(partition key {key!r})"
    )
    return CommandResult(
        text,
        data={
            "stream": stream.name,
            "ShardId": record.shard.id,
            "SequenceNumber": record.sequence_number,
            "partition_key": key,
        },
    )


def show_stream(sim: Simulator, name: str) -> CommandResult:
    """`show stream NAME`: the shards, and where each reader of the stream is on each."""
    stream = _stream(sim, name)
    mode = "provisioned" if stream.provisioned else "on-demand"
    hours = stream.retention_ms // 3_600_000
    lines = [
        f"{stream.name}: {len(stream.shards)} shards ({mode}), retention {hours} h, "
        f"{_records(stream.held())} held"
    ]
    shards = []
    for shard in stream.shards:
        newest = shard.records[-1].sequence_number if shard.records else "-"
        lines.append(
            f"  {shard.id}: hash keys {shard.start_hash}..{shard.end_hash}, "
            f"{_records(len(shard.records))}, newest {newest}"
        )
        shards.append(
            {
                "shard": shard.id,
                "start_hash": str(shard.start_hash),
                "end_hash": str(shard.end_hash),
                "records": len(shard.records),
                "newest": None if newest == "-" else newest,
                "oldest_arrival": iso_ms(shard.records[0].arrival_ms) if shard.records else None,
            }
        )
    if not stream.consumers:
        lines.append("  nothing in the stack reads it")
    table, readers = reader_table(stream)
    return CommandResult(
        "\n".join(lines),
        table=table,
        data={"stream": stream.name, "arn": stream.arn, "shards": shards, "readers": readers},
    )


def reader_table(
    source: StreamSource,
) -> tuple[tuple[list[str], list[list[str]]] | None, list[dict[str, Any]]]:
    """Where each reader (event source mapping) of a stream is on each shard: a table of
    rows (None when nothing reads it) and the same as data."""
    headers = ["reader", "shard", "checkpoint", "waiting", "in flight", "retries"]
    rows = []
    readers = []
    for consumer in source.consumers:
        lanes = consumer.lane_views()
        readers.append({"reader": consumer.target, "lanes": lanes})
        for lane in lanes:
            rows.append(
                [
                    consumer.target,
                    lane["lane"],
                    lane["checkpoint"] or "-",
                    str(lane["waiting"]),
                    str(lane["in_flight"]),
                    str(lane["retries"]),
                ]
            )
    return ((headers, rows) if rows else None), readers


def show_streams(sim: Simulator) -> CommandResult:
    """`show streams`: every Kinesis stream with its shards, mode, retention, records held
    and how many readers it has."""
    headers = ["stream", "shards", "mode", "retention", "records", "readers"]
    rows = []
    data = []
    for stream in sim.services["streams"].values():
        mode = "provisioned" if stream.provisioned else "on-demand"
        hours = stream.retention_ms // 3_600_000
        rows.append(
            [
                stream.name,
                str(len(stream.shards)),
                mode,
                f"{hours} h",
                f"{stream.held():,}",
                str(len(stream.consumers)),
            ]
        )
        data.append(
            {
                "stream": stream.name,
                "shards": len(stream.shards),
                "mode": mode,
                "retention_hours": hours,
                "records": stream.held(),
                "readers": len(stream.consumers),
            }
        )
    lines = [] if rows else ["this stack has no kinesis-stream"]
    note = table_streams_note(sim)
    if note:
        lines.append(note)
    return CommandResult("\n".join(lines), table=(headers, rows) if rows else None, data=data)


def table_streams_note(sim: Simulator) -> str:
    """Where the DynamoDB table streams are shown, which `show streams` (Kinesis streams)
    does not list: `show tables` and each table's page. Empty without table streams."""
    tables = [t.name for t in sim.services["tables"].values() if t.stream is not None]
    if not tables:
        return ""
    return (
        f"DynamoDB table streams ({typed_names(tables)}) are shown by `show tables` and "
        f"`show table TABLE`, e.g. show table {quote_word(tables[0])}"
    )
