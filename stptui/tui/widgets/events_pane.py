"""The Events pane: the live trace, newest last, filterable, with the selected record's JSON.

`RecordList` is a Line-API scroll view (the toolong design) straight over the trace's own
ring of records: it keeps no copy, so new records cost it nothing but a new height, and a
repaint turns only the rows on screen into text (cached, so moving the cursor redraws two
rows). A filter keeps the matching records in a list, extended by each frame's batch; the
records the ring held when it was set are searched newest first, a step of SEARCH_STEP_S
at a time (the loop answers keys and repaints in between), the matches shown as they come.
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, ClassVar, overload

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
from stptui.sim.trace import Record, RecordRing
from stptui.tui.render import SHORT_KINDS, pretty_json, record_text, safe
from stptui.tui.widgets.fields import SafeInput
from stptui.tui.widgets.line_views import LineView, TextView

# Rendered rows kept: a few screens' worth, so scrolling back and forth renders nothing.
STRIP_CACHE_ROWS = 1024
# A filter's search of the records already in the ring: steps of about SEARCH_STEP_S (the
# first one as the filter is set, so that a short trace is filtered at once), in chunks of
# SEARCH_CHUNK records, SEARCH_GAP_S apart. A million records took 3.7 s in one go.
SEARCH_STEP_S = 0.015
SEARCH_CHUNK = 2048
SEARCH_GAP_S = 0.005


def matches(rec: Record, words: list[str]) -> bool:
    """Whether a record passes a filter: every word must match.

    `kind:X` and `resource:X` match that field by prefix / exactly; a bare word matches the
    kind, the resource or any string field of the record. A kind matches by the shorter
    words a narrow pane shows it in too (`render.SHORT_KINDS`). Case is ignored throughout."""
    short = SHORT_KINDS.get(rec.kind, rec.kind)
    for word in words:
        low = word.lower()
        if low.startswith("kind:"):
            if not (rec.kind.startswith(low[5:]) or short.startswith(low[5:])):
                return False
        elif low.startswith("resource:"):
            if rec.resource.lower() != low[9:]:
                return False
        else:
            if low in rec.kind or low in short or low in rec.resource.lower():
                continue
            if not any(isinstance(v, str) and low in v.lower() for v in rec.data.values()):
                return False
    return True


def _raw_test(words: list[str]) -> Callable[[int, tuple[Any, ...]], Record | None]:
    """`matches` on a record as the ring keeps it (numbered `seq`): the record, made only
    when its kind and resource pass, or None."""
    kinds: list[str] = []
    resources: list[str] = []
    bare: list[str] = []
    for word in words:
        low = word.lower()
        if low.startswith("kind:"):
            kinds.append(low[5:])
        elif low.startswith("resource:"):
            resources.append(low[9:])
        else:
            bare.append(low)

    def test(seq: int, raw: tuple[Any, ...]) -> Record | None:
        kind = raw[1]
        short = SHORT_KINDS.get(kind, kind)
        for prefix in kinds:
            if not (kind.startswith(prefix) or short.startswith(prefix)):
                return None
        resource = raw[2].lower()
        for name in resources:
            if resource != name:
                return None
        rec = Record(seq, *raw)
        for low in bare:
            if low in kind or low in short or low in resource:
                continue
            if not any(isinstance(v, str) and low in v.lower() for v in rec.data.values()):
                return None
        return rec

    return test


class _Found(Sequence[Record]):
    """A filter's matches, oldest first: those its search found going back from the newest
    record when it was set (kept as found, newest first), then those noted since."""

    def __init__(self) -> None:
        self.older: list[Record] = []
        self.newer: list[Record] = []

    def __len__(self) -> int:
        return len(self.older) + len(self.newer)

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...
    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        older = self.older
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("match index out of range")
        if index < len(older):
            return older[len(older) - 1 - index]
        return self.newer[index - len(older)]

    def __iter__(self) -> Iterator[Record]:
        yield from reversed(self.older)
        yield from self.newer

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which do not hash

    def drop_before(self, first: int) -> int:
        """Forget the matches numbered below `first` (the ring dropped them); returns how
        many went."""
        older = self.older
        # Newest first: the ones to go are at its end.
        keep = bisect_right(older, -first, key=lambda r: -r.seq)
        gone = len(older) - keep
        del older[keep:]
        if not older:
            shift = bisect_left(self.newer, first, key=lambda r: r.seq)
            del self.newer[:shift]
            gone += shift
        return gone


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
        # The rows: `records` itself, or (filtered) `_found`.
        self.view: Sequence[Record] = self.records
        self._found = _Found()
        self.words: list[str] = []
        # The filter's search: the newest record when it was set (those after it are
        # noted), and the next one it looks at, going back (0: none left).
        self._search_top = 0
        self._search_from = 0
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
            top, words = self._search_top, self.words
            self._found.newer.extend(r for r in batch if r.seq > top and matches(r, words))

    def catch_up(self) -> None:
        """Show what was noted since the last call: new rows, and the ring's dropped ones
        gone."""
        records = self.records
        first = records[0].seq if records else 0
        dropped, self._first_seq = first - self._first_seq, first
        if not self.words:
            shift = dropped
        elif dropped > 0:
            # Matches the ring no longer holds go too (it dropped its oldest records).
            shift = self._found.drop_before(first)
        else:
            shift = 0
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
        self._found = _Found()
        self._search_top = self._search_from = self._first_seq + len(records) - 1
        if not words:
            self._search_from = 0
        elif not isinstance(records, RecordRing):
            # Not a trace's ring (none yet): few records, filtered at once.
            self._found.older = [r for r in reversed(records) if matches(r, words)]
            self._search_from = 0
        self.view = self._found if words else records
        self.cursor = None
        self.search_more(SEARCH_STEP_S)
        self._date_rows()
        self._resized()
        self.scroll_end(animate=False, immediate=True)
        self._highlighted()

    @property
    def searching(self) -> bool:
        """Whether the filter's search has records left to look at."""
        return self._search_from > 0

    @property
    def searched(self) -> float:
        """How much of its records the filter's search has looked at, 0 to 1."""
        span = self._search_top - self._first_seq + 1
        if not self.searching or span <= 0:
            return 1.0
        return min(1.0, (self._search_top - self._search_from) / span)

    def search_more(self, budget_s: float) -> bool:
        """Look further back for the filter's matches, for about `budget_s` (a chunk at
        least), and show what it found above the rows shown, the cursor on its record;
        returns whether records are left to look at."""
        ring = self.records
        hi = self._search_from
        if hi <= 0 or not isinstance(ring, RecordRing):
            return False
        raw = ring.raw
        first = ring.first_seq
        test = _raw_test(self.words)
        deadline = time.perf_counter() + budget_s
        found: list[Record] = []
        while hi >= first:
            lo = max(first, hi - SEARCH_CHUNK + 1)
            # Positions lo..hi of the deque, newest first, walked from its nearer end.
            start, stop = lo - first, hi - first + 1
            if start <= len(raw) - stop:
                chunk = list(islice(raw, start, stop))
                chunk.reverse()
            else:
                chunk = list(islice(reversed(raw), len(raw) - stop, len(raw) - start))
            for seq, r in zip(range(hi, lo - 1, -1), chunk, strict=True):
                rec = test(seq, r)
                if rec is not None:
                    found.append(rec)
            hi = lo - 1
            if time.perf_counter() >= deadline:
                break
        self._search_from = hi if hi >= first else 0
        if found:
            self._found.older.extend(found)
            if self.view is self._found:
                self._resized()
                if self.cursor is not None:
                    # The rows found go above the rest: the cursor and the rows on screen
                    # stay on their records.
                    self.cursor += len(found)
                    self.scroll_to(
                        y=self.scroll_offset.y + len(found), animate=False, immediate=True
                    )
                else:
                    self.scroll_end(animate=False, immediate=True)
                self._date_rows()
        return self.searching

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
        # Whether a step of the filter's search is due (see `_search_more`).
        self._search_queued = False

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
        self._search_soon()

    def _search_soon(self) -> None:
        if self.records.searching and not self._search_queued:
            self._search_queued = True
            self.set_timer(SEARCH_GAP_S, self._search_more)

    def _search_more(self) -> None:
        """One step of the filter's search, between frames (see SEARCH_STEP_S)."""
        self._search_queued = False
        self.records.search_more(SEARCH_STEP_S)
        self._status()
        self._search_soon()

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
        self._search_soon()

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
        if lst.searching:
            text += f" (searching: {lst.searched:.0%} looked at)"
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
