"""Commands for DynamoDB tables: put and delete items, and show a table with its stream."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from stptui import jsontext
from stptui.commands.handlers.base import command, json_error_at, shorten
from stptui.commands.handlers.streams import reader_table
from stptui.commands.registry import TABLE, TEXT, Arg, Call, CommandError, Option, quote_word
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.sim.ddbjson import DynamoDBError, check_item, typed_item
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.table import Expressions, TableRecord, TableSim, lookup_table
from stptui.textsafe import json_text, printable

# `show table` lists at most this many items (the first ones written).
SHOW_ITEMS = 20
# An item's attributes are cut to this many characters in `show table`.
ITEM_WIDTH = 100
ITEM_HINT = 'DynamoDB JSON, as the AWS CLI takes it: \'{"id": {"S": "1"}, "total": {"N": "20"}}\''


def _table(sim: Simulator, name: str) -> TableSim:
    try:
        return lookup_table(sim, name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _json(text: str, what: str, table: TableSim | None = None) -> Any:
    try:
        return jsontext.loads(text)
    except ValueError as exc:
        hint = ITEM_HINT if table is None else _key_hint(table, text, what)
        raise CommandError(
            f"{what} is not JSON: {exc}", hint, word=text, within=json_error_at(exc)
        ) from None


# A value of each key type to show in a hint: DynamoDB's key attributes are S, N or B.
_SAMPLE_KEY_VALUES = {"S": "text", "N": "1", "B": "dGV4dA=="}


def _fits_key(kind: str, word: str) -> bool:
    """Whether `word` can be a key value of `kind` as typed (a number for N)."""
    if kind == "N":
        return re.fullmatch(r"-?\d+(\.\d+)?", word) is not None
    return kind == "S"


def _key_hint(table: TableSim, text: str, what: str) -> str:
    """The key (or item) `text` meant, in DynamoDB JSON and this table's key: the word
    typed is the value of a one-attribute key (`delete-item products p1` meant
    `'{"id": {"S": "p1"}}'`), sample values stand for the others."""
    plain = len(table.key) == 1 and text.strip() != "" and not text.startswith(("@", "{", "["))
    typed = {name: text for name, _ in table.key} if plain else {}
    named, eq, value = text.partition("=")
    if eq and named in dict(table.key):
        # `id=p1`, as `expect item` writes a key: the value is the part after `=`.
        typed = {named: value}
    key = {
        name: {
            kind: typed[name]
            if name in typed and _fits_key(kind, typed[name])
            else _SAMPLE_KEY_VALUES[kind]
        }
        for name, kind in table.key
    }
    shown = quote_word(json.dumps(key))
    if what == "the item":
        return f"an item of {table.name} in DynamoDB JSON, with its key: {shown}"
    return f"a key of {table.name} in DynamoDB JSON: {shown}"


NAMES_OPTION = Option(
    "--names",
    TEXT,
    'ExpressionAttributeNames: \'{"#s": "status"}\' (for reserved words such as status)',
    "JSON",
)
VALUES_OPTION = Option(
    "--values",
    TEXT,
    'ExpressionAttributeValues in DynamoDB JSON: \'{":n": {"N": "1"}}\'',
    "JSON",
)
CONDITION_OPTION = Option(
    "--condition",
    TEXT,
    "ConditionExpression: the write happens only if it holds for the item stored",
    "EXPR",
)


def _expressions(call: Call) -> Expressions:
    """The call's --update, --condition, --names and --values."""
    opts = call.opts
    names = _json(opts["names"], "--names") if "names" in opts else None
    values = _json(opts["values"], "--values") if "values" in opts else None
    return Expressions(opts.get("update"), opts.get("condition"), names, values)


def _with_record(data: dict[str, Any], record: TableRecord | None) -> dict[str, Any]:
    """A write's result data, with the stream record's sequence number and shard (as the
    AWS CLI names them) when it wrote one."""
    if record is not None:
        data["SequenceNumber"] = record.sequence_number
        data["ShardId"] = record.shard.id
    return data


_T = TypeVar("_T")


