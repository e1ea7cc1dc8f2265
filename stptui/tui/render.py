"""Pure helpers that turn simulation data into Rich `Text` for the panes.

Every string that comes from a stack, a message or a record goes through `safe` (control
characters made visible) and into `Text` objects, never into markup (design rule 6).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any

from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from stptui import jsontext
from stptui.commands.result import CommandResult, rich_table
from stptui.sim.behavior import format_duration
from stptui.sim.clock import iso_ms
from stptui.sim.trace import KINDS, Record, format_value
from stptui.textsafe import one_line, printable

# Colour by the first part of the record kind, then by outcome words.
KIND_STYLES: dict[str, str] = {
    "message.sent": "cyan",
    "message.received": "blue",
    "message.returned": "yellow",
    "message.deleted": "green",
    "message.dead_lettered": "bold red",
    "message.expired": "red",
    "message.redriven": "magenta",
    # A worker's heartbeat keeps a message in hand, as its receive does; SQS refusing one
    # is a warning (the message comes back when its visibility timeout ends).
    "message.visibility_changed": "blue",
    "message.visibility_refused": "yellow",
    "invocation.started": "bright_blue",
    "invocation.succeeded": "green",
    "invocation.failed": "red",
    "invocation.throttled": "yellow",
    "invocation.retry_scheduled": "yellow",
    "invocation.discarded": "bold red",
    "emission.failed": "red",
    "behavior.overridden": "magenta",
    # A Kinesis record and its batches read as a message and its invocations do: a put
    # arrives (cyan), a retry waits (yellow), a discarded batch is lost (bold red) and its
    # on-failure record goes where a dead letter would (red).
    "stream.record_put": "cyan",
    "stream.batch_retried": "yellow",
    "stream.batch_bisected": "yellow",
    "stream.batch_discarded": "bold red",
    "stream.failure_delivered": "red",
    "stream.record_expired": "red",
    # A table's write puts a record on its stream (INSERT, MODIFY or REMOVE): it arrives
    # as a Kinesis record does (an unchanged item writes none: see `record_style`).
    "item.put": "cyan",
    "item.deleted": "cyan",
    "item.updated": "cyan",
    "http.request": "cyan",
    # A container serves a request as a function runs an invocation: it starts bright blue,
    # fails red, and answers in its status's colour (see `record_style`).
    "container.request": "bright_blue",
    "container.failed": "red",
    # A message a worker polled ends as a function's invocation does: deleted after its
    # work (green), or failed and left to come back after its visibility timeout (red).
    "container.message.processed": "green",
    "container.message.failed": "red",
    # A multipart upload begun arrives as a put does; a lifecycle rule's expiration (and its
    # abort of an upload never completed) removes data by age as a message's expiry does; a
    # transition changes an object in place, as a redrive or an override changes things.
    # An authorizer's verdict is coloured by `record_style`, as the response it decides.
    "multipart.initiated": "cyan",
    "lifecycle.expired": "red",
    "lifecycle.aborted": "red",
    "lifecycle.transitioned": "magenta",
    # A restore's copy arriving reads as good news, its going as a loss.
    "restore.completed": "green",
    "restore.expired": "red",
    # An execution reads as an invocation does (it starts bright blue, ends green or red),
    # its states as the steps between; a retry waits (yellow) as a function's does, a
    # catch turns a failure into a path (yellow), a Choice's verdict is a decision.
    "sfn.execution.started": "bright_blue",
    "sfn.execution.succeeded": "green",
    "sfn.execution.failed": "bold red",
    "sfn.execution.timed_out": "bold red",
    "sfn.execution.aborted": "magenta",
    "sfn.state.entered": "blue",
    "sfn.state.exited": "blue",
    "sfn.task.started": "bright_blue",
    "sfn.task.failed": "red",
    "sfn.task.called": "bright_blue",
    # A callback task waits (yellow) as a retry does; its answer reads as an outcome.
    "sfn.task.waiting": "yellow",
    "sfn.task.callback": "bright_blue",
    "sfn.choice": "magenta",
    "sfn.retry": "yellow",
    "sfn.caught": "yellow",
    "sfn.execution.redriven": "bright_blue",
    "sfn.map_run.started": "blue",
    "sfn.map_run.ended": "blue",
    # A WebSocket client's request arrives (cyan) as an HTTP request does, its connection
    # opens green; a refusal, an authorizer's verdict, what the client receives and a
    # close are coloured by `record_style`.
    "ws.connect": "cyan",
    "ws.connected": "green",
    "ws.message": "cyan",
    "ws.received": "blue",
    "ws.disconnected": "magenta",
}
# The fields a row shows first, per kind: what tells one record of the kind from the next
# (the pane is narrow; the record's JSON below has every field in the trace's order).
LEADING_FIELDS: dict[str, tuple[str, ...]] = {
    # A worker's heartbeats are rows of one message id each: how long (see
    # `record_summary`) and until when tell them apart (a refusal's error first).
    "message.visibility_changed": ("visible_at", "consumer"),
    "message.visibility_refused": ("error", "timeout_s", "consumer", "message_id"),
    "stream.record_put": ("partition_key", "shard", "size"),
    "stream.record_expired": ("shard",),
    "stream.batch_retried": ("retries", "shard"),
    "stream.batch_bisected": ("split_at", "shard"),
    "stream.batch_discarded": ("condition", "attempts", "shard"),
    "stream.failure_delivered": ("target",),
    "item.put": ("key", "size"),
    "item.deleted": ("key",),
    "item.updated": ("key", "size"),
    # Where a bus event went: how many rules took it, its source and detail-type, and each
    # rule's target (the resource stacktape.yml names), before the event's 36-character
    # id, which left none of them in sight at 100 columns.
    "event.published": ("rules_matched", "event_source", "detail_type"),
    "event.matched": ("target", "rule"),
    "event.unmatched": ("target", "rule"),
    "http.request": ("method", "path", "listener_port", "target", "route"),
    "http.response": ("status", "latency_ms", "reason"),
    "container.request": ("container", "method", "path", "via"),
    "container.response": ("container", "status", "duration_ms"),
    "container.failed": ("container", "error", "error_message", "duration_ms"),
    # A polled message's queue and receive come before its 36-character id.
    "container.message.processed": ("queue", "receive_count", "duration_ms", "container"),
    "container.message.failed": ("queue", "error", "error_message", "receive_count"),
    # A verdict (see `record_summary`) and why come first, then who gave it; the long
    # reason of a lifecycle action comes last (its rule leads).
    "http.authorization": ("reason", "authorizer", "function", "user_pool", "cached"),
    "multipart.initiated": ("key", "upload_id"),
    "lifecycle.expired": ("key", "rule", "storage_class", "size"),
    "lifecycle.transitioned": ("key", "rule"),
    "lifecycle.aborted": ("key", "rule", "upload_id"),
    "restore.initiated": ("key", "tier", "completes_at", "days"),
    "restore.upgraded": ("key", "from_tier", "tier", "completes_at"),
    "restore.extended": ("key", "expiry", "days"),
    "restore.completed": ("key", "expiry"),
    "restore.expired": ("key",),
    # An execution's records lead with its name (its ARN's last part) and the state.
    "sfn.execution.started": ("execution_arn", "input_bytes", "source"),
    "sfn.execution.succeeded": ("execution_arn", "duration_ms", "output_bytes"),
    "sfn.execution.failed": ("execution_arn", "error", "cause", "duration_ms"),
    "sfn.execution.timed_out": ("execution_arn", "error", "duration_ms"),
    "sfn.execution.aborted": ("execution_arn", "error", "cause", "duration_ms"),
    "sfn.state.entered": ("execution_arn", "state", "type", "input_bytes"),
    "sfn.state.exited": ("execution_arn", "state", "type", "output_bytes"),
    "sfn.task.started": ("execution_arn", "state", "function", "invocation_id"),
    "sfn.task.failed": ("execution_arn", "state", "error", "invocation_id"),
    "sfn.task.called": ("execution_arn", "state", "integration", "target", "delivered_id"),
    # The 640-character token comes last: the record's JSON below shows it whole.
    "sfn.task.waiting": ("execution_arn", "state", "heartbeat_s", "timeout_s"),
    "sfn.task.callback": ("execution_arn", "state", "outcome", "error", "source"),
    "sfn.choice": ("execution_arn", "state", "next", "verdicts"),
    "sfn.retry": ("execution_arn", "state", "error", "attempt", "delay_ms", "at"),
    "sfn.caught": ("execution_arn", "state", "error", "next"),
    "sfn.execution.redriven": ("execution_arn", "redrive_count"),
    "sfn.map_run.started": ("execution_arn", "state", "items", "child_executions"),
    "sfn.map_run.ended": ("execution_arn", "state", "status", "succeeded", "failed"),
    # A connection's records lead with its id, then what tells them apart: the route a
    # message took and the selection expression's value, who sent the client a message,
    # why a connection was refused or closed.
    "ws.connect": ("connection_id", "route", "target"),
    "ws.authorization": ("connection_id", "reason", "function"),
    "ws.connected": ("connection_id",),
    "ws.refused": ("connection_id", "reason"),
    "ws.message": ("connection_id", "route", "target", "selected", "size"),
    "ws.received": ("connection_id", "source", "size", "reason"),
    "ws.disconnected": ("connection_id", "reason", "status_code", "duration_ms"),
}
# A field a row shows under a shorter name (with `_row_value`'s shorter value).
ROW_KEYS: dict[str, str] = {"execution_arn": "execution", "connection_id": "conn"}
# Fields a row leaves out because it shows them otherwise: `record_summary` leads with an
# item's event name, an authorizer's verdict, a lifecycle action's; a bucket's records are
# the bucket's row already.
HIDDEN_FIELDS: dict[str, tuple[str, ...]] = {
    "item.put": ("event_name",),
    "item.updated": ("event_name",),
    "http.authorization": ("decision",),
    "multipart.initiated": ("bucket",),
    "lifecycle.expired": ("bucket", "event"),
    "lifecycle.transitioned": ("bucket", "from_class", "storage_class"),
    "lifecycle.aborted": ("bucket",),
    "restore.initiated": ("bucket",),
    "restore.upgraded": ("bucket",),
    "restore.extended": ("bucket",),
    "restore.completed": ("bucket",),
    "restore.expired": ("bucket",),
    # The execution's name is the last part of its ARN, shown first.
    "sfn.execution.started": ("name",),
    # A heartbeat's timeout leads the row as a wait (see `record_summary`).
    "message.visibility_changed": ("timeout_s",),
    # A WebSocket verdict and a refusal's status lead the row (see `record_summary`).
    "ws.authorization": ("decision",),
    "ws.refused": ("status",),
}
# An authorizer's decision as a row says it (with the status it answers unless allowed),
# and its colour.
AUTHORIZATION_WORDS: dict[str, str] = {
    "allow": "allowed",
    "deny": "denied 403",
    "unauthorized": "unauthorized 401",
    "error": "error 500",
}
AUTHORIZATION_STYLES: dict[str, str] = {
    "allow": "green",
    "deny": "yellow",
    "unauthorized": "yellow",
    "error": "red",
}
# S3's lifecycle expiration events as a row names them: removed for good, or hidden behind
# a delete marker (a versioned bucket keeps the version).
EXPIRATION_WORDS: dict[str, str] = {
    "LifecycleExpiration:Delete": "deleted",
    "LifecycleExpiration:DeleteMarkerCreated": "delete-marker",
}

# A Kinesis sequence number is 56 digits: a row shows its last SEQUENCE_TAIL after `…`
# (the shard's running count in the simulator's numbers), enough to tell the records of a
# shard apart; the filter still matches the whole number.
SEQUENCE_TAIL = 8


# A line of indented JSON longer than this (a message body can be 256 KB) is wrapped by Rich
# alone: its hanging indent would cost a key press more than it is worth.
HANG_LIMIT = 4096


def safe(value: object) -> str:
    """Untrusted text with control characters shown as escapes and newlines as `\\n`, a
    backslash that would read as an escape written twice (`textsafe.one_line`)."""
    return one_line(str(value))


def key_hint(*keys: tuple[str, str]) -> Text:
    """The keys of a pane for its border, each key bold: `e explain  / filter`. They act
    on what the pane shows; listed there, they leave the footer room for the others."""
    hint = Text()
    for i, (key, does) in enumerate(keys):
        hint.append("  " if i else "")
        hint.append(key, "bold")
        hint.append(f" {does}")
    return hint


def markup_literal(text: str) -> str:
    """Textual markup that shows `text` as it is written, for the few places that take
    nothing but markup (a command palette hit's help). Only `[` opens a tag in Textual's
    markup, and a backslash before it keeps it: Textual's own `escape` (like Rich's) also
    doubles a backslash that ends the text or stands before a `[`, which Textual's parser
    then shows twice."""
    return text.replace("[", "\\[")


def key_schema_text(key: Sequence[tuple[str, str]]) -> str:
    """`partition key cartId (S), sort key placedAt (N)`: a table's key attributes (name
    and DynamoDB type), in order."""
    roles = ("partition key", "sort key")
    return ", ".join(f"{roles[i]} {safe(name)} ({kind})" for i, (name, kind) in enumerate(key))


def kind_style(kind: str) -> str:
    """The colour a record kind is drawn in."""
    return KIND_STYLES.get(kind, "default")


def record_style(rec: Record) -> str:
    """The colour a record's kind is drawn in: its kind's, or an HTTP response's status's,
    an authorizer's verdict's, a WebSocket refusal's status's, a gateway message's."""
    if rec.kind in ("http.response", "container.response"):
        # As the HTTP dialog colours its status line.
        status = rec.data.get("status")
        if isinstance(status, int):
            return "green" if status < 400 else "yellow" if status < 500 else "red"
    if rec.kind in ("item.put", "item.updated") and rec.data.get("event_name") is None:
        # An item put again as it was (or updated to what it was): no stream record.
        return "dim"
    if rec.kind in ("http.authorization", "ws.authorization"):
        # As the response it decides: let through green, a 401 or 403 yellow, a 500 red.
        decision = rec.data.get("decision")
        return AUTHORIZATION_STYLES.get(str(decision), "default")
    if rec.kind == "ws.refused":
        status = rec.data.get("status")
        return "red" if isinstance(status, int) and status >= 500 else "yellow"
    if rec.kind == "ws.received" and rec.data.get("source") == "gateway":
        # API Gateway's own message: Forbidden (no route) or a failed integration.
        return "yellow"
    return kind_style(rec.kind)


