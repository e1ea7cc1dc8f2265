"""The Agenda pane: what the simulation will do next, and when."""

from __future__ import annotations

from rich.text import Text

from stptui.sim.engine import Simulator
from stptui.tui.render import clock_time, hanging, relative, safe
from stptui.tui.widgets.line_views import TextView

AGENDA_ROWS = 30
# The time columns: `09:00:00.000 ` and `      +1 h ` (right-aligned). A row that wraps
# goes on under the text beside them, so that the times stay a column of their own.
RELATIVE_WIDTH = 10


def agenda_text(sim: Simulator, limit: int = AGENDA_ROWS) -> Text:
    """The next `limit` scheduled entries: time, how soon, resource, what."""
    now = sim.clock.now
    entries = sim.agenda(limit)
    text = Text()
    if not entries:
        text.append("nothing is scheduled", "dim")
        return text
    rows = []
    for t, kind, resource, what in entries:
        row = Text()
        row.append(clock_time(t), "dim")
        row.append(f" {relative(t - now):>{RELATIVE_WIDTH}} ", "cyan")
        # Under this row's own kind, when a long wait (`+13 d 23 h 44 min`) pushed it on.
        hang = len(row)
        row.append(f"{kind:<12} ", "yellow" if "retry" in kind else "")
        row.append(safe(resource), "bold")
        row.append(f"  {safe(what)}")
        rows.append(hanging(row, hang))
    return Text("\n").join(rows)


class AgendaPane(TextView):
    """A scrollable list of what happens next."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._sim: Simulator | None = None
        self._stale = False

    def show(self, sim: Simulator) -> None:
        """Redraw from the simulator's agenda. The agenda scans the scheduler's whole heap:
        while the pane is hidden (a narrow terminal shows one pane) that waits until it
        is shown again."""
        self._sim = sim
        self._stale = not self.display
        if not self._stale:
            self.update(agenda_text(sim))

    def on_show(self) -> None:
        """Catch up with what was skipped while hidden."""
        if self._stale and self._sim is not None:
            self.show(self._sim)