def _write(
    write: Callable[..., _T],
    *args: Any,
    retyped: str | None = None,
    typed: str | None = None,
    **kwargs: Any,
) -> _T:
    """Run a table write (put, delete, update), DynamoDB's refusal a CommandError: the write
    changed nothing. `retyped`: the command line with its item in DynamoDB JSON, when it
    was given in plain JSON (the hint then offers it, not a generic example); `typed`: the
    item's word as the line gives it (TABLE's next), where such a refusal is placed."""
    try:
        return write(*args, **kwargs)
    except DynamoDBError as exc:
        hint = f"each value names its type in DynamoDB JSON: {retyped}" if retyped else None
        at = {"word": typed, "word_index": 2} if retyped and typed is not None else {}
        raise CommandError(str(exc), hint or exc.hint or ITEM_HINT, **at) from None


def _typed_word(call: Call, key: str) -> str | None:
    """The word of `call`'s line that holds its item or key: None when --from read it."""
    return None if "from" in call.opts else call.args[key]


def _retyped(call: Call, table: TableSim, raw: Any) -> str | None:
    """`call`'s line with its item (or key) `raw` rewritten in DynamoDB JSON, when `raw` is
    written in plain JSON (`'{"id": "1"}'`); None otherwise."""
    item = typed_item(raw, dict(table.key))
    if item is None:
        return None
    words = [call.command.name, table.name, json.dumps(item, ensure_ascii=False)]
    line = " ".join(quote_word(w) for w in words)
    return line + (" ..." if call.opts else "")


def _retyped_update(call: Call, table: TableSim, raw: Any, values: Any) -> str | None:
    """`update-item`'s line with its key `raw` and its `--values` rewritten in DynamoDB JSON
    where they are written in plain JSON, its other options as given; None when neither
    is."""
    key = typed_item(raw, dict(table.key))
    typed_values = typed_item(values)
    if key is None and typed_values is None:
        return None
    words = [call.command.name, table.name, json.dumps(key or raw, ensure_ascii=False)]
    for name in ("update", "condition", "names"):
        if name in call.opts:
            words += [f"--{name}", call.opts[name]]
    if values is not None:
        words += ["--values", json.dumps(typed_values or values, ensure_ascii=False)]
    return " ".join(quote_word(w) for w in words)


def _key_text(key: dict[str, Any]) -> str:
    """A key in DynamoDB JSON on one line, as a write's answer names its item."""
    return printable(json.dumps(key, separators=(",", ":")))


def _item_text(item: dict[str, Any] | None) -> str:
    """An item in DynamoDB JSON on one line, cut to ITEM_WIDTH."""
    return shorten(json_text(item, separators=(",", ":")), ITEM_WIDTH)


def _written_line(table: TableSim, key: str, name: str | None, record: TableRecord | None) -> str:
    """What a put or an update did to the item `key`: the stream event it wrote (`INSERT`,
    `MODIFY`) and its record, or that it left the item as it was."""
    if name is None:
        return f"item {key} of {table.name} is unchanged: no stream record"
    return f"{name} item {key} in {table.name}{_stream_note(table, record)}"


def _stream_note(table: TableSim, record: TableRecord | None) -> str:
    if record is not None:
        return f": stream record {record.sequence_number} on {record.shard.id}"
    if table.stream is None:
        return " (the table has no stream)"
    return ""