def short_sequence(value: str) -> str:
    """`…00000003` for a Kinesis sequence number (shorter strings as they are)."""
    return value if len(value) <= SEQUENCE_TAIL + 1 else "…" + value[-SEQUENCE_TAIL:]


def _row_value(key: str, value: object) -> str:
    """A field's value as a row shows it, safe for a terminal: sequence numbers shortened (a
    batch's as its first and last, and how many), an execution by its name, a Choice's
    verdicts joined, other text as `safe` shows it, everything else as `format_value`
    writes it (JSON, its escapes JSON's own: `safe` would double their backslashes)."""
    if key == "sequence_number" and isinstance(value, str):
        return safe(short_sequence(value))
    if key == "execution_arn" and isinstance(value, str):
        return safe(value.rsplit(":", 1)[-1])
    if key == "verdicts" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        # A Choice's verdicts in words, as `show execution` joins them.
        return safe("; ".join(value))
    if key == "sequence_numbers" and isinstance(value, list) and value:
        if not all(isinstance(v, str) for v in value):
            return format_value(value)
        first = short_sequence(value[0])
        if len(value) == 1:
            return safe(first)
        return safe(f"{first}..{short_sequence(value[-1])}({len(value)})")
    return safe(value) if isinstance(value, str) else format_value(value)


