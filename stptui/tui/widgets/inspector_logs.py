"""The Inspector's CloudWatch Logs sections: a function's (or batch job's) log group, with
its subscription filters and its newest lines, and, on a subscriber's page, the groups it
subscribes to (`show logs`'s figures).

Log messages are what handlers print, or what `log` wrote: untrusted text. They go in as
`Text` through `preview` (control characters escaped, a tab as a gap, cut), never as
markup, and the filter patterns and names from the stack through `safe`.
"""

from __future__ import annotations

from rich.text import Text

from stptui.commands.handlers.logs import SHOWN_LOG_EVENTS
from stptui.sim.engine import Simulator
from stptui.sim.services.log_group import LogGroupSim, LogSubscription
from stptui.textsafe import log_line
from stptui.tui.render import clock_time, preview, safe, section_heading, section_line

# How many of a group's newest lines the page lists (`show logs` lists SHOWN_LOG_EVENTS,
# with ids).
RECENT_LOG_LINES = 10
# How much of one message a line shows (a message may be a megabyte).
MESSAGE_CHARS = 200
# Continuation lines go on under the message, after the time and the stream.
LINE_HANG = len("00:00:00.000 12345678 ")
# The characters of a stream's name that tell its execution environments apart, as
# `show logs` shows them.
STREAM_TAIL = 8


def filter_text(sub: LogSubscription) -> Text:
    """A subscription's filter as the page shows it: the pattern as written, `(empty:
    every line)`, or why CloudWatch Logs would refuse it."""
    if sub.pattern is None:
        return Text(f"invalid: {safe(sub.error)}", "red")
    if not sub.pattern.text.strip():
        return Text("(empty: every line)", "dim")
    return Text(safe(sub.pattern.text))


def log_section(text: Text, sim: Simulator, name: str) -> None:
    """`name`'s log group and newest lines when it is a function, batch job or container
    (or that its logging is off), then the groups `name` subscribes to."""
    service = sim.services.get("logs")
    if service is None:
        return
    group: LogGroupSim | None = service.groups.get(name)
    if group is not None:
        _group(text, group, name)
    elif service.disabled(name):
        section_heading(text, "Log group")
        section_line(text, Text("logging disabled: no log group", "dim"))
    subscribed = [
        (owner, sub)
        for owner, g in service.groups.items()
        for sub in g.subscriptions
        if sub.subscriber == name
    ]
    if subscribed:
        section_heading(text, "Subscribes to")
        for owner, sub in subscribed:
            line = Text.assemble(
                "← ", (safe(owner), "bold"), f" {safe(service.groups[owner].name)}"
            )
            line.append(" filter ")
            line.append_text(filter_text(sub))
            section_line(text, line)


def _group(text: Text, group: LogGroupSim, name: str) -> None:
    section_heading(text, "Log group")
    streams = group.stream_count
    section_line(text, Text(f"{safe(group.name)}, {streams} log stream{'s' * (streams != 1)}"))
    if not group.subscriptions:
        section_line(text, Text("no subscription filter: its lines go to no one", "dim"))
    for sub in group.subscriptions:
        line = Text.assemble("→ ", (safe(sub.subscriber), "bold"), " filter ")
        line.append_text(filter_text(sub))
        section_line(text, line)
    section_heading(text, "Recent log lines")
    events = group.recent(RECENT_LOG_LINES)
    show = f"show logs {safe(name)}"
    if not events:
        section_line(text, Text("(none yet: l writes one)", "dim"))
    # The cut is said where it is: the newest lines alone read as all there are (the first
    # environments' INIT_START lines went unnoticed when several started at once).
    if earlier := group.lines - len(events):
        section_line(
            text,
            Text(
                f"{earlier} earlier line{'s' * (earlier != 1)}: {show} lists the last "
                f"{SHOWN_LOG_EVENTS}, whole",
                "dim",
            ),
        )
    for ev in events:
        line = Text.assemble(
            (clock_time(ev.timestamp), "dim"), " ", (ev.stream[-STREAM_TAIL:], "dim"), " "
        )
        # A tab is a gap to the next tab stop, as `show logs` shows REPORT's fields.
        line.append(preview(ev.message.rstrip("\n"), MESSAGE_CHARS, log_line))
        section_line(text, line, LINE_HANG)
    if not earlier:
        section_line(text, Text(f"{show}: the last {SHOWN_LOG_EVENTS}, whole", "dim"))