@command(
    "put-item",
    "messages",
    "Write an item to a DynamoDB table (PutItem): it replaces any item with its key.",
    args=(
        Arg("TABLE", TABLE, "a dynamo-db-table of the stack"),
        Arg("ITEM", TEXT, 'the item in DynamoDB JSON, one word: \'{"id": {"S": "1"}}\''),
    ),
    options=(CONDITION_OPTION, NAMES_OPTION, VALUES_OPTION),
    examples=(
        'put-item carts \'{"id": {"S": "c-1"}, "total": {"N": "20"}}\'',
        'put-item carts \'{"id": {"S": "c-1"}, "total": {"N": "25"}, "tags": {"SS": ["gift"]}}\'',
        'put-item carts \'{"id": {"S": "c-2"}}\' --condition "attribute_not_exists(id)"',
    ),
    details=(
        "A new key writes an INSERT stream record, a changed item a MODIFY record (when the "
        "table has a streamType); an item identical to the one stored changes nothing and "
        "writes no record. Every attribute value names its type: S, N (a number written as "
        "a string), B (base64), BOOL, NULL, M, L, SS, NS or BS.\n"
        "With --condition the item is written only if the condition holds for the item "
        "stored (attribute_not_exists(id): only a new key); otherwise it fails with "
        "ConditionalCheckFailedException and changes nothing."
    ),
    changes_state=True,
    body_file="ITEM",
)
def cmd_put_item(session: Session, call: Call) -> CommandResult:
    """put-item TABLE ITEM [--condition EXPR] [--names JSON] [--values JSON]"""
    table = _table(session.sim, call.args["table"])
    raw = _json(call.args["item"], "the item", table)
    name, record = _write(
        table.put,
        raw,
        expr=_expressions(call),
        retyped=_retyped(call, table, raw),
        typed=_typed_word(call, "item"),
    )
    text = _written_line(table, _key_text(table.key_of(check_item(raw))), name, record)
    data: dict[str, Any] = {"table": table.name, "event_name": name}
    return CommandResult(text, data=_with_record(data, record))


@command(
    "delete-item",
    "messages",
    "Delete an item from a DynamoDB table by its key (DeleteItem).",
    args=(
        Arg("TABLE", TABLE, "a dynamo-db-table of the stack"),
        Arg("KEY", TEXT, 'the item\'s key attributes in DynamoDB JSON: \'{"id": {"S": "1"}}\''),
    ),
    options=(CONDITION_OPTION, NAMES_OPTION, VALUES_OPTION),
    examples=(
        'delete-item carts \'{"id": {"S": "c-1"}}\' --condition "#t < :max" '
        '--names \'{"#t": "total"}\' --values \'{":max": {"N": "100"}}\'',
        'delete-item carts \'{"id": {"S": "c-1"}}\'',
    ),
    details=(
        "Deleting an item writes a REMOVE stream record (when the table has a streamType); "
        "deleting a key with no item changes nothing.\n"
        "With --condition the item is deleted only if the condition holds for it; otherwise "
        "it fails with ConditionalCheckFailedException and changes nothing."
    ),
    changes_state=True,
)
def cmd_delete_item(session: Session, call: Call) -> CommandResult:
    """delete-item TABLE KEY [--condition EXPR] [--names JSON] [--values JSON]"""
    table = _table(session.sim, call.args["table"])
    raw = _json(call.args["key"], "the key", table)
    found, record = _write(
        table.delete,
        raw,
        expr=_expressions(call),
        retyped=_retyped(call, table, raw),
        typed=_typed_word(call, "key"),
    )
    key = _key_text(check_item(raw, "Key"))
    if not found:
        text = f"no item {key} in {table.name}: nothing deleted, no stream record"
    else:
        text = f"REMOVE item {key} from {table.name}{_stream_note(table, record)}"
    data: dict[str, Any] = {"table": table.name, "deleted": found}
    return CommandResult(text, data=_with_record(data, record))