def clock_time(ms: int) -> str:
    """`08:00:30.000` (the date is in the clock bar)."""
    return iso_ms(ms)[11:23]


def dated_clock_time(ms: int) -> str:
    """`01-06 02:00:30.000`: the time with its day, for a list with a row on another day
    than the clock bar's (the Agenda, the Events pane)."""
    return f"{iso_ms(ms)[5:10]} {clock_time(ms)}"


def display_time(ms: int) -> str:
    """`2026-01-05 08:00:30.000 UTC` (any year `iso_ms` writes, `+10000-01-01` too)."""
    day, _, time_of_day = iso_ms(ms).partition("T")
    return f"{day} {time_of_day.removesuffix('Z')} UTC"


def relative(ms: int) -> str:
    """`+2 s`, `+1 min 30 s`, `now`."""
    return "now" if ms <= 0 else f"+{format_duration(ms)}"


def token_breaks(text: str) -> list[int]:
    """Where a line holding compact JSON (`{"source":["orders"]}`) may wrap: after a key's
    `:`, after a `,` and after a run of spaces, never inside a "string" nor a number. (A
    `:` after a key only: `s3:ObjectCreated:*` and `aws:ses` are words.)"""
    breaks = []
    for at, run, is_string in jsontext.runs(text):
        if is_string:
            continue
        for i, ch in enumerate(run, at):
            if (
                ch == ","
                or (ch == ":" and text[i - 1 : i] == '"')
                or (ch == " " and text[i + 1 : i + 2] != " ")
            ):
                breaks.append(i + 1)
    return breaks


