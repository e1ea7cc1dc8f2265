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
from stptui.commands.registry import Located
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


# The line under an error is indented as its hint is; a line cut to fit the terminal shows
# at least this many cells of it.
CARET_INDENT = "    "
MIN_CARET_WIDTH = 20
TAB_SIZE = 8
_CUT = "…"

# The fields that say what went wrong (an invocation's, a batch job's, an execution's): a
# record's line shows them first, where a line cut at the terminal's width still has them.
ERROR_FIELDS = ("error", "error_message", "cause")
# A record's second line starts under its kind, past `  01-05 08:00:30.000 `.
RECORD_HANG = 21


def caret_lines(located: Located, width: int) -> tuple[str, str]:
    """The physical line that holds the fault `located` names, as the terminal shows it,
    and the line under it: `^` under the fault, `~` under the rest of the word on that
    line (`  ^~~~~`). Each character is shown as `printable` shows it (an ESC as `\\x1b`,
    so the caret is as wide as what it underlines), a wide character takes two cells and
    a tab the spaces to the next multiple of TAB_SIZE. A line wider than `width` is cut
    around the fault, with `…` where it was cut."""
    text, point = located.line, located.point
    first = text.rfind("\n", 0, point) + 1
    last = text.find("\n", point)
    last = len(text) if last < 0 else last
    # A character takes at least a cell (but for rare zero-width ones): farther than this
    # from the fault none is shown, so a megabyte-long line is not read whole.
    reach = 2 * width
    begin, end = max(first, point - reach), min(last, point + reach)
    cells: list[tuple[str, str]] = []  # (what one character shows as, what goes under it)
    column = 0
    for i in range(begin, end):
        char = text[i]
        shown = " " * (TAB_SIZE - column % TAB_SIZE) if char == "\t" else printable(char)
        wide = cell_len(shown)
        mark = "~" if located.start <= i < located.end else " "
        under = ("^" if i == point else mark) + mark * (wide - 1) if wide else ""
        if i == point and not wide:
            under = "^"  # a zero-width character at fault still gets its caret
        cells.append((shown, under))
        column += wide
    if point >= end:
        cells.append(("", "^"))  # the fault is the end: the caret goes after it
    return _window(cells, point - begin, width, begin > first, end < last)


def _window(
    cells: list[tuple[str, str]], at: int, width: int, cut_before: bool, cut_after: bool
) -> tuple[str, str]:
    """The two lines of `cells`, cut to `width` cells around cell `at` when wider (or
    when the line was cut already: `cut_before`, `cut_after`), `…` where they are cut."""
    sizes = [max(cell_len(a), cell_len(b)) for a, b in cells]
    begin, end = 0, len(cells)
    if sum(sizes) > width:
        # The fault a third of the way in: the word after it matters more than before.
        room = width - 2 * cell_len(_CUT)
        begin, used = at, sizes[at]
        while begin > 0 and used + sizes[begin - 1] <= room // 3:
            begin -= 1
            used += sizes[begin]
        end = at + 1
        while end < len(cells) and used + sizes[end] <= room:
            used += sizes[end]
            end += 1
    shown = "".join(a for a, _ in cells[begin:end])
    under = "".join(b.ljust(cell_len(a)) for a, b in cells[begin:end]).rstrip()
    if begin > 0 or cut_before:
        shown, under = _CUT + shown, " " * cell_len(_CUT) + under
    if end < len(cells) or cut_after:
        shown += _CUT
    return shown, under


def kind_style(kind: str) -> str:
    """The colour of a trace record kind: red for trouble, green for a success, else by
    family (messages cyan, invocations blue, behaviour changes yellow, others magenta)."""
    if kind.endswith(_BAD):
        return "red"
    if kind.endswith(_GOOD):
        return "green"
    return _FAMILY.get(kind.partition(".")[0], "magenta")


def _short_details(rec: Record) -> str:
    """A record's fields as its REPL line shows them: its error fields first, ids cut to
    their first 8 characters."""
    return flat(_UUID.sub(lambda m: m.group(1), record_details(rec, ERROR_FIELDS)))


