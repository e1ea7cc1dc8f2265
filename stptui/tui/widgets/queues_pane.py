"""The Queues pane: every queue's counts, and the selected queue's messages (capped).

The counts are a DataTable of one row per queue whose cells are updated only when they
change. The messages are a `MessageList`: a Line-API view that draws only the rows on
screen, so showing another queue (or the same one after a frame) costs a listing of its
first messages and a handful of rendered lines, never a DataTable's measuring of every
cell.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import DataTable, Static

from stptui.sim.behavior import format_duration
from stptui.sim.clock import iso_ms
from stptui.tui.render import cut_middle, preview, safe
from stptui.tui.widgets.line_views import LineView

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator
    from stptui.sim.services.queue import Message

# Only the first messages are listed (a listing is built each time the queue changes):
# the caption says how many messages there are in all.
MAX_MESSAGE_ROWS = 100
QUEUE_COLUMNS = ("queue", "visible", "in flight", "delayed", "DLQ depth", "oldest")
# The counts table's columns (by index in QUEUE_COLUMNS, with their heads), widest first:
# the first that fits the table's width is shown. The oldest message's age goes first, then
# the delayed count (both are in the inspector, as every count is), then the heads are
# shortened; a queue's own messages and their states are listed under the table.
QUEUE_LAYOUTS: tuple[tuple[tuple[int, str], ...], ...] = (
    tuple(enumerate(QUEUE_COLUMNS)),
    ((0, "queue"), (1, "visible"), (2, "in flight"), (3, "delayed"), (4, "DLQ depth")),
    ((0, "queue"), (1, "visible"), (2, "in flight"), (4, "DLQ depth")),
    ((0, "queue"), (1, "visible"), (2, "in flight"), (4, "DLQ")),
    ((0, "queue"), (1, "visible"), (2, "flight"), (4, "DLQ")),
    ((0, "queue"), (1, "vis"), (2, "flight"), (4, "DLQ")),
)
# Where even the narrowest layout does not fit (a long queue name beside its counts), the
# names are cut in the middle to the room left, down to NAME_MIN cells: counts that scroll
# out of sight cannot be read at all, and the selected queue's whole name is in the caption
# and the Inspector. Narrower still, the table scrolls sideways.
NAME_MIN = 8
MESSAGE_COLUMNS = ("message", "recv", "state", "visible at", "body")
# A body's start, as much as a full-width pane shows (the list cuts it to its pane).
BODY_PREVIEW = 200
# The message list leaves out its "visible at" column when the body would have fewer cells
# than MessageList.LAST_MIN beside it (the wide layout's bottom row at 120 columns).
DROPPED_FIRST = (3,)
# The oldest message's age scans every message; past this depth it is rescanned only every
# AGE_RESCAN_S seconds and aged in between (shown with `~`).
AGE_SCAN_LIMIT = 10_000
AGE_RESCAN_S = 2.0


def message_cells(msg: Message) -> tuple[str, ...]:
    """One message's row: id, receive count, state, when it becomes visible, body preview."""
    state = msg.state_name
    return (
        msg.id[:8],
        f"{msg.receive_count:,}",
        # The simulator's word (`in_flight`) as the column heads and the console write it.
        state.replace("_", " "),
        iso_ms(msg.visible_at)[11:23] if state != "visible" else "",
        preview(msg.body, BODY_PREVIEW),
    )