def label_breaks(text: str) -> list[int]:
    """Where an edge's line may wrap: where `token_breaks` says, and after an opening
    parenthesis before a word, outside strings. An edge label such as
    `application-load-balancer(container app:3000)` has no space before its parenthesis:
    wider than a narrow Inspector's line, it was folded mid-word (`con|tainer`)."""
    opens = [
        i + 1
        for at, run, is_string in jsontext.runs(text)
        if not is_string
        for i, ch in enumerate(run, at)
        if ch == "(" and text[i + 1 : i + 2].isalpha()
    ]
    # An arrow is read with the name after it (`← orderFlow`): never a line of its own.
    glued = len("← ") if text.startswith(("← ", "→ ")) else 0
    return sorted(b for b in {*token_breaks(text), *opens} if b > glued)


def fire_times(head: str, fires: Sequence[str], style: str = "") -> Text:
    """`head` and the fire times after it, `next: A, B, C`, marked to wrap only between
    times (never inside one), going on under the first."""
    line = Text(head, style)
    breaks = [len(head)]
    for i, fire in enumerate(fires):
        line.append(", " if i else "")
        breaks.append(len(line))
        line.append(fire)
    return hanging(line, len(head), breaks)


def record_details(rec: Record) -> str:
    """A record's fields as `key=value` words, safe for a terminal: the kind's
    LEADING_FIELDS first, sequence numbers shortened (see `_row_value`)."""
    data = rec.data
    lead = LEADING_FIELDS.get(rec.kind, ())
    keys = [k for k in lead if k in data]
    keys += [k for k in data if k not in lead and k not in HIDDEN_FIELDS.get(rec.kind, ())]
    words = " ".join(f"{ROW_KEYS.get(k, k)}={_row_value(k, data[k])}" for k in keys)
    summary = record_summary(rec)
    return f"{summary} {words}" if summary else words


