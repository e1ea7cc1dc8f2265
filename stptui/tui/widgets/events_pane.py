"""The Events pane: the live trace, newest last, filterable, with the selected record's JSON.

`RecordList` is a Line-API scroll view (the toolong design) straight over the trace's own
ring of records: it keeps no copy, so new records cost it nothing but a new height, and a
repaint turns only the rows on screen into text (cached, so moving the cursor redraws two
rows). A filter keeps the matching records in a list, extended by each frame's batch.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import Input, Static

from stptui.sim.clock import iso_ms
from stptui.sim.trace import Record
from stptui.tui.render import pretty_json, record_text, safe
from stptui.tui.widgets.fields import SafeInput
from stptui.tui.widgets.line_views import LineView, TextView

# Rendered rows kept: a few screens' worth, so scrolling back and forth renders nothing.
STRIP_CACHE_ROWS = 1024


def matches(rec: Record, words: list[str]) -> bool:
    """Whether a record passes a filter: every word must match.

    `kind:X` and `resource:X` match that field by prefix / exactly; a bare word matches the
    kind, the resource or any string field of the record. Case is ignored throughout."""
    for word in words:
        low = word.lower()
        if low.startswith("kind:"):
            if not rec.kind.startswith(low[5:]):
                return False
        elif low.startswith("resource:"):
            if rec.resource.lower() != low[9:]:
                return False
        else:
            if low in rec.kind or low in rec.resource.lower():
                continue
            if not any(isinstance(v, str) and low in v.lower() for v in rec.data.values()):
                return False
    return True


class RecordList(LineView, can_focus=True):
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

    def __init__(
        self, on_highlight: Callable[[Record | None], None] | None = None, **kwargs: object
    ) -> None:
        """`on_highlight` is called with the record the cursor lands on (None: no rows),
        at once rather than by a message: a message is handled after the screen has
        painted the moved cursor, and what it changes waits for Textual's next frame (17
        to 33 ms later) to be painted a second time."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._on_highlight = on_highlight
        # Every record, oldest first: the trace's ring (which drops its oldest when full).
        self.records: Sequence[Record] = ()
        # The rows: `records` itself, or (filtered) `_matches`.
        self.view: Sequence[Record] = self.records
        self._matches: list[Record] = []
        self.words: list[str] = []
        self.cursor: int | None = None  # index into view; None follows the newest
        # The sequence number of records[0] when last seen, to tell how many the ring dropped.
        self._first_seq = 0
        # The clock's day (`2026-01-05`, see `set_day`). Times alone read as if rows of
        # another day were today's (after `advance 30d`): with the oldest row on another
        # day, every row has its date, as the Agenda's entries do.
        self.today = ""
        self.dated = False
        self._strips: LRUCache[tuple[int, int, int, bool], Strip] = LRUCache(STRIP_CACHE_ROWS)

    @property
    def selected(self) -> Record | None:
        """The record under the cursor (the newest when following)."""
        if not self.view:
            return None
        return self.view[-1 if self.cursor is None else self.cursor]

    def show(self, records: Sequence[Record]) -> None:
        """List `records` (a simulation's trace ring), keeping the filter, following the
        newest."""
        self.records = records
        self._strips.clear()
        self._refilter()

    def set_day(self, today: str) -> None:
        """The day the clock is on (`2026-01-05`): rows on another day show their date."""
        self.today = today
        self._date_rows()

    def _date_rows(self) -> None:
        view = self.view
        # The oldest row is the first: any row on another day than the clock's makes it so.
        dated = bool(view) and iso_ms(view[0].t).partition("T")[0] != self.today
        if dated != self.dated:
            self.dated = dated
            self.refresh()

    def note(self, batch: Iterable[Record]) -> None:
        """The trace grew by `batch` (already in `records`): keep the records the filter
        matches. Nothing is drawn until `catch_up`."""
        if self.words:
            self._matches.extend(r for r in batch if matches(r, self.words))

    def catch_up(self) -> None:
        """Show what was noted since the last call: new rows, and the ring's dropped ones
        gone."""
        records = self.records
        first = records[0].seq if records else 0
        dropped, self._first_seq = first - self._first_seq, first
        if self.words:
            found = self._matches
            # Matches the ring no longer holds go too (it dropped its oldest records).
            shift = bisect_left(found, first, key=lambda r: r.seq) if dropped > 0 else 0
            del found[:shift]
        else:
            shift = dropped
        self._date_rows()
        if not shift and len(self.view) == self.virtual_size.height:
            return
        if self.cursor is not None and shift > 0:
            # Keep the cursor, and the rows on screen, on the same records.
            self.cursor = max(0, self.cursor - shift)
            self.scroll_to(y=max(0, self.scroll_offset.y - shift), animate=False, immediate=True)
        self._resized()
        if self.cursor is None:
            self.scroll_end(animate=False, immediate=True)
            self._highlighted()

    def _highlighted(self) -> None:
        if self._on_highlight is not None:
            self._on_highlight(self.selected)

    def set_filter(self, text: str) -> None:
        """Show only the records matching `text` (see `matches`)."""
        self.words = text.split()
        self._refilter()

    def _refilter(self) -> None:
        words = self.words
        records = self.records
        self._first_seq = records[0].seq if records else 0
        self._matches = [r for r in records if matches(r, words)] if words else []
        self.view = self._matches if words else records
        self.cursor = None
        self._date_rows()
        self._resized()
        self.scroll_end(animate=False, immediate=True)
        self._highlighted()

    def on_resize(self) -> None:
        """A list that follows the trace (no cursor) keeps its newest rows in view."""
        if self.cursor is None:
            self.scroll_end(animate=False, immediate=True)

    def _resized(self) -> None:
        # Rows are cut to the view's width: nothing to scroll sideways.
        self.set_virtual_size(Size(0, len(self.view)))
        self.refresh()

    def forget_lines(self) -> None:
        """Drop the rendered rows (drawn in styles that changed)."""
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        """Draw row `y` of the viewport (the only rows ever rendered)."""
        index = self.scroll_offset.y + y
        # Left of the scrollbar: a row drawn under it would lose its end and its `…`.
        width = self.size.width - self.scrollbar_size_vertical
        view = self.view
        (base,) = self.line_styles()
        if index >= len(view):
            return Strip.blank(width, base)
        rec = view[index]
        cursor = len(view) - 1 if self.cursor is None else self.cursor
        state = 0 if index != cursor else 1 if self.has_focus else 2
        key = (rec.seq, width, state, self.dated)
        strip = self._strips.get(key)
        if strip is None:
            text = record_text(rec, width, dated=self.dated)
            if state:
                text.stylize("reverse" if state == 1 else "underline")
            strip = Strip(list(text.render(self.app.console, end="")))
            # The view's background under every cell: the text's own styles set none.
            strip = strip.adjust_cell_length(width, base).apply_style(base)
            self._strips[key] = strip
        return strip

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
        top = self.scroll_offset.y
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + self.size.height:
            self.scroll_to(y=index - self.size.height + 1, animate=False, immediate=True)
        self.refresh()
        self._highlighted()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


