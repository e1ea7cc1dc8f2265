"""The Queues pane: every queue's counts, and the selected queue's messages (capped).

The counts are a DataTable of one row per queue whose cells are updated only when they
change. The messages are a `MessageList`: a Line-API view that draws only the rows on
screen, so showing another queue (or the same one after a frame) costs a listing of its
first messages and a handful of rendered lines, never a DataTable's measuring of every
cell. Its cursor picks a message to act on (explain it, show it whole, copy its id) and
stays on that message as the list is redrawn.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable, Static

from stptui.sim.behavior import format_duration
from stptui.sim.clock import iso_ms
from stptui.tui.render import cut_name, key_hint, preview, safe
from stptui.tui.widgets.line_views import LineView

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator
    from stptui.sim.services.queue import Message as SqsMessage

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
# The keys that act on the message list's message, on the pane's border while it has the
# focus (the last ones left out when the border is too short).
MESSAGE_KEYS = [("enter", "show"), ("e", "explain"), ("^c", "copy id")]


def message_cells(msg: SqsMessage) -> tuple[str, ...]:
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
    read whole with `show message`, which enter opens.)

    A cursor, drawn while the list has the focus, picks the message the keys act on. It
    is kept on its message by id as the rows are replaced; when that message is no longer
    listed it moves to the next listed one after it, else the one before."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        # On the pane's border (MESSAGE_KEYS), not in the footer: its keys never change
        # with the focus.
        Binding(
            "enter",
            "show",
            "Show",
            tooltip="The message's body and attributes whole, and its history (show message)",
            show=False,
        ),
        Binding(
            "e",
            "explain",
            "Explain",
            tooltip="What happened to the message (explain)",
            show=False,
        ),
        # Textual's fields copy with ctrl+c too; `y` is the replay dialog's key.
        Binding(
            "ctrl+c",
            "copy",
            "Copy id",
            tooltip="Copy the message's id to the clipboard",
            show=False,
        ),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"message-list--header", "message-list--cursor"}
    # The vertical scrollbar's column is kept free, so that the last column's width does
    # not depend on how many rows there are. The cursor is the queue table's, above.
    DEFAULT_CSS = """
    MessageList { height: 1fr; background: $surface; scrollbar-gutter: stable; }
    MessageList:focus { background-tint: $foreground 5%; }
    MessageList > .message-list--header { text-style: bold; background: $panel; }
    MessageList > .message-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """
    LAST_MIN = 12

    class Show(Message):
        """Enter on a message: show it whole."""

        def __init__(self, message_id: str) -> None:
            super().__init__()
            self.message_id = message_id

    class Explain(Message):
        """`e` on a message: explain it."""

        def __init__(self, message_id: str) -> None:
            super().__init__()
            self.message_id = message_id

    def __init__(
        self, columns: tuple[str, ...], droppable: tuple[int, ...] = (), **kwargs: object
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.columns = columns
        self.droppable = droppable
        self.rows: list[tuple[str, ...]] = []
        # Each row's message id, whole (the rows show its start).
        self.ids: list[str] = []
        # The row of the message the keys act on, and what the rows list (a queue's
        # name): the cursor starts on the first row of another queue's messages.
        self.cursor = 0
        self.owner: str | None = None
        # Each column's widest cell; the columns shown and their drawn widths (the last
        # fitted to the view's width; empty until laid out).
        self._widths = [cell_len(c) for c in columns]
        self.shown: list[int] = list(range(len(columns)))
        self._drawn: list[int] = []
        # Rendered rows by index (-1: the header), at the drawn widths: cropped as drawn.
        # The cursor's row is drawn apart, each time.
        self._strips: dict[int, Strip] = {}

    @property
    def selected_id(self) -> str | None:
        """The id of the message under the cursor (None: no rows)."""
        return self.ids[self.cursor] if self.ids else None

    def set_rows(
        self, rows: list[tuple[str, ...]], ids: list[str], owner: str | None = None
    ) -> None:
        """Show `rows` (each one string per column; shown as text, never as markup), the
        messages `ids`, of `owner`. The cursor stays on its message (see the class)."""
        if owner != self.owner:
            self.owner = owner
            self.ids = []
            self.cursor = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        elif rows == self.rows and ids == self.ids:
            return
        before = self.cursor
        self.cursor = self._follow(ids)
        self.ids = ids
        self.rows = rows
        self._widths = [
            max([cell_len(c), *(cell_len(row[i]) for row in rows)])
            for i, c in enumerate(self.columns)
        ]
        self._fit(force=True)
        if self.has_focus:
            # The cursor's row stays where it was on screen while it can.
            y = self.scroll_offset.y + self.cursor - before
            self.scroll_to(y=max(0, y), animate=False, immediate=True)
            self._cursor_in_sight()

    def _follow(self, ids: list[str]) -> int:
        """The cursor's row among `ids`: its message's, else the nearest listed after it,
        else before it (the rows shown now are `self.ids`)."""
        if not ids:
            return 0
        old, at = self.ids, self.cursor
        if at < len(old):
            rows = {mid: i for i, mid in enumerate(ids)}
            for mid in (*old[at:], *reversed(old[:at])):
                if mid in rows:
                    return rows[mid]
        return min(at, len(ids) - 1)

    def on_resize(self) -> None:
        self._fit()
        if self.has_focus:
            self._cursor_in_sight()

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
        """The view's style, its header's and its cursor's."""
        return (
            self.rich_style,
            self.get_component_rich_style("message-list--header"),
            self.get_component_rich_style("message-list--cursor"),
        )

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
        base, header, cursor = self.line_styles()
        if index >= len(self.rows):
            return Strip.blank(width, base)
        if index == self.cursor and self.has_focus:
            # Across the whole width, as the queue table's cursor is.
            strip = self._line(self.rows[index], base + cursor)
            return strip.crop_extend(scroll_x, scroll_x + width, base + cursor)
        strip = self._strips.get(index)
        if strip is None:
            if index < 0:
                strip = self._line(self.columns, header)
            else:
                strip = self._line(self.rows[index], base)
            self._strips[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _page_rows(self) -> int:
        """How many rows the view shows under its header (at least 1)."""
        return max(1, self.scrollable_content_region.height - 1)

    def _cursor_in_sight(self) -> None:
        top = self.scroll_offset.y
        rows = self._page_rows()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    def _place(self, index: int) -> None:
        """Put the cursor on row `index` (kept within the rows) and in sight."""
        if not self.rows:
            return
        self.cursor = max(0, min(index, len(self.rows) - 1))
        self._cursor_in_sight()
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        """Move the cursor by `delta` rows."""
        self._place(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        """Move the cursor by a page."""
        self._place(self.cursor + direction * self._page_rows())

    def action_jump(self, where: int) -> None:
        """To the first row (0) or the last (-1)."""
        self._place(0 if where == 0 else len(self.rows) - 1)

    def on_click(self, event: events.Click) -> None:
        """A click on a row puts the cursor on it; a double click shows its message."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return  # the header
        index = self.scroll_offset.y + offset.y - 1
        if index < len(self.rows):
            self._place(index)
            if event.chain == 2:
                self.action_show()

    def _picked(self) -> str | None:
        """The message the keys act on; with none, a note says why."""
        mid = self.selected_id
        if mid is None:
            self.notify("this queue has no messages to act on", severity="warning", markup=False)
        return mid

    def action_show(self) -> None:
        """Show the message whole (the app runs `show message`)."""
        if (mid := self._picked()) is not None:
            self.post_message(self.Show(mid))

    def action_explain(self) -> None:
        """Explain the message (the app runs `explain`)."""
        if (mid := self._picked()) is not None:
            self.post_message(self.Explain(mid))

    def action_copy(self) -> None:
        """Copy the message's id to the clipboard (OSC 52: a terminal that does not take it,
        such as macOS Terminal, leaves the clipboard as it was)."""
        if (mid := self._picked()) is not None:
            self.app.copy_to_clipboard(mid)
            self.notify(f"copied {mid}", title="message id", markup=False)

    def on_focus(self) -> None:
        self._cursor_in_sight()
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


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
        # Whether a queue of the stack is another's dead-letter queue (`r` redrives it), and
        # the keys its border shows.
        self._has_dlq = False
        self._hint_keys: list[tuple[str, str]] = []

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
        self._show_hint()

    def on_descendant_focus(self) -> None:
        self._show_hint()

    def on_descendant_blur(self) -> None:
        self._show_hint()

    def _show_hint(self) -> None:
        """The pane's keys on its lower border: `r redrive` on a stack with a dead-letter
        queue, and while the message list has the focus, the keys that act on its message,
        as many as the border has room for."""
        keys = [("r", "redrive")] if self._has_dlq else []
        messages = self.query_one(MessageList)
        if messages.has_focus and messages.rows:
            keys += MESSAGE_KEYS
        # As `key_hint` lays them out, within the border's corners and a cell of it either
        # side of the hint.
        while keys and sum(len(k) + len(d) + 3 for k, d in keys) - 2 > self.size.width - 4:
            keys.pop()
        if keys != self._hint_keys:
            self._hint_keys = keys
            self.border_subtitle = key_hint(*keys) if keys else None

    def load(self, sim: Simulator) -> None:
        """(Re)build the queue rows for a simulation (on mount and after `load`)."""
        # `r` redrives a dead-letter queue: hinted only on a stack that has one.
        self._has_dlq = any(q.sources for q in sim.queues.values())
        self._show_hint()
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
        if (
            table.show_vertical_scrollbar
            and table.show_horizontal_scrollbar
            and table.virtual_size.height <= table.size.height
        ):
            # The rows fit the table's height: its vertical scrollbar is there only for the
            # row the sideways one takes, which columns that fit leave out, and it with them.
            # Fitted to the width it left, the names were cut a frame or two early at
            # launch, and stayed cut.
            room += table.scrollbar_size_vertical
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
        return Text(cut_name(cell.plain, self.name_width), cell.style)

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
            messages.set_rows([], [])
            return
        q = sim.queues[name]
        msgs = q.listing(MAX_MESSAGE_ROWS)
        shown = f"first {len(msgs)} of {q.depth:,}" if q.depth > len(msgs) else f"{q.depth:,}"
        self._caption = (safe(name), f"{shown} message{'s' * (q.depth != 1)}")
        self._show_caption()
        messages.set_rows([message_cells(m) for m in msgs], [m.id for m in msgs], name)
        # The message keys are hinted while there is a message for them.
        self._show_hint()

    def _show_caption(self) -> None:
        """Draw the caption in its one line: a long queue name is cut in the middle so that
        its count stays in sight, and left out where not even NAME_MIN cells of it would
        be (the table's cursor is on its row; the whole name is in the Inspector)."""
        caption = self.query_one("#message-caption", Static)
        name, rest = self._caption
        width = caption.size.width
        if name and width and cell_len(f"{name}: {rest}") > width:
            room = width - cell_len(f": {rest}")
            name = cut_name(name, room) if room >= NAME_MIN else ""
        caption.update(Text(f"{name}: {rest}" if name else rest), layout=False)