def record_summary(rec: Record) -> str | None:
    """The word or two a row leads with where a field's value says what happened (an
    item's stream event, an authorizer's verdict, a lifecycle action, a WebSocket refusal
    and its status, how long a heartbeat hides its message), or None."""
    data = rec.data
    if rec.kind == "message.visibility_changed":
        # `+1 min` as the Agenda writes a wait (`now`: visible again at once), which the
        # narrow rows at 120 columns still show whole, where `timeout_s=60` was cut.
        timeout = data.get("timeout_s")
        return relative(timeout * 1000) if isinstance(timeout, int) else None
    if rec.kind in ("http.authorization", "ws.authorization"):
        decision = data.get("decision")
        return AUTHORIZATION_WORDS.get(decision, safe(decision)) if decision else None
    if rec.kind == "ws.refused":
        return f"refused {safe(data.get('status'))}"
    if rec.kind == "lifecycle.expired":
        event = data.get("event")
        return EXPIRATION_WORDS.get(event, safe(event)) if isinstance(event, str) else None
    if rec.kind == "lifecycle.transitioned":
        # `STANDARD->STANDARD_IA`: the move is the news.
        return f"{safe(data.get('from_class'))}->{safe(data.get('storage_class'))}"
    return item_change(rec)


def item_change(rec: Record) -> str | None:
    """The stream event name a table's write record stands for (`INSERT`, `MODIFY`,
    `REMOVE`; `unchanged` for an item put again as it was), or None for other kinds."""
    if rec.kind == "item.deleted":
        return "REMOVE"
    if rec.kind in ("item.put", "item.updated"):
        name = rec.data.get("event_name")
        return safe(name) if isinstance(name, str) else "unchanged"
    return None


# The kind column of a record's row. Most kinds fit in the narrow one; where the row has
# room, it is as wide as the longest kind (`notification.delivery_failed`), so that no kind
# is cut, and where it has not, a longer kind ends in `…` inside it rather than pushing
# the rest of its row out of line with the rows around it.
KIND_COLUMN = max(map(len, KINDS))
NARROW_KIND_COLUMN = 22
# The words of a kind too long for the narrow column: cut at the end, `invocation.recursion_…`
# and `container.message.pro…` read as something else. Their start is the kind's family,
# so `kind:` in the filter still finds them by it (the filter takes these words too).
SHORT_KINDS: dict[str, str] = {
    "container.message.failed": "container.msg.failed",
    "container.message.processed": "container.msg.done",
    "invocation.recursion_stopped": "invocation.loop_halted",
    "invocation.retry_scheduled": "invocation.will_retry",
    "message.visibility_changed": "message.vis_changed",
    "message.visibility_refused": "message.vis_refused",
    "notification.delivery_failed": "notification.failed",
    "sfn.execution.succeeded": "sfn.exec.succeeded",
    "sfn.execution.timed_out": "sfn.exec.timed_out",
    "stream.failure_delivered": "stream.failure_sent",
    "user.challenge_answered": "user.challenge_answer",
    "user.removed_from_group": "user.removed_from_grp",
}
# The cells a row keeps for the resource and its details beside the wide kind column: where
# the Events pane is alone (80 columns: 76 cells) the kinds are whole; beside other panes
# (57 to 77 cells) the resource and the start of the details (a message's error) need
# the six extra cells more than the end of a long kind does.
ROW_REST = 30
TIME_COLUMN = len("08:00:30.000")
DATED_TIME_COLUMN = len("01-06 08:00:30.000")


def kind_column(width: int | None, dated: bool = False) -> int:
    """The width of the kind column in a row `width` cells wide (None: unbounded), after
    a time with its day when `dated`."""
    wide = (DATED_TIME_COLUMN if dated else TIME_COLUMN) + 1 + KIND_COLUMN + 1 + ROW_REST
    return KIND_COLUMN if width is None or width >= wide else NARROW_KIND_COLUMN


def short_kind(kind: str, column: int) -> str:
    """A kind in a column of `column` cells: its shorter words (`SHORT_KINDS`) where it is
    too long, or, where even they are (or a kind has none), its start ending in `…`."""
    if len(kind) <= column:
        return kind
    short = SHORT_KINDS.get(kind, kind)
    return short if len(short) <= column else kind[: column - 1] + "…"


