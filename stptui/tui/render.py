"""Pure helpers that turn simulation data into Rich `Text` for the panes.

Every string that comes from a stack, a message or a record goes through `safe` (control
characters made visible) and into `Text` objects, never into markup (design rule 6).
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

from stptui.commands.result import format_value
from stptui.sim.behavior import format_duration
from stptui.sim.clock import iso_ms
from stptui.sim.trace import Record
from stptui.textsafe import printable

# Colour by the first part of the record kind, then by outcome words.
KIND_STYLES: dict[str, str] = {
    "message.sent": "cyan",
    "message.received": "blue",
    "message.returned": "yellow",
    "message.deleted": "green",
    "message.dead_lettered": "bold red",
    "message.expired": "red",
    "message.redriven": "magenta",
    "invocation.started": "bright_blue",
    "invocation.succeeded": "green",
    "invocation.failed": "red",
    "invocation.throttled": "yellow",
    "invocation.retry_scheduled": "yellow",
    "invocation.discarded": "bold red",
    "emission.failed": "red",
    "behavior.overridden": "magenta",
}


def safe(value: object) -> str:
    """Untrusted text with control characters shown as escapes and newlines as `\\n`."""
    return printable(str(value)).replace("\n", "\\n").replace("\t", "\\t")


def kind_style(kind: str) -> str:
    """The colour a record kind is drawn in."""
    return KIND_STYLES.get(kind, "default")


def clock_time(ms: int) -> str:
    """`08:00:30.000` (the date is in the clock bar)."""
    return iso_ms(ms)[11:23]


def display_time(ms: int) -> str:
    """`2026-01-05 08:00:30.000 UTC` (any year `iso_ms` writes, `+10000-01-01` too)."""
    day, _, time_of_day = iso_ms(ms).partition("T")
    return f"{day} {time_of_day.removesuffix('Z')} UTC"


def relative(ms: int) -> str:
    """`+2 s`, `+1 min 30 s`, `now`."""
    return "now" if ms <= 0 else f"+{format_duration(ms)}"


def record_details(rec: Record) -> str:
    """A record's fields as `key=value` words, safe for a terminal."""
    return " ".join(f"{k}={safe(format_value(v))}" for k, v in rec.data.items())


def record_text(rec: Record, width: int | None = None) -> Text:
    """One record on one line: time, kind (coloured), resource, details."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(clock_time(rec.t), "dim")
    line.append(" ")
    line.append(rec.kind.ljust(22), kind_style(rec.kind))
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
    bidirectional overrides out of the terminal too)."""
    return Text(json.dumps(value, indent=2, ensure_ascii=True, default=str))


def preview(text: str, limit: int = 60) -> str:
    """The start of a body on one safe line."""
    # Only the start is escaped (a body can be 256 KB): escaping goes character by
    # character and never shortens, so the escaped start is the start of the escaped body.
    flat = safe(text[: limit + 1])
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
