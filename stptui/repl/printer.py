"""What the REPL prints: command results as Rich text and tables, the trace records a command
caused (one compact line each, coloured by kind), and errors in red with their hint.

Bodies, keys, names and messages come from users' files and simulated handlers (design
rule 6): every one goes through `textsafe.printable` into a `rich.text.Text`, and the
console is made with markup and highlighting off, so nothing is read as Rich markup or
reaches the terminal as an escape sequence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from stptui.commands import CommandError, CommandResult, ExpectationFailed
from stptui.commands.result import (
    FittingTable,
    cell,
    record_details,
    rich_table,
)
from stptui.sim.clock import iso_ms
from stptui.sim.trace import Record
from stptui.textsafe import flat, printable

# Record kinds by how they read: trouble first (an `event.unmatched` is no success).
_BAD = (
    "failed",
    "dead_lettered",
    "throttled",
    "expired",
    "discarded",
    "unmatched",
    "delete_stale",
)
_GOOD = ("succeeded", "deleted", "delivered", "matched", "redriven")
_FAMILY = {
    "message": "cyan",
    "queue": "cyan",
    "invocation": "blue",
    "handler": "blue",
    "behavior": "yellow",
    "clock": "yellow",
}


# Ids are UUIDs; in a one-line record their first 8 characters are enough to tell them
# apart and to name them (`show message 1195ab03`).
_UUID = re.compile(r"\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")

# Where a wrapped line goes on: under its indent, and past a first column of up to three
# words (`  send   Send a message`, `  --resources ARN,...  ARNs`: `help`'s layout) or a
# label (`hint: `, `usage: `), so the columns survive a narrow terminal.
_HANG = re.compile(r" *(?:\S+(?: \S+){0,2} {2,}|\S+: )?")
# Narrower than this beside the indent, a line wraps at the margin: 6 columns a line is worse.
MIN_HANGING_WIDTH = 20


def kind_style(kind: str) -> str:
    """The colour of a trace record kind: red for trouble, green for a success, else by
    family (messages cyan, invocations blue, behaviour changes yellow, others magenta)."""
    if kind.endswith(_BAD):
        return "red"
    if kind.endswith(_GOOD):
        return "green"
    return _FAMILY.get(kind.partition(".")[0], "magenta")


class Printer:
    """Renders results and errors on a Rich console."""

    def __init__(self, console: Console, max_records: int = 24) -> None:
        self.console = console
        # A long `advance` can cause a million records: show the first and last ones.
        self.max_records = max_records

    def result(self, result: CommandResult, *, records: bool = True) -> None:
        """A command's message, its table and (unless `records` is False) its records."""
        if result.text:
            self.lines(printable(result.text))
        if result.table is not None:
            self.console.print(self.table(*result.table))
        if records and result.records:
            self.records(result.records)

    def lines(self, text: str, style: str = "") -> None:
        """Plain lines, each too long for the console wrapped under its own indent."""
        width = self.console.width
        for line in text.split("\n"):
            found = _HANG.match(line)
            head = line[: found.end()] if found else ""
            hang = cell_len(head)
            if cell_len(line) <= width or width - hang < MIN_HANGING_WIDTH:
                self.console.print(Text(line, style=style))
                continue
            parts = Text(line[len(head) :], style=style).wrap(self.console, width - hang)
            for i, part in enumerate(parts):
                out = Text(head if i == 0 else " " * hang, style=style)
                out.append_text(part)
                self.console.print(out)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> FittingTable:
        """A `show` listing as a Rich renderable that fits the console."""
        return rich_table(headers, rows)

    def records(self, recs: Sequence[Record]) -> None:
        """The records a command caused, one line each; the middle of a long run elided."""
        n = len(recs)
        if n <= self.max_records:
            shown: list[Record | None] = list(recs)
        else:
            half = self.max_records // 2
            shown = [*recs[:half], None, *recs[n - half :]]
        for rec in shown:
            if rec is None:
                more = n - 2 * (self.max_records // 2)
                self.console.print(
                    Text(f"  ... {more:,} more records (show trace N lists them)", style="dim")
                )
            else:
                # One line per record, cut at the terminal's width: `show trace` wraps it.
                self.console.print(self.record(rec), no_wrap=True, overflow="ellipsis")

    def record(self, rec: Record) -> Text:
        """`01-05 08:00:30.000 message.received jobQueue message_id=...` on one line."""
        stamp = iso_ms(rec.t)
        line = Text()
        line.append(f"  {stamp[5:10]} {stamp[11:23]} ", style="dim")
        line.append(rec.kind, style=kind_style(rec.kind))
        line.append(" ")
        line.append(cell(rec.resource), style="bold")
        details = _UUID.sub(lambda m: m.group(1), record_details(rec))
        if details:
            line.append(" " + flat(details))
        return line

    def echo(self, line: str) -> None:
        """A command run by `source`, as `stptui run` echoes it."""
        self.console.print(Text(f"> {printable(line)}", style="dim"))

    def error(self, exc: CommandError) -> None:
        """A command that could not run (red), with its hint."""
        label = "expectation failed" if isinstance(exc, ExpectationFailed) else "error"
        self.lines(f"{label}: {printable(exc.message)}", style="bold red")
        if exc.hint:
            self.lines(f"    hint: {printable(exc.hint)}", style="yellow")

    def note(self, text: str, style: str = "dim") -> None:
        """A line of the REPL's own (banner, warnings, goodbyes)."""
        self.console.print(Text(printable(text), style=style))