def record_text(rec: Record, width: int | None = None, *, dated: bool = False) -> Text:
    """One record on one line, in columns: time (with its day when `dated`), kind
    (coloured), resource, details. The kind column has the same width on every row (see
    `kind_column`)."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(dated_clock_time(rec.t) if dated else clock_time(rec.t), "dim")
    line.append(" ")
    column = kind_column(width, dated)
    line.append(short_kind(rec.kind, column).ljust(column), record_style(rec))
    line.append(" ")
    line.append(safe(rec.resource), "bold")
    details = record_details(rec)
    if details:
        line.append(" ")
        line.append(details)
    if width is not None:
        line.truncate(width, overflow="ellipsis")
    return line


def pretty_json(value: Any) -> Text:
    """Indented JSON with control characters escaped by JSON itself (ensure_ascii keeps
    bidirectional overrides out of the terminal too). A line that wraps goes on under its
    own key, so that the indentation still shows the nesting."""
    lines = []
    for line in json.dumps(value, indent=2, ensure_ascii=True, default=str).split("\n"):
        text = Text(line)
        if len(line) <= HANG_LIMIT:
            text = hanging(text, len(line) - len(line.lstrip(" ")) + 2)
        lines.append(text)
    return Text("\n").join(lines)


def preview(text: str, limit: int = 60, escape: Callable[[str], str] = safe) -> str:
    """The start of a body on one safe line; `escape` is `textsafe.flat` for JSON text,
    whose escapes are its own (`safe` would write their backslashes twice)."""
    # Only the start is escaped (a body can be 256 KB): escaping goes character by
    # character and never shortens, so the escaped start is the start of the escaped body.
    flat = escape(text[: limit + 1])
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# What a cut never splits in a shown name: an escape `textsafe.one_line` writes (`\x1b`,
# `\u202e`, `\n`, `\t`, a doubled backslash), something that reads as a markup tag
# (`[bold]`, `[@click=app.quit]`), and any one character (with its combining marks).
_NAME_TOKENS = re.compile(r"\\(?:x[0-9a-f]{2}|u[0-9a-f]{4}|[nt\\])|\[[^\[\]\n]{1,40}\]|.", re.S)


def _name_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for m in _NAME_TOKENS.finditer(text):
        token = m.group()
        if tokens and len(token) == 1 and cell_len(token) == 0:
            tokens[-1] += token  # a combining mark stays with its character
        else:
            tokens.append(token)
    return tokens


def cut_name(text: str, width: int) -> str:
    """A name as `one_line` shows it, in at most `width` cells: whole when it fits, else
    its start and end either side of `…` (names that share a start, `orderQueue` and
    `orderDlq`, or an end, `…Queue`, differ in the part a cut at the end would lose), the
    one cut of a name everywhere (boxes, the Queues pane), and never inside an escape
    (`\\x1b` cut to `\\x…` reads as another name) or a markup tag: names are untrusted,
    and a cut that leaves `[bo…` or `\\u20…` looks like text the name never held. The
    room a whole escape or tag cannot take at one end goes to the other end."""
    if cell_len(text) <= width:
        return text
    if width < 1:
        return ""
    tokens = _name_tokens(text)
    sizes = [cell_len(t) for t in tokens]
    room = width - 1
    head = tail = used_head = used_tail = 0

    def grow_head(limit: int) -> None:
        nonlocal head, used_head
        while head < len(tokens) - tail and used_head + sizes[head] <= limit:
            used_head += sizes[head]
            head += 1

    def grow_tail(limit: int) -> None:
        nonlocal tail, used_tail
        while tail < len(tokens) - head and used_tail + sizes[-1 - tail] <= limit:
            used_tail += sizes[-1 - tail]
            tail += 1

    # The start gets the odd cell: it is what a name is read by.
    grow_head(width // 2)
    grow_tail(room - used_head)
    grow_head(room - used_tail)
    return "".join(tokens[:head]) + "…" + "".join(tokens[len(tokens) - tail :])


# Longer than this, a text is wrapped line by line even where no line is marked: Rich's
# `render_lines` splits the whole wrapped text at each of its line ends (quadratic; 0.4 s
# for a 1 MB body against 0.1 s line by line).
LONG_TEXT = 100_000

# The meta key of the style that marks how a line of a TextView wraps (see `hanging`).
WRAP_KEY = "stptui.wrap"
# A wrapped line keeps its hanging indent while at least this many cells are left beside
# it; in a narrower view its continuation lines start NARROW_HANG cells in (a deeper
# indent would leave a ribbon of a few words a line).
MIN_BODY = 20
NARROW_HANG = 2
WHITESPACE = re.compile(r"\s+")


def hanging(line: Text, indent: int, breaks: Sequence[int] | None = None) -> Text:
    """`line` (one line, no newline) marked for `wrapped_lines` (a TextView, `Wrapped`):
    the lines it wraps onto start `indent` cells in, under its text rather than at the
    margin. With `breaks` (offsets into the line) it wraps only there, e.g. between the
    tokens of compact JSON; a piece wider than the view is folded. Without, it wraps after
    runs of whitespace."""
    marked = line.copy()
    if marked.plain:
        marked.stylize(_mark_style(indent, None if breaks is None else tuple(breaks)))
    return marked


# How far an Inspector section's wrapped line hangs under its first (see `section_line`).
SECTION_HANG = 2


def section_heading(text: Text, title: str) -> None:
    """Append an Inspector section's heading to `text`."""
    text.append(f"\n{title}\n", "bold underline")