class EventsPane(Vertical):
    """The filter line (shown by `/`), the record list and the selected record's JSON."""

    DEFAULT_CSS = """
    EventsPane #event-filter { display: none; height: 3; }
    EventsPane.-filtering #event-filter { display: block; }
    /* A long filter ends in `…`, rather than being cut off where its second line began. */
    EventsPane #event-status {
        height: 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis;
    }
    EventsPane #event-detail { height: 40%; max-height: 12; border-top: solid $panel-lighten-2; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        # The sequence number of the record whose JSON is shown (-1: none).
        self._detail_seq = -1
        self._status_text = ""

    def compose(self) -> ComposeResult:
        line = SafeInput(
            placeholder="filter: words, kind:message.  resource:jobQueue", id="event-filter"
        )
        # The footer's keys are letters the line takes as typing: it shows none while the
        # line has the focus, so the line says itself how it applies and closes.
        line.border_subtitle = "enter filters, escape closes"
        yield line
        yield Static("", id="event-status", markup=False)
        yield RecordList(self._show_detail, id="event-list")
        yield TextView(id="event-detail")

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
        """Escape closes the filter line without changing the filter (the line shows the
        filter in force again, not what was typed and dropped)."""
        if self.has_class("-filtering"):
            self.query_one("#event-filter", Input).value = " ".join(self.records.words)
            self.remove_class("-filtering")
            self.records.focus()

    def show(self, records: Sequence[Record], now_ms: int) -> None:
        """Start over on a simulation's trace ring (at start and after `load`), its clock
        at `now_ms`."""
        self._detail_seq = -1
        self.records.today = iso_ms(now_ms).partition("T")[0]
        self.records.show(records)
        self._status()

    def note(self, batch: list[Record]) -> None:
        """A frame's batch of new records (already in the ring the list shows); they are
        drawn by the next `catch_up`."""
        self.records.note(batch)

    def catch_up(self, now_ms: int) -> None:
        """Draw the records noted since the last call, the clock now at `now_ms`."""
        self.records.set_day(iso_ms(now_ms).partition("T")[0])
        self.records.catch_up()
        self._status()

    def _status(self) -> None:
        lst = self.records
        text = f"{len(lst.view):,} of {len(lst.records):,} records"
        if lst.words:
            text += f"  filter: {safe(' '.join(lst.words))}"
        if text != self._status_text:
            self._status_text = text
            # One line of fixed height: no layout pass needed.
            self.query_one("#event-status", Static).update(Text(text), layout=False)

    def _show_detail(self, rec: Record | None) -> None:
        seq = -1 if rec is None else rec.seq
        if seq == self._detail_seq:
            return
        self._detail_seq = seq
        detail = self.query_one("#event-detail", TextView)
        detail.update(Text() if rec is None else pretty_json(rec.to_json()))