class Printer:
    """Renders results and errors on a Rich console."""

    def __init__(self, console: Console, max_records: int = 24) -> None:
        self.console = console
        # A long `advance` can cause a million records: show the first and last ones.
        self.max_records = max_records

    def result(self, result: CommandResult, *, records: bool = True) -> None:
        """A command's message (folded to the console's width when it can be), its table
        and (unless `records` is False) its records."""
        if result.text:
            text = result.text if result.fold is None else result.fold(self.console.width)
            self.lines(printable(text))
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
                # One line per record, cut at the terminal's width (`show trace` wraps it);
                # a failure's goes on to a second line, so its error message is seen.
                for line in self.record_lines(rec):
                    self.console.print(line, no_wrap=True, overflow="ellipsis")

    def record(self, rec: Record) -> Text:
        """`01-05 08:00:30.000 message.received jobQueue message_id=...` on one line; a
        failure's error fields (`error=... error_message=...`) first among its fields."""
        stamp = iso_ms(rec.t)
        line = Text()
        line.append(f"  {stamp[5:10]} {stamp[11:23]} ", style="dim")
        line.append(rec.kind, style=kind_style(rec.kind))
        line.append(" ")
        line.append(cell(rec.resource), style="bold")
        details = _short_details(rec)
        if details:
            line.append(" " + details)
        return line

    def record_lines(self, rec: Record) -> list[Text]:
        """A record as the REPL prints it: `record`'s line, cut at the console's width by
        the caller; a record with an error whose line is too wide goes on once, under its
        kind, broken at a space where one is, so the error and its message are seen
        whole at 80 columns when they are short, and their start when they are long."""
        line = self.record(rec)
        width = self.console.width
        if not any(rec.data.get(k) is not None for k in ERROR_FIELDS):
            return [line]
        plain = line.plain
        # The most characters that fit in `width` cells (a wide character takes two).
        used, fit = 0, 0
        for char in plain:
            used += cell_len(char)
            if used > width:
                break
            fit += 1
        else:
            return [line]
        hang = RECORD_HANG if width - RECORD_HANG >= MIN_HANGING_WIDTH else len(CARET_INDENT)
        # A break in the fields, not in the kind or the resource a line starts with: after
        # the error fields when they fit, else before the first that does not when it fits
        # whole on the second line, so a short message is not split; else where it fills
        # the first line.
        start = RECORD_HANG + len(rec.kind) + 1 + len(cell(rec.resource))
        space, end = -1, start
        for name in ERROR_FIELDS:
            if rec.data.get(name) is None:
                continue
            text = _short_details(Record(rec.seq, rec.t, rec.kind, "", {name: rec.data[name]}))
            size = len(text)
            if end + 1 + size > fit:
                if end > start and hang + cell_len(text) <= width:
                    space = end
                break
            end += 1 + size
        else:
            space = plain.rfind(" ", end, fit + 1)
        if space < 0:
            space = plain.rfind(" ", start, fit + 1)
        if space < 0:
            # Too narrow for even the kind and resource: after the kind, if it fits.
            space = plain.rfind(" ", RECORD_HANG, fit + 1)
        head, tail = (line[:space], line[space + 1 :]) if space > 0 else (line[:fit], line[fit:])
        rest = Text(" " * hang)
        rest.append_text(tail)
        return [head, rest]

    def echo(self, line: str) -> None:
        """A command run by `source`, as `stptui run` echoes it."""
        self.console.print(Text(f"> {printable(line)}", style="dim"))

    def error(self, exc: CommandError) -> None:
        """A command that could not run (red), with its hint; an error about one word shows
        the line with a caret under that word, as a compiler does."""
        label = "expectation failed" if isinstance(exc, ExpectationFailed) else "error"
        self.lines(f"{label}: {printable(exc.message)}", style="bold red")
        if exc.located is not None:
            width = self.console.width - len(CARET_INDENT)
            shown, caret = caret_lines(exc.located, max(width, MIN_CARET_WIDTH))
            self.console.print(Text(CARET_INDENT + shown), no_wrap=True, overflow="crop")
            self.console.print(
                Text(CARET_INDENT + caret, "bold red"), no_wrap=True, overflow="crop"
            )
        if exc.hint:
            self.lines(f"    hint: {printable(exc.hint)}", style="yellow")

    def note(self, text: str, style: str = "dim") -> None:
        """A line of the REPL's own (banner, warnings, goodbyes)."""
        self.console.print(Text(printable(text), style=style))