@command(
    "update-item",
    "messages",
    "Change an item's attributes in a DynamoDB table (UpdateItem), creating it if need be.",
    args=(
        Arg("TABLE", TABLE, "a dynamo-db-table of the stack"),
        Arg("KEY", TEXT, 'the item\'s key attributes in DynamoDB JSON: \'{"id": {"S": "1"}}\''),
    ),
    options=(
        Option(
            "--update",
            TEXT,
            "UpdateExpression: SET a = :v, n = n + :one REMOVE b ADD tags :t DELETE tags :u",
            "EXPR",
        ),
        CONDITION_OPTION,
        NAMES_OPTION,
        VALUES_OPTION,
    ),
    examples=(
        'update-item carts \'{"id": {"S": "c-1"}}\' --update "SET qty = :q" '
        '--values \'{":q": {"N": "1"}}\'',
        'update-item carts \'{"id": {"S": "c-1"}}\' --update "SET qty = qty + :n, #s = :s" '
        '--names \'{"#s": "status"}\' --values \'{":n": {"N": "2"}, ":s": {"S": "open"}}\'',
        'update-item carts \'{"id": {"S": "c-1"}}\' --update "REMOVE #s" --condition '
        '"qty >= :min" --names \'{"#s": "status"}\' --values \'{":min": {"N": "1"}}\'',
    ),
    details=(
        "DynamoDB's update expressions: SET (with +, -, if_not_exists and list_append), "
        "REMOVE (attributes, map entries, list elements), ADD (to a number or a set) and "
        "DELETE (from a set), each at most once; document paths like a.b[2].#c. Every "
        "operand is read from the item as it was before the update.\n"
        "A key with no item creates one (an INSERT stream record); a changed item writes a "
        "MODIFY record; an update that leaves the item as it was writes none.\n"
        "Reserved words (status, name, count, ...) go through --names placeholders; every "
        "placeholder given must be used. With --condition the update happens only if it "
        "holds; otherwise it fails with ConditionalCheckFailedException and changes nothing."
    ),
    changes_state=True,
)
def cmd_update_item(session: Session, call: Call) -> CommandResult:
    """update-item TABLE KEY --update EXPR [--condition EXPR] [--names JSON] [--values JSON]"""
    table = _table(session.sim, call.args["table"])
    raw = _json(call.args["key"], "the key", table)
    if "update" not in call.opts:
        raise CommandError(
            "update-item needs --update EXPR (DynamoDB's UpdateExpression)",
            'e.g. update-item TABLE KEY --update "SET qty = :q" --values \'{":q": {"N": "1"}}\'',
        )
    expressions = _expressions(call)
    retyped = _retyped_update(call, table, raw, expressions.values)
    name, record = _write(table.update, raw, expressions, retyped=retyped)
    text = _written_line(table, _key_text(check_item(raw, "Key")), name, record)
    stored = table.get(raw)
    text += f"\n  {_item_text(stored)}"
    data: dict[str, Any] = {"table": table.name, "event_name": name, "item": stored}
    return CommandResult(text, data=_with_record(data, record))


def show_table(sim: Simulator, name: str) -> CommandResult:
    """`show table NAME`: the key schema, the first items, the stream and its readers."""
    table = _table(sim, name)
    count = len(table.items)
    noun = "1 item" if count == 1 else f"{count} items"
    lines = [f"{table.name}: key {table.key_text()}, {noun}"]
    items = []
    for item in list(table.items.values())[:SHOW_ITEMS]:
        lines.append(f"  {_item_text(item)}")
        items.append(item)
    if count > SHOW_ITEMS:
        lines.append(f"  ... and {count - SHOW_ITEMS} more")
    stream = table.stream
    data: dict[str, Any] = {"table": table.name, "arn": table.arn, "items": count}
    data["first_items"] = items
    if stream is None:
        lines.append("no stream (no streamType): writes trigger nothing")
        return CommandResult("\n".join(lines), data=data)
    shard = stream.shards[0]
    held = stream.held()
    newest = shard.records[-1].sequence_number if shard.records else "-"
    lines.append(
        f"stream {stream.view_type}: {shard.id}, retention 24 h, "
        f"{'1 record' if held == 1 else f'{held} records'} held, newest {newest}"
    )
    if not stream.consumers:
        lines.append("  nothing in the stack reads it")
    table_rows, readers = reader_table(stream)
    data["stream"] = {
        "arn": stream.arn,
        "view_type": stream.view_type,
        "shard": shard.id,
        "records": held,
        "readers": readers,
    }
    return CommandResult("\n".join(lines), table=table_rows, data=data)


def show_tables(sim: Simulator) -> CommandResult:
    """`show tables`: every simulated table with its key, item count and stream."""
    headers = ["table", "key", "items", "stream", "stream records"]
    rows = []
    data = []
    for table in sim.services["tables"].values():
        stream = table.stream
        held = stream.held() if stream is not None else None
        rows.append(
            [
                table.name,
                table.key_text(),
                f"{len(table.items):,}",
                stream.view_type if stream is not None else "-",
                "-" if held is None else f"{held:,}",
            ]
        )
        data.append(
            {
                "table": table.name,
                "key": table.key_text(),
                "items": len(table.items),
                "stream": stream.view_type if stream is not None else None,
                "stream_records": held,
            }
        )
    text = "" if rows else "this stack has no dynamo-db-table (with a valid primaryKey)"
    return CommandResult(text, table=(headers, rows) if rows else None, data=data)
