"""The Events pane: the live trace, newest last, filterable, with the selected record's JSON.

`RecordList` is a Line-API scroll view over a plain list of records (the toolong design):
it draws only the rows on screen, so 100,000 records cost one list append each and a
handful of rendered lines per repaint, never a re-render of the whole list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from stptui.sim.trace import Record
from stptui.tui.render import pretty_json, record_text, safe

# Older records are dropped in chunks past this many (the trace ring itself keeps 200,000).
MAX_RECORDS = 200_000
_TRIM = 20_000


def matches(rec: Record, words: list[str]) -> bool:
    """Whether a record passes a filter: every word must match.

    `kind:X` and `resource:X` match that field by prefix / exactly; a bare word matches the
    kind, the resource or any string field of the record (case-insensitive)."""
    for word in words:
        if word.startswith("kind:"):
            if not rec.kind.startswith(word[5:]):
                return False
        elif word.startswith("resource:"):
            if rec.resource != word[9:]:
                return False
        else:
            low = word.lower()
            if low in rec.kind or low in rec.resource.lower():
                continue
            if not any(isinstance(v, str) and low in v.lower() for v in rec.data.values()):
                return False
    return True


class RecordList(ScrollView, can_focus=True):
    """A virtualised list of trace records with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]
    DEFAULT_CSS = """
    RecordList { height: 1fr; }
    """

    class Highlighted(Message):
        """The cursor moved onto a record."""

        def __init__(self, record: Record | None) -> None:
            super().__init__()
            self.record = record

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.records: list[Record] = []
        self.view: list[Record] = []
        self.words: list[str] = []
        self.cursor: int | None = None  # index into view; None follows the newest

    @property
    def selected(self) -> Record | None:
        """The record under the cursor (the newest when following)."""
        if not self.view:
            return None
        return self.view[-1 if self.cursor is None else self.cursor]

    def add(self, batch: Iterable[Record]) -> None:
        """Append a frame's batch of records (one layout update for the whole batch)."""
        new = list(batch)
        if not new:
            return
        self.records.extend(new)
        if len(self.records) > MAX_RECORDS:
            del self.records[:_TRIM]
            self._refilter()
        else:
            words = self.words
            self.view.extend([r for r in new if matches(r, words)] if words else new)
        self._resized()
        if self.cursor is None:
            self.scroll_end(animate=False, immediate=True)
            self.post_message(self.Highlighted(self.selected))

    def clear(self) -> None:
        """Forget every record (a new simulation was loaded)."""
        self.records.clear()
        self.view.clear()
        self.cursor = None
        self._resized()

    def set_filter(self, text: str) -> None:
        """Show only the records matching `text` (see `matches`)."""
        self.words = text.split()
        self._refilter()

    def _refilter(self) -> None:
        words = self.words
        self.view = [r for r in self.records if matches(r, words)] if words else list(self.records)
        self.cursor = None
        self._resized()
        self.scroll_end(animate=False, immediate=True)
        self.post_message(self.Highlighted(self.selected))

    def _resized(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.view))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """Draw row `y` of the viewport (the only rows ever rendered)."""
        index = round(self.scroll_offset.y) + y
        width = self.size.width
        if index >= len(self.view):
            return Strip.blank(width, self.rich_style)
        rec = self.view[index]
        text = record_text(rec, width)
        cursor = len(self.view) - 1 if self.cursor is None else self.cursor
        if index == cursor and self.has_focus:
            text.stylize("reverse")
        elif index == cursor:
            text.stylize("underline")
        strip = Strip(list(text.render(self.app.console, end="")))
        return strip.adjust_cell_length(width, self.rich_style)

    def action_cursor(self, delta: int) -> None:
        """Move the cursor by `delta` rows (onto the newest row it follows again)."""
        if not self.view:
            return
        current = len(self.view) - 1 if self.cursor is None else self.cursor
        self._place(current + delta)

    def action_page(self, direction: int) -> None:
        """Move the cursor by a page."""
        self.action_cursor(direction * max(1, self.size.height - 1))

    def action_jump(self, where: int) -> None:
        """To the first row (0) or the newest (-1, which follows new records)."""
        if self.view:
            self._place(0 if where == 0 else len(self.view) - 1)

    def _place(self, index: int) -> None:
        last = len(self.view) - 1
        index = max(0, min(index, last))
        self.cursor = None if index == last else index
        top = round(self.scroll_offset.y)
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + self.size.height:
            self.scroll_to(y=index - self.size.height + 1, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(self.selected))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


class EventsPane(Vertical):
    """The filter line (shown by `/`), the record list and the selected record's JSON."""

    DEFAULT_CSS = """
    EventsPane #event-filter { display: none; height: 3; }
    EventsPane.-filtering #event-filter { display: block; }
    EventsPane #event-status { height: 1; color: $text-muted; }
    EventsPane #event-detail-scroll { height: 9; border-top: solid $panel-lighten-2; }
    """

    class Filtered(Message):
        """The filter changed (for the app to note in the title)."""

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="filter: words, kind:message.  resource:jobQueue", id="event-filter"
        )
        yield Static("", id="event-status", markup=False)
        yield RecordList(id="event-list")
        with VerticalScroll(id="event-detail-scroll"):
            yield Static("", id="event-detail", markup=False)

    @property
    def records(self) -> RecordList:
        """The record list."""
        return self.query_one(RecordList)

    def open_filter(self) -> None:
        """Show and focus the filter line."""
        self.add_class("-filtering")
        self.query_one("#event-filter", Input).focus()

    @on(Input.Submitted, "#event-filter")
    def _apply_filter(self, event: Input.Submitted) -> None:
        self.records.set_filter(event.value)
        self.remove_class("-filtering")
        self.records.focus()
        self._status()

    def key_escape(self) -> None:
        """Escape closes the filter line without changing the filter."""
        if self.has_class("-filtering"):
            self.remove_class("-filtering")
            self.records.focus()

    def add(self, batch: list[Record]) -> None:
        """A frame's batch of new records."""
        self.records.add(batch)
        self._status()

    def _status(self) -> None:
        lst = self.records
        text = f"{len(lst.view):,} of {len(lst.records):,} records"
        if lst.words:
            text += f"  filter: {safe(' '.join(lst.words))}"
        self.query_one("#event-status", Static).update(Text(text))

    @on(RecordList.Highlighted)
    def _show_detail(self, event: RecordList.Highlighted) -> None:
        detail = self.query_one("#event-detail", Static)
        rec = event.record
        detail.update(Text("") if rec is None else pretty_json(rec.to_json()))
