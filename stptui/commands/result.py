"""What a command returns, and its plain-text rendering.

Commands never print: they return a `CommandResult`, and each front end renders it (the
script runner and the REPL as plain text here, the TUI with its own widgets). Text in a
result is kept exactly as the simulation holds it, untrusted bytes included; renderers make
it safe (design rule 6), which `render_plain` does with `textsafe.printable`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.table import Table as RichTable
from rich.text import Text

from stptui.sim.clock import iso_ms
from stptui.sim.explain import cut_field
from stptui.sim.trace import Record, format_value
from stptui.textsafe import Shown, flat, one_line, printable

if TYPE_CHECKING:
    from stptui.commands.resume import Resumption

Table = tuple[list[str], list[list[str]]]


@dataclass(slots=True)
class CommandResult:
    """The outcome of one command.

    `text` is a plain message (never markup); `table` is (headers, rows) for listings;
    `records` are the trace records the command caused, oldest first; `data` is the same
    information in machine-readable form (JSON-compatible). `resumption` is what is left
    of a command its front end stopped for now (`execute(..., resumable=True)`). `fold`,
    when there is one, gives `text` as it reads on a terminal so many cells wide (`show
    graph` folds its long lines); a front end that draws on a terminal shows that, a pipe
    gets `text` (`render_plain`)."""

    text: str = ""
    table: Table | None = None
    records: Sequence[Record] = field(default_factory=list)
    data: Any = None
    resumption: Resumption | None = None
    fold: Callable[[int], str] | None = None


# A list field longer than this shows its first LIST_HEAD items and how many more there are:
# an alarm change under load names every one of 100,000 messages that fed it (`cause_ids`),
# and a line of megabytes would stall every view that shows the record.
LIST_ITEMS = 10
LIST_HEAD = 3


def record_details(rec: Record, first: Sequence[str] = ()) -> str:
    """A record's own fields as `key=value` words; a long string (a 1 MB log line) cut as
    `explain` cuts it (`cut_field`): its start and how much was left out, and shown as a
    value is, on one line (`textsafe.one_line`: a key with U+202E and one with the text
    `\\u202e` differ); a list of more than LIST_ITEMS items as its first LIST_HEAD and
    a count of the rest (the trace file and the JSON data of a command keep them all).
    The fields named in `first` that are not null come before the others, in that order."""
    data = rec.data
    lead = [k for k in first if data.get(k) is not None]
    order = [*lead, *(k for k in data if k not in lead)] if lead else data
    return Shown(" ".join(f"{k}={_field_text(k, data[k])}" for k in order))


def _field_text(name: str, value: Any) -> str:
    if isinstance(value, str):
        return one_line(cut_field(name, value))
    if isinstance(value, list) and len(value) > LIST_ITEMS:
        head = format_value(value[:LIST_HEAD])[:-1]
        return f"{head},… {len(value) - LIST_HEAD:,} more]"
    return format_value(value)


def record_line(rec: Record) -> str:
    """One record on one line: `2026-01-05T08:00:30.000Z message.received jobQueue ...`, its
    fields shown as `record_details` shows them (the line is composed: `flat` makes it
    safe, where `cell` would escape its escapes again)."""
    details = record_details(rec)
    head = f"{iso_ms(rec.t)} {rec.kind} {rec.resource}"
    return f"{head} {details}" if details else head


def render_table(headers: list[str], rows: list[list[str]]) -> str:
    """Columns aligned with spaces; the last column is not padded."""
    safe_rows = [[cell(c) for c in row] for row in rows]
    safe_headers = [cell(h) for h in headers]
    widths = [len(h) for h in safe_headers]
    for row in safe_rows:
        for i, text in enumerate(row):
            if i < len(widths):
                widths[i] = max(widths[i], len(text))
    lines = []
    for row in [safe_headers, *safe_rows]:
        cells = [c.ljust(widths[i]) if i < len(row) - 1 else c for i, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def cell(value: str) -> str:
    """A table cell or a one-line field: control characters and line breaks made visible
    (a newline inside a cell would break the columns; it shows as the escape it is), and
    a backslash that would read as an escape written twice (`textsafe.one_line`); text
    that is `Shown` already is taken as it is."""
    return value if isinstance(value, Shown) else one_line(value)


# A column whose header and cells are all at most this wide keeps them whole (counts, states,
# ids' first column); wider ones (a behaviour, a redrive target) wrap in what is left.
SHORT_COLUMN = 16
# The least a wrapping column is given before the table gives up its columns for a listing:
# its longest word, so that no word is cut (`2026-01-05T08:15:1|0.050Z`,
# `invocation.succeed|ed`, `(PaymentDeclined|)`), but at least MIN_WRAPPING_WIDTH and at most
# MAX_WORD_WIDTH (a longer word, a JSON list of ids, is folded rather than turn every row
# into a block on a wide terminal).
MIN_WRAPPING_WIDTH = 16
MAX_WORD_WIDTH = 30


def _longest_word(rows: Sequence[Sequence[str]], column: int) -> int:
    """The width of the longest word in a column's cells, MIN_WRAPPING_WIDTH at least."""
    return max(
        [MIN_WRAPPING_WIDTH, *(len(w) for r in rows if column < len(r) for w in r[column].split())]
    )


