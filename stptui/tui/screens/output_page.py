"""A long output, shown in part where it comes and whole on a page of its own.

The command line's output and the HTTP dialog's response are Statics: a Static lays out
all of its text, and again at each resize (a second for a 1 MB message body from `show
message` or an echoed request). They show the start of a long output, `shortened`, with a
note of what is left out; ctrl+o opens the whole of it on an `OutputPage`, a TextView that
lays its lines out once per width and draws only those on screen.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical

from stptui.commands import CommandResult
from stptui.textsafe import flat
from stptui.tui.screens.modal import QuickModal
from stptui.tui.widgets.line_views import TextView

# How much of an output is laid out where it comes (100 ms or so at most).
OUTPUT_CHARS = 20_000
OUTPUT_LINES = 400
OUTPUT_ROWS = 400
WHOLE_OUTPUT_KEY = "ctrl+o"


def shortened(result: CommandResult) -> tuple[CommandResult, str]:
    """`result` cut to what is laid out where it comes (OUTPUT_CHARS characters and
    OUTPUT_LINES lines of text, OUTPUT_ROWS rows of a table), and a note of what was left
    out ("" when nothing was)."""
    left_out = []
    text = result.text
    if len(text) > OUTPUT_CHARS:
        text = text[:OUTPUT_CHARS]
    lines = text.split("\n")
    if len(lines) > OUTPUT_LINES:
        text = "\n".join(lines[:OUTPUT_LINES])
    if len(text) < len(result.text):
        more = f"{len(result.text) - len(text):,} more characters"
        lines_more = result.text.count("\n") - text.count("\n")
        if lines_more:
            more += f" ({lines_more:,} more line{'s' * (lines_more != 1)})"
        left_out.append(more)
    table = result.table
    if table is not None and len(table[1]) > OUTPUT_ROWS:
        headers, rows = table
        left_out.append(f"{len(rows) - OUTPUT_ROWS:,} more rows")
        table = (headers, rows[:OUTPUT_ROWS])
    if not left_out:
        return result, ""
    note = f"… {' and '.join(left_out)} not shown: {WHOLE_OUTPUT_KEY} shows the whole output"
    return replace(result, text=text, table=table), note


def with_note(body: RenderableType, note: str) -> RenderableType:
    """`body`, then the note of what was left out of it (when anything was)."""
    return Group(body, Text(note, "bold")) if note else body


def whole_output_binding(tooltip: str) -> Binding:
    """The key that opens the whole output on its page (remappable by its id)."""
    return Binding(
        WHOLE_OUTPUT_KEY, "whole_output", "Whole output", id="whole-output", tooltip=tooltip
    )


class OutputPage(QuickModal[None]):
    """A whole output, however long, as plain text; escape or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", tooltip="Close the page")
    ]
    DEFAULT_CSS = """
    OutputPage { align: center middle; }
    OutputPage > Vertical {
        width: 95%; height: 90%; border: thick $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, title: str, text: Text) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            # A str border title is parsed as markup; Text is shown as it is.
            box.border_title = Text(flat(self.title_text))
            box.border_subtitle = "arrows and page keys scroll, escape closes"
            yield TextView(id="output-page")

    def on_mount(self) -> None:
        # The text goes in once the page is laid out: a TextView wraps at each width it
        # is given, and the page goes through a few while it opens (a quarter of a second
        # each for a 1 MB body).
        self.call_after_refresh(self.query_one(TextView).update, self.text)