def section_line(text: Text, line: Text, indent: int = SECTION_HANG) -> None:
    """Append one line of an Inspector section to `text`, wrapping `indent` cells in."""
    text.append_text(hanging(line, indent))
    text.append("\n")


@lru_cache(maxsize=256)
def _mark_style(indent: int, breaks: tuple[int, ...] | None) -> Style:
    # A style's meta is pickled when it is made: the usual marks are made once.
    return Style(meta={WRAP_KEY: (indent, breaks)})


@lru_cache(maxsize=256)
def _mark_of(style: Style) -> tuple[int, tuple[int, ...] | None] | None:
    """The wrap mark a style carries (its meta is unpickled on each read: kept here)."""
    spec = style.meta.get(WRAP_KEY)
    return None if spec is None else (spec[0], spec[1])


def _wrap_spec(line: Text) -> tuple[Text, tuple[int, tuple[int, ...] | None] | None]:
    """`line` without its wrap mark, and the mark (None: an ordinary line)."""
    spec = None
    spans = []
    for span in line.spans:
        style = span.style
        mark = _mark_of(style) if isinstance(style, Style) and style.meta else None
        if mark is None:
            spans.append(span)
        else:
            spec = mark
    if spec is None:
        return line, None
    line.spans = spans
    return line, spec


# Where a word wider than a line (an ARN, an alarm's or a log group's name) is folded when
# it must be: after a `:` or `/` (between an ARN's fields, a path's parts), else after a
# `-` (between a name's words), rather than at the line's last cell, mid-word.
FIELD_BREAK = re.compile(r"[:/]")
WORD_BREAK = re.compile(r"[:/-]")
# Where a word of a camelCase name starts: a capital after a small letter or a digit.
CAMEL_BREAK = re.compile(r"(?<=[a-z0-9])[A-Z]")


def fold_at(word: str, room: int) -> int:
    """How many characters of `word` (wider than `room` cells) go on this line: up to its
    last `:` or `/` that fits, unless that leaves more than half the line empty and a `-`
    fills it better; with neither, before the last capital that starts a word of a
    camelCase name (`customerOrder|Fulfilment`) if that fills half the line; else as many
    as fit (at least one)."""
    head = max(len(chop_cells(word, room)[0]), 1)
    fields = [m.end() for m in FIELD_BREAK.finditer(word, 0, head)]
    if fields and fields[-1] * 2 >= head:
        return fields[-1]
    words = [m.end() for m in WORD_BREAK.finditer(word, 0, head)]
    if words:
        return words[-1]
    # The capital at `head` may start the next line: the search sees one character more.
    humps = [m.start() for m in CAMEL_BREAK.finditer(word, 0, head + 1)]
    return humps[-1] if humps and humps[-1] * 2 >= head else head