class FittingTable:
    """A `show` listing that fits the width it is drawn at: a Rich table whose short columns
    stay whole and whose long ones wrap, or, where even that does not fit (60 columns and a
    behaviour column), one block per row with a `header: value` line per cell. Folding
    every column to fit cut headers and numbers mid-word (`visib|le`, `stand|ard`)."""

    def __init__(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.headers = [cell(h) for h in headers]
        self.rows = [[cell(c) for c in row] for row in rows]
        self.widths = [
            max([len(h), *(len(r[i]) for r in self.rows if i < len(r))])
            for i, h in enumerate(self.headers)
        ]
        # What each column needs when it wraps (MIN_WRAPPING_WIDTH), never more than it has.
        self.floors = [
            min(_longest_word(self.rows, i), MAX_WORD_WIDTH, width)
            for i, width in enumerate(self.widths)
        ]

    def _needed(self) -> int:
        """The narrowest width at which the table keeps its short columns whole."""
        gaps = 2 * (len(self.widths) - 1)  # a space of padding on each side of a gap
        return gaps + sum(
            w if i == 0 or w <= SHORT_COLUMN else self.floors[i] for i, w in enumerate(self.widths)
        )

    def table(self) -> RichTable:
        """The listing as a Rich table."""
        table = RichTable(
            box=box.SIMPLE_HEAD,
            header_style="bold",
            show_edge=False,
            pad_edge=False,
            collapse_padding=True,
        )
        for i, (h, w) in enumerate(zip(self.headers, self.widths, strict=True)):
            # The first column names the row (a queue, a message id): never split it.
            short = i == 0 or w <= SHORT_COLUMN
            table.add_column(
                Text(h), overflow="fold", no_wrap=short, min_width=w if short else self.floors[i]
            )
        for row in self.rows:
            table.add_row(*(Text(c) for c in row))
        return table

    def blocks(self) -> Group:
        """The listing as one block per row: its first cell, then its fields in column
        order, indented under it. Fields of short columns share a line, those of long ones
        have a line each; a column is short or long for every row alike, so each block has
        the same layout (deciding by each value's length put `kind` before `time` in one
        block of `show trace` and after it in the next)."""
        out: list[RenderableType] = []
        long = [w > SHORT_COLUMN for w in self.widths[1:]]
        for row in self.rows:
            if row and row[0]:
                # An empty first cell goes on the row above's (a resource's next metric).
                out.append(Text(row[0], "bold"))
            shared = Text()
            for h, value, is_long in zip(self.headers[1:], row[1:], long, strict=False):
                if not value:  # an empty cell says nothing in a block (no redrive)
                    continue
                if not is_long:
                    if shared:
                        shared.append("  ")
                    shared.append(f"{h} ", "dim")
                    shared.append(value)
                    continue
                if shared:
                    out.append(Padding(shared, (0, 0, 0, 2)))
                    shared = Text()
                out.append(Padding(Text.assemble((f"{h} ", "dim"), value), (0, 0, 0, 2)))
            if shared:
                out.append(Padding(shared, (0, 0, 0, 2)))
        return Group(*out)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.rows or self._needed() <= options.max_width:
            yield self.table()
        else:
            yield self.blocks()


def rich_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> FittingTable:
    """A `show` listing as a Rich renderable that fits the width it is drawn at (see
    FittingTable), where `render_table`'s fixed columns wrap row by row."""
    return FittingTable(headers, rows)


def rich_result(result: CommandResult) -> RenderableType:
    """The result's message and table as Rich renderables (text only, never markup)."""
    parts: list[RenderableType] = []
    if result.text:
        parts.append(Text(printable(result.text)))
    if result.table is not None:
        parts.append(rich_table(*result.table))
    return Group(*parts)


def make_console(**kwargs: object) -> Console:
    """A console that never interprets text: no markup, no highlighting, no emoji codes."""
    return Console(markup=False, highlight=False, emoji=False, **kwargs)  # type: ignore[arg-type]


def render_fitted(result: CommandResult, width: int) -> str:
    """The result as `render_plain` gives it, but its text folded (`CommandResult.fold`)
    and its table fitted to `width` columns as the REPL fits them (long columns wrap, or
    one block per row): `stptui run` in a terminal. Plain text still: no colour, no
    markup, control characters made visible."""
    if result.fold is not None:
        result = replace(result, text=result.fold(width), fold=None)
    if result.table is None:
        return render_plain(result)
    console = make_console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    with console.capture() as capture:
        console.print(rich_table(*result.table))
    # Rich pads each line to the width; a terminal needs no trailing spaces.
    table = "\n".join(line.rstrip() for line in capture.get().rstrip("\n").splitlines())
    return "\n".join([printable(result.text), table] if result.text else [table])


def render_plain(result: CommandResult, *, with_records: bool = False) -> str:
    """The result as plain text without colour; control characters are made visible.

    `with_records` appends one line per trace record the command caused."""
    parts: list[str] = []
    if result.text:
        parts.append(printable(result.text))
    if result.table is not None:
        headers, rows = result.table
        parts.append(render_table(headers, rows))
    if with_records and result.records:
        parts.append("\n".join(flat(record_line(r)) for r in result.records))
    return "\n".join(parts)
