"""The Inspector's emissions of a workload: what its behaviour declares it emits (each item's
target, and the fields a rule, a subscription or a notification filter reads, as the
behaviours file writes them) and what its last invocations emitted, with the values they
had (an event's `source` and `detail-type` and how many rules matched it, a message's
queue, an object's key) or why it was refused.

A rule that does not match is the common surprise of an event-driven stack: the page puts
what the function published beside what it declares, and the Triggers of the function the
rule invokes show what the rule wants.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

from rich.text import Text

from stptui.sim import trace as tk
from stptui.sim.behavior.declared import EmitSpec
from stptui.sim.trace import Record, RecordRing
from stptui.textsafe import double_quoted, json_shown, json_text
from stptui.tui.render import clock_time, hanging, safe

# The latest emissions the page lists, and those kept per emitter (a frame may bring many).
RECENT_EMISSIONS = 8
# The fields of an `emit` item that say where what it emits goes, or what a filter reads:
# (field, the word the page uses). `detail-type` as an event pattern writes it.
DECLARED_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "publish": (("source", "source"), ("detailType", "detail-type")),
    "send": (("group", "group"),),
    "notify": (("subject", "subject"), ("group", "group")),
    "put": (("key", "key"),),
    "restoreObject": (("key", "key"),),
    "putRecord": (("partitionKey", "partition key"),),
    "produce": (("key", "key"), ("partition", "partition")),
}
# The records an emission leaves on its target, and the field naming who made it
# (`FUNCTION:INVOCATION_ID`, or `WORKLOAD:INVOCATION_ID` for a container's): the emission's
# verb as the behaviours file writes it.
EMITTED: dict[str, tuple[str, str]] = {
    tk.EVENT_PUBLISHED: ("publish", "origin"),
    tk.MESSAGE_SENT: ("send", "source"),
    tk.TOPIC_PUBLISHED: ("notify", "origin"),
    tk.OBJECT_CREATED: ("put", "source"),
    tk.OBJECT_DELETED: ("deleteObject", "source"),
    tk.RESTORE_INITIATED: ("restoreObject", "source"),
    tk.STREAM_RECORD_PUT: ("putRecord", "source"),
    tk.KAFKA_RECORD_PRODUCED: ("produce", "source"),
    tk.ITEM_PUT: ("putItem", "source"),
    tk.ITEM_UPDATED: ("updateItem", "source"),
    tk.ITEM_DELETED: ("deleteItem", "source"),
}
# An emission that could not be carried out is a record of the emitter's own.
EMISSION_KINDS = frozenset(EMITTED) | {tk.EMISSION_FAILED}
# A line that wraps goes on under the text after its time.
RECENT_HANG = len("00:00:00.000 ")


class EmissionLog:
    """The latest records of what each workload emitted (`EMISSION_KINDS`), kept as the
    trace grows (a frame's batch at a time), so that showing a workload never scans the
    trace."""

    def __init__(self) -> None:
        self._kept: dict[str, deque[Record]] = {}

    def reset(self, records: RecordRing, last: int) -> None:
        """Start over from a simulation's trace (its last `last` records)."""
        self._kept.clear()
        self.note(records.of_kinds(EMISSION_KINDS, last, RECENT_EMISSIONS * 16))

    def note(self, batch: Iterable[Record]) -> None:
        """Keep the emission records among `batch`, under the workload that emitted each."""
        kept = self._kept
        for rec in [r for r in batch if r.kind in EMISSION_KINDS]:
            emitter = _emitter(rec)
            if emitter is None:
                continue
            log = kept.get(emitter)
            if log is None:
                log = kept[emitter] = deque(maxlen=RECENT_EMISSIONS)
            log.append(rec)

    def of(self, name: str) -> Sequence[Record]:
        """What `name` emitted last, oldest first."""
        return self._kept.get(name, ())


def _emitter(rec: Record) -> str | None:
    """The workload whose handler made `rec` (None for a command's, a redrive's, a
    destination's or a delivery's)."""
    if rec.kind == tk.EMISSION_FAILED:
        # A destination's failure names its event, not an invocation: Lambda's, not the
        # handler's.
        return rec.resource if "invocation_id" in rec.data else None
    who = rec.data.get(EMITTED[rec.kind][1])
    if not isinstance(who, str):
        return None
    # The name before the first colon: a workload's has none, and what follows may (an
    # execution's ARN), which must not make a key of its own per execution.
    emitter, sep, made_by = who.partition(":")
    if not sep or not emitter or made_by in ("onSuccess", "onFailure") or emitter == "redrive":
        return None
    return emitter


def emits_section(
    text: Text, specs: Sequence[EmitSpec], recent: Sequence[Record], python: bool
) -> None:
    """The declared `emit` items (`specs`) and what was emitted last (`recent`, oldest
    first). `python`: the handler is Python code, whose calls are known when it runs."""
    if specs:
        text.append("emits:\n", "dim")
        for spec in specs:
            text.append_text(hanging(declared_line(spec), 4))
            text.append("\n")
    if not (specs or recent or python):
        return
    text.append("last emitted:\n" if recent else "last emitted: nothing yet\n", "dim")
    for rec in reversed(recent):
        line = Text.assemble(("  ", ""), (clock_time(rec.t), "dim"), " ")
        line.append_text(emitted_line(rec))
        text.append_text(hanging(line, 2 + RECENT_HANG))
        text.append("\n")


def declared_line(spec: EmitSpec) -> Text:
    """`  publish → eventBus: source "orders", detail-type "OrderCreated" when EXPR`: each
    field as written, a constant as JSON and an expression as its text in backquotes."""
    line = Text.assemble("  ", (spec.kind, "bold"), f" → {safe(spec.target)}")
    written = {name: (value, is_expr) for name, value, is_expr in spec.fields}
    parts: list[str] = []
    for name, word in DECLARED_FIELDS.get(spec.kind, ()):
        if name in written:
            value, is_expr = written[name]
            parts.append(f"{word} {_written(spec, name, value, is_expr)}")
    if parts:
        line.append(": " + ", ".join(parts))
    when = spec.when_site
    if spec.when is not None and not isinstance(when, str) and when.expression is not None:
        line.append(" when ", "dim")
        line.append(f"`{safe(when.expression)}`")
    return line


def _written(spec: EmitSpec, name: str, value: Any, is_expr: bool) -> str:
    """A field's value as the page shows it: a constant (or a JMESPath literal, `'orders'`)
    as JSON, what an expression finds as the expression in backquotes."""
    if not is_expr:
        return _quoted(value)
    node = getattr(value, "parsed", None)  # jmespath's ParsedResult: its tree
    if isinstance(node, dict) and node.get("type") == "literal":
        return _quoted(node.get("value"))
    site = spec.sites.get(name)
    expression = site.expression if site is not None else None
    return f"`{safe(expression)}`" if expression is not None else "(an expression)"


def emitted_line(rec: Record) -> Text:
    """One emission as the trace recorded it: its verb, target and the values it had."""
    data = rec.data
    if rec.kind == tk.EMISSION_FAILED:
        line = Text.assemble(
            (safe(data.get("emission", "?")), "bold"), f" → {safe(data.get('target', '?'))} "
        )
        line.append(f"refused: {safe(data.get('error', ''))}", "red")
        return line
    verb = EMITTED[rec.kind][0]
    line = Text.assemble((verb, "bold"), f" → {safe(rec.resource)}")
    parts: list[tuple[str, str]] = []
    if rec.kind == tk.EVENT_PUBLISHED:
        parts.append((f"source {_quoted(data.get('event_source'))}", ""))
        parts.append((f"detail-type {_quoted(data.get('detail_type'))}", ""))
        parts.append(_matched(data.get("rules_matched"), "rule"))
    elif rec.kind == tk.TOPIC_PUBLISHED:
        parts.append(_matched(data.get("subscriptions_matched"), "subscription"))
    elif rec.kind == tk.MESSAGE_SENT:
        parts.append((f"message {safe(str(data.get('message_id', ''))[:8])}", ""))
    elif "key" in data:
        parts.append((f"key {_key_text(data['key'])}", ""))
    if "group" in data and data["group"] is not None:
        parts.append((f"group {_quoted(data['group'])}", ""))
    for i, (words, style) in enumerate(p for p in parts if p[0]):
        line.append(": " if i == 0 else ", ")
        line.append(words, style)
    return line


def _matched(count: object, noun: str) -> tuple[str, str]:
    """`2 rules matched`, or `no rule matched` in yellow: what nobody receives is the
    thing to see."""
    if not isinstance(count, int):
        return "", ""
    if not count:
        return f"no {noun} matched", "yellow"
    return f"{count:,} {noun}{'s' * (count != 1)} matched", ""


def _quoted(value: Any) -> str:
    """A string in double quotes, as the agenda quotes a key (control characters escaped,
    `"` and backslash too); another value as JSON."""
    return double_quoted(value) if isinstance(value, str) else json_text(value)


def _key_text(key: Any) -> str:
    """An object's key (or a record's) quoted; a table's key, which the record holds as
    DynamoDB JSON text, as that text."""
    if isinstance(key, str) and key.startswith("{"):
        return json_shown(key)
    return _quoted(key)