def wrap_hanging(
    line: Text, width: int, indent: int, breaks: Sequence[int] | None = None
) -> list[Text]:
    """`line` wrapped to `width` cells: at `breaks` (default: after runs of whitespace),
    continuation lines indented by `indent` (NARROW_HANG when fewer than MIN_BODY cells
    would be left beside it, or less when a piece fits only beside less), a piece too wide
    for a line folded."""
    if cell_len(line.plain) <= width:
        return [line]
    plain = line.plain
    if breaks is None:
        breaks = [m.end() for m in WHITESPACE.finditer(plain)]
    offsets = sorted({b for b in breaks if 0 < b < len(plain)})
    # The widest piece that may start a line of its own (the first has the first line).
    bounds = [*offsets, len(plain)]
    widest = max((cell_len(plain[a:b].rstrip()) for a, b in pairwise(bounds)), default=0)
    if width - indent < MIN_BODY:
        indent = min(indent, NARROW_HANG)
    # A piece (an id, a time) that would fit whole under a shallower indent, down to none,
    # goes there rather than being folded, which is harder to read.
    indent = next((i for i in (indent, min(indent, NARROW_HANG), 0) if widest <= width - i), indent)
    indent = min(indent, max(width - 1, 0))  # a sliver of a view: a cell a line at least
    lines: list[Text] = []
    current = line.blank_copy()
    used = 0

    def new_line() -> None:
        nonlocal current, used
        current.rstrip()
        lines.append(current)
        current = line.blank_copy(" " * indent)
        used = indent

    def place(piece: Text, inner: bool) -> None:
        nonlocal used
        if used + cell_len(piece.plain.rstrip()) > width and current.plain.strip():
            new_line()
        if used + cell_len(piece.plain.rstrip()) > width:
            # Wider than a whole line: wrapped at its own spaces if it has any, else folded,
            # as much as fits on each line.
            # Not after a lone sign (an edge's `←`), which would stand on a line alone.
            spaces = [m.end() for m in WHITESPACE.finditer(piece.plain)]
            spaces = [
                b for b in spaces if len(piece.plain[:b].strip()) > 1 and b < len(piece.plain)
            ]
            if spaces and not inner:
                for part in piece.divide(spaces):
                    place(part, True)
                return
            while used + cell_len(piece.plain.rstrip()) > width:
                head = fold_at(piece.plain, max(width - used, 1))
                part, piece = piece.divide([head])
                current.append_text(part)
                new_line()
                piece = piece[len(piece.plain) - len(piece.plain.lstrip()) :]
        current.append_text(piece)
        used += piece.cell_len

    for piece in line.divide(offsets):
        place(piece, False)
    current.rstrip()
    lines.append(current)
    return lines


def wrapped_lines(console: Console, text: Text, width: int) -> list[list[Segment]]:
    """`text` as lines of segments `width` cells wide at most: each line marked by `hanging`
    wrapped as it asks, the others as Rich wraps them (folding what has no space to break
    at)."""
    options = console.options.update(width=width, no_wrap=False, overflow="fold")
    marked = any(isinstance(span.style, Style) and span.style.meta for span in text.spans)
    if not marked and len(text.plain) <= LONG_TEXT:
        return console.render_lines(text, options, pad=False)
    lines: list[list[Segment]] = []
    for line in text.split("\n", allow_blank=True):
        bare, spec = _wrap_spec(line)
        if cell_len(bare.plain) <= width:
            lines.append(list(bare.render(console)))
            continue
        if spec is None:
            parts = bare.wrap(console, width, overflow="fold")
        else:
            parts = wrap_hanging(bare, width, *spec)
        lines.extend(list(part.render(console)) for part in parts)
    return lines


# A refusal's hint line (`CommandError.format`): what wraps goes on under the hint's text.
HINT_PREFIX = "    hint: "


def problem_text(text: str) -> Text:
    """A command's refusal as shown in a dialog or the command line: on a narrow terminal
    its message goes on indented under its first line, and its hint under the hint's own
    text, rather than at the margin, where a wrapped part reads as a line of its own."""
    lines = [
        hanging(Text(line), len(HINT_PREFIX) if line.startswith(HINT_PREFIX) else 2)
        for line in text.split("\n")
    ]
    return Text("\n").join(lines)


# A line of a listing (`help`: `  send                 Send a message ...`): its first words,
# then a gap of two spaces or more before the text that goes on under itself.
LISTING_LINE = re.compile(r" *\S+(?: \S+)*? {2,}(?=\S)")
# The longest line `output_text` marks to go on under its own text: a longer one (a 1 MB
# body on one line) is folded as Rich folds it, at C speed, not cut piece by piece.
HANG_LINE_LIMIT = 2_000


def output_text(text: str) -> Text:
    """A command's plain output (already `printable`) for a view narrower than its lines:
    each line goes on under its own text rather than at the margin, where a wrapped part
    reads as a line of its own: a listing's line under its text after the gap
    (`LISTING_LINE`), any other two cells in from where it starts."""
    lines = []
    for line in text.split("\n"):
        if len(line) > HANG_LINE_LIMIT:
            lines.append(Text(line))
            continue
        listing = LISTING_LINE.match(line)
        indent = listing.end() if listing else len(line) - len(line.lstrip(" ")) + 2
        lines.append(hanging(Text(line), indent))
    return Text("\n").join(lines)


def result_view(result: CommandResult) -> RenderableType:
    """A command's result as `rich_result` shows it, its text lines going on under their
    own text (`output_text`) where the view is narrower than they are."""
    parts: list[RenderableType] = []
    if result.text:
        parts.append(Wrapped(output_text(printable(result.text))))
    if result.table is not None:
        parts.append(rich_table(*result.table))
    return Group(*parts)


class Wrapped:
    """A Rich renderable of `text` wrapped by `wrapped_lines` (for a Static: a dialog's
    page), so that the lines marked by `hanging` go on under their own text."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for line in wrapped_lines(console, self.text, options.max_width):
            yield from line
            yield Segment.line()