class MessageList(LineView, can_focus=True):
    """Rows of plain cells under a fixed header, in columns as wide as their widest cell,
    but the last (the body), which takes the width left and is cut with `…` when it does
    not fit. The columns in `droppable` are left out, in that order, while the last would
    get fewer than LAST_MIN cells; narrower still, the list scrolls sideways. (A body is
    read whole with `show message`.)"""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"message-list--header"}
    # The vertical scrollbar's column is kept free, so that the last column's width does
    # not depend on how many rows there are.
    DEFAULT_CSS = """
    MessageList { height: 1fr; background: $surface; scrollbar-gutter: stable; }
    MessageList:focus { background-tint: $foreground 5%; }
    MessageList > .message-list--header { text-style: bold; background: $panel; }
    """
    LAST_MIN = 12

    def __init__(
        self, columns: tuple[str, ...], droppable: tuple[int, ...] = (), **kwargs: object
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.columns = columns
        self.droppable = droppable
        self.rows: list[tuple[str, ...]] = []
        # Each column's widest cell; the columns shown and their drawn widths (the last
        # fitted to the view's width; empty until laid out).
        self._widths = [cell_len(c) for c in columns]
        self.shown: list[int] = list(range(len(columns)))
        self._drawn: list[int] = []
        # Rendered rows by index (-1: the header), at the drawn widths: cropped as drawn.
        self._strips: dict[int, Strip] = {}

    def set_rows(self, rows: list[tuple[str, ...]]) -> None:
        """Show `rows` (each one string per column; shown as text, never as markup)."""
        if rows == self.rows:
            return
        self.rows = rows
        self._widths = [
            max([cell_len(c), *(cell_len(row[i]) for row in rows)])
            for i, c in enumerate(self.columns)
        ]
        self._fit(force=True)

    def on_resize(self) -> None:
        self._fit()

    def _fit(self, *, force: bool = False) -> None:
        """Work out the columns shown and their widths at the view's width; when they
        change (or `force`), drop the rendered rows and set the scrollable size."""
        view = self.scrollable_content_region.width
        last = len(self.columns) - 1
        shown = list(range(len(self.columns)))
        for dropped in (None, *self.droppable):
            if dropped is not None:
                shown.remove(dropped)
            # A space before each column, and one after the last.
            room = view - sum(self._widths[i] for i in shown[:-1]) - len(shown) - 1
            if room >= self.LAST_MIN:
                break
        natural = self._widths[last]
        drawn = [self._widths[i] for i in shown[:-1]]
        drawn.append(max(min(natural, room), min(natural, self.LAST_MIN)))
        if (shown, drawn) == (self.shown, self._drawn) and not force:
            return
        self.shown, self._drawn = shown, drawn
        self._strips.clear()
        # The header is line 0 of the virtual height; it stays on screen (see render_line).
        self.set_virtual_size(Size(sum(drawn) + len(drawn) + 1, len(self.rows) + 1))
        self.refresh()

    def compute_line_styles(self) -> tuple[Style, ...]:
        """The view's style and its header's."""
        return (self.rich_style, self.get_component_rich_style("message-list--header"))

    def forget_lines(self) -> None:
        """Drop the rendered rows (drawn in styles that changed)."""
        self._strips.clear()

    def _line(self, cells: tuple[str, ...], style: Style) -> Strip:
        widths = self._drawn or self._widths
        shown = [cells[i] for i in self.shown] if self._drawn else list(cells)
        if cell_len(shown[-1]) > widths[-1]:
            cut = Text(shown[-1])
            cut.truncate(widths[-1], overflow="ellipsis")
            shown[-1] = cut.plain
        text = "".join(
            f" {cell}{' ' * (width - cell_len(cell))}"
            for cell, width in zip(shown, widths, strict=True)
        )
        return Strip([Segment(text + " ", style)])

    def render_line(self, y: int) -> Strip:
        """Line 0 is the header; the others are rows, scrolled under it."""
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        index = -1 if y == 0 else scroll_y + y - 1
        base, header = self.line_styles()
        if index >= len(self.rows):
            return Strip.blank(width, base)
        strip = self._strips.get(index)
        if strip is None:
            if index < 0:
                strip = self._line(self.columns, header)
            else:
                strip = self._line(self.rows[index], base)
            self._strips[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, base)


class QueueTable(DataTable[Text | str]):
    """One row per queue; moving the cursor selects its queue."""

    def __init__(
        self,
        on_select: Callable[[str], None] | None,
        on_resize: Callable[[], None] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(cursor_type="row", **kwargs)  # type: ignore[arg-type]
        self._on_select = on_select
        self._on_width = on_resize
        # While the columns are rebuilt, the cursor moves without the user moving it.
        self.rebuilding = False

    def on_resize(self) -> None:
        if self._on_width is not None:
            self._on_width()

    def on_focus(self) -> None:
        """Focused (a click, tab), the table selects the queue its cursor is on: it shows
        that row highlighted, and `r` must act on what it shows."""
        self.select_under_cursor()

    def select_under_cursor(self) -> None:
        """Select the queue of the cursor's row (when the table has rows)."""
        if self._on_select is None or not 0 <= self.cursor_row < self.row_count:
            return
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        if key is not None:
            self._on_select(key)

    def watch_cursor_coordinate(
        self, old_coordinate: Coordinate, new_coordinate: Coordinate
    ) -> None:
        """Select the queue under a cursor the user moved, in the same step as the key.

        DataTable's RowHighlighted reaches the app only after the screen has painted the
        moved cursor alone: the panes the selection changes would then wait for Textual's
        next frame (17 to 33 ms later) and be painted a second time."""
        super().watch_cursor_coordinate(old_coordinate, new_coordinate)
        if self.rebuilding:
            return
        # Unfocused, the cursor only follows a selection made elsewhere. The screen's focus,
        # not `has_focus`: a key typed right after the one that focused the table may
        # move it before the table has handled its Focus event.
        focused = self.screen.focused is self
        if old_coordinate == new_coordinate or not focused or self._on_select is None:
            return
        # An empty table's cursor moved up is on row -1: no queue is under it.
        if 0 <= new_coordinate.row < self.row_count:
            key = self.coordinate_to_cell_key(new_coordinate).row_key.value
            if key is not None:
                self._on_select(key)


class QueuesPane(Vertical, can_focus=False):
    """Queue counts on top, the selected queue's first messages below."""

    DEFAULT_CSS = """
    QueuesPane #queue-table { height: auto; max-height: 50%; }
    QueuesPane #message-caption { height: 1; color: $text-muted; }
    """

    def __init__(self, on_select: Callable[[str], None] | None = None, **kwargs: object) -> None:
        """`on_select` is called with the queue the user moves the cursor onto."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._on_select = on_select
        self.queue_name: str | None = None
        # queue -> (wall time of the scan, simulated time of the scan, age then)
        self._ages: dict[str, tuple[float, int, int | None]] = {}
        # queue -> the cells its row shows, to update only the cells that changed
        self._shown: dict[str, list[Text]] = {}
        # The counts table's columns now (one of QUEUE_LAYOUTS), and the cells its queue
        # names are cut to (None: whole).
        self.layout_shown: tuple[tuple[int, str], ...] = QUEUE_LAYOUTS[0]
        self.name_width: int | None = None
        # The caption's queue name ("" for none) and what follows it (the name is cut to
        # fit the caption's width).
        self._caption: tuple[str, str] = ("", "")

    def compose(self) -> ComposeResult:
        table = QueueTable(self._on_select, self._fit_columns, id="queue-table")
        table.tooltip = (
            "Queues: enter or the arrow keys select one. Narrow, the table shortens its heads "
            "(vis: visible, flight: in flight, DLQ: its dead-letter queue's depth); the "
            "Inspector has every count"
        )
        yield table
        yield Static("", id="message-caption", markup=False)
        yield MessageList(MESSAGE_COLUMNS, DROPPED_FIRST, id="message-table")

    def on_mount(self) -> None:
        self._build(self.layout_shown, None)

    def on_resize(self) -> None:
        self._show_caption()

    def load(self, sim: Simulator) -> None:
        """(Re)build the queue rows for a simulation (on mount and after `load`)."""
        self._ages.clear()
        self._shown = {name: self._cells(sim, name) for name in sim.queues}
        self._build(*self._layout_that_fits())
        self.queue_name = next(iter(sim.queues), None)
        # A stack without queues has no rows to count nor messages to list: the heads of
        # empty tables above and below "this stack has no queues" read as if some could
        # come. The caption alone says so, in the pane's first line.
        self.query_one(QueueTable).display = bool(sim.queues)
        self.query_one(MessageList).display = bool(sim.queues)
        self.refresh_messages(sim)

    def _layout_that_fits(self) -> tuple[tuple[tuple[int, str], ...], int | None]:
        """The widest of QUEUE_LAYOUTS that fits the table's width, and None; or, when
        none does, the last with the width its names are cut to (None when not even
        NAME_MIN cells are left: the table then scrolls sideways). The first before the
        table is laid out."""
        table = self.query_one(QueueTable)
        room = table.scrollable_content_region.width
        if room <= 0:
            return QUEUE_LAYOUTS[0], None
        pad = 2 * table.cell_padding
        for layout in QUEUE_LAYOUTS:
            widths = [
                max([cell_len(head), *(cells[i].cell_len for cells in self._shown.values())]) + pad
                for i, head in layout
            ]
            if sum(widths) <= room:
                return layout, None
        name_room = room - sum(widths[1:]) - pad
        return QUEUE_LAYOUTS[-1], name_room if name_room >= NAME_MIN else None

    def _fit_columns(self) -> None:
        """Show the columns that fit the table's width now (called when it is resized)."""
        layout, name_width = self._layout_that_fits()
        if (layout, name_width) != (self.layout_shown, self.name_width):
            self._build(layout, name_width)
            # Columns that fill the width exactly kept the sideways scrollbar the wider
            # ones needed (a blank row under the queues): Textual (pinned, see
            # pyproject.toml) decides again only when asked, after the new widths are in.
            table = self.query_one(QueueTable)
            table.call_after_refresh(table._refresh_scrollbars)

    def _drawn(self, i: int, cell: Text) -> Text:
        """Cell `i` of a row as the table draws it: a name cut to the names' width."""
        if i != 0 or self.name_width is None:
            return cell
        return Text(cut_middle(cell.plain, self.name_width), cell.style)

    def _build(self, layout: tuple[tuple[int, str], ...], name_width: int | None) -> None:
        """Rebuild the table with `layout`'s columns and every queue's row (names cut to
        `name_width` cells), the cursor on the same row."""
        table = self.query_one(QueueTable)
        row = table.cursor_row
        table.rebuilding = True
        self.name_width = name_width
        try:
            table.clear(columns=True)
            for i, head in layout:
                table.add_column(head, key=QUEUE_COLUMNS[i])
            for name, cells in self._shown.items():
                table.add_row(*(self._drawn(i, cells[i]) for i, _ in layout), key=name)
            if 0 < row < table.row_count:
                table.move_cursor(row=row, animate=False)
        finally:
            table.rebuilding = False
        self.layout_shown = layout

    def _cells(self, sim: Simulator, name: str) -> list[Text]:
        q = sim.queues[name]
        dlq = q.dlq.depth if q.dlq is not None else None
        age = self._oldest_age(sim, name)
        dlq_cell = Text("-" if dlq is None else f"{dlq:,}", "bold red" if dlq else "")
        return [
            Text(safe(name), "bold" if not q.sources else "italic"),
            Text(f"{q.visible_count:,}"),
            Text(f"{q.in_flight_count:,}"),
            Text(f"{q.delayed_count:,}"),
            dlq_cell,
            Text(age),
        ]

    def _oldest_age(self, sim: Simulator, name: str) -> str:
        q = sim.queues[name]
        now = sim.clock.now
        if q.depth <= AGE_SCAN_LIMIT:
            age = q.oldest_age_ms(now)
            return "-" if age is None else format_duration(age)
        wall = time.monotonic()
        cached = self._ages.get(name)
        if cached is None or wall - cached[0] >= AGE_RESCAN_S:
            cached = (wall, now, q.oldest_age_ms(now))
            self._ages[name] = cached
        _, then, age = cached
        return "-" if age is None else "~" + format_duration(age + now - then)

    def refresh_stats(self, sim: Simulator) -> None:
        """Update the queues' counts: only the cells whose text changed."""
        table = self.query_one(QueueTable)
        columns = {key.value: column for key, column in table.columns.items()}
        widened = False
        for name in sim.queues:
            shown = self._shown[name]
            for i, cell in enumerate(self._cells(sim, name)):
                old = shown[i]
                if cell.plain != old.plain or cell.style != old.style:
                    shown[i] = cell
                    column = columns.get(QUEUE_COLUMNS[i])
                    if column is None:
                        continue  # not shown at this width
                    # A longer count or age widens its column instead of being cut off;
                    # measuring (and the layout it brings) only then.
                    drawn = self._drawn(i, cell)
                    wider = drawn.cell_len > column.content_width
                    widened |= wider
                    table.update_cell(name, QUEUE_COLUMNS[i], drawn, update_width=wider)
        if widened:
            # Wider, the columns may no longer fit: fewer or shorter ones may.
            self._fit_columns()

    def select(self, sim: Simulator, name: str) -> None:
        """Show `name`'s messages and put the cursor on its row (when it is a queue)."""
        if name not in sim.queues:
            return
        table = self.query_one(QueueTable)
        row = table.get_row_index(name)
        if table.cursor_row != row:
            table.move_cursor(row=row)
        if name != self.queue_name:
            self.queue_name = name
            self.refresh_messages(sim)

    def refresh_messages(self, sim: Simulator) -> None:
        """List the selected queue's first messages (at most MAX_MESSAGE_ROWS)."""
        messages = self.query_one(MessageList)
        name = self.queue_name
        if name is None or name not in sim.queues:
            # "No queue selected" in a stack without queues sent users looking for one.
            empty = "no queue selected" if sim.queues else "this stack has no queues"
            self._caption = ("", empty)
            self._show_caption()
            messages.set_rows([])
            return
        q = sim.queues[name]
        msgs = q.listing(MAX_MESSAGE_ROWS)
        shown = f"first {len(msgs)} of {q.depth:,}" if q.depth > len(msgs) else f"{q.depth:,}"
        self._caption = (safe(name), f"{shown} message{'s' * (q.depth != 1)}")
        self._show_caption()
        messages.set_rows([message_cells(m) for m in msgs])

    def _show_caption(self) -> None:
        """Draw the caption in its one line: a long queue name is cut in the middle so that
        its count stays in sight, and left out where not even NAME_MIN cells of it would
        be (the table's cursor is on its row; the whole name is in the Inspector)."""
        caption = self.query_one("#message-caption", Static)
        name, rest = self._caption
        width = caption.size.width
        if name and width and cell_len(f"{name}: {rest}") > width:
            room = width - cell_len(f": {rest}")
            name = cut_middle(name, room) if room >= NAME_MIN else ""
        caption.update(Text(f"{name}: {rest}" if name else rest), layout=False)
