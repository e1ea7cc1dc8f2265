"""The Queues pane: every queue's counts, and the selected queue's messages (capped)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from stptui.sim.behavior import format_duration
from stptui.sim.clock import iso_ms
from stptui.tui.render import preview, safe

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

# A DataTable measures every new cell, so the message list is capped (textual-facts 1.3):
# the caption says how many messages there are in all.
MAX_MESSAGE_ROWS = 100
QUEUE_COLUMNS = ("queue", "visible", "in flight", "delayed", "DLQ depth", "oldest")
# The oldest message's age scans every message; past this depth it is rescanned only every
# AGE_RESCAN_S seconds and aged in between (shown with `~`).
AGE_SCAN_LIMIT = 10_000
AGE_RESCAN_S = 2.0


class QueuesPane(Vertical, can_focus=False):
    """Queue counts on top, the selected queue's first messages below."""

    DEFAULT_CSS = """
    QueuesPane #queue-table { height: auto; max-height: 50%; }
    QueuesPane #message-caption { height: 1; color: $text-muted; }
    QueuesPane #message-table { height: 1fr; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.queue_name: str | None = None
        # queue -> (wall time of the scan, simulated time of the scan, age then)
        self._ages: dict[str, tuple[float, int, int | None]] = {}

    def compose(self) -> ComposeResult:
        table: DataTable[Text | str] = DataTable(id="queue-table", cursor_type="row")
        table.tooltip = "Queues: enter or the arrow keys select one"
        yield table
        yield Static("", id="message-caption", markup=False)
        messages: DataTable[Text | str] = DataTable(id="message-table", cursor_type="row")
        yield messages

    def on_mount(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        for col in QUEUE_COLUMNS:
            table.add_column(col, key=col)
        messages = self.query_one("#message-table", DataTable)
        for col in ("message", "receives", "state", "visible at", "body"):
            messages.add_column(col, key=col)

    def load(self, sim: Simulator) -> None:
        """(Re)build the queue rows for a simulation (on mount and after `load`)."""
        table = self.query_one("#queue-table", DataTable)
        table.clear()
        for name in sim.queues:
            table.add_row(*self._cells(sim, name), key=name)
        self.queue_name = next(iter(sim.queues), None)
        self.refresh_messages(sim)

    def _cells(self, sim: Simulator, name: str) -> list[Text]:
        q = sim.queues[name]
        stats = sim.queue_stats(name)
        dlq = q.dlq.depth if q.dlq is not None else None
        age = self._oldest_age(sim, name)
        dlq_cell = Text("-" if dlq is None else str(dlq), "bold red" if dlq else "")
        return [
            Text(safe(name), "bold" if not q.sources else "italic"),
            Text(str(stats["visible"])),
            Text(str(stats["in_flight"])),
            Text(str(stats["delayed"])),
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
        """Update every queue's counts in place (a handful of cells, no re-layout)."""
        table = self.query_one("#queue-table", DataTable)
        for name in sim.queues:
            for col, cell in zip(QUEUE_COLUMNS, self._cells(sim, name), strict=True):
                table.update_cell(name, col, cell)

    def select(self, sim: Simulator, name: str) -> None:
        """Show `name`'s messages and put the cursor on its row (when it is a queue)."""
        if name not in sim.queues:
            return
        table = self.query_one("#queue-table", DataTable)
        row = table.get_row_index(name)
        if table.cursor_row != row:
            table.move_cursor(row=row)
        if name != self.queue_name:
            self.queue_name = name
            self.refresh_messages(sim)

    def refresh_messages(self, sim: Simulator) -> None:
        """Rebuild the message list of the selected queue (at most MAX_MESSAGE_ROWS rows)."""
        messages = self.query_one("#message-table", DataTable)
        caption = self.query_one("#message-caption", Static)
        messages.clear()
        name = self.queue_name
        if name is None or name not in sim.queues:
            caption.update("no queue selected")
            return
        q = sim.queues[name]
        msgs = q.listing(MAX_MESSAGE_ROWS)
        shown = f"first {len(msgs)} of {q.depth:,}" if q.depth > len(msgs) else f"{q.depth}"
        caption.update(Text(f"{safe(name)}: {shown} message{'s' * (q.depth != 1)}"))
        messages.add_rows(
            [
                Text(m.id[:8]),
                Text(str(m.receive_count)),
                Text(m.state_name),
                Text(iso_ms(m.visible_at)[11:23] if m.state_name != "visible" else ""),
                Text(preview(m.body)),
            ]
            for m in msgs
        )
